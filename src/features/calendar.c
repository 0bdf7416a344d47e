/* Holiday calendars: a parser for the rule files of calendars/ (format in
 * calendars/README.md), their evaluation into sorted holiday lists, the
 * user event CSV loader, and the day-indexed lookup.
 *
 * Western Easter uses the anonymous Gregorian computus (Meeus/Jones/Butcher;
 * J. Meeus, "Astronomical Algorithms", 2nd ed., 1998, ch. 8); Orthodox
 * Easter Meeus' Julian computus, shifted to the Gregorian calendar by the
 * century rule (13 days in 1900-2099).  Evaluation runs in three passes:
 * the dates the rules name (for the requested years and one year either
 * side, so that substitutes crossing New Year are found), then "bridge"
 * days squeezed between two holidays, then substitute (observed) days in
 * date order, so that "next free weekday" rules see every holiday and every
 * substitute assigned before them.
 *
 * Omissions: no lunar or astronomical computation (such holidays come from
 * date tables in the rule file), no time zones, no half-day holidays. */
#include "forecast/calendar.h"
#include "forecast/file.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>

#include "forecast/time.h"

#define SECS_PER_DAY 86400
#define MAX_TOKENS 64
#define NAME_MAX_LEN 128

/* ---- days and Easter ----------------------------------------------------- */

int32_t fc_day_from_civil(int year, int month, int day)
{
	return (int32_t)(fc_time_from_civil(year, month, day, 0, 0, 0) / SECS_PER_DAY);
}

