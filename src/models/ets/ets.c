/* Exponential smoothing state-space models (ETS): the `ets` kind, which
 * fits the admissible models of the family by maximum likelihood and keeps
 * the one with the smallest AICc, as R's forecast::ets does.
 *
 * Models and recursions: Hyndman, Koehler, Snyder & Grose (2002), "A state
 * space framework for automatic forecasting using exponential smoothing
 * methods", IJF 18(3) 439-454; Hyndman, Koehler, Ord & Snyder (2008),
 * "Forecasting with Exponential Smoothing: The State Space Approach",
 * Springer, ch. 2 (tables 2.2, 2.3) and ch. 5 (estimation).  A model is
 * ETS(error, trend, season): error A or M, trend N, A or Ad (damped),
 * season N, A or M, with period m.  With one-step forecast mu_t, the state
 * (l, b, s) is updated in the "error-free" form of R's etscalc, identical
 * for both error types:
 *
 *     q   = l + phi b            (trend N: q = l, phi b = 0)
 *     mu  = q + s[t-m]  or  q * s[t-m]
 *     e   = y - mu  (A)  or  (y - mu) / mu  (M)
 *     l'  = q + alpha (p - q),   p = y, y - s[t-m] or y / s[t-m]
 *     b'  = phi b + (beta/alpha) (l' - l - phi b)
 *     s'  = s[t-m] + gamma (r - s[t-m]),   r = y - q or y / q
 *
 * and -2 log L + const = n log(sum e^2) [+ 2 sum log|mu| for M errors].
 *
 * Estimation follows R's forecast 8.20 (etsmodel, initparam, initstate,
 * check.param, admissible, the C++ target function): bounds "both" (alpha,
 * beta, gamma in [1e-4, 0.9999] with beta <= alpha and gamma <= 1 - alpha,
 * phi in [0.8, 0.98], plus the admissible region of Hyndman et al. 2008
 * ch. 10, whose seasonal part asks every root of the characteristic
 * polynomial to lie in |z| <= 1 + 1e-10); initial states by the heuristic
 * of Hyndman et al. (2002, sec. 2.6) as in initstate (classical
 * decomposition for >= 3 seasons, a regression on a trend and one Fourier
 * pair for fewer; level and slope from a line through the first
 * max(10, 2m) seasonally adjusted values); then the smoothing parameters
 * and the initial states jointly by Nelder-Mead from those values.  R finds
 * the polynomial's roots at every function evaluation; we decide with the
 * Schur-Cohn test (O(m^2)) and find roots (gsl_poly_complex_solve) only in
 * the narrow band where that test cannot be trusted (see admissible()),
 * which makes a fit about 10 times cheaper with the same decisions.
 *
 * The optimizer is the Nelder-Mead variant of R's optim (Nash 1990,
 * "Compact Numerical Methods for Computers", 2nd ed., Algorithm 19), which
 * R's etsNelderMead calls with reflection 1, contraction 0.5, expansion 2,
 * relative tolerance sqrt(DBL_EPSILON) on the spread of the simplex values,
 * at most 2000 function evaluations, and an initial simplex of steps
 * 0.1 max|x_i| along each axis.  We do not use GSL's nmsimplex2: it accepts
 * other moves and stops by another rule, and since ETS likelihoods are flat
 * and Nelder-Mead stops well before the true optimum, the stopping point --
 * and with it the AICc ranking of the candidate models -- depends on the
 * variant.  Measured on the first 40 M3 monthly series, nmsimplex2 from
 * the same start and initial simplex (stopping on simplex size 1e-8
 * relative, or 2000 evaluations) chose R's model on 20 of 40 series, with
 * forecasts up to 14% apart where the model agreed; the Nash variant
 * reproduces R's optima to the last digit (1428 of 1428 M3 monthly series
 * select R's model).
 *
 * Selection (R's ets with model "ZZZ", damped NULL): every combination of
 * error {A, M}, trend {N, A, Ad} and season {N, A, M} except additive error
 * with multiplicative season, multiplicative components for data that are
 * not all positive, seasonal models when m < 2, m > 24 or n <= m;
 * multiplicative trend is excluded (R's allow.multiplicative.trend = FALSE)
 * and not offered at all.  The smallest AICc (or AIC, BIC) wins; ties go to
 * the earlier candidate in R's order.  A constant series gets R's answer
 * for one: simple exponential smoothing with alpha = 0.99999 and zero
 * variance.
 *
 * Forecasts and intervals (Hyndman et al. 2008 ch. 6; R's forecast.ets):
 * class 1 (additive error, additive or no components) and class 2
 * (multiplicative error, additive or no components) have analytic means and
 * variances; class 3 (multiplicative error and season) has the analytic
 * first two moments of section 6.5 (mean and variance by the Kronecker
 * recursion), with normal bounds mean -/+ z sd as R uses.  With
 * multiplicative trend excluded, every admissible model is in one of these
 * classes, so no simulation is needed.  Two departures from R, both fixing
 * mistakes in its formulas, both checked against simulated paths (R's
 * simulate.ets and our tests): (1) R's class1 puts gamma in the second
 * seasonal state when there is no trend (G[3,1] instead of G[2,1]): the
 * variance of ETS(A,N,A) is wrong at steps m, 2m, ... (USAccDeaths with
 * gamma = 0.4, h = 12: R's sd 742, simulated 699, ours 699) and that of
 * ETS(M,N,A) from step m on (UKgas, h = 5: R's sd 276, simulated 347, ours
 * 347); (2) R's class3 uses the undamped w = (1, 1) and F = [1 1; 0 phi]
 * for damped trends, so its mean is (l + b) s instead of (l + phi b) s at
 * step 1, and so on (M3 N2087, ETS(M,Ad,M): R's mean 5858.8, its own
 * simulation 5811 +- 4, ours 5819.9); we use w = (1, phi),
 * F = [1 phi; 0 phi], G = g w'.
 *
 * Missing values: leading ones are dropped, interior ones are filled by
 * linear interpolation before fitting, and trailing ones are forecast over:
 * the model is fitted up to the last observation and the forecast skips as
 * many steps as there were trailing gaps.  (R's default, na.contiguous,
 * keeps only the longest stretch without gaps and forecasts from its end.)
 *
 * Re-anchoring on newer data keeps the smoothing parameters and
 * re-estimates only the initial states (by the same Nelder-Mead from the
 * initstate heuristic), as R's ets(y, model = fit) does.
 *
 * Omissions: Box-Cox transforms, opt.crit other than lik and mse, bounds
 * other than "both", multiplicative trend, R's fall-back to HoltWinters
 * for series with at most (number of parameters + 4) observations (we
 * require more: min_length), simulated or bootstrapped intervals. */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"
#include "models/ets/ets.h"
#include "core/numeric.h"
#include "forecast/budget.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_poly.h>

/* R's etscalc constants. */
#define ETS_TOL 1.0e-10
#define ETS_HUGEN 1.0e10

/* R's nmmin: function values that are not finite count as this. */
#define NM_BIG 1.0e35
#define NM_MAXIT 2000

/* Largest number of optimized parameters: 4 smoothing, level, trend, m - 1
 * seasonal states. */
#define MAX_PAR (4 + 1 + 1 + FC_ETS_MAX_M - 1)

/* ---- small numerical helpers ---------------------------------------------- */

/* R's mean() of doubles: a long double sum, then one refinement pass. */
static double r_mean(const double *x, size_t n)
{
	long double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	s /= (long double)n;
	if (isfinite((double)s)) {
		long double t = 0;
		for (size_t i = 0; i < n; i++)
			t += x[i] - s;
		s += t / (long double)n;
	}
	return (double)s;
}

/* forecast::is.constant(y): all.equal(y, rep(y[0], n)), i.e. the mean
 * relative difference is at most sqrt(DBL_EPSILON). */
static int is_constant(const double *y, size_t n)
{
	return !(fc_mean_rel_diff(y, n) > sqrt(DBL_EPSILON));
}

/* Least-squares line through (1, x[0]), ..., (n, x[n-1]) (R's lsfit). */
static void line_fit(const double *x, size_t n, double *intercept, double *slope)
{
	double tbar = ((double)n + 1) / 2, xbar = r_mean(x, n);
	long double sxy = 0, stt = 0;
	for (size_t i = 0; i < n; i++) {
		double dt = (double)(i + 1) - tbar;
		sxy += dt * (x[i] - xbar);
		stt += dt * dt;
	}
	*slope = stt > 0 ? (double)(sxy / stt) : 0;
	*intercept = xbar - *slope * tbar;
}

/* Seasonal figure of stats::decompose: a centred moving average of order m
 * (2 x m for even m) as the trend, the detrended values (y - trend or
 * y / trend) averaged per position t % m, centred (mean 0 or 1).
 * Needs n >= 2m. */
