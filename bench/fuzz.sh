#!/bin/sh
# Runs each libFuzzer target (fuzz/fuzz_*.c, built by fuzz/build.sh) for
# SECONDS seconds (default 60) from its seed corpus in fuzz/corpus/, and
# records executions, coverage and findings per target in
# bench/results/fuzz.md (FUZZ_REPORT overrides the path; "-" = no report).
# Findings (crash-*, leak-*, timeout-*, oom-* inputs) are left in
# build-fuzz/findings/.  Exit 1 when any target found something.
#   bench/fuzz.sh 300        five minutes per target
#   FUZZ_TARGETS="csv model" bench/fuzz.sh 60
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=${FUZZ_OUT:-$top/build-fuzz}
report=${FUZZ_REPORT:-$top/bench/results/fuzz.md}
sh "$top/fuzz/build.sh" "$out" || exit $?
targets=${FUZZ_TARGETS:-$(cd "$top/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
mkdir -p "$out/findings" "$out/corpus"
rows=""
total=0
found=0
start=$(date +%s)
for t in $targets; do
	corpus="$out/corpus/$t" # grows across runs; the seeds stay untouched
	mkdir -p "$corpus"
	log="$out/fuzz_$t.log"
	t0=$(date +%s)
	# single-threaded, inputs up to 16 kB, a 10 s hang limit, 2 GB of memory
	(cd "$out/findings" && OMP_NUM_THREADS=1 "$out/fuzz_$t" -max_total_time="$secs" -max_len=16384 \
		-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
		"$corpus" "$top/fuzz/corpus/$t" >"$log" 2>&1)
	rc=$?
	t1=$(date +%s)
	runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
	runs=${runs:-0}
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
	what="none"
	if [ "$rc" -ne 0 ]; then
		found=$((found + 1))
		what=$(grep -Eo 'ERROR: [A-Za-z]+: [a-z-]+[^(]*|runtime error: .*|ERROR: libFuzzer: [a-z-]+' "$log" | head -1 | tr '|' '/')
		what=${what:-"exit $rc"}
		echo "fuzz: $t: $what (log $log)" >&2
	fi
	total=$((total + runs))
	rows="$rows| $t | $((t1 - t0)) | $runs | ${cov:-?} | $what |
"
	echo "fuzz: $t: $runs executions in $((t1 - t0)) s, findings: $what" >&2
done
end=$(date +%s)
echo "fuzz: $total executions in $((end - start)) s, $found target(s) with findings" >&2
if [ "$report" != "-" ]; then
	mkdir -p "$(dirname "$report")"
	{
		echo "# Fuzzing (bench/fuzz.sh)"
		echo
		echo "Run $(date -u +%Y-%m-%d) on $(nproc) core(s) ($(uname -m)), $secs s per target, clang"
		echo "$(clang --version | head -1 | sed 's/^Debian //'), -fsanitize=fuzzer,address,undefined,"
		echo "OMP_NUM_THREADS=1, inputs up to 16 kB, from the seeds in fuzz/corpus/ plus what earlier runs"
		echo "kept in build-fuzz/corpus/.  Load: ${FUZZ_NOTE:-not recorded}."
		echo
		echo "| target | seconds | executions | coverage (edges) | findings |"
		echo "|---|---:|---:|---:|---|"
		printf '%s' "$rows"
		echo "| all | $((end - start)) | $total | | $found target(s) with findings |"
	} >"$report.new" && mv "$report.new" "$report"
fi
[ "$found" -eq 0 ]
