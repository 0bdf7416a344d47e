/* The `arima` kind: automatic seasonal ARIMA by the Hyndman-Khandakar
 * algorithm, as R's forecast::auto.arima (forecast 8.20) does it with its
 * defaults, or one ARIMA of a given order.
 *
 * Hyndman & Khandakar (2008), "Automatic time series forecasting: the
 * forecast package for R", Journal of Statistical Software 27(3).  Phases:
 *   1. seasonal differences D (0 or 1): 1 when the seasonal strength of an
 *      STL decomposition exceeds 0.64 (Wang, Smith & Hyndman 2006; R's
 *      nsdiffs(test = "seas")), and only when there are more than 2m values;
 *   2. differences d (0..2) by repeated KPSS tests of level stationarity
 *      (Kwiatkowski, Phillips, Schmidt & Shin 1992, J. Econometrics 54) at
 *      the 5% level, Bartlett lag trunc(3 sqrt(n) / 13), the p-value
 *      interpolated in urca's table of critical values (R's ndiffs);
 *   3. with d + D <= 1 a constant (mean when d + D = 0, drift when 1) is a
 *      candidate; the order (p, q, P, Q) is searched stepwise from
 *      (2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1) and
 *      (0,d,0)(0,D,0) without constant, moving to a neighbour (a table of
 *      +-1 moves of P, Q, then p, q, then the constant) whenever its AICc is
 *      lower, at most 94 models, a visited set; or exhaustively over
 *      p + q + P + Q <= 5;
 *   4. when n > 150 or m > 12 the search ranks models by a CSS
 *      approximation of the IC (offset by the likelihood of the
 *      differenced white-noise model), then refits the candidates exactly
 *      in IC order and keeps the first that succeeds.
 * A model is rejected (IC = +inf) when its fit fails, an AR or MA root
 * has modulus below 1.01, or the optimizer's Hessian gives NaN standard
 * errors (forecast's checkarima; evaluated only for candidates whose IC
 * would otherwise beat the best so far, which selects the same model).
 *
 * Estimation of each candidate: arima.c.
 *
 * Long seasonal periods (the primary period above 24, e.g. 168 for hourly
 * data with a weekly cycle, 52.18 for weekly, 365.25 for daily data) are
 * modelled as R users model them: a non-seasonal auto.arima with K
 * Fourier pairs per long period as regressors (auto.arima(y, xreg =
 * fourier(y, K), seasonal = FALSE)), K = 1..fourier_max (default 10, at
 * most period / 2) chosen by the IC (Hyndman & Athanasopoulos,
 * "Forecasting: Principles and Practice", 3rd ed., sec. 12.1, dynamic
 * harmonic regression).  Known-future exogenous columns named by xreg
 * (--known-future) join as regressors (regression with ARIMA errors,
 * auto.arima(xreg =)) where the series has future rows for them; the state
 * keeps their future values.  With regressors the differencing tests run on
 * the residuals of their least-squares fit, and a difference is dropped
 * when it makes a regressor constant, as in auto.arima.
 *
 * Departures: missing values are filled by linear interpolation for the
 * STL behind D (R uses na.interp); the regressors' Fourier phase counts
 * from the first value of the series (R's from the first of its ts), which
 * changes the coefficients, not the fit. */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "forecast/decompose.h"
#include "models/model_private.h"
#include "models/arima/arima.h"
#include "core/numeric.h"

#include <errno.h>
#include <float.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest seasonal period modelled. */
#define ARIMA_MAX_M 24
/* Seasonal orders P, Q tracked by the refits' failure count. */
#define ARIMA_SEASONAL_ORDERS 8


typedef struct arima_params {
	int max_p, max_q, max_P, max_Q, max_order, max_d, max_D;
	int start_p, start_q, start_P, start_Q;
	int d, D;            /* -1: chosen by tests */
	int stationary, seasonal, stepwise, allowdrift, allowmean;
	int approximation;   /* -1 auto (n > 150 or m > 12), 0, 1 */
	int ic;
	int nmodels;
	/* a fixed model: order[0] >= 0 */
	int order[3], sorder[3];
	int constant;        /* fixed model: -1 auto (d + D <= 1), 0, 1 */
	int fourier;         /* Fourier pairs per period above ARIMA_MAX_M: -1 auto
	                      * (1..fourier_max by the IC), 0 none, K */
	int fourier_max;
	char xreg[256];      /* exogenous columns used as regressors (comma-
	                      * separated; used where the series has future
	                      * values for them) */
} arima_params;

typedef struct arima_state {
	fc_arima_fit fit;
	size_t lead;         /* leading missing values dropped */
	/* Fourier regressors (fit.nxreg columns): K pairs for each period */
	int fourier_k;
	size_t n_periods;
	double periods[FC_MAX_SEASONS];
	/* exogenous regressors (the last n_user of fit.nxreg): their values
	 * for the n_fut steps after the end, column-major n_user x n_fut */
	size_t n_user, n_fut;
	double *fut;
} arima_state;

/* ---- helpers -------------------------------------------------------------- */

/* forecast::is.constant (all.equal to the first value); NaN anywhere: no. */
static int is_constant(const double *y, size_t n)
{
	for (size_t t = 0; t < n; t++)
		if (isnan(y[t]))
			return n == 1;  /* a lone NaN is constant */
	return !(fc_mean_rel_diff(y, n) > sqrt(DBL_EPSILON));
}

/* Differences of lag `lag` in place: n becomes n - lag. */
static size_t diff_lag(double *x, size_t n, size_t lag)
{
	if (n <= lag)
		return 0;
	for (size_t t = 0; t + lag < n; t++)
		x[t] = x[t + lag] - x[t];
	return n - lag;
}

/* urca's KPSS p-value: linear interpolation of (0.347, 0.463, 0.574,
 * 0.739) -> (0.10, 0.05, 0.025, 0.01), clamped (R's approx, rule = 2). */
static double kpss_pvalue(double stat)
{
	static const double cv[4] = {0.347, 0.463, 0.574, 0.739}, pv[4] = {0.10, 0.05, 0.025, 0.01};
	if (isnan(stat))
		return NAN;
	if (stat <= cv[0])
		return pv[0];
	if (stat >= cv[3])
		return pv[3];
	for (int i = 0; i < 3; i++)
		if (stat <= cv[i + 1])
			return pv[i] + (pv[i + 1] - pv[i]) * (stat - cv[i]) / (cv[i + 1] - cv[i]);
	return pv[3];
}

/* 1 to difference, 0 not, -1 undecided (NA). */
static int kpss_says_diff(const double *x, size_t n)
{
	if (n < 2)
		return -1;
	size_t lags = (size_t)trunc(3 * sqrt((double)n) / 13);
	double pv = kpss_pvalue(fc_kpss_stat(x, n, lags));
	if (isnan(pv))
		return -1;
	return pv < 0.05;
}

/* R's ndiffs(x, test = "kpss", alpha = 0.05, max.d) on x without NaNs
 * (x is overwritten). */
static int ndiffs(double *x, size_t n, int max_d)
{
	int d = 0;
	if (n == 0 || is_constant(x, n))
		return 0;
	int dodiff = kpss_says_diff(x, n);
	if (dodiff < 0)
		return d;
	while (dodiff == 1 && d < max_d) {
		d++;
		n = diff_lag(x, n, 1);
		if (n == 0 || is_constant(x, n))
			return d;
		dodiff = kpss_says_diff(x, n);
		if (dodiff < 0)
			return d - 1;
	}
	return d;
}

/* R's nsdiffs(x, test = "seas", max.D = 1): 1 when the STL seasonal
 * strength exceeds 0.64. */
static int nsdiffs(const double *x, size_t n, size_t m)
{
	if (is_constant(x, n) || m >= n)
		return 0;
	fc_mstl_params mp = fc_mstl_default_params();
	fc_mstl_result res;
	memset(&res, 0, sizeof res);
	double period = (double)m;
	if (fc_mstl(x, n, &period, 1, &mp, &res, NULL))
		return 0;
	double s = res.n_periods ? fc_seasonal_strength(res.seasonal[0], res.remainder, n) : 0;
	fc_mstl_dispose(&res);
	return s > 0.64;
}

/* ---- candidates ----------------------------------------------------------- */

typedef struct cand {
	int p, q, P, Q, constant;
	double ic;
} cand;

typedef struct search_ctx {
	const double *y;
	size_t n, m;
	const double *xreg; /* n x nx, column-major; NULL when nx = 0 */
	size_t nx;
	int d, D;
	int ic;
	double offset;
	int failed_nomem;
} search_ctx;

/* forecast's myarima: fits one candidate; returns its IC (+inf on failure
 * or a root too near the unit circle).  When out is not NULL and the fit
 * succeeded, it is stored there (caller disposes). */
