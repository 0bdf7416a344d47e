/* The generic model layer: forecast results, the registry of model kinds,
 * and fc_model_* which validate arguments and delegate to a kind's table.
 *
 * Analytic intervals of Gaussian forecast errors use the standard normal
 * quantile z = Phi^-1(0.5 + level/200) (gsl_cdf_ugaussian_Pinv), as R's
 * forecast package does (qnorm(0.5 + level/200)); see Hyndman &
 * Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed. (2021),
 * section 5.5.
 *
 * Parameters are plain structs (no pointers: they are copied with memcpy);
 * state is zeroed memory of the kind's state_size that the kind may make
 * point to heap memory, released by its free().  Changing a parameter of a
 * fitted model discards the fit, since the state no longer matches; a
 * failed change leaves the model untouched.  A failed fit leaves the model
 * unfitted (the previous fit is released first).
 *
 * A model with a scale (fc_model.scale, forecast/scale.h) is fitted to
 * the transformed series and its forecasts are mapped back here, so that
 * the back-test, the final fit and predict all go through the same code.
 * The bias adjustment needs the forecast variance sigma_h^2 on the
 * transformed scale; the interface gives intervals, not variances, so it
 * is read off the kind's widest interval as R's InvBoxCox does for a
 * forecast object: sigma_h = (hi - lo) / (2 z) at the highest level
 * (95 is always computed for this).  Exact for the Gaussian intervals of
 * arima, ets, the baselines, theta; kinds without a stochastic model
 * (Croston & co, conformal) have no interval at this point and their point
 * forecast is back-transformed without adjustment. */
#include "forecast/model.h"
#include "forecast/budget.h"
#include "forecast/scale.h"
#include "model_private.h"
#include "core/numeric.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* ---- forecast results ---------------------------------------------------- */

int fc_forecast_init(fc_forecast *f, size_t h, const double *levels, size_t n_levels, fc_err *err)
{
	if (!f)
		return fc_err_set(err, FC_EINVAL, "forecast: no result struct given");
	if (h == 0)
		return fc_err_set(err, FC_EINVAL, "forecast: the horizon must be at least 1");
	if (n_levels > FC_MAX_LEVELS)
		return fc_err_set(err, FC_EINVAL, "forecast: at most %d interval levels, got %zu",
		                  FC_MAX_LEVELS, n_levels);
	if (n_levels && !levels)
		return fc_err_set(err, FC_EINVAL, "forecast: %zu levels but no level array", n_levels);
	if (h > ((size_t)-1) / sizeof(double) / (FC_MAX_LEVELS + 1))
		return fc_err_set(err, FC_EINVAL, "forecast: horizon %zu is too large", h);

	double sorted[FC_MAX_LEVELS];
	for (size_t l = 0; l < n_levels; l++) {
		if (!(levels[l] > 0 && levels[l] < 100)) /* also rejects NaN */
			return fc_err_set(err, FC_EINVAL,
			                  "forecast: interval level %g is not strictly between 0 and 100",
			                  levels[l]);
		sorted[l] = levels[l];
	}
	qsort(sorted, n_levels, sizeof sorted[0], fc_cmp_double);
	size_t n_unique = 0;
	for (size_t l = 0; l < n_levels; l++)
		if (n_unique == 0 || sorted[l] != sorted[n_unique - 1])
			sorted[n_unique++] = sorted[l];

	double *mean = malloc(h * sizeof *mean), *lo = NULL, *hi = NULL;
	if (mean && n_unique) {
		lo = malloc(n_unique * h * sizeof *lo);
		hi = malloc(n_unique * h * sizeof *hi);
	}
	if (!mean || (n_unique && (!lo || !hi))) {
		free(mean);
		free(lo);
		free(hi);
		return fc_err_set(err, FC_ENOMEM, "forecast: out of memory");
	}
	for (size_t i = 0; i < h; i++)
		mean[i] = NAN;
	for (size_t i = 0; i < n_unique * h; i++)
		lo[i] = hi[i] = NAN;

	memset(f, 0, sizeof *f);
	f->h = h;
	f->mean = mean;
	f->n_levels = n_unique;
	memcpy(f->levels, sorted, n_unique * sizeof sorted[0]);
	f->lo = lo;
	f->hi = hi;
	return 0;
}

