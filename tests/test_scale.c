/* Tests of the log1p and Box-Cox scales of the local kinds
 * (src/models/scale.c and their use in src/models/model.c): Guerrero's
 * lambda and bias-adjusted forecasts against R's forecast package
 * (tests/fixtures/boxcox.R), the log1p round trip and adjustment by hand,
 * series that cannot take a transform, the guard on the bias adjustment,
 * the flag's parser, and the model lines' round trip. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "forecast/model.h"
#include "forecast/scale.h"
#include "data/boxcox_fixtures.h"

static const double LEVELS[2] = {80, 95};

static fc_series make_series(const double *y, size_t n, const double *season)
{
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.n = n;
	s.y = y;
	if (season && *season >= 2) {
		s.n_seasons = 1;
		s.seasons = season;
	}
	return s;
}

/* A model of kind name with params and scale, fitted to s; fails the
 * test on error. */
static fc_model *fit_scaled(const char *name, const char *params, fc_scale sc, const fc_series *s)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(fc_model_lookup(name), &err);
	ck_assert_ptr_nonnull(m);
	if (params && *params)
		ck_assert_int_eq(fc_model_set_params_text(m, params, &err), 0);
	m->scale = sc;
	int rc = fc_model_fit(m, s, &err);
	ck_assert_msg(rc == 0, "fit %s: %s", name, err.msg);
	return m;
}

static void run_forecast(const fc_model *m, size_t h, fc_forecast *f)
{
	fc_err err;
	ck_assert_int_eq(fc_forecast_init(f, h, LEVELS, 2, &err), 0);
	int rc = fc_model_forecast(m, f, &err);
	ck_assert_msg(rc == 0, "forecast %s: %s", m->type->name, err.msg);
}

static double rel(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-12);
}

/* ---- against R --------------------------------------------------------- */

START_TEST(test_guerrero_matches_r)
{
	for (size_t i = 0; i < BC_N_SERIES; i++) {
		const bc_series *s = &bc_series_all[i];
		double l = fc_boxcox_guerrero(s->y, s->n, (size_t)s->period);
		ck_assert_msg(fabs(l - s->lambda) < 1e-6, "%s: lambda %.10g, R %.10g", s->name, l,
		              s->lambda);
	}
}
END_TEST

/* The median of case c's forecast by another path: the kind fitted
 * without a scale to the series transformed with lambda, its point
 * forecast mapped back without adjustment, into median[0..h). */
static void median_path(const bc_case *c, double lambda, double *median)
{
	const bc_series *s = &bc_series_all[c->series];
	fc_scale sc = {.kind = FC_SCALE_BOXCOX, .lambda = lambda};
	double *z = malloc(s->n * sizeof *z);
	ck_assert_ptr_nonnull(z);
	fc_scale_apply(&sc, s->y, s->n, z);
	fc_series y = make_series(z, s->n, &s->period);
	fc_model *m = fit_scaled(c->kind, c->params, (fc_scale){.kind = FC_SCALE_NONE}, &y);
	fc_forecast f;
	run_forecast(m, c->h, &f);
	for (size_t i = 0; i < c->h; i++)
		median[i] = fc_scale_invert(&sc, f.mean[i]);
	fc_forecast_dispose(&f);
	fc_model_free(m);
	free(z);
}

/* Compares the forecast of case c with R's: tol relative for the mean
 * and the bounds (relative to the 95% interval's width).  Where R's
 * bias-adjusted mean is not finite or leaves R's own 95% interval (or
 * that interval has no upper bound), ours is the median instead (the
 * guard of fc_scale_invert_mean_guarded), checked against median_path;
 * returns the number of such steps. */
