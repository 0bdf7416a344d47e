/* `forecast registry` (list, show, runs, promote, rollback, diff, gc) and
 * the registry's part in fit and predict: where the registry is, storing a
 * fitted model as a new version, finding a registered model's file, and
 * recording each run.  The library side is src/store/registry.c. */
#include "cli.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "forecast/output.h"
#include "forecast/registry.h"

static double wall_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

const char *cli_registry_dir(const cli_opts *o)
{
	if (o->registry)
		return o->registry;
	const char *env = getenv("FORECAST_REGISTRY");
	return env && *env ? env : "forecast-registry";
}

/* The name whose lock this process holds already (retrain). */
static const char *held_name;

void cli_reg_hold(const char *name)
{
	held_name = name;
}

void cli_reg_start(const cli_opts *o, cli_reg *g, int named)
{
	const char *env = getenv("FORECAST_REGISTRY");
	g->started = wall_now();
	g->dir = cli_registry_dir(o);
	snprintf(g->args, sizeof g->args, "%s", o->cmdline);
	g->warned = cli_warnings();
	g->wanted = named || o->registry_given || (env && *env);
}

int cli_reg_begin(const cli_opts *o, cli_reg *g)
{
	fc_err err;
	int rc = fc_registry_open(g->dir, 1, &g->reg, &err);
	int fd = -1;
	if (!rc && !(held_name && strcmp(held_name, o->name) == 0))
		rc = fc_registry_lock(g->reg, o->name, o->wait, &fd, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	g->lock = fd + 1;
	return 0;
}

void cli_reg_output(cli_reg *g, const char *path)
{
	if (!g->wanted) /* no record: spare the hashing */
		return;
	char hex[17] = "-";
	fc_err err;
	if (strcmp(path, "-") == 0 || fc_registry_hash_file(path, hex, &err))
		snprintf(hex, sizeof hex, "-");
	size_t len = strlen(g->outputs);
	snprintf(g->outputs + len, sizeof g->outputs - len, "%s%s\t%s", len ? "\n" : "", path, hex);
}

void cli_reg_count(cli_reg *g, const fc_panel *p, const fc_run *run, int fit)
{
	g->rows_read = (long)p->n_rows;
	g->series_forecast = g->fallbacks = 0;
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		g->series_forecast += fit ? r->fc.h > 0 : r->best >= 0;
		g->fallbacks += r->fallback != FC_FALLBACK_NONE || r->status;
	}
}

/* The fit's options as they would be given again: argv without the input
 * and without the options that name outputs or the registry, or that do
 * not change the model (--shard of a merged run, --timings). */
static void fit_options(const cli_opts *o, int argc, char **argv, char *buf, size_t cap)
{
	static const char *const drop[] = {"--name", "--registry", "--output", "-o", "--model-out",
	                                   "--leaderboard", "--wait", "--threads", "--shard"};
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a == o->input || strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0 ||
		    strcmp(a, "--timings") == 0)
			continue;
		int skip = 0;
		for (size_t d = 0; d < sizeof drop / sizeof *drop && !skip; d++) {
			size_t n = strlen(drop[d]);
			if (strcmp(a, drop[d]) == 0)
				skip = 2;
			else if (strncmp(a, drop[d], n) == 0 && a[n] == '=')
				skip = 1;
		}
		if (skip) {
			i += skip - 1;
			continue;
		}
		len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s", len ? "\t" : "", a);
		if (len >= cap) {
			buf[cap - 1] = '\0';
			return;
		}
	}
}

