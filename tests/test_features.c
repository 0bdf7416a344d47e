/* Tests of the feature pipeline (src/features/features.c, pivot.c): the
 * flag parsers, every feature on hand-computable series, ISO weeks at year
 * boundaries, holiday features, target transforms and their inverses, a
 * leakage test (no row reads the target later than its lag allows), the
 * identity of recursive (future) rows and one-shot training rows, and the
 * design matrix's independence of the thread count. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forecast/features.h"

static const double WEEKLY_SEASON[1] = {7};

static fc_freq daily(void)
{
	return (fc_freq){.unit = FC_UNIT_DAY, .mult = 1, .anchor = 0};
}

static fc_series series_of(const double *y, size_t n, fc_time start)
{
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.start = start;
	s.n = n;
	s.y = y;
	s.n_seasons = 1;
	s.seasons = WEEKLY_SEASON;
	return s;
}

static fc_featurizer *featurizer(const fc_feature_spec *sp, const fc_series *s, size_t ns)
{
	fc_err err;
	fc_featurizer *f = NULL;
	const char *const *names = s[0].n_exog ? (const char *const[]){"price", "temp"} : NULL;
	int rc = fc_featurizer_alloc(sp, s, ns, daily(), WEEKLY_SEASON, 1, names, s[0].n_exog, NULL,
	                             &f, &err);
	ck_assert_msg(rc == 0, "featurizer: %s", err.msg);
	return f;
}

static long col(const fc_featurizer *f, const char *name)
{
	for (size_t c = 0; c < fc_featurizer_ncols(f); c++)
		if (strcmp(fc_featurizer_colname(f, c), name) == 0)
			return (long)c;
	ck_abort_msg("no column %s", name);
	return -1;
}

static void row_of(const fc_featurizer *f, size_t s, const double *z, size_t n, size_t t, float *row)
{
	double *prefix = malloc(2 * (n + 1) * sizeof *prefix);
	fc_featurizer_prefix(z, n, prefix);
	fc_err err;
	int rc = fc_featurizer_row(f, s, z, prefix, t, NULL, row, 1, &err);
	ck_assert_msg(rc == 0, "row: %s", err.msg);
	free(prefix);
}

#define ASSERT_COL(f, row, name, want) assert_col(f, row, name, (double)(want))

static void assert_col(const fc_featurizer *f, const float *row, const char *name, double want)
{
	double got = (double)row[col(f, name)];
	ck_assert_msg(fabs(got - want) < 1e-5 * (1 + fabs(want)), "%s: %g, want %g", name, got, want);
}

/* ---- parsers ---------------------------------------------------------------- */

START_TEST(test_parse_lags)
{
	fc_feature_spec sp = fc_feature_spec_default();
	fc_err err;
	ck_assert_int_eq(fc_feature_parse_lags("1-3,7,3,28", &sp, &err), 0);
	ck_assert_uint_eq(sp.n_lags, 5);
	size_t want[] = {1, 2, 3, 7, 28};
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(sp.lags[i], want[i]);
	const char *bad[] = {"", "0", "3-1", "1,,2", "a", "1-", "-3", "1-200000"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(fc_feature_parse_lags(bad[i], &sp, &err), FC_EINVAL);
		ck_assert_ptr_nonnull(strstr(err.msg, "--lags"));
	}
	ck_assert_int_eq(fc_feature_parse_lags("1-200", &sp, &err), FC_EINVAL); /* > 128 lags */
	ck_assert_int_eq(fc_feature_parse_lags("none", &sp, &err), 0);
	ck_assert_uint_eq(sp.n_lags, 0);
}
END_TEST

START_TEST(test_parse_other)
{
	fc_feature_spec sp = fc_feature_spec_default();
	fc_err err;
	ck_assert_int_eq(fc_feature_parse_windows("28,7", &sp, &err), 0);
	ck_assert_uint_eq(sp.n_windows, 2);
	ck_assert_uint_eq(sp.windows[0], 7);
	ck_assert_int_eq(fc_feature_parse_windows("1", &sp, &err), FC_EINVAL);
	ck_assert_int_eq(fc_feature_parse_aggs("mean,max,ewm,ewm0.1", &sp, &err), 0);
	ck_assert_uint_eq(sp.aggs, FC_FAGG_MEAN | FC_FAGG_MAX);
	ck_assert_uint_eq(sp.n_ewm, 2);
	ck_assert_double_eq(sp.ewm_alpha[0], 0.3);
	ck_assert_double_eq(sp.ewm_alpha[1], 0.1);
	ck_assert_int_eq(fc_feature_parse_aggs("mean,median", &sp, &err), FC_EINVAL);
	ck_assert_int_eq(fc_feature_parse_aggs("ewm1.5", &sp, &err), FC_EINVAL);
	ck_assert_int_eq(fc_feature_parse_calendar("dow,month", &sp, &err), 0);
	ck_assert_uint_eq(sp.calendar, FC_CAL_DOW | FC_CAL_MONTH);
	ck_assert_int_eq(fc_feature_parse_calendar("dow,fortnight", &sp, &err), FC_EINVAL);
	ck_assert_int_eq(fc_feature_parse_transform("log1p", &sp, &err), 0);
	ck_assert_int_eq(sp.transform, FC_TF_LOG1P);
	ck_assert_int_eq(fc_feature_parse_transform("boxcox", &sp, &err), FC_EINVAL);
	ck_assert_int_eq(fc_feature_parse_holiday_window("-2,1", &sp, &err), 0);
	ck_assert_int_eq(sp.hol_before, 2);
	ck_assert_int_eq(sp.hol_after, 1);
	ck_assert_int_eq(fc_feature_parse_holiday_window("2,1", &sp, &err), FC_EINVAL);
	ck_assert_int_eq(fc_feature_parse_holiday_window("-2", &sp, &err), FC_EINVAL);
}
END_TEST

