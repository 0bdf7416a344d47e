/* Shards and parts (include/forecast/shard.h). */
#include "forecast/shard.h"

#include <stdlib.h>
#include <string.h>

#include "forecast/hash.h"

#define MAGIC "FCPART 1\n"
#define MAGIC_LEN (sizeof MAGIC - 1)

uint64_t fc_shard_hash(const char *key)
{
	return fc_fnv1a(FC_FNV_OFFSET, key, strlen(key));
}

size_t fc_shard_of(const char *key, size_t n_shards)
{
	return n_shards > 1 ? (size_t)(fc_shard_hash(key) % n_shards) : 0;
}

int fc_shard_check_cover(const size_t *shard, size_t n, size_t n_shards, const char *const *path,
                         fc_err *err)
{
	size_t *at = malloc((n_shards ? n_shards : 1) * sizeof *at); /* at[s]: the part that is s */
	if (!at)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t s = 0; s < n_shards; s++)
		at[s] = SIZE_MAX;
	int rc = 0;
	for (size_t k = 0; k < n && !rc; k++) {
		size_t s = shard[k];
		if (s >= n_shards)
			rc = fc_err_set(err, FC_EFORMAT, "%s is shard %zu of %zu, out of range", path[k], s,
			                n_shards);
		else if (at[s] != SIZE_MAX)
			rc = fc_err_set(err, FC_EFORMAT, "%s and %s are both shard %zu of %zu",
			                path[at[s]], path[k], s, n_shards);
		else
			at[s] = k;
	}
	for (size_t s = 0; s < n_shards && !rc; s++)
		if (at[s] == SIZE_MAX)
			rc = fc_err_set(err, FC_EFORMAT, "shard %zu of %zu is missing (%zu part%s given)",
			                s, n_shards, n, n == 1 ? "" : "s");
	free(at);
	return rc;
}

static const fc_panel *sort_panel; /* qsort has no context argument */

static int longer_first(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	size_t ni = sort_panel->series[i].n, nj = sort_panel->series[j].n;
	if (ni != nj)
		return ni > nj ? -1 : 1;
	return i < j ? -1 : i > j;
}

void fc_shard_balance(const fc_panel *p, size_t n_ranks, size_t *rank_of)
{
	size_t S = p->n_series;
	size_t *order = malloc((S ? S : 1) * sizeof *order);
	double *load = calloc(n_ranks ? n_ranks : 1, sizeof *load);
	if (!order || !load || n_ranks < 2) { /* no room to sort: by count */
		for (size_t i = 0; i < S; i++)
			rank_of[i] = n_ranks ? i % n_ranks : 0;
		free(order);
		free(load);
		return;
	}
	for (size_t i = 0; i < S; i++)
		order[i] = i;
	sort_panel = p;
	qsort(order, S, sizeof *order, longer_first);
	for (size_t k = 0; k < S; k++) {
		size_t best = 0;
		for (size_t r = 1; r < n_ranks; r++)
			if (load[r] < load[best])
				best = r;
		rank_of[order[k]] = best;
		load[best] += (double)p->series[order[k]].n;
	}
	free(order);
	free(load);
}

/* ---- writing ---- */

static int put_u64(fc_buf *b, uint64_t v)
{
	char x[8];
	for (int k = 0; k < 8; k++)
		x[k] = (char)(unsigned char)(v >> (8 * k));
	return fc_buf_append(b, x, 8);
}

static int put_f64(fc_buf *b, double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	return put_u64(b, u);
}

static int put_str(fc_buf *b, const char *s)
{
	size_t n = strlen(s);
	return put_u64(b, n) || fc_buf_append(b, s, n);
}

/* One series' record: its index and status, then per local candidate its
 * index, timed-out flag, seconds, and per fold the ok flag and (where ok)
 * the forecasts, then its metric sums and counts. */
static int put_record(fc_buf *b, size_t i, const fc_series_result *r, const fc_cv_opts *o)
{
	size_t K = o->folds, h = o->horizon, nc = o->n_candidates;
	int rc = put_u64(b, i) || put_u64(b, (uint64_t)(int64_t)r->status) ||
	         put_str(b, r->status ? r->err.msg : "") || put_u64(b, r->fold_fc != NULL);
	if (rc || !r->fold_fc)
		return rc;
	for (size_t c = 0; c < nc && !rc; c++) {
		if (o->candidates[c]->type->global)
			continue;
		rc = put_u64(b, c) || put_u64(b, r->timed_out[c]) || put_f64(b, r->seconds[c]);
		for (size_t k = 0; k < K && !rc; k++) {
			int ok = r->fold_ok[c * K + k] != 0;
			rc = put_u64(b, (uint64_t)ok);
			for (size_t j = 0; ok && j < h && !rc; j++)
				rc = put_f64(b, r->fold_fc[(c * K + k) * h + j]);
		}
		for (size_t j = 0; j < FC_METRIC_COUNT && !rc; j++)
			rc = put_f64(b, r->metric_sum[c * FC_METRIC_COUNT + j]) ||
			     put_u64(b, r->metric_count[c * FC_METRIC_COUNT + j]);
	}
	return rc;
}