void fc_forecast_dispose(fc_forecast *f)
{
	if (!f)
		return;
	free(f->mean);
	free(f->lo);
	free(f->hi);
	memset(f, 0, sizeof *f);
}

void fc_forecast_normal_bounds(fc_forecast *f, const double *sd)
{
	for (size_t l = 0; l < f->n_levels; l++) {
		double z = gsl_cdf_ugaussian_Pinv(0.5 + f->levels[l] / 200);
		for (size_t i = 0; i < f->h; i++) {
			/* NaN sd (not estimable) gives NaN bounds; sd == 0 gives
			 * exactly the mean (0 * z is 0 for finite z). */
			f->lo[l * f->h + i] = f->mean[i] - z * sd[i];
			f->hi[l * f->h + i] = f->mean[i] + z * sd[i];
		}
	}
}

/* ---- registry ------------------------------------------------------------ */

/* Fixed order: it is also the tie-break order of model selection. */
static const fc_model_type *kinds(size_t i)
{
	switch (i) {
	case 0: return fc_model_naive;
	case 1: return fc_model_snaive;
	case 2: return fc_model_drift;
	case 3: return fc_model_mean;
	case 4: return fc_model_window;
	case 5: return fc_model_stl;
	case 6: return fc_model_otm;
	case 7: return fc_model_dotm;
	case 8: return fc_model_croston;
	case 9: return fc_model_sba;
	case 10: return fc_model_tsb;
	case 11: return fc_model_adida;
	case 12: return fc_model_imapa;
	case 13: return fc_model_ets;
	case 14: return fc_model_theta;
	case 15: return fc_model_gbdt;
	case 16: return fc_model_arima;
	default: return NULL;
	}
}

enum { N_KINDS = 17 };

size_t fc_model_kind_count(void)
{
	return N_KINDS;
}

const fc_model_type *fc_model_kind_at(size_t i)
{
	return i < N_KINDS ? kinds(i) : NULL;
}

const fc_model_type *fc_model_lookup(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(kinds(i)->name, name) == 0)
			return kinds(i);
	return NULL;
}

/* ---- instances ----------------------------------------------------------- */

/* Releases a fit: the kind's own memory, then the state block. */
static void release_state(fc_model *m)
{
	if (m->state) {
		if (m->type->free)
			m->type->free(m->state);
		free(m->state);
	}
	m->state = NULL;
	m->fitted = 0;
}

fc_model *fc_model_alloc(const fc_model_type *type, fc_err *err)
{
	if (!type) {
		fc_err_set(err, FC_EINVAL, "model: no model kind given");
		return NULL;
	}
	fc_model *m = calloc(1, sizeof *m);
	/* At least one byte, so that params is never NULL. */
	void *params = calloc(1, type->params_size ? type->params_size : 1);
	if (!m || !params) {
		free(m);
		free(params);
		fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", type->name);
		return NULL;
	}
	if (type->default_params)
		type->default_params(params);
	m->type = type;
	m->params = params;
	return m;
}

fc_model *fc_model_clone_unfitted(const fc_model *m, fc_err *err)
{
	if (!m) {
		fc_err_set(err, FC_EINVAL, "model: no model given");
		return NULL;
	}
	fc_model *c = fc_model_alloc(m->type, err);
	if (!c)
		return NULL;
	memcpy(c->params, m->params, m->type->params_size);
	c->scale = m->scale;
	return c;
}

/* Applies a change to a copy of the parameters and commits it only on
 * success, so that a failure leaves the model untouched; a fit made with
 * other parameters is discarded. */
static void commit_params(fc_model *m, const void *tmp)
{
	if (memcmp(tmp, m->params, m->type->params_size) != 0) {
		memcpy(m->params, tmp, m->type->params_size);
		release_state(m);
	}
}

