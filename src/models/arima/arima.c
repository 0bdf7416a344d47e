/* Exact maximum-likelihood estimation and forecasting of one seasonal
 * ARIMA(p,d,q)(P,D,Q)m model with an optional mean or drift, as R's
 * stats::arima (R 4.2) fits it when forecast::Arima calls it.
 *
 * Model: phi(B) Phi(B^m) (1-B)^d (1-B^m)^D (y_t - x_t' beta) = theta(B) Theta(B^m) e_t,
 * with x_t an intercept (d + D = 0) and/or the drift regressor t = 1..n,
 * then any external regressors (regression with ARIMA errors).
 *
 * State space (Harvey 1989, "Forecasting, structural time series models and
 * the Kalman filter", sec. 3.4; R's makeARIMA): with the expanded AR and MA
 * polynomials of lengths p' = p + mP, q' = q + mQ, r = max(p', q' + 1), the
 * state holds r stationary ARMA states and d + Dm differencing states whose
 * prior is diffuse (variance kappa = 1e6).  The stationary part starts from
 * its unconditional covariance Q0, the solution of Q0 = T Q0 T' + R R'
 * (Gardner, Harvey & Phillips 1980, "Algorithm AS 154", Applied Statistics
 * 29:311-322).  R computes Q0 by the AS 154 recursions; we solve the same
 * discrete Lyapunov equation by the doubling algorithm (Anderson & Moore
 * 1979, "Optimal Filtering", sec. 6.7): S <- S + A S A', A <- A A, which
 * gives the same matrix to rounding for stationary models.
 *
 * Likelihood (R's ARIMA_Like): the Kalman filter runs over every value;
 * a missing value is a prediction-only step.  Observations whose
 * prediction variance F_t is 1e4 or more (those still dominated by the
 * diffuse prior: the first d + Dm) are left out of
 * -log L = n/2 log(sum v_t^2 / F_t / nu) + 1/2 sum log F_t + const.
 *
 * Estimation (R's method "CSS-ML"): conditional sum of squares first
 * (residuals of the differenced series from t = d + Dm + p + mP on, earlier
 * innovations zero), which gives starting values; then exact ML from
 * there.  The AR parts are optimized on the partial-autocorrelation scale
 * (Jones 1980, "Maximum likelihood fitting of ARMA models to time series
 * with missing observations", Technometrics 22:389-395; Monahan 1984,
 * Biometrika 71:403-404): tanh maps the reals to (-1, 1) and the
 * Durbin-Levinson recursion maps those PACFs to a stationary polynomial.
 * MA parts are not constrained; a non-invertible MA estimate is replaced
 * by its invertible twin (roots inside the unit circle reflected) as R does.
 * Series with missing values skip CSS (R's switch to "ML").
 *
 * Optimizer: R's optim(method = "BFGS") -- the variable-metric method of
 * Nash (1990, "Compact Numerical Methods for Computers", Algorithm 21) with
 * central-difference gradients (step 1e-3 on the parscale'd parameters),
 * relative tolerance sqrt(DBL_EPSILON) and at most 100 iterations,
 * parscale 1 for ARMA coefficients and 10 standard errors for the
 * regression coefficients (from least squares on the differenced data).
 * GSL's vector_bfgs2 was not used: these objectives are flat and R's
 * optimizer stops early, so reproducing R's estimates to 1e-3 needs R's
 * line search, stopping rule and gradient steps.
 *
 * Speed without changing R's numbers: for series without missing values
 * the likelihood is computed by the Chandrasekhar recursions (fast_like):
 * the same filter, prior and rules in O(r + d + Dm) per value instead of
 * O((r + d + Dm)^2), with the first column of Q0 from the ARMA
 * autocovariances instead of the whole matrix (stationary_col).  The full
 * filter (kalman_like) runs once per fit for the final state and the
 * standardized residuals, and for series with gaps; it skips the zero
 * coefficients of the differencing polynomial and switches to mean-only
 * updates once it reaches its steady state.  The conditional sum of
 * squares loops over the nonzero coefficients only.
 *
 * Forecasts (R's KalmanForecast): the state is propagated without updates;
 * the variance of step h is Z P_h Z' times sigma2, where sigma2 is
 * forecast::Arima's sum(standardized residuals^2) / (nstar - npar + 1).
 *
 * Departures and omissions: Q0 by doubling instead of AS 154 (see above).
 * Near the stationarity boundary R's AS 154 matrix is inaccurate and the
 * likelihoods differ: at R's estimate of ARIMA(1,1,1)(1,0,2)[12] with drift
 * for M3 N1801 (sar1 = 0.993) our log-likelihood is -918.5479977834, equal
 * to R's with SSinit = "Rossignol2011" (its exact alternative) to all 10
 * digits, while R's default Gardner1980 gives -918.5140150450;
 * regressors that are collinear after differencing are an error (R's lm
 * leaves their coefficient NA and its optimizer fails later).  Several
 * free regressors are rotated by their SVD before optimizing, as R does
 * (GSL's singular vectors may differ from LAPACK's in sign, which the
 * optimizer's steps do not notice).  The Hessian of
 * R's optim (for forecast's test of NaN standard errors) is computed on
 * request only (fc_arima_se_check), by the same finite differences. */
#include "models/arima/arima.h"
#include "forecast/budget.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_poly.h>

#define KAPPA 1.0e6
#define GAIN_MAX 1.0e4
#define BFGS_MAXIT 100
#define NDEPS 1.0e-3

/* ---- polynomials --------------------------------------------------------- */

/* Moduli of the roots of 1 + c[0] z + ... + c[k-1] z^k into mod[0..k-1]
 * (roots into z when not NULL).  -1 when GSL fails. */
static int poly_roots(const double *c, size_t k, double *mod, double complex *z)
{
	double a[2 * FC_ARIMA_MAX_COEF + 256];
	double zz[2 * (sizeof a / sizeof a[0])];
	if (k + 1 > sizeof a / sizeof a[0])
		return -1;
	a[0] = 1;
	for (size_t i = 0; i < k; i++)
		a[i + 1] = c[i];
	gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(k + 1);
	if (!w)
		return -1;
	int rc = gsl_poly_complex_solve(a, k + 1, w, zz);
	gsl_poly_complex_workspace_free(w);
	if (rc)
		return -1;
	for (size_t i = 0; i < k; i++) {
		mod[i] = hypot(zz[2 * i], zz[2 * i + 1]);
		if (z)
			z[i] = zz[2 * i] + I * zz[2 * i + 1];
	}
	return 0;
}

/* R's arCheck: every root of 1 - ar_1 z - ... outside the unit circle. */
static int ar_check(const double *ar, size_t p)
{
	size_t k = 0;
	for (size_t i = 0; i < p; i++)
		if (ar[i] != 0)
			k = i + 1;
	if (k == 0)
		return 1;
	double c[FC_ARIMA_MAX_COEF], mod[FC_ARIMA_MAX_COEF];
	for (size_t i = 0; i < k; i++)
		c[i] = -ar[i];
	if (poly_roots(c, k, mod, NULL))
		return 0;
	for (size_t i = 0; i < k; i++)
		if (!(mod[i] > 1))
			return 0;
	return 1;
}

/* R's maInvert: reflects roots of 1 + ma_1 z + ... inside the unit circle. */
static void ma_invert(double *ma, size_t q)
{
	size_t k = 0;
	for (size_t i = 0; i < q; i++)
		if (ma[i] != 0)
			k = i + 1;
	if (k == 0)
		return;
	double mod[FC_ARIMA_MAX_COEF];
	double complex z[FC_ARIMA_MAX_COEF];
	if (poly_roots(ma, k, mod, z))
		return;
	int any = 0;
	for (size_t i = 0; i < k; i++)
		if (mod[i] < 1)
			any = 1;
	if (!any)
		return;
	if (k == 1) {
		ma[0] = 1 / ma[0];
		return;
	}
	for (size_t i = 0; i < k; i++)
		if (mod[i] < 1)
			z[i] = 1 / z[i];
	double complex x[FC_ARIMA_MAX_COEF + 1];
	x[0] = 1;
	size_t len = 1;
	for (size_t i = 0; i < k; i++) {
		/* x <- c(x, 0) - c(0, x) / root */
		x[len] = 0;
		for (size_t j = len; j >= 1; j--)
			x[j] -= x[j - 1] / z[i];
		len++;
	}
	for (size_t i = 0; i < k; i++)
		ma[i] = creal(x[i + 1]);
}

/* ---- the PACF reparameterization (Jones 1980; Monahan 1984) --------------- */

/* raw (any reals) -> coefficients of a stationary AR polynomial. */
static void partrans(size_t p, const double *raw, double *out)
{
	double work[FC_ARIMA_MAX_COEF];
	for (size_t j = 0; j < p; j++)
		work[j] = out[j] = tanh(raw[j]);
	for (size_t j = 1; j < p; j++) {
		double a = out[j];
		for (size_t k = 0; k < j; k++)
			work[k] -= a * out[j - k - 1];
		for (size_t k = 0; k < j; k++)
			out[k] = work[k];
	}
}

static void invpartrans(size_t p, const double *phi, double *out)
{
	double work[FC_ARIMA_MAX_COEF];
	for (size_t j = 0; j < p; j++)
		work[j] = out[j] = phi[j];
	for (size_t j = p - 1; j > 0 && p > 0; j--) {
		double a = out[j];
		for (size_t k = 0; k < j; k++)
			work[k] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
		for (size_t k = 0; k < j; k++)
			out[k] = work[k];
	}
	for (size_t j = 0; j < p; j++)
		out[j] = atanh(out[j]);
}

/* ---- workspace ------------------------------------------------------------ */

