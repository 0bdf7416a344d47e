/* Seasonal periods from the data: autocorrelation and periodogram by FFT
 * (FFTW), and the test that confirms candidate periods and discovers others.
 *
 * Autocorrelation.  With x the series less its mean (or least-squares line),
 * zero-padded to N >= 2n (the next 2^a 3^b 5^c 7^d), X = FFT(x), the inverse
 * FFT of |X|^2 is N sum_{t<n-k} x_t x_{t+k} for k < n with no circular
 * wrap (Wiener-Khinchin; e.g. Brockwell & Davis, "Time Series: Theory and
 * Methods", 2nd ed., 1991, section 10.3), and r_k is its ratio to lag 0:
 * R's acf(), whose divisor n cancels.
 *
 * Periodogram.  I(j/n) = |X_j|^2 / n at the Fourier frequencies j/n,
 * j = 1..n/2, of the series less its mean, or less its least-squares line:
 * the detection below detrends, as forecast::findfrequency does (it fits
 * tslm(x ~ trend) first), because a trend's power leaks into the low
 * frequencies where long seasonal periods live.
 *
 * Missing values: leading and trailing NaN are trimmed, interior NaN filled
 * by linear interpolation (this keeps the lags aligned, which dropping
 * values would not; with few gaps the bias is negligible).
 *
 * Detection (fc_season_detect).  On the filled series of length n less its
 * least-squares line (x), candidates are taken shortest first.  For a
 * candidate period m >= 2:
 *
 *  0. it needs n >= 2m: two full cycles;
 *  1. the shorter periods already kept are removed from x by centred moving
 *     averages of their (rounded) length, 2 x P for even P as in classical
 *     decomposition (R's decompose), one after the other, then the line
 *     again: z, of length n_z.  MSTL (Bandara, Hyndman & Bergmeir 2021)
 *     treats several periods shortest first in the same spirit; without it
 *     a daily cycle makes lag 168 a peak of hourly data, and a weekly one
 *     moves the ACF peak near lag 365 of daily data to 364;
 *  2. the ACF of z must rise to lag m and fall after it (the "hill" check
 *     of AUTOPERIOD, Vlachos, Yu & Castelli, "On periodicity detection and
 *     structural periodic similarity", SIAM SDM 2005): with L the better
 *     of lags floor(m) and ceil(m) and w = max(1, round(floor(m) / 4)),
 *     r_L > 0, r_L > r_{floor(m)-w} and r_L > r_{ceil(m)+w}.  A trend or a
 *     random walk gives a decreasing ACF and fails here.  A quarter period
 *     is where a sinusoid's ACF crosses 0, so noise does not break the
 *     check on smooth patterns as a one-lag comparison would (that lost
 *     a third of clean monthly sines at n = 144);
 *  3. and the seasonality must be significant by either
 *     (a) the ACF test of R's forecast::thetaf (Hyndman & Billah,
 *         "Unmasking the Theta method", IJF 19, 2003), made one-sided:
 *         r_L > z_{1-alpha} sqrt((1 + 2 sum_{k<L} r_k^2) / n_z), Bartlett's
 *         (1946) standard error of r_L under an MA(L-1) null (alpha / 2
 *         for a non-integer m, where two lags are tried), and the largest
 *         (whitened, see (b)) periodogram ordinate within 2 bins of n/m is
 *         at floor(n/m) or ceil(n/m): the ACF cannot tell a period of 23
 *         from 24 (M4 Hourly has such series), the spectrum can; or
 *     (b) a periodogram peak at a harmonic k/m, k = 1..4 below Nyquist: the
 *         larger of the bins floor(k n/m) and ceil(k n/m) of x's
 *         periodogram, a local maximum, with a significant ratio to the
 *         local noise level.  Without periodicity the ordinates are
 *         asymptotically independent S(f) E, E ~ Exp(1) (Brockwell & Davis,
 *         theorem 10.3.2).  Fisher's g test (Fisher 1929, "Tests of
 *         significance in harmonic analysis", Proc. R. Soc. A 125) assumes a
 *         flat S, which autocorrelation breaks, so: the periodogram is first
 *         prewhitened by the AR(1) shape |1 - phi e^{-i w}|^2 (Blackman &
 *         Tukey 1958; Priestley 1981, section 7.4.1), phi the lag-1
 *         autocorrelation of x less the per-position means of m and of the
 *         kept periods (so that the seasonality itself does not count as
 *         persistence); S near bin j is then the median M of the whitened
 *         ordinates within 10 bins (widened to 50 until there are 8),
 *         leaving out j's neighbours, the first 6 harmonics of m and every
 *         harmonic of the kept periods (within 1.5 bins).  For r reference
 *         bins, P(E > s M) = prod_{i<=k} (r-i+1) / (r-i+1+s) (k = (r+1)/2,
 *         odd r; Renyi's representation of exponential order statistics;
 *         one more factor for even r) is the exact one-bin p-value of
 *         s = I_j / M, which a plain Exp(1) tail would understate badly with
 *         r ~ 10.  The smallest p-value over the bins tested, times their
 *         number T (Bonferroni), must be below alpha.
 *     Each test has level alpha; the hill check makes both stricter.  The
 *     measured false-positive rates are in tests/test_season.c.
 *
 * Discovery (opts.discover) looks at every bin j = 2..(n-1)/2 of x's
 * whitened periodogram (periods 2 < n/j <= n/2) away from the harmonics of
 * the kept periods: a local maximum whose p-value times T (the number of
 * bins looked at) is below alpha_discover is a peak.  Most significant
 * first, a peak is confirmed by the ACF (AUTOPERIOD again) of x less the
 * kept periods shorter than n/j (step 1): the lag L of the largest r among
 * the lags within the bin, n/(j + 1/2) to n/(j - 1/2) (the nearest lag to
 * n/j when none is), at most n_z / 2, must pass the hill check and exceed
 * the Bartlett bound of test (a).  L is reported unless it is within 5% of
 * a period kept, or the peak is a harmonic of a period discovered before.
 *
 * Omissions: no log transform (growing seasonal swings are still periodic
 * enough for both tests); no strength measure beyond the statistics
 * reported; periods below 2 or above n/2 are never reported; candidates
 * beyond max_found are not tested. */