static double myarima(search_ctx *sc, int p, int q, int P, int Q, int constant, int approx,
                      double threshold, fc_arima_fit *out)
{
	fc_arima_spec s;
	memset(&s, 0, sizeof s);
	s.p = p;
	s.d = sc->d;
	s.q = q;
	int use_season = P + sc->D + Q > 0 && sc->m > 1;
	s.P = use_season ? P : 0;
	s.D = use_season ? sc->D : 0;
	s.Q = use_season ? Q : 0;
	s.m = use_season ? sc->m : 1;
	int diffs = sc->d + sc->D;
	s.drift = diffs == 1 && constant;
	s.mean = diffs == 1 ? 1 : constant; /* include.mean only acts when d + D = 0 */
	fc_arima_fit fit;
	memset(&fit, 0, sizeof fit);
	fc_err e;
	/* approximate fits are refitted exactly before any forecast */
	int method = approx ? FC_ARIMA_CSS | FC_ARIMA_NO_STATE : FC_ARIMA_CSS_ML;
	int rc = fc_arima_estimate(sc->y, sc->n, sc->xreg, sc->nx, &s, method, NULL, &fit, &e);
	if (rc) {
		if (rc == FC_ENOMEM)
			sc->failed_nomem = 1;
		return INFINITY;
	}
	double npar = (double)fit.nfree + 1, nstar = (double)fit.nstar;
	if (approx)
		fit.aic = sc->offset + nstar * log(fit.sigma2_ss) + 2 * npar;
	double ic;
	if (!isnan(fit.aic)) {
		fit.bic = fit.aic + npar * (log(nstar) - 2);
		fit.aicc = fit.aic + 2 * npar * (npar + 1) / (nstar - npar - 1);
		ic = sc->ic == FC_IC_BIC ? fit.bic : sc->ic == FC_IC_AIC ? fit.aic : fit.aicc;
	} else {
		fit.aic = fit.bic = fit.aicc = ic = INFINITY;
	}
	if (isnan(ic))
		ic = INFINITY;
	if (p + P + q + Q > 0 && !(fc_arima_min_root(&fit) >= 1.01))
		ic = INFINITY;
	/* checkarima: only where the outcome can matter (ic below threshold) */
	if (ic < threshold) {
		int chk = fc_arima_se_check(sc->y, sc->n, sc->xreg, &fit);
		if (chk == FC_ENOMEM)
			sc->failed_nomem = 1;
		if (chk)
			ic = INFINITY;
	}
	if (out && ic < INFINITY)
		*out = fit;
	else
		fc_arima_fit_dispose(&fit);
	return ic;
}

/* The stepwise neighbour moves of search.arima, in R's order. */
static const struct move {
	signed char dp, dq, dP, dQ;
} MOVES[] = {
	{0, 0, -1, 0}, {0, 0, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1},
	{0, 0, -1, -1}, {0, 0, -1, 1}, {0, 0, 1, -1}, {0, 0, 1, 1},
	{-1, 0, 0, 0}, {0, -1, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0},
	{-1, -1, 0, 0}, {-1, 1, 0, 0}, {1, -1, 0, 0}, {1, 1, 0, 0},
};

static int visited(const cand *res, size_t k, int p, int q, int P, int Q, int c)
{
	for (size_t i = 0; i < k; i++)
		if (res[i].p == p && res[i].q == q && res[i].P == P && res[i].Q == Q &&
		    res[i].constant == c)
			return 1;
	return 0;
}

/* Keeps fit as the best when ic < *best_ic. */
static void consider(fc_arima_fit *best, double *best_ic, fc_arima_fit *fit, double ic)
{
	if (ic < *best_ic) {
		fc_arima_fit_dispose(best);
		*best = *fit;
		*best_ic = ic;
	} else if (ic < INFINITY) {
		fc_arima_fit_dispose(fit);
	}
}

/* auto.arima's stepwise search.  results: room for nmodels candidates. */
static double stepwise(search_ctx *sc, const arima_params *pr, int max_p, int max_q, int max_P,
                       int max_Q, int constant, int allow_const, int approx, cand *res,
                       size_t *nres, fc_arima_fit *best)
{
	size_t nmodels = (size_t)pr->nmodels, k = 0;
	int sp = pr->start_p, sq = pr->start_q, sP = pr->start_P, sQ = pr->start_Q;
	if (sc->n < 10) {
		sp = sp < 1 ? sp : 1;
		sq = sq < 1 ? sq : 1;
		sP = sQ = 0;
	}
	int p = sp < max_p ? sp : max_p, q = sq < max_q ? sq : max_q;
	int P = sP < max_P ? sP : max_P, Q = sQ < max_Q ? sQ : max_Q;
	double best_ic = INFINITY;
	fc_arima_fit fit;
	/* the initial models */
	struct { int p, q, P, Q, c, cond; } init[5] = {
		{p, q, P, Q, constant, 1},
		{0, 0, 0, 0, constant, 1},
		{max_p > 0, 0, sc->m > 1 && max_P > 0, 0, constant, max_p > 0 || max_P > 0},
		{0, max_q > 0, 0, sc->m > 1 && max_Q > 0, constant, max_q > 0 || max_Q > 0},
		{0, 0, 0, 0, 0, constant},
	};
	for (int i = 0; i < 5; i++) {
		if (!init[i].cond || k >= nmodels)
			continue;
		double ic = myarima(sc, init[i].p, init[i].q, init[i].P, init[i].Q, init[i].c, approx,
		                    approx ? INFINITY : best_ic, &fit);
		res[k++] = (cand){init[i].p, init[i].q, init[i].P, init[i].Q, init[i].c, ic};
		if (ic < best_ic || i == 0) {
			if (i > 0) {
				p = init[i].p;
				q = init[i].q;
				P = init[i].P;
				Q = init[i].Q;
			}
			consider(best, &best_ic, &fit, ic);
		} else if (ic < INFINITY) {
			fc_arima_fit_dispose(&fit);
		}
	}
	size_t startk = 0;
	int over = 0;
	while (startk < k && k < nmodels && !over) {
		startk = k;
		int moved = 0;
		for (size_t i = 0; i < sizeof MOVES / sizeof MOVES[0] && !moved; i++) {
			int np = p + MOVES[i].dp, nq = q + MOVES[i].dq;
			int nP = P + MOVES[i].dP, nQ = Q + MOVES[i].dQ;
			if (np < 0 || nq < 0 || nP < 0 || nQ < 0 || np > max_p || nq > max_q || nP > max_P ||
			    nQ > max_Q)
				continue;
			if (visited(res, k, np, nq, nP, nQ, constant))
				continue;
			if (k + 1 > nmodels) {
				over = 1;
				break;
			}
			double ic = myarima(sc, np, nq, nP, nQ, constant, approx, approx ? INFINITY : best_ic, &fit);
			res[k++] = (cand){np, nq, nP, nQ, constant, ic};
			if (ic < best_ic) {
				consider(best, &best_ic, &fit, ic);
				p = np;
				q = nq;
				P = nP;
				Q = nQ;
				moved = 1;
			} else if (ic < INFINITY) {
				fc_arima_fit_dispose(&fit);
			}
		}
		if (moved || over)
			continue;
		if (allow_const && !visited(res, k, p, q, P, Q, !constant)) {
			if (k + 1 > nmodels)
				break;
			double ic = myarima(sc, p, q, P, Q, !constant, approx, approx ? INFINITY : best_ic, &fit);
			res[k++] = (cand){p, q, P, Q, !constant, ic};
			if (ic < best_ic) {
				consider(best, &best_ic, &fit, ic);
				constant = !constant;
			} else if (ic < INFINITY) {
				fc_arima_fit_dispose(&fit);
			}
		}
	}
	*nres = k;
	return best_ic;
}

/* search.arima: every order with p + q + P + Q <= max_order. */
static double exhaustive(search_ctx *sc, const arima_params *pr, int max_p, int max_q, int max_P,
                         int max_Q, int max_k, int approx, fc_arima_fit *best, cand *bc)
{
	double best_ic = INFINITY;
	fc_arima_fit fit;
	for (int i = 0; i <= max_p; i++)
		for (int j = 0; j <= max_q; j++)
			for (int I = 0; I <= max_P; I++)
				for (int J = 0; J <= max_Q; J++) {
					if (i + j + I + J > pr->max_order)
						continue;
					for (int K = 0; K <= max_k; K++) {
						double ic = myarima(sc, i, j, I, J, K == 1, approx, approx ? INFINITY : best_ic, &fit);
						if (ic < best_ic) {
							*bc = (cand){i, j, I, J, K == 1, ic};
							consider(best, &best_ic, &fit, ic);
						} else if (ic < INFINITY) {
							fc_arima_fit_dispose(&fit);
						}
					}
				}
	return best_ic;
}

