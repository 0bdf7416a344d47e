/* `forecast predict`: forecasts from a saved model file.  With --data, each
 * series' chosen model (same kind and parameters) is re-anchored on the
 * newer data and forecasts from its end; without it, forecasts continue
 * from the end of the training data.
 *
 * With --shard K/N only the series of shard K (include/forecast/shard.h:
 * FNV-1a of the key, modulo N, as fit's shards) are forecast, and their
 * CSV rows go to a prediction part for `forecast merge`, which writes the
 * file one predict would have written.  A global model is still forecast
 * over every series that uses it, as without --shard, and each shard
 * keeps its own series: its features are per series, but the time table
 * they share is laid out from the earliest series start of the panel
 * forecast (the Fourier terms' phase counts from there), so forecasting a
 * shard's series alone could change their numbers.  That part is cheap (a
 * tree walk per step and series); the per-series re-anchoring and
 * forecasting of the local models divide. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/artifact.h"
#include "forecast/output.h"
#include "forecast/registry.h"
#include "forecast/shard.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast predict --model FILE [--horizon H] [--data CSV] [options]\n"
	        "\n"
	        "Forecasts every series of a model file written by 'forecast fit'.  With\n"
	        "--data, each series' chosen model is re-anchored on the newer data (same\n"
	        "columns as the training file) and forecasts from the end of it.\n"
	        "\n"
	        "Options:\n"
	        "  --model FILE       model file (required), or NAME (its champion) or NAME@V\n"
	        "                     of the registry (--registry DIR, default\n"
	        "                     $FORECAST_REGISTRY, else ./forecast-registry); the run\n"
	        "                     is recorded there, and with --registry or\n"
	        "                     $FORECAST_REGISTRY a prediction from a file as well\n"
	        "  --horizon H        steps to forecast (default: the horizon of the fit)\n"
	        "  --data CSV         newer history to re-anchor on\n"
	        "  --level L1,L2      interval levels in percent (default: those of the fit)\n"
	        "  -o, --output FILE  forecasts CSV (default '-': standard output)\n"
	        "  --shard K/N        forecast only the series of shard K of N (K = 0..N-1;\n"
	        "                     key hashed as fit --shard) into a prediction part\n"
	        "                     (-o PART, required); 'forecast merge OUT PART...'\n"
	        "                     writes from every shard's part the CSV one predict\n"
	        "                     writes\n"
	        "  --threads N, --quiet (-q), --help\n"
	        "\n"
	        "Exit codes: 0 success, 1 a model failed, 2 bad command line,\n"
	        "3 bad input data, 4 file or model-file problem.\n");
}

typedef struct prediction {
	fc_forecast fc;
	fc_time last;
	const char *model;
	int ok;
	int fallback;   /* not in --data: forecast from the end of the training data */
	int reanchored; /* members left out for the newer data (note says which) */
	char note[256];
} prediction;

/* Forecasts of the series with a member of global model k, all at once:
 * from the newer data where a series has some, else from the history kept
 * in the model file.  mean[i * h + step] for artifact series i. */
static int predict_global(const fc_artifact *a, size_t k, const fc_panel *newer, size_t h,
                          double *mean, fc_time *last, fc_err *err)
{
	cli_gpanel g;
	int rc = cli_gpanel_init(&g, a, k, newer, NULL, err);
	size_t n = g.p.n_series;
	if (rc || n == 0)
		return rc;
	double *out = malloc(n * h * sizeof *out);
	const fc_artifact_global *gl = &a->globals[k];
	if (!out)
		rc = fc_err_set(err, FC_ENOMEM, "out of memory");
	else
		rc = gl->model->type->global->forecast(gl->state, gl->model->params, &g.p, g.cut, h, out,
		                                       err);
	for (size_t j = 0; !rc && j < n; j++) {
		last[g.idx[j]] = fc_freq_add(a->freq, g.ser[j].start, (int64_t)g.ser[j].n - 1);
		memcpy(mean + g.idx[j] * h, out + j * h, h * sizeof *out);
	}
	free(out);
	cli_gpanel_dispose(&g);
	return rc;
}

/* The series' key as name=value,... ("" for a lone series), cut at cap. */
static void named_key(const fc_artifact *a, const fc_artifact_series *s, char *key, size_t cap)
{
	key[0] = '\0';
	for (size_t g = 0; g < a->n_groups; g++) {
		size_t len = strlen(key);
		snprintf(key + len, cap - len, "%s%s=%s", g ? "," : "", a->group_names[g],
		         s->group_values[g]);
	}
}

/* Naive on the newer data, for a series none of whose members could be
 * re-anchored on them: fit's last resort too (src/select/cv.c). */
