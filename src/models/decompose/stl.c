/* STL and MSTL seasonal-trend decomposition by loess, and the seasonal
 * strength statistic.
 *
 * STL: R. B. Cleveland, W. S. Cleveland, J. E. McRae & I. Terpenning (1990),
 * "STL: A Seasonal-Trend Decomposition Procedure Based on Loess", Journal of
 * Official Statistics 6(1):3-73.  With y = S + T + R and period np:
 *
 *   inner loop (ni times):
 *     1. detrend: w = y - T
 *     2. cycle-subseries smoothing: each of the np subseries (values one
 *        period apart) is smoothed by loess of span ns, degree isdeg, and
 *        extrapolated one cycle before and after: C, n + 2 np values
 *     3. low-pass filter of C: moving averages of lengths np, np and 3, then
 *        loess of span nl, degree ildeg: L (n values)
 *     4. S = C[np..np+n) - L
 *     5. deseasonalise and smooth the trend: T = loess(y - S; nt, itdeg)
 *   outer loop (no times): robustness weights rw = B(|y - S - T| / (6 MAD))
 *   with Tukey's bisquare B(u) = (1 - u^2)^2 for |u| < 1, used as extra
 *   weights by the loess of steps 2 and 5 in the next pass.
 *
 * Loess (section 2 of the paper) at a point xs fits a weighted local line
 * (degree 1) or constant (degree 0) over the `len` nearest points with
 * tricube weights (1 - (d/h)^3)^3, h the distance to the farthest of them
 * (plus (len - n)/2 when the span exceeds the series).  A "jump" evaluates
 * loess only at every jump-th point (and the last) and interpolates
 * linearly in between.
 *
 * The numerics follow, step by step, the netlib Fortran that R's stats::stl
 * calls (double-precision version by B. D. Ripley, revised by M. Maechler),
 * so that the components agree with R to rounding: the same window and
 * degree adjustments (spans at least 3 and odd, period at least 2), the
 * same neighbourhoods at the ends, the same order of jumps and
 * interpolation, the same robustness weights (weight 1 below 0.001 * 6 MAD,
 * 0 above 0.999 * 6 MAD, with the "median" that the Fortran's partial sort
 * leaves in the two middle places -- for an even length not always the
 * true median, see psort() -- which robust fits must copy to match R).
 * The R-level defaults (t.window, l.window, jumps, inner, outer,
 * "periodic") are those of R 4.2's stl().  Cost: O(n * span / jump) per
 * smoother; about 1.1 ms of one core for MSTL (7, 365) of 1,095 values.
 *
 * MSTL: K. Bandara, R. J. Hyndman & C. Bergmeir (2021), "MSTL: A
 * Seasonal-Trend Decomposition Algorithm for Time Series with Multiple
 * Seasonal Patterns", arXiv:2107.13462; as R's forecast::mstl (8.20) does
 * it: STL for each period in ascending order on the series less the other
 * seasonal components, `iterate` passes, the trend of the last STL.
 *
 * Omissions: R's mstl Box-Cox option (lambda), its supsmu trend for a
 * non-seasonal series, and its na.interp() filling of gaps (we interpolate
 * linearly; see decompose.h).  For "periodic" with a fractional period, the
 * cycle position of index t is t mod floor(period) (R's cycle() of a ts of
 * fractional frequency is not meaningful there). */
#include "forecast/decompose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- loess ---------------------------------------------------------------
 * Indices below are 1-based positions as in the paper and the Fortran; the
 * arrays are 0-based, so position j is element j - 1. */

/* Loess estimate at abscissa xs from positions nleft..nright of y[1..n],
 * span len, degree ideg (0 or 1), optional robustness weights rw.  w is
 * scratch (n values).  Returns 0 (and leaves *ys) when every weight is 0. */
