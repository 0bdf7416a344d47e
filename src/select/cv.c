/* Rolling-origin cross-validation over a panel, selection of the best
 * candidate per series, and the final refit; the fold scheme and the
 * fallbacks are described in include/forecast/cv.h.
 *
 * Work is parallel over series.  Each iteration writes only its own result
 * slot; sums over series are taken afterwards in series order, so the
 * output does not depend on the number of threads. */
#include "forecast/cv.h"
#include "forecast/budget.h"
#include "forecast/dist.h"
#include "forecast/ensemble.h"
#include "core/numeric.h"
#include "forecast/stack.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* CPU seconds for the per-candidate times (--timings, the progress bar's
 * shares): a local candidate's work on one series runs on one thread, so
 * that thread's clock; a global model's fits run one at a time between the
 * parallel loops with threads of their own, so the process's clock, plus
 * under MPI the other ranks' seconds in the fits they share
 * (fc_dist_served_seconds).  Wall time would count what other processes
 * on a loaded machine take. */
static double clock_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
	return clock_of(CLOCK_THREAD_CPUTIME_ID);
}

static double now_global(void)
{
	double served = fc_dist_served_seconds(); /* first: it may wait for the ranks */
	return clock_of(CLOCK_PROCESS_CPUTIME_ID) + served;
}

/* Progress shared by the threads of one run (updated in a critical
 * section). */
typedef struct progress {
	const fc_cv_opts *o;
	size_t done, total;
	double *seconds; /* per candidate, so far */
} progress;

/* One unit of work done in stage, dt seconds of it in candidate c. */
static void progress_tick(progress *pr, const char *stage, size_t c, double dt)
{
	#pragma omp critical(fc_cv_progress)
	{
		pr->done++;
		pr->seconds[c] += dt;
		if (pr->o->progress) {
			fc_progress_info info = {stage, pr->done, pr->total, pr->seconds,
			                         pr->o->n_candidates, pr->o->candidates};
			pr->o->progress(pr->o->progress_ctx, &info);
		}
	}
}

/* A view of y[start .. start+len) of series s, exogenous columns included.
 * exog_ptrs must hold s->n_exog pointers. */
static fc_series view_of(const fc_series *s, fc_freq freq, size_t start, size_t len,
                         const double **exog_ptrs)
{
	fc_series v = *s;
	v.start = fc_freq_add(freq, s->start, (int64_t)start);
	v.n = len;
	v.y = s->y + start;
	v.raw = s->raw ? s->raw + start : NULL;
	for (size_t j = 0; j < s->n_exog; j++)
		exog_ptrs[j] = s->exog[j] + start;
	v.exog = s->n_exog ? exog_ptrs : NULL;
	/* the exogenous values after the cut are the data's own; the view may
	 * use them as known future only if the series has future rows for
	 * the final forecast too, so that back-tests try the model that will
	 * be used */
	v.n_future = s->n_future > 0 && start + len < s->n + s->n_future ? s->n + s->n_future - start - len
	                                                                  : 0;
	v.n_missing = 0;
	for (size_t t = 0; t < len; t++)
		v.n_missing += isnan(v.y[t]) != 0;
	return v;
}

static size_t count_observed(const fc_series *s)
{
	size_t k = 0;
	for (size_t t = 0; t < s->n; t++)
		k += !isnan(s->y[t]);
	return k;
}

/* The back-test plan of series s: how many folds (at most o->folds) and
 * the step between their origins (at most `step`), so that the most
 * demanding local candidate that can be back-tested on s at all (its
 * minimum length plus the horizon fits in the series) has every fold:
 * K folds at the full step where the series allows, else K folds at a
 * shorter step, else fewer folds.  *step_out gets the step. */
static size_t series_plan(const fc_series *s, const fc_cv_opts *o, size_t step, size_t *step_out)
{
	size_t h = o->horizon, n = s->n, need = FC_CV_MIN_TRAIN;
	for (size_t c = 0; c < o->n_candidates; c++) {
		if (o->candidates[c]->type->global)
			continue;
		size_t m = fc_model_min_length(o->candidates[c], s);
		if (m > need && m + h <= n)
			need = m;
	}
	if (o->window && o->window < need)
		need = o->window;
	*step_out = step;
	if (n < h + need)
		return 0;
	for (size_t k = o->folds; k > 1; k--) {
		size_t room = (n - h - need) / (k - 1);
		if (room >= 1) {
			*step_out = room < step ? room : step;
			return k;
		}
	}
	return 1;
}

/* Kinds whose intervals come from the back-test errors: those without a
 * stochastic model, and global models. */
static int is_conformal(const fc_model_type *t)
{
	return t->conformal || t->global;
}

/* Primary metric first, then MAE, NaN as +inf; ties go to the lower index. */
static int better(const double *a, const double *b, fc_metric primary)
{
	double ka = isnan(a[primary]) ? INFINITY : a[primary];
	double kb = isnan(b[primary]) ? INFINITY : b[primary];
	if (ka != kb)
		return ka < kb;
	double ma = isnan(a[FC_METRIC_MAE]) ? INFINITY : a[FC_METRIC_MAE];
	double mb = isnan(b[FC_METRIC_MAE]) ? INFINITY : b[FC_METRIC_MAE];
	return ma < mb;
}

static void mean_metrics(const fc_series_result *r, size_t c, double *out)
{
	for (int j = 0; j < FC_METRIC_COUNT; j++) {
		size_t k = c * FC_METRIC_COUNT + (size_t)j;
		out[j] = r->metric_count[k] ? r->metric_sum[k] / (double)r->metric_count[k] : NAN;
	}
}

/* The metrics of forecast f against fold k of series s (origin o,
 * training window from origin - train), MASE scaled on that window. */
static void fold_metrics(const fc_series *s, size_t origin, size_t train, size_t h, size_t period,
                         const double *f, double *m)
{
	/* scored on what happened: imputed values are not actuals */
	const double *y = fc_series_raw(s);
	fc_metric_scale scale = fc_metric_scale_of(y + origin - train, train, period);
	fc_metrics_compute(y + origin, f, h, scale, m);
}

/* The period MASE is scaled with: the frequency's for every series (as M4
 * does), not the periods a series kept after testing, so that series stay
 * comparable. */
static size_t nominal_period(const fc_panel *p, const fc_series *s)
{
	fc_series nominal = *s;
	nominal.n_seasons = p->n_seasons;
	nominal.seasons = p->seasons;
	return fc_series_period(&nominal);
}

/* Scores candidate c on fold k of series s: model is the candidate's
 * local model for this series (warm from its earlier folds; NULL for a
 * global kind, whose fold forecasts are in gfc_c), fc a scratch forecast.
 * A fold the candidate cannot fit or fails on is left unscored. */
static void score_fold(const fc_panel *p, const fc_series *s, const fc_cv_opts *o,
                       fc_series_result *r, size_t c, size_t k, fc_model *model, fc_forecast *fc,
                       const double **exog_ptrs, const double *gfc_c, size_t series_index,
                       size_t period)
{
	size_t h = o->horizon, n = s->n, K = o->folds, folds = r->folds;
	size_t origin = n - h - (folds - 1 - k) * r->step;
	size_t train = o->window && o->window < origin ? o->window : origin;
	double *f = r->fold_fc + (c * K + k) * h, m[FC_METRIC_COUNT];
	if (!model) {
		/* fitted over all series at this distance from the end */
		const double *g = gfc_c + (series_index * K + (folds - 1 - k)) * h;
		for (size_t i = 0; i < h; i++)
			if (isnan(g[i]))
				return;
		memcpy(f, g, h * sizeof *g);
	} else {
		fc_series v = view_of(s, p->freq, origin - train, train, exog_ptrs);
		size_t need = fc_model_min_length(model, &v);
		fc_err ferr;
		/* later folds reuse the earlier fold's choices (an order, a form)
		 * where the kind can: fc_model_type.warm_fit */
		if (need == 0 || need > train || fc_model_fit_warm(model, &v, &ferr) ||
		    fc_model_forecast(model, fc, &ferr))
			return;
		memcpy(f, fc->mean, h * sizeof *f);
	}
	r->fold_ok[c * K + k] = 1;
	fold_metrics(s, origin, train, h, period, f, m);
	for (int j = 0; j < FC_METRIC_COUNT; j++) {
		if (isfinite(m[j])) {
			r->metric_sum[c * FC_METRIC_COUNT + (size_t)j] += m[j];
			r->metric_count[c * FC_METRIC_COUNT + (size_t)j]++;
		}
	}
}

/* Forgets candidate c's folds on a series where it ran out of its work
 * budget. */
static void drop_timed_out(fc_series_result *r, size_t c, size_t K)
{
	r->timed_out[c] = 1;
	memset(r->fold_ok + c * K, 0, K);
	for (int j = 0; j < FC_METRIC_COUNT; j++) {
		r->metric_sum[c * FC_METRIC_COUNT + (size_t)j] = 0;
		r->metric_count[c * FC_METRIC_COUNT + (size_t)j] = 0;
	}
}

/* Scores candidates first .. first+n-1 on the folds of one series that
 * they can fit (a fold whose training window is shorter than the
 * candidate needs, or on which it fails, is not scored), candidate by
 * candidate, and keeps the fold forecasts in r (for the ensemble and for
 * conformal intervals).  gfc[c]: global candidate c's fold forecasts. */
