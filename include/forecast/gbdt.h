/* Histogram gradient-boosted regression trees (the learner behind the
 * global forecasting models).
 *
 * Modelled on LightGBM (Ke et al., "LightGBM: A Highly Efficient Gradient
 * Boosting Decision Tree", NeurIPS 2017): features bucketed once into at
 * most 255 quantile bins, gradient/hessian histograms per leaf with the
 * sibling obtained by subtraction, leaf-wise growth, second-order leaf
 * values with L1/L2 regularization (Chen & Guestrin, "XGBoost", KDD 2016).
 *
 * Data layout: a column-major float matrix, x[c * n_rows + r], NaN =
 * missing.  Categorical columns (flag in `categorical`) hold non-negative
 * integer codes stored as floats; NaN, negative, non-integer or unseen codes
 * all go to the right ("other") side of a categorical split.
 *
 * Results are identical for any number of OpenMP threads, and for any
 * split of the rows over processes (fc_gbdt_train_part): every sum over
 * rows is exact (gradients on a fixed-point grid, see gbdt.c), every row's
 * prediction is made by one thread, the feature sample comes from one
 * random stream drawn serially, and a row's bagging draw is a hash of the
 * seed, the round and the row.  The library never prints; functions return 0 or a negative
 * FC_E* code and fill the caller's fc_err. */
#ifndef FORECAST_GBDT_H
#define FORECAST_GBDT_H

#include <stddef.h>
#include <stdint.h>

#include "forecast/buf.h"
#include "forecast/error.h"

typedef enum {
	FC_GBDT_SQUARED,   /* 0.5 (y - f)^2; identity link */
	FC_GBDT_POISSON,   /* Poisson deviance; log link, y >= 0 */
	FC_GBDT_TWEEDIE,   /* Tweedie deviance, power p in (1,2); log link, y >= 0 */
	FC_GBDT_ABSOLUTE,  /* |y - f|; leaf values re-fitted as medians of residuals */
	FC_GBDT_QUANTILE   /* pinball loss at alpha; leaves re-fitted as alpha-quantiles */
} fc_gbdt_loss;

typedef struct fc_gbdt_params {
	fc_gbdt_loss loss;
	double tweedie_power;           /* p in (1,2); default 1.5 */
	double quantile_alpha;          /* in (0,1); default 0.5 */
	double poisson_max_delta_step;  /* hessian exp(f + this) for Poisson (LightGBM, xgboost: 0.7) */
	size_t n_trees;                 /* boosting rounds; default 100 */
	double learning_rate;           /* shrinkage; default 0.1 */
	size_t num_leaves;              /* max leaves per tree, >= 2; default 31 */
	size_t max_depth;               /* 0 = no limit */
	size_t min_data_in_leaf;        /* rows; default 20 */
	double min_sum_hessian;         /* default 1e-3 */
	double lambda_l1, lambda_l2;    /* leaf regularization; default 0, 0 */
	double min_gain;                /* a split must gain more than this; default 0 */
	double bagging_fraction;        /* rows drawn per tree, (0,1]; default 1 */
	double feature_fraction;        /* columns drawn per tree, (0,1]; default 1 */
	size_t max_bin;                 /* bins per feature besides the missing bin, 2..255; default 255 */
	size_t early_stopping_rounds;   /* 0 = off; needs a validation set */
	uint64_t seed;                  /* default 0 */
	/* Categorical splits (LightGBM's names and defaults). */
	size_t max_cat_to_onehot;       /* <= this many categories: one-vs-rest; default 4 */
	size_t max_cat_threshold;       /* most categories on the left; default 32 */
	double cat_smooth;              /* ratio G / (H + cat_smooth); rarer categories skipped; default 10 */
	double cat_l2;                  /* extra L2 in categorical gains; default 10 */
	size_t min_data_per_group;      /* rows per category group; default 100 */
} fc_gbdt_params;

typedef struct fc_gbdt fc_gbdt;

/* LightGBM-like defaults (see the field comments). */
fc_gbdt_params fc_gbdt_default_params(void);

/* Sets one parameter from text.  Keys are the field names above, plus
 * "loss" = squared | poisson | tweedie | absolute | quantile and the aliases
 * "alpha", "n_estimators", "num_iterations", "eta", "lambda", "alpha_l1".
 * Unknown keys and out-of-range values are FC_EINVAL with a message naming
 * the key; *p is unchanged on failure. */
int fc_gbdt_set_param(fc_gbdt_params *p, const char *key, const char *val, fc_err *err);

/* Checks ranges (also done by fc_gbdt_train).  0 or FC_EINVAL. */
int fc_gbdt_check_params(const fc_gbdt_params *p, fc_err *err);

