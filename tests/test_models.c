/* Tests of the model layer (src/models/model.c) and the baselines naive,
 * snaive, drift (naive.c), mean and window (mean.c): hand-checked cases,
 * missing values, errors, save/load round trips, and fixtures computed by
 * R's forecast package (tests/fixtures/baselines.R). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "forecast/model.h"

/* This program tests the baselines, the first kinds of the registry. */
#define N_BASELINES 5
#include "data/baselines_fixtures.h"

static const double LEVELS[2] = {80, 95};

static fc_series make_series(const double *y, size_t n, const double *seasons, size_t n_seasons)
{
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.n = n;
	s.y = y;
	s.n_seasons = n_seasons;
	s.seasons = seasons;
	return s;
}

/* Fits a kind (with an optional "k=v" parameter text) and forecasts h steps
 * at 80 and 95%; fails the test on any error. */
static fc_model *fit_kind(const fc_model_type *type, const char *params, const fc_series *s)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(type, &err);
	ck_assert_ptr_nonnull(m);
	if (params)
		ck_assert_int_eq(fc_model_set_params_text(m, params, &err), 0);
	int rc = fc_model_fit(m, s, &err);
	ck_assert_msg(rc == 0, "fit %s: %s", type->name, err.msg);
	return m;
}

static void run_forecast(const fc_model *m, size_t h, fc_forecast *f)
{
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_forecast_init(f, h, LEVELS, 2, &err), 0);
	int rc = fc_model_forecast(m, f, &err);
	ck_assert_msg(rc == 0, "forecast %s: %s", m->type->name, err.msg);
}

static double z(double level)
{
	return gsl_cdf_ugaussian_Pinv(0.5 + level / 200);
}

#define LO(f, l, i) ((f).lo[(l) * (f).h + (i)])
#define HI(f, l, i) ((f).hi[(l) * (f).h + (i)])

/* ---- forecast results and registry --------------------------------------- */

START_TEST(test_forecast_init)
{
	fc_forecast f;
	fc_err err;
	double lv[4] = {95, 80, 95, 50};
	ck_assert_int_eq(fc_forecast_init(&f, 3, lv, 4, &err), 0);
	ck_assert_uint_eq(f.h, 3);
	ck_assert_uint_eq(f.n_levels, 3);
	ck_assert_double_eq(f.levels[0], 50);
	ck_assert_double_eq(f.levels[1], 80);
	ck_assert_double_eq(f.levels[2], 95);
	ck_assert_ptr_nonnull(f.mean);
	ck_assert_ptr_nonnull(f.lo);
	fc_forecast_dispose(&f);
	ck_assert_ptr_null(f.mean);
	fc_forecast_dispose(&f); /* twice is harmless */

	ck_assert_int_eq(fc_forecast_init(&f, 5, NULL, 0, &err), 0);
	ck_assert_uint_eq(f.n_levels, 0);
	fc_forecast_dispose(&f);

	memset(&f, 0x5a, sizeof f);
	fc_forecast before = f;
	ck_assert_int_eq(fc_forecast_init(&f, 0, lv, 1, &err), FC_EINVAL);
	double bad[2] = {80, 100};
	ck_assert_int_eq(fc_forecast_init(&f, 3, bad, 2, &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "100"));
	bad[1] = 0;
	ck_assert_int_eq(fc_forecast_init(&f, 3, bad, 2, &err), FC_EINVAL);
	bad[1] = NAN;
	ck_assert_int_eq(fc_forecast_init(&f, 3, bad, 2, &err), FC_EINVAL);
	double many[FC_MAX_LEVELS + 1];
	for (size_t i = 0; i < FC_MAX_LEVELS + 1; i++)
		many[i] = 10 + (double)i;
	ck_assert_int_eq(fc_forecast_init(&f, 3, many, FC_MAX_LEVELS + 1, &err), FC_EINVAL);
	ck_assert_int_eq(fc_forecast_init(&f, 3, NULL, 2, &err), FC_EINVAL);
	ck_assert_int_eq(memcmp(&f, &before, sizeof f), 0); /* untouched on failure */
	ck_assert_int_eq(fc_forecast_init(&f, 3, lv, 1, NULL), 0); /* NULL err is fine */
	fc_forecast_dispose(&f);
}
END_TEST

START_TEST(test_normal_bounds)
{
	fc_forecast f;
	ck_assert_int_eq(fc_forecast_init(&f, 3, LEVELS, 2, NULL), 0);
	double sd[3] = {1, 0, NAN};
	for (size_t i = 0; i < 3; i++)
		f.mean[i] = 10;
	fc_forecast_normal_bounds(&f, sd);
	ck_assert_double_eq_tol(LO(f, 0, 0), 10 - 1.2815515655446004, 1e-12);
	ck_assert_double_eq_tol(HI(f, 1, 0), 10 + 1.959963984540054, 1e-12);
	ck_assert_double_eq(LO(f, 0, 1), 10);
	ck_assert_double_eq(HI(f, 1, 1), 10);
	ck_assert(isnan(LO(f, 0, 2)) && isnan(HI(f, 1, 2)));
	fc_forecast_dispose(&f);
}
END_TEST