void fc_day_to_civil(int32_t d, int *year, int *month, int *day)
{
	int h, mi, s;
	fc_time_to_civil((fc_time)d * SECS_PER_DAY, year, month, day, &h, &mi, &s);
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
static int day_weekday(int32_t d)
{
	int r = (int)((d + 3) % 7);
	return r < 0 ? r + 7 : r;
}

static int day_year(int32_t d)
{
	int y, m, dd;
	fc_day_to_civil(d, &y, &m, &dd);
	return y;
}

int32_t fc_easter_western(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;
	return fc_day_from_civil(year, month, day);
}

int32_t fc_easter_orthodox(int year)
{
	int a = year % 4, b = year % 7, c = year % 19;
	int d = (19 * c + 15) % 30;
	int e = (2 * a + 4 * b - d + 34) % 7;
	int month = (d + e + 114) / 31;
	int day = (d + e + 114) % 31 + 1;
	/* A Julian March-May date lies this many days before the Gregorian
	 * date of the same name (13 from 1900 to 2099). */
	int gap = year / 100 - year / 400 - 2;
	return fc_day_from_civil(year, month, day) + gap;
}

/* ---- the parsed calendar -------------------------------------------------- */

enum rule_kind { R_FIXED, R_DATE, R_NTH, R_BEFORE, R_AFTER, R_EASTER, R_ORTHODOX, R_TABLE, R_BRIDGE };

#define MOVE_NONE (-1)
#define MOVE_NEXT 7 /* the next Monday-Friday that is no holiday yet */

typedef struct shift {
	int from, to;   /* years it applies */
	int8_t move[7]; /* per weekday of the holiday: MOVE_NONE, a weekday, MOVE_NEXT */
} shift;

typedef struct rule {
	int kind;
	int month, day, year; /* R_FIXED: month, day; R_DATE: all three */
	int nth, weekday;     /* R_NTH: 1..5 or -1 (last); 0 = Monday; R_BEFORE/AFTER too */
	int offset;           /* days after the anchor: Easter, nth weekday, table date */
	int table;
	int from, to;         /* years the holiday exists */
	int id;
	int replace;          /* a substitute replaces the day instead of adding one */
	shift *shifts;
	size_t n_shifts;
} rule;

typedef struct table {
	char name[32];
	int32_t *days; /* sorted */
	size_t n;
} table;

struct fc_calendar {
	char country[16];
	int range_from, range_to;
	rule *rules;
	size_t n_rules;
	char **names;
	size_t n_names;
	table *tables;
	size_t n_tables;
};

static void calendar_dispose(fc_calendar *cal)
{
	for (size_t i = 0; i < cal->n_rules; i++)
		free(cal->rules[i].shifts);
	free(cal->rules);
	for (size_t i = 0; i < cal->n_names; i++)
		free(cal->names[i]);
	free(cal->names);
	for (size_t i = 0; i < cal->n_tables; i++)
		free(cal->tables[i].days);
	free(cal->tables);
}

void fc_calendar_free(fc_calendar *cal)
{
	if (!cal)
		return;
	calendar_dispose(cal);
	free(cal);
}

int fc_calendar_table_gap(const fc_calendar *cal, int from_year, int to_year, const char **name,
                          int *first_year, int *last_year)
{
	for (size_t i = 0; i < cal->n_rules; i++) {
		const rule *r = &cal->rules[i];
		if (r->kind != R_TABLE || cal->tables[r->table].n == 0)
			continue;
		const table *tb = &cal->tables[r->table];
		int first = day_year(tb->days[0]), last = day_year(tb->days[tb->n - 1]);
		int a = from_year > r->from ? from_year : r->from, b = to_year < r->to ? to_year : r->to;
		if (a <= b && (a < first || b > last)) {
			*name = cal->names[r->id];
			*first_year = first;
			*last_year = last;
			return 1;
		}
	}
	return 0;
}

const char *fc_calendar_country(const fc_calendar *cal)
{
	return cal->country;
}

void fc_calendar_range(const fc_calendar *cal, int *first_year, int *last_year)
{
	*first_year = cal->range_from;
	*last_year = cal->range_to;
}

/* ---- tokenizer ------------------------------------------------------------ */

typedef struct token {
	const char *s; /* for a quoted string: the text inside the quotes */
	size_t len;
	size_t col;    /* 1-based column of the token's first character */
	int quoted;
} token;

typedef struct parser {
	const char *path;
	size_t line;
	fc_err *err;
	fc_calendar *cal;
	table *open_table; /* inside "table NAME" ... "end" */
	size_t table_line;
} parser;

static int fail(parser *p, size_t col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(parser *p, size_t col, const char *fmt, ...)
{
	char msg[FC_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fc_err_set(p->err, FC_EINPUT, "%s:%zu:%zu: %s", p->path, p->line, col, msg);
}

/* Splits one line into tokens; '#' outside quotes starts a comment. */
static int tokenize(parser *p, const char *line, size_t len, token *tok, size_t *n_tok)
{
	size_t n = 0, i = 0;
	while (i < len) {
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if (n == MAX_TOKENS)
			return fail(p, i + 1, "too many words on one line (at most %d)", MAX_TOKENS);
		token *t = &tok[n++];
		t->col = i + 1;
		if (line[i] == '"') {
			size_t j = i + 1;
			while (j < len && line[j] != '"')
				j++;
			if (j == len)
				return fail(p, i + 1, "unterminated quoted name");
			t->s = line + i + 1;
			t->len = j - i - 1;
			t->quoted = 1;
			i = j + 1;
		} else {
			size_t j = i;
			while (j < len && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' && line[j] != '#')
				j++;
			t->s = line + i;
			t->len = j - i;
			t->quoted = 0;
			i = j;
		}
	}
	*n_tok = n;
	return 0;
}

static int tok_is(const token *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) && strncasecmp(t->s, word, t->len) == 0;
}

/* Parses a decimal integer with optional sign filling the whole token. */
static int tok_int(const token *t, long *out)
{
	if (t->quoted || t->len == 0 || t->len > 12)
		return -1;
	char buf[16];
	memcpy(buf, t->s, t->len);
	buf[t->len] = 0;
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (*end || errno || end == buf)
		return -1;
	*out = v;
	return 0;
}

static int tok_year(parser *p, const token *t, int *year)
{
	long v;
	if (tok_int(t, &v) || v < FC_CALENDAR_MIN_YEAR || v > FC_CALENDAR_MAX_YEAR)
		return fail(p, t->col, "'%.*s' is not a year (%d-%d)", (int)t->len, t->s,
		            FC_CALENDAR_MIN_YEAR, FC_CALENDAR_MAX_YEAR);
	*year = (int)v;
	return 0;
}

static const char *const weekday_names[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
};
static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};

/* A weekday by full name or its first three letters; -1 if none. */
static int weekday_of(const char *s, size_t len)
{
	for (int w = 0; w < 7; w++)
		if ((len == 3 || len == strlen(weekday_names[w])) && strncasecmp(s, weekday_names[w], len) == 0)
			return w;
	return -1;
}

static int month_of(const char *s, size_t len)
{
	for (int m = 0; m < 12; m++)
		if ((len == 3 || len == strlen(month_names[m])) && strncasecmp(s, month_names[m], len) == 0)
			return m + 1;
	return -1;
}

/* "MM-DD" (year < 0 on return) or "YYYY-MM-DD"; returns -1 if neither. */
static int parse_date_text(const token *t, int *year, int *month, int *day)
{
	if (t->quoted)
		return -1;
	fc_time_style style = {FC_STYLE_DATE, 0};
	fc_time when;
	if (t->len == 10 && fc_time_parse(t->s, t->len, &style, &when) == 0) {
		int h, mi, s;
		fc_time_to_civil(when, year, month, day, &h, &mi, &s);
		return 0;
	}
	if (t->len == 5 && isdigit((unsigned char)t->s[0]) && isdigit((unsigned char)t->s[1]) &&
	    t->s[2] == '-' && isdigit((unsigned char)t->s[3]) && isdigit((unsigned char)t->s[4])) {
		int m = (t->s[0] - '0') * 10 + (t->s[1] - '0');
		int d = (t->s[3] - '0') * 10 + (t->s[4] - '0');
		/* 29 February is allowed: it exists in leap years only. */
		if (m < 1 || m > 12 || d < 1 || d > fc_days_in_month(2000, m))
			return -1;
		*year = -1;
		*month = m;
		*day = d;
		return 0;
	}
	return -1;
}

/* ---- statements ----------------------------------------------------------- */

static int name_id(parser *p, const token *t, int *id)
{
	fc_calendar *cal = p->cal;
	for (size_t i = 0; i < cal->n_names; i++)
		if (strlen(cal->names[i]) == t->len && memcmp(cal->names[i], t->s, t->len) == 0) {
			*id = (int)i;
			return 0;
		}
	char **grown = realloc(cal->names, (cal->n_names + 1) * sizeof *grown);
	if (!grown)
		return fc_err_set(p->err, FC_ENOMEM, "out of memory");
	cal->names = grown;
	char *copy = malloc(t->len + 1);
	if (!copy)
		return fc_err_set(p->err, FC_ENOMEM, "out of memory");
	memcpy(copy, t->s, t->len);
	copy[t->len] = 0;
	cal->names[cal->n_names] = copy;
	*id = (int)cal->n_names++;
	return 0;
}

static int find_table(const fc_calendar *cal, const token *t)
{
	for (size_t i = 0; i < cal->n_tables; i++)
		if (strlen(cal->tables[i].name) == t->len && strncmp(cal->tables[i].name, t->s, t->len) == 0)
			return (int)i;
	return -1;
}

/* Optional "+N" / "-N" after an anchor; advances *k past it. */
static int parse_offset(parser *p, const token *tok, size_t n, size_t *k, int *offset)
{
	*offset = 0;
	if (*k < n && !tok[*k].quoted && tok[*k].len > 1 && (tok[*k].s[0] == '+' || tok[*k].s[0] == '-')) {
		long v;
		if (tok_int(&tok[*k], &v) || v < -366 || v > 366)
			return fail(p, tok[*k].col, "bad day offset '%.*s' (expected e.g. +1 or -47, within a year)",
			            (int)tok[*k].len, tok[*k].s);
		*offset = (int)v;
		(*k)++;
	}
	return 0;
}

static const struct {
	const char *word;
	int n;
} ordinals[] = {
	{"first", 1}, {"second", 2}, {"third", 3}, {"fourth", 4}, {"fifth", 5}, {"last", -1},
	{"1st", 1}, {"2nd", 2}, {"3rd", 3}, {"4th", 4}, {"5th", 5},
};

/* The date part after "on"; advances *k. */
static int parse_when(parser *p, const token *tok, size_t n, size_t *k, rule *r)
{
	if (*k >= n)
		return fail(p, tok[n - 1].col + tok[n - 1].len, "expected a date rule after 'on'");
	const token *t = &tok[(*k)++];
	int y, m, d;
	if (parse_date_text(t, &y, &m, &d) == 0) {
		r->kind = y < 0 ? R_FIXED : R_DATE;
		r->year = y;
		r->month = m;
		r->day = d;
		if (y >= 0)
			r->from = r->to = y;
		return 0;
	}
	if (t->quoted)
		return fail(p, t->col, "expected a date rule, found a quoted name");
	if (tok_is(t, "easter") || tok_is(t, "orthodox")) {
		r->kind = tok_is(t, "easter") ? R_EASTER : R_ORTHODOX;
		return parse_offset(p, tok, n, k, &r->offset);
	}
	if (tok_is(t, "bridge")) {
		r->kind = R_BRIDGE;
		return 0;
	}
	for (size_t o = 0; o < sizeof ordinals / sizeof ordinals[0]; o++) {
		if (!tok_is(t, ordinals[o].word))
			continue;
		if (*k + 3 > n || !tok_is(&tok[*k + 1], "of"))
			return fail(p, t->col, "expected '%s WEEKDAY of MONTH'", ordinals[o].word);
		const token *wt = &tok[*k], *mt = &tok[*k + 2];
		int w = wt->quoted ? -1 : weekday_of(wt->s, wt->len);
		if (w < 0)
			return fail(p, wt->col, "unknown weekday '%.*s'", (int)wt->len, wt->s);
		int mo = mt->quoted ? -1 : month_of(mt->s, mt->len);
		if (mo < 0)
			return fail(p, mt->col, "unknown month '%.*s'", (int)mt->len, mt->s);
		r->kind = R_NTH;
		r->nth = ordinals[o].n;
		r->weekday = w;
		r->month = mo;
		*k += 3;
		return parse_offset(p, tok, n, k, &r->offset);
	}
	int w = weekday_of(t->s, t->len);
	if (w >= 0) {
		/* "monday before 05-25": the last such weekday strictly before. */
		if (*k + 2 > n || !(tok_is(&tok[*k], "before") || tok_is(&tok[*k], "after")))
			return fail(p, t->col, "expected '%.*s before MM-DD' or '%.*s after MM-DD'", (int)t->len, t->s,
			            (int)t->len, t->s);
		const token *dt = &tok[*k + 1];
		if (parse_date_text(dt, &y, &m, &d) || y >= 0)
			return fail(p, dt->col, "expected a day MM-DD, found '%.*s'", (int)dt->len, dt->s);
		r->kind = tok_is(&tok[*k], "before") ? R_BEFORE : R_AFTER;
		r->weekday = w;
		r->month = m;
		r->day = d;
		*k += 2;
		return 0;
	}
	int ti = find_table(p->cal, t);
	if (ti >= 0) {
		r->kind = R_TABLE;
		r->table = ti;
		return parse_offset(p, tok, n, k, &r->offset);
	}
	return fail(p, t->col, "unknown date rule '%.*s' (expected MM-DD, YYYY-MM-DD, "
	            "'third monday of january', 'monday before 05-25', 'easter +1', 'orthodox', 'bridge' or a table name)",
	            (int)t->len, t->s);
}

/* "observe" or "observe[A..B]" followed by shifts such as sat>fri, sun>next. */
static int parse_observe(parser *p, const token *tok, size_t n, size_t *k, rule *r)
{
	const token *kw = &tok[*k - 1];
	shift sh = {FC_CALENDAR_MIN_YEAR, FC_CALENDAR_MAX_YEAR, {0}};
	for (int w = 0; w < 7; w++)
		sh.move[w] = MOVE_NONE;
	if (kw->len > 7) {
		/* observe[1983..2006], observe[2007..], observe[..1999] */
		const char *s = kw->s + 7, *end = kw->s + kw->len;
		const char *dots = NULL;
		for (const char *c = s; c + 1 < end; c++)
			if (c[0] == '.' && c[1] == '.') {
				dots = c;
				break;
			}
		if (*s != '[' || end[-1] != ']' || !dots)
			return fail(p, kw->col, "expected 'observe' or 'observe[FIRST..LAST]', found '%.*s'",
			            (int)kw->len, kw->s);
		token a = {s + 1, (size_t)(dots - s - 1), kw->col + 8, 0};
		token b = {dots + 2, (size_t)(end - 1 - dots - 2), kw->col + (size_t)(dots + 2 - kw->s), 0};
		int rc;
		if (a.len && (rc = tok_year(p, &a, &sh.from)))
			return rc;
		if (b.len && (rc = tok_year(p, &b, &sh.to)))
			return rc;
		if (sh.from > sh.to)
			return fail(p, kw->col, "observe years reversed: %d > %d", sh.from, sh.to);
	}
	size_t first = *k;
	while (*k < n) {
		const token *t = &tok[*k];
		const char *gt = t->quoted ? NULL : memchr(t->s, '>', t->len);
		if (!gt)
			break;
		int from = weekday_of(t->s, (size_t)(gt - t->s));
		if (from < 0)
			return fail(p, t->col, "unknown weekday '%.*s' in shift '%.*s'", (int)(gt - t->s), t->s,
			            (int)t->len, t->s);
		size_t rest = t->len - (size_t)(gt - t->s) - 1;
		int to;
		if (rest == 4 && strncasecmp(gt + 1, "next", 4) == 0)
			to = MOVE_NEXT;
		else if ((to = weekday_of(gt + 1, rest)) < 0 || to == from)
			return fail(p, t->col + (size_t)(gt - t->s) + 1, "bad shift target '%.*s' (a weekday or 'next')",
			            (int)rest, gt + 1);
		sh.move[from] = (int8_t)to;
		(*k)++;
	}
	if (*k == first)
		return fail(p, kw->col + kw->len, "expected shifts such as 'sat>fri sun>mon' after 'observe'");
	shift *grown = realloc(r->shifts, (r->n_shifts + 1) * sizeof *grown);
	if (!grown)
		return fc_err_set(p->err, FC_ENOMEM, "out of memory");
	r->shifts = grown;
	r->shifts[r->n_shifts++] = sh;
	return 0;
}

static int parse_holiday(parser *p, const token *tok, size_t n)
{
	rule r;
	memset(&r, 0, sizeof r);
	r.from = FC_CALENDAR_MIN_YEAR;
	r.to = FC_CALENDAR_MAX_YEAR;
	int rc;
	if (n < 2 || !tok[1].quoted)
		return fail(p, n < 2 ? tok[0].col + tok[0].len : tok[1].col, "expected a quoted name after 'holiday'");
	if (tok[1].len == 0 || tok[1].len > NAME_MAX_LEN)
		return fail(p, tok[1].col, "a holiday name must have 1 to %d bytes", NAME_MAX_LEN);
	if (n < 3 || !tok_is(&tok[2], "on"))
		return fail(p, n < 3 ? tok[1].col + tok[1].len + 2 : tok[2].col, "expected 'on' after the name");
	size_t k = 3;
	if ((rc = parse_when(p, tok, n, &k, &r)))
		goto out;
	int date_fixed = r.kind == R_DATE;
	while (k < n) {
		const token *t = &tok[k++];
		if (tok_is(t, "from") || tok_is(t, "to")) {
			if (date_fixed) {
				rc = fail(p, t->col, "a one-off date has no year range");
				goto out;
			}
			if (k >= n) {
				rc = fail(p, t->col + t->len, "expected a year after '%.*s'", (int)t->len, t->s);
				goto out;
			}
			if ((rc = tok_year(p, &tok[k], tok_is(t, "from") ? &r.from : &r.to)))
				goto out;
			k++;
		} else if (!t->quoted && t->len >= 7 && strncasecmp(t->s, "observe", 7) == 0) {
			if ((rc = parse_observe(p, tok, n, &k, &r)))
				goto out;
		} else if (tok_is(t, "replace")) {
			r.replace = 1;
		} else {
			rc = fail(p, t->col, "unexpected '%.*s' (expected from, to, observe or replace)",
			          (int)t->len, t->s);
			goto out;
		}
	}
	if (r.from > r.to) {
		rc = fail(p, tok[0].col, "first year %d after last year %d", r.from, r.to);
		goto out;
	}
	if (r.kind == R_BRIDGE && r.n_shifts) {
		rc = fail(p, tok[0].col, "a bridge day cannot have substitute days");
		goto out;
	}
	if ((rc = name_id(p, &tok[1], &r.id)))
		goto out;
	fc_calendar *cal = p->cal;
	rule *grown = realloc(cal->rules, (cal->n_rules + 1) * sizeof *grown);
	if (!grown) {
		rc = fc_err_set(p->err, FC_ENOMEM, "out of memory");
		goto out;
	}
	cal->rules = grown;
	cal->rules[cal->n_rules++] = r;
	return 0;
out:
	free(r.shifts);
	return rc;
}

static int table_add(parser *p, const token *t)
{
	int y, m, d;
	if (parse_date_text(t, &y, &m, &d) || y < 0)
		return fail(p, t->col, "'%.*s' is not a date YYYY-MM-DD (or 'end' to close table '%s')",
		            (int)t->len, t->s, p->open_table->name);
	table *tb = p->open_table;
	int32_t day = fc_day_from_civil(y, m, d);
	if (tb->n && day <= tb->days[tb->n - 1])
		return fail(p, t->col, "table '%s': dates must increase (%.*s)", tb->name, (int)t->len, t->s);
	int32_t *grown = realloc(tb->days, (tb->n + 1) * sizeof *grown);
	if (!grown)
		return fc_err_set(p->err, FC_ENOMEM, "out of memory");
	tb->days = grown;
	tb->days[tb->n++] = day;
	return 0;
}

static int parse_table_head(parser *p, const token *tok, size_t n)
{
	if (n != 2 || tok[1].quoted || tok[1].len == 0 || tok[1].len >= sizeof p->cal->tables[0].name)
		return fail(p, n >= 2 ? tok[1].col : tok[0].col + tok[0].len, "expected 'table NAME' (a word of at most 31 characters)");
	const token *t = &tok[1];
	for (size_t i = 0; i < t->len; i++)
		if (!isalnum((unsigned char)t->s[i]) && t->s[i] != '_')
			return fail(p, t->col + i, "a table name has letters, digits and '_' only");
	static const char *const reserved[] = {"easter", "orthodox", "bridge", "first", "second", "third",
	                                       "fourth", "fifth", "last", "end"};
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (tok_is(t, reserved[i]))
			return fail(p, t->col, "'%s' is a reserved word, not a table name", reserved[i]);
	if (find_table(p->cal, t) >= 0)
		return fail(p, t->col, "table '%.*s' defined twice", (int)t->len, t->s);
	fc_calendar *cal = p->cal;
	table *grown = realloc(cal->tables, (cal->n_tables + 1) * sizeof *grown);
	if (!grown)
		return fc_err_set(p->err, FC_ENOMEM, "out of memory");
	cal->tables = grown;
	table *tb = &cal->tables[cal->n_tables++];
	memset(tb, 0, sizeof *tb);
	memcpy(tb->name, t->s, t->len);
	p->open_table = tb;
	p->table_line = p->line;
	return 0;
}

static int parse_line(parser *p, const char *line, size_t len)
{
	token tok[MAX_TOKENS];
	size_t n = 0;
	int rc = tokenize(p, line, len, tok, &n);
	if (rc || n == 0)
		return rc;
	if (p->open_table) {
		for (size_t i = 0; i < n; i++) {
			if (tok_is(&tok[i], "end")) {
				if (i + 1 != n)
					return fail(p, tok[i + 1].col, "nothing may follow 'end' on its line");
				if (!p->open_table->n)
					return fail(p, tok[i].col, "table '%s' has no dates", p->open_table->name);
				p->open_table = NULL;
				return 0;
			}
			if ((rc = table_add(p, &tok[i])))
				return rc;
		}
		return 0;
	}
	if (tok_is(&tok[0], "holiday"))
		return parse_holiday(p, tok, n);
	if (tok_is(&tok[0], "table"))
		return parse_table_head(p, tok, n);
	if (tok_is(&tok[0], "country")) {
		if (n != 2 || tok[1].len == 0 || tok[1].len >= sizeof p->cal->country)
			return fail(p, n >= 2 ? tok[1].col : tok[0].col + tok[0].len, "expected 'country CODE'");
		memcpy(p->cal->country, tok[1].s, tok[1].len);
		p->cal->country[tok[1].len] = 0;
		return 0;
	}
	if (tok_is(&tok[0], "range")) {
		if (n != 3)
			return fail(p, tok[0].col, "expected 'range FIRST_YEAR LAST_YEAR'");
		if ((rc = tok_year(p, &tok[1], &p->cal->range_from)) || (rc = tok_year(p, &tok[2], &p->cal->range_to)))
			return rc;
		if (p->cal->range_from > p->cal->range_to)
			return fail(p, tok[1].col, "range reversed: %d > %d", p->cal->range_from, p->cal->range_to);
		return 0;
	}
	return fail(p, tok[0].col, "unknown statement '%.*s' (expected holiday, table, country or range)",
	            (int)tok[0].len, tok[0].s);
}

int fc_calendar_parse(const char *text, size_t len, const char *path, fc_calendar **out, fc_err *err)
{
	fc_calendar *cal = calloc(1, sizeof *cal);
	if (!cal)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	cal->range_from = FC_CALENDAR_MIN_YEAR;
	cal->range_to = FC_CALENDAR_MAX_YEAR;
	parser p = {path ? path : "(calendar)", 0, err, cal, NULL, 0};
	int rc;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		p.line++;
		if (memchr(text + i, 0, j - i)) {
			rc = fail(&p, 1, "NUL byte in a text file");
			goto out;
		}
		if ((rc = parse_line(&p, text + i, j - i)))
			goto out;
		i = j + 1;
	}
	if (p.open_table) {
		p.line = p.table_line;
		rc = fail(&p, 1, "table '%s' is not closed with 'end'", p.open_table->name);
		goto out;
	}
	*out = cal;
	return 0;
out:
	fc_calendar_free(cal);
	return rc;
}

int fc_calendar_load(const char *path, fc_calendar **out, fc_err *err)
{
	char *text;
	size_t len;
	int rc = fc_read_file(path, NULL, &text, &len, err);
	if (rc)
		return rc;
	rc = fc_calendar_parse(text, len, path, out, err);
	free(text);
	return rc;
}

int fc_calendar_load_country(const char *dir, const char *code, fc_calendar **out, fc_err *err)
{
	size_t n = strlen(code);
	if (n == 0 || n > 8)
		return fc_err_set(err, FC_EINVAL, "'%s' is not a country code (e.g. US, BR)", code);
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)code[i]))
			return fc_err_set(err, FC_EINVAL, "'%s' is not a country code (e.g. US, BR)", code);
	size_t need = strlen(dir) + n + 6;
	char *path = malloc(need);
	if (!path)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	snprintf(path, need, "%s/%s.cal", dir, code);
	int rc = fc_calendar_load(path, out, err);
	if (rc == FC_EIO)
		fc_err_prefix(err, "no calendar for country '%s': ", code);
	free(path);
	return rc;
}