static void decompose_figure(const double *y, size_t n, size_t m, int multiplicative, double *fig)
{
	size_t nf = (m % 2 == 0) ? m + 1 : m, o = nf / 2;
	double w_mid = 1.0 / (double)m, w_end = (m % 2 == 0) ? 0.5 / (double)m : w_mid;
	for (size_t j = 0; j < m; j++) {
		long double s = 0;
		size_t k = 0;
		/* positions j, j + m, ... whose moving average exists */
		for (size_t i = j; i + o < n; i += m) {
			if (i < o)
				continue;
			double trend = 0;
			for (size_t f = 0; f < nf; f++) {
				double w = (f == 0 || f == nf - 1) ? w_end : w_mid;
				trend += w * y[i + o - f];
			}
			double d = multiplicative ? y[i] / trend : y[i] - trend;
			if (isnan(d))
				continue;
			s += d;
			k++;
		}
		fig[j] = k ? (double)(s / (long double)k) : NAN;
	}
	double c = r_mean(fig, m);
	for (size_t j = 0; j < m; j++)
		fig[j] = multiplicative ? fig[j] / c : fig[j] - c;
}

/* Intercept and slope of tslm(y ~ trend + fourier(y, 1)): least squares on
 * 1, t = 1..n, sin(2 pi t / m), cos(2 pi t / m) (no sine for m = 2).
 * FC_EMODEL if the regression is singular, FC_ENOMEM. */
static int trend_fourier_fit(const double *y, size_t n, size_t m, double *a, double *b, fc_err *err)
{
	size_t k = m == 2 ? 3 : 4;
	int rc = 0;
	gsl_matrix *X = gsl_matrix_alloc(n, k);
	gsl_vector *tau = gsl_vector_alloc(k), *c = gsl_vector_alloc(k), *res = gsl_vector_alloc(n);
	if (!X || !tau || !c || !res) {
		rc = fc_err_set(err, FC_ENOMEM, "ets: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		double t = (double)(i + 1), ang = 2 * M_PI * t / (double)m;
		gsl_matrix_set(X, i, 0, 1);
		gsl_matrix_set(X, i, 1, t);
		if (k == 4) {
			gsl_matrix_set(X, i, 2, sin(ang));
			gsl_matrix_set(X, i, 3, cos(ang));
		} else {
			gsl_matrix_set(X, i, 2, cos(ang));
		}
	}
	gsl_vector_const_view yv = gsl_vector_const_view_array(y, n);
	if (gsl_linalg_QR_decomp(X, tau) || gsl_linalg_QR_lssolve(X, tau, &yv.vector, c, res) ||
	    !isfinite(gsl_vector_get(c, 0)) || !isfinite(gsl_vector_get(c, 1))) {
		rc = fc_err_set(err, FC_EMODEL, "ets: initial trend regression failed");
		goto out;
	}
	*a = gsl_vector_get(c, 0);
	*b = gsl_vector_get(c, 1);
out:
	gsl_matrix_free(X);
	gsl_vector_free(tau);
	gsl_vector_free(c);
	gsl_vector_free(res);
	return rc;
}

/* ---- initial values (R's initstate and initparam) ------------------------- */

/* Initial states [l, b, s_1 .. s_{m-1}] (s_m is implied) into x; returns
 * their number, or a negative code. */
static int init_states(const double *y, size_t n, const fc_ets_spec *sp, double *x, fc_err *err)
{
	size_t m = sp->season ? sp->m : 1;
	double *ysa = malloc(n * sizeof *ysa);
	if (!ysa)
		return fc_err_set(err, FC_ENOMEM, "ets: out of memory");
	double seas[FC_ETS_MAX_M];
	if (sp->season) {
		int mult = sp->season == FC_ETS_M;
		if (n < 4) {
			free(ysa);
			return fc_err_set(err, FC_EMODEL, "ets: too few observations for a seasonal model");
		}
		if (n < 3 * m) {
			double a = 0, b = 0;
			int rc = trend_fourier_fit(y, n, m, &a, &b, err);
			if (rc) {
				free(ysa);
				return rc;
			}
			/* the "seasonal" series is y without the line */
			for (size_t t = 0; t < n; t++) {
				double line = a + b * (double)(t + 1);
				double s = mult ? y[t] / line : y[t] - line;
				if (t < m)
					seas[t] = s;
				ysa[t] = mult ? y[t] / (s > 0.01 ? s : 0.01) : y[t] - s;
			}
		} else {
			double fig[FC_ETS_MAX_M];
			decompose_figure(y, n, m, mult, fig);
			for (size_t j = 0; j < m; j++)
				seas[j] = fig[j];
			for (size_t t = 0; t < n; t++) {
				double s = fig[t % m];
				ysa[t] = mult ? y[t] / (s > 0.01 ? s : 0.01) : y[t] - s;
			}
		}
		/* init.seas = rev(seasonal[2:m]): s_{j+1} is the seasonal of
		 * time m - 1 - j */
		double init[FC_ETS_MAX_M];
		double sum = 0;
		for (size_t j = 0; j + 1 < m; j++) {
			init[j] = seas[m - 1 - j];
			if (mult && !(init[j] >= 0.01))
				init[j] = 0.01;
			sum += init[j];
		}
		if (mult && sum > (double)m) {
			double d = 0;
			for (size_t j = 0; j + 1 < m; j++)
				d += init[j] + 0.01;
			for (size_t j = 0; j + 1 < m; j++)
				init[j] /= d;
		}
		size_t k = 1 + (sp->trend != FC_ETS_N);
		for (size_t j = 0; j + 1 < m; j++)
			x[k + j] = init[j];
	} else {
		memcpy(ysa, y, n * sizeof *y);
	}
	size_t maxn = 2 * m > 10 ? 2 * m : 10;
	if (maxn > n)
		maxn = n;
	if (sp->trend == FC_ETS_N) {
		x[0] = r_mean(ysa, maxn);
	} else {
		double l0, b0;
		line_fit(ysa, maxn, &l0, &b0);
		if (fabs(l0 + b0) < 1e-8) {
			l0 *= 1 + 0.001;
			b0 *= 1 - 0.001;
		}
		x[0] = l0;
		x[1] = b0;
	}
	free(ysa);
	for (size_t i = 0; i < 1 + (sp->trend != FC_ETS_N) + (sp->season ? m - 1 : 0); i++)
		if (!isfinite(x[i]))
			return fc_err_set(err, FC_EMODEL, "ets: initial states are not finite");
	return (int)(1 + (sp->trend != FC_ETS_N) + (sp->season ? m - 1 : 0));
}

/* ---- the filter (R's etscalc) -------------------------------------------- */

/* Runs the model over y[0..n) from the full initial state x0 (nstate
 * values).  Returns R's lik (n log SSE [+ 2 sum log|mu|]), possibly NaN or
 * infinite.  Optional outputs: e[0..n) the errors, xn the final state,
 * *mse R's amse[1] (running mean of (y - mu)^2). */
static inline __attribute__((always_inline)) double
filter_body(const double *y, size_t n, size_t m, const int tr, const int se, const int mult_err,
            double alpha, double beta, double gamma, double phi, const double *x0, double *e,
            double *xn, double *mse)
{
	double l = x0[0], b = tr ? x0[1] : 0;
	double ring[FC_ETS_MAX_M];
	/* ring[k]: seasonal state of the positions t with t % m == k; x0 holds
	 * s_1 (newest, position m - 1) .. s_m (position 0) */
	if (se)
		for (size_t k = 0; k < m; k++)
			ring[k] = x0[1 + (tr != 0) + (m - 1 - k)];
	double sse = 0, amse = 0, denom = 0, prod = 1;
	long pexp = 0;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		double so = se ? ring[pos] : 0;
		double phib = tr ? phi * b : 0;
		double q = tr ? l + phib : l;
		double mu = q;
		if (se == FC_ETS_A)
			mu = q + so;
		else if (se == FC_ETS_M)
			mu = q * so;
		double ei = mult_err ? (y[i] - mu) / mu : y[i] - mu;
		if (e)
			e[i] = ei;
		if (mse) {
			double d = y[i] - mu;
			denom += 1.0;
			amse = (amse * (denom - 1.0) + d * d) / denom;
		}
		double p;
		if (se == FC_ETS_N)
			p = y[i];
		else if (se == FC_ETS_A)
			p = y[i] - so;
		else
			p = fabs(so) < ETS_TOL ? ETS_HUGEN : y[i] / so;
		/* R's l' = q + alpha (p - q) and b' = phi b + (beta / alpha)
		 * (l' - l - phi b), rearranged so that the chain of dependent
		 * operations from one step to the next is shorter (the filter is
		 * latency-bound): l' = (1 - alpha) q + alpha p and, since
		 * l' - l - phi b = l' - q = alpha (p - q), b' = phi b + beta (p - q).
		 * Equal in exact arithmetic; differs from R's in the last bits. */
		double lnew = (1.0 - alpha) * q + alpha * p;
		if (tr)
			b = phib + beta * (p - q);
		if (se) {
			double r;
			if (se == FC_ETS_A)
				r = y[i] - q;
			else
				r = fabs(q) < ETS_TOL ? ETS_HUGEN : y[i] / q;
			ring[pos] = so + gamma * (r - so);
			if (++pos == m)
				pos = 0;
		}
		l = lnew;
		sse += ei * ei;
		if (mult_err) {
			/* sum log|mu| as the log of a product, renormalized: one
			 * log per fit instead of one per observation */
			prod *= fabs(mu);
			if (!(prod < 0x1p500 && prod > 0x1p-500)) {
				int ex;
				prod = frexp(prod, &ex);
				pexp += ex;
			}
		}
	}
	if (xn) {
		xn[0] = l;
		if (tr)
			xn[1] = b;
		if (se)
			for (size_t j = 1; j <= m; j++)
				xn[(tr != 0) + j] = ring[(n + m - j) % m];
	}
	if (mse)
		*mse = amse;
	double lik = (double)n * log(sse);
	if (mult_err)
		lik += 2 * (log(prod) + (double)pexp * M_LN2);
	return lik;
}

