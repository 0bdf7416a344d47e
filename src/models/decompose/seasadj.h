/* Classical seasonal adjustment shared by the Theta family: the seasonality
 * test and the multiplicative decomposition that R's forecast::thetaf uses
 * (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah 2003).  Private to
 * src/models/. */
#ifndef FORECAST_SEASADJ_H
#define FORECAST_SEASADJ_H

#include <stddef.h>
#include "forecast/error.h"

/* 1 when y[0..n) is seasonal with period m by thetaf's test: with r_k the
 * sample autocorrelations, |r_m| > 1.645 * sqrt((1 + 2 sum_{k<m} r_k^2) / n)
 * (a one-sided 90% test); 0 otherwise, and 0 whenever m < 2, n <= 2m or y
 * is constant.  y has no missing values. */
int fc_seasonal_test(const double *y, size_t n, size_t m);

/* Seasonal indices of R's decompose(type = "multiplicative"): a centred
 * moving average of order m (2 x m when m is even) as the trend, the ratio
 * y / trend averaged per season position, the m averages normalised to
 * mean 1.  index[j] is the factor of the positions t with t % m == j, so
 * y[t] / index[t % m] is the seasonally adjusted series and the factor of
 * a future step t >= n is index[t % m].  FC_EINVAL when n < 2m; FC_EMODEL
 * when an index is not finite or not positive (a series with zeros). */
int fc_classical_multiplicative(const double *y, size_t n, size_t m, double *index, fc_err *err);

#endif
