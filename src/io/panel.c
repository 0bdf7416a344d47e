/* Turns the rows of a long CSV file (csv_read.c) into a panel of regular
 * series: grouping, ordering, sorting by time, duplicates, frequency,
 * missing timestamps and imputation.
 *
 * Rows carry a series id in first-appearance order.  Series are renumbered
 * in the order of their group values (compared column by column: values that
 * are whole decimal numbers first, numerically, then the rest by strcmp, so
 * the order is total and store 2 comes before store 10).  A stable counting
 * sort by series, then a sort by (time, row) inside each series that is not
 * already in order, gives every series its rows in time order with ties in
 * file order.  Equal timestamps are an error or are combined (NaN ignored;
 * LAST is the last present value in file order); n_duplicates counts the
 * rows merged away.
 * The frequency is checked or inferred on the distinct timestamps
 * (fc_freq_check / fc_freq_infer in time.c); each series then spans its own
 * first..last timestamp on that grid, with inserted timestamps missing.  A
 * grid more than 100 times (plus 10^7) the distinct timestamps is refused as
 * a likely typo rather than allocated.
 *
 * Imputation (the target):
 *   AUTO   ZERO when every present value in the panel (after combining
 *          duplicates) is a non-negative integer, else LINEAR;
 *   ZERO   NaN -> 0;
 *   FFILL  the last value carried forward; leading NaN stay NaN;
 *   LINEAR interior gaps interpolated linearly in the step index; leading
 *          and trailing NaN take the nearest present value (constant
 *          extension), so that models see no NaN at the ends;
 *   NONE   nothing.
 * A series with no present value is left all NaN whatever the mode: it is
 * not an error here, and later stages must be able to see and report it.
 * Exogenous columns are forward-filled then backward-filled within each
 * series (not counted in n_filled).  With exogenous columns, rows after a
 * series' last present target are its future rows (n_future; panel.h).
 *
 * Omissions: no time zones, no calendar business-day grids. */
#include "forecast/panel.h"
#include "read_private.h"
#include "core/numeric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/season.h"

typedef struct panel_priv {
	size_t n_groups;
	char **group_text;  /* per group column, the interned values */
	const char **gvals; /* n_series x n_groups pointers into group_text */
	char *keys;
	double *y;
	double *raw;               /* y before imputation, when something is imputed */
	double *exog;              /* n_exog blocks of the total length */
	const double **exog_ptrs;  /* n_series x n_exog */
	double *series_seasons;    /* n_series x FC_MAX_SEASONS, when tested */
} panel_priv;

fc_read_opts fc_read_opts_default(void)
{
	fc_read_opts o;
	memset(&o, 0, sizeof o);
	return o;
}

static void priv_free(panel_priv *pv)
{
	if (!pv)
		return;
	if (pv->group_text)
		for (size_t g = 0; g < pv->n_groups; g++)
			free(pv->group_text[g]);
	free(pv->group_text);
	free(pv->gvals);
	free(pv->keys);
	free(pv->y);
	free(pv->raw);
	free(pv->exog);
	free(pv->exog_ptrs);
	free(pv->series_seasons);
	free(pv);
}

static void free_names(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void fc_panel_free(fc_panel *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->time_name);
	free(p->target_name);
	free_names(p->group_names, p->n_groups);
	free_names(p->exog_names, p->n_exog);
	free(p->series);
	free(p->season_status);
	priv_free(p->priv);
	free(p);
}

/* ---------------------------------------------------------------- ordering */

typedef struct keyval {
	double v;
	int num;
	const char *s;
	uint32_t id;
} keyval;

static int cmp_text(int anum, double av, const char *as, int bnum, double bv, const char *bs)
{
	if (anum != bnum)
		return anum ? -1 : 1;
	if (anum && av != bv)
		return av < bv ? -1 : 1;
	return strcmp(as, bs);
}

static int cmp_keyval(const void *pa, const void *pb)
{
	const keyval *a = pa, *b = pb;
	return cmp_text(a->num, a->v, a->s, b->num, b->v, b->s);
}

static int cmp_value(const char *a, const char *b)
{
	double av = 0, bv = 0;
	int an = fc_parse_key_number(a, &av), bn = fc_parse_key_number(b, &bv);
	return cmp_text(an, av, a, bn, bv, b);
}

typedef struct series_rank {
	const uint32_t *rank; /* n rank values */
	size_t n;
	uint32_t idx;
} series_rank;

static int cmp_series_rank(const void *pa, const void *pb)
{
	const series_rank *a = pa, *b = pb;
	for (size_t g = 0; g < a->n; g++)
		if (a->rank[g] != b->rank[g])
			return a->rank[g] < b->rank[g] ? -1 : 1;
	return 0;
}

