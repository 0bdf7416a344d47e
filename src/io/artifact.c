/* The model file: writing a fitted run and reading it back.  The format is
 * described in include/forecast/artifact.h. */
#include "forecast/artifact.h"
#include "forecast/file.h"
#include "forecast/hash.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char MAGIC[] = "forecast-model";

/* ---- names ------------------------------------------------------------ */

static const char *const style_names[] = {
	[FC_STYLE_UNKNOWN] = "unknown", [FC_STYLE_INT] = "int", [FC_STYLE_MONTH] = "month",
	[FC_STYLE_DATE] = "date", [FC_STYLE_DATETIME_MIN] = "datetime-min",
	[FC_STYLE_DATETIME] = "datetime",
};

const char *fc_style_name(fc_time_style s)
{
	if (s.kind == FC_STYLE_DATETIME_MIN)
		return s.sep == 'T' ? "datetime-min-T" : "datetime-min";
	if (s.kind == FC_STYLE_DATETIME)
		return s.sep == 'T' ? "datetime-T" : "datetime";
	return (unsigned)s.kind <= FC_STYLE_DATETIME ? style_names[s.kind] : "unknown";
}

int fc_style_parse(const char *s, fc_time_style *out)
{
	for (int k = FC_STYLE_INT; k <= FC_STYLE_DATETIME; k++) {
		size_t len = strlen(style_names[k]);
		if (strncmp(s, style_names[k], len) != 0)
			continue;
		if (s[len] == '\0' || (strcmp(s + len, "-T") == 0 && k >= FC_STYLE_DATETIME_MIN)) {
			out->kind = (fc_style_kind)k;
			out->sep = k >= FC_STYLE_DATETIME_MIN ? (s[len] ? 'T' : ' ') : 0;
			return 0;
		}
	}
	return -1;
}

static const char *const fill_names[] = {
	[FC_FILL_AUTO] = "auto", [FC_FILL_ZERO] = "zero", [FC_FILL_FFILL] = "ffill",
	[FC_FILL_LINEAR] = "linear", [FC_FILL_NONE] = "none",
};

const char *fc_fill_name(fc_fill f)
{
	return (unsigned)f <= FC_FILL_NONE ? fill_names[f] : "?";
}

int fc_fill_parse(const char *s, fc_fill *out)
{
	for (int k = 0; k <= FC_FILL_NONE; k++) {
		if (strcasecmp(s, fill_names[k]) == 0) {
			*out = (fc_fill)k;
			return 0;
		}
	}
	return -1;
}

static const char *const agg_names[] = {
	[FC_AGG_NONE] = "none", [FC_AGG_SUM] = "sum", [FC_AGG_MEAN] = "mean",
	[FC_AGG_MIN] = "min", [FC_AGG_MAX] = "max", [FC_AGG_LAST] = "last",
};

const char *fc_aggregate_name(fc_aggregate a)
{
	return (unsigned)a <= FC_AGG_LAST ? agg_names[a] : "?";
}

int fc_aggregate_parse(const char *s, fc_aggregate *out)
{
	for (int k = 0; k <= FC_AGG_LAST; k++) {
		if (strcasecmp(s, agg_names[k]) == 0) {
			*out = (fc_aggregate)k;
			return 0;
		}
	}
	return -1;
}

/* ---- writing ----------------------------------------------------------- */

static int put_field(fc_buf *b, const char *s)
{
	return fc_buf_append(b, "	", 1) || fc_buf_put_escaped(b, s) ? FC_ENOMEM : 0;
}

static int put_record(fc_buf *b, const char *name, const char *value)
{
	int rc = fc_buf_append(b, name, strlen(name));
	if (!rc && value)
		rc = put_field(b, value);
	return rc ? rc : fc_buf_append(b, "\n", 1);
}

