/* The `gbdt` kind: one gradient-boosted tree model learned across all the
 * series of a panel from the regression features of src/features (lags,
 * rolling windows, calendar, holidays, exogenous columns, group codes), as
 * the M5 winners did (Makridakis, Spiliotis & Assimakopoulos, "M5 accuracy
 * competition: results, findings and conclusions", IJF 38(4), 2022).
 *
 * Multi-step strategies (Taieb, Bontempi, Atiya & Sorjamaa, "A review and
 * comparison of strategies for multi-step ahead time series forecasting",
 * Expert Systems with Applications 39(8), 2012):
 *   recursive -- one model of the next value; forecasts step by step, each
 *     prediction appended to the history the next row's lags and windows
 *     are computed from, by the same row function that built the training
 *     rows;
 *   direct -- one model per step j = 1..h, trained on rows whose features
 *     end j steps before the target (lags >= j, windows shifted by j), so
 *     no prediction is fed back.
 * With global_by = COLUMN one model is learned per value of that group
 * column (per store, say) instead of one for the whole panel.
 *
 * Targets may be transformed per series (features.h); predictions are
 * mapped back.  Intervals come from the back-test errors (split conformal,
 * done by the selection engine).  Early stopping, when asked for
 * (early_stopping_rounds > 0 and valid > 0), holds out the last `valid`
 * observations of every series.
 *
 * Known-future values beyond the data come from the series' future rows
 * (panel.h); where there are none they are missing.  Omissions: direct
 * models per horizon bucket. */
#include "forecast/model.h"
#include "forecast/calendar.h"
#include "forecast/dist.h"
#include "forecast/explain.h"
#include "forecast/features.h"
#include "forecast/gbdt.h"
#include "models/model_private.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STRATEGY_RECURSIVE = 0, STRATEGY_DIRECT = 1 };

typedef struct gbdt_kind_params {
	fc_gbdt_params learner;
	char lags[128];      /* "1-7,14,28", "auto" */
	char windows[64];    /* "7,28", "none" */
	char aggs[64];       /* "mean,std" */
	char calendar[96];   /* "auto" */
	char transform[16];  /* "none" */
	char country[64];    /* "" or "US,BR" */
	char known_future[128];
	char global_by[64];  /* "" = one model for the panel */
	char events[256];    /* "" or an event CSV (fc_events_load); read at fit,
	                      * the events themselves kept in the state */
	int hol_before, hol_after;
	size_t fourier_k, seasonal_k;
	int expanding_mean, group_keys;
	int strategy;
	size_t valid;
	size_t max_rows;     /* training rows of a learner; 0 no limit */
	int capacity;        /* CAPACITY_AUTO, _SMALL or _LARGE */
	unsigned user_keys;  /* which PRESET_KEYS were set (--param, search, model file) */
} gbdt_kind_params;

/* ---- capacity -------------------------------------------------------------------
 * How big a learner the global model gets.  `small` is LightGBM's defaults
 * (31 leaves, 100 trees at rate 0.1, no bagging or penalties).  `large` is
 * the recipe Nixtla's mlforecast publishes for its global LightGBM on M4
 * Hourly (tests/test_m4.py of mlforecast: 2,500 leaves, 200 trees at 0.05,
 * bagging 0.9, feature fraction 0.8, L1 0.03, L2 0.5), with the leaves
 * capped at 255: one tree model serving hundreds of series needs room for
 * their differences.  Measured with `--models gbdt` (bench/results/
 * defaults.md): large lowers M4 Hourly OWA 0.601 -> 0.496, Walmart WAPE
 * 10.18 -> 9.83, Favorita 4.95 -> 4.13, but raises ETTh1 (7 series)
 * 24.2 -> 25.8: on a handful of series the big trees learn each series'
 * past rather than what the series share.  `auto` (the default) takes
 * large for a model fitted on at least LARGE_PANEL series, else small.
 * Keys the user sets with --param keep their value in every case. */
enum { CAPACITY_AUTO = 0, CAPACITY_SMALL = 1, CAPACITY_LARGE = 2 };
#define LARGE_PANEL 30
static const char *const CAPACITY_NAMES[] = {"auto", "small", "large"};

static const struct preset_key {
	const char *key, *alias[2];
	const char *large;
} PRESET_KEYS[] = {
	{"num_leaves", {NULL, NULL}, "255"},
	{"n_trees", {"n_estimators", "num_iterations"}, "200"},
	{"learning_rate", {"eta", NULL}, "0.05"},
	{"bagging_fraction", {NULL, NULL}, "0.9"},
	{"feature_fraction", {NULL, NULL}, "0.8"},
	{"lambda_l1", {"alpha_l1", NULL}, "0.03"},
	{"lambda_l2", {"lambda", NULL}, "0.5"},
};
#define N_PRESET_KEYS (sizeof PRESET_KEYS / sizeof PRESET_KEYS[0])

static int preset_key(const char *key)
{
	for (size_t i = 0; i < N_PRESET_KEYS; i++)
		if (strcmp(key, PRESET_KEYS[i].key) == 0 ||
		    (PRESET_KEYS[i].alias[0] && strcmp(key, PRESET_KEYS[i].alias[0]) == 0) ||
		    (PRESET_KEYS[i].alias[1] && strcmp(key, PRESET_KEYS[i].alias[1]) == 0))
			return (int)i;
	return -1;
}

/* The learner a model fitted on n_series series gets. */
static fc_gbdt_params learner_for(const gbdt_kind_params *p, size_t n_series)
{
	fc_gbdt_params l = p->learner;
	int large = p->capacity == CAPACITY_LARGE ||
	            (p->capacity == CAPACITY_AUTO && n_series >= LARGE_PANEL);
	for (size_t i = 0; large && i < N_PRESET_KEYS; i++)
		if (!(p->user_keys & (1u << i))) {
			fc_err e = {0};
			(void)fc_gbdt_set_param(&l, PRESET_KEYS[i].key, PRESET_KEYS[i].large, &e);
		}
	return l;
}

/* ---- training rows -------------------------------------------------------------
 * A learner trains on at most max_rows rows (default DEFAULT_MAX_ROWS).
 * Above that it takes every k-th row of its design, k the smallest step
 * that brings the rows under max_rows and shares no factor with any whole
 * seasonal period of the panel: the rows of one series are consecutive in
 * time, so a step of 7 on daily data would keep one weekday of every
 * series, while a step prime to 7 and 365 walks through the weekdays and
 * the days of the year.  Training time grows with the rows (about 40 CPU
 * microseconds a row for the large learner on the reference machine), so
 * the cap bounds a learner near 80 CPU seconds whatever the panel's size;
 * on an M5-size panel (59 million rows) it keeps one row in 30.  Below it
 * (every bench panel but the M5-size ones) nothing changes.  The sampled
 * rows are also the bin sample.  fc_gbdt_row_step (forecast/gbdt.h) is
 * the step. */
#define DEFAULT_MAX_ROWS 2000000

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

size_t fc_gbdt_row_step(size_t n_rows, size_t max_rows, const double *seasons, size_t n_seasons)
{
	if (!max_rows || n_rows <= max_rows)
		return 1;
	for (size_t k = (n_rows + max_rows - 1) / max_rows;; k++) {
		int prime_to_all = 1;
		for (size_t i = 0; prime_to_all && i < n_seasons; i++) {
			double m = floor(seasons[i] + 0.5);
			if (m >= 2 && m < 1e9)
				prime_to_all = gcd(k, (size_t)m) == 1;
		}
		if (prime_to_all)
			return k;
	}
}

/* ---- parameters ------------------------------------------------------------- */

static void gbdt_default_params(void *params)
{
	gbdt_kind_params *p = params;
	memset(p, 0, sizeof *p);
	p->learner = fc_gbdt_default_params();
	strcpy(p->lags, "auto");
	strcpy(p->windows, "auto");
	strcpy(p->aggs, "mean,std");
	strcpy(p->calendar, "auto");
	strcpy(p->transform, "standard"); /* one model for series of any level */
	p->group_keys = 1;
	p->strategy = STRATEGY_RECURSIVE;
	p->max_rows = DEFAULT_MAX_ROWS;
}

static int set_text(char *dst, size_t cap, const char *key, const char *val, fc_err *err)
{
	if (strlen(val) >= cap)
		return fc_err_set(err, FC_EINVAL, "model 'gbdt': parameter '%s' is too long", key);
	strcpy(dst, val);
	return 0;
}

/* The text parameters: key, and where and how long their field is. */
#define TEXT_PARAM(key, field) \
	{key, offsetof(gbdt_kind_params, field), sizeof ((gbdt_kind_params *)0)->field}
static const struct text_param {
	const char *key;
	size_t offset, cap;
} TEXT_PARAMS[] = {
	TEXT_PARAM("lags", lags),           TEXT_PARAM("windows", windows),
	TEXT_PARAM("agg", aggs),            TEXT_PARAM("calendar", calendar),
	TEXT_PARAM("transform", transform), TEXT_PARAM("country", country),
	TEXT_PARAM("known_future", known_future), TEXT_PARAM("global_by", global_by),
	TEXT_PARAM("events", events),
};
#undef TEXT_PARAM

static const struct text_param *text_param(const char *key)
{
	for (size_t i = 0; i < sizeof TEXT_PARAMS / sizeof TEXT_PARAMS[0]; i++)
		if (strcmp(key, TEXT_PARAMS[i].key) == 0)
			return &TEXT_PARAMS[i];
	return NULL;
}

/* Parses the feature strings into a spec (holidays and lags "auto" left to
 * the caller); FC_EINVAL naming the parameter. */
static int spec_from_params(const gbdt_kind_params *p, fc_feature_spec *sp, int *lags_auto,
                            fc_err *err)
{
	*sp = fc_feature_spec_default();
	*lags_auto = strcmp(p->lags, "auto") == 0;
	int rc = 0;
	if (!*lags_auto)
		rc = fc_feature_parse_lags(p->lags, sp, err);
	if (!rc && strcmp(p->windows, "auto") != 0)
		rc = fc_feature_parse_windows(p->windows, sp, err);
	if (!rc)
		rc = fc_feature_parse_aggs(p->aggs, sp, err);
	if (!rc)
		rc = fc_feature_parse_calendar(p->calendar, sp, err);
	if (!rc)
		rc = fc_feature_parse_transform(p->transform, sp, err);
	if (rc)
		return fc_err_prefix(err, "model 'gbdt': ");
	sp->hol_before = p->hol_before;
	sp->hol_after = p->hol_after;
	sp->fourier_k = p->fourier_k;
	sp->seasonal_k = p->seasonal_k;
	sp->expanding_mean = p->expanding_mean;
	sp->group_keys = p->group_keys;
	sp->known_future = p->known_future[0] ? p->known_future : NULL;
	return 0;
}

