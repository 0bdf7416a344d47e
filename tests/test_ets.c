/* Tests of the `ets` kind (src/models/ets/ets.c): parameters, the recursions
 * and forecast variances checked by hand and by simulation, missing values,
 * errors, save/load, re-anchoring, and fixtures computed by R's
 * forecast::ets (tests/fixtures/ets.R), including M3 and M4 series read from
 * SHARED_DATA_DIR at run time.
 *
 * Tolerances, as issue 4 asks: R's automatic selection must pick the same
 * model on at least 85% of the series, and where the model is the same the
 * forecasts must agree within 1%.  The 80%/95% bounds are held to 1% as
 * well, except where R's variance formulas are wrong (see ets.c: ETS(A,N,A)
 * at steps that are multiples of m, ETS(M,N,A) from step m on, ETS(M,Ad,M));
 * there our variances are checked against simulation instead.  (R's mean of
 * ETS(M,Ad,M) is slightly off too, by (1 - phi) b s at step 1; on these
 * series it stays within the 1%.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "forecast/model.h"
#include "models/ets/ets.h"
#include "data/ets_fixtures.h"

#ifndef SHARED_DATA_DIR
#define SHARED_DATA_DIR "/work/shared/data"
#endif


static const double LEVELS[2] = {80, 95};

#define LO(f, l, i) ((f).lo[(l) * (f).h + (i)])
#define HI(f, l, i) ((f).hi[(l) * (f).h + (i)])

static fc_series make_series(const double *y, size_t n, const double *period)
{
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.n = n;
	s.y = y;
	s.n_seasons = period && *period >= 2;
	s.seasons = period;
	return s;
}

static fc_model *fit_ets(const char *params, const fc_series *s)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(fc_model_ets, &err);
	ck_assert_ptr_nonnull(m);
	if (params)
		ck_assert_msg(fc_model_set_params_text(m, params, &err) == 0, "params: %s", err.msg);
	int rc = fc_model_fit(m, s, &err);
	ck_assert_msg(rc == 0, "fit ets %s: %s", params ? params : "", err.msg);
	return m;
}

static void run_forecast(const fc_model *m, size_t h, fc_forecast *f)
{
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_forecast_init(f, h, LEVELS, 2, &err), 0);
	int rc = fc_model_forecast(m, f, &err);
	ck_assert_msg(rc == 0, "forecast: %s", err.msg);
}

/* Value of `key=` in the state line of a saved model. */
static double state_value(const fc_model *m, const char *key)
{
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	const char *st = strstr(b.data, "\nstate");
	ck_assert_ptr_nonnull(st);
	char pat[64];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(st, pat);
	ck_assert_msg(p != NULL, "no %s in state", key);
	double v = strtod(p + strlen(pat), NULL);
	fc_buf_dispose(&b);
	return v;
}

/* R's compact model name ("MAdM") of a fitted model. */
static void model_name(const fc_model *m, char *out)
{
	const char *L = "NAM";
	int e = (int)state_value(m, "error"), t = (int)state_value(m, "trend");
	int s = (int)state_value(m, "season"), d = (int)state_value(m, "damped");
	sprintf(out, "%c%c%s%c", L[e], L[t], d ? "d" : "", L[s]);
}

static double rel_diff(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-12);
}

/* ---- shared data --------------------------------------------------------- */

/* The y column of id in SHARED_DATA_DIR/folder/train.csv (unique_id,ds,y,...
 * with a series' rows contiguous), or NULL when the file is absent. */
static double *read_shared(const char *folder, const char *id, size_t *n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s/train.csv", SHARED_DATA_DIR, folder);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[1024];
	size_t len = strlen(id), k = 0, cap = 0;
	double *y = NULL;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, id, len) != 0 || line[len] != ',') {
			if (k)
				break;
			continue;
		}
		char *p = strchr(line + len + 1, ',');
		if (!p)
			continue;
		if (k == cap) {
			cap = cap ? 2 * cap : 256;
			y = realloc(y, cap * sizeof *y);
			ck_assert_ptr_nonnull(y);
		}
		y[k++] = strtod(p + 1, NULL);
	}
	fclose(f);
	*n = k;
	return y;
}

/* The values of fixture series i (borrowed or allocated: *owned), or NULL
 * when a shared data file is missing. */