#include "forecast/season.h"
#include "core/numeric.h"

#include <fftw3.h>
#include <gsl/gsl_cdf.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WS_N ((size_t)1 << 28)
#define PLAN_CACHE 8
#define MAX_CANDIDATES 16
#define MAX_HARMONICS 4          /* harmonics of a candidate tested */
#define EXCL_HARMONICS 6         /* harmonics of a candidate left out of the noise level */
#define EXCL_RADIUS 1.5          /* bins from a harmonic left out */
#define REF_HALF_WIDTH 10        /* bins each side for the noise level ... */
#define REF_HALF_WIDTH_MAX 50    /* ... widened up to this */
#define REF_WANT 8               /* reference bins wanted ... */
#define REF_MIN 5                /* ... and needed */
#define FLAT_REL 1e-10           /* spread below this fraction of |y| = constant */
#define MIN_DISCOVER_N 16

enum { PLAN_R2C = 0, PLAN_C2R = 1 };

typedef struct plan_entry {
	int kind;
	size_t size; /* 0 = empty */
	fftw_plan plan;
} plan_entry;

typedef struct peak {
	size_t j;
	double ratio, p;
} peak;

struct fc_season_ws {
	size_t max_n, max_fft;
	double *x;    /* the filled series, then centred (max_n) */
	double *z;    /* x less kept periods (max_n) */
	double *tmp;  /* scratch for the moving averages (max_n) */
	double *r;    /* autocorrelations of z (max_n) */
	double *pg;   /* periodogram of x, pg[j] at j/n (max_n / 2 + 1) */
	double *pw;   /* pg whitened for one test (max_n / 2 + 1) */
	double *d;    /* x less seasonal means (max_n) */
	double *sums; /* per-position sums (max_n / 2 + 1) */
	double *cosw; /* cos(2 pi j / n) (max_n / 2 + 1) */
	unsigned char *mask; /* bins left out of noise levels (max_n / 2 + 1) */
	double *fin;  /* FFT real side (max_fft), fftw_malloc'ed */
	fftw_complex *fout; /* FFT complex side (max_fft / 2 + 1) */
	peak *peaks;  /* max_n / 2 + 1 */
	double ref[2 * REF_HALF_WIDTH_MAX + 2];
	plan_entry plans[PLAN_CACHE];
	size_t next_evict;
};

/* ---- FFT sizes and plans ------------------------------------------------- */

/* The smallest integer >= n whose prime factors are 2, 3, 5 and 7. */
static size_t next_fast(size_t n)
{
	for (size_t m = n < 1 ? 1 : n;; m++) {
		size_t k = m;
		static const size_t f[4] = {2, 3, 5, 7};
		for (int i = 0; i < 4; i++)
			while (k % f[i] == 0)
				k /= f[i];
		if (k == 1)
			return m;
	}
}

static void plan_destroy(fftw_plan p)
{
#ifdef _OPENMP
#pragma omp critical(fftw_plan)
#endif
	fftw_destroy_plan(p);
}

/* The cached plan of a kind and size on the workspace's buffers, made on a
 * miss (FFTW's planner is not thread-safe: see season.h). */
static int get_plan(fc_season_ws *ws, int kind, size_t size, fftw_plan *out, fc_err *err)
{
	plan_entry *slot = NULL;
	for (size_t i = 0; i < PLAN_CACHE; i++) {
		plan_entry *e = &ws->plans[i];
		if (e->size == size && e->kind == kind) {
			*out = e->plan;
			return 0;
		}
		if (!slot && e->size == 0)
			slot = e;
	}
	fftw_plan p;
#ifdef _OPENMP
#pragma omp critical(fftw_plan)
#endif
	{
		if (kind == PLAN_R2C)
			p = fftw_plan_dft_r2c_1d((int)size, ws->fin, ws->fout, FFTW_ESTIMATE);
		else
			p = fftw_plan_dft_c2r_1d((int)size, ws->fout, ws->fin, FFTW_ESTIMATE);
	}
	if (!p)
		return fc_err_set(err, FC_ENOMEM, "FFTW could not plan a transform of size %zu", size);
	if (!slot) {
		slot = &ws->plans[ws->next_evict];
		ws->next_evict = (ws->next_evict + 1) % PLAN_CACHE;
		plan_destroy(slot->plan);
	}
	slot->kind = kind;
	slot->size = size;
	slot->plan = p;
	*out = p;
	return 0;
}