/* Whether y[t] and every regressor at t are present. */
static int row_complete(const double *y, const double *xreg, size_t n, size_t nx, size_t t)
{
	if (isnan(y[t]))
		return 0;
	for (size_t c = 0; c < nx; c++)
		if (isnan(xreg[c * n + t]))
			return 0;
	return 1;
}

/* Residuals of the least-squares fit of y on an intercept and the nx
 * regressors (rows with a missing value keep y: R's xx[j] <- residuals(lm(x
 * ~ xreg))) into res.  FC_EMODEL when [1, xreg] is rank deficient (R's
 * min(sv) / sum(sv) < eps test), FC_ENOMEM. */
static int xreg_residuals(const double *y, size_t n, const double *xreg, size_t nx, double *res,
                          fc_err *err)
{
	size_t k = nx + 1, rows = 0;
	memcpy(res, y, n * sizeof *res);
	for (size_t t = 0; t < n; t++)
		rows += (size_t)row_complete(y, xreg, n, nx, t);
	if (rows <= k)
		return fc_err_set(err, FC_EMODEL, "model 'arima': too few observations for %zu regressors",
		                  nx);
	gsl_matrix *X = gsl_matrix_alloc(rows, k), *U = gsl_matrix_alloc(rows, k);
	gsl_matrix *V = gsl_matrix_alloc(k, k), *cov = gsl_matrix_alloc(k, k);
	gsl_vector *yy = gsl_vector_alloc(rows), *S = gsl_vector_alloc(k), *w = gsl_vector_alloc(k);
	gsl_vector *b = gsl_vector_alloc(k);
	gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(rows, k);
	int rc = 0;
	if (!X || !U || !V || !cov || !yy || !S || !w || !b || !ws) {
		rc = fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
		goto done;
	}
	size_t i = 0;
	for (size_t t = 0; t < n; t++) {
		if (!row_complete(y, xreg, n, nx, t))
			continue;
		gsl_matrix_set(X, i, 0, 1);
		for (size_t c = 0; c < nx; c++)
			gsl_matrix_set(X, i, c + 1, xreg[c * n + t]);
		gsl_vector_set(yy, i, y[t]);
		i++;
	}
	gsl_matrix_memcpy(U, X);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	double chisq, sum = 0, mn = INFINITY;
	int bad = gsl_linalg_SV_decomp(U, V, S, w) != GSL_SUCCESS;
	for (size_t c = 0; !bad && c < k; c++) {
		sum += gsl_vector_get(S, c);
		mn = fmin(mn, gsl_vector_get(S, c));
	}
	if (bad || !(mn / sum >= DBL_EPSILON)) {
		gsl_set_error_handler(old);
		rc = fc_err_set(err, FC_EMODEL, "model 'arima': the regressors are rank deficient (a "
		                "constant column, or columns that are linear combinations of others)");
		goto done;
	}
	bad = gsl_multifit_linear(X, yy, b, cov, &chisq, ws) != GSL_SUCCESS;
	gsl_set_error_handler(old);
	if (bad) {
		rc = fc_err_set(err, FC_EMODEL, "model 'arima': least squares on the regressors failed");
		goto done;
	}
	for (size_t t = 0; t < n; t++) {
		if (!row_complete(y, xreg, n, nx, t))
			continue;
		double f = gsl_vector_get(b, 0);
		for (size_t c = 0; c < nx; c++)
			f += gsl_vector_get(b, c + 1) * xreg[c * n + t];
		res[t] = y[t] - f;
	}
done:
	gsl_matrix_free(X);
	gsl_matrix_free(U);
	gsl_matrix_free(V);
	gsl_matrix_free(cov);
	gsl_vector_free(yy);
	gsl_vector_free(S);
	gsl_vector_free(w);
	gsl_vector_free(b);
	if (ws)
		gsl_multifit_linear_free(ws);
	return rc;
}

/* Whether some regressor is constant after differencing at lag (times
 * times): R then takes one difference fewer. */
static int xreg_diff_constant(const double *xreg, size_t n, size_t nx, size_t lag, int times)
{
	double *v = malloc((n + 1) * sizeof *v);
	int any = 0;
	if (!v)
		return 0;
	for (size_t c = 0; c < nx && !any; c++) {
		memcpy(v, xreg + c * n, n * sizeof *v);
		size_t len = n;
		for (int i = 0; i < times; i++)
			len = diff_lag(v, len, lag);
		any = is_constant(v, len);
	}
	free(v);
	return any;
}

/* R's auto.arima on y[0..n) (first value observed) with period m and nx
 * regressors xreg (n x nx, column-major; NULL when nx = 0). */
