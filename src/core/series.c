/* Small helpers on fc_series shared by models and selection. */
#include "forecast/series.h"

#include <math.h>

size_t fc_series_period(const fc_series *s)
{
	if (!s->n_seasons)
		return 1;
	double m = round(s->seasons[0]);
	return m >= 2 ? (size_t)m : 1;
}
