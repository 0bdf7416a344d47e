/* Leaf-wise tree growth on binned data, and tree traversal.  Layer 4 of the
 * learner (see gbdt_private.h): it calls the histogram and split layers.
 *
 * Leaf-wise ("best-first") growth as in LightGBM (Ke et al., NeurIPS 2017;
 * Shi 2007, "Best-first decision tree learning"): every leaf keeps its best
 * split, and the leaf with the largest gain is split next until num_leaves
 * leaves exist, no split gains more than min_gain, or max_depth stops all
 * leaves.  Ties go to the lowest leaf index.  A leaf's rows are a
 * contiguous stretch of one index array, split by a stable partition; of
 * the two children only the smaller one's histogram is built, the larger
 * one's is the parent's minus it (done in place in the parent's slot).
 * Histograms are summed exactly (gbdt_hist.c); with the rows split over
 * processes (a comm), each process grows the same tree on its own rows:
 * every histogram it builds and the root's sums are summed over the
 * processes before use, node sizes are the global counts the histograms
 * give, and the smaller child is chosen by global count, so the choices,
 * leaf values and covers are the same on every process, and the same as
 * one process's on all the rows.
 * Omitted: LightGBM's forced splits, monotone constraints, cost-effective
 * gradient boosting and linear trees. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/gbdt.h"
#include "models/gbdt/gbdt_private.h"

/* Rows ahead to prefetch when walking a leaf's scattered rows. */
#define PREFETCH 32

struct gbdt_grower {
	const gbdt_data *d;
	size_t num_leaves;
	uint32_t *rows, *tmp;
	int64_t *og, *oh;
	gbdt_ibin *hist;         /* num_leaves slots of n_hist_bins (summed over processes) */
	gbdt_hbin *real;         /* the histogram being searched, as reals */
	size_t *begin, *count, *slot, *depth;  /* count: this process's rows */
	double *sg, *sh, *gcount;              /* sums and rows over every process */
	double gs, hs;                         /* the gradients' grid steps */
	const fc_gbdt_comm *comm;
	int *parent_node, *parent_side;
	gbdt_split *best;
	size_t n_leaves;
};

void gbdt_grower_free(gbdt_grower *g)
{
	if (!g)
		return;
	free(g->rows);
	free(g->tmp);
	free(g->og);
	free(g->oh);
	free(g->hist);
	free(g->real);
	free(g->gcount);
	free(g->begin);
	free(g->count);
	free(g->slot);
	free(g->depth);
	free(g->sg);
	free(g->sh);
	free(g->parent_node);
	free(g->parent_side);
	free(g->best);
	free(g);
}

int gbdt_grower_alloc(const gbdt_data *d, size_t num_leaves, gbdt_grower **out)
{
	gbdt_grower *g = calloc(1, sizeof *g);
	if (!g)
		return FC_ENOMEM;
	size_t n = d->n_rows ? d->n_rows : 1, L = num_leaves;
	g->d = d;
	g->num_leaves = L;
	g->rows = malloc(n * sizeof *g->rows);
	g->tmp = malloc(n * sizeof *g->tmp);
	g->og = malloc(n * sizeof *g->og);
	g->oh = malloc(n * sizeof *g->oh);
	g->hist = malloc(L * d->n_hist_bins * sizeof *g->hist);
	g->real = malloc((d->n_hist_bins ? d->n_hist_bins : 1) * sizeof *g->real);
	g->gcount = malloc(L * sizeof *g->gcount);
	g->begin = malloc(L * sizeof *g->begin);
	g->count = malloc(L * sizeof *g->count);
	g->slot = malloc(L * sizeof *g->slot);
	g->depth = malloc(L * sizeof *g->depth);
	g->sg = malloc(L * sizeof *g->sg);
	g->sh = malloc(L * sizeof *g->sh);
	g->parent_node = malloc(L * sizeof *g->parent_node);
	g->parent_side = malloc(L * sizeof *g->parent_side);
	g->best = malloc(L * sizeof *g->best);
	if (!g->rows || !g->tmp || !g->og || !g->oh || !g->hist || !g->real || !g->gcount ||
	    !g->begin || !g->count ||
	    !g->slot || !g->depth || !g->sg || !g->sh || !g->parent_node || !g->parent_side ||
	    !g->best) {
		gbdt_grower_free(g);
		return FC_ENOMEM;
	}
	*out = g;
	return 0;
}

size_t gbdt_leaf_rows(const gbdt_grower *gr, size_t l, const uint32_t **rows)
{
	*rows = gr->rows + gr->begin[l];
	return gr->count[l];
}

