/* Reads a long CSV file into typed row columns (see read_private.h).
 *
 * Parsing is libcsv 3 (Robin Gerhard) in strict mode with every newline
 * reported, so that this file can count lines, which libcsv does not: a line
 * ends at each row-ending callback and at each newline inside a quoted field;
 * "\r\n" counts once.  The separator is opts->sep or sniffed from the header
 * line: whichever of comma, semicolon and tab occurs most outside quotes
 * (ties in that order).  A UTF-8 byte-order mark is skipped.
 *
 * The column roles (time, target, groups, exogenous) come from opts, the
 * header names and up to SAMPLE_ROWS rows kept as text (the rules are at
 * decide_roles).  After that, rows stream straight into typed arrays: group
 * values are interned per column and the tuple of value ids maps to a series
 * id (one uint32 per row), timestamps become int64 (fc_time_parse), the
 * target and exogenous cells doubles (a Clinger-style fast path for plain
 * decimals, strtod otherwise).  Nothing is allocated per row.
 *
 * Omissions: no decimal commas or thousands separators, no comment lines, no
 * quote character other than '"'; a header row is required. */
#include "read_private.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK ((size_t)1 << 20)
#define SAMPLE_ROWS 1000
#define SHOW_MAX 60 /* bytes of a bad cell quoted in a message */

/* Input limits (README "Input limits"): beyond them a file is refused with
 * its line and column rather than read without bound or into overflow. */
#define CELL_MAX ((size_t)1 << 20) /* bytes in one cell (1 MiB) */
#define COLS_MAX 10000             /* fields in one line */
#define LINE_MAX_BYTES ((size_t)64 << 20) /* text of one row, quotes not counted (64 MiB) */
#define VALUE_MAX 1e300            /* magnitude of a target or exogenous value */

enum { ROLE_IGNORE = 0, ROLE_TIME, ROLE_TARGET, ROLE_GROUP, ROLE_EXOG };

