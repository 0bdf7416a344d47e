/* Shared pieces of the `forecast` program: exit codes, parsed options,
 * progress display and message helpers.  Only src/cli/ prints or exits. */
#ifndef FORECAST_CLI_H
#define FORECAST_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "forecast/cv.h"
#include "forecast/error.h"
#include "forecast/calendar.h"
#include "forecast/features.h"
#include "forecast/model.h"
#include "forecast/panel.h"

/* Exit codes, documented in --help and the README. */
enum {
	EXIT_OK = 0,
	EXIT_MODEL = 1,  /* a model failed, or out of memory */
	EXIT_USAGE = 2,  /* bad command line */
	EXIT_INPUT = 3,  /* bad input data */
	EXIT_IO = 4      /* file or model-file problem */
};

#define MAX_PARAMS 32

/* --candidate-timeout's default, in seconds of work on the reference
 * machine (FC_BUDGET_UNITS_PER_SECOND): far above what any default
 * candidate needs on a series of a few thousand values, so that it only
 * stops a pathological case. */
#define CLI_DEFAULT_CANDIDATE_TIMEOUT 30.0

/* --default-budget's default, in estimated CPU minutes of the local kinds'
 * back-tests and refits (fc_model_type.cost): about what the full default
 * set needs on 1,000 daily series of five years, so that only larger
 * panels see the dearest local kinds left out of the default set. */
#define CLI_DEFAULT_BUDGET_MINUTES 10.0

/* The final step by default: greedy ensemble selection with a set of
 * weights per series (bench/results/defaults.md compares the others). */
#define CLI_DEFAULT_ENSEMBLE FC_ENSEMBLE_CARUANA
#define CLI_DEFAULT_ENSEMBLE_BY FC_ENSEMBLE_BY_BLEND

typedef struct cli_opts {
	const char *input;        /* positional CSV */
	char **args;              /* OPT_ARGS: the positional arguments, in argv */
	size_t n_args;
	fc_read_opts read;
	size_t horizon;           /* 0 = not given */
	size_t folds, step, window;
	size_t n_levels;
	double levels[FC_MAX_LEVELS];
	fc_metric metric;
	const char *models;       /* comma-separated kinds; NULL = all */
	size_t n_params;
	const char *params[MAX_PARAMS]; /* "kind.key=value" */
	const char *output, *leaderboard, *model_out, *model_in, *data;
	int strict, quiet, threads;
	int format_csv;           /* inspect: per-series CSV instead of a summary */
	int format_json;          /* explain: JSON instead of CSV */
	const char *series;       /* explain --series: the one series' key */
	int levels_given;         /* --level was on the command line */
	fc_feature_spec feat;     /* features: --lags --windows --agg ... */
	int lags_auto;            /* --lags auto */
	int windows_auto;         /* --windows auto */
	const char *countries;    /* --country, comma-separated */
	const char *events;       /* --events FILE */
	const char *calendars;    /* --calendars DIR */
	/* fit/cv: settings of the global (gbdt) model, as given */
	const char *strategy, *global_by;
	size_t refit_every;
	double candidate_timeout;  /* seconds of work per candidate and series; 0 none */
	double default_budget;     /* --default-budget, CPU minutes; 0 none */
	int ensemble, ensemble_by; /* FC_ENSEMBLE_*, FC_ENSEMBLE_BY_* */
	size_t ensemble_rounds;    /* 0: FC_ENSEMBLE_ROUNDS */
	int ensemble_intervals;    /* FC_ENSEMBLE_INTERVALS_* */
	size_t n_feature_params;
	const char *feature_params[16]; /* "key=value" for the gbdt kind */
	/* fit/cv: hyperparameter search (include/forecast/search.h) */
	int search;                /* FC_SEARCH_*; NONE without --search */
	size_t budget_trials;      /* 0: FC_SEARCH_DEFAULT_TRIALS */
	unsigned long long seed;   /* --seed (default 0) */
	int seed_given;
	const char *space_file;    /* --space */
	const char *search_models; /* --search-models, comma-separated; NULL: all with a space */
	double budget_minutes;     /* --budget-minutes; 0: none */
	size_t concurrency;        /* --concurrency; 0: 1 */
	int early_stop;            /* FC_EARLY_STOP_* */
	double bandit_slack;       /* --bandit-slack; negative: not given */
	long early_stop_delay;     /* --early-stop-delay; negative: not given */
	/* registry (src/cli/cmd_registry.c) */
	const char *name;          /* --name: register the fit under this name */
	const char *registry;      /* --registry DIR */
	double wait;               /* --wait SECONDS for a name's writer lock */
	double promote_margin;     /* retrain --promote-margin */
	double alert_ratio;        /* retrain --alert-ratio; 0 off */
	int registry_given;        /* --registry was on the command line */
	const char *report;        /* fit: --report FILE (HTML) */
	size_t shard, n_shards;    /* --shard K/N (include/forecast/shard.h); n_shards 0: none */
	int timings;               /* --timings: wall time per stage and peak memory */
	int clip;                  /* fit: --clip, FC_CLIP_* (default AUTO) */
	fc_scale scale;            /* fit/cv --transform log1p|boxcox: the scale of
	                            * the local kinds (FC_SCALE_NONE otherwise) */
	double started;            /* cli_now() when the options were parsed */
	int argc;                  /* the command line, for reports (permuted by */
	char **argv;               /* getopt: options first) */
	char cmdline[4096];        /* as typed, quoted for a shell where needed */
} cli_opts;

