/* Tests of the kinds' describe hooks (what `forecast explain` reports of
 * local models): every local kind has one; ARIMA reports the order and
 * coefficients R's auto.arima finds on AirPassengers; the values are the
 * state's (a saved and reloaded model describes itself identically, and
 * the baselines report what their definitions give); STL's trend and
 * seasonal strengths equal Wang, Smith & Hyndman's formula computed here
 * from an MSTL decomposition, are near 1 for a clean seasonal series and
 * near 0 for noise, survive save/load, and are left out for a file saved
 * before they were recorded. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "forecast/decompose.h"
#include "forecast/explain.h"
#include "forecast/model.h"

#include "data/arima_fixtures.h"

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

static fc_model *fit_kind(const char *kind, const char *params, const fc_series *s)
{
	fc_err err;
	fc_err_clear(&err);
	const fc_model_type *type = fc_model_lookup(kind);
	ck_assert_ptr_nonnull(type);
	fc_model *m = fc_model_alloc(type, &err);
	ck_assert_ptr_nonnull(m);
	if (params)
		ck_assert_int_eq(fc_model_set_params_text(m, params, &err), 0);
	int rc = fc_model_fit(m, s, &err);
	ck_assert_msg(rc == 0, "fit %s: %s", kind, err.msg);
	return m;
}

static void describe(const fc_model *m, fc_description *d)
{
	fc_err err;
	fc_err_clear(&err);
	fc_description_init(d);
	ck_assert_msg(fc_model_describe(m, d, &err) == 0, "%s", err.msg);
}

static const fc_described *find(const fc_description *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->items[i].name, name) == 0)
			return &d->items[i];
	return NULL;
}

static double num(const fc_description *d, const char *name)
{
	const fc_described *v = find(d, name);
	ck_assert_msg(v != NULL, "no '%s' in the description", name);
	ck_assert_msg(v->text == NULL, "'%s' is a text", name);
	return v->value;
}

static const char *text(const fc_description *d, const char *name)
{
	const fc_described *v = find(d, name);
	ck_assert_msg(v != NULL && v->text != NULL, "no text '%s' in the description", name);
	return v->text;
}

/* Loads the "params ...\nstate ...\n" text of fc_model_save (changed in
 * place) as a new model of m's kind. */
static fc_model *load_text(const fc_model *m, char *text)
{
	fc_err err;
	fc_err_clear(&err);
	char *nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	char *params = text + strlen("params"), *state = nl + 1 + strlen("state");
	params += strspn(params, " ");
	state += strspn(state, " ");
	state[strcspn(state, "\n")] = '\0';
	fc_model *r = fc_model_load(m->type, params, state, &err);
	ck_assert_msg(r != NULL, "reload %s: %s", m->type->name, err.msg);
	return r;
}

/* Saves m and loads it back as a new model. */
static fc_model *reload(const fc_model *m)
{
	fc_err err;
	fc_err_clear(&err);
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	fc_model *r = load_text(m, b.data);
	fc_buf_dispose(&b);
	return r;
}

static void assert_same(const fc_description *a, const fc_description *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_str_eq(a->items[i].name, b->items[i].name);
		if (a->items[i].text)
			ck_assert_str_eq(a->items[i].text, b->items[i].text);
		else if (!isnan(a->items[i].value))
			ck_assert_double_eq(a->items[i].value, b->items[i].value);
	}
}

START_TEST(test_every_local_kind)
{
	for (size_t i = 0; i < fc_model_kind_count(); i++) {
		const fc_model_type *t = fc_model_kind_at(i);
		if (!t->global)
			ck_assert_msg(t->describe != NULL, "kind '%s' has no describe hook", t->name);
	}
}
END_TEST

