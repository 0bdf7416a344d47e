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
 * For every series it also writes its members (kind and weight; how an
 * ensemble combines them) and what each local member fitted, as its kind's
 * describe hook reports it: ARIMA orders and coefficients, ETS form and
 * smoothing parameters, Theta's parameters, STL's trend and seasonal
 * strengths and the model of the adjusted series, and so on.
 *
 * With --data, what is explained is the forecast `forecast predict --data`
 * makes: the global models' rows are computed from each series' newer data
 * (where it has some), and the local members are first re-anchored on it
 * as predict re-anchors them (parameters kept where the kind can; states,
 * and STL's decomposition, from the newer data). */
#include "cli.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forecast/artifact.h"
#include "forecast/explain.h"
#include "forecast/output.h"

static const char USAGE[] =
	"Usage: forecast explain --model FILE [--data CSV] [--series KEY] [--format csv|json]\n"
	"                        [-o OUT] [--threads N] [--quiet]\n"
	"\n"
	"Explains the global (gbdt) models of a model file: feature importance\n"
	"(gain, splits), SHAP values of every forecast row with the base value,\n"
	"and contributions grouped to raw inputs; and for every series its models\n"
	"(ensemble members and weights) and the fitted parameters of the local ones\n"
	"(ARIMA orders and coefficients, ETS form and smoothing parameters, Theta,\n"
	"STL strengths ...).  --series keeps the series whose key (group values\n"
	"joined by ',') is KEY.  --data explains the forecast 'forecast predict\n"
	"--data CSV' makes: from the newer data, local models re-anchored on it.\n";

/* Explains global model k over the series using it (from the newer
 * data where a series has some, else the history kept in the model file);
 * idx maps panel rows back to artifact series.  With
 * art_mean (n_series x horizon), the forecasts of those series go to
 * their artifact rows. */
int cli_explain_global(const fc_artifact *a, size_t k, const fc_panel *newer, const char *only,
                       fc_explanation *ex, size_t **idx_out, double *art_mean, fc_err *err)
{
	size_t h = a->horizon;
	*idx_out = NULL;
	cli_gpanel g;
	int rc = cli_gpanel_init(&g, a, k, newer, only, err);
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

/* A CSV field, quoted (always with force, as the series key is in every
 * section; else when it holds a comma, quote or line break). */
static void csv_field(FILE *f, const char *s, int force)
{
	if (!force && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A JSON string with the escapes JSON requires. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A number for JSON: null where it is not finite. */
static void json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.10g", v);
	else
		fputs("null", f);
}

static const char CSV_HEADER[] = "section,model,series,step,feature,source,value\n";

static void write_csv(FILE *f, const fc_artifact *a, const char *kind, const fc_explanation *ex,
                      const size_t *idx)
{
	char key[1024];
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

/* ---- local models: what each series' members fitted ---- */

/* CSV rows of series s: for an ensemble, how it combines; per member its
 * weight and, for local kinds, the fitted parameters (d[m]), the member
 * named in the source column ("member 2"). */
static void write_local_csv(FILE *f, const char *key, const fc_artifact_series *s,
                            const fc_description *d)
{
	if (s->n_members > 1) {
		fputs("combination,ensemble,", f);
		csv_field(f, key, 1);
		fprintf(f, ",,,,%s\n", s->median ? "median" : "mean");
	}
	for (size_t m = 0; m < s->n_members; m++) {
		const char *kind = s->members[m].model->type->name;
		fprintf(f, "member,%s,", kind);
		csv_field(f, key, 1);
		fprintf(f, ",,weight,member %zu,%.10g\n", m + 1, s->members[m].weight);
		for (size_t i = 0; i < d[m].n; i++) {
			const fc_described *v = &d[m].items[i];
			fprintf(f, "parameter,%s,", kind);
			csv_field(f, key, 1);
			fputs(",,", f);
			csv_field(f, v->name, 0);
			fprintf(f, ",member %zu,", m + 1);
			if (v->text)
				csv_field(f, v->text, 0);
			else
				fprintf(f, "%.10g", v->value);
			fputc('\n', f);
		}
	}
}

/* One JSON element per series: {"series", "model" (kind or "ensemble"),
 * "combine" (ensembles), "members": [{"model", "weight", "parameters"}]}. */
static void write_local_json(FILE *f, const char *key, const fc_artifact_series *s,
                             const fc_description *d, int first)
{
	fprintf(f, "%s{\"series\":", first ? "" : ",");
	json_string(f, key);
	fprintf(f, ",\"model\":\"%s\"",
	        s->n_members > 1 ? "ensemble" : s->members[0].model->type->name);
	if (s->n_members > 1)
		fprintf(f, ",\"combine\":\"%s\"", s->median ? "median" : "mean");
	fputs(",\"members\":[", f);
	for (size_t m = 0; m < s->n_members; m++) {
		fprintf(f, "%s{\"model\":\"%s\",\"weight\":", m ? "," : "",
		        s->members[m].model->type->name);
		json_number(f, s->members[m].weight);
		fputs(",\"parameters\":{", f);
		for (size_t i = 0; i < d[m].n; i++) {
			const fc_described *v = &d[m].items[i];
			if (i)
				fputc(',', f);
			json_string(f, v->name);
			fputc(':', f);
			if (v->text)
				json_string(f, v->text);
			else
				json_number(f, v->value);
		}
		fputs("}}", f);
	}
	fputs("]}", f);
}

/* Re-anchors the local members of series s on its newer data y, as
 * predict does before it forecasts. */
static int anchor_locals(const fc_artifact_series *s, const fc_series *y, fc_err *err)
{
	fc_series view = *y;
	view.n_seasons = s->n_periods;   /* the periods it was fitted with */
	view.seasons = s->periods;
	for (size_t m = 0; m < s->n_members; m++) {
		fc_model *model = s->members[m].model;
		if (model->type->global)
			continue;
		int rc = fc_model_anchor(model, &view, err);
		if (rc) {
			fc_err_prefix(err, "series %s: ", view.key[0] ? view.key : "(the only series)");
			return rc;
		}
	}
	return 0;
}

/* Writes the members and fitted parameters of every series (the one keyed
 * `only`, when given), re-anchored on newer data where it has the series.
 * *first: no JSON element written yet. */
static int explain_locals(FILE *f, const cli_opts *o, const fc_artifact *a, const fc_panel *newer,
                          const char *only, int json, int *first, fc_err *err)
{
	char key[1024];
	int rc = 0;
	for (size_t i = 0; i < a->n_series && !rc; i++) {
		const fc_artifact_series *s = &a->series[i];
		cli_series_key(a, s, key, sizeof key);
		if (!s->n_members || (only && strcmp(only, key) != 0))
			continue;
		long k = newer ? fc_panel_find(newer, (const char *const *)s->group_values) : -1;
		if (k >= 0 && (rc = anchor_locals(s, &newer->series[k], err)))
			break;
		if (newer && k < 0) {
			char named[1024] = "";
			for (size_t g = 0; g < a->n_groups; g++) {
				size_t len = strlen(named);
				snprintf(named + len, sizeof named - len, "%s%s=%s", g ? "," : "",
				         a->group_names[g], s->group_values[g]);
			}
			cli_warn(o, "series %s is not in %s; explaining the forecast from the end of the "
			         "training data", a->n_groups ? named : "(the only series)", newer->path);
		}
		fc_description *d = calloc(s->n_members, sizeof *d);
		if (!d)
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		for (size_t m = 0; m < s->n_members && !rc; m++)
			if (!s->members[m].model->type->global)
				rc = fc_model_describe(s->members[m].model, &d[m], err);
		if (!rc && json)
			write_local_json(f, key, s, d, *first);
		else if (!rc)
			write_local_csv(f, key, s, d);
		*first = 0;
		for (size_t m = 0; m < s->n_members; m++)
			fc_description_dispose(&d[m]);
		free(d);
	}
	return rc;
}

/* Whether the model file has a series keyed `only`. */
static int has_series(const fc_artifact *a, const char *only)
{
	char key[1024];
	for (size_t i = 0; i < a->n_series; i++) {
		cli_series_key(a, &a->series[i], key, sizeof key);
		if (strcmp(only, key) == 0)
			return 1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs(USAGE, f);
}

int cmd_explain(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_EXPLAIN, "explain", usage, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	const char *model = o.model_in, *only = o.series, *output = o.output, *data = o.data;
	if (o.input) {
		fprintf(stderr, "forecast: error: unexpected argument '%s'\n"
		                "Try 'forecast explain --help' for more information.\n", o.input);
		return EXIT_USAGE;
	}
	if (!model) {
		fprintf(stderr, "forecast: error: --model FILE is required\n"
		                "Try 'forecast explain --help' for more information.\n");
		return EXIT_USAGE;
	}
	fc_err err;
	fc_artifact *a = NULL;
	if ((rc = fc_artifact_load(model, &a, &err)))
		return cli_fail(rc, err.msg);
	if (only && !has_series(a, only)) {
		fprintf(stderr, "forecast: error: --series '%s': the model file has no such series "
		                "(a key is the group values joined by ',')\n", only);
		fc_artifact_free(a);
		return EXIT_USAGE;
	}
	fc_panel *newer = NULL;
	fc_outfile out;
	memset(&out, 0, sizeof out);
	if ((data && (rc = cli_read_newer(data, a, &newer, &err))) ||
	    (rc = fc_outfile_open(&out, output ? output : "-", &err))) {
		fc_panel_free(newer);
		fc_artifact_free(a);
		return cli_fail(rc, err.msg);
	}
	FILE *f = out.f;
	int json = o.format_json, first = 1;
	fputs(json ? "[" : CSV_HEADER, f);
	for (size_t k = 0; k < a->n_globals && !rc; k++) {
		fc_explanation ex;
		fc_explanation_init(&ex);
		size_t *idx = NULL;
		rc = cli_explain_global(a, k, newer, only, &ex, &idx, NULL, &err);
		if (!rc && idx) {
			if (json)
				write_json(f, a, a->globals[k].model->type->name, &ex, idx, first);
			else
				write_csv(f, a, a->globals[k].model->type->name, &ex, idx);
			first = 0;
		}
		free(idx);
		fc_explanation_dispose(&ex);
	}
	if (!rc)
		rc = explain_locals(f, &o, a, newer, only, json, &first, &err);
	if (json)
		fputs("]\n", f);
	/* nothing is left under the output's name when explaining failed */
	if (!rc)
		rc = fc_outfile_commit(&out, &err);
	fc_outfile_abort(&out);
	fc_panel_free(newer);
	fc_artifact_free(a);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}