START_TEST(test_bad_spec)
{
	double y[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	fc_series s = series_of(y, 10, fc_time_from_civil(2024, 1, 1, 0, 0, 0));
	fc_feature_spec sp = fc_feature_spec_default();
	sp.shift = 3; /* lags 1, 2 would not be known 3 steps ahead */
	fc_featurizer *f = NULL;
	fc_err err;
	ck_assert_int_eq(fc_featurizer_alloc(&sp, &s, 1, daily(), WEEKLY_SEASON, 1, NULL, 0, NULL, &f, &err),
	                 FC_EINVAL);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(strstr(err.msg, "lag 1"));
	sp = fc_feature_spec_default();
	sp.known_future = "price";
	ck_assert_int_eq(fc_featurizer_alloc(&sp, &s, 1, daily(), WEEKLY_SEASON, 1, NULL, 0, NULL, &f, &err),
	                 FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "price"));
	sp = fc_feature_spec_default();
	sp.calendar = FC_CAL_DOW;
	fc_freq step = {.unit = FC_UNIT_STEP, .mult = 1};
	s.start = 0;
	ck_assert_int_eq(fc_featurizer_alloc(&sp, &s, 1, step, NULL, 0, NULL, 0, NULL, &f, &err), FC_EINVAL);
	sp.calendar = FC_CAL_AUTO; /* nothing to resolve on integer steps: no error */
	ck_assert_int_eq(fc_featurizer_alloc(&sp, &s, 1, step, NULL, 0, NULL, 0, NULL, &f, &err), 0);
	fc_featurizer_free(f);
}
END_TEST

/* ---- hand-computed rows ------------------------------------------------------- */

START_TEST(test_hand_row)
{
	double y[20];
	for (size_t i = 0; i < 20; i++)
		y[i] = (double)(i + 1);
	/* 2024-01-01 is a Monday */
	fc_series s = series_of(y, 20, fc_time_from_civil(2024, 1, 1, 0, 0, 0));
	fc_feature_spec sp = fc_feature_spec_default();
	sp.n_lags = 2;
	sp.lags[0] = 1;
	sp.lags[1] = 2;
	sp.n_windows = 1;
	sp.windows[0] = 3;
	sp.aggs = FC_FAGG_MEAN | FC_FAGG_STD | FC_FAGG_MIN | FC_FAGG_MAX | FC_FAGG_SUM;
	sp.n_ewm = 1;
	sp.ewm_alpha[0] = 0.5;
	sp.seasonal_k = 2;
	sp.expanding_mean = 1;
	sp.calendar = FC_CAL_ALL;
	sp.fourier_k = 1;
	fc_featurizer *f = featurizer(&sp, &s, 1);
	ck_assert_uint_eq(fc_featurizer_ncols(f), 2 + 5 + 1 + 1 + 1 + 9 + 2);
	float row[64];
	row_of(f, 0, y, 20, 10, row); /* 2024-01-11, a Thursday; y[10] = 11 */
	ASSERT_COL(f, row, "lag_1", 10);
	ASSERT_COL(f, row, "lag_2", 9);
	ASSERT_COL(f, row, "win3_mean", 9);
	ASSERT_COL(f, row, "win3_std", 1);
	ASSERT_COL(f, row, "win3_min", 8);
	ASSERT_COL(f, row, "win3_max", 10);
	ASSERT_COL(f, row, "win3_sum", 27);
	/* EWM: sum_j 0.5^(j+1) y[9-j] / sum_j 0.5^(j+1), j = 0..9 (all the
	 * history; 14 terms would be needed to reach 1e-4) */
	double num = 0, den = 0;
	for (int j = 0; j <= 9; j++) {
		num += pow(0.5, j + 1) * y[9 - j];
		den += pow(0.5, j + 1);
	}
	ASSERT_COL(f, row, "ewm_0.5", num / den);
	ASSERT_COL(f, row, "seas7_mean2", 4); /* y[3]; 14 steps back is before the start */
	ASSERT_COL(f, row, "expanding_mean", 5.5);
	ASSERT_COL(f, row, "hour", 0);
	ASSERT_COL(f, row, "dow", 3);
	ASSERT_COL(f, row, "dom", 11);
	ASSERT_COL(f, row, "doy", 11);
	ASSERT_COL(f, row, "week", 2);
	ASSERT_COL(f, row, "month", 1);
	ASSERT_COL(f, row, "quarter", 1);
	ASSERT_COL(f, row, "year", 2024);
	ASSERT_COL(f, row, "weekend", 0);
	/* the grid starts at the series: position 10, period 7 */
	ASSERT_COL(f, row, "sin7_1", sin(2 * M_PI * 3 / 7));
	ASSERT_COL(f, row, "cos7_1", cos(2 * M_PI * 3 / 7));
	row_of(f, 0, y, 20, 16, row); /* seasonal: y[9], y[2] */
	ASSERT_COL(f, row, "seas7_mean2", (10.0 + 3.0) / 2);
	ASSERT_COL(f, row, "weekend", 0);
	row_of(f, 0, y, 20, 5, row); /* 2024-01-06, a Saturday */
	ASSERT_COL(f, row, "weekend", 1);
	/* the start: no history */
	row_of(f, 0, y, 20, 0, row);
	ck_assert(isnan(row[col(f, "lag_1")]));
	ck_assert(isnan(row[col(f, "win3_mean")]));
	ck_assert(isnan(row[col(f, "ewm_0.5")]));
	ck_assert(isnan(row[col(f, "expanding_mean")]));
	row_of(f, 0, y, 20, 2, row); /* window of 3 not yet full */
	ck_assert(isnan(row[col(f, "win3_mean")]));
	ASSERT_COL(f, row, "lag_2", 1);
	fc_featurizer_free(f);
}
END_TEST

