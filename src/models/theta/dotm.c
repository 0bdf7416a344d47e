/* The optimised and dynamic optimised Theta models, kinds otm and dotm:
 * state space forms of the Theta method with the theta line, the smoothing
 * parameter and the initial level estimated by least squares.
 *
 * Reference: Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016),
 * "Models for optimising the theta method and their relationship to state
 * space models", International Journal of Forecasting 32(4), 1151-1161;
 * details as in the authors' R package forecTheta (functions otm, dotm).
 * With w = 1 - 1/theta (theta >= 1) and q = 1 - alpha, for t = 1..n:
 *
 *     y_t  = mu_t + e_t
 *     mu_t = l_{t-1} + w [ q^{t-1} A_{t-1} + (1 - q^t) / alpha * B_{t-1} ]
 *     l_t  = alpha y_t + q l_{t-1}
 *
 * OTM: A_t = A_n, B_t = B_n, the intercept and slope of the least squares
 * line through (t, y_t), t = 1..n.  DOTM revises them every period:
 *
 *     ybar_t = ((t-1) ybar_{t-1} + y_t) / t
 *     B_t    = ((t-2) B_{t-1} + 6 (y_t - ybar_{t-1}) / t) / (t+1)
 *     A_t    = ybar_t - B_t (t+1) / 2
 *
 * (the least squares line through the first t values), with A_1 = y_1,
 * B_1 = 0 and mu_1 = y_1.  Forecasts run the same recursion with y replaced
 * by mu.  The model is the Theta method: SES on the theta line
 * Z_t = theta y_t + (1 - theta)(A_n + B_n t) with initial level theta l_0,
 * combined with the line with weights 1/theta and w (for OTM exactly; the
 * tests check this identity).  theta = 2 is the standard Theta method.
 *
 * Estimation: (l_0, alpha, theta) minimise the sum of squared one-step
 * errors over t = 1..n (OTM) or t = 3..n (DOTM, as forecTheta), the MLE of
 * the Gaussian model.  For fixed alpha, mu_t is linear in (l_0, w), so that
 * part is an exact (box-constrained in w) least squares solution; alpha is
 * found by a grid of 21 points on [0.1, 0.99] (forecTheta's bounds) and
 * Brent's method (GSL).  Parameters alpha and theta may be fixed
 * (alpha in (0, 1], theta >= 1); l_0 is always estimated.
 *
 * Seasonality: as R's forecast::thetaf (seasadj.c): when the series' period
 * m >= 2 passes thetaf's seasonality test (seasonal=auto; yes forces the
 * adjustment, no skips it), the series is divided by the classical
 * multiplicative indices, modelled, and the forecasts and interval bounds
 * are multiplied back by the indices of their season position.  When the
 * decomposition fails (zeros) or an index is below 1e-4 (thetaf's check),
 * the series is modelled without adjustment.
 *
 * Intervals: analytic.  Every state update is linear in y, so a forecast is
 * a linear function of the future errors: y_{n+k} = mean_k + sum_{j<=k}
 * g_{kj} e_{n+j} with g_{kk} = 1, and var = sigma^2 sum_j g_{kj}^2, the g
 * found by propagating a unit impulse through the recursion (O(h^2)).  For
 * OTM this is sigma^2 (1 + (k-1) alpha^2), thetaf's formula.  sigma^2 =
 * mean squared one-step error of the fit (MLE).  The intervals ignore
 * parameter uncertainty and the uncertainty of the seasonal indices.
 *
 * Missing values: leading ones are dropped (the season positions keep their
 * alignment), interior gaps are linearly interpolated before fitting (the
 * interpolated values do not count in the error sum), and trailing ones are
 * forecast: the model is fitted to the observed span and its forecasts
 * cover the missing tail before the h requested steps.
 *
 * Re-anchoring keeps alpha, theta, the seasonal decision and period, and
 * recomputes from the new data what is a filter rather than an estimate:
 * the seasonal indices, A and B, and the least squares l_0. */
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"
#include "core/numeric.h"
#include "models/decompose/seasadj.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA_LO 0.1
#define ALPHA_HI 0.99
#define THETA_MAX 1e10
#define MAX_PERIOD 1000000L
/* thetaf falls back to no adjustment below this index. */
#define MIN_INDEX 1e-4

