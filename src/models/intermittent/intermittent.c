/* Forecasting methods for intermittent demand (series with many zeros):
 * croston, sba, tsb, adida and imapa.  Each gives one flat forecast, the
 * expected demand per period.
 *
 * croston -- Croston (1972), "Forecasting and stock control for intermittent
 *   demands", Operational Research Quarterly 23(3), classic form as in R's
 *   forecast::croston (forecast 8.20, croston2): the non-zero demands z_j
 *   and the inter-demand intervals p_j (p_1 = position of the first demand,
 *   1-based; then the gaps between demands) are each smoothed by simple
 *   exponential smoothing with the same fixed alpha and initial level the
 *   first value (ses(initial = "simple")); forecast = z_hat / p_hat.  With a
 *   single demand the forecast is z_1 / p_1, as in R.  Parameter alpha,
 *   default 0.1 (R's default); never optimised (Croston's method uses a
 *   fixed constant).
 * sba -- Syntetos & Boylan (2005), "The accuracy of intermittent demand
 *   estimates", IJF 21(2): Croston times (1 - alpha/2), which removes
 *   Croston's bias.  Same parameter.
 * tsb -- Teunter, Syntetos & Babai (2011), "Intermittent demand: linking
 *   forecasting to inventory obsolescence", EJOR 214(3): the demand
 *   probability p_t and the demand size z_t are smoothed separately, p every
 *   period (p_t = p_{t-1} + beta (1[y_t > 0] - p_{t-1})), z only in periods
 *   with demand (z_t = z_{t-1} + alpha (y_t - z_{t-1})); forecast p_n z_n.
 *   Initial values as tsintermittent::tsb (Kourentzes 2014, init = "mean"):
 *   z_1 = first non-zero demand, p_1 = share of periods with demand; the
 *   recursion runs from the second period.  alpha and beta default to 0.1;
 *   either may be "auto": optimised by in-sample one-step MSE over [0.01, 1]
 *   (coarse grid, then Nelder-Mead; GSL nmsimplex2).
 * adida -- Nikolopoulos, Syntetos, Boylan, Petropoulos & Assimakopoulos
 *   (2011), "An aggregate-disaggregate intermittent demand approach (ADIDA)
 *   to forecasting", JORS 62(3): the series is summed into non-overlapping
 *   buckets of k periods (k = level, default the rounded average
 *   inter-demand interval ADI = n / number of demands; buckets end at the
 *   last period, the oldest n mod k periods are dropped), the bucket series
 *   is forecast by SES (initial level the first bucket) and the forecast is
 *   spread evenly, SES / k.  alpha defaults to "auto": optimised by
 *   in-sample one-step MSE over [0.01, 1] (grid, then Brent).
 * imapa -- Petropoulos & Kourentzes (2015), "Forecast combinations for
 *   intermittent demand", JORS 66(6): the mean of the ADIDA forecasts at
 *   levels k = 1..K (K = max_level, default the longest inter-demand
 *   interval, as tsintermittent::imapa), skipping levels with fewer than 4
 *   buckets (as tsintermittent).  Each level gets its own SES alpha.
 *   Omission: the paper (and tsintermittent) picks SES, Croston or SBA per
 *   level by the Syntetos-Boylan-Croston classification; we always use SES,
 *   i.e. ADIDA at every level.
 *
 * Applicability (min_length): these kinds apply only to intermittent series
 * in the Syntetos, Boylan & Croston (2005, JORS 56(5)) sense, ADI >= 1.32
 * with ADI = observed periods / periods with demand; and not to series with
 * negative values or fewer than 2 demands.  There min_length is 0.
 * Otherwise it is 3 (adida: 2k and at least 3).  fit itself accepts any
 * series without negative values that has at least one observed value (an
 * all-zero series forecasts 0), so that a back-test fold never fails only
 * because a window holds one demand.
 *
 * Missing values (NaN) are dropped: the observed values are treated as
 * consecutive periods.  The forecasts are flat, so this affects only the
 * interval counts and bucket boundaries; treating an unknown period as zero
 * would bias the demand rate down.
 *
 * No stochastic model: conformal = 1, lo/hi are left NaN for the selection
 * engine to fill from back-test errors.  Re-anchoring (anchor) keeps the
 * estimated smoothing parameters and aggregation levels and reruns the
 * smoothing on the new data. */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"
#include "core/numeric.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>

/* Syntetos-Boylan-Croston cut-off of the average inter-demand interval. */
#define ADI_CUTOFF 1.32
/* Bounds of optimised smoothing parameters. */
#define A_LO 0.01
#define A_HI 1.0
/* IMAPA uses a level only with at least this many buckets (tsintermittent). */
#define IMAPA_MIN_BUCKETS 4
#define MAX_LEVEL 100000000L

