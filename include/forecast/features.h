/* Regression features from the history of many series: target lags,
 * rolling-window aggregates over lagged values, seasonal rolling means, an
 * expanding mean, calendar and Fourier terms, holiday features, exogenous
 * columns and static group keys, and reversible per-series target
 * transforms.  The pivot turns a set of series into one column-major
 * float32 design matrix for the global (tree) models.
 *
 * One function computes a row: the feature values at time index t of a
 * series from its (transformed) history z[0..t - shift] and the tables of
 * time-dependent features.  Building the training matrix and building the
 * rows of recursive forecasting (history extended with predictions) both
 * call it, so the two cannot disagree; and since it reads nothing later
 * than t - shift (lags and windows) or t itself (calendar, holidays,
 * known-future columns), a row cannot leak the target it predicts. */
#ifndef FORECAST_FEATURES_H
#define FORECAST_FEATURES_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/calendar.h"
#include "forecast/error.h"
#include "forecast/series.h"
#include "forecast/time.h"

#define FC_FEAT_MAX_LAGS 128
#define FC_FEAT_MAX_LAG 10000 /* the longest lag --lags takes */
#define FC_FEAT_MAX_WINDOWS 16
#define FC_FEAT_MAX_EWM 8

/* Aggregates of a rolling window (bits of fc_feature_spec.aggs). */
enum {
	FC_FAGG_MEAN = 1u << 0,
	FC_FAGG_STD = 1u << 1, /* sample standard deviation (divisor k - 1) */
	FC_FAGG_MIN = 1u << 2,
	FC_FAGG_MAX = 1u << 3,
	FC_FAGG_SUM = 1u << 4
};

/* Calendar features (bits of fc_feature_spec.calendar). */
enum {
	FC_CAL_HOUR = 1u << 0,
	FC_CAL_DOW = 1u << 1,     /* 0 = Monday .. 6 = Sunday */
	FC_CAL_DOM = 1u << 2,     /* 1..31 */
	FC_CAL_DOY = 1u << 3,     /* 1..366 */
	FC_CAL_WEEK = 1u << 4,    /* ISO 8601 week 1..53 */
	FC_CAL_MONTH = 1u << 5,   /* 1..12 */
	FC_CAL_QUARTER = 1u << 6, /* 1..4 */
	FC_CAL_YEAR = 1u << 7,
	FC_CAL_WEEKEND = 1u << 8, /* Saturday or Sunday */
	FC_CAL_ALL = (1u << 9) - 1,
	FC_CAL_AUTO = 1u << 15    /* those that vary at the data's frequency */
};

typedef enum fc_target_tf {
	FC_TF_NONE = 0,
	FC_TF_STANDARD, /* (y - mean) / sd per series */
	FC_TF_ROBUST,   /* (y - median) / IQR per series */
	FC_TF_LOG1P,    /* log(1 + y); needs y > -1 */
	FC_TF_DIFF,     /* y_t - y_{t-1} */
	FC_TF_SDIFF     /* y_t - y_{t-m}, m the primary seasonal period */
} fc_target_tf;

/* Holiday and event dates, sorted by day (days since 1970-01-01), with a
 * 1-based id per date naming names[id - 1].  For events, group[i] (when
 * group is not NULL) selects the series an event applies to: -1 for every
 * series, else groups[group[i]], a "col=value;col=value" list that a
 * series' group values must all match.  Borrowed by the spec. */
typedef struct fc_holiday_days {
	size_t n;
	const int32_t *day;
	const int32_t *id;
	const int32_t *group;
	size_t n_names;
	const char *const *names;
	size_t n_groups;
	const char *const *groups;
} fc_holiday_days;

/* Holidays or events loaded for the features: the list and its arrays.
 * Zero-initialise, fill with one of the loaders, release with
 * fc_holiday_set_dispose. */
typedef struct fc_holiday_set {
	fc_holiday_list list;
	int32_t *day, *id, *group;
	fc_holiday_days days; /* borrows the above */
	/* fc_holiday_set_countries: what the calendars leave uncovered of
	 * the years asked, "" when nothing: a country whose calendar's range
	 * cuts them ("JP: the calendar covers 1990-2050 only; no holidays in
	 * the rest of 1985-2024"), a holiday whose date table stops short
	 * ("IN: Holi has dates for 2001-2035 only; none in the rest of
	 * 2030-2036", the first such of each country), joined by "; ".  The
	 * one wording of these warnings: callers print it as it stands. */
	char coverage[400];
} fc_holiday_set;