/* ---- holiday lists -------------------------------------------------------- */

void fc_holiday_list_init(fc_holiday_list *l)
{
	memset(l, 0, sizeof *l);
	l->first_day = 1;
	l->last_day = 0;
}

void fc_holiday_list_dispose(fc_holiday_list *l)
{
	if (!l)
		return;
	free(l->items);
	for (size_t i = 0; i < l->n_names; i++)
		free(l->names[i]);
	free(l->names);
	for (size_t i = 0; i < l->n_groups; i++)
		free(l->groups[i]);
	free(l->groups);
	free(l->index);
	fc_holiday_list_init(l);
}

static int cmp_holiday(const void *a, const void *b)
{
	const fc_holiday *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	if (x->group != y->group)
		return (x->group > y->group) - (x->group < y->group);
	return (x->observed > y->observed) - (x->observed < y->observed);
}

/* Sorts items, drops exact duplicates and builds the day index. */
static int finish_list(fc_holiday_list *l, fc_err *err)
{
	if (l->n)
		qsort(l->items, l->n, sizeof *l->items, cmp_holiday);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++)
		if (w == 0 || cmp_holiday(&l->items[w - 1], &l->items[i]) != 0)
			l->items[w++] = l->items[i];
	l->n = w;
	free(l->index);
	l->index = NULL;
	if (!l->n) {
		l->first_day = 1;
		l->last_day = 0;
		return 0;
	}
	l->first_day = l->items[0].day;
	l->last_day = l->items[l->n - 1].day;
	size_t span = (size_t)((int64_t)l->last_day - l->first_day + 1);
	l->index = malloc((span + 1) * sizeof *l->index);
	if (!l->index)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	size_t pos = 0;
	for (size_t k = 0; k <= span; k++) {
		while (pos < l->n && l->items[pos].day < l->first_day + (int64_t)k)
			pos++;
		l->index[k] = (uint32_t)pos;
	}
	return 0;
}

