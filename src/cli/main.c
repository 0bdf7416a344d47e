/* The `forecast` program: the subcommand table, top-level help, version,
 * and the documented exit codes.  Each subcommand lives in cmd_<name>.c. */
#include "cli.h"

#include <gsl/gsl_errno.h>
#include <string.h>

#include "config.h"

typedef struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subcommand;

static void models_usage(FILE *f)
{
	fprintf(f, "Usage: forecast models\n\nLists the model kinds, one per line: name and summary.\n"
	           "Their parameters are set with --param KIND.NAME=VALUE.\n");
}

static int cmd_models(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0) {
			models_usage(stdout);
			return EXIT_OK;
		}
		fprintf(stderr, "forecast: error: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < fc_model_kind_count(); k++)
		printf("%-9s %s%s\n", fc_model_kind_at(k)->name, fc_model_kind_at(k)->summary,
		       fc_model_kind_at(k)->opt_in ? " [not in the default set: name it in --models]" : "");
	return EXIT_OK;
}

static const subcommand commands[] = {
	{"fit", cmd_fit, "back-test candidate models, pick one per series, forecast, save the model"},
	{"cv", cmd_cv, "back-test candidate models and print the leaderboard only"},
	{"predict", cmd_predict, "forecast from a saved model, optionally re-anchored on newer data"},
	{"models", cmd_models, "list the model kinds"},
	{"inspect", cmd_inspect, "read a CSV and describe the series, frequency and gaps found"},
	{"holidays", cmd_holidays, "list the holidays a country calendar computes for some years"},
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
		printf("forecast %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, cmd) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "forecast: error: unknown command '%s'\n"
	                "Try 'forecast --help' for the list of commands.\n", cmd);
	return EXIT_USAGE;
}
