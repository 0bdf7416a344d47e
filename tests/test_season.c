/* Tests of seasonal-period detection (src/features/season.c): the FFT
 * autocorrelation and periodogram against R's acf and spec.pgram
 * (tests/fixtures/season.R) and a direct DFT, missing values, errors, the
 * detection on real series (R's and the forecast package's data sets, M4
 * Hourly read at run time) and on synthetic ones with known periods, its
 * false-positive rates on noise, trends and random walks, and the same
 * results from any thread or workspace. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forecast/season.h"
#include "data/season_fixtures.h"

/* The tolerance for the autocorrelations; the periodogram is held
 * to the same, relative to its largest ordinate. */
#define ACF_TOL 1e-10
#define PGRAM_REL_TOL 1e-10

static const double DAILY[2] = {7, 365.25};
static const double HOURLY[2] = {24, 168};

static fc_season_ws *new_ws(size_t max_n)
{
	fc_err err;
	fc_season_ws *ws = fc_season_ws_alloc(max_n, &err);
	ck_assert_msg(ws != NULL, "workspace: %s", err.msg);
	return ws;
}

/* Runs the detection; fails the test on an error. */
static size_t detect(fc_season_ws *ws, const double *y, size_t n, const double *cand, size_t nc,
                     const fc_season_opts *o, fc_season_found *f, size_t cap)
{
	fc_err err;
	size_t nf = 99;
	int rc = fc_season_detect(ws, y, n, cand, nc, o, cap, f, &nf, &err);
	ck_assert_msg(rc == 0, "detect: %s", err.msg);
	ck_assert_uint_le(nf, cap);
	return nf;
}

/* "7,365.25*" (* = discovered), for messages. */
static const char *describe(const fc_season_found *f, size_t nf, char *buf, size_t size)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < nf && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%g%s", i ? "," : "", f[i].period,
		                      f[i].discovered ? "*" : "");
	if (nf == 0)
		snprintf(buf, size, "(none)");
	return buf;
}

static void expect_periods(const char *name, const fc_season_found *f, size_t nf,
                           const double *want, size_t n_want)
{
	char buf[256];
	int ok = nf == n_want;
	for (size_t i = 0; ok && i < nf; i++)
		ok = f[i].period == want[i];
	ck_assert_msg(ok, "%s: found %s, expected %zu period(s)", name, describe(f, nf, buf, sizeof buf),
	              n_want);
}

/* ---- autocorrelation and periodogram vs R -------------------------------- */

START_TEST(test_acf_vs_r)
{
	fc_season_ws *ws = new_ws(5000);
	double worst = 0;
	for (size_t s = 0; s < SF_COUNT; s++) {
		const sf_series *f = &sf_all[s];
		double *acf = malloc((f->acf_lags + 1) * sizeof *acf);
		fc_err err;
		for (int how = 0; how < 2; how++) {
			size_t used = 0;
			int rc = fc_season_acf(ws, f->y, f->n, how ? FC_DETREND_LINEAR : FC_DETREND_MEAN,
			                       f->acf_lags, acf, &used, &err);
			ck_assert_msg(rc == 0, "%s: %s", f->name, err.msg);
			ck_assert_uint_eq(used, f->n_used);
			const double *want = how ? f->acf_linear : f->acf_mean;
			for (size_t k = 0; k <= f->acf_lags; k++) {
				double d = fabs(acf[k] - want[k]);
				if (d > worst)
					worst = d;
				ck_assert_msg(d <= ACF_TOL, "%s (%s) lag %zu: %.17g vs R %.17g", f->name,
				              how ? "linear" : "mean", k, acf[k], want[k]);
			}
		}
		free(acf);
	}
	ck_assert_double_lt(worst, ACF_TOL);
	fc_season_ws_free(ws);
}
END_TEST

START_TEST(test_acf_convenience)
{
	/* fc_acf (its own workspace) gives R's numbers too. */
	const sf_series *f = &sf_all[0];
	double acf[40];
	fc_err err;
	ck_assert_int_eq(fc_acf(f->y, f->n, 39, acf, &err), 0);
	for (size_t k = 0; k < 40; k++)
		ck_assert_double_eq_tol(acf[k], f->acf_mean[k], ACF_TOL);

	/* Lags beyond the series are NaN; lag 0 is exactly 1. */
	double y[5] = {1, 3, 2, 5, 4}, r[8];
	ck_assert_int_eq(fc_acf(y, 5, 7, r, &err), 0);
	ck_assert_double_eq(r[0], 1);
	for (size_t k = 5; k < 8; k++)
		ck_assert(isnan(r[k]));
	/* By hand: mean 3, x = -2 0 -1 2 1, sum x^2 = 10; lag 1: 0 + 0 - 2 + 2 = 0;
	 * lag 2: 2 + 0 - 1 = 1; lag 4: -2. */
	ck_assert_double_eq_tol(r[1], 0.0, 1e-15);
	ck_assert_double_eq_tol(r[2], 0.1, 1e-15);
	ck_assert_double_eq_tol(r[4], -0.2, 1e-15);
}
END_TEST