int fc_model_set_param(fc_model *m, const char *key, const char *val, fc_err *err)
{
	if (!m || !key || !val)
		return fc_err_set(err, FC_EINVAL, "model: set_param needs a model, a key and a value");
	if (!m->type->set_param)
		return fc_err_set(err, FC_EINVAL, "model '%s' has no parameter '%s'; it has none",
		                  m->type->name, key);
	void *tmp = malloc(m->type->params_size ? m->type->params_size : 1);
	if (!tmp)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
	memcpy(tmp, m->params, m->type->params_size);
	int rc = m->type->set_param(tmp, key, val, err);
	if (rc == 0)
		commit_params(m, tmp);
	free(tmp);
	return rc;
}

/* Copies token [s, e) into a new string; NULL when out of memory. */
static char *dup_range(const char *s, const char *e)
{
	char *t = malloc((size_t)(e - s) + 1);
	if (t) {
		memcpy(t, s, (size_t)(e - s));
		t[e - s] = '\0';
	}
	return t;
}

/* Skips an optional leading line tag ("params" or "state", as written by
 * fc_model_save) followed by white space or the end. */
static const char *skip_tag(const char *s, const char *tag)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(tag);
	if (strncmp(s, tag, n) == 0 && (s[n] == '\0' || isspace((unsigned char)s[n])))
		s += n;
	return s;
}

/* Applies the tokens of text to params (not to the model) so that a failure
 * leaves the model's parameters untouched. */
static int apply_params_text(const fc_model_type *type, void *params, const char *text, fc_err *err)
{
	const char *p = skip_tag(text, "params");
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		const char *start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		char *tok = dup_range(start, p);
		if (!tok)
			return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", type->name);
		char *eq = strchr(tok, '=');
		int rc;
		if (!eq || eq == tok) {
			rc = fc_err_set(err, FC_EINVAL,
			                "model '%s': parameter '%s' is not of the form key=value",
			                type->name, tok);
		} else if (!type->set_param) {
			*eq = '\0';
			rc = fc_err_set(err, FC_EINVAL, "model '%s' has no parameter '%s'; it has none",
			                type->name, tok);
		} else {
			*eq = '\0';
			rc = type->set_param(params, tok, eq + 1, err);
		}
		free(tok);
		if (rc)
			return rc;
	}
}

int fc_model_set_params_text(fc_model *m, const char *text, fc_err *err)
{
	if (!m || !text)
		return fc_err_set(err, FC_EINVAL, "model: set_params_text needs a model and a text");
	void *tmp = malloc(m->type->params_size ? m->type->params_size : 1);
	if (!tmp)
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
	memcpy(tmp, m->params, m->type->params_size);
	int rc = apply_params_text(m->type, tmp, text, err);
	if (rc == 0)
		commit_params(m, tmp);
	free(tmp);
	return rc;
}

size_t fc_model_min_length(const fc_model *m, const fc_series *y)
{
	if (!m)
		return 0;
	if (!m->type->min_length)
		return 1;
	return m->type->min_length(m->params, y);
}

static int fit_state(fc_model *m, const fc_series *y, int warm, fc_err *err);
static int fit_scaled(fc_model *m, const fc_series *y, int warm, fc_err *err);
static int forecast_scaled(const fc_model *m, fc_forecast *out, size_t *unadjusted, fc_err *err);

int fc_model_fit(fc_model *m, const fc_series *y, fc_err *err)
{
	if (!m || !y)
		return fc_err_set(err, FC_EINVAL, "model: fit needs a model and a series");
	if (y->n && !y->y)
		return fc_err_set(err, FC_EINVAL, "model '%s': series of %zu values has no data",
		                  m->type->name, y->n);
	if (y->n_seasons && !y->seasons)
		return fc_err_set(err, FC_EINVAL, "model '%s': series has %zu seasonal periods but no array",
		                  m->type->name, y->n_seasons);
	for (size_t t = 0; t < y->n; t++)
		if (isinf(y->y[t]))
			return fc_err_set(err, FC_EINPUT, "model '%s': value %zu of the series is infinite",
			                  m->type->name, t + 1);

	if (!m->type->fit)
		return fc_err_set(err, FC_EINVAL,
		                  "model '%s' is a global model: it is fitted on the whole panel",
		                  m->type->name);
	return fit_scaled(m, y, 0, err);
}

