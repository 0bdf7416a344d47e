/* Tests of the `arima` kind (src/models/arima/arima.c, arima_search.c): fixed-order
 * fits and automatic selection against fixtures computed by R's
 * forecast::Arima and forecast::auto.arima (tests/fixtures/arima.R),
 * including M3 and M4 series read from SHARED_DATA_DIR at run time (skipped
 * when absent), plus parameters, edge cases, save/load and re-anchoring.
 *
 * Tolerances, as issue 3 asks: for a fixed order the log-likelihood within
 * 1e-4 relative and coefficients within 1e-3 (absolute, relative for
 * |coef| > 1) of R's; forecasts and 80%/95% bounds within 0.5%; the
 * automatic search picks R's order on at least 85% of the series, and where
 * it differs (with the same d and D, so that AICc values are comparable) our
 * AICc is not worse than R's by more than 0.1.  Each fixture test prints its
 * measured agreement (run the program to see the numbers). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "forecast/model.h"
#include "models/arima/arima.h"
#include "data/arima_fixtures.h"
#include "data/arima_xreg_fixtures.h"

extern const fc_model_type *const fc_model_arima;

#ifndef SHARED_DATA_DIR
#define SHARED_DATA_DIR "/work/shared/data"
#endif

static const double LEVELS[2] = {80, 95};

#define LO(f, l, i) ((f).lo[(l) * (f).h + (i)])
#define HI(f, l, i) ((f).hi[(l) * (f).h + (i)])

static fc_series make_series(const double *y, size_t n, const double *period)
{
	fc_series s;
	memset(&s, 0, sizeof s);
	s.key = "";
	s.n = n;
	s.y = y;
	s.n_seasons = period && *period >= 2;
	s.seasons = period;
	return s;
}

static fc_model *fit_arima(const char *params, const fc_series *s)
{
	fc_err err;
	fc_err_clear(&err);
	fc_model *m = fc_model_alloc(fc_model_arima, &err);
	ck_assert_ptr_nonnull(m);
	if (params)
		ck_assert_msg(fc_model_set_params_text(m, params, &err) == 0, "params: %s", err.msg);
	int rc = fc_model_fit(m, s, &err);
	ck_assert_msg(rc == 0, "fit arima %s: %s", params ? params : "", err.msg);
	return m;
}

static void run_forecast(const fc_model *m, size_t h, fc_forecast *f)
{
	fc_err err;
	fc_err_clear(&err);
	ck_assert_int_eq(fc_forecast_init(f, h, LEVELS, 2, &err), 0);
	int rc = fc_model_forecast(m, f, &err);
	ck_assert_msg(rc == 0, "forecast: %s", err.msg);
}

/* The saved state of a model. */
static void saved_state(const fc_model *m, fc_buf *b)
{
	fc_err err;
	fc_buf_init(b);
	ck_assert_int_eq(fc_model_save(m, b, &err), 0);
}

static long state_long(const fc_buf *b, const char *key)
{
	const char *st = strstr(b->data, "\nstate ");
	ck_assert_ptr_nonnull(st);
	fc_buf t = {(char *)st + 7, strlen(st + 7), 0};
	long v;
	fc_err err;
	ck_assert_msg(fc_buf_get_long(&t, key, &v, &err) == 0, "%s", err.msg);
	return v;
}

static double state_double(const fc_buf *b, const char *key)
{
	const char *st = strstr(b->data, "\nstate ");
	ck_assert_ptr_nonnull(st);
	fc_buf t = {(char *)st + 7, strlen(st + 7), 0};
	double v;
	fc_err err;
	ck_assert_msg(fc_buf_get_double(&t, key, &v, &err) == 0, "%s", err.msg);
	return v;
}

/* ---- fixture series --------------------------------------------------------- */

/* The y column of id in SHARED_DATA_DIR/folder/train.csv (unique_id,ds,y,...). */
static double *read_shared(const char *folder, const char *id, size_t *n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s/train.csv", SHARED_DATA_DIR, folder);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[1024];
	size_t len = strlen(id), k = 0, cap = 0;
	double *y = NULL;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, id, len) != 0 || line[len] != ',') {
			if (k)
				break;
			continue;
		}
		char *p = strchr(line + len + 1, ',');
		if (!p)
			continue;
		if (k == cap) {
			cap = cap ? 2 * cap : 256;
			y = realloc(y, cap * sizeof *y);
			ck_assert_ptr_nonnull(y);
		}
		y[k++] = strtod(p + 1, NULL);
	}
	fclose(f);
	*n = k;
	return y;
}

/* Values of fixture series i (borrowed, or allocated into *owned); NULL
 * when a shared data file is missing. */
