/* `forecast inspect`: reads a CSV exactly as fit would and describes what it
 * found (columns and their roles, frequency, seasonal periods, series
 * lengths, gaps and fills), or lists every series as CSV. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/artifact.h"
#include "forecast/output.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast inspect FILE [data options] [--format table|csv]\n"
	        "\n"
	        "Reads FILE as 'forecast fit' would and describes it: the columns used for\n"
	        "time, target, groups and exogenous variables, the frequency, the seasonal\n"
	        "periods, series lengths, inserted timestamps and imputed values.  With\n"
	        "--format csv, prints one line per series instead.\n"
	        "\n"
	        "Data options: --time, --target, --group, --sep, --freq, --season,\n"
	        "--aggregate, --fill (see 'forecast fit --help').\n");
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

static void per_series_csv(const fc_panel *p)
{
	char when[48];
	for (size_t g = 0; g < p->n_groups; g++) {
		fc_csv_field(stdout, p->group_names[g]);
		fputc(',', stdout);
	}
	fputs("start,end,n,inserted,filled,missing,zeros,seasons,season_decisions\n", stdout);
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		for (size_t g = 0; g < p->n_groups; g++) {
			fc_csv_field(stdout, s->group_values[g]);
			fputc(',', stdout);
		}
		size_t zeros = 0;
		for (size_t t = 0; t < s->n; t++)
			zeros += s->y[t] == 0;
		fc_time_format(s->start, p->style, when, sizeof when);
		printf("%s,", when);
		fc_time_format(fc_freq_add(p->freq, s->start, (int64_t)s->n - 1), p->style, when, sizeof when);
		printf("%s,%zu,%zu,%zu,%zu,%zu,", when, s->n, s->n_inserted, s->n_filled, s->n_missing, zeros);
		if (s->n_seasons > 1)
			fputc('"', stdout);
		for (size_t k = 0; k < s->n_seasons; k++)
			printf("%s%g", k ? "," : "", s->seasons[k]);
		fputs(s->n_seasons > 1 ? "\"," : ",", stdout);
		/* why: each of the frequency's periods and its decision */
		if (p->season_status && p->n_seasons > 1)
			fputc('"', stdout);
		for (size_t j = 0; p->season_status && j < p->n_seasons; j++)
			printf("%s%g %s", j ? "," : "", p->seasons[j],
			       cli_season_status_name(p->season_status[i * FC_MAX_SEASONS + j]));
		fputs(p->season_status && p->n_seasons > 1 ? "\"\n" : "\n", stdout);
	}
}

static void summary(const fc_panel *p)
{
	char text[64], lo[48], hi[48];
	printf("file          %s\n", p->path);
	printf("rows          %zu (%zu duplicates combined)\n", p->n_rows, p->n_duplicates);
	printf("time          %s (%s)\n", p->time_name, fc_style_name(p->style));
	printf("target        %s\n", p->target_name);
	printf("groups       ");
	for (size_t g = 0; g < p->n_groups; g++)
		printf(" %s", p->group_names[g]);
	printf("%s\n", p->n_groups ? "" : " (none: one series)");
	printf("exogenous    ");
	for (size_t j = 0; j < p->n_exog; j++)
		printf(" %s", p->exog_names[j]);
	printf("%s\n", p->n_exog ? "" : " (none)");
	fc_freq_describe(p->freq, text, sizeof text);
	printf("frequency     %s", text);
	fc_freq_format(p->freq, text, sizeof text);
	printf(" [%s]%s\n", text, p->freq_inferred ? " inferred" : " given");
	printf("seasons      ");
	for (size_t s = 0; s < p->n_seasons; s++)
		printf(" %g", p->seasons[s]);
	printf("%s\n", p->n_seasons ? "" : " (none)");
	if (p->seasons_tested)
		cli_describe_tested_seasons(stdout, "season        ", p);
	printf("series        %zu\n", p->n_series);
	if (!p->n_series)
		return;
	size_t *len = malloc(p->n_series * sizeof *len);
	size_t inserted = 0, filled = 0, missing = 0, values = 0, zeros = 0;
	fc_time first = p->series[0].start, last = first;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		if (len)
			len[i] = s->n;
		inserted += s->n_inserted;
		filled += s->n_filled;
		missing += s->n_missing;
		values += s->n;
		for (size_t t = 0; t < s->n; t++)
			zeros += s->y[t] == 0;
		fc_time end = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		if (s->start < first)
			first = s->start;
		if (end > last)
			last = end;
	}
	if (len) {
		qsort(len, p->n_series, sizeof *len, cmp_size);
		printf("length        min %zu, median %zu, max %zu\n", len[0], len[p->n_series / 2],
		       len[p->n_series - 1]);
		free(len);
	}
	fc_time_format(first, p->style, lo, sizeof lo);
	fc_time_format(last, p->style, hi, sizeof hi);
	printf("span          %s .. %s\n", lo, hi);
	printf("inserted      %zu missing timestamps\n", inserted);
	printf("filled        %zu values (%s)\n", filled, fc_fill_name(p->fill));
	printf("missing       %zu values left missing\n", missing);
	printf("zeros         %.1f%% of values\n", values ? 100.0 * (double)zeros / (double)values : 0.0);
}

int cmd_inspect(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_READ | OPT_FORMAT, "inspect", usage, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.input) {
		fprintf(stderr, "forecast: error: no input file\nUsage: forecast inspect FILE\n");
		return EXIT_USAGE;
	}
	fc_err err;
	fc_panel *p = NULL;
	if ((rc = fc_panel_read(o.input, &o.read, &p, &err)))
		return cli_fail(rc, err.msg);
	if (o.format_csv)
		per_series_csv(p);
	else
		summary(p);
	fc_panel_free(p);
	return fflush(stdout) == 0 ? EXIT_OK : cli_fail(FC_EIO, "cannot write to standard output");
}