typedef struct theta_params {
	double alpha; /* NaN = auto */
	double theta; /* NaN = auto */
	int seasonal; /* -1 auto (thetaf's test), 0 no, 1 yes */
	long period;  /* 0 = the series' primary period */
} theta_params;

typedef struct theta_state {
	int dynamic;
	double alpha, theta, ell0;
	/* the recursion at time t (observations processed) */
	double ell, A, B, ybar, t;
	double sigma2;    /* NaN when no residual */
	size_t skip;      /* missing values at the end: forecast before step 1 */
	size_t m;         /* 1 when not seasonally adjusted */
	double *season;   /* m factors: season[i % m] multiplies step i + 1 */
} theta_state;

/* ---- the recursion ---------------------------------------------------------- */

typedef struct theta_run {
	double ell, A, B, ybar, t;
} theta_run;

/* One-step prediction mu_{t+1}. */
static double predict(const theta_run *r, double alpha, double w)
{
	double q = 1 - alpha;
	double qt = pow(q, r->t);
	return r->ell + w * (qt * r->A + (1 - qt * q) / alpha * r->B);
}

/* Absorbs observation y at time t + 1.  Linear and homogeneous in (state,
 * y), so it also propagates sensitivities. */
static void update(theta_run *r, double y, double alpha, int dynamic)
{
	double s = r->t + 1;
	r->ell = alpha * y + (1 - alpha) * r->ell;
	if (dynamic) {
		if (s == 1) {
			r->ybar = y;
			r->B = 0;
			r->A = y;
		} else {
			r->B = ((s - 2) * r->B + 6 * (y - r->ybar) / s) / (s + 1);
			r->ybar = ((s - 1) * r->ybar + y) / s;
			r->A = r->ybar - r->B * (s + 1) / 2;
		}
	}
	r->t = s;
}

/* ---- estimation ---------------------------------------------------------------- */

typedef struct fit_ctx {
	const double *z;    /* N adjusted values */
	const char *interp; /* N flags: 1 = interpolated */
	size_t N;
	size_t first;       /* first t (1-based) in the error sum (3 for dotm) */
	double *A, *B;      /* A_{t-1}, B_{t-1} for t = 1..N (index t-1) */
	double theta_fixed; /* NaN = free */
	/* results of the last solve */
	double ell0, w, sse;
	size_t n_res;
} fit_ctx;

/* For fixed alpha: the least squares (l_0, w), and the SSE, computed
 * directly.  Returns the SSE. */
