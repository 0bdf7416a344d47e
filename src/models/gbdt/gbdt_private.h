/* Internals of the histogram GBDT learner: the types its layers share and
 * the functions each layer offers to the ones above it.
 *
 * The learner is five layers, as in LightGBM; each file uses only the
 * layers below it and never calls a file above it:
 *
 *   1. bins        gbdt_bin.c    quantile/categorical binning of the columns
 *   2. histograms  gbdt_hist.c   gradient histograms of a node, subtraction
 *   3. splits      gbdt_split.c  best split of a node from its histogram
 *   4. trees       gbdt_tree.c   leaf-wise growth, tree traversal
 *   5. booster     gbdt.c        losses, boosting rounds, prediction,
 *                                save/load: the public fc_gbdt API
 *
 * and above the learner the `gbdt` forecasting kind (gbdt_global.c), which
 * uses only the public API (forecast/gbdt.h).  The sections below follow
 * the same order, and each uses only the types of the sections before it.
 * This header includes nothing of the booster: its state (struct fc_gbdt)
 * is private to gbdt.c. */
#ifndef FC_GBDT_PRIVATE_H
#define FC_GBDT_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "forecast/error.h"

/* ---- 1. bins (gbdt_bin.c) ---- */

/* How one column maps to bins.  Numeric: value bins 0..n_value_bins-1,
 * bin b holding upper[b-1] < x <= upper[b] (upper of the last is +inf), and
 * the missing bin n_value_bins.  Categorical: bin b holds code cats[b]
 * (the most frequent codes, at most max_bin of them, in ascending order), and bin n_value_bins
 * everything else: NaN, negative, non-integer, rare or unseen codes. */
typedef struct gbdt_binmap {
	int is_cat;
	int n_value_bins;   /* the missing/other bin is n_value_bins */
	double *upper;      /* numeric: n_value_bins upper edges */
	double *cats;       /* categorical: code of each bin, ascending */
} gbdt_binmap;

/* Binned training data.  Columns are stored in groups of `width` (the last
 * group may be narrower), each group row-major: the bins of row r for the
 * columns of group g are the `width` bytes at bins + g * n_rows * width +
 * r * width.  Histogram building walks a group's rows once (one read of
 * each row's gradients for `width` columns) instead of once per column.
 * bin_offset[c] is the start of column c in a histogram (n_hist_bins in
 * all). */
#define GBDT_MAX_WIDTH 8

typedef struct gbdt_data {
	size_t n_rows, n_cols;
	size_t width, n_groups;
	uint8_t *bins;
	gbdt_binmap *maps;
	size_t *bin_offset;
	size_t n_hist_bins;
} gbdt_data;

static inline uint8_t gbdt_bin_at(const gbdt_data *d, size_t c, size_t r)
{
	size_t g = c / d->width;
	return d->bins[g * d->n_rows * d->width + r * d->width + c % d->width];
}

/* Columns in group g. */
static inline size_t gbdt_group_cols(const gbdt_data *d, size_t g)
{
	size_t c0 = g * d->width;
	return d->n_cols - c0 < d->width ? d->n_cols - c0 : d->width;
}

int gbdt_data_build(gbdt_data *d, const float *x, size_t n_rows, size_t n_cols,
                    const unsigned char *categorical, size_t max_bin, fc_err *err);
/* The same in steps, for rows that arrive one at a time (fc_gbdt_bins):
 * the edges come from the rows r with r % gbdt_sample_stride(n_rows) == 0
 * (gbdt_data_build's sample), given as the column-major sample[c *
 * n_sample + r / stride]; then the rows are binned k at a time by
 * gbdt_data_put_rows (block[c * stride + i] for row r + i; distinct rows
 * may be put from several threads), or a whole column by
 * gbdt_data_put_column (distinct columns from several threads).  The result is
 * gbdt_data_build's on the same matrix, byte for byte. */
