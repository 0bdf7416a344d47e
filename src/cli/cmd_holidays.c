/* `forecast holidays`: evaluates one or more country calendars (and
 * optionally an event file) for a span of years and lists the dates, as a
 * table or CSV, so that a user can check a calendar before trusting it.
 * The calendar folder is --calendars, else $FORECAST_CALENDARS, else the
 * installed one (cli_calendar_dir). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forecast/calendar.h"
#include "forecast/output.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast holidays --country CODE[,CODE...] [--from YEAR] [--to YEAR]\n"
	        "                         [--format table|csv] [--calendars DIR] [--events FILE]\n"
	        "\n"
	        "Lists the holidays that the calendars compute for the years FROM..TO\n"
	        "(default: the current year), one line per holiday and day, substitute\n"
	        "days marked as observed.  Check a calendar here before using it for\n"
	        "features.\n"
	        "\n"
	        "Options:\n"
	        "  --country CODE    country calendar(s), e.g. US or BR,MX (see the calendars\n"
	        "                    folder: one CODE.cal per country)\n"
	        "  --from YEAR       first year listed\n"
	        "  --to YEAR         last year listed (default: --from)\n"
	        "  --format F        'table' (default) or 'csv' (date,country,holiday,observed)\n"
	        "  --calendars DIR   folder of the .cal files (default: $FORECAST_CALENDARS,\n"
	        "                    else the installed calendars)\n"
	        "  --events FILE     also list the events of a date,name[,group...] CSV\n"
	        "\n"
	        "Example:\n"
	        "  forecast holidays --country BR --from 2024 --to 2026\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("forecast: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'forecast holidays --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int parse_year(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < FC_CALENDAR_MIN_YEAR || v > FC_CALENDAR_MAX_YEAR)
		return -1;
	*out = (int)v;
	return 0;
}

/* One output line: the holiday and where it came from. */
typedef struct row {
	int32_t day;
	int source; /* index into the lists: countries first, events last */
	const fc_holiday *h;
} row;

static int cmp_row(const void *a, const void *b)
{
	const row *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	if (x->source != y->source)
		return (x->source > y->source) - (x->source < y->source);
	if (x->h->id != y->h->id)
		return (x->h->id > y->h->id) - (x->h->id < y->h->id);
	return (x->h->observed > y->h->observed) - (x->h->observed < y->h->observed);
}