START_TEST(test_missing_in_window)
{
	double y[10] = {1, 2, 3, NAN, 5, NAN, 7, 8, 9, 10};
	fc_series s = series_of(y, 10, fc_time_from_civil(2024, 1, 1, 0, 0, 0));
	fc_feature_spec sp = fc_feature_spec_default();
	sp.n_lags = 1;
	sp.n_windows = 1;
	sp.windows[0] = 4;
	sp.aggs = FC_FAGG_MEAN | FC_FAGG_STD | FC_FAGG_SUM;
	sp.calendar = 0;
	sp.expanding_mean = 1;
	fc_featurizer *f = featurizer(&sp, &s, 1);
	float row[16];
	row_of(f, 0, y, 10, 6, row); /* window y[2..5] = 3, NaN, 5, NaN */
	ck_assert(isnan(row[col(f, "lag_1")]));
	ASSERT_COL(f, row, "win4_mean", 4);
	ASSERT_COL(f, row, "win4_std", sqrt(2.0));
	ASSERT_COL(f, row, "win4_sum", 8);
	ASSERT_COL(f, row, "expanding_mean", (1 + 2 + 3 + 5) / 4.0);
	fc_featurizer_free(f);
}
END_TEST

START_TEST(test_iso_week)
{
	/* ISO 8601 weeks at year boundaries (checked against GNU date +%V) */
	static const struct { int y, m, d, week; } c[] = {
		{2020, 12, 31, 53}, {2021, 1, 1, 53}, {2021, 1, 3, 53}, {2021, 1, 4, 1},
		{2019, 12, 30, 1},  {2026, 1, 1, 1},  {2027, 1, 1, 53}, {2024, 12, 30, 1},
		{2015, 12, 31, 53}, {2016, 1, 3, 53}, {2023, 1, 1, 52}, {2004, 12, 31, 53},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double y[1] = {1};
		fc_series s = series_of(y, 1, fc_time_from_civil(c[i].y, c[i].m, c[i].d, 0, 0, 0));
		fc_feature_spec sp = fc_feature_spec_default();
		sp.n_lags = 0;
		sp.n_windows = 0;
		sp.calendar = FC_CAL_WEEK;
		fc_featurizer *f = featurizer(&sp, &s, 1);
		float row[4];
		row_of(f, 0, y, 1, 0, row);
		ck_assert_msg(row[0] == (float)c[i].week, "%d-%02d-%02d: week %g, want %d", c[i].y, c[i].m,
		              c[i].d, (double)row[0], c[i].week);
		fc_featurizer_free(f);
	}
}
END_TEST

START_TEST(test_calendar_auto)
{
	double y[4] = {1, 2, 3, 4};
	fc_series s = series_of(y, 4, fc_time_from_civil(2024, 1, 31, 0, 0, 0));
	fc_feature_spec sp = fc_feature_spec_default();
	sp.n_lags = 0;
	sp.n_windows = 0;
	fc_freq monthly = {.unit = FC_UNIT_MONTH, .mult = 1, .anchor = FC_ANCHOR_END};
	fc_featurizer *f = NULL;
	fc_err err;
	ck_assert_int_eq(fc_featurizer_alloc(&sp, &s, 1, monthly, NULL, 0, NULL, 0, NULL, &f, &err), 0);
	ck_assert_uint_eq(fc_featurizer_ncols(f), 3);
	ck_assert_str_eq(fc_featurizer_colname(f, 0), "month");
	ck_assert_str_eq(fc_featurizer_colname(f, 1), "quarter");
	ck_assert_str_eq(fc_featurizer_colname(f, 2), "year");
	float row[3];
	row_of(f, 0, y, 4, 1, row); /* 2024-02-29 */
	ck_assert(row[0] == 2 && row[1] == 1 && row[2] == 2024);
	fc_featurizer_free(f);
}
END_TEST

/* ---- holidays ------------------------------------------------------------------ */

static int32_t day_number(int y, int m, int d)
{
	return (int32_t)(fc_time_from_civil(y, m, d, 0, 0, 0) / 86400);
}

