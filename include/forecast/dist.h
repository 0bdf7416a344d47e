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
 * single-process run's.  While rank 0 completes the run the other ranks
 * serve it (fc_dist_serve): each fit of the global gbdt is trained over
 * every rank, each making the training rows of its own series
 * (fc_gbdt_train_part). */
#ifndef FORECAST_DIST_H
#define FORECAST_DIST_H
#include <stddef.h>
#include "forecast/buf.h"
#include "forecast/error.h"
#include "forecast/gbdt.h"
#include "forecast/model.h"
#include "forecast/panel.h"

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

/* ---- the global model's fits over the ranks ----
 * Every rank calls fc_dist_share_begin with the panel it read (the same
 * on every rank) and the rank of each series (fc_shard_balance's; both
 * borrowed until the end).  Then rank 0 runs the selection, and the
 * others call fc_dist_serve, which returns when rank 0 calls
 * fc_dist_share_end (it must, on every path).  Meanwhile a global kind's
 * fit of that panel calls fc_dist_fit_begin: on rank 0 it sends the fit
 * (kind, parameters, cuts, horizon) to the serving ranks, which run the
 * same fit; on every rank it returns the collectives and this rank's
 * series (rank_of[i] == fc_dist_rank()).  Outside a share, or for another
 * panel, NULL: the fit is one process's.  Without MPI these do nothing. */
void fc_dist_share_begin(const fc_panel *p, const size_t *rank_of);
void fc_dist_share_end(void);
/* Rank 0: the CPU seconds the serving ranks have spent in the shared fits
 * so far (a running total; the difference around a fit is that fit's
 * share of the other ranks, which the leaderboard adds to rank 0's own
 * time: src/select/cv.c).  Takes the last fit's report, a collective step
 * the serving ranks make after each fit: call it on the main thread,
 * outside parallel regions.  0 on other ranks, outside a share, without
 * MPI. */
double fc_dist_served_seconds(void);
/* This process's CPU seconds inside the shared fits it sent (rank 0) or
 * served (other ranks); 0 without MPI.  For tests (FORECAST_DEBUG_ROWS). */
double fc_dist_fit_seconds(void);
int fc_dist_serve(fc_err *err);
const fc_gbdt_comm *fc_dist_fit_begin(const fc_model_type *type, const void *params,
                                      const fc_panel *p, const size_t *cut, size_t h,
                                      const size_t **rank_of);
#endif
