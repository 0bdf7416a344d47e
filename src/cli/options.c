/* Command-line parsing shared by the subcommands, with range checks that
 * turn absurd values into usage errors before any work starts. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forecast/artifact.h"
#include "forecast/registry.h"
#include "forecast/scale.h"
#include "forecast/search.h"
#include "forecast/shard.h"

#ifdef _OPENMP
#include <omp.h>
#endif

enum {
	O_TIME = 1000, O_TARGET, O_GROUP, O_SEP, O_FREQ, O_SEASON, O_AGGREGATE, O_FILL,
	O_HORIZON, O_FOLDS, O_STEP, O_WINDOW, O_METRIC, O_MODELS, O_PARAM, O_STRICT,
	O_LEVEL, O_OUTPUT, O_LEADERBOARD, O_MODEL_OUT, O_MODEL, O_DATA, O_THREADS,
	O_QUIET, O_HELP, O_FORMAT, O_KEEP_SEASONS,
	O_LAGS, O_WINDOWS, O_AGG, O_CALENDAR, O_FOURIER, O_SEASONAL_WINDOW, O_EXPANDING,
	O_SHIFT, O_TRANSFORM, O_COUNTRY, O_HOLIDAY_WINDOW, O_EVENTS, O_KNOWN_FUTURE,
	O_NO_GROUP_KEYS, O_CALENDARS, O_STRATEGY, O_GLOBAL_BY, O_REFIT_EVERY, O_CANDIDATE_TIMEOUT, O_DEFAULT_BUDGET,
	O_ENSEMBLE, O_ENSEMBLE_BY, O_ENSEMBLE_ROUNDS, O_ENSEMBLE_INTERVALS,
	O_SEARCH, O_BUDGET_TRIALS, O_SEED, O_SPACE, O_SEARCH_MODELS, O_BUDGET_MINUTES, O_CONCURRENCY,
	O_EARLY_STOP, O_BANDIT_SLACK, O_EARLY_STOP_DELAY,
	O_NAME, O_REGISTRY, O_WAIT, O_PROMOTE_MARGIN, O_ALERT_RATIO,
	O_REPORT, O_SHARD, O_TIMINGS, O_SERIES, O_CLIP
};

static const struct {
	struct option opt;
	unsigned group; /* 0 = every subcommand */
} table[] = {
	{{"time", required_argument, NULL, O_TIME}, OPT_READ},
	{{"target", required_argument, NULL, O_TARGET}, OPT_READ},
	{{"group", required_argument, NULL, O_GROUP}, OPT_READ},
	{{"sep", required_argument, NULL, O_SEP}, OPT_READ},
	{{"freq", required_argument, NULL, O_FREQ}, OPT_READ},
	{{"season", required_argument, NULL, O_SEASON}, OPT_READ},
	{{"aggregate", required_argument, NULL, O_AGGREGATE}, OPT_READ},
	{{"keep-seasons", no_argument, NULL, O_KEEP_SEASONS}, OPT_READ},
	{{"fill", required_argument, NULL, O_FILL}, OPT_READ},
	{{"horizon", required_argument, NULL, O_HORIZON}, OPT_CV | OPT_PREDICT | OPT_RETRAIN},
	{{"folds", required_argument, NULL, O_FOLDS}, OPT_CV},
	{{"step", required_argument, NULL, O_STEP}, OPT_CV},
	{{"window", required_argument, NULL, O_WINDOW}, OPT_CV},
	{{"metric", required_argument, NULL, O_METRIC}, OPT_CV},
	{{"models", required_argument, NULL, O_MODELS}, OPT_CV},
	{{"param", required_argument, NULL, O_PARAM}, OPT_CV},
	{{"strict", no_argument, NULL, O_STRICT}, OPT_CV},
	{{"level", required_argument, NULL, O_LEVEL}, OPT_LEVEL},
	{{"output", required_argument, NULL, O_OUTPUT},
	 OPT_OUT | OPT_PREDICT | OPT_FEATOUT | OPT_RETRAIN | OPT_EXPLAIN | OPT_REPORT},
	{{"leaderboard", required_argument, NULL, O_LEADERBOARD}, OPT_OUT | OPT_BOARD | OPT_MERGE},
	{{"model-out", required_argument, NULL, O_MODEL_OUT}, OPT_OUT | OPT_MERGE},
	{{"report", required_argument, NULL, O_REPORT}, OPT_OUT},
	{{"clip", required_argument, NULL, O_CLIP}, OPT_OUT},
	{{"model", required_argument, NULL, O_MODEL}, OPT_PREDICT | OPT_EXPLAIN | OPT_REPORT},
	{{"data", required_argument, NULL, O_DATA}, OPT_PREDICT | OPT_EXPLAIN | OPT_MERGE},
	{{"series", required_argument, NULL, O_SERIES}, OPT_EXPLAIN},
	{{"format", required_argument, NULL, O_FORMAT}, OPT_FORMAT | OPT_EXPLAIN},
	{{"lags", required_argument, NULL, O_LAGS}, OPT_FEATURES},
	{{"windows", required_argument, NULL, O_WINDOWS}, OPT_FEATURES},
	{{"agg", required_argument, NULL, O_AGG}, OPT_FEATURES},
	{{"calendar", required_argument, NULL, O_CALENDAR}, OPT_FEATURES},
	{{"fourier", required_argument, NULL, O_FOURIER}, OPT_FEATURES},
	{{"seasonal-window", required_argument, NULL, O_SEASONAL_WINDOW}, OPT_FEATURES},
	{{"expanding-mean", no_argument, NULL, O_EXPANDING}, OPT_FEATURES},
	{{"shift", required_argument, NULL, O_SHIFT}, OPT_FEATURES},
	{{"transform", required_argument, NULL, O_TRANSFORM}, OPT_FEATURES},
	{{"country", required_argument, NULL, O_COUNTRY}, OPT_FEATURES},
	{{"holiday-window", required_argument, NULL, O_HOLIDAY_WINDOW}, OPT_FEATURES},
	{{"events", required_argument, NULL, O_EVENTS}, OPT_FEATURES},
	{{"calendars", required_argument, NULL, O_CALENDARS}, OPT_FEATURES},
	{{"known-future", required_argument, NULL, O_KNOWN_FUTURE}, OPT_FEATURES},
	{{"no-group-keys", no_argument, NULL, O_NO_GROUP_KEYS}, OPT_FEATURES},
	{{"strategy", required_argument, NULL, O_STRATEGY}, OPT_CV},
	{{"global-by", required_argument, NULL, O_GLOBAL_BY}, OPT_CV},
	{{"refit-every", required_argument, NULL, O_REFIT_EVERY}, OPT_CV},
	{{"candidate-timeout", required_argument, NULL, O_CANDIDATE_TIMEOUT}, OPT_CV},
	{{"default-budget", required_argument, NULL, O_DEFAULT_BUDGET}, OPT_CV},
	{{"ensemble", required_argument, NULL, O_ENSEMBLE}, OPT_CV},
	{{"ensemble-by", required_argument, NULL, O_ENSEMBLE_BY}, OPT_CV},
	{{"ensemble-rounds", required_argument, NULL, O_ENSEMBLE_ROUNDS}, OPT_CV},
	{{"ensemble-intervals", required_argument, NULL, O_ENSEMBLE_INTERVALS}, OPT_CV},
	{{"search", required_argument, NULL, O_SEARCH}, OPT_CV},
	{{"budget-trials", required_argument, NULL, O_BUDGET_TRIALS}, OPT_CV},
	{{"seed", required_argument, NULL, O_SEED}, OPT_CV},
	{{"space", required_argument, NULL, O_SPACE}, OPT_CV},
	{{"search-models", required_argument, NULL, O_SEARCH_MODELS}, OPT_CV},
	{{"budget-minutes", required_argument, NULL, O_BUDGET_MINUTES}, OPT_CV},
	{{"concurrency", required_argument, NULL, O_CONCURRENCY}, OPT_CV},
	{{"early-stop", required_argument, NULL, O_EARLY_STOP}, OPT_CV},
	{{"bandit-slack", required_argument, NULL, O_BANDIT_SLACK}, OPT_CV},
	{{"early-stop-delay", required_argument, NULL, O_EARLY_STOP_DELAY}, OPT_CV},
	{{"name", required_argument, NULL, O_NAME}, OPT_REGISTRY | OPT_MERGE},
	{{"registry", required_argument, NULL, O_REGISTRY}, OPT_REGISTRY | OPT_REGDIR | OPT_MERGE},
	{{"wait", required_argument, NULL, O_WAIT}, OPT_REGISTRY | OPT_MERGE},
	{{"promote-margin", required_argument, NULL, O_PROMOTE_MARGIN}, OPT_RETRAIN},
	{{"alert-ratio", required_argument, NULL, O_ALERT_RATIO}, OPT_RETRAIN},
	{{"shard", required_argument, NULL, O_SHARD}, OPT_SHARD},
	{{"timings", no_argument, NULL, O_TIMINGS}, OPT_SHARD},
	{{"threads", required_argument, NULL, O_THREADS}, 0},
	{{"quiet", no_argument, NULL, O_QUIET}, 0},
	{{"help", no_argument, NULL, O_HELP}, 0},
};
#define N_TABLE (sizeof table / sizeof table[0])

