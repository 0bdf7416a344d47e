/* Stacking by a non-negative ElasticNet with lambda chosen by nested
 * leave-one-fold-out (include/forecast/stack.h).
 *
 * The descent works on the Gram form of the problem (X'X/n and X'y/n, the
 * "covariance updates" of Friedman, Hastie & Tibshirani 2010, section
 * 2.2): a sweep costs p^2 whatever the number of rows, and the Gram matrix
 * of the rows outside a fold is the total minus that fold's, so the nested
 * fits read the rows once. */
#include "forecast/stack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWEEPS 100000L
#define TOL 1e-10

/* Coordinate descent on G (p x p, X'X/n), c (X'y/n); b in/out.  Returns
 * the sweeps made. */
static long descend(const double *G, const double *c, size_t p, double lambda, double alpha,
                    double *b, double *Gb)
{
	double l1 = lambda * alpha, l2 = lambda * (1 - alpha);
	for (size_t j = 0; j < p; j++) {
		Gb[j] = 0;
		for (size_t k = 0; k < p; k++)
			Gb[j] += G[j * p + k] * b[k];
	}
	long sweep = 0;
	while (sweep < MAX_SWEEPS) {
		sweep++;
		double moved = 0, largest = 0;
		for (size_t j = 0; j < p; j++) {
			double den = G[j * p + j] + l2;
			/* the partial-residual correlation of column j */
			double rho = c[j] - Gb[j] + G[j * p + j] * b[j];
			double nb = den > 0 && rho > l1 ? (rho - l1) / den : 0;
			double d = nb - b[j];
			if (d != 0) {
				for (size_t k = 0; k < p; k++)
					Gb[k] += G[k * p + j] * d;
				b[j] = nb;
			}
			moved = fabs(d) > moved ? fabs(d) : moved;
			largest = nb > largest ? nb : largest;
		}
		if (moved <= TOL * largest || largest == 0)
			break;
	}
	return sweep;
}

/* Adds row r of X, y to the unscaled sums G (X'X) and c (X'y). */
static void gram_add(const double *x, double y, size_t p, double *G, double *c)
{
	for (size_t j = 0; j < p; j++) {
		c[j] += x[j] * y;
		for (size_t k = 0; k < p; k++)
			G[j * p + k] += x[j] * x[k];
	}
}

long fc_enet_nonneg(const double *X, const double *y, size_t n, size_t p, double lambda,
                    double alpha, double *b, fc_err *err)
{
	if (!X || !y || !b || n == 0 || p == 0 || !(lambda >= 0) || !(alpha >= 0 && alpha <= 1))
		return fc_err_set(err, FC_EINVAL, "elastic net: bad arguments");
	double *G = calloc(p * p, sizeof *G), *c = calloc(p, sizeof *c);
	double *nb = malloc(p * sizeof *nb), *Gb = malloc(p * sizeof *Gb);
	long sweeps;
	if (!G || !c || !nb || !Gb) {
		sweeps = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < n; r++)
		gram_add(X + r * p, y[r], p, G, c);
	for (size_t j = 0; j < p; j++) {
		c[j] /= (double)n;
		for (size_t k = 0; k < p; k++)
			G[j * p + k] /= (double)n;
		nb[j] = b[j] > 0 ? b[j] : 0;
	}
	sweeps = descend(G, c, p, lambda, alpha, nb, Gb);
	memcpy(b, nb, p * sizeof *b);
out:
	free(G);
	free(c);
	free(nb);
	free(Gb);
	return sweeps;
}

/* Mean squared error on the rows of fold f of the combination with
 * weights b renormalised to sum 1; +inf when b is all zero. */
static double held_out_loss(const double *X, const double *y, const size_t *fold, size_t n,
                            size_t p, size_t f, const double *b)
{
	double sum = 0, loss = 0;
	for (size_t j = 0; j < p; j++)
		sum += b[j];
	if (!(sum > 0))
		return INFINITY;
	size_t count = 0;
	for (size_t r = 0; r < n; r++) {
		if (fold[r] != f)
			continue;
		double g = 0;
		for (size_t j = 0; j < p; j++)
			g += b[j] / sum * X[r * p + j];
		loss += (y[r] - g) * (y[r] - g);
		count++;
	}
	return count ? loss / (double)count : INFINITY;
}

