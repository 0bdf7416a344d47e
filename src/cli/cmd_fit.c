/* `forecast fit` and `forecast cv`: read the panel, back-test the
 * candidates on identical rolling-origin folds, print the leaderboard, and
 * (fit) write the forecasts and the model file.  Every output is written to
 * a temporary file and renamed only when all of them are complete. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "forecast/artifact.h"
#include "forecast/budget.h"
#include "forecast/dist.h"
#include "forecast/file.h"
#include "forecast/hash.h"
#include "forecast/output.h"
#include "forecast/registry.h"
#include "forecast/scale.h"
#include "forecast/search.h"
#include "forecast/shard.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static void usage_common(FILE *f)
{
	fprintf(f,
	        "Data options:\n"
	        "  --time NAME        time column (default: detected: date, ds, timestamp, ...)\n"
	        "  --target NAME      value column (default: detected: y, sales, value, ...)\n"
	        "  --group A,B        columns identifying a series (default: detected ID columns;\n"
	        "                     '' for a single series)\n"
	        "  --sep C            field separator: ',', ';', '|' or tab (default: sniffed)\n"
	        "  --freq F           frequency: D, W-FRI, MS, M, QS, Y, h, 15min, step ...\n"
	        "                     (default: inferred from the timestamps)\n"
	        "  --season P[,P2]    seasonal periods in steps (default: from the frequency,\n"
	        "                     e.g. 7,365.25 for daily, each kept per series only where\n"
	        "                     the data show it; needed for integer time steps)\n"
	        "  --keep-seasons     give every series the frequency's periods, untested\n"
	        "  --aggregate M      combine duplicate timestamps: sum, mean, min, max, last\n"
	        "                     (default: duplicates are an error)\n"
	        "  --fill M           impute missing values: zero, ffill, linear, none\n"
	        "                     (default linear: a missing day is not a sold zero)\n"
	        "\n"
	        "Back-testing options:\n"
	        "  --horizon H        steps to forecast (required)\n"
	        "  --folds K          rolling origins (default 3)\n"
	        "  --step S           steps between origins (default: the horizon)\n"
	        "  --window N         sliding training window of N observations\n"
	        "                     (default: expanding window)\n"
	        "  --metric M         selection metric: mase (default), mae, rmse, smape, mape,\n"
	        "                     wape, nrmse\n"
	        "  --models A,B       candidate models (default: all that apply):\n"
	        "                    ");
	for (size_t k = 0, first = 1; k < fc_model_kind_count(); k++)
		if (!fc_model_kind_at(k)->opt_in) {
			fprintf(f, "%s %s", first ? "" : ",", fc_model_kind_at(k)->name);
			first = 0;
		}
	fprintf(f, "\n                     and when named: ");
	for (size_t k = 0, first = 1; k < fc_model_kind_count(); k++)
		if (fc_model_kind_at(k)->opt_in) {
			fprintf(f, "%s%s", first ? "" : ", ", fc_model_kind_at(k)->name);
			first = 0;
		}
	fprintf(f,
	        "\n"
	        "  --param K.N=V      set model parameter N of kind K (repeatable),\n"
	        "                     e.g. window.size=28, snaive.period=7\n"
	        "  --transform T      log1p or boxcox[=LAMBDA|auto] (LAMBDA in [-1,2]; auto:\n"
	        "                     Guerrero's per series): every local model on that scale,\n"
	        "                     its forecast mapped back bias-adjusted (the mean; the\n"
	        "                     median where the adjustment leaves the interval, with a\n"
	        "                     warning); series with values <= 0 (log1p: <= -1) keep\n"
	        "                     their scale; for the global model's other transforms see\n"
	        "                     below (default: none)\n"
	        "  --strict           fail instead of falling back on series that are too short\n"
	        "  --ensemble E       the final step: caruana (default: greedy ensemble\n"
	        "                     selection over the candidates' back-test forecasts), mean,\n"
	        "                     median (of every candidate that applies), none (the best\n"
	        "                     candidate per series), stack (a non-negative ElasticNet\n"
	        "                     on the back-test forecasts, lambda by leave-one-fold-out;\n"
	        "                     off by default: prone to overfitting, see README)\n"
	        "  --ensemble-by B    caruana's weights: series (a set per series, on its\n"
	        "                     folds), panel (one set, on every series' folds) or blend\n"
	        "                     (default: a series' own and the panel's, mixed in the\n"
	        "                     proportion that holds out best, leave-one-fold-out)\n"
	        "  --ensemble-rounds N  caruana's picks (default 25)\n"
	        "  --ensemble-intervals I  an ensemble's bounds: members (default: the\n"
	        "                     members' bounds averaged by weight), auto (that for\n"
	        "                     model-based members, else conformal from the\n"
	        "                     ensemble's own back-test errors), conformal (always)\n"
	        "  --search M         hyperparameter search: grid, random or bayes (TPE);\n"
	        "                     each trial, a configuration of one kind drawn from its\n"
	        "                     space ('forecast models --params'), joins the candidates\n"
	        "                     as KIND#N and is back-tested on the same folds\n"
	        "  --budget-trials N  trials in all, shared by the searched kinds (default %d;\n"
	        "                     a grid stops after N points and says so)\n"
	        "  --budget-minutes M stop launching trials after M minutes of wall clock and\n"
	        "                     finish with those done (depends on the machine)\n"
	        "  --concurrency K    trials back-tested together, between the decisions of\n"
	        "                     bayes and early stopping (default 1)\n"
	        "  --early-stop P     none (default), median or bandit: stop a trial between\n"
	        "                     folds when its running loss is worse than the median of\n"
	        "                     its kind's finished runs, or than their best x (1+slack)\n"
	        "  --bandit-slack F   the bandit's slack factor (default 0.1)\n"
	        "  --early-stop-delay D  folds scored before a policy applies (default 0)\n"
	        "  --seed S           seed of the random and bayes searches (default 0)\n"
	        "  --space FILE       change or add search ranges, one a line, e.g.\n"
	        "                     gbdt.learning_rate = loguniform(0.01, 0.3)\n"
	        "  --search-models A,B  search only these kinds (default: every candidate\n"
	        "                     kind with a space)\n"
	        "  --candidate-timeout S  work budget of one candidate on one series, in\n"
	        "                     seconds of a reference core (counted in work units, so\n"
	        "                     the result does not depend on the machine); past it the\n"
	        "                     candidate is dropped for that series (default %g; 0 none)\n"
	        "  --default-budget M  estimated CPU minutes the default set's local kinds may\n"
	        "                     take (their back-tests and refits; default %g; 0 none):\n"
	        "                     on a panel estimated over it, the dearest local kinds\n"
	        "                     (arima first) are left out, with a note; --models fits\n"
	        "                     the kinds it names at any size\n"
	        "\n"
	        "Global model (gbdt: one gradient-boosted tree model over all series):\n"
	        "  --strategy S       recursive (default) or direct (one model per step)\n"
	        "  --global-by COL    one model per value of group column COL\n"
	        "  --refit-every K    in back-tests, fit on every K-th fold and reuse it\n"
	        "  --lags, --windows, --agg, --calendar, --fourier, --transform (standard,\n"
	        "                     robust, log1p, diff, sdiff), --country,\n"
	        "  --holiday-window, --events, --known-future ...: its features (see 'forecast\n"
	        "                     features --help'); --param gbdt.num_leaves=63 etc. set\n"
	        "                     the learner (n_trees, learning_rate, loss=poisson ...)\n"
	        "  --level L1,L2      prediction interval levels in percent (default 80,95)\n"
	        "\n"
	        "General: --threads N, --quiet (-q), --timings (wall time per stage, peak\n"
	        "memory and CPU time per candidate on stderr), --help\n"
	        "\n"
	        "Exit codes: 0 success, 1 a model failed, 2 bad command line,\n"
	        "3 bad input data, 4 file or model-file problem.\n", FC_SEARCH_DEFAULT_TRIALS,
	        CLI_DEFAULT_CANDIDATE_TIMEOUT, CLI_DEFAULT_BUDGET_MINUTES);
}

static void usage_fit(FILE *f)
{
	fprintf(f,
	        "Usage: forecast fit FILE --horizon H [options]\n"
	        "\n"
	        "Back-tests every candidate model on the same rolling-origin folds of each\n"
	        "series, picks the best per series by the selection metric, refits it on all\n"
	        "history and forecasts H steps with prediction intervals.\n"
	        "\n"
	        "Output options:\n"
	        "  -o, --output FILE  forecasts CSV (default FILE.forecast.csv; '-' = stdout)\n"
	        "  --leaderboard FILE also write the leaderboard as CSV (its last column,\n"
	        "                     seconds: the CPU time in each candidate)\n"
	        "  --model-out FILE   model file for 'forecast predict' (default FILE.model)\n"
	        "  --report FILE      also write an HTML report: leaderboard, plots per series,\n"
	        "                     feature importance and SHAP of global models\n"
	        "  --clip M           clip forecasts and interval bounds at zero: auto (default:\n"
	        "                     for each series whose history has no negative value),\n"
	        "                     nonneg (every series) or none; kept in the model file,\n"
	        "                     so that 'forecast predict' clips the same series\n"
	        "\n"
	        "Registry options (see 'forecast registry --help'):\n"
	        "  --name NAME        also register the model as the next version of NAME\n"
	        "                     (the first version becomes champion, later ones\n"
	        "                     candidates: 'forecast retrain' or 'registry promote'\n"
	        "                     decide)\n"
	        "  --registry DIR     the registry (default $FORECAST_REGISTRY, else\n"
	        "                     ./forecast-registry); with it or $FORECAST_REGISTRY, a\n"
	        "                     fit without --name is recorded there as a run\n"
	        "  --wait SECONDS     wait this long for another writer of NAME (default 0)\n"
	        "\n"
	        "Scale-out (see 'forecast merge --help'):\n"
	        "  --shard K/N        back-test only the series of shard K of N (numbered from\n"
	        "                     0) and write them to a part (-o, default\n"
	        "                     FILE.shard-K-of-N); 'forecast merge' makes the outputs\n"
	        "\n");
	usage_common(f);
}

static void usage_cv(FILE *f)
{
	fprintf(f,
	        "Usage: forecast cv FILE --horizon H [options]\n"
	        "\n"
	        "Back-tests every candidate model on the same rolling-origin folds of each\n"
	        "series and prints the leaderboard: each model's metrics averaged over series\n"
	        "and folds, and the number of series it wins.  Writes nothing else.\n"
	        "\n"
	        "Output options:\n"
	        "  --leaderboard FILE also write the leaderboard as CSV (its last column,\n"
	        "                     seconds: the CPU time in each candidate)\n"
	        "  --shard K/N        back-test only shard K of N into a part (-o FILE); see\n"
	        "                     'forecast merge --help'\n"
	        "  --registry DIR     record the run in this registry (default\n"
	        "                     $FORECAST_REGISTRY; without either, none)\n"
	        "\n");
	usage_common(f);
}

/* The candidates' names in reports: a kind's name, or a trial's label
 * ("gbdt#3"); and each trial's parameters (NULL for the others; no params
 * column at all without --search, so that plain runs print what they
 * printed before). */