/* The series' prefits (fc_cv_prefit): their count, then per prefit its
 * candidate, status, message or saved model, timed-out flag, seconds and
 * (status 0) its forecast: the mean, then the lower and upper bounds of
 * every level. */
static int put_prefits(fc_buf *b, const fc_series_result *r, size_t nc)
{
	size_t n = 0;
	for (size_t c = 0; r->prefit && c < nc; c++)
		n += r->prefit[c].have != 0;
	int rc = put_u64(b, n);
	for (size_t c = 0; c < nc && n && !rc; c++) {
		const fc_prefit *pf = &r->prefit[c];
		if (!pf->have)
			continue;
		rc = put_u64(b, c) || put_u64(b, (uint64_t)(int64_t)pf->status) ||
		     put_str(b, pf->status ? (pf->msg ? pf->msg : "") : pf->saved) ||
		     put_u64(b, pf->timed_out) || put_f64(b, pf->seconds);
		if (pf->status || rc)
			continue;
		const fc_forecast *f = &pf->fc;
		rc = put_u64(b, f->h) || put_u64(b, f->n_levels);
		for (size_t j = 0; j < f->h && !rc; j++)
			rc = put_f64(b, f->mean[j]);
		for (size_t j = 0; j < f->n_levels * f->h && !rc; j++)
			rc = put_f64(b, f->lo[j]) || put_f64(b, f->hi[j]);
	}
	return rc;
}

int fc_part_encode(fc_buf *out, fc_part_info *info, const fc_panel *p, const fc_cv_opts *o,
                   const fc_run *run, const unsigned char *mask, fc_err *err)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_series; i++)
		n += !mask || mask[i];
	info->n_records = n;
	info->n_series = p->n_series;
	size_t start = out->len;
	int rc = fc_buf_append(out, MAGIC, MAGIC_LEN) || put_u64(out, (uint64_t)info->forecast) ||
	         put_u64(out, info->shard) || put_u64(out, info->n_shards) ||
	         fc_buf_append(out, info->fingerprint, 16) || put_u64(out, info->options) ||
	         put_u64(out, info->argc);
	for (size_t a = 0; a < info->argc && !rc; a++)
		rc = put_str(out, info->argv[a]);
	rc = rc || put_u64(out, p->n_series) || put_u64(out, o->n_candidates) ||
	     put_u64(out, o->horizon) || put_u64(out, o->folds);
	for (size_t c = 0; c < o->n_candidates && !rc; c++)
		rc = put_str(out, o->candidates[c]->type->name);
	rc = rc || put_u64(out, n);
	for (size_t i = 0; i < p->n_series && !rc; i++)
		if (!mask || mask[i])
			rc = put_record(out, i, &run->res[i], o) ||
			     put_prefits(out, &run->res[i], o->n_candidates);
	if (!rc)
		rc = put_u64(out, fc_fnv1a(FC_FNV_OFFSET, out->data + start, out->len - start));
	return rc ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

/* ---- reading ---- */

typedef struct cursor {
	const unsigned char *p;
	size_t len, pos;
	int bad;
} cursor;

/* The bytes left; a cursor never moves past len, but is checked anyway. */
static size_t room(const cursor *c)
{
	return c->pos <= c->len ? c->len - c->pos : 0;
}

static uint64_t get_u64(cursor *c)
{
	if (c->bad || room(c) < 8) {
		c->bad = 1;
		return 0;
	}
	uint64_t v = 0;
	for (int k = 0; k < 8; k++)
		v |= (uint64_t)c->p[c->pos + (size_t)k] << (8 * k);
	c->pos += 8;
	return v;
}

static double get_f64(cursor *c)
{
	uint64_t u = get_u64(c);
	double v;
	memcpy(&v, &u, sizeof v);
	return v;
}

/* A string of at most cap-1 bytes into buf (NULL: skipped). */
static void get_str(cursor *c, char *buf, size_t cap)
{
	uint64_t n = get_u64(c);
	if (c->bad || n > room(c) || (buf && n >= cap)) {
		c->bad = 1;
		return;
	}
	if (buf) {
		memcpy(buf, c->p + c->pos, (size_t)n);
		buf[n] = 0;
	}
	c->pos += (size_t)n;
}

