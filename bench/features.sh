#!/usr/bin/env bash
# The feature pipeline at M5 size (issue 5): lags 1-28, 4 windows x 4
# aggregates, the calendar fields of daily data and US holidays with a
# window, for SERIES daily series x DAYS days generated in memory.  Target:
# under 20 s on 2 cores, with memory within 1.5x the float32 matrix.
#
#   bash bench/features.sh [SERIES [DAYS]]      (default 30000 1900, M5 size)
#
# Reports the build time (featurizer + design matrix; generation excluded),
# the matrix size and the peak resident memory of the whole process less
# what it held before the build (the generated series), at OMP_NUM_THREADS
# as set (default all CPUs), and once on one thread for the speed-up.
# Needs about 14 GiB free at the default size.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SERIES=${1:-30000}
DAYS=${2:-1900}
BIN=$BENCH_TMP/features_bench
echo "building $BIN ..." >&2
gcc -std=gnu11 -O2 -fopenmp -I"$REPO_ROOT/include" -I"$REPO_ROOT/src" \
    "$REPO_ROOT"/src/core/*.c "$REPO_ROOT"/src/features/features.c "$REPO_ROOT"/src/features/pivot.c \
    "$REPO_ROOT"/src/features/calendar.c "$BENCH_DIR/features_bench.c" \
    $(pkg-config --cflags --libs gsl) -lm -o "$BIN" \
    || bench_die "build failed"

run() {  # THREADS -> key=value lines
    env OMP_NUM_THREADS="$1" "$BIN" "$SERIES" "$DAYS" "$REPO_ROOT/calendars"
}
get() { sed -nE "s/.*(^| )$1=([^ ]+).*/\2/p" <<< "$2" | head -1; }

echo "all CPUs ..." >&2
out_n=$(run "$(nproc)")
echo "one thread ..." >&2
out_1=$(run 1)

result_begin features "Feature pipeline at M5 size (issue 5)"
result_row "series x days" "$SERIES x $DAYS (generated in memory; daily from 2011-01-29)"
result_row "features" "lags 1-28; windows 7,14,28,56 x mean,std,min,max; calendar (dow, dom, doy, week, month, quarter, year, weekend); US holidays with window -2,1"
result_row "rows x columns" "$(get rows "$out_n") x $(get cols "$out_n")"
result_row "float32 matrix" "$(calc "f'{$(get matrix_bytes "$out_n")/2**30:.2f}'") GiB"
result_row "build time, $(nproc) threads" "$(get build_seconds "$out_n") s (target: under 20 s)"
result_row "build time, 1 thread" "$(get build_seconds "$out_1") s"
result_row "peak memory growth / matrix" "$(get build_memory_ratio "$out_n") (target: at most 1.5)"
result_row "checksum (1 thread, $(nproc) threads)" "$(get checksum "$out_1"), $(get checksum "$out_n")"
result_end
