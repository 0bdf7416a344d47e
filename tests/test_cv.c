/* Unit tests of rolling-origin cross-validation, selection and fallbacks on
 * panels built by hand, with fold errors worked out by hand. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forecast/cv.h"
#include "forecast/ensemble.h"
#include "data/arima_fixtures.h"

#define MAXS 64
#define MAXN 400

/* A panel of integer-step series owned by the test. */
typedef struct test_panel {
	fc_panel p;
	fc_series s[MAXS];
	double y[MAXS][MAXN];
	char key[MAXS][32];
	double season;
} test_panel;

/* The series' forecasting model (its only member without an ensemble). */
static const fc_model *model_of(const fc_series_result *r)
{
	return r->n_members ? r->members[0].model : NULL;
}

static test_panel *tp_new(double season)
{
	test_panel *t = calloc(1, sizeof *t);
	t->season = season;
	t->p.freq = (fc_freq){FC_UNIT_STEP, 1, 0};
	t->p.style = (fc_time_style){FC_STYLE_INT, 0};
	t->p.series = t->s;
	if (season >= 2) {
		t->p.n_seasons = 1;
		t->p.seasons[0] = season;
	}
	return t;
}

static fc_series *tp_add(test_panel *t, size_t n)
{
	size_t i = t->p.n_series++;
	fc_series *s = &t->s[i];
	snprintf(t->key[i], sizeof t->key[i], "id=%zu", i);
	s->key = t->key[i];
	s->start = 1;
	s->n = n;
	s->y = t->y[i];
	s->n_seasons = t->season >= 2;
	s->seasons = &t->season;
	return s;
}

typedef struct cands {
	fc_model *m[8];
	size_t n;
} cands;

/* The five baselines, in registry order: the semantics of folds and
 * selection are tested on kinds whose forecasts are worked out by hand. */
static cands all_kinds(void)
{
	static const char *const names[] = {"naive", "snaive", "drift", "mean", "window"};
	cands c = {.n = 0};
	for (size_t k = 0; k < 5; k++)
		c.m[c.n++] = fc_model_alloc(fc_model_lookup(names[k]), NULL);
	return c;
}

static void cands_free(cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		fc_model_free(c->m[i]);
}

static long index_of(const cands *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i]->type->name, name) == 0)
			return (long)i;
	return -1;
}

static fc_cv_opts opts_for(const cands *c, size_t h, size_t folds, size_t step)
{
	fc_cv_opts o = {.horizon = h, .folds = folds, .step = step, .n_levels = 1,
	                .levels = {90}, .metric = FC_METRIC_MAE, .n_candidates = c->n,
	                .candidates = c->m, .forecast = 1};
	return o;
}

