#!/usr/bin/env bash
# Coverage (80/95) and MSIS of the plain command's prediction intervals,
# with the members' bounds averaged (the default) against the ensemble's own
# conformal bounds (--ensemble-intervals auto|conformal), and stacking
# beside them (bench/intervals.py).
#
#   bash bench/intervals.sh [DATASET ...]   (default: m3_yearly m3_quarterly m3_other)
#
# Writes bench/results/intervals.md.  A few seconds per set and mode on 2 cores.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_find_forecast
exec python3 "$BENCH_DIR/intervals.py" "$@"
