/* Hyperparameter search: the run's spaces (declared tables plus a space
 * file), the trials of a grid or random search (Bergstra & Bengio 2012,
 * JMLR 13), and the search loop (fc_search_run): trials back-tested in
 * batches on the staged back-test of src/select/cv.c, bayes proposals by
 * TPE (src/select/tpe.c), the wall-clock budget, and early stopping by
 * Azure ML's median and bandit policies.  The format and the rules are in
 * include/forecast/search.h.  Omitted: Azure's slack_amount (an absolute
 * slack) and evaluation intervals other than every fold; searching a
 * local kind per series (a trial is one configuration for the panel). */
#include "forecast/search.h"
#include "forecast/tpe.h"
#include "forecast/file.h"
#include "forecast/hash.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	char *text;
	size_t len;
	int rc = fc_read_file(path, "space file", &text, &len, err);
	if (rc)
		return rc;
	if (len + 1 >= (size_t)1 << 25)
		rc = fc_err_set(err, FC_EINPUT, "%s: space file too large", path);
	else if (memchr(text, '\0', len))
		rc = fc_err_set(err, FC_EINPUT, "%s: not a text file", path);
	else
		rc = fc_space_parse(s, text, path, err);
	free(text);
	return rc;
}

/* ---- trials ---------------------------------------------------------------- */

/* FNV-1a of a name: the kind's share of the seed. */
static uint64_t hash_name(const char *s)
{
	return fc_fnv1a(FC_FNV_OFFSET, s, strlen(s));
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
	/* bayes: the finished trials' points (x[i * n_params + d], as
	 * fc_tpe_suggest takes them) and losses; TPE's ranked proposals,
	 * formatted, tried in order before falling back to random draws */
	double *obs_x, *obs_loss;
	size_t n_obs, cap_obs;
	size_t startup;
	char *queue;         /* n_queue x n_params values */
	size_t n_queue, next_queue;
} kind_search;

