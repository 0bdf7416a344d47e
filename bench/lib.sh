# Helpers sourced by the benchmark scripts (bash).  Not executable on its own.
#
# Environment:
#   FORECAST     path of the forecast binary (default ./forecast, then <repo>/forecast)
#   BENCH_TMP    scratch directory for generated inputs and outputs (default /tmp/forecast-bench)
#   BENCH_DATA   real data sets (default <repo>/../shared/data); never copied into the repo
#   RESULTS_DIR  where <name>.md results go (default <repo>/bench/results)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_TMP=${BENCH_TMP:-/tmp/forecast-bench}
BENCH_DATA=${BENCH_DATA:-$REPO_ROOT/../shared/data}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
mkdir -p "$BENCH_TMP" "$RESULTS_DIR"

bench_die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# Resolve $FORECAST to an absolute path of a working binary, or stop.
bench_find_forecast() {
    local f=${FORECAST:-./forecast}
    if [ ! -x "$f" ] && [ -z "${FORECAST:-}" ]; then
        for c in "$REPO_ROOT/build/forecast" "$REPO_ROOT/forecast"; do
            [ -x "$c" ] && { f=$c; break; }
        done
    fi
    [ -x "$f" ] || bench_die "no forecast binary at '$f': build it first (make forecast) and run" \
        "from the build directory, or set FORECAST=/path/to/forecast"
    FORECAST=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
    export FORECAST
}

bench_machine() {
    local model
    model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
    echo "nproc $(nproc), ${model:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)"
}

bench_commit() {
    local c
    c=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
    if ! git -C "$REPO_ROOT" diff --quiet HEAD -- 2>/dev/null; then
        c="$c (+ uncommitted changes)"
    fi
    echo "$c"
}

bench_threads() { echo "${OMP_NUM_THREADS:-unset (all $(nproc) CPUs)}"; }

# Generate a panel with make_panel.py unless it already exists (written to a
# temporary name first, so an interrupted run leaves no truncated input behind).
bench_make_panel() {  # FILE SERIES DAYS
    local file=$1 series=$2 days=$3
    if [ -s "$file" ]; then
        echo "using existing $file" >&2
        return 0
    fi
    echo "generating $file ($series series x $days days) ..." >&2
    python3 "$BENCH_DIR/make_panel.py" --series "$series" --days "$days" --out "$file.tmp.$$" \
        && mv "$file.tmp.$$" "$file" || { rm -f "$file.tmp.$$"; bench_die "make_panel.py failed"; }
}

# json_get FILE KEY [KEY...]: print a value from a JSON file (nested keys).
json_get() {
    python3 - "$@" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k] if not isinstance(v, list) else v[int(k)]
print(v if not isinstance(v, float) else f"{v:.6g}")
EOF
}

# calc EXPR: floating-point arithmetic / formatting via python.
calc() { python3 -c "print($1)"; }

# fmt_int N: 1234567 -> 1,234,567
fmt_int() { python3 -c "print(f'{int($1):,}')"; }

# Results file: result_begin NAME TITLE; result_row KEY VALUE ...; result_text TEXT; result_end
result_begin() {
    RESULT_FILE=$RESULTS_DIR/$1.md
    RESULT_TMP=$RESULT_FILE.tmp.$$
    {
        echo "# $2"
        echo
        echo "| | |"
        echo "| --- | --- |"
        echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
        echo "| machine | $(bench_machine) |"
        echo "| commit | $(bench_commit) |"
        echo "| OMP_NUM_THREADS | $(bench_threads) |"
    } > "$RESULT_TMP"
}
result_row() { echo "| $1 | $2 |" >> "$RESULT_TMP"; }
result_text() { printf '%s\n' "$@" >> "$RESULT_TMP"; }
result_end() {
    mv "$RESULT_TMP" "$RESULT_FILE"
    echo
    cat "$RESULT_FILE"
    echo
    echo "(written to ${RESULT_FILE#"$REPO_ROOT"/})"
}
