/* `forecast features`: reads a CSV as fit would, builds the regression
 * features the global models learn from, and writes the design matrix as
 * CSV so that a user can inspect what the models see. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/features.h"
#include "forecast/output.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast features FILE [feature options] [data options] [-o OUT.csv]\n"
	        "\n"
	        "Builds the features of every series of FILE and writes one row per\n"
	        "observed target: group columns, time, the target (after --transform),\n"
	        "then the features.  Empty cells are missing values (no history yet).\n"
	        "\n"
	        "Feature options:\n"
	        "  --lags LIST           target lags, e.g. 1-7,14,28; 'auto' from the seasonal\n"
	        "                        periods and autocorrelation; 'none' (default 1-7)\n"
	        "  --windows LIST        rolling windows over lagged values (default 7,28)\n"
	        "  --agg LIST            window aggregates: mean,std,min,max,sum and ewm or\n"
	        "                        ewmA for an exponentially weighted mean (default mean,std)\n"
	        "  --shift K             windows end K steps before the target (default 1)\n"
	        "  --seasonal-window K   mean of the same phase over the last K cycles\n"
	        "  --expanding-mean      mean of all history up to the shift\n"
	        "  --calendar LIST       auto (default), none, all, or hour,dow,dom,doy,week,\n"
	        "                        month,quarter,year,weekend\n"
	        "  --fourier K           K sin/cos pairs per seasonal period\n"
	        "  --known-future COLS   exogenous columns known for the horizon (used at t);\n"
	        "                        the others are used at t - shift\n"
	        "  --no-group-keys       leave out the group values as categorical codes\n"
	        "  --transform T         none, standard, robust, log1p, diff, sdiff\n"
	        "  --country LIST        holiday features from these calendars, e.g. US,BR\n"
	        "  --holiday-window B,A  flags for the days before/after a holiday, e.g. -2,1\n"
	        "  --events FILE         user events: CSV date,name[,group columns]\n"
	        "  --calendars DIR       where XX.cal files are (default: installed ones)\n"
	        "  -o, --output FILE     write here instead of standard output\n"
	        "\n"
	        "Data options: --time, --target, --group, --sep, --freq, --season,\n"
	        "--aggregate, --fill (see 'forecast fit --help').\n");
}

static void write_value(FILE *f, double v)
{
	if (isnan(v))
		return;
	fprintf(f, "%.9g", v);
}

int cmd_features(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_READ | OPT_FEATURES | OPT_FEATOUT, "features", usage, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.input)
		return cli_fail(FC_EINVAL, "features: no input file (try 'forecast features --help')");
	fc_err err;
	fc_panel *p = NULL;
	if ((rc = fc_panel_read(o.input, &o.read, &p, &err)))
		return cli_fail(rc, err.msg);
	fc_featurizer *fz = NULL;
	fc_design *d = NULL;
	fc_series *raw = NULL;
	fc_outfile out = {0};
	int status = EXIT_OK;
	cli_holidays hol;
	memset(&hol, 0, sizeof hol);
	if (o.countries || o.events) {
		int y0, y1;
		fc_series_years(p->series, p->n_series, p->freq, 0, &y0, &y1);
		if (p->freq.unit == FC_UNIT_STEP) {
			fc_panel_free(p);
			return cli_fail(FC_EINVAL, "--country/--events: the time column holds integer steps, not dates");
		}
		if ((status = cli_holidays_load(&o, y0 - 1, y1 + 1, &hol))) {
			fc_panel_free(p);
			return status;
		}
		o.feat.holidays = hol.have_hol ? &hol.hol.days : NULL;
		o.feat.events = hol.have_ev ? &hol.ev.days : NULL;
	}
	if (o.windows_auto)
		fc_feature_auto_windows(p->seasons, p->n_seasons, &o.feat);
	/* the features see a gap (a closed day, a missing row) as missing, not
	 * as its imputed value */
	raw = malloc((p->n_series ? p->n_series : 1) * sizeof *raw);
	if (!raw) {
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < p->n_series; i++) {
		raw[i] = p->series[i];
		raw[i].y = fc_series_raw(&p->series[i]);
	}
	if (o.lags_auto && (rc = fc_feature_auto_lags(raw, p->n_series, p->seasons, p->n_seasons, &o.feat, &err)))
		goto fail;
	if ((rc = fc_featurizer_alloc(&o.feat, raw, p->n_series, p->freq, p->seasons,
	                              p->n_seasons, (const char *const *)p->exog_names, p->n_exog,
	                              (const char *const *)p->group_names, &fz, &err)))
		goto fail;
	if ((rc = fc_design_build(fz, 0, &d, &err)))
		goto fail;
	if ((rc = fc_outfile_open(&out, o.output ? o.output : "-", &err)))
		goto fail;
	FILE *f = out.f;
	for (size_t g = 0; g < p->n_groups; g++) {
		fc_csv_field(f, p->group_names[g]);
		fputc(',', f);
	}
	fc_csv_field(f, p->time_name);
	fputc(',', f);
	fc_csv_field(f, p->target_name);
	size_t nc = fc_featurizer_ncols(fz);
	for (size_t c = 0; c < nc; c++) {
		fputc(',', f);
		fc_csv_field(f, fc_featurizer_colname(fz, c));
	}
	fputc('\n', f);
	char when[48];
	for (size_t r = 0; r < d->n_rows; r++) {
		const fc_series *s = &p->series[d->series[r]];
		for (size_t g = 0; g < p->n_groups; g++) {
			fc_csv_field(f, s->group_values[g]);
			fputc(',', f);
		}
		fc_time_format(fc_freq_add(p->freq, s->start, d->t[r]), p->style, when, sizeof when);
		fputs(when, f);
		fputc(',', f);
		write_value(f, d->y[r]);
		for (size_t c = 0; c < nc; c++) {
			fputc(',', f);
			write_value(f, d->x[c * d->n_rows + r]);
		}
		fputc('\n', f);
	}
	if ((rc = fc_outfile_commit(&out, &err)))
		goto fail;
	if (!o.quiet && o.output)
		fprintf(stderr, "forecast: %zu rows x %zu features written to %s\n", d->n_rows, nc,
		        o.output);
	goto done;
fail:
	fc_outfile_abort(&out);
	status = cli_fail(rc, err.msg);
done:
	fc_design_free(d);
	fc_featurizer_free(fz);
	free(raw);
	cli_holidays_dispose(&hol);
	fc_panel_free(p);
	return status;
}
