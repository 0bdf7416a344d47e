/* The `stl` model kind: forecasts by seasonal decomposition, as R's
 * forecast::stlf / forecast.mstl (forecast 8.20).
 *
 * Algorithm (Hyndman & Athanasopoulos, "Forecasting: Principles and
 * Practice", 3rd ed. (2021), section 3.6 and 5.7 "forecasting with
 * decomposition"; Bandara, Hyndman & Bergmeir 2021 for MSTL):
 *   1. decompose y with MSTL (src/models/decompose/stl.c) over the series' seasonal
 *      periods of at least 2, with R's mstl defaults (s.window = 7 + 4 i for
 *      the i-th period, iterate = 2 for several periods, 1 for one; periods
 *      with fewer than two full cycles dropped) or the s_window and robust
 *      parameters;
 *   2. fit a non-seasonal model to the seasonally adjusted series
 *      trend + remainder (R's seasadj): ETS (R's default, ets(model = "ZZN")),
 *      the random walk with drift (R's method = "rwdrift") or the naive
 *      random walk, through the generic model layer on a view of the
 *      adjusted series with no seasonal period;
 *   3. forecast it and add, at step i, the sum over the seasonal components
 *      of the last cycle repeated (seasonal naive): S_p[n - L_p + (i mod L_p)]
 *      with L_p = floor(period p).  The intervals are the adjusted model's
 *      intervals shifted by the same amount (stlf adds the seasonal part to
 *      mean, lower and upper alike: the seasonal part is treated as known).
 *
 * Parameters: method = ets | drift | naive | arima (rwdrift is accepted for
 * drift; ets and arima need those kinds to be registered, else the fit is
 * FC_EMODEL "method '...' is not available"); s_window = 0 (mstl's default)
 * | periodic | an odd span >= 3 used for every period; robust = false |
 * true (robust STL fits, R's robust = TRUE).
 *
 * Missing values: the decomposition interpolates them linearly (R's mstl
 * uses na.interp, see decompose.h), and the adjusted series is NaN there
 * as in R.  naive and drift handle those NaN themselves; for ets (and
 * arima) the gaps of the adjusted series are filled by linear
 * interpolation first (R's stlf calls ets(na.interp(x))).
 *
 * Saved state: one line of tokens
 *     method=drift n_periods=2 periods=48,336 season1=v,...,v season2=...
 *     trend_strength=v season_strength=v,v adjp.<k>=<v> ... adj.<k>=<v> ...
 * where season<i> is the last floor(period) values of the i-th seasonal
 * component, the strengths are those of the decomposition (for `forecast
 * explain`; files written before they were recorded lack them), and the adjusted model's saved lines (fc_model_save's
 * "params ..." and "state ...") are embedded token by token with the
 * prefixes adjp. and adj. (tokens never contain blanks, so each stays one
 * token, and no prefixed key can match one of ours).
 *
 * Anchoring re-decomposes the new data with the same parameters and
 * re-anchors the adjusted model on the new adjusted series (keeping its
 * estimated parameters when its kind supports that).
 *
 * Omissions: Box-Cox (lambda, biasadj), xreg, fitted values and residuals. */
#include "forecast/decompose.h"
#include "forecast/explain.h"
#include "forecast/model.h"
#include "models/model_private.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M_ETS, M_DRIFT, M_NAIVE, M_ARIMA, N_METHODS };
static const char *const method_names[N_METHODS] = {"ets", "drift", "naive", "arima"};

/* Largest s_window accepted. */
#define MAX_WINDOW 100000000L

typedef struct stlf_params {
	int method;
	long s_window; /* 0 = mstl's default; FC_STL_PERIODIC */
	int robust;
} stlf_params;

typedef struct stlf_state {
	int method;
	size_t n_periods;
	double periods[FC_MAX_SEASONS];
	size_t len[FC_MAX_SEASONS];    /* floor(period) */
	double *last[FC_MAX_SEASONS];  /* last cycle of each seasonal component */
	fc_model *adj;                 /* the fitted model of the adjusted series */
	/* Strengths of the trend and of each seasonal component (Wang, Smith &
	 * Hyndman 2006, as Hyndman & Athanasopoulos, FPP 3rd ed., section 4.3):
	 * max(0, 1 - var(R) / var(T + R)) and max(0, 1 - var(R) / var(S_i + R)).
	 * has_strength is 0 for a state loaded from a file without them. */
	int has_strength;
	double trend_strength;
	double season_strength[FC_MAX_SEASONS];
} stlf_state;