typedef struct arima_ws {
	fc_arima_spec s;
	size_t narma, ncxreg, ncoef;
	size_t pp, qq;       /* expanded AR and MA lengths */
	size_t r, nd, rd;    /* stationary states, differencing states, total */
	size_t n;
	const double *y;
	double *phi, *theta; /* pp, r - 1 (theta padded) */
	double *delta;       /* nd */
	size_t *dnz, nnz;    /* indices of the nonzero delta (most are 0 for seasonal D) */
	size_t *phinz, nphi; /* indices of the nonzero phi, theta (set by trans_pars) */
	size_t *thnz, nth;
	double *a, *anew, *M, *P, *Pnew, *mm; /* rd, rd, rd, rd^2 x3 */
	double *Mprev;       /* rd: the previous step's P Z' (steady-state test) */
	double *S, *A, *B, *C; /* r^2 each: Lyapunov doubling */
	double *gam, *psi, *sys; /* r + 1, r, (p' + 1)^2: stationary_col */
	int complete;        /* no missing values: fast_like applies */
	double *x;           /* n: y - xreg beta */
	double xbeta[FC_ARIMA_MAX_COEF]; /* the beta that x was computed with */
	int x_valid;         /* x matches xbeta */
	int x_updates;       /* column updates since x was last recomputed */
	int wd_valid;        /* w holds the differenced x */
	double *w, *resid;   /* n each: CSS */
	double *gather;      /* pp + r: CSS's nonzero coefficients ... */
	size_t *gather_lag;  /* ... and their lags */
	double *xreg;        /* n x ncxreg, column-major: intercept, drift, external */
	size_t nx;           /* external regressors (the last nx columns) */
	double *work;        /* optimizer: 6 ncoef + ncoef^2 */
	/* the problem being optimized */
	double coef[FC_ARIMA_MAX_COEF];
	int mask[FC_ARIMA_MAX_COEF];
	size_t nmask;
	int trans;
	size_t ncond;
} arima_ws;

static void ws_free(arima_ws *w)
{
	free(w->phi);
	free(w->a);
	free(w->S);
	free(w->gam);
	free(w->x);
	free(w->work);
	free(w->dnz);
	free(w->gather);
	free(w->gather_lag);
}

static int ws_init(arima_ws *w, const fc_arima_spec *s, const double *y, size_t n,
                   const double *xreg, size_t nx)
{
	memset(w, 0, sizeof *w);
	if ((size_t)s->d + s->m * (size_t)s->D >= 512)
		return -1; /* beyond the differencing polynomial's buffer */
	w->s = *s;
	w->y = y;
	w->n = n;
	w->complete = y != NULL;
	for (size_t t = 0; y && t < n; t++)
		if (isnan(y[t]))
			w->complete = 0;
	w->narma = (size_t)(s->p + s->q + s->P + s->Q);
	w->nx = nx;
	w->ncxreg = (size_t)((s->mean && s->d + s->D == 0) ? 1 : 0) + (size_t)(s->drift ? 1 : 0) + nx;
	w->ncoef = w->narma + w->ncxreg;
	w->pp = (size_t)s->p + s->m * (size_t)s->P;
	w->qq = (size_t)s->q + s->m * (size_t)s->Q;
	w->r = w->pp > w->qq + 1 ? w->pp : w->qq + 1;
	w->nd = (size_t)s->d + s->m * (size_t)s->D;
	w->rd = w->r + w->nd;
	size_t r = w->r, rd = w->rd, nc = w->ncoef;
	w->phi = calloc(w->pp + r + w->nd + 1, sizeof(double));
	w->a = calloc(4 * rd + 3 * rd * rd, sizeof(double));
	w->S = calloc(4 * r * r, sizeof(double));
	w->x = calloc(3 * n + n * (w->ncxreg + 1), sizeof(double));
	w->work = calloc(8 * nc + nc * nc + 8, sizeof(double));
	w->gam = calloc(2 * r + 1 + (w->pp + 1) * (w->pp + 1), sizeof(double));
	w->gather = malloc((w->pp + r + 1) * sizeof *w->gather);
	w->gather_lag = malloc((w->pp + r + 1) * sizeof *w->gather_lag);
	if (!w->phi || !w->a || !w->S || !w->x || !w->work || !w->gam || !w->gather || !w->gather_lag) {
		ws_free(w);
		return -1;
	}
	w->theta = w->phi + w->pp;
	w->delta = w->theta + r;
	w->anew = w->a + rd;
	w->M = w->anew + rd;
	w->P = w->M + rd;
	w->Pnew = w->P + rd * rd;
	w->mm = w->Pnew + rd * rd;
	w->Mprev = w->mm + rd * rd;
	w->A = w->S + r * r;
	w->B = w->A + r * r;
	w->C = w->B + r * r;
	w->psi = w->gam + r + 1;
	w->sys = w->psi + r;
	w->w = w->x + n;
	w->resid = w->w + n;
	w->xreg = w->resid + n;
	/* Delta: (1-B)^d (1-B^m)^D = 1 - delta_1 B - ... */
	double poly[512];
	size_t len = 1;
	poly[0] = 1;
	for (int i = 0; i < s->d + s->D; i++) {
		size_t lag = i < s->d ? 1 : s->m;
		for (size_t j = len; j < len + lag; j++)
			poly[j] = 0;
		for (size_t j = len + lag; j-- > lag;)
			poly[j] -= poly[j - lag];
		len += lag;
	}
	w->dnz = malloc((w->nd + 1 + w->pp + r) * sizeof *w->dnz);
	if (!w->dnz) {
		ws_free(w);
		return -1;
	}
	for (size_t i = 0; i < w->nd; i++) {
		w->delta[i] = -poly[i + 1];
		if (w->delta[i] != 0)
			w->dnz[w->nnz++] = i;
	}
	w->phinz = w->dnz + w->nd + 1;
	w->thnz = w->phinz + w->pp;
	size_t c = 0;
	if (s->mean && s->d + s->D == 0) {
		for (size_t t = 0; t < n; t++)
			w->xreg[t] = 1;
		c++;
	}
	if (s->drift) {
		for (size_t t = 0; t < n; t++)
			w->xreg[c * n + t] = (double)(t + 1);
		c++;
	}
	if (xreg) {
		memcpy(w->xreg + c * n, xreg, nx * n * sizeof *xreg);
		for (size_t t = 0; t < nx * n; t++)
			if (isnan(xreg[t]))
				w->complete = 0;
	}
	return 0;
}

/* R's ARIMA_transPars: coefficients (AR parts on the PACF scale when trans)
 * -> expanded phi[0..pp), theta[0..r-1). */
static void trans_pars(arima_ws *w, const double *in, int trans)
{
	const fc_arima_spec *s = &w->s;
	size_t mp = (size_t)s->p, mq = (size_t)s->q, msp = (size_t)s->P, msq = (size_t)s->Q, ns = s->m;
	double par[FC_ARIMA_MAX_COEF];
	memcpy(par, in, w->narma * sizeof *par);
	if (trans) {
		if (mp > 0)
			partrans(mp, in, par);
		if (msp > 0)
			partrans(msp, in + mp + mq, par + mp + mq);
	}
	double *phi = w->phi, *theta = w->theta;
	for (size_t i = 0; i < w->pp; i++)
		phi[i] = i < mp ? par[i] : 0;
	for (size_t i = 0; i + 1 < w->r; i++)
		theta[i] = i < mq ? par[i + mp] : 0;
	for (size_t j = 0; j < msp; j++) {
		phi[(j + 1) * ns - 1] += par[j + mp + mq];
		for (size_t i = 0; i < mp; i++)
			phi[(j + 1) * ns + i] -= par[i] * par[j + mp + mq];
	}
	for (size_t j = 0; j < msq; j++) {
		theta[(j + 1) * ns - 1] += par[j + mp + mq + msp];
		for (size_t i = 0; i < mq; i++)
			theta[(j + 1) * ns + i] += par[i + mp] * par[j + mp + mq + msp];
	}
	/* the nonzero ones; all of them for series with missing values (see
	 * css_value) */
	w->nphi = w->nth = 0;
	for (size_t i = 0; i < w->pp; i++)
		if (phi[i] != 0 || !w->complete)
			w->phinz[w->nphi++] = i;
	for (size_t i = 0; i < w->qq; i++)
		if (theta[i] != 0 || !w->complete)
			w->thnz[w->nth++] = i;
}

/* Q0 = T Q0 T' + R R' for the stationary block, by doubling; into Pnew's
 * top-left r x r block (column-major, leading dimension rd). */
static void stationary_cov(arima_ws *w)
{
	size_t r = w->r, rd = w->rd, p = w->pp;
	double *S = w->S, *A = w->A, *B = w->B, *C = w->C;
	const double *phi = w->phi, *theta = w->theta;
	if (r == 1) {
		w->Pnew[0] = p > 0 ? 1 / (1 - phi[0] * phi[0]) : 1;
		return;
	}
	for (size_t j = 0; j < r; j++) {
		double vj = j == 0 ? 1 : theta[j - 1];
		for (size_t i = 0; i < r; i++) {
			double vi = i == 0 ? 1 : theta[i - 1];
			S[i + r * j] = vi * vj;
			A[i + r * j] = (j == 0 && i < p ? phi[i] : 0) + (j == i + 1 ? 1 : 0);
		}
	}
	for (int it = 0; it < 60; it++) {
		/* B = A S, C = B A' */
		for (size_t j = 0; j < r; j++)
			for (size_t i = 0; i < r; i++) {
				double t = 0;
				for (size_t k = 0; k < r; k++)
					t += A[i + r * k] * S[k + r * j];
				B[i + r * j] = t;
			}
		double cmax = 0, smax = 0;
		for (size_t j = 0; j < r; j++)
			for (size_t i = 0; i < r; i++) {
				double t = 0;
				for (size_t k = 0; k < r; k++)
					t += B[i + r * k] * A[j + r * k];
				C[i + r * j] = t;
				if (fabs(t) > cmax)
					cmax = fabs(t);
			}
		for (size_t k = 0; k < r * r; k++) {
			S[k] += C[k];
			if (fabs(S[k]) > smax)
				smax = fabs(S[k]);
		}
		if (!(cmax > 1e-17 * smax))
			break;
		/* A = A A */
		for (size_t j = 0; j < r; j++)
			for (size_t i = 0; i < r; i++) {
				double t = 0;
				for (size_t k = 0; k < r; k++)
					t += A[i + r * k] * A[k + r * j];
				B[i + r * j] = t;
			}
		memcpy(A, B, r * r * sizeof *A);
	}
	for (size_t j = 0; j < r; j++)
		for (size_t i = 0; i < r; i++)
			w->Pnew[i + rd * j] = 0.5 * (S[i + r * j] + S[j + r * i]);
}

/* R's makeARIMA / upARIMA for the current phi, theta: a = 0, Pnew = the
 * initial covariance. */
