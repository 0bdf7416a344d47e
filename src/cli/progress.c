/* A one-line progress bar on stderr: done/total, rate and ETA.  Drawn only
 * when stderr is a terminal and --quiet is off, at most ten times a second. */
#include "cli.h"

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
}

void cli_progress_update(void *ctx, size_t done, size_t total)
{
	cli_progress *p = ctx;
	if (!p->enabled)
		return;
	double now = cli_now();
	if (done < total && now - p->last_draw < 0.1)
		return;
	p->last_draw = now;
	double elapsed = now - p->start, rate = elapsed > 0 ? (double)done / elapsed : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	int width = 30, filled = total ? (int)((double)width * (double)done / (double)total) : width;
	char bar[32];
	for (int i = 0; i < width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r%s [%s] %zu/%zu series  %.0f/s  ETA %.0fs   ",
	        p->what, bar, done, total, rate, eta);
	fflush(stderr);
}

void cli_progress_finish(cli_progress *p)
{
	if (p->enabled) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}