START_TEST(test_clip)
{
	const double pos[4] = {3, NAN, 0, 1}, neg[3] = {3, -0.5, 1};
	ck_assert(fc_clip_applies(FC_CLIP_AUTO, pos, 4));
	ck_assert(!fc_clip_applies(FC_CLIP_AUTO, neg, 3));
	ck_assert(fc_clip_applies(FC_CLIP_NONNEG, neg, 3));
	ck_assert(!fc_clip_applies(FC_CLIP_NONE, pos, 4));
	int mode;
	ck_assert(fc_clip_parse("nonneg", &mode) == 0 && mode == FC_CLIP_NONNEG);
	ck_assert_str_eq(fc_clip_name(FC_CLIP_AUTO), "auto");
	ck_assert_int_eq(fc_clip_parse("zero", &mode), -1);
	fc_forecast f;
	ck_assert_int_eq(fc_forecast_init(&f, 3, LEVELS, 2, NULL), 0);
	const double sd[3] = {1, 1, 1};
	f.mean[0] = 5;
	f.mean[1] = -0.5;
	f.mean[2] = NAN;
	fc_forecast_normal_bounds(&f, sd);
	fc_forecast_clip(&f);
	ck_assert_double_eq(f.mean[0], 5);
	ck_assert_double_eq_tol(LO(f, 1, 0), 5 - 1.959963984540054, 1e-12); /* above 0: kept */
	ck_assert_double_eq(f.mean[1], 0);
	ck_assert_double_eq(LO(f, 0, 1), 0);
	ck_assert_double_eq(LO(f, 1, 1), 0);
	ck_assert_double_eq_tol(HI(f, 0, 1), -0.5 + 1.2815515655446004, 1e-12);
	ck_assert(isnan(f.mean[2]) && isnan(LO(f, 0, 2)));
	fc_forecast_dispose(&f);
}
END_TEST

START_TEST(test_registry)
{
	const char *names[] = {"naive", "snaive", "drift", "mean", "window"};
	ck_assert_uint_ge(fc_model_kind_count(), 5); /* the baselines come first */
	for (size_t i = 0; i < 5; i++) {
		const fc_model_type *t = fc_model_kind_at(i);
		ck_assert_ptr_nonnull(t);
		ck_assert_str_eq(t->name, names[i]);
		ck_assert_ptr_eq(fc_model_lookup(names[i]), t);
		ck_assert_ptr_nonnull(t->summary);
	}
	ck_assert_ptr_eq(fc_model_lookup("naive"), fc_model_naive);
	ck_assert_ptr_eq(fc_model_lookup("snaive"), fc_model_snaive);
	ck_assert_ptr_eq(fc_model_lookup("drift"), fc_model_drift);
	ck_assert_ptr_eq(fc_model_lookup("mean"), fc_model_mean);
	ck_assert_ptr_eq(fc_model_lookup("window"), fc_model_window);
	ck_assert_ptr_null(fc_model_kind_at(fc_model_kind_count()));
	ck_assert_ptr_null(fc_model_lookup("arima-ish"));
	ck_assert_ptr_null(fc_model_lookup("Naive"));
	ck_assert_ptr_null(fc_model_lookup(NULL));
}
END_TEST

/* ---- hand-checked forecasts ---------------------------------------------- */