/* ---- parameters ------------------------------------------------------------ */

typedef struct idm_params {
	double alpha; /* NaN = auto */
	double beta;  /* tsb only; NaN = auto */
	long level;   /* adida: bucket size; imapa: largest level; 0 = auto */
} idm_params;

/* Parses a smoothing parameter in (0, 1], or "auto" (NaN) when allowed. */
static int parse_weight(const char *val, int allow_auto, double *out)
{
	if (allow_auto && strcmp(val, "auto") == 0) {
		*out = NAN;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (end == val || *end || errno || !(v > 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

static int put_weight(fc_buf *b, const char *key, double v)
{
	if (isnan(v))
		return fc_buf_printf(b, "%s%s=auto", b->len ? " " : "", key);
	return fc_buf_put_double(b, key, v);
}

/* ---- the demand record ------------------------------------------------------- */

/* The observed values of y (NaN dropped), checked: FC_EMODEL for no
 * observed value or a negative one.  *x is allocated (caller frees). */
static int observed(const fc_series *y, const char *name, double **x, size_t *n, fc_err *err)
{
	size_t k = 0;
	for (size_t t = 0; t < y->n; t++) {
		if (isnan(y->y[t]))
			continue;
		if (y->y[t] < 0)
			return fc_err_set(err, FC_EMODEL,
			                  "model '%s': value %zu is negative (%g); intermittent demand "
			                  "methods need non-negative data", name, t + 1, y->y[t]);
		k++;
	}
	if (k == 0)
		return fc_err_set(err, FC_EMODEL, "model '%s': the series has no observed values (%zu missing)",
		                  name, y->n);
	double *v = malloc(k * sizeof *v);
	if (!v)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
	k = 0;
	for (size_t t = 0; t < y->n; t++)
		if (!isnan(y->y[t]))
			v[k++] = y->y[t];
	*x = v;
	*n = k;
	return 0;
}

static size_t count_demands(const double *x, size_t n)
{
	size_t k = 0;
	for (size_t t = 0; t < n; t++)
		k += x[t] > 0;
	return k;
}

/* The rounded average inter-demand interval n / demands, at least 1. */
static size_t auto_level(size_t n, size_t demands)
{
	if (demands == 0)
		return 1;
	size_t k = (size_t)floor((double)n / (double)demands + 0.5);
	return k ? k : 1;
}

/* The longest inter-demand interval (the first counted from time 0). */
static size_t longest_interval(const double *x, size_t n)
{
	size_t last = 0, best = 0; /* positions 1-based; 0 = before the start */
	for (size_t t = 0; t < n; t++) {
		if (x[t] > 0) {
			if (t + 1 - last > best)
				best = t + 1 - last;
			last = t + 1;
		}
	}
	return best ? best : 1;
}

/* 0 unless y is an intermittent series with at least 2 demands and no
 * negative value; then base. */
static size_t intermittent_min_length(const fc_series *y, size_t base)
{
	if (!y)
		return base;
	size_t n = 0, demands = 0;
	for (size_t t = 0; t < y->n; t++) {
		double v = y->y[t];
		if (isnan(v))
			continue;
		if (v < 0)
			return 0;
		n++;
		demands += v > 0;
	}
	if (demands < 2 || (double)n / (double)demands < ADI_CUTOFF)
		return 0;
	return base;
}

/* ---- simple exponential smoothing ------------------------------------------- */

/* SES with initial level x[0] (R's initial = "simple"): returns the final
 * level; *sse gets the sum of squared one-step errors of x[1..n). */
static double ses(const double *x, size_t n, double alpha, double *sse)
{
	double l = x[0], s = 0;
	for (size_t t = 1; t < n; t++) {
		double e = x[t] - l;
		s += e * e;
		l = alpha * x[t] + (1 - alpha) * l;
	}
	if (sse)
		*sse = s;
	return l;
}

typedef struct ses_ctx {
	const double *x;
	size_t n;
} ses_ctx;

static double ses_objective(double alpha, void *p)
{
	const ses_ctx *c = p;
	double sse;
	ses(c->x, c->n, alpha, &sse);
	return sse;
}

/* SES forecast of x with the given alpha, or the MSE-optimal one when alpha
 * is NaN; *used gets the alpha used. */
static double ses_forecast(const double *x, size_t n, double alpha, double *used)
{
	if (isnan(alpha)) {
		if (n < 2) {
			alpha = 0.5; /* no error to minimise: any alpha gives x[0] */
		} else {
			ses_ctx c = {x, n};
			alpha = fc_minimise_1d(ses_objective, &c, A_LO, A_HI);
		}
	}
	*used = alpha;
	return ses(x, n, alpha, NULL);
}

/* ---- croston and sba --------------------------------------------------------- */

typedef struct croston_state {
	double mean;  /* forecast per period */
	double alpha;
	double z, p;  /* smoothed size and interval (NaN for an all-zero series) */
} croston_state;

static void croston_default_params(void *params)
{
	idm_params *p = params;
	p->alpha = 0.1;
	p->beta = NAN;
	p->level = 0;
}

/* The search space of croston and sba: the smoothing weight over the
 * range Croston and Syntetos & Boylan recommend (0.05 to 0.3). */
static const fc_param_space croston_space[] = {
	FC_SPACE_RANGE("alpha", FC_SPACE_UNIFORM, 0.05, 0.3, 0),
};

static int croston_set_param_named(void *params, const char *key, const char *val, const char *name,
                                   fc_err *err)
{
	if (strcmp(key, "alpha") != 0)
		return fc_err_set(err, FC_EINVAL, "model '%s' has no parameter '%s'; it has: alpha", name, key);
	if (parse_weight(val, 0, &((idm_params *)params)->alpha))
		return fc_err_set(err, FC_EINVAL,
		                  "model '%s': parameter 'alpha' must be a number in (0, 1], got '%s'",
		                  name, val);
	return 0;
}

static int croston_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return croston_set_param_named(params, key, val, "croston", err);
}

static int sba_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return croston_set_param_named(params, key, val, "sba", err);
}

static int alpha_save_params(const void *params, fc_buf *out, fc_err *err)
{
	if (put_weight(out, "alpha", ((const idm_params *)params)->alpha))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static size_t three(const void *params, const fc_series *y)
{
	return intermittent_min_length(y, 3);
}

/* Croston's estimate on x[0..n) with fixed alpha; sba multiplies by
 * (1 - alpha / 2). */
static int croston_run(croston_state *st, const double *x, size_t n, double alpha, int sba,
                       const char *name, fc_err *err)
{
	size_t k = count_demands(x, n);
	st->alpha = alpha;
	if (k == 0) {
		st->mean = 0;
		st->z = st->p = NAN;
		return 0;
	}
	double *z = malloc(2 * k * sizeof *z);
	if (!z)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
	double *p = z + k;
	size_t j = 0, last = 0;
	for (size_t t = 0; t < n; t++) {
		if (x[t] > 0) {
			z[j] = x[t];
			p[j] = (double)(t + 1 - last);
			last = t + 1;
			j++;
		}
	}
	st->z = ses(z, k, alpha, NULL);
	st->p = ses(p, k, alpha, NULL);
	st->mean = st->z / st->p * (sba ? 1 - alpha / 2 : 1);
	free(z);
	return 0;
}

static int croston_fit_kind(void *state, const void *params, const fc_series *y, int sba,
                            const char *name, fc_err *err)
{
	double *x;
	size_t n;
	int rc = observed(y, name, &x, &n, err);
	if (rc)
		return rc;
	rc = croston_run(state, x, n, ((const idm_params *)params)->alpha, sba, name, err);
	free(x);
	return rc;
}

static int croston_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return croston_fit_kind(state, params, y, 0, "croston", err);
}

static int sba_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return croston_fit_kind(state, params, y, 1, "sba", err);
}

/* All five kinds forecast a flat line and leave the bounds NaN. */
static void flat(double mean, fc_forecast *out)
{
	for (size_t i = 0; i < out->h; i++)
		out->mean[i] = mean;
}

static int croston_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	flat(((const croston_state *)state)->mean, out);
	return 0;
}

