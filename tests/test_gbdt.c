/* Tests of the histogram GBDT learner (src/models/gbdt/gbdt*.c): binning, one
 * split checked by hand (gain, leaf values, L1/L2), missing values and
 * categorical splits, every loss, monotone training loss, early stopping,
 * determinism across thread counts, save/load, parameter errors, and the
 * test error of xgboost's hist trees with matching hyperparameters on the
 * same synthetic data (tests/fixtures/gbdt_xgb.py, which writes
 * tests/data/gbdt_fixtures.h; the data are regenerated here from the same
 * splitmix64 stream).  xgboost tolerance: our test error may exceed
 * xgboost's by at most 2% (relative). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <omp.h>
#include <pthread.h>

#include "forecast/gbdt.h"
#include "models/gbdt/gbdt_private.h"
#include "data/gbdt_fixtures.h"

#define XGB_REL_TOL 0.02

/* ---- data ---- */

typedef struct splitmix {
	uint64_t s;
} splitmix;

static uint64_t sm_next(splitmix *g)
{
	uint64_t z = (g->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double sm_uniform(splitmix *g) { return (double)(sm_next(g) >> 40) / 16777216.0; }

static double sm_uniform_open(splitmix *g)
{
	return ((double)(sm_next(g) >> 11) + 0.5) / 9007199254740992.0;
}

typedef struct dataset {
	size_t n, p;
	float *x, *y;
} dataset;

static void ds_free(dataset *d)
{
	free(d->x);
	free(d->y);
}

static dataset ds_alloc(size_t n, size_t p)
{
	dataset d = {n, p, calloc(n * p, sizeof(float)), calloc(n, sizeof(float))};
	ck_assert(d.x && d.y);
	return d;
}

/* Same as gen_friedman in tests/fixtures/gbdt_xgb.py. */
static dataset gen_friedman(size_t n, uint64_t seed)
{
	splitmix g = {seed};
	dataset d = ds_alloc(n, 10);
	for (size_t r = 0; r < n; r++) {
		double v[10];
		for (int c = 0; c < 10; c++)
			v[c] = sm_uniform(&g);
		double u1 = sm_uniform_open(&g), u2 = sm_uniform_open(&g);
		double eps = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
		d.y[r] = (float)(10.0 * sin(M_PI * v[0] * v[1]) + 20.0 * pow(v[2] - 0.5, 2) +
		                 10.0 * v[3] + 5.0 * v[4] + eps);
		if (sm_uniform(&g) < 0.1)
			v[2] = NAN;
		for (int c = 0; c < 10; c++)
			d.x[(size_t)c * n + r] = (float)v[c];
	}
	return d;
}

/* Same as gen_poisson in tests/fixtures/gbdt_xgb.py. */
static dataset gen_poisson(size_t n, uint64_t seed)
{
	splitmix g = {seed};
	dataset d = ds_alloc(n, 6);
	for (size_t r = 0; r < n; r++) {
		double v[6];
		for (int c = 0; c < 6; c++)
			v[c] = sm_uniform(&g);
		double mu = exp(0.3 + v[0] - v[1] + 0.5 * sin(2.0 * M_PI * v[2]) + 0.5 * v[3] * v[4]);
		double u = sm_uniform_open(&g), pk = exp(-mu), cdf = pk;
		int k = 0;
		while (u > cdf && k < 1000) {
			k++;
			pk *= mu / k;
			cdf += pk;
		}
		d.y[r] = (float)k;
		for (int c = 0; c < 6; c++)
			d.x[(size_t)c * n + r] = (float)v[c];
	}
	return d;
}

static fc_gbdt *train(const fc_gbdt_params *p, const dataset *d, const unsigned char *cat,
                      const dataset *v)
{
	fc_err err;
	fc_err_clear(&err);
	fc_gbdt *m = NULL;
	int rc = fc_gbdt_train(p, d->x, d->n, d->p, cat, d->y, NULL, v ? v->x : NULL,
	                       v ? v->n : 0, v ? v->y : NULL, &m, &err);
	ck_assert_msg(rc == 0, "train: %s", err.msg);
	ck_assert_ptr_nonnull(m);
	return m;
}

static double rmse(const fc_gbdt *m, const dataset *d)
{
	double *pr = malloc(d->n * sizeof *pr), s = 0;
	fc_gbdt_predict(m, d->x, d->n, pr);
	for (size_t r = 0; r < d->n; r++)
		s += (d->y[r] - pr[r]) * (d->y[r] - pr[r]);
	free(pr);
	return sqrt(s / (double)d->n);
}

static double poisson_deviance(const fc_gbdt *m, const dataset *d)
{
	double *pr = malloc(d->n * sizeof *pr), s = 0;
	fc_gbdt_predict(m, d->x, d->n, pr);
	for (size_t r = 0; r < d->n; r++) {
		double y = d->y[r], mu = pr[r];
		s += 2 * ((y > 0 ? y * log(y / mu) : 0) - (y - mu));
	}
	free(pr);
	return s / (double)d->n;
}

static fc_gbdt_params tiny_params(void)
{
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 1;
	p.learning_rate = 1;
	p.num_leaves = 2;
	p.min_data_in_leaf = 1;
	p.min_sum_hessian = 0;
	return p;
}

/* ---- binning ---- */

START_TEST(test_binning)
{
	fc_err err;
	size_t n = 1000;
	float *x = malloc(2 * n * sizeof *x);
	for (size_t r = 0; r < n; r++) {
		x[r] = (float)r;              /* 1000 distinct values */
		x[n + r] = (float)(r % 5);    /* 5 distinct values */
	}
	x[3] = NAN;
	gbdt_data d;
	ck_assert_int_eq(gbdt_data_build(&d, x, n, 2, NULL, 10, &err), 0);
	ck_assert_int_eq(d.maps[0].n_value_bins, 10);
	ck_assert_int_eq(d.maps[1].n_value_bins, 5);
	/* quantile bins of 1000 distinct values: 100 rows each (one is NaN) */
	size_t cnt[11] = {0};
	for (size_t r = 0; r < n; r++)
		cnt[gbdt_bin_at(&d, 0, r)]++;
	ck_assert_uint_eq(cnt[10], 1);
	for (int b = 0; b < 10; b++)
		ck_assert_msg(cnt[b] >= 99 && cnt[b] <= 100, "bin %d has %zu rows", b, cnt[b]);
	/* edges half way between distinct values */
	ck_assert_double_eq(d.maps[1].upper[0], 0.5);
	ck_assert_double_eq(d.maps[1].upper[3], 3.5);
	ck_assert(isinf(d.maps[1].upper[4]));
	for (size_t r = 0; r < n; r++)
		ck_assert_int_eq(gbdt_bin_at(&d, 1, r), (int)(r % 5));
	gbdt_data_dispose(&d);
	free(x);
}
END_TEST

/* ---- one split by hand ---- */

/* x = 0 (4 rows, y = 1) and x = 1 (4 rows, y = 3): base 2, g = -+1, h = 1;
 * left G = 4, H = 4, right G = -4, H = 4.  gain = T(G)^2/(H + l2) summed
 * over sides (parent G = 0), leaf -T(G)/(H + l2). */
static void one_split_case(double l1, double l2, double want_gain, double want_leaf)
{
	float x[8] = {0, 0, 0, 0, 1, 1, 1, 1}, y[8] = {1, 1, 1, 1, 3, 3, 3, 3};
	fc_gbdt_params p = tiny_params();
	p.lambda_l1 = l1;
	p.lambda_l2 = l2;
	fc_err err;
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, x, 8, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	ck_assert_uint_eq(fc_gbdt_n_trees(m), 1);
	ck_assert_double_eq(fc_gbdt_base_score(m), 2);
	double gain, splits;
	fc_gbdt_importance(m, &gain, &splits);
	ck_assert_double_eq_tol(gain, want_gain, 1e-12);
	ck_assert_double_eq(splits, 1);
	float lo = 0.4f, hi = 0.6f;
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &lo, 1), 2 - want_leaf, 1e-12);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &hi, 1), 2 + want_leaf, 1e-12);
	fc_gbdt_free(m);
}