START_TEST(test_holidays_daily)
{
	int32_t days[3] = {day_number(2024, 1, 1), day_number(2024, 1, 6), day_number(2024, 1, 20)};
	int32_t ids[3] = {1, 2, 3};
	const char *names[3] = {"New Year", "Epiphany", "Other"};
	fc_holiday_days h = {.n = 3, .day = days, .id = ids, .n_names = 3, .names = names};
	double y[30];
	for (size_t i = 0; i < 30; i++)
		y[i] = 1;
	fc_series s = series_of(y, 30, fc_time_from_civil(2024, 1, 1, 0, 0, 0));
	fc_feature_spec sp = fc_feature_spec_default();
	sp.n_lags = 0;
	sp.n_windows = 0;
	sp.calendar = 0;
	sp.holidays = &h;
	sp.hol_before = 2;
	sp.hol_after = 1;
	sp.hol_clip = 10;
	fc_featurizer *f = featurizer(&sp, &s, 1);
	ck_assert_uint_eq(fc_featurizer_ncols(f), 4 + 3);
	ck_assert(fc_featurizer_categorical(f, (size_t)col(f, "holiday_id")));
	float row[8];
	row_of(f, 0, y, 30, 5, row); /* Jan 6 */
	ASSERT_COL(f, row, "holiday", 1);
	ASSERT_COL(f, row, "holiday_id", 2);
	ASSERT_COL(f, row, "days_to_holiday", 0);
	ASSERT_COL(f, row, "days_since_holiday", 0);
	row_of(f, 0, y, 30, 3, row); /* Jan 4: Epiphany in 2 days, New Year 3 days ago */
	ASSERT_COL(f, row, "holiday", 0);
	ASSERT_COL(f, row, "holiday_id", 0);
	ASSERT_COL(f, row, "days_to_holiday", 2);
	ASSERT_COL(f, row, "days_since_holiday", 3);
	ASSERT_COL(f, row, "holiday_in_1", 0);
	ASSERT_COL(f, row, "holiday_in_2", 1);
	ASSERT_COL(f, row, "holiday_ago_1", 0);
	row_of(f, 0, y, 30, 1, row); /* Jan 2 */
	ASSERT_COL(f, row, "holiday_ago_1", 1);
	row_of(f, 0, y, 30, 6, row); /* Jan 7: next on the 20th, 13 days: clipped */
	ASSERT_COL(f, row, "days_to_holiday", 10);
	ASSERT_COL(f, row, "days_since_holiday", 1);
	row_of(f, 0, y, 30, 25, row); /* Jan 26: no later holiday */
	ASSERT_COL(f, row, "days_to_holiday", 10);
	ASSERT_COL(f, row, "days_since_holiday", 6);
	fc_featurizer_free(f);
}
END_TEST

START_TEST(test_holidays_weekly)
{
	/* Walmart-style weeks labelled by the Friday that ends them: the week
	 * ending 2010-02-12 holds Super Bowl Sunday (Feb 7) */
	int32_t days[3] = {day_number(2010, 2, 7), day_number(2010, 2, 14), day_number(2010, 2, 15)};
	int32_t ids[3] = {1, 2, 3};
	fc_holiday_days h = {.n = 3, .day = days, .id = ids};
	double y[4] = {1, 1, 1, 1};
	fc_series s = series_of(y, 4, fc_time_from_civil(2010, 2, 5, 0, 0, 0));
	fc_feature_spec sp = fc_feature_spec_default();
	sp.n_lags = 0;
	sp.n_windows = 0;
	sp.calendar = 0;
	sp.holidays = &h;
	fc_freq weekly = {.unit = FC_UNIT_WEEK, .mult = 1, .anchor = 4};
	fc_featurizer *f = NULL;
	fc_err err;
	ck_assert_int_eq(fc_featurizer_alloc(&sp, &s, 1, weekly, NULL, 0, NULL, 0, NULL, &f, &err), 0);
	float row[2];
	row_of(f, 0, y, 4, 0, row); /* week Jan 30 - Feb 5 */
	ck_assert(row[0] == 0 && row[1] == 0);
	row_of(f, 0, y, 4, 1, row); /* Feb 6 - Feb 12 */
	ck_assert(row[0] == 1 && row[1] == 1);
	row_of(f, 0, y, 4, 2, row); /* Feb 13 - Feb 19: two */
	ck_assert(row[0] == 2 && row[1] == 2);
	fc_featurizer_free(f);
}
END_TEST


START_TEST(test_events_grouped)
{
	/* a promotion for store A on Jan 3, a company-wide event on Jan 5 */
	int32_t days[2] = {day_number(2024, 1, 3), day_number(2024, 1, 5)};
	int32_t ids[2] = {1, 2};
	int32_t grp[2] = {0, -1};
	const char *groups[1] = {"store=A"};
	fc_holiday_days ev = {.n = 2, .day = days, .id = ids, .group = grp, .n_groups = 1, .groups = groups};
	double y[2][10];
	const char *gv[2][1] = {{"A"}, {"B"}};
	fc_series s[2];
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < 10; i++)
			y[k][i] = 1;
		s[k] = series_of(y[k], 10, fc_time_from_civil(2024, 1, 1, 0, 0, 0));
		s[k].n_groups = 1;
		s[k].group_values = gv[k];
	}
	fc_feature_spec sp = fc_feature_spec_default();
	sp.n_lags = 0;
	sp.n_windows = 0;
	sp.calendar = 0;
	sp.events = &ev;
	const char *names[1] = {"store"};
	fc_featurizer *f = NULL;
	fc_err err;
	ck_assert_int_eq(fc_featurizer_alloc(&sp, s, 2, daily(), WEEKLY_SEASON, 1, NULL, 0, names, &f, &err), 0);
	ck_assert_uint_eq(fc_featurizer_ncols(f), 4);
	float row[4];
	row_of(f, 0, y[0], 10, 2, row); /* A, Jan 3: its promotion */
	ASSERT_COL(f, row, "event", 1);
	ASSERT_COL(f, row, "event_id", 1);
	row_of(f, 1, y[1], 10, 2, row); /* B, Jan 3: nothing; the shared event in 2 days */
	ASSERT_COL(f, row, "event", 0);
	ASSERT_COL(f, row, "days_to_event", 2);
	ASSERT_COL(f, row, "days_since_event", 30);
	row_of(f, 1, y[1], 10, 4, row); /* B, Jan 5 */
	ASSERT_COL(f, row, "event", 1);
	ASSERT_COL(f, row, "event_id", 2);
	row_of(f, 0, y[0], 10, 3, row); /* A, Jan 4 */
	ASSERT_COL(f, row, "days_since_event", 1);
	ASSERT_COL(f, row, "days_to_event", 1);
	fc_featurizer_free(f);
	/* an event column that is not a group column */
	const char *bad[1] = {"shop=A"};
	ev.groups = bad;
	ck_assert_int_eq(fc_featurizer_alloc(&sp, s, 2, daily(), WEEKLY_SEASON, 1, NULL, 0, names, &f, &err),
	                 FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "'shop'"));
}
END_TEST