/* fit_state on the scale m asks for: the transformed series when it can
 * take the transform, else the series itself (applied NONE, why set). */
static int fit_scaled(fc_model *m, const fc_series *y, int warm, fc_err *err)
{
	if (m->scale.kind == FC_SCALE_NONE) {
		m->applied = m->scale;
		return fit_state(m, y, warm, err);
	}
	size_t n = y->n ? y->n : 1;
	double *z = malloc((y->raw ? 2 : 1) * n * sizeof *z);
	if (!z) {
		release_state(m);
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
	}
	fc_scale applied;
	char why[sizeof m->why];
	int rc;
	if (fc_scale_forward(&m->scale, fc_series_period(y), y->y, y->n, z, &applied, why,
	                     sizeof why)) {
		rc = fit_state(m, y, warm, err);
		m->applied = (fc_scale){.kind = FC_SCALE_NONE, .lambda = NAN};
		memcpy(m->why, why, sizeof why);
	} else {
		fc_series v = *y;
		v.y = z;
		if (y->raw) {
			fc_scale_apply(&applied, y->raw, y->n, z + n);
			v.raw = z + n;
		}
		rc = fit_state(m, &v, warm, err);
		m->applied = applied;
		m->why[0] = '\0';
	}
	free(z);
	return rc;
}

/* Fits m to y into a new state (from m's current state with warm) within
 * the thread's work budget, and replaces the old state with it; on failure
 * the model is left unfitted. */
static int fit_state(fc_model *m, const fc_series *y, int warm, fc_err *err)
{
	void *state = calloc(1, m->type->state_size ? m->type->state_size : 1);
	if (!state) {
		release_state(m);
		return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
	}
	fc_budget_spend(y->n); /* every fit visits its data at least once */
	int rc = warm ? m->type->warm_fit(state, m->params, m->state, y, err)
	              : m->type->fit(state, m->params, y, err);
	release_state(m);
	if (rc != FC_ENOMEM && fc_budget_exceeded())
		rc = fc_err_set(err, FC_EMODEL, "model '%s': over its work budget", m->type->name);
	if (rc) {
		if (m->type->free)
			m->type->free(state);
		free(state);
		return rc;
	}
	m->state = state;
	m->fitted = 1;
	return 0;
}

int fc_model_fit_warm(fc_model *m, const fc_series *y, fc_err *err)
{
	if (!m || !m->fitted || !m->type->warm_fit || !y || (y->n && !y->y))
		return fc_model_fit(m, y, err);
	for (size_t t = 0; t < y->n; t++)
		if (isinf(y->y[t]))
			return fc_err_set(err, FC_EINPUT, "model '%s': value %zu of the series is infinite",
			                  m->type->name, t + 1);
	return fit_scaled(m, y, 1, err);
}

int fc_model_anchor(fc_model *m, const fc_series *y, fc_err *err)
{
	if (!m || !y)
		return fc_err_set(err, FC_EINVAL, "model: anchor needs a model and a series");
	if (!m->fitted || !m->type->anchor)
		return fc_model_fit(m, y, err);
	/* on the fit's scale, with its lambda (anchoring keeps what was
	 * estimated); newer data the scale cannot take: a refit, which
	 * models them on the original scale */
	fc_series v = *y;
	double *z = NULL;
	if (m->applied.kind != FC_SCALE_NONE) {
		for (size_t t = 0; t < y->n; t++)
			if (y->y[t] <= (m->applied.kind == FC_SCALE_BOXCOX ? 0 : -1))
				return fc_model_fit(m, y, err);
		size_t n = y->n ? y->n : 1;
		if (!(z = malloc((y->raw ? 2 : 1) * n * sizeof *z))) {
			release_state(m);
			return fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
		}
		fc_scale_apply(&m->applied, y->y, y->n, z);
		v.y = z;
		if (y->raw) {
			fc_scale_apply(&m->applied, y->raw, y->n, z + n);
			v.raw = z + n;
		}
	}
	int rc = m->type->anchor(m->state, m->params, &v, err);
	free(z);
	if (rc)
		release_state(m);
	return rc;
}