void cli_unadjusted_add(cli_unadjusted *t, const fc_model *m, const char *key, size_t h, size_t u)
{
	size_t nk = fc_model_kind_count(), j = 0;
	while (j < nk && fc_model_kind_at(j) != m->type)
		j++;
	if (j == nk)
		return;
	if (!t->steps) {
		t->steps = calloc(3 * nk, sizeof *t->steps);
		t->first = calloc(nk, sizeof *t->first);
		if (!t->steps || !t->first) { /* a warning only: none */
			free(t->steps);
			free(t->first);
			memset(t, 0, sizeof *t);
			return;
		}
		t->of = t->steps + nk;
		t->series = t->steps + 2 * nk;
	}
	t->of[j] += h;
	if (u && t->series[j]++ == 0)
		snprintf(t->first[j], sizeof t->first[j], "%s", key[0] ? key : "(the only series)");
	t->steps[j] += u;
}

void cli_unadjusted_warn(const cli_opts *o, cli_unadjusted *t, const char *what)
{
	for (size_t j = 0; t->steps && j < fc_model_kind_count(); j++)
		if (t->steps[j])
			cli_warn(o, "%s%s: the bias-adjusted mean left the forecast interval at %zu of %zu "
			         "steps, on %zu series; those steps forecast the median instead (first: %s)",
			         what, fc_model_kind_at(j)->name, t->steps[j], t->of[j], t->series[j],
			         t->first[j]);
	cli_unadjusted_dispose(t);
}