/* Trains a model.  x: n_rows x n_cols column-major; categorical: n_cols
 * flags or NULL (all numeric); y: n_rows targets (finite; >= 0 for Poisson
 * and Tweedie); w: n_rows non-negative weights or NULL.  x_valid/y_valid:
 * an optional validation set (n_valid rows, same columns) whose metric is
 * recorded per round and drives early stopping; with early stopping the
 * returned model is cut back to its best round.  Training also stops (with
 * fewer trees) when a round finds no split that meets the limits, as
 * LightGBM does.  Working memory: the binned matrix (n_rows x n_cols
 * bytes), num_leaves histograms of 24 bytes per bin, and a few doubles
 * per row.  Categorical codes must be below 2^24.  Fails with FC_EINVAL for
 * bad parameters or shapes, FC_EINPUT for bad targets or weights,
 * FC_ENOMEM; *out is set only on success (free with fc_gbdt_free). */
int fc_gbdt_train(const fc_gbdt_params *p, const float *x, size_t n_rows, size_t n_cols,
                  const unsigned char *categorical, const float *y, const float *w,
                  const float *x_valid, size_t n_valid, const float *y_valid,
                  fc_gbdt **out, fc_err *err);

/* The same training from rows that are made one at a time, so that the
 * caller never holds the float matrix (the global model's design, built
 * series by series): the bin edges come from the rows r with
 * r % fc_gbdt_sample_stride(n_rows) == 0 (at most a million rows, the sample
 * fc_gbdt_train takes), given column-major as sample[c * n_sample + r /
 * stride] with n_sample = ceil(n_rows / stride) (the sample may be freed
 * once fc_gbdt_bins_alloc returns); fc_gbdt_bins_reserve then allocates
 * the bins (n_rows x n_cols bytes; FC_ENOMEM), and every row is put
 * (fc_gbdt_bins_put: rows r..r+k-1, column c of row r+i at block[c * stride
 * + i]; distinct rows may be put from several threads at once) and fc_gbdt_train_bins trains as
 * fc_gbdt_train would on the same matrix, byte for byte, without a
 * validation set.  fc_gbdt_bins_alloc: FC_EINVAL, FC_ENOMEM;
 * free with fc_gbdt_bins_free (NULL is a no-op). */
typedef struct fc_gbdt_bins fc_gbdt_bins;
size_t fc_gbdt_sample_stride(size_t n_rows);
/* The step between the rows the global model's learner trains on when its
 * design has n_rows > max_rows (max_rows 0: no limit; then, and at or
 * below the limit, 1): the smallest k >= ceil(n_rows / max_rows) that
 * shares no factor with any of the whole seasonal periods (seasons[i]
 * rounded), so that every k-th row of a series walks through the seasons'
 * phases (src/models/gbdt/gbdt_global.c). */
size_t fc_gbdt_row_step(size_t n_rows, size_t max_rows, const double *seasons, size_t n_seasons);
int fc_gbdt_bins_alloc(const fc_gbdt_params *p, size_t n_rows, size_t n_cols,
                       const unsigned char *categorical, const float *sample,
                       fc_gbdt_bins **out, fc_err *err);
int fc_gbdt_bins_reserve(fc_gbdt_bins *b, fc_err *err);
void fc_gbdt_bins_put(fc_gbdt_bins *b, size_t r, size_t k, const float *block, size_t stride);
/* Every row at once from the column-major x[c * n_rows + r] (OpenMP over
 * columns). */
void fc_gbdt_bins_put_matrix(fc_gbdt_bins *b, const float *x);
int fc_gbdt_train_bins(const fc_gbdt_params *p, const fc_gbdt_bins *b, const float *y,
                       const float *w, fc_gbdt **out, fc_err *err);
void fc_gbdt_bins_free(fc_gbdt_bins *b);

/* ---- training over processes ----
 * LightGBM's data-parallel learning (Meng et al., "A communication-
 * efficient parallel algorithm for decision tree", NeurIPS 2016): every
 * process holds some of the rows, binned with the same edges (from the
 * same sample as one process's: gathered by the caller); each builds its
 * rows' histograms, they are summed over the processes, and every process
 * finds the same splits and grows the same trees.  The sums being exact,
 * the model is one process's on all the rows, byte for byte.  The
 * collectives come from the caller (an MPI communicator in src/dist/mpi.c)
 * and must be called by every process in the same order. */
typedef struct fc_gbdt_comm {
	void *ctx;
	size_t rank, size;
	/* v[0..n) summed elementwise over the processes, the result on every
	 * process.  0 or a negative FC_E* code (then on every process). */
	int (*sum)(void *ctx, int64_t *v, size_t n);
	/* the elementwise maximum, likewise */
	int (*max)(void *ctx, double *v, size_t n);
	/* len bytes from process root to every other */
	int (*bcast)(void *ctx, void *buf, size_t len, size_t root);
} fc_gbdt_comm;

