/* Timestamps and regular frequencies: parsing, formatting, calendar
 * arithmetic, and inference of one frequency for a whole data set.
 *
 * Calendar conversion uses the days-from-civil and civil-from-days
 * algorithms of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"
 * (2013, http://howardhinnant.github.io/date_algorithms.html): exact for the
 * proleptic Gregorian calendar, branch-light, and without tables.
 *
 * Frequency names follow pandas' offset aliases ("15min", "W-FRI", "MS",
 * "QE", ...).  Omissions: no time zones or DST (wall-clock time is kept as
 * is), no leap seconds, no sub-second precision (only all-zero fractions are
 * accepted), no business-day or fiscal-year anchors; quarters and years are
 * 3 and 12 months from wherever the data starts, not tied to January. */
#include "forecast/time.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECS_PER_DAY 86400

/* ---- calendar ---------------------------------------------------------- */

/* Floor division and modulo: C rounds toward zero, but timestamps before
 * 1970 must still map to the day (month, weekday) they fall in. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	/* a % b moved into [0, b) for b > 0: no product that could overflow
	 * near INT64_MIN (floor_div(a, b) * b can be below it) */
	int64_t r = a % b;
	return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

/* Hinnant's days_from_civil: days since 1970-01-01 of y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                  /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* Hinnant's civil_from_days, the inverse. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_length(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

int fc_days_in_month(int year, int month)
{
	assert(month >= 1 && month <= 12);
	return month_length(year, month);
}

fc_time fc_time_from_civil(int year, int month, int day, int hour, int min, int sec)
{
	return days_from_civil(year, month, day) * SECS_PER_DAY
	       + (int64_t)hour * 3600 + min * 60 + sec;
}

void fc_time_to_civil(fc_time t, int *year, int *month, int *day, int *hour, int *min, int *sec)
{
	int64_t days = floor_div(t, SECS_PER_DAY), y;
	int64_t tod = floor_mod(t, SECS_PER_DAY);
	civil_from_days(days, &y, month, day);
	*year = (int)y;
	*hour = (int)(tod / 3600);
	*min = (int)(tod / 60 % 60);
	*sec = (int)(tod % 60);
}

int fc_time_weekday(fc_time t)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	return (int)floor_mod(floor_div(t, SECS_PER_DAY) + 3, 7);
}

/* ---- parsing and formatting -------------------------------------------- */

/* Value of the n decimal digits at s, or -1 if any is not a digit.  Fixed
 * widths make "2024-1-5" fail here rather than parse leniently. */
static int fixed_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i] - '0';
		if (c > 9)
			return -1;
		v = v * 10 + (int)c;
	}
	return v;
}

static int parse_int(const char *s, size_t len, fc_time *out)
{
	size_t i = 0;
	int neg = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return FC_EINPUT;
	uint64_t v = 0;
	for (; i < len; i++) {
		unsigned c = (unsigned char)s[i] - '0';
		if (c > 9 || v > ((uint64_t)INT64_MAX - c) / 10)
			return FC_EINPUT;
		v = v * 10 + c;
	}
	*out = neg ? -(fc_time)v : (fc_time)v;
	return 0;
}

/* Parses the calendar styles; *kind and *sep receive what s looks like. */
static int parse_calendar(const char *s, size_t len, fc_style_kind *kind, char *sep, fc_time *out)
{
	int y, mo, d = 1, h = 0, mi = 0, sec = 0;
	size_t pos;

	if (len < 7 || s[4] != '-')
		return FC_EINPUT;
	y = fixed_digits(s, 4);
	mo = fixed_digits(s + 5, 2);
	if (y < 1 || mo < 1 || mo > 12)
		return FC_EINPUT;
	*kind = FC_STYLE_MONTH;
	*sep = 0;
	pos = 7;
	if (pos < len) {
		if (len < 10 || s[7] != '-')
			return FC_EINPUT;
		d = fixed_digits(s + 8, 2);
		if (d < 1 || d > month_length(y, mo))
			return FC_EINPUT;
		*kind = FC_STYLE_DATE;
		pos = 10;
	}
	if (pos < len) {
		if (len < 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':')
			return FC_EINPUT;
		*sep = s[10];
		h = fixed_digits(s + 11, 2);
		mi = fixed_digits(s + 14, 2);
		if (h < 0 || h > 23 || mi < 0 || mi > 59)
			return FC_EINPUT;
		*kind = FC_STYLE_DATETIME_MIN;
		pos = 16;
		if (pos < len && s[pos] == ':') {
			if (len < 19)
				return FC_EINPUT;
			sec = fixed_digits(s + 17, 2);
			if (sec < 0 || sec > 59)
				return FC_EINPUT;
			*kind = FC_STYLE_DATETIME;
			pos = 19;
			/* Exports often write ".000"; a real fraction would be
			 * silently truncated, so only zeros pass. */
			if (pos < len && s[pos] == '.') {
				size_t start = ++pos;
				while (pos < len && s[pos] == '0')
					pos++;
				if (pos == start)
					return FC_EINPUT;
			}
		}
		if (pos < len && s[pos] == 'Z')
			pos++;
	}
	if (pos != len)
		return FC_EINPUT;
	*out = fc_time_from_civil(y, mo, d, h, mi, sec);
	return 0;
}