/* The filter specialized per (trend, season, error) combination: the
 * optimizer calls it hundreds of times per model, and with the component
 * tests resolved at compile time the loop body is branch-free (about twice
 * as fast on long non-seasonal series). */
#define FILTER_CASE(tr, se, me)                                                                \
	case (tr) * 6 + (se) * 2 + (me):                                                       \
		return filter_body(y, n, sp->m, tr, se, me, alpha, beta, gamma, phi, x0, e, xn, \
		                   mse)

static double ets_filter(const double *y, size_t n, const fc_ets_spec *sp, double alpha,
                         double beta, double gamma, double phi, const double *x0, double *e,
                         double *xn, double *mse)
{
	switch ((sp->trend != FC_ETS_N) * 6 + sp->season * 2 + (sp->error == FC_ETS_M)) {
	FILTER_CASE(0, 0, 0); FILTER_CASE(0, 0, 1); FILTER_CASE(0, 1, 0);
	FILTER_CASE(0, 1, 1); FILTER_CASE(0, 2, 0); FILTER_CASE(0, 2, 1);
	FILTER_CASE(1, 0, 0); FILTER_CASE(1, 0, 1); FILTER_CASE(1, 1, 0);
	FILTER_CASE(1, 1, 1); FILTER_CASE(1, 2, 0); FILTER_CASE(1, 2, 1);
	}
	return NAN;
}
#undef FILTER_CASE

/* ---- parameter checks (R's check.param, admissible) ----------------------- */

/* 1 when every root of a[0] + a[1] z + ... + a[d] z^d (a[d] != 0) lies in
 * the open disk |z| < r: the Schur-Cohn test (Schur 1917, Cohn 1922; see
 * Henrici, "Applied and Computational Complex Analysis" vol. 1, 1974,
 * sec. 6.8) on p(r z).  If |a_0| >= |a_d| the product of the root moduli
 * is at least 1; otherwise p has all roots inside iff the degree d - 1
 * polynomial (a_d p(z) - a_0 z^d p(1/z)) / z has.  O(d^2), where a root
 * finder (R's polyroot) costs a QR iteration on the companion matrix. */
static int roots_within(const double *a, size_t d, double r)
{
	double w[FC_ETS_MAX_M + 2], v[FC_ETS_MAX_M + 2];
	double rk = 1;
	for (size_t k = 0; k <= d; k++) {
		w[k] = a[k] * rk;
		rk *= r;
	}
	for (size_t deg = d; deg >= 1; deg--) {
		double lead = w[deg], c0 = w[0];
		if (!(fabs(c0) < fabs(lead)))
			return 0;
		for (size_t k = 0; k < deg; k++)
			v[k] = lead * w[k + 1] - c0 * w[deg - 1 - k];
		double norm = v[deg - 1];
		for (size_t k = 0; k < deg; k++)
			w[k] = v[k] / norm;
	}
	return 1;
}

/* Hyndman et al. (2008) ch. 10 admissible region, as R's admissible(). */
static int admissible(const fc_ets_spec *sp, double alpha, double beta, double gamma, double phi,
                      gsl_poly_complex_workspace *ws)
{
	if (!sp->damped)
		phi = 1;
	if (phi < 0 || phi > 1 + 1e-8)
		return 0;
	if (!sp->season) {
		if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi)
			return 0;
		if (sp->trend && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha)))
			return 0;
		return 1;
	}
	size_t m = sp->m;
	if (!sp->trend)
		beta = 0;
	double d = 1 - 1 / phi - alpha;
	if (gamma < (d > 0 ? d : 0) || gamma > 1 + 1 / phi - alpha)
		return 0;
	if (alpha < 1 - 1 / phi - gamma * (1 - (double)m + phi + phi * (double)m) / (2 * phi * (double)m))
		return 0;
	if (beta < -(1 - phi) * (gamma / (double)m + alpha))
		return 0;
	/* characteristic polynomial, ascending powers; R asks max |root| <=
	 * 1 + 1e-10 */
	double a[FC_ETS_MAX_M + 2], q[FC_ETS_MAX_M + 2];
	a[0] = phi * (1 - alpha - gamma);
	a[1] = alpha + beta - alpha * phi + gamma - 1;
	for (size_t j = 2; j < m; j++)
		a[j] = alpha + beta - alpha * phi;
	a[m] = alpha + beta - phi;
	a[m + 1] = 1;
	/* Without trend (beta = 0, phi = 1) z = 1 is always a root: divide it
	 * out, since the test cannot resolve a root on the circle.  Decide by
	 * the Schur-Cohn test when the largest remaining root is clearly inside
	 * or outside (by a relative 1e-7, far above its rounding error); in the
	 * narrow band between (about 0.4% of calls) find the roots. */
	const double *p = a;
	size_t deg = m + 1;
	if (!sp->trend) {
		q[m] = a[m + 1];
		for (size_t k = m; k >= 1; k--)
			q[k - 1] = a[k] + q[k];
		p = q;
		deg = m;
	}
	const double r = 1 + 1e-10, band = 1e-7;
	if (roots_within(p, deg, r * (1 - band)))
		return 1;
	if (!roots_within(p, deg, r * (1 + band)))
		return 0;
	double z[2 * (FC_ETS_MAX_M + 1)];
	if (!ws || gsl_poly_complex_solve(a, m + 2, ws, z) != GSL_SUCCESS)
		return 0;
	for (size_t j = 0; j <= m; j++)
		if (sqrt(z[2 * j] * z[2 * j] + z[2 * j + 1] * z[2 * j + 1]) > r)
			return 0;
	return 1;
}

/* ---- the optimization problem -------------------------------------------- */

typedef struct ets_problem {
	const double *y;
	size_t n;
	fc_ets_spec spec; /* m = 1 without season */
	int crit;
	int opt_alpha, opt_beta, opt_gamma, opt_phi;
	double alpha, beta, gamma, phi; /* given values, or scratch */
	double lower[4], upper[4];
	size_t n_smooth; /* optimized smoothing parameters */
	size_t n_init;   /* optimized initial states */
	gsl_poly_complex_workspace *ws; /* for admissible(); NULL: no season */
} ets_problem;

/* Unpacks par into smoothing parameters and the full initial state x. */
static void unpack(const ets_problem *pb, const double *par, double *alpha, double *beta,
                   double *gamma, double *phi, double *x)
{
	size_t k = 0;
	*alpha = pb->opt_alpha ? par[k++] : pb->alpha;
	*beta = pb->spec.trend ? (pb->opt_beta ? par[k++] : pb->beta) : 0;
	*gamma = pb->spec.season ? (pb->opt_gamma ? par[k++] : pb->gamma) : 0;
	*phi = pb->spec.damped ? (pb->opt_phi ? par[k++] : pb->phi) : 1;
	memcpy(x, par + k, pb->n_init * sizeof *x);
	if (pb->spec.season) {
		/* s_m makes the seasonal states sum to 0 (A) or m (M) */
		size_t first = 1 + (pb->spec.trend != 0);
		double sum = 0;
		for (size_t i = first; i < pb->n_init; i++)
			sum += x[i];
		x[pb->n_init] = (double)pb->spec.m * (pb->spec.season == FC_ETS_M) - sum;
	}
}

/* R's target function (etsTargetFunction.cpp, opt.crit lik or mse). */
static double objective(const double *par, void *ctx)
{
	ets_problem *pb = ctx;
	if (fc_budget_spend(pb->n))
		return INFINITY; /* out of budget: the optimizer stops */
	double alpha, beta, gamma, phi, x[FC_ETS_MAX_STATE];
	unpack(pb, par, &alpha, &beta, &gamma, &phi, x);
	const double *lo = pb->lower, *up = pb->upper;
	if (pb->opt_alpha && (alpha < lo[0] || alpha > up[0]))
		return INFINITY;
	if (pb->opt_beta && (beta < lo[1] || beta > alpha || beta > up[1]))
		return INFINITY;
	if (pb->opt_phi && (phi < lo[3] || phi > up[3]))
		return INFINITY;
	if (pb->opt_gamma && (gamma < lo[2] || gamma > 1 - alpha || gamma > up[2]))
		return INFINITY;
	if (!admissible(&pb->spec, alpha, beta, gamma, phi, pb->ws))
		return INFINITY;
	if (pb->spec.season == FC_ETS_M) {
		size_t first = 1 + (pb->spec.trend != 0);
		for (size_t i = first; i <= pb->n_init; i++)
			if (x[i] < 0)
				return INFINITY;
	}
	double mse;
	double lik = ets_filter(pb->y, pb->n, &pb->spec, alpha, beta, gamma, phi, x, NULL, NULL,
	                        pb->crit == FC_ETS_CRIT_MSE ? &mse : NULL);
	if (lik < -1e10)
		lik = -1e10;
	if (isnan(lik))
		return INFINITY;
	return pb->crit == FC_ETS_CRIT_MSE ? mse : lik;
}