int cli_reg_fit(cli_reg *g, const cli_opts *o, int argc, char **argv, const fc_panel *p,
                const fc_run *run, const fc_leader_row *best)
{
	fc_registry_model m;
	memset(&m, 0, sizeof m);
	snprintf(m.name, sizeof m.name, "%s", o->name);
	fc_registry_fingerprint(p, m.fingerprint);
	m.n_rows = (long)p->n_rows;
	m.n_series = (long)p->n_series;
	fc_time first = 0, last = 0;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		fc_time end = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		if (i == 0 || s->start < first)
			first = s->start;
		if (i == 0 || end > last)
			last = end;
	}
	fc_time_format(first, p->style, m.time_first, sizeof m.time_first);
	fc_time_format(last, p->style, m.time_last, sizeof m.time_last);
	fit_options(o, argc, argv, m.options, sizeof m.options);
	snprintf(m.metric, sizeof m.metric, "%s", fc_metric_name(o->metric));
	/* the score: the ensemble's back-test loss where there is one, else
	 * the best candidate's */
	m.score = isfinite(run->ensemble_loss) ? run->ensemble_loss : best->metric[o->metric];
	size_t len = (size_t)snprintf(m.metrics, sizeof m.metrics, "{\"score\": %.10g", m.score);
	for (int j = 0; j < FC_METRIC_COUNT && len < sizeof m.metrics; j++)
		len += (size_t)snprintf(m.metrics + len, sizeof m.metrics - len,
		                        isnan(best->metric[j]) ? ", \"best_%s\": null" : ", \"best_%s\": %.10g",
		                        fc_metric_name((fc_metric)j), best->metric[j]);
	if (len < sizeof m.metrics)
		snprintf(m.metrics + len, sizeof m.metrics - len, "}");
	len = 0;
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		for (size_t k = 0; k < r->n_members; k++) {
			const char *kind = r->members[k].model->type->name;
			size_t n = strlen(kind);
			const char *hit = strstr(m.kinds, kind);
			int seen = 0;
			while (hit && !seen) {
				seen = (hit == m.kinds || hit[-1] == ',') && (hit[n] == ',' || hit[n] == '\0');
				hit = strstr(hit + 1, kind);
			}
			if (!seen && len + n + 2 < sizeof m.kinds)
				len += (size_t)snprintf(m.kinds + len, sizeof m.kinds - len, "%s%s",
				                        len ? "," : "", kind);
		}
	}
	char *model_path = NULL;
	if (o->model_out) {
		model_path = strdup(o->model_out);
	} else {
		const char *base = strcmp(o->input, "-") == 0 ? "stdin" : o->input;
		size_t n = strlen(base) + 8;
		if ((model_path = malloc(n)))
			snprintf(model_path, n, "%s.model", base);
	}
	if (!model_path)
		return cli_fail(FC_ENOMEM, "out of memory");
	fc_err err;
	int rc = fc_registry_store(g->reg, model_path, m.file_hash, &err);
	if (!rc)
		rc = fc_registry_add_model(g->reg, &m, &err);
	if (!rc) {
		g->version = m.version;
		if (!o->quiet)
			fprintf(stderr, "forecast: registered %s@%ld (%s) in %s\n", m.name, m.version,
			        m.status, fc_registry_dir(g->reg));
	}
	free(model_path);
	return rc ? cli_fail(rc, err.msg) : 0;
}

int cli_reg_model_path(const cli_opts *o, cli_reg *g, char *path, size_t cap)
{
	struct stat sb;
	char db[4096];
	snprintf(db, sizeof db, "%s/registry.db", g->dir);
	int is_file = stat(o->model_in, &sb) == 0;
	fc_err err;
	snprintf(path, cap, "%s", o->model_in);
	/* a file named by --model wins unless --registry says otherwise, and
	 * without a registry the name is a file name as before */
	if ((is_file && !o->registry_given) || stat(db, &sb) != 0)
		goto file;
	fc_registry_model m;
	int rc = fc_registry_open(g->dir, 0, &g->reg, &err);
	if (!rc)
		rc = fc_registry_resolve(g->reg, o->model_in, &m, &err);
	if (rc && is_file) /* not a registered name: the file */
		goto file;
	if (rc)
		return cli_fail(rc, err.msg);
	g->wanted = 1;
	g->version = m.version;
	snprintf(g->name, sizeof g->name, "%s", m.name);
	snprintf(g->model_hash, sizeof g->model_hash, "%s", m.file_hash);
	fc_registry_model_path(g->reg, m.file_hash, path, cap);
	return 0;
file:
	/* a recorded run names the file's model by its hash (none when it
	 * cannot be read: loading it says why) */
	if (g->wanted && fc_registry_hash_file(path, g->model_hash, &err))
		g->model_hash[0] = '\0';
	return 0;
}

