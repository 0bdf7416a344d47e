/* Unit tests of the stacking meta-learner: the non-negative ElasticNet
 * against closed forms, and the nested choice of lambda against a
 * candidate that knows one fold's answers. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "forecast/stack.h"

START_TEST(test_lambda0_is_nnls)
{
	/* X = [1 0; 0 1; 1 1].  y = (1, 2, 3): least squares b = (1, 2),
	 * inside the constraint, so NNLS gives it too. */
	const double X[] = {1, 0, 0, 1, 1, 1};
	const double y1[] = {1, 2, 3};
	double b[2] = {0, 0};
	fc_err err;
	ck_assert_int_gt(fc_enet_nonneg(X, y1, 3, 2, 0, 0.5, b, &err), 0);
	ck_assert_double_eq_tol(b[0], 1.0, 1e-8);
	ck_assert_double_eq_tol(b[1], 2.0, 1e-8);
	/* y = (-1, 2, 1): least squares b = (-1, 2); with b >= 0 the first
	 * is held at 0 and the second is x2'y / x2'x2 = 3/2. */
	const double y2[] = {-1, 2, 1};
	b[0] = b[1] = 0;
	ck_assert_int_gt(fc_enet_nonneg(X, y2, 3, 2, 0, 0.5, b, &err), 0);
	ck_assert_double_eq_tol(b[0], 0.0, 1e-12);
	ck_assert_double_eq_tol(b[1], 1.5, 1e-8);
}
END_TEST

START_TEST(test_one_column_closed_form)
{
	/* one column: b = max(0, c - lambda alpha) / (G + lambda (1 - alpha)),
	 * G = x'x/n = 14/3, c = x'y/n = 28/3; lambda 1, alpha 0.5: 53/31 */
	const double X[] = {1, 2, 3}, y[] = {2, 4, 6};
	double b = 0;
	fc_err err;
	ck_assert_int_gt(fc_enet_nonneg(X, y, 3, 1, 1.0, 0.5, &b, &err), 0);
	ck_assert_double_eq_tol(b, 53.0 / 31.0, 1e-12);
	/* the lasso threshold: lambda alpha >= c gives exactly 0 */
	b = 5;
	ck_assert_int_gt(fc_enet_nonneg(X, y, 3, 1, 2 * 28.0 / 3.0, 0.5, &b, &err), 0);
	ck_assert_double_eq(b, 0.0);
}
END_TEST

START_TEST(test_large_lambda_all_zero)
{
	const double X[] = {1, 0, 0, 1, 1, 1}, y[] = {1, 2, 3};
	double b[2] = {0.3, 0.7};
	fc_err err;
	/* lambda_max = max_j x_j'y / (n alpha) = (5/3) / 0.5 */
	ck_assert_int_gt(fc_enet_nonneg(X, y, 3, 2, 10.0 / 3.0 + 1e-9, 0.5, b, &err), 0);
	ck_assert_double_eq(b[0], 0.0);
	ck_assert_double_eq(b[1], 0.0);
	/* just below it the best-correlated column enters */
	b[0] = b[1] = 0;
	ck_assert_int_gt(fc_enet_nonneg(X, y, 3, 2, 10.0 / 3.0 * 0.9, 0.5, b, &err), 0);
	ck_assert_double_eq(b[0], 0.0);
	ck_assert(b[1] > 0);
}
END_TEST

START_TEST(test_bad_arguments)
{
	const double X[] = {1}, y[] = {1};
	double b = 0, w = 0;
	fc_err err;
	ck_assert_int_eq(fc_enet_nonneg(X, y, 1, 1, -1, 0.5, &b, &err), FC_EINVAL);
	ck_assert_int_eq(fc_enet_nonneg(X, y, 1, 1, 1, 1.5, &b, &err), FC_EINVAL);
	const size_t bad_fold[] = {FC_STACK_MAX_FOLDS};
	ck_assert_int_eq(fc_stack_fit(X, y, bad_fold, 1, 1, 0.5, &w, NULL, &err), FC_EINVAL);
}
END_TEST

/* K folds of T rows; columns: an honest candidate (the actuals plus
 * noise, every fold) and one "leaky" candidate per fold, equal to the
 * actuals on its fold and 0 elsewhere.  Fitted and scored on the same
 * rows, the leaky columns add up to the actuals exactly (loss 0 at lambda
 * 0, weights 1/3 each); scored only on a fold it was not fitted on, the
 * fold's leaky column has no weight and the others forecast 0 there, so
 * the nested choice must keep the honest candidate. */
#define K 3
#define T 20
static void leaky_rows(double *X, double *y, size_t *fold)
{
	for (size_t k = 0; k < K; k++)
		for (size_t t = 0; t < T; t++) {
			size_t r = k * T + t;
			y[r] = 10 + 3 * sin(0.7 * (double)r);
			fold[r] = k;
			X[r * (K + 1)] = y[r] + ((r * 7919) % 11 - 5.0) / 5.0; /* noise in [-1, 1] */
			for (size_t j = 0; j < K; j++)
				X[r * (K + 1) + 1 + j] = j == k ? y[r] : 0;
		}
}