/* ---- Nelder-Mead (Nash 1990, Algorithm 19; the variant of R's optim) ------ */

/* Minimizes f from x[0..n) in place; *fmin gets the value.  FC_EMODEL when
 * f is not finite at the start. */
static int nelder_mead(double (*f)(const double *, void *), void *ctx, double *x, size_t n,
                       double *fmin, fc_err *err)
{
	const double reltol = sqrt(DBL_EPSILON), a_refl = 1, b_contr = 0.5, g_exp = 2;
	double P[MAX_PAR + 1][MAX_PAR], F[MAX_PAR + 1], C[MAX_PAR], T[MAX_PAR];
	double f0 = f(x, ctx);
	if (!isfinite(f0))
		return fc_err_set(err, FC_EMODEL, "function cannot be evaluated at initial parameters");
	int evals = 1;
	double convtol = reltol * (fabs(f0) + reltol);
	size_t n1 = n + 1;
	memcpy(P[0], x, n * sizeof *x);
	F[0] = f0;
	double step = 0;
	for (size_t i = 0; i < n; i++)
		if (0.1 * fabs(x[i]) > step)
			step = 0.1 * fabs(x[i]);
	if (step == 0)
		step = 0.1;
	double size = 0;
	for (size_t j = 1; j < n1; j++) {
		memcpy(P[j], x, n * sizeof *x);
		double trystep = step;
		while (P[j][j - 1] == x[j - 1]) {
			P[j][j - 1] = x[j - 1] + trystep;
			trystep *= 10;
		}
		size += trystep;
	}
	double oldsize = size;
	int calcvert = 1;
	size_t L = 0, H;
	do {
		if (calcvert) {
			for (size_t j = 0; j < n1; j++) {
				if (j == L)
					continue;
				double v = f(P[j], ctx);
				F[j] = isfinite(v) ? v : NM_BIG;
				evals++;
			}
			calcvert = 0;
		}
		double VL = F[L], VH = VL;
		H = L;
		for (size_t j = 0; j < n1; j++) {
			if (j == L)
				continue;
			if (F[j] < VL) {
				L = j;
				VL = F[j];
			}
			if (F[j] > VH) {
				H = j;
				VH = F[j];
			}
		}
		if (VH <= VL + convtol)
			break;
		for (size_t i = 0; i < n; i++) {
			double s = -P[H][i];
			for (size_t j = 0; j < n1; j++)
				s += P[j][i];
			C[i] = s / (double)n;
		}
		for (size_t i = 0; i < n; i++)
			T[i] = (1.0 + a_refl) * C[i] - a_refl * P[H][i];
		double VR = f(T, ctx);
		if (!isfinite(VR))
			VR = NM_BIG;
		evals++;
		if (VR < VL) {
			/* expansion: C now holds the reflected point */
			for (size_t i = 0; i < n; i++) {
				double e = g_exp * T[i] + (1 - g_exp) * C[i];
				C[i] = T[i];
				T[i] = e;
			}
			double VE = f(T, ctx);
			if (!isfinite(VE))
				VE = NM_BIG;
			evals++;
			if (VE < VR) {
				memcpy(P[H], T, n * sizeof *T);
				F[H] = VE;
			} else {
				memcpy(P[H], C, n * sizeof *C);
				F[H] = VR;
			}
		} else {
			if (VR < VH) {
				memcpy(P[H], T, n * sizeof *T);
				F[H] = VR;
			}
			for (size_t i = 0; i < n; i++)
				T[i] = (1 - b_contr) * P[H][i] + b_contr * C[i];
			double VC = f(T, ctx);
			if (!isfinite(VC))
				VC = NM_BIG;
			evals++;
			if (VC < F[H]) {
				memcpy(P[H], T, n * sizeof *T);
				F[H] = VC;
			} else if (VR >= VH) {
				/* shrink towards the best vertex */
				calcvert = 1;
				size = 0;
				for (size_t j = 0; j < n1; j++) {
					if (j == L)
						continue;
					for (size_t i = 0; i < n; i++) {
						P[j][i] = b_contr * (P[j][i] - P[L][i]) + P[L][i];
						size += fabs(P[j][i] - P[L][i]);
					}
				}
				if (size < oldsize)
					oldsize = size;
				else
					break; /* the simplex no longer shrinks */
			}
		}
	} while (evals <= NM_MAXIT);
	memcpy(x, P[L], n * sizeof *x);
	*fmin = F[L];
	return 0;
}

/* ---- estimation ----------------------------------------------------------- */

static const char *comp_letter(int c)
{
	return c == FC_ETS_N ? "N" : c == FC_ETS_A ? "A" : "M";
}

void fc_ets_spec_name(const fc_ets_spec *sp, char *buf, size_t cap)
{
	snprintf(buf, cap, "ETS(%s,%s%s,%s)", comp_letter(sp->error), comp_letter(sp->trend),
	         sp->damped ? "d" : "", comp_letter(sp->season));
}

