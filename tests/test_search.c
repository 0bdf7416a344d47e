/* Unit tests of the search spaces (src/models/space.c, the kinds' tables)
 * and of the search (src/select/search.c): draws, grids, space files and
 * their errors, and the trials of grid and random search. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/model.h"
#include "forecast/search.h"
#include "forecast/space.h"

START_TEST(test_splitmix64_reference)
{
	/* the reference values of splitmix64 from state 0 (Vigna's splitmix64.c) */
	uint64_t s = 0;
	ck_assert(fc_rng_next(&s) == UINT64_C(0xe220a8397b1dcdaf));
	ck_assert(fc_rng_next(&s) == UINT64_C(0x6e789e6aa1b965f4));
	ck_assert(fc_rng_next(&s) == UINT64_C(0x06c45d188009454f));
	uint64_t a = 42, b = 42;
	for (int i = 0; i < 100; i++) {
		double u = fc_rng_uniform(&a);
		ck_assert(u >= 0 && u < 1);
		ck_assert(u == fc_rng_uniform(&b));
	}
}
END_TEST

START_TEST(test_sample_ranges)
{
	const fc_param_space in = FC_SPACE_RANGE("n", FC_SPACE_INT, 2, 5, 0);
	const fc_param_space q = FC_SPACE_RANGE("q", FC_SPACE_QUNIFORM, 5, 100, 5);
	const fc_param_space lu = FC_SPACE_RANGE("l", FC_SPACE_LOGUNIFORM, 0.01, 0.3, 0);
	const fc_param_space un = FC_SPACE_RANGE("u", FC_SPACE_UNIFORM, 0.5, 1, 0);
	const fc_param_space ch = FC_SPACE_CHOICE_OF("c", "a", "b", "c");
	int seen_int[4] = {0}, seen_q[20] = {0}, seen_c[3] = {0};
	uint64_t rng = 7;
	char buf[FC_SPACE_VALUE_MAX];
	for (int i = 0; i < 2000; i++) {
		fc_space_sample(&in, &rng, buf, sizeof buf);
		long v = strtol(buf, NULL, 10);
		ck_assert(v >= 2 && v <= 5);
		seen_int[v - 2]++;
		fc_space_sample(&q, &rng, buf, sizeof buf);
		v = strtol(buf, NULL, 10);
		ck_assert_msg(v >= 5 && v <= 100 && v % 5 == 0, "quniform drew %s", buf);
		seen_q[v / 5 - 1]++;
		fc_space_sample(&lu, &rng, buf, sizeof buf);
		double x = strtod(buf, NULL);
		ck_assert_msg(x >= 0.01 && x <= 0.3, "loguniform drew %s", buf);
		fc_space_sample(&un, &rng, buf, sizeof buf);
		x = strtod(buf, NULL);
		ck_assert(x >= 0.5 && x <= 1);
		fc_space_sample(&ch, &rng, buf, sizeof buf);
		ck_assert(buf[0] >= 'a' && buf[0] <= 'c' && buf[1] == '\0');
		seen_c[buf[0] - 'a']++;
	}
	for (int k = 0; k < 4; k++)
		ck_assert_int_gt(seen_int[k], 350); /* about 500 each */
	for (int k = 0; k < 20; k++)
		ck_assert_int_gt(seen_q[k], 50); /* about 100 each, both ends included */
	for (int k = 0; k < 3; k++)
		ck_assert_int_gt(seen_c[k], 500);
	/* loguniform: half of the draws below the geometric mean */
	size_t below = 0;
	for (int i = 0; i < 2000; i++) {
		fc_space_sample(&lu, &rng, buf, sizeof buf);
		below += strtod(buf, NULL) < sqrt(0.01 * 0.3);
	}
	ck_assert(below > 900 && below < 1100);
}
END_TEST

