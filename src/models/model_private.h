/* Helpers shared by the model kinds; not part of the public interface. */
#ifndef FORECAST_MODEL_PRIVATE_H
#define FORECAST_MODEL_PRIVATE_H

/* Parses a parameter value that must be a non-negative decimal integer of
 * at most max (no sign, no spaces, nothing after it).  0 or -1. */
int fc_param_parse_count(const char *val, long max, long *out);

/* The information criteria the order searches (arima, ets) choose by,
 * and the name `--param K.ic=` takes for each: FC_IC_* for "aicc", "aic",
 * "bic", -1 for anything else. */
enum { FC_IC_AICC = 0, FC_IC_AIC = 1, FC_IC_BIC = 2 };
int fc_ic_parse(const char *s);

#endif
