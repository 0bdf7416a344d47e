# Write samples/air_passengers.csv from R's datasets::AirPassengers.
#
# Source: Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (1976)
# "Time Series Analysis: Forecasting and Control", series G: monthly totals of
# international airline passengers (thousands), 1949-01 .. 1960-12 (144 values).
# Shipped with R's 'datasets' package (GPL).
#
# Usage (from the repository root):
#   Rscript samples/make_air_passengers.R [samples/air_passengers.csv]
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "samples/air_passengers.csv"

y <- datasets::AirPassengers
start <- stats::start(y)               # c(1949, 1)
stopifnot(stats::frequency(y) == 12, identical(as.numeric(start), c(1949, 1)),
          length(y) == 144)
i <- seq_along(y) - 1L
year <- start[1] + (start[2] - 1L + i) %/% 12L
month <- (start[2] - 1L + i) %% 12L + 1L
lines <- c("month,passengers",
           sprintf("%04d-%02d,%d", year, month, as.integer(round(as.numeric(y)))))
writeLines(lines, out)