static int croston_save(const void *state, fc_buf *out, fc_err *err)
{
	const croston_state *st = state;
	if (fc_buf_put_double(out, "mean", st->mean) || fc_buf_put_double(out, "alpha", st->alpha) ||
	    fc_buf_put_double(out, "z", st->z) || fc_buf_put_double(out, "p", st->p))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int check_weight(double v, const char *key, fc_err *err)
{
	if (!(v > 0 && v <= 1))
		return fc_err_set(err, FC_EFORMAT, "value '%s' is out of range", key);
	return 0;
}

static int croston_load(void *state, const fc_buf *in, fc_err *err)
{
	croston_state *st = state;
	double mean, alpha, z, p;
	int rc;
	if ((rc = fc_buf_get_double(in, "mean", &mean, err)) ||
	    (rc = fc_buf_get_double(in, "alpha", &alpha, err)) ||
	    (rc = fc_buf_get_double(in, "z", &z, err)) ||
	    (rc = fc_buf_get_double(in, "p", &p, err)))
		return rc;
	if (!(mean >= 0 && isfinite(mean)))
		return fc_err_set(err, FC_EFORMAT, "value 'mean' is out of range");
	if ((rc = check_weight(alpha, "alpha", err)))
		return rc;
	st->mean = mean;
	st->alpha = alpha;
	st->z = z;
	st->p = p;
	return 0;
}

/* What explain reports: the smoothing weight and the smoothed demand size
 * and interval whose ratio (debiased for sba) is the forecast. */
static int croston_describe(const void *state, const void *params, fc_description *d)
{
	const croston_state *st = state;
	return fc_description_num(d, "alpha", st->alpha) || fc_description_num(d, "size", st->z) ||
	       fc_description_num(d, "interval", st->p) || fc_description_num(d, "mean", st->mean);
}

static const fc_model_type croston_type = {
	.name = "croston",
	.summary = "Croston's method for intermittent demand (fixed alpha, as R's croston)",
	.params_size = sizeof(idm_params),
	.state_size = sizeof(croston_state),
	.default_params = croston_default_params,
	.set_param = croston_set_param,
	FC_SPACE_TABLE(croston_space),
	.save_params = alpha_save_params,
	.min_length = three,
	.fit = croston_fit,
	.forecast = croston_forecast,
	.save = croston_save,
	.load = croston_load,
	.free = NULL,
	.describe = croston_describe,
	.anchor = NULL, /* nothing is estimated: a refit is the re-anchoring */
	.conformal = 1,
};
const fc_model_type *const fc_model_croston = &croston_type;

static const fc_model_type sba_type = {
	.name = "sba",
	.summary = "Syntetos-Boylan approximation: Croston debiased by (1 - alpha/2)",
	.params_size = sizeof(idm_params),
	.state_size = sizeof(croston_state),
	.default_params = croston_default_params,
	.set_param = sba_set_param,
	FC_SPACE_TABLE(croston_space),
	.save_params = alpha_save_params,
	.min_length = three,
	.fit = sba_fit,
	.forecast = croston_forecast,
	.save = croston_save,
	.load = croston_load,
	.free = NULL,
	.anchor = NULL,
	.conformal = 1,
	.describe = croston_describe,
};
const fc_model_type *const fc_model_sba = &sba_type;

/* ---- tsb ------------------------------------------------------------------- */

typedef struct tsb_state {
	double mean;
	double alpha, beta; /* as used (estimated when auto) */
	double z, p;        /* final size and probability (z NaN when all zero) */
} tsb_state;

static void tsb_default_params(void *params)
{
	idm_params *p = params;
	p->alpha = 0.1;
	p->beta = 0.1;
	p->level = 0;
}

/* The search space of tsb: both weights over 0.05 to 0.3. */
static const fc_param_space tsb_space[] = {
	FC_SPACE_RANGE("alpha", FC_SPACE_UNIFORM, 0.05, 0.3, 0),
	FC_SPACE_RANGE("beta", FC_SPACE_UNIFORM, 0.05, 0.3, 0),
};

static int tsb_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	idm_params *p = params;
	double *dst;
	if (strcmp(key, "alpha") == 0)
		dst = &p->alpha;
	else if (strcmp(key, "beta") == 0)
		dst = &p->beta;
	else
		return fc_err_set(err, FC_EINVAL, "model 'tsb' has no parameter '%s'; it has: alpha, beta", key);
	if (parse_weight(val, 1, dst))
		return fc_err_set(err, FC_EINVAL,
		                  "model 'tsb': parameter '%s' must be 'auto' or a number in (0, 1], got '%s'",
		                  key, val);
	return 0;
}

