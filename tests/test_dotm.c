/* Tests of the optimised and dynamic optimised Theta models, kinds otm and
 * dotm (src/models/theta/dotm.c): the identity with the Theta method built from
 * theta lines, analytic variances, the recursive trend line against least
 * squares, seasonal adjustment against R's decompose (fixtures of
 * tests/fixtures/seasadj.R), missing values, short series, errors,
 * determinism, save/load and re-anchoring. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "forecast/model.h"
#include "data/seasadj_fixtures.h"

/* Until the registry (model.h) declares them. */

static const double LEVELS[2] = {80, 95};

static fc_series make_series(const double *y, size_t n, double period)
{
	static double seasons[1];
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.n = n;
	s.y = y;
	if (period >= 2) {
		seasons[0] = period;
		s.n_seasons = 1;
		s.seasons = seasons;
	}
	return s;
}

static fc_model *fit_kind(const fc_model_type *type, const char *params, const double *y, size_t n,
                          double period)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(type, &err);
	ck_assert_ptr_nonnull(m);
	if (params)
		ck_assert_msg(fc_model_set_params_text(m, params, &err) == 0, "%s", err.msg);
	fc_series s = make_series(y, n, period);
	int rc = fc_model_fit(m, &s, &err);
	ck_assert_msg(rc == 0, "fit %s: %s", type->name, err.msg);
	return m;
}

static void run_forecast(const fc_model *m, size_t h, fc_forecast *f)
{
	fc_err err;
	ck_assert_int_eq(fc_forecast_init(f, h, LEVELS, 2, &err), 0);
	ck_assert_msg(fc_model_forecast(m, f, &err) == 0, "%s", err.msg);
}

static double state_value(const fc_model *m, const char *key)
{
	fc_buf b, st;
	fc_err err;
	fc_buf_init(&b);
	fc_buf_init(&st);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	const char *s = strstr(b.data, "\nstate");
	ck_assert_ptr_nonnull(s);
	fc_buf_append(&st, s + 6, strlen(s + 6));
	double v;
	ck_assert_msg(fc_buf_get_double(&st, key, &v, &err) == 0, "%s", err.msg);
	fc_buf_dispose(&b);
	fc_buf_dispose(&st);
	return v;
}

static char *save_text(const fc_model *m)
{
	fc_buf b;
	fc_err err;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	return b.data;
}

#define REL(a, b) (fabs((a) - (b)) / fmax(1e-300, fabs(b)))

/* A real non-seasonal series: the first 300 DAX closes. */
#define DAX_N 300

/* ---- the Theta method by theta lines ----------------------------------------- */

/* The Theta method built directly: the least squares line L_t = A + B t
 * through (t, y_t), t = 1..n; the theta line Z = theta y + (1 - theta) L;
 * SES on Z from the initial level theta * ell0; the forecast combines the
 * line with weight 1 - 1/theta and the SES forecast of Z with 1/theta.
 * fitted[t-1] is the one-step prediction of y_t. */
static void theta_lines(const double *y, size_t n, double theta, double alpha, double ell0,
                        size_t h, double *fc, double *fitted)
{
	double tbar = (n + 1) / 2.0, ybar = 0, sxy = 0, sxx = 0;
	for (size_t t = 1; t <= n; t++)
		ybar += y[t - 1];
	ybar /= n;
	for (size_t t = 1; t <= n; t++) {
		sxy += (t - tbar) * (y[t - 1] - ybar);
		sxx += (t - tbar) * (t - tbar);
	}
	double B = sxy / sxx, A = ybar - B * tbar;
	double level = theta * ell0;
	for (size_t t = 1; t <= n; t++) {
		double L = A + B * t;
		if (fitted)
			fitted[t - 1] = (1 - 1 / theta) * L + level / theta;
		double Z = theta * y[t - 1] + (1 - theta) * L;
		level = alpha * Z + (1 - alpha) * level;
	}
	for (size_t i = 1; i <= h; i++)
		fc[i - 1] = (1 - 1 / theta) * (A + B * (n + i)) + level / theta;
}

