/* The average baselines: mean (the historical mean) and window (the mean of
 * the last `size` observations).
 *
 * mean is Hyndman & Athanasopoulos, "Forecasting: Principles and Practice",
 * 3rd ed. (2021), section 5.2 (average method) with the interval of section
 * 5.5, table 5.2, as implemented by R's forecast package 8.20 (meanf):
 * with n observations, sample mean ybar and sample standard deviation s
 * (denominator n - 1, R's sd()), every step i = 1..h gets
 *
 *     mean  = ybar
 *     lo/hi = ybar -/+ qt(0.5 + level/200, n - 1) * s * sqrt(1 + 1/n)
 *
 * (Student's t quantile with n - 1 degrees of freedom, not the normal one).
 *
 * window applies the same formula to the last `size` observations only: a
 * moving average whose level and spread follow the recent past.  This is
 * our own baseline (R has no equivalent; it is meanf on tail(y, size)).
 * Parameter size = 0 (the default) means: the series' primary period when
 * it is at least 2 (average over one season), else 3.
 *
 * Missing values (NaN) are ignored: n counts observed values only, and the
 * window holds the last `size` observed values (fewer when the series has
 * fewer, so min_length is 1).  R's meanf instead counts missing values in n
 * (degrees of freedom and the 1/n term); we do not, since they carry no
 * information.  No observed value at all is FC_EMODEL.  With one value
 * (n = 1) the spread cannot be estimated: the point forecast is given and
 * the bounds are NaN (R gives NA too).  A constant series gives s = 0 and
 * zero-width intervals. */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/* Largest accepted window. */
#define MAX_SIZE 100000000L

typedef struct avg_state {
	double mean;
	double sd;  /* NaN when n < 2 */
	size_t n;   /* observations averaged */
} avg_state;

typedef struct window_params {
	long size; /* 0 = auto: the primary period when >= 2, else 3 */
} window_params;

/* Fits to the last `size` observed values of y (all of them when size is 0
 * or exceeds their number). */
static int avg_fit(avg_state *st, const fc_series *y, size_t size, const char *name, fc_err *err)
{
	size_t n_obs = 0;
	for (size_t t = 0; t < y->n; t++)
		if (!isnan(y->y[t]))
			n_obs++;
	if (n_obs == 0)
		return fc_err_set(err, FC_EMODEL, "model '%s': the series has no observed values (%zu missing)",
		                  name, y->n);
	size_t n = size && size < n_obs ? size : n_obs;
	double *x = malloc(n * sizeof *x);
	if (!x)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
	size_t j = n;
	for (size_t t = y->n; t-- > 0 && j > 0;)
		if (!isnan(y->y[t]))
			x[--j] = y->y[t];
	st->n = n;
	st->mean = gsl_stats_mean(x, 1, n);
	st->sd = n >= 2 ? gsl_stats_sd_m(x, 1, n, st->mean) : NAN;
	free(x);
	return 0;
}

static int avg_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	const avg_state *st = state;
	for (size_t i = 0; i < out->h; i++)
		out->mean[i] = st->mean;
	for (size_t l = 0; l < out->n_levels; l++) {
		double w = NAN;
		if (st->n >= 2 && !isnan(st->sd)) {
			double t = gsl_cdf_tdist_Pinv(0.5 + out->levels[l] / 200, (double)(st->n - 1));
			w = t * st->sd * sqrt(1 + 1 / (double)st->n);
		}
		for (size_t i = 0; i < out->h; i++) {
			out->lo[l * out->h + i] = st->mean - w;
			out->hi[l * out->h + i] = st->mean + w;
		}
	}
	return 0;
}

