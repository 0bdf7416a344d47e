/* The MPI driver's collective steps (include/forecast/dist.h): agreeing
 * on failures, gathering the ranks' parts at rank 0, and the global
 * model's fits over the ranks.
 *
 * A shared fit: rank 0 runs the selection (cv.c, as merge does) and the
 * other ranks wait in fc_dist_serve for commands broadcast from rank 0:
 * FIT (a global kind's name, its parameters as bytes, the cuts and the
 * horizon) runs that fit on the rank's copy of the panel, STOP ends the
 * wait.  The kind's fit calls fc_dist_fit_begin, which on rank 0 sends the
 * command, and gets the collectives of fc_gbdt_comm over MPI_COMM_WORLD
 * (integer sums, maxima, broadcasts), so that every rank runs the same
 * sequence of collectives.  The parameters travel as raw bytes: the ranks
 * run the same program, and a global kind's parameters hold no pointers.
 * Threads: every collective is called from the main thread, outside
 * parallel regions (MPI_THREAD_FUNNELED).
 *
 * Time: a serving rank reports the CPU seconds of each fit it ran to rank
 * 0 (an MPI_Reduce sum right after the fit, which rank 0 joins before it
 * sends anything else), so that the leaderboard's seconds of a global
 * kind are the sum over the ranks (fc_dist_served_seconds). */
#include "forecast/dist.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_MPI */
#endif

#ifdef HAVE_MPI
#include <mpi.h>

static int started; /* MPI_Init was called here */

/* the share (fc_dist_share_begin): the panel and the series' ranks,
 * borrowed; serving: inside fc_dist_serve's fit */
static const fc_panel *share_panel;
static const size_t *share_rank_of;
static int serving;

/* CPU seconds in the shared fits: this process's own, and on rank 0 the
 * serving ranks' as reported; fit_open: rank 0 sent a fit whose report
 * it has not taken yet (settle), started at fit_t0 */
static double own_fit_seconds, served_seconds, fit_t0;
static int fit_open;

enum { CMD_STOP = 0, CMD_FIT = 1 };

static double process_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Rank 0, after a shared fit: its own time in it, and the serving ranks'
 * report of theirs (the reduce they make after every fit).  Must come
 * before rank 0's next broadcast. */
static void settle(void)
{
	if (!fit_open)
		return;
	fit_open = 0;
	own_fit_seconds += process_cpu() - fit_t0;
	double zero = 0, sum = 0;
	if (MPI_Reduce(&zero, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD) == MPI_SUCCESS)
		served_seconds += sum;
}

typedef struct command {
	int op;
	char kind[32];
	uint64_t params_size, h, n_series;
} command;

/* MPI counts are ints: in pieces below 2^30 */
#define PIECE ((size_t)1 << 30)