int fc_stack_fit(const double *X, const double *y, const size_t *fold, size_t n, size_t p,
                 double alpha, double *w, fc_stack_info *info, fc_err *err)
{
	if (!w || p == 0 || (n && (!X || !y || !fold)) || !(alpha >= 0 && alpha <= 1))
		return fc_err_set(err, FC_EINVAL, "stacking: bad arguments");
	for (size_t r = 0; r < n; r++)
		if (fold[r] >= FC_STACK_MAX_FOLDS)
			return fc_err_set(err, FC_EINVAL, "stacking: fold label %zu out of range", fold[r]);
	const size_t L = FC_STACK_LAMBDAS + 1, F = FC_STACK_MAX_FOLDS;
	fc_stack_info in = {.n_lambda = L, .lambda = NAN, .loss = NAN};
	for (size_t j = 0; j < p; j++)
		w[j] = 0;
	/* per fold: Gram sums, then the total */
	double *G = calloc((F + 1) * p * p, sizeof *G), *c = calloc((F + 1) * p, sizeof *c);
	double *Gt = malloc(p * p * sizeof *Gt), *ct = malloc(p * sizeof *ct);
	double *b = malloc(p * sizeof *b), *Gb = malloc(p * sizeof *Gb);
	double *loss = in.cv_loss, *lam = in.lambdas;
	size_t rows[FC_STACK_MAX_FOLDS] = {0};
	int rc = 0;
	if (!G || !c || !Gt || !ct || !b || !Gb) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	double *Gall = G + F * p * p, *call = c + F * p;
	for (size_t r = 0; r < n; r++) {
		rows[fold[r]]++;
		gram_add(X + r * p, y[r], p, G + fold[r] * p * p, c + fold[r] * p);
	}
	for (size_t f = 0; f < F; f++) {
		in.n_folds += rows[f] > 0;
		for (size_t k = 0; k < p * p; k++)
			Gall[k] += G[f * p * p + k];
		for (size_t j = 0; j < p; j++)
			call[j] += c[f * p + j];
	}
	/* glmnet's grid: alpha is floored so that a ridge has a finite top */
	double a = alpha > 1e-3 ? alpha : 1e-3, top = 0;
	for (size_t j = 0; n && j < p; j++)
		top = call[j] / (double)n / a > top ? call[j] / (double)n / a : top;
	if (in.n_folds < 2 || !(top > 0) || !isfinite(top))
		goto done;
	for (size_t k = 0; k + 1 < L; k++)
		lam[k] = top * pow(FC_STACK_LAMBDA_RATIO, (double)k / (double)(L - 2));
	lam[L - 1] = 0;

	/* leave one fold out: fit the path on the others, score on it */
	for (size_t f = 0; f < F; f++) {
		if (!rows[f])
			continue;
		size_t m = n - rows[f];
		if (!m)
			continue;
		for (size_t k = 0; k < p * p; k++)
			Gt[k] = (Gall[k] - G[f * p * p + k]) / (double)m;
		for (size_t j = 0; j < p; j++) {
			ct[j] = (call[j] - c[f * p + j]) / (double)m;
			b[j] = 0;
		}
		for (size_t l = 0; l < L; l++) {
			descend(Gt, ct, p, lam[l], alpha, b, Gb); /* warm from the previous lambda */
			loss[l] += held_out_loss(X, y, fold, n, p, f, b) / (double)in.n_folds;
		}
	}
	size_t best = L;
	for (size_t l = 0; l < L; l++)
		if (isfinite(loss[l]) && (best == L || loss[l] < loss[best]))
			best = l;
	if (best == L)
		goto done;
	/* the chosen lambda on every row, along the same path */
	for (size_t k = 0; k < p * p; k++)
		Gt[k] = Gall[k] / (double)n;
	for (size_t j = 0; j < p; j++) {
		ct[j] = call[j] / (double)n;
		b[j] = 0;
	}
	for (size_t l = 0; l <= best; l++)
		descend(Gt, ct, p, lam[l], alpha, b, Gb);
	double sum = 0;
	for (size_t j = 0; j < p; j++)
		sum += b[j];
	if (!(sum > 0))
		goto done;
	for (size_t j = 0; j < p; j++)
		w[j] = b[j] / sum;
	in.lambda = lam[best];
	in.loss = loss[best];
	in.chosen = best;
done:
	if (info)
		*info = in;
out:
	free(G);
	free(c);
	free(Gt);
	free(ct);
	free(b);
	free(Gb);
	return rc;
}