fc_season_ws *fc_season_ws_alloc(size_t max_n, fc_err *err)
{
	if (max_n < 1 || max_n > MAX_WS_N) {
		fc_err_set(err, FC_EINVAL, "season workspace: length %zu is out of range 1..%zu",
		           max_n, MAX_WS_N);
		return NULL;
	}
	fc_season_ws *ws = calloc(1, sizeof *ws);
	if (!ws)
		goto nomem;
	ws->max_n = max_n;
	ws->max_fft = next_fast(2 * max_n);
	size_t half = max_n / 2 + 1;
	ws->x = malloc(max_n * sizeof *ws->x);
	ws->z = malloc(max_n * sizeof *ws->z);
	ws->tmp = malloc(max_n * sizeof *ws->tmp);
	ws->r = malloc(max_n * sizeof *ws->r);
	ws->pg = malloc(half * sizeof *ws->pg);
	ws->pw = malloc(half * sizeof *ws->pw);
	ws->d = malloc(max_n * sizeof *ws->d);
	ws->sums = malloc(half * sizeof *ws->sums);
	ws->cosw = malloc(half * sizeof *ws->cosw);
	ws->mask = malloc(half);
	ws->peaks = malloc(half * sizeof *ws->peaks);
	ws->fin = fftw_malloc(ws->max_fft * sizeof *ws->fin);
	ws->fout = fftw_malloc((ws->max_fft / 2 + 1) * sizeof *ws->fout);
	if (!ws->x || !ws->z || !ws->tmp || !ws->r || !ws->pg || !ws->pw || !ws->d || !ws->sums || !ws->cosw || !ws->mask || !ws->peaks || !ws->fin || !ws->fout)
		goto nomem;
	fftw_plan p;
	if (get_plan(ws, PLAN_R2C, max_n, &p, err) || get_plan(ws, PLAN_R2C, ws->max_fft, &p, err) ||
	    get_plan(ws, PLAN_C2R, ws->max_fft, &p, err))
		goto fail;
	return ws;
nomem:
	fc_err_set(err, FC_ENOMEM, "season workspace: out of memory for length %zu", max_n);
fail:
	fc_season_ws_free(ws);
	return NULL;
}

void fc_season_ws_free(fc_season_ws *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < PLAN_CACHE; i++)
		if (ws->plans[i].size)
			plan_destroy(ws->plans[i].plan);
	free(ws->x);
	free(ws->z);
	free(ws->tmp);
	free(ws->r);
	free(ws->pg);
	free(ws->pw);
	free(ws->d);
	free(ws->sums);
	free(ws->cosw);
	free(ws->mask);
	free(ws->peaks);
	fftw_free(ws->fin);
	fftw_free(ws->fout);
	free(ws);
}

/* ---- preparing a series -------------------------------------------------- */

/* Copies y[0..n) less leading and trailing NaN into x, interior NaN
 * linearly interpolated; *n_used = 0 when nothing is observed.  *scale gets
 * max |x|.  FC_EINPUT for an infinite value. */
static int fill(const double *y, size_t n, double *x, size_t *n_used, double *scale, fc_err *err)
{
	size_t a = 0, b = n;
	while (a < n && isnan(y[a]))
		a++;
	while (b > a && isnan(y[b - 1]))
		b--;
	*n_used = b - a;
	*scale = 0;
	size_t last = 0; /* index in x of the last observed value */
	for (size_t t = a; t < b; t++) {
		double v = y[t];
		size_t i = t - a;
		if (isinf(v))
			return fc_err_set(err, FC_EINPUT, "value %zu of the series is infinite", t + 1);
		if (isnan(v))
			continue;
		x[i] = v;
		if (fabs(v) > *scale)
			*scale = fabs(v);
		for (size_t g = last + 1; g < i; g++) /* the gap (last, i) */
			x[g] = x[last] + (x[i] - x[last]) * (double)(g - last) / (double)(i - last);
		last = i;
	}
	return 0;
}

/* Removes the mean or the least-squares line (two passes for accuracy). */
static void center(double *x, size_t n, fc_detrend how)
{
	for (int pass = 0; pass < 2; pass++) {
		double s = 0;
		for (size_t t = 0; t < n; t++)
			s += x[t];
		s /= (double)n;
		for (size_t t = 0; t < n; t++)
			x[t] -= s;
	}
	if (how != FC_DETREND_LINEAR || n < 2)
		return;
	/* With t centred, the slope is sum x t / sum t^2 and the intercept is
	 * the mean, already 0 (R's spec.pgram does the same). */
	double mid = (double)(n - 1) / 2, sxt = 0, stt = 0;
	for (size_t t = 0; t < n; t++) {
		double u = (double)t - mid;
		sxt += x[t] * u;
		stt += u * u;
	}
	double b = sxt / stt;
	for (size_t t = 0; t < n; t++)
		x[t] -= b * ((double)t - mid);
}

static int all_equal(const double *x, size_t n)
{
	for (size_t t = 1; t < n; t++)
		if (x[t] != x[0])
			return 0;
	return 1;
}

/* 1 when the centred x has no spread worth the name next to scale. */
static int flat(const double *x, size_t n, double scale)
{
	double ss = 0;
	for (size_t t = 0; t < n; t++)
		ss += x[t] * x[t];
	return ss == 0 || sqrt(ss / (double)n) <= FLAT_REL * scale;
}

/* ---- the transforms ------------------------------------------------------ */

/* r[0..n) = autocorrelations of the centred, non-zero x[0..n). */
static int acf_core(fc_season_ws *ws, const double *x, size_t n, double *r, fc_err *err)
{
	size_t N = next_fast(2 * n);
	fftw_plan fwd, inv;
	int rc = get_plan(ws, PLAN_R2C, N, &fwd, err);
	if (!rc)
		rc = get_plan(ws, PLAN_C2R, N, &inv, err);
	if (rc)
		return rc;
	memcpy(ws->fin, x, n * sizeof *x);
	memset(ws->fin + n, 0, (N - n) * sizeof *ws->fin);
	fftw_execute(fwd);
	for (size_t k = 0; k <= N / 2; k++) {
		double re = ws->fout[k][0], im = ws->fout[k][1];
		ws->fout[k][0] = re * re + im * im;
		ws->fout[k][1] = 0;
	}
	fftw_execute(inv);
	double c0 = ws->fin[0];
	r[0] = 1;
	for (size_t k = 1; k < n; k++)
		r[k] = ws->fin[k] / c0;
	return 0;
}

