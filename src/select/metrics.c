/* Accuracy metrics of a forecast against held-out actuals; definitions and
 * references in include/forecast/metrics.h. */
#include "forecast/metrics.h"

#include <math.h>
#include <strings.h>

static const struct {
	const char *name, *label;
} metric_names[FC_METRIC_COUNT] = {
	[FC_METRIC_MAE] = {"mae", "MAE"},
	[FC_METRIC_RMSE] = {"rmse", "RMSE"},
	[FC_METRIC_MASE] = {"mase", "MASE"},
	[FC_METRIC_SMAPE] = {"smape", "sMAPE"},
	[FC_METRIC_MAPE] = {"mape", "MAPE"},
	[FC_METRIC_WAPE] = {"wape", "WAPE"},
	[FC_METRIC_NRMSE] = {"nrmse", "NRMSE"},
};

const char *fc_metric_name(fc_metric m)
{
	return (unsigned)m < FC_METRIC_COUNT ? metric_names[m].name : "?";
}

const char *fc_metric_label(fc_metric m)
{
	return (unsigned)m < FC_METRIC_COUNT ? metric_names[m].label : "?";
}

int fc_metric_parse(const char *s, fc_metric *out)
{
	for (int m = 0; m < FC_METRIC_COUNT; m++) {
		if (strcasecmp(s, metric_names[m].name) == 0) {
			*out = (fc_metric)m;
			return 0;
		}
	}
	return -1;
}

fc_metric_scale fc_metric_scale_of(const double *y, size_t n, size_t m)
{
	fc_metric_scale s = {NAN, NAN};
	if (m < 1 || n <= m)
		m = 1;
	double sum = 0, lo = INFINITY, hi = -INFINITY;
	size_t count = 0;
	for (size_t t = 0; t < n; t++) {
		if (isnan(y[t]))
			continue;
		if (y[t] < lo)
			lo = y[t];
		if (y[t] > hi)
			hi = y[t];
		if (t >= m && !isnan(y[t - m])) {
			sum += fabs(y[t] - y[t - m]);
			count++;
		}
	}
	if (count)
		s.mase = sum / (double)count;
	if (lo <= hi)
		s.range = hi - lo;
	return s;
}

static double ratio(double num, double den)
{
	return den > 0 && isfinite(den) ? num / den : NAN;
}

void fc_metrics_compute(const double *y, const double *f, size_t h,
                        fc_metric_scale scale, double *out)
{
	double abs_sum = 0, sq_sum = 0, smape_sum = 0, ape_sum = 0, y_abs_sum = 0;
	size_t count = 0, ape_count = 0;
	for (size_t i = 0; i < h; i++) {
		if (isnan(y[i]))
			continue;
		double e = y[i] - f[i], ae = fabs(e);
		abs_sum += ae;
		sq_sum += e * e;
		double den = fabs(y[i]) + fabs(f[i]);
		smape_sum += den > 0 ? 200.0 * ae / den : 0.0;
		if (y[i] != 0) {
			ape_sum += 100.0 * ae / fabs(y[i]);
			ape_count++;
		}
		y_abs_sum += fabs(y[i]);
		count++;
	}
	if (!count) {
		for (int m = 0; m < FC_METRIC_COUNT; m++)
			out[m] = NAN;
		return;
	}
	double n = (double)count;
	out[FC_METRIC_MAE] = abs_sum / n;
	out[FC_METRIC_RMSE] = sqrt(sq_sum / n);
	out[FC_METRIC_MASE] = ratio(out[FC_METRIC_MAE], scale.mase);
	out[FC_METRIC_SMAPE] = smape_sum / n;
	out[FC_METRIC_MAPE] = ape_count ? ape_sum / (double)ape_count : NAN;
	out[FC_METRIC_WAPE] = ratio(100.0 * abs_sum, y_abs_sum);
	out[FC_METRIC_NRMSE] = ratio(out[FC_METRIC_RMSE], scale.range);
}