static size_t check_case(const bc_case *c, double lambda, const fc_forecast *f, double tol)
{
	const char *name = bc_series_all[c->series].name;
	double *median = malloc(c->h * sizeof *median);
	ck_assert_ptr_nonnull(median);
	median_path(c, lambda, median);
	size_t guarded = 0;
	for (size_t i = 0; i < c->h; i++) {
		int out = !(isfinite(c->mean[i]) && c->mean[i] >= c->lo95[i] && c->mean[i] <= c->hi95[i]);
		guarded += (size_t)out;
		if (out)
			ck_assert_msg(rel(f->mean[i], median[i]) < tol,
			              "%s %s lambda %g step %zu: %.12g, the median %.12g (R's mean %.12g "
			              "is out of its interval)", name, c->kind, c->lambda, i + 1, f->mean[i],
			              median[i], c->mean[i]);
		else
			ck_assert_msg(rel(f->mean[i], c->mean[i]) < tol,
			              "%s %s lambda %g step %zu: %.12g, R %.12g", name, c->kind, c->lambda,
			              i + 1, f->mean[i], c->mean[i]);
		double w = c->hi95[i] - c->lo95[i];
		const double *want[4] = {c->lo80, c->hi80, c->lo95, c->hi95};
		const double got[4] = {f->lo[i], f->hi[i], f->lo[c->h + i], f->hi[c->h + i]};
		for (int k = 0; k < 4; k++) {
			/* R's NA: a bound past the range of a negative lambda */
			if (isnan(want[k][i])) {
				ck_assert_msg(isnan(got[k]), "%s %s step %zu bound %d: %g, R NA", name,
				              c->kind, i + 1, k, got[k]);
				continue;
			}
			ck_assert_msg(fabs(got[k] - want[k][i]) < tol * (isfinite(w) ? w : fabs(want[k][i])),
			              "%s %s lambda %g step %zu bound %d: %.12g, R %.12g", name, c->kind,
			              c->lambda, i + 1, k, got[k], want[k][i]);
		}
	}
	free(median);
	return guarded;
}

START_TEST(test_biasadj_baselines_match_r)
{
	size_t tried = 0, guarded = 0;
	for (size_t k = 0; k < BC_N_CASES; k++) {
		const bc_case *c = &bc_cases[k];
		if (strcmp(c->kind, "ets") == 0)
			continue;
		const bc_series *s = &bc_series_all[c->series];
		fc_series y = make_series(s->y, s->n, &s->period);
		fc_model *m = fit_scaled(c->kind, c->params,
		                         (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = c->lambda}, &y);
		ck_assert_int_eq(m->applied.kind, FC_SCALE_BOXCOX);
		fc_forecast f;
		run_forecast(m, c->h, &f);
		guarded += check_case(c, c->lambda, &f, 1e-9);
		fc_forecast_dispose(&f);
		fc_model_free(m);
		tried++;
	}
	ck_assert_uint_ge(tried, 20);
	/* R's own fixtures blow up (UKgas, lambda -0.45): the guard is tested */
	ck_assert_uint_gt(guarded, 0);
}
END_TEST

/* lambda auto through the model layer: the lambda of the fit is R's and
 * so is the forecast. */
START_TEST(test_auto_lambda_forecast_matches_r)
{
	for (size_t k = 0; k < BC_N_CASES; k++) {
		const bc_case *c = &bc_cases[k];
		const bc_series *s = &bc_series_all[c->series];
		if (strcmp(c->kind, "naive") != 0 || c->lambda != s->lambda)
			continue;
		fc_series y = make_series(s->y, s->n, &s->period);
		fc_model *m = fit_scaled("naive", "", (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = NAN}, &y);
		ck_assert_int_eq(m->applied.kind, FC_SCALE_BOXCOX);
		ck_assert_double_eq_tol(m->applied.lambda, s->lambda, 1e-6);
		fc_forecast f;
		run_forecast(m, c->h, &f);
		check_case(c, m->applied.lambda, &f, 1e-6);
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}
}
END_TEST

/* ets(ANN/AAN) on the Box-Cox scale: estimated by both, so as loose as
 * tests/test_ets.c's comparison of forecasts (1%). */
START_TEST(test_biasadj_ets_close_to_r)
{
	size_t tried = 0;
	for (size_t k = 0; k < BC_N_CASES; k++) {
		const bc_case *c = &bc_cases[k];
		if (strcmp(c->kind, "ets") != 0)
			continue;
		const bc_series *s = &bc_series_all[c->series];
		fc_series y = make_series(s->y, s->n, &s->period);
		fc_model *m = fit_scaled("ets", c->params,
		                         (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = c->lambda}, &y);
		fc_forecast f;
		run_forecast(m, c->h, &f);
		for (size_t i = 0; i < c->h; i++)
			ck_assert_msg(rel(f.mean[i], c->mean[i]) < 0.01, "%s ets step %zu: %g, R %g", s->name,
			              i + 1, f.mean[i], c->mean[i]);
		fc_forecast_dispose(&f);
		fc_model_free(m);
		tried++;
	}
	ck_assert_uint_eq(tried, BC_N_SERIES);
}
END_TEST