START_TEST(test_trend_picks_drift)
{
	test_panel *t = tp_new(0);
	fc_series *s = tp_add(t, 20);
	for (size_t i = 0; i < 20; i++)
		t->y[0][i] = (double)i + 1; /* 1..20 */
	(void)s;
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 2, 3, 2);
	fc_run *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, &err), 0);
	ck_assert_uint_eq(r->res[0].folds, 3);
	ck_assert_int_eq(r->res[0].fallback, FC_FALLBACK_NONE);
	long naive = index_of(&c, "naive"), drift = index_of(&c, "drift");
	/* naive misses by 1 and 2 in every fold; drift is exact on a line */
	ck_assert_double_eq_tol(fc_result_metric(r, 0, (size_t)naive, FC_METRIC_MAE), 1.5, 1e-12);
	ck_assert_double_eq_tol(fc_result_metric(r, 0, (size_t)drift, FC_METRIC_MAE), 0.0, 1e-9);
	ck_assert_int_eq(r->res[0].best, drift);
	ck_assert_ptr_nonnull(model_of(&r->res[0]));
	ck_assert_str_eq(model_of(&r->res[0])->type->name, "drift");
	ck_assert_double_eq_tol(r->res[0].fc.mean[0], 21.0, 1e-9);
	ck_assert_double_eq_tol(r->res[0].fc.mean[1], 22.0, 1e-9);
	/* snaive does not apply without a season */
	ck_assert_int_eq(r->res[0].applicable[index_of(&c, "snaive")], 0);
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_season_picks_snaive)
{
	test_panel *t = tp_new(4);
	tp_add(t, 40);
	const double pattern[] = {5, 1, 9, 3};
	for (size_t i = 0; i < 40; i++)
		t->y[0][i] = pattern[i % 4];
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 4, 2, 4);
	o.metric = FC_METRIC_MASE;
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	long snaive = index_of(&c, "snaive");
	ck_assert_int_eq(r->res[0].best, snaive);
	/* an exactly periodic history has a zero MASE scale: MASE is undefined
	 * for every candidate and MAE decides */
	ck_assert(isnan(fc_result_metric(r, 0, (size_t)snaive, FC_METRIC_MASE)));
	ck_assert_double_eq_tol(fc_result_metric(r, 0, (size_t)snaive, FC_METRIC_MAE), 0.0, 1e-12);
	for (size_t i = 0; i < 4; i++)
		ck_assert_double_eq_tol(r->res[0].fc.mean[i], pattern[i], 1e-12);
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_sliding_window)
{
	test_panel *t = tp_new(0);
	tp_add(t, 20);
	for (size_t i = 0; i < 20; i++)
		t->y[0][i] = (double)i + 1;
	cands c = {.n = 1};
	c.m[0] = fc_model_alloc(fc_model_mean, NULL);
	fc_cv_opts o = opts_for(&c, 2, 3, 2);
	o.window = 2;
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	/* the mean of the last two values o-1, o misses o+1 and o+2 by 1.5, 2.5 */
	ck_assert_double_eq_tol(fc_result_metric(r, 0, 0, FC_METRIC_MAE), 2.0, 1e-12);
	fc_run_free(r);
	o.window = 0; /* expanding: the mean of 1..o is (o+1)/2 */
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	/* origins 14, 16, 18: errors (o+1.5 - (o+1)/2) averaged = o/2 + 1 */
	ck_assert_double_eq_tol(fc_result_metric(r, 0, 0, FC_METRIC_MAE), (8 + 9 + 10) / 3.0, 1e-12);
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_fewer_folds_then_naive)
{
	test_panel *t = tp_new(0);
	tp_add(t, 6); /* 3 folds of h=2 fit only at step 1 */
	tp_add(t, 3); /* room for none */
	tp_add(t, 5); /* 2 folds at step 1 */
	for (size_t i = 0; i < 6; i++)
		t->y[0][i] = t->y[1][i] = t->y[2][i] = (double)(i * i);
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 2, 3, 2);
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	/* the step is shortened before folds are given up */
	ck_assert_uint_eq(r->res[0].folds, 3);
	ck_assert_uint_eq(r->res[0].step, 1);
	ck_assert_int_eq(r->res[0].fallback, FC_FALLBACK_NONE);
	ck_assert_uint_eq(r->res[2].folds, 2);
	ck_assert_uint_eq(r->res[2].step, 1);
	ck_assert_int_eq(r->res[2].fallback, FC_FALLBACK_FEWER_FOLDS);
	ck_assert_ptr_nonnull(strstr(r->res[2].note, "2 of 3 folds"));
	ck_assert_uint_eq(r->res[1].folds, 0);
	ck_assert_int_eq(r->res[1].fallback, FC_FALLBACK_NO_CV);
	ck_assert_int_eq(r->res[1].best, -1);
	ck_assert_ptr_nonnull(model_of(&r->res[1]));
	ck_assert_double_eq_tol(r->res[1].fc.mean[0], 4.0, 1e-12); /* last of 0,1,4 */
	fc_run_free(r);

	o.strict = 1;
	fc_err err;
	r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, &err), FC_EINPUT);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(err.msg, "series id=1"));
	ck_assert_ptr_nonnull(strstr(err.msg, "--strict"));
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_all_missing_skipped_constant_kept)
{
	test_panel *t = tp_new(7);
	tp_add(t, 30);
	tp_add(t, 30);
	for (size_t i = 0; i < 30; i++) {
		t->y[0][i] = NAN;
		t->y[1][i] = 42;
	}
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 7, 2, 0);
	o.metric = FC_METRIC_MASE; /* undefined on a constant series: MAE decides */
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	ck_assert_int_eq(r->res[0].fallback, FC_FALLBACK_SKIPPED);
	ck_assert_ptr_null(model_of(&r->res[0]));
	ck_assert_int_eq(r->res[1].fallback, FC_FALLBACK_NONE);
	ck_assert_int_ge(r->res[1].best, 0);
	for (size_t i = 0; i < 7; i++) {
		ck_assert_double_eq_tol(r->res[1].fc.mean[i], 42.0, 1e-12);
		ck_assert(isfinite(r->res[1].fc.lo[i]) || isnan(r->res[1].fc.lo[i]));
	}
	/* the first candidate wins ties */
	ck_assert_int_eq(r->res[1].best, 0);
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

