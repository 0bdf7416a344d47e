/* Classical seasonal adjustment for the Theta family: the seasonality test
 * and the multiplicative decomposition of R's forecast::thetaf.
 *
 * Test (forecast 8.20, thetaf; Assimakopoulos & Nikolopoulos 2000, IJF 16(4)
 * as implemented by Hyndman & Billah 2003, IJF 19(2)): with r_k the sample
 * autocorrelations of y (stats::acf: r_k = c_k / c_0, c_k = (1/n) sum_{t}
 * (y_t - ybar)(y_{t+k} - ybar)), y is seasonal with period m when
 *
 *     |r_m| / sqrt((1 + 2 sum_{k=1}^{m-1} r_k^2) / n) > qnorm(0.95),
 *
 * Bartlett's standard error of r_m under an MA(m-1) null.  The test is
 * skipped (not seasonal) when m < 2, n <= 2m or y is constant in the sense
 * of forecast::is.constant (all.equal(y, rep(y[1], n)): mean relative
 * difference at most sqrt(DBL_EPSILON)).
 *
 * Decomposition (stats::decompose, type = "multiplicative"; Kendall & Stuart
 * 1983): trend = centred moving average (weights 1/m, or 1/(2m), 1/m, ...,
 * 1/m, 1/(2m) for even m), ratios y / trend averaged per season position,
 * averages normalised to mean 1.
 *
 * The autocorrelations are computed directly (O(n m)): they are needed only
 * up to lag m, and the direct sums reproduce R's acf to rounding. */
#include "models/decompose/seasadj.h"
#include "core/numeric.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* qnorm(0.95) */
#define Z95 1.6448536269514722

/* forecast::is.constant: isTRUE(all.equal(y, rep(y[0], n))). */
static int is_constant(const double *y, size_t n)
{
	double xy = fc_mean_rel_diff(y, n);
	return !(isnan(xy) || xy > sqrt(DBL_EPSILON));
}

int fc_seasonal_test(const double *y, size_t n, size_t m)
{
	if (m < 2 || n <= 2 * m || is_constant(y, n))
		return 0;
	double mean = 0;
	for (size_t t = 0; t < n; t++)
		mean += y[t];
	mean /= (double)n;
	double c0 = 0;
	for (size_t t = 0; t < n; t++)
		c0 += (y[t] - mean) * (y[t] - mean);
	if (!(c0 > 0) || !isfinite(c0))
		return 0;
	double sum_r2 = 0, r_m = 0;
	for (size_t k = 1; k <= m; k++) {
		double ck = 0;
		for (size_t t = 0; t + k < n; t++)
			ck += (y[t] - mean) * (y[t + k] - mean);
		double r = ck / c0;
		if (k < m)
			sum_r2 += r * r;
		else
			r_m = r;
	}
	double stat = sqrt((1 + 2 * sum_r2) / (double)n);
	return fabs(r_m) / stat > Z95;
}

int fc_classical_multiplicative(const double *y, size_t n, size_t m, double *index, fc_err *err)
{
	if (m < 2 || n < 2 * m)
		return fc_err_set(err, FC_EINVAL,
		                  "classical decomposition: needs a period of at least 2 and two full "
		                  "seasons (period %zu, %zu values)", m, n);
	/* stats::filter(sides = 2): out[i] = sum_j f[j] y[i + o - j], o = nf / 2. */
	size_t nf = (m % 2 == 0) ? m + 1 : m;
	size_t o = nf / 2;
	double w_mid = 1.0 / (double)m, w_end = (m % 2 == 0) ? 0.5 / (double)m : w_mid;
	double *fig = calloc(m, sizeof *fig);
	size_t *count = calloc(m, sizeof *count);
	int rc = 0;
	if (!fig || !count) {
		rc = fc_err_set(err, FC_ENOMEM, "classical decomposition: out of memory");
		goto out;
	}
	for (size_t i = o; i + o < n; i++) {
		double trend = 0;
		for (size_t j = 0; j < nf; j++) {
			double w = (j == 0 || j == nf - 1) ? w_end : w_mid;
			trend += w * y[i + o - j];
		}
		double ratio = y[i] / trend;
		if (isnan(ratio))
			continue; /* R's mean(na.rm = TRUE) drops NaN ratios (0/0) */
		fig[i % m] += ratio;
		count[i % m]++;
	}
	double total = 0;
	for (size_t j = 0; j < m; j++) {
		fig[j] = count[j] ? fig[j] / (double)count[j] : NAN;
		total += fig[j];
	}
	double mean = total / (double)m;
	for (size_t j = 0; j < m; j++) {
		fig[j] /= mean;
		if (!isfinite(fig[j]) || !(fig[j] > 0)) {
			rc = fc_err_set(err, FC_EMODEL,
			                "classical decomposition: seasonal index %zu of %zu is %g "
			                "(zeros or sign changes in the series)", j + 1, m, fig[j]);
			goto out;
		}
	}
	for (size_t j = 0; j < m; j++)
		index[j] = fig[j];
out:
	free(fig);
	free(count);
	return rc;
}