static int loess_est(const double *y, long n, long len, int ideg, double xs, double *ys,
                     long nleft, long nright, double *w, int userw, const double *rw)
{
	double range = (double)n - 1.0;
	double h = fmax(xs - (double)nleft, (double)nright - xs);
	if (len > n)
		h += (double)((len - n) / 2);
	double h9 = 0.999 * h, h1 = 0.001 * h;
	double a = 0;
	for (long j = nleft; j <= nright; j++) {
		double r = fabs((double)j - xs);
		double wj = 0;
		if (r <= h9) {
			if (r <= h1) {
				wj = 1;
			} else {
				double u = r / h, v = 1 - u * u * u;
				wj = v * v * v;
			}
			if (userw)
				wj = rw[j - 1] * wj;
			a += wj;
		}
		w[j - 1] = wj;
	}
	if (a <= 0)
		return 0;
	/* The passes of the Fortran, fused where the order of the floating
	 * point operations stays the same (so the results are bit-identical). */
	if (h > 0 && ideg > 0) {
		/* Local line: weights times (1 + b (j - centre)). */
		double sum = a;
		a = 0;
		for (long j = nleft; j <= nright; j++) {
			w[j - 1] /= sum;
			a += w[j - 1] * (double)j;
		}
		double b = xs - a, c = 0;
		for (long j = nleft; j <= nright; j++) {
			double d = (double)j - a;
			c += w[j - 1] * d * d;
		}
		if (sqrt(c) > 0.001 * range) {
			b /= c;
			double s = 0;
			for (long j = nleft; j <= nright; j++)
				s += w[j - 1] * (b * ((double)j - a) + 1.0) * y[j - 1];
			*ys = s;
			return 1;
		}
	} else {
		for (long j = nleft; j <= nright; j++)
			w[j - 1] /= a;
	}
	double s = 0;
	for (long j = nleft; j <= nright; j++)
		s += w[j - 1] * y[j - 1];
	*ys = s;
	return 1;
}

/* Loess smooth of y[1..n] into ys[1..n], evaluated every njump points
 * and linearly interpolated between them; res is scratch (n values). */
static void loess_smooth(const double *y, long n, long len, int ideg, long njump,
                         int userw, const double *rw, double *ys, double *res)
{
	if (n < 2) {
		ys[0] = y[0];
		return;
	}
	long newnj = njump < n - 1 ? njump : n - 1;
	long nleft = 1, nright = n;
	if (len >= n) {
		nleft = 1;
		nright = n;
		for (long i = 1; i <= n; i += newnj)
			if (!loess_est(y, n, len, ideg, (double)i, &ys[i - 1], nleft, nright, res, userw, rw))
				ys[i - 1] = y[i - 1];
	} else if (newnj == 1) {
		long nsh = (len + 1) / 2;
		nleft = 1;
		nright = len;
		for (long i = 1; i <= n; i++) {
			if (i > nsh && nright != n) {
				nleft++;
				nright++;
			}
			if (!loess_est(y, n, len, ideg, (double)i, &ys[i - 1], nleft, nright, res, userw, rw))
				ys[i - 1] = y[i - 1];
		}
	} else {
		long nsh = (len + 1) / 2;
		for (long i = 1; i <= n; i += newnj) {
			if (i < nsh) {
				nleft = 1;
				nright = len;
			} else if (i >= n - nsh + 1) {
				nleft = n - len + 1;
				nright = n;
			} else {
				nleft = i - nsh + 1;
				nright = len + i - nsh;
			}
			if (!loess_est(y, n, len, ideg, (double)i, &ys[i - 1], nleft, nright, res, userw, rw))
				ys[i - 1] = y[i - 1];
		}
	}
	if (newnj != 1) {
		for (long i = 1; i <= n - newnj; i += newnj) {
			double delta = (ys[i + newnj - 1] - ys[i - 1]) / (double)newnj;
			for (long j = i + 1; j <= i + newnj - 1; j++)
				ys[j - 1] = ys[i - 1] + delta * (double)(j - i);
		}
		long k = ((n - 1) / newnj) * newnj + 1;
		if (k != n) {
			/* The last point, with the neighbourhood of the last
			 * evaluated one (as the Fortran does). */
			if (!loess_est(y, n, len, ideg, (double)n, &ys[n - 1], nleft, nright, res, userw, rw))
				ys[n - 1] = y[n - 1];
			if (k != n - 1) {
				double delta = (ys[n - 1] - ys[k - 1]) / (double)(n - k);
				for (long j = k + 1; j <= n - 1; j++)
					ys[j - 1] = ys[k - 1] + delta * (double)(j - k);
			}
		}
	}
}

/* ---- the STL passes ------------------------------------------------------ */

/* Moving average of length len over x[0..n): n - len + 1 values. */
static void moving_average(const double *x, long n, long len, double *ave)
{
	double flen = (double)len, v = 0;
	for (long i = 0; i < len; i++)
		v += x[i];
	ave[0] = v / flen;
	long newn = n - len + 1;
	for (long j = 1, k = len, m = 0; j < newn; j++, k++, m++) {
		v = v - x[m] + x[k];
		ave[j] = v / flen;
	}
}

