/* The model file: everything `forecast predict` needs to forecast again, or
 * to re-anchor each series' chosen model on newer data.
 *
 * Format (version 2): UTF-8 text, one record per line, fields separated by
 * tabs, with '%', tab, CR and LF inside fields written as %25, %09, %0D,
 * %0A.  The first line is "forecast-model<TAB>1".  Header records follow
 * (source, time, target, groups, style, freq, seasons, fill, aggregate,
 * horizon, levels, metric, series), then per series: "series" with its
 * group values, "span" with the raw first timestamp and the number of
 * observations, "periods" with its seasonal periods, "model" with the kind
 * (or "none"), "params" and "state" with the model's key=value tokens, and
 * for kinds whose intervals are conformal a "conformal" record: folds,
 * horizon, and the fold errors (fold-major, comma-separated).  A series
 * forecast by several models has "model" "ensemble", their count and
 * "mean" or "median", then per member "member" with its kind and weight
 * followed by its params, state and conformal records (version 2).
 * Optional records: "exog" (after "metric") names the exogenous columns;
 * "global" records (after "series") hold global models, kind, parameters
 * and state, once each; a global member has "state" "global=K" (K its
 * 0-based global record), and its series a "history" record after the
 * members: count and the newest values of its training data, which
 * forecasting from its end needs.  An ensemble whose bounds are conformal
 * from its own back-test errors (fit --ensemble-intervals) ends with an
 * "intervals" record: "conformal", folds, horizon and those errors
 * (fold-major, comma-separated); without it the members' bounds are
 * averaged.  The record is optional, so files without it read as before.
 * A "clip" record after "metric" names fit --clip's mode (auto or nonneg;
 * absent: none), and then a "clip" record "nonneg" after a series'
 * "periods" marks the series whose forecasts and bounds were clipped at
 * zero.  A member fitted on a log1p or Box-Cox scale (fit --transform)
 * starts its "params" with "target_scale=S target_applied=A": the scale
 * asked for and the one its fit used (boxcox with the series' lambda to
 * 17 digits, or "none" when the series could not take it); members
 * without them are on the original scale, as in older files.  The last
 * line is "end<TAB>" and the
 * FNV-1a 64-bit hash (hex) of every byte before it, so truncation and
 * corruption are detected.  A reader takes versions 1 (one model per
 * series) and 2, and refuses others. */
#ifndef FORECAST_ARTIFACT_H
#define FORECAST_ARTIFACT_H

#include <stdio.h>
#include "forecast/cv.h"
#include "forecast/metrics.h"
#include "forecast/model.h"
#include "forecast/panel.h"

#define FC_ARTIFACT_VERSION 2

/* One model of a series' forecast. */
typedef struct fc_artifact_member {
	fc_model *model;     /* fitted (local kinds), or an unfitted instance
	                      * (kind and parameters) of globals[global] */
	double weight;
	size_t global;
	/* Back-test errors for conformal intervals (kinds with conformal set,
	 * and global kinds): conf_folds x conf_h values, fold-major; NULL
	 * otherwise. */
	double *conf_err;
	size_t conf_folds, conf_h;
} fc_artifact_member;

typedef struct fc_artifact_series {
	char **group_values; /* n_groups strings */
	fc_time start;       /* first timestamp of the training data */
	size_t n;            /* observations in the training data */
	size_t n_periods;    /* the series' own seasonal periods (they may
	                      * differ from the panel's when tested per series) */
	double periods[FC_MAX_SEASONS];
	/* Its forecast: the members' forecasts combined by weight (or their
	 * median), as fc_combine_forecasts; none when n_members is 0. */
	size_t n_members;
	fc_artifact_member *members;
	int median;
	/* For global members: the newest n_history observations of the
	 * training data (ending at start + n - 1; NaN at gaps). */
	double *history;
	size_t n_history;
	/* The ensemble's own back-test errors (ens_folds x ens_h, fold-major)
	 * when its bounds are conformal from them; NULL otherwise. */
	double *ens_err;
	size_t ens_folds, ens_h;
	int clip;            /* its forecasts were clipped at zero at fit time */
} fc_artifact_series;

/* A global model fitted on all series together, stored once. */
typedef struct fc_artifact_global {
	fc_model *model; /* kind and parameters (unfitted) */
	void *state;     /* loaded by the kind's global->load */
} fc_artifact_global;

typedef struct fc_artifact {
	char *source;
	char *time_name, *target_name;
	size_t n_groups;
	char **group_names;
	fc_time_style style;
	fc_freq freq;
	size_t n_seasons;
	double seasons[FC_MAX_SEASONS];
	fc_fill fill;
	fc_aggregate aggregate;
	size_t horizon;
	size_t n_levels;
	double levels[FC_MAX_LEVELS];
	fc_metric metric;
	int clip;            /* FC_CLIP_* of the fit (NONE in older files) */
	size_t n_exog;
	char **exog_names;
	size_t n_globals;
	fc_artifact_global *globals;
	size_t n_series;
	fc_artifact_series *series;
} fc_artifact;

/* Writes the panel's schema and each series' refit model from run. */
int fc_artifact_write(FILE *f, const fc_panel *p, const fc_run *run,
                      const fc_cv_opts *opts, fc_aggregate aggregate, fc_err *err);

/* Reads a model file.  FC_EIO when it cannot be opened; FC_EFORMAT, with
 * the path and line, when it is not a model file, is of another version,
 * fails its checksum, or holds a record that does not parse. */
int fc_artifact_load(const char *path, fc_artifact **out, fc_err *err);

void fc_artifact_free(fc_artifact *a);

/* The last timestamp of a series: start + (n-1) steps. */
fc_time fc_artifact_last(const fc_artifact *a, const fc_artifact_series *s);

/* Text names of time styles, fill and aggregate modes, as used in the file
 * and on the command line.  Parsers return 0 or -1. */
const char *fc_style_name(fc_time_style s);
int fc_style_parse(const char *s, fc_time_style *out);
const char *fc_fill_name(fc_fill f);
int fc_fill_parse(const char *s, fc_fill *out);
const char *fc_aggregate_name(fc_aggregate a);
int fc_aggregate_parse(const char *s, fc_aggregate *out);

#endif
