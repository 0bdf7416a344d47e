/* Tests of the `gbdt` global kind (src/models/gbdt/gbdt_global.c) through the
 * selection engine and directly: it learns a pattern shared by many
 * series, never reads data after a cut, gives the same forecasts for any
 * thread count and after a save/load round trip, and supports the direct
 * strategy and one model per group; and fc_cv_global_folds, the same
 * per-fold back-test for a global model with fixed parameters. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forecast/cv.h"
#include "forecast/model.h"

#define NS 12
#define NT 210

typedef struct panel {
	fc_panel p;
	fc_series s[NS];
	double y[NS][NT];
	char key[NS][16];
	const char *gv[NS][1];
	const char *group_names[1];
	double season;
} panel;

/* Daily series from Monday 2024-01-01: a weekly profile shared by all
 * series, scaled by a per-series level, plus a little deterministic noise;
 * stores "a" and "b" (b's profile is reversed). */
/* The series' forecasting model (its only member without an ensemble). */
static const fc_model *model_of(const fc_series_result *r)
{
	return r->n_members ? r->members[0].model : NULL;
}

static panel *make_panel(void)
{
	static const double prof[7] = {1.0, 1.1, 1.2, 1.0, 1.4, 2.0, 0.6};
	panel *t = calloc(1, sizeof *t);
	t->season = 7;
	t->p.freq = (fc_freq){FC_UNIT_DAY, 1, 0};
	t->p.style = (fc_time_style){FC_STYLE_DATE, 0};
	t->p.series = t->s;
	t->p.n_series = NS;
	t->p.n_seasons = 1;
	t->p.seasons[0] = 7;
	t->p.n_groups = 1;
	t->group_names[0] = "store";
	t->p.group_names = (char **)t->group_names;
	unsigned seed = 7;
	for (size_t i = 0; i < NS; i++) {
		double level = 10 + 3 * (double)i;
		for (size_t k = 0; k < NT; k++) {
			seed = seed * 1103515245u + 12345u;
			double u = (double)(seed >> 8) / (double)(1u << 24) - 0.5;
			size_t dow = k % 7;
			t->y[i][k] = level * (i % 2 ? prof[6 - dow] : prof[dow]) + 0.3 * u;
		}
		snprintf(t->key[i], sizeof t->key[i], "id=%zu", i);
		t->gv[i][0] = i % 2 ? "b" : "a";
		fc_series *s = &t->s[i];
		s->key = t->key[i];
		s->group_values = t->gv[i];
		s->n_groups = 1;
		s->start = fc_time_from_civil(2024, 1, 1, 0, 0, 0);
		s->n = NT;
		s->y = t->y[i];
		s->n_seasons = 1;
		s->seasons = &t->season;
	}
	return t;
}

static fc_model *gbdt_with(const char *const *kv, size_t n)
{
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_gbdt, &err);
	ck_assert_ptr_nonnull(m);
	for (size_t i = 0; i + 1 < n; i += 2)
		ck_assert_msg(fc_model_set_param(m, kv[i], kv[i + 1], &err) == 0, "%s: %s", kv[i], err.msg);
	return m;
}

static const char *const SMALL[] = {"n_trees", "60", "num_leaves", "15", "min_data_in_leaf", "5",
                                    "lags", "1-7,14", "windows", "7"};

static void forecast_at(const fc_model *m, const panel *t, size_t cut, size_t h, double *mean)
{
	size_t cuts[NS];
	for (size_t i = 0; i < NS; i++)
		cuts[i] = cut;
	void *state = NULL;
	fc_err err;
	const fc_global_ops *g = m->type->global;
	ck_assert_msg(g->fit(&state, m->params, &t->p, cuts, h, &err) == 0, "fit: %s", err.msg);
	ck_assert_msg(g->forecast(state, m->params, &t->p, cuts, h, mean, &err) == 0, "forecast: %s",
	              err.msg);
	g->free(state);
}