typedef struct time_row {
	fc_time t;
	uint32_t row;
} time_row;

static int cmp_time_row(const void *pa, const void *pb)
{
	const time_row *a = pa, *b = pb;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

/* ---------------------------------------------------------------- values */

static double combine(const double *v, const uint32_t *rows, size_t n, fc_aggregate a)
{
	if (n == 1)
		return v[rows[0]];
	double acc = NAN;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double x = v[rows[i]];
		if (isnan(x))
			continue;
		if (m++ == 0) {
			acc = x;
			continue;
		}
		switch (a) {
		case FC_AGG_SUM:
		case FC_AGG_MEAN: acc += x; break;
		case FC_AGG_MIN: if (x < acc) acc = x; break;
		case FC_AGG_MAX: if (x > acc) acc = x; break;
		default: acc = x; break; /* LAST: rows are in file order */
		}
	}
	if (a == FC_AGG_MEAN && m)
		acc /= (double)m;
	return acc;
}

/* Imputes y[0..n) in mode f; returns the number of values filled. */
static size_t fill_series(double *y, size_t n, fc_fill f)
{
	size_t first = n, last = 0, filled = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(y[i])) {
			if (first == n)
				first = i;
			last = i;
		}
	if (first == n || f == FC_FILL_NONE)
		return 0; /* all missing: left for later stages to report */
	switch (f) {
	case FC_FILL_ZERO:
		for (size_t i = 0; i < n; i++)
			if (isnan(y[i]))
				y[i] = 0, filled++;
		break;
	case FC_FILL_FFILL:
		for (size_t i = first + 1; i < n; i++)
			if (isnan(y[i]))
				y[i] = y[i - 1], filled++;
		break;
	default: /* LINEAR */
		for (size_t i = 0; i < first; i++)
			y[i] = y[first], filled++;
		for (size_t i = last + 1; i < n; i++)
			y[i] = y[last], filled++;
		for (size_t i = first + 1; i < last; i++) {
			if (!isnan(y[i]))
				continue;
			size_t a = i - 1, b = i;
			while (isnan(y[b]))
				b++;
			for (size_t j = i; j < b; j++)
				y[j] = y[a] + (y[b] - y[a]) * (double)(j - a) / (double)(b - a);
			filled += b - i;
			i = b;
		}
		break;
	}
	return filled;
}

static void fill_exog(double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (isnan(x[i]))
			x[i] = x[i - 1];
	for (size_t i = n - 1; i-- > 0;)
		if (isnan(x[i]))
			x[i] = x[i + 1];
}

/* ---------------------------------------------------------------- building */

typedef struct builder {
	fc_rows *rows;
	const fc_read_opts *opts;
	fc_err *err;
	size_t S;           /* series */
	uint32_t *new_of;   /* old series id -> sorted position */
	size_t *off;        /* S + 1: rows of series s are perm[off[s]..off[s+1]) */
	uint32_t *perm;
	size_t *uoff;       /* S + 1: distinct timestamps of series s */
	fc_time *ut;
} builder;

static void builder_dispose(builder *b)
{
	free(b->new_of);
	free(b->off);
	free(b->perm);
	free(b->uoff);
	free(b->ut);
	b->new_of = NULL;
	b->off = b->uoff = NULL;
	b->perm = NULL;
	b->ut = NULL;
}

/* malloc(0) may return NULL: ask for at least one element. */
static size_t nz(size_t n)
{
	return n ? n : 1;
}

static int nomem(fc_err *err)
{
	return fc_err_set(err, FC_ENOMEM, "out of memory");
}

/* Ranks of each group column's distinct values, then the series order. */
static int order_series(builder *b)
{
	fc_rows *rows = b->rows;
	size_t G = rows->n_groups, S = b->S;
	int rc = 0;
	uint32_t **rank_of = calloc(G ? G : 1, sizeof *rank_of);
	series_rank *sr = malloc(S * sizeof *sr);
	uint32_t *tuple = malloc(nz(S * G) * sizeof *tuple);
	b->new_of = malloc(S * sizeof *b->new_of);
	if (!rank_of || !sr || !tuple || !b->new_of) {
		rc = nomem(b->err);
		goto out;
	}
	for (size_t g = 0; g < G; g++) {
		fc_strtab *t = &rows->groups[g];
		keyval *kv = malloc(nz(t->n) * sizeof *kv);
		rank_of[g] = malloc(nz(t->n) * sizeof *rank_of[g]);
		if (!kv || !rank_of[g]) {
			free(kv);
			rc = nomem(b->err);
			goto out;
		}
		for (size_t i = 0; i < t->n; i++) {
			kv[i].s = t->text + t->off[i];
			kv[i].num = fc_parse_key_number(kv[i].s, &kv[i].v);
			kv[i].id = (uint32_t)i;
		}
		qsort(kv, t->n, sizeof *kv, cmp_keyval);
		for (size_t i = 0; i < t->n; i++)
			rank_of[g][kv[i].id] = (uint32_t)i;
		free(kv);
	}
	for (size_t s = 0; s < S; s++) {
		for (size_t g = 0; g < G; g++)
			tuple[s * G + g] = rank_of[g][rows->series_gids[s * G + g]];
		sr[s].rank = tuple + s * G;
		sr[s].n = G;
		sr[s].idx = (uint32_t)s;
	}
	qsort(sr, S, sizeof *sr, cmp_series_rank);
	for (size_t s = 0; s < S; s++) {
		b->new_of[sr[s].idx] = (uint32_t)s;
	}
out:
	if (rank_of)
		for (size_t g = 0; g < G; g++)
			free(rank_of[g]);
	free(rank_of);
	free(sr);
	free(tuple);
	return rc;
}