/* The search space (--search): the learner's size and pace, and the
 * feature sets; every name is a key of gbdt_set_param (the learner's keys
 * through fc_gbdt_set_param).  Ranges around LightGBM's defaults (31
 * leaves, rate 0.1, 100 trees, 20 rows a leaf, all features). */
static const fc_param_space gbdt_space[] = {
	FC_SPACE_RANGE("num_leaves", FC_SPACE_INT, 8, 64, 0),
	FC_SPACE_RANGE("learning_rate", FC_SPACE_LOGUNIFORM, 0.02, 0.3, 0),
	FC_SPACE_RANGE("n_trees", FC_SPACE_QUNIFORM, 50, 300, 50),
	FC_SPACE_RANGE("min_data_in_leaf", FC_SPACE_QUNIFORM, 5, 100, 5),
	FC_SPACE_RANGE("feature_fraction", FC_SPACE_UNIFORM, 0.5, 1, 0),
	FC_SPACE_CHOICE_OF("lags", "auto", "1-14", "1-28"),
	FC_SPACE_CHOICE_OF("windows", "auto", "7,28", "3,12"),
};

static int gbdt_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	gbdt_kind_params *p = params;
	long v;
	int rc = 0;
	if (strcmp(key, "capacity") == 0) {
		for (int c = 0; c < 3; c++)
			if (strcmp(val, CAPACITY_NAMES[c]) == 0) {
				p->capacity = c;
				return 0;
			}
		return fc_err_set(err, FC_EINVAL,
		                  "model 'gbdt': capacity must be auto, small or large, got '%s'", val);
	}
	if (strcmp(key, "strategy") == 0) {
		if (strcmp(val, "recursive") == 0)
			p->strategy = STRATEGY_RECURSIVE;
		else if (strcmp(val, "direct") == 0)
			p->strategy = STRATEGY_DIRECT;
		else
			return fc_err_set(err, FC_EINVAL,
			                  "model 'gbdt': strategy must be recursive or direct, got '%s'", val);
		return 0;
	}
	const struct text_param *tp = text_param(key);
	if (tp)
		rc = set_text((char *)p + tp->offset, tp->cap, key, val, err);
	else if (strcmp(key, "holiday_window") == 0) {
		fc_feature_spec sp = fc_feature_spec_default();
		if (fc_feature_parse_holiday_window(val, &sp, err))
			return fc_err_prefix(err, "model 'gbdt': ");
		p->hol_before = sp.hol_before;
		p->hol_after = sp.hol_after;
		return 0;
	} else if (strcmp(key, "fourier") == 0 || strcmp(key, "seasonal_window") == 0 ||
	           strcmp(key, "valid") == 0) {
		if (fc_param_parse_count(val, 10000, &v))
			return fc_err_set(err, FC_EINVAL,
			                  "model 'gbdt': %s must be a whole number from 0 to 10000, got '%s'",
			                  key, val);
		if (key[0] == 'f')
			p->fourier_k = (size_t)v;
		else if (key[0] == 's')
			p->seasonal_k = (size_t)v;
		else
			p->valid = (size_t)v;
		return 0;
	} else if (strcmp(key, "max_rows") == 0) {
		if (fc_param_parse_count(val, 4000000000L, &v))
			return fc_err_set(err, FC_EINVAL, "model 'gbdt': max_rows must be a whole number "
			                  "from 0 (no limit) to 4000000000, got '%s'", val);
		p->max_rows = (size_t)v;
		return 0;
	} else if (strcmp(key, "expanding_mean") == 0 || strcmp(key, "group_keys") == 0) {
		int b = strcmp(val, "true") == 0 ? 1 : strcmp(val, "false") == 0 ? 0 : -1;
		if (b < 0)
			return fc_err_set(err, FC_EINVAL, "model 'gbdt': %s must be true or false, got '%s'",
			                  key, val);
		if (key[0] == 'e')
			p->expanding_mean = b;
		else
			p->group_keys = b;
		return 0;
	} else {
		/* everything else belongs to the learner */
		if (fc_gbdt_set_param(&p->learner, key, val, err))
			return fc_err_prefix(err, "model 'gbdt': ");
		int k = preset_key(key);
		if (k >= 0)
			p->user_keys |= 1u << k;
		return 0;
	}
	if (rc)
		return rc;
	/* check the feature strings now, so that a typo is a usage error */
	fc_feature_spec sp;
	int lags_auto;
	return spec_from_params(p, &sp, &lags_auto, err);
}

static const char *loss_name(fc_gbdt_loss l)
{
	switch (l) {
	case FC_GBDT_POISSON: return "poisson";
	case FC_GBDT_TWEEDIE: return "tweedie";
	case FC_GBDT_ABSOLUTE: return "absolute";
	case FC_GBDT_QUANTILE: return "quantile";
	default: return "squared";
	}
}

/* Every parameter but events: a path that may hold spaces, and one that
 * forecasting does not need, the state keeping the events it named.  Of
 * the capacity preset's keys only those the user set are written, so that
 * loading the text marks the same keys as set (a model file written before
 * the preset has them all, which keeps its learner as it was). */
static int gbdt_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const gbdt_kind_params *p = params;
	const fc_gbdt_params *l = &p->learner;
	int rc = fc_buf_printf(
		out,
		"strategy=%s lags=%s windows=%s agg=%s calendar=%s transform=%s country=%s "
		"known_future=%s global_by=%s holiday_window=-%d,%d fourier=%zu seasonal_window=%zu "
		"valid=%zu max_rows=%zu expanding_mean=%s group_keys=%s capacity=%s loss=%s tweedie_power=%.17g "
		"quantile_alpha=%.17g poisson_max_delta_step=%.17g max_depth=%zu min_data_in_leaf=%zu "
		"min_sum_hessian=%.17g min_gain=%.17g max_bin=%zu early_stopping_rounds=%zu seed=%llu "
		"max_cat_to_onehot=%zu max_cat_threshold=%zu cat_smooth=%.17g cat_l2=%.17g "
		"min_data_per_group=%zu",
		p->strategy == STRATEGY_DIRECT ? "direct" : "recursive", p->lags, p->windows, p->aggs,
		p->calendar, p->transform, p->country, p->known_future, p->global_by, p->hol_before,
		p->hol_after, p->fourier_k, p->seasonal_k, p->valid, p->max_rows, p->expanding_mean ? "true" : "false",
		p->group_keys ? "true" : "false", CAPACITY_NAMES[p->capacity], loss_name(l->loss),
		l->tweedie_power, l->quantile_alpha, l->poisson_max_delta_step, l->max_depth,
		l->min_data_in_leaf, l->min_sum_hessian, l->min_gain, l->max_bin,
		l->early_stopping_rounds, (unsigned long long)l->seed, l->max_cat_to_onehot,
		l->max_cat_threshold, l->cat_smooth, l->cat_l2, l->min_data_per_group);
	/* the preset's keys, in PRESET_KEYS order */
	const double set_values[N_PRESET_KEYS] = {
		(double)l->num_leaves,   (double)l->n_trees, l->learning_rate, l->bagging_fraction,
		l->feature_fraction,     l->lambda_l1,       l->lambda_l2};
	for (size_t i = 0; !rc && i < N_PRESET_KEYS; i++)
		if (p->user_keys & (1u << i))
			rc = fc_buf_printf(out, " %s=%.17g", PRESET_KEYS[i].key, set_values[i]);
	return rc ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

static size_t gbdt_min_length(const void *params, const fc_series *y)
{
	return 2;
}

/* ---- state ------------------------------------------------------------------ */

/* One learner per (group, step): models[g * n_steps + j]. */
typedef struct gbdt_state {
	int strategy;
	size_t n_steps;   /* 1 (recursive) or h (direct) */
	size_t n_groups;  /* distinct values of global_by (1 without) */
	char **group_values;
	size_t n_lags;    /* the lags used (auto resolved at fit) */
	size_t lags[FC_FEAT_MAX_LAGS];
	fc_gbdt **models;
	/* code books of the group columns at fit time (see features.h) */
	size_t n_group_cols;
	char ***levels;
	size_t *n_levels;
	/* the events of params.events as the fit read them, so that a loaded
	 * model forecasts with them without the file: owned arrays, and
	 * events.n == 0 (no event features) without */
	int has_events;
	int32_t *ev_day, *ev_id, *ev_group;
	char **ev_names, **ev_groups;
	fc_holiday_days events;
} gbdt_state;

static void events_free(gbdt_state *st)
{
	for (size_t k = 0; st->ev_names && k < st->events.n_names; k++)
		free(st->ev_names[k]);
	for (size_t k = 0; st->ev_groups && k < st->events.n_groups; k++)
		free(st->ev_groups[k]);
	free(st->ev_names);
	free(st->ev_groups);
	free(st->ev_day);
	free(st->ev_id);
	free(st->ev_group);
	st->ev_names = st->ev_groups = NULL;
	st->ev_day = st->ev_id = st->ev_group = NULL;
	memset(&st->events, 0, sizeof st->events);
	st->has_events = 0;
}

/* Room in st for n events, n_names names and n_groups groups (the strings
 * NULL), and the view over them. */
static int events_alloc(gbdt_state *st, size_t n, size_t n_names, size_t n_groups)
{
	st->ev_day = malloc((n ? n : 1) * sizeof *st->ev_day);
	st->ev_id = malloc((n ? n : 1) * sizeof *st->ev_id);
	st->ev_group = malloc((n ? n : 1) * sizeof *st->ev_group);
	st->ev_names = calloc(n_names ? n_names : 1, sizeof *st->ev_names);
	st->ev_groups = calloc(n_groups ? n_groups : 1, sizeof *st->ev_groups);
	st->has_events = 1;
	st->events = (fc_holiday_days){
		.n = n, .day = st->ev_day, .id = st->ev_id, .group = st->ev_group,
		.n_names = n_names, .names = (const char *const *)st->ev_names,
		.n_groups = n_groups, .groups = (const char *const *)st->ev_groups,
	};
	return st->ev_day && st->ev_id && st->ev_group && st->ev_names && st->ev_groups ? 0 : FC_ENOMEM;
}