/* I[j] = |X_j|^2 / n for j = 0..n/2 of x[0..n). */
static int pgram_core(fc_season_ws *ws, const double *x, size_t n, double *I, fc_err *err)
{
	fftw_plan p;
	int rc = get_plan(ws, PLAN_R2C, n, &p, err);
	if (rc)
		return rc;
	memcpy(ws->fin, x, n * sizeof *x);
	fftw_execute(p);
	for (size_t j = 0; j <= n / 2; j++) {
		double re = ws->fout[j][0], im = ws->fout[j][1];
		I[j] = (re * re + im * im) / (double)n;
	}
	return 0;
}

/* ---- public transforms ------------------------------------------------- */

static int check_common(const fc_season_ws *ws, const double *y, size_t n, fc_detrend how,
                        const char *what, fc_err *err)
{
	if (!y && n)
		return fc_err_set(err, FC_EINVAL, "%s: the series is NULL", what);
	if (how != FC_DETREND_MEAN && how != FC_DETREND_LINEAR)
		return fc_err_set(err, FC_EINVAL, "%s: unknown detrending %d", what, (int)how);
	if (ws && n > ws->max_n)
		return fc_err_set(err, FC_EINVAL, "%s: the series has %zu values, the workspace at most %zu",
		                  what, n, ws->max_n);
	if (n > MAX_WS_N)
		return fc_err_set(err, FC_EINVAL, "%s: the series has %zu values, at most %zu are supported",
		                  what, n, MAX_WS_N);
	return 0;
}

int fc_season_acf(fc_season_ws *ws, const double *y, size_t n, fc_detrend how,
                  size_t max_lag, double *acf, size_t *n_used, fc_err *err)
{
	int rc = check_common(ws, y, n, how, "autocorrelation", err);
	if (rc)
		return rc;
	if (!acf)
		return fc_err_set(err, FC_EINVAL, "autocorrelation: the output array is NULL");
	if (max_lag == SIZE_MAX)
		return fc_err_set(err, FC_EINVAL, "autocorrelation: max_lag is out of range");
	if (n == 0)
		return fc_err_set(err, FC_EINPUT, "autocorrelation: the series is empty");
	fc_season_ws *own = NULL;
	if (!ws && !(ws = own = fc_season_ws_alloc(n, err)))
		return err ? err->code : FC_ENOMEM;
	size_t m;
	double scale;
	rc = fill(y, n, ws->x, &m, &scale, err);
	if (rc)
		goto out;
	if (m == 0) {
		rc = fc_err_set(err, FC_EINPUT, "autocorrelation: the series has no observed value");
		goto out;
	}
	if (all_equal(ws->x, m)) {
		rc = fc_err_set(err, FC_EINPUT,
		                "autocorrelation: the series is constant (%zu values), correlations are undefined", m);
		goto out;
	}
	center(ws->x, m, how);
	rc = acf_core(ws, ws->x, m, ws->r, err);
	if (rc)
		goto out;
	for (size_t k = 0; k <= max_lag; k++)
		acf[k] = k < m ? ws->r[k] : NAN;
	if (n_used)
		*n_used = m;
out:
	fc_season_ws_free(own);
	return rc;
}

int fc_acf(const double *y, size_t n, size_t max_lag, double *acf, fc_err *err)
{
	return fc_season_acf(NULL, y, n, FC_DETREND_MEAN, max_lag, acf, NULL, err);
}

int fc_season_periodogram(fc_season_ws *ws, const double *y, size_t n, fc_detrend how,
                          double *pgram, size_t *n_used, fc_err *err)
{
	int rc = check_common(ws, y, n, how, "periodogram", err);
	if (rc)
		return rc;
	if (!pgram && n >= 2)
		return fc_err_set(err, FC_EINVAL, "periodogram: the output array is NULL");
	if (n == 0)
		return fc_err_set(err, FC_EINPUT, "periodogram: the series is empty");
	fc_season_ws *own = NULL;
	if (!ws && !(ws = own = fc_season_ws_alloc(n, err)))
		return err ? err->code : FC_ENOMEM;
	size_t m;
	double scale;
	rc = fill(y, n, ws->x, &m, &scale, err);
	if (rc)
		goto out;
	if (m == 0) {
		rc = fc_err_set(err, FC_EINPUT, "periodogram: the series has no observed value");
		goto out;
	}
	if (all_equal(ws->x, m)) {
		for (size_t j = 1; j <= m / 2; j++)
			pgram[j - 1] = 0;
	} else {
		center(ws->x, m, how);
		rc = pgram_core(ws, ws->x, m, ws->pg, err);
		if (rc)
			goto out;
		memcpy(pgram, ws->pg + 1, m / 2 * sizeof *pgram);
	}
	if (n_used)
		*n_used = m;
out:
	fc_season_ws_free(own);
	return rc;
}

/* ---- detection ------------------------------------------------------------ */

fc_season_opts fc_season_opts_default(void)
{
	fc_season_opts o = { .alpha = 0.01, .discover = 1, .alpha_discover = 0.001 };
	return o;
}

static size_t round_period(double p)
{
	return (size_t)floor(p + 0.5);
}

/* out = centred moving average of in[0..n) over the rounded period p (2 x P
 * for even P); returns the output length n - P + 1 (odd P) or n - P (even),
 * 0 when the series is too short. */