static void fill_noisy(test_panel *t, size_t n_series, size_t n)
{
	unsigned long x = 12345;
	for (size_t s = 0; s < n_series; s++) {
		tp_add(t, n - s % 17);
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			t->y[s][i] = 10 + 5 * sin((double)i * 2 * M_PI / 7) + (double)(x >> 40) / (1 << 20)
			             + (double)s * 0.1 * (double)i;
		}
	}
}

START_TEST(test_same_result_any_thread_count)
{
	test_panel *t = tp_new(7);
	fill_noisy(t, 50, 300);
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 14, 3, 7);
	fc_run *r1 = NULL, *r4 = NULL;
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r1, NULL), 0);
#ifdef _OPENMP
	omp_set_num_threads(4);
#endif
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r4, NULL), 0);
	for (size_t i = 0; i < t->p.n_series; i++) {
		ck_assert_int_eq(r1->res[i].best, r4->res[i].best);
		ck_assert_mem_eq(r1->res[i].metric_sum, r4->res[i].metric_sum,
		                 c.n * FC_METRIC_COUNT * sizeof(double));
		ck_assert_mem_eq(r1->res[i].fc.mean, r4->res[i].fc.mean, 14 * sizeof(double));
	}
	fc_leader_row a[8], b[8];
	fc_leaderboard(r1, FC_METRIC_MAE, a);
	fc_leaderboard(r4, FC_METRIC_MAE, b);
	for (size_t k = 0; k < c.n; k++)
		a[k].seconds = b[k].seconds = 0; /* time is measured, not a result */
	ck_assert_mem_eq(a, b, c.n * sizeof a[0]);
	fc_run_free(r1);
	fc_run_free(r4);
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_leaderboard_wins_and_order)
{
	test_panel *t = tp_new(0);
	for (int k = 0; k < 3; k++) {
		tp_add(t, 20);
		for (size_t i = 0; i < 20; i++)
			t->y[k][i] = (double)i; /* drift wins all three */
	}
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 2, 2, 2);
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	fc_leader_row rows[8];
	fc_leaderboard(r, FC_METRIC_MAE, rows);
	ck_assert_str_eq(c.m[rows[0].candidate]->type->name, "drift");
	ck_assert_uint_eq(rows[0].wins, 3);
	ck_assert_uint_eq(rows[0].series, 3);
	for (size_t i = 1; i < c.n; i++) {
		ck_assert_uint_eq(rows[i].wins, 0);
		if (!isnan(rows[i].metric[FC_METRIC_MAE]))
			ck_assert(rows[i].metric[FC_METRIC_MAE] >= rows[i - 1].metric[FC_METRIC_MAE]);
	}
	/* snaive never applied: no series, NaN metrics, sorted last */
	ck_assert_str_eq(c.m[rows[c.n - 1].candidate]->type->name, "snaive");
	ck_assert_uint_eq(rows[c.n - 1].series, 0);
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_bad_options)
{
	test_panel *t = tp_new(0);
	tp_add(t, 10);
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 0, 3, 0);
	fc_run *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, &err), FC_EINVAL);
	o = opts_for(&c, 2, 0, 0);
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, &err), FC_EINVAL);
	ck_assert_ptr_null(r);
	cands_free(&c);
	free(t);
}
END_TEST


/* ---- global candidates ------------------------------------------------------
 * A test-only global kind: pooled drift.  Fitting records the cuts it saw
 * and the mean over series of the last step before each cut; forecasting
 * adds (k + 1) times that to each series' value at its cut. */
typedef struct pooled {
	double drift;
	size_t fits_seen; /* fits made before this one, for the counter test */
} pooled;

static size_t pooled_fits;
static size_t pooled_cut_log[16][MAXS];

static int pooled_fit(void **state, const void *params, const fc_panel *p, const size_t *cut,
                      size_t h, fc_err *err)
{
	double sum = 0;
	size_t k = 0;
	for (size_t i = 0; i < p->n_series; i++) {
		if (pooled_fits < 16)
			pooled_cut_log[pooled_fits][i] = cut[i];
		if (cut[i] >= 2) {
			sum += p->series[i].y[cut[i] - 1] - p->series[i].y[cut[i] - 2];
			k++;
		}
	}
	if (!k)
		return fc_err_set(err, FC_EMODEL, "pooled: no series long enough");
	pooled *st = malloc(sizeof *st);
	st->drift = sum / (double)k;
	st->fits_seen = pooled_fits++;
	*state = st;
	return 0;
}