/* The counts of the last run to end, for retrain. */
static long last_series_forecast, last_fallbacks;

void cli_reg_last(long *series_forecast, long *fallbacks)
{
	*series_forecast = last_series_forecast;
	*fallbacks = last_fallbacks;
}

void cli_reg_end(cli_reg *g, const char *command, int argc, char **argv, const char *name,
                 int exit_status)
{
	fc_err err;
	last_series_forecast = g->series_forecast;
	last_fallbacks = g->fallbacks;
	if (!g->reg && g->wanted && fc_registry_open(g->dir, exit_status == EXIT_OK, &g->reg, &err)) {
		g->reg = NULL;
		if (exit_status == EXIT_OK) /* a failed run where there is no registry: nothing to say */
			fprintf(stderr, "forecast: warning: the run is not recorded: %s\n", err.msg);
	}
	if (g->reg) {
		/* the command line as typed (cli_reg_start), else as getopt left it */
		char joined[4096];
		size_t len = 0;
		joined[0] = '\0';
		for (int i = 0; i < argc && len < sizeof joined && !g->args[0]; i++)
			len += (size_t)snprintf(joined + len, sizeof joined - len, "%s%s", i ? " " : "",
			                        argv[i]);
		fc_registry_run run = {
			.command = command, .args = g->args[0] ? g->args : joined, .version = g->version,
			.name = name ? name : g->name[0] ? g->name : NULL,
			.started = g->started, .ended = wall_now(), .exit_status = exit_status,
			.rows_read = g->rows_read, .series_forecast = g->series_forecast,
			.fallbacks = g->fallbacks, .warnings = (long)(cli_warnings() - g->warned),
			.outputs = g->outputs, .decision = g->decision[0] ? g->decision : NULL,
			.model_hash = g->model_hash,
		};
		if (fc_registry_add_run(g->reg, &run, &err))
			fprintf(stderr, "forecast: warning: %s\n", err.msg);
	}
	if (g->lock)
		fc_registry_unlock(g->lock - 1);
	fc_registry_close(g->reg);
	g->reg = NULL;
	g->lock = 0;
}

/* ---- forecast registry ---- */

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast registry COMMAND [ARGS] [--registry DIR] [--format table|csv|json]\n"
	        "\n"
	        "The model registry: versions of named models and a record of every run.\n"
	        "\n"
	        "Commands:\n"
	        "  list                every version of every model\n"
	        "  show NAME[@V]       one version (default: the champion): metrics, options,\n"
	        "                      data fingerprint, lineage and promotions\n"
	        "  runs [NAME]         the recorded runs, newest first (a predict's with\n"
	        "                      the hash of the model file it used)\n"
	        "  promote NAME@V      make version V the champion (the old one is archived)\n"
	        "  rollback NAME       archive the champion; the previous champion returns\n"
	        "  diff NAME@A NAME@B  the fields where two versions differ\n"
	        "  gc                  remove model files no version references\n"
	        "  check               database integrity and every version's model file\n"
	        "\n"
	        "Options:\n"
	        "  --registry DIR      the registry (default $FORECAST_REGISTRY, else\n"
	        "                      ./forecast-registry)\n"
	        "  --format F          table (default), csv or json, for every command: CSV\n"
	        "                      with a header; JSON an array of rows, or one object\n"
	        "                      for show (with its lineage and promotions), promote,\n"
	        "                      rollback, gc and check\n"
	        "  --wait SECONDS      promote, rollback: wait this long for the name's lock\n"
	        "\n"
	        "Exit codes: 0 success, 2 bad command line or no such version to promote or\n"
	        "roll back to, 4 registry problem (missing, locked, newer schema).\n");
}

enum { FMT_TABLE, FMT_CSV, FMT_JSON };

