/* Estimation and forecasting of one exponential smoothing state-space model
 * (ETS), shared by the `ets` kind (ets.c) and the Theta method (theta.c,
 * which needs R's ses(): ETS(A,N,N) fitted by mean squared error).  Private
 * to src/models/.
 *
 * See ets.c for the algorithm, references and departures from R. */
#ifndef FORECAST_ETS_H
#define FORECAST_ETS_H

#include <stddef.h>
#include "forecast/error.h"

/* Component types, numbered as in R's etscalc. */
enum { FC_ETS_N = 0, FC_ETS_A = 1, FC_ETS_M = 2 };

/* Largest seasonal period ETS handles (R's limit). */
#define FC_ETS_MAX_M 24
/* Level, trend and FC_ETS_MAX_M seasonal states. */
#define FC_ETS_MAX_STATE (2 + FC_ETS_MAX_M)

typedef struct fc_ets_spec {
	int error;  /* FC_ETS_A or FC_ETS_M */
	int trend;  /* FC_ETS_N or FC_ETS_A */
	int season; /* FC_ETS_N, FC_ETS_A or FC_ETS_M */
	int damped; /* 0 or 1 (only with a trend) */
	size_t m;   /* seasonal period, 2..FC_ETS_MAX_M; 1 when season is N */
} fc_ets_spec;

/* What the optimizer minimizes (R's opt.crit): "lik" (twice the negative
 * log-likelihood up to a constant) or "mse" (mean squared one-step error,
 * what R's ses() asks for). */
enum { FC_ETS_CRIT_LIK = 0, FC_ETS_CRIT_MSE = 1 };

/* A fitted model.  Plain data (no pointers): copy it with assignment. */
typedef struct fc_ets_fit {
	fc_ets_spec spec;
	double alpha, beta, gamma, phi; /* beta = 0 without trend, gamma = 0
	                                 * without season, phi = 1 undamped */
	size_t nstate;                  /* 1 + (trend) + m (season) */
	/* States [l, b, s_1 .. s_m] (s_1 the newest season) before the first
	 * observation (x_0) and after the last one (x_n). */
	double init[FC_ETS_MAX_STATE];
	double last[FC_ETS_MAX_STATE];
	size_t n;       /* observations fitted */
	size_t np;      /* R's length(par): smoothing parameters and initial
	                 * states, estimated or given */
	size_t np_est;  /* of which estimated (R's AIC counts these + 1) */
	double lik;     /* -2 log-likelihood + const: n log(SSE) [+ 2 sum log|mu|] */
	double loglik, aic, aicc, bic;
	double mse;     /* mean squared one-step error (relative errors for M) */
	double sigma2;  /* sum e^2 / (n - np), R's sigma2 */
} fc_ets_fit;

/* Smoothing parameters to hold fixed: NaN = estimate. */
typedef struct fc_ets_fixed {
	double alpha, beta, gamma, phi;
} fc_ets_fixed;

/* Fits the model spec to y[0..n) (no missing values) like R's etsmodel
 * (forecast 8.20) with bounds = "both": initial values from initparam and
 * initstate, Nelder-Mead on crit, then the final filter.  fixed may be NULL.
 *
 * Returns 0 and fills *out; FC_EMODEL with a reason when the model cannot
 * be fitted (too few observations for its parameters, fixed parameters out
 * of range, a likelihood that cannot be evaluated at the initial values,
 * non-positive data for multiplicative components); FC_ENOMEM.  *out is
 * untouched on failure. */
int fc_ets_estimate(const double *y, size_t n, const fc_ets_spec *spec, const fc_ets_fixed *fixed,
                    int crit, fc_ets_fit *out, fc_err *err);

/* Like fc_ets_estimate with every smoothing parameter of fit held fixed:
 * only the initial states are re-estimated on y (R's ets(y, model = fit)).
 * Replaces *fit on success; untouched on failure. */
int fc_ets_refit_states(const double *y, size_t n, fc_ets_fit *fit, fc_err *err);

/* Point forecasts mean[0..h) and forecast variances var[0..h) (NULL when not
 * wanted) from the end of the fit: Hyndman et al. (2008) classes 1-3.  For
 * multiplicative seasonality (class 3) the mean is the expected value, which
 * differs slightly from the point forecast.  FC_ENOMEM. */
int fc_ets_forecast(const fc_ets_fit *fit, size_t h, double *mean, double *var, fc_err *err);

/* The observations of s ready for fitting: leading missing values dropped,
 * interior ones filled by linear interpolation; trailing ones are not
 * returned but counted in *skip (the forecast starts that many steps after
 * the last observation).  *y is allocated (caller frees); *n >= 1.
 * FC_EMODEL when s has no observed value, FC_ENOMEM. */
int fc_ets_clean_series(const double *y, size_t n_in, double **out, size_t *n, size_t *skip,
                        const char *kind, fc_err *err);

/* "ETS(M,Ad,M)" style name of a spec into buf (at least 16 bytes). */
void fc_ets_spec_name(const fc_ets_spec *spec, char *buf, size_t cap);

#endif