START_TEST(test_one_split)
{
	one_split_case(0, 0, 8, 1);
	one_split_case(0, 1, 2 * 16.0 / 5, 0.8);
	one_split_case(1, 0, 2 * 9.0 / 4, 0.75);
}
END_TEST

START_TEST(test_min_data_blocks_split)
{
	float x[8] = {0, 0, 0, 0, 1, 1, 1, 1}, y[8] = {1, 1, 1, 1, 3, 3, 3, 3};
	fc_gbdt_params p = tiny_params();
	p.min_data_in_leaf = 5;
	fc_err err;
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, x, 8, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	ck_assert_uint_eq(fc_gbdt_n_trees(m), 0);  /* no split possible: base score only */
	float v = 1;
	ck_assert_double_eq(fc_gbdt_predict_row(m, &v, 1), 2);
	fc_gbdt_free(m);
	/* a gain of 8 does not pass min_gain = 8 */
	p = tiny_params();
	p.min_gain = 8;
	ck_assert_int_eq(fc_gbdt_train(&p, x, 8, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	ck_assert_uint_eq(fc_gbdt_n_trees(m), 0);
	fc_gbdt_free(m);
}
END_TEST

/* Four leaves on a step function; weights count in the base score. */
START_TEST(test_leafwise_steps)
{
	size_t n = 400;
	float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	for (size_t r = 0; r < n; r++) {
		x[r] = (float)(r / 4);         /* 100 distinct values: one bin each */
		y[r] = (float)(r / 100) * 10;  /* 0, 10, 20, 30 */
	}
	fc_gbdt_params p = tiny_params();
	p.num_leaves = 4;
	fc_err err;
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	for (size_t r = 0; r < n; r++)
		ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &x[r], 1), y[r], 1e-9);
	fc_gbdt_free(m);
	/* depth 1 allows only 2 leaves */
	p.max_depth = 1;
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	double splits;
	fc_gbdt_importance(m, NULL, &splits);
	ck_assert_double_eq(splits, 1);
	fc_gbdt_free(m);
	free(x);
	free(y);
}
END_TEST

/* ---- missing values ---- */

static void missing_case(float nan_target, int want_left)
{
	size_t n = 300;
	float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	for (size_t r = 0; r < n; r++) {
		if (r % 3 == 0) {
			x[r] = NAN;
			y[r] = nan_target;
		} else {
			x[r] = (float)r / (float)n;
			y[r] = x[r] > 0.5f ? 10 : 0;
		}
	}
	fc_gbdt_params p = tiny_params();
	fc_err err;
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	float v = NAN, lo = 0.1f, hi = 0.9f;
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &lo, 1), 0, 1e-9);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &hi, 1), 10, 1e-9);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &v, 1), nan_target, 1e-9);
	ck_assert_int_eq(gbdt_booster_tree(m, 0)->default_left[0], want_left);
	fc_gbdt_free(m);
	free(x);
	free(y);
}

START_TEST(test_missing)
{
	missing_case(10, 0);
	missing_case(0, 1);
	/* missing separated from present when that is the best split */
	size_t n = 200;
	float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	for (size_t r = 0; r < n; r++) {
		x[r] = r % 2 ? NAN : (float)r;
		y[r] = r % 2 ? 7 : 1;
	}
	fc_gbdt_params p = tiny_params();
	fc_err err;
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err), 0);
	float v = NAN, a = 3, b = 1e6f;
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &v, 1), 7, 1e-9);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &a, 1), 1, 1e-9);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, &b, 1), 1, 1e-9);
	fc_gbdt_free(m);
	free(x);
	free(y);
}
END_TEST

/* ---- categorical ---- */