static int pooled_forecast(const void *state, const void *params, const fc_panel *p,
                           const size_t *cut, size_t h, double *mean, fc_err *err)
{
	const pooled *st = state;
	for (size_t i = 0; i < p->n_series; i++)
		for (size_t k = 0; k < h; k++)
			mean[i * h + k] = cut[i] ? p->series[i].y[cut[i] - 1] + (double)(k + 1) * st->drift : NAN;
	return 0;
}

static void pooled_free(void *state)
{
	free(state);
}

static const fc_global_ops pooled_ops = {.fit = pooled_fit, .forecast = pooled_forecast,
                                         .free = pooled_free};
static const fc_model_type pooled_type = {.name = "pooled", .summary = "test: pooled drift",
                                          .global = &pooled_ops};

START_TEST(test_global_candidate)
{
	/* three lines with slopes 1, 2 and 3 and a short one: the pooled drift
	 * (2) is exact for the middle series only, and a fold's cut is each
	 * series' own origin */
	test_panel *t = tp_new(0);
	size_t len[4] = {30, 30, 26, 9};
	for (size_t i = 0; i < 4; i++) {
		tp_add(t, len[i]);
		for (size_t j = 0; j < len[i]; j++)
			t->y[i][j] = (i == 3 ? 2.0 : (double)(i + 1)) * (double)j;
	}
	cands c = all_kinds();
	c.m[c.n] = calloc(1, sizeof(fc_model));
	c.m[c.n]->type = &pooled_type;
	c.m[c.n]->params = calloc(1, 1);
	size_t g = c.n++;
	fc_cv_opts o = opts_for(&c, 2, 3, 2);
	fc_run *r = NULL;
	fc_err err;
	pooled_fits = 0;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, &err), 0);
	/* three back-test fits (one per fold, all series together); no refit,
	 * since drift is as exact on lines and comes first */
	ck_assert_uint_eq(pooled_fits, 3);
	ck_assert_ptr_null(r->global_state[g]);
	/* the first fit is the earliest fold: origins n - 2 - 2*2; the short
	 * series (9 observations) has all three folds too (9 >= 2 + 4 + 2) */
	ck_assert_uint_eq(pooled_cut_log[0][0], 24);
	ck_assert_uint_eq(pooled_cut_log[0][2], 20);
	ck_assert_uint_eq(pooled_cut_log[0][3], 3);
	ck_assert_uint_eq(pooled_cut_log[2][0], 28);
	ck_assert(r->res[1].applicable[g]);
	/* series 1 (slope 2): pooled drift (1+2+3+2)/4 = 2 is exact */
	ck_assert_double_eq_tol(fc_result_metric(r, 1, g, FC_METRIC_MAE), 0.0, 1e-12);
	/* series 0 (slope 1): errors 1 and 2 in every fold */
	ck_assert_double_eq_tol(fc_result_metric(r, 0, g, FC_METRIC_MAE), 1.5, 1e-12);
	/* drift is exact on every line too; ties go to the earlier candidate */
	ck_assert_int_eq(r->res[1].best, index_of(&c, "drift"));
	fc_run_free(r);

	/* with drift and naive gone the global model wins series 1 and is
	 * refitted once for its series; intervals come from the folds */
	cands c2 = {.n = 0};
	c2.m[c2.n++] = fc_model_alloc(fc_model_lookup("mean"), NULL);
	c2.m[c2.n++] = c.m[g];
	o = opts_for(&c2, 2, 3, 2);
	o.refit_every = 3;
	pooled_fits = 0;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, &err), 0);
	ck_assert_uint_eq(pooled_fits, 2); /* one back-test fit reused by 3 folds, one refit */
	ck_assert_uint_eq(pooled_cut_log[1][0], 30); /* the refit sees everything */
	ck_assert_int_eq(r->res[1].best, 1);
	ck_assert_ptr_nonnull(model_of(&r->res[1]));
	ck_assert_str_eq(model_of(&r->res[1])->type->name, "pooled");
	ck_assert_ptr_nonnull(r->global_state[1]);
	ck_assert_ptr_null(r->global_state[0]);
	/* refit on all data: drift (1+2+3+2)/4 = 2 from 2*29 = 58 */
	ck_assert_double_eq_tol(r->res[1].fc.mean[0], 60.0, 1e-12);
	ck_assert_double_eq_tol(r->res[1].fc.mean[1], 62.0, 1e-12);
	ck_assert(r->res[1].fc.lo[0] <= 60.0 && r->res[1].fc.hi[0] >= 60.0);
	/* with the fit reused, later folds forecast from their own cut with
	 * the earliest fold's drift: still exact for slope 2 */
	ck_assert_double_eq_tol(fc_result_metric(r, 1, 1, FC_METRIC_MAE), 0.0, 1e-12);
	fc_run_free(r);
	fc_model_free(c2.m[0]);
	free(c.m[g]->params);
	free(c.m[g]);
	c.n--;
	cands_free(&c);
	free(t);
}
END_TEST