/* ---- transforms ---------------------------------------------------------------- */

START_TEST(test_transforms_round_trip)
{
	double y[40];
	for (size_t i = 0; i < 40; i++)
		y[i] = 10 + 0.5 * (double)i + 3 * sin(2 * M_PI * (double)i / 7) + (i % 5 == 0 ? 2 : 0);
	const size_t n = 30, h = 10;
	for (int kind = FC_TF_NONE; kind <= FC_TF_SDIFF; kind++) {
		double z[40], yf[10];
		fc_transform tr;
		fc_err err;
		/* transform the whole series with the parameters of the first n
		 * values, then invert the future part: the series comes back */
		ck_assert_int_eq(fc_transform_apply((fc_target_tf)kind, 7, y, n, z, &tr, &err), 0);
		double zall[40];
		for (size_t i = 0; i < 40; i++) {
			switch (kind) {
			case FC_TF_NONE: zall[i] = y[i]; break;
			case FC_TF_STANDARD:
			case FC_TF_ROBUST: zall[i] = (y[i] - tr.loc) / tr.scale; break;
			case FC_TF_LOG1P: zall[i] = log1p(y[i]); break;
			case FC_TF_DIFF: zall[i] = i ? y[i] - y[i - 1] : NAN; break;
			default: zall[i] = i >= 7 ? y[i] - y[i - 7] : NAN; break;
			}
			if (i < n)
				ck_assert(isnan(z[i]) ? isnan(zall[i]) : fabs(z[i] - zall[i]) < 1e-12);
		}
		fc_transform_invert(&tr, y, n, zall + n, h, yf);
		for (size_t k = 0; k < h; k++)
			ck_assert_msg(fabs(yf[k] - y[n + k]) < 1e-9, "kind %d step %zu: %g vs %g", kind, k,
			              yf[k], y[n + k]);
	}
	double bad[3] = {0, -1, 2}, z[5];
	fc_transform tr;
	fc_err err;
	ck_assert_int_eq(fc_transform_apply(FC_TF_LOG1P, 1, bad, 3, z, &tr, &err), FC_EINPUT);
	double flat[3] = {5, 5, 5};
	ck_assert_int_eq(fc_transform_apply(FC_TF_STANDARD, 1, flat, 3, z, &tr, &err), 0);
	ck_assert_double_eq(tr.scale, 1);
	ck_assert_double_eq(z[0], 0);
	double none[2] = {NAN, NAN};
	ck_assert_int_eq(fc_transform_apply(FC_TF_NONE, 1, none, 2, z, &tr, &err), FC_EMODEL);
	/* robust: median 3, IQR 2 for 1..5 (type 7 quantiles 2 and 4) */
	double five[5] = {5, 1, 4, 2, 3};
	ck_assert_int_eq(fc_transform_apply(FC_TF_ROBUST, 1, five, 5, z, &tr, &err), 0);
	ck_assert_double_eq(tr.loc, 3);
	ck_assert_double_eq(tr.scale, 2);
}
END_TEST

/* ---- leakage, recursion, pivot --------------------------------------------------- */

/* A rich spec over two series with exogenous columns. */
static fc_feature_spec rich_spec(size_t shift)
{
	fc_feature_spec sp = fc_feature_spec_default();
	fc_err err;
	fc_feature_parse_lags(shift == 1 ? "1-7,14,28" : "3-7,14,28", &sp, &err);
	fc_feature_parse_windows("3,7,28", &sp, &err);
	fc_feature_parse_aggs("mean,std,min,max,sum,ewm0.2", &sp, &err);
	sp.shift = shift;
	sp.seasonal_k = 4;
	sp.expanding_mean = 1;
	sp.fourier_k = 2;
	sp.horizon = 30;
	sp.known_future = "price";
	sp.group_keys = 1;
	return sp;
}

typedef struct panel2 {
	double y[2][200];
	double ex[2][2][200];
	const double *exp[2][2];
	const char *groups[2][1];
	fc_series s[2];
} panel2;

