/* Unit tests of the accuracy metrics, against values worked out by hand. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "forecast/metrics.h"

START_TEST(test_hand_example)
{
	const double train[] = {1, 3, 2, 4};
	const double y[] = {1, 2, 3, 4}, f[] = {2, 2, 2, 2};
	double m[FC_METRIC_COUNT];
	fc_metric_scale s = fc_metric_scale_of(train, 4, 1);
	ck_assert_double_eq_tol(s.mase, 5.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(s.range, 3.0, 1e-12);
	fc_metrics_compute(y, f, 4, s, m);
	ck_assert_double_eq_tol(m[FC_METRIC_MAE], 1.0, 1e-12);
	ck_assert_double_eq_tol(m[FC_METRIC_RMSE], sqrt(1.5), 1e-12);
	ck_assert_double_eq_tol(m[FC_METRIC_MASE], 0.6, 1e-12);
	ck_assert_double_eq_tol(m[FC_METRIC_SMAPE], (200.0 / 3 + 40 + 200.0 / 3) / 4, 1e-9);
	ck_assert_double_eq_tol(m[FC_METRIC_MAPE], (100 + 100.0 / 3 + 50) / 4, 1e-9);
	ck_assert_double_eq_tol(m[FC_METRIC_WAPE], 40.0, 1e-12);
	ck_assert_double_eq_tol(m[FC_METRIC_NRMSE], sqrt(1.5) / 3, 1e-12);
}
END_TEST

START_TEST(test_seasonal_scale)
{
	/* m = 2: |3-1| + |4-2| + |5-3| = 6 over 3 pairs */
	const double train[] = {1, 2, 3, 4, 5};
	fc_metric_scale s = fc_metric_scale_of(train, 5, 2);
	ck_assert_double_eq_tol(s.mase, 2.0, 1e-12);
	/* too short for the season: falls back to lag 1 */
	s = fc_metric_scale_of(train, 2, 2);
	ck_assert_double_eq_tol(s.mase, 1.0, 1e-12);
}
END_TEST

START_TEST(test_missing_actuals_skipped)
{
	const double y[] = {NAN, 2, NAN}, f[] = {100, 3, 100};
	fc_metric_scale s = {1, 1};
	double m[FC_METRIC_COUNT];
	fc_metrics_compute(y, f, 3, s, m);
	ck_assert_double_eq_tol(m[FC_METRIC_MAE], 1.0, 1e-12);
	ck_assert_double_eq_tol(m[FC_METRIC_MAPE], 50.0, 1e-12);
}
END_TEST

START_TEST(test_undefined_metrics_are_nan)
{
	const double y[] = {0, 0}, f[] = {0, 1};
	fc_metric_scale s = {0, 0}; /* constant training data */
	double m[FC_METRIC_COUNT];
	fc_metrics_compute(y, f, 2, s, m);
	ck_assert(isnan(m[FC_METRIC_MASE]));
	ck_assert(isnan(m[FC_METRIC_MAPE]));
	ck_assert(isnan(m[FC_METRIC_WAPE]));
	ck_assert(isnan(m[FC_METRIC_NRMSE]));
	/* y = f = 0 counts as a perfect sMAPE term; 0 vs 1 as 200 */
	ck_assert_double_eq_tol(m[FC_METRIC_SMAPE], 100.0, 1e-12);
	const double all_missing[] = {NAN, NAN};
	fc_metrics_compute(all_missing, f, 2, s, m);
	ck_assert(isnan(m[FC_METRIC_MAE]));
}
END_TEST

START_TEST(test_names)
{
	fc_metric m;
	ck_assert_int_eq(fc_metric_parse("MASE", &m), 0);
	ck_assert_int_eq(m, FC_METRIC_MASE);
	ck_assert_int_eq(fc_metric_parse("smape", &m), 0);
	ck_assert_int_eq(m, FC_METRIC_SMAPE);
	ck_assert_int_eq(fc_metric_parse("r2", &m), -1);
	for (int j = 0; j < FC_METRIC_COUNT; j++) {
		ck_assert_int_eq(fc_metric_parse(fc_metric_name((fc_metric)j), &m), 0);
		ck_assert_int_eq(m, j);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_hand_example);
	tcase_add_test(tc, test_seasonal_scale);
	tcase_add_test(tc, test_missing_actuals_skipped);
	tcase_add_test(tc, test_undefined_metrics_are_nan);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
