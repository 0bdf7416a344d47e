/* Seasonal periods from the data: autocorrelation and periodogram by FFT
 * (FFTW), and the test that keeps the candidate periods of a frequency whose
 * seasonality is significant and discovers other strong periods.
 *
 * Missing values.  Every function here treats NaN as missing: leading and
 * trailing NaN are trimmed and interior NaN are filled by linear
 * interpolation between the nearest observed neighbours; the statistics are
 * those of the filled series of length n_used (reported where it matters).
 * Infinite values are FC_EINPUT.
 *
 * Threads.  A workspace (fc_season_ws) holds the buffers and the FFTW plans;
 * use one per thread.  FFTW's planner is not thread-safe, so every plan this
 * module creates or destroys (in fc_season_ws_alloc/_free and lazily, the
 * first time a workspace meets a new length) is made inside
 * `#pragma omp critical(fftw_plan)` with FFTW_ESTIMATE (deterministic plans,
 * no timing).  Any other code in the program that calls the FFTW planner
 * (fftw_plan_*, fftw_destroy_plan) from OpenMP threads must use the same
 * critical name and FFTW_ESTIMATE too.  Results do not depend on the thread
 * or the workspace used. */
#ifndef FORECAST_SEASON_H
#define FORECAST_SEASON_H

#include <stddef.h>
#include "forecast/error.h"

/* Buffers and cached FFTW plans for series of up to max_n values. */
typedef struct fc_season_ws fc_season_ws;

/* A workspace for series of length 1..max_n (max_n >= 1, at most 2^28).
 * NULL on failure with FC_EINVAL (bad max_n) or FC_ENOMEM in err.  Creates
 * the plans for length max_n at once; plans for other lengths are created
 * on first use (a few are cached, older ones freed). */
fc_season_ws *fc_season_ws_alloc(size_t max_n, fc_err *err);

/* Frees the workspace and its plans.  NULL is a no-op. */
void fc_season_ws_free(fc_season_ws *ws);

/* What is removed from the series before an ACF or a periodogram. */
typedef enum fc_detrend {
	FC_DETREND_MEAN = 0,  /* the mean (R's acf; spec.pgram(detrend = FALSE, demean = TRUE)) */
	FC_DETREND_LINEAR = 1 /* the least-squares line a + b t (spec.pgram(detrend = TRUE)) */
} fc_detrend;

/* Sample autocorrelations r_0..r_max_lag of y[0..n) into acf[0..max_lag]
 * (caller-owned, max_lag + 1 values), computed by FFT: the series, filled
 * and trimmed (n_used values) and with its mean or line removed (x), is
 * zero-padded to the next size 2^a 3^b 5^c 7^d >= 2 n_used, so
 *
 *     r_k = sum_{t<n_used-k} x_t x_{t+k} / sum_t x_t^2,
 *
 * R's acf(y, lag.max, demean = TRUE) for FC_DETREND_MEAN (its
 * autocovariance divisor n cancels).  Lags >= n_used are NaN.  *n_used
 * (may be NULL) gets the length used.  ws may be NULL (a temporary one is
 * made: slower); otherwise n <= its max_n.  Errors, with acf untouched:
 * FC_EINVAL (bad arguments, n > max_n), FC_EINPUT (no observed value, an
 * infinite value, or a constant series, whose correlations are undefined),
 * FC_ENOMEM. */
int fc_season_acf(fc_season_ws *ws, const double *y, size_t n, fc_detrend how,
                  size_t max_lag, double *acf, size_t *n_used, fc_err *err);

/* fc_season_acf(NULL, y, n, FC_DETREND_MEAN, max_lag, acf, NULL, err):
 * R's acf, with missing values handled as above.  For occasional use; keep
 * a workspace for many series. */
int fc_acf(const double *y, size_t n, size_t max_lag, double *acf, fc_err *err);

/* The raw periodogram of y[0..n): with x the filled, trimmed series of
 * n_used values with its mean or line removed,
 *
 *     pgram[j-1] = |sum_t x_t exp(-2 pi i j t / n_used)|^2 / n_used
 *
 * at frequency j / n_used cycles per step, j = 1..floor(n_used / 2) (the
 * Nyquist frequency included when n_used is even): R's spec.pgram(y,
 * taper = 0, fast = FALSE, detrend = (how == FC_DETREND_LINEAR), demean =
 * TRUE)$spec for a series of frequency 1.  pgram must hold n / 2 values;
 * *n_used (may be NULL) gets n_used.  A constant series gives zeros.
 * ws as for fc_season_acf.  Errors (pgram untouched): FC_EINVAL,
 * FC_EINPUT (no observed value, an infinite value), FC_ENOMEM. */