/* The holidays of the comma-separated country codes ("US,BR") of the
 * calendars in dir, for the years from..to clipped to each calendar's
 * range (the cut reported in s->coverage).  Errors name the country
 * code. */
int fc_holiday_set_countries(fc_holiday_set *s, const char *dir, const char *codes, int from,
                             int to, fc_err *err);
/* The events of an event CSV (fc_events_load), with their groups. */
int fc_holiday_set_events(fc_holiday_set *s, const char *path, fc_err *err);
void fc_holiday_set_dispose(fc_holiday_set *s);

/* The calendar years spanned by the series, extended by `extra` steps
 * after each series' end. */
void fc_series_years(const fc_series *series, size_t n_series, fc_freq freq, size_t extra,
                     int *from, int *to);

typedef struct fc_feature_spec {
	size_t n_lags;                 /* lags of the target, ascending, >= shift */
	size_t lags[FC_FEAT_MAX_LAGS];
	size_t shift;                  /* windows end at t - shift (>= 1); the
	                                * smallest usable lag: 1 for recursive
	                                * forecasting, h for direct */
	size_t n_windows;
	size_t windows[FC_FEAT_MAX_WINDOWS];
	unsigned aggs;                 /* FC_FAGG_* for each window */
	size_t n_ewm;                  /* exponentially weighted means */
	double ewm_alpha[FC_FEAT_MAX_EWM];
	size_t seasonal_k;             /* mean of the same phase over the last
	                                * k cycles of the primary period; 0 off */
	int expanding_mean;
	unsigned calendar;             /* FC_CAL_* bits, FC_CAL_AUTO, or 0 */
	size_t fourier_k;              /* sin/cos pairs per seasonal period */
	const fc_holiday_days *holidays; /* NULL: no holiday features */
	const fc_holiday_days *events;   /* NULL: no event features */
	int hol_before, hol_after;     /* window flags: days before and after */
	int hol_clip;                  /* days to next / since last clipped here */
	const char *known_future;      /* comma-separated exogenous columns known
	                                * for the horizon; the others are used
	                                * at t - shift */
	int group_keys;                /* group values as categorical codes */
	/* Optional code books for the group keys: for group column g, the
	 * sorted distinct values group_levels[g][0 .. n_group_levels[g]); a
	 * value's code is its position (missing when absent).  NULL: codes are
	 * ranks among the series given.  A model keeps the books of its fit so
	 * that codes mean the same at forecast time. */
	const char *const *const *group_levels;
	const size_t *n_group_levels;
	fc_target_tf transform;
	size_t horizon;                /* steps of future rows the time tables
	                                * must cover */
} fc_feature_spec;

/* Lags 1..7, windows 7 and 28 with mean and std, calendar AUTO, no
 * Fourier, shift 1, no transform, horizon 0. */
fc_feature_spec fc_feature_spec_default(void);

/* Parsers for the CLI forms; each FC_EINVAL with a message naming the
 * flag's syntax.  Lags: "1-7,14,28" (ranges and single values, 1..10000,
 * sorted and deduplicated).  Windows: "7,28".  Aggregates:
 * "mean,std,min,max,sum".  Calendar: "auto", "none", "all" or a list of
 * hour,dow,dom,doy,week,month,quarter,year,weekend.  Transforms: none,
 * standard, robust, log1p, diff, sdiff.  Holiday window: "-2,1". */
int fc_feature_parse_lags(const char *s, fc_feature_spec *spec, fc_err *err);
int fc_feature_parse_windows(const char *s, fc_feature_spec *spec, fc_err *err);
int fc_feature_parse_aggs(const char *s, fc_feature_spec *spec, fc_err *err);
int fc_feature_parse_calendar(const char *s, fc_feature_spec *spec, fc_err *err);
int fc_feature_parse_transform(const char *s, fc_feature_spec *spec, fc_err *err);
int fc_feature_parse_holiday_window(const char *s, fc_feature_spec *spec, fc_err *err);

