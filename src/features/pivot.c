/* The pivot: every series' history into one column-major float32 design
 * matrix for the global models.
 *
 * One counting pass over the targets fixes where each series' rows go
 * (rows follow series order, then time), the matrix is allocated once,
 * and the series are then featurized in parallel, each thread writing only
 * its series' rows through fc_featurizer_row -- the function recursive
 * forecasting calls for future rows.  The per-thread scratch (transformed
 * target, prefix sums, a block of rows) is allocated once per thread, not
 * per row.
 *
 * Rows are built BLOCK at a time into a small column-major block and then
 * copied column by column into the matrix: written straight into the
 * matrix, each row's values land in n_cols places n_rows floats apart,
 * and those scattered stores took most of the time.  The matrix is asked
 * for transparent huge pages, since first-touch page faults on a matrix of
 * gigabytes otherwise cost about as much as computing it.
 *
 * fc_design_stream hands the rows to a sink instead, one at a time, and
 * keeps no matrix: the global gbdt bins them as they come (peak memory one
 * byte per feature per row rather than four plus one; see
 * fc_gbdt_bins_alloc), after a first pass over a sample of rows (every
 * `every`-th) has given the bin edges. */

#include "forecast/features.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "features_private.h"

#define BLOCK 256
#define HUGE_PAGE ((size_t)2 << 20)

/* A large zero-initialised-on-touch array, huge-page aligned and advised
 * when the system allows; freed with free(). */
static void *alloc_big(size_t bytes)
{
	if (bytes < 4 * HUGE_PAGE)
		return malloc(bytes ? bytes : 1);
	void *p = NULL;
	size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	if (posix_memalign(&p, HUGE_PAGE, rounded))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
	/* fault the pages in now, one touch per page, rather than
	 * interleaved with the computation (measured: several times faster on
	 * a virtual machine, where the faults stall on the host) */
	long n_pages = (long)(rounded / 4096);
#pragma omp parallel for schedule(static)
	for (long i = 0; i < n_pages; i++)
		((volatile char *)p)[(size_t)i * 4096] = 0;
	return p;
}

void fc_design_free(fc_design *d)
{
	if (!d)
		return;
	free(d->x);
	free(d->y);
	free(d->series);
	free(d->t);
	free(d->row);
	free(d->tr);
	free(d);
}

/* Whether the transformed target at t is missing, without transforming:
 * differences need both ends. */
static int z_missing(const double *y, size_t t, fc_target_tf kind, size_t m)
{
	if (isnan(y[t]))
		return 1;
	if (kind == FC_TF_DIFF)
		return t < 1 || isnan(y[t - 1]);
	if (kind == FC_TF_SDIFF)
		return t < m || isnan(y[t - m]);
	return 0;
}

static int has_observation(const fc_series *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->y[i]))
			return 1;
	return 0;
}

/* Copies k rows of a column-major block (stride BLOCK) into the matrix
 * at x (stride n_rows). */
static void flush_block(const float *block, size_t k, size_t nc, float *x, size_t n_rows)
{
	if (k == 0)
		return;
	for (size_t c = 0; c < nc; c++)
		memcpy(x + c * n_rows, block + c * BLOCK, k * sizeof *x);
}

/* The rows into the matrix d->x (sink NULL), or the rows r with r % every
 * == 0 to sink, leaving d->x NULL; with mine (sink only), of the series s
 * with mine[s] only, r still counting every series' rows, d holding the
 * rows of those series and their indices r in d->row, *n_total the count
 * of every series' rows. */