static void init_state(arima_ws *w)
{
	size_t rd = w->rd;
	memset(w->a, 0, rd * sizeof *w->a);
	memset(w->Pnew, 0, rd * rd * sizeof *w->Pnew);
	memset(w->P, 0, rd * rd * sizeof *w->P);
	stationary_cov(w);
	for (size_t i = w->r; i < rd; i++)
		w->Pnew[i + rd * i] = KAPPA;
}

/* anew = T a. */
static void predict_mean(arima_ws *w, const double *a, double *anew)
{
	size_t r = w->r, rd = w->rd, p = w->pp, d = w->nd;
	for (size_t i = 0; i < r; i++) {
		double t = i < r - 1 ? a[i + 1] : 0;
		if (i < p)
			t += w->phi[i] * a[0];
		anew[i] = t;
	}
	if (d > 0) {
		for (size_t i = r + 1; i < rd; i++)
			anew[i] = a[i - 1];
		double t = a[0];
		for (size_t i = 0; i < d; i++)
			t += w->delta[i] * a[r + i];
		anew[r] = t;
	}
}

/* Pnew = T P T' + V, exploiting T's structure (as R's ARIMA_Like). */
static void predict_cov(arima_ws *w)
{
	size_t r = w->r, rd = w->rd, p = w->pp, d = w->nd, q = r - 1;
	const double *phi = w->phi, *theta = w->theta, *delta = w->delta, *P = w->P;
	double *mm = w->mm, *Pnew = w->Pnew;
	/* mm = T P */
	for (size_t j = 0; j < rd; j++) {
		for (size_t i = 0; i < r; i++) {
			double t = 0;
			if (i < p)
				t += phi[i] * P[rd * j];
			if (i < r - 1)
				t += P[i + 1 + rd * j];
			mm[i + rd * j] = t;
		}
		if (d > 0) {
			double t = P[rd * j];
			for (size_t z = 0; z < w->nnz; z++) {
				size_t k = w->dnz[z];
				t += delta[k] * P[r + k + rd * j];
			}
			mm[r + rd * j] = t;
			for (size_t i = 1; i < d; i++)
				mm[r + i + rd * j] = P[r + i - 1 + rd * j];
		}
	}
	/* Pnew = mm T' */
	for (size_t i = 0; i < r; i++)
		for (size_t j = 0; j < rd; j++) {
			double t = 0;
			if (i < p)
				t += phi[i] * mm[j];
			if (i < r - 1)
				t += mm[rd * (i + 1) + j];
			Pnew[j + rd * i] = t;
		}
	if (d > 0) {
		for (size_t j = 0; j < rd; j++) {
			double t = mm[j];
			for (size_t z = 0; z < w->nnz; z++) {
				size_t k = w->dnz[z];
				t += delta[k] * mm[rd * (r + k) + j];
			}
			Pnew[j + rd * r] = t;
		}
		for (size_t i = 1; i < d; i++)
			for (size_t j = 0; j < rd; j++)
				Pnew[j + rd * (r + i)] = mm[rd * (r + i - 1) + j];
	}
	for (size_t i = 0; i <= q; i++) {
		double vi = i == 0 ? 1 : theta[i - 1];
		for (size_t j = 0; j <= q; j++)
			Pnew[i + rd * j] += vi * (j == 0 ? 1 : theta[j - 1]);
	}
}

typedef struct like_out {
	double ssq, sumlog;
	size_t nu;
	double rss_std; /* sum of squared standardized innovations (all obs) */
} like_out;

/* R's ARIMA_Like over x[0..n) from the initial state set by init_state.
 * resid (may be NULL) receives standardized innovations (NaN if missing).
 * Leaves a, P at the filtered state after the last value. */
static like_out kalman_like(arima_ws *w, const double *x, size_t n, double *resid)
{
	size_t r = w->r, rd = w->rd, d = w->nd;
	double *a = w->a, *anew = w->anew, *M = w->M, *P = w->P, *Pnew = w->Pnew, *Mprev = w->Mprev;
	const double *delta = w->delta;
	like_out o = {0, 0, 0, 0};
	/* Steady state: the filter of a time-invariant model converges, P
	 * reaching the solution of the Riccati equation.  Once the prediction
	 * variance and P Z' stop changing (relative change below STEADY_TOL in
	 * one step), P is frozen and only the mean is filtered: O(rd) instead
	 * of O(rd^2) per value (the "fast recursions" of Gardner et al. 1980,
	 * sec. 4).  A missing value leaves the steady state. */
	const double STEADY_TOL = 1e-14;
	int fast = 0, have_prev = 0;
	size_t calm = 0; /* consecutive steps without change */
	double gain_prev = 0, gain = 0;
	for (size_t l = 0; l < n; l++) {
		predict_mean(w, a, anew);
		if (fast && isnan(x[l]))
			fast = 0;
		if (fast) {
			double resid0 = x[l] - anew[0];
			for (size_t i = 0; i < d; i++)
				resid0 -= delta[i] * anew[r + i];
			if (gain < GAIN_MAX) {
				o.nu++;
				o.ssq += resid0 * resid0 / gain;
				o.sumlog += log(gain);
			}
			double e = resid0 / sqrt(gain);
			o.rss_std += e * e;
			if (resid)
				resid[l] = e;
			for (size_t i = 0; i < rd; i++)
				a[i] = anew[i] + M[i] * resid0 / gain;
			continue;
		}
		if (l > 0)
			predict_cov(w);
		if (!isnan(x[l])) {
			double resid0 = x[l] - anew[0];
			for (size_t i = 0; i < d; i++)
				resid0 -= delta[i] * anew[r + i];
			for (size_t i = 0; i < rd; i++) {
				double t = Pnew[i];
				for (size_t z = 0; z < w->nnz; z++) {
					size_t k = w->dnz[z];
					t += Pnew[i + rd * (r + k)] * delta[k];
				}
				M[i] = t;
			}
			gain = M[0];
			for (size_t j = 0; j < d; j++)
				gain += delta[j] * M[r + j];
			if (gain < GAIN_MAX) {
				o.nu++;
				o.ssq += resid0 * resid0 / gain;
				o.sumlog += log(gain);
			}
			double e = resid0 / sqrt(gain);
			o.rss_std += e * e;
			if (resid)
				resid[l] = e;
			for (size_t i = 0; i < rd; i++)
				a[i] = anew[i] + M[i] * resid0 / gain;
			for (size_t j = 0; j < rd; j++)
				for (size_t i = 0; i < rd; i++)
					P[i + rd * j] = Pnew[i + rd * j] - M[i] * M[j] / gain;
			if (have_prev && gain < GAIN_MAX &&
			    fabs(gain - gain_prev) <= STEADY_TOL * gain) {
				double mmax = 0, dmax = 0;
				for (size_t i = 0; i < rd; i++) {
					mmax = fmax(mmax, fabs(M[i]));
					dmax = fmax(dmax, fabs(M[i] - Mprev[i]));
				}
				calm = dmax <= STEADY_TOL * mmax ? calm + 1 : 0;
				/* a whole state length of calm steps: the changes of P
				 * outside P Z' have had time to reach it */
				fast = calm > rd;
			} else {
				calm = 0;
			}
			memcpy(Mprev, M, rd * sizeof *M);
			gain_prev = gain;
			have_prev = 1;
		} else {
			memcpy(a, anew, rd * sizeof *a);
			memcpy(P, Pnew, rd * rd * sizeof *P);
			if (resid)
				resid[l] = NAN;
			have_prev = 0;
			calm = 0;
		}
	}
	/* n == 1 never ran predict_cov: P is already the filtered state. */
	return o;
}

/* ---- the likelihood by Chandrasekhar recursions ---------------------------- */

/* Solves the n x n system A x = b (A row-major, overwritten; b -> x) by
 * Gaussian elimination with partial pivoting.  Returns -1 if singular. */
static int solve_dense(double *A, double *b, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		size_t piv = c;
		for (size_t i = c + 1; i < n; i++)
			if (fabs(A[i * n + c]) > fabs(A[piv * n + c]))
				piv = i;
		if (!(fabs(A[piv * n + c]) > 1e-300))
			return -1;
		if (piv != c) {
			for (size_t j = c; j < n; j++) {
				double t = A[c * n + j];
				A[c * n + j] = A[piv * n + j];
				A[piv * n + j] = t;
			}
			double t = b[c];
			b[c] = b[piv];
			b[piv] = t;
		}
		for (size_t i = c + 1; i < n; i++) {
			double f = A[i * n + c] / A[c * n + c];
			if (f == 0)
				continue;
			for (size_t j = c + 1; j < n; j++)
				A[i * n + j] -= f * A[c * n + j];
			b[i] -= f * b[c];
		}
	}
	for (size_t c = n; c-- > 0;) {
		double t = b[c];
		for (size_t j = c + 1; j < n; j++)
			t -= A[c * n + j] * b[j];
		b[c] = t / A[c * n + c];
	}
	return 0;
}

/* The first column of Q0, the unconditional covariance of the r ARMA
 * states (unit innovation variance), into col[0..r): state 0 is the ARMA
 * value y_t and state i >= 1 is sum_{s>=1} phi_{i+s} y_{t-s} +
 * sum_{s>=0} theta_{i+s} e_{t-s}, so
 *   Cov(state_i, y_t) = sum_s phi_{i+s} gamma(s) + sum_s theta_{i+s} psi_s,
 * with gamma the autocovariances and psi the MA(infinity) weights.  gamma
 * comes from the p' + 1 linear equations
 *   gamma(k) - sum_j phi_j gamma(|k - j|) = sum_{j>=k} theta_j psi_{j-k}
 * (Brockwell & Davis 1991, "Time Series: Theory and Methods", eq. 3.3.8)
 * and the same recursion beyond lag p'.  Returns -1 if the system is
 * singular (an AR root on the unit circle). */
