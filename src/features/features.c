/* The feature pipeline: spec parsing, reversible target transforms, the
 * featurizer (column layout plus a table of the time-dependent features
 * over the panel's common time grid) and the row function that both the
 * training pivot (pivot.c) and recursive forecasting call.
 *
 * The features follow the lag/window recipe of the M5 winners' LightGBM
 * pipelines (Makridakis, Spiliotis & Assimakopoulos, "M5 accuracy
 * competition: results, findings and conclusions", IJF 38(4), 2022,
 * section 4) and of Azure AutoML's forecasting featurizer: lags of the
 * target, aggregates of rolling windows that end `shift` steps before the
 * target, calendar fields and holiday distances.
 *
 * Definitions at time index t with e = t - shift (the newest value a row
 * may read):
 *   lag L            z[t - L]                         (NaN when t < L)
 *   window w, agg    over z[e - w + 1 .. e], missing values skipped;
 *                    NaN until the window is full (pandas' default
 *                    min_periods) or when it holds no value (std: < 2)
 *   ewm alpha        sum_j a (1-a)^j z[e - j] / sum_j a (1-a)^j over the
 *                    non-missing terms, j < J where (1-a)^J < 1e-4: the
 *                    "adjusted" EWM (pandas ewm(adjust=True)) truncated
 *                    where the weights no longer matter, so that a row
 *                    needs no state carried from earlier rows
 *   seasonal k       mean of z[t - j m], j = 1..k with j m >= shift
 *   expanding mean   mean of z[0 .. e]
 * Time-dependent features (calendar, Fourier, holidays) are looked up in a
 * table indexed by the position on the common grid, so rows of different
 * series at the same timestamp share them, and future rows (up to
 * spec->horizon steps past the longest series) are in the table too.
 *
 * Omissions: group-specific events (--events with group columns) and
 * holiday features for sub-daily data beyond the date's own flags. */
#include "forecast/features.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features_private.h"
#include "core/numeric.h"

#define EWM_TAIL 1e-4
#define MAX_WINDOW 10000

fc_feature_spec fc_feature_spec_default(void)
{
	fc_feature_spec s;
	memset(&s, 0, sizeof s);
	s.n_lags = 7;
	for (size_t i = 0; i < 7; i++)
		s.lags[i] = i + 1;
	s.shift = 1;
	s.n_windows = 2;
	s.windows[0] = 7;
	s.windows[1] = 28;
	s.aggs = FC_FAGG_MEAN | FC_FAGG_STD;
	s.calendar = FC_CAL_AUTO;
	s.hol_clip = 30;
	return s;
}

/* ---- parsers --------------------------------------------------------------- */

static int parse_size(const char *s, const char *end, size_t lo, size_t hi, size_t *out)
{
	if (s == end || !isdigit((unsigned char)*s))
		return -1;
	size_t v = 0;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (size_t)(*s - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = v;
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Sorts and deduplicates v[0..*n). */
static void sort_unique(size_t *v, size_t *n)
{
	qsort(v, *n, sizeof *v, cmp_size);
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	*n = k;
}

/* Comma-separated items, each "a" or (ranges allowed) "a-b". */
static int parse_list(const char *s, int ranges, size_t lo, size_t hi, size_t *v, size_t cap,
                      size_t *n_out)
{
	size_t n = 0;
	const char *p = s;
	if (!*p)
		return -1;
	for (;;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *dash = ranges ? memchr(p, '-', (size_t)(end - p)) : NULL;
		size_t a, b;
		if (dash) {
			if (parse_size(p, dash, lo, hi, &a) || parse_size(dash + 1, end, lo, hi, &b) || b < a)
				return -1;
		} else {
			if (parse_size(p, end, lo, hi, &a))
				return -1;
			b = a;
		}
		for (size_t x = a; x <= b; x++) {
			if (n == cap)
				return -2;
			v[n++] = x;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	sort_unique(v, &n);
	*n_out = n;
	return 0;
}

int fc_feature_parse_lags(const char *s, fc_feature_spec *spec, fc_err *err)
{
	if (strcmp(s, "none") == 0) {
		spec->n_lags = 0;
		return 0;
	}
	int rc = parse_list(s, 1, 1, FC_FEAT_MAX_LAG, spec->lags, FC_FEAT_MAX_LAGS, &spec->n_lags);
	if (rc == -2)
		return fc_err_set(err, FC_EINVAL, "--lags: at most %d lags, got '%s'", FC_FEAT_MAX_LAGS, s);
	if (rc)
		return fc_err_set(err, FC_EINVAL,
		                  "--lags: expected lags and ranges between 1 and %d such as "
		                  "'1-7,14,28', 'auto' or 'none'; got '%s'",
		                  FC_FEAT_MAX_LAG, s);
	return 0;
}

int fc_feature_parse_windows(const char *s, fc_feature_spec *spec, fc_err *err)
{
	if (strcmp(s, "none") == 0) {
		spec->n_windows = 0;
		return 0;
	}
	int rc = parse_list(s, 0, 2, MAX_WINDOW, spec->windows, FC_FEAT_MAX_WINDOWS, &spec->n_windows);
	if (rc == -2)
		return fc_err_set(err, FC_EINVAL, "--windows: at most %d windows, got '%s'",
		                  FC_FEAT_MAX_WINDOWS, s);
	if (rc)
		return fc_err_set(err, FC_EINVAL,
		                  "--windows: expected window lengths between 2 and %d such as "
		                  "'7,28', or 'none'; got '%s'",
		                  MAX_WINDOW, s);
	return 0;
}

/* Splits a comma list and calls match(name) for each item; match returns
 * a bit or 0 for an unknown name. */
static int parse_names(const char *s, unsigned (*match)(const char *), unsigned *bits)
{
	char buf[256];
	if (!*s || strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	unsigned out = 0;
	char *save;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned b = match(tok);
		if (!b)
			return -1;
		out |= b;
	}
	*bits = out;
	return 0;
}

static unsigned agg_bit(const char *n)
{
	static const struct { const char *name; unsigned bit; } t[] = {
		{"mean", FC_FAGG_MEAN}, {"std", FC_FAGG_STD}, {"min", FC_FAGG_MIN},
		{"max", FC_FAGG_MAX},   {"sum", FC_FAGG_SUM},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(n, t[i].name) == 0)
			return t[i].bit;
	return 0;
}

int fc_feature_parse_aggs(const char *s, fc_feature_spec *spec, fc_err *err)
{
	/* "ewm" or "ewm0.3" adds an exponentially weighted mean */
	char buf[256];
	if (!*s || strlen(s) >= sizeof buf)
		goto bad;
	strcpy(buf, s);
	unsigned bits = 0;
	size_t n_ewm = 0;
	double alpha[FC_FEAT_MAX_EWM];
	char *save;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "ewm", 3) == 0) {
			double a = 0.3;
			if (tok[3]) {
				char *end;
				errno = 0;
				a = strtod(tok + 3, &end);
				if (*end || errno || !(a > 0 && a < 1))
					goto bad;
			}
			if (n_ewm == FC_FEAT_MAX_EWM)
				goto bad;
			alpha[n_ewm++] = a;
			continue;
		}
		unsigned b = agg_bit(tok);
		if (!b)
			goto bad;
		bits |= b;
	}
	spec->aggs = bits;
	spec->n_ewm = n_ewm;
	memcpy(spec->ewm_alpha, alpha, n_ewm * sizeof alpha[0]);
	return 0;
bad:
	return fc_err_set(err, FC_EINVAL,
	                  "--agg: expected a list of mean, std, min, max, sum and ewm (alpha 0.3) "
	                  "or ewmA with 0 < A < 1, e.g. 'mean,std,ewm0.1'; got '%s'",
	                  s);
}

static unsigned cal_bit(const char *n)
{
	static const struct { const char *name; unsigned bit; } t[] = {
		{"hour", FC_CAL_HOUR},       {"dow", FC_CAL_DOW},   {"dom", FC_CAL_DOM},
		{"doy", FC_CAL_DOY},         {"week", FC_CAL_WEEK}, {"month", FC_CAL_MONTH},
		{"quarter", FC_CAL_QUARTER}, {"year", FC_CAL_YEAR}, {"weekend", FC_CAL_WEEKEND},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(n, t[i].name) == 0)
			return t[i].bit;
	return 0;
}

int fc_feature_parse_calendar(const char *s, fc_feature_spec *spec, fc_err *err)
{
	if (strcmp(s, "auto") == 0)
		spec->calendar = FC_CAL_AUTO;
	else if (strcmp(s, "none") == 0)
		spec->calendar = 0;
	else if (strcmp(s, "all") == 0)
		spec->calendar = FC_CAL_ALL;
	else if (parse_names(s, cal_bit, &spec->calendar))
		return fc_err_set(err, FC_EINVAL,
		                  "--calendar: expected auto, none, all or a list of hour, dow, dom, "
		                  "doy, week, month, quarter, year, weekend; got '%s'",
		                  s);
	return 0;
}

int fc_feature_parse_transform(const char *s, fc_feature_spec *spec, fc_err *err)
{
	static const char *const names[] = {"none", "standard", "robust", "log1p", "diff", "sdiff"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			spec->transform = (fc_target_tf)i;
			return 0;
		}
	}
	return fc_err_set(err, FC_EINVAL,
	                  "--transform: expected none, standard, robust, log1p, diff or sdiff; got '%s'",
	                  s);
}