START_TEST(test_conformal_bounds)
{
	/* 3 folds x 2 steps of errors; step 2 lost one actual */
	const double err[] = {1, NAN, -3, 4, 2, -5};
	const double levels[] = {50, 95};
	fc_forecast f;
	ck_assert_int_eq(fc_forecast_init(&f, 3, levels, 2, NULL), 0);
	for (size_t i = 0; i < 3; i++)
		f.mean[i] = 10;
	fc_conformal_bounds(&f, err, 3, 2);
	/* step 1: |e| = 1,2,3; rank ceil(4 * .5) = 2 -> 2; rank ceil(4 * .95) = 4 > 3 -> 3 */
	ck_assert_double_eq(f.lo[0], 8);
	ck_assert_double_eq(f.hi[0], 12);
	ck_assert_double_eq(f.lo[3 + 0], 7);
	ck_assert_double_eq(f.hi[3 + 0], 13);
	/* step 2: |e| = 4,5; rank ceil(3 * .5) = 2 -> 5 */
	ck_assert_double_eq(f.hi[1], 15);
	ck_assert_double_eq(f.hi[3 + 1], 15);
	/* step 3 has no errors of its own: step 2's are reused */
	ck_assert_double_eq(f.lo[2], 5);
	fc_conformal_bounds(&f, NULL, 0, 0);
	ck_assert(isnan(f.lo[0]) && isnan(f.hi[5]));
	fc_forecast_dispose(&f);
}
END_TEST

/* Caruana's selection on a case worked by hand: actuals 0, 0 (MASE scale 1,
 * so MAE); A forecasts 1, B -1, C 2.  Round 1: A and B tie at 1, A (the
 * lower index) is picked; round 2: adding B gives the mean 0, loss 0; round
 * 3: adding A or B gives 1/3 or -1/3, loss 1/3 > 0.  The best round is the
 * second: A 1/2, B 1/2. */
START_TEST(test_caruana_by_hand)
{
	const double y[2] = {0, 0};
	const double f[3 * 2] = {1, 1, -1, -1, 2, 2}; /* candidate-major, one fold */
	const fc_metric_scale sc = {1, 1};
	const size_t fold = 0;
	unsigned char ok[3] = {1, 1, 1};
	fc_ens_series s = {1, y, &sc, f, 1, &fold, ok};
	double w[3], loss, single;
	ck_assert_int_eq(fc_ensemble_caruana(&s, 1, 3, 2, FC_METRIC_MAE, 3, w, &loss, &single, NULL), 0);
	ck_assert_double_eq_tol(w[0], 0.5, 1e-15);
	ck_assert_double_eq_tol(w[1], 0.5, 1e-15);
	ck_assert_double_eq(w[2], 0);
	ck_assert_double_eq_tol(loss, 0, 1e-15);
	ck_assert_double_eq_tol(single, 1, 1e-15);
	/* with B not allowed the best is A alone (C only makes it worse) */
	ok[1] = 0;
	ck_assert_int_eq(fc_ensemble_caruana(&s, 1, 3, 2, FC_METRIC_MAE, 3, w, &loss, NULL, NULL), 0);
	ck_assert_double_eq(w[0], 1);
	ck_assert_double_eq(w[1], 0);
	ck_assert_double_eq(w[2], 0);
	ck_assert_double_eq_tol(loss, 1, 1e-15);
	/* no fold: no weight */
	s.n_folds = 0;
	ck_assert_int_eq(fc_ensemble_caruana(&s, 1, 3, 2, FC_METRIC_MAE, 3, w, &loss, NULL, NULL), 0);
	ck_assert(w[0] == 0 && w[1] == 0 && w[2] == 0 && isnan(loss));
}
END_TEST

/* The default ensemble through fc_cv_run: weights sum to 1 on every series,
 * the forecast is the weighted mean of the members', and it is the same
 * for any thread count. */
START_TEST(test_ensemble_run)
{
	test_panel *t = tp_new(7);
	fill_noisy(t, 20, 120);
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 7, 3, 7);
	o.ensemble = FC_ENSEMBLE_CARUANA;
	o.ensemble_by = FC_ENSEMBLE_BY_SERIES;
	fc_run *r1 = NULL, *r2 = NULL;
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r1, NULL), 0);
#ifdef _OPENMP
	omp_set_num_threads(2);