size_t gbdt_sample_stride(size_t n_rows);
int gbdt_data_alloc(gbdt_data *d, size_t n_rows, size_t n_cols, int with_bins, fc_err *err);
/* The bins' storage, when gbdt_data_alloc was told to leave it out (so
 * that a sample can be freed first). */
int gbdt_data_alloc_bins(gbdt_data *d, fc_err *err);
int gbdt_data_maps(gbdt_data *d, const float *sample, size_t n_sample,
                   const unsigned char *categorical, size_t max_bin, fc_err *err);
void gbdt_data_put_rows(gbdt_data *d, size_t r, size_t k, const float *block, size_t stride);
void gbdt_data_put_column(gbdt_data *d, size_t c, const float *col);
void gbdt_data_dispose(gbdt_data *d);
int gbdt_bin_value(const gbdt_binmap *m, float v);

/* ---- 2. histograms (gbdt_hist.c) ---- */

/* A histogram bin as the split search reads it. */
typedef struct gbdt_hbin {
	double g, h;
	double n;   /* rows (a double keeps the struct simple to subtract) */
} gbdt_hbin;

/* A histogram bin as it is summed: gradients and hessians on a fixed-point
 * grid (see gbdt.c, "Sums"), so that a bin's sum is exact and therefore
 * the same in any order: over threads, over blocks of rows, over
 * processes. */
typedef struct gbdt_ibin {
	int64_t g, h, n;
} gbdt_ibin;

/* Builds the histogram of rows idx[0..m) for the column groups holding
 * any of cols[0..n_use) (other columns of those groups are built too):
 * og/oh are the gradients/hessians on their grids gathered in idx order
 * (idx NULL: rows 0..m-1 in order); oh NULL means every hessian is 1 (h
 * is then the count).  Clears those columns' bins first. */
void gbdt_hist_build(const gbdt_data *d, const uint32_t *idx, size_t m, const int64_t *og,
                     const int64_t *oh, const int *cols, size_t n_use, gbdt_ibin *hist);
/* big -= small over the columns in use (exact). */
void gbdt_hist_subtract(const gbdt_data *d, const int *cols, size_t n_use, gbdt_ibin *big,
                        const gbdt_ibin *small);
/* The columns in use of in as real numbers: g * gs, h * hs (gs, hs the
 * grids' steps, powers of two). */
void gbdt_hist_real(const gbdt_data *d, const int *cols, size_t n_use, const gbdt_ibin *in,
                    double gs, double hs, gbdt_hbin *out);

/* Collectives of a training spread over processes (the public
 * fc_gbdt_comm, forecast/gbdt.h); NULL in one process. */
struct fc_gbdt_comm;

/* ---- 3. splits (gbdt_split.c) ---- */

typedef struct gbdt_split {
	double gain;        /* <= 0 or -inf: no valid split */
	int feature;        /* -1: none */
	int thr_bin;        /* numeric: bins <= thr_bin go left */
	int default_left;   /* numeric: the missing bin goes left */
	int is_cat;
	uint32_t cat_left[8];  /* categorical: bitset of bins going left */
	double lg, lh, ln, rg, rh, rn;
} gbdt_split;

typedef struct gbdt_split_cfg {
	double l1, l2, min_hess, min_gain, cat_smooth, cat_l2;
	double min_data;
	size_t max_cat_to_onehot, max_cat_threshold, min_data_per_group;
} gbdt_split_cfg;

double gbdt_leaf_output(double g, double h, double l1, double l2);
double gbdt_leaf_gain(double g, double h, double l1, double l2);
/* Best split of one column given its histogram and the node totals. */
void gbdt_split_feature(const gbdt_split_cfg *cfg, const gbdt_binmap *map, const gbdt_hbin *h,
                        int feature, double sg, double sh, double sn, gbdt_split *best);
/* Best split over columns cols[0..n_use) (OpenMP over columns; ties to the
 * lowest column index). */