/* "auto" lags from the frequency's periods (periods[0] the primary,
 * rounded m): the recent past (lags 1..2m for m <= 12, 1..m up to 28, 1..13
 * for weekly data, 1..6 without a period), the same position in past
 * cycles (7k for k <= 8 on daily data, 24k for k <= 7 on hourly, km for k
 * <= 2 otherwise), each longer period as a multiple of m and twice that
 * (364 and 728 days for 365.25), all at most 800; then up to 8 lags
 * whose autocorrelation, averaged over up to 200 series, exceeds 0.2.
 * Fills spec->lags. */
int fc_feature_auto_lags(const fc_series *series, size_t n_series, const double *periods,
                         size_t n_periods, fc_feature_spec *spec, fc_err *err);

/* "auto" windows from the frequency's periods: a week and four of daily
 * data, a day and a week of hourly, a month and a quarter of weekly (a
 * year-long window is mostly empty on two years of data), a quarter and
 * a year of monthly, one and two years of quarterly,
 * 3 and 6 values without a period (m and 4m otherwise), plus each longer
 * period up to 200 (a week of hours, not a year of days).  Fills spec->windows. */
void fc_feature_auto_windows(const double *periods, size_t n_periods, fc_feature_spec *spec);

/* Per-series parameters of a target transform. */
typedef struct fc_transform {
	fc_target_tf kind;
	double loc, scale; /* STANDARD, ROBUST */
	size_t m;          /* SDIFF */
} fc_transform;

/* Fits tr to y[0..n) (NaN skipped) and writes z[0..n) = T(y).  FC_EINPUT
 * when log1p meets a value <= -1, FC_EMODEL when there is nothing to fit
 * (all missing).  A constant series gets scale 1. */
int fc_transform_apply(fc_target_tf kind, size_t m, const double *y, size_t n, double *z,
                       fc_transform *tr, fc_err *err);
/* Maps predictions zf[0..h) following y[0..n) back to the scale of y into
 * yf[0..h) (diff and sdiff accumulate from y's last values). */
void fc_transform_invert(const fc_transform *tr, const double *y, size_t n, const double *zf,
                         size_t h, double *yf);

typedef struct fc_featurizer fc_featurizer;

/* Prepares the features of spec for the given series (borrowed until
 * fc_featurizer_free): resolves AUTO calendar bits from freq, builds the
 * table of time-dependent features over the series' common time grid
 * extended by spec->horizon steps, codes the group values, and splits
 * the exogenous columns.  exog_names names the series' exog arrays.
 * seasons: the periods for Fourier terms and seasonal rolling (the first
 * is the primary period), at most FC_MAX_SEASONS.  FC_EINVAL for a spec that makes no sense (a lag
 * below shift, an unknown known-future column, calendar features on
 * integer time steps, an event group naming a column that is not a group
 * column), FC_ENOMEM.  group_names (may be NULL without group keys or
 * grouped events) name the series' group columns.
 *
 * Holiday features (per day: holiday, holiday_id, days_to_holiday,
 * days_since_holiday clipped at hol_clip, holiday_in_k for k = 1..hol_before
 * days ahead, holiday_ago_k for k = 1..hol_after days back; for weekly and
 * coarser data: holidays_in_period and the first one's holiday_id) come
 * from the shared time table.  Event features are the same four per day
 * (event, event_id, days_to_event, days_since_event) or two per period,
 * from the events that apply to each series. */
int fc_featurizer_alloc(const fc_feature_spec *spec, const fc_series *series, size_t n_series,
                        fc_freq freq, const double *seasons, size_t n_seasons,
                        const char *const *exog_names, size_t n_exog,
                        const char *const *group_names, fc_featurizer **out, fc_err *err);
void fc_featurizer_free(fc_featurizer *f);

size_t fc_featurizer_ncols(const fc_featurizer *f);
/* The known-future exogenous columns, in the order fc_featurizer_row
 * takes their future values: how many, and the series' exog index of the
 * j-th. */
