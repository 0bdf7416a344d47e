/* Unit tests of the model registry: a fresh schema, the migrations from
 * schema 1 and from schema 2 (model files renamed from the wrong FNV
 * offset basis, also from the states a crash leaves), refusal of a newer
 * schema, promotion and rollback rules, the content-addressed store and
 * gc, and the writer lock. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "forecast/artifact.h"
#include "forecast/registry.h"

static char dir[256];

static void make_tmp(void)
{
	snprintf(dir, sizeof dir, "%s/fc-registry-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static long int_query(fc_registry *r, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(fc_registry_db(r), sql, -1, &st, NULL), SQLITE_OK);
	long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

static void add(fc_registry *r, const char *name, fc_registry_model *m)
{
	fc_err err;
	memset(m, 0, sizeof *m);
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->kinds, sizeof m->kinds, "ets");
	snprintf(m->fingerprint, sizeof m->fingerprint, "0123456789abcdef");
	snprintf(m->metric, sizeof m->metric, "mase");
	snprintf(m->metrics, sizeof m->metrics, "{}");
	snprintf(m->file_hash, sizeof m->file_hash, "fedcba9876543210");
	m->score = 1.0;
	ck_assert_int_eq(fc_registry_add_model(r, m, &err), 0);
}

START_TEST(test_fresh_schema)
{
	make_tmp();
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 1, &r, &err), 0);
	ck_assert_int_eq(int_query(r, "PRAGMA user_version"), FC_REGISTRY_SCHEMA);
	ck_assert_int_eq(int_query(r, "SELECT count(*) FROM sqlite_master WHERE name IN "
	                          "('models', 'runs', 'promotions')"), 3);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(fc_registry_db(r), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	fc_registry_close(r);
	/* without create, a missing registry is an error, not a new one */
	char missing[300];
	snprintf(missing, sizeof missing, "%s/nothing", dir);
	ck_assert_int_eq(fc_registry_open(missing, 0, &r, &err), FC_EIO);
	struct stat sb;
	ck_assert_int_ne(stat(missing, &sb), 0);
	rm_tmp();
}
END_TEST

START_TEST(test_migrate_from_v1)
{
	make_tmp();
	char path[300];
	snprintf(path, sizeof path, "%s/registry.db", dir);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	/* schema 1 as released, with a champion and a candidate */
	ck_assert_int_eq(sqlite3_exec(db,
		"CREATE TABLE models (name TEXT NOT NULL, version INTEGER NOT NULL, kinds TEXT NOT NULL,"
		" created TEXT NOT NULL, parent INTEGER, fingerprint TEXT NOT NULL,"
		" n_rows INTEGER NOT NULL, n_series INTEGER NOT NULL, time_first TEXT, time_last TEXT,"
		" options TEXT NOT NULL, metric TEXT NOT NULL, score REAL, metrics TEXT NOT NULL,"
		" status TEXT NOT NULL CHECK (status IN ('candidate','champion','archived')),"
		" file_hash TEXT NOT NULL, PRIMARY KEY (name, version));"
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, command TEXT NOT NULL, args TEXT NOT NULL,"
		" started REAL NOT NULL, ended REAL NOT NULL, exit_status INTEGER NOT NULL,"
		" name TEXT, version INTEGER, rows_read INTEGER, series_forecast INTEGER,"
		" fallbacks INTEGER, warnings INTEGER, outputs TEXT, decision TEXT);"
		"INSERT INTO models VALUES ('old', 1, 'ets', '2020-01-01T00:00:00Z', NULL, 'f', 10, 1,"
		" '2019', '2020', '', 'mase', 0.5, '{}', 'champion', 'aaaaaaaaaaaaaaaa');"
		"INSERT INTO models VALUES ('old', 2, 'ets', '2020-02-01T00:00:00Z', 1, 'f', 10, 1,"
		" '2019', '2020', '', 'mase', 0.4, '{}', 'candidate', 'bbbbbbbbbbbbbbbb');"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 0, &r, &err), 0);
	ck_assert_int_eq(int_query(r, "PRAGMA user_version"), FC_REGISTRY_SCHEMA);
	ck_assert_int_eq(int_query(r, "SELECT count(*) FROM models"), 2);
	ck_assert_int_eq(int_query(r, "SELECT version FROM promotions WHERE name = 'old'"), 1);
	ck_assert_int_eq(int_query(r, "SELECT sum(rolled_back) FROM models"), 0);
	fc_registry_model m;
	ck_assert_int_eq(fc_registry_resolve(r, "old", &m, &err), 0);
	ck_assert_int_eq(m.version, 1);
	ck_assert_double_eq_tol(m.score, 0.5, 1e-12);
	/* the migrated registry works: promote 2, roll back to 1 */
	ck_assert_int_eq(fc_registry_promote(r, "old", 2, "test", &err), 0);
	long v = 0;
	ck_assert_int_eq(fc_registry_rollback(r, "old", &v, &err), 0);
	ck_assert_int_eq(v, 1);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	make_tmp();
	char path[300];
	snprintf(path, sizeof path, "%s/registry.db", dir);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99;",
	                              NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 1, &r, &err), FC_EFORMAT);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(err.msg, "schema version 99"));
	/* and it was left alone */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 99);
	sqlite3_finalize(st);
	sqlite3_close(db);
	rm_tmp();
}
END_TEST