const fc_holiday *fc_holiday_find(const fc_holiday_list *l, int32_t d, size_t *count)
{
	*count = 0;
	if (!l->index || d < l->first_day || d > l->last_day)
		return NULL;
	size_t k = (size_t)(d - l->first_day);
	uint32_t a = l->index[k], b = l->index[k + 1];
	if (a == b)
		return NULL;
	*count = b - a;
	return &l->items[a];
}

/* ---- evaluation ----------------------------------------------------------- */

typedef struct hit {
	int32_t day;
	int year;   /* the year whose rule made it */
	int rule;
	int dropped;
} hit;

typedef struct hits {
	hit *v;
	size_t n, cap;
} hits;

static int hits_push(hits *h, int32_t day, int year, int rule)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		hit *grown = realloc(h->v, cap * sizeof *grown);
		if (!grown)
			return -1;
		h->v = grown;
		h->cap = cap;
	}
	h->v[h->n++] = (hit){day, year, rule, 0};
	return 0;
}

static int cmp_hit(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->rule > y->rule) - (x->rule < y->rule);
}

/* The nth (or last, nth = -1) weekday w of a month. */
static int32_t nth_weekday(int year, int month, int nth, int w)
{
	if (nth > 0) {
		int32_t first = fc_day_from_civil(year, month, 1);
		int32_t d = first + (w - day_weekday(first) + 7) % 7 + 7 * (nth - 1);
		int y, m, dd;
		fc_day_to_civil(d, &y, &m, &dd);
		return m == month ? d : INT32_MIN;
	}
	int32_t last = fc_day_from_civil(year, month, fc_days_in_month(year, month));
	return last - (day_weekday(last) - w + 7) % 7;
}

