/* The model registry: versioned models per name, their lineage and status,
 * and a record of every run, in one SQLite database (WAL journal, busy
 * timeout) beside a content-addressed store of model files.
 *
 * Layout of a registry directory DIR:
 *   DIR/registry.db        the database (schema version in PRAGMA user_version)
 *   DIR/models/<hash>      model files, named by the 64-bit FNV-1a hash of
 *                          their bytes (16 hex digits, include/forecast/
 *                          hash.h); written under a
 *                          temporary name, fsync'ed, renamed, the directory
 *                          fsync'ed.  FNV-1a is not cryptographic: it names
 *                          files and detects corruption, it does not resist
 *                          a forger.
 *   DIR/tmp/               work files of retrain, named by process id
 *   DIR/locks/<name>.lock  flock(2) locks, one writer per model name; the
 *                          kernel releases them when a process dies.
 *
 * Schema (version 3): models(name, version, kinds, created, parent,
 * fingerprint, n_rows, n_series, time_first, time_last, options, metric,
 * score, metrics, status, file_hash, rolled_back, fingerprint_algo),
 * runs(id, command, args, started, ended, exit_status, name, version,
 * rows_read, series_forecast, fallbacks, warnings, outputs, decision,
 * model_hash),
 * promotions(id, name, version, at, reason).  Version 1 lacked promotions
 * and rolled_back; opening it migrates.  Versions 1 and 2 hashed with a
 * wrong FNV offset basis (1469598103934665603, a digit short): migrating
 * to 3 renames every model file to its standard hash (crash-safe: new
 * name first, rows in the one transaction, old names removed after the
 * commit or by gc), and marks the fingerprints it cannot recompute
 * (without the data) with fingerprint_algo FC_FINGERPRINT_ALGO_V2; a
 * fingerprint compares only with one of the same algorithm.  Output
 * hashes in runs recorded before version 3 keep the old basis.  A
 * database of a newer version is refused (FC_EFORMAT).
 *
 * Crash safety: a model file reaches the store before the one transaction
 * that inserts its row, so a crash leaves at worst an unreferenced file
 * (removed by fc_registry_gc), never a row without its file. */
#ifndef FORECAST_REGISTRY_H
#define FORECAST_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/error.h"
#include "forecast/series.h"

#define FC_REGISTRY_SCHEMA 3
/* models.fingerprint_algo: FNV-1a of the rows with the standard offset
 * basis (schema 3 on), and the wrong basis of schemas 1 and 2. */
#define FC_FINGERPRINT_ALGO "fnv1a64"
#define FC_FINGERPRINT_ALGO_V2 "fnv1a64-1469598103934665603"
#define FC_REGISTRY_NAME_MAX 64

typedef struct fc_registry fc_registry;
struct sqlite3;

/* Status of a version. */
#define FC_STATUS_CANDIDATE "candidate"
#define FC_STATUS_CHAMPION "champion"
#define FC_STATUS_ARCHIVED "archived"

typedef struct fc_registry_model {
	char name[FC_REGISTRY_NAME_MAX + 1];
	long version;            /* 1, 2, ... per name */
	char kinds[256];         /* model kinds used, comma-separated */
	char created[32];        /* UTC, ISO 8601 */
	long parent;             /* the champion when it was made; 0 none */
	char fingerprint[17];    /* hash of the input rows used */
	char fingerprint_algo[32]; /* FC_FINGERPRINT_ALGO(_V2); set by the registry */
	long n_rows, n_series;
	char time_first[40], time_last[40];
	char options[2048];      /* the fit's options, tab-separated */
	char metric[16];         /* primary metric name */
	double score;            /* its back-test value (NaN: none) */
	char metrics[1024];      /* every metric, JSON object */
	char status[16];
	char file_hash[17];
} fc_registry_model;

typedef struct fc_registry_run {
	const char *command, *args, *name;
	long version;            /* 0 when none */
	double started, ended;   /* seconds since the epoch */
	int exit_status;
	long rows_read, series_forecast, fallbacks, warnings;
	const char *outputs;     /* "path<TAB>hash" lines */
	const char *decision;    /* retrain's decision and why; may be NULL */
	const char *model_hash;  /* predict: the hash of the model file it
	                          * used (registered or not); NULL or "": none */
} fc_registry_run;

/* Opens (with create, making DIR, its subfolders and the database) the
 * registry in dir, migrating an older schema.  FC_EIO when it cannot be
 * opened, FC_EFORMAT for a newer schema or a file that is no registry. */
int fc_registry_open(const char *dir, int create, fc_registry **out, fc_err *err);
void fc_registry_close(fc_registry *r);
/* The database, for read-only queries by the CLI; borrowed. */
struct sqlite3 *fc_registry_db(fc_registry *r);
const char *fc_registry_dir(const fc_registry *r);

/* Whether name is a valid model name: [A-Za-z0-9_.-], 1..64, no leading
 * dot. */
int fc_registry_name_ok(const char *name);

/* 64-bit FNV-1a of a file's bytes, 16 hex digits + NUL. */
int fc_registry_hash_file(const char *path, char hex[17], fc_err *err);
/* Hash of the rows a panel holds: each series' key, start and values. */
void fc_registry_fingerprint(const fc_panel *p, char hex[17]);

/* Copies the file at src into the store; hex receives its hash. */
int fc_registry_store(fc_registry *r, const char *src, char hex[17], fc_err *err);
/* DIR/models/<hash> into buf. */
void fc_registry_model_path(const fc_registry *r, const char *hash, char *buf, size_t cap);

/* Inserts m as the next version of m->name (m->version, parent, created
 * and status are set here): the first version of a name becomes champion,
 * later ones candidates. */
int fc_registry_add_model(fc_registry *r, fc_registry_model *m, fc_err *err);

/* "name" (its champion) or "name@V".  FC_EINVAL for a malformed spec,
 * FC_EIO when there is no such model. */
int fc_registry_resolve(fc_registry *r, const char *spec, fc_registry_model *out, fc_err *err);
int fc_registry_get(fc_registry *r, const char *name, long version, fc_registry_model *out,
                    fc_err *err);

/* Makes name@version champion (the old one archived), recording why. */
int fc_registry_promote(fc_registry *r, const char *name, long version, const char *reason,
                        fc_err *err);
/* Archives the champion and marks it rolled back; the previous champion
 * not rolled back returns.  FC_EINVAL when there is none; *version
 * receives it. */
int fc_registry_rollback(fc_registry *r, const char *name, long *version, fc_err *err);

int fc_registry_add_run(fc_registry *r, const fc_registry_run *run, fc_err *err);

/* Takes the writer lock of name, waiting up to wait_seconds (0: fail at
 * once).  FC_EIO naming the holder's wait when it stays taken.  *fd is the
 * lock; fc_registry_unlock releases it (and -1 is a no-op). */
int fc_registry_lock(fc_registry *r, const char *name, double wait_seconds, int *fd, fc_err *err);
void fc_registry_unlock(int fd);

/* PRAGMA integrity_check, then every version's model file: present and
 * of the hash it is named by.  FC_EFORMAT naming the first problem. */
int fc_registry_check(fc_registry *r, size_t *versions, fc_err *err);

/* Removes model files no version references, and temporary files of
 * processes that are gone (in models/ and tmp/); *removed counts them. */
int fc_registry_gc(fc_registry *r, size_t *removed, fc_err *err);

#endif
