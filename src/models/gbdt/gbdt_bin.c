/* Feature binning for the histogram GBDT: quantile bin edges per column and
 * the uint8 binned copy of the training matrix.  Layer 1 of the learner
 * (see gbdt_private.h): it uses no other layer.
 *
 * As in LightGBM (Ke et al., NeurIPS 2017, section 2 "histogram-based
 * algorithm"), edges come from a sample of rows (at most SAMPLE_ROWS, taken
 * at an even stride so that no random stream is used): when a column has at
 * most max_bin distinct values each gets its own bin, otherwise edges are
 * placed where the cumulative count crosses k * n / max_bin, so heavily
 * tied values get a bin to themselves and fewer bins may result.  Edges sit
 * half way between adjacent distinct values.  Missing values have a bin of
 * their own (the last), whose direction is learnt at each split.
 * Categorical columns keep their max_bin most frequent codes; every other
 * code shares the last bin with NaN.  Omitted: LightGBM's special zero bin
 * and its treatment of sparse features. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/numeric.h"
#include "models/gbdt/gbdt_private.h"

/* LightGBM samples 200000 rows (bin_construct_sample_cnt); with a radix
 * sort a million costs little more, and on the 1M-row benchmark gave bins
 * closer to xgboost's (which sketches every row). */
#define SAMPLE_ROWS 1000000

/* Sorts s[0..n) (no NaN) by an LSD radix sort on the order-preserving
 * integer image of the floats; tmp has room for n keys. */
static void sort_floats(float *s, uint32_t *tmp, size_t n)
{
	uint32_t *k = (uint32_t *)(void *)s;
	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &s[i], 4);
		k[i] = u & 0x80000000u ? ~u : u | 0x80000000u;
	}
	uint32_t *src = k, *dst = tmp;
	for (int shift = 0; shift < 32; shift += 8) {
		size_t cnt[257] = {0};
		for (size_t i = 0; i < n; i++)
			cnt[((src[i] >> shift) & 255u) + 1]++;
		for (int b = 0; b < 256; b++)
			cnt[b + 1] += cnt[b];
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 255u]++] = src[i];
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	/* four passes: the keys are back in s */
	for (size_t i = 0; i < n; i++) {
		uint32_t u = k[i];
		u = u & 0x80000000u ? u & 0x7fffffffu : ~u;
		memcpy(&s[i], &u, 4);
	}
}

typedef struct code_count {
	double code;
	size_t n;
} code_count;

/* Most frequent first; ties to the lower code. */
static int cmp_count_desc(const void *a, const void *b)
{
	const code_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return (x->code > y->code) - (x->code < y->code);
}

static int is_code(float v)
{
	return !isnan(v) && v >= 0 && v == floorf(v) && v < 16777216.0f;
}

