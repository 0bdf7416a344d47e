/* Fits the `ets` and `theta` kinds to every series of a long CSV
 * (unique_id,ds,y,...; rows of a series contiguous and in time order, as in
 * the M3/M4 files of shared/data) and writes their h-step forecasts, for
 * bench/ets_theta.sh, which compares them with R's ets() and thetaf().
 *
 *   ets_theta_bench TRAIN.csv H PERIOD OUT.csv
 *
 * OUT.csv: unique_id,step,ets,ets_lo95,ets_hi95,ets_model,theta,theta_lo95,
 * theta_hi95.  Prints the wall time of each method (series fitted in
 * parallel with OpenMP; OMP_NUM_THREADS=1 for one core).  A series that
 * fails to fit gets NaN forecasts and a line on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "forecast/model.h"


typedef struct series {
	char id[32];
	size_t n, cap;
	double *y;
} series;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static series *read_long(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[4096];
	series *S = NULL;
	size_t ns = 0, cap = 0;
	if (!fgets(line, sizeof line, f)) { /* header */
		fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof line, f)) {
		char *id = strtok(line, ",");
		char *ds = strtok(NULL, ",");
		char *yv = strtok(NULL, ",\r\n");
		if (!id || !ds || !yv)
			continue;
		if (ns == 0 || strcmp(S[ns - 1].id, id) != 0) {
			if (ns == cap) {
				cap = cap ? 2 * cap : 256;
				S = realloc(S, cap * sizeof *S);
			}
			memset(&S[ns], 0, sizeof S[ns]);
			snprintf(S[ns].id, sizeof S[ns].id, "%s", id);
			ns++;
		}
		series *s = &S[ns - 1];
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 128;
			s->y = realloc(s->y, s->cap * sizeof *s->y);
		}
		s->y[s->n++] = strtod(yv, NULL);
	}
	fclose(f);
	*count = ns;
	return S;
}

typedef struct result {
	double mean[2][64], lo[2][64], hi[2][64];
	char model[24];
} result;

static void run(const fc_model_type *type, const series *s, double period, size_t h, result *r,
                int which)
{
	fc_series fs;
	memset(&fs, 0, sizeof fs);
	fs.key = s->id;
	fs.n = s->n;
	fs.y = s->y;
	fs.n_seasons = period >= 2;
	fs.seasons = &period;
	fc_err err;
	fc_err_clear(&err);
	double lv = 95;
	fc_forecast fc;
	for (size_t i = 0; i < h; i++)
		r->mean[which][i] = r->lo[which][i] = r->hi[which][i] = NAN;
	fc_model *m = fc_model_alloc(type, &err);
	if (!m || fc_model_fit(m, &fs, &err) || fc_forecast_init(&fc, h, &lv, 1, &err)) {
		fprintf(stderr, "%s %s: %s\n", s->id, type->name, err.msg);
		fc_model_free(m);
		return;
	}
	if (fc_model_forecast(m, &fc, &err) == 0) {
		for (size_t i = 0; i < h; i++) {
			r->mean[which][i] = fc.mean[i];
			r->lo[which][i] = fc.lo[i];
			r->hi[which][i] = fc.hi[i];
		}
	}
	if (which == 0) {
		fc_buf b;
		fc_buf_init(&b);
		if (fc_model_save(m, &b, &err) == 0) {
			const char *st = strstr(b.data, "\nstate");
			long e = 0, t = 0, se = 0, d = 0;
			const char *p;
			if ((p = strstr(st, " error=")))
				e = strtol(p + 7, NULL, 10);
			if ((p = strstr(st, " trend=")))
				t = strtol(p + 7, NULL, 10);
			if ((p = strstr(st, " season=")))
				se = strtol(p + 8, NULL, 10);
			if ((p = strstr(st, " damped=")))
				d = strtol(p + 8, NULL, 10);
			const char *L = "NAM";
			snprintf(r->model, sizeof r->model, "%c%c%s%c", L[e], L[t], d ? "d" : "", L[se]);
		}
		fc_buf_dispose(&b);
	}
	fc_forecast_dispose(&fc);
	fc_model_free(m);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s TRAIN.csv H PERIOD OUT.csv\n", argv[0]);
		return 2;
	}
	gsl_set_error_handler_off();
	size_t h = (size_t)atoi(argv[2]);
	double period = atof(argv[3]);
	if (h < 1 || h > 64)
		return 2;
	size_t ns;
	series *S = read_long(argv[1], &ns);
	if (!S) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 2;
	}
	result *R = calloc(ns, sizeof *R);
	double t0 = now();
#pragma omp parallel for schedule(dynamic)
	for (size_t i = 0; i < ns; i++)
		run(fc_model_ets, &S[i], period, h, &R[i], 0);
	double t1 = now();
#pragma omp parallel for schedule(dynamic)
	for (size_t i = 0; i < ns; i++)
		run(fc_model_theta, &S[i], period, h, &R[i], 1);
	double t2 = now();
	int threads = 1;
#ifdef _OPENMP
	threads = omp_get_max_threads();
#endif
	printf("series=%zu threads=%d ets_seconds=%.3f theta_seconds=%.3f\n", ns, threads, t1 - t0,
	       t2 - t1);
	FILE *o = fopen(argv[4], "w");
	if (!o)
		return 2;
	fprintf(o, "unique_id,step,ets,ets_lo95,ets_hi95,ets_model,theta,theta_lo95,theta_hi95\n");
	for (size_t i = 0; i < ns; i++)
		for (size_t j = 0; j < h; j++)
			fprintf(o, "%s,%zu,%.17g,%.17g,%.17g,%s,%.17g,%.17g,%.17g\n", S[i].id, j + 1,
			        R[i].mean[0][j], R[i].lo[0][j], R[i].hi[0][j], R[i].model, R[i].mean[1][j],
			        R[i].lo[1][j], R[i].hi[1][j]);
	fclose(o);
	for (size_t i = 0; i < ns; i++)
		free(S[i].y);
	free(S);
	free(R);
	return 0;
}
