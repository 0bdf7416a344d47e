#!/usr/bin/env bash
# The plain command on every data set of $BENCH_DATA (../shared/data), beside
# seasonal naive and each main kind alone; wall time, peak memory, time per
# candidate and accuracy as each source scores it (bench/defaults.py).
#
#   bash bench/defaults.sh [--skip-kinds] [--kinds ets,arima] [DATASET ...]
#
# DATASET: m4_hourly m4_weekly m3_yearly m3_quarterly m3_monthly m3_other
# walmart favorita ett_h1 (default: all present).  Writes
# bench/results/defaults.md.  Takes about 40 minutes on 2 cores.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_find_forecast
exec python3 "$BENCH_DIR/defaults.py" "$@"
