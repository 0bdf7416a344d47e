/* Shards: splitting one run's per-series work across processes.
 *
 * A shard is the set of series whose key hashes to it: series s belongs to
 * shard fc_shard_of(s.key, N) of N, where the hash is 64-bit FNV-1a
 * (Fowler, Noll & Vo; offset basis 14695981039346656037, prime
 * 1099511628211) of the key's bytes as the output writes it
 * ("store=3,item=17"; "" for a lone series), reduced modulo N.  The hash
 * depends on nothing but the key, so a series stays in its shard when
 * others are added or removed, on any machine.
 *
 * The heavy part of a run is the back-test of the local candidates, per
 * series.  A shard back-tests only its series and writes them to a part;
 * merging the parts of every shard gives the run back exactly as one
 * process would have made it, and the panel-level steps (the global
 * models, each fitted once on every series; the panel's ensemble weights;
 * the refit and the outputs) are done once, after the merge.
 *
 * A part is binary: the magic line "FCPART 1\n", then 64-bit little-endian
 * integers, IEEE doubles stored as their 64-bit patterns (so they read
 * back bit for bit) and length-prefixed strings, and last a 64-bit FNV-1a
 * checksum of everything before it.  It is read with every count and
 * index checked against the run it is loaded into: a corrupt or foreign
 * part is an error, never a crash. */
#ifndef FORECAST_SHARD_H
#define FORECAST_SHARD_H
#include <stddef.h>
#include <stdint.h>
#include "forecast/buf.h"
#include "forecast/cv.h"
#include "forecast/error.h"
#include "forecast/panel.h"

/* The most shards (--shard K/N). */
#define FC_SHARD_MAX 100000

uint64_t fc_shard_hash(const char *key);
size_t fc_shard_of(const char *key, size_t n_shards);

/* Series to ranks for the MPI driver, balanced by length rather than
 * count: the longest series first (ties: the earlier), each to the rank
 * whose series are shortest in all so far (ties: the lower rank), Graham's
 * longest-processing-time rule (1969).  rank_of[i] for every series. */
void fc_shard_balance(const fc_panel *p, size_t n_ranks, size_t *rank_of);

/* Checks that n parts, part k being shard shard[k] of n_shards (each
 * below n_shards, as a decoded part's is), are every shard exactly once:
 * "A and B are both shard K of N" for the first repeat (in the order
 * given) or "shard K of N is missing (n parts given)" for the lowest
 * missing one, FC_EFORMAT, path[k] naming part k.  Serves the parts of
 * fit, cv and predict alike.  FC_ENOMEM when out of memory. */
int fc_shard_check_cover(const size_t *shard, size_t n, size_t n_shards, const char *const *path,
                         fc_err *err);

/* A part's header: which shard of how many, what it was made from. */
typedef struct fc_part_info {
	int forecast;          /* made by fit (1) or cv (0) */
	size_t shard, n_shards;
	char fingerprint[17];  /* the data's (fc_registry_fingerprint) */
	uint64_t options;      /* hash of the options that shape the results */
	size_t n_series;       /* the panel's, every shard's */
	size_t n_records;      /* the series in this part */
	size_t argc;           /* the shard's command line (after the subcommand) */
	char **argv;           /* owned by a decoded info */
} fc_part_info;

/* Appends the part of run's series with mask[i] set, for the candidates
 * of o whose kind is local (global kinds are back-tested after the
 * merge).  info->n_records is filled in. */
int fc_part_encode(fc_buf *out, fc_part_info *info, const fc_panel *p, const fc_cv_opts *o,
                   const fc_run *run, const unsigned char *mask, fc_err *err);

/* Reads the header of a part of len bytes (checking its checksum) into
 * *info, which fc_part_info_dispose releases.  FC_EFORMAT when it is not
 * a part. */
int fc_part_read_info(const void *data, size_t len, fc_part_info *info, fc_err *err);
void fc_part_info_dispose(fc_part_info *info);

/* Loads the part's back-test results into run (begun by fc_cv_begin with
 * the same panel and options), marking seen[i] for each series.  A
 * series' seconds[c] become the shard's back-test seconds plus those of
 * its prefit of c (used by the selection or not), so that the merged
 * leaderboard's time is the sum over the parts of their work.  A series
 * already seen, an index or candidate out of range, or a candidate kind
 * that does not match o is FC_EFORMAT. */
int fc_part_load(const void *data, size_t len, const fc_panel *p, const fc_cv_opts *o,
                 fc_run *run, unsigned char *seen, fc_err *err);

/* A prediction part: what `predict --shard K/N` writes, the forecast CSV
 * rows of the model's series in shard K, for `merge` to put together into
 * the file one `predict` writes.  Binary like a fit part: the magic line
 * "FCPRED 1\n"; shard and n_shards; the model file's hash (64-bit FNV-1a of
 * its bytes, 16 hex digits, fc_registry_hash_file); the --data's
 * fingerprint ("" without --data); horizon, the levels; the model's series
 * count; the CSV header; then per series of the shard its index in the
 * model, its key, whether it has a forecast, and its rows; last the
 * checksum of everything before it. */