static void kind_dispose(kind_search *k)
{
	free(k->vals);
	free(k->obs_x);
	free(k->obs_loss);
	free(k->queue);
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
	if (method == FC_SEARCH_BAYES && k->next_queue < k->n_queue) {
		const char *row = k->queue + k->next_queue++ * k->n_params * FC_SPACE_VALUE_MAX;
		for (size_t j = 0; j < k->n_params; j++)
			memcpy(val[j], row + j * FC_SPACE_VALUE_MAX, FC_SPACE_VALUE_MAX);
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
 * a negative FC_E*.  With `made`, the trial's values are copied there. */
static int make_trial(kind_search *k, fc_model *const *base, fc_search_method method,
                      fc_trial *t, fc_search_info *info, fc_err *err,
                      char (*made)[FC_SPACE_VALUE_MAX])
{
	char val[64][FC_SPACE_VALUE_MAX];
	for (size_t attempt = 0;; attempt++) {
		/* bayes: the proposals do not count against the patience */
		if (method != FC_SEARCH_GRID && attempt == RANDOM_PATIENCE + k->n_queue) {
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
		if (made)
			memcpy(made, val, k->n_params * sizeof *val);
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

/* The searched kinds' states in ks (n_base of room), *nk of them, in
 * candidate order.  FC_ENOMEM, FC_EINVAL. */
static int setup_kinds(fc_model *const *base, size_t n_base, const fc_space_set *space,
                       const fc_search_opts *opts, kind_search *ks, size_t *nk_out,
                       fc_search_info *info, fc_err *err)
{
	size_t nk = 0;
	int rc = 0;
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
	*nk_out = nk;
	return rc;
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
	if (!rc)
		rc = setup_kinds(base, n_base, space, opts, ks, &nk, info, err);
	/* round-robin over the searched kinds until the budget is spent or
	 * every kind is done */
	for (int active = 1; !rc && active && nt < opts->budget;) {
		active = 0;
		for (size_t i = 0; !rc && i < nk && nt < opts->budget; i++) {
			if (ks[i].done)
				continue;
			int made = make_trial(&ks[i], base, opts->method, &t[nt], info, err, NULL);
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

/* ---- the search loop: batches, TPE, budgets, early stopping --------------- */

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What the early-stopping policy looks at. */
typedef struct policy {
	const fc_panel *p;
	const fc_cv_opts *o;      /* the run's options, grown batch by batch */
	const fc_search_opts *so;
	size_t n_base;
	const size_t *base_of;    /* per candidate: its kind's base candidate */
	const double *curve;      /* per finished candidate c: curve[c * K + t],
	                           * its running loss after fold step t */
	const unsigned char *finished; /* per candidate: a reference run */
	double *refs;             /* scratch, one per candidate */
} policy;

static int policy_stop(void *ctx, const fc_run *run, size_t c, size_t t)
{
	const policy *pl = ctx;
	size_t K = pl->o->folds;
	if (t + 1 <= pl->so->early_stop_delay || c < pl->n_base)
		return 0;
	double loss = fc_run_running_loss(pl->p, pl->o, run, c, t);
	if (isnan(loss))
		return 0; /* nothing scored yet: no evidence */
	size_t n = 0;
	for (size_t r = 0; r < pl->o->n_candidates; r++) {
		if (!pl->finished[r] || pl->base_of[r] != pl->base_of[c] || run->stopped_at[r])
			continue;
		double v = pl->curve[r * K + t];
		if (!isnan(v))
			pl->refs[n++] = v;
	}
	if (n == 0)
		return 0;
	for (size_t i = 1; i < n; i++) { /* a handful of runs */
		double v = pl->refs[i];
		size_t j = i;
		for (; j > 0 && pl->refs[j - 1] > v; j--)
			pl->refs[j] = pl->refs[j - 1];
		pl->refs[j] = v;
	}
	if (pl->so->early_stop == FC_EARLY_STOP_MEDIAN) {
		double median = n % 2 ? pl->refs[n / 2] : 0.5 * (pl->refs[n / 2 - 1] + pl->refs[n / 2]);
		return loss > median;
	}
	return loss > pl->refs[0] * (1 + pl->so->bandit_slack);
}

/* The default number of random trials a kind starts with under bayes: a
 * third of its share of the budget, at least 2 and at most 5. */
static size_t default_startup(size_t budget, size_t nk, size_t i)
{
	size_t share = budget / nk + (i < budget % nk), n = (share + 2) / 3;
	return n < 2 ? 2 : n > 5 ? 5 : n;
}

/* Fills kind k's queue with TPE's ranked proposals from its finished
 * trials (nothing while it is in its random start). */
static int propose(kind_search *k, double gamma, fc_err *err)
{
	k->n_queue = k->next_queue = 0;
	if (k->made < k->startup)
		return 0;
	size_t nd = k->n_params, nq = FC_TPE_CANDIDATES;
	double *pts = malloc(nq * nd * sizeof *pts);
	if (!k->queue)
		k->queue = malloc(nq * nd * FC_SPACE_VALUE_MAX);
	if (!pts || !k->queue) {
		free(pts);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	int rc = fc_tpe_suggest(k->params, nd, k->obs_x, k->obs_loss, k->n_obs, gamma, nq, &k->rng,
	                        pts, err);
	for (size_t j = 0; !rc && j < nq; j++)
		for (size_t d = 0; d < nd; d++)
			fc_space_format(k->params[d], pts[j * nd + d],
			                k->queue + (j * nd + d) * FC_SPACE_VALUE_MAX, FC_SPACE_VALUE_MAX);
	if (!rc)
		k->n_queue = nq;
	free(pts);
	return rc;
}

/* Records a finished trial's point and loss with its kind. */
static int observe(kind_search *k, const double *x, double loss)
{
	if (k->n_obs == k->cap_obs) {
		size_t cap = k->cap_obs ? 2 * k->cap_obs : 16;
		double *nx = realloc(k->obs_x, cap * k->n_params * sizeof *nx);
		if (!nx)
			return FC_ENOMEM;
		k->obs_x = nx;
		double *nl = realloc(k->obs_loss, cap * sizeof *nl);
		if (!nl)
			return FC_ENOMEM;
		k->obs_loss = nl;
		k->cap_obs = cap;
	}
	memcpy(k->obs_x + k->n_obs * k->n_params, x, k->n_params * sizeof *x);
	k->obs_loss[k->n_obs++] = loss;
	return 0;
}

int fc_search_run(const fc_panel *p, const fc_cv_opts *cv, const fc_space_set *space,
                  const fc_search_opts *so, fc_model ***cands_out, fc_trial **trials_out,
                  size_t *n_trials_out, fc_run **run_out, fc_search_info *info, fc_err *err)
{
	double t_start = wall_now();
	size_t nb = cv->n_candidates, K = cv->folds, budget = so->budget;
	fc_model *const *base = cv->candidates;
	int bayes = so->method == FC_SEARCH_BAYES;
	if (so->method != FC_SEARCH_GRID && so->method != FC_SEARCH_RANDOM && !bayes)
		return fc_err_set(err, FC_EINVAL, "search: method must be grid, random or bayes");
	if (budget < 1)
		return fc_err_set(err, FC_EINVAL, "search: the budget must be at least one trial");
	if (so->early_stop == FC_EARLY_STOP_BANDIT && !(so->bandit_slack >= 0))
		return fc_err_set(err, FC_EINVAL, "search: the bandit slack must be at least 0");
	double gamma = so->tpe_gamma > 0 ? so->tpe_gamma : FC_TPE_GAMMA;
	size_t per_batch = so->concurrency ? so->concurrency : 1;

	fc_trial *t = NULL;
	size_t nt = 0; /* trials made (grid, random: all of them, up front) */
	kind_search *ks = NULL;
	size_t nk = 0;
	int rc;
	memset(info, 0, sizeof *info);
	if (!bayes) {
		fc_search_opts gr = *so;
		rc = fc_search_trials(base, nb, space, &gr, &t, &nt, info, err);
		if (rc)
			return rc;
	} else {
		ks = calloc(nb ? nb : 1, sizeof *ks);
		t = calloc(budget, sizeof *t);
		rc = ks && t ? setup_kinds(base, nb, space, so, ks, &nk, info, err)
		             : fc_err_set(err, FC_ENOMEM, "out of memory");
		for (size_t i = 0; !rc && i < nk; i++)
			ks[i].startup = so->tpe_startup ? so->tpe_startup : default_startup(budget, nk, i);
	}
	size_t cap = nb + (bayes ? budget : nt);
	fc_model **all = rc ? NULL : malloc((cap ? cap : 1) * sizeof *all);
	size_t *base_of = rc ? NULL : malloc((cap ? cap : 1) * sizeof *base_of);
	double *curve = rc ? NULL : malloc((cap ? cap : 1) * K * sizeof *curve);
	unsigned char *finished = rc ? NULL : calloc(cap ? cap : 1, 1);
	double *refs = rc ? NULL : malloc((cap ? cap : 1) * sizeof *refs);
	/* bayes: each trial's point, its kind */
	double *tx = rc || !bayes ? NULL : malloc(budget * 64 * sizeof *tx);
	size_t *tkind = rc || !bayes ? NULL : malloc(budget * sizeof *tkind);
	if (!rc && (!all || !base_of || !curve || !finished || !refs || (bayes && (!tx || !tkind))))
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	fc_run *run = NULL;
	fc_cv_opts o = *cv;
	if (!rc) {
		for (size_t c = 0; c < nb; c++) {
			all[c] = base[c];
			base_of[c] = c;
		}
		for (size_t k = 0; k < nt; k++) {
			all[nb + k] = t[k].model;
			base_of[nb + k] = t[k].base;
		}
		for (size_t x = 0; x < cap * K; x++)
			curve[x] = NAN;
		o.candidates = all;
		o.n_candidates = nb + nt; /* the fold plan sees every trial known now */
		rc = fc_cv_begin(p, &o, cap, &run, err);
	}
	if (!rc) {
		o.n_candidates = nb;
		rc = fc_cv_backtest(p, &o, run, 0, nb, NULL, err);
	}
	for (size_t c = 0; !rc && c < nb; c++) {
		finished[c] = 1;
		for (size_t s = 0; s < K; s++)
			curve[c * K + s] = fc_run_running_loss(p, &o, run, c, s);
	}
	policy pl = {p, &o, so, nb, base_of, curve, finished, refs};
	fc_cv_stopper stopper = {policy_stop, &pl};
	size_t done = 0, cursor = 0, limit = bayes ? budget : nt;
	char vals[64][FC_SPACE_VALUE_MAX];
	while (!rc && done < limit) {
		if (so->budget_seconds > 0 && wall_now() - t_start >= so->budget_seconds) {
			info->out_of_time = 1;
			break;
		}
		size_t n = limit - done < per_batch ? limit - done : per_batch;
		if (bayes) {
			/* the batch's trials, round-robin over the kinds that have
			 * configurations left */
			size_t made = 0;
			for (size_t tries = 0; !rc && made < n && tries < nk;) {
				kind_search *k = &ks[cursor];
				size_t ki = cursor;
				cursor = (cursor + 1) % nk;
				if (k->done) {
					tries++;
					continue;
				}
				int got = propose(k, gamma, err);
				if (!got)
					got = make_trial(k, base, FC_SEARCH_BAYES, &t[done + made], info, err, vals);
				if (got < 0) {
					rc = got;
					break;
				}
				if (got == 0) {
					k->done = 1;
					tries++;
					continue;
				}
				tries = 0;
				size_t tr = done + made;
				tkind[tr] = ki;
				for (size_t d = 0; d < k->n_params; d++)
					if (fc_space_value_of(k->params[d], vals[d], &tx[tr * 64 + d]))
						tx[tr * 64 + d] = NAN;
				all[nb + tr] = t[tr].model;
				base_of[nb + tr] = t[tr].base;
				nt = tr + 1;
				made++;
			}
			if (rc || made == 0)
				break;
			n = made;
		}
		o.n_candidates = nb + done + n;
		rc = fc_cv_backtest(p, &o, run, nb + done, n,
		                    so->early_stop != FC_EARLY_STOP_NONE ? &stopper : NULL, err);
		for (size_t c = nb + done; !rc && c < nb + done + n; c++) {
			size_t tr = c - nb;
			double loss = INFINITY;
			if (!run->stopped_at[c]) {
				finished[c] = 1;
				for (size_t s = 0; s < K; s++)
					curve[c * K + s] = fc_run_running_loss(p, &o, run, c, s);
				loss = curve[c * K + K - 1];
			} else {
				info->stopped++;
			}
			if (bayes) {
				kind_search *k = &ks[tkind[tr]];
				int bad = 0;
				for (size_t d = 0; d < k->n_params; d++)
					bad |= isnan(tx[tr * 64 + d]);
				if (!bad && observe(k, tx + tr * 64, loss))
					rc = fc_err_set(err, FC_ENOMEM, "out of memory");
			}
		}
		done += n;
	}
	info->made = done;
	if (!rc) {
		o.n_candidates = nb + done;
		rc = fc_cv_finish(p, &o, run, err);
	}
	info->seconds = wall_now() - t_start;
	for (size_t i = 0; ks && i < nb; i++)
		kind_dispose(&ks[i]);
	free(ks);
	free(base_of);
	free(curve);
	free(finished);
	free(refs);
	free(tx);
	free(tkind);
	if (rc) {
		fc_run_free(run);
		free(all);
		fc_trials_free(t, nt);
		return rc;
	}
	/* trials never back-tested (the clock ran out) are dropped */
	for (size_t k = done; k < nt; k++) {
		free(t[k].params);
		fc_model_free(t[k].model);
	}
	if (done == 0) {
		free(t);
		t = NULL;
	}
	*cands_out = all;
	*trials_out = t;
	*n_trials_out = done;
	*run_out = run;
	return 0;
}