static size_t moving_average(const double *in, size_t n, double p, double *out)
{
	size_t P = round_period(p);
	if (P < 2) {
		memmove(out, in, n * sizeof *in);
		return n;
	}
	if (P % 2) {
		if (n < P)
			return 0;
		size_t len = n - P + 1;
		double s = 0;
		for (size_t k = 0; k < P; k++)
			s += in[k];
		for (size_t i = 0;; i++) {
			out[i] = s / (double)P;
			if (i + 1 == len)
				break;
			s += in[i + P] - in[i];
		}
		return len;
	}
	if (n < P + 1)
		return 0;
	size_t len = n - P;
	double s = 0; /* in[i+1..i+P-1] */
	for (size_t k = 1; k < P; k++)
		s += in[k];
	for (size_t i = 0;; i++) {
		out[i] = (s + 0.5 * (in[i] + in[i + P])) / (double)P;
		if (i + 1 == len)
			break;
		s += in[i + P] - in[i + 1];
	}
	return len;
}

/* z = x less the first q kept periods (moving averages), less its line;
 * returns n_z (0 if too short). */
static size_t build_z(fc_season_ws *ws, size_t n, const double *kept, size_t q)
{
	size_t nz = n;
	memcpy(ws->z, ws->x, n * sizeof *ws->x);
	for (size_t i = 0; i < q && nz > 0; i++) {
		nz = moving_average(ws->z, nz, kept[i], ws->tmp);
		memcpy(ws->z, ws->tmp, nz * sizeof *ws->z);
	}
	if (nz > 0)
		center(ws->z, nz, FC_DETREND_LINEAR);
	return nz;
}

/* Makes ws->r the ACF of x less the first q kept periods unless it already
 * is; *tag = -1 when that series is too short or flat. */
static int acf_of_z(fc_season_ws *ws, size_t n, double scale, const double *kept, size_t q,
                    long *tag, size_t *nz, fc_err *err)
{
	if (*tag == (long)q)
		return 0;
	*tag = -1;
	*nz = build_z(ws, n, kept, q);
	if (*nz < 4 || flat(ws->z, *nz, scale))
		return 0;
	int rc = acf_core(ws, ws->z, *nz, ws->r, err);
	if (!rc)
		*tag = (long)q;
	return rc;
}

/* 1 when bin i is within EXCL_RADIUS of a harmonic k n/p, 1 <= k <= kmax
 * (kmax 0 = any). */
static int near_harmonic(size_t i, size_t n, double p, size_t kmax)
{
	double spacing = (double)n / p;
	double k = floor((double)i / spacing + 0.5);
	if (k < 1)
		k = 1;
	if (kmax && k > (double)kmax)
		k = (double)kmax;
	return fabs((double)i - k * spacing) < EXCL_RADIUS;
}

enum { EXCL_KEPT = 1, EXCL_CAND = 2 };

/* Sets bit in mask[i], 1 <= i <= J, for the bins within EXCL_RADIUS of a
 * harmonic k n/p, 1 <= k <= kmax (0 = any). */
static void mark_harmonics(unsigned char *mask, size_t J, size_t n, double p, size_t kmax,
                           unsigned char bit)
{
	double spacing = (double)n / p;
	for (size_t k = 1; !kmax || k <= kmax; k++) {
		double c = (double)k * spacing;
		if (c - EXCL_RADIUS > (double)J)
			break;
		double lo = ceil(c - EXCL_RADIUS);
		for (size_t i = lo < 1 ? 1 : (size_t)lo; i <= J && (double)i < c + EXCL_RADIUS; i++)
			if (fabs((double)i - c) < EXCL_RADIUS)
				mask[i] |= bit;
	}
}

/* ws->mask over bins 1..J: EXCL_KEPT near every harmonic of the kept
 * periods, EXCL_CAND near the first EXCL_HARMONICS of m (m > 0). */
static void build_mask(fc_season_ws *ws, size_t J, size_t n, const double *kept, size_t q, double m)
{
	memset(ws->mask, 0, J + 1);
	for (size_t i = 0; i < q; i++)
		mark_harmonics(ws->mask, J, n, kept[i], 0, EXCL_KEPT);
	if (m > 0)
		mark_harmonics(ws->mask, J, n, m, EXCL_HARMONICS, EXCL_CAND);
}

/* P(E > s M) for E ~ Exp(1) and M the median of r independent Exp(1):
 * E[exp(-s M)], exact by Renyi's representation of order statistics
 * (X_(k) = sum_{i<=k} E_i / (r - i + 1)); for even r the median is
 * X_(k) + E' / (2 (r - k)), k = r / 2. */
static double median_ratio_pvalue(double s, size_t r)
{
	size_t k = (r + 1) / 2;
	double p = 1;
	for (size_t i = 1; i <= k; i++)
		p *= (double)(r - i + 1) / ((double)(r - i + 1) + s);
	if (r % 2 == 0)
		p *= 2 * (double)(r - k) / (2 * (double)(r - k) + s);
	return p;
}

/* The peak statistic of bin j of I[1..J]: *ratio = ln 2 I[j] / median of
 * the reference bins near j (not masked in ws->mask), *p = its one-bin
 * p-value under locally iid exponential ordinates.  0 when fewer than
 * REF_MIN reference bins exist. */
static int local_ratio(fc_season_ws *ws, const double *I, size_t J, size_t j, double *ratio,
                       double *p)
{
	size_t cnt = 0;
	for (size_t M = REF_HALF_WIDTH; M <= REF_HALF_WIDTH_MAX; M += REF_HALF_WIDTH) {
		cnt = 0;
		size_t lo = j > M ? j - M : 1, hi = j + M < J ? j + M : J;
		for (size_t i = lo; i <= hi; i++)
			if ((i + 1 < j || i > j + 1) && !ws->mask[i])
				ws->ref[cnt++] = I[i];
		if (cnt >= REF_WANT)
			break;
	}
	if (cnt < REF_MIN)
		return 0;
	fc_sort_small(ws->ref, cnt);
	double med = cnt % 2 ? ws->ref[cnt / 2] : 0.5 * (ws->ref[cnt / 2 - 1] + ws->ref[cnt / 2]);
	if (!(med > 0)) {
		if (!(I[j] > 0))
			return 0;
		*ratio = INFINITY;
		*p = 0;
		return 1;
	}
	double s = I[j] / med;
	*ratio = M_LN2 * s;
	*p = median_ratio_pvalue(s, cnt);
	return 1;
}

