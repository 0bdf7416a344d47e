/* Gradient boosting of histogram trees: parameters, losses, the boosting
 * loop with bagging, feature sampling and early stopping, prediction,
 * save/load and importance.  Layer 5, the top of the learner (see
 * gbdt_private.h): it calls the bin and tree layers and owns struct fc_gbdt.
 *
 * Newton boosting (Friedman 2001, "Greedy function approximation", Annals
 * of Statistics; second-order form of Chen & Guestrin, KDD 2016) with
 * LightGBM's trees (Ke et al., NeurIPS 2017).  Losses, with F the raw
 * score and w the row weight:
 *   squared   g = w (F - y),                 h = w
 *   Poisson   g = w (e^F - y),               h = w e^(F + max_delta_step)
 *             (the hessian inflation LightGBM and xgboost both use, 0.7)
 *   Tweedie   g = w (-y e^((1-p)F) + e^((2-p)F)),
 *             h = w (-y (1-p) e^((1-p)F) + (2-p) e^((2-p)F))
 *   absolute  g = w sign(F - y),             h = w
 *   quantile  g = w (1 - alpha) if F >= y else -w alpha,  h = w
 * For absolute and quantile the tree structure comes from these gradients
 * and each leaf value is then replaced by the (weighted) median or
 * alpha-quantile of the residuals y - F of its rows, as LightGBM does
 * (RenewTreeOutput).  The base score is the weighted mean (squared), log of
 * the weighted mean (Poisson, Tweedie), median or alpha-quantile.
 *
 * Randomness: one mt19937 stream (GSL) seeded from params.seed, drawn
 * serially per tree for the feature subset (partial Fisher-Yates); a row's
 * bagging draw is a hash of (seed, round, row index) (splitmix64, Steele,
 * Lea & Flood, OOPSLA 2014), so that it needs no other row's draw and a
 * process holding some of the rows draws what one process would.  Bagging
 * happens every round when bagging_fraction < 1 (LightGBM's bagging_freq =
 * 1).
 *
 * Sums.  Every sum over rows -- histogram bins, node totals, the base
 * score, the metric -- is exact, so that it is the same in any order of
 * the rows, on any number of threads or processes: the values are first
 * rounded to a fixed-point grid, then summed as integers (the pre-rounding
 * of Demmel & Nguyen, "Parallel reproducible summation", IEEE Trans.
 * Computers 64(7), 2015), rounding to the nearest point.  Gradients and
 * hessians: per round, the grid
 * step is a power of two chosen from the largest |g| over all rows, M, and
 * the row count N so that N values sum in 64 bits: step < M 2^(-61 +
 * ceil(log2 N)), i.e. relative to M at most 2^-41 at a million rows and
 * 2^-35 at 57 million (a double has 2^-52).  The base score and the metric
 * are summed once per round in 128 bits on the grid of step M 2^-61.
 * Omitted: multiclass and ranking, DART/GOSS, sparse input, monotone and
 * interaction constraints. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "forecast/gbdt.h"
#include "models/gbdt/gbdt_private.h"

/* Fewer rows than this are not worth waking threads for (a parallel region
 * costs far more than its work when the cores are shared). */
#define PAR_MIN_ROWS 65536

struct fc_gbdt {
	fc_gbdt_params params;
	size_t n_cols;
	double base_score;
	size_t n_trees, best_iter;
	gbdt_tree *trees;
	double *imp_gain, *imp_split;  /* per column */
	double *train_metric, *valid_metric;
	size_t n_rounds;
};

static const char *const LOSS_NAMES[] = {"squared", "poisson", "tweedie", "absolute",
                                         "quantile"};

fc_gbdt_params fc_gbdt_default_params(void)
{
	fc_gbdt_params p;
	memset(&p, 0, sizeof p);
	p.loss = FC_GBDT_SQUARED;
	p.tweedie_power = 1.5;
	p.quantile_alpha = 0.5;
	p.poisson_max_delta_step = 0.7;
	p.n_trees = 100;
	p.learning_rate = 0.1;
	p.num_leaves = 31;
	p.max_depth = 0;
	p.min_data_in_leaf = 20;
	p.min_sum_hessian = 1e-3;
	p.lambda_l1 = 0;
	p.lambda_l2 = 0;
	p.min_gain = 0;
	p.bagging_fraction = 1;
	p.feature_fraction = 1;
	p.max_bin = 255;
	p.early_stopping_rounds = 0;
	p.seed = 0;
	p.max_cat_to_onehot = 4;
	p.max_cat_threshold = 32;
	p.cat_smooth = 10;
	p.cat_l2 = 10;
	p.min_data_per_group = 100;
	return p;
}

int fc_gbdt_check_params(const fc_gbdt_params *p, fc_err *err)
{
	if ((int)p->loss < 0 || (int)p->loss > FC_GBDT_QUANTILE)
		return fc_err_set(err, FC_EINVAL, "gbdt: unknown loss %d", (int)p->loss);
	if (!(p->tweedie_power > 1 && p->tweedie_power < 2))
		return fc_err_set(err, FC_EINVAL, "gbdt: tweedie_power must be in (1, 2), got %g",
		                  p->tweedie_power);
	if (!(p->quantile_alpha > 0 && p->quantile_alpha < 1))
		return fc_err_set(err, FC_EINVAL, "gbdt: quantile_alpha must be in (0, 1), got %g",
		                  p->quantile_alpha);
	if (!(p->poisson_max_delta_step >= 0 && isfinite(p->poisson_max_delta_step)))
		return fc_err_set(err, FC_EINVAL, "gbdt: poisson_max_delta_step must be >= 0");
	if (!(p->learning_rate > 0 && isfinite(p->learning_rate)))
		return fc_err_set(err, FC_EINVAL, "gbdt: learning_rate must be > 0, got %g",
		                  p->learning_rate);
	if (p->num_leaves < 2 || p->num_leaves > 131072)
		return fc_err_set(err, FC_EINVAL, "gbdt: num_leaves must be in 2..131072, got %zu",
		                  p->num_leaves);
	if (p->max_bin < 2 || p->max_bin > 255)
		return fc_err_set(err, FC_EINVAL, "gbdt: max_bin must be in 2..255, got %zu",
		                  p->max_bin);
	if (!(p->min_sum_hessian >= 0 && isfinite(p->min_sum_hessian)))
		return fc_err_set(err, FC_EINVAL, "gbdt: min_sum_hessian must be >= 0");
	if (!(p->lambda_l1 >= 0 && isfinite(p->lambda_l1)) ||
	    !(p->lambda_l2 >= 0 && isfinite(p->lambda_l2)))
		return fc_err_set(err, FC_EINVAL, "gbdt: lambda_l1 and lambda_l2 must be >= 0");
	if (!(p->min_gain >= 0 && isfinite(p->min_gain)))
		return fc_err_set(err, FC_EINVAL, "gbdt: min_gain must be >= 0");
	if (!(p->bagging_fraction > 0 && p->bagging_fraction <= 1))
		return fc_err_set(err, FC_EINVAL, "gbdt: bagging_fraction must be in (0, 1], got %g",
		                  p->bagging_fraction);
	if (!(p->feature_fraction > 0 && p->feature_fraction <= 1))
		return fc_err_set(err, FC_EINVAL, "gbdt: feature_fraction must be in (0, 1], got %g",
		                  p->feature_fraction);
	if (!(p->cat_smooth >= 0 && isfinite(p->cat_smooth)) ||
	    !(p->cat_l2 >= 0 && isfinite(p->cat_l2)))
		return fc_err_set(err, FC_EINVAL, "gbdt: cat_smooth and cat_l2 must be >= 0");
	if (p->max_cat_threshold < 1)
		return fc_err_set(err, FC_EINVAL, "gbdt: max_cat_threshold must be >= 1");
	return 0;
}

