/* Unit tests of the model registry: a fresh schema, the migration from
 * schema 1, refusal of a newer schema, promotion and rollback rules, the
 * content-addressed store and gc, and the writer lock. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	ck_assert_int_eq(int_query(r, "PRAGMA user_version"), 2);
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
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fresh_schema);
	tcase_add_test(tc, test_migrate_from_v1);
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