static const char *const weekday_abbr[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

static void print_rows(const row *rows, size_t n, const fc_holiday_list *lists, char **labels, int csv)
{
	if (csv)
		fputs("date,country,holiday,observed,group\n", stdout);
	else
		printf("%-10s  %-3s  %-7s  %s\n", "date", "day", "country", "holiday");
	for (size_t i = 0; i < n; i++) {
		int y, m, d;
		fc_day_to_civil(rows[i].day, &y, &m, &d);
		const fc_holiday_list *l = &lists[rows[i].source];
		const fc_holiday *h = rows[i].h;
		const char *group = h->group >= 0 ? l->groups[h->group] : "";
		if (csv) {
			printf("%04d-%02d-%02d,", y, m, d);
			fc_csv_field(stdout, labels[rows[i].source]);
			fputc(',', stdout);
			fc_csv_field(stdout, l->names[h->id]);
			printf(",%d,", h->observed);
			fc_csv_field(stdout, group);
			fputc('\n', stdout);
		} else {
			/* 1970-01-01 was a Thursday. */
			int wd = (int)(((rows[i].day + 3) % 7 + 7) % 7);
			printf("%04d-%02d-%02d  %-3s  %-7s  %s%s%s%s%s\n", y, m, d, weekday_abbr[wd],
			       labels[rows[i].source], l->names[h->id], h->observed ? " (observed)" : "",
			       *group ? " [" : "", group, *group ? "]" : "");
		}
	}
}

int cmd_holidays(int argc, char **argv)
{
	enum { O_COUNTRY = 256, O_FROM, O_TO, O_FORMAT, O_CALENDARS, O_EVENTS, O_HELP, O_QUIET };
	static const struct option longopts[] = {
		{"country", required_argument, NULL, O_COUNTRY},
		{"from", required_argument, NULL, O_FROM},
		{"to", required_argument, NULL, O_TO},
		{"format", required_argument, NULL, O_FORMAT},
		{"calendars", required_argument, NULL, O_CALENDARS},
		{"events", required_argument, NULL, O_EVENTS},
		{"help", no_argument, NULL, O_HELP},
		{"quiet", no_argument, NULL, O_QUIET},
		{NULL, 0, NULL, 0},
	};
	cli_opts o;
	memset(&o, 0, sizeof o);
	int from = 0, to = 0, have_from = 0, have_to = 0, csv = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case O_COUNTRY: o.countries = optarg; break;
		case O_CALENDARS: o.calendars = optarg; break;
		case O_EVENTS: o.events = optarg; break;
		case O_FROM:
			if (parse_year(optarg, &from))
				return usage_error("--from: '%s' is not a year (1583-9999)", optarg);
			have_from = 1;
			break;
		case O_TO:
			if (parse_year(optarg, &to))
				return usage_error("--to: '%s' is not a year (1583-9999)", optarg);
			have_to = 1;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				csv = 1;
			else if (strcmp(optarg, "table") == 0)
				csv = 0;
			else
				return usage_error("--format: '%s' is neither 'table' nor 'csv'", optarg);
			break;
		case 'h':
		case O_HELP: usage(stdout); return EXIT_OK;
		case 'q':
		case O_QUIET: o.quiet = 1; break;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o.countries && !o.events)
		return usage_error("%s", "no calendar: give --country CODE (and/or --events FILE)");
	if (!have_from) {
		time_t now = time(NULL);
		struct tm tm;
		from = have_to ? to : (gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 2000);
	}
	if (!have_to)
		to = from;
	if (from > to) {
		char span[64];
		snprintf(span, sizeof span, "%d > %d", from, to);
		return usage_error("--from after --to: %s", span);
	}

	/* One set per country, then the events; labels name their source.
	 * The countries load as the features load them, so the years a
	 * calendar does not cover get the same warning. */
	size_t cap = 2, n_sets = 0;
	if (o.countries)
		for (const char *p = o.countries; *p; p++)
			cap += *p == ',';
	fc_holiday_set *sets = calloc(cap, sizeof *sets);
	fc_holiday_list *lists = calloc(cap, sizeof *lists);
	char **labels = calloc(cap, sizeof *labels);
	char *codes = o.countries ? strdup(o.countries) : NULL;
	row *rows = NULL;
	int rc = EXIT_OK;
	fc_err err;
	if (!sets || !lists || !labels || (o.countries && !codes)) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	if (codes) {
		const char *dir = cli_calendar_dir(&o);
		char *save;
		for (char *code = strtok_r(codes, ",", &save); code; code = strtok_r(NULL, ",", &save)) {
			int e = fc_holiday_set_countries(&sets[n_sets], dir, code, from, to, &err);
			if (e) {
				rc = cli_fail(e, err.msg);
				goto out;
			}
			cli_warn_coverage(&o, &sets[n_sets]);
			labels[n_sets++] = code;
		}
	}
	if (o.events) {
		int e = fc_holiday_set_events(&sets[n_sets], o.events, &err);
		if (e) {
			rc = cli_fail(e, err.msg);
			goto out;
		}
		labels[n_sets++] = "events";
	}
	for (size_t k = 0; k < n_sets; k++)
		lists[k] = sets[k].list; /* borrowed: print_rows takes lists */

	int32_t lo = fc_day_from_civil(from, 1, 1), hi = fc_day_from_civil(to, 12, 31);
	size_t n_rows = 0, total = 0;
	for (size_t k = 0; k < n_sets; k++)
		total += lists[k].n;
	rows = malloc((total ? total : 1) * sizeof *rows);
	if (!rows) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n_sets; k++)
		for (size_t i = 0; i < lists[k].n; i++)
			if (lists[k].items[i].day >= lo && lists[k].items[i].day <= hi)
				rows[n_rows++] = (row){lists[k].items[i].day, (int)k, &lists[k].items[i]};
	qsort(rows, n_rows, sizeof *rows, cmp_row);
	print_rows(rows, n_rows, lists, labels, csv);
	if (fflush(stdout) != 0)
		rc = cli_fail(FC_EIO, "cannot write to standard output");
out:
	for (size_t k = 0; k < n_sets; k++)
		fc_holiday_set_dispose(&sets[k]);
	free(sets);
	free(rows);
	free(lists);
	free(labels);
	free(codes);
	return rc;
}