START_TEST(test_arima_air_passengers)
{
	const double season = 12;
	fc_series s = make_series(arima_fx_0_y, 144, &season, 1);
	fc_model *m = fit_kind("arima", NULL, &s);
	fc_description d, d2;
	describe(m, &d);
	/* R: auto.arima(AirPassengers) is ARIMA(2,1,1)(0,1,0)[12] */
	ck_assert_str_eq(text(&d, "form"), "ARIMA(2,1,1)(0,1,0)[12]");
	ck_assert_double_eq(num(&d, "p"), 2);
	ck_assert_double_eq(num(&d, "d"), 1);
	ck_assert_double_eq(num(&d, "q"), 1);
	ck_assert_double_eq(num(&d, "D"), 1);
	ck_assert_double_eq(num(&d, "m"), 12);
	ck_assert_double_eq_tol(num(&d, "ar1"), arima_fx_0_auto_coef[0], 1e-3);
	ck_assert_double_eq_tol(num(&d, "ar2"), arima_fx_0_auto_coef[1], 1e-3);
	ck_assert_double_eq_tol(num(&d, "ma1"), arima_fx_0_auto_coef[2], 1e-3);
	ck_assert_ptr_null(find(&d, "ma2"));
	ck_assert_ptr_null(find(&d, "intercept"));
	ck_assert(num(&d, "sigma2") > 0);
	fc_model *r = reload(m);
	describe(r, &d2);
	assert_same(&d, &d2);
	fc_description_dispose(&d);
	fc_description_dispose(&d2);
	fc_model_free(m);
	fc_model_free(r);
}
END_TEST

START_TEST(test_ets_and_theta)
{
	const double season = 12;
	fc_series s = make_series(arima_fx_0_y, 144, &season, 1);
	static const char *const kinds[] = {"ets", "theta", "otm", "dotm"};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		fc_model *m = fit_kind(kinds[k], NULL, &s);
		fc_description d, d2;
		describe(m, &d);
		double alpha = num(&d, "alpha");
		ck_assert_msg(alpha > 0 && alpha <= 1, "%s: alpha %g", kinds[k], alpha);
		if (k == 0) {
			/* R: ets(AirPassengers) chooses ETS(M,Ad,M) */
			ck_assert_str_eq(text(&d, "form"), "ETS(M,Ad,M)");
			ck_assert(num(&d, "phi") > 0.8 && num(&d, "phi") <= 0.98 + 1e-9);
			ck_assert(num(&d, "gamma") >= 0);
			ck_assert_double_eq(num(&d, "period"), 12);
			ck_assert_ptr_nonnull(find(&d, "season_12"));
			ck_assert_ptr_null(find(&d, "season_13"));
		} else {
			ck_assert(num(&d, "theta") >= 1);
			ck_assert_double_eq(num(&d, "seasonal_period"), 12);
		}
		fc_model *r = reload(m);
		describe(r, &d2);
		assert_same(&d, &d2);
		fc_description_dispose(&d);
		fc_description_dispose(&d2);
		fc_model_free(m);
		fc_model_free(r);
	}
}
END_TEST

START_TEST(test_baselines)
{
	static const double y[] = {3, 5, 4, 8, 6, 7, 9, 12};
	const double season = 4;
	fc_series s = make_series(y, 8, &season, 1);
	fc_description d;
	fc_model *m = fit_kind("naive", NULL, &s);
	describe(m, &d);
	ck_assert_double_eq(num(&d, "last"), 12);
	fc_description_dispose(&d);
	fc_model_free(m);
	m = fit_kind("drift", NULL, &s);
	describe(m, &d);
	ck_assert_double_eq_tol(num(&d, "drift"), (12.0 - 3) / 7, 1e-12);
	fc_description_dispose(&d);
	fc_model_free(m);
	m = fit_kind("snaive", NULL, &s);
	describe(m, &d);
	ck_assert_double_eq(num(&d, "period"), 4);
	fc_description_dispose(&d);
	fc_model_free(m);
	m = fit_kind("mean", NULL, &s);
	describe(m, &d);
	ck_assert_double_eq_tol(num(&d, "mean"), 54.0 / 8, 1e-12);
	ck_assert_double_eq(num(&d, "n"), 8);
	fc_description_dispose(&d);
	fc_model_free(m);
	/* intermittent demand */
	static const double z[] = {0, 0, 3, 0, 0, 0, 2, 0, 4, 0, 0, 1, 0, 0, 3, 0};
	fc_series si = make_series(z, 16, NULL, 0);
	m = fit_kind("croston", NULL, &si);
	describe(m, &d);
	ck_assert_double_eq(num(&d, "alpha"), 0.1);
	ck_assert(num(&d, "size") > 0 && num(&d, "interval") > 1);
	fc_description_dispose(&d);
	fc_model_free(m);
	m = fit_kind("tsb", NULL, &si);
	describe(m, &d);
	ck_assert(num(&d, "probability") > 0 && num(&d, "probability") < 1);
	fc_description_dispose(&d);
	fc_model_free(m);
}
END_TEST

