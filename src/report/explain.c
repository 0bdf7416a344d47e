/* The explanation table of a global model (forecast/explain.h): feature
 * names, importance, SHAP rows, and the mapping of features to raw inputs
 * in the manner of Azure AutoML's raw-feature importance (a feature's
 * contribution is credited to the input column it was computed from).
 * The SHAP values themselves come from the learner (gbdt_shap.c). */
#include "forecast/explain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fc_explanation_init(fc_explanation *e)
{
	memset(e, 0, sizeof *e);
}

void fc_explanation_dispose(fc_explanation *e)
{
	for (size_t i = 0; i < e->n_features; i++)
		free(e->names[i]);
	free(e->names);
	free(e->gain);
	free(e->splits);
	free(e->series);
	free(e->step);
	free(e->phi);
	free(e->pred);
	memset(e, 0, sizeof *e);
}

/* Widens every row to hold at least `want` features plus the base value. */
static int restride(fc_explanation *e, size_t want)
{
	size_t stride = e->stride ? e->stride : 16;
	while (stride < want + 1)
		stride *= 2;
	if (stride == e->stride)
		return 0;
	double *phi = calloc((e->cap_rows ? e->cap_rows : 1) * stride, sizeof *phi);
	if (!phi)
		return -1;
	for (size_t r = 0; r < e->n_rows; r++) {
		memcpy(phi + r * stride, e->phi + r * e->stride, e->n_features * sizeof *phi);
		phi[r * stride + stride - 1] = e->phi[r * e->stride + e->stride - 1];
	}
	free(e->phi);
	e->phi = phi;
	e->stride = stride;
	return 0;
}

long fc_explanation_feature(fc_explanation *e, const char *name)
{
	for (size_t i = 0; i < e->n_features; i++)
		if (strcmp(e->names[i], name) == 0)
			return (long)i;
	if (e->n_features == e->cap_features) {
		size_t cap = e->cap_features ? 2 * e->cap_features : 32;
		char **names = realloc(e->names, cap * sizeof *names);
		if (!names)
			return -1;
		e->names = names;
		double *g = realloc(e->gain, cap * sizeof *g);
		if (!g)
			return -1;
		e->gain = g;
		double *s = realloc(e->splits, cap * sizeof *s);
		if (!s)
			return -1;
		e->splits = s;
		e->cap_features = cap;
	}
	if (restride(e, e->n_features + 1))
		return -1;
	char *copy = strdup(name);
	if (!copy)
		return -1;
	e->names[e->n_features] = copy;
	e->gain[e->n_features] = 0;
	e->splits[e->n_features] = 0;
	return (long)e->n_features++;
}

long fc_explanation_add_row(fc_explanation *e, size_t series, size_t step)
{
	if (restride(e, e->n_features))
		return -1;
	if (e->n_rows == e->cap_rows) {
		size_t cap = e->cap_rows ? 2 * e->cap_rows : 64;
		double *phi = realloc(e->phi, cap * e->stride * sizeof *phi);
		if (!phi)
			return -1;
		e->phi = phi;
		size_t *a = realloc(e->series, cap * sizeof *a);
		if (!a)
			return -1;
		e->series = a;
		size_t *b = realloc(e->step, cap * sizeof *b);
		if (!b)
			return -1;
		e->step = b;
		double *p = realloc(e->pred, cap * sizeof *p);
		if (!p)
			return -1;
		e->pred = p;
		e->cap_rows = cap;
	}
	size_t r = e->n_rows++;
	memset(e->phi + r * e->stride, 0, e->stride * sizeof *e->phi);
	e->series[r] = series;
	e->step[r] = step;
	e->pred[r] = 0;
	return (long)r;
}

double *fc_explanation_phi(const fc_explanation *e, size_t row)
{
	return e->phi + row * e->stride;
}

double fc_explanation_base(const fc_explanation *e, size_t row)
{
	return e->phi[row * e->stride + e->stride - 1];
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *fc_feature_source(const char *name, const char *const *exog_names, size_t n_exog)
{
	/* exogenous first: their names are the user's and could look like ours */
	for (size_t j = 0; j < n_exog; j++) {
		size_t n = strlen(exog_names[j]);
		if (strncmp(name, exog_names[j], n) == 0 &&
		    (name[n] == '\0' || starts(name + n, "_lag")))
			return exog_names[j];
	}
	if (starts(name, "lag_") || starts(name, "win") || starts(name, "ewm_") ||
	    starts(name, "seas") || strcmp(name, "expanding_mean") == 0)
		return "target history";
	if (starts(name, "holiday") || starts(name, "days_to_") || starts(name, "days_since_") ||
	    starts(name, "event"))
		return "holidays";
	static const char *const cal[] = {"hour", "dow", "dom", "doy", "week", "month",
	                                  "quarter", "year", "weekend"};
	for (size_t i = 0; i < sizeof cal / sizeof *cal; i++)
		if (strcmp(name, cal[i]) == 0)
			return "calendar";
	if (starts(name, "sin") || starts(name, "cos"))
		return "calendar";
	size_t n = strlen(name);
	if (n > 5 && strcmp(name + n - 5, "_code") == 0)
		return "group keys";
	return "other";
}

/* ---- descriptions of local models ---- */

void fc_description_init(fc_description *d)
{
	memset(d, 0, sizeof *d);
}

void fc_description_dispose(fc_description *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].name);
		free(d->items[i].text);
	}
	free(d->items);
	memset(d, 0, sizeof *d);
}

static int add_item(fc_description *d, const char *name, const char *text, double value)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		fc_described *items = realloc(d->items, cap * sizeof *items);
		if (!items)
			return -1;
		d->items = items;
		d->cap = cap;
	}
	const char *prefix = d->prefix ? d->prefix : "";
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *full = malloc(len);
	char *copy = text ? strdup(text) : NULL;
	if (!full || (text && !copy)) {
		free(full);
		free(copy);
		return -1;
	}
	snprintf(full, len, "%s%s", prefix, name);
	fc_described *item = &d->items[d->n++];
	item->name = full;
	item->text = copy;
	item->value = text ? NAN : value;
	return 0;
}

int fc_description_num(fc_description *d, const char *name, double value)
{
	return add_item(d, name, NULL, value);
}

int fc_description_text(fc_description *d, const char *name, const char *text)
{
	return add_item(d, name, text, 0);
}