/* ---- log1p --------------------------------------------------------------- */

START_TEST(test_log1p_round_trip)
{
	const double y[] = {0, 1, 2.5, 7, 0, 13, 100, -0.5, NAN, 1e6};
	size_t n = sizeof y / sizeof y[0];
	double z[10];
	fc_scale sc = {.kind = FC_SCALE_LOG1P, .lambda = NAN}, ap;
	char why[96];
	ck_assert_int_eq(fc_scale_forward(&sc, 1, y, n, z, &ap, why, sizeof why), 0);
	ck_assert_int_eq(ap.kind, FC_SCALE_LOG1P);
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i])) {
			ck_assert(isnan(z[i]));
			continue;
		}
		ck_assert_double_eq_tol(z[i], log1p(y[i]), 1e-15);
		ck_assert_double_eq_tol(fc_scale_invert(&ap, z[i]), y[i], 1e-12 * fmax(1, y[i]));
		/* no variance: no adjustment */
		ck_assert_double_eq_tol(fc_scale_invert_mean(&ap, z[i], NAN), y[i], 1e-12 * fmax(1, y[i]));
	}
	/* the adjustment of the log case, minus 1 */
	ck_assert_double_eq_tol(fc_scale_invert_mean(&ap, 2, 0.3), exp(2) * 1.15 - 1, 1e-12);
}
END_TEST

/* naive on the log1p scale by hand: w = log1p(last), the 95% bound's
 * sigma on that scale, mean exp(w)(1 + sigma^2/2) - 1, bounds expm1. */
START_TEST(test_log1p_naive_by_hand)
{
	const double y[] = {3, 0, 5, 2, 8, 1, 0, 4, 6, 2, 9, 3};
	size_t n = sizeof y / sizeof y[0];
	fc_series s = make_series(y, n, NULL);
	fc_model *m = fit_scaled("naive", "", (fc_scale){.kind = FC_SCALE_LOG1P, .lambda = NAN}, &s);
	fc_forecast f;
	run_forecast(m, 4, &f);
	double ss = 0;
	for (size_t t = 1; t < n; t++)
		ss += pow(log1p(y[t]) - log1p(y[t - 1]), 2);
	double sigma = sqrt(ss / (double)(n - 1)), w = log1p(y[n - 1]);
	for (size_t i = 0; i < 4; i++) {
		double v = sigma * sigma * (double)(i + 1);
		ck_assert_double_eq_tol(f.mean[i], exp(w) * (1 + v / 2) - 1, 1e-9);
		ck_assert_double_eq_tol(f.hi[f.h + i], expm1(w + 1.959963984540054 * sqrt(v)), 1e-9);
		ck_assert_double_eq_tol(f.lo[i], expm1(w - 1.2815515655446004 * sqrt(v)), 1e-9);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

/* A conformal kind has no interval of its own: its point forecast is
 * back-transformed without adjustment. */
START_TEST(test_conformal_kind_unadjusted)
{
	const double y[] = {0, 0, 3, 0, 1, 0, 0, 4, 0, 2, 0, 0, 5, 0, 1, 0};
	size_t n = sizeof y / sizeof y[0];
	double z[16];
	for (size_t i = 0; i < n; i++)
		z[i] = log1p(y[i]);
	fc_series s = make_series(y, n, NULL), sz = make_series(z, n, NULL);
	fc_model *m = fit_scaled("croston", "", (fc_scale){.kind = FC_SCALE_LOG1P, .lambda = NAN}, &s);
	fc_model *mz = fit_scaled("croston", "", (fc_scale){.kind = FC_SCALE_NONE}, &sz);
	fc_forecast f, fz;
	run_forecast(m, 3, &f);
	run_forecast(mz, 3, &fz);
	for (size_t i = 0; i < 3; i++)
		ck_assert_double_eq(f.mean[i], expm1(fz.mean[i]));
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&fz);
	fc_model_free(m);
	fc_model_free(mz);
}
END_TEST

/* ---- series that cannot take the transform ------------------------------- */

START_TEST(test_nonpositive_falls_back)
{
	const double y[] = {4, 6, 0, 5, 7, 3, 8, 6, 9, 7, 10, 8};
	size_t n = sizeof y / sizeof y[0];
	fc_series s = make_series(y, n, NULL);
	fc_model *m = fit_scaled("drift", "", (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = NAN}, &s);
	fc_model *plain = fit_scaled("drift", "", (fc_scale){.kind = FC_SCALE_NONE}, &s);
	ck_assert_int_eq(m->applied.kind, FC_SCALE_NONE);
	ck_assert_ptr_nonnull(strstr(m->why, "Box-Cox needs positive values; value 3 is 0"));
	fc_forecast f, g;
	run_forecast(m, 5, &f);
	run_forecast(plain, 5, &g);
	ck_assert_int_eq(memcmp(f.mean, g.mean, 5 * sizeof *f.mean), 0);
	ck_assert_int_eq(memcmp(f.lo, g.lo, 10 * sizeof *f.lo), 0);
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&g);
	fc_model_free(m);
	/* log1p takes the zero, not a value <= -1 */
	m = fit_scaled("drift", "", (fc_scale){.kind = FC_SCALE_LOG1P, .lambda = NAN}, &s);
	ck_assert_int_eq(m->applied.kind, FC_SCALE_LOG1P);
	fc_model_free(m);
	const double yn[] = {4, 6, -1, 5, 7, 3};
	fc_series sn = make_series(yn, 6, NULL);
	m = fit_scaled("drift", "", (fc_scale){.kind = FC_SCALE_LOG1P, .lambda = NAN}, &sn);
	ck_assert_int_eq(m->applied.kind, FC_SCALE_NONE);
	ck_assert_ptr_nonnull(strstr(m->why, "log1p needs values above -1; value 3 is -1"));
	fc_model_free(m);
	fc_model_free(plain);
	/* too short for two subseries: no Guerrero lambda */
	const double ys[] = {4, 6, 5};
	ck_assert(isnan(fc_boxcox_guerrero(ys, 3, 2)));
	fc_series ss = make_series(ys, 3, NULL);
	m = fit_scaled("naive", "", (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = NAN}, &ss);
	ck_assert_int_eq(m->applied.kind, FC_SCALE_NONE);
	fc_model_free(m);
	/* a fixed lambda needs no subseries */
	m = fit_scaled("naive", "", (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = 0.5}, &ss);
	ck_assert_int_eq(m->applied.kind, FC_SCALE_BOXCOX);
	fc_model_free(m);
}
END_TEST

