# R side of bench/ets_theta.sh: fits forecast::ets() and forecast::thetaf()
# to every series of a long CSV (unique_id,ds,y,...) and writes their
# h-step forecasts with 95% bounds in the format of bench/ets_theta_bench.c.
#   Rscript bench/ets_theta.R TRAIN.csv H PERIOD OUT.csv
# Prints the wall time of each method.  A series on which R fails gets NA.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
train <- read.csv(args[1], colClasses = c(unique_id = "character"))
h <- as.integer(args[2])
period <- as.numeric(args[3])
ids <- unique(train$unique_id)
ys <- split(train$y, factor(train$unique_id, levels = ids))
na <- rep(NA_real_, h)
t0 <- proc.time()[["elapsed"]]
ets_out <- lapply(ys, function(y) {
  r <- tryCatch({
    fit <- ets(ts(y, frequency = period))
    f <- forecast(fit, h = h, level = 95)
    list(mean = as.numeric(f$mean), lo = as.numeric(f$lower), hi = as.numeric(f$upper),
         model = gsub("ETS|[(),]", "", fit$method))
  }, error = function(e) list(mean = na, lo = na, hi = na, model = "failed"))
  r
})
t1 <- proc.time()[["elapsed"]]
theta_out <- lapply(ys, function(y) {
  tryCatch({
    f <- thetaf(ts(y, frequency = period), h = h, level = 95)
    list(mean = as.numeric(f$mean), lo = as.numeric(f$lower), hi = as.numeric(f$upper))
  }, error = function(e) list(mean = na, lo = na, hi = na))
})
t2 <- proc.time()[["elapsed"]]
cat(sprintf("series=%d ets_seconds=%.3f theta_seconds=%.3f\n", length(ids), t1 - t0, t2 - t1))
out <- do.call(rbind, lapply(seq_along(ids), function(i) {
  e <- ets_out[[i]]; t <- theta_out[[i]]
  data.frame(unique_id = ids[i], step = seq_len(h),
             ets = sprintf("%.17g", e$mean), ets_lo95 = sprintf("%.17g", e$lo),
             ets_hi95 = sprintf("%.17g", e$hi), ets_model = e$model,
             theta = sprintf("%.17g", t$mean), theta_lo95 = sprintf("%.17g", t$lo),
             theta_hi95 = sprintf("%.17g", t$hi))
}))
write.csv(out, args[4], row.names = FALSE, quote = FALSE)