static int local_max(const double *I, size_t J, size_t j)
{
	return (j <= 1 || I[j] >= I[j - 1]) && (j >= J || I[j] >= I[j + 1]);
}

/* The hill check and Bartlett's bound at lag range [L0, L1] of r[0..nz);
 * 0 when the lags needed do not exist. */
typedef struct acf_test {
	size_t lag;
	double r, bound;
	int hill, significant;
} acf_test;

static int acf_check(const double *r, size_t nz, size_t L0, size_t L1, double zq, acf_test *out)
{
	size_t w = round_period((double)L0 / 4);
	if (w < 1)
		w = 1;
	if (L0 < 2 || L0 <= w || L1 + w >= nz)
		return 0;
	size_t L = r[L1] > r[L0] ? L1 : L0;
	double ss = 0;
	for (size_t k = 1; k < L; k++)
		ss += r[k] * r[k];
	out->lag = L;
	out->r = r[L];
	out->bound = zq * sqrt((1 + 2 * ss) / (double)nz);
	out->hill = r[L] > 0 && r[L] > r[L0 - w] && r[L] > r[L1 + w];
	out->significant = out->hill && r[L] > out->bound;
	return 1;
}

/* Test (b) for candidate m on the whitened periodogram: the smallest
 * p-value over the harmonics' bins that are local maxima, times the number
 * of bins tested (Bonferroni); *ratio is that bin's ratio.  NaN when no
 * bin could be tested. */
static void pgram_test(fc_season_ws *ws, size_t n, double m, const double *kept, size_t n_kept,
                       double *ratio, double *pvalue)
{
	const double *I = ws->pw;
	size_t J = (n - 1) / 2; /* the Nyquist ordinate is chi^2_1: left out */
	build_mask(ws, J, n, kept, n_kept, m);
	size_t T = 0;
	double best_p = NAN, best_ratio = NAN;
	for (size_t k = 1; k <= MAX_HARMONICS && 2 * (double)k < m; k++) {
		double b = (double)k * (double)n / m;
		size_t j0 = (size_t)floor(b), j1 = (size_t)ceil(b);
		if (j0 < 1)
			j0 = 1;
		if (j1 > J)
			j1 = J;
		if (j0 > j1)
			break;
		size_t j = I[j1] > I[j0] ? j1 : j0;
		T += j1 - j0 + 1;
		double q, p;
		if ((ws->mask[j] & EXCL_KEPT) || !local_max(I, J, j) || !local_ratio(ws, I, J, j, &q, &p))
			continue;
		if (isnan(best_p) || p < best_p) {
			best_p = p;
			best_ratio = q;
		}
	}
	*ratio = best_ratio;
	*pvalue = isnan(best_p) ? NAN : fmin(1, (double)T * best_p);
}

/* The lag-1 autocorrelation of x less the per-position means of the given
 * periods (and of m when m > 0), each rounded, skipped when n < 2P. */
static double noise_phi(fc_season_ws *ws, size_t n, const double *kept, size_t q, double m)
{
	double *d = ws->d;
	memcpy(d, ws->x, n * sizeof *d);
	for (size_t i = 0; i <= q; i++) {
		double p = i < q ? kept[i] : m;
		size_t P = round_period(p);
		if (P < 2 || n < 2 * P)
			continue;
		for (size_t k = 0; k < P; k++)
			ws->sums[k] = 0;
		for (size_t t = 0, k = 0; t < n; t++, k = k + 1 == P ? 0 : k + 1)
			ws->sums[k] += d[t];
		for (size_t k = 0; k < P; k++)
			ws->sums[k] /= (double)((n - k + P - 1) / P);
		for (size_t t = 0, k = 0; t < n; t++, k = k + 1 == P ? 0 : k + 1)
			d[t] -= ws->sums[k];
	}
	double s0 = 0, s1 = 0;
	for (size_t t = 0; t < n; t++)
		s0 += d[t] * d[t];
	for (size_t t = 0; t + 1 < n; t++)
		s1 += d[t] * d[t + 1];
	if (!(s0 > 0))
		return 0;
	double phi = s1 / s0;
	return phi > 0.99 ? 0.99 : phi < -0.99 ? -0.99 : phi;
}

/* ws->pw = the periodogram ws->pg of x divided by the spectral shape of an
 * AR(1) with coefficient phi, so that red noise -- persistence, a random
 * walk left after the line -- looks white to the local median
 * (prewhitening: Blackman & Tukey 1958; Priestley, "Spectral Analysis and
 * Time Series", 1981, section 7.4.1). */
static void whiten(fc_season_ws *ws, size_t n, double phi)
{
	size_t J = n / 2;
	for (size_t j = 1; j <= J; j++)
		ws->pw[j] = ws->pg[j] * (1 + phi * phi - 2 * phi * ws->cosw[j]);
}

/* A result with its padding zeroed, so that equal results are equal bytes. */
static fc_season_found make_found(double period, int discovered, const acf_test *a, double ratio,
                                  double pvalue)
{
	fc_season_found f;
	memset(&f, 0, sizeof f);
	f.period = period;
	f.discovered = discovered;
	f.lag = a->lag;
	f.acf = a->r;
	f.acf_bound = a->bound;
	f.pgram_ratio = ratio;
	f.pgram_pvalue = pvalue;
	return f;
}