int gbdt_bin_value(const gbdt_binmap *m, float v)
{
	if (m->is_cat) {
		if (!is_code(v))
			return m->n_value_bins;
		int lo = 0, hi = m->n_value_bins - 1;
		while (lo <= hi) {
			int mid = (lo + hi) / 2;
			if (m->cats[mid] == v)
				return mid;
			if (m->cats[mid] < v)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
		return m->n_value_bins;
	}
	if (isnan(v))
		return m->n_value_bins;
	/* first b with v <= upper[b], the test trees apply at prediction, so
	 * that rows outside the sample are binned as they will be predicted;
	 * the last edge is +inf.  Branch-free binary search. */
	const double *e = m->upper, dv = v;
	size_t lo = 0, len = (size_t)m->n_value_bins;
	while (len > 1) {
		size_t half = len / 2;
		lo = e[lo + half - 1] < dv ? lo + half : lo;
		len -= half;
	}
	return (int)(lo + (e[lo] < dv));
}

/* Edges for one numeric column from its sorted non-missing sample s[0..n). */
static int numeric_edges(gbdt_binmap *m, const float *s, size_t n, size_t max_bin)
{
	m->upper = malloc(max_bin * sizeof *m->upper);
	if (!m->upper)
		return FC_ENOMEM;
	size_t nb = 0;
	size_t nd = 0;
	for (size_t i = 0; i < n; i++)
		nd += i == 0 || s[i] != s[i - 1];
	if (nd <= max_bin) {
		for (size_t i = 0; i + 1 < n; i++)
			if (s[i] != s[i + 1]) {
				m->upper[nb++] = ((double)s[i] + (double)s[i + 1]) / 2;
			}
	} else {
		/* Walk the distinct values; cut after value i when the rows up to
		 * it reach the next of the boundaries k n / max_bin. */
		size_t k = 1;
		for (size_t i = 0; i + 1 < n && k < max_bin; i++) {
			if (s[i] == s[i + 1])
				continue;
			double acc = (double)(i + 1);
			if (acc * (double)max_bin >= (double)k * (double)n) {
				m->upper[nb++] = ((double)s[i] + (double)s[i + 1]) / 2;
				while (k < max_bin && (double)k * (double)n <= acc * (double)max_bin)
					k++;
			}
		}
	}
	m->upper[nb++] = INFINITY;
	m->n_value_bins = (int)nb;
	return 0;
}

static int categorical_codes(gbdt_binmap *m, const float *s, size_t n, size_t max_bin)
{
	code_count *cc = malloc((n ? n : 1) * sizeof *cc);
	if (!cc)
		return FC_ENOMEM;
	size_t nd = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || s[i] != s[i - 1])
			cc[nd++] = (code_count){s[i], 0};
		cc[nd - 1].n++;
	}
	qsort(cc, nd, sizeof *cc, cmp_count_desc);
	size_t keep = nd < max_bin ? nd : max_bin;
	m->cats = malloc((keep ? keep : 1) * sizeof *m->cats);
	if (!m->cats) {
		free(cc);
		return FC_ENOMEM;
	}
	for (size_t i = 0; i < keep; i++)
		m->cats[i] = cc[i].code;
	qsort(m->cats, keep, sizeof *m->cats, fc_cmp_double);
	m->n_value_bins = (int)keep;
	free(cc);
	return 0;
}

void gbdt_data_dispose(gbdt_data *d)
{
	if (d->maps)
		for (size_t c = 0; c < d->n_cols; c++) {
			free(d->maps[c].upper);
			free(d->maps[c].cats);
		}
	free(d->maps);
	free(d->bins);
	free(d->bin_offset);
	memset(d, 0, sizeof *d);
}

size_t gbdt_sample_stride(size_t n_rows)
{
	return n_rows > SAMPLE_ROWS ? (n_rows + SAMPLE_ROWS - 1) / SAMPLE_ROWS : 1;
}

int gbdt_data_alloc_bins(gbdt_data *d, fc_err *err)
{
	if (!d->bins && !(d->bins = malloc(d->n_groups * d->width * (d->n_rows ? d->n_rows : 1))))
		return fc_err_set(err, FC_ENOMEM, "out of memory binning %zu x %zu features", d->n_rows,
		                  d->n_cols);
	return 0;
}

int gbdt_data_alloc(gbdt_data *d, size_t n_rows, size_t n_cols, int with_bins, fc_err *err)
{
	memset(d, 0, sizeof *d);
	d->n_rows = n_rows;
	d->n_cols = n_cols;
	/* About four groups per thread, at most GBDT_MAX_WIDTH columns wide
	 * (wider groups measured no faster); the width changes no result, only
	 * the speed. */
	size_t threads = (size_t)omp_get_max_threads();
	size_t width = (n_cols + 4 * threads - 1) / (4 * threads);
	d->width = width < 1 ? 1 : width > GBDT_MAX_WIDTH ? GBDT_MAX_WIDTH : width;
	d->n_groups = (n_cols + d->width - 1) / d->width;
	d->maps = calloc(n_cols, sizeof *d->maps);
	d->bin_offset = malloc((n_cols + 1) * sizeof *d->bin_offset);
	if (!d->maps || !d->bin_offset || (with_bins && gbdt_data_alloc_bins(d, err))) {
		gbdt_data_dispose(d);
		return fc_err_set(err, FC_ENOMEM, "out of memory binning %zu x %zu features", n_rows,
		                  n_cols);
	}
	return 0;
}

/* Histogram offsets of the columns, once every map is made. */
static void set_offsets(gbdt_data *d)
{
	size_t off = 0;
	for (size_t c = 0; c < d->n_cols; c++) {
		d->bin_offset[c] = off;
		off += (size_t)d->maps[c].n_value_bins + 1;
	}
	d->bin_offset[d->n_cols] = off;
	d->n_hist_bins = off;
}

