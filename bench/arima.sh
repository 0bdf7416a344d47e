#!/usr/bin/env bash
# Auto-ARIMA side by side with R: speed and accuracy (sMAPE, MASE) of our
# `arima` kind against R's forecast::auto.arima() with its defaults, on the
# same series in one run, and how often the two choose the same order.
#
#   bash bench/arima.sh [DATASET[:LIMIT] ...]     (default: m3_monthly:100)
#
# DATASET    series  h   period  MASE scale
# m3_monthly  1428   18  12      seasonal naive, m = 12  (R: ~1-15 s/series)
# m4_hourly    414   48  24      seasonal naive, m = 24  (R: ~15-60 s/series)
# m4_hourly_168 414  48  168     seasonal naive, m = 24; the weekly period by
#                                Fourier terms: R fits auto.arima(y, xreg =
#                                fourier(y, K), seasonal = FALSE) for K = 1..10
#                                and keeps the lowest AICc, as our kind does
# LIMIT: only the first LIMIT series (R is slow; the full M4 Hourly takes R
# several hours on 2 cores).
#
# Ours: bench/arima_bench.c, compiled here against the library sources, at
# OMP_NUM_THREADS=1 (the per-series speed comparison) and with all CPUs
# (the output must be identical).  R: bench/arima.R, one process.  The
# scorer computes per-series sMAPE (200/h sum |y - f| / (|y| + |f|)) and
# MASE (Makridakis, Spiliotis & Assimakopoulos 2020, IJF 36(1), sec. 2),
# averaged over series, 95% coverage, and order agreement.
#
# Data: $BENCH_DATA/<dataset>/{train,test}.csv, read in place, never copied.
# Needs gcc, GSL, FFTW, libcsv, Rscript with the forecast package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v Rscript > /dev/null || bench_die "Rscript not found (needs R and r-cran-forecast)"
BIN=$BENCH_TMP/arima_bench
echo "building $BIN ..." >&2
gcc -std=gnu11 -O2 -fopenmp -I"$REPO_ROOT/include" -I"$REPO_ROOT/src" \
    "$REPO_ROOT"/src/core/*.c "$REPO_ROOT"/src/models/*.c "$REPO_ROOT"/src/models/*/*.c "$REPO_ROOT"/src/features/*.c "$BENCH_DIR/arima_bench.c" \
    $(pkg-config --cflags --libs gsl fftw3) -lm -o "$BIN" || bench_die "build failed"

SPECS=("$@")
[ ${#SPECS[@]} -eq 0 ] && SPECS=(m3_monthly:100)

score() {  # TRAIN TEST OURS R MASE_M
    python3 - "$@" <<'PYEOF'
import csv, math, sys, collections
train_p, test_p, ours_p, r_p, m = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def read_long(p):
    d = collections.OrderedDict()
    for row in csv.DictReader(open(p)):
        d.setdefault(row["unique_id"], []).append(float(row["y"]))
    return d
def read_fc(p):
    d = collections.defaultdict(list)
    for row in csv.DictReader(open(p)):
        d[row["unique_id"]].append(row)
    return d
def f(x):
    try:
        return float(x)
    except ValueError:
        return math.nan
train, test = read_long(train_p), read_long(test_p)
ours, r = read_fc(ours_p), read_fc(r_p)
ids = [i for i in test if i in ours and i in r]
def metrics(y, x, fc, lo, hi):
    h = len(y)
    if any(math.isnan(v) for v in fc):
        return None
    smape = 200 / h * sum(abs(a - b) / (abs(a) + abs(b)) if abs(a) + abs(b) > 0 else 0 for a, b in zip(y, fc))
    k = m if len(x) > m else 1
    scale = sum(abs(x[t] - x[t - k]) for t in range(k, len(x))) / (len(x) - k)
    mase = sum(abs(a - b) for a, b in zip(y, fc)) / h / scale if scale > 0 else math.nan
    cover = sum(1 for a, l, u in zip(y, lo, hi) if l <= a <= u) / h
    return smape, mase, cover
res = {}
for who, src in (("R", r), ("ours", ours)):
    s = []
    for sid in ids:
        y = test[sid]
        rows = src[sid][:len(y)]
        v = metrics(y, train[sid], [f(q["arima"]) for q in rows], [f(q["arima_lo95"]) for q in rows],
                    [f(q["arima_hi95"]) for q in rows])
        if v and not math.isnan(v[1]):
            s.append(v)
    res[who] = (sum(a for a, _, _ in s) / len(s), sum(b for _, b, _ in s) / len(s),
                100 * sum(c for _, _, c in s) / len(s), len(s))
print("| implementation | sMAPE | MASE | 95% coverage | series scored |")
print("| --- | --- | --- | --- | --- |")
for who in ("R", "ours"):
    s, ms, c, k = res[who]
    print(f"| {who} | {s:.3f} | {ms:.3f} | {c:.1f} | {k} |")
print(f"| ours vs R | {100 * (res['ours'][0] / res['R'][0] - 1):+.2f}% | {100 * (res['ours'][1] / res['R'][1] - 1):+.2f}% | | |")
same = sum(1 for i in ids if ours[i][0]["arima_model"] == r[i][0]["arima_model"])
worst, wid = 0.0, ""
for i in ids:
    if ours[i][0]["arima_model"] != r[i][0]["arima_model"]:
        continue
    d = max(abs(f(a["arima"]) - f(b["arima"])) / max(abs(f(b["arima"])), 1e-12) for a, b in zip(ours[i], r[i]))
    if d > worst:
        worst, wid = d, i
print()
print(f"Same order (p,d,q)(P,D,Q) and constant as R on {same} of {len(ids)} series ({100 * same / len(ids):.1f}%); "
      f"where the same, largest relative difference of a forecast mean {100 * worst:.4f}% ({wid}).")
PYEOF
}

result_begin arima "Auto-ARIMA vs R's forecast::auto.arima"
result_row "R" "$(Rscript -e 'cat(R.version.string, "forecast", as.character(packageVersion("forecast")))' 2>/dev/null)"
result_row "ours" "\`bench/arima_bench\` (gcc -O2, library sources at this commit)"
ran=0
for spec in "${SPECS[@]}"; do
    ds=${spec%%:*}
    LIMIT=""
    [ "$spec" != "$ds" ] && LIMIT=${spec#*:}
    case $ds in
        m3_monthly) H=18; P=12; MM=12 ;;
        m4_hourly) H=48; P=24; MM=24 ;;
        m4_hourly_168) H=48; P=168; MM=24 ;;
        *) bench_die "unknown data set '$ds' (m3_monthly, m4_hourly, m4_hourly_168)" ;;
    esac
    D=$BENCH_DATA/${ds%_168}
    if [ ! -r "$D/train.csv" ] || [ ! -r "$D/test.csv" ]; then
        echo "arima: $ds skipped: no train/test under $D" >&2
        continue
    fi
    OURS=$BENCH_TMP/$ds.arima.ours.csv
    RFC=$BENCH_TMP/$ds.arima.R.csv
    echo "ours, 1 thread: $ds ${LIMIT:+(first $LIMIT series)} ..." >&2
    t1=$(OMP_NUM_THREADS=1 "$BIN" "$D/train.csv" $H $P "$OURS" $LIMIT 2>"$BENCH_TMP/$ds.arima.err")
    echo "ours, all CPUs: $ds ..." >&2
    tn=$(env -u OMP_NUM_THREADS "$BIN" "$D/train.csv" $H $P "$OURS.n" $LIMIT 2>/dev/null)
    cmp -s "$OURS" "$OURS.n" || bench_die "$ds: output differs between 1 and $(nproc) threads"
    echo "R: $ds (slow) ..." >&2
    tr=$(Rscript "$BENCH_DIR/arima.R" "$D/train.csv" $H $P "$RFC" $LIMIT 2>/dev/null | tail -1)
    get() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<< "$2"; }
    ns=$(get series "$t1")
    o1=$(get arima_seconds "$t1"); on=$(get arima_seconds "$tn"); rr=$(get arima_seconds "$tr")
    result_text "" "## $ds ($ns series${LIMIT:+, the first $LIMIT}, h = $H, period $P)" ""
    result_text "| R (1 process) | ours, 1 thread | ours, $(nproc) threads | speed-up per series (1 thread) |"
    result_text "| --- | --- | --- | --- |"
    result_text "| $rr s ($(calc "f'{1000*$rr/$ns:.0f}'") ms/series) | $o1 s ($(calc "f'{1000*$o1/$ns:.0f}'") ms/series) | $on s | $(calc "f'{$rr/$o1:.2f}'")x |"
    result_text "" "Accuracy on \`$D/test.csv\` (MASE scale: in-sample naive MAE at lag $MM):" ""
    result_text "$(score "$D/train.csv" "$D/test.csv" "$OURS" "$RFC" $MM)"
    nerr=$(wc -l < "$BENCH_TMP/$ds.arima.err")
    [ "$nerr" -gt 0 ] && result_text "" "Our fits that failed: $nerr (see $BENCH_TMP/$ds.arima.err)."
    ran=1
done
[ $ran -eq 1 ] || { echo "arima: skipped: no data set found under $BENCH_DATA"; exit 0; }
result_end
