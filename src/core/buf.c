/* Growable byte buffer and the key=value token encoding of model state. */
#include "forecast/buf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fc_buf_init(fc_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void fc_buf_dispose(fc_buf *b)
{
	free(b->data);
	fc_buf_init(b);
}

static int reserve(fc_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return FC_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int fc_buf_append(fc_buf *b, const char *s, size_t n)
{
	if (reserve(b, n))
		return FC_ENOMEM;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int fc_buf_printf(fc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n))
		return FC_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int fc_buf_put_escaped(fc_buf *b, const char *s)
{
	int rc = 0;
	for (; !rc && *s; s++) {
		switch (*s) {
		case '%': rc = fc_buf_append(b, "%25", 3); break;
		case '\t': rc = fc_buf_append(b, "%09", 3); break;
		case '\r': rc = fc_buf_append(b, "%0D", 3); break;
		case '\n': rc = fc_buf_append(b, "%0A", 3); break;
		default: rc = fc_buf_append(b, s, 1);
		}
	}
	return rc;
}

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

void fc_unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
			int v = hex_digit(r[1]) * 16 + hex_digit(r[2]);
			if (v) {
				*w++ = (char)v;
				r += 2;
				continue;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

void fc_format_double(char *out, size_t cap, double v)
{
	if (isnan(v))
		snprintf(out, cap, "nan");
	else if (isinf(v))
		snprintf(out, cap, v > 0 ? "inf" : "-inf");
	else
		snprintf(out, cap, "%.17g", v);
}

static int put_key(fc_buf *b, const char *key)
{
	return fc_buf_printf(b, "%s%s=", b->len ? " " : "", key);
}

int fc_buf_put_double(fc_buf *b, const char *key, double v)
{
	char num[40];
	fc_format_double(num, sizeof num, v);
	if (put_key(b, key))
		return FC_ENOMEM;
	return fc_buf_append(b, num, strlen(num));
}

int fc_buf_put_long(fc_buf *b, const char *key, long v)
{
	if (put_key(b, key))
		return FC_ENOMEM;
	return fc_buf_printf(b, "%ld", v);
}

int fc_buf_put_doubles(fc_buf *b, const char *key, const double *v, size_t n)
{
	char num[40];
	if (put_key(b, key))
		return FC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		fc_format_double(num, sizeof num, v[i]);
		if ((i && fc_buf_append(b, ",", 1)) || fc_buf_append(b, num, strlen(num)))
			return FC_ENOMEM;
	}
	return 0;
}

/* Start of the value of `key=` as a whole token, or NULL. */
static const char *find_value(const fc_buf *in, const char *key)
{
	if (!in->data)
		return NULL;
	size_t klen = strlen(key);
	for (const char *p = in->data; (p = strstr(p, key)) != NULL; p += klen) {
		int starts = p == in->data || p[-1] == ' ' || p[-1] == '\t';
		if (starts && p[klen] == '=')
			return p + klen + 1;
	}
	return NULL;
}

static int parse_number(const char *s, const char **end, double *v)
{
	errno = 0;
	char *e;
	*v = strtod(s, &e);
	if (e == s)
		return -1;
	*end = e;
	return 0;
}

int fc_buf_get_double(const fc_buf *in, const char *key, double *v, fc_err *err)
{
	const char *s = find_value(in, key), *end;
	if (!s)
		return fc_err_set(err, FC_EFORMAT, "missing value '%s'", key);
	if (parse_number(s, &end, v) || (*end && *end != ' ' && *end != '\n'))
		return fc_err_set(err, FC_EFORMAT, "value '%s' is not a number", key);
	return 0;
}

int fc_buf_get_long(const fc_buf *in, const char *key, long *v, fc_err *err)
{
	const char *s = find_value(in, key);
	if (!s)
		return fc_err_set(err, FC_EFORMAT, "missing value '%s'", key);
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (end == s || errno || (*end && *end != ' ' && *end != '\n'))
		return fc_err_set(err, FC_EFORMAT, "value '%s' is not an integer", key);
	return 0;
}

int fc_buf_get_doubles(const fc_buf *in, const char *key, double **v, size_t *n, fc_err *err)
{
	const char *s = find_value(in, key), *end;
	if (!s)
		return fc_err_set(err, FC_EFORMAT, "missing value '%s'", key);
	size_t count = 1;
	for (const char *p = s; *p && *p != ' ' && *p != '\n'; p++)
		count += *p == ',';
	double *out = malloc(count * sizeof *out);
	if (!out)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		if (parse_number(s, &end, &out[i]) ||
		    (i + 1 < count ? *end != ',' : (*end && *end != ' ' && *end != '\n'))) {
			free(out);
			return fc_err_set(err, FC_EFORMAT, "value '%s' is not a list of numbers", key);
		}
		s = end + 1;
	}
	*v = out;
	*n = count;
	return 0;
}
