/* The HTML report (forecast/report.h): one self-contained page of inline
 * SVG plots and CSS, with a small inline script for the series search box.
 *
 * Plots are drawn here, with no charting library: line plots as SVG paths
 * (a gap at each missing value), bar charts as rects.  The residual
 * diagnostic is the sample autocorrelation of the back-test errors, pooled
 * within folds (Box, Jenkins & Reinsel, "Time Series Analysis", 4th ed.
 * 2008, 2.1.6), with the +/-1.96/sqrt(n) band of white noise.
 *
 * Omissions: no interactive zoom or tooltips beyond SVG <title>s; the
 * interval band is that of the widest and narrowest levels only. */
#include "forecast/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 760
#define H 230
#define ML 64 /* left margin: the y labels */
#define MR 12
#define MT 14
#define MB 26

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void num(FILE *f, double v)
{
	if (isnan(v))
		fputs("&ndash;", f);
	else
		fprintf(f, "%.4g", v);
}

typedef struct frame {
	double x0, x1, y0, y1;
} frame;

static double fx(const frame *fr, double x)
{
	double span = fr->x1 > fr->x0 ? fr->x1 - fr->x0 : 1;
	return ML + (x - fr->x0) / span * (W - ML - MR);
}

static double fy(const frame *fr, double y)
{
	double span = fr->y1 > fr->y0 ? fr->y1 - fr->y0 : 1;
	return MT + (fr->y1 - y) / span * (H - MT - MB);
}

static void grow(frame *fr, double y)
{
	if (!isfinite(y))
		return;
	if (isnan(fr->y0) || y < fr->y0)
		fr->y0 = y;
	if (isnan(fr->y1) || y > fr->y1)
		fr->y1 = y;
}

/* A path through (x0 + i*dx, v[i]), broken at missing values; nothing
 * when no value is finite. */
static void path(FILE *f, const frame *fr, const char *cls, double x0, const double *v, size_t n,
                 const char *title)
{
	int open = 0, any = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			open = 0;
			continue;
		}
		if (!any)
			fprintf(f, "<path class=\"%s\" d=\"", cls);
		fprintf(f, "%s%.1f %.1f", open ? "L" : "M", fx(fr, x0 + (double)i), fy(fr, v[i]));
		open = any = 1;
	}
	if (any) {
		fputs("\">", f);
		if (title) {
			fputs("<title>", f);
			esc(f, title);
			fputs("</title>", f);
		}
		fputs("</path>\n", f);
	}
}

/* The region between lo and hi over x0 + i, i < n (finite pairs only). */
static void band(FILE *f, const frame *fr, const char *cls, double x0, const double *lo,
                 const double *hi, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += isfinite(lo[i]) && isfinite(hi[i]);
	if (k < 1)
		return;
	fprintf(f, "<path class=\"%s\" d=\"", cls);
	int first = 1;
	for (size_t i = 0; i < n; i++)
		if (isfinite(lo[i]) && isfinite(hi[i])) {
			fprintf(f, "%s%.1f %.1f", first ? "M" : "L", fx(fr, x0 + (double)i), fy(fr, hi[i]));
			first = 0;
		}
	for (size_t i = n; i-- > 0;)
		if (isfinite(lo[i]) && isfinite(hi[i]))
			fprintf(f, "L%.1f %.1f", fx(fr, x0 + (double)i), fy(fr, lo[i]));
	fputs("Z\"/>\n", f);
}

static void date(FILE *f, const fc_report *r, fc_time t)
{
	char buf[64];
	fc_time_format(t, r->style, buf, sizeof buf);
	esc(f, buf);
}