static void assert_grid(const fc_param_space *s, const char *const *want, size_t n)
{
	char vals[FC_SPACE_MAX_CHOICES][FC_SPACE_VALUE_MAX];
	size_t got = fc_space_grid(s, vals);
	ck_assert_uint_eq(got, n);
	for (size_t k = 0; k < n; k++)
		ck_assert_str_eq(vals[k], want[k]);
}

START_TEST(test_grid_values)
{
	const fc_param_space u = FC_SPACE_RANGE("u", FC_SPACE_UNIFORM, 0, 1, 0);
	assert_grid(&u, (const char *const[]){"0", "0.5", "1"}, 3);
	const fc_param_space l = FC_SPACE_RANGE("l", FC_SPACE_LOGUNIFORM, 0.01, 1, 0);
	assert_grid(&l, (const char *const[]){"0.01", "0.1", "1"}, 3);
	const fc_param_space i3 = FC_SPACE_RANGE("i", FC_SPACE_INT, 1, 3, 0);
	assert_grid(&i3, (const char *const[]){"1", "2", "3"}, 3);
	const fc_param_space i2 = FC_SPACE_RANGE("i", FC_SPACE_INT, 4, 5, 0);
	assert_grid(&i2, (const char *const[]){"4", "5"}, 2);
	const fc_param_space iw = FC_SPACE_RANGE("i", FC_SPACE_INT, 2, 52, 0);
	assert_grid(&iw, (const char *const[]){"2", "27", "52"}, 3);
	const fc_param_space q = FC_SPACE_RANGE("q", FC_SPACE_QUNIFORM, 5, 100, 5);
	assert_grid(&q, (const char *const[]){"5", "55", "100"}, 3);
	const fc_param_space qf = FC_SPACE_RANGE("q", FC_SPACE_QUNIFORM, 0.1, 0.3, 0.1);
	assert_grid(&qf, (const char *const[]){"0.1", "0.2", "0.3"}, 3);
	const fc_param_space one = FC_SPACE_RANGE("i", FC_SPACE_INT, 7, 7, 0);
	assert_grid(&one, (const char *const[]){"7"}, 1);
	const fc_param_space c = FC_SPACE_CHOICE_OF("c", "auto", "1-7,14", "x");
	assert_grid(&c, (const char *const[]){"auto", "1-7,14", "x"}, 3);
}
END_TEST

/* Every declared space names a parameter its kind's set_param takes, with
 * every value a grid or a draw can give. */
START_TEST(test_declared_tables_are_accepted)
{
	size_t kinds = 0;
	for (size_t k = 0; k < fc_model_kind_count(); k++) {
		const fc_model_type *t = fc_model_kind_at(k);
		kinds += t->n_space > 0;
		for (size_t j = 0; j < t->n_space; j++) {
			const fc_param_space *s = &t->space[j];
			fc_err err;
			ck_assert_msg(fc_space_check(s, &err) == 0, "%s.%s: %s", t->name, s->name, err.msg);
			fc_model *m = fc_model_alloc(t, &err);
			ck_assert_ptr_nonnull(m);
			char vals[FC_SPACE_MAX_CHOICES][FC_SPACE_VALUE_MAX];
			size_t n = fc_space_grid(s, vals);
			ck_assert_uint_gt(n, 0);
			for (size_t v = 0; v < n; v++)
				ck_assert_msg(fc_model_set_param(m, s->name, vals[v], &err) == 0,
				              "%s.%s=%s: %s", t->name, s->name, vals[v], err.msg);
			uint64_t rng = 1;
			for (int d = 0; d < 50; d++) {
				char buf[FC_SPACE_VALUE_MAX];
				fc_space_sample(s, &rng, buf, sizeof buf);
				ck_assert_msg(fc_model_set_param(m, s->name, buf, &err) == 0, "%s.%s=%s: %s",
				              t->name, s->name, buf, err.msg);
			}
			fc_model_free(m);
		}
	}
	ck_assert_uint_ge(kinds, 8); /* gbdt, ets, arima, window, stl, otm, dotm, ... */
	ck_assert_uint_eq(fc_model_lookup("gbdt")->n_space, 7);
	ck_assert_uint_eq(fc_model_lookup("naive")->n_space, 0);
}
END_TEST