static const double *fx_values(size_t i, size_t *n, double **owned)
{
	const ets_fx_series *s = &ets_fx_series_tab[i];
	*owned = NULL;
	if (s->y) {
		*n = s->n;
		return s->y;
	}
	*owned = read_shared(s->folder, s->id, n);
	if (*owned)
		ck_assert_msg(*n == s->n, "%s: %zu values in the shared file, fixture has %zu", s->name,
		              *n, s->n);
	return *owned;
}

/* ---- parameters ------------------------------------------------------------ */

START_TEST(test_params)
{
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_ets, &err);
	ck_assert_ptr_nonnull(m);
	const char *good[] = {"model=ZZZ", "model=AAN", "model=MAdM", "model=ANA", "model=MNM",
	                      "damped=true", "damped=false", "damped=auto", "ic=aic", "ic=bic",
	                      "ic=aicc", "alpha=0.3", "beta=0.01", "gamma=0.2", "phi=0.9",
	                      "phi=1", "alpha=auto"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		fc_model_set_params_text(m, "model=ZZZ damped=auto", &err);
		ck_assert_msg(fc_model_set_params_text(m, good[i], &err) == 0, "%s: %s", good[i], err.msg);
	}
	const char *bad[] = {"model=ZZ", "model=ZZZZ", "model=XAN", "model=AMN", "model=ANM",
	                     "model=AdNN", "damped=yes", "ic=mse", "alpha=0", "alpha=1",
	                     "alpha=1.5", "alpha=x", "beta=-0.1", "phi=0", "phi=1.01", "nope=1",
	                     "model=ANdN"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fc_model_set_params_text(m, "model=ZZZ damped=auto", &err);
		ck_assert_msg(fc_model_set_params_text(m, bad[i], &err) == FC_EINVAL, "%s accepted", bad[i]);
	}
	/* the message lists the keys */
	ck_assert_int_eq(fc_model_set_param(m, "nope", "1", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "model, damped, ic, alpha, beta, gamma, phi"));
	ck_assert_int_eq(fc_model_set_param(m, "model", "AMN", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "multiplicative trend"));
	/* damped needs a trend, in either order */
	ck_assert_int_eq(fc_model_set_params_text(m, "model=ANN", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "damped", "true", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_params_text(m, "model=AZN damped=true", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "model", "ANN", &err), FC_EINVAL);

	/* save_params round trip */
	ck_assert_int_eq(fc_model_set_params_text(m, "beta=auto gamma=auto model=MAdM ic=bic "
	                                          "alpha=0.25 phi=0.9", &err), 0);
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_ets->save_params(m->params, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "model=MAM"));
	ck_assert_ptr_nonnull(strstr(b.data, "damped=true"));
	ck_assert_ptr_nonnull(strstr(b.data, "ic=bic"));
	ck_assert_ptr_nonnull(strstr(b.data, "alpha=0.25"));
	ck_assert_ptr_null(strstr(b.data, "beta="));
	fc_model *m2 = fc_model_alloc(fc_model_ets, &err);
	ck_assert_int_eq(fc_model_set_params_text(m2, b.data, &err), 0);
	ck_assert_int_eq(memcmp(m->params, m2->params, fc_model_ets->params_size), 0);
	fc_buf_dispose(&b);
	fc_model_free(m2);
	fc_model_free(m);
}
END_TEST

START_TEST(test_min_length)
{
	fc_err err;
	double y[40] = {0}, p12 = 12, p48 = 48;
	fc_series s12 = make_series(y, 40, &p12), s1 = make_series(y, 40, NULL),
	          s48 = make_series(y, 40, &p48);
	fc_model *m = fc_model_alloc(fc_model_ets, &err);
	ck_assert_uint_eq(fc_model_min_length(m, &s12), 7); /* ZZZ: R's n > npars + 4 */
	ck_assert_uint_eq(fc_model_min_length(m, &s1), 7);
	fc_model_set_params_text(m, "model=AAA", &err);
	ck_assert_uint_eq(fc_model_min_length(m, &s12), 2 + 2 + 12 + 5);
	ck_assert_uint_eq(fc_model_min_length(m, &s1), 0);  /* not seasonal */
	ck_assert_uint_eq(fc_model_min_length(m, &s48), 0); /* period above 24 */
	fc_model_set_params_text(m, "model=AAdN", &err);
	ck_assert_uint_eq(fc_model_min_length(m, &s12), 2 + 2 + 1 + 5);
	fc_model_free(m);
}
END_TEST

