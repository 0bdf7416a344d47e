/* Tests of the intermittent-demand kinds croston, sba, tsb, adida and imapa
 * (src/models/intermittent/intermittent.c): hand-computed forecasts, applicability,
 * all-zero and missing data, errors, save/load round trips, re-anchoring,
 * and Croston forecasts computed by R's forecast::croston
 * (tests/fixtures/intermittent.R). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "forecast/model.h"
#include "data/intermittent_fixtures.h"

/* Until the registry (model.h) declares them. */

static const double LEVELS[2] = {80, 95};

/* Demands of 3, 2 and 4 at periods 3, 7 and 9 of 10. */
static const double X[10] = {0, 0, 3, 0, 0, 0, 2, 0, 4, 0};

static fc_series make_series(const double *y, size_t n)
{
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.n = n;
	s.y = y;
	return s;
}

static fc_model *fit_kind(const fc_model_type *type, const char *params, const double *y, size_t n)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(type, &err);
	ck_assert_ptr_nonnull(m);
	if (params)
		ck_assert_msg(fc_model_set_params_text(m, params, &err) == 0, "%s", err.msg);
	fc_series s = make_series(y, n);
	int rc = fc_model_fit(m, &s, &err);
	ck_assert_msg(rc == 0, "fit %s: %s", type->name, err.msg);
	return m;
}

/* The flat forecast of a fitted model, checking flatness and NaN bounds. */
static double forecast1(const fc_model *m)
{
	fc_forecast f;
	fc_err err;
	ck_assert_int_eq(fc_forecast_init(&f, 5, LEVELS, 2, &err), 0);
	ck_assert_msg(fc_model_forecast(m, &f, &err) == 0, "%s", err.msg);
	for (size_t i = 1; i < 5; i++)
		ck_assert_double_eq(f.mean[i], f.mean[0]);
	for (size_t i = 0; i < 10; i++) {
		ck_assert(isnan(f.lo[i]));
		ck_assert(isnan(f.hi[i]));
	}
	double v = f.mean[0];
	fc_forecast_dispose(&f);
	return v;
}

static double fit_forecast(const fc_model_type *type, const char *params, const double *y, size_t n)
{
	fc_model *m = fit_kind(type, params, y, n);
	double v = forecast1(m);
	fc_model_free(m);
	return v;
}

/* Reads a value of the saved state line. */
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

/* ---- hand-computed forecasts ----------------------------------------------- */

START_TEST(test_croston_hand)
{
	/* Sizes 3, 2, 4 -> SES(0.1) level 2.9, then 3.01; intervals 3, 4, 2 ->
	 * 3.1, then 2.99.  Croston = 3.01 / 2.99 (R: 1.0066889632107023). */
	ck_assert_double_eq_tol(fit_forecast(fc_model_croston, NULL, X, 10), 3.01 / 2.99, 1e-14);
	ck_assert_double_eq_tol(fit_forecast(fc_model_croston, NULL, X, 10), 1.0066889632107023, 1e-14);
	/* SBA: times (1 - 0.1/2). */
	ck_assert_double_eq_tol(fit_forecast(fc_model_sba, NULL, X, 10), 3.01 / 2.99 * 0.95, 1e-14);
	/* alpha = 0.5: sizes 3 -> 2.5 -> 3.25; intervals 3 -> 3.5 -> 2.75. */
	ck_assert_double_eq_tol(fit_forecast(fc_model_croston, "alpha=0.5", X, 10), 3.25 / 2.75, 1e-14);
	ck_assert_double_eq_tol(fit_forecast(fc_model_sba, "alpha=0.5", X, 10), 3.25 / 2.75 * 0.75, 1e-14);
	/* One demand of 5 at period 3: 5 / 3, as R. */
	const double one[3] = {0, 0, 5};
	ck_assert_double_eq_tol(fit_forecast(fc_model_croston, NULL, one, 3), 5.0 / 3, 1e-15);
}
END_TEST