/* Step 2: smooths each cycle-subseries of y[0..n) and extends it by one
 * value at each end; season gets n + 2 np values.  w1..w4 are scratch of
 * n / np + 3 values at least. */
static void cycle_subseries(const double *y, long n, long np, long ns, int isdeg, long nsjump,
                            int userw, const double *rw, double *season,
                            double *w1, double *w2, double *w3, double *w4)
{
	for (long j = 1; j <= np; j++) {
		long k = (n - j) / np + 1;
		for (long i = 1; i <= k; i++)
			w1[i - 1] = y[(i - 1) * np + j - 1];
		if (userw)
			for (long i = 1; i <= k; i++)
				w3[i - 1] = rw[(i - 1) * np + j - 1];
		loess_smooth(w1, k, ns, isdeg, nsjump, userw, w3, w2 + 1, w4);
		long nright = ns < k ? ns : k;
		if (!loess_est(w1, k, ns, isdeg, 0.0, &w2[0], 1, nright, w4, userw, w3))
			w2[0] = w2[1];
		long nleft = k - ns + 1 > 1 ? k - ns + 1 : 1;
		if (!loess_est(w1, k, ns, isdeg, (double)(k + 1), &w2[k + 1], nleft, k, w4, userw, w3))
			w2[k + 1] = w2[k];
		for (long m = 1; m <= k + 2; m++)
			season[(m - 1) * np + j - 1] = w2[m - 1];
	}
}

typedef struct stl_spec {
	long np, ns, nt, nl;  /* already adjusted: odd, >= 3; np >= 2 */
	int isdeg, itdeg, ildeg;
	long nsjump, ntjump, nljump;
	long ni, no;
} stl_spec;

/* The inner loop (ni passes) given robustness weights rw (when userw).
 * work holds 5 columns of n + 2 np values. */
static void stl_inner(const double *y, long n, const stl_spec *s, int userw, const double *rw,
                      double *season, double *trend, double *work)
{
	long np = s->np, ld = n + 2 * np;
	double *c1 = work, *c2 = work + ld, *c3 = work + 2 * ld, *c4 = work + 3 * ld,
	       *c5 = work + 4 * ld;
	for (long pass = 0; pass < s->ni; pass++) {
		for (long i = 0; i < n; i++)
			c1[i] = y[i] - trend[i];
		/* season serves as scratch for the loess weights here. */
		cycle_subseries(c1, n, np, s->ns, s->isdeg, s->nsjump, userw, rw, c2, c3, c4, c5, season);
		/* Low-pass: MA(np), MA(np), MA(3) of n + 2 np values give n. */
		moving_average(c2, ld, np, c3);
		moving_average(c3, ld - np + 1, np, c1);
		moving_average(c1, ld - 2 * np + 2, 3, c3);
		loess_smooth(c3, n, s->nl, s->ildeg, s->nljump, 0, c4, c1, c5);
		for (long i = 0; i < n; i++)
			season[i] = c2[np + i] - c1[i];
		for (long i = 0; i < n; i++)
			c1[i] = y[i] - season[i];
		loess_smooth(c1, n, s->nt, s->itdeg, s->ntjump, userw, rw, trend, c3);
	}
}

/* Partial sort of a[1..n] that puts the order statistics of ranks
 * ind[1..ni] in place: Singleton's quicksort variant (CACM algorithm 347)
 * as in the Fortran's psort, which R calls with ind = (n/2 + 1, n - n/2):
 * a descending pair for even n, which that algorithm does not expect, so
 * that the second "order statistic" is not always the true one.  We follow
 * it step by step so that the robustness weights, and hence the robust
 * components, are R's.  Arrays are 1-based here (a[0] unused). */