/* The length of the UTF-8 sequence at s, 0 when it is not one (JSON must
 * be valid UTF-8; paths and arguments need not be). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = 0;
	if (s[0] < 0x80)
		n = 1;
	else if (s[0] >= 0xc2 && s[0] < 0xe0)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] < 0xf5)
		n = 4;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* s as a JSON string; a byte that is not UTF-8 becomes U+FFFD. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_len((const unsigned char *)s);
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else if (n == 0)
			fputs("\\ufffd", f);
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
	fputc('"', f);
}

static void cell(FILE *f, sqlite3_stmt *st, int j, int fmt)
{
	int type = sqlite3_column_type(st, j);
	const char *t = (const char *)sqlite3_column_text(st, j);
	if (fmt == FMT_JSON) {
		if (type == SQLITE_NULL || (type == SQLITE_FLOAT && !isfinite(sqlite3_column_double(st, j))))
			fputs("null", f); /* JSON has no inf */
		else if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
			fputs(t, f);
		else
			json_string(f, t);
	} else if (fmt == FMT_CSV) {
		fc_csv_field(f, t ? t : "");
	} else {
		fputs(type == SQLITE_NULL ? "-" : t, f);
	}
}

/* How print_rows lays rows out. */
enum {
	ROWS,      /* a table (a header, then a row per line, tab-separated), CSV
	            * with a header, or a JSON array of objects */
	VERTICAL,  /* table: one "column: value" line per column */
	OPEN       /* JSON: the first row as an object left open, for the
	            * caller to add members and close */
};

/* Prints every row of st as shape says.  Returns the number of rows, or
 * -1 on error. */
static long print_rows(FILE *f, sqlite3_stmt *st, int fmt, int shape)
{
	int nc = sqlite3_column_count(st);
	long n = 0;
	int rc;
	if (fmt == FMT_JSON && shape != OPEN)
		fputc('[', f);
	if (fmt != FMT_JSON && shape != VERTICAL) /* a header even without rows */
		for (int j = 0; j < nc; j++)
			fprintf(f, "%s%s", sqlite3_column_name(st, j), j + 1 < nc ? (fmt == FMT_CSV ? "," : "\t") : "\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (shape == OPEN && n) {
			n++;
			continue;
		}
		if (fmt == FMT_JSON)
			fputs(shape == OPEN ? "{" : n ? ",\n {" : "\n {", f);
		for (int j = 0; j < nc; j++) {
			if (fmt == FMT_JSON) {
				fprintf(f, "%s", j ? ", " : "");
				json_string(f, sqlite3_column_name(st, j));
				fputs(": ", f);
			} else if (shape == VERTICAL) {
				fprintf(f, "%s: ", sqlite3_column_name(st, j));
			}
			cell(f, st, j, fmt);
			if (fmt != FMT_JSON)
				fputs(shape == VERTICAL || j + 1 == nc ? "\n" : fmt == FMT_CSV ? "," : "\t", f);
		}
		if (fmt == FMT_JSON && shape != OPEN)
			fputc('}', f);
		n++;
	}
	if (fmt == FMT_JSON && shape != OPEN)
		fputs(n ? "\n]\n" : "]\n", f);
	return rc == SQLITE_DONE ? n : -1;
}

/* Runs sql with ?1 = a, ?2 = b, ?3 = c (each when given) and prints its
 * rows. */
static int query(fc_registry *r, const char *sql, const char *a, long b, const char *c, int fmt,
                 int shape)
{
	sqlite3 *db = fc_registry_db(r);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		char msg[FC_ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "registry: %s", sqlite3_errmsg(db));
		return cli_fail(FC_EIO, msg);
	}
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_int64(st, 2, b);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	long n = print_rows(stdout, st, fmt, shape);
	sqlite3_finalize(st);
	return n < 0 ? cli_fail(FC_EIO, "registry: query failed") : EXIT_OK;
}

#define SHOW_SQL "SELECT name, version, status, created, kinds, parent, fingerprint, " \
	"fingerprint_algo, n_rows, " \
	"n_series, time_first, time_last, metric, score, metrics, replace(options, char(9), ' ') " \
	"AS options, file_hash, rolled_back"

/* One version: its fields; its lineage (the parents, newest first) and
 * promotions as lines of the table, columns of the CSV, arrays of the
 * JSON object. */
