/* The model interface: a table of operations per model kind, and the one
 * forecast result type that every kind returns.
 *
 * A kind (naive, arima, ...) is a static const fc_model_type; the generic
 * layer (fc_model_*) validates arguments and delegates.  Cross-validation,
 * selection and the CLI use only this interface. */
#ifndef FORECAST_MODEL_H
#define FORECAST_MODEL_H

#include <stddef.h>
#include "forecast/buf.h"
#include "forecast/error.h"
#include "forecast/series.h"
#include "forecast/space.h"

#define FC_MAX_LEVELS 8

/* Point forecasts and central prediction intervals.  The caller sets h and
 * the levels with fc_forecast_init; the model fills mean, lo and hi.
 * lo[l*h + i] / hi[l*h + i] bound step i+1 at levels[l] percent. */
typedef struct fc_forecast {
	size_t h;
	double *mean;
	size_t n_levels;
	double levels[FC_MAX_LEVELS]; /* ascending, each in (0, 100) */
	double *lo, *hi;
} fc_forecast;

/* Allocates arrays for h steps and copies the levels (sorted ascending;
 * duplicates removed).  FC_EINVAL for h == 0, too many levels or a level
 * outside (0,100); FC_ENOMEM. */
int fc_forecast_init(fc_forecast *f, size_t h, const double *levels, size_t n_levels, fc_err *err);
void fc_forecast_dispose(fc_forecast *f);

/* out (initialized, same h and levels as every f[k]) = the combination of
 * n forecasts: each value (the mean, every bound) is the weighted mean of
 * the f[k] that have it (not NaN), the weights renormalized over those; or
 * their median with median set (weights ignored); NaN where none has it.
 * Averaging bounds is quantile averaging (Lichtendahl, Grushka-Cockayne &
 * Winkler 2013, "Is it better to average probabilities or quantiles?",
 * Management Science 59(7)).  n <= FC_COMBINE_MAX. */
#define FC_COMBINE_MAX 64
void fc_forecast_combine(const fc_forecast *const *f, const double *w, size_t n, int median,
                         fc_forecast *out);

/* Clipping of forecasts at zero, so that counts and sales are not forecast
 * below what they can be: never (NONE), for a series whose observed
 * history has no negative value (AUTO), or always (NONNEG). */
enum { FC_CLIP_NONE = 0, FC_CLIP_AUTO, FC_CLIP_NONNEG };
/* Whether mode clips a series with the values y[0..n) (NaN = missing,
 * not observed, so no evidence either way). */
int fc_clip_applies(int mode, const double *y, size_t n);
/* Raises the mean and every bound below zero to zero (NaN stays NaN). */
void fc_forecast_clip(fc_forecast *f);
/* "none", "auto", "nonneg"; the parser returns 0 or -1. */
const char *fc_clip_name(int mode);
int fc_clip_parse(const char *s, int *mode);

/* Fills lo/hi as mean -/+ z * sd[i] with z the standard normal quantile of
 * each level: the analytic interval of a Gaussian forecast error. */
void fc_forecast_normal_bounds(fc_forecast *f, const double *sd);

/* Operations of a global model kind: one model learned across many series
 * (gradient-boosted trees over lag and calendar features).  The panel is
 * the data; cut[i] limits series i to its first cut[i] observations
 * (0: the series takes no part), so that one call serves a back-test fold
 * of every series at once.  A global kind is a candidate like any other;
 * the selection engine calls these instead of fit and forecast. */
struct fc_explanation;
struct fc_description;

typedef struct fc_global_ops {
	/* Fits one model on the panel's series cut at cut[] into *state (the
	 * kind allocates it), for forecasts of up to h steps.  On failure
	 * *state is untouched. */
	int (*fit)(void **state, const void *params, const fc_panel *p, const size_t *cut, size_t h,
	           fc_err *err);
	/* Forecasts h steps past cut[i] for every series with cut[i] > 0 into
	 * mean[i * h + k] (NaN where it cannot, and for series with cut[i] ==
	 * 0), from a state fitted on this or an earlier cut. */
	int (*forecast)(const void *state, const void *params, const fc_panel *p, const size_t *cut,
	                size_t h, double *mean, fc_err *err);
	int (*save)(const void *state, fc_buf *out, fc_err *err);
	int (*load)(void **state, const fc_buf *in, fc_err *err);
	void (*free)(void *state);
	/* How many of a series' newest observations forecasting from its end
	 * needs (the model file keeps them); 0 = all. */
	size_t (*history)(const void *params, const void *state, const double *seasons,
	                  size_t n_seasons);
	/* Optional: as forecast, and also appends to *ex (forecast/explain.h)
	 * the importance of every feature and one SHAP row per series and
	 * step forecast.  NULL for kinds that cannot explain themselves. */
	int (*explain)(const void *state, const void *params, const fc_panel *p, const size_t *cut,
	               size_t h, double *mean, struct fc_explanation *ex, fc_err *err);
} fc_global_ops;