static int rule_dates(const fc_calendar *cal, const rule *r, int year, hits *h, int ri)
{
	int32_t d = INT32_MIN;
	switch (r->kind) {
	case R_FIXED:
		if (r->month == 2 && r->day == 29 && fc_days_in_month(year, 2) != 29)
			return 0;
		d = fc_day_from_civil(year, r->month, r->day);
		break;
	case R_DATE:
		d = fc_day_from_civil(r->year, r->month, r->day);
		break;
	case R_NTH:
		d = nth_weekday(year, r->month, r->nth, r->weekday);
		if (d != INT32_MIN)
			d += r->offset;
		break;
	case R_BEFORE:
	case R_AFTER: {
		if (r->month == 2 && r->day == 29 && fc_days_in_month(year, 2) != 29)
			return 0;
		int32_t ref = fc_day_from_civil(year, r->month, r->day);
		int wd = day_weekday(ref);
		if (r->kind == R_BEFORE)
			d = ref - ((wd - r->weekday + 6) % 7 + 1);
		else
			d = ref + ((r->weekday - wd + 6) % 7 + 1);
		break;
	}
	case R_EASTER:
		d = fc_easter_western(year) + r->offset;
		break;
	case R_ORTHODOX:
		d = fc_easter_orthodox(year) + r->offset;
		break;
	case R_TABLE: {
		const table *tb = &cal->tables[r->table];
		int32_t lo = fc_day_from_civil(year, 1, 1), hi = fc_day_from_civil(year, 12, 31);
		for (size_t i = 0; i < tb->n; i++)
			if (tb->days[i] >= lo && tb->days[i] <= hi && hits_push(h, tb->days[i] + r->offset, year, ri))
				return -1;
		return 0;
	}
	default:
		return 0;
	}
	if (d == INT32_MIN)
		return 0;
	return hits_push(h, d, year, ri);
}