int fc_model_forecast(const fc_model *m, fc_forecast *out, fc_err *err)
{
	size_t unadjusted;
	return fc_model_forecast_counted(m, out, &unadjusted, err);
}

int fc_model_forecast_counted(const fc_model *m, fc_forecast *out, size_t *unadjusted,
                              fc_err *err)
{
	*unadjusted = 0;
	if (!m || !out)
		return fc_err_set(err, FC_EINVAL, "model: forecast needs a model and a result");
	if (!m->fitted || !m->state || !m->type->forecast)
		return fc_err_set(err, FC_EINVAL, "model '%s' is not fitted", m->type->name);
	if (out->h == 0 || !out->mean || out->n_levels > FC_MAX_LEVELS ||
	    (out->n_levels && (!out->lo || !out->hi)))
		return fc_err_set(err, FC_EINVAL,
		                  "model '%s': forecast result is not initialized (use fc_forecast_init)",
		                  m->type->name);
	if (m->applied.kind == FC_SCALE_NONE)
		return m->type->forecast(m->state, out, err);
	return forecast_scaled(m, out, unadjusted, err);
}

/* The kind's forecast on its scale at out's levels and 95 (for the
 * variance; the highest level when out has FC_MAX_LEVELS others), then
 * the mean bias-adjusted (guarded by that interval: the median where the
 * adjustment leaves it, counted in *unadjusted) and the bounds mapped
 * back into out. */
static int forecast_scaled(const fc_model *m, fc_forecast *out, size_t *unadjusted, fc_err *err)
{
	double levels[FC_MAX_LEVELS];
	size_t nl = out->n_levels, h = out->h;
	memcpy(levels, out->levels, nl * sizeof *levels);
	int has95 = 0;
	for (size_t l = 0; l < nl; l++)
		has95 |= levels[l] == 95;
	if (!has95 && nl < FC_MAX_LEVELS)
		levels[nl++] = 95;
	fc_forecast t;
	int rc = fc_forecast_init(&t, h, levels, nl, err);
	if (rc)
		return rc;
	if ((rc = m->type->forecast(m->state, &t, err)))
		goto out;
	size_t top = t.n_levels - 1;
	double z = gsl_cdf_ugaussian_Pinv(0.5 + t.levels[top] / 200);
	for (size_t i = 0; i < h; i++) {
		double sd = (t.hi[top * h + i] - t.lo[top * h + i]) / (2 * z);
		int median;
		out->mean[i] = fc_scale_invert_mean_guarded(&m->applied, t.mean[i], sd * sd,
		                                            t.lo[top * h + i], t.hi[top * h + i], &median);
		*unadjusted += (size_t)median;
	}
	/* out's levels are a subset of t's, both ascending */
	for (size_t l = 0, k = 0; l < out->n_levels; l++) {
		while (t.levels[k] != out->levels[l])
			k++;
		for (size_t i = 0; i < h; i++) {
			out->lo[l * h + i] = fc_scale_invert(&m->applied, t.lo[k * h + i]);
			out->hi[l * h + i] = fc_scale_invert(&m->applied, t.hi[k * h + i]);
		}
	}
out:
	fc_forecast_dispose(&t);
	return rc;
}

int fc_model_describe(const fc_model *m, struct fc_description *out, fc_err *err)
{
	if (!m || !m->fitted || !m->state)
		return fc_err_set(err, FC_EINVAL, "model '%s' is not fitted", m ? m->type->name : "?");
	if (m->type->describe && m->type->describe(m->state, m->params, out))
		return fc_err_set(err, FC_ENOMEM, "out of memory describing model '%s'", m->type->name);
	return 0;
}