START_TEST(test_learns_shared_pattern)
{
	panel *t = make_panel();
	fc_model *m = gbdt_with(SMALL, sizeof SMALL / sizeof SMALL[0]);
	double mean[NS * 14];
	forecast_at(m, t, NT - 14, 14, mean);
	/* within 10% of the truth on every step of every series */
	for (size_t i = 0; i < NS; i++)
		for (size_t k = 0; k < 14; k++) {
			double truth = t->y[i][NT - 14 + k];
			ck_assert_msg(fabs(mean[i * 14 + k] - truth) < 0.1 * truth,
			              "series %zu step %zu: %g vs %g", i, k, mean[i * 14 + k], truth);
		}
	fc_model_free(m);
	free(t);
}
END_TEST

START_TEST(test_no_peeking_after_cut)
{
	panel *t = make_panel();
	fc_model *m = gbdt_with(SMALL, sizeof SMALL / sizeof SMALL[0]);
	double a[NS * 7], b[NS * 7];
	forecast_at(m, t, 150, 7, a);
	for (size_t i = 0; i < NS; i++)
		for (size_t k = 150; k < NT; k++)
			t->y[i][k] = 1e6 * (double)(k % 3);
	forecast_at(m, t, 150, 7, b);
	ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
	fc_model_free(m);
	free(t);
}
END_TEST