START_TEST(test_categorical)
{
	/* 12 categories with codes 0, 3, 6, ..., 33; odd positions have y = 10 */
	size_t n = 1200;
	float *x = malloc(2 * n * sizeof *x), *y = malloc(n * sizeof *y);
	for (size_t r = 0; r < n; r++) {
		size_t k = r % 12;
		x[r] = (float)(3 * k);
		x[n + r] = (float)((r * 7) % 13);  /* noise column */
		y[r] = k % 2 ? 10 : 0;
	}
	unsigned char cat[2] = {1, 0};
	fc_gbdt_params p = tiny_params();
	p.min_data_per_group = 1;
	p.cat_smooth = 1;
	p.cat_l2 = 0;
	p.max_cat_threshold = 64;
	fc_err err;
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, 2, cat, y, NULL, NULL, 0, NULL, &m, &err), 0);
	ck_assert_int_eq(gbdt_booster_tree(m, 0)->feature[0], 0);
	ck_assert(gbdt_booster_tree(m, 0)->is_cat[0]);
	for (size_t k = 0; k < 12; k++) {
		float row[2] = {(float)(3 * k), 1};
		ck_assert_double_eq_tol(fc_gbdt_predict_row(m, row, 1), k % 2 ? 10 : 0, 1e-9);
	}
	/* unseen, missing and non-integer codes go right, with the "other" rows */
	double want_other = fc_gbdt_predict_row(m, (float[]){42, 1}, 1);
	ck_assert_double_eq(fc_gbdt_predict_row(m, (float[]){NAN, 1}, 1), want_other);
	ck_assert_double_eq(fc_gbdt_predict_row(m, (float[]){1.5f, 1}, 1), want_other);
	ck_assert_double_eq(fc_gbdt_predict_row(m, (float[]){-3, 1}, 1), want_other);
	fc_gbdt_free(m);

	/* few categories: one against the rest */
	for (size_t r = 0; r < n; r++) {
		x[r] = (float)(r % 3);
		y[r] = r % 3 == 1 ? 5 : 0;
	}
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, 2, cat, y, NULL, NULL, 0, NULL, &m, &err), 0);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, (float[]){1, 0}, 1), 5, 1e-9);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, (float[]){0, 0}, 1), 0, 1e-9);
	ck_assert_double_eq_tol(fc_gbdt_predict_row(m, (float[]){2, 0}, 1), 0, 1e-9);
	fc_gbdt_free(m);
	free(x);
	free(y);
}
END_TEST

/* ---- learning ---- */

START_TEST(test_learns_function)
{
	splitmix g = {11};
	dataset tr = ds_alloc(3000, 2), te = ds_alloc(1000, 2);
	dataset *sets[2] = {&tr, &te};
	for (int s = 0; s < 2; s++)
		for (size_t r = 0; r < sets[s]->n; r++) {
			double a = sm_uniform(&g), b = sm_uniform(&g);
			sets[s]->x[r] = (float)a;
			sets[s]->x[sets[s]->n + r] = (float)b;
			sets[s]->y[r] = (float)(sin(2 * M_PI * a) + 2 * b);
		}
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 300;
	fc_gbdt *m = train(&p, &tr, NULL, NULL);
	double e_tr = rmse(m, &tr), e_te = rmse(m, &te);
	ck_assert_msg(e_tr < 0.03 && e_te < 0.05, "rmse train %g test %g", e_tr, e_te);
	/* the metric history ends at the training RMSE and never goes up */
	size_t n;
	const double *tm = fc_gbdt_train_metric(m, &n);
	ck_assert_uint_eq(n, 300);
	ck_assert_double_eq_tol(tm[n - 1], e_tr, 1e-9);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(tm[i] <= tm[i - 1] + 1e-12, "round %zu: %g > %g", i, tm[i], tm[i - 1]);
	/* importance: both columns used */
	double gain[2], splits[2];
	fc_gbdt_importance(m, gain, splits);
	ck_assert(gain[0] > 0 && gain[1] > 0 && splits[0] > 0 && splits[1] > 0);
	fc_gbdt_free(m);
	ds_free(&tr);
	ds_free(&te);
}
END_TEST

/* The scores kept during training are what prediction gives, also for rows
 * outside the binning sample (more rows than it) and out-of-bag rows. */
START_TEST(test_train_scores_match_predict)
{
	splitmix g = {77};
	dataset d = ds_alloc(1100000, 2);  /* more rows than the binning sample (1e6) */
	for (size_t r = 0; r < d.n; r++) {
		double a = sm_uniform(&g), b = sm_uniform(&g);
		d.x[r] = (float)a;
		d.x[d.n + r] = r % 7 == 0 ? NAN : (float)b;
		d.y[r] = (float)(a * a + 3 * b);
	}
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 5;
	p.bagging_fraction = 0.5;
	fc_gbdt *m = train(&p, &d, NULL, NULL);
	size_t n;
	const double *tm = fc_gbdt_train_metric(m, &n);
	ck_assert_double_eq_tol(tm[n - 1], rmse(m, &d), 1e-12);
	fc_gbdt_free(m);
	ds_free(&d);
}
END_TEST

/* A weight of 2 acts as a duplicated row (no row-count limits). */
START_TEST(test_weights)
{
	splitmix g = {88};
	size_t n = 600;
	dataset d = ds_alloc(n, 1), dup = ds_alloc(n + n / 3, 1);
	float *w = malloc(n * sizeof *w);
	size_t k = 0;
	for (size_t r = 0; r < n; r++) {
		d.x[r] = (float)(int)(sm_uniform(&g) * 100);  /* 100 values: one bin each */
		d.y[r] = (float)(sin(d.x[r] / 10) + sm_uniform(&g));
		w[r] = r % 3 == 0 ? 2 : 1;
		for (int c = 0; c < (int)w[r]; c++, k++) {
			dup.x[k] = d.x[r];
			dup.y[k] = d.y[r];
		}
	}
	ck_assert_uint_eq(k, dup.n);
	fc_gbdt_params p = fc_gbdt_default_params();
	p.min_data_in_leaf = 0;
	p.n_trees = 20;
	fc_err err;
	fc_gbdt *mw = NULL;
	ck_assert_int_eq(fc_gbdt_train(&p, d.x, n, 1, NULL, d.y, w, NULL, 0, NULL, &mw, &err), 0);
	fc_gbdt *md = train(&p, &dup, NULL, NULL);
	for (int v = 0; v < 100; v++) {
		float x = (float)v;
		ck_assert_double_eq_tol(fc_gbdt_predict_row(mw, &x, 1), fc_gbdt_predict_row(md, &x, 1),
		                        1e-9);
	}
	fc_gbdt_free(mw);
	fc_gbdt_free(md);
	free(w);
	ds_free(&d);
	ds_free(&dup);
}
END_TEST