START_TEST(test_invert_domain)
{
	fc_scale s = {.kind = FC_SCALE_BOXCOX, .lambda = -0.5};
	/* lambda w + 1 < 0 is outside the transform's range for lambda < 0 (R: NA) */
	ck_assert(isnan(fc_scale_invert(&s, 3)));
	ck_assert_double_eq_tol(fc_scale_invert(&s, 1), pow(0.5, -2), 1e-12);
	s.lambda = 0.5; /* R: sign(xx) |xx|^(1/lambda) */
	ck_assert_double_eq_tol(fc_scale_invert(&s, -4), -1, 1e-12);
	s.lambda = 0;
	ck_assert_double_eq_tol(fc_scale_invert_mean(&s, 1, 0.2), exp(1) * 1.1, 1e-12);
	s.lambda = 0.5;
	double out = pow(0.5 * 2 + 1, 2);
	ck_assert_double_eq_tol(fc_scale_invert_mean(&s, 2, 0.2),
	                        out * (1 + 0.2 * 0.5 / (2 * pow(0.5 * 2 + 1, 2))), 1e-12);
}
END_TEST

/* The guard on the bias adjustment: kept inside the back-transformed
 * interval the variance came from, the median (flagged) outside it or
 * where that interval has no upper bound; no variance: the median,
 * not flagged. */