static int backtest(const fc_panel *p, const fc_series *s, const fc_cv_opts *o,
                    fc_series_result *r, size_t first, size_t n, const double **exog_ptrs,
                    const double *const *gfc, size_t series_index, progress *pr)
{
	size_t h = o->horizon, K = o->folds, folds = r->folds; /* the plan, made by fc_cv_begin */
	if (folds == 0) {
		for (size_t c = first; c < first + n; c++)
			if (!o->candidates[c]->type->global)
				progress_tick(pr, "back-testing", c, 0);
		return 0;
	}
	fc_forecast fc;
	int rc = fc_forecast_init(&fc, h, o->levels, o->n_levels, &r->err);
	if (rc)
		return rc;
	size_t period = nominal_period(p, s);
	for (size_t c = first; c < first + n; c++) {
		const fc_model_type *type = o->candidates[c]->type;
		if (type->global && !gfc[c])
			continue;
		fc_model *model = type->global ? NULL : fc_model_clone_unfitted(o->candidates[c], &r->err);
		if (!type->global && !model) {
			fc_forecast_dispose(&fc);
			return r->err.code;
		}
		double t0 = now();
		fc_budget_begin(type->global ? 0 : o->budget);
		for (size_t k = 0; k < folds && !fc_budget_exceeded(); k++)
			score_fold(p, s, o, r, c, k, model, &fc, exog_ptrs, gfc[c], series_index, period);
		fc_model_free(model);
		if (fc_budget_exceeded())
			drop_timed_out(r, c, K);
		fc_budget_end();
		if (!type->global) {
			double dt = now() - t0;
			r->seconds[c] += dt;
			progress_tick(pr, "back-testing", c, dt);
		}
	}
	fc_forecast_dispose(&fc);
	return 0;
}

/* Picks the best candidate of one series on the folds the candidates
 * share: those scored by every candidate that scored the last (longest)
 * fold.  A candidate that cannot be scored on the last fold, or that a
 * search stopped early, is left out of the comparison. */
static void compare(const fc_panel *p, const fc_series *s, const fc_cv_opts *o,
                    const size_t *stopped, fc_series_result *r)
{
	size_t h = o->horizon, n = s->n, K = o->folds, nc = o->n_candidates;
	size_t folds = r->folds, sstep = r->step;
	if (folds == 0)
		return;
	size_t period = nominal_period(p, s);
	double m[FC_METRIC_COUNT];
	unsigned char shared[FC_CV_MAX_FOLDS];
	for (size_t k = 0; k < folds; k++) {
		shared[k] = 1;
		for (size_t c = 0; c < nc; c++)
			if (!stopped[c] && r->fold_ok[c * K + folds - 1] && !r->fold_ok[c * K + k])
				shared[k] = 0;
	}
	double best[FC_METRIC_COUNT], cur[FC_METRIC_COUNT];
	for (size_t c = 0; c < nc; c++) {
		if (stopped[c] || !r->fold_ok[c * K + folds - 1])
			continue;
		r->applicable[c] = 1;
		size_t used = 0;
		for (int j = 0; j < FC_METRIC_COUNT; j++)
			cur[j] = 0;
		for (size_t k = 0; k < folds; k++) {
			if (!shared[k])
				continue;
			size_t origin = n - h - (folds - 1 - k) * sstep;
			size_t train = o->window && o->window < origin ? o->window : origin;
			fold_metrics(s, origin, train, h, period, r->fold_fc + (c * K + k) * h, m);
			for (int j = 0; j < FC_METRIC_COUNT; j++)
				cur[j] += m[j];
			used++;
		}
		for (int j = 0; j < FC_METRIC_COUNT; j++)
			cur[j] /= (double)used;
		if (r->best < 0 || better(cur, best, o->metric)) {
			r->best = (long)c;
			memcpy(best, cur, sizeof best);
		}
	}
	/* the leaderboard counts only the candidates compared, and those
	 * stopped early on the folds they had */
	for (size_t c = 0; c < nc; c++)
		if (!r->applicable[c] && !stopped[c])
			for (int j = 0; j < FC_METRIC_COUNT; j++) {
				r->metric_sum[c * FC_METRIC_COUNT + (size_t)j] = 0;
				r->metric_count[c * FC_METRIC_COUNT + (size_t)j] = 0;
			}
	if (r->best < 0) {
		r->fallback = FC_FALLBACK_NO_CV;
		snprintf(r->note, sizeof r->note, "no candidate could be back-tested on %zu observations", n);
	}
}

/* Candidate c's fold errors on series s (actual - forecast, fold-major,
 * the folds it was scored on) into a new array, for conformal intervals. */
static int fold_errors(const fc_series *s, const fc_cv_opts *o, const fc_series_result *r, size_t c,
                       double **out, size_t *n_folds)
{
	size_t h = o->horizon, K = o->folds, nf = 0;
	double *e = malloc((r->folds ? r->folds : 1) * h * sizeof *e);
	if (!e)
		return FC_ENOMEM;
	for (size_t k = 0; k < r->folds; k++) {
		if (!r->fold_ok[c * K + k])
			continue;
		size_t origin = s->n - h - (r->folds - 1 - k) * r->step;
		for (size_t i = 0; i < h; i++)
			e[nf * h + i] = fc_series_raw(s)[origin + i] - r->fold_fc[(c * K + k) * h + i];
		nf++;
	}
	*out = e;
	*n_folds = nf;
	return 0;
}

static void member_dispose(fc_member *m)
{
	fc_model_free(m->model);
	fc_forecast_dispose(&m->fc);
	free(m->conf_err);
	memset(m, 0, sizeof *m);
}

static void drop_members(fc_series_result *r)
{
	for (size_t k = 0; k < r->n_members; k++)
		member_dispose(&r->members[k]);
	free(r->members);
	r->members = NULL;
	r->n_members = 0;
}

/* Sets the series' members to candidates c[0..n) with weights w (n >= 1). */
static int set_members(fc_series_result *r, const long *c, const double *w, size_t n)
{
	drop_members(r);
	r->members = calloc(n, sizeof *r->members);
	if (!r->members)
		return fc_err_set(&r->err, FC_ENOMEM, "out of memory");
	r->n_members = n;
	for (size_t k = 0; k < n; k++) {
		r->members[k].candidate = c[k];
		r->members[k].weight = w[k];
	}
	return 0;
}

/* no_fold_members' candidates: ets and theta where they fit the series. */
static int no_fold_candidate(const fc_cv_opts *o, size_t k, const fc_series *s)
{
	const char *name = o->candidates[k]->type->name;
	if (o->stopped && o->stopped[k])
		return 0;
	size_t need = fc_model_min_length(o->candidates[k], s);
	return (strcmp(name, "ets") == 0 || strcmp(name, "theta") == 0) && need && need <= s->n;
}

/* Where no fold is possible: the equal-weight combination of the smoothing
 * candidates (ets, theta) that fit the whole series, as the M4 "Comb"
 * benchmark combines exponential smoothing models (Makridakis, Spiliotis
 * & Assimakopoulos 2020); naive only when none does. */
static int no_fold_members(const fc_series *s, const fc_cv_opts *o, fc_series_result *r)
{
	long c[FC_COMBINE_MAX];
	double w[FC_COMBINE_MAX];
	size_t n = 0;
	for (size_t k = 0; k < o->n_candidates && n < FC_COMBINE_MAX; k++)
		if (no_fold_candidate(o, k, s)) /* not stopped early by a search */
			c[n++] = (long)k;
	for (size_t k = 0; k < n; k++)
		w[k] = 1.0 / (double)n;
	if (n == 0) {
		c[0] = -1;
		w[0] = 1;
		n = 1;
	}
	snprintf(r->note, sizeof r->note, "%zu observations are too few to back-test a horizon of %zu; "
	         "%s", s->n, o->horizon, n > 1 ? "combined ets and theta" : c[0] < 0 ? "fitted naive" :
	         o->candidates[c[0]]->type->name);
	return set_members(r, c, w, n);
}

/* The members of series i from the ensemble weights w (NULL: its best
 * single candidate), among the candidates it was compared on. */
static int choose_members(const fc_series *s, const fc_cv_opts *o, fc_series_result *r,
                          const double *w)
{
	if (r->best < 0)
		return no_fold_members(s, o, r);
	size_t nc = o->n_candidates, n = 0;
	long *c = malloc(nc * sizeof *c);
	double *wt = malloc(nc * sizeof *wt), sum = 0;
	if (!c || !wt) {
		free(c);
		free(wt);
		return fc_err_set(&r->err, FC_ENOMEM, "out of memory");
	}
	for (size_t k = 0; w && k < nc; k++)
		if (w[k] > 0 && r->applicable[k]) {
			c[n] = (long)k;
			wt[n++] = w[k];
			sum += w[k];
		}
	if (n == 0) {
		c[n] = r->best;
		wt[n++] = 1;
		sum = 1;
	}
	for (size_t k = 0; k < n; k++)
		wt[k] /= sum;
	int rc = set_members(r, c, wt, n);
	free(c);
	free(wt);
	return rc;
}

/* Fits member m (a local kind, or naive) on the whole series and
 * forecasts, within the work budget. */
void fc_prefit_dispose(fc_prefit *pf)
{
	free(pf->msg);
	free(pf->saved);
	fc_forecast_dispose(&pf->fc);
	memset(pf, 0, sizeof *pf);
}

/* Member m from its prefit: the model loaded from its saved text, and its
 * forecast (both taken from pf), as refit_member would have made them.
 * Its seconds are the series' already: fc_part_load counts every prefit's,
 * used or not, as the shard spent them. */
static int use_prefit(const fc_cv_opts *o, fc_series_result *r, fc_member *m, fc_prefit *pf)
{
	long c = m->candidate;
	r->timed_out[c] |= pf->timed_out;
	if (pf->status)
		return fc_err_set(&r->err, pf->status, "%s", pf->msg ? pf->msg : "");
	char *state = pf->saved ? strstr(pf->saved, "\nstate") : NULL;
	if (!state || strncmp(pf->saved, "params", 6) != 0)
		return fc_err_set(&r->err, FC_EFORMAT, "a shard's fit of '%s' is damaged",
		                  o->candidates[c]->type->name);
	*state = 0; /* two lines: "params ...", "state ..." */
	char *end = strchr(state + 1, '\n');
	if (end)
		*end = 0;
	const char *params = pf->saved + 6 + (pf->saved[6] == ' ');
	const char *st = state + 6 + (state[6] == ' ');
	m->model = fc_model_load(o->candidates[c]->type, params, st, &r->err);
	if (!m->model)
		return r->err.code ? r->err.code : FC_EFORMAT;
	m->fc = pf->fc;
	memset(&pf->fc, 0, sizeof pf->fc);
	if (m->model->type->conformal)
		fc_conformal_bounds(&m->fc, m->conf_err, m->conf_folds, o->horizon);
	return 0;
}