static void psort(double *a, long n, const long *ind, long ni)
{
	long indu[17], indl[17], iu[17], il[17];
	long p, jl, ju, i, j, m, k, ij, l;
	double t, tt;

	if (n < 2 || ni <= 0)
		return;
	jl = 1;
	ju = ni;
	indl[1] = 1;
	indu[1] = ni;
	i = 1;
	j = n;
	m = 1;
outer:
	if (i < j)
		goto partition;
pop:
	m--;
	if (m == 0)
		return;
	i = il[m];
	j = iu[m];
	jl = indl[m];
	ju = indu[m];
	if (!(jl <= ju))
		goto pop;
loop:
	if (!(j - i > 10))
		goto small;
partition:
	k = i;
	ij = (i + j) / 2;
	t = a[ij];
	if (a[i] > t) {
		a[ij] = a[i];
		a[i] = t;
		t = a[ij];
	}
	l = j;
	if (a[j] < t) {
		a[ij] = a[j];
		a[j] = t;
		t = a[ij];
		if (a[i] > t) {
			a[ij] = a[i];
			a[i] = t;
			t = a[ij];
		}
	}
	for (;;) {
		l--;
		if (a[l] <= t) {
			tt = a[l];
			do
				k++;
			while (!(a[k] >= t));
			if (k > l)
				break;
			a[l] = a[k];
			a[k] = tt;
		}
	}
	indl[m] = jl;
	indu[m] = ju;
	p = m;
	m++;
	if (l - i <= j - k) {
		il[p] = k;
		iu[p] = j;
		j = l;
		for (;;) {
			if (jl > ju)
				goto pop;
			if (ind[ju] > j)
				ju--;
			else
				break;
		}
		indl[p] = ju + 1;
	} else {
		il[p] = i;
		iu[p] = l;
		i = k;
		for (;;) {
			if (jl > ju)
				goto pop;
			if (ind[jl] < i)
				jl++;
			else
				break;
		}
		indu[p] = jl - 1;
	}
	goto loop;
small:
	if (i != 1) {
		/* Straight insertion; a[i - 1] is a sentinel. */
		i--;
		for (;;) {
			i++;
			if (i == j)
				goto pop;
			t = a[i + 1];
			if (a[i] > t) {
				k = i;
				do {
					a[k + 1] = a[k];
					k--;
				} while (!(t >= a[k]));
				a[k + 1] = t;
			}
		}
	}
	goto outer;
}

/* Robustness weights from the residuals of fit: bisquare of |r| / (6 MAD),
 * the MAD from the two middle order statistics of |r| as psort leaves them. */
static void robustness_weights(const double *y, long n, const double *fit, double *rw)
{
	for (long i = 0; i < n; i++)
		rw[i] = fabs(y[i] - fit[i]);
	long mid[3];
	mid[1] = n / 2 + 1;
	mid[2] = n - mid[1] + 1;
	psort(rw - 1, n, mid, 2);
	double cmad = 3.0 * (rw[mid[1] - 1] + rw[mid[2] - 1]); /* 6 MAD */
	double c9 = 0.999 * cmad, c1 = 0.001 * cmad;
	for (long i = 0; i < n; i++) {
		double r = fabs(y[i] - fit[i]);
		if (r <= c1) {
			rw[i] = 1;
		} else if (r <= c9) {
			double u = r / cmad, v = 1 - u * u;
			rw[i] = v * v;
		} else {
			rw[i] = 0;
		}
	}
}

/* ---- parameters ------------------------------------------------------------ */

fc_stl_params fc_stl_default_params(void)
{
	fc_stl_params p;
	memset(&p, 0, sizeof p);
	p.s_window = 0;
	p.s_degree = 0;
	p.t_degree = 1;
	p.l_degree = -1;
	p.robust = 0;
	p.inner = -1;
	p.outer = -1;
	return p;
}

/* R's nextodd(): round half to even, then up to odd. */
static long nextodd(double x)
{
	long v = (long)nearbyint(x);
	if (v % 2 == 0)
		v++;
	return v;
}

/* Largest window or jump we accept; far beyond any series we can hold and
 * small enough that window arithmetic cannot overflow. */
#define MAX_SPAN (1L << 40)