START_TEST(test_guarded_adjustment)
{
	const double z = 1.959963984540054;
	int flag = -1;
	/* lambda -1, w 0.9: lambda w + 1 = 0.1, the median 10 */
	fc_scale s = {.kind = FC_SCALE_BOXCOX, .lambda = -1};
	double sd = 0.02, w = 0.9;
	double got = fc_scale_invert_mean_guarded(&s, w, sd * sd, w - z * sd, w + z * sd, &flag);
	ck_assert_int_eq(flag, 0);
	ck_assert_double_eq_tol(got, fc_scale_invert_mean(&s, w, sd * sd), 1e-12);
	ck_assert_double_eq_tol(got, 10 * (1 + 0.5 * sd * sd * 2 / 0.01), 1e-9);
	/* sd 0.06: the upper bound w + 1.96 sd passes 1 = -1/lambda (no
	 * back-transform); the adjustment (13.6) is dropped for the median */
	sd = 0.06;
	ck_assert(isnan(fc_scale_invert(&s, w + z * sd)));
	got = fc_scale_invert_mean_guarded(&s, w, sd * sd, w - z * sd, w + z * sd, &flag);
	ck_assert_int_eq(flag, 1);
	ck_assert_double_eq_tol(got, 10, 1e-9);
	/* lambda 2, w -0.45: lambda w + 1 = 0.1, median sqrt(0.1); with sd 0.5
	 * the factor 1 - sd^2 / (2 * 0.01) = -11.5 puts the mean below the lower
	 * bound */
	s.lambda = 2;
	w = -0.45;
	sd = 0.1;
	got = fc_scale_invert_mean_guarded(&s, w, sd * sd, w - z * sd, w + z * sd, &flag);
	ck_assert_int_eq(flag, 0);
	ck_assert_double_eq_tol(got, sqrt(0.1) * 0.5, 1e-9);
	sd = 0.5;
	ck_assert_double_lt(fc_scale_invert_mean(&s, w, sd * sd), fc_scale_invert(&s, w - z * sd));
	got = fc_scale_invert_mean_guarded(&s, w, sd * sd, w - z * sd, w + z * sd, &flag);
	ck_assert_int_eq(flag, 1);
	ck_assert_double_eq_tol(got, sqrt(0.1), 1e-12);
	/* no variance: the median, not counted */
	got = fc_scale_invert_mean_guarded(&s, w, NAN, NAN, NAN, &flag);
	ck_assert_int_eq(flag, 0);
	ck_assert_double_eq_tol(got, sqrt(0.1), 1e-12);
	/* the log's adjustment 1 + sd^2/2 stays below exp(1.96 sd): kept */
	fc_scale lg = {.kind = FC_SCALE_LOG1P, .lambda = NAN};
	sd = 3;
	got = fc_scale_invert_mean_guarded(&lg, 1, sd * sd, 1 - z * sd, 1 + z * sd, &flag);
	ck_assert_int_eq(flag, 0);
	ck_assert_double_eq_tol(got, exp(1) * (1 + 4.5) - 1, 1e-9);
}
END_TEST

/* ---- the flag ------------------------------------------------------------ */

START_TEST(test_parse)
{
	fc_scale s;
	fc_err err;
	ck_assert_int_eq(fc_scale_parse("log1p", &s, &err), 0);
	ck_assert_int_eq(s.kind, FC_SCALE_LOG1P);
	ck_assert_int_eq(fc_scale_parse("boxcox", &s, &err), 0);
	ck_assert(s.kind == FC_SCALE_BOXCOX && isnan(s.lambda));
	ck_assert_int_eq(fc_scale_parse("boxcox=auto", &s, &err), 0);
	ck_assert(s.kind == FC_SCALE_BOXCOX && isnan(s.lambda));
	const char *good[] = {"boxcox=0.5", "boxcox=-1", "boxcox=2", "boxcox=0", "boxcox=1e-3"};
	const double val[] = {0.5, -1, 2, 0, 1e-3};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(fc_scale_parse(good[i], &s, &err), 0);
		ck_assert_double_eq(s.lambda, val[i]);
	}
	const char *bad[] = {"boxcox=3", "boxcox=-1.5", "boxcox=nan", "boxcox=", "boxcox=0.5x",
	                     "boxcox=inf", "log", "none", "boxcox=Auto", "standard"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(fc_scale_parse(bad[i], &s, &err), FC_EINVAL);
		ck_assert_ptr_nonnull(strstr(err.msg, "--transform"));
	}
	ck_assert_int_eq(fc_scale_parse("boxcox=3", &s, &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "from -1 to 2"));
	char buf[48];
	s = (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = -0.29471558555931561};
	fc_scale back;
	ck_assert_int_eq(fc_scale_parse(fc_scale_format(&s, buf, sizeof buf), &back, &err), 0);
	ck_assert_double_eq(back.lambda, s.lambda); /* exactly: 17 digits */
}
END_TEST

/* ---- model lines --------------------------------------------------------- */

/* fc_model_save's two lines back through fc_model_load: the scale, the
 * lambda and the forecast exactly. */
