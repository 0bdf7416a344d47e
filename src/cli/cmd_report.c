/* The HTML report (forecast/report.h), from a fresh run (`fit --report`)
 * or from a model file (`forecast report --model M`).
 *
 * From a run: each series' recent history (the last few seasons, enough
 * to cover the back-test folds), the fold forecasts and fold errors of its
 * best single candidate (the ensemble's own fold forecasts are not kept by
 * the run), the final forecast with its intervals, and the global models'
 * importance and SHAP summary through their explain hook.  From a model
 * file: what it keeps, the history of series with global members, the
 * members and their forecasts, and back-test errors where conformal
 * intervals needed them; it has no leaderboard and no fold forecasts, and
 * the report says so.
 *
 * Omissions: the report of a model file does not re-anchor on newer data
 * (as `predict --data` would). */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forecast/artifact.h"
#include "forecast/calendar.h"
#include "forecast/explain.h"
#include "forecast/output.h"
#include "forecast/report.h"

#define MEMBERS_LEN 160

static const char USAGE[] =
	"Usage: forecast report --model FILE [-o report.html] [--threads N] [--quiet]\n"
	"\n"
	"Writes a self-contained HTML report of a model file: each series' forecast\n"
	"and intervals, its members and weights, the history kept in the file, and\n"
	"the feature importance and SHAP summary of global models.  The model file\n"
	"keeps no leaderboard and no back-test forecasts; 'forecast fit --report'\n"
	"writes the full report of a run.  Default output: FILE.html.\n";

/* Everything a report borrows, released together. */
typedef struct report_data {
	fc_report r;
	fc_report_series *series;
	fc_report_model *models;
	fc_report_global *globals;
	fc_report_event *events;
	char *members;    /* n_series x MEMBERS_LEN */
	size_t *origin;   /* n_series x folds */
	double *fold_fc, *err;
	char *options, created[64], calendar[96];
	fc_explanation *ex;
	double *gain_shap; /* per global: shap means */
	fc_forecast *fc;   /* model files: the forecasts made here */
	size_t n_fc;
	fc_holiday_set hol;
} report_data;

static void data_dispose(report_data *d)
{
	for (size_t g = 0; g < d->r.n_globals; g++)
		fc_explanation_dispose(&d->ex[g]);
	for (size_t i = 0; i < d->n_fc; i++)
		fc_forecast_dispose(&d->fc[i]);
	free(d->fc);
	free(d->ex);
	free(d->gain_shap);
	free(d->series);
	free(d->models);
	free(d->globals);
	free(d->events);
	free(d->members);
	free(d->origin);
	free(d->fold_fc);
	free(d->err);
	free(d->options);
	fc_holiday_set_dispose(&d->hol);
}

static void stamp(report_data *d)
{
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(d->created, sizeof d->created, "%Y-%m-%d %H:%M UTC", &tm);
	d->r.created = d->created;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 16;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "forecast");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Mean |SHAP| per feature of an explanation into shap[n_features]. */
static void shap_means(const fc_explanation *ex, double *shap)
{
	for (size_t c = 0; c < ex->n_features; c++)
		shap[c] = 0;
	for (size_t row = 0; row < ex->n_rows; row++) {
		const double *phi = fc_explanation_phi(ex, row);
		for (size_t c = 0; c < ex->n_features; c++)
			shap[c] += fabs(phi[c]);
	}
	for (size_t c = 0; ex->n_rows && c < ex->n_features; c++)
		shap[c] /= (double)ex->n_rows;
}

/* Fills globals[0..n) from the explanations d->ex[0..n). */
static int set_globals(report_data *d, size_t n, const char *const *names)
{
	size_t total = 0;
	for (size_t g = 0; g < n; g++)
		total += d->ex[g].n_features;
	d->gain_shap = malloc((total ? total : 1) * sizeof *d->gain_shap);
	if (!d->gain_shap)
		return FC_ENOMEM;
	for (size_t g = 0, off = 0; g < n; g++) {
		const fc_explanation *ex = &d->ex[g];
		shap_means(ex, d->gain_shap + off);
		d->globals[g] = (fc_report_global){names[g], ex->n_features,
		                                   (const char *const *)ex->names, ex->gain,
		                                   d->gain_shap + off, ex->n_rows};
		off += ex->n_features;
	}
	d->r.n_globals = n;
	return 0;
}