static double solve(fit_ctx *c, double alpha)
{
	double q = 1 - alpha;
	double Spp = 0, Spd = 0, Sdd = 0, Spr = 0, Sdr = 0;
	double s = 0, p = 1; /* SES from 0 before t; q^{t-1} */
	for (size_t t = 1; t <= c->N; t++) {
		double d = p * c->A[t - 1] + (1 - p * q) / alpha * c->B[t - 1];
		if (t >= c->first && !c->interp[t - 1]) {
			double r = c->z[t - 1] - s;
			Spp += p * p;
			Spd += p * d;
			Sdd += d * d;
			Spr += p * r;
			Sdr += d * r;
		}
		s = alpha * c->z[t - 1] + q * s;
		p *= q;
	}
	const double wmax = 1 - 1 / THETA_MAX;
	int has_p = Spp > DBL_MIN * 1e10;
	double w;
	if (!isnan(c->theta_fixed)) {
		w = 1 - 1 / c->theta_fixed;
	} else {
		double num = has_p ? Sdr - Spd * Spr / Spp : Sdr;
		double den = has_p ? Sdd - Spd * Spd / Spp : Sdd;
		w = den > 1e-12 * Sdd && den > 0 ? num / den : 0.5; /* unidentified: theta = 2 */
		if (!(w >= 0))
			w = 0;
		if (w > wmax)
			w = wmax;
	}
	double ell0 = has_p ? (Spr - w * Spd) / Spp : 0;
	/* The SSE, directly (no cancellation). */
	double sse = 0;
	size_t n_res = 0;
	s = 0;
	p = 1;
	for (size_t t = 1; t <= c->N; t++) {
		double d = p * c->A[t - 1] + (1 - p * q) / alpha * c->B[t - 1];
		if (t >= c->first && !c->interp[t - 1]) {
			double e = c->z[t - 1] - s - p * ell0 - w * d;
			sse += e * e;
			n_res++;
		}
		s = alpha * c->z[t - 1] + q * s;
		p *= q;
	}
	c->ell0 = ell0;
	c->w = w;
	c->sse = sse;
	c->n_res = n_res;
	return isfinite(sse) ? sse : HUGE_VAL;
}

static double solve_fn(double alpha, void *p)
{
	return solve(p, alpha);
}

/* ---- fitting ---------------------------------------------------------------------- */

static size_t period_of(const theta_params *p, const fc_series *y)
{
	if (p->period > 0)
		return (size_t)p->period;
	return y ? fc_series_period(y) : 1;
}

/* Fits to y with the given alpha/theta (NaN = estimate) and seasonal
 * decision (-1 test, 0 no, 1 yes) at period m. */