static const fc_model_type *method_type(int method)
{
	switch (method) {
	case M_ETS: return fc_model_lookup("ets");
	case M_DRIFT: return fc_model_drift;
	case M_NAIVE: return fc_model_naive;
	case M_ARIMA: return fc_model_lookup("arima");
	default: return NULL;
	}
}

/* ---- parameters ---------------------------------------------------------- */

static void stlf_default_params(void *params)
{
	stlf_params *p = params;
	p->method = M_ETS;
	p->s_window = 0;
	p->robust = 0;
}

/* The search space: the model of the adjusted series, the seasonal
 * window (0: mstl's default 7 + 4i; periodic: a fixed pattern) and
 * robust loess. */
static const fc_param_space stl_space[] = {
	FC_SPACE_CHOICE_OF("method", "ets", "drift", "naive", "arima"),
	FC_SPACE_CHOICE_OF("s_window", "0", "periodic", "7", "13"),
	FC_SPACE_CHOICE_OF("robust", "false", "true"),
};

static int stlf_set_param(void *params, const char *key, const char *val, fc_err *err)
{
	stlf_params *p = params;
	if (strcmp(key, "method") == 0) {
		for (int m = 0; m < N_METHODS; m++) {
			if (strcmp(val, method_names[m]) == 0) {
				p->method = m;
				return 0;
			}
		}
		if (strcmp(val, "rwdrift") == 0) {
			p->method = M_DRIFT;
			return 0;
		}
		return fc_err_set(err, FC_EINVAL,
		                  "model 'stl': parameter 'method' must be ets, drift, naive or arima, got '%s'",
		                  val);
	}
	if (strcmp(key, "s_window") == 0) {
		long v;
		if (strcmp(val, "periodic") == 0) {
			p->s_window = FC_STL_PERIODIC;
			return 0;
		}
		if (fc_param_parse_count(val, MAX_WINDOW, &v))
			return fc_err_set(err, FC_EINVAL,
			                  "model 'stl': parameter 's_window' must be 0 (mstl's default), "
			                  "periodic or a span from 1 to %ld, got '%s'", MAX_WINDOW, val);
		p->s_window = v;
		return 0;
	}
	if (strcmp(key, "robust") == 0) {
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0) {
			p->robust = 1;
		} else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0) {
			p->robust = 0;
		} else {
			return fc_err_set(err, FC_EINVAL,
			                  "model 'stl': parameter 'robust' must be true or false, got '%s'", val);
		}
		return 0;
	}
	return fc_err_set(err, FC_EINVAL, "model 'stl' has no parameter '%s'; it has: method, s_window, robust",
	                  key);
}

static int stlf_save_params(const void *params, fc_buf *out, fc_err *err)
{
	const stlf_params *p = params;
	char win[32];
	if (p->s_window == FC_STL_PERIODIC)
		strcpy(win, "periodic");
	else
		snprintf(win, sizeof win, "%ld", p->s_window);
	if (fc_buf_printf(out, "%smethod=%s s_window=%s robust=%s", out->len ? " " : "",
	                  method_names[p->method], win, p->robust ? "true" : "false"))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	return 0;
}

/* ---- fitting ------------------------------------------------------------- */

/* The seasonal periods of y that MSTL can use (>= 2), at most
 * FC_MAX_SEASONS, in the series' order (shortest first). */
static size_t usable_periods(const fc_series *y, double *periods)
{
	size_t k = 0;
	for (size_t i = 0; y && i < y->n_seasons && k < FC_MAX_SEASONS; i++)
		if (y->seasons && isfinite(y->seasons[i]) && y->seasons[i] >= 2)
			periods[k++] = y->seasons[i];
	return k;
}

static size_t stlf_min_length(const void *params, const fc_series *y)
{
	double periods[FC_MAX_SEASONS];
	size_t k = usable_periods(y, periods);
	if (k == 0)
		return 0;
	double shortest = periods[0];
	for (size_t i = 1; i < k; i++)
		if (periods[i] < shortest)
			shortest = periods[i];
	/* More than two full cycles: n > 2 * period. */
	return (size_t)floor(2 * shortest) + 1;
}