START_TEST(test_tsb_hand)
{
	/* z_1 = 3 (first demand), p_1 = 3/10; beta = 0.2 on the indicator,
	 * alpha = 0.1 on the sizes, from period 2 on.  By hand:
	 * p = 0.24, 0.392, 0.3136, 0.25088, 0.200704, 0.3605632, 0.28845056,
	 * 0.430760448, 0.3446083584; z = 3, 3, 2.9, 3.01. */
	double v = fit_forecast(fc_model_tsb, "alpha=0.1 beta=0.2", X, 10);
	ck_assert_double_eq_tol(v, 0.3446083584 * 3.01, 1e-14);
	/* beta = 1: p is the last indicator (0) -> forecast 0. */
	ck_assert_double_eq_tol(fit_forecast(fc_model_tsb, "alpha=0.1 beta=1", X, 10), 0, 1e-15);
	const double last[4] = {0, 2, 0, 6};
	/* z_1 = 2, p_1 = 0.5; beta = 1, alpha = 0.5: p = 1, z = 2 + 0.5 * 4. */
	ck_assert_double_eq_tol(fit_forecast(fc_model_tsb, "alpha=0.5 beta=1", last, 4), 4, 1e-15);
}
END_TEST

START_TEST(test_adida_hand)
{
	/* level 2: buckets 0, 3, 0, 2, 4; SES(0.5) from 0: 1.5, 0.75, 1.375,
	 * 2.6875; per period 1.34375. */
	ck_assert_double_eq(fit_forecast(fc_model_adida, "alpha=0.5 level=2", X, 10), 1.34375);
	/* auto level: round(10 / 3) = 3; the oldest period is dropped: buckets
	 * 3, 2, 4; SES(0.5): 2.5, 3.25; per period 3.25 / 3. */
	ck_assert_double_eq_tol(fit_forecast(fc_model_adida, "alpha=0.5", X, 10), 3.25 / 3, 1e-15);
	/* level 1 is SES on the series itself. */
	ck_assert_double_eq(fit_forecast(fc_model_adida, "alpha=0.5 level=1", X, 10), 1.13671875);
}
END_TEST

START_TEST(test_imapa_hand)
{
	/* Longest interval 4, so levels 1..4; levels 3 and 4 have fewer than 4
	 * buckets and are skipped.  Level 1: SES(0.5) on X = 1.13671875;
	 * level 2: 1.34375. */
	double want = (1.13671875 + 1.34375) / 2;
	ck_assert_double_eq(fit_forecast(fc_model_imapa, "alpha=0.5", X, 10), want);
	ck_assert_double_eq(fit_forecast(fc_model_imapa, "alpha=0.5 max_level=2", X, 10), want);
	ck_assert_double_eq(fit_forecast(fc_model_imapa, "alpha=0.5 max_level=1", X, 10), 1.13671875);
}
END_TEST

/* ---- optimised parameters ----------------------------------------------------- */

/* SSE of SES (initial level x[0]) over x[1..n). */
static double ses_sse(const double *x, size_t n, double a)
{
	double l = x[0], s = 0;
	for (size_t t = 1; t < n; t++) {
		s += (x[t] - l) * (x[t] - l);
		l = a * x[t] + (1 - a) * l;
	}
	return s;
}

START_TEST(test_adida_auto_alpha)
{
	const im_fixture *fx = &im_fixtures[0];
	fc_model *m = fit_kind(fc_model_adida, "level=1", fx->y, fx->n);
	fc_buf b;
	fc_err err;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	const char *s = strstr(b.data, "alphas=");
	ck_assert_ptr_nonnull(s);
	double a = strtod(s + 7, NULL);
	ck_assert(a >= 0.01 && a <= 1);
	double best = ses_sse(fx->y, fx->n, a);
	for (double g = 0.01; g <= 1; g += 0.005)
		ck_assert_msg(best <= ses_sse(fx->y, fx->n, g) * (1 + 1e-9), "alpha %g beats %g", g, a);
	fc_buf_dispose(&b);
	fc_model_free(m);
}
END_TEST

/* TSB's in-sample SSE as the kind defines it (for the optimality check). */
static double tsb_sse(const double *x, size_t n, double a, double b)
{
	size_t k = 0;
	double z = 0;
	for (size_t t = 0; t < n; t++) {
		if (x[t] > 0) {
			if (k == 0)
				z = x[t];
			k++;
		}
	}
	double p = (double)k / (double)n, s = 0;
	for (size_t t = 1; t < n; t++) {
		double e = x[t] - p * z;
		s += e * e;
		p += b * ((x[t] > 0) - p);
		if (x[t] > 0)
			z += a * (x[t] - z);
	}
	return s;
}

