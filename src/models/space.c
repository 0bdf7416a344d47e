/* Search spaces of the model kinds' parameters: checking a declaration,
 * drawing a value from a splitmix64 stream (Steele, Lea & Flood 2014,
 * OOPSLA), enumerating a grid, formatting values as `--param` takes them.
 * The types and their meaning are in include/forecast/space.h; the tables
 * are beside each kind's set_param. */
#include "forecast/space.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *fc_space_type_name(fc_space_type t)
{
	switch (t) {
	case FC_SPACE_CHOICE: return "choice";
	case FC_SPACE_UNIFORM: return "uniform";
	case FC_SPACE_LOGUNIFORM: return "loguniform";
	case FC_SPACE_QUNIFORM: return "quniform";
	case FC_SPACE_INT: return "int";
	}
	return "?";
}

void fc_space_describe(const fc_param_space *s, char *buf, size_t cap)
{
	if (!cap)
		return;
	buf[0] = '\0';
	size_t len = 0;
	int n;
	switch (s->type) {
	case FC_SPACE_CHOICE:
		n = snprintf(buf, cap, "choice(");
		for (size_t k = 0; n >= 0 && k < s->n_choices; k++) {
			len += (size_t)n;
			if (len >= cap)
				return;
			int quote = strpbrk(s->choices[k], ", ()#\"") != NULL || !s->choices[k][0];
			n = snprintf(buf + len, cap - len, "%s%s%s%s", k ? ", " : "", quote ? "\"" : "",
			             s->choices[k], quote ? "\"" : "");
		}
		if (n >= 0 && (len += (size_t)n) < cap)
			snprintf(buf + len, cap - len, ")");
		return;
	case FC_SPACE_QUNIFORM:
		snprintf(buf, cap, "quniform(%g, %g, %g)", s->lo, s->hi, s->q);
		return;
	default:
		snprintf(buf, cap, "%s(%g, %g)", fc_space_type_name(s->type), s->lo, s->hi);
		return;
	}
}

int fc_space_check(const fc_param_space *s, fc_err *err)
{
	if (s->type == FC_SPACE_CHOICE) {
		if (s->n_choices < 1 || s->n_choices > FC_SPACE_MAX_CHOICES)
			return fc_err_set(err, FC_EINVAL, "choice() takes 1 to %d values, got %zu",
			                  FC_SPACE_MAX_CHOICES, s->n_choices);
		for (size_t k = 0; k < s->n_choices; k++)
			if (strlen(s->choices[k]) >= FC_SPACE_VALUE_MAX)
				return fc_err_set(err, FC_EINVAL, "choice value '%.20s...' is longer than %d "
				                  "characters", s->choices[k], FC_SPACE_VALUE_MAX - 1);
		return 0;
	}
	const char *name = fc_space_type_name(s->type);
	if (!isfinite(s->lo) || !isfinite(s->hi) || fabs(s->lo) > 1e15 || fabs(s->hi) > 1e15)
		return fc_err_set(err, FC_EINVAL, "%s(): bounds must be finite numbers of at most 1e15",
		                  name);
	if (s->lo > s->hi)
		return fc_err_set(err, FC_EINVAL, "%s(): lower bound %g is above upper bound %g", name,
		                  s->lo, s->hi);
	if (s->type == FC_SPACE_LOGUNIFORM && !(s->lo > 0))
		return fc_err_set(err, FC_EINVAL, "loguniform(): bounds must be positive, got %g", s->lo);
	if (s->type == FC_SPACE_QUNIFORM && !(s->q > 0 && isfinite(s->q)))
		return fc_err_set(err, FC_EINVAL, "quniform(): step must be positive, got %g", s->q);
	if (s->type == FC_SPACE_INT && (s->lo != floor(s->lo) || s->hi != floor(s->hi)))
		return fc_err_set(err, FC_EINVAL, "int(): bounds must be whole numbers, got %g, %g",
		                  s->lo, s->hi);
	return 0;
}

uint64_t fc_rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

double fc_rng_uniform(uint64_t *state)
{
	return (double)(fc_rng_next(state) >> 11) * 0x1.0p-53;
}

/* The number of q steps from lo that stay at most hi. */
static double q_steps(const fc_param_space *s)
{
	/* a hair of tolerance, so that quniform(0.1, 0.3, 0.1) reaches 0.3 */
	return floor((s->hi - s->lo) / s->q + 1e-9);
}