static void release(stlf_state *st)
{
	for (size_t i = 0; i < FC_MAX_SEASONS; i++) {
		free(st->last[i]);
		st->last[i] = NULL;
	}
	fc_model_free(st->adj);
	st->adj = NULL;
}

static void stlf_free(void *state)
{
	release(state);
}

/* Decomposes y and fills the seasonal part of *st (n_periods, periods, len,
 * last) and *adjusted (n values, owned by the caller; NaN gaps filled for
 * kinds other than naive/drift). */
static int decompose(stlf_state *st, const stlf_params *p, const fc_series *y, double **adjusted,
                     fc_err *err)
{
	double periods[FC_MAX_SEASONS];
	size_t k = usable_periods(y, periods);
	if (k == 0)
		return fc_err_set(err, FC_EMODEL,
		                  "model 'stl': the series has no seasonal period of at least 2");
	size_t need = stlf_min_length(p, y);
	if (y->n < need) {
		double shortest = periods[0];
		for (size_t i = 1; i < k; i++)
			shortest = fmin(shortest, periods[i]);
		return fc_err_set(err, FC_EMODEL,
		                  "model 'stl': needs more than two full cycles of the shortest seasonal "
		                  "period (%g): at least %zu values, got %zu", shortest, need, y->n);
	}
	fc_mstl_params mp = fc_mstl_default_params();
	for (size_t i = 0; i < FC_MAX_SEASONS; i++)
		mp.s_window[i] = p->s_window;
	mp.stl.robust = p->robust;
	fc_mstl_result d;
	int rc = fc_mstl(y->y, y->n, periods, k, &mp, &d, err);
	if (rc) {
		if (rc != FC_ENOMEM) {
			rc = FC_EMODEL;
			if (err)
				err->code = rc;
			fc_err_prefix(err, "model 'stl': ");
		}
		return rc;
	}
	st->n_periods = d.n_periods;
	for (size_t i = 0; i < d.n_periods; i++) {
		size_t L = (size_t)d.periods[i]; /* < n / 2 or n > 2 period: L < n */
		st->periods[i] = d.periods[i];
		st->len[i] = L;
		st->last[i] = malloc(L * sizeof(double));
		if (!st->last[i]) {
			fc_mstl_dispose(&d);
			return fc_err_set(err, FC_ENOMEM, "model 'stl': out of memory");
		}
		memcpy(st->last[i], d.seasonal[i] + (d.n - L), L * sizeof(double));
		st->season_strength[i] = fc_seasonal_strength(d.seasonal[i], d.remainder, d.n);
	}
	/* the same statistic measures the trend against the remainder */
	st->trend_strength = fc_seasonal_strength(d.trend, d.remainder, d.n);
	st->has_strength = 1;
	*adjusted = d.adjusted;
	d.adjusted = NULL;
	fc_mstl_dispose(&d);

	if (st->method != M_NAIVE && st->method != M_DRIFT) {
		/* Linear interpolation of gaps (there is an observation: mstl
		 * rejects a series without one). */
		double *a = *adjusted;
		size_t n = y->n, first = n, prev = n;
		for (size_t t = 0; t < n; t++) {
			if (isnan(a[t]))
				continue;
			if (first == n) {
				first = t;
				for (size_t j = 0; j < t; j++)
					a[j] = a[t];
			} else {
				for (size_t j = prev + 1; j < t; j++)
					a[j] = a[prev] + (a[t] - a[prev]) * (double)(j - prev) / (double)(t - prev);
			}
			prev = t;
		}
		for (size_t j = prev + 1; j < n; j++)
			a[j] = a[prev];
	}
	return 0;
}

/* A view of the adjusted series: same key and start, no seasonal period. */
static fc_series adjusted_view(const fc_series *y, const double *a)
{
	fc_series v;
	memset(&v, 0, sizeof v);
	v.key = y->key;
	v.group_values = y->group_values;
	v.n_groups = y->n_groups;
	v.start = y->start;
	v.n = y->n;
	v.y = a;
	for (size_t t = 0; t < y->n; t++)
		v.n_missing += isnan(a[t]) ? 1 : 0;
	return v;
}