static int tsb_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const idm_params *p = params;
	if (put_weight(out, "alpha", p->alpha) || put_weight(out, "beta", p->beta))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* Runs TSB over x[0..n) (n >= 1, at least one demand); returns the final
 * p z and the sum of squared one-step errors of x[1..n) in *sse. */
static double tsb_run(const double *x, size_t n, double alpha, double beta, double z0,
                      double p0, double *z_out, double *p_out, double *sse)
{
	double z = z0, p = p0, s = 0;
	for (size_t t = 1; t < n; t++) {
		double e = x[t] - p * z;
		s += e * e;
		int d = x[t] > 0;
		p += beta * ((double)d - p);
		if (d)
			z += alpha * (x[t] - z);
	}
	if (z_out)
		*z_out = z;
	if (p_out)
		*p_out = p;
	if (sse)
		*sse = s;
	return p * z;
}

typedef struct tsb_ctx {
	const double *x;
	size_t n;
	double z0, p0;
	double alpha, beta; /* NaN = free */
} tsb_ctx;

static double logistic(double u)
{
	return 1 / (1 + exp(-u));
}

/* Maps the free coordinates of v to (alpha, beta) in [A_LO, A_HI]. */
static void tsb_unpack(const tsb_ctx *c, const gsl_vector *v, double *alpha, double *beta)
{
	size_t i = 0;
	*alpha = isnan(c->alpha) ? A_LO + (A_HI - A_LO) * logistic(gsl_vector_get(v, i++)) : c->alpha;
	*beta = isnan(c->beta) ? A_LO + (A_HI - A_LO) * logistic(gsl_vector_get(v, i++)) : c->beta;
}