static int predict_naive(const fc_series *view, fc_forecast *out, fc_err *err)
{
	fc_model *m = fc_model_alloc(fc_model_lookup("naive"), err);
	if (!m)
		return err->code ? err->code : FC_ENOMEM;
	int rc = fc_model_fit(m, view, err);
	if (!rc)
		rc = fc_model_forecast(m, out, err);
	fc_model_free(m);
	return rc;
}

/* Forecasts one series: each member (local ones re-anchored in place on
 * the newer data, when there is some; global ones from gmean, the global
 * models' forecasts made beforehand), combined as at fit time.  A local
 * member that cannot take the newer data (a multiplicative ETS meeting a
 * zero, say) is left out and the others' weights renormalized, as fit does
 * for a member that cannot be refitted; with none left, naive on the newer
 * data.  Either way out->note says so. */
static int predict_one(const fc_artifact *a, fc_artifact_series *s, const fc_panel *newer,
                       const cli_opts *o, size_t h, const double *levels, size_t n_levels,
                       const double *gmean, const fc_time *glast, prediction *out,
                       cli_unadjusted *unadj, fc_err *err)
{
	memset(out, 0, sizeof *out);
	if (!s->n_members)
		return 0;
	size_t n = s->n_members < FC_COMBINE_MAX ? s->n_members : FC_COMBINE_MAX;
	fc_forecast mf[FC_COMBINE_MAX];
	const fc_forecast *fp[FC_COMBINE_MAX];
	double w[FC_COMBINE_MAX];
	memset(mf, 0, sizeof mf);
	int rc = fc_forecast_init(&out->fc, h, levels, n_levels, err);
	if (rc)
		return rc;
	out->model = n > 1 ? "ensemble" : s->members[0].model->type->name;
	out->last = fc_artifact_last(a, s);
	long k = newer ? fc_panel_find(newer, (const char *const *)s->group_values) : -1;
	if (newer && k < 0) {
		out->fallback = 1;
		char key[256];
		named_key(a, s, key, sizeof key);
		cli_warn(o, "series %s is not in %s; forecasting from the end of the training data",
		         a->n_groups ? key : "(the only series)", o->data);
	}
	fc_series view = {0};
	if (k >= 0) {
		/* the series keeps the seasonal periods it was fitted with */
		view = newer->series[k];
		view.n_seasons = s->n_periods;
		view.seasons = s->periods;
	}
	size_t used = 0; /* members forecasting, first in mf, fp and w */
	fc_err first = {0};
	const char *kept = NULL;
	int dropped = 0;
	for (size_t m = 0; m < n && !rc; m++) {
		fc_artifact_member *mb = &s->members[m];
		fc_forecast *f = &mf[used];
		if ((rc = fc_forecast_init(f, h, levels, n_levels, err)))
			break;
		w[used] = mb->weight;
		fp[used] = f;
		if (mb->model->type->global) {
			memcpy(f->mean, gmean + mb->global * a->n_series * h, h * sizeof *gmean);
			out->last = glast[mb->global];
			fc_conformal_bounds(f, mb->conf_err, mb->conf_folds, mb->conf_h);
			kept = mb->model->type->name;
			used++;
			continue;
		}
		if (k >= 0) {
			if ((rc = fc_model_anchor(mb->model, &view, err))) {
				if (rc != FC_EMODEL)
					break;
				/* this member cannot take the newer data: left out */
				if (!dropped++)
					first = *err;
				fc_err_clear(err);
				rc = 0;
				fc_forecast_dispose(f);
				continue;
			}
			out->last = fc_freq_add(newer->freq, view.start, (int64_t)view.n - 1);
		}
		size_t u;
		if ((rc = fc_model_forecast_counted(mb->model, f, &u, err)))
			break;
		if (mb->model->applied.kind != FC_SCALE_NONE) {
			char key[256];
			named_key(a, s, key, sizeof key);
			cli_unadjusted_add(unadj, mb->model, key, h, u);
		}
		if (mb->model->type->conformal)
			fc_conformal_bounds(f, mb->conf_err, mb->conf_folds, mb->conf_h);
		kept = mb->model->type->name;
		used++;
	}
	if (rc) /* the member that failed */
		fc_forecast_dispose(&mf[used]);
	if (rc && k >= 0)
		fc_err_prefix(err, "series %s: ", view.key[0] ? view.key : "(the only series)");
	if (!rc && dropped) {
		out->reanchored = 1;
		out->model = used > 1 ? "ensemble" : used ? kept : "naive";
		snprintf(out->note, sizeof out->note, "%.160s; left out, forecast by %s", first.msg,
		         used > 1 ? "the other members" : used ? out->model : "naive on the newer data");
	}
	if (!rc && used)
		fc_forecast_combine(fp, w, used, s->median, &out->fc);
	else if (!rc) {
		rc = predict_naive(&view, &out->fc, err);
		out->last = fc_freq_add(newer->freq, view.start, (int64_t)view.n - 1);
	}
	if (!rc && s->ens_err && used) /* as fit made them: conformal from the ensemble's own errors */
		fc_conformal_bounds(&out->fc, s->ens_err, s->ens_folds, s->ens_h);
	/* clipped where fit clipped; under auto, not where the newer data have
	 * a negative value, as fit on them would not */
	if (!rc && s->clip &&
	    (a->clip != FC_CLIP_AUTO || k < 0 ||
	     fc_clip_applies(FC_CLIP_AUTO, fc_series_raw(&newer->series[k]), newer->series[k].n)))
		fc_forecast_clip(&out->fc);
	for (size_t m = 0; m < used; m++)
		fc_forecast_dispose(&mf[m]);
	if (rc) {
		fc_forecast_dispose(&out->fc);
		return rc;
	}
	out->ok = 1;
	return 0;
}