static int stationary_col(arima_ws *w, double *col)
{
	size_t r = w->r, p = w->pp, q = w->qq;
	const double *phi = w->phi, *theta = w->theta;
	double *gam = w->gam, *psi = w->psi, *A = w->sys;
	/* psi_j = theta_j + sum_{i=1..min(j,p)} phi_i psi_{j-i}, j < r */
	for (size_t j = 0; j < r; j++) {
		double t = j == 0 ? 1 : theta[j - 1];
		for (size_t i = 1; i <= j && i <= p; i++)
			t += phi[i - 1] * psi[j - i];
		psi[j] = t;
	}
	/* right-hand sides c_k = sum_{j=k..q} theta_j psi_{j-k}, theta_0 = 1 */
	for (size_t k = 0; k < r; k++) {
		double t = 0;
		for (size_t j = k; j <= q; j++)
			t += (j == 0 ? 1 : theta[j - 1]) * psi[j - k];
		gam[k] = t;
	}
	gam[r] = 0;
	if (p > 0) {
		size_t m = p + 1;
		memset(A, 0, m * m * sizeof *A);
		for (size_t k = 0; k < m; k++) {
			A[k * m + k] += 1;
			for (size_t j = 1; j <= p; j++)
				A[k * m + (k > j ? k - j : j - k)] -= phi[j - 1];
		}
		if (solve_dense(A, gam, m))
			return -1;
		for (size_t k = m; k < r; k++)
			for (size_t j = 1; j <= p; j++)
				gam[k] += phi[j - 1] * gam[k - j];
	}
	col[0] = gam[0];
	for (size_t i = 1; i < r; i++) {
		double t = 0;
		for (size_t s = 1; i + s <= p; s++)
			t += phi[i + s - 1] * gam[s];
		for (size_t s = 0; i + s <= q; s++)
			t += theta[i + s - 1] * psi[s];
		col[i] = t;
	}
	return 0;
}

/* v <- T v in place (T the transition of kalman_like); returns Z v of the
 * old v (the observed combination, which is also the new first
 * differencing state). */
static double tmul(const arima_ws *w, double *v)
{
	size_t r = w->r, nd = w->nd;
	double v0 = v[0], zv = v0;
	for (size_t i = 0; i < w->nnz; i++)
		zv += w->delta[w->dnz[i]] * v[r + w->dnz[i]];
	for (size_t i = 0; i + 1 < r; i++)
		v[i] = v[i + 1];
	v[r - 1] = 0;
	for (size_t i = 0; i < w->nphi; i++)
		v[w->phinz[i]] += w->phi[w->phinz[i]] * v0;
	if (nd > 0) {
		for (size_t i = nd - 1; i > 0; i--)
			v[r + i] = v[r + i - 1];
		v[r] = zv;
	}
	return zv;
}

/* kalman_like's likelihood for a series without missing values, in O(r + d
 * + Dm) operations per value instead of O((r + d + Dm)^2), with the same
 * model, prior (kappa) and rules, so the same numbers to rounding.
 *
 * The Chandrasekhar recursions (Morf, Sidhu & Kailath 1974, IEEE Trans.
 * Autom. Control 19:315-323; for likelihoods, Herbst 2015, Comput. Econ.
 * 45:693-705) carry the change of the prediction covariance,
 * P_{t+1} - P_t = W_t M_t W_t', instead of P_t itself.  With u = Z W_t
 * (a row), g = T W_t and F_t = Z P_t Z', k_t = T P_t Z':
 *   F_{t+1} = F_t + u M_t u'
 *   k_{t+1} = k_t + g M_t u'
 *   W_{t+1} = g - k_{t+1} u / F_{t+1}
 *   M_{t+1} = M_t + M_t u' u M_t / F_t
 * (the last from expanding P_{t+2} - P_{t+1}; it keeps the rank of W).
 * The start P_1 = diag(Q0, kappa I) gives a change of rank at most three:
 * Q0 solves Q0 = T_s Q0 T_s' + V, so T P_1 T' + V - P_1 is zero but for
 * the row and column of the first differencing state e, i.e. e x' + x e'
 * with x = (T_s Q0 e_1; (Q0[0,0] + kappa (delta'delta - 1)) / 2,
 * kappa delta_1, ..., kappa delta_{nd-1}), and the update subtracts
 * k_1 k_1' / F_1:  W_1 = [e, x, k_1], M_1 = [[0,1,0],[1,0,0],[0,0,-1/F_1]].
 * Without differencing only the last column remains.
 *
 * Returns -1 (use kalman_like) if the series has missing values (a skipped
 * update breaks the low rank) or the recursion breaks down. */
static int fast_like(arima_ws *w, like_out *o)
{
	size_t n = w->n, r = w->r, nd = w->nd, rd = w->rd;
	const double *x = w->x, *delta = w->delta;
	if (!w->complete || n == 0)
		return -1;
	/* W: up to 3 columns of rd in P and Pnew (unused here; 2 rd^2 >= 3 rd
	 * whenever rd >= 2, and rd = 1 has one column) */
	double *a = w->a, *kb = w->anew, *W = w->P;
	double *col = w->Mprev;
	if (stationary_col(w, col))
		return -1;
	size_t nc = nd > 0 ? 3 : 1;
	double M[9] = {0};
	/* P_1 Z' and F_1 */
	double dd = 0;
	for (size_t i = 0; i < w->nnz; i++)
		dd += delta[w->dnz[i]] * delta[w->dnz[i]];
	for (size_t i = 0; i < r; i++)
		kb[i] = col[i];
	for (size_t i = 0; i < nd; i++)
		kb[r + i] = KAPPA * delta[i];
	double F = col[0] + KAPPA * dd;
	if (!(F > 0) || !isfinite(F))
		return -1;
	tmul(w, kb); /* k_1 = T P_1 Z' */
	double *Wk = W + (nc - 1) * rd;
	memcpy(Wk, kb, rd * sizeof *kb);
	M[(nc - 1) * 3 + (nc - 1)] = -1 / F;
	if (nd > 0) {
		double *We = W, *Wx = W + rd;
		memset(We, 0, rd * sizeof *We);
		We[r] = 1;
		memcpy(Wx, col, r * sizeof *col);
		tmul(w, Wx); /* T_s Q0 e_1 (the differencing part is rewritten below) */
		Wx[r] = 0.5 * (col[0] + KAPPA * (dd - 1));
		for (size_t i = 1; i < nd; i++)
			Wx[r + i] = KAPPA * delta[i - 1];
		M[1] = M[3] = 1;
	}
	memset(a, 0, rd * sizeof *a);
	double ssq = 0, sumlog = 0, logF = log(F);
	size_t nu = 0, calm = 0;
	for (size_t l = 0; l < n; l++) {
		double e = x[l] - tmul(w, a), ef = e / F; /* a <- T a */
		if (F < GAIN_MAX) {
			nu++;
			ssq += e * ef;
			sumlog += logF;
		}
		for (size_t i = 0; i < rd; i++)
			a[i] += kb[i] * ef;
		/* Steady state: once F has not moved (relative change below 1e-15)
		 * for a whole state length of steps, the change W M W' has
		 * decayed away and F, k stay as they are (the same rule as
		 * kalman_like's switch to mean-only updates). */
		if (calm > rd)
			continue;
		/* g = T W (in place), u = Z W */
		double u[3], Mu[3];
		for (size_t j = 0; j < nc; j++)
			u[j] = tmul(w, W + j * rd);
		double uMu = 0;
		for (size_t j = 0; j < nc; j++) {
			double t = 0;
			for (size_t c = 0; c < nc; c++)
				t += M[j * 3 + c] * u[c];
			Mu[j] = t;
			uMu += u[j] * t;
		}
		double Fn = F + uMu;
		if (!(Fn > 0))
			return -1;
		for (size_t j = 0; j < nc; j++) {
			double *g = W + j * rd;
			for (size_t i = 0; i < rd; i++)
				kb[i] += g[i] * Mu[j];
		}
		for (size_t j = 0; j < nc; j++) {
			double *g = W + j * rd, s = u[j] / Fn;
			for (size_t i = 0; i < rd; i++)
				g[i] -= kb[i] * s;
		}
		for (size_t j = 0; j < nc; j++)
			for (size_t c = 0; c < nc; c++)
				M[j * 3 + c] += Mu[j] * Mu[c] / F;
		calm = fabs(uMu) <= 1e-15 * F ? calm + 1 : 0;
		if (Fn != F)
			logF = log(Fn);
		F = Fn;
	}
	if (!isfinite(ssq) || !isfinite(sumlog) || nu == 0)
		return -1;
	o->ssq = ssq;
	o->sumlog = sumlog;
	o->nu = nu;
	o->rss_std = NAN;
	return 0;
}

/* x = y - xreg beta.  The optimizer's gradient moves one coefficient at a
 * time, and an ARMA coefficient leaves x as it is, so x is kept with the
 * beta it was made from and updated column by column where few
 * coefficients changed: O(n) per changed column instead of O(n ncxreg) per
 * objective value, which is what made long Fourier regressions slow.  The
 * update drifts from a fresh y - X beta by rounding only; x is recomputed
 * whenever most columns change (every line search step) or after
 * X_UPDATE_MAX column updates. */
#define X_UPDATE_MAX 64
static void regress_out(arima_ws *w, const double *coef)
{
	size_t n = w->n, k = w->ncxreg;
	const double *b = coef + w->narma;
	double *x = w->x;
	size_t changed = 0;
	for (size_t c = 0; c < k; c++)
		changed += b[c] != w->xbeta[c];
	if (w->x_valid && changed == 0)
		return;
	w->wd_valid = 0;
	if (w->x_valid && 2 * changed < k && w->x_updates + (int)changed <= X_UPDATE_MAX) {
		for (size_t c = 0; c < k; c++) {
			if (b[c] == w->xbeta[c])
				continue;
			const double *col = w->xreg + c * n;
			double db = b[c] - w->xbeta[c];
			for (size_t t = 0; t < n; t++)
				x[t] -= col[t] * db;
			w->xbeta[c] = b[c];
		}
		w->x_updates += (int)changed;
		return;
	}
	memcpy(x, w->y, n * sizeof *x);
	for (size_t c = 0; c < k; c++) { /* column by column: contiguous */
		const double *col = w->xreg + c * n;
		for (size_t t = 0; t < n; t++)
			x[t] -= col[t] * b[c];
		w->xbeta[c] = b[c];
	}
	w->x_valid = 1;
	w->x_updates = 0;
}

