/* The model registry on SQLite: schema and migrations, the content-addressed
 * store of model files, promotion and rollback, run records, writer locks.
 * See include/forecast/registry.h for the layout and the schema.  Omitted:
 * remote stores; a hash collision is not detected (a file already stored
 * under a hash is trusted to hold the same bytes). */
#include "forecast/registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "forecast/hash.h"

struct fc_registry {
	sqlite3 *db;
	char *dir;
};

static int db_fail(fc_registry *r, int code, const char *what, fc_err *err)
{
	return fc_err_set(err, code, "registry %s: %s: %s", r->dir, what, sqlite3_errmsg(r->db));
}

static int exec(fc_registry *r, const char *sql, fc_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = fc_err_set(err, FC_EIO, "registry %s: %s", r->dir, msg ? msg : "SQL error");
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/* Schema version 1, as first released. */
static const char schema_v1[] =
	"CREATE TABLE models ("
	" name TEXT NOT NULL, version INTEGER NOT NULL, kinds TEXT NOT NULL,"
	" created TEXT NOT NULL, parent INTEGER, fingerprint TEXT NOT NULL,"
	" n_rows INTEGER NOT NULL, n_series INTEGER NOT NULL, time_first TEXT, time_last TEXT,"
	" options TEXT NOT NULL, metric TEXT NOT NULL, score REAL, metrics TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('candidate','champion','archived')),"
	" file_hash TEXT NOT NULL, PRIMARY KEY (name, version));"
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY, command TEXT NOT NULL, args TEXT NOT NULL,"
	" started REAL NOT NULL, ended REAL NOT NULL, exit_status INTEGER NOT NULL,"
	" name TEXT, version INTEGER, rows_read INTEGER, series_forecast INTEGER,"
	" fallbacks INTEGER, warnings INTEGER, outputs TEXT, decision TEXT);"
	"PRAGMA user_version = 1;";

/* 1 -> 2: the promotion history, which rollback follows. */
static const char migrate_v2[] =
	"CREATE TABLE promotions (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" version INTEGER NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL);"
	"ALTER TABLE models ADD COLUMN rolled_back INTEGER NOT NULL DEFAULT 0;"
	"INSERT INTO promotions (name, version, at, reason)"
	" SELECT name, version, created, 'champion before schema 2' FROM models"
	" WHERE status = 'champion';"
	"CREATE UNIQUE INDEX one_champion ON models(name) WHERE status = 'champion';"
	"PRAGMA user_version = 2;";

/* 2 -> 3: schemas 1 and 2 hashed with the offset basis 1469598103934665603,
 * a digit short of FNV-1a's 14695981039346656037.  The model files are
 * renamed to their standard hash by rename_models; the data fingerprints
 * cannot be recomputed without the data, so each row says which algorithm
 * made its fingerprint and only fingerprints of one algorithm compare.
 * Runs gain the hash of the model file a predict used. */
static const char migrate_v3[] =
	"ALTER TABLE models ADD COLUMN fingerprint_algo TEXT NOT NULL DEFAULT '"
	FC_FINGERPRINT_ALGO "';"
	"UPDATE models SET fingerprint_algo = '" FC_FINGERPRINT_ALGO_V2 "';"
	"ALTER TABLE runs ADD COLUMN model_hash TEXT;"
	"PRAGMA user_version = 3;";

static int user_version(fc_registry *r, int *v, fc_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EFORMAT, "not a registry database", err);
	int rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(r, FC_EFORMAT, "not a registry database", err);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* The 2 -> 3 renaming, inside migrate's transaction: each stored model
 * file gets a second name, its FNV-1a hash with the standard basis (a hard
 * link, else a copy through fc_registry_store's temporary name and
 * rename), the directory is fsync'ed, and then the rows are pointed at
 * the new names.  The old names, returned in *olds (n_olds of them), are
 * the caller's to remove once the transaction has committed.  A crash
 * before the commit leaves schema 2 with its old names and some new names
 * no row uses, and the next open does the migration again (a new name
 * already there is kept: it holds the bytes it is named by); a crash after
 * it leaves old names no row uses, which gc removes.  A row whose file is
 * missing keeps its name (check reports it). */
