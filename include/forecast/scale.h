/* The scale a local model kind sees a series on (fit/cv --transform log1p
 * or boxcox): the series is transformed before the kind is fitted, the
 * kind forecasts on that scale, and the forecast is mapped back with the
 * bias adjustment that makes the point forecast the mean, not the median,
 * of the back-transformed forecast distribution.
 *
 * Box-Cox (Box & Cox 1964, JRSS B 26(2)), as R's forecast::BoxCox:
 *   w = (y^lambda - 1) / lambda,  lambda != 0;   w = log(y),  lambda = 0.
 * Back, with the forecast variance sigma_h^2 on the transformed scale
 * (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd
 * ed. 2021, section 5.6 "Bias adjustments"; R's InvBoxCox(biasadj = TRUE)):
 *   y = (lambda w + 1)^(1/lambda) [1 + sigma_h^2 (1 - lambda) / (2 (lambda w + 1)^2)],
 *   y = exp(w) (1 + sigma_h^2 / 2)                            for lambda = 0.
 * log1p is w = log(1 + y), back y = exp(w) (1 + sigma_h^2 / 2) - 1.
 * Interval bounds map back without adjustment: quantiles go through a
 * monotone transform.  The adjustment is dropped for the median at a step
 * where it is not finite or leaves that step's back-transformed interval
 * (fc_scale_invert_mean_guarded), as it does with lambda near -1.
 *
 * lambda "auto" is Guerrero's (1993, "Time-series analysis supported by
 * power transformations", J. Forecasting 12(1)) choice as R's
 * BoxCox.lambda(x, method = "guerrero", lower = -1, upper = 2): the lambda
 * in [-1, 2] minimising the coefficient of variation of sd_j / mean_j^(1 -
 * lambda) over the subseries j of length m (the season period, 2 when
 * there is none) that tile the newest floor(n / m) m values, minimised by
 * Brent's (1973) localmin with R optimize()'s tolerance, so that the
 * lambda agrees with R's. */
#ifndef FORECAST_SCALE_H
#define FORECAST_SCALE_H

#include <stddef.h>
#include "forecast/error.h"
#include "forecast/model.h"

/* Guerrero's search interval, and the range a fixed lambda must lie in. */
#define FC_BOXCOX_LOWER (-1.0)
#define FC_BOXCOX_UPPER 2.0

/* "log1p", "boxcox" (= boxcox=auto), "boxcox=auto" or "boxcox=LAMBDA" with
 * LAMBDA a number in [-1, 2].  FC_EINVAL with a message naming --transform
 * for anything else (also "none": the caller handles the global-only
 * names). */
int fc_scale_parse(const char *s, fc_scale *out, fc_err *err);
/* The form fc_scale_parse reads: "log1p", "boxcox=auto", "boxcox=0.5";
 * "none" for FC_SCALE_NONE.  buf of at least 40 bytes; returns buf. */
const char *fc_scale_format(const fc_scale *s, char *buf, size_t cap);

/* Guerrero's lambda for y[0..n) (NaN skipped within a subseries) with
 * subseries of length period (< 2: 2).  NaN when the criterion cannot be
 * evaluated (fewer than two subseries with a mean and an sd, or a
 * criterion not finite at the minimum, as when every subseries is constant). */
double fc_boxcox_guerrero(const double *y, size_t n, size_t period);

/* Chooses the scale for the series y[0..n) as requested by req (lambda
 * auto: Guerrero with the given period) and writes the transformed values
 * into z[0..n) (NaN stays NaN).  Returns 0 with *applied set, or -1 when
 * the series cannot take the transform (boxcox: an observed value <= 0;
 * log1p: a value <= -1; Guerrero undefined), with why[] saying so; z is
 * then unspecified and the caller models the original scale. */
int fc_scale_forward(const fc_scale *req, size_t period, const double *y, size_t n, double *z,
                     fc_scale *applied, char *why, size_t why_cap);
/* The same transform of y[0..n) into z with a known (applied) scale. */
void fc_scale_apply(const fc_scale *s, const double *y, size_t n, double *z);

/* w back on the original scale: the median of the back-transformed
 * distribution (no adjustment), or its mean given the variance var on the
 * transformed scale (var NaN or infinite: no adjustment).  As R, Box-Cox
 * with lambda w + 1 < 0 maps to sign(lambda w + 1) |lambda w + 1|^(1/lambda)
 * for lambda > 0 and to NaN for lambda < 0 (outside the transform's range). */
double fc_scale_invert(const fc_scale *s, double w);
double fc_scale_invert_mean(const fc_scale *s, double w, double var);

/* The guarded bias adjustment the model layer uses: the bias-adjusted
 * mean fc_scale_invert_mean(s, w, var) when it is finite and lies within
 * [fc_scale_invert(lo), fc_scale_invert(hi)], the back-transformed bounds
 * of the interval the variance was read from (lo, hi on the transformed
 * scale: the 95% one by default); otherwise the median fc_scale_invert(w),
 * with *unadjusted set to 1 (else 0).  A bound that does not map back (NaN:
 * Box-Cox with lambda < 0 and lambda hi + 1 < 0, where the back-transformed
 * distribution has no mean) counts as out of bounds.
 * Why this bound: the adjustment is a second-order (delta method)
 * approximation, valid only while sigma_h is small beside lambda w + 1.
 * The exact mean of a back-transformed normal leaves its own central 95%
 * interval only at absurd spreads (for the log, exp(mu + sigma^2/2) >
 * exp(mu + 1.96 sigma) needs sigma > 3.92); with lambda near -1 the
 * approximation leaves it, and grows like (lambda w + 1)^(-3), as soon as
 * the forecast's interval nears the edge of the transform's range.  Var
 * not finite: the median, not counted (there is nothing to adjust with). */
double fc_scale_invert_mean_guarded(const fc_scale *s, double w, double var, double lo, double hi,
                                    int *unadjusted);

#endif