static int auto_arima(const double *y, size_t n, const double *xreg, size_t nx, size_t m,
                      const arima_params *pr, fc_arima_fit *out, fc_err *err)
{
	size_t nobs = 0;
	for (size_t t = 0; t < n; t++)
		nobs += !isnan(y[t]);
	size_t last = n;
	while (last > 0 && isnan(y[last - 1]))
		last--;
	size_t serieslength = nobs;
	int rc = 0;
	search_ctx sc = {y, n, 1, xreg, nx, 0, 0, pr->ic, 0, 0};
	if (is_constant(y, n)) {
		fc_arima_spec s = {0, 0, 0, 0, 0, 0, 1, pr->allowmean, 0};
		double mean = 0;
		for (size_t t = 0; t < n; t++)
			mean += y[t];
		mean /= (double)n;
		double fixed[1] = {mean};
		fc_err e;
		rc = fc_arima_estimate(y, n, NULL, 0, &s, FC_ARIMA_CSS_ML, pr->allowmean ? fixed : NULL,
		                       out, &e);
		if (rc)
			return fc_err_set(err, rc, "model 'arima': %s", e.msg);
		return 0;
	}
	int ic = pr->ic;
	if (serieslength <= 3)
		ic = FC_IC_AIC;
	sc.ic = ic;
	if (!pr->seasonal || m < 2)
		m = 1;
	int max_p = pr->max_p, max_q = pr->max_q, max_P = pr->max_P, max_Q = pr->max_Q;
	int third = (int)(serieslength / 3), third_m = (int)floor((double)serieslength / 3 / (double)m);
	max_p = max_p < third ? max_p : third;
	max_q = max_q < third ? max_q : third;
	max_P = max_P < third_m ? max_P : third_m;
	max_Q = max_Q < third_m ? max_Q : third_m;
	int d = pr->d, D = pr->D;
	if (pr->stationary)
		d = D = 0;
	double *x = malloc((n + 1) * sizeof *x);
	double *xx = malloc((n + 1) * sizeof *xx); /* y, or its residuals on the regressors */
	if (!x || !xx) {
		free(x);
		free(xx);
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	}
	memcpy(xx, y, n * sizeof *xx);
	if (nx > 0 && (rc = xreg_residuals(y, n, xreg, nx, xx, err))) {
		free(x);
		free(xx);
		return rc;
	}
	if (m == 1) {
		D = 0;
		max_P = max_Q = 0;
	} else if (D < 0 && n <= 2 * m) {
		D = 0;
	} else if (D < 0) {
		D = nsdiffs(xx, n, m) ? (pr->max_D >= 1 ? 1 : 0) : 0;
		if (D > 0 && nx > 0 && xreg_diff_constant(xreg, n, nx, m, D))
			D--;
		if (D > 0) {
			int all_nan = 1;
			for (size_t t = m; t < n; t++)
				if (!isnan(y[t]) && !isnan(y[t - m]))
					all_nan = 0;
			if (all_nan)
				D--;
		}
	}
	/* dx = seasonally differenced series, NaN kept */
	memcpy(x, xx, n * sizeof *x);
	free(xx);
	size_t lx = n;
	for (int i = 0; i < D; i++)
		lx = diff_lag(x, lx, m);
	if (d < 0) {
		double *z = malloc((lx + 1) * sizeof *z);
		if (!z) {
			free(x);
			return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
		}
		size_t nz = 0;
		for (size_t t = 0; t < lx; t++)
			if (!isnan(x[t]))
				z[nz++] = x[t];
		d = ndiffs(z, nz, pr->max_d);
		free(z);
		if (d > 0 && nx > 0) {
			/* the regressors differenced D times at m, then d times at 1 */
			double *v = malloc((n + 1) * sizeof *v);
			int any = 0;
			for (size_t c = 0; v && c < nx && !any; c++) {
				memcpy(v, xreg + c * n, n * sizeof *v);
				size_t len = n;
				for (int i = 0; i < D; i++)
					len = diff_lag(v, len, m);
				for (int i = 0; i < d; i++)
					len = diff_lag(v, len, 1);
				any = is_constant(v, len);
			}
			free(v);
			if (any)
				d--;
		}
		if (d > 0) {
			/* all differences missing: one fewer */
			int all_nan = 1;
			for (size_t t = 1; t < lx; t++)
				if (!isnan(x[t]) && !isnan(x[t - 1]))
					all_nan = 0;
			if (all_nan)
				d--;
		}
	}
	for (int i = 0; i < d; i++)
		lx = diff_lag(x, lx, 1);
	if (lx == 0) {
		free(x);
		return fc_err_set(err, FC_EMODEL, "model 'arima': not enough data to proceed");
	}
	sc.m = m;
	sc.d = d;
	sc.D = D;
	int dx_const = is_constant(x, lx);
	free(x);
	if (dx_const) {
		/* a polynomial series: the differenced white-noise model (R fixes
		 * its constant; we estimate it). */
		fc_arima_fit fit;
		double icv = myarima(&sc, 0, 0, 0, 0, d + D <= 1 && d < 2, 0, INFINITY, &fit);
		if (!(icv < INFINITY))
			icv = myarima(&sc, 0, 0, 0, 0, 0, 0, INFINITY, &fit);
		if (!(icv < INFINITY))
			return fc_err_set(err, FC_EMODEL,
			                  "model 'arima': the differenced series is constant and no "
			                  "model could be fitted");
		*out = fit;
		return 0;
	}
	if (m > 1) {
		if (max_P > 0)
			max_p = max_p < (int)m - 1 ? max_p : (int)m - 1;
		if (max_Q > 0)
			max_q = max_q < (int)m - 1 ? max_q : (int)m - 1;
	}
	int approx = pr->approximation < 0 ? (n > 150 || m > 12) : pr->approximation;
	if (approx) {
		fc_arima_spec s = {0, d, 0, 0, D, 0, D > 0 ? m : 1, 1, 0};
		fc_arima_fit f0;
		memset(&f0, 0, sizeof f0);
		if (fc_arima_estimate(y, n, xreg, nx, &s, FC_ARIMA_CSS_ML, NULL, &f0, NULL) == 0) {
			sc.offset = -2 * f0.loglik - (double)serieslength * log(f0.sigma2_ss);
			fc_arima_fit_dispose(&f0);
		}
	}
	int allowdrift = pr->allowdrift && d + D == 1;
	int allowmean = pr->allowmean && d + D == 0;
	int constant = allowdrift || allowmean;
	fc_arima_fit best;
	memset(&best, 0, sizeof best);
	double best_ic;
	if (!pr->stepwise) {
		cand bc = {0, 0, 0, 0, 0, INFINITY};
		best_ic = exhaustive(&sc, pr, max_p, max_q, max_P, max_Q, constant, approx, &best, &bc);
		if (approx && best_ic < INFINITY) {
			fc_arima_fit fit;
			double icv = myarima(&sc, bc.p, bc.q, bc.P, bc.Q, bc.constant, 0, INFINITY, &fit);
			fc_arima_fit_dispose(&best);
			best_ic = icv;
			if (icv < INFINITY)
				best = fit;
			else
				best_ic = exhaustive(&sc, pr, max_p, max_q, max_P, max_Q, constant, 0, &best,
				                     &bc);
		}
	} else {
		cand *res = malloc(((size_t)pr->nmodels + 1) * sizeof *res);
		if (!res)
			return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
		size_t k = 0;
		best_ic = stepwise(&sc, pr, max_p, max_q, max_P, max_Q, constant, allowdrift || allowmean,
		                   approx, res, &k, &best);
		if (approx && best_ic < INFINITY) {
			fc_arima_fit_dispose(&best);
			best_ic = INFINITY;
			/* R's order(): by IC, ties in search order (a stable insertion sort) */
			for (size_t i = 1; i < k; i++) {
				cand c = res[i];
				size_t j = i;
				while (j > 0 && res[j - 1].ic > c.ic) {
					res[j] = res[j - 1];
					j--;
				}
				res[j] = c;
			}
			/* exact refits by IC; a seasonal order (P, Q) whose exact fits
			 * failed twice (typically a seasonal MA root at the unit
			 * circle after a seasonal difference) is not tried again:
			 * its other candidates fail the same way, and each failure
			 * costs a full likelihood fit (18 in a row on some M4 Hourly
			 * series).  A departure from auto.arima, which tries them
			 * all; the model chosen is the same whenever a candidate of
			 * a working seasonal order comes before the third failure of
			 * an order; when no candidate succeeds, the skipped ones are tried after
			 * all. */
			int failed[ARIMA_SEASONAL_ORDERS][ARIMA_SEASONAL_ORDERS] = {{0}};
			unsigned char *skipped = calloc(k ? k : 1, 1);
			if (!skipped) {
				free(res);
				return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
			}
			for (size_t pass = 0, i = 0; pass < 2; pass++, i = 0)
			for (; i < k && !(best_ic < INFINITY); i++) {
				int *f = res[i].P < ARIMA_SEASONAL_ORDERS && res[i].Q < ARIMA_SEASONAL_ORDERS
				             ? &failed[res[i].P][res[i].Q] : NULL;
				/* the second pass tries what the first skipped */
				if (pass == 1 && !skipped[i])
					continue;
				if (pass == 0 && f && *f >= 2) {
					skipped[i] = 1;
					continue;
				}
				fc_arima_fit fit;
				double icv =
				    myarima(&sc, res[i].p, res[i].q, res[i].P, res[i].Q, res[i].constant, 0,
				            INFINITY, &fit);
				if (!(icv < INFINITY) && f)
					(*f)++;
				if (icv < INFINITY) {
					best = fit;
					best_ic = icv;
				}
			}
			free(skipped);
		}
		free(res);
	}
	if (sc.failed_nomem) {
		fc_arima_fit_dispose(&best);
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	}
	if (!(best_ic < INFINITY))
		return fc_err_set(err, FC_EMODEL, "model 'arima': no suitable ARIMA model found");
	*out = best;
	return 0;
}

/* ---- the `arima` kind ----------------------------------------------------- */

static void arima_default_params(void *params)
{
	arima_params *p = params;
	memset(p, 0, sizeof *p);
	p->max_p = p->max_q = 5;
	p->max_P = p->max_Q = 2;
	p->max_order = 5;
	p->max_d = 2;
	p->max_D = 1;
	p->start_p = p->start_q = 2;
	p->start_P = p->start_Q = 1;
	p->d = p->D = -1;
	p->seasonal = p->stepwise = p->allowdrift = p->allowmean = 1;
	p->approximation = -1;
	p->ic = FC_IC_AICC;
	p->nmodels = 94;
	p->order[0] = p->order[1] = p->order[2] = -1;
	p->constant = -1;
	p->fourier = -1;
	p->fourier_max = 10;
}

static const char ARIMA_KEYS[] =
    "order, seasonal_order, constant, max_p, max_q, max_P, max_Q, max_order, max_d, max_D, "
    "start_p, start_q, start_P, start_Q, d, D, stationary, seasonal, stepwise, approximation, "
    "allowdrift, allowmean, ic, nmodels, fourier, fourier_max, xreg";

static int parse_bool(const char *val, int allow_auto, int *out)
{
	if (strcmp(val, "true") == 0)
		*out = 1;
	else if (strcmp(val, "false") == 0)
		*out = 0;
	else if (allow_auto && strcmp(val, "auto") == 0)
		*out = -1;
	else
		return -1;
	return 0;
}

/* "p,d,q" (each 0..max). */
static int parse_triple(const char *val, int *o)
{
	int a, b, c, len = 0;
	if (sscanf(val, "%d,%d,%d%n", &a, &b, &c, &len) != 3 || val[len] || a < 0 || b < 0 || c < 0 ||
	    a > 30 || b > 3 || c > 30)
		return -1;
	o[0] = a;
	o[1] = b;
	o[2] = c;
	return 0;
}

/* The search space: the largest non-seasonal orders the search may reach
 * (auto.arima's default 5) and stepwise against exhaustive search. */
static const fc_param_space arima_space[] = {
	FC_SPACE_RANGE("max_p", FC_SPACE_INT, 1, 5, 0),
	FC_SPACE_RANGE("max_q", FC_SPACE_INT, 1, 5, 0),
	FC_SPACE_CHOICE_OF("stepwise", "true", "false"),
};