/* The holidays of countries (codes "US,BR") between two timestamps. */
static void set_calendar(report_data *d, const char *dir, const char *codes, fc_time from,
                         fc_time to)
{
	if (!codes || !codes[0])
		return;
	int y0, y1, x;
	fc_time_to_civil(from, &y0, &x, &x, &x, &x, &x);
	fc_time_to_civil(to, &y1, &x, &x, &x, &x, &x);
	fc_err err;
	snprintf(d->calendar, sizeof d->calendar, "Holidays of %s (the global model's features)",
	         codes);
	d->r.calendar = d->calendar;
	if (fc_holiday_set_countries(&d->hol, dir, codes, y0, y1, &err))
		return;
	const fc_holiday_days *h = &d->hol.days;
	d->events = malloc((h->n ? h->n : 1) * sizeof *d->events);
	if (!d->events)
		return;
	size_t n = 0;
	for (size_t k = 0; k < h->n && n < 200; k++) {
		fc_time t = (fc_time)h->day[k] * 86400;
		if (t >= from && t <= to && h->id[k] >= 1 && (size_t)h->id[k] <= h->n_names)
			d->events[n++] = (fc_report_event){t, h->names[h->id[k] - 1]};
	}
	d->r.n_events = n;
	d->r.events = d->events;
}

/* How many of a series' newest values to show: a few seasons, and enough
 * to cover the back-test folds. */
static size_t keep_len(const fc_series *s, size_t span)
{
	double m = s->n_seasons ? s->seasons[s->n_seasons - 1] : 0;
	size_t keep = 3 * (size_t)(m > 0 && m < FC_REPORT_MAX_POINTS ? m : 0);
	if (keep < 2 * span)
		keep = 2 * span;
	if (keep < 60)
		keep = 60;
	if (keep > FC_REPORT_MAX_POINTS)
		keep = FC_REPORT_MAX_POINTS;
	return keep < s->n ? keep : s->n;
}

