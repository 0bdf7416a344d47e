/* Holiday calendars and event files for the CLI: --country, --events and
 * --calendars, loaded into the arrays the feature pipeline takes. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char *cli_calendar_dir(const cli_opts *o)
{
	return o->calendars ? o->calendars : fc_calendar_default_dir();
}

/* The list's days and 1-based ids (and event groups) as plain arrays. */
static int to_days(const fc_holiday_list *l, int with_groups, fc_holiday_days *d, int32_t **day,
                   int32_t **id, int32_t **group)
{
	size_t n = l->n ? l->n : 1;
	*day = malloc(n * sizeof **day);
	*id = malloc(n * sizeof **id);
	*group = with_groups ? malloc(n * sizeof **group) : NULL;
	if (!*day || !*id || (with_groups && !*group))
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		(*day)[i] = l->items[i].day;
		(*id)[i] = l->items[i].id + 1;
		if (with_groups)
			(*group)[i] = l->items[i].group;
	}
	*d = (fc_holiday_days){
		.n = l->n, .day = *day, .id = *id, .group = with_groups ? *group : NULL,
		.n_names = l->n_names, .names = (const char *const *)l->names,
		.n_groups = l->n_groups, .groups = (const char *const *)l->groups,
	};
	return 0;
}

void cli_holidays_dispose(cli_holidays *h)
{
	fc_holiday_list_dispose(&h->hol);
	fc_holiday_list_dispose(&h->ev);
	free(h->hday);
	free(h->hid);
	free(h->hgroup);
	free(h->eday);
	free(h->eid);
	free(h->egroup);
	memset(h, 0, sizeof *h);
}

int cli_holidays_load(const cli_opts *o, int from_year, int to_year, cli_holidays *h)
{
	memset(h, 0, sizeof *h);
	fc_holiday_list_init(&h->hol);
	fc_holiday_list_init(&h->ev);
	fc_err err;
	char what[FC_ERR_MSG_MAX + 64];
	int rc = 0;
	if (o->countries) {
		const char *dir = cli_calendar_dir(o);
		char codes[256];
		if (strlen(o->countries) >= sizeof codes)
			return cli_fail(FC_EINVAL, "--country: list too long");
		strcpy(codes, o->countries);
		char *save;
		for (char *c = strtok_r(codes, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
			fc_calendar *cal = NULL;
			if ((rc = fc_calendar_load_country(dir, c, &cal, &err))) {
				snprintf(what, sizeof what, "--country %s: %s", c, err.msg);
				cli_holidays_dispose(h);
				return cli_fail(rc, what);
			}
			int lo, hi;
			fc_calendar_range(cal, &lo, &hi);
			int a = from_year > lo ? from_year : lo, b = to_year < hi ? to_year : hi;
			if (a > from_year || b < to_year)
				cli_warn(o, "--country %s: the calendar covers %d-%d, the data %d-%d; no holidays "
				            "outside %d-%d",
				         c, lo, hi, from_year, to_year, lo, hi);
			fc_holiday_list one;
			fc_holiday_list_init(&one);
			if (a <= b && (rc = fc_calendar_eval(cal, a, b, &one, &err)) == 0)
				rc = fc_holiday_list_merge(&h->hol, &one, &err);
			fc_holiday_list_dispose(&one);
			fc_calendar_free(cal);
			if (rc) {
				snprintf(what, sizeof what, "--country %s: %s", c, err.msg);
				cli_holidays_dispose(h);
				return cli_fail(rc, what);
			}
		}
		if (to_days(&h->hol, 0, &h->hol_days, &h->hday, &h->hid, &h->hgroup)) {
			cli_holidays_dispose(h);
			return cli_fail(FC_ENOMEM, "out of memory");
		}
		h->have_hol = 1;
	}
	if (o->events) {
		if ((rc = fc_events_load(o->events, &h->ev, &err))) {
			cli_holidays_dispose(h);
			return cli_fail(rc, err.msg);
		}
		if (to_days(&h->ev, 1, &h->ev_days, &h->eday, &h->eid, &h->egroup)) {
			cli_holidays_dispose(h);
			return cli_fail(FC_ENOMEM, "out of memory");
		}
		h->have_ev = 1;
	}
	return 0;
}