/* Training loss decreases monotonically for the Newton losses. */
START_TEST(test_monotone_loss)
{
	dataset d = gen_poisson(2000, 21);
	fc_gbdt_loss losses[3] = {FC_GBDT_SQUARED, FC_GBDT_POISSON, FC_GBDT_TWEEDIE};
	for (int k = 0; k < 3; k++) {
		fc_gbdt_params p = fc_gbdt_default_params();
		p.loss = losses[k];
		p.n_trees = 60;
		fc_gbdt *m = train(&p, &d, NULL, NULL);
		size_t n;
		const double *tm = fc_gbdt_train_metric(m, &n);
		ck_assert_uint_eq(n, 60);
		for (size_t i = 1; i < n; i++)
			ck_assert_msg(tm[i] <= tm[i - 1] + 1e-12, "loss %d round %zu: %g > %g", k, i,
			              tm[i], tm[i - 1]);
		ck_assert(tm[n - 1] < tm[0]);
		fc_gbdt_free(m);
	}
	ds_free(&d);
}
END_TEST

static double mean_f(const float *v, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s / (double)n;
}

START_TEST(test_poisson_tweedie)
{
	dataset tr = gen_poisson(4000, 31), te = gen_poisson(2000, 32);
	for (int k = 0; k < 2; k++) {
		fc_gbdt_params p = fc_gbdt_default_params();
		p.loss = k ? FC_GBDT_TWEEDIE : FC_GBDT_POISSON;
		fc_gbdt *m = train(&p, &tr, NULL, NULL);
		ck_assert_double_eq_tol(fc_gbdt_base_score(m), log(mean_f(tr.y, tr.n)), 1e-12);
		/* predictions are means on the count scale, close to the true mu:
		 * mean relative error under 40% of the constant model's (0.61) */
		splitmix g = {32};
		double err = 0, err0 = 0, *pr = malloc(te.n * sizeof *pr);
		fc_gbdt_predict(m, te.x, te.n, pr);
		for (size_t r = 0; r < te.n; r++) {
			double v[6];
			for (int c = 0; c < 6; c++)
				v[c] = sm_uniform(&g);
			sm_uniform_open(&g);
			double mu = exp(0.3 + v[0] - v[1] + 0.5 * sin(2 * M_PI * v[2]) + 0.5 * v[3] * v[4]);
			ck_assert(pr[r] > 0);
			err += fabs(pr[r] - mu) / mu;
			err0 += fabs(exp(fc_gbdt_base_score(m)) - mu) / mu;
		}
		ck_assert_msg(err < 0.4 * err0, "loss %d: mean relative error of mu %g, constant %g", k,
		              err / (double)te.n, err0 / (double)te.n);
		free(pr);
		fc_gbdt_free(m);
	}
	ds_free(&tr);
	ds_free(&te);
}
END_TEST

START_TEST(test_absolute_quantile)
{
	/* y = 3 x + Laplace noise with gross outliers; the median fit ignores them */
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 5);
	dataset d = ds_alloc(4000, 1);
	for (size_t r = 0; r < d.n; r++) {
		double x = gsl_rng_uniform(rng);
		d.x[r] = (float)x;
		d.y[r] = (float)(3 * x + gsl_ran_laplace(rng, 0.2) + (r % 20 == 0 ? 100 : 0));
	}
	fc_gbdt_params p = fc_gbdt_default_params();
	p.loss = FC_GBDT_ABSOLUTE;
	fc_gbdt *m = train(&p, &d, NULL, NULL);
	for (int i = 1; i < 10; i++) {
		float v = (float)i / 10;
		double want = 3 * v + 0.2 * log(2 * 0.95) * 0; /* median of the noise is ~0 */
		ck_assert_msg(fabs(fc_gbdt_predict_row(m, &v, 1) - want) < 0.2, "x %g: %g", v,
		              fc_gbdt_predict_row(m, &v, 1));
	}
	size_t n;
	const double *tm = fc_gbdt_train_metric(m, &n);
	ck_assert(tm[n - 1] < tm[0]);
	fc_gbdt_free(m);

	/* quantile: about alpha of the training targets lie below the fit */
	double alphas[2] = {0.1, 0.9};
	for (int k = 0; k < 2; k++) {
		p.loss = FC_GBDT_QUANTILE;
		p.quantile_alpha = alphas[k];
		for (size_t r = 0; r < d.n; r++)
			d.y[r] = (float)(3 * d.x[r] + gsl_ran_gaussian(rng, 1));
		m = train(&p, &d, NULL, NULL);
		double *pr = malloc(d.n * sizeof *pr);
		fc_gbdt_predict(m, d.x, d.n, pr);
		size_t below = 0;
		for (size_t r = 0; r < d.n; r++)
			below += d.y[r] <= pr[r];
		double frac = (double)below / (double)d.n;
		ck_assert_msg(fabs(frac - alphas[k]) < 0.03, "alpha %g: %g below", alphas[k], frac);
		free(pr);
		fc_gbdt_free(m);
	}
	ds_free(&d);
	gsl_rng_free(rng);
}
END_TEST

/* ---- early stopping ---- */

START_TEST(test_early_stopping)
{
	dataset tr = gen_friedman(1000, 41), va = gen_friedman(1000, 42);
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 1000;
	p.learning_rate = 0.3;
	p.num_leaves = 63;
	p.min_data_in_leaf = 2;
	p.early_stopping_rounds = 10;
	fc_gbdt *m = train(&p, &tr, NULL, &va);
	size_t n, best = fc_gbdt_best_iteration(m);
	const double *vm = fc_gbdt_valid_metric(m, &n);
	ck_assert_ptr_nonnull(vm);
	ck_assert_msg(n < 1000, "no early stop (%zu rounds)", n);
	ck_assert_uint_eq(n, best + 11);
	for (size_t i = 0; i < n; i++)
		ck_assert(vm[best] <= vm[i]);
	ck_assert_uint_eq(fc_gbdt_n_trees(m), best + 1);
	/* the kept model scores the best validation RMSE */
	ck_assert_double_eq_tol(rmse(m, &va), vm[best], 1e-6);
	fc_gbdt_free(m);
	ds_free(&tr);
	ds_free(&va);
}
END_TEST