static int theta_fit_with(theta_state *st, int dynamic, double alpha, double theta, int seasonal,
                          size_t m, const fc_series *y, fc_err *err)
{
	const char *name = dynamic ? "dotm" : "otm";
	size_t n = y->n, f = 0, l = 0, n_obs = 0;
	for (size_t t = 0; t < n; t++) {
		if (!isnan(y->y[t])) {
			if (n_obs == 0)
				f = t;
			l = t;
			n_obs++;
		}
	}
	size_t need = dynamic ? 4 : 3;
	if (n_obs == 0 || l - f + 1 < need)
		return fc_err_set(err, FC_EMODEL,
		                  "model '%s': needs at least %zu values from the first to the last "
		                  "observation, got %zu", name, need, n_obs ? l - f + 1 : 0);
	size_t N = l - f + 1;
	int rc = 0;
	double *z = malloc(N * sizeof *z), *A = malloc(N * sizeof *A), *B = malloc(N * sizeof *B);
	char *interp = calloc(N, 1);
	double *idx = NULL, *season = NULL;
	if (!z || !A || !B || !interp) {
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
		goto out;
	}
	/* Linear interpolation of interior gaps. */
	size_t prev = 0;
	for (size_t j = 0; j < N; j++) {
		double v = y->y[f + j];
		if (!isnan(v)) {
			for (size_t g = prev + 1; g < j; g++) {
				double u = (double)(g - prev) / (double)(j - prev);
				z[g] = z[prev] + u * (v - z[prev]);
				interp[g] = 1;
			}
			z[j] = v;
			prev = j;
		}
	}

	/* Seasonal adjustment. */
	size_t ms = 1;
	if (m >= 2 && seasonal != 0) {
		int adjust = seasonal == 1 ? N >= 2 * m : fc_seasonal_test(z, N, m);
		if (adjust) {
			idx = malloc(m * sizeof *idx);
			if (!idx) {
				rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
				goto out;
			}
			fc_err e2;
			int drc = fc_classical_multiplicative(z, N, m, idx, &e2);
			if (drc == FC_ENOMEM) {
				rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
				goto out;
			}
			int ok = drc == 0;
			for (size_t j = 0; ok && j < m; j++)
				ok = fabs(idx[j]) >= MIN_INDEX;
			if (ok)
				ms = m;
		}
	}
	season = malloc(ms * sizeof *season);
	if (!season) {
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", name);
		goto out;
	}
	if (ms > 1) {
		for (size_t j = 0; j < N; j++)
			z[j] /= idx[j % ms];
		/* Step i + 1 is time n + i, position n + i - f of z. */
		for (size_t i = 0; i < ms; i++)
			season[i] = idx[(n - f + i) % ms];
	} else {
		season[0] = 1;
	}

	/* A_{t-1}, B_{t-1} for t = 1..N. */
	if (!dynamic) {
		double tbar = ((double)N + 1) / 2, zbar = 0, sxy = 0, sxx = 0;
		for (size_t j = 0; j < N; j++)
			zbar += z[j];
		zbar /= (double)N;
		for (size_t j = 0; j < N; j++) {
			double dt = (double)(j + 1) - tbar;
			sxy += dt * (z[j] - zbar);
			sxx += dt * dt;
		}
		double Bn = sxy / sxx, An = zbar - tbar * Bn;
		for (size_t j = 0; j < N; j++) {
			A[j] = An;
			B[j] = Bn;
		}
	} else {
		theta_run r = {0, 0, 0, 0, 0};
		A[0] = B[0] = 0; /* unused: mu_1 is not in the error sum */
		for (size_t j = 0; j + 1 < N; j++) {
			update(&r, z[j], 0.5, 1);
			A[j + 1] = r.A;
			B[j + 1] = r.B;
		}
	}

	fit_ctx c = {z, interp, N, dynamic ? 3 : 1, A, B, theta, 0, 0, 0, 0};
	if (isnan(alpha))
		alpha = fc_minimise_1d(solve_fn, &c, ALPHA_LO, ALPHA_HI);
	solve(&c, alpha);
	if (!isfinite(c.ell0) || !isfinite(c.sse)) {
		rc = fc_err_set(err, FC_EMODEL, "model '%s': the least squares fit is not finite", name);
		goto out;
	}
	double w = c.w;

	/* Run the fitted recursion over the observed span. */
	theta_run r = {c.ell0, dynamic ? 0 : A[0], dynamic ? 0 : B[0], 0, 0};
	for (size_t j = 0; j < N; j++)
		update(&r, z[j], alpha, dynamic);

	st->dynamic = dynamic;
	st->alpha = alpha;
	st->theta = isnan(theta) ? 1 / (1 - w) : theta;
	st->ell0 = c.ell0;
	st->ell = r.ell;
	st->A = r.A;
	st->B = r.B;
	st->ybar = r.ybar;
	st->t = r.t;
	st->sigma2 = c.n_res ? c.sse / (double)c.n_res : NAN;
	st->skip = n - 1 - l;
	st->m = ms;
	st->season = season;
	season = NULL;
out:
	free(z);
	free(A);
	free(B);
	free(interp);
	free(idx);
	free(season);
	return rc;
}

static int theta_fit_kind(void *state, const void *params, const fc_series *y, int dynamic,
                          fc_err *err)
{
	const theta_params *p = params;
	return theta_fit_with(state, dynamic, p->alpha, p->theta, p->seasonal, period_of(p, y), y, err);
}

static int otm_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return theta_fit_kind(state, params, y, 0, err);
}

static int dotm_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	return theta_fit_kind(state, params, y, 1, err);
}

static void theta_free(void *state)
{
	theta_state *st = state;
	free(st->season);
	st->season = NULL;
}

static int theta_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	theta_state *st = state, tmp;
	memset(&tmp, 0, sizeof tmp);
	size_t m = st->m;
	int rc = theta_fit_with(&tmp, st->dynamic, st->alpha, st->theta, m > 1 ? 1 : 0, m, y, err);
	if (rc)
		return rc;
	if (tmp.m != m) {
		theta_free(&tmp);
		return fc_err_set(err, FC_EMODEL,
		                  "model '%s': the seasonal indices cannot be computed on the new data",
		                  st->dynamic ? "dotm" : "otm");
	}
	theta_free(st);
	*st = tmp;
	return 0;
}

