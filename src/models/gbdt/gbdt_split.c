/* Best split of a tree node from its histograms.  Layer 3 of the learner
 * (see gbdt_private.h): it reads bin maps and histograms, calls neither.
 *
 * Second-order gain (Chen & Guestrin, KDD 2016, eq. 7) with LightGBM's L1
 * soft threshold: for sums G, H of a side,
 *     score(G, H) = T(G)^2 / (H + lambda_l2),   T(G) = sign(G) max(|G| - lambda_l1, 0),
 *     gain = score(left) + score(right) - score(parent),
 * and the leaf value -T(G) / (H + lambda_l2).  As in LightGBM the gain is not
 * halved, so it is twice the decrease of the second-order loss; a split must
 * gain more than min_gain and leave min_data_in_leaf rows and
 * min_sum_hessian on each side.
 *
 * Numeric columns: thresholds between adjacent bins, scanned twice, once
 * with the missing bin on the right and once on the left (LightGBM's
 * two-direction scan), so missing values follow the better side.
 * Categorical columns (LightGBM's FindBestThresholdCategorical, after
 * Fisher 1958): with few categories, one category against the rest;
 * otherwise categories with at least cat_smooth rows are sorted by
 * G / (H + cat_smooth) and prefixes from either end (at most
 * max_cat_threshold categories, groups of min_data_per_group rows) are
 * tried with cat_l2 added to lambda_l2.  Rows of the "other" bin always go
 * right.  Difference from LightGBM: categories are counted in rows, not
 * in hessian-estimated counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/gbdt/gbdt_private.h"

static double threshold_l1(double g, double l1)
{
	double a = fabs(g) - l1;
	if (a <= 0)
		return 0;
	return g < 0 ? -a : a;
}

double gbdt_leaf_output(double g, double h, double l1, double l2)
{
	return -threshold_l1(g, l1) / (h + l2);
}

double gbdt_leaf_gain(double g, double h, double l1, double l2)
{
	double t = threshold_l1(g, l1);
	return t * t / (h + l2);
}

static void split_none(gbdt_split *s)
{
	memset(s, 0, sizeof *s);
	s->gain = -INFINITY;
	s->feature = -1;
}

static int sides_ok(const gbdt_split_cfg *cfg, double ln, double lh, double rn, double rh)
{
	return ln >= cfg->min_data && rn >= cfg->min_data && lh >= cfg->min_hess &&
	       rh >= cfg->min_hess;
}

/* Considers one candidate; keeps it if strictly better than best. */
static int consider(const gbdt_split_cfg *cfg, double l2, double parent, double lg, double lh,
                    double ln, double sg, double sh, double sn, gbdt_split *best)
{
	double rg = sg - lg, rh = sh - lh, rn = sn - ln;
	if (!sides_ok(cfg, ln, lh, rn, rh))
		return 0;
	double gain = gbdt_leaf_gain(lg, lh, cfg->l1, l2) + gbdt_leaf_gain(rg, rh, cfg->l1, l2) -
	              parent;
	if (!(gain > cfg->min_gain) || !(gain > best->gain))
		return 0;
	best->gain = gain;
	best->lg = lg, best->lh = lh, best->ln = ln;
	best->rg = rg, best->rh = rh, best->rn = rn;
	return 1;
}

static void split_numeric(const gbdt_split_cfg *cfg, const gbdt_binmap *map,
                          const gbdt_hbin *h, double sg, double sh, double sn, double parent,
                          gbdt_split *best)
{
	int nb = map->n_value_bins;
	const gbdt_hbin *miss = &h[nb];
	int has_miss = miss->n > 0;
	/* missing on the right: left = bins 0..t; with missing rows, t = nb-1
	 * separates missing from present */
	double lg = 0, lh = 0, ln = 0;
	int last = has_miss ? nb - 1 : nb - 2;
	for (int t = 0; t <= last; t++) {
		lg += h[t].g, lh += h[t].h, ln += h[t].n;
		if (t < last && h[t].n == 0)
			continue;  /* same partition as the next threshold with rows */
		if (consider(cfg, cfg->l2, parent, lg, lh, ln, sg, sh, sn, best)) {
			best->thr_bin = t;
			best->default_left = has_miss ? 0 : ln >= sn - ln;
		}
	}
	if (!has_miss)
		return;
	/* missing on the left: left = missing + bins 0..t */
	lg = miss->g, lh = miss->h, ln = miss->n;
	for (int t = 0; t <= nb - 2; t++) {
		lg += h[t].g, lh += h[t].h, ln += h[t].n;
		if (h[t].n == 0)
			continue;
		if (consider(cfg, cfg->l2, parent, lg, lh, ln, sg, sh, sn, best)) {
			best->thr_bin = t;
			best->default_left = 1;
		}
	}
}

