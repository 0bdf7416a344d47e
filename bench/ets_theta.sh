#!/usr/bin/env bash
# ETS and Theta side by side with R: accuracy (sMAPE, MASE) and speed of our
# `ets` and `theta` kinds against R's forecast::ets() and forecast::thetaf()
# on the same series in one run, and how often the two agree.
#
#   bash bench/ets_theta.sh [DATASET ...]     (default: m3_monthly)
#
# DATASET  series  h   period  MASE scale
# m3_monthly 1428  18  12      seasonal naive, m = 12
# m4_weekly   359  13  52      naive (m = 1, as M4 scores weekly data)
# m4_hourly   414  48  24      seasonal naive, m = 24  (R's ets takes ~1 h)
#
# Ours: bench/ets_theta_bench.c, compiled here against the library sources,
# fits every series with `ets` (automatic selection by AICc) and `theta`, at
# OMP_NUM_THREADS=1 (the per-series speed comparison) and with all CPUs.
# R: bench/ets_theta.R (ets(ts(y, frequency = period)), thetaf(...)), one
# process.  Both write the h-step means with 95% bounds; the scorer computes
# per-series sMAPE (M4: 200/h sum |y - f| / (|y| + |f|)) and MASE, averaged
# over series, 95% coverage, and the agreement of the two implementations.
#
# Reference for the metrics: Makridakis, Spiliotis & Assimakopoulos (2020),
# "The M4 Competition: 100,000 time series and 61 forecasting methods", IJF
# 36(1) 54-74, section 2.
#
# Data: $BENCH_DATA/<dataset>/{train,test}.csv (train.csv.gz for m4_weekly),
# read in place, never copied into the repository; a missing data set is
# skipped.  Needs gcc, GSL, Rscript with the forecast package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v Rscript > /dev/null || bench_die "Rscript not found (needs R and r-cran-forecast)"
BIN=$BENCH_TMP/ets_theta_bench
echo "building $BIN ..." >&2
gcc -std=gnu11 -O2 -fopenmp -I"$REPO_ROOT/include" -I"$REPO_ROOT/src" \
    "$REPO_ROOT"/src/core/*.c "$REPO_ROOT"/src/models/*.c "$REPO_ROOT"/src/models/*/*.c "$REPO_ROOT"/src/features/*.c "$BENCH_DIR/ets_theta_bench.c" \
    $(pkg-config --cflags --libs gsl) -lm -o "$BIN" || bench_die "build failed"

DATASETS=("$@")
[ ${#DATASETS[@]} -eq 0 ] && DATASETS=(m3_monthly)

score() {  # TRAIN TEST OURS R MASE_M -> prints markdown rows, JSON summary to $BENCH_TMP
    python3 - "$@" <<'EOF'
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

train, test = read_long(train_p), read_long(test_p)
ours, r = read_fc(ours_p), read_fc(r_p)

def f(x):
    try:
        return float(x)
    except ValueError:
        return math.nan

def metrics(y, x, fc, lo, hi):
    h = len(y)
    if any(math.isnan(v) for v in fc):
        return None
    smape = 200 / h * sum(abs(a - b) / (abs(a) + abs(b)) if abs(a) + abs(b) > 0 else 0
                          for a, b in zip(y, fc))
    k = m if len(x) > m else 1
    scale = sum(abs(x[t] - x[t - k]) for t in range(k, len(x))) / (len(x) - k)
    mase = sum(abs(a - b) for a, b in zip(y, fc)) / h / scale if scale > 0 else math.nan
    cover = sum(1 for a, l, u in zip(y, lo, hi) if l <= a <= u) / h
    return smape, mase, cover

res = {}
for who, src in (("ours", ours), ("R", r)):
    for meth in ("ets", "theta"):
        s = []
        for sid, y in test.items():
            rows = src.get(sid, [])[:len(y)]
            if len(rows) < len(y):
                continue
            v = metrics(y, train[sid], [f(q[meth]) for q in rows], [f(q[meth + "_lo95"]) for q in rows],
                        [f(q[meth + "_hi95"]) for q in rows])
            if v and not math.isnan(v[1]):
                s.append(v)
        res[(who, meth)] = (sum(a for a, _, _ in s) / len(s), sum(b for _, b, _ in s) / len(s),
                            100 * sum(c for _, _, c in s) / len(s), len(s))

same = n = 0
worst_ets = worst_theta = 0.0
worst_id = ""
diff_models = collections.Counter()
for sid in test:
    a, b = ours.get(sid), r.get(sid)
    if not a or not b:
        continue
    n += 1
    dt = max(abs(f(x["theta"]) - f(y["theta"])) / abs(f(y["theta"])) for x, y in zip(a, b))
    worst_theta = max(worst_theta, dt)
    if a[0]["ets_model"] == b[0]["ets_model"]:
        same += 1
        d = max(abs(f(x["ets"]) - f(y["ets"])) / abs(f(y["ets"])) for x, y in zip(a, b))
        if d > worst_ets:
            worst_ets, worst_id = d, sid
    else:
        diff_models[(b[0]["ets_model"], a[0]["ets_model"])] += 1

print("| method | implementation | sMAPE | MASE | 95% coverage | series scored |")
print("| --- | --- | --- | --- | --- | --- |")
for meth in ("ets", "theta"):
    for who in ("R", "ours"):
        s, ms, c, k = res[(who, meth)]
        print(f"| {meth} | {who} | {s:.3f} | {ms:.3f} | {c:.1f} | {k} |")
for meth in ("ets", "theta"):
    so, mo = res[("ours", meth)][:2]
    sr, mr = res[("R", meth)][:2]
    print(f"| {meth} | ours vs R | {100 * (so / sr - 1):+.2f}% | {100 * (mo / mr - 1):+.2f}% | | |")
print()
print(f"ETS: same model as R on {same} of {n} series ({100 * same / n:.1f}%); where the model is the same, "
      f"largest relative difference of a forecast mean {100 * worst_ets:.4f}% ({worst_id}).")
if diff_models:
    print("Different choices (R -> ours): " + ", ".join(f"{k[0]} -> {k[1]} x{v}" for k, v in diff_models.most_common()) + ".")
print(f"Theta: largest relative difference of a forecast mean {100 * worst_theta:.6f}%.")
EOF
}

result_begin ets_theta "ETS and Theta vs R's forecast::ets / thetaf"
result_row "R" "$(Rscript -e 'cat(R.version.string, "forecast", as.character(packageVersion("forecast")))' 2>/dev/null)"
result_row "ours" "\`bench/ets_theta_bench\` (gcc -O2, library sources at this commit)"
ran=0
for ds in "${DATASETS[@]}"; do
    case $ds in
        m3_monthly) H=18; P=12; MM=12 ;;
        m4_weekly) H=13; P=52; MM=1 ;;
        m4_hourly) H=48; P=24; MM=24 ;;
        *) bench_die "unknown data set '$ds' (m3_monthly, m4_weekly, m4_hourly)" ;;
    esac
    D=$BENCH_DATA/$ds
    TRAIN=$D/train.csv
    if [ ! -r "$TRAIN" ] && [ -r "$D/train.csv.gz" ]; then
        TRAIN=$BENCH_TMP/$ds.train.csv
        [ -s "$TRAIN" ] || gzip -dc "$D/train.csv.gz" > "$TRAIN"
    fi
    if [ ! -r "$TRAIN" ] || [ ! -r "$D/test.csv" ]; then
        echo "ets_theta: $ds skipped: no train/test under $D" >&2
        continue
    fi
    OURS=$BENCH_TMP/$ds.ets_theta.ours.csv
    RFC=$BENCH_TMP/$ds.ets_theta.R.csv
    echo "ours, 1 thread: $ds ..." >&2
    t1=$(OMP_NUM_THREADS=1 "$BIN" "$TRAIN" $H $P "$OURS" 2>"$BENCH_TMP/$ds.ours.err")
    echo "ours, all CPUs: $ds ..." >&2
    tn=$(env -u OMP_NUM_THREADS "$BIN" "$TRAIN" $H $P "$OURS.n" 2>/dev/null)
    cmp -s "$OURS" "$OURS.n" || bench_die "$ds: output differs between 1 and $(nproc) threads"
    echo "R: $ds (slow) ..." >&2
    tr=$(Rscript "$BENCH_DIR/ets_theta.R" "$TRAIN" $H $P "$RFC" 2>/dev/null | tail -1)
    get() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<< "$2"; }
    ns=$(get series "$t1")
    oe=$(get ets_seconds "$t1"); ot=$(get theta_seconds "$t1")
    oen=$(get ets_seconds "$tn"); otn=$(get theta_seconds "$tn")
    re=$(get ets_seconds "$tr"); rt=$(get theta_seconds "$tr")
    result_text "" "## $ds ($ns series, h = $H, period $P)" ""
    result_text "| | R (1 process) | ours, 1 thread | ours, $(nproc) threads | speed-up per series (1 thread) |"
    result_text "| --- | --- | --- | --- | --- |"
    result_text "| ets | $re s ($(calc "f'{1000*$re/$ns:.1f}'") ms/series) | $oe s ($(calc "f'{1000*$oe/$ns:.2f}'") ms/series) | $oen s | $(calc "f'{$re/$oe:.1f}'")x |"
    result_text "| theta | $rt s ($(calc "f'{1000*$rt/$ns:.2f}'") ms/series) | $ot s ($(calc "f'{1000*$ot/$ns:.3f}'") ms/series) | $otn s | $(calc "f'{$rt/$ot:.1f}'")x |"
    result_text "" "Accuracy on \`$D/test.csv\` (MASE scale: in-sample naive MAE at lag $MM):" ""
    result_text "$(score "$TRAIN" "$D/test.csv" "$OURS" "$RFC" $MM)"
    nerr=$(wc -l < "$BENCH_TMP/$ds.ours.err")
    [ "$nerr" -gt 0 ] && result_text "" "Our fits that failed: $nerr (see $BENCH_TMP/$ds.ours.err)."
    ran=1
done
[ $ran -eq 1 ] || { echo "ets_theta: skipped: no data set found under $BENCH_DATA"; exit 0; }
result_end