START_TEST(test_promotion_rules)
{
	make_tmp();
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 1, &r, &err), 0);
	fc_registry_model m1, m2, m3, other;
	add(r, "sales", &m1);
	add(r, "sales", &m2);
	add(r, "sales", &m3);
	add(r, "other", &other);
	/* the first version is champion, later ones candidates of it */
	ck_assert_int_eq(m1.version, 1);
	ck_assert_str_eq(m1.status, FC_STATUS_CHAMPION);
	ck_assert_int_eq(m1.parent, 0);
	ck_assert_int_eq(m3.version, 3);
	ck_assert_str_eq(m3.status, FC_STATUS_CANDIDATE);
	ck_assert_int_eq(m3.parent, 1);
	ck_assert_int_eq(other.version, 1);
	ck_assert_str_eq(other.status, FC_STATUS_CHAMPION);
	fc_registry_model got;
	ck_assert_int_eq(fc_registry_resolve(r, "sales", &got, &err), 0);
	ck_assert_int_eq(got.version, 1);
	ck_assert_int_eq(fc_registry_resolve(r, "sales@2", &got, &err), 0);
	ck_assert_str_eq(got.status, FC_STATUS_CANDIDATE);
	ck_assert_int_eq(fc_registry_resolve(r, "sales@9", &got, &err), FC_EIO);
	ck_assert_int_eq(fc_registry_resolve(r, "sales@", &got, &err), FC_EINVAL);
	ck_assert_int_eq(fc_registry_resolve(r, "../x", &got, &err), FC_EINVAL);
	/* promote 3: one champion, the old one archived */
	ck_assert_int_eq(fc_registry_promote(r, "sales", 3, "test", &err), 0);
	ck_assert_int_eq(int_query(r, "SELECT count(*) FROM models WHERE name = 'sales' AND status = 'champion'"), 1);
	ck_assert_int_eq(fc_registry_get(r, "sales", 1, &got, &err), 0);
	ck_assert_str_eq(got.status, FC_STATUS_ARCHIVED);
	ck_assert_int_eq(fc_registry_resolve(r, "sales", &got, &err), 0);
	ck_assert_int_eq(got.version, 3);
	/* another name is untouched */
	ck_assert_int_eq(fc_registry_resolve(r, "other", &got, &err), 0);
	ck_assert_str_eq(got.status, FC_STATUS_CHAMPION);
	/* rollback: 1 returns, 3 is marked and never returns */
	long v = 0;
	ck_assert_int_eq(fc_registry_rollback(r, "sales", &v, &err), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(fc_registry_get(r, "sales", 3, &got, &err), 0);
	ck_assert_str_eq(got.status, FC_STATUS_ARCHIVED);
	ck_assert_int_eq(fc_registry_rollback(r, "sales", &v, &err), FC_EINVAL);
	ck_assert_int_eq(fc_registry_resolve(r, "sales", &got, &err), 0);
	ck_assert_int_eq(got.version, 1);
	/* promote 2, roll back: 1 again (not 3) */
	ck_assert_int_eq(fc_registry_promote(r, "sales", 2, "test", &err), 0);
	ck_assert_int_eq(fc_registry_rollback(r, "sales", &v, &err), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(fc_registry_promote(r, "sales", 7, "test", &err), FC_EIO);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

START_TEST(test_store_and_gc)
{
	make_tmp();
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 1, &r, &err), 0);
	char src[300], h1[17], h2[17], h3[17], path[400];
	snprintf(src, sizeof src, "%s/a.model", dir);
	FILE *f = fopen(src, "w");
	ck_assert_ptr_nonnull(f);
	fputs("forecast-model\t2\n", f);
	fclose(f);
	ck_assert_int_eq(fc_registry_store(r, src, h1, &err), 0);
	ck_assert_int_eq(fc_registry_store(r, src, h2, &err), 0);
	ck_assert_str_eq(h1, h2);
	ck_assert_uint_eq(strlen(h1), 16);
	f = fopen(src, "a");
	fputs("x\n", f);
	fclose(f);
	ck_assert_int_eq(fc_registry_store(r, src, h3, &err), 0);
	ck_assert_str_ne(h1, h3);
	/* h1 is referenced by a version, h3 is not; a dead writer's temporary
	 * file is removed too */
	fc_registry_model m;
	memset(&m, 0, sizeof m);
	snprintf(m.name, sizeof m.name, "n");
	snprintf(m.file_hash, sizeof m.file_hash, "%s", h1);
	m.score = NAN;
	ck_assert_int_eq(fc_registry_add_model(r, &m, &err), 0);
	snprintf(path, sizeof path, "%s/models/%s.tmp.999999999", dir, h3);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	size_t removed = 0;
	ck_assert_int_eq(fc_registry_gc(r, &removed, &err), 0);
	ck_assert_uint_eq(removed, 2);
	struct stat sb;
	fc_registry_model_path(r, h1, path, sizeof path);
	ck_assert_int_eq(stat(path, &sb), 0);
	fc_registry_model_path(r, h3, path, sizeof path);
	ck_assert_int_ne(stat(path, &sb), 0);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

/* ---- schema 2 -> 3 -------------------------------------------------- */

/* 64-bit FNV-1a of a file with offset basis `basis`, written out here as
 * the oracle: 1469598103934665603 (schemas 1-2) or the standard
 * 14695981039346656037. */
static void fnv_file(const char *path, uint64_t basis, char hex[17])
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	uint64_t h = basis;
	int c;
	while ((c = getc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 1099511628211ULL;
	fclose(f);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}
#define OLD_BASIS 1469598103934665603ULL
#define STD_BASIS 14695981039346656037ULL

/* A small model file at path: the baselines on two series, horizon h. */
static void write_model(const char *path, size_t h)
{
	static double y0[40], y1[40];
	static const char *v0[] = {"a"}, *v1[] = {"b"};
	static char *gnames[] = {"store"};
	static const double week = 7;
	for (int i = 0; i < 40; i++) {
		y0[i] = 10 + (i % 7) + 0.1 * i;
		y1[i] = 100 - i + (i % 3);
	}
	fc_panel p;
	fc_series sr[2];
	memset(&p, 0, sizeof p);
	memset(sr, 0, sizeof sr);
	p.path = "sales.csv";
	p.time_name = "date";
	p.target_name = "sales";
	p.n_groups = 1;
	p.group_names = gnames;
	p.style = (fc_time_style){FC_STYLE_DATE, 0};
	p.freq = (fc_freq){FC_UNIT_DAY, 1, 0};
	p.n_seasons = 1;
	p.seasons[0] = 7;
	p.n_series = 2;
	p.series = sr;
	for (int k = 0; k < 2; k++) {
		sr[k].key = k ? "store=b" : "store=a";
		sr[k].group_values = k ? v1 : v0;
		sr[k].n_groups = 1;
		sr[k].start = fc_time_from_civil(2024, 1, 1, 0, 0, 0);
		sr[k].n = 40;
		sr[k].y = k ? y1 : y0;
		sr[k].n_seasons = 1;
		sr[k].seasons = &week;
	}
	fc_model *c[3];
	for (size_t k = 0; k < 3; k++)
		c[k] = fc_model_alloc(fc_model_kind_at(k), NULL);
	fc_cv_opts o = {.horizon = h, .folds = 2, .n_levels = 1, .levels = {80},
	                .metric = FC_METRIC_MASE, .n_candidates = 3, .candidates = c, .forecast = 1};
	fc_run *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_cv_run(&p, &o, &r, &err), 0);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fc_artifact_write(f, &p, r, &o, FC_AGG_SUM, &err), 0);
	ck_assert_int_eq(fclose(f), 0);
	fc_run_free(r);
	for (int k = 0; k < 3; k++)
		fc_model_free(c[k]);
}