#endif
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r2, NULL), 0);
	size_t several = 0;
	for (size_t i = 0; i < t->p.n_series; i++) {
		const fc_series_result *r = &r1->res[i];
		ck_assert_uint_ge(r->n_members, 1);
		several += r->n_members > 1;
		double wsum = 0, mean0 = 0;
		for (size_t k = 0; k < r->n_members; k++) {
			wsum += r->members[k].weight;
			mean0 += r->members[k].weight * r->members[k].fc.mean[0];
			ck_assert(r->members[k].candidate >= 0 && r->applicable[r->members[k].candidate]);
		}
		ck_assert_double_eq_tol(wsum, 1, 1e-12);
		ck_assert_double_eq_tol(r->fc.mean[0], mean0, 1e-9 * (1 + fabs(mean0)));
		ck_assert_mem_eq(r->fc.mean, r2->res[i].fc.mean, 7 * sizeof(double));
		ck_assert_uint_eq(r->n_members, r2->res[i].n_members);
	}
	ck_assert_uint_gt(several, 0); /* some series combine */
	fc_run_free(r1);
	fc_run_free(r2);
	cands_free(&c);
	free(t);
}
END_TEST

/* The member weights of a run by each rule, per candidate (0 where not a
 * member). */
static void member_weights(const fc_series_result *r, size_t nc, double *w)
{
	for (size_t c = 0; c < nc; c++)
		w[c] = 0;
	for (size_t k = 0; k < r->n_members; k++)
		if (r->members[k].candidate >= 0)
			w[r->members[k].candidate] += r->members[k].weight;
}

/* The default rule, BLEND: on a series where every candidate applies, each
 * member's weight is the mean of its weight in the series' own ensemble and
 * in the panel's (both as fc_cv_run chooses them by SERIES and by PANEL). */
START_TEST(test_ensemble_blend)
{
	test_panel *t = tp_new(7);
	fill_noisy(t, 20, 120);
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 7, 3, 7);
	o.ensemble = FC_ENSEMBLE_CARUANA;
	fc_run *rs = NULL, *rp = NULL, *rb = NULL;
	o.ensemble_by = FC_ENSEMBLE_BY_SERIES;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &rs, NULL), 0);
	o.ensemble_by = FC_ENSEMBLE_BY_PANEL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &rp, NULL), 0);
	o.ensemble_by = FC_ENSEMBLE_BY_BLEND;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &rb, NULL), 0);
	ck_assert_ptr_nonnull(rb->ensemble_weights);
	ck_assert_uint_eq(rb->own_weights, t->p.n_series);
	size_t nc = c.n, checked = 0, differ = 0;
	double ws[64], wp[64], wb[64];
	ck_assert_uint_le(nc, 64);
	for (size_t i = 0; i < t->p.n_series; i++) {
		int all = 1;
		for (size_t k = 0; k < nc; k++)
			all &= rb->res[i].applicable[k];
		if (!all)
			continue;
		member_weights(&rs->res[i], nc, ws);
		member_weights(&rp->res[i], nc, wp);
		member_weights(&rb->res[i], nc, wb);
		for (size_t k = 0; k < nc; k++) {
			ck_assert_double_eq_tol(wp[k], rp->ensemble_weights[k], 1e-12);
			ck_assert_double_eq_tol(wb[k], 0.5 * ws[k] + 0.5 * wp[k], 1e-12);
			differ += fabs(ws[k] - wp[k]) > 1e-9;
		}
		checked++;
	}
	ck_assert_uint_gt(checked, 0);
	ck_assert_uint_gt(differ, 0); /* the two rules disagree somewhere */
	fc_run_free(rs);
	fc_run_free(rp);
	fc_run_free(rb);
	cands_free(&c);
	free(t);
}
END_TEST

/* A 54-month series with h = 18 (USAccDeaths' first 54 values, as the
 * issue measured): three folds of 18 leave 0 months before the first
 * origin, so the plan shortens the step; stl and ets, which need two years,
 * are scored on every fold, and a seasonal candidate, not naive, wins. */
