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

/* Explains global model k over the series using it (history from the
 * model file); idx maps panel rows back to artifact series.  With
 * art_mean (n_series x horizon), the forecasts of those series go to
 * their artifact rows. */
int cli_explain_global(const fc_artifact *a, size_t k, const char *only, fc_explanation *ex,
                       size_t **idx_out, double *art_mean, fc_err *err)
{
	size_t h = a->horizon;
	*idx_out = NULL;
	cli_gpanel g;
	int rc = cli_gpanel_init(&g, a, k, NULL, only, err);
	size_t n = g.p.n_series;
	if (rc || n == 0)
		return rc;
	const fc_artifact_global *gl = &a->globals[k];
	double *mean = malloc(n * h * sizeof *mean);
	if (!mean)
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	else if (!gl->model->type->global->explain)
		rc = fc_err_set(err, FC_EINVAL, "model '%s' cannot explain itself", gl->model->type->name);
	else
		rc = gl->model->type->global->explain(gl->state, gl->model->params, &g.p, g.cut, h, mean,
		                                      ex, err);
	if (!rc && art_mean)
		for (size_t j = 0; j < n; j++)
			memcpy(art_mean + g.idx[j] * h, mean + j * h, h * sizeof *mean);
	if (!rc) {
		*idx_out = g.idx;
		g.idx = NULL;
	}
	free(mean);
	cli_gpanel_dispose(&g);
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
		cli_series_key(a, &a->series[idx[ex->series[r]]], key, sizeof key);
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
		cli_series_key(a, &a->series[idx[ex->series[r]]], key, sizeof key);
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
