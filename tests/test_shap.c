/* Tests of TreeSHAP (src/models/gbdt/gbdt_shap.c): local accuracy (the base
 * value plus the contributions equals the raw prediction, to 1e-6, on every
 * row) for squared and Poisson losses with missing values and a
 * categorical column; agreement with an independent reference, the
 * exponential definition of Shapley values (all 2^M subsets S, with
 * E[f(x) | x_S] computed by the cover-weighted descent of the paper's
 * Algorithm 1) on small trees; zero credit for unused columns; covers kept
 * by save/load; models saved without covers still loading; and agreement
 * with xgboost's own TreeSHAP (pred_contribs) on xgboost's trees converted
 * to our format (tests/fixtures/shap_xgboost.py writes the fixture). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "forecast/gbdt.h"
#include "models/gbdt/gbdt_private.h"
#include "data/shap_xgb_fixtures.h"

#define NC 5

/* x: NC columns, column-major; column 3 categorical (codes 0..5), column 4
 * pure noise that may or may not be used, about 10% missing in column 0. */
static void make_data(size_t n, float *x, float *y, unsigned long seed, int counts)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++) {
		double a = gsl_rng_uniform(r) * 4 - 2, b = gsl_rng_uniform(r) * 4 - 2;
		double c = gsl_rng_uniform(r);
		int code = (int)gsl_rng_uniform_int(r, 6);
		x[0 * n + i] = gsl_rng_uniform(r) < 0.1 ? NAN : (float)a;
		x[1 * n + i] = (float)b;
		x[2 * n + i] = (float)c;
		x[3 * n + i] = (float)code;
		x[4 * n + i] = (float)gsl_rng_uniform(r);
		double mu = (isnan(x[i]) ? 1.5 : a) + b * c + (code % 2 ? 1 : -0.5) + 0.3 * a * b;
		double noise = gsl_rng_uniform(r) * 0.2 - 0.1;
		y[i] = counts ? (float)floor(exp(0.4 * mu) * (1 + noise) * 3) : (float)(mu + noise);
	}
	gsl_rng_free(r);
}

static fc_gbdt *train(size_t n, const float *x, const float *y, fc_gbdt_loss loss,
                      size_t leaves, size_t trees)
{
	static const unsigned char cat[NC] = {0, 0, 0, 1, 0};
	fc_gbdt_params p = fc_gbdt_default_params();
	p.loss = loss;
	p.num_leaves = leaves;
	p.n_trees = trees;
	p.min_data_in_leaf = 5;
	p.min_data_per_group = 5;
	p.bagging_fraction = 0.8;
	fc_gbdt *m = NULL;
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_gbdt_train(&p, x, n, NC, cat, y, NULL, NULL, 0, NULL, &m, &err), 0);
	return m;
}

static void check_additive(fc_gbdt_loss loss, int counts)
{
	enum { N = 600 };
	float *x = malloc(N * NC * sizeof *x), *y = malloc(N * sizeof *y);
	double *phi = malloc(N * (NC + 1) * sizeof *phi);
	make_data(N, x, y, 11, counts);
	fc_gbdt *m = train(N, x, y, loss, 31, 60);
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_gbdt_shap(m, x, N, phi, &err), 0);
	double worst = 0;
	for (size_t r = 0; r < N; r++) {
		double s = 0;
		for (size_t c = 0; c <= NC; c++)
			s += phi[r * (NC + 1) + c];
		double d = fabs(s - fc_gbdt_predict_raw_row(m, x + r, N));
		worst = d > worst ? d : worst;
	}
	ck_assert_msg(worst < 1e-6, "largest |base + sum phi - raw prediction| = %g", worst);
	fc_gbdt_free(m);
	free(x);
	free(y);
	free(phi);
}

START_TEST(test_additive_squared)
{
	check_additive(FC_GBDT_SQUARED, 0);
}
END_TEST

START_TEST(test_additive_poisson)
{
	check_additive(FC_GBDT_POISSON, 1);
}
END_TEST

/* ---- the exponential reference ---- */

static double node_cover(const gbdt_tree *t, int v)
{
	if (v < 0)
		return t->leaf_cover[~v];
	return node_cover(t, t->left[v]) + node_cover(t, t->right[v]);
}

/* E[tree(x) | x_S]: features in S follow x, the others split by cover. */
static double cond_exp(const gbdt_tree *t, int v, const float *row, size_t stride, unsigned S)
{
	if (v < 0)
		return t->leaf_value[~v];
	int f = t->feature[v];
	if (S & (1u << f)) {
		int left = gbdt_tree_goes_left(t, (size_t)v, row[(size_t)f * stride]);
		return cond_exp(t, left ? t->left[v] : t->right[v], row, stride, S);
	}
	double cl = node_cover(t, t->left[v]), cr = node_cover(t, t->right[v]);
	return (cl * cond_exp(t, t->left[v], row, stride, S) +
	        cr * cond_exp(t, t->right[v], row, stride, S)) / (cl + cr);
}