void gbdt_tree_dispose(gbdt_tree *t)
{
	free(t->feature);
	free(t->threshold);
	free(t->default_left);
	free(t->is_cat);
	free(t->left);
	free(t->right);
	free(t->gain);
	free(t->cat_begin);
	free(t->cat_n);
	free(t->cat_words);
	free(t->leaf_value);
	free(t->leaf_cover);
	free(t->thr_bin);
	free(t->bin_words);
	memset(t, 0, sizeof *t);
}

static int tree_alloc(gbdt_tree *t, size_t max_leaves)
{
	memset(t, 0, sizeof *t);
	size_t nn = max_leaves > 1 ? max_leaves - 1 : 1;
	t->feature = malloc(nn * sizeof *t->feature);
	t->threshold = calloc(nn, sizeof *t->threshold);
	t->default_left = calloc(nn, 1);
	t->is_cat = calloc(nn, 1);
	t->left = malloc(nn * sizeof *t->left);
	t->right = malloc(nn * sizeof *t->right);
	t->gain = malloc(nn * sizeof *t->gain);
	t->cat_begin = calloc(nn, sizeof *t->cat_begin);
	t->cat_n = calloc(nn, sizeof *t->cat_n);
	t->leaf_value = calloc(max_leaves, sizeof *t->leaf_value);
	t->leaf_cover = calloc(max_leaves, sizeof *t->leaf_cover);
	t->thr_bin = calloc(nn, sizeof *t->thr_bin);
	t->bin_words = calloc(nn * 8, sizeof *t->bin_words);
	if (!t->feature || !t->threshold || !t->default_left || !t->is_cat || !t->left ||
	    !t->right || !t->gain || !t->cat_begin || !t->cat_n || !t->leaf_value || !t->thr_bin ||
	    !t->bin_words || !t->leaf_cover) {
		gbdt_tree_dispose(t);
		return FC_ENOMEM;
	}
	return 0;
}

/* Whether a row in bin b goes left at node i (bin-level rule). */
static inline int goes_left_bin(const gbdt_tree *t, const gbdt_data *d, size_t i, int b)
{
	int f = t->feature[i];
	if (t->is_cat[i])
		return (t->bin_words[i * 8 + (size_t)b / 32] >> (b % 32)) & 1u;
	if (b == d->maps[f].n_value_bins)
		return t->default_left[i];
	return b <= t->thr_bin[i];
}

int gbdt_tree_leaf_binned(const gbdt_tree *t, const gbdt_data *d, size_t r)
{
	if (t->n_nodes == 0)
		return 0;
	int i = 0;
	for (;;) {
		int b = gbdt_bin_at(d, (size_t)t->feature[i], r);
		int next = goes_left_bin(t, d, (size_t)i, b) ? t->left[i] : t->right[i];
		if (next < 0)
			return ~next;
		i = next;
	}
}

int gbdt_tree_goes_left(const gbdt_tree *t, size_t i, float v)
{
	if (t->is_cat[i]) {
		if (!isnan(v) && v >= 0 && v == floorf(v) && v < 16777216.0f) {
			size_t code = (size_t)v, w = code / 32;
			if (w < t->cat_n[i])
				return (t->cat_words[t->cat_begin[i] + w] >> (code % 32)) & 1u;
		}
		return 0;
	}
	if (isnan(v))
		return t->default_left[i];
	return (double)v <= t->threshold[i];
}

int gbdt_tree_leaf_raw(const gbdt_tree *t, const float *row, size_t stride)
{
	if (t->n_nodes == 0)
		return 0;
	int i = 0;
	for (;;) {
		float v = row[(size_t)t->feature[i] * stride];
		int next = gbdt_tree_goes_left(t, (size_t)i, v) ? t->left[i] : t->right[i];
		if (next < 0)
			return ~next;
		i = next;
	}
}

int gbdt_tree_finish(gbdt_tree *t, const gbdt_data *d)
{
	size_t total = 0;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const gbdt_binmap *m = &d->maps[t->feature[i]];
		if (!t->is_cat[i]) {
			t->threshold[i] = m->upper[t->thr_bin[i]];
			continue;
		}
		double maxcode = 0;
		for (int b = 0; b < m->n_value_bins; b++)
			if ((t->bin_words[i * 8 + (size_t)b / 32] >> (b % 32)) & 1u)
				maxcode = m->cats[b] > maxcode ? m->cats[b] : maxcode;
		t->cat_begin[i] = total;
		t->cat_n[i] = (size_t)maxcode / 32 + 1;
		total += t->cat_n[i];
	}
	t->n_cat_words = total;
	if (total) {
		t->cat_words = calloc(total, sizeof *t->cat_words);
		if (!t->cat_words)
			return FC_ENOMEM;
		for (size_t i = 0; i < t->n_nodes; i++) {
			if (!t->is_cat[i])
				continue;
			const gbdt_binmap *m = &d->maps[t->feature[i]];
			for (int b = 0; b < m->n_value_bins; b++)
				if ((t->bin_words[i * 8 + (size_t)b / 32] >> (b % 32)) & 1u) {
					size_t code = (size_t)m->cats[b];
					t->cat_words[t->cat_begin[i] + code / 32] |= 1u << (code % 32);
				}
		}
	}
	return 0;
}

