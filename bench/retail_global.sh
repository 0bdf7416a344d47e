#!/usr/bin/env bash
# The plain command and the global gbdt model end to end on real retail
# panels: the Walmart store x department weekly panel (2,660 series, 39
# held-out weeks) and the Favorita store transactions (54 stores daily, 16
# held-out days), from ../shared/data, read in place and never copied into
# the repository.
#
#   bash bench/retail_global.sh [walmart] [favorita]
#
# For each panel, `forecast fit` on the training file:
#   plain        the headline: `forecast fit TRAIN --horizon H`, nothing else
#   plain gbdt   the same with --models gbdt (the global model alone)
#   plain snaive the same with --models snaive
# then tuned rows, with flags a newcomer would not know (--folds, --country,
# --known-future, --lags ... as listed in the table):
#   statistical  per-series selection among naive, snaive, drift, mean,
#                window, ets, theta, otm, dotm, stl
#   gbdt         the global model alone (recursive), with holidays of the
#                country and the panel's known-future holiday flag if any
#   gbdt_direct  the same with --strategy direct (one model per step)
#   all          every default candidate with the gbdt flags above
# and scores the forecasts on the held-out data: WAPE (sum |y - f| / sum |y|
# over all series and steps) and MASE (per series, scaled by the in-sample
# seasonal-naive MAE at lag m, averaged over series), with wall time.
#   xgboost      xgboost on the design matrix `forecast features` builds
#                (bench/retail_xgb.py; needs python3-xgboost)
# bench/defaults.sh scores the plain command beside every default kind alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_find_forecast