/* Reads params.events into st (nothing without one). */
static int events_load(const gbdt_kind_params *p, gbdt_state *st, fc_err *err)
{
	if (!p->events[0])
		return 0;
	fc_holiday_set set;
	int rc = fc_holiday_set_events(&set, p->events, err);
	if (rc)
		return fc_err_prefix(err, "model 'gbdt': ");
	const fc_holiday_days *d = &set.days;
	rc = events_alloc(st, d->n, d->n_names, d->n_groups);
	for (size_t i = 0; !rc && i < d->n; i++) {
		st->ev_day[i] = d->day[i];
		st->ev_id[i] = d->id[i];
		st->ev_group[i] = d->group ? d->group[i] : -1;
	}
	for (size_t k = 0; !rc && k < d->n_names; k++)
		rc = (st->ev_names[k] = strdup(d->names[k])) ? 0 : FC_ENOMEM;
	for (size_t k = 0; !rc && k < d->n_groups; k++)
		rc = (st->ev_groups[k] = strdup(d->groups[k])) ? 0 : FC_ENOMEM;
	fc_holiday_set_dispose(&set);
	return rc ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

static void gbdt_state_free(void *state)
{
	gbdt_state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_groups * st->n_steps; i++)
		fc_gbdt_free(st->models ? st->models[i] : NULL);
	for (size_t g = 0; g < st->n_groups; g++)
		free(st->group_values ? st->group_values[g] : NULL);
	for (size_t g = 0; st->levels && g < st->n_group_cols; g++) {
		for (size_t k = 0; st->levels[g] && k < st->n_levels[g]; k++)
			free(st->levels[g][k]);
		free(st->levels[g]);
	}
	free(st->levels);
	free(st->n_levels);
	free(st->group_values);
	free(st->models);
	events_free(st);
	free(st);
}

/* ---- data preparation ---------------------------------------------------------- */

/* ---- country holidays, evaluated once --------------------------------------------
 * Every fold of a back-test fits and forecasts, and each needs the holidays
 * of the same countries over (nearly always) the same years: a set is
 * evaluated once per calendar folder, country list and span of years, and
 * then shared read-only until the process ends.  A cached set equals the
 * one a fresh load would give, so which fold, trial or thread asks first
 * changes nothing.  At most HOLIDAY_CACHE sets are kept; past that, a set
 * is loaded for its caller alone.  Failed loads are not kept: asking again
 * gives the same error. */
#define HOLIDAY_CACHE 16

typedef struct cached_holidays {
	char *dir, *codes;
	int from, to;
	fc_holiday_set set;
} cached_holidays;

static cached_holidays *holiday_cache[HOLIDAY_CACHE];

/* The holidays a fit or forecast uses: set points into the cache or at
 * own (released by holidays_release). */
typedef struct holidays {
	const fc_holiday_set *set;
	fc_holiday_set own;
} holidays;

static void holidays_release(holidays *h)
{
	fc_holiday_set_dispose(&h->own);
	h->set = NULL;
}

/* holidays_get without the lock: a cached set, else a new one cached
 * while there is room, else one of the caller's own. */
static int holidays_get_locked(const char *dir, const char *codes, int from, int to, holidays *out,
                               fc_err *err)
{
	size_t free_slot = HOLIDAY_CACHE;
	for (size_t i = 0; i < HOLIDAY_CACHE; i++) {
		const cached_holidays *c = holiday_cache[i];
		if (!c) {
			free_slot = free_slot < i ? free_slot : i;
			continue;
		}
		if (c->from == from && c->to == to && strcmp(c->dir, dir) == 0 &&
		    strcmp(c->codes, codes) == 0) {
			out->set = &c->set;
			return 0;
		}
	}
	int rc = fc_holiday_set_countries(&out->own, dir, codes, from, to, err);
	if (rc)
		return rc;
	out->set = &out->own;
	cached_holidays *c = free_slot < HOLIDAY_CACHE ? calloc(1, sizeof *c) : NULL;
	if (c && (c->dir = strdup(dir)) && (c->codes = strdup(codes))) {
		c->from = from;
		c->to = to;
		c->set = out->own; /* its arrays move into the cache */
		memset(&out->own, 0, sizeof out->own);
		holiday_cache[free_slot] = c;
		out->set = &c->set;
	} else if (c) {
		/* no room to remember it: the caller keeps its own */
		free(c->dir);
		free(c);
	}
	return 0;
}

static int holidays_get(const char *dir, const char *codes, int from, int to, holidays *out,
                        fc_err *err)
{
	int rc;
#ifdef _OPENMP
#pragma omp critical(gbdt_holidays)
#endif
	rc = holidays_get_locked(dir, codes, from, to, out, err);
	return rc;
}

/* Holidays of the countries in p->country over the years of the series
 * (plus the horizon); an empty set without countries. */
static int holidays_load(const gbdt_kind_params *p, const fc_panel *pn, size_t h, holidays *out,
                         fc_err *err)
{
	memset(out, 0, sizeof *out);
	out->set = &out->own;
	if (!p->country[0])
		return 0;
	if (pn->freq.unit == FC_UNIT_STEP)
		return fc_err_set(err, FC_EINVAL, "model 'gbdt': country holidays need dates, not integer steps");
	int y0, y1;
	fc_series_years(pn->series, pn->n_series, pn->freq, h, &y0, &y1);
	int rc = holidays_get(fc_calendar_default_dir(), p->country, y0 - 1, y1 + 1, out, err);
	return rc ? fc_err_prefix(err, "model 'gbdt': ") : 0;
}

/* The panel's series cut at cut[] (0: left out), grouped by global_by:
 * views[k] for k in group g are views + first[g] .. first[g + 1]; idx[k] is
 * the panel index of views[k].  *values gets each group's value. */
typedef struct grouping {
	fc_series *views;
	size_t *idx;
	size_t *first;
	size_t n_groups;
	char **values; /* borrowed from the panel */
} grouping;

static void grouping_dispose(grouping *g)
{
	free(g->views);
	free(g->idx);
	free(g->first);
	free(g->values);
	memset(g, 0, sizeof *g);
}