/* Opens a part of any kind (what: "shard part", ...): checks the magic
 * (its newline left out of the message) and the checksum, and leaves the
 * cursor after the magic, with len excluding the checksum. */
static int open_magic(cursor *c, const void *data, size_t len, const char *magic,
                      size_t magic_len, const char *what, fc_err *err)
{
	memset(c, 0, sizeof *c);
	c->p = data;
	if (len < magic_len + 8 || memcmp(data, magic, magic_len) != 0)
		return fc_err_set(err, FC_EFORMAT, "not a %s of forecast (no \"%.*s\" header)", what,
		                  (int)magic_len - 1, magic);
	cursor t = {c->p, len, len - 8, 0};
	if (get_u64(&t) != fc_fnv1a(FC_FNV_OFFSET, data, len - 8))
		return fc_err_set(err, FC_EFORMAT, "the part is damaged (its checksum does not match)");
	c->len = len - 8;
	c->pos = magic_len;
	return 0;
}

/* A part's shard number and count, as every kind of part writes them one
 * after the other: 1 when they name a shard of a count merge accepts
 * (the caller reports a bad one with the rest of its header). */
static int get_shard(cursor *c, size_t *shard, size_t *n_shards)
{
	*shard = (size_t)get_u64(c);
	*n_shards = (size_t)get_u64(c);
	return *n_shards >= 1 && *n_shards <= FC_SHARD_MAX && *shard < *n_shards;
}

static int open_part(cursor *c, const void *data, size_t len, fc_err *err)
{
	return open_magic(c, data, len, MAGIC, MAGIC_LEN, "shard part", err);
}

#define MAX_ARGS 4096
#define MAX_ARG 65536

int fc_part_read_info(const void *data, size_t len, fc_part_info *info, fc_err *err)
{
	memset(info, 0, sizeof *info);
	cursor c;
	int rc = open_part(&c, data, len, err);
	if (rc)
		return rc;
	info->forecast = get_u64(&c) != 0;
	int shard_ok = get_shard(&c, &info->shard, &info->n_shards);
	if (!c.bad && room(&c) >= 16) {
		memcpy(info->fingerprint, c.p + c.pos, 16);
		c.pos += 16;
	} else {
		c.bad = 1;
	}
	info->options = get_u64(&c);
	uint64_t argc = get_u64(&c);
	if (c.bad || argc > MAX_ARGS || !shard_ok)
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	info->argv = calloc((size_t)argc + 1, sizeof *info->argv);
	char *arg = malloc(MAX_ARG);
	if (!info->argv || !arg) {
		free(arg);
		fc_part_info_dispose(info);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t a = 0; a < argc && !c.bad; a++) {
		get_str(&c, arg, MAX_ARG);
		if (!c.bad && !(info->argv[a] = strdup(arg))) {
			free(arg);
			fc_part_info_dispose(info);
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		}
		info->argc = a + 1;
	}
	free(arg);
	info->n_series = (size_t)get_u64(&c);
	if (c.bad) {
		fc_part_info_dispose(info);
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	}
	return 0;
}

void fc_part_info_dispose(fc_part_info *info)
{
	if (info->argv)
		for (size_t a = 0; a < info->argc; a++)
			free(info->argv[a]);
	free(info->argv);
	info->argv = NULL;
	info->argc = 0;
}

/* Skips the header (read by fc_part_read_info) up to the candidates. */
static void skip_header(cursor *c)
{
	size_t fixed = 8 * 3 + 16 + 8; /* forecast, shard, n_shards, fingerprint, options */
	if (room(c) < fixed) {
		c->bad = 1;
		return;
	}
	c->pos += fixed;
	uint64_t argc = get_u64(c);
	for (uint64_t a = 0; a < argc && !c->bad; a++)
		get_str(c, NULL, 0);
}

