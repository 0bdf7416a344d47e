/* A one-line progress bar on stderr: the stage, done/total (candidates x
 * series), ETA and the candidates taking most of the time.  Drawn only
 * when stderr is a terminal and --quiet is off, at most ten times a second. */
#include "cli.h"

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, const cli_opts *o, const char *what)
{
	p->enabled = !o->quiet && isatty(STDERR_FILENO);
	p->what = what;
	p->start = cli_now();
	p->last_draw = 0;
	p->candidates = NULL;
}

void cli_progress_update(void *ctx, const fc_progress_info *info)
{
	cli_progress *p = ctx;
	if (!p->enabled)
		return;
	size_t done = info->done, total = info->total;
	double now = cli_now();
	if (done < total && now - p->last_draw < 0.1)
		return;
	p->last_draw = now;
	double elapsed = now - p->start, rate = elapsed > 0 ? (double)done / elapsed : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	int width = 24, filled = total ? (int)((double)width * (double)done / (double)total) : width;
	char bar[32];
	for (int i = 0; i < width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[width] = '\0';
	/* where the time goes: the two candidates that took most of it */
	char where[96] = "";
	double sum = 0;
	size_t top[2] = {SIZE_MAX, SIZE_MAX};
	/* the run's own list when it gives one: a search grows it */
	fc_model *const *cand = info->candidates ? info->candidates : p->candidates;
	for (size_t c = 0; cand && c < info->n_candidates; c++) {
		sum += info->seconds[c];
		if (top[0] == SIZE_MAX || info->seconds[c] > info->seconds[top[0]]) {
			top[1] = top[0];
			top[0] = c;
		} else if (top[1] == SIZE_MAX || info->seconds[c] > info->seconds[top[1]]) {
			top[1] = c;
		}
	}
	for (int k = 0, len = 0; k < 2 && sum > 0; k++)
		if (top[k] != SIZE_MAX && info->seconds[top[k]] > 0 && len >= 0 && (size_t)len < sizeof where)
			len += snprintf(where + len, sizeof where - (size_t)len, "%s%s %.0f%%", k ? ", " : "  (",
			                cand[top[k]]->type->name, 100 * info->seconds[top[k]] / sum);
	if (where[0])
		strncat(where, " of the time)", sizeof where - strlen(where) - 1);
	fprintf(stderr, "\r\033[K%s: %s [%s] %zu/%zu  ETA %.0fs%s", p->what, info->stage, bar, done,
	        total, eta, where);
	fflush(stderr);
}

void cli_progress_finish(cli_progress *p)
{
	if (p->enabled) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}
