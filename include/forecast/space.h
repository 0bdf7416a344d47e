/* Hyperparameter search spaces: what a model kind's parameters may take in
 * a search, declared beside the kind's set_param (fc_model_type.space),
 * and the helpers a search needs: drawing a value from a seeded random
 * stream, enumerating a grid, and formatting a value as the string
 * `--param KIND.NAME=VALUE` takes.
 *
 * The types follow hyperopt's vocabulary (Bergstra, Yamins & Cox 2013,
 * "Making a science of model search", ICML), as Azure ML's sweeps do:
 *   choice(a, b, ...)    one of the listed strings (numbers are strings too)
 *   uniform(lo, hi)      a real number, uniform on [lo, hi]
 *   loguniform(lo, hi)   exp(uniform(log lo, log hi)), 0 < lo <= hi
 *   quniform(lo, hi, q)  lo + k q for a whole k, the last at most hi,
 *                        each equally likely
 *   int(lo, hi)          a whole number in lo..hi, each equally likely
 * Unlike hyperopt, loguniform takes the bounds themselves, not their logs.
 *
 * The random stream is splitmix64 (Steele, Lea & Flood 2014, "Fast
 * splittable pseudorandom number generators", OOPSLA): one 64-bit state,
 * the same numbers on every machine and thread count.
 *
 * Grids: a choice gives its values, quniform and int their points when
 * there are at most FC_SPACE_GRID_POINTS of them; otherwise (and for
 * uniform, loguniform) FC_SPACE_GRID_POINTS points spread evenly (on the
 * log scale for loguniform) from lo to hi, both included, rounded to the
 * q grid or to whole numbers (duplicates dropped). */
#ifndef FORECAST_SPACE_H
#define FORECAST_SPACE_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/error.h"

typedef enum fc_space_type {
	FC_SPACE_CHOICE = 0,
	FC_SPACE_UNIFORM,
	FC_SPACE_LOGUNIFORM,
	FC_SPACE_QUNIFORM,
	FC_SPACE_INT
} fc_space_type;

/* Points per continuous range in a grid. */
#define FC_SPACE_GRID_POINTS 3
/* The most values of a choice, and of a parameter in a grid. */
#define FC_SPACE_MAX_CHOICES 16
/* The longest formatted value, with its terminating NUL. */
#define FC_SPACE_VALUE_MAX 64

/* One searched parameter.  name is the key set_param takes; choices (for
 * CHOICE) point to n_choices strings; lo, hi (and q for QUNIFORM) bound
 * the others.  A kind's table is static and borrowed by everyone. */
typedef struct fc_param_space {
	const char *name;
	fc_space_type type;
	double lo, hi, q;
	size_t n_choices;
	const char *const *choices;
} fc_param_space;

/* Declaring a table entry: FC_SPACE_CHOICE_OF("damped", "true", "false"). */
#define FC_SPACE_CHOICE_OF(key, ...)                                                           \
	{ .name = (key), .type = FC_SPACE_CHOICE,                                                \
	  .n_choices = sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *),        \
	  .choices = (const char *const[]){__VA_ARGS__} }
#define FC_SPACE_RANGE(key, kind, low, high, step)                                             \
	{ .name = (key), .type = (kind), .lo = (low), .hi = (high), .q = (step) }

/* "choice", "uniform", "loguniform", "quniform", "int". */
const char *fc_space_type_name(fc_space_type t);

/* The range as written in a space file: "loguniform(0.01, 0.3)",
 * "choice(true, false)" (values with a comma or space quoted). */
void fc_space_describe(const fc_param_space *s, char *buf, size_t cap);

/* Checks the declaration: lo <= hi, finite bounds, lo > 0 for loguniform,
 * q > 0 for quniform, whole bounds for int, 1..FC_SPACE_MAX_CHOICES
 * choices.  FC_EINVAL with a message. */
int fc_space_check(const fc_param_space *s, fc_err *err);

/* splitmix64: next 64-bit value of *state. */
uint64_t fc_rng_next(uint64_t *state);
/* A uniform double in [0, 1) from the next value (53 bits). */
double fc_rng_uniform(uint64_t *state);

/* Draws one value of s from the stream and formats it into buf (at least
 * FC_SPACE_VALUE_MAX bytes): a choice as written, an int or a quniform
 * point with q and lo whole as a whole number, reals with %.4g (enough to
 * tell trials apart, short in a leaderboard). */
void fc_space_sample(const fc_param_space *s, uint64_t *rng, char *buf, size_t cap);

/* Formats value v of s as fc_space_sample does: for a choice, v is the
 * index of the choice (clamped to the list). */
void fc_space_format(const fc_param_space *s, double v, char *buf, size_t cap);

/* The number of points of a quniform or int range (lo, lo+q, ... up to
 * hi; q = 1 for int); 0 for the other types. */
double fc_space_steps(const fc_param_space *s);

/* The grid values of s (see above), each formatted as fc_space_sample
 * would, into vals[k] (FC_SPACE_VALUE_MAX bytes each, at most
 * FC_SPACE_MAX_CHOICES of them).  Returns their count. */
size_t fc_space_grid(const fc_param_space *s, char vals[][FC_SPACE_VALUE_MAX]);

#endif