typedef struct cand_names {
	const char **label;
	const char **params;
	int search;
} cand_names;

static void print_leaderboard(FILE *f, const fc_leader_row *rows, size_t n,
                              const cand_names *nm, fc_metric primary, size_t n_series)
{
	fprintf(f, "%-10s %7s %6s %6s", "model", "series", "wins", "folds");
	for (int j = 0; j < FC_METRIC_COUNT; j++) {
		char label[16];
		snprintf(label, sizeof label, "%s%s", fc_metric_label((fc_metric)j),
		         (fc_metric)j == primary ? "*" : "");
		fprintf(f, " %10s", label);
	}
	fprintf(f, " %9s %8s%s\n", "seconds", "timeouts", nm->search ? " stopped params" : "");
	for (size_t i = 0; i < n; i++) {
		const fc_leader_row *r = &rows[i];
		fprintf(f, "%-10s %7zu %6zu %6.2f", nm->label[r->candidate], r->series, r->wins,
		        r->series ? (double)r->folds / (double)r->series : 0.0);
		for (int j = 0; j < FC_METRIC_COUNT; j++) {
			if (isnan(r->metric[j]))
				fprintf(f, " %10s", "-");
			else
				fprintf(f, " %10.4g", r->metric[j]);
		}
		fprintf(f, " %9.2f %8zu", r->seconds, r->timeouts);
		if (nm->search)
			fprintf(f, " %7zu %s", r->stopped,
			        nm->params[r->candidate] ? nm->params[r->candidate] : "-");
		fputc('\n', f);
	}
	fprintf(f, "(%zu series; * = selection metric; means over series and folds; folds: per "
	        "series scored; seconds: CPU time in the candidate%s)\n", n_series,
	        nm->search ? "; stopped: the fold after which early stopping ended a trial, 0 = "
	        "none" : "");
}

/* The leaderboard as CSV (--leaderboard).  The measured CPU seconds are
 * the last column, the only one that differs from run to run, so that
 * every other column keeps its index and the rest of a row can be compared
 * byte for byte (tests/setup.sh's lb_cmp cuts it off). */
static void write_leaderboard_csv(FILE *f, const fc_leader_row *rows, size_t n,
                                  const cand_names *nm)
{
	fputs("model,series,wins,folds", f);
	for (int j = 0; j < FC_METRIC_COUNT; j++)
		fprintf(f, ",%s", fc_metric_name((fc_metric)j));
	fputs(nm->search ? ",timeouts,params,stopped,seconds\n" : ",timeouts,seconds\n", f);
	for (size_t i = 0; i < n; i++) {
		const fc_leader_row *r = &rows[i];
		fprintf(f, "%s,%zu,%zu,%zu", nm->label[r->candidate], r->series, r->wins, r->folds);
		for (int j = 0; j < FC_METRIC_COUNT; j++) {
			if (isnan(r->metric[j]))
				fputs(",", f);
			else
				fprintf(f, ",%.10g", r->metric[j]);
		}
		fprintf(f, ",%zu", r->timeouts);
		if (nm->search) {
			fputc(',', f);
			fc_csv_field(f, nm->params[r->candidate] ? nm->params[r->candidate] : "");
			fprintf(f, ",%zu", r->stopped);
		}
		fprintf(f, ",%.3f\n", r->seconds);
	}
}

const char *cli_season_status_name(int status)
{
	switch (status) {
	case FC_SEASON_SHOWN: return "shown";
	case FC_SEASON_POOLED: return "kept-by-panel";
	case FC_SEASON_UNSURE: return "refuted-by-panel";
	case FC_SEASON_REFUTED: return "refuted";
	case FC_SEASON_SHORT: return "under-one-cycle";
	default: return "-";
	}
}

/* What the test decided for each of the frequency's periods, and why, e.g.
 * "52.18: shown in 3 series, kept in 2655 too short to tell (the panel's
 * ACF hill at 52.18: +0.21, t = 35.2 over 2660 series), refuted in 2". */
void cli_describe_tested_seasons(FILE *f, const char *prefix, const fc_panel *p)
{
	size_t other = 0, none = 0;
	for (size_t i = 0; i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		none += s->n_seasons == 0;
		int found_other = 0;
		for (size_t k = 0; k < s->n_seasons; k++) {
			size_t j = 0;
			while (j < p->n_seasons && p->seasons[j] != s->seasons[k])
				j++;
			found_other |= j == p->n_seasons;
		}
		other += found_other;
	}
	for (size_t j = 0; j < p->n_seasons; j++) {
		size_t count[6] = {0};
		for (size_t i = 0; p->season_status && i < p->n_series; i++)
			count[p->season_status[i * FC_MAX_SEASONS + j] % 6]++;
		const struct fc_season_pool *pool = &p->season_pool[j];
		char why[160];
		if (pool->n_series < 2)
			snprintf(why, sizeof why, "kept (no other series to pool with)");
		else
			snprintf(why, sizeof why, "%s (the panel's ACF hill at %g: %+.3f, t = %.1f over %zu "
			         "series)", pool->refuted ? "dropped as the panel refutes it" : "kept",
			         p->seasons[j], pool->mean_contrast, pool->t, pool->n_series);
		fprintf(f, "%s%g: shown in %zu series; too short to tell in %zu, %s; refuted in %zu; "
		        "under one cycle in %zu\n", prefix, p->seasons[j], count[FC_SEASON_SHOWN],
		        count[FC_SEASON_POOLED] + count[FC_SEASON_UNSURE], why, count[FC_SEASON_REFUTED],
		        count[FC_SEASON_SHORT]);
	}
	fprintf(f, "%sseries with none: %zu; with other periods found: %zu\n", prefix, none, other);
}

/* --default-budget: on a large panel the default set (no --models, no
 * --search) keeps its local kinds cheapest first while their estimated
 * work -- each kind's cost (fc_model_type.cost) times the observations
 * fitted, every series once per fold and once for the refit -- stays
 * within the budget, and leaves the rest out with a note.  The estimate
 * depends only on the panel's shape and the options, so every shard,
 * rank and merge of a run keeps the same kinds.  Global kinds bound their
 * own work (gbdt's max_rows) and always stay. */
static int trim_default_set(const cli_opts *o, const fc_panel *p, fc_model **cand, size_t *n)
{
	if (o->models || o->search || o->default_budget <= 0)
		return 0;
	double obs = 0;
	for (size_t i = 0; i < p->n_series; i++)
		obs += (double)p->series[i].n;
	double fits = obs * (double)(o->folds + 1) / 1e6, budget = 60 * o->default_budget;
	size_t nc = *n;
	unsigned char *keep = malloc(nc ? nc : 1);
	if (!keep)
		return cli_fail(FC_ENOMEM, "out of memory");
	double spent = 0, want = 0;
	for (size_t c = 0; c < nc; c++) {
		keep[c] = cand[c]->type->global || cand[c]->type->cost <= 0;
		if (!keep[c])
			want += cand[c]->type->cost * fits;
	}
	if (want <= budget) {
		free(keep);
		return 0;
	}
	for (;;) { /* the cheapest local kind left, while it fits */
		size_t best = nc;
		for (size_t c = 0; c < nc; c++)
			if (!keep[c] && (best == nc || cand[c]->type->cost < cand[best]->type->cost))
				best = c;
		if (best == nc || spent + cand[best]->type->cost * fits > budget)
			break;
		spent += cand[best]->type->cost * fits;
		keep[best] = 1;
	}
	char left[256] = "";
	size_t len = 0, m = 0;
	for (size_t c = 0; c < nc; c++) {
		if (keep[c]) {
			cand[m++] = cand[c];
			continue;
		}
		if (len < sizeof left)
			len += (size_t)snprintf(left + len, sizeof left - len, "%s%s", len ? ", " : "",
			                        cand[c]->type->name);
		fc_model_free(cand[c]);
	}
	*n = m;
	free(keep);
	cli_note(o, "large panel (%zu series, %.0f observations): %s left out of the default set; "
	         "its local kinds would take an estimated %.1f CPU minutes, over --default-budget "
	         "%g (name them in --models to fit them anyway)", p->n_series, obs, left, want / 60,
	         o->default_budget);
	return 0;
}

