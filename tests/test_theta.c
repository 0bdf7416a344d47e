/* Tests of the `theta` kind (src/models/theta/theta.c): the structure of the
 * forecasts, missing values, errors, save/load, and fixtures computed by
 * R's forecast::thetaf (tests/fixtures/theta.R), including M3 and M4 series
 * read from SHARED_DATA_DIR at run time.  Issue 4 asks for the forecasts
 * within 0.5% of R's; we hold the 80%/95% bounds to the same. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "forecast/model.h"
#include "data/theta_fixtures.h"

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

static fc_model *fit_theta(const fc_series *s)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(fc_model_theta, &err);
	ck_assert_ptr_nonnull(m);
	int rc = fc_model_fit(m, s, &err);
	ck_assert_msg(rc == 0, "fit theta: %s", err.msg);
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

/* The y column of id in SHARED_DATA_DIR/folder/train.csv, or NULL when the
 * file is absent. */
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

static const theta_fx *fixture(const char *name)
{
	for (size_t i = 0; i < THETA_FX_N; i++)
		if (strcmp(theta_fixtures[i].name, name) == 0)
			return &theta_fixtures[i];
	ck_abort_msg("no fixture %s", name);
	return NULL;
}

/* ---- structure ------------------------------------------------------------ */

/* Non-seasonal: the mean rises by the drift each step, and the variance by
 * sigma2 alpha^2 (sd_i^2 = sigma2 (1 + (i - 1) alpha^2)). */
START_TEST(test_structure)
{
	const theta_fx *fx = fixture("Nile");
	fc_series s = make_series(fx->y, fx->n, NULL);
	fc_model *m = fit_theta(&s);
	fc_forecast f;
	run_forecast(m, 8, &f);
	double z = gsl_cdf_ugaussian_Pinv(0.975);
	double d = f.mean[1] - f.mean[0];
	double v1 = pow((HI(f, 1, 0) - f.mean[0]) / z, 2), v2 = pow((HI(f, 1, 1) - f.mean[1]) / z, 2);
	double a2 = (v2 - v1) / v1; /* alpha^2 */
	for (size_t i = 1; i < 8; i++) {
		ck_assert_double_eq_tol(f.mean[i] - f.mean[i - 1], d, 1e-9 * fabs(f.mean[0]));
		double vi = pow((HI(f, 1, i) - f.mean[i]) / z, 2);
		ck_assert_double_eq_tol(vi, v1 * (1 + (double)i * a2), 1e-9 * vi);
		ck_assert_double_eq_tol(f.mean[i] - LO(f, 0, i), HI(f, 0, i) - f.mean[i], 1e-9 * vi);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* a straight line: drift = half the slope */
	double y[30];
	for (size_t t = 0; t < 30; t++)
		y[t] = 10 + 2 * (double)t;
	s = make_series(y, 30, NULL);
	m = fit_theta(&s);
	run_forecast(m, 4, &f);
	for (size_t i = 1; i < 4; i++)
		ck_assert_double_eq_tol(f.mean[i] - f.mean[i - 1], 1.0, 1e-9);
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

/* Seasonal: the reseasonalized forecast repeats its seasonal pattern
 * around a line, so mean[i + m] / mean[i] follows from the trend alone. */
START_TEST(test_seasonal)
{
	const theta_fx *fx = fixture("AirPassengers");
	ck_assert_int_eq(fx->seasonal, 1);
	double p = fx->period;
	fc_series s = make_series(fx->y, fx->n, &p);
	fc_model *m = fit_theta(&s);
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, " m=12"));
	ck_assert_ptr_nonnull(strstr(b.data, " index="));
	fc_buf_dispose(&b);
	fc_model_free(m);

	/* the same values without a period: no adjustment */
	s = make_series(fx->y, fx->n, NULL);
	m = fit_theta(&s);
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, " m=1"));
	ck_assert_ptr_null(strstr(b.data, " index="));
	fc_buf_dispose(&b);
	fc_model_free(m);

	/* a seasonal series with zeros: the decomposition fails, and we fall
	 * back to the non-seasonal method instead of failing */
	double y[48];
	for (size_t t = 0; t < 48; t++)
		y[t] = t % 12 == 0 ? 0 : 10 + (double)(t % 12) * 3 + (double)(t % 5);
	p = 12;
	s = make_series(y, 48, &p);
	m = fit_theta(&s);
	fc_forecast f;
	run_forecast(m, 5, &f);
	for (size_t i = 0; i < 5; i++)
		ck_assert(isfinite(f.mean[i]) && isfinite(HI(f, 1, i)));
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_missing_values)
{
	const theta_fx *fx = fixture("USAccDeaths");
	double p = fx->period;
	size_t n = fx->n;
	double *y = malloc((n + 3) * sizeof *y), *yi = malloc(n * sizeof *yi);
	memcpy(y, fx->y, n * sizeof *y);
	memcpy(yi, fx->y, n * sizeof *yi);
	y[40] = y[41] = NAN;
	yi[40] = yi[39] + (yi[42] - yi[39]) / 3;
	yi[41] = yi[39] + 2 * (yi[42] - yi[39]) / 3;
	fc_series s = make_series(y, n, &p), si = make_series(yi, n, &p);
	fc_model *a = fit_theta(&s), *b = fit_theta(&si);
	fc_forecast fa, fb;
	run_forecast(a, 6, &fa);
	run_forecast(b, 6, &fb);
	for (size_t i = 0; i < 6; i++) {
		ck_assert_double_eq(fa.mean[i], fb.mean[i]);
		ck_assert_double_eq(HI(fa, 1, i), HI(fb, 1, i));
	}
	fc_forecast_dispose(&fa);
	fc_forecast_dispose(&fb);
	fc_model_free(a);
	fc_model_free(b);

	/* trailing gaps: the forecast goes on from the last observation */
	memcpy(y, fx->y, n * sizeof *y);
	y[n] = y[n + 1] = y[n + 2] = NAN;
	s = make_series(y, n + 3, &p);
	si = make_series(fx->y, n, &p);
	a = fit_theta(&s);
	b = fit_theta(&si);
	run_forecast(a, 5, &fa);
	run_forecast(b, 8, &fb);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_double_eq(fa.mean[i], fb.mean[i + 3]);
		ck_assert_double_eq(LO(fa, 1, i), LO(fb, 1, i + 3));
	}
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
	fc_model *m = fc_model_alloc(fc_model_theta, &err);
	ck_assert_int_eq(fc_model_set_param(m, "alpha", "0.5", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "no parameter 'alpha'"));
	double y3[3] = {1, 2, 3}, nan4[4] = {NAN, NAN, NAN, NAN};
	fc_series s = make_series(y3, 3, NULL);
	ck_assert_uint_eq(fc_model_min_length(m, &s), 4);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	s = make_series(nan4, 4, NULL);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "no observed values"));
	/* a constant series: flat forecast, zero-width bounds */
	double c[12] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
	s = make_series(c, 12, NULL);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), 0);
	fc_forecast f;
	run_forecast(m, 3, &f);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_double_eq_tol(f.mean[i], 5, 1e-9);
		ck_assert_double_eq_tol(HI(f, 1, i), 5, 1e-9);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_save_load)
{
	const theta_fx *fx = fixture("UKgas");
	double p = fx->period;
	fc_series s = make_series(fx->y, fx->n, &p);
	fc_model *m = fit_theta(&s);
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	ck_assert_int_eq(fc_model_save(m, &b, &err), 0);
	char *nl = strchr(b.data, '\n');
	*nl = '\0';
	fc_model *l = fc_model_load(fc_model_theta, b.data, nl + 1, &err);
	ck_assert_msg(l != NULL, "load: %s", err.msg);
	fc_forecast f1, f2;
	run_forecast(m, 9, &f1);
	run_forecast(l, 9, &f2);
	for (size_t i = 0; i < 9; i++) {
		ck_assert_double_eq(f1.mean[i], f2.mean[i]);
		ck_assert_double_eq(HI(f1, 1, i), HI(f2, 1, i));
	}
	fc_forecast_dispose(&f1);
	fc_forecast_dispose(&f2);
	fc_model_free(l);
	fc_buf_dispose(&b);
	fc_model_free(m);
	const char *bad[] = {
		"level=1 alpha=0 drift=0 sigma2=1 n=10 m=1 skip=0",
		"level=1 alpha=0.5 drift=0 sigma2=-1 n=10 m=1 skip=0",
		"level=nan alpha=0.5 drift=0 sigma2=1 n=10 m=1 skip=0",
		"level=1 alpha=0.5 drift=0 sigma2=1 n=10 m=4 skip=0",
		"level=1 alpha=0.5 drift=0 sigma2=1 n=10 m=4 index=1,1,1 skip=0",
		"level=1 alpha=0.5 drift=0 sigma2=1 n=10 m=2 index=1,-1 skip=0",
		"level=1 alpha=0.5 drift=0 sigma2=1 n=0 m=1 skip=0",
		"level=1 alpha=0.5 drift=0 sigma2=1 n=10 m=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fc_model *x = fc_model_load(fc_model_theta, "params", bad[i], &err);
		ck_assert_msg(x == NULL, "loaded bad state %zu", i);
		ck_assert_int_eq(err.code, FC_EFORMAT);
	}
}
END_TEST