/* ---- forecasting ------------------------------------------------------------------ */

static int theta_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	const theta_state *st = state;
	size_t K = st->skip + out->h;
	double w = 1 - 1 / st->theta;
	double *mean = malloc(2 * K * sizeof *mean);
	if (!mean)
		return fc_err_set(err, FC_ENOMEM, "forecast: out of memory");
	double *var = mean + K;
	theta_run r0 = {st->ell, st->A, st->B, st->ybar, st->t};
	theta_run r = r0;
	for (size_t k = 0; k < K; k++) {
		mean[k] = predict(&r, st->alpha, w);
		update(&r, mean[k], st->alpha, st->dynamic);
		var[k] = 1;
	}
	/* Impulse responses g_{kj}: a unit error at step j (0-based). */
	if (out->n_levels) {
		for (size_t j = 0; j + 1 < K; j++) {
			theta_run d = {0, 0, 0, 0, r0.t + (double)j};
			update(&d, 1, st->alpha, st->dynamic);
			for (size_t k = j + 1; k < K; k++) {
				double g = predict(&d, st->alpha, w);
				var[k] += g * g;
				update(&d, g, st->alpha, st->dynamic);
			}
		}
	}
	for (size_t i = 0; i < out->h; i++) {
		double s = st->season[i % st->m];
		out->mean[i] = mean[st->skip + i] * s;
		var[i] = sqrt(st->sigma2 * var[st->skip + i]) * s; /* reuse as sd */
	}
	fc_forecast_normal_bounds(out, var);
	free(mean);
	return 0;
}

/* ---- parameters --------------------------------------------------------------------- */

static void theta_default_params(void *params)
{
	theta_params *p = params;
	p->alpha = NAN;
	p->theta = NAN;
	p->seasonal = -1;
	p->period = 0;
}

/* The search space of otm and dotm: the theta line estimated or fixed
 * (2 is the classical Theta method), the seasonal adjustment by the test,
 * forced or off. */
static const fc_param_space theta_space[] = {
	FC_SPACE_CHOICE_OF("theta", "auto", "2", "3"),
	FC_SPACE_CHOICE_OF("seasonal", "auto", "yes", "no"),
};

static int theta_set_param_named(void *params, const char *key, const char *val, const char *name,
                                 fc_err *err)
{
	theta_params *p = params;
	if (strcmp(key, "alpha") == 0 || strcmp(key, "theta") == 0) {
		int is_alpha = key[0] == 'a';
		if (strcmp(val, "auto") == 0) {
			*(is_alpha ? &p->alpha : &p->theta) = NAN;
			return 0;
		}
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		int ok = end != val && !*end && !errno &&
		         (is_alpha ? v > 0 && v <= 1 : v >= 1 && v <= THETA_MAX);
		if (!ok)
			return fc_err_set(err, FC_EINVAL,
			                  is_alpha ? "model '%s': parameter 'alpha' must be 'auto' or a number "
			                             "in (0, 1], got '%s'"
			                           : "model '%s': parameter 'theta' must be 'auto' or a number "
			                             "from 1 to 1e10, got '%s'", name, val);
		*(is_alpha ? &p->alpha : &p->theta) = v;
		return 0;
	}
	if (strcmp(key, "seasonal") == 0) {
		if (strcmp(val, "auto") == 0)
			p->seasonal = -1;
		else if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0)
			p->seasonal = 0;
		else if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0)
			p->seasonal = 1;
		else
			return fc_err_set(err, FC_EINVAL,
			                  "model '%s': parameter 'seasonal' must be auto, yes or no, got '%s'",
			                  name, val);
		return 0;
	}
	if (strcmp(key, "period") == 0) {
		long v;
		if (fc_param_parse_count(val, MAX_PERIOD, &v) || v == 1)
			return fc_err_set(err, FC_EINVAL,
			                  "model '%s': parameter 'period' must be 0 (the series' period) or an "
			                  "integer from 2 to %ld, got '%s'", name, MAX_PERIOD, val);
		p->period = v;
		return 0;
	}
	return fc_err_set(err, FC_EINVAL,
	                  "model '%s' has no parameter '%s'; it has: alpha, theta, seasonal, period",
	                  name, key);
}

