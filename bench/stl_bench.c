/* Benchmark driver: STL and MSTL over many generated daily series, timed
 * with OpenMP over series as the fit path runs them.  Writes the first K
 * series to a CSV so that bench/stl.R can decompose the same data with R
 * and compare time and components.
 *
 * Usage: stl_bench SERIES LENGTH SUBSET_CSV SUBSET_K [COMPONENTS_OUT]
 * Prints key=value lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forecast/decompose.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A daily retail-like series: level, trend, weekly and yearly cycles, noise
 * from a per-series LCG (deterministic). */
static void make_series(size_t s, size_t n, double *y)
{
	unsigned long long x = 0x9E3779B97F4A7C15ULL * (s + 1);
	double level = 50 + (double)(s % 97), amp7 = 5 + (double)(s % 7), amp365 = 10 + (double)(s % 13);
	for (size_t t = 0; t < n; t++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		double u = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		y[t] = level + 0.01 * (double)t + amp7 * sin(2 * M_PI * (double)t / 7) +
		       amp365 * sin(2 * M_PI * (double)t / 365.25) + 6 * u;
	}
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: stl_bench SERIES LENGTH SUBSET_CSV SUBSET_K [COMPONENTS_OUT]\n");
		return 2;
	}
	size_t S = strtoul(argv[1], NULL, 10), n = strtoul(argv[2], NULL, 10);
	size_t K = strtoul(argv[4], NULL, 10);
	double *y = malloc(S * n * sizeof *y);
	if (!y)
		return 1;
	for (size_t s = 0; s < S; s++)
		make_series(s, n, y + s * n);

	FILE *f = fopen(argv[3], "w");
	if (!f)
		return 1;
	for (size_t s = 0; s < K && s < S; s++) {
		for (size_t t = 0; t < n; t++)
			fprintf(f, "%s%.17g", t ? "," : "", y[s * n + t]);
		fputc('\n', f);
	}
	fclose(f);

	/* STL, period 7, R's stl(s.window = 11) as mstl uses for one period. */
	fc_stl_params sp = fc_stl_default_params();
	sp.s_window = 11;
	int failed = 0;
	double t0 = now();
	#pragma omp parallel
	{
		double *buf = malloc(3 * n * sizeof *buf);
		#pragma omp for schedule(dynamic, 16) reduction(+:failed)
		for (size_t s = 0; s < S; s++)
			failed += !buf || fc_stl(y + s * n, n, 7, &sp, buf, buf + n, buf + 2 * n, NULL, NULL) != 0;
		free(buf);
	}
	double t_stl = now() - t0;

	/* MSTL with 7 and 365.25, R's defaults. */
	const double periods[2] = {7, 365.25};
	fc_mstl_params mp = fc_mstl_default_params();
	double *trend_out = argc > 5 ? malloc(K * n * sizeof *trend_out) : NULL;
	t0 = now();
	#pragma omp parallel for schedule(dynamic, 16) reduction(+:failed)
	for (size_t s = 0; s < S; s++) {
		fc_mstl_result r;
		memset(&r, 0, sizeof r);
		if (fc_mstl(y + s * n, n, periods, 2, &mp, &r, NULL)) {
			failed++;
			continue;
		}
		if (trend_out && s < K)
			memcpy(trend_out + s * n, r.trend, n * sizeof *trend_out);
		fc_mstl_dispose(&r);
	}
	double t_mstl = now() - t0;
	if (trend_out) {
		FILE *g = fopen(argv[5], "w");
		for (size_t s = 0; g && s < K && s < S; s++) {
			for (size_t t = 0; t < n; t++)
				fprintf(g, "%s%.17g", t ? "," : "", trend_out[s * n + t]);
			fputc('\n', g);
		}
		if (g)
			fclose(g);
		free(trend_out);
	}
	int threads = 1;
#ifdef _OPENMP
	threads = omp_get_max_threads();
#endif
	printf("series=%zu\nlength=%zu\nthreads=%d\nstl_seconds=%.3f\nmstl_seconds=%.3f\nfailed=%d\n",
	       S, n, threads, t_stl, t_mstl, failed);
	free(y);
	return failed ? 1 : 0;
}
