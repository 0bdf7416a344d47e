/* The per-thread work budget (include/forecast/budget.h). */
#include "forecast/budget.h"

static _Thread_local uint64_t budget_limit, budget_used;
static _Thread_local int budget_over;

void fc_budget_begin(uint64_t limit)
{
	budget_limit = limit;
	budget_used = 0;
	budget_over = 0;
}

void fc_budget_resume(uint64_t limit, uint64_t used)
{
	budget_limit = limit;
	budget_used = used;
	budget_over = limit && used > limit;
}

uint64_t fc_budget_end(void)
{
	uint64_t used = budget_used;
	budget_limit = 0;
	budget_used = 0;
	budget_over = 0;
	return used;
}

int fc_budget_spend(uint64_t units)
{
	budget_used += units;
	if (budget_limit && budget_used > budget_limit)
		budget_over = 1;
	return budget_over;
}

int fc_budget_exceeded(void)
{
	return budget_over;
}
