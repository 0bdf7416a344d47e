/* Gradient/hessian histograms of a tree node, and the sibling's histogram by
 * subtraction (Ke et al., NeurIPS 2017, section 2: a child's histogram is
 * its parent's minus its sibling's, so only the smaller child is scanned).
 * Layer 2 of the learner (see gbdt_private.h): it reads the binned data.
 *
 * The binned matrix is stored in row-major groups of a few columns (see
 * gbdt_data), so one pass over the node's rows fills the histograms of a
 * whole group, reading each row's gradient pair once (as the row-wise
 * histograms of LightGBM and xgboost do for dense data).  The node's
 * gradients are first gathered into row order ("ordered gradients"), and
 * the scattered rows of a child node are prefetched a few rows ahead.  With
 * unit hessians (unweighted squared, absolute, quantile) only gradients and
 * counts are summed; the hessian sum is the count.
 *
 * The sums are of integers: gradients and hessians on a fixed-point grid
 * (gbdt.c, "Sums"), so a bin's sum is exact, whatever the order of its
 * rows -- the property that lets the rows be split over processes and
 * their histograms summed (the data-parallel learning of LightGBM, Meng
 * et al., "A communication-efficient parallel algorithm for decision
 * tree", NeurIPS 2016, section 2) with the same result as one process;
 * it makes subtraction exact too.  The split search reads them as reals
 * (gbdt_hist_real).
 *
 * Threading: OpenMP over column groups; every histogram bin is summed by
 * one thread, so the sums do not depend on the number of threads (nor on
 * the group width); being exact, they would not anyway. */
#include <string.h>

#include "models/gbdt/gbdt_private.h"

/* Below this much work (rows x columns) threads cost more than they save. */
#define PAR_MIN_WORK (1 << 18)
/* Rows ahead to prefetch in a node's (scattered) rows. */
#define PREFETCH 32

void gbdt_hist_build(const gbdt_data *d, const uint32_t *idx, size_t m, const int64_t *og,
                     const int64_t *oh, const int *cols, size_t n_use, gbdt_ibin *hist)
{
	const size_t n = d->n_rows, w = d->width;
	/* groups holding a column in use, in order */
	size_t groups[d->n_groups ? d->n_groups : 1], n_groups = 0;
	for (size_t k = 0; k < n_use; k++) {
		size_t g = (size_t)cols[k] / w;
		if (n_groups == 0 || groups[n_groups - 1] != g)
			groups[n_groups++] = g;
	}
#pragma omp parallel for schedule(dynamic, 1) if (m * n_use >= PAR_MIN_WORK)
	for (size_t q = 0; q < n_groups; q++) {
		size_t g = groups[q], c0 = g * w, wg = gbdt_group_cols(d, g);
		gbdt_ibin *hb[GBDT_MAX_WIDTH];
		for (size_t k = 0; k < wg; k++)
			hb[k] = hist + d->bin_offset[c0 + k];
		memset(hb[0], 0, (d->bin_offset[c0 + wg] - d->bin_offset[c0]) * sizeof *hb[0]);
		const uint8_t *b = d->bins + g * n * w;
		if (oh) {
			for (size_t i = 0; i < m; i++) {
				if (idx && i + PREFETCH < m)
					__builtin_prefetch(b + (size_t)idx[i + PREFETCH] * w);
				const uint8_t *rb = b + (size_t)(idx ? idx[i] : i) * w;
				int64_t gi = og[i], hi = oh[i];
				for (size_t k = 0; k < wg; k++) {
					gbdt_ibin *e = &hb[k][rb[k]];
					e->g += gi;
					e->h += hi;
					e->n += 1;
				}
			}
		} else {
			/* unit hessians: their sum is the row count (exactly) */
			for (size_t i = 0; i < m; i++) {
				if (idx && i + PREFETCH < m)
					__builtin_prefetch(b + (size_t)idx[i + PREFETCH] * w);
				const uint8_t *rb = b + (size_t)(idx ? idx[i] : i) * w;
				int64_t gi = og[i];
				for (size_t k = 0; k < wg; k++) {
					gbdt_ibin *e = &hb[k][rb[k]];
					e->g += gi;
					e->n += 1;
				}
			}
			for (gbdt_ibin *e = hb[0], *end = hist + d->bin_offset[c0 + wg]; e < end; e++)
				e->h = e->n;
		}
	}
}

void gbdt_hist_subtract(const gbdt_data *d, const int *cols, size_t n_use, gbdt_ibin *big,
                        const gbdt_ibin *small)
{
	for (size_t k = 0; k < n_use; k++) {
		int c = cols[k];
		for (size_t j = d->bin_offset[c]; j < d->bin_offset[c + 1]; j++) {
			big[j].g -= small[j].g;
			big[j].h -= small[j].h;
			big[j].n -= small[j].n;
		}
	}
}

void gbdt_hist_real(const gbdt_data *d, const int *cols, size_t n_use, const gbdt_ibin *in,
                    double gs, double hs, gbdt_hbin *out)
{
	for (size_t k = 0; k < n_use; k++) {
		int c = cols[k];
		for (size_t j = d->bin_offset[c]; j < d->bin_offset[c + 1]; j++) {
			out[j].g = (double)in[j].g * gs;
			out[j].h = (double)in[j].h * hs;
			out[j].n = (double)in[j].n;
		}
	}
}