/* Direct sums in long double on a series with gaps (odd, prime length). */
START_TEST(test_acf_direct)
{
	enum { N = 211 };
	double y[N], x[N];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 11);
	for (size_t t = 0; t < N; t++)
		y[t] = 50 + 10 * sin(2 * M_PI * (double)t / 12) + gsl_ran_gaussian(rng, 3);
	gsl_rng_free(rng);
	y[0] = y[1] = NAN; /* leading: trimmed */
	y[40] = y[41] = y[42] = NAN; /* interior: interpolated */
	y[N - 1] = NAN; /* trailing: trimmed */
	size_t m = 0;
	for (size_t t = 2; t < N - 1; t++)
		x[m++] = t >= 40 && t <= 42 ? y[39] + (y[43] - y[39]) * (double)(t - 39) / 4 : y[t];
	long double mean = 0;
	for (size_t t = 0; t < m; t++)
		mean += x[t];
	mean /= m;
	long double c0 = 0;
	for (size_t t = 0; t < m; t++)
		c0 += (x[t] - mean) * (x[t] - mean);
	double acf[N];
	size_t used;
	fc_err err;
	ck_assert_int_eq(fc_season_acf(NULL, y, N, FC_DETREND_MEAN, N - 1, acf, &used, &err), 0);
	ck_assert_uint_eq(used, m);
	for (size_t k = 0; k < m; k++) {
		long double ck = 0;
		for (size_t t = 0; t + k < m; t++)
			ck += (x[t] - mean) * (x[t + k] - mean);
		ck_assert_double_eq_tol(acf[k], (double)(ck / c0), 1e-13);
	}
	for (size_t k = m; k < N; k++)
		ck_assert(isnan(acf[k]));
}
END_TEST

START_TEST(test_pgram_vs_r)
{
	fc_season_ws *ws = new_ws(5000);
	for (size_t s = 0; s < SF_COUNT; s++) {
		const sf_series *f = &sf_all[s];
		double *pg = malloc((f->n / 2 + 1) * sizeof *pg);
		fc_err err;
		for (int how = 0; how < 2; how++) {
			size_t used = 0;
			int rc = fc_season_periodogram(ws, f->y, f->n, how ? FC_DETREND_LINEAR : FC_DETREND_MEAN,
			                               pg, &used, &err);
			ck_assert_msg(rc == 0, "%s: %s", f->name, err.msg);
			ck_assert_uint_eq(used, f->n_used);
			const double *want = how ? f->spec_linear : f->spec_mean;
			double top = 0;
			for (size_t j = 0; j < used / 2; j++)
				top = fmax(top, want[j]);
			for (size_t j = 0; j < used / 2; j++)
				ck_assert_msg(fabs(pg[j] - want[j]) <= PGRAM_REL_TOL * top,
				              "%s (%s) frequency %zu/%zu: %.17g vs R %.17g", f->name,
				              how ? "linear" : "mean", j + 1, used, pg[j], want[j]);
		}
		free(pg);
	}
	fc_season_ws_free(ws);
}
END_TEST