/* Tells the user what was read, so surprises (a wrong frequency, many
 * inserted gaps) show before the results. */
static void describe_panel(const cli_opts *o, const fc_panel *p)
{
	if (o->quiet)
		return;
	char freq[64];
	fc_freq_describe(p->freq, freq, sizeof freq);
	size_t inserted = 0, filled = 0, missing = 0;
	for (size_t i = 0; i < p->n_series; i++) {
		inserted += p->series[i].n_inserted;
		filled += p->series[i].n_filled;
		missing += p->series[i].n_missing;
	}
	fprintf(stderr, "forecast: %s: %zu rows, %zu series, %s%s", p->path, p->n_rows,
	        p->n_series, freq, p->freq_inferred ? " (inferred)" : "");
	if (p->n_seasons) {
		fputs(", seasonal periods ", stderr);
		for (size_t s = 0; s < p->n_seasons; s++)
			fprintf(stderr, "%s%g", s ? "," : "", p->seasons[s]);
	} else {
		fputs(", no seasonal period", stderr);
	}
	fputc('\n', stderr);
	if (p->seasons_tested)
		cli_describe_tested_seasons(stderr, "forecast: season ", p);
	if (inserted || filled || missing || p->n_duplicates)
		fprintf(stderr, "forecast: %zu missing timestamps inserted, %zu values filled (%s), "
		                "%zu left missing, %zu duplicate rows combined\n",
		        inserted, filled, fc_fill_name(p->fill), missing, p->n_duplicates);
}

static void report_fallbacks(const cli_opts *o, const fc_panel *p, const fc_run *run,
                             const cand_names *nm)
{
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		if (r->fallback == FC_FALLBACK_NONE && !r->status)
			continue;
		if (shown == 10) {
			more++;
			continue;
		}
		shown++;
		const char *key = p->series[i].key[0] ? p->series[i].key : "(the only series)";
		if (r->status)
			cli_warn(o, "series %s: %s; no forecast", key, r->err.msg);
		else
			cli_warn(o, "series %s: %s", key, r->note);
	}
	if (more)
		cli_warn(o, "... and %zu more series with fallbacks (use --strict to fail instead)", more);
	/* candidates dropped for their work budget, by name */
	for (size_t c = 0; c < run->n_candidates; c++) {
		size_t n = 0, first = 0;
		for (size_t i = 0; i < run->n_series; i++)
			if (run->res[i].timed_out[c] && n++ == 0)
				first = i;
		if (n)
			cli_warn(o, "%s was dropped on %zu series for exceeding --candidate-timeout %g "
			         "(first: %s)", nm->label[c], n, o->candidate_timeout,
			         p->series[first].key[0] ? p->series[first].key : "(the only series)");
	}
}

/* --transform: the forecast steps where a final member's bias adjustment
 * was out of bounds (fc_scale_invert_mean_guarded: not finite, or outside
 * the step's back-transformed interval, as with lambda near -1) and the
 * median was forecast instead; one warning per kind.  The members are
 * forecast again to count them (cheap beside their fits). */
static void report_unadjusted(const cli_opts *o, const fc_panel *p, const fc_run *run)
{
	cli_unadjusted t = {0};
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		for (size_t k = 0; k < r->n_members && r->fc.h; k++) {
			const fc_model *m = r->members[k].model;
			fc_forecast f;
			fc_err err;
			size_t u = 0;
			if (!m || !m->fitted || m->applied.kind == FC_SCALE_NONE ||
			    fc_forecast_init(&f, r->fc.h, r->fc.levels, r->fc.n_levels, &err))
				continue;
			if (!fc_model_forecast_counted(m, &f, &u, &err))
				cli_unadjusted_add(&t, m, p->series[i].key, r->fc.h, u);
			fc_forecast_dispose(&f);
		}
	}
	char sc[48], what[64];
	snprintf(what, sizeof what, "--transform %s: ", fc_scale_format(&o->scale, sc, sizeof sc));
	cli_unadjusted_warn(o, &t, what);
}

/* --transform log1p|boxcox: the series whose final models could not take
 * the transform (Box-Cox: a value <= 0; log1p: a value <= -1; Guerrero's
 * lambda undefined) and were modelled on their original scale. */
static void report_scale(const cli_opts *o, const fc_panel *p, const fc_run *run)
{
	if (o->scale.kind == FC_SCALE_NONE)
		return;
	size_t n = 0, first = 0;
	const char *why = "";
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		for (size_t k = 0; k < r->n_members; k++) {
			const fc_model *m = r->members[k].model;
			if (m && m->fitted && m->scale.kind != FC_SCALE_NONE &&
			    m->applied.kind == FC_SCALE_NONE) {
				if (n++ == 0) {
					first = i;
					why = m->why;
				}
				break;
			}
		}
	}
	if (n) {
		char s[48];
		cli_warn(o, "--transform %s: %zu of %zu series modelled on their original scale "
		         "instead (first: %s: %s)", fc_scale_format(&o->scale, s, sizeof s), n,
		         run->n_series, p->series[first].key[0] ? p->series[first].key : "(the only series)",
		         why);
	}
	report_unadjusted(o, p, run);
}

/* What the final step did: the ensemble's members and weights (summed
 * over series when each series has its own), beside the best single
 * candidate on the back-test. */
static void describe_ensemble(const cli_opts *o, const fc_run *run, const cand_names *nm)
{
	if (o->quiet || o->ensemble == FC_ENSEMBLE_NONE)
		return;
	size_t nc = run->n_candidates, series = 0, members = 0;
	double *w = calloc(nc, sizeof *w);
	if (!w)
		return;
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		if (!r->n_members)
			continue;
		series++;
		members += r->n_members;
		for (size_t k = 0; k < r->n_members; k++)
			if (r->members[k].candidate >= 0)
				w[r->members[k].candidate] += r->members[k].weight;
	}
	char line[512];
	int len = snprintf(line, sizeof line, "%.1f members per series; weight by %s:",
	                   series ? (double)members / (double)series : 0.0,
	                   nm->search ? "candidate" : "kind");
	for (int shown = 0; shown < 8 && len > 0 && (size_t)len < sizeof line; shown++) {
		size_t top = nc;
		for (size_t c = 0; c < nc; c++)
			if (w[c] > 0 && (top == nc || w[c] > w[top]))
				top = c;
		if (top == nc)
			break;
		len += snprintf(line + len, sizeof line - (size_t)len, " %s %.2f", nm->label[top],
		                w[top] / (double)series);
		w[top] = 0;
	}
	char by[128] = "";
	if (o->ensemble == FC_ENSEMBLE_CARUANA)
		snprintf(by, sizeof by, "%s", o->ensemble_by == FC_ENSEMBLE_BY_SERIES ? " per series"
		         : o->ensemble_by == FC_ENSEMBLE_BY_PANEL ? " for the panel"
		         : isfinite(run->blend_share) ? ""
		         : " per series, blended halfway with the panel's (too few folds to hold out)");
	if (o->ensemble == FC_ENSEMBLE_CARUANA && o->ensemble_by == FC_ENSEMBLE_BY_BLEND &&
	    isfinite(run->blend_share))
		snprintf(by, sizeof by, " per series at %.2f, the panel's at %.2f, by leave-one-fold-out",
		         run->blend_share, 1 - run->blend_share);
	if (o->ensemble == FC_ENSEMBLE_STACK && isfinite(run->stack_lambda))
		snprintf(by, sizeof by, " for the panel, lambda %.3g by leave-one-fold-out over %zu folds",
		         run->stack_lambda, run->stack_folds);
	else if (o->ensemble == FC_ENSEMBLE_STACK)
		snprintf(by, sizeof by, ": %zu back-test folds, no honest choice of lambda; "
		         "each series' best candidate", run->stack_folds);
	if (series) /* cv refits nothing: no members to describe */
		cli_note(o, "ensemble (%s%s): %s", o->ensemble == FC_ENSEMBLE_CARUANA ? "caruana" :
		         o->ensemble == FC_ENSEMBLE_MEAN ? "mean" : o->ensemble == FC_ENSEMBLE_STACK ? "stack"
		         : "median", by, line);
	if (run->ensemble_weights && !run->own_weights && isfinite(run->ensemble_loss))
		cli_note(o, "ensemble back-test %s %.4g against the best single candidate's %.4g "
		         "(chosen on these folds, so optimistic)", fc_metric_label(o->metric),
		         run->ensemble_loss, run->single_loss);
	free(w);
}

static void write_forecasts(FILE *f, const fc_panel *p, const fc_run *run, const fc_cv_opts *cv)
{
	const char *const *names = (const char *const *)p->group_names;
	fc_schema schema = {p->n_groups, names, p->time_name, p->style, p->freq};
	fc_forecast like = {.n_levels = cv->n_levels};
	memcpy(like.levels, cv->levels, sizeof like.levels);
	fc_forecast_csv_header(f, &schema, &like);
	for (size_t i = 0; i < run->n_series; i++) {
		const fc_series_result *r = &run->res[i];
		const fc_series *s = &p->series[i];
		if (!r->fc.h || !r->n_members)
			continue;
		fc_time last = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		fc_forecast_csv_rows(f, &schema, s->group_values, last, &r->fc,
		                     r->n_members > 1 ? "ensemble" : r->members[0].model->type->name);
	}
}

static char *default_name(const char *input, const char *suffix)
{
	const char *base = strcmp(input, "-") == 0 ? "stdin" : input;
	size_t n = strlen(base) + strlen(suffix) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", base, suffix);
	return s;
}

