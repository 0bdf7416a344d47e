/* Helpers shared by the model kinds; not part of the public interface. */
#ifndef FORECAST_MODEL_PRIVATE_H
#define FORECAST_MODEL_PRIVATE_H

/* Parses a parameter value that must be a non-negative decimal integer of
 * at most max (no sign, no spaces, nothing after it).  0 or -1. */
int fc_param_parse_count(const char *val, long max, long *out);

#endif