/* Resolves the R-level defaults and the Fortran's adjustments. */
static int resolve(const fc_stl_params *p, size_t n, double period, stl_spec *s, int *periodic,
                   fc_err *err)
{
	if (!(period >= 2) || !isfinite(period))
		return fc_err_set(err, FC_EINVAL, "stl: the seasonal period must be at least 2, got %g",
		                  period);
	if (!((double)n > 2 * period))
		return fc_err_set(err, FC_EINVAL,
		                  "stl: the series has less than two periods (n = %zu, period %g): "
		                  "it needs more than %g values", n, period, 2 * period);
	if (n > (size_t)MAX_SPAN / 16)
		return fc_err_set(err, FC_EINVAL, "stl: series of %zu values is too long", n);
	if (p->s_window == 0)
		return fc_err_set(err, FC_EINVAL,
		                  "stl: s_window is required (a span of at least 3 cycles, or periodic)");
	if (p->s_window != FC_STL_PERIODIC && (p->s_window < 0 || p->s_window > MAX_SPAN))
		return fc_err_set(err, FC_EINVAL, "stl: s_window must be a positive span or periodic, got %ld",
		                  p->s_window);
	if (p->t_window < 0 || p->t_window > MAX_SPAN || p->l_window < 0 || p->l_window > MAX_SPAN)
		return fc_err_set(err, FC_EINVAL, "stl: t_window and l_window must be positive (0 = default)");
	if (p->s_jump < 0 || p->t_jump < 0 || p->l_jump < 0 ||
	    p->s_jump > MAX_SPAN || p->t_jump > MAX_SPAN || p->l_jump > MAX_SPAN)
		return fc_err_set(err, FC_EINVAL, "stl: jumps must be positive (0 = default)");
	if ((p->s_degree != 0 && p->s_degree != 1) || (p->t_degree != 0 && p->t_degree != 1) ||
	    (p->l_degree != -1 && p->l_degree != 0 && p->l_degree != 1))
		return fc_err_set(err, FC_EINVAL, "stl: degrees must be 0 or 1");
	if (p->inner == 0 || p->inner < -1 || p->inner > 1000 || p->outer < -1 || p->outer > 1000)
		return fc_err_set(err, FC_EINVAL,
		                  "stl: inner must be 1 to 1000 and outer 0 to 1000 (-1 = default)");

	*periodic = p->s_window == FC_STL_PERIODIC;
	long s_window = *periodic ? 10 * (long)n + 1 : p->s_window;
	int s_degree = *periodic ? 0 : p->s_degree;
	long t_window = p->t_window ? p->t_window
	                            : nextodd(ceil(1.5 * period / (1 - 1.5 / (double)s_window)));
	long l_window = p->l_window ? p->l_window : nextodd(period);
	s->isdeg = s_degree;
	s->itdeg = p->t_degree;
	s->ildeg = p->l_degree == -1 ? p->t_degree : p->l_degree;
	s->nsjump = p->s_jump ? p->s_jump : (long)ceil((double)s_window / 10);
	s->ntjump = p->t_jump ? p->t_jump : (long)ceil((double)t_window / 10);
	s->nljump = p->l_jump ? p->l_jump : (long)ceil((double)l_window / 10);
	if (s->nsjump < 1 || s->ntjump < 1 || s->nljump < 1)
		return fc_err_set(err, FC_EINVAL, "stl: a default jump is not positive (window below 1)");
	s->ni = p->inner >= 0 ? p->inner : (p->robust ? 1 : 2);
	s->no = p->outer >= 0 ? p->outer : (p->robust ? 15 : 0);
	/* The Fortran's adjustments: spans odd and >= 3, period >= 2. */
	s->ns = s_window < 3 ? 3 : s_window;
	s->nt = t_window < 3 ? 3 : t_window;
	s->nl = l_window < 3 ? 3 : l_window;
	if (s->ns % 2 == 0)
		s->ns++;
	if (s->nt % 2 == 0)
		s->nt++;
	if (s->nl % 2 == 0)
		s->nl++;
	s->np = (long)period; /* as.integer(): truncation */
	if (s->np < 2)
		s->np = 2;
	return 0;
}

/* STL with resolved parameters; work has 5 (n + 2 np) doubles, rw n. */
static void stl_run(const double *y, long n, const stl_spec *s, int periodic, double *season,
                    double *trend, double *rw, double *work)
{
	for (long i = 0; i < n; i++)
		trend[i] = 0;
	int userw = 0;
	for (long k = 0;;) {
		stl_inner(y, n, s, userw, rw, season, trend, work);
		if (++k > s->no)
			break;
		for (long i = 0; i < n; i++)
			work[i] = trend[i] + season[i];
		robustness_weights(y, n, work, rw);
		userw = 1;
	}
	if (s->no <= 0)
		for (long i = 0; i < n; i++)
			rw[i] = 1;
	if (periodic) {
		/* Mean of each cycle position (R: tapply(seasonal, cycle, mean)). */
		long np = s->np;
		for (long j = 0; j < np && j < n; j++) {
			double sum = 0;
			long cnt = 0;
			for (long i = j; i < n; i += np) {
				sum += season[i];
				cnt++;
			}
			double mean = sum / (double)cnt;
			for (long i = j; i < n; i += np)
				season[i] = mean;
		}
	}
}

