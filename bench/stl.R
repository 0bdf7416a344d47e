# R side of bench/stl.sh: decomposes the same series with stats::stl and
# forecast::mstl, reporting seconds per series and the largest difference of
# the MSTL trend from ours.
# Usage: Rscript bench/stl.R SUBSET_CSV OUR_TRENDS_CSV
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
ys <- as.matrix(read.csv(args[1], header = FALSE))
ours <- as.matrix(read.csv(args[2], header = FALSE))
k <- nrow(ys)
t_stl <- system.time(for (i in seq_len(k)) stl(ts(ys[i, ], frequency = 7), s.window = 11))[["elapsed"]]
maxdiff <- 0
t_mstl <- system.time(for (i in seq_len(k)) {
  d <- mstl(msts(ys[i, ], seasonal.periods = c(7, 365.25)))
  maxdiff <- max(maxdiff, abs(as.numeric(d[, "Trend"]) - ours[i, ]))
})[["elapsed"]]
cat(sprintf("r_series=%d\nr_stl_seconds_per_series=%.6f\nr_mstl_seconds_per_series=%.6f\nmstl_trend_max_abs_diff=%.3g\nr_version=%s\nforecast_version=%s\n",
            k, t_stl / k, t_mstl / k, maxdiff, getRversion(), packageVersion("forecast")))