/* ---- R fixtures ----------------------------------------------------------- */

START_TEST(test_r_fixtures)
{
	const theta_fx *fx = &theta_fixtures[_i];
	size_t n = fx->n;
	double *owned = NULL;
	const double *y = fx->y;
	if (!y) {
		y = owned = read_shared(fx->folder, fx->id, &n);
		if (!y) {
			fprintf(stderr, "note: %s not found under %s, skipped\n", fx->name, SHARED_DATA_DIR);
			return;
		}
		ck_assert_uint_eq(n, fx->n);
	}
	double p = fx->period;
	fc_series s = make_series(y, n, &p);
	fc_model *m = fit_theta(&s);
	fc_forecast f;
	run_forecast(m, fx->h, &f);
	for (size_t i = 0; i < fx->h; i++) {
		ck_assert_msg(fabs(f.mean[i] - fx->mean[i]) < 0.005 * fabs(fx->mean[i]),
		              "%s step %zu: %.10g, R %.10g", fx->name, i + 1, f.mean[i], fx->mean[i]);
		const double *r[4] = {fx->lo80, fx->hi80, fx->lo95, fx->hi95};
		double o[4] = {LO(f, 0, i), HI(f, 0, i), LO(f, 1, i), HI(f, 1, i)};
		for (int k = 0; k < 4; k++) {
			double scale = fmax(fabs(r[k][i]), fabs(fx->mean[i]));
			ck_assert_msg(fabs(o[k] - r[k][i]) < 0.005 * scale,
			              "%s step %zu bound %d: %.10g, R %.10g", fx->name, i + 1, k, o[k],
			              r[k][i]);
		}
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
	free(owned);
}
END_TEST

static Suite *theta_suite(void)
{
	Suite *su = suite_create("theta");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_seasonal);
	tcase_add_test(tc, test_missing_values);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_save_load);
	suite_add_tcase(su, tc);
	TCase *tr = tcase_create("r_fixtures");
	tcase_add_loop_test(tr, test_r_fixtures, 0, (int)THETA_FX_N);
	suite_add_tcase(su, tr);
	return su;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(theta_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