static size_t work_size(size_t n, long np)
{
	return 5 * (n + 2 * (size_t)np);
}

int fc_stl(const double *y, size_t n, double period, const fc_stl_params *p,
           double *seasonal, double *trend, double *remainder, double *weights,
           fc_err *err)
{
	if (!y || !p || !seasonal || !trend || !remainder)
		return fc_err_set(err, FC_EINVAL, "stl: missing argument");
	stl_spec s;
	int periodic, rc;
	if ((rc = resolve(p, n, period, &s, &periodic, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return fc_err_set(err, FC_EINVAL, "stl: value %zu is %s; fill missing values first",
			                  i + 1, isnan(y[i]) ? "missing" : "infinite");
	double *work = malloc(work_size(n, s.np) * sizeof *work);
	double *rw = weights ? weights : malloc(n * sizeof *rw);
	if (!work || !rw) {
		free(work);
		if (!weights)
			free(rw);
		return fc_err_set(err, FC_ENOMEM, "stl: out of memory");
	}
	stl_run(y, (long)n, &s, periodic, seasonal, trend, rw, work);
	for (size_t i = 0; i < n; i++)
		remainder[i] = y[i] - seasonal[i] - trend[i];
	free(work);
	if (!weights)
		free(rw);
	return 0;
}

/* ---- MSTL ------------------------------------------------------------------ */

fc_mstl_params fc_mstl_default_params(void)
{
	fc_mstl_params p;
	memset(&p, 0, sizeof p);
	p.iterate = 0;
	p.stl = fc_stl_default_params();
	return p;
}

void fc_mstl_dispose(fc_mstl_result *r)
{
	if (!r)
		return;
	free(r->trend);
	for (size_t i = 0; i < FC_MAX_SEASONS; i++)
		free(r->seasonal[i]);
	free(r->remainder);
	free(r->adjusted);
	memset(r, 0, sizeof *r);
}

/* Linear interpolation of the NaN in x[0..n), constant beyond the first
 * and last observations (R's approx(rule = 2)).  0, or -1 when all are NaN. */
static int fill_linear(double *x, size_t n)
{
	size_t first = n, last = n;
	for (size_t i = 0; i < n; i++) {
		if (!isnan(x[i])) {
			if (first == n)
				first = i;
			last = i;
		}
	}
	if (first == n)
		return -1;
	for (size_t i = 0; i < first; i++)
		x[i] = x[first];
	for (size_t i = last + 1; i < n; i++)
		x[i] = x[last];
	size_t prev = first;
	for (size_t i = first + 1; i <= last; i++) {
		if (isnan(x[i]))
			continue;
		for (size_t j = prev + 1; j < i; j++)
			x[j] = x[prev] + (x[i] - x[prev]) * (double)(j - prev) / (double)(i - prev);
		prev = i;
	}
	return 0;
}

int fc_mstl(const double *y, size_t n, const double *periods, size_t n_periods,
            const fc_mstl_params *p, fc_mstl_result *out, fc_err *err)
{
	if (!out)
		return fc_err_set(err, FC_EINVAL, "mstl: no result given");
	memset(out, 0, sizeof *out);
	if (!y || !p || (n_periods && !periods))
		return fc_err_set(err, FC_EINVAL, "mstl: missing argument");
	if (n_periods == 0)
		return fc_err_set(err, FC_EINVAL, "mstl: no seasonal period given");
	if (n_periods > FC_MAX_SEASONS)
		return fc_err_set(err, FC_EINVAL, "mstl: at most %d seasonal periods, got %zu",
		                  FC_MAX_SEASONS, n_periods);
	if (p->iterate < 0 || p->iterate > 100)
		return fc_err_set(err, FC_EINVAL, "mstl: iterate must be 1 to 100 (0 = default), got %d",
		                  p->iterate);

	/* Sort ascending, keeping each period's s_window by rank afterwards
	 * (R indexes s.window by the rank of the sorted, kept periods). */
	double sorted[FC_MAX_SEASONS];
	for (size_t i = 0; i < n_periods; i++) {
		if (!(periods[i] >= 2) || !isfinite(periods[i]))
			return fc_err_set(err, FC_EINVAL, "mstl: seasonal period %g is not at least 2",
			                  periods[i]);
		size_t j = i;
		for (; j > 0 && sorted[j - 1] > periods[i]; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = periods[i];
	}
	size_t kept = 0;
	for (size_t i = 0; i < n_periods; i++) {
		/* A single period is a ts in R: never dropped (stl rejects it). */
		if (n_periods == 1 || sorted[i] < (double)n / 2)
			out->periods[kept++] = sorted[i];
	}
	out->n_dropped = n_periods - kept;
	if (kept == 0)
		return fc_err_set(err, FC_EINVAL,
		                  "mstl: no seasonal period has more than two full cycles in %zu values", n);
	out->n_periods = kept;
	out->n = n;
	int iterate = p->iterate ? p->iterate : (n_periods > 1 ? 2 : 1);

	int rc = 0;
	stl_spec specs[FC_MAX_SEASONS];
	int periodic[FC_MAX_SEASONS];
	double *x = NULL, *rw = NULL, *work = NULL;
	long max_np = 2;
	for (size_t i = 0; i < kept; i++) {
		fc_stl_params sp = p->stl;
		sp.s_window = p->s_window[i] ? p->s_window[i] : 7 + 4 * (long)(i + 1);
		if ((rc = resolve(&sp, n, out->periods[i], &specs[i], &periodic[i], err)))
			goto out;
		if (specs[i].np > max_np)
			max_np = specs[i].np;
	}

	x = malloc(n * sizeof *x);
	rw = malloc(n * sizeof *rw);
	work = malloc(work_size(n, max_np) * sizeof *work);
	out->trend = malloc(n * sizeof *out->trend);
	out->remainder = malloc(n * sizeof *out->remainder);
	out->adjusted = malloc(n * sizeof *out->adjusted);
	int nomem = !x || !rw || !work || !out->trend || !out->remainder || !out->adjusted;
	for (size_t i = 0; i < kept; i++)
		if (!(out->seasonal[i] = calloc(n, sizeof(double))))
			nomem = 1;
	if (nomem) {
		rc = fc_err_set(err, FC_ENOMEM, "mstl: out of memory");
		goto out;
	}
	memcpy(x, y, n * sizeof *x);
	if (fill_linear(x, n)) {
		rc = fc_err_set(err, FC_EINVAL, "mstl: every value of the series is missing");
		goto out;
	}
	/* x becomes the deseasonalised series, updated in the same order of
	 * operations as R (add the old seasonal back, subtract the new). */
	double *season = out->remainder; /* scratch until the end */
	for (int it = 0; it < iterate; it++) {
		for (size_t i = 0; i < kept; i++) {
			double *s_i = out->seasonal[i];
			for (size_t t = 0; t < n; t++)
				x[t] = x[t] + s_i[t];
			stl_run(x, (long)n, &specs[i], periodic[i], season, out->trend, rw, work);
			for (size_t t = 0; t < n; t++) {
				s_i[t] = season[t];
				x[t] = x[t] - s_i[t];
			}
		}
	}
	for (size_t t = 0; t < n; t++) {
		if (isnan(y[t])) {
			out->remainder[t] = NAN;
			out->adjusted[t] = NAN;
		} else {
			out->remainder[t] = x[t] - out->trend[t];
			out->adjusted[t] = out->trend[t] + out->remainder[t];
		}
	}
out:
	free(x);
	free(rw);
	free(work);
	if (rc)
		fc_mstl_dispose(out);
	return rc;
}

/* ---- seasonal strength ------------------------------------------------------ */

/* Variances by the two-pass formula; their common n - 1 cancels. */
double fc_seasonal_strength(const double *seasonal, const double *remainder, size_t n)
{
	if (!seasonal || !remainder)
		return 0;
	double sum_r = 0, sum_sr = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(seasonal[i]) || isnan(remainder[i]))
			continue;
		sum_r += remainder[i];
		sum_sr += remainder[i] + seasonal[i];
		k++;
	}
	if (k < 2)
		return 0;
	double mean_r = sum_r / (double)k, mean_sr = sum_sr / (double)k;
	double ss_r = 0, ss_sr = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(seasonal[i]) || isnan(remainder[i]))
			continue;
		double d = remainder[i] - mean_r, e = remainder[i] + seasonal[i] - mean_sr;
		ss_r += d * d;
		ss_sr += e * e;
	}
	if (!(ss_sr > 0))
		return 0;
	double f = 1 - ss_r / ss_sr;
	return f < 0 ? 0 : (f > 1 ? 1 : f);
}
