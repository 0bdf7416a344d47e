/* Unit tests of the Tree-structured Parzen Estimator (src/select/tpe.c):
 * proposals stay in the space and repeat for a seed, the good choice of a
 * categorical wins, and on a synthetic objective TPE beats random search
 * with the same number of trials. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/space.h"
#include "forecast/tpe.h"

static const fc_param_space d_int = FC_SPACE_RANGE("n", FC_SPACE_INT, 2, 52, 0);
static const fc_param_space d_log = FC_SPACE_RANGE("lr", FC_SPACE_LOGUNIFORM, 0.01, 0.3, 0);
static const fc_param_space d_q = FC_SPACE_RANGE("m", FC_SPACE_QUNIFORM, 5, 100, 5);
static const fc_param_space d_uni = FC_SPACE_RANGE("f", FC_SPACE_UNIFORM, 0.5, 1, 0);
static const fc_param_space d_ch = FC_SPACE_CHOICE_OF("c", "a", "b", "c");

#define ND 5
#define NOBS 12
#define NC FC_TPE_CANDIDATES

/* NOBS random points of the five dimensions and a loss for each. */
static void observations(double *x, double *loss)
{
	const fc_param_space *d[ND] = {&d_int, &d_log, &d_q, &d_uni, &d_ch};
	uint64_t rng = 99;
	char buf[FC_SPACE_VALUE_MAX];
	for (size_t i = 0; i < NOBS; i++) {
		for (size_t j = 0; j < ND; j++) {
			fc_space_sample(d[j], &rng, buf, sizeof buf);
			ck_assert_int_eq(fc_space_value_of(d[j], buf, &x[i * ND + j]), 0);
		}
		loss[i] = fabs(x[i * ND] - 10) + (x[i * ND + 4] == 1 ? 0 : 5);
	}
	loss[3] = NAN; /* a failed trial counts as the worst */
}

START_TEST(test_tpe_in_space_and_reproducible)
{
	const fc_param_space *d[ND] = {&d_int, &d_log, &d_q, &d_uni, &d_ch};
	double x[NOBS * ND], loss[NOBS], a[NC * ND], b[NC * ND], c[NC * ND];
	observations(x, loss);
	fc_err err;
	uint64_t r1 = 5, r2 = 5, r3 = 6;
	ck_assert_int_eq(fc_tpe_suggest(d, ND, x, loss, NOBS, FC_TPE_GAMMA, NC, &r1, a, &err), 0);
	ck_assert_int_eq(fc_tpe_suggest(d, ND, x, loss, NOBS, FC_TPE_GAMMA, NC, &r2, b, &err), 0);
	ck_assert_int_eq(fc_tpe_suggest(d, ND, x, loss, NOBS, FC_TPE_GAMMA, NC, &r3, c, &err), 0);
	ck_assert(memcmp(a, b, sizeof a) == 0);
	ck_assert(r1 == r2);
	ck_assert_msg(memcmp(a, c, sizeof a) != 0, "another stream proposes other points");
	for (size_t j = 0; j < NC; j++) {
		const double *p = a + j * ND;
		ck_assert(p[0] >= 2 && p[0] <= 52 && p[0] == floor(p[0]));
		ck_assert(p[1] >= 0.01 && p[1] <= 0.3);
		ck_assert_msg(p[2] >= 5 && p[2] <= 100 && fmod(p[2], 5) == 0, "quniform %g", p[2]);
		ck_assert(p[3] >= 0.5 && p[3] <= 1);
		ck_assert(p[4] == 0 || p[4] == 1 || p[4] == 2);
		char buf[FC_SPACE_VALUE_MAX];
		double back;
		fc_space_format(d[4], p[4], buf, sizeof buf);
		ck_assert_int_eq(fc_space_value_of(d[4], buf, &back), 0);
		ck_assert(back == p[4]);
	}
	/* without observations: draws from the prior, still in the space */
	ck_assert_int_eq(fc_tpe_suggest(d, ND, NULL, NULL, 0, FC_TPE_GAMMA, NC, &r1, a, &err), 0);
	for (size_t j = 0; j < NC; j++)
		ck_assert(a[j * ND] >= 2 && a[j * ND] <= 52);
	ck_assert_int_eq(fc_tpe_suggest(d, ND, x, loss, NOBS, 1.5, NC, &r1, a, &err), FC_EINVAL);
	double v;
	ck_assert_int_eq(fc_space_value_of(&d_ch, "z", &v), -1);
	ck_assert_int_eq(fc_space_value_of(&d_int, "7x", &v), -1);
}
END_TEST

