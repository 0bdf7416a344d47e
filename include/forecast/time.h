/* Timestamps, their textual styles, and regular frequencies.
 *
 * A timestamp (fc_time) is a signed 64-bit count: seconds since
 * 1970-01-01T00:00:00 in the proleptic Gregorian calendar for calendar
 * styles (no time zones: the data's wall-clock time is kept as is), or the
 * plain integer for integer time steps (FC_STYLE_INT).
 *
 * A frequency is a unit times a multiple, with an anchor: the weekday of a
 * weekly grid, or whether a monthly/quarterly/yearly grid sits on the first
 * or the last day of the month. */
#ifndef FORECAST_TIME_H
#define FORECAST_TIME_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/error.h"

typedef int64_t fc_time;

typedef enum fc_style_kind {
	FC_STYLE_UNKNOWN = 0,
	FC_STYLE_INT,          /* 17, -3 */
	FC_STYLE_MONTH,        /* 2024-03 */
	FC_STYLE_DATE,         /* 2024-03-05 */
	FC_STYLE_DATETIME_MIN, /* 2024-03-05 14:30  (or with 'T') */
	FC_STYLE_DATETIME      /* 2024-03-05 14:30:00  (or with 'T') */
} fc_style_kind;

typedef struct fc_time_style {
	fc_style_kind kind;
	char sep; /* ' ' or 'T' between date and time; 0 for other kinds */
} fc_time_style;

/* Parses s[0..len).  If style->kind is FC_STYLE_UNKNOWN the style is
 * detected and stored in *style; otherwise s must have exactly that style.
 * Returns 0, or FC_EINPUT when s is not a valid timestamp of the style
 * (including impossible dates such as 2023-02-29); no message is set, the
 * caller adds the location.  Accepts optional trailing "Z" or ".000"-style
 * zero fractions on date-times.  Never reads past len. */
int fc_time_parse(const char *s, size_t len, fc_time_style *style, fc_time *out);

/* Writes t in the given style into buf (always NUL-terminated when cap > 0);
 * returns the length that the full text needs, like snprintf. */
size_t fc_time_format(fc_time t, fc_time_style style, char *buf, size_t cap);

/* The last calendar timestamp that can be written and read back:
 * 9999-12-31 23:59:59 (years have four digits). */
#define FC_TIME_CALENDAR_MAX ((fc_time)253402300799)

/* Whether t, in the given style, can be written and read back: always for
 * integer steps, up to FC_TIME_CALENDAR_MAX for calendar styles. */
int fc_time_writable(fc_time t, fc_time_style style);

/* Civil-calendar helpers for calendar-style timestamps. */
fc_time fc_time_from_civil(int year, int month, int day, int hour, int min, int sec);
void fc_time_to_civil(fc_time t, int *year, int *month, int *day, int *hour, int *min, int *sec);
int fc_days_in_month(int year, int month);
int fc_time_weekday(fc_time t); /* 0 = Monday ... 6 = Sunday */

typedef enum fc_unit {
	FC_UNIT_STEP = 0, /* integer time steps */
	FC_UNIT_SECOND,
	FC_UNIT_MINUTE,
	FC_UNIT_HOUR,
	FC_UNIT_DAY,
	FC_UNIT_WEEK,
	FC_UNIT_MONTH,
	FC_UNIT_QUARTER,
	FC_UNIT_YEAR
} fc_unit;

enum { FC_ANCHOR_START = 0, FC_ANCHOR_END = 1 };

typedef struct fc_freq {
	fc_unit unit;
	int mult;   /* >= 1 */
	int anchor; /* WEEK: weekday 0=Mon..6=Sun; MONTH/QUARTER/YEAR:
	             * FC_ANCHOR_START or FC_ANCHOR_END; others 0 */
} fc_freq;

/* The timestamp k steps after t (k may be negative).  For month-based units
 * with FC_ANCHOR_END the result is the last day of the target month. */
fc_time fc_freq_add(fc_freq f, fc_time t, int64_t k);

/* If b lies exactly k >= 0 ... steps from a on f's grid (b = fc_freq_add(f,a,k),
 * k may be negative), stores k and returns 0; otherwise returns -1. */
int fc_freq_steps(fc_freq f, fc_time a, fc_time b, int64_t *k);

/* Parses a frequency: "step", "s", "min"/"T", "h"/"H", "D", "W" (= W-SUN),
 * "W-MON".."W-SUN", "MS", "M"/"ME", "QS", "Q"/"QE", "YS"/"AS", "Y"/"YE"/"A",
 * each optionally preceded by a multiple ("15min", "2h", "2W-FRI").  Long
 * names too: "hourly", "daily", "weekly", "monthly", "quarterly", "yearly".
 * FC_EINVAL with a message listing the accepted forms otherwise. */
int fc_freq_parse(const char *s, fc_freq *out, fc_err *err);

/* Canonical text of f, e.g. "D", "W-FRI", "MS", "15min", "step"; the
 * output of fc_freq_format parses back to the same frequency. */
size_t fc_freq_format(fc_freq f, char *buf, size_t cap);

/* A human name: "daily", "weekly (Friday)", "every 15 minutes", "integer step". */
size_t fc_freq_describe(fc_freq f, char *buf, size_t cap);

/* Whether a frequency of this unit can be used with timestamps of style:
 * FC_UNIT_STEP only with FC_STYLE_INT and vice versa; sub-daily units need
 * a date-time style. */
int fc_freq_compatible(fc_freq f, fc_time_style style);

/* Infers one frequency for a whole data set.  times holds the timestamps of
 * n_series series back to back: series s is times[offsets[s] .. offsets[s+1]),
 * each sorted ascending without duplicates.
 *   The unit class comes from the timestamps (month starts, month ends, whole
 * days, or clock times; integers for FC_STYLE_INT), the step is the most
 * common difference between consecutive timestamps (ties: the smallest), and
 * a step in days divisible by 7 becomes weekly, anchored on the weekday.
 *   Every consecutive difference must then be a whole number of steps, and
 * weekly timestamps must fall on the anchor weekday.  If not, returns
 * FC_EINPUT, stores the series and index (within the series) of the first
 * timestamp off the grid in *bad_series / *bad_index, and writes a message
 * (without location) naming the inferred grid.  With no consecutive pair at
 * all (every series has one timestamp), FC_EINPUT with *bad_series =
 * (size_t)-1: the frequency must be given. */
int fc_freq_infer(const fc_time *times, const size_t *offsets, size_t n_series,
                  fc_time_style style, fc_freq *out,
                  size_t *bad_series, size_t *bad_index, fc_err *err);

/* Checks a given frequency against the data in the same layout as
 * fc_freq_infer, with the same reporting. */
int fc_freq_check(fc_freq f, const fc_time *times, const size_t *offsets,
                  size_t n_series, size_t *bad_series, size_t *bad_index,
                  fc_err *err);

/* The default seasonal periods of a frequency, shortest first, at most cap:
 * minutes and seconds: the hour, day and week when the step divides them
 * (a period of 1 is dropped); hourly 24, 168; daily 7, 365.25; weekly
 * 52.1775; monthly 12; quarterly 4; yearly and integer step: none.
 * Multiples divide the periods (2h: 12, 84).  Returns the count. */
size_t fc_freq_seasons(fc_freq f, double *periods, size_t cap);

#endif