static double tsb_objective(const gsl_vector *v, void *params)
{
	const tsb_ctx *c = params;
	double alpha, beta, sse;
	tsb_unpack(c, v, &alpha, &beta);
	tsb_run(c->x, c->n, alpha, beta, c->z0, c->p0, NULL, NULL, &sse);
	return sse;
}

static double logit_weight(double w)
{
	double u = (w - A_LO) / (A_HI - A_LO);
	if (u < 1e-6)
		u = 1e-6;
	if (u > 1 - 1e-6)
		u = 1 - 1e-6;
	return log(u / (1 - u));
}

/* Optimises the free parameters of c by in-sample MSE: a grid in steps of
 * 0.05, then Nelder-Mead from the best grid point. */
static int tsb_optimise(tsb_ctx *c, double *alpha, double *beta, fc_err *err)
{
	size_t dim = (size_t)isnan(c->alpha) + (size_t)isnan(c->beta);
	double best_a = isnan(c->alpha) ? 0.1 : c->alpha, best_b = isnan(c->beta) ? 0.1 : c->beta;
	double best = INFINITY;
	for (int i = 0; i < 20; i++) {
		double a = isnan(c->alpha) ? 0.05 * (i + 1) : c->alpha;
		for (int j = 0; j < 20; j++) {
			double b = isnan(c->beta) ? 0.05 * (j + 1) : c->beta;
			double sse;
			tsb_run(c->x, c->n, a, b, c->z0, c->p0, NULL, NULL, &sse);
			if (sse < best) {
				best = sse;
				best_a = a;
				best_b = b;
			}
			if (!isnan(c->beta))
				break;
		}
		if (!isnan(c->alpha))
			break;
	}
	gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
	gsl_vector *v = gsl_vector_alloc(dim), *step = gsl_vector_alloc(dim);
	int rc = 0;
	if (!s || !v || !step) {
		rc = fc_err_set(err, FC_ENOMEM, "model 'tsb': out of memory");
		goto out;
	}
	size_t i = 0;
	if (isnan(c->alpha))
		gsl_vector_set(v, i++, logit_weight(best_a));
	if (isnan(c->beta))
		gsl_vector_set(v, i++, logit_weight(best_b));
	gsl_vector_set_all(step, 0.5);
	gsl_multimin_function F = {tsb_objective, dim, c};
	if (gsl_multimin_fminimizer_set(s, &F, v, step) == GSL_SUCCESS) {
		for (int it = 0; it < 500; it++) {
			if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
				break;
			if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-8) == GSL_SUCCESS)
				break;
		}
		if (gsl_multimin_fminimizer_minimum(s) < best)
			tsb_unpack(c, gsl_multimin_fminimizer_x(s), &best_a, &best_b);
	}
	*alpha = best_a;
	*beta = best_b;
out:
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(v);
	gsl_vector_free(step);
	return rc;
}

static int tsb_fit_with(tsb_state *st, double alpha, double beta, const fc_series *y, fc_err *err)
{
	double *x;
	size_t n;
	int rc = observed(y, "tsb", &x, &n, err);
	if (rc)
		return rc;
	size_t k = count_demands(x, n);
	if (k == 0) {
		st->mean = 0;
		st->alpha = isnan(alpha) ? 0.1 : alpha;
		st->beta = isnan(beta) ? 0.1 : beta;
		st->z = NAN;
		st->p = 0;
		goto out;
	}
	double z0 = 0;
	for (size_t t = 0; t < n; t++) {
		if (x[t] > 0) {
			z0 = x[t];
			break;
		}
	}
	double p0 = (double)k / (double)n;
	if ((isnan(alpha) || isnan(beta)) && n >= 2) {
		tsb_ctx c = {x, n, z0, p0, alpha, beta};
		if ((rc = tsb_optimise(&c, &alpha, &beta, err)))
			goto out;
	}
	if (isnan(alpha))
		alpha = 0.1; /* one observation: nothing to optimise */
	if (isnan(beta))
		beta = 0.1;
	st->alpha = alpha;
	st->beta = beta;
	st->mean = tsb_run(x, n, alpha, beta, z0, p0, &st->z, &st->p, NULL);
out:
	free(x);
	return rc;
}