/* Counting sort of rows by series, then by time within each series. */
static int sort_rows(builder *b)
{
	fc_rows *rows = b->rows;
	size_t S = b->S, N = rows->n_rows;
	b->off = calloc(S + 1, sizeof *b->off);
	b->perm = malloc(N * sizeof *b->perm);
	if (!b->off || !b->perm)
		return nomem(b->err);
	for (size_t i = 0; i < N; i++)
		b->off[b->new_of[rows->sid[i]] + 1]++;
	for (size_t s = 0; s < S; s++)
		b->off[s + 1] += b->off[s];
	size_t *next = malloc(nz(S) * sizeof *next);
	if (!next)
		return nomem(b->err);
	memcpy(next, b->off, S * sizeof *next);
	for (size_t i = 0; i < N; i++)
		b->perm[next[b->new_of[rows->sid[i]]]++] = (uint32_t)i;
	free(next);

	time_row *tmp = NULL;
	size_t tmp_cap = 0;
	for (size_t s = 0; s < S; s++) {
		uint32_t *p = b->perm + b->off[s];
		size_t n = b->off[s + 1] - b->off[s], i;
		for (i = 1; i < n && rows->t[p[i - 1]] <= rows->t[p[i]]; i++)
			;
		if (i >= n)
			continue; /* already in order; ties are in file order */
		if (n > tmp_cap) {
			free(tmp);
			tmp = malloc(n * sizeof *tmp);
			tmp_cap = n;
			if (!tmp)
				return nomem(b->err);
		}
		for (i = 0; i < n; i++) {
			tmp[i].t = rows->t[p[i]];
			tmp[i].row = p[i];
		}
		qsort(tmp, n, sizeof *tmp, cmp_time_row);
		for (i = 0; i < n; i++)
			p[i] = tmp[i].row;
	}
	free(tmp);
	return 0;
}

/* The series key "col=value,col=value" from the group values into buf
 * (NULL: just measure); returns its length. */
static size_t key_text(const fc_rows *rows, const char *const *vals, char *buf, size_t cap)
{
	size_t len = 0;
	if (buf && cap)
		buf[0] = '\0';
	for (size_t g = 0; g < rows->n_groups; g++) {
		int n = snprintf(buf ? buf + len : NULL, buf ? cap - len : 0, "%s%s=%s", g ? "," : "",
		                 rows->col_names[rows->group_cols[g]], vals[g]);
		len += (size_t)n;
		if (buf && len >= cap)
			len = cap - 1;
	}
	return len;
}

/* The group value strings of the series first seen as `old`. */
static void series_values(const fc_rows *rows, uint32_t old, const char **vals)
{
	for (size_t g = 0; g < rows->n_groups; g++) {
		uint32_t id = rows->series_gids[(size_t)old * rows->n_groups + g];
		vals[g] = rows->groups[g].text + rows->groups[g].off[id];
	}
}

/* Location prefix of data row `row` in the time column. */
static void where(const fc_rows *rows, size_t row, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s:%zu:%zu: ", rows->name, fc_rows_line(rows, row),
	         rows->time_col + 1);
}

/* " for series store=1,item=2" or "" into buf, for the row's series. */
static void series_phrase(const fc_rows *rows, size_t row, const char *lead, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (!rows->n_groups)
		return;
	uint32_t old = rows->sid[row];
	size_t len = 0;
	for (size_t g = 0; g < rows->n_groups && len + 1 < cap; g++) {
		uint32_t id = rows->series_gids[(size_t)old * rows->n_groups + g];
		int n = snprintf(buf + len, cap - len, "%s%s=%s", g ? "," : lead,
		                 rows->col_names[rows->group_cols[g]],
		                 rows->groups[g].text + rows->groups[g].off[id]);
		len += n > 0 ? (size_t)n : 0;
	}
}

