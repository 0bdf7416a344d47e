#!/bin/sh
# A bounded fuzz run for CI: builds the libFuzzer targets (fuzz/build.sh,
# clang, into build-fuzz/ under the build tree) and runs each for
# FUZZ_SMOKE_SECONDS (default 8) from its seed corpus, with a fixed seed so
# that a run is repeatable up to where the time cuts it; one case per target.
# Skips (exit 77) without clang.  The long runs are bench/fuzz.sh's.
. "$(dirname "$0")/setup.sh"
[ "${FUZZ_SMOKE_SECONDS:-8}" != 0 ] || { echo "# SKIP: FUZZ_SMOKE_SECONDS=0"; exit 77; }
command -v clang >/dev/null 2>&1 || { echo "# SKIP: no clang (Debian package clang)"; exit 77; }
out="$top_builddir/build-fuzz"
if ! sh "$top_srcdir/fuzz/build.sh" "$out" >"$TMP/build.log" 2>&1; then
	not_ok "fuzz targets build" "$(tail -n 5 "$TMP/build.log")"
	finish
	exit 1
fi
ok "fuzz targets build"
secs=${FUZZ_SMOKE_SECONDS:-8}
for t in $(cd "$top_srcdir/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//'); do
	mkdir -p "$TMP/$t"
	if (cd "$TMP" && OMP_NUM_THREADS=1 "$out/fuzz_$t" -seed=1 -max_total_time="$secs" -max_len=16384 \
		-timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=1024 "$TMP/$t" "$top_srcdir/fuzz/corpus/$t" \
		>"$TMP/$t.log" 2>&1); then
		ok "fuzz $t for $secs s: $(grep -Eo '^Done [0-9]+ runs' "$TMP/$t.log" | grep -Eo '[0-9]+') runs, no finding"
	else
		not_ok "fuzz $t" "$(grep -E 'ERROR|runtime error|SUMMARY' "$TMP/$t.log" | head -3)"
	fi
done
finish