/* Fits candidate c (-1: naive) on the whole series and forecasts, within
 * the work budget: the model into *out and its forecast (without
 * conformal bounds) into fc. */
static int fit_whole(const fc_series *s, const fc_cv_opts *o, fc_series_result *r, long c,
                     fc_model **out, fc_forecast *fc)
{
	fc_model *model = c >= 0 ? fc_model_clone_unfitted(o->candidates[c], &r->err)
	                         : fc_model_alloc(fc_model_naive, &r->err);
	if (!model)
		return r->err.code;
	double t0 = now();
	fc_budget_begin(c >= 0 ? o->budget : 0);
	int rc = fc_model_fit(model, s, &r->err);
	if (fc_budget_exceeded() && c >= 0)
		r->timed_out[c] = 1;
	fc_budget_end();
	if (!rc)
		rc = fc_forecast_init(fc, o->horizon, o->levels, o->n_levels, &r->err);
	if (!rc)
		rc = fc_model_forecast(model, fc, &r->err);
	if (c >= 0)
		r->seconds[c] += now() - t0;
	if (rc) {
		fc_model_free(model);
		fc_forecast_dispose(fc);
		return rc;
	}
	*out = model;
	return 0;
}

static int refit_member(const fc_series *s, const fc_cv_opts *o, fc_series_result *r, fc_member *m)
{
	long c = m->candidate;
	if (c >= 0 && r->prefit && r->prefit[c].have)
		return use_prefit(o, r, m, &r->prefit[c]);
	int rc = fit_whole(s, o, r, c, &m->model, &m->fc);
	if (!rc && m->model->type->conformal)
		fc_conformal_bounds(&m->fc, m->conf_err, m->conf_folds, o->horizon);
	return rc;
}

/* Candidate c's prefit on series s: fit_whole's result, with the time and
 * the budget it took kept in the prefit rather than in the series'
 * back-test record. */
static int prefit_one(const fc_series *s, const fc_cv_opts *o, fc_series_result *r, size_t c)
{
	fc_prefit *pf = &r->prefit[c];
	double sec0 = r->seconds[c];
	unsigned char to0 = r->timed_out[c];
	r->timed_out[c] = 0;
	fc_model *model = NULL;
	pf->have = 1;
	pf->status = fit_whole(s, o, r, (long)c, &model, &pf->fc);
	pf->seconds = r->seconds[c] - sec0;
	pf->timed_out = r->timed_out[c];
	r->seconds[c] = sec0;
	r->timed_out[c] = to0;
	if (pf->status == FC_ENOMEM)
		return FC_ENOMEM;
	if (pf->status) {
		pf->msg = strdup(r->err.msg);
		fc_err_clear(&r->err);
		return pf->msg ? 0 : FC_ENOMEM;
	}
	fc_buf b;
	fc_buf_init(&b);
	int rc = fc_model_save(model, &b, &r->err);
	fc_model_free(model);
	if (!rc) {
		pf->saved = b.data; /* the buffer's text, now the prefit's */
		b.data = NULL;
	} else {
		/* a kind that cannot save its fit is refitted by the selection */
		fc_prefit_dispose(pf);
		fc_err_clear(&r->err);
		rc = rc == FC_ENOMEM ? rc : 0;
	}
	fc_buf_dispose(&b);
	return rc;
}

int fc_cv_prefit(const fc_panel *p, const fc_cv_opts *o, fc_run *run, fc_err *err)
{
	size_t S = p->n_series, nc = o->n_candidates, K = o->folds;
	int failed = 0;
	#pragma omp parallel for schedule(dynamic, 1) reduction(|:failed)
	for (size_t i = 0; i < S; i++) {
		fc_series_result *r = &run->res[i];
		const fc_series *s = &p->series[i];
		if ((o->series_mask && !o->series_mask[i]) || r->status ||
		    r->fallback == FC_FALLBACK_SKIPPED || r->prefit)
			continue;
		if (!(r->prefit = calloc(run->capacity, sizeof *r->prefit))) {
			failed = 1;
			continue;
		}
		for (size_t c = 0; c < nc && !failed; c++) {
			if (o->candidates[c]->type->global || (o->stopped && o->stopped[c]))
				continue;
			int may = r->folds ? r->fold_ok[c * K + r->folds - 1] : no_fold_candidate(o, c, s);
			if (may && prefit_one(s, o, r, c))
				failed = 1;
		}
	}
	return failed ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

/* Refits the series' local members.  A member that fails (or runs out of
 * its budget) is dropped and the others reweighted; when every member
 * fails, the best candidate of the back-test not tried yet takes their
 * place, and so on down to naive: a series gets a forecast whenever some
 * model can give one. */
static int refit_members(const fc_series *s, const fc_cv_opts *o, fc_series_result *r)
{
	fc_err first;
	fc_err_clear(&first);
	long failed = -2; /* the first member that failed (-1 naive), -2 none */
	for (;;) {
		size_t kept = 0;
		double wsum = 0;
		int naive_tried = 0;
		for (size_t k = 0; k < r->n_members; k++) {
			fc_member m = r->members[k];
			long c = m.candidate;
			naive_tried |= c < 0;
			if (c >= 0 && is_conformal(o->candidates[c]->type) &&
			    fold_errors(s, o, r, (size_t)c, &m.conf_err, &m.conf_folds))
				return fc_err_set(&r->err, FC_ENOMEM, "out of memory");
			int rc = 0;
			if (c >= 0 && o->candidates[c]->type->global) {
				/* forecast with every series of its kind afterwards */
				if (!(m.model = fc_model_clone_unfitted(o->candidates[c], &r->err)))
					rc = r->err.code;
			} else {
				rc = refit_member(s, o, r, &m);
			}
			if (rc == FC_ENOMEM) {
				member_dispose(&m);
				return rc;
			}
			if (rc) {
				if (failed == -2) {
					first = r->err;
					failed = c;
				}
				member_dispose(&m);
				continue;
			}
			r->members[kept++] = m;
			wsum += m.weight;
		}
		r->n_members = kept;
		if (kept) {
			for (size_t k = 0; k < kept; k++)
				r->members[k].weight /= wsum;
			if (failed != -2) {
				r->fallback = r->fallback ? r->fallback : FC_FALLBACK_REFIT;
				snprintf(r->note, sizeof r->note, "%s could not be refitted on the whole series "
				         "(%.100s); forecast by %s", failed >= 0 ? o->candidates[failed]->type->name
				                                            : "naive", first.msg,
				         kept > 1 ? "the other members" : r->members[0].candidate >= 0
				                ? o->candidates[r->members[0].candidate]->type->name : "naive");
			}
			fc_err_clear(&r->err);
			return 0;
		}
		if (naive_tried)
			break;
		/* every member failed: the best candidate not tried yet, else naive */
		long next = -1;
		double best[FC_METRIC_COUNT], cur[FC_METRIC_COUNT];
		for (size_t c = 0; c < o->n_candidates; c++) {
			if (!r->applicable[c] || o->candidates[c]->type->global)
				continue;
			mean_metrics(r, c, cur);
			if (next < 0 || better(cur, best, o->metric)) {
				next = (long)c;
				memcpy(best, cur, sizeof best);
			}
		}
		if (next >= 0)
			r->applicable[next] = 0; /* tried once */
		double one = 1;
		if (set_members(r, &next, &one, 1))
			return r->err.code;
	}
	r->err = first;
	return first.code ? first.code : FC_EMODEL;
}

/* r->fc: the members' forecasts combined. */
static int combine(const fc_cv_opts *o, fc_series_result *r)
{
	int rc = fc_forecast_init(&r->fc, o->horizon, o->levels, o->n_levels, &r->err);
	if (rc)
		return rc;
	const fc_forecast *f[FC_COMBINE_MAX];
	double w[FC_COMBINE_MAX];
	size_t n = r->n_members < FC_COMBINE_MAX ? r->n_members : FC_COMBINE_MAX;
	for (size_t k = 0; k < n; k++) {
		f[k] = &r->members[k].fc;
		w[k] = r->members[k].weight;
	}
	fc_forecast_combine(f, w, n, r->median, &r->fc);
	return 0;
}

static void run_series(const fc_panel *p, const fc_cv_opts *o, size_t i, fc_series_result *r,
                       size_t first, size_t n, const double *const *gfc, progress *pr)
{
	const fc_series *s = &p->series[i];
	if (r->status || r->fallback == FC_FALLBACK_SKIPPED)
		return;
	const double **exog_ptrs = s->n_exog ? malloc(s->n_exog * sizeof *exog_ptrs) : NULL;
	if (s->n_exog && !exog_ptrs) {
		r->status = fc_err_set(&r->err, FC_ENOMEM, "out of memory");
		return;
	}
	r->status = backtest(p, s, o, r, first, n, exog_ptrs, gfc, i, pr);
	free(exog_ptrs);
}

static int check_opts(const fc_cv_opts *o, fc_err *err)
{
	if (o->horizon < 1)
		return fc_err_set(err, FC_EINVAL, "the horizon must be at least 1");
	if (o->folds < 1)
		return fc_err_set(err, FC_EINVAL, "the number of folds must be at least 1");
	if (o->n_candidates < 1)
		return fc_err_set(err, FC_EINVAL, "no candidate models");
	if ((unsigned)o->metric >= FC_METRIC_COUNT)
		return fc_err_set(err, FC_EINVAL, "unknown metric");
	return 0;
}

void fc_run_free(fc_run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_series; i++) {
		fc_series_result *s = &r->res[i];
		free(s->metric_sum);
		free(s->metric_count);
		free(s->applicable);
		free(s->timed_out);
		free(s->seconds);
		free(s->fold_fc);
		free(s->fold_ok);
		drop_members(s);
		fc_forecast_dispose(&s->fc);
		free(s->ens_err);
		for (size_t c = 0; s->prefit && c < r->capacity; c++)
			fc_prefit_dispose(&s->prefit[c]);
		free(s->prefit);
	}
	if (r->global_state)
		for (size_t c = 0; c < r->n_candidates; c++)
			if (r->global_state[c])
				r->global_types[c]->global->free(r->global_state[c]);
	free(r->global_state);
	free(r->global_types);
	free(r->global_seconds);
	free(r->stopped_at);
	free(r->ensemble_weights);
	free(r->res);
	free(r);
}