START_TEST(test_short_monthly_keeps_seasonal_candidates)
{
	test_panel *t = tp_new(12);
	tp_add(t, 54);
	memcpy(t->y[0], arima_fx_2_y, 54 * sizeof(double));
	cands c = {.n = 0};
	static const char *const names[] = {"naive", "snaive", "stl", "ets"};
	for (size_t k = 0; k < 4; k++)
		c.m[c.n++] = fc_model_alloc(fc_model_lookup(names[k]), NULL);
	fc_cv_opts o = opts_for(&c, 18, 3, 18);
	o.metric = FC_METRIC_MASE;
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	const fc_series_result *res = &r->res[0];
	ck_assert_uint_eq(res->folds, 3);
	ck_assert_uint_lt(res->step, 18);
	ck_assert_int_eq(res->fallback, FC_FALLBACK_NONE);
	for (size_t k = 0; k < 4; k++) {
		ck_assert_msg(res->applicable[k], "%s was left out", names[k]);
		ck_assert_uint_eq(res->metric_count[k * FC_METRIC_COUNT + FC_METRIC_MASE], 3);
	}
	ck_assert_msg(res->best >= 1, "chose %s", res->best < 0 ? "nothing" : names[res->best]);
	ck_assert_str_eq(model_of(res)->type->name, names[res->best]);
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

/* Ensemble intervals on a hand case: naive and mean, equal weights (MEAN),
 * h = 2, three folds two steps apart (origins 4, 6, 8).  MEMBERS averages
 * the members' bounds; AUTO keeps that, both members being model-based;
 * CONFORMAL takes, per step, the largest absolute error of the ensemble's
 * fold forecast (at 90% with three folds the rank ceil(4 * 0.9) = 4 is
 * past the folds), worked out here from the data.  The point forecast is
 * the same in all three. */
static fc_run *interval_run(const fc_panel *p, cands *c, int mode)
{
	fc_cv_opts o = opts_for(c, 2, 3, 2);
	o.ensemble = FC_ENSEMBLE_MEAN;
	o.ensemble_intervals = mode;
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(p, &o, &r, NULL), 0);
	ck_assert_uint_eq(r->res[0].n_members, 2);
	return r;
}

START_TEST(test_ensemble_intervals_by_hand)
{
	static const double y[] = {3, 5, 4, 6, 8, 7, 9, 12, 10, 11};
	test_panel *t = tp_new(0);
	fc_series *s = tp_add(t, 10);
	memcpy(t->y[0], y, sizeof y);
	(void)s;
	cands c = {.n = 2};
	c.m[0] = fc_model_alloc(fc_model_lookup("naive"), NULL);
	c.m[1] = fc_model_alloc(fc_model_lookup("mean"), NULL);
	fc_run *rm = interval_run(&t->p, &c, FC_ENSEMBLE_INTERVALS_MEMBERS);
	fc_run *ra = interval_run(&t->p, &c, FC_ENSEMBLE_INTERVALS_AUTO);
	fc_run *rc = interval_run(&t->p, &c, FC_ENSEMBLE_INTERVALS_CONFORMAL);
	const fc_series_result *m = &rm->res[0];
	ck_assert_ptr_null(m->ens_err);
	ck_assert_ptr_null(ra->res[0].ens_err);
	for (size_t i = 0; i < 2; i++) {
		double lo = 0.5 * m->members[0].fc.lo[i] + 0.5 * m->members[1].fc.lo[i];
		double hi = 0.5 * m->members[0].fc.hi[i] + 0.5 * m->members[1].fc.hi[i];
		ck_assert_double_eq_tol(m->fc.lo[i], lo, 1e-12);
		ck_assert_double_eq_tol(m->fc.hi[i], hi, 1e-12);
		ck_assert(m->fc.hi[i] > m->fc.lo[i]);
		ck_assert_double_eq(ra->res[0].fc.lo[i], m->fc.lo[i]);
		ck_assert_double_eq(ra->res[0].fc.hi[i], m->fc.hi[i]);
	}
	/* the ensemble's fold errors from the data: naive = y[o-1], mean =
	 * the mean of y[0..o) */
	const fc_series_result *r = &rc->res[0];
	ck_assert_ptr_nonnull(r->ens_err);
	ck_assert_uint_eq(r->ens_folds, 3);
	double widest[2] = {0, 0};
	for (size_t k = 0; k < 3; k++) {
		size_t o = 4 + 2 * k;
		double mean = 0;
		for (size_t j = 0; j < o; j++)
			mean += y[j] / (double)o;
		for (size_t i = 0; i < 2; i++) {
			double e = y[o + i] - 0.5 * (y[o - 1] + mean);
			ck_assert_double_eq_tol(r->ens_err[k * 2 + i], e, 1e-12);
			widest[i] = fabs(e) > widest[i] ? fabs(e) : widest[i];
		}
	}
	for (size_t i = 0; i < 2; i++) {
		ck_assert_double_eq(r->fc.mean[i], m->fc.mean[i]);
		ck_assert_double_eq_tol(r->fc.lo[i], r->fc.mean[i] - widest[i], 1e-12);
		ck_assert_double_eq_tol(r->fc.hi[i], r->fc.mean[i] + widest[i], 1e-12);
		ck_assert(fabs(r->fc.lo[i] - m->fc.lo[i]) > 1e-6); /* not the members' */
	}
	fc_run_free(rm);
	fc_run_free(ra);
	fc_run_free(rc);
	cands_free(&c);
	free(t);
}
END_TEST