/* ---- determinism and save/load ---- */

static dataset gen_mixed(size_t n)
{
	dataset d = gen_friedman(n, 51);
	/* turn column 9 into a categorical code with 40 levels related to y */
	for (size_t r = 0; r < n; r++)
		d.x[9 * n + r] = (float)((size_t)(d.y[r] * 2 + 100) % 40);
	return d;
}

static char *save_text(const fc_gbdt *m)
{
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_gbdt_save(m, &b, &err), 0);
	return b.data;
}

START_TEST(test_threads_deterministic)
{
	/* large enough for every parallel loop of the learner to run threaded */
	dataset d = gen_mixed(100000);
	unsigned char cat[10] = {0};
	cat[9] = 1;
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 20;
	p.bagging_fraction = 0.8;
	p.feature_fraction = 0.7;
	p.min_data_per_group = 20;
	p.seed = 99;
	int threads[3] = {1, 2, 4};
	double *pred[3];
	char *text[3];
	for (int k = 0; k < 3; k++) {
		omp_set_num_threads(threads[k]);
		fc_gbdt *m = train(&p, &d, cat, NULL);
		pred[k] = malloc(d.n * sizeof(double));
		fc_gbdt_predict(m, d.x, d.n, pred[k]);
		text[k] = save_text(m);
		fc_gbdt_free(m);
	}
	for (int k = 1; k < 3; k++) {
		ck_assert_msg(memcmp(pred[0], pred[k], d.n * sizeof(double)) == 0,
		              "predictions differ at %d threads", threads[k]);
		ck_assert_str_eq(text[0], text[k]);
	}
	for (int k = 0; k < 3; k++) {
		free(pred[k]);
		free(text[k]);
	}
	ds_free(&d);
}
END_TEST

/* Rows binned as they come (fc_gbdt_bins: edges from the sample rows, then
 * the rows a block at a time, in reverse block order and from several
 * threads) train the learner fc_gbdt_train makes from the whole matrix,
 * byte for byte: below a million rows (the sample is every row) and above
 * (every second row). */
static void bins_case(size_t n)
{
	dataset d = gen_mixed(n);
	unsigned char cat[10] = {0};
	cat[9] = 1;
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 3;
	p.num_leaves = 15;
	p.min_data_per_group = 20;
	fc_gbdt *whole = train(&p, &d, cat, NULL);
	size_t stride = fc_gbdt_sample_stride(n), ns = (n + stride - 1) / stride;
	ck_assert_uint_eq(stride, n > 1000000 ? 2 : 1);
	float *sample = malloc(ns * d.p * sizeof *sample);
	ck_assert_ptr_nonnull(sample);
	for (size_t c = 0; c < d.p; c++)
		for (size_t r = 0; r < n; r += stride)
			sample[c * ns + r / stride] = d.x[c * n + r];
	fc_gbdt_bins *b = NULL;
	fc_err err;
	ck_assert_int_eq(fc_gbdt_bins_alloc(&p, n, d.p, cat, sample, &b, &err), 0);
	free(sample);
	ck_assert_int_eq(fc_gbdt_bins_reserve(b, &err), 0);
	size_t B = 256, nb = (n + B - 1) / B;
#pragma omp parallel
	{
		float *block = malloc(d.p * B * sizeof *block);
#pragma omp for schedule(dynamic, 8)
		for (size_t q = 0; q < nb; q++) {
			size_t r0 = (nb - 1 - q) * B, k = n - r0 < B ? n - r0 : B;
			for (size_t c = 0; c < d.p; c++)
				memcpy(block + c * B, d.x + c * n + r0, k * sizeof *block);
			fc_gbdt_bins_put(b, r0, k, block, B);
		}
		free(block);
	}
	fc_gbdt *streamed = NULL;
	ck_assert_int_eq(fc_gbdt_train_bins(&p, b, d.y, NULL, &streamed, &err), 0);
	fc_gbdt_bins_free(b);
	char *t1 = save_text(whole), *t2 = save_text(streamed);
	ck_assert_uint_gt(fc_gbdt_n_trees(whole), 0);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	fc_gbdt_free(whole);
	fc_gbdt_free(streamed);
	ds_free(&d);
}

START_TEST(test_bins_small)
{
	bins_case(20000);
}
END_TEST

START_TEST(test_bins_sampled)
{
	bins_case(1200001);
}
END_TEST

/* ---- training over processes, simulated by threads ----
 * fc_gbdt_train_part on P threads, each holding the rows r with r % P ==
 * k (interleaved, as series of a panel are over MPI ranks), with
 * collectives over shared slots and a barrier: the model is the one
 * process's, byte for byte. */
#define MAX_PARTS 3

typedef struct shared_comm {
	pthread_barrier_t bar;
	size_t size;
	int64_t *isl[MAX_PARTS];
	double *dsl[MAX_PARTS];
	void *bsl;
} shared_comm;

typedef struct part_ctx {
	shared_comm *sh;
	size_t rank;
} part_ctx;

static int sim_sum(void *ctx, int64_t *v, size_t n)
{
	part_ctx *c = ctx;
	c->sh->isl[c->rank] = v;
	pthread_barrier_wait(&c->sh->bar);
	int64_t *tot = malloc((n ? n : 1) * sizeof *tot);
	for (size_t i = 0; i < n; i++) {
		tot[i] = 0;
		for (size_t q = 0; q < c->sh->size; q++)
			tot[i] += c->sh->isl[q][i];
	}
	pthread_barrier_wait(&c->sh->bar);
	memcpy(v, tot, n * sizeof *v);
	free(tot);
	return 0;
}