static int build(const fc_featurizer *f, size_t min_t, size_t every, const unsigned char *mine,
                 fc_design_sink sink, void *ctx, fc_design **out, size_t *n_total, size_t *bad,
                 fc_err *err)
{
	if (bad)
		*bad = SIZE_MAX;
	const size_t ns = f->n_series, nc = f->n_cols;
	const fc_target_tf kind = f->spec.transform;
	fc_design *d = calloc(1, sizeof *d);
	size_t *first = malloc((ns + 1) * sizeof *first);
	/* where series s's rows go in d: first[s] without mine */
	size_t *local = malloc((ns + 1) * sizeof *local);
	int *rc = calloc(ns, sizeof *rc);
	int code = FC_ENOMEM;
	if (!d || !first || !local || !rc)
		goto nomem;
	size_t n_rows = 0, n_local = 0, max_n = 0;
	for (size_t s = 0; s < ns; s++) {
		const fc_series *ser = &f->series[s];
		first[s] = n_rows;
		for (size_t t = min_t; t < ser->n; t++)
			n_rows += !z_missing(ser->y, t, kind, f->m);
		local[s] = mine ? n_local : first[s];
		n_local += !mine || mine[s] ? n_rows - first[s] : 0;
		if (ser->n > max_n)
			max_n = ser->n;
	}
	first[ns] = n_rows;
	local[ns] = n_local;
	if (n_total)
		*n_total = n_rows;
	if (n_rows > UINT32_MAX || max_n > UINT32_MAX || (nc && n_rows > SIZE_MAX / nc / sizeof(float))) {
		code = fc_err_set(err, FC_EINVAL, "features: %zu rows x %zu columns is too large", n_rows, nc);
		goto fail;
	}
	d->n_rows = n_local;
	d->n_cols = nc;
	d->x = sink ? NULL : alloc_big(n_rows * nc * sizeof *d->x);
	d->y = malloc((n_local ? n_local : 1) * sizeof *d->y);
	d->series = malloc((n_local ? n_local : 1) * sizeof *d->series);
	d->t = malloc((n_local ? n_local : 1) * sizeof *d->t);
	d->row = mine ? malloc((n_local ? n_local : 1) * sizeof *d->row) : NULL;
	d->tr = calloc(ns, sizeof *d->tr);
	if ((!sink && !d->x) || !d->y || !d->series || !d->t || !d->tr || (mine && !d->row))
		goto nomem;
	int scratch_failed = 0;

#pragma omp parallel
	{
		double *z = malloc((max_n ? max_n : 1) * sizeof *z);
		double *prefix = f->spec.expanding_mean ? malloc(2 * (max_n + 1) * sizeof *prefix) : NULL;
		float *block = malloc((nc ? nc : 1) * BLOCK * sizeof *block);
		int ok = z && block && (!f->spec.expanding_mean || prefix);
		if (!ok) {
#pragma omp atomic write
			scratch_failed = 1;
		}
#pragma omp for schedule(dynamic, 16)
		for (size_t s = 0; s < ns; s++) {
			if (!ok)
				continue;
			const fc_series *ser = &f->series[s];
			if (mine && !mine[s]) {
				d->tr[s] = (fc_transform){.kind = kind, .loc = 0, .scale = 1, .m = f->m};
				continue;
			}
			if (first[s + 1] == first[s] && !has_observation(ser)) {
				d->tr[s] = (fc_transform){.kind = kind, .loc = 0, .scale = 1, .m = f->m};
				continue;
			}
			if ((rc[s] = fc_transform_apply(kind, f->m, ser->y, ser->n, z, &d->tr[s], NULL)))
				continue;
			if (prefix)
				fc_featurizer_prefix(z, ser->n, prefix);
			if (sink) { /* the sampled rows, BLOCK at a time */
				size_t r = first[s], k = 0, r0 = 0;
				for (size_t t = min_t; t < ser->n; t++) {
					if (isnan(z[t]))
						continue;
					size_t q = local[s] + (r - first[s]);
					d->y[q] = (float)z[t];
					d->series[q] = (uint32_t)s;
					d->t[q] = (uint32_t)t;
					if (d->row)
						d->row[q] = (uint32_t)r;
					if (r % every == 0) {
						if (k == 0)
							r0 = r;
						fc_featurizer_row(f, s, z, prefix, t, NULL, block + k, BLOCK, NULL);
						if (++k == BLOCK) {
							sink(ctx, r0, k, block, BLOCK);
							k = 0;
						}
					}
					r++;
				}
				if (k)
					sink(ctx, r0, k, block, BLOCK);
				continue;
			}
			size_t r = first[s], k = 0;
			for (size_t t = min_t; t < ser->n; t++) {
				if (isnan(z[t]))
					continue;
				fc_featurizer_row(f, s, z, prefix, t, NULL, block + k, BLOCK, NULL);
				d->y[r + k] = (float)z[t];
				d->series[r + k] = (uint32_t)s;
				d->t[r + k] = (uint32_t)t;
				if (++k == BLOCK) {
					flush_block(block, k, nc, d->x + r, n_rows);
					r += k;
					k = 0;
				}
			}
			flush_block(block, k, nc, d->x + r, n_rows);
		}
		free(z);
		free(prefix);
		free(block);
	}
	if (scratch_failed)
		goto nomem;
	for (size_t s = 0; s < ns; s++) {
		if (rc[s]) {
			/* again, serially, for the message */
			const fc_series *ser = &f->series[s];
			double *z = malloc(ser->n * sizeof *z);
			fc_transform tr;
			if (!z)
				goto nomem;
			code = fc_transform_apply(kind, f->m, ser->y, ser->n, z, &tr, err);
			free(z);
			fc_err_prefix(err, "series %s: ", *ser->key ? ser->key : "(the only series)");
			if (bad)
				*bad = s;
			goto fail;
		}
	}
	free(local);
	free(first);
	free(rc);
	*out = d;
	return 0;
nomem:
	fc_err_set(err, FC_ENOMEM, "out of memory");
fail:
	free(local);
	free(first);
	free(rc);
	fc_design_free(d);
	return code;
}

int fc_design_build(const fc_featurizer *f, size_t min_t, fc_design **out, fc_err *err)
{
	return build(f, min_t, 1, NULL, NULL, NULL, out, NULL, NULL, err);
}

int fc_design_stream(const fc_featurizer *f, size_t min_t, size_t every, fc_design_sink sink,
                     void *ctx, fc_design **out, fc_err *err)
{
	fc_design *d = NULL;
	int rc = build(f, min_t, every ? every : 1, NULL, sink, ctx, &d, NULL, NULL, err);
	if (!rc && out)
		*out = d;
	else
		fc_design_free(d);
	return rc;
}

int fc_design_stream_part(const fc_featurizer *f, size_t min_t, size_t every,
                          const unsigned char *mine, fc_design_sink sink, void *ctx,
                          fc_design **out, size_t *n_total, size_t *bad, fc_err *err)
{
	fc_design *d = NULL;
	int rc = build(f, min_t, every ? every : 1, mine, sink, ctx, &d, n_total, bad, err);
	if (!rc && out)
		*out = d;
	else
		fc_design_free(d);
	return rc;
}

size_t fc_design_count(const fc_featurizer *f, size_t min_t)
{
	size_t n_rows = 0;
	for (size_t s = 0; s < f->n_series; s++) {
		const fc_series *ser = &f->series[s];
		for (size_t t = min_t; t < ser->n; t++)
			n_rows += !z_missing(ser->y, t, f->spec.transform, f->m);
	}
	return n_rows;
}