static void axes(FILE *f, const fc_report *r, const frame *fr, fc_time t0, fc_time t1)
{
	fprintf(f, "<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", ML, H - MB, W - MR,
	        H - MB);
	fprintf(f, "<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", ML, MT, ML, H - MB);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", ML - 4, MT + 8);
	num(f, fr->y1);
	fprintf(f, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", ML - 4, H - MB);
	num(f, fr->y0);
	fprintf(f, "</text><text x=\"%d\" y=\"%d\">", ML, H - 8);
	date(f, r, t0);
	fprintf(f, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", W - MR, H - 8);
	date(f, r, t1);
	fputs("</text>\n", f);
}

static void svg_open(FILE *f, const char *label)
{
	fprintf(f, "<svg class=\"plot\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
	esc(f, label);
	fputs("\">\n", f);
}

/* History, fold forecasts, forecast and its bands of one series. */
static void series_plot(FILE *f, const fc_report *r, const fc_report_series *s)
{
	size_t from = s->n > FC_REPORT_MAX_POINTS ? s->n - FC_REPORT_MAX_POINTS : 0;
	size_t h = s->fc ? s->fc->h : 0;
	frame fr = {(double)from, (double)s->n + (double)h - (h ? 1 : 0), NAN, NAN};
	for (size_t i = from; i < s->n; i++)
		grow(&fr, s->y[i]);
	for (size_t k = 0; k < s->n_folds; k++)
		for (size_t i = 0; i < s->h; i++)
			if (s->origin[k] + i >= from)
				grow(&fr, s->fold_fc[k * s->h + i]);
	for (size_t i = 0; i < h; i++) {
		grow(&fr, s->fc->mean[i]);
		for (size_t l = 0; l < s->fc->n_levels; l++) {
			grow(&fr, s->fc->lo[l * h + i]);
			grow(&fr, s->fc->hi[l * h + i]);
		}
	}
	if (isnan(fr.y0)) {
		fputs("<p class=\"note\">Nothing to plot: no history and no forecast.</p>\n", f);
		return;
	}
	if (fr.y1 == fr.y0) {
		fr.y0 -= 1;
		fr.y1 += 1;
	}
	svg_open(f, "history, back-test and forecast");
	fc_time t0 = fc_freq_add(r->freq, s->last, -(int64_t)(s->n - from) + 1);
	fc_time t1 = fc_freq_add(r->freq, s->last, (int64_t)h);
	axes(f, r, &fr, s->n ? t0 : fc_freq_add(r->freq, s->last, 1), t1);
	if (h && s->fc->n_levels) {
		size_t wide = s->fc->n_levels - 1;
		band(f, &fr, "band", (double)s->n, s->fc->lo + wide * h, s->fc->hi + wide * h, h);
		if (wide)
			band(f, &fr, "band inner", (double)s->n, s->fc->lo, s->fc->hi, h);
	}
	if (s->n) {
		double x = fx(&fr, (double)s->n - 0.5);
		fprintf(f, "<line class=\"origin\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, MT,
		        x, H - MB);
	}
	path(f, &fr, "hist", (double)from, s->y + from, s->n - from, "history");
	for (size_t k = 0; k < s->n_folds; k++) {
		if (s->origin[k] + s->h <= from)
			continue;
		char t[64];
		snprintf(t, sizeof t, "back-test fold %zu", k + 1);
		path(f, &fr, "fold", (double)s->origin[k], s->fold_fc + k * s->h, s->h, t);
	}
	if (h)
		path(f, &fr, "fc", (double)s->n, s->fc->mean, h, "forecast");
	fputs("</svg>\n", f);
}

void fc_report_acf(const double *err, size_t folds, size_t h, size_t max_lag, double *acf,
                   size_t *n)
{
	double mean = 0, ss = 0;
	size_t m = 0;
	for (size_t i = 0; i < folds * h; i++)
		if (isfinite(err[i])) {
			mean += err[i];
			m++;
		}
	mean = m ? mean / (double)m : 0;
	for (size_t i = 0; i < folds * h; i++)
		if (isfinite(err[i]))
			ss += (err[i] - mean) * (err[i] - mean);
	for (size_t L = 1; L <= max_lag; L++) {
		double s = 0;
		size_t pairs = 0;
		for (size_t k = 0; k < folds; k++)
			for (size_t i = 0; i + L < h; i++) {
				double a = err[k * h + i], b = err[k * h + i + L];
				if (isfinite(a) && isfinite(b)) {
					s += (a - mean) * (b - mean);
					pairs++;
				}
			}
		acf[L - 1] = pairs && ss > 0 ? s / ss : NAN;
	}
	*n = m;
}

static void acf_plot(FILE *f, const fc_report_series *s)
{
	size_t max_lag = s->err_h > 1 ? s->err_h - 1 : 0;
	if (max_lag > 24)
		max_lag = 24;
	if (!s->err || !max_lag) {
		fprintf(f, "<p class=\"note\">No residual ACF: %s.</p>\n", !s->err ? "no back-test "
		        "errors" : "a horizon of one step has no lags within a fold");
		return;
	}
	double acf[24];
	size_t n = 0;
	fc_report_acf(s->err, s->err_folds, s->err_h, max_lag, acf, &n);
	double bound = n ? 1.96 / sqrt((double)n) : 1;
	frame fr = {0.5, (double)max_lag + 0.5, -1, 1};
	fputs("<svg class=\"plot acf\" viewBox=\"0 0 760 230\" role=\"img\" aria-label=\"residual "
	      "ACF\">\n", f);
	fprintf(f, "<line class=\"ax\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", ML, fy(&fr, 0),
	        W - MR, fy(&fr, 0));
	for (int sign = -1; sign <= 1; sign += 2)
		fprintf(f, "<line class=\"ci\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", ML,
		        fy(&fr, sign * bound), W - MR, fy(&fr, sign * bound));
	double bw = (W - ML - MR) / (double)max_lag * 0.6;
	for (size_t L = 1; L <= max_lag; L++) {
		if (isnan(acf[L - 1]))
			continue;
		double y0 = fy(&fr, 0), y1 = fy(&fr, acf[L - 1]);
		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		        "<title>lag %zu: %.3f</title></rect>\n", fx(&fr, (double)L) - bw / 2,
		        y1 < y0 ? y1 : y0, bw, fabs(y1 - y0) > 0.5 ? fabs(y1 - y0) : 0.5, L, acf[L - 1]);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">1</text><text x=\"%d\" y=\"%d\" "
	        "text-anchor=\"end\">-1</text><text x=\"%d\" y=\"%d\">lag 1</text><text x=\"%d\" "
	        "y=\"%d\" text-anchor=\"end\">lag %zu</text>\n</svg>\n", ML - 4, MT + 8, ML - 4,
	        H - MB, ML, H - 8, W - MR, H - 8, max_lag);
	fprintf(f, "<p class=\"note\">ACF of %s (%zu errors, pooled within %zu folds; dashed: "
	        "&plusmn;1.96/&radic;n).</p>\n", s->err_label ? s->err_label : "the back-test errors",
	        n, s->err_folds);
}

/* Horizontal bars of values[k] labelled labels[k], the largest first
 * (at most max_bars); values <= 0 and NaN are left out. */
static void bar_chart(FILE *f, const char *label, const char *const *labels, const double *values,
                      size_t n, size_t max_bars)
{
	size_t *order = malloc((n ? n : 1) * sizeof *order), m = 0;
	if (!order)
		return;
	for (size_t k = 0; k < n; k++)
		if (values[k] > 0)
			order[m++] = k;
	for (size_t a = 1; a < m; a++) /* insertion sort: stable, largest first */
		for (size_t b = a; b > 0 && values[order[b]] > values[order[b - 1]]; b--) {
			size_t t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	if (m > max_bars)
		m = max_bars;
	if (!m) {
		fprintf(f, "<p class=\"note\">%s: nothing to show.</p>\n", label);
		free(order);
		return;
	}
	double top = values[order[0]];
	int rowh = 18, lw = 170, hgt = (int)m * rowh + 8;
	fprintf(f, "<svg class=\"plot bars\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, hgt);
	esc(f, label);
	fputs("\">\n", f);
	for (size_t b = 0; b < m; b++) {
		size_t k = order[b];
		double w = values[k] / top * (W - lw - 90);
		fprintf(f, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", lw - 6, b * rowh + 17);
		esc(f, labels[k]);
		fprintf(f, "</text><rect class=\"bar\" x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"%d\"/>"
		        "<text x=\"%.1f\" y=\"%zu\">%.4g</text>\n", lw, b * rowh + 5, w > 1 ? w : 1,
		        rowh - 4, lw + (w > 1 ? w : 1) + 4, b * rowh + 17, values[k]);
	}
	fputs("</svg>\n", f);
	free(order);
}

/* The mean over series of history and of forecasts by timestamp, over
 * the last FC_REPORT_MAX_POINTS steps of the history shown and the
 * horizon. */
static void aggregate_plot(FILE *f, const fc_report *r)
{
	fc_time end = 0;
	int have = 0;
	size_t h = 0;
	for (size_t i = 0; i < r->n; i++) {
		const fc_report_series *s = &r->series[i];
		if (s->n && (!have || s->last > end))
			end = s->last;
		have |= s->n > 0;
		if (s->fc && s->fc->h > h)
			h = s->fc->h;
	}
	if (!have)
		return;
	size_t len = FC_REPORT_MAX_POINTS + h;
	double *sum = calloc(len, sizeof *sum), *fsum = calloc(len, sizeof *fsum);
	size_t *cnt = calloc(len, sizeof *cnt), *fcnt = calloc(len, sizeof *fcnt);
	if (!sum || !fsum || !cnt || !fcnt)
		goto out;
	/* slot j: timestamp end + (j - MAX_POINTS + 1) steps */
	for (size_t i = 0; i < r->n; i++) {
		const fc_report_series *s = &r->series[i];
		int64_t off;
		if (fc_freq_steps(r->freq, s->last, end, &off) || off < 0)
			continue;
		/* y[t] sits at slot MAX_POINTS - 1 - off - (n - 1 - t) */
		for (size_t t = 0; t < s->n; t++) {
			int64_t j = (int64_t)FC_REPORT_MAX_POINTS - 1 - off - (int64_t)(s->n - 1 - t);
			if (j >= 0 && isfinite(s->y[t])) {
				sum[j] += s->y[t];
				cnt[j]++;
			}
		}
		for (size_t t = 0; s->fc && t < s->fc->h; t++) {
			int64_t j = (int64_t)FC_REPORT_MAX_POINTS - off + (int64_t)t;
			if (j >= 0 && (size_t)j < len && isfinite(s->fc->mean[t])) {
				fsum[j] += s->fc->mean[t];
				fcnt[j]++;
			}
		}
	}
	size_t first = 0;
	while (first < FC_REPORT_MAX_POINTS && !cnt[first])
		first++;
	frame fr = {(double)first, (double)len - 1, NAN, NAN};
	for (size_t j = 0; j < len; j++) {
		sum[j] = cnt[j] ? sum[j] / (double)cnt[j] : NAN;
		fsum[j] = fcnt[j] ? fsum[j] / (double)fcnt[j] : NAN;
		grow(&fr, sum[j]);
		grow(&fr, fsum[j]);
	}
	if (isnan(fr.y0))
		goto out;
	if (fr.y1 == fr.y0) {
		fr.y0 -= 1;
		fr.y1 += 1;
	}
	svg_open(f, "mean over series");
	axes(f, r, &fr, fc_freq_add(r->freq, end, (int64_t)first - FC_REPORT_MAX_POINTS + 1),
	     fc_freq_add(r->freq, end, (int64_t)h));
	path(f, &fr, "hist", 0, sum, len, "mean history");
	path(f, &fr, "fc", 0, fsum, len, "mean forecast");
	fputs("</svg>\n<p class=\"note\">Mean over every series of the history kept and of the "
	      "final forecasts, by timestamp.</p>\n", f);
out:
	free(sum);
	free(fsum);
	free(cnt);
	free(fcnt);
}

/* Histogram of the series' back-test errors (the selection metric). */
static void score_histogram(FILE *f, const fc_report *r)
{
	double lo = NAN, hi = NAN;
	for (size_t i = 0; i < r->n; i++) {
		double v = r->series[i].score;
		if (!isfinite(v))
			continue;
		lo = isnan(lo) || v < lo ? v : lo;
		hi = isnan(hi) || v > hi ? v : hi;
	}
	if (isnan(lo))
		return;
	enum { BINS = 20 };
	size_t count[BINS] = {0}, top = 0;
	double width = hi > lo ? (hi - lo) / BINS : 1;
	for (size_t i = 0; i < r->n; i++) {
		double v = r->series[i].score;
		if (!isfinite(v))
			continue;
		size_t b = (size_t)((v - lo) / width);
		count[b < BINS ? b : BINS - 1]++;
	}
	for (int b = 0; b < BINS; b++)
		top = count[b] > top ? count[b] : top;
	frame fr = {0, BINS, 0, (double)top};
	svg_open(f, "distribution of back-test errors");
	double bw = (W - ML - MR) / (double)BINS;
	for (int b = 0; b < BINS; b++)
		if (count[b])
			fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			        "<title>%.4g to %.4g: %zu series</title></rect>\n", fx(&fr, b) + 1,
			        fy(&fr, (double)count[b]), bw - 2, fy(&fr, 0) - fy(&fr, (double)count[b]),
			        lo + b * width, lo + (b + 1) * width, count[b]);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%zu</text><text x=\"%d\" y=\"%d\" "
	        "text-anchor=\"end\">0</text><text x=\"%d\" y=\"%d\">%.4g</text><text x=\"%d\" "
	        "y=\"%d\" text-anchor=\"end\">%.4g</text>\n</svg>\n", ML - 4, MT + 8, top, ML - 4,
	        H - MB, ML, H - 8, lo, W - MR, H - 8, hi);
}

static const char CSS[] =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:820px;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}"
	"h3{font-size:1em;margin:1.2em 0 .3em}"
	"table{border-collapse:collapse;font-size:.85em}td,th{padding:2px 8px;text-align:right;"
	"border-bottom:1px solid #eee}td:first-child,th:first-child{text-align:left}"
	"svg.plot{width:100%;height:auto;display:block;background:#fcfcfc}"
	"svg text{font-size:11px;fill:#444}.ax{stroke:#888}.ci{stroke:#36c;stroke-dasharray:4 3}"
	".origin{stroke:#aaa;stroke-dasharray:3 3}.hist{fill:none;stroke:#222;stroke-width:1.2}"
	".fold{fill:none;stroke:#e67e22;stroke-width:1.3}.fc{fill:none;stroke:#1565c0;stroke-width:1.8}"
	".band{fill:#1565c0;opacity:.15}.band.inner{opacity:.2}.bar{fill:#5b8cc4}"
	".note{font-size:.85em;color:#555}.key{font-size:.85em}#q{width:20em}"
	"dl{display:grid;grid-template-columns:11em 1fr;font-size:.9em}dt{color:#555}dd{margin:0}";

static const char SCRIPT[] =
	"<script>\n"
	"window.onerror=function(m){document.body.setAttribute('data-js-error',String(m));};\n"
	"function filterSeries(q){q=q.toLowerCase();var s=document.querySelectorAll('section.series');"
	"for(var i=0;i<s.length;i++){s[i].style.display="
	"s[i].getAttribute('data-key').toLowerCase().indexOf(q)>=0?'':'none';}}\n"
	"document.body.setAttribute('data-ready','1');\n"
	"</script>\n";

static int cmp_score(const void *a, const void *b, const fc_report *r)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double x = r->series[i].score, y = r->series[j].score;
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x < y ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* The series given a section: all of them, or the best and worst by
 * score.  order gets their indices (best first); returns how many. */
static size_t pick_sections(const fc_report *r, size_t *order, size_t *n_scored)
{
	for (size_t i = 0; i < r->n; i++)
		order[i] = i;
	/* insertion sort on a copy would be quadratic for 10,000 series: merge
	 * sort by halves instead */
	size_t *tmp = malloc(r->n * sizeof *tmp);
	if (tmp) {
		for (size_t width = 1; width < r->n; width *= 2) {
			for (size_t lo = 0; lo < r->n; lo += 2 * width) {
				size_t mid = lo + width < r->n ? lo + width : r->n;
				size_t hi = lo + 2 * width < r->n ? lo + 2 * width : r->n;
				size_t a = lo, b = mid, k = lo;
				while (a < mid || b < hi)
					tmp[k++] = b >= hi || (a < mid && cmp_score(&order[a], &order[b], r) <= 0)
					           ? order[a++] : order[b++];
			}
			memcpy(order, tmp, r->n * sizeof *order);
		}
		free(tmp);
	}
	size_t scored = 0;
	while (scored < r->n && !isnan(r->series[order[scored]].score))
		scored++;
	*n_scored = scored;
	if (r->n <= FC_REPORT_MAX_SECTIONS)
		return r->n;
	size_t half = FC_REPORT_MAX_SECTIONS / 2;
	if (scored >= FC_REPORT_MAX_SECTIONS)
		memmove(order + half, order + scored - half, half * sizeof *order);
	return FC_REPORT_MAX_SECTIONS;
}

static void summary(FILE *f, const fc_report *r)
{
	char freq[64];
	fc_freq_describe(r->freq, freq, sizeof freq);
	fputs("<h2 id=\"summary\">Run</h2>\n<dl>\n<dt>data</dt><dd>", f);
	esc(f, r->source);
	fputs("</dd>\n<dt>frequency</dt><dd>", f);
	esc(f, freq);
	fprintf(f, "</dd>\n<dt>series</dt><dd>%zu</dd>\n<dt>horizon</dt><dd>%zu</dd>\n"
	        "<dt>back-test folds</dt><dd>%zu</dd>\n<dt>selection metric</dt><dd>%s</dd>\n",
	        r->n_series, r->horizon, r->folds, fc_metric_label(r->metric));
	if (r->options) {
		fputs("<dt>options</dt><dd><code>", f);
		esc(f, r->options);
		fputs("</code></dd>\n", f);
	}
	if (r->created) {
		fputs("<dt>created</dt><dd>", f);
		esc(f, r->created);
		fputs("</dd>\n", f);
	}
	if (isfinite(r->seconds))
		fprintf(f, "<dt>time</dt><dd>%.1f s</dd>\n", r->seconds);
	fputs("</dl>\n", f);
	if (r->note) {
		fputs("<p class=\"note\">", f);
		esc(f, r->note);
		fputs("</p>\n", f);
	}
}

static void leaderboard(FILE *f, const fc_report *r)
{
	fputs("<h2 id=\"leaderboard\">Leaderboard</h2>\n", f);
	if (!r->n_models) {
		fputs("<p class=\"note\">The leaderboard is not kept in this file.</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>model</th><th>series</th><th>wins</th><th>weight</th>", f);
	for (int j = 0; j < FC_METRIC_COUNT; j++)
		fprintf(f, "<th>%s%s</th>", fc_metric_label((fc_metric)j),
		        (fc_metric)j == r->metric ? "*" : "");
	fputs("<th>seconds</th></tr>\n", f);
	for (size_t k = 0; k < r->n_models; k++) {
		const fc_report_model *m = &r->models[k];
		fputs("<tr><td>", f);
		esc(f, m->label);
		fprintf(f, "</td><td>%zu</td><td>%zu</td><td>", m->series, m->wins);
		num(f, m->weight);
		fputs("</td>", f);
		for (int j = 0; j < FC_METRIC_COUNT; j++) {
			fputs("<td>", f);
			num(f, m->metric[j]);
			fputs("</td>", f);
		}
		fputs("<td>", f);
		if (isfinite(m->seconds))
			fprintf(f, "%.2f", m->seconds);
		else
			fputs("&ndash;", f);
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "</table>\n<p class=\"note\">* the selection metric. Means over series and folds; "
	        "wins: series where the model was the best single candidate; weight: its mean weight "
	        "in the series' final forecasts.</p>\n");
}

static void models_section(FILE *f, const fc_report *r)
{
	fputs("<h2 id=\"models\">Models</h2>\n", f);
	size_t n = r->n_models;
	const char **labels = malloc((n ? n : 1) * sizeof *labels);
	double *v = malloc((n ? n : 1) * sizeof *v);
	if (labels && v) {
		for (size_t k = 0; k < n; k++) {
			labels[k] = r->models[k].label;
			v[k] = (double)r->models[k].wins;
		}
		fputs("<h3>Wins (series where each is the best single candidate)</h3>\n", f);
		bar_chart(f, "wins", labels, v, n, 30);
		for (size_t k = 0; k < n; k++)
			v[k] = r->models[k].weight;
		fputs("<h3>Mean weight in the final forecasts</h3>\n", f);
		bar_chart(f, "ensemble weights", labels, v, n, 30);
	}
	free(labels);
	free(v);
	fputs("<h3>Back-test error per series</h3>\n", f);
	score_histogram(f, r);
	fputs("<h3>All series</h3>\n", f);
	aggregate_plot(f, r);
}

static void globals_section(FILE *f, const fc_report *r)
{
	if (!r->n_globals)
		return;
	fputs("<h2 id=\"explain\">Global models: feature importance and SHAP</h2>\n", f);
	for (size_t g = 0; g < r->n_globals; g++) {
		const fc_report_global *m = &r->globals[g];
		fputs("<h3>", f);
		esc(f, m->name);
		fputs(": importance by gain (top 20)</h3>\n", f);
		bar_chart(f, "feature importance (gain)", m->names, m->gain, m->n_features, 20);
		fputs("<h3>", f);
		esc(f, m->name);
		fprintf(f, ": mean |SHAP| over %zu forecast rows (top 20)</h3>\n", m->n_rows);
		bar_chart(f, "SHAP summary", m->names, m->shap, m->n_features, 20);
		fputs("<p class=\"note\">SHAP values (exact TreeSHAP) are on the learner's scale, the "
		      "per-series transformed target.</p>\n", f);
	}
}

static void calendar_section(FILE *f, const fc_report *r)
{
	fputs("<h2 id=\"calendar\">Holiday and event calendar</h2>\n", f);
	if (!r->calendar) {
		fputs("<p class=\"note\">No holiday or event calendar was used.</p>\n", f);
		return;
	}
	fputs("<p>", f);
	esc(f, r->calendar);
	fputs("</p>\n", f);
	if (!r->n_events) {
		fputs("<p class=\"note\">No dates in the period shown.</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>date</th><th>name</th></tr>\n", f);
	for (size_t k = 0; k < r->n_events; k++) {
		char buf[32];
		fc_time_style ds = {FC_STYLE_DATE, 0};
		fc_time_format(r->events[k].day, ds, buf, sizeof buf);
		fprintf(f, "<tr><td>%s</td><td>", buf);
		esc(f, r->events[k].name);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void series_section(FILE *f, const fc_report *r, const fc_report_series *s, size_t rank,
                           const char *why)
{
	const char *key = s->key && s->key[0] ? s->key : "(the only series)";
	fputs("<section class=\"series\" data-key=\"", f);
	esc(f, key);
	fputs("\">\n<h3>", f);
	esc(f, key);
	fputs("</h3>\n<p class=\"key\">", f);
	if (why)
		fprintf(f, "%s %zu by back-test error. ", why, rank);
	fputs("Model: ", f);
	esc(f, s->model ? s->model : "none");
	if (s->members) {
		fputs(" (", f);
		esc(f, s->members);
		fputs(")", f);
	}
	fputs(". Back-test error: ", f);
	num(f, s->score);
	fputs("</p>\n", f);
	series_plot(f, r, s);
	fputs("<p class=\"note\">Black: history", f);
	if (s->n_folds) {
		fputs("; orange: back-test fold forecasts of ", f);
		esc(f, s->fold_label);
	}
	if (s->fc && s->fc->h && s->fc->n_levels)
		fprintf(f, "; blue: the final forecast, shaded: its %g%%%s interval%s", s->fc->levels[s->fc->n_levels - 1],
		        s->fc->n_levels > 1 ? " and narrower" : "", s->fc->n_levels > 1 ? "s" : "");
	fputs(".", f);
	if (!s->n)
		fputs(" No history is kept for this series.", f);
	if (!s->n_folds)
		fputs(" No back-test fold forecasts are kept for this series.", f);
	fputs("</p>\n", f);
	acf_plot(f, s);
	fputs("</section>\n", f);
}

int fc_report_write_html(FILE *f, const fc_report *r, fc_err *err)
{
	size_t *order = malloc((r->n ? r->n : 1) * sizeof *order);
	if (!order)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	size_t scored = 0, shown = pick_sections(r, order, &scored);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	esc(f, r->title);
	fputs(": ", f);
	esc(f, r->source);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", CSS);
	esc(f, r->title);
	fputs(": ", f);
	esc(f, r->source);
	fputs("</h1>\n", f);
	summary(f, r);
	leaderboard(f, r);
	models_section(f, r);
	globals_section(f, r);
	calendar_section(f, r);
	fputs("<h2 id=\"series\">Series</h2>\n", f);
	if (shown < r->n && scored >= FC_REPORT_MAX_SECTIONS)
		fprintf(f, "<p>%zu series: shown here are the %d best and the %d worst by back-test "
		        "error (%s); the plots above cover every series.</p>\n", r->n,
		        FC_REPORT_MAX_SECTIONS / 2, FC_REPORT_MAX_SECTIONS / 2, fc_metric_label(r->metric));
	else if (shown < r->n)
		fprintf(f, "<p>%zu series: shown here are the first %zu (those with a back-test error, "
		        "best first, then the others in panel order); the plots above cover every "
		        "series.</p>\n", r->n, shown);
	fputs("<p><label>Find a series: <input id=\"q\" type=\"search\" "
	      "oninput=\"filterSeries(this.value)\"></label></p>\n", f);
	size_t half = FC_REPORT_MAX_SECTIONS / 2;
	for (size_t k = 0; k < shown; k++) {
		int ranked = shown < r->n && scored >= FC_REPORT_MAX_SECTIONS;
		const char *why = ranked ? (k < half ? "best" : "worst") : NULL;
		size_t rank = shown < r->n && k >= half ? shown - k : k + 1; /* worst: 1 = the worst */
		series_section(f, r, &r->series[order[k]], rank, why);
	}
	fputs(SCRIPT, f);
	fputs("</body>\n</html>\n", f);
	free(order);
	if (ferror(f))
		return fc_err_set(err, FC_EIO, "write failed");
	return 0;
}
