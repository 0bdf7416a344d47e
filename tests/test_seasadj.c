/* Tests of the classical seasonal adjustment shared by the Theta family
 * (src/models/decompose/seasadj.c): hand-computed decompositions, the edge cases of the
 * seasonality test, errors, and fixtures computed by R (thetaf's test and
 * decompose(type = "multiplicative")$figure; tests/fixtures/seasadj.R). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "models/decompose/seasadj.h"
#include "data/seasadj_fixtures.h"

#ifndef SHARED_DATA_DIR
#define SHARED_DATA_DIR "/work/shared/data"
#endif

/* Reads the y column (third field) of the rows whose first field is id from
 * a long CSV (unique_id,ds,y,...), in file order.  NULL when the file cannot
 * be opened; *n = 0 when the id is absent. */
static double *read_series(const char *file, const char *id, size_t *n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", SHARED_DATA_DIR, file);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	size_t cap = 256, len = 0;
	double *y = malloc(cap * sizeof *y);
	char line[4096];
	size_t idlen = strlen(id);
	while (y && fgets(line, sizeof line, fp)) {
		if (strncmp(line, id, idlen) != 0 || line[idlen] != ',')
			continue;
		char *p = strchr(line + idlen + 1, ',');
		if (!p)
			continue;
		if (len == cap) {
			cap *= 2;
			double *t = realloc(y, cap * sizeof *y);
			if (!t) {
				free(y);
				y = NULL;
				break;
			}
			y = t;
		}
		y[len++] = strtod(p + 1, NULL);
	}
	fclose(fp);
	*n = len;
	return y;
}

/* ---- decomposition by hand ------------------------------------------------ */

START_TEST(test_decompose_even_period)
{
	/* m = 2: trend = (y[t-1] + 2 y[t] + y[t+1]) / 4 = 2 everywhere, ratios
	 * 1/2 at even t and 3/2 at odd t; their mean is already 1. */
	const double y[6] = {1, 3, 1, 3, 1, 3};
	double idx[2];
	fc_err err;
	ck_assert_int_eq(fc_classical_multiplicative(y, 6, 2, idx, &err), 0);
	ck_assert_double_eq_tol(idx[0], 0.5, 1e-15);
	ck_assert_double_eq_tol(idx[1], 1.5, 1e-15);
}
END_TEST

START_TEST(test_decompose_odd_period)
{
	/* m = 3: trend = mean of 3 = 2 at t = 1..4; ratios 1 (t = 1, 4), 3/2
	 * (t = 2), 1/2 (t = 3). */
	const double y[6] = {1, 2, 3, 1, 2, 3};
	double idx[3];
	fc_err err;
	ck_assert_int_eq(fc_classical_multiplicative(y, 6, 3, idx, &err), 0);
	ck_assert_double_eq_tol(idx[0], 0.5, 1e-15);
	ck_assert_double_eq_tol(idx[1], 1.0, 1e-15);
	ck_assert_double_eq_tol(idx[2], 1.5, 1e-15);
}
END_TEST

START_TEST(test_decompose_normalised)
{
	/* m = 4 on a trending multiplicative series: the indices average 1 and
	 * the ratios are averaged before normalising. */
	double y[16];
	const double s[4] = {0.8, 1.1, 1.3, 0.8};
	for (int t = 0; t < 16; t++)
		y[t] = (10 + t) * s[t % 4];
	double idx[4];
	fc_err err;
	ck_assert_int_eq(fc_classical_multiplicative(y, 16, 4, idx, &err), 0);
	double sum = 0;
	for (int j = 0; j < 4; j++)
		sum += idx[j];
	ck_assert_double_eq_tol(sum / 4, 1, 1e-14);
	/* A constant level times a season of mean 1: the 2x4 moving average is
	 * the level, so the indices are the season itself. */
	for (int t = 0; t < 16; t++)
		y[t] = 10 * s[t % 4];
	ck_assert_int_eq(fc_classical_multiplicative(y, 16, 4, idx, &err), 0);
	for (int j = 0; j < 4; j++)
		ck_assert_double_eq_tol(idx[j], s[j], 1e-14);
}
END_TEST

