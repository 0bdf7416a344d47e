/* The random-walk baselines: naive (last value), snaive (value one season
 * earlier) and drift (random walk with drift: the line through the first and
 * last observations, extended).
 *
 * All three are R's "lag walk" y[t] = y[t-L] + b + e[t] (L = 1, or the
 * seasonal period m; b = 0 except for drift), as in Hyndman &
 * Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed. (2021),
 * section 5.2 and 5.5 (table 5.2), and as implemented by R's forecast package
 * 8.20 (lagwalk, forecast.lagwalk; naive, snaive, rwf(drift = TRUE)).
 * With k the number of residuals e[t] = y[t] - y[t-L] - b and SS their sum
 * of squares, R's forecast.lagwalk uses, for step i = 1..h,
 *
 *     s     = floor((i - 1) / L) + 1          (whole seasons ahead)
 *     mean  = y[n - L + (i-1) mod L] + s * b
 *     sigma2 = SS / k        (naive, snaive: mean squared residual)
 *     sigma2 = SS / (k - 1)  (drift: lm()'s residual variance)
 *     b.se  = sqrt(sigma2 / k)                (drift; 0 otherwise)
 *     sd    = sqrt(sigma2 * s + (s * b.se)^2)
 *     lo/hi = mean -/+ qnorm(0.5 + level/200) * sd
 *
 * and so do we.  (R divides by k rather than k - 1 for drift when the fitted
 * slope is exactly 0, e.g. a constant series; we do not copy that quirk.)
 *
 * Missing values (NaN).  The forecast uses, for each season position, the
 * last observed value in that position (R fills forward the same way).  A
 * difference y[t] - y[s] across g = (t - s)/L lags spans g steps of the walk:
 * the slope is b = sum of differences / sum of g, i.e. (last - first
 * observation) / (time between them) for drift, and each residual is
 * scaled to one step, e[t] = (y[t] - y[s] - g b) / sqrt(g), with b.se =
 * sqrt(sigma2 / sum of g).  With no missing values this is exactly R's
 * estimator; with gaps R counts a difference across a gap as one step, which
 * inflates sigma and, for drift, mis-scales the slope.
 *
 * Failures and limits (FC_EMODEL): no observed value at all; drift with
 * fewer than 2 observations; snaive on a series shorter than one season, on
 * a non-seasonal series (period < 2, where min_length is 0), or where a
 * season position has no observed value (we refuse rather than silently
 * substitute another position's value).  When sigma cannot be estimated --
 * no residual (one observation; snaive with exactly one season), or for
 * drift fewer than 2 residuals -- the point forecasts are given and the
 * interval bounds are NaN: the caller decides what to do with them. */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Largest accepted seasonal period. */
#define MAX_PERIOD 1000000L

typedef struct walk_state {
	size_t lag;     /* L */
	double *future; /* L values: the last observation of each season position */
	double drift;   /* b */
	double drift_se;
	double sigma2;  /* NaN when not estimable */
} walk_state;

typedef struct snaive_params {
	long period; /* 0 = the series' primary period */
} snaive_params;

/* Fits the lag walk of lag L (with drift or not) to y; see the top comment. */
static int walk_fit(walk_state *st, const fc_series *y, size_t L, int with_drift,
                    const char *name, fc_err *err)
{
	size_t n_obs = 0;
	for (size_t t = 0; t < y->n; t++)
		if (!isnan(y->y[t]))
			n_obs++;
	if (n_obs == 0)
		return fc_err_set(err, FC_EMODEL, "model '%s': the series has no observed values (%zu missing)",
		                  name, y->n);
	if (with_drift && n_obs < 2)
		return fc_err_set(err, FC_EMODEL, "model '%s': needs at least 2 observed values, got %zu",
		                  name, n_obs);
	if (y->n < L)
		return fc_err_set(err, FC_EMODEL,
		                  "model '%s': needs at least one full season (%zu values), got %zu",
		                  name, L, y->n);

	int rc = 0;
	size_t *prev = malloc(L * sizeof *prev);
	st->future = malloc(L * sizeof *st->future);
	if (!prev || !st->future) {
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
		goto out;
	}
	st->lag = L;

	/* Pass 1: last observation per position; slope from the differences. */
	double sum_d = 0, sum_g = 0;
	size_t k = 0;
	for (size_t p = 0; p < L; p++)
		prev[p] = (size_t)-1;
	for (size_t t = 0; t < y->n; t++) {
		if (isnan(y->y[t]))
			continue;
		size_t p = t % L;
		if (prev[p] != (size_t)-1) {
			sum_d += y->y[t] - y->y[prev[p]];
			sum_g += (double)((t - prev[p]) / L);
			k++;
		}
		prev[p] = t;
	}
	for (size_t p = 0; p < L; p++) {
		if (prev[p] == (size_t)-1) {
			rc = fc_err_set(err, FC_EMODEL,
			                "model '%s': no observation for season position %zu of %zu",
			                name, p + 1, L);
			goto out;
		}
	}
	/* R's future = tail(y, L) with forward filling per position. */
	for (size_t j = 0; j < L; j++)
		st->future[j] = y->y[prev[(y->n - L + j) % L]];
	st->drift = with_drift ? sum_d / sum_g : 0;

	/* Pass 2: residuals scaled to one lag step. */
	double ss = 0;
	for (size_t p = 0; p < L; p++)
		prev[p] = (size_t)-1;
	for (size_t t = 0; t < y->n; t++) {
		if (isnan(y->y[t]))
			continue;
		size_t p = t % L;
		if (prev[p] != (size_t)-1) {
			double g = (double)((t - prev[p]) / L);
			double e = (y->y[t] - y->y[prev[p]] - g * st->drift) / sqrt(g);
			ss += e * e;
		}
		prev[p] = t;
	}
	if (with_drift) {
		st->sigma2 = k >= 2 ? ss / (double)(k - 1) : NAN;
		st->drift_se = sqrt(st->sigma2 / sum_g);
	} else {
		st->sigma2 = k >= 1 ? ss / (double)k : NAN;
		st->drift_se = 0;
	}
out:
	free(prev);
	return rc;
}