int fc_time_parse(const char *s, size_t len, fc_time_style *style, fc_time *out)
{
	fc_style_kind want = style->kind, kind;
	char sep = 0;
	fc_time t;

	if (len == 0)
		return FC_EINPUT;
	/* A dash after four leading characters means a calendar date; anything
	 * else (including "-17") can only be an integer. */
	int calendar = want != FC_STYLE_INT && (want != FC_STYLE_UNKNOWN || (len >= 5 && s[4] == '-'));
	if (!calendar) {
		if (parse_int(s, len, &t))
			return FC_EINPUT;
		kind = FC_STYLE_INT;
	} else if (parse_calendar(s, len, &kind, &sep, &t)) {
		return FC_EINPUT;
	}
	if (want == FC_STYLE_UNKNOWN) {
		style->kind = kind;
		style->sep = sep;
	} else if (kind != want || sep != style->sep) {
		return FC_EINPUT;
	}
	*out = t;
	return 0;
}

size_t fc_time_format(fc_time t, fc_time_style style, char *buf, size_t cap)
{
	int y, mo, d, h, mi, s, n;
	char sep = style.sep ? style.sep : ' ';

	if (style.kind == FC_STYLE_INT) {
		n = snprintf(buf, cap, "%" PRId64, t);
		return n < 0 ? 0 : (size_t)n;
	}
	fc_time_to_civil(t, &y, &mo, &d, &h, &mi, &s);
	switch (style.kind) {
	case FC_STYLE_MONTH:
		n = snprintf(buf, cap, "%04d-%02d", y, mo);
		break;
	case FC_STYLE_DATE:
		n = snprintf(buf, cap, "%04d-%02d-%02d", y, mo, d);
		break;
	case FC_STYLE_DATETIME_MIN:
		n = snprintf(buf, cap, "%04d-%02d-%02d%c%02d:%02d", y, mo, d, sep, h, mi);
		break;
	default: /* DATETIME, and UNKNOWN in full rather than losing anything */
		n = snprintf(buf, cap, "%04d-%02d-%02d%c%02d:%02d:%02d", y, mo, d, sep, h, mi, s);
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

int fc_time_writable(fc_time t, fc_time_style style)
{
	return style.kind == FC_STYLE_INT || t <= FC_TIME_CALENDAR_MAX;
}

/* ---- frequency arithmetic ---------------------------------------------- */

static int64_t months_per_step(fc_unit u)
{
	switch (u) {
	case FC_UNIT_MONTH: return 1;
	case FC_UNIT_QUARTER: return 3;
	case FC_UNIT_YEAR: return 12;
	default: return 0;
	}
}

/* Length of one unit in the timestamp's own count (seconds, or 1 for
 * integer steps); 0 for month-based units. */
static int64_t unit_length(fc_unit u)
{
	switch (u) {
	case FC_UNIT_STEP: return 1;
	case FC_UNIT_SECOND: return 1;
	case FC_UNIT_MINUTE: return 60;
	case FC_UNIT_HOUR: return 3600;
	case FC_UNIT_DAY: return SECS_PER_DAY;
	case FC_UNIT_WEEK: return 7 * SECS_PER_DAY;
	default: return 0;
	}
}

/* t moved by a number of months, keeping the time of day.  END snaps to the
 * last day of the target month; START keeps the day of the month, clamped
 * to the month's length, so that k = 0 returns t itself. */
static fc_time add_months(fc_time t, int64_t months, int anchor)
{
	int64_t days = floor_div(t, SECS_PER_DAY), y;
	int64_t tod = floor_mod(t, SECS_PER_DAY);
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int64_t idx = y * 12 + (m - 1) + months;
	y = floor_div(idx, 12);
	m = (int)(idx - y * 12) + 1;
	int last = month_length(y, m);
	if (anchor == FC_ANCHOR_END || d > last)
		d = last;
	return days_from_civil(y, m, d) * SECS_PER_DAY + tod;
}

fc_time fc_freq_add(fc_freq f, fc_time t, int64_t k)
{
	assert(f.mult >= 1);
	int64_t per = months_per_step(f.unit);
	if (per)
		return add_months(t, k * f.mult * per, f.anchor);
	/* Unsigned arithmetic: absurd k wraps instead of being undefined. */
	uint64_t step = (uint64_t)unit_length(f.unit) * (uint64_t)f.mult;
	return (fc_time)((uint64_t)t + (uint64_t)k * step);
}

static int64_t month_index(fc_time t)
{
	int64_t y;
	int m, d;
	civil_from_days(floor_div(t, SECS_PER_DAY), &y, &m, &d);
	return y * 12 + (m - 1);
}

int fc_freq_steps(fc_freq f, fc_time a, fc_time b, int64_t *k)
{
	assert(f.mult >= 1);
	int64_t per = months_per_step(f.unit), n;
	if (per) {
		int64_t months = month_index(b) - month_index(a);
		per *= f.mult;
		if (months % per != 0)
			return -1;
		n = months / per;
		if (fc_freq_add(f, a, n) != b)
			return -1;
	} else {
		int64_t diff, step = unit_length(f.unit) * f.mult;
		if (__builtin_sub_overflow(b, a, &diff) || diff % step != 0)
			return -1;
		n = diff / step;
	}
	*k = n;
	return 0;
}

/* ---- names ------------------------------------------------------------- */

static const char *const weekday_abbr[7] = { "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN" };
static const char *const weekday_name[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};

/* The short aliases.  Single letters are matched exactly because case is
 * meaningful there ("M" is a month, "ms" would be milliseconds in pandas);
 * only the unambiguous ones get a lower-case twin. */
static const struct alias {
	const char *name;
	fc_unit unit;
	int anchor;
} aliases[] = {
	{ "step", FC_UNIT_STEP, 0 },
	{ "s", FC_UNIT_SECOND, 0 }, { "S", FC_UNIT_SECOND, 0 },
	{ "min", FC_UNIT_MINUTE, 0 }, { "T", FC_UNIT_MINUTE, 0 },
	{ "h", FC_UNIT_HOUR, 0 }, { "H", FC_UNIT_HOUR, 0 },
	{ "D", FC_UNIT_DAY, 0 }, { "d", FC_UNIT_DAY, 0 },
	{ "W", FC_UNIT_WEEK, 6 }, { "w", FC_UNIT_WEEK, 6 },
	{ "MS", FC_UNIT_MONTH, FC_ANCHOR_START },
	{ "M", FC_UNIT_MONTH, FC_ANCHOR_END }, { "ME", FC_UNIT_MONTH, FC_ANCHOR_END },
	{ "QS", FC_UNIT_QUARTER, FC_ANCHOR_START },
	{ "Q", FC_UNIT_QUARTER, FC_ANCHOR_END }, { "QE", FC_UNIT_QUARTER, FC_ANCHOR_END },
	{ "YS", FC_UNIT_YEAR, FC_ANCHOR_START }, { "AS", FC_UNIT_YEAR, FC_ANCHOR_START },
	{ "Y", FC_UNIT_YEAR, FC_ANCHOR_END }, { "YE", FC_UNIT_YEAR, FC_ANCHOR_END },
	{ "A", FC_UNIT_YEAR, FC_ANCHOR_END },
};

/* Long names, case-insensitive, without a multiple.  "monthly",
 * "quarterly" and "yearly" mean the month-start grids: dates such as
 * 2024-03-01 are by far the commoner way to label monthly data, and "weekly"
 * is W-SUN like pandas' "W". */
static const struct alias long_names[] = {
	{ "hourly", FC_UNIT_HOUR, 0 },
	{ "daily", FC_UNIT_DAY, 0 },
	{ "weekly", FC_UNIT_WEEK, 6 },
	{ "monthly", FC_UNIT_MONTH, FC_ANCHOR_START },
	{ "quarterly", FC_UNIT_QUARTER, FC_ANCHOR_START },
	{ "yearly", FC_UNIT_YEAR, FC_ANCHOR_START },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static int bad_freq(const char *s, fc_err *err)
{
	return fc_err_set(err, FC_EINVAL,
	                  "unknown frequency '%s': expected step, s, min (or T), h, D, W (= W-SUN), "
	                  "W-MON..W-SUN, MS, ME (or M), QS, QE (or Q), YS (or AS), YE (or Y, A), "
	                  "optionally with a multiple as in 15min, 2h or 2W-FRI; "
	                  "an integer N for steps of N; or hourly, daily, weekly, monthly (= MS), "
	                  "quarterly (= QS), yearly (= YS)",
	                  s ? s : "");
}

#define MAX_MULT INT32_MAX

int fc_freq_parse(const char *s, fc_freq *out, fc_err *err)
{
	if (!s || !*s)
		return bad_freq(s, err);

	for (size_t i = 0; i < ARRAY_LEN(long_names); i++) {
		if (ieq(s, long_names[i].name)) {
			out->unit = long_names[i].unit;
			out->mult = 1;
			out->anchor = long_names[i].anchor;
			return 0;
		}
	}

	const char *p = s;
	int64_t mult = 1;
	if (*p >= '0' && *p <= '9') {
		mult = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			mult = mult * 10 + (*p - '0');
			if (mult > MAX_MULT)
				return fc_err_set(err, FC_EINVAL, "frequency '%s': the multiple must be at most %d",
				                  s, MAX_MULT);
		}
		if (mult == 0)
			return fc_err_set(err, FC_EINVAL, "frequency '%s': the multiple must be at least 1", s);
	}

	fc_freq f = { .mult = (int)mult };
	if (!*p) {
		/* A bare integer: steps of that many. */
		f.unit = FC_UNIT_STEP;
		*out = f;
		return 0;
	}
	if ((p[0] == 'W' || p[0] == 'w') && p[1] == '-') {
		for (int d = 0; d < 7; d++) {
			if (ieq(p + 2, weekday_abbr[d])) {
				f.unit = FC_UNIT_WEEK;
				f.anchor = d;
				*out = f;
				return 0;
			}
		}
		return bad_freq(s, err);
	}
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++) {
		const char *name = aliases[i].name;
		/* Multi-letter lower-case words ("step", "min") ignore case. */
		int match = strlen(name) > 2 && name[0] >= 'a' ? ieq(p, name) : strcmp(p, name) == 0;
		if (match) {
			f.unit = aliases[i].unit;
			f.anchor = aliases[i].anchor;
			*out = f;
			return 0;
		}
	}
	return bad_freq(s, err);
}

size_t fc_freq_format(fc_freq f, char *buf, size_t cap)
{
	char mult[16] = "";
	const char *name;
	int n;

	if (f.mult != 1)
		snprintf(mult, sizeof mult, "%d", f.mult);
	switch (f.unit) {
	case FC_UNIT_STEP: name = "step"; break;
	case FC_UNIT_SECOND: name = "s"; break;
	case FC_UNIT_MINUTE: name = "min"; break;
	case FC_UNIT_HOUR: name = "h"; break;
	case FC_UNIT_DAY: name = "D"; break;
	case FC_UNIT_WEEK:
		n = snprintf(buf, cap, "%sW-%s", mult, weekday_abbr[f.anchor % 7]);
		return n < 0 ? 0 : (size_t)n;
	case FC_UNIT_MONTH: name = f.anchor == FC_ANCHOR_END ? "ME" : "MS"; break;
	case FC_UNIT_QUARTER: name = f.anchor == FC_ANCHOR_END ? "QE" : "QS"; break;
	case FC_UNIT_YEAR: name = f.anchor == FC_ANCHOR_END ? "YE" : "YS"; break;
	default: name = "?"; break;
	}
	n = snprintf(buf, cap, "%s%s", mult, name);
	return n < 0 ? 0 : (size_t)n;
}

size_t fc_freq_describe(fc_freq f, char *buf, size_t cap)
{
	static const struct {
		const char *one, *many; /* "hourly", "hours" */
	} words[] = {
		[FC_UNIT_STEP] = { "integer step", "integer steps" },
		[FC_UNIT_SECOND] = { "every second", "seconds" },
		[FC_UNIT_MINUTE] = { "every minute", "minutes" },
		[FC_UNIT_HOUR] = { "hourly", "hours" },
		[FC_UNIT_DAY] = { "daily", "days" },
		[FC_UNIT_WEEK] = { "weekly", "weeks" },
		[FC_UNIT_MONTH] = { "monthly", "months" },
		[FC_UNIT_QUARTER] = { "quarterly", "quarters" },
		[FC_UNIT_YEAR] = { "yearly", "years" },
	};
	char anchor[32] = "";
	int n;

	if ((unsigned)f.unit >= ARRAY_LEN(words))
		return (size_t)snprintf(buf, cap, "unknown frequency");
	if (f.unit == FC_UNIT_WEEK)
		snprintf(anchor, sizeof anchor, " (%s)", weekday_name[f.anchor % 7]);
	else if (months_per_step(f.unit))
		/* Quarters and years count from the data's first month, so the
		 * anchor is a day of the month, not of the quarter or year. */
		snprintf(anchor, sizeof anchor, " (%s)", f.anchor == FC_ANCHOR_END ? "month end" : "month start");
	if (f.mult == 1)
		n = snprintf(buf, cap, "%s%s", words[f.unit].one, anchor);
	else
		n = snprintf(buf, cap, "every %d %s%s", f.mult, words[f.unit].many, anchor);
	return n < 0 ? 0 : (size_t)n;
}

int fc_freq_compatible(fc_freq f, fc_time_style style)
{
	if ((f.unit == FC_UNIT_STEP) != (style.kind == FC_STYLE_INT))
		return 0;
	switch (f.unit) {
	case FC_UNIT_SECOND:
		/* Seconds that are whole minutes still print in HH:MM. */
		if (style.kind == FC_STYLE_DATETIME_MIN)
			return f.mult % 60 == 0;
		return style.kind == FC_STYLE_DATETIME;
	case FC_UNIT_MINUTE:
	case FC_UNIT_HOUR:
		return style.kind == FC_STYLE_DATETIME || style.kind == FC_STYLE_DATETIME_MIN;
	case FC_UNIT_DAY:
	case FC_UNIT_WEEK:
		/* A YYYY-MM column cannot show days. */
		return style.kind != FC_STYLE_MONTH;
	default:
		return 1;
	}
}

/* ---- checking a grid --------------------------------------------------- */

/* A style that shows t and u without loss, for messages from
 * fc_freq_check, which is not told the data's style. */
static fc_time_style message_style(fc_freq f, fc_time t, fc_time u)
{
	fc_time_style st = { FC_STYLE_DATETIME, ' ' };
	if (f.unit == FC_UNIT_STEP)
		st = (fc_time_style){ FC_STYLE_INT, 0 };
	else if (floor_mod(t, SECS_PER_DAY) == 0 && floor_mod(u, SECS_PER_DAY) == 0)
		st = (fc_time_style){ FC_STYLE_DATE, 0 };
	return st;
}

/* "5 days", "90 minutes", "2 months": the gap from a to b (a < b) in the
 * largest unit that measures it exactly. */
static void gap_text(fc_freq f, fc_time a, fc_time b, char *buf, size_t cap)
{
	static const struct {
		int64_t len;
		const char *name;
	} units[] = { { SECS_PER_DAY, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" } };

	if (f.unit == FC_UNIT_STEP) {
		snprintf(buf, cap, "%" PRIu64, (uint64_t)b - (uint64_t)a);
		return;
	}
	if (months_per_step(f.unit)) {
		int64_t months = month_index(b) - month_index(a);
		if (add_months(a, months, f.anchor) == b) {
			snprintf(buf, cap, "%" PRId64 " month%s", months, months == 1 ? "" : "s");
			return;
		}
	}
	uint64_t diff = (uint64_t)b - (uint64_t)a;
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (diff % (uint64_t)units[i].len == 0) {
			uint64_t n = diff / (uint64_t)units[i].len;
			snprintf(buf, cap, "%" PRIu64 " %s%s", n, units[i].name, n == 1 ? "" : "s");
			return;
		}
	}
}

/* Whether t itself may lie on f's grid: the anchor weekday for weeks, the
 * first or last day of the month for month-based units. */
static int on_anchor(fc_freq f, fc_time t, char *why, size_t cap)
{
	if (f.unit == FC_UNIT_WEEK) {
		int wd = fc_time_weekday(t);
		if (wd == f.anchor)
			return 1;
		snprintf(why, cap, "it is a %s", weekday_name[wd]);
		return 0;
	}
	if (months_per_step(f.unit)) {
		int y, m, d, h, mi, s;
		fc_time_to_civil(t, &y, &m, &d, &h, &mi, &s);
		if (f.anchor == FC_ANCHOR_END ? d == month_length(y, m) : d == 1)
			return 1;
		snprintf(why, cap, "it is not the %s day of its month", f.anchor == FC_ANCHOR_END ? "last" : "first");
		return 0;
	}
	return 1;
}

/* The shared body of fc_freq_check and fc_freq_infer.  style may be NULL
 * (the caller does not know it); what says "inferred " or "". */
static int verify(fc_freq f, const fc_time *times, const size_t *offsets, size_t n_series,
                  const fc_time_style *style, const char *what,
                  size_t *bad_series, size_t *bad_index, fc_err *err)
{
	char desc[64], why[160], tb[40], pb[40];

	for (size_t s = 0; s < n_series; s++) {
		size_t lo = offsets[s], hi = offsets[s + 1];
		for (size_t i = lo; i < hi; i++) {
			fc_time t = times[i], prev = i > lo ? times[i - 1] : t;
			int64_t k;
			int increasing = i == lo || t > prev;
			if (increasing && on_anchor(f, t, why, sizeof why)
			    && (i == lo || (fc_freq_steps(f, prev, t, &k) == 0 && k > 0)))
				continue;

			fc_time_style st = style ? *style : message_style(f, prev, t);
			fc_time_format(t, st, tb, sizeof tb);
			fc_time_format(prev, st, pb, sizeof pb);
			fc_freq_describe(f, desc, sizeof desc);
			*bad_series = s;
			*bad_index = i - lo;
			if (!increasing)
				return fc_err_set(err, FC_EINPUT, "timestamp %s is not after the previous one, %s",
				                  tb, pb);
			if (on_anchor(f, t, why, sizeof why)) {
				char gap[48];
				gap_text(f, prev, t, gap, sizeof gap);
				snprintf(why, sizeof why, "it is %s after the previous one, %s", gap, pb);
			}
			return fc_err_set(err, FC_EINPUT, "timestamp %s is not on the %s%s grid: %s",
			                  tb, what, desc, why);
		}
	}
	return 0;
}

int fc_freq_check(fc_freq f, const fc_time *times, const size_t *offsets,
                  size_t n_series, size_t *bad_series, size_t *bad_index,
                  fc_err *err)
{
	return verify(f, times, offsets, n_series, NULL, "", bad_series, bad_index, err);
}

/* ---- inference --------------------------------------------------------- */

/* The unit class a data set's timestamps share, finest last. */
enum unit_class { CLASS_STEP, CLASS_MONTH_START, CLASS_MONTH_END, CLASS_DAY, CLASS_SECOND };

static enum unit_class detect_class(const fc_time *times, size_t n, fc_time_style style)
{
	if (style.kind == FC_STYLE_INT)
		return CLASS_STEP;
	if (style.kind == FC_STYLE_MONTH)
		return CLASS_MONTH_START;
	int midnight = 1, first = 1, last = 1;
	for (size_t i = 0; i < n && midnight; i++) {
		int y, m, d, h, mi, s;
		fc_time_to_civil(times[i], &y, &m, &d, &h, &mi, &s);
		midnight = h == 0 && mi == 0 && s == 0;
		first = first && d == 1;
		last = last && d == month_length(y, m);
	}
	if (!midnight)
		return CLASS_SECOND;
	return first ? CLASS_MONTH_START : last ? CLASS_MONTH_END : CLASS_DAY;
}

/* Counts of the gaps between timestamps, by value (all > 0; 0 marks an
 * empty slot): an open-addressing table that grows by doubling.  It holds
 * one slot per distinct gap, a handful in real data, where an array of
 * every gap would take 8 bytes a row (470 MB on an M5-size panel). */
typedef struct gap_counts {
	int64_t *gap;
	size_t *count;
	size_t cap, used;
} gap_counts;

static size_t gap_slot(const gap_counts *c, int64_t g)
{
	size_t i = (size_t)((uint64_t)g * 0x9E3779B97F4A7C15ull >> 7) & (c->cap - 1);
	while (c->gap[i] && c->gap[i] != g)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int gap_add(gap_counts *c, int64_t g)
{
	if (2 * (c->used + 1) > c->cap) {
		gap_counts d = {calloc(c->cap * 2, sizeof *d.gap), calloc(c->cap * 2, sizeof *d.count),
		                c->cap * 2, c->used};
		if (!d.gap || !d.count) {
			free(d.gap);
			free(d.count);
			return -1;
		}
		for (size_t i = 0; i < c->cap; i++)
			if (c->gap[i]) {
				size_t k = gap_slot(&d, c->gap[i]);
				d.gap[k] = c->gap[i];
				d.count[k] = c->count[i];
			}
		free(c->gap);
		free(c->count);
		*c = d;
	}
	size_t k = gap_slot(c, g);
	if (!c->gap[k]) {
		c->gap[k] = g;
		c->used++;
	}
	c->count[k]++;
	return 0;
}

int fc_freq_infer(const fc_time *times, const size_t *offsets, size_t n_series,
                  fc_time_style style, fc_freq *out,
                  size_t *bad_series, size_t *bad_index, fc_err *err)
{
	size_t n = n_series ? offsets[n_series] - offsets[0] : 0;
	const fc_time *first = NULL;
	for (size_t s = 0; s < n_series && !first; s++)
		if (offsets[s + 1] > offsets[s])
			first = &times[offsets[s]];

	gap_counts gaps = {calloc(64, sizeof(int64_t)), calloc(64, sizeof(size_t)), 64, 0};
	if (!gaps.gap || !gaps.count) {
		free(gaps.gap);
		free(gaps.count);
		return fc_err_set(err, FC_ENOMEM, "out of memory inferring the frequency");
	}

	/* Gaps in the class's own unit; unsorted pairs are left to verify(),
	 * which reports them in series order. */
	enum unit_class cls = detect_class(times + (n ? offsets[0] : 0), n, style);
	int oom = 0;
	for (size_t s = 0; s < n_series && !oom; s++) {
		for (size_t i = offsets[s] + 1; i < offsets[s + 1]; i++) {
			fc_time a = times[i - 1], b = times[i];
			int64_t g;
			if (b <= a)
				continue;
			if (cls == CLASS_MONTH_START || cls == CLASS_MONTH_END)
				g = month_index(b) - month_index(a);
			else if (__builtin_sub_overflow(b, a, &g))
				continue; /* too far apart to be the common step */
			else if (cls == CLASS_DAY)
				g /= SECS_PER_DAY;
			if (g > 0 && gap_add(&gaps, g)) {
				oom = 1;
				break;
			}
		}
	}
	if (oom) {
		free(gaps.gap);
		free(gaps.count);
		return fc_err_set(err, FC_ENOMEM, "out of memory inferring the frequency");
	}
	int has_pair = 0;
	for (size_t s = 0; s < n_series && !has_pair; s++)
		has_pair = offsets[s + 1] - offsets[s] >= 2;
	if (!has_pair) {
		free(gaps.gap);
		free(gaps.count);
		*bad_series = (size_t)-1;
		*bad_index = 0;
		return fc_err_set(err, FC_EINPUT,
		                  "cannot infer the frequency from single-timestamp series; give --freq");
	}

	/* The most common gap; ties go to the smallest. */
	int64_t step = 0;
	size_t best = 0;
	for (size_t i = 0; i < gaps.cap; i++)
		if (gaps.gap[i] && (gaps.count[i] > best || (gaps.count[i] == best && gaps.gap[i] < step))) {
			best = gaps.count[i];
			step = gaps.gap[i];
		}
	free(gaps.gap);
	free(gaps.count);

	fc_freq f = { FC_UNIT_STEP, 1, 0 };
	int64_t mult = 1;
	if (step == 0) {
		/* Every pair is out of order: verify() names the first one. */
	} else if (cls == CLASS_STEP) {
		mult = step;
	} else if (cls == CLASS_MONTH_START || cls == CLASS_MONTH_END) {
		f.anchor = cls == CLASS_MONTH_END ? FC_ANCHOR_END : FC_ANCHOR_START;
		f.unit = step % 12 == 0 ? FC_UNIT_YEAR : step % 3 == 0 ? FC_UNIT_QUARTER : FC_UNIT_MONTH;
		mult = step / months_per_step(f.unit);
	} else {
		/* Clock times a whole number of days apart (a daily reading at
		 * 09:00) are daily data too, not "every 24 hours". */
		if (cls == CLASS_DAY)
			step *= SECS_PER_DAY;
		if (step % (7 * SECS_PER_DAY) == 0)
			f.unit = FC_UNIT_WEEK;
		else if (step % SECS_PER_DAY == 0)
			f.unit = FC_UNIT_DAY;
		else if (step % 3600 == 0)
			f.unit = FC_UNIT_HOUR;
		else if (step % 60 == 0)
			f.unit = FC_UNIT_MINUTE;
		else
			f.unit = FC_UNIT_SECOND;
		mult = step / unit_length(f.unit);
		if (f.unit == FC_UNIT_WEEK)
			f.anchor = fc_time_weekday(*first);
	}
	if (mult > MAX_MULT) {
		*bad_series = (size_t)-1;
		*bad_index = 0;
		return fc_err_set(err, FC_EINPUT,
		                  "the most common gap between timestamps is too large to be a frequency; give --freq");
	}
	f.mult = (int)mult;

	int rc = verify(f, times, offsets, n_series, &style, "inferred ", bad_series, bad_index, err);
	if (rc)
		return rc;
	*out = f;
	return 0;
}

/* ---- seasonal periods -------------------------------------------------- */

static void add_period(double *periods, size_t cap, size_t *n, double p)
{
	if (*n < cap)
		periods[(*n)++] = p;
}

/* Adds base/mult for each base that the multiple divides, dropping periods
 * of 1 (which are no seasonality). */
static void add_divided(const int64_t *bases, size_t n_bases, int mult,
                        double *periods, size_t cap, size_t *n)
{
	for (size_t i = 0; i < n_bases; i++)
		if (bases[i] % mult == 0 && bases[i] / mult > 1)
			add_period(periods, cap, n, (double)(bases[i] / mult));
}

size_t fc_freq_seasons(fc_freq f, double *periods, size_t cap)
{
	static const int64_t second[] = { 3600, 86400, 604800 }; /* hour, day, week */
	static const int64_t minute[] = { 60, 1440, 10080 };
	static const int64_t hour[] = { 24, 168 };
	static const int64_t day[] = { 7 };
	static const int64_t month[] = { 12 };
	static const int64_t quarter[] = { 4 };
	size_t n = 0;
	int k = f.mult >= 1 ? f.mult : 1;

	switch (f.unit) {
	case FC_UNIT_SECOND: add_divided(second, 3, k, periods, cap, &n); break;
	case FC_UNIT_MINUTE: add_divided(minute, 3, k, periods, cap, &n); break;
	case FC_UNIT_HOUR: add_divided(hour, 2, k, periods, cap, &n); break;
	case FC_UNIT_DAY:
		add_divided(day, 1, k, periods, cap, &n);
		/* The year is no whole number of days; a fraction is kept as
		 * long as the period is long enough to mean something. */
		if (365.25 / k >= 2)
			add_period(periods, cap, &n, 365.25 / k);
		break;
	case FC_UNIT_WEEK:
		if (52.1775 / k >= 2)
			add_period(periods, cap, &n, 52.1775 / k);
		break;
	case FC_UNIT_MONTH: add_divided(month, 1, k, periods, cap, &n); break;
	case FC_UNIT_QUARTER: add_divided(quarter, 1, k, periods, cap, &n); break;
	default: break; /* years and integer steps: no default season */
	}
	return n;
}