static double model_cond_exp(const fc_gbdt *m, const float *row, size_t stride, unsigned S)
{
	double s = fc_gbdt_base_score(m);
	for (size_t i = 0; i < fc_gbdt_n_trees(m); i++) {
		const gbdt_tree *t = gbdt_booster_tree(m, i);
		s += t->n_nodes ? cond_exp(t, 0, row, stride, S) : t->leaf_value[0];
	}
	return s;
}

static int popcount(unsigned v)
{
	int k = 0;
	for (; v; v &= v - 1)
		k++;
	return k;
}

START_TEST(test_brute_force)
{
	enum { N = 300 };
	float *x = malloc(N * NC * sizeof *x), *y = malloc(N * sizeof *y);
	double *phi = malloc(N * (NC + 1) * sizeof *phi);
	make_data(N, x, y, 5, 0);
	fc_gbdt *m = train(N, x, y, FC_GBDT_SQUARED, 8, 12);
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_gbdt_shap(m, x, N, phi, &err), 0);
	double fact[NC + 1] = {1};
	for (int k = 1; k <= NC; k++)
		fact[k] = fact[k - 1] * k;
	double worst = 0, biggest = 0;
	for (size_t r = 0; r < N; r++) {
		double e[1u << NC];
		for (unsigned S = 0; S < (1u << NC); S++)
			e[S] = model_cond_exp(m, x + r, N, S);
		double base_diff = fabs(e[0] - phi[r * (NC + 1) + NC]);
		ck_assert_msg(base_diff < 1e-9, "base value differs by %g", base_diff);
		for (int i = 0; i < NC; i++) {
			double v = 0;
			for (unsigned S = 0; S < (1u << NC); S++) {
				if (S & (1u << i))
					continue;
				int s = popcount(S);
				v += fact[s] * fact[NC - s - 1] / fact[NC] * (e[S | (1u << i)] - e[S]);
			}
			double d = fabs(v - phi[r * (NC + 1) + i]);
			worst = d > worst ? d : worst;
			biggest = fabs(v) > biggest ? fabs(v) : biggest;
		}
	}
	fprintf(stderr, "TreeSHAP vs 2^M definition: max abs error %.3g (largest value %.3g)\n",
	        worst, biggest);
	ck_assert_msg(biggest > 0.1, "the reference credits nothing: a vacuous test");
	ck_assert_msg(worst < 1e-9, "TreeSHAP differs from the definition by %g", worst);
	fc_gbdt_free(m);
	free(x);
	free(y);
	free(phi);
}
END_TEST

START_TEST(test_unused_column_zero)
{
	enum { N = 400 };
	float *x = malloc(N * NC * sizeof *x), *y = malloc(N * sizeof *y);
	double *phi = malloc(N * (NC + 1) * sizeof *phi);
	make_data(N, x, y, 3, 0);
	for (size_t i = 0; i < N; i++)
		x[4 * N + i] = 7;   /* constant: never split on */
	fc_gbdt *m = train(N, x, y, FC_GBDT_SQUARED, 16, 20);
	double splits[NC];
	fc_gbdt_importance(m, NULL, splits);
	ck_assert_double_eq(splits[4], 0);
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_gbdt_shap(m, x, N, phi, &err), 0);
	double used = 0;
	for (size_t r = 0; r < N; r++) {
		ck_assert_double_eq(phi[r * (NC + 1) + 4], 0);
		used += fabs(phi[r * (NC + 1) + 1]);
	}
	ck_assert_msg(used > 0, "column 1 drives y but gets no credit");
	fc_gbdt_free(m);
	free(x);
	free(y);
	free(phi);
}
END_TEST

START_TEST(test_save_load_covers)
{
	enum { N = 300 };
	float *x = malloc(N * NC * sizeof *x), *y = malloc(N * sizeof *y);
	double *a = malloc(N * (NC + 1) * sizeof *a), *b = malloc(N * (NC + 1) * sizeof *b);
	make_data(N, x, y, 9, 0);
	fc_gbdt *m = train(N, x, y, FC_GBDT_SQUARED, 12, 15), *m2 = NULL, *m3 = NULL;
	fc_err err;
	fc_err_clear(&err);
	fc_buf buf;
	fc_buf_init(&buf);
	ck_assert_int_eq(fc_gbdt_save(m, &buf, &err), 0);
	ck_assert_ptr_nonnull(strstr(buf.data, " gbdt_leaf_cover="));
	ck_assert_int_eq(fc_gbdt_load(&buf, &m2, &err), 0);
	ck_assert_int_eq(fc_gbdt_shap(m, x, N, a, &err), 0);
	ck_assert_int_eq(fc_gbdt_shap(m2, x, N, b, &err), 0);
	ck_assert_mem_eq(a, b, N * (NC + 1) * sizeof *a);
	/* an older file: the same text without the cover key */
	char *k = strstr(buf.data, " gbdt_leaf_cover=");
	char *end = strchr(k + 1, ' ');
	memmove(k, end ? end : k + strlen(k), strlen(end ? end : k + strlen(k)) + 1);
	buf.len = strlen(buf.data);
	ck_assert_int_eq(fc_gbdt_load(&buf, &m3, &err), 0);
	ck_assert_int_eq(fc_gbdt_has_covers(m3), 0);
	for (size_t r = 0; r < N; r++)
		ck_assert_double_eq(fc_gbdt_predict_raw_row(m3, x + r, N),
		                    fc_gbdt_predict_raw_row(m, x + r, N));
	b[0] = 12345;
	ck_assert_int_eq(fc_gbdt_shap(m3, x, N, b, &err), FC_EINVAL);
	ck_assert_double_eq(b[0], 12345);
	fc_buf_dispose(&buf);
	fc_gbdt_free(m);
	fc_gbdt_free(m2);
	fc_gbdt_free(m3);
	free(x);
	free(y);
	free(a);
	free(b);
}
END_TEST