static const char *key_or_series(const fc_series *s)
{
	return s->key[0] ? s->key : "(the only series)";
}

/* Back-test forecasts of global candidate c for every series and fold:
 * gfc[(i * K + j) * h + k], j the fold's distance from the last (0 = the
 * last fold), NaN where series i has no such fold or the fit failed.  One
 * fit per j over every series cut at its origin, from the earliest fold;
 * with refit_every > 1 a fit is reused by the next folds, which have seen
 * more data, never fewer. */
/* A global candidate's back-test in progress: its fold forecasts (as
 * global_backtest gives them), its latest fit and the fold it was made
 * on, and scratch space. */
typedef struct global_bt {
	double *gfc, *mean;
	size_t *cut;
	void *state;
	size_t fitted_at;
} global_bt;

static int global_bt_init(global_bt *gb, size_t ns, size_t K, size_t h, fc_err *err)
{
	memset(gb, 0, sizeof *gb);
	gb->gfc = malloc((ns ? ns : 1) * K * h * sizeof *gb->gfc);
	gb->mean = malloc((ns ? ns : 1) * h * sizeof *gb->mean);
	gb->cut = malloc((ns ? ns : 1) * sizeof *gb->cut);
	if (!gb->gfc || !gb->mean || !gb->cut) {
		free(gb->gfc);
		free(gb->mean);
		free(gb->cut);
		memset(gb, 0, sizeof *gb);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < ns * K * h; i++)
		gb->gfc[i] = NAN;
	return 0;
}

static void global_bt_dispose(global_bt *gb, const fc_global_ops *g)
{
	if (gb->state)
		g->free(gb->state);
	free(gb->gfc);
	free(gb->mean);
	free(gb->cut);
	memset(gb, 0, sizeof *gb);
}

/* The fold at distance jj from the last, its cuts in gb->cut (0: the
 * series is not in the fit): one fit (or the reuse of an earlier one,
 * with every > 1) over every series cut at its origin, and its forecasts
 * into gb->gfc.  A fit or forecast that fails leaves the fold unscored;
 * FC_ENOMEM, or FC_EINVAL for parameters that do not fit the data, stop
 * the run. */
static int global_bt_fold(const fc_panel *p, const fc_model *cand, size_t K, size_t h,
                          size_t every, size_t jj, global_bt *gb, fc_err *err)
{
	const fc_global_ops *g = cand->type->global;
	size_t ns = p->n_series, any = 0;
	for (size_t i = 0; i < ns; i++)
		any += gb->cut[i] > 0;
	if (!any)
		return 0;
	if (!gb->state || (gb->fitted_at - jj) % every == 0) {
		void *fresh = NULL;
		fc_err ferr;
		int frc = g->fit(&fresh, cand->params, p, gb->cut, h, &ferr);
		if (frc == FC_ENOMEM || frc == FC_EINVAL) {
			/* out of memory, or parameters that do not fit the data
			 * (a column that is not there): stop, naming the cause */
			return frc == FC_ENOMEM
				? fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", cand->type->name)
				: fc_err_set(err, FC_EINVAL, "%s", ferr.msg);
		}
		if (frc)
			return 0; /* this fold is not scored for this candidate */
		if (gb->state)
			g->free(gb->state);
		gb->state = fresh;
		gb->fitted_at = jj;
	}
	fc_err ferr;
	int frc = g->forecast(gb->state, cand->params, p, gb->cut, h, gb->mean, &ferr);
	if (frc == FC_ENOMEM)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", cand->type->name);
	if (frc)
		return 0;
	for (size_t i = 0; i < ns; i++)
		if (gb->cut[i])
			memcpy(gb->gfc + (i * K + jj) * h, gb->mean + i * h, h * sizeof *gb->mean);
	return 0;
}

/* global_bt_fold with the cuts of the run's fold plan. */
static int global_bt_step(const fc_panel *p, const fc_cv_opts *o, const fc_run *run, size_t c,
                          size_t jj, global_bt *gb, progress *pr, fc_err *err)
{
	const fc_model *cand = o->candidates[c];
	size_t h = o->horizon;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		gb->cut[i] = r->folds > jj ? p->series[i].n - h - jj * r->step : 0;
	}
	double t0 = now_global();
	int rc = global_bt_fold(p, cand, o->folds, h, o->refit_every > 1 ? o->refit_every : 1, jj,
	                        gb, err);
	if (!rc)
		progress_tick(pr, cand->type->name, c, now_global() - t0);
	return rc;
}

int fc_cv_global_folds(const fc_panel *p, const fc_model *model, size_t folds, size_t h,
                       size_t refit_every, const size_t *cut, double **out, fc_err *err)
{
	if (!model || !model->type->global || !folds || !h)
		return fc_err_set(err, FC_EINVAL, "fc_cv_global_folds: a global kind, folds and h");
	size_t ns = p->n_series;
	global_bt gb;
	int rc = global_bt_init(&gb, ns, folds, h, err);
	for (size_t jj = folds; jj-- > 0 && !rc;) {
		memcpy(gb.cut, cut + jj * ns, ns * sizeof *cut);
		rc = global_bt_fold(p, model, folds, h, refit_every > 1 ? refit_every : 1, jj, &gb, err);
	}
	if (!rc) {
		*out = gb.gfc;
		gb.gfc = NULL;
	}
	global_bt_dispose(&gb, model->type->global);
	return rc;
}

static int global_backtest(const fc_panel *p, const fc_cv_opts *o, const fc_run *run, size_t c,
                           double **out, progress *pr, fc_err *err)
{
	global_bt gb;
	int rc = global_bt_init(&gb, p->n_series, o->folds, o->horizon, err);
	for (size_t jj = o->folds; jj-- > 0 && !rc;)
		rc = global_bt_step(p, o, run, c, jj, &gb, pr, err);
	if (!rc) {
		*out = gb.gfc;
		gb.gfc = NULL;
	}
	global_bt_dispose(&gb, o->candidates[c]->type->global);
	return rc;
}

/* Refits global candidate c on all the data and forecasts the series that
 * have it as a member.  When the fit fails, the member is dropped from
 * those series (the others reweighted); FC_ENOMEM stops the run. */
static int global_refit(const fc_panel *p, const fc_cv_opts *o, size_t c, fc_run *run)
{
	const fc_model *cand = o->candidates[c];
	const fc_global_ops *g = cand->type->global;
	size_t ns = p->n_series, h = o->horizon;
	size_t *cut = malloc(ns * sizeof *cut);
	double *mean = malloc(ns * h * sizeof *mean);
	void *state = NULL;
	fc_err ferr;
	int rc = cut && mean ? 0 : fc_err_set(&ferr, FC_ENOMEM, "out of memory");
	for (size_t i = 0; i < ns && !rc; i++)
		cut[i] = count_observed(&p->series[i]) ? p->series[i].n : 0;
	if (!rc)
		rc = g->fit(&state, cand->params, p, cut, h, &ferr);
	if (!rc)
		rc = g->forecast(state, cand->params, p, cut, h, mean, &ferr);
	for (size_t i = 0; i < ns && rc != FC_ENOMEM; i++) {
		fc_series_result *r = &run->res[i];
		for (size_t k = 0; !r->status && k < r->n_members; k++) {
			fc_member *m = &r->members[k];
			if (m->candidate != (long)c)
				continue;
			int mrc = rc ? rc : fc_forecast_init(&m->fc, h, o->levels, o->n_levels, &r->err);
			if (mrc == FC_ENOMEM) {
				r->status = mrc;
				break;
			}
			if (mrc) {
				/* the fit failed: the series goes on without it */
				member_dispose(m);
				memmove(m, m + 1, (r->n_members - k - 1) * sizeof *m);
				r->n_members--;
				double wsum = 0;
				for (size_t j = 0; j < r->n_members; j++)
					wsum += r->members[j].weight;
				for (size_t j = 0; j < r->n_members; j++)
					r->members[j].weight /= wsum;
				if (!r->n_members) {
					r->status = rc;
					r->err = ferr;
				}
				break;
			}
			memcpy(m->fc.mean, mean + i * h, h * sizeof *mean);
			fc_conformal_bounds(&m->fc, m->conf_err, m->conf_folds, h);
		}
	}
	free(cut);
	free(mean);
	if (rc) {
		if (state)
			g->free(state);
		return rc == FC_ENOMEM ? rc : 0;
	}
	run->global_state[c] = state;
	return 0;
}

/* Caruana's weights per series with folds, each on its own folds
 * (ws[i * nc + c]; the others' are left as they are), counted in
 * run->own_weights. */