START_TEST(test_decompose_errors)
{
	const double y[6] = {1, 3, 1, 3, 1, 3};
	double idx[4] = {-7, -7, -7, -7};
	fc_err err;
	ck_assert_int_eq(fc_classical_multiplicative(y, 5, 3, idx, &err), FC_EINVAL);
	ck_assert_int_eq(fc_classical_multiplicative(y, 6, 1, idx, &err), FC_EINVAL);
	ck_assert_double_eq(idx[0], -7);
	/* A zero season gives a zero index. */
	const double z[6] = {0, 2, 0, 2, 0, 2};
	ck_assert_int_eq(fc_classical_multiplicative(z, 6, 2, idx, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "seasonal index"));
	ck_assert_double_eq(idx[0], -7); /* untouched on failure */
	/* All zeros: every ratio 0/0. */
	const double zz[6] = {0, 0, 0, 0, 0, 0};
	ck_assert_int_eq(fc_classical_multiplicative(zz, 6, 2, idx, &err), FC_EMODEL);
	/* Sign changes: a negative index. */
	const double neg[8] = {1, -3, 1, -3, 1, -3, 1, -3};
	ck_assert_int_eq(fc_classical_multiplicative(neg, 8, 2, idx, &err), FC_EMODEL);
}
END_TEST

/* ---- the seasonality test -------------------------------------------------- */

START_TEST(test_seasonal_test_edges)
{
	double y[40];
	for (int t = 0; t < 40; t++)
		y[t] = 10 + (t % 4 == 0 ? 5 : 0) + 0.01 * t;
	ck_assert_int_eq(fc_seasonal_test(y, 40, 4), 1);    /* R: 4.486 */
	ck_assert_int_eq(fc_seasonal_test(y, 40, 1), 0);   /* m < 2 */
	ck_assert_int_eq(fc_seasonal_test(y, 40, 0), 0);
	ck_assert_int_eq(fc_seasonal_test(y, 8, 4), 0);    /* n <= 2m */
	/* n = 2m + 1 runs the test (R: statistic 1.509, below 1.645). */
	ck_assert_int_eq(fc_seasonal_test(y, 9, 4), 0);
	ck_assert_int_eq(fc_seasonal_test(y, 40, 20), 0);  /* n = 2m */
	/* Constant, and constant up to all.equal's tolerance (1.5e-8). */
	double c[40];
	for (int t = 0; t < 40; t++)
		c[t] = 3;
	ck_assert_int_eq(fc_seasonal_test(c, 40, 4), 0);
	for (int t = 0; t < 40; t += 4)
		c[t] = 3 * (1 + 1e-10);
	ck_assert_int_eq(fc_seasonal_test(c, 40, 4), 0);
	for (int t = 0; t < 40; t += 4)
		c[t] = 3 * (1 + 1e-6);
	ck_assert_int_eq(fc_seasonal_test(c, 40, 4), 1);   /* R: 4.497 */
	/* A straight line is flagged: the test confuses a strong trend with
	 * seasonality (R: statistic 1.917 for 0..39 at m = 4). */
	double l[40];
	for (int t = 0; t < 40; t++)
		l[t] = t;
	ck_assert_int_eq(fc_seasonal_test(l, 40, 4), 1);
}
END_TEST

/* ---- fixtures from R ------------------------------------------------------- */

START_TEST(test_fixtures)
{
	const sa_fixture *fx = &sa_fixtures[_i];
	double *owned = NULL;
	const double *y = fx->y;
	size_t n = fx->n;
	if (fx->file) {
		owned = read_series(fx->file, fx->name, &n);
		if (!owned) {
			printf("test_seasadj: %s/%s absent: skipping %s\n", SHARED_DATA_DIR, fx->file, fx->name);
			return;
		}
		ck_assert_msg(n == fx->n, "%s: read %zu values, expected %zu", fx->name, n, fx->n);
		y = owned;
	}
	ck_assert_msg(fc_seasonal_test(y, n, fx->m) == fx->seasonal,
	              "%s: seasonal test %d, R says %d (statistic %.6f vs 1.6449)", fx->name,
	              fc_seasonal_test(y, n, fx->m), fx->seasonal, fx->stat);
	double *idx = malloc(fx->m * sizeof *idx);
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_classical_multiplicative(y, n, fx->m, idx, &err), 0);
	for (size_t j = 0; j < fx->m; j++)
		ck_assert_msg(fabs(idx[j] - fx->figure[j]) <= 1e-10, "%s: index %zu = %.17g, R %.17g",
		              fx->name, j, idx[j], fx->figure[j]);
	free(idx);
	free(owned);
}
END_TEST

static Suite *seasadj_suite(void)
{
	Suite *s = suite_create("seasadj");
	TCase *tc = tcase_create("hand");
	tcase_add_test(tc, test_decompose_even_period);
	tcase_add_test(tc, test_decompose_odd_period);
	tcase_add_test(tc, test_decompose_normalised);
	tcase_add_test(tc, test_decompose_errors);
	tcase_add_test(tc, test_seasonal_test_edges);
	suite_add_tcase(s, tc);
	TCase *fx = tcase_create("fixtures");
	tcase_add_loop_test(fx, test_fixtures, 0, (int)SA_N_FIXTURES);
	suite_add_tcase(s, fx);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(seasadj_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