static const char *const time_names[] = {
	"date", "ds", "timestamp", "time", "datetime", "period", "week", "month", "day"
};
static const char *const target_names[] = {
	"y", "sales", "value", "target", "demand", "qty", "quantity", "units",
	"volume", "transactions", "count", "amount", "revenue"
};
static const char *const id_names[] = {
	"id", "unique_id", "series", "series_id", "key", "store", "store_id",
	"store_nbr", "item", "item_id", "sku", "product", "product_id", "dept",
	"department", "family", "location", "region", "shop", "category"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct reader {
	fc_rows *rows;
	const fc_read_opts *opts;
	fc_err *err;
	int rc;

	size_t line;     /* the line the parser is on */
	size_t row_line; /* the line the current row began on */
	int cr_pending;  /* the last thing seen ended a line with '\r' */

	/* the current row: fields back to back, each NUL-terminated */
	char *rbuf;
	size_t rlen, rcap;
	size_t *foff, *flen;
	size_t nf, fcap;
	const char **fptr;

	int have_header;
	size_t header_line;
	size_t n_data;

	/* the first rows as text, until the roles are known */
	int sampling;
	char *stext;
	size_t slen, scap;
	size_t *soff, *slens, *sline;
	size_t n_sample;

	unsigned char *role;
	size_t *role_index; /* position among the groups or the exog columns */
	uint32_t *gids;     /* the current row's group value ids */
	uint32_t *last_gid; /* per group column, the previous row's id */
	int have_last;      /* last_gid and last_sid are valid */
	uint32_t last_sid;
	char last_time[64];
	size_t last_time_len; /* 0 = no cached timestamp */
	fc_time last_time_val;
	size_t expect_line; /* the line of the next row if no mark is needed */
} reader;

/* ---------------------------------------------------------------- errors */

static int fail(reader *r, int code, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(reader *r, int code, size_t line, size_t col, const char *fmt, ...)
{
	if (r->rc)
		return r->rc;
	char msg[FC_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *name = r->rows->name ? r->rows->name : "?";
	if (line && col)
		fc_err_set(r->err, code, "%s:%zu:%zu: %s", name, line, col, msg);
	else if (line)
		fc_err_set(r->err, code, "%s:%zu: %s", name, line, msg);
	else
		fc_err_set(r->err, code, "%s: %s", name, msg);
	r->rc = code;
	return code;
}

static int nomem(reader *r)
{
	return fail(r, FC_ENOMEM, 0, 0, "out of memory");
}

/* Appends printf text to buf (capacity cap), truncating with "...". */
static void cat(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cat(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	if (len + 4 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - len)
		memcpy(buf + cap - 4, "...", 4);
}

/* "a, b, c": the names of columns idx[0..n) (idx NULL: the first n). */
static void list_cols(const fc_rows *rows, const size_t *idx, size_t n, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		cat(buf, cap, "%s%s", i ? ", " : "", rows->col_names[idx ? idx[i] : i]);
}

static const char *style_text(fc_time_style st)
{
	switch (st.kind) {
	case FC_STYLE_INT: return "integer time steps";
	case FC_STYLE_MONTH: return "YYYY-MM";
	case FC_STYLE_DATE: return "YYYY-MM-DD";
	case FC_STYLE_DATETIME_MIN: return st.sep == 'T' ? "YYYY-MM-DDTHH:MM" : "YYYY-MM-DD HH:MM";
	case FC_STYLE_DATETIME:
		return st.sep == 'T' ? "YYYY-MM-DDTHH:MM:SS" : "YYYY-MM-DD HH:MM:SS";
	default: return "unknown";
	}
}

/* ---------------------------------------------------------------- cells */

static int is_missing(const char *s, size_t n)
{
	return n == 0 || (n == 2 && strncasecmp(s, "na", 2) == 0) ||
	       (n == 3 && strncasecmp(s, "nan", 3) == 0) ||
	       (n == 4 && strncasecmp(s, "null", 4) == 0);
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static const double pow10_tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15
};

/* A number written in decimal (optional sign, digits, point, exponent) that
 * spans exactly s[0..n); 0 and the value, or -1.  Infinities, NaN spelled
 * out and hexadecimal floats are refused. */
static int parse_decimal(const char *s, size_t n, double *out)
{
	const char *p = s, *end = s + n;
	int neg = 0;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	uint64_t m = 0;
	int digits = 0, frac = 0;
	while (p < end && (unsigned)(*p - '0') < 10)
		m = m * 10 + (uint64_t)(*p++ - '0'), digits++;
	if (p < end && *p == '.') {
		p++;
		while (p < end && (unsigned)(*p - '0') < 10)
			m = m * 10 + (uint64_t)(*p++ - '0'), digits++, frac++;
	}
	/* Exact: m < 10^15 < 2^53 and 10^frac are doubles, and one IEEE
	 * division rounds correctly, so this equals strtod. */
	if (p == end && digits > 0 && digits <= 15) {
		double v = (double)m;
		if (frac)
			v /= pow10_tab[frac];
		*out = neg ? -v : v;
		return 0;
	}
	if (n == 0)
		return -1;
	for (p = s; p < end; p++)
		if (!((unsigned)(*p - '0') < 10 || *p == '.' || *p == 'e' || *p == 'E' ||
		      *p == '+' || *p == '-'))
			return -1;
	char small[64];
	if (n >= sizeof small) /* cells are not NUL-terminated: strtod must not run on */
		return -1;
	memcpy(small, s, n);
	small[n] = '\0';
	const char *t = small;
	char *e;
	double v = strtod(t, &e);
	if (e != t + n || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int fc_parse_key_number(const char *s, double *out)
{
	return parse_decimal(s, strlen(s), out) == 0;
}

/* Target/exog cell: 0 with NaN for a missing token, 0 and the number, or -1. */
static int parse_cell(const char *s, size_t n, double *out)
{
	trim(&s, &n);
	if (is_missing(s, n)) {
		*out = NAN;
		return 0;
	}
	return parse_decimal(s, n, out);
}

/* ---------------------------------------------------------------- interning */

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int strtab_grow_slots(fc_strtab *t)
{
	size_t ns = t->n_slots ? t->n_slots * 2 : 64;
	uint32_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = t->hash[i] & (ns - 1);
		while (slots[j])
			j = (j + 1) & (ns - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->n_slots = ns;
	return 0;
}

static int strtab_intern(fc_strtab *t, const char *s, size_t n, uint32_t *id)
{
	uint32_t h = hash_bytes(s, n);
	if (t->n_slots) {
		size_t j = h & (t->n_slots - 1);
		for (; t->slots[j]; j = (j + 1) & (t->n_slots - 1)) {
			uint32_t k = t->slots[j] - 1;
			if (t->hash[k] == h && t->len[k] == n && memcmp(t->text + t->off[k], s, n) == 0) {
				*id = k;
				return 0;
			}
		}
	}
	if (n >= UINT32_MAX || t->n >= UINT32_MAX - 1)
		return -1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		size_t *off = realloc(t->off, cap * sizeof *off);
		if (!off)
			return -1;
		t->off = off;
		uint32_t *len = realloc(t->len, cap * sizeof *len);
		if (!len)
			return -1;
		t->len = len;
		uint32_t *hh = realloc(t->hash, cap * sizeof *hh);
		if (!hh)
			return -1;
		t->hash = hh;
		t->cap = cap;
	}
	if (t->text_len + n + 1 > t->text_cap) {
		size_t cap = t->text_cap ? t->text_cap : 256;
		while (cap < t->text_len + n + 1)
			cap *= 2;
		char *text = realloc(t->text, cap);
		if (!text)
			return -1;
		t->text = text;
		t->text_cap = cap;
	}
	if ((t->n + 1) * 2 > t->n_slots && strtab_grow_slots(t))
		return -1;
	memcpy(t->text + t->text_len, s, n);
	t->text[t->text_len + n] = '\0';
	t->off[t->n] = t->text_len;
	t->len[t->n] = (uint32_t)n;
	t->hash[t->n] = h;
	t->text_len += n + 1;
	size_t j = h & (t->n_slots - 1);
	while (t->slots[j])
		j = (j + 1) & (t->n_slots - 1);
	t->slots[j] = (uint32_t)t->n + 1;
	*id = (uint32_t)t->n++;
	return 0;
}

static void strtab_dispose(fc_strtab *t)
{
	free(t->text);
	free(t->off);
	free(t->len);
	free(t->hash);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static uint32_t hash_ids(const uint32_t *ids, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ ids[i]) * 0xff51afd7ed558ccdu;
	return (uint32_t)(h ^ (h >> 32));
}

static int series_rehash(fc_rows *rows, size_t ns)
{
	uint32_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t s = 0; s < rows->n_series; s++) {
		size_t j = hash_ids(rows->series_gids + s * rows->n_groups, rows->n_groups) & (ns - 1);
		while (slots[j])
			j = (j + 1) & (ns - 1);
		slots[j] = (uint32_t)s + 1;
	}
	free(rows->series_slots);
	rows->series_slots = slots;
	rows->series_n_slots = ns;
	return 0;
}

/* The series id of the group value tuple ids[0..n_groups), new if unseen. */
static int series_id(fc_rows *rows, const uint32_t *ids, uint32_t *sid)
{
	size_t g = rows->n_groups;
	uint32_t h = hash_ids(ids, g);
	if (rows->series_n_slots) {
		size_t mask = rows->series_n_slots - 1;
		for (size_t j = h & mask; rows->series_slots[j]; j = (j + 1) & mask) {
			uint32_t s = rows->series_slots[j] - 1;
			if (memcmp(rows->series_gids + (size_t)s * g, ids, g * sizeof *ids) == 0) {
				*sid = s;
				return 0;
			}
		}
	}
	if (rows->n_series >= UINT32_MAX - 1)
		return -1;
	if (rows->n_series == rows->series_cap) {
		size_t cap = rows->series_cap ? rows->series_cap * 2 : 64;
		uint32_t *gids = realloc(rows->series_gids, cap * g * sizeof *gids);
		if (!gids)
			return -1;
		rows->series_gids = gids;
		rows->series_cap = cap;
	}
	memcpy(rows->series_gids + rows->n_series * g, ids, g * sizeof *ids);
	rows->n_series++;
	if (rows->n_series * 2 > rows->series_n_slots) {
		size_t ns = rows->series_n_slots ? rows->series_n_slots * 2 : 64;
		if (series_rehash(rows, ns)) {
			rows->n_series--;
			return -1;
		}
	} else {
		size_t mask = rows->series_n_slots - 1, j = h & mask;
		while (rows->series_slots[j])
			j = (j + 1) & mask;
		rows->series_slots[j] = (uint32_t)rows->n_series;
	}
	*sid = (uint32_t)(rows->n_series - 1);
	return 0;
}

/* ---------------------------------------------------------------- rows */

size_t fc_rows_line(const fc_rows *rows, size_t row)
{
	size_t lo = 0, hi = rows->n_marks; /* last mark with .row <= row */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows->marks[mid].row <= row)
			lo = mid;
		else
			hi = mid;
	}
	if (!rows->n_marks)
		return 0;
	return rows->marks[lo].line + (row - rows->marks[lo].row);
}

static int grow_rows(reader *r)
{
	fc_rows *rows = r->rows;
	size_t cap = rows->cap ? rows->cap * 2 : 4096;
	if (cap > (size_t)UINT32_MAX)
		cap = UINT32_MAX;
	if (rows->n_rows >= cap)
		return fail(r, FC_EINPUT, 0, 0, "more than %zu data rows", rows->n_rows);
	uint32_t *sid = realloc(rows->sid, cap * sizeof *sid);
	if (!sid)
		return nomem(r);
	rows->sid = sid;
	fc_time *t = realloc(rows->t, cap * sizeof *t);
	if (!t)
		return nomem(r);
	rows->t = t;
	double *y = realloc(rows->y, cap * sizeof *y);
	if (!y)
		return nomem(r);
	rows->y = y;
	for (size_t k = 0; k < rows->n_exog; k++) {
		double *x = realloc(rows->exog[k], cap * sizeof *x);
		if (!x)
			return nomem(r);
		rows->exog[k] = x;
	}
	rows->cap = cap;
	return 0;
}

static int bad_number(reader *r, size_t line, size_t c, const char *s, size_t n)
{
	const char *name = r->rows->col_names[c];
	const char *comma = memchr(s, ',', n);
	double v;
	/* "12,5" with a semicolon or tab separator: say why it is refused */
	if (comma && n < 64) {
		char tmp[64];
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		tmp[comma - s] = '.';
		if (parse_cell(tmp, n, &v) == 0)
			return fail(r, FC_EINPUT, line, c + 1,
			            "column '%s': \"%.*s\" is not a number (decimal commas are not supported)",
			            name, (int)n, s);
	}
	return fail(r, FC_EINPUT, line, c + 1, "column '%s': \"%.*s%s\" is not a number", name,
	            (int)(n > SHOW_MAX ? SHOW_MAX : n), s, n > SHOW_MAX ? "..." : "");
}

/* A target or exogenous cell: a number of magnitude up to VALUE_MAX, or
 * missing.  1e308 is finite, but sums and squares of it are not. */
static int take_number(reader *r, const char *s, size_t n, size_t line, size_t c, double *out)
{
	if (parse_cell(s, n, out))
		return bad_number(r, line, c, s, n);
	if (fabs(*out) > VALUE_MAX)
		return fail(r, FC_EINPUT, line, c + 1,
		            "column '%s': \"%.*s%s\" is too large (values are limited to %g in "
		            "magnitude)", r->rows->col_names[c], (int)(n > SHOW_MAX ? SHOW_MAX : n), s,
		            n > SHOW_MAX ? "..." : "", VALUE_MAX);
	return 0;
}

static int take_time(reader *r, const char *s, size_t n, size_t line, size_t c, fc_time *out)
{
	fc_rows *rows = r->rows;
	trim(&s, &n);
	if (n && n == r->last_time_len && memcmp(s, r->last_time, n) == 0) {
		*out = r->last_time_val;
		return 0;
	}
	const char *name = rows->col_names[c];
	if (is_missing(s, n))
		return fail(r, FC_EINPUT, line, c + 1, "column '%s': missing timestamp", name);
	fc_time_style st = rows->style;
	if (fc_time_parse(s, n, &st, out) == 0) {
		rows->style = st;
		if (n < sizeof r->last_time) {
			memcpy(r->last_time, s, n);
			r->last_time_len = n;
			r->last_time_val = *out;
		}
		return 0;
	}
	int show = (int)(n > SHOW_MAX ? SHOW_MAX : n);
	if (rows->style.kind != FC_STYLE_UNKNOWN) {
		fc_time_style any = { FC_STYLE_UNKNOWN, 0 };
		fc_time t;
		if (fc_time_parse(s, n, &any, &t) == 0)
			return fail(r, FC_EINPUT, line, c + 1,
			            "mixed time formats: \"%.*s\" on this line, but earlier rows use %s",
			            show, s, style_text(rows->style));
		return fail(r, FC_EINPUT, line, c + 1,
		            "column '%s': \"%.*s\" is not a valid timestamp (expected %s)", name, show,
		            s, style_text(rows->style));
	}
	return fail(r, FC_EINPUT, line, c + 1,
	            "column '%s': \"%.*s\" is not a valid timestamp (expected YYYY-MM-DD, "
	            "YYYY-MM, YYYY-MM-DD HH:MM[:SS] or an integer)", name, show, s);
}

/* Stores one data row whose n_cols fields are f[i] (len[i] bytes,
 * NUL-terminated) from the given line. */
static int process_row(reader *r, const char *const *f, const size_t *len, size_t line)
{
	fc_rows *rows = r->rows;
	if (rows->n_rows == rows->cap && grow_rows(r))
		return r->rc;
	size_t i = rows->n_rows;
	if (i == 0 || line != r->expect_line) {
		if (rows->n_marks == rows->marks_cap) {
			size_t cap = rows->marks_cap ? rows->marks_cap * 2 : 16;
			fc_line_mark *m = realloc(rows->marks, cap * sizeof *m);
			if (!m)
				return nomem(r);
			rows->marks = m;
			rows->marks_cap = cap;
		}
		rows->marks[rows->n_marks].row = i;
		rows->marks[rows->n_marks++].line = line;
	}
	r->expect_line = line + 1;

	for (size_t c = 0; c < rows->n_cols; c++) {
		switch (r->role[c]) {
		case ROLE_TIME:
			if (take_time(r, f[c], len[c], line, c, &rows->t[i]))
				return r->rc;
			break;
		case ROLE_TARGET:
			if (take_number(r, f[c], len[c], line, c, &rows->y[i]))
				return r->rc;
			break;
		case ROLE_EXOG:
			if (take_number(r, f[c], len[c], line, c, &rows->exog[r->role_index[c]][i]))
				return r->rc;
			break;
		case ROLE_GROUP: {
			size_t k = r->role_index[c];
			fc_strtab *t = &rows->groups[k];
			uint32_t id = r->last_gid[k];
			if (!(r->have_last && t->len[id] == len[c] &&
			      memcmp(t->text + t->off[id], f[c], len[c]) == 0)) {
				if (strtab_intern(t, f[c], len[c], &id))
					return nomem(r);
			}
			r->gids[k] = id;
			break;
		}
		default:
			break;
		}
	}
	uint32_t sid = 0;
	size_t g = rows->n_groups;
	if (g == 0) {
		rows->n_series = 1;
	} else if (r->have_last && memcmp(r->gids, r->last_gid, g * sizeof *r->gids) == 0) {
		sid = r->last_sid;
	} else {
		if (series_id(rows, r->gids, &sid))
			return nomem(r);
		memcpy(r->last_gid, r->gids, g * sizeof *r->gids);
		r->last_sid = sid;
		r->have_last = 1;
	}
	rows->sid[i] = sid;
	rows->n_rows++;
	return 0;
}

/* ---------------------------------------------------------------- roles */

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static int is_id_name(const char *name)
{
	size_t n = strlen(name);
	return in_list(name, id_names, COUNT(id_names)) ||
	       (n > 3 && (strcasecmp(name + n - 3, "_id") == 0)) ||
	       (n > 4 && (strcasecmp(name + n - 4, "_nbr") == 0));
}

/* Column named `name` (exact match, else the only case-insensitive one). */
static int find_col(reader *r, const char *name, size_t *idx)
{
	fc_rows *rows = r->rows;
	size_t hit = 0, n_hits = 0;
	for (size_t c = 0; c < rows->n_cols; c++)
		if (strcmp(rows->col_names[c], name) == 0) {
			*idx = c;
			return 0;
		}
	for (size_t c = 0; c < rows->n_cols; c++)
		if (strcasecmp(rows->col_names[c], name) == 0)
			hit = c, n_hits++;
	if (n_hits == 1) {
		*idx = hit;
		return 0;
	}
	char list[400];
	list_cols(rows, NULL, rows->n_cols, list, sizeof list);
	return fail(r, FC_EINVAL, 0, 0, "unknown column '%s'; columns are: %s", name, list);
}

typedef struct colinfo {
	int numeric;  /* every present sampled value is a number */
	int calendar; /* ... is a timestamp of a date or date-time style */
} colinfo;

static void classify(reader *r, colinfo *ci)
{
	size_t nc = r->rows->n_cols;
	for (size_t c = 0; c < nc; c++) {
		size_t present = 0;
		ci[c].numeric = ci[c].calendar = 1;
		for (size_t i = 0; i < r->n_sample && (ci[c].numeric || ci[c].calendar); i++) {
			const char *s = r->stext + r->soff[i * nc + c];
			size_t n = r->slens[i * nc + c];
			trim(&s, &n);
			if (is_missing(s, n))
				continue;
			present++;
			double v;
			if (ci[c].numeric && parse_decimal(s, n, &v))
				ci[c].numeric = 0;
			if (ci[c].calendar) {
				fc_time_style st = { FC_STYLE_UNKNOWN, 0 };
				fc_time t;
				if (fc_time_parse(s, n, &st, &t) || st.kind == FC_STYLE_INT)
					ci[c].calendar = 0;
			}
		}
		if (!present)
			ci[c].calendar = 0; /* all missing: numeric (all NaN), no time */
	}
}

/* Decides the column roles.  Rules (the issue's, plus the tie-breaks noted):
 *   time: --time; else the column named date, ds, timestamp, time, datetime,
 *     period, week, month or day (case-insensitive); if several are so
 *     named, the only one of them holding dates (so "date" wins over a
 *     numeric "week"); with no such name, the only column whose sampled
 *     values all parse as date/date-time timestamps (integer columns count
 *     as time only by name).
 *   groups: --group (names in the order given; "" = none); else every
 *     non-numeric column but the time (and but a column with a target name,
 *     so that a target written "12,5" gets a "not a number" error rather
 *     than becoming a key), plus numeric columns with an ID-like name.
 *   target: --target; else the only remaining column with a target name;
 *     else the only remaining numeric column.
 *   exogenous: every remaining numeric column.  With explicit groups a
 *     remaining non-numeric column is ignored: the user chose the keys, and
 *     a text column cannot be a regressor. */
static int decide_roles(reader *r)
{
	fc_rows *rows = r->rows;
	const fc_read_opts *o = r->opts;
	size_t nc = rows->n_cols;
	colinfo *ci = calloc(nc, sizeof *ci);
	size_t *cand = malloc(nc * sizeof *cand), *cal = malloc(nc * sizeof *cal);
	char *names = NULL;
	r->role = calloc(nc, 1);
	r->role_index = calloc(nc, sizeof *r->role_index);
	rows->group_cols = malloc(nc * sizeof *rows->group_cols);
	rows->exog_cols = malloc(nc * sizeof *rows->exog_cols);
	char list[400];
	size_t n_cand = 0, n_cal = 0, tc = 0, yc = 0;
	int have_target = 0;
	if (!ci || !cand || !cal || !r->role || !r->role_index || !rows->group_cols ||
	    !rows->exog_cols) {
		nomem(r);
		goto out;
	}
	classify(r, ci);

	/* time */
	if (o->time_col) {
		if (find_col(r, o->time_col, &tc))
			goto out;
	} else {
		for (size_t c = 0; c < nc; c++)
			if (in_list(rows->col_names[c], time_names, COUNT(time_names)))
				cand[n_cand++] = c;
		for (size_t i = 0; i < n_cand; i++)
			if (ci[cand[i]].calendar)
				cal[n_cal++] = cand[i];
		if (n_cand == 1) {
			tc = cand[0];
		} else if (n_cand > 1 && n_cal == 1) {
			tc = cal[0];
		} else if (n_cand > 1) {
			list_cols(rows, cand, n_cand, list, sizeof list);
			fail(r, FC_EINPUT, 0, 0, "ambiguous time column: candidates are %s; "
			     "use --time NAME", list);
			goto out;
		} else {
			n_cal = 0;
			for (size_t c = 0; c < nc; c++)
				if (ci[c].calendar)
					cal[n_cal++] = c;
			if (n_cal == 1) {
				tc = cal[0];
			} else if (n_cal > 1) {
				list_cols(rows, cal, n_cal, list, sizeof list);
				fail(r, FC_EINPUT, 0, 0, "ambiguous time column: candidates holding "
				     "dates are %s; use --time NAME", list);
				goto out;
			} else {
				list_cols(rows, NULL, nc, list, sizeof list);
				fail(r, FC_EINPUT, 0, 0, "no time column found (none is named date, ds, "
				     "timestamp, time, ... or holds dates); columns are: %s; "
				     "use --time NAME", list);
				goto out;
			}
		}
	}
	rows->time_col = tc;
	r->role[tc] = ROLE_TIME;

	if (o->target_col) {
		if (find_col(r, o->target_col, &yc))
			goto out;
		if (yc == tc) {
			fail(r, FC_EINVAL, 0, 0, "column '%s' cannot be both the time and the target",
			     rows->col_names[yc]);
			goto out;
		}
		have_target = 1;
		r->role[yc] = ROLE_TARGET;
	}

	/* groups */
	if (o->group_cols) {
		names = strdup(o->group_cols);
		if (!names) {
			nomem(r);
			goto out;
		}
		for (char *save = NULL, *tok = strtok_r(names, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			size_t n = strlen(tok), c;
			while (n && tok[n - 1] == ' ')
				tok[--n] = '\0';
			if (!n)
				continue;
			if (find_col(r, tok, &c))
				goto out;
			if (r->role[c] != ROLE_IGNORE) {
				fail(r, FC_EINVAL, 0, 0, "column '%s' is named twice: as a group and as the %s",
				     rows->col_names[c], r->role[c] == ROLE_TIME ? "time" :
				     r->role[c] == ROLE_TARGET ? "target" : "group again");
				goto out;
			}
			r->role[c] = ROLE_GROUP;
			rows->group_cols[rows->n_groups++] = c;
		}
	} else {
		for (size_t c = 0; c < nc; c++) {
			const char *name = rows->col_names[c];
			if (r->role[c] != ROLE_IGNORE)
				continue;
			if (!have_target && in_list(name, target_names, COUNT(target_names)))
				continue;
			if (!ci[c].numeric || is_id_name(name)) {
				r->role[c] = ROLE_GROUP;
				rows->group_cols[rows->n_groups++] = c;
			}
		}
	}

	/* target */
	if (!have_target) {
		n_cand = 0;
		for (size_t c = 0; c < nc; c++)
			if (r->role[c] == ROLE_IGNORE &&
			    in_list(rows->col_names[c], target_names, COUNT(target_names)))
				cand[n_cand++] = c;
		if (n_cand == 0)
			for (size_t c = 0; c < nc; c++)
				if (r->role[c] == ROLE_IGNORE && ci[c].numeric)
					cand[n_cand++] = c;
		if (n_cand > 1) {
			list_cols(rows, cand, n_cand, list, sizeof list);
			fail(r, FC_EINPUT, 0, 0, "ambiguous target column: candidates are %s; "
			     "use --target NAME", list);
			goto out;
		}
		if (n_cand == 0) {
			list_cols(rows, NULL, nc, list, sizeof list);
			fail(r, FC_EINPUT, 0, 0, "no target column found (no numeric column is left "
			     "besides the time and the groups); columns are: %s; use --target NAME",
			     list);
			goto out;
		}
		yc = cand[0];
		r->role[yc] = ROLE_TARGET;
	}
	rows->target_col = yc;

	for (size_t c = 0; c < nc; c++)
		if (r->role[c] == ROLE_IGNORE && ci[c].numeric) {
			r->role[c] = ROLE_EXOG;
			rows->exog_cols[rows->n_exog++] = c;
		}
	for (size_t k = 0; k < rows->n_groups; k++)
		r->role_index[rows->group_cols[k]] = k;
	for (size_t k = 0; k < rows->n_exog; k++)
		r->role_index[rows->exog_cols[k]] = k;

	size_t g = rows->n_groups ? rows->n_groups : 1;
	rows->groups = calloc(g, sizeof *rows->groups);
	rows->exog = calloc(rows->n_exog ? rows->n_exog : 1, sizeof *rows->exog);
	r->gids = calloc(g, sizeof *r->gids);
	r->last_gid = calloc(g, sizeof *r->last_gid);
	if (!rows->groups || !rows->exog || !r->gids || !r->last_gid)
		nomem(r);
out:
	free(ci);
	free(cand);
	free(cal);
	free(names);
	return r->rc;
}

/* Roles from the sample, then the sampled rows go through process_row. */
static int finish_sampling(reader *r)
{
	r->sampling = 0;
	if (decide_roles(r))
		return r->rc;
	size_t nc = r->rows->n_cols;
	for (size_t i = 0; i < r->n_sample; i++) {
		for (size_t c = 0; c < nc; c++)
			r->fptr[c] = r->stext + r->soff[i * nc + c];
		if (process_row(r, r->fptr, r->slens + i * nc, r->sline[i]))
			return r->rc;
	}
	free(r->stext);
	free(r->soff);
	free(r->slens);
	free(r->sline);
	r->stext = NULL;
	r->soff = r->slens = r->sline = NULL;
	return 0;
}

static int keep_sample(reader *r)
{
	size_t nc = r->rows->n_cols;
	if (!r->soff) {
		r->soff = malloc(SAMPLE_ROWS * nc * sizeof *r->soff);
		r->slens = malloc(SAMPLE_ROWS * nc * sizeof *r->slens);
		r->sline = malloc(SAMPLE_ROWS * sizeof *r->sline);
		if (!r->soff || !r->slens || !r->sline)
			return nomem(r);
	}
	if (r->slen + r->rlen > r->scap) {
		size_t cap = r->scap ? r->scap : 4096;
		while (cap < r->slen + r->rlen)
			cap *= 2;
		char *t = realloc(r->stext, cap);
		if (!t)
			return nomem(r);
		r->stext = t;
		r->scap = cap;
	}
	memcpy(r->stext + r->slen, r->rbuf, r->rlen);
	size_t i = r->n_sample++;
	for (size_t c = 0; c < nc; c++) {
		r->soff[i * nc + c] = r->slen + r->foff[c];
		r->slens[i * nc + c] = r->flen[c];
	}
	r->sline[i] = r->row_line;
	r->slen += r->rlen;
	if (r->n_sample == SAMPLE_ROWS)
		return finish_sampling(r);
	return 0;
}

static int take_header(reader *r)
{
	fc_rows *rows = r->rows;
	size_t nc = r->nf;
	r->have_header = 1;
	r->header_line = r->row_line;
	rows->col_names = calloc(nc, sizeof *rows->col_names);
	r->fptr = calloc(nc, sizeof *r->fptr);
	if (!rows->col_names || !r->fptr)
		return nomem(r);
	rows->n_cols = nc;
	for (size_t c = 0; c < nc; c++) {
		const char *s = r->rbuf + r->foff[c];
		size_t n = r->flen[c];
		trim(&s, &n);
		rows->col_names[c] = malloc(n + 1);
		if (!rows->col_names[c])
			return nomem(r);
		memcpy(rows->col_names[c], s, n);
		rows->col_names[c][n] = '\0';
	}
	/* a data row where the header should be */
	size_t n_num = 0, n_cal = 0;
	for (size_t c = 0; c < nc; c++) {
		const char *s = rows->col_names[c];
		size_t n = strlen(s);
		fc_time_style st = { FC_STYLE_UNKNOWN, 0 };
		fc_time t;
		double v;
		n_num += n && parse_decimal(s, n, &v) == 0;
		n_cal += n && fc_time_parse(s, n, &st, &t) == 0 && st.kind != FC_STYLE_INT;
	}
	if (n_cal || n_num == nc)
		return fail(r, FC_EINPUT, r->header_line, 0,
		            "the first line looks like data, not a header; a header row naming the "
		            "columns is required");
	for (size_t c = 0; c < nc; c++)
		for (size_t d = 0; d < c; d++)
			if (strcmp(rows->col_names[c], rows->col_names[d]) == 0)
				return fail(r, FC_EINPUT, r->header_line, c + 1,
				            "duplicate column name '%s' (also column %zu)",
				            rows->col_names[c], d + 1);
	if (nc < 2)
		return fail(r, FC_EINPUT, r->header_line, 0,
		            "the header has %zu column; at least a time and a target column are "
		            "needed (is the separator right? use --sep)", nc);
	return 0;
}

static void end_row(reader *r)
{
	if (!r->have_header) {
		take_header(r);
		return;
	}
	if (r->nf != r->rows->n_cols) {
		fail(r, FC_EINPUT, r->row_line, 0, "expected %zu fields, found %zu", r->rows->n_cols,
		     r->nf);
		return;
	}
	r->n_data++;
	if (r->sampling) {
		keep_sample(r);
		return;
	}
	for (size_t c = 0; c < r->nf; c++)
		r->fptr[c] = r->rbuf + r->foff[c];
	process_row(r, r->fptr, r->flen, r->row_line);
}

/* ---------------------------------------------------------------- libcsv */

static void cell_too_large(reader *r)
{
	fail(r, FC_EINPUT, r->line, r->nf + 1, "cell longer than %zu bytes (the limit)", CELL_MAX);
}

/* A row's text so far, separators included, is `len` bytes: past the limit
 * it is refused at the line where it began (a row of many cells that are
 * each within CELL_MAX would otherwise grow without bound). */
static int line_too_long(reader *r, size_t len)
{
	if (len <= LINE_MAX_BYTES)
		return 0;
	fail(r, FC_EINPUT, r->row_line, 0, "line longer than %zu bytes (the limit)", LINE_MAX_BYTES);
	return 1;
}

static void on_field(void *s, size_t n, void *data)
{
	reader *r = data;
	if (r->rc)
		return;
	if (r->nf == 0)
		r->row_line = r->line;
	r->cr_pending = 0;
	if (r->nf == COLS_MAX) {
		fail(r, FC_EINPUT, r->row_line, r->nf + 1, "more than %d columns (the limit)", COLS_MAX);
		return;
	}
	if (n > CELL_MAX) {
		cell_too_large(r);
		return;
	}
	if (line_too_long(r, r->rlen + n))
		return;
	if (r->nf == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 16;
		size_t *off = realloc(r->foff, cap * sizeof *off);
		if (!off) {
			nomem(r);
			return;
		}
		r->foff = off;
		size_t *len = realloc(r->flen, cap * sizeof *len);
		if (!len) {
			nomem(r);
			return;
		}
		r->flen = len;
		r->fcap = cap;
	}
	if (r->rlen + n + 1 > r->rcap) {
		size_t cap = r->rcap ? r->rcap : 1024;
		while (cap < r->rlen + n + 1)
			cap *= 2;
		char *b = realloc(r->rbuf, cap);
		if (!b) {
			nomem(r);
			return;
		}
		r->rbuf = b;
		r->rcap = cap;
	}
	const char *p = s;
	memcpy(r->rbuf + r->rlen, p, n);
	r->rbuf[r->rlen + n] = '\0';
	r->foff[r->nf] = r->rlen;
	r->flen[r->nf++] = n;
	r->rlen += n + 1;
	/* newlines inside a quoted field: "\r\n", "\n" and a lone "\r" end a line */
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
			r->line++;
}

static void on_row(int c, void *data)
{
	reader *r = data;
	if (r->rc)
		return;
	if (r->nf == 0) { /* a blank line, or the '\n' of a "\r\n" */
		if (c == '\n' && r->cr_pending) {
			r->cr_pending = 0;
			return;
		}
		r->cr_pending = c == '\r';
		if (c >= 0)
			r->line++;
		return;
	}
	r->cr_pending = c == '\r';
	end_row(r);
	r->nf = 0;
	r->rlen = 0;
	if (c >= 0)
		r->line++;
}

/* The candidate separator occurring most in the first line, outside quotes. */
static char sniff(const char *s, size_t n)
{
	size_t comma = 0, semi = 0, tab = 0;
	int quoted = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			comma++;
		else if (c == ';')
			semi++;
		else if (c == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

static void reader_dispose(reader *r)
{
	free(r->rbuf);
	free(r->foff);
	free(r->flen);
	free(r->fptr);
	free(r->stext);
	free(r->soff);
	free(r->slens);
	free(r->sline);
	free(r->role);
	free(r->role_index);
	free(r->gids);
	free(r->last_gid);
}

void fc_rows_dispose(fc_rows *rows)
{
	if (!rows)
		return;
	free(rows->name);
	for (size_t c = 0; c < rows->n_cols; c++)
		free(rows->col_names ? rows->col_names[c] : NULL);
	free(rows->col_names);
	free(rows->group_cols);
	free(rows->exog_cols);
	free(rows->sid);
	free(rows->t);
	free(rows->y);
	if (rows->exog)
		for (size_t k = 0; k < rows->n_exog; k++)
			free(rows->exog[k]);
	free(rows->exog);
	free(rows->series_gids);
	free(rows->series_slots);
	if (rows->groups)
		for (size_t k = 0; k < rows->n_groups; k++)
			strtab_dispose(&rows->groups[k]);
	free(rows->groups);
	free(rows->marks);
	memset(rows, 0, sizeof *rows);
}

int fc_csv_read(const char *path, const fc_read_opts *opts, fc_rows *rows, fc_err *err)
{
	memset(rows, 0, sizeof *rows);
	reader r;
	memset(&r, 0, sizeof r);
	r.rows = rows;
	r.opts = opts;
	r.err = err;
	r.line = 1;
	r.sampling = 1;
	int is_stdin = strcmp(path, "-") == 0;
	rows->name = strdup(is_stdin ? "<stdin>" : path);
	if (!rows->name)
		return fc_err_set(err, FC_ENOMEM, "out of memory");

	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		fc_err_set(err, FC_EIO, "cannot open '%s': %s", path, strerror(errno));
		fc_rows_dispose(rows);
		return FC_EIO;
	}
	char *buf = malloc(CHUNK);
	struct csv_parser p;
	int parser_live = 0;
	if (!buf) {
		nomem(&r);
		goto out;
	}
	if (csv_init(&p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		nomem(&r);
		goto out;
	}
	parser_live = 1;
	size_t n = fread(buf, 1, CHUNK, fp), skip = 0;
	if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	csv_set_delim(&p, (unsigned char)(opts->sep ? opts->sep : sniff(buf + skip, n - skip)));
	while (n > 0) {
		size_t done = csv_parse(&p, buf + skip, n - skip, on_field, on_row, &r);
		if (!r.rc && p.entry_pos > CELL_MAX) /* a cell still open: bound it */
			cell_too_large(&r);
		if (!r.rc && r.nf)  /* and the row it is in */
			line_too_long(&r, r.rlen + p.entry_pos);
		if (r.rc)
			goto out;
		if (done != n - skip) {
			int e = csv_error(&p);
			if (e == CSV_ENOMEM)
				nomem(&r);
			else if (e == CSV_ETOOBIG)
				fail(&r, FC_EINPUT, r.line, r.nf + 1, "field too large");
			else if (buf[skip + done] == '"')
				fail(&r, FC_EINPUT, r.line, r.nf + 1,
				     "stray '\"' in an unquoted field (quote the whole field and double "
				     "the quotes inside it)");
			else
				fail(&r, FC_EINPUT, r.line, r.nf + 1,
				     "unexpected '%c' after the closing quote of a field",
				     buf[skip + done]);
			goto out;
		}
		skip = 0;
		n = fread(buf, 1, CHUNK, fp);
	}
	if (ferror(fp)) {
		fail(&r, FC_EIO, 0, 0, "error reading '%s': %s", path, strerror(errno));
		goto out;
	}
	if (csv_fini(&p, on_field, on_row, &r)) {
		if (csv_error(&p) == CSV_ENOMEM)
			nomem(&r);
		else
			fail(&r, FC_EINPUT, r.line, r.nf + 1,
			     "unterminated quoted field (its opening '\"' is never closed)");
		goto out;
	}
	if (r.rc)
		goto out;
	if (!r.have_header) {
		fail(&r, FC_EINPUT, 0, 0, "empty file: expected a header row");
		goto out;
	}
	if (r.n_data == 0) {
		fail(&r, FC_EINPUT, r.header_line + 1, 0, "no data rows after the header");
		goto out;
	}
	if (r.sampling)
		finish_sampling(&r);
out:
	if (parser_live)
		csv_free(&p);
	free(buf);
	if (!is_stdin)
		fclose(fp);
	reader_dispose(&r);
	if (r.rc) {
		fc_rows_dispose(rows);
		return r.rc;
	}
	return 0;
}