static int walk_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	const walk_state *st = state;
	double *sd = malloc(out->h * sizeof *sd);
	if (!sd)
		return fc_err_set(err, FC_ENOMEM, "forecast: out of memory");
	for (size_t i = 0; i < out->h; i++) {
		double s = (double)(i / st->lag + 1);
		out->mean[i] = st->future[i % st->lag] + s * st->drift;
		sd[i] = sqrt(st->sigma2 * s + (s * st->drift_se) * (s * st->drift_se));
	}
	fc_forecast_normal_bounds(out, sd);
	free(sd);
	return 0;
}

static int walk_save(const void *state, fc_buf *out, fc_err *err)
{
	const walk_state *st = state;
	if (fc_buf_put_long(out, "lag", (long)st->lag) ||
	    fc_buf_put_doubles(out, "future", st->future, st->lag) ||
	    fc_buf_put_double(out, "drift", st->drift) ||
	    fc_buf_put_double(out, "drift_se", st->drift_se) ||
	    fc_buf_put_double(out, "sigma2", st->sigma2))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* Reads and checks a saved state; with_drift = 0 requires drift == 0. */
static int walk_load(walk_state *st, const fc_buf *in, int seasonal, int with_drift, fc_err *err)
{
	long lag;
	double *future = NULL;
	size_t n_future;
	double drift, drift_se, sigma2;
	int rc;
	if ((rc = fc_buf_get_long(in, "lag", &lag, err)) ||
	    (rc = fc_buf_get_double(in, "drift", &drift, err)) ||
	    (rc = fc_buf_get_double(in, "drift_se", &drift_se, err)) ||
	    (rc = fc_buf_get_double(in, "sigma2", &sigma2, err)))
		return rc;
	if (seasonal ? (lag < 2 || lag > MAX_PERIOD) : lag != 1)
		return fc_err_set(err, FC_EFORMAT, "value 'lag' is out of range: %ld", lag);
	if (!isfinite(drift) || (!with_drift && drift != 0))
		return fc_err_set(err, FC_EFORMAT, "value 'drift' is out of range");
	if (!(isnan(drift_se) || (drift_se >= 0 && isfinite(drift_se))) || (!with_drift && drift_se != 0))
		return fc_err_set(err, FC_EFORMAT, "value 'drift_se' is out of range");
	if (!(isnan(sigma2) || (sigma2 >= 0 && isfinite(sigma2))))
		return fc_err_set(err, FC_EFORMAT, "value 'sigma2' is out of range");
	if ((rc = fc_buf_get_doubles(in, "future", &future, &n_future, err)))
		return rc;
	if (n_future != (size_t)lag) {
		free(future);
		return fc_err_set(err, FC_EFORMAT, "value 'future' has %zu values, expected %ld",
		                  n_future, lag);
	}
	for (size_t j = 0; j < n_future; j++) {
		if (!isfinite(future[j])) {
			free(future);
			return fc_err_set(err, FC_EFORMAT, "value 'future' has a non-finite value");
		}
	}
	st->lag = (size_t)lag;
	st->future = future;
	st->drift = drift;
	st->drift_se = drift_se;
	st->sigma2 = sigma2;
	return 0;
}

static void walk_free(void *state)
{
	walk_state *st = state;
	free(st->future);
	st->future = NULL;
}

/* ---- naive ---------------------------------------------------------------- */

static int naive_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return fc_err_set(err, FC_EINVAL, "model 'naive' has no parameter '%s'; it has none", key);
}

static size_t naive_min_length(const void *params, const fc_series *y)
{
	return 1;
}

static int naive_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return walk_fit(state, y, 1, 0, "naive", err);
}

static int naive_load(void *state, const fc_buf *in, fc_err *err)
{
	return walk_load(state, in, 0, 0, err);
}

