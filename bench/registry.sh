#!/usr/bin/env bash
# Registry overhead: `forecast fit` on 10,000 daily series x 730 days with
# and without `--name` (the registry's bookkeeping: data fingerprint, model
# file stored by hash, SQLite rows, run record), and `forecast retrain` on
# the same panel 14 days later.  Target (issue 13): the registry adds under
# 5% to the fit's time.  The candidates are the baselines (as bench/scale.sh)
# so that the runs take seconds; the bookkeeping does not depend on them, so
# the overhead ratio measured here is the larger one.
#
# retrain back-tests the challenger and re-scores the champion on the same
# folds, so it does about twice a fit's back-test by design; its ratio to
# the plain fit is reported beside, not as registry overhead.  With a global
# kind among MODELS (e.g. MODELS=naive,snaive,gbdt) that includes refitting
# each side's global models once per fold.
#
# Usage: bash bench/registry.sh   (RUNS=3 by default; best of the runs;
#        SERIES, DAYS and MODELS change the panel and the candidates)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_find_forecast

RUNS=${RUNS:-3}
SERIES=${SERIES:-10000}
DAYS=${DAYS:-730}
H=14
MODELS=${MODELS:-naive,snaive,drift,mean,window}
FULL=$BENCH_TMP/panel_${SERIES}x${DAYS}.csv
bench_make_panel "$FULL" "$SERIES" "$DAYS"
# the fit sees all but the last 14 days; retrain gets the whole panel
OLD=$BENCH_TMP/registry_old.csv
last=$(python3 - "$FULL" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f:
    r = csv.reader(f)
    i = next(r).index("date")
    print(max(row[i] for row in r))
PY
)
cut=$(date -d "$last - $H days" +%F)
awk -F, -v cut="$cut" 'NR == 1 || $3 <= cut' "$FULL" > "$OLD"
REG=$BENCH_TMP/registry.bench
json=$BENCH_TMP/registry.json

time_cmd() {  # LABEL CMD... -> best wall seconds on stdout
    local label=$1
    shift
    python3 "$BENCH_DIR/timecmd.py" --runs "$RUNS" --json "$json" -- "$@" > /dev/null \
        || bench_die "$label failed"
    json_get "$json" best_wall_s
}

common=(--horizon "$H" --folds 3 --models "$MODELS" --quiet)
plain=$(time_cmd fit "$FORECAST" fit "$OLD" "${common[@]}" -o "$BENCH_TMP/reg.fc.csv" \
    --model-out "$BENCH_TMP/reg.model")
# each run registers a new version in a fresh registry
named=$(time_cmd "fit --name" bash -c "rm -rf '$REG' && exec '$FORECAST' fit '$OLD' ${common[*]} \
    -o '$BENCH_TMP/reg.fc.csv' --model-out '$BENCH_TMP/reg.model' --name bench --registry '$REG'")
retrain=$(time_cmd retrain bash -c "rm -rf '$REG' && '$FORECAST' fit '$OLD' ${common[*]} \
    -o '$BENCH_TMP/reg.fc.csv' --model-out '$BENCH_TMP/reg.model' --name bench --registry '$REG' \
    && exec '$FORECAST' retrain '$FULL' --name bench --registry '$REG' --quiet -o '$BENCH_TMP/reg.rt.csv'")
# the retrain timing includes its fit; take the fit --name time back out
retrain_only=$(calc "$retrain - $named")
overhead=$(calc "f'{100 * ($named - $plain) / $plain:.1f}'")

result_begin registry "Registry overhead: \`fit --name\` and \`retrain\` on $(fmt_int $SERIES) daily series"
result_row input "$(fmt_int $SERIES) series; fit on $DAYS - $H days ($OLD), retrain on $DAYS ($FULL), from \`python3 bench/make_panel.py --series $SERIES --days $DAYS\`"
result_row command "\`forecast fit OLD --horizon $H --folds 3 --models $MODELS\` with and without \`--name bench --registry DIR\`; then \`forecast retrain FULL --name bench\`"
result_row runs "$RUNS (best of each reported)"
result_row "fit (no registry)" "$(calc "f'{$plain:.2f}'") s"
result_row "fit --name" "$(calc "f'{$named:.2f}'") s"
result_row "registry overhead in fit" "$overhead%"
result_row "retrain" "$(calc "f'{$retrain_only:.2f}'") s ($(calc "f'{$retrain_only / $plain:.2f}'")x the plain fit: challenger and champion back-tested on the same folds)"
result_row "target overhead < 5%" "$(calc "'met' if ($named - $plain) / $plain < 0.05 else 'NOT met'")"
result_end