START_TEST(test_tsb_auto)
{
	const im_fixture *fx = &im_fixtures[4];
	fc_model *m = fit_kind(fc_model_tsb, "alpha=auto beta=auto", fx->y, fx->n);
	double a = state_value(m, "alpha"), b = state_value(m, "beta");
	ck_assert(a >= 0.01 && a <= 1 && b >= 0.01 && b <= 1);
	double best = tsb_sse(fx->y, fx->n, a, b);
	for (double ga = 0.05; ga <= 1; ga += 0.05)
		for (double gb = 0.05; gb <= 1; gb += 0.05)
			ck_assert(best <= tsb_sse(fx->y, fx->n, ga, gb) * (1 + 1e-9));
	/* The forecast is p z of the fitted path. */
	ck_assert_double_eq_tol(forecast1(m), state_value(m, "p") * state_value(m, "z"), 1e-12);
	fc_model_free(m);
	/* Only beta free: alpha stays. */
	m = fit_kind(fc_model_tsb, "alpha=0.3 beta=auto", fx->y, fx->n);
	ck_assert_double_eq(state_value(m, "alpha"), 0.3);
	fc_model_free(m);
}
END_TEST

/* ---- R fixtures ------------------------------------------------------------- */

START_TEST(test_croston_fixtures)
{
	const im_fixture *fx = &im_fixtures[_i];
	double c1 = fit_forecast(fc_model_croston, "alpha=0.1", fx->y, fx->n);
	double c3 = fit_forecast(fc_model_croston, "alpha=0.3", fx->y, fx->n);
	ck_assert_msg(fabs(c1 / fx->croston_01 - 1) <= 0.005, "%s: %.17g vs R %.17g", fx->name, c1,
	              fx->croston_01);
	ck_assert_msg(fabs(c3 / fx->croston_03 - 1) <= 0.005, "%s: %.17g vs R %.17g", fx->name, c3,
	              fx->croston_03);
	double s1 = fit_forecast(fc_model_sba, NULL, fx->y, fx->n);
	ck_assert_msg(fabs(s1 / (fx->croston_01 * 0.95) - 1) <= 0.005, "%s: sba %.17g", fx->name, s1);
	/* Every kind fits and forecasts a finite non-negative value. */
	const fc_model_type *kinds[3] = {fc_model_tsb, fc_model_adida, fc_model_imapa};
	for (int k = 0; k < 3; k++) {
		double v = fit_forecast(kinds[k], NULL, fx->y, fx->n);
		ck_assert_msg(isfinite(v) && v >= 0, "%s on %s: %g", kinds[k]->name, fx->name, v);
	}
}
END_TEST

START_TEST(test_min_length)
{
	const fc_model_type *kinds[5] = {fc_model_croston, fc_model_sba, fc_model_tsb,
	                                 fc_model_adida, fc_model_imapa};
	fc_err err;
	for (int k = 0; k < 5; k++) {
		fc_model *m = fc_model_alloc(kinds[k], &err);
		for (size_t i = 0; i < IM_N_FIXTURES; i++) {
			fc_series s = make_series(im_fixtures[i].y, im_fixtures[i].n);
			size_t L = fc_model_min_length(m, &s);
			if (im_fixtures[i].adi < 1.32)
				ck_assert_msg(L == 0, "%s on %s: %zu", kinds[k]->name, im_fixtures[i].name, L);
			else
				ck_assert_msg(L >= 3 && L <= s.n, "%s on %s: %zu", kinds[k]->name,
				              im_fixtures[i].name, L);
		}
		fc_series s = make_series(X, 10);
		ck_assert_uint_eq(fc_model_min_length(m, &s), k == 3 ? 6 : 3); /* adida: 2 x level 3 */
		const double neg[6] = {0, 2, 0, -1, 0, 3};
		s = make_series(neg, 6);
		ck_assert_uint_eq(fc_model_min_length(m, &s), 0);
		const double one[6] = {0, 0, 0, 4, 0, 0};
		s = make_series(one, 6);
		ck_assert_uint_eq(fc_model_min_length(m, &s), 0);
		const double zero[6] = {0, 0, 0, 0, 0, 0};
		s = make_series(zero, 6);
		ck_assert_uint_eq(fc_model_min_length(m, &s), 0);
		/* ADI 6/5 = 1.2 < 1.32: not intermittent. */
		const double dense[6] = {1, 2, 0, 1, 3, 1};
		s = make_series(dense, 6);
		ck_assert_uint_eq(fc_model_min_length(m, &s), 0);
		/* ADI 4/3 = 1.33: intermittent (NaN not counted). */
		const double edge[5] = {1, NAN, 2, 0, 1};
		s = make_series(edge, 5);
		ck_assert_uint_gt(fc_model_min_length(m, &s), 0);
		fc_model_free(m);
	}
}
END_TEST