static void make_panel(panel2 *p, size_t n0, size_t n1)
{
	unsigned seed = 12345;
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < 200; i++) {
			seed = seed * 1103515245u + 12345u;
			double u = (double)(seed >> 8) / (double)(1u << 24);
			p->y[k][i] = 20 + 5 * sin(2 * M_PI * (double)i / 7) + 10 * u + (double)k;
			p->ex[k][0][i] = 1 + 0.01 * (double)i;
			p->ex[k][1][i] = u;
		}
		p->y[k][17] = NAN;
		p->exp[k][0] = p->ex[k][0];
		p->exp[k][1] = p->ex[k][1];
	}
	p->groups[0][0] = "b";
	p->groups[1][0] = "a";
	size_t n[2] = {n0, n1};
	for (size_t k = 0; k < 2; k++) {
		p->s[k] = series_of(p->y[k], n[k], fc_time_from_civil(2023, 3, (int)(1 + 3 * k), 0, 0, 0));
		p->s[k].n_exog = 2;
		p->s[k].exog = p->exp[k];
		p->s[k].n_groups = 1;
		p->s[k].group_values = p->groups[k];
	}
}

static int rows_equal(const float *a, const float *b, size_t n, size_t sa, size_t sb)
{
	for (size_t c = 0; c < n; c++) {
		float x = a[c * sa], y = b[c * sb];
		if (!(x == y || (isnan(x) && isnan(y))))
			return 0;
	}
	return 1;
}

START_TEST(test_no_leakage)
{
	/* For every row, poisoning every target value after t - shift leaves
	 * the row unchanged: no feature peeks at the value it predicts */
	for (size_t shift = 1; shift <= 3; shift += 2) {
		panel2 *p = calloc(1, sizeof *p);
		make_panel(p, 150, 120);
		fc_feature_spec sp = rich_spec(shift);
		fc_featurizer *f = featurizer(&sp, p->s, 2);
		size_t nc = fc_featurizer_ncols(f);
		float *a = malloc(nc * sizeof *a), *b = malloc(nc * sizeof *b);
		double z[200], prefix[402];
		for (size_t t = 0; t < 150; t++) {
			memcpy(z, p->y[0], sizeof z);
			fc_featurizer_prefix(z, 150, prefix);
			fc_err err;
			ck_assert_int_eq(fc_featurizer_row(f, 0, z, prefix, t, NULL, a, 1, &err), 0);
			for (size_t j = t + 1 >= shift ? t + 1 - shift : 0; j < 200; j++)
				z[j] = (j % 2) ? 1e30 : -7.5;
			fc_featurizer_prefix(z, 150, prefix);
			ck_assert_int_eq(fc_featurizer_row(f, 0, z, prefix, t, NULL, b, 1, &err), 0);
			ck_assert_msg(rows_equal(a, b, nc, 1, 1), "shift %zu: row %zu reads the future", shift, t);
		}
		free(a);
		free(b);
		fc_featurizer_free(f);
		free(p);
	}
}
END_TEST

START_TEST(test_recursive_equals_training)
{
	/* The rows of the last H steps built as future rows -- from a
	 * featurizer that saw only the first n - H values, with the true values
	 * standing in for predictions -- equal the training rows of the full
	 * series.  (Past-only exogenous values after the cut are unknown to the
	 * recursive path, so this spec has only a known-future column at k > 0.) */
	const size_t n = 150, H = 20;
	for (int kind = FC_TF_NONE; kind <= FC_TF_DIFF; kind += FC_TF_DIFF) {
		panel2 *full = calloc(1, sizeof *full), *cut = calloc(1, sizeof *cut);
		make_panel(full, n, n);
		make_panel(cut, n - H, n - H);
		fc_feature_spec sp = rich_spec(1);
		sp.transform = (fc_target_tf)kind;
		fc_featurizer *ff = featurizer(&sp, full->s, 2);
		fc_featurizer *fc = featurizer(&sp, cut->s, 2);
		fc_design *d = NULL;
		fc_err err;
		ck_assert_int_eq(fc_design_build(ff, 0, &d, &err), 0);
		size_t nc = fc_featurizer_ncols(ff);
		ck_assert_uint_eq(nc, fc_featurizer_ncols(fc));
		size_t past_only = (size_t)col(ff, "temp_lag1");
		float *row = malloc(nc * sizeof *row);
		for (size_t s = 0; s < 2; s++) {
			/* z from the full series (diff has no fitted parameters) */
			double z[200], prefix[402];
			fc_transform tr;
			ck_assert_int_eq(fc_transform_apply((fc_target_tf)kind, 7, full->y[s], n, z, &tr, &err), 0);
			fc_featurizer_prefix(z, n, prefix);
			const double *future[1] = {full->ex[s][0] + (n - H)};
			for (size_t k = 0; k < H; k++) {
				size_t t = n - H + k;
				ck_assert_int_eq(fc_featurizer_row(fc, s, z, prefix, t, future, row, 1, &err), 0);
				size_t r = 0;
				while (r < d->n_rows && !(d->series[r] == s && d->t[r] == t))
					r++;
				ck_assert_uint_lt(r, d->n_rows);
				if (k > 0)
					row[past_only] = d->x[past_only * d->n_rows + r];
				ck_assert_msg(rows_equal(row, d->x + r, nc, 1, d->n_rows),
				              "transform %d series %zu step %zu differs", kind, s, k);
			}
		}
		free(row);
		fc_design_free(d);
		fc_featurizer_free(ff);
		fc_featurizer_free(fc);
		free(full);
		free(cut);
	}
}
END_TEST

