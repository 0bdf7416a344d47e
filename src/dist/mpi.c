/* The MPI driver's collective steps (include/forecast/dist.h). */
#include "forecast/dist.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_MPI */
#endif

#ifdef HAVE_MPI
#include <mpi.h>

static int started; /* MPI_Init was called here */

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

#else /* one rank of one */

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