START_TEST(test_never_scored_on_own_fold)
{
	double X[K * T * (K + 1)], y[K * T], w[K + 1];
	size_t fold[K * T];
	leaky_rows(X, y, fold);
	fc_stack_info info;
	fc_err err;
	ck_assert_int_eq(fc_stack_fit(X, y, fold, K * T, K + 1, FC_STACK_ALPHA, w, &info, &err), 0);
	ck_assert_uint_eq(info.n_folds, K);
	ck_assert(isfinite(info.lambda));
	/* the honest candidate carries the ensemble */
	ck_assert_msg(w[0] > 0.9, "honest weight %g (leaky %g %g %g)", w[0], w[1], w[2], w[3]);
	double sum = 0;
	for (size_t j = 0; j <= K; j++) {
		ck_assert(w[j] >= 0);
		sum += w[j];
	}
	ck_assert_double_eq_tol(sum, 1.0, 1e-12);
	/* in-sample, lambda 0 would have fitted the leaky columns exactly */
	double b[K + 1] = {0};
	ck_assert_int_gt(fc_enet_nonneg(X, y, K * T, K + 1, 0, FC_STACK_ALPHA, b, &err), 0);
	ck_assert_double_eq_tol(b[0], 0.0, 1e-6);
	for (size_t j = 1; j <= K; j++)
		ck_assert_double_eq_tol(b[j], 1.0, 1e-6);
	ck_assert(info.lambda > 0);
}
END_TEST

/* Directly: each lambda's reported loss is the mean over folds f of the
 * loss on fold f's rows alone of the weights fitted (cold) on the other
 * folds' rows alone. */
START_TEST(test_held_out_loss_by_hand)
{
	double X[K * T * (K + 1)], y[K * T], w[K + 1];
	size_t fold[K * T];
	leaky_rows(X, y, fold);
	fc_stack_info info;
	fc_err err;
	ck_assert_int_eq(fc_stack_fit(X, y, fold, K * T, K + 1, FC_STACK_ALPHA, w, &info, &err), 0);
	ck_assert_uint_eq(info.n_lambda, FC_STACK_LAMBDAS + 1);
	ck_assert_double_eq(info.lambdas[info.n_lambda - 1], 0.0);
	double Xf[K * T * (K + 1)], yf[K * T];
	size_t checked = 0;
	for (size_t l = 0; l < info.n_lambda; l++) {
		double mean = 0;
		for (size_t f = 0; f < K; f++) {
			size_t m = 0;
			for (size_t r = 0; r < K * T; r++)
				if (fold[r] != f) {
					for (size_t j = 0; j <= K; j++)
						Xf[m * (K + 1) + j] = X[r * (K + 1) + j];
					yf[m++] = y[r];
				}
			double b[K + 1] = {0}, sum = 0, loss = 0;
			ck_assert_int_gt(fc_enet_nonneg(Xf, yf, m, K + 1, info.lambdas[l], FC_STACK_ALPHA, b,
			                                &err), 0);
			for (size_t j = 0; j <= K; j++)
				sum += b[j];
			if (!(sum > 0)) {
				mean = INFINITY;
				break;
			}
			for (size_t t = 0; t < T; t++) {
				size_t r = f * T + t;
				double g = 0;
				for (size_t j = 0; j <= K; j++)
					g += b[j] / sum * X[r * (K + 1) + j];
				loss += (y[r] - g) * (y[r] - g) / T;
			}
			mean += loss / K;
		}
		if (isinf(mean)) {
			ck_assert(isinf(info.cv_loss[l]));
			continue;
		}
		ck_assert_msg(fabs(info.cv_loss[l] - mean) <= 1e-6 * (1 + mean),
		              "lambda %g: reported %g, by hand %g", info.lambdas[l], info.cv_loss[l], mean);
		checked++;
	}
	ck_assert_uint_gt(checked, FC_STACK_LAMBDAS / 2);
	/* the choice is the lowest of them */
	for (size_t l = 0; l < info.n_lambda; l++)
		ck_assert(!(info.cv_loss[l] < info.loss));
	ck_assert_double_eq(info.lambda, info.lambdas[info.chosen]);
}
END_TEST

START_TEST(test_one_fold_no_choice)
{
	double X[K * T * (K + 1)], y[K * T], w[K + 1];
	size_t fold[K * T];
	leaky_rows(X, y, fold);
	for (size_t r = 0; r < K * T; r++)
		fold[r] = 2;
	fc_stack_info info;
	fc_err err;
	ck_assert_int_eq(fc_stack_fit(X, y, fold, K * T, K + 1, FC_STACK_ALPHA, w, &info, &err), 0);
	ck_assert_uint_eq(info.n_folds, 1);
	ck_assert(isnan(info.lambda));
	for (size_t j = 0; j <= K; j++)
		ck_assert_double_eq(w[j], 0.0);
}
END_TEST

START_TEST(test_two_good_candidates_share)
{
	/* two unbiased candidates with independent errors of equal size:
	 * the stacked weights split roughly evenly, and sum to 1 */
	enum { N = 90 };
	double X[N * 2], y[N], w[2];
	size_t fold[N];
	for (size_t r = 0; r < N; r++) {
		y[r] = 50 + 10 * cos(0.3 * (double)r);
		fold[r] = r / 30;
		X[r * 2] = y[r] + (r % 2 ? 1.0 : -1.0);
		X[r * 2 + 1] = y[r] + ((r / 2) % 2 ? 1.0 : -1.0);
	}
	fc_stack_info info;
	fc_err err;
	ck_assert_int_eq(fc_stack_fit(X, y, fold, N, 2, FC_STACK_ALPHA, w, &info, &err), 0);
	ck_assert_double_eq_tol(w[0] + w[1], 1.0, 1e-12);
	ck_assert_msg(w[0] > 0.3 && w[1] > 0.3, "weights %g %g", w[0], w[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_lambda0_is_nnls);
	tcase_add_test(tc, test_one_column_closed_form);
	tcase_add_test(tc, test_large_lambda_all_zero);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_never_scored_on_own_fold);
	tcase_add_test(tc, test_held_out_loss_by_hand);
	tcase_add_test(tc, test_one_fold_no_choice);
	tcase_add_test(tc, test_two_good_candidates_share);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
