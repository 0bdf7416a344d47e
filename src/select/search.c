/* Hyperparameter search: the run's spaces (declared tables plus a space
 * file), and the trials of a grid or random search (Bergstra & Bengio
 * 2012, JMLR 13), made into candidate templates that fc_cv_run back-tests
 * on the same folds as the others.  The format and the rules are in
 * include/forecast/search.h.  Omitted here: Bayesian search and early
 * termination (issue 12's later slices). */
#include "forecast/search.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the set of spaces ---------------------------------------------------- */

void fc_space_set_init(fc_space_set *s)
{
	memset(s, 0, sizeof *s);
}

void fc_space_set_dispose(fc_space_set *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->n_owned; k++)
		free(s->owned[k]);
	free(s->owned);
	free(s->e);
	memset(s, 0, sizeof *s);
}

int fc_space_set_put(fc_space_set *s, const fc_model_type *kind, const fc_param_space *p,
                     fc_err *err)
{
	for (size_t k = 0; k < s->n; k++) {
		if (s->e[k].kind == kind && strcmp(s->e[k].p.name, p->name) == 0) {
			s->e[k].p = *p;
			return 0;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;
		fc_space_entry *e = realloc(s->e, cap * sizeof *e);
		if (!e)
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n].kind = kind;
	s->e[s->n].p = *p;
	s->n++;
	return 0;
}

int fc_space_set_defaults(fc_space_set *s, fc_err *err)
{
	for (size_t k = 0; k < fc_model_kind_count(); k++) {
		const fc_model_type *t = fc_model_kind_at(k);
		for (size_t j = 0; t->space && j < t->n_space; j++) {
			int rc = fc_space_set_put(s, t, &t->space[j], err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

size_t fc_space_set_count(const fc_space_set *s, const fc_model_type *kind)
{
	size_t n = 0;
	for (size_t k = 0; k < s->n; k++)
		n += s->e[k].kind == kind;
	return n;
}

/* Keeps a block of memory for the set's lifetime; NULL when out of memory
 * (then p is released). */
static void *own(fc_space_set *s, void *p)
{
	if (!p)
		return NULL;
	if (s->n_owned == s->cap_owned) {
		size_t cap = s->cap_owned ? 2 * s->cap_owned : 16;
		char **o = realloc(s->owned, cap * sizeof *o);
		if (!o) {
			free(p);
			return NULL;
		}
		s->owned = o;
		s->cap_owned = cap;
	}
	s->owned[s->n_owned++] = p;
	return p;
}

/* ---- the space file ------------------------------------------------------- */

typedef struct parser {
	const char *path;
	const char *line;  /* start of the current line */
	const char *pos;
	size_t lineno;
	fc_err *err;
} parser;

static int perr(const parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(const parser *ps, const char *at, const char *fmt, ...)
{
	char msg[FC_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fc_err_set(ps->err, FC_EINPUT, "%s:%zu:%zu: %s", ps->path, ps->lineno,
	                  (size_t)(at - ps->line) + 1, msg);
}

static void skip_blanks(parser *ps)
{
	while (*ps->pos == ' ' || *ps->pos == '\t' || *ps->pos == '\r')
		ps->pos++;
}

static int at_line_end(const parser *ps)
{
	return *ps->pos == '\0' || *ps->pos == '\n' || *ps->pos == '#';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* A name into buf; its start in *at.  -1 when there is none or it is too long. */
static int read_name(parser *ps, char *buf, size_t cap, const char **at)
{
	*at = ps->pos;
	size_t n = 0;
	while (is_name_char(*ps->pos)) {
		if (n + 1 >= cap)
			return -1;
		buf[n++] = *ps->pos++;
	}
	buf[n] = '\0';
	return n ? 0 : -1;
}

/* One argument: "quoted" or a run of characters up to , ) # or a blank. */
static int read_arg(parser *ps, char *buf, size_t cap, const char **at)
{
	skip_blanks(ps);
	*at = ps->pos;
	size_t n = 0;
	if (*ps->pos == '"') {
		ps->pos++;
		while (*ps->pos != '"') {
			if (*ps->pos == '\0' || *ps->pos == '\n')
				return perr(ps, *at, "unterminated quoted value");
			if (n + 1 >= cap)
				return perr(ps, *at, "value longer than %zu characters", cap - 1);
			buf[n++] = *ps->pos++;
		}
		ps->pos++;
	} else {
		while (*ps->pos && !strchr(",)#\" \t\r\n(", *ps->pos)) {
			if (n + 1 >= cap)
				return perr(ps, *at, "value longer than %zu characters", cap - 1);
			buf[n++] = *ps->pos++;
		}
		if (n == 0)
			return perr(ps, *at, "expected a value");
	}
	buf[n] = '\0';
	skip_blanks(ps);
	return 0;
}

static int parse_real(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Sets key=val on a scratch model of the kind, so that a file names only
 * parameters the kind has and values it takes.  The column is the
 * parameter's when the kind does not know it, else the value's. */
static int check_value(parser *ps, fc_model *scratch, const char *key, const char *key_at,
                       const char *val, const char *val_at)
{
	fc_err e;
	fc_err_clear(&e);
	if (fc_model_set_param(scratch, key, val, &e) == 0)
		return 0;
	if (e.code == FC_ENOMEM)
		return fc_err_set(ps->err, FC_ENOMEM, "out of memory");
	int unknown = strstr(e.msg, "no parameter") || strstr(e.msg, "unknown parameter");
	return perr(ps, unknown ? key_at : val_at, "%s", e.msg);
}

#define MAX_ARGS FC_SPACE_MAX_CHOICES

static int parse_line(parser *ps, fc_space_set *s)
{
	skip_blanks(ps);
	if (at_line_end(ps))
		return 0;
	char kind_name[64], key[64], type_name[32];
	const char *kind_at, *key_at, *type_at;
	if (read_name(ps, kind_name, sizeof kind_name, &kind_at))
		return perr(ps, kind_at, "expected KIND.NAME = TYPE(...), e.g. "
		            "gbdt.learning_rate = loguniform(0.01, 0.3)");
	const fc_model_type *kind = fc_model_lookup(kind_name);
	if (!kind)
		return perr(ps, kind_at, "unknown model kind '%s' (see 'forecast models')", kind_name);
	if (*ps->pos != '.')
		return perr(ps, ps->pos, "expected '.' and a parameter name after '%s'", kind_name);
	ps->pos++;
	if (read_name(ps, key, sizeof key, &key_at))
		return perr(ps, key_at, "expected a parameter name after '%s.'", kind_name);
	skip_blanks(ps);
	if (*ps->pos != '=')
		return perr(ps, ps->pos, "expected '=' after '%s.%s'", kind_name, key);
	ps->pos++;
	skip_blanks(ps);
	if (read_name(ps, type_name, sizeof type_name, &type_at))
		return perr(ps, type_at, "expected choice, uniform, loguniform, quniform or int");
	fc_param_space p = {.name = NULL};
	int t = 0;
	while (t <= FC_SPACE_INT && strcmp(type_name, fc_space_type_name((fc_space_type)t)) != 0)
		t++;
	if (t > FC_SPACE_INT)
		return perr(ps, type_at, "unknown type '%s'; expected choice, uniform, loguniform, "
		            "quniform or int", type_name);
	p.type = (fc_space_type)t;
	skip_blanks(ps);
	if (*ps->pos != '(')
		return perr(ps, ps->pos, "expected '(' after '%s'", type_name);
	const char *open = ps->pos++;
	char args[MAX_ARGS][FC_SPACE_VALUE_MAX];
	const char *arg_at[MAX_ARGS];
	size_t n = 0;
	for (;;) {
		if (n == MAX_ARGS)
			return perr(ps, ps->pos, "at most %d values", MAX_ARGS);
		int rc = read_arg(ps, args[n], sizeof args[n], &arg_at[n]);
		if (rc)
			return rc;
		n++;
		if (*ps->pos == ',') {
			ps->pos++;
			continue;
		}
		if (*ps->pos == ')')
			break;
		return perr(ps, ps->pos, "expected ',' or ')'");
	}
	ps->pos++;
	skip_blanks(ps);
	if (!at_line_end(ps))
		return perr(ps, ps->pos, "unexpected text after ')'");

	size_t want = p.type == FC_SPACE_QUNIFORM ? 3 : 2;
	if (p.type != FC_SPACE_CHOICE && n != want)
		return perr(ps, open, "%s() takes %zu numbers (%s), got %zu", type_name, want,
		            want == 3 ? "low, high, step" : "low, high", n);
	if (p.type != FC_SPACE_CHOICE) {
		double v[3] = {0, 0, 0};
		for (size_t k = 0; k < n; k++)
			if (parse_real(args[k], &v[k]))
				return perr(ps, arg_at[k], "'%s' is not a number", args[k]);
		p.lo = v[0];
		p.hi = v[1];
		p.q = v[2];
		fc_err e;
		if (fc_space_check(&p, &e)) {
			/* point at the bound that is wrong */
			const char *at = arg_at[0];
			if (p.type == FC_SPACE_QUNIFORM && !(p.q > 0))
				at = arg_at[2];
			else if (p.type == FC_SPACE_INT && p.lo == floor(p.lo) && p.lo <= p.hi)
				at = arg_at[1];
			return perr(ps, at, "%s", e.msg);
		}
	}
	/* the kind must take the name and the values */
	fc_err e;
	fc_model *scratch = fc_model_alloc(kind, &e);
	if (!scratch)
		return fc_err_set(ps->err, e.code, "%s", e.msg);
	int rc = 0;
	if (p.type == FC_SPACE_CHOICE) {
		for (size_t k = 0; !rc && k < n; k++)
			rc = check_value(ps, scratch, key, key_at, args[k], arg_at[k]);
	} else {
		char lo[FC_SPACE_VALUE_MAX], hi[FC_SPACE_VALUE_MAX];
		fc_param_space at_lo = p, at_hi = p;
		at_lo.hi = p.lo; /* a one-point range formats its bound as a draw would */
		at_hi.lo = p.hi;
		at_hi.hi = p.hi;
		uint64_t rng = 0;
		fc_space_sample(&at_lo, &rng, lo, sizeof lo);
		fc_space_sample(&at_hi, &rng, hi, sizeof hi);
		rc = check_value(ps, scratch, key, key_at, lo, arg_at[0]);
		if (!rc)
			rc = check_value(ps, scratch, key, key_at, hi, arg_at[1]);
	}
	fc_model_free(scratch);
	if (rc)
		return rc;

	/* keep the strings for the set's lifetime */
	char *name = own(s, strdup(key));
	if (!name)
		return fc_err_set(ps->err, FC_ENOMEM, "out of memory");
	p.name = name;
	if (p.type == FC_SPACE_CHOICE) {
		char **ch = own(s, calloc(n, sizeof *ch));
		if (!ch)
			return fc_err_set(ps->err, FC_ENOMEM, "out of memory");
		for (size_t k = 0; k < n; k++)
			if (!(ch[k] = own(s, strdup(args[k]))))
				return fc_err_set(ps->err, FC_ENOMEM, "out of memory");
		p.choices = (const char *const *)ch;
		p.n_choices = n;
	}
	return fc_space_set_put(s, kind, &p, ps->err);
}

int fc_space_parse(fc_space_set *s, const char *text, const char *path, fc_err *err)
{
	parser ps = {.path = path, .line = text, .pos = text, .lineno = 1, .err = err};
	while (*ps.line) {
		ps.pos = ps.line;
		int rc = parse_line(&ps, s);
		if (rc)
			return rc;
		const char *nl = strchr(ps.line, '\n');
		if (!nl)
			break;
		ps.line = nl + 1;
		ps.lineno++;
	}
	return 0;
}

int fc_space_read(fc_space_set *s, const char *path, fc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fc_err_set(err, FC_EIO, "cannot open space file '%s': %s", path, strerror(errno));
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	int rc = text ? 0 : fc_err_set(err, FC_ENOMEM, "out of memory");
	while (!rc) {
		if (len + 1 >= cap) {
			char *t = cap > ((size_t)1 << 24) ? NULL : realloc(text, 2 * cap);
			if (!t) {
				rc = fc_err_set(err, FC_EINPUT, "%s: space file too large", path);
				break;
			}
			text = t;
			cap *= 2;
		}
		size_t got = fread(text + len, 1, cap - 1 - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				rc = fc_err_set(err, FC_EIO, "cannot read space file '%s'", path);
			break;
		}
	}
	fclose(f);
	if (!rc && memchr(text, '\0', len))
		rc = fc_err_set(err, FC_EINPUT, "%s: not a text file", path);
	if (!rc) {
		text[len] = '\0';
		rc = fc_space_parse(s, text, path, err);
	}
	free(text);
	return rc;
}

/* ---- trials ---------------------------------------------------------------- */

/* FNV-1a of a name: the kind's share of the seed. */
static uint64_t hash_name(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

/* The state of one searched kind while trials are made. */
typedef struct kind_search {
	size_t base;
	size_t n_params;
	const fc_param_space *params[64];
	uint64_t rng;
	/* grid: each parameter's values and the next point's index */
	size_t n_vals[64];
	char (*vals)[FC_SPACE_MAX_CHOICES][FC_SPACE_VALUE_MAX];
	size_t points, next; /* points saturate at SIZE_MAX */
	int done;
	size_t made;         /* trials of this kind so far */
	char **seen;         /* saved params of the base and of each trial */
	size_t n_seen, cap_seen;
} kind_search;

static void kind_dispose(kind_search *k)
{
	free(k->vals);
	for (size_t i = 0; i < k->n_seen; i++)
		free(k->seen[i]);
	free(k->seen);
}

/* The saved parameters of m ("key=value ..."), a fingerprint that tells
 * two configurations apart even when two spellings mean the same value;
 * NULL when out of memory. */
static char *fingerprint(const fc_model *m)
{
	fc_buf b;
	fc_buf_init(&b);
	if (m->type->save_params) {
		fc_err e;
		if (m->type->save_params(m->params, &b, &e)) {
			fc_buf_dispose(&b);
			return NULL;
		}
	}
	char *s = strdup(b.data ? b.data : "");
	fc_buf_dispose(&b);
	return s;
}

/* 1: fp was seen (fp freed); 0: remembered now; -1 out of memory. */
static int seen_before(kind_search *k, char *fp)
{
	for (size_t i = 0; i < k->n_seen; i++) {
		if (strcmp(k->seen[i], fp) == 0) {
			free(fp);
			return 1;
		}
	}
	if (k->n_seen == k->cap_seen) {
		size_t cap = k->cap_seen ? 2 * k->cap_seen : 16;
		char **s = realloc(k->seen, cap * sizeof *s);
		if (!s) {
			free(fp);
			return -1;
		}
		k->seen = s;
		k->cap_seen = cap;
	}
	k->seen[k->n_seen++] = fp;
	return 0;
}

/* Makes the next configuration of kind k: its values into val[], or 0 when
 * the kind has no more (grid walked, random exhausted). */
static int next_point(kind_search *k, fc_search_method method, char val[][FC_SPACE_VALUE_MAX])
{
	if (method == FC_SEARCH_GRID) {
		if (k->next >= k->points)
			return 0;
		size_t idx = k->next++;
		for (size_t j = k->n_params; j-- > 0;) {
			memcpy(val[j], k->vals[j][idx % k->n_vals[j]], FC_SPACE_VALUE_MAX);
			idx /= k->n_vals[j];
		}
		return 1;
	}
	for (size_t j = 0; j < k->n_params; j++)
		fc_space_sample(k->params[j], &k->rng, val[j], FC_SPACE_VALUE_MAX);
	return 1;
}

/* Random search gives up on a kind after this many configurations in a
 * row that were seen or rejected: its space is (nearly) used up. */
#define RANDOM_PATIENCE 200

/* Tries to make one new trial of kind k into *t.  1 made, 0 none left, or
 * a negative FC_E*. */
static int make_trial(kind_search *k, fc_model *const *base, fc_search_method method,
                      fc_trial *t, fc_search_info *info, fc_err *err)
{
	char val[64][FC_SPACE_VALUE_MAX];
	for (size_t attempt = 0;; attempt++) {
		if (method == FC_SEARCH_RANDOM && attempt == RANDOM_PATIENCE) {
			info->exhausted++;
			return 0;
		}
		if (!next_point(k, method, val))
			return 0;
		fc_err e;
		fc_model *m = fc_model_clone_unfitted(base[k->base], err);
		if (!m)
			return err ? err->code : FC_ENOMEM;
		int bad = 0;
		for (size_t j = 0; j < k->n_params && !bad; j++)
			bad = fc_model_set_param(m, k->params[j]->name, val[j], &e) != 0;
		if (bad) {
			fc_model_free(m);
			info->rejected++;
			continue;
		}
		char *fp = fingerprint(m);
		int seen = fp ? seen_before(k, fp) : -1;
		if (seen) {
			fc_model_free(m);
			if (seen < 0)
				return fc_err_set(err, FC_ENOMEM, "out of memory");
			continue;
		}
		size_t len = 1;
		for (size_t j = 0; j < k->n_params; j++)
			len += strlen(k->params[j]->name) + strlen(val[j]) + 2;
		char *params = malloc(len);
		if (!params) {
			fc_model_free(m);
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		}
		params[0] = '\0';
		for (size_t j = 0, at = 0; j < k->n_params; j++)
			at += (size_t)sprintf(params + at, "%s%s=%s", j ? ";" : "", k->params[j]->name, val[j]);
		k->made++;
		t->base = k->base;
		snprintf(t->label, sizeof t->label, "%s#%zu", m->type->name, k->made);
		t->params = params;
		t->model = m;
		return 1;
	}
}

void fc_trials_free(fc_trial *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].params);
		fc_model_free(t[i].model);
	}
	free(t);
}

int fc_search_trials(fc_model *const *base, size_t n_base, const fc_space_set *space,
                     const fc_search_opts *opts, fc_trial **out, size_t *n_out,
                     fc_search_info *info, fc_err *err)
{
	memset(info, 0, sizeof *info);
	*out = NULL;
	*n_out = 0;
	if (opts->method != FC_SEARCH_GRID && opts->method != FC_SEARCH_RANDOM)
		return fc_err_set(err, FC_EINVAL, "search: method must be grid or random");
	if (opts->budget < 1)
		return fc_err_set(err, FC_EINVAL, "search: the budget must be at least one trial");
	kind_search *ks = calloc(n_base ? n_base : 1, sizeof *ks);
	fc_trial *t = calloc(opts->budget, sizeof *t);
	size_t nk = 0, nt = 0;
	int rc = ks && t ? 0 : fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t c = 0; !rc && c < n_base; c++) {
		if (opts->searched && !opts->searched[c])
			continue;
		kind_search *k = &ks[nk];
		k->base = c;
		for (size_t j = 0; j < space->n; j++) {
			if (space->e[j].kind != base[c]->type)
				continue;
			if (k->n_params == sizeof k->params / sizeof k->params[0]) {
				rc = fc_err_set(err, FC_EINVAL, "search: kind '%s' has more than %zu searched "
				                "parameters", base[c]->type->name, k->n_params);
				break;
			}
			k->params[k->n_params++] = &space->e[j].p;
		}
		if (rc || k->n_params == 0)
			continue;
		nk++;
		k->rng = opts->seed ^ hash_name(base[c]->type->name);
		/* the base configuration is no trial */
		char *fp = fingerprint(base[c]);
		if (!fp || seen_before(k, fp) < 0) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			break;
		}
		if (opts->method == FC_SEARCH_GRID) {
			k->vals = calloc(k->n_params, sizeof *k->vals);
			if (!k->vals) {
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
				break;
			}
			k->points = 1;
			for (size_t j = 0; j < k->n_params; j++) {
				k->n_vals[j] = fc_space_grid(k->params[j], k->vals[j]);
				k->points = k->n_vals[j] && k->points > SIZE_MAX / k->n_vals[j]
				                ? SIZE_MAX : k->points * k->n_vals[j];
			}
			info->grid_points = info->grid_points > SIZE_MAX - k->points
			                        ? SIZE_MAX : info->grid_points + k->points;
		}
	}
	/* round-robin over the searched kinds until the budget is spent or
	 * every kind is done */
	for (int active = 1; !rc && active && nt < opts->budget;) {
		active = 0;
		for (size_t i = 0; !rc && i < nk && nt < opts->budget; i++) {
			if (ks[i].done)
				continue;
			int made = make_trial(&ks[i], base, opts->method, &t[nt], info, err);
			if (made < 0)
				rc = made;
			else if (made == 0)
				ks[i].done = 1;
			else {
				nt++;
				active = 1;
			}
		}
	}
	for (size_t i = 0; opts->method == FC_SEARCH_GRID && i < nk; i++)
		info->truncated |= !ks[i].done && ks[i].next < ks[i].points;
	for (size_t i = 0; ks && i < n_base; i++)
		kind_dispose(&ks[i]);
	free(ks);
	if (rc) {
		fc_trials_free(t, nt);
		return rc;
	}
	if (nt == 0) {
		free(t);
		t = NULL;
	}
	*out = t;
	*n_out = nt;
	return 0;
}
