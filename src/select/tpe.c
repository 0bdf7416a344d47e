/* The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kegl
 * 2011, NeurIPS) for `--search bayes`: Parzen densities of the good and
 * the other points per dimension, candidates drawn from the good ones and
 * ranked by the ratio.  The model is in include/forecast/tpe.h.  Omitted:
 * hyperopt's linear forgetting of old points (the budgets here are tens
 * of trials) and conditional (tree-structured) spaces, which no kind has. */
#include "forecast/tpe.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A numeric dimension in the space where the densities live: the log of
 * the value for loguniform; [a, b] the support (for a grid: its cells,
 * half a step beyond each end point). */
typedef struct axis {
	int logscale, quant;
	double lo, top, q; /* the grid: lo, lo+q, ..., top */
	double a, b;
} axis;

static axis axis_of(const fc_param_space *s)
{
	axis ax = {0};
	ax.lo = s->lo;
	ax.top = s->hi;
	if (s->type == FC_SPACE_LOGUNIFORM) {
		ax.logscale = 1;
		ax.a = log(s->lo);
		ax.b = log(s->hi);
	} else if (s->type == FC_SPACE_INT || s->type == FC_SPACE_QUNIFORM) {
		ax.quant = 1;
		ax.q = s->type == FC_SPACE_INT ? 1 : s->q;
		ax.top = s->lo + (fc_space_steps(s) - 1) * ax.q;
		ax.a = s->lo - ax.q / 2;
		ax.b = ax.top + ax.q / 2;
	} else {
		ax.a = s->lo;
		ax.b = s->hi;
	}
	return ax;
}

static double to_axis(const axis *ax, double v)
{
	return ax->logscale ? log(v) : v;
}

/* A Parzen density: m components (the prior first), equal weights. */
typedef struct parzen {
	size_t m;
	double *mu, *sigma, *z; /* z: each component's mass on [a, b] */
} parzen;

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* hyperopt's adaptive Parzen estimator of points t[0 .. n) on [a, b]. */
static void parzen_fit(parzen *pz, const axis *ax, const double *t, size_t n, double *scratch)
{
	double prior_mu = 0.5 * (ax->a + ax->b), prior_sigma = ax->b - ax->a;
	size_t m = n + 1;
	double *srt = scratch;
	memcpy(srt, t, n * sizeof *t);
	srt[n] = prior_mu;
	qsort(srt, m, sizeof *srt, cmp_double);
	double min_sigma = prior_sigma / (double)(m + 1 < 100 ? m + 1 : 100);
	pz->m = m;
	pz->mu[0] = prior_mu;
	pz->sigma[0] = prior_sigma;
	/* every point's width from its neighbours in the sorted list; the
	 * prior's own entry keeps the whole range */
	int prior_seen = 0;
	for (size_t k = 0, j = 1; k < m; k++) {
		if (!prior_seen && srt[k] == prior_mu) {
			prior_seen = 1;
			continue;
		}
		double left = k > 0 ? srt[k] - srt[k - 1] : 0;
		double right = k + 1 < m ? srt[k + 1] - srt[k] : 0;
		double sg = left > right ? left : right;
		sg = sg < min_sigma ? min_sigma : sg > prior_sigma ? prior_sigma : sg;
		pz->mu[j] = srt[k];
		pz->sigma[j] = sg;
		j++;
	}
	for (size_t j = 0; j < m; j++) {
		double z = gsl_cdf_ugaussian_P((ax->b - pz->mu[j]) / pz->sigma[j]) -
		           gsl_cdf_ugaussian_P((ax->a - pz->mu[j]) / pz->sigma[j]);
		pz->z[j] = z > 1e-300 ? z : 1e-300;
	}
}

/* log density (or, on a grid, log mass of the cell) of value v. */
static double parzen_log(const parzen *pz, const axis *ax, double v)
{
	double sum = 0;
	if (ax->quant) {
		double lo = v - ax->q / 2, hi = v + ax->q / 2;
		lo = lo < ax->a ? ax->a : lo;
		hi = hi > ax->b ? ax->b : hi;
		for (size_t j = 0; j < pz->m; j++)
			sum += (gsl_cdf_ugaussian_P((hi - pz->mu[j]) / pz->sigma[j]) -
			        gsl_cdf_ugaussian_P((lo - pz->mu[j]) / pz->sigma[j])) / pz->z[j];
	} else {
		double y = to_axis(ax, v);
		for (size_t j = 0; j < pz->m; j++)
			sum += gsl_ran_ugaussian_pdf((y - pz->mu[j]) / pz->sigma[j]) / pz->sigma[j] / pz->z[j];
	}
	sum /= (double)pz->m;
	return log(sum > 1e-300 ? sum : 1e-300);
}

/* A draw from the density, as a value of the parameter. */
static double parzen_draw(const parzen *pz, const axis *ax, uint64_t *rng)
{
	size_t j = (size_t)(fc_rng_uniform(rng) * (double)pz->m);
	double u = fc_rng_uniform(rng);
	double mu = pz->mu[j], sg = pz->sigma[j];
	double pa = gsl_cdf_ugaussian_P((ax->a - mu) / sg), pb = gsl_cdf_ugaussian_P((ax->b - mu) / sg);
	double p = pa + u * (pb - pa), y = mu;
	if (pb - pa > 1e-12 && p > 0 && p < 1)
		y = mu + sg * gsl_cdf_ugaussian_Pinv(p);
	y = y < ax->a ? ax->a : y > ax->b ? ax->b : y;
	if (ax->logscale) {
		double v = exp(y);
		return v < ax->lo ? ax->lo : v > ax->top ? ax->top : v;
	}
	if (ax->quant) {
		double v = ax->lo + floor((y - ax->lo) / ax->q + 0.5) * ax->q;
		return v < ax->lo ? ax->lo : v > ax->top ? ax->top : v;
	}
	return y;
}

