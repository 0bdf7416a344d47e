/* Rolling-origin cross-validation, per-series model selection, and the final
 * refit and forecast.
 *
 * For a series of n observations, horizon h, K folds and step s, fold k
 * (k = 0..K-1) has origin o_k = n - h - (K-1-k)s: it trains on y[0..o_k)
 * (or the last `window` observations before o_k) and is scored on
 * y[o_k..o_k+h).  Every candidate sees the same folds of a series (Tashman
 * 2000, "Out-of-sample tests of forecasting accuracy", IJF 16(4)).
 *
 * The plan of a short series uses the history there is: K folds where the
 * most demanding candidate that can be back-tested at all fits the first
 * fold, else K folds at a shorter step, else fewer folds.  A candidate is
 * scored on the folds it can fit and compared with the others on the folds
 * they share (those of every candidate scored on the last fold); no
 * candidate that fits the last fold is dropped because an earlier one was
 * short.
 *
 * Global candidates (fc_model_type.global) are fitted once per fold on all
 * series together, each series cut at its own origin of that fold (folds
 * counted from the end, so the last fold of every series is fitted
 * together), and scored per series like the others; the winner's refit is
 * one fit over all series.
 *
 * When a series is too short for one fold, it is forecast without
 * back-testing (fc_cv_run says how); a series with no observed value gets
 * no forecast.  Each such case is recorded in the series result (and is an
 * error with `strict`). */
#ifndef FORECAST_CV_H
#define FORECAST_CV_H

#include <stddef.h>
#include <stdint.h>
#include "forecast/error.h"
#include "forecast/metrics.h"
#include "forecast/model.h"
#include "forecast/panel.h"

/* The smallest training window of a fold. */
#define FC_CV_MIN_TRAIN 2
/* The most folds (--folds). */
#define FC_CV_MAX_FOLDS 1000

/* Progress of a run: `done` of `total` units of work (one unit: one
 * candidate back-tested on one series, or one fold of a global candidate);
 * seconds[c] is the time spent so far in candidate c (n_candidates
 * values), for showing where the time goes. */
typedef struct fc_progress_info {
	const char *stage;     /* "back-testing", "global gbdt" ... */
	size_t done, total;
	const double *seconds;
	size_t n_candidates;
	fc_model *const *candidates; /* the run's candidates (their names) */
} fc_progress_info;
typedef void (*fc_progress_fn)(void *ctx, const fc_progress_info *info);

typedef struct fc_cv_opts {
	size_t horizon;
	size_t folds;   /* K >= 1 */
	size_t step;    /* s >= 1; 0 = horizon */
	size_t window;  /* 0 = expanding window */
	size_t n_levels;
	double levels[FC_MAX_LEVELS];
	fc_metric metric;          /* primary metric for selection */
	size_t n_candidates;
	fc_model *const *candidates; /* unfitted templates (kind + params); borrowed */
	int strict;                /* fallbacks become errors */
	int forecast;              /* refit the winner on all data and forecast */
	fc_progress_fn progress;   /* called in a critical section; may be NULL */
	void *progress_ctx;
	size_t refit_every;        /* global candidates: fit on every refit_every-th
	                            * fold (from the earliest) and reuse that fit
	                            * for the folds after it; 0 or 1 = every fold */
	int ensemble;              /* FC_ENSEMBLE_*: how a series' forecast is made */
	int ensemble_by;           /* FC_ENSEMBLE_BY_*: whose folds choose the weights */
	size_t ensemble_rounds;    /* Caruana's picks (0: FC_ENSEMBLE_ROUNDS) */
	int ensemble_intervals;    /* FC_ENSEMBLE_INTERVALS_*: an ensemble's bounds */
	uint64_t budget;           /* work units (include/forecast/budget.h) a local
	                            * candidate may spend on one series' back-test,
	                            * and again on its refit; past it the candidate
	                            * is dropped for that series; 0 = no limit */
	const unsigned char *series_mask; /* fc_cv_backtest: only the series with
	                            * series_mask[i] set (a shard's,
	                            * include/forecast/shard.h); NULL: every one */
	int clip;                  /* FC_CLIP_*: the final forecasts clipped at zero
	                            * (the back-test's are not); 0 = NONE */
	const size_t *stopped;     /* per candidate: nonzero = stopped early by a
	                            * search, never a member (fc_cv_finish sets
	                            * it from the run; NULL: none) */
} fc_cv_opts;