typedef struct fc_model_type {
	const char *name;        /* CLI and model-file key */
	const char *summary;     /* one line for --help */
	size_t params_size, state_size;
	void (*default_params)(void *params);
	/* FC_EINVAL with a message for an unknown key or a bad value. */
	int (*set_param)(void *params, const char *key, const char *val, fc_err *err);
	/* Writes the parameters as key=value tokens (read back by set_param). */
	int (*save_params)(const void *params, fc_buf *out, fc_err *err);
	/* The shortest series (in observations) this kind can be fitted to with
	 * these parameters; 0 when it does not apply at all (e.g. seasonal
	 * naive on a non-seasonal series). */
	size_t (*min_length)(const void *params, const fc_series *y);
	/* Fits to y (NaN = missing).  state is zeroed memory of state_size
	 * bytes; on failure it must be left so that free() is safe. */
	int (*fit)(void *state, const void *params, const fc_series *y, fc_err *err);
	/* Forecasts out->h steps past the end of the fitted series at out's levels. */
	int (*forecast)(const void *state, fc_forecast *out, fc_err *err);
	int (*save)(const void *state, fc_buf *out, fc_err *err);
	int (*load)(void *state, const fc_buf *in, fc_err *err);
	void (*free)(void *state); /* releases what the state points to; may be NULL */
	/* Optional.  Re-anchors a fitted state on y, newer data of the same
	 * series, keeping the estimated parameters (e.g. runs a filter over y
	 * without re-estimating).  On failure the state must still be safe to
	 * free.  NULL: re-anchoring refits with the same parameters. */
	int (*anchor)(void *state, const void *params, const fc_series *y, fc_err *err);
	/* Optional.  Fits to y, a longer window of the series prev was fitted
	 * to (the next back-test fold), reusing prev's choices (an order, a
	 * model form) instead of searching again: the back-test's later folds
	 * then cost one estimation, not one search.  It sees no data prev did
	 * not, so the back-test stays honest; it evaluates "the choice made on
	 * the earlier fold, re-estimated".  NULL: a full fit. */
	int (*warm_fit)(void *state, const void *params, const void *prev, const fc_series *y,
	                fc_err *err);
	/* Nonzero for kinds without a stochastic model (Croston, ...): their
	 * forecast leaves lo/hi NaN, and the selection engine fills them from
	 * the back-test errors of the folds (split conformal). */
	int conformal;
	/* Non-NULL for global kinds (see fc_global_ops); their fit and
	 * forecast may be NULL, and their intervals are conformal. */
	const fc_global_ops *global;
	/* Nonzero for kinds left out of the default candidate set (too slow
	 * to try on every series by default); they run when named. */
	int opt_in;
	/* The estimated cost of a fit: CPU seconds per million observations
	 * fitted, on the reference machine (measured on daily series of 1,900
	 * days, bench/results/m5.md).  A rough guide, not a bound: the default
	 * set leaves the dearest local kinds out of panels whose estimated work
	 * is over --default-budget.  0 for kinds whose fit costs next to
	 * nothing. */
	double cost;
	/* Optional.  The parameters a hyperparameter search (--search) varies
	 * and their ranges (include/forecast/space.h): a static table beside
	 * the kind's set_param, n_space entries, each name a key set_param
	 * takes.  NULL: the kind is not searched unless a space file adds
	 * parameters. */
	const fc_param_space *space;
	size_t n_space;
	/* Optional.  Appends the fitted parameters and components of a state
	 * to *out (forecast/explain.h), for `forecast explain`: what was
	 * estimated or chosen, read from the state, not re-estimated.  0, or
	 * -1 when out of memory.  NULL: the kind has nothing to report. */
	int (*describe)(const void *state, const void *params, struct fc_description *out);
} fc_model_type;

/* .space and .n_space of a kind's table from a static array. */
#define FC_SPACE_TABLE(table) .space = (table), .n_space = sizeof(table) / sizeof((table)[0])

/* The built-in kinds. */
extern const fc_model_type *const fc_model_naive;
extern const fc_model_type *const fc_model_snaive;
extern const fc_model_type *const fc_model_drift;
extern const fc_model_type *const fc_model_mean;
extern const fc_model_type *const fc_model_window;
extern const fc_model_type *const fc_model_stl;
extern const fc_model_type *const fc_model_otm;
extern const fc_model_type *const fc_model_dotm;
extern const fc_model_type *const fc_model_croston;
extern const fc_model_type *const fc_model_sba;
extern const fc_model_type *const fc_model_tsb;
extern const fc_model_type *const fc_model_adida;
extern const fc_model_type *const fc_model_imapa;
extern const fc_model_type *const fc_model_ets;
extern const fc_model_type *const fc_model_theta;
extern const fc_model_type *const fc_model_gbdt;
/* Training rows the gbdt kind has made (featurized) in this process, for
 * checking how the MPI driver divides them; the rows of the bin sample
 * count once more when they are not every row. */