static const shift *shift_for(const rule *r, int year)
{
	for (size_t i = 0; i < r->n_shifts; i++)
		if (year >= r->shifts[i].from && year <= r->shifts[i].to)
			return &r->shifts[i];
	return NULL;
}

int fc_calendar_eval(const fc_calendar *cal, int from_year, int to_year, fc_holiday_list *out, fc_err *err)
{
	if (from_year > to_year)
		return fc_err_set(err, FC_EINVAL, "year range reversed: %d > %d", from_year, to_year);
	if (from_year < cal->range_from || to_year > cal->range_to)
		return fc_err_set(err, FC_EINVAL, "the %s calendar covers %d-%d only, not %d-%d",
		                  cal->country[0] ? cal->country : "holiday", cal->range_from, cal->range_to,
		                  from_year, to_year);
	int y0 = from_year - 1, y1 = to_year + 1;
	int32_t lo = fc_day_from_civil(from_year, 1, 1), hi = fc_day_from_civil(to_year, 12, 31);
	/* Every day a rule of years y0..y1 can reach, with room for shifts. */
	int32_t span_lo = fc_day_from_civil(y0, 1, 1) - 400, span_hi = fc_day_from_civil(y1, 12, 31) + 400;
	hits h = {0};
	fc_holiday_list l;
	fc_holiday_list_init(&l);
	unsigned char *taken = NULL;
	int rc = FC_ENOMEM;

	for (int y = y0; y <= y1; y++)
		for (size_t i = 0; i < cal->n_rules; i++) {
			const rule *r = &cal->rules[i];
			if (r->kind != R_BRIDGE && y >= r->from && y <= r->to && rule_dates(cal, r, y, &h, (int)i))
				goto out;
		}
	size_t n_actual = h.n;
	if (n_actual) /* h.v is NULL when no rule fell in the span */
		qsort(h.v, n_actual, sizeof *h.v, cmp_hit);
	taken = calloc((size_t)(span_hi - span_lo + 1), 1);
	if (!taken)
		goto out;
	/* 1: a day a rule names; 2: a substitute; 3: a bridge day. */
	for (size_t i = 0; i < n_actual; i++)
		if (h.v[i].day >= span_lo && h.v[i].day <= span_hi)
			taken[h.v[i].day - span_lo] = 1;

	/* Substitute days, in date order. */
	size_t n_sub = 0;
	int32_t *sub_day = malloc((n_actual + 1) * sizeof *sub_day);
	size_t *sub_of = malloc((n_actual + 1) * sizeof *sub_of);
	if (!sub_day || !sub_of) {
		free(sub_day);
		free(sub_of);
		goto out;
	}
	for (size_t i = 0; i < n_actual; i++) {
		const rule *r = &cal->rules[h.v[i].rule];
		const shift *sh = shift_for(r, h.v[i].year);
		if (!sh)
			continue;
		int wd = day_weekday(h.v[i].day);
		int to = sh->move[wd];
		if (to == MOVE_NONE)
			continue;
		int32_t d = h.v[i].day;
		if (to == MOVE_NEXT) {
			do
				d++;
			while (d < span_hi && (day_weekday(d) >= 5 || taken[d - span_lo]));
		} else {
			int fwd = (to - wd + 7) % 7, back = 7 - fwd;
			d += fwd <= back ? fwd : -back;
		}
		if (d < span_lo || d > span_hi)
			continue;
		taken[d - span_lo] = 2;
		sub_day[n_sub] = d;
		sub_of[n_sub++] = i;
		if (r->replace)
			h.v[i].dropped = 1;
	}

	/* Bridge days: one day, no Sunday, that is neither a holiday nor a
	 * substitute, between two holidays named by rules.  After the
	 * substitutes, as Japan's law has it: a substitute day is not also a
	 * bridge day. */
	for (size_t i = 0; i < cal->n_rules; i++) {
		const rule *r = &cal->rules[i];
		if (r->kind != R_BRIDGE)
			continue;
		for (size_t j = 0; j < n_actual; j++) {
			int32_t mid = h.v[j].day + 1;
			if (mid + 1 > span_hi || mid - 1 < span_lo || taken[mid - span_lo] || taken[mid + 1 - span_lo] != 1)
				continue;
			int y = day_year(mid);
			if (y < r->from || y > r->to || day_weekday(mid) == 6)
				continue;
			if (hits_push(&h, mid, y, (int)i)) {
				free(sub_day);
				free(sub_of);
				goto out;
			}
			taken[mid - span_lo] = 3;
		}
	}
	n_actual = h.n;

	size_t n_out = 0;
	for (size_t i = 0; i < n_actual; i++)
		n_out += !h.v[i].dropped && h.v[i].day >= lo && h.v[i].day <= hi;
	for (size_t i = 0; i < n_sub; i++)
		n_out += sub_day[i] >= lo && sub_day[i] <= hi;
	l.items = malloc((n_out ? n_out : 1) * sizeof *l.items);
	l.names = calloc(cal->n_names ? cal->n_names : 1, sizeof *l.names);
	if (!l.items || !l.names) {
		free(sub_day);
		free(sub_of);
		goto out;
	}
	for (size_t i = 0; i < n_actual; i++)
		if (!h.v[i].dropped && h.v[i].day >= lo && h.v[i].day <= hi)
			l.items[l.n++] = (fc_holiday){h.v[i].day, cal->rules[h.v[i].rule].id, -1, 0};
	for (size_t i = 0; i < n_sub; i++)
		if (sub_day[i] >= lo && sub_day[i] <= hi)
			l.items[l.n++] = (fc_holiday){sub_day[i], cal->rules[h.v[sub_of[i]].rule].id, -1, 1};
	free(sub_day);
	free(sub_of);
	for (size_t i = 0; i < cal->n_names; i++) {
		if (!(l.names[i] = strdup(cal->names[i])))
			goto out;
		l.n_names++;
	}
	if ((rc = finish_list(&l, err)))
		goto out;
	*out = l;
	free(h.v);
	free(taken);
	return 0;
out:
	free(h.v);
	free(taken);
	fc_holiday_list_dispose(&l);
	if (rc == FC_ENOMEM)
		fc_err_set(err, FC_ENOMEM, "out of memory");
	return rc;
}

