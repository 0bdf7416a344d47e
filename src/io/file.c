/* Whole-file reading (include/forecast/file.h): fread in 64 KiB chunks into
 * a growing fc_buf, since a pipe or /dev/stdin has no size to ask for. */
#include "forecast/file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "forecast/buf.h"

int fc_read_file(const char *path, const char *what, char **text, size_t *len, fc_err *err)
{
	const char *sp = what ? " " : "";
	what = what ? what : "";
	FILE *f = fopen(path, "rb");
	if (!f)
		return fc_err_set(err, FC_EIO, "cannot open %s%s'%s': %s", what, sp, path, strerror(errno));
	fc_buf b;
	fc_buf_init(&b);
	char chunk[65536];
	size_t got;
	int rc = 0;
	while (!rc && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = fc_buf_append(&b, chunk, got);
	if (!rc && ferror(f))
		rc = fc_err_set(err, FC_EIO, "cannot read %s%s'%s': %s", what, sp, path, strerror(errno));
	else if (rc)
		rc = fc_err_set(err, FC_ENOMEM, "%s: out of memory", path);
	fclose(f);
	if (!rc && !b.data && fc_buf_append(&b, "", 0))
		rc = fc_err_set(err, FC_ENOMEM, "%s: out of memory", path);
	if (rc) {
		fc_buf_dispose(&b);
		return rc;
	}
	*text = b.data;
	*len = b.len;
	return 0;
}