int cli_report_run(FILE *f, const cli_opts *o, const fc_panel *p, const fc_run *run,
                   const fc_cv_opts *cv, const struct fc_leader_row *rows,
                   const char *const *labels, fc_err *err)
{
	report_data d;
	memset(&d, 0, sizeof d);
	size_t S = run->n_series, C = run->n_candidates, K = cv->folds, h = cv->horizon;
	int rc = 0;
	d.series = calloc(S ? S : 1, sizeof *d.series);
	d.models = calloc(C ? C : 1, sizeof *d.models);
	d.globals = calloc(C ? C : 1, sizeof *d.globals);
	d.ex = calloc(C ? C : 1, sizeof *d.ex);
	d.members = calloc((S ? S : 1) * MEMBERS_LEN, 1);
	d.origin = calloc((S ? S : 1) * K, sizeof *d.origin);
	d.fold_fc = calloc((S ? S : 1) * K * h, sizeof *d.fold_fc);
	d.err = calloc((S ? S : 1) * K * h, sizeof *d.err);
	d.options = join_args(o->argc, o->argv);
	if (!d.series || !d.models || !d.globals || !d.ex || !d.members || !d.origin || !d.fold_fc ||
	    !d.err || !d.options) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	fc_report *r = &d.r;
	r->title = "forecast fit";
	r->source = p->path;
	r->options = d.options;
	stamp(&d);
	r->seconds = cli_now() - o->started;
	r->freq = p->freq;
	r->style = p->style;
	r->n_series = r->n = S;
	r->horizon = h;
	r->folds = K;
	r->metric = cv->metric;
	r->series = d.series;
	double *wsum = calloc(C ? C : 1, sizeof *wsum);
	size_t with_fc = 0;
	if (!wsum) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	fc_time t_from = 0, t_to = 0;
	for (size_t i = 0; i < S; i++) {
		const fc_series *s = &p->series[i];
		const fc_series_result *res = &run->res[i];
		fc_report_series *rs = &d.series[i];
		const double *y = fc_series_raw(s);
		size_t keep = keep_len(s, res->folds * res->step + h);
		rs->key = s->key;
		rs->n = keep;
		rs->y = y + s->n - keep;
		rs->last = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		fc_time first = fc_freq_add(p->freq, rs->last, -(int64_t)keep + 1);
		fc_time end = fc_freq_add(p->freq, rs->last, (int64_t)h);
		if (i == 0 || first < t_from)
			t_from = first;
		if (i == 0 || end > t_to)
			t_to = end;
		rs->score = NAN;
		if (res->fc.h && res->n_members) {
			rs->fc = &res->fc;
			with_fc++;
			char *m = d.members + i * MEMBERS_LEN;
			size_t len = 0;
			for (size_t k = 0; k < res->n_members && len < MEMBERS_LEN; k++) {
				long c = res->members[k].candidate;
				len += (size_t)snprintf(m + len, MEMBERS_LEN - len, "%s%s %.2f", k ? ", " : "",
				                        c >= 0 ? labels[c] : "naive", res->members[k].weight);
				if (c >= 0)
					wsum[c] += res->members[k].weight;
			}
			rs->members = m;
			long c0 = res->members[0].candidate;
			rs->model = res->n_members > 1 ? "ensemble" : c0 >= 0 ? labels[c0] : "naive";
		}
		long b = res->best;
		if (b < 0 || !res->fold_ok)
			continue;
		rs->score = fc_result_metric(run, i, (size_t)b, cv->metric);
		size_t nf = 0;
		for (size_t k = 0; k < res->folds; k++) {
			size_t origin = s->n - h - (res->folds - 1 - k) * res->step;
			if (!res->fold_ok[(size_t)b * K + k] || origin < s->n - keep)
				continue;
			d.origin[i * K + nf] = origin - (s->n - keep);
			for (size_t t = 0; t < h; t++) {
				double v = res->fold_fc[((size_t)b * K + k) * h + t];
				d.fold_fc[(i * K + nf) * h + t] = v;
				d.err[(i * K + nf) * h + t] = y[origin + t] - v;
			}
			nf++;
		}
		rs->n_folds = rs->err_folds = nf;
		rs->h = rs->err_h = h;
		rs->origin = d.origin + i * K;
		rs->fold_fc = d.fold_fc + i * K * h;
		rs->err = nf ? d.err + i * K * h : NULL;
		rs->fold_label = labels[b];
		rs->err_label = "the fold errors of the best single candidate";
	}
	for (size_t k = 0; k < C; k++) {
		const fc_leader_row *row = &rows[k];
		fc_report_model *m = &d.models[k];
		m->label = labels[row->candidate];
		m->series = row->series;
		m->wins = row->wins;
		memcpy(m->metric, row->metric, sizeof m->metric);
		m->seconds = row->seconds;
		m->weight = with_fc ? wsum[row->candidate] / (double)with_fc : NAN;
	}
	free(wsum);
	r->n_models = C;
	r->models = d.models;

	/* global models: explain their final fit on the series that use them */
	size_t ng = 0;
	const char **gnames = calloc(C ? C : 1, sizeof *gnames);
	size_t *cut = calloc(S ? S : 1, sizeof *cut);
	double *mean = malloc((S ? S : 1) * h * sizeof *mean);
	if (!gnames || !cut || !mean)
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t c = 0; c < C && !rc; c++) {
		const fc_model *cand = cv->candidates[c];
		if (!run->global_state || !run->global_state[c] || !cand->type->global ||
		    !cand->type->global->explain)
			continue;
		size_t users = 0;
		for (size_t i = 0; i < S; i++) {
			cut[i] = 0;
			for (size_t k = 0; k < run->res[i].n_members; k++)
				if (run->res[i].members[k].candidate == (long)c)
					cut[i] = p->series[i].n;
			users += cut[i] > 0;
		}
		if (!users)
			continue;
		fc_explanation_init(&d.ex[ng]);
		rc = cand->type->global->explain(run->global_state[c], cand->params, p, cut, h, mean,
		                                 &d.ex[ng], err);
		gnames[ng++] = labels[c];
		r->n_globals = ng; /* disposed with the data even on failure */
	}
	if (!rc && ng && set_globals(&d, ng, gnames))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	r->globals = d.globals;
	free(cut);
	free(mean);
	if (!rc && ng)
		set_calendar(&d, cli_calendar_dir(o), o->countries, t_from, t_to);
	if (!rc)
		rc = fc_report_write_html(f, r, err);
	free(gnames);
out:
	data_dispose(&d);
	return rc;
}

/* A model file's forecast of series s: its members combined, as predict
 * makes it without newer data.  gmean: the global models' forecasts,
 * [(g * n_series + i) * h]. */