static int get_record(cursor *c, const fc_cv_opts *o, fc_run *run, unsigned char *seen,
                      fc_err *err)
{
	size_t K = o->folds, h = o->horizon, nc = o->n_candidates;
	uint64_t i = get_u64(c);
	int64_t status = (int64_t)get_u64(c);
	char msg[FC_ERR_MSG_MAX];
	get_str(c, msg, sizeof msg);
	uint64_t has_folds = get_u64(c);
	if (c->bad)
		return fc_err_set(err, FC_EFORMAT, "the part is truncated");
	if (i >= run->n_series)
		return fc_err_set(err, FC_EFORMAT, "the part names series %llu of %zu",
		                  (unsigned long long)i, run->n_series);
	if (seen[i])
		return fc_err_set(err, FC_EFORMAT, "series %llu is in two parts",
		                  (unsigned long long)i + 1);
	seen[i] = 1;
	fc_series_result *r = &run->res[i];
	if ((has_folds != 0) != (r->fold_fc != NULL) || status < FC_EFORMAT || status > 0)
		return fc_err_set(err, FC_EFORMAT, "series %llu was planned otherwise by the shard",
		                  (unsigned long long)i + 1);
	if (status) {
		r->status = (int)status;
		fc_err_set(&r->err, (int)status, "%s", msg);
	}
	if (!has_folds)
		return 0;
	for (size_t c0 = 0; c0 < nc; c0++) {
		if (o->candidates[c0]->type->global)
			continue;
		if (get_u64(c) != c0 && !c->bad)
			return fc_err_set(err, FC_EFORMAT, "the part's candidates differ from the merge's");
		r->timed_out[c0] = get_u64(c) != 0;
		r->seconds[c0] = get_f64(c);
		for (size_t k = 0; k < K; k++) {
			int ok = get_u64(c) != 0;
			r->fold_ok[c0 * K + k] = (unsigned char)(ok && !c->bad);
			for (size_t j = 0; ok && j < h; j++)
				r->fold_fc[(c0 * K + k) * h + j] = get_f64(c);
		}
		for (size_t j = 0; j < FC_METRIC_COUNT; j++) {
			r->metric_sum[c0 * FC_METRIC_COUNT + j] = get_f64(c);
			r->metric_count[c0 * FC_METRIC_COUNT + j] = (size_t)get_u64(c);
		}
		if (c->bad)
			return fc_err_set(err, FC_EFORMAT, "the part is truncated");
	}
	return 0;
}

/* The most bytes of a saved model or a message in a part. */
#define MAX_SAVED ((uint64_t)1 << 30)

static int get_prefits(cursor *c, const fc_cv_opts *o, fc_run *run, fc_series_result *r,
                       fc_err *err)
{
	size_t nc = o->n_candidates;
	uint64_t n = get_u64(c);
	if (c->bad || n > nc)
		return fc_err_set(err, FC_EFORMAT, "the part is damaged (prefits)");
	if (!n)
		return 0;
	if (!r->prefit && !(r->prefit = calloc(run->capacity, sizeof *r->prefit)))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (uint64_t k = 0; k < n; k++) {
		uint64_t cand = get_u64(c);
		int64_t status = (int64_t)get_u64(c);
		uint64_t len = get_u64(c);
		if (c->bad || cand >= nc || o->candidates[cand]->type->global ||
		    r->prefit[cand].have || status < FC_EFORMAT || status > 0 || len > MAX_SAVED ||
		    len > room(c))
			return fc_err_set(err, FC_EFORMAT, "the part is damaged (prefits)");
		fc_prefit *pf = &r->prefit[cand];
		char *text = malloc((size_t)len + 1);
		if (!text)
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		memcpy(text, c->p + c->pos, (size_t)len);
		text[len] = 0;
		c->pos += (size_t)len;
		pf->have = 1;
		pf->status = (int)status;
		if (status)
			pf->msg = text;
		else
			pf->saved = text;
		pf->timed_out = get_u64(c) != 0;
		pf->seconds = get_f64(c);
		/* the time the shard spent in the refit, whether the selection
		 * takes it or not: the candidate's CPU seconds are the sum
		 * over the parts of everything done in it */
		r->seconds[cand] += pf->seconds;
		if (status)
			continue;
		uint64_t h = get_u64(c), nl = get_u64(c);
		if (c->bad || h != o->horizon)
			return fc_err_set(err, FC_EFORMAT, "the part is damaged (prefits)");
		int rc = fc_forecast_init(&pf->fc, o->horizon, o->levels, o->n_levels, err);
		if (rc)
			return rc;
		if (nl != pf->fc.n_levels)
			return fc_err_set(err, FC_EFORMAT, "the part is damaged (prefits)");
		for (size_t j = 0; j < h; j++)
			pf->fc.mean[j] = get_f64(c);
		for (size_t j = 0; j < nl * h; j++) {
			pf->fc.lo[j] = get_f64(c);
			pf->fc.hi[j] = get_f64(c);
		}
		if (c->bad)
			return fc_err_set(err, FC_EFORMAT, "the part is truncated");
	}
	return 0;
}