static int put_doubles(fc_buf *b, const char *name, const double *v, size_t n)
{
	int rc = fc_buf_append(b, name, strlen(name)) || fc_buf_append(b, "\t", 1);
	char num[40];
	for (size_t i = 0; !rc && i < n; i++) {
		fc_format_double(num, sizeof num, v[i]);
		rc = (i && fc_buf_append(b, ",", 1)) || fc_buf_append(b, num, strlen(num));
	}
	return rc ? FC_ENOMEM : fc_buf_append(b, "\n", 1);
}

static int write_header(fc_buf *b, const fc_panel *p, const fc_cv_opts *o, fc_aggregate agg)
{
	char text[64];
	int rc = fc_buf_printf(b, "%s\t%d\n", MAGIC, FC_ARTIFACT_VERSION);
	rc = rc || put_record(b, "source", p->path);
	rc = rc || put_record(b, "time", p->time_name);
	rc = rc || put_record(b, "target", p->target_name);
	rc = rc || fc_buf_append(b, "groups", 6);
	for (size_t g = 0; !rc && g < p->n_groups; g++)
		rc = put_field(b, p->group_names[g]);
	rc = rc || fc_buf_append(b, "\n", 1);
	rc = rc || put_record(b, "style", fc_style_name(p->style));
	fc_freq_format(p->freq, text, sizeof text);
	rc = rc || put_record(b, "freq", text);
	rc = rc || put_doubles(b, "seasons", p->seasons, p->n_seasons);
	rc = rc || put_record(b, "fill", fc_fill_name(p->fill));
	rc = rc || put_record(b, "aggregate", fc_aggregate_name(agg));
	rc = rc || fc_buf_printf(b, "horizon\t%zu\n", o->horizon);
	rc = rc || put_doubles(b, "levels", o->levels, o->n_levels);
	rc = rc || put_record(b, "metric", fc_metric_name(o->metric));
	/* absent (as in files written before clipping) reads as none */
	if (!rc && o->clip != FC_CLIP_NONE)
		rc = put_record(b, "clip", fc_clip_name(o->clip));
	if (!rc && p->n_exog) {
		rc = fc_buf_append(b, "exog", 4);
		for (size_t j = 0; !rc && j < p->n_exog; j++)
			rc = put_field(b, p->exog_names[j]);
		rc = rc || fc_buf_append(b, "\n", 1);
	}
	rc = rc || fc_buf_printf(b, "series\t%zu\n", p->n_series);
	return rc ? FC_ENOMEM : 0;
}

/* The global record of candidate c: its index among the run's global
 * states. */
static size_t global_record(const fc_run *run, long c)
{
	size_t k = 0;
	for (long j = 0; j < c; j++)
		k += run->global_state[j] != NULL;
	return k;
}

static int put_list(fc_buf *b, const char *head, const double *v, size_t n)
{
	int rc = fc_buf_append(b, head, strlen(head));
	char num[40];
	for (size_t i = 0; !rc && i < n; i++) {
		fc_format_double(num, sizeof num, v[i]);
		rc = (i && fc_buf_append(b, ",", 1)) || fc_buf_append(b, num, strlen(num));
	}
	return rc || fc_buf_append(b, "\n", 1);
}

