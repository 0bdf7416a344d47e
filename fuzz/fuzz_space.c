/* libFuzzer target: the --space file parser (fc_space_parse over the
 * default tables) and the --param setter.  Input: the first line is a
 * --param argument "kind.name=value" applied to a new model of that kind
 * (as fit does), the rest a space file. */
#include "forecast/model.h"
#include "forecast/search.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	if (!s)
		return 0;
	fc_err err;
	fc_err_clear(&err);
	char *nl = strchr(s, '\n');
	char *rest = nl ? nl + 1 : s + size;
	if (nl)
		*nl = '\0';
	char *dot = strchr(s, '.');
	char *eq = dot ? strchr(dot, '=') : NULL;
	if (dot && eq) {
		*dot = '\0';
		*eq = '\0';
		const fc_model_type *kind = fc_model_lookup(s);
		if (kind) {
			fc_model *m = fc_model_alloc(kind, &err);
			if (m) {
				(void)fc_model_set_param(m, dot + 1, eq + 1, &err);
				fc_model *c = fc_model_clone_unfitted(m, &err);
				fc_model_free(c);
				fc_model_free(m);
			}
		}
	}
	fc_space_set set;
	fc_space_set_init(&set);
	if (fc_space_set_defaults(&set, &err) == 0)
		(void)fc_space_parse(&set, rest, "fuzz.space", &err);
	fc_space_set_dispose(&set);
	free(s);
	return 0;
}