int fc_part_load(const void *data, size_t len, const fc_panel *p, const fc_cv_opts *o,
                 fc_run *run, unsigned char *seen, fc_err *err)
{
	cursor c;
	int rc = open_part(&c, data, len, err);
	if (rc)
		return rc;
	skip_header(&c);
	uint64_t ns = get_u64(&c), nc = get_u64(&c), h = get_u64(&c), K = get_u64(&c);
	if (c.bad)
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	if (ns != p->n_series || ns != run->n_series || nc != o->n_candidates || h != o->horizon ||
	    K != o->folds)
		return fc_err_set(err, FC_EFORMAT, "the part was made for another run (%llu series, "
		                  "%llu candidates, horizon %llu, %llu folds; here %zu, %zu, %zu, %zu)",
		                  (unsigned long long)ns, (unsigned long long)nc,
		                  (unsigned long long)h, (unsigned long long)K, p->n_series,
		                  o->n_candidates, o->horizon, o->folds);
	char name[256];
	for (size_t k = 0; k < nc; k++) {
		get_str(&c, name, sizeof name);
		if (c.bad || strcmp(name, o->candidates[k]->type->name) != 0)
			return fc_err_set(err, FC_EFORMAT, "the part's candidates differ from the merge's");
	}
	uint64_t n = get_u64(&c);
	if (c.bad || n > ns)
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	for (uint64_t r = 0; r < n; r++) {
		cursor peek = c;
		uint64_t i = get_u64(&peek); /* the record's series (get_record checks it) */
		if ((rc = get_record(&c, o, run, seen, err)) ||
		    (rc = get_prefits(&c, o, run, &run->res[i], err)))
			return rc;
	}
	if (c.pos != c.len)
		return fc_err_set(err, FC_EFORMAT, "the part has %zu bytes after its last series",
		                  c.len - c.pos);
	return 0;
}

/* ---- prediction parts ---- */

#define PRED_MAGIC "FCPRED 1\n"
#define PRED_MAGIC_LEN (sizeof PRED_MAGIC - 1)
#define PRED_MAX_LEVELS (sizeof ((fc_pred_part *)0)->levels / sizeof(double))

int fc_pred_part_is(const void *data, size_t len)
{
	return len >= PRED_MAGIC_LEN && memcmp(data, PRED_MAGIC, PRED_MAGIC_LEN) == 0;
}

static int put_bytes(fc_buf *b, const char *s, size_t n)
{
	return put_u64(b, n) || fc_buf_append(b, s, n);
}

int fc_pred_part_encode(fc_buf *out, const fc_pred_part *part, fc_err *err)
{
	size_t start = out->len;
	int rc = fc_buf_append(out, PRED_MAGIC, PRED_MAGIC_LEN) || put_u64(out, part->shard) ||
	         put_u64(out, part->n_shards) || put_str(out, part->model) ||
	         put_str(out, part->fingerprint) || put_u64(out, part->horizon) ||
	         put_u64(out, part->n_levels);
	for (size_t l = 0; l < part->n_levels && !rc; l++)
		rc = put_f64(out, part->levels[l]);
	rc = rc || put_u64(out, part->n_series) ||
	     put_bytes(out, part->header, part->header_len) || put_u64(out, part->n_records);
	for (size_t k = 0; k < part->n_records && !rc; k++) {
		const fc_pred_record *r = &part->records[k];
		rc = put_u64(out, r->index) || put_str(out, r->key) || put_u64(out, (uint64_t)r->ok) ||
		     put_bytes(out, r->rows, r->rows_len);
	}
	if (!rc)
		rc = put_u64(out, fc_fnv1a(FC_FNV_OFFSET, out->data + start, out->len - start));
	return rc ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

/* A string in place: its bytes at *s (not NUL-terminated: followed by the
 * next field), its length in *n. */
static void get_bytes(cursor *c, const char **s, size_t *n)
{
	uint64_t len = get_u64(c);
	if (c->bad || len > room(c)) {
		c->bad = 1;
		*s = "";
		*n = 0;
		return;
	}
	*s = (const char *)c->p + c->pos;
	*n = (size_t)len;
	c->pos += (size_t)len;
}

void fc_pred_part_dispose(fc_pred_part *part)
{
	if (part->records)
		for (size_t k = 0; k < part->n_records; k++)
			free((char *)part->records[k].key);
	free(part->records);
	memset(part, 0, sizeof *part);
}

int fc_pred_part_decode(const void *data, size_t len, fc_pred_part *part, fc_err *err)
{
	memset(part, 0, sizeof *part);
	cursor c;
	if (open_magic(&c, data, len, PRED_MAGIC, PRED_MAGIC_LEN, "prediction part", err))
		return FC_EFORMAT;
	int shard_ok = get_shard(&c, &part->shard, &part->n_shards);
	get_str(&c, part->model, sizeof part->model);
	get_str(&c, part->fingerprint, sizeof part->fingerprint);
	part->horizon = (size_t)get_u64(&c);
	uint64_t nl = get_u64(&c);
	if (c.bad || nl > PRED_MAX_LEVELS || !shard_ok)
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	part->n_levels = (size_t)nl;
	for (size_t l = 0; l < part->n_levels; l++)
		part->levels[l] = get_f64(&c);
	part->n_series = (size_t)get_u64(&c);
	get_bytes(&c, &part->header, &part->header_len);
	uint64_t n = get_u64(&c);
	if (c.bad || n > part->n_series || n > room(&c) / 32)
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	part->records = calloc(n ? (size_t)n : 1, sizeof *part->records);
	if (!part->records)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t k = 0; k < n && !c.bad; k++) {
		fc_pred_record *r = &part->records[k];
		r->index = (size_t)get_u64(&c);
		const char *key;
		size_t key_len;
		get_bytes(&c, &key, &key_len);
		r->ok = get_u64(&c) != 0;
		get_bytes(&c, &r->rows, &r->rows_len);
		if (c.bad)
			break;
		char *k0 = malloc(key_len + 1);
		if (!k0) {
			fc_pred_part_dispose(part);
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		}
		memcpy(k0, key, key_len);
		k0[key_len] = 0;
		r->key = k0;
		part->n_records = k + 1;
		if (r->index >= part->n_series || (k && r->index <= part->records[k - 1].index))
			c.bad = 1;
		else if (fc_shard_of(r->key, part->n_shards) != part->shard) {
			/* the message first: the key goes with the part */
			int rc = fc_err_set(err, FC_EFORMAT, "series %s does not hash to the part's shard",
			                    k0);
			fc_pred_part_dispose(part);
			return rc;
		}
	}
	if (c.bad || c.pos != c.len) {
		fc_pred_part_dispose(part);
		return fc_err_set(err, FC_EFORMAT, "the part is damaged");
	}
	return 0;
}