/* Distinct timestamps per series; duplicates are an error without
 * --aggregate (reported at the earliest second occurrence in the file). */
static int distinct_times(builder *b, fc_aggregate agg)
{
	fc_rows *rows = b->rows;
	size_t S = b->S, N = rows->n_rows;
	b->uoff = malloc((S + 1) * sizeof *b->uoff);
	b->ut = malloc(nz(N) * sizeof *b->ut);
	if (!b->uoff || !b->ut)
		return nomem(b->err);
	size_t nu = 0, dup_row = (size_t)-1, dup_first = 0;
	for (size_t s = 0; s < S; s++) {
		b->uoff[s] = nu;
		size_t run = b->off[s];
		for (size_t j = b->off[s]; j < b->off[s + 1]; j++) {
			fc_time t = rows->t[b->perm[j]];
			if (j > run && t == rows->t[b->perm[run]]) {
				/* ties are in file order: a run's second row is its
				 * first repeat */
				if (j == run + 1 && b->perm[j] < dup_row) {
					dup_row = b->perm[j];
					dup_first = b->perm[run];
				}
				continue;
			}
			run = j;
			b->ut[nu++] = t;
		}
	}
	b->uoff[S] = nu;
	if (dup_row != (size_t)-1 && agg == FC_AGG_NONE) {
		char loc[FC_ERR_MSG_MAX / 2], tb[48], ser[FC_ERR_MSG_MAX / 2];
		where(rows, dup_row, loc, sizeof loc);
		fc_time_format(rows->t[dup_row], rows->style, tb, sizeof tb);
		series_phrase(rows, dup_row, " for series ", ser, sizeof ser);
		return fc_err_set(b->err, FC_EINPUT,
		                  "%sduplicate timestamp %s%s (first on line %zu); use --aggregate "
		                  "sum|mean|min|max|last", loc, tb, ser, fc_rows_line(rows, dup_first));
	}
	return 0;
}

/* Maps a (series, index among distinct timestamps) from time.c to a row. */
static size_t row_of(const builder *b, size_t s, size_t idx)
{
	const fc_rows *rows = b->rows;
	size_t k = 0;
	for (size_t j = b->off[s]; j < b->off[s + 1]; j++) {
		if (j > b->off[s] && rows->t[b->perm[j]] == rows->t[b->perm[j - 1]])
			continue;
		if (k++ == idx)
			return b->perm[j];
	}
	return (size_t)-1;
}

static int frequency(builder *b, fc_panel *p, const fc_freq *given)
{
	fc_rows *rows = b->rows;
	size_t bad_s = (size_t)-1, bad_i = 0;
	int rc;
	if (given) {
		if (!fc_freq_compatible(*given, rows->style)) {
			char desc[64];
			fc_freq_describe(*given, desc, sizeof desc);
			return fc_err_set(b->err, FC_EINVAL,
			                  "%s: frequency '%s' (%s) does not suit the time column '%s', "
			                  "whose timestamps are %s", rows->name, b->opts->freq, desc,
			                  rows->col_names[rows->time_col],
			                  rows->style.kind == FC_STYLE_INT ? "integers" :
			                  rows->style.kind == FC_STYLE_MONTH ? "months (YYYY-MM)" :
			                  rows->style.kind == FC_STYLE_DATE ? "dates" : "date-times");
		}
		p->freq = *given;
		p->freq_inferred = 0;
		rc = fc_freq_check(*given, b->ut, b->uoff, b->S, &bad_s, &bad_i, b->err);
	} else {
		p->freq_inferred = 1;
		rc = fc_freq_infer(b->ut, b->uoff, b->S, rows->style, &p->freq, &bad_s, &bad_i, b->err);
	}
	if (!rc)
		return 0;
	size_t row = rc == FC_EINPUT && bad_s < b->S ? row_of(b, bad_s, bad_i) : (size_t)-1;
	if (row == (size_t)-1) {
		fc_err_prefix(b->err, "%s: ", rows->name);
		return rc;
	}
	char loc[FC_ERR_MSG_MAX / 2], ser[FC_ERR_MSG_MAX / 2], msg[FC_ERR_MSG_MAX];
	where(rows, row, loc, sizeof loc);
	series_phrase(rows, row, " (series ", ser, sizeof ser);
	snprintf(msg, sizeof msg, "%s", b->err ? b->err->msg : "");
	return fc_err_set(b->err, FC_EINPUT, "%s%s%s%s", loc, msg, ser, ser[0] ? ")" : "");
}

