/* Writing results: files that appear whole or not at all, and the forecast
 * CSV.
 *
 * An fc_outfile writes to a temporary file beside the target and renames it
 * into place on commit, so a failed or interrupted run never leaves a
 * partial file under the target name.  "-" means standard output (written
 * directly). */
#ifndef FORECAST_OUTPUT_H
#define FORECAST_OUTPUT_H

#include <stdio.h>
#include "forecast/error.h"
#include "forecast/model.h"
#include "forecast/time.h"

typedef struct fc_outfile {
	FILE *f;     /* write here between open and commit/abort */
	char *path;  /* target */
	char *tmp;   /* temporary name; NULL for standard output */
} fc_outfile;

/* FC_EIO naming the path when the temporary file cannot be created. */
int fc_outfile_open(fc_outfile *o, const char *path, fc_err *err);
/* Flushes, closes and renames into place; FC_EIO on any failure (the
 * temporary file is removed). */
int fc_outfile_commit(fc_outfile *o, fc_err *err);
/* Closes and removes the temporary file; safe after a failed open and
 * after commit. */
void fc_outfile_abort(fc_outfile *o);

/* What the forecast CSV needs to know about the data. */
typedef struct fc_schema {
	size_t n_groups;
	const char *const *group_names;
	const char *time_name;
	fc_time_style style;
	fc_freq freq;
} fc_schema;

/* Header: group columns, the time column, forecast, lo_L, hi_L per level,
 * model. */
void fc_forecast_csv_header(FILE *f, const fc_schema *s, const fc_forecast *like);
/* One row per step of fc, timestamps following `last` on the schema's grid. */
void fc_forecast_csv_rows(FILE *f, const fc_schema *s, const char *const *group_values,
                          fc_time last, const fc_forecast *fc, const char *model);

/* Writes a CSV field, quoting it when it holds the separator, a quote or a
 * line break. */
void fc_csv_field(FILE *f, const char *s);

#endif
