/* Status codes and the caller-owned error record every libforecast call fills.
 *
 * Functions return 0 on success or a negative FC_E* code; the code is
 * authoritative, the message is detail for a human.  Input errors carry
 * "path:line:column: " at the front of the message (1-based).  An fc_err
 * pointer may be NULL when the caller does not want the message. */
#ifndef FORECAST_ERROR_H
#define FORECAST_ERROR_H

#include <stddef.h>

enum {
	FC_OK = 0,
	FC_ENOMEM = -1,  /* allocation failed */
	FC_EINVAL = -2,  /* bad argument or option (usage error) */
	FC_EINPUT = -3,  /* bad input data: CSV content, timestamps, values */
	FC_EIO = -4,     /* reading or writing a file failed */
	FC_EMODEL = -5,  /* a model could not be fitted or used */
	FC_EFORMAT = -6  /* a model file is corrupt or of another version */
};

#define FC_ERR_MSG_MAX 512

typedef struct fc_err {
	int code;
	char msg[FC_ERR_MSG_MAX];
} fc_err;

/* Clears err (code 0, empty message).  err may be NULL. */
void fc_err_clear(fc_err *err);

/* Sets code and a printf-style message; returns code so that callers can
 * write `return fc_err_set(err, FC_EINPUT, "...")`.  err may be NULL. */
int fc_err_set(fc_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with a printf-style context string
 * ("reading sales.csv: ...").  Keeps the code.  Returns err->code. */
int fc_err_prefix(fc_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A short static description of a code ("bad input data"). */
const char *fc_strerror(int code);

#endif
