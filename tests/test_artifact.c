/* Unit tests of the model file: round trip, and refusal of corrupt,
 * truncated and other-version files; and fc_read_file, which reads it. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forecast/artifact.h"
#include "forecast/file.h"

static double y0_[30], y1_[30];
static const char *gv0[] = {"north, \"big\"", "a\tb"}, *gv1[] = {"south", "x%y"};
static char *gnames[] = {"store", "item"};
static const double season = 7;

static void make_panel(fc_panel *p, fc_series *s)
{
	memset(p, 0, sizeof *p);
	memset(s, 0, 2 * sizeof *s);
	for (int i = 0; i < 30; i++) {
		y0_[i] = 10 + (i % 7);
		y1_[i] = 100 - i;
	}
	p->path = "sales.csv";
	p->time_name = "date";
	p->target_name = "sales";
	p->n_groups = 2;
	p->group_names = gnames;
	p->style = (fc_time_style){FC_STYLE_DATE, 0};
	p->freq = (fc_freq){FC_UNIT_DAY, 1, 0};
	p->n_seasons = 1;
	p->seasons[0] = 7;
	p->fill = FC_FILL_ZERO;
	p->n_series = 2;
	p->series = s;
	const char *const *gv[] = {gv0, gv1};
	double *ys[] = {y0_, y1_};
	for (int k = 0; k < 2; k++) {
		s[k].key = k ? "store=south,item=x%y" : "store=north,item=a b";
		s[k].group_values = gv[k];
		s[k].n_groups = 2;
		s[k].start = fc_time_from_civil(2024, 1, 1 + k, 0, 0, 0);
		s[k].n = 30;
		s[k].y = ys[k];
		s[k].n_seasons = 1;
		s[k].seasons = &season;
	}
}

static char path[512];

static void write_model(void)
{
	fc_panel p;
	fc_series s[2];
	make_panel(&p, s);
	fc_model *c[5];
	for (size_t k = 0; k < 5; k++) /* the baselines */
		c[k] = fc_model_alloc(fc_model_kind_at(k), NULL);
	ck_assert_int_eq(fc_model_set_param(c[4], "size", "5", NULL), 0);
	fc_cv_opts o = {.horizon = 7, .folds = 2, .n_levels = 2, .levels = {80, 95},
	                .metric = FC_METRIC_MASE, .n_candidates = 5, .candidates = c, .forecast = 1};
	fc_run *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_cv_run(&p, &o, &r, &err), 0);
	strcpy(path, "/tmp/fc_test_artifact_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	ck_assert_int_eq(fc_artifact_write(f, &p, r, &o, FC_AGG_SUM, &err), 0);
	fclose(f);
	fc_run_free(r);
	for (int k = 0; k < 5; k++)
		fc_model_free(c[k]);
}