SETS=("$@")
[ ${#SETS[@]} -eq 0 ] && SETS=(walmart favorita)

score() {  # TRAIN TEST FORECAST M ID...
    python3 - "$@" <<'PY'
import csv, math, sys, collections
train_p, test_p, fc_p, m = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def load(p, col):
    d = collections.defaultdict(dict)
    for r in csv.DictReader(open(p)):
        d[r["unique_id"]][r["ds"]] = float(r[col])
    return d
train = collections.defaultdict(list)
for r in csv.DictReader(open(train_p)):
    train[r["unique_id"]].append(float(r["y"]))
test = load(test_p, "y")
fc = load(fc_p, "forecast")
abs_err = abs_y = 0.0
mases = []
missing = 0
for uid, ys in test.items():
    f = fc.get(uid, {})
    x = train[uid]
    scale = sum(abs(x[t] - x[t - m]) for t in range(m, len(x))) / max(1, len(x) - m)
    errs = []
    for ds, y in ys.items():
        if ds not in f:
            missing += 1
            continue
        errs.append(abs(y - f[ds]))
        abs_err += abs(y - f[ds])
        abs_y += abs(y)
    if errs and scale > 0:
        mases.append(sum(errs) / len(errs) / scale)
print(f"{100 * abs_err / abs_y:.3f} {sum(mases) / len(mases):.4f} {missing}")
PY
}

result_begin retail_global "The plain command and the global gbdt model on the Walmart and Favorita panels"
for ds in "${SETS[@]}"; do
    case $ds in
        walmart)
            D=$BENCH_DATA/walmart_store_dept; H=39; M=52
            [ -r "$D/train.csv.gz" ] || { echo "retail_global: walmart skipped: no $D" >&2; continue; }
            TRAIN=$BENCH_TMP/walmart_train.csv; gzip -dc "$D/train.csv.gz" > "$TRAIN"; TEST=$D/test.csv
            PLAIN_TRAIN=$TRAIN
            COMMON=(--horizon $H --folds 1 --keep-seasons --group unique_id)
            GB=(--country US --known-future is_holiday --lags 1-8,13,26,52 --windows 4,13 --agg mean,std)
            XGB=(--group unique_id --country US --known-future is_holiday --shift $H --lags $H-52 --windows 4,13 --agg mean,std)
            ALL=$BENCH_TMP/walmart_all.csv; { cat "$TRAIN"; tail -n +2 "$TEST"; } > "$ALL"
            ;;
        favorita)
            D=$BENCH_DATA/favorita_transactions; H=16; M=7
            [ -r "$D/train.csv" ] || { echo "retail_global: favorita skipped: no $D" >&2; continue; }
            TRAIN=$BENCH_TMP/favorita_train.csv; cut -d, -f1-3 "$D/train.csv" > "$TRAIN"; TEST=$D/test.csv
            PLAIN_TRAIN=$D/train.csv
            COMMON=(--horizon $H --folds 3 --group unique_id --fill linear)
            GB=(--country EC --lags 1-14,21,28,364 --windows 7,28 --agg mean,std,max)
            XGB=(--group unique_id --fill linear --country EC --shift $H --lags $H-30,364 --windows 7,28 --agg mean,std,max)
            ALL=$BENCH_TMP/favorita_all.csv; { cat "$TRAIN"; tail -n +2 "$TEST" | cut -d, -f1-3; } > "$ALL"
            ;;
        *) bench_die "unknown data set '$ds' (walmart, favorita)" ;;
    esac
    result_text "" "## $ds ($(awk -F, 'NR > 1 { s[$1] = 1 } END { print length(s) }' "$TEST") series, h = $H, MASE lag $M)" ""
    result_text "| run | flags after \`forecast fit TRAIN\` | WAPE % | MASE | wall s | models chosen |" "| --- | --- | --- | --- | --- | --- |"
    for run in plain plain_gbdt plain_snaive statistical gbdt gbdt_direct all; do
        IN=$TRAIN; ARGS=("${COMMON[@]}")
        case $run in
            plain) IN=$PLAIN_TRAIN; ARGS=(--horizon $H); MODELS=() ;;
            plain_gbdt) IN=$PLAIN_TRAIN; ARGS=(--horizon $H); MODELS=(--models gbdt) ;;
            plain_snaive) IN=$PLAIN_TRAIN; ARGS=(--horizon $H); MODELS=(--models snaive) ;;
            statistical) MODELS=(--models naive,snaive,drift,mean,window,ets,theta,otm,dotm,stl) ;;
            gbdt) MODELS=(--models gbdt "${GB[@]}") ;;
            gbdt_direct) MODELS=(--models gbdt --strategy direct "${GB[@]}") ;;
            all) MODELS=("${GB[@]}") ;;
        esac
        case $run in plain*) label=${run//_/ } ;; *) label="tuned: $run" ;; esac
        [ "$run" = plain ] && label="**plain** (headline)"
        OUT=$BENCH_TMP/$ds.$run.csv
        echo "$ds: $run ..." >&2
        t0=$(date +%s.%N)
        "$FORECAST" fit "$IN" "${ARGS[@]}" "${MODELS[@]}" -q -o "$OUT" --model-out "$OUT.model" \
            || bench_die "$ds $run: forecast failed"
        t1=$(date +%s.%N)
        read -r wape mase missing <<< "$(score "$TRAIN" "$TEST" "$OUT" $M)"
        chosen=$(awk -F, 'NR > 1 { print $NF }' "$OUT" | sort | uniq -c | sort -rn | awk '{printf "%s%s %d", (NR>1?", ":""), $2, $1}')
        result_text "| $label | \`${ARGS[*]} ${MODELS[*]}\` | $wape | $mase | $(calc "f'{$t1 - $t0:.1f}'") | $chosen (forecast rows) |"
    done
    # xgboost on our features of train + test, every feature ending H or
    # more steps before its target, so the held-out rows read only the past
    if /usr/bin/python3 -c 'import xgboost, numpy' 2> /dev/null; then
        echo "$ds: xgboost ..." >&2
        t0=$(date +%s.%N)
        "$FORECAST" features "$ALL" "${XGB[@]}" -q -o "$BENCH_TMP/$ds.features.csv" || bench_die "$ds: features failed"
        START=$(awk -F, 'NR > 1 && (m == "" || $2 < m) { m = $2 } END { print m }' "$TEST")
        /usr/bin/python3 "$BENCH_DIR/retail_xgb.py" "$BENCH_TMP/$ds.features.csv" "$START" "$BENCH_TMP/$ds.xgb.csv"
        t1=$(date +%s.%N)
        read -r wape mase missing <<< "$(score "$TRAIN" "$TEST" "$BENCH_TMP/$ds.xgb.csv" $M)"
        result_text "| reference: xgboost, same features (direct, shift $H) | \`forecast features ${XGB[*]}\` | $wape | $mase | $(calc "f'{$t1 - $t0:.1f}'") | xgboost $(/usr/bin/python3 -c 'import xgboost; print(xgboost.__version__)') |"
    else
        result_text "| reference: xgboost | not run: python3-xgboost missing | | | | |"
    fi
done
result_text "" "The xgboost pipeline: \`forecast features\` on train + test with \`--shift H\` (lags >= H, windows ending H steps back: no held-out value can reach a held-out row), xgboost 100 trees, 31 leaves (lossguide), learning rate 0.1, 255 bins, trained on the training dates, predicting the held-out ones (bench/retail_xgb.py).  It is one direct model; our gbdt rows are the recursive strategy with lags from 1, so the comparison is of pipelines, not of learners (bench/gbdt.sh compares the learners on one matrix)."
result_end