static int stlf_fit(void *state, const void *params, const fc_series *y, fc_err *err)
{
	stlf_state *st = state;
	const stlf_params *p = params;
	st->method = p->method;
	const fc_model_type *type = method_type(p->method);
	if (!type)
		return fc_err_set(err, FC_EMODEL, "stl: method '%s' is not available",
		                  method_names[p->method]);
	double *a = NULL;
	int rc = decompose(st, p, y, &a, err);
	if (rc)
		goto out;
	st->adj = fc_model_alloc(type, err);
	if (!st->adj) {
		rc = FC_ENOMEM;
		goto out;
	}
	fc_series v = adjusted_view(y, a);
	if ((rc = fc_model_fit(st->adj, &v, err)))
		fc_err_prefix(err, "model 'stl': seasonally adjusted series: ");
out:
	free(a);
	if (rc)
		release(st);
	return rc;
}

static int stlf_anchor(void *state, const void *params, const fc_series *y, fc_err *err)
{
	stlf_state *st = state;
	stlf_state fresh;
	memset(&fresh, 0, sizeof fresh);
	fresh.method = st->method;
	double *a = NULL;
	int rc = decompose(&fresh, params, y, &a, err);
	if (rc)
		goto out;
	fc_series v = adjusted_view(y, a);
	if ((rc = fc_model_anchor(st->adj, &v, err))) {
		fc_err_prefix(err, "model 'stl': seasonally adjusted series: ");
		goto out;
	}
	/* Commit the new seasonal part; the adjusted model stays. */
	fresh.adj = st->adj;
	st->adj = NULL;
	release(st);
	*st = fresh;
	memset(&fresh, 0, sizeof fresh);
out:
	free(a);
	release(&fresh);
	return rc;
}

static int stlf_forecast(const void *state, fc_forecast *out, fc_err *err)
{
	const stlf_state *st = state;
	fc_forecast f;
	int rc = fc_forecast_init(&f, out->h, out->levels, out->n_levels, err);
	if (rc)
		return rc;
	if ((rc = fc_model_forecast(st->adj, &f, err))) {
		fc_err_prefix(err, "model 'stl': seasonally adjusted series: ");
		goto out;
	}
	if (f.n_levels != out->n_levels) { /* levels were already sorted and unique */
		rc = fc_err_set(err, FC_EINVAL, "model 'stl': forecast levels are not sorted and unique");
		goto out;
	}
	for (size_t i = 0; i < out->h; i++) {
		double s = 0;
		for (size_t k = 0; k < st->n_periods; k++)
			s += st->last[k][i % st->len[k]];
		out->mean[i] = f.mean[i] + s;
		for (size_t l = 0; l < out->n_levels; l++) {
			out->lo[l * out->h + i] = f.lo[l * out->h + i] + s;
			out->hi[l * out->h + i] = f.hi[l * out->h + i] + s;
		}
	}
out:
	fc_forecast_dispose(&f);
	return rc;
}

/* ---- save and load ---------------------------------------------------------- */

/* Appends the tokens of text (fc_model_save's two lines) to out, those of
 * the params line prefixed by pp and those of the state line by sp. */
static int embed(fc_buf *out, const char *text, const char *pp, const char *sp)
{
	const char *prefix = pp;
	const char *s = text;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		const char *e = s;
		while (*e && !isspace((unsigned char)*e))
			e++;
		size_t len = (size_t)(e - s);
		if (len == 6 && strncmp(s, "params", 6) == 0) {
			prefix = pp;
		} else if (len == 5 && strncmp(s, "state", 5) == 0) {
			prefix = sp;
		} else if (fc_buf_printf(out, "%s%s%.*s", out->len ? " " : "", prefix, (int)len, s)) {
			return FC_ENOMEM;
		}
		s = e;
	}
}

/* Collects the tokens of in that start with prefix, without it, as one
 * line into out. */
