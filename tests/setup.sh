# Shared helpers for the CLI tests.  Each test script sources this file,
# runs cases with `check NAME COMMAND...` style helpers, and ends with
# `finish`.  Every case prints "ok - NAME" or "not ok - NAME"; the script
# fails when any case failed.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
FORECAST="$top_builddir/forecast"
SAMPLES="$top_srcdir/samples"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/forecast-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C
# a registry of the user's must not receive the tests' runs
unset FORECAST_REGISTRY
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	shift
	for line in "$@"; do echo "#   $line"; done
}

# expect_error NAME EXIT_CODE PATTERN -- forecast ARGS...
# Runs forecast in a fresh directory holding only the files named in
# $INPUTS, and checks the exit code, that stderr matches PATTERN (grep -E),
# and that no file other than the inputs is left behind.
expect_error() {
	local name=$1 code=$2 pattern=$3
	shift 4
	local dir="$TMP/case.$passed.$failed"
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in ${INPUTS:-}; do cp "$TMP/$f" "$dir/"; done
	local before after rc
	before=$(cd "$dir" && ls -A | sort)
	(cd "$dir" && "$FORECAST" "$@" >"$TMP/out" 2>"$TMP/err")
	rc=$?
	after=$(cd "$dir" && ls -A | sort)
	if [ "$rc" -ne "$code" ]; then
		not_ok "$name" "exit code $rc, expected $code" "stderr: $(head -c 400 "$TMP/err")"
	elif ! grep -Eq -- "$pattern" "$TMP/err"; then
		not_ok "$name" "stderr does not match: $pattern" "stderr: $(head -c 400 "$TMP/err")"
	elif [ "$before" != "$after" ]; then
		not_ok "$name" "files left behind: $(echo "$after" | tr '\n' ' ')"
	elif [ "$(grep -c 'forecast: error' "$TMP/err")" -ne 1 ]; then
		not_ok "$name" "expected exactly one error line" "stderr: $(head -c 400 "$TMP/err")"
	else
		ok "$name"
	fi
}

# assert NAME CONDITION-COMMAND... : ok when the command succeeds.
assert() {
	local name=$1
	shift
	if "$@" >"$TMP/assert.out" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "failed: $*" "$(head -c 400 "$TMP/assert.out")"
	fi
}

# lb_cmp A B: the leaderboard CSVs A and B are the same bytes but for
# their last column, seconds (measured CPU time, the one column that differs
# from run to run).  It is never quoted, so the last comma of a line ends
# the other columns (a quoted params field may hold commas of its own);
# both headers must end with it, so that nothing else is cut off.
lb_strip() { # A B: both without their seconds, in $TMP/lb_cmp.1 and .2
	head -1 "$1" | grep -q ',seconds$' && head -1 "$2" | grep -q ',seconds$' &&
		sed 's/,[^,]*$//' "$1" >"$TMP/lb_cmp.1" && sed 's/,[^,]*$//' "$2" >"$TMP/lb_cmp.2"
}
lb_cmp() { lb_strip "$1" "$2" && cmp "$TMP/lb_cmp.1" "$TMP/lb_cmp.2"; }

# lb_differ A B: they differ in more than their seconds.
lb_differ() { lb_strip "$1" "$2" && ! cmp -s "$TMP/lb_cmp.1" "$TMP/lb_cmp.2"; }

# k8s_command MANIFEST PATTERN: the command of a Kubernetes manifest's
# container (its line holding PATTERN), the /data volume at $TMP/k8s.
k8s_command() { grep -- "$2" "$1" | sed "s/^ *- //; s#/data#$TMP/k8s#g"; }

# k8s_indexed N CMD LOG: CMD once for each completion index 0..N-1, all at
# once, as an Indexed Job runs them, with JOB_COMPLETION_INDEX set; a line
# "index K failed" in LOG for each that fails.
k8s_indexed() {
	k=0
	while [ "$k" -lt "$1" ]; do
		(JOB_COMPLETION_INDEX=$k; export JOB_COMPLETION_INDEX
		 eval "$2" || echo "index $k failed") >>"$3" 2>&1 &
		k=$((k + 1))
	done
	wait
}

# lb_seconds_ok A: every row of leaderboard CSV A ends with its seconds, a
# non-negative number with 3 decimals.
lb_seconds_ok() {
	head -1 "$1" | grep -q ',seconds$' &&
		awk 'NR > 1 { n++; if ($0 !~ /,[0-9]+\.[0-9][0-9][0-9]$/) bad = 1 } END { exit bad || !n }' "$1"
}

# lb_seconds A MODEL: the seconds of MODEL's row in leaderboard CSV A.
lb_seconds() { awk -F, -v m="$2" 'NR > 1 && $1 == m { print $NF }' "$1"; }

# store_panel DAYS SWING [EXTRA]: a small daily panel (store,date,sales)
# from 2024-01-01 for the registry and retrain tests: store a swings
# weekly by 3 a weekday, by SWING from day 60 on (3: no change); b grows
# by 1 a day, and from day 60 jumps to 160 and grows by 5; EXTRA, a store
# added later, is flat.
store_panel() {
	echo "store,date,sales"
	for s in a b ${3:-}; do
		for d in $(seq 0 $(($1 - 1))); do
			day=$(date -u -d "2024-01-01 + $d day" +%Y-%m-%d)
			case $s in
			a) if [ $d -lt 60 ]; then v=$(( (d % 7) * 3 + 10 + d % 3 )); else v=$(( (d % 7) * $2 + 10 + d % 3 )); fi ;;
			b) if [ $d -lt 60 ]; then v=$(( 100 + d + d % 4 )); else v=$(( 160 + 5 * (d - 60) + d % 4 )); fi ;;
			*) v=$(( 50 + d % 5 )) ;;
			esac
			echo "$s,$day,$v"
		done
	done
}

finish() {
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