/* 1 when the largest of I's bins within 2 of the fundamental n/m is one of
 * the two nearest it: the spectrum peaks at m, not at a neighbouring
 * period that would give a similar ACF. */
static int localized(const double *I, size_t n, double m)
{
	size_t J = (n - 1) / 2;
	double b = (double)n / m;
	size_t j0 = (size_t)floor(b), j1 = (size_t)ceil(b);
	if (j0 < 1)
		j0 = 1;
	if (j1 > J)
		j1 = J;
	if (j0 > j1)
		return 0;
	size_t lo = j0 > 2 ? j0 - 2 : 1, hi = j1 + 2 < J ? j1 + 2 : J, best = lo;
	for (size_t j = lo + 1; j <= hi; j++)
		if (I[j] > I[best])
			best = j;
	return best == j0 || best == j1;
}

static int cmp_peak(const void *a, const void *b)
{
	const peak *p = a, *q = b;
	if (p->p != q->p)
		return p->p < q->p ? -1 : 1;
	return p->j < q->j ? -1 : p->j > q->j;
}

static int check_opts(const fc_season_opts *o, fc_err *err)
{
	if (!(o->alpha > 0 && o->alpha < 0.5))
		return fc_err_set(err, FC_EINVAL, "season detection: alpha must be in (0, 0.5), got %g", o->alpha);
	if (!(o->alpha_discover > 0 && o->alpha_discover < 0.5))
		return fc_err_set(err, FC_EINVAL,
		                  "season detection: alpha_discover must be in (0, 0.5), got %g", o->alpha_discover);
	if (o->discover != 0 && o->discover != 1)
		return fc_err_set(err, FC_EINVAL, "season detection: discover must be 0 or 1, got %d", o->discover);
	return 0;
}

/* The detection proper on ws->x[0..n), filled; results into res[0..*nres). */
static int detect(fc_season_ws *ws, size_t n, double scale, const double *cand, size_t nc,
                  const fc_season_opts *o, size_t cap, fc_season_found *res, size_t *nres,
                  fc_err *err)
{
	*nres = 0;
	center(ws->x, n, FC_DETREND_LINEAR);
	if (flat(ws->x, n, scale))
		return 0;
	/* Two lags tested for a non-integer period: Bonferroni. */
	double zq = gsl_cdf_ugaussian_Qinv(o->alpha), zq2 = gsl_cdf_ugaussian_Qinv(o->alpha / 2);
	double kept[MAX_CANDIDATES + 1] = {0};
	size_t q = 0;
	int rc = pgram_core(ws, ws->x, n, ws->pg, err);
	if (rc)
		return rc;
	for (size_t j = 0; j <= n / 2; j++)
		ws->cosw[j] = cos(2 * M_PI * (double)j / (double)n);

	/* Candidates, shortest first.  ws->r holds the ACF of x less the first
	 * r_tag kept periods (-1: nothing), of length r_nz. */
	long r_tag = -1;
	size_t r_nz = 0;
	for (size_t c = 0; c < nc && *nres < cap; c++) {
		double m = cand[c];
		if ((double)n < 2 * m)
			break;
		if ((rc = acf_of_z(ws, n, scale, kept, q, &r_tag, &r_nz, err)))
			return rc;
		acf_test a;
		if (r_tag < 0 || !acf_check(ws->r, r_nz, (size_t)floor(m), (size_t)ceil(m),
		                            floor(m) == m ? zq : zq2, &a) || !a.hill)
			continue;
		double ratio, pv;
		whiten(ws, n, noise_phi(ws, n, kept, q, m));
		pgram_test(ws, n, m, kept, q, &ratio, &pv);
		if (!(a.significant && localized(ws->pw, n, m)) && !(pv < o->alpha))
			continue;
		res[(*nres)++] = make_found(m, 0, &a, ratio, pv);
		kept[q++] = m;
	}

	/* Discovery: periodogram peaks outside the kept harmonics, confirmed by
	 * the ACF. */
	if (o->discover && *nres < cap && n >= MIN_DISCOVER_N) {
		whiten(ws, n, noise_phi(ws, n, kept, q, 0));
		const double *I = ws->pw;
		size_t J = (n - 1) / 2, T = 0, np = 0;
		build_mask(ws, J, n, kept, q, 0);
		for (size_t j = 2; j <= J; j++) {
			if (ws->mask[j])
				continue;
			T++;
			if (!local_max(I, J, j))
				continue;
			double ratio, p;
			if (local_ratio(ws, I, J, j, &ratio, &p))
				ws->peaks[np++] = (peak){ j, ratio, p };
		}
		size_t ns = 0;
		for (size_t i = 0; i < np; i++)
			if ((double)T * ws->peaks[i].p < o->alpha_discover)
				ws->peaks[ns++] = ws->peaks[i];
		qsort(ws->peaks, ns, sizeof *ws->peaks, cmp_peak);
		double found_p[MAX_CANDIDATES + 1];
		size_t nfound = 0;
		for (size_t i = 0; i < ns && *nres < cap && nfound <= MAX_CANDIDATES; i++) {
			size_t j = ws->peaks[i].j;
			int dup = 0;
			for (size_t d = 0; d < nfound && !dup; d++)
				dup = near_harmonic(j, n, found_p[d], 0);
			if (dup)
				continue;
			double P = (double)n / (double)j;
			size_t qs = 0; /* kept periods shorter than P */
			while (qs < q && kept[qs] < P)
				qs++;
			if ((rc = acf_of_z(ws, n, scale, kept, qs, &r_tag, &r_nz, err)))
				return rc;
			if (r_tag < 0)
				continue;
			size_t nz = r_nz;
			size_t lo = (size_t)ceil((double)n / ((double)j + 0.5));
			size_t hi = (size_t)floor((double)n / ((double)j - 0.5));
			if (lo > hi) /* no whole lag within the bin: the nearest */
				lo = hi = round_period(P);
			if (lo < 2)
				lo = 2;
			if (hi > nz / 2)
				hi = nz / 2;
			if (lo > hi)
				continue;
			size_t L = lo;
			for (size_t k = lo + 1; k <= hi; k++)
				if (ws->r[k] > ws->r[L])
					L = k;
			acf_test a;
			if (!acf_check(ws->r, nz, L, L, zq, &a) || !a.significant)
				continue;
			for (size_t d = 0; d < *nres && !dup; d++)
				dup = fabs((double)L - res[d].period) <= 0.05 * res[d].period;
			if (dup)
				continue;
			res[(*nres)++] = make_found((double)L, 1, &a, ws->peaks[i].ratio,
			                            fmin(1, (double)T * ws->peaks[i].p));
			found_p[nfound++] = (double)L;
		}
	}

	/* Shortest first; candidates before discovered on a tie. */
	for (size_t i = 1; i < *nres; i++) {
		fc_season_found v = res[i];
		size_t k = i;
		for (; k > 0 && (res[k - 1].period > v.period ||
		                 (res[k - 1].period == v.period && res[k - 1].discovered > v.discovered)); k--)
			res[k] = res[k - 1];
		res[k] = v;
	}
	return 0;
}

