/* Tests for timestamps and frequencies (src/core/time.c).  Expected epoch
 * values were computed independently with `date -u -d ... +%s`. */
#include "forecast/time.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parses s with a fresh style; fails the test if s is rejected. */
static fc_time T(const char *s)
{
	fc_time_style st = { FC_STYLE_UNKNOWN, 0 };
	fc_time t = 0;
	ck_assert_msg(fc_time_parse(s, strlen(s), &st, &t) == 0, "cannot parse '%s'", s);
	return t;
}

static int parse_fresh(const char *s, fc_time_style *st, fc_time *t)
{
	st->kind = FC_STYLE_UNKNOWN;
	st->sep = 0;
	return fc_time_parse(s, strlen(s), st, t);
}

static void assert_rejected(const char *s)
{
	fc_time_style st;
	fc_time t = 12345;
	ck_assert_msg(parse_fresh(s, &st, &t) == FC_EINPUT, "'%s' was accepted", s);
	ck_assert_int_eq(t, 12345);
}

static fc_freq F(const char *s)
{
	fc_freq f;
	fc_err err;
	ck_assert_msg(fc_freq_parse(s, &f, &err) == 0, "cannot parse frequency '%s'", s);
	return f;
}

static void assert_freq(fc_freq f, fc_unit unit, int mult, int anchor)
{
	ck_assert_int_eq(f.unit, unit);
	ck_assert_int_eq(f.mult, mult);
	ck_assert_int_eq(f.anchor, anchor);
}

/* Infers from up to 8 series of up to 16 timestamps, given as strings with
 * NULL ending each series; n_series series. */
#define MAXT 128
typedef struct {
	fc_time times[MAXT];
	size_t offsets[9];
	size_t n_series;
	fc_time_style style;
} data_set;

static void load(data_set *d, const char *const *strs, size_t n_series)
{
	size_t n = 0, k = 0;
	d->style = (fc_time_style){ FC_STYLE_UNKNOWN, 0 };
	d->n_series = n_series;
	d->offsets[0] = 0;
	for (size_t s = 0; s < n_series; s++) {
		for (; strs[k]; k++) {
			ck_assert_int_lt(n, MAXT);
			ck_assert_msg(fc_time_parse(strs[k], strlen(strs[k]), &d->style, &d->times[n]) == 0,
			              "cannot parse '%s'", strs[k]);
			n++;
		}
		k++;
		d->offsets[s + 1] = n;
	}
}

static int infer(const char *const *strs, size_t n_series, fc_freq *f,
                 size_t *bs, size_t *bi, fc_err *err)
{
	data_set d;
	load(&d, strs, n_series);
	fc_err_clear(err);
	return fc_freq_infer(d.times, d.offsets, d.n_series, d.style, f, bs, bi, err);
}

static fc_freq infer_ok(const char *const *strs, size_t n_series)
{
	fc_freq f = { FC_UNIT_STEP, 0, 0 };
	size_t bs = 99, bi = 99;
	fc_err err;
	int rc = infer(strs, n_series, &f, &bs, &bi, &err);
	ck_assert_msg(rc == 0, "infer failed: %s", err.msg);
	return f;
}

/* ---- parsing ----------------------------------------------------------- */