/* ---- the recursions, by hand --------------------------------------------- */

/* ETS(A,A,N) and ETS(M,N,N): replay the state equations of Hyndman et al.
 * (2008, table 2.2) from the fitted initial state and compare with the
 * final state and likelihood the fit reports. */
START_TEST(test_recursion_by_hand)
{
	const double *y = ets_fx_series_tab[4].y; /* Nile */
	size_t n = ets_fx_series_tab[4].n;
	fc_err err;
	for (int which = 0; which < 2; which++) {
		fc_ets_spec sp = which == 0 ? (fc_ets_spec){FC_ETS_A, FC_ETS_A, FC_ETS_N, 0, 1}
		                            : (fc_ets_spec){FC_ETS_M, FC_ETS_N, FC_ETS_N, 0, 1};
		fc_ets_fit fit;
		ck_assert_int_eq(fc_ets_estimate(y, n, &sp, NULL, FC_ETS_CRIT_LIK, &fit, &err), 0);
		double l = fit.init[0], b = which == 0 ? fit.init[1] : 0, sse = 0, slog = 0;
		for (size_t t = 0; t < n; t++) {
			double mu = l + b;
			double e = which == 0 ? y[t] - mu : (y[t] - mu) / mu;
			sse += e * e;
			slog += log(fabs(mu));
			if (which == 0) {
				double lnew = l + b + fit.alpha * e;
				b = b + fit.beta * e;
				l = lnew;
			} else {
				l = l * (1 + fit.alpha * e);
			}
		}
		ck_assert_double_eq_tol(fit.last[0], l, 1e-9 * fabs(l));
		if (which == 0)
			ck_assert_double_eq_tol(fit.last[1], b, 1e-9 * fabs(l));
		double lik = (double)n * log(sse) + (which ? 2 * slog : 0);
		ck_assert_double_eq_tol(fit.lik, lik, 1e-9 * fabs(lik));
		ck_assert_double_eq_tol(fit.sigma2, sse / (double)(n - fit.np), 1e-9 * fit.sigma2);
		ck_assert_double_eq_tol(fit.aicc - fit.aic,
		                        2.0 * (double)(fit.np_est + 1) * (double)(fit.np_est + 2) /
		                                ((double)n - (double)fit.np_est - 2),
		                        1e-9);
		/* class 1: var_h = sigma2 (1 + sum_{j<h} (alpha + beta j)^2) */
		if (which == 0) {
			double mean[6], var[6];
			ck_assert_int_eq(fc_ets_forecast(&fit, 6, mean, var, &err), 0);
			double cum = 0;
			for (size_t i = 0; i < 6; i++) {
				ck_assert_double_eq_tol(mean[i], fit.last[0] + (double)(i + 1) * fit.last[1], 1e-9 * l);
				ck_assert_double_eq_tol(var[i], fit.sigma2 * (1 + cum), 1e-9 * var[i]);
				double c = fit.alpha + fit.beta * (double)(i + 1);
				cum += c * c;
			}
		}
	}
}
END_TEST

/* Forecast variances against simulated future paths of the fitted model,
 * for every class, including the cases where R's formulas are wrong. */
