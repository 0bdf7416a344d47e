/* The HTML report of a run or a model file: one self-contained page (inline
 * SVG and CSS, one small inline script for the series search box; no
 * network access, no external scripts or fonts).
 *
 * The caller fills an fc_report from whatever it has (a fresh run, or a
 * model file) and fc_report_write_html renders it: the run summary, the
 * leaderboard, each model's wins and ensemble weight, the global models'
 * feature importance (gain) and SHAP summary (mean |SHAP| per feature over
 * the forecast rows), the holiday/event calendar, aggregate plots, and a
 * section per series with its recent history, back-test fold forecasts,
 * final forecast and interval band, and the ACF of the back-test errors.
 *
 * Large panels: with more than FC_REPORT_MAX_SECTIONS series, only the
 * best and worst FC_REPORT_MAX_SECTIONS / 2 by back-test error get a
 * section (the report says so); the aggregate plots cover every series.
 * So the size is bounded by the sections, not by the number of series:
 * each section holds at most FC_REPORT_MAX_POINTS history points. */
#ifndef FORECAST_REPORT_H
#define FORECAST_REPORT_H

#include <stdio.h>
#include "forecast/error.h"
#include "forecast/metrics.h"
#include "forecast/model.h"
#include "forecast/time.h"

#define FC_REPORT_MAX_SECTIONS 50
#define FC_REPORT_MAX_POINTS 400

/* One series.  All pointers are borrowed for the duration of the call. */
typedef struct fc_report_series {
	const char *key;        /* "S1,bread"; "" for a lone series */
	fc_time start;          /* timestamp of y[0] */
	size_t n;               /* history values in y (0: none kept) */
	const double *y;        /* NaN = missing */
	fc_time last;           /* timestamp of the last training observation */
	const fc_forecast *fc;  /* the final forecast, starting after `last`; NULL: none */
	const char *model;      /* its model: a kind or "ensemble" */
	const char *members;    /* "ets 0.62, theta 0.38"; may be NULL */
	/* Back-test fold forecasts: fold k forecasts y[origin[k] ..
	 * origin[k] + h) with fold_fc[k * h + i] (NaN where missing). */
	size_t n_folds, h;
	const size_t *origin;
	const double *fold_fc;
	const char *fold_label; /* whose fold forecasts they are */
	/* Back-test errors for the ACF: err_folds x err_h, fold-major; NULL: none. */
	const double *err;
	size_t err_folds, err_h;
	const char *err_label;  /* whose errors they are */
	double score;           /* back-test error for ranking (NaN: none) */
} fc_report_series;

/* One leaderboard row. */
typedef struct fc_report_model {
	const char *label;
	size_t series, wins;
	double metric[FC_METRIC_COUNT]; /* NaN: not scored */
	double weight;                  /* mean ensemble weight over series */
	double seconds;                 /* NaN: unknown */
} fc_report_model;

/* A global model's explanation: per feature, its gain and mean |SHAP|
 * over n_rows forecast rows. */
typedef struct fc_report_global {
	const char *name;
	size_t n_features;
	const char *const *names;
	const double *gain, *shap;
	size_t n_rows;
} fc_report_global;

typedef struct fc_report_event {
	fc_time day;
	const char *name;
} fc_report_event;

typedef struct fc_report {
	const char *title;       /* "forecast fit" ... */
	const char *source;      /* the data file */
	const char *options;     /* the command line, for the summary */
	const char *created;     /* when, as text */
	double seconds;          /* the run's wall time; NaN: unknown */
	fc_freq freq;
	fc_time_style style;
	size_t n_series, horizon, folds;
	fc_metric metric;
	const char *note;        /* an extra line for the summary; may be NULL */
	size_t n_models;
	const fc_report_model *models; /* leaderboard order; 0 rows: none kept */
	size_t n_globals;
	const fc_report_global *globals;
	const char *calendar;    /* what the calendar is ("US holidays"); NULL: none used */
	size_t n_events;
	const fc_report_event *events;
	size_t n;                /* == n_series */
	const fc_report_series *series;
} fc_report;

/* Writes the report to f.  FC_ENOMEM, or FC_EIO when writing fails. */
int fc_report_write_html(FILE *f, const fc_report *r, fc_err *err);

/* Pooled within-fold autocorrelation of back-test errors at lags
 * 1..max_lag into acf[0..max_lag): for lag L, the sum over folds of
 * e[i] e[i+L] within the fold divided by the sum of e[i]^2 over all
 * folds, errors centred on their overall mean; NaN values skipped.  *n
 * gets the number of errors used.  Lags with no pair are NaN. */
void fc_report_acf(const double *err, size_t folds, size_t h, size_t max_lag, double *acf,
                   size_t *n);

#endif