static int show(fc_registry *r, const char *spec, int fmt)
{
	fc_registry_model m;
	fc_err err;
	int rc = fc_registry_resolve(r, spec, &m, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	long lineage[256];
	size_t n_lineage = 0;
	for (long v = m.version; v > 0 && n_lineage < sizeof lineage / sizeof *lineage;) {
		fc_registry_model p;
		lineage[n_lineage++] = v;
		v = v == m.version ? m.parent :
		    fc_registry_get(r, m.name, v, &p, &err) || p.parent >= v ? 0 : p.parent;
	}
	char text[4096];
	size_t len = 0;
	text[0] = '\0';
	for (size_t i = 0; i < n_lineage && len < sizeof text; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%s@%ld", i ? " <- " : "",
		                        m.name, lineage[i]);
	if (fmt == FMT_CSV)
		return query(r, SHOW_SQL ", ?3 AS lineage, (SELECT group_concat(p, '; ') FROM (SELECT "
		             "version || ' at ' || at || ': ' || reason AS p FROM promotions WHERE name = "
		             "?1 ORDER BY id)) AS promotions FROM models WHERE name = ?1 AND version = ?2",
		             m.name, m.version, text, fmt, ROWS);
	rc = query(r, SHOW_SQL " FROM models WHERE name = ?1 AND version = ?2", m.name, m.version,
	           NULL, fmt, fmt == FMT_JSON ? OPEN : VERTICAL);
	if (rc)
		return rc;
	if (fmt == FMT_JSON) {
		fputs(", \"lineage\": [", stdout);
		for (size_t i = 0; i < n_lineage; i++)
			printf("%s%ld", i ? ", " : "", lineage[i]);
		fputs("], \"promotions\": ", stdout);
	} else {
		printf("lineage: %s\npromotions:\n", text);
	}
	rc = query(r, "SELECT version, at, reason FROM promotions WHERE name = ?1 ORDER BY id",
	           m.name, 0, NULL, fmt, ROWS);
	if (fmt == FMT_JSON)
		fputs("}\n", stdout);
	return rc;
}

static int diff(fc_registry *r, const char *a, const char *b, int fmt)
{
	fc_registry_model x, y;
	fc_err err;
	int rc = fc_registry_resolve(r, a, &x, &err);
	if (!rc)
		rc = fc_registry_resolve(r, b, &y, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	char sx[64], sy[64], vx[32], vy[32], rx[32], ry[32], nx[32], ny[32];
	/* the options as show prints them: tabs would split the table's cells */
	for (char *t = x.options; (t = strchr(t, '\t')); )
		*t = ' ';
	for (char *t = y.options; (t = strchr(t, '\t')); )
		*t = ' ';
	snprintf(sx, sizeof sx, "%.10g", x.score);
	snprintf(sy, sizeof sy, "%.10g", y.score);
	snprintf(vx, sizeof vx, "%ld", x.parent);
	snprintf(vy, sizeof vy, "%ld", y.parent);
	snprintf(rx, sizeof rx, "%ld", x.n_rows);
	snprintf(ry, sizeof ry, "%ld", y.n_rows);
	snprintf(nx, sizeof nx, "%ld", x.n_series);
	snprintf(ny, sizeof ny, "%ld", y.n_series);
	const struct { const char *field, *a, *b; } rows[] = {
		{"status", x.status, y.status}, {"kinds", x.kinds, y.kinds},
		{"parent", vx, vy}, {"fingerprint", x.fingerprint, y.fingerprint},
		{"fingerprint_algo", x.fingerprint_algo, y.fingerprint_algo},
		{"n_rows", rx, ry}, {"n_series", nx, ny},
		{"time_first", x.time_first, y.time_first}, {"time_last", x.time_last, y.time_last},
		{"options", x.options, y.options}, {"metric", x.metric, y.metric},
		{"score", sx, sy}, {"metrics", x.metrics, y.metrics},
		{"file_hash", x.file_hash, y.file_hash},
	};
	if (fmt == FMT_JSON)
		fputc('[', stdout);
	else
		printf(fmt == FMT_CSV ? "field,%s@%ld,%s@%ld\n" : "field\t%s@%ld\t%s@%ld\n",
		       x.name, x.version, y.name, y.version);
	int n = 0;
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		if (strcmp(rows[i].a, rows[i].b) == 0)
			continue;
		if (fmt == FMT_JSON) {
			fputs(n ? ",\n {\"field\": " : "\n {\"field\": ", stdout);
			json_string(stdout, rows[i].field);
			fputs(", \"a\": ", stdout);
			json_string(stdout, rows[i].a);
			fputs(", \"b\": ", stdout);
			json_string(stdout, rows[i].b);
			fputc('}', stdout);
		} else if (fmt == FMT_CSV) {
			printf("%s,", rows[i].field);
			fc_csv_field(stdout, rows[i].a);
			fputc(',', stdout);
			fc_csv_field(stdout, rows[i].b);
			fputc('\n', stdout);
		} else {
			printf("%s\t%s\t%s\n", rows[i].field, rows[i].a, rows[i].b);
		}
		n++;
	}
	if (fmt == FMT_JSON)
		fputs(n ? "\n]\n" : "]\n", stdout);
	return EXIT_OK;
}

/* The one-row result of promote, rollback, gc and check, for csv and
 * json (a CSV header and row, a JSON object); sql selects it from the
 * bound values. */
static int result(fc_registry *r, int fmt, const char *sql, const char *a, long b, const char *c)
{
	int rc = query(r, sql, a, b, c, fmt, fmt == FMT_JSON ? OPEN : ROWS);
	if (!rc && fmt == FMT_JSON)
		fputs("}\n", stdout);
	return rc;
}

/* promote and rollback: under the name's writer lock. */
static int change(fc_registry *r, const char *sub, const char *spec, double wait, int fmt)
{
	fc_err err;
	fc_registry_model m;
	char name[FC_REGISTRY_NAME_MAX + 1];
	int rc = 0, fd = -1;
	long version = 0;
	if (strcmp(sub, "promote") == 0) {
		if (!strchr(spec, '@')) {
			fprintf(stderr, "forecast: error: promote takes NAME@VERSION, got '%s'\n", spec);
			return EXIT_USAGE;
		}
		if ((rc = fc_registry_resolve(r, spec, &m, &err)))
			return cli_fail(rc == FC_EIO ? FC_EINVAL : rc, err.msg);
		snprintf(name, sizeof name, "%s", m.name);
		version = m.version;
	} else {
		if (!fc_registry_name_ok(spec)) {
			fprintf(stderr, "forecast: error: rollback takes a model NAME, got '%s'\n", spec);
			return EXIT_USAGE;
		}
		snprintf(name, sizeof name, "%s", spec);
	}
	if ((rc = fc_registry_lock(r, name, wait, &fd, &err)))
		return cli_fail(rc, err.msg);
	if (version)
		rc = fc_registry_promote(r, name, version, "promoted by hand", &err);
	else
		rc = fc_registry_rollback(r, name, &version, &err);
	fc_registry_unlock(fd);
	if (rc)
		return cli_fail(rc, err.msg);
	if (fmt != FMT_TABLE)
		return result(r, fmt, "SELECT ?1 AS name, ?2 AS version, 'champion' AS status", name,
		              version, NULL);
	printf("%s@%ld is the champion\n", name, version);
	return EXIT_OK;
}

int cmd_registry(int argc, char **argv)
{
	const char *dir = NULL, *pos[3] = {NULL, NULL, NULL};
	int fmt = FMT_TABLE, npos = 0;
	double wait = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if ((strcmp(a, "--registry") == 0 || strcmp(a, "--format") == 0 ||
		     strcmp(a, "--wait") == 0) && i + 1 < argc) {
			const char *v = argv[++i];
			if (a[2] == 'r') {
				dir = v;
			} else if (a[2] == 'w') {
				char *end;
				wait = strtod(v, &end);
				if (end == v || *end || !(wait >= 0 && wait <= 1e6)) {
					fprintf(stderr, "forecast: error: --wait: expected seconds, got '%s'\n", v);
					return EXIT_USAGE;
				}
			} else if (strcmp(v, "table") == 0 || strcmp(v, "csv") == 0 || strcmp(v, "json") == 0) {
				fmt = v[0] == 't' ? FMT_TABLE : v[0] == 'c' ? FMT_CSV : FMT_JSON;
			} else {
				fprintf(stderr, "forecast: error: --format: expected table, csv or json, got '%s'\n", v);
				return EXIT_USAGE;
			}
			continue;
		}
		if (a[0] == '-' || npos == 3) {
			fprintf(stderr, "forecast: error: unexpected argument '%s'\n"
			                "Try 'forecast registry --help' for more information.\n", a);
			return EXIT_USAGE;
		}
		pos[npos++] = a;
	}
	static const struct { const char *name; int args; } subs[] = {
		{"list", 0}, {"show", 1}, {"runs", -1}, {"promote", 1}, {"rollback", 1}, {"diff", 2},
		{"gc", 0}, {"check", 0},
	};
	size_t s = 0;
	while (npos && s < sizeof subs / sizeof *subs && strcmp(subs[s].name, pos[0]) != 0)
		s++;
	if (!npos || s == sizeof subs / sizeof *subs ||
	    (subs[s].args >= 0 && npos - 1 != subs[s].args) || (subs[s].args < 0 && npos > 2)) {
		fprintf(stderr, "forecast: error: %s%s\nTry 'forecast registry --help' for more information.\n",
		        !npos ? "no registry command given" : s == sizeof subs / sizeof *subs ?
		        "unknown registry command " : "wrong number of arguments for ",
		        npos ? pos[0] : "");
		return EXIT_USAGE;
	}
	cli_opts o;
	memset(&o, 0, sizeof o);
	o.registry = dir;
	fc_registry *r = NULL;
	fc_err err;
	int rc = fc_registry_open(cli_registry_dir(&o), 0, &r, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	const char *sub = pos[0];
	char count[32];
	if (strcmp(sub, "list") == 0) {
		rc = query(r, "SELECT name, version, status, created, kinds, metric, score, n_series, "
		           "time_last, parent FROM models ORDER BY name, version",
		           NULL, 0, NULL, fmt, ROWS);
	} else if (strcmp(sub, "show") == 0) {
		rc = show(r, pos[1], fmt);
	} else if (strcmp(sub, "runs") == 0) {
		rc = query(r, "SELECT id, command, args, datetime(started, 'unixepoch') AS started, "
		           "round(ended - started, 3) AS seconds, exit_status, name, version, model_hash, "
		           "rows_read, "
		           "series_forecast, fallbacks, warnings, decision, replace(outputs, char(10), "
		           "'; ') AS outputs FROM runs WHERE ?1 IS NULL OR name = ?1 ORDER BY id DESC",
		           pos[1], 0, NULL, fmt, ROWS);
	} else if (strcmp(sub, "promote") == 0 || strcmp(sub, "rollback") == 0) {
		rc = change(r, sub, pos[1], wait, fmt);
	} else if (strcmp(sub, "diff") == 0) {
		rc = diff(r, pos[1], pos[2], fmt);
	} else if (strcmp(sub, "check") == 0) {
		size_t versions = 0;
		if ((rc = fc_registry_check(r, &versions, &err))) {
			rc = cli_fail(rc, err.msg);
		} else {
			snprintf(count, sizeof count, "%zu", versions);
			if (fmt == FMT_TABLE)
				printf("ok: %s versions\n", count);
			else
				rc = result(r, fmt, "SELECT 'ok' AS status, CAST(?3 AS INTEGER) AS versions",
				            NULL, 0, count);
		}
	} else {
		size_t removed = 0;
		if ((rc = fc_registry_gc(r, &removed, &err))) {
			rc = cli_fail(rc, err.msg);
		} else {
			snprintf(count, sizeof count, "%zu", removed);
			if (fmt == FMT_TABLE)
				printf("%s files removed\n", count);
			else
				rc = result(r, fmt, "SELECT CAST(?3 AS INTEGER) AS removed", NULL, 0, count);
		}
	}
	fc_registry_close(r);
	return rc;
}