size_t fc_gbdt_rows_made(void);
extern const fc_model_type *const fc_model_arima;

/* Registry of kinds, in a fixed order (which is also the tie-break order). */
size_t fc_model_kind_count(void);
const fc_model_type *fc_model_kind_at(size_t i);
const fc_model_type *fc_model_lookup(const char *name);

/* The scale a local kind models a series on (forecast/scale.h): the
 * original one, log(1 + y), or Box-Cox with a lambda (NaN: chosen per
 * series by Guerrero's method at each fit). */
enum { FC_SCALE_NONE = 0, FC_SCALE_LOG1P, FC_SCALE_BOXCOX };
typedef struct fc_scale {
	int kind;      /* FC_SCALE_* */
	double lambda; /* BOXCOX: the lambda; NaN in a request = auto */
} fc_scale;

/* An instance: a kind, its parameters and (after fit or load) its state.
 * With a scale (set before fitting; global kinds ignore it), fc_model_fit
 * fits the kind to the transformed series and fc_model_forecast maps the
 * forecast back, bias-adjusted (forecast/scale.h); applied is the scale
 * of the fit (kind NONE when the series could not take the transform:
 * then the kind saw the original series, and `why` says why). */
typedef struct fc_model {
	const fc_model_type *type;
	void *params;
	void *state;
	int fitted;
	fc_scale scale;   /* requested: copied by fc_model_clone_unfitted */
	fc_scale applied; /* of the fit (and saved with it) */
	char why[96];     /* scale requested but not applied: the reason */
} fc_model;

/* New model of a kind with default parameters. */
fc_model *fc_model_alloc(const fc_model_type *type, fc_err *err);
/* Copy of the kind and parameters, unfitted. */
fc_model *fc_model_clone_unfitted(const fc_model *m, fc_err *err);
int fc_model_set_param(fc_model *m, const char *key, const char *val, fc_err *err);
/* Applies "key=value key=value" tokens as written by save_params. */
int fc_model_set_params_text(fc_model *m, const char *text, fc_err *err);
size_t fc_model_min_length(const fc_model *m, const fc_series *y);
/* Fits (refits) on y; a previous fit is released first. */
int fc_model_fit(fc_model *m, const fc_series *y, fc_err *err);
/* Fits on y reusing the previous fit's choices where the kind can
 * (fc_model_type.warm_fit); otherwise, or when the model is unfitted, as
 * fc_model_fit. */
int fc_model_fit_warm(fc_model *m, const fc_series *y, fc_err *err);
/* Re-anchors a fitted model on y (see fc_model_type.anchor); an unfitted
 * model, or a kind without anchor, is fitted on y.  On failure the model is
 * left unfitted. */
int fc_model_anchor(fc_model *m, const fc_series *y, fc_err *err);
/* out must be initialized by fc_forecast_init. */
int fc_model_forecast(const fc_model *m, fc_forecast *out, fc_err *err);
/* fc_model_forecast, also counting in *unadjusted the steps whose point
 * forecast is the back-transformed median because the bias adjustment was
 * out of bounds (fc_scale_invert_mean_guarded); 0 without a scale. */
int fc_model_forecast_counted(const fc_model *m, fc_forecast *out, size_t *unadjusted,
                              fc_err *err);
/* Appends what a fitted model's kind reports of its state (see
 * fc_model_type.describe) to *out.  FC_EINVAL when the model is not
 * fitted, FC_ENOMEM; nothing is added for a kind without describe. */
int fc_model_describe(const fc_model *m, struct fc_description *out, fc_err *err);
/* Parameters and state as two lines of text: "params ...\nstate ...\n".
 * A model fitted with a scale starts its params line with the tokens of
 * fc_model_params_text (fc_model_load reads them back). */
int fc_model_save(const fc_model *m, fc_buf *out, fc_err *err);
/* Reads the two lines written by fc_model_save into a new model of type. */
fc_model *fc_model_load(const fc_model_type *type, const char *params_text,
                        const char *state_text, fc_err *err);
void fc_model_free(fc_model *m);
/* Appends the parameters line's tokens (without the "params" tag): for a
 * local model with a requested scale first "target_scale=S
 * target_applied=A" (fc_scale_format: the request, and the fit's scale
 * with its lambda to 17 digits, or "none" when the series could not take
 * the transform), then the kind's key=value tokens; without a scale only
 * the kind's, so that files of fits without --transform stay as they
 * were.  FC_ENOMEM. */
int fc_model_params_text(const fc_model *m, fc_buf *out, fc_err *err);
/* Reads those tokens at the start of a params line into m (request and
 * applied scale) and returns the rest of the line; FC_EFORMAT for a bad
 * value. */
int fc_model_scale_read(fc_model *m, const char *params_text, const char **rest, fc_err *err);

#endif