START_TEST(test_design_build)
{
	panel2 *p = calloc(1, sizeof *p);
	make_panel(p, 150, 120);
	fc_feature_spec sp = rich_spec(1);
	fc_featurizer *f = featurizer(&sp, p->s, 2);
	fc_design *d1 = NULL, *d2 = NULL;
	fc_err err;
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	ck_assert_int_eq(fc_design_build(f, 28, &d1, &err), 0);
#ifdef _OPENMP
	omp_set_num_threads(4);
#endif
	ck_assert_int_eq(fc_design_build(f, 28, &d2, &err), 0);
	/* rows: t >= 28 with the target observed (y[17] is missing, before 28) */
	ck_assert_uint_eq(d1->n_rows, (150 - 28) + (120 - 28));
	ck_assert_uint_eq(d1->n_cols, fc_featurizer_ncols(f));
	ck_assert_int_eq(memcmp(d1->x, d2->x, d1->n_rows * d1->n_cols * sizeof(float)), 0);
	ck_assert_int_eq(memcmp(d1->y, d2->y, d1->n_rows * sizeof(float)), 0);
	/* series order then time; y is the target; group codes rank the
	 * values ("b" is series 0's, ranked after "a") */
	ck_assert_uint_eq(d1->series[0], 0);
	ck_assert_uint_eq(d1->t[0], 28);
	ck_assert_uint_eq(d1->series[d1->n_rows - 1], 1);
	ck_assert_float_eq(d1->y[0], (float)p->y[0][28]);
	size_t g = (size_t)col(f, "group_code");
	ck_assert(fc_featurizer_categorical(f, g));
	ck_assert_float_eq(d1->x[g * d1->n_rows + 0], 1);
	ck_assert_float_eq(d1->x[g * d1->n_rows + d1->n_rows - 1], 0);
	/* known-future column at t, past-only at t - 1 */
	ck_assert_float_eq(d1->x[(size_t)col(f, "price") * d1->n_rows], (float)p->ex[0][0][28]);
	ck_assert_float_eq(d1->x[(size_t)col(f, "temp_lag1") * d1->n_rows], (float)p->ex[0][1][27]);
	/* every row equals the row function's */
	size_t nc = d1->n_cols;
	float *row = malloc(nc * sizeof *row);
	for (size_t r = 0; r < d1->n_rows; r += 7) {
		size_t s = d1->series[r];
		double prefix[402];
		fc_featurizer_prefix(p->y[s], p->s[s].n, prefix);
		fc_featurizer_row(f, s, p->y[s], prefix, d1->t[r], NULL, row, 1, &err);
		ck_assert(rows_equal(row, d1->x + r, nc, 1, d1->n_rows));
	}
	free(row);
	fc_design_free(d1);
	fc_design_free(d2);
	fc_featurizer_free(f);
	free(p);
}
END_TEST

/* fc_design_stream: the rows fc_design_build puts in its matrix, each
 * given to the sink once (every row, then every third), with the same
 * y, series and t; a stream of a panel of more rows than a block. */
typedef struct stream_check {
	const fc_design *d;
	size_t every, seen, bad;
	unsigned char *hit;
} stream_check;

static void check_sink(void *ctx, size_t r, size_t k, const float *block, size_t stride)
{
	stream_check *c = ctx;
	for (size_t i = 0; i < k; i++) {
		size_t ri = r + i * c->every;
		int ok = ri < c->d->n_rows && ri % c->every == 0 &&
		         rows_equal(block + i, c->d->x + ri, c->d->n_cols, stride, c->d->n_rows);
#pragma omp critical
		{
			c->bad += !ok || (ri < c->d->n_rows && c->hit[ri]);
			if (ri < c->d->n_rows)
				c->hit[ri] = 1;
			c->seen++;
		}
	}
}

START_TEST(test_design_stream)
{
	panel2 *p = calloc(1, sizeof *p);
	make_panel(p, 200, 190);
	fc_feature_spec sp = rich_spec(1);
	fc_featurizer *f = featurizer(&sp, p->s, 2);
	fc_design *d = NULL, *e = NULL;
	fc_err err;
	ck_assert_int_eq(fc_design_build(f, 5, &d, &err), 0);
	ck_assert_uint_eq(fc_design_count(f, 5), d->n_rows);
	ck_assert_uint_gt(d->n_rows, 256); /* more than a block */
	for (size_t every = 1; every <= 3; every += 2) {
		stream_check c = {d, every, 0, 0, calloc(d->n_rows, 1)};
		ck_assert_int_eq(fc_design_stream(f, 5, every, check_sink, &c, &e, &err), 0);
		ck_assert_uint_eq(c.bad, 0);
		ck_assert_uint_eq(c.seen, (d->n_rows + every - 1) / every);
		ck_assert_ptr_null(e->x);
		ck_assert_uint_eq(e->n_rows, d->n_rows);
		ck_assert_int_eq(memcmp(e->y, d->y, d->n_rows * sizeof *d->y), 0);
		ck_assert_int_eq(memcmp(e->series, d->series, d->n_rows * sizeof *d->series), 0);
		ck_assert_int_eq(memcmp(e->t, d->t, d->n_rows * sizeof *d->t), 0);
		fc_design_free(e);
		e = NULL;
		free(c.hit);
	}
	fc_design_free(d);
	fc_featurizer_free(f);
	free(p);
}
END_TEST