int fc_feature_parse_holiday_window(const char *s, fc_feature_spec *spec, fc_err *err)
{
	char *end;
	errno = 0;
	long a = strtol(s, &end, 10);
	long b = 0;
	int ok = !errno && end != s && *end == ',';
	if (ok) {
		const char *p = end + 1;
		b = strtol(p, &end, 10);
		ok = !errno && end != p && !*end;
	}
	if (!ok || a > 0 || a < -30 || b < 0 || b > 30)
		return fc_err_set(err, FC_EINVAL,
		                  "--holiday-window: expected BEFORE,AFTER with -30 <= BEFORE <= 0 <= "
		                  "AFTER <= 30, e.g. '-2,1'; got '%s'",
		                  s);
	spec->hol_before = (int)-a;
	spec->hol_after = (int)b;
	return 0;
}

/* ---- target transforms ----------------------------------------------------- */

/* Quantile of sorted v[0..n) by linear interpolation (R's type 7). */
static double quantile_sorted(const double *v, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

int fc_transform_apply(fc_target_tf kind, size_t m, const double *y, size_t n, double *z,
                       fc_transform *tr, fc_err *err)
{
	fc_transform t = {.kind = kind, .loc = 0, .scale = 1, .m = m < 1 ? 1 : m};
	size_t n_obs = 0;
	for (size_t i = 0; i < n; i++)
		n_obs += !isnan(y[i]);
	if (n_obs == 0)
		return fc_err_set(err, FC_EMODEL, "no observed value to transform");
	switch (kind) {
	case FC_TF_NONE:
		memcpy(z, y, n * sizeof *z);
		break;
	case FC_TF_STANDARD: {
		double mean = 0, ss = 0;
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (isnan(y[i]))
				continue;
			k++;
			double d = y[i] - mean;
			mean += d / (double)k; /* Welford */
			ss += d * (y[i] - mean);
		}
		double sd = k > 1 ? sqrt(ss / (double)(k - 1)) : 0;
		t.loc = mean;
		t.scale = sd > 0 ? sd : 1;
		break;
	}
	case FC_TF_ROBUST: {
		double *v = malloc(n_obs * sizeof *v);
		if (!v)
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!isnan(y[i]))
				v[k++] = y[i];
		qsort(v, k, sizeof *v, fc_cmp_double);
		t.loc = quantile_sorted(v, k, 0.5);
		double iqr = quantile_sorted(v, k, 0.75) - quantile_sorted(v, k, 0.25);
		t.scale = iqr > 0 ? iqr : 1;
		free(v);
		break;
	}
	case FC_TF_LOG1P:
		for (size_t i = 0; i < n; i++)
			if (y[i] <= -1)
				return fc_err_set(err, FC_EINPUT,
				                  "log1p transform: value %g at position %zu is <= -1", y[i],
				                  i + 1);
		break;
	case FC_TF_DIFF:
	case FC_TF_SDIFF:
		break;
	}
	if (kind != FC_TF_NONE) {
		size_t lag = kind == FC_TF_DIFF ? 1 : t.m;
		for (size_t i = 0; i < n; i++) {
			switch (kind) {
			case FC_TF_STANDARD:
			case FC_TF_ROBUST: z[i] = (y[i] - t.loc) / t.scale; break;
			case FC_TF_LOG1P: z[i] = log1p(y[i]); break;
			default: z[i] = i >= lag ? y[i] - y[i - lag] : NAN; break;
			}
		}
	}
	*tr = t;
	return 0;
}

/* The newest non-missing value of the series y[0..n) extended by yf[0..k)
 * at position n + k - lag, else its newest earlier non-missing value at a
 * multiple of lag before (for sdiff the same phase), else 0. */
static double base_value(const double *y, size_t n, const double *yf, size_t k, size_t lag)
{
	for (long pos = (long)(n + k) - (long)lag; pos >= 0; pos -= (long)lag) {
		double v = (size_t)pos >= n ? yf[(size_t)pos - n] : y[pos];
		if (!isnan(v))
			return v;
	}
	return 0;
}

void fc_transform_invert(const fc_transform *tr, const double *y, size_t n, const double *zf,
                         size_t h, double *yf)
{
	for (size_t k = 0; k < h; k++) {
		switch (tr->kind) {
		case FC_TF_NONE: yf[k] = zf[k]; break;
		case FC_TF_STANDARD:
		case FC_TF_ROBUST: yf[k] = zf[k] * tr->scale + tr->loc; break;
		case FC_TF_LOG1P: yf[k] = expm1(zf[k]); break;
		case FC_TF_DIFF: yf[k] = zf[k] + base_value(y, n, yf, k, 1); break;
		case FC_TF_SDIFF: yf[k] = zf[k] + base_value(y, n, yf, k, tr->m); break;
		}
	}
}