static const double *fx_values(size_t i, size_t *n, double **owned)
{
	const arima_fx_series *s = &arima_fx_series_tab[i];
	*owned = NULL;
	if (s->y) {
		*n = s->n;
		return s->y;
	}
	*owned = read_shared(s->folder, s->id, n);
	if (*owned && *n != s->n) {
		free(*owned);
		*owned = NULL;
	}
	return *owned;
}

/* Relative difference with a floor on the scale. */
static double reldiff(double a, double b, double scale)
{
	double s = fmax(fabs(b), scale);
	return s > 0 ? fabs(a - b) / s : fabs(a - b);
}

/* Largest relative difference of our forecast f from R's fixture. */
static double forecast_diff(const fc_forecast *f, const arima_fx_fit *fx)
{
	double worst = 0;
	for (size_t i = 0; i < fx->h; i++) {
		/* scale floor: the 95% half-width, for series near zero */
		double floor = 0.5 * (fx->hi95[i] - fx->lo95[i]);
		worst = fmax(worst, reldiff(f->mean[i], fx->mean_fc[i], floor));
		worst = fmax(worst, reldiff(LO(*f, 0, i), fx->lo80[i], floor));
		worst = fmax(worst, reldiff(HI(*f, 0, i), fx->hi80[i], floor));
		worst = fmax(worst, reldiff(LO(*f, 1, i), fx->lo95[i], floor));
		worst = fmax(worst, reldiff(HI(*f, 1, i), fx->hi95[i], floor));
	}
	return worst;
}

static double coef_diff(const double *a, const double *b, size_t n)
{
	double worst = 0;
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs(a[i] - b[i]) / fmax(1, fabs(b[i])));
	return worst;
}

/* ---- fixed orders ------------------------------------------------------------ */

START_TEST(test_r_fixed_orders)
{
	size_t cases = 0, skipped = 0, bad = 0;
	double max_ll = 0, max_coef = 0, max_fc = 0;
	printf("fixed-order fits against R's Arima():\n");
	for (size_t k = 0; k < ARIMA_FX_N_FITS; k++) {
		const arima_fx_fit *fx = &arima_fx_fits[k];
		if (fx->automatic)
			continue;
		const arima_fx_series *s = &arima_fx_series_tab[fx->series];
		double *owned;
		size_t n;
		const double *y = fx_values(fx->series, &n, &owned);
		if (!y) {
			skipped++;
			continue;
		}
		size_t lead = 0; /* Arima() keeps leading NAs; so do we here */
		fc_arima_spec spec = {fx->p, fx->d, fx->q, fx->P, fx->D, fx->Q, fx->m, 1, fx->drift};
		if (fx->P + fx->D + fx->Q == 0)
			spec.m = 1;
		fc_arima_fit fit;
		memset(&fit, 0, sizeof fit);
		fc_err err;
		int rc = fc_arima_estimate(y + lead, n - lead, NULL, 0, &spec, FC_ARIMA_CSS_ML, NULL, &fit, &err);
		ck_assert_msg(rc == 0, "%s: %s", s->name, err.msg);
		ck_assert_uint_eq(fit.ncoef, fx->ncoef);
		double dll = reldiff(fit.loglik, fx->loglik, 0);
		double dc = coef_diff(fit.coef, fx->coef, fx->ncoef);
		fc_forecast f;
		fc_err_clear(&err);
		ck_assert_int_eq(fc_forecast_init(&f, fx->h, LEVELS, 2, &err), 0);
		double *var = malloc(fx->h * sizeof *var);
		ck_assert_int_eq(fc_arima_forecast(&fit, fx->h, NULL, f.mean, var, &err), 0);
		for (size_t i = 0; i < fx->h; i++)
			var[i] = sqrt(var[i]);
		fc_forecast_normal_bounds(&f, var);
		free(var);
		double df = forecast_diff(&f, fx);
		int ok = dll <= 1e-4 && dc <= 1e-3 && df <= 0.005;
		char name[96];
		fc_arima_spec_name(&spec, name, sizeof name);
		printf("  %-4s %-18s %-36s loglik %.3e coef %.3e forecast %.3e\n", ok ? "ok" : "FAIL",
		       s->name, name, dll, dc, df);
		bad += !ok;
		cases++;
		max_ll = fmax(max_ll, dll);
		max_coef = fmax(max_coef, dc);
		max_fc = fmax(max_fc, df);
		fc_forecast_dispose(&f);
		fc_arima_fit_dispose(&fit);
		free(owned);
	}
	printf("fixed orders: %zu cases (%zu skipped: no shared data), %zu outside tolerance; max "
	       "loglik rel diff %.3e, coef diff %.3e, forecast/bounds rel diff %.3e\n",
	       cases, skipped, bad, max_ll, max_coef, max_fc);
	fflush(stdout);
	ck_assert_msg(bad == 0, "%zu fixed-order fits outside the tolerances", bad);
	ck_assert_uint_gt(cases, 10);
}
END_TEST

