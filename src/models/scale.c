/* The log1p and Box-Cox scales of the local kinds: parsing the flag,
 * Guerrero's choice of lambda, the transform and its bias-adjusted
 * inverse, guarded where the adjustment (a second-order approximation)
 * leaves the step's interval.  Formulas, the bound and references in
 * include/forecast/scale.h.
 *
 * Guerrero's criterion follows R forecast's guer.cv (BoxCox.lambda,
 * method "guerrero"): the newest floor(n/m) m values are cut into
 * columns of m, each column's mean and sd (n - 1 denominator, NaN
 * skipped), the ratios sd / mean^(1 - lambda), and the criterion is the
 * ratios' sd over their mean.  It is minimised on [-1, 2] by Brent's
 * localmin (Brent 1973, "Algorithms for Minimization without
 * Derivatives", ch. 5; the algorithm of R's optimize(), netlib fmin),
 * with R's default tolerance .Machine$double.eps^0.25, and means and sums
 * of squares accumulated in long double with R's second pass, so that
 * the search takes R's steps and ends on R's lambda.  Omission: R warns
 * and still searches on data with values <= 0; we do not transform such
 * a series at all (fc_scale_forward). */
#include "forecast/scale.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fc_scale_parse(const char *s, fc_scale *out, fc_err *err)
{
	if (strcmp(s, "log1p") == 0) {
		*out = (fc_scale){.kind = FC_SCALE_LOG1P, .lambda = NAN};
		return 0;
	}
	if (strcmp(s, "boxcox") == 0 || strcmp(s, "boxcox=auto") == 0) {
		*out = (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = NAN};
		return 0;
	}
	if (strncmp(s, "boxcox=", 7) == 0) {
		const char *v = s + 7;
		char *end;
		errno = 0;
		double l = strtod(v, &end);
		if (end == v || *end || errno || !(l >= FC_BOXCOX_LOWER && l <= FC_BOXCOX_UPPER))
			return fc_err_set(err, FC_EINVAL,
			                  "--transform boxcox=LAMBDA: expected auto or a number from "
			                  "-1 to 2 (Guerrero's range); got '%s'",
			                  v);
		*out = (fc_scale){.kind = FC_SCALE_BOXCOX, .lambda = l};
		return 0;
	}
	return fc_err_set(err, FC_EINVAL,
	                  "--transform: expected log1p, boxcox, boxcox=auto or boxcox=LAMBDA; got '%s'",
	                  s);
}

const char *fc_scale_format(const fc_scale *s, char *buf, size_t cap)
{
	switch (s->kind) {
	case FC_SCALE_LOG1P: snprintf(buf, cap, "log1p"); break;
	case FC_SCALE_BOXCOX:
		if (isnan(s->lambda))
			snprintf(buf, cap, "boxcox=auto");
		else
			snprintf(buf, cap, "boxcox=%.17g", s->lambda);
		break;
	default: snprintf(buf, cap, "none"); break;
	}
	return buf;
}

/* ---- Guerrero ---------------------------------------------------------- */

/* R's mean(x, na.rm = TRUE): a long double sum, then the mean of the
 * residuals added; the count of non-NaN values in *k.  NaN when none. */
static long double r_mean(const double *x, size_t n, size_t *k)
{
	long double s = 0;
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i])) {
			s += x[i];
			c++;
		}
	*k = c;
	if (!c)
		return NAN;
	s /= (long double)c;
	if (isfinite((double)s)) {
		long double t = 0;
		for (size_t i = 0; i < n; i++)
			if (!isnan(x[i]))
				t += x[i] - s;
		s += t / (long double)c;
	}
	return s;
}

/* R's sd(x, na.rm = TRUE): the two-pass variance about that mean. */
static double r_sd(const double *x, size_t n)
{
	size_t k;
	long double m = r_mean(x, n, &k);
	if (k < 2)
		return NAN;
	long double ss = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			ss += (x[i] - m) * (x[i] - m);
	return sqrt((double)(ss / (long double)(k - 1)));
}

