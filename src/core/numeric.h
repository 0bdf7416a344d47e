/* Small numerical helpers shared across the library (models, features,
 * io): one copy of each instead of one per file.  Private to libforecast;
 * include as "core/numeric.h". */
#ifndef FC_CORE_NUMERIC_H
#define FC_CORE_NUMERIC_H

#include <stddef.h>

/* qsort comparator for doubles, ascending (NaN compares equal to all). */
int fc_cmp_double(const void *a, const void *b);

/* Sorts v[0..n) ascending in place by straight insertion: stable, no
 * allocation, meant for a handful of values (folds, ensemble members,
 * reference periods); O(n^2). */
void fc_sort_small(double *v, size_t n);

/* The mean relative difference of y[0..n) from y[0], as R's all.equal(y,
 * rep(y[0], n)) measures it: over the k values that differ from y[0],
 * sum |y - y[0]| / (k * scale), scale the mean |y| of those values (1 when
 * that is not finite or not above sqrt(DBL_EPSILON)).  0 when every value
 * equals y[0] (and for n = 0); NaN or infinite values make it NaN or
 * infinite: each caller decides what that means.  forecast::is.constant is
 * "this is at most sqrt(DBL_EPSILON)". */
double fc_mean_rel_diff(const double *y, size_t n);

/* Minimises f over [lo, hi] and returns the argument found: a grid of 21
 * evenly spaced points, then Brent's method (GSL) inside the bracket
 * around the best grid point, or golden-section search on the
 * half-bracket when the best point is an end point.  A non-finite value at
 * the best grid point returns that point.  Deterministic: f is called in a
 * fixed order. */
double fc_minimise_1d(double (*f)(double, void *), void *ctx, double lo, double hi);

#endif
