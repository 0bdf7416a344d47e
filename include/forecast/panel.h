/* Panels of time series read from a long CSV file.
 *
 * A panel is many series sharing one schema: a time column, a target column,
 * zero or more group (key) columns and zero or more extra numeric columns kept
 * as exogenous variables.  Reading parses the CSV (libcsv), detects or takes
 * the column roles, groups rows into series, sorts them by time, infers or
 * checks the frequency, inserts missing timestamps, combines duplicates when
 * asked, and imputes missing values.  Series come out sorted by their group
 * values (numbers compared as numbers), so the order does not depend on the
 * order of rows in the file. */
#ifndef FORECAST_PANEL_H
#define FORECAST_PANEL_H

#include <stddef.h>
#include "forecast/error.h"
#include "forecast/time.h"

#define FC_MAX_SEASONS 4

/* One series.  As a member of a panel all pointers are borrowed from it.
 * The same struct serves as a view of part of a series (a CV fold's training
 * window): y may point into the middle of the panel's storage. */
typedef struct fc_series {
	const char *key;                 /* "store=3,item=17"; "" for a lone series */
	const char *const *group_values; /* n_groups strings */
	size_t n_groups;
	fc_time start;                   /* timestamp of y[0] */
	size_t n;
	const double *y;                 /* n values; NaN = missing */
	const double *raw;               /* the same before imputation (NaN where a
	                                  * value was missing or its timestamp
	                                  * inserted); NULL when nothing was
	                                  * imputed: then y (fc_series_raw) */
	size_t n_exog;
	const double *const *exog;       /* n_exog arrays aligned with y, each
	                                  * n + n_future long */
	const char *const *exog_names;   /* n_exog names (NULL: unnamed) */
	size_t n_future;                 /* exogenous values known past the end:
	                                  * rows after the last target value
	                                  * whose target is empty (see below) */
	size_t n_seasons;                /* seasonal periods, shortest first */
	const double *seasons;
	size_t n_missing;                /* NaN count in y (after filling) */
	size_t n_inserted;               /* timestamps inserted by regularization */
	size_t n_filled;                 /* values imputed */
} fc_series;

/* Future rows: when the file has exogenous columns, the rows of a series
 * after its last present target value (with its target empty) are not
 * history but the known values of the exogenous columns for the steps to
 * forecast (prices, promotions planned).  They are left out of y (n stops
 * at the last present target) and kept as exog[j][n .. n + n_future).
 * Without exogenous columns trailing empty targets are missing values as
 * before. */

/* The series' values before imputation: what happened, with the gaps
 * (closed days, missing rows) as NaN.  Regression features and scores use
 * these; models that need a complete series use y. */
static inline const double *fc_series_raw(const fc_series *s)
{
	return s->raw ? s->raw : s->y;
}

/* The primary integer seasonal period of a series: the shortest period,
 * rounded, if it is at least 2; otherwise 1 (non-seasonal). */
size_t fc_series_period(const fc_series *s);

typedef enum fc_aggregate {
	FC_AGG_NONE = 0, /* duplicate timestamps are an error */
	FC_AGG_SUM, FC_AGG_MEAN, FC_AGG_MIN, FC_AGG_MAX, FC_AGG_LAST
} fc_aggregate;

typedef enum fc_fill {
	FC_FILL_AUTO = 0, /* linear interpolation (bench/results/defaults.md:
	                   * on Favorita's closed days it beat zero) */
	FC_FILL_ZERO, FC_FILL_FFILL, FC_FILL_LINEAR, FC_FILL_NONE
} fc_fill;

typedef struct fc_read_opts {
	char sep;               /* ',', ';', '\t'; 0 = sniff from the header */
	const char *time_col;   /* NULL = detect */
	const char *target_col; /* NULL = detect */
	const char *group_cols; /* comma-separated names; NULL = detect;
	                         * "" = no groups (one series) */
	const char *freq;       /* NULL = infer (fc_freq_parse syntax) */
	size_t n_seasons;       /* 0 = from the frequency */
	double seasons[FC_MAX_SEASONS];
	fc_aggregate aggregate;
	fc_fill fill;
	/* Periods from the frequency stay available unless the data refute
	 * them: a series with three cycles or more keeps a period where its
	 * own test (fc_season_detect) shows it; a shorter one, which cannot
	 * prove a cycle alone, keeps it unless the panel's pooled evidence
	 * refutes it (the mean of the series' ACF hills at the period,
	 * fc_season_contrast, not significantly above zero at 5% one-sided,
	 * over at least 5 series).  Periods the data show strongly are added.
	 * keep_seasons = 1 skips the test: every series gets the frequency's
	 * periods.  Periods given in seasons[] are never tested; a single
	 * period of 1 means none. */
	int keep_seasons;
	int no_seasons;         /* 1: no seasonal period at all (--season 1) */
} fc_read_opts;

/* The decision on one of the frequency's periods for one series. */
enum {
	FC_SEASON_SHOWN = 1,   /* the series' own test shows it: kept */
	FC_SEASON_POOLED,      /* too short for its own test to tell (under three
	                        * cycles); the panel does not refute it: kept */
	FC_SEASON_UNSURE,      /* too short to tell, and the panel refutes it */
	FC_SEASON_REFUTED,     /* three cycles or more and the test does not show it */
	FC_SEASON_SHORT        /* not one full cycle observed: no model could use it */
};

/* Zero/NULL everywhere: sniff, detect, infer, error on duplicates, auto fill. */
fc_read_opts fc_read_opts_default(void);

typedef struct fc_panel {
	char *path;              /* as given */
	char *time_name;
	char *target_name;
	size_t n_groups;
	char **group_names;
	size_t n_exog;
	char **exog_names;
	fc_time_style style;     /* the time column's style, for output */
	fc_freq freq;
	int freq_inferred;       /* 1 when inferred, 0 when given */
	size_t n_seasons;        /* the periods given or implied by the frequency */
	double seasons[FC_MAX_SEASONS];
	int seasons_tested;      /* 1 when each series' periods came from
	                          * fc_season_detect (then series[i].seasons
	                          * may differ from the panel's) */
	/* When tested: per series i and panel period j,
	 * season_status[i * FC_MAX_SEASONS + j] (FC_SEASON_*), and per period
	 * the panel's pooled evidence (see fc_panel_read). */
	unsigned char *season_status;
	struct fc_season_pool {
		size_t n_series;     /* series whose ACF hill could be measured */
		double mean_contrast; /* their mean fc_season_contrast */
		double t;            /* mean / standard error (NaN below 2 series) */
		int refuted;         /* the panel refutes the period for unsure series */
	} season_pool[FC_MAX_SEASONS];
	fc_fill fill;            /* the fill actually applied (AUTO resolved) */
	size_t n_rows;           /* data rows read */
	size_t n_duplicates;     /* rows combined by --aggregate */
	size_t n_series;
	fc_series *series;
	void *priv;              /* storage owned by the panel */
} fc_panel;

/* Reads path ("-" = standard input) into a new panel.  On failure *out is
 * untouched and err holds "path:line:column: message" for problems in the
 * file (line and column 1-based; column omitted when the problem is not in
 * one cell), FC_EIO when the file cannot be read, FC_EINVAL for options that
 * name unknown columns or make no sense.  Ambiguous column detection is
 * FC_EINPUT with a message listing the candidates and the flag to use. */
int fc_panel_read(const char *path, const fc_read_opts *opts, fc_panel **out, fc_err *err);

void fc_panel_free(fc_panel *p);

/* Index of the series whose group values equal values[0..n_groups), or -1. */
long fc_panel_find(const fc_panel *p, const char *const *values);

#endif