/* ---- automatic selection ------------------------------------------------------ */

START_TEST(test_r_automatic)
{
	size_t cases = 0, same = 0, skipped = 0, aicc_bad = 0, same_bad = 0, cmp_diff = 0;
	double max_ll = 0, max_coef = 0, max_fc = 0, worst_aicc = -INFINITY;
	printf("auto.arima against R:\n");
	for (size_t k = 0; k < ARIMA_FX_N_FITS; k++) {
		const arima_fx_fit *fx = &arima_fx_fits[k];
		if (!fx->automatic)
			continue;
		const arima_fx_series *s = &arima_fx_series_tab[fx->series];
		double *owned;
		size_t n;
		const double *y = fx_values(fx->series, &n, &owned);
		if (!y) {
			skipped++;
			continue;
		}
		double period = s->period;
		fc_series ser = make_series(y, n, &period);
		fc_model *m = fit_arima(NULL, &ser);
		fc_buf b;
		saved_state(m, &b);
		int p = (int)state_long(&b, "p"), d = (int)state_long(&b, "d"), q = (int)state_long(&b, "q");
		int P = (int)state_long(&b, "P"), D = (int)state_long(&b, "D"), Q = (int)state_long(&b, "Q");
		int mean = (int)state_long(&b, "mean"), drift = (int)state_long(&b, "drift");
		int has_const = drift || (mean && d + D == 0);
		int r_const = fx->mean || fx->drift;
		double aicc = state_double(&b, "aicc"), loglik = state_double(&b, "loglik");
		int match = p == fx->p && d == fx->d && q == fx->q && P == fx->P && D == fx->D &&
		            Q == fx->Q && has_const == r_const;
		cases++;
		char line[256];
		if (match) {
			same++;
			double *coef = NULL;
			size_t nc = (size_t)state_long(&b, "ncoef");
			if (nc) {
				const char *st = strstr(b.data, "\nstate ");
				fc_buf t = {(char *)st + 7, strlen(st + 7), 0};
				fc_err err;
				ck_assert_int_eq(fc_buf_get_doubles(&t, "coef", &coef, &nc, &err), 0);
			}
			ck_assert_uint_eq(nc, fx->ncoef);
			double dll = reldiff(loglik, fx->loglik, 0), dc = coef_diff(coef, fx->coef, nc);
			free(coef);
			fc_forecast f;
			run_forecast(m, fx->h, &f);
			double df = forecast_diff(&f, fx);
			fc_forecast_dispose(&f);
			int ok = dll <= 1e-4 && dc <= 1e-3 && df <= 0.005;
			same_bad += !ok;
			max_ll = fmax(max_ll, dll);
			max_coef = fmax(max_coef, dc);
			max_fc = fmax(max_fc, df);
			snprintf(line, sizeof line, "same   %s loglik %.2e coef %.2e fc %.2e", ok ? "ok" : "FAIL",
			         dll, dc, df);
		} else {
			double excess = aicc - fx->aicc;
			int comparable = d == fx->d && D == fx->D;
			if (comparable) {
				cmp_diff++;
				worst_aicc = fmax(worst_aicc, excess);
				aicc_bad += excess > 0.1;
			}
			snprintf(line, sizeof line,
			         "differs: ours (%d,%d,%d)(%d,%d,%d)%s AICc %.3f, R's AICc %.3f (%+.3f)%s", p, d,
			         q, P, D, Q, has_const ? "+c" : "", aicc, fx->aicc, excess,
			         comparable ? "" : " [other differencing: not comparable]");
		}
		printf("  %-18s R (%d,%d,%d)(%d,%d,%d)[%zu]%s %s\n", s->name, fx->p, fx->d, fx->q, fx->P,
		       fx->D, fx->Q, fx->m, r_const ? "+c" : "", line);
		fc_buf_dispose(&b);
		fc_model_free(m);
		free(owned);
	}
	double rate = cases ? (double)same / (double)cases : 0;
	fflush(stdout);
	printf("auto.arima: %zu series (%zu skipped), same order on %zu (%.1f%%); where the same: %zu "
	       "outside tolerance, max loglik %.3e coef %.3e forecast %.3e; where different with the "
	       "same differencing (%zu): worst AICc excess %.3f\n",
	       cases, skipped, same, 100 * rate, same_bad, max_ll, max_coef, max_fc, cmp_diff,
	       cmp_diff ? worst_aicc : 0.0);
	ck_assert_uint_ge(cases, 25);
	ck_assert_msg(rate >= 0.85, "R's order chosen on %.1f%% of the series (< 85%%)", 100 * rate);
	ck_assert_msg(same_bad == 0, "%zu same-order fits outside the tolerances", same_bad);
	ck_assert_msg(aicc_bad == 0, "%zu different choices with an AICc worse by > 0.1", aicc_bad);
}
END_TEST