START_TEST(test_roundtrip)
{
	write_model();
	fc_artifact *a = NULL;
	fc_err err;
	ck_assert_msg(fc_artifact_load(path, &a, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(a->source, "sales.csv");
	ck_assert_str_eq(a->time_name, "date");
	ck_assert_str_eq(a->target_name, "sales");
	ck_assert_uint_eq(a->n_groups, 2);
	ck_assert_str_eq(a->group_names[1], "item");
	ck_assert_int_eq(a->style.kind, FC_STYLE_DATE);
	ck_assert_int_eq(a->freq.unit, FC_UNIT_DAY);
	ck_assert_uint_eq(a->n_seasons, 1);
	ck_assert_double_eq(a->seasons[0], 7);
	ck_assert_int_eq(a->fill, FC_FILL_ZERO);
	ck_assert_int_eq(a->aggregate, FC_AGG_SUM);
	ck_assert_uint_eq(a->horizon, 7);
	ck_assert_uint_eq(a->n_levels, 2);
	ck_assert_double_eq(a->levels[1], 95);
	ck_assert_int_eq(a->metric, FC_METRIC_MASE);
	ck_assert_uint_eq(a->n_series, 2);
	/* awkward group values survive the escaping */
	ck_assert_str_eq(a->series[0].group_values[0], "north, \"big\"");
	ck_assert_str_eq(a->series[0].group_values[1], "a\tb");
	ck_assert_str_eq(a->series[1].group_values[1], "x%y");
	ck_assert_int_eq(a->series[1].start, fc_time_from_civil(2024, 1, 2, 0, 0, 0));
	ck_assert_uint_eq(a->series[1].n, 30);
	ck_assert_int_eq(fc_artifact_last(a, &a->series[0]), fc_time_from_civil(2024, 1, 30, 0, 0, 0));
	/* the weekly pattern goes to snaive, the line to drift */
	ck_assert_str_eq(a->series[0].members[0].model->type->name, "snaive");
	ck_assert_str_eq(a->series[1].members[0].model->type->name, "drift");
	fc_forecast fc;
	ck_assert_int_eq(fc_forecast_init(&fc, 3, a->levels, a->n_levels, NULL), 0);
	ck_assert_int_eq(fc_model_forecast(a->series[1].members[0].model, &fc, NULL), 0);
	ck_assert_double_eq_tol(fc.mean[0], 70.0, 1e-9);
	ck_assert_double_eq_tol(fc.mean[2], 68.0, 1e-9);
	fc_forecast_dispose(&fc);
	fc_artifact_free(a);
	unlink(path);
}
END_TEST

static char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	char *s = malloc(*n + 1);
	ck_assert_uint_eq(fread(s, 1, *n, f), *n);
	s[*n] = 0;
	fclose(f);
	return s;
}

static void spit(const char *p, const char *s, size_t n)
{
	FILE *f = fopen(p, "wb");
	fwrite(s, 1, n, f);
	fclose(f);
}

static int load_code(fc_err *err)
{
	fc_artifact *a = NULL;
	int rc = fc_artifact_load(path, &a, err);
	ck_assert_ptr_null(a);
	return rc;
}

START_TEST(test_corrupt_byte)
{
	write_model();
	size_t n;
	char *s = slurp(path, &n);
	char *hit = strstr(s, "drift");
	ck_assert_ptr_nonnull(hit);
	hit[0] = 'D';
	spit(path, s, n);
	fc_err err;
	ck_assert_int_eq(load_code(&err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "checksum"));
	free(s);
	unlink(path);
}
END_TEST

START_TEST(test_truncated)
{
	write_model();
	size_t n;
	char *s = slurp(path, &n);
	spit(path, s, n / 2);
	fc_err err;
	ck_assert_int_eq(load_code(&err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
	free(s);
	unlink(path);
}
END_TEST

START_TEST(test_other_version)
{
	write_model();
	size_t n;
	char *s = slurp(path, &n);
	char *v = strchr(s, '\t');
	v[1] = '9';
	spit(path, s, n);
	fc_err err;
	ck_assert_int_eq(load_code(&err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "version 9"));
	free(s);
	unlink(path);
}
END_TEST

START_TEST(test_not_a_model_and_missing)
{
	strcpy(path, "/tmp/fc_test_artifact_XXXXXX");
	int fd = mkstemp(path);
	close(fd);
	spit(path, "date,sales\n2024-01-01,3\n", 24);
	fc_err err;
	ck_assert_int_eq(load_code(&err), FC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a forecast model file"));
	unlink(path);
	ck_assert_int_eq(load_code(&err), FC_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
}
END_TEST

/* Model files the fuzzer (fuzz/fuzz_model.c) made or that hold absurd
 * counts: each must be refused as corrupt, with nothing leaked (the
 * sanitizer build and tests/run.sh --valgrind check that) and without an
 * allocation sized by the count. */
static void load_hostile(const char *name, const char *msg)
{
	snprintf(path, sizeof path, "%s/fuzz/%s", TEST_DATA_DIR, name);
	fc_err err;
	ck_assert_int_eq(load_code(&err), FC_EFORMAT);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "%s: got '%s'", name, err.msg);
}

START_TEST(test_hostile_gbdt_state)
{
	/* a code book line that is not one leaked the line (fuzzer finding) */
	load_hostile("gbdt_levels_leak.model", "gbdt state: group 1 missing");
	/* 10^7 groups x 10^5 steps once asked calloc for 8 TB */
	load_hostile("gbdt_absurd_counts.model", "10000000 groups of 100000 steps, more than the file holds");
	/* a code book of 4e15 levels on a short line */
	load_hostile("gbdt_absurd_levels.model", "code book 1: bad level count");
	/* a lag of -2 was converted to size_t (fuzzer finding, UBSan) */
	load_hostile("gbdt_negative_lag.model", "gbdt state: lag 1 is not a whole number from 1 to 10000");
	/* fit --events keeps its events in the state: 4e12 of them on a short
	 * line must not size an allocation, nor an id name no event */
	load_hostile("gbdt_absurd_events.model", "gbdt state: bad events header");
	load_hostile("gbdt_bad_event_id.model", "gbdt state: bad event days");
}
END_TEST

START_TEST(test_nul_byte)
{
	/* a NUL in the first line, checksum right: the reader once looked for
	 * the line break past it with strchr and got NULL (fuzzer finding) */
	load_hostile("nul_byte.model", "corrupt model file: NUL byte at offset 16");
}
END_TEST

START_TEST(test_names)
{
	fc_time_style st;
	ck_assert_int_eq(fc_style_parse("datetime-T", &st), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATETIME);
	ck_assert_int_eq(st.sep, 'T');
	ck_assert_str_eq(fc_style_name(st), "datetime-T");
	ck_assert_int_eq(fc_style_parse("date-T", &st), -1);
	fc_fill fl;
	ck_assert_int_eq(fc_fill_parse("linear", &fl), 0);
	ck_assert_int_eq(fl, FC_FILL_LINEAR);
	fc_aggregate ag;
	ck_assert_int_eq(fc_aggregate_parse("median", &ag), -1);
}
END_TEST

/* fc_read_file: every byte (NULs included, past one 64 KiB chunk), a NUL
 * after them, an empty file, and a missing one named in the message. */
START_TEST(test_read_file)
{
	char p[] = "/tmp/fc_test_read_XXXXXX";
	int fd = mkstemp(p);
	ck_assert_int_ge(fd, 0);
	size_t n = 200000;
	char *want = malloc(n);
	for (size_t i = 0; i < n; i++)
		want[i] = (char)(i * 7 % 251);
	ck_assert_int_eq(write(fd, want, n), (ssize_t)n);
	close(fd);
	char *text = NULL;
	size_t len = 0;
	fc_err err;
	ck_assert_int_eq(fc_read_file(p, NULL, &text, &len, &err), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_int_eq(memcmp(text, want, n), 0);
	ck_assert_int_eq(text[n], '\0');
	free(text);
	FILE *f = fopen(p, "w");
	fclose(f);
	ck_assert_int_eq(fc_read_file(p, NULL, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(text, "");
	free(text);
	unlink(p);
	text = NULL;
	ck_assert_int_eq(fc_read_file(p, "model file", &text, &len, &err), FC_EIO);
	ck_assert_ptr_null(text);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open model file '/tmp/fc_test_read_"));
	free(want);
}
END_TEST

int main(void)
{
	gsl_set_error_handler_off();
	Suite *s = suite_create("artifact");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_corrupt_byte);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_other_version);
	tcase_add_test(tc, test_not_a_model_and_missing);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_hostile_gbdt_state);
	tcase_add_test(tc, test_nul_byte);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
