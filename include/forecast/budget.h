/* A deterministic work budget for one candidate on one series.
 *
 * A wall-clock timeout would make the chosen model depend on the machine
 * and its load; this counts work instead.  Models spend units where their
 * time goes (one unit per observation visited by a likelihood, filter or
 * smoother pass), and a fit that has spent its budget stops: its
 * objective turns infinite, its optimizer ends, and the caller, which
 * asks fc_budget_exceeded, drops the candidate for that series.  The
 * same data and options spend the same units on any machine and at any
 * thread count.
 *
 * The budget is per thread (the selection engine runs one series at a
 * time on each thread), so models need no handle to it. */
#ifndef FORECAST_BUDGET_H
#define FORECAST_BUDGET_H

#include <stdint.h>

/* Units in one second of the user's --candidate-timeout: what the models
 * spend in a second on one core of the reference machine (a 2024 x86-64
 * server core; bench/results/defaults.md gives the measurement). */
#define FC_BUDGET_UNITS_PER_SECOND 150000000.0

/* Starts counting this thread's work against limit units (0: unlimited). */
void fc_budget_begin(uint64_t limit);
/* Starts counting again, `used` units already spent (a back-test that
 * scores one fold at a time carries its count from fold to fold). */
void fc_budget_resume(uint64_t limit, uint64_t used);
/* Stops counting; returns the units spent since fc_budget_begin. */
uint64_t fc_budget_end(void);
/* Adds units; nonzero once the limit is passed (then the caller should
 * stop: return an infinite objective or an error). */
int fc_budget_spend(uint64_t units);
/* Whether the limit has been passed since fc_budget_begin. */
int fc_budget_exceeded(void);

#endif
