/* The number of Fourier pairs for a long seasonal period, chosen by one
 * regression instead of one ARIMA order search per candidate number.
 *
 * Dynamic harmonic regression (Hyndman & Athanasopoulos, "Forecasting:
 * Principles and Practice", 3rd ed., sec. 12.1) models a long period P by
 * K sin/cos pairs as regressors of an ARIMA, and picks K by fitting
 * auto.arima for every K = 1..10 and keeping the lowest AICc.  Each of
 * those searches fits twenty to forty ARIMAs whose optimizer runs over
 * the ARMA and all 2K regression coefficients with numerical gradients;
 * on 2,000 weekly values that is 20 s a series, which no batch can pay.
 *
 * Here K is chosen by the AICc of the regression alone, made honest about
 * the serial correlation of its errors by feasible GLS (Cochrane & Orcutt
 * 1949, "Application of least squares regression to relationships
 * containing auto-correlated error terms", JASA 44): the d-differenced
 * series is regressed on a constant (d <= 1), the known regressors and the
 * largest set of Fourier columns by least squares; an AR(p) is fitted to
 * those residuals by the Durbin-Levinson recursion, p by AIC; the series
 * and every column are filtered by that AR, and one Cholesky factor of the
 * filtered columns' cross-products, columns ordered by harmonic (k = 1 of
 * every period, then k = 2, ...), gives the residual sum of squares of
 * every nested K at once (RSS_K = y'y minus the squares of the first
 * forward-substituted values).  The ARMA order is then searched once, on
 * the series minus its fitted regression, and the caller refits that
 * order with the regressors by exact maximum likelihood.
 *
 * Departure: the chosen K can differ from the exhaustive loop's (the
 * regression's AICc is not the ARIMA's); bench/results/defaults.md and
 * tests/test_arima.c record how often and what it costs in AICc. */
#include "models/arima/arima.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Largest AR order of the prewhitening filter. */
#define PREWHITEN_MAX_P 10

size_t fc_arima_fourier_count(const double *periods, size_t np, int K)
{
	size_t c = 0;
	for (size_t j = 0; j < np; j++)
		for (int k = 1; k <= K && 2.0 * k <= periods[j]; k++)
			c += 2.0 * k == periods[j] ? 1 : 2;
	return c;
}

void fc_arima_fourier_columns(const double *periods, size_t np, int K, size_t t0, size_t len,
                              double *X)
{
	size_t c = 0;
	for (size_t j = 0; j < np; j++)
		for (int k = 1; k <= K && 2.0 * k <= periods[j]; k++)
			for (int cs = 0; cs < 2; cs++) {
				if (cs == 0 && 2.0 * k == periods[j])
					continue; /* the sine is zero at k = P / 2 */
				for (size_t i = 0; i < len; i++) {
					double a = 2 * M_PI * k * (double)(t0 + i + 1) / periods[j];
					X[c * len + i] = cs == 0 ? sin(a) : cos(a);
				}
				c++;
			}
}

/* Column c of the harmonic-major order (k = 1 of every period, k = 2, ...)
 * as its index in fc_arima_fourier_columns' period-major order for K. */
static size_t period_major_index(const double *periods, size_t np, int K, size_t c)
{
	size_t seen = 0;
	for (int k = 1; k <= K; k++)
		for (size_t j = 0; j < np; j++) {
			if (2.0 * k > periods[j])
				continue;
			size_t w = 2.0 * k == periods[j] ? 1 : 2;
			if (c < seen + w) {
				size_t before = fc_arima_fourier_count(periods, j, K);
				return before + fc_arima_fourier_count(periods + j, 1, k - 1) + (c - seen);
			}
			seen += w;
		}
	return 0;
}

/* Durbin-Levinson on the autocovariances of u (NaN skipped pairwise): the
 * AR coefficients of the order with the lowest AIC into a[0..*p). */