void cli_unadjusted_dispose(cli_unadjusted *t)
{
	free(t->steps);
	free(t->first);
	memset(t, 0, sizeof *t);
}

int cli_exit_code(int code)
{
	switch (code) {
	case FC_OK: return EXIT_OK;
	case FC_EINVAL: return EXIT_USAGE;
	case FC_EINPUT: return EXIT_INPUT;
	case FC_EIO:
	case FC_EFORMAT: return EXIT_IO;
	default: return EXIT_MODEL;
	}
}

int cli_fail(int code, const char *msg)
{
	fprintf(stderr, "forecast: error: %s\n", msg);
	return cli_exit_code(code);
}

/* Warnings given by this process so far; the commands that record runs
 * count theirs as a difference, so retrain's run includes those of the fit
 * and predict it runs, which record their own as well. */
static unsigned long n_warnings;

unsigned long cli_warnings(void)
{
	return n_warnings;
}

void cli_note(const cli_opts *o, const char *fmt, ...)
{
	if (o && o->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("forecast: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_warn(const cli_opts *o, const char *fmt, ...)
{
	n_warnings++;
	if (o && o->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("forecast: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("forecast: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'forecast %s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

/* A whole number in [lo, hi], nothing else. */
static int parse_count(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Comma-separated numbers, each in (lo, hi). */
/* Whether s is a number from 0 (above 0 when positive) to 1e6,
 * into *out: the range of the options that take a factor, seconds or
 * minutes. */
static int number_in(const char *s, int positive, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !(positive ? v > 0 : v >= 0) || !(v <= 1e6))
		return 0;
	*out = v;
	return 1;
}

static int parse_numbers(const char *s, double lo, double hi, double *out, size_t cap, size_t *n)
{
	*n = 0;
	for (;;) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (end == s || errno || !(v > lo && v < hi) || *n == cap)
			return -1;
		out[(*n)++] = v;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/* Keeps a feature option as "key=value" for the global model's
 * parameters; -1 when there are too many. */
static int remember(cli_opts *o, const char *key, const char *val)
{
	static char store[16][256];
	if (o->n_feature_params == sizeof o->feature_params / sizeof o->feature_params[0])
		return -1;
	char *slot = store[o->n_feature_params];
	snprintf(slot, sizeof store[0], "%s=%s", key, val);
	o->feature_params[o->n_feature_params++] = slot;
	return 0;
}

static const char *opt_name(int id)
{
	for (size_t i = 0; i < N_TABLE; i++)
		if (table[i].opt.val == id)
			return table[i].opt.name;
	return "?";
}

/* argv joined by spaces as it was typed (getopt reorders it), each
 * argument that a shell would split or expand in single quotes. */
void cli_join_typed(int argc, char **argv, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < argc && len + 1 < cap; i++) {
		const char *a = argv[i];
		int plain = *a != '\0' && a[strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                                     "0123456789_./:=,@%+-")] == '\0';
		if (i)
			buf[len++] = ' ';
		if (!plain && len + 1 < cap)
			buf[len++] = '\'';
		for (; *a && len + 5 < cap; a++) {
			if (*a == '\'' && !plain) {
				memcpy(buf + len, "'\\''", 4);
				len += 4;
			} else {
				buf[len++] = *a;
			}
		}
		if (!plain && len + 1 < cap)
			buf[len++] = '\'';
		buf[len] = '\0';
	}
}

int cli_parse(int argc, char **argv, unsigned accepted, const char *cmd,
              void (*usage)(FILE *), cli_opts *o)
{
	struct option longopts[N_TABLE + 1];
	size_t n = 0;
	for (size_t i = 0; i < N_TABLE; i++)
		if (!table[i].group || (table[i].group & accepted))
			longopts[n++] = table[i].opt;
	memset(&longopts[n], 0, sizeof longopts[n]);

	memset(o, 0, sizeof *o);
	o->started = cli_now();
	o->argc = argc;
	o->argv = argv;
	cli_join_typed(argc, argv, o->cmdline, sizeof o->cmdline);
	o->read = fc_read_opts_default();
	o->folds = 3;
	o->bandit_slack = -1;
	o->early_stop_delay = -1;
	o->candidate_timeout = CLI_DEFAULT_CANDIDATE_TIMEOUT;
	o->default_budget = CLI_DEFAULT_BUDGET_MINUTES;
	o->ensemble = CLI_DEFAULT_ENSEMBLE;
	o->clip = FC_CLIP_AUTO;
	o->ensemble_by = CLI_DEFAULT_ENSEMBLE_BY;
	o->levels[0] = 80;
	o->levels[1] = 95;
	o->n_levels = 2;
	o->metric = FC_METRIC_MASE;
	o->feat = fc_feature_spec_default();
	o->feat.group_keys = 1;

	opterr = 0;
	optind = 1;
	int c;
	long v;
	fc_err ferr;
	char shortopts[] = "qho:"; /* GNU getopt permutes: options may follow FILE */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case O_TIME: o->read.time_col = optarg; break;
		case O_TARGET: o->read.target_col = optarg; break;
		case O_GROUP: o->read.group_cols = optarg; break;
		case O_SEP:
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0)
				o->read.sep = '\t';
			else if (strlen(optarg) == 1 && strchr(",;\t|", optarg[0]))
				o->read.sep = optarg[0];
			else
				return usage_error(cmd, "--sep: expected ',', ';', '|' or 'tab', got '%s'", optarg);
			break;
		case O_FREQ: {
			fc_freq f;
			fc_err err;
			if (fc_freq_parse(optarg, &f, &err))
				return usage_error(cmd, "--freq: %s", err.msg);
			o->read.freq = optarg;
			break;
		}
		case O_SEASON:
			o->read.no_seasons = strcmp(optarg, "1") == 0;
			if (o->read.no_seasons) {
				o->read.n_seasons = 0; /* --season 1: not seasonal */
				break;
			}
			if (parse_numbers(optarg, 1, 1e6, o->read.seasons, FC_MAX_SEASONS, &o->read.n_seasons))
				return usage_error(cmd, "--season: expected up to %d periods greater than 1, like 24,168, or 1 for none; got '%s'",
				                   FC_MAX_SEASONS, optarg);
			for (size_t i = 0; i < o->read.n_seasons; i++)
				if (o->read.seasons[i] < 2)
					return usage_error(cmd, "--season: a seasonal period must be at least 2, got '%s'", optarg);
			break;
		case O_AGGREGATE:
			if (fc_aggregate_parse(optarg, &o->read.aggregate) || o->read.aggregate == FC_AGG_NONE)
				return usage_error(cmd, "--aggregate: expected sum, mean, min, max or last; got '%s'", optarg);
			break;
		case O_FILL:
			if (fc_fill_parse(optarg, &o->read.fill))
				return usage_error(cmd, "--fill: expected auto, zero, ffill, linear or none; got '%s'", optarg);
			break;
		case O_KEEP_SEASONS: o->read.keep_seasons = 1; break;
		case O_HORIZON:
			if (parse_count(optarg, 1, 100000, &v))
				return usage_error(cmd, "--horizon: expected a whole number of steps from 1 to 100000, got '%s'", optarg);
			o->horizon = (size_t)v;
			break;
		case O_FOLDS:
			if (parse_count(optarg, 1, 1000, &v))
				return usage_error(cmd, "--folds: expected a whole number from 1 to 1000, got '%s'", optarg);
			o->folds = (size_t)v;
			break;
		case O_STEP:
			if (parse_count(optarg, 1, 100000, &v))
				return usage_error(cmd, "--step: expected a whole number of steps from 1 to 100000, got '%s'", optarg);
			o->step = (size_t)v;
			break;
		case O_WINDOW:
			if (parse_count(optarg, FC_CV_MIN_TRAIN, 100000000, &v))
				return usage_error(cmd, "--window: expected a whole number of observations of at least %d, got '%s'",
				                   FC_CV_MIN_TRAIN, optarg);
			o->window = (size_t)v;
			break;
		case O_METRIC:
			if (fc_metric_parse(optarg, &o->metric))
				return usage_error(cmd, "--metric: expected mae, rmse, mase, smape, mape, wape or nrmse; got '%s'", optarg);
			break;
		case O_MODELS: o->models = optarg; break;
		case O_PARAM:
			if (o->n_params == MAX_PARAMS)
				return usage_error(cmd, "--param: at most %d parameters", MAX_PARAMS);
			if (!strchr(optarg, '.') || !strchr(optarg, '='))
				return usage_error(cmd, "--param: expected kind.name=value (e.g. window.size=28), got '%s'", optarg);
			o->params[o->n_params++] = optarg;
			break;
		case O_STRICT: o->strict = 1; break;
		case O_ENSEMBLE: {
			static const char *const names[] = {"none", "caruana", "mean", "median", "stack"};
			int k = 0;
			while (k < 5 && strcmp(optarg, names[k]) != 0)
				k++;
			if (k == 5)
				return usage_error(cmd, "--ensemble: expected none, caruana, mean, median or stack; got '%s'", optarg);
			o->ensemble = k; /* the order of FC_ENSEMBLE_* */
			break;
		}
		case O_ENSEMBLE_BY:
			if (strcmp(optarg, "panel") == 0)
				o->ensemble_by = FC_ENSEMBLE_BY_PANEL;
			else if (strcmp(optarg, "series") == 0)
				o->ensemble_by = FC_ENSEMBLE_BY_SERIES;
			else if (strcmp(optarg, "blend") == 0)
				o->ensemble_by = FC_ENSEMBLE_BY_BLEND;
			else
				return usage_error(cmd, "--ensemble-by: expected blend, series or panel; got '%s'", optarg);
			break;
		case O_ENSEMBLE_INTERVALS:
			if (strcmp(optarg, "members") == 0)
				o->ensemble_intervals = FC_ENSEMBLE_INTERVALS_MEMBERS;
			else if (strcmp(optarg, "auto") == 0)
				o->ensemble_intervals = FC_ENSEMBLE_INTERVALS_AUTO;
			else if (strcmp(optarg, "conformal") == 0)
				o->ensemble_intervals = FC_ENSEMBLE_INTERVALS_CONFORMAL;
			else
				return usage_error(cmd, "--ensemble-intervals: expected members, auto or conformal; got '%s'", optarg);
			break;
		case O_ENSEMBLE_ROUNDS:
			if (parse_count(optarg, 1, 1000, &v))
				return usage_error(cmd, "--ensemble-rounds: expected a whole number from 1 to 1000, got '%s'", optarg);
			o->ensemble_rounds = (size_t)v;
			break;
		case O_SEARCH:
			if (strcmp(optarg, "grid") == 0)
				o->search = FC_SEARCH_GRID;
			else if (strcmp(optarg, "random") == 0)
				o->search = FC_SEARCH_RANDOM;
			else if (strcmp(optarg, "bayes") == 0)
				o->search = FC_SEARCH_BAYES;
			else
				return usage_error(cmd, "--search: expected grid, random or bayes, got '%s'", optarg);
			break;
		case O_BUDGET_MINUTES:
			if (!number_in(optarg, 1, &o->budget_minutes))
				return usage_error(cmd, "--budget-minutes: expected minutes above 0 (e.g. 0.5 or "
				                   "30), got '%s'", optarg);
			break;
		case O_CONCURRENCY:
			if (parse_count(optarg, 1, 100000, &v))
				return usage_error(cmd, "--concurrency: expected a whole number of trials from 1 to 100000, got '%s'", optarg);
			o->concurrency = (size_t)v;
			break;
		case O_EARLY_STOP:
			if (strcmp(optarg, "none") == 0)
				o->early_stop = FC_EARLY_STOP_NONE;
			else if (strcmp(optarg, "median") == 0)
				o->early_stop = FC_EARLY_STOP_MEDIAN;
			else if (strcmp(optarg, "bandit") == 0)
				o->early_stop = FC_EARLY_STOP_BANDIT;
			else
				return usage_error(cmd, "--early-stop: expected none, median or bandit, got '%s'", optarg);
			break;
		case O_BANDIT_SLACK:
			if (!number_in(optarg, 0, &o->bandit_slack))
				return usage_error(cmd, "--bandit-slack: expected a factor of at least 0 (e.g. 0.1: "
				                   "10%% worse than the best), got '%s'", optarg);
			break;
		case O_EARLY_STOP_DELAY:
			if (parse_count(optarg, 0, FC_CV_MAX_FOLDS, &v))
				return usage_error(cmd, "--early-stop-delay: expected a whole number of folds from 0 to %d, got '%s'", FC_CV_MAX_FOLDS, optarg);
			o->early_stop_delay = v;
			break;
		case O_BUDGET_TRIALS:
			if (parse_count(optarg, 1, 100000, &v))
				return usage_error(cmd, "--budget-trials: expected a whole number of trials from 1 to 100000, got '%s'", optarg);
			o->budget_trials = (size_t)v;
			break;
		case O_SEED: {
			char *end;
			errno = 0;
			unsigned long long s = strtoull(optarg, &end, 10);
			if (end == optarg || *end || errno || optarg[0] == '-')
				return usage_error(cmd, "--seed: expected a whole number from 0 to %llu, got '%s'",
				                   (unsigned long long)UINT64_MAX, optarg);
			o->seed = s;
			o->seed_given = 1;
			break;
		}
		case O_SPACE: o->space_file = optarg; break;
		case O_TIMINGS: o->timings = 1; break;
		case O_SHARD: {
			char *end;
			errno = 0;
			unsigned long k = strtoul(optarg, &end, 10), of = 0;
			int ok = end != optarg && *end == '/' && isdigit((unsigned char)optarg[0]) &&
			         isdigit((unsigned char)end[1]);
			if (ok) {
				const char *ns = end + 1;
				of = strtoul(ns, &end, 10);
				ok = !*end && !errno && of >= 1 && of <= FC_SHARD_MAX && k < of;
			}
			if (!ok)
				return usage_error(cmd, "--shard: expected K/N, shard K of N numbered from 0 "
				                   "(0 <= K < N <= %d), as Slurm's --array=0-3 and Kubernetes' "
				                   "JOB_COMPLETION_INDEX number them; got '%s'", FC_SHARD_MAX, optarg);
			o->shard = k;
			o->n_shards = of;
			break;
		}
		case O_SEARCH_MODELS: o->search_models = optarg; break;
		case O_CANDIDATE_TIMEOUT:
			if (!number_in(optarg, 0, &o->candidate_timeout))
				return usage_error(cmd, "--candidate-timeout: expected seconds from 0 (no limit) "
				                   "to 1000000, got '%s'", optarg);
			break;
		case O_DEFAULT_BUDGET:
			if (!number_in(optarg, 0, &o->default_budget))
				return usage_error(cmd, "--default-budget: expected CPU minutes from 0 (no "
				                   "limit) to 1000000, got '%s'", optarg);
			break;
		case O_LEVEL:
			if (parse_numbers(optarg, 0, 100, o->levels, FC_MAX_LEVELS, &o->n_levels))
				return usage_error(cmd, "--level: expected up to %d percentages strictly between 0 and 100, like 80,95; got '%s'",
				                   FC_MAX_LEVELS, optarg);
			o->levels_given = 1;
			break;
		case 'o':
		case O_OUTPUT: o->output = optarg; break;
		case O_LEADERBOARD: o->leaderboard = optarg; break;
		case O_MODEL_OUT: o->model_out = optarg; break;
		case O_REPORT: o->report = optarg; break;
		case O_CLIP:
			if (fc_clip_parse(optarg, &o->clip))
				return usage_error(cmd, "--clip: expected auto, none or nonneg; got '%s'", optarg);
			break;
		case O_MODEL: o->model_in = optarg; break;
		case O_NAME:
			if (!fc_registry_name_ok(optarg))
				return usage_error(cmd, "--name: a model name is 1 to %d letters, digits, '_', "
				                   "'-' or '.', not starting with '.'; got '%s'",
				                   FC_REGISTRY_NAME_MAX, optarg);
			o->name = optarg;
			break;
		case O_REGISTRY:
			o->registry = optarg;
			o->registry_given = 1;
			break;
		case O_WAIT:
		case O_ALERT_RATIO:
		case O_PROMOTE_MARGIN: {
			double t;
			if (!number_in(optarg, 0, &t))
				return usage_error(cmd, "--%s: expected a number from 0 to 1000000, got '%s'",
				                   c == O_WAIT ? "wait" : c == O_ALERT_RATIO ? "alert-ratio"
				                   : "promote-margin", optarg);
			if (c == O_WAIT)
				o->wait = t;
			else if (c == O_ALERT_RATIO)
				o->alert_ratio = t;
			else
				o->promote_margin = t;
			break;
		}
		case O_DATA: o->data = optarg; break;
		case O_SERIES: o->series = optarg; break;
		case O_FORMAT:
			/* explain writes CSV or JSON; inspect a table or CSV */
			if (accepted & OPT_EXPLAIN) {
				o->format_json = strcmp(optarg, "json") == 0;
				if (!o->format_json && strcmp(optarg, "csv") != 0)
					return usage_error(cmd, "--format: expected csv or json, got '%s'", optarg);
			} else if (strcmp(optarg, "csv") == 0) {
				o->format_csv = 1;
			} else if (strcmp(optarg, "table") != 0) {
				return usage_error(cmd, "--format: expected table or csv, got '%s'", optarg);
			}
			break;
		case O_THREADS:
			if (parse_count(optarg, 1, 1024, &v))
				return usage_error(cmd, "--threads: expected a whole number from 1 to 1024, got '%s'", optarg);
			o->threads = (int)v;
			break;
		case O_LAGS:
			if (strcmp(optarg, "auto") == 0) {
				o->lags_auto = 1;
			} else {
				o->lags_auto = 0;
				if (fc_feature_parse_lags(optarg, &o->feat, &ferr))
					return usage_error(cmd, "%s", ferr.msg);
			}
			if (remember(o, "lags", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_WINDOWS:
			o->windows_auto = strcmp(optarg, "auto") == 0;
			if (!o->windows_auto && fc_feature_parse_windows(optarg, &o->feat, &ferr))
				return usage_error(cmd, "%s", ferr.msg);
			if (remember(o, "windows", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_AGG:
			if (fc_feature_parse_aggs(optarg, &o->feat, &ferr))
				return usage_error(cmd, "%s", ferr.msg);
			if (remember(o, "agg", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_CALENDAR:
			if (fc_feature_parse_calendar(optarg, &o->feat, &ferr))
				return usage_error(cmd, "%s", ferr.msg);
			if (remember(o, "calendar", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_TRANSFORM:
			/* boxcox is a scale of the local kinds only: the global model
			 * keeps its own transform (standard by default); log1p is both,
			 * the local kinds' scale and the global model's transform */
			if (strncmp(optarg, "boxcox", 6) == 0) {
				if (!(accepted & OPT_CV))
					return usage_error(cmd, "--transform %s: Box-Cox is a scale of fit's and "
					                   "cv's local models; here: none, standard, robust, "
					                   "log1p, diff or sdiff", optarg);
				if (fc_scale_parse(optarg, &o->scale, &ferr))
					return usage_error(cmd, "%s", ferr.msg);
				break;
			}
			if (fc_feature_parse_transform(optarg, &o->feat, &ferr))
				return usage_error(cmd, (accepted & OPT_CV)
				                   ? "--transform: expected log1p, boxcox, boxcox=auto or "
				                     "boxcox=LAMBDA (every kind), or none, standard, robust, "
				                     "diff or sdiff (the global model); got '%s'" : "%s",
				                   (accepted & OPT_CV) ? optarg : ferr.msg);
			o->scale = (fc_scale){.kind = o->feat.transform == FC_TF_LOG1P ? FC_SCALE_LOG1P
			                                                                 : FC_SCALE_NONE,
			                      .lambda = NAN};
			if (remember(o, "transform", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_HOLIDAY_WINDOW:
			if (fc_feature_parse_holiday_window(optarg, &o->feat, &ferr))
				return usage_error(cmd, "%s", ferr.msg);
			if (remember(o, "holiday_window", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_FOURIER:
			if (parse_count(optarg, 0, 50, &v))
				return usage_error(cmd, "--fourier: expected a number of sin/cos pairs from 0 to 50, got '%s'", optarg);
			o->feat.fourier_k = (size_t)v;
			if (remember(o, "fourier", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_SEASONAL_WINDOW:
			if (parse_count(optarg, 0, 520, &v))
				return usage_error(cmd, "--seasonal-window: expected a number of cycles from 0 to 520, got '%s'", optarg);
			o->feat.seasonal_k = (size_t)v;
			if (remember(o, "seasonal_window", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_EXPANDING:
			o->feat.expanding_mean = 1;
			if (remember(o, "expanding_mean", "true"))
				return usage_error(cmd, "too many feature options");
			break;
		case O_SHIFT:
			if (parse_count(optarg, 1, 10000, &v))
				return usage_error(cmd, "--shift: expected a whole number of steps from 1 to 10000, got '%s'", optarg);
			o->feat.shift = (size_t)v;
			break;
		case O_COUNTRY:
			o->countries = optarg;
			if (remember(o, "country", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_EVENTS:
			o->events = optarg;
			if (remember(o, "events", optarg))
				return usage_error(cmd, "--events: path too long, or too many feature options");
			break;
		case O_CALENDARS: o->calendars = optarg; break;
		case O_KNOWN_FUTURE:
			o->feat.known_future = optarg;
			if (remember(o, "known_future", optarg))
				return usage_error(cmd, "too many feature options");
			break;
		case O_STRATEGY:
			if (strcmp(optarg, "recursive") && strcmp(optarg, "direct"))
				return usage_error(cmd, "--strategy: expected recursive or direct, got '%s'", optarg);
			o->strategy = optarg;
			break;
		case O_GLOBAL_BY: o->global_by = optarg; break;
		case O_REFIT_EVERY:
			if (parse_count(optarg, 1, 1000, &v))
				return usage_error(cmd, "--refit-every: expected a whole number of folds from 1 to 1000, got '%s'", optarg);
			o->refit_every = (size_t)v;
			break;
		case O_NO_GROUP_KEYS:
			o->feat.group_keys = 0;
			if (remember(o, "group_keys", "false"))
				return usage_error(cmd, "too many feature options");
			break;
		case 'q':
		case O_QUIET: o->quiet = 1; break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return -1;
		case ':':
			return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt >= O_TIME)
				return usage_error(cmd, "option '--%s' needs a value", opt_name(optopt));
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o->search && (o->budget_trials || o->seed_given || o->space_file || o->search_models ||
	                   o->budget_minutes > 0 || o->concurrency || o->early_stop))
		return usage_error(cmd, "%s works with --search grid|random|bayes only",
		                   o->budget_trials ? "--budget-trials" : o->seed_given ? "--seed"
		                   : o->space_file ? "--space" : o->search_models ? "--search-models"
		                   : o->budget_minutes > 0 ? "--budget-minutes"
		                   : o->concurrency ? "--concurrency" : "--early-stop");
	if (o->bandit_slack >= 0 && o->early_stop != FC_EARLY_STOP_BANDIT)
		return usage_error(cmd, "--bandit-slack works with --early-stop bandit only");
	if (o->early_stop_delay >= 0 && o->early_stop == FC_EARLY_STOP_NONE)
		return usage_error(cmd, "--early-stop-delay works with --early-stop median|bandit only");
	if (accepted & OPT_ARGS) {
		o->args = argv + optind;
		o->n_args = (size_t)(argc - optind);
	} else if (optind < argc) {
		o->input = argv[optind++];
		if (optind < argc)
			return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	}
#ifdef _OPENMP
	if (o->threads)
		omp_set_num_threads(o->threads);
#endif
	return 0;
}

void cli_candidates_free(fc_model **c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fc_model_free(c[i]);
	free(c);
}

static int kind_list_error(const char *what)
{
	fprintf(stderr, "forecast: error: %s; known models:", what);
	for (size_t k = 0; k < fc_model_kind_count(); k++)
		fprintf(stderr, "%s %s", k ? "," : "", fc_model_kind_at(k)->name);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_candidates(const cli_opts *o, fc_model ***out, size_t *n_out)
{
	size_t cap = fc_model_kind_count() + 16, n = 0;
	fc_model **c = calloc(cap, sizeof *c);
	if (!c)
		return cli_fail(FC_ENOMEM, "out of memory");
	fc_err err;
	char what[FC_ERR_MSG_MAX + 512];
	if (!o->models) {
		for (size_t k = 0; k < fc_model_kind_count(); k++)
			if (!fc_model_kind_at(k)->opt_in && !(c[n++] = fc_model_alloc(fc_model_kind_at(k), &err)))
				goto fail_err;
	} else {
		char names[1024];
		if (strlen(o->models) >= sizeof names) {
			cli_candidates_free(c, n);
			return kind_list_error("--models: list too long");
		}
		strcpy(names, o->models);
		for (char *save, *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
			const fc_model_type *t = fc_model_lookup(name);
			if (!t) {
				snprintf(what, sizeof what, "--models: unknown model '%s'", name);
				cli_candidates_free(c, n);
				return kind_list_error(what);
			}
			for (size_t i = 0; i < n; i++) {
				if (c[i]->type == t) {
					snprintf(what, sizeof what, "--models: '%s' is listed twice", name);
					cli_candidates_free(c, n);
					return cli_fail(FC_EINVAL, what);
				}
			}
			if (n == cap || !(c[n++] = fc_model_alloc(t, &err)))
				goto fail_err;
		}
		if (n == 0) {
			cli_candidates_free(c, n);
			return kind_list_error("--models: no model named");
		}
	}
	/* --transform log1p|boxcox: the scale of every local kind */
	for (size_t i = 0; i < n; i++)
		if (!c[i]->type->global)
			c[i]->scale = o->scale;
	/* the feature and strategy options configure the global model; --param
	 * gbdt.* given explicitly comes after and wins */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(c[i]->type->name, "gbdt") != 0)
			continue;
		const char *kv[20];
		size_t nkv = 0;
		char s1[128], s2[128];
		for (size_t k = 0; k < o->n_feature_params; k++)
			kv[nkv++] = o->feature_params[k];
		if (o->strategy) {
			snprintf(s1, sizeof s1, "strategy=%s", o->strategy);
			kv[nkv++] = s1;
		}
		if (o->global_by) {
			snprintf(s2, sizeof s2, "global_by=%s", o->global_by);
			kv[nkv++] = s2;
		}
		for (size_t k = 0; k < nkv; k++) {
			char key[64];
			const char *eq = strchr(kv[k], '=');
			snprintf(key, sizeof key, "%.*s", (int)(eq - kv[k]), kv[k]);
			if (fc_model_set_param(c[i], key, eq + 1, &err)) {
				snprintf(what, sizeof what, "%s", err.msg);
				cli_candidates_free(c, n);
				return cli_fail(FC_EINVAL, what);
			}
		}
	}
	/* --known-future columns are also the regressors of arima (regression
	 * with ARIMA errors); --param arima.xreg given explicitly wins */
	for (size_t i = 0; i < n && o->feat.known_future; i++) {
		if (strcmp(c[i]->type->name, "arima") != 0)
			continue;
		if (fc_model_set_param(c[i], "xreg", o->feat.known_future, &err)) {
			snprintf(what, sizeof what, "%s", err.msg);
			cli_candidates_free(c, n);
			return cli_fail(FC_EINVAL, what);
		}
	}
	for (size_t p = 0; p < o->n_params; p++) {
		char spec[256];
		snprintf(spec, sizeof spec, "%s", o->params[p]);
		char *dot = strchr(spec, '.'), *eq = strchr(spec, '=');
		if (!dot || !eq || eq < dot) {
			snprintf(what, sizeof what, "--param: expected kind.name=value, got '%s'", o->params[p]);
			cli_candidates_free(c, n);
			return cli_fail(FC_EINVAL, what);
		}
		*dot = *eq = '\0';
		size_t i = 0;
		while (i < n && strcmp(c[i]->type->name, spec) != 0)
			i++;
		if (i == n) {
			snprintf(what, sizeof what, "--param %s: '%s' is not among the candidate models",
			         o->params[p], spec);
			cli_candidates_free(c, n);
			return fc_model_lookup(spec) ? cli_fail(FC_EINVAL, what) : kind_list_error(what);
		}
		if (fc_model_set_param(c[i], dot + 1, eq + 1, &err)) {
			snprintf(what, sizeof what, "--param %s: %s", o->params[p], err.msg);
			cli_candidates_free(c, n);
			return cli_fail(FC_EINVAL, what);
		}
	}
	*out = c;
	*n_out = n;
	return 0;
fail_err:
	cli_candidates_free(c, n);
	return cli_fail(err.code, err.msg);
}