static int tsb_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	const idm_params *p = params;
	return tsb_fit_with(state, p->alpha, p->beta, y, err);
}

static int tsb_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	tsb_state *st = state;
	tsb_state tmp;
	int rc = tsb_fit_with(&tmp, st->alpha, st->beta, y, err);
	if (rc == 0)
		*st = tmp;
	return rc;
}

static int tsb_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	flat(((const tsb_state *)state)->mean, out);
	return 0;
}

static int tsb_save(const void *state, fc_buf *out, fc_err *err)
{
	const tsb_state *st = state;
	if (fc_buf_put_double(out, "mean", st->mean) || fc_buf_put_double(out, "alpha", st->alpha) ||
	    fc_buf_put_double(out, "beta", st->beta) || fc_buf_put_double(out, "z", st->z) ||
	    fc_buf_put_double(out, "p", st->p))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int tsb_load(void *state, const fc_buf *in, fc_err *err)
{
	tsb_state *st = state;
	double mean, alpha, beta, z, p;
	int rc;
	if ((rc = fc_buf_get_double(in, "mean", &mean, err)) ||
	    (rc = fc_buf_get_double(in, "alpha", &alpha, err)) ||
	    (rc = fc_buf_get_double(in, "beta", &beta, err)) ||
	    (rc = fc_buf_get_double(in, "z", &z, err)) ||
	    (rc = fc_buf_get_double(in, "p", &p, err)))
		return rc;
	if (!(mean >= 0 && isfinite(mean)))
		return fc_err_set(err, FC_EFORMAT, "value 'mean' is out of range");
	if ((rc = check_weight(alpha, "alpha", err)) || (rc = check_weight(beta, "beta", err)))
		return rc;
	if (!(p >= 0 && p <= 1))
		return fc_err_set(err, FC_EFORMAT, "value 'p' is out of range");
	st->mean = mean;
	st->alpha = alpha;
	st->beta = beta;
	st->z = z;
	st->p = p;
	return 0;
}

/* The two weights as used and the smoothed size and demand probability. */
static int tsb_describe(const void *state, const void *params, fc_description *d)
{
	const tsb_state *st = state;
	return fc_description_num(d, "alpha", st->alpha) || fc_description_num(d, "beta", st->beta) ||
	       fc_description_num(d, "size", st->z) || fc_description_num(d, "probability", st->p) ||
	       fc_description_num(d, "mean", st->mean);
}

static const fc_model_type tsb_type = {
	.name = "tsb",
	.summary = "Teunter-Syntetos-Babai: smoothed demand probability times demand size",
	.params_size = sizeof(idm_params),
	.state_size = sizeof(tsb_state),
	.default_params = tsb_default_params,
	.set_param = tsb_set_param,
	FC_SPACE_TABLE(tsb_space),
	.save_params = tsb_save_params,
	.min_length = three,
	.fit = tsb_fit,
	.forecast = tsb_forecast,
	.save = tsb_save,
	.load = tsb_load,
	.free = NULL,
	.describe = tsb_describe,
	.anchor = tsb_anchor,
	.conformal = 1,
};
const fc_model_type *const fc_model_tsb = &tsb_type;

/* ---- adida and imapa ---------------------------------------------------------- */

/* The levels used and their alphas: adida has one, imapa one per level
 * (alpha NaN for a skipped level). */
typedef struct agg_state {
	double mean;
	size_t n_levels; /* adida: 1; imapa: K */
	long level;      /* adida: k; imapa: K */
	double *alphas;  /* n_levels */
} agg_state;

static void agg_default_params(void *params)
{
	idm_params *p = params;
	p->alpha = NAN;
	p->beta = NAN;
	p->level = 0;
}

/* The search spaces of adida (its level) and imapa (its largest level);
 * 0 is the automatic choice (the mean inter-demand interval). */
static const fc_param_space adida_space[] = {
	FC_SPACE_RANGE("level", FC_SPACE_INT, 0, 12, 0),
};
static const fc_param_space imapa_space[] = {
	FC_SPACE_RANGE("max_level", FC_SPACE_INT, 0, 12, 0),
};

static int agg_set_param_named(void *params, const char *key, const char *val, const char *name,
                               const char *level_key, fc_err *err)
{
	idm_params *p = params;
	if (strcmp(key, "alpha") == 0) {
		if (parse_weight(val, 1, &p->alpha))
			return fc_err_set(err, FC_EINVAL,
			                  "model '%s': parameter 'alpha' must be 'auto' or a number in (0, 1], "
			                  "got '%s'", name, val);
		return 0;
	}
	if (strcmp(key, level_key) == 0) {
		if (fc_param_parse_count(val, MAX_LEVEL, &p->level))
			return fc_err_set(err, FC_EINVAL,
			                  "model '%s': parameter '%s' must be 0 (auto) or an integer from 1 "
			                  "to %ld, got '%s'", name, level_key, MAX_LEVEL, val);
		return 0;
	}
	return fc_err_set(err, FC_EINVAL, "model '%s' has no parameter '%s'; it has: alpha, %s", name, key,
	                  level_key);
}

static int adida_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return agg_set_param_named(params, key, val, "adida", "level", err);
}