/* Wang, Smith & Hyndman's strength, written out here: max(0, 1 -
 * var(R) / var(X + R)) over the positions where both are observed. */
static double strength(const double *x, const double *r, size_t n)
{
	double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	size_t k = 0;
	for (size_t t = 0; t < n; t++)
		if (!isnan(x[t]) && !isnan(r[t])) {
			a[k] = r[t];
			b[k++] = x[t] + r[t];
		}
	double v = 1 - gsl_stats_variance(a, 1, k) / gsl_stats_variance(b, 1, k);
	free(a);
	free(b);
	return v > 0 ? v : 0;
}

/* A trend, a weekly pattern and noise of the given scale. */
static void make_weekly(double *y, size_t n, double noise, double trend, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	static const double week[7] = {2, 3, 1, -1, -2, 0.5, -3.5};
	for (size_t t = 0; t < n; t++)
		y[t] = 50 + trend * (double)t + week[t % 7] + noise * (gsl_rng_uniform(r) - 0.5);
	gsl_rng_free(r);
}

START_TEST(test_stl_strengths)
{
	enum { N = 140 };
	double y[N];
	const double season = 7;
	make_weekly(y, N, 0.5, 0.05, 1);
	fc_series s = make_series(y, N, &season, 1);
	fc_model *m = fit_kind("stl", NULL, &s);
	fc_description d;
	describe(m, &d);
	/* the same decomposition as the kind's (mstl defaults), by hand */
	fc_mstl_params mp = fc_mstl_default_params();
	fc_mstl_result r;
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_mstl(y, N, &season, 1, &mp, &r, &err), 0);
	double ft = strength(r.trend, r.remainder, N), fs = strength(r.seasonal[0], r.remainder, N);
	ck_assert_double_eq_tol(num(&d, "trend_strength"), ft, 1e-12);
	ck_assert_double_eq_tol(num(&d, "seasonal_strength_7"), fs, 1e-12);
	ck_assert_msg(fs > 0.9 && ft > 0.9, "clean trend and season: strengths %g, %g", ft, fs);
	ck_assert_str_eq(text(&d, "method"), "ets");
	ck_assert_ptr_nonnull(find(&d, "adjusted.form"));
	ck_assert_ptr_nonnull(find(&d, "adjusted.alpha"));
	fc_mstl_dispose(&r);

	/* kept by save/load */
	fc_model *re = reload(m);
	fc_description d2;
	describe(re, &d2);
	assert_same(&d, &d2);
	fc_description_dispose(&d2);
	fc_model_free(re);

	/* a file from before the strengths: loads, describes without them */
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	char *p = strstr(b.data, " trend_strength=");
	ck_assert_ptr_nonnull(p);
	char *q = strstr(b.data, " adjp.");
	ck_assert_ptr_nonnull(q);
	memmove(p, q, strlen(q) + 1);
	fc_model *old = load_text(m, b.data);
	describe(old, &d2);
	ck_assert_ptr_null(find(&d2, "trend_strength"));
	ck_assert_ptr_nonnull(find(&d2, "adjusted.alpha"));
	fc_description_dispose(&d2);
	fc_model_free(old);
	fc_buf_dispose(&b);
	fc_description_dispose(&d);
	fc_model_free(m);

	/* noise alone: neither trend nor season is strong */
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(g, 7);
	for (size_t t = 0; t < N; t++)
		y[t] = 50 + gsl_rng_uniform(g);
	gsl_rng_free(g);
	m = fit_kind("stl", NULL, &s);
	describe(m, &d);
	ck_assert_msg(num(&d, "seasonal_strength_7") < 0.5 && num(&d, "trend_strength") < 0.5,
	              "noise: strengths %g, %g", num(&d, "trend_strength"),
	              num(&d, "seasonal_strength_7"));
	fc_description_dispose(&d);
	fc_model_free(m);
}
END_TEST

static Suite *describe_suite(void)
{
	Suite *s = suite_create("describe");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_local_kind);
	tcase_add_test(tc, test_arima_air_passengers);
	tcase_add_test(tc, test_ets_and_theta);
	tcase_add_test(tc, test_baselines);
	tcase_add_test(tc, test_stl_strengths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(describe_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