/* Each series' first-member forecast of the model file at path. */
static void forecast_of(const char *path, double *out, size_t h)
{
	fc_artifact *a = NULL;
	fc_err err;
	ck_assert_msg(fc_artifact_load(path, &a, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(a->n_series, 2);
	for (size_t i = 0; i < 2; i++) {
		fc_forecast fc;
		ck_assert_int_eq(fc_forecast_init(&fc, h, NULL, 0, NULL), 0);
		ck_assert_int_eq(fc_model_forecast(a->series[i].members[0].model, &fc, NULL), 0);
		memcpy(out + i * h, fc.mean, h * sizeof *out);
		fc_forecast_dispose(&fc);
	}
	fc_artifact_free(a);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

static int exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* A schema-2 registry in dir as schema 2 made it: two model files stored
 * under their old-basis hashes (oa, ob), versions m@1 (champion) and m@3
 * using A, m@2 using B, and the originals kept in dir/a.model, b.model. */
static void make_v2(char oa[17], char ob[17])
{
	char a[300], b[300], path[400], sql[2048];
	snprintf(a, sizeof a, "%s/a.model", dir);
	snprintf(b, sizeof b, "%s/b.model", dir);
	write_model(a, 5);
	write_model(b, 6);
	fnv_file(a, OLD_BASIS, oa);
	fnv_file(b, OLD_BASIS, ob);
	snprintf(path, sizeof path, "%s/models", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof path, "%s/models/%s", dir, oa);
	copy_file(a, path);
	snprintf(path, sizeof path, "%s/models/%s", dir, ob);
	copy_file(b, path);
	snprintf(path, sizeof path, "%s/registry.db", dir);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql,
		"CREATE TABLE models (name TEXT NOT NULL, version INTEGER NOT NULL, kinds TEXT NOT NULL,"
		" created TEXT NOT NULL, parent INTEGER, fingerprint TEXT NOT NULL,"
		" n_rows INTEGER NOT NULL, n_series INTEGER NOT NULL, time_first TEXT, time_last TEXT,"
		" options TEXT NOT NULL, metric TEXT NOT NULL, score REAL, metrics TEXT NOT NULL,"
		" status TEXT NOT NULL CHECK (status IN ('candidate','champion','archived')),"
		" file_hash TEXT NOT NULL, rolled_back INTEGER NOT NULL DEFAULT 0,"
		" PRIMARY KEY (name, version));"
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, command TEXT NOT NULL, args TEXT NOT NULL,"
		" started REAL NOT NULL, ended REAL NOT NULL, exit_status INTEGER NOT NULL,"
		" name TEXT, version INTEGER, rows_read INTEGER, series_forecast INTEGER,"
		" fallbacks INTEGER, warnings INTEGER, outputs TEXT, decision TEXT);"
		"CREATE TABLE promotions (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
		" version INTEGER NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL);"
		"CREATE UNIQUE INDEX one_champion ON models(name) WHERE status = 'champion';"
		"INSERT INTO models VALUES ('m', 1, 'naive', '2025-01-01T00:00:00Z', NULL,"
		" '0011223344556677', 80, 2, '2024-01-01', '2024-02-09', '', 'mase', 0.5, '{}',"
		" 'champion', '%s', 0);"
		"INSERT INTO models VALUES ('m', 2, 'naive', '2025-01-02T00:00:00Z', 1,"
		" '0011223344556677', 80, 2, '2024-01-01', '2024-02-09', '', 'mase', 0.4, '{}',"
		" 'candidate', '%s', 0);"
		"INSERT INTO models VALUES ('m', 3, 'naive', '2025-01-03T00:00:00Z', 1,"
		" '0011223344556677', 80, 2, '2024-01-01', '2024-02-09', '', 'mase', 0.4, '{}',"
		" 'candidate', '%s', 0);"
		"INSERT INTO promotions (name, version, at, reason) VALUES"
		" ('m', 1, '2025-01-01T00:00:00Z', 'first');"
		"PRAGMA user_version = 2;", oa, ob, oa);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void text_query(fc_registry *r, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(fc_registry_db(r), sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The migrated registry: rows on the standard hashes, the files under
 * them only, old fingerprints marked, and the models load and forecast
 * as the originals do. */
static void check_v3(fc_registry *r, const char *oa, const char *ob)
{
	char a[300], b[300], na[17], nb[17], got[40], path[400];
	snprintf(a, sizeof a, "%s/a.model", dir);
	snprintf(b, sizeof b, "%s/b.model", dir);
	fnv_file(a, STD_BASIS, na);
	fnv_file(b, STD_BASIS, nb);
	ck_assert_str_ne(na, oa);
	ck_assert_int_eq(int_query(r, "PRAGMA user_version"), 3);
	text_query(r, "SELECT file_hash FROM models WHERE version = 1", got, sizeof got);
	ck_assert_str_eq(got, na);
	text_query(r, "SELECT file_hash FROM models WHERE version = 2", got, sizeof got);
	ck_assert_str_eq(got, nb);
	text_query(r, "SELECT file_hash FROM models WHERE version = 3", got, sizeof got);
	ck_assert_str_eq(got, na);
	ck_assert_int_eq(int_query(r, "SELECT count(*) FROM models WHERE fingerprint_algo = '"
	                          FC_FINGERPRINT_ALGO_V2 "'"), 3);
	ck_assert_int_eq(int_query(r, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = "
	                          "'model_hash'"), 1);
	fc_registry_model_path(r, oa, path, sizeof path);
	ck_assert(!exists(path));
	fc_registry_model_path(r, ob, path, sizeof path);
	ck_assert(!exists(path));
	size_t versions = 0;
	fc_err err;
	ck_assert_msg(fc_registry_check(r, &versions, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(versions, 3);
	/* the champion's file loads and forecasts as the original */
	fc_registry_model m;
	ck_assert_int_eq(fc_registry_resolve(r, "m", &m, &err), 0);
	ck_assert_int_eq(m.version, 1);
	ck_assert_str_eq(m.fingerprint_algo, FC_FINGERPRINT_ALGO_V2);
	fc_registry_model_path(r, m.file_hash, path, sizeof path);
	double want[10], have[10];
	forecast_of(a, want, 5);
	forecast_of(path, have, 5);
	for (size_t i = 0; i < 10; i++)
		ck_assert(want[i] == have[i] && isfinite(have[i]));
	ck_assert_int_eq(fc_registry_resolve(r, "m@2", &m, &err), 0);
	fc_registry_model_path(r, m.file_hash, path, sizeof path);
	double want6[12], have6[12];
	forecast_of(b, want6, 6);
	forecast_of(path, have6, 6);
	for (size_t i = 0; i < 12; i++)
		ck_assert(want6[i] == have6[i] && isfinite(have6[i]));
}

START_TEST(test_migrate_from_v2)
{
	make_tmp();
	char oa[17], ob[17];
	make_v2(oa, ob);
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_msg(fc_registry_open(dir, 0, &r, &err) == 0, "%s", err.msg);
	check_v3(r, oa, ob);
	/* a version added now has the new fingerprint algorithm */
	fc_registry_model m;
	add(r, "m", &m);
	ck_assert_int_eq(fc_registry_get(r, "m", 4, &m, &err), 0);
	ck_assert_str_eq(m.fingerprint_algo, FC_FINGERPRINT_ALGO);
	fc_registry_close(r);
	/* opening it again changes nothing */
	ck_assert_int_eq(fc_registry_open(dir, 0, &r, &err), 0);
	ck_assert_int_eq(int_query(r, "SELECT count(*) FROM models WHERE fingerprint_algo = '"
	                          FC_FINGERPRINT_ALGO_V2 "'"), 3);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

/* A crash inside the migration's transaction: schema 2 still, one file
 * already linked under its new name (and a copy's temporary file); the
 * next open completes it. */
START_TEST(test_migrate_v2_after_crash_before_commit)
{
	make_tmp();
	char oa[17], ob[17], na[17], a[300], from[400], to[400];
	make_v2(oa, ob);
	snprintf(a, sizeof a, "%s/a.model", dir);
	fnv_file(a, STD_BASIS, na);
	snprintf(from, sizeof from, "%s/models/%s", dir, oa);
	snprintf(to, sizeof to, "%s/models/%s", dir, na);
	ck_assert_int_eq(link(from, to), 0);
	snprintf(to, sizeof to, "%s/models/%s.tmp.999999999", dir, na);
	copy_file(a, to);
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_msg(fc_registry_open(dir, 0, &r, &err) == 0, "%s", err.msg);
	check_v3(r, oa, ob);
	size_t removed = 0;
	ck_assert_int_eq(fc_registry_gc(r, &removed, &err), 0);
	ck_assert_uint_eq(removed, 1); /* the dead copy's temporary file */
	size_t versions;
	ck_assert_int_eq(fc_registry_check(r, &versions, &err), 0);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

/* A crash after the commit, before the old names were removed: schema 3
 * with an old name left over, which nothing uses and gc removes. */
START_TEST(test_migrate_v2_after_crash_after_commit)
{
	make_tmp();
	char oa[17], ob[17], a[300], path[400];
	make_v2(oa, ob);
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 0, &r, &err), 0);
	fc_registry_close(r);
	snprintf(a, sizeof a, "%s/a.model", dir);
	snprintf(path, sizeof path, "%s/models/%s", dir, oa);
	copy_file(a, path); /* the old name, as the crash left it */
	ck_assert_int_eq(fc_registry_open(dir, 0, &r, &err), 0);
	size_t versions = 0;
	ck_assert_int_eq(fc_registry_check(r, &versions, &err), 0);
	ck_assert_uint_eq(versions, 3);
	ck_assert(exists(path));
	size_t removed = 0;
	ck_assert_int_eq(fc_registry_gc(r, &removed, &err), 0);
	ck_assert_uint_eq(removed, 1);
	check_v3(r, oa, ob);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

START_TEST(test_lock)
{
	make_tmp();
	fc_registry *r = NULL;
	fc_err err;
	ck_assert_int_eq(fc_registry_open(dir, 1, &r, &err), 0);
	int a = -1, b = -1, c = -1;
	ck_assert_int_eq(fc_registry_lock(r, "sales", 0, &a, &err), 0);
	/* flock locks belong to open files: a second open conflicts, as a
	 * second process would */
	ck_assert_int_eq(fc_registry_lock(r, "sales", 0, &b, &err), FC_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "another forecast process"));
	double t0 = mono();
	ck_assert_int_eq(fc_registry_lock(r, "sales", 0.3, &b, &err), FC_EIO);
	ck_assert(mono() - t0 >= 0.29);
	ck_assert_int_eq(fc_registry_lock(r, "other", 0, &c, &err), 0);
	/* a child waits for the lock and gets it once the parent lets go */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int d = -1;
		close(a); /* the parent's lock is shared through the inherited file */
		_exit(fc_registry_lock(r, "sales", 5, &d, &err) == 0 ? 0 : 1);
	}
	struct timespec nap = {0, 200 * 1000 * 1000};
	nanosleep(&nap, NULL);
	fc_registry_unlock(a);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	fc_registry_unlock(c);
	fc_registry_unlock(-1);
	fc_registry_close(r);
	rm_tmp();
}
END_TEST

START_TEST(test_names)
{
	ck_assert(fc_registry_name_ok("sales"));
	ck_assert(fc_registry_name_ok("sales-2024_v1.x"));
	ck_assert(!fc_registry_name_ok(""));
	ck_assert(!fc_registry_name_ok(".hidden"));
	ck_assert(!fc_registry_name_ok("a/b"));
	ck_assert(!fc_registry_name_ok("a@1"));
	char long_name[80];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	ck_assert(!fc_registry_name_ok(long_name));
	long_name[64] = '\0';
	ck_assert(fc_registry_name_ok(long_name));
}
END_TEST

int main(void)
{
	gsl_set_error_handler_off();
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fresh_schema);
	tcase_add_test(tc, test_migrate_from_v1);
	tcase_add_test(tc, test_migrate_from_v2);
	tcase_add_test(tc, test_migrate_v2_after_crash_before_commit);
	tcase_add_test(tc, test_migrate_v2_after_crash_after_commit);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_promotion_rules);
	tcase_add_test(tc, test_store_and_gc);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