START_TEST(test_otm_is_theta_method)
{
	const double *y = sa_DAX_y;
	const double thetas[3] = {2, 3, 1.5};
	const char *params[3] = {"alpha=0.3 theta=2 seasonal=no", "alpha=0.7 theta=3 seasonal=no",
	                         "alpha=0.15 theta=1.5 seasonal=no"};
	const double alphas[3] = {0.3, 0.7, 0.15};
	for (int c = 0; c < 3; c++) {
		fc_model *m = fit_kind(fc_model_otm, params[c], y, DAX_N, 1);
		double ell0 = state_value(m, "ell0");
		double want[20], fitted[DAX_N];
		theta_lines(y, DAX_N, thetas[c], alphas[c], ell0, 20, want, fitted);
		fc_forecast f;
		run_forecast(m, 20, &f);
		for (size_t i = 0; i < 20; i++)
			ck_assert_msg(REL(f.mean[i], want[i]) < 1e-10, "theta %g step %zu: %.17g vs %.17g",
			              thetas[c], i + 1, f.mean[i], want[i]);
		/* sd_k = sigma sqrt(1 + (k - 1) alpha^2), sigma^2 the mean squared
		 * one-step error of the theta-line fit. */
		double sse = 0;
		for (size_t t = 0; t < DAX_N; t++)
			sse += (y[t] - fitted[t]) * (y[t] - fitted[t]);
		double z95 = gsl_cdf_ugaussian_Pinv(0.975);
		for (size_t i = 0; i < 20; i++) {
			double sd = sqrt(sse / DAX_N * (1 + i * alphas[c] * alphas[c]));
			ck_assert_msg(REL((f.hi[20 + i] - f.mean[i]) / z95, sd) < 1e-9, "sd step %zu", i + 1);
		}
		/* ell0 is the least squares value: moving it raises the SSE. */
		for (int sgn = -1; sgn <= 1; sgn += 2) {
			double fit2[DAX_N], fc2[1], sse2 = 0;
			theta_lines(y, DAX_N, thetas[c], alphas[c], ell0 + sgn * 1.0, 1, fc2, fit2);
			for (size_t t = 0; t < DAX_N; t++)
				sse2 += (y[t] - fit2[t]) * (y[t] - fit2[t]);
			ck_assert(sse2 > sse);
		}
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}
}
END_TEST

START_TEST(test_otm_auto_optimal)
{
	/* The estimated (alpha, theta) are not beaten by a grid of fixed ones
	 * (each with its own least squares ell0): compare sigma2. */
	fc_model *m = fit_kind(fc_model_otm, "seasonal=no", sa_DAX_y, DAX_N, 1);
	double s2 = state_value(m, "sigma2"), a = state_value(m, "alpha"), th = state_value(m, "theta");
	ck_assert(a >= 0.1 && a <= 0.99 && th >= 1);
	for (double ga = 0.1; ga <= 0.99; ga += 0.1) {
		for (double gt = 1; gt <= 6; gt += 0.5) {
			char p[96];
			snprintf(p, sizeof p, "seasonal=no alpha=%g theta=%g", ga, gt);
			fc_model *g = fit_kind(fc_model_otm, p, sa_DAX_y, DAX_N, 1);
			ck_assert_msg(s2 <= state_value(g, "sigma2") * (1 + 1e-9), "%s beats the optimum", p);
			fc_model_free(g);
		}
	}
	fc_model_free(m);
}
END_TEST

/* ---- DOTM ----------------------------------------------------------------------- */

