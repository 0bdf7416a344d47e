/* Reading panels of time series from a long CSV file (src/io/panel.c).  The
 * types fc_series and fc_panel themselves are in forecast/series.h.
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
#include "forecast/series.h"
#include "forecast/time.h"

typedef enum fc_aggregate {
	FC_AGG_NONE = 0, /* duplicate timestamps are an error */
	FC_AGG_SUM, FC_AGG_MEAN, FC_AGG_MIN, FC_AGG_MAX, FC_AGG_LAST
} fc_aggregate;

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

/* Zero/NULL everywhere: sniff, detect, infer, error on duplicates, auto fill. */
fc_read_opts fc_read_opts_default(void);

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