typedef struct guerrero {
	size_t cols;
	double *mean, *sd, *rat; /* per column */
} guerrero;

static double guer_cv(const guerrero *g, double lambda)
{
	for (size_t j = 0; j < g->cols; j++)
		g->rat[j] = g->sd[j] / pow(g->mean[j], 1 - lambda);
	size_t k;
	double m = (double)r_mean(g->rat, g->cols, &k);
	double cv = r_sd(g->rat, g->cols) / m;
	/* as R's optimize(): "NA/Inf replaced by maximum positive value" */
	return isfinite(cv) ? cv : DBL_MAX;
}

/* Brent's localmin of f on [a, b] to tolerance tol, step for step as
 * R's Brent_fmin (src/library/stats/src/optimize.c). */
static double brent_fmin(double a, double b, const guerrero *g, double tol)
{
	const double c = (3. - sqrt(5.)) * .5;
	double eps = sqrt(DBL_EPSILON);
	double v = a + c * (b - a), w = v, x = v;
	double d = 0., e = 0.;
	double fx = guer_cv(g, x), fv = fx, fw = fx;
	double tol3 = tol / 3.;
	for (;;) {
		double xm = (a + b) * .5, tol1 = eps * fabs(x) + tol3, t2 = tol1 * 2.;
		if (fabs(x - xm) <= t2 - (b - a) * .5)
			break;
		double p = 0., q = 0., r = 0.;
		if (fabs(e) > tol1) { /* fit a parabola */
			r = (x - w) * (fx - fv);
			q = (x - v) * (fx - fw);
			p = (x - v) * q - (x - w) * r;
			q = (q - r) * 2.;
			if (q > 0.)
				p = -p;
			else
				q = -q;
			r = e;
			e = d;
		}
		if (fabs(p) >= fabs(q * .5 * r) || p <= q * (a - x) || p >= q * (b - x)) {
			/* a golden-section step */
			e = x < xm ? b - x : a - x;
			d = c * e;
		} else { /* a parabolic-interpolation step */
			d = p / q;
			double u = x + d;
			if (u - a < t2 || b - u < t2) {
				d = tol1;
				if (x >= xm)
					d = -d;
			}
		}
		double u;
		if (fabs(d) >= tol1)
			u = x + d;
		else if (d > 0.)
			u = x + tol1;
		else
			u = x - tol1;
		double fu = guer_cv(g, u);
		if (fu <= fx) {
			if (u < x)
				b = x;
			else
				a = x;
			v = w;
			w = x;
			x = u;
			fv = fw;
			fw = fx;
			fx = fu;
		} else {
			if (u < x)
				a = u;
			else
				b = u;
			if (fu <= fw || w == x) {
				v = w;
				fv = fw;
				w = u;
				fw = fu;
			} else if (fu <= fv || v == x || v == w) {
				v = u;
				fv = fu;
			}
		}
	}
	return x;
}

double fc_boxcox_guerrero(const double *y, size_t n, size_t period)
{
	size_t m = period < 2 ? 2 : period;
	guerrero g = {.cols = n / m};
	if (g.cols < 2)
		return NAN;
	double *buf = malloc(3 * g.cols * sizeof *buf);
	if (!buf)
		return NAN;
	g.mean = buf;
	g.sd = buf + g.cols;
	g.rat = buf + 2 * g.cols;
	const double *x = y + (n - g.cols * m); /* the newest whole columns */
	size_t usable = 0;
	for (size_t j = 0; j < g.cols; j++) {
		size_t k;
		g.mean[j] = (double)r_mean(x + j * m, m, &k);
		g.sd[j] = r_sd(x + j * m, m);
		usable += !isnan(g.mean[j]) && !isnan(g.sd[j]);
	}
	double lambda = NAN;
	/* R's optimize() default tolerance, .Machine$double.eps^0.25 */
	if (usable >= 2) {
		lambda = brent_fmin(FC_BOXCOX_LOWER, FC_BOXCOX_UPPER, &g, pow(DBL_EPSILON, 0.25));
		if (guer_cv(&g, lambda) == DBL_MAX) /* undefined everywhere (constant columns) */
			lambda = NAN;
	}
	free(buf);
	return lambda;
}