/* A member's params and state records, and its conformal errors. */
static int write_member(fc_buf *b, const fc_member *mb, const fc_run *run, size_t horizon,
                        fc_err *err)
{
	const fc_model *m = mb->model;
	fc_buf params, state;
	fc_buf_init(&params);
	fc_buf_init(&state);
	/* the kind's parameters, after the scale's tokens when fit had
	 * --transform log1p or boxcox (fc_model_load reads them off the front) */
	int rc = fc_model_params_text(m, &params, err);
	if (!rc && m->type->global)
		rc = fc_buf_printf(&state, "global=%zu", global_record(run, mb->candidate))
		         ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
	else if (!rc)
		rc = m->type->save(m->state, &state, err);
	if (!rc && (put_record(b, "params", params.data ? params.data : "") ||
	            put_record(b, "state", state.data ? state.data : "")))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	fc_buf_dispose(&params);
	fc_buf_dispose(&state);
	if (!rc && mb->conf_err && (m->type->conformal || m->type->global)) {
		char head[64];
		snprintf(head, sizeof head, "conformal\t%zu\t%zu\t", mb->conf_folds, horizon);
		if (put_list(b, head, mb->conf_err, mb->conf_folds * horizon))
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	return rc;
}

/* The newest observations the series' global members need to forecast
 * again (the most any of them needs); 0 when none is global. */
static size_t history_needed(const fc_series *s, const fc_series_result *r, const fc_run *run)
{
	size_t keep = 0;
	for (size_t k = 0; k < r->n_members; k++) {
		const fc_model *m = r->members[k].model;
		if (!m->type->global)
			continue;
		const fc_global_ops *g = m->type->global;
		size_t need = g->history ? g->history(m->params, run->global_state[r->members[k].candidate],
		                                      s->seasons, s->n_seasons)
		                         : 0;
		if (need == 0 || need > s->n)
			need = s->n;
		keep = need > keep ? need : keep;
	}
	return keep;
}

static int write_series(fc_buf *b, const fc_series *s, const fc_series_result *r,
                        const fc_run *run, size_t horizon, fc_err *err)
{
	int rc = fc_buf_append(b, "series", 6);
	for (size_t g = 0; !rc && g < s->n_groups; g++)
		rc = put_field(b, s->group_values[g]);
	rc = rc || fc_buf_printf(b, "\nspan\t%" PRId64 "\t%zu\n", s->start, s->n);
	rc = rc || put_doubles(b, "periods", s->seasons, s->n_seasons);
	if (!rc && r->clipped)
		rc = put_record(b, "clip", fc_clip_name(FC_CLIP_NONNEG));
	if (rc)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	if (!r->n_members || !r->fc.h)
		return put_record(b, "model", "none") ? fc_err_set(err, FC_ENOMEM, "out of memory") : 0;
	/* one model: its kind; several: "ensemble", then each member's kind and weight */
	int single = r->n_members == 1 && !r->median;
	if (single)
		rc = put_record(b, "model", r->members[0].model->type->name);
	else
		rc = fc_buf_printf(b, "model\tensemble\t%zu\t%s\n", r->n_members, r->median ? "median" : "mean");
	for (size_t k = 0; !rc && k < r->n_members; k++) {
		char w[40];
		fc_format_double(w, sizeof w, r->members[k].weight);
		if (!single && fc_buf_printf(b, "member\t%s\t%s\n", r->members[k].model->type->name, w))
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		rc = write_member(b, &r->members[k], run, horizon, err);
	}
	size_t keep = rc ? 0 : history_needed(s, r, run);
	if (keep) {
		char head[64];
		snprintf(head, sizeof head, "history\t%zu\t", keep);
		if (put_list(b, head, fc_series_raw(s) + s->n - keep, keep))
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	if (!rc && r->ens_err) {
		char head[80];
		snprintf(head, sizeof head, "intervals\tconformal\t%zu\t%zu\t", r->ens_folds, horizon);
		if (put_list(b, head, r->ens_err, r->ens_folds * horizon))
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	return rc;
}

int fc_artifact_write(FILE *f, const fc_panel *p, const fc_run *run,
                      const fc_cv_opts *opts, fc_aggregate aggregate, fc_err *err)
{
	fc_buf b;
	fc_buf_init(&b);
	int rc = write_header(&b, p, opts, aggregate);
	if (rc)
		fc_err_set(err, rc, "out of memory");
	for (size_t c = 0; !rc && run->global_state && c < run->n_candidates; c++) {
		if (!run->global_state[c])
			continue;
		const fc_model *m = opts->candidates[c];
		fc_buf params, state;
		fc_buf_init(&params);
		fc_buf_init(&state);
		if (m->type->save_params)
			rc = m->type->save_params(m->params, &params, err);
		if (!rc)
			rc = m->type->global->save(run->global_state[c], &state, err);
		if (!rc && (fc_buf_append(&b, "global", 6) || put_field(&b, m->type->name) ||
		            put_field(&b, params.data ? params.data : "") ||
		            put_field(&b, state.data ? state.data : "") || fc_buf_append(&b, "\n", 1)))
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		fc_buf_dispose(&params);
		fc_buf_dispose(&state);
	}
	for (size_t i = 0; !rc && i < p->n_series; i++)
		rc = write_series(&b, &p->series[i], &run->res[i], run, opts->horizon, err);
	if (!rc) {
		uint64_t h = fc_fnv1a(FC_FNV_OFFSET, b.data, b.len);
		rc = fc_buf_printf(&b, "end\t%016" PRIx64 "\n", h);
		if (rc)
			fc_err_set(err, rc, "out of memory");
	}
	if (!rc && fwrite(b.data, 1, b.len, f) != b.len)
		rc = fc_err_set(err, FC_EIO, "cannot write the model file: %s", strerror(errno));
	fc_buf_dispose(&b);
	return rc;
}

/* ---- reading ----------------------------------------------------------- */

#define MAX_FIELDS 64

typedef struct reader {
	const char *path;
	char *pos;        /* in the whole file, which is split in place */
	size_t line;
	char *field[MAX_FIELDS];
	size_t n_fields;
	fc_err *err;
} reader;

static int bad(reader *r, const char *what)
{
	return fc_err_set(r->err, FC_EFORMAT, "%s:%zu: corrupt model file: %s", r->path, r->line, what);
}

/* Reads the next record, which must be called `name`, with at least min
 * fields after the name. */
static int next(reader *r, const char *name, size_t min)
{
	if (!*r->pos)
		return bad(r, "unexpected end of file");
	char *line = r->pos, *nl = strchr(line, '\n');
	if (!nl)
		return bad(r, "unterminated line");
	*nl = '\0';
	r->pos = nl + 1;
	r->line++;
	r->n_fields = 0;
	for (char *p = line; p && r->n_fields < MAX_FIELDS;) {
		char *tab = strchr(p, '\t');
		if (tab)
			*tab = '\0';
		r->field[r->n_fields++] = p;
		p = tab ? tab + 1 : NULL;
	}
	for (size_t i = 1; i < r->n_fields; i++)
		fc_unescape(r->field[i]);
	if (strcmp(r->field[0], name) != 0) {
		char what[96];
		snprintf(what, sizeof what, "expected a '%s' record", name);
		return bad(r, what);
	}
	if (r->n_fields - 1 < min) {
		char what[96];
		snprintf(what, sizeof what, "record '%s' has too few fields", name);
		return bad(r, what);
	}
	return 0;
}

static int parse_size(reader *r, const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || errno || s[0] == '-')
		return bad(r, "not a count");
	*out = (size_t)v;
	return 0;
}

static int parse_list(reader *r, const char *s, double *out, size_t cap, size_t *n)
{
	*n = 0;
	if (!*s)
		return 0;
	for (;;) {
		char *end;
		if (*n == cap)
			return bad(r, "list too long");
		out[(*n)++] = strtod(s, &end);
		if (end == s)
			return bad(r, "not a number list");
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return bad(r, "not a number list");
		s = end + 1;
	}
}

static int read_header(reader *r, fc_artifact *a)
{
	fc_err *err = r->err;
	int rc;
	if ((rc = next(r, "source", 1)) || !(a->source = strdup(r->field[1])))
		return rc ? rc : fc_err_set(err, FC_ENOMEM, "out of memory");
	if ((rc = next(r, "time", 1)) || !(a->time_name = strdup(r->field[1])))
		return rc ? rc : fc_err_set(err, FC_ENOMEM, "out of memory");
	if ((rc = next(r, "target", 1)) || !(a->target_name = strdup(r->field[1])))
		return rc ? rc : fc_err_set(err, FC_ENOMEM, "out of memory");
	if ((rc = next(r, "groups", 0)))
		return rc;
	a->n_groups = r->n_fields - 1;
	if (a->n_groups) {
		a->group_names = calloc(a->n_groups, sizeof *a->group_names);
		if (!a->group_names)
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		for (size_t g = 0; g < a->n_groups; g++)
			if (!(a->group_names[g] = strdup(r->field[g + 1])))
				return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	if ((rc = next(r, "style", 1)))
		return rc;
	if (fc_style_parse(r->field[1], &a->style))
		return bad(r, "unknown time style");
	if ((rc = next(r, "freq", 1)))
		return rc;
	if (fc_freq_parse(r->field[1], &a->freq, NULL))
		return bad(r, "unknown frequency");
	if ((rc = next(r, "seasons", 0)) ||
	    (rc = parse_list(r, r->n_fields > 1 ? r->field[1] : "", a->seasons, FC_MAX_SEASONS, &a->n_seasons)))
		return rc;
	if ((rc = next(r, "fill", 1)))
		return rc;
	if (fc_fill_parse(r->field[1], &a->fill))
		return bad(r, "unknown fill");
	if ((rc = next(r, "aggregate", 1)))
		return rc;
	if (fc_aggregate_parse(r->field[1], &a->aggregate))
		return bad(r, "unknown aggregate");
	if ((rc = next(r, "horizon", 1)) || (rc = parse_size(r, r->field[1], &a->horizon)))
		return rc;
	if ((rc = next(r, "levels", 0)) ||
	    (rc = parse_list(r, r->n_fields > 1 ? r->field[1] : "", a->levels, FC_MAX_LEVELS, &a->n_levels)))
		return rc;
	if ((rc = next(r, "metric", 1)))
		return rc;
	if (fc_metric_parse(r->field[1], &a->metric))
		return bad(r, "unknown metric");
	if (strncmp(r->pos, "clip\t", 5) == 0) {
		if ((rc = next(r, "clip", 1)))
			return rc;
		if (fc_clip_parse(r->field[1], &a->clip) || a->clip == FC_CLIP_NONE)
			return bad(r, "unknown clip mode (written by a newer forecast?)");
	}
	if (strncmp(r->pos, "exog\t", 5) == 0) {
		if ((rc = next(r, "exog", 1)))
			return rc;
		a->n_exog = r->n_fields - 1;
		if (!(a->exog_names = calloc(a->n_exog, sizeof *a->exog_names)))
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		for (size_t j = 0; j < a->n_exog; j++)
			if (!(a->exog_names[j] = strdup(r->field[j + 1])))
				return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	if ((rc = next(r, "series", 1)) || (rc = parse_size(r, r->field[1], &a->n_series)))
		return rc;
	/* each series takes a record of its own (a line of two bytes at the
	 * least) after this one: a count the rest of the file cannot hold is
	 * refused before it is allocated (fuzz/fuzz_model.c found a count
	 * of 2^31 asking for 200 GB) */
	if (a->n_series > (size_t)1 << 32 || a->n_series > strlen(r->pos) / 2)
		return bad(r, "absurd series count (more than the file holds)");
	a->series = calloc(a->n_series ? a->n_series : 1, sizeof *a->series);
	if (!a->series)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	while (strncmp(r->pos, "global\t", 7) == 0) {
		size_t line = r->line + 1;
		if ((rc = next(r, "global", 3)))
			return rc;
		const fc_model_type *type = fc_model_lookup(r->field[1]);
		if (!type || !type->global)
			return bad(r, "unknown global model kind (written by a newer forecast?)");
		fc_artifact_global *ng = realloc(a->globals, (a->n_globals + 1) * sizeof *ng);
		if (!ng)
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		a->globals = ng;
		fc_artifact_global *g = &a->globals[a->n_globals++];
		memset(g, 0, sizeof *g);
		fc_err merr;
		if (!(g->model = fc_model_alloc(type, &merr)) ||
		    fc_model_set_params_text(g->model, r->field[2], &merr))
			return fc_err_set(err, merr.code == FC_ENOMEM ? FC_ENOMEM : FC_EFORMAT,
			                  "%s:%zu: corrupt model file: %s", r->path, line, merr.msg);
		fc_buf st = {.data = r->field[3], .len = strlen(r->field[3]), .cap = 0};
		if (type->global->load(&g->state, &st, &merr))
			return fc_err_set(err, merr.code == FC_ENOMEM ? FC_ENOMEM : FC_EFORMAT,
			                  "%s:%zu: corrupt model file: %s", r->path, line, merr.msg);
	}
	return 0;
}

/* A "conformal" record, when the next line is one. */
static int read_conformal(reader *r, fc_artifact_member *m)
{
	int rc;
	if (m->conf_err || strncmp(r->pos, "conformal\t", 10) != 0)
		return 0;
	if ((rc = next(r, "conformal", 3)) || (rc = parse_size(r, r->field[1], &m->conf_folds)) ||
	    (rc = parse_size(r, r->field[2], &m->conf_h)))
		return rc;
	size_t count = m->conf_folds * m->conf_h, got;
	if (!count || m->conf_folds > 1000 || m->conf_h > 100000)
		return bad(r, "bad conformal error table size");
	if (!(m->conf_err = malloc(count * sizeof *m->conf_err)))
		return fc_err_set(r->err, FC_ENOMEM, "out of memory");
	if ((rc = parse_list(r, r->field[3], m->conf_err, count, &got)))
		return rc;
	return got == count ? 0 : bad(r, "conformal error table too short");
}

/* A member's params, state and optional conformal records, its kind from
 * the line at model_line. */
static int read_member(reader *r, fc_artifact *a, const fc_model_type *type, size_t model_line,
                       fc_artifact_member *m)
{
	int rc;
	if ((rc = next(r, "params", 0)))
		return rc;
	const char *params = r->n_fields > 1 ? r->field[1] : "";
	if ((rc = next(r, "state", 0)))
		return rc;
	const char *state = r->n_fields > 1 ? r->field[1] : "";
	fc_err merr;
	fc_err_clear(&merr);
	if (type->global) {
		size_t k;
		char *end;
		if (strncmp(state, "global=", 7) != 0 || (k = strtoul(state + 7, &end, 10), *end) ||
		    k >= a->n_globals || a->globals[k].model->type != type)
			return bad(r, "a global model's series does not name its global record");
		m->global = k;
		if (!(m->model = fc_model_alloc(type, &merr)) || fc_model_set_params_text(m->model, params, &merr)) {
			fc_model_free(m->model);
			m->model = NULL;
		}
	} else {
		m->model = fc_model_load(type, params, state, &merr);
	}
	if (!m->model)
		return fc_err_set(r->err, merr.code == FC_ENOMEM ? FC_ENOMEM : FC_EFORMAT,
		                  "%s:%zu: corrupt model file: %s", r->path, model_line, merr.msg);
	return read_conformal(r, m);
}

static int read_history(reader *r, fc_artifact_series *s)
{
	int rc;
	if ((rc = next(r, "history", 2)) || (rc = parse_size(r, r->field[1], &s->n_history)))
		return rc;
	if (s->n_history == 0 || s->n_history > s->n)
		return bad(r, "bad history length");
	if (!(s->history = malloc(s->n_history * sizeof *s->history)))
		return fc_err_set(r->err, FC_ENOMEM, "out of memory");
	size_t got;
	if ((rc = parse_list(r, r->field[2], s->history, s->n_history, &got)))
		return rc;
	return got == s->n_history ? 0 : bad(r, "history too short");
}

/* An ensemble's "intervals" record, when the next line is one. */
static int read_intervals(reader *r, fc_artifact_series *s)
{
	int rc;
	if (strncmp(r->pos, "intervals\t", 10) != 0)
		return 0;
	if ((rc = next(r, "intervals", 4)))
		return rc;
	if (strcmp(r->field[1], "conformal") != 0)
		return bad(r, "unknown interval method (written by a newer forecast?)");
	if ((rc = parse_size(r, r->field[2], &s->ens_folds)) || (rc = parse_size(r, r->field[3], &s->ens_h)))
		return rc;
	size_t count = s->ens_folds * s->ens_h, got;
	if (s->n_members < 2 || !count || s->ens_folds > 1000 || s->ens_h > 100000 || r->n_fields < 5)
		return bad(r, "bad ensemble interval record");
	if (!(s->ens_err = malloc(count * sizeof *s->ens_err)))
		return fc_err_set(r->err, FC_ENOMEM, "out of memory");
	if ((rc = parse_list(r, r->field[4], s->ens_err, count, &got)))
		return rc;
	return got == count ? 0 : bad(r, "ensemble interval errors too short");
}

static int read_series(reader *r, fc_artifact *a, fc_artifact_series *s)
{
	int rc;
	if ((rc = next(r, "series", a->n_groups)))
		return rc;
	if (r->n_fields - 1 != a->n_groups)
		return bad(r, "wrong number of group values");
	if (a->n_groups) {
		s->group_values = calloc(a->n_groups, sizeof *s->group_values);
		if (!s->group_values)
			return fc_err_set(r->err, FC_ENOMEM, "out of memory");
		for (size_t g = 0; g < a->n_groups; g++)
			if (!(s->group_values[g] = strdup(r->field[g + 1])))
				return fc_err_set(r->err, FC_ENOMEM, "out of memory");
	}
	if ((rc = next(r, "span", 2)))
		return rc;
	char *end;
	errno = 0;
	s->start = strtoll(r->field[1], &end, 10);
	if (end == r->field[1] || *end || errno)
		return bad(r, "bad start time");
	if ((rc = parse_size(r, r->field[2], &s->n)))
		return rc;
	if ((rc = next(r, "periods", 0)) ||
	    (rc = parse_list(r, r->n_fields > 1 ? r->field[1] : "", s->periods, FC_MAX_SEASONS, &s->n_periods)))
		return rc;
	if (strncmp(r->pos, "clip\t", 5) == 0) {
		int mode;
		if ((rc = next(r, "clip", 1)))
			return rc;
		if (a->clip == FC_CLIP_NONE || fc_clip_parse(r->field[1], &mode) || mode != FC_CLIP_NONNEG)
			return bad(r, "bad clip record");
		s->clip = 1;
	}
	if ((rc = next(r, "model", 1)))
		return rc;
	if (strcmp(r->field[1], "none") == 0)
		return 0;
	size_t n = 1;
	int ensemble = strcmp(r->field[1], "ensemble") == 0;
	const fc_model_type *type = NULL;
	if (ensemble) {
		if (r->n_fields < 4 || parse_size(r, r->field[2], &n) || n == 0 || n > 1000 ||
		    (strcmp(r->field[3], "mean") != 0 && strcmp(r->field[3], "median") != 0))
			return bad(r, "bad ensemble record");
		s->median = strcmp(r->field[3], "median") == 0;
	} else if (!(type = fc_model_lookup(r->field[1]))) {
		return bad(r, "unknown model kind (written by a newer forecast?)");
	}
	size_t model_line = r->line;
	if (!(s->members = calloc(n, sizeof *s->members)))
		return fc_err_set(r->err, FC_ENOMEM, "out of memory");
	s->n_members = n;
	int global = 0;
	for (size_t k = 0; k < n; k++) {
		fc_artifact_member *m = &s->members[k];
		m->weight = 1;
		if (ensemble) {
			if ((rc = next(r, "member", 2)))
				return rc;
			model_line = r->line;
			if (!(type = fc_model_lookup(r->field[1])))
				return bad(r, "unknown model kind (written by a newer forecast?)");
			m->weight = strtod(r->field[2], &end);
			if (end == r->field[2] || *end || !(m->weight > 0 && m->weight <= 1))
				return bad(r, "bad member weight");
		}
		if ((rc = read_member(r, a, type, model_line, m)))
			return rc;
		global |= type->global != NULL;
		/* version 1 put a global model's history before its conformal errors */
		if (global && !s->history && strncmp(r->pos, "history\t", 8) == 0 &&
		    ((rc = read_history(r, s)) || (rc = read_conformal(r, m))))
			return rc;
	}
	if (global && !s->history && (rc = read_history(r, s)))
		return rc;
	return read_intervals(r, s);
}

/* Checks magic, version and checksum; cuts the text before the end record. */
static int verify(const char *path, char *text, size_t len, fc_err *err)
{
	size_t mlen = strlen(MAGIC);
	if (len < mlen + 2 || strncmp(text, MAGIC, mlen) != 0 || text[mlen] != '\t')
		return fc_err_set(err, FC_EFORMAT, "%s: not a forecast model file", path);
	long version = strtol(text + mlen + 1, NULL, 10);
	if (version < 1 || version > FC_ARTIFACT_VERSION)
		return fc_err_set(err, FC_EFORMAT,
		                  "%s: model file format version %ld; this forecast reads versions 1 to %d (refit the model)",
		                  path, version, FC_ARTIFACT_VERSION);
	if (text[len - 1] != '\n')
		return fc_err_set(err, FC_EFORMAT, "%s: corrupt model file: truncated", path);
	/* the records are C strings from here on: a NUL would cut one short
	 * (and the first line before its line break) */
	if (memchr(text, '\0', len))
		return fc_err_set(err, FC_EFORMAT, "%s: corrupt model file: NUL byte at offset %zu", path,
		                  (size_t)((const char *)memchr(text, '\0', len) - text));
	size_t start = len - 1;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	char *last = text + start;
	uint64_t want;
	if (strncmp(last, "end\t", 4) != 0 || sscanf(last + 4, "%" SCNx64, &want) != 1)
		return fc_err_set(err, FC_EFORMAT, "%s: corrupt model file: truncated (no end record)", path);
	if (fc_fnv1a(FC_FNV_OFFSET, text, start) != want)
		return fc_err_set(err, FC_EFORMAT, "%s: corrupt model file: checksum mismatch", path);
	*last = '\0';
	return 0;
}

int fc_artifact_load(const char *path, fc_artifact **out, fc_err *err)
{
	char *text;
	size_t len;
	int rc = fc_read_file(path, "model file", &text, &len, err);
	if (rc)
		return rc;
	if ((rc = verify(path, text, len, err))) {
		free(text);
		return rc;
	}
	fc_artifact *a = calloc(1, sizeof *a);
	if (!a) {
		free(text);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	reader r = {.path = path, .pos = strchr(text, '\n') + 1, .line = 1, .err = err};
	rc = read_header(&r, a);
	for (size_t i = 0; !rc && i < a->n_series; i++)
		rc = read_series(&r, a, &a->series[i]);
	if (!rc && *r.pos)
		rc = bad(&r, "unexpected records after the last series");
	free(text);
	if (rc) {
		fc_artifact_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void fc_artifact_free(fc_artifact *a)
{
	if (!a)
		return;
	if (a->series) {
		for (size_t i = 0; i < a->n_series; i++) {
			fc_artifact_series *s = &a->series[i];
			if (s->group_values)
				for (size_t g = 0; g < a->n_groups; g++)
					free(s->group_values[g]);
			free(s->group_values);
			for (size_t k = 0; k < s->n_members; k++) {
				free(s->members[k].conf_err);
				fc_model_free(s->members[k].model);
			}
			free(s->members);
			free(s->history);
			free(s->ens_err);
		}
	}
	free(a->series);
	for (size_t k = 0; k < a->n_globals; k++) {
		if (a->globals[k].state)
			a->globals[k].model->type->global->free(a->globals[k].state);
		fc_model_free(a->globals[k].model);
	}
	free(a->globals);
	if (a->exog_names)
		for (size_t j = 0; j < a->n_exog; j++)
			free(a->exog_names[j]);
	free(a->exog_names);
	if (a->group_names)
		for (size_t g = 0; g < a->n_groups; g++)
			free(a->group_names[g]);
	free(a->group_names);
	free(a->source);
	free(a->time_name);
	free(a->target_name);
	free(a);
}

fc_time fc_artifact_last(const fc_artifact *a, const fc_artifact_series *s)
{
	return fc_freq_add(a->freq, s->start, s->n ? (int64_t)s->n - 1 : 0);
}