START_TEST(test_dotm_trend_is_least_squares)
{
	/* The recursively revised A_n, B_n equal the least squares line through
	 * all n values. */
	const double *y = sa_DAX_y;
	fc_model *m = fit_kind(fc_model_dotm, "seasonal=no", y, DAX_N, 1);
	double tbar = (DAX_N + 1) / 2.0, ybar = 0, sxy = 0, sxx = 0;
	for (size_t t = 1; t <= DAX_N; t++)
		ybar += y[t - 1];
	ybar /= DAX_N;
	for (size_t t = 1; t <= DAX_N; t++) {
		sxy += (t - tbar) * (y[t - 1] - ybar);
		sxx += (t - tbar) * (t - tbar);
	}
	double B = sxy / sxx, A = ybar - B * tbar;
	ck_assert_double_eq_tol(state_value(m, "B"), B, 1e-9 * fabs(B) + 1e-12);
	ck_assert_double_eq_tol(state_value(m, "A"), A, 1e-9 * fabs(A));
	ck_assert_double_eq_tol(state_value(m, "ybar"), ybar, 1e-10 * ybar);
	ck_assert_double_eq(state_value(m, "t"), DAX_N);
	fc_model_free(m);
}
END_TEST

/* The DOTM recursion written out from the paper's equations, for a check
 * of the forecasts and of the variance by simulation-free propagation. */
