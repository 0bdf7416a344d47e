/* Explanations of fitted global models: per-feature importance and exact
 * SHAP values of every forecast row (see forecast/gbdt.h, fc_gbdt_shap),
 * and the grouping of features back to the raw inputs they come from.
 *
 * Feature names are the featurizer's (lag_7, win28_mean, dow, holiday_*,
 * store_code, exogenous names); a name occurs once even when several
 * learners (direct steps, global_by groups) use it.  SHAP values are on the
 * learner's raw scale, which for the gbdt kind is the per-series
 * transformed target (standardized by default), not the original units. */
#ifndef FORECAST_EXPLAIN_H
#define FORECAST_EXPLAIN_H

#include <stddef.h>

typedef struct fc_explanation {
	size_t n_features;
	char **names;             /* n_features, owned */
	double *gain, *splits;    /* n_features: summed over the learners */
	size_t n_rows, cap_rows, stride;  /* stride >= n_features + 1 */
	size_t *series, *step;    /* per row: panel series index, step 0..h-1 */
	double *phi;              /* n_rows x stride: contributions, then the base
	                           * value at [n_features] ... moved as names grow */
	double *pred;             /* per row: the learner's raw prediction */
	size_t cap_features;
} fc_explanation;

void fc_explanation_init(fc_explanation *e);
void fc_explanation_dispose(fc_explanation *e);

/* Index of a feature name, added when new (its importance and SHAP columns
 * start at zero).  -1 when out of memory. */
long fc_explanation_feature(fc_explanation *e, const char *name);
/* Appends a row of zero contributions; its values are at
 * fc_explanation_phi(e, row).  -1 when out of memory. */
long fc_explanation_add_row(fc_explanation *e, size_t series, size_t step);
/* Contributions of a row: n_features values then the base value (the base
 * is at index e->n_features of the returned array, but only once every
 * name is known: use fc_explanation_base). */
double *fc_explanation_phi(const fc_explanation *e, size_t row);
double fc_explanation_base(const fc_explanation *e, size_t row);

/* The raw input a feature comes from: "target history" (lags, windows,
 * seasonal and expanding means), "calendar" (dow ... year, weekend, hour,
 * Fourier terms), "holidays" (holiday and event features), "group keys"
 * (*_code), the name of the exogenous column it derives from, or "other".
 * Borrowed: the result is a literal or one of exog_names. */
const char *fc_feature_source(const char *name, const char *const *exog_names, size_t n_exog);

/* The fitted parameters and components of a local model (ARIMA orders and
 * coefficients, ETS form and smoothing parameters, STL strengths ...) as
 * named values, in the order the kind adds them: a number, or a text for
 * what is not one (a model form).  Kinds fill it through their describe
 * hook (forecast/model.h, fc_model_describe). */
typedef struct fc_described {
	char *name;    /* owned; the description's prefix included */
	char *text;    /* owned; NULL for a number */
	double value;  /* NaN for a text */
} fc_described;

typedef struct fc_description {
	size_t n, cap;
	fc_described *items;
	/* Put before every name added: a kind that describes the model it
	 * wraps (stl's model of the adjusted series) sets it around the call.
	 * Borrowed; NULL or "" for none. */
	const char *prefix;
} fc_description;

void fc_description_init(fc_description *d);
void fc_description_dispose(fc_description *d);
/* Append one value.  0, or -1 when out of memory (d unchanged). */
int fc_description_num(fc_description *d, const char *name, double value);
int fc_description_text(fc_description *d, const char *name, const char *text);

#endif