static int forecast_series(const fc_artifact *a, size_t i, const double *gmean, fc_forecast *out,
                           fc_err *err)
{
	const fc_artifact_series *s = &a->series[i];
	size_t h = a->horizon, n = s->n_members;
	if (n > FC_COMBINE_MAX)
		n = FC_COMBINE_MAX;
	fc_forecast mf[FC_COMBINE_MAX];
	const fc_forecast *fp[FC_COMBINE_MAX];
	double w[FC_COMBINE_MAX];
	memset(mf, 0, sizeof mf);
	int rc = fc_forecast_init(out, h, a->levels, a->n_levels, err);
	for (size_t m = 0; m < n && !rc; m++) {
		const fc_artifact_member *mb = &s->members[m];
		w[m] = mb->weight;
		fp[m] = &mf[m];
		if ((rc = fc_forecast_init(&mf[m], h, a->levels, a->n_levels, err)))
			break;
		if (mb->model->type->global)
			memcpy(mf[m].mean, gmean + (mb->global * a->n_series + i) * h, h * sizeof *gmean);
		else if ((rc = fc_model_forecast(mb->model, &mf[m], err)))
			break;
		if (mb->model->type->global || mb->model->type->conformal)
			fc_conformal_bounds(&mf[m], mb->conf_err, mb->conf_folds, mb->conf_h);
	}
	if (!rc)
		fc_forecast_combine(fp, w, n, s->median, out);
	if (!rc && s->ens_err)
		fc_conformal_bounds(out, s->ens_err, s->ens_folds, s->ens_h);
	if (!rc && s->clip)
		fc_forecast_clip(out);
	for (size_t m = 0; m < n; m++)
		fc_forecast_dispose(&mf[m]);
	return rc;
}

static int report_model(FILE *f, const char *path, const fc_artifact *a, int argc, char **argv,
                        fc_err *err)
{
	report_data d;
	memset(&d, 0, sizeof d);
	size_t S = a->n_series, G = a->n_globals, h = a->horizon;
	int rc = 0;
	d.series = calloc(S ? S : 1, sizeof *d.series);
	d.fc = calloc(S ? S : 1, sizeof *d.fc);
	d.members = calloc((S ? S : 1) * MEMBERS_LEN, 1);
	d.globals = calloc(G ? G : 1, sizeof *d.globals);
	d.ex = calloc(G ? G : 1, sizeof *d.ex);
	d.models = calloc(fc_model_kind_count(), sizeof *d.models);
	d.options = join_args(argc, argv);
	double *gmean = calloc((G ? G : 1) * (S ? S : 1) * h, sizeof *gmean);
	const char **gnames = calloc(G ? G : 1, sizeof *gnames);
	if (!d.series || !d.fc || !d.members || !d.globals || !d.ex || !d.models || !d.options ||
	    !gmean || !gnames) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	fc_report *r = &d.r;
	r->title = "forecast report";
	r->source = a->source;
	r->options = d.options;
	stamp(&d);
	r->seconds = NAN;
	r->freq = a->freq;
	r->style = a->style;
	r->n_series = r->n = S;
	r->horizon = h;
	r->metric = a->metric;
	r->series = d.series;
	r->note = "Rendered from a model file, which keeps no leaderboard, no back-test fold "
	          "forecasts and history only for series with a global member: those parts are "
	          "left out, and the ACF uses the back-test errors the file keeps for conformal "
	          "intervals, where it has them.";
	for (size_t g = 0; g < G && !rc; g++) {
		size_t *idx = NULL;
		fc_explanation_init(&d.ex[g]);
		r->n_globals = g + 1;
		rc = cli_explain_global(a, g, NULL, NULL, &d.ex[g], &idx, gmean + g * S * h, err);
		free(idx);
		gnames[g] = a->globals[g].model->type->name;
	}
	if (!rc && G && set_globals(&d, G, gnames))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	r->globals = d.globals;
	size_t with_fc = 0;
	fc_time t_from = 0, t_to = 0;
	for (size_t i = 0; i < S && !rc; i++) {
		const fc_artifact_series *s = &a->series[i];
		fc_report_series *rs = &d.series[i];
		rs->key = d.members + i * MEMBERS_LEN; /* reused: key, then members */
		size_t len = 0;
		char *key = d.members + i * MEMBERS_LEN;
		for (size_t g = 0; g < a->n_groups && len < MEMBERS_LEN / 2; g++)
			len += (size_t)snprintf(key + len, MEMBERS_LEN / 2 - len, "%s%s", g ? "," : "",
			                        s->group_values[g]);
		rs->last = fc_artifact_last(a, s);
		rs->n = s->n_history;
		rs->y = s->history;
		rs->score = NAN;
		fc_time first = fc_freq_add(a->freq, rs->last, -(int64_t)(s->n_history ? s->n_history : 1) + 1);
		if (i == 0 || first < t_from)
			t_from = first;
		if (i == 0 || fc_freq_add(a->freq, rs->last, (int64_t)h) > t_to)
			t_to = fc_freq_add(a->freq, rs->last, (int64_t)h);
		if (!s->n_members)
			continue;
		if ((rc = forecast_series(a, i, gmean, &d.fc[i], err)))
			break;
		rs->fc = &d.fc[i];
		with_fc++;
		char *m = d.members + i * MEMBERS_LEN + MEMBERS_LEN / 2;
		len = 0;
		for (size_t k = 0; k < s->n_members && len < MEMBERS_LEN / 2; k++) {
			const char *kind = s->members[k].model->type->name;
			len += (size_t)snprintf(m + len, MEMBERS_LEN / 2 - len, "%s%s %.2f", k ? ", " : "",
			                        kind, s->members[k].weight);
			for (size_t j = 0; j < fc_model_kind_count(); j++)
				if (fc_model_kind_at(j) == s->members[k].model->type) {
					d.models[j].weight += s->members[k].weight;
					d.models[j].series++;
				}
		}
		rs->members = m;
		rs->model = s->n_members > 1 ? "ensemble" : s->members[0].model->type->name;
		if (s->ens_err) {
			rs->err = s->ens_err;
			rs->err_folds = s->ens_folds;
			rs->err_h = s->ens_h;
			rs->err_label = "the ensemble's back-test errors kept in the model file";
		} else if (s->members[0].conf_err) {
			rs->err = s->members[0].conf_err;
			rs->err_folds = s->members[0].conf_folds;
			rs->err_h = s->members[0].conf_h;
			rs->err_label = "the back-test errors of the first member kept in the model file";
		}
	}
	d.n_fc = S; /* zeroed or made: disposed either way */
	size_t nm = 0;
	for (size_t j = 0; j < fc_model_kind_count(); j++)
		if (d.models[j].series) {
			fc_report_model m = d.models[j];
			m.label = fc_model_kind_at(j)->name;
			m.weight = with_fc ? m.weight / (double)with_fc : NAN;
			m.seconds = NAN;
			for (int k = 0; k < FC_METRIC_COUNT; k++)
				m.metric[k] = NAN;
			d.models[nm++] = m;
		}
	/* members, not a leaderboard: weights only, metrics left out */
	r->n_models = nm;
	r->models = d.models;
	for (size_t g = 0; g < G && !rc; g++) {
		fc_buf b;
		fc_buf_init(&b);
		if (!a->globals[g].model->type->save_params(a->globals[g].model->params, &b, err)) {
			const char *c = b.data ? strstr(b.data, "country=") : NULL;
			if (c) {
				char codes[64];
				size_t n = strcspn(c + 8, " \t\n");
				snprintf(codes, sizeof codes, "%.*s", (int)(n < 63 ? n : 63), c + 8);
				set_calendar(&d, fc_calendar_default_dir(), codes, t_from, t_to);
			}
		}
		fc_buf_dispose(&b);
	}
	(void)path;
	if (!rc)
		rc = fc_report_write_html(f, r, err);
out:
	free(gmean);
	free(gnames);
	data_dispose(&d);
	return rc;
}

