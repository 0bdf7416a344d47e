/* Our side of bench/arima.sh: fits the `arima` kind (automatic selection,
 * R's auto.arima defaults) to every series of a long CSV and writes h-step
 * forecasts with 95% bounds.
 *
 *   arima_bench TRAIN.csv H PERIOD OUT.csv [LIMIT]
 *
 * TRAIN.csv: unique_id,ds,y[,...] with each series' rows contiguous and in
 * time order (as in shared/data).  LIMIT: only the first LIMIT series.
 * Prints "series=N arima_seconds=S" (wall time of fitting + forecasting,
 * OpenMP over series).  A series whose fit fails gets NaN and a line on
 * stderr. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "forecast/model.h"

extern const fc_model_type *const fc_model_arima;

typedef struct series {
	char id[64];
	size_t n, cap;
	double *y;
} series;

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: arima_bench TRAIN.csv H PERIOD OUT.csv [LIMIT]\n");
		return 2;
	}
	gsl_set_error_handler_off();
	size_t h = (size_t)atol(argv[2]);
	double period = atof(argv[3]);
	size_t limit = argc > 5 ? (size_t)atol(argv[5]) : (size_t)-1;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	char line[4096];
	series *S = NULL;
	size_t ns = 0, cap = 0;
	if (!fgets(line, sizeof line, f))
		return 1;
	while (fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ',');
		if (!c1)
			continue;
		*c1 = 0;
		char *c2 = strchr(c1 + 1, ',');
		if (!c2)
			continue;
		double v = strtod(c2 + 1, NULL);
		if (ns == 0 || strcmp(S[ns - 1].id, line) != 0) {
			if (ns == limit)
				break;
			if (ns == cap) {
				cap = cap ? 2 * cap : 256;
				S = realloc(S, cap * sizeof *S);
			}
			memset(&S[ns], 0, sizeof S[ns]);
			snprintf(S[ns].id, sizeof S[ns].id, "%s", line);
			ns++;
		}
		series *s = &S[ns - 1];
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 256;
			s->y = realloc(s->y, s->cap * sizeof *s->y);
		}
		s->y[s->n++] = v;
	}
	fclose(f);
	double *mean = calloc(ns * h, sizeof *mean), *lo = calloc(ns * h, sizeof *lo),
	       *hi = calloc(ns * h, sizeof *hi);
	char (*name)[96] = calloc(ns, sizeof *name);
	fc_err *errs = calloc(ns, sizeof *errs);
	const double level = 95;
	double t0 = omp_get_wtime();
#pragma omp parallel for schedule(dynamic, 1)
	for (size_t i = 0; i < ns; i++) {
		fc_series y;
		memset(&y, 0, sizeof y);
		y.key = S[i].id;
		y.n = S[i].n;
		y.y = S[i].y;
		y.n_seasons = period >= 2;
		y.seasons = &period;
		fc_model *m = fc_model_alloc(fc_model_arima, &errs[i]);
		fc_forecast fc;
		int rc = m ? fc_model_fit(m, &y, &errs[i]) : -1;
		if (rc == 0)
			rc = fc_forecast_init(&fc, h, &level, 1, &errs[i]);
		if (rc == 0) {
			rc = fc_model_forecast(m, &fc, &errs[i]);
			if (rc == 0)
				for (size_t k = 0; k < h; k++) {
					mean[i * h + k] = fc.mean[k];
					lo[i * h + k] = fc.lo[k];
					hi[i * h + k] = fc.hi[k];
				}
			fc_forecast_dispose(&fc);
		}
		if (rc == 0) {
			fc_buf b;
			fc_buf_init(&b);
			if (fc_model_save(m, &b, NULL) == 0) {
				const char *st = strstr(b.data, "state ");
				int o[6] = {0};
				long mm = 1, drift = 0, mn = 0;
				if (st)
					sscanf(st, "state p=%d d=%d q=%d P=%d D=%d Q=%d m=%ld mean=%ld drift=%ld",
					       &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &mm, &mn, &drift);
				int c = drift || (mn && o[1] + o[4] == 0);
				snprintf(name[i], sizeof name[i], "(%d;%d;%d)(%d;%d;%d)%s", o[0], o[1], o[2],
				         o[3], o[4], o[5], c ? "c" : "");
			}
			fc_buf_dispose(&b);
		} else {
			for (size_t k = 0; k < h; k++)
				mean[i * h + k] = lo[i * h + k] = hi[i * h + k] = NAN;
			snprintf(name[i], sizeof name[i], "failed");
		}
		fc_model_free(m);
	}
	double t1 = omp_get_wtime();
	for (size_t i = 0; i < ns; i++)
		if (strcmp(name[i], "failed") == 0)
			fprintf(stderr, "%s: %s\n", S[i].id, errs[i].msg);
	FILE *o = fopen(argv[4], "w");
	if (!o) {
		perror(argv[4]);
		return 1;
	}
	fprintf(o, "unique_id,step,arima,arima_lo95,arima_hi95,arima_model\n");
	for (size_t i = 0; i < ns; i++)
		for (size_t k = 0; k < h; k++)
			fprintf(o, "%s,%zu,%.17g,%.17g,%.17g,%s\n", S[i].id, k + 1, mean[i * h + k],
			        lo[i * h + k], hi[i * h + k], name[i]);
	fclose(o);
	printf("series=%zu arima_seconds=%.3f\n", ns, t1 - t0);
	for (size_t i = 0; i < ns; i++)
		free(S[i].y);
	free(S);
	free(mean);
	free(lo);
	free(hi);
	free(name);
	free(errs);
	return 0;
}