static void ar_by_aic(const double *u, size_t n, double *a, size_t *p)
{
	double acov[PREWHITEN_MAX_P + 1], phi[PREWHITEN_MAX_P + 1], prev[PREWHITEN_MAX_P + 1];
	size_t nobs = 0;
	for (size_t t = 0; t < n; t++)
		nobs += !isnan(u[t]);
	size_t pmax = nobs / 10 < PREWHITEN_MAX_P ? nobs / 10 : PREWHITEN_MAX_P;
	for (size_t l = 0; l <= pmax; l++) {
		double s = 0;
		for (size_t t = l; t < n; t++)
			if (!isnan(u[t]) && !isnan(u[t - l]))
				s += u[t] * u[t - l];
		acov[l] = s / (double)nobs;
	}
	*p = 0;
	if (pmax == 0 || !(acov[0] > 0))
		return;
	double v = acov[0], best = (double)nobs * log(v);
	for (size_t k = 1; k <= pmax; k++) {
		double num = acov[k];
		for (size_t i = 1; i < k; i++)
			num -= phi[i] * acov[k - i];
		double r = num / v;
		if (!(fabs(r) < 1))
			break;
		memcpy(prev, phi, sizeof phi);
		phi[k] = r;
		for (size_t i = 1; i < k; i++)
			phi[i] = prev[i] - r * prev[k - i];
		v *= 1 - r * r;
		double aic = (double)nobs * log(v) + 2.0 * (double)k;
		if (aic < best) {
			best = aic;
			*p = k;
			for (size_t i = 1; i <= k; i++)
				a[i - 1] = phi[i];
		}
	}
}

/* Cholesky of the c x c matrix G (row-major, lower triangle used) in place,
 * stopping at the first column that depends on the ones before it (its
 * pivot below 1e-10 of its diagonal): returns the columns factored.  A
 * hand-rolled loop because every leading block is wanted, not only a
 * full-rank whole. */
static size_t cholesky_prefix(double *G, size_t c)
{
	for (size_t j = 0; j < c; j++) {
		double d = G[j * c + j], diag = d;
		for (size_t k = 0; k < j; k++)
			d -= G[j * c + k] * G[j * c + k];
		if (!(d > 1e-10 * diag))
			return j;
		double l = sqrt(d);
		G[j * c + j] = l;
		for (size_t i = j + 1; i < c; i++) {
			double s = G[i * c + j];
			for (size_t k = 0; k < j; k++)
				s -= G[i * c + k] * G[j * c + k];
			G[i * c + j] = s / l;
		}
	}
	return c;
}

/* Differences v[0..n) d times in place (NaN propagates): n - d values. */
static size_t diff_times(double *v, size_t n, int d)
{
	for (int i = 0; i < d && n > 0; i++, n--)
		for (size_t t = 0; t + 1 < n; t++)
			v[t] = v[t + 1] - v[t];
	return n;
}

/* Least squares of y on the first C columns of M (n x C column-major, on
 * rows p..N0 after filtering by the AR a[0..p)): the Cholesky factor of the
 * cross-products into G (C x C), L^-1 X'y into zz, y'y into *yy; returns
 * the columns that factored (see cholesky_prefix), *rows the rows used. */
static size_t filtered_ls(const double *M, const double *yv, size_t n, size_t N0, size_t C,
                          const double *a, size_t p, double *G, double *zz, double *fx, double *yy,
                          size_t *rows)
{
	double *g = zz;
	memset(G, 0, C * C * sizeof *G);
	memset(g, 0, C * sizeof *g);
	*yy = 0;
	*rows = 0;
	for (size_t t = p; t < N0; t++) {
		double fy = yv[t];
		for (size_t i = 0; i < p; i++)
			fy -= a[i] * yv[t - i - 1];
		int ok = !isnan(fy);
		for (size_t c = 0; c < C && ok; c++) {
			const double *col = M + c * n;
			double v = col[t];
			for (size_t i = 0; i < p; i++)
				v -= a[i] * col[t - i - 1];
			fx[c] = v;
			ok = !isnan(v);
		}
		if (!ok)
			continue;
		(*rows)++;
		*yy += fy * fy;
		for (size_t i = 0; i < C; i++) {
			g[i] += fx[i] * fy;
			for (size_t j = 0; j <= i; j++)
				G[i * C + j] += fx[i] * fx[j];
		}
	}
	size_t full = cholesky_prefix(G, C);
	for (size_t i = 0; i < full; i++) { /* forward substitution, in place */
		double s = g[i];
		for (size_t k = 0; k < i; k++)
			s -= G[i * C + k] * zz[k];
		zz[i] = s / G[i * C + i];
	}
	return full;
}

/* Coefficients of the first cols columns from the factor (back substitution). */
static void back_substitute(const double *G, size_t C, const double *zz, size_t cols, double *beta)
{
	for (size_t i = cols; i-- > 0;) {
		double s = zz[i];
		for (size_t k = i + 1; k < cols; k++)
			s -= G[k * C + i] * beta[k];
		beta[i] = s / G[i * C + i];
	}
}

