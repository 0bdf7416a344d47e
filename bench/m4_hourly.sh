#!/usr/bin/env bash
# M4 Hourly accuracy and cost: 414 hourly series, horizon 48, season 24.
#   run 1: seasonal naive only (--models snaive --folds 1): must reproduce the
#          published seasonal-naive figures, sMAPE 13.912 and MASE 1.193;
#   run 2: the plain command, `forecast fit train.csv --horizon 48 --season
#          24,168` (integer time steps: the periods must be given; output
#          flags aside, nothing else), as bench/defaults.py runs it.
# Each forecast is scored against test.csv by bench/score.py (M4 sMAPE, MASE with
# m = 24, OWA relative to Naive2: sMAPE 18.383, MASE 2.395).  Also reports wall
# time and peak RSS.
#
# Reference: Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020). The M4
# Competition: 100,000 time series and 61 forecasting methods. International
# Journal of Forecasting 36(1), 54-74, Table 4 (Hourly: Naive2 18.383 / 2.395,
# sNaive 13.912 / 1.193).
#
# Data: $BENCH_DATA/m4_hourly/{train,test}.csv (default ../shared/data relative to
# the repository root); never copied into the repository.  Skips (exit 0) if absent.
#
# Usage (from the build directory or with FORECAST set):  bash bench/m4_hourly.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

D=$BENCH_DATA/m4_hourly
if [ ! -r "$D/train.csv" ] || [ ! -r "$D/test.csv" ]; then
    echo "m4_hourly: skipped: $D/train.csv and test.csv not found (set BENCH_DATA to the data directory)"
    exit 0
fi
bench_find_forecast
D=$(cd "$D" && pwd)

NAIVE2_SMAPE=18.383
NAIVE2_MASE=2.395
PUB_SNAIVE_SMAPE=13.912
PUB_SNAIVE_MASE=1.193
H=48

F1=$BENCH_TMP/m4_hourly.snaive.csv
F2=$BENCH_TMP/m4_hourly.auto.csv
LB=$BENCH_TMP/m4_hourly.leaderboard.csv
rm -f "$F1" "$F2" "$LB" "$F1.model" "$F2.model"

run() {  # NAME OUTFILE ARGS...
    local name=$1; shift
    echo "timing: $FORECAST $*" >&2
    python3 "$BENCH_DIR/timecmd.py" --runs 1 --json "$BENCH_TMP/m4_hourly.$name.time.json" -- \
        "$FORECAST" "$@" > /dev/null || bench_die "forecast failed (see above)"
}
score() {  # NAME FORECASTFILE
    python3 "$BENCH_DIR/score.py" --train "$D/train.csv" --test "$D/test.csv" --forecast "$2" \
        --season 24 --naive2-smape "$NAIVE2_SMAPE" --naive2-mase "$NAIVE2_MASE" \
        --json "$BENCH_TMP/m4_hourly.$1.score.json" --allow-missing >&2
}

cmd1=(fit --horizon $H --season 24 --models snaive --folds 1 --quiet --output "$F1" --model-out "$F1.model" "$D/train.csv")
cmd2=(fit --horizon $H --season 24,168 --quiet --output "$F2" --leaderboard "$LB" --model-out "$F2.model" "$D/train.csv")
run snaive "${cmd1[@]}"
score snaive "$F1"
run auto "${cmd2[@]}"
score auto "$F2"

row() {  # NAME LABEL PUB_SMAPE PUB_MASE
    local t=$BENCH_TMP/m4_hourly.$1.time.json s=$BENCH_TMP/m4_hourly.$1.score.json
    local pub_owa="–"
    [ "$3" != "–" ] && pub_owa=$(calc "f'{0.5*($3/$NAIVE2_SMAPE + $4/$NAIVE2_MASE):.3f}'")
    printf '| %s | %s | %s | %s | %s | %s / %s / %s | %s | %s | %s | %s | %s |\n' \
        "$2" \
        "$(calc "f'{$(json_get "$s" smape):.3f}'")" \
        "$(calc "f'{$(json_get "$s" mase):.3f}'")" \
        "$(calc "f'{$(json_get "$s" owa):.3f}'")" \
        "$(python3 -c "import json;d=json.load(open('$s'));print(f\"{d['msis_95']:.3f}\" if d['msis_95'] is not None else '–')")" \
        "$3" "$4" "$pub_owa" \
        "$(json_get "$s" series_scored)/$(json_get "$s" series_in_test)" \
        "$(python3 -c "import json;c=json.load(open('$s'))['coverage'];print(' / '.join(str(c.get(k,'–')) for k in ('80','95')))")" \
        "$(calc "f'{$(json_get "$t" best_wall_s):.2f}'") s (CPU $(python3 -c "import json;print(f\"{json.load(open('$t'))['runs'][0]['cpu_s']:.1f}\")") s)" \
        "$(calc "f'{$(json_get "$t" max_rss_kib)/1024:.0f}'") MiB" \
        "$(python3 -c "import json;m=json.load(open('$s'))['models'];print(', '.join(f'{k} {v}' for k,v in m.items()))")"
}

result_begin m4_hourly "M4 Hourly (414 series, h = 48, m = 24)"
result_row data "\`$D\` (train.csv 353,500 rows, test.csv 19,872 rows)"
result_row "run 1" "\`forecast ${cmd1[*]}\`"
result_row "run 2" "\`forecast ${cmd2[*]}\`"
result_row scoring "\`python3 bench/score.py --train train.csv --test test.csv --forecast F --season 24\`: per-series M4 sMAPE and MASE (scale: in-sample seasonal-naive MAE, m = 24, whole train series), averaged over series; OWA vs Naive2 (sMAPE $NAIVE2_SMAPE, MASE $NAIVE2_MASE)"
result_text "" \
    "| run | sMAPE | MASE | OWA | MSIS 95 | published sMAPE / MASE / OWA | series | coverage 80 / 95 % | wall (CPU) | peak RSS | models chosen |" \
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
row snaive "1: snaive" "$PUB_SNAIVE_SMAPE" "$PUB_SNAIVE_MASE" >> "$RESULT_TMP"
row auto "2: the plain command" "–" "–" >> "$RESULT_TMP"
result_text "" \
    "Published figures: Makridakis, Spiliotis & Assimakopoulos (2020), *The M4 Competition: 100,000" \
    "time series and 61 forecasting methods*, International Journal of Forecasting 36(1), 54–74," \
    "Table 4, Hourly: Naive2 sMAPE 18.383, MASE 2.395 (OWA 1 by definition); seasonal naive" \
    "sMAPE 13.912, MASE 1.193. Run 1 should match the seasonal-naive row to the third decimal."
result_end