size_t fc_featurizer_n_known_future(const fc_featurizer *f);
size_t fc_featurizer_known_future(const fc_featurizer *f, size_t j);
/* The flags of all columns (1 = categorical), n_cols entries, borrowed. */
const unsigned char *fc_featurizer_categorical_flags(const fc_featurizer *f);
/* Column name (borrowed) and whether it is categorical. */
const char *fc_featurizer_colname(const fc_featurizer *f, size_t c);
int fc_featurizer_categorical(const fc_featurizer *f, size_t c);

/* The row of series s at time index t (0 = the series' first timestamp; t
 * may exceed the observed length by up to spec->horizon for future rows)
 * into row[c * stride] for each column c.  z: the transformed target,
 * indexable up to t - shift; only z[0..t - shift] is read.  prefix: the
 * prefix sums of z from fc_featurizer_prefix over at least t - shift + 1
 * values (NULL when the spec has no expanding mean).  exog_future: for
 * t >= the series' length, known-future values exog_future[j][t - n] of
 * the j-th known-future column (NULL when there are none).  FC_EINVAL when
 * t is outside the table. */
int fc_featurizer_row(const fc_featurizer *f, size_t s, const double *z, const double *prefix,
                      size_t t, const double *const *exog_future, float *row, size_t stride,
                      fc_err *err);

/* prefix[2 i] and prefix[2 i + 1] for i = 0..n: the sum and the count of
 * the non-missing values of z[0..i) (2 (n + 1) doubles). */
void fc_featurizer_prefix(const double *z, size_t n, double *prefix);

/* A design matrix: column-major float32, x[c * n_rows + r]. */
typedef struct fc_design {
	size_t n_rows, n_cols;
	float *x;
	float *y;          /* transformed target of each row */
	uint32_t *series;  /* series index of each row */
	uint32_t *t;       /* time index of each row within its series */
	uint32_t *row;     /* fc_design_stream_part: each row's index among every
	                    * series' rows; NULL otherwise */
	fc_transform *tr;  /* per series */
} fc_design;

/* Builds the training rows of every series, in series order then time
 * order: each t >= min_t whose transformed target is not missing.  One
 * counting pass, then the rows in parallel over series into the one
 * matrix; no per-row allocation.  FC_EINPUT / FC_EMODEL from the
 * transforms (the message names the series), FC_ENOMEM. */
int fc_design_build(const fc_featurizer *f, size_t min_t, fc_design **out, fc_err *err);
void fc_design_free(fc_design *d);

/* The rows of fc_design_build without the matrix: the same counting and
 * transforms (y, series, t, tr are filled for every row; x stays NULL),
 * but the rows r with r % every == 0 go to sink(ctx, r, k, block, stride)
 * in blocks of k rows of one series, r, r + every, ..., r + (k - 1) every,
 * the i-th row's column c at block[c * stride + i], valid during the call.
 * The sink is called from OpenMP threads, each row once, in no fixed
 * order.  out may be NULL when only the rows are wanted.  Failures as
 * fc_design_build's. */
typedef void (*fc_design_sink)(void *ctx, size_t r, size_t k, const float *block,
                               size_t stride);
int fc_design_stream(const fc_featurizer *f, size_t min_t, size_t every, fc_design_sink sink,
                     void *ctx, fc_design **out, fc_err *err);
/* fc_design_stream for the series s with mine[s] != 0 only (the rows
 * a process of a training over processes makes, fc_gbdt_train_part): the
 * sink gets those series' rows with their indices r among every series'
 * rows (so the rows with r % every == 0 are the same as fc_design_stream's),
 * *out holds only their rows, in order, with d->row[i] the index of its
 * i-th row among all (the other series' transforms are left as the
 * identity), and *n_total gets the count of every series' rows.  Only
 * mine's series are transformed, so only their failures are seen: on a
 * transform's failure *bad gets the series (SIZE_MAX for other failures). */
int fc_design_stream_part(const fc_featurizer *f, size_t min_t, size_t every,
                          const unsigned char *mine, fc_design_sink sink, void *ctx,
                          fc_design **out, size_t *n_total, size_t *bad, fc_err *err);
/* The number of rows fc_design_build would make (its counting pass). */
size_t fc_design_count(const fc_featurizer *f, size_t min_t);

#endif
