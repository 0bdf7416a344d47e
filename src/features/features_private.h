/* The featurizer's layout, shared by features.c and pivot.c.  Private to
 * src/features/. */
#ifndef FORECAST_FEATURES_PRIVATE_H
#define FORECAST_FEATURES_PRIVATE_H

#include "forecast/features.h"

struct fc_featurizer {
	fc_feature_spec spec;
	const fc_series *series; /* borrowed */
	size_t n_series;
	fc_freq freq;
	unsigned cal;            /* resolved FC_CAL_* bits */
	size_t n_seasons;
	double seasons[FC_MAX_SEASONS];
	size_t m;                /* primary period, rounded; 1 if none */
	size_t n_fourier_periods;
	int hol_daily;           /* holiday features per day (else per period) */
	int seasonal_on;
	size_t n_exog;
	size_t n_kf, n_po;       /* known-future and past-only exogenous columns */
	size_t *kf_index, *po_index;
	size_t n_groups;
	float *group_code;       /* n_series x n_groups */
	size_t n_cols;
	char *names;             /* n_cols fixed-width names */
	unsigned char *categorical;
	size_t first_time_col, n_time_cols;
	fc_time t0;              /* grid position 0 */
	size_t grid;             /* positions in the table */
	size_t *offset;          /* grid position of each series' first value */
	float *table;            /* grid x n_time_cols, row-major */
	/* events: series s's event days ev_day[ev_off[s] .. ev_off[s+1]),
	 * sorted, with ids; each grid position's days [grid_lo, grid_hi) */
	size_t *ev_off;
	int32_t *ev_day, *ev_id;
	int32_t *grid_lo, *grid_hi;
};

/* Days since 1970-01-01 of a calendar timestamp (floor). */
int64_t fc_feat_day_of(fc_time t);

#endif