int fc_ets_estimate(const double *y, size_t n, const fc_ets_spec *spec, const fc_ets_fixed *fixed,
                    int crit, fc_ets_fit *out, fc_err *err)
{
	char name[32];
	fc_ets_spec_name(spec, name, sizeof name);
	ets_problem pb;
	memset(&pb, 0, sizeof pb);
	pb.y = y;
	pb.n = n;
	pb.spec = *spec;
	pb.crit = crit;
	if (!pb.spec.season)
		pb.spec.m = 1;
	if (pb.spec.season && (pb.spec.m < 2 || pb.spec.m > FC_ETS_MAX_M))
		return fc_err_set(err, FC_EMODEL, "%s: seasonal period %zu is outside 2..%d", name,
		                  pb.spec.m, FC_ETS_MAX_M);
	if (!pb.spec.trend && pb.spec.damped)
		return fc_err_set(err, FC_EMODEL, "%s: damping needs a trend", name);
	size_t m = pb.spec.m;
	if (pb.spec.season && n <= m)
		return fc_err_set(err, FC_EMODEL, "%s: needs more than one season (%zu values)", name, n);
	if (pb.spec.error == FC_ETS_M || pb.spec.season == FC_ETS_M)
		for (size_t t = 0; t < n; t++)
			if (!(y[t] > 0))
				return fc_err_set(err, FC_EMODEL,
				                  "%s: multiplicative components need positive data", name);

	double fa = NAN, fb = NAN, fg = NAN, fp = NAN;
	if (fixed) {
		fa = fixed->alpha;
		fb = pb.spec.trend ? fixed->beta : NAN;
		fg = pb.spec.season ? fixed->gamma : NAN;
		fp = pb.spec.damped ? fixed->phi : NAN;
	}
	double lower[4] = {1e-4, 1e-4, 1e-4, 0.8}, upper[4] = {0.9999, 0.9999, 0.9999, 0.98};
	if (!isnan(fa)) {
		upper[1] = fmin(fa, upper[1]);
		upper[2] = fmin(1 - fa, upper[2]);
	}
	if (!isnan(fb))
		lower[0] = fmax(fb, lower[0]);
	if (!isnan(fg))
		upper[0] = fmin(1 - fg, upper[0]);

	/* R's initparam */
	double alpha = fa, beta = fb, gamma = fg, phi = fp;
	if (isnan(alpha)) {
		alpha = lower[0] + 0.2 * (upper[0] - lower[0]) / (double)m;
		if (alpha > 1 || alpha < 0)
			alpha = lower[0] + 0.002;
	}
	if (pb.spec.trend && isnan(beta)) {
		double ub = fmin(upper[1], alpha);
		beta = lower[1] + 0.1 * (ub - lower[1]);
		if (beta < 0 || beta > alpha)
			beta = alpha - 0.001;
	}
	if (pb.spec.season && isnan(gamma)) {
		double ug = fmin(upper[2], 1 - alpha);
		gamma = lower[2] + 0.05 * (ug - lower[2]);
		if (gamma < 0 || gamma > 1 - alpha)
			gamma = 1 - alpha - 0.001;
	}
	if (pb.spec.damped && isnan(phi)) {
		phi = lower[3] + 0.99 * (upper[3] - lower[3]);
		if (phi < 0 || phi > 1)
			phi = upper[3] - 0.001;
	}
	pb.opt_alpha = isnan(fa);
	pb.opt_beta = pb.spec.trend && isnan(fb);
	pb.opt_gamma = pb.spec.season && isnan(fg);
	pb.opt_phi = pb.spec.damped && isnan(fp);
	pb.alpha = fa;
	pb.beta = fb;
	pb.gamma = fg;
	pb.phi = fp;
	memcpy(pb.lower, lower, sizeof lower);
	memcpy(pb.upper, upper, sizeof upper);

	int rc = 0;
	if (pb.spec.season && !(pb.ws = gsl_poly_complex_workspace_alloc(m + 2)))
		return fc_err_set(err, FC_ENOMEM, "%s: out of memory", name);

	/* R's check.param on the starting (or given) values */
	int ok = !(alpha < lower[0] || alpha > upper[0]);
	if (pb.spec.trend && (beta < lower[1] || beta > alpha || beta > upper[1]))
		ok = 0;
	if (pb.spec.damped && (phi < lower[3] || phi > upper[3]))
		ok = 0;
	if (pb.spec.season && (gamma < lower[2] || gamma > 1 - alpha || gamma > upper[2]))
		ok = 0;
	if (ok && !admissible(&pb.spec, alpha, beta, gamma, phi, pb.ws))
		ok = 0;
	if (!ok) {
		rc = fc_err_set(err, FC_EMODEL, "%s: parameters out of range", name);
		goto out;
	}

	double par[MAX_PAR];
	size_t k = 0;
	if (pb.opt_alpha)
		par[k++] = alpha;
	if (pb.opt_beta)
		par[k++] = beta;
	if (pb.opt_gamma)
		par[k++] = gamma;
	if (pb.opt_phi)
		par[k++] = phi;
	pb.n_smooth = k;
	int ns = init_states(y, n, &pb.spec, par + k, err);
	if (ns < 0) {
		rc = ns;
		goto out;
	}
	pb.n_init = (size_t)ns;
	size_t np = pb.n_smooth + pb.n_init;
	if (np + 1 >= n) {
		rc = fc_err_set(err, FC_EMODEL, "%s: %zu parameters need more than %zu observations",
		                name, np, n);
		goto out;
	}

	double fmin;
	if ((rc = nelder_mead(objective, &pb, par, np, &fmin, err))) {
		fc_err_prefix(err, "%s: ", name);
		goto out;
	}

	/* the final filter at the optimum */
	fc_ets_fit fit;
	memset(&fit, 0, sizeof fit);
	fit.spec = pb.spec;
	unpack(&pb, par, &fit.alpha, &fit.beta, &fit.gamma, &fit.phi, fit.init);
	fit.nstate = 1 + (pb.spec.trend != 0) + (pb.spec.season ? m : 0);
	double *e = malloc(n * sizeof *e);
	if (!e) {
		rc = fc_err_set(err, FC_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	double mse;
	fit.lik = ets_filter(y, n, &pb.spec, fit.alpha, fit.beta, fit.gamma, fit.phi, fit.init, e,
	                     fit.last, &mse);
	double sse = 0;
	for (size_t t = 0; t < n; t++)
		sse += e[t] * e[t];
	free(e);
	if (isnan(fit.lik)) {
		rc = fc_err_set(err, FC_EMODEL, "%s: the likelihood is not defined at the optimum", name);
		goto out;
	}
	size_t n_given = !pb.opt_alpha + (pb.spec.trend && !pb.opt_beta) +
	                 (pb.spec.season && !pb.opt_gamma) + (pb.spec.damped && !pb.opt_phi);
	fit.n = n;
	fit.np_est = np;
	fit.np = np + n_given;
	double np1 = (double)np + 1, dn = (double)n;
	fit.loglik = -0.5 * fit.lik;
	fit.aic = fit.lik + 2 * np1;
	fit.bic = fit.lik + log(dn) * np1;
	fit.aicc = fit.aic + 2 * np1 * (np1 + 1) / (dn - np1 - 1);
	fit.mse = sse / dn;
	fit.sigma2 = fit.np < n ? sse / (dn - (double)fit.np) : NAN;
	*out = fit;
out:
	gsl_poly_complex_workspace_free(pb.ws);
	return rc;
}

int fc_ets_refit_states(const double *y, size_t n, fc_ets_fit *fit, fc_err *err)
{
	fc_ets_fixed fx = {fit->alpha, fit->beta, fit->gamma, fit->phi};
	/* R: alpha <- max(model$par["alpha"], 1e-10) */
	if (fx.alpha < 1e-10)
		fx.alpha = 1e-10;
	fc_ets_fit nf;
	int rc = fc_ets_estimate(y, n, &fit->spec, &fx, FC_ETS_CRIT_LIK, &nf, err);
	if (rc == 0)
		*fit = nf;
	return rc;
}

/* ---- forecasting (Hyndman et al. 2008 ch. 6; R's class1-3) ---------------- */

/* One step of the transition F on a state vector [l, b, s_1..s_m]. */
static void apply_F(const fc_ets_spec *sp, double phi, const double *v, double *out)
{
	size_t k = 1 + (sp->trend != 0);
	out[0] = sp->trend ? v[0] + phi * v[1] : v[0];
	if (sp->trend)
		out[1] = phi * v[1];
	if (sp->season) {
		size_t m = sp->m;
		out[k] = v[k + m - 1];
		for (size_t j = 1; j < m; j++)
			out[k + j] = v[k + j - 1];
	}
}

/* w'v: the one-step mean from the additive state v. */
static double apply_w(const fc_ets_spec *sp, double phi, const double *v)
{
	double f = sp->trend ? v[0] + phi * v[1] : v[0];
	if (sp->season)
		f += v[1 + (sp->trend != 0) + sp->m - 1];
	return f;
}

/* Classes 1 and 2: additive components. */
static int forecast_additive(const fc_ets_fit *fit, size_t h, double *mean, double *var, fc_err *err)
{
	const fc_ets_spec *sp = &fit->spec;
	double phi = sp->damped ? fit->phi : 1;
	double x[FC_ETS_MAX_STATE], g[FC_ETS_MAX_STATE], tmp[FC_ETS_MAX_STATE];
	size_t p = fit->nstate;
	memcpy(x, fit->last, p * sizeof *x);
	memset(g, 0, sizeof g);
	g[0] = fit->alpha;
	if (sp->trend)
		g[1] = fit->beta;
	if (sp->season)
		g[1 + (sp->trend != 0)] = fit->gamma;
	double *c = var ? malloc(h * sizeof *c) : NULL;
	if (var && !c)
		return fc_err_set(err, FC_ENOMEM, "ets: out of memory");
	for (size_t i = 0; i < h; i++) {
		mean[i] = apply_w(sp, phi, x);
		apply_F(sp, phi, x, tmp);
		memcpy(x, tmp, p * sizeof *x);
		if (c) {
			c[i] = apply_w(sp, phi, g); /* c_{i+1} = w' F^i g */
			apply_F(sp, phi, g, tmp);
			memcpy(g, tmp, p * sizeof *g);
		}
	}
	if (var) {
		double s2 = fit->sigma2;
		if (sp->error == FC_ETS_A) {
			double cum = 0;
			for (size_t i = 0; i < h; i++) {
				var[i] = s2 * (1 + cum);
				cum += c[i] * c[i];
			}
		} else {
			/* class 2: theta_j = mu_j^2 + sigma2 sum_{k<j} c_k^2 theta_{j-k} */
			double *theta = malloc(h * sizeof *theta);
			if (!theta) {
				free(c);
				return fc_err_set(err, FC_ENOMEM, "ets: out of memory");
			}
			for (size_t j = 0; j < h; j++) {
				double s = 0;
				for (size_t k = 1; k <= j; k++)
					s += c[k - 1] * c[k - 1] * theta[j - k];
				theta[j] = mean[j] * mean[j] + s2 * s;
				var[j] = (1 + s2) * theta[j] - mean[j] * mean[j];
			}
			free(theta);
		}
	}
	free(c);
	return 0;
}

/* Class 3 operators on a k1 x m matrix X (column-major, vec(X)[r + k1 c]):
 * F(X) = F1 X F2', G(X) = G1 X G2', K(X) = F1 X G2' + G1 X F2', where
 * F2 shifts the seasons (X F2' moves column m-1 to 0 and c-1 to c) and G2
 * has gamma at (0, m-1). */
typedef struct class3 {
	size_t k1, m;
	double F1[2][2], G1[2][2];
	double gamma;
} class3;

enum { OP_F, OP_G, OP_K };

static void left_mult(const double M[2][2], size_t k1, const double *col, double *out)
{
	if (k1 == 1) {
		out[0] = M[0][0] * col[0];
	} else {
		out[0] = M[0][0] * col[0] + M[0][1] * col[1];
		out[1] = M[1][0] * col[0] + M[1][1] * col[1];
	}
}

/* out = op(x); x, out: vectors of length k1 m with stride `stride`. */
static void c3_apply(const class3 *c3, int op, const double *x, size_t stride, double *out)
{
	size_t k1 = c3->k1, m = c3->m, d = k1 * m;
	double xs[2], ys[2];
	for (size_t i = 0; i < d; i++)
		out[i * stride] = 0;
	for (size_t c = 0; c < m; c++) {
		size_t src = (c + m - 1) % m; /* column of X moved to column c by F2 */
		if (op == OP_F || op == OP_K) {
			const double (*M)[2] = op == OP_F ? c3->F1 : c3->G1;
			for (size_t r = 0; r < k1; r++)
				xs[r] = x[(r + k1 * src) * stride];
			left_mult(M, k1, xs, ys);
			for (size_t r = 0; r < k1; r++)
				out[(r + k1 * c) * stride] += ys[r];
		}
		if ((op == OP_G || op == OP_K) && c == 0) {
			const double (*M)[2] = op == OP_G ? c3->G1 : c3->F1;
			for (size_t r = 0; r < k1; r++)
				xs[r] = c3->gamma * x[(r + k1 * (m - 1)) * stride];
			left_mult(M, k1, xs, ys);
			for (size_t r = 0; r < k1; r++)
				out[r * stride] += ys[r];
		}
	}
}

/* acc += s * A V B' for d x d row-major V; tmp is d x d scratch. */
static void c3_sandwich(const class3 *c3, int opA, int opB, const double *V, double s, double *tmp,
                        double *acc, double *col)
{
	size_t d = c3->k1 * c3->m;
	/* tmp = A V: op on each column */
	for (size_t j = 0; j < d; j++)
		c3_apply(c3, opA, V + j, d, tmp + j);
	/* acc += s * (tmp B') = s * (B tmp')': op on each row of tmp */
	for (size_t i = 0; i < d; i++) {
		c3_apply(c3, opB, tmp + i * d, 1, col);
		for (size_t j = 0; j < d; j++)
			acc[i * d + j] += s * col[j];
	}
}

static int forecast_class3(const fc_ets_fit *fit, size_t h, double *mean, double *var, fc_err *err)
{
	const fc_ets_spec *sp = &fit->spec;
	class3 c3;
	memset(&c3, 0, sizeof c3);
	c3.k1 = 1 + (sp->trend != 0);
	c3.m = sp->m;
	c3.gamma = fit->gamma;
	double phi = sp->damped ? fit->phi : 1;
	const double w1[2] = {1, phi};
	if (c3.k1 == 1) {
		c3.F1[0][0] = 1;
		c3.G1[0][0] = fit->alpha;
	} else {
		c3.F1[0][0] = 1;
		c3.F1[0][1] = phi;
		c3.F1[1][1] = phi;
		c3.G1[0][0] = fit->alpha;
		c3.G1[0][1] = fit->alpha * phi;
		c3.G1[1][0] = fit->beta;
		c3.G1[1][1] = fit->beta * phi;
	}
	size_t k1 = c3.k1, m = c3.m, d = k1 * m;
	double s2 = fit->sigma2;
	double *buf = calloc(4 * d * d + 4 * d, sizeof *buf);
	if (!buf)
		return fc_err_set(err, FC_ENOMEM, "ets: out of memory");
	double *V = buf, *Vn = V + d * d, *W = Vn + d * d, *tmp = W + d * d;
	double *M = tmp + d * d, *Mn = M + d, *col = Mn + d, *vm = col + d;
	/* Mh = [l; b] [s_1 .. s_m] */
	for (size_t c = 0; c < m; c++)
		for (size_t r = 0; r < k1; r++)
			M[r + k1 * c] = fit->last[r] * fit->last[k1 + c];
	for (size_t i = 0; i < h; i++) {
		/* mu = w1' Mh e_m */
		double mu = 0;
		for (size_t r = 0; r < k1; r++)
			mu += w1[r] * M[r + k1 * (m - 1)];
		mean[i] = mu;
		if (var) {
			double q = 0;
			for (size_t r = 0; r < k1; r++)
				for (size_t r2 = 0; r2 < k1; r2++)
					q += w1[r] * w1[r2] * V[(r + k1 * (m - 1)) * d + r2 + k1 * (m - 1)];
			var[i] = (1 + s2) * q + s2 * mu * mu;
			if (i + 1 < h) {
				memcpy(vm, M, d * sizeof *vm);
				memset(Vn, 0, d * d * sizeof *Vn);
				c3_sandwich(&c3, OP_F, OP_F, V, 1, tmp, Vn, col);
				c3_sandwich(&c3, OP_F, OP_G, V, s2, tmp, Vn, col);
				c3_sandwich(&c3, OP_G, OP_F, V, s2, tmp, Vn, col);
				/* W = V + vm vm' */
				for (size_t a = 0; a < d; a++)
					for (size_t b = 0; b < d; b++)
						W[a * d + b] = V[a * d + b] + vm[a] * vm[b];
				c3_sandwich(&c3, OP_K, OP_K, W, s2, tmp, Vn, col);
				for (size_t a = 0; a < d; a++)
					for (size_t b = 0; b < d; b++)
						W[a * d + b] = 3 * V[a * d + b] + 2 * vm[a] * vm[b];
				c3_sandwich(&c3, OP_G, OP_G, W, s2 * s2, tmp, Vn, col);
				memcpy(V, Vn, d * d * sizeof *V);
			}
		}
		/* Mh = F1 Mh F2' + sigma2 G1 Mh G2' */
		c3_apply(&c3, OP_F, M, 1, Mn);
		c3_apply(&c3, OP_G, M, 1, col);
		for (size_t a = 0; a < d; a++)
			M[a] = Mn[a] + s2 * col[a];
	}
	free(buf);
	return 0;
}

int fc_ets_forecast(const fc_ets_fit *fit, size_t h, double *mean, double *var, fc_err *err)
{
	if (fit->spec.season == FC_ETS_M)
		return forecast_class3(fit, h, mean, var, err);
	return forecast_additive(fit, h, mean, var, err);
}

/* ---- missing values ------------------------------------------------------- */

int fc_ets_clean_series(const double *y, size_t n_in, double **out, size_t *n, size_t *skip,
                        const char *kind, fc_err *err)
{
	size_t first = 0, last = n_in;
	while (first < n_in && isnan(y[first]))
		first++;
	while (last > first && isnan(y[last - 1]))
		last--;
	if (first == last)
		return fc_err_set(err, FC_EMODEL, "model '%s': the series has no observed values (%zu missing)",
		                  kind, n_in);
	size_t k = last - first;
	double *v = malloc(k * sizeof *v);
	if (!v)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", kind);
	size_t prev = 0; /* last observed index in v */
	for (size_t t = 0; t < k; t++) {
		v[t] = y[first + t];
		if (isnan(v[t]))
			continue;
		for (size_t g = prev + 1; g < t; g++)
			v[g] = v[prev] + (v[t] - v[prev]) * (double)(g - prev) / (double)(t - prev);
		prev = t;
	}
	*out = v;
	*n = k;
	*skip = n_in - last;
	return 0;
}

/* ---- the `ets` kind ------------------------------------------------------- */


typedef struct ets_params {
	char error, trend, season; /* 'A', 'M', 'N' or 'Z' (automatic) */
	int damped;                /* -1 automatic, 0, 1 */
	int ic;
	double alpha, beta, gamma, phi; /* NaN: estimated */
} ets_params;

typedef struct ets_state {
	fc_ets_fit fit;
	size_t skip; /* trailing missing values: forecast steps to drop */
} ets_state;

static void ets_default_params(void *params)
{
	ets_params *p = params;
	memset(p, 0, sizeof *p);
	p->error = p->trend = p->season = 'Z';
	p->damped = -1;
	p->ic = FC_IC_AICC;
	p->alpha = p->beta = p->gamma = p->phi = NAN;
}

static const char ETS_KEYS[] = "model, damped, ic, alpha, beta, gamma, phi";

/* R's restrictions on explicitly named combinations. */
static int check_combination(const ets_params *p, fc_err *err)
{
	if (p->error == 'A' && p->season == 'M')
		return fc_err_set(err, FC_EINVAL,
		                  "model 'ets': additive errors with multiplicative seasonality are "
		                  "not allowed (unstable); use model=M?M or Z?M");
	if (p->trend == 'N' && p->damped == 1)
		return fc_err_set(err, FC_EINVAL, "model 'ets': damped=true needs a trend (model=?A? or ?Z?)");
	return 0;
}

/* A smoothing parameter: a number in (0, 1) (phi: (0, 1]) or "auto". */
static int parse_smoothing(const char *key, const char *val, int is_phi, double *out, fc_err *err)
{
	if (strcmp(val, "auto") == 0) {
		*out = NAN;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (end == val || *end || errno || !(v > 0 && (is_phi ? v <= 1 : v < 1)))
		return fc_err_set(err, FC_EINVAL,
		                  "model 'ets': parameter '%s' must be 'auto' or a number in %s, got '%s'",
		                  key, is_phi ? "(0, 1]" : "(0, 1)", val);
	*out = v;
	return 0;
}

/* The search space: damping forced on or off instead of chosen by the
 * criterion, and the criterion itself. */
static const fc_param_space ets_space[] = {
	FC_SPACE_CHOICE_OF("damped", "auto", "true", "false"),
	FC_SPACE_CHOICE_OF("ic", "aicc", "aic", "bic"),
};

static int ets_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	ets_params *p = params;
	ets_params q = *p;
	if (strcmp(key, "model") == 0) {
		size_t len = strlen(val);
		int damped = q.damped;
		char t = 0;
		if (len == 4 && val[2] == 'd') {
			damped = 1;
			t = val[3];
		} else if (len == 3) {
			t = val[2];
		}
		if (!t || !strchr("AMZ", val[0]) || !strchr("NAMZ", val[1]) || !strchr("NAMZ", t))
			return fc_err_set(err, FC_EINVAL,
			                  "model 'ets': parameter 'model' must be three letters error "
			                  "(A, M, Z), trend (N, A, Z; optionally followed by d for damped) "
			                  "and season (N, A, M, Z), Z meaning automatic, e.g. ZZZ, AAN, "
			                  "MAdM; got '%s'", val);
		if (val[1] == 'M')
			return fc_err_set(err, FC_EINVAL,
			                  "model 'ets': multiplicative trend is not supported (as R's default "
			                  "allow.multiplicative.trend = FALSE); use N, A or Z, got '%s'", val);
		q.error = val[0];
		q.trend = val[1];
		q.season = t;
		q.damped = damped;
	} else if (strcmp(key, "damped") == 0) {
		if (strcmp(val, "auto") == 0)
			q.damped = -1;
		else if (strcmp(val, "true") == 0)
			q.damped = 1;
		else if (strcmp(val, "false") == 0)
			q.damped = 0;
		else
			return fc_err_set(err, FC_EINVAL,
			                  "model 'ets': parameter 'damped' must be auto, true or false, got '%s'",
			                  val);
	} else if (strcmp(key, "ic") == 0) {
		if ((q.ic = fc_ic_parse(val)) < 0)
			return fc_err_set(err, FC_EINVAL,
			                  "model 'ets': parameter 'ic' must be aicc, aic or bic, got '%s'", val);
	} else if (strcmp(key, "alpha") == 0) {
		if (parse_smoothing(key, val, 0, &q.alpha, err))
			return FC_EINVAL;
	} else if (strcmp(key, "beta") == 0) {
		if (parse_smoothing(key, val, 0, &q.beta, err))
			return FC_EINVAL;
	} else if (strcmp(key, "gamma") == 0) {
		if (parse_smoothing(key, val, 0, &q.gamma, err))
			return FC_EINVAL;
	} else if (strcmp(key, "phi") == 0) {
		if (parse_smoothing(key, val, 1, &q.phi, err))
			return FC_EINVAL;
	} else {
		return fc_err_set(err, FC_EINVAL, "model 'ets' has no parameter '%s'; it has: %s", key,
		                  ETS_KEYS);
	}
	if (check_combination(&q, err))
		return FC_EINVAL;
	*p = q;
	return 0;
}

static int ets_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const ets_params *p = params;
	static const char *const ic_names[] = {"aicc", "aic", "bic"};
	char model[4] = {p->error, p->trend, p->season, 0};
	int rc = fc_buf_printf(out, "%smodel=%s damped=%s ic=%s", out->len ? " " : "", model,
	                       p->damped < 0 ? "auto" : p->damped ? "true" : "false", ic_names[p->ic]);
	if (!rc && !isnan(p->alpha))
		rc = fc_buf_put_double(out, "alpha", p->alpha);
	if (!rc && !isnan(p->beta))
		rc = fc_buf_put_double(out, "beta", p->beta);
	if (!rc && !isnan(p->gamma))
		rc = fc_buf_put_double(out, "gamma", p->gamma);
	if (!rc && !isnan(p->phi))
		rc = fc_buf_put_double(out, "phi", p->phi);
	if (rc)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* The seasonal period ETS uses for y: fc_series_period, or 1 when R would
 * not fit a seasonal model (period above 24). */
static size_t ets_period(const fc_series *y)
{
	size_t m = y ? fc_series_period(y) : 1;
	return m;
}

/* R's npars of ets() for the letters given (Z counts as absent). */
static size_t ets_npars(const ets_params *p, size_t m)
{
	size_t np = 2;
	if (p->trend == 'A')
		np += 2;
	if (p->season == 'A' || p->season == 'M')
		np += m;
	if (p->damped == 1)
		np += 1;
	return np;
}

static size_t ets_min_length(const void *params, const fc_series *y)
{
	const ets_params *p = params;
	size_t m = ets_period(y);
	if ((p->season == 'A' || p->season == 'M') && (m < 2 || m > FC_ETS_MAX_M))
		return 0;
	return ets_npars(p, m) + 5;
}

/* A constant series: R's ets() answers ses(y, alpha = 0.99999,
 * initial = "simple"), a flat forecast with zero variance. */
static void constant_fit(const double *y, size_t n, fc_ets_fit *fit)
{
	memset(fit, 0, sizeof *fit);
	fit->spec.error = FC_ETS_A;
	fit->spec.m = 1;
	fit->alpha = 0.99999;
	fit->phi = 1;
	fit->nstate = 1;
	fit->init[0] = fit->last[0] = y[0];
	fit->n = n;
	fit->np = fit->np_est = 2;
	fit->lik = fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
	fit->mse = fit->sigma2 = 0;
}

static double pick_ic(const fc_ets_fit *f, int ic)
{
	return ic == FC_IC_AIC ? f->aic : ic == FC_IC_BIC ? f->bic : f->aicc;
}

/* R's ets(): fits every candidate the letters allow, keeps the best. */
static int ets_select(const double *y, size_t n, size_t m, const ets_params *p, fc_ets_fit *best,
                      fc_err *err)
{
	if (p->error == 'Z' && p->trend == 'Z' && p->season == 'Z' && p->damped < 0 &&
	    is_constant(y, n)) {
		constant_fit(y, n, best);
		return 0;
	}
	char season = p->season;
	if (m < 2 || n <= m || m > FC_ETS_MAX_M) {
		if (season == 'A' || season == 'M')
			return fc_err_set(err, FC_EMODEL,
			                  "model 'ets': a seasonal model needs a period from 2 to %d and more "
			                  "than one season of data (period %zu, %zu values)",
			                  FC_ETS_MAX_M, m, n);
		season = 'N';
	}
	size_t npars = ets_npars(p, m);
	if (n <= npars + 4)
		return fc_err_set(err, FC_EMODEL, "model 'ets': needs at least %zu observations, got %zu",
		                  npars + 5, n);
	int positive = 1;
	for (size_t t = 0; t < n; t++)
		if (!(y[t] > 0))
			positive = 0;
	if (p->error == 'M' && !positive)
		return fc_err_set(err, FC_EMODEL,
		                  "model 'ets': multiplicative errors need positive data");

	static const int all_err[] = {FC_ETS_A, FC_ETS_M}, all_trend[] = {FC_ETS_N, FC_ETS_A},
	                 all_season[] = {FC_ETS_N, FC_ETS_A, FC_ETS_M}, all_damped[] = {1, 0};
	int one_err[1], one_trend[1], one_season[1], one_damped[1];
	const int *E = all_err, *T = all_trend, *S = all_season, *D = all_damped;
	size_t nE = 2, nT = 2, nS = 3, nD = 2;
	if (p->error != 'Z') {
		one_err[0] = p->error == 'A' ? FC_ETS_A : FC_ETS_M;
		E = one_err;
		nE = 1;
	}
	if (p->trend != 'Z') {
		one_trend[0] = p->trend == 'A' ? FC_ETS_A : FC_ETS_N;
		T = one_trend;
		nT = 1;
	}
	if (season != 'Z') {
		one_season[0] = season == 'A' ? FC_ETS_A : season == 'M' ? FC_ETS_M : FC_ETS_N;
		S = one_season;
		nS = 1;
	}
	if (p->damped >= 0) {
		one_damped[0] = p->damped;
		D = one_damped;
		nD = 1;
	}
	fc_ets_fixed fixed = {p->alpha, p->beta, p->gamma, p->phi};
	double best_ic = INFINITY;
	int found = 0;
	fc_err last;
	fc_err_clear(&last);
	for (size_t i = 0; i < nE; i++)
		for (size_t j = 0; j < nT; j++)
			for (size_t k = 0; k < nS; k++)
				for (size_t l = 0; l < nD; l++) {
					if (T[j] == FC_ETS_N && D[l])
						continue;
					if (E[i] == FC_ETS_A && S[k] == FC_ETS_M)
						continue;
					if (!positive && (E[i] == FC_ETS_M || S[k] == FC_ETS_M))
						continue;
					fc_ets_spec sp = {E[i], T[j], S[k], D[l], S[k] ? m : 1};
					fc_ets_fit fit;
					int rc = fc_ets_estimate(y, n, &sp, &fixed, FC_ETS_CRIT_LIK, &fit, &last);
					if (rc == FC_ENOMEM)
						return fc_err_set(err, FC_ENOMEM, "model 'ets': out of memory");
					if (rc)
						continue;
					double ic = pick_ic(&fit, p->ic);
					if (!isnan(ic) && ic < best_ic) {
						best_ic = ic;
						*best = fit;
						found = 1;
					}
				}
	if (!found)
		return fc_err_set(err, FC_EMODEL, "model 'ets': no model could be fitted%s%s",
		                  last.msg[0] ? "; last reason: " : "", last.msg);
	return 0;
}

static int ets_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	ets_state *st = state;
	double *v;
	size_t n, skip;
	int rc = fc_ets_clean_series(y->y, y->n, &v, &n, &skip, "ets", err);
	if (rc)
		return rc;
	rc = ets_select(v, n, ets_period(y), params, &st->fit, err);
	free(v);
	if (rc == 0)
		st->skip = skip;
	return rc;
}

static int ets_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	ets_state *st = state;
	double *v;
	size_t n, skip;
	int rc = fc_ets_clean_series(y->y, y->n, &v, &n, &skip, "ets", err);
	if (rc)
		return rc;
	if (isnan(st->fit.lik) && is_constant(v, n) && st->fit.spec.trend == FC_ETS_N &&
	    st->fit.spec.season == FC_ETS_N) {
		constant_fit(v, n, &st->fit);
	} else if ((rc = fc_ets_refit_states(v, n, &st->fit, err))) {
		fc_err_prefix(err, "model 'ets': re-anchoring: ");
	}
	free(v);
	if (rc == 0)
		st->skip = skip;
	return rc;
}