static int otm_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return theta_set_param_named(params, key, val, "otm", err);
}

static int dotm_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	return theta_set_param_named(params, key, val, "dotm", err);
}

static int put_auto(fc_buf *b, const char *key, double v)
{
	if (isnan(v))
		return fc_buf_printf(b, "%s%s=auto", b->len ? " " : "", key);
	return fc_buf_put_double(b, key, v);
}

static int theta_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const theta_params *p = params;
	static const char *const seas[3] = {"auto", "no", "yes"};
	if (put_auto(out, "alpha", p->alpha) || put_auto(out, "theta", p->theta) ||
	    fc_buf_printf(out, " seasonal=%s", seas[p->seasonal + 1]) ||
	    fc_buf_put_long(out, "period", p->period))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static size_t otm_min_length(const void *params, const fc_series *y)
{
	return 3;
}

static size_t dotm_min_length(const void *params, const fc_series *y)
{
	return 4;
}

/* ---- save and load -------------------------------------------------------------------- */

static int theta_save(const void *state, fc_buf *out, fc_err *err)
{
	const theta_state *st = state;
	if (fc_buf_put_double(out, "alpha", st->alpha) || fc_buf_put_double(out, "theta", st->theta) ||
	    fc_buf_put_double(out, "ell0", st->ell0) || fc_buf_put_double(out, "ell", st->ell) ||
	    fc_buf_put_double(out, "A", st->A) || fc_buf_put_double(out, "B", st->B) ||
	    fc_buf_put_double(out, "ybar", st->ybar) || fc_buf_put_double(out, "t", st->t) ||
	    fc_buf_put_double(out, "sigma2", st->sigma2) ||
	    fc_buf_put_long(out, "skip", (long)st->skip) ||
	    fc_buf_put_doubles(out, "season", st->season, st->m))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

static int theta_load_kind(void *state, const fc_buf *in, int dynamic, fc_err *err)
{
	theta_state *st = state;
	double alpha, theta, ell0, ell, A, B, ybar, t, sigma2, *season = NULL;
	long skip;
	size_t m;
	int rc;
	if ((rc = fc_buf_get_double(in, "alpha", &alpha, err)) ||
	    (rc = fc_buf_get_double(in, "theta", &theta, err)) ||
	    (rc = fc_buf_get_double(in, "ell0", &ell0, err)) ||
	    (rc = fc_buf_get_double(in, "ell", &ell, err)) ||
	    (rc = fc_buf_get_double(in, "A", &A, err)) ||
	    (rc = fc_buf_get_double(in, "B", &B, err)) ||
	    (rc = fc_buf_get_double(in, "ybar", &ybar, err)) ||
	    (rc = fc_buf_get_double(in, "t", &t, err)) ||
	    (rc = fc_buf_get_double(in, "sigma2", &sigma2, err)) ||
	    (rc = fc_buf_get_long(in, "skip", &skip, err)))
		return rc;
	if (!(alpha > 0 && alpha <= 1))
		return fc_err_set(err, FC_EFORMAT, "value 'alpha' is out of range");
	if (!(theta >= 1 && theta <= THETA_MAX * (1 + 1e-6))) /* 1 / (1 - w) rounds */
		return fc_err_set(err, FC_EFORMAT, "value 'theta' is out of range");
	if (!isfinite(ell0) || !isfinite(ell) || !isfinite(A) || !isfinite(B) || !isfinite(ybar))
		return fc_err_set(err, FC_EFORMAT, "a state value is not finite");
	if (!(t >= 1 && t == floor(t)))
		return fc_err_set(err, FC_EFORMAT, "value 't' is out of range");
	if (!(isnan(sigma2) || (sigma2 >= 0 && isfinite(sigma2))))
		return fc_err_set(err, FC_EFORMAT, "value 'sigma2' is out of range");
	if (skip < 0)
		return fc_err_set(err, FC_EFORMAT, "value 'skip' is out of range");
	if ((rc = fc_buf_get_doubles(in, "season", &season, &m, err)))
		return rc;
	for (size_t j = 0; j < m; j++) {
		if (!(season[j] > 0 && isfinite(season[j])) || m > (size_t)MAX_PERIOD) {
			free(season);
			return fc_err_set(err, FC_EFORMAT, "value 'season' is out of range");
		}
	}
	st->dynamic = dynamic;
	st->alpha = alpha;
	st->theta = theta;
	st->ell0 = ell0;
	st->ell = ell;
	st->A = A;
	st->B = B;
	st->ybar = ybar;
	st->t = t;
	st->sigma2 = sigma2;
	st->skip = (size_t)skip;
	st->m = m;
	st->season = season;
	return 0;
}

static int otm_load(void *state, const fc_buf *in, fc_err *err)
{
	return theta_load_kind(state, in, 0, err);
}

static int dotm_load(void *state, const fc_buf *in, fc_err *err)
{
	return theta_load_kind(state, in, 1, err);
}

/* What explain reports: the estimated theta, alpha and initial level, the
 * final level and trend line (A + B t), the residual variance and the
 * seasonal period the series was adjusted for (1: not adjusted). */
static int theta_describe(const void *state, const void *params, fc_description *d)
{
	const theta_state *st = state;
	return fc_description_num(d, "theta", st->theta) || fc_description_num(d, "alpha", st->alpha) ||
	       fc_description_num(d, "initial_level", st->ell0) ||
	       fc_description_num(d, "level", st->ell) ||
	       fc_description_num(d, "trend_intercept", st->A) ||
	       fc_description_num(d, "trend_slope", st->B) ||
	       fc_description_num(d, "sigma2", st->sigma2) ||
	       fc_description_num(d, "seasonal_period", st->m ? (double)st->m : 1);
}

static const fc_model_type otm_type = {
	.name = "otm",
	.cost = 0.21,
	.summary = "optimised Theta model (Fiorucci et al. 2016): theta line, alpha and level by least squares",
	.params_size = sizeof(theta_params),
	.state_size = sizeof(theta_state),
	.default_params = theta_default_params,
	.set_param = otm_set_param,
	FC_SPACE_TABLE(theta_space),
	.save_params = theta_save_params,
	.min_length = otm_min_length,
	.fit = otm_fit,
	.forecast = theta_forecast,
	.save = theta_save,
	.load = otm_load,
	.free = theta_free,
	.anchor = theta_anchor,
	.describe = theta_describe,
	.conformal = 0,
};
const fc_model_type *const fc_model_otm = &otm_type;

static const fc_model_type dotm_type = {
	.name = "dotm",
	.cost = 0.22,
	.summary = "dynamic optimised Theta model (Fiorucci et al. 2016): trend line revised every period",
	.params_size = sizeof(theta_params),
	.state_size = sizeof(theta_state),
	.default_params = theta_default_params,
	.set_param = dotm_set_param,
	FC_SPACE_TABLE(theta_space),
	.save_params = theta_save_params,
	.min_length = dotm_min_length,
	.fit = dotm_fit,
	.forecast = theta_forecast,
	.save = theta_save,
	.load = dotm_load,
	.free = theta_free,
	.anchor = theta_anchor,
	.conformal = 0,
	.describe = theta_describe,
};
const fc_model_type *const fc_model_dotm = &dotm_type;