static int arima_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	arima_params *p = params;
	arima_params q = *p;
	struct { const char *key; int *dst; long max; int auto_ok; } counts[] = {
		{"max_p", &q.max_p, 30, 0}, {"max_q", &q.max_q, 30, 0}, {"max_P", &q.max_P, 5, 0},
		{"max_Q", &q.max_Q, 5, 0}, {"max_order", &q.max_order, 60, 0}, {"max_d", &q.max_d, 3, 0},
		{"max_D", &q.max_D, 1, 0}, {"start_p", &q.start_p, 30, 0}, {"start_q", &q.start_q, 30, 0},
		{"start_P", &q.start_P, 5, 0}, {"start_Q", &q.start_Q, 5, 0}, {"d", &q.d, 2, 1},
		{"D", &q.D, 1, 1}, {"nmodels", &q.nmodels, 10000, 0}, {"fourier", &q.fourier, 50, 1},
		{"fourier_max", &q.fourier_max, 50, 0},
	};
	struct { const char *key; int *dst; int auto_ok; } bools[] = {
		{"stationary", &q.stationary, 0}, {"seasonal", &q.seasonal, 0},
		{"stepwise", &q.stepwise, 0}, {"approximation", &q.approximation, 1},
		{"allowdrift", &q.allowdrift, 0}, {"allowmean", &q.allowmean, 0},
		{"constant", &q.constant, 1},
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		if (strcmp(key, counts[i].key))
			continue;
		long v;
		if (counts[i].auto_ok && strcmp(val, "auto") == 0) {
			*counts[i].dst = -1;
		} else if (fc_param_parse_count(val, counts[i].max, &v) == 0 &&
		           !((strcmp(key, "nmodels") == 0 || strcmp(key, "fourier_max") == 0) && v < 1)) {
			*counts[i].dst = (int)v;
		} else {
			return fc_err_set(err, FC_EINVAL,
			                  "model 'arima': parameter '%s' must be %san integer from %d to %ld, "
			                  "got '%s'", key, counts[i].auto_ok ? "'auto' or " : "",
			                  strcmp(key, "nmodels") == 0 || strcmp(key, "fourier_max") == 0,
			                  counts[i].max, val);
		}
		*p = q;
		return 0;
	}
	for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
		if (strcmp(key, bools[i].key))
			continue;
		if (parse_bool(val, bools[i].auto_ok, bools[i].dst))
			return fc_err_set(err, FC_EINVAL, "model 'arima': parameter '%s' must be %strue or "
			                  "false, got '%s'", key, bools[i].auto_ok ? "auto, " : "", val);
		*p = q;
		return 0;
	}
	if (strcmp(key, "ic") == 0) {
		if ((q.ic = fc_ic_parse(val)) < 0)
			return fc_err_set(err, FC_EINVAL,
			                  "model 'arima': parameter 'ic' must be aicc, aic or bic, got '%s'", val);
	} else if (strcmp(key, "order") == 0) {
		if (strcmp(val, "auto") == 0) {
			q.order[0] = q.order[1] = q.order[2] = -1;
		} else if (parse_triple(val, q.order)) {
			return fc_err_set(err, FC_EINVAL,
			                  "model 'arima': parameter 'order' must be 'auto' or p,d,q (e.g. "
			                  "2,1,1; d at most 3), got '%s'", val);
		}
	} else if (strcmp(key, "xreg") == 0) {
		if (strlen(val) >= sizeof q.xreg || strchr(val, ' '))
			return fc_err_set(err, FC_EINVAL, "model 'arima': parameter 'xreg' must be column "
			                  "names separated by commas (no spaces, under %zu characters)",
			                  sizeof q.xreg);
		strcpy(q.xreg, val);
	} else if (strcmp(key, "seasonal_order") == 0) {
		if (parse_triple(val, q.sorder) || q.sorder[0] > 5 || q.sorder[1] > 1 || q.sorder[2] > 5)
			return fc_err_set(err, FC_EINVAL,
			                  "model 'arima': parameter 'seasonal_order' must be P,D,Q (P, Q at "
			                  "most 5, D at most 1), got '%s'", val);
	} else {
		return fc_err_set(err, FC_EINVAL, "model 'arima' has no parameter '%s'; it has: %s", key,
		                  ARIMA_KEYS);
	}
	*p = q;
	return 0;
}

static int arima_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const arima_params *p = params;
	static const char *const ic_names[] = {"aicc", "aic", "bic"};
	static const char *const tri[] = {"auto", "false", "true"};
	char order[48], dd[16], DD[16];
	if (p->order[0] < 0)
		snprintf(order, sizeof order, "auto");
	else
		snprintf(order, sizeof order, "%d,%d,%d", p->order[0], p->order[1], p->order[2]);
	snprintf(dd, sizeof dd, p->d < 0 ? "auto" : "%d", p->d);
	snprintf(DD, sizeof DD, p->D < 0 ? "auto" : "%d", p->D);
	char ff[16];
	snprintf(ff, sizeof ff, p->fourier < 0 ? "auto" : "%d", p->fourier);
	int rc = fc_buf_printf(
	    out,
	    "%sorder=%s seasonal_order=%d,%d,%d constant=%s max_p=%d max_q=%d max_P=%d max_Q=%d "
	    "max_order=%d max_d=%d max_D=%d start_p=%d start_q=%d start_P=%d start_Q=%d d=%s D=%s "
	    "stationary=%s seasonal=%s stepwise=%s approximation=%s allowdrift=%s allowmean=%s ic=%s "
	    "nmodels=%d fourier=%s fourier_max=%d xreg=%s",
	    out->len ? " " : "", order, p->sorder[0], p->sorder[1], p->sorder[2], tri[p->constant + 1],
	    p->max_p, p->max_q, p->max_P, p->max_Q, p->max_order, p->max_d, p->max_D, p->start_p,
	    p->start_q, p->start_P, p->start_Q, dd, DD, tri[p->stationary + 1], tri[p->seasonal + 1],
	    tri[p->stepwise + 1], tri[p->approximation + 1], tri[p->allowdrift + 1],
	    tri[p->allowmean + 1], ic_names[p->ic], p->nmodels, ff, p->fourier_max, p->xreg);
	if (rc)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* The period modelled: the series' primary period, 1 above ARIMA_MAX_M. */
static size_t arima_period(const fc_series *y)
{
	size_t m = y ? fc_series_period(y) : 1;
	return m > ARIMA_MAX_M ? 1 : m;
}

static size_t arima_min_length(const void *params, const fc_series *y)
{
	const arima_params *p = params;
	if (p->order[0] < 0)
		return 3;
	size_t m = arima_period(y);
	int seas = p->sorder[0] + p->sorder[1] + p->sorder[2] > 0;
	if (seas && m < 2)
		return 0;
	size_t nd = (size_t)p->order[1] + (seas ? m * (size_t)p->sorder[1] : 0);
	size_t np = (size_t)(p->order[0] + p->order[2]) + (seas ? (size_t)(p->sorder[0] + p->sorder[2]) : 0);
	return nd + np + 3;
}

static int fixed_fit(const double *y, size_t n, const double *xreg, size_t nx, size_t m,
                     const arima_params *p, fc_arima_fit *out, fc_err *err)
{
	fc_arima_spec s;
	memset(&s, 0, sizeof s);
	s.p = p->order[0];
	s.d = p->order[1];
	s.q = p->order[2];
	if (p->sorder[0] + p->sorder[1] + p->sorder[2] > 0) {
		if (m < 2)
			return fc_err_set(err, FC_EMODEL,
			                  "model 'arima': a seasonal order needs a seasonal period from 2 to "
			                  "%d", ARIMA_MAX_M);
		s.P = p->sorder[0];
		s.D = p->sorder[1];
		s.Q = p->sorder[2];
		s.m = m;
	} else {
		s.m = 1;
	}
	int nd = s.d + s.D;
	if (p->constant < 0) {
		s.mean = 1;
	} else {
		s.mean = p->constant;
		s.drift = p->constant && nd == 1;
	}
	fc_err e;
	int rc = fc_arima_estimate(y, n, xreg, nx, &s, FC_ARIMA_CSS_ML, NULL, out, &e);
	if (rc)
		return fc_err_set(err, rc == FC_ENOMEM ? FC_ENOMEM : FC_EMODEL, "model 'arima': %s", e.msg);
	return 0;
}

/* ---- Fourier terms for long seasonal periods ------------------------------ */

/* The periods above ARIMA_MAX_M when the primary one is (then the
 * seasonality is modelled by Fourier terms, as R users fit long seasonal
 * periods with auto.arima(xreg = fourier(y, K), seasonal = FALSE)), each
 * only where the series spans two of its cycles (2P rounded down): a
 * harmonic fitted to less than that is extrapolated from no repetition. */
static size_t long_periods(const fc_series *y, double *out)
{
	size_t k = 0;
	if (!y || fc_series_period(y) <= ARIMA_MAX_M)
		return 0;
	for (size_t i = 0; i < y->n_seasons && k < FC_MAX_SEASONS; i++)
		if (y->seasons[i] > ARIMA_MAX_M && (double)y->n >= floor(2 * y->seasons[i]))
			out[k++] = y->seasons[i];
	return k;
}

