/* Ensemble selection over the candidates' back-test forecasts.
 *
 * Greedy forward selection with replacement (Caruana, Niculescu-Mizil, Crew
 * & Ksikes 2004, "Ensemble selection from libraries of models", ICML): start
 * from the empty ensemble; in each of `rounds` rounds add the candidate
 * (again, if it is already in) whose addition gives the lowest loss of the
 * ensemble's forecast, the mean of its members' forecasts weighted by how
 * often each was picked; keep the ensemble of the round with the lowest
 * loss.  Ties go to the lower candidate index.
 *
 * The loss of a set of series is the mean over the series of the series'
 * loss, and a series' loss is the mean over its folds of the selection
 * metric of the ensemble's forecast on that fold.  On a series, only the
 * candidates allowed there (ok[c]) take part: the ensemble's forecast is
 * the weighted mean of those of its members, and a series where none of the
 * members is allowed counts with its own best allowed candidate's loss.
 *
 * Azure AutoML's default ensemble (its "VotingEnsemble") is this procedure
 * over the models of its sweep. */
#ifndef FORECAST_ENSEMBLE_H
#define FORECAST_ENSEMBLE_H

#include <stddef.h>
#include "forecast/error.h"
#include "forecast/metrics.h"

/* One series' back-test: n_folds folds of h steps compared. */
typedef struct fc_ens_series {
	size_t n_folds;
	const double *y;              /* n_folds x h actuals (NaN: not scored) */
	const fc_metric_scale *scale; /* per fold */
	const double *f;              /* candidate c's forecast of fold k at
	                               * f + (c * stride + fold[k]) * h */
	size_t stride;
	const size_t *fold;           /* n_folds indices */
	const unsigned char *ok;      /* n_candidates: c takes part here */
} fc_ens_series;

/* Selects weights[0..n_candidates) (summing to 1; 0 for candidates left
 * out) for the series s[0..n_series) by `rounds` rounds of greedy
 * selection with replacement under `metric`.  *loss (may be NULL) gets the
 * ensemble's loss and *single (may be NULL) that of the best single
 * candidate (the first round).  With no series that has a fold, or no
 * candidate allowed anywhere, the weights are all 0.  FC_EINVAL, FC_ENOMEM. */
int fc_ensemble_caruana(const fc_ens_series *s, size_t n_series, size_t n_candidates, size_t h,
                        fc_metric metric, size_t rounds, double *weights, double *loss,
                        double *single, fc_err *err);

#endif
