/* Estimation and forecasting of one seasonal ARIMA model with an optional
 * mean or drift, shared by the `arima` kind's order search
 * (arima_search.c).  Private to src/models/arima/.
 *
 * See arima.c for the algorithm, references and departures from R. */
#ifndef FORECAST_ARIMA_H
#define FORECAST_ARIMA_H

#include <stddef.h>
#include "forecast/error.h"

/* Most coefficients: ar, ma, sar, sma, intercept, drift, regressors. */
#define FC_ARIMA_MAX_COEF 64

/* ARIMA(p,d,q)(P,D,Q)m.  m is 1 when P = D = Q = 0. */
typedef struct fc_arima_spec {
	int p, d, q, P, D, Q;
	size_t m;
	int mean;  /* intercept; used only when d + D == 0 (as R's include.mean) */
	int drift; /* regressor 1..n (R's include.drift; forecast::Arima) */
} fc_arima_spec;

/* R's `method` of stats::arima. */
enum { FC_ARIMA_CSS_ML = 0, FC_ARIMA_ML = 1, FC_ARIMA_CSS = 2 };
/* Or'ed into the method: skip the filtered state (a = P = NULL) where no
 * forecast will be made, e.g. the approximate fits of the order search.
 * Only CSS fits save work by it (ML fits run the filter anyway). */
enum { FC_ARIMA_NO_STATE = 8 };

/* A fitted model.  a and P are owned (fc_arima_fit_dispose). */
typedef struct fc_arima_fit {
	fc_arima_spec spec;
	int method;                      /* as used (CSS-ML becomes ML with gaps) */
	size_t ncoef;                    /* p + q + P + Q + intercept + drift */
	double coef[FC_ARIMA_MAX_COEF];  /* ar1..p, ma1..q, sar1..P, sma1..Q,
	                                  * intercept, drift */
	size_t nfree;                    /* estimated coefficients (R's sum(mask)) */
	int intercept, has_drift;        /* columns present in coef */
	size_t nxreg;                    /* external regressors: the last nxreg of coef */
	double loglik, aic, aicc, bic;   /* aic of a CSS fit: NaN (as R) */
	double sigma2;                   /* forecast::Arima's: sum resid^2 / (nstar - npar + 1) */
	double sigma2_ss;                /* stats::arima's: ssq / n.used (CSS: ssq / nu) */
	size_t n;                        /* length of y (missing values included) */
	size_t n_used;                   /* observed values - length(Delta) */
	size_t nstar;                    /* observed span - d - D m */
	int converged;                   /* optim code == 0 */
	/* Kalman filter state after the last value (for forecasting): */
	size_t rd;                       /* r + d + D m */
	double *a;                       /* rd */
	double *P;                       /* rd x rd */
} fc_arima_fit;

/* Fits spec to y[0..n) (NaN = missing) as R's stats::arima(method =) with
 * transform.pars = TRUE, called the way forecast::Arima calls it
 * (include.drift adds the regressor 1..n).  xreg (may be NULL when nx is
 * 0): nx external regressors, column-major n x nx, aligned with y
 * (regression with ARIMA errors; their coefficients come last in coef).
 * fixed (may be NULL) holds ncoef values in coef's order, NaN = estimate.
 *
 * 0 and *out filled; FC_EMODEL with a reason when R's arima would stop
 * (non-stationary AR part from CSS, too few observations, a non-finite
 * objective or gradient); FC_ENOMEM.  *out untouched on failure. */
int fc_arima_estimate(const double *y, size_t n, const double *xreg, size_t nx,
                      const fc_arima_spec *spec, int method, const double *fixed, fc_arima_fit *out,
                      fc_err *err);

/* Point forecasts and forecast variances (sigma2 included) for steps
 * 1..h after the end of the fit (R's predict.Arima).  var may be NULL.
 * xfuture: the regressors' values for the h steps (column-major h x
 * nxreg); NULL only when the fit has none (else FC_EINVAL). */
int fc_arima_forecast(const fc_arima_fit *fit, size_t h, const double *xfuture, double *mean,
                      double *var, fc_err *err);

/* Runs the Kalman filter of fit's coefficients over y[0..n) (newer data
 * of the same series, with its regressors xreg as in fc_arima_estimate),
 * replacing the final state: forecasts then start after y.  Coefficients
 * and sigma2 are kept.  FC_EMODEL, FC_EINVAL, FC_ENOMEM. */
int fc_arima_anchor(fc_arima_fit *fit, const double *y, size_t n, const double *xreg, fc_err *err);

/* Smallest modulus of the roots of the expanded AR and MA polynomials
 * (2 when there are none), as forecast's myarima checks (|x| > 1e-8). */
double fc_arima_min_root(const fc_arima_fit *fit);

/* forecast's checkarima on a fit of y[0..n) with every coefficient
 * estimated: recomputes R's optim Hessian at the estimate (central
 * differences of the numerical gradient, in the optimizer's
 * parameterization) and the coefficient covariance R derives from it.
 * 1 when R would reject the fit: the Hessian is not finite or is singular
 * (R's arima stops), or a variance is negative or NaN (NaN standard
 * errors); 0 when it passes; FC_ENOMEM. */
int fc_arima_se_check(const double *y, size_t n, const double *xreg, const fc_arima_fit *fit);

/* Copies src into *dst (deep).  FC_ENOMEM. */
int fc_arima_fit_copy(fc_arima_fit *dst, const fc_arima_fit *src);
void fc_arima_fit_dispose(fc_arima_fit *fit);

/* "ARIMA(2,1,1)(0,1,1)[12] with drift" into buf. */
void fc_arima_spec_name(const fc_arima_spec *spec, char *buf, size_t cap);

/* Fourier terms for long seasonal periods (arima_fourier.c). */

/* Columns of K sin/cos pairs per period (R's fourier(): sin(2 pi k t / P),
 * cos(2 pi k t / P), k = 1..K, the sine dropped where 2k = P as it is
 * zero; pairs with k > P / 2 left out), period by period, at positions
 * t = t0 + 1 .. t0 + len, into X (len x count, column-major). */
void fc_arima_fourier_columns(const double *periods, size_t np, int K, size_t t0, size_t len,
                              double *X);
/* The number of those columns. */
size_t fc_arima_fourier_count(const double *periods, size_t np, int K);

/* Chooses K (0..kmax Fourier pairs per period, or kfix when kfix >= 0,
 * lowered if the data cannot carry it) by the AICc of the regression of
 * the d-differenced y[0..n) on a constant (d <= 1), the nu known
 * regressors xu (n x nu, column-major) and the Fourier columns, by
 * feasible GLS with AR errors.  Writes *K and z[0..n): y minus the fitted
 * known and Fourier regressors (the series whose ARMA order is searched).
 * 0; 1 when the known regressors alone cannot be fitted; -1 out of memory. */
int fc_arima_fourier_select(const double *y, size_t n, int d, const double *periods, size_t np,
                            int kfix, int kmax, const double *xu, size_t nu, int *K, double *z);

/* KPSS level-stationarity statistic (Kwiatkowski et al. 1992) with the
 * Bartlett window of `lags` lags, as urca::ur.kpss(type = "mu"). */
double fc_kpss_stat(const double *x, size_t n, size_t lags);

#endif