/* The indices of the exogenous columns named by p->xreg in y, into idx;
 * *nu 0 when none are named or the series has no future values for them
 * (then the model is fitted without them, in back-tests as in the final
 * fit).  FC_EINVAL for a name the series does not have. */
static int user_columns(const arima_params *p, const fc_series *y, size_t *idx, size_t *nu,
                        fc_err *err)
{
	*nu = 0;
	if (!p->xreg[0] || y->n_future == 0)
		return 0;
	char names[sizeof p->xreg];
	strcpy(names, p->xreg);
	for (char *save, *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t j = 0;
		while (j < y->n_exog && !(y->exog_names && strcmp(y->exog_names[j], name) == 0))
			j++;
		if (j == y->n_exog)
			return fc_err_set(err, FC_EINVAL, "model 'arima': no exogenous column '%s'", name);
		if (*nu == FC_ARIMA_MAX_COEF)
			return fc_err_set(err, FC_EINVAL, "model 'arima': too many regressors");
		idx[(*nu)++] = j;
	}
	return 0;
}

/* Long seasonal periods: K Fourier pairs chosen by the regression's AICc
 * (fc_arima_fourier_select), the ARMA order searched once on the series
 * minus that regression, then the order refitted with the Fourier terms
 * and the known regressors by maximum likelihood (the coefficients of both
 * estimated together).  d is auto.arima's with regressors: KPSS on the
 * residuals of the largest regression. */
static int fourier_fit(const double *y, size_t n, size_t lead, const double *periods, size_t np,
                       const double *U, size_t nu, const arima_params *p, fc_arima_fit *out,
                       int *K, fc_err *err)
{
	int kmax = p->fourier > 0 ? p->fourier : p->fourier_max;
	while (kmax > 0 && 3 * (1 + nu + fc_arima_fourier_count(periods, np, kmax)) > n)
		kmax--;
	size_t nfmax = fc_arima_fourier_count(periods, np, kmax);
	double *X = malloc(((nfmax + nu) * n + 1) * sizeof *X);
	double *z = malloc((n + 1) * sizeof *z);
	int rc = 0;
	if (!X || !z) {
		rc = fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
		goto out;
	}
	int fixed = p->order[0] >= 0;
	int d = fixed ? p->order[1] : p->stationary ? 0 : p->d;
	if (d < 0) {
		fc_arima_fourier_columns(periods, np, kmax, lead, n, X);
		memcpy(X + nfmax * n, U, nu * n * sizeof *X);
		if ((rc = xreg_residuals(y, n, X, nfmax + nu, z, err)))
			goto out;
		size_t nz = 0;
		for (size_t t = 0; t < n; t++)
			if (!isnan(z[t]))
				z[nz++] = z[t];
		d = ndiffs(z, nz, p->max_d);
	}
	int sel = fc_arima_fourier_select(y, n, d, periods, np, p->fourier > 0 ? kmax : -1, kmax, U,
	                                  nu, K, z);
	if (sel) {
		rc = sel < 0 ? fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory")
		             : fc_err_set(err, FC_EMODEL, "model 'arima': too few observations for %zu "
		                          "regressors", nu);
		goto out;
	}
	size_t nf = fc_arima_fourier_count(periods, np, *K), nx = nf + nu;
	fc_arima_fourier_columns(periods, np, *K, lead, n, X);
	memcpy(X + nf * n, U, nu * n * sizeof *X);
	if (fixed) {
		rc = fixed_fit(y, n, nx ? X : NULL, nx, 1, p, out, err);
		goto out;
	}
	arima_params q = *p;
	q.d = d;
	fc_arima_fit fz;
	memset(&fz, 0, sizeof fz);
	if ((rc = auto_arima(z, n, NULL, 0, 1, &q, &fz, err)))
		goto out;
	if (nx == 0) { /* no regression: z is y */
		*out = fz;
		goto out;
	}
	fc_arima_spec spec = fz.spec;
	fc_arima_fit_dispose(&fz);
	fc_err e;
	rc = fc_arima_estimate(y, n, X, nx, &spec, FC_ARIMA_CSS_ML, NULL, out, &e);
	if (rc && rc != FC_ENOMEM) {
		/* the joint fit failed: the regression with differenced white noise */
		spec.p = spec.q = 0;
		rc = fc_arima_estimate(y, n, X, nx, &spec, FC_ARIMA_CSS_ML, NULL, out, &e);
	}
	if (rc)
		rc = fc_err_set(err, rc == FC_ENOMEM ? FC_ENOMEM : FC_EMODEL, "model 'arima': %s", e.msg);
out:
	free(X);
	free(z);
	return rc;
}

/* prev's order and Fourier count re-estimated on y[lead..) (the regressors X,
 * nx columns, built for that count); 0, or an error when the order does
 * not fit (then the caller searches). */
static int refit_order(const arima_state *prev, const double *y, size_t n, const double *X,
                       size_t nx, fc_arima_fit *out)
{
	fc_arima_spec spec = prev->fit.spec;
	return fc_arima_estimate(y, n, nx ? X : NULL, nx, &spec, FC_ARIMA_CSS_ML, NULL, out, NULL);
}

static int arima_fit_from(void *state, const void *params, const arima_state *prev,
                          const fc_series *y, fc_err *err)
{

	arima_state *st = state;
	const arima_params *p = params;
	size_t lead = 0;
	while (lead < y->n && isnan(y->y[lead]))
		lead++;
	if (lead == y->n)
		return fc_err_set(err, FC_EMODEL, "model 'arima': the series has no observed values (%zu "
		                  "missing)", y->n);
	for (size_t t = lead; t < y->n; t++)
		if (isinf(y->y[t]))
			return fc_err_set(err, FC_EMODEL, "model 'arima': the series has an infinite value");
	size_t m = arima_period(y), n = y->n - lead;
	double periods[FC_MAX_SEASONS];
	size_t np = p->fourier != 0 && p->seasonal ? long_periods(y, periods) : 0;
	size_t idx[FC_ARIMA_MAX_COEF], nu;
	int rc = user_columns(p, y, idx, &nu, err);
	if (rc)
		return rc;
	double *fut = malloc((nu * y->n_future + 1) * sizeof *fut);
	double *U = malloc((nu * n + 1) * sizeof *U);
	if (!fut || !U) {
		free(fut);
		free(U);
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	}
	for (size_t j = 0; j < nu; j++) {
		memcpy(fut + j * y->n_future, y->exog[idx[j]] + y->n, y->n_future * sizeof *fut);
		memcpy(U + j * n, y->exog[idx[j]] + lead, n * sizeof *U);
	}
	fc_arima_fit fit;
	memset(&fit, 0, sizeof fit);
	int K = 0;
	rc = -1;
	/* warm: the previous fold's order, when it still applies */
	if (prev && p->order[0] < 0 && prev->n_user == nu && prev->n_periods == np &&
	    (prev->fit.spec.m == 1 || prev->fit.spec.m == m)) {
		int same = 1;
		for (size_t j = 0; j < np; j++)
			same &= prev->periods[j] == periods[j];
		size_t nf = same ? fc_arima_fourier_count(periods, np, prev->fourier_k) : 0;
		double *X = same ? malloc(((nf + nu) * n + 1) * sizeof *X) : NULL;
		if (X) {
			fc_arima_fourier_columns(periods, np, prev->fourier_k, lead, n, X);
			memcpy(X + nf * n, U, nu * n * sizeof *X);
			if (refit_order(prev, y->y + lead, n, X, nf + nu, &fit) == 0) {
				rc = 0;
				K = prev->fourier_k;
			}
			free(X);
		}
	}
	if (rc)
		rc = np ? fourier_fit(y->y + lead, n, lead, periods, np, U, nu, p, &fit, &K, err)
		        : p->order[0] >= 0 ? fixed_fit(y->y + lead, n, nu ? U : NULL, nu, m, p, &fit, err)
		                           : auto_arima(y->y + lead, n, nu ? U : NULL, nu, m, p, &fit, err);
	free(U);
	if (rc) {
		free(fut);
		return rc;
	}
	fc_arima_fit_dispose(&st->fit);
	free(st->fut);
	st->fit = fit;
	st->lead = lead;
	st->fourier_k = K;
	st->n_periods = np;
	memcpy(st->periods, periods, np * sizeof *periods);
	st->n_user = nu;
	st->n_fut = nu ? y->n_future : 0;
	st->fut = fut;
	return 0;
}

static int arima_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return arima_fit_from(state, params, NULL, y, err);
}

static int arima_warm_fit(void *state, const void *params, const void *prev, const fc_series *y,
                          fc_err *err)
{
	return arima_fit_from(state, params, prev, y, err);
}