START_TEST(test_threads_and_save_load)
{
	panel *t = make_panel();
	fc_model *m = gbdt_with(SMALL, sizeof SMALL / sizeof SMALL[0]);
	double a[NS * 7], b[NS * 7], c[NS * 7];
	size_t cuts[NS];
	for (size_t i = 0; i < NS; i++)
		cuts[i] = NT - 7 - (i % 3);
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	const fc_global_ops *g = m->type->global;
	void *state = NULL;
	fc_err err;
	ck_assert_int_eq(g->fit(&state, m->params, &t->p, cuts, 7, &err), 0);
	ck_assert_int_eq(g->forecast(state, m->params, &t->p, cuts, 7, a, &err), 0);
#ifdef _OPENMP
	omp_set_num_threads(3);
#endif
	void *state2 = NULL;
	ck_assert_int_eq(g->fit(&state2, m->params, &t->p, cuts, 7, &err), 0);
	ck_assert_int_eq(g->forecast(state2, m->params, &t->p, cuts, 7, b, &err), 0);
	ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
	fc_buf buf;
	fc_buf_init(&buf);
	ck_assert_int_eq(g->save(state, &buf, &err), 0);
	void *loaded = NULL;
	ck_assert_msg(g->load(&loaded, &buf, &err) == 0, "load: %s", err.msg);
	ck_assert_int_eq(g->forecast(loaded, m->params, &t->p, cuts, 7, c, &err), 0);
	ck_assert_int_eq(memcmp(a, c, sizeof a), 0);
	/* parameters round-trip through their text too */
	fc_buf pb;
	fc_buf_init(&pb);
	ck_assert_int_eq(m->type->save_params(m->params, &pb, &err), 0);
	fc_model *m2 = fc_model_alloc(fc_model_gbdt, &err);
	ck_assert_msg(fc_model_set_params_text(m2, pb.data, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(memcmp(m->params, m2->params, fc_model_gbdt->params_size), 0);
	fc_model_free(m2);
	fc_buf_dispose(&pb);
	fc_buf_dispose(&buf);
	g->free(state);
	g->free(state2);
	g->free(loaded);
	fc_model_free(m);
	free(t);
}
END_TEST

/* The learner's size follows --param gbdt.capacity: large takes the
 * preset (255 leaves, 200 trees at 0.05, ...) for every key not set by the
 * user; auto takes it only on a panel of 30 series or more (this one has
 * 12); the set keys survive the parameters' text round trip. */
static void fitted_text(const fc_model *m, const panel *t, fc_buf *out)
{
	size_t cuts[NS];
	for (size_t i = 0; i < NS; i++)
		cuts[i] = NT;
	void *state = NULL;
	fc_err err;
	const fc_global_ops *g = m->type->global;
	ck_assert_msg(g->fit(&state, m->params, &t->p, cuts, 7, &err) == 0, "fit: %s", err.msg);
	fc_buf_init(out);
	ck_assert_int_eq(g->save(state, out, &err), 0);
	g->free(state);
}

START_TEST(test_capacity)
{
	panel *t = make_panel();
	static const char *const base[] = {"lags", "1-7", "windows", "7", "min_data_in_leaf", "5"};
	static const char *const large[] = {"lags", "1-7", "windows", "7", "min_data_in_leaf", "5",
	                                    "capacity", "large"};
	static const char *const mixed[] = {"lags", "1-7", "windows", "7", "min_data_in_leaf", "5",
	                                    "capacity", "large", "num_leaves", "15", "eta", "0.2"};
	fc_model *ma = gbdt_with(base, 6), *ml = gbdt_with(large, 8), *mm = gbdt_with(mixed, 12);
	fc_buf a, l, x;
	fitted_text(ma, t, &a);
	fitted_text(ml, t, &l);
	fitted_text(mm, t, &x);
	/* auto on 12 series: LightGBM's defaults */
	ck_assert_ptr_nonnull(strstr(a.data, "gbdt_num_leaves=31 "));
	ck_assert_ptr_nonnull(strstr(a.data, "gbdt_n_trees=100 "));
	ck_assert_ptr_nonnull(strstr(a.data, "gbdt_learning_rate=0.10000000000000001 "));
	/* large: the preset */
	ck_assert_ptr_nonnull(strstr(l.data, "gbdt_num_leaves=255 "));
	ck_assert_ptr_nonnull(strstr(l.data, "gbdt_n_trees=200 "));
	ck_assert_ptr_nonnull(strstr(l.data, "gbdt_learning_rate=0.050000000000000003 "));
	/* large with two keys set (one by its alias): those keep their values */
	ck_assert_ptr_nonnull(strstr(x.data, "gbdt_num_leaves=15 "));
	ck_assert_ptr_nonnull(strstr(x.data, "gbdt_learning_rate=0.20000000000000001 "));
	ck_assert_ptr_nonnull(strstr(x.data, "gbdt_n_trees=200 "));
	/* the text of the mixed parameters names the two set keys and no
	 * other preset key, and loads back to the same parameters */
	fc_err err;
	fc_buf pb;
	fc_buf_init(&pb);
	ck_assert_int_eq(mm->type->save_params(mm->params, &pb, &err), 0);
	ck_assert_ptr_nonnull(strstr(pb.data, "capacity=large"));
	ck_assert_ptr_nonnull(strstr(pb.data, " num_leaves=15"));
	ck_assert_ptr_nonnull(strstr(pb.data, " learning_rate=0.2"));
	ck_assert_ptr_null(strstr(pb.data, "n_trees="));
	fc_model *m2 = fc_model_alloc(fc_model_gbdt, &err);
	ck_assert_msg(fc_model_set_params_text(m2, pb.data, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(memcmp(mm->params, m2->params, fc_model_gbdt->params_size), 0);
	/* a bad capacity is refused */
	ck_assert_int_eq(fc_model_set_param(m2, "capacity", "huge", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "auto, small or large"));
	fc_model_free(m2);
	fc_buf_dispose(&pb);
	fc_buf_dispose(&a);
	fc_buf_dispose(&l);
	fc_buf_dispose(&x);
	fc_model_free(ma);
	fc_model_free(ml);
	fc_model_free(mm);
	free(t);
}
END_TEST

START_TEST(test_direct_and_grouped)
{
	panel *t = make_panel();
	static const char *const kv[] = {"n_trees", "100", "num_leaves", "15", "min_data_in_leaf", "5",
	                                 "lags", "1-7", "windows", "7", "strategy", "direct",
	                                 "global_by", "store"};
	fc_model *m = gbdt_with(kv, sizeof kv / sizeof kv[0]);
	double mean[NS * 5];
	forecast_at(m, t, NT - 5, 5, mean);
	for (size_t i = 0; i < NS; i++)
		for (size_t k = 0; k < 5; k++) {
			double truth = t->y[i][NT - 5 + k];
			ck_assert_msg(fabs(mean[i * 5 + k] - truth) < 0.15 * truth, "series %zu step %zu: %g vs %g",
			              i, k, mean[i * 5 + k], truth);
		}
	fc_err err;
	ck_assert_int_eq(fc_model_set_param(m, "global_by", "region", &err), 0);
	size_t cuts[NS];
	for (size_t i = 0; i < NS; i++)
		cuts[i] = NT;
	void *state = NULL;
	ck_assert_int_eq(m->type->global->fit(&state, m->params, &t->p, cuts, 5, &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "region"));
	ck_assert_int_eq(fc_model_set_param(m, "strategy", "sideways", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "lags", "0-3", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "num_leaves", "1", &err), FC_EINVAL);
	fc_model_free(m);
	free(t);
}
END_TEST

START_TEST(test_in_selection)
{
	panel *t = make_panel();
	fc_model *c[2] = {fc_model_alloc(fc_model_naive, NULL),
	                  gbdt_with(SMALL, sizeof SMALL / sizeof SMALL[0])};
	fc_cv_opts o = {.horizon = 7, .folds = 2, .step = 7, .n_levels = 1, .levels = {90},
	                .metric = FC_METRIC_MAE, .n_candidates = 2, .candidates = c, .forecast = 1};
	fc_run *r = NULL;
	fc_err err;
	ck_assert_msg(fc_cv_run(&t->p, &o, &r, &err) == 0, "%s", err.msg);
	/* a weekly profile: the trees beat naive on every series */
	for (size_t i = 0; i < NS; i++) {
		ck_assert(r->res[i].applicable[1]);
		ck_assert_int_eq(r->res[i].best, 1);
		ck_assert_ptr_nonnull(model_of(&r->res[i]));
		ck_assert(isfinite(r->res[i].fc.mean[0]) && isfinite(r->res[i].fc.hi[0]));
	}
	ck_assert_ptr_nonnull(r->global_state[1]);
	fc_run_free(r);
	fc_model_free(c[0]);
	fc_model_free(c[1]);
	free(t);
}
END_TEST

/* fc_cv_global_folds, the back-test retrain uses for global members: the
 * fold forecasts fc_cv_run scored (one fit per fold over every series cut
 * at its origin), and those of a direct fit at each cut; a series left
 * out of a fold (cut 0) gets NaN. */
START_TEST(test_global_folds)
{
	panel *t = make_panel();
	fc_model *c[1] = {gbdt_with(SMALL, sizeof SMALL / sizeof SMALL[0])};
	enum { K = 3, H = 7 };
	fc_cv_opts o = {.horizon = H, .folds = K, .step = H, .n_levels = 1, .levels = {90},
	                .metric = FC_METRIC_MAE, .n_candidates = 1, .candidates = c};
	fc_run *r = NULL;
	fc_err err;
	ck_assert_msg(fc_cv_run(&t->p, &o, &r, &err) == 0, "%s", err.msg);
	size_t cut[K * NS];
	for (size_t jj = 0; jj < K; jj++)
		for (size_t i = 0; i < NS; i++)
			cut[jj * NS + i] = NT - H - jj * H;
	cut[2 * NS + 3] = 0; /* series 3 sits out the earliest fold */
	double *gfc = NULL;
	ck_assert_msg(fc_cv_global_folds(&t->p, c[0], K, H, 1, cut, &gfc, &err) == 0, "%s", err.msg);
	double direct[NS * H];
	forecast_at(c[0], t, NT - H - H, H, direct); /* fold jj = 1 */
	for (size_t i = 0; i < NS; i++) {
		const fc_series_result *res = &r->res[i];
		ck_assert_uint_eq(res->folds, K);
		for (size_t k = 0; k < K; k++) {
			size_t jj = K - 1 - k;
			const double *g = gfc + (i * K + jj) * H;
			if (i == 3 && jj == 2) {
				for (size_t x = 0; x < H; x++)
					ck_assert(isnan(g[x]));
				continue;
			}
			ck_assert(res->fold_ok[k]);
			for (size_t x = 0; x < H; x++) {
				ck_assert(isfinite(g[x]));
				if (jj != 2) /* the earliest fold's fit saw one series fewer */
					ck_assert_double_eq_tol(g[x], res->fold_fc[k * H + x], 1e-12);
				if (jj == 1)
					ck_assert_double_eq_tol(g[x], direct[i * H + x], 1e-12);
			}
		}
	}
	/* not a global kind: refused */
	fc_model *naive = fc_model_alloc(fc_model_naive, NULL);
	double *none = NULL;
	ck_assert_int_eq(fc_cv_global_folds(&t->p, naive, K, H, 1, cut, &none, &err), FC_EINVAL);
	ck_assert_ptr_null(none);
	fc_model_free(naive);
	free(gfc);
	fc_run_free(r);
	fc_model_free(c[0]);
	free(t);
}
END_TEST

/* Writes a one-country calendar ZZ into a new folder under /tmp, whose
 * path goes to dir (>= 64 bytes). */
static void write_calendar(char *dir)
{
	snprintf(dir, 64, "/tmp/fc-test-cal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[96];
	snprintf(path, sizeof path, "%s/ZZ.cal", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("country ZZ\nholiday \"Spring\" on 03-20\nholiday \"Summer\" on first friday of july\n",
	      f);
	fclose(f);
}

static void remove_calendar(const char *dir)
{
	char path[96];
	snprintf(path, sizeof path, "%s/ZZ.cal", dir);
	unlink(path);
	rmdir(dir);
}

/* Country calendars are read once per folder, countries and years: with
 * the file gone, the same fit still has its holidays and forecasts as
 * before, and equals a fresh load from another folder; a folder without
 * the file is still an error. */
START_TEST(test_calendars_cached)
{
	panel *t = make_panel();
	static const char *const kv[] = {"n_trees", "30", "num_leaves", "7", "min_data_in_leaf", "5",
	                                 "lags", "1-7", "windows", "7", "country", "ZZ"};
	fc_model *m = gbdt_with(kv, sizeof kv / sizeof kv[0]);
	char dir[64], dir2[64];
	write_calendar(dir);
	write_calendar(dir2);
	double a[NS * 7], b[NS * 7], c[NS * 7];
	setenv("FORECAST_CALENDARS", dir, 1);
	forecast_at(m, t, 150, 7, a);
	remove_calendar(dir);
	forecast_at(m, t, 150, 7, b);
	ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
	setenv("FORECAST_CALENDARS", dir2, 1);
	forecast_at(m, t, 150, 7, c);
	ck_assert_int_eq(memcmp(a, c, sizeof a), 0);
	remove_calendar(dir2);
	char gone[80];
	snprintf(gone, sizeof gone, "%s/none", dir2);
	setenv("FORECAST_CALENDARS", gone, 1);
	size_t cuts[NS];
	for (size_t i = 0; i < NS; i++)
		cuts[i] = 150;
	void *state = NULL;
	fc_err err;
	ck_assert_int_ne(m->type->global->fit(&state, m->params, &t->p, cuts, 7, &err), 0);
	ck_assert_msg(strstr(err.msg, "ZZ") != NULL, "%s", err.msg);
	unsetenv("FORECAST_CALENDARS");
	fc_model_free(m);
	free(t);
}
END_TEST

static Suite *global_suite(void)
{
	Suite *su = suite_create("global");
	TCase *tc = tcase_create("gbdt");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_learns_shared_pattern);
	tcase_add_test(tc, test_no_peeking_after_cut);
	tcase_add_test(tc, test_threads_and_save_load);
	tcase_add_test(tc, test_capacity);
	tcase_add_test(tc, test_direct_and_grouped);
	tcase_add_test(tc, test_in_selection);
	tcase_add_test(tc, test_global_folds);
	tcase_add_test(tc, test_calendars_cached);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(global_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
