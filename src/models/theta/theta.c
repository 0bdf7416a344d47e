/* The standard Theta method: the `theta` kind, R's forecast::thetaf.
 *
 * Assimakopoulos & Nikolopoulos (2000), "The theta model: a decomposition
 * approach to forecasting", IJF 16(4) 521-530, in the form shown by
 * Hyndman & Billah (2003), "Unmasking the Theta method", IJF 19(2) 287-290:
 * simple exponential smoothing with drift equal to half the slope of a
 * least-squares line.  As forecast 8.20's thetaf:
 *
 *   1. seasonal test (m >= 2, n > 2m, y not constant): |r_m| >
 *      1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n) (fc_seasonal_test); when
 *      seasonal, y is divided by the indices of a classical multiplicative
 *      decomposition (fc_classical_multiplicative), unless one of them is
 *      below 1e-4 in absolute value;
 *   2. SES on the (adjusted) series as R's ses(): ETS(A,N,N) with the
 *      initial level estimated, by Nelder-Mead on the mean squared error
 *      (fc_ets_estimate, FC_ETS_CRIT_MSE), giving alpha, the final level l
 *      and sigma2 = SSE / (n - 2);
 *   3. b = half the slope of the least-squares line of the adjusted series
 *      on time; for step i = 1..h
 *
 *        mean_i = l + b ((i - 1) + (1 - (1 - alpha)^n) / alpha),
 *        sd_i   = sqrt(sigma2) sqrt((i - 1) alpha^2 + 1),
 *
 *      both times the seasonal index of the step when seasonal (the bounds
 *      are the reseasonalized mean -/+ z sd, unscaled, as R does).
 *
 * Missing values: as ets (leading dropped, interior interpolated linearly,
 * trailing forecast over).  Departures from R: for n <= 6 R's ses() falls
 * back to HoltWinters-style smoothing (first value as the initial level,
 * L-BFGS-B); we keep the ETS(A,N,N) fit down to n = 4 (min_length).  When
 * the decomposition gives a non-positive or undefined index (series with
 * zeros or negative values) R stops with an error; we fall back to the
 * non-seasonal method, as R does for indices near zero.  There is no
 * re-anchoring: predict refits (the fit is a few hundred filter passes). */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"
#include "models/ets/ets.h"
#include "models/decompose/seasadj.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Largest seasonal period accepted for the adjustment. */
#define MAX_PERIOD 100000

typedef struct theta_state {
	double level;  /* SES level at the end of the fit */
	double alpha;  /* max(1e-10, SES alpha) */
	double drift;  /* b: half the OLS slope */
	double sigma2; /* SES residual variance */
	size_t n;      /* observations fitted */
	size_t m;      /* seasonal period; 1 when not adjusted */
	double *index; /* m seasonal indices (NULL when m == 1) */
	size_t skip;   /* trailing missing values: forecast steps to drop */
} theta_state;

static int theta_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return fc_err_set(err, FC_EINVAL, "model 'theta' has no parameter '%s'; it has none", key);
}

static size_t theta_min_length(const void *params, const fc_series *y)
{
	return 4;
}

/* Slope of the least-squares line of x on 0..n-1. */
static double ols_slope(const double *x, size_t n)
{
	double tbar = ((double)n - 1) / 2, xbar = 0;
	for (size_t t = 0; t < n; t++)
		xbar += x[t];
	xbar /= (double)n;
	double sxy = 0, stt = 0;
	for (size_t t = 0; t < n; t++) {
		double dt = (double)t - tbar;
		sxy += dt * (x[t] - xbar);
		stt += dt * dt;
	}
	return stt > 0 ? sxy / stt : 0;
}

static int theta_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	theta_state *st = state;
	double *x, *index = NULL;
	size_t n, skip;
	int rc = fc_ets_clean_series(y->y, y->n, &x, &n, &skip, "theta", err);
	if (rc)
		return rc;
	if (n < 4) {
		rc = fc_err_set(err, FC_EMODEL, "model 'theta': needs at least 4 observations, got %zu", n);
		goto out;
	}
	size_t m = fc_series_period(y);
	if (m > MAX_PERIOD)
		m = 1;
	if (m >= 2 && fc_seasonal_test(x, n, m)) {
		index = malloc(m * sizeof *index);
		if (!index) {
			rc = fc_err_set(err, FC_ENOMEM, "model 'theta': out of memory");
			goto out;
		}
		int ok = fc_classical_multiplicative(x, n, m, index, NULL) == 0;
		for (size_t j = 0; ok && j < m; j++)
			if (fabs(index[j]) < 1e-4)
				ok = 0;
		if (ok) {
			for (size_t t = 0; t < n; t++)
				x[t] /= index[t % m];
		} else {
			free(index);
			index = NULL;
		}
	}
	fc_ets_spec sp = {FC_ETS_A, FC_ETS_N, FC_ETS_N, 0, 1};
	fc_ets_fit ses;
	if ((rc = fc_ets_estimate(x, n, &sp, NULL, FC_ETS_CRIT_MSE, &ses, err))) {
		fc_err_prefix(err, "model 'theta': simple exponential smoothing: ");
		goto out;
	}
	st->level = ses.last[0];
	st->alpha = ses.alpha > 1e-10 ? ses.alpha : 1e-10;
	st->drift = ols_slope(x, n) / 2;
	st->sigma2 = ses.sigma2;
	st->n = n;
	st->m = index ? m : 1;
	st->index = index;
	index = NULL;
	st->skip = skip;