/* Counts, over every row and tree, the nodes where the row's value is
 * missing, by the default direction taken. */
static void count_defaults(const fc_gbdt *m, const float *x, size_t stride, size_t *left,
                           size_t *right)
{
	for (size_t i = 0; i < fc_gbdt_n_trees(m); i++) {
		const gbdt_tree *t = gbdt_booster_tree(m, i);
		for (int v = t->n_nodes ? 0 : -1; v >= 0;) {
			int l = gbdt_tree_goes_left(t, (size_t)v, x[(size_t)t->feature[v] * stride]);
			if (isnan(x[(size_t)t->feature[v] * stride]))
				*(l ? left : right) += 1;
			v = l ? t->left[v] : t->right[v];
		}
	}
}

/* xgboost's trees, converted, explained by us and by xgboost: the fixture
 * holds xgboost's values as float32, so 1e-6 is about ten of its ulps. */
START_TEST(test_xgboost_contribs)
{
	enum { N = SHAP_XGB_N_ROWS, C = SHAP_XGB_N_COLS };
	fc_buf buf;
	fc_buf_init(&buf);
	ck_assert_int_eq(fc_buf_append(&buf, shap_xgb_model, strlen(shap_xgb_model)), 0);
	fc_gbdt *m = NULL;
	fc_err err;
	fc_err_clear(&err);
	ck_assert_msg(fc_gbdt_load(&buf, &m, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(fc_gbdt_n_trees(m), SHAP_XGB_N_TREES);
	ck_assert_uint_eq(fc_gbdt_n_cols(m), C);
	size_t deep = 0;
	for (size_t i = 0; i < fc_gbdt_n_trees(m); i++)
		deep += gbdt_booster_tree(m, i)->n_leaves > 8;   /* more than depth 3 holds */
	ck_assert_uint_ge(deep, 2);
	float *x = malloc(N * C * sizeof *x);
	double *phi = malloc(N * (C + 1) * sizeof *phi);
	for (size_t r = 0; r < N; r++)
		for (size_t c = 0; c < C; c++)
			x[c * N + r] = shap_xgb_x[r][c];
	size_t dl = 0, dr = 0;
	for (size_t r = 0; r < N; r++) {
		ck_assert_double_eq_tol(fc_gbdt_predict_raw_row(m, x + r, N), shap_xgb_margin[r], 1e-6);
		count_defaults(m, x + r, N, &dl, &dr);
	}
	ck_assert_msg(dl > 0 && dr > 0, "missing values went left %zu and right %zu times", dl, dr);
	ck_assert_int_eq(fc_gbdt_shap(m, x, N, phi, &err), 0);
	double worst = 0, biggest = 0;
	for (size_t r = 0; r < N; r++)
		for (size_t c = 0; c <= C; c++) {
			double d = fabs(phi[r * (C + 1) + c] - shap_xgb_phi[r][c]);
			ck_assert_msg(d < 1e-6, "row %zu column %zu: ours %.9g, xgboost %.9g", r, c,
			              phi[r * (C + 1) + c], shap_xgb_phi[r][c]);
			worst = d > worst ? d : worst;
			if (c < C && fabs(shap_xgb_phi[r][c]) > biggest)
				biggest = fabs(shap_xgb_phi[r][c]);
		}
	fprintf(stderr, "TreeSHAP vs xgboost pred_contribs: max abs difference %.3g "
	        "(largest value %.3g; missing went left %zu, right %zu times)\n",
	        worst, biggest, dl, dr);
	ck_assert_msg(biggest > 0.1, "xgboost credits nothing: a vacuous test");
	fc_buf_dispose(&buf);
	fc_gbdt_free(m);
	free(x);
	free(phi);
}
END_TEST

static Suite *shap_suite(void)
{
	Suite *s = suite_create("shap");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_additive_squared);
	tcase_add_test(tc, test_additive_poisson);
	tcase_add_test(tc, test_brute_force);
	tcase_add_test(tc, test_unused_column_zero);
	tcase_add_test(tc, test_save_load_covers);
	tcase_add_test(tc, test_xgboost_contribs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(shap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