void gbdt_split_best(const gbdt_split_cfg *cfg, const gbdt_data *d, const int *cols,
                     size_t n_use, const gbdt_hbin *hist, double sg, double sh, double sn,
                     gbdt_split *best);

/* ---- 4. trees (gbdt_tree.c) ---- */

/* Internal node i: feature, threshold (x <= threshold goes left) or a
 * categorical bitset of codes cat_words[cat_begin .. cat_begin+cat_n);
 * children >= 0 are nodes, < 0 are leaves ~child.  A tree with one leaf
 * has no nodes. */
typedef struct gbdt_tree {
	size_t n_nodes, n_leaves;
	int *feature;
	double *threshold;
	unsigned char *default_left, *is_cat;
	int *left, *right;
	double *gain;
	size_t *cat_begin, *cat_n;
	uint32_t *cat_words;
	size_t n_cat_words;
	double *leaf_value;
	/* Cover of each leaf: the sum of the training hessians of its rows (the
	 * row count for unit hessians), as xgboost records it.  A node's cover
	 * is the sum over its leaves.  NULL for a model saved before covers
	 * were recorded: such a model predicts but cannot be explained. */
	double *leaf_cover;
	/* training only: thr_bin and a bin bitset per node */
	int *thr_bin;
	uint32_t *bin_words;   /* 8 words per node */
} gbdt_tree;

typedef struct gbdt_grow_cfg {
	gbdt_split_cfg split;
	size_t num_leaves, max_depth;
} gbdt_grow_cfg;

/* Workspace for growing trees over the same data. */
typedef struct gbdt_grower gbdt_grower;

int gbdt_grower_alloc(const gbdt_data *d, size_t num_leaves, gbdt_grower **out);
void gbdt_grower_free(gbdt_grower *g);
/* Grows one tree on rows idx[0..m) (ascending) with gradients g/h on
 * their grids (all rows; h NULL: all hessians are 1), steps gs/hs,
 * columns cols[0..n_use) (ascending).  Leaves hold the raw second-order
 * outputs (no shrinkage).  With comm (the rows split over processes, each
 * growing the same tree on its own rows), every histogram and node sum
 * is summed over the processes before it is used, so every process makes
 * the same decisions.  After return, leaf_rows() gives the (local) rows of
 * each leaf.  0, FC_ENOMEM, or the failure of a collective. */
int gbdt_grow(gbdt_grower *gr, const gbdt_grow_cfg *cfg, const uint32_t *idx, size_t m,
              const int64_t *g, const int64_t *h, double gs, double hs, const int *cols,
              size_t n_use, const struct fc_gbdt_comm *comm, gbdt_tree *t);
/* Rows of leaf l of the tree last grown: *rows valid until the next grow. */
size_t gbdt_leaf_rows(const gbdt_grower *gr, size_t l, const uint32_t **rows);

void gbdt_tree_dispose(gbdt_tree *t);
/* Leaf index reached by row r of the binned data. */
int gbdt_tree_leaf_binned(const gbdt_tree *t, const gbdt_data *d, size_t r);
/* Whether raw value v of node i's feature goes to the left child
 * (missing values by default_left; categorical: unseen codes go right). */
int gbdt_tree_goes_left(const gbdt_tree *t, size_t i, float v);
/* Leaf index reached by a raw row (row[c * stride]). */
int gbdt_tree_leaf_raw(const gbdt_tree *t, const float *row, size_t stride);
/* Fills cat_words/threshold from the bin-level split (after growth). */
int gbdt_tree_finish(gbdt_tree *t, const gbdt_data *d);

/* ---- 5. booster (gbdt.c) ---- */

/* The booster's own state is defined in gbdt.c.  For the tests: tree t
 * (t < fc_gbdt_n_trees(m)) of a trained model, valid until fc_gbdt_free. */
struct fc_gbdt;
const gbdt_tree *gbdt_booster_tree(const struct fc_gbdt *m, size_t t);

#endif