static int bcast_bytes(void *buf, size_t len, int root)
{
	for (size_t o = 0; o < len; o += PIECE) {
		size_t k = len - o < PIECE ? len - o : PIECE;
		if (MPI_Bcast((char *)buf + o, (int)k, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS)
			return FC_EIO;
	}
	return 0;
}

/* MPI_Allreduce in place of n values of 8 bytes, in pieces an int counts */
static int allreduce(void *v, size_t n, MPI_Datatype type, MPI_Op op)
{
	for (size_t o = 0; o < n; o += PIECE / 8) {
		size_t k = n - o < PIECE / 8 ? n - o : PIECE / 8;
		if (MPI_Allreduce(MPI_IN_PLACE, (char *)v + 8 * o, (int)k, type, op, MPI_COMM_WORLD) !=
		    MPI_SUCCESS)
			return FC_EIO;
	}
	return 0;
}

static int comm_sum(void *ctx, int64_t *v, size_t n)
{
	(void)ctx;
	return allreduce(v, n, MPI_INT64_T, MPI_SUM);
}

static int comm_max(void *ctx, double *v, size_t n)
{
	(void)ctx;
	return allreduce(v, n, MPI_DOUBLE, MPI_MAX);
}

static int comm_bcast(void *ctx, void *buf, size_t len, size_t root)
{
	(void)ctx;
	return bcast_bytes(buf, len, (int)root);
}

static fc_gbdt_comm world = {.sum = comm_sum, .max = comm_max, .bcast = comm_bcast};

int fc_dist_init(int *argc, char ***argv)
{
	int provided;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return FC_EINVAL;
	started = 1;
	return 0;
}

void fc_dist_finalize(void)
{
	if (started)
		MPI_Finalize();
	started = 0;
}

size_t fc_dist_rank(void)
{
	int r = 0;
	if (started)
		MPI_Comm_rank(MPI_COMM_WORLD, &r);
	return (size_t)r;
}

size_t fc_dist_size(void)
{
	int n = 1;
	if (started)
		MPI_Comm_size(MPI_COMM_WORLD, &n);
	return (size_t)n;
}

int fc_dist_agree(int rc)
{
	if (fc_dist_size() < 2)
		return rc;
	/* the lowest failing rank, then its code from it */
	int first = rc ? (int)fc_dist_rank() : INT_MAX;
	MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (first == INT_MAX)
		return 0;
	MPI_Bcast(&rc, 1, MPI_INT, first, MPI_COMM_WORLD);
	return rc;
}

int fc_dist_gather(const fc_buf *mine, char ***parts, size_t **lens, fc_err *err)
{
	*parts = NULL;
	*lens = NULL;
	int n = (int)fc_dist_size(), me = (int)fc_dist_rank();
	int len = mine->len > (size_t)INT_MAX ? -1 : (int)mine->len;
	int *counts = me == 0 ? calloc((size_t)n, sizeof *counts) : NULL;
	int bad = me == 0 && !counts;
	MPI_Gather(&len, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
	long long total = 0;
	for (int r = 0; me == 0 && !bad && r < n; r++) {
		if (counts[r] < 0)
			bad = 2;
		total += counts[r];
	}
	if (total > INT_MAX)
		bad = 2;
	/* every rank learns whether rank 0 can take the parts in one go */
	MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (bad || len < 0) {
		free(counts);
		return bad == 1 ? fc_err_set(err, FC_ENOMEM, "out of memory")
		                : fc_err_set(err, FC_EINVAL, "the ranks' parts exceed 2 GiB in all; "
		                             "run more processes with --shard instead");
	}
	int *displs = NULL;
	char *all = NULL;
	if (me == 0) {
		displs = calloc((size_t)n, sizeof *displs);
		all = malloc(total ? (size_t)total : 1);
		for (int r = 1; displs && r < n; r++)
			displs[r] = displs[r - 1] + counts[r - 1];
	}
	int fail = me == 0 && (!displs || !all);
	MPI_Bcast(&fail, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (fail) {
		free(counts);
		free(displs);
		free(all);
		return fc_err_set(err, FC_ENOMEM, "out of memory");
	}
	MPI_Gatherv(mine->data, len, MPI_CHAR, all, counts, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
	int rc = 0;
	if (me == 0) {
		*parts = calloc((size_t)n, sizeof **parts);
		*lens = calloc((size_t)n, sizeof **lens);
		for (int r = 0; *parts && *lens && r < n; r++) {
			(*lens)[r] = (size_t)counts[r];
			if (!((*parts)[r] = malloc(counts[r] ? (size_t)counts[r] : 1))) {
				rc = FC_ENOMEM;
				break;
			}
			memcpy((*parts)[r], all + displs[r], (size_t)counts[r]);
		}
		if (!*parts || !*lens)
			rc = FC_ENOMEM;
		if (rc) {
			for (int r = 0; *parts && r < n; r++)
				free((*parts)[r]);
			free(*parts);
			free(*lens);
			*parts = NULL;
			*lens = NULL;
			fc_err_set(err, FC_ENOMEM, "out of memory");
		}
	}
	free(counts);
	free(displs);
	free(all);
	return rc;
}

void fc_dist_share_begin(const fc_panel *p, const size_t *rank_of)
{
	share_panel = p;
	share_rank_of = rank_of;
	world.rank = fc_dist_rank();
	world.size = fc_dist_size();
}

double fc_dist_served_seconds(void)
{
	settle();
	return served_seconds;
}

double fc_dist_fit_seconds(void)
{
	settle();
	return own_fit_seconds;
}

void fc_dist_share_end(void)
{
	settle();
	if (share_panel && fc_dist_rank() == 0 && fc_dist_size() > 1) {
		command c;
		memset(&c, 0, sizeof c);
		c.op = CMD_STOP;
		(void)bcast_bytes(&c, sizeof c, 0);
	}
	share_panel = NULL;
	share_rank_of = NULL;
}

int fc_dist_serve(fc_err *err)
{
	int rc = 0;
	while (share_panel && fc_dist_rank() > 0) {
		command c;
		if ((rc = bcast_bytes(&c, sizeof c, 0)))
			break;
		if (c.op != CMD_FIT)
			break;
		c.kind[sizeof c.kind - 1] = 0;
		const fc_model_type *type = fc_model_lookup(c.kind);
		void *params = malloc(c.params_size ? c.params_size : 1);
		size_t *cut = malloc((c.n_series ? c.n_series : 1) * sizeof *cut);
		if (!params || !cut || !type || !type->global || type->params_size != c.params_size ||
		    c.n_series != share_panel->n_series) {
			/* rank 0 is already in the fit's collectives, which this
			 * rank cannot join: nothing is left but to stop the job */
			MPI_Abort(MPI_COMM_WORLD, 4);
			free(params);
			free(cut);
			return fc_err_set(err, FC_ENOMEM, "out of memory");
		}
		if (!(rc = bcast_bytes(params, c.params_size, 0)) &&
		    !(rc = bcast_bytes(cut, c.n_series * sizeof *cut, 0))) {
			void *state = NULL;
			fc_err ferr;
			double t0 = process_cpu();
			serving = 1;
			/* its failures are agreed inside, and reported by rank 0 */
			if (!type->global->fit(&state, params, share_panel, cut, (size_t)c.h, &ferr) && state)
				type->global->free(state);
			serving = 0;
			/* the fit's time, for rank 0's leaderboard (settle) */
			double dt = process_cpu() - t0;
			own_fit_seconds += dt;
			if (MPI_Reduce(&dt, NULL, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
				rc = FC_EIO;
		}
		free(params);
		free(cut);
		if (rc)
			break;
	}
	share_panel = NULL;
	share_rank_of = NULL;
	return rc ? fc_err_set(err, rc, "the MPI broadcast failed") : 0;
}

const fc_gbdt_comm *fc_dist_fit_begin(const fc_model_type *type, const void *params,
                                      const fc_panel *p, const size_t *cut, size_t h,
                                      const size_t **rank_of)
{
	if (!share_panel || p != share_panel || fc_dist_size() < 2)
		return NULL;
	if (fc_dist_rank() == 0) {
		command c;
		memset(&c, 0, sizeof c);
		c.op = CMD_FIT;
		if (strlen(type->name) >= sizeof c.kind)
			return NULL;
		strcpy(c.kind, type->name);
		c.params_size = type->params_size;
		c.h = h;
		c.n_series = p->n_series;
		settle(); /* a fit whose report was not taken yet */
		double t0 = process_cpu();
		if (bcast_bytes(&c, sizeof c, 0) || bcast_bytes((void *)params, type->params_size, 0) ||
		    bcast_bytes((void *)cut, p->n_series * sizeof *cut, 0))
			return NULL;
		fit_open = 1;
		fit_t0 = t0;
	} else if (!serving) {
		return NULL;
	}
	*rank_of = share_rank_of;
	return &world;
}

#else /* one rank of one */

void fc_dist_share_begin(const fc_panel *p, const size_t *rank_of)
{
	(void)p;
	(void)rank_of;
}

double fc_dist_served_seconds(void)
{
	return 0;
}

double fc_dist_fit_seconds(void)
{
	return 0;
}

void fc_dist_share_end(void)
{
}

int fc_dist_serve(fc_err *err)
{
	(void)err;
	return 0;
}

const fc_gbdt_comm *fc_dist_fit_begin(const fc_model_type *type, const void *params,
                                      const fc_panel *p, const size_t *cut, size_t h,
                                      const size_t **rank_of)
{
	(void)type;
	(void)params;
	(void)p;
	(void)cut;
	(void)h;
	(void)rank_of;
	return NULL;
}


int fc_dist_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fc_dist_finalize(void)
{
}

size_t fc_dist_rank(void)
{
	return 0;
}

size_t fc_dist_size(void)
{
	return 1;
}

int fc_dist_agree(int rc)
{
	return rc;
}

int fc_dist_gather(const fc_buf *mine, char ***parts, size_t **lens, fc_err *err)
{
	*parts = calloc(1, sizeof **parts);
	*lens = calloc(1, sizeof **lens);
	if (*parts && *lens && ((*parts)[0] = malloc(mine->len ? mine->len : 1))) {
		memcpy((*parts)[0], mine->data, mine->len);
		(*lens)[0] = mine->len;
		return 0;
	}
	free(*parts);
	free(*lens);
	*parts = NULL;
	*lens = NULL;
	return fc_err_set(err, FC_ENOMEM, "out of memory");
}

#endif