/* ---- parameters and edge cases ------------------------------------------------ */

START_TEST(test_params)
{
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_arima, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(fc_model_set_param(m, "stepwise", "false", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "max_p", "3", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "seasonal", "false", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "ic", "bic", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "approximation", "true", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "order", "1,1,1", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "d", "auto", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "ic", "xyz", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "aicc, aic or bic"));
	ck_assert_int_eq(fc_model_set_param(m, "max_p", "-1", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "order", "1,1", &err), FC_EINVAL);
	ck_assert_int_eq(fc_model_set_param(m, "nope", "1", &err), FC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "stepwise"));
	/* save_params round trip */
	fc_buf b;
	fc_buf_init(&b);
	ck_assert_int_eq(fc_model_arima->save_params(m->params, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "stepwise=false"));
	ck_assert_ptr_nonnull(strstr(b.data, "max_p=3"));
	ck_assert_ptr_nonnull(strstr(b.data, "ic=bic"));
	fc_model *m2 = fc_model_alloc(fc_model_arima, &err);
	ck_assert_int_eq(fc_model_set_params_text(m2, b.data, &err), 0);
	ck_assert_int_eq(memcmp(m->params, m2->params, fc_model_arima->params_size), 0);
	fc_model_free(m2);
	fc_buf_dispose(&b);
	fc_model_free(m);
}
END_TEST

START_TEST(test_constant_series)
{
	double y[40];
	for (int i = 0; i < 40; i++)
		y[i] = 7.5;
	double period = 12;
	fc_series s = make_series(y, 40, &period);
	fc_model *m = fit_arima(NULL, &s);
	fc_forecast f;
	run_forecast(m, 5, &f);
	for (int i = 0; i < 5; i++) {
		ck_assert_double_eq_tol(f.mean[i], 7.5, 1e-12);
		ck_assert_double_eq_tol(HI(f, 1, i) - LO(f, 1, i), 0, 1e-9);
	}
	fc_forecast_dispose(&f);
	fc_model_free(m);
}
END_TEST

START_TEST(test_short_and_gaps)
{
	/* n < 2m: no seasonal differencing test, still a model */
	double y[20];
	for (int i = 0; i < 20; i++)
		y[i] = 100 + 10 * sin(i * 2 * M_PI / 12) + i;
	double period = 12;
	fc_series s = make_series(y, 20, &period);
	fc_model *m = fit_arima(NULL, &s);
	fc_forecast f;
	run_forecast(m, 12, &f);
	for (int i = 0; i < 12; i++)
		ck_assert(isfinite(f.mean[i]) && LO(f, 1, i) <= f.mean[i] && f.mean[i] <= HI(f, 1, i));
	fc_forecast_dispose(&f);
	fc_model_free(m);

	/* leading, interior and trailing gaps: fitted by predict-only steps;
	 * the forecast starts after the trailing gap */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	double z[120], e_prev = 0;
	for (int i = 0; i < 120; i++) {
		double e = gsl_ran_gaussian(r, 1);
		z[i] = (i ? 0.6 * (z[i - 1] - 50) : 0) + 50 + e + 0.3 * e_prev;
		e_prev = e;
	}
	gsl_rng_free(r);
	double zg[120];
	memcpy(zg, z, sizeof z);
	zg[0] = zg[1] = NAN;
	zg[40] = zg[41] = zg[77] = NAN;
	zg[118] = zg[119] = NAN;
	fc_series sg = make_series(zg, 120, NULL);
	m = fit_arima("order=1,0,1", &sg);
	run_forecast(m, 3, &f);
	/* one step past the end of a series whose last two values are missing
	 * is three steps past the last observation */
	fc_series s118 = make_series(zg, 118, NULL);
	fc_model *m2 = fit_arima("order=1,0,1", &s118);
	fc_forecast f2;
	run_forecast(m2, 3, &f2);
	ck_assert_double_eq_tol(f.mean[0], f2.mean[2], 1e-9 * fabs(f2.mean[2]));
	ck_assert_double_eq_tol(HI(f, 1, 0), HI(f2, 1, 2), 1e-9 * fabs(HI(f2, 1, 2)));
	fc_buf b;
	saved_state(m, &b);
	ck_assert_int_eq(state_long(&b, "lead"), 2);
	ck_assert_int_eq(state_long(&b, "method"), FC_ARIMA_ML); /* gaps: no CSS */
	fc_buf_dispose(&b);
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&f2);
	fc_model_free(m);
	fc_model_free(m2);
	/* automatic selection works with gaps too */
	m = fit_arima(NULL, &sg);
	fc_model_free(m);
}
END_TEST