/* AUTO with a member whose intervals are conformal (croston): the
 * ensemble's bounds come from its own errors. */
START_TEST(test_ensemble_intervals_auto_conformal_member)
{
	static const double y[] = {3, 0, 4, 6, 0, 7, 9, 0, 10, 11};
	test_panel *t = tp_new(0);
	tp_add(t, 10);
	memcpy(t->y[0], y, sizeof y);
	cands c = {.n = 2};
	c.m[0] = fc_model_alloc(fc_model_lookup("naive"), NULL);
	c.m[1] = fc_model_alloc(fc_model_lookup("croston"), NULL);
	ck_assert(c.m[1]->type->conformal);
	fc_run *ra = interval_run(&t->p, &c, FC_ENSEMBLE_INTERVALS_AUTO);
	ck_assert_ptr_nonnull(ra->res[0].ens_err);
	ck_assert_uint_eq(ra->res[0].ens_folds, 3);
	fc_run_free(ra);
	cands_free(&c);
	free(t);
}
END_TEST

/* STACK: one set of weights for the panel (each series' members carry
 * them, renormalised over the candidates it was compared on: here all),
 * summing to 1, chosen with a finite lambda over the three folds; with one
 * fold there is no honest choice and each series keeps its best. */
START_TEST(test_stack_run)
{
	test_panel *t = tp_new(7);
	fill_noisy(t, 20, 120);
	cands c = all_kinds();
	fc_cv_opts o = opts_for(&c, 7, 3, 7);
	o.ensemble = FC_ENSEMBLE_STACK;
	fc_run *r = NULL;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	ck_assert(isfinite(r->stack_lambda) && r->stack_lambda >= 0);
	ck_assert_uint_eq(r->stack_folds, 3);
	ck_assert_uint_eq(r->stack_rows, 20 * 3 * 7);
	ck_assert_ptr_nonnull(r->ensemble_weights);
	double wsum = 0;
	for (size_t k = 0; k < c.n; k++)
		wsum += r->ensemble_weights[k];
	ck_assert_double_eq_tol(wsum, 1, 1e-12);
	double w[8];
	for (size_t i = 0; i < t->p.n_series; i++) {
		member_weights(&r->res[i], c.n, w);
		for (size_t k = 0; k < c.n; k++)
			ck_assert_double_eq_tol(w[k], r->ensemble_weights[k], 1e-12);
	}
	fc_run_free(r);
	o.folds = 1;
	ck_assert_int_eq(fc_cv_run(&t->p, &o, &r, NULL), 0);
	ck_assert(isnan(r->stack_lambda));
	ck_assert_uint_eq(r->stack_folds, 1);
	for (size_t i = 0; i < t->p.n_series; i++) {
		ck_assert_uint_eq(r->res[i].n_members, 1);
		ck_assert_int_eq(r->res[i].members[0].candidate, r->res[i].best);
	}
	fc_run_free(r);
	cands_free(&c);
	free(t);
}
END_TEST

int main(void)
{
	gsl_set_error_handler_off();
	Suite *s = suite_create("cv");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_trend_picks_drift);
	tcase_add_test(tc, test_season_picks_snaive);
	tcase_add_test(tc, test_sliding_window);
	tcase_add_test(tc, test_fewer_folds_then_naive);
	tcase_add_test(tc, test_all_missing_skipped_constant_kept);
	tcase_add_test(tc, test_same_result_any_thread_count);
	tcase_add_test(tc, test_leaderboard_wins_and_order);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_conformal_bounds);
	tcase_add_test(tc, test_global_candidate);
	tcase_add_test(tc, test_caruana_by_hand);
	tcase_add_test(tc, test_ensemble_run);
	tcase_add_test(tc, test_ensemble_blend);
	tcase_add_test(tc, test_short_monthly_keeps_seasonal_candidates);
	tcase_add_test(tc, test_ensemble_intervals_by_hand);
	tcase_add_test(tc, test_ensemble_intervals_auto_conformal_member);
	tcase_add_test(tc, test_stack_run);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