/* The series' key as the data's panel writes it, name=value joined by
 * ',' ("" for a lone series), which fit's shards hash; malloc'd. */
static char *series_key(const fc_artifact *a, const fc_artifact_series *s)
{
	size_t len = 1;
	for (size_t g = 0; g < a->n_groups; g++)
		len += strlen(a->group_names[g]) + strlen(s->group_values[g]) + 2;
	char *k = malloc(len);
	if (!k)
		return NULL;
	size_t at = 0;
	k[0] = 0;
	for (size_t g = 0; g < a->n_groups; g++)
		at += (size_t)snprintf(k + at, len - at, "%s%s=%s", g ? "," : "", a->group_names[g],
		                       s->group_values[g]);
	return k;
}

static size_t shard_of(const fc_artifact *a, const fc_artifact_series *s, size_t n_shards)
{
	char *k = series_key(a, s);
	/* no memory for the key: shard 0 takes it, and the merge's count
	 * of series catches the shard that should have */
	size_t sh = k ? fc_shard_of(k, n_shards) : 0;
	free(k);
	return sh;
}

/* The CSV header the forecasts of pred would have, as predict writes it. */
static void write_header(FILE *f, const fc_schema *schema, const prediction *pred, size_t S,
                         const double *levels, size_t n_levels)
{
	fc_forecast like = {.n_levels = n_levels};
	for (size_t l = 0; l < n_levels; l++)
		like.levels[l] = levels[l];
	/* fc_forecast_init sorted the levels; print the header in that order. */
	for (size_t i = 0; i < S; i++)
		if (pred[i].ok) {
			like = pred[i].fc;
			break;
		}
	fc_forecast_csv_header(f, schema, &like);
}

/* --shard: the shard's series' rows and the header into a prediction
 * part (-o).  An exit code. */