/* R's ARIMA_CSS: ssq / nu of the conditional residuals. */
static double css_value(arima_ws *w, size_t *nu_out)
{
	const fc_arima_spec *s = &w->s;
	size_t n = w->n, ncond = w->ncond, q = w->qq;
	double *x = w->w, *resid = w->resid;
	if (!w->wd_valid) { /* x unchanged since the last call: still differenced */
		memcpy(x, w->x, n * sizeof *x);
		for (int i = 0; i < s->d; i++)
			for (size_t l = n - 1; l > 0; l--)
				x[l] -= x[l - 1];
		for (int i = 0; i < s->D; i++)
			for (size_t l = n - 1; l >= s->m && l > 0; l--)
				x[l] -= x[l - s->m];
		w->wd_valid = 1;
	}
	double ssq = 0;
	size_t nu = 0;
	for (size_t l = 0; l < ncond && l < n; l++)
		resid[l] = 0;
	/* only the nonzero coefficients (most are zero in seasonal models);
	 * with missing values every one (trans_pars), as R lets 0 * NaN
	 * spread a missing residual to the later ones.  The coefficients are
	 * gathered first, so that the loops run over short local arrays; the
	 * values before ncond + q see fewer MA terms (earlier innovations are
	 * zero), the rest all of them. */
	const size_t *phinz = w->phinz, *thnz = w->thnz;
	size_t nphi = w->nphi, nth = w->nth;
	double *pc = w->gather, *tc = pc + nphi;
	size_t *pj = w->gather_lag, *tj = pj + nphi;
	for (size_t i = 0; i < nphi; i++) {
		pj[i] = phinz[i] + 1;
		pc[i] = w->phi[phinz[i]];
	}
	for (size_t i = 0; i < nth; i++) {
		tj[i] = thnz[i] + 1;
		tc[i] = w->theta[thnz[i]];
	}
	size_t full = ncond + q < n ? ncond + q : n;
	for (size_t l = ncond; l < full; l++) {
		double t = x[l];
		for (size_t i = 0; i < nphi; i++)
			t -= pc[i] * x[l - pj[i]];
		size_t jmax = l - ncond;
		for (size_t i = 0; i < nth && tj[i] - 1 < jmax; i++)
			t -= tc[i] * resid[l - tj[i]];
		resid[l] = t;
		if (!isnan(t)) {
			nu++;
			ssq += t * t;
		}
	}
	for (size_t l = full; l < n; l++) {
		double t = x[l];
		for (size_t i = 0; i < nphi; i++)
			t -= pc[i] * x[l - pj[i]];
		for (size_t i = 0; i < nth; i++)
			t -= tc[i] * resid[l - tj[i]];
		resid[l] = t;
		if (!isnan(t)) {
			nu++;
			ssq += t * t;
		}
	}
	if (nu_out)
		*nu_out = nu;
	return ssq / (double)nu;
}

static void full_coef(const arima_ws *w, const double *par, double *coef)
{
	memcpy(coef, w->coef, w->ncoef * sizeof *coef);
	size_t k = 0;
	for (size_t i = 0; i < w->ncoef; i++)
		if (w->mask[i])
			coef[i] = par[k++];
}

static double obj_css(const double *par, void *ctx)
{
	arima_ws *w = ctx;
	if (fc_budget_spend(w->n))
		return INFINITY; /* out of budget: the optimizer stops */
	double coef[FC_ARIMA_MAX_COEF];
	full_coef(w, par, coef);
	trans_pars(w, coef, 0);
	regress_out(w, coef);
	return 0.5 * log(css_value(w, NULL));
}

static double obj_ml(const double *par, void *ctx)
{
	arima_ws *w = ctx;
	if (fc_budget_spend(w->n))
		return INFINITY;
	double coef[FC_ARIMA_MAX_COEF];
	full_coef(w, par, coef);
	trans_pars(w, coef, w->trans);
	regress_out(w, coef);
	like_out o;
	if (fast_like(w, &o)) {
		init_state(w);
		o = kalman_like(w, w->x, w->n, NULL);
	}
	double s2 = o.ssq / (double)o.nu;
	return 0.5 * (log(s2) + o.sumlog / (double)o.nu);
}

/* ---- R's optim(method = "BFGS") ------------------------------------------- */

typedef double (*objfn)(const double *, void *);

/* f at b * parscale. */
static double fscaled(objfn f, void *ctx, const double *b, const double *ps, double *tmp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tmp[i] = b[i] * ps[i];
	return f(tmp, ctx);
}

static int grad(objfn f, void *ctx, const double *b, const double *ps, double *tmp, size_t n,
                double *g)
{
	for (size_t i = 0; i < n; i++)
		tmp[i] = b[i] * ps[i];
	for (size_t i = 0; i < n; i++) {
		tmp[i] = (b[i] + NDEPS) * ps[i];
		double v1 = f(tmp, ctx);
		tmp[i] = (b[i] - NDEPS) * ps[i];
		double v2 = f(tmp, ctx);
		g[i] = (v1 - v2) / (2 * NDEPS);
		if (!isfinite(g[i]))
			return -1;
		tmp[i] = b[i] * ps[i];
	}
	return 0;
}

/* Minimizes f from x[0..n) (unscaled) as R's vmmin.  work: 6n + n^2.
 * Returns 0, or -1 when the initial value or a gradient is not finite.
 * *fail: 1 when maxit was reached (R's convergence code). */
static int bfgs(objfn f, void *ctx, double *x, size_t n, const double *ps, int maxit, double *fmin,
                int *fail, double *work)
{
	double *b = work, *g = b + n, *t = g + n, *X = t + n, *c = X + n, *tmp = c + n,
	       *B = tmp + n;
	for (size_t i = 0; i < n; i++)
		b[i] = x[i] / ps[i];
	if (maxit <= 0 || n == 0) {
		*fmin = fscaled(f, ctx, b, ps, tmp, n);
		*fail = 0;
		return 0; /* R's optim(maxit = 0) / no.optim: any value */
	}
	const double reltol = sqrt(DBL_EPSILON), stepredn = 0.2, acctol = 1e-4, reltest = 10;
	double fv = fscaled(f, ctx, b, ps, tmp, n);
	if (!isfinite(fv))
		return -1;
	*fmin = fv;
	int funcount = 1, gradcount = 1, iter = 1, ilast = gradcount;
	size_t count;
	if (grad(f, ctx, b, ps, tmp, n, g))
		return -1;
	do {
		if (ilast == gradcount)
			for (size_t i = 0; i < n; i++) {
				for (size_t j = 0; j < i; j++)
					B[i * n + j] = 0;
				B[i * n + i] = 1;
			}
		for (size_t i = 0; i < n; i++) {
			X[i] = b[i];
			c[i] = g[i];
		}
		double gradproj = 0;
		for (size_t i = 0; i < n; i++) {
			double s = 0;
			for (size_t j = 0; j <= i; j++)
				s -= B[i * n + j] * g[j];
			for (size_t j = i + 1; j < n; j++)
				s -= B[j * n + i] * g[j];
			t[i] = s;
			gradproj += s * g[i];
		}
		if (gradproj < 0) {
			double steplength = 1;
			int accpoint = 0;
			do {
				count = 0;
				for (size_t i = 0; i < n; i++) {
					b[i] = X[i] + steplength * t[i];
					if (reltest + X[i] == reltest + b[i])
						count++;
				}
				if (count < n) {
					fv = fscaled(f, ctx, b, ps, tmp, n);
					funcount++;
					accpoint = isfinite(fv) && fv <= *fmin + gradproj * steplength * acctol;
					if (!accpoint)
						steplength *= stepredn;
				}
			} while (!(count == n || accpoint));
			int enough = fabs(fv - *fmin) > reltol * (fabs(*fmin) + reltol);
			if (!enough) {
				count = n;
				*fmin = fv;
			}
			if (count < n) {
				*fmin = fv;
				if (grad(f, ctx, b, ps, tmp, n, g))
					return -1;
				gradcount++;
				iter++;
				double D1 = 0;
				for (size_t i = 0; i < n; i++) {
					t[i] *= steplength;
					c[i] = g[i] - c[i];
					D1 += t[i] * c[i];
				}
				if (D1 > 0) {
					double D2 = 0;
					for (size_t i = 0; i < n; i++) {
						double s = 0;
						for (size_t j = 0; j <= i; j++)
							s += B[i * n + j] * c[j];
						for (size_t j = i + 1; j < n; j++)
							s += B[j * n + i] * c[j];
						X[i] = s;
						D2 += s * c[i];
					}
					D2 = 1 + D2 / D1;
					for (size_t i = 0; i < n; i++)
						for (size_t j = 0; j <= i; j++)
							B[i * n + j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1;
				} else {
					ilast = gradcount;
				}
			} else if (ilast < gradcount) {
				count = 0;
				ilast = gradcount;
			}
		} else {
			count = 0;
			if (ilast == gradcount)
				count = n;
			else
				ilast = gradcount;
		}
		if (iter >= maxit)
			break;
		if (gradcount - ilast > 2 * (int)n)
			ilast = gradcount;
	} while (count != n || ilast != gradcount);
	(void)funcount;
	*fail = iter < maxit ? 0 : 1;
	for (size_t i = 0; i < n; i++)
		x[i] = b[i] * ps[i];
	return 0;
}

/* ---- estimation ----------------------------------------------------------- */

/* Maps rotated regression coefficients back (see xreg_rotate); V NULL: none. */
static void unrotate(const arima_ws *w, const double *V, double *coef)
{
	if (!V)
		return;
	size_t k = w->ncxreg;
	double b[FC_ARIMA_MAX_COEF];
	for (size_t a = 0; a < k; a++) {
		double v = 0;
		for (size_t c = 0; c < k; c++)
			v += V[a * k + c] * coef[w->narma + c];
		b[a] = v;
	}
	memcpy(coef + w->narma, b, k * sizeof *b);
}

/* Least squares of the (d, D)-differenced x on the differenced regressors
 * (R's lm(dx ~ dxreg - 1) with na.omit): coefficients and standard errors.
 * Falls back to the undifferenced data when too few rows remain or the
 * differenced regressors are degenerate (R's rank-0 fallback).  Returns -1
 * when the regressors are collinear both ways (R would leave a coefficient
 * NA) or on allocation failure. */
static int regression_init(arima_ws *w, double *beta, double *se)
{
	const fc_arima_spec *s = &w->s;
	size_t n = w->n, k = w->ncxreg;
	double *cols = malloc((k + 1) * n * sizeof *cols);
	double *xtx = malloc((k * k + k) * sizeof *xtx);
	if (!cols || !xtx) {
		free(cols);
		free(xtx);
		return -1;
	}
	double *xty = xtx + k * k;
	int rc = -1;
	for (int undiff = 0; undiff < 2 && rc; undiff++) {
		size_t len = n;
		memcpy(cols, w->y, n * sizeof *cols);
		memcpy(cols + n, w->xreg, k * n * sizeof *cols);
		if (!undiff) {
			for (int i = 0; i < s->d + s->D; i++) {
				size_t lag = i < s->d ? 1 : s->m;
				if (len <= lag) {
					len = 0;
					break;
				}
				for (size_t c = 0; c <= k; c++) {
					double *v = cols + c * n;
					for (size_t t = 0; t + lag < len; t++)
						v[t] = v[t + lag] - v[t];
				}
				len -= lag;
			}
			if (!(len > k))
				continue;
		}
		memset(xtx, 0, (k * k + k) * sizeof *xtx);
		size_t rows = 0;
		for (size_t t = 0; t < len; t++) {
			int ok = 1;
			for (size_t c = 0; c <= k; c++)
				ok = ok && !isnan(cols[c * n + t]);
			if (!ok)
				continue;
			rows++;
			for (size_t i = 0; i < k; i++) {
				double xi = cols[(i + 1) * n + t];
				xty[i] += xi * cols[t];
				for (size_t j = 0; j <= i; j++)
					xtx[i * k + j] += xi * cols[(j + 1) * n + t];
			}
		}
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < i; j++)
				xtx[j * k + i] = xtx[i * k + j];
		/* Cholesky with a relative pivot test (rank deficiency -> next try) */
		gsl_matrix_view A = gsl_matrix_view_array(xtx, k, k);
		int ok = rows > k;
		double dmax = 0;
		for (size_t i = 0; i < k; i++)
			dmax = fmax(dmax, xtx[i * k + i]);
		gsl_error_handler_t *old = gsl_set_error_handler_off();
		ok = ok && dmax > 0 && gsl_linalg_cholesky_decomp1(&A.matrix) == GSL_SUCCESS;
		for (size_t i = 0; ok && i < k; i++) {
			double l = xtx[i * k + i];
			if (!(l * l > 1e-12 * dmax))
				ok = 0;
		}
		if (ok) {
			gsl_vector_view b = gsl_vector_view_array(beta, k);
			gsl_vector_const_view rhs = gsl_vector_const_view_array(xty, k);
			ok = gsl_linalg_cholesky_solve(&A.matrix, &rhs.vector, &b.vector) == GSL_SUCCESS &&
			     gsl_linalg_cholesky_invert(&A.matrix) == GSL_SUCCESS;
		}
		gsl_set_error_handler(old);
		if (!ok)
			continue;
		double rss = 0;
		for (size_t t = 0; t < len; t++) {
			double e = cols[t];
			for (size_t c = 0; c < k; c++)
				e -= cols[(c + 1) * n + t] * beta[c];
			if (!isnan(e))
				rss += e * e;
		}
		double s2 = rss / (double)(rows - k);
		for (size_t c = 0; c < k; c++)
			se[c] = sqrt(s2 * xtx[c * k + c]);
		rc = 0;
	}
	if (rc)
		for (size_t c = 0; c < k; c++) {
			beta[c] = 0;
			se[c] = NAN;
		}
	free(cols);
	free(xtx);
	return rc;
}

