/* The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kegl
 * 2011, "Algorithms for hyper-parameter optimization", NeurIPS): the
 * proposal step of `--search bayes`.
 *
 * Given the points tried so far and their losses, the points are split at
 * the gamma quantile of the loss into the good ones (the lowest
 * ceil(gamma n), at least one) and the others.  Each dimension gets two
 * Parzen densities, l from the good points and g from the others, each a
 * prior component (the whole range) plus one component per point, with
 * equal weights:
 *   - numeric parameters: truncated normals on the range, centred on the
 *     points, each of width the larger gap to its sorted neighbours (the
 *     prior's centre counts as a point), clipped to [range/min(100, m+1),
 *     range] for m components (hyperopt's adaptive Parzen estimator);
 *     loguniform works on the log of the value; int and quniform draws
 *     are rounded to the grid and scored by the mass of their grid cell;
 *   - choices: the counts of each choice plus one, normalised.
 * n_cand candidates are drawn from l (dimension by dimension, independent)
 * and ranked by the sum over dimensions of log l(x) - log g(x), the
 * quantity whose maximum maximises expected improvement under TPE's model.
 * A proposal costs O(n_cand * n_obs * n_dims).
 *
 * Random numbers come from the splitmix64 stream *rng only, so a
 * suggestion depends on the inputs and the stream alone. */
#ifndef FORECAST_TPE_H
#define FORECAST_TPE_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/error.h"
#include "forecast/space.h"

#define FC_TPE_GAMMA 0.25
#define FC_TPE_CANDIDATES 24

/* Suggests n_cand points of the space dims[0 .. n_dims) into
 * out[j * n_dims + d], best (largest l/g) first.  x[i * n_dims + d] is
 * observation i's value of dimension d (for a choice: the index of the
 * choice), loss[i] its loss (NaN counts as +inf); n_obs may be 0 (then the
 * draws are from the prior).  Values are within the ranges, on the grid
 * of int and quniform.  FC_ENOMEM; FC_EINVAL for gamma outside (0, 1]. */
int fc_tpe_suggest(const fc_param_space *const *dims, size_t n_dims, const double *x,
                   const double *loss, size_t n_obs, double gamma, size_t n_cand, uint64_t *rng,
                   double *out, fc_err *err);

/* The value a parameter string stands for in fc_tpe_suggest's terms: the
 * index of a choice, or the number.  -1 when val is not a value of s. */
int fc_space_value_of(const fc_param_space *s, const char *val, double *x);

#endif