START_TEST(test_design_transform_error)
{
	panel2 *p = calloc(1, sizeof *p);
	make_panel(p, 50, 50);
	p->y[1][30] = -3;
	fc_feature_spec sp = rich_spec(1);
	sp.transform = FC_TF_LOG1P;
	fc_featurizer *f = featurizer(&sp, p->s, 2);
	fc_design *d = NULL;
	fc_err err;
	ck_assert_int_eq(fc_design_build(f, 0, &d, &err), FC_EINPUT);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(err.msg, "log1p"));
	fc_featurizer_free(f);
	free(p);
}
END_TEST

/* ---- defaults from the frequency ------------------------------------------- */

static int has_lag(const fc_feature_spec *sp, size_t l)
{
	for (size_t i = 0; i < sp->n_lags; i++)
		if (sp->lags[i] == l)
			return 1;
	return 0;
}

START_TEST(test_auto_lags_by_frequency)
{
	/* white noise: no lag is added for its autocorrelation */
	double y[2000];
	unsigned long x = 7;
	for (size_t i = 0; i < 2000; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		y[i] = (double)(x >> 40) / (1 << 24);
	}
	fc_series s = series_of(y, 2000, 0);
	fc_err err;
	/* hourly (24, 168): the last day, the same hour of the past 7 days,
	 * of the past two weeks */
	const double hourly[2] = {24, 168};
	fc_feature_spec sp = fc_feature_spec_default();
	ck_assert_int_eq(fc_feature_auto_lags(&s, 1, hourly, 2, &sp, &err), 0);
	for (size_t l = 1; l <= 24; l++)
		ck_assert(has_lag(&sp, l));
	for (size_t k = 1; k <= 7; k++)
		ck_assert(has_lag(&sp, 24 * k));
	ck_assert(has_lag(&sp, 336));
	ck_assert(!has_lag(&sp, 25) && !has_lag(&sp, 200));
	ck_assert_uint_eq(sp.n_lags, 24 + 6 + 1);
	/* daily (7, 365.25): two weeks, the same weekday 8 weeks back and a
	 * year back (364 = 52 weeks) */
	const double daily_p[2] = {7, 365.25};
	sp = fc_feature_spec_default();
	ck_assert_int_eq(fc_feature_auto_lags(&s, 1, daily_p, 2, &sp, &err), 0);
	for (size_t l = 1; l <= 14; l++)
		ck_assert(has_lag(&sp, l));
	for (size_t k = 3; k <= 8; k++)
		ck_assert(has_lag(&sp, 7 * k));
	ck_assert(has_lag(&sp, 364) && has_lag(&sp, 728));
	ck_assert(!has_lag(&sp, 365) && !has_lag(&sp, 15) && !has_lag(&sp, 63));
	/* weekly (52.18): a quarter, a year and two back */
	const double weekly[1] = {52.18};
	sp = fc_feature_spec_default();
	ck_assert_int_eq(fc_feature_auto_lags(&s, 1, weekly, 1, &sp, &err), 0);
	ck_assert(has_lag(&sp, 13) && !has_lag(&sp, 14) && has_lag(&sp, 52) && has_lag(&sp, 104));
	/* the shift moves the recent lags out (direct strategy) */
	sp = fc_feature_spec_default();
	sp.shift = 7;
	ck_assert_int_eq(fc_feature_auto_lags(&s, 1, daily_p, 2, &sp, &err), 0);
	ck_assert(!has_lag(&sp, 6) && has_lag(&sp, 7) && has_lag(&sp, 20));
	/* windows */
	fc_feature_auto_windows(hourly, 2, &sp);
	ck_assert_uint_eq(sp.n_windows, 2);
	ck_assert(sp.windows[0] == 24 && sp.windows[1] == 168);
	fc_feature_auto_windows(daily_p, 2, &sp);
	ck_assert(sp.n_windows == 2 && sp.windows[0] == 7 && sp.windows[1] == 28);
	fc_feature_auto_windows(weekly, 1, &sp);
	ck_assert(sp.n_windows == 2 && sp.windows[0] == 4 && sp.windows[1] == 13);
	fc_feature_auto_windows(NULL, 0, &sp);
	ck_assert(sp.n_windows == 2 && sp.windows[0] == 3 && sp.windows[1] == 6);
}
END_TEST

static Suite *features_suite(void)
{
	Suite *su = suite_create("features");
	TCase *tc = tcase_create("features");
	tcase_add_test(tc, test_parse_lags);
	tcase_add_test(tc, test_parse_other);
	tcase_add_test(tc, test_bad_spec);
	tcase_add_test(tc, test_hand_row);
	tcase_add_test(tc, test_missing_in_window);
	tcase_add_test(tc, test_iso_week);
	tcase_add_test(tc, test_calendar_auto);
	tcase_add_test(tc, test_holidays_daily);
	tcase_add_test(tc, test_holidays_weekly);
	tcase_add_test(tc, test_events_grouped);
	tcase_add_test(tc, test_transforms_round_trip);
	tcase_add_test(tc, test_no_leakage);
	tcase_add_test(tc, test_recursive_equals_training);
	tcase_add_test(tc, test_design_build);
	tcase_add_test(tc, test_design_stream);
	tcase_add_test(tc, test_design_transform_error);
	tcase_add_test(tc, test_auto_lags_by_frequency);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(features_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