/* ---- the transform and its inverse ------------------------------------ */

static double forward1(const fc_scale *s, double y)
{
	if (isnan(y))
		return y;
	if (s->kind == FC_SCALE_LOG1P)
		return log1p(y);
	if (s->lambda == 0)
		return log(y);
	return (pow(y, s->lambda) - 1) / s->lambda;
}

void fc_scale_apply(const fc_scale *s, const double *y, size_t n, double *z)
{
	for (size_t i = 0; i < n; i++)
		z[i] = s->kind == FC_SCALE_NONE ? y[i] : forward1(s, y[i]);
}

int fc_scale_forward(const fc_scale *req, size_t period, const double *y, size_t n, double *z,
                     fc_scale *applied, char *why, size_t why_cap)
{
	fc_scale s = *req;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		if (s.kind == FC_SCALE_BOXCOX && y[i] <= 0) {
			snprintf(why, why_cap, "Box-Cox needs positive values; value %zu is %g", i + 1, y[i]);
			return -1;
		}
		if (s.kind == FC_SCALE_LOG1P && y[i] <= -1) {
			snprintf(why, why_cap, "log1p needs values above -1; value %zu is %g", i + 1, y[i]);
			return -1;
		}
	}
	if (s.kind == FC_SCALE_BOXCOX && isnan(s.lambda)) {
		s.lambda = fc_boxcox_guerrero(y, n, period);
		if (isnan(s.lambda)) {
			snprintf(why, why_cap,
			         "Guerrero's lambda needs two subseries of %zu values with a mean and an sd",
			         period < 2 ? (size_t)2 : period);
			return -1;
		}
	}
	fc_scale_apply(&s, y, n, z);
	*applied = s;
	return 0;
}

double fc_scale_invert(const fc_scale *s, double w)
{
	switch (s->kind) {
	case FC_SCALE_LOG1P: return expm1(w);
	case FC_SCALE_BOXCOX: {
		if (s->lambda == 0)
			return exp(w);
		double xx = s->lambda * w + 1;
		if (s->lambda < 0 && xx < 0)
			return NAN;
		return copysign(pow(fabs(xx), 1 / s->lambda), xx);
	}
	default: return w;
	}
}

double fc_scale_invert_mean(const fc_scale *s, double w, double var)
{
	if (s->kind == FC_SCALE_NONE)
		return w;
	int adjust = isfinite(var);
	if (s->kind == FC_SCALE_LOG1P)
		return adjust ? exp(w) * (1 + 0.5 * var) - 1 : expm1(w);
	double out = fc_scale_invert(s, w);
	if (!adjust)
		return out;
	/* R's InvBoxCox(biasadj = TRUE): out (1 + fvar (1 - lambda) / (2 out^(2 lambda))) */
	return out * (1 + 0.5 * var * (1 - s->lambda) / pow(out, 2 * s->lambda));
}

double fc_scale_invert_mean_guarded(const fc_scale *s, double w, double var, double lo, double hi,
                                    int *unadjusted)
{
	*unadjusted = 0;
	double median = fc_scale_invert(s, w); /* w itself without a scale */
	if (s->kind == FC_SCALE_NONE || !isfinite(var))
		return median;
	double mean = fc_scale_invert_mean(s, w, var);
	double L = fc_scale_invert(s, lo), H = fc_scale_invert(s, hi);
	if (isfinite(mean) && mean >= L && mean <= H) /* false for a NaN bound */
		return mean;
	*unadjusted = 1;
	return median;
}