/* The state's regressors (Fourier terms at positions t0 + 1 .. t0 + len,
 * then the user's columns from user, column-major len x n_user, may be
 * NULL when there are none) into a new array; *X NULL when the model has
 * no regressors.  FC_ENOMEM, FC_EINVAL. */
static int state_xreg(const arima_state *st, size_t t0, size_t len, const double *user, double **X,
                      fc_err *err)
{
	*X = NULL;
	if (st->fit.nxreg == 0)
		return 0;
	size_t nf = fc_arima_fourier_count(st->periods, st->n_periods, st->fourier_k);
	if (nf + st->n_user != st->fit.nxreg)
		return fc_err_set(err, FC_EINVAL, "model 'arima': %zu regressors, %zu Fourier terms and "
		                  "%zu columns", st->fit.nxreg, nf, st->n_user);
	*X = malloc((st->fit.nxreg * len + 1) * sizeof **X);
	if (!*X)
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	fc_arima_fourier_columns(st->periods, st->n_periods, st->fourier_k, t0, len, *X);
	if (st->n_user)
		memcpy(*X + nf * len, user, st->n_user * len * sizeof **X);
	return 0;
}

static int arima_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	arima_state *st = state;
	size_t lead = 0;
	while (lead < y->n && isnan(y->y[lead]))
		lead++;
	if (lead == y->n)
		return fc_err_set(err, FC_EMODEL, "model 'arima': the series has no observed values");
	size_t n = y->n - lead, idx[FC_ARIMA_MAX_COEF], nu = 0;
	int rc = user_columns(params, y, idx, &nu, err);
	if (rc)
		return rc;
	if (nu != st->n_user)
		return fc_err_set(err, FC_EMODEL, "model 'arima': the newer data need the regressors "
		                  "%s with their future values (rows after the last target, with the "
		                  "target empty)", ((const arima_params *)params)->xreg);
	double *U = malloc((nu * n + 1) * sizeof *U);
	double *fut = malloc((nu * y->n_future + 1) * sizeof *fut);
	if (!U || !fut) {
		free(U);
		free(fut);
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	}
	for (size_t j = 0; j < nu; j++) {
		memcpy(U + j * n, y->exog[idx[j]] + lead, n * sizeof *U);
		memcpy(fut + j * y->n_future, y->exog[idx[j]] + y->n, y->n_future * sizeof *fut);
	}
	double *X;
	rc = state_xreg(st, lead, n, U, &X, err);
	free(U);
	if (rc) {
		free(fut);
		return rc;
	}
	rc = fc_arima_anchor(&st->fit, y->y + lead, n, X, err);
	free(X);
	if (rc) {
		free(fut);
		return fc_err_prefix(err, "model 'arima': re-anchoring: ");
	}
	st->lead = lead;
	free(st->fut);
	st->fut = fut;
	st->n_fut = nu ? y->n_future : 0;
	return 0;
}

static int arima_forecast_kind(const void *state, fc_forecast *out, fc_err *err)
{
	const arima_state *st = state;
	size_t h = out->h;
	double *var = malloc((h + 1) * sizeof *var);
	if (!var)
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	if (st->n_user && st->n_fut < h) {
		free(var);
		return fc_err_set(err, FC_EMODEL, "model 'arima': the regressors have future values for "
		                  "%zu steps, the horizon is %zu", st->n_fut, h);
	}
	double *U = malloc((st->n_user * h + 1) * sizeof *U), *X = NULL;
	if (!U) {
		free(var);
		return fc_err_set(err, FC_ENOMEM, "model 'arima': out of memory");
	}
	for (size_t j = 0; j < st->n_user; j++)
		memcpy(U + j * h, st->fut + j * st->n_fut, h * sizeof *U);
	int rc = state_xreg(st, st->lead + st->fit.n, h, U, &X, err);
	free(U);
	if (rc) {
		free(var);
		return rc;
	}
	rc = fc_arima_forecast(&st->fit, h, X, out->mean, var, err);
	free(X);
	if (rc == 0) {
		for (size_t i = 0; i < h; i++)
			var[i] = var[i] >= 0 ? sqrt(var[i]) : NAN;
		fc_forecast_normal_bounds(out, var);
	}
	free(var);
	return rc;
}