/* The final step: the best candidate per series (NONE), greedy ensemble
 * selection over the candidates' fold forecasts (CARUANA,
 * include/forecast/ensemble.h), the equal-weight mean or the median of
 * every candidate that applies (MEAN, MEDIAN), or stacking (STACK,
 * include/forecast/stack.h): one set of non-negative ElasticNet weights
 * for the panel, fitted on every series' fold forecasts and actuals, each
 * fold divided by the series' MASE scale on that fold's training window
 * (so that no series weighs by its level), from the candidates that apply
 * to at least half of the series with folds (a series lacking one of them
 * gives no rows); rows are labelled by their fold's distance from the
 * series' end, so that the nested folds are the same back-test folds for
 * every series.  With fewer than two folds there is no honest choice of
 * lambda and every series keeps its best single candidate. */
enum { FC_ENSEMBLE_NONE = 0, FC_ENSEMBLE_CARUANA, FC_ENSEMBLE_MEAN, FC_ENSEMBLE_MEDIAN,
       FC_ENSEMBLE_STACK };
/* An ensemble's (two members or more) intervals: the members' bounds
 * averaged by weight (MEMBERS, quantile averaging; for Gaussian members
 * this is mean +/- z sum_i w_i sd_i, the sd of the weighted mean when the
 * members' errors are perfectly correlated, so never narrower than the
 * truth under any correlation); that when every member's intervals are
 * model-based (Gaussian), else conformal from the ensemble's own back-test
 * errors (AUTO); or always conformal from those errors (CONFORMAL).  The
 * ensemble's fold forecast is the combination, by the same weights (or the
 * median), of its members' fold forecasts, on the folds where every member
 * has one; a series with no such fold keeps MEMBERS. */
enum { FC_ENSEMBLE_INTERVALS_MEMBERS = 0, FC_ENSEMBLE_INTERVALS_AUTO,
       FC_ENSEMBLE_INTERVALS_CONFORMAL };
/* Caruana's weights: one set chosen on every series' folds together
 * (PANEL), a set per series on its own folds (SERIES), or the mean of the
 * two (BLEND: each series' own weights shrunk halfway to the panel's).
 * Own weights chosen on a few dozen back-test steps overfit them, one set
 * for a diverse panel fits no series well; measured on every data set of
 * bench/results/defaults.md, the blend was the best of the three or close
 * to it on each. */
enum { FC_ENSEMBLE_BY_PANEL = 0, FC_ENSEMBLE_BY_SERIES, FC_ENSEMBLE_BY_BLEND };
#define FC_ENSEMBLE_ROUNDS 25

/* One member of a series' final forecast. */
typedef struct fc_member {
	long candidate;        /* index in opts.candidates; -1: naive, the last resort */
	double weight;         /* the members' weights sum to 1 */
	fc_model *model;       /* refit on the whole series (a global kind: an
	                        * unfitted clone; its fit is fc_run.global_state) */
	fc_forecast fc;        /* its forecast */
	double *conf_err;      /* conformal kinds: the fold errors, conf_folds x h */
	size_t conf_folds;
} fc_member;

enum {
	FC_FALLBACK_NONE = 0,
	FC_FALLBACK_FEWER_FOLDS,  /* fewer folds than asked */
	FC_FALLBACK_NO_CV,        /* too short to back-test: fallback model */
	FC_FALLBACK_SKIPPED,      /* no observed value: no forecast */
	FC_FALLBACK_REFIT         /* the winner failed on the whole series: the next best */
};

/* A local candidate refitted on a whole series ahead of the selection
 * (fc_cv_prefit: a shard's work), for the selection to use if the
 * candidate becomes a member: what the refit would have made of it. */
typedef struct fc_prefit {
	int have;              /* refitted */
	int status;            /* 0, or the refit's error */
	char *msg;             /* status != 0: its message */
	char *saved;           /* status == 0: the model as fc_model_save writes it */
	fc_forecast fc;        /* status == 0: its forecast (without conformal bounds) */
	unsigned char timed_out;
	double seconds;
} fc_prefit;
typedef struct fc_series_result {
	size_t folds;          /* folds used */
	size_t step;           /* steps between their origins (at most opts.step) */
	/* Fold forecasts of candidate c on fold k (0 = the earliest of the
	 * series' folds), fold_fc[(c * opts.folds + k) * horizon + i], valid
	 * where fold_ok[c * opts.folds + k]. */
	double *fold_fc;
	unsigned char *fold_ok;
	int fallback;          /* FC_FALLBACK_* */
	char note[200];        /* why, when fallback != NONE or status != 0 */
	/* Per candidate c and metric j: sum and count over folds of the finite
	 * fold values, at [c * FC_METRIC_COUNT + j]. */
	double *metric_sum;
	size_t *metric_count;
	unsigned char *applicable; /* per candidate */
	unsigned char *timed_out;  /* per candidate: dropped for its work budget */
	double *seconds;           /* per candidate: time spent (not deterministic;
	                            * for reports only) */
	long best;             /* the best single candidate on the back-test, -1 when none */
	/* The forecast (opts.forecast): members refitted on the whole series
	 * and combined, the weighted mean of their forecasts and bounds
	 * (quantile averaging: Lichtendahl, Grushka-Cockayne & Winkler 2013,
	 * "Is it better to average probabilities or quantiles?", Management
	 * Science 59(7)), or their median.  One member of weight 1 without an
	 * ensemble.  fc.h == 0 when the series has no forecast. */
	size_t n_members;
	fc_member *members;
	int median;            /* combined by the median */
	fc_forecast fc;
	/* The ensemble's own back-test errors (ens_folds x horizon, fold-major)
	 * when its bounds are conformal from them (opts.ensemble_intervals);
	 * NULL otherwise. */
	double *ens_err;
	size_t ens_folds;
	int clipped;           /* fc (mean and bounds) clipped at zero (opts.clip) */
	int status;            /* 0, or the error that stopped this series */
	fc_err err;
	fc_prefit *prefit;     /* per candidate (fc_cv_prefit, or loaded from a
	                        * shard's part); NULL: none */
} fc_series_result;

