/* libFuzzer target: the model-file loader (fc_artifact_load) on arbitrary
 * text.  A random mutation almost never keeps the FNV-1a checksum of the
 * end record right, which would stop every input at the checksum check, so
 * the target replaces the input's end record (if any) by a correct one:
 * the fuzzer then explores the records and every kind's params and state
 * parsers. */
#include <inttypes.h>
#include <gsl/gsl_errno.h>
#include "forecast/artifact.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		gsl_set_error_handler_off();
		init = 1;
	}
	/* the first byte chooses: 0 = bytes as they are, else fix the checksum */
	if (size == 0)
		return 0;
	int fix = data[0] & 1;
	data++, size--;
	uint8_t *text = malloc(size + 32);
	if (!text)
		return 0;
	memcpy(text, data, size);
	size_t len = size;
	if (fix) {
		size_t body = len;
		if (body && text[body - 1] == '\n')
			body--;
		size_t start = body;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		if (body - start >= 4 && memcmp(text + start, "end\t", 4) == 0)
			len = start;
		else if (len && text[len - 1] != '\n')
			text[len++] = '\n';
		len += (size_t)snprintf((char *)text + len, 32, "end\t%016" PRIx64 "\n", fnv1a(text, len));
	}
	const char *path = fuzz_write_tmp("model", text, len);
	free(text);
	if (!path)
		return 0;
	fc_artifact *a = NULL;
	fc_err err;
	fc_err_clear(&err);
	if (fc_artifact_load(path, &a, &err) == 0)
		fc_artifact_free(a);
	unlink(path);
	return 0;
}