/* ---- the prefits of a fit part ---- */

int fc_part_prefits(const void *data, size_t len, fc_prefit_fn fn, void *ctx, fc_err *err)
{
	cursor c;
	int rc = open_part(&c, data, len, err);
	if (rc)
		return rc;
	skip_header(&c);
	uint64_t ns = get_u64(&c), nc = get_u64(&c), h = get_u64(&c), K = get_u64(&c);
	if (c.bad || nc > 4096 || h > room(&c) || K > room(&c))
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	unsigned char *global = calloc(nc ? (size_t)nc : 1, 1);
	char (*kind)[64] = calloc(nc ? (size_t)nc : 1, sizeof *kind);
	char *text = NULL;
	if (!global || !kind) {
		free(global);
		free(kind);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < nc && !c.bad; k++) {
		get_str(&c, kind[k], sizeof kind[k]);
		const fc_model_type *t = c.bad ? NULL : fc_model_lookup(kind[k]);
		if (!t)
			c.bad = 1;
		else
			global[k] = t->global != NULL;
	}
	uint64_t n = get_u64(&c);
	if (n > ns)
		c.bad = 1;
	for (uint64_t r = 0; r < n && !c.bad && !rc; r++) {
		uint64_t i = get_u64(&c);
		get_u64(&c); /* status */
		get_str(&c, NULL, 0);
		uint64_t has_folds = get_u64(&c);
		if (i >= ns)
			c.bad = 1;
		for (size_t k = 0; has_folds && k < nc && !c.bad; k++) {
			if (global[k])
				continue;
			if (get_u64(&c) != k)
				c.bad = 1;
			get_u64(&c); /* timed out */
			get_f64(&c); /* seconds */
			for (uint64_t f = 0; f < K && !c.bad; f++)
				if (get_u64(&c)) {
					if (room(&c) / 8 < h)
						c.bad = 1;
					else
						c.pos += (size_t)h * 8;
				}
			for (size_t j = 0; j < FC_METRIC_COUNT; j++) {
				get_f64(&c);
				get_u64(&c);
			}
		}
		uint64_t np = get_u64(&c);
		if (np > nc)
			c.bad = 1;
		for (uint64_t k = 0; k < np && !c.bad && !rc; k++) {
			uint64_t cand = get_u64(&c);
			int64_t status = (int64_t)get_u64(&c);
			uint64_t tl = get_u64(&c);
			if (c.bad || cand >= nc || tl > room(&c) || tl > MAX_SAVED) {
				c.bad = 1;
				break;
			}
			free(text);
			if (!(text = malloc((size_t)tl + 1))) {
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
				break;
			}
			memcpy(text, c.p + c.pos, (size_t)tl);
			text[tl] = 0;
			c.pos += (size_t)tl;
			get_u64(&c); /* timed out */
			get_f64(&c); /* seconds */
			if (status)
				continue;
			uint64_t fh = get_u64(&c), nl = get_u64(&c);
			if (c.bad || fh != h || nl > FC_MAX_LEVELS || room(&c) / 8 < fh * (1 + 2 * nl)) {
				c.bad = 1;
				break;
			}
			c.pos += (size_t)(fh * (1 + 2 * nl)) * 8;
			rc = fn(ctx, (size_t)i, (size_t)cand, kind[cand], text);
		}
	}
	free(text);
	free(global);
	free(kind);
	if (!rc && (c.bad || c.pos != c.len))
		rc = fc_err_set(err, FC_EFORMAT, "the part is damaged");
	return rc;
}