static int names(const fc_rows *rows, const size_t *cols, size_t n, char ***out)
{
	*out = calloc(n ? n : 1, sizeof **out);
	if (!*out)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((*out)[i] = strdup(rows->col_names[cols[i]])))
			return -1;
	return 0;
}

/* The values of one column of the rows (v) on the grid: out[start[s] + k]
 * for step k of series s (whose first timestamp is t0[s]), duplicates
 * combined. */
static void place(const builder *b, const fc_panel *p, const size_t *start, const fc_time *t0,
                  const double *v, double *out, fc_aggregate a)
{
	const fc_rows *rows = b->rows;
	for (size_t s = 0; s < b->S; s++) {
		fc_time first = t0[s];
		size_t j = b->off[s], end = b->off[s + 1];
		while (j < end) {
			size_t e = j + 1;
			fc_time t = rows->t[b->perm[j]];
			while (e < end && rows->t[b->perm[e]] == t)
				e++;
			int64_t k = 0;
			fc_freq_steps(p->freq, first, t, &k);
			out[start[s] + (size_t)k] = combine(v, b->perm + j, e - j, a);
			j = e;
		}
	}
}

/* Values on the grid, imputation, and the fc_series records.  Each column
 * of the rows is freed once it is on the grid: a large read peaks here. */
