/* `forecast retrain`: the nightly job.  Under the name's writer lock it
 * checks the new data against the champion (schema, series added or
 * removed, staleness), refits with the champion's options (a registered
 * candidate), back-tests challenger and champion on the same newest folds
 * of the new data, promotes the challenger only when it beats the
 * champion by --promote-margin, writes the winner's forecast and records
 * the decision.
 *
 * The back-test: fold k of a series has origin o_k = n - h - (K-1-k)s, the
 * folds and step of the champion's options.  The challenger's local members
 * (kinds and parameters as selected on all the new data) are refitted on
 * y[0..o_k); the champion's, as deployed, are re-anchored on y[0..o_k)
 * with the parameters it was fitted with.  Each side's global models (gbdt)
 * are refitted per fold with their stored kind and parameters (feature spec
 * included: hyperparameters fixed, trees refitted) on every series of the
 * new panel cut at that fold's origin, by cv's own mechanism for global
 * candidates (fc_cv_global_folds, honouring the options' --refit-every),
 * and forecast h steps from each origin.  The champion's global model is
 * refitted too, rather than forecasting from its fit, because that fit
 * has seen the folds' actuals and would score itself in-sample.  A
 * series' members are combined by the weights stored in the model (or
 * their median) as fit and predict combine them.  Both are scored on
 * y[o_k..o_k+h) by the primary metric (MASE scaled on the training window,
 * as cv does), averaged over the (series, fold) pairs both could forecast:
 * every series both models have.  Omitted: the challenger's selection saw
 * these folds, so its score is somewhat optimistic.  --alert-ratio
 * compares each series' champion error on the newest fold with its mean
 * on the earlier folds of the same back-test (the error at fit time is
 * not kept per series), global series included, out of sample as above. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forecast/artifact.h"
#include "forecast/registry.h"

/* Exit codes of retrain beyond the common ones (README, Registry). */
enum {
	EXIT_STALE = 10,   /* newest timestamp not newer than the champion's: nothing done */
	EXIT_SCHEMA = 11,  /* the columns changed: nothing done */
	EXIT_SERIES = 12,  /* retrained, but series were added or removed */
	EXIT_ALERT = 13    /* retrained, but --alert-ratio flagged series */
};

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast retrain FILE --name NAME [--horizon H] [options]\n"
	        "\n"
	        "Refits the champion of NAME with its own options on FILE, back-tests the\n"
	        "new fit (challenger) and the champion on the same newest folds of FILE\n"
	        "(every series both forecast; each side's global models refitted per fold),\n"
	        "promotes the challenger only when its primary metric is lower than the\n"
	        "champion's by the margin, and writes the forecast of whichever wins.\n"
	        "\n"
	        "Options:\n"
	        "  --name NAME          the registered model (required)\n"
	        "  --horizon H          steps to forecast (default: the champion's)\n"
	        "  --promote-margin M   promote when challenger < champion x (1 - M)\n"
	        "                       (default 0: any improvement)\n"
	        "  --alert-ratio R      flag series whose champion error on the newest fold\n"
	        "                       is above R x their error on the earlier folds\n"
	        "                       (default: off)\n"
	        "  -o, --output FILE    forecasts CSV (default FILE.forecast.csv)\n"
	        "  --registry DIR       the registry (default $FORECAST_REGISTRY, else\n"
	        "                       ./forecast-registry)\n"
	        "  --wait SECONDS       wait this long for another writer of NAME (default 0)\n"
	        "  --threads N, --quiet (-q), --help\n"
	        "\n"
	        "Exit codes: 0 retrained (promoted or kept), 1 a model failed, 2 bad command\n"
	        "line, 3 bad input data, 4 registry problem (none, no champion, locked),\n"
	        "10 stale data (nothing newer than the champion's; nothing done),\n"
	        "11 the columns changed (nothing done), 12 retrained but series were added\n"
	        "or removed, 13 retrained but --alert-ratio flagged series (before 12).\n");
}