/* ---- retrain parts ---- */

#define RETR_MAGIC "FCRETR 1\n"
#define RETR_MAGIC_LEN (sizeof RETR_MAGIC - 1)

uint64_t fc_retrain_model_key(const char *kind, const char *saved, const double *periods,
                              size_t n_periods)
{
	uint64_t h = fc_fnv1a(FC_FNV_OFFSET, kind, strlen(kind) + 1);
	h = fc_fnv1a(h, saved, strlen(saved) + 1);
	for (size_t k = 0; k < n_periods; k++) {
		uint64_t u;
		memcpy(&u, &periods[k], sizeof u);
		unsigned char b[8];
		for (int j = 0; j < 8; j++)
			b[j] = (unsigned char)(u >> (8 * j));
		h = fc_fnv1a(h, b, 8);
	}
	return h;
}

int fc_retrain_part_is(const void *data, size_t len)
{
	return len >= RETR_MAGIC_LEN && memcmp(data, RETR_MAGIC, RETR_MAGIC_LEN) == 0;
}

static int put_entries(fc_buf *b, const fc_retrain_entry *e, size_t n, size_t K, size_t h)
{
	int rc = put_u64(b, n);
	for (size_t k = 0; k < n && !rc; k++) {
		rc = put_u64(b, e[k].key);
		for (size_t j = 0; j < K && !rc; j++) {
			rc = put_u64(b, e[k].ok[j] != 0);
			for (size_t t = 0; e[k].ok[j] && t < h && !rc; t++)
				rc = put_f64(b, e[k].mean[j * h + t]);
		}
	}
	return rc;
}