static int sim_max(void *ctx, double *v, size_t n)
{
	part_ctx *c = ctx;
	c->sh->dsl[c->rank] = v;
	pthread_barrier_wait(&c->sh->bar);
	double *m = malloc((n ? n : 1) * sizeof *m);
	for (size_t i = 0; i < n; i++) {
		m[i] = -INFINITY;
		for (size_t q = 0; q < c->sh->size; q++)
			m[i] = c->sh->dsl[q][i] > m[i] ? c->sh->dsl[q][i] : m[i];
	}
	pthread_barrier_wait(&c->sh->bar);
	memcpy(v, m, n * sizeof *v);
	free(m);
	return 0;
}

static int sim_bcast(void *ctx, void *buf, size_t len, size_t root)
{
	part_ctx *c = ctx;
	if (c->rank == root)
		c->sh->bsl = buf;
	pthread_barrier_wait(&c->sh->bar);
	if (c->rank != root)
		memcpy(buf, c->sh->bsl, len);
	pthread_barrier_wait(&c->sh->bar);
	return 0;
}

typedef struct part_job {
	part_ctx ctx;
	fc_gbdt_comm comm;
	const fc_gbdt_params *p;
	const dataset *d;
	const unsigned char *cat;
	fc_gbdt *m;
	int rc;
} part_job;

static void *part_train(void *arg)
{
	part_job *j = arg;
	const dataset *d = j->d;
	size_t P = j->comm.size, me = j->comm.rank, n = 0;
	for (size_t r = me; r < d->n; r += P)
		n++;
	float *y = malloc((n ? n : 1) * sizeof *y), *block = malloc(d->p * sizeof *block);
	uint32_t *row = malloc((n ? n : 1) * sizeof *row);
	fc_gbdt_bins *b = NULL;
	fc_err err;
	/* the sample is every row (below a million) */
	j->rc = fc_gbdt_bins_alloc_sample(j->p, n, d->p, j->cat, d->x, d->n, &b, &err);
	if (!j->rc)
		j->rc = fc_gbdt_bins_reserve(b, &err);
	for (size_t q = 0, r = me; !j->rc && r < d->n; r += P, q++) {
		for (size_t c = 0; c < d->p; c++)
			block[c] = d->x[c * d->n + r];
		fc_gbdt_bins_put(b, q, 1, block, 1);
		y[q] = d->y[r];
		row[q] = (uint32_t)r;
	}
	if (!j->rc)
		j->rc = fc_gbdt_train_part(j->p, b, y, NULL, row, d->n, &j->comm, &j->m, &err);
	fc_gbdt_bins_free(b);
	free(y);
	free(block);
	free(row);
	return NULL;
}

static void parts_case(const fc_gbdt_params *p, const dataset *d, const unsigned char *cat,
                       size_t P)
{
	fc_gbdt *whole = train(p, d, cat, NULL);
	char *t1 = save_text(whole);
	shared_comm sh = {.size = P};
	pthread_barrier_init(&sh.bar, NULL, (unsigned)P);
	part_job jobs[MAX_PARTS];
	pthread_t th[MAX_PARTS];
	for (size_t k = 0; k < P; k++) {
		jobs[k] = (part_job){.ctx = {&sh, k}, .p = p, .d = d, .cat = cat};
		jobs[k].comm = (fc_gbdt_comm){.ctx = &jobs[k].ctx, .rank = k, .size = P,
		                              .sum = sim_sum, .max = sim_max, .bcast = sim_bcast};
		ck_assert_int_eq(pthread_create(&th[k], NULL, part_train, &jobs[k]), 0);
	}
	for (size_t k = 0; k < P; k++)
		pthread_join(th[k], NULL);
	pthread_barrier_destroy(&sh.bar);
	for (size_t k = 0; k < P; k++) {
		ck_assert_int_eq(jobs[k].rc, 0);
		char *t2 = save_text(jobs[k].m);
		ck_assert_msg(strcmp(t1, t2) == 0, "process %zu of %zu: a model unlike one process's", k,
		              P);
		free(t2);
		fc_gbdt_free(jobs[k].m);
	}
	ck_assert_uint_gt(fc_gbdt_n_trees(whole), 1);
	free(t1);
	fc_gbdt_free(whole);
}

START_TEST(test_train_parts)
{
	omp_set_num_threads(1);
	dataset d = gen_mixed(20000);
	unsigned char cat[10] = {0};
	cat[9] = 1;
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 8;
	p.num_leaves = 15;
	p.bagging_fraction = 0.7;
	p.feature_fraction = 0.8;
	p.min_data_per_group = 20;
	p.lambda_l1 = 0.03;
	p.seed = 5;
	parts_case(&p, &d, cat, 2);
	parts_case(&p, &d, cat, 3);
	ds_free(&d);
	dataset dp = gen_poisson(20000, 3);
	fc_gbdt_params q = fc_gbdt_default_params();
	q.loss = FC_GBDT_POISSON;
	q.n_trees = 8;
	q.bagging_fraction = 0.8;
	parts_case(&q, &dp, NULL, 2);
	ds_free(&dp);
}
END_TEST

/* The quantile losses refit leaves from every row: not over processes. */
START_TEST(test_train_parts_refuses_quantile)
{
	dataset d = gen_mixed(2000);
	fc_gbdt_params p = fc_gbdt_default_params();
	p.loss = FC_GBDT_QUANTILE;
	fc_gbdt_bins *b = NULL;
	fc_err err;
	ck_assert_int_eq(fc_gbdt_bins_alloc_sample(&p, d.n, d.p, NULL, d.x, d.n, &b, &err), 0);
	ck_assert_int_eq(fc_gbdt_bins_reserve(b, &err), 0);
	fc_gbdt_bins_put_matrix(b, d.x);
	shared_comm sh = {.size = 1};
	pthread_barrier_init(&sh.bar, NULL, 1);
	part_ctx ctx = {&sh, 0};
	fc_gbdt_comm comm = {.ctx = &ctx, .rank = 0, .size = 1, .sum = sim_sum, .max = sim_max,
	                     .bcast = sim_bcast};
	fc_gbdt *m = NULL;
	ck_assert_int_eq(fc_gbdt_train_part(&p, b, d.y, NULL, NULL, d.n, &comm, &m, &err), FC_EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(err.msg, "quantile"));
	pthread_barrier_destroy(&sh.bar);
	fc_gbdt_bins_free(b);
	ds_free(&d);
}
END_TEST

