/* Small numerical helpers shared across the library; see numeric.h. */
#include "core/numeric.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

int fc_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void fc_sort_small(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = v[i];
		size_t k = i;
		for (; k > 0 && v[k - 1] > x; k--)
			v[k] = v[k - 1];
		v[k] = x;
	}
}

double fc_mean_rel_diff(const double *y, size_t n)
{
	const double tol = sqrt(DBL_EPSILON);
	double sum_abs = 0, sum_diff = 0;
	size_t k = 0;
	for (size_t t = 0; t < n; t++) {
		if (y[t] == y[0])
			continue;
		sum_abs += fabs(y[t]);
		sum_diff += fabs(y[t] - y[0]);
		k++;
	}
	if (k == 0)
		return 0;
	double scale = sum_abs / (double)k;
	if (!(isfinite(scale) && scale > tol))
		scale = 1;
	return sum_diff / ((double)k * scale);
}

double fc_minimise_1d(double (*f)(double, void *), void *ctx, double lo, double hi)
{
	enum { G = 21 };
	double xs[G], fs[G];
	size_t best = 0;
	for (size_t i = 0; i < G; i++) {
		xs[i] = lo + (hi - lo) * (double)i / (G - 1);
		fs[i] = f(xs[i], ctx);
		if (fs[i] < fs[best])
			best = i;
	}
	if (!isfinite(fs[best]))
		return xs[best];
	double a = xs[best > 0 ? best - 1 : 0], b = xs[best < G - 1 ? best + 1 : G - 1];
	double xbest = xs[best], fbest = fs[best];
	if (best > 0 && best < G - 1 && fbest < fs[best - 1] && fbest < fs[best + 1]) {
		gsl_function F = {f, ctx};
		gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
		if (s && gsl_min_fminimizer_set_with_values(s, &F, xbest, fbest, a, fs[best - 1], b,
		                                            fs[best + 1]) == GSL_SUCCESS) {
			for (int it = 0; it < 100; it++) {
				if (gsl_min_fminimizer_iterate(s) != GSL_SUCCESS)
					break;
				double xl = gsl_min_fminimizer_x_lower(s), xu = gsl_min_fminimizer_x_upper(s);
				if (gsl_min_test_interval(xl, xu, 1e-8, 0) == GSL_SUCCESS)
					break;
			}
			double xm = gsl_min_fminimizer_x_minimum(s), fm = gsl_min_fminimizer_f_minimum(s);
			if (fm < fbest)
				xbest = xm;
		}
		gsl_min_fminimizer_free(s);
		return xbest;
	}
	/* golden-section search on [a, b] */
	const double g = 0.6180339887498949;
	double c = b - g * (b - a), d = a + g * (b - a);
	double fc = f(c, ctx), fd = f(d, ctx);
	for (int it = 0; it < 60 && b - a > 1e-9; it++) {
		if (fc < fd) {
			b = d;
			d = c;
			fd = fc;
			c = b - g * (b - a);
			fc = f(c, ctx);
		} else {
			a = c;
			c = d;
			fc = fd;
			d = a + g * (b - a);
			fd = f(d, ctx);
		}
	}
	if (fc < fbest) {
		xbest = c;
		fbest = fc;
	}
	if (fd < fbest)
		xbest = d;
	return xbest;
}
