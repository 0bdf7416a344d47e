#!/usr/bin/env bash
# STL and MSTL on 10,000 generated daily series x 3 years (1,095 values):
# wall time on this machine's cores (target: under 10 s for MSTL(7, 365.25)),
# one-thread time, and R's stats::stl / forecast::mstl on the first 100 of the
# same series in the same run, for a per-series speed ratio and a check that
# the MSTL trends agree.
#
# Builds bench/stl_bench.c against the libforecast.a beside the forecast
# binary (FORECAST, default build/forecast).  R is optional: without Rscript
# and the forecast package, the R columns say so.
# Usage: bash bench/stl.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_find_forecast
BUILD=$(dirname "$FORECAST")
[ -f "$BUILD/libforecast.a" ] || bench_die "no libforecast.a beside $FORECAST"

SERIES=${SERIES:-10000}
LENGTH=${LENGTH:-1095}
K=${K:-100}
BIN=$BENCH_TMP/stl_bench
SUBSET=$BENCH_TMP/stl_subset.csv
TRENDS=$BENCH_TMP/stl_trends.csv
# shellcheck disable=SC2046
gcc -std=gnu11 -O2 -fopenmp -I"$REPO_ROOT/include" "$BENCH_DIR/stl_bench.c" "$BUILD/libforecast.a" \
    $(pkg-config --libs gsl fftw3) -lcsv -lm -o "$BIN"

"$BIN" "$SERIES" "$LENGTH" "$SUBSET" "$K" "$TRENDS" > "$BENCH_TMP/stl.all.txt"
OMP_NUM_THREADS=1 "$BIN" "$SERIES" "$LENGTH" "$SUBSET" "$K" > "$BENCH_TMP/stl.one.txt"
get() { grep "^$2=" "$1" | cut -d= -f2; }
all=$BENCH_TMP/stl.all.txt one=$BENCH_TMP/stl.one.txt

r_note="not run (Rscript with the forecast package not found)"
if command -v Rscript >/dev/null && Rscript -e 'library(forecast)' >/dev/null 2>&1; then
    Rscript "$BENCH_DIR/stl.R" "$SUBSET" "$TRENDS" > "$BENCH_TMP/stl.r.txt"
    r=$BENCH_TMP/stl.r.txt
    r_stl=$(get "$r" r_stl_seconds_per_series)
    r_mstl=$(get "$r" r_mstl_seconds_per_series)
    ours_stl=$(calc "$(get "$one" stl_seconds) / $SERIES")
    ours_mstl=$(calc "$(get "$one" mstl_seconds) / $SERIES")
    r_note="R $(get "$r" r_version), forecast $(get "$r" forecast_version), first $K series"
fi

result_begin stl "STL / MSTL on $(fmt_int "$SERIES") daily series x $LENGTH values"
result_row command "\`bash bench/stl.sh\` (driver bench/stl_bench.c, R side bench/stl.R)"
result_row "threads (all cores)" "$(get "$all" threads)"
result_row "STL period 7, s.window 11: wall, all cores" "$(get "$all" stl_seconds) s"
result_row "MSTL periods 7, 365.25 (R defaults): wall, all cores" "$(get "$all" mstl_seconds) s"
result_row "target: MSTL under 10 s on 2 cores" "$(calc "'met' if $(get "$all" mstl_seconds) < 10 else 'NOT met'")"
result_row "STL / MSTL: wall, one thread" "$(get "$one" stl_seconds) s / $(get "$one" mstl_seconds) s"
result_row "R reference" "$r_note"
if [ -n "${r_stl:-}" ]; then
    result_row "seconds per series, ours (1 thread) vs R: STL" "$(calc "f'{$ours_stl:.2e} vs {$r_stl:.2e}: R/ours = {$r_stl / $ours_stl:.1f}'")"
    result_row "seconds per series, ours (1 thread) vs R: MSTL" "$(calc "f'{$ours_mstl:.2e} vs {$r_mstl:.2e}: R/ours = {$r_mstl / $ours_mstl:.1f}'")"
    result_row "MSTL trend, largest difference from R over $K series" "$(get "$r" mstl_trend_max_abs_diff)"
fi
result_end
