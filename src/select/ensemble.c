/* Greedy ensemble selection (include/forecast/ensemble.h). */
#include "forecast/ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Loss of series s when the ensemble's sums sum[k][t] (over w members'
 * forecasts) get candidate c added (c < 0: nothing added): the mean over
 * folds of the metric; NaN when no fold has one.  g: h scratch values. */
static double series_loss(const fc_ens_series *s, size_t h, fc_metric metric, const double *sum,
                          double w, long c, double *g)
{
	double total = 0, m[FC_METRIC_COUNT];
	size_t count = 0;
	for (size_t k = 0; k < s->n_folds; k++) {
		const double *f = c >= 0 ? s->f + ((size_t)c * s->stride + s->fold[k]) * h : NULL;
		for (size_t t = 0; t < h; t++)
			g[t] = ((sum ? sum[k * h + t] : 0) + (f ? f[t] : 0)) / (w + (c >= 0));
		fc_metrics_compute(s->y + k * h, g, h, s->scale[k], m);
		if (isfinite(m[metric])) {
			total += m[metric];
			count++;
		}
	}
	return count ? total / (double)count : NAN;
}

int fc_ensemble_caruana(const fc_ens_series *s, size_t n_series, size_t n_candidates, size_t h,
                        fc_metric metric, size_t rounds, double *weights, double *loss,
                        double *single, fc_err *err)
{
	if ((n_series && !s) || !weights || h == 0 || (unsigned)metric >= FC_METRIC_COUNT)
		return fc_err_set(err, FC_EINVAL, "ensemble selection: bad arguments");
	for (size_t c = 0; c < n_candidates; c++)
		weights[c] = 0;
	if (loss)
		*loss = NAN;
	if (single)
		*single = NAN;
	size_t cells = 0;
	for (size_t i = 0; i < n_series; i++)
		cells += s[i].n_folds * h;
	double *sum = calloc(cells ? cells : 1, sizeof *sum);
	double *w = calloc(n_series ? n_series : 1, sizeof *w);      /* members' picks allowed on i */
	double *cur = malloc((n_series ? n_series : 1) * sizeof *cur); /* its loss now */
	double *base = malloc((n_series ? n_series : 1) * sizeof *base); /* best single allowed */
	size_t *off = malloc((n_series ? n_series : 1) * sizeof *off);
	size_t *count = calloc(n_candidates ? n_candidates : 1, sizeof *count);
	size_t *best_count = calloc(n_candidates ? n_candidates : 1, sizeof *best_count);
	double *g = malloc(h * sizeof *g);
	int rc = 0;
	if (!sum || !w || !cur || !base || !off || !count || !best_count || !g) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0, o = 0; i < n_series; i++) {
		off[i] = o;
		o += s[i].n_folds * h;
		base[i] = NAN;
		for (size_t c = 0; c < n_candidates; c++) {
			if (!s[i].ok[c])
				continue;
			double l = series_loss(&s[i], h, metric, NULL, 0, (long)c, g);
			if (isfinite(l) && !(l >= base[i]))
				base[i] = l;
		}
		cur[i] = base[i];
	}
	double best_loss = INFINITY;
	for (size_t r = 0; r < rounds; r++) {
		long pick = -1;
		double pick_loss = INFINITY;
		for (size_t c = 0; c < n_candidates; c++) {
			double total = 0;
			size_t n = 0, allowed = 0;
			for (size_t i = 0; i < n_series; i++) {
				if (!s[i].n_folds)
					continue;
				double l = cur[i];
				if (s[i].ok[c]) {
					allowed++;
					l = series_loss(&s[i], h, metric, w[i] > 0 ? sum + off[i] : NULL, w[i],
					                (long)c, g);
				}
				if (isfinite(l)) {
					total += l;
					n++;
				}
			}
			double mean = n ? total / (double)n : INFINITY;
			if (allowed && mean < pick_loss) {
				pick_loss = mean;
				pick = (long)c;
			}
		}
		if (pick < 0)
			break;
		count[pick]++;
		for (size_t i = 0; i < n_series; i++) {
			if (!s[i].n_folds || !s[i].ok[pick])
				continue;
			for (size_t k = 0; k < s[i].n_folds; k++) {
				const double *f = s[i].f + ((size_t)pick * s[i].stride + s[i].fold[k]) * h;
				for (size_t t = 0; t < h; t++)
					sum[off[i] + k * h + t] += f[t];
			}
			w[i] += 1;
			cur[i] = series_loss(&s[i], h, metric, sum + off[i], w[i], -1, g);
		}
		if (r == 0 && single)
			*single = pick_loss;
		if (pick_loss < best_loss) {
			best_loss = pick_loss;
			memcpy(best_count, count, n_candidates * sizeof *count);
		}
	}
	size_t picks = 0;
	for (size_t c = 0; c < n_candidates; c++)
		picks += best_count[c];
	for (size_t c = 0; picks && c < n_candidates; c++)
		weights[c] = (double)best_count[c] / (double)picks;
	if (loss && picks)
		*loss = best_loss;
out:
	free(sum);
	free(w);
	free(cur);
	free(base);
	free(off);
	free(count);
	free(best_count);
	free(g);
	return rc;
}
