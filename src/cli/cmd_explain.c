/* `forecast explain`: why a saved global model forecasts what it does.
 *
 * For each global model of a model file (gbdt), writes the gain and
 * split-count importance of every feature, the exact TreeSHAP values of
 * every forecast row (one per series and step, from the history kept in
 * the model file) with the base value, and the same contributions summed
 * to raw inputs (target history, calendar, holidays, group keys, each
 * exogenous column).  SHAP values are on the learner's scale (the
 * per-series transformed target), where base + contributions equals the
 * learner's prediction.
 *
 * Omissions: --data (explaining forecasts re-anchored on newer data) and
 * the fitted parameters of local kinds are not written yet. */
#include "cli.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forecast/artifact.h"
#include "forecast/explain.h"

static const char USAGE[] =
	"Usage: forecast explain --model FILE [--series KEY] [--format csv|json] [-o OUT]\n"
	"\n"
	"Explains the global (gbdt) models of a model file: feature importance\n"
	"(gain, splits), SHAP values of every forecast row with the base value,\n"
	"and contributions grouped to raw inputs.  --series keeps the series whose\n"
	"key (group values joined by ',') is KEY.\n";

static int uses_global(const fc_artifact_series *s, size_t k)
{
	for (size_t m = 0; m < s->n_members; m++)
		if (s->members[m].model->type->global && s->members[m].global == k)
			return 1;
	return 0;
}

static void series_key(const fc_artifact *a, const fc_artifact_series *s, char *buf, size_t cap)
{
	buf[0] = '\0';
	size_t len = 0;
	for (size_t g = 0; g < a->n_groups; g++)
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s",
		                        g ? "," : "", s->group_values[g]);
}

/* Explains global model k over the series using it (history from the
 * model file); idx maps panel rows back to artifact series.  With
 * art_mean (n_series x horizon), the forecasts of those series go to
 * their artifact rows. */
int cli_explain_global(const fc_artifact *a, size_t k, const char *only, fc_explanation *ex,
                       size_t **idx_out, double *art_mean, fc_err *err)
{
	size_t n = 0, max_hist = 1, h = a->horizon;
	char key[1024];
	for (size_t i = 0; i < a->n_series; i++) {
		series_key(a, &a->series[i], key, sizeof key);
		if (uses_global(&a->series[i], k) && (!only || strcmp(only, key) == 0)) {
			n++;
			if (a->series[i].n_history > max_hist)
				max_hist = a->series[i].n_history;
		}
	}
	*idx_out = NULL;
	if (n == 0)
		return 0;
	fc_series *ser = calloc(n, sizeof *ser);
	size_t *idx = malloc(n * sizeof *idx), *cut = malloc(n * sizeof *cut);
	double *nan_col = malloc(max_hist * sizeof *nan_col), *mean = malloc(n * h * sizeof *mean);
	const double **nan_exog = malloc((a->n_exog ? a->n_exog : 1) * sizeof *nan_exog);
	int rc = 0;
	if (!ser || !idx || !cut || !nan_col || !mean || !nan_exog) {
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t t = 0; t < max_hist; t++)
		nan_col[t] = NAN;
	for (size_t j = 0; j < a->n_exog; j++)
		nan_exog[j] = nan_col;
	size_t m = 0;
	for (size_t i = 0; i < a->n_series; i++) {
		fc_artifact_series *s = &a->series[i];
		series_key(a, s, key, sizeof key);
		if (!uses_global(s, k) || (only && strcmp(only, key) != 0))
			continue;
		ser[m].key = "";
		ser[m].group_values = (const char *const *)s->group_values;
		ser[m].n_groups = a->n_groups;
		ser[m].start = fc_freq_add(a->freq, s->start, (int64_t)(s->n - s->n_history));
		ser[m].n = s->n_history;
		ser[m].y = s->history;
		ser[m].n_exog = a->n_exog;
		ser[m].exog = a->n_exog ? nan_exog : NULL;
		ser[m].n_seasons = s->n_periods;
		ser[m].seasons = s->periods;
		cut[m] = ser[m].n;
		idx[m++] = i;
	}
	fc_panel gp;
	memset(&gp, 0, sizeof gp);
	gp.path = a->source;
	gp.freq = a->freq;
	gp.style = a->style;
	gp.n_seasons = a->n_seasons;
	memcpy(gp.seasons, a->seasons, sizeof gp.seasons);
	gp.n_groups = a->n_groups;
	gp.group_names = a->group_names;
	gp.n_exog = a->n_exog;
	gp.exog_names = a->exog_names;
	gp.n_series = n;
	gp.series = ser;
	const fc_artifact_global *g = &a->globals[k];
	if (!g->model->type->global->explain) {
		rc = fc_err_set(err, FC_EINVAL, "model '%s' cannot explain itself", g->model->type->name);
		goto done;
	}
	rc = g->model->type->global->explain(g->state, g->model->params, &gp, cut, h, mean, ex, err);
	if (!rc && art_mean)
		for (size_t j = 0; j < n; j++)
			memcpy(art_mean + idx[j] * h, mean + j * h, h * sizeof *mean);
	if (!rc) {
		*idx_out = idx;
		idx = NULL;
	}
done:
	free(ser);
	free(idx);
	free(cut);
	free(nan_col);
	free(mean);
	free(nan_exog);
	return rc;
}