static int imapa_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return agg_set_param_named(params, key, val, "imapa", "max_level", err);
}

static int adida_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const idm_params *p = params;
	if (put_weight(out, "alpha", p->alpha) || fc_buf_put_long(out, "level", p->level))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int imapa_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const idm_params *p = params;
	if (put_weight(out, "alpha", p->alpha) || fc_buf_put_long(out, "max_level", p->level))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static size_t adida_min_length(const void *params, const fc_series *y)
{
	size_t base = intermittent_min_length(y, 3);
	if (base == 0 || !y)
		return base;
	long k = ((const idm_params *)params)->level;
	if (k == 0) {
		size_t n = 0, demands = 0;
		for (size_t t = 0; t < y->n; t++) {
			if (!isnan(y->y[t])) {
				n++;
				demands += y->y[t] > 0;
			}
		}
		k = (long)auto_level(n, demands);
	}
	return 2 * (size_t)k > base ? 2 * (size_t)k : base;
}

/* ADIDA forecast per period at level k on x[0..n) (k <= n): buckets end at
 * the last period.  alpha NaN = optimise; *used gets the alpha used. */
static double adida_level(const double *x, size_t n, size_t k, double *buckets, double alpha,
                          double *used)
{
	size_t nb = n / k, off = n - nb * k;
	for (size_t b = 0; b < nb; b++) {
		double s = 0;
		for (size_t j = 0; j < k; j++)
			s += x[off + b * k + j];
		buckets[b] = s;
	}
	return ses_forecast(buckets, nb, alpha, used) / (double)k;
}

/* Fits adida (imapa = 0) or imapa (imapa = 1).  alphas, when not NULL,
 * are the per-level alphas to reuse (re-anchoring), with the level(s) in
 * level. */
static int agg_fit_with(agg_state *st, int imapa, double alpha, long level, const double *alphas,
                        const fc_series *y, fc_err *err)
{
	const char *name = imapa ? "imapa" : "adida";
	double *x, *buckets = NULL;
	size_t n;
	int rc = observed(y, name, &x, &n, err);
	if (rc)
		return rc;
	size_t demands = count_demands(x, n);
	size_t K = level > 0 ? (size_t)level
	         : imapa ? longest_interval(x, n) : auto_level(n, demands);
	size_t n_levels = imapa ? K : 1;
	double *al = malloc(n_levels * sizeof *al);
	buckets = malloc(n * sizeof *buckets);
	if (!al || !buckets) {
		free(al);
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
		goto out;
	}
	if (!imapa) {
		size_t k = K > n ? n : K; /* one bucket of everything at most */
		double a = alphas ? alphas[0] : alpha;
		st->mean = demands ? adida_level(x, n, k, buckets, a, &al[0]) : 0;
		if (!demands)
			al[0] = isnan(a) ? 0.1 : a;
	} else {
		double sum = 0;
		size_t used = 0;
		for (size_t k = 1; k <= K; k++) {
			al[k - 1] = NAN;
			if (k > 1 && n / k < IMAPA_MIN_BUCKETS)
				continue; /* level 1 is always used */
			double a = alphas ? alphas[k - 1] : alpha;
			if (alphas && isnan(a))
				continue; /* skipped at fit time */
			if (demands) {
				sum += adida_level(x, n, k, buckets, a, &al[k - 1]);
			} else {
				al[k - 1] = isnan(a) ? 0.1 : a;
			}
			used++;
		}
		st->mean = used ? sum / (double)used : 0;
	}
	st->n_levels = n_levels;
	st->level = (long)K;
	st->alphas = al;
out:
	free(buckets);
	free(x);
	return rc;
}

static int adida_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	const idm_params *p = params;
	return agg_fit_with(state, 0, p->alpha, p->level, NULL, y, err);
}

static int imapa_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	const idm_params *p = params;
	return agg_fit_with(state, 1, p->alpha, p->level, NULL, y, err);
}

static void agg_free(void *state)
{
	agg_state *st = state;
	free(st->alphas);
	st->alphas = NULL;
}

static int agg_anchor_kind(void *state, int imapa, const fc_series *y, fc_err *err)
{
	agg_state *st = state, tmp;
	memset(&tmp, 0, sizeof tmp);
	int rc = agg_fit_with(&tmp, imapa, NAN, st->level, st->alphas, y, err);
	if (rc)
		return rc;
	agg_free(st);
	*st = tmp;
	return 0;
}