static const double ONE_TO_TEN[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

START_TEST(test_naive_hand)
{
	fc_series s = make_series(ONE_TO_TEN, 10, NULL, 0);
	fc_model *m = fit_kind(fc_model_naive, NULL, &s);
	fc_forecast f;
	run_forecast(m, 4, &f);
	/* residuals all 1: sigma2 = 9/9 = 1, sd_h = sqrt(h) */
	for (size_t i = 0; i < 4; i++) {
		double sd = sqrt((double)(i + 1));
		ck_assert_double_eq(f.mean[i], 10);
		ck_assert_double_eq_tol(LO(f, 0, i), 10 - z(80) * sd, 1e-12);
		ck_assert_double_eq_tol(HI(f, 0, i), 10 + z(80) * sd, 1e-12);
		ck_assert_double_eq_tol(LO(f, 1, i), 10 - z(95) * sd, 1e-12);
		ck_assert_double_eq_tol(HI(f, 1, i), 10 + z(95) * sd, 1e-12);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_drift_hand)
{
	fc_series s = make_series(ONE_TO_TEN, 10, NULL, 0);
	fc_model *m = fit_kind(fc_model_drift, NULL, &s);
	fc_forecast f;
	run_forecast(m, 5, &f);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_double_eq_tol(f.mean[i], 11 + (double)i, 1e-12);
		/* a perfect line: no residual variance */
		ck_assert_double_eq_tol(LO(f, 1, i), f.mean[i], 1e-12);
		ck_assert_double_eq_tol(HI(f, 1, i), f.mean[i], 1e-12);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* y = 0, 3, 4, 9: b = 3, residuals 0, -2, 2: sigma2 = 8/2 = 4,
	 * b.se^2 = 4/3, sd_h^2 = 4h + h^2 4/3 */
	const double y[4] = {0, 3, 4, 9};
	s = make_series(y, 4, NULL, 0);
	m = fit_kind(fc_model_drift, NULL, &s);
	run_forecast(m, 3, &f);
	for (size_t i = 0; i < 3; i++) {
		double h = (double)(i + 1), sd = sqrt(4 * h + h * h * 4.0 / 3);
		ck_assert_double_eq_tol(f.mean[i], 9 + 3 * h, 1e-12);
		ck_assert_double_eq_tol(HI(f, 0, i), 9 + 3 * h + z(80) * sd, 1e-12);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_snaive_hand)
{
	const double y[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	const double period4 = 4;
	fc_series s = make_series(y, 9, &period4, 1);
	fc_model *m = fit_kind(fc_model_snaive, NULL, &s);
	fc_forecast f;
	run_forecast(m, 9, &f);
	/* last season is 6,7,8,9 (positions 2,3,0,1 of the series' seasons) */
	const double want[9] = {6, 7, 8, 9, 6, 7, 8, 9, 6};
	for (size_t i = 0; i < 9; i++) {
		/* residuals all 4: sigma2 = 16; whole seasons ahead k = i/4 + 1 */
		double sd = sqrt(16.0 * (double)(i / 4 + 1));
		ck_assert_double_eq(f.mean[i], want[i]);
		ck_assert_double_eq_tol(LO(f, 0, i), want[i] - z(80) * sd, 1e-12);
		ck_assert_double_eq_tol(HI(f, 1, i), want[i] + z(95) * sd, 1e-12);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* an explicit period overrides the series' */
	m = fit_kind(fc_model_snaive, "period=3", &s);
	run_forecast(m, 4, &f);
	ck_assert_double_eq(f.mean[0], 7);
	ck_assert_double_eq(f.mean[1], 8);
	ck_assert_double_eq(f.mean[2], 9);
	ck_assert_double_eq(f.mean[3], 7);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_mean_hand)
{
	fc_series s = make_series(ONE_TO_TEN, 10, NULL, 0);
	fc_model *m = fit_kind(fc_model_mean, NULL, &s);
	fc_forecast f;
	run_forecast(m, 3, &f);
	double sd = sqrt(55.0 / 6); /* var(1..10) = 82.5/9 */
	for (size_t l = 0; l < 2; l++) {
		double w = gsl_cdf_tdist_Pinv(0.5 + LEVELS[l] / 200, 9) * sd * sqrt(1.1);
		for (size_t i = 0; i < 3; i++) {
			ck_assert_double_eq_tol(f.mean[i], 5.5, 1e-12);
			ck_assert_double_eq_tol(LO(f, l, i), 5.5 - w, 1e-12);
			ck_assert_double_eq_tol(HI(f, l, i), 5.5 + w, 1e-12);
		}
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_window_hand)
{
	fc_series s = make_series(ONE_TO_TEN, 10, NULL, 0);
	fc_forecast f;

	/* auto size on a non-seasonal series: 3 -> mean of 8, 9, 10 */
	fc_model *m = fit_kind(fc_model_window, NULL, &s);
	run_forecast(m, 2, &f);
	double w = gsl_cdf_tdist_Pinv(0.9, 2) * 1.0 * sqrt(1 + 1.0 / 3);
	ck_assert_double_eq_tol(f.mean[0], 9, 1e-12);
	ck_assert_double_eq_tol(LO(f, 0, 1), 9 - w, 1e-12);
	ck_assert_double_eq_tol(HI(f, 0, 1), 9 + w, 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* auto size on a series of period 4: one season -> 8.5 */
	const double period4 = 4;
	s = make_series(ONE_TO_TEN, 10, &period4, 1);
	m = fit_kind(fc_model_window, NULL, &s);
	run_forecast(m, 1, &f);
	ck_assert_double_eq_tol(f.mean[0], 8.5, 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* explicit size, and a size larger than the series: all of it */
	m = fit_kind(fc_model_window, "size=5", &s);
	run_forecast(m, 1, &f);
	ck_assert_double_eq_tol(f.mean[0], 8, 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);
	m = fit_kind(fc_model_window, "size=50", &s);
	run_forecast(m, 1, &f);
	ck_assert_double_eq_tol(f.mean[0], 5.5, 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

/* ---- missing values, short and constant series ---------------------------- */

START_TEST(test_nan_handling)
{
	fc_forecast f;
	fc_err err;

	/* naive: the last observed value; a difference across a gap of g
	 * steps counts as g steps: (3-1)^2/2 + (4-3)^2 = 3 over k = 2 */
	const double y1[5] = {1, NAN, 3, 4, NAN};
	fc_series s = make_series(y1, 5, NULL, 0);
	fc_model *m = fit_kind(fc_model_naive, NULL, &s);
	run_forecast(m, 2, &f);
	ck_assert_double_eq(f.mean[0], 4);
	ck_assert_double_eq(f.mean[1], 4);
	ck_assert_double_eq_tol(HI(f, 0, 1), 4 + z(80) * sqrt(1.5 * 2), 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* drift: slope from the first and last observations over the time
	 * between them, b = 6/4; one-step residuals -0.5, 1/sqrt(2), -0.5:
	 * SS = 1, sigma2 = 1/2, b.se^2 = sigma2 / 4 */
	const double y2[5] = {0, 1, NAN, 5, 6};
	s = make_series(y2, 5, NULL, 0);
	m = fit_kind(fc_model_drift, NULL, &s);
	run_forecast(m, 3, &f);
	for (size_t i = 0; i < 3; i++) {
		double h = (double)(i + 1), sd = sqrt(0.5 * h + h * h * 0.5 / 4);
		ck_assert_double_eq_tol(f.mean[i], 6 + 1.5 * h, 1e-12);
		ck_assert_double_eq_tol(LO(f, 1, i), 6 + 1.5 * h - z(95) * sd, 1e-12);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* snaive: per position, the last observed value in that position */
	const double period3 = 3;
	const double y3[7] = {1, 2, 3, 4, NAN, 6, NAN};
	s = make_series(y3, 7, &period3, 1);
	m = fit_kind(fc_model_snaive, NULL, &s);
	run_forecast(m, 3, &f);
	/* next steps are positions 1, 2, 0 (0-based, from the series start) */
	ck_assert_double_eq(f.mean[0], 2);
	ck_assert_double_eq(f.mean[1], 6);
	ck_assert_double_eq(f.mean[2], 4);
	ck_assert(isfinite(LO(f, 0, 0)) && isfinite(HI(f, 1, 2)));
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* snaive: a position never observed is a model failure */
	const double y4[6] = {1, NAN, 3, 4, NAN, 6};
	s = make_series(y4, 6, &period3, 1);
	m = fc_model_alloc(fc_model_snaive, &err);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "no observation for season position 2 of 3"));
	ck_assert_int_eq(m->fitted, 0);
	fc_model_free(m);

	/* mean and window ignore missing values */
	const double y5[5] = {1, NAN, 3, NAN, NAN};
	s = make_series(y5, 5, NULL, 0);
	m = fit_kind(fc_model_mean, NULL, &s);
	run_forecast(m, 1, &f);
	double w = gsl_cdf_tdist_Pinv(0.9, 1) * sqrt(2.0) * sqrt(1.5);
	ck_assert_double_eq_tol(f.mean[0], 2, 1e-12);
	ck_assert_double_eq_tol(HI(f, 0, 0), 2 + w, 1e-9);
	fc_forecast_dispose(&f);
	fc_model_free(m);
	const double y6[6] = {100, 1, NAN, 2, 6, NAN};
	s = make_series(y6, 6, NULL, 0);
	m = fit_kind(fc_model_window, "size=3", &s);
	run_forecast(m, 1, &f);
	ck_assert_double_eq_tol(f.mean[0], 3, 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_no_observations)
{
	const double y[3] = {NAN, NAN, NAN};
	const double period3 = 3;
	fc_series all_nan = make_series(y, 3, &period3, 1);
	fc_series empty = make_series(NULL, 0, &period3, 1);
	for (size_t k = 0; k < N_BASELINES; k++) {
		fc_err err;
		fc_model *m = fc_model_alloc(fc_model_kind_at(k), &err);
		ck_assert_int_eq(fc_model_fit(m, &all_nan, &err), FC_EMODEL);
		ck_assert_msg(strstr(err.msg, "no observed values") != NULL, "%s", err.msg);
		ck_assert_int_eq(fc_model_fit(m, &empty, &err), FC_EMODEL);
		ck_assert_int_eq(m->fitted, 0);
		fc_model_free(m);
	}
}
END_TEST

START_TEST(test_short_series)
{
	fc_forecast f;
	fc_err err;
	const double one = 42;
	fc_series s = make_series(&one, 1, NULL, 0);

	/* one observation: point forecast, NaN bounds (sigma not estimable) */
	const fc_model_type *kinds[3] = {fc_model_naive, fc_model_mean, fc_model_window};
	for (size_t k = 0; k < 3; k++) {
		fc_model *m = fit_kind(kinds[k], NULL, &s);
		run_forecast(m, 2, &f);
		ck_assert_double_eq(f.mean[0], 42);
		ck_assert_double_eq(f.mean[1], 42);
		ck_assert(isnan(LO(f, 0, 0)) && isnan(HI(f, 1, 1)));
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}

	fc_model *m = fc_model_alloc(fc_model_drift, &err);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "at least 2"));
	/* two values: a slope, but no residual variance estimate */
	const double two[2] = {1, 3};
	s = make_series(two, 2, NULL, 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	run_forecast(m, 2, &f);
	ck_assert_double_eq(f.mean[0], 5);
	ck_assert_double_eq(f.mean[1], 7);
	ck_assert(isnan(LO(f, 0, 0)));
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* snaive: shorter than a season fails; exactly one season has no
	 * residual; a non-seasonal series is not applicable */
	const double period4 = 4;
	const double y[4] = {1, 2, 3, 4};
	s = make_series(y, 3, &period4, 1);
	m = fc_model_alloc(fc_model_snaive, &err);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "one full season"));
	s.n = 4;
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	run_forecast(m, 5, &f);
	ck_assert_double_eq(f.mean[4], 1);
	ck_assert(isnan(HI(f, 1, 0)));
	fc_forecast_dispose(&f);
	s = make_series(y, 4, NULL, 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "period"));
	ck_assert_int_eq(m->fitted, 0); /* the previous fit was released */
	fc_model_free(m);
}
END_TEST

START_TEST(test_constant_series)
{
	double y[12];
	for (size_t i = 0; i < 12; i++)
		y[i] = 0.1;
	const double period4 = 4;
	fc_series s = make_series(y, 12, &period4, 1);
	for (size_t k = 0; k < N_BASELINES; k++) {
		fc_model *m = fit_kind(fc_model_kind_at(k), NULL, &s);
		fc_forecast f;
		run_forecast(m, 9, &f);
		for (size_t i = 0; i < 9; i++) {
			ck_assert_msg(f.mean[i] == 0.1, "%s mean %.17g", m->type->name, f.mean[i]);
			for (size_t l = 0; l < 2; l++) {
				ck_assert_msg(LO(f, l, i) == 0.1 && HI(f, l, i) == 0.1,
				              "%s step %zu level %zu: [%.17g, %.17g]", m->type->name,
				              i, l, LO(f, l, i), HI(f, l, i));
			}
		}
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}
}
END_TEST

/* ---- parameters and errors ------------------------------------------------ */

START_TEST(test_params)
{
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_snaive, &err);
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(m->type->save_params(m->params, &b, &err), 0);
	ck_assert_str_eq(b.data, "period=0");
	fc_buf_dispose(&b);

	ck_assert_int_eq(fc_model_set_param(m, "foo", "1", &err), FC_EINVAL);
	ck_assert_str_eq(err.msg, "model 'snaive' has no parameter 'foo'; it has: period");
	const char *bad[] = {"-1", "1.5", "abc", "", " 7", "7 ", "1", "+7", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(fc_model_set_param(m, "period", bad[i], &err) == FC_EINVAL, "'%s'", bad[i]);
		ck_assert_ptr_nonnull(strstr(err.msg, "period"));
	}
	ck_assert_int_eq(fc_model_set_param(m, "period", "7", &err), 0);
	fc_buf_init(&b);
	ck_assert_int_eq(m->type->save_params(m->params, &b, &err), 0);
	ck_assert_str_eq(b.data, "period=7");
	fc_buf_dispose(&b);

	/* a failing text changes nothing */
	ck_assert_int_eq(fc_model_set_params_text(m, "period=12 foo=1", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_params_text(m, "period", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_params_text(m, "=3", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_params_text(m, "period=x", &err), FC_EINVAL);
	fc_series s = make_series(ONE_TO_TEN, 10, NULL, 0);
	ck_assert_uint_eq(fc_model_min_length(m, &s), 7);
	ck_assert_int_eq(fc_model_set_params_text(m, "  period=3\t", &err), 0);
	ck_assert_uint_eq(fc_model_min_length(m, &s), 3);
	ck_assert_int_eq(fc_model_set_params_text(m, "", &err), 0);
	ck_assert_int_eq(fc_model_set_params_text(m, "params period=4\n", &err), 0);
	ck_assert_uint_eq(fc_model_min_length(m, &s), 4);

	/* clones keep parameters, not the fit */
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	fc_model *c = fc_model_clone_unfitted(m, &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->fitted, 0);
	ck_assert_uint_eq(fc_model_min_length(c, &s), 4);
	fc_model_free(c);

	/* changing a parameter discards the fit; setting the same keeps it */
	ck_assert_int_eq(fc_model_set_param(m, "period", "4", &err), 0);
	ck_assert_int_eq(m->fitted, 1);
	ck_assert_int_eq(fc_model_set_param(m, "period", "5", &err), 0);
	ck_assert_int_eq(m->fitted, 0);
	fc_model_free(m);

	/* kinds without parameters */
	const fc_model_type *none[] = {fc_model_naive, fc_model_drift, fc_model_mean};
	for (size_t k = 0; k < 3; k++) {
		m = fc_model_alloc(none[k], &err);
		ck_assert_int_eq(fc_model_set_param(m, "period", "3", &err), FC_EINVAL);
		ck_assert_ptr_nonnull(strstr(err.msg, "has no parameter 'period'"));
		ck_assert_int_eq(fc_model_set_params_text(m, "x=1", &err), FC_EINVAL);
		ck_assert_int_eq(fc_model_set_params_text(m, "", &err), 0);
		fc_model_free(m);
	}

	m = fc_model_alloc(fc_model_window, &err);
	ck_assert_int_eq(fc_model_set_param(m, "period", "3", &err), FC_EINVAL);
	ck_assert_str_eq(err.msg, "model 'window' has no parameter 'period'; it has: size");
	ck_assert_int_eq(fc_model_set_param(m, "size", "-2", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "size", "4", &err), 0);
	fc_model_free(m);
}
END_TEST

START_TEST(test_min_length)
{
	const double period12 = 12, period1 = 1;
	fc_series seasonal = make_series(ONE_TO_TEN, 10, &period12, 1);
	fc_series plain = make_series(ONE_TO_TEN, 10, &period1, 1);
	const size_t want_seasonal[5] = {1, 12, 2, 1, 1};
	const size_t want_plain[5] = {1, 0, 2, 1, 1};
	for (size_t k = 0; k < 5; k++) {
		fc_model *m = fc_model_alloc(fc_model_kind_at(k), NULL);
		ck_assert_uint_eq(fc_model_min_length(m, &seasonal), want_seasonal[k]);
		ck_assert_uint_eq(fc_model_min_length(m, &plain), want_plain[k]);
		fc_model_free(m);
	}
	ck_assert_uint_eq(fc_model_min_length(NULL, &plain), 0);
}
END_TEST

START_TEST(test_errors)
{
	fc_err err;
	fc_forecast f;
	ck_assert_ptr_null(fc_model_alloc(NULL, &err));
	ck_assert_int_eq(err.code, FC_EINVAL);

	fc_model *m = fc_model_alloc(fc_model_naive, &err);
	ck_assert_int_eq(fc_forecast_init(&f, 3, LEVELS, 2, &err), 0);
	ck_assert_int_eq(fc_model_forecast(m, &f, &err), FC_EINVAL);
	ck_assert_str_eq(err.msg, "model 'naive' is not fitted");
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), FC_EINVAL);
	ck_assert_uint_eq(b.len, 0);

	ck_assert_int_eq(fc_model_fit(m, NULL, &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_fit(NULL, NULL, NULL), FC_EINVAL);
	const double inf[3] = {1, INFINITY, 2};
	fc_series s = make_series(inf, 3, NULL, 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "value 2"));
	fc_series nodata = make_series(NULL, 3, NULL, 0);
	ck_assert_int_eq(fc_model_fit(m, &nodata, &err), FC_EINVAL);

	s = make_series(ONE_TO_TEN, 10, NULL, 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	fc_forecast bad;
	memset(&bad, 0, sizeof bad);
	ck_assert_int_eq(fc_model_forecast(m, &bad, &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_forecast(m, NULL, &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_forecast(m, &f, &err), 0);
	ck_assert_int_eq(fc_model_forecast(m, &f, NULL), 0);
	/* refitting releases the previous fit (checked by the sanitizers) */
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	fc_forecast_dispose(&f);
	fc_model_free(m);
	fc_model_free(NULL);
	ck_assert_ptr_null(fc_model_clone_unfitted(NULL, &err));
	ck_assert_int_eq(fc_model_set_params_text(NULL, "", &err), FC_EINVAL);
}
END_TEST

/* ---- save / load ---------------------------------------------------------- */

/* Saves m, loads it back from the two lines, and checks that forecasts and
 * intervals are bit-identical. */
static void check_round_trip(const fc_model *m, size_t h)
{
	fc_err err;
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_msg(strncmp(b.data, "params", 6) == 0, "%s", b.data);
	char *nl = strchr(b.data, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_msg(strncmp(nl + 1, "state ", 6) == 0, "%s", b.data);
	ck_assert_int_eq(b.data[b.len - 1], '\n');
	ck_assert(strchr(nl + 1, '\n') == b.data + b.len - 1); /* exactly two lines */

	*nl = '\0';
	fc_model *l = fc_model_load(m->type, b.data, nl + 1, &err);
	ck_assert_msg(l != NULL, "load %s: %s", m->type->name, err.msg);
	ck_assert_int_eq(l->fitted, 1);

	fc_forecast a, c;
	run_forecast(m, h, &a);
	run_forecast(l, h, &c);
	ck_assert_int_eq(memcmp(a.mean, c.mean, h * sizeof(double)), 0);
	ck_assert_int_eq(memcmp(a.lo, c.lo, 2 * h * sizeof(double)), 0);
	ck_assert_int_eq(memcmp(a.hi, c.hi, 2 * h * sizeof(double)), 0);

	/* and saving the loaded model writes the same text */
	fc_buf b2;
	fc_buf_init(&b2);
	ck_assert_int_eq(fc_model_save(l, &b2, &err), 0);
	*nl = '\n';
	ck_assert_str_eq(b.data, b2.data);

	fc_forecast_dispose(&a);
	fc_forecast_dispose(&c);
	fc_buf_dispose(&b);
	fc_buf_dispose(&b2);
	fc_model_free(l);
}

START_TEST(test_save_load_round_trip)
{
	const bl_fixture *fx = &bl_fixtures[0];
	const double period = fx->period;
	fc_series s = make_series(fx->y, fx->n, &period, 1);
	double ynan[30];
	for (size_t i = 0; i < 30; i++)
		ynan[i] = i % 7 == 3 ? NAN : sin((double)i) * 10 + (double)i / 3;
	const double period5 = 5;
	fc_series snan = make_series(ynan, 30, &period5, 1);
	const double one = 7;
	fc_series sone = make_series(&one, 1, NULL, 0);
	for (size_t k = 0; k < N_BASELINES; k++) {
		const fc_model_type *t = fc_model_kind_at(k);
		fc_model *m = fit_kind(t, NULL, &s);
		check_round_trip(m, 30);
		fc_model_free(m);
		m = fit_kind(t, NULL, &snan);
		check_round_trip(m, 11);
		fc_model_free(m);
		if (t != fc_model_snaive && t != fc_model_drift) { /* NaN sigma */
			m = fit_kind(t, NULL, &sone);
			check_round_trip(m, 3);
			fc_model_free(m);
		}
	}
	fc_model *m = fit_kind(fc_model_window, "size=7", &s);
	check_round_trip(m, 5);
	fc_model_free(m);
}
END_TEST

START_TEST(test_save_format)
{
	fc_err err;
	fc_series s = make_series(ONE_TO_TEN, 10, NULL, 0);
	fc_model *m = fit_kind(fc_model_naive, NULL, &s);
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_str_eq(b.data, "params\nstate lag=1 future=10 drift=0 drift_se=0 sigma2=1\n");
	fc_buf_dispose(&b);
	fc_model_free(m);

	m = fit_kind(fc_model_window, "size=2", &s);
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_str_eq(b.data, "params size=2\nstate mean=9.5 sd=0.70710678118654757 n=2\n");
	fc_buf_dispose(&b);
	fc_model_free(m);

	/* bare tokens load as well as tagged lines */
	m = fc_model_load(fc_model_snaive, "period=2", "lag=2 future=5,6 drift=0 drift_se=0 sigma2=4", &err);
	ck_assert_msg(m != NULL, "%s", err.msg);
	fc_forecast f;
	run_forecast(m, 3, &f);
	ck_assert_double_eq(f.mean[0], 5);
	ck_assert_double_eq(f.mean[1], 6);
	ck_assert_double_eq(f.mean[2], 5);
	ck_assert_double_eq_tol(HI(f, 0, 2), 5 + z(80) * sqrt(8.0), 1e-12);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_load_errors)
{
	struct {
		const fc_model_type *const *type;
		const char *params, *state;
		int code;
	} cases[] = {
		{&fc_model_naive, "params", "state future=1 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1 future=1 drift=0 drift_se=0", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1 future=x drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1 future=1,2 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=2 future=1,2 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1 future=1 drift=2 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1 future=nan drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1 future=1 drift=0 drift_se=0 sigma2=-1", FC_EFORMAT},
		{&fc_model_naive, "params", "state lag=1x future=1 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_naive, "params foo=1", "state lag=1 future=1 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_snaive, "params period=abc", "state lag=2 future=1,2 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_snaive, "params period=2", "state lag=1 future=1 drift=0 drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_drift, "params", "state lag=1 future=1 drift=inf drift_se=0 sigma2=1", FC_EFORMAT},
		{&fc_model_mean, "params", "state mean=1 sd=1", FC_EFORMAT},
		{&fc_model_mean, "params", "state mean=1 sd=-1 n=3", FC_EFORMAT},
		{&fc_model_mean, "params", "state mean=1 sd=1 n=0", FC_EFORMAT},
		{&fc_model_mean, "params", "state mean=nan sd=1 n=3", FC_EFORMAT},
		{&fc_model_window, "params size=-1", "state mean=1 sd=1 n=3", FC_EFORMAT},
		{&fc_model_window, "params size=3", "", FC_EFORMAT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fc_err err;
		fc_err_clear(&err);
		fc_model *m = fc_model_load(*cases[i].type, cases[i].params, cases[i].state, &err);
		ck_assert_msg(m == NULL, "case %zu loaded", i);
		ck_assert_msg(err.code == cases[i].code, "case %zu: code %d (%s)", i, err.code, err.msg);
		ck_assert_msg(err.msg[0] != '\0', "case %zu: no message", i);
	}
	fc_err err;
	ck_assert_ptr_null(fc_model_load(fc_model_naive, NULL, "", &err));
	ck_assert_int_eq(err.code, FC_EINVAL);
	/* the message names the bad key */
	ck_assert_ptr_null(fc_model_load(fc_model_mean, "", "mean=1 n=3", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "'sd'"));
}
END_TEST

/* ---- fixtures from R's forecast package ------------------------------------ */

static void check_close(const char *what, const char *series, const char *arr, size_t i,
                        double got, double want)
{
	double tol = 1e-6 * fabs(want) + 1e-12;
	ck_assert_msg(fabs(got - want) <= tol, "%s on %s: %s[%zu] = %.17g, R gives %.17g",
	              what, series, arr, i, got, want);
}

static void check_against_r(const fc_model_type *type, const char *params, const fc_series *s,
                            const bl_fixture *fx, const bl_expect *e)
{
	fc_model *m = fit_kind(type, params, s);
	fc_forecast f;
	run_forecast(m, fx->h, &f);
	for (size_t i = 0; i < fx->h; i++) {
		check_close(type->name, fx->name, "mean", i, f.mean[i], e->mean[i]);
		check_close(type->name, fx->name, "lo80", i, LO(f, 0, i), e->lo80[i]);
		check_close(type->name, fx->name, "hi80", i, HI(f, 0, i), e->hi80[i]);
		check_close(type->name, fx->name, "lo95", i, LO(f, 1, i), e->lo95[i]);
		check_close(type->name, fx->name, "hi95", i, HI(f, 1, i), e->hi95[i]);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}

START_TEST(test_r_fixtures)
{
	const bl_fixture *fx = &bl_fixtures[_i];
	const double period = fx->period;
	fc_series s = make_series(fx->y, fx->n, &period, 1);
	check_against_r(fc_model_naive, NULL, &s, fx, &fx->naive);
	if (fx->has_snaive)
		check_against_r(fc_model_snaive, NULL, &s, fx, &fx->snaive);
	else {
		fc_model *m = fc_model_alloc(fc_model_snaive, NULL);
		ck_assert_uint_eq(fc_model_min_length(m, &s), 0); /* not applicable */
		fc_model_free(m);
	}
	check_against_r(fc_model_drift, NULL, &s, fx, &fx->drift);
	check_against_r(fc_model_mean, NULL, &s, fx, &fx->mean);
	check_against_r(fc_model_window, NULL, &s, fx, &fx->window); /* auto size */
}
END_TEST

static Suite *models_suite(void)
{
	Suite *su = suite_create("models");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_forecast_init);
	tcase_add_test(tc, test_normal_bounds);
	tcase_add_test(tc, test_clip);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_naive_hand);
	tcase_add_test(tc, test_drift_hand);
	tcase_add_test(tc, test_snaive_hand);
	tcase_add_test(tc, test_mean_hand);
	tcase_add_test(tc, test_window_hand);
	tcase_add_test(tc, test_nan_handling);
	tcase_add_test(tc, test_no_observations);
	tcase_add_test(tc, test_short_series);
	tcase_add_test(tc, test_constant_series);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_min_length);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_save_load_round_trip);
	tcase_add_test(tc, test_save_format);
	tcase_add_test(tc, test_load_errors);
	suite_add_tcase(su, tc);
	TCase *tr = tcase_create("r_fixtures");
	tcase_add_loop_test(tr, test_r_fixtures, 0, (int)BL_N_FIXTURES);
	suite_add_tcase(su, tr);
	return su;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(models_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