/* ---- user events ---------------------------------------------------------- */

/* Finds or adds s in a string table; returns the index or -1 (no memory). */
static int32_t intern(char ***v, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && memcmp((*v)[i], s, len) == 0)
			return (int32_t)i;
	char **grown = realloc(*v, (*n + 1) * sizeof *grown);
	if (!grown)
		return -1;
	*v = grown;
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = 0;
	(*v)[*n] = copy;
	return (int32_t)(*n)++;
}

typedef struct field {
	char *s; /* unquoted text, NUL-terminated, owned by the row buffer */
	size_t len, col;
} field;

/* Splits one CSV record starting at text[*pos]; fields point into buf.
 * Returns the number of fields, or -1 with *bad_col for an unterminated
 * quote.  Advances *pos past the record and counts its newlines. */
static long split_record(const char *text, size_t len, size_t *pos, size_t *line, char *buf,
                         field *f, size_t max_f, size_t *bad_col)
{
	size_t i = *pos, b = 0, nf = 0, col = 1, line_start = *pos;
	int done = 0;
	while (!done) {
		if (nf == max_f)
			return -2;
		f[nf].s = buf + b;
		f[nf].col = col;
		size_t start = b;
		if (i < len && text[i] == '"') {
			size_t qcol = col;
			i++;
			for (;;) {
				if (i >= len) {
					*bad_col = qcol;
					return -1;
				}
				if (text[i] == '"') {
					if (i + 1 < len && text[i + 1] == '"') {
						buf[b++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (text[i] == '\n') {
					(*line)++;
					line_start = i + 1;
				}
				buf[b++] = text[i++];
			}
		}
		while (i < len && text[i] != ',' && text[i] != '\n') {
			if (text[i] != '\r')
				buf[b++] = text[i];
			i++;
		}
		f[nf].len = b - start;
		buf[b++] = 0;
		nf++;
		if (i < len && text[i] == ',') {
			i++;
			col = i - line_start + 1;
		} else {
			done = 1;
			if (i < len)
				i++;
		}
	}
	*pos = i;
	return (long)nf;
}

#define MAX_EVENT_COLS 64

int fc_events_load(const char *path, fc_holiday_list *out, fc_err *err)
{
	char *text;
	size_t len;
	int rc = fc_read_file(path, NULL, &text, &len, err);
	if (rc)
		return rc;
	fc_holiday_list l;
	fc_holiday_list_init(&l);
	char *buf = malloc(len + MAX_EVENT_COLS + 1), *head = malloc(len + MAX_EVENT_COLS + 1);
	field f[MAX_EVENT_COLS], hf[MAX_EVENT_COLS];
	size_t cap = 0, pos = 0, line = 0, bad_col = 0, n_head = 0;
	char *group = NULL;
	size_t group_cap = 0;
	if (!buf || !head) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	while (pos < len) {
		line++;
		size_t rec_line = line;
		long nf = split_record(text, len, &pos, &line, n_head ? buf : head, n_head ? f : hf,
		                       MAX_EVENT_COLS, &bad_col);
		if (nf == -1) {
			rc = fc_err_set(err, FC_EINPUT, "%s:%zu:%zu: unterminated quoted field", path, rec_line, bad_col);
			goto out;
		}
		if (nf == -2) {
			rc = fc_err_set(err, FC_EINPUT, "%s:%zu: more than %d columns", path, rec_line, MAX_EVENT_COLS);
			goto out;
		}
		field *r = n_head ? f : hf;
		if (nf == 1 && r[0].len == 0)
			continue; /* blank line */
		if (!n_head) {
			if (nf < 2) {
				rc = fc_err_set(err, FC_EINPUT, "%s:%zu:1: expected a header 'date,name[,group...]'",
				                path, rec_line);
				goto out;
			}
			n_head = (size_t)nf;
			continue;
		}
		if ((size_t)nf != n_head) {
			rc = fc_err_set(err, FC_EINPUT, "%s:%zu:%zu: %ld columns, the header has %zu", path, rec_line,
			                nf < (long)n_head ? r[nf - 1].col + r[nf - 1].len : r[n_head].col, nf, n_head);
			goto out;
		}
		fc_time_style style = {FC_STYLE_DATE, 0};
		fc_time when;
		if (fc_time_parse(r[0].s, r[0].len, &style, &when)) {
			rc = fc_err_set(err, FC_EINPUT, "%s:%zu:%zu: column '%s': \"%s\" is not a date YYYY-MM-DD", path,
			                rec_line, r[0].col, hf[0].s, r[0].s);
			goto out;
		}
		if (r[1].len == 0) {
			rc = fc_err_set(err, FC_EINPUT, "%s:%zu:%zu: column '%s': empty event name", path, rec_line,
			                r[1].col, hf[1].s);
			goto out;
		}
		int32_t gid = -1;
		if (n_head > 2) {
			size_t need = 1;
			for (size_t c = 2; c < n_head; c++)
				need += hf[c].len + r[c].len + 2;
			if (need > group_cap) {
				char *grown = realloc(group, need);
				if (!grown) {
					rc = fc_err_set(err, FC_ENOMEM, "out of memory");
					goto out;
				}
				group = grown;
				group_cap = need;
			}
			/* Empty values drop out of the key; an event with none at
			 * all applies to every series. */
			size_t g = 0;
			for (size_t c = 2; c < n_head; c++)
				if (r[c].len)
					g += (size_t)sprintf(group + g, "%s%s=%s", g ? ";" : "", hf[c].s, r[c].s);
			if (g && (gid = intern(&l.groups, &l.n_groups, group, g)) < 0) {
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
				goto out;
			}
		}
		int32_t id = intern(&l.names, &l.n_names, r[1].s, r[1].len);
		if (id < 0) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			goto out;
		}
		if (l.n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			fc_holiday *grown = realloc(l.items, nc * sizeof *grown);
			if (!grown) {
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
				goto out;
			}
			l.items = grown;
			cap = nc;
		}
		l.items[l.n++] = (fc_holiday){(int32_t)(when / SECS_PER_DAY), id, gid, 0};
	}
	if (!n_head) {
		rc = fc_err_set(err, FC_EINPUT, "%s: empty file: expected a header 'date,name[,group...]'", path);
		goto out;
	}
	if ((rc = finish_list(&l, err)))
		goto out;
	*out = l;
	l.items = NULL;
	l.names = NULL;
	l.groups = NULL;
	l.index = NULL;
	l.n_names = l.n_groups = 0;
out:
	fc_holiday_list_dispose(&l);
	free(group);
	free(buf);
	free(head);
	free(text);
	return rc;
}

int fc_holiday_list_merge(fc_holiday_list *dst, const fc_holiday_list *src, fc_err *err)
{
	fc_holiday_list m;
	fc_holiday_list_init(&m);
	int32_t *name_map = malloc((src->n_names + 1) * sizeof *name_map);
	int32_t *group_map = malloc((src->n_groups + 1) * sizeof *group_map);
	m.items = malloc((dst->n + src->n + 1) * sizeof *m.items);
	int rc = FC_ENOMEM;
	if (!name_map || !group_map || !m.items)
		goto out;
	for (size_t i = 0; i < dst->n_names; i++)
		if (intern(&m.names, &m.n_names, dst->names[i], strlen(dst->names[i])) < 0)
			goto out;
	for (size_t i = 0; i < dst->n_groups; i++)
		if (intern(&m.groups, &m.n_groups, dst->groups[i], strlen(dst->groups[i])) < 0)
			goto out;
	for (size_t i = 0; i < src->n_names; i++)
		if ((name_map[i] = intern(&m.names, &m.n_names, src->names[i], strlen(src->names[i]))) < 0)
			goto out;
	for (size_t i = 0; i < src->n_groups; i++)
		if ((group_map[i] = intern(&m.groups, &m.n_groups, src->groups[i], strlen(src->groups[i]))) < 0)
			goto out;
	/* dst's ids map to themselves only when its names were distinct. */
	for (size_t i = 0; i < dst->n; i++) {
		fc_holiday hd = dst->items[i];
		hd.id = intern(&m.names, &m.n_names, dst->names[hd.id], strlen(dst->names[hd.id]));
		if (hd.group >= 0)
			hd.group = intern(&m.groups, &m.n_groups, dst->groups[hd.group], strlen(dst->groups[hd.group]));
		m.items[m.n++] = hd;
	}
	for (size_t i = 0; i < src->n; i++) {
		fc_holiday hd = src->items[i];
		hd.id = name_map[hd.id];
		if (hd.group >= 0)
			hd.group = group_map[hd.group];
		m.items[m.n++] = hd;
	}
	if ((rc = finish_list(&m, err)))
		goto out;
	fc_holiday_list_dispose(dst);
	*dst = m;
	free(name_map);
	free(group_map);
	return 0;
out:
	free(name_map);
	free(group_map);
	fc_holiday_list_dispose(&m);
	if (rc == FC_ENOMEM)
		fc_err_set(err, FC_ENOMEM, "out of memory");
	return rc;
}

#ifndef FC_CALENDAR_DIR
#define FC_CALENDAR_DIR "/usr/local/share/forecast/calendars"
#endif

static int is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *fc_calendar_default_dir(void)
{
	const char *env = getenv("FORECAST_CALENDARS");
	if (env && *env)
		return env;
	if (is_dir(FC_CALENDAR_DIR))
		return FC_CALENDAR_DIR;
#ifdef FC_CALENDAR_SRC_DIR
	if (is_dir(FC_CALENDAR_SRC_DIR))
		return FC_CALENDAR_SRC_DIR;
#endif
	return FC_CALENDAR_DIR;
}