/* The header's fields, split on the separator that occurs most. */
static int header_fields(const char *path, char *line, size_t cap, char **fields, size_t max,
                         size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f || !fgets(line, (int)cap, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	const char *seps = ",;|\t";
	char sep = ',';
	size_t best = 0;
	for (const char *s = seps; *s; s++) {
		size_t c = 0;
		for (const char *p = line; *p; p++)
			c += *p == *s;
		if (c > best) {
			best = c;
			sep = *s;
		}
	}
	*n = 0;
	for (char *p = line; *n < max;) {
		char *e = strchr(p, sep);
		if (e)
			*e = '\0';
		if (*p == '"' && strlen(p) >= 2 && p[strlen(p) - 1] == '"') {
			p[strlen(p) - 1] = '\0';
			p++;
		}
		fields[(*n)++] = p;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* What the data check found; msg says it. */
static int check_schema(const char *path, const fc_artifact *a, char *msg, size_t cap)
{
	char line[8192], *fields[512];
	size_t n;
	if (header_fields(path, line, sizeof line, fields, 512, &n))
		return 0; /* unreadable: the panel reader says why */
	const char *need[512];
	size_t nn = 0;
	need[nn++] = a->time_name;
	need[nn++] = a->target_name;
	for (size_t g = 0; g < a->n_groups && nn < 512; g++)
		need[nn++] = a->group_names[g];
	for (size_t j = 0; j < a->n_exog && nn < 512; j++)
		need[nn++] = a->exog_names[j];
	for (size_t k = 0; k < nn; k++) {
		size_t j = 0;
		while (j < n && strcmp(fields[j], need[k]) != 0)
			j++;
		if (j == n) {
			snprintf(msg, cap, "schema change: column '%s' of the champion is not in %s", need[k], path);
			return 1;
		}
	}
	return 0;
}

static long find_series(const fc_artifact *a, const fc_series *s)
{
	for (size_t j = 0; j < a->n_series; j++) {
		size_t g = 0;
		while (g < a->n_groups && strcmp(a->series[j].group_values[g], s->group_values[g]) == 0)
			g++;
		if (g == a->n_groups)
			return (long)j;
	}
	return -1;
}

/* One model's fold forecast of series s cut at origin: local members
 * refitted (challenger) or re-anchored (champion), global member k's
 * forecast taken from gfc[k] + off (its refit on this fold; NULL: none),
 * combined by the stored weights (or median) as fit and predict combine
 * them.  NaN in mean on failure. */
static void fold_forecast(fc_artifact_series *as, const fc_series *view, size_t h, int refit,
                          double *const *gfc, size_t off, double *mean)
{
	for (size_t i = 0; i < h; i++)
		mean[i] = NAN;
	size_t n = as->n_members;
	if (n == 0)
		return;
	if (n > FC_COMBINE_MAX)
		n = FC_COMBINE_MAX;
	fc_forecast mf[FC_COMBINE_MAX], comb;
	const fc_forecast *fp[FC_COMBINE_MAX];
	double w[FC_COMBINE_MAX];
	memset(mf, 0, sizeof mf);
	memset(&comb, 0, sizeof comb);
	fc_err err;
	int rc = fc_forecast_init(&comb, h, NULL, 0, &err);
	for (size_t m = 0; m < n && !rc; m++) {
		const fc_artifact_member *mb = &as->members[m];
		w[m] = mb->weight;
		fp[m] = &mf[m];
		rc = fc_forecast_init(&mf[m], h, NULL, 0, &err);
		if (!rc && mb->model->type->global) {
			const double *g = gfc[mb->global] ? gfc[mb->global] + off : NULL;
			for (size_t i = 0; g && i < h; i++)
				if (!isfinite(g[i]))
					g = NULL;
			if (!g)
				rc = FC_EINVAL;
			else
				memcpy(mf[m].mean, g, h * sizeof *mean);
			continue;
		}
		if (!rc)
			rc = refit ? fc_model_fit(mb->model, view, &err) : fc_model_anchor(mb->model, view, &err);
		if (!rc)
			rc = fc_model_forecast(mb->model, &mf[m], &err);
	}
	if (!rc)
		fc_forecast_combine(fp, w, n, as->median, &comb);
	for (size_t i = 0; i < h && !rc; i++)
		mean[i] = comb.mean[i];
	for (size_t m = 0; m < n; m++)
		fc_forecast_dispose(&mf[m]);
	fc_forecast_dispose(&comb);
}

/* The back-test of a's global models on the new panel: each refitted per
 * fold, with its stored kind and parameters (its feature spec among them),
 * on every series of p cut at that fold's origin, by the mechanism of cv's
 * back-test (fc_cv_global_folds), and forecast h steps from each origin.
 * Each series keeps the seasonal periods a fitted it with (the panel's for
 * a series a does not have).  Returns per global k its fold forecasts
 * (layout of fc_cv_global_folds, fold j counted from the last), or NULL
 * where its fits failed (those members go unscored); NULL when out of
 * memory.  The caller frees each and the array. */
static double **global_folds(const fc_artifact *a, const fc_panel *p, size_t h, size_t folds,
                             size_t step, size_t refit_every)
{
	size_t ns = p->n_series, G = a->n_globals;
	double **gfc = calloc(G ? G : 1, sizeof *gfc);
	fc_series *ser = malloc((ns ? ns : 1) * sizeof *ser);
	size_t *cut = malloc((ns ? ns : 1) * folds * sizeof *cut);
	if (!gfc || !ser || !cut) {
		free(gfc);
		free(ser);
		free(cut);
		return NULL;
	}
	for (size_t i = 0; i < ns; i++) {
		ser[i] = p->series[i];
		long j = find_series(a, &ser[i]);
		if (j >= 0) {
			ser[i].n_seasons = a->series[j].n_periods;
			ser[i].seasons = a->series[j].periods;
		}
		for (size_t jj = 0; jj < folds; jj++) {
			size_t back = h + jj * step;
			cut[jj * ns + i] = ser[i].n >= back + FC_CV_MIN_TRAIN ? ser[i].n - back : 0;
		}
	}
	fc_panel view = *p;
	view.series = ser;
	for (size_t k = 0; k < G; k++) {
		fc_err err;
		if (fc_cv_global_folds(&view, a->globals[k].model, folds, h, refit_every, cut, &gfc[k], &err))
			gfc[k] = NULL;
	}
	free(ser);
	free(cut);
	return gfc;
}

static void free_folds(double **gfc, size_t G)
{
	for (size_t k = 0; gfc && k < G; k++)
		free(gfc[k]);
	free(gfc);
}

typedef struct score {
	double challenger, champion; /* mean primary metric */
	size_t pairs, series, skipped;
	/* --alert-ratio: series whose champion error on the newest fold is
	 * above ratio x its mean error on the earlier folds */
	size_t alerts;
	char alert_keys[200];
} score;

static void backtest(const fc_panel *p, fc_artifact *chal, fc_artifact *champ, size_t h,
                     size_t folds, size_t step, size_t refit_every, fc_metric metric,
                     double alert_ratio, score *sc)
{
	double sum_a = 0, sum_b = 0;
	memset(sc, 0, sizeof *sc);
	double *fa = malloc(h * sizeof *fa), *fb = malloc(h * sizeof *fb);
	/* both sides' global models refitted per fold: a champion forecasting
	 * folds its trees were fitted on would score itself in-sample */
	double **ga = global_folds(chal, p, h, folds, step, refit_every);
	double **gb = global_folds(champ, p, h, folds, step, refit_every);
	if (!fa || !fb || !ga || !gb) {
		free(fa);
		free(fb);
		free_folds(ga, chal->n_globals);
		free_folds(gb, champ->n_globals);
		sc->challenger = sc->champion = NAN;
		return;
	}
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		long ja = find_series(chal, s), jb = find_series(champ, s);
		int compare = ja >= 0 && jb >= 0;
		fc_series nominal = *s;
		nominal.n_seasons = p->n_seasons;
		nominal.seasons = p->seasons;
		size_t period = fc_series_period(&nominal);
		int used = 0;
		double older = 0, newest_err = NAN;
		size_t n_older = 0;
		for (size_t k = 0; jb >= 0 && k < folds; k++) {
			size_t jj = folds - 1 - k, back = h + jj * step;
			if (s->n < back + FC_CV_MIN_TRAIN)
				continue;
			size_t origin = s->n - back, off = (i * folds + jj) * h;
			fc_series vb = *s;
			vb.n = origin;
			vb.n_seasons = champ->series[jb].n_periods;
			vb.seasons = champ->series[jb].periods;
			fold_forecast(&champ->series[jb], &vb, h, 0, gb, off, fb);
			const double *y = fc_series_raw(s);
			fc_metric_scale scale = fc_metric_scale_of(y, origin, period);
			double ma[FC_METRIC_COUNT], mb[FC_METRIC_COUNT];
			fc_metrics_compute(y + origin, fb, h, scale, mb);
			if (!isfinite(mb[metric]))
				continue;
			if (k + 1 == folds) {
				newest_err = mb[metric];
			} else {
				older += mb[metric];
				n_older++;
			}
			if (!compare)
				continue;
			fc_series va = *s;
			va.n = origin;
			va.n_seasons = chal->series[ja].n_periods;
			va.seasons = chal->series[ja].periods;
			fold_forecast(&chal->series[ja], &va, h, 1, ga, off, fa);
			fc_metrics_compute(y + origin, fa, h, scale, ma);
			if (!isfinite(ma[metric]))
				continue;
			sum_a += ma[metric];
			sum_b += mb[metric];
			sc->pairs++;
			used = 1;
		}
		sc->series += used;
		sc->skipped += !used;
		if (alert_ratio > 0 && n_older && isfinite(newest_err) &&
		    newest_err > alert_ratio * older / (double)n_older) {
			size_t len = strlen(sc->alert_keys);
			if (sc->alerts < 5)
				snprintf(sc->alert_keys + len, sizeof sc->alert_keys - len, "%s%s",
				         len ? " " : "", s->key[0] ? s->key : "(the only series)");
			sc->alerts++;
		}
	}
	free(fa);
	free(fb);
	free_folds(ga, chal->n_globals);
	free_folds(gb, champ->n_globals);
	sc->challenger = sc->pairs ? sum_a / (double)sc->pairs : NAN;
	sc->champion = sc->pairs ? sum_b / (double)sc->pairs : NAN;
}

static fc_time newest(const fc_artifact *a)
{
	fc_time t = 0;
	for (size_t i = 0; i < a->n_series; i++) {
		fc_time l = fc_artifact_last(a, &a->series[i]);
		if (i == 0 || l > t)
			t = l;
	}
	return t;
}

/* Runs `forecast fit` in this process with the champion's options. */
static int run_fit(const cli_opts *o, const fc_registry_model *champ, const char *dir,
                   const char *fc_tmp, const char *model_tmp)
{
	char opts[sizeof champ->options];
	snprintf(opts, sizeof opts, "%s", champ->options);
	char *argv[300], hbuf[32], tbuf[32];
	int argc = 0;
	argv[argc++] = "fit";
	argv[argc++] = (char *)o->input;
	for (char *save, *t = strtok_r(opts, "\t", &save); t && argc < 280; t = strtok_r(NULL, "\t", &save)) {
		if (o->horizon && strcmp(t, "--horizon") == 0) {
			strtok_r(NULL, "\t", &save);
			continue;
		}
		if (o->horizon && strncmp(t, "--horizon=", 10) == 0)
			continue;
		argv[argc++] = t;
	}
	if (o->horizon) {
		snprintf(hbuf, sizeof hbuf, "%zu", o->horizon);
		argv[argc++] = "--horizon";
		argv[argc++] = hbuf;
	}
	if (o->threads) {
		snprintf(tbuf, sizeof tbuf, "%d", o->threads);
		argv[argc++] = "--threads";
		argv[argc++] = tbuf;
	}
	argv[argc++] = "--name";
	argv[argc++] = (char *)o->name;
	argv[argc++] = "--registry";
	argv[argc++] = (char *)dir;
	argv[argc++] = "-o";
	argv[argc++] = (char *)fc_tmp;
	argv[argc++] = "--model-out";
	argv[argc++] = (char *)model_tmp;
	argv[argc++] = "--quiet";
	argv[argc] = NULL;
	return cmd_fit(argc, argv);
}

/* The champion's forecast re-anchored on the new data, into out_path. */
static int champion_forecast(const cli_opts *o, const fc_registry_model *champ, const char *dir,
                             size_t h, const char *out_path)
{
	char spec[FC_REGISTRY_NAME_MAX + 32], hbuf[32];
	snprintf(spec, sizeof spec, "%s@%ld", champ->name, champ->version);
	snprintf(hbuf, sizeof hbuf, "%zu", h);
	char *argv[] = {"predict", "--model", spec, "--registry", (char *)dir, "--data",
	                (char *)o->input, "--horizon", hbuf, "-o", (char *)out_path, "--quiet", NULL};
	return cmd_predict((int)(sizeof argv / sizeof *argv) - 1, argv);
}

int cmd_retrain(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_REGISTRY | OPT_RETRAIN, "retrain", usage, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.input || !o.name) {
		fprintf(stderr, "forecast: error: %s\nUsage: forecast retrain FILE --name NAME [--horizon H]\n",
		        !o.input ? "no input file" : "--name is required");
		return EXIT_USAGE;
	}
	if (o.promote_margin >= 1) {
		fprintf(stderr, "forecast: error: --promote-margin: expected a fraction below 1, got %g\n",
		        o.promote_margin);
		return EXIT_USAGE;
	}
	const char *dir = cli_registry_dir(&o);
	cli_reg g;
	memset(&g, 0, sizeof g);
	fc_err err;
	fc_artifact *champ_a = NULL, *chal_a = NULL;
	fc_panel *p = NULL;
	char model_path[4096], fc_tmp[4200], model_tmp[4200], out_path[4096];
	fc_tmp[0] = model_tmp[0] = '\0';
	fc_registry_model champ, chal;
	int fd = -1;
	cli_reg_start(&o, &g, 1);
	if ((rc = fc_registry_open(dir, 0, &g.reg, &err)) ||
	    (rc = fc_registry_lock(g.reg, o.name, o.wait, &fd, &err)) ||
	    (rc = fc_registry_get(g.reg, o.name, 0, &champ, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	g.lock = fd + 1;
	cli_reg_hold(o.name);
	fc_registry_model_path(g.reg, champ.file_hash, model_path, sizeof model_path);
	if ((rc = fc_artifact_load(model_path, &champ_a, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	/* the data checks, before any training */
	if (check_schema(o.input, champ_a, g.decision, sizeof g.decision)) {
		fprintf(stderr, "forecast: %s\n", g.decision);
		rc = EXIT_SCHEMA;
		goto out;
	}
	if ((rc = cli_read_like(o.input, champ_a, &p, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	g.rows_read = (long)p->n_rows;
	fc_time t_new = 0;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		fc_time l = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		if (i == 0 || l > t_new)
			t_new = l;
	}
	if (t_new <= newest(champ_a)) {
		char a[40], b[40];
		fc_time_format(t_new, p->style, a, sizeof a);
		fc_time_format(newest(champ_a), champ_a->style, b, sizeof b);
		snprintf(g.decision, sizeof g.decision, "stale data: the newest timestamp of %s (%s) is "
		         "not newer than %s@%ld's (%s); nothing retrained", o.input, a, o.name,
		         champ.version, b);
		fprintf(stderr, "forecast: %s\n", g.decision);
		rc = EXIT_STALE;
		goto out;
	}
	size_t removed = 0;
	for (size_t j = 0; j < champ_a->n_series; j++)
		removed += fc_panel_find(p, (const char *const *)champ_a->series[j].group_values) < 0;
	size_t added = p->n_series - (champ_a->n_series - removed);

	/* the challenger: the champion's options on the new data */
	/* in DIR/tmp, named by the process, for gc to clear after a crash */
	snprintf(fc_tmp, sizeof fc_tmp, "%s/tmp", dir);
	if (mkdir(fc_tmp, 0777) && errno != EEXIST) {
		rc = cli_fail(FC_EIO, "retrain: cannot create the registry's tmp directory");
		fc_tmp[0] = '\0';
		goto out;
	}
	snprintf(fc_tmp, sizeof fc_tmp, "%s/tmp/retrain.%ld.forecast.csv", dir, (long)getpid());
	snprintf(model_tmp, sizeof model_tmp, "%s/tmp/retrain.%ld.model", dir, (long)getpid());
	rc = run_fit(&o, &champ, dir, fc_tmp, model_tmp);
	long fit_series = 0, unused;
	cli_reg_last(&fit_series, &g.fallbacks); /* the challenger's */
	if (rc)
		goto out;
	if ((rc = fc_registry_get(g.reg, o.name, champ.version, &champ, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	{
		long latest = 0;
		fc_registry_model m;
		for (long v = champ.version + 1; !fc_registry_get(g.reg, o.name, v, &m, &err); v++)
			latest = v;
		if (!latest || (rc = fc_registry_get(g.reg, o.name, latest, &chal, &err)) ||
		    (rc = fc_artifact_load(model_tmp, &chal_a, &err))) {
			rc = cli_fail(rc ? rc : FC_EIO, rc ? err.msg : "retrain: the new version is missing");
			goto out;
		}
	}
	cli_opts fo; /* the folds, step and metric of the champion's options */
	{
		char opts[sizeof champ.options], *fargv[300];
		snprintf(opts, sizeof opts, "%s", champ.options);
		int fargc = 0;
		fargv[fargc++] = "fit";
		for (char *save, *t = strtok_r(opts, "\t", &save); t && fargc < 298; t = strtok_r(NULL, "\t", &save))
			fargv[fargc++] = t;
		fargv[fargc] = NULL;
		if (cli_parse(fargc, fargv, OPT_READ | OPT_CV | OPT_LEVEL | OPT_FEATURES | OPT_OUT, "fit", usage,
		              &fo)) {
			rc = cli_fail(FC_EFORMAT, "retrain: the champion's options do not parse");
			goto out;
		}
	}
	size_t h = o.horizon ? o.horizon : champ_a->horizon;
	score sc;
	backtest(p, chal_a, champ_a, h, fo.folds, fo.step ? fo.step : h, fo.refit_every, fo.metric,
	         o.alert_ratio, &sc);
	double bar = sc.champion * (1 - o.promote_margin);
	int promote = isfinite(sc.challenger) && (!isfinite(sc.champion) || sc.challenger < bar);
	snprintf(g.decision, sizeof g.decision, "%s %s@%ld: challenger %s@%ld's %s %.4g %s the "
	         "champion's %.4g x (1 - margin %g), over %zu folds of %zu series (%zu series not "
	         "in both or too short to score); %zu series added, %zu removed", promote ? "promoted" : "kept", o.name,
	         promote ? chal.version : champ.version, o.name, chal.version,
	         fc_metric_name(fo.metric), sc.challenger, promote ? "is below" : "is not below",
	         sc.champion, o.promote_margin, sc.pairs, sc.series, sc.skipped, added, removed);
	if (sc.alerts) {
		size_t len = strlen(g.decision);
		snprintf(g.decision + len, sizeof g.decision - len, "; alert: %zu series' newest-fold "
		         "error is above %g x their earlier folds' (%s%s)", sc.alerts, o.alert_ratio,
		         sc.alert_keys, sc.alerts > 5 ? " ..." : "");
	}
	g.version = promote ? chal.version : champ.version;
	if (promote && (rc = fc_registry_promote(g.reg, o.name, chal.version, g.decision, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	/* the winner's forecast */
	snprintf(out_path, sizeof out_path, "%s%s", o.output ? o.output : o.input,
	         o.output ? "" : ".forecast.csv");
	if (promote) {
		if (rename(fc_tmp, out_path)) {
			rc = cli_fail(FC_EIO, "retrain: cannot rename the forecast into place");
			goto out;
		}
		g.series_forecast = fit_series;
	} else {
		rc = champion_forecast(&o, &champ, dir, h, out_path);
		cli_reg_last(&g.series_forecast, &unused);
		if (rc)
			goto out;
	}
	cli_reg_output(&g, out_path);
	printf("%s\n", g.decision);
	rc = sc.alerts ? EXIT_ALERT : added || removed ? EXIT_SERIES : EXIT_OK;
out:
	cli_reg_hold(NULL);
	if (fc_tmp[0])
		unlink(fc_tmp);
	if (model_tmp[0])
		unlink(model_tmp);
	cli_reg_end(&g, "retrain", argc, argv, o.name, rc);
	fc_artifact_free(champ_a);
	fc_artifact_free(chal_a);
	fc_panel_free(p);
	return rc;
}
