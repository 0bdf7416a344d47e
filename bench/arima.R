# R side of bench/arima.sh: fits forecast::auto.arima() (defaults) to every
# series of a long CSV (unique_id,ds,y,...) and writes h-step forecasts with
# 95% bounds in the format of bench/arima_bench.c.
#   Rscript bench/arima.R TRAIN.csv H PERIOD OUT.csv [LIMIT]
# Prints the wall time.  A series on which R fails gets NA.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
train <- read.csv(args[1], colClasses = c(unique_id = "character"))
h <- as.integer(args[2])
period <- as.numeric(args[3])
ids <- unique(train$unique_id)
if (length(args) > 4) ids <- head(ids, as.integer(args[5]))
ys <- split(train$y, factor(train$unique_id, levels = unique(train$unique_id)))[ids]
na <- rep(NA_real_, h)
t0 <- proc.time()[["elapsed"]]
out <- lapply(ys, function(y) {
  tryCatch({
    yy <- ts(y, frequency = period)
    if (period > 24) {
      # long period: Fourier terms with ARIMA errors, K by AICc
      fit <- NULL
      for (K in seq_len(min(10, floor(period / 2)))) {
        fk <- tryCatch(auto.arima(yy, xreg = fourier(yy, K = K), seasonal = FALSE),
                       error = function(e) NULL)
        if (!is.null(fk) && (is.null(fit) || fk$aicc < fit$aicc)) {
          fit <- fk
          bestK <- K
        }
      }
      f <- forecast(fit, xreg = fourier(yy, K = bestK, h = h), level = 95)
    } else {
      fit <- auto.arima(yy)
      f <- forecast(fit, h = h, level = 95)
    }
    o <- arimaorder(fit)
    if (length(o) == 3) o <- c(o, 0, 0, 0)
    cst <- any(c("intercept", "drift") %in% names(coef(fit)))
    list(mean = as.numeric(f$mean), lo = as.numeric(f$lower), hi = as.numeric(f$upper),
         model = sprintf("(%d;%d;%d)(%d;%d;%d)%s", o[1], o[2], o[3], o[4], o[5], o[6], if (cst) "c" else ""))
  }, error = function(e) list(mean = na, lo = na, hi = na, model = "failed"))
})
t1 <- proc.time()[["elapsed"]]
cat(sprintf("series=%d arima_seconds=%.3f\n", length(ids), t1 - t0))
res <- do.call(rbind, lapply(seq_along(ids), function(i) {
  e <- out[[i]]
  data.frame(unique_id = ids[i], step = seq_len(h), arima = sprintf("%.17g", e$mean),
             arima_lo95 = sprintf("%.17g", e$lo), arima_hi95 = sprintf("%.17g", e$hi),
             arima_model = e$model)
}))
write.csv(res, args[4], row.names = FALSE, quote = FALSE)
