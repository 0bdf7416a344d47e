/* Exact SHAP values of the learner's tree ensembles (TreeSHAP).
 *
 * Algorithm 2 of Lundberg, Erion & Lee, "Consistent individualized feature
 * attribution for tree ensembles" (2018; Nature Machine Intelligence 2020):
 * one recursive pass over each tree keeps, for the path from the root, the
 * proportion of all feature subsets that reach the current node (the
 * "unique path" with its zero/one fractions and permutation weights), and
 * at each leaf credits every feature on the path in O(depth) by unwinding
 * it; O(leaves * depth^2) per tree and row.  The expectation E[f(x) | x_S]
 * is the one the paper defines for trees: a feature outside S sends the
 * row down both children in proportion to their training cover (the
 * hessian sums recorded per leaf, as xgboost does).  A feature in S follows
 * the tree's own decision, including the default direction of missing
 * values and the "other" side of categorical splits.
 *
 * Values are on the raw (link) scale: log for Poisson and Tweedie, where
 * they add up to the log of the prediction.  Omissions: interaction values
 * and the interventional (background-data) variant. */
#include <stdlib.h>
#include <string.h>

#include "forecast/gbdt.h"
#include "gbdt_private.h"

/* Slices of trees explained apart (in parallel), a number fixed so that
 * the sums do not depend on the threads. */
enum { SHAP_SLICES = 16 };

typedef struct path_elem {
	int feature;
	double zero, one;   /* cover fraction of the cold branch; 1 or 0 if x goes there */
	double weight;      /* permutation weight */
} path_elem;

typedef struct shap_ctx {
	const gbdt_tree *t;
	const double *node_cover;   /* internal nodes */
	const float *row;
	size_t stride;
	double *phi;
} shap_ctx;

static double cover_of(const shap_ctx *c, int v)
{
	return v >= 0 ? c->node_cover[v] : c->t->leaf_cover[~v];
}

static void extend(path_elem *m, int l, double z, double o, int feature)
{
	m[l].feature = feature;
	m[l].zero = z;
	m[l].one = o;
	m[l].weight = l == 0 ? 1 : 0;
	for (int i = l - 1; i >= 0; i--) {
		m[i + 1].weight += o * m[i].weight * (i + 1) / (double)(l + 1);
		m[i].weight = z * m[i].weight * (l - i) / (double)(l + 1);
	}
}

static void unwind(path_elem *m, int l, int k)
{
	double o = m[k].one, z = m[k].zero, n = m[l].weight;
	for (int j = l - 1; j >= 0; j--) {
		if (o != 0) {
			double t = m[j].weight;
			m[j].weight = n * (l + 1) / ((j + 1) * o);
			n = t - m[j].weight * z * (l - j) / (double)(l + 1);
		} else {
			m[j].weight = m[j].weight * (l + 1) / (z * (l - j));
		}
	}
	for (int j = k; j < l; j++) {
		m[j].feature = m[j + 1].feature;
		m[j].zero = m[j + 1].zero;
		m[j].one = m[j + 1].one;
	}
}

/* Sum of the path weights with element k removed, without changing m. */
static double unwound_sum(const path_elem *m, int l, int k)
{
	double o = m[k].one, z = m[k].zero, n = m[l].weight, total = 0;
	for (int j = l - 1; j >= 0; j--) {
		if (o != 0) {
			double t = n * (l + 1) / ((j + 1) * o);
			total += t;
			n = m[j].weight - t * z * (l - j) / (double)(l + 1);
		} else if (z != 0) {
			total += m[j].weight / z / ((l - j) / (double)(l + 1));
		}
	}
	return total;
}

/* Node v (>= 0 internal, < 0 leaf ~v) reached with the parent's path
 * parent[0..l) and the new element (z, o, feature); the path of this node
 * is built in parent + l (the caller reserved room for every depth). */
static void recurse(const shap_ctx *c, int v, const path_elem *parent, int l, double z,
                    double o, int feature)
{
	path_elem *m = (path_elem *)parent + l;
	if (l > 0)
		memcpy(m, parent, (size_t)l * sizeof *m);
	extend(m, l, z, o, feature);
	if (v < 0) {
		double value = c->t->leaf_value[~v];
		for (int i = 1; i <= l; i++) {
			double w = unwound_sum(m, l, i);
			c->phi[m[i].feature] += w * (m[i].one - m[i].zero) * value;
		}
		return;
	}
	const gbdt_tree *t = c->t;
	int f = t->feature[v];
	int left = gbdt_tree_goes_left(t, (size_t)v, c->row[(size_t)f * c->stride]);
	int hot = left ? t->left[v] : t->right[v], cold = left ? t->right[v] : t->left[v];
	double iz = 1, io = 1;
	int k;
	for (k = 1; k <= l; k++)
		if (m[k].feature == f)
			break;
	if (k <= l) {
		/* the feature was split on above: undo its earlier element */
		iz = m[k].zero;
		io = m[k].one;
		unwind(m, l, k);
		l--;
	}
	double cv = cover_of(c, v);
	double hz = cv > 0 ? cover_of(c, hot) / cv : 0, cz = cv > 0 ? cover_of(c, cold) / cv : 0;
	recurse(c, hot, m, l + 1, hz * iz, io, f);
	/* a cold branch no training row reached contributes nothing */
	if (cz * iz > 0)
		recurse(c, cold, m, l + 1, cz * iz, 0, f);
}

