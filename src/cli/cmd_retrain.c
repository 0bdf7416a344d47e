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
 * not kept per series), global series included, out of sample as above.
 *
 * Shards (retrain --shard K/N, then merge of the parts): a shard reads the
 * champion without the name's lock and writes nothing to the registry.
 * It does the per-series work of its series: the challenger fit's (fit
 * --shard with the champion's options: the local candidates' back-test
 * and refits), and the fold forecasts of the back-test above of the
 * champion's local members and of every local candidate the challenger
 * might keep as a member (its refit on the whole series, refitted per
 * fold).  merge takes the lock, checks the champion is still the one the
 * shards compared against, finishes the challenger's fit from the fit
 * parts (the global models, the selection, the refits: fit's merge),
 * refits both sides' global models per fold, and then decides, promotes
 * and writes exactly as one retrain: a member whose fold forecasts a
 * shard made is taken from its part (found by fc_retrain_model_key, so a
 * member the shard did not foresee is computed here instead), and a
 * champion series whose members the shard could not have anchored as one
 * retrain does (a global member failing a fold before a local one) is
 * anchored here. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forecast/artifact.h"
#include "forecast/budget.h"
#include "forecast/file.h"
#include "forecast/hash.h"
#include "forecast/output.h"
#include "forecast/registry.h"
#include "forecast/shard.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Exit codes of retrain beyond the common ones (README, Registry). */
enum {
	EXIT_STALE = 10,   /* newest timestamp not newer than the champion's: nothing done */
	EXIT_SCHEMA = 11,  /* the columns changed: nothing done */
	EXIT_SERIES = 12,  /* retrained, but series were added or removed */
	EXIT_ALERT = 13,   /* retrained, but --alert-ratio flagged series */
	EXIT_CHAMPION = 14 /* merge: the champion changed since the shards ran: nothing done */
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
	        "  --shard K/N          do only the per-series work of shard K of N (numbered\n"
	        "                       from 0), without the lock and without writing to the\n"
	        "                       registry, into a part (-o, default FILE.shard-K-of-N);\n"
	        "                       'forecast merge --name NAME OUT PART...' finishes the\n"
	        "                       retrain (see 'forecast merge --help')\n"
	        "  --threads N, --quiet (-q), --help\n"
	        "\n"
	        "Exit codes: 0 retrained (promoted or kept), 1 a model failed, 2 bad command\n"
	        "line, 3 bad input data, 4 registry problem (none, no champion, locked),\n"
	        "10 stale data (nothing newer than the champion's; nothing done),\n"
	        "11 the columns changed (nothing done), 12 retrained but series were added\n"
	        "or removed, 13 retrained but --alert-ratio flagged series (before 12),\n"
	        "14 (merge of retrain parts) the champion changed since the shards ran.\n");
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
 * them.  A local member m with pre[m] (a shard's, pre NULL: none) takes
 * its forecast of fold jj from there instead.  NaN in mean on failure. */
static void fold_forecast(fc_artifact_series *as, const fc_series *view, size_t h, int refit,
                          double *const *gfc, size_t off, const fc_retrain_entry *const *pre,
                          size_t jj, double *mean)
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
		if (!rc && pre && pre[m]) {
			if (!pre[m]->ok[jj])
				rc = FC_EMODEL;
			else
				memcpy(mf[m].mean, pre[m]->mean + jj * h, h * sizeof *mean);
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
	/* merge of retrain parts: local members (per series) whose fold
	 * forecasts came from the parts, and all local members compared */
	size_t pre_used[2], pre_all[2]; /* 0 challenger, 1 champion */
} score;

/* Whether the champion's series as (series i of the panel, n values) can
 * take its local members' fold forecasts from a shard: the shard anchored
 * every local member on every fold, in member order, stopping a fold at
 * the first local failure; one retrain also stops at a global member that
 * has no forecast of the fold, and the anchoring of the later local ones
 * it skips may change what they forecast on the next folds. */
static int champion_pre_ok(const fc_artifact_series *as, double *const *gfc, size_t i, size_t n,
                           size_t h, size_t folds, size_t step)
{
	size_t nm = as->n_members;
	if (nm > FC_COMBINE_MAX)
		nm = FC_COMBINE_MAX;
	for (size_t jj = 0; jj < folds; jj++) {
		size_t back = h + jj * step, off = (i * folds + jj) * h;
		if (n < back + FC_CV_MIN_TRAIN)
			continue;
		for (size_t m = 0; m < nm; m++) {
			const fc_artifact_member *mb = &as->members[m];
			if (!mb->model->type->global)
				continue;
			const double *g = gfc[mb->global] ? gfc[mb->global] + off : NULL;
			for (size_t t = 0; g && t < h; t++)
				if (!isfinite(g[t]))
					g = NULL;
			if (g)
				continue;
			for (size_t l = m + 1; l < nm; l++)
				if (!as->members[l].model->type->global)
					return 0;
			break;
		}
	}
	return 1;
}

/* The entry of a record's side with key, or NULL. */
static const fc_retrain_entry *find_entry(const fc_retrain_entry *e, size_t n, uint64_t key)
{
	for (size_t k = 0; k < n; k++)
		if (e[k].key == key)
			return &e[k];
	return NULL;
}

/* The key of a challenger member, as the shard computed it of the
 * candidate's refit (fc_retrain_model_key); 0 when it cannot save. */
static uint64_t member_key(const fc_model *m, const fc_artifact_series *as)
{
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	uint64_t key = 0;
	if (!fc_model_save(m, &b, &err) && b.data)
		key = fc_retrain_model_key(m->type->name, b.data, as->periods, as->n_periods);
	fc_buf_dispose(&b);
	return key;
}

/* Fills pa (challenger) and pb (champion) with the part's entries for the
 * local members of series i (NULL where there is none). */
static void pre_entries(const fc_retrain_record *rec, const fc_artifact_series *sa,
                        const fc_artifact_series *sb, int champ_ok, const fc_retrain_entry **pa,
                        const fc_retrain_entry **pb, score *sc)
{
	for (size_t m = 0; sa && m < sa->n_members && m < FC_COMBINE_MAX; m++) {
		pa[m] = NULL;
		if (sa->members[m].model->type->global)
			continue;
		sc->pre_all[0]++;
		uint64_t key = rec ? member_key(sa->members[m].model, sa) : 0;
		if (key && (pa[m] = find_entry(rec->challenger, rec->n_challenger, key)))
			sc->pre_used[0]++;
	}
	size_t nb = sb ? (sb->n_members < FC_COMBINE_MAX ? sb->n_members : FC_COMBINE_MAX) : 0;
	int all = rec && champ_ok;
	for (size_t m = 0; m < nb; m++) {
		pb[m] = NULL;
		if (sb->members[m].model->type->global)
			continue;
		sc->pre_all[1]++;
		if (all && !(pb[m] = find_entry(rec->champion, rec->n_champion, m)))
			all = 0;
	}
	for (size_t m = 0; m < nb; m++) /* all or none: anchoring is sequential */
		if (!all)
			pb[m] = NULL;
		else
			sc->pre_used[1] += pb[m] != NULL;
}

/* Series s as a back-test sees it at fold jj (counted from the last; its
 * origin h + jj x step before the end) with the given seasonal periods,
 * into *v; 0 when s is too short for that fold. */
static int fold_view(const fc_series *s, size_t h, size_t jj, size_t step, const double *seasons,
                     size_t n_seasons, fc_series *v)
{
	size_t back = h + jj * step;
	if (s->n < back + FC_CV_MIN_TRAIN)
		return 0;
	*v = *s;
	v->n = s->n - back;
	v->seasons = seasons;
	v->n_seasons = n_seasons;
	return 1;
}

/* rec: per series of p, a shard's record (NULL without shards, or
 * NULL entries). */
static void backtest(const fc_panel *p, fc_artifact *chal, fc_artifact *champ, size_t h,
                     size_t folds, size_t step, size_t refit_every, fc_metric metric,
                     double alert_ratio, const fc_retrain_record *const *rec, score *sc)
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
		const fc_retrain_entry *pa[FC_COMBINE_MAX] = {NULL}, *pb[FC_COMBINE_MAX] = {NULL};
		if (rec)
			pre_entries(rec[i], ja >= 0 ? &chal->series[ja] : NULL,
			            jb >= 0 ? &champ->series[jb] : NULL,
			            jb >= 0 && champion_pre_ok(&champ->series[jb], gb, i, s->n, h, folds, step),
			            pa, pb, sc);
		int used = 0;
		double older = 0, newest_err = NAN;
		size_t n_older = 0;
		for (size_t k = 0; jb >= 0 && k < folds; k++) {
			size_t jj = folds - 1 - k, off = (i * folds + jj) * h;
			fc_series vb, va;
			if (!fold_view(s, h, jj, step, champ->series[jb].periods, champ->series[jb].n_periods,
			               &vb))
				continue;
			size_t origin = vb.n;
			fold_forecast(&champ->series[jb], &vb, h, 0, gb, off, rec ? pb : NULL, jj, fb);
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
			(void)fold_view(s, h, jj, step, chal->series[ja].periods, chal->series[ja].n_periods, &va);
			fold_forecast(&chal->series[ja], &va, h, 1, ga, off, rec ? pa : NULL, jj, fa);
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

/* The argv of `forecast fit` with the champion's options on o's input:
 * with o's horizon and threads, then extra (NULL-terminated).  opts is
 * the copy of the options the tokens point into. */
static int fit_argv(const cli_opts *o, char *opts, char **argv, size_t cap, char *hbuf,
                    char *tbuf, char *const *extra)
{
	int argc = 0;
	argv[argc++] = "fit";
	argv[argc++] = (char *)o->input;
	for (char *save, *t = strtok_r(opts, "\t", &save); t && (size_t)argc + 40 < cap;
	     t = strtok_r(NULL, "\t", &save)) {
		if (o->horizon && strcmp(t, "--horizon") == 0) {
			strtok_r(NULL, "\t", &save);
			continue;
		}
		if (o->horizon && strncmp(t, "--horizon=", 10) == 0)
			continue;
		argv[argc++] = t;
	}
	if (o->horizon) {
		snprintf(hbuf, 32, "%zu", o->horizon);
		argv[argc++] = "--horizon";
		argv[argc++] = hbuf;
	}
	if (o->threads) {
		snprintf(tbuf, 32, "%d", o->threads);
		argv[argc++] = "--threads";
		argv[argc++] = tbuf;
	}
	for (size_t k = 0; extra[k] && (size_t)argc + 1 < cap; k++)
		argv[argc++] = extra[k];
	argv[argc] = NULL;
	return argc;
}

/* Runs `forecast fit` in this process with the champion's options. */
static int run_fit(const cli_opts *o, const fc_registry_model *champ, const char *dir,
                   const char *fc_tmp, const char *model_tmp)
{
	char opts[sizeof champ->options];
	snprintf(opts, sizeof opts, "%s", champ->options);
	char *argv[300], hbuf[32], tbuf[32];
	char *const extra[] = {"--name", (char *)o->name, "--registry", (char *)dir, "-o",
	                       (char *)fc_tmp, "--model-out", (char *)model_tmp, "--quiet", NULL};
	int argc = fit_argv(o, opts, argv, sizeof argv / sizeof *argv, hbuf, tbuf, extra);
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

/* The folds, step and metric of the champion's options, into *fo. */
static int champion_cv(const fc_registry_model *champ, cli_opts *fo)
{
	char opts[sizeof champ->options], *fargv[300];
	snprintf(opts, sizeof opts, "%s", champ->options);
	int fargc = 0;
	fargv[fargc++] = "fit";
	for (char *save, *t = strtok_r(opts, "\t", &save); t && fargc < 298; t = strtok_r(NULL, "\t", &save))
		fargv[fargc++] = t;
	fargv[fargc] = NULL;
	if (cli_parse(fargc, fargv, OPT_READ | OPT_CV | OPT_LEVEL | OPT_FEATURES | OPT_OUT, "fit", usage,
	              fo))
		return cli_fail(FC_EFORMAT, "retrain: the champion's options do not parse");
	return 0;
}

/* What retrain, its shards and their merge read before any training. */
typedef struct prep {
	fc_registry_model champ;
	fc_artifact *champ_a;
	fc_panel *p;
	size_t added, removed;
} prep;

/* Loads the champion's model file and the data and checks them (schema,
 * staleness) as retrain does; an exit code, the message of a failed
 * check in decision. */
static int prepare(const cli_opts *o, fc_registry *reg, prep *x, char *decision, size_t cap)
{
	char model_path[4096];
	fc_err err;
	fc_registry_model_path(reg, x->champ.file_hash, model_path, sizeof model_path);
	if (fc_artifact_load(model_path, &x->champ_a, &err))
		return cli_fail(err.code, err.msg);
	/* the data checks, before any training */
	if (check_schema(o->input, x->champ_a, decision, cap)) {
		fprintf(stderr, "forecast: %s\n", decision);
		return EXIT_SCHEMA;
	}
	if (cli_read_like(o->input, x->champ_a, &x->p, &err))
		return cli_fail(err.code, err.msg);
	const fc_panel *p = x->p;
	fc_time t_new = 0;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		fc_time l = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		if (i == 0 || l > t_new)
			t_new = l;
	}
	if (t_new <= newest(x->champ_a)) {
		char a[40], b[40];
		fc_time_format(t_new, p->style, a, sizeof a);
		fc_time_format(newest(x->champ_a), x->champ_a->style, b, sizeof b);
		snprintf(decision, cap, "stale data: the newest timestamp of %s (%s) is "
		         "not newer than %s@%ld's (%s); nothing retrained", o->input, a, o->name,
		         x->champ.version, b);
		fprintf(stderr, "forecast: %s\n", decision);
		return EXIT_STALE;
	}
	x->removed = 0;
	for (size_t j = 0; j < x->champ_a->n_series; j++)
		x->removed += fc_panel_find(p, (const char *const *)x->champ_a->series[j].group_values) < 0;
	x->added = p->n_series - (x->champ_a->n_series - x->removed);
	return 0;
}

static void prep_dispose(prep *x)
{
	fc_artifact_free(x->champ_a);
	fc_panel_free(x->p);
	memset(x, 0, sizeof *x);
}

/* ---- retrain --shard ---- */

/* The prefits of a fit part, per series: the candidates' kinds and saved
 * fits. */
typedef struct prefit_item {
	size_t series;
	char kind[64];
	char *saved;
} prefit_item;

typedef struct prefit_list {
	prefit_item *item;
	size_t n, cap;
	const unsigned char *mask;
} prefit_list;

static int collect_prefit(void *ctx, size_t series, size_t candidate, const char *kind,
                          const char *saved)
{
	(void)candidate;
	prefit_list *l = ctx;
	if (l->mask && !l->mask[series])
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		prefit_item *x = realloc(l->item, cap * sizeof *x);
		if (!x)
			return FC_ENOMEM;
		l->item = x;
		l->cap = cap;
	}
	prefit_item *it = &l->item[l->n];
	it->series = series;
	snprintf(it->kind, sizeof it->kind, "%s", kind);
	if (!(it->saved = strdup(saved)))
		return FC_ENOMEM;
	l->n++;
	return 0;
}

/* A model of kind from the two lines fc_model_save wrote; NULL when it
 * does not load. */
static fc_model *load_saved(const char *kind, const char *saved)
{
	const fc_model_type *t = fc_model_lookup(kind);
	if (!t || strncmp(saved, "params", 6) != 0)
		return NULL;
	char *text = strdup(saved);
	char *state = text ? strstr(text, "\nstate") : NULL;
	fc_model *m = NULL;
	if (state) {
		*state = 0;
		char *end = strchr(state + 1, '\n');
		if (end)
			*end = 0;
		fc_err err;
		m = fc_model_load(t, text + 6 + (text[6] == ' '), state + 6 + (state[6] == ' '), &err);
	}
	free(text);
	return m;
}

static int new_entry(fc_retrain_entry *e, uint64_t key, size_t folds, size_t h)
{
	e->key = key;
	e->ok = calloc(folds ? folds : 1, 1);
	e->mean = calloc(folds * h > 0 ? folds * h : 1, sizeof *e->mean);
	return e->ok && e->mean ? 0 : FC_ENOMEM;
}

/* One series' record: the champion's local members anchored on each fold
 * as backtest() anchors them (in member order, a fold stopping at the
 * first local failure), and each challenger candidate's refit (items
 * it[0..n)) refitted on each fold, with the seasonal periods of fs (the
 * series as the challenger's fit read it).  FC_ENOMEM or 0. */
static int shard_series(const fc_series *s, const fc_series *fs, fc_artifact *champ,
                        const prefit_item *it, size_t n, size_t h, size_t folds, size_t step,
                        fc_retrain_record *x)
{
	fc_err err;
	fc_forecast f;
	memset(&f, 0, sizeof f);
	if (fc_forecast_init(&f, h, NULL, 0, &err))
		return FC_ENOMEM;
	int rc = 0;
	long jb = find_series(champ, s);
	fc_artifact_series *as = jb >= 0 ? &champ->series[jb] : NULL;
	size_t nm = as ? (as->n_members < FC_COMBINE_MAX ? as->n_members : FC_COMBINE_MAX) : 0;
	if (nm && !(x->champion = calloc(nm, sizeof *x->champion)))
		rc = FC_ENOMEM;
	for (size_t m = 0; m < nm && !rc; m++)
		if (!as->members[m].model->type->global)
			rc = new_entry(&x->champion[x->n_champion++], m, folds, h);
	for (size_t k = 0; k < folds && as && !rc; k++) {
		size_t jj = folds - 1 - k;
		fc_series vb;
		if (!fold_view(s, h, jj, step, as->periods, as->n_periods, &vb))
			continue;
		size_t e = 0;
		int stop = 0;
		for (size_t m = 0; m < nm; m++) {
			fc_model *mod = as->members[m].model;
			if (mod->type->global)
				continue;
			fc_retrain_entry *en = &x->champion[e++];
			if (stop)
				continue;
			if (fc_model_anchor(mod, &vb, &err) || fc_model_forecast(mod, &f, &err)) {
				stop = 1;
				continue;
			}
			en->ok[jj] = 1;
			memcpy(en->mean + jj * h, f.mean, h * sizeof *f.mean);
		}
	}
	if (n && !rc && !(x->challenger = calloc(n, sizeof *x->challenger)))
		rc = FC_ENOMEM;
	for (size_t c = 0; c < n && !rc; c++) {
		fc_model *mod = load_saved(it[c].kind, it[c].saved);
		fc_buf b;
		fc_buf_init(&b);
		if (!mod || fc_model_save(mod, &b, &err) || !b.data) {
			fc_buf_dispose(&b);
			fc_model_free(mod);
			continue; /* merge refits it if it is a member */
		}
		uint64_t key = fc_retrain_model_key(it[c].kind, b.data, fs->seasons, fs->n_seasons);
		fc_buf_dispose(&b);
		fc_retrain_entry *en = &x->challenger[x->n_challenger++];
		rc = new_entry(en, key, folds, h);
		for (size_t k = 0; k < folds && !rc; k++) {
			size_t jj = folds - 1 - k;
			fc_series va;
			if (!fold_view(s, h, jj, step, fs->seasons, fs->n_seasons, &va))
				continue;
			if (fc_model_fit(mod, &va, &err) || fc_model_forecast(mod, &f, &err))
				continue;
			en->ok[jj] = 1;
			memcpy(en->mean + jj * h, f.mean, h * sizeof *f.mean);
		}
		fc_model_free(mod);
	}
	fc_forecast_dispose(&f);
	return rc;
}

/* The hash of a retrain shard's options: its command line without the
 * input, --shard, the output, --threads, --quiet, --registry and --wait
 * (where the registry is and how long to wait do not change the results:
 * the champion's version and hash stand for it). */
static uint64_t retrain_options_hash(const cli_opts *o, int argc, char **argv)
{
	static const char *const with_value[] = {"--shard", "-o", "--output", "--threads",
	                                         "--registry", "--wait"};
	uint64_t h = FC_FNV_OFFSET;
	for (int a = 1; a < argc; a++) {
		const char *t = argv[a];
		int skip = t == o->input || strcmp(t, "-q") == 0 || strcmp(t, "--quiet") == 0;
		for (size_t k = 0; !skip && k < sizeof with_value / sizeof *with_value; k++) {
			size_t n = strlen(with_value[k]);
			if (strcmp(t, with_value[k]) == 0)
				skip = 2;
			else if (strncmp(t, with_value[k], n) == 0 && (t[n] == '=' || (n == 2 && t[n])))
				skip = 1;
		}
		if (skip) {
			a += skip - 1;
			continue;
		}
		h = fc_fnv1a(h, t, strlen(t) + 1);
	}
	return h;
}

/* retrain --shard K/N: the per-series work of shard K's series into a part
 * (-o), reading the registry but neither locking nor writing it. */
static int retrain_shard(const cli_opts *o, int argc, char **argv)
{
	const char *dir = cli_registry_dir(o);
	fc_registry *reg = NULL;
	fc_err err;
	prep x;
	memset(&x, 0, sizeof x);
	char decision[512], suffix[64], *owned = NULL, fit_tmp[4200];
	fit_tmp[0] = '\0';
	char *fit_data = NULL;
	size_t fit_len = 0;
	prefit_list pl = {0};
	unsigned char *mask = NULL;
	fc_panel *fit_p = NULL;
	fc_retrain_part part;
	memset(&part, 0, sizeof part);
	fc_buf out;
	fc_buf_init(&out);
	fc_outfile of;
	memset(&of, 0, sizeof of);
	int rc;
	snprintf(suffix, sizeof suffix, ".shard-%zu-of-%zu", o->shard, o->n_shards);
	size_t plen = strlen(o->input) + strlen(suffix) + 1;
	const char *path = o->output;
	if (!path && (owned = malloc(plen)))
		snprintf(owned, plen, "%s%s", o->input, suffix);
	if (!path)
		path = owned;
	if (!path) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	/* a shard only reads the registry: no lock, no run record */
	if ((rc = fc_registry_open(dir, 0, &reg, &err)) ||
	    (rc = fc_registry_get(reg, o->name, 0, &x.champ, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	rc = prepare(o, reg, &x, decision, sizeof decision);
	fc_registry_close(reg);
	reg = NULL;
	cli_opts fo;
	if (rc || (rc = champion_cv(&x.champ, &fo)))
		goto out;
	const fc_panel *p = x.p;
	size_t S = p->n_series, h = o->horizon ? o->horizon : x.champ_a->horizon;
	size_t folds = fo.folds, step = fo.step ? fo.step : h;

	/* the challenger's fit: fit --shard with the champion's options */
	if (fo.search || fo.report) {
		char msg[FC_ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "retrain --shard: %s@%ld was fitted with %s, which a shard's "
		         "fit cannot take (%s); retrain it in one process", o->name, x.champ.version,
		         fo.search ? "--search" : "--report",
		         fo.search ? "a search picks its trials from every series' results"
		                   : "the report is written by the fit that sees every series");
		rc = cli_fail(FC_EINVAL, msg);
		goto out;
	}
	snprintf(fit_tmp, sizeof fit_tmp, "%s.fit-part.%ld", path, (long)getpid());
	{
		char opts[sizeof x.champ.options], *fargv[300], hbuf[32], tbuf[32], shard[64];
		snprintf(opts, sizeof opts, "%s", x.champ.options);
		snprintf(shard, sizeof shard, "%zu/%zu", o->shard, o->n_shards);
		char *const extra[] = {"--shard", shard, "-o", fit_tmp, "--quiet", NULL};
		int fargc = fit_argv(o, opts, fargv, sizeof fargv / sizeof *fargv, hbuf, tbuf, extra);
		if ((rc = cmd_fit(fargc, fargv)))
			goto out;
	}
	if ((rc = fc_read_file(fit_tmp, "part", &fit_data, &fit_len, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	unlink(fit_tmp);
	fit_tmp[0] = '\0';
	if (!(mask = malloc(S ? S : 1))) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	size_t mine = 0;
	for (size_t i = 0; i < S; i++)
		mine += mask[i] = fc_shard_of(p->series[i].key, o->n_shards) == o->shard;
	/* the candidates' refits, with the seasonal periods the fit gave each
	 * series (it tests them as fit reads the data, which retrain's own
	 * reading does not repeat), when the fit read the same series (it
	 * should: same file; else merge refits the members itself) */
	fc_part_info info;
	char fp[17];
	fc_registry_fingerprint(p, fp);
	if (fc_panel_read(o->input, &fo.read, &fit_p, &err)) {
		rc = cli_fail(err.code, err.msg);
		goto out;
	}
	if (!fc_part_read_info(fit_data, fit_len, &info, &err)) {
		char fp2[17];
		fc_registry_fingerprint(fit_p, fp2);
		int same = info.n_series == S && fit_p->n_series == S && strcmp(info.fingerprint, fp) == 0 &&
		           strcmp(fp2, fp) == 0;
		fc_part_info_dispose(&info);
		pl.mask = mask;
		if (same && (rc = fc_part_prefits(fit_data, fit_len, collect_prefit, &pl, &err))) {
			rc = cli_fail(rc, rc == FC_ENOMEM ? "out of memory" : err.msg);
			goto out;
		}
	}
	/* the fold forecasts, series by series (each its own record) */
	size_t *first = calloc(S + 1, sizeof *first);
	part.records = calloc(mine ? mine : 1, sizeof *part.records);
	size_t *which = malloc((mine ? mine : 1) * sizeof *which);
	if (!first || !part.records || !which) {
		free(first);
		free(which);
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < pl.n; k++) /* items come in series order */
		first[pl.item[k].series + 1]++;
	for (size_t i = 0; i < S; i++)
		first[i + 1] += first[i];
	part.n_records = mine;
	for (size_t i = 0, r = 0; i < S; i++)
		if (mask[i]) {
			which[r] = i;
			part.records[r].index = i;
			part.records[r].key = strdup(p->series[i].key);
			r++;
		}
	int failed = 0;
	#pragma omp parallel for schedule(dynamic, 1) reduction(|:failed)
	for (size_t r = 0; r < mine; r++) {
		size_t i = which[r];
		fc_budget_begin(0);
		if (!part.records[r].key ||
		    shard_series(&p->series[i], &fit_p->series[i], x.champ_a, pl.item + first[i],
		                 first[i + 1] - first[i], h, folds, step, &part.records[r]))
			failed = 1;
		fc_budget_end();
	}
	free(first);
	free(which);
	if (failed) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	part.shard = o->shard;
	part.n_shards = o->n_shards;
	snprintf(part.name, sizeof part.name, "%s", o->name);
	part.champion_version = x.champ.version;
	snprintf(part.champion, sizeof part.champion, "%s", x.champ.file_hash);
	memcpy(part.fingerprint, fp, sizeof part.fingerprint);
	part.options = retrain_options_hash(o, argc, argv);
	part.horizon = h;
	part.folds = folds;
	part.n_series = S;
	part.fit_part = fit_data;
	part.fit_part_len = fit_len;
	/* the command line, without --threads and --quiet: merge's own */
	if (!(part.argv = calloc((size_t)argc + 1, sizeof *part.argv))) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	for (int a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--threads") == 0 && a + 1 < argc) {
			a++;
			continue;
		}
		if (strncmp(argv[a], "--threads=", 10) == 0 || strcmp(argv[a], "-q") == 0 ||
		    strcmp(argv[a], "--quiet") == 0)
			continue;
		if (!(part.argv[part.argc++] = strdup(argv[a]))) {
			rc = cli_fail(FC_ENOMEM, "out of memory");
			goto out;
		}
	}
	if ((rc = fc_retrain_part_encode(&out, &part, &err)) ||
	    (rc = fc_outfile_open(&of, path, &err)))
		goto fail;
	if (fwrite(out.data, 1, out.len, of.f) != out.len) {
		rc = fc_err_set(&err, FC_EIO, "%s: write failed", path);
		goto fail;
	}
	if ((rc = fc_outfile_commit(&of, &err)))
		goto fail;
	if (!o->quiet)
		fprintf(stderr, "forecast: retrain shard %zu of %zu: %zu of %zu series; part written to "
		        "%s ('forecast merge --name %s OUT PART...' finishes the retrain)\n", o->shard,
		        o->n_shards, mine, S, path, o->name);
	goto out;
fail:
	rc = cli_fail(rc, err.msg);
out:
	fc_outfile_abort(&of);
	fc_buf_dispose(&out);
	part.fit_part = NULL;
	fc_retrain_part_dispose(&part);
	if (fit_tmp[0])
		unlink(fit_tmp);
	for (size_t k = 0; k < pl.n; k++)
		free(pl.item[k].saved);
	free(pl.item);
	free(fit_data);
	free(mask);
	free(owned);
	fc_panel_free(fit_p);
	fc_registry_close(reg);
	prep_dispose(&x);
	return rc;
}

/* ---- retrain, in one process or as the merge of its shards ---- */

/* The parts of a sharded retrain (cli_merge_retrain). */
typedef struct retrain_parts {
	size_t n;
	const char **path;
	fc_retrain_part *part;
	const fc_retrain_record **rec; /* per series of the panel */
} retrain_parts;

/* The challenger's fit from the shards' fit parts: fit's merge, with the
 * outputs and registration of run_fit.  The parts go to files beside the
 * forecast's temporary file. */
static int merge_fit(const cli_opts *o, const retrain_parts *rp, const char *dir,
                     const char *fc_tmp, const char *model_tmp)
{
	size_t n = rp->n;
	char **paths = calloc(n, sizeof *paths);
	char **argv = calloc(n + 16, sizeof *argv);
	char tbuf[32];
	int rc = paths && argv ? 0 : cli_fail(FC_ENOMEM, "out of memory");
	for (size_t k = 0; k < n && !rc; k++) {
		size_t len = strlen(fc_tmp) + 32;
		fc_err err;
		if (!(paths[k] = malloc(len))) {
			rc = cli_fail(FC_ENOMEM, "out of memory");
			break;
		}
		snprintf(paths[k], len, "%s.part-%zu", fc_tmp, k);
		FILE *f = fopen(paths[k], "wb");
		if (!f || fwrite(rp->part[k].fit_part, 1, rp->part[k].fit_part_len, f) !=
		              rp->part[k].fit_part_len) {
			fc_err_set(&err, FC_EIO, "%s: cannot write: %s", paths[k], strerror(errno));
			rc = cli_fail(FC_EIO, err.msg);
		}
		if (f && fclose(f) && !rc)
			rc = cli_fail(FC_EIO, "retrain: cannot write a fit part in the registry's tmp");
	}
	if (!rc) {
		int argc = 0;
		argv[argc++] = "merge";
		argv[argc++] = (char *)fc_tmp;
		for (size_t k = 0; k < n; k++)
			argv[argc++] = paths[k];
		argv[argc++] = "--data";
		argv[argc++] = (char *)o->input;
		argv[argc++] = "--name";
		argv[argc++] = (char *)o->name;
		argv[argc++] = "--registry";
		argv[argc++] = (char *)dir;
		argv[argc++] = "--model-out";
		argv[argc++] = (char *)model_tmp;
		argv[argc++] = "--quiet";
		if (o->threads) {
			snprintf(tbuf, sizeof tbuf, "%d", o->threads);
			argv[argc++] = "--threads";
			argv[argc++] = tbuf;
		}
		argv[argc] = NULL;
		rc = cmd_merge(argc, argv);
	}
	for (size_t k = 0; paths && k < n; k++)
		if (paths[k]) {
			unlink(paths[k]);
			free(paths[k]);
		}
	free(paths);
	free(argv);
	return rc;
}

static int retrain_run(cli_opts *o, int argc, char **argv, const retrain_parts *rp)
{
	int rc;
	const char *dir = cli_registry_dir(o);
	cli_reg g;
	memset(&g, 0, sizeof g);
	fc_err err;
	fc_artifact *chal_a = NULL;
	prep x;
	memset(&x, 0, sizeof x);
	char fc_tmp[4200], model_tmp[4200], out_path[4096];
	fc_tmp[0] = model_tmp[0] = '\0';
	fc_registry_model chal;
	int fd = -1;
	cli_reg_start(o, &g, 1);
	if ((rc = fc_registry_open(dir, 0, &g.reg, &err)) ||
	    (rc = fc_registry_lock(g.reg, o->name, o->wait, &fd, &err)) ||
	    (rc = fc_registry_get(g.reg, o->name, 0, &x.champ, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	g.lock = fd + 1;
	cli_reg_hold(o->name);
	if (rp && (x.champ.version != rp->part[0].champion_version ||
	           strcmp(x.champ.file_hash, rp->part[0].champion) != 0)) {
		snprintf(g.decision, sizeof g.decision, "the champion of %s is %s@%ld (model %s), not "
		         "%s@%ld (model %s) that the shards compared against; nothing retrained: run "
		         "the shards again", o->name, o->name, x.champ.version, x.champ.file_hash,
		         o->name, rp->part[0].champion_version, rp->part[0].champion);
		fprintf(stderr, "forecast: %s\n", g.decision);
		rc = EXIT_CHAMPION;
		goto out;
	}
	if ((rc = prepare(o, g.reg, &x, g.decision, sizeof g.decision)))
		goto out;
	const fc_panel *p = x.p;
	g.rows_read = (long)p->n_rows;
	if (rp) {
		char fp[17];
		fc_registry_fingerprint(p, fp);
		if (strcmp(fp, rp->part[0].fingerprint) != 0 || p->n_series != rp->part[0].n_series) {
			char msg[FC_ERR_MSG_MAX];
			snprintf(msg, sizeof msg, "the data is not what the shards read (fingerprint %s, "
			         "the parts' %s): merge needs the same file (--data FILE)", fp,
			         rp->part[0].fingerprint);
			rc = cli_fail(FC_EINPUT, msg);
			goto out;
		}
	}
	cli_opts fo; /* the folds, step and metric of the champion's options */
	if ((rc = champion_cv(&x.champ, &fo)))
		goto out;

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
	rc = rp ? merge_fit(o, rp, dir, fc_tmp, model_tmp) : run_fit(o, &x.champ, dir, fc_tmp, model_tmp);
	long fit_series = 0, unused;
	cli_reg_last(&fit_series, &g.fallbacks); /* the challenger's */
	if (rc)
		goto out;
	if ((rc = fc_registry_get(g.reg, o->name, x.champ.version, &x.champ, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	{
		long latest = 0;
		fc_registry_model m;
		for (long v = x.champ.version + 1; !fc_registry_get(g.reg, o->name, v, &m, &err); v++)
			latest = v;
		if (!latest || (rc = fc_registry_get(g.reg, o->name, latest, &chal, &err)) ||
		    (rc = fc_artifact_load(model_tmp, &chal_a, &err))) {
			rc = cli_fail(rc ? rc : FC_EIO, rc ? err.msg : "retrain: the new version is missing");
			goto out;
		}
	}
	size_t h = o->horizon ? o->horizon : x.champ_a->horizon;
	score sc;
	backtest(p, chal_a, x.champ_a, h, fo.folds, fo.step ? fo.step : h, fo.refit_every, fo.metric,
	         o->alert_ratio, rp ? rp->rec : NULL, &sc);
	if (rp && !o->quiet)
		fprintf(stderr, "forecast: merged %zu retrain parts; local members' fold forecasts from "
		        "the parts: challenger %zu of %zu, champion %zu of %zu (the others computed "
		        "here)\n", rp->n, sc.pre_used[0], sc.pre_all[0], sc.pre_used[1], sc.pre_all[1]);
	double bar = sc.champion * (1 - o->promote_margin);
	int promote = isfinite(sc.challenger) && (!isfinite(sc.champion) || sc.challenger < bar);
	snprintf(g.decision, sizeof g.decision, "%s %s@%ld: challenger %s@%ld's %s %.4g %s the "
	         "champion's %.4g x (1 - margin %g), over %zu folds of %zu series (%zu series not "
	         "in both or too short to score); %zu series added, %zu removed", promote ? "promoted" : "kept", o->name,
	         promote ? chal.version : x.champ.version, o->name, chal.version,
	         fc_metric_name(fo.metric), sc.challenger, promote ? "is below" : "is not below",
	         sc.champion, o->promote_margin, sc.pairs, sc.series, sc.skipped, x.added, x.removed);
	if (sc.alerts) {
		size_t len = strlen(g.decision);
		snprintf(g.decision + len, sizeof g.decision - len, "; alert: %zu series' newest-fold "
		         "error is above %g x their earlier folds' (%s%s)", sc.alerts, o->alert_ratio,
		         sc.alert_keys, sc.alerts > 5 ? " ..." : "");
	}
	g.version = promote ? chal.version : x.champ.version;
	if (promote && (rc = fc_registry_promote(g.reg, o->name, chal.version, g.decision, &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	/* the winner's forecast */
	snprintf(out_path, sizeof out_path, "%s%s", o->output ? o->output : o->input,
	         o->output ? "" : ".forecast.csv");
	if (promote) {
		if (rename(fc_tmp, out_path)) {
			rc = cli_fail(FC_EIO, "retrain: cannot rename the forecast into place");
			goto out;
		}
		g.series_forecast = fit_series;
	} else {
		rc = champion_forecast(o, &x.champ, dir, h, out_path);
		cli_reg_last(&g.series_forecast, &unused);
		if (rc)
			goto out;
	}
	cli_reg_output(&g, out_path);
	printf("%s\n", g.decision);
	rc = sc.alerts ? EXIT_ALERT : x.added || x.removed ? EXIT_SERIES : EXIT_OK;
out:
	cli_reg_hold(NULL);
	if (fc_tmp[0])
		unlink(fc_tmp);
	if (model_tmp[0])
		unlink(model_tmp);
	cli_reg_end(&g, rp ? "merge" : "retrain", argc, argv, o->name, rc);
	fc_artifact_free(chal_a);
	prep_dispose(&x);
	return rc;
}

int cmd_retrain(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_REGISTRY | OPT_RETRAIN | OPT_SHARD, "retrain", usage, &o);
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
	if (o.n_shards)
		return retrain_shard(&o, argc, argv);
	return retrain_run(&o, argc, argv, NULL);
}

static size_t retrain_shard_of(const void *ctx, size_t k)
{
	return ((const fc_retrain_part *)ctx)[k].shard;
}

/* Checks that the retrain parts are shards 0..N-1 of one sharded retrain,
 * each once, and that together they hold every series once; rec[i] gets
 * the record of series i. */
static int check_retrain_parts(const retrain_parts *rp, const fc_retrain_record **rec,
                               fc_err *err)
{
	const fc_retrain_part *a = &rp->part[0];
	for (size_t k = 1; k < rp->n; k++) {
		const fc_retrain_part *b = &rp->part[k];
		const char *what = b->n_shards != a->n_shards ? "number of shards"
		                   : strcmp(b->name, a->name) != 0 ? "model name"
		                   : b->champion_version != a->champion_version ||
		                     strcmp(b->champion, a->champion) != 0 ? "champion (the registry "
		                     "changed between the shards)"
		                   : strcmp(b->fingerprint, a->fingerprint) != 0 ? "data"
		                   : b->options != a->options || b->horizon != a->horizon ||
		                     b->folds != a->folds ? "options"
		                   : b->n_series != a->n_series ? "data" : NULL;
		if (what)
			return fc_err_set(err, FC_EFORMAT, "%s and %s differ in their %s: every shard must "
			                  "run the same retrain on the same data and registry, but for "
			                  "--shard", rp->path[0], rp->path[k], what);
	}
	size_t S = a->n_series;
	int rc = cli_check_shards(rp->n, rp->path, a->n_shards, retrain_shard_of, rp->part, err);
	for (size_t i = 0; i < S; i++)
		rec[i] = NULL;
	for (size_t k = 0; k < rp->n && !rc; k++)
		for (size_t j = 0; j < rp->part[k].n_records && !rc; j++) {
			const fc_retrain_record *r = &rp->part[k].records[j];
			if (rec[r->index])
				rc = fc_err_set(err, FC_EFORMAT, "series %s is in two parts", r->key);
			rec[r->index] = r;
		}
	for (size_t i = 0; i < S && !rc; i++)
		if (!rec[i])
			rc = fc_err_set(err, FC_EFORMAT, "series %zu of the data is in no part", i + 1);
	return rc;
}

int cli_merge_retrain(const char *out, size_t n, const char **path, char **data,
                      const size_t *len, const cli_merge_opts *mo)
{
	fc_err err;
	fc_err_clear(&err);
	retrain_parts rp = {.n = n, .path = path};
	rp.part = calloc(n, sizeof *rp.part);
	int rc = rp.part ? 0 : fc_err_set(&err, FC_ENOMEM, "out of memory");
	for (size_t k = 0; k < n && !rc; k++)
		if ((rc = fc_retrain_part_decode(data[k], len[k], &rp.part[k], &err)))
			fc_err_prefix(&err, "%s: ", path[k]);
	size_t S = rc ? 0 : rp.part[0].n_series;
	if (!rc && !(rp.rec = calloc(S ? S : 1, sizeof *rp.rec)))
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	if (!rc)
		rc = check_retrain_parts(&rp, rp.rec, &err);
	if (rc) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	if (mo->name && strcmp(mo->name, rp.part[0].name) != 0) {
		fprintf(stderr, "forecast: error: merge: --name %s: the parts retrain %s\n", mo->name,
		        rp.part[0].name);
		rc = EXIT_USAGE;
		goto out;
	}
	/* the shards' options, as the first part recorded them */
	cli_opts o;
	if ((rc = cli_parse((int)rp.part[0].argc, rp.part[0].argv,
	                    OPT_REGISTRY | OPT_RETRAIN | OPT_SHARD, "retrain", usage, &o))) {
		rc = rc < 0 ? EXIT_IO : rc;
		goto out;
	}
	if (!o.input || !o.name || strcmp(o.name, rp.part[0].name) != 0) {
		rc = cli_fail(FC_EFORMAT, "merge: the retrain parts' command line is damaged");
		goto out;
	}
	o.shard = o.n_shards = 0;
	o.output = out;
	snprintf(o.cmdline, sizeof o.cmdline, "%s", mo->cmdline); /* the run recorded is the merge */
	if (mo->data)
		o.input = mo->data;
	if (mo->registry) {
		o.registry = mo->registry;
		o.registry_given = 1;
	}
	o.wait = mo->wait;
	o.quiet |= mo->quiet;
	o.threads = mo->threads;
#ifdef _OPENMP
	if (mo->threads)
		omp_set_num_threads(mo->threads);
#endif
	rc = retrain_run(&o, mo->argc, mo->argv, &rp);
out:
	for (size_t k = 0; rp.part && k < n; k++)
		fc_retrain_part_dispose(&rp.part[k]);
	free(rp.part);
	free(rp.rec);
	return rc;
}
