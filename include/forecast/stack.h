/* Stacking: a meta-learner fitted on the candidates' out-of-fold (back-test)
 * forecasts (Wolpert 1992, "Stacked generalization", Neural Networks 5(2);
 * Breiman 1996, "Stacked regressions", Machine Learning 24(1)).
 *
 * The meta-learner is an ElasticNet regression of the actuals on the
 * candidates' forecasts, solved by cyclic coordinate descent (Friedman,
 * Hastie & Tibshirani 2010, "Regularization paths for generalized linear
 * models via coordinate descent", JSS 33(1)), minimising
 *
 *   1/(2n) |y - X b|^2 + lambda (alpha |b|_1 + (1 - alpha)/2 |b|^2)
 *
 * with b >= 0 and no intercept.  Non-negative coefficients are Breiman's
 * choice: without them the combination of highly correlated forecasts
 * takes large weights of opposite sign that fit the back-test and not the
 * future.  No intercept: the rows come from series of different levels
 * (scaled by the caller), and a constant in scaled units would be a
 * different offset per series.  The columns are not standardised: they
 * are forecasts of the same quantity in the same units, so the penalty
 * treats every candidate alike.
 *
 * Because the penalty shrinks b towards zero, i.e. the combined forecast
 * towards zero, the weights used are b renormalised to sum to 1; the
 * penalty then decides only how the weight is spread (lasso part: over
 * few candidates; ridge part: evenly over correlated ones).  Every score
 * below is that of the renormalised weights.
 *
 * lambda is chosen by nested cross-validation over the back-test folds:
 * for each fold f (leave-one-fold-out), the path of lambdas is fitted on
 * the rows of the other folds and scored (mean squared error) on the rows
 * of fold f only; the lambda with the lowest mean held-out loss over the
 * folds wins (ties: the larger lambda), and is refitted on every row.  No
 * score of the choice comes from rows its fit saw.  The lambda grid is
 * glmnet's: lambda_max (the smallest lambda with b = 0, on all rows) down
 * to lambda_max * FC_STACK_LAMBDA_RATIO, log-spaced, then 0 (non-negative
 * least squares when alpha > 0 is irrelevant at lambda 0). */
#ifndef FORECAST_STACK_H
#define FORECAST_STACK_H

#include <stddef.h>
#include "forecast/error.h"

#define FC_STACK_ALPHA 0.5
#define FC_STACK_LAMBDAS 30 /* log-spaced values before lambda 0 */
#define FC_STACK_LAMBDA_RATIO 1e-4
#define FC_STACK_MAX_FOLDS 64

/* Minimises the objective above over b >= 0 for the rows X (n x p,
 * row-major) and y, by cyclic coordinate descent from the b given (a warm
 * start; all zeros for a cold one) until no coefficient moves by more than
 * 1e-10 times the largest (at most 100000 sweeps).  Returns the sweeps
 * made, or a negative FC_E* (FC_EINVAL for n or p of 0, a negative lambda,
 * alpha outside [0,1]; FC_ENOMEM); b is left as it was on failure. */
long fc_enet_nonneg(const double *X, const double *y, size_t n, size_t p, double lambda,
                    double alpha, double *b, fc_err *err);

/* What fc_stack_fit chose. */
typedef struct fc_stack_info {
	size_t n_folds;      /* folds with rows: the nested choice needs 2 */
	size_t n_lambda;     /* grid size (FC_STACK_LAMBDAS + 1) */
	double lambda;       /* chosen (NaN when no choice was made) */
	double loss;         /* its mean held-out loss */
	size_t chosen;       /* its index in the grid */
	/* the grid, and each lambda's mean held-out loss (+inf where a
	 * held-out fit had all-zero coefficients), when n_folds >= 2 */
	double lambdas[FC_STACK_LAMBDAS + 1];
	double cv_loss[FC_STACK_LAMBDAS + 1];
} fc_stack_info;

/* Stacked weights w[0..p) (>= 0, summing to 1) for rows X (n x p), y, each
 * row from back-test fold fold[r] (< FC_STACK_MAX_FOLDS; rows of one fold
 * of every series share a label), by the ElasticNet above with mixing
 * alpha and lambda chosen by leave-one-fold-out.  With fewer than two
 * folds holding rows, or when no lambda has a finite held-out loss (each
 * gave all-zero coefficients on some held-out fit), w is all zeros (the
 * caller falls back) and info->lambda is NaN.  info may be NULL.  FC_EINVAL, FC_ENOMEM. */
int fc_stack_fit(const double *X, const double *y, const size_t *fold, size_t n, size_t p,
                 double alpha, double *w, fc_stack_info *info, fc_err *err);

#endif