/* A direct DFT in long double, odd and even lengths, linear detrending. */
START_TEST(test_pgram_direct)
{
	static const size_t lengths[3] = {97, 100, 331};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 5);
	for (size_t c = 0; c < 3; c++) {
		size_t n = lengths[c];
		double *y = malloc(n * sizeof *y), *pg = malloc(n * sizeof *pg);
		long double *x = malloc(n * sizeof *x);
		for (size_t t = 0; t < n; t++)
			y[t] = 3 + 0.2 * (double)t + 4 * cos(2 * M_PI * (double)t / 7) + gsl_ran_gaussian(rng, 1);
		/* least-squares line, in long double */
		long double mean = 0, mid = (long double)(n - 1) / 2, sxt = 0, stt = 0;
		for (size_t t = 0; t < n; t++)
			mean += y[t];
		mean /= n;
		for (size_t t = 0; t < n; t++) {
			sxt += (y[t] - mean) * (t - mid);
			stt += (t - mid) * (t - mid);
		}
		for (size_t t = 0; t < n; t++)
			x[t] = y[t] - mean - sxt / stt * (t - mid);
		size_t used;
		ck_assert_int_eq(fc_season_periodogram(NULL, y, n, FC_DETREND_LINEAR, pg, &used, NULL), 0);
		ck_assert_uint_eq(used, n);
		long double want[400], top = 0;
		for (size_t j = 1; j <= n / 2; j++) {
			long double re = 0, im = 0;
			for (size_t t = 0; t < n; t++) {
				long double w = 2 * (long double)M_PI * (long double)((j * t) % n) / n;
				re += x[t] * cosl(w);
				im -= x[t] * sinl(w);
			}
			want[j] = (re * re + im * im) / n;
			if (want[j] > top)
				top = want[j];
		}
		for (size_t j = 1; j <= n / 2; j++)
			ck_assert_msg(fabsl(pg[j - 1] - want[j]) <= PGRAM_REL_TOL * top, "n %zu j %zu: %.17g vs %.17Lg",
			              n, j, pg[j - 1], want[j]);
		free(y);
		free(pg);
		free(x);
	}
	gsl_rng_free(rng);

	/* A constant series has a zero periodogram (not an error). */
	double c[6] = {NAN, 2, 2, NAN, 2, 2}, pg[3] = {-1, -1, -1};
	size_t used;
	ck_assert_int_eq(fc_season_periodogram(NULL, c, 6, FC_DETREND_MEAN, pg, &used, NULL), 0);
	ck_assert_uint_eq(used, 5);
	ck_assert_double_eq(pg[0], 0);
	ck_assert_double_eq(pg[1], 0);
	ck_assert_double_eq(pg[2], -1);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