static int can_split(const gbdt_grower *gr, const gbdt_grow_cfg *cfg, size_t l)
{
	if (cfg->max_depth && gr->depth[l] >= cfg->max_depth)
		return 0;
	return gr->gcount[l] >= 2 * cfg->split.min_data && gr->gcount[l] >= 2;
}

/* The columns in use of a histogram summed over the processes, in runs
 * of adjacent columns.  0 or the collective's failure. */
static int reduce_hist(const gbdt_grower *gr, const int *cols, size_t n_use, gbdt_ibin *hist)
{
	const gbdt_data *d = gr->d;
	if (!gr->comm)
		return 0;
	for (size_t k = 0; k < n_use;) {
		size_t e = k + 1;
		while (e < n_use && cols[e] == cols[e - 1] + 1)
			e++;
		size_t b0 = d->bin_offset[cols[k]], b1 = d->bin_offset[cols[e - 1] + 1];
		int rc = gr->comm->sum(gr->comm->ctx, (int64_t *)(void *)(hist + b0), 3 * (b1 - b0));
		if (rc)
			return rc;
		k = e;
	}
	return 0;
}

/* Histogram of leaf l into its slot (summed over the processes), then
 * its best split.  0 or the collective's failure. */
static int build_and_search(gbdt_grower *gr, const gbdt_grow_cfg *cfg, size_t l,
                            const int64_t *g, const int64_t *h, const int *cols, size_t n_use,
                            int build)
{
	const gbdt_data *d = gr->d;
	gbdt_ibin *hist = gr->hist + gr->slot[l] * d->n_hist_bins;
	if (build) {
		const uint32_t *idx = gr->rows + gr->begin[l];
		size_t m = gr->count[l];
		if (m == d->n_rows) {
			gbdt_hist_build(d, NULL, m, g, h, cols, n_use, hist);
		} else {
			/* the rows are scattered: fetch ahead */
			for (size_t i = 0; i < m; i++) {
				if (i + PREFETCH < m)
					__builtin_prefetch(g + idx[i + PREFETCH]);
				gr->og[i] = g[idx[i]];
			}
			if (h)
				for (size_t i = 0; i < m; i++) {
					if (i + PREFETCH < m)
						__builtin_prefetch(h + idx[i + PREFETCH]);
					gr->oh[i] = h[idx[i]];
				}
			gbdt_hist_build(d, idx, m, gr->og, h ? gr->oh : NULL, cols, n_use, hist);
		}
		int rc = reduce_hist(gr, cols, n_use, hist);
		if (rc)
			return rc;
	}
	gbdt_hist_real(d, cols, n_use, hist, gr->gs, gr->hs, gr->real);
	gbdt_split_best(&cfg->split, d, cols, n_use, gr->real, gr->sg[l], gr->sh[l],
	                gr->gcount[l], &gr->best[l]);
	return 0;
}