static int rename_models(fc_registry *r, char (**olds)[17], size_t *n_olds, fc_err *err)
{
	sqlite3_stmt *st;
	char (*hashes)[17] = NULL;
	size_t n = 0, cap = 0;
	*olds = NULL;
	*n_olds = 0;
	if (sqlite3_prepare_v2(r->db, "SELECT DISTINCT file_hash FROM models ORDER BY file_hash", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EIO, "migrating to schema 3", err);
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char (*grown)[17] = realloc(hashes, cap * sizeof *hashes);
			if (!grown) {
				rc = fc_err_set(err, FC_ENOMEM, "out of memory");
				break;
			}
			hashes = grown;
		}
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(hashes[n++], 17, "%s", t ? (const char *)t : "");
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(r, FC_EIO, "migrating to schema 3", err);
	sqlite3_finalize(st);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/models", r->dir);
	size_t m = 0; /* the renamed ones, moved to the front */
	for (size_t i = 0; !rc && i < n; i++) {
		char from[4096], to[4096], h[17];
		fc_err ignored;
		fc_registry_model_path(r, hashes[i], from, sizeof from);
		if (access(from, F_OK) != 0 || fc_registry_hash_file(from, h, &ignored))
			continue; /* missing or unreadable: check reports it */
		if (strcmp(h, hashes[i]) == 0)
			continue;
		fc_registry_model_path(r, h, to, sizeof to);
		if (link(from, to) != 0 && errno != EEXIST) {
			char copied[17];
			if ((rc = fc_registry_store(r, from, copied, err)))
				break;
		}
		if (sqlite3_prepare_v2(r->db, "UPDATE models SET file_hash = ?1 WHERE file_hash = ?2",
		                       -1, &st, NULL) != SQLITE_OK) {
			rc = db_fail(r, FC_EIO, "migrating to schema 3", err);
			break;
		}
		sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hashes[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(r, FC_EIO, "migrating to schema 3", err);
		sqlite3_finalize(st);
		memmove(hashes[m++], hashes[i], 17);
	}
	/* the new names are on disk before the rows that use them commit */
	if (!rc && m && fsync_dir(dir))
		rc = fc_err_set(err, FC_EIO, "%s: %s", dir, strerror(errno));
	if (rc) {
		free(hashes);
		return rc;
	}
	*olds = hashes;
	*n_olds = m;
	return 0;
}

static int referenced(fc_registry *r, const char *hash, int *yes);

/* Brings the schema to FC_REGISTRY_SCHEMA, each step in a transaction
 * taken with BEGIN IMMEDIATE, so two processes opening a fresh registry
 * do not both create it.  Model files renamed by the step to 3 lose
 * their old names after the commit. */
static int migrate(fc_registry *r, fc_err *err)
{
	char (*olds)[17] = NULL;
	size_t n_olds = 0;
	int rc = exec(r, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	int v;
	if ((rc = user_version(r, &v, err)))
		goto fail;
	if (v > FC_REGISTRY_SCHEMA) {
		rc = fc_err_set(err, FC_EFORMAT, "registry %s has schema version %d; this forecast "
		                "reads up to version %d (upgrade forecast)", r->dir, v, FC_REGISTRY_SCHEMA);
		goto fail;
	}
	if (v == 0 && (rc = exec(r, schema_v1, err)))
		goto fail;
	if (v < 2 && (rc = exec(r, migrate_v2, err)))
		goto fail;
	if (v < 3 && ((rc = rename_models(r, &olds, &n_olds, err)) || (rc = exec(r, migrate_v3, err))))
		goto fail;
	if ((rc = exec(r, "COMMIT", err)))
		goto fail;
	/* committed: the old names go (what a crash leaves here, gc removes) */
	for (size_t i = 0; i < n_olds; i++) {
		int used = 1;
		char path[4096];
		if (referenced(r, olds[i], &used) || used)
			continue;
		fc_registry_model_path(r, olds[i], path, sizeof path);
		unlink(path);
	}
	if (n_olds) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/models", r->dir);
		fsync_dir(dir);
	}
	free(olds);
	return 0;
fail:
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	free(olds);
	return rc;
}

static int make_dir(const char *path, fc_err *err)
{
	if (mkdir(path, 0777) && errno != EEXIST)
		return fc_err_set(err, FC_EIO, "%s: cannot create the directory: %s", path, strerror(errno));
	return 0;
}

int fc_registry_open(const char *dir, int create, fc_registry **out, fc_err *err)
{
	struct stat sb;
	if (!create && stat(dir, &sb) != 0)
		return fc_err_set(err, FC_EIO, "no registry at %s (fit with --name creates one)", dir);
	fc_registry *r = calloc(1, sizeof *r);
	size_t n = strlen(dir) + 32;
	char *path = malloc(n);
	if (!r || !path || !(r->dir = strdup(dir))) {
		free(path);
		fc_registry_close(r);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	int rc = 0;
	if (create) {
		rc = make_dir(dir, err);
		snprintf(path, n, "%s/models", dir);
		if (!rc)
			rc = make_dir(path, err);
		snprintf(path, n, "%s/locks", dir);
		if (!rc)
			rc = make_dir(path, err);
	}
	snprintf(path, n, "%s/registry.db", dir);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (!rc && sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK)
		rc = fc_err_set(err, FC_EIO, "%s: cannot open the registry: %s", path,
		                r->db ? sqlite3_errmsg(r->db) : "out of memory");
	free(path);
	if (!rc) {
		sqlite3_busy_timeout(r->db, 10000);
		rc = exec(r, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		          " PRAGMA foreign_keys = ON", err);
	}
	if (!rc)
		rc = migrate(r, err);
	if (rc) {
		fc_registry_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void fc_registry_close(fc_registry *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	free(r->dir);
	free(r);
}

sqlite3 *fc_registry_db(fc_registry *r)
{
	return r->db;
}

const char *fc_registry_dir(const fc_registry *r)
{
	return r->dir;
}

int fc_registry_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > FC_REGISTRY_NAME_MAX || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

int fc_registry_hash_file(const char *path, char hex[17], fc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fc_err_set(err, FC_EIO, "%s: %s", path, strerror(errno));
	uint64_t h = FC_FNV_OFFSET;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		h = fc_fnv1a(h, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return fc_err_set(err, FC_EIO, "%s: read error", path);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
	return 0;
}

void fc_registry_fingerprint(const fc_panel *p, char hex[17])
{
	uint64_t h = FC_FNV_OFFSET;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		h = fc_fnv1a(h, s->key, strlen(s->key) + 1);
		h = fc_fnv1a(h, &s->start, sizeof s->start);
		h = fc_fnv1a(h, &s->n, sizeof s->n);
		h = fc_fnv1a(h, s->y, s->n * sizeof *s->y);
	}
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

void fc_registry_model_path(const fc_registry *r, const char *hash, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/models/%s", r->dir, hash);
}

int fc_registry_store(fc_registry *r, const char *src, char hex[17], fc_err *err)
{
	char h[17];
	int rc = fc_registry_hash_file(src, h, err);
	if (rc)
		return rc;
	char dst[4096], tmp[4200], dir[4096];
	fc_registry_model_path(r, h, dst, sizeof dst);
	struct stat sb;
	if (stat(dst, &sb) == 0) { /* already stored */
		memcpy(hex, h, 17);
		return 0;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dst, (long)getpid());
	snprintf(dir, sizeof dir, "%s/models", r->dir);
	FILE *in = fopen(src, "rb");
	int fd = in ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	if (fd < 0) {
		rc = fc_err_set(err, FC_EIO, "%s: %s", in ? tmp : src, strerror(errno));
		goto out;
	}
	char buf[65536];
	size_t n;
	while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0) {
		size_t done = 0;
		while (done < n) {
			ssize_t w = write(fd, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = fc_err_set(err, FC_EIO, "%s: %s", tmp, strerror(errno));
				break;
			}
			done += (size_t)w;
		}
	}
	if (!rc && ferror(in))
		rc = fc_err_set(err, FC_EIO, "%s: read error", src);
	if (!rc && fsync(fd))
		rc = fc_err_set(err, FC_EIO, "%s: %s", tmp, strerror(errno));
	if (close(fd) && !rc)
		rc = fc_err_set(err, FC_EIO, "%s: %s", tmp, strerror(errno));
	fd = -1;
	if (!rc && rename(tmp, dst))
		rc = fc_err_set(err, FC_EIO, "%s: %s", dst, strerror(errno));
	if (!rc && fsync_dir(dir))
		rc = fc_err_set(err, FC_EIO, "%s: %s", dir, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (in)
		fclose(in);
	if (rc)
		unlink(tmp);
	else
		memcpy(hex, h, 17);
	return rc;
}

static void now_iso(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static long champion_of(fc_registry *r, const char *name)
{
	sqlite3_stmt *st;
	long v = 0;
	if (sqlite3_prepare_v2(r->db, "SELECT version FROM models WHERE name = ?1 AND status = "
	                       "'champion'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		v = -1;
	sqlite3_finalize(st);
	return v;
}

static int add_promotion(fc_registry *r, const char *name, long version, const char *reason,
                         fc_err *err)
{
	sqlite3_stmt *st;
	char at[32];
	now_iso(at, sizeof at);
	if (sqlite3_prepare_v2(r->db, "INSERT INTO promotions (name, version, at, reason) VALUES "
	                       "(?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EIO, "promotion", err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(r, FC_EIO, "promotion", err);
	sqlite3_finalize(st);
	return rc;
}

int fc_registry_add_model(fc_registry *r, fc_registry_model *m, fc_err *err)
{
	int rc = exec(r, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	long champ = champion_of(r, m->name), next = 1;
	if (champ < 0) {
		rc = db_fail(r, FC_EIO, "reading the champion", err);
		goto fail;
	}
	if (sqlite3_prepare_v2(r->db, "SELECT COALESCE(MAX(version), 0) + 1 FROM models WHERE "
	                       "name = ?1", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(r, FC_EIO, "next version", err);
		goto fail;
	}
	sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	m->version = next;
	m->parent = champ;
	now_iso(m->created, sizeof m->created);
	snprintf(m->status, sizeof m->status, "%s", champ ? FC_STATUS_CANDIDATE : FC_STATUS_CHAMPION);
	if (sqlite3_prepare_v2(r->db, "INSERT INTO models (name, version, kinds, created, parent, "
	                       "fingerprint, n_rows, n_series, time_first, time_last, options, metric, "
	                       "score, metrics, status, file_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	                       "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(r, FC_EIO, "adding a model", err);
		goto fail;
	}
	sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->version);
	sqlite3_bind_text(st, 3, m->kinds, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->created, -1, SQLITE_STATIC);
	if (champ)
		sqlite3_bind_int64(st, 5, champ);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, m->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, m->n_rows);
	sqlite3_bind_int64(st, 8, m->n_series);
	sqlite3_bind_text(st, 9, m->time_first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, m->time_last, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, m->options, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, m->metric, -1, SQLITE_STATIC);
	if (isfinite(m->score))
		sqlite3_bind_double(st, 13, m->score);
	else
		sqlite3_bind_null(st, 13);
	sqlite3_bind_text(st, 14, m->metrics, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, m->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, m->file_hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(r, FC_EIO, "adding a model", err);
	sqlite3_finalize(st);
	if (!rc && !champ)
		rc = add_promotion(r, m->name, m->version, "first version", err);
	if (rc)
		goto fail;
	return exec(r, "COMMIT", err);
fail:
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

int fc_registry_get(fc_registry *r, const char *name, long version, fc_registry_model *out,
                    fc_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT name, version, kinds, created, COALESCE(parent, 0), "
	                       "fingerprint, n_rows, n_series, time_first, time_last, options, metric, "
	                       "score, metrics, status, file_hash, fingerprint_algo FROM models WHERE name = ?1 AND "
	                       "(version = ?2 OR (?2 = 0 AND status = 'champion'))",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EIO, "reading a model", err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(r, FC_EIO, "reading a model", err);
		if (version)
			return fc_err_set(err, FC_EIO, "registry %s has no model %s@%ld", r->dir, name, version);
		return fc_err_set(err, FC_EIO, "registry %s has no champion named '%s'", r->dir, name);
	}
	fc_registry_model m;
	memset(&m, 0, sizeof m);
	copy_text(m.name, sizeof m.name, st, 0);
	m.version = sqlite3_column_int64(st, 1);
	copy_text(m.kinds, sizeof m.kinds, st, 2);
	copy_text(m.created, sizeof m.created, st, 3);
	m.parent = sqlite3_column_int64(st, 4);
	copy_text(m.fingerprint, sizeof m.fingerprint, st, 5);
	m.n_rows = sqlite3_column_int64(st, 6);
	m.n_series = sqlite3_column_int64(st, 7);
	copy_text(m.time_first, sizeof m.time_first, st, 8);
	copy_text(m.time_last, sizeof m.time_last, st, 9);
	copy_text(m.options, sizeof m.options, st, 10);
	copy_text(m.metric, sizeof m.metric, st, 11);
	m.score = sqlite3_column_type(st, 12) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 12);
	copy_text(m.metrics, sizeof m.metrics, st, 13);
	copy_text(m.status, sizeof m.status, st, 14);
	copy_text(m.file_hash, sizeof m.file_hash, st, 15);
	copy_text(m.fingerprint_algo, sizeof m.fingerprint_algo, st, 16);
	sqlite3_finalize(st);
	*out = m;
	return 0;
}

int fc_registry_resolve(fc_registry *r, const char *spec, fc_registry_model *out, fc_err *err)
{
	char name[FC_REGISTRY_NAME_MAX + 1];
	long version = 0;
	const char *at = strchr(spec, '@');
	size_t len = at ? (size_t)(at - spec) : strlen(spec);
	if (len > FC_REGISTRY_NAME_MAX)
		return fc_err_set(err, FC_EINVAL, "'%s': the name is longer than %d characters", spec,
		                  FC_REGISTRY_NAME_MAX);
	memcpy(name, spec, len);
	name[len] = '\0';
	if (at) {
		char *end;
		errno = 0;
		version = strtol(at + 1, &end, 10);
		if (end == at + 1 || *end || errno || version < 1)
			return fc_err_set(err, FC_EINVAL, "'%s': expected NAME or NAME@VERSION (a version "
			                  "from 1)", spec);
	}
	if (!fc_registry_name_ok(name))
		return fc_err_set(err, FC_EINVAL, "'%s': a model name is 1 to %d letters, digits, '_', "
		                  "'-' or '.', not starting with '.'", spec, FC_REGISTRY_NAME_MAX);
	return fc_registry_get(r, name, version, out, err);
}

static int set_status(fc_registry *r, const char *name, long version, const char *status,
                      int rolled_back, fc_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "UPDATE models SET status = ?3, rolled_back = rolled_back OR ?4 "
	                       "WHERE name = ?1 AND version = ?2", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EIO, "changing a status", err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, rolled_back);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(r, FC_EIO, "changing a status", err);
	sqlite3_finalize(st);
	return rc;
}

int fc_registry_promote(fc_registry *r, const char *name, long version, const char *reason,
                        fc_err *err)
{
	int rc = exec(r, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	fc_registry_model m;
	if ((rc = fc_registry_get(r, name, version, &m, err)))
		goto fail;
	long champ = champion_of(r, name);
	if (champ == version) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	if (champ > 0 && (rc = set_status(r, name, champ, FC_STATUS_ARCHIVED, 0, err)))
		goto fail;
	if ((rc = set_status(r, name, version, FC_STATUS_CHAMPION, 0, err)) ||
	    (rc = add_promotion(r, name, version, reason, err)))
		goto fail;
	return exec(r, "COMMIT", err);
fail:
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int fc_registry_rollback(fc_registry *r, const char *name, long *version, fc_err *err)
{
	int rc = exec(r, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	long champ = champion_of(r, name), prev = 0;
	if (champ <= 0) {
		rc = champ < 0 ? db_fail(r, FC_EIO, "reading the champion", err)
		     : fc_err_set(err, FC_EINVAL, "'%s' has no champion to roll back", name);
		goto fail;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT p.version FROM promotions p JOIN models m ON "
	                       "m.name = p.name AND m.version = p.version WHERE p.name = ?1 AND "
	                       "p.version != ?2 AND m.rolled_back = 0 ORDER BY p.id DESC LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(r, FC_EIO, "reading the promotions", err);
		goto fail;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, champ);
	if (sqlite3_step(st) == SQLITE_ROW)
		prev = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!prev) {
		rc = fc_err_set(err, FC_EINVAL, "%s@%ld has no earlier champion to roll back to", name, champ);
		goto fail;
	}
	char reason[96];
	snprintf(reason, sizeof reason, "rollback from %ld", champ);
	if ((rc = set_status(r, name, champ, FC_STATUS_ARCHIVED, 1, err)) ||
	    (rc = set_status(r, name, prev, FC_STATUS_CHAMPION, 0, err)) ||
	    (rc = add_promotion(r, name, prev, reason, err)))
		goto fail;
	if ((rc = exec(r, "COMMIT", err)))
		return rc;
	*version = prev;
	return 0;
fail:
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int fc_registry_add_run(fc_registry *r, const fc_registry_run *run, fc_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "INSERT INTO runs (command, args, started, ended, exit_status, "
	                       "name, version, rows_read, series_forecast, fallbacks, warnings, "
	                       "outputs, decision, model_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	                       "?9, ?10, ?11, ?12, ?13, ?14)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EIO, "recording the run", err);
	sqlite3_bind_text(st, 1, run->command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, run->args ? run->args : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, run->started);
	sqlite3_bind_double(st, 4, run->ended);
	sqlite3_bind_int(st, 5, run->exit_status);
	sqlite3_bind_text(st, 6, run->name, -1, SQLITE_STATIC);
	if (run->version)
		sqlite3_bind_int64(st, 7, run->version);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, run->rows_read);
	sqlite3_bind_int64(st, 9, run->series_forecast);
	sqlite3_bind_int64(st, 10, run->fallbacks);
	sqlite3_bind_int64(st, 11, run->warnings);
	sqlite3_bind_text(st, 12, run->outputs ? run->outputs : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, run->decision, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, run->model_hash && run->model_hash[0] ? run->model_hash : NULL, -1,
	                  SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(r, FC_EIO, "recording the run", err);
	sqlite3_finalize(st);
	return rc;
}

int fc_registry_lock(fc_registry *r, const char *name, double wait_seconds, int *fd, fc_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/locks/%s.lock", r->dir, name);
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f < 0)
		return fc_err_set(err, FC_EIO, "%s: %s", path, strerror(errno));
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(f, LOCK_EX | LOCK_NB) == 0) {
			*fd = f;
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int rc = fc_err_set(err, FC_EIO, "%s: %s", path, strerror(errno));
			close(f);
			return rc;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - t0.tv_nsec);
		if (waited >= wait_seconds) {
			close(f);
			return fc_err_set(err, FC_EIO, "model '%s' is being written by another forecast "
			                  "process (lock %s); waited %g s (--wait SECONDS waits longer)",
			                  name, path, wait_seconds);
		}
		struct timespec nap = {0, 50 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
}

void fc_registry_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

int fc_registry_check(fc_registry *r, size_t *versions, fc_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, FC_EFORMAT, "integrity check", err);
	int rc = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (!t || strcmp(t, "ok") != 0)
			rc = fc_err_set(err, FC_EFORMAT, "registry %s: integrity check: %s", r->dir,
			                t ? t : "?");
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(r->db, "SELECT name, version, file_hash FROM models", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_fail(r, FC_EFORMAT, "integrity check", err);
	size_t n = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(st, 2);
		char path[4096], got[17];
		fc_registry_model_path(r, hash ? hash : "", path, sizeof path);
		if (fc_registry_hash_file(path, got, err) || strcmp(got, hash ? hash : "") != 0)
			rc = fc_err_set(err, FC_EFORMAT, "registry %s: %s@%lld: model file %s is missing or "
			                "corrupt", r->dir, (const char *)sqlite3_column_text(st, 0),
			                (long long)sqlite3_column_int64(st, 1), path);
		n++;
	}
	sqlite3_finalize(st);
	if (!rc)
		*versions = n;
	return rc;
}

static int referenced(fc_registry *r, const char *hash, int *yes)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM models WHERE file_hash = ?1 LIMIT 1", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int fc_registry_gc(fc_registry *r, size_t *removed, fc_err *err)
{
	char dir[4096], path[4400];
	snprintf(dir, sizeof dir, "%s/models", r->dir);
	DIR *d = opendir(dir);
	if (!d)
		return fc_err_set(err, FC_EIO, "%s: %s", dir, strerror(errno));
	size_t n = 0;
	int rc = 0;
	/* under a write transaction, so no fit can add a row for a file
	 * between the check and the unlink */
	if ((rc = exec(r, "BEGIN IMMEDIATE", err))) {
		closedir(d);
		return rc;
	}
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int keep = 0;
		if (strlen(e->d_name) == 16 && referenced(r, e->d_name, &keep)) {
			rc = db_fail(r, FC_EIO, "gc", err);
			break;
		}
		/* temporary files of live writers look like <hash>.tmp.<pid> */
		const char *tmp = strstr(e->d_name, ".tmp.");
		if (tmp && kill((pid_t)atol(tmp + 5), 0) == 0)
			keep = 1;
		if (keep)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	if (rc) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	/* DIR/tmp: work files named "<what>.<pid>.<rest>" of processes that
	 * died (retrain's challenger outputs) */
	snprintf(dir, sizeof dir, "%s/tmp", r->dir);
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			const char *dot = strchr(e->d_name, '.');
			long pid = dot ? atol(dot + 1) : 0;
			if (e->d_name[0] == '.' || pid <= 0 || kill((pid_t)pid, 0) == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (unlink(path) == 0)
				n++;
		}
		closedir(d);
	}
	if ((rc = exec(r, "COMMIT", err)))
		return rc;
	*removed = n;
	return 0;
}