START_TEST(test_errors)
{
	fc_err err;
	double acf[4] = {7, 7, 7, 7}, pg[4] = {7, 7, 7, 7};
	double y[6] = {1, 2, 3, 4, 5, 6};

	ck_assert_ptr_null(fc_season_ws_alloc(0, &err));
	ck_assert_int_eq(err.code, FC_EINVAL);
	fc_season_ws *ws = new_ws(5);

	ck_assert_int_eq(fc_season_acf(ws, y, 6, FC_DETREND_MEAN, 3, acf, NULL, &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "at most 5"));
	ck_assert_int_eq(fc_season_acf(ws, NULL, 3, FC_DETREND_MEAN, 3, acf, NULL, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_acf(ws, y, 3, FC_DETREND_MEAN, 3, NULL, NULL, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_acf(ws, y, 3, (fc_detrend)7, 3, acf, NULL, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_acf(ws, y, 0, FC_DETREND_MEAN, 3, acf, NULL, &err), FC_EINPUT);

	double nan3[3] = {NAN, NAN, NAN}, con[4] = {NAN, 2.5, NAN, 2.5}, inf[3] = {1, INFINITY, 2};
	ck_assert_int_eq(fc_season_acf(ws, nan3, 3, FC_DETREND_MEAN, 3, acf, NULL, &err), FC_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no observed"));
	ck_assert_int_eq(fc_season_acf(ws, con, 4, FC_DETREND_MEAN, 3, acf, NULL, &err), FC_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "constant"));
	ck_assert_int_eq(fc_season_acf(ws, inf, 3, FC_DETREND_MEAN, 3, acf, NULL, &err), FC_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "value 2"));
	for (size_t k = 0; k < 4; k++)
		ck_assert_double_eq(acf[k], 7); /* untouched */

	ck_assert_int_eq(fc_season_periodogram(ws, nan3, 3, FC_DETREND_MEAN, pg, NULL, &err), FC_EINPUT);
	ck_assert_int_eq(fc_season_periodogram(ws, inf, 3, FC_DETREND_LINEAR, pg, NULL, &err), FC_EINPUT);
	ck_assert_int_eq(fc_season_periodogram(ws, y, 6, FC_DETREND_MEAN, pg, NULL, &err), FC_EINVAL);
	for (size_t k = 0; k < 4; k++)
		ck_assert_double_eq(pg[k], 7);

	/* Detection: bad candidates and options; outputs untouched. */
	fc_season_found f[2];
	size_t nf = 42;
	double bad[1] = {NAN}, many[17];
	for (size_t i = 0; i < 17; i++)
		many[i] = 2 + (double)i;
	ck_assert_int_eq(fc_season_detect(ws, y, 5, bad, 1, NULL, 2, f, &nf, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_detect(ws, y, 5, many, 17, NULL, 2, f, &nf, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_detect(ws, y, 5, NULL, 1, NULL, 2, f, &nf, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_detect(ws, y, 5, DAILY, 2, NULL, 2, NULL, &nf, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_detect(ws, y, 5, DAILY, 2, NULL, 2, f, NULL, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_detect(ws, y, 6, DAILY, 2, NULL, 2, f, &nf, &err), FC_EINVAL);
	ck_assert_int_eq(fc_season_detect(ws, inf, 3, DAILY, 2, NULL, 2, f, &nf, &err), FC_EINPUT);
	fc_season_opts o = fc_season_opts_default();
	o.alpha = 0;
	ck_assert_int_eq(fc_season_detect(ws, y, 5, DAILY, 2, &o, 2, f, &nf, &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "alpha"));
	o = fc_season_opts_default();
	o.alpha_discover = 0.5;
	ck_assert_int_eq(fc_season_detect(ws, y, 5, DAILY, 2, &o, 2, f, &nf, &err), FC_EINVAL);
	o = fc_season_opts_default();
	o.discover = 2;
	ck_assert_int_eq(fc_season_detect(ws, y, 5, DAILY, 2, &o, 2, f, &nf, &err), FC_EINVAL);
	ck_assert_uint_eq(nf, 42);
	fc_season_ws_free(ws);
	fc_season_ws_free(NULL);
}
END_TEST

/* ---- detection on real series ---------------------------------------------- */

/* Our verdicts on R's series: every seasonal data set keeps its period(s);
 * the non-seasonal ones keep nothing, except lynx, whose ~10-year cycle is
 * discovered (R's findfrequency() says 10 too).  presidents is where
 * thetaf's two-sided test says "seasonal" (a large r_4 from persistence,
 * no peak at lag 4) and we do not. */
START_TEST(test_detect_r_series)
{
	fc_season_ws *ws = new_ws(5000);
	fc_season_opts cand_only = fc_season_opts_default();
	cand_only.discover = 0;
	for (size_t s = 0; s < SF_COUNT; s++) {
		const sf_series *f = &sf_all[s];
		fc_season_found found[4];
		size_t nf = detect(ws, f->y, f->n, f->candidates, f->n_candidates, NULL, found, 4);
		int seasonal = f->n_candidates > 0 && strcmp(f->name, "presidents") != 0;
		if (!strcmp(f->name, "lynx")) {
			double ten = 10;
			expect_periods(f->name, found, nf, &ten, 1);
			ck_assert(found[0].discovered);
			ck_assert_int_eq(f->findfrequency, 10);
		} else if (!strcmp(f->name, "sunspot_year")) {
			ck_assert_uint_le(nf, 1); /* an ~11-year cycle may or may not be found */
		} else {
			expect_periods(f->name, found, nf, f->candidates, seasonal ? f->n_candidates : 0);
		}
		for (size_t i = 0; i < nf; i++) {
			ck_assert(found[i].acf > 0);
			ck_assert(found[i].acf > found[i].acf_bound || found[i].pgram_pvalue < 0.01);
		}
		/* Without discovery: the candidates only. */
		nf = detect(ws, f->y, f->n, f->candidates, f->n_candidates, &cand_only, found, 4);
		expect_periods(f->name, found, nf, f->candidates, seasonal ? f->n_candidates : 0);
	}
	fc_season_ws_free(ws);
}
END_TEST

START_TEST(test_detect_max_found)
{
	const sf_series *t = NULL;
	for (size_t s = 0; s < SF_COUNT; s++)
		if (!strcmp(sf_all[s].name, "taylor"))
			t = &sf_all[s];
	ck_assert_ptr_nonnull(t);
	fc_season_found f[4];
	size_t nf = detect(NULL, t->y, t->n, t->candidates, 2, NULL, f, 1);
	double p48 = 48;
	expect_periods("taylor, one period", f, nf, &p48, 1);
	ck_assert_int_eq(fc_season_detect(NULL, t->y, t->n, t->candidates, 2, NULL, 0, NULL, &nf, NULL), 0);
	ck_assert_uint_eq(nf, 0);
	/* Candidates in any order, repeated, or below 2: the same answer. */
	double messy[5] = {336, 1, 48, 336, 0.5};
	nf = detect(NULL, t->y, t->n, messy, 5, NULL, f, 4);
	expect_periods("taylor, messy candidates", f, nf, t->candidates, 2);
}
END_TEST

/* ---- detection on synthetic series ------------------------------------- */

/* Three years of daily data: weekly pattern, yearly wave, trend, noise. */
static void make_daily(double *y, size_t n, unsigned long seed, double week_amp, double year_amp, double sd)
{
	static const double week[7] = {-2, -1, -1, 0, 1, 3, 0};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	for (size_t t = 0; t < n; t++)
		y[t] = 100 + 0.02 * (double)t + week_amp * week[t % 7] +
		       year_amp * sin(2 * M_PI * (double)t / 365.25) + gsl_ran_gaussian(rng, sd);
	gsl_rng_free(rng);
}

/* Hourly data: a two-peak daily profile, lower weekends, noise. */
static void make_hourly(double *y, size_t n, unsigned long seed, double weekend, double sd)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	for (size_t t = 0; t < n; t++) {
		double h = (double)(t % 24);
		size_t d = (t / 24) % 7;
		y[t] = 50 + 10 * sin(2 * M_PI * (h - 6) / 24) + 6 * sin(4 * M_PI * h / 24) -
		       (d >= 5 ? weekend : 0) + gsl_ran_gaussian(rng, sd);
	}
	gsl_rng_free(rng);
}

START_TEST(test_detect_daily)
{
	enum { N = 3 * 365 };
	double y[N];
	fc_season_found f[4];
	make_daily(y, N, 1, 2, 10, 4);
	size_t nf = detect(NULL, y, N, DAILY, 2, NULL, f, 4);
	expect_periods("daily 7 + 365.25", f, nf, DAILY, 2);
	ck_assert(f[1].lag == 365 || f[1].lag == 366);
	/* With 5% of the values missing (and the first and last). */
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 2);
	for (size_t t = 0; t < N; t++)
		if (t == 0 || t == N - 1 || gsl_rng_uniform(rng) < 0.05)
			y[t] = NAN;
	gsl_rng_free(rng);
	nf = detect(NULL, y, N, DAILY, 2, NULL, f, 4);
	expect_periods("daily with gaps", f, nf, DAILY, 2);
	/* Weekly pattern only; yearly wave only. */
	make_daily(y, N, 3, 2, 0, 4);
	nf = detect(NULL, y, N, DAILY, 2, NULL, f, 4);
	expect_periods("daily, weekly only", f, nf, DAILY, 1);
	make_daily(y, N, 4, 0, 10, 4);
	nf = detect(NULL, y, N, DAILY, 2, NULL, f, 4);
	expect_periods("daily, yearly only", f, nf, DAILY + 1, 1);
	/* Under two years: the yearly candidate is not even tested. */
	make_daily(y, 700, 5, 2, 10, 4);
	nf = detect(NULL, y, 700, DAILY, 2, NULL, f, 4);
	expect_periods("daily, 700 days", f, nf, DAILY, 1);
}
END_TEST

START_TEST(test_detect_hourly)
{
	enum { N = 8 * 168 };
	double y[N];
	fc_season_found f[4];
	make_hourly(y, N, 1, 8, 4);
	size_t nf = detect(NULL, y, N, HOURLY, 2, NULL, f, 4);
	expect_periods("hourly 24 + 168", f, nf, HOURLY, 2);
	make_hourly(y, N, 2, 0, 4);
	nf = detect(NULL, y, N, HOURLY, 2, NULL, f, 4);
	expect_periods("hourly, daily only", f, nf, HOURLY, 1);
	/* Four weeks and two days, as M4 Hourly's shortest. */
	make_hourly(y, 700, 3, 8, 4);
	nf = detect(NULL, y, 700, HOURLY, 2, NULL, f, 4);
	expect_periods("hourly, 700 values", f, nf, HOURLY, 2);
}
END_TEST

START_TEST(test_detect_discovery)
{
	enum { N = 600 };
	double y[N];
	fc_season_found f[4];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 9);
	/* A period of 10 and no candidate. */
	for (size_t t = 0; t < N; t++)
		y[t] = 5 * sin(2 * M_PI * (double)t / 10) + gsl_ran_gaussian(rng, 2);
	size_t nf = detect(NULL, y, N, NULL, 0, NULL, f, 4);
	double ten = 10;
	expect_periods("period 10 discovered", f, nf, &ten, 1);
	ck_assert(f[0].discovered);
	ck_assert_double_lt(f[0].pgram_pvalue, 0.001);
	fc_season_opts o = fc_season_opts_default();
	o.discover = 0;
	ck_assert_uint_eq(detect(NULL, y, N, NULL, 0, &o, f, 4), 0);
	/* A candidate 7 and a hidden 30: kept and discovered, shortest first;
	 * harmonics of 7 (3.5, 2.33) are not reported. */
	static const double week[7] = {-3, -1, 0, 0, 1, 4, -1};
	for (size_t t = 0; t < N; t++)
		y[t] = week[t % 7] + 4 * cos(2 * M_PI * (double)t / 30) + gsl_ran_gaussian(rng, 1);
	double seven = 7;
	nf = detect(NULL, y, N, &seven, 1, NULL, f, 4);
	double want[2] = {7, 30};
	expect_periods("7 kept, 30 discovered", f, nf, want, 2);
	ck_assert(!f[0].discovered && f[1].discovered);
	gsl_rng_free(rng);
}
END_TEST

/* Degenerate series: nothing, and no error. */
START_TEST(test_detect_degenerate)
{
	enum { N = 1095 };
	double y[N];
	fc_season_found f[4];
	for (size_t t = 0; t < N; t++)
		y[t] = 42.1;
	ck_assert_uint_eq(detect(NULL, y, N, DAILY, 2, NULL, f, 4), 0);
	for (size_t t = 0; t < N; t++)
		y[t] = 3 + 0.1 * (double)t; /* exactly linear */
	ck_assert_uint_eq(detect(NULL, y, N, DAILY, 2, NULL, f, 4), 0);
	for (size_t t = 0; t < N; t++)
		y[t] = NAN;
	ck_assert_uint_eq(detect(NULL, y, N, DAILY, 2, NULL, f, 4), 0);
	/* Too short for any candidate: 13 days of a perfect weekly pattern. */
	for (size_t t = 0; t < 13; t++)
		y[t] = (double)(t % 7);
	ck_assert_uint_eq(detect(NULL, y, 13, DAILY, 2, NULL, f, 4), 0);
	ck_assert_uint_eq(detect(NULL, y, 3, DAILY, 2, NULL, f, 4), 0);
	ck_assert_uint_eq(detect(NULL, y, 0, DAILY, 2, NULL, f, 4), 0);
	/* Two or three cycles are too few for either test to reach 1%; five
	 * weeks of a clean pattern are enough. */
	for (size_t t = 0; t < 35; t++)
		y[t] = (double)(t % 7) + 0.01 * (double)((t * 7919) % 13);
	ck_assert_uint_eq(detect(NULL, y, 21, DAILY, 2, NULL, f, 4), 0);
	ck_assert_uint_eq(detect(NULL, y, 35, DAILY, 2, NULL, f, 4), 1);
	ck_assert_double_eq(f[0].period, 7);
}
END_TEST

/* Share of series with any period found among `reps` generated series. */
typedef void (*gen_fn)(double *y, size_t n, gsl_rng *rng);

static void gen_noise(double *y, size_t n, gsl_rng *rng)
{
	for (size_t t = 0; t < n; t++)
		y[t] = 10 + gsl_ran_gaussian(rng, 1);
}

static void gen_trend(double *y, size_t n, gsl_rng *rng)
{
	for (size_t t = 0; t < n; t++)
		y[t] = 0.5 * (double)t + gsl_ran_gaussian(rng, 10);
}

static void gen_walk(double *y, size_t n, gsl_rng *rng)
{
	double v = 0;
	for (size_t t = 0; t < n; t++)
		y[t] = v += gsl_ran_gaussian(rng, 1);
}

static void gen_ar95(double *y, size_t n, gsl_rng *rng)
{
	double v = 0;
	for (size_t t = 0; t < n; t++)
		y[t] = v = 0.95 * v + gsl_ran_gaussian(rng, 1);
}

static double positive_share(gen_fn gen, size_t n, const double *cand, size_t nc, int reps,
                             unsigned long seed)
{
	fc_season_ws *ws = new_ws(n);
	double *y = malloc(n * sizeof *y);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	int hits = 0;
	for (int r = 0; r < reps; r++) {
		fc_season_found f[4];
		gen(y, n, rng);
		hits += detect(ws, y, n, cand, nc, NULL, f, 4) > 0;
	}
	gsl_rng_free(rng);
	free(y);
	fc_season_ws_free(ws);
	return (double)hits / reps;
}

/* With the default levels (0.01 per test, 0.001 for discovery), series with
 * no seasonality come out seasonal in at most 3% of cases here (measured
 * over 2,000 series each, daily / hourly candidates: noise 0.9% / 0.8%,
 * trend 1.1% / 0.7%, random walk 0.7% / 0.2%, AR(1) 0.95 0.8% / 1.0%).
 * One fixed series of each kind: none. */
START_TEST(test_detect_no_season)
{
	enum { N = 1095 };
	double y[N];
	fc_season_found f[4];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 1);
	gen_noise(y, N, rng);
	ck_assert_uint_eq(detect(NULL, y, N, DAILY, 2, NULL, f, 4), 0);
	gen_trend(y, N, rng);
	ck_assert_uint_eq(detect(NULL, y, N, DAILY, 2, NULL, f, 4), 0);
	gen_walk(y, N, rng);
	ck_assert_uint_eq(detect(NULL, y, N, DAILY, 2, NULL, f, 4), 0);
	gsl_rng_free(rng);

	struct { const char *name; gen_fn gen; size_t n; const double *cand; } cases[] = {
		{"noise, daily", gen_noise, 1095, DAILY}, {"noise, hourly", gen_noise, 700, HOURLY},
		{"trend, daily", gen_trend, 1095, DAILY}, {"trend, hourly", gen_trend, 700, HOURLY},
		{"random walk, daily", gen_walk, 1095, DAILY}, {"AR(1) 0.95, daily", gen_ar95, 1095, DAILY},
		{"AR(1) 0.95, hourly", gen_ar95, 700, HOURLY},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		double share = positive_share(cases[c].gen, cases[c].n, cases[c].cand, 2, 400, 100 + c);
		ck_assert_msg(share <= 0.03, "%s: %.1f%% found seasonal", cases[c].name, 100 * share);
	}
}
END_TEST

/* ---- threads and workspaces ------------------------------------------------ */

/* Field by field (the struct has padding). */
static void same_found(const fc_season_found *a, size_t na, const fc_season_found *b, size_t nb,
                       size_t s)
{
	ck_assert_msg(na == nb, "series %zu: %zu vs %zu periods", s, na, nb);
	for (size_t i = 0; i < na; i++) {
		ck_assert_msg(a[i].period == b[i].period && a[i].discovered == b[i].discovered &&
		              a[i].lag == b[i].lag && a[i].acf == b[i].acf && a[i].acf_bound == b[i].acf_bound &&
		              (a[i].pgram_ratio == b[i].pgram_ratio ||
		               (isnan(a[i].pgram_ratio) && isnan(b[i].pgram_ratio))) &&
		              (a[i].pgram_pvalue == b[i].pgram_pvalue ||
		               (isnan(a[i].pgram_pvalue) && isnan(b[i].pgram_pvalue))),
		              "series %zu period %zu: %g/%zu/%.17g/%.17g vs %g/%zu/%.17g/%.17g", s, i,
		              a[i].period, a[i].lag, a[i].acf, a[i].pgram_pvalue,
		              b[i].period, b[i].lag, b[i].acf, b[i].pgram_pvalue);
	}
}

/* The same answers from one workspace reused over many lengths (plans
 * evicted and re-made), from fresh ones, and from OpenMP threads. */
START_TEST(test_detect_deterministic)
{
	enum { S = 48, MAXN = 1400 };
	double *y = malloc(S * MAXN * sizeof *y);
	size_t n[S];
	for (size_t s = 0; s < S; s++) {
		n[s] = 700 + 13 * s;
		make_hourly(y + s * MAXN, n[s], 1000 + s, (double)(s % 3) * 4, 2 + (double)(s % 5));
	}
	fc_season_found ref[S][4], got[S][4];
	size_t nref[S], ngot[S];
	memset(ref, 0, sizeof ref);
	memset(got, 0, sizeof got);
	for (size_t s = 0; s < S; s++)
		nref[s] = detect(NULL, y + s * MAXN, n[s], HOURLY, 2, NULL, ref[s], 4);
	fc_season_ws *ws = new_ws(MAXN);
	for (size_t s = S; s-- > 0;)
		ngot[s] = detect(ws, y + s * MAXN, n[s], HOURLY, 2, NULL, got[s], 4);
	fc_season_ws_free(ws);
	for (size_t s = 0; s < S; s++)
		same_found(ref[s], nref[s], got[s], ngot[s], s);

	memset(got, 0, sizeof got);
	int failed = 0;
#ifdef _OPENMP
	omp_set_num_threads(4);
#endif
#ifdef _OPENMP
#pragma omp parallel reduction(+ : failed)
#endif
	{
		fc_season_ws *tws = fc_season_ws_alloc(MAXN, NULL);
		if (!tws)
			failed++;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
		for (size_t s = 0; s < S; s++)
			if (!tws || fc_season_detect(tws, y + s * MAXN, n[s], HOURLY, 2, NULL, 4, got[s], &ngot[s], NULL))
				failed++;
		fc_season_ws_free(tws);
	}
	ck_assert_int_eq(failed, 0);
	for (size_t s = 0; s < S; s++)
		same_found(ref[s], nref[s], got[s], ngot[s], s);
	size_t with24 = 0;
	for (size_t s = 0; s < S; s++)
		with24 += nref[s] >= 1 && ref[s][0].period == 24;
	ck_assert_uint_eq(with24, S);
	free(y);
}
END_TEST

/* ---- M4 Hourly, read at run time ------------------------------------------- */

/* The 414 M4 Hourly training series (Makridakis et al. 2020), candidates
 * 24 and 168.  Measured: 24 kept in 394 (95.2%), 168 in 83 (20.0%); 19
 * series have a discovered period instead of 24, mostly 23 (H174, H202,
 * ...: their cycle is 23 steps, and R's findfrequency says 23 too), also
 * 16, 17, 18, 21, 10. */
START_TEST(test_m4_hourly)
{
	const char *path = SHARED_DATA_DIR "/m4_hourly/train.csv";
	FILE *fp = fopen(path, "r");
	if (!fp) {
		printf("test_m4_hourly: %s not found, skipped\n", path);
		return;
	}
	enum { MAXN = 2000 };
	fc_season_ws *ws = new_ws(MAXN);
	double *y = malloc(MAXN * sizeof *y);
	char line[256], id[256] = "", cur[256];
	size_t n = 0, total = 0, with24 = 0, with168 = 0, discovered = 0, none = 0;
	ck_assert_ptr_nonnull(fgets(line, sizeof line, fp)); /* header */
	for (int more = 1; more;) {
		more = fgets(line, sizeof line, fp) != NULL;
		double v = NAN;
		if (more) {
			char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
			ck_assert_msg(c2 != NULL, "%s: bad line %s", path, line);
			*c1 = '\0';
			snprintf(cur, sizeof cur, "%s", line);
			v = strtod(c2 + 1, NULL);
			if (!*id || !strcmp(cur, id)) {
				snprintf(id, sizeof id, "%s", cur);
				ck_assert_uint_lt(n, MAXN);
				y[n++] = v;
				continue;
			}
		}
		fc_season_found f[4];
		size_t nf = detect(ws, y, n, HOURLY, 2, NULL, f, 4);
		total++;
		none += nf == 0;
		int d = 0;
		for (size_t i = 0; i < nf; i++) {
			with24 += f[i].period == 24 && !f[i].discovered;
			with168 += f[i].period == 168 && !f[i].discovered;
			d |= f[i].discovered;
		}
		discovered += d;
		snprintf(id, sizeof id, "%s", cur);
		n = 0;
		if (more)
			y[n++] = v;
	}
	fclose(fp);
	printf("test_m4_hourly: %zu series: 24 kept in %zu (%.1f%%), 168 in %zu (%.1f%%), "
	       "a period discovered in %zu, none in %zu\n", total, with24, 100.0 * with24 / total,
	       with168, 100.0 * with168 / total, discovered, none);
	ck_assert_uint_eq(total, 414);
	ck_assert_msg(with24 >= 0.9 * total, "24 kept in only %zu of %zu", with24, total);
	free(y);
	fc_season_ws_free(ws);
}
END_TEST

static Suite *season_suite(void)
{
	Suite *su = suite_create("season");
	TCase *tc = tcase_create("transforms");
	tcase_add_test(tc, test_acf_vs_r);
	tcase_add_test(tc, test_acf_convenience);
	tcase_add_test(tc, test_acf_direct);
	tcase_add_test(tc, test_pgram_vs_r);
	tcase_add_test(tc, test_pgram_direct);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(su, tc);
	TCase *td = tcase_create("detection");
	tcase_set_timeout(td, 120);
	tcase_add_test(td, test_detect_r_series);
	tcase_add_test(td, test_detect_max_found);
	tcase_add_test(td, test_detect_daily);
	tcase_add_test(td, test_detect_hourly);
	tcase_add_test(td, test_detect_discovery);
	tcase_add_test(td, test_detect_degenerate);
	tcase_add_test(td, test_detect_no_season);
	tcase_add_test(td, test_detect_deterministic);
	tcase_add_test(td, test_m4_hourly);
	suite_add_tcase(su, td);
	return su;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(season_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