/* The map of column c from its values col[0], col[step], ... (n_rows of
 * them in all, so n_rows / step rounded up in the sample); s and tmp have
 * room for the sample. */
static int column_map(gbdt_data *d, size_t c, const float *col, size_t n_rows, size_t step,
                      const unsigned char *categorical, size_t max_bin, float *s, uint32_t *tmp)
{
	gbdt_binmap *m = &d->maps[c];
	m->is_cat = categorical && categorical[c];
	size_t n = 0;
	for (size_t r = 0; r < n_rows; r += step) {
		float v = col[r];
		if (m->is_cat ? is_code(v) : !isnan(v))
			s[n++] = v;
	}
	sort_floats(s, tmp, n);
	return m->is_cat ? categorical_codes(m, s, n, max_bin) : numeric_edges(m, s, n, max_bin);
}

void gbdt_data_put_rows(gbdt_data *d, size_t r, size_t k, const float *block, size_t stride)
{
	size_t w = d->width;
	for (size_t c = 0; c < d->n_cols; c++) {
		const gbdt_binmap *m = &d->maps[c];
		const float *v = block + c * stride;
		uint8_t *b = d->bins + (c / w) * d->n_rows * w + r * w + c % w;
		for (size_t i = 0; i < k; i++)
			b[i * w] = (uint8_t)gbdt_bin_value(m, v[i]);
	}
}

void gbdt_data_put_column(gbdt_data *d, size_t c, const float *col)
{
	const gbdt_binmap *m = &d->maps[c];
	size_t w = d->width;
	uint8_t *b = d->bins + (c / w) * d->n_rows * w + c % w;
	for (size_t r = 0; r < d->n_rows; r++)
		b[r * w] = (uint8_t)gbdt_bin_value(m, col[r]);
}

/* The bin maps of every column of x (column c at x + c * n_rows), made from
 * every step-th row (n_sample of them), in parallel over the columns with
 * one sort buffer per thread; with put, each column is binned as well. */
static int map_columns(gbdt_data *d, const float *x, size_t n_rows, size_t step, size_t n_sample,
                       const unsigned char *categorical, size_t max_bin, int put)
{
	int failed = 0;
	size_t n_cols = d->n_cols;
#pragma omp parallel
	{
		float *s = malloc((n_sample ? n_sample : 1) * sizeof *s);
		uint32_t *tmp = malloc((n_sample ? n_sample : 1) * sizeof *tmp);
		if (!s || !tmp) {
#pragma omp atomic write
			failed = 1;
		}
#pragma omp for schedule(dynamic, 1)
		for (size_t c = 0; c < n_cols; c++) {
			if (!s || !tmp)
				continue;
			const float *col = x + c * n_rows;
			if (column_map(d, c, col, n_rows, step, categorical, max_bin, s, tmp)) {
#pragma omp atomic write
				failed = 1;
				continue;
			}
			if (put)
				gbdt_data_put_column(d, c, col);
		}
		free(s);
		free(tmp);
	}
	return failed;
}

int gbdt_data_maps(gbdt_data *d, const float *sample, size_t n_sample,
                   const unsigned char *categorical, size_t max_bin, fc_err *err)
{
	if (map_columns(d, sample, n_sample, 1, n_sample, categorical, max_bin, 0))
		return fc_err_set(err, FC_ENOMEM, "out of memory binning features");
	set_offsets(d);
	return 0;
}

int gbdt_data_build(gbdt_data *d, const float *x, size_t n_rows, size_t n_cols,
                    const unsigned char *categorical, size_t max_bin, fc_err *err)
{
	int rc = gbdt_data_alloc(d, n_rows, n_cols, 1, err);
	if (rc)
		return rc;
	size_t stride = gbdt_sample_stride(n_rows);
	size_t n_sample = (n_rows + stride - 1) / stride;
	if (map_columns(d, x, n_rows, stride, n_sample, categorical, max_bin, 1)) {
		gbdt_data_dispose(d);
		return fc_err_set(err, FC_ENOMEM, "out of memory binning features");
	}
	set_offsets(d);
	return 0;
}