static const fc_space_entry *find(const fc_space_set *s, const char *kind, const char *name)
{
	for (size_t k = 0; k < s->n; k++)
		if (strcmp(s->e[k].kind->name, kind) == 0 && strcmp(s->e[k].p.name, name) == 0)
			return &s->e[k];
	return NULL;
}

START_TEST(test_space_file_parses)
{
	fc_space_set s;
	fc_space_set_init(&s);
	fc_err err;
	ck_assert_int_eq(fc_space_set_defaults(&s, &err), 0);
	size_t before = s.n;
	const char *text =
	    "# tuning for the weekly data\n"
	    "\n"
	    "gbdt.learning_rate = loguniform(0.01, 0.3)   # wider\n"
	    "  ets.damped=choice(true,false)\r\n"
	    "window.size = int(4, 52)\n"
	    "gbdt.min_data_in_leaf = quniform(5, 100, 5)\n"
	    "gbdt.lags = choice(auto, \"1-7,14\", \"1-28\")\n"
	    "snaive.period = choice(7, 14)\n"
	    "window.size = int(4, 8)\n"; /* a later line wins */
	ck_assert_int_eq(fc_space_parse(&s, text, "t.space", &err), 0);
	ck_assert_uint_eq(s.n, before + 1); /* snaive.period is new */
	const fc_space_entry *e = find(&s, "gbdt", "learning_rate");
	ck_assert_int_eq(e->p.type, FC_SPACE_LOGUNIFORM);
	ck_assert(e->p.lo == 0.01 && e->p.hi == 0.3);
	e = find(&s, "ets", "damped");
	ck_assert_int_eq(e->p.type, FC_SPACE_CHOICE);
	ck_assert_uint_eq(e->p.n_choices, 2);
	ck_assert_str_eq(e->p.choices[1], "false");
	e = find(&s, "window", "size");
	ck_assert(e->p.type == FC_SPACE_INT && e->p.lo == 4 && e->p.hi == 8);
	e = find(&s, "gbdt", "min_data_in_leaf");
	ck_assert(e->p.type == FC_SPACE_QUNIFORM && e->p.q == 5);
	e = find(&s, "gbdt", "lags");
	ck_assert_uint_eq(e->p.n_choices, 3);
	ck_assert_str_eq(e->p.choices[1], "1-7,14");
	ck_assert_ptr_nonnull(find(&s, "snaive", "period"));
	fc_space_set_dispose(&s);
}
END_TEST

static const struct {
	const char *text, *msg;
} bad_files[] = {
	{"gbdtx.num_leaves = int(2, 8)\n", "t.space:1:1: unknown model kind 'gbdtx'"},
	{"# ok\n  gbdt.bogus = int(1, 2)\n", "t.space:2:8: model 'gbdt': gbdt: unknown parameter 'bogus'"},
	{"ets.damped = maybe(1, 2)\n", "t.space:1:14: unknown type 'maybe'"},
	{"window.size = int(10, 4)\n", "t.space:1:19: int(): lower bound 10 is above upper bound 4"},
	{"gbdt.learning_rate = loguniform(0, 0.3)\n", "t.space:1:33: loguniform(): bounds must be positive"},
	{"gbdt.min_data_in_leaf = quniform(5, 100)\n", "t.space:1:33: quniform() takes 3 numbers"},
	{"gbdt.min_data_in_leaf = quniform(5, 100, 0)\n", "t.space:1:42: quniform(): step must be positive"},
	{"window.size = int(4, x)\n", "t.space:1:22: 'x' is not a number"},
	{"window.size = int(1.5, 4)\n", "t.space:1:19: int(): bounds must be whole numbers"},
	{"ets.damped = choice(true, maybe)\n", "t.space:1:27: model 'ets': parameter 'damped' must be auto"},
	{"ets.damped = choice(true\n", "t.space:1:25: expected ',' or ')'"},
	{"ets.damped = choice(true) extra\n", "t.space:1:27: unexpected text after ')'"},
	{"ets.damped choice(true)\n", "t.space:1:12: expected '=' after 'ets.damped'"},
	{"garbage\n", "t.space:1:1: unknown model kind 'garbage'"},
	{"ets damped = choice(true)\n", "t.space:1:4: expected '.'"},
	{"window.size = uniform(0.5, 3)\n", "t.space:1:23: model 'window': parameter 'size' must be"},
	{"ets.damped = choice(\"true)\n", "t.space:1:21: unterminated quoted value"},
	{"window.size = int(, 3)\n", "t.space:1:19: expected a value"},
};