static void simulate_check(const char *name, size_t fx, fc_ets_spec sp)
{
	const ets_fx_series *s = &ets_fx_series_tab[fx];
	fc_err err;
	sp.m = sp.season ? (size_t)s->period : 1;
	fc_ets_fit fit;
	ck_assert_int_eq(fc_ets_estimate(s->y, s->n, &sp, NULL, FC_ETS_CRIT_LIK, &fit, &err), 0);
	enum { H = 14, PATHS = 40000 };
	double mean[H], var[H];
	ck_assert_int_eq(fc_ets_forecast(&fit, H, mean, var, &err), 0);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 12345);
	double *paths = malloc((size_t)PATHS * H * sizeof *paths);
	ck_assert_ptr_nonnull(paths);
	size_t m = sp.m, tr = sp.trend != 0;
	double sd = sqrt(fit.sigma2);
	for (size_t p = 0; p < PATHS; p++) {
		double l = fit.last[0], b = tr ? fit.last[1] : 0, seas[FC_ETS_MAX_M];
		for (size_t j = 0; j < m && sp.season; j++)
			seas[j] = fit.last[1 + tr + j]; /* s_1 newest */
		double phi = sp.damped ? fit.phi : 1;
		for (size_t i = 0; i < H; i++) {
			double so = sp.season ? seas[m - 1] : (sp.season == FC_ETS_M ? 1 : 0);
			double q = l + phi * b;
			double mu = sp.season == FC_ETS_A ? q + so : sp.season == FC_ETS_M ? q * so : q;
			double e = gsl_ran_gaussian(r, sd);
			double yv = sp.error == FC_ETS_A ? mu + e : mu * (1 + e);
			double p_ = sp.season == FC_ETS_A ? yv - so : sp.season == FC_ETS_M ? yv / so : yv;
			double lnew = q + fit.alpha * (p_ - q);
			if (tr)
				b = phi * b + (fit.beta / fit.alpha) * (lnew - l - phi * b);
			if (sp.season) {
				double rr = sp.season == FC_ETS_A ? yv - q : yv / q;
				double snew = so + fit.gamma * (rr - so);
				memmove(seas + 1, seas, (m - 1) * sizeof *seas);
				seas[0] = snew;
			}
			l = lnew;
			paths[i * PATHS + p] = yv;
		}
	}
	for (size_t i = 0; i < H; i++) {
		double mu = gsl_stats_mean(paths + i * PATHS, 1, PATHS);
		double s2 = gsl_stats_variance_m(paths + i * PATHS, 1, PATHS, mu);
		/* 40,000 paths: the sd of a sample sd is about 0.4% (more for
		 * skewed multiplicative paths) */
		ck_assert_msg(rel_diff(sqrt(var[i]), sqrt(s2)) < 0.03, "%s step %zu: sd %g, simulated %g",
		              name, i + 1, sqrt(var[i]), sqrt(s2));
		ck_assert_msg(fabs(mean[i] - mu) < 4 * sqrt(s2 / PATHS) + 1e-9 * fabs(mu),
		              "%s step %zu: mean %g, simulated %g", name, i + 1, mean[i], mu);
	}
	free(paths);
	gsl_rng_free(r);
}

START_TEST(test_variance_by_simulation)
{
	/* USAccDeaths (1), UKgas (2), AirPassengers (0) */
	simulate_check("ANA USAccDeaths", 1, (fc_ets_spec){FC_ETS_A, FC_ETS_N, FC_ETS_A, 0, 0});
	simulate_check("MNA UKgas", 2, (fc_ets_spec){FC_ETS_M, FC_ETS_N, FC_ETS_A, 0, 0});
	simulate_check("AAdA USAccDeaths", 1, (fc_ets_spec){FC_ETS_A, FC_ETS_A, FC_ETS_A, 1, 0});
	simulate_check("MAdN Nile", 4, (fc_ets_spec){FC_ETS_M, FC_ETS_A, FC_ETS_N, 1, 0});
	simulate_check("MAM AirPassengers", 0, (fc_ets_spec){FC_ETS_M, FC_ETS_A, FC_ETS_M, 0, 0});
	simulate_check("MAdM UKgas", 2, (fc_ets_spec){FC_ETS_M, FC_ETS_A, FC_ETS_M, 1, 0});
	simulate_check("MNM UKgas", 2, (fc_ets_spec){FC_ETS_M, FC_ETS_N, FC_ETS_M, 0, 0});
}
END_TEST

/* ---- special series, missing values, errors --------------------------------- */

