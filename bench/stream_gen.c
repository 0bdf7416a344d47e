/* Writes a long CSV of S series x N minutes to stdout for bench/stream.sh:
 * "id,ts,note,y" with a text column `note` of F filler bytes per row that
 * the reader must parse and then ignore (fit is given --group id --time ts
 * --target y), so the file's size is set by F while the panel (S x N
 * values) stays the same.  Rows are time-major (every series at minute t,
 * then t + 1), the target a deterministic daily cycle plus noise from a
 * 64-bit LCG (Knuth's MMIX constants).  Prints the bytes written to stderr.
 *
 *   stream_gen S N F > file-or-fifo */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: stream_gen SERIES MINUTES FILLER_BYTES\n");
		return 2;
	}
	long S = atol(argv[1]), N = atol(argv[2]), F = atol(argv[3]);
	if (S < 1 || N < 1 || F < 0 || F > (1L << 19)) {
		fprintf(stderr, "stream_gen: bad arguments\n");
		return 2;
	}
	static char out[1 << 20];
	setvbuf(stdout, out, _IOFBF, sizeof out);
	char *fill = malloc((size_t)F + 1);
	if (!fill)
		return 1;
	for (long i = 0; i < F; i++)
		fill[i] = "abcdefghijklmnopqrstuvwxyz"[i % 26];
	fill[F] = '\0';
	unsigned long long bytes = 0, x = 42;
	int w = printf("id,ts,note,y\n");
	bytes += (unsigned long long)w;
	time_t t0 = 1704067200; /* 2024-01-01 00:00 UTC */
	for (long t = 0; t < N; t++) {
		time_t tt = t0 + 60 * t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		char ts[32];
		strftime(ts, sizeof ts, "%Y-%m-%d %H:%M", &tm);
		for (long s = 0; s < S; s++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			double noise = (double)(x >> 11) / 9007199254740992.0 - 0.5;
			double y = 100 + 10 * s + 20 * ((t % 1440) < 720) + 5 * noise;
			if (F)  /* the filler varies a little from row to row */
				fill[(size_t)(t + s) % (size_t)F] = (char)('A' + (t + s) % 26);
			w = printf("s%02ld,%s,%s,%.3f\n", s, ts, fill, y);
			if (w < 0)
				return 1;
			bytes += (unsigned long long)w;
		}
	}
	if (fflush(stdout))
		return 1;
	fprintf(stderr, "%llu\n", bytes);
	free(fill);
	return 0;
}