/* ---- zeros, missing values, errors ---------------------------------------------- */

START_TEST(test_all_zero)
{
	const double zero[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	const fc_model_type *kinds[5] = {fc_model_croston, fc_model_sba, fc_model_tsb,
	                                 fc_model_adida, fc_model_imapa};
	for (int k = 0; k < 5; k++) {
		fc_model *m = fit_kind(kinds[k], NULL, zero, 8);
		ck_assert_double_eq(forecast1(m), 0);
		/* and the state survives a save/load round trip */
		fc_buf b;
		fc_err err;
		fc_buf_init(&b);
		ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
		char *nl = strchr(b.data, '\n');
		*nl = '\0';
		fc_model *l = fc_model_load(kinds[k], b.data, nl + 1, &err);
		ck_assert_msg(l != NULL, "%s: %s", kinds[k]->name, err.msg);
		ck_assert_double_eq(forecast1(l), 0);
		fc_model_free(l);
		fc_buf_dispose(&b);
		fc_model_free(m);
	}
}
END_TEST

START_TEST(test_missing_dropped)
{
	/* NaN periods are dropped: the forecasts equal those of X. */
	const double gappy[13] = {NAN, 0, 0, 3, NAN, 0, 0, 0, 2, 0, 4, NAN, 0};
	const fc_model_type *kinds[5] = {fc_model_croston, fc_model_sba, fc_model_tsb,
	                                 fc_model_adida, fc_model_imapa};
	for (int k = 0; k < 5; k++)
		ck_assert_double_eq(fit_forecast(kinds[k], NULL, gappy, 13),
		                    fit_forecast(kinds[k], NULL, X, 10));
}
END_TEST

START_TEST(test_errors)
{
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_croston, &err);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "0", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "1.5", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "auto", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "0.2x", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "nan", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "beta", "0.1", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "it has: alpha"));
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "1", &err), 0);
	/* negative values and nothing observed */
	const double neg[4] = {0, 3, -1, 2};
	fc_series s = make_series(neg, 4);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "negative"));
	const double none[3] = {NAN, NAN, NAN};
	s = make_series(none, 3);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	fc_model_free(m);

	m = fc_model_alloc(fc_model_tsb, &err);
	ck_assert_int_eq(fc_model_set_param(m, "beta", "-0.1", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "gamma", "0.1", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "alpha, beta"));
	ck_assert_int_eq(fc_model_set_param(m, "beta", "auto", &err), 0);
	fc_model_free(m);

	m = fc_model_alloc(fc_model_adida, &err);
	ck_assert_int_eq(fc_model_set_param(m, "level", "-1", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "level", "2.5", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "max_level", "2", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "level", "4", &err), 0);
	fc_model_free(m);
	m = fc_model_alloc(fc_model_imapa, &err);
	ck_assert_int_eq(fc_model_set_param(m, "level", "2", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "max_level", "x", &err), FC_EINVAL);
	fc_model_free(m);

	/* A corrupt state line is FC_EFORMAT. */
	ck_assert_ptr_null(fc_model_load(fc_model_croston, "alpha=0.1", "mean=1 alpha=2 z=1 p=1", &err));
	ck_assert_int_eq(err.code, FC_EFORMAT);
	ck_assert_ptr_null(fc_model_load(fc_model_imapa, "alpha=auto max_level=0",
	                                 "mean=1 level=3 alphas=0.5,0.5", &err));
	ck_assert_int_eq(err.code, FC_EFORMAT);
	ck_assert_ptr_null(fc_model_load(fc_model_tsb, "alpha=0.1 beta=0.1", "mean=1 alpha=0.1", &err));
	ck_assert_int_eq(err.code, FC_EFORMAT);
}
END_TEST

/* ---- save/load and re-anchoring ----------------------------------------------- */