static int regularize(builder *b, fc_panel *p, panel_priv *pv)
{
	fc_rows *rows = b->rows;
	const fc_read_opts *o = b->opts;
	size_t S = b->S, G = rows->n_groups, X = rows->n_exog;
	size_t *start = malloc((S + 1) * sizeof *start);
	uint32_t *old_of = malloc(nz(S) * sizeof *old_of);
	fc_time *t0 = malloc(nz(S) * sizeof *t0); /* each series' first timestamp */
	int rc = 0;
	if (!start || !old_of || !t0) {
		rc = nomem(b->err);
		goto out;
	}
	for (size_t s = 0; s < rows->n_series; s++)
		old_of[b->new_of[s]] = (uint32_t)s;

	/* lengths */
	size_t total = 0;
	for (size_t s = 0; s < S; s++) {
		int64_t k = 0;
		fc_time first = b->ut[b->uoff[s]], last = b->ut[b->uoff[s + 1] - 1];
		if (fc_freq_steps(p->freq, first, last, &k) || k < 0) {
			rc = fc_err_set(b->err, FC_EINPUT, "%s: internal error: timestamps off the grid",
			                rows->name);
			goto out;
		}
		/* a typo in a year can ask for millions of steps: refuse absurd spans */
		if ((uint64_t)k >= ((uint64_t)1 << 31)) {
			char tb[48], ser[FC_ERR_MSG_MAX / 2];
			fc_time_format(last, rows->style, tb, sizeof tb);
			series_phrase(rows, b->perm[b->off[s]], " series ", ser, sizeof ser);
			rc = fc_err_set(b->err, FC_EINPUT, "%s:%s would span %lld timestamps up to %s; "
			                "check the time column", rows->name, ser[0] ? ser : " a series",
			                (long long)k + 1, tb);
			goto out;
		}
		start[s] = total;
		total += (size_t)k + 1;
		t0[s] = first;
	}
	/* a grid a hundred times the data and more than a million steps is a
	 * mistake, not a panel: a handful of rows spread over three thousand
	 * years once asked for 1.1 million days */
	if ((uint64_t)total > 100 * (uint64_t)b->uoff[S] + 1000000) {
		rc = fc_err_set(b->err, FC_EINPUT, "%s: the series would span %zu timestamps for %zu "
		                "distinct ones in the file; check the time column for typos or give "
		                "a coarser --freq", rows->name, total, b->uoff[S]);
		goto out;
	}
	start[S] = total;
	/* the distinct timestamps (8 bytes a row) have served */
	free(b->ut);
	b->ut = NULL;

	pv->y = malloc(nz(total) * sizeof *pv->y);
	pv->exog_ptrs = malloc(nz(S * X) * sizeof *pv->exog_ptrs);
	pv->gvals = malloc(nz(S * G) * sizeof *pv->gvals);
	p->series = calloc(S ? S : 1, sizeof *p->series);
	if (!pv->y || !pv->exog_ptrs || !pv->gvals || !p->series) {
		rc = nomem(b->err);
		goto out;
	}
	for (size_t i = 0; i < total; i++)
		pv->y[i] = NAN;

	/* values, combining duplicates: the target, then the exogenous columns */
	p->n_duplicates = rows->n_rows - b->uoff[S];
	place(b, p, start, t0, rows->y, pv->y, o->aggregate);
	free(rows->y);
	rows->y = NULL;
	if (!(pv->exog = malloc(nz(X * total) * sizeof *pv->exog))) {
		rc = nomem(b->err);
		goto out;
	}
	for (size_t i = 0; i < X * total; i++)
		pv->exog[i] = NAN;
	for (size_t x = 0; x < X; x++) {
		place(b, p, start, t0, rows->exog[x], pv->exog + x * total, o->aggregate);
		free(rows->exog[x]);
		rows->exog[x] = NULL;
	}

	/* imputation */
	/* auto: linear, for counts too: a missing row of a store's sales is more
	 * often a closed day than a sold zero (Favorita's 920 gaps), and a zero
	 * sold is a row with 0 */
	fc_fill fill = o->fill == FC_FILL_AUTO ? FC_FILL_LINEAR : o->fill;
	p->fill = fill;
	/* the values before imputation, kept when something will be imputed */
	int gaps = 0;
	for (size_t i = 0; i < total && !gaps && fill != FC_FILL_NONE; i++)
		gaps = isnan(pv->y[i]);
	if (gaps && !(pv->raw = malloc(nz(total) * sizeof *pv->raw))) {
		rc = nomem(b->err);
		goto out;
	}

	/* keys */
	size_t key_bytes = 0;
	for (size_t s = 0; s < S; s++) {
		series_values(rows, old_of[s], pv->gvals + s * G);
		key_bytes += key_text(rows, pv->gvals + s * G, NULL, 0) + 1;
	}
	pv->keys = malloc(key_bytes ? key_bytes : 1);
	if (!pv->keys) {
		rc = nomem(b->err);
		goto out;
	}
	char *kp = pv->keys;
	for (size_t s = 0; s < S; s++) {
		fc_series *ser = &p->series[s];
		size_t n = start[s + 1] - start[s];
		double *y = pv->y + start[s];
		size_t kl = key_text(rows, pv->gvals + s * G, kp, key_bytes - (size_t)(kp - pv->keys));
		ser->key = kp;
		kp += kl + 1;
		ser->group_values = pv->gvals + s * G;
		ser->n_groups = G;
		ser->start = t0[s];
		/* future rows: trailing empty targets of a series with exogenous
		 * columns and at least one present target (see panel.h) */
		size_t nf = 0;
		if (X > 0) {
			while (nf < n && isnan(y[n - 1 - nf]))
				nf++;
			if (nf == n)
				nf = 0;
		}
		ser->n = n - nf;
		ser->n_future = nf;
		ser->y = y;
		ser->n_inserted = n - (b->uoff[s + 1] - b->uoff[s]);
		if (pv->raw) {
			memcpy(pv->raw + start[s], y, (n - nf) * sizeof *y);
			ser->raw = pv->raw + start[s];
		}
		ser->n_filled = fill_series(y, n - nf, fill);
		if (ser->n_filled == 0)
			ser->raw = NULL; /* nothing imputed: y is the raw series */
		for (size_t i = 0; i < n - nf; i++)
			ser->n_missing += isnan(y[i]) != 0;
		ser->n_exog = X;
		for (size_t x = 0; x < X; x++) {
			double *col = pv->exog + x * total + start[s];
			fill_exog(col, n);
			pv->exog_ptrs[s * X + x] = col;
		}
		ser->exog = X ? pv->exog_ptrs + s * X : NULL;
		ser->exog_names = X ? (const char *const *)p->exog_names : NULL;
		ser->n_seasons = p->n_seasons;
		ser->seasons = p->seasons;
	}
out:
	free(start);
	free(old_of);
	free(t0);
	return rc;
}

static int check_opts(const fc_read_opts *o, fc_freq *freq, fc_err *err)
{
	if (o->sep == '"' || o->sep == '\n' || o->sep == '\r')
		return fc_err_set(err, FC_EINVAL, "the separator cannot be a quote or a newline");
	if ((unsigned)o->aggregate > FC_AGG_LAST)
		return fc_err_set(err, FC_EINVAL, "unknown aggregate %d", (int)o->aggregate);
	if ((unsigned)o->fill > FC_FILL_NONE)
		return fc_err_set(err, FC_EINVAL, "unknown fill mode %d", (int)o->fill);
	if (o->n_seasons > FC_MAX_SEASONS)
		return fc_err_set(err, FC_EINVAL, "at most %d seasonal periods, not %zu",
		                  FC_MAX_SEASONS, o->n_seasons);
	for (size_t i = 0; i < o->n_seasons; i++)
		if (!(o->seasons[i] > 1) || !isfinite(o->seasons[i]))
			return fc_err_set(err, FC_EINVAL, "a seasonal period must be a number above 1, "
			                  "not %g", o->seasons[i]);
	if (o->freq)
		return fc_freq_parse(o->freq, freq, err);
	return 0;
}

