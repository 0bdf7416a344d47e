/* Hyperparameter search: the spaces of a run (every kind's declared table,
 * overridden or extended by a space file), and the trials a grid or random
 * search makes of them.
 *
 * A trial is one configuration of one kind: a copy of that kind's
 * candidate (with the user's --param settings) with the searched
 * parameters set to one point of the space.  Trials join the candidate
 * set as templates of their own, so that fc_cv_run back-tests them on the
 * same folds as every other candidate and they compete in selection and
 * ensembles like any other (a trial is one candidate, and its seconds,
 * metrics and wins are its own).
 *
 * Random search (Bergstra & Bengio 2012, "Random search for
 * hyper-parameter optimization", JMLR 13) draws each kind's parameters
 * from a splitmix64 stream seeded by (seed, kind name), so that a kind's
 * trials do not depend on which other kinds are searched, nor on the
 * thread count; a drawn configuration equal to the kind's candidate or to
 * an earlier trial is drawn again.  Grid search walks the product of the
 * parameters' grids (include/forecast/space.h), the last parameter
 * fastest.  Either way the budget of trials is shared round-robin between
 * the searched kinds, in candidate order.  A configuration that the kind
 * rejects (e.g. ets damped=true with model=ANN) is skipped and counted.
 *
 * Space file (--space FILE), one parameter a line, '#' starts a comment:
 *     KIND.NAME = TYPE(ARGS)
 *     gbdt.learning_rate = loguniform(0.01, 0.3)
 *     gbdt.min_data_in_leaf = quniform(5, 100, 5)
 *     window.size = int(4, 52)
 *     ets.damped = choice(true, false)
 *     gbdt.lags = choice(auto, "1-7,14", "1-28")
 * A line replaces the kind's declared range of NAME, or adds NAME to the
 * kind's space; a later line wins over an earlier one.  Values with a
 * comma, space, parenthesis, '#' or '"' are quoted with '"'.  Every bound
 * and choice is checked with the kind's set_param when the file is read. */
#ifndef FORECAST_SEARCH_H
#define FORECAST_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/cv.h"
#include "forecast/error.h"
#include "forecast/model.h"
#include "forecast/space.h"

/* One searched parameter of one kind. */
typedef struct fc_space_entry {
	const fc_model_type *kind;
	fc_param_space p; /* name and choices borrowed from the kind's table or
	                   * owned by the set (a space file's) */
} fc_space_entry;

typedef struct fc_space_set {
	size_t n, cap;
	fc_space_entry *e;
	size_t n_owned, cap_owned;
	char **owned; /* strings and choice arrays read from space files */
} fc_space_set;

void fc_space_set_init(fc_space_set *s);
void fc_space_set_dispose(fc_space_set *s);
/* Appends every kind's declared table, in registry order.  FC_ENOMEM. */
int fc_space_set_defaults(fc_space_set *s, fc_err *err);
/* Replaces kind's entry named p->name, or appends p.  The set borrows
 * p->name and p->choices.  FC_ENOMEM. */
int fc_space_set_put(fc_space_set *s, const fc_model_type *kind, const fc_param_space *p,
                     fc_err *err);
/* Entries of kind in the set. */
size_t fc_space_set_count(const fc_space_set *s, const fc_model_type *kind);

/* Reads a space file (format above) into s.  A syntax error, an unknown
 * kind or parameter, a bad range (lo > hi, loguniform bound <= 0, ...)
 * or a value the kind rejects is FC_EINPUT with "PATH:LINE:COL: message"
 * (1-based; the column of the offending token); a file that cannot be read
 * is FC_EIO.  On failure s keeps the lines before the bad one.
 * fc_space_parse is the same on text in memory, named `path` in messages. */
int fc_space_read(fc_space_set *s, const char *path, fc_err *err);
int fc_space_parse(fc_space_set *s, const char *text, const char *path, fc_err *err);

typedef enum fc_search_method {
	FC_SEARCH_NONE = 0,
	FC_SEARCH_GRID,
	FC_SEARCH_RANDOM,
	FC_SEARCH_BAYES
} fc_search_method;

/* Early termination of trials, fold by fold (fc_search_run). */
typedef enum fc_early_stop {
	FC_EARLY_STOP_NONE = 0,
	FC_EARLY_STOP_MEDIAN,
	FC_EARLY_STOP_BANDIT
} fc_early_stop;

/* Default --bandit-slack (Azure's slack_factor). */
#define FC_BANDIT_SLACK 0.1

/* Default --budget-trials. */
#define FC_SEARCH_DEFAULT_TRIALS 20