static int extract(const fc_buf *in, const char *prefix, fc_buf *out)
{
	size_t plen = strlen(prefix);
	const char *s = in->data ? in->data : "";
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		const char *e = s;
		while (*e && !isspace((unsigned char)*e))
			e++;
		if ((size_t)(e - s) > plen && strncmp(s, prefix, plen) == 0 &&
		    fc_buf_printf(out, "%s%.*s", out->len ? " " : "", (int)(e - s - plen), s + plen))
			return FC_ENOMEM;
		s = e;
	}
}

static int stlf_save(const void *state, fc_buf *out, fc_err *err)
{
	const stlf_state *st = state;
	fc_buf inner;
	fc_buf_init(&inner);
	int rc = fc_model_save(st->adj, &inner, err);
	if (rc)
		goto out;
	if (fc_buf_printf(out, "%smethod=%s", out->len ? " " : "", method_names[st->method]) ||
	    fc_buf_put_long(out, "n_periods", (long)st->n_periods) ||
	    fc_buf_put_doubles(out, "periods", st->periods, st->n_periods)) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < st->n_periods; k++) {
		char key[32];
		snprintf(key, sizeof key, "season%zu", k + 1);
		if (fc_buf_put_doubles(out, key, st->last[k], st->len[k])) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			goto out;
		}
	}
	if ((st->has_strength &&
	     (fc_buf_put_double(out, "trend_strength", st->trend_strength) ||
	      fc_buf_put_doubles(out, "season_strength", st->season_strength, st->n_periods))) ||
	    embed(out, inner.data, "adjp.", "adj."))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
out:
	fc_buf_dispose(&inner);
	return rc;
}

/* Reads the value of token `key=` (a word) into buf; FC_EFORMAT if absent. */
static int get_word(const fc_buf *in, const char *key, char *buf, size_t cap, fc_err *err)
{
	size_t klen = strlen(key);
	const char *s = in->data ? in->data : "";
	for (const char *p = s; (p = strstr(p, key)) != NULL; p += klen) {
		if ((p == s || p[-1] == ' ' || p[-1] == '\t') && p[klen] == '=') {
			const char *v = p + klen + 1, *e = v;
			while (*e && !isspace((unsigned char)*e))
				e++;
			if ((size_t)(e - v) >= cap)
				break;
			memcpy(buf, v, (size_t)(e - v));
			buf[e - v] = '\0';
			return 0;
		}
	}
	return fc_err_set(err, FC_EFORMAT, "missing value '%s'", key);
}

