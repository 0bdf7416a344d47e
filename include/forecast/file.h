/* Whole-file reading, for the readers that parse a file from memory (model
 * files, shard parts, calendars, search spaces).  The CSV reader streams
 * instead, and the registry hashes files in chunks. */
#ifndef FORECAST_FILE_H
#define FORECAST_FILE_H

#include <stddef.h>
#include "forecast/error.h"

/* Reads the file at path into *text (allocated, the caller frees it, with
 * a NUL after the *len bytes read, so a text file is also a C string).
 * what names the file in messages ("model file": "cannot open model file
 * 'x': ..."; NULL: "cannot open 'x': ...").  Returns 0, FC_EIO (cannot
 * open or read, with the system's reason) or FC_ENOMEM; *text and *len are
 * untouched on failure. */
int fc_read_file(const char *path, const char *what, char **text, size_t *len, fc_err *err);

#endif