static int series_weights(const fc_ens_series *es, size_t S, size_t nc, size_t h, fc_metric metric,
                          size_t rounds, double *ws, fc_run *run, fc_err *err)
{
	int failed = 0;
	#pragma omp parallel for schedule(dynamic, 16) reduction(|:failed)
	for (size_t i = 0; i < S; i++)
		if (es[i].n_folds)
			failed |= fc_ensemble_caruana(&es[i], 1, nc, h, metric, rounds, ws + i * nc, NULL,
			                              NULL, NULL) != 0;
	for (size_t i = 0; i < S; i++)
		run->own_weights += es[i].n_folds > 0;
	return failed ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

/* One set of Caruana's weights for the panel, on every series' folds, from
 * the candidates that apply to at least half of the series with folds: a
 * series where none of the members applies takes its best single
 * candidate, whose in-sample loss would otherwise make a rarely applicable
 * candidate look good. */
static int panel_weights(const fc_ens_series *es, size_t S, size_t nc, size_t h, fc_metric metric,
                         size_t rounds, double *w, double *loss, double *single, fc_err *err)
{
	size_t with_folds = 0, *applies = calloc(nc, sizeof *applies);
	unsigned char *ok = malloc((S ? S : 1) * nc);
	fc_ens_series *e = malloc((S ? S : 1) * sizeof *e);
	int rc = 0;
	if (!applies || !ok || !e) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < S; i++) {
		with_folds += es[i].n_folds > 0;
		for (size_t c = 0; c < nc; c++)
			applies[c] += es[i].n_folds > 0 && es[i].ok[c];
	}
	for (size_t i = 0; i < S; i++) {
		e[i] = es[i];
		for (size_t c = 0; c < nc; c++)
			ok[i * nc + c] = es[i].ok[c] && 2 * applies[c] >= with_folds;
		e[i].ok = ok + i * nc;
	}
	rc = fc_ensemble_caruana(e, S, nc, h, metric, rounds, w, loss, single, err);
out:
	free(applies);
	free(ok);
	free(e);
	return rc;
}

/* BLEND's shares of a series' own weights (the rest is the panel's). */
static const double blend_shares[] = {0, 0.25, 0.5, 0.75, 1};
#define N_BLEND_SHARES (sizeof blend_shares / sizeof blend_shares[0])
#define BLEND_HALF 2 /* blend_shares[BLEND_HALF] = 0.5 */

/* BLEND: how far a series' own weights should count against the panel's,
 * chosen by leave-one-fold-out on the back-test.  For each fold k, the
 * panel's and every series' own weights are selected on the other folds
 * that do not overlap it, and each share's blend is scored on fold k (the
 * selection metric); *share gets the share chosen below, NaN when too
 * few series have a fold to hold out and another to select on.  Own weights
 * from a few points overfit them; one set fits no series of a diverse
 * panel: which costs more depends on the panel, so the panel decides. */
static int choose_blend_share(const fc_ens_series *es, const fc_series_result *res, size_t S,
                              size_t nc, size_t h, fc_metric metric, size_t rounds, size_t K,
                              double *share, fc_err *err)
{
	*share = NAN;
	if (K < 2 || S == 0)
		return 0;
	fc_ens_series *tr = malloc(S * sizeof *tr);
	double *y = malloc(S * K * h * sizeof *y), *wo = malloc(S * nc * sizeof *wo);
	double *wp = malloc(nc * sizeof *wp), *g = malloc(h * sizeof *g), *w = malloc(nc * sizeof *w);
	fc_metric_scale *sc = malloc(S * K * sizeof *sc);
	size_t *fold = malloc(S * K * sizeof *fold), *held = malloc(S * sizeof *held);
	double *per = calloc(S * N_BLEND_SHARES, sizeof *per); /* per series: held-out losses */
	unsigned char *has = calloc(S, 1);
	int rc = 0;
	if (!tr || !y || !wo || !wp || !g || !w || !sc || !fold || !held || !per || !has) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < K && !rc; k++) {
		/* the training folds: every fold of the series whose scored
		 * steps do not overlap fold k's (origins a step apart share
		 * h - step actuals when the step is shorter than the horizon) */
		for (size_t i = 0; i < S; i++) {
			tr[i] = es[i];
			tr[i].y = y + i * K * h;
			tr[i].scale = sc + i * K;
			tr[i].fold = fold + i * K;
			tr[i].n_folds = 0;
			held[i] = SIZE_MAX;
			for (size_t j = 0; j < es[i].n_folds; j++) {
				if (es[i].fold[j] == k) {
					held[i] = j;
					continue;
				}
				size_t apart = es[i].fold[j] > k ? es[i].fold[j] - k : k - es[i].fold[j];
				if (apart * res[i].step < h)
					continue;
				size_t n = tr[i].n_folds++;
				memcpy(y + (i * K + n) * h, es[i].y + j * h, h * sizeof *y);
				sc[i * K + n] = es[i].scale[j];
				fold[i * K + n] = es[i].fold[j];
			}
			if (held[i] == SIZE_MAX)
				tr[i].n_folds = 0; /* nothing to score it on: out of the choice */
		}
		if ((rc = panel_weights(tr, S, nc, h, metric, rounds, wp, NULL, NULL, err)))
			break;
		int failed = 0;
		#pragma omp parallel for schedule(dynamic, 16) reduction(|:failed)
		for (size_t i = 0; i < S; i++) {
			for (size_t c = 0; c < nc; c++)
				wo[i * nc + c] = 0;
			if (tr[i].n_folds)
				failed |= fc_ensemble_caruana(&tr[i], 1, nc, h, metric, rounds, wo + i * nc,
				                              NULL, NULL, NULL) != 0;
		}
		if (failed) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			break;
		}
		/* each share's blend on the held-out fold, as choose_members
		 * would combine it: the applicable members, renormalized */
		for (size_t i = 0; i < S; i++) {
			double own = 0, loss[N_BLEND_SHARES], m[FC_METRIC_COUNT];
			for (size_t c = 0; tr[i].n_folds && c < nc; c++)
				own += wo[i * nc + c];
			if (!(own > 0))
				continue;
			int finite = 1;
			for (size_t a = 0; a < N_BLEND_SHARES && finite; a++) {
				double sum = 0;
				for (size_t c = 0; c < nc; c++) {
					w[c] = es[i].ok[c] ? blend_shares[a] * wo[i * nc + c] / own +
					                     (1 - blend_shares[a]) * wp[c] : 0;
					sum += w[c];
				}
				for (size_t t = 0; t < h; t++)
					g[t] = 0;
				for (size_t c = 0; sum > 0 && c < nc; c++) {
					const double *f = es[i].f + (c * es[i].stride + k) * h;
					for (size_t t = 0; w[c] > 0 && t < h; t++)
						g[t] += w[c] / sum * f[t];
				}
				fc_metrics_compute(es[i].y + held[i] * h, g, h, es[i].scale[held[i]], m);
				loss[a] = m[metric];
				finite = sum > 0 && isfinite(loss[a]);
			}
			if (!finite)
				continue;
			for (size_t a = 0; a < N_BLEND_SHARES; a++)
				per[i * N_BLEND_SHARES + a] += loss[a];
			has[i] = 1;
		}
	}
	/* Half, the share before any evidence, unless another share's
	 * held-out loss is lower by more than twice its standard error
	 * (paired over the series): five shares scored on a few folds
	 * would otherwise chase their noise. */
	size_t best = BLEND_HALF, n = 0, with_folds = 0;
	double best_mean = 0;
	for (size_t i = 0; i < S; i++) {
		n += has[i];
		with_folds += es[i].n_folds > 0;
	}
	/* and only when the series scored are most of the panel: where the
	 * step between origins is shorter than the horizon, the folds
	 * overlap and only the series with a longer step can be scored, no
	 * fair sample of the rest */
	if (2 * n < with_folds)
		n = 0;
	for (size_t a = 0; !rc && n >= 2 && a < N_BLEND_SHARES; a++) {
		double mean = 0, ss = 0;
		for (size_t i = 0; i < S; i++)
			if (has[i])
				mean += per[i * N_BLEND_SHARES + a] - per[i * N_BLEND_SHARES + BLEND_HALF];
		mean /= (double)n;
		for (size_t i = 0; i < S; i++)
			if (has[i]) {
				double d = per[i * N_BLEND_SHARES + a] - per[i * N_BLEND_SHARES + BLEND_HALF] - mean;
				ss += d * d;
			}
		double se = sqrt(ss / (double)(n - 1) / (double)n);
		if (mean < best_mean && mean < -2 * se) {
			best = a;
			best_mean = mean;
		}
	}
	if (!rc && n)
		*share = blend_shares[best];
out:
	free(tr);
	free(y);
	free(wo);
	free(wp);
	free(g);
	free(w);
	free(sc);
	free(fold);
	free(held);
	free(per);
	free(has);
	return rc;
}

/* The ensemble's weights per series (ws[i * nc + c]; one set for the
 * whole panel, or one per series) from the series' fold forecasts on the
 * folds they share. */