int fc_retrain_part_encode(fc_buf *out, const fc_retrain_part *part, fc_err *err)
{
	size_t start = out->len, K = part->folds, h = part->horizon;
	int rc = fc_buf_append(out, RETR_MAGIC, RETR_MAGIC_LEN) || put_u64(out, part->shard) ||
	         put_u64(out, part->n_shards) || put_str(out, part->name) ||
	         put_u64(out, (uint64_t)part->champion_version) || put_str(out, part->champion) ||
	         put_str(out, part->fingerprint) || put_u64(out, part->options) ||
	         put_u64(out, part->argc);
	for (size_t a = 0; a < part->argc && !rc; a++)
		rc = put_str(out, part->argv[a]);
	rc = rc || put_u64(out, h) || put_u64(out, K) || put_u64(out, part->n_series) ||
	     put_bytes(out, (const char *)part->fit_part, part->fit_part_len) || put_u64(out, part->n_records);
	for (size_t r = 0; r < part->n_records && !rc; r++) {
		const fc_retrain_record *x = &part->records[r];
		rc = put_u64(out, x->index) || put_str(out, x->key) ||
		     put_entries(out, x->champion, x->n_champion, K, h) ||
		     put_entries(out, x->challenger, x->n_challenger, K, h);
	}
	if (!rc)
		rc = put_u64(out, fc_fnv1a(FC_FNV_OFFSET, out->data + start, out->len - start));
	return rc ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

static void free_entries(fc_retrain_entry *e, size_t n)
{
	for (size_t k = 0; e && k < n; k++) {
		free(e[k].ok);
		free(e[k].mean);
	}
	free(e);
}

void fc_retrain_part_dispose(fc_retrain_part *part)
{
	for (size_t r = 0; part->records && r < part->n_records; r++) {
		fc_retrain_record *x = &part->records[r];
		free(x->key);
		free_entries(x->champion, x->n_champion);
		free_entries(x->challenger, x->n_challenger);
	}
	free(part->records);
	for (size_t a = 0; part->argv && a < part->argc; a++)
		free(part->argv[a]);
	free(part->argv);
	memset(part, 0, sizeof *part);
}

/* The entries of one side of a record; 0, or -1 when damaged (c->bad) or
 * out of memory (*oom). */
static int get_entries(cursor *c, fc_retrain_entry **out, size_t *n_out, size_t K, size_t h,
                       int *oom)
{
	uint64_t n = get_u64(c);
	/* each entry takes its key and a flag per fold at least */
	if (c->bad || n > room(c) / (8 * (1 + K))) {
		c->bad = 1;
		return -1;
	}
	fc_retrain_entry *e = calloc(n ? (size_t)n : 1, sizeof *e);
	if (!e) {
		*oom = 1;
		return -1;
	}
	*out = e;
	for (size_t k = 0; k < n && !c->bad; k++) {
		e[k].key = get_u64(c);
		e[k].ok = calloc(K ? K : 1, 1);
		*n_out = k + 1;
		if (!e[k].ok) {
			*oom = 1;
			return -1;
		}
		for (size_t j = 0; j < K && !c->bad; j++) {
			if (!(e[k].ok[j] = get_u64(c) != 0))
				continue;
			/* the means of a fold that forecast are in the part: room
			 * for them is checked before the table is made (at most
			 * RETR_MAX_FOLDS times the bytes read) */
			if (room(c) / 8 < h) {
				c->bad = 1;
				break;
			}
			if (!e[k].mean && !(e[k].mean = calloc(K * h, sizeof *e[k].mean))) {
				*oom = 1;
				return -1;
			}
			for (size_t t = 0; t < h; t++)
				e[k].mean[j * h + t] = get_f64(c);
		}
	}
	return c->bad ? -1 : 0;
}

#define RETR_MAX_FOLDS 1000
#define RETR_MAX_HORIZON 1000000

int fc_retrain_part_decode(const void *data, size_t len, fc_retrain_part *part, fc_err *err)
{
	memset(part, 0, sizeof *part);
	cursor c;
	if (open_magic(&c, data, len, RETR_MAGIC, RETR_MAGIC_LEN, "retrain part", err))
		return FC_EFORMAT;
	int shard_ok = get_shard(&c, &part->shard, &part->n_shards);
	get_str(&c, part->name, sizeof part->name);
	part->champion_version = (long)get_u64(&c);
	get_str(&c, part->champion, sizeof part->champion);
	get_str(&c, part->fingerprint, sizeof part->fingerprint);
	part->options = get_u64(&c);
	uint64_t argc = get_u64(&c);
	if (c.bad || argc > MAX_ARGS || !shard_ok)
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	int oom = 0;
	char *arg = malloc(MAX_ARG);
	if (!arg || !(part->argv = calloc((size_t)argc + 1, sizeof *part->argv)))
		oom = 1;
	for (size_t a = 0; a < argc && !c.bad && !oom; a++) {
		get_str(&c, arg, MAX_ARG);
		if (!c.bad && !(part->argv[a] = strdup(arg)))
			oom = 1;
		part->argc = a + 1;
	}
	free(arg);
	part->horizon = (size_t)get_u64(&c);
	part->folds = (size_t)get_u64(&c);
	part->n_series = (size_t)get_u64(&c);
	const char *fp;
	get_bytes(&c, &fp, &part->fit_part_len);
	part->fit_part = fp;
	uint64_t n = get_u64(&c);
	if (!oom && (c.bad || part->horizon < 1 || part->horizon > RETR_MAX_HORIZON ||
	             part->folds > RETR_MAX_FOLDS || n > part->n_series || n > room(&c) / 32)) {
		fc_retrain_part_dispose(part);
		return fc_err_set(err, FC_EFORMAT, "the part's header is damaged");
	}
	if (!oom && !(part->records = calloc(n ? (size_t)n : 1, sizeof *part->records)))
		oom = 1;
	for (size_t r = 0; r < n && !c.bad && !oom; r++) {
		fc_retrain_record *x = &part->records[r];
		part->n_records = r + 1;
		x->index = (size_t)get_u64(&c);
		const char *key;
		size_t key_len;
		get_bytes(&c, &key, &key_len);
		if (c.bad)
			break;
		if (!(x->key = malloc(key_len + 1))) {
			oom = 1;
			break;
		}
		memcpy(x->key, key, key_len);
		x->key[key_len] = 0;
		if (x->index >= part->n_series || (r && x->index <= part->records[r - 1].index)) {
			c.bad = 1;
			break;
		}
		if (fc_shard_of(x->key, part->n_shards) != part->shard) {
			int rc = fc_err_set(err, FC_EFORMAT, "series %s does not hash to the part's shard",
			                    x->key);
			fc_retrain_part_dispose(part);
			return rc;
		}
		if (get_entries(&c, &x->champion, &x->n_champion, part->folds, part->horizon, &oom) ||
		    get_entries(&c, &x->challenger, &x->n_challenger, part->folds, part->horizon, &oom))
			break;
	}
	if (oom) {
		fc_retrain_part_dispose(part);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	if (c.bad || c.pos != c.len) {
		fc_retrain_part_dispose(part);
		return fc_err_set(err, FC_EFORMAT, "the part is damaged");
	}
	return 0;
}