static int write_part(const cli_opts *o, const fc_artifact *a, const char *model_path,
                      const fc_panel *newer, const prediction *pred, const unsigned char *mine,
                      const double *levels, size_t n_levels, size_t h)
{
	fc_err err;
	fc_err_clear(&err);
	size_t S = a->n_series, n = 0;
	for (size_t i = 0; i < S; i++)
		n += mine[i];
	fc_pred_part part = {.shard = o->shard, .n_shards = o->n_shards, .horizon = h,
	                     .n_levels = n_levels, .n_series = S, .n_records = n};
	for (size_t l = 0; l < n_levels; l++)
		part.levels[l] = levels[l];
	if (newer)
		fc_registry_fingerprint(newer, part.fingerprint);
	int rc = fc_registry_hash_file(model_path, part.model, &err);
	fc_schema schema = {a->n_groups, (const char *const *)a->group_names, a->time_name, a->style, a->freq};
	part.records = calloc(n ? n : 1, sizeof *part.records);
	char **texts = calloc(n + 1, sizeof *texts);
	size_t *lens = calloc(n + 1, sizeof *lens);
	if (!rc && (!part.records || !texts || !lens))
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	/* texts[0]: the header; texts[k + 1]: the k-th series' rows */
	FILE *m = rc ? NULL : open_memstream(&texts[0], &lens[0]);
	if (!rc && !m)
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	if (m) {
		write_header(m, &schema, pred, S, levels, n_levels);
		if (fclose(m))
			rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	}
	for (size_t i = 0, k = 0; i < S && !rc; i++) {
		if (!mine[i])
			continue;
		fc_pred_record *r = &part.records[k];
		r->index = i;
		r->ok = pred[i].ok;
		r->key = series_key(a, &a->series[i]);
		if (!r->key || !(m = open_memstream(&texts[k + 1], &lens[k + 1]))) {
			rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
			break;
		}
		if (pred[i].ok)
			fc_forecast_csv_rows(m, &schema, (const char *const *)a->series[i].group_values,
			                     pred[i].last, &pred[i].fc, pred[i].model);
		if (fclose(m))
			rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
		r->rows = texts[k + 1];
		r->rows_len = lens[k + 1];
		k++;
	}
	part.header = texts ? texts[0] : NULL;
	part.header_len = lens ? lens[0] : 0;
	fc_buf b;
	fc_buf_init(&b);
	if (!rc)
		rc = fc_pred_part_encode(&b, &part, &err);
	fc_outfile out;
	memset(&out, 0, sizeof out);
	if (!rc && !(rc = fc_outfile_open(&out, o->output, &err))) {
		if (fwrite(b.data, 1, b.len, out.f) != b.len)
			rc = fc_err_set(&err, FC_EIO, "%s: write failed", o->output);
		if (!rc)
			rc = fc_outfile_commit(&out, &err);
	}
	fc_outfile_abort(&out);
	if (!rc && !o->quiet)
		fprintf(stderr, "forecast: shard %zu of %zu: %zu of %zu series forecast; part written to "
		        "%s ('forecast merge OUT PART...' writes the forecasts of every shard's part)\n",
		        o->shard, o->n_shards, n, S, o->output);
	fc_buf_dispose(&b);
	for (size_t k = 0; texts && k <= n; k++)
		free(texts[k]);
	for (size_t k = 0; part.records && k < n; k++)
		free((char *)part.records[k].key);
	free(texts);
	free(lens);
	free(part.records);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

int cmd_predict(int argc, char **argv)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, OPT_PREDICT | OPT_LEVEL | OPT_REGISTRY | OPT_SHARD, "predict",
	                   usage, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (o.input) {
		fprintf(stderr, "forecast: error: unexpected argument '%s' (give newer data with --data)\n"
		                "Try 'forecast predict --help' for more information.\n", o.input);
		return EXIT_USAGE;
	}
	if (!o.model_in) {
		fprintf(stderr, "forecast: error: --model FILE is required\n"
		                "Try 'forecast predict --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (o.n_shards && (!o.output || strcmp(o.output, "-") == 0)) {
		fprintf(stderr, "forecast: error: --shard writes a prediction part: give it a file with "
		                "-o PART ('forecast merge OUT PART...' then writes the forecasts)\n"
		                "Try 'forecast predict --help' for more information.\n");
		return EXIT_USAGE;
	}
	fc_err err;
	fc_artifact *a = NULL;
	cli_reg reg;
	memset(&reg, 0, sizeof reg);
	cli_reg_start(&o, &reg, 0);
	char model_path[4096];
	if ((rc = cli_reg_model_path(&o, &reg, model_path, sizeof model_path))) {
		cli_reg_end(&reg, "predict", argc, argv, NULL, rc);
		return rc;
	}
	if (o.n_shards)
		reg.wanted = 0; /* a part is no run's output: the merge's CSV is */
	if ((rc = fc_artifact_load(model_path, &a, &err))) {
		rc = cli_fail(rc, err.msg);
		cli_reg_end(&reg, "predict", argc, argv, NULL, rc);
		return rc;
	}
	size_t h = o.horizon ? o.horizon : a->horizon;
	const double *levels = o.levels_given ? o.levels : a->levels;
	size_t n_levels = o.levels_given ? o.n_levels : a->n_levels;

	fc_panel *newer = NULL;
	if (o.data && (rc = cli_read_newer(o.data, a, &newer, &err))) {
		fc_artifact_free(a);
		rc = cli_fail(rc, err.msg);
		cli_reg_end(&reg, "predict", argc, argv, NULL, rc);
		return rc;
	}
	if (newer) {
		reg.rows_read = (long)newer->n_rows;
		for (size_t i = 0, unknown = 0; i < newer->n_series; i++) {
			int found = 0;
			for (size_t j = 0; j < a->n_series && !found; j++) {
				found = 1;
				for (size_t g = 0; g < a->n_groups && found; g++)
					found = strcmp(a->series[j].group_values[g], newer->series[i].group_values[g]) == 0;
			}
			if (!found && unknown++ < 10)
				cli_warn(&o, "series %s of %s is not in the model; refit to forecast it",
				         newer->series[i].key, o.data);
		}
	}

	prediction *pred = calloc(a->n_series ? a->n_series : 1, sizeof *pred);
	unsigned char *mine = NULL; /* the series this run forecasts (--shard) */
	/* gmean[(k * n_series + i) * h + step]: global model k's forecast of
	 * series i; glast[k * n_series + i] the timestamp it starts after */
	size_t G = a->n_globals, S = a->n_series;
	double *gmean = G ? malloc(G * S * h * sizeof *gmean) : NULL;
	fc_time *glast = G ? calloc(G * S, sizeof *glast) : NULL;
	if (!pred || (G && (!gmean || !glast))) {
		free(gmean);
		free(glast);
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < G; k++) {
		if ((rc = predict_global(a, k, newer, h, gmean + k * S * h, glast + k * S, &err))) {
			free(gmean);
			free(glast);
			rc = cli_fail(rc, err.msg);
			goto out;
		}
	}
	mine = malloc(S ? S : 1);
	if (!mine) {
		free(gmean);
		free(glast);
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < S; i++)
		mine[i] = !o.n_shards || shard_of(a, &a->series[i], o.n_shards) == o.shard;
	cli_unadjusted unadj = {0};
	for (size_t i = 0; i < S; i++) {
		if (!mine[i])
			continue;
		fc_time gl[FC_COMBINE_MAX] = {0};
		for (size_t k = 0; k < G && k < FC_COMBINE_MAX; k++)
			gl[k] = glast[k * S + i];
		if ((rc = predict_one(a, &a->series[i], newer, &o, h, levels, n_levels,
		                      gmean ? gmean + i * h : NULL, gl, &pred[i], &unadj, &err))) {
			free(gmean);
			free(glast);
			cli_unadjusted_dispose(&unadj);
			rc = cli_fail(rc, err.msg);
			goto out;
		}
	}
	cli_unadjusted_warn(&o, &unadj, "");
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < S; i++) {
		if (!pred[i].reanchored)
			continue;
		if (shown == 10) {
			more++;
			continue;
		}
		shown++;
		char key[256];
		named_key(a, &a->series[i], key, sizeof key);
		cli_warn(&o, "series %s: %s", a->n_groups ? key : "(the only series)", pred[i].note);
	}
	if (more)
		cli_warn(&o, "... and %zu more series with members left out", more);

	free(gmean);
	free(glast);
	/* a forecast past 9999-12-31 could not be read back: refuse before
	 * anything is written */
	for (size_t i = 0; i < S; i++) {
		if (!pred[i].ok || fc_time_writable(fc_freq_add(a->freq, pred[i].last, (int64_t)h), a->style))
			continue;
		char msg[FC_ERR_MSG_MAX], when[48];
		fc_time_format(pred[i].last, a->style, when, sizeof when);
		snprintf(msg, sizeof msg, "%.300s: series %zu of the model ends at %s; a horizon of %zu would "
		         "forecast past 9999-12-31, the last timestamp that can be written",
		         o.data ? o.data : model_path, i + 1, when, h);
		rc = cli_fail(FC_EINPUT, msg);
		goto out;
	}
	if (o.n_shards) {
		rc = write_part(&o, a, model_path, newer, pred, mine, levels, n_levels, h);
		goto out;
	}
	fc_outfile out;
	if ((rc = fc_outfile_open(&out, o.output ? o.output : "-", &err))) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	fc_schema schema = {a->n_groups, (const char *const *)a->group_names, a->time_name, a->style, a->freq};
	write_header(out.f, &schema, pred, S, levels, n_levels);
	for (size_t i = 0; i < a->n_series; i++)
		if (pred[i].ok)
			fc_forecast_csv_rows(out.f, &schema, (const char *const *)a->series[i].group_values,
			                     pred[i].last, &pred[i].fc, pred[i].model);
	rc = fc_outfile_commit(&out, &err);
	fc_outfile_abort(&out);
	rc = rc ? cli_fail(rc, err.msg) : EXIT_OK;
	if (!rc) {
		for (size_t i = 0; i < a->n_series; i++) {
			reg.series_forecast += pred[i].ok;
			reg.fallbacks += pred[i].ok && (pred[i].fallback || pred[i].reanchored);
		}
		cli_reg_output(&reg, o.output ? o.output : "-");
	}
out:
	cli_reg_end(&reg, "predict", argc, argv, NULL, rc);
	if (pred)
		for (size_t i = 0; i < a->n_series; i++)
			fc_forecast_dispose(&pred[i].fc);
	free(pred);
	free(mine);
	fc_panel_free(newer);
	fc_artifact_free(a);
	return rc;
}
