/* Builds the M5-size design matrix of issue 5 in memory and reports the
 * build time and peak memory against the size of the matrix, for
 * bench/features.sh.
 *
 *   features_bench SERIES DAYS [CALENDAR_DIR]
 *
 * Series: daily, from 2011-01-29 (the M5 start), a weekly and a yearly
 * cycle, a trend, noise and zeros, as item-level sales look; generated in
 * memory (a CSV of 57 million rows would measure the reader, not the
 * pivot).  Features: lags 1-28, windows 7, 14, 28 and 56 with mean, std,
 * min and max, the calendar fields of daily data, and US holidays with a
 * window of 2 days before and 1 after (from CALENDAR_DIR/US.cal; none
 * without CALENDAR_DIR).
 *
 * Prints key=value lines: rows, cols, matrix_bytes, build_seconds
 * (fc_featurizer_alloc + fc_design_build), peak_rss_bytes and the
 * ratio of the peak RSS growth during the build to the matrix size. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "forecast/features.h"
#include "forecast/panel.h"
#include "forecast/time.h"

#include "forecast/calendar.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* /proc/self/statm resident pages, for the RSS before the build */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, res = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * 4;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: features_bench SERIES DAYS [CALENDAR_DIR]\n");
		return 2;
	}
	size_t ns = strtoul(argv[1], NULL, 10), nd = strtoul(argv[2], NULL, 10);
	double *y = malloc(ns * nd * sizeof *y);
	fc_series *s = calloc(ns, sizeof *s);
	static const double seasons[2] = {7, 365.25};
	if (!y || !s)
		return 1;
	fc_time start = fc_time_from_civil(2011, 1, 29, 0, 0, 0);
	uint64_t rng = 88172645463325252ull;
	for (size_t i = 0; i < ns; i++) {
		double level = 1 + (double)(i % 97) / 10, *v = y + i * nd;
		for (size_t t = 0; t < nd; t++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			double u = (double)(rng >> 11) / 9007199254740992.0;
			double mu = level * (1 + 0.3 * sin(2 * M_PI * (double)t / 7) +
			                     0.2 * sin(2 * M_PI * (double)t / 365.25) + 0.0002 * (double)t);
			v[t] = u < 0.3 ? 0 : floor(mu * (0.5 + u));
		}
		s[i].key = "";
		s[i].start = start;
		s[i].n = nd;
		s[i].y = v;
		s[i].n_seasons = 2;
		s[i].seasons = seasons;
	}
	fc_feature_spec sp = fc_feature_spec_default();
	fc_err err;
	if (fc_feature_parse_lags("1-28", &sp, &err) || fc_feature_parse_windows("7,14,28,56", &sp, &err) ||
	    fc_feature_parse_aggs("mean,std,min,max", &sp, &err) ||
	    fc_feature_parse_holiday_window("-2,1", &sp, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	const char *holidays = "none";
	fc_holiday_set hs = {0};
	if (argc > 3) {
		if (fc_holiday_set_countries(&hs, argv[3], "US", 2010, 2017, &err)) {
			fprintf(stderr, "calendar: %s\n", err.msg);
			return 1;
		}
		sp.holidays = &hs.days;
		holidays = "US";
	}
	fc_freq daily = {.unit = FC_UNIT_DAY, .mult = 1, .anchor = 0};
	long rss0 = rss_kib();
	double t0 = now();
	fc_featurizer *f = NULL;
	fc_design *d = NULL;
	if (fc_featurizer_alloc(&sp, s, ns, daily, seasons, 2, NULL, 0, NULL, &f, &err) ||
	    fc_design_build(f, 0, &d, &err)) {
		fprintf(stderr, "features: %s\n", err.msg);
		return 1;
	}
	double secs = now() - t0;
	long peak = peak_rss_kib();
	double matrix = (double)d->n_rows * (double)d->n_cols * sizeof(float);
	/* a checksum so that the build cannot be optimized away and runs can
	 * be compared */
	double sum = 0;
	for (size_t r = 0; r < d->n_rows; r += 9973)
		for (size_t c = 0; c < d->n_cols; c++) {
			float v = d->x[c * d->n_rows + r];
			if (!isnan(v))
				sum += v;
		}
	printf("series=%zu days=%zu rows=%zu cols=%zu holidays=%s\n", ns, nd, d->n_rows, d->n_cols,
	       holidays);
	printf("matrix_bytes=%.0f build_seconds=%.3f peak_rss_bytes=%.0f rss_before_bytes=%.0f\n", matrix,
	       secs, (double)peak * 1024, (double)rss0 * 1024);
	printf("build_memory_ratio=%.3f checksum=%.6g\n", ((double)peak - (double)rss0) * 1024 / matrix, sum);
	fc_design_free(d);
	fc_featurizer_free(f);
	fc_holiday_set_dispose(&hs);
	free(s);
	free(y);
	return 0;
}