static void write_csv(FILE *f, const fc_artifact *a, const char *kind, const fc_explanation *ex,
                      const size_t *idx)
{
	char key[1024];
	fprintf(f, "section,model,series,step,feature,source,value\n");
	for (size_t c = 0; c < ex->n_features; c++) {
		const char *src = fc_feature_source(ex->names[c], (const char *const *)a->exog_names,
		                                    a->n_exog);
		fprintf(f, "importance_gain,%s,,,%s,%s,%.10g\n", kind, ex->names[c], src, ex->gain[c]);
		fprintf(f, "importance_splits,%s,,,%s,%s,%.10g\n", kind, ex->names[c], src,
		        ex->splits[c]);
	}
	for (size_t r = 0; r < ex->n_rows; r++) {
		series_key(a, &a->series[idx[ex->series[r]]], key, sizeof key);
		const double *phi = fc_explanation_phi(ex, r);
		fprintf(f, "base,%s,\"%s\",%zu,,,%.10g\n", kind, key, ex->step[r] + 1,
		        fc_explanation_base(ex, r));
		fprintf(f, "prediction,%s,\"%s\",%zu,,,%.10g\n", kind, key, ex->step[r] + 1, ex->pred[r]);
		for (size_t c = 0; c < ex->n_features; c++)
			fprintf(f, "shap,%s,\"%s\",%zu,%s,%s,%.10g\n", kind, key, ex->step[r] + 1,
			        ex->names[c],
			        fc_feature_source(ex->names[c], (const char *const *)a->exog_names, a->n_exog),
			        phi[c]);
		/* the same row summed to raw inputs, in order of first appearance */
		for (size_t c = 0; c < ex->n_features; c++) {
			const char *src = fc_feature_source(ex->names[c], (const char *const *)a->exog_names,
			                                    a->n_exog);
			int seen = 0;
			for (size_t d = 0; d < c && !seen; d++)
				seen = strcmp(src, fc_feature_source(ex->names[d],
				                                     (const char *const *)a->exog_names,
				                                     a->n_exog)) == 0;
			if (seen)
				continue;
			double s = 0;
			for (size_t d = c; d < ex->n_features; d++)
				if (strcmp(src, fc_feature_source(ex->names[d], (const char *const *)a->exog_names,
				                                  a->n_exog)) == 0)
					s += phi[d];
			fprintf(f, "shap_raw,%s,\"%s\",%zu,,%s,%.10g\n", kind, key, ex->step[r] + 1, src, s);
		}
	}
}