static int arima_save(const void *state, fc_buf *out, fc_err *err)
{
	const arima_state *st = state;
	const fc_arima_fit *f = &st->fit;
	const fc_arima_spec *s = &f->spec;
	long ord[6] = {s->p, s->d, s->q, s->P, s->D, s->Q};
	static const char *const names[6] = {"p", "d", "q", "P", "D", "Q"};
	for (int i = 0; i < 6; i++)
		if (fc_buf_put_long(out, names[i], ord[i]))
			return fc_err_set(err, FC_ENOMEM, "out of memory");
	if (fc_buf_put_long(out, "m", (long)s->m) || fc_buf_put_long(out, "mean", s->mean) ||
	    fc_buf_put_long(out, "drift", s->drift) || fc_buf_put_long(out, "method", f->method) ||
	    fc_buf_put_long(out, "ncoef", (long)f->ncoef) ||
	    (f->ncoef && fc_buf_put_doubles(out, "coef", f->coef, f->ncoef)) ||
	    fc_buf_put_long(out, "nfree", (long)f->nfree) ||
	    fc_buf_put_double(out, "sigma2", f->sigma2) ||
	    fc_buf_put_double(out, "loglik", f->loglik) || fc_buf_put_double(out, "aic", f->aic) ||
	    fc_buf_put_double(out, "aicc", f->aicc) || fc_buf_put_double(out, "bic", f->bic) ||
	    fc_buf_put_long(out, "n", (long)f->n) || fc_buf_put_long(out, "nstar", (long)f->nstar) ||
	    fc_buf_put_long(out, "lead", (long)st->lead) ||
	    fc_buf_put_doubles(out, "a", f->a, f->rd) ||
	    fc_buf_put_doubles(out, "Pcov", f->P, f->rd * f->rd))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	if (st->fourier_k > 0 &&
	    (fc_buf_put_long(out, "fourier_k", st->fourier_k) ||
	     fc_buf_put_doubles(out, "fourier_periods", st->periods, st->n_periods)))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	if (st->n_user > 0 &&
	    (fc_buf_put_long(out, "xreg_n", (long)st->n_user) ||
	     fc_buf_put_long(out, "xreg_steps", (long)st->n_fut) ||
	     (st->n_fut && fc_buf_put_doubles(out, "xreg_future", st->fut, st->n_user * st->n_fut))))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* Whether the state text has key (optional keys of later versions). */
static int has_key(const fc_buf *in, const char *key)
{
	size_t kl = strlen(key);
	for (const char *c = in->data; c && (c = strstr(c, key)); c += kl)
		if ((c == in->data || c[-1] == ' ' || c[-1] == '\n') && c[kl] == '=')
			return 1;
	return 0;
}

static int arima_load(void *state, const fc_buf *in, fc_err *err)
{
	arima_state *st = state;
	fc_arima_fit f;
	memset(&f, 0, sizeof f);
	long ord[6], m, mean, drift, method, nfree, n, nstar, lead;
	static const char *const names[6] = {"p", "d", "q", "P", "D", "Q"};
	int rc;
	for (int i = 0; i < 6; i++)
		if ((rc = fc_buf_get_long(in, names[i], &ord[i], err)))
			return rc;
	if ((rc = fc_buf_get_long(in, "m", &m, err)) || (rc = fc_buf_get_long(in, "mean", &mean, err)) ||
	    (rc = fc_buf_get_long(in, "drift", &drift, err)) ||
	    (rc = fc_buf_get_long(in, "method", &method, err)) ||
	    (rc = fc_buf_get_long(in, "nfree", &nfree, err)) ||
	    (rc = fc_buf_get_double(in, "sigma2", &f.sigma2, err)) ||
	    (rc = fc_buf_get_double(in, "loglik", &f.loglik, err)) ||
	    (rc = fc_buf_get_double(in, "aic", &f.aic, err)) ||
	    (rc = fc_buf_get_double(in, "aicc", &f.aicc, err)) ||
	    (rc = fc_buf_get_double(in, "bic", &f.bic, err)) ||
	    (rc = fc_buf_get_long(in, "n", &n, err)) || (rc = fc_buf_get_long(in, "nstar", &nstar, err)) ||
	    (rc = fc_buf_get_long(in, "lead", &lead, err)))
		return rc;
	for (int i = 0; i < 6; i++)
		if (ord[i] < 0 || ord[i] > 60 || ((i == 1 || i == 4) && ord[i] > 3))
			return fc_err_set(err, FC_EFORMAT, "value '%s' is out of range", names[i]);
	if (m < 1 || m > ARIMA_MAX_M || (m == 1 && ord[3] + ord[4] + ord[5] > 0) || n < 1 || lead < 0 ||
	    nstar < 0 || nfree < 0 || method < 0 || method > 2 || !(f.sigma2 >= 0))
		return fc_err_set(err, FC_EFORMAT, "values 'm', 'n', 'lead', 'nstar', 'nfree', 'method' or "
		                  "'sigma2' are out of range");
	fc_arima_spec s = {(int)ord[0], (int)ord[1], (int)ord[2], (int)ord[3], (int)ord[4], (int)ord[5],
	                   (size_t)m, mean != 0, drift != 0};
	f.spec = s;
	f.method = (int)method;
	f.intercept = s.mean && s.d + s.D == 0;
	f.has_drift = s.drift;
	f.nfree = (size_t)nfree;
	f.n = (size_t)n;
	f.nstar = (size_t)nstar;
	size_t pp = (size_t)s.p + s.m * (size_t)s.P, qq = (size_t)s.q + s.m * (size_t)s.Q;
	size_t r = pp > qq + 1 ? pp : qq + 1;
	f.rd = r + (size_t)s.d + s.m * (size_t)s.D;
	/* Fourier regressors: written only when there are some */
	long fk = 0;
	double *per = NULL, lper[FC_MAX_SEASONS];
	size_t nper = 0;
	if (has_key(in, "fourier_k")) {
		if ((rc = fc_buf_get_long(in, "fourier_k", &fk, err)) ||
		    (rc = fc_buf_get_doubles(in, "fourier_periods", &per, &nper, err)))
			return rc;
		int ok = fk >= 1 && fk <= 50 && nper >= 1 && nper <= FC_MAX_SEASONS;
		for (size_t i = 0; ok && i < nper; i++)
			ok = per[i] > ARIMA_MAX_M && per[i] < 1e6;
		if (!ok) {
			free(per);
			return fc_err_set(err, FC_EFORMAT, "values 'fourier_k' or 'fourier_periods' are out of "
			                  "range");
		}
		memcpy(lper, per, nper * sizeof *per);
		free(per);
	}
	long xn = 0, xs = 0;
	double *xf = NULL;
	size_t nxf = 0;
	if (has_key(in, "xreg_n")) {
		if ((rc = fc_buf_get_long(in, "xreg_n", &xn, err)) ||
		    (rc = fc_buf_get_long(in, "xreg_steps", &xs, err)))
			return rc;
		if (xn < 1 || xn > FC_ARIMA_MAX_COEF || xs < 0 || xs > 100000000L)
			return fc_err_set(err, FC_EFORMAT, "values 'xreg_n' or 'xreg_steps' are out of range");
		if (xs > 0 && (rc = fc_buf_get_doubles(in, "xreg_future", &xf, &nxf, err)))
			return rc;
		if (nxf != (size_t)(xn * xs)) {
			free(xf);
			return fc_err_set(err, FC_EFORMAT, "value 'xreg_future' has the wrong length");
		}
	}
	f.nxreg = (fk ? fc_arima_fourier_count(lper, nper, (int)fk) : 0) + (size_t)xn;
	size_t nc = (size_t)(s.p + s.q + s.P + s.Q) + (size_t)f.intercept + (size_t)f.has_drift + f.nxreg;
	double *coef = NULL, *a = NULL, *P = NULL;
	size_t ncoef = 0, na, nP;
	long nc_saved;
	if ((rc = fc_buf_get_long(in, "ncoef", &nc_saved, err)) ||
	    (nc_saved != (long)nc &&
	     (rc = fc_err_set(err, FC_EFORMAT, "value 'ncoef' is %ld, expected %zu", nc_saved, nc))) ||
	    (nc && (rc = fc_buf_get_doubles(in, "coef", &coef, &ncoef, err))) ||
	    (rc = fc_buf_get_doubles(in, "a", &a, &na, err)) ||
	    (rc = fc_buf_get_doubles(in, "Pcov", &P, &nP, err))) {
		free(coef);
		free(a);
		free(xf);
		return rc;
	}
	rc = 0;
	if (ncoef != nc || nc > FC_ARIMA_MAX_COEF || na != f.rd || nP != f.rd * f.rd)
		rc = fc_err_set(err, FC_EFORMAT, "values 'coef', 'a' or 'P' have the wrong length");
	for (size_t i = 0; !rc && i < ncoef; i++)
		if (!isfinite(coef[i]))
			rc = fc_err_set(err, FC_EFORMAT, "value 'coef' has a non-finite value");
	for (size_t i = 0; !rc && i < na; i++)
		if (!isfinite(a[i]))
			rc = fc_err_set(err, FC_EFORMAT, "value 'a' has a non-finite value");
	for (size_t i = 0; !rc && i < nP; i++)
		if (!isfinite(P[i]))
			rc = fc_err_set(err, FC_EFORMAT, "value 'P' has a non-finite value");
	for (size_t i = 0; !rc && i < nxf; i++)
		if (isinf(xf[i]))
			rc = fc_err_set(err, FC_EFORMAT, "value 'xreg_future' has an infinite value");
	if (rc) {
		free(coef);
		free(a);
		free(P);
		free(xf);
		return rc;
	}
	if (nc)
		memcpy(f.coef, coef, nc * sizeof *coef);
	free(coef);
	f.ncoef = nc;
	f.a = a;
	f.P = P;
	fc_arima_fit_dispose(&st->fit);
	st->fit = f;
	st->lead = (size_t)lead;
	st->fourier_k = (int)fk;
	st->n_periods = nper;
	memcpy(st->periods, lper, nper * sizeof *lper);
	free(st->fut);
	st->fut = xf;
	st->n_user = (size_t)xn;
	st->n_fut = (size_t)xs;
	return 0;
}

static void arima_free(void *state)
{
	arima_state *st = state;
	fc_arima_fit_dispose(&st->fit);
	free(st->fut);
	st->fut = NULL;
}

/* What explain reports: the model chosen, its orders, every coefficient
 * under R's names (ar1.., ma1.., sar1.., sma1.., intercept, drift; the
 * regressors as fourier1.. and xreg1..), sigma2 and the criteria. */
static int arima_describe(const void *state, const void *params, fc_description *d)
{
	const arima_state *st = state;
	const fc_arima_fit *f = &st->fit;
	const fc_arima_spec *s = &f->spec;
	char name[96];
	fc_arima_spec_name(s, name, sizeof name);
	if (fc_description_text(d, "form", name))
		return -1;
	const int ord[6] = {s->p, s->d, s->q, s->P, s->D, s->Q};
	static const char *const ord_names[6] = {"p", "d", "q", "P", "D", "Q"};
	for (int i = 0; i < 6; i++)
		if (fc_description_num(d, ord_names[i], ord[i]))
			return -1;
	if (fc_description_num(d, "m", (double)s->m))
		return -1;
	/* the coefficients in coef's order, each block named by its prefix */
	const struct { const char *prefix; size_t n; } blocks[] = {
		{"ar", (size_t)s->p}, {"ma", (size_t)s->q}, {"sar", (size_t)s->P}, {"sma", (size_t)s->Q},
		{"intercept", (size_t)(f->intercept != 0)}, {"drift", (size_t)(f->has_drift != 0)},
		{"fourier", f->nxreg - st->n_user}, {"xreg", st->n_user},
	};
	size_t c = 0;
	for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++)
		for (size_t i = 0; i < blocks[b].n && c < f->ncoef; i++, c++) {
			int single = b == 4 || b == 5;
			if (single)
				snprintf(name, sizeof name, "%s", blocks[b].prefix);
			else
				snprintf(name, sizeof name, "%s%zu", blocks[b].prefix, i + 1);
			if (fc_description_num(d, name, f->coef[c]))
				return -1;
		}
	return fc_description_num(d, "sigma2", f->sigma2) ||
	       fc_description_num(d, "loglik", f->loglik) || fc_description_num(d, "aicc", f->aicc);
}

static const fc_model_type arima_type = {
	.name = "arima",
	.cost = 27.5,
	.summary = "seasonal ARIMA, orders chosen by the Hyndman-Khandakar search (AICc)",
	.params_size = sizeof(arima_params),
	.state_size = sizeof(arima_state),
	.default_params = arima_default_params,
	.set_param = arima_set_param,
	FC_SPACE_TABLE(arima_space),
	.save_params = arima_save_params,
	.min_length = arima_min_length,
	.warm_fit = arima_warm_fit,
	.fit = arima_fit,
	.forecast = arima_forecast_kind,
	.save = arima_save,
	.load = arima_load,
	.free = arima_free,
	.anchor = arima_anchor,
	.describe = arima_describe,
};
const fc_model_type *const fc_model_arima = &arima_type;