static void usage(FILE *f)
{
	fputs(USAGE, f);
}

int cmd_report(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_REPORT, "report", usage, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	const char *model = o.model_in, *output = o.output;
	if (o.input) {
		fprintf(stderr, "forecast: error: unexpected argument '%s'\n"
		                "Try 'forecast report --help' for more information.\n", o.input);
		return EXIT_USAGE;
	}
	if (!model) {
		fprintf(stderr, "forecast: error: --model FILE is required\n"
		                "Try 'forecast report --help' for more information.\n");
		return EXIT_USAGE;
	}
	fc_err err;
	fc_artifact *a = NULL;
	if ((rc = fc_artifact_load(model, &a, &err)))
		return cli_fail(rc, err.msg);
	char *def = NULL;
	if (!output) {
		size_t n = strlen(model) + 6;
		if ((def = malloc(n)))
			snprintf(def, n, "%s.html", model);
		output = def;
	}
	fc_outfile out;
	memset(&out, 0, sizeof out);
	if (!output)
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	if (!rc)
		rc = fc_outfile_open(&out, output, &err);
	if (!rc)
		rc = report_model(out.f, model, a, argc - 1, argv + 1, &err);
	if (!rc)
		rc = fc_outfile_commit(&out, &err);
	fc_outfile_abort(&out);
	if (!rc && !o.quiet && strcmp(output, "-") != 0)
		fprintf(stderr, "forecast: report written to %s\n", output);
	free(def);
	fc_artifact_free(a);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}