int fc_season_periodogram(fc_season_ws *ws, const double *y, size_t n, fc_detrend how,
                          double *pgram, size_t *n_used, fc_err *err);

typedef struct fc_season_opts {
	double alpha;          /* level of each of the two strength tests of a
	                        * candidate; default 0.01; in (0, 0.5) */
	int discover;          /* 1 (default): also look for periods that are
	                        * not candidates; 0: candidates only */
	double alpha_discover; /* family-wise level of the periodogram peak test
	                        * over all frequencies when discovering; default
	                        * 0.001; in (0, 0.5) */
} fc_season_opts;

/* { 0.01, 1, 0.001 } */
fc_season_opts fc_season_opts_default(void);

/* One period kept by fc_season_detect, with the evidence. */
typedef struct fc_season_found {
	double period;          /* the candidate as given (365.25), or the integer
	                         * lag of a discovered period */
	int discovered;         /* 0: a candidate; 1: discovered */
	size_t lag;             /* lag of the ACF peak tested (floor or ceil of a
	                         * non-integer period) */
	double acf;             /* r at that lag, on the series tested (see the
	                         * algorithm in season.c) */
	double acf_bound;       /* z_(1-alpha) (z_(1-alpha/2) for a non-integer
	                         * period) times Bartlett's standard error */
	double pgram_ratio;     /* ratio of the (whitened) periodogram to its
	                         * local noise level at the most significant
	                         * harmonic bin (1 is typical of noise); NaN if
	                         * the periodogram test did not apply */
	double pgram_pvalue;    /* its p-value, Bonferroni-adjusted over the bins
	                         * tested (significant below alpha, or
	                         * alpha_discover for a discovered period) */
} fc_season_found;

/* Keeps the candidate periods (any order; values < 2 are ignored, at most
 * 16) whose seasonality is significant in y[0..n) and, with
 * opts->discover, adds periods found at significant periodogram peaks and
 * confirmed by an ACF peak; at most max_found periods, written to
 * found[0..*n_found) shortest first.  When more are significant, the
 * candidates come first (shortest first), then the discovered ones by
 * strength.  opts NULL = fc_season_opts_default().
 *
 * A candidate m needs n_used >= 2 m (two full cycles), an ACF that rises
 * to lag m and falls after it, and a significant strength: the ACF
 * Bartlett test of R's thetaf (with the spectrum peaking at 1/m) or a
 * periodogram peak test at 1/m or a harmonic; the full rule and its
 * references are in src/features/season.c.  Measured on simulated series
 * with no seasonality (noise, trends, random walks, AR(1); daily, hourly,
 * weekly, monthly, quarterly candidates), at most about 1% come out with a
 * period at the default levels.  A
 * constant (or exactly linear) series, a series too short for every
 * candidate, or one with no observed value gives *n_found = 0 and success.
 * ws as for fc_season_acf.  Errors (outputs untouched): FC_EINVAL (bad
 * arguments or options, NaN or infinite candidates, n > max_n), FC_EINPUT
 * (an infinite value in y), FC_ENOMEM. */
int fc_season_detect(fc_season_ws *ws, const double *y, size_t n,
                     const double *candidates, size_t n_candidates,
                     const fc_season_opts *opts, size_t max_found,
                     fc_season_found *found, size_t *n_found, fc_err *err);

/* The ACF "hill" of period m in y[0..n): with z the series filled,
 * detrended and less the shorter periods shorter[0..n_shorter) (centred
 * moving averages, as fc_season_detect removes kept periods), L the better
 * of lags floor(m) and ceil(m) and w = max(1, round(floor(m) / 4)),
 *
 *     contrast = r_L - max(r_{floor(m) - w}, r_{ceil(m) + w}),
 *
 * positive where the ACF peaks at the period, near zero or negative for a
 * trend, a random walk or noise.  It needs fewer values than the test
 * (ceil(m) + w + 1 after the moving averages, not 2m), so it can be
 * pooled over the short series of a panel, none of which can prove a
 * cycle alone.  *contrast is NaN when the series is too short, flat or
 * has no observed value.  ws as for fc_season_acf.  FC_EINVAL, FC_EINPUT
 * (an infinite value), FC_ENOMEM. */
int fc_season_contrast(fc_season_ws *ws, const double *y, size_t n, double m,
                       const double *shorter, size_t n_shorter, double *contrast, fc_err *err);

#endif
