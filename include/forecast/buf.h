/* A growable byte buffer, plus the key=value text encoding that models use
 * for their saved state.
 *
 * A model's saved state is one line of space-separated `key=value` tokens;
 * numbers are written with 17 significant digits so that they read back
 * bit-identical, and arrays as comma-separated lists (`season=1,2,3`).
 * Missing values are written as `nan`.
 *
 * This encoding is part of core/, below the models (which write and read
 * their parameters and state with it) and below the model file
 * (src/io/artifact.c, which stores those lines as its "params" and "state"
 * records), so that no model depends on io/. */
#ifndef FORECAST_BUF_H
#define FORECAST_BUF_H

#include <stddef.h>
#include "forecast/error.h"

typedef struct fc_buf {
	char *data;  /* NUL-terminated; owned */
	size_t len;  /* bytes used, excluding the NUL */
	size_t cap;
} fc_buf;

void fc_buf_init(fc_buf *b);
void fc_buf_dispose(fc_buf *b);
int fc_buf_append(fc_buf *b, const char *s, size_t n);
int fc_buf_printf(fc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writers for key=value tokens; each appends a leading space when the
 * buffer is not empty.  Return 0 or FC_ENOMEM. */
int fc_buf_put_double(fc_buf *b, const char *key, double v);
int fc_buf_put_long(fc_buf *b, const char *key, long v);
int fc_buf_put_doubles(fc_buf *b, const char *key, const double *v, size_t n);

/* Readers: find `key=` as a whole token in in->data.  A missing key or an
 * unparsable value is FC_EFORMAT with a message naming the key.
 * fc_buf_get_doubles allocates *v (caller frees); *n gets the count. */
int fc_buf_get_double(const fc_buf *in, const char *key, double *v, fc_err *err);
int fc_buf_get_long(const fc_buf *in, const char *key, long *v, fc_err *err);
int fc_buf_get_doubles(const fc_buf *in, const char *key, double **v, size_t *n, fc_err *err);

/* Text fields of the model file (names, group values, a model's state)
 * must not break its layout of one record a line, tab-separated fields:
 * fc_buf_put_escaped appends s with '%', tab, CR and LF written as %25,
 * %09, %0D and %0A (0 or FC_ENOMEM), and fc_unescape undoes that in place.
 * The decoder takes any '%' and two hex digits, as files have always been
 * read; a '%' not so followed, or %00, is kept as it stands. */
int fc_buf_put_escaped(fc_buf *b, const char *s);
void fc_unescape(char *s);

/* Formats v with %.17g, writing "nan"/"inf"/"-inf" for non-finite values. */
void fc_format_double(char *out, size_t cap, double v);

#endif