static void format_real(const fc_param_space *s, double v, char *buf, size_t cap)
{
	int whole = s->type == FC_SPACE_INT ||
	            (s->type == FC_SPACE_QUNIFORM && s->q == floor(s->q) && s->lo == floor(s->lo));
	if (whole)
		snprintf(buf, cap, "%.0f", v);
	else if (s->type == FC_SPACE_QUNIFORM)
		snprintf(buf, cap, "%.10g", v); /* 0.1 + 2*0.1 prints as 0.3 */
	else
		snprintf(buf, cap, "%.4g", v);
}

void fc_space_format(const fc_param_space *s, double v, char *buf, size_t cap)
{
	if (s->type == FC_SPACE_CHOICE) {
		size_t k = v > 0 ? (size_t)v : 0;
		snprintf(buf, cap, "%s", s->choices[k < s->n_choices ? k : s->n_choices - 1]);
		return;
	}
	format_real(s, v, buf, cap);
}

double fc_space_steps(const fc_param_space *s)
{
	if (s->type == FC_SPACE_INT)
		return s->hi - s->lo + 1;
	if (s->type == FC_SPACE_QUNIFORM)
		return q_steps(s) + 1;
	return 0;
}

void fc_space_sample(const fc_param_space *s, uint64_t *rng, char *buf, size_t cap)
{
	double u = fc_rng_uniform(rng), v;
	switch (s->type) {
	case FC_SPACE_CHOICE:
		snprintf(buf, cap, "%s", s->choices[(size_t)(u * (double)s->n_choices)]);
		return;
	case FC_SPACE_UNIFORM: v = s->lo + u * (s->hi - s->lo); break;
	case FC_SPACE_LOGUNIFORM: v = exp(log(s->lo) + u * (log(s->hi) - log(s->lo))); break;
	case FC_SPACE_QUNIFORM: v = s->lo + floor(u * (q_steps(s) + 1)) * s->q; break;
	case FC_SPACE_INT: v = s->lo + floor(u * (s->hi - s->lo + 1)); break;
	default: v = s->lo; break;
	}
	format_real(s, v, buf, cap);
}

size_t fc_space_grid(const fc_param_space *s, char vals[][FC_SPACE_VALUE_MAX])
{
	if (s->type == FC_SPACE_CHOICE) {
		size_t k = 0;
		for (; k < s->n_choices && k < FC_SPACE_MAX_CHOICES; k++)
			snprintf(vals[k], FC_SPACE_VALUE_MAX, "%s", s->choices[k]);
		return k;
	}
	double pts[FC_SPACE_GRID_POINTS > FC_SPACE_MAX_CHOICES ? FC_SPACE_GRID_POINTS
	                                                       : FC_SPACE_MAX_CHOICES];
	size_t n = 0;
	double count = s->type == FC_SPACE_INT ? s->hi - s->lo + 1
	               : s->type == FC_SPACE_QUNIFORM ? q_steps(s) + 1 : INFINITY;
	if (count <= FC_SPACE_GRID_POINTS) {
		for (size_t k = 0; k < (size_t)count; k++)
			pts[n++] = s->lo + (double)k * (s->type == FC_SPACE_INT ? 1 : s->q);
	} else {
		for (size_t k = 0; k < FC_SPACE_GRID_POINTS; k++) {
			double t = (double)k / (FC_SPACE_GRID_POINTS - 1), v;
			if (s->type == FC_SPACE_LOGUNIFORM)
				v = exp(log(s->lo) + t * (log(s->hi) - log(s->lo)));
			else
				v = s->lo + t * (s->hi - s->lo);
			if (s->type == FC_SPACE_INT)
				v = floor(v + 0.5);
			else if (s->type == FC_SPACE_QUNIFORM)
				v = s->lo + floor(t * q_steps(s) + 0.5) * s->q;
			pts[n++] = v;
		}
	}
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		char buf[FC_SPACE_VALUE_MAX];
		format_real(s, pts[k], buf, sizeof buf);
		int dup = 0;
		for (size_t j = 0; j < m && !dup; j++)
			dup = strcmp(vals[j], buf) == 0;
		if (!dup)
			memcpy(vals[m++], buf, sizeof buf);
	}
	return m;
}
