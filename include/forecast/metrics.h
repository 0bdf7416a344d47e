/* Forecast accuracy metrics.
 *
 * Definitions (percent metrics are in percent):
 *   MAE   mean |e|                      RMSE  sqrt(mean e^2)
 *   MASE  MAE / scale, scale = in-sample seasonal-naive MAE of the training
 *         data (Hyndman & Koehler 2006; the M4 definition, m = 1 when the
 *         series is non-seasonal or too short for one season)
 *   sMAPE mean 200 |e| / (|y| + |f|)   (M4 definition; a term with y = f = 0
 *         counts as 0)
 *   MAPE  mean 100 |e| / |y| over y != 0
 *   WAPE  100 sum |e| / sum |y|
 *   NRMSE RMSE / (max y - min y) of the training data (as Azure AutoML's
 *         normalized RMSE)
 * Pairs whose actual value is missing are skipped.  A metric that cannot be
 * computed (no pairs, zero denominator) is NaN. */
#ifndef FORECAST_METRICS_H
#define FORECAST_METRICS_H

#include <stddef.h>

typedef enum fc_metric {
	FC_METRIC_MAE = 0,
	FC_METRIC_RMSE,
	FC_METRIC_MASE,
	FC_METRIC_SMAPE,
	FC_METRIC_MAPE,
	FC_METRIC_WAPE,
	FC_METRIC_NRMSE,
	FC_METRIC_COUNT
} fc_metric;

/* Lower-case name ("mase"); display name ("MASE"). */
const char *fc_metric_name(fc_metric m);
const char *fc_metric_label(fc_metric m);
/* Case-insensitive; 0 or -1 when unknown. */
int fc_metric_parse(const char *s, fc_metric *out);

/* What the scaled metrics need from the training data. */
typedef struct fc_metric_scale {
	double mase; /* in-sample seasonal-naive MAE */
	double range; /* max - min */
} fc_metric_scale;

/* Computes the scales from training data y[0..n) with seasonal period m
 * (m is reduced to 1 when n <= m).  NaN values are skipped. */
fc_metric_scale fc_metric_scale_of(const double *y, size_t n, size_t m);

/* Fills out[FC_METRIC_COUNT] for forecasts f of actuals y over h steps. */
void fc_metrics_compute(const double *y, const double *f, size_t h,
                        fc_metric_scale scale, double *out);

#endif
