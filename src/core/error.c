/* The fc_err record: a status code plus a formatted message. */
#include "forecast/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fc_err_clear(fc_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int fc_err_set(fc_err *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->code = code;
	return code;
}

int fc_err_prefix(fc_err *err, const char *fmt, ...)
{
	if (!err)
		return 0;
	char head[FC_ERR_MSG_MAX], old[FC_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	/* Truncation keeps the head: the context matters more than the tail. */
	size_t hl = strnlen(head, sizeof head - 1), ol = strnlen(old, sizeof old - 1);
	if (ol > sizeof err->msg - 1 - hl)
		ol = sizeof err->msg - 1 - hl;
	memcpy(err->msg, head, hl);
	memcpy(err->msg + hl, old, ol);
	err->msg[hl + ol] = '\0';
	return err->code;
}

const char *fc_strerror(int code)
{
	switch (code) {
	case FC_OK: return "success";
	case FC_ENOMEM: return "out of memory";
	case FC_EINVAL: return "invalid argument";
	case FC_EINPUT: return "bad input data";
	case FC_EIO: return "input/output error";
	case FC_EMODEL: return "model failure";
	case FC_EFORMAT: return "corrupt or unsupported model file";
	default: return "unknown error";
	}
}