int gbdt_grow(gbdt_grower *gr, const gbdt_grow_cfg *cfg, const uint32_t *idx, size_t m,
              const int64_t *g, const int64_t *h, double gs, double hs, const int *cols,
              size_t n_use, const fc_gbdt_comm *comm, gbdt_tree *t)
{
	const gbdt_data *d = gr->d;
	size_t L = cfg->num_leaves < gr->num_leaves ? cfg->num_leaves : gr->num_leaves;
	int rc = tree_alloc(t, L);
	if (comm) {
		/* every process fails, or none: the allocation is the same on all */
		double bad = rc != 0;
		int crc = comm->max(comm->ctx, &bad, 1);
		rc = crc ? crc : bad != 0 ? FC_ENOMEM : 0;
		if (rc)
			gbdt_tree_dispose(t);
	}
	if (rc)
		return rc;
	gr->comm = comm;
	gr->gs = gs;
	gr->hs = hs;
	if (m)
		memcpy(gr->rows, idx, m * sizeof *idx);
	/* the root's sums, exact (see gbdt.c) */
	int64_t sum[3] = {0, 0, (int64_t)m};
	for (size_t i = 0; i < m; i++) {
		sum[0] += g[idx[i]];
		sum[1] += h ? h[idx[i]] : 1;
	}
	if (comm && (rc = comm->sum(comm->ctx, sum, 3))) {
		gbdt_tree_dispose(t);
		return rc;
	}
	double sg = (double)sum[0] * gs, sh = h ? (double)sum[1] * hs : (double)sum[1];
	gr->gcount[0] = (double)sum[2];
	gr->n_leaves = 1;
	gr->begin[0] = 0;
	gr->count[0] = m;
	gr->slot[0] = 0;
	gr->depth[0] = 0;
	gr->sg[0] = sg;
	gr->sh[0] = sh;
	gr->parent_node[0] = -1;
	gr->parent_side[0] = 0;
	gr->best[0].gain = -INFINITY;
	if (L >= 2 && can_split(gr, cfg, 0) && (rc = build_and_search(gr, cfg, 0, g, h, cols, n_use, 1)))
		goto fail;

	while (gr->n_leaves < L) {
		size_t l = 0;
		double bg = -INFINITY;
		for (size_t k = 0; k < gr->n_leaves; k++)
			if (gr->best[k].gain > bg) {
				bg = gr->best[k].gain;
				l = k;
			}
		if (!(bg > -INFINITY))
			break;
		const gbdt_split s = gr->best[l];
		size_t node = t->n_nodes++, nl = gr->n_leaves++;
		t->feature[node] = s.feature;
		t->is_cat[node] = (unsigned char)s.is_cat;
		t->default_left[node] = (unsigned char)s.default_left;
		t->thr_bin[node] = s.thr_bin;
		memcpy(t->bin_words + node * 8, s.cat_left, sizeof s.cat_left);
		t->gain[node] = s.gain;
		t->left[node] = ~(int)l;
		t->right[node] = ~(int)nl;
		if (gr->parent_node[l] >= 0) {
			if (gr->parent_side[l] == 0)
				t->left[gr->parent_node[l]] = (int)node;
			else
				t->right[gr->parent_node[l]] = (int)node;
		}
		gr->parent_node[l] = (int)node;
		gr->parent_side[l] = 0;
		gr->parent_node[nl] = (int)node;
		gr->parent_side[nl] = 1;

		/* stable partition of the leaf's rows */
		uint32_t *seg = gr->rows + gr->begin[l];
		size_t cnt = gr->count[l], nleft = 0, nright = 0;
		size_t w = d->width, f = (size_t)s.feature;
		const uint8_t *col = d->bins + (f / w) * d->n_rows * w + f % w;
		for (size_t i = 0; i < cnt; i++) {
			uint32_t r = seg[i];
			if (i + PREFETCH < cnt)
				__builtin_prefetch(col + (size_t)seg[i + PREFETCH] * w);
			if (goes_left_bin(t, d, node, col[(size_t)r * w]))
				seg[nleft++] = r;
			else
				gr->tmp[nright++] = r;
		}
		memcpy(seg + nleft, gr->tmp, nright * sizeof *seg);
		size_t dep = gr->depth[l] + 1;
		gr->begin[nl] = gr->begin[l] + nleft;
		gr->count[nl] = nright;
		gr->count[l] = nleft;
		gr->depth[l] = gr->depth[nl] = dep;
		gr->sg[l] = s.lg, gr->sh[l] = s.lh;
		gr->sg[nl] = s.rg, gr->sh[nl] = s.rh;
		gr->gcount[l] = s.ln, gr->gcount[nl] = s.rn;
		gr->slot[nl] = nl;
		gr->best[l].gain = gr->best[nl].gain = -INFINITY;

		if (gr->n_leaves >= L)
			break;
		int sl = can_split(gr, cfg, l), sr = can_split(gr, cfg, nl);
		if (!sl && !sr)
			continue;
		/* the smaller child (by the rows of every process) gets the fresh
		 * slot; the larger keeps the parent's */
		size_t small = s.ln <= s.rn ? l : nl, big = small == l ? nl : l;
		if (small == l) {
			gr->slot[nl] = gr->slot[l];
			gr->slot[l] = nl;
		}
		if ((rc = build_and_search(gr, cfg, small, g, h, cols, n_use, 1)))
			goto fail;
		gbdt_ibin *hb = gr->hist + gr->slot[big] * d->n_hist_bins;
		gbdt_hist_subtract(d, cols, n_use, hb, gr->hist + gr->slot[small] * d->n_hist_bins);
		if (!can_split(gr, cfg, small))
			gr->best[small].gain = -INFINITY;
		if (can_split(gr, cfg, big) && (rc = build_and_search(gr, cfg, big, g, h, cols, n_use, 0)))
			goto fail;
	}
	t->n_leaves = gr->n_leaves;
	for (size_t k = 0; k < gr->n_leaves; k++) {
		t->leaf_value[k] = gbdt_leaf_output(gr->sg[k], gr->sh[k], cfg->split.l1,
		                                    cfg->split.l2);
		t->leaf_cover[k] = gr->sh[k];
	}
	return 0;
fail:
	gbdt_tree_dispose(t);
	return rc;
}