/* R's rotation of several free regressors by their right singular vectors
 * (stats::arima: S <- svd(na.omit(xreg)); xreg <- xreg %*% S$v), which
 * makes the columns orthogonal for the optimizer.  V (k x k, row-major)
 * receives S$v; the coefficients map back as beta = V beta_rotated.
 * Returns 0, or -1 when the rotation does not apply (fewer complete rows
 * than columns, or the decomposition failed): the caller goes on without. */
static int xreg_rotate(arima_ws *w, double *V)
{
	size_t n = w->n, k = w->ncxreg, rows = 0;
	for (size_t t = 0; t < n; t++) {
		int ok = 1;
		for (size_t c = 0; c < k; c++)
			ok = ok && !isnan(w->xreg[c * n + t]);
		rows += (size_t)ok;
	}
	if (rows < k)
		return -1;
	gsl_matrix *X = gsl_matrix_alloc(rows, k), *Vm = gsl_matrix_alloc(k, k);
	gsl_vector *S = gsl_vector_alloc(k), *work = gsl_vector_alloc(k);
	int rc = -1;
	if (X && Vm && S && work) {
		size_t i = 0;
		for (size_t t = 0; t < n; t++) {
			int ok = 1;
			for (size_t c = 0; c < k; c++)
				ok = ok && !isnan(w->xreg[c * n + t]);
			if (!ok)
				continue;
			for (size_t c = 0; c < k; c++)
				gsl_matrix_set(X, i, c, w->xreg[c * n + t]);
			i++;
		}
		gsl_error_handler_t *old = gsl_set_error_handler_off();
		if (gsl_linalg_SV_decomp(X, Vm, S, work) == GSL_SUCCESS) {
			for (size_t a = 0; a < k; a++)
				for (size_t b = 0; b < k; b++)
					V[a * k + b] = gsl_matrix_get(Vm, a, b);
			double *row = gsl_vector_ptr(work, 0); /* k scratch values */
			for (size_t t = 0; t < n; t++) {
				for (size_t b = 0; b < k; b++) {
					double v = 0;
					for (size_t a = 0; a < k; a++)
						v += w->xreg[a * n + t] * V[a * k + b];
					row[b] = v;
				}
				for (size_t b = 0; b < k; b++)
					w->xreg[b * n + t] = row[b];
			}
			rc = 0;
		}
		gsl_set_error_handler(old);
	}
	gsl_matrix_free(X);
	gsl_matrix_free(Vm);
	gsl_vector_free(S);
	gsl_vector_free(work);
	return rc;
}

void fc_arima_spec_name(const fc_arima_spec *s, char *buf, size_t cap)
{
	int len = snprintf(buf, cap, "ARIMA(%d,%d,%d)", s->p, s->d, s->q);
	if (len < 0 || (size_t)len >= cap)
		return;
	if (s->P + s->D + s->Q > 0) {
		int l2 = snprintf(buf + len, cap - (size_t)len, "(%d,%d,%d)[%zu]", s->P, s->D, s->Q, s->m);
		if (l2 < 0 || (size_t)(len + l2) >= cap)
			return;
		len += l2;
	}
	if (s->drift)
		snprintf(buf + len, cap - (size_t)len, " with drift");
	else if (s->mean && s->d + s->D == 0)
		snprintf(buf + len, cap - (size_t)len, " with non-zero mean");
}