static int ensemble_weights(const fc_panel *p, const fc_cv_opts *o, fc_run *run, double *ws,
                            fc_err *err)
{
	size_t S = p->n_series, nc = o->n_candidates, h = o->horizon, K = o->folds;
	fc_ens_series *es = calloc(S ? S : 1, sizeof *es);
	double *y = malloc((S ? S : 1) * K * h * sizeof *y);
	fc_metric_scale *sc = malloc((S ? S : 1) * K * sizeof *sc);
	size_t *fold = malloc((S ? S : 1) * K * sizeof *fold);
	int rc = 0;
	if (!es || !y || !sc || !fold) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < S; i++) {
		const fc_series *s = &p->series[i];
		const fc_series_result *r = &run->res[i];
		fc_ens_series *e = &es[i];
		e->y = y + i * K * h;
		e->scale = sc + i * K;
		e->fold = fold + i * K;
		e->f = r->fold_fc;
		e->stride = K;
		e->ok = r->applicable;
		if (r->best < 0 || r->status)
			continue;
		fc_series nominal = *s;
		nominal.n_seasons = p->n_seasons;
		nominal.seasons = p->seasons;
		size_t period = fc_series_period(&nominal);
		const double *raw = fc_series_raw(s);
		for (size_t k = 0; k < r->folds; k++) {
			/* the folds every compared candidate has */
			int shared = 1;
			for (size_t c = 0; c < nc; c++)
				if (r->applicable[c] && !r->fold_ok[c * K + k])
					shared = 0;
			if (!shared)
				continue;
			size_t origin = s->n - h - (r->folds - 1 - k) * r->step;
			size_t train = o->window && o->window < origin ? o->window : origin;
			size_t j = e->n_folds++;
			fold[i * K + j] = k;
			memcpy(y + (i * K + j) * h, raw + origin, h * sizeof *y);
			sc[i * K + j] = fc_metric_scale_of(raw + origin - train, train, period);
		}
	}
	size_t rounds = o->ensemble_rounds ? o->ensemble_rounds : FC_ENSEMBLE_ROUNDS;
	for (size_t i = 0; i < S * nc; i++)
		ws[i] = 0; /* no weights: the series' best candidate */
	if (o->ensemble_by != FC_ENSEMBLE_BY_SERIES) {
		if (!(run->ensemble_weights = malloc(nc * sizeof *run->ensemble_weights)))
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		if (!rc)
			rc = panel_weights(es, S, nc, h, o->metric, rounds, run->ensemble_weights,
			                   &run->ensemble_loss, &run->single_loss, err);
		for (size_t i = 0; !rc && i < S; i++)
			memcpy(ws + i * nc, run->ensemble_weights, nc * sizeof *ws);
	}
	if (!rc && o->ensemble_by != FC_ENSEMBLE_BY_PANEL) {
		double *own = o->ensemble_by == FC_ENSEMBLE_BY_BLEND ? malloc((S ? S : 1) * nc * sizeof *own)
		                                                     : ws;
		if (!own)
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		double a = NAN;
		if (!rc && own != ws)
			rc = choose_blend_share(es, run->res, S, nc, h, o->metric, rounds, K, &a, err);
		run->blend_share = a;
		if (isnan(a))
			a = 0.5; /* no evidence: halfway */
		if (!rc)
			rc = series_weights(es, S, nc, h, o->metric, rounds, own, run, err);
		/* BLEND: each series' own weights shrunk to the panel's by the
		 * share chosen above.
		 * A series on whose folds the metric is undefined (MASE of a
		 * series that seasonal naive fits exactly) got no own weights
		 * and had no say in the panel's: it keeps its best candidate
		 * (by MAE), as it would by SERIES. */
		for (size_t i = 0; !rc && own != ws && i < S; i++) {
			double sum = 0;
			for (size_t c = 0; es[i].n_folds && c < nc; c++)
				sum += own[i * nc + c];
			for (size_t c = 0; es[i].n_folds && c < nc; c++)
				ws[i * nc + c] = sum > 0 ? a * own[i * nc + c] / sum + (1 - a) * ws[i * nc + c] : 0;
		}
		if (own != ws)
			free(own);
	}
out:
	free(es);
	free(y);
	free(sc);
	free(fold);
	return rc;
}

/* The folds of series i that every candidate it was compared on (or, with
 * cand, every candidate with cand[c] set) has: their indices into fold[],
 * and their count. */
static size_t shared_folds(const fc_series_result *r, size_t nc, size_t K,
                           const unsigned char *cand, size_t *fold)
{
	size_t n = 0;
	for (size_t k = 0; k < r->folds; k++) {
		int shared = 1;
		for (size_t c = 0; c < nc; c++)
			if ((cand ? cand[c] : r->applicable[c]) && !r->fold_ok[c * K + k])
				shared = 0;
		if (shared)
			fold[n++] = k;
	}
	return n;
}

/* The stacked weights (include/forecast/stack.h), one set for the panel,
 * into ws[i * nc + c] for every series (all 0 when stacking made no
 * choice: each series' best candidate).  Rows: per series whose compared
 * candidates include every stacked one, per fold they share and step with
 * an actual, the actual and the stacked candidates' forecasts divided by
 * the series' MASE scale of that fold; label: the fold's distance from the
 * series' end. */
static int stack_weights(const fc_panel *p, const fc_cv_opts *o, fc_run *run, double *ws,
                         fc_err *err)
{
	size_t S = p->n_series, nc = o->n_candidates, h = o->horizon, K = o->folds;
	size_t with_folds = 0, cells = 0, *applies = calloc(nc, sizeof *applies);
	unsigned char *in = calloc(nc, 1);
	size_t *col = malloc(nc * sizeof *col), *fk = malloc(K * sizeof *fk);
	double *X = NULL, *y = NULL, *w = NULL;
	size_t *fold = NULL, p_in = 0, n = 0;
	int rc = 0;
	run->stack_lambda = run->stack_loss = NAN;
	for (size_t i = 0; i < S * nc; i++)
		ws[i] = 0;
	if (!applies || !in || !col || !fk) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < S; i++) {
		const fc_series_result *r = &run->res[i];
		if (r->best < 0 || r->status)
			continue;
		with_folds++;
		cells += r->folds * h;
		for (size_t c = 0; c < nc; c++)
			applies[c] += r->applicable[c];
	}
	for (size_t c = 0; c < nc; c++)
		if (with_folds && 2 * applies[c] >= with_folds) {
			in[c] = 1;
			col[c] = p_in++;
		}
	if (!p_in)
		goto out;
	X = malloc((cells ? cells : 1) * p_in * sizeof *X);
	y = malloc((cells ? cells : 1) * sizeof *y);
	fold = malloc((cells ? cells : 1) * sizeof *fold);
	w = malloc(p_in * sizeof *w);
	if (!X || !y || !fold || !w) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < S; i++) {
		const fc_series *s = &p->series[i];
		const fc_series_result *r = &run->res[i];
		int complete = r->best >= 0 && !r->status;
		for (size_t c = 0; complete && c < nc; c++)
			complete = !in[c] || r->applicable[c];
		if (!complete)
			continue;
		fc_series nominal = *s;
		nominal.n_seasons = p->n_seasons;
		nominal.seasons = p->seasons;
		size_t period = fc_series_period(&nominal);
		const double *raw = fc_series_raw(s);
		size_t nf = shared_folds(r, nc, K, in, fk);
		for (size_t j = 0; j < nf; j++) {
			size_t k = fk[j];
			size_t origin = s->n - h - (r->folds - 1 - k) * r->step;
			size_t train = o->window && o->window < origin ? o->window : origin;
			double scale = fc_metric_scale_of(raw + origin - train, train, period).mase;
			if (!(scale > 0) || !isfinite(scale))
				continue;
			for (size_t t = 0; t < h; t++) {
				int ok = !isnan(raw[origin + t]);
				for (size_t c = 0; ok && c < nc; c++) {
					if (!in[c])
						continue;
					double f = r->fold_fc[(c * K + k) * h + t];
					X[n * p_in + col[c]] = f / scale;
					ok = isfinite(f);
				}
				if (!ok)
					continue;
				y[n] = raw[origin + t] / scale;
				fold[n++] = r->folds - 1 - k;
			}
		}
	}
	fc_stack_info info;
	if ((rc = fc_stack_fit(X, y, fold, n, p_in, FC_STACK_ALPHA, w, &info, err)))
		goto out;
	run->stack_folds = info.n_folds;
	run->stack_rows = n;
	if (!isfinite(info.lambda))
		goto out;
	run->stack_lambda = info.lambda;
	run->stack_loss = info.loss;
	if (!(run->ensemble_weights = calloc(nc, sizeof *run->ensemble_weights))) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	run->ensemble_loss = run->single_loss = NAN;
	for (size_t c = 0; c < nc; c++)
		run->ensemble_weights[c] = in[c] ? w[col[c]] : 0;
	for (size_t i = 0; i < S; i++)
		memcpy(ws + i * nc, run->ensemble_weights, nc * sizeof *ws);
out:
	free(applies);
	free(in);
	free(col);
	free(fk);
	free(X);
	free(y);
	free(fold);
	free(w);
	return rc;
}

/* Series r's ensemble's back-test errors, when its bounds are to be
 * conformal from them (opts.ensemble_intervals), into r->ens_err: on
 * each fold where every member has a forecast, the actuals minus the
 * members' fold forecasts combined as their final forecasts are. */
static int ensemble_errors(const fc_series *s, const fc_cv_opts *o, fc_series_result *r)
{
	size_t h = o->horizon, K = o->folds, n = r->n_members;
	if (o->ensemble_intervals == FC_ENSEMBLE_INTERVALS_MEMBERS || n < 2 || n > FC_COMBINE_MAX ||
	    !r->fold_fc)
		return 0;
	int gaussian = 1;
	for (size_t m = 0; m < n; m++) {
		long c = r->members[m].candidate;
		if (c < 0)
			return 0; /* naive, the last resort: no fold forecasts */
		gaussian = gaussian && !is_conformal(o->candidates[c]->type);
	}
	if (gaussian && o->ensemble_intervals == FC_ENSEMBLE_INTERVALS_AUTO)
		return 0;
	double *e = malloc(r->folds * h * sizeof *e), *g = malloc(h * sizeof *g);
	if (!e || !g) {
		free(e);
		free(g);
		return fc_err_set(&r->err, FC_ENOMEM, "out of memory");
	}
	fc_forecast mf[FC_COMBINE_MAX], out = {.h = h, .mean = g};
	const fc_forecast *fp[FC_COMBINE_MAX];
	double w[FC_COMBINE_MAX];
	size_t nf = 0;
	const double *raw = fc_series_raw(s);
	for (size_t k = 0; k < r->folds; k++) {
		int all = 1;
		for (size_t m = 0; m < n; m++) {
			size_t c = (size_t)r->members[m].candidate;
			all = all && r->fold_ok[c * K + k];
			mf[m] = (fc_forecast){.h = h, .mean = r->fold_fc + (c * K + k) * h};
			fp[m] = &mf[m];
			w[m] = r->members[m].weight;
		}
		if (!all)
			continue;
		fc_forecast_combine(fp, w, n, r->median, &out);
		size_t origin = s->n - h - (r->folds - 1 - k) * r->step;
		for (size_t t = 0; t < h; t++)
			e[nf * h + t] = raw[origin + t] - g[t];
		nf++;
	}
	free(g);
	if (!nf) {
		free(e);
		return 0;
	}
	r->ens_err = e;
	r->ens_folds = nf;
	fc_conformal_bounds(&r->fc, e, nf, h);
	return 0;
}