typedef struct fc_run {
	size_t n_series, n_candidates;
	fc_series_result *res;
	/* Per candidate: for a global kind chosen by some series (with
	 * opts.forecast), its fit on all the data (owned; the kind's
	 * global->free releases it); NULL otherwise.  Series that chose it
	 * hold an unfitted clone of the candidate in their result's model. */
	void **global_state;
	const fc_model_type **global_types; /* per candidate, to release them */
	double *global_seconds; /* per candidate: a global kind's back-test time */
	/* The panel's ensemble weights (opts.ensemble CARUANA by PANEL or
	 * BLEND; NULL otherwise), and its back-test loss beside the best single candidate's
	 * over the same series (the selection metric; optimistic: chosen on
	 * those folds). */
	double *ensemble_weights;
	double ensemble_loss, single_loss;
	size_t own_weights; /* series whose caruana weights use their own folds */
	double blend_share; /* BLEND: the own weights' share, by leave-one-fold-out (else NaN) */
	/* Staged runs (fc_cv_begin): room for `capacity` candidates; per
	 * candidate, 0 or the fold step (1-based, counted from the earliest
	 * fold) after which an early-stopping policy stopped it.  A stopped
	 * candidate keeps the metrics of the folds it was scored on, for the
	 * leaderboard, and takes no part in selection or ensembles. */
	size_t capacity;
	size_t *stopped_at;
	/* STACK: the lambda chosen (NaN: no choice, single candidates), its
	 * mean held-out loss (squared, in MASE-scaled units), and the folds
	 * and rows it was chosen on. */
	double stack_lambda, stack_loss;
	size_t stack_folds, stack_rows;
} fc_run;

/* Back-tests every candidate on every series of the panel (OpenMP over
 * series) and, with opts->forecast, refits each series' winner on all its
 * data and forecasts.  Results are identical for any thread count.
 *   Returns FC_EINVAL for bad options; with strict, the first series (in
 * panel order) that needed a fallback or failed gives FC_EINPUT/FC_EMODEL
 * naming it.  Without strict, per-series failures are kept in the results
 * and the call succeeds.  On failure *out is untouched. */
int fc_cv_run(const fc_panel *p, const fc_cv_opts *opts, fc_run **out, fc_err *err);

void fc_run_free(fc_run *r);

/* Staged runs, for a search whose later candidates depend on the results
 * of earlier ones.  fc_cv_run is fc_cv_begin, fc_cv_backtest of every
 * candidate, and fc_cv_finish.
 *
 * fc_cv_begin plans every series' folds from the candidates known now
 * (opts->candidates[0 .. opts->n_candidates)) and makes room for
 * `capacity` (>= n_candidates) candidates; it back-tests nothing.  The
 * folds do not change afterwards: candidates added later are scored on
 * the same folds (those they can fit).
 *
 * fc_cv_backtest scores candidates first .. first+n-1 of opts (which may
 * have grown since fc_cv_begin, up to capacity; the other options must be
 * those given to fc_cv_begin) on every series' folds.  Without a stopper
 * each series is back-tested candidate by candidate, as fc_cv_run does.
 * With one, the candidates are scored fold step by fold step over the
 * whole panel (step t scores, on each series, its fold at distance
 * folds-1-t from the last; a series with fewer folds joins later), and
 * after each step but the last the stopper is asked, in candidate order,
 * whether to stop each candidate still running; a stopped candidate gets
 * no further fold.  The scores are the same either way.
 *
 * fc_cv_finish compares the candidates opts->candidates[0 ..
 * opts->n_candidates) on each series (stopped ones left out), and with
 * opts->forecast refits and combines as fc_cv_run does.
 *
 * Each returns 0, FC_EINVAL for bad options, FC_ENOMEM, or (finish) the
 * strict errors of fc_cv_run; the run is the caller's to free in any case
 * (fc_cv_begin leaves *out untouched on failure). */
