/* Holiday calendars and event files for the CLI: --country, --events and
 * --calendars, loaded into the arrays the feature pipeline takes. */
#include "cli.h"

#include <string.h>

const char *cli_calendar_dir(const cli_opts *o)
{
	return o->calendars ? o->calendars : fc_calendar_default_dir();
}

void cli_warn_coverage(const cli_opts *o, const fc_holiday_set *s)
{
	if (s->coverage[0])
		cli_warn(o, "--country %s", s->coverage);
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
		if ((rc = fc_holiday_set_countries(&h->hol, cli_calendar_dir(o), o->countries, from_year,
		                                   to_year, &err)))
			return cli_fail(rc, err.msg);
		cli_warn_coverage(o, &h->hol);
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
