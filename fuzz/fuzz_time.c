/* libFuzzer target: the timestamp parser (every style), the formatter on
 * what it parsed (which must parse back to the same instant), and the
 * frequency parser. */
#include "forecast/series.h"
#include "forecast/time.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fc_time_style style = {FC_STYLE_UNKNOWN, 0};
	fc_time t;
	if (fc_time_parse((const char *)data, size, &style, &t) == 0) {
		char buf[64];
		size_t n = fc_time_format(t, style, buf, sizeof buf);
		fc_time_style style2 = style;
		fc_time t2;
		if (n < sizeof buf && fc_time_parse(buf, n, &style2, &t2) == 0 && t2 != t)
			__builtin_trap(); /* formatting then parsing must be the identity */
		int y, mo, d, h, mi, s;
		fc_time_to_civil(t, &y, &mo, &d, &h, &mi, &s);
		(void)fc_time_weekday(t);
	}
	char *s = fuzz_strdup(data, size);
	if (!s)
		return 0;
	fc_freq f;
	fc_err err;
	fc_err_clear(&err);
	if (fc_freq_parse(s, &f, &err) == 0) {
		char buf[64];
		fc_freq_format(f, buf, sizeof buf);
		fc_freq_describe(f, buf, sizeof buf);
		double periods[FC_MAX_SEASONS];
		fc_freq_seasons(f, periods, FC_MAX_SEASONS);
		fc_time a = fc_time_from_civil(2020, 1, 31, 0, 0, 0);
		fc_time b = fc_freq_add(f, a, 3);
		int64_t k;
		(void)fc_freq_steps(f, a, b, &k);
	}
	free(s);
	return 0;
}