START_TEST(parse_integer)
{
	fc_time_style st;
	fc_time t;
	ck_assert_int_eq(parse_fresh("17", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_INT);
	ck_assert_int_eq(st.sep, 0);
	ck_assert_int_eq(t, 17);
	ck_assert_int_eq(fc_time_parse("-3", 2, &st, &t), 0);
	ck_assert_int_eq(t, -3);
	ck_assert_int_eq(fc_time_parse("+5", 2, &st, &t), 0);
	ck_assert_int_eq(t, 5);
	ck_assert_int_eq(fc_time_parse("20240101", 8, &st, &t), 0);
	ck_assert_int_eq(t, 20240101);
	ck_assert_int_eq(fc_time_parse("9223372036854775807", 19, &st, &t), 0);
	ck_assert_int_eq(t, INT64_MAX);
}
END_TEST

START_TEST(parse_integer_rejects)
{
	assert_rejected("1.5");
	assert_rejected("-");
	assert_rejected("+");
	assert_rejected("12a");
	assert_rejected(" 12");
	assert_rejected("1e3");
	assert_rejected("9223372036854775808");
	assert_rejected("99999999999999999999");
}
END_TEST

START_TEST(parse_empty)
{
	fc_time_style st = { FC_STYLE_UNKNOWN, 0 };
	fc_time t = 7;
	ck_assert_int_eq(fc_time_parse("", 0, &st, &t), FC_EINPUT);
	ck_assert_int_eq(st.kind, FC_STYLE_UNKNOWN);
	st.kind = FC_STYLE_DATE;
	ck_assert_int_eq(fc_time_parse("", 0, &st, &t), FC_EINPUT);
	ck_assert_int_eq(t, 7);
}
END_TEST

START_TEST(parse_month)
{
	fc_time_style st;
	fc_time t;
	ck_assert_int_eq(parse_fresh("2024-03", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_MONTH);
	ck_assert_int_eq(st.sep, 0);
	ck_assert_int_eq(t, 1709251200); /* 2024-03-01 = day 19783 */
}
END_TEST

START_TEST(parse_date)
{
	fc_time_style st;
	fc_time t;
	ck_assert_int_eq(parse_fresh("2024-03-01", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATE);
	ck_assert_int_eq(t, 1709251200);
	ck_assert_int_eq(parse_fresh("1970-01-01", &st, &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(parse_fresh("1969-12-31", &st, &t), 0);
	ck_assert_int_eq(t, -86400);
}
END_TEST

START_TEST(parse_datetime_minutes)
{
	fc_time_style st;
	fc_time t;
	ck_assert_int_eq(parse_fresh("2024-03-05 14:30", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATETIME_MIN);
	ck_assert_int_eq(st.sep, ' ');
	ck_assert_int_eq(t, 1709649000);
	ck_assert_int_eq(parse_fresh("2024-03-05T14:30", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATETIME_MIN);
	ck_assert_int_eq(st.sep, 'T');
	ck_assert_int_eq(t, 1709649000);
}
END_TEST

START_TEST(parse_datetime_seconds)
{
	fc_time_style st;
	fc_time t;
	ck_assert_int_eq(parse_fresh("2024-03-05 14:30:15", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATETIME);
	ck_assert_int_eq(st.sep, ' ');
	ck_assert_int_eq(t, 1709649015);
	ck_assert_int_eq(parse_fresh("2024-03-05T14:30:15", &st, &t), 0);
	ck_assert_int_eq(st.sep, 'T');
	ck_assert_int_eq(t, 1709649015);
	ck_assert_int_eq(parse_fresh("2024-03-05 23:59:59", &st, &t), 0);
	ck_assert_int_eq(t, 1709596800 + 86399);
}
END_TEST

START_TEST(parse_zulu_and_zero_fraction)
{
	fc_time_style st;
	fc_time t;
	ck_assert_int_eq(parse_fresh("2024-03-05T14:30:15Z", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATETIME);
	ck_assert_int_eq(t, 1709649015);
	ck_assert_int_eq(parse_fresh("2024-03-05 14:30:15.000", &st, &t), 0);
	ck_assert_int_eq(t, 1709649015);
	ck_assert_int_eq(parse_fresh("2024-03-05T14:30:15.0Z", &st, &t), 0);
	ck_assert_int_eq(t, 1709649015);
	ck_assert_int_eq(parse_fresh("2024-03-05T14:30Z", &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATETIME_MIN);
	ck_assert_int_eq(t, 1709649000);
	/* With and without Z may be mixed: they denote the same style. */
	ck_assert_int_eq(fc_time_parse("2024-03-05T14:31", 16, &st, &t), 0);
	ck_assert_int_eq(t, 1709649060);
}
END_TEST

START_TEST(parse_rejects_fractions)
{
	assert_rejected("2024-03-05 14:30:15.5");
	assert_rejected("2024-03-05 14:30:15.010");
	assert_rejected("2024-03-05 14:30:15.");
	assert_rejected("2024-03-05 14:30.000");
	assert_rejected("2024-03-05 14:30:15.000ZZ");
	assert_rejected("2024-03-05 14:30:15Z.000");
}
END_TEST

START_TEST(parse_rejects_impossible_dates)
{
	assert_rejected("2023-02-29");
	assert_rejected("2024-13-01");
	assert_rejected("2024-00-10");
	assert_rejected("2024-04-31");
	assert_rejected("2024-01-00");
	assert_rejected("2024-01-32");
	assert_rejected("2024-13");
	assert_rejected("2024-00");
	assert_rejected("0000-01-01");
}
END_TEST

START_TEST(parse_rejects_bad_times)
{
	assert_rejected("2024-01-01 24:00");
	assert_rejected("2024-01-01 23:60");
	assert_rejected("2024-01-01 23:59:60");
	assert_rejected("2024-01-01 24:00:00");
	assert_rejected("2024-01-01 1:00");
	assert_rejected("2024-01-01 01:0");
	assert_rejected("2024-01-01 01:00:0");
	assert_rejected("2024-01-01 01");
}
END_TEST

START_TEST(parse_rejects_malformed)
{
	assert_rejected("2024-1-5");
	assert_rejected("2024-01-5");
	assert_rejected("2024-1");
	assert_rejected("2024/01/05");
	assert_rejected("24-01-01");
	assert_rejected("2024-01-01x");
	assert_rejected("2024-01-01 ");
	assert_rejected("2024-01-01  12:00");
	assert_rejected("2024-01-01_12:00");
	assert_rejected("2024-01-01t12:00");
	assert_rejected("2024-01-01Z");
	assert_rejected("2024-01-");
	assert_rejected("2024-");
	assert_rejected("abcd-01-01");
	assert_rejected("2024-01-01 12:00 ");
}
END_TEST

START_TEST(parse_leap_years)
{
	ck_assert_int_eq(T("2024-02-29"), 1709164800);
	ck_assert_int_eq(T("2000-02-29"), 951782400);
	assert_rejected("1900-02-29");
	assert_rejected("2100-02-29");
	assert_rejected("2023-02-29");
	ck_assert_int_eq(T("2024-03-01") - T("2024-02-28"), 2 * 86400);
	ck_assert_int_eq(T("2023-03-01") - T("2023-02-28"), 86400);
}
END_TEST

START_TEST(parse_extreme_years)
{
	ck_assert_int_eq(T("0001-01-01"), -62135596800LL);
	ck_assert_int_eq(T("9999-12-31"), 253402214400LL);
	ck_assert_int_eq(T("9999-12-31 23:59:59"), 253402214400LL + 86399);
}
END_TEST

START_TEST(parse_mixed_styles)
{
	fc_time_style st = { FC_STYLE_UNKNOWN, 0 };
	fc_time t;
	ck_assert_int_eq(fc_time_parse("2024-01-01", 10, &st, &t), 0);
	ck_assert_int_eq(fc_time_parse("2024-01-01 00:00", 16, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("2024-01", 7, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("17", 2, &st, &t), FC_EINPUT);
	ck_assert_int_eq(st.kind, FC_STYLE_DATE);

	st = (fc_time_style){ FC_STYLE_DATETIME_MIN, ' ' };
	ck_assert_int_eq(fc_time_parse("2024-01-01T00:00", 16, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("2024-01-01 00:00:00", 19, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("2024-01-01", 10, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("2024-01-01 00:00", 16, &st, &t), 0);
	ck_assert_int_eq(st.sep, ' ');

	st = (fc_time_style){ FC_STYLE_INT, 0 };
	ck_assert_int_eq(fc_time_parse("2024-01-01", 10, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("2024", 4, &st, &t), 0);
	ck_assert_int_eq(t, 2024);

	st = (fc_time_style){ FC_STYLE_MONTH, 0 };
	ck_assert_int_eq(fc_time_parse("2024", 4, &st, &t), FC_EINPUT);
	ck_assert_int_eq(fc_time_parse("2024-01-01", 10, &st, &t), FC_EINPUT);
}
END_TEST

START_TEST(parse_respects_len)
{
	/* Not NUL-terminated: the parser must stop at len. */
	char buf[10];
	memcpy(buf, "2024-03-01", 10);
	fc_time_style st;
	fc_time t;
	st = (fc_time_style){ FC_STYLE_UNKNOWN, 0 };
	ck_assert_int_eq(fc_time_parse(buf, 10, &st, &t), 0);
	ck_assert_int_eq(t, 1709251200);
	st = (fc_time_style){ FC_STYLE_UNKNOWN, 0 };
	ck_assert_int_eq(fc_time_parse("2024-03-01 12:00", 10, &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_DATE);
	st = (fc_time_style){ FC_STYLE_UNKNOWN, 0 };
	ck_assert_int_eq(fc_time_parse("2024-03-01", 7, &st, &t), 0);
	ck_assert_int_eq(st.kind, FC_STYLE_MONTH);
	st = (fc_time_style){ FC_STYLE_UNKNOWN, 0 };
	ck_assert_int_eq(fc_time_parse("123456", 3, &st, &t), 0);
	ck_assert_int_eq(t, 123);
}
END_TEST

/* ---- formatting -------------------------------------------------------- */

START_TEST(format_round_trip)
{
	static const char *const cases[] = {
		"17", "-3", "0", "2024-03", "0001-01", "2024-03-01", "1969-12-31", "9999-12-31",
		"2024-02-29 23:59", "2024-02-29T00:00", "2024-03-05 14:30:15", "1960-07-04T01:02:03",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fc_time_style st;
		fc_time t;
		char buf[40];
		ck_assert_int_eq(parse_fresh(cases[i], &st, &t), 0);
		size_t n = fc_time_format(t, st, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i]);
		ck_assert_uint_eq(n, strlen(cases[i]));
	}
}
END_TEST

START_TEST(format_normalizes)
{
	fc_time_style st;
	fc_time t;
	char buf[40];
	ck_assert_int_eq(parse_fresh("2024-03-05T14:30:15.000Z", &st, &t), 0);
	fc_time_format(t, st, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-03-05T14:30:15");
	ck_assert_int_eq(parse_fresh("+42", &st, &t), 0);
	fc_time_format(t, st, buf, sizeof buf);
	ck_assert_str_eq(buf, "42");
}
END_TEST

START_TEST(format_styles_of_one_time)
{
	fc_time t = 1709649015; /* 2024-03-05 14:30:15 */
	char buf[40];
	fc_time_format(t, (fc_time_style){ FC_STYLE_MONTH, 0 }, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-03");
	fc_time_format(t, (fc_time_style){ FC_STYLE_DATE, 0 }, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-03-05");
	fc_time_format(t, (fc_time_style){ FC_STYLE_DATETIME_MIN, 'T' }, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-03-05T14:30");
	fc_time_format(t, (fc_time_style){ FC_STYLE_DATETIME, ' ' }, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-03-05 14:30:15");
	fc_time_format(t, (fc_time_style){ FC_STYLE_INT, 0 }, buf, sizeof buf);
	ck_assert_str_eq(buf, "1709649015");
}
END_TEST

START_TEST(format_truncates_like_snprintf)
{
	char buf[5];
	size_t n = fc_time_format(1709251200, (fc_time_style){ FC_STYLE_DATE, 0 }, buf, sizeof buf);
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(buf, "2024");
	ck_assert_uint_eq(fc_time_format(-5, (fc_time_style){ FC_STYLE_INT, 0 }, NULL, 0), 2);
}
END_TEST

/* ---- calendar helpers -------------------------------------------------- */

START_TEST(civil_helpers)
{
	ck_assert_int_eq(fc_time_from_civil(2024, 3, 1, 0, 0, 0), 1709251200);
	ck_assert_int_eq(fc_time_from_civil(2024, 3, 5, 14, 30, 15), 1709649015);
	ck_assert_int_eq(fc_time_from_civil(1969, 12, 31, 23, 59, 59), -1);
	int y, m, d, h, mi, s;
	fc_time_to_civil(-1, &y, &m, &d, &h, &mi, &s);
	ck_assert_int_eq(y, 1969);
	ck_assert_int_eq(m, 12);
	ck_assert_int_eq(d, 31);
	ck_assert_int_eq(h, 23);
	ck_assert_int_eq(mi, 59);
	ck_assert_int_eq(s, 59);
	fc_time_to_civil(1709649015, &y, &m, &d, &h, &mi, &s);
	ck_assert_int_eq(y, 2024);
	ck_assert_int_eq(m, 3);
	ck_assert_int_eq(d, 5);
	ck_assert_int_eq(h, 14);
	ck_assert_int_eq(mi, 30);
	ck_assert_int_eq(s, 15);
}
END_TEST

START_TEST(civil_round_trip_all_years)
{
	/* Every 97th day from 0001 to 9999: to_civil and from_civil agree and
	 * consecutive samples advance by exactly 97 days. */
	fc_time lo = fc_time_from_civil(1, 1, 1, 0, 0, 0);
	fc_time hi = fc_time_from_civil(9999, 12, 31, 0, 0, 0);
	for (fc_time t = lo; t <= hi; t += 97 * 86400 + 3661) {
		int y, m, d, h, mi, s;
		fc_time_to_civil(t, &y, &m, &d, &h, &mi, &s);
		ck_assert(m >= 1 && m <= 12 && d >= 1 && d <= fc_days_in_month(y, m));
		ck_assert_int_eq(fc_time_from_civil(y, m, d, h, mi, s), t);
	}
}
END_TEST

START_TEST(days_in_month)
{
	ck_assert_int_eq(fc_days_in_month(2024, 2), 29);
	ck_assert_int_eq(fc_days_in_month(2023, 2), 28);
	ck_assert_int_eq(fc_days_in_month(1900, 2), 28);
	ck_assert_int_eq(fc_days_in_month(2000, 2), 29);
	ck_assert_int_eq(fc_days_in_month(2024, 1), 31);
	ck_assert_int_eq(fc_days_in_month(2024, 4), 30);
	ck_assert_int_eq(fc_days_in_month(2024, 12), 31);
}
END_TEST

START_TEST(weekday)
{
	ck_assert_int_eq(fc_time_weekday(0), 3);                 /* 1970-01-01 Thursday */
	ck_assert_int_eq(fc_time_weekday(-86400), 2);            /* 1969-12-31 Wednesday */
	ck_assert_int_eq(fc_time_weekday(-1), 2);
	ck_assert_int_eq(fc_time_weekday(T("2024-01-05")), 4);   /* Friday */
	ck_assert_int_eq(fc_time_weekday(T("2024-03-31 10:00")), 6); /* Sunday */
	ck_assert_int_eq(fc_time_weekday(T("0001-01-01")), 0);   /* Monday */
	ck_assert_int_eq(fc_time_weekday(T("2000-02-29")), 1);   /* Tuesday */
}
END_TEST

/* ---- frequency arithmetic ---------------------------------------------- */

START_TEST(add_fixed_units)
{
	fc_time t = T("2024-02-28 12:00");
	ck_assert_int_eq(fc_freq_add(F("D"), t, 2), T("2024-03-01 12:00"));
	ck_assert_int_eq(fc_freq_add(F("h"), t, 13), T("2024-02-29 01:00"));
	ck_assert_int_eq(fc_freq_add(F("15min"), t, -4), T("2024-02-28 11:00"));
	ck_assert_int_eq(fc_freq_add(F("30s"), t, 3), t + 90);
	ck_assert_int_eq(fc_freq_add(F("W-WED"), t, 1), T("2024-03-06 12:00"));
	ck_assert_int_eq(fc_freq_add(F("2W"), t, -1), T("2024-02-14 12:00"));
	ck_assert_int_eq(fc_freq_add(F("D"), t, 0), t);
}
END_TEST

START_TEST(add_month_start)
{
	ck_assert_int_eq(fc_freq_add(F("MS"), T("2024-11-01"), 2), T("2025-01-01"));
	ck_assert_int_eq(fc_freq_add(F("MS"), T("2024-01-01"), -1), T("2023-12-01"));
	ck_assert_int_eq(fc_freq_add(F("MS"), T("2024-01-01"), -25), T("2021-12-01"));
	ck_assert_int_eq(fc_freq_add(F("3MS"), T("2024-01-01"), 4), T("2025-01-01"));
	/* START keeps the day, clamped, and the time of day. */
	ck_assert_int_eq(fc_freq_add(F("MS"), T("2024-01-31 10:00"), 1), T("2024-02-29 10:00"));
	ck_assert_int_eq(fc_freq_add(F("MS"), T("2024-01-15 10:00"), 0), T("2024-01-15 10:00"));
}
END_TEST

START_TEST(add_month_end)
{
	fc_freq me = F("ME");
	fc_time jan = T("2024-01-31");
	ck_assert_int_eq(fc_freq_add(me, jan, 1), T("2024-02-29"));
	ck_assert_int_eq(fc_freq_add(me, jan, 2), T("2024-03-31"));
	ck_assert_int_eq(fc_freq_add(me, jan, 3), T("2024-04-30"));
	ck_assert_int_eq(fc_freq_add(me, jan, 13), T("2025-02-28"));
	ck_assert_int_eq(fc_freq_add(me, jan, -1), T("2023-12-31"));
	ck_assert_int_eq(fc_freq_add(me, jan, -11), T("2023-02-28"));
	ck_assert_int_eq(fc_freq_add(me, T("2024-02-29"), 12), T("2025-02-28"));
	ck_assert_int_eq(fc_freq_add(me, T("2023-02-28"), 1), T("2023-03-31"));
	/* Stepping from a short month still reaches the long month's end. */
	ck_assert_int_eq(fc_freq_add(me, T("2024-04-30"), 1), T("2024-05-31"));
	/* The time of day is kept. */
	ck_assert_int_eq(fc_freq_add(me, T("2024-01-31 10:00"), 2), T("2024-03-31 10:00"));
}
END_TEST

START_TEST(add_quarters_and_years)
{
	ck_assert_int_eq(fc_freq_add(F("QE"), T("2023-12-31"), 1), T("2024-03-31"));
	ck_assert_int_eq(fc_freq_add(F("Q"), T("2023-12-31"), 2), T("2024-06-30"));
	ck_assert_int_eq(fc_freq_add(F("QS"), T("2024-02-01"), -1), T("2023-11-01"));
	ck_assert_int_eq(fc_freq_add(F("2QS"), T("2024-01-01"), 1), T("2024-07-01"));
	ck_assert_int_eq(fc_freq_add(F("YS"), T("2024-02-01"), 1), T("2025-02-01"));
	ck_assert_int_eq(fc_freq_add(F("YE"), T("2024-02-29"), 1), T("2025-02-28"));
	ck_assert_int_eq(fc_freq_add(F("YE"), T("2024-12-31"), -3), T("2021-12-31"));
	ck_assert_int_eq(fc_freq_add(F("YS"), T("0001-01-01"), 9998), T("9999-01-01"));
}
END_TEST

START_TEST(add_integer_steps)
{
	fc_freq f = { FC_UNIT_STEP, 3, 0 };
	ck_assert_int_eq(fc_freq_add(f, 10, 4), 22);
	ck_assert_int_eq(fc_freq_add(f, 10, -5), -5);
	ck_assert_int_eq(fc_freq_add(F("step"), -2, 3), 1);
}
END_TEST

START_TEST(steps_success)
{
	int64_t k = 99;
	ck_assert_int_eq(fc_freq_steps(F("D"), T("2024-02-27"), T("2024-03-02"), &k), 0);
	ck_assert_int_eq(k, 4);
	ck_assert_int_eq(fc_freq_steps(F("D"), T("2024-03-02"), T("2024-02-27"), &k), 0);
	ck_assert_int_eq(k, -4);
	ck_assert_int_eq(fc_freq_steps(F("D"), T("2024-03-02"), T("2024-03-02"), &k), 0);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(fc_freq_steps(F("ME"), T("2024-01-31"), T("2025-02-28"), &k), 0);
	ck_assert_int_eq(k, 13);
	ck_assert_int_eq(fc_freq_steps(F("ME"), T("2024-03-31"), T("2024-02-29"), &k), 0);
	ck_assert_int_eq(k, -1);
	ck_assert_int_eq(fc_freq_steps(F("QS"), T("2023-10-01"), T("2024-07-01"), &k), 0);
	ck_assert_int_eq(k, 3);
	ck_assert_int_eq(fc_freq_steps(F("15min"), T("2024-01-01 23:45"), T("2024-01-02 01:00"), &k), 0);
	ck_assert_int_eq(k, 5);
	ck_assert_int_eq(fc_freq_steps((fc_freq){ FC_UNIT_STEP, 2, 0 }, 3, 11, &k), 0);
	ck_assert_int_eq(k, 4);
}
END_TEST

START_TEST(steps_failure)
{
	int64_t k = 99;
	ck_assert_int_eq(fc_freq_steps(F("D"), T("2024-01-01 00:00"), T("2024-01-02 12:00"), &k), -1);
	ck_assert_int_eq(fc_freq_steps(F("MS"), T("2024-01-01"), T("2024-02-02"), &k), -1);
	ck_assert_int_eq(fc_freq_steps(F("QS"), T("2024-01-01"), T("2024-03-01"), &k), -1);
	ck_assert_int_eq(fc_freq_steps(F("MS"), T("2024-01-01 00:00"), T("2024-02-01 01:00"), &k), -1);
	ck_assert_int_eq(fc_freq_steps(F("ME"), T("2024-01-31"), T("2024-02-28"), &k), -1);
	ck_assert_int_eq(fc_freq_steps(F("2h"), T("2024-01-01 00:00"), T("2024-01-01 03:00"), &k), -1);
	ck_assert_int_eq(fc_freq_steps((fc_freq){ FC_UNIT_STEP, 2, 0 }, 3, 10, &k), -1);
	ck_assert_int_eq(fc_freq_steps(F("step"), INT64_MIN, INT64_MAX, &k), -1);
	ck_assert_int_eq(k, 99);
}
END_TEST

/* ---- frequency names --------------------------------------------------- */

START_TEST(freq_parse_aliases)
{
	static const struct {
		const char *s;
		fc_unit unit;
		int anchor;
	} cases[] = {
		{ "step", FC_UNIT_STEP, 0 }, { "1", FC_UNIT_STEP, 0 },
		{ "s", FC_UNIT_SECOND, 0 }, { "S", FC_UNIT_SECOND, 0 },
		{ "min", FC_UNIT_MINUTE, 0 }, { "T", FC_UNIT_MINUTE, 0 }, { "MIN", FC_UNIT_MINUTE, 0 },
		{ "h", FC_UNIT_HOUR, 0 }, { "H", FC_UNIT_HOUR, 0 }, { "hourly", FC_UNIT_HOUR, 0 },
		{ "D", FC_UNIT_DAY, 0 }, { "d", FC_UNIT_DAY, 0 }, { "daily", FC_UNIT_DAY, 0 },
		{ "W", FC_UNIT_WEEK, 6 }, { "weekly", FC_UNIT_WEEK, 6 }, { "W-MON", FC_UNIT_WEEK, 0 },
		{ "W-TUE", FC_UNIT_WEEK, 1 }, { "W-WED", FC_UNIT_WEEK, 2 }, { "W-THU", FC_UNIT_WEEK, 3 },
		{ "W-FRI", FC_UNIT_WEEK, 4 }, { "W-SAT", FC_UNIT_WEEK, 5 }, { "W-SUN", FC_UNIT_WEEK, 6 },
		{ "w-fri", FC_UNIT_WEEK, 4 },
		{ "MS", FC_UNIT_MONTH, FC_ANCHOR_START }, { "monthly", FC_UNIT_MONTH, FC_ANCHOR_START },
		{ "M", FC_UNIT_MONTH, FC_ANCHOR_END }, { "ME", FC_UNIT_MONTH, FC_ANCHOR_END },
		{ "QS", FC_UNIT_QUARTER, FC_ANCHOR_START }, { "quarterly", FC_UNIT_QUARTER, FC_ANCHOR_START },
		{ "Q", FC_UNIT_QUARTER, FC_ANCHOR_END }, { "QE", FC_UNIT_QUARTER, FC_ANCHOR_END },
		{ "YS", FC_UNIT_YEAR, FC_ANCHOR_START }, { "AS", FC_UNIT_YEAR, FC_ANCHOR_START },
		{ "yearly", FC_UNIT_YEAR, FC_ANCHOR_START }, { "Yearly", FC_UNIT_YEAR, FC_ANCHOR_START },
		{ "Y", FC_UNIT_YEAR, FC_ANCHOR_END }, { "YE", FC_UNIT_YEAR, FC_ANCHOR_END },
		{ "A", FC_UNIT_YEAR, FC_ANCHOR_END },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fc_freq f = F(cases[i].s);
		ck_assert_msg(f.unit == cases[i].unit && f.mult == 1 && f.anchor == cases[i].anchor,
		              "'%s' parsed wrong", cases[i].s);
		/* The canonical text parses back to the same frequency. */
		char buf[32];
		fc_freq_format(f, buf, sizeof buf);
		fc_freq g = F(buf);
		ck_assert_msg(g.unit == f.unit && g.mult == f.mult && g.anchor == f.anchor,
		              "'%s' -> '%s' does not round-trip", cases[i].s, buf);
	}
}
END_TEST

START_TEST(freq_parse_multiples)
{
	assert_freq(F("15min"), FC_UNIT_MINUTE, 15, 0);
	assert_freq(F("15T"), FC_UNIT_MINUTE, 15, 0);
	assert_freq(F("2h"), FC_UNIT_HOUR, 2, 0);
	assert_freq(F("2W-FRI"), FC_UNIT_WEEK, 2, 4);
	assert_freq(F("3MS"), FC_UNIT_MONTH, 3, FC_ANCHOR_START);
	assert_freq(F("2QE"), FC_UNIT_QUARTER, 2, FC_ANCHOR_END);
	assert_freq(F("5"), FC_UNIT_STEP, 5, 0);
	assert_freq(F("5step"), FC_UNIT_STEP, 5, 0);
	assert_freq(F("01D"), FC_UNIT_DAY, 1, 0);
}
END_TEST

START_TEST(freq_parse_rejects)
{
	static const char *const bad[] = {
		"", "0D", "xyz", "m", "ms", "W-FUN", "W-", "15 min", "-1D", "2hourly",
		"D2", "h ", " h", "99999999999D", "Ws", "MS-JAN",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fc_freq f = { FC_UNIT_DAY, 7, 3 };
		fc_err err;
		fc_err_clear(&err);
		ck_assert_msg(fc_freq_parse(bad[i], &f, &err) == FC_EINVAL, "'%s' was accepted", bad[i]);
		ck_assert_int_eq(err.code, FC_EINVAL);
		ck_assert(err.msg[0] != '\0');
		assert_freq(f, FC_UNIT_DAY, 7, 3);
	}
	fc_err err;
	fc_freq f;
	ck_assert_int_eq(fc_freq_parse("xyz", &f, &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "'xyz'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "W-MON"));
	ck_assert_ptr_nonnull(strstr(err.msg, "15min"));
	ck_assert_int_eq(fc_freq_parse(NULL, &f, NULL), FC_EINVAL);
}
END_TEST

START_TEST(freq_format_canonical)
{
	static const char *const cases[][2] = {
		{ "W", "W-SUN" }, { "M", "ME" }, { "A", "YE" }, { "AS", "YS" }, { "Q", "QE" },
		{ "T", "min" }, { "15T", "15min" }, { "H", "h" }, { "d", "D" }, { "1", "step" },
		{ "3", "3step" }, { "S", "s" }, { "monthly", "MS" }, { "2W-FRI", "2W-FRI" },
		{ "quarterly", "QS" }, { "weekly", "W-SUN" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		size_t n = fc_freq_format(F(cases[i][0]), buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i][1]);
		ck_assert_uint_eq(n, strlen(cases[i][1]));
	}
}
END_TEST

START_TEST(freq_round_trip_multiples)
{
	for (int u = FC_UNIT_STEP; u <= FC_UNIT_YEAR; u++) {
		for (int anchor = 0; anchor < 7; anchor++) {
			if (u != FC_UNIT_WEEK && anchor > (u >= FC_UNIT_MONTH ? 1 : 0))
				continue;
			fc_freq f = { (fc_unit)u, 1 + anchor * 5, anchor };
			char buf[32];
			fc_freq_format(f, buf, sizeof buf);
			fc_freq g = F(buf);
			ck_assert_msg(g.unit == f.unit && g.mult == f.mult && g.anchor == f.anchor,
			              "'%s' does not round-trip", buf);
		}
	}
}
END_TEST

START_TEST(freq_describe)
{
	static const char *const cases[][2] = {
		{ "D", "daily" }, { "W-FRI", "weekly (Friday)" }, { "15min", "every 15 minutes" },
		{ "step", "integer step" }, { "h", "hourly" }, { "2h", "every 2 hours" },
		{ "MS", "monthly (month start)" }, { "ME", "monthly (month end)" },
		{ "2W-MON", "every 2 weeks (Monday)" }, { "QE", "quarterly (month end)" },
		{ "YS", "yearly (month start)" }, { "min", "every minute" }, { "s", "every second" },
		{ "3step", "every 3 integer steps" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];
		size_t n = fc_freq_describe(F(cases[i][0]), buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i][1]);
		ck_assert_uint_eq(n, strlen(cases[i][1]));
	}
}
END_TEST

START_TEST(freq_compatible)
{
	fc_time_style i = { FC_STYLE_INT, 0 }, mo = { FC_STYLE_MONTH, 0 }, d = { FC_STYLE_DATE, 0 };
	fc_time_style dm = { FC_STYLE_DATETIME_MIN, ' ' }, dt = { FC_STYLE_DATETIME, 'T' };
	ck_assert(fc_freq_compatible(F("step"), i));
	ck_assert(!fc_freq_compatible(F("step"), d));
	ck_assert(!fc_freq_compatible(F("D"), i));
	ck_assert(!fc_freq_compatible(F("MS"), i));
	ck_assert(fc_freq_compatible(F("MS"), mo));
	ck_assert(fc_freq_compatible(F("QS"), mo));
	ck_assert(!fc_freq_compatible(F("D"), mo));
	ck_assert(fc_freq_compatible(F("D"), d));
	ck_assert(fc_freq_compatible(F("W-FRI"), d));
	ck_assert(fc_freq_compatible(F("ME"), d));
	ck_assert(!fc_freq_compatible(F("h"), d));
	ck_assert(!fc_freq_compatible(F("15min"), d));
	ck_assert(fc_freq_compatible(F("h"), dm));
	ck_assert(fc_freq_compatible(F("15min"), dt));
	ck_assert(fc_freq_compatible(F("D"), dt));
	ck_assert(fc_freq_compatible(F("30s"), dt));
	ck_assert(!fc_freq_compatible(F("30s"), dm));
	ck_assert(fc_freq_compatible(F("120s"), dm));
}
END_TEST

/* ---- inference --------------------------------------------------------- */

START_TEST(infer_daily_with_gaps)
{
	static const char *const s[] = {
		"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-06", "2024-01-07", NULL,
		"2023-12-30", "2024-01-01", "2024-01-02", NULL,
	};
	assert_freq(infer_ok(s, 2), FC_UNIT_DAY, 1, 0);
}
END_TEST

START_TEST(infer_every_other_day)
{
	static const char *const s[] = {
		"2024-02-27", "2024-02-29", "2024-03-02", "2024-03-06", NULL,
	};
	assert_freq(infer_ok(s, 1), FC_UNIT_DAY, 2, 0);
}
END_TEST

START_TEST(infer_weekly_friday)
{
	static const char *const s[] = {
		"2024-01-05", "2024-01-12", "2024-01-19", "2024-02-02", NULL,
		"2023-12-29", "2024-01-05", NULL,
	};
	assert_freq(infer_ok(s, 2), FC_UNIT_WEEK, 1, 4);
}
END_TEST

START_TEST(infer_biweekly)
{
	static const char *const s[] = {
		"2024-01-01", "2024-01-15", "2024-01-29", "2024-02-26", NULL,
	};
	assert_freq(infer_ok(s, 1), FC_UNIT_WEEK, 2, 0);
}
END_TEST

START_TEST(infer_weekly_wrong_weekday)
{
	static const char *const s[] = {
		"2024-01-05", "2024-01-12", "2024-01-19", NULL,
		"2024-01-05", "2024-01-12", "2024-01-18", "2024-01-25", NULL,
	};
	fc_freq f = { FC_UNIT_DAY, 42, 0 };
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(infer(s, 2, &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 1);
	ck_assert_uint_eq(bi, 2);
	ck_assert_int_eq(f.mult, 42); /* untouched */
	ck_assert_str_eq(err.msg, "timestamp 2024-01-18 is not on the inferred weekly (Friday) grid: "
	                          "it is a Thursday");
}
END_TEST

START_TEST(infer_month_start)
{
	/* The second series skips March: a gap, not a different grid. */
	static const char *const s[] = {
		"2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", NULL,
		"2024-01-01", "2024-02-01", "2024-04-01", NULL,
	};
	assert_freq(infer_ok(s, 2), FC_UNIT_MONTH, 1, FC_ANCHOR_START);
}
END_TEST

START_TEST(infer_month_end)
{
	static const char *const s[] = {
		"2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", NULL,
	};
	assert_freq(infer_ok(s, 1), FC_UNIT_MONTH, 1, FC_ANCHOR_END);
}
END_TEST

START_TEST(infer_month_style)
{
	static const char *const s[] = { "2023-11", "2023-12", "2024-01", "2024-03", NULL };
	assert_freq(infer_ok(s, 1), FC_UNIT_MONTH, 1, FC_ANCHOR_START);
}
END_TEST

START_TEST(infer_quarterly)
{
	static const char *const qs[] = { "2023-10-01", "2024-01-01", "2024-04-01", "2024-10-01", NULL };
	assert_freq(infer_ok(qs, 1), FC_UNIT_QUARTER, 1, FC_ANCHOR_START);
	static const char *const qe[] = { "2023-12-31", "2024-03-31", "2024-06-30", "2024-09-30", NULL };
	assert_freq(infer_ok(qe, 1), FC_UNIT_QUARTER, 1, FC_ANCHOR_END);
}
END_TEST

START_TEST(infer_yearly)
{
	static const char *const ys[] = { "2020-01-01", "2021-01-01", "2022-01-01", "2024-01-01", NULL };
	assert_freq(infer_ok(ys, 1), FC_UNIT_YEAR, 1, FC_ANCHOR_START);
	static const char *const ye[] = { "2019-02-28", "2020-02-29", "2021-02-28", NULL };
	assert_freq(infer_ok(ye, 1), FC_UNIT_YEAR, 1, FC_ANCHOR_END);
}
END_TEST

START_TEST(infer_hourly)
{
	static const char *const s[] = {
		"2024-03-30 22:00", "2024-03-30 23:00", "2024-03-31 00:00", "2024-03-31 03:00", NULL,
	};
	assert_freq(infer_ok(s, 1), FC_UNIT_HOUR, 1, 0);
}
END_TEST

START_TEST(infer_fifteen_minutes)
{
	static const char *const s[] = {
		"2024-01-01T23:30:00", "2024-01-01T23:45:00", "2024-01-02T00:00:00", "2024-01-02T00:30:00", NULL,
		"2024-01-02T00:15:00", "2024-01-02T00:30:00", NULL,
	};
	assert_freq(infer_ok(s, 2), FC_UNIT_MINUTE, 15, 0);
}
END_TEST

START_TEST(infer_seconds)
{
	static const char *const s[] = {
		"2024-01-01 00:00:00", "2024-01-01 00:00:30", "2024-01-01 00:01:00", "2024-01-01 00:02:00", NULL,
	};
	assert_freq(infer_ok(s, 1), FC_UNIT_SECOND, 30, 0);
}
END_TEST

START_TEST(infer_daily_at_clock_time)
{
	/* Daily readings at 09:00 are daily, not every 24 hours. */
	static const char *const s[] = {
		"2024-01-01 09:00", "2024-01-02 09:00", "2024-01-03 09:00", "2024-01-05 09:00", NULL,
	};
	assert_freq(infer_ok(s, 1), FC_UNIT_DAY, 1, 0);
}
END_TEST

START_TEST(infer_integer_steps)
{
	static const char *const one[] = { "1", "2", "3", "5", NULL, "-2", "-1", NULL };
	assert_freq(infer_ok(one, 2), FC_UNIT_STEP, 1, 0);
	static const char *const five[] = { "0", "5", "10", "20", NULL };
	assert_freq(infer_ok(five, 1), FC_UNIT_STEP, 5, 0);
}
END_TEST

START_TEST(infer_tie_goes_to_smallest)
{
	/* Gaps 2, 2, 4, 4: the smallest common gap wins and 4 fits it. */
	static const char *const s[] = { "0", "2", "4", "8", "12", NULL };
	assert_freq(infer_ok(s, 1), FC_UNIT_STEP, 2, 0);
}
END_TEST

START_TEST(infer_irregular_daily)
{
	static const char *const s[] = {
		"2024-01-01 00:00", "2024-01-02 00:00", "2024-01-03 00:00", NULL,
		"2024-01-01 00:00", "2024-01-02 00:00", "2024-01-03 12:00", "2024-01-04 00:00", NULL,
		"2024-01-01 00:00", "2024-01-02 00:00", "2024-01-03 00:00", NULL,
	};
	fc_freq f;
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(infer(s, 3, &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_int_eq(err.code, FC_EINPUT);
	ck_assert_uint_eq(bs, 1);
	ck_assert_uint_eq(bi, 2);
	ck_assert_str_eq(err.msg, "timestamp 2024-01-03 12:00 is not on the inferred daily grid: "
	                          "it is 36 hours after the previous one, 2024-01-02 00:00");
}
END_TEST

START_TEST(infer_irregular_hourly)
{
	static const char *const s[] = {
		"2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00", "2024-01-01 03:30", NULL,
	};
	fc_freq f;
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(infer(s, 1, &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 0);
	ck_assert_uint_eq(bi, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "hourly"));
	ck_assert_ptr_nonnull(strstr(err.msg, "90 minutes"));
}
END_TEST

START_TEST(infer_irregular_integers)
{
	static const char *const s[] = { "1", "3", "5", "7", NULL, "2", "4", "7", NULL };
	fc_freq f;
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(infer(s, 2, &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 1);
	ck_assert_uint_eq(bi, 2);
	ck_assert_str_eq(err.msg, "timestamp 7 is not on the inferred every 2 integer steps grid: "
	                          "it is 3 after the previous one, 4");
}
END_TEST

START_TEST(infer_single_timestamps)
{
	static const char *const s[] = { "2024-01-01", NULL, "2024-01-05", NULL, NULL };
	fc_freq f = { FC_UNIT_DAY, 42, 0 };
	size_t bs = 0, bi = 99;
	fc_err err;
	ck_assert_int_eq(infer(s, 3, &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, (size_t)-1);
	ck_assert_str_eq(err.msg, "cannot infer the frequency from single-timestamp series; give --freq");
	ck_assert_int_eq(f.mult, 42);

	size_t offsets[1] = { 0 };
	bs = 0;
	ck_assert_int_eq(fc_freq_infer(NULL, offsets, 0, (fc_time_style){ FC_STYLE_UNKNOWN, 0 },
	                               &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, (size_t)-1);
}
END_TEST

START_TEST(infer_not_increasing)
{
	static const char *const s[] = { "2024-01-01", "2024-01-02", NULL, "2024-01-03", "2024-01-03", NULL };
	fc_freq f;
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(infer(s, 2, &f, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 1);
	ck_assert_uint_eq(bi, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not after the previous one"));
}
END_TEST

START_TEST(infer_month_end_off_grid)
{
	/* A gap of two months across a short month stays on the month-end
	 * grid (Jan 31 + 2 months = Mar 31). */
	static const char *const s[] = {
		"2024-01-31", "2024-02-29", "2024-03-31", NULL,
		"2024-01-31", "2024-03-31", NULL,
	};
	assert_freq(infer_ok(s, 2), FC_UNIT_MONTH, 1, FC_ANCHOR_END);
}
END_TEST

/* ---- checking a given frequency ---------------------------------------- */

START_TEST(check_ok_and_gap)
{
	data_set d;
	static const char *const s[] = { "2024-01-01", "2024-02-01", "2024-05-01", NULL, "2023-12-01", NULL };
	load(&d, s, 2);
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(fc_freq_check(F("MS"), d.times, d.offsets, d.n_series, &bs, &bi, &err), 0);
	ck_assert_uint_eq(bs, 99);
	ck_assert_int_eq(fc_freq_check(F("QS"), d.times, d.offsets, d.n_series, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 0);
	ck_assert_uint_eq(bi, 1);
	ck_assert_str_eq(err.msg, "timestamp 2024-02-01 is not on the quarterly (month start) grid: "
	                          "it is 1 month after the previous one, 2024-01-01");
}
END_TEST

START_TEST(check_month_anchor)
{
	data_set d;
	static const char *const s[] = { "2024-01-01", "2024-02-01", NULL, "2024-01-15", "2024-02-15", NULL };
	load(&d, s, 2);
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(fc_freq_check(F("MS"), d.times, d.offsets, d.n_series, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 1);
	ck_assert_uint_eq(bi, 0);
	ck_assert_str_eq(err.msg, "timestamp 2024-01-15 is not on the monthly (month start) grid: "
	                          "it is not the first day of its month");
	ck_assert_int_eq(fc_freq_check(F("ME"), d.times, d.offsets, d.n_series, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 0);
	ck_assert_uint_eq(bi, 0);
}
END_TEST

START_TEST(check_week_anchor)
{
	data_set d;
	static const char *const s[] = { "2024-01-05", "2024-01-12", "2024-01-26", NULL };
	load(&d, s, 1);
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(fc_freq_check(F("W-FRI"), d.times, d.offsets, d.n_series, &bs, &bi, &err), 0);
	ck_assert_int_eq(fc_freq_check(F("D"), d.times, d.offsets, d.n_series, &bs, &bi, &err), 0);
	ck_assert_int_eq(fc_freq_check(F("W"), d.times, d.offsets, d.n_series, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bs, 0);
	ck_assert_uint_eq(bi, 0);
	ck_assert_str_eq(err.msg, "timestamp 2024-01-05 is not on the weekly (Sunday) grid: it is a Friday");
	ck_assert_int_eq(fc_freq_check(F("2W-FRI"), d.times, d.offsets, d.n_series, &bs, &bi, &err), FC_EINPUT);
	ck_assert_uint_eq(bi, 1);
	ck_assert_str_eq(err.msg, "timestamp 2024-01-12 is not on the every 2 weeks (Friday) grid: "
	                          "it is 7 days after the previous one, 2024-01-05");
}
END_TEST

START_TEST(check_clock_times)
{
	data_set d;
	static const char *const s[] = { "2024-01-01 00:00:00", "2024-01-01 00:00:45", NULL };
	load(&d, s, 1);
	size_t bs = 99, bi = 99;
	fc_err err;
	ck_assert_int_eq(fc_freq_check(F("15s"), d.times, d.offsets, d.n_series, &bs, &bi, &err), 0);
	ck_assert_int_eq(fc_freq_check(F("min"), d.times, d.offsets, d.n_series, &bs, &bi, &err), FC_EINPUT);
	ck_assert_str_eq(err.msg, "timestamp 2024-01-01 00:00:45 is not on the every minute grid: "
	                          "it is 45 seconds after the previous one, 2024-01-01 00:00:00");
}
END_TEST

/* ---- seasons ----------------------------------------------------------- */

static void assert_seasons(const char *freq, size_t n, const double *want)
{
	double got[8];
	size_t k = fc_freq_seasons(F(freq), got, 8);
	ck_assert_msg(k == n, "%s: %zu seasons, expected %zu", freq, k, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_double_eq_tol(got[i], want[i], 1e-9);
}

START_TEST(seasons_minutes)
{
	assert_seasons("min", 3, (double[]){ 60, 1440, 10080 });
	assert_seasons("15min", 3, (double[]){ 4, 96, 672 });
	assert_seasons("7min", 1, (double[]){ 1440 });
	assert_seasons("60min", 2, (double[]){ 24, 168 });
}
END_TEST

START_TEST(seasons_seconds)
{
	assert_seasons("s", 3, (double[]){ 3600, 86400, 604800 });
	assert_seasons("30s", 3, (double[]){ 120, 2880, 20160 });
	assert_seasons("3600s", 2, (double[]){ 24, 168 });
}
END_TEST

START_TEST(seasons_hours)
{
	assert_seasons("h", 2, (double[]){ 24, 168 });
	assert_seasons("2h", 2, (double[]){ 12, 84 });
	assert_seasons("24h", 1, (double[]){ 7 });
	assert_seasons("5h", 0, NULL);
}
END_TEST

START_TEST(seasons_days)
{
	assert_seasons("D", 2, (double[]){ 7, 365.25 });
	assert_seasons("2D", 1, (double[]){ 182.625 });
	assert_seasons("200D", 0, NULL);
}
END_TEST

START_TEST(seasons_weeks_months_quarters)
{
	assert_seasons("W-FRI", 1, (double[]){ 52.1775 });
	assert_seasons("2W", 1, (double[]){ 26.08875 });
	assert_seasons("MS", 1, (double[]){ 12 });
	assert_seasons("ME", 1, (double[]){ 12 });
	assert_seasons("2MS", 1, (double[]){ 6 });
	assert_seasons("5MS", 0, NULL);
	assert_seasons("12MS", 0, NULL);
	assert_seasons("QS", 1, (double[]){ 4 });
	assert_seasons("2QE", 1, (double[]){ 2 });
	assert_seasons("3QE", 0, NULL);
}
END_TEST

START_TEST(seasons_none)
{
	assert_seasons("YS", 0, NULL);
	assert_seasons("YE", 0, NULL);
	assert_seasons("step", 0, NULL);
	assert_seasons("7step", 0, NULL);
}
END_TEST

START_TEST(seasons_cap)
{
	double got[2] = { -1, -1 };
	ck_assert_uint_eq(fc_freq_seasons(F("min"), got, 1), 1);
	ck_assert_double_eq(got[0], 60);
	ck_assert_double_eq(got[1], -1);
	ck_assert_uint_eq(fc_freq_seasons(F("min"), NULL, 0), 0);
}

/* The civil fields of the most extreme times: the time of day is taken
 * modulo a day without a product that overflows (fuzz/fuzz_time.c found
 * days * 86400 below INT64_MIN; the sanitizer build fails on it). */
START_TEST(civil_of_extreme_times)
{
	const fc_time ts[] = {INT64_MIN, INT64_MIN + 1, INT64_MIN + 86399, INT64_MAX, -1};
	for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++) {
		int y, mo, d, h, mi, se;
		fc_time_to_civil(ts[k], &y, &mo, &d, &h, &mi, &se);
		ck_assert(h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 60);
		ck_assert(mo >= 1 && mo <= 12 && d >= 1 && d <= 31);
		int w = fc_time_weekday(ts[k]);
		ck_assert(w >= 0 && w < 7);
	}
	int y, mo, d, h, mi, se;
	fc_time_to_civil(-1, &y, &mo, &d, &h, &mi, &se);
	ck_assert(y == 1969 && mo == 12 && d == 31 && h == 23 && mi == 59 && se == 59);
}
END_TEST

END_TEST

static Suite *time_suite(void)
{
	Suite *s = suite_create("time");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_integer);
	tcase_add_test(tc, parse_integer_rejects);
	tcase_add_test(tc, parse_empty);
	tcase_add_test(tc, parse_month);
	tcase_add_test(tc, parse_date);
	tcase_add_test(tc, parse_datetime_minutes);
	tcase_add_test(tc, parse_datetime_seconds);
	tcase_add_test(tc, parse_zulu_and_zero_fraction);
	tcase_add_test(tc, parse_rejects_fractions);
	tcase_add_test(tc, parse_rejects_impossible_dates);
	tcase_add_test(tc, parse_rejects_bad_times);
	tcase_add_test(tc, parse_rejects_malformed);
	tcase_add_test(tc, parse_leap_years);
	tcase_add_test(tc, parse_extreme_years);
	tcase_add_test(tc, parse_mixed_styles);
	tcase_add_test(tc, parse_respects_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, format_round_trip);
	tcase_add_test(tc, format_normalizes);
	tcase_add_test(tc, format_styles_of_one_time);
	tcase_add_test(tc, format_truncates_like_snprintf);
	suite_add_tcase(s, tc);

	tc = tcase_create("civil");
	tcase_add_test(tc, civil_helpers);
	tcase_add_test(tc, civil_round_trip_all_years);
	tcase_add_test(tc, days_in_month);
	tcase_add_test(tc, weekday);
	suite_add_tcase(s, tc);

	tc = tcase_create("arithmetic");
	tcase_add_test(tc, add_fixed_units);
	tcase_add_test(tc, add_month_start);
	tcase_add_test(tc, add_month_end);
	tcase_add_test(tc, add_quarters_and_years);
	tcase_add_test(tc, add_integer_steps);
	tcase_add_test(tc, steps_success);
	tcase_add_test(tc, steps_failure);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, freq_parse_aliases);
	tcase_add_test(tc, freq_parse_multiples);
	tcase_add_test(tc, freq_parse_rejects);
	tcase_add_test(tc, freq_format_canonical);
	tcase_add_test(tc, freq_round_trip_multiples);
	tcase_add_test(tc, freq_describe);
	tcase_add_test(tc, freq_compatible);
	suite_add_tcase(s, tc);

	tc = tcase_create("infer");
	tcase_add_test(tc, infer_daily_with_gaps);
	tcase_add_test(tc, infer_every_other_day);
	tcase_add_test(tc, infer_weekly_friday);
	tcase_add_test(tc, infer_biweekly);
	tcase_add_test(tc, infer_weekly_wrong_weekday);
	tcase_add_test(tc, infer_month_start);
	tcase_add_test(tc, infer_month_end);
	tcase_add_test(tc, infer_month_style);
	tcase_add_test(tc, infer_quarterly);
	tcase_add_test(tc, infer_yearly);
	tcase_add_test(tc, infer_hourly);
	tcase_add_test(tc, infer_fifteen_minutes);
	tcase_add_test(tc, infer_seconds);
	tcase_add_test(tc, infer_daily_at_clock_time);
	tcase_add_test(tc, infer_integer_steps);
	tcase_add_test(tc, infer_tie_goes_to_smallest);
	tcase_add_test(tc, infer_irregular_daily);
	tcase_add_test(tc, infer_irregular_hourly);
	tcase_add_test(tc, infer_irregular_integers);
	tcase_add_test(tc, infer_single_timestamps);
	tcase_add_test(tc, infer_not_increasing);
	tcase_add_test(tc, infer_month_end_off_grid);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_test(tc, check_ok_and_gap);
	tcase_add_test(tc, check_month_anchor);
	tcase_add_test(tc, check_week_anchor);
	tcase_add_test(tc, check_clock_times);
	suite_add_tcase(s, tc);

	tc = tcase_create("seasons");
	tcase_add_test(tc, seasons_minutes);
	tcase_add_test(tc, seasons_seconds);
	tcase_add_test(tc, seasons_hours);
	tcase_add_test(tc, seasons_days);
	tcase_add_test(tc, seasons_weeks_months_quarters);
	tcase_add_test(tc, seasons_none);
	tcase_add_test(tc, seasons_cap);
	tcase_add_test(tc, civil_of_extreme_times);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(time_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