START_TEST(test_constant_series)
{
	double y[20], p = 4;
	for (size_t i = 0; i < 20; i++)
		y[i] = 7.5;
	fc_series s = make_series(y, 20, &p);
	fc_model *m = fit_ets(NULL, &s);
	fc_forecast f;
	run_forecast(m, 5, &f);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_double_eq(f.mean[i], 7.5);
		ck_assert_double_eq(LO(f, 1, i), 7.5);
		ck_assert_double_eq(HI(f, 1, i), 7.5);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_missing_values)
{
	const ets_fx_series *fx = &ets_fx_series_tab[1]; /* USAccDeaths */
	double p = fx->period;
	size_t n = fx->n;
	double *y = malloc((n + 12) * sizeof *y), *yi = malloc(n * sizeof *yi);
	ck_assert_ptr_nonnull(y);
	ck_assert_ptr_nonnull(yi);
	/* interior gaps = the interpolated series */
	memcpy(y, fx->y, n * sizeof *y);
	memcpy(yi, fx->y, n * sizeof *yi);
	y[30] = y[31] = y[32] = NAN;
	for (int k = 1; k <= 3; k++)
		yi[29 + k] = yi[29] + (yi[33] - yi[29]) * k / 4.0;
	fc_series s = make_series(y, n, &p), si = make_series(yi, n, &p);
	fc_model *a = fit_ets(NULL, &s), *b = fit_ets(NULL, &si);
	fc_forecast fa, fb;
	run_forecast(a, 12, &fa);
	run_forecast(b, 12, &fb);
	for (size_t i = 0; i < 12; i++) {
		ck_assert_double_eq(fa.mean[i], fb.mean[i]);
		ck_assert_double_eq(HI(fa, 1, i), HI(fb, 1, i));
	}
	fc_forecast_dispose(&fa);
	fc_forecast_dispose(&fb);
	fc_model_free(a);

	/* trailing gaps: the forecast continues from the last observation */
	memcpy(y, fx->y, n * sizeof *y);
	for (size_t k = 0; k < 3; k++)
		y[n + k] = NAN;
	s = make_series(y, n + 3, &p);
	si = make_series(fx->y, n, &p);
	a = fit_ets(NULL, &s);
	fc_model_free(b);
	b = fit_ets(NULL, &si);
	run_forecast(a, 9, &fa);
	run_forecast(b, 12, &fb);
	for (size_t i = 0; i < 9; i++) {
		ck_assert_double_eq(fa.mean[i], fb.mean[i + 3]);
		ck_assert_double_eq(LO(fa, 0, i), LO(fb, 0, i + 3));
	}
	fc_forecast_dispose(&fa);
	fc_forecast_dispose(&fb);
	fc_model_free(a);
	fc_model_free(b);

	/* leading gaps are dropped (12 of them keep the season phase) */
	for (size_t k = 0; k < 12; k++)
		y[k] = NAN;
	memcpy(y + 12, fx->y, n * sizeof *y);
	s = make_series(y, n + 12, &p);
	a = fit_ets(NULL, &s);
	b = fit_ets(NULL, &si);
	run_forecast(a, 6, &fa);
	run_forecast(b, 6, &fb);
	for (size_t i = 0; i < 6; i++)
		ck_assert_double_eq(fa.mean[i], fb.mean[i]);
	fc_forecast_dispose(&fa);
	fc_forecast_dispose(&fb);
	fc_model_free(a);
	fc_model_free(b);
	free(y);
	free(yi);
}
END_TEST