static int avg_save(const void *state, fc_buf *out, fc_err *err)
{
	const avg_state *st = state;
	if (fc_buf_put_double(out, "mean", st->mean) ||
	    fc_buf_put_double(out, "sd", st->sd) ||
	    fc_buf_put_long(out, "n", (long)st->n))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int avg_load(void *state, const fc_buf *in, fc_err *err)
{
	avg_state *st = state;
	double mean, sd;
	long n;
	int rc;
	if ((rc = fc_buf_get_double(in, "mean", &mean, err)) ||
	    (rc = fc_buf_get_double(in, "sd", &sd, err)) ||
	    (rc = fc_buf_get_long(in, "n", &n, err)))
		return rc;
	if (!isfinite(mean))
		return fc_err_set(err, FC_EFORMAT, "value 'mean' is not finite");
	if (n < 1)
		return fc_err_set(err, FC_EFORMAT, "value 'n' is out of range: %ld", n);
	if (n >= 2 ? !(sd >= 0 && isfinite(sd)) : !isnan(sd))
		return fc_err_set(err, FC_EFORMAT, "value 'sd' is out of range");
	st->mean = mean;
	st->sd = sd;
	st->n = (size_t)n;
	return 0;
}

/* What explain reports: the mean forecast, its spread and how many
 * observations it averages (the window's size where the series is long). */
static int avg_describe(const void *state, const void *params, fc_description *d)
{
	const avg_state *st = state;
	return fc_description_num(d, "mean", st->mean) || fc_description_num(d, "sd", st->sd) ||
	       fc_description_num(d, "n", (double)st->n);
}

/* ---- mean ----------------------------------------------------------------- */

static int mean_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return fc_err_set(err, FC_EINVAL, "model 'mean' has no parameter '%s'; it has none", key);
}

static size_t one(const void *params, const fc_series *y)
{
	return 1;
}

static int mean_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return avg_fit(state, y, 0, "mean", err);
}

static const fc_model_type mean_type = {
	.name = "mean",
	.summary = "historical mean",
	.params_size = 0,
	.state_size = sizeof(avg_state),
	.default_params = NULL,
	.set_param = mean_set_param,
	.save_params = NULL,
	.min_length = one,
	.fit = mean_fit,
	.forecast = avg_forecast,
	.save = avg_save,
	.load = avg_load,
	.free = NULL,
	.describe = avg_describe,
};
const fc_model_type *const fc_model_mean = &mean_type;

/* ---- window --------------------------------------------------------------- */

static void window_default_params(void *params)
{
	((window_params *)params)->size = 0;
}

/* The search space: the window, from two observations to a year of weeks. */
static const fc_param_space window_space[] = {
	FC_SPACE_RANGE("size", FC_SPACE_INT, 2, 52, 0),
};

static int window_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	if (strcmp(key, "size") != 0)
		return fc_err_set(err, FC_EINVAL, "model 'window' has no parameter '%s'; it has: size", key);
	long v;
	if (fc_param_parse_count(val, MAX_SIZE, &v))
		return fc_err_set(err, FC_EINVAL,
		                  "model 'window': parameter 'size' must be 0 (auto) or an integer "
		                  "from 1 to %ld, got '%s'", MAX_SIZE, val);
	((window_params *)params)->size = v;
	return 0;
}

static int window_save_params(const void *params, fc_buf *out, fc_err *err)
{
	if (fc_buf_put_long(out, "size", ((const window_params *)params)->size))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int window_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	const window_params *p = params;
	size_t size = (size_t)p->size;
	if (size == 0) {
		size_t m = fc_series_period(y);
		size = m >= 2 ? m : 3;
	}
	return avg_fit(state, y, size, "window", err);
}

static const fc_model_type window_type = {
	.name = "window",
	.summary = "mean of the last size observations (size=0: one season, else 3)",
	.params_size = sizeof(window_params),
	.state_size = sizeof(avg_state),
	.default_params = window_default_params,
	.set_param = window_set_param,
	FC_SPACE_TABLE(window_space),
	.save_params = window_save_params,
	.min_length = one,
	.fit = window_fit,
	.forecast = avg_forecast,
	.save = avg_save,
	.load = avg_load,
	.free = NULL,
	.describe = avg_describe,
};
const fc_model_type *const fc_model_window = &window_type;