typedef struct cat_key {
	double ratio;
	int bin;
} cat_key;

static int cmp_cat_key(const void *a, const void *b)
{
	const cat_key *x = a, *y = b;
	if (x->ratio != y->ratio)
		return x->ratio < y->ratio ? -1 : 1;
	return x->bin - y->bin;
}

static void set_bits(gbdt_split *s, const cat_key *k, int from, int dir, int count)
{
	memset(s->cat_left, 0, sizeof s->cat_left);
	for (int i = 0, p = from; i < count; i++, p += dir)
		s->cat_left[k[p].bin / 32] |= 1u << (k[p].bin % 32);
}

static void split_categorical(const gbdt_split_cfg *cfg, const gbdt_binmap *map,
                              const gbdt_hbin *h, double sg, double sh, double sn,
                              double parent, gbdt_split *best)
{
	int nb = map->n_value_bins;
	cat_key keys[256];
	int used = 0;
	for (int b = 0; b < nb; b++)
		used += h[b].n > 0;
	if ((size_t)used <= cfg->max_cat_to_onehot) {
		for (int b = 0; b < nb; b++) {
			if (h[b].n == 0)
				continue;
			if (consider(cfg, cfg->l2, parent, h[b].g, h[b].h, h[b].n, sg, sh, sn, best)) {
				memset(best->cat_left, 0, sizeof best->cat_left);
				best->cat_left[b / 32] |= 1u << (b % 32);
			}
		}
		return;
	}
	int nk = 0;
	for (int b = 0; b < nb; b++)
		if (h[b].n >= cfg->cat_smooth && h[b].n > 0)
			keys[nk++] = (cat_key){h[b].g / (h[b].h + cfg->cat_smooth), b};
	if (nk < 2)
		return;
	qsort(keys, (size_t)nk, sizeof *keys, cmp_cat_key);
	double l2 = cfg->l2 + cfg->cat_l2;
	int max_num = (int)cfg->max_cat_threshold < (nk + 1) / 2 ? (int)cfg->max_cat_threshold
	                                                           : (nk + 1) / 2;
	double min_group = (double)cfg->min_data_per_group;
	for (int pass = 0; pass < 2; pass++) {
		int dir = pass ? -1 : 1, p = pass ? nk - 1 : 0, from = p;
		double lg = 0, lh = 0, ln = 0, group = 0;
		for (int i = 0; i < max_num; i++, p += dir) {
			const gbdt_hbin *e = &h[keys[p].bin];
			lg += e->g, lh += e->h, ln += e->n;
			group += e->n;
			if (ln < cfg->min_data || lh < cfg->min_hess)
				continue;
			if (sn - ln < cfg->min_data || sn - ln < min_group || sh - lh < cfg->min_hess)
				break;
			if (group < min_group)
				continue;
			group = 0;
			if (consider(cfg, l2, parent, lg, lh, ln, sg, sh, sn, best))
				set_bits(best, keys, from, dir, i + 1);
		}
	}
}

void gbdt_split_feature(const gbdt_split_cfg *cfg, const gbdt_binmap *map, const gbdt_hbin *h,
                        int feature, double sg, double sh, double sn, gbdt_split *best)
{
	split_none(best);
	double parent = gbdt_leaf_gain(sg, sh, cfg->l1, cfg->l2);
	if (map->is_cat)
		split_categorical(cfg, map, h, sg, sh, sn, parent, best);
	else
		split_numeric(cfg, map, h, sg, sh, sn, parent, best);
	if (best->gain > -INFINITY) {
		best->feature = feature;
		best->is_cat = map->is_cat;
	}
}

void gbdt_split_best(const gbdt_split_cfg *cfg, const gbdt_data *d, const int *cols,
                     size_t n_use, const gbdt_hbin *hist, double sg, double sh, double sn,
                     gbdt_split *best)
{
	split_none(best);
	gbdt_split *each = malloc((n_use ? n_use : 1) * sizeof *each);
	if (!each) {
		/* no scratch: search serially */
		for (size_t k = 0; k < n_use; k++) {
			gbdt_split s;
			int c = cols[k];
			gbdt_split_feature(cfg, &d->maps[c], hist + d->bin_offset[c], c, sg, sh, sn, &s);
			if (s.gain > best->gain)
				*best = s;
		}
		return;
	}
#pragma omp parallel for schedule(dynamic, 4) if (n_use >= 64)
	for (size_t k = 0; k < n_use; k++) {
		int c = cols[k];
		gbdt_split_feature(cfg, &d->maps[c], hist + d->bin_offset[c], c, sg, sh, sn, &each[k]);
	}
	for (size_t k = 0; k < n_use; k++)
		if (each[k].gain > best->gain)
			*best = each[k];
	free(each);
}