/* Series needed before the panel's evidence can refute a period. */
#define SEASON_POOL_MIN 5

/* Observed span of y: from the first to the last observed value. */
static size_t observed_span(const double *y, size_t n)
{
	size_t a = 0, b = n;
	while (a < n && isnan(y[a]))
		a++;
	while (b > a && isnan(y[b - 1]))
		b--;
	return b - a;
}

/* Tests the panel's periods on every series (OpenMP over series, one FFT
 * workspace per thread) and points each series at the periods it keeps:
 * the rule is fc_read_opts.keep_seasons' comment.  Series and periods
 * are handled in a fixed order and the pooled sums are taken afterwards in
 * series order, so the outcome does not depend on the thread count. */
static int test_seasons(fc_panel *p, panel_priv *pv, fc_err *err)
{
	size_t S = p->n_series, P = p->n_seasons, max_n = 1;
	for (size_t s = 0; s < S; s++)
		if (p->series[s].n > max_n)
			max_n = p->series[s].n;
	pv->series_seasons = calloc(S ? S * FC_MAX_SEASONS : 1, sizeof *pv->series_seasons);
	p->season_status = calloc(S ? S * FC_MAX_SEASONS : 1, 1);
	double *contrast = malloc((S ? S * FC_MAX_SEASONS : 1) * sizeof *contrast);
	fc_season_found *found = malloc((S ? S * FC_MAX_SEASONS : 1) * sizeof *found);
	size_t *n_found = calloc(S ? S : 1, sizeof *n_found);
	if (!pv->series_seasons || !p->season_status || !contrast || !found || !n_found) {
		free(contrast);
		free(found);
		free(n_found);
		return nomem(err);
	}
	int failed = 0;
	#pragma omp parallel reduction(|:failed)
	{
		fc_season_ws *ws = fc_season_ws_alloc(max_n, NULL);
		failed |= !ws;
		#pragma omp for schedule(dynamic, 16)
		for (size_t s = 0; s < S; s++) {
			fc_series *ser = &p->series[s];
			fc_season_found *f = found + s * FC_MAX_SEASONS;
			if (ws && fc_season_detect(ws, ser->y, ser->n, p->seasons, P, NULL, FC_MAX_SEASONS,
			                           f, &n_found[s], NULL) != 0)
				n_found[s] = 0;
			for (size_t j = 0; j < P; j++) {
				double *c = contrast + s * FC_MAX_SEASONS + j;
				*c = NAN;
				if (ws && fc_season_contrast(ws, ser->y, ser->n, p->seasons[j], p->seasons, j, c,
				                             NULL) != 0)
					*c = NAN;
			}
		}
		fc_season_ws_free(ws);
	}
	if (failed) {
		free(contrast);
		free(found);
		free(n_found);
		return nomem(err);
	}
	/* the panel's evidence per period, pooled over its series */
	for (size_t j = 0; j < P; j++) {
		struct fc_season_pool *pool = &p->season_pool[j];
		double sum = 0, sum2 = 0;
		size_t k = 0;
		for (size_t s = 0; s < S; s++) {
			double c = contrast[s * FC_MAX_SEASONS + j];
			if (isfinite(c)) {
				sum += c;
				k++;
			}
		}
		double mean = k ? sum / (double)k : NAN;
		for (size_t s = 0; s < S; s++) {
			double c = contrast[s * FC_MAX_SEASONS + j];
			if (isfinite(c))
				sum2 += (c - mean) * (c - mean);
		}
		double sd = k > 1 ? sqrt(sum2 / (double)(k - 1)) : NAN;
		pool->n_series = k;
		pool->mean_contrast = mean;
		pool->t = k > 1 ? (sd > 0 ? mean / (sd / sqrt((double)k)) : (mean > 0 ? INFINITY : -INFINITY))
		                : NAN;
		/* one-sided 5%: z = 1.645 */
		pool->refuted = k >= SEASON_POOL_MIN && !(pool->t > 1.6448536269514722);
	}
	for (size_t s = 0; s < S; s++) {
		fc_series *ser = &p->series[s];
		double *mine = pv->series_seasons + s * FC_MAX_SEASONS;
		unsigned char *st = p->season_status + s * FC_MAX_SEASONS;
		const fc_season_found *f = found + s * FC_MAX_SEASONS;
		size_t span = observed_span(ser->y, ser->n), q = 0;
		for (size_t j = 0; j < P; j++) {
			int shown = 0;
			for (size_t i = 0; i < n_found[s]; i++)
				shown |= !f[i].discovered && f[i].period == p->seasons[j];
			if (shown)
				st[j] = FC_SEASON_SHOWN;
			else if ((double)span < p->seasons[j])
				st[j] = FC_SEASON_SHORT;
			else if ((double)span >= 3 * p->seasons[j])
				st[j] = FC_SEASON_REFUTED;
			else
				st[j] = p->season_pool[j].refuted ? FC_SEASON_UNSURE : FC_SEASON_POOLED;
			if (st[j] == FC_SEASON_SHOWN || st[j] == FC_SEASON_POOLED)
				mine[q++] = p->seasons[j];
		}
		for (size_t i = 0; i < n_found[s] && q < FC_MAX_SEASONS; i++) {
			int near = 0; /* a discovered lag next to a period kept by the pool */
			for (size_t k = 0; k < q; k++)
				near |= fabs(f[i].period - mine[k]) <= 0.05 * mine[k];
			if (f[i].discovered && !near)
				mine[q++] = f[i].period;
		}
		qsort(mine, q, sizeof *mine, fc_cmp_double);
		ser->seasons = mine;
		ser->n_seasons = q;
	}
	free(contrast);
	free(found);
	free(n_found);
	p->seasons_tested = 1;
	return 0;
}