typedef struct fc_trial {
	size_t base;        /* index of the candidate it is a configuration of */
	char label[48];     /* "gbdt#3": the kind and the trial's number among its kind's */
	char *params;       /* "num_leaves=31;learning_rate=0.05" (owned) */
	fc_model *model;    /* the unfitted template (owned) */
} fc_trial;

typedef struct fc_search_opts {
	fc_search_method method;
	size_t budget;      /* trials in all; >= 1 */
	uint64_t seed;
	/* per base candidate: nonzero to search it (it must have entries in
	 * the space set); NULL: every candidate that has entries */
	const unsigned char *searched;
	/* fc_search_run only */
	size_t concurrency;       /* trials back-tested together (0: 1) */
	double budget_seconds;    /* wall clock; 0: none */
	fc_early_stop early_stop;
	double bandit_slack;      /* slack factor of the bandit policy */
	size_t early_stop_delay;  /* folds scored before a policy applies */
	size_t tpe_startup;       /* bayes: random trials per kind first (0: the
	                           * rule in fc_search_run's comment) */
	double tpe_gamma;         /* 0: FC_TPE_GAMMA */
} fc_search_opts;

typedef struct fc_search_info {
	size_t grid_points; /* grid: the points of every searched kind (saturating); 0 for random */
	size_t rejected;    /* configurations a kind rejected, skipped */
	size_t exhausted;   /* random: kinds whose space ran out of new configurations */
	int truncated;      /* grid: the budget ran out before the grid did */
	/* fc_search_run */
	size_t made;        /* trials back-tested */
	size_t stopped;     /* of them, stopped early */
	int out_of_time;    /* budget_seconds ran out before the trials did */
	double seconds;     /* wall clock of the search (back-tests included) */
} fc_search_info;

/* Makes the trials of a grid or random search over the base candidates
 * (each trial a clone of its base with the sampled parameters set).  *out
 * (NULL when none) and *n_out receive them.  FC_ENOMEM; FC_EINVAL for bad
 * options (bayes included: its trials depend on back-test results, see
 * fc_search_run). */
int fc_search_trials(fc_model *const *base, size_t n_base, const fc_space_set *space,
                     const fc_search_opts *opts, fc_trial **out, size_t *n_out,
                     fc_search_info *info, fc_err *err);
void fc_trials_free(fc_trial *t, size_t n);

/* Runs a search end to end on panel p.  cv->candidates[0 .. n_candidates)
 * are the base candidates (borrowed); the other options are the run's.
 *
 * The base candidates are back-tested first, then the trials in batches
 * of opts->concurrency on the same folds (fc_cv_begin plans them from the
 * candidates known beforehand: grid and random trials are made up front
 * and count, bayes trials are not known yet and do not), and finally
 * every candidate and trial goes to selection and the ensemble
 * (fc_cv_finish).  Before each batch, the run stops launching trials once
 * opts->budget_seconds of wall clock have passed since the start.
 *
 * Bayes: each kind's trials come in turn, round-robin as for random; a
 * kind's first trials are random draws (the same as random search's for
 * the seed): opts->tpe_startup of them, or by default a third of the
 * kind's share of the budget, at least 2 and at most 5; each later one
 * is the first new configuration among TPE's ranked proposals
 * (include/forecast/tpe.h) from the kind's finished trials and their
 * losses.  A trial's loss is the mean of the selection metric over the
 * (series, fold) pairs it was scored on (fc_run_running_loss); a stopped
 * or unscored trial counts as the worst.
 *
 * Early stopping (opts->early_stop), after each fold step but the last,
 * once opts->early_stop_delay folds have been scored, per kind: the
 * reference runs are the kind's base candidate and its trials finished
 * in earlier batches without being stopped, each with its running loss at
 * the same fold step.  Median: a trial is stopped when its running loss
 * is above the median of the references'.  Bandit: when it is above the
 * best reference's times (1 + bandit_slack).  Decisions depend only on
 * the losses.
 *
 * On success *cands (owned array; nb + *n_trials pointers, the base
 * candidates then the trials' models), *trials (they own their models),
 * *run (finished) are set.  Errors as fc_cv_run and fc_search_trials; on
 * failure nothing is returned and everything made is freed. */
int fc_search_run(const fc_panel *p, const fc_cv_opts *cv, const fc_space_set *space,
                  const fc_search_opts *opts, fc_model ***cands, fc_trial **trials,
                  size_t *n_trials, fc_run **run, fc_search_info *info, fc_err *err);

#endif