/* Copy of in with the first list element of `key` replaced by val. */
static fc_buf replace_first(const fc_buf *in, const char *key, const char *val)
{
	const char *k = strstr(in->data, key);
	ck_assert_ptr_nonnull(k);
	const char *s = k + strlen(key), *e = s;
	while (*e && *e != ',' && *e != ' ')
		e++;
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_buf_append(&b, in->data, (size_t)(s - in->data)), 0);
	ck_assert_int_eq(fc_buf_append(&b, val, strlen(val)), 0);
	ck_assert_int_eq(fc_buf_append(&b, e, strlen(e)), 0);
	return b;
}

START_TEST(test_save_load)
{
	dataset d = gen_mixed(3000);
	unsigned char cat[10] = {0};
	cat[9] = 1;
	fc_gbdt_loss losses[2] = {FC_GBDT_SQUARED, FC_GBDT_POISSON};
	for (int k = 0; k < 2; k++) {
		fc_gbdt_params p = fc_gbdt_default_params();
		p.loss = losses[k];
		p.n_trees = 20;
		p.min_data_per_group = 10;
		if (k == 1)
			for (size_t r = 0; r < d.n; r++)
				d.y[r] = fabsf(d.y[r]);
		fc_gbdt *m = train(&p, &d, cat, NULL);
		fc_buf b;
		fc_buf_init(&b);
		fc_err err;
		ck_assert_int_eq(fc_gbdt_save(m, &b, &err), 0);
		fc_gbdt *m2 = NULL;
		ck_assert_msg(fc_gbdt_load(&b, &m2, &err) == 0, "load: %s", err.msg);
		ck_assert_uint_eq(fc_gbdt_n_trees(m2), fc_gbdt_n_trees(m));
		double *p1 = malloc(d.n * sizeof *p1), *p2 = malloc(d.n * sizeof *p2);
		fc_gbdt_predict(m, d.x, d.n, p1);
		fc_gbdt_predict(m2, d.x, d.n, p2);
		ck_assert(memcmp(p1, p2, d.n * sizeof *p1) == 0);
		double g1[10], g2[10];
		fc_gbdt_importance(m, g1, NULL);
		fc_gbdt_importance(m2, g2, NULL);
		ck_assert(memcmp(g1, g2, sizeof g1) == 0);
		/* saving the loaded model gives the same text */
		char *t2 = save_text(m2);
		ck_assert_str_eq(b.data, t2);
		free(t2);
		/* another version, and a damaged node, are refused */
		fc_gbdt *bad = NULL;
		char *v = strstr(b.data, "gbdt_version=1");
		ck_assert_ptr_nonnull(v);
		v[13] = '9';
		ck_assert_int_eq(fc_gbdt_load(&b, &bad, &err), FC_EFORMAT);
		v[13] = '1';
		fc_buf c = replace_first(&b, "gbdt_left=", "0");  /* root's left child: itself */
		ck_assert_int_eq(fc_gbdt_load(&c, &bad, &err), FC_EFORMAT);
		fc_buf_dispose(&c);
		c = replace_first(&b, "gbdt_feature=", "10");  /* no such column */
		ck_assert_int_eq(fc_gbdt_load(&c, &bad, &err), FC_EFORMAT);
		fc_buf_dispose(&c);
		ck_assert_ptr_null(bad);
		fc_buf_dispose(&b);
		fc_gbdt_free(m);
		fc_gbdt_free(m2);
		free(p1);
		free(p2);
	}
	ds_free(&d);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_bad_params)
{
	fc_gbdt_params p = fc_gbdt_default_params();
	fc_err err;
	ck_assert_int_eq(fc_gbdt_set_param(&p, "num_leaves", "63", &err), 0);
	ck_assert_uint_eq(p.num_leaves, 63);
	ck_assert_int_eq(fc_gbdt_set_param(&p, "learning_rate", "0.05", &err), 0);
	ck_assert_double_eq(p.learning_rate, 0.05);
	ck_assert_int_eq(fc_gbdt_set_param(&p, "loss", "tweedie", &err), 0);
	ck_assert_int_eq(p.loss, FC_GBDT_TWEEDIE);
	ck_assert_int_eq(fc_gbdt_set_param(&p, "seed", "12345678901", &err), 0);
	ck_assert(p.seed == 12345678901ull);
	const char *bad[][2] = {
		{"num_leaves", "1"}, {"num_leaves", "-3"}, {"num_leaves", "ten"},
		{"learning_rate", "0"}, {"learning_rate", "-1"}, {"loss", "huber"},
		{"tweedie_power", "2"}, {"quantile_alpha", "1"}, {"max_bin", "256"},
		{"max_bin", "1"}, {"bagging_fraction", "0"}, {"feature_fraction", "1.5"},
		{"lambda_l2", "-1"}, {"no_such_key", "1"}, {"min_gain", "nan"},
	};
	fc_gbdt_params before = p;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		fc_err_clear(&err);
		ck_assert_msg(fc_gbdt_set_param(&p, bad[i][0], bad[i][1], &err) == FC_EINVAL, "%s=%s",
		              bad[i][0], bad[i][1]);
		ck_assert_msg(strstr(err.msg, bad[i][0]) || strstr(err.msg, bad[i][1]),
		              "message '%s' names neither key nor value", err.msg);
		ck_assert(memcmp(&p, &before, sizeof p) == 0);
	}
	/* training refuses bad params and bad data */
	float x[4] = {0, 1, 2, 3}, y[4] = {1, -1, 2, 3};
	fc_gbdt *m = NULL;
	p = fc_gbdt_default_params();
	p.num_leaves = 1;
	ck_assert_int_eq(fc_gbdt_train(&p, x, 4, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err),
	                 FC_EINVAL);
	p = fc_gbdt_default_params();
	p.loss = FC_GBDT_POISSON;
	ck_assert_int_eq(fc_gbdt_train(&p, x, 4, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err),
	                 FC_EINPUT);
	p = fc_gbdt_default_params();
	p.early_stopping_rounds = 5;
	ck_assert_int_eq(fc_gbdt_train(&p, x, 4, 1, NULL, y, NULL, NULL, 0, NULL, &m, &err),
	                 FC_EINVAL);
	float ynan[4] = {1, NAN, 2, 3};
	p = fc_gbdt_default_params();
	ck_assert_int_eq(fc_gbdt_train(&p, x, 4, 1, NULL, ynan, NULL, NULL, 0, NULL, &m, &err),
	                 FC_EINPUT);
	ck_assert_ptr_null(m);
}
END_TEST

