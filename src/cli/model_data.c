/* What the commands that start from a model file (predict, retrain,
 * explain, report) need of it (cli.h): new data read as the model's data
 * were read, and the panel its global model forecasts from: the series
 * that use it, each with the history the file keeps or, where the user
 * gave newer data for it, that series of the newer data. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/artifact.h"

int cli_read_like(const char *path, const fc_artifact *a, fc_panel **out, fc_err *err)
{
	fc_read_opts ro = fc_read_opts_default();
	char groups[1024] = "", freq[64];
	for (size_t g = 0; g < a->n_groups; g++) {
		size_t len = strlen(groups);
		snprintf(groups + len, sizeof groups - len, "%s%s", g ? "," : "", a->group_names[g]);
	}
	fc_freq_format(a->freq, freq, sizeof freq);
	ro.time_col = a->time_name;
	ro.target_col = a->target_name;
	ro.group_cols = groups;
	ro.freq = freq;
	ro.n_seasons = a->n_seasons;
	memcpy(ro.seasons, a->seasons, sizeof ro.seasons);
	ro.keep_seasons = 1; /* each series keeps its fitted periods */
	ro.aggregate = a->aggregate;
	ro.fill = a->fill;
	return fc_panel_read(path, &ro, out, err);
}

int cli_read_newer(const char *path, const fc_artifact *a, fc_panel **out, fc_err *err)
{
	int rc = cli_read_like(path, a, out, err);
	if (rc)
		return rc;
	if ((*out)->style.kind != a->style.kind) {
		rc = fc_err_set(err, FC_EINPUT, "%s: timestamps are written as %s, but the model was fitted on %s timestamps",
		                path, fc_style_name((*out)->style), fc_style_name(a->style));
		fc_panel_free(*out);
		*out = NULL;
	}
	return rc;
}

int cli_uses_global(const fc_artifact_series *s, size_t k)
{
	for (size_t m = 0; m < s->n_members; m++)
		if (s->members[m].model->type->global && s->members[m].global == k)
			return 1;
	return 0;
}

void cli_series_key(const fc_artifact *a, const fc_artifact_series *s, char *buf, size_t cap)
{
	buf[0] = '\0';
	size_t len = 0;
	for (size_t g = 0; g < a->n_groups; g++)
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s",
		                        g ? "," : "", s->group_values[g]);
}

/* Whether artifact series s takes part: it uses global k, and its key is
 * `only` when that is given. */
static int wanted(const fc_artifact *a, const fc_artifact_series *s, size_t k, const char *only)
{
	if (!cli_uses_global(s, k))
		return 0;
	if (!only)
		return 1;
	char key[1024];
	cli_series_key(a, s, key, sizeof key);
	return strcmp(only, key) == 0;
}

void cli_gpanel_dispose(cli_gpanel *g)
{
	free(g->ser);
	free(g->idx);
	free(g->cut);
	free(g->nan_col);
	free(g->nan_exog);
	memset(g, 0, sizeof *g);
}

int cli_gpanel_init(cli_gpanel *g, const fc_artifact *a, size_t k, const fc_panel *newer,
                    const char *only, fc_err *err)
{
	memset(g, 0, sizeof *g);
	size_t n = 0, max_hist = 1;
	for (size_t i = 0; i < a->n_series; i++)
		if (wanted(a, &a->series[i], k, only)) {
			n++;
			if (a->series[i].n_history > max_hist)
				max_hist = a->series[i].n_history;
		}
	if (n == 0)
		return 0;
	if (newer && newer->n_exog != a->n_exog)
		return fc_err_set(err, FC_EINPUT, "%s has %zu exogenous columns; the model was fitted with %zu",
		                  newer->path, newer->n_exog, a->n_exog);
	g->ser = calloc(n, sizeof *g->ser);
	g->idx = malloc(n * sizeof *g->idx);
	g->cut = malloc(n * sizeof *g->cut);
	g->nan_col = malloc(max_hist * sizeof *g->nan_col);
	g->nan_exog = malloc((a->n_exog ? a->n_exog : 1) * sizeof *g->nan_exog);
	if (!g->ser || !g->idx || !g->cut || !g->nan_col || !g->nan_exog) {
		cli_gpanel_dispose(g);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	/* the file keeps no exogenous history: missing to the features */
	for (size_t t = 0; t < max_hist; t++)
		g->nan_col[t] = NAN;
	for (size_t j = 0; j < a->n_exog; j++)
		g->nan_exog[j] = g->nan_col;
	size_t m = 0;
	for (size_t i = 0; i < a->n_series; i++) {
		const fc_artifact_series *s = &a->series[i];
		if (!wanted(a, s, k, only))
			continue;
		long f = newer ? fc_panel_find(newer, (const char *const *)s->group_values) : -1;
		fc_series *y = &g->ser[m];
		if (f >= 0) {
			*y = newer->series[f];
		} else {
			y->key = "";
			y->group_values = (const char *const *)s->group_values;
			y->n_groups = a->n_groups;
			y->start = fc_freq_add(a->freq, s->start, (int64_t)(s->n - s->n_history));
			y->n = s->n_history;
			y->y = s->history;
			y->n_exog = a->n_exog;
			y->exog = a->n_exog ? g->nan_exog : NULL;
		}
		y->n_seasons = s->n_periods;
		y->seasons = s->periods;
		g->cut[m] = y->n;
		g->idx[m++] = i;
	}
	fc_panel *p = &g->p;
	p->path = newer ? newer->path : a->source;
	p->freq = a->freq;
	p->style = a->style;
	p->n_seasons = a->n_seasons;
	memcpy(p->seasons, a->seasons, sizeof p->seasons);
	p->n_groups = a->n_groups;
	p->group_names = a->group_names;
	p->n_exog = a->n_exog;
	p->exog_names = a->exog_names;
	p->n_series = n;
	p->series = g->ser;
	return 0;
}