static void write_json(FILE *f, const fc_artifact *a, const char *kind,
                       const fc_explanation *ex, const size_t *idx, int first)
{
	char key[1024];
	fprintf(f, "%s{\"model\":\"%s\",\"features\":[", first ? "" : ",", kind);
	for (size_t c = 0; c < ex->n_features; c++)
		fprintf(f, "%s{\"name\":\"%s\",\"source\":\"%s\",\"gain\":%.10g,\"splits\":%.10g}",
		        c ? "," : "", ex->names[c],
		        fc_feature_source(ex->names[c], (const char *const *)a->exog_names, a->n_exog),
		        ex->gain[c], ex->splits[c]);
	fprintf(f, "],\"rows\":[");
	for (size_t r = 0; r < ex->n_rows; r++) {
		series_key(a, &a->series[idx[ex->series[r]]], key, sizeof key);
		const double *phi = fc_explanation_phi(ex, r);
		fprintf(f, "%s{\"series\":\"%s\",\"step\":%zu,\"base\":%.10g,\"prediction\":%.10g,\"shap\":[",
		        r ? "," : "", key, ex->step[r] + 1, fc_explanation_base(ex, r), ex->pred[r]);
		for (size_t c = 0; c < ex->n_features; c++)
			fprintf(f, "%s%.10g", c ? "," : "", phi[c]);
		fprintf(f, "]}");
	}
	fprintf(f, "]}");
}

int cmd_explain(int argc, char **argv)
{
	const char *model = NULL, *only = NULL, *format = "csv", *output = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(USAGE, stdout);
			return EXIT_OK;
		}
		if (!v || (strcmp(a, "--model") && strcmp(a, "--series") && strcmp(a, "--format") &&
		           strcmp(a, "-o") && strcmp(a, "--output"))) {
			fprintf(stderr, "forecast: error: %s '%s'\n"
			                "Try 'forecast explain --help' for more information.\n",
			        v ? "unknown option" : "missing value or unknown option", a);
			return EXIT_USAGE;
		}
		if (strcmp(a, "--model") == 0)
			model = v;
		else if (strcmp(a, "--series") == 0)
			only = v;
		else if (strcmp(a, "--format") == 0)
			format = v;
		else
			output = v;
		i++;
	}
	if (!model || (strcmp(format, "csv") && strcmp(format, "json"))) {
		fprintf(stderr, "forecast: error: %s\nTry 'forecast explain --help' for more information.\n",
		        model ? "--format must be csv or json" : "--model FILE is required");
		return EXIT_USAGE;
	}
	fc_err err;
	fc_artifact *a = NULL;
	int rc = fc_artifact_load(model, &a, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	FILE *f = output ? fopen(output, "w") : stdout;
	if (!f) {
		fc_artifact_free(a);
		return cli_fail(FC_EIO, "cannot open the output file");
	}
	int json = strcmp(format, "json") == 0;
	if (json)
		fputc('[', f);
	else if (a->n_globals == 0)
		fprintf(stderr, "forecast: the model file has no global model to explain\n");
	for (size_t k = 0; k < a->n_globals && !rc; k++) {
		fc_explanation ex;
		fc_explanation_init(&ex);
		size_t *idx = NULL;
		rc = cli_explain_global(a, k, only, &ex, &idx, NULL, &err);
		if (!rc && idx) {
			if (json)
				write_json(f, a, a->globals[k].model->type->name, &ex, idx, k == 0);
			else if (k == 0)
				write_csv(f, a, a->globals[k].model->type->name, &ex, idx);
		}
		free(idx);
		fc_explanation_dispose(&ex);
	}
	if (json)
		fputs("]\n", f);
	if (output && fclose(f) && !rc)
		rc = fc_err_set(&err, FC_EIO, "%s: write failed", output);
	fc_artifact_free(a);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}