/* Scaling y by c multiplies forecasts by c and leaves ARMA coefficients
 * alone; the log-likelihood shifts by -n_used log c. */
START_TEST(test_magnitudes)
{
	const arima_fx_series *s = &arima_fx_series_tab[0]; /* AirPassengers */
	size_t n = s->n;
	double *y = malloc(n * sizeof *y);
	fc_arima_spec spec = {0, 1, 1, 0, 1, 1, 12, 1, 0};
	fc_arima_fit base, fit;
	fc_err err;
	memset(&base, 0, sizeof base);
	ck_assert_int_eq(fc_arima_estimate(s->y, n, NULL, 0, &spec, FC_ARIMA_CSS_ML, NULL, &base, &err), 0);
	double mb[12], mf[12];
	ck_assert_int_eq(fc_arima_forecast(&base, 12, NULL, mb, NULL, &err), 0);
	const double scales[2] = {1e9, 1e-9};
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < n; i++)
			y[i] = s->y[i] * scales[k];
		memset(&fit, 0, sizeof fit);
		ck_assert_int_eq(fc_arima_estimate(y, n, NULL, 0, &spec, FC_ARIMA_CSS_ML, NULL, &fit, &err), 0);
		for (size_t i = 0; i < 2; i++)
			ck_assert_double_eq_tol(fit.coef[i], base.coef[i], 1e-3);
		ck_assert_double_eq_tol(fit.loglik, base.loglik - (double)base.n_used * log(scales[k]),
		                        1e-4 * fabs(base.loglik));
		ck_assert_int_eq(fc_arima_forecast(&fit, 12, NULL, mf, NULL, &err), 0);
		for (int i = 0; i < 12; i++)
			ck_assert_double_eq_tol(mf[i] / scales[k], mb[i], 0.005 * mb[i]);
		fc_arima_fit_dispose(&fit);
		/* and the automatic search copes */
		double period = 12;
		fc_series ser = make_series(y, n, &period);
		fc_model *m = fit_arima(NULL, &ser);
		fc_forecast f;
		run_forecast(m, 12, &f);
		for (int i = 0; i < 12; i++)
			ck_assert(isfinite(f.mean[i]) && fabs(f.mean[i] / scales[k] - mb[i]) < 0.2 * mb[i]);
		fc_forecast_dispose(&f);
		fc_model_free(m);
	}
	fc_arima_fit_dispose(&base);
	free(y);
}
END_TEST

/* A random walk with drift is differenced once (KPSS), a stationary AR(1)
 * with phi = 0.5 is not. */
START_TEST(test_unit_root)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 11);
	double y[200], z[200];
	y[0] = 10;
	z[0] = 0;
	for (int i = 1; i < 200; i++) {
		y[i] = y[i - 1] + 0.2 + gsl_ran_gaussian(r, 1);
		z[i] = 0.5 * z[i - 1] + gsl_ran_gaussian(r, 1);
	}
	gsl_rng_free(r);
	fc_series s = make_series(y, 200, NULL);
	fc_model *m = fit_arima(NULL, &s);
	fc_buf b;
	saved_state(m, &b);
	ck_assert_int_eq(state_long(&b, "d"), 1);
	fc_buf_dispose(&b);
	fc_model_free(m);
	s = make_series(z, 200, NULL);
	m = fit_arima(NULL, &s);
	saved_state(m, &b);
	ck_assert_int_eq(state_long(&b, "d"), 0);
	fc_buf_dispose(&b);
	fc_model_free(m);
	/* KPSS statistic by hand on a tiny series, lag 1 */
	double x[5] = {1, 3, 2, 5, 4};
	/* mean 3, e = -2 0 -1 2 1, S = -2 -2 -3 -1 0: sum S^2 = 18;
	 * s2 = 10/5 = 2; lag-1 cov = (0*-2 + -1*0 + 2*-1 + 1*2) = 0 */
	ck_assert_double_eq_tol(fc_kpss_stat(x, 5, 1), (18.0 / 25) / 2.0, 1e-12);
}
END_TEST

