/* Seasonal-trend decomposition by loess: STL for one seasonal period, MSTL
 * for several, and the seasonal-strength statistic built on them.
 *
 * fc_stl reproduces R's stats::stl (the Fortran of Cleveland, Cleveland,
 * McRae & Terpenning 1990, J. Official Statistics 6(1):3-73) with all its
 * parameters and defaults; fc_mstl reproduces R's forecast::mstl (Bandara,
 * Hyndman & Bergmeir 2021) without Box-Cox.  Both are pure functions of
 * their inputs: no state, safe to call from many threads at once.  See
 * src/models/stl.c for the algorithm. */
#ifndef FORECAST_DECOMPOSE_H
#define FORECAST_DECOMPOSE_H

#include <stddef.h>
#include "forecast/error.h"
#include "forecast/series.h"

/* s_window value meaning R's s.window = "periodic": the seasonal component
 * is the same in every cycle (the mean of each cycle position). */
#define FC_STL_PERIODIC (-1L)

/* The parameters of R's stl(), with the same names.  A value of 0 (or -1
 * for l_degree, inner and outer) means "R's default", computed from the
 * period and the other parameters exactly as R does:
 *
 *   s_window  no default in R: must be set (odd span >= 3, in cycles; an
 *             even value is raised by one, a value below 3 becomes 3, as
 *             in R's Fortran) or be FC_STL_PERIODIC, which also forces
 *             s_degree = 0 and uses a span of 10 n + 1
 *   s_degree  0                         (0 or 1)
 *   t_window  nextodd(ceiling(1.5 period / (1 - 1.5 / s_window)))
 *   t_degree  1                         (0 or 1)
 *   l_window  nextodd(period)           (nextodd: round, then + 1 if even)
 *   l_degree  t_degree
 *   s_jump, t_jump, l_jump   ceiling(window / 10), from the windows as
 *             given (before the Fortran makes them odd)
 *   robust    0; inner = robust ? 1 : 2; outer = robust ? 15 : 0
 *
 * Degrees are ints 0/1 (s_degree and t_degree have real defaults, 0 and 1,
 * and are not "0 = default"). */
typedef struct fc_stl_params {
	long s_window;
	int s_degree;
	long t_window;
	int t_degree;
	long l_window;
	int l_degree;      /* -1 = t_degree */
	long s_jump, t_jump, l_jump;
	int robust;
	int inner, outer;  /* -1 = from robust */
} fc_stl_params;

/* R's defaults; s_window is 0 (unset) and must be given before fc_stl. */
fc_stl_params fc_stl_default_params(void);

/* Decomposes y[0..n) (no missing values) with seasonal period `period`
 * into seasonal + trend + remainder (each an array of n doubles supplied by
 * the caller; remainder = y - seasonal - trend).  period may be fractional
 * (365.25, 52.18): as in R, the cycle-subseries use its integer part and the
 * default windows use its real value.  weights (may be NULL) receives the
 * final robustness weights (all 1 without outer iterations).
 *
 * FC_EINVAL, with a message, when period < 2, n <= 2 * period ("less than
 * two periods", R's check), y has a NaN or infinite value, s_window is
 * unset, or a degree, window, jump or iteration count is out of range.
 * FC_ENOMEM.  On failure the outputs are unspecified. */
int fc_stl(const double *y, size_t n, double period, const fc_stl_params *p,
           double *seasonal, double *trend, double *remainder, double *weights,
           fc_err *err);

/* The parameters of R's mstl(x, lambda = NULL, iterate, s.window, ...):
 * s_window[i] is the seasonal window of the i-th kept period in ascending
 * order (0 = R's default 7 + 4 (i + 1), i.e. 11, 15, 19, 23; or
 * FC_STL_PERIODIC); stl holds the parameters passed on to stl() through
 * R's `...` (its s_window is ignored).  iterate = 0 means R's default: 2
 * for a multi-seasonal series (an msts), 1 for a single period (a ts). */
typedef struct fc_mstl_params {
	long s_window[FC_MAX_SEASONS];
	int iterate;
	fc_stl_params stl;
} fc_mstl_params;

fc_mstl_params fc_mstl_default_params(void);

/* An MSTL decomposition: y = trend + sum of seasonal[i] + remainder.
 * Arrays are owned by the result (fc_mstl_dispose). */
typedef struct fc_mstl_result {
	size_t n;
	size_t n_periods;                 /* periods kept, ascending */
	double periods[FC_MAX_SEASONS];
	double *trend;
	double *seasonal[FC_MAX_SEASONS];
	double *remainder;                /* NaN where y is NaN */
	double *adjusted;                 /* trend + remainder: R's seasadj();
	                                   * NaN where y is NaN */
	size_t n_dropped;                 /* periods dropped as too long */
} fc_mstl_result;

/* MSTL of y[0..n) as R's forecast::mstl: the periods are sorted; with
 * several periods, those with period >= n / 2 are dropped (R: "fewer than
 * two full periods"); each kept period i gets stl(s.window = s_window[i]);
 * the loop over periods runs `iterate` times, each pass adding the
 * period's previous seasonal back and re-estimating it; the trend is that
 * of the last stl.  A single period is used as R uses a `ts`: one pass and
 * no dropping (so n <= 2 period is an error, as in stl).
 *
 * Missing values (NaN) are filled for the decomposition by linear
 * interpolation (constant beyond the ends), and remainder/adjusted are NaN
 * there, as R's are.  R fills with na.interp(), which for a seasonal series
 * fits a robust MSTL first; we do not, so with gaps our components differ
 * from R's (without gaps they agree).
 *
 * FC_EINVAL when no period is given, a period is below 2 or not finite,
 * more than FC_MAX_SEASONS are given, no period survives the dropping,
 * every value is missing, or fc_stl rejects the parameters; FC_ENOMEM.
 * On failure *out is left empty (safe to dispose). */
int fc_mstl(const double *y, size_t n, const double *periods, size_t n_periods,
            const fc_mstl_params *p, fc_mstl_result *out, fc_err *err);

/* Frees the arrays and zeroes the struct; safe on a zeroed struct. */
void fc_mstl_dispose(fc_mstl_result *r);

/* The strength of seasonality (Wang, Smith & Hyndman 2006, "Characteristic-
 * based clustering for time series data", Data Mining and Knowledge
 * Discovery 13(3); as R's forecast package computes it in nsdiffs' and
 * auto.arima's seasonal heuristic, which tests it against 0.64):
 *
 *     max(0, min(1, 1 - var(remainder) / var(seasonal + remainder)))
 *
 * over the positions where both are observed (R's na.rm = TRUE).  Returns
 * 0 when fewer than 2 positions are observed or var(seasonal + remainder)
 * is 0 (R returns NaN there). */
double fc_seasonal_strength(const double *seasonal, const double *remainder, size_t n);

#endif