int fc_arima_fourier_select(const double *y, size_t n, int d, const double *periods, size_t np,
                            int kfix, int kmax, const double *xu, size_t nu, int *K, double *z)
{
	if (kfix >= 0)
		kmax = kfix;
	size_t cst = d <= 1, known = cst + nu;
	size_t nfmax = fc_arima_fourier_count(periods, np, kmax);
	size_t C = known + nfmax, N0 = n > (size_t)d ? n - (size_t)d : 0;
	/* M: columns [constant] [user] [Fourier, harmonic-major], then y;
	 * F: the Fourier columns in period-major order (scratch) */
	double *M = malloc(((C + 1) * n + nfmax * n + 1) * sizeof *M);
	double *G = malloc((C * C + 4 * C + 1) * sizeof *G);
	if (!M || !G) {
		free(M);
		free(G);
		return -1;
	}
	double *F = M + (C + 1) * n, *yv = M + C * n;
	double *zz = G + C * C, *fx = zz + C, *beta = fx + C;
	fc_arima_fourier_columns(periods, np, kmax, 0, n, F);
	for (size_t c = 0; c < C; c++) {
		double *col = M + c * n;
		if (c < cst)
			for (size_t t = 0; t < n; t++)
				col[t] = 1; /* on the differenced scale: the drift */
		else if (c < known)
			memcpy(col, xu + (c - cst) * n, n * sizeof *col);
		else
			memcpy(col, F + period_major_index(periods, np, kmax, c - known) * n,
			       n * sizeof *col);
	}
	memcpy(yv, y, n * sizeof *yv);
	for (size_t c = cst; c <= C; c++)
		diff_times(M + c * n, n, d);

	/* 1. least squares on every column; an AR(p) of its residuals */
	double a[PREWHITEN_MAX_P] = {0}, yy;
	size_t p = 0, rows;
	size_t full = filtered_ls(M, yv, n, N0, C, a, 0, G, zz, fx, &yy, &rows);
	int rc = 1;
	if (full < known || rows < 4 + 3 * known)
		goto out; /* the known columns alone are degenerate */
	back_substitute(G, C, zz, full, beta);
	for (size_t t = 0; t < N0; t++) {
		double e = yv[t];
		for (size_t c = 0; c < full; c++)
			e -= M[c * n + t] * beta[c];
		F[t] = e; /* the Fourier scratch is free again */
	}
	ar_by_aic(F, N0, a, &p);
	/* 2. the same regression on the AR-filtered data (feasible GLS) */
	if (p > 0) {
		full = filtered_ls(M, yv, n, N0, C, a, p, G, zz, fx, &yy, &rows);
		if (full < known || rows < 4 + 3 * known)
			goto out;
	}
	/* 3. K: the lowest AICc among the K whose columns all factored and
	 * take at most a third of the rows */
	int kbest = 0;
	double best = INFINITY, Nr = (double)rows;
	for (int k = 0; k <= kmax; k++) {
		size_t cols = known + fc_arima_fourier_count(periods, np, k);
		if (cols > full || 3 * cols > rows)
			break;
		if (kfix >= 0) {
			kbest = k; /* the largest that fits, up to the given K */
			continue;
		}
		double rss = yy;
		for (size_t i = 0; i < cols; i++)
			rss -= zz[i] * zz[i];
		double npar = (double)cols + 1;
		double aicc = Nr * log(fmax(rss, 1e-300) / Nr) + 2 * npar +
		              2 * npar * (npar + 1) / (Nr - npar - 1);
		if (aicc < best) {
			best = aicc;
			kbest = k;
		}
	}
	size_t cols = known + fc_arima_fourier_count(periods, np, kbest);
	back_substitute(G, C, zz, cols, beta);
	/* 4. z: y minus the fitted regressors (not the constant), undifferenced */
	fc_arima_fourier_columns(periods, np, kbest, 0, n, F);
	for (size_t t = 0; t < n; t++) {
		double v = y[t];
		for (size_t c = 0; c < nu; c++)
			v -= xu[c * n + t] * beta[cst + c];
		z[t] = v;
	}
	for (size_t c = known; c < cols; c++) {
		const double *col = F + period_major_index(periods, np, kbest, c - known) * n;
		for (size_t t = 0; t < n; t++)
			z[t] -= col[t] * beta[c];
	}
	*K = kbest;
	rc = 0;
out:
	free(M);
	free(G);
	return rc;
}