/* Each series' members, refitted on the whole series, and their combined
 * forecast. */
static int final_forecasts(const fc_panel *p, const fc_cv_opts *o, fc_run *run, fc_err *err)
{
	size_t S = p->n_series, nc = o->n_candidates;
	double *ws = NULL;
	int rc = 0;
	if (o->ensemble != FC_ENSEMBLE_NONE) {
		if (!(ws = malloc((S ? S : 1) * nc * sizeof *ws)))
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		if (o->ensemble == FC_ENSEMBLE_CARUANA)
			rc = ensemble_weights(p, o, run, ws, err);
		else if (o->ensemble == FC_ENSEMBLE_STACK)
			rc = stack_weights(p, o, run, ws, err);
		else
			for (size_t i = 0; i < S * nc; i++)
				ws[i] = 1; /* every candidate compared on the series */
	}
	#pragma omp parallel for schedule(dynamic, 1)
	for (size_t i = 0; i < S; i++) {
		fc_series_result *r = &run->res[i];
		if (rc || r->status || r->fallback == FC_FALLBACK_SKIPPED)
			continue;
		r->median = o->ensemble == FC_ENSEMBLE_MEDIAN;
		if (!(r->status = choose_members(&p->series[i], o, r, ws ? ws + i * nc : NULL)))
			r->status = refit_members(&p->series[i], o, r);
	}
	free(ws);
	for (size_t c = 0; c < nc && !rc; c++) {
		if (!o->candidates[c]->type->global)
			continue;
		size_t chosen = 0;
		for (size_t i = 0; i < S; i++)
			for (size_t k = 0; k < run->res[i].n_members; k++)
				chosen += run->res[i].members[k].candidate == (long)c;
		double t0 = now_global();
		if (chosen && (rc = global_refit(p, o, c, run)))
			fc_err_set(err, rc, "model '%s': out of memory", o->candidates[c]->type->name);
		run->global_seconds[c] += now_global() - t0;
	}
	for (size_t i = 0; i < S && !rc; i++) {
		fc_series_result *r = &run->res[i];
		if (!r->status && r->n_members)
			r->status = combine(o, r);
		if (!r->status && r->n_members)
			r->status = ensemble_errors(&p->series[i], o, r);
		const fc_series *si = &p->series[i];
		if (!r->status && r->n_members && fc_clip_applies(o->clip, fc_series_raw(si), si->n)) {
			fc_forecast_clip(&r->fc);
			r->clipped = 1;
		}
	}
	return rc;
}

int fc_cv_begin(const fc_panel *p, const fc_cv_opts *o, size_t capacity, fc_run **out,
                fc_err *err)
{
	int rc = check_opts(o, err);
	if (rc)
		return rc;
	if (capacity < o->n_candidates)
		return fc_err_set(err, FC_EINVAL, "room for %zu candidates, %zu given", capacity,
		                  o->n_candidates);
	size_t step = o->step ? o->step : o->horizon, nc = capacity, K = o->folds, h = o->horizon;
	fc_run *run = calloc(1, sizeof *run);
	if (!run)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	run->n_series = p->n_series;
	run->n_candidates = o->n_candidates;
	run->capacity = capacity;
	run->res = calloc(p->n_series ? p->n_series : 1, sizeof *run->res);
	run->global_state = calloc(nc, sizeof *run->global_state);
	run->global_types = calloc(nc, sizeof *run->global_types);
	run->global_seconds = calloc(nc, sizeof *run->global_seconds);
	run->stopped_at = calloc(nc, sizeof *run->stopped_at);
	if (!run->res || !run->global_state || !run->global_types || !run->global_seconds ||
	    !run->stopped_at) {
		fc_run_free(run);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->n_series; i++) {
		fc_series_result *r = &run->res[i];
		r->best = -1;
		r->metric_sum = calloc(nc * FC_METRIC_COUNT, sizeof *r->metric_sum);
		r->metric_count = calloc(nc * FC_METRIC_COUNT, sizeof *r->metric_count);
		r->applicable = calloc(nc, 1);
		r->timed_out = calloc(nc, 1);
		r->seconds = calloc(nc, sizeof *r->seconds);
		if (!r->metric_sum || !r->metric_count || !r->applicable || !r->timed_out || !r->seconds) {
			fc_run_free(run);
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		}
	}
	int failed = 0;
	#pragma omp parallel for schedule(dynamic, 64) reduction(|:failed)
	for (size_t i = 0; i < p->n_series; i++) {
		fc_series_result *r = &run->res[i];
		const fc_series *s = &p->series[i];
		if (count_observed(s) == 0) {
			r->fallback = FC_FALLBACK_SKIPPED;
			snprintf(r->note, sizeof r->note, "every value is missing; no forecast");
			continue;
		}
		r->folds = series_plan(s, o, step, &r->step);
		if (r->folds == 0) {
			r->fallback = FC_FALLBACK_NO_CV;
			snprintf(r->note, sizeof r->note,
			         "%zu observations are too few to back-test a horizon of %zu", s->n, h);
			continue;
		}
		if (r->folds < K) {
			r->fallback = FC_FALLBACK_FEWER_FOLDS;
			snprintf(r->note, sizeof r->note, "%zu observations allow %zu of %zu folds",
			         s->n, r->folds, K);
		}
		r->fold_fc = malloc(nc * K * h * sizeof *r->fold_fc);
		r->fold_ok = calloc(nc * K, 1);
		failed |= !r->fold_fc || !r->fold_ok;
	}
	if (failed) {
		fc_run_free(run);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	*out = run;
	return 0;
}

static int check_range(const fc_cv_opts *o, const fc_run *run, size_t first, size_t n,
                       fc_err *err)
{
	int rc = check_opts(o, err);
	if (!rc && (first + n > o->n_candidates || o->n_candidates > run->capacity))
		rc = fc_err_set(err, FC_EINVAL, "candidates %zu..%zu of %zu (room for %zu)", first,
		                first + n, o->n_candidates, run->capacity);
	return rc;
}

/* The per-(series, candidate) state of a back-test scored fold step by
 * fold step: the candidate's model on the series (warm from its earlier
 * folds) and the work it has spent, so that each fold continues where the
 * previous one stopped. */
typedef struct stepped_cell {
	fc_model *model;
	uint64_t spent;
	int done; /* out of its budget, or could not be made */
} stepped_cell;

/* Fold step t of candidates first .. first+n-1 (those still running) on
 * series i: its fold at distance K-1-t from the last, if it has one. */
static void stepped_series(const fc_panel *p, const fc_cv_opts *o, fc_run *run, size_t i,
                           size_t t, size_t first, size_t n, stepped_cell *cells,
                           const double *const *gfc, progress *pr)
{
	const fc_series *s = &p->series[i];
	fc_series_result *r = &run->res[i];
	size_t K = o->folds, jj = K - 1 - t;
	if (r->status || r->fallback == FC_FALLBACK_SKIPPED || r->folds <= jj)
		return;
	size_t k = r->folds - 1 - jj;
	const double **exog_ptrs = s->n_exog ? malloc(s->n_exog * sizeof *exog_ptrs) : NULL;
	fc_forecast fc;
	if (s->n_exog && !exog_ptrs) {
		r->status = fc_err_set(&r->err, FC_ENOMEM, "out of memory");
		return;
	}
	if ((r->status = fc_forecast_init(&fc, o->horizon, o->levels, o->n_levels, &r->err))) {
		free(exog_ptrs);
		return;
	}
	size_t period = nominal_period(p, s);
	for (size_t c = first; c < first + n && !r->status; c++) {
		stepped_cell *cell = &cells[i * n + (c - first)];
		const fc_model_type *type = o->candidates[c]->type;
		if (run->stopped_at[c] || cell->done || (type->global && !gfc[c]))
			continue;
		if (!type->global && !cell->model &&
		    !(cell->model = fc_model_clone_unfitted(o->candidates[c], &r->err))) {
			r->status = r->err.code;
			break;
		}
		double t0 = now();
		fc_budget_resume(type->global ? 0 : o->budget, cell->spent);
		score_fold(p, s, o, r, c, k, cell->model, &fc, exog_ptrs, gfc[c], i, period);
		if (fc_budget_exceeded()) {
			drop_timed_out(r, c, K);
			cell->done = 1;
		}
		cell->spent = fc_budget_end();
		if (!type->global) {
			double dt = now() - t0;
			r->seconds[c] += dt;
			progress_tick(pr, "back-testing", c, dt);
		}
	}
	fc_forecast_dispose(&fc);
	free(exog_ptrs);
}

/* fc_cv_backtest with a stopper: fold step by fold step over the panel. */
static int backtest_stepped(const fc_panel *p, const fc_cv_opts *o, fc_run *run, size_t first,
                            size_t n, const fc_cv_stopper *stopper, progress *pr,
                            double **gfc, fc_err *err)
{
	size_t S = p->n_series, K = o->folds;
	stepped_cell *cells = calloc((S ? S : 1) * n, sizeof *cells);
	global_bt *gb = calloc(n, sizeof *gb);
	int rc = cells && gb ? 0 : fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t c = first; !rc && c < first + n; c++)
		if (o->candidates[c]->type->global &&
		    !(rc = global_bt_init(&gb[c - first], S, K, o->horizon, err)))
			gfc[c] = gb[c - first].gfc;
	for (size_t t = 0; !rc && t < K; t++) {
		for (size_t c = first; !rc && c < first + n; c++)
			if (o->candidates[c]->type->global && !run->stopped_at[c])
				rc = global_bt_step(p, o, run, c, K - 1 - t, &gb[c - first], pr, err);
		if (rc)
			break;
		#pragma omp parallel for schedule(dynamic, 1)
		for (size_t i = 0; i < S; i++)
			stepped_series(p, o, run, i, t, first, n, cells, (const double *const *)gfc, pr);
		/* the policy: never after the last step, whose work is done */
		for (size_t c = first; t + 1 < K && c < first + n; c++)
			if (!run->stopped_at[c] && stopper->stop(stopper->ctx, run, c, t))
				run->stopped_at[c] = t + 1;
	}
	for (size_t x = 0; cells && x < S * n; x++)
		fc_model_free(cells[x].model);
	free(cells);
	for (size_t c = first; gb && c < first + n; c++) {
		if (!o->candidates[c]->type->global)
			continue;
		gfc[c] = NULL;
		global_bt_dispose(&gb[c - first], o->candidates[c]->type->global);
	}
	free(gb);
	return rc;
}