int fc_panel_read(const char *path, const fc_read_opts *opts, fc_panel **out, fc_err *err)
{
	fc_read_opts dflt = fc_read_opts_default();
	const fc_read_opts *o = opts ? opts : &dflt;
	fc_freq given;
	int rc = check_opts(o, &given, err);
	if (rc)
		return rc;
	fc_rows rows;
	rc = fc_csv_read(path, o, &rows, err);
	if (rc)
		return rc;

	builder b;
	memset(&b, 0, sizeof b);
	b.rows = &rows;
	b.opts = o;
	b.err = err;
	b.S = rows.n_series;
	fc_panel *p = calloc(1, sizeof *p);
	panel_priv *pv = calloc(1, sizeof *pv);
	if (!p || !pv) {
		free(p);
		free(pv);
		p = NULL;
		rc = nomem(err);
		goto out;
	}
	p->priv = pv;
	if (!(p->path = strdup(path)) ||
	    !(p->time_name = strdup(rows.col_names[rows.time_col])) ||
	    !(p->target_name = strdup(rows.col_names[rows.target_col]))) {
		rc = nomem(err);
		goto out;
	}
	p->n_groups = rows.n_groups;
	p->n_exog = rows.n_exog;
	if (names(&rows, rows.group_cols, rows.n_groups, &p->group_names) ||
	    names(&rows, rows.exog_cols, rows.n_exog, &p->exog_names)) {
		rc = nomem(err);
		goto out;
	}
	p->style = rows.style;
	p->n_rows = rows.n_rows;
	p->n_series = b.S;
	if (o->n_seasons) {
		p->n_seasons = o->n_seasons;
		memcpy(p->seasons, o->seasons, o->n_seasons * sizeof *o->seasons);
		qsort(p->seasons, p->n_seasons, sizeof *p->seasons, fc_cmp_double);
	}
	if ((rc = order_series(&b)) || (rc = sort_rows(&b)) || (rc = distinct_times(&b, o->aggregate)) ||
	    (rc = frequency(&b, p, o->freq ? &given : NULL)))
		goto out;
	if (!o->n_seasons && !o->no_seasons)
		p->n_seasons = fc_freq_seasons(p->freq, p->seasons, FC_MAX_SEASONS);
	if ((rc = regularize(&b, p, pv)))
		goto out;
	/* the rows' order and timestamps are no longer needed: free them
	 * before the season tests allocate */
	builder_dispose(&b);
	free(rows.t);
	free(rows.sid);
	rows.t = NULL;
	rows.sid = NULL;
	if (!o->n_seasons && !o->keep_seasons && p->n_seasons && (rc = test_seasons(p, pv, err)))
		goto out;

	/* the group values move from the reader's tables into the panel */
	pv->group_text = calloc(rows.n_groups ? rows.n_groups : 1, sizeof *pv->group_text);
	if (!pv->group_text) {
		rc = nomem(err);
		goto out;
	}
	pv->n_groups = rows.n_groups;
	for (size_t g = 0; g < rows.n_groups; g++) {
		pv->group_text[g] = rows.groups[g].text;
		rows.groups[g].text = NULL;
	}
out:
	builder_dispose(&b);
	fc_rows_dispose(&rows);
	if (rc) {
		fc_panel_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

long fc_panel_find(const fc_panel *p, const char *const *values)
{
	if (!p || (!values && p->n_groups))
		return -1;
	size_t lo = 0, hi = p->n_series;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = 0;
		for (size_t g = 0; g < p->n_groups && !c; g++)
			c = cmp_value(values[g], p->series[mid].group_values[g]);
		if (!c)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}