int fc_model_save(const fc_model *m, fc_buf *out, fc_err *err)
{
	if (!m || !out)
		return fc_err_set(err, FC_EINVAL, "model: save needs a model and a buffer");
	if (!m->fitted || !m->state)
		return fc_err_set(err, FC_EINVAL, "model '%s' is not fitted", m->type->name);
	fc_buf params, state;
	fc_buf_init(&params);
	fc_buf_init(&state);
	size_t old_len = out->len;
	int rc = 0;
	if ((rc = fc_model_params_text(m, &params, err)))
		goto out;
	if ((rc = m->type->save(m->state, &state, err)))
		goto out;
	if (fc_buf_printf(out, "params%s%s\nstate%s%s\n",
	                  params.len ? " " : "", params.len ? params.data : "",
	                  state.len ? " " : "", state.len ? state.data : "")) {
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
		goto out;
	}
out:
	if (rc && out->data) {
		out->len = old_len;
		out->data[old_len] = '\0';
	}
	fc_buf_dispose(&params);
	fc_buf_dispose(&state);
	return rc;
}

fc_model *fc_model_load(const fc_model_type *type, const char *params_text,
                        const char *state_text, fc_err *err)
{
	if (!type || !params_text || !state_text) {
		fc_err_set(err, FC_EINVAL, "model: load needs a kind, a parameter line and a state line");
		return NULL;
	}
	fc_model *m = fc_model_alloc(type, err);
	if (!m)
		return NULL;
	fc_buf in;
	fc_buf_init(&in);
	const char *rest;
	int rc = fc_model_scale_read(m, params_text, &rest, err);
	if (!rc)
		rc = fc_model_set_params_text(m, rest, err);
	if (rc) {
		/* In a model file a bad parameter is corruption, not usage. */
		if (rc != FC_ENOMEM) {
			rc = FC_EFORMAT;
			if (err)
				err->code = rc;
			fc_err_prefix(err, "model '%s': bad parameter line: ", type->name);
		}
		goto out;
	}
	const char *s = skip_tag(state_text, "state");
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (fc_buf_append(&in, s, len)) {
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", type->name);
		goto out;
	}
	m->state = calloc(1, type->state_size ? type->state_size : 1);
	if (!m->state) {
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", type->name);
		goto out;
	}
	if ((rc = type->load(m->state, &in, err))) {
		if (rc != FC_ENOMEM)
			fc_err_prefix(err, "model '%s': bad state line: ", type->name);
		goto out;
	}
	m->fitted = 1;
out:
	fc_buf_dispose(&in);
	if (rc) {
		fc_model_free(m);
		return NULL;
	}
	return m;
}

int fc_model_params_text(const fc_model *m, fc_buf *out, fc_err *err)
{
	fc_buf kind;
	fc_buf_init(&kind);
	int rc = 0;
	if (m->type->save_params && (rc = m->type->save_params(m->params, &kind, err)))
		goto out;
	if (m->scale.kind != FC_SCALE_NONE && !m->type->global) {
		char a[48], b[48];
		if (fc_buf_printf(out, "target_scale=%s target_applied=%s%s",
		                  fc_scale_format(&m->scale, a, sizeof a),
		                  fc_scale_format(&m->applied, b, sizeof b), kind.len ? " " : "")) {
			rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
			goto out;
		}
	}
	if (kind.len && fc_buf_append(out, kind.data, kind.len))
		rc = fc_err_set(err, FC_ENOMEM, "model '%s': out of memory", m->type->name);
out:
	fc_buf_dispose(&kind);
	return rc;
}

/* The value of token "key=..." at s (NULL when s does not start with it),
 * copied into val; *end past the token. */
static const char *scale_token(const char *s, const char *key, char *val, size_t cap,
                               const char **end)
{
	size_t k = strlen(key);
	if (strncmp(s, key, k) != 0 || s[k] != '=')
		return NULL;
	const char *v = s + k + 1, *e = v;
	while (*e && !isspace((unsigned char)*e))
		e++;
	if ((size_t)(e - v) >= cap)
		return NULL;
	memcpy(val, v, (size_t)(e - v));
	val[e - v] = '\0';
	*end = e;
	return val;
}