/* Every process's rc agreed (collective): the failure with the smallest
 * key (a row or series index; SIZE_MAX where rc is 0; ties to the lowest
 * process), its code and message (into *err) on every process; 0 when
 * none failed.  Without comm (or one process): rc. */
int fc_gbdt_comm_agree(const fc_gbdt_comm *comm, size_t key, int rc, fc_err *err);

/* fc_gbdt_bins_alloc for a process's n_rows rows (0 allowed) of a
 * training whose bin sample, of n_sample rows, is sample[c * n_sample +
 * i] (every process passes the same). */
int fc_gbdt_bins_alloc_sample(const fc_gbdt_params *p, size_t n_rows, size_t n_cols,
                              const unsigned char *categorical, const float *sample,
                              size_t n_sample, fc_gbdt_bins **out, fc_err *err);
/* fc_gbdt_train_bins on this process's rows of a training over comm's
 * processes: row_id[r] is the index of local row r among all the rows
 * (all processes' rows taken in that order, n_total of them), which
 * makes the bagging draw; y, w local.  Every process gets the same model
 * (or the same failure: the message of the process whose failing row
 * comes first).  The losses whose leaves are quantiles of residuals
 * (absolute, quantile) need every row at once: FC_EINVAL. */
int fc_gbdt_train_part(const fc_gbdt_params *p, const fc_gbdt_bins *b, const float *y,
                       const float *w, const uint32_t *row_id, size_t n_total,
                       const fc_gbdt_comm *comm, fc_gbdt **out, fc_err *err);

/* Prediction for one row, row[c * stride] for column c, on the response
 * scale (exp of the raw score for Poisson and Tweedie). */
double fc_gbdt_predict_row(const fc_gbdt *m, const float *row, size_t stride);

/* Predictions for a column-major matrix laid out as in training (n_cols of
 * the model); OpenMP over rows. */
void fc_gbdt_predict(const fc_gbdt *m, const float *x, size_t n_rows, double *out);

/* Raw score (link scale) for one row. */
double fc_gbdt_predict_raw_row(const fc_gbdt *m, const float *row, size_t stride);

/* Appends the model as one line of key=value tokens (see forecast/buf.h),
 * versioned (gbdt_version=1), doubles with 17 significant digits so that a
 * loaded model predicts bit-identically.  0 or FC_ENOMEM. */
int fc_gbdt_save(const fc_gbdt *m, fc_buf *out, fc_err *err);

/* Reads what fc_gbdt_save wrote.  FC_EFORMAT for a corrupt or foreign
 * state, FC_ENOMEM; *out set only on success. */
int fc_gbdt_load(const fc_buf *in, fc_gbdt **out, fc_err *err);

/* Per column: total split gain and number of splits over all trees of the
 * model.  Gains are LightGBM's: T(G_L)^2/(H_L+l2) + T(G_R)^2/(H_R+l2) -
 * T(G)^2/(H+l2), twice the decrease of the second-order loss.  Either pointer may be NULL; otherwise n_cols entries. */
void fc_gbdt_importance(const fc_gbdt *m, double *gain, double *splits);

/* Exact SHAP values (TreeSHAP, Lundberg et al. 2018) of the rows of a
 * column-major matrix x laid out as for fc_gbdt_predict, on the raw (link)
 * scale.  phi: n_rows x (n_cols + 1), row-major; phi[r * (n_cols + 1) + c]
 * is column c's contribution to row r and the last entry of each row the
 * base value (the expected raw score under the training cover), so that
 * each row sums to fc_gbdt_predict_raw_row.  FC_EINVAL for a model saved
 * without node covers (before they were recorded), FC_ENOMEM; phi is
 * untouched on failure. */
int fc_gbdt_shap(const fc_gbdt *m, const float *x, size_t n_rows, double *phi, fc_err *err);
/* Whether every tree records its training cover (needed by fc_gbdt_shap). */
int fc_gbdt_has_covers(const fc_gbdt *m);

size_t fc_gbdt_n_trees(const fc_gbdt *m);
size_t fc_gbdt_n_cols(const fc_gbdt *m);
/* Index (0-based) of the round with the best validation metric, or the
 * last round when there was no validation set. */
size_t fc_gbdt_best_iteration(const fc_gbdt *m);
/* Metric per round (training rows: the loss in metric form; validation:
 * same, NULL without a validation set), valid until fc_gbdt_free.  The
 * metric is RMSE (squared), mean Poisson or Tweedie deviance, MAE, or mean
 * pinball loss.  *n gets the number of rounds trained (before any cut). */
const double *fc_gbdt_train_metric(const fc_gbdt *m, size_t *n);
const double *fc_gbdt_valid_metric(const fc_gbdt *m, size_t *n);
/* The initial raw score (mean, log mean, median, alpha-quantile). */
double fc_gbdt_base_score(const fc_gbdt *m);

void fc_gbdt_free(fc_gbdt *m);

#endif
