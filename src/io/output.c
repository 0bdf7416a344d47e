/* Atomic output files and the forecast CSV writer.
 *
 * A run stopped by a signal (a cron job's timeout sends SIGTERM; Ctrl-C
 * SIGINT; a closed terminal SIGHUP) must not leave its temporary files
 * behind either: the temporary names of the open output files are kept in
 * a small table that a handler, installed with the first one, unlinks
 * before the signal takes its default course (unlink and raise are
 * async-signal-safe).  The process's exit status is still the signal's. */
#include "forecast/output.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPEN_MAX = 32 };
static char *volatile open_tmp[OPEN_MAX];
static volatile sig_atomic_t handlers_set;

static void remove_open_tmp(int sig)
{
	for (int i = 0; i < OPEN_MAX; i++) {
		char *t = open_tmp[i];
		if (t)
			unlink(t);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track(char *tmp)
{
	if (!handlers_set) {
		handlers_set = 1;
		const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
		for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++) {
			struct sigaction sa, old;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = remove_open_tmp;
			sigemptyset(&sa.sa_mask);
			/* not where the caller chose to ignore it (nohup) */
			if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
				sigaction(sigs[k], &sa, NULL);
		}
	}
	for (int i = 0; i < OPEN_MAX; i++)
		if (!open_tmp[i]) {
			open_tmp[i] = tmp;
			return;
		}
}

static void untrack(const char *tmp)
{
	for (int i = 0; i < OPEN_MAX; i++)
		if (open_tmp[i] == tmp)
			open_tmp[i] = NULL;
}

int fc_outfile_open(fc_outfile *o, const char *path, fc_err *err)
{
	memset(o, 0, sizeof *o);
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	size_t len = strlen(path);
	o->path = malloc(len + 1);
	o->tmp = malloc(len + 16);
	if (!o->path || !o->tmp) {
		fc_outfile_abort(o);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	memcpy(o->path, path, len + 1);
	snprintf(o->tmp, len + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		fc_outfile_abort(o);
		return fc_err_set(err, FC_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	track(o->tmp);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int e = errno;
		close(fd);
		fc_outfile_abort(o);
		return fc_err_set(err, FC_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	/* a test's hook (tests/cli_signal.sh): stop here, the file open */
	if (getenv("FORECAST_DEBUG_STOP_AT_OUTPUT"))
		raise(SIGSTOP);
	return 0;
}

int fc_outfile_commit(fc_outfile *o, fc_err *err)
{
	if (!o->tmp) { /* standard output */
		int bad = fflush(o->f) != 0 || ferror(o->f);
		o->f = NULL;
		return bad ? fc_err_set(err, FC_EIO, "cannot write to standard output") : 0;
	}
	int e = 0;
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
		e = errno ? errno : EIO;
	if (fclose(o->f) != 0 && !e)
		e = errno;
	o->f = NULL;
	if (!e && rename(o->tmp, o->path) != 0)
		e = errno;
	if (e) {
		int rc = fc_err_set(err, FC_EIO, "cannot write '%s': %s", o->path, strerror(e));
		fc_outfile_abort(o);
		return rc;
	}
	untrack(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void fc_outfile_abort(fc_outfile *o)
{
	if (o->f && o->tmp)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp) {
		unlink(o->tmp);
		untrack(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

void fc_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
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

/* Levels print without a decimal point when whole: lo_80, lo_97.5. */
static void level_name(char *buf, size_t cap, const char *prefix, double level)
{
	snprintf(buf, cap, "%s_%.10g", prefix, level);
}

static void number(FILE *f, double v)
{
	if (isnan(v))
		return; /* an empty cell is the CSV convention for missing */
	fprintf(f, "%.10g", v);
}

void fc_forecast_csv_header(FILE *f, const fc_schema *s, const fc_forecast *like)
{
	char name[64];
	for (size_t g = 0; g < s->n_groups; g++) {
		fc_csv_field(f, s->group_names[g]);
		fputc(',', f);
	}
	fc_csv_field(f, s->time_name);
	fputs(",forecast", f);
	for (size_t l = 0; l < like->n_levels; l++) {
		level_name(name, sizeof name, "lo", like->levels[l]);
		fprintf(f, ",%s", name);
		level_name(name, sizeof name, "hi", like->levels[l]);
		fprintf(f, ",%s", name);
	}
	fputs(",model\n", f);
}

void fc_forecast_csv_rows(FILE *f, const fc_schema *s, const char *const *group_values,
                          fc_time last, const fc_forecast *fc, const char *model)
{
	char when[48];
	for (size_t i = 0; i < fc->h; i++) {
		for (size_t g = 0; g < s->n_groups; g++) {
			fc_csv_field(f, group_values[g]);
			fputc(',', f);
		}
		fc_time_format(fc_freq_add(s->freq, last, (int64_t)i + 1), s->style, when, sizeof when);
		fputs(when, f);
		fputc(',', f);
		number(f, fc->mean[i]);
		for (size_t l = 0; l < fc->n_levels; l++) {
			fputc(',', f);
			number(f, fc->lo[l * fc->h + i]);
			fputc(',', f);
			number(f, fc->hi[l * fc->h + i]);
		}
		fputc(',', f);
		fc_csv_field(f, model);
		fputc('\n', f);
	}
}
