/* The MPI driver's collective steps (a build option: configure --with-mpi,
 * which defines HAVE_MPI).  Without MPI, or outside mpirun, the program is
 * one rank of one and these are trivial.
 *
 * Under `mpirun -n P forecast fit ...` every rank reads the data and plans
 * the same folds; rank r back-tests the local candidates on the series
 * fc_shard_balance gives it and encodes them as a part
 * (include/forecast/shard.h); rank 0 gathers the parts and completes the
 * run as `forecast merge` does (the global candidates fitted once, the
 * selection, the outputs), so that the result is byte for byte the
 * single-process run's. */
#ifndef FORECAST_DIST_H
#define FORECAST_DIST_H
#include <stddef.h>
#include "forecast/buf.h"
#include "forecast/error.h"

/* MPI_Init (with threads funnelled through the main thread, as OpenMP
 * needs) and MPI_Finalize; no-ops without MPI. */
int fc_dist_init(int *argc, char ***argv);
void fc_dist_finalize(void);
size_t fc_dist_rank(void);
size_t fc_dist_size(void);
/* Every rank's rc, agreed: the first nonzero one in rank order (0 when
 * all are 0), returned on every rank.  Collective. */
int fc_dist_agree(int rc);
/* Gathers every rank's bytes at rank 0: (*parts)[r] and (*lens)[r] for
 * r < fc_dist_size(), owned by the caller (free each, then both arrays);
 * other ranks get NULL.  A part over 2 GiB is FC_EINVAL.  Collective. */
int fc_dist_gather(const fc_buf *mine, char ***parts, size_t **lens, fc_err *err);
#endif