static int ets_forecast_kind(const void *state, fc_forecast *out, fc_err *err)
{
	const ets_state *st = state;
	size_t H = out->h + st->skip;
	double *mean = malloc(2 * H * sizeof *mean);
	if (!mean)
		return fc_err_set(err, FC_ENOMEM, "model 'ets': out of memory");
	double *var = mean + H;
	int rc = fc_ets_forecast(&st->fit, H, mean, var, err);
	if (rc == 0) {
		for (size_t i = 0; i < out->h; i++) {
			out->mean[i] = mean[st->skip + i];
			double v = var[st->skip + i];
			var[i] = v >= 0 ? sqrt(v) : NAN; /* reuse as sd */
		}
		fc_forecast_normal_bounds(out, var);
	}
	free(mean);
	return rc;
}

static int ets_save(const void *state, fc_buf *out, fc_err *err)
{
	const ets_state *st = state;
	const fc_ets_fit *f = &st->fit;
	if (fc_buf_put_long(out, "error", f->spec.error) ||
	    fc_buf_put_long(out, "trend", f->spec.trend) ||
	    fc_buf_put_long(out, "season", f->spec.season) ||
	    fc_buf_put_long(out, "damped", f->spec.damped) ||
	    fc_buf_put_long(out, "m", (long)f->spec.m) ||
	    fc_buf_put_double(out, "alpha", f->alpha) ||
	    fc_buf_put_double(out, "beta", f->beta) ||
	    fc_buf_put_double(out, "gamma", f->gamma) ||
	    fc_buf_put_double(out, "phi", f->phi) ||
	    fc_buf_put_double(out, "sigma2", f->sigma2) ||
	    fc_buf_put_doubles(out, "last", f->last, f->nstate) ||
	    fc_buf_put_long(out, "n", (long)f->n) ||
	    fc_buf_put_long(out, "np", (long)f->np) ||
	    fc_buf_put_long(out, "np_est", (long)f->np_est) ||
	    fc_buf_put_double(out, "lik", f->lik) ||
	    fc_buf_put_double(out, "aicc", f->aicc) ||
	    fc_buf_put_long(out, "skip", (long)st->skip))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int ets_load(void *state, const fc_buf *in, fc_err *err)
{
	ets_state *st = state;
	fc_ets_fit f;
	memset(&f, 0, sizeof f);
	long error, trend, season, damped, m, n, np, np_est, skip;
	double *last = NULL;
	size_t n_last;
	int rc;
	if ((rc = fc_buf_get_long(in, "error", &error, err)) ||
	    (rc = fc_buf_get_long(in, "trend", &trend, err)) ||
	    (rc = fc_buf_get_long(in, "season", &season, err)) ||
	    (rc = fc_buf_get_long(in, "damped", &damped, err)) ||
	    (rc = fc_buf_get_long(in, "m", &m, err)) ||
	    (rc = fc_buf_get_double(in, "alpha", &f.alpha, err)) ||
	    (rc = fc_buf_get_double(in, "beta", &f.beta, err)) ||
	    (rc = fc_buf_get_double(in, "gamma", &f.gamma, err)) ||
	    (rc = fc_buf_get_double(in, "phi", &f.phi, err)) ||
	    (rc = fc_buf_get_double(in, "sigma2", &f.sigma2, err)) ||
	    (rc = fc_buf_get_long(in, "n", &n, err)) ||
	    (rc = fc_buf_get_long(in, "np", &np, err)) ||
	    (rc = fc_buf_get_long(in, "np_est", &np_est, err)) ||
	    (rc = fc_buf_get_double(in, "lik", &f.lik, err)) ||
	    (rc = fc_buf_get_double(in, "aicc", &f.aicc, err)) ||
	    (rc = fc_buf_get_long(in, "skip", &skip, err)))
		return rc;
	if (error != FC_ETS_A && error != FC_ETS_M)
		return fc_err_set(err, FC_EFORMAT, "value 'error' is out of range: %ld", error);
	if (trend != FC_ETS_N && trend != FC_ETS_A)
		return fc_err_set(err, FC_EFORMAT, "value 'trend' is out of range: %ld", trend);
	if (season < FC_ETS_N || season > FC_ETS_M || (error == FC_ETS_A && season == FC_ETS_M))
		return fc_err_set(err, FC_EFORMAT, "value 'season' is out of range: %ld", season);
	if ((damped != 0 && damped != 1) || (damped && trend == FC_ETS_N))
		return fc_err_set(err, FC_EFORMAT, "value 'damped' is out of range: %ld", damped);
	if (season ? (m < 2 || m > FC_ETS_MAX_M) : m != 1)
		return fc_err_set(err, FC_EFORMAT, "value 'm' is out of range: %ld", m);
	if (!(f.alpha > 0 && f.alpha <= 1) || !(f.beta >= 0 && f.beta <= 1) ||
	    !(f.gamma >= 0 && f.gamma <= 1) || !(f.phi > 0 && f.phi <= 1))
		return fc_err_set(err, FC_EFORMAT, "smoothing parameters are out of range");
	if (!(isnan(f.sigma2) || (f.sigma2 >= 0 && isfinite(f.sigma2))))
		return fc_err_set(err, FC_EFORMAT, "value 'sigma2' is out of range");
	if (n < 1 || np < 0 || np_est < 0 || np_est > np || skip < 0 || skip > 1000000000L)
		return fc_err_set(err, FC_EFORMAT, "values 'n', 'np', 'np_est' or 'skip' are out of range");
	f.spec.error = (int)error;
	f.spec.trend = (int)trend;
	f.spec.season = (int)season;
	f.spec.damped = (int)damped;
	f.spec.m = (size_t)m;
	f.nstate = 1 + (trend != 0) + (season ? (size_t)m : 0);
	if ((rc = fc_buf_get_doubles(in, "last", &last, &n_last, err)))
		return rc;
	if (n_last != f.nstate) {
		free(last);
		return fc_err_set(err, FC_EFORMAT, "value 'last' has %zu values, expected %zu", n_last,
		                  f.nstate);
	}
	for (size_t i = 0; i < n_last; i++) {
		if (!isfinite(last[i])) {
			free(last);
			return fc_err_set(err, FC_EFORMAT, "value 'last' has a non-finite value");
		}
		f.last[i] = last[i];
	}
	free(last);
	f.n = (size_t)n;
	f.np = (size_t)np;
	f.np_est = (size_t)np_est;
	f.loglik = -0.5 * f.lik;
	double np1 = (double)np_est + 1, dn = (double)n;
	f.aic = f.lik + 2 * np1;
	f.bic = f.lik + log(dn) * np1;
	f.mse = NAN;
	st->fit = f;
	st->skip = (size_t)skip;
	return 0;
}

/* What explain reports: the form chosen, the smoothing parameters it has
 * (beta with a trend, gamma with a season, phi when damped), the final
 * states (level, slope, the newest season first) and the fit's variance
 * and AIC. */
static int ets_describe(const void *state, const void *params, fc_description *d)
{
	const fc_ets_fit *f = &((const ets_state *)state)->fit;
	const fc_ets_spec *s = &f->spec;
	char form[32];
	fc_ets_spec_name(s, form, sizeof form);
	if (fc_description_text(d, "form", form) || fc_description_num(d, "alpha", f->alpha) ||
	    (s->trend && fc_description_num(d, "beta", f->beta)) ||
	    (s->season && fc_description_num(d, "gamma", f->gamma)) ||
	    (s->damped && fc_description_num(d, "phi", f->phi)) ||
	    (s->season && fc_description_num(d, "period", (double)s->m)) ||
	    fc_description_num(d, "level", f->last[0]) ||
	    (s->trend && fc_description_num(d, "slope", f->last[1])))
		return -1;
	for (size_t j = 0; s->season && j < s->m; j++) {
		char name[32];
		snprintf(name, sizeof name, "season_%zu", j + 1);
		if (fc_description_num(d, name, f->last[(s->trend ? 2 : 1) + j]))
			return -1;
	}
	return fc_description_num(d, "sigma2", f->sigma2) || fc_description_num(d, "aic", f->aic);
}

static const fc_model_type ets_type = {
	.name = "ets",
	.cost = 6.3,
	.summary = "exponential smoothing state-space model (ETS), chosen by AICc",
	.params_size = sizeof(ets_params),
	.state_size = sizeof(ets_state),
	.default_params = ets_default_params,
	.set_param = ets_set_param,
	FC_SPACE_TABLE(ets_space),
	.save_params = ets_save_params,
	.min_length = ets_min_length,
	.fit = ets_fit,
	.forecast = ets_forecast_kind,
	.save = ets_save,
	.load = ets_load,
	.free = NULL,
	.anchor = ets_anchor,
	.describe = ets_describe,
};
const fc_model_type *const fc_model_ets = &ets_type;