/* ---- calendar helpers -------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t fc_feat_day_of(fc_time t)
{
	return floor_div(t, 86400);
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int day_of_year(int y, int mo, int d)
{
	static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	return cum[mo - 1] + d + (mo > 2 && is_leap(y));
}

/* ISO 8601 week number of a date with weekday wd (0 = Monday). */
static int iso_week(int y, int doy, int wd)
{
	int w = (doy - (wd + 1) + 10) / 7;
	if (w < 1) {
		/* the last week of the previous year: 53 when that year's Jan 1
		 * was a Thursday, or a Wednesday in a leap year */
		int py = y - 1;
		int pdoy = doy + 365 + is_leap(py);
		return (pdoy - (wd + 1) + 10) / 7;
	}
	/* Jan 1 weekday of y */
	int jan1 = ((wd - (doy - 1)) % 7 + 7) % 7;
	int weeks = 52 + (jan1 == 3 || (jan1 == 2 && is_leap(y)));
	return w > weeks ? 1 : w;
}

/* ---- featurizer ------------------------------------------------------------- */

enum { MAX_COL_NAME = 48 };

void fc_featurizer_free(fc_featurizer *f)
{
	if (!f)
		return;
	free(f->names);
	free(f->categorical);
	free(f->table);
	free(f->offset);
	free(f->group_code);
	free(f->kf_index);
	free(f->po_index);
	free(f->ev_off);
	free(f->ev_day);
	free(f->ev_id);
	free(f->grid_lo);
	free(f->grid_hi);
	free(f);
}

size_t fc_featurizer_ncols(const fc_featurizer *f)
{
	return f->n_cols;
}

size_t fc_featurizer_n_known_future(const fc_featurizer *f)
{
	return f->n_kf;
}

size_t fc_featurizer_known_future(const fc_featurizer *f, size_t j)
{
	return j < f->n_kf ? f->kf_index[j] : (size_t)-1;
}

const unsigned char *fc_featurizer_categorical_flags(const fc_featurizer *f)
{
	return f->categorical;
}

const char *fc_featurizer_colname(const fc_featurizer *f, size_t c)
{
	return c < f->n_cols ? f->names + c * MAX_COL_NAME : NULL;
}

int fc_featurizer_categorical(const fc_featurizer *f, size_t c)
{
	return c < f->n_cols && f->categorical[c];
}

/* Resolves FC_CAL_AUTO: the fields that vary from one step to the next at
 * this frequency (hour only below a day, weekday fields only below a
 * week, and so on); year always. */
static unsigned auto_calendar(fc_freq f)
{
	unsigned b = FC_CAL_YEAR;
	switch (f.unit) {
	case FC_UNIT_SECOND:
	case FC_UNIT_MINUTE:
	case FC_UNIT_HOUR: b |= FC_CAL_HOUR; /* fall through */
	case FC_UNIT_DAY: b |= FC_CAL_DOW | FC_CAL_DOM | FC_CAL_DOY | FC_CAL_WEEKEND; /* fall through */
	case FC_UNIT_WEEK: b |= FC_CAL_WEEK; /* fall through */
	case FC_UNIT_MONTH: b |= FC_CAL_MONTH; /* fall through */
	case FC_UNIT_QUARTER: b |= FC_CAL_QUARTER; break;
	default: break;
	}
	return b;
}

static int add_col(fc_featurizer *f, size_t cap, int categorical, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int add_col(fc_featurizer *f, size_t cap, int categorical, const char *fmt, ...)
{
	if (f->n_cols == cap)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->names + f->n_cols * MAX_COL_NAME, MAX_COL_NAME, fmt, ap);
	va_end(ap);
	f->categorical[f->n_cols++] = (unsigned char)categorical;
	return 0;
}

static int find_name(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == len && strncmp(p, name, len) == 0)
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