typedef struct fc_pred_record {
	size_t index;        /* the series' position in the model file */
	const char *key;     /* group values as name=value,...; "" for a lone series */
	int ok;              /* it has a forecast (its rows may still be empty) */
	const char *rows;    /* its CSV rows */
	size_t rows_len;
} fc_pred_record;

typedef struct fc_pred_part {
	size_t shard, n_shards;
	char model[17];        /* hash of the model file */
	char fingerprint[17];  /* of --data; "" without */
	size_t horizon, n_levels;
	double levels[16];
	size_t n_series;       /* the model's */
	const char *header;    /* the CSV header line(s) */
	size_t header_len;
	size_t n_records;
	fc_pred_record *records; /* owned by a decoded part; strings borrowed from its bytes */
} fc_pred_part;

/* Whether len bytes at data begin as a prediction part. */
int fc_pred_part_is(const void *data, size_t len);
/* Appends the part (records as given) to out.  FC_ENOMEM. */
int fc_pred_part_encode(fc_buf *out, const fc_pred_part *part, fc_err *err);
/* Reads a part of len bytes at data (which must outlive *part: its
 * strings point into it), checking its checksum, counts and indices:
 * FC_EFORMAT when it is damaged or not a prediction part.  Release with
 * fc_pred_part_dispose. */
int fc_pred_part_decode(const void *data, size_t len, fc_pred_part *part, fc_err *err);
void fc_pred_part_dispose(fc_pred_part *part);

/* The prefits of a fit part (fit --shard): calls fn for each local
 * candidate refitted without error on a series of the part, with the
 * series' index, the candidate's index and kind, and the text
 * fc_model_save wrote of its fit (NUL-terminated, borrowed for the call).
 * A nonzero return of fn stops the walk and is returned.  FC_EFORMAT when
 * the part is damaged. */
typedef int (*fc_prefit_fn)(void *ctx, size_t series, size_t candidate, const char *kind,
                            const char *saved);
int fc_part_prefits(const void *data, size_t len, fc_prefit_fn fn, void *ctx, fc_err *err);

/* A retrain part: what `retrain --shard K/N` writes, for `merge` to finish
 * the retrain under the registry's lock.  Binary like a fit part: the
 * magic line "FCRETR 1\n"; shard and n_shards; the model's name, the
 * champion's version and the hash of its model file (the champion the
 * shard compared against); the data's fingerprint; the hash of the
 * shard's options; its command line; horizon, folds and the panel's series
 * count; the fit part of the challenger (fit --shard with the champion's
 * options, bytes as fit writes them); then per series of the shard its
 * index in the panel, its key, and the fold forecasts retrain's back-test
 * needs of its local models: per champion member (key: the member's
 * position) and per challenger candidate (key: fc_retrain_model_key of its
 * refit on the whole series) whether each fold forecast and the h means,
 * fold j counted from the newest; last the checksum of everything
 * before it. */
typedef struct fc_retrain_entry {
	uint64_t key;
	unsigned char *ok;  /* per fold */
	double *mean;       /* folds x horizon; fold j at j x horizon (a decoded
	                     * entry with no fold ok: NULL) */
} fc_retrain_entry;

typedef struct fc_retrain_record {
	size_t index;       /* the series' position in the panel */
	char *key;          /* group values as name=value,...; "" for a lone series */
	size_t n_champion, n_challenger;
	fc_retrain_entry *champion, *challenger;
} fc_retrain_record;

typedef struct fc_retrain_part {
	size_t shard, n_shards;
	char name[65];
	long champion_version;
	char champion[17];      /* hash of the champion's model file */
	char fingerprint[17];   /* of the data */
	uint64_t options;
	size_t argc;
	char **argv;            /* the shard's command line (after the subcommand) */
	size_t horizon, folds, n_series;
	const void *fit_part;   /* borrowed from the part's bytes (decoded) */
	size_t fit_part_len;
	size_t n_records;
	fc_retrain_record *records;
} fc_retrain_part;

/* The key of a challenger's model: 64-bit FNV-1a of its kind, the text
 * fc_model_save writes of it, and the seasonal periods it is fitted with. */
uint64_t fc_retrain_model_key(const char *kind, const char *saved, const double *periods,
                              size_t n_periods);
/* Whether len bytes at data begin as a retrain part. */
int fc_retrain_part_is(const void *data, size_t len);
/* Appends the part to out.  FC_ENOMEM. */
int fc_retrain_part_encode(fc_buf *out, const fc_retrain_part *part, fc_err *err);
/* Reads a part of len bytes at data (which must outlive *part: fit_part
 * points into it), checking its checksum, counts and indices: FC_EFORMAT
 * when it is damaged or not a retrain part.  Release with
 * fc_retrain_part_dispose (also of a part filled in by hand, whose
 * records, keys, entries and argv are heap-allocated). */
int fc_retrain_part_decode(const void *data, size_t len, fc_retrain_part *part, fc_err *err);
void fc_retrain_part_dispose(fc_retrain_part *part);

#endif
