/* libFuzzer target: the holiday rule-file parser (fc_calendar_parse) and the
 * evaluation of what it accepts over a few decades; with the first byte
 * odd, the event-CSV reader (fc_events_load) instead. */
#include "forecast/calendar.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int events = data[0] & 1;
	data++, size--;
	fc_err err;
	fc_err_clear(&err);
	if (events) {
		const char *path = fuzz_write_tmp("events", data, size);
		if (!path)
			return 0;
		fc_holiday_list l;
		fc_holiday_list_init(&l);
		if (fc_events_load(path, &l, &err) == 0) {
			size_t count;
			(void)fc_holiday_find(&l, 18000, &count);
		}
		fc_holiday_list_dispose(&l);
		unlink(path);
		return 0;
	}
	fc_calendar *cal = NULL;
	if (fc_calendar_parse((const char *)data, size, "fuzz.cal", &cal, &err) == 0) {
		int first, last;
		fc_calendar_range(cal, &first, &last);
		fc_holiday_list l;
		fc_holiday_list_init(&l);
		int y0 = first > 1990 ? first : 1990, y1 = last < 2040 ? last : 2040;
		if (y0 <= y1 && fc_calendar_eval(cal, y0, y1, &l, &err) == 0) {
			size_t count;
			(void)fc_holiday_find(&l, 18000, &count);
		}
		fc_holiday_list_dispose(&l);
		const char *name;
		int gy0, gy1;
		(void)fc_calendar_table_gap(cal, 1990, 2040, &name, &gy0, &gy1);
		fc_calendar_free(cal);
	}
	return 0;
}