/* ---- agreement with xgboost ---- */

static fc_gbdt_params xgb_params(void)
{
	/* as N_TREES ... MIN_CHILD_WEIGHT in tests/fixtures/gbdt_xgb.py */
	fc_gbdt_params p = fc_gbdt_default_params();
	p.n_trees = 100;
	p.learning_rate = 0.1;
	p.num_leaves = 31;
	p.max_bin = 255;
	p.lambda_l2 = 1;
	p.min_sum_hessian = 5;
	p.min_data_in_leaf = 0;
	return p;
}

/* The global model's row step: 1 at or below the cap or without one, else
 * the first step from ceil(rows / cap) up that shares no factor with a
 * whole seasonal period (7 and 365 for daily data, 24 and 168 hourly). */
START_TEST(test_row_step)
{
	const double daily[] = {7, 365.25}, hourly[] = {24, 168}, weekly[] = {52.18};
	ck_assert_uint_eq(fc_gbdt_row_step(1000, 0, daily, 2), 1);
	ck_assert_uint_eq(fc_gbdt_row_step(1000, 1000, daily, 2), 1);
	ck_assert_uint_eq(fc_gbdt_row_step(1001, 1000, daily, 2), 2);
	ck_assert_uint_eq(fc_gbdt_row_step(6500, 1000, daily, 2), 8);     /* not 7 */
	ck_assert_uint_eq(fc_gbdt_row_step(5000, 1000, daily, 2), 6);     /* not 5: 365 = 5 x 73 */
	ck_assert_uint_eq(fc_gbdt_row_step(57000000, 2000000, daily, 2), 29);
	ck_assert_uint_eq(fc_gbdt_row_step(1500, 1000, hourly, 2), 5);    /* not 2, 3 or 4 */
	ck_assert_uint_eq(fc_gbdt_row_step(12500, 1000, hourly, 2), 13);
	ck_assert_uint_eq(fc_gbdt_row_step(3900, 1000, weekly, 1), 5);    /* 4 divides 52 */
	ck_assert_uint_eq(fc_gbdt_row_step(3900, 1000, NULL, 0), 4);
}
END_TEST

START_TEST(test_xgboost_friedman)
{
	dataset tr = gen_friedman(GBDT_XGB_FRIEDMAN_N_TRAIN, 1);
	dataset te = gen_friedman(GBDT_XGB_FRIEDMAN_N_TEST, 2);
	ck_assert_float_eq_tol(tr.y[0], (float)GBDT_XGB_FRIEDMAN_Y0, 1e-5);
	fc_gbdt_params p = xgb_params();
	fc_gbdt *m = train(&p, &tr, NULL, NULL);
	double e = rmse(m, &te), ref = GBDT_XGB_FRIEDMAN_RMSE;
	printf("gbdt friedman test RMSE %.6f, xgboost %.6f, ratio %.4f\n", e, ref, e / ref);
	ck_assert_msg(e <= ref * (1 + XGB_REL_TOL), "RMSE %g vs xgboost %g", e, ref);
	fc_gbdt_free(m);
	ds_free(&tr);
	ds_free(&te);
}
END_TEST

START_TEST(test_xgboost_poisson)
{
	dataset tr = gen_poisson(GBDT_XGB_POISSON_N_TRAIN, 3);
	dataset te = gen_poisson(GBDT_XGB_POISSON_N_TEST, 4);
	ck_assert_double_eq(mean_f(tr.y, tr.n) * (double)tr.n, GBDT_XGB_POISSON_YSUM);
	fc_gbdt_params p = xgb_params();
	p.loss = FC_GBDT_POISSON;
	fc_gbdt *m = train(&p, &tr, NULL, NULL);
	double e = poisson_deviance(m, &te), ref = GBDT_XGB_POISSON_DEVIANCE;
	printf("gbdt poisson test deviance %.6f, xgboost %.6f, ratio %.4f\n", e, ref, e / ref);
	ck_assert_msg(e <= ref * (1 + XGB_REL_TOL), "deviance %g vs xgboost %g", e, ref);
	fc_gbdt_free(m);
	ds_free(&tr);
	ds_free(&te);
}
END_TEST

static Suite *gbdt_suite(void)
{
	Suite *s = suite_create("gbdt");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_binning);
	tcase_add_test(tc, test_one_split);
	tcase_add_test(tc, test_min_data_blocks_split);
	tcase_add_test(tc, test_leafwise_steps);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_categorical);
	tcase_add_test(tc, test_learns_function);
	tcase_add_test(tc, test_train_scores_match_predict);
	tcase_add_test(tc, test_weights);
	tcase_add_test(tc, test_monotone_loss);
	tcase_add_test(tc, test_poisson_tweedie);
	tcase_add_test(tc, test_absolute_quantile);
	tcase_add_test(tc, test_early_stopping);
	tcase_add_test(tc, test_threads_deterministic);
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_bad_params);
	tcase_add_test(tc, test_bins_small);
	tcase_add_test(tc, test_bins_sampled);
	tcase_add_test(tc, test_train_parts);
	tcase_add_test(tc, test_train_parts_refuses_quantile);
	tcase_add_test(tc, test_row_step);
	suite_add_tcase(s, tc);
	TCase *tx = tcase_create("xgboost");
	tcase_set_timeout(tx, 60);
	tcase_add_test(tx, test_xgboost_friedman);
	tcase_add_test(tx, test_xgboost_poisson);
	suite_add_tcase(s, tx);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(gbdt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
