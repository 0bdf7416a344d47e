/* Private interface between the CSV reader (csv_read.c), which turns a long
 * CSV file into typed row columns, and the panel builder (panel.c), which
 * turns those rows into regular series.
 *
 * The reader keeps no cell as a string except group values, which are
 * interned once per distinct value; every row costs a series id (uint32), a
 * timestamp (int64), a target (double) and one double per exogenous column.
 * Line numbers are not stored per row: a short list of checkpoints records
 * where the line of a row stops being "previous row's line + 1" (blank lines,
 * newlines inside quoted fields). */
#ifndef FORECAST_READ_PRIVATE_H
#define FORECAST_READ_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/panel.h"

/* The distinct values of one group column, in order of first appearance.
 * Value id i is the NUL-terminated string text + off[i] (len[i] bytes). */
typedef struct fc_strtab {
	char *text;
	size_t text_len, text_cap;
	size_t *off;
	uint32_t *len;
	uint32_t *hash;
	size_t n, cap;
	uint32_t *slots;  /* open addressing: id + 1, 0 = empty */
	size_t n_slots;   /* power of two */
} fc_strtab;

typedef struct fc_line_mark {
	size_t row;  /* data row index (0-based) */
	size_t line; /* its 1-based line; rows after it follow one per line */
} fc_line_mark;

typedef struct fc_rows {
	char *name;            /* the file's name in messages ("<stdin>" for "-") */
	size_t n_cols;
	char **col_names;      /* n_cols header names */
	size_t time_col, target_col;   /* 0-based column indices */
	size_t n_groups;
	size_t *group_cols;    /* n_groups column indices, in the order named */
	size_t n_exog;
	size_t *exog_cols;     /* n_exog column indices, file order */
	fc_time_style style;   /* of the time column (first value decides) */

	size_t n_rows, cap;
	uint32_t *sid;         /* series id per row (first-appearance order) */
	fc_time *t;
	double *y;
	double **exog;         /* n_exog arrays of n_rows */

	size_t n_series, series_cap;
	uint32_t *series_gids; /* n_series x n_groups value ids */
	uint32_t *series_slots;/* hash of the id tuples: series + 1 */
	size_t series_n_slots;
	fc_strtab *groups;     /* n_groups tables */

	fc_line_mark *marks;
	size_t n_marks, marks_cap;
} fc_rows;

/* Reads and parses path ("-" = stdin) into rows, deciding the column roles
 * from opts, the header and the first rows.  Every row is checked here:
 * field counts, timestamps (one style), numbers.  On failure returns a
 * negative FC_E* with the message in err, and rows holds nothing to free
 * (it is disposed).  On success the caller disposes rows. */
int fc_csv_read(const char *path, const fc_read_opts *opts, fc_rows *rows, fc_err *err);

void fc_rows_dispose(fc_rows *rows);

/* The 1-based line of data row `row`. */
size_t fc_rows_line(const fc_rows *rows, size_t row);

/* Whether s parses completely as a finite decimal number (used to order
 * group values numerically); stores the value. */
int fc_parse_key_number(const char *s, double *out);

#endif