static int parse_size(const char *val, size_t *out)
{
	if (!val || !*val || *val == '-')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(val, &end, 10);
	if (errno || *end)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_real(const char *val, double *out)
{
	if (!val || !*val)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

typedef struct key_def {
	const char *key;
	size_t offset;
	int is_size;  /* 1 size_t, 0 double, 2 uint64 */
} key_def;

#define KD(name, field, kind) {name, offsetof(fc_gbdt_params, field), kind}
static const key_def KEYS[] = {
	KD("tweedie_power", tweedie_power, 0),
	KD("quantile_alpha", quantile_alpha, 0),
	KD("alpha", quantile_alpha, 0),
	KD("poisson_max_delta_step", poisson_max_delta_step, 0),
	KD("n_trees", n_trees, 1),
	KD("n_estimators", n_trees, 1),
	KD("num_iterations", n_trees, 1),
	KD("learning_rate", learning_rate, 0),
	KD("eta", learning_rate, 0),
	KD("num_leaves", num_leaves, 1),
	KD("max_depth", max_depth, 1),
	KD("min_data_in_leaf", min_data_in_leaf, 1),
	KD("min_sum_hessian", min_sum_hessian, 0),
	KD("lambda_l1", lambda_l1, 0),
	KD("alpha_l1", lambda_l1, 0),
	KD("lambda_l2", lambda_l2, 0),
	KD("lambda", lambda_l2, 0),
	KD("min_gain", min_gain, 0),
	KD("bagging_fraction", bagging_fraction, 0),
	KD("feature_fraction", feature_fraction, 0),
	KD("max_bin", max_bin, 1),
	KD("early_stopping_rounds", early_stopping_rounds, 1),
	KD("seed", seed, 2),
	KD("max_cat_to_onehot", max_cat_to_onehot, 1),
	KD("max_cat_threshold", max_cat_threshold, 1),
	KD("cat_smooth", cat_smooth, 0),
	KD("cat_l2", cat_l2, 0),
	KD("min_data_per_group", min_data_per_group, 1),
};

int fc_gbdt_set_param(fc_gbdt_params *p, const char *key, const char *val, fc_err *err)
{
	if (!key || !val)
		return fc_err_set(err, FC_EINVAL, "gbdt: missing parameter name or value");
	fc_gbdt_params q = *p;
	if (strcmp(key, "loss") == 0 || strcmp(key, "objective") == 0) {
		size_t i;
		for (i = 0; i < sizeof LOSS_NAMES / sizeof *LOSS_NAMES; i++)
			if (strcmp(val, LOSS_NAMES[i]) == 0)
				break;
		if (i == sizeof LOSS_NAMES / sizeof *LOSS_NAMES)
			return fc_err_set(err, FC_EINVAL,
			                  "gbdt: unknown loss '%s' (expected squared, poisson, tweedie, "
			                  "absolute or quantile)", val);
		q.loss = (fc_gbdt_loss)i;
	} else {
		const key_def *k = NULL;
		for (size_t i = 0; i < sizeof KEYS / sizeof *KEYS; i++)
			if (strcmp(key, KEYS[i].key) == 0)
				k = &KEYS[i];
		if (!k)
			return fc_err_set(err, FC_EINVAL, "gbdt: unknown parameter '%s'", key);
		char *field = (char *)&q + k->offset;
		if (k->is_size) {
			size_t v;
			if (parse_size(val, &v))
				return fc_err_set(err, FC_EINVAL,
				                  "gbdt: parameter '%s': \"%s\" is not a non-negative integer",
				                  key, val);
			if (k->is_size == 2)
				*(uint64_t *)(void *)field = (uint64_t)v;
			else
				*(size_t *)(void *)field = v;
		} else {
			double v;
			if (parse_real(val, &v))
				return fc_err_set(err, FC_EINVAL,
				                  "gbdt: parameter '%s': \"%s\" is not a number", key, val);
			*(double *)(void *)field = v;
		}
	}
	int rc = fc_gbdt_check_params(&q, err);
	if (rc)
		return rc;
	*p = q;
	return 0;
}

/* ---- losses ---- */

/* The gradient and hessian of row r. */
static inline void grad_at(const fc_gbdt_params *p, double mds, const float *y, const float *w,
                           const double *F, size_t r, double *g, double *h)
{
	const double rho = p->tweedie_power, alpha = p->quantile_alpha;
	double f = F[r], yr = y[r], gr, hr;
	switch (p->loss) {
	case FC_GBDT_POISSON: {
		double mu = exp(f);
		gr = mu - yr;
		hr = mu * mds;
		break;
	}
	case FC_GBDT_TWEEDIE: {
		double a = exp((1 - rho) * f), b = exp((2 - rho) * f);
		gr = -yr * a + b;
		hr = -yr * (1 - rho) * a + (2 - rho) * b;
		break;
	}
	case FC_GBDT_ABSOLUTE:
		gr = f > yr ? 1 : f < yr ? -1 : 0;
		hr = 1;
		break;
	case FC_GBDT_QUANTILE:
		gr = f >= yr ? 1 - alpha : -alpha;
		hr = 1;
		break;
	default:
		gr = f - yr;
		hr = 1;
	}
	double wr = w ? w[r] : 1;
	*g = gr * wr;
	*h = hr * wr;
}

/* ceil(log2(n)) for n >= 1. */
static int ceil_log2(size_t n)
{
	int k = 0;
	while (k < 63 && ((size_t)1 << k) < n)
		k++;
	return k;
}

/* The exponent k of the grid of step 2^-k on which n_total values of
 * magnitude at most m sum in 64 bits (m finite, > 0). */
static int grid_exp(double m, size_t n_total)
{
	return 61 - ilogb(m) - ceil_log2(n_total ? n_total : 1);
}

/* x 2^k (|x 2^k| < 2^63) rounded to an integer: the nearest, ties away
 * from zero (within one unit from 2^52 on, where adding the half rounds).
 * Not llrint: a library call per row, where this is a few instructions;
 * any deterministic rounding keeps the sums exact. */
static inline int64_t on_grid(double x, double scale, int k)
{
	double v = k > -1000 && k < 1000 ? x * scale : ldexp(x, k); /* scale = 2^k: exact */
	return (int64_t)(v + copysign(0.5, v));
}

/* Gradients (and hessians unless h is NULL) of every row on their grids,
 * the grids' steps in *gs, *hs (*hs 1 without h).  The largest magnitudes
 * are taken over every process.  0; FC_EMODEL when a gradient is not
 * finite (the scores have diverged); a collective's failure. */
static int gradients(const fc_gbdt_params *p, const float *y, const float *w, const double *F,
                     size_t n, size_t n_total, const fc_gbdt_comm *comm, int64_t *g, int64_t *h,
                     double *gs, double *hs)
{
	const double mds = exp(p->poisson_max_delta_step);
	double mg = 0, mh = 0;
#pragma omp parallel for schedule(static) reduction(max : mg, mh) if (n >= PAR_MIN_ROWS)
	for (size_t r = 0; r < n; r++) {
		double gr, hr;
		grad_at(p, mds, y, w, F, r, &gr, &hr);
		/* NaN compares false: caught below through isfinite */
		double ag = isnan(gr) ? INFINITY : fabs(gr), ah = isnan(hr) ? INFINITY : fabs(hr);
		mg = ag > mg ? ag : mg;
		mh = ah > mh ? ah : mh;
	}
	double m2[2] = {mg, mh};
	int rc = comm ? comm->max(comm->ctx, m2, 2) : 0;
	if (rc)
		return rc;
	if (!isfinite(m2[0]) || (h && !isfinite(m2[1])))
		return FC_EMODEL;
	int kg = m2[0] > 0 ? grid_exp(m2[0], n_total) : 0;
	int kh = h && m2[1] > 0 ? grid_exp(m2[1], n_total) : 0;
	*gs = ldexp(1, -kg);
	*hs = ldexp(1, -kh);
	const double sg = ldexp(1, kg), sh = ldexp(1, kh);
#pragma omp parallel for schedule(static) if (n >= PAR_MIN_ROWS)
	for (size_t r = 0; r < n; r++) {
		double gr, hr;
		grad_at(p, mds, y, w, F, r, &gr, &hr);
		g[r] = on_grid(gr, sg, kg);
		if (h)
			h[r] = on_grid(hr, sh, kh);
	}
	return 0;
}

/* ---- exact sums of reals ---- */

__extension__ typedef __int128 i128;

/* The sum over every process's rows of the k-th value list: v(ctx, r, k)
 * for local rows r < n (k < n_sums <= 2), into out[k].  Exact on the
 * grid of step 2^-61 of the largest magnitude: 62 bits a value, 128 bits
 * a sum (up to 2^32 rows), exchanged as two 64-bit limbs whose sums over
 * the processes cannot overflow.  With values that are not finite the sum
 * is what IEEE addition gives in any order: NaN when there is a NaN or
 * infinities of both signs, else the infinity.  0 or a collective's
 * failure. */
typedef double (*row_value)(const void *ctx, size_t r, size_t k);

static int exact_sums(row_value v, const void *ctx, size_t n, size_t n_sums,
                      const fc_gbdt_comm *comm, double *out)
{
	/* per list: largest finite magnitude, any NaN, any +inf, any -inf */
	double m[8] = {0};
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < n_sums; k++) {
			double a = v(ctx, r, k), *mk = m + 4 * k;
			if (isnan(a))
				mk[1] = 1;
			else if (isinf(a))
				mk[a > 0 ? 2 : 3] = 1;
			else if (fabs(a) > mk[0])
				mk[0] = fabs(a);
		}
	int rc = comm ? comm->max(comm->ctx, m, 4 * n_sums) : 0;
	if (rc)
		return rc;
	int e[2] = {0, 0};
	int64_t limb[4] = {0, 0, 0, 0};
	for (size_t k = 0; k < n_sums; k++) {
		i128 acc = 0;
		e[k] = m[4 * k] > 0 ? 61 - ilogb(m[4 * k]) : 0;
		const double scale = ldexp(1, e[k]);
		for (size_t r = 0; r < n; r++) {
			double a = v(ctx, r, k);
			if (isfinite(a))
				acc += on_grid(a, scale, e[k]);
		}
		/* acc = hi 2^32 + lo, 0 <= lo < 2^32 */
		limb[2 * k] = (int64_t)(acc >> 32); /* arithmetic shift (GCC, Clang) */
		limb[2 * k + 1] = (int64_t)(acc & 0xffffffff);
	}
	if (comm && (rc = comm->sum(comm->ctx, limb, 2 * n_sums)))
		return rc;
	for (size_t k = 0; k < n_sums; k++) {
		const double *mk = m + 4 * k;
		if (mk[1] || (mk[2] && mk[3]))
			out[k] = NAN;
		else if (mk[2] || mk[3])
			out[k] = mk[2] ? INFINITY : -INFINITY;
		else
			out[k] = ldexp((double)((i128)limb[2 * k] * ((i128)1 << 32) + limb[2 * k + 1]), -e[k]);
	}
	return 0;
}

/* Every process's rc, agreed (fc_gbdt_comm_agree). */
#define agree fc_gbdt_comm_agree
int fc_gbdt_comm_agree(const fc_gbdt_comm *comm, size_t key, int rc, fc_err *err)
{
	if (!comm || comm->size < 2)
		return rc;
	/* the smallest key through a maximum: -key, exact below 2^53; ties to
	 * the lowest process */
	double v[2] = {rc ? -(double)key : -INFINITY, rc ? -(double)comm->rank : -INFINITY};
	double k1[1] = {v[0]};
	int crc = comm->max(comm->ctx, k1, 1);
	if (crc)
		return crc;
	if (k1[0] == -INFINITY)
		return 0;
	double k2[1] = {rc && v[0] == k1[0] ? v[1] : -INFINITY};
	if ((crc = comm->max(comm->ctx, k2, 1)))
		return crc;
	size_t root = (size_t)-k2[0];
	fc_err mine = {0};
	if (comm->rank == root && err)
		mine = *err;
	mine.code = comm->rank == root ? rc : 0;
	if ((crc = comm->bcast(comm->ctx, &mine, sizeof mine, root)))
		return crc;
	if (err)
		*err = mine;
	return mine.code;
}

/* Per-row metric contribution (before weighting and averaging). */
static double point_metric(const fc_gbdt_params *p, double y, double f)
{
	switch (p->loss) {
	case FC_GBDT_POISSON: {
		double mu = exp(f);
		return 2 * ((y > 0 ? y * log(y / mu) : 0) - (y - mu));
	}
	case FC_GBDT_TWEEDIE: {
		double rho = p->tweedie_power, mu = exp(f);
		double a = y > 0 ? pow(y, 2 - rho) / ((1 - rho) * (2 - rho)) : 0;
		return 2 * (a - y * pow(mu, 1 - rho) / (1 - rho) + pow(mu, 2 - rho) / (2 - rho));
	}
	case FC_GBDT_ABSOLUTE:
		return fabs(y - f);
	case FC_GBDT_QUANTILE: {
		double d = y - f;
		return d >= 0 ? p->quantile_alpha * d : (p->quantile_alpha - 1) * d;
	}
	default:
		return (y - f) * (y - f);
	}
}

/* Weighted mean of the point metric (RMSE for squared) over every
 * process's rows, summed exactly (so independent of threads and
 * processes) into *out.  0 or a collective's failure. */
typedef struct metric_ctx {
	const fc_gbdt_params *p;
	const float *y, *w;
	const double *F;
} metric_ctx;

static double metric_value(const void *ctx, size_t r, size_t k)
{
	const metric_ctx *c = ctx;
	double wr = c->w ? c->w[r] : 1;
	return k ? wr : wr * point_metric(c->p, c->y[r], c->F[r]);
}

static int metric(const fc_gbdt_params *p, const float *y, const float *w, const double *F,
                  size_t n, const fc_gbdt_comm *comm, double *out)
{
	metric_ctx c = {p, y, w, F};
	double s[2];
	int rc = exact_sums(metric_value, &c, n, 2, comm, s);
	if (rc)
		return rc;
	double v = s[1] > 0 ? s[0] / s[1] : NAN;
	*out = p->loss == FC_GBDT_SQUARED ? sqrt(v) : v;
	return 0;
}

/* w y and w of a row, for the weighted mean of the targets. */
typedef struct target_ctx {
	const float *y, *w;
} target_ctx;

static double target_value(const void *ctx, size_t r, size_t k)
{
	const target_ctx *c = ctx;
	double wr = c->w ? c->w[r] : 1;
	return k ? wr : wr * c->y[r];
}

typedef struct vw {
	double v, w;
} vw;

static int cmp_vw(const void *a, const void *b)
{
	const vw *x = a, *y = b;
	return (x->v > y->v) - (x->v < y->v);
}

/* alpha-quantile of v[0..n) (sorted in place): unweighted, the linear
 * interpolation of gsl_stats_quantile_from_sorted_data; weighted, the
 * smallest value whose cumulative weight reaches alpha of the total. */
static double quantile_of(vw *v, size_t n, double alpha, int weighted, double *scratch)
{
	if (n == 0)
		return 0;
	if (!weighted) {
		for (size_t i = 0; i < n; i++)
			scratch[i] = v[i].v;
		gsl_sort(scratch, 1, n);
		return gsl_stats_quantile_from_sorted_data(scratch, 1, n, alpha);
	}
	qsort(v, n, sizeof *v, cmp_vw);
	double tot = 0, acc = 0;
	for (size_t i = 0; i < n; i++)
		tot += v[i].w;
	for (size_t i = 0; i < n; i++) {
		acc += v[i].w;
		if (acc >= alpha * tot)
			return v[i].v;
	}
	return v[n - 1].v;
}

/* The base score: the weighted mean of the targets over every process's
 * rows (exact sums; the log of it for Poisson and Tweedie), or in one
 * process their median or alpha-quantile.  0 or a collective's failure. */
static int base_score(const fc_gbdt_params *p, const float *y, const float *w, size_t n,
                      const fc_gbdt_comm *comm, vw *buf, double *scratch, double *out)
{
	if (p->loss == FC_GBDT_ABSOLUTE || p->loss == FC_GBDT_QUANTILE) {
		for (size_t r = 0; r < n; r++)
			buf[r] = (vw){y[r], w ? w[r] : 1};
		*out = quantile_of(buf, n, p->loss == FC_GBDT_ABSOLUTE ? 0.5 : p->quantile_alpha,
		                   w != NULL, scratch);
		return 0;
	}
	target_ctx c = {y, w};
	double s[2];
	int rc = exact_sums(target_value, &c, n, 2, comm, s);
	if (rc)
		return rc;
	double mean = s[0] / s[1];
	*out = p->loss == FC_GBDT_SQUARED ? mean : log(mean);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* ---- model ---- */

void fc_gbdt_free(fc_gbdt *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_trees; i++)
		gbdt_tree_dispose(&m->trees[i]);
	free(m->trees);
	free(m->imp_gain);
	free(m->imp_split);
	free(m->train_metric);
	free(m->valid_metric);
	free(m);
}

static void compute_importance(fc_gbdt *m)
{
	memset(m->imp_gain, 0, m->n_cols * sizeof *m->imp_gain);
	memset(m->imp_split, 0, m->n_cols * sizeof *m->imp_split);
	for (size_t i = 0; i < m->n_trees; i++)
		for (size_t k = 0; k < m->trees[i].n_nodes; k++) {
			int f = m->trees[i].feature[k];
			m->imp_gain[f] += m->trees[i].gain[k];
			m->imp_split[f] += 1;
		}
}

static fc_gbdt *model_alloc(const fc_gbdt_params *p, size_t n_cols, size_t cap_trees)
{
	fc_gbdt *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->params = *p;
	m->n_cols = n_cols;
	m->trees = calloc(cap_trees ? cap_trees : 1, sizeof *m->trees);
	m->imp_gain = calloc(n_cols ? n_cols : 1, sizeof *m->imp_gain);
	m->imp_split = calloc(n_cols ? n_cols : 1, sizeof *m->imp_split);
	m->train_metric = calloc(cap_trees ? cap_trees : 1, sizeof *m->train_metric);
	m->valid_metric = calloc(cap_trees ? cap_trees : 1, sizeof *m->valid_metric);
	if (!m->trees || !m->imp_gain || !m->imp_split || !m->train_metric || !m->valid_metric) {
		fc_gbdt_free(m);
		return NULL;
	}
	return m;
}

/* The training inputs' checks; with comm, over every process's rows (the
 * first bad row of all reported, by its index row_id among all rows). */
static int check_inputs(const fc_gbdt_params *p, const float *x, size_t n_rows, size_t n_cols,
                        const float *y, const float *w, const float *x_valid, size_t n_valid,
                        const float *y_valid, const uint32_t *row_id, size_t n_total,
                        const fc_gbdt_comm *comm, fc_err *err)
{
	if (!x || !y || n_total == 0 || n_cols == 0)
		return fc_err_set(err, FC_EINVAL, "gbdt: no training data");
	if (n_total > UINT32_MAX - 1)
		return fc_err_set(err, FC_EINVAL, "gbdt: too many rows (%zu)", n_total);
	if (n_valid && (!x_valid || !y_valid))
		return fc_err_set(err, FC_EINVAL, "gbdt: validation rows without data");
	if (p->early_stopping_rounds && n_valid == 0)
		return fc_err_set(err, FC_EINVAL,
		                  "gbdt: early_stopping_rounds needs a validation set");
	int logl = p->loss == FC_GBDT_POISSON || p->loss == FC_GBDT_TWEEDIE;
	int rc = 0;
	size_t bad = SIZE_MAX;
	for (size_t r = 0; r < n_rows && !rc; r++) {
		size_t id = (row_id ? row_id[r] : r) + 1;
		double wr = w ? w[r] : 1;
		if (!isfinite(y[r]))
			rc = fc_err_set(err, FC_EINPUT, "gbdt: target of row %zu is not finite", id);
		else if (logl && y[r] < 0)
			rc = fc_err_set(err, FC_EINPUT, "gbdt: %s loss needs targets >= 0, row %zu has %g",
			                LOSS_NAMES[p->loss], id, (double)y[r]);
		else if (!(wr >= 0 && isfinite(wr)))
			rc = fc_err_set(err, FC_EINPUT, "gbdt: weight of row %zu is not >= 0", id);
		if (rc)
			bad = id;
	}
	if ((rc = agree(comm, bad, rc, err)))
		return rc;
	target_ctx c = {y, w};
	double s[2];
	if ((rc = exact_sums(target_value, &c, n_rows, 2, comm, s)))
		return fc_err_set(err, rc, "gbdt: a collective step failed");
	if (!(s[1] > 0))
		return fc_err_set(err, FC_EINPUT, "gbdt: weights sum to zero");
	if (logl && !(s[0] > 0))
		return fc_err_set(err, FC_EINPUT, "gbdt: %s loss needs a positive mean target",
		                  LOSS_NAMES[p->loss]);
	for (size_t r = 0; r < n_valid; r++)
		if (!isfinite(y_valid[r]) || (logl && y_valid[r] < 0))
			return fc_err_set(err, FC_EINPUT, "gbdt: validation target of row %zu is invalid",
			                  r + 1);
	return 0;
}

/* Re-fits the leaves of t as quantiles of residuals (absolute, quantile). */
static void renew_leaves(const fc_gbdt_params *p, gbdt_tree *t, const gbdt_grower *gr,
                         const float *y, const float *w, const double *F, vw *buf,
                         double *scratch)
{
	double alpha = p->loss == FC_GBDT_ABSOLUTE ? 0.5 : p->quantile_alpha;
	for (size_t l = 0; l < t->n_leaves; l++) {
		const uint32_t *rows;
		size_t n = gbdt_leaf_rows(gr, l, &rows);
		for (size_t i = 0; i < n; i++)
			buf[i] = (vw){y[rows[i]] - F[rows[i]], w ? w[rows[i]] : 1};
		t->leaf_value[l] = quantile_of(buf, n, alpha, w != NULL, scratch);
	}
}

static int train_binned(const fc_gbdt_params *p, const gbdt_data *dp, const float *y,
                        const float *w, const float *x_valid, size_t n_valid,
                        const float *y_valid, const uint32_t *row_id, size_t n_total,
                        const fc_gbdt_comm *comm, fc_gbdt **out, fc_err *err);

int fc_gbdt_train(const fc_gbdt_params *p, const float *x, size_t n_rows, size_t n_cols,
                  const unsigned char *categorical, const float *y, const float *w,
                  const float *x_valid, size_t n_valid, const float *y_valid,
                  fc_gbdt **out, fc_err *err)
{
	int rc = fc_gbdt_check_params(p, err);
	if (rc)
		return rc;
	if ((rc = check_inputs(p, x, n_rows, n_cols, y, w, x_valid, n_valid, y_valid, NULL, n_rows,
	                       NULL, err)))
		return rc;

	gbdt_data d;
	if ((rc = gbdt_data_build(&d, x, n_rows, n_cols, categorical, p->max_bin, err)))
		return rc;
	rc = train_binned(p, &d, y, w, x_valid, n_valid, y_valid, NULL, n_rows, NULL, out, err);
	gbdt_data_dispose(&d);
	return rc;
}

/* ---- training from rows binned as they are made ---- */

struct fc_gbdt_bins {
	gbdt_data d;
};

size_t fc_gbdt_sample_stride(size_t n_rows)
{
	return gbdt_sample_stride(n_rows);
}

int fc_gbdt_bins_alloc(const fc_gbdt_params *p, size_t n_rows, size_t n_cols,
                       const unsigned char *categorical, const float *sample,
                       fc_gbdt_bins **out, fc_err *err)
{
	if (n_rows == 0) {
		int rc = fc_gbdt_check_params(p, err);
		return rc ? rc : fc_err_set(err, FC_EINVAL, "gbdt: no training data");
	}
	/* the sample is every stride-th row of the n_rows */
	size_t stride = gbdt_sample_stride(n_rows);
	return fc_gbdt_bins_alloc_sample(p, n_rows, n_cols, categorical, sample,
	                                 (n_rows + stride - 1) / stride, out, err);
}

int fc_gbdt_bins_reserve(fc_gbdt_bins *b, fc_err *err)
{
	return gbdt_data_alloc_bins(&b->d, err);
}

void fc_gbdt_bins_put(fc_gbdt_bins *b, size_t r, size_t k, const float *block, size_t stride)
{
	gbdt_data_put_rows(&b->d, r, k, block, stride);
}

void fc_gbdt_bins_put_matrix(fc_gbdt_bins *b, const float *x)
{
	size_t n = b->d.n_rows;
#pragma omp parallel for schedule(dynamic, 1)
	for (size_t c = 0; c < b->d.n_cols; c++)
		gbdt_data_put_column(&b->d, c, x + c * n);
}

void fc_gbdt_bins_free(fc_gbdt_bins *b)
{
	if (!b)
		return;
	gbdt_data_dispose(&b->d);
	free(b);
}

int fc_gbdt_train_bins(const fc_gbdt_params *p, const fc_gbdt_bins *b, const float *y,
                       const float *w, fc_gbdt **out, fc_err *err)
{
	int rc = fc_gbdt_check_params(p, err);
	if (rc)
		return rc;
	/* x is binned already: check_inputs sees only that there is one */
	if ((rc = check_inputs(p, (const float *)(const void *)b, b->d.n_rows, b->d.n_cols, y, w,
	                       NULL, 0, NULL, NULL, b->d.n_rows, NULL, err)))
		return rc;
	return train_binned(p, &b->d, y, w, NULL, 0, NULL, NULL, b->d.n_rows, NULL, out, err);
}

int fc_gbdt_bins_alloc_sample(const fc_gbdt_params *p, size_t n_rows, size_t n_cols,
                              const unsigned char *categorical, const float *sample,
                              size_t n_sample, fc_gbdt_bins **out, fc_err *err)
{
	int rc = fc_gbdt_check_params(p, err);
	if (rc)
		return rc;
	if (n_cols == 0 || n_sample == 0)
		return fc_err_set(err, FC_EINVAL, "gbdt: no training data");
	if (n_rows > UINT32_MAX - 1)
		return fc_err_set(err, FC_EINVAL, "gbdt: too many rows (%zu)", n_rows);
	fc_gbdt_bins *b = calloc(1, sizeof *b);
	if (!b)
		return fc_err_set(err, FC_ENOMEM, "gbdt: out of memory");
	if ((rc = gbdt_data_alloc(&b->d, n_rows, n_cols, 0, err)) ||
	    (rc = gbdt_data_maps(&b->d, sample, n_sample, categorical, p->max_bin, err))) {
		fc_gbdt_bins_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int fc_gbdt_train_part(const fc_gbdt_params *p, const fc_gbdt_bins *b, const float *y,
                       const float *w, const uint32_t *row_id, size_t n_total,
                       const fc_gbdt_comm *comm, fc_gbdt **out, fc_err *err)
{
	int rc = fc_gbdt_check_params(p, err);
	if (rc)
		return rc;
	if (p->loss == FC_GBDT_ABSOLUTE || p->loss == FC_GBDT_QUANTILE)
		return fc_err_set(err, FC_EINVAL, "gbdt: the %s loss is not trained over processes",
		                  LOSS_NAMES[p->loss]);
	if ((rc = check_inputs(p, (const float *)(const void *)b, b->d.n_rows, b->d.n_cols, y, w,
	                       NULL, 0, NULL, row_id, n_total, comm, err)))
		return rc;
	return train_binned(p, &b->d, y, w, NULL, 0, NULL, row_id, n_total, comm, out, err);
}

/* The bagging draw of a row: a uniform in [0, 1) from splitmix64 of
 * (seed, round, row). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double bag_draw(uint64_t seed, size_t round, size_t row)
{
	uint64_t z = mix64(seed + 0x9e3779b97f4a7c15ull * (uint64_t)(round + 1));
	z = mix64(z ^ (0x9e3779b97f4a7c15ull + (uint64_t)row));
	return (double)(z >> 11) * 0x1.0p-53;
}

/* Boosting on the binned matrix *dp (borrowed): n_total rows in all, of
 * which this process holds dp's, local row r being row_id[r] of all (row_id
 * NULL: every row, in order).  comm NULL: one process. */
static int train_binned(const fc_gbdt_params *p, const gbdt_data *dp, const float *y,
                        const float *w, const float *x_valid, size_t n_valid,
                        const float *y_valid, const uint32_t *row_id, size_t n_total,
                        const fc_gbdt_comm *comm, fc_gbdt **out, fc_err *err)
{
	const gbdt_data d = *dp;
	size_t n_rows = d.n_rows, n_cols = d.n_cols, n1 = n_rows ? n_rows : 1;
	int rc;
	int quant = p->loss == FC_GBDT_ABSOLUTE || p->loss == FC_GBDT_QUANTILE;
	/* hessians all 1: histograms need not sum them */
	int unit_h = !w && (p->loss == FC_GBDT_SQUARED || quant);
	fc_gbdt *m = model_alloc(p, n_cols, p->n_trees);
	gbdt_grower *gr = NULL;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *F = malloc(n1 * sizeof *F), *Fv = malloc((n_valid ? n_valid : 1) * sizeof *Fv);
	int64_t *g = malloc(n1 * sizeof *g), *h = unit_h ? NULL : malloc(n1 * sizeof *h);
	/* the quantile losses' leaf refits (one process only) */
	double *scratch = quant ? malloc(n1 * sizeof *scratch) : NULL;
	vw *buf = quant ? malloc(n1 * sizeof *buf) : NULL;
	uint32_t *idx = malloc(n1 * sizeof *idx);
	unsigned char *inbag = malloc(n1);
	int *cols = malloc(n_cols * sizeof *cols), *perm = malloc(n_cols * sizeof *perm);
	int nomem = !m || !rng || !F || !Fv || !g || (!unit_h && !h) || (quant && (!scratch || !buf)) ||
	            !idx || !inbag || !cols || !perm || gbdt_grower_alloc(&d, p->num_leaves, &gr);
	if ((rc = agree(comm, 0, nomem ? fc_err_set(err, FC_ENOMEM, "gbdt: out of memory") : 0,
	                err)))
		goto out;
	gsl_rng_set(rng, (unsigned long)(p->seed ^ (p->seed >> 32)));

	if ((rc = base_score(p, y, w, n_rows, comm, buf, scratch, &m->base_score))) {
		fc_err_set(err, rc, "gbdt: a collective step failed");
		goto out;
	}
	for (size_t r = 0; r < n_rows; r++)
		F[r] = m->base_score;
	for (size_t r = 0; r < n_valid; r++)
		Fv[r] = m->base_score;

	gbdt_grow_cfg cfg = {
		.split = {.l1 = p->lambda_l1, .l2 = p->lambda_l2, .min_hess = p->min_sum_hessian,
		          .min_gain = p->min_gain, .cat_smooth = p->cat_smooth, .cat_l2 = p->cat_l2,
		          .min_data = (double)p->min_data_in_leaf,
		          .max_cat_to_onehot = p->max_cat_to_onehot,
		          .max_cat_threshold = p->max_cat_threshold,
		          .min_data_per_group = p->min_data_per_group},
		.num_leaves = p->num_leaves,
		.max_depth = p->max_depth};
	size_t n_use = n_cols;
	if (p->feature_fraction < 1) {
		n_use = (size_t)(p->feature_fraction * (double)n_cols + 0.5);
		n_use = n_use < 1 ? 1 : n_use;
	}
	for (size_t c = 0; c < n_cols; c++)
		cols[c] = (int)c;
	double best_valid = INFINITY;
	size_t best_iter = 0;

	for (size_t it = 0; it < p->n_trees; it++) {
		double gs, hs;
		rc = gradients(p, y, w, F, n_rows, n_total, comm, g, h, &gs, &hs);
		if (rc == FC_EMODEL) {
			rc = 0;
			break; /* the scores diverged: no tree can be grown on them */
		}
		if (rc) {
			fc_err_set(err, rc, "gbdt: a collective step failed");
			goto out;
		}
		if (n_use < n_cols) {
			for (size_t c = 0; c < n_cols; c++)
				perm[c] = (int)c;
			for (size_t k = 0; k < n_use; k++) {
				size_t j = k + gsl_rng_uniform_int(rng, n_cols - k);
				int tmp = perm[k];
				perm[k] = perm[j];
				perm[j] = tmp;
			}
			memcpy(cols, perm, n_use * sizeof *cols);
			qsort(cols, n_use, sizeof *cols, cmp_int);
		}
		size_t m_rows = 0;
		int bagged = p->bagging_fraction < 1;
		for (size_t r = 0; r < n_rows; r++) {
			int in = !bagged ||
			         bag_draw(p->seed, it, row_id ? row_id[r] : r) < p->bagging_fraction;
			inbag[r] = (unsigned char)in;
			if (in)
				idx[m_rows++] = (uint32_t)r;
		}
		gbdt_tree *t = &m->trees[m->n_trees];
		if ((rc = gbdt_grow(gr, &cfg, idx, m_rows, g, h, gs, hs, cols, n_use, comm, t))) {
			fc_err_set(err, rc, rc == FC_ENOMEM ? "gbdt: out of memory growing tree %zu"
			                                    : "gbdt: a collective step failed in tree %zu",
			           it + 1);
			goto out;
		}
		if (t->n_nodes == 0) {
			/* no split meets the requirements: further rounds would repeat this */
			gbdt_tree_dispose(t);
			break;
		}
		m->n_trees++;
		if (quant)
			renew_leaves(p, t, gr, y, w, F, buf, scratch);
		for (size_t l = 0; l < t->n_leaves; l++)
			t->leaf_value[l] *= p->learning_rate;
		int frc = gbdt_tree_finish(t, &d);
		if ((rc = agree(comm, 0, frc ? fc_err_set(err, FC_ENOMEM, "gbdt: out of memory") : 0,
		                err)))
			goto out;
		/* scores: in-bag rows by their leaf, the others by traversal */
#pragma omp parallel for schedule(dynamic, 1) if (m_rows >= PAR_MIN_ROWS)
		for (size_t l = 0; l < t->n_leaves; l++) {
			const uint32_t *rows;
			size_t n = gbdt_leaf_rows(gr, l, &rows);
			for (size_t i = 0; i < n; i++)
				F[rows[i]] += t->leaf_value[l];
		}
		if (bagged) {
#pragma omp parallel for schedule(static) if (n_rows >= PAR_MIN_ROWS)
			for (size_t r = 0; r < n_rows; r++)
				if (!inbag[r])
					F[r] += t->leaf_value[gbdt_tree_leaf_binned(t, &d, r)];
		}
#pragma omp parallel for schedule(static) if (n_valid >= PAR_MIN_ROWS / 4)
		for (size_t r = 0; r < n_valid; r++)
			Fv[r] += t->leaf_value[gbdt_tree_leaf_raw(t, x_valid + r, n_valid)];
		if ((rc = metric(p, y, w, F, n_rows, comm, &m->train_metric[it]))) {
			fc_err_set(err, rc, "gbdt: a collective step failed");
			goto out;
		}
		m->n_rounds = it + 1;
		if (n_valid) {
			double v;
			(void)metric(p, y_valid, NULL, Fv, n_valid, NULL, &v);
			m->valid_metric[it] = v;
			if (v < best_valid) {
				best_valid = v;
				best_iter = it;
			}
			if (p->early_stopping_rounds && it - best_iter >= p->early_stopping_rounds)
				break;
		} else {
			best_iter = it;
		}
	}
	if (p->early_stopping_rounds && n_valid) {
		while (m->n_trees > best_iter + 1)
			gbdt_tree_dispose(&m->trees[--m->n_trees]);
	}
	m->best_iter = best_iter;
	for (size_t i = 0; i < m->n_trees; i++) {
		/* training-only fields are not needed any more */
		free(m->trees[i].thr_bin);
		free(m->trees[i].bin_words);
		m->trees[i].thr_bin = NULL;
		m->trees[i].bin_words = NULL;
	}
	compute_importance(m);
	if (!n_valid) {
		free(m->valid_metric);
		m->valid_metric = NULL;
	}
	*out = m;
	m = NULL;
	rc = 0;
out:
	fc_gbdt_free(m);
	gbdt_grower_free(gr);
	if (rng)
		gsl_rng_free(rng);
	free(F);
	free(Fv);
	free(g);
	free(h);
	free(scratch);
	free(buf);
	free(idx);
	free(inbag);
	free(cols);
	free(perm);
	return rc;
}

/* ---- prediction ---- */

double fc_gbdt_predict_raw_row(const fc_gbdt *m, const float *row, size_t stride)
{
	double f = m->base_score;
	for (size_t i = 0; i < m->n_trees; i++)
		f += m->trees[i].leaf_value[gbdt_tree_leaf_raw(&m->trees[i], row, stride)];
	return f;
}

static double response(const fc_gbdt *m, double f)
{
	return m->params.loss == FC_GBDT_POISSON || m->params.loss == FC_GBDT_TWEEDIE ? exp(f) : f;
}

double fc_gbdt_predict_row(const fc_gbdt *m, const float *row, size_t stride)
{
	return response(m, fc_gbdt_predict_raw_row(m, row, stride));
}

void fc_gbdt_predict(const fc_gbdt *m, const float *x, size_t n_rows, double *out)
{
#pragma omp parallel for schedule(static) if (n_rows >= 1024)
	for (size_t r = 0; r < n_rows; r++)
		out[r] = fc_gbdt_predict_row(m, x + r, n_rows);
}

/* ---- accessors ---- */

void fc_gbdt_importance(const fc_gbdt *m, double *gain, double *splits)
{
	if (gain)
		memcpy(gain, m->imp_gain, m->n_cols * sizeof *gain);
	if (splits)
		memcpy(splits, m->imp_split, m->n_cols * sizeof *splits);
}

size_t fc_gbdt_n_trees(const fc_gbdt *m) { return m->n_trees; }
size_t fc_gbdt_n_cols(const fc_gbdt *m) { return m->n_cols; }
size_t fc_gbdt_best_iteration(const fc_gbdt *m) { return m->best_iter; }
double fc_gbdt_base_score(const fc_gbdt *m) { return m->base_score; }

const gbdt_tree *gbdt_booster_tree(const fc_gbdt *m, size_t t)
{
	assert(t < m->n_trees);
	return &m->trees[t];
}

const double *fc_gbdt_train_metric(const fc_gbdt *m, size_t *n)
{
	if (n)
		*n = m->n_rounds;
	return m->train_metric;
}

const double *fc_gbdt_valid_metric(const fc_gbdt *m, size_t *n)
{
	if (n)
		*n = m->valid_metric ? m->n_rounds : 0;
	return m->valid_metric;
}

/* ---- save / load ---- */

#define GBDT_VERSION 1

/* Writes `key=` followed by f(i) for i < n as a list (skipped when n = 0). */
static int put_list(fc_buf *b, const char *key, double *tmp, size_t n)
{
	if (n == 0)
		return 0;
	return fc_buf_put_doubles(b, key, tmp, n);
}

int fc_gbdt_save(const fc_gbdt *m, fc_buf *out, fc_err *err)
{
	const fc_gbdt_params *p = &m->params;
	size_t tot_nodes = 0, tot_leaves = 0, tot_words = 0;
	for (size_t i = 0; i < m->n_trees; i++) {
		tot_nodes += m->trees[i].n_nodes;
		tot_leaves += m->trees[i].n_leaves;
		tot_words += m->trees[i].n_cat_words;
	}
	size_t cap = tot_nodes > tot_leaves ? tot_nodes : tot_leaves;
	cap = cap > tot_words ? cap : tot_words;
	cap = cap > m->n_trees ? cap : m->n_trees;
	cap = cap > m->n_rounds ? cap : m->n_rounds;
	double *tmp = malloc((cap ? cap : 1) * sizeof *tmp);
	if (!tmp)
		return fc_err_set(err, FC_ENOMEM, "gbdt: out of memory saving");
	int rc = 0;
#define PUT(expr) do { if (!rc && (expr)) rc = FC_ENOMEM; } while (0)
#define LIST(key, count, per_tree_n, value)                                         \
	do {                                                                              \
		size_t k_ = 0;                                                                \
		for (size_t i = 0; i < m->n_trees; i++) {                                     \
			const gbdt_tree *t = &m->trees[i];                                        \
			(void)t;                                                                  \
			for (size_t j = 0; j < (per_tree_n); j++)                                 \
				tmp[k_++] = (double)(value);                                          \
		}                                                                             \
		PUT(put_list(out, key, tmp, count));                                          \
	} while (0)
	PUT(fc_buf_put_long(out, "gbdt_version", GBDT_VERSION));
	PUT(fc_buf_put_long(out, "gbdt_loss", (long)p->loss));
	PUT(fc_buf_put_double(out, "gbdt_tweedie_power", p->tweedie_power));
	PUT(fc_buf_put_double(out, "gbdt_quantile_alpha", p->quantile_alpha));
	PUT(fc_buf_put_double(out, "gbdt_learning_rate", p->learning_rate));
	PUT(fc_buf_put_long(out, "gbdt_num_leaves", (long)p->num_leaves));
	PUT(fc_buf_put_long(out, "gbdt_n_cols", (long)m->n_cols));
	PUT(fc_buf_put_double(out, "gbdt_base_score", m->base_score));
	PUT(fc_buf_put_long(out, "gbdt_n_trees", (long)m->n_trees));
	PUT(fc_buf_put_long(out, "gbdt_best_iter", (long)m->best_iter));
	PUT(fc_buf_put_long(out, "gbdt_n_rounds", (long)m->n_rounds));
	if (m->n_trees) {
		LIST("gbdt_tree_nodes", m->n_trees, 1, t->n_nodes);
		LIST("gbdt_tree_leaves", m->n_trees, 1, t->n_leaves);
		LIST("gbdt_tree_cat_words", m->n_trees, 1, t->n_cat_words);
	}
	LIST("gbdt_feature", tot_nodes, t->n_nodes, t->feature[j]);
	LIST("gbdt_threshold", tot_nodes, t->n_nodes, t->threshold[j]);
	LIST("gbdt_default_left", tot_nodes, t->n_nodes, t->default_left[j]);
	LIST("gbdt_is_cat", tot_nodes, t->n_nodes, t->is_cat[j]);
	LIST("gbdt_left", tot_nodes, t->n_nodes, t->left[j]);
	LIST("gbdt_right", tot_nodes, t->n_nodes, t->right[j]);
	LIST("gbdt_gain", tot_nodes, t->n_nodes, t->gain[j]);
	LIST("gbdt_cat_n", tot_nodes, t->n_nodes, t->cat_n[j]);
	LIST("gbdt_cat_set", tot_words, t->n_cat_words, t->cat_words[j]);
	LIST("gbdt_leaf_value", tot_leaves, t->n_leaves, t->leaf_value[j]);
	/* covers came later than format version 1: an optional key, so that
	 * models saved before still load (they predict, but have no SHAP) */
	int covered = 1;
	for (size_t i = 0; i < m->n_trees; i++)
		covered = covered && m->trees[i].leaf_cover;
	if (covered)
		LIST("gbdt_leaf_cover", tot_leaves, t->n_leaves, t->leaf_cover[j]);
#undef LIST
	if (m->n_rounds) {
		PUT(put_list(out, "gbdt_train_metric", m->train_metric, m->n_rounds));
		if (m->valid_metric)
			PUT(put_list(out, "gbdt_valid_metric", m->valid_metric, m->n_rounds));
	}
#undef PUT
	free(tmp);
	if (rc)
		return fc_err_set(err, rc, "gbdt: out of memory saving");
	return 0;
}

static int get_list(const fc_buf *in, const char *key, size_t want, double **v, fc_err *err)
{
	*v = NULL;
	if (want == 0)
		return 0;
	size_t n;
	int rc = fc_buf_get_doubles(in, key, v, &n, err);
	if (rc)
		return rc;
	if (n != want) {
		free(*v);
		*v = NULL;
		return fc_err_set(err, FC_EFORMAT, "gbdt: '%s' has %zu values, expected %zu", key, n,
		                  want);
	}
	return 0;
}

static int is_count(double v, double max)
{
	return v >= 0 && v <= max && v == floor(v);
}

int fc_gbdt_load(const fc_buf *in, fc_gbdt **out, fc_err *err)
{
	long version, loss, n_leaves_p, n_cols, n_trees, best_iter, n_rounds;
	fc_gbdt_params p = fc_gbdt_default_params();
	double base;
	int rc;
	if ((rc = fc_buf_get_long(in, "gbdt_version", &version, err)))
		return rc;
	if (version != GBDT_VERSION)
		return fc_err_set(err, FC_EFORMAT, "gbdt: model format version %ld, expected %d",
		                  version, GBDT_VERSION);
	if ((rc = fc_buf_get_long(in, "gbdt_loss", &loss, err)) ||
	    (rc = fc_buf_get_double(in, "gbdt_tweedie_power", &p.tweedie_power, err)) ||
	    (rc = fc_buf_get_double(in, "gbdt_quantile_alpha", &p.quantile_alpha, err)) ||
	    (rc = fc_buf_get_double(in, "gbdt_learning_rate", &p.learning_rate, err)) ||
	    (rc = fc_buf_get_long(in, "gbdt_num_leaves", &n_leaves_p, err)) ||
	    (rc = fc_buf_get_long(in, "gbdt_n_cols", &n_cols, err)) ||
	    (rc = fc_buf_get_double(in, "gbdt_base_score", &base, err)) ||
	    (rc = fc_buf_get_long(in, "gbdt_n_trees", &n_trees, err)) ||
	    (rc = fc_buf_get_long(in, "gbdt_best_iter", &best_iter, err)) ||
	    (rc = fc_buf_get_long(in, "gbdt_n_rounds", &n_rounds, err)))
		return rc;
	if (loss < 0 || loss > FC_GBDT_QUANTILE || n_cols < 1 || n_trees < 0 || n_rounds < 0 ||
	    n_leaves_p < 2 || best_iter < 0 || n_trees > 100000000 || n_rounds > 100000000)
		return fc_err_set(err, FC_EFORMAT, "gbdt: corrupt model header");
	p.loss = (fc_gbdt_loss)loss;
	p.num_leaves = (size_t)n_leaves_p;
	p.n_trees = (size_t)n_trees;
	fc_gbdt *m = model_alloc(&p, (size_t)n_cols, (size_t)(n_trees > n_rounds ? n_trees : n_rounds));
	if (!m)
		return fc_err_set(err, FC_ENOMEM, "gbdt: out of memory loading");
	m->base_score = base;
	m->best_iter = (size_t)best_iter;
	m->n_rounds = (size_t)n_rounds;
	double *nodes = NULL, *leaves = NULL, *words = NULL, *feat = NULL, *thr = NULL, *dl = NULL,
	       *ic = NULL, *lc = NULL, *rc_ = NULL, *gain = NULL, *catn = NULL, *cset = NULL,
	       *lv = NULL, *tm = NULL, *vm = NULL, *cov = NULL;
	size_t nt = (size_t)n_trees, tot_nodes = 0, tot_leaves = 0, tot_words = 0;
	if ((rc = get_list(in, "gbdt_tree_nodes", nt, &nodes, err)) ||
	    (rc = get_list(in, "gbdt_tree_leaves", nt, &leaves, err)) ||
	    (rc = get_list(in, "gbdt_tree_cat_words", nt, &words, err)))
		goto out;
	for (size_t i = 0; i < nt; i++) {
		if (!is_count(nodes[i], 1e8) || leaves[i] != nodes[i] + 1 || !is_count(words[i], 1e9)) {
			rc = fc_err_set(err, FC_EFORMAT, "gbdt: corrupt tree sizes");
			goto out;
		}
		tot_nodes += (size_t)nodes[i];
		tot_leaves += (size_t)leaves[i];
		tot_words += (size_t)words[i];
	}
	if ((rc = get_list(in, "gbdt_feature", tot_nodes, &feat, err)) ||
	    (rc = get_list(in, "gbdt_threshold", tot_nodes, &thr, err)) ||
	    (rc = get_list(in, "gbdt_default_left", tot_nodes, &dl, err)) ||
	    (rc = get_list(in, "gbdt_is_cat", tot_nodes, &ic, err)) ||
	    (rc = get_list(in, "gbdt_left", tot_nodes, &lc, err)) ||
	    (rc = get_list(in, "gbdt_right", tot_nodes, &rc_, err)) ||
	    (rc = get_list(in, "gbdt_gain", tot_nodes, &gain, err)) ||
	    (rc = get_list(in, "gbdt_cat_n", tot_nodes, &catn, err)) ||
	    (rc = get_list(in, "gbdt_cat_set", tot_words, &cset, err)) ||
	    (rc = get_list(in, "gbdt_leaf_value", tot_leaves, &lv, err)) ||
	    (rc = get_list(in, "gbdt_train_metric", m->n_rounds, &tm, err)))
		goto out;
	if (strstr(in->data, " gbdt_leaf_cover=") &&
	    (rc = get_list(in, "gbdt_leaf_cover", tot_leaves, &cov, err)))
		goto out;
	/* the validation metric is there only when training had a validation set */
	if (m->n_rounds && strstr(in->data, " gbdt_valid_metric=") &&
	    (rc = get_list(in, "gbdt_valid_metric", m->n_rounds, &vm, err)))
		goto out;
	size_t on = 0, ol = 0, ow = 0;
	for (size_t i = 0; i < nt; i++) {
		gbdt_tree *t = &m->trees[i];
		size_t nn = (size_t)nodes[i], nl = (size_t)leaves[i], nw = (size_t)words[i];
		t->n_nodes = nn;
		t->n_leaves = nl;
		t->n_cat_words = nw;
		size_t a = nn ? nn : 1;
		t->feature = malloc(a * sizeof *t->feature);
		t->threshold = malloc(a * sizeof *t->threshold);
		t->default_left = malloc(a);
		t->is_cat = malloc(a);
		t->left = malloc(a * sizeof *t->left);
		t->right = malloc(a * sizeof *t->right);
		t->gain = malloc(a * sizeof *t->gain);
		t->cat_begin = malloc(a * sizeof *t->cat_begin);
		t->cat_n = malloc(a * sizeof *t->cat_n);
		t->cat_words = malloc((nw ? nw : 1) * sizeof *t->cat_words);
		t->leaf_value = malloc(nl * sizeof *t->leaf_value);
		if (cov && !(t->leaf_cover = malloc(nl * sizeof *t->leaf_cover))) {
			m->n_trees = i + 1;
			rc = fc_err_set(err, FC_ENOMEM, "gbdt: out of memory loading");
			goto out;
		}
		m->n_trees = i + 1;  /* so that fc_gbdt_free releases this tree */
		if (!t->feature || !t->threshold || !t->default_left || !t->is_cat || !t->left ||
		    !t->right || !t->gain || !t->cat_begin || !t->cat_n || !t->cat_words ||
		    !t->leaf_value) {
			rc = fc_err_set(err, FC_ENOMEM, "gbdt: out of memory loading");
			goto out;
		}
		size_t cb = 0;
		for (size_t j = 0; j < nn; j++, on++) {
			double L = lc[on], R = rc_[on];
			if (!is_count(feat[on], (double)n_cols - 1) || !(L >= -(double)nl && L < (double)nn) ||
			    !(R >= -(double)nl && R < (double)nn) || L != floor(L) || R != floor(R) ||
			    (L >= 0 && L <= (double)j) || (R >= 0 && R <= (double)j) ||
			    !is_count(catn[on], (double)(nw - cb))) {
				rc = fc_err_set(err, FC_EFORMAT, "gbdt: corrupt node %zu of tree %zu", j, i);
				goto out;
			}
			t->feature[j] = (int)feat[on];
			t->threshold[j] = thr[on];
			t->default_left[j] = dl[on] != 0;
			t->is_cat[j] = ic[on] != 0;
			t->left[j] = (int)L;
			t->right[j] = (int)R;
			t->gain[j] = gain[on];
			t->cat_begin[j] = cb;
			t->cat_n[j] = (size_t)catn[on];
			cb += t->cat_n[j];
		}
		if (cb != nw) {
			rc = fc_err_set(err, FC_EFORMAT, "gbdt: corrupt categorical sets in tree %zu", i);
			goto out;
		}
		for (size_t j = 0; j < nw; j++, ow++)
			t->cat_words[j] = (uint32_t)cset[ow];
		for (size_t j = 0; j < nl; j++, ol++) {
			t->leaf_value[j] = lv[ol];
			if (cov) {
				if (!(cov[ol] >= 0)) {
					rc = fc_err_set(err, FC_EFORMAT, "gbdt: corrupt cover in tree %zu", i);
					goto out;
				}
				t->leaf_cover[j] = cov[ol];
			}
		}
	}
	if (tm)
		memcpy(m->train_metric, tm, m->n_rounds * sizeof *tm);
	if (vm) {
		memcpy(m->valid_metric, vm, m->n_rounds * sizeof *vm);
	} else {
		free(m->valid_metric);
		m->valid_metric = NULL;
	}
	compute_importance(m);
	*out = m;
	m = NULL;
	rc = 0;
out:
	fc_gbdt_free(m);
	free(nodes);
	free(leaves);
	free(words);
	free(feat);
	free(thr);
	free(dl);
	free(ic);
	free(lc);
	free(rc_);
	free(gain);
	free(catn);
	free(cset);
	free(lv);
	free(cov);
	free(tm);
	free(vm);
	return rc;
}