int fc_arima_estimate(const double *y, size_t n, const double *xreg, size_t nx,
                      const fc_arima_spec *spec, int method, const double *fixed, fc_arima_fit *out,
                      fc_err *err)
{
	char name[96];
	fc_arima_spec_name(spec, name, sizeof name);
	if (spec->p < 0 || spec->d < 0 || spec->q < 0 || spec->P < 0 || spec->D < 0 || spec->Q < 0 ||
	    spec->m < 1 || spec->m > 400 || (spec->m == 1 && spec->P + spec->D + spec->Q > 0) ||
	    spec->d + spec->D > 3 || (size_t)spec->d + spec->m * (size_t)spec->D >= 512)
		return fc_err_set(err, FC_EINVAL, "%s: bad order", name);
	int want_state = !(method & FC_ARIMA_NO_STATE);
	method &= ~FC_ARIMA_NO_STATE;
	if (nx > FC_ARIMA_MAX_COEF)
		return fc_err_set(err, FC_EINVAL, "%s: too many regressors (%zu)", name, nx);
	arima_ws w;
	if (ws_init(&w, spec, y, n, xreg, nx))
		return fc_err_set(err, FC_ENOMEM, "%s: out of memory", name);
	double *V = NULL; /* the regressors' rotation, if any */
	if (w.ncoef > FC_ARIMA_MAX_COEF || w.pp >= FC_ARIMA_MAX_COEF + 200 || w.nd >= 500) {
		ws_free(&w);
		return fc_err_set(err, FC_EINVAL, "%s: too many coefficients", name);
	}
	int rc = 0;
	size_t nobs = 0;
	for (size_t t = 0; t < n; t++)
		nobs += !isnan(y[t]);
	if (method == FC_ARIMA_CSS_ML && nobs < n)
		method = FC_ARIMA_ML;
	if (nobs <= w.nd || n <= w.nd) {
		rc = fc_err_set(err, FC_EMODEL, "%s: too few non-missing observations (%zu)", name, nobs);
		goto out;
	}
	size_t n_used = nobs - w.nd, nc = w.ncoef, narma = w.narma;
	double init[FC_ARIMA_MAX_COEF], ps_all[FC_ARIMA_MAX_COEF];
	w.nmask = 0;
	for (size_t i = 0; i < nc; i++) {
		w.coef[i] = fixed ? fixed[i] : NAN;
		w.mask[i] = isnan(w.coef[i]);
		w.nmask += (size_t)w.mask[i];
		init[i] = 0;
		ps_all[i] = 1;
	}
	int trans = w.nmask > 0;
	for (int i = 0; i < spec->p; i++)
		if (!w.mask[i])
			trans = 0;
	for (int i = 0; i < spec->P; i++)
		if (!w.mask[(size_t)(spec->p + spec->q + i)])
			trans = 0;
	if (w.ncxreg) {
		size_t kx = w.ncxreg;
		int all_free = kx > 1;
		for (size_t c = 0; c < kx; c++)
			all_free = all_free && w.mask[narma + c];
		if (all_free) {
			V = malloc(kx * kx * sizeof *V);
			if (!V) {
				rc = fc_err_set(err, FC_ENOMEM, "%s: out of memory", name);
				goto out;
			}
			if (xreg_rotate(&w, V)) {
				free(V);
				V = NULL;
			}
		}
		double beta[FC_ARIMA_MAX_COEF], se[FC_ARIMA_MAX_COEF];
		if (regression_init(&w, beta, se)) {
			rc = fc_err_set(err, FC_EMODEL, "%s: the regressors are collinear (or constant where "
			                "the differencing removes a constant)", name);
			goto out;
		}
		for (size_t c = 0; c < kx; c++) {
			init[narma + c] = beta[c];
			ps_all[narma + c] = 10 * se[c];
			if (!(ps_all[narma + c] > 0) || !isfinite(ps_all[narma + c]))
				ps_all[narma + c] = 1;
		}
	}
	double par[FC_ARIMA_MAX_COEF], ps[FC_ARIMA_MAX_COEF];
	size_t k;
#define PACK()                                             \
	do {                                               \
		k = 0;                                     \
		for (size_t i_ = 0; i_ < nc; i_++)         \
			if (w.mask[i_]) {                  \
				par[k] = init[i_];         \
				ps[k++] = ps_all[i_];      \
			}                                  \
	} while (0)
	double fmin;
	int fail = 0;
	double coef[FC_ARIMA_MAX_COEF];
	size_t pq = (size_t)(spec->p + spec->q);
	if (method == FC_ARIMA_CSS || method == FC_ARIMA_CSS_ML) {
		w.ncond = w.nd + w.pp;
		PACK();
		if (bfgs(obj_css, &w, par, k, ps, BFGS_MAXIT, &fmin, &fail, w.work)) {
			rc = fc_err_set(err, FC_EMODEL, "%s: non-finite conditional sum of squares", name);
			goto out;
		}
		if (method == FC_ARIMA_CSS) {
			full_coef(&w, par, coef);
			trans_pars(&w, coef, 0);
			regress_out(&w, coef);
			size_t nu;
			double s2 = css_value(&w, &nu);
			double rss = 0;
			for (size_t t = 0; t < n; t++)
				if (!isnan(w.resid[t]))
					rss += w.resid[t] * w.resid[t];
			if (want_state) {
				init_state(&w);
				kalman_like(&w, w.x, n, NULL);
			}
			unrotate(&w, V, coef);
			memcpy(out->coef, coef, nc * sizeof *coef);
			out->sigma2_ss = s2;
			out->loglik = -0.5 * (2 * (double)n_used * fmin + (double)n_used +
			                      (double)n_used * log(2 * M_PI));
			out->aic = NAN;
			out->sigma2 = rss; /* divided below */
			goto finish;
		}
		if (!fail) {
			k = 0;
			for (size_t i = 0; i < nc; i++)
				if (w.mask[i])
					init[i] = par[k++];
		}
		if ((spec->p > 0 && !ar_check(init, (size_t)spec->p)) ||
		    (spec->P > 0 && !ar_check(init + pq, (size_t)spec->P))) {
			rc = fc_err_set(err, FC_EMODEL, "%s: non-stationary AR part from CSS", name);
			goto out;
		}
		w.ncond = 0;
	}
	if (trans) {
		double t[FC_ARIMA_MAX_COEF];
		if (spec->p > 0) {
			invpartrans((size_t)spec->p, init, t);
			memcpy(init, t, (size_t)spec->p * sizeof *t);
		}
		if (spec->P > 0) {
			invpartrans((size_t)spec->P, init + pq, t);
			memcpy(init + pq, t, (size_t)spec->P * sizeof *t);
		}
		if (spec->q > 0)
			ma_invert(init + spec->p, (size_t)spec->q);
		if (spec->Q > 0)
			ma_invert(init + pq + spec->P, (size_t)spec->Q);
	}
	w.trans = trans;
	PACK();
	if (bfgs(obj_ml, &w, par, k, ps, BFGS_MAXIT, &fmin, &fail, w.work)) {
		rc = fc_err_set(err, FC_EMODEL, "%s: non-finite likelihood", name);
		goto out;
	}
	full_coef(&w, par, coef);
	if (trans) {
		int changed = 0;
		double before[FC_ARIMA_MAX_COEF];
		memcpy(before, coef, nc * sizeof *coef);
		int allq = 1, allQ = 1;
		for (int i = 0; i < spec->q; i++)
			allq = allq && w.mask[(size_t)spec->p + (size_t)i];
		for (int i = 0; i < spec->Q; i++)
			allQ = allQ && w.mask[pq + (size_t)spec->P + (size_t)i];
		if (spec->q > 0 && allq)
			ma_invert(coef + spec->p, (size_t)spec->q);
		if (spec->Q > 0 && allQ)
			ma_invert(coef + pq + spec->P, (size_t)spec->Q);
		for (size_t i = 0; i < nc; i++)
			if (coef[i] != before[i])
				changed = 1;
		if (changed) {
			k = 0;
			for (size_t i = 0; i < nc; i++)
				if (w.mask[i])
					par[k++] = coef[i];
			fmin = obj_ml(par, &w);
		}
		double t[FC_ARIMA_MAX_COEF];
		if (spec->p > 0) {
			partrans((size_t)spec->p, coef, t);
			memcpy(coef, t, (size_t)spec->p * sizeof *t);
		}
		if (spec->P > 0) {
			partrans((size_t)spec->P, coef + pq, t);
			memcpy(coef + pq, t, (size_t)spec->P * sizeof *t);
		}
	}
	{
		trans_pars(&w, coef, 0);
		regress_out(&w, coef);
		init_state(&w);
		like_out o = kalman_like(&w, w.x, n, NULL);
		unrotate(&w, V, coef);
		memcpy(out->coef, coef, nc * sizeof *coef);
		out->sigma2_ss = o.ssq / (double)n_used;
		double value = 2 * (double)n_used * fmin + (double)n_used + (double)n_used * log(2 * M_PI);
		out->loglik = -0.5 * value;
		out->aic = value + 2 * (double)w.nmask + 2;
		out->sigma2 = o.rss_std;
		if (isnan(value)) {
			rc = fc_err_set(err, FC_EMODEL, "%s: the likelihood is not finite", name);
			goto out;
		}
	}
finish:
	out->spec = *spec;
	out->method = method;
	out->ncoef = nc;
	out->nfree = w.nmask;
	out->intercept = spec->mean && spec->d + spec->D == 0;
	out->has_drift = spec->drift;
	out->nxreg = nx;
	out->n = n;
	out->n_used = n_used;
	{
		double npar = (double)w.nmask + 1;
		size_t ns = nobs - (size_t)spec->d - (size_t)spec->D * spec->m;
		out->nstar = ns;
		double nstar = (double)ns;
		out->aicc = out->aic + 2 * npar * (nstar / (nstar - npar - 1) - 1);
		out->bic = out->aic + npar * (log(nstar) - 2);
		out->sigma2 = out->sigma2 / (nstar - npar + 1);
	}
	out->converged = !fail;
	out->rd = w.rd;
	out->a = out->P = NULL;
	if (!want_state)
		goto out;
	out->a = malloc(w.rd * sizeof *out->a);
	out->P = malloc(w.rd * w.rd * sizeof *out->P);
	if (!out->a || !out->P) {
		free(out->a);
		free(out->P);
		out->a = out->P = NULL;
		rc = fc_err_set(err, FC_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	memcpy(out->a, w.a, w.rd * sizeof *out->a);
	memcpy(out->P, w.P, w.rd * w.rd * sizeof *out->P);
out:
#undef PACK
	free(V);
	ws_free(&w);
	return rc;
}

/* ---- forecasting ---------------------------------------------------------- */

int fc_arima_forecast(const fc_arima_fit *fit, size_t h, const double *xfuture, double *mean,
                      double *var, fc_err *err)
{
	if (fit->nxreg && !xfuture)
		return fc_err_set(err, FC_EINVAL, "arima: the future values of the regressors are needed");
	if (!fit->a || !fit->P)
		return fc_err_set(err, FC_EINVAL, "arima: the fit has no state to forecast from");
	arima_ws w;
	if (ws_init(&w, &fit->spec, NULL, 1, NULL, 0))
		return fc_err_set(err, FC_ENOMEM, "arima: out of memory");
	if (w.rd != fit->rd) {
		ws_free(&w);
		return fc_err_set(err, FC_EINVAL, "arima: inconsistent state");
	}
	size_t rd = w.rd, r = w.r;
	trans_pars(&w, fit->coef, 0);
	memcpy(w.a, fit->a, rd * sizeof *w.a);
	memcpy(w.P, fit->P, rd * rd * sizeof *w.P);
	for (size_t i = 0; i < h; i++) {
		predict_mean(&w, w.a, w.anew);
		memcpy(w.a, w.anew, rd * sizeof *w.a);
		predict_cov(&w);
		memcpy(w.P, w.Pnew, rd * rd * sizeof *w.P);
		double f = w.a[0];
		for (size_t k = 0; k < w.nd; k++)
			f += w.delta[k] * w.a[r + k];
		size_t c = w.narma;
		if (fit->intercept)
			f += fit->coef[c++];
		if (fit->has_drift)
			f += fit->coef[c++] * (double)(fit->n + i + 1);
		for (size_t j = 0; j < fit->nxreg; j++)
			f += fit->coef[c + j] * xfuture[j * h + i];
		mean[i] = f;
		if (var) {
			/* Z P Z' with Z = (1, 0.., delta) */
			double v = 0;
			for (size_t a = 0; a < rd; a++) {
				double za = a == 0 ? 1 : a >= r ? w.delta[a - r] : 0;
				if (za == 0)
					continue;
				for (size_t b = 0; b < rd; b++) {
					double zb = b == 0 ? 1 : b >= r ? w.delta[b - r] : 0;
					if (zb != 0)
						v += za * zb * w.P[a + rd * b];
				}
			}
			var[i] = v * fit->sigma2;
		}
	}
	ws_free(&w);
	return 0;
}

int fc_arima_anchor(fc_arima_fit *fit, const double *y, size_t n, const double *xreg, fc_err *err)
{
	if (fit->nxreg && !xreg)
		return fc_err_set(err, FC_EINVAL, "arima: the regressors of the newer data are needed");
	if (n == 0)
		return fc_err_set(err, FC_EMODEL, "arima: no data to re-anchor on");
	if (!fit->a || !fit->P)
		return fc_err_set(err, FC_EINVAL, "arima: the fit has no state to re-anchor");
	arima_ws w;
	if (ws_init(&w, &fit->spec, y, n, xreg, fit->nxreg))
		return fc_err_set(err, FC_ENOMEM, "arima: out of memory");
	if (w.rd != fit->rd) {
		ws_free(&w);
		return fc_err_set(err, FC_EINVAL, "arima: inconsistent state");
	}
	trans_pars(&w, fit->coef, 0);
	regress_out(&w, fit->coef);
	init_state(&w);
	kalman_like(&w, w.x, n, NULL);
	memcpy(fit->a, w.a, w.rd * sizeof *w.a);
	memcpy(fit->P, w.P, w.rd * w.rd * sizeof *w.P);
	fit->n = n;
	ws_free(&w);
	return 0;
}

double fc_arima_min_root(const fc_arima_fit *fit)
{
	arima_ws w;
	if (ws_init(&w, &fit->spec, NULL, 1, NULL, 0))
		return NAN;
	trans_pars(&w, fit->coef, 0);
	double minroot = 2;
	double c[FC_ARIMA_MAX_COEF + 512], mod[FC_ARIMA_MAX_COEF + 512];
	for (int part = 0; part < 2; part++) {
		size_t len = part == 0 ? w.pp : w.r - 1;
		const double *v = part == 0 ? w.phi : w.theta;
		if (part == 0 && fit->spec.p + fit->spec.P == 0)
			continue;
		if (part == 1 && fit->spec.q + fit->spec.Q == 0)
			continue;
		size_t last = 0;
		for (size_t i = 0; i < len; i++)
			if (fabs(v[i]) > 1e-8)
				last = i + 1;
		if (last == 0 || last > sizeof c / sizeof c[0])
			continue;
		for (size_t i = 0; i < last; i++)
			c[i] = part == 0 ? -v[i] : v[i];
		if (poly_roots(c, last, mod, NULL)) {
			minroot = 0;
			continue;
		}
		for (size_t i = 0; i < last; i++)
			if (mod[i] < minroot)
				minroot = mod[i];
	}
	ws_free(&w);
	return minroot;
}

int fc_arima_fit_copy(fc_arima_fit *dst, const fc_arima_fit *src)
{
	fc_arima_fit t = *src;
	if (!src->a || !src->P) {
		t.a = t.P = NULL;
		*dst = t;
		return 0;
	}
	t.a = malloc(src->rd * sizeof *t.a);
	t.P = malloc(src->rd * src->rd * sizeof *t.P);
	if (!t.a || !t.P) {
		free(t.a);
		free(t.P);
		return FC_ENOMEM;
	}
	memcpy(t.a, src->a, src->rd * sizeof *t.a);
	memcpy(t.P, src->P, src->rd * src->rd * sizeof *t.P);
	*dst = t;
	return 0;
}

void fc_arima_fit_dispose(fc_arima_fit *fit)
{
	if (!fit)
		return;
	free(fit->a);
	free(fit->P);
	fit->a = fit->P = NULL;
}

/* ---- KPSS ----------------------------------------------------------------- */

double fc_kpss_stat(const double *x, size_t n, size_t lags)
{
	long double mean = 0;
	for (size_t t = 0; t < n; t++)
		mean += x[t];
	mean /= (long double)n;
	long double S = 0, num = 0, s2 = 0;
	for (size_t t = 0; t < n; t++) {
		double e = x[t] - (double)mean;
		S += e;
		num += S * S;
		s2 += (long double)e * e;
	}
	double dn = (double)n;
	double nominator = (double)num / (dn * dn);
	double denom = (double)s2 / dn;
	for (size_t l = 1; l <= lags && l < n; l++) {
		long double c = 0;
		for (size_t t = l; t < n; t++)
			c += (long double)(x[t] - (double)mean) * (x[t - l] - (double)mean);
		denom += 2.0 / dn * (1 - (double)l / (double)(lags + 1)) * (double)c;
	}
	return nominator / denom;
}

/* ---- R's checkarima: standard errors from the optimizer's Hessian --------- */

/* R's optimhess: Hessian of f at x (unscaled) from central differences of
 * the numerical gradient, symmetrized.  H: n x n.  -1 when a gradient is
 * not finite. */
static int hessian(objfn f, void *ctx, const double *x, size_t n, const double *ps, double *H)
{
	double *b = malloc((4 * n + 1) * sizeof *b);
	if (!b)
		return FC_ENOMEM;
	double *tmp = b + n, *g1 = tmp + n, *g2 = g1 + n;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		b[i] = x[i] / ps[i];
	for (size_t i = 0; i < n && !rc; i++) {
		double eps = NDEPS / ps[i];
		double bi = b[i];
		b[i] = bi + eps;
		rc = grad(f, ctx, b, ps, tmp, n, g1);
		b[i] = bi - eps;
		if (!rc)
			rc = grad(f, ctx, b, ps, tmp, n, g2);
		b[i] = bi;
		for (size_t j = 0; j < n && !rc; j++)
			H[i * n + j] = (g1[j] - g2[j]) / (2 * eps * ps[i] * ps[j]);
	}
	for (size_t i = 0; i < n && !rc; i++)
		for (size_t j = 0; j < i; j++) {
			double t = 0.5 * (H[i * n + j] + H[j * n + i]);
			H[i * n + j] = H[j * n + i] = t;
		}
	free(b);
	return rc;
}

/* Inverse of the n x n matrix M (row-major) into Minv, as R's solve():
 * -1 when singular or its reciprocal 1-norm condition number is below
 * DBL_EPSILON. */
static int invert(const double *M, size_t n, double *Minv)
{
	gsl_matrix *A = gsl_matrix_alloc(n, n), *B = gsl_matrix_alloc(n, n);
	gsl_permutation *perm = gsl_permutation_alloc(n);
	int rc = -1, sign;
	if (!A || !B || !perm)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			gsl_matrix_set(A, i, j, M[i * n + j]);
	if (gsl_linalg_LU_decomp(A, perm, &sign))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (gsl_matrix_get(A, i, i) == 0)
			goto out;
	if (gsl_linalg_LU_invert(A, perm, B))
		goto out;
	double n1 = 0, n2 = 0;
	for (size_t j = 0; j < n; j++) {
		double c1 = 0, c2 = 0;
		for (size_t i = 0; i < n; i++) {
			c1 += fabs(M[i * n + j]);
			c2 += fabs(gsl_matrix_get(B, i, j));
		}
		n1 = fmax(n1, c1);
		n2 = fmax(n2, c2);
	}
	if (!(1 / (n1 * n2) >= DBL_EPSILON))
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			Minv[i * n + j] = gsl_matrix_get(B, i, j);
	rc = 0;
out:
	gsl_matrix_free(A);
	gsl_matrix_free(B);
	gsl_permutation_free(perm);
	return rc;
}

int fc_arima_se_check(const double *y, size_t n, const double *xreg, const fc_arima_fit *fit)
{
	const fc_arima_spec *spec = &fit->spec;
	if (fit->nfree == 0)
		return 0;
	arima_ws w;
	if (ws_init(&w, spec, y, n, xreg, fit->nxreg))
		return FC_ENOMEM;
	size_t nc = w.ncoef, k = 0;
	double ps_all[FC_ARIMA_MAX_COEF], par[FC_ARIMA_MAX_COEF], ps[FC_ARIMA_MAX_COEF];
	double raw[FC_ARIMA_MAX_COEF];
	memcpy(raw, fit->coef, nc * sizeof *raw);
	memcpy(w.coef, fit->coef, nc * sizeof *raw);
	w.nmask = nc;
	for (size_t i = 0; i < nc; i++) {
		w.mask[i] = 1; /* fits of the search estimate every coefficient */
		ps_all[i] = 1;
	}
	if (w.ncxreg) {
		double beta[FC_ARIMA_MAX_COEF], se[FC_ARIMA_MAX_COEF];
		regression_init(&w, beta, se); /* on failure se is NaN: parscale 1 */
		for (size_t c = 0; c < w.ncxreg; c++) {
			ps_all[w.narma + c] = 10 * se[c];
			if (!(ps_all[w.narma + c] > 0) || !isfinite(ps_all[w.narma + c]))
				ps_all[w.narma + c] = 1;
		}
	}
	size_t pq = (size_t)(spec->p + spec->q);
	int css = fit->method == FC_ARIMA_CSS;
	int trans = !css; /* R transforms whenever something is estimated */
	if (!css) {
		double t[FC_ARIMA_MAX_COEF];
		if (spec->p > 0) {
			invpartrans((size_t)spec->p, fit->coef, t);
			memcpy(raw, t, (size_t)spec->p * sizeof *t);
		}
		if (spec->P > 0) {
			invpartrans((size_t)spec->P, fit->coef + pq, t);
			memcpy(raw + pq, t, (size_t)spec->P * sizeof *t);
		}
	}
	for (size_t i = 0; i < nc; i++) {
		par[k] = raw[i];
		ps[k++] = ps_all[i];
	}
	double *H = malloc((3 * nc * nc + 1) * sizeof *H);
	if (!H) {
		ws_free(&w);
		return FC_ENOMEM;
	}
	double *Hi = H + nc * nc, *A = Hi + nc * nc;
	int rc;
	if (css) {
		w.ncond = w.nd + w.pp;
		rc = hessian(obj_css, &w, par, nc, ps, H);
	} else {
		w.trans = trans;
		rc = hessian(obj_ml, &w, par, nc, ps, H);
	}
	if (rc == 0) {
		for (size_t i = 0; i < nc * nc; i++)
			H[i] *= (double)fit->n_used;
		if (invert(H, nc, Hi))
			rc = 1;
	} else if (rc != FC_ENOMEM) {
		rc = 1;
	}
	if (rc == 0) {
		/* A: R's ARIMA_Gradtrans (forward differences of the PACF map) */
		for (size_t i = 0; i < nc; i++)
			for (size_t j = 0; j < nc; j++)
				A[i * nc + j] = i == j;
		if (!css) {
			const double eps = 1e-3;
			size_t blocks[2][2] = {{0, (size_t)spec->p}, {pq, (size_t)spec->P}};
			for (int bl = 0; bl < 2; bl++) {
				size_t v = blocks[bl][0], mp = blocks[bl][1];
				double w1[FC_ARIMA_MAX_COEF], w2[FC_ARIMA_MAX_COEF], w3[FC_ARIMA_MAX_COEF];
				if (mp == 0)
					continue;
				memcpy(w1, raw + v, mp * sizeof *w1);
				partrans(mp, w1, w2);
				for (size_t i = 0; i < mp; i++) {
					w1[i] += eps;
					partrans(mp, w1, w3);
					for (size_t j = 0; j < mp; j++)
						A[(i + v) * nc + (j + v)] = (w3[j] - w2[j]) / eps;
					w1[i] -= eps;
				}
			}
		}
		/* diag(A' Hi A) (R's A[i + j n] is our A[i * nc + j]: row i, column j) */
		for (size_t c = 0; c < nc && rc == 0; c++) {
			double s = 0;
			for (size_t i = 0; i < nc; i++)
				for (size_t j = 0; j < nc; j++)
					s += A[i * nc + c] * Hi[i * nc + j] * A[j * nc + c];
			if (!(s >= 0))
				rc = 1;
		}
	}
	free(H);
	ws_free(&w);
	return rc;
}