typedef struct ranked {
	double score;
	size_t index;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1; /* best first */
	return (a->index > b->index) - (a->index < b->index);
}

static double loss_key(double v)
{
	return isnan(v) ? INFINITY : v;
}

int fc_tpe_suggest(const fc_param_space *const *dims, size_t n_dims, const double *x,
                   const double *loss, size_t n_obs, double gamma, size_t n_cand, uint64_t *rng,
                   double *out, fc_err *err)
{
	if (!(gamma > 0 && gamma <= 1))
		return fc_err_set(err, FC_EINVAL, "tpe: gamma must be in (0, 1], got %g", gamma);
	if (n_cand == 0 || n_dims == 0)
		return 0;
	size_t m = n_obs + 1;
	ranked *order = malloc(m * sizeof *order);
	ranked *cand = malloc(n_cand * sizeof *cand);
	double *score = calloc(n_cand, sizeof *score);
	double *buf = malloc((9 * m + n_cand * n_dims) * sizeof *buf);
	if (!order || !cand || !score || !buf) {
		free(order);
		free(cand);
		free(score);
		free(buf);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	/* the split: the lowest losses first, ties by order */
	for (size_t i = 0; i < n_obs; i++) {
		order[i].score = -loss_key(loss[i]); /* cmp_ranked puts the largest first */
		order[i].index = i;
	}
	qsort(order, n_obs, sizeof *order, cmp_ranked);
	size_t n_below = n_obs ? (size_t)ceil(gamma * (double)n_obs) : 0;
	n_below = n_obs && n_below < 1 ? 1 : n_below > n_obs ? n_obs : n_below;
	double *t_below = buf, *t_above = buf + m, *scratch = buf + 2 * m;
	parzen l = {0, buf + 3 * m, buf + 4 * m, buf + 5 * m};
	parzen g = {0, buf + 6 * m, buf + 7 * m, buf + 8 * m};
	double *draws = buf + 9 * m;
	/* draws dimension by dimension, candidate by candidate within one, so
	 * that a dimension's stream does not depend on the others' types */
	for (size_t d = 0; d < n_dims; d++) {
		const fc_param_space *s = dims[d];
		if (s->type == FC_SPACE_CHOICE) {
			size_t C = s->n_choices;
			double cl[FC_SPACE_MAX_CHOICES], cg[FC_SPACE_MAX_CHOICES];
			for (size_t k = 0; k < C; k++)
				cl[k] = cg[k] = 1;
			for (size_t r = 0; r < n_obs; r++) {
				double v = x[order[r].index * n_dims + d];
				size_t k = v > 0 ? (size_t)v : 0;
				k = k < C ? k : C - 1;
				if (r < n_below)
					cl[k] += 1;
				else
					cg[k] += 1;
			}
			double nl = (double)(n_below + C), ng = (double)(n_obs - n_below + C);
			for (size_t j = 0; j < n_cand; j++) {
				double u = fc_rng_uniform(rng) * nl, acc = 0;
				size_t k = 0;
				for (; k + 1 < C; k++) {
					acc += cl[k];
					if (u < acc)
						break;
				}
				draws[j * n_dims + d] = (double)k;
				score[j] += log(cl[k] / nl) - log(cg[k] / ng);
			}
			continue;
		}
		axis ax = axis_of(s);
		if (!(ax.b > ax.a)) { /* a single value */
			for (size_t j = 0; j < n_cand; j++)
				draws[j * n_dims + d] = s->lo;
			continue;
		}
		size_t nb = 0, na = 0;
		for (size_t r = 0; r < n_obs; r++) {
			double v = to_axis(&ax, x[order[r].index * n_dims + d]);
			if (r < n_below)
				t_below[nb++] = v;
			else
				t_above[na++] = v;
		}
		parzen_fit(&l, &ax, t_below, nb, scratch);
		parzen_fit(&g, &ax, t_above, na, scratch);
		for (size_t j = 0; j < n_cand; j++) {
			double v = parzen_draw(&l, &ax, rng);
			draws[j * n_dims + d] = v;
			score[j] += parzen_log(&l, &ax, v) - parzen_log(&g, &ax, v);
		}
	}
	for (size_t j = 0; j < n_cand; j++) {
		cand[j].score = score[j];
		cand[j].index = j;
	}
	qsort(cand, n_cand, sizeof *cand, cmp_ranked);
	for (size_t j = 0; j < n_cand; j++)
		memcpy(out + j * n_dims, draws + cand[j].index * n_dims, n_dims * sizeof *out);
	free(order);
	free(cand);
	free(score);
	free(buf);
	return 0;
}

int fc_space_value_of(const fc_param_space *s, const char *val, double *x)
{
	if (s->type == FC_SPACE_CHOICE) {
		for (size_t k = 0; k < s->n_choices; k++)
			if (strcmp(s->choices[k], val) == 0) {
				*x = (double)k;
				return 0;
			}
		return -1;
	}
	char *end;
	double v = strtod(val, &end);
	if (end == val || *end || !isfinite(v))
		return -1;
	*x = v;
	return 0;
}