/* What explain reports of the walks: the value continued (snaive: its
 * lag, as it continues a whole season), the slope and the one-step
 * variance. */
static int naive_describe(const void *state, const void *params, fc_description *d)
{
	const walk_state *st = state;
	return fc_description_num(d, "last", st->future[0]) ||
	       fc_description_num(d, "sigma2", st->sigma2);
}

static const fc_model_type naive_type = {
	.name = "naive",
	.summary = "last observed value (random walk)",
	.params_size = 0,
	.state_size = sizeof(walk_state),
	.default_params = NULL,
	.set_param = naive_set_param,
	.save_params = NULL,
	.min_length = naive_min_length,
	.fit = naive_fit,
	.forecast = walk_forecast,
	.save = walk_save,
	.load = naive_load,
	.free = walk_free,
	.describe = naive_describe,
};
const fc_model_type *const fc_model_naive = &naive_type;

/* ---- snaive --------------------------------------------------------------- */

static void snaive_default_params(void *params)
{
	((snaive_params *)params)->period = 0;
}

static int snaive_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	if (strcmp(key, "period") != 0)
		return fc_err_set(err, FC_EINVAL, "model 'snaive' has no parameter '%s'; it has: period", key);
	long v;
	if (fc_param_parse_count(val, MAX_PERIOD, &v) || v == 1)
		return fc_err_set(err, FC_EINVAL,
		                  "model 'snaive': parameter 'period' must be 0 (the series' period) "
		                  "or an integer from 2 to %ld, got '%s'", MAX_PERIOD, val);
	((snaive_params *)params)->period = v;
	return 0;
}

static int snaive_save_params(const void *params, fc_buf *out, fc_err *err)
{
	if (fc_buf_put_long(out, "period", ((const snaive_params *)params)->period))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* The lag: the period parameter, or the series' primary period (1 when the
 * series is not seasonal, or unknown). */
static size_t snaive_lag(const snaive_params *p, const fc_series *y)
{
	if (p->period > 0)
		return (size_t)p->period;
	return y ? fc_series_period(y) : 1;
}

static size_t snaive_min_length(const void *params, const fc_series *y)
{
	size_t L = snaive_lag(params, y);
	return L >= 2 ? L : 0;
}

static int snaive_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	size_t L = snaive_lag(params, y);
	if (L < 2)
		return fc_err_set(err, FC_EMODEL,
		                  "model 'snaive': the series has no seasonal period of at least 2 "
		                  "(set one with period=)");
	return walk_fit(state, y, L, 0, "snaive", err);
}

static int snaive_load(void *state, const fc_buf *in, fc_err *err)
{
	return walk_load(state, in, 1, 0, err);
}

static int snaive_describe(const void *state, const void *params, fc_description *d)
{
	const walk_state *st = state;
	return fc_description_num(d, "period", (double)st->lag) ||
	       fc_description_num(d, "sigma2", st->sigma2);
}

static const fc_model_type snaive_type = {
	.name = "snaive",
	.summary = "seasonal naive: the value one season earlier",
	.params_size = sizeof(snaive_params),
	.state_size = sizeof(walk_state),
	.default_params = snaive_default_params,
	.set_param = snaive_set_param,
	.save_params = snaive_save_params,
	.min_length = snaive_min_length,
	.fit = snaive_fit,
	.forecast = walk_forecast,
	.save = walk_save,
	.load = snaive_load,
	.free = walk_free,
	.describe = snaive_describe,
};
const fc_model_type *const fc_model_snaive = &snaive_type;

/* ---- drift ---------------------------------------------------------------- */

static int drift_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return fc_err_set(err, FC_EINVAL, "model 'drift' has no parameter '%s'; it has none", key);
}

static size_t drift_min_length(const void *params, const fc_series *y)
{
	return 2;
}

static int drift_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return walk_fit(state, y, 1, 1, "drift", err);
}

static int drift_load(void *state, const fc_buf *in, fc_err *err)
{
	return walk_load(state, in, 0, 1, err);
}

static int drift_describe(const void *state, const void *params, fc_description *d)
{
	const walk_state *st = state;
	return fc_description_num(d, "drift", st->drift) ||
	       fc_description_num(d, "drift_se", st->drift_se) ||
	       fc_description_num(d, "last", st->future[0]) ||
	       fc_description_num(d, "sigma2", st->sigma2);
}

static const fc_model_type drift_type = {
	.name = "drift",
	.summary = "random walk with drift: the line through the first and last values",
	.params_size = 0,
	.state_size = sizeof(walk_state),
	.default_params = NULL,
	.set_param = drift_set_param,
	.save_params = NULL,
	.min_length = drift_min_length,
	.fit = drift_fit,
	.forecast = walk_forecast,
	.save = walk_save,
	.load = drift_load,
	.free = walk_free,
	.describe = drift_describe,
};
const fc_model_type *const fc_model_drift = &drift_type;