/* Which options a subcommand accepts. */
enum {
	OPT_READ = 1 << 0,   /* --time --target --group --sep --freq --season --aggregate --fill */
	OPT_CV = 1 << 1,     /* --horizon --folds --step --window --metric --models --param --strict */
	OPT_LEVEL = 1 << 2,  /* --level */
	OPT_OUT = 1 << 3,    /* --output --leaderboard --model-out */
	OPT_PREDICT = 1 << 4, /* --model --data --output --horizon */
	OPT_BOARD = 1 << 5,   /* --leaderboard */
	OPT_FORMAT = 1 << 6,  /* --format table|csv */
	OPT_FEATURES = 1 << 7, /* --lags --windows --agg --calendar --fourier ... */
	OPT_FEATOUT = 1 << 8,  /* --output for 'features' */
	OPT_REGISTRY = 1 << 9, /* --name --registry --wait */
	OPT_RETRAIN = 1 << 10, /* --promote-margin */
	OPT_SHARD = 1 << 11,   /* --shard K/N */
	OPT_EXPLAIN = 1 << 12, /* --model --data --output --series, --format csv|json */
	OPT_REPORT = 1 << 13,  /* --model --output */
	OPT_REGDIR = 1 << 14,  /* --registry alone (cv: where to record the run) */
	OPT_MERGE = 1 << 15,   /* --data --model-out --leaderboard --name --registry --wait */
	OPT_ARGS = 1 << 16     /* any number of positional arguments, to args (merge) */
};

/* Parses argv (after the subcommand name) into o.  Prints a message and
 * returns EXIT_USAGE on error, -1 when --help was printed, 0 otherwise. */
int cli_parse(int argc, char **argv, unsigned accepted, const char *cmd,
              void (*usage)(FILE *), cli_opts *o);

/* argv joined as typed, each argument a shell would split or expand in
 * single quotes (call it before getopt reorders argv). */
void cli_join_typed(int argc, char **argv, char *buf, size_t cap);

/* Prints "forecast: error: <msg>" and returns the exit code for code. */
int cli_fail(int code, const char *msg);
int cli_exit_code(int code);
/* "forecast: warning: ..." on stderr unless --quiet: something the user
 * should look at (a fallback, a timeout, a calendar that does not cover
 * the data).  Every warning is counted, shown or not, for the run record
 * (cli_warnings: the number so far in this process). */