int fc_model_scale_read(fc_model *m, const char *params_text, const char **rest, fc_err *err)
{
	const char *p = skip_tag(params_text, "params");
	while (isspace((unsigned char)*p))
		p++;
	*rest = p;
	char req[48], app[48];
	const char *e1, *e2;
	if (!scale_token(p, "target_scale", req, sizeof req, &e1))
		return 0; /* fitted without a scale, or a file from before scales */
	while (isspace((unsigned char)*e1))
		e1++;
	fc_scale s, a = {.kind = FC_SCALE_NONE, .lambda = NAN};
	fc_err perr;
	if (!scale_token(e1, "target_applied", app, sizeof app, &e2) ||
	    fc_scale_parse(req, &s, &perr) ||
	    (strcmp(app, "none") != 0 && (fc_scale_parse(app, &a, &perr) || a.kind != s.kind ||
	                                  (a.kind == FC_SCALE_BOXCOX && isnan(a.lambda)))))
		return fc_err_set(err, FC_EFORMAT,
		                  "model '%s': bad target_scale/target_applied tokens in '%.60s'",
		                  m->type->name, p);
	m->scale = s;
	m->applied = a;
	if (a.kind == FC_SCALE_NONE)
		snprintf(m->why, sizeof m->why, "the series could not take the transform at fit time");
	*rest = e2;
	return 0;
}

void fc_model_free(fc_model *m)
{
	if (!m)
		return;
	release_state(m);
	free(m->params);
	free(m);
}

int fc_param_parse_count(const char *val, long max, long *out)
{
	if (*val < '0' || *val > '9')
		return -1;
	char *end;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The median of v[0..n), sorted in place (a handful of values). */
static double median_of(double *v, size_t n)
{
	fc_sort_small(v, n);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void fc_forecast_combine(const fc_forecast *const *f, const double *w, size_t n, int median,
                         fc_forecast *out)
{
	size_t h = out->h, L = out->n_levels;
	double v[FC_COMBINE_MAX];
	if (n > FC_COMBINE_MAX)
		n = FC_COMBINE_MAX;
	for (size_t q = 0; q < 1 + 2 * L; q++) /* the mean, then lo and hi of each level */
		for (size_t i = 0; i < h; i++) {
			double acc = 0, wsum = 0;
			size_t nv = 0;
			for (size_t k = 0; k < n; k++) {
				double x = q == 0 ? f[k]->mean[i] : q <= L ? f[k]->lo[(q - 1) * h + i]
				                                           : f[k]->hi[(q - 1 - L) * h + i];
				if (isnan(x))
					continue;
				acc += w[k] * x;
				wsum += w[k];
				v[nv++] = x;
			}
			double x = !nv ? NAN : median ? median_of(v, nv) : acc / wsum;
			if (q == 0)
				out->mean[i] = x;
			else if (q <= L)
				out->lo[(q - 1) * h + i] = x;
			else
				out->hi[(q - 1 - L) * h + i] = x;
		}
}

int fc_clip_applies(int mode, const double *y, size_t n)
{
	if (mode != FC_CLIP_AUTO)
		return mode == FC_CLIP_NONNEG;
	for (size_t i = 0; i < n; i++)
		if (y[i] < 0)
			return 0;
	return 1;
}

void fc_forecast_clip(fc_forecast *f)
{
	size_t nb = f->n_levels * f->h;
	for (size_t i = 0; i < f->h; i++)
		if (f->mean[i] < 0)
			f->mean[i] = 0;
	for (size_t i = 0; i < nb; i++) {
		if (f->lo[i] < 0)
			f->lo[i] = 0;
		if (f->hi[i] < 0)
			f->hi[i] = 0;
	}
}

static const char *const clip_names[] = {
	[FC_CLIP_NONE] = "none", [FC_CLIP_AUTO] = "auto", [FC_CLIP_NONNEG] = "nonneg",
};

const char *fc_clip_name(int mode)
{
	return mode >= FC_CLIP_NONE && mode <= FC_CLIP_NONNEG ? clip_names[mode] : "?";
}

int fc_clip_parse(const char *s, int *mode)
{
	for (int k = FC_CLIP_NONE; k <= FC_CLIP_NONNEG; k++)
		if (strcmp(s, clip_names[k]) == 0) {
			*mode = k;
			return 0;
		}
	return -1;
}

int fc_ic_parse(const char *s)
{
	static const char *const names[] = {"aicc", "aic", "bic"}; /* FC_IC_* order */
	for (int k = 0; k < 3; k++)
		if (strcmp(s, names[k]) == 0)
			return k;
	return -1;
}