int fc_cv_backtest(const fc_panel *p, const fc_cv_opts *o, fc_run *run, size_t first, size_t n,
                   const fc_cv_stopper *stopper, fc_err *err)
{
	int rc = check_range(o, run, first, n, err);
	if (rc)
		return rc;
	size_t nc = o->n_candidates;
	double **gfc = calloc(nc, sizeof *gfc);
	progress pr = {o, 0, 0, calloc(nc, sizeof(double))};
	if (!gfc || !pr.seconds) {
		free(gfc);
		free(pr.seconds);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	size_t n_local = 0;
	for (size_t c = first; c < first + n; c++) {
		run->global_types[c] = o->candidates[c]->type;
		n_local += !o->candidates[c]->type->global;
		pr.total += o->candidates[c]->type->global ? o->folds : 0;
	}
	if (stopper && o->series_mask)
		rc = fc_err_set(err, FC_EINVAL, "a staged back-test covers every series");
	else if (stopper) {
		/* a unit per fold */
		pr.total += n_local * p->n_series * o->folds;
		rc = backtest_stepped(p, o, run, first, n, stopper, &pr, gfc, err);
	} else {
		size_t in = p->n_series;
		if (o->series_mask) {
			in = 0;
			for (size_t i = 0; i < p->n_series; i++)
				in += o->series_mask[i] != 0;
		}
		pr.total += n_local * in;
		for (size_t c = first; c < first + n; c++)
			if (o->candidates[c]->type->global &&
			    (rc = global_backtest(p, o, run, c, &gfc[c], &pr, err)))
				break;
		#pragma omp parallel for schedule(dynamic, 1)
		for (size_t i = 0; i < p->n_series; i++) {
			if (rc || (o->series_mask && !o->series_mask[i]))
				continue;
			run_series(p, o, i, &run->res[i], first, n, (const double *const *)gfc, &pr);
		}
	}
	for (size_t c = first; c < first + n; c++)
		if (o->candidates[c]->type->global)
			run->global_seconds[c] += pr.seconds[c];
	free(pr.seconds);
	for (size_t c = 0; c < nc; c++)
		free(gfc[c]);
	free(gfc);
	return rc;
}

int fc_cv_finish(const fc_panel *p, const fc_cv_opts *o, fc_run *run, fc_err *err)
{
	int rc = check_range(o, run, 0, o->n_candidates, err);
	if (rc)
		return rc;
	run->n_candidates = o->n_candidates;
	#pragma omp parallel for schedule(dynamic, 16)
	for (size_t i = 0; i < p->n_series; i++) {
		fc_series_result *r = &run->res[i];
		if (!r->status && r->fallback != FC_FALLBACK_SKIPPED)
			compare(p, &p->series[i], o, run->stopped_at, r);
	}
	fc_cv_opts fo = *o;
	fo.stopped = run->stopped_at;
	if (o->forecast)
		rc = final_forecasts(p, &fo, run, err);
	for (size_t i = 0; i < p->n_series && !rc; i++) {
		const fc_series_result *r = &run->res[i];
		const fc_series *s = &p->series[i];
		if (r->status && (r->status == FC_ENOMEM || o->strict)) {
			rc = fc_err_set(err, r->status, "series %s: %s", key_or_series(s), r->err.msg);
			break;
		}
		if (o->strict && r->fallback != FC_FALLBACK_NONE) {
			rc = fc_err_set(err, FC_EINPUT, "series %s: %s (--strict)", key_or_series(s), r->note);
			break;
		}
	}
	return rc;
}

int fc_cv_run(const fc_panel *p, const fc_cv_opts *o, fc_run **out, fc_err *err)
{
	fc_run *run = NULL;
	int rc = fc_cv_begin(p, o, o->n_candidates, &run, err);
	if (!rc)
		rc = fc_cv_backtest(p, o, run, 0, o->n_candidates, NULL, err);
	if (!rc)
		rc = fc_cv_finish(p, o, run, err);
	if (rc) {
		fc_run_free(run);
		return rc;
	}
	*out = run;
	return 0;
}

double fc_run_running_loss(const fc_panel *p, const fc_cv_opts *o, const fc_run *run, size_t c,
                           size_t t)
{
	size_t K = o->folds, h = o->horizon, n = 0;
	double sum = 0, m[FC_METRIC_COUNT];
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		const fc_series *s = &p->series[i];
		if (!r->fold_ok || !r->folds)
			continue;
		size_t period = nominal_period(p, s);
		for (size_t k = 0; k < r->folds; k++) {
			size_t jj = r->folds - 1 - k;
			if (jj + t < K - 1 || !r->fold_ok[c * K + k])
				continue;
			size_t origin = s->n - h - jj * r->step;
			size_t train = o->window && o->window < origin ? o->window : origin;
			fold_metrics(s, origin, train, h, period, r->fold_fc + (c * K + k) * h, m);
			if (isfinite(m[o->metric])) {
				sum += m[o->metric];
				n++;
			}
		}
	}
	return n ? sum / (double)n : NAN;
}

double fc_result_metric(const fc_run *r, size_t series, size_t c, fc_metric j)
{
	const fc_series_result *s = &r->res[series];
	size_t k = c * FC_METRIC_COUNT + (size_t)j;
	return s->metric_count[k] ? s->metric_sum[k] / (double)s->metric_count[k] : NAN;
}

/* Row order: candidates stopped early last, then primary metric
 * ascending, NaN last, then candidate index. */
static int row_before(const fc_leader_row *a, const fc_leader_row *b, fc_metric primary)
{
	if ((a->stopped != 0) != (b->stopped != 0))
		return !a->stopped;
	double ka = a->metric[primary], kb = b->metric[primary];
	int na = isnan(ka), nb = isnan(kb);
	if (na != nb)
		return nb;
	if (!na && ka != kb)
		return ka < kb;
	return a->candidate < b->candidate;
}

void fc_leaderboard(const fc_run *r, fc_metric primary, fc_leader_row *rows)
{
	for (size_t c = 0; c < r->n_candidates; c++) {
		fc_leader_row *row = &rows[c];
		memset(row, 0, sizeof *row);
		row->candidate = c;
		row->stopped = r->stopped_at ? r->stopped_at[c] : 0;
		double sum[FC_METRIC_COUNT] = {0};
		size_t count[FC_METRIC_COUNT] = {0};
		for (size_t i = 0; i < r->n_series; i++) {
			const fc_series_result *s = &r->res[i];
			size_t scored = s->metric_count[c * FC_METRIC_COUNT + FC_METRIC_MAE];
			if (s->applicable[c] || (row->stopped && scored)) {
				row->series++;
				row->folds += s->metric_count[c * FC_METRIC_COUNT + FC_METRIC_MAE];
			}
			if (s->best == (long)c)
				row->wins++;
			row->timeouts += s->timed_out[c];
			row->seconds += s->seconds[c];
			for (int j = 0; j < FC_METRIC_COUNT; j++) {
				sum[j] += s->metric_sum[c * FC_METRIC_COUNT + (size_t)j];
				count[j] += s->metric_count[c * FC_METRIC_COUNT + (size_t)j];
			}
		}
		row->seconds += r->global_seconds[c];
		for (int j = 0; j < FC_METRIC_COUNT; j++)
			row->metric[j] = count[j] ? sum[j] / (double)count[j] : NAN;
	}
	for (size_t i = 1; i < r->n_candidates; i++) { /* a handful of rows */
		fc_leader_row row = rows[i];
		size_t j = i;
		for (; j > 0 && row_before(&row, &rows[j - 1], primary); j--)
			rows[j] = rows[j - 1];
		rows[j] = row;
	}
}

void fc_conformal_bounds(fc_forecast *f, const double *err, size_t folds, size_t h_err)
{
	double *a = malloc((folds ? folds : 1) * sizeof *a);
	for (size_t i = 0; i < f->h; i++) {
		size_t step = i < h_err ? i : h_err - 1, n = 0;
		for (size_t k = 0; a && k < folds && h_err; k++) {
			double e = err ? err[k * h_err + step] : NAN;
			if (!isnan(e))
				a[n++] = fabs(e);
		}
		fc_sort_small(a, n);
		for (size_t l = 0; l < f->n_levels; l++) {
			double q = NAN;
			if (n) {
				/* split-conformal rank ceil((n+1) level); beyond n the
				 * largest error is the best the folds can say */
				size_t rank = (size_t)ceil((double)(n + 1) * f->levels[l] / 100.0);
				q = a[(rank < 1 ? 1 : rank > n ? n : rank) - 1];
			}
			f->lo[l * f->h + i] = f->mean[i] - q;
			f->hi[l * f->h + i] = f->mean[i] + q;
		}
	}
	free(a);
}
