/* Holiday calendars and event files for the CLI: --country, --events and
 * --calendars, loaded into the arrays the feature pipeline takes. */
#include "cli.h"

#include <string.h>

const char *cli_calendar_dir(const cli_opts *o)
{
	return o->calendars ? o->calendars : fc_calendar_default_dir();
}

void cli_holidays_dispose(cli_holidays *h)
{
	fc_holiday_set_dispose(&h->hol);
	fc_holiday_set_dispose(&h->ev);
	memset(h, 0, sizeof *h);
}

int cli_holidays_load(const cli_opts *o, int from_year, int to_year, cli_holidays *h)
{
	memset(h, 0, sizeof *h);
	fc_err err;
	int rc;
	if (o->countries) {
		char clip[16];
		int lo = 0, hi = 0;
		if ((rc = fc_holiday_set_countries(&h->hol, cli_calendar_dir(o), o->countries, from_year,
		                                   to_year, clip, &lo, &hi, &err)))
			return cli_fail(rc, err.msg);
		if (clip[0])
			cli_warn(o, "--country %s: the calendar covers %d-%d, the data %d-%d; no holidays "
			            "outside %d-%d",
			         clip, lo, hi, from_year, to_year, lo, hi);
		if (h->hol.table_gap[0])
			cli_warn(o, "--country %s (the data span %d-%d); add its dates with --events for other years",
			         h->hol.table_gap, from_year, to_year);
		h->have_hol = 1;
	}
	if (o->events) {
		if ((rc = fc_holiday_set_events(&h->ev, o->events, &err))) {
			cli_holidays_dispose(h);
			return cli_fail(rc, err.msg);
		}
		h->have_ev = 1;
	}
	return 0;
}