/* The good points all have choice 'b': the best-ranked proposal is 'b'
 * and most proposals favour it. */
START_TEST(test_tpe_categorical_follows_the_good_choice)
{
	const fc_param_space *d[1] = {&d_ch};
	double x[12], loss[12], out[NC];
	for (size_t i = 0; i < 12; i++) {
		x[i] = (double)(i % 3);
		loss[i] = x[i] == 1 ? 1 + 0.01 * (double)i : 10 + (double)i;
	}
	uint64_t rng = 1;
	fc_err err;
	ck_assert_int_eq(fc_tpe_suggest(d, 1, x, loss, 12, FC_TPE_GAMMA, NC, &rng, out, &err), 0);
	ck_assert(out[0] == 1);
	size_t b = 0;
	for (size_t j = 0; j < NC; j++)
		b += out[j] == 1;
	ck_assert_uint_gt(b, NC / 3);
}
END_TEST

/* f(x) = (log x - log 0.02)^2 on loguniform(1e-4, 1). */
static double objective(double x)
{
	double u = log(x) - log(0.02);
	return u * u;
}

START_TEST(test_tpe_beats_random_search)
{
	const fc_param_space lr = FC_SPACE_RANGE("lr", FC_SPACE_LOGUNIFORM, 1e-4, 1, 0);
	const fc_param_space *d[1] = {&lr};
	enum { TRIALS = 20, STARTUP = 5, SEEDS = 30 };
	double sum_tpe = 0, sum_random = 0;
	size_t tpe_wins = 0;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		uint64_t rr = seed, rt = seed;
		double best_r = INFINITY, best_t = INFINITY, x[TRIALS], loss[TRIALS], out[NC];
		for (size_t i = 0; i < TRIALS; i++) {
			double v = exp(log(1e-4) + fc_rng_uniform(&rr) * (log(1) - log(1e-4)));
			best_r = fmin(best_r, objective(v));
		}
		for (size_t i = 0; i < TRIALS; i++) {
			if (i < STARTUP) {
				x[i] = exp(log(1e-4) + fc_rng_uniform(&rt) * (log(1) - log(1e-4)));
			} else {
				fc_err err;
				ck_assert_int_eq(fc_tpe_suggest(d, 1, x, loss, i, FC_TPE_GAMMA, NC, &rt, out,
				                                &err), 0);
				x[i] = out[0];
			}
			loss[i] = objective(x[i]);
			best_t = fmin(best_t, loss[i]);
		}
		sum_tpe += best_t;
		sum_random += best_r;
		tpe_wins += best_t < best_r;
	}
	ck_assert_msg(sum_tpe < 0.5 * sum_random, "TPE's mean best %g, random's %g",
	              sum_tpe / SEEDS, sum_random / SEEDS);
	ck_assert_msg(tpe_wins > SEEDS / 2, "TPE better on %zu of %d seeds", tpe_wins, SEEDS);
}
END_TEST

int main(void)
{
	gsl_set_error_handler_off();
	Suite *s = suite_create("tpe");
	TCase *tc = tcase_create("tpe");
	tcase_add_test(tc, test_tpe_in_space_and_reproducible);
	tcase_add_test(tc, test_tpe_categorical_follows_the_good_choice);
	tcase_add_test(tc, test_tpe_beats_random_search);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
