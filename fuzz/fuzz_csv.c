/* libFuzzer target: the CSV reader and panel regularisation (fc_panel_read
 * with default options: sniffed separator, detected columns, inferred
 * frequency, gap filling, season tests) on arbitrary bytes. */
#include <gsl/gsl_errno.h>
#include "forecast/panel.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		gsl_set_error_handler_off();
		init = 1;
	}
	const char *path = fuzz_write_tmp("csv", data, size);
	if (!path)
		return 0;
	fc_read_opts opts = fc_read_opts_default();
	fc_panel *p = NULL;
	fc_err err;
	fc_err_clear(&err);
	if (fc_panel_read(path, &opts, &p, &err) == 0)
		fc_panel_free(p);
	unlink(path);
	return 0;
}