out:
	free(index);
	free(x);
	return rc;
}

static int theta_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	const theta_state *st = state;
	double *sd = malloc(out->h * sizeof *sd);
	if (!sd)
		return fc_err_set(err, FC_ENOMEM, "model 'theta': out of memory");
	double a = st->alpha, c = (1 - pow(1 - a, (double)st->n)) / a;
	for (size_t j = 0; j < out->h; j++) {
		double i = (double)(st->skip + j); /* steps after the first */
		double mean = st->level + st->drift * (i + c);
		if (st->index)
			mean *= st->index[(st->n + st->skip + j) % st->m];
		out->mean[j] = mean;
		sd[j] = sqrt(st->sigma2) * sqrt(i * a * a + 1);
	}
	fc_forecast_normal_bounds(out, sd);
	free(sd);
	return 0;
}

static int theta_save(const void *state, fc_buf *out, fc_err *err)
{
	const theta_state *st = state;
	if (fc_buf_put_double(out, "level", st->level) ||
	    fc_buf_put_double(out, "alpha", st->alpha) ||
	    fc_buf_put_double(out, "drift", st->drift) ||
	    fc_buf_put_double(out, "sigma2", st->sigma2) ||
	    fc_buf_put_long(out, "n", (long)st->n) ||
	    fc_buf_put_long(out, "m", (long)st->m) ||
	    (st->index && fc_buf_put_doubles(out, "index", st->index, st->m)) ||
	    fc_buf_put_long(out, "skip", (long)st->skip))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int theta_load(void *state, const fc_buf *in, fc_err *err)
{
	theta_state *st = state;
	double level, alpha, drift, sigma2, *index = NULL;
	long n, m, skip;
	int rc;
	if ((rc = fc_buf_get_double(in, "level", &level, err)) ||
	    (rc = fc_buf_get_double(in, "alpha", &alpha, err)) ||
	    (rc = fc_buf_get_double(in, "drift", &drift, err)) ||
	    (rc = fc_buf_get_double(in, "sigma2", &sigma2, err)) ||
	    (rc = fc_buf_get_long(in, "n", &n, err)) ||
	    (rc = fc_buf_get_long(in, "m", &m, err)) ||
	    (rc = fc_buf_get_long(in, "skip", &skip, err)))
		return rc;
	if (!isfinite(level) || !isfinite(drift))
		return fc_err_set(err, FC_EFORMAT, "values 'level' and 'drift' must be finite");
	if (!(alpha > 0 && alpha <= 1))
		return fc_err_set(err, FC_EFORMAT, "value 'alpha' is out of range");
	if (!(isnan(sigma2) || (sigma2 >= 0 && isfinite(sigma2))))
		return fc_err_set(err, FC_EFORMAT, "value 'sigma2' is out of range");
	if (n < 1 || m < 1 || m > MAX_PERIOD || skip < 0 || skip > 1000000000L)
		return fc_err_set(err, FC_EFORMAT, "values 'n', 'm' or 'skip' are out of range");
	if (m > 1) {
		size_t k;
		if ((rc = fc_buf_get_doubles(in, "index", &index, &k, err)))
			return rc;
		int ok = k == (size_t)m;
		for (size_t j = 0; ok && j < k; j++)
			ok = isfinite(index[j]) && index[j] > 0;
		if (!ok) {
			free(index);
			return fc_err_set(err, FC_EFORMAT,
			                  "value 'index' must have %ld positive finite values", m);
		}
	}
	st->level = level;
	st->alpha = alpha;
	st->drift = drift;
	st->sigma2 = sigma2;
	st->n = (size_t)n;
	st->m = (size_t)m;
	st->index = index;
	st->skip = (size_t)skip;
	return 0;
}

static void theta_free(void *state)
{
	theta_state *st = state;
	free(st->index);
	st->index = NULL;
}

/* What explain reports: theta (2 in this method), the SES weight and final
 * level, the drift b, the residual variance and the seasonal period the
 * series was adjusted for (1: not adjusted). */
static int theta_describe(const void *state, const void *params, fc_description *d)
{
	const theta_state *st = state;
	return fc_description_num(d, "theta", 2) || fc_description_num(d, "alpha", st->alpha) ||
	       fc_description_num(d, "level", st->level) || fc_description_num(d, "drift", st->drift) ||
	       fc_description_num(d, "sigma2", st->sigma2) ||
	       fc_description_num(d, "seasonal_period", (double)st->m);
}

static const fc_model_type theta_type = {
	.name = "theta",
	.cost = 0.3,
	.summary = "Theta method: exponential smoothing with half the linear trend (R's thetaf)",
	.params_size = 0,
	.state_size = sizeof(theta_state),
	.default_params = NULL,
	.set_param = theta_set_param,
	.save_params = NULL,
	.min_length = theta_min_length,
	.fit = theta_fit,
	.forecast = theta_forecast,
	.save = theta_save,
	.load = theta_load,
	.free = theta_free,
	.anchor = NULL,
	.describe = theta_describe,
};
const fc_model_type *const fc_model_theta = &theta_type;