START_TEST(test_save_load_anchor)
{
	const arima_fx_series *s = &arima_fx_series_tab[0];
	double period = 12;
	fc_series ser = make_series(s->y, 120, &period);
	fc_model *m = fit_arima(NULL, &ser);
	fc_buf b;
	saved_state(m, &b);
	char *nl = strchr(b.data, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = 0;
	const char *params = b.data + strlen("params ");
	const char *state = nl + 1 + strlen("state ");
	fc_err err;
	fc_model *m2 = fc_model_load(fc_model_arima, params, state, &err);
	ck_assert_msg(m2 != NULL, "load: %s", err.msg);
	fc_forecast f1, f2;
	run_forecast(m, 24, &f1);
	run_forecast(m2, 24, &f2);
	for (int i = 0; i < 24; i++) {
		ck_assert_double_eq(f1.mean[i], f2.mean[i]);
		ck_assert_double_eq(HI(f1, 1, i), HI(f2, 1, i));
	}
	fc_forecast_dispose(&f2);
	/* re-anchor on all 144 values: forecasts start after them, coefficients kept */
	fc_series full = make_series(s->y, s->n, &period);
	ck_assert_int_eq(fc_model_anchor(m2, &full, &err), 0);
	run_forecast(m2, 24, &f2);
	/* the same as forecasting 24 + 24 steps would not be: it has seen the data */
	ck_assert(fabs(f2.mean[0] - s->y[143]) < 0.2 * s->y[143]);
	fc_buf b2;
	saved_state(m2, &b2);
	ck_assert_int_eq(state_long(&b2, "n"), 144);
	fc_buf_dispose(&b2);
	fc_forecast_dispose(&f1);
	fc_forecast_dispose(&f2);
	/* corrupt states are rejected */
	ck_assert_ptr_null(fc_model_load(fc_model_arima, params, "p=1", &err));
	fc_buf_dispose(&b);
	fc_model_free(m);
	fc_model_free(m2);
}
END_TEST

START_TEST(test_long_period_nonseasonal)
{
	/* m = 48 > 24: modelled without a seasonal part */
	double y[300];
	for (int i = 0; i < 300; i++)
		y[i] = 10 + sin(i * 2 * M_PI / 48) + 0.01 * i + 0.1 * cos(i * 1.3);
	double period = 48;
	fc_series s = make_series(y, 300, &period);
	fc_model *m = fit_arima(NULL, &s);
	fc_buf b;
	saved_state(m, &b);
	ck_assert_int_eq(state_long(&b, "m"), 1);
	/* the seasonality by Fourier terms: the forecasts follow the sine */
	ck_assert_int_ge(state_long(&b, "fourier_k"), 1);
	fc_forecast f;
	run_forecast(m, 48, &f);
	for (int i = 0; i < 48; i++) {
		double truth = 10 + sin((300 + i) * 2 * M_PI / 48) + 0.01 * (300 + i);
		ck_assert_msg(fabs(f.mean[i] - truth) < 0.3, "step %d: %g vs %g", i + 1, f.mean[i], truth);
	}
	fc_forecast_dispose(&f);
	/* with fourier=0: no Fourier terms (the old non-seasonal model) */
	fc_model *m0 = fit_arima("fourier=0", &s);
	fc_buf b0;
	saved_state(m0, &b0);
	ck_assert_ptr_null(strstr(b0.data, "fourier_k="));
	fc_buf_dispose(&b0);
	fc_model_free(m0);
	/* save/load keeps the Fourier regressors: the same forecasts */
	char *nl = strchr(b.data, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = 0;
	fc_err err;
	fc_model *m2 = fc_model_load(fc_model_arima, b.data + strlen("params "),
	                             nl + 1 + strlen("state "), &err);
	ck_assert_msg(m2 != NULL, "load: %s", err.msg);
	fc_forecast f2;
	run_forecast(m, 48, &f);
	run_forecast(m2, 48, &f2);
	for (int i = 0; i < 48; i++)
		ck_assert_double_eq(f.mean[i], f2.mean[i]);
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&f2);
	/* re-anchored on the same data: the same forecasts again */
	ck_assert_int_eq(fc_model_anchor(m2, &s, &err), 0);
	run_forecast(m2, 48, &f2);
	run_forecast(m, 48, &f);
	for (int i = 0; i < 48; i++)
		ck_assert_double_eq_tol(f.mean[i], f2.mean[i], 1e-9 * fabs(f.mean[i]));
	fc_forecast_dispose(&f);
	fc_forecast_dispose(&f2);
	fc_model_free(m2);
	fc_buf_dispose(&b);
	fc_model_free(m);
}
END_TEST

START_TEST(test_errors)
{
	double y[3] = {NAN, NAN, NAN};
	fc_series s = make_series(y, 3, NULL);
	fc_err err;
	fc_model *m = fc_model_alloc(fc_model_arima, &err);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "no observed"));
	/* a seasonal order without a period */
	double z[30];
	for (int i = 0; i < 30; i++)
		z[i] = i % 5;
	s = make_series(z, 30, NULL);
	ck_assert_int_eq(fc_model_set_param(m, "order", "0,0,0", &err), 0);
	ck_assert_int_eq(fc_model_set_param(m, "seasonal_order", "1,0,0", &err), 0);
	ck_assert_int_eq(fc_model_fit(m, &s, &err), FC_EMODEL);
	fc_model_free(m);
}
END_TEST

