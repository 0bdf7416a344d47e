/* The in-memory series types: one series (fc_series) and a panel of many
 * series sharing a schema (fc_panel), as every stage after reading sees them.
 * Models include this header only; reading a panel from a CSV file is in
 * forecast/panel.h (src/io/), helpers on series in src/core/series.c. */
#ifndef FORECAST_SERIES_H
#define FORECAST_SERIES_H

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

typedef enum fc_fill {
	FC_FILL_AUTO = 0, /* linear interpolation (bench/results/defaults.md:
	                   * on Favorita's closed days it beat zero) */
	FC_FILL_ZERO, FC_FILL_FFILL, FC_FILL_LINEAR, FC_FILL_NONE
} fc_fill;

/* The decision on one of the frequency's periods for one series. */
enum {
	FC_SEASON_SHOWN = 1,   /* the series' own test shows it: kept */
	FC_SEASON_POOLED,      /* too short for its own test to tell (under three
	                        * cycles); the panel does not refute it: kept */
	FC_SEASON_UNSURE,      /* too short to tell, and the panel refutes it */
	FC_SEASON_REFUTED,     /* three cycles or more and the test does not show it */
	FC_SEASON_SHORT        /* not one full cycle observed: no model could use it */
};

/* Many series sharing one schema: made by fc_panel_read and freed by
 * fc_panel_free (forecast/panel.h), which owns all its storage. */
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

#endif