START_TEST(test_save_load)
{
	static const char *const params[5] = {"alpha=0.2", NULL, "alpha=auto beta=auto", NULL, NULL};
	const fc_model_type *kinds[5] = {fc_model_croston, fc_model_sba, fc_model_tsb,
	                                 fc_model_adida, fc_model_imapa};
	const im_fixture *fx = &im_fixtures[_i];
	for (int k = 0; k < 5; k++) {
		fc_model *m = fit_kind(kinds[k], params[k], fx->y, fx->n);
		fc_buf b, b2;
		fc_err err;
		fc_buf_init(&b);
		fc_buf_init(&b2);
		ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
		char *copy = strdup(b.data);
		char *nl = strchr(copy, '\n');
		*nl = '\0';
		fc_model *l = fc_model_load(kinds[k], copy, nl + 1, &err);
		ck_assert_msg(l != NULL, "%s: %s", kinds[k]->name, err.msg);
		ck_assert_int_eq(fc_model_save(l, &b2, &err), 0);
		ck_assert_str_eq(b.data, b2.data);
		double a = forecast1(m), c = forecast1(l);
		ck_assert(memcmp(&a, &c, sizeof a) == 0);
		free(copy);
		fc_buf_dispose(&b);
		fc_buf_dispose(&b2);
		fc_model_free(l);
		fc_model_free(m);
	}
}
END_TEST

/* The text of token key= in the state line of a saved model. */
static char *state_token(const fc_model *m, const char *key)
{
	fc_buf b;
	fc_err err;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	char pat[64];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *s = strstr(strstr(b.data, "\nstate"), pat);
	ck_assert_ptr_nonnull(s);
	s += 1;
	size_t len = strcspn(s, " \n");
	char *t = strndup(s, len);
	fc_buf_dispose(&b);
	return t;
}

START_TEST(test_anchor)
{
	/* Fit on the first 500 periods, re-anchor on all: the estimated
	 * parameters stay, and the forecast is the one of the fixed-parameter
	 * method on all the data. */
	const im_fixture *fx = &im_fixtures[1];
	fc_series all = make_series(fx->y, fx->n);
	fc_err err;

	fc_model *m = fit_kind(fc_model_tsb, "alpha=auto beta=auto", fx->y, 500);
	double a = state_value(m, "alpha"), b = state_value(m, "beta");
	ck_assert_msg(fc_model_anchor(m, &all, &err) == 0, "%s", err.msg);
	ck_assert_double_eq(state_value(m, "alpha"), a);
	ck_assert_double_eq(state_value(m, "beta"), b);
	char txt[128];
	snprintf(txt, sizeof txt, "alpha=%.17g beta=%.17g", a, b);
	ck_assert_double_eq(forecast1(m), fit_forecast(fc_model_tsb, txt, fx->y, fx->n));
	fc_model_free(m);

	m = fit_kind(fc_model_adida, NULL, fx->y, 500);
	char *al0 = state_token(m, "alphas"), *lv0 = state_token(m, "level");
	ck_assert_msg(fc_model_anchor(m, &all, &err) == 0, "%s", err.msg);
	char *al1 = state_token(m, "alphas"), *lv1 = state_token(m, "level");
	ck_assert_str_eq(al0, al1);
	ck_assert_str_eq(lv0, lv1);
	snprintf(txt, sizeof txt, "alpha=%s level=%s", al0 + 7, lv0 + 6);
	ck_assert_double_eq(forecast1(m), fit_forecast(fc_model_adida, txt, fx->y, fx->n));
	free(al0);
	free(al1);
	free(lv0);
	free(lv1);
	fc_model_free(m);

	m = fit_kind(fc_model_imapa, NULL, fx->y, 500);
	double before = forecast1(m);
	al0 = state_token(m, "alphas");
	ck_assert_msg(fc_model_anchor(m, &all, &err) == 0, "%s", err.msg);
	al1 = state_token(m, "alphas");
	ck_assert_str_eq(al0, al1);
	ck_assert(forecast1(m) != before);
	free(al0);
	free(al1);
	fc_model_free(m);
}
END_TEST

static Suite *intermittent_suite(void)
{
	Suite *s = suite_create("intermittent");
	TCase *tc = tcase_create("hand");
	tcase_add_test(tc, test_croston_hand);
	tcase_add_test(tc, test_tsb_hand);
	tcase_add_test(tc, test_adida_hand);
	tcase_add_test(tc, test_imapa_hand);
	tcase_add_test(tc, test_adida_auto_alpha);
	tcase_add_test(tc, test_tsb_auto);
	tcase_add_test(tc, test_min_length);
	tcase_add_test(tc, test_all_zero);
	tcase_add_test(tc, test_missing_dropped);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_anchor);
	suite_add_tcase(s, tc);
	TCase *fx = tcase_create("fixtures");
	tcase_set_timeout(fx, 30);
	tcase_add_loop_test(fx, test_croston_fixtures, 0, (int)IM_N_FIXTURES);
	tcase_add_loop_test(fx, test_save_load, 0, (int)IM_N_FIXTURES);
	suite_add_tcase(s, fx);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(intermittent_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