/* Writes the forecasts, the leaderboard CSV and the model file, all or
 * none. */
static int write_outputs(const cli_opts *o, const fc_panel *p, const fc_run *run,
                         const fc_cv_opts *cv, const fc_leader_row *rows, const cand_names *nm,
                         int fit, cli_reg *reg)
{
	enum { OUT_FORECAST, OUT_BOARD, OUT_MODEL, OUT_REPORT, N_OUT };
	char *owned[N_OUT] = {0};
	const char *path[N_OUT] = {0};
	if (fit) {
		path[OUT_FORECAST] = o->output ? o->output : (owned[OUT_FORECAST] = default_name(o->input, ".forecast.csv"));
		path[OUT_MODEL] = o->model_out ? o->model_out : (owned[OUT_MODEL] = default_name(o->input, ".model"));
	}
	path[OUT_BOARD] = o->leaderboard;
	path[OUT_REPORT] = fit ? o->report : NULL;
	fc_outfile out[N_OUT];
	memset(out, 0, sizeof out);
	fc_err err;
	fc_err_clear(&err);
	int rc = 0;
	if (fit && (!path[OUT_FORECAST] || !path[OUT_MODEL]))
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	for (int k = 0; k < N_OUT && !rc; k++) {
		if (!path[k])
			continue;
		if ((rc = fc_outfile_open(&out[k], path[k], &err)))
			break;
		switch (k) {
		case OUT_FORECAST: write_forecasts(out[k].f, p, run, cv); break;
		case OUT_BOARD: write_leaderboard_csv(out[k].f, rows, run->n_candidates, nm); break;
		case OUT_MODEL: rc = fc_artifact_write(out[k].f, p, run, cv, o->read.aggregate, &err); break;
		case OUT_REPORT: rc = cli_report_run(out[k].f, o, p, run, cv, rows, nm->label, &err); break;
		}
	}
	for (int k = 0; k < N_OUT && !rc; k++)
		if (path[k])
			rc = fc_outfile_commit(&out[k], &err);
	for (int k = 0; k < N_OUT && !rc; k++)
		if (path[k])
			cli_reg_output(reg, path[k]);
	if (!rc && fit && !o->quiet) {
		if (strcmp(path[OUT_FORECAST], "-") != 0)
			fprintf(stderr, "forecast: forecasts written to %s\n", path[OUT_FORECAST]);
		fprintf(stderr, "forecast: model written to %s\n", path[OUT_MODEL]);
		if (path[OUT_REPORT])
			fprintf(stderr, "forecast: report written to %s\n", path[OUT_REPORT]);
	}
	for (int k = 0; k < N_OUT; k++) {
		fc_outfile_abort(&out[k]);
		free(owned[k]);
	}
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

/* --known-future: the columns exist, and a series with future rows (rows
 * after its last target value, with the target empty) has enough of them
 * for the horizon.  Series without future rows are forecast without the
 * columns' future values (arima then leaves them out). */
static int check_future(const cli_opts *o, const fc_panel *p, int fit)
{
	if (!o->feat.known_future)
		return 0;
	char names[1024], msg[FC_ERR_MSG_MAX];
	snprintf(names, sizeof names, "%s", o->feat.known_future);
	for (char *save, *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t j = 0;
		while (j < p->n_exog && strcmp(p->exog_names[j], name) != 0)
			j++;
		if (j == p->n_exog) {
			snprintf(msg, sizeof msg, "--known-future: %s has no column '%s'", o->input, name);
			return cli_fail(FC_EINVAL, msg);
		}
	}
	for (size_t i = 0; fit && i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		if (s->n_future > 0 && s->n_future < o->horizon) {
			snprintf(msg, sizeof msg, "%s: series '%s' has %zu future rows (rows after its last "
			         "target value, with the target empty) for the known-future columns; the "
			         "horizon needs %zu", o->input, s->key, s->n_future, o->horizon);
			return cli_fail(FC_EINPUT, msg);
		}
	}
	return 0;
}

/* Before any fitting: every forecast timestamp must be writable, so a
 * history ending near 9999-12-31 is refused instead of forecasting
 * "10000-01-01", which no reader (this one included) accepts. */
static int check_end(const cli_opts *o, const fc_panel *p, int fit)
{
	for (size_t i = 0; fit && i < p->n_series; i++) {
		const fc_series *s = &p->series[i];
		fc_time last = fc_freq_add(p->freq, s->start, (int64_t)s->n - 1);
		if (fc_time_writable(fc_freq_add(p->freq, last, (int64_t)o->horizon), p->style))
			continue;
		char msg[FC_ERR_MSG_MAX], when[48];
		fc_time_format(last, p->style, when, sizeof when);
		snprintf(msg, sizeof msg, "%.200s: series '%.100s' ends at %s; a horizon of %zu would "
		         "forecast past 9999-12-31, the last timestamp that can be written", o->input,
		         p->n_groups ? s->key : p->target_name, when,
		         o->horizon);
		return cli_fail(FC_EINPUT, msg);
	}
	return 0;
}

/* --search, before the data are read: the spaces (declared tables and
 * --space) and which candidates are searched (--search-models).  Prints
 * and returns an exit code on error. */
static int prepare_search(const cli_opts *o, fc_model *const *cand, size_t nb, fc_space_set *set,
                          unsigned char **searched_out)
{
	fc_err err;
	int rc = fc_space_set_defaults(set, &err);
	if (!rc && o->space_file)
		rc = fc_space_read(set, o->space_file, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	unsigned char *searched = calloc(nb ? nb : 1, 1);
	if (!searched)
		return cli_fail(FC_ENOMEM, "out of memory");
	if (o->search_models) {
		char names[1024], msg[FC_ERR_MSG_MAX + 128];
		snprintf(names, sizeof names, "%s", o->search_models);
		for (char *save, *name = strtok_r(names, ",", &save); name && !rc;
		     name = strtok_r(NULL, ",", &save)) {
			size_t c = 0;
			while (c < nb && strcmp(cand[c]->type->name, name) != 0)
				c++;
			if (c == nb) {
				snprintf(msg, sizeof msg, "--search-models: '%s' is not among the candidate "
				         "models%s", name, fc_model_lookup(name) ? "" : " (no such kind; see "
				         "'forecast models')");
				rc = cli_fail(FC_EINVAL, msg);
			} else if (!fc_space_set_count(set, cand[c]->type)) {
				snprintf(msg, sizeof msg, "--search-models: '%s' has no search space (see "
				         "'forecast models --params'; a --space file can give it one)", name);
				rc = cli_fail(FC_EINVAL, msg);
			} else {
				searched[c] = 1;
			}
		}
	} else {
		size_t n_searched = 0;
		for (size_t c = 0; c < nb; c++)
			if ((searched[c] = fc_space_set_count(set, cand[c]->type) > 0))
				n_searched++;
		if (!n_searched)
			rc = cli_fail(FC_EINVAL, "--search: none of the candidate models has a search "
			              "space (see 'forecast models --params')");
	}
	if (rc) {
		free(searched);
		return rc;
	}
	*searched_out = searched;
	return 0;
}

static const char *method_name(int m)
{
	return m == FC_SEARCH_GRID ? "grid" : m == FC_SEARCH_RANDOM ? "random" : "bayes";
}

/* What the search did, on stderr. */
static void describe_search(const cli_opts *o, fc_model *const *cand, size_t nb,
                            const unsigned char *searched, const fc_search_opts *so,
                            const fc_search_info *info, size_t nt)
{
	char kinds[512] = "";
	for (size_t c = 0, len = 0; c < nb && len < sizeof kinds; c++)
		if (searched[c])
			len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%s", len ? ", " : "",
			                        cand[c]->type->name);
	cli_note(o, "search (%s, seed %llu): %zu trials of %s added to the %zu candidates",
	         method_name(o->search), o->seed, nt, kinds, nb);
	if (info->truncated)
		cli_warn(o, "the grid has %zu points; --budget-trials %zu tried the first ones "
		         "(round-robin over the kinds)", info->grid_points, so->budget);
	if (info->rejected)
		cli_warn(o, "%zu configurations were rejected by their model kind and skipped",
		         info->rejected);
	if (info->out_of_time)
		cli_warn(o, "--budget-minutes %g ran out after %.1f s: %zu of the %zu trials of "
		         "--budget-trials were back-tested; the run finishes with those", o->budget_minutes,
		         info->seconds, nt, so->budget);
	else if (nt < so->budget && o->search != FC_SEARCH_GRID)
		cli_warn(o, "the spaces ran out of new configurations after %zu trials", nt);
	if (so->early_stop != FC_EARLY_STOP_NONE)
		cli_note(o, "early stopping (%s): %zu of %zu trials stopped before their last fold",
		         so->early_stop == FC_EARLY_STOP_MEDIAN ? "median" : "bandit", info->stopped, nt);
}

/* --timings: the wall clock at the end of each stage of a run. */
typedef struct stage_clock {
	double start, read, backtest, select, write;
} stage_clock;

static double peak_mib(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : NAN;
}

/* Prints the stages' wall times, the peak memory, and where the CPU time
 * of the back-test and refits went, by kind. */
static void print_timings(const stage_clock *t, const fc_leader_row *rows, size_t n,
                          const char *const *label)
{
	fprintf(stderr, "forecast: time: read and regularize %.1f s; back-test %.1f s; selection, "
	        "ensemble and refit %.1f s; outputs %.1f s; total %.1f s; peak memory %.0f MiB\n",
	        t->read - t->start, t->backtest - t->read, t->select - t->backtest,
	        t->write - t->select, t->write - t->start, peak_mib());
	fputs("forecast: time per candidate (CPU seconds in its back-test and refits, all threads):", stderr);
	size_t *order = malloc(n * sizeof *order);
	for (size_t k = 0; order && k < n; k++)
		order[k] = k;
	for (size_t a = 1; order && a < n; a++) /* by time, descending */
		for (size_t b = a; b > 0 && rows[order[b]].seconds > rows[order[b - 1]].seconds; b--) {
			size_t x = order[b];
			order[b] = order[b - 1];
			order[b - 1] = x;
		}
	for (size_t k = 0; order && k < n; k++)
		fprintf(stderr, "%s %s %.1f", k ? "," : "", label[rows[order[k]].candidate],
		        rows[order[k]].seconds);
	fputc('\n', stderr);
	free(order);
}

/* The parts of a merge (cmd_merge), loaded in place of the back-test of
 * the local candidates. */
typedef struct merge_parts {
	int argc;             /* merge's own command line, for the registry */
	char **argv;
	size_t n;
	const char **path;
	char **data;
	size_t *len;
	char fingerprint[17];
} merge_parts;

static int run_opts(const cli_opts *opts, int argc, char **argv, int fit, const merge_parts *mp);

static unsigned accepted_options(int fit)
{
	return OPT_READ | OPT_CV | OPT_LEVEL | OPT_FEATURES | OPT_SHARD |
	       (fit ? OPT_OUT | OPT_REGISTRY : OPT_BOARD | OPT_REGDIR);
}

/* The global model's holidays cover the years of the data and the
 * horizon, and a year more each side: warn, as 'features' and 'holidays'
 * do, of those the calendars leave out.  A calendar that does not load is
 * the model's error to report. */
static void warn_coverage(const cli_opts *o, const fc_panel *p)
{
	if (!o->countries || !o->countries[0] || p->freq.unit == FC_UNIT_STEP || o->quiet)
		return;
	int y0, y1;
	fc_series_years(p->series, p->n_series, p->freq, o->horizon, &y0, &y1);
	fc_holiday_set hol;
	fc_err err;
	if (fc_holiday_set_countries(&hol, cli_calendar_dir(o), o->countries, y0 - 1, y1 + 1, &err))
		return;
	cli_warn_coverage(o, &hol);
	fc_holiday_set_dispose(&hol);
}

static int run(int argc, char **argv, int fit)
{
	cli_opts o;
	int rc = cli_parse(argc, argv, accepted_options(fit), fit ? "fit" : "cv",
	                   fit ? usage_fit : usage_cv, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	return run_opts(&o, argc, argv, fit, NULL);
}

/* The hash of a shard's command line without the options that do not
 * change its results (--shard, --output, --threads, --quiet) and without
 * the input's path (the parts' data fingerprint stands for the data), so
 * that merge can tell that every part came from the same options. */
static uint64_t options_hash(const cli_opts *o, int argc, char **argv)
{
	static const char *const with_value[] = {"--shard", "-o", "--output", "--threads"};
	static const char *const alone[] = {"-q", "--quiet"};
	uint64_t h = FC_FNV_OFFSET;
	for (int a = 1; a < argc; a++) {
		const char *t = argv[a];
		int skip = t == o->input;
		for (size_t k = 0; !skip && k < sizeof with_value / sizeof *with_value; k++) {
			size_t n = strlen(with_value[k]);
			if (strcmp(t, with_value[k]) == 0)
				skip = 2;
			else if (strncmp(t, with_value[k], n) == 0 && (t[n] == '=' || (n == 2 && t[n])))
				skip = 1;
		}
		for (size_t k = 0; !skip && k < sizeof alone / sizeof *alone; k++)
			skip = strcmp(t, alone[k]) == 0;
		if (skip) {
			a += skip - 1;
			continue;
		}
		h = fc_fnv1a(h, t, strlen(t) + 1); /* the token and its NUL */
	}
	return h;
}

/* The work of one share of the series (mask): the local candidates'
 * back-test and, with fit, their refits, encoded as a part (shard of
 * n_shards) into *b.  Global candidates are left to the merge. */
static int encode_share(const cli_opts *o, int argc, char **argv, const fc_panel *p,
                        const fc_cv_opts *cv0, int fit, const unsigned char *mask, size_t shard,
                        size_t n_shards, fc_buf *b, fc_err *err)
{
	fc_cv_opts cv = *cv0;
	size_t nc = cv.n_candidates;
	cv.series_mask = mask;
	fc_run *res = NULL;
	int rc = fc_cv_begin(p, &cv, nc, &res, err);
	for (size_t c = 0; !rc && c < nc;) { /* each run of local candidates */
		size_t e = c;
		while (e < nc && !cv.candidates[e]->type->global)
			e++;
		if (e > c)
			rc = fc_cv_backtest(p, &cv, res, c, e - c, NULL, err);
		c = e + 1;
	}
	if (!rc && fit) /* the refits the selection may ask for */
		rc = fc_cv_prefit(p, &cv, res, err);
	fc_part_info info = {
		.forecast = fit, .shard = shard, .n_shards = n_shards,
		.options = options_hash(o, argc, argv), .argc = (size_t)argc, .argv = argv,
	};
	fc_registry_fingerprint(p, info.fingerprint);
	if (!rc)
		rc = fc_part_encode(b, &info, p, &cv, res, mask, err);
	fc_run_free(res);
	return rc;
}

/* --shard: back-tests the local candidates on the shard's series and
 * writes them to the part (-o); the global candidates, the selection and
 * the outputs are merge's. */
static int write_part(const cli_opts *o, int argc, char **argv, const fc_panel *p,
                      const fc_cv_opts *cv0, int fit)
{
	size_t S = p->n_series, mine = 0;
	unsigned char *mask = malloc(S ? S : 1);
	fc_buf b;
	fc_buf_init(&b);
	fc_err err;
	fc_err_clear(&err);
	char suffix[64], *owned = NULL;
	snprintf(suffix, sizeof suffix, ".shard-%zu-of-%zu", o->shard, o->n_shards);
	const char *path = o->output ? o->output : (owned = default_name(o->input, suffix));
	int rc = mask && path ? 0 : fc_err_set(&err, FC_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < S; i++) {
		mask[i] = fc_shard_of(p->series[i].key, o->n_shards) == o->shard;
		mine += mask[i];
	}
	if (!rc)
		rc = encode_share(o, argc, argv, p, cv0, fit, mask, o->shard, o->n_shards, &b, &err);
	fc_outfile out;
	memset(&out, 0, sizeof out);
	if (!rc && !(rc = fc_outfile_open(&out, path, &err))) {
		if (fwrite(b.data, 1, b.len, out.f) != b.len)
			rc = fc_err_set(&err, FC_EIO, "%s: write failed", path);
		if (!rc)
			rc = fc_outfile_commit(&out, &err);
	}
	fc_outfile_abort(&out);
	if (!rc && !o->quiet)
		fprintf(stderr, "forecast: shard %zu of %zu: %zu of %zu series back-tested; part written "
		        "to %s ('forecast merge' makes the outputs from every shard's part)\n",
		        o->shard, o->n_shards, mine, S, path);
	fc_buf_dispose(&b);
	free(mask);
	free(owned);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

/* Merge: the run from the parts' back-tests of the local candidates, then
 * the global candidates' back-test over every series and the selection,
 * as fc_cv_run would have made it in one process. */
static int merge_run(const fc_panel *p, const fc_cv_opts *cv, const merge_parts *mp,
                     fc_run **out, stage_clock *clock, fc_err *err)
{
	char fp[17];
	fc_registry_fingerprint(p, fp);
	if (strcmp(fp, mp->fingerprint) != 0)
		return fc_err_set(err, FC_EINPUT, "the data is not what the shards read (fingerprint "
		                  "%s, the parts' %s): merge needs the same file (--data FILE)",
		                  fp, mp->fingerprint);
	size_t S = p->n_series, nc = cv->n_candidates;
	unsigned char *seen = calloc(S ? S : 1, 1);
	if (!seen)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	int rc = fc_cv_begin(p, cv, nc, out, err);
	for (size_t k = 0; !rc && k < mp->n; k++)
		if ((rc = fc_part_load(mp->data[k], mp->len[k], p, cv, *out, seen, err)))
			fc_err_prefix(err, "%s: ", mp->path[k]);
	for (size_t i = 0; !rc && i < S; i++)
		if (!seen[i])
			rc = fc_err_set(err, FC_EFORMAT, "series %s is in no part", p->series[i].key);
	for (size_t c = 0; !rc && c < nc; c++)
		if (cv->candidates[c]->type->global)
			rc = fc_cv_backtest(p, cv, *out, c, 1, NULL, err);
	clock->backtest = cli_now();
	if (!rc)
		rc = fc_cv_finish(p, cv, *out, err);
	free(seen);
	return rc;
}

/* Under mpirun: each rank back-tests (and with fit prefits) the local
 * candidates on its share of the series, balanced by length; rank 0
 * gathers the parts and completes the run as merge does.  Other ranks
 * return 0 with *out NULL. */
static int mpi_run(const cli_opts *o, int argc, char **argv, const fc_panel *p,
                   const fc_cv_opts *cv0, int fit, fc_run **out, stage_clock *clock, fc_err *err)
{
	size_t S = p->n_series, R = fc_dist_size(), me = fc_dist_rank();
	size_t *rank_of = malloc((S ? S : 1) * sizeof *rank_of);
	unsigned char *mask = malloc(S ? S : 1);
	fc_buf b;
	fc_buf_init(&b);
	int rc = rank_of && mask ? 0 : fc_err_set(err, FC_ENOMEM, "out of memory");
	if (!rc) {
		fc_shard_balance(p, R, rank_of);
		for (size_t i = 0; i < S; i++)
			mask[i] = rank_of[i] == me;
		rc = encode_share(o, argc, argv, p, cv0, fit, mask, me, R, &b, err);
	}
	free(mask);
	int agreed = fc_dist_agree(rc);
	if (agreed) {
		fc_buf_dispose(&b);
		free(rank_of);
		if (!rc)
			fc_err_set(err, agreed, "another rank failed");
		return agreed;
	}
	char **parts = NULL;
	size_t *lens = NULL;
	rc = fc_dist_gather(&b, &parts, &lens, err);
	fc_buf_dispose(&b);
	agreed = fc_dist_agree(rc);
	if (agreed && !rc)
		fc_err_set(err, agreed, "another rank failed");
	rc = agreed;
	/* the global model's fits are shared: rank 0 completes the run, the
	 * others serve its fits until it is done (forecast/dist.h) */
	if (!rc)
		fc_dist_share_begin(p, rank_of);
	if (!rc && me > 0)
		rc = fc_dist_serve(err);
	if (!rc && me == 0) {
		char (*names)[32] = calloc(R, sizeof *names);
		const char **paths = calloc(R, sizeof *paths);
		merge_parts mp = {.n = R, .path = paths, .data = parts, .len = lens};
		fc_registry_fingerprint(p, mp.fingerprint);
		if (!names || !paths) {
			rc = fc_err_set(err, FC_ENOMEM, "out of memory");
		} else {
			for (size_t r = 0; r < R; r++) {
				snprintf(names[r], sizeof names[r], "rank %zu", r);
				paths[r] = names[r];
			}
			rc = merge_run(p, cv0, &mp, out, clock, err);
		}
		free(names);
		free(paths);
		fc_dist_share_end();
	}
	free(rank_of);
	for (size_t r = 0; parts && r < R; r++)
		free(parts[r]);
	free(parts);
	free(lens);
	return rc;
}

static int run_opts(const cli_opts *opts, int argc, char **argv, int fit, const merge_parts *mp)
{
	const char *cmd = fit ? "fit" : "cv";
	cli_opts o = *opts;
	int rc;
	/* under mpirun (include/forecast/dist.h): rank 0 reports and writes */
	int mpi = fc_dist_size() > 1 && !mp;
	if (mpi && (o.n_shards || o.search)) {
		if (fc_dist_rank() == 0)
			fprintf(stderr, "forecast: error: under mpirun, %s is not supported: run one "
			                "process per shard, or the search in one process\n",
			        o.n_shards ? "--shard" : "--search");
		return EXIT_USAGE;
	}
	if (mpi && fc_dist_rank() > 0) {
		o.quiet = 1;
		o.name = NULL;
		o.report = NULL;
	}
	if (!o.input) {
		fprintf(stderr, "forecast: error: no input file\nUsage: forecast %s FILE --horizon H [options]\n", cmd);
		return EXIT_USAGE;
	}
	if (!o.horizon) {
		fprintf(stderr, "forecast: error: --horizon is required (the number of steps to forecast)\n"
		                "Try 'forecast %s --help' for more information.\n", cmd);
		return EXIT_USAGE;
	}

	if (o.feat.shift != 1) {
		fprintf(stderr, "forecast: error: --shift is an option of 'forecast features' only; the "
		                "global model of %s sets its own shift\n", cmd);
		return EXIT_USAGE;
	}
	if (o.n_shards && (o.search || o.name || o.report || o.leaderboard || o.model_out)) {
		if (o.search)
			fprintf(stderr, "forecast: error: --shard does not take --search: a search picks "
			                "its trials from every series' results\n");
		else
			fprintf(stderr, "forecast: error: --shard writes only its part; give %s to "
			                "'forecast merge', which writes the outputs\n",
			        o.name ? "--name" : o.report ? "--report" : o.leaderboard ? "--leaderboard"
			                                                 : "--model-out");
		return EXIT_USAGE;
	}
	if (o.events) {
		/* the global model reads it at every fit: a bad file is the user's
		 * input error, said once with its line and column, not a model
		 * failure per fold */
		fc_holiday_set ev;
		fc_err eerr;
		if ((rc = fc_holiday_set_events(&ev, o.events, &eerr)))
			return cli_fail(rc, eerr.msg);
		fc_holiday_set_dispose(&ev);
	}
	if (o.calendars)
		setenv("FORECAST_CALENDARS", o.calendars, 1); /* read by the global model's holidays */

	fc_model **cand = NULL;
	size_t n_cand = 0;
	if ((rc = cli_candidates(&o, &cand, &n_cand)))
		return rc;
	size_t n_base = n_cand;
	fc_trial *trials = NULL;
	size_t n_trials = 0;
	fc_model **all = NULL; /* a search's candidates: the base ones, then the trials */
	fc_space_set set;
	fc_space_set_init(&set);
	unsigned char *searched = NULL;
	if (o.search && (rc = prepare_search(&o, cand, n_base, &set, &searched))) {
		fc_space_set_dispose(&set);
		cli_candidates_free(cand, n_base);
		return rc;
	}
	cand_names nm = {.search = o.search != FC_SEARCH_NONE};

	fc_err err;
	fc_panel *p = NULL;
	fc_run *result = NULL;
	fc_leader_row *rows = NULL;
	cli_reg reg;
	memset(&reg, 0, sizeof reg);
	if (!o.n_shards && fc_dist_rank() == 0) /* a part is no run's output; rank 0 records */
		cli_reg_start(&o, &reg, fit && o.name);
	stage_clock clock = {.start = cli_now()};
	if ((rc = fc_panel_read(o.input, &o.read, &p, &err)))
		rc = cli_fail(rc, err.msg);
	clock.read = cli_now();
	if (mpi && (rc = fc_dist_agree(rc))) /* every rank stops, or none */
		goto out;
	if (rc)
		goto out;
	reg.rows_read = (long)p->n_rows;
	describe_panel(&o, p);
	warn_coverage(&o, p);
	if ((rc = check_future(&o, p, fit)) || (rc = check_end(&o, p, fit)))
		goto out;
	rc = trim_default_set(&o, p, cand, &n_cand);
	n_base = n_cand;
	if (!rc && fit && o.name && !o.n_shards)
		rc = cli_reg_begin(&o, &reg);
	if (mpi)
		rc = fc_dist_agree(rc);
	if (rc)
		goto out;

	cli_progress prog;
	cli_progress_start(&prog, &o, fit ? "fit" : "cv");
	prog.candidates = cand;
	fc_cv_opts cv = {
		.horizon = o.horizon, .folds = o.folds, .step = o.step, .window = o.window,
		.n_levels = o.n_levels, .metric = o.metric, .n_candidates = n_cand,
		.candidates = cand, .strict = o.strict, .forecast = fit, .refit_every = o.refit_every,
		.progress = cli_progress_update, .progress_ctx = &prog,
		.budget = (uint64_t)(o.candidate_timeout * FC_BUDGET_UNITS_PER_SECOND),
		.ensemble = o.ensemble, .ensemble_by = o.ensemble_by, .ensemble_rounds = o.ensemble_rounds,
		.ensemble_intervals = o.ensemble_intervals, .clip = o.clip,
	};
	memcpy(cv.levels, o.levels, sizeof cv.levels);
	if (o.search) {
		fc_search_opts so = {
			.method = (fc_search_method)o.search,
			.budget = o.budget_trials ? o.budget_trials : FC_SEARCH_DEFAULT_TRIALS,
			.seed = (uint64_t)o.seed, .searched = searched, .concurrency = o.concurrency,
			.budget_seconds = 60 * o.budget_minutes, .early_stop = (fc_early_stop)o.early_stop,
			.bandit_slack = o.bandit_slack >= 0 ? o.bandit_slack : FC_BANDIT_SLACK,
			.early_stop_delay = o.early_stop_delay > 0 ? (size_t)o.early_stop_delay : 0,
		};
		fc_search_info info;
		rc = fc_search_run(p, &cv, &set, &so, &all, &trials, &n_trials, &result, &info, &err);
		cli_progress_finish(&prog);
		if (!rc) {
			describe_search(&o, cand, n_base, searched, &so, &info, n_trials);
			cv.candidates = all;
			n_cand = n_base + n_trials;
			cv.n_candidates = n_cand;
		}
	} else if (o.n_shards) {
		rc = write_part(&o, argc, argv, p, &cv, fit);
		cli_progress_finish(&prog);
		goto out;
	} else if (mp) {
		rc = merge_run(p, &cv, mp, &result, &clock, &err);
		cli_progress_finish(&prog);
	} else if (mpi) {
		rc = mpi_run(&o, argc, argv, p, &cv, fit, &result, &clock, &err);
		cli_progress_finish(&prog);
		if (!rc && fc_dist_rank() > 0)
			goto out; /* rank 0 writes */
	} else { /* fc_cv_run, in its stages */
		rc = fc_cv_begin(p, &cv, n_cand, &result, &err);
		if (!rc)
			rc = fc_cv_backtest(p, &cv, result, 0, n_cand, NULL, &err);
		clock.backtest = cli_now();
		if (!rc)
			rc = fc_cv_finish(p, &cv, result, &err);
		cli_progress_finish(&prog);
	}
	clock.select = cli_now();
	if (!clock.backtest)
		clock.backtest = clock.select; /* a search's stages are its own */
	if (rc) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	nm.label = calloc(n_cand, sizeof *nm.label);
	nm.params = calloc(n_cand, sizeof *nm.params);
	if (!nm.label || !nm.params) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < n_cand; c++)
		nm.label[c] = cv.candidates[c]->type->name;
	for (size_t k = 0; k < n_trials; k++) {
		nm.label[n_base + k] = trials[k].label;
		nm.params[n_base + k] = trials[k].params;
	}
	report_fallbacks(&o, p, result, &nm);
	report_scale(&o, p, result);
	describe_ensemble(&o, result, &nm);
	cli_reg_count(&reg, p, result, fit);

	rows = calloc(n_cand, sizeof *rows);
	if (!rows) {
		rc = cli_fail(FC_ENOMEM, "out of memory");
	} else {
		fc_leaderboard(result, o.metric, rows);
		rc = write_outputs(&o, p, result, &cv, rows, &nm, fit, &reg);
		clock.write = cli_now();
		if (rc == EXIT_OK && o.timings)
			print_timings(&clock, rows, n_cand, nm.label);
		if (rc == EXIT_OK && reg.reg)
			rc = cli_reg_fit(&reg, &o, argc, argv, p, result, &rows[0]);
		if (rc == EXIT_OK && (!o.quiet || !fit)) { /* the leaderboard is all cv prints */
			int to_stdout = !(fit && o.output && strcmp(o.output, "-") == 0);
			print_leaderboard(to_stdout ? stdout : stderr, rows, n_cand, &nm, o.metric, p->n_series);
		}
	}
out:
	/* a check of the MPI driver's division of the global model's rows
	 * and of the time summed over the ranks (tests/cli_mpi.sh): what this
	 * process made, and its CPU seconds in the shared fits, on every rank */
	if (getenv("FORECAST_DEBUG_ROWS"))
		fprintf(stderr, "forecast: rank %zu of %zu made %zu training rows of the global model "
		        "in %.3f CPU seconds of shared fits\n",
		        fc_dist_rank(), fc_dist_size(), fc_gbdt_rows_made(), fc_dist_fit_seconds());
	if (mp) /* the run is the merge */
		cli_reg_end(&reg, "merge", mp->argc, mp->argv, o.name, rc);
	else
		cli_reg_end(&reg, cmd, argc, argv, o.name, rc);
	free(rows);
	fc_run_free(result);
	fc_panel_free(p);
	free(nm.label);
	free(nm.params);
	free(all);
	fc_trials_free(trials, n_trials);
	free(searched);
	fc_space_set_dispose(&set);
	cli_candidates_free(cand, n_base);
	return rc;
}

int cmd_fit(int argc, char **argv)
{
	return run(argc, argv, 1);
}

int cmd_cv(int argc, char **argv)
{
	return run(argc, argv, 0);
}

static void usage_merge(FILE *f)
{
	fprintf(f,
	        "Usage: forecast merge OUT PART... [--data FILE] [--model-out FILE]\n"
	        "                      [--leaderboard FILE] [--name NAME] [--registry DIR] [--wait S]\n"
	        "\n"
	        "Completes a run split into shards.  Each shard, run as\n"
	        "  forecast fit FILE --horizon H [options] --shard K/N -o PART\n"
	        "(K = 0..N-1: a Slurm array task or a Kubernetes indexed Job), back-tests\n"
	        "the local candidates on its series only: those whose key's 64-bit FNV-1a\n"
	        "hash is K modulo N.  merge checks that the parts are every shard exactly\n"
	        "once, made with the same options from the same data, rereads the data,\n"
	        "back-tests the global candidates (one fit over every series), selects and\n"
	        "combines the candidates, refits them and writes what the shards' command\n"
	        "would have written without --shard: the forecasts to OUT, the model file and\n"
	        "the leaderboard, byte for byte the single-process run's (but the\n"
	        "leaderboard's last column, the CPU seconds, summed over the shards).  Parts\n"
	        "made by 'forecast cv --shard' merge into a leaderboard (OUT: its CSV).  Parts\n"
	        "made by 'forecast predict --shard K/N -o PART' merge into the forecasts CSV\n"
	        "one predict writes (OUT), after checking that they are every shard once, of\n"
	        "the same model file, --data, --horizon and --level; the options below but\n"
	        "--threads and --quiet are fit's.  Parts made by\n"
	        "  forecast retrain FILE --name NAME [options] --shard K/N -o PART\n"
	        "finish the retrain: merge checks that they are every shard once, of the\n"
	        "same options and data, compared against the same champion, which must\n"
	        "still be NAME's champion (else exit 14, nothing done); then it takes NAME's\n"
	        "lock (--wait), completes the challenger's fit, back-tests both models as\n"
	        "retrain does, promotes or keeps, records the run, writes the winner's\n"
	        "forecasts to OUT and exits with retrain's codes ('forecast retrain --help').\n"
	        "Of the options below it takes --data, --name, --registry (default: the\n"
	        "shards' --registry), --wait, --threads and --quiet.\n"
	        "\n"
	        "  --data FILE        the data, when the shards' path does not reach it here\n"
	        "  --model-out FILE   model file (default: as fit, the data's FILE.model)\n"
	        "  --leaderboard FILE also write the leaderboard as CSV\n"
	        "  --name NAME        register the merged model as the next version of NAME\n"
	        "  --registry DIR     the registry (default $FORECAST_REGISTRY, else\n"
	        "                     ./forecast-registry)\n"
	        "  --wait SECONDS     wait this long for another writer of NAME (default 0)\n"
	        "  --threads N, --quiet (-q), --help\n"
	        "\n"
	        "Exit codes: 0 success, 1 a model failed, 2 bad command line, 3 bad input\n"
	        "data (retrain's parts: also data other than the shards read), 4 a missing,\n"
	        "duplicate, damaged or mismatched part; retrain's parts: also 10-14 as\n"
	        "retrain.\n");
}

int cli_check_shards(size_t n, const char *const *path, size_t n_shards,
                     size_t (*shard_of)(const void *ctx, size_t k), const void *ctx, fc_err *err)
{
	size_t *shard = malloc((n ? n : 1) * sizeof *shard);
	if (!shard)
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	for (size_t k = 0; k < n; k++)
		shard[k] = shard_of(ctx, k);
	int rc = fc_shard_check_cover(shard, n, n_shards, path, err);
	free(shard);
	return rc;
}

static size_t info_shard(const void *ctx, size_t k)
{
	return ((const fc_part_info *)ctx)[k].shard;
}

static size_t pred_shard(const void *ctx, size_t k)
{
	return ((const fc_pred_part *)ctx)[k].shard;
}

/* Checks that the parts are shards 0..N-1 of one run, each once. */
static int check_parts(const merge_parts *mp, const fc_part_info *info, fc_err *err)
{
	const fc_part_info *a = &info[0];
	size_t N = a->n_shards;
	for (size_t k = 1; k < mp->n; k++) {
		const fc_part_info *b = &info[k];
		const char *what = b->n_shards != N ? "number of shards"
		                   : b->forecast != a->forecast ? "command (fit or cv)"
		                   : strcmp(b->fingerprint, a->fingerprint) != 0 ? "data"
		                   : b->options != a->options ? "options" : NULL;
		if (what)
			return fc_err_set(err, FC_EFORMAT, "%s and %s differ in their %s: every shard must "
			                  "run the same command on the same data, but for --shard",
			                  mp->path[0], mp->path[k], what);
	}
	return cli_check_shards(mp->n, mp->path, N, info_shard, info, err);
}

/* The first part that is (pred 1) or is not (pred 0) a prediction part. */
static size_t first_of(const merge_parts *mp, int pred)
{
	for (size_t k = 0; k < mp->n; k++)
		if (fc_pred_part_is(mp->data[k], mp->len[k]) == pred)
			return k;
	return 0;
}

/* Checks that the prediction parts are shards 0..N-1 of one predict, each
 * once, and that together they hold every series of the model once;
 * where[i] gets the part and record of series i. */
static int check_pred_parts(const merge_parts *mp, const fc_pred_part *pp, size_t (*where)[2],
                            fc_err *err)
{
	const fc_pred_part *a = &pp[0];
	for (size_t k = 1; k < mp->n; k++) {
		const fc_pred_part *b = &pp[k];
		int same_levels = b->n_levels == a->n_levels &&
		                  memcmp(b->levels, a->levels, a->n_levels * sizeof *a->levels) == 0;
		const char *what = b->n_shards != a->n_shards ? "number of shards"
		                   : strcmp(b->model, a->model) != 0 ? "model file"
		                   : strcmp(b->fingerprint, a->fingerprint) != 0 ? "data (--data)"
		                   : b->horizon != a->horizon ? "horizon"
		                   : !same_levels ? "levels"
		                   : b->n_series != a->n_series ? "model file" : NULL;
		if (what)
			return fc_err_set(err, FC_EFORMAT, "%s and %s differ in their %s: every shard must "
			                  "run the same predict (model, --data, --horizon, --level), but "
			                  "for --shard", mp->path[0], mp->path[k], what);
	}
	int rc = cli_check_shards(mp->n, mp->path, a->n_shards, pred_shard, pp, err);
	for (size_t i = 0; i < a->n_series; i++)
		where[i][0] = SIZE_MAX;
	for (size_t k = 0; k < mp->n && !rc; k++)
		for (size_t j = 0; j < pp[k].n_records && !rc; j++) {
			size_t i = pp[k].records[j].index;
			if (where[i][0] != SIZE_MAX)
				rc = fc_err_set(err, FC_EFORMAT, "series %s is in %s and %s",
				                pp[k].records[j].key, mp->path[where[i][0]], mp->path[k]);
			where[i][0] = k;
			where[i][1] = j;
		}
	for (size_t i = 0; i < a->n_series && !rc; i++)
		if (where[i][0] == SIZE_MAX)
			rc = fc_err_set(err, FC_EFORMAT, "series %zu of the model is in no part", i + 1);
	return rc;
}

/* Merge of predict's parts: the header and every series' rows in the
 * model's order, as one predict writes them.  An exit code. */
static int merge_predictions(const char *out_path, const merge_parts *mp, int quiet)
{
	fc_err err;
	fc_err_clear(&err);
	fc_pred_part *pp = calloc(mp->n, sizeof *pp);
	int rc = pp ? 0 : fc_err_set(&err, FC_ENOMEM, "out of memory");
	for (size_t k = 0; k < mp->n && !rc; k++)
		if ((rc = fc_pred_part_decode(mp->data[k], mp->len[k], &pp[k], &err)))
			fc_err_prefix(&err, "%s: ", mp->path[k]);
	size_t S = rc ? 0 : pp[0].n_series;
	size_t (*where)[2] = rc ? NULL : malloc((S ? S : 1) * sizeof *where);
	if (!rc && !where)
		rc = fc_err_set(&err, FC_ENOMEM, "out of memory");
	if (!rc)
		rc = check_pred_parts(mp, pp, where, &err);
	fc_outfile out;
	memset(&out, 0, sizeof out);
	if (!rc && !(rc = fc_outfile_open(&out, out_path, &err))) {
		/* the header as predict writes it: the levels of the first series
		 * with a forecast (all parts agree when none has one) */
		const fc_pred_part *hp = &pp[0];
		for (size_t i = 0; i < S; i++)
			if (pp[where[i][0]].records[where[i][1]].ok) {
				hp = &pp[where[i][0]];
				break;
			}
		int bad = fwrite(hp->header, 1, hp->header_len, out.f) != hp->header_len;
		for (size_t i = 0; i < S && !bad; i++) {
			const fc_pred_record *r = &pp[where[i][0]].records[where[i][1]];
			bad = fwrite(r->rows, 1, r->rows_len, out.f) != r->rows_len;
		}
		rc = bad ? fc_err_set(&err, FC_EIO, "%s: write failed", out_path)
		         : fc_outfile_commit(&out, &err);
	}
	fc_outfile_abort(&out);
	if (!rc && !quiet)
		fprintf(stderr, "forecast: merged %zu prediction parts: the forecasts of %zu series "
		        "written to %s\n", mp->n, S, out_path);
	for (size_t k = 0; pp && k < mp->n; k++)
		fc_pred_part_dispose(&pp[k]);
	free(pp);
	free(where);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

int cmd_merge(int argc, char **argv)
{
	cli_opts m; /* merge's own options */
	int rc = cli_parse(argc, argv, OPT_MERGE | OPT_ARGS, "merge", usage_merge, &m);
	if (rc)
		return rc < 0 ? EXIT_OK : rc; /* -1: --help was printed */
	const char *data = m.data, *model_out = m.model_out, *leaderboard = m.leaderboard;
	const char *name = m.name, *registry = m.registry_given ? m.registry : NULL;
	int quiet = m.quiet;
	if (m.output) { /* cli_parse takes -o for every subcommand */
		fprintf(stderr, "forecast: error: merge: OUT is the first argument, not -o\n"
		                "Usage: forecast merge OUT PART... (see 'forecast merge --help')\n");
		return EXIT_USAGE;
	}
	if (m.n_args < 2) {
		fprintf(stderr, "forecast: error: merge: expected OUT and at least one part\n"
		                "Usage: forecast merge OUT PART... (see 'forecast merge --help')\n");
		return EXIT_USAGE;
	}
	const char *out = m.args[0];
	merge_parts mp = {.argc = argc, .argv = argv, .n = m.n_args - 1,
	                  .path = (const char **)m.args + 1};
	mp.data = calloc(mp.n, sizeof *mp.data);
	mp.len = calloc(mp.n, sizeof *mp.len);
	fc_part_info *info = calloc(mp.n, sizeof *info);
	fc_err err;
	fc_err_clear(&err);
	rc = mp.data && mp.len && info ? 0 : fc_err_set(&err, FC_ENOMEM, "out of memory");
	size_t n_pred = 0, n_retrain = 0;
	for (size_t k = 0; k < mp.n && !rc; k++) {
		if ((rc = fc_read_file(mp.path[k], "part", &mp.data[k], &mp.len[k], &err)))
			continue; /* the message names the file */
		if (fc_pred_part_is(mp.data[k], mp.len[k]))
			n_pred++;
		else if (fc_retrain_part_is(mp.data[k], mp.len[k]))
			n_retrain++;
		else if ((rc = fc_part_read_info(mp.data[k], mp.len[k], &info[k], &err)))
			fc_err_prefix(&err, "%s: ", mp.path[k]);
	}
	if (!rc && n_retrain && n_retrain < mp.n) {
		size_t a = 0, b = 0;
		while (!fc_retrain_part_is(mp.data[a], mp.len[a]))
			a++;
		while (fc_retrain_part_is(mp.data[b], mp.len[b]))
			b++;
		rc = fc_err_set(&err, FC_EFORMAT, "%s is a part of 'retrain --shard' and %s is not: "
		                "merge the parts of one sharded command at a time", mp.path[a], mp.path[b]);
	}
	if (!rc && n_retrain) {
		if (model_out || leaderboard) {
			fprintf(stderr, "forecast: error: merge: the parts are retrain's, which write the "
			                "forecasts CSV (OUT) and register the challenger: %s does not apply\n",
			        model_out ? "--model-out" : "--leaderboard");
			rc = EXIT_USAGE;
		} else {
			cli_merge_opts mo = {.name = name, .registry = registry, .data = data,
			                     .wait = m.wait, .quiet = quiet, .threads = m.threads,
			                     .argc = argc, .argv = argv, .cmdline = m.cmdline};
			rc = cli_merge_retrain(out, mp.n, mp.path, mp.data, mp.len, &mo);
		}
		goto out;
	}
	if (!rc && m.wait > 0 && !name) {
		fprintf(stderr, "forecast: error: merge: --wait is for a merge that registers a model "
		                "(--name) or finishes a retrain\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (!rc && n_pred && n_pred < mp.n)
		rc = fc_err_set(&err, FC_EFORMAT, "%s is a part of 'predict --shard' and %s is not: "
		                "merge the parts of one sharded command at a time",
		                mp.path[first_of(&mp, 1)], mp.path[first_of(&mp, 0)]);
	if (!rc && n_pred) {
		if (data || model_out || leaderboard || name || registry) {
			fprintf(stderr, "forecast: error: merge: the parts are predict's, which merge into "
			                "the forecasts CSV (OUT) only: %s does not apply\n",
			        data ? "--data" : model_out ? "--model-out"
			        : leaderboard ? "--leaderboard" : name ? "--name" : "--registry");
			rc = EXIT_USAGE;
		} else {
			rc = merge_predictions(out, &mp, quiet);
		}
		goto out;
	}
	if (!rc)
		rc = check_parts(&mp, info, &err);
	if (rc) {
		rc = cli_fail(rc, err.msg);
		goto out;
	}
	memcpy(mp.fingerprint, info[0].fingerprint, sizeof mp.fingerprint);
	/* the shards' options, as the first part recorded them */
	int fit = info[0].forecast;
	cli_opts o;
	int pargc = (int)info[0].argc;
	if ((rc = cli_parse(pargc, info[0].argv, accepted_options(fit), fit ? "fit" : "cv",
	                    fit ? usage_fit : usage_cv, &o))) {
		rc = rc < 0 ? EXIT_IO : rc;
		goto out;
	}
	o.shard = o.n_shards = 0;
	memcpy(o.cmdline, m.cmdline, sizeof o.cmdline); /* the run recorded is the merge */
	if (fit)
		o.output = out;
	if (data) {
		/* in place of the input in the shards' command line, so that the
		 * registered options leave it out as they do the shards' input
		 * (fit_options tells the input by its pointer) */
		const char *in = o.input;
		o.input = data;
		for (size_t a = 0; a < info[0].argc; a++)
			if (info[0].argv[a] == in) {
				char *d = strdup(data);
				if (!d) {
					rc = cli_fail(FC_ENOMEM, "out of memory");
					goto out;
				}
				free(info[0].argv[a]);
				info[0].argv[a] = d;
				o.input = d;
				break;
			}
	}
	if (model_out)
		o.model_out = model_out;
	if (leaderboard || !fit)
		o.leaderboard = fit ? leaderboard : out;
	if (leaderboard && !fit) {
		fprintf(stderr, "forecast: error: merge: parts of 'forecast cv' merge into a "
		                "leaderboard, written to OUT; --leaderboard is for fit's parts\n");
		rc = EXIT_USAGE;
		goto out;
	}
	o.quiet |= quiet;
	if ((name || registry) && !fit) {
		fprintf(stderr, "forecast: error: merge: --name and --registry register a model: the "
		                "parts are cv's, which make none\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (name)
		o.name = name; /* the merged model: the next version of NAME */
	if (m.wait > 0)
		o.wait = m.wait;
	if (registry) {
		o.registry = registry;
		o.registry_given = 1;
	}
#ifdef _OPENMP
	if (m.threads) /* merge's --threads over the shards' */
		omp_set_num_threads(m.threads);
#endif
	rc = run_opts(&o, pargc, info[0].argv, fit, &mp);
out:
	for (size_t k = 0; k < mp.n; k++) {
		if (mp.data)
			free(mp.data[k]);
		if (info)
			fc_part_info_dispose(&info[k]);
	}
	free(mp.data);
	free(mp.len);
	free(info);
	return rc;
}
