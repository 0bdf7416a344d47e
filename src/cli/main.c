/* The `forecast` program: the subcommand table, top-level help, version,
 * and the documented exit codes.  Each subcommand lives in cmd_<name>.c. */
#include "cli.h"

#include <gsl/gsl_errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "forecast/dist.h"
#include "forecast/search.h"

typedef struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subcommand;

static void models_usage(FILE *f)
{
	fprintf(f, "Usage: forecast models [--params [--space FILE]]\n\n"
	           "Lists the model kinds, one per line: name and summary.\n"
	           "Their parameters are set with --param KIND.NAME=VALUE.\n\n"
	           "  --params       list instead each kind's search space (--search): the\n"
	           "                 parameters a search varies, their type and range\n"
	           "  --space FILE   with --params: the spaces as FILE changes them\n");
}

/* A range for the table: "[0.02, 0.3]", "8..64", "{auto, true, false}". */
static void describe_range(const fc_param_space *s, char *buf, size_t cap)
{
	switch (s->type) {
	case FC_SPACE_CHOICE: {
		char spec[512];
		fc_space_describe(s, spec, sizeof spec);
		size_t len = strlen(spec); /* "choice(...)" */
		snprintf(buf, cap, "{%.*s}", len > 8 ? (int)(len - 8) : 0, spec + 7);
		break;
	}
	case FC_SPACE_INT: snprintf(buf, cap, "%g..%g", s->lo, s->hi); break;
	case FC_SPACE_QUNIFORM: snprintf(buf, cap, "[%g, %g] step %g", s->lo, s->hi, s->q); break;
	default: snprintf(buf, cap, "[%g, %g]", s->lo, s->hi); break;
	}
}

static int list_params(const char *space_file)
{
	fc_space_set set;
	fc_space_set_init(&set);
	fc_err err;
	int rc = fc_space_set_defaults(&set, &err);
	if (!rc && space_file)
		rc = fc_space_read(&set, space_file, &err);
	if (rc) {
		fc_space_set_dispose(&set);
		return cli_fail(rc, err.msg);
	}
	printf("%-9s %-18s %-11s %s\n", "kind", "parameter", "type", "range");
	for (size_t k = 0; k < fc_model_kind_count(); k++)
		for (size_t j = 0; j < set.n; j++) {
			const fc_space_entry *e = &set.e[j];
			if (e->kind != fc_model_kind_at(k))
				continue;
			char range[512];
			describe_range(&e->p, range, sizeof range);
			printf("%-9s %-18s %-11s %s\n", e->kind->name, e->p.name,
			       fc_space_type_name(e->p.type), range);
		}
	fputs("no search space:", stdout);
	for (size_t k = 0, first = 1; k < fc_model_kind_count(); k++)
		if (!fc_space_set_count(&set, fc_model_kind_at(k))) {
			printf("%s %s", first ? "" : ",", fc_model_kind_at(k)->name);
			first = 0;
		}
	printf("\n(grids take every choice and up to %d points of a range; "
	       "'forecast fit --help' tells how to search)\n", FC_SPACE_GRID_POINTS);
	fc_space_set_dispose(&set);
	return EXIT_OK;
}

static int cmd_models(int argc, char **argv)
{
	int params = 0;
	const char *space = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			models_usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--params") == 0) {
			params = 1;
			continue;
		}
		if (strcmp(argv[i], "--space") == 0 && i + 1 < argc) {
			space = argv[++i];
			continue;
		}
		fprintf(stderr, "forecast: error: unexpected argument '%s'\n"
		                "Try 'forecast models --help' for more information.\n", argv[i]);
		return EXIT_USAGE;
	}
	if (space && !params) {
		fprintf(stderr, "forecast: error: --space goes with --params\n"
		                "Try 'forecast models --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (params)
		return list_params(space);
	for (size_t k = 0; k < fc_model_kind_count(); k++)
		printf("%-9s %s%s\n", fc_model_kind_at(k)->name, fc_model_kind_at(k)->summary,
		       fc_model_kind_at(k)->opt_in ? " [not in the default set: name it in --models]" : "");
	return EXIT_OK;
}

static const subcommand commands[] = {
	{"fit", cmd_fit, "back-test candidate models, pick one per series, forecast, save the model"},
	{"cv", cmd_cv, "back-test candidate models and print the leaderboard only"},
	{"merge", cmd_merge, "combine the parts of a run split with --shard K/N into its outputs"},
	{"predict", cmd_predict, "forecast from a saved model, optionally re-anchored on newer data"},
	{"models", cmd_models, "list the model kinds"},
	{"retrain", cmd_retrain, "cron: refit a registered model, promote it only if it back-tests better"},
	{"registry", cmd_registry, "list, show, promote and roll back registered models; runs"},
	{"inspect", cmd_inspect, "read a CSV and describe the series, frequency and gaps found"},
	{"holidays", cmd_holidays, "list the holidays a country calendar computes for some years"},
	{"explain", cmd_explain, "feature importance and SHAP values of a saved global model"},
	{"report", cmd_report, "HTML report of a saved model: forecasts, members, explanations"},
	{"features", cmd_features, "write the regression features (lags, windows, calendar) as CSV"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: forecast <command> [options] [FILE]\n"
	        "\n"
	        "Honest, back-tested forecasts for every series of a long CSV file\n"
	        "(one row per series and timestamp).\n"
	        "\n"
	        "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	        "\n"
	        "Examples:\n"
	        "  forecast fit sales.csv --horizon 14\n"
	        "  forecast cv sales.csv --horizon 14 --folds 5 --metric wape\n"
	        "  forecast predict --model sales.csv.model --horizon 14 --data newer.csv\n"
	        "\n"
	        "Options for every command: --help, --quiet (-q), --threads N.\n"
	        "'forecast <command> --help' lists a command's options.\n"
	        "\n"
	        "Exit codes: 0 success, 1 a model failed, 2 bad command line,\n"
	        "3 bad input data, 4 file or model-file problem.\n");
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (strcmp(cmd, "help") == 0 && argc > 2) {
			char *help_argv[] = {argv[2], "--help", NULL};
			for (size_t i = 0; i < N_COMMANDS; i++)
				if (strcmp(commands[i].name, argv[2]) == 0)
					return commands[i].run(2, help_argv);
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
#ifdef HAVE_MPI
		printf("forecast %s (MPI)\n", PACKAGE_VERSION);
#else
		printf("forecast %s\n", PACKAGE_VERSION);
#endif
		return EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].name, cmd) != 0)
			continue;
#ifdef HAVE_MPI
		/* started by mpirun (Open MPI or MPICH): the MPI driver of fit and cv */
		int mpi = (strcmp(cmd, "fit") == 0 || strcmp(cmd, "cv") == 0) &&
		          (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE"));
		if (mpi && fc_dist_init(&argc, &argv)) {
			fprintf(stderr, "forecast: error: MPI could not be started\n");
			return EXIT_USAGE;
		}
#endif
		int rc = commands[i].run(argc - 1, argv + 1);
		fc_dist_finalize();
		return rc;
	}
	fprintf(stderr, "forecast: error: unknown command '%s'\n"
	                "Try 'forecast --help' for the list of commands.\n", cmd);
	return EXIT_USAGE;
}
