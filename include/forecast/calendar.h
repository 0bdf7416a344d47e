/* Holiday calendars: rule files (calendars/XX.cal, format in
 * calendars/README.md) evaluated into sorted lists of dated holidays, user
 * event CSVs loaded into the same list, and fast "is day d a holiday" lookup.
 *
 * Days are counted as whole days since 1970-01-01 in the proleptic Gregorian
 * calendar: fc_time / 86400 for a calendar-style timestamp (see time.h), and
 * fc_day_from_civil() below.
 *
 * Failure: every function returns 0 or a negative FC_E* code and fills the
 * caller's fc_err (may be NULL).  Errors in a rule file or event CSV read
 * "path:line:column: message" (1-based).  Out-params are untouched on
 * failure.  Nothing here prints or exits. */
#ifndef FORECAST_CALENDAR_H
#define FORECAST_CALENDAR_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/error.h"

/* Years a calendar may be evaluated for when its file sets no range. */
#define FC_CALENDAR_MIN_YEAR 1583
#define FC_CALENDAR_MAX_YEAR 9999

/* One holiday on one day.  id indexes the list's names; group indexes its
 * groups (-1: none; country calendars have none).  observed is 1 for a
 * substitute day (the holiday fell on a weekend or another holiday and is
 * kept on this day instead or as well), 0 for the day the rule names. */
typedef struct fc_holiday {
	int32_t day;
	int32_t id;
	int32_t group;
	int32_t observed;
} fc_holiday;

/* A sorted list of holidays (by day, then id, then observed), owning its
 * names.  Built by fc_calendar_eval or fc_events_load; released with
 * fc_holiday_list_dispose.  The lookup index covers [first_day, last_day]:
 * index[d - first_day] is the position in items of the first holiday on day
 * d, index[d - first_day + 1] one past its last (a day-indexed array, so a
 * lookup is O(1)). */
typedef struct fc_holiday_list {
	fc_holiday *items;
	size_t n;
	char **names;   /* names[id], NUL-terminated UTF-8 */
	size_t n_names;
	char **groups;  /* groups[group]: "col=value;col=value" of an event row */
	size_t n_groups;
	int32_t first_day, last_day; /* span of the index; first > last if empty */
	uint32_t *index;             /* last_day - first_day + 2 entries */
} fc_holiday_list;

/* A parsed rule file; opaque. */
typedef struct fc_calendar fc_calendar;

/* Days since 1970-01-01 of a civil date, and back. */
int32_t fc_day_from_civil(int year, int month, int day);
void fc_day_to_civil(int32_t d, int *year, int *month, int *day);

/* Easter Sunday of year as days since 1970-01-01: Western (Gregorian
 * computus) and Orthodox (Julian computus, given as a Gregorian date: 13
 * days later than its Julian name in 1900-2099, 14 in 2100-2199). */
int32_t fc_easter_western(int year);
int32_t fc_easter_orthodox(int year);

/* Parses a rule file held in text[0..len); path names it in messages.
 * Returns 0 and stores a new calendar in *out (free with fc_calendar_free),
 * FC_EINPUT with "path:line:col: ..." for a bad rule, FC_ENOMEM. */
int fc_calendar_parse(const char *text, size_t len, const char *path,
                      fc_calendar **out, fc_err *err);

/* Reads and parses path; FC_EIO when it cannot be read. */
int fc_calendar_load(const char *path, fc_calendar **out, fc_err *err);

/* Loads "<dir>/<code>.cal", code being a country code such as "BR"
 * (letters only, case kept as given, at most 8).  FC_EINVAL for a code that
 * is not a code; FC_EIO naming the file when it is missing. */
int fc_calendar_load_country(const char *dir, const char *code,
                             fc_calendar **out, fc_err *err);

void fc_calendar_free(fc_calendar *cal); /* NULL is a no-op */

/* Where country calendars are looked for when the caller names no folder:
 * $FORECAST_CALENDARS if set, else the installed folder, else (a build
 * tree that was not installed) the source tree's calendars/. */
const char *fc_calendar_default_dir(void);

/* The "country" line of the file ("" if absent), borrowed until free. */
const char *fc_calendar_country(const fc_calendar *cal);

/* The years the file declares itself valid for (its "range" line, or
 * FC_CALENDAR_MIN_YEAR..FC_CALENDAR_MAX_YEAR). */
void fc_calendar_range(const fc_calendar *cal, int *first_year, int *last_year);

/* Whether a holiday dated by a table has no table date for some year of
 * from_year..to_year in which it exists: then *name is the first such
 * holiday's name (borrowed from cal) and *first_year..*last_year the
 * years its table covers.  Returns 1 for such a gap, else 0.  The
 * calendar's own range is fc_calendar_range's business, not this. */
int fc_calendar_table_gap(const fc_calendar *cal, int from_year, int to_year, const char **name,
                          int *first_year, int *last_year);

/* Evaluates the calendar for the days of years from_year..to_year: every
 * holiday whose date, actual or observed, falls in that span, including
 * those that rules of the neighbouring years put there (a Saturday
 * 1 January observed on the Friday before).  Names are the holiday names of
 * the file; ids are their order of first appearance in it.  FC_EINVAL if
 * the years are reversed or outside the calendar's range, FC_ENOMEM.
 * Initialises *out; on failure *out is untouched. */
int fc_calendar_eval(const fc_calendar *cal, int from_year, int to_year,
                     fc_holiday_list *out, fc_err *err);

/* Loads a user event CSV: a header row, then "date,name[,group...]" rows
 * with ISO dates (YYYY-MM-DD); any further columns are group keys kept as
 * "col=value;..." per row over its non-empty values (an event for one
 * store, say); a row whose group values are all empty gets group -1 and
 * applies to every series.  Double-quoted
 * fields with "" escapes are accepted; blank lines are skipped.  FC_EINPUT
 * with "path:line:col: ..." for a bad date, an empty name, a missing column
 * or an unterminated quote; FC_EIO if unreadable.  Initialises *out. */
int fc_events_load(const char *path, fc_holiday_list *out, fc_err *err);

/* Appends src's holidays to dst, renumbering src's names and groups after
 * dst's (equal names share an id) and keeping dst sorted and indexed.  On
 * failure dst is unchanged. */
int fc_holiday_list_merge(fc_holiday_list *dst, const fc_holiday_list *src, fc_err *err);

/* The holidays on day d: returns a pointer to the first (borrowed, valid
 * until the list changes) and stores how many in *count; NULL and 0 when d
 * is no holiday or outside the list's span. */
const fc_holiday *fc_holiday_find(const fc_holiday_list *l, int32_t d, size_t *count);

void fc_holiday_list_init(fc_holiday_list *l);
void fc_holiday_list_dispose(fc_holiday_list *l); /* leaves l empty */

#endif