typedef struct fc_cv_stopper {
	/* nonzero: stop candidate c after fold step t (0-based) */
	int (*stop)(void *ctx, const fc_run *run, size_t c, size_t t);
	void *ctx;
} fc_cv_stopper;
int fc_cv_begin(const fc_panel *p, const fc_cv_opts *opts, size_t capacity, fc_run **out,
                fc_err *err);
int fc_cv_backtest(const fc_panel *p, const fc_cv_opts *opts, fc_run *run, size_t first, size_t n,
                   const fc_cv_stopper *stopper, fc_err *err);
int fc_cv_finish(const fc_panel *p, const fc_cv_opts *opts, fc_run *run, fc_err *err);

/* Refits, on each series of opts->series_mask (NULL: every series) that
 * has been back-tested, every local candidate that the selection could
 * make one of its members (those scored on its last fold; for a series
 * too short for a fold, those fc_cv_finish would combine), into the
 * series' prefit; fc_cv_finish then uses these fits instead of refitting.
 * The results are those of the refit fc_cv_finish would make.  Returns 0
 * or FC_ENOMEM (a failed fit is recorded in its prefit). */
int fc_cv_prefit(const fc_panel *p, const fc_cv_opts *opts, fc_run *run, fc_err *err);
void fc_prefit_dispose(fc_prefit *pf);
/* The back-test of a global kind with fixed hyperparameters, as
 * fc_cv_run makes it for a global candidate: for each fold distance j
 * from the last (folds-1 down to 0) one fit of model's kind and
 * parameters (model itself is not changed) on p with series i cut at
 * cut[j * p->n_series + i] (0: not in that fold's fit), and its forecast
 * of h steps from each cut, into *out (allocated, the caller frees it):
 * (*out)[(i * folds + j) * h + k], NaN where series i has no cut or the
 * fold's fit or forecast failed.  With refit_every > 1 a fit is reused by
 * the refit_every - 1 folds after it (later folds: it has seen less data,
 * never more).  Returns 0, FC_EINVAL (not a global kind, or parameters
 * that do not fit the data) or FC_ENOMEM; *out is untouched on failure. */
int fc_cv_global_folds(const fc_panel *p, const fc_model *model, size_t folds, size_t h,
                       size_t refit_every, const size_t *cut, double **out, fc_err *err);

/* Candidate c's running back-test loss after fold step t: the mean of the
 * selection metric over the (series, fold) pairs it was scored on among
 * the folds at distance folds-1-t or less from the last (t = folds-1: all
 * of them).  NaN when there is none. */
double fc_run_running_loss(const fc_panel *p, const fc_cv_opts *opts, const fc_run *run, size_t c,
                           size_t t);

/* Mean over a series' folds of metric j for candidate c (NaN when none). */
double fc_result_metric(const fc_run *r, size_t series, size_t c, fc_metric j);

/* Split-conformal intervals (Vovk, Gammerman & Shafer 2005; as in
 * Stankeviciute et al. 2021 for multi-step forecasts) for a model without a
 * stochastic model: for step i, the bound at level L is the
 * ceil((n+1)L/100)-th smallest absolute back-test error of step i over the
 * n folds where it was observed (the largest when that rank exceeds n, so
 * with few folds the intervals are as wide as the folds allow, no wider).
 * err[k * h_err + i] is fold k's error at step i; steps beyond h_err reuse
 * step h_err's errors.  Without errors the bounds are NaN. */
void fc_conformal_bounds(fc_forecast *f, const double *err, size_t folds, size_t h_err);

/* One leaderboard row: a candidate's metrics averaged over all series and
 * folds where it was evaluated, and how many series picked it. */
typedef struct fc_leader_row {
	size_t candidate;
	size_t series;   /* series where it was evaluated */
	size_t wins;
	size_t folds;    /* folds scored, over all series */
	size_t timeouts; /* series where it was dropped for its work budget */
	double seconds;  /* CPU seconds spent in it (back-tests and refits), over
	                  * every series; merged: over the parts (fc_part_load),
	                  * under MPI also the ranks' shares of a global fit */
	size_t stopped;  /* 0, or the fold step after which it was stopped early */
	double metric[FC_METRIC_COUNT];
} fc_leader_row;

/* Fills rows[n_candidates], sorted by the primary metric (NaN last; ties by
 * candidate index); candidates stopped early come after the others (their
 * metrics are over the folds they were scored on, their series those). */
void fc_leaderboard(const fc_run *r, fc_metric primary, fc_leader_row *rows);

#endif