static double node_covers(const gbdt_tree *t, int v, double *cover)
{
	if (v < 0)
		return t->leaf_cover[~v];
	cover[v] = node_covers(t, t->left[v], cover) + node_covers(t, t->right[v], cover);
	return cover[v];
}

static size_t depth_of(const gbdt_tree *t, int v)
{
	if (v < 0)
		return 0;
	size_t a = depth_of(t, t->left[v]), b = depth_of(t, t->right[v]);
	return 1 + (a > b ? a : b);
}

int fc_gbdt_has_covers(const fc_gbdt *m)
{
	for (size_t i = 0; i < fc_gbdt_n_trees(m); i++)
		if (!gbdt_booster_tree(m, i)->leaf_cover)
			return 0;
	return 1;
}

/* Expected raw output of one tree under its training cover. */
static double tree_mean(const gbdt_tree *t)
{
	double s = 0, w = 0;
	for (size_t l = 0; l < t->n_leaves; l++) {
		s += t->leaf_cover[l] * t->leaf_value[l];
		w += t->leaf_cover[l];
	}
	return w > 0 ? s / w : 0;
}

int fc_gbdt_shap(const fc_gbdt *m, const float *x, size_t n_rows, double *phi, fc_err *err)
{
	size_t nc = fc_gbdt_n_cols(m), nt = fc_gbdt_n_trees(m);
	if (!fc_gbdt_has_covers(m))
		return fc_err_set(err, FC_EINVAL,
		                  "gbdt: the model records no node covers (saved by an older "
		                  "version): refit it to explain it");
	size_t max_nodes = 1, max_depth = 0;
	double base = fc_gbdt_base_score(m);
	for (size_t i = 0; i < nt; i++) {
		const gbdt_tree *t = gbdt_booster_tree(m, i);
		if (t->n_nodes > max_nodes)
			max_nodes = t->n_nodes;
		size_t d = depth_of(t, t->n_nodes ? 0 : -1);
		if (d > max_depth)
			max_depth = d;
		base += tree_mean(t);
	}
	/* the trees in fixed slices, each slice's sums kept apart and added
	 * in slice order: in parallel, and the same values at any thread count */
	size_t n_slices = nt < SHAP_SLICES ? (nt ? nt : 1) : SHAP_SLICES;
	size_t n_path = (max_depth + 2) * (max_depth + 3) / 2, width = nc + 1;
	double *part = calloc(n_slices * n_rows * width, sizeof *part);
	int failed = !part;
#pragma omp parallel if (!failed && nt > 1)
	{
		double *cover = malloc(max_nodes * sizeof *cover);
		path_elem *path = malloc(n_path * sizeof *path);
		if (!cover || !path) {
#pragma omp atomic write
			failed = 1;
		}
#pragma omp for schedule(dynamic, 1)
		for (size_t q = 0; q < n_slices; q++) {
			if (!cover || !path || !part)
				continue;
			double *ph = part + q * n_rows * width;
			for (size_t i = q * nt / n_slices; i < (q + 1) * nt / n_slices; i++) {
				const gbdt_tree *t = gbdt_booster_tree(m, i);
				if (t->n_nodes == 0)
					continue;   /* a single leaf is all base value */
				node_covers(t, 0, cover);
				for (size_t r = 0; r < n_rows; r++) {
					shap_ctx c = {t, cover, x + r, n_rows, ph + r * width};
					recurse(&c, 0, path, 0, 1, 1, -1);
				}
			}
		}
		free(cover);
		free(path);
	}
	if (failed) {
		free(part);
		return fc_err_set(err, FC_ENOMEM, "gbdt: out of memory for SHAP values");
	}
	memset(phi, 0, n_rows * width * sizeof *phi);
	for (size_t q = 0; q < n_slices; q++)
		for (size_t j = 0; j < n_rows * width; j++)
			phi[j] += part[q * n_rows * width + j];
	for (size_t r = 0; r < n_rows; r++)
		phi[r * width + nc] = base;
	free(part);
	return 0;
}