/* First index of day >= d in the sorted holiday days. */
static size_t hol_lower(const fc_holiday_days *h, int64_t d)
{
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)h->day[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int is_holiday(const fc_holiday_days *h, int64_t d)
{
	size_t i = hol_lower(h, d);
	return i < h->n && h->day[i] == d;
}

/* The days [*a, *b) that timestamp ts stands for: its own day for daily
 * and finer data; for coarser data the week or end-anchored month ending at
 * it, else the period starting at it (pandas' labelling of W-xxx, M and
 * MS; Walmart's weeks end on the Friday that labels them). */
static void period_days(const fc_featurizer *f, fc_time ts, int64_t *a, int64_t *b)
{
	if (f->hol_daily) {
		*a = fc_feat_day_of(ts);
		*b = *a + 1;
	} else if (f->freq.unit == FC_UNIT_WEEK || f->freq.anchor == FC_ANCHOR_END) {
		*a = fc_feat_day_of(fc_freq_add(f->freq, ts, -1)) + 1;
		*b = fc_feat_day_of(ts) + 1;
	} else {
		*a = fc_feat_day_of(ts);
		*b = fc_feat_day_of(fc_freq_add(f->freq, ts, 1));
	}
}

/* Fills the time table row of grid position g with timestamp ts. */
static void time_row(const fc_featurizer *f, fc_time ts, size_t g, float *out)
{
	const fc_feature_spec *sp = &f->spec;
	size_t c = 0;
	if (f->cal) {
		int y, mo, d, hh, mi, se;
		fc_time_to_civil(ts, &y, &mo, &d, &hh, &mi, &se);
		int wd = fc_time_weekday(ts);
		int doy = day_of_year(y, mo, d);
		if (f->cal & FC_CAL_HOUR) out[c++] = (float)hh;
		if (f->cal & FC_CAL_DOW) out[c++] = (float)wd;
		if (f->cal & FC_CAL_DOM) out[c++] = (float)d;
		if (f->cal & FC_CAL_DOY) out[c++] = (float)doy;
		if (f->cal & FC_CAL_WEEK) out[c++] = (float)iso_week(y, doy, wd);
		if (f->cal & FC_CAL_MONTH) out[c++] = (float)mo;
		if (f->cal & FC_CAL_QUARTER) out[c++] = (float)((mo - 1) / 3 + 1);
		if (f->cal & FC_CAL_YEAR) out[c++] = (float)y;
		if (f->cal & FC_CAL_WEEKEND) out[c++] = (float)(wd >= 5);
	}
	for (size_t p = 0; p < f->n_fourier_periods; p++) {
		double P = f->seasons[p];
		/* the phase of grid position g; fmod keeps the argument small so
		 * that positions a cycle apart give the same float */
		double ph = fmod((double)g, P) / P;
		for (size_t k = 1; k <= sp->fourier_k; k++) {
			double a = 2 * M_PI * (double)k * ph;
			out[c++] = (float)sin(a);
			out[c++] = (float)cos(a);
		}
	}
	const fc_holiday_days *h = sp->holidays;
	if (h) {
		if (f->hol_daily) {
			int64_t day = fc_feat_day_of(ts);
			size_t i = hol_lower(h, day);
			int on = i < h->n && h->day[i] == day;
			out[c++] = (float)on;
			out[c++] = on ? (float)h->id[i] : 0.0f;
			double to_next = i < h->n ? (double)(h->day[i] - day) : sp->hol_clip;
			double since = on ? 0 : i > 0 ? (double)(day - h->day[i - 1]) : sp->hol_clip;
			out[c++] = (float)fmin(to_next, sp->hol_clip);
			out[c++] = (float)fmin(since, sp->hol_clip);
			for (int k = 1; k <= sp->hol_before; k++)
				out[c++] = (float)is_holiday(h, day + k);
			for (int k = 1; k <= sp->hol_after; k++)
				out[c++] = (float)is_holiday(h, day - k);
		} else {
			int64_t a, b; /* [a, b) in days */
			period_days(f, ts, &a, &b);
			size_t i = hol_lower(h, a), count = 0;
			int32_t first_id = 0, last_day = INT32_MIN;
			for (size_t j = i; j < h->n && h->day[j] < b; j++) {
				if (h->day[j] != last_day)
					count++;
				last_day = h->day[j];
				if (!first_id)
					first_id = h->id[j];
			}
			out[c++] = (float)count;
			out[c++] = (float)first_id;
		}
	}
}

/* Whether series s matches an event group "col=value;col=value". */
static int event_applies(const fc_series *s, const char *group, const char *const *group_names,
                         size_t *bad_len, const char **bad)
{
	for (const char *p = group; *p;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (!eq) {
			*bad = p;
			*bad_len = len;
			return -1;
		}
		size_t kl = (size_t)(eq - p), g = 0;
		while (g < s->n_groups && !(group_names && strlen(group_names[g]) == kl &&
		                            strncmp(group_names[g], p, kl) == 0))
			g++;
		if (g == s->n_groups) {
			*bad = p;
			*bad_len = kl;
			return -1;
		}
		size_t vl = len - kl - 1;
		const char *v = s->group_values[g];
		if (strlen(v) != vl || strncmp(v, eq + 1, vl) != 0)
			return 0;
		if (!end)
			break;
		p = end + 1;
	}
	return 1;
}

/* Per-series event lists (CSR) and the days each grid position covers. */
static int prepare_events(fc_featurizer *f, const char *const *group_names, fc_err *err)
{
	const fc_holiday_days *ev = f->spec.events;
	size_t ns = f->n_series;
	f->ev_off = malloc((ns + 1) * sizeof *f->ev_off);
	f->grid_lo = malloc(f->grid * sizeof *f->grid_lo);
	f->grid_hi = malloc(f->grid * sizeof *f->grid_hi);
	if (!f->ev_off || !f->grid_lo || !f->grid_hi)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	/* which groups apply to which series: one pass per group */
	unsigned char *match = calloc(ns * (ev->n_groups ? ev->n_groups : 1), 1);
	if (!match)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t gi = 0; gi < ev->n_groups; gi++)
		for (size_t s = 0; s < ns; s++) {
			const char *bad = NULL;
			size_t bad_len = 0;
			int m = event_applies(&f->series[s], ev->groups[gi], group_names, &bad_len, &bad);
			if (m < 0) {
				free(match);
				return fc_err_set(err, FC_EINVAL,
				                  "events: '%.*s' is not a group column of the data (an event's "
				                  "extra columns must name group columns)",
				                  (int)bad_len, bad);
			}
			match[gi * ns + s] = (unsigned char)m;
		}
	size_t total = 0;
	for (size_t s = 0; s < ns; s++) {
		f->ev_off[s] = total;
		for (size_t i = 0; i < ev->n; i++) {
			int32_t gi = ev->group ? ev->group[i] : -1;
			total += gi < 0 || match[(size_t)gi * ns + s];
		}
	}
	f->ev_off[ns] = total;
	f->ev_day = malloc((total ? total : 1) * sizeof *f->ev_day);
	f->ev_id = malloc((total ? total : 1) * sizeof *f->ev_id);
	if (!f->ev_day || !f->ev_id) {
		free(match);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	for (size_t s = 0, k = 0; s < ns; s++)
		for (size_t i = 0; i < ev->n; i++) {
			int32_t gi = ev->group ? ev->group[i] : -1;
			if (gi < 0 || match[(size_t)gi * ns + s]) {
				f->ev_day[k] = ev->day[i];
				f->ev_id[k++] = ev->id[i];
			}
		}
	free(match);
	for (size_t g = 0; g < f->grid; g++) {
		fc_time ts = fc_freq_add(f->freq, f->t0, (int64_t)g);
		int64_t a, b;
		period_days(f, ts, &a, &b);
		f->grid_lo[g] = (int32_t)a;
		f->grid_hi[g] = (int32_t)b;
	}
	return 0;
}

typedef struct group_ref {
	const char *value;
	size_t s;
} group_ref;

static int cmp_group_ref(const void *a, const void *b)
{
	const group_ref *x = a, *y = b;
	int c = strcmp(x->value, y->value);
	return c ? c : (x->s > y->s) - (x->s < y->s);
}

int fc_featurizer_alloc(const fc_feature_spec *spec, const fc_series *series, size_t n_series,
                        fc_freq freq, const double *seasons, size_t n_seasons,
                        const char *const *exog_names, size_t n_exog,
                        const char *const *group_names, fc_featurizer **out, fc_err *err)
{
	if (spec->shift < 1)
		return fc_err_set(err, FC_EINVAL, "features: shift must be at least 1");
	for (size_t i = 0; i < spec->n_lags; i++)
		if (spec->lags[i] < spec->shift)
			return fc_err_set(err, FC_EINVAL,
			                  "features: lag %zu is shorter than the forecast shift %zu: its "
			                  "value would not be known when forecasting",
			                  spec->lags[i], spec->shift);
	if (n_series == 0)
		return fc_err_set(err, FC_EINVAL, "features: no series");
	if (spec->transform == FC_TF_SDIFF && !(n_seasons && seasons[0] >= 2))
		return fc_err_set(err, FC_EINVAL,
		                  "--transform sdiff: the data have no seasonal period (give one with "
		                  "--season)");
	unsigned cal = spec->calendar & FC_CAL_AUTO ? auto_calendar(freq) : spec->calendar & FC_CAL_ALL;
	if (freq.unit == FC_UNIT_STEP && (cal || spec->holidays || spec->events)) {
		if (spec->calendar & FC_CAL_AUTO && !spec->holidays && !spec->events)
			cal = 0;
		else
			return fc_err_set(err, FC_EINVAL,
			                  "features: calendar and holiday features need calendar dates, "
			                  "but the time column holds integer steps");
	}
	fc_featurizer *f = calloc(1, sizeof *f);
	if (!f)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	f->spec = *spec;
	sort_unique(f->spec.windows, &f->spec.n_windows);
	spec = &f->spec;
	f->series = series;
	f->n_series = n_series;
	f->freq = freq;
	f->cal = cal;
	f->n_exog = n_exog;
	f->hol_daily = freq.unit <= FC_UNIT_DAY;
	f->n_seasons = n_seasons < FC_MAX_SEASONS ? n_seasons : FC_MAX_SEASONS;
	if (f->n_seasons)
		memcpy(f->seasons, seasons, f->n_seasons * sizeof seasons[0]);
	f->m = f->n_seasons && seasons[0] >= 2 ? (size_t)llround(seasons[0]) : 1;
	f->n_fourier_periods = spec->fourier_k ? f->n_seasons : 0;
	int rc = FC_ENOMEM;

	/* exogenous split */
	f->kf_index = malloc((n_exog + 1) * sizeof *f->kf_index);
	f->po_index = malloc((n_exog + 1) * sizeof *f->po_index);
	if (!f->kf_index || !f->po_index)
		goto fail;
	if (spec->known_future && *spec->known_future) {
		for (const char *p = spec->known_future; *p;) {
			const char *end = strchr(p, ',');
			size_t l = end ? (size_t)(end - p) : strlen(p);
			size_t j = 0;
			while (j < n_exog && !(strlen(exog_names[j]) == l && strncmp(exog_names[j], p, l) == 0))
				j++;
			if (j == n_exog) {
				rc = fc_err_set(err, FC_EINVAL,
				                "--known-future: '%.*s' is not an exogenous column of the data",
				                (int)l, p);
				goto fail;
			}
			if (!end)
				break;
			p = end + 1;
		}
	}
	for (size_t j = 0; j < n_exog; j++) {
		if (spec->known_future && find_name(spec->known_future, exog_names[j]))
			f->kf_index[f->n_kf++] = j;
		else
			f->po_index[f->n_po++] = j;
	}

	/* columns */
	size_t n_ewm = spec->n_ewm, n_aggs = (size_t)__builtin_popcount(spec->aggs);
	size_t cap = spec->n_lags + spec->n_windows * n_aggs + n_ewm + 2 + 16 + 4 +
	             2 * spec->fourier_k * f->n_seasons + 6 + (size_t)spec->hol_before +
	             (size_t)spec->hol_after + n_exog + series[0].n_groups;
	f->names = calloc(cap, MAX_COL_NAME);
	f->categorical = calloc(cap, 1);
	if (!f->names || !f->categorical)
		goto fail;
	for (size_t i = 0; i < spec->n_lags; i++)
		add_col(f, cap, 0, "lag_%zu", spec->lags[i]);
	static const char *const agg_names[] = {"mean", "std", "min", "max", "sum"};
	for (size_t w = 0; w < spec->n_windows; w++)
		for (size_t a = 0; a < 5; a++)
			if (spec->aggs & (1u << a))
				add_col(f, cap, 0, "win%zu_%s", spec->windows[w], agg_names[a]);
	for (size_t k = 0; k < n_ewm; k++)
		add_col(f, cap, 0, "ewm_%g", spec->ewm_alpha[k]);
	f->seasonal_on = spec->seasonal_k > 0 && f->m >= 2;
	if (f->seasonal_on)
		add_col(f, cap, 0, "seas%zu_mean%zu", f->m, spec->seasonal_k);
	if (spec->expanding_mean)
		add_col(f, cap, 0, "expanding_mean");
	f->first_time_col = f->n_cols;
	static const char *const cal_names[] = {"hour", "dow", "dom", "doy", "week",
	                                        "month", "quarter", "year", "weekend"};
	for (size_t b = 0; b < 9; b++)
		if (cal & (1u << b))
			add_col(f, cap, 0, "%s", cal_names[b]);
	for (size_t p = 0; p < f->n_fourier_periods; p++)
		for (size_t k = 1; k <= spec->fourier_k; k++) {
			add_col(f, cap, 0, "sin%g_%zu", f->seasons[p], k);
			add_col(f, cap, 0, "cos%g_%zu", f->seasons[p], k);
		}
	if (spec->holidays) {
		if (f->hol_daily) {
			add_col(f, cap, 0, "holiday");
			add_col(f, cap, 1, "holiday_id");
			add_col(f, cap, 0, "days_to_holiday");
			add_col(f, cap, 0, "days_since_holiday");
			for (int k = 1; k <= spec->hol_before; k++)
				add_col(f, cap, 0, "holiday_in_%d", k);
			for (int k = 1; k <= spec->hol_after; k++)
				add_col(f, cap, 0, "holiday_ago_%d", k);
		} else {
			add_col(f, cap, 0, "holidays_in_period");
			add_col(f, cap, 1, "holiday_id");
		}
	}
	f->n_time_cols = f->n_cols - f->first_time_col;
	if (spec->events) {
		if (f->hol_daily) {
			add_col(f, cap, 0, "event");
			add_col(f, cap, 1, "event_id");
			add_col(f, cap, 0, "days_to_event");
			add_col(f, cap, 0, "days_since_event");
		} else {
			add_col(f, cap, 0, "events_in_period");
			add_col(f, cap, 1, "event_id");
		}
	}
	for (size_t j = 0; j < f->n_kf; j++)
		add_col(f, cap, 0, "%s", exog_names[f->kf_index[j]]);
	for (size_t j = 0; j < f->n_po; j++)
		add_col(f, cap, 0, "%s_lag%zu", exog_names[f->po_index[j]], spec->shift);

	/* group values as codes: the rank of the value among the distinct
	 * values of its column */
	size_t n_groups = spec->group_keys ? series[0].n_groups : 0;
	f->n_groups = n_groups;
	if (n_groups) {
		f->group_code = malloc(n_series * n_groups * sizeof *f->group_code);
		group_ref *ref = malloc(n_series * sizeof *ref);
		if (!f->group_code || !ref) {
			free(ref);
			goto fail;
		}
		for (size_t g = 0; g < n_groups; g++) {
			add_col(f, cap, 1, "%s_code", group_names ? group_names[g] : "group");
			for (size_t s = 0; s < n_series; s++)
				ref[s] = (group_ref){series[s].group_values[g], s};
			if (spec->group_levels) {
				/* the code book given: binary search */
				const char *const *lv = spec->group_levels[g];
				size_t nl = spec->n_group_levels[g];
				for (size_t s = 0; s < n_series; s++) {
					size_t lo = 0, hi = nl;
					while (lo < hi) {
						size_t mid = lo + (hi - lo) / 2;
						if (strcmp(lv[mid], series[s].group_values[g]) < 0)
							lo = mid + 1;
						else
							hi = mid;
					}
					f->group_code[s * n_groups + g] =
						lo < nl && strcmp(lv[lo], series[s].group_values[g]) == 0 ? (float)lo : NAN;
				}
				continue;
			}
			qsort(ref, n_series, sizeof *ref, cmp_group_ref);
			size_t rank = 0;
			for (size_t i = 0; i < n_series; i++) {
				if (i > 0 && strcmp(ref[i].value, ref[i - 1].value) != 0)
					rank++;
				f->group_code[ref[i].s * n_groups + g] = (float)rank;
			}
		}
		free(ref);
	}

	/* the common time grid */
	f->offset = malloc(n_series * sizeof *f->offset);
	if (!f->offset)
		goto fail;
	fc_time t0 = series[0].start;
	for (size_t s = 1; s < n_series; s++)
		if (series[s].start < t0)
			t0 = series[s].start;
	size_t grid = 0;
	for (size_t s = 0; s < n_series; s++) {
		int64_t k;
		if (fc_freq_steps(freq, t0, series[s].start, &k) || k < 0) {
			rc = fc_err_set(err, FC_EINVAL, "features: series %s does not start on the grid",
			                series[s].key);
			goto fail;
		}
		f->offset[s] = (size_t)k;
		if ((size_t)k + series[s].n > grid)
			grid = (size_t)k + series[s].n;
	}
	f->t0 = t0;
	f->grid = grid + spec->horizon;
	if (f->n_time_cols) {
		f->table = malloc(f->grid * f->n_time_cols * sizeof *f->table);
		if (!f->table)
			goto fail;
		for (size_t g = 0; g < f->grid; g++)
			time_row(f, fc_freq_add(freq, t0, (int64_t)g), g, f->table + g * f->n_time_cols);
	}
	if (spec->events && (rc = prepare_events(f, group_names, err)))
		goto fail;
	*out = f;
	return 0;
fail:
	if (rc == FC_ENOMEM)
		fc_err_set(err, FC_ENOMEM, "out of memory");
	fc_featurizer_free(f);
	return rc;
}

void fc_featurizer_prefix(const double *z, size_t n, double *prefix)
{
	prefix[0] = prefix[1] = 0;
	for (size_t i = 0; i < n; i++) {
		int ok = !isnan(z[i]);
		prefix[2 * i + 2] = prefix[2 * i] + (ok ? z[i] : 0);
		prefix[2 * i + 3] = prefix[2 * i + 1] + ok;
	}
}

/* Writes the aggregates (FC_FAGG order) of one window from the running
 * sums of v - ref over its k non-missing values. */
static size_t emit_window(double ref, double s1, double s2, double mn, double mx, size_t k,
                          unsigned aggs, float *out, size_t stride)
{
	size_t c = 0;
	double kd = (double)k;
	if (aggs & FC_FAGG_MEAN)
		out[c++ * stride] = k ? (float)(ref + s1 / kd) : NAN;
	if (aggs & FC_FAGG_STD) {
		double var = k > 1 ? (s2 - s1 * s1 / kd) / (kd - 1) : NAN;
		out[c++ * stride] = k > 1 ? (float)sqrt(var > 0 ? var : 0) : NAN;
	}
	if (aggs & FC_FAGG_MIN)
		out[c++ * stride] = k ? (float)mn : NAN;
	if (aggs & FC_FAGG_MAX)
		out[c++ * stride] = k ? (float)mx : NAN;
	if (aggs & FC_FAGG_SUM)
		out[c++ * stride] = k ? (float)(ref * kd + s1) : NAN;
	return c;
}

/* All the windows (ascending lengths, all ending at z[e]) in one backward
 * pass over the longest: each window's sums are the running sums when the
 * pass reaches its length.  The sums are of v - ref, ref the newest
 * observed value, so the variance by sum of squares does not cancel
 * catastrophically (Chan, Golub & LeVeque, "Algorithms for computing the
 * sample variance", Am. Stat. 37(3), 1983: the shifted formula).  A window
 * longer than the history is missing (pandas' min_periods = window). */
static size_t windows_row(const fc_feature_spec *sp, const double *z, int have, size_t e,
                          float *out, size_t stride)
{
	size_t n_aggs = (size_t)__builtin_popcount(sp->aggs), c = 0, wi = 0;
	if (have && sp->n_windows) {
		size_t reach = sp->windows[sp->n_windows - 1];
		if (reach > e + 1)
			reach = e + 1;
		double ref = 0;
		for (size_t j = 0; j < reach; j++)
			if (!isnan(z[e - j])) {
				ref = z[e - j];
				break;
			}
		/* Fast path for windows without missing values: branch-free
		 * sums (a missing value turns s1 into NaN, and then the careful
		 * path below redoes the work). */
		{
			double s1 = 0, s2 = 0, mn = INFINITY, mx = -INFINITY;
			size_t j = 0, c_fast = c, w_fast = wi;
			while (w_fast < sp->n_windows && sp->windows[w_fast] <= reach) {
				size_t end = sp->windows[w_fast];
				double a1[4] = {0, 0, 0, 0}, a2[4] = {0, 0, 0, 0};
				double lo[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
				double hi[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
				for (; j + 4 <= end; j += 4)
					for (size_t l = 0; l < 4; l++) {
						double v = z[e - j - l], dv = v - ref;
						a1[l] += dv;
						a2[l] += dv * dv;
						lo[l] = v < lo[l] ? v : lo[l];
						hi[l] = v > hi[l] ? v : hi[l];
					}
				for (; j < end; j++) {
					double v = z[e - j], dv = v - ref;
					a1[0] += dv;
					a2[0] += dv * dv;
					lo[0] = v < lo[0] ? v : lo[0];
					hi[0] = v > hi[0] ? v : hi[0];
				}
				s1 += (a1[0] + a1[1]) + (a1[2] + a1[3]);
				s2 += (a2[0] + a2[1]) + (a2[2] + a2[3]);
				for (size_t l = 0; l < 4; l++) {
					mn = lo[l] < mn ? lo[l] : mn;
					mx = hi[l] > mx ? hi[l] : mx;
				}
				c_fast += emit_window(ref, s1, s2, mn, mx, end, sp->aggs, out + c_fast * stride, stride);
				w_fast++;
			}
			if (!isnan(s1) && !isnan(s2)) {
				c = c_fast;
				wi = w_fast;
				goto rest;
			}
		}
		/* four independent partial sums per quantity, folded at each
		 * window boundary: the additions then do not wait on each other */
		double s1 = 0, s2 = 0, mn = INFINITY, mx = -INFINITY;
		size_t k = 0, j = 0;
		while (wi < sp->n_windows && sp->windows[wi] <= reach) {
			size_t end = sp->windows[wi];
			double a1[4] = {0, 0, 0, 0}, a2[4] = {0, 0, 0, 0};
			double lo[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
			double hi[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
			size_t ak[4] = {0, 0, 0, 0};
			for (; j + 4 <= end; j += 4)
				for (size_t l = 0; l < 4; l++) {
					double v = z[e - j - l];
					int ok = v == v;
					double dv = ok ? v - ref : 0;
					a1[l] += dv;
					a2[l] += dv * dv;
					ak[l] += (size_t)ok;
					lo[l] = ok && v < lo[l] ? v : lo[l];
					hi[l] = ok && v > hi[l] ? v : hi[l];
				}
			for (; j < end; j++) {
				double v = z[e - j];
				int ok = v == v;
				double dv = ok ? v - ref : 0;
				a1[0] += dv;
				a2[0] += dv * dv;
				ak[0] += (size_t)ok;
				lo[0] = ok && v < lo[0] ? v : lo[0];
				hi[0] = ok && v > hi[0] ? v : hi[0];
			}
			s1 += (a1[0] + a1[1]) + (a1[2] + a1[3]);
			s2 += (a2[0] + a2[1]) + (a2[2] + a2[3]);
			k += ak[0] + ak[1] + ak[2] + ak[3];
			for (size_t l = 0; l < 4; l++) {
				mn = lo[l] < mn ? lo[l] : mn;
				mx = hi[l] > mx ? hi[l] : mx;
			}
			/* windows of equal length were deduplicated */
			c += emit_window(ref, s1, s2, mn, mx, k, sp->aggs, out + c * stride, stride);
			wi++;
		}
	}
rest:
	for (; wi < sp->n_windows; wi++)
		for (size_t a = 0; a < n_aggs; a++)
			out[c++ * stride] = NAN;
	return c;
}

/* First index of d[0..n) >= x. */
static size_t lower_i32(const int32_t *d, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)d[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The event features of series s at grid position g. */
static size_t event_row(const fc_featurizer *f, size_t s, size_t g, float *out, size_t stride)
{
	const int32_t *d = f->ev_day + f->ev_off[s], *id = f->ev_id + f->ev_off[s];
	size_t n = f->ev_off[s + 1] - f->ev_off[s];
	int64_t a = f->grid_lo[g], b = f->grid_hi[g];
	size_t i = lower_i32(d, n, a);
	double clip = f->spec.hol_clip;
	if (f->hol_daily) {
		int on = i < n && d[i] == a;
		out[0] = (float)on;
		out[stride] = on ? (float)id[i] : 0.0f;
		out[2 * stride] = (float)fmin(i < n ? (double)(d[i] - a) : clip, clip);
		out[3 * stride] = (float)fmin(on ? 0 : i > 0 ? (double)(a - d[i - 1]) : clip, clip);
		return 4;
	}
	size_t count = 0;
	int32_t first_id = 0, last = INT32_MIN;
	for (size_t j = i; j < n && d[j] < b; j++) {
		count += d[j] != last;
		last = d[j];
		if (!first_id)
			first_id = id[j];
	}
	out[0] = (float)count;
	out[stride] = (float)first_id;
	return 2;
}

int fc_featurizer_row(const fc_featurizer *f, size_t s, const double *z, const double *prefix,
                      size_t t, const double *const *exog_future, float *row, size_t stride,
                      fc_err *err)
{
	const fc_feature_spec *sp = &f->spec;
	if (s >= f->n_series || f->offset[s] + t >= f->grid)
		return fc_err_set(err, FC_EINVAL,
		                  "features: time index %zu of series %zu is beyond the %zu steps "
		                  "the features were prepared for",
		                  t, s, f->grid - f->offset[s]);
	const fc_series *ser = &f->series[s];
	size_t g = f->offset[s] + t;
	size_t c = 0;
	const size_t shift = sp->shift;
	const int have = t >= shift; /* is z[e] defined */
	const size_t e = have ? t - shift : 0;
	for (size_t i = 0; i < sp->n_lags; i++)
		row[c++ * stride] = t >= sp->lags[i] ? (float)z[t - sp->lags[i]] : NAN;
	c += windows_row(sp, z, have, e, row + c * stride, stride);
	for (size_t k = 0; k < sp->n_ewm; k++) {
		double a = sp->ewm_alpha[k], q = 1 - a;
		size_t J = (size_t)ceil(log(EWM_TAIL) / log(q));
		double num = 0, den = 0, wgt = a;
		if (have)
			for (size_t j = 0; j < J && j <= e; j++, wgt *= q)
				if (!isnan(z[e - j])) {
					num += wgt * z[e - j];
					den += wgt;
				}
		row[c++ * stride] = den > 0 ? (float)(num / den) : NAN;
	}
	if (f->seasonal_on) {
		double sum = 0;
		size_t k = 0;
		for (size_t j = 1; j <= sp->seasonal_k; j++) {
			size_t back = j * f->m;
			if (back < shift || back > t)
				continue;
			double v = z[t - back];
			if (!isnan(v)) {
				sum += v;
				k++;
			}
		}
		row[c++ * stride] = k ? (float)(sum / (double)k) : NAN;
	}
	if (sp->expanding_mean) {
		/* mean of z[0..e] from the prefix sums and counts at e + 1 */
		double cnt = have ? prefix[2 * (e + 1) + 1] : 0;
		row[c++ * stride] = cnt > 0 ? (float)(prefix[2 * (e + 1)] / cnt) : NAN;
	}
	if (f->n_time_cols) {
		const float *tr = f->table + g * f->n_time_cols;
		for (size_t k = 0; k < f->n_time_cols; k++)
			row[c++ * stride] = tr[k];
	}
	if (f->ev_off)
		c += event_row(f, s, g, row + c * stride, stride);
	for (size_t j = 0; j < f->n_kf; j++) {
		double v = NAN;
		if (t < ser->n)
			v = ser->exog[f->kf_index[j]][t];
		else if (exog_future && exog_future[j])
			v = exog_future[j][t - ser->n];
		row[c++ * stride] = (float)v;
	}
	for (size_t j = 0; j < f->n_po; j++)
		row[c++ * stride] = have && e < ser->n ? (float)ser->exog[f->po_index[j]][e] : NAN;
	for (size_t gk = 0; gk < f->n_groups; gk++)
		row[c++ * stride] = f->group_code[s * f->n_groups + gk];
	return 0;
}

/* ---- automatic lags ---------------------------------------------------------- */

/* Sample autocorrelation of y (missing values skipped pairwise) at lags
 * 1..max_lag into r[1..max_lag]; r[k] = NaN when undefined. */
static void acf_direct(const double *y, size_t n, size_t max_lag, double *r)
{
	double mean = 0, ss = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(y[i])) {
			mean += y[i];
			k++;
		}
	for (size_t l = 1; l <= max_lag; l++)
		r[l] = NAN;
	if (k < 3)
		return;
	mean /= (double)k;
	for (size_t i = 0; i < n; i++)
		if (!isnan(y[i]))
			ss += (y[i] - mean) * (y[i] - mean);
	if (!(ss > 0))
		return;
	for (size_t l = 1; l <= max_lag && l < n; l++) {
		double c = 0;
		for (size_t i = l; i < n; i++)
			if (!isnan(y[i]) && !isnan(y[i - l]))
				c += (y[i] - mean) * (y[i - l] - mean);
		r[l] = c / ss;
	}
}

#define AUTO_ACF_SERIES 200
#define AUTO_ACF_THRESHOLD 0.2
#define AUTO_EXTRA 8
#define AUTO_MAX_LAG 800

/* The primary period rounded (1: none) and the longer ones as multiples of
 * it (365.25 days -> 364, the same weekday a year back; 168 hours -> 168). */
static size_t primary_period(const double *periods, size_t np)
{
	size_t m = np ? (size_t)llround(periods[0]) : 1;
	return m >= 2 ? m : 1;
}

static size_t as_multiple(double P, size_t m)
{
	size_t L = (size_t)llround(P);
	if (m >= 2 && P > (double)m)
		L = m * (size_t)llround(P / (double)m);
	return L;
}

static void add_lag(size_t *lags, size_t *n, size_t l, size_t shift)
{
	if (l >= shift && l <= AUTO_MAX_LAG && *n < FC_FEAT_MAX_LAGS)
		lags[(*n)++] = l;
}

int fc_feature_auto_lags(const fc_series *series, size_t n_series, const double *periods,
                         size_t n_periods, fc_feature_spec *spec, fc_err *err)
{
	if (n_series == 0)
		return fc_err_set(err, FC_EINVAL, "--lags auto: no series");
	size_t m = primary_period(periods, n_periods), sh = spec->shift;
	/* the recent past: two cycles of a short period (two weeks of days,
	 * two years of quarters), one day of hours, a quarter of weeks */
	size_t base = m == 1 ? 6 : m <= 12 ? 2 * m : m <= 28 ? m : 13;
	/* the same position in past cycles: 8 weeks of days, 7 days of hours,
	 * two years of months or weeks */
	size_t cycles = m == 7 ? 8 : (m > 12 && m <= 28) ? 7 : 2;
	size_t lags[FC_FEAT_MAX_LAGS * 2], n = 0;
	for (size_t l = sh; l <= base + sh - 1; l++)
		add_lag(lags, &n, l, sh);
	for (size_t c = 1; m >= 2 && c <= cycles; c++)
		add_lag(lags, &n, c * m, sh);
	for (size_t p = 1; p < n_periods; p++)
		for (size_t c = 1; c <= 2; c++)
			add_lag(lags, &n, c * as_multiple(periods[p], m), sh);
	size_t max_lag = 0;
	for (size_t i = 0; i < n; i++)
		max_lag = lags[i] > max_lag ? lags[i] : max_lag;
	/* and the lags whose mean autocorrelation over a sample of series is
	 * high that the rules missed */
	double *mean_r = calloc(max_lag + 1, sizeof *mean_r), *r = malloc((max_lag + 1) * sizeof *r);
	size_t *cnt = calloc(max_lag + 1, sizeof *cnt);
	if (!mean_r || !r || !cnt) {
		free(mean_r);
		free(r);
		free(cnt);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	size_t step = n_series > AUTO_ACF_SERIES ? n_series / AUTO_ACF_SERIES : 1;
	for (size_t s = 0; s < n_series; s += step) {
		acf_direct(series[s].y, series[s].n, max_lag, r);
		for (size_t l = 1; l <= max_lag; l++)
			if (!isnan(r[l])) {
				mean_r[l] += r[l];
				cnt[l]++;
			}
	}
	for (size_t e = 0; e < AUTO_EXTRA; e++) {
		size_t best = 0;
		double best_r = AUTO_ACF_THRESHOLD;
		for (size_t l = sh; l <= max_lag; l++) {
			double v = cnt[l] ? mean_r[l] / (double)cnt[l] : 0;
			int have = 0;
			for (size_t i = 0; i < n; i++)
				have |= lags[i] == l;
			if (!have && v > best_r) {
				best_r = v;
				best = l;
			}
		}
		if (!best || n == FC_FEAT_MAX_LAGS)
			break;
		lags[n++] = best;
	}
	free(mean_r);
	free(r);
	free(cnt);
	sort_unique(lags, &n);
	memcpy(spec->lags, lags, n * sizeof lags[0]);
	spec->n_lags = n;
	return 0;
}

void fc_feature_auto_windows(const double *periods, size_t n_periods, fc_feature_spec *spec)
{
	size_t m = primary_period(periods, n_periods), w[FC_FEAT_MAX_WINDOWS], n = 0;
	switch (m) {
	case 1: w[n++] = 3; w[n++] = 6; break;          /* no season: the last few values */
	case 4: w[n++] = 4; w[n++] = 8; break;          /* quarters: a year, two */
	case 7: w[n++] = 7; w[n++] = 28; break;         /* days: a week, four (the M5 recipe) */
	case 12: w[n++] = 3; w[n++] = 12; break;        /* months: a quarter, a year */
	case 52: w[n++] = 4; w[n++] = 13; break;        /* weeks: a month, a quarter */
	default: /* m and, without a longer period to take its place, 4m */
		w[n++] = m;
		if (n_periods < 2 && 4 * m <= 400)
			w[n++] = 4 * m;
		break;
	}
	for (size_t p = 1; p < n_periods && n < FC_FEAT_MAX_WINDOWS; p++) {
		size_t L = as_multiple(periods[p], m);
		if (L <= 200) /* 168 hours; not a year of days */
			w[n++] = L;
	}
	sort_unique(w, &n);
	memcpy(spec->windows, w, n * sizeof w[0]);
	spec->n_windows = n;
}

/* ---- holiday sets ------------------------------------------------------------- */

void fc_holiday_set_dispose(fc_holiday_set *s)
{
	fc_holiday_list_dispose(&s->list);
	free(s->day);
	free(s->id);
	free(s->group);
	memset(s, 0, sizeof *s);
}

/* The list's days, 1-based ids and (events) groups as arrays. */
static int fill_arrays(fc_holiday_set *s, int with_groups, fc_err *err)
{
	const fc_holiday_list *l = &s->list;
	size_t n = l->n ? l->n : 1;
	s->day = malloc(n * sizeof *s->day);
	s->id = malloc(n * sizeof *s->id);
	s->group = with_groups ? malloc(n * sizeof *s->group) : NULL;
	if (!s->day || !s->id || (with_groups && !s->group))
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		s->day[i] = l->items[i].day;
		s->id[i] = l->items[i].id + 1;
		if (with_groups)
			s->group[i] = l->items[i].group;
	}
	s->days = (fc_holiday_days){
		.n = l->n, .day = s->day, .id = s->id, .group = s->group,
		.n_names = l->n_names, .names = (const char *const *)l->names,
		.n_groups = l->n_groups, .groups = (const char *const *)l->groups,
	};
	return 0;
}

/* Appends one coverage problem to s->coverage, "; " between problems,
 * cut short (never overflowing) when there are too many to list. */
static void coverage_note(fc_holiday_set *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void coverage_note(fc_holiday_set *s, const char *fmt, ...)
{
	size_t len = strlen(s->coverage), cap = sizeof s->coverage;
	if (len && len + 2 < cap) {
		memcpy(s->coverage + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->coverage + len, cap - len, fmt, ap);
	va_end(ap);
}

int fc_holiday_set_countries(fc_holiday_set *s, const char *dir, const char *codes, int from,
                             int to, fc_err *err)
{
	memset(s, 0, sizeof *s);
	fc_holiday_list_init(&s->list);
	char buf[256];
	if (strlen(codes) >= sizeof buf)
		return fc_err_set(err, FC_EINVAL, "--country: list too long");
	strcpy(buf, codes);
	int rc = 0;
	char *save;
	for (char *c = strtok_r(buf, ",", &save); c && !rc; c = strtok_r(NULL, ",", &save)) {
		fc_calendar *cal = NULL;
		if ((rc = fc_calendar_load_country(dir, c, &cal, err))) {
			fc_err_prefix(err, "--country %s: ", c);
			break;
		}
		int lo, hi;
		fc_calendar_range(cal, &lo, &hi);
		int a = from > lo ? from : lo, b = to < hi ? to : hi;
		const char *gap_name;
		int gap_lo, gap_hi;
		if (a > from || b < to)
			coverage_note(s, "%s: the calendar covers %d-%d only; no holidays in the rest of %d-%d",
			              c, lo, hi, from, to);
		if (a <= b && fc_calendar_table_gap(cal, a, b, &gap_name, &gap_lo, &gap_hi))
			coverage_note(s, "%s: %s has dates for %d-%d only; none in the rest of %d-%d", c,
			              gap_name, gap_lo, gap_hi, a, b);
		fc_holiday_list one;
		fc_holiday_list_init(&one);
		if (a <= b && !(rc = fc_calendar_eval(cal, a, b, &one, err)))
			rc = fc_holiday_list_merge(&s->list, &one, err);
		if (rc)
			fc_err_prefix(err, "--country %s: ", c);
		fc_holiday_list_dispose(&one);
		fc_calendar_free(cal);
	}
	if (!rc)
		rc = fill_arrays(s, 0, err);
	if (rc)
		fc_holiday_set_dispose(s);
	return rc;
}

int fc_holiday_set_events(fc_holiday_set *s, const char *path, fc_err *err)
{
	memset(s, 0, sizeof *s);
	fc_holiday_list_init(&s->list);
	int rc = fc_events_load(path, &s->list, err);
	if (!rc)
		rc = fill_arrays(s, 1, err);
	if (rc)
		fc_holiday_set_dispose(s);
	return rc;
}

void fc_series_years(const fc_series *series, size_t n_series, fc_freq freq, size_t extra,
                     int *from, int *to)
{
	int y0 = 9999, y1 = -9999, y, mo, d, hh, mi, se;
	for (size_t i = 0; i < n_series; i++) {
		const fc_series *s = &series[i];
		fc_time_to_civil(s->start, &y, &mo, &d, &hh, &mi, &se);
		y0 = y < y0 ? y : y0;
		fc_time_to_civil(fc_freq_add(freq, s->start, (int64_t)(s->n + extra)), &y, &mo, &d, &hh,
		                 &mi, &se);
		y1 = y > y1 ? y : y1;
	}
	*from = y0;
	*to = y1;
}