int fc_season_detect(fc_season_ws *ws, const double *y, size_t n,
                     const double *candidates, size_t n_candidates,
                     const fc_season_opts *opts, size_t max_found,
                     fc_season_found *found, size_t *n_found, fc_err *err)
{
	fc_season_opts o = opts ? *opts : fc_season_opts_default();
	int rc = check_common(ws, y, n, FC_DETREND_LINEAR, "season detection", err);
	if (rc)
		return rc;
	if ((rc = check_opts(&o, err)))
		return rc;
	if (!n_found || (!found && max_found))
		return fc_err_set(err, FC_EINVAL, "season detection: an output pointer is NULL");
	if (!candidates && n_candidates)
		return fc_err_set(err, FC_EINVAL, "season detection: the candidate list is NULL");
	if (n_candidates > MAX_CANDIDATES)
		return fc_err_set(err, FC_EINVAL, "season detection: %zu candidate periods, at most %d",
		                  n_candidates, MAX_CANDIDATES);
	/* Candidates: finite, >= 2, sorted, without repeats. */
	double cand[MAX_CANDIDATES];
	size_t nc = 0;
	for (size_t i = 0; i < n_candidates; i++) {
		double m = candidates[i];
		if (!isfinite(m))
			return fc_err_set(err, FC_EINVAL, "season detection: candidate period %zu is not finite", i + 1);
		if (m < 2 || m > (double)MAX_WS_N)
			continue;
		size_t k = nc;
		for (; k > 0 && cand[k - 1] > m; k--)
			cand[k] = cand[k - 1];
		cand[k] = m;
		nc++;
	}
	size_t u = 0;
	for (size_t i = 0; i < nc; i++)
		if (u == 0 || cand[i] != cand[u - 1])
			cand[u++] = cand[i];
	nc = u;
	if (n == 0 || max_found == 0) {
		*n_found = 0;
		return 0;
	}

	fc_season_ws *own = NULL;
	if (!ws && !(ws = own = fc_season_ws_alloc(n, err)))
		return err ? err->code : FC_ENOMEM;
	fc_season_found res[MAX_CANDIDATES * 2 + 2];
	if (max_found > sizeof res / sizeof *res)
		max_found = sizeof res / sizeof *res;
	size_t m, nres = 0;
	double scale;
	rc = fill(y, n, ws->x, &m, &scale, err);
	if (!rc && m >= 4)
		rc = detect(ws, m, scale, cand, nc, &o, max_found, res, &nres, err);
	if (!rc) {
		memcpy(found, res, nres * sizeof *res);
		*n_found = nres;
	}
	fc_season_ws_free(own);
	return rc;
}

int fc_season_contrast(fc_season_ws *ws, const double *y, size_t n, double m,
                       const double *shorter, size_t n_shorter, double *contrast, fc_err *err)
{
	int rc = check_common(ws, y, n, FC_DETREND_LINEAR, "season contrast", err);
	if (rc)
		return rc;
	if (!ws || !contrast || !(m >= 2) || !isfinite(m) || n_shorter > MAX_CANDIDATES ||
	    (n_shorter && !shorter))
		return fc_err_set(err, FC_EINVAL, "season contrast: bad arguments");
	*contrast = NAN;
	size_t nu;
	double scale;
	if ((rc = fill(y, n, ws->x, &nu, &scale, err)) || nu < 4)
		return rc;
	center(ws->x, nu, FC_DETREND_LINEAR);
	if (flat(ws->x, nu, scale))
		return 0;
	long tag = -1;
	size_t nz = 0;
	if ((rc = acf_of_z(ws, nu, scale, shorter, n_shorter, &tag, &nz, err)) || tag < 0)
		return rc;
	size_t L0 = (size_t)floor(m), L1 = (size_t)ceil(m), w = round_period((double)L0 / 4);
	if (w < 1)
		w = 1;
	if (L0 < 2 || L0 <= w || L1 + w >= nz)
		return 0;
	size_t L = ws->r[L1] > ws->r[L0] ? L1 : L0;
	*contrast = ws->r[L] - fmax(ws->r[L0 - w], ws->r[L1 + w]);
	return 0;
}