static long group_column(const gbdt_kind_params *p, const fc_panel *pn, fc_err *err)
{
	if (!p->global_by[0])
		return -1;
	for (size_t g = 0; g < pn->n_groups; g++)
		if (strcmp(pn->group_names[g], p->global_by) == 0)
			return (long)g;
	fc_err_set(err, FC_EINVAL, "model 'gbdt': global_by '%s' is not a group column of the data",
	           p->global_by);
	return -2;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int make_grouping(const gbdt_kind_params *p, const fc_panel *pn, const size_t *cut,
                         grouping *gr, fc_err *err)
{
	memset(gr, 0, sizeof *gr);
	long gc = group_column(p, pn, err);
	if (gc == -2)
		return FC_EINVAL;
	size_t ns = pn->n_series;
	gr->views = malloc((ns ? ns : 1) * sizeof *gr->views);
	gr->idx = malloc((ns ? ns : 1) * sizeof *gr->idx);
	gr->values = malloc((ns ? ns : 1) * sizeof *gr->values);
	gr->first = malloc((ns + 2) * sizeof *gr->first);
	if (!gr->views || !gr->idx || !gr->values || !gr->first) {
		grouping_dispose(gr);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	/* distinct values, sorted */
	size_t nv = 0;
	if (gc >= 0) {
		for (size_t i = 0; i < ns; i++)
			gr->values[nv++] = (char *)pn->series[i].group_values[gc];
		qsort(gr->values, nv, sizeof *gr->values, cmp_str);
		size_t k = 0;
		for (size_t i = 0; i < nv; i++)
			if (k == 0 || strcmp(gr->values[i], gr->values[k - 1]) != 0)
				gr->values[k++] = gr->values[i];
		nv = k;
	} else {
		gr->values[0] = "";
		nv = 1;
	}
	gr->n_groups = nv;
	size_t k = 0;
	for (size_t g = 0; g < nv; g++) {
		gr->first[g] = k;
		for (size_t i = 0; i < ns; i++) {
			if (gc >= 0 && strcmp(pn->series[i].group_values[gc], gr->values[g]) != 0)
				continue;
			gr->views[k] = pn->series[i];
			gr->views[k].n = cut[i];
			/* the features see a gap as missing, not as its imputed value */
			gr->views[k].y = fc_series_raw(&pn->series[i]);
			gr->idx[k++] = i;
		}
	}
	gr->first[nv] = k;
	return 0;
}

/* A featurizer over views[0..n) with the state's lags, shift and horizon. */
static int featurizer_for(const gbdt_kind_params *p, const fc_panel *pn, const fc_holiday_set *hol,
                          const gbdt_state *st, size_t shift, size_t horizon,
                          const fc_series *views, size_t n, fc_featurizer **out, fc_err *err)
{
	const size_t *lags = st->lags, n_lags = st->n_lags;
	fc_feature_spec sp;
	int lags_auto;
	int rc = spec_from_params(p, &sp, &lags_auto, err);
	if (rc)
		return rc;
	sp.n_lags = 0;
	for (size_t i = 0; i < n_lags; i++)
		if (lags[i] >= shift)
			sp.lags[sp.n_lags++] = lags[i];
	if (sp.n_lags == 0) /* direct steps beyond every lag: the newest value they may use */
		sp.lags[sp.n_lags++] = shift;
	if (strcmp(p->windows, "auto") == 0)
		fc_feature_auto_windows(pn->seasons, pn->n_seasons, &sp);
	sp.shift = shift;
	sp.horizon = horizon;
	sp.holidays = hol->day ? &hol->days : NULL;
	sp.events = st->has_events ? &st->events : NULL;
	if (st->n_group_cols) {
		sp.group_levels = (const char *const *const *)st->levels;
		sp.n_group_levels = st->n_levels;
	}
	return fc_featurizer_alloc(&sp, views, n, pn->freq, pn->seasons, pn->n_seasons,
	                           (const char *const *)pn->exog_names, pn->n_exog,
	                           (const char *const *)pn->group_names, out, err);
}

/* ---- fit ---------------------------------------------------------------------- */

/* The sorted distinct values of every group column of the panel. */
static int make_levels(const fc_panel *pn, gbdt_state *st, fc_err *err)
{
	size_t ng = pn->n_groups, ns = pn->n_series;
	st->n_group_cols = ng;
	if (!ng)
		return 0;
	st->levels = calloc(ng, sizeof *st->levels);
	st->n_levels = calloc(ng, sizeof *st->n_levels);
	const char **tmp = malloc((ns ? ns : 1) * sizeof *tmp);
	if (!st->levels || !st->n_levels || !tmp) {
		free(tmp);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t g = 0; g < ng; g++) {
		for (size_t i = 0; i < ns; i++)
			tmp[i] = pn->series[i].group_values[g];
		qsort(tmp, ns, sizeof *tmp, cmp_str);
		size_t k = 0;
		for (size_t i = 0; i < ns; i++)
			if (k == 0 || strcmp(tmp[i], tmp[k - 1]) != 0)
				tmp[k++] = tmp[i];
		st->levels[g] = calloc(k ? k : 1, sizeof *st->levels[g]);
		if (!st->levels[g]) {
			free(tmp);
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		}
		st->n_levels[g] = k;
		for (size_t i = 0; i < k; i++)
			if (!(st->levels[g][i] = strdup(tmp[i]))) {
				free(tmp);
				return fc_err_set(err, FC_ENOMEM, "out of memory");
			}
	}
	free(tmp);
	return 0;
}

/* Sinks of fc_design_stream: the sample's rows into its column-major
 * matrix, then every row into the bins. */
typedef struct sample_sink {
	float *x;
	size_t n_sample, n_cols, stride;
} sample_sink;

/* Training rows made in this process (fc_gbdt_rows_made). */
static size_t rows_made;

size_t fc_gbdt_rows_made(void)
{
	size_t n;
#pragma omp atomic read
	n = rows_made;
	return n;
}

static void count_rows(size_t k)
{
#pragma omp atomic update
	rows_made += k;
}

static void put_sample(void *ctx, size_t r, size_t k, const float *block, size_t stride)
{
	const sample_sink *s = ctx;
	for (size_t c = 0; c < s->n_cols; c++)
		memcpy(s->x + c * s->n_sample + r / s->stride, block + c * stride, k * sizeof *block);
	count_rows(k);
}

static void put_bins(void *ctx, size_t r, size_t k, const float *block, size_t stride)
{
	fc_gbdt_bins_put(ctx, r, k, block, stride);
	count_rows(k);
}

static int train_sampled(const gbdt_kind_params *p, const fc_featurizer *f, size_t nr,
                         size_t step, fc_gbdt **out, fc_err *err);

/* The rows r % stride == 0 of f's design (nr rows, t >= 1) made into a
 * column-major matrix (ss->x, allocated here, freed by the caller even on
 * failure), and every row's target, series and time into *d. */
static int make_sample(const fc_featurizer *f, size_t nr, size_t stride, sample_sink *ss,
                       fc_design **d, fc_err *err)
{
	size_t nc = fc_featurizer_ncols(f);
	*ss = (sample_sink){.n_sample = (nr + stride - 1) / stride, .n_cols = nc, .stride = stride};
	*d = NULL;
	if (nc && ss->n_sample > SIZE_MAX / nc / sizeof *ss->x)
		return fc_err_set(err, FC_EINVAL, "features: %zu rows x %zu columns is too large",
		                  ss->n_sample, nc);
	size_t cells = ss->n_sample * nc;
	if (!(ss->x = malloc((cells ? cells : 1) * sizeof *ss->x)))
		return fc_err_set(err, FC_ENOMEM, "out of memory: %zu sampled rows x %zu features",
		                  ss->n_sample, nc);
	int rc = fc_design_stream(f, 1, stride, put_sample, ss, d, err);
	if (!rc && (*d)->n_rows != nr)
		rc = fc_err_set(err, FC_EMODEL, "model 'gbdt': %zu training rows counted, %zu made",
		                nr, (*d)->n_rows);
	return rc;
}

/* Trains one learner on the design of f (rows t >= 1) without holding the
 * float design: the rows of the learner's bin sample (every stride-th,
 * at most a million) are made first and give the bin edges, the sample is
 * freed, then every row is made again and binned as it comes.  Below a
 * million rows the sample is the whole design and is binned from
 * directly, then freed before the boosting allocates its per-row arrays.
 * Peak: the larger of the sample (4 bytes per feature, at most a million
 * rows) and the bins (1 byte per feature per row) with the boosting's
 * arrays (about 45 bytes per row touched for the squared loss), plus
 * 12 bytes per row of target, series and time throughout.  The learner is
 * fc_gbdt_train's on fc_design_build's matrix, byte for byte.  Over
 * max_rows, train_sampled trains on every k-th row instead. */
static int train_streamed(const gbdt_kind_params *p, const fc_featurizer *f, const double *seasons,
                          size_t n_seasons, fc_gbdt **out, fc_err *err)
{
	size_t nr = fc_design_count(f, 1), nc = fc_featurizer_ncols(f);
	if (nr == 0)
		return fc_err_set(err, FC_EMODEL, "model 'gbdt': no training rows");
	size_t step = fc_gbdt_row_step(nr, p->max_rows, seasons, n_seasons);
	if (step > 1)
		return train_sampled(p, f, nr, step, out, err);
	size_t stride = fc_gbdt_sample_stride(nr);
	sample_sink ss;
	fc_design *d = NULL;
	fc_gbdt_bins *b = NULL;
	int rc = make_sample(f, nr, stride, &ss, &d, err);
	if (!rc)
		rc = fc_gbdt_bins_alloc(&p->learner, nr, nc, fc_featurizer_categorical_flags(f), ss.x, &b,
		                        err);
	if (!rc && stride == 1 && !(rc = fc_gbdt_bins_reserve(b, err)))
		fc_gbdt_bins_put_matrix(b, ss.x); /* the sample is the design */
	free(ss.x); /* before the bins of a sampled design are allocated */
	if (!rc && stride > 1 && !(rc = fc_gbdt_bins_reserve(b, err)))
		rc = fc_design_stream(f, 1, 1, put_bins, b, NULL, err);
	if (!rc)
		rc = fc_gbdt_train_bins(&p->learner, b, d->y, NULL, out, err);
	fc_gbdt_bins_free(b);
	fc_design_free(d);
	return rc;
}

/* Trains one learner on every step-th row of the design of f (rows t >= 1,
 * nr of them; see fc_gbdt_row_step): only those rows are made, they are the bin
 * sample, and they are binned from their float matrix (4 + 1 bytes per
 * feature and row) before it is freed for the boosting. */
static int train_sampled(const gbdt_kind_params *p, const fc_featurizer *f, size_t nr,
                         size_t step, fc_gbdt **out, fc_err *err)
{
	sample_sink ss;
	fc_design *d = NULL;
	fc_gbdt_bins *b = NULL;
	float *y = NULL;
	int rc = make_sample(f, nr, step, &ss, &d, err);
	if (!rc && !(y = malloc(ss.n_sample * sizeof *y)))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	if (!rc) {
		for (size_t i = 0; i < ss.n_sample; i++)
			y[i] = d->y[i * step];
		fc_design_free(d); /* every row's target, series and time: 12 bytes a row */
		d = NULL;
		rc = fc_gbdt_bins_alloc_sample(&p->learner, ss.n_sample, ss.n_cols,
		                               fc_featurizer_categorical_flags(f), ss.x, ss.n_sample, &b,
		                               err);
	}
	if (!rc && !(rc = fc_gbdt_bins_reserve(b, err)))
		fc_gbdt_bins_put_matrix(b, ss.x);
	free(ss.x);
	if (!rc)
		rc = fc_gbdt_train_bins(&p->learner, b, y, NULL, out, err);
	fc_gbdt_bins_free(b);
	fc_design_free(d);
	free(y);
	return rc;
}

/* ---- training over the MPI ranks --------------------------------------------
 * The learner of train_streamed, trained over the ranks (forecast/dist.h):
 * each rank makes only the rows of its own series (mine), binned with the
 * edges of the same sample of rows as one process's -- the rows r with r %
 * stride == 0 among every series' rows, each made by the rank that owns
 * its series and broadcast to all, so that every rank computes the same
 * edges -- and fc_gbdt_train_part sums the histograms over the ranks.  The
 * model is train_streamed's, byte for byte.  Peak per rank: the sample (as
 * one process) and then the bins and boosting arrays of its own rows. */

/* The rank's own rows of the sample, kept with their sample positions. */
typedef struct part_sample {
	float *x;               /* column-major, n_sample rows */
	unsigned char *have;    /* the sample rows this rank made */
	size_t n_sample, n_cols, stride;
} part_sample;

static void put_part_sample(void *ctx, size_t r, size_t k, const float *block, size_t stride)
{
	part_sample *s = ctx;
	for (size_t c = 0; c < s->n_cols; c++)
		memcpy(s->x + c * s->n_sample + r / s->stride, block + c * stride, k * sizeof *block);
	for (size_t i = 0; i < k; i++)
		s->have[r / s->stride + i] = 1;
	count_rows(k);
}

/* Rows r (among all) to the rank's own bins: row[] ascending. */
typedef struct part_bins {
	fc_gbdt_bins *b;
	const uint32_t *row;
	size_t n;
} part_bins;

static void put_part_bins(void *ctx, size_t r, size_t k, const float *block, size_t stride)
{
	const part_bins *pb = ctx;
	size_t lo = 0, hi = pb->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pb->row[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the k rows of one series are consecutive here as among all */
	fc_gbdt_bins_put(pb->b, lo, k, block, stride);
	count_rows(k);
}

/* Every rank's sample rows to every rank: in rank order, each broadcasts
 * how many it made, then their positions and values SHARE_ROWS rows at a
 * time (so the buffers stay small beside the sample).  Collective. */
#define SHARE_ROWS 16384

/* The next k sample rows this rank made, from position next on, into
 * pos/val (row-major); returns the position after the last. */
static size_t pack_sample(const part_sample *s, size_t next, size_t k, uint64_t *pos, float *val)
{
	size_t nc = s->n_cols;
	for (size_t j = 0; j < k; next++) {
		if (!s->have[next])
			continue;
		for (size_t c = 0; c < nc; c++)
			val[j * nc + c] = s->x[c * s->n_sample + next];
		pos[j++] = next;
	}
	return next;
}

static int share_sample(const fc_gbdt_comm *comm, part_sample *s, fc_err *err)
{
	size_t nc = s->n_cols;
	uint64_t *pos = malloc(SHARE_ROWS * sizeof *pos);
	float *val = malloc(SHARE_ROWS * (nc ? nc : 1) * sizeof *val);
	int rc = fc_gbdt_comm_agree(comm, 0, pos && val ? 0 : fc_err_set(err, FC_ENOMEM, "out of memory"),
	                            err);
	for (size_t q = 0; !rc && q < comm->size; q++) {
		uint64_t n = 0;
		for (size_t i = 0; q == comm->rank && i < s->n_sample; i++)
			n += s->have[i];
		if ((rc = comm->bcast(comm->ctx, &n, sizeof n, q)))
			break;
		size_t next = 0; /* the sender's next sample position to look at */
		for (uint64_t done = 0; !rc && done < n;) {
			uint64_t k = n - done < SHARE_ROWS ? n - done : SHARE_ROWS;
			if (q == comm->rank)
				next = pack_sample(s, next, k, pos, val);
			if ((rc = comm->bcast(comm->ctx, pos, k * sizeof *pos, q)) ||
			    (rc = comm->bcast(comm->ctx, val, k * nc * sizeof *val, q)))
				break;
			for (uint64_t j = 0; q != comm->rank && j < k; j++)
				for (size_t c = 0; c < nc; c++)
					s->x[c * s->n_sample + pos[j]] = val[j * nc + c];
			done += k;
		}
	}
	if (rc && rc != FC_ENOMEM)
		fc_err_set(err, rc, "model 'gbdt': a collective step failed");
	free(pos);
	free(val);
	return rc;
}

/* A learner over max_rows (train_sampled's, over the ranks): its training
 * rows, every step-th, are the bin sample, which share_sample has given
 * every rank whole (sample); each rank bins its own of them (its rows r
 * of the design with r % step == 0) and trains on them with their
 * sample positions as row ids, so that the model is train_sampled's. */
static int train_shared_sampled(const gbdt_kind_params *p, const fc_design *d, const float *sample,
                                size_t n_sample, size_t nc, size_t step, const unsigned char *cat,
                                const fc_gbdt_comm *comm, fc_gbdt **out, fc_err *err)
{
	size_t n_own = 0;
	for (size_t q = 0; q < d->n_rows; q++)
		n_own += d->row[q] % step == 0;
	float *y = malloc((n_own ? n_own : 1) * sizeof *y);
	uint32_t *id = malloc((n_own ? n_own : 1) * sizeof *id);
	fc_gbdt_bins *b = NULL;
	int rc = y && id ? 0 : fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t q = 0, k = 0; !rc && q < d->n_rows; q++)
		if (d->row[q] % step == 0) {
			y[k] = d->y[q];
			id[k++] = (uint32_t)(d->row[q] / step);
		}
	if (!rc)
		rc = fc_gbdt_bins_alloc_sample(&p->learner, n_own, nc, cat, sample, n_sample, &b, err);
	if (!rc && !(rc = fc_gbdt_bins_reserve(b, err)))
		for (size_t q = 0; q < n_own;) { /* in runs of consecutive sample rows */
			size_t e = q + 1;
			while (e < n_own && id[e] == id[e - 1] + 1)
				e++;
			fc_gbdt_bins_put(b, q, e - q, sample + id[q], n_sample);
			q = e;
		}
	if ((rc = fc_gbdt_comm_agree(comm, 0, rc, err)) == 0)
		rc = fc_gbdt_train_part(&p->learner, b, y, NULL, id, n_sample, comm, out, err);
	fc_gbdt_bins_free(b);
	free(y);
	free(id);
	return rc;
}

static int train_shared(const gbdt_kind_params *p, const fc_featurizer *f, const double *seasons,
                        size_t n_seasons, const unsigned char *mine, const fc_gbdt_comm *comm,
                        fc_gbdt **out, fc_err *err)
{
	size_t nr = fc_design_count(f, 1), nc = fc_featurizer_ncols(f);
	if (nr == 0)
		return fc_err_set(err, FC_EMODEL, "model 'gbdt': no training rows");
	/* over max_rows the training rows are the sample */
	size_t step = fc_gbdt_row_step(nr, p->max_rows, seasons, n_seasons);
	size_t stride = step > 1 ? step : fc_gbdt_sample_stride(nr);
	part_sample ss = {.n_sample = (nr + stride - 1) / stride, .n_cols = nc, .stride = stride};
	int rc = 0;
	if (nc && ss.n_sample > SIZE_MAX / nc / sizeof *ss.x)
		rc = fc_err_set(err, FC_EINVAL, "features: %zu rows x %zu columns is too large", nr, nc);
	size_t cells = ss.n_sample * nc;
	if (!rc) {
		ss.x = malloc((cells ? cells : 1) * sizeof *ss.x);
		ss.have = calloc(ss.n_sample, 1);
		if (!ss.x || !ss.have)
			rc = fc_err_set(err, FC_ENOMEM, "out of memory: the bin sample of %zu rows x %zu "
			                "features", ss.n_sample, nc);
	}
	const unsigned char *cat = fc_featurizer_categorical_flags(f);
	fc_design *d = NULL;
	fc_gbdt_bins *b = NULL;
	size_t total = 0, bad = SIZE_MAX;
	if (!rc)
		rc = fc_design_stream_part(f, 1, stride, mine, put_part_sample, &ss, &d, &total, &bad, err);
	if (!rc && total != nr)
		rc = fc_err_set(err, FC_EMODEL, "model 'gbdt': %zu training rows counted, %zu made",
		                nr, total);
	/* a series' failure: the first series' of all, as in one process */
	if ((rc = fc_gbdt_comm_agree(comm, bad, rc, err)))
		goto out;
	if ((rc = share_sample(comm, &ss, err)))
		goto out;
	free(ss.have);
	ss.have = NULL;
	if (step > 1) {
		rc = train_shared_sampled(p, d, ss.x, ss.n_sample, nc, step, cat, comm, out, err);
		goto out;
	}
	rc = fc_gbdt_bins_alloc_sample(&p->learner, d->n_rows, nc, cat, ss.x, ss.n_sample, &b, err);
	if (!rc && stride == 1 && !(rc = fc_gbdt_bins_reserve(b, err))) {
		/* the sample is every row: the own rows are binned from it, in
		 * runs of consecutive rows */
		for (size_t q = 0; q < d->n_rows;) {
			size_t e = q + 1;
			while (e < d->n_rows && d->row[e] == d->row[e - 1] + 1)
				e++;
			fc_gbdt_bins_put(b, q, e - q, ss.x + d->row[q], ss.n_sample);
			q = e;
		}
	}
	free(ss.x); /* before the bins of a sampled design are allocated */
	ss.x = NULL;
	if (!rc && stride > 1 && !(rc = fc_gbdt_bins_reserve(b, err))) {
		part_bins pb = {.b = b, .row = d->row, .n = d->n_rows};
		rc = fc_design_stream_part(f, 1, 1, mine, put_part_bins, &pb, NULL, NULL, NULL, err);
	}
	if ((rc = fc_gbdt_comm_agree(comm, 0, rc, err)))
		goto out;
	rc = fc_gbdt_train_part(&p->learner, b, d->y, NULL, d->row, nr, comm, out, err);
out:
	free(ss.x);
	free(ss.have);
	fc_gbdt_bins_free(b);
	fc_design_free(d);
	return rc;
}

/* Trains one learner on the design of featurizer f (rows t >= 1), holding
 * out the last `valid` observations of each series when early stopping. */
static int train_one(const gbdt_kind_params *p, const fc_featurizer *f, const double *seasons,
                     size_t n_seasons, fc_gbdt **out, fc_err *err)
{
	if (p->valid == 0 || p->learner.early_stopping_rounds == 0)
		return train_streamed(p, f, seasons, n_seasons, out, err);
	/* early stopping splits the float design into training and
	 * validation rows: built whole */
	fc_design *d = NULL;
	int rc = fc_design_build(f, 1, &d, err);
	if (rc)
		return rc;
	if (d->n_rows == 0) {
		fc_design_free(d);
		return fc_err_set(err, FC_EMODEL, "model 'gbdt': no training rows");
	}
	const unsigned char *cat = fc_featurizer_categorical_flags(f);
	/* split: the last `valid` steps of every series validate */
	size_t nr = d->n_rows, nc = d->n_cols, nv = 0;
	unsigned char *is_valid = malloc(nr);
	if (!is_valid) {
		fc_design_free(d);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t r = 0; r < nr; r++) {
		/* rows of a series are consecutive and end with its last t */
		size_t last = r;
		while (last + 1 < nr && d->series[last + 1] == d->series[r])
			last++;
		for (size_t q = r; q <= last; q++) {
			is_valid[q] = d->t[last] - d->t[q] < p->valid;
			nv += is_valid[q];
		}
		r = last;
	}
	size_t nt = nr - nv;
	float *xt = malloc((nt ? nt : 1) * nc * sizeof *xt), *yt = malloc((nt ? nt : 1) * sizeof *yt);
	float *xv = malloc((nv ? nv : 1) * nc * sizeof *xv), *yv = malloc((nv ? nv : 1) * sizeof *yv);
	if (!xt || !yt || !xv || !yv) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	} else if (nt == 0 || nv == 0) {
		rc = fc_err_set(err, FC_EMODEL, "model 'gbdt': valid=%zu leaves no training or no validation rows",
		                p->valid);
	} else {
		for (size_t c = 0; c < nc; c++) {
			size_t a = 0, b = 0;
			for (size_t r = 0; r < nr; r++) {
				if (is_valid[r])
					xv[c * nv + b++] = d->x[c * nr + r];
				else
					xt[c * nt + a++] = d->x[c * nr + r];
			}
		}
		for (size_t r = 0, a = 0, b = 0; r < nr; r++) {
			if (is_valid[r])
				yv[b++] = d->y[r];
			else
				yt[a++] = d->y[r];
		}
		rc = fc_gbdt_train(&p->learner, xt, nt, nc, cat, yt, NULL, xv, nv, yv, out, err);
	}
	free(is_valid);
	free(xt);
	free(yt);
	free(xv);
	free(yv);
	fc_design_free(d);
	return rc;
}

static int gbdt_fit_panel(void **state, const void *params, const fc_panel *pn, const size_t *cut,
                          size_t h, fc_err *err)
{
	const gbdt_kind_params *p = params;
	/* Under mpirun, the fit shared by the ranks (forecast/dist.h): every
	 * step below runs on every rank, the ranks agree on failures after the
	 * set-up and before each learner (each rank makes the same number of
	 * collective calls whatever fails where), and each learner that can
	 * be is trained over the ranks, the others by rank 0 alone. */
	const size_t *rank_of = NULL;
	const fc_gbdt_comm *comm = fc_dist_fit_begin(fc_model_gbdt, params, pn, cut, h, &rank_of);
	grouping gr;
	holidays hol;
	memset(&gr, 0, sizeof gr);
	memset(&hol, 0, sizeof hol);
	hol.set = &hol.own;
	unsigned char *mine = NULL;
	gbdt_state *st = NULL;
	int rc = make_grouping(p, pn, cut, &gr, err);
	if (!rc)
		rc = holidays_load(p, pn, h, &hol, err);
	if (!rc && !(st = calloc(1, sizeof *st)))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	if (!rc) {
		st->strategy = p->strategy;
		st->n_steps = p->strategy == STRATEGY_DIRECT ? h : 1;
		st->n_groups = gr.n_groups;
		st->models = calloc(st->n_groups * st->n_steps, sizeof *st->models);
		st->group_values = calloc(st->n_groups, sizeof *st->group_values);
		if (!st->models || !st->group_values)
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	/* the lags, "auto" resolved once on all the (cut) series */
	if (!rc) {
		fc_feature_spec sp;
		int lags_auto;
		if (!(rc = spec_from_params(p, &sp, &lags_auto, err)) && lags_auto)
			rc = fc_feature_auto_lags(gr.views, gr.first[gr.n_groups], pn->seasons, pn->n_seasons,
			                          &sp, err);
		if (!rc) {
			st->n_lags = sp.n_lags;
			memcpy(st->lags, sp.lags, sp.n_lags * sizeof sp.lags[0]);
		}
	}
	if (!rc && !(rc = make_levels(pn, st, err)))
		rc = events_load(p, st, err);
	if (!rc && comm && !(mine = malloc(gr.first[gr.n_groups] ? gr.first[gr.n_groups] : 1)))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t k = 0; !rc && mine && k < gr.first[gr.n_groups]; k++)
		mine[k] = rank_of[gr.idx[k]] == comm->rank;
	if (comm)
		rc = fc_gbdt_comm_agree(comm, 0, rc, err);
	size_t n_items = rc ? 0 : st->n_groups * st->n_steps;
	for (size_t it = 0; it < n_items; it++) {
		/* a failure stops every rank at the same learner */
		if (it && comm)
			rc = fc_gbdt_comm_agree(comm, 0, rc, err);
		if (rc)
			break;
		size_t g = it / st->n_steps, j = it % st->n_steps;
		if (j == 0 && !(st->group_values[g] = strdup(gr.values[g]))) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			continue;
		}
		const fc_series *views = gr.views + gr.first[g];
		size_t n = gr.first[g + 1] - gr.first[g];
		/* the learner this group's size calls for, the same for every step */
		gbdt_kind_params q = *p;
		q.learner = learner_for(p, n);
		/* early stopping splits the float design, and the quantile losses
		 * refit leaves from every row at once: those learners rank 0
		 * trains alone */
		int shared = comm && (p->valid == 0 || p->learner.early_stopping_rounds == 0) &&
		             q.learner.loss != FC_GBDT_ABSOLUTE && q.learner.loss != FC_GBDT_QUANTILE;
		if (comm && !shared && comm->rank > 0)
			continue;
		fc_featurizer *f = NULL;
		rc = featurizer_for(p, pn, hol.set, st, j + 1, 0, views, n, &f, err);
		if (shared)
			rc = fc_gbdt_comm_agree(comm, 0, rc, err);
		if (rc) {
			fc_featurizer_free(f);
			continue;
		}
		if (shared)
			rc = train_shared(&q, f, pn->seasons, pn->n_seasons, mine + gr.first[g], comm,
			                  &st->models[g * st->n_steps + j], err);
		else
			rc = train_one(&q, f, pn->seasons, pn->n_seasons, &st->models[g * st->n_steps + j],
			               err);
		fc_featurizer_free(f);
		if (rc && p->global_by[0])
			fc_err_prefix(err, "%s=%s: ", p->global_by, gr.values[g]);
	}
	/* every rank returns the same outcome (the learners rank 0 trained
	 * alone included) */
	if (comm && n_items)
		rc = fc_gbdt_comm_agree(comm, 0, rc, err);
	free(mine);
	grouping_dispose(&gr);
	holidays_release(&hol);
	if (rc) {
		gbdt_state_free(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* ---- forecast ------------------------------------------------------------------- */

static long find_group(const gbdt_state *st, const char *v)
{
	for (size_t g = 0; g < st->n_groups; g++)
		if (strcmp(st->group_values[g], v) == 0)
			return (long)g;
	return -1;
}

/* Importance of the learners of group sg and one name index per
 * featurizer column (colmap[j * max_cols + c]) for explanations. */
static int explain_columns(fc_explanation *ex, const gbdt_state *st, long sg,
                           fc_featurizer *const *f, size_t n_models, size_t max_cols,
                           long *colmap, fc_err *err)
{
	for (size_t j = 0; j < n_models; j++) {
		const fc_gbdt *m = st->models[(size_t)sg * st->n_steps + j];
		size_t nc = fc_featurizer_ncols(f[j]);
		double *gain = malloc((nc ? nc : 1) * sizeof *gain);
		double *splits = malloc((nc ? nc : 1) * sizeof *splits);
		if (!gain || !splits || fc_gbdt_n_cols(m) != nc) {
			free(gain);
			free(splits);
			return fc_err_set(err, gain && splits ? FC_EFORMAT : FC_ENOMEM,
			                  "model 'gbdt': cannot explain: %s",
			                  gain && splits ? "the features differ from the model's"
			                                 : "out of memory");
		}
		fc_gbdt_importance(m, gain, splits);
		for (size_t c = 0; c < nc; c++) {
			long k = fc_explanation_feature(ex, fc_featurizer_colname(f[j], c));
			if (k < 0) {
				free(gain);
				free(splits);
				return fc_err_set(err, FC_ENOMEM, "out of memory");
			}
			colmap[j * max_cols + c] = k;
			ex->gain[k] += gain[c];
			ex->splits[k] += splits[c];
		}
		free(gain);
		free(splits);
	}
	return 0;
}

/* SHAP of one row of learner m into a new row of ex. */
static int explain_row(fc_explanation *ex, const fc_gbdt *m, const float *row, const long *colmap,
                       size_t series, size_t step, double *phi, fc_err *err)
{
	size_t nc = fc_gbdt_n_cols(m);
	int rc = fc_gbdt_shap(m, row, 1, phi, err);
	if (rc)
		return rc;
	long r = fc_explanation_add_row(ex, series, step);
	if (r < 0)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	double *out = fc_explanation_phi(ex, (size_t)r);
	double pred = phi[nc];
	for (size_t c = 0; c < nc; c++) {
		out[colmap[c]] += phi[c];
		pred += phi[c];
	}
	out[ex->stride - 1] = phi[nc];
	ex->pred[r] = pred;
	return 0;
}

static int forecast_or_explain(const void *state, const void *params, const fc_panel *pn,
                               const size_t *cut, size_t h, double *mean,
                               fc_explanation *ex, fc_err *err);

static int gbdt_forecast_panel(const void *state, const void *params, const fc_panel *pn,
                               const size_t *cut, size_t h, double *mean, fc_err *err)
{
	return forecast_or_explain(state, params, pn, cut, h, mean, NULL, err);
}

static int gbdt_explain_panel(const void *state, const void *params, const fc_panel *pn,
                              const size_t *cut, size_t h, double *mean, fc_explanation *ex,
                              fc_err *err)
{
	return forecast_or_explain(state, params, pn, cut, h, mean, ex, err);
}

/* Forecasts; with ex, serially, also explains every row forecast. */
static int forecast_or_explain(const void *state, const void *params, const fc_panel *pn,
                               const size_t *cut, size_t h, double *mean,
                               fc_explanation *ex, fc_err *err)
{
	const gbdt_state *st = state;
	const gbdt_kind_params *p = params;
	size_t ns = pn->n_series;
	for (size_t i = 0; i < ns * h; i++)
		mean[i] = NAN;
	if (st->strategy == STRATEGY_DIRECT && h > st->n_steps)
		return fc_err_set(err, FC_EINVAL,
		                  "model 'gbdt': the direct models were fitted for %zu steps, %zu asked",
		                  st->n_steps, h);
	grouping gr;
	holidays hol;
	int rc = make_grouping(p, pn, cut, &gr, err);
	if (rc)
		return rc;
	if ((rc = holidays_load(p, pn, h, &hol, err))) {
		grouping_dispose(&gr);
		return rc;
	}
	long gc = group_column(p, pn, err);
	fc_feature_spec tf_spec;
	int lags_auto;
	if ((rc = spec_from_params(p, &tf_spec, &lags_auto, err))) {
		grouping_dispose(&gr);
		holidays_release(&hol);
		return rc;
	}
	/* as fc_design_build transforms: with the panel's primary period */
	const fc_target_tf tf_kind = tf_spec.transform;
	const size_t tf_m = pn->n_seasons && pn->seasons[0] >= 2 ? (size_t)llround(pn->seasons[0]) : 1;
	for (size_t g = 0; g < gr.n_groups && !rc; g++) {
		long sg = gc >= 0 ? find_group(st, gr.values[g]) : 0;
		if (sg < 0)
			continue; /* a group the model never saw: no forecast */
		const fc_series *views = gr.views + gr.first[g];
		size_t n = gr.first[g + 1] - gr.first[g];
		size_t n_models = st->strategy == STRATEGY_DIRECT ? h : 1;
		fc_featurizer **f = calloc(n_models, sizeof *f);
		if (!f) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < n_models && !rc; j++)
			rc = featurizer_for(p, pn, hol.set, st, j + 1, h, views, n, &f[j], err);
		size_t max_n = 0;
		for (size_t k = 0; k < n; k++)
			max_n = views[k].n > max_n ? views[k].n : max_n;
		size_t max_cols = 1;
		for (size_t j = 0; j < n_models && !rc; j++)
			if (fc_featurizer_ncols(f[j]) > max_cols)
				max_cols = fc_featurizer_ncols(f[j]);
		long *colmap = NULL;
		double *phi = NULL;
		if (!rc && ex) {
			colmap = malloc(n_models * max_cols * sizeof *colmap);
			phi = malloc((max_cols + 1) * sizeof *phi);
			rc = !colmap || !phi ? fc_err_set(err, FC_ENOMEM, "out of memory")
			                     : explain_columns(ex, st, sg, f, n_models, max_cols, colmap, err);
		}
		int fail = rc != 0;
		if (!rc) {
#pragma omp parallel if (!ex)
			{
				size_t nc = fc_featurizer_ncols(f[0]);
				for (size_t j = 1; j < n_models; j++)
					nc = fc_featurizer_ncols(f[j]) > nc ? fc_featurizer_ncols(f[j]) : nc;
				size_t nkf = fc_featurizer_n_known_future(f[0]);
				double *z = malloc((max_n + h) * sizeof *z);
				double *prefix = malloc(2 * (max_n + h + 1) * sizeof *prefix);
				float *row = malloc((nc ? nc : 1) * sizeof *row);
				double *fut = malloc((nkf ? nkf : 1) * h * sizeof *fut);
				const double **futp = malloc((nkf ? nkf : 1) * sizeof *futp);
				double *zf = malloc(h * sizeof *zf);
				if (!z || !prefix || !row || !fut || !futp || !zf) {
#pragma omp atomic write
					fail = 1;
				}
#pragma omp for schedule(dynamic, 4)
				for (size_t k = 0; k < n; k++) {
					if (fail)
						continue;
					const fc_series *v = &views[k];
					size_t c0 = v->n, i = gr.idx[gr.first[g] + k];
					if (c0 == 0)
						continue;
					/* known-future values after the cut: the panel's own
					 * (back-tests, and future rows at the end), else missing */
					const fc_series *full = &pn->series[i];
					for (size_t q = 0; q < nkf; q++) {
						size_t col = fc_featurizer_known_future(f[0], q);
						for (size_t s = 0; s < h; s++)
							fut[q * h + s] = c0 + s < full->n + full->n_future
							                     ? full->exog[col][c0 + s]
							                     : NAN;
						futp[q] = fut + q * h;
					}
					fc_transform tr;
					if (fc_transform_apply(tf_kind, tf_m, v->y, c0, z, &tr, NULL))
						continue;
					const fc_gbdt *const *models =
						(const fc_gbdt *const *)st->models + (size_t)sg * st->n_steps;
					fc_featurizer_prefix(z, c0, prefix);
					for (size_t s = 0; s < h; s++) {
						size_t t = c0 + s;
						if (st->strategy == STRATEGY_RECURSIVE) {
							/* the prediction becomes history for the next row */
							fc_featurizer_row(f[0], k, z, prefix, t, futp, row, 1, NULL);
							if (ex && !fail &&
							    explain_row(ex, models[0], row, colmap, i, s, phi, err))
								fail = 2;
							double pred = fc_gbdt_predict_row(models[0], row, 1);
							z[t] = pred;
							prefix[2 * t + 2] = prefix[2 * t] + pred;
							prefix[2 * t + 3] = prefix[2 * t + 1] + 1;
							zf[s] = pred;
						} else {
							/* model s reads nothing after the cut */
							fc_featurizer_row(f[s], k, z, prefix, t, futp, row, 1, NULL);
							if (ex && !fail &&
							    explain_row(ex, models[s], row, colmap + s * max_cols, i, s,
							                phi, err))
								fail = 2;
							zf[s] = fc_gbdt_predict_row(models[s], row, 1);
						}
					}
					fc_transform_invert(&tr, v->y, c0, zf, h, mean + i * h);
				}
				free(z);
				free(prefix);
				free(row);
				free(fut);
				free(futp);
				free(zf);
			}
			if (fail == 2)
				rc = err->code;   /* explain_row set the message */
			else if (fail)
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		}
		free(colmap);
		free(phi);
		for (size_t j = 0; j < n_models; j++)
			fc_featurizer_free(f[j]);
		free(f);
	}
	grouping_dispose(&gr);
	holidays_release(&hol);
	return rc;
}

/* ---- save / load ---------------------------------------------------------------
 * Line 1: "gbdt_global=1 strategy=S n_steps=J n_groups=G lags=l1,l2,...";
 * then a "levels" line per group column, the events block of save_events
 * when the fit had events, and per group a line "group VALUE" (VALUE escaped by
 * fc_buf_put_escaped) followed by its J learners, one line each as
 * fc_gbdt_save writes them. */

static int next_line(const char *text, size_t *pos, fc_buf *line);
static int next_record(const char *text, size_t *pos, const char *tag, fc_buf *line);

/* The events block, after the code books: "events NAMES GROUPS N", a
 * line "event_names" and one "event_groups" with a tab and an escaped
 * field per name or group, and "event_days" with day (since 1970-01-01),
 * 1-based name id and group (-1: every series) of each event. */
static int save_events(const gbdt_state *st, fc_buf *out)
{
	const fc_holiday_days *d = &st->events;
	int rc = fc_buf_printf(out, "events %zu %zu %zu\nevent_names", d->n_names, d->n_groups, d->n);
	for (size_t k = 0; k < d->n_names && !rc; k++)
		rc = fc_buf_append(out, "\t", 1) || fc_buf_put_escaped(out, d->names[k]);
	rc = rc || fc_buf_append(out, "\nevent_groups", 13);
	for (size_t k = 0; k < d->n_groups && !rc; k++)
		rc = fc_buf_append(out, "\t", 1) || fc_buf_put_escaped(out, d->groups[k]);
	rc = rc || fc_buf_append(out, "\nevent_days", 11);
	for (size_t i = 0; i < d->n && !rc; i++)
		rc = fc_buf_printf(out, " %d %d %d", (int)d->day[i], (int)d->id[i], (int)d->group[i]);
	return rc || fc_buf_append(out, "\n", 1) ? FC_ENOMEM : 0;
}

/* The n tab-separated escaped fields after tag on line into out[0..n). */
static int read_fields(const fc_buf *line, const char *tag, char **out, size_t n)
{
	size_t tl = strlen(tag);
	if (strncmp(line->data, tag, tl) != 0)
		return FC_EFORMAT;
	const char *p = line->data + tl;
	for (size_t k = 0; k < n; k++) {
		if (*p != '\t')
			return FC_EFORMAT;
		const char *e = strchr(p + 1, '\t');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (!(out[k] = malloc(len + 1)))
			return FC_ENOMEM;
		memcpy(out[k], p + 1, len);
		out[k][len] = '\0';
		fc_unescape(out[k]);
		p += 1 + len;
	}
	return *p ? FC_EFORMAT : 0;
}

/* Reads the events block save_events wrote, at *pos. */
static int load_events(const char *text, size_t *pos, gbdt_state *st, fc_err *err)
{
	fc_buf line;
	unsigned long long nn, ng, n;
	char tail;
	if (next_line(text, pos, &line))
		return fc_err_set(err, FC_EFORMAT, "gbdt state: events missing");
	int ok = sscanf(line.data, "events %llu %llu %llu%c", &nn, &ng, &n, &tail) == 3;
	size_t left = strlen(text + *pos);
	fc_buf_dispose(&line);
	/* each name, group and event takes at least two bytes of what is left:
	 * larger counts are corrupt and must not size an allocation */
	if (!ok || nn > left || ng > left || n > left)
		return fc_err_set(err, FC_EFORMAT, "gbdt state: bad events header");
	if (events_alloc(st, (size_t)n, (size_t)nn, (size_t)ng))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	fc_buf_init(&line);
	int rc = next_line(text, pos, &line) ? FC_EFORMAT : read_fields(&line, "event_names", st->ev_names, nn);
	fc_buf_dispose(&line);
	if (!rc)
		rc = next_line(text, pos, &line) ? FC_EFORMAT : read_fields(&line, "event_groups", st->ev_groups, ng);
	fc_buf_dispose(&line);
	if (rc)
		return rc == FC_ENOMEM ? fc_err_set(err, FC_ENOMEM, "out of memory")
		                       : fc_err_set(err, FC_EFORMAT, "gbdt state: bad event names or groups");
	if (next_record(text, pos, "event_days", &line))
		return fc_err_set(err, FC_EFORMAT, "gbdt state: event days missing");
	const char *p = line.data + 10;
	for (size_t i = 0; i < n && !rc; i++) {
		long v[3];
		for (int k = 0; k < 3 && !rc; k++) {
			char *end;
			errno = 0;
			v[k] = strtol(p, &end, 10);
			if (end == p || errno || *p != ' ')
				rc = FC_EFORMAT;
			p = end;
		}
		if (!rc && (v[1] < 1 || (unsigned long long)v[1] > nn || v[2] < -1 ||
		            (v[2] >= 0 && (unsigned long long)v[2] >= ng) || v[0] < INT32_MIN || v[0] > INT32_MAX ||
		            (i && v[0] < st->ev_day[i - 1])))
			rc = FC_EFORMAT;
		if (!rc) {
			st->ev_day[i] = (int32_t)v[0];
			st->ev_id[i] = (int32_t)v[1];
			st->ev_group[i] = (int32_t)v[2];
		}
	}
	if (!rc && *p)
		rc = FC_EFORMAT;
	fc_buf_dispose(&line);
	return rc ? fc_err_set(err, FC_EFORMAT, "gbdt state: bad event days") : 0;
}

static int gbdt_save_state(const void *state, fc_buf *out, fc_err *err)
{
	const gbdt_state *st = state;
	int rc = fc_buf_printf(out, "gbdt_global=1 strategy=%d n_steps=%zu n_groups=%zu lags=", st->strategy,
	                       st->n_steps, st->n_groups);
	for (size_t i = 0; i < st->n_lags && !rc; i++)
		rc = fc_buf_printf(out, "%s%zu", i ? "," : "", st->lags[i]);
	rc = rc || fc_buf_printf(out, " n_group_cols=%zu\n", st->n_group_cols);
	for (size_t g = 0; g < st->n_group_cols && !rc; g++) {
		rc = fc_buf_printf(out, "levels %zu", st->n_levels[g]);
		for (size_t k = 0; k < st->n_levels[g] && !rc; k++)
			rc = fc_buf_append(out, "\t", 1) || fc_buf_put_escaped(out, st->levels[g][k]);
		rc = rc || fc_buf_append(out, "\n", 1);
	}
	if (!rc && st->has_events)
		rc = save_events(st, out);
	for (size_t g = 0; g < st->n_groups && !rc; g++) {
		rc = fc_buf_append(out, "group ", 6) || fc_buf_put_escaped(out, st->group_values[g]) ||
		     fc_buf_append(out, "\n", 1);
		for (size_t j = 0; j < st->n_steps && !rc; j++) {
			fc_buf one;
			fc_buf_init(&one);
			if ((rc = fc_gbdt_save(st->models[g * st->n_steps + j], &one, err)) == 0)
				rc = fc_buf_append(out, one.data, one.len) || fc_buf_append(out, "\n", 1)
				             ? fc_err_set(err, FC_ENOMEM, "out of memory")
				             : 0;
			fc_buf_dispose(&one);
			if (rc)
				return rc;
		}
	}
	return rc ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
}

/* The next line of text at *pos (without its line break) into a new
 * buffer; -1 at the end. */
static int next_line(const char *text, size_t *pos, fc_buf *line)
{
	if (!text[*pos])
		return -1;
	const char *s = text + *pos, *e = strchr(s, '\n');
	size_t len = e ? (size_t)(e - s) : strlen(s);
	fc_buf_init(line);
	if (fc_buf_append(line, s, len))
		return -2;
	*pos += len + (e != NULL);
	return 0;
}

/* next_line for a line that must begin with tag: nonzero, with nothing
 * left allocated, when there is none or it begins otherwise. */
static int next_record(const char *text, size_t *pos, const char *tag, fc_buf *line)
{
	if (next_line(text, pos, line))
		return -1;
	if (strncmp(line->data, tag, strlen(tag)) != 0) {
		fc_buf_dispose(line);
		return -1;
	}
	return 0;
}

/* A decoded copy of an escaped text field; NULL when out of memory. */
static char *unescape(const char *s)
{
	char *out = strdup(s);
	if (out)
		fc_unescape(out);
	return out;
}

static int gbdt_load_state(void **state, const fc_buf *in, fc_err *err)
{
	const char *text = in->data ? in->data : "";
	size_t pos = 0;
	fc_buf line;
	if (next_line(text, &pos, &line))
		return fc_err_set(err, FC_EFORMAT, "gbdt state: empty");
	long version, strategy, n_steps, n_groups;
	int rc = fc_buf_get_long(&line, "gbdt_global", &version, err);
	rc = rc || fc_buf_get_long(&line, "strategy", &strategy, err);
	rc = rc || fc_buf_get_long(&line, "n_steps", &n_steps, err);
	rc = rc || fc_buf_get_long(&line, "n_groups", &n_groups, err);
	long n_group_cols = 0;
	rc = rc || fc_buf_get_long(&line, "n_group_cols", &n_group_cols, err);
	double *lags = NULL;
	size_t n_lags = 0;
	const char *lv = strstr(line.data, " lags=");
	if (!rc && lv && lv[6] && lv[6] != ' ')
		rc = fc_buf_get_doubles(&line, "lags", &lags, &n_lags, err);
	fc_buf_dispose(&line);
	if (rc)
		return FC_EFORMAT;
	if (version != 1 || n_steps < 1 || n_steps > 100000 || n_groups < 1 || n_groups > 10000000 ||
	    n_lags > FC_FEAT_MAX_LAGS || (strategy != STRATEGY_RECURSIVE && strategy != STRATEGY_DIRECT)) {
		free(lags);
		return fc_err_set(err, FC_EFORMAT, "gbdt state: bad header");
	}
	for (size_t i = 0; i < n_lags; i++)
		if (!(lags[i] >= 1 && lags[i] <= FC_FEAT_MAX_LAG && lags[i] == floor(lags[i]))) {
			free(lags);
			return fc_err_set(err, FC_EFORMAT, "gbdt state: lag %zu is not a whole number "
			                  "from 1 to %d", i + 1, FC_FEAT_MAX_LAG);
		}
	/* every group has a line and n_steps model lines after the header:
	 * counts the text cannot hold are corrupt, and are refused before
	 * they size an allocation */
	size_t lines_left = 0;
	for (const char *c = text + pos; *c; c++)
		lines_left += *c == '\n';
	if ((size_t)n_groups > lines_left / ((size_t)n_steps + 1)) {
		free(lags);
		return fc_err_set(err, FC_EFORMAT, "gbdt state: %ld groups of %ld steps, more than the file holds",
		                  n_groups, n_steps);
	}
	gbdt_state *st = calloc(1, sizeof *st);
	if (!st) {
		free(lags);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	st->strategy = (int)strategy;
	st->n_steps = (size_t)n_steps;
	st->n_groups = (size_t)n_groups;
	st->n_lags = n_lags;
	for (size_t i = 0; i < n_lags; i++)
		st->lags[i] = (size_t)lags[i];
	free(lags);
	st->models = calloc(st->n_groups * st->n_steps, sizeof *st->models);
	st->group_values = calloc(st->n_groups, sizeof *st->group_values);
	if (!st->models || !st->group_values) {
		gbdt_state_free(st);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	if (n_group_cols < 0 || n_group_cols > 1000) {
		gbdt_state_free(st);
		return fc_err_set(err, FC_EFORMAT, "gbdt state: bad group column count");
	}
	st->n_group_cols = (size_t)n_group_cols;
	if (st->n_group_cols) {
		st->levels = calloc(st->n_group_cols, sizeof *st->levels);
		st->n_levels = calloc(st->n_group_cols, sizeof *st->n_levels);
		if (!st->levels || !st->n_levels)
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t g = 0; g < st->n_group_cols && !rc; g++) {
		if (next_record(text, &pos, "levels ", &line)) {
			rc = fc_err_set(err, FC_EFORMAT, "gbdt state: code book %zu missing", g + 1);
			break;
		}
		char *end;
		size_t k = strtoul(line.data + 7, &end, 10);
		/* each level takes a tab on the line: a larger count is corrupt,
		 * and allocating for it could ask for any amount of memory */
		if (k > line.len) {
			fc_buf_dispose(&line);
			rc = fc_err_set(err, FC_EFORMAT, "gbdt state: code book %zu: bad level count", g + 1);
			break;
		}
		st->levels[g] = calloc(k ? k : 1, sizeof *st->levels[g]);
		if (!st->levels[g]) {
			fc_buf_dispose(&line);
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			break;
		}
		for (size_t i = 0; i < k && !rc; i++) {
			if (*end != '\t') {
				rc = fc_err_set(err, FC_EFORMAT, "gbdt state: code book %zu too short", g + 1);
				break;
			}
			char *vs = end + 1, *ve = strchr(vs, '\t');
			if (!ve)
				ve = vs + strlen(vs);
			char saved = *ve;
			*ve = '\0';
			st->levels[g][i] = unescape(vs);
			*ve = saved;
			st->n_levels[g] = i + 1;
			if (!st->levels[g][i])
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			end = ve;
		}
		fc_buf_dispose(&line);
	}
	if (!rc && strncmp(text + pos, "events ", 7) == 0)
		rc = load_events(text, &pos, st, err);
	for (size_t g = 0; g < st->n_groups && !rc; g++) {
		if (next_record(text, &pos, "group ", &line)) {
			rc = fc_err_set(err, FC_EFORMAT, "gbdt state: group %zu missing", g + 1);
			break;
		}
		st->group_values[g] = unescape(line.data + 6);
		fc_buf_dispose(&line);
		if (!st->group_values[g]) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < st->n_steps && !rc; j++) {
			if (next_line(text, &pos, &line)) {
				rc = fc_err_set(err, FC_EFORMAT, "gbdt state: model %zu of group %zu missing", j + 1,
				                g + 1);
				break;
			}
			rc = fc_gbdt_load(&line, &st->models[g * st->n_steps + j], err);
			fc_buf_dispose(&line);
		}
	}
	if (rc) {
		gbdt_state_free(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* The newest observations a forecast from a series' end reads: the
 * longest lag plus the longest window, the seasonal rolling span, the
 * EWM tail and a seasonal difference; all of them for an expanding mean
 * or a transform fitted on the whole series (standard, robust). */
static size_t gbdt_history(const void *params, const void *state, const double *seasons,
                           size_t n_seasons)
{
	const gbdt_kind_params *p = params;
	const gbdt_state *st = state;
	fc_feature_spec sp;
	int lags_auto;
	if (spec_from_params(p, &sp, &lags_auto, NULL) || sp.expanding_mean ||
	    sp.transform == FC_TF_STANDARD || sp.transform == FC_TF_ROBUST)
		return 0;
	size_t m = n_seasons && seasons[0] >= 2 ? (size_t)llround(seasons[0]) : 1;
	size_t need = 1;
	for (size_t i = 0; st && i < st->n_lags; i++)
		need = st->lags[i] > need ? st->lags[i] : need;
	for (size_t w = 0; w < sp.n_windows; w++)
		need = sp.windows[w] + 1 > need ? sp.windows[w] + 1 : need;
	need += sp.seasonal_k * m + m + 1;
	for (size_t k = 0; k < sp.n_ewm; k++)
		need += (size_t)ceil(log(1e-4) / log(1 - sp.ewm_alpha[k]));
	return need;
}

static const fc_global_ops gbdt_ops = {
	.history = gbdt_history,
	.fit = gbdt_fit_panel,
	.forecast = gbdt_forecast_panel,
	.explain = gbdt_explain_panel,
	.save = gbdt_save_state,
	.load = gbdt_load_state,
	.free = gbdt_state_free,
};

static const fc_model_type gbdt_type = {
	.name = "gbdt",
	.summary = "gradient-boosted trees learned across all series from lag, window, calendar and "
	           "holiday features (global model)",
	.params_size = sizeof(gbdt_kind_params),
	.state_size = 0,
	.default_params = gbdt_default_params,
	.set_param = gbdt_set_param,
	FC_SPACE_TABLE(gbdt_space),
	.save_params = gbdt_save_params,
	.min_length = gbdt_min_length,
	.conformal = 1,
	.global = &gbdt_ops,
};
const fc_model_type *const fc_model_gbdt = &gbdt_type;