static int stlf_load(void *state, const fc_buf *in, fc_err *err)
{
	stlf_state *st = state;
	char word[32];
	long n_periods;
	double *periods = NULL;
	size_t n_read = 0;
	fc_buf ip, is;
	fc_buf_init(&ip);
	fc_buf_init(&is);
	int rc;
	if ((rc = get_word(in, "method", word, sizeof word, err)))
		goto out;
	st->method = -1;
	for (int m = 0; m < N_METHODS; m++)
		if (strcmp(word, method_names[m]) == 0)
			st->method = m;
	if (st->method < 0) {
		rc = fc_err_set(err, FC_EFORMAT, "value 'method' is unknown: '%s'", word);
		goto out;
	}
	const fc_model_type *type = method_type(st->method);
	if (!type) {
		rc = fc_err_set(err, FC_EFORMAT, "stl: method '%s' is not available", word);
		goto out;
	}
	if ((rc = fc_buf_get_long(in, "n_periods", &n_periods, err)))
		goto out;
	if (n_periods < 1 || n_periods > FC_MAX_SEASONS) {
		rc = fc_err_set(err, FC_EFORMAT, "value 'n_periods' is out of range: %ld", n_periods);
		goto out;
	}
	if ((rc = fc_buf_get_doubles(in, "periods", &periods, &n_read, err)))
		goto out;
	if (n_read != (size_t)n_periods) {
		rc = fc_err_set(err, FC_EFORMAT, "value 'periods' has %zu values, expected %ld",
		                n_read, n_periods);
		goto out;
	}
	st->n_periods = (size_t)n_periods;
	for (size_t k = 0; k < st->n_periods; k++) {
		if (!(periods[k] >= 2 && periods[k] <= 1e8)) {
			rc = fc_err_set(err, FC_EFORMAT, "value 'periods' is out of range");
			goto out;
		}
		st->periods[k] = periods[k];
		st->len[k] = (size_t)periods[k];
		char key[32];
		size_t n_vals;
		snprintf(key, sizeof key, "season%zu", k + 1);
		if ((rc = fc_buf_get_doubles(in, key, &st->last[k], &n_vals, err)))
			goto out;
		if (n_vals != st->len[k]) {
			rc = fc_err_set(err, FC_EFORMAT, "value '%s' has %zu values, expected %zu",
			                key, n_vals, st->len[k]);
			goto out;
		}
		for (size_t j = 0; j < n_vals; j++) {
			if (!isfinite(st->last[k][j])) {
				rc = fc_err_set(err, FC_EFORMAT, "value '%s' has a non-finite value", key);
				goto out;
			}
		}
	}
	/* optional: files written before the strengths were recorded lack them */
	if (get_word(in, "trend_strength", word, sizeof word, NULL) == 0) {
		double *ss = NULL;
		size_t n_ss = 0;
		if ((rc = fc_buf_get_double(in, "trend_strength", &st->trend_strength, err)) ||
		    (rc = fc_buf_get_doubles(in, "season_strength", &ss, &n_ss, err)))
			goto out;
		int ok = n_ss == st->n_periods && st->trend_strength >= 0 && st->trend_strength <= 1;
		for (size_t k = 0; ok && k < n_ss; k++) {
			ok = ss[k] >= 0 && ss[k] <= 1;
			st->season_strength[k] = ss[k];
		}
		free(ss);
		if (!ok) {
			rc = fc_err_set(err, FC_EFORMAT, "values 'trend_strength' or 'season_strength' "
			                "are out of range");
			goto out;
		}
		st->has_strength = 1;
	}
	if (extract(in, "adjp.", &ip) || extract(in, "adj.", &is)) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	st->adj = fc_model_load(type, ip.data ? ip.data : "", is.data ? is.data : "", err);
	if (!st->adj) {
		rc = err && err->code ? err->code : FC_EFORMAT;
		if (rc != FC_ENOMEM)
			fc_err_prefix(err, "seasonally adjusted model: ");
	}
out:
	free(periods);
	fc_buf_dispose(&ip);
	fc_buf_dispose(&is);
	if (rc)
		release(st);
	return rc;
}

/* What explain reports: the method for the adjusted series, the periods
 * and the strengths of trend and seasons, then the adjusted series' model
 * under the prefix "adjusted.". */
static int stlf_describe(const void *state, const void *params, fc_description *d)
{
	const stlf_state *st = state;
	if (fc_description_text(d, "method", method_names[st->method]))
		return -1;
	char name[64];
	for (size_t k = 0; k < st->n_periods; k++) {
		snprintf(name, sizeof name, "period_%zu", k + 1);
		if (fc_description_num(d, name, st->periods[k]))
			return -1;
	}
	if (st->has_strength) {
		if (fc_description_num(d, "trend_strength", st->trend_strength))
			return -1;
		for (size_t k = 0; k < st->n_periods; k++) {
			snprintf(name, sizeof name, "seasonal_strength_%g", st->periods[k]);
			if (fc_description_num(d, name, st->season_strength[k]))
				return -1;
		}
	}
	const char *outer = d->prefix;
	char prefix[128];
	snprintf(prefix, sizeof prefix, "%sadjusted.", outer ? outer : "");
	d->prefix = prefix;
	int rc = fc_model_describe(st->adj, d, NULL);
	d->prefix = outer;
	return rc ? -1 : 0;
}

static const fc_model_type stl_type = {
	.name = "stl",
	.cost = 2.2,
	.summary = "STL/MSTL decomposition: ETS, drift or naive on the seasonally adjusted "
	           "series plus the last seasonal cycle",
	.params_size = sizeof(stlf_params),
	.state_size = sizeof(stlf_state),
	.default_params = stlf_default_params,
	.set_param = stlf_set_param,
	FC_SPACE_TABLE(stl_space),
	.save_params = stlf_save_params,
	.min_length = stlf_min_length,
	.fit = stlf_fit,
	.forecast = stlf_forecast,
	.save = stlf_save,
	.load = stlf_load,
	.free = stlf_free,
	.anchor = stlf_anchor,
	.conformal = 0,
	.describe = stlf_describe,
};
const fc_model_type *const fc_model_stl = &stl_type;