START_TEST(test_errors)
{
	fc_err err;
	double nan3[3] = {NAN, NAN, NAN}, p12 = 12;
	fc_series s = make_series(nan3, 3, NULL);
	fc_model *m = fc_model_alloc(fc_model_ets, &err);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "no observed values"));
	/* too short for R's estimation (n <= npars + 4) */
	double y6[6] = {1, 2, 3, 4, 5, 6};
	s = make_series(y6, 6, NULL);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "at least 7"));
	/* multiplicative errors on data with a zero */
	const ets_fx_series *sun = &ets_fx_series_tab[19]; /* sunspot_year */
	ck_assert_str_eq(sun->name, "sunspot_year");
	s = make_series(sun->y, sun->n, NULL);
	ck_assert_int_eq(fc_model_set_params_text(m, "model=MNN", &err), 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "positive"));
	/* a seasonal model on a non-seasonal series */
	ck_assert_int_eq(fc_model_set_params_text(m, "model=ANA", &err), 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	/* automatic selection keeps to additive models there */
	ck_assert_int_eq(fc_model_set_params_text(m, "model=ZZZ", &err), 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	ck_assert_int_eq((int)state_value(m, "error"), FC_ETS_A);
	/* fixed parameters outside R's bounds: no model */
	const ets_fx_series *ap = &ets_fx_series_tab[0];
	s = make_series(ap->y, ap->n, &p12);
	ck_assert_int_eq(fc_model_set_params_text(m, "model=AAN alpha=0.1 beta=0.5", &err), 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
	fc_model_free(m);
}
END_TEST

START_TEST(test_fixed_parameters)
{
	const ets_fx_series *ap = &ets_fx_series_tab[0];
	double p = ap->period;
	fc_series s = make_series(ap->y, ap->n, &p);
	fc_model *m = fit_ets("model=MAM alpha=0.3 gamma=0.2", &s);
	ck_assert_double_eq(state_value(m, "alpha"), 0.3);
	ck_assert_double_eq(state_value(m, "gamma"), 0.2);
	double beta = state_value(m, "beta");
	ck_assert(beta > 0 && beta <= 0.3);
	fc_model_free(m);
}
END_TEST

START_TEST(test_save_load)
{
	const ets_fx_series *fx = &ets_fx_series_tab[2]; /* UKgas */
	double p = fx->period;
	fc_series s = make_series(fx->y, fx->n, &p);
	fc_model *m = fit_ets("ic=aic", &s);
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	char *nl = strchr(b.data, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	fc_model *l = fc_model_load(fc_model_ets, b.data, nl + 1, &err);
	ck_assert_msg(l != NULL, "load: %s", err.msg);
	fc_forecast f1, f2;
	run_forecast(m, 10, &f1);
	run_forecast(l, 10, &f2);
	for (size_t i = 0; i < 10; i++) {
		ck_assert_double_eq(f1.mean[i], f2.mean[i]);
		ck_assert_double_eq(LO(f1, 0, i), LO(f2, 0, i));
		ck_assert_double_eq(HI(f1, 1, i), HI(f2, 1, i));
	}
	fc_forecast_dispose(&f1);
	fc_forecast_dispose(&f2);
	fc_model_free(l);

	/* corrupt states are refused */
	const char *bad[] = {
		"error=3 trend=0 season=0 damped=0 m=1 alpha=0.5 beta=0 gamma=0 phi=1 sigma2=1 last=1 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=2 damped=0 m=4 alpha=0.5 beta=0 gamma=0.1 phi=1 sigma2=1 last=1,1,1,1,1 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=1 damped=0 m=4 alpha=0.5 beta=0 gamma=0.1 phi=1 sigma2=1 last=1,1,1 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=0 damped=1 m=1 alpha=0.5 beta=0 gamma=0 phi=0.9 sigma2=1 last=1 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=0 damped=0 m=1 alpha=1.5 beta=0 gamma=0 phi=1 sigma2=1 last=1 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=0 damped=0 m=1 alpha=0.5 beta=0 gamma=0 phi=1 sigma2=-1 last=1 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=0 damped=0 m=1 alpha=0.5 beta=0 gamma=0 phi=1 sigma2=1 last=nan n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
		"error=1 trend=0 season=0 damped=0 m=1 alpha=0.5 beta=0 gamma=0 phi=1 sigma2=1 last=1 n=10 np=2 np_est=2 lik=1 aicc=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fc_model *x = fc_model_load(fc_model_ets, "params model=ZZZ", bad[i], &err);
		ck_assert_msg(x == NULL, "loaded bad state %zu", i);
		ck_assert_int_eq(err.code, FC_EFORMAT);
	}
	fc_model *x = fc_model_load(fc_model_ets, "params model=ZZZ",
	                            "error=1 trend=0 season=0 damped=0 m=1 alpha=0.5 beta=0 gamma=0 "
	                            "phi=1 sigma2=1 last=3 n=10 np=2 np_est=2 lik=1 aicc=1 skip=0",
	                            &err);
	ck_assert_msg(x != NULL, "%s", err.msg);
	fc_model_free(x);
	fc_buf_dispose(&b);
	fc_model_free(m);
}
END_TEST

START_TEST(test_deterministic)
{
	const ets_fx_series *fx = &ets_fx_series_tab[10]; /* wineind */
	double p = fx->period;
	fc_series s = make_series(fx->y, fx->n, &p);
	fc_model *a = fit_ets(NULL, &s), *b = fit_ets(NULL, &s);
	fc_buf ba, bb;
	fc_buf_init(&ba);
	fc_buf_init(&bb);
	fc_err err;
	ck_assert_int_eq(fc_model_save(a, &ba, &err), 0);
	ck_assert_int_eq(fc_model_save(b, &bb, &err), 0);
	ck_assert_str_eq(ba.data, bb.data);
	fc_buf_dispose(&ba);
	fc_buf_dispose(&bb);
	fc_model_free(a);
	fc_model_free(b);
}
END_TEST

/* ---- R fixtures ----------------------------------------------------------- */

/* Bounds R gets wrong (ets.c): ETS(A,N,A) at multiples of m, ETS(M,N,A)
 * from step m on, ETS(M,Ad,M) (undamped moments).  Our variances for these
 * are checked against simulation in test_variance_by_simulation. */
static int r_bounds_wrong(const char *method, size_t step, size_t m)
{
	if (strcmp(method, "ANA") == 0)
		return step % m == 0;
	if (strcmp(method, "MNA") == 0)
		return step >= m;
	return strcmp(method, "MAdM") == 0;
}

/* Compares one fit with R; returns 1 when the model is the same. */
static int compare_fit(const ets_fx_fit *fx, int assert_model, double *max_rel)
{
	const ets_fx_series *s = &ets_fx_series_tab[fx->series];
	size_t n;
	double *owned;
	const double *y = fx_values(fx->series, &n, &owned);
	if (!y)
		return -1;
	double p = s->period;
	fc_series ser = make_series(y, n, &p);
	char params[64];
	if (strcmp(fx->request, "ZZZ") == 0) {
		snprintf(params, sizeof params, "model=ZZZ");
	} else {
		size_t L = strlen(fx->request);
		snprintf(params, sizeof params, "model=%c%c%c damped=%s", fx->request[0], fx->request[1],
		         fx->request[L - 1], strchr(fx->request, 'd') ? "true" : "false");
	}
	fc_model *m = fit_ets(params, &ser);
	char name[8];
	model_name(m, name);
	int same = strcmp(name, fx->method) == 0;
	if (assert_model)
		ck_assert_msg(same, "%s %s: R fits %s, we %s", s->name, fx->request, fx->method, name);
	if (same) {
		fc_forecast f;
		run_forecast(m, fx->h, &f);
		size_t mper = p >= 2 ? (size_t)p : 1;
		for (size_t i = 0; i < fx->h; i++) {
			if (max_rel && rel_diff(f.mean[i], fx->mean[i]) > *max_rel)
				*max_rel = rel_diff(f.mean[i], fx->mean[i]);
			ck_assert_msg(rel_diff(f.mean[i], fx->mean[i]) < 0.01,
			              "%s %s step %zu: mean %.10g, R %.10g", s->name, fx->request, i + 1,
			              f.mean[i], fx->mean[i]);
			if (r_bounds_wrong(name, i + 1, mper))
				continue;
			const double *r[4] = {fx->lo80, fx->hi80, fx->lo95, fx->hi95};
			double o[4] = {LO(f, 0, i), HI(f, 0, i), LO(f, 1, i), HI(f, 1, i)};
			for (int k = 0; k < 4; k++) {
				/* relative to the interval's scale, not to a bound near 0 */
				double scale = fmax(fabs(r[k][i]), fabs(fx->mean[i]));
				ck_assert_msg(fabs(o[k] - r[k][i]) < 0.01 * scale,
				              "%s %s step %zu bound %d: %.10g, R %.10g", s->name, fx->request,
				              i + 1, k, o[k], r[k][i]);
			}
		}
		/* identical optima: the likelihood to 1e-6 */
		double loglik = -0.5 * state_value(m, "lik");
		if (!isnan(fx->loglik))
			ck_assert_msg(rel_diff(loglik, fx->loglik) < 1e-6, "%s %s: loglik %.10g, R %.10g",
			              s->name, fx->request, loglik, fx->loglik);
		ck_assert_msg(isnan(fx->alpha) || fabs(state_value(m, "alpha") - fx->alpha) < 1e-4,
		              "%s %s: alpha %g, R %g", s->name, fx->request, state_value(m, "alpha"), fx->alpha);
		fc_forecast_dispose(&f);
	}
	fc_model_free(m);
	free(owned);
	return same;
}

START_TEST(test_r_fixed_models)
{
	const ets_fx_fit *fx = &ets_fx_fits[_i];
	if (strcmp(fx->request, "ZZZ") == 0)
		return;
	compare_fit(fx, 1, NULL);
}
END_TEST

START_TEST(test_r_automatic)
{
	const ets_fx_fit *fx = &ets_fx_fits[_i];
	if (strcmp(fx->request, "ZZZ") != 0)
		return;
	if (compare_fit(fx, 0, NULL) < 0)
		fprintf(stderr, "note: %s not found under %s, skipped\n", ets_fx_series_tab[fx->series].name,
		        SHARED_DATA_DIR);
}
END_TEST

/* The criterion: the same model as R on >= 85% of the series. */
START_TEST(test_r_selection_rate)
{
	size_t tried = 0, same = 0;
	double max_rel = 0;
	for (size_t i = 0; i < ETS_FX_N_FITS; i++) {
		const ets_fx_fit *fx = &ets_fx_fits[i];
		if (strcmp(fx->request, "ZZZ") != 0)
			continue;
		int r = compare_fit(fx, 0, &max_rel);
		if (r < 0)
			continue;
		tried++;
		same += (size_t)r;
	}
	fprintf(stderr, "ets: R's model selected on %zu of %zu series; forecast means within %.4g%% "
	        "of R's where the model is the same\n", same, tried, 100 * max_rel);
	ck_assert_uint_ge(tried, 25);
	ck_assert_msg(same * 100 >= 85 * tried, "same model on %zu of %zu series", same, tried);
}
END_TEST

/* Re-anchoring = R's ets(y, model = fit on a prefix of y). */
START_TEST(test_r_refit)
{
	const ets_fx_refit *fx = &ets_fx_refits[_i];
	const ets_fx_series *s = &ets_fx_series_tab[fx->series];
	double p = s->period;
	fc_series head = make_series(s->y, fx->n0, &p), all = make_series(s->y, s->n, &p);
	fc_model *m = fit_ets(NULL, &head);
	char name[8];
	model_name(m, name);
	ck_assert_str_eq(name, fx->method);
	double alpha = state_value(m, "alpha");
	fc_err err;
	ck_assert_int_eq(fc_model_anchor(m, &all, &err), 0);
	ck_assert_double_eq(state_value(m, "alpha"), alpha);
	ck_assert_double_eq_tol(-0.5 * state_value(m, "lik"), fx->loglik, 1e-6 * fabs(fx->loglik));
	fc_forecast f;
	run_forecast(m, fx->h, &f);
	for (size_t i = 0; i < fx->h; i++) {
		ck_assert_msg(rel_diff(f.mean[i], fx->mean[i]) < 0.01, "%s step %zu: %g, R %g", s->name,
		              i + 1, f.mean[i], fx->mean[i]);
		ck_assert(fabs(HI(f, 1, i) - fx->hi95[i]) < 0.01 * fabs(fx->hi95[i]));
	}
	fc_forecast_dispose(&f);
	/* newer data that a multiplicative model cannot take */
	double *y = malloc(s->n * sizeof *y);
	memcpy(y, s->y, s->n * sizeof *y);
	y[s->n - 1] = -1;
	fc_series neg = make_series(y, s->n, &p);
	if (state_value(m, "error") == FC_ETS_M) {
		ck_assert_int_eq(fc_model_anchor(m, &neg, &err), FC_EMODEL);
		ck_assert(!m->fitted);
	}
	free(y);
	fc_model_free(m);
}
END_TEST

static Suite *ets_suite(void)
{
	Suite *su = suite_create("ets");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_min_length);
	tcase_add_test(tc, test_recursion_by_hand);
	tcase_add_test(tc, test_variance_by_simulation);
	tcase_add_test(tc, test_constant_series);
	tcase_add_test(tc, test_missing_values);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_fixed_parameters);
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(su, tc);
	TCase *tr = tcase_create("r_fixtures");
	tcase_set_timeout(tr, 120);
	tcase_add_loop_test(tr, test_r_fixed_models, 0, (int)ETS_FX_N_FITS);
	tcase_add_loop_test(tr, test_r_automatic, 0, (int)ETS_FX_N_FITS);
	tcase_add_test(tr, test_r_selection_rate);
	tcase_add_loop_test(tr, test_r_refit, 0, (int)ETS_FX_N_REFITS);
	suite_add_tcase(su, tr);
	return su;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(ets_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