START_TEST(test_deterministic)
{
	const arima_fx_series *s = &arima_fx_series_tab[0];
	double period = 12;
	fc_series ser = make_series(s->y, s->n, &period);
	fc_model *a = fit_arima("stepwise=false", &ser), *b = fit_arima("stepwise=false", &ser);
	fc_buf x, y;
	saved_state(a, &x);
	saved_state(b, &y);
	ck_assert_str_eq(x.data, y.data);
	fc_buf_dispose(&x);
	fc_buf_dispose(&y);
	fc_model_free(a);
	fc_model_free(b);
}
END_TEST

/* ---- regression with ARIMA errors and Fourier terms --------------------------- */

/* Seatbelts' regressors used by case c, columns of rows [from, from + len). */
static size_t xr_columns(const xr_fx_case *c, size_t from, size_t len, double *X)
{
	size_t k = 0;
	if (c->law) {
		memcpy(X + k * len, xr_seatbelts_law + from, len * sizeof *X);
		k++;
	}
	if (c->petrol) {
		memcpy(X + k * len, xr_seatbelts_petrol + from, len * sizeof *X);
		k++;
	}
	return k;
}

START_TEST(test_r_xreg_fixed)
{
	size_t bad = 0;
	double max_ll = 0, max_coef = 0, max_fc = 0;
	for (size_t i = 0; i < XR_FX_N_CASES; i++) {
		const xr_fx_case *c = &xr_fx_cases[i];
		double X[2 * 180], Xf[2 * 12];
		size_t nx = xr_columns(c, 0, 180, X);
		xr_columns(c, 180, 12, Xf);
		fc_arima_spec spec = {c->p, c->d, c->q, c->P, c->D, c->Q, c->P + c->D + c->Q > 0 ? 12 : 1,
		                      c->mean, c->drift};
		fc_arima_fit fit;
		memset(&fit, 0, sizeof fit);
		fc_err err;
		int rc = fc_arima_estimate(xr_seatbelts_y, 180, X, nx, &spec, FC_ARIMA_CSS_ML, NULL, &fit,
		                           &err);
		ck_assert_msg(rc == 0, "case %zu: %s", i + 1, err.msg);
		ck_assert_uint_eq(fit.ncoef, c->ncoef);
		ck_assert_uint_eq(fit.nxreg, nx);
		double mean[12], var[12];
		ck_assert_int_eq(fc_arima_forecast(&fit, 12, Xf, mean, var, &err), 0);
		/* without the future regressors: a clear error */
		ck_assert_int_eq(fc_arima_forecast(&fit, 12, NULL, mean, var, &err), FC_EINVAL);
		double ll = reldiff(fit.loglik, c->loglik, 0), cf = coef_diff(fit.coef, c->coef, c->ncoef);
		double fc = 0;
		for (size_t t = 0; t < 12; t++) {
			double floor = 0.5 * (c->hi95[t] - c->lo95[t]), sd = sqrt(var[t]);
			fc = fmax(fc, reldiff(mean[t], c->mean_fc[t], floor));
			fc = fmax(fc, reldiff(mean[t] - 1.959963984540054 * sd, c->lo95[t], floor));
			fc = fmax(fc, reldiff(mean[t] + 1.959963984540054 * sd, c->hi95[t], floor));
		}
		int ok = ll <= 1e-4 && cf <= 1e-3 && fc <= 0.005;
		printf("  Seatbelts case %zu (%d,%d,%d)(%d,%d,%d)[12] %zu regressors%s%s: loglik %.2e coef "
		       "%.2e fc %.2e %s\n", i + 1, c->p, c->d, c->q, c->P, c->D, c->Q, nx,
		       c->mean && c->d + c->D == 0 ? " + intercept" : "", c->drift ? " + drift" : "", ll,
		       cf, fc, ok ? "ok" : "FAIL");
		bad += !ok;
		max_ll = fmax(max_ll, ll);
		max_coef = fmax(max_coef, cf);
		max_fc = fmax(max_fc, fc);
		fc_arima_fit_dispose(&fit);
	}
	printf("regression with ARIMA errors: %zu cases, %zu outside tolerance; max loglik %.2e coef "
	       "%.2e forecast/bounds %.2e\n", (size_t)XR_FX_N_CASES, bad, max_ll, max_coef, max_fc);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(test_xreg_degenerate)
{
	/* collinear, constant-after-differencing and too many regressors: errors, not crashes */
	const double *y = xr_seatbelts_y;
	double X[3 * 180];
	memcpy(X, xr_seatbelts_petrol, 180 * sizeof *X);
	memcpy(X + 180, xr_seatbelts_petrol, 180 * sizeof *X); /* the same column twice */
	fc_arima_spec s = {1, 0, 0, 0, 0, 0, 1, 1, 0};
	fc_arima_fit fit;
	memset(&fit, 0, sizeof fit);
	fc_err err;
	ck_assert_int_eq(fc_arima_estimate(y, 180, X, 2, &s, FC_ARIMA_CSS_ML, NULL, &fit, &err),
	                 FC_EMODEL);
	ck_assert_ptr_nonnull(strstr(err.msg, "collinear"));
	for (size_t t = 0; t < 180; t++)
		X[t] = 5; /* constant: the intercept's twin */
	ck_assert_int_eq(fc_arima_estimate(y, 180, X, 1, &s, FC_ARIMA_CSS_ML, NULL, &fit, &err),
	                 FC_EMODEL);
	fc_arima_spec s1 = {0, 1, 1, 0, 0, 0, 1, 1, 0};
	/* a constant column vanishes with the difference and is degenerate undifferenced
	 * only with an intercept: without one it is a level shift R can estimate */
	int rc = fc_arima_estimate(y, 180, X, 1, &s1, FC_ARIMA_CSS_ML, NULL, &fit, &err);
	ck_assert(rc == 0 || rc == FC_EMODEL);
	if (rc == 0)
		fc_arima_fit_dispose(&fit);
	ck_assert_int_eq(fc_arima_estimate(y, 180, X, FC_ARIMA_MAX_COEF + 1, &s, FC_ARIMA_CSS_ML, NULL,
	                                   &fit, &err), FC_EINVAL);
}
END_TEST

START_TEST(test_r_fourier)
{
	size_t cases = 0, same = 0, worse = 0, fc_bad = 0;
	for (size_t i = 0; i < XR_FX_N_FOURIER; i++) {
		const xr_fx_fourier *fx = &xr_fx_fouriers[i];
		size_t n;
		double *y = read_shared(fx->folder, fx->id, &n);
		if (!y || n != fx->n) {
			free(y);
			printf("  %s %s: skipped (no shared data)\n", fx->folder, fx->id);
			continue;
		}
		double period = fx->period;
		fc_series ser = make_series(y, n, &period);
		fc_model *m = fit_arima(NULL, &ser);
		fc_buf b;
		saved_state(m, &b);
		int K = (int)state_long(&b, "fourier_k"), p = (int)state_long(&b, "p");
		int d = (int)state_long(&b, "d"), q = (int)state_long(&b, "q");
		int cst = state_long(&b, "drift") || (state_long(&b, "mean") && d == 0);
		double aicc = state_double(&b, "aicc");
		fc_buf_dispose(&b);
		cases++;
		int match = K == fx->K && p == fx->p && d == fx->d && q == fx->q && cst == fx->constant;
		fc_forecast f;
		run_forecast(m, fx->h, &f);
		double worst = 0;
		for (size_t t = 0; t < fx->h; t++)
			worst = fmax(worst, reldiff(f.mean[t], fx->mean_fc[t], 1e-9));
		printf("  %s %s period %g: R K=%d (%d,%d,%d)%s AICc %.3f; ours K=%d (%d,%d,%d)%s AICc %.3f; "
		       "forecast diff %.2e\n", fx->folder, fx->id, fx->period, fx->K, fx->p, fx->d, fx->q,
		       fx->constant ? "+c" : "", fx->aicc, K, p, d, q, cst ? "+c" : "", aicc, worst);
		if (match) {
			same++;
			fc_bad += worst > 0.005;
		} else if (d == fx->d && aicc > fx->aicc + 0.1) {
			worse++;
		}
		fc_forecast_dispose(&f);
		fc_model_free(m);
		free(y);
	}
	printf("Fourier-term auto.arima: %zu series, same K and order on %zu; %zu with a worse AICc, %zu "
	       "same-model forecasts outside 0.5%%\n", cases, same, worse, fc_bad);
	ck_assert_uint_eq(worse, 0);
	ck_assert_uint_eq(fc_bad, 0);
}
END_TEST

static Suite *arima_suite(void)
{
	Suite *su = suite_create("arima");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_constant_series);
	tcase_add_test(tc, test_short_and_gaps);
	tcase_add_test(tc, test_magnitudes);
	tcase_add_test(tc, test_unit_root);
	tcase_add_test(tc, test_save_load_anchor);
	tcase_add_test(tc, test_long_period_nonseasonal);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_xreg_degenerate);
	suite_add_tcase(su, tc);
	TCase *tr = tcase_create("r_fixtures");
	tcase_set_timeout(tr, 600);
	tcase_add_test(tr, test_r_fixed_orders);
	tcase_add_test(tr, test_r_automatic);
	tcase_add_test(tr, test_r_xreg_fixed);
	tcase_add_test(tr, test_r_fourier);
	suite_add_tcase(su, tr);
	return su;
}

int main(void)
{
	gsl_set_error_handler_off();
	SRunner *sr = srunner_create(arima_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