static void round_trip(const fc_model *m, size_t h)
{
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	char *nl = strchr(b.data, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	fc_model *l = fc_model_load(m->type, b.data, nl + 1, &err);
	ck_assert_msg(l != NULL, "load: %s", err.msg);
	ck_assert_int_eq(l->scale.kind, m->scale.kind);
	ck_assert_int_eq(l->applied.kind, m->applied.kind);
	if (m->applied.kind == FC_SCALE_BOXCOX)
		ck_assert_double_eq(l->applied.lambda, m->applied.lambda);
	fc_forecast f, g;
	run_forecast(m, h, &f);
	run_forecast(l, h, &g);
	ck_assert_int_eq(memcmp(f.mean, g.mean, h * sizeof *f.mean), 0);
	ck_assert_int_eq(memcmp(f.hi, g.hi, 2 * h * sizeof *f.hi), 0);
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&g);
	fc_model_free(l);
	fc_buf_dispose(&b);
}

START_TEST(test_save_load)
{
	const bc_series *s = &bc_series_all[0];
	fc_series y = make_series(s->y, s->n, &s->period);
	const char *kinds[] = {"naive", "snaive", "ets", "theta", "arima"};
	for (size_t k = 0; k < 5; k++) {
		fc_model *m = fit_scaled(kinds[k], "", (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = NAN}, &y);
		round_trip(m, 12);
		fc_model_free(m);
		m = fit_scaled(kinds[k], "", (fc_scale){.kind = FC_SCALE_LOG1P, .lambda = NAN}, &y);
		round_trip(m, 12);
		fc_model_free(m);
	}
	/* a fit that fell back keeps saying so */
	const double yz[] = {1, 0, 2, 3, 1, 4};
	fc_series sz = make_series(yz, 6, NULL);
	fc_model *m = fit_scaled("naive", "", (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = 0.5}, &sz);
	round_trip(m, 3);
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "params target_scale=boxcox=0.5 target_applied=none\n"));
	fc_buf_dispose(&b);
	fc_model_free(m);
	/* lines without the tokens (older files) load on the original scale */
	m = fit_scaled("naive", "", (fc_scale){.kind = FC_SCALE_NONE}, &sz);
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_ptr_null(strstr(b.data, "target_"));
	char *nl = strchr(b.data, '\n');
	*nl = '\0';
	fc_model *l = fc_model_load(fc_model_naive, b.data, nl + 1, &err);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->scale.kind, FC_SCALE_NONE);
	ck_assert_int_eq(l->applied.kind, FC_SCALE_NONE);
	fc_model_free(l);
	fc_buf_dispose(&b);
	fc_model_free(m);
	/* bad tokens are a corrupt file */
	const char *bad[] = {"params target_scale=boxcox=9 target_applied=none",
	                     "params target_scale=boxcox=auto",
	                     "params target_scale=boxcox=auto target_applied=log1p",
	                     "params target_scale=boxcox=auto target_applied=boxcox=auto",
	                     "params target_scale=cube target_applied=none"};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_ptr_null(fc_model_load(fc_model_naive, bad[i], "state", &err));
		ck_assert_int_eq(err.code, FC_EFORMAT);
	}
}
END_TEST

/* A plain model writes exactly what it wrote before scales existed. */
START_TEST(test_plain_line_unchanged)
{
	const bc_series *s = &bc_series_all[0];
	fc_series y = make_series(s->y, s->n, &s->period);
	fc_model *m = fit_scaled("snaive", "", (fc_scale){.kind = FC_SCALE_NONE}, &y);
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_ptr_null(strstr(b.data, "target_"));
	ck_assert_int_eq(strncmp(b.data, "params period=0\n", 16), 0);
	fc_buf_dispose(&b);
	fc_model_free(m);
}
END_TEST

static Suite *scale_suite(void)
{
	Suite *s = suite_create("scale");
	TCase *tc = tcase_create("scale");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_guerrero_matches_r);
	tcase_add_test(tc, test_biasadj_baselines_match_r);
	tcase_add_test(tc, test_auto_lambda_forecast_matches_r);
	tcase_add_test(tc, test_biasadj_ets_close_to_r);
	tcase_add_test(tc, test_log1p_round_trip);
	tcase_add_test(tc, test_log1p_naive_by_hand);
	tcase_add_test(tc, test_conformal_kind_unadjusted);
	tcase_add_test(tc, test_nonpositive_falls_back);
	tcase_add_test(tc, test_invert_domain);
	tcase_add_test(tc, test_guarded_adjustment);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_plain_line_unchanged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(scale_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