START_TEST(test_space_file_errors)
{
	fc_space_set s;
	fc_space_set_init(&s);
	fc_err err;
	fc_err_clear(&err);
	int rc = fc_space_parse(&s, bad_files[_i].text, "t.space", &err);
	ck_assert_int_eq(rc, FC_EINPUT);
	ck_assert_msg(strncmp(err.msg, bad_files[_i].msg, strlen(bad_files[_i].msg)) == 0,
	              "for %s got: %s", bad_files[_i].text, err.msg);
	ck_assert_uint_eq(s.n, 0);
	fc_space_set_dispose(&s);
}
END_TEST

/* Base candidates window and ets with their defaults. */
static void two_bases(fc_model **base)
{
	fc_err err;
	base[0] = fc_model_alloc(fc_model_lookup("window"), &err);
	base[1] = fc_model_alloc(fc_model_lookup("ets"), &err);
	ck_assert(base[0] && base[1]);
}

START_TEST(test_grid_trials_exact)
{
	fc_model *base[2];
	two_bases(base);
	fc_space_set s;
	fc_space_set_init(&s);
	fc_err err;
	ck_assert_int_eq(fc_space_parse(&s, "window.size = int(2, 4)\n"
	                                    "ets.damped = choice(true, false)\n"
	                                    "ets.ic = choice(aicc, bic)\n", "t", &err), 0);
	fc_search_opts o = {.method = FC_SEARCH_GRID, .budget = 100, .seed = 1};
	fc_trial *t;
	size_t n;
	fc_search_info info;
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &t, &n, &info, &err), 0);
	/* 3 window points and 4 ets points, round-robin, the last parameter fastest */
	static const char *const want[][2] = {
		{"window#1", "size=2"}, {"ets#1", "damped=true;ic=aicc"},
		{"window#2", "size=3"}, {"ets#2", "damped=true;ic=bic"},
		{"window#3", "size=4"}, {"ets#3", "damped=false;ic=aicc"},
		{"ets#4", "damped=false;ic=bic"},
	};
	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(info.grid_points, 7);
	ck_assert_int_eq(info.truncated, 0);
	for (size_t k = 0; k < n; k++) {
		ck_assert_str_eq(t[k].label, want[k][0]);
		ck_assert_str_eq(t[k].params, want[k][1]);
		ck_assert_uint_eq(t[k].base, want[k][0][0] == 'w' ? 0 : 1);
		ck_assert_ptr_eq(t[k].model->type, base[t[k].base]->type);
	}
	/* the template carries the values */
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(t[2].model->type->save_params(t[2].model->params, &b, &err), 0);
	ck_assert_str_eq(b.data, "size=3");
	fc_buf_dispose(&b);
	fc_trials_free(t, n);

	/* a budget below the grid stops early, still round-robin */
	o.budget = 3;
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &t, &n, &info, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(t[2].label, "window#2");
	ck_assert_uint_eq(info.grid_points, 7);
	ck_assert_int_eq(info.truncated, 1);
	fc_trials_free(t, n);

	/* a configuration equal to the candidate itself is no trial */
	fc_space_set s2;
	fc_space_set_init(&s2);
	ck_assert_int_eq(fc_space_parse(&s2, "ets.damped = choice(auto, true)\n", "t", &err), 0);
	o.budget = 10;
	ck_assert_int_eq(fc_search_trials(base, 2, &s2, &o, &t, &n, &info, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(t[0].params, "damped=true");
	fc_trials_free(t, n);
	fc_space_set_dispose(&s2);
	fc_space_set_dispose(&s);
	fc_model_free(base[0]);
	fc_model_free(base[1]);
}
END_TEST

START_TEST(test_random_trials_reproducible)
{
	fc_model *base[2];
	two_bases(base);
	fc_space_set s;
	fc_space_set_init(&s);
	fc_err err;
	ck_assert_int_eq(fc_space_set_defaults(&s, &err), 0);
	fc_search_opts o = {.method = FC_SEARCH_RANDOM, .budget = 12, .seed = 42};
	fc_trial *a, *b, *c;
	size_t na, nb, nc;
	fc_search_info info;
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &a, &na, &info, &err), 0);
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &b, &nb, &info, &err), 0);
	/* six of each kind, round-robin (ets has 8 points besides its default) */
	ck_assert_uint_eq(na, 12);
	ck_assert_uint_eq(nb, na);
	size_t n_ets = 0;
	for (size_t k = 0; k < na; k++) {
		ck_assert_str_eq(a[k].label, b[k].label);
		ck_assert_str_eq(a[k].params, b[k].params);
		n_ets += a[k].base == 1;
		for (size_t j = 0; j < k; j++)
			ck_assert(a[j].base != a[k].base || strcmp(a[j].params, a[k].params) != 0);
		ck_assert(strcmp(a[k].params, "damped=auto;ic=aicc") != 0);
	}
	ck_assert_uint_eq(n_ets, 6);
	/* another seed, other draws */
	o.seed = 43;
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &c, &nc, &info, &err), 0);
	int differ = 0;
	for (size_t k = 0; k < nc; k++)
		differ |= strcmp(a[k].params, c[k].params) != 0;
	ck_assert(differ);
	fc_trials_free(c, nc);
	/* a kind's draws do not depend on the other kinds searched */
	o.seed = 42;
	o.budget = 6;
	unsigned char only_window[2] = {1, 0};
	o.searched = only_window;
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &c, &nc, &info, &err), 0);
	ck_assert_uint_eq(nc, 6);
	for (size_t k = 0, w = 0; k < na; k++) {
		if (a[k].base != 0)
			continue;
		ck_assert_str_eq(c[w].params, a[k].params);
		w++;
	}
	fc_trials_free(c, nc);
	/* the space runs out: ets alone, a budget of 20, 8 trials */
	unsigned char only_ets[2] = {0, 1};
	o.searched = only_ets;
	o.budget = 20;
	ck_assert_int_eq(fc_search_trials(base, 2, &s, &o, &c, &nc, &info, &err), 0);
	ck_assert_uint_eq(nc, 8);
	ck_assert_uint_eq(info.exhausted, 1);
	fc_trials_free(c, nc);
	fc_trials_free(a, na);
	fc_trials_free(b, nb);
	fc_space_set_dispose(&s);
	fc_model_free(base[0]);
	fc_model_free(base[1]);
}
END_TEST

int main(void)
{
	gsl_set_error_handler_off();
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("space");
	tcase_add_test(tc, test_splitmix64_reference);
	tcase_add_test(tc, test_sample_ranges);
	tcase_add_test(tc, test_grid_values);
	tcase_add_test(tc, test_declared_tables_are_accepted);
	suite_add_tcase(s, tc);
	TCase *tf = tcase_create("file");
	tcase_add_test(tf, test_space_file_parses);
	tcase_add_loop_test(tf, test_space_file_errors, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
	suite_add_tcase(s, tf);
	TCase *tt = tcase_create("trials");
	tcase_add_test(tt, test_grid_trials_exact);
	tcase_add_test(tt, test_random_trials_reproducible);
	suite_add_tcase(s, tt);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