void cli_warn(const cli_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned long cli_warnings(void);
/* "forecast: ..." on stderr unless --quiet: what a run did, when nothing
 * is wrong (the ensemble's weights, a search's summary).  Not counted. */
void cli_note(const cli_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The steps whose point forecast on a --transform scale is the median
 * because the bias adjustment left the step's interval
 * (fc_scale_invert_mean_guarded), tallied per model kind for one warning
 * per kind (fit, predict).  Zero it, add each member's forecast, warn. */
typedef struct cli_unadjusted {
	size_t *steps, *of, *series; /* per kind (fc_model_kind_at); NULL: none yet */
	char (*first)[128];          /* per kind: the first series' key */
} cli_unadjusted;
/* A member forecast of h steps, u of them guarded, of the series key. */
void cli_unadjusted_add(cli_unadjusted *t, const fc_model *m, const char *key, size_t h, size_t u);
/* One warning per kind with guarded steps (what: "--transform boxcox=auto: "
 * or ""), then releases t. */
void cli_unadjusted_warn(const cli_opts *o, cli_unadjusted *t, const char *what);
void cli_unadjusted_dispose(cli_unadjusted *t);

/* Builds the candidate models from --models and --param; prints and
 * returns an exit code on error. */
int cli_candidates(const cli_opts *o, fc_model ***out, size_t *n);
void cli_candidates_free(fc_model **c, size_t n);

/* Progress bar on stderr when it is a terminal and not --quiet. */
typedef struct cli_progress {
	int enabled;
	const char *what;
	double start, last_draw;
	fc_model *const *candidates; /* for naming where the time goes; may be NULL */
} cli_progress;
void cli_progress_start(cli_progress *p, const cli_opts *o, const char *what);
void cli_progress_update(void *ctx, const fc_progress_info *info);
void cli_progress_finish(cli_progress *p);
double cli_now(void);

/* Holidays of --country (evaluated for from_year..to_year, clipped to each
 * calendar's range with a warning) and events of --events, ready for the
 * feature spec.  Prints the error and returns an exit code on failure. */
typedef struct cli_holidays {
	fc_holiday_set hol, ev;
	int have_hol, have_ev;
} cli_holidays;
int cli_holidays_load(const cli_opts *o, int from_year, int to_year, cli_holidays *h);
void cli_holidays_dispose(cli_holidays *h);
/* Warns of the years a country set's calendars leave uncovered (its
 * coverage field), the one place that warning is printed from. */
void cli_warn_coverage(const cli_opts *o, const fc_holiday_set *s);
/* --calendars, else $FORECAST_CALENDARS, else the installed directory (or
 * the source tree's when running uninstalled). */
const char *cli_calendar_dir(const cli_opts *o);

/* One line per period of the frequency: how many series kept it and why
 * (their own test, the panel's pooled evidence), and a line of totals. */
void cli_describe_tested_seasons(FILE *f, const char *prefix, const fc_panel *p);
/* "shown", "kept-by-panel", "refuted-by-panel", "refuted" for FC_SEASON_*. */
const char *cli_season_status_name(int status);

int cmd_fit(int argc, char **argv);
int cmd_cv(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_holidays(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_retrain(int argc, char **argv);
/* merge (cmd_fit.c): checks that the n parts, part k (named path[k])
 * being shard shard_of(ctx, k) of n_shards, are shards 0..n_shards-1 each
 * once; FC_EFORMAT naming two parts of one shard or the first shard
 * missing.  Every kind of part (fit, cv, predict, retrain) is checked by it. */
int cli_check_shards(size_t n, const char *const *path, size_t n_shards,
                     size_t (*shard_of)(const void *ctx, size_t k), const void *ctx, fc_err *err);
/* merge of the parts of `retrain --shard` (cmd_retrain.c): the merge's
 * own options, and its command line for the run record. */
typedef struct cli_merge_opts {
	const char *name, *registry, *data;
	double wait;
	int quiet, threads;
	int argc;
	char **argv;
	const char *cmdline;
} cli_merge_opts;
/* Finishes a sharded retrain from its n parts (path, bytes, length): an
 * exit code, retrain's. */
int cli_merge_retrain(const char *out, size_t n, const char **path, char **data,
                      const size_t *len, const cli_merge_opts *mo);

/* The registry's side of fit, cv and predict (cmd_registry.c).  A cli_reg
 * is zeroed by its user, then cli_reg_start notes when the run began;
 * cli_reg_end records the run (when a registry is in use) and releases
 * everything. */
typedef struct cli_reg {
	struct fc_registry *reg;
	int lock;                  /* writer lock fd + 1; 0 none */
	int wanted;                /* a registry is in use: record the run */
	const char *dir;           /* where it is */
	double started;
	char name[65];             /* the model a predict resolved; "" none */
	char args[4096];           /* the command line (cli_opts.cmdline) */
	unsigned long warned;      /* cli_warnings() when the run began */
	long version;              /* the version this run made or used */
	long rows_read, series_forecast, fallbacks;
	char outputs[8192];
	char decision[512];
	char model_hash[17];       /* predict: the model file's hash; "" none */
} cli_reg;
/* --registry, else $FORECAST_REGISTRY, else ./forecast-registry. */
const char *cli_registry_dir(const cli_opts *o);
/* Starts the record of a run: the clock, the warnings so far, and whether
 * a registry is in use: --registry or $FORECAST_REGISTRY given, or
 * `named` (fit --name, or a predict that turns out to name a registered
 * model sets it later). */
void cli_reg_start(const cli_opts *o, cli_reg *g, int named);
/* fit --name: opens (creating) the registry and takes the name's lock. */
int cli_reg_begin(const cli_opts *o, cli_reg *g);
/* fit --name, after the outputs were written: stores the model file and
 * adds the version. */
int cli_reg_fit(cli_reg *g, const cli_opts *o, int argc, char **argv, const fc_panel *p,
                const fc_run *run, const fc_leader_row *best);
/* fit and cv: the rows read, series forecast (cv: back-tested) and
 * series with a fallback or no forecast, for the run record. */
void cli_reg_count(cli_reg *g, const fc_panel *p, const fc_run *run, int fit);
/* predict: the model file to load for --model, which may name a
 * registered model (NAME or NAME@V); path receives the file, and, when
 * the run is recorded, g->model_hash its hash. */
int cli_reg_model_path(const cli_opts *o, cli_reg *g, char *path, size_t cap);
/* Records the run (command and argv) with its exit status when a registry
 * is in use, then closes.  A registry that does not exist yet is created
 * only for a run that succeeded: a failed run is recorded where there is
 * a registry, and leaves none behind where there was none.  name: the
 * model's name, NULL for g->name or none. */
void cli_reg_end(cli_reg *g, const char *command, int argc, char **argv, const char *name,
                 int exit_status);
/* What the last run to end recorded (or would have): its series forecast
 * and fallbacks, for retrain, which runs fit and predict in-process. */
void cli_reg_last(long *series_forecast, long *fallbacks);
/* retrain, which runs fit in its own process, holds the name's lock
 * itself: while name is held, cli_reg_begin does not take it again (it
 * could not: flock locks of two opens of one file conflict).  NULL: none. */
void cli_reg_hold(const char *name);
/* Adds "path<TAB>hash" of a written file to the run's outputs. */
void cli_reg_output(cli_reg *g, const char *path);
int cmd_explain(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* fit --report: writes the HTML report of a run to f (cmd_report.c). */
struct fc_leader_row;
int cli_report_run(FILE *f, const cli_opts *o, const fc_panel *p, const fc_run *run,
                   const fc_cv_opts *cv, const struct fc_leader_row *rows,
                   const char *const *labels, fc_err *err);
/* Explains global model k of a model file over the series using it
 * (cmd_explain.c); see there. */
struct fc_artifact;
struct fc_artifact_series;

/* Reads path with the columns, frequency, seasonal periods, aggregation
 * and fill the model file's data were read with (model_data.c). */
int cli_read_like(const char *path, const struct fc_artifact *a, fc_panel **out, fc_err *err);
/* cli_read_like for newer data (predict --data, explain --data), which must
 * also write its timestamps in the style of the model's. */
int cli_read_newer(const char *path, const struct fc_artifact *a, fc_panel **out, fc_err *err);

/* The panel a model file's global model k forecasts from
 * (model_data.c): the series that use it (only the one whose key, its
 * group values joined by ',', is `only`, when given), each with the
 * history the file keeps or, where `newer` has it, that series of the
 * newer data.  p.series[j] is the file's series idx[j], forecast from
 * cut[j].  An empty panel (p.n_series 0) is not an error. */
typedef struct cli_gpanel {
	fc_panel p;
	size_t *idx, *cut;
	fc_series *ser;
	double *nan_col;           /* the missing exogenous history */
	const double **nan_exog;
} cli_gpanel;
int cli_gpanel_init(cli_gpanel *g, const struct fc_artifact *a, size_t k, const fc_panel *newer,
                    const char *only, fc_err *err);
void cli_gpanel_dispose(cli_gpanel *g);
int cli_uses_global(const struct fc_artifact_series *s, size_t k);
void cli_series_key(const struct fc_artifact *a, const struct fc_artifact_series *s, char *buf,
                    size_t cap);

struct fc_explanation;
int cli_explain_global(const struct fc_artifact *a, size_t k, const fc_panel *newer,
                       const char *only, struct fc_explanation *ex, size_t **idx_out,
                       double *art_mean, fc_err *err);

#endif