START_TEST(test_dotm_recursion)
{
	const double *y = sa_DAX_y;
	const double alpha = 0.4, theta = 2.5, w = 1 - 1 / theta;
	fc_model *m = fit_kind(fc_model_dotm, "seasonal=no alpha=0.4 theta=2.5", y, DAX_N, 1);
	double ell = state_value(m, "ell0"), A = 0, B = 0, ybar = 0;
	double sse = 0;
	size_t nres = 0;
	fc_forecast f10;
	run_forecast(m, 10, &f10);
	for (size_t t = 1; t <= DAX_N + 10; t++) {
		double mu = t == 1 ? y[0]
		          : ell + w * (pow(1 - alpha, t - 1) * A + (1 - pow(1 - alpha, t)) / alpha * B);
		double yt = t <= DAX_N ? y[t - 1] : mu;
		if (t >= 3 && t <= DAX_N) {
			sse += (yt - mu) * (yt - mu);
			nres++;
		}
		if (t > DAX_N)
			ck_assert_msg(REL(f10.mean[t - DAX_N - 1], mu) < 1e-10, "step %zu", t - DAX_N);
		ell = alpha * yt + (1 - alpha) * ell;
		double ybar_old = ybar;
		ybar = ((t - 1) * ybar + yt) / t;
		B = t == 1 ? 0 : ((t - 2) * B + 6 * (yt - ybar_old) / t) / (t + 1);
		A = ybar - B * (t + 1) / 2.0;
	}
	fc_forecast_dispose(&f10);
	ck_assert_double_eq_tol(state_value(m, "sigma2"), sse / nres, 1e-9 * sse / nres);
	/* Variance grows with the horizon; step 1 has sd = sigma. */
	fc_forecast f;
	run_forecast(m, 30, &f);
	double z80 = gsl_cdf_ugaussian_Pinv(0.9);
	ck_assert(REL((f.hi[0] - f.mean[0]) / z80, sqrt(sse / nres)) < 1e-9);
	for (size_t i = 1; i < 30; i++)
		ck_assert(f.hi[i] - f.mean[i] >= f.hi[i - 1] - f.mean[i - 1]);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_dotm_variance_by_perturbation)
{
	/* The forecast is linear in future values: perturbing y_{n+1} by 1 in
	 * a refit with fixed parameters moves step k by g_k, and the variance
	 * of step 2 is sigma^2 (1 + g_2^2). */
	static double y[DAX_N + 1];
	memcpy(y, sa_DAX_y, DAX_N * sizeof y[0]);
	fc_model *m = fit_kind(fc_model_dotm, "seasonal=no alpha=0.4 theta=2.5", y, DAX_N, 1);
	fc_forecast f;
	run_forecast(m, 2, &f);
	double ell0 = state_value(m, "ell0"), s2 = state_value(m, "sigma2");
	/* Extend by the forecast (error 0) and by forecast + 1 (error 1); ell0
	 * is held by fitting the trailing value as missing, then absorbing it. */
	y[DAX_N] = NAN;
	fc_model *m0 = fit_kind(fc_model_dotm, "seasonal=no alpha=0.4 theta=2.5", y, DAX_N + 1, 1);
	ck_assert_double_eq(state_value(m0, "ell0"), ell0);
	fc_forecast f0;
	run_forecast(m0, 1, &f0);
	ck_assert(REL(f0.mean[0], f.mean[1]) < 1e-12);
	fc_forecast_dispose(&f0);
	fc_model_free(m0);
	/* g_2 by hand: a unit error at n+1 moves ell by alpha, ybar by
	 * 1/(n+1), B by 6/((n+1)(n+2)), A = ybar - B (n+2)/2; then mu_{n+2}. */
	double n1 = DAX_N + 1, alpha = 0.4, w = 0.6;
	double dB = 6 / n1 / (n1 + 1), dA = 1 / n1 - dB * (n1 + 1) / 2;
	double g = alpha + w * (pow(1 - alpha, n1) * dA + (1 - pow(1 - alpha, n1 + 1)) / alpha * dB);
	double z80 = gsl_cdf_ugaussian_Pinv(0.9);
	ck_assert(REL((f.hi[1] - f.mean[1]) / z80, sqrt(s2 * (1 + g * g))) < 1e-9);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

/* ---- properties --------------------------------------------------------------- */

START_TEST(test_linear_series)
{
	/* A straight line is fitted exactly (theta -> infinity follows the
	 * line) and continued. */
	double y[40];
	for (int t = 0; t < 40; t++)
		y[t] = 100 + 2.5 * t;
	const fc_model_type *kinds[2] = {fc_model_otm, fc_model_dotm};
	for (int k = 0; k < 2; k++) {
		fc_model *m = fit_kind(kinds[k], NULL, y, 40, 1);
		fc_forecast f;
		run_forecast(m, 12, &f);
		for (int i = 0; i < 12; i++)
			ck_assert_msg(REL(f.mean[i], 100 + 2.5 * (40 + i)) < 1e-6, "%s step %d: %.17g",
			              kinds[k]->name, i + 1, f.mean[i]);
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}
}
END_TEST

START_TEST(test_constant_and_short)
{
	const double c[5] = {7, 7, 7, 7, 7};
	const fc_model_type *kinds[2] = {fc_model_otm, fc_model_dotm};
	fc_err err;
	for (int k = 0; k < 2; k++) {
		fc_model *m = fit_kind(kinds[k], NULL, c, 5, 1);
		fc_forecast f;
		run_forecast(m, 4, &f);
		for (int i = 0; i < 4; i++) {
			ck_assert_double_eq_tol(f.mean[i], 7, 1e-9);
			ck_assert_double_eq_tol(f.hi[4 + i], 7, 1e-6); /* sigma = 0 */
		}
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}
	/* otm needs 3 values, dotm 4; min_length says so. */
	const double s[4] = {3, 5, 4, 6};
	fc_model *m = fc_model_alloc(fc_model_otm, &err);
	fc_series ser = make_series(s, 2, 1);
	ck_assert_uint_eq(fc_model_min_length(m, &ser), 3);
	ck_assert_int_eq(fc_model_fit(m, &ser, &err), FC_EMODEL);
	ser = make_series(s, 3, 1);
	ck_assert_int_eq(fc_model_fit(m, &ser, &err), 0);
	fc_model_free(m);
	m = fc_model_alloc(fc_model_dotm, &err);
	ck_assert_uint_eq(fc_model_min_length(m, &ser), 4);
	ck_assert_int_eq(fc_model_fit(m, &ser, &err), FC_EMODEL);
	ser = make_series(s, 4, 1);
	ck_assert_int_eq(fc_model_fit(m, &ser, &err), 0);
	fc_forecast f;
	run_forecast(m, 3, &f);
	for (int i = 0; i < 3; i++)
		ck_assert(isfinite(f.mean[i]));
	fc_forecast_dispose(&f);
	/* nothing observed */
	const double none[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
	ser = make_series(none, 6, 1);
	ck_assert_int_eq(fc_model_fit(m, &ser, &err), FC_EMODEL);
	fc_model_free(m);
}
END_TEST

START_TEST(test_missing_values)
{
	const fc_model_type *type = _i ? fc_model_dotm : fc_model_otm;
	enum { N = 144 };
	const double *air = sa_AirPassengers_y;
	/* Interior gaps: the same as the linearly interpolated series, except
	 * that interpolated points are not in the error sum -- so compare with
	 * fixed parameters, where only ell0 (least squares) can move, and check
	 * the forecasts stay close. */
	static double gap[N], lin[N];
	memcpy(gap, air, sizeof gap);
	memcpy(lin, air, sizeof lin);
	gap[50] = gap[51] = NAN;
	lin[50] = air[49] + (air[52] - air[49]) / 3;
	lin[51] = air[49] + 2 * (air[52] - air[49]) / 3;
	fc_model *a = fit_kind(type, NULL, gap, N, 12), *b = fit_kind(type, NULL, lin, N, 12);
	fc_forecast fa, fb;
	run_forecast(a, 12, &fa);
	run_forecast(b, 12, &fb);
	for (int i = 0; i < 12; i++)
		ck_assert_msg(REL(fa.mean[i], fb.mean[i]) < 0.02, "gap step %d: %g vs %g", i, fa.mean[i],
		              fb.mean[i]);
	fc_forecast_dispose(&fa);
	fc_forecast_dispose(&fb);
	fc_model_free(a);
	fc_model_free(b);

	/* Leading gaps (5, not a multiple of 12): identical to the trimmed
	 * series; the season positions keep their alignment. */
	static double lead[N];
	memcpy(lead, air, sizeof lead);
	for (int t = 0; t < 5; t++)
		lead[t] = NAN;
	a = fit_kind(type, NULL, lead, N, 12);
	b = fit_kind(type, NULL, air + 5, N - 5, 12);
	char *ta = save_text(a), *tb = save_text(b);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	fc_model_free(a);
	fc_model_free(b);

	/* Trailing gaps: the forecast of the last h of h + 3 steps of the
	 * series without them. */
	static double tail[N];
	memcpy(tail, air, sizeof tail);
	tail[N - 1] = tail[N - 2] = tail[N - 3] = NAN;
	a = fit_kind(type, NULL, tail, N, 12);
	b = fit_kind(type, NULL, air, N - 3, 12);
	run_forecast(a, 12, &fa);
	run_forecast(b, 15, &fb);
	for (int i = 0; i < 12; i++) {
		ck_assert_double_eq(fa.mean[i], fb.mean[i + 3]);
		ck_assert_double_eq(fa.lo[i], fb.lo[i + 3]);
		ck_assert_double_eq(fa.hi[12 + i], fb.hi[15 + i + 3]);
	}
	fc_forecast_dispose(&fa);
	fc_forecast_dispose(&fb);
	fc_model_free(a);
	fc_model_free(b);
}
END_TEST

/* ---- seasonality ------------------------------------------------------------------ */

START_TEST(test_seasonal_adjustment)
{
	const fc_model_type *type = _i ? fc_model_dotm : fc_model_otm;
	enum { N = 144 };
	const double *air = sa_AirPassengers_y;
	fc_model *m = fit_kind(type, NULL, air, N, 12);
	/* The indices are R's decompose()$figure; n = 144 is a whole number of
	 * years, so step i + 1 has index figure[i % 12]. */
	fc_buf b;
	fc_err err;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	double *season;
	size_t ns;
	const char *st = strstr(b.data, "\nstate") + 6;
	fc_buf sb;
	fc_buf_init(&sb);
	fc_buf_append(&sb, st, strlen(st));
	ck_assert_int_eq(fc_buf_get_doubles(&sb, "season", &season, &ns, &err), 0);
	ck_assert_uint_eq(ns, 12);
	for (int j = 0; j < 12; j++)
		ck_assert_double_eq_tol(season[j], sa_AirPassengers_figure[j], 1e-10);
	/* The forecast is the non-seasonal model of the adjusted series times
	 * the indices, and so are the bounds. */
	static double adj[N];
	for (int t = 0; t < N; t++)
		adj[t] = air[t] / season[t % 12];
	fc_model *a = fit_kind(type, "seasonal=no", adj, N, 12);
	fc_forecast f, fa;
	run_forecast(m, 30, &f);
	run_forecast(a, 30, &fa);
	for (int i = 0; i < 30; i++) {
		ck_assert(REL(f.mean[i], fa.mean[i] * season[i % 12]) < 1e-12);
		ck_assert(REL(f.lo[30 + i], fa.lo[30 + i] * season[i % 12]) < 1e-12);
	}
	/* seasonal=no on a series the test finds seasonal: no indices. */
	fc_model *n = fit_kind(type, "seasonal=no", air, N, 12);
	char *tn = save_text(n);
	ck_assert_ptr_nonnull(strstr(tn, "season=1\n"));
	free(tn);
	/* period=4 overrides the series' period. */
	fc_model *p4 = fit_kind(type, "seasonal=yes period=4", air, N, 12);
	char *t4 = save_text(p4);
	const char *sv = strstr(t4, " season=");
	ck_assert_ptr_nonnull(sv);
	int commas = 0;
	for (const char *q = sv; *q && *q != '\n'; q++)
		commas += *q == ',';
	ck_assert_int_eq(commas, 3); /* 4 indices */
	free(t4);
	fc_model_free(p4);
	fc_model_free(n);
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&fa);
	free(season);
	fc_buf_dispose(&b);
	fc_buf_dispose(&sb);
	fc_model_free(a);
	fc_model_free(m);
}
END_TEST

START_TEST(test_seasonal_fallback)
{
	/* A seasonal series with a zero: the decomposition fails, so the
	 * series is modelled without adjustment (as thetaf). */
	static double y[48];
	for (int t = 0; t < 48; t++)
		y[t] = (t % 4 == 0) ? 0 : 10 + t % 4;
	fc_model *m = fit_kind(fc_model_otm, "seasonal=yes", y, 48, 4);
	char *t = save_text(m);
	ck_assert_ptr_nonnull(strstr(t, "season=1\n"));
	free(t);
	fc_model_free(m);
}
END_TEST

/* ---- persistence ------------------------------------------------------------------- */

START_TEST(test_save_load_deterministic)
{
	const fc_model_type *type = _i ? fc_model_dotm : fc_model_otm;
	const double *ys[3] = {sa_AirPassengers_y, sa_co2_y, sa_DAX_y};
	size_t ns[3] = {144, 468, DAX_N};
	double ps[3] = {12, 12, 1};
	for (int s = 0; s < 3; s++) {
		fc_model *m = fit_kind(type, NULL, ys[s], ns[s], ps[s]);
		fc_model *m2 = fit_kind(type, NULL, ys[s], ns[s], ps[s]);
		char *t = save_text(m), *t2 = save_text(m2);
		ck_assert_str_eq(t, t2); /* deterministic */
		char *nl = strchr(t, '\n');
		*nl = '\0';
		fc_err err;
		fc_model *l = fc_model_load(type, t, nl + 1, &err);
		ck_assert_msg(l != NULL, "%s", err.msg);
		*nl = '\n';
		char *t3 = save_text(l);
		ck_assert_str_eq(t, t3);
		fc_forecast f, g;
		run_forecast(m, 25, &f);
		run_forecast(l, 25, &g);
		ck_assert(memcmp(f.mean, g.mean, 25 * sizeof(double)) == 0);
		ck_assert(memcmp(f.lo, g.lo, 50 * sizeof(double)) == 0);
		ck_assert(memcmp(f.hi, g.hi, 50 * sizeof(double)) == 0);
		for (int i = 0; i < 25; i++)
			ck_assert(f.lo[25 + i] < f.lo[i] && f.lo[i] < f.mean[i] && f.mean[i] < f.hi[i]);
		fc_forecast_dispose(&f);
		fc_forecast_dispose(&g);
		free(t);
		free(t2);
		free(t3);
		fc_model_free(l);
		fc_model_free(m);
		fc_model_free(m2);
	}
}
END_TEST

START_TEST(test_anchor)
{
	const fc_model_type *type = _i ? fc_model_dotm : fc_model_otm;
	const double *air = sa_AirPassengers_y;
	fc_model *m = fit_kind(type, NULL, air, 120, 12);
	double a = state_value(m, "alpha"), th = state_value(m, "theta");
	fc_series all = make_series(air, 144, 12);
	fc_err err;
	ck_assert_msg(fc_model_anchor(m, &all, &err) == 0, "%s", err.msg);
	ck_assert_double_eq(state_value(m, "alpha"), a);
	ck_assert_double_eq(state_value(m, "theta"), th);
	char p[128];
	snprintf(p, sizeof p, "alpha=%.17g theta=%.17g seasonal=yes", a, th);
	fc_model *r = fit_kind(type, p, air, 144, 12);
	char *t1 = save_text(m), *t2 = save_text(r);
	ck_assert_str_eq(strstr(t1, "\nstate"), strstr(t2, "\nstate"));
	free(t1);
	free(t2);
	fc_model_free(r);
	fc_model_free(m);
}
END_TEST

START_TEST(test_errors)
{
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_otm, &err);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "0", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "1.01", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "theta", "0.5", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "theta", "two", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "seasonal", "maybe", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "period", "1", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "beta", "0.1", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "alpha, theta, seasonal, period"));
	ck_assert_int_eq(fc_model_set_params_text(m, "alpha=1 theta=1 seasonal=yes period=7", &err), 0);
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(m->type->save_params(m->params, &b, &err), 0);
	ck_assert_str_eq(b.data, "alpha=1 theta=1 seasonal=yes period=7");
	fc_buf_dispose(&b);
	fc_model_free(m);
	ck_assert_ptr_null(fc_model_load(fc_model_dotm, "alpha=auto",
	                                 "alpha=0.5 theta=0.5 ell0=1 ell=1 A=1 B=0 ybar=1 t=5 "
	                                 "sigma2=1 skip=0 season=1", &err));
	ck_assert_int_eq(err.code, FC_EFORMAT);
	ck_assert_ptr_null(fc_model_load(fc_model_dotm, "alpha=auto",
	                                 "alpha=0.5 theta=2 ell0=1 ell=1 A=1 B=0 ybar=1 t=5 "
	                                 "sigma2=1 skip=0 season=1,-2", &err));
	ck_assert_int_eq(err.code, FC_EFORMAT);
}
END_TEST

static Suite *dotm_suite(void)
{
	Suite *s = suite_create("dotm");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_otm_is_theta_method);
	tcase_add_test(tc, test_otm_auto_optimal);
	tcase_add_test(tc, test_dotm_trend_is_least_squares);
	tcase_add_test(tc, test_dotm_recursion);
	tcase_add_test(tc, test_dotm_variance_by_perturbation);
	tcase_add_test(tc, test_linear_series);
	tcase_add_test(tc, test_constant_and_short);
	tcase_add_loop_test(tc, test_missing_values, 0, 2);
	tcase_add_loop_test(tc, test_seasonal_adjustment, 0, 2);
	tcase_add_test(tc, test_seasonal_fallback);
	tcase_add_loop_test(tc, test_save_load_deterministic, 0, 2);
	tcase_add_loop_test(tc, test_anchor, 0, 2);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(dotm_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