static int adida_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return agg_anchor_kind(state, 0, y, err);
}

static int imapa_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return agg_anchor_kind(state, 1, y, err);
}

static int agg_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	flat(((const agg_state *)state)->mean, out);
	return 0;
}

static int agg_save(const void *state, fc_buf *out, fc_err *err)
{
	const agg_state *st = state;
	if (fc_buf_put_double(out, "mean", st->mean) || fc_buf_put_long(out, "level", st->level) ||
	    fc_buf_put_doubles(out, "alphas", st->alphas, st->n_levels))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int agg_load_kind(void *state, const fc_buf *in, int imapa, fc_err *err)
{
	agg_state *st = state;
	double mean, *al = NULL;
	long level;
	size_t n_al;
	int rc;
	if ((rc = fc_buf_get_double(in, "mean", &mean, err)) ||
	    (rc = fc_buf_get_long(in, "level", &level, err)))
		return rc;
	if (!(mean >= 0 && isfinite(mean)))
		return fc_err_set(err, FC_EFORMAT, "value 'mean' is out of range");
	if (level < 1 || level > MAX_LEVEL)
		return fc_err_set(err, FC_EFORMAT, "value 'level' is out of range: %ld", level);
	if ((rc = fc_buf_get_doubles(in, "alphas", &al, &n_al, err)))
		return rc;
	if (n_al != (imapa ? (size_t)level : 1)) {
		free(al);
		return fc_err_set(err, FC_EFORMAT, "value 'alphas' has %zu values, expected %ld", n_al,
		                  imapa ? level : 1L);
	}
	for (size_t i = 0; i < n_al; i++) {
		/* NaN marks a level imapa skipped; level 1 (and adida's) is used. */
		if (!(al[i] > 0 && al[i] <= 1) && !(imapa && i > 0 && isnan(al[i]))) {
			free(al);
			return fc_err_set(err, FC_EFORMAT, "value 'alphas' is out of range");
		}
	}
	st->mean = mean;
	st->level = level;
	st->n_levels = n_al;
	st->alphas = al;
	return 0;
}

static int adida_load(void *state, const fc_buf *in, fc_err *err)
{
	return agg_load_kind(state, in, 0, err);
}

static int imapa_load(void *state, const fc_buf *in, fc_err *err)
{
	return agg_load_kind(state, in, 1, err);
}

/* The aggregation level (adida: the bucket; imapa: the largest level) and
 * the SES weight of each level (NaN for a level imapa skipped). */
static int agg_describe(const void *state, const void *params, fc_description *d)
{
	const agg_state *st = state;
	if (fc_description_num(d, "level", (double)st->level))
		return -1;
	for (size_t i = 0; i < st->n_levels; i++) {
		char name[32];
		if (st->n_levels == 1)
			snprintf(name, sizeof name, "alpha");
		else
			snprintf(name, sizeof name, "alpha_level%zu", i + 1);
		if (fc_description_num(d, name, st->alphas[i]))
			return -1;
	}
	return fc_description_num(d, "mean", st->mean);
}

static const fc_model_type adida_type = {
	.name = "adida",
	.summary = "ADIDA: SES on demand summed over the average inter-demand interval, spread evenly",
	.params_size = sizeof(idm_params),
	.state_size = sizeof(agg_state),
	.default_params = agg_default_params,
	.set_param = adida_set_param,
	FC_SPACE_TABLE(adida_space),
	.save_params = adida_save_params,
	.min_length = adida_min_length,
	.fit = adida_fit,
	.forecast = agg_forecast,
	.save = agg_save,
	.load = adida_load,
	.free = agg_free,
	.describe = agg_describe,
	.anchor = adida_anchor,
	.conformal = 1,
};
const fc_model_type *const fc_model_adida = &adida_type;

static const fc_model_type imapa_type = {
	.name = "imapa",
	.cost = 0.18,
	.summary = "IMAPA: mean of ADIDA forecasts over aggregation levels 1..K",
	.params_size = sizeof(idm_params),
	.state_size = sizeof(agg_state),
	.default_params = agg_default_params,
	.set_param = imapa_set_param,
	FC_SPACE_TABLE(imapa_space),
	.save_params = imapa_save_params,
	.min_length = three,
	.fit = imapa_fit,
	.forecast = agg_forecast,
	.save = agg_save,
	.load = imapa_load,
	.free = agg_free,
	.describe = agg_describe,
	.anchor = imapa_anchor,
	.conformal = 1,
};
const fc_model_type *const fc_model_imapa = &imapa_type;
