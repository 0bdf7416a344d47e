#!/bin/sh
# The whole test suite: builds forecast twice (plain, and with
# AddressSanitizer + UndefinedBehaviorSanitizer), runs `make check` in each,
# and ends with one line "N passed, N failed" counting test cases.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/setup.sh || exit 1

status=0
total_pass=0
total_fail=0
for variant in plain sanitizers; do
	dir="$top/build"
	flags=""
	if [ "$variant" = sanitizers ]; then
		dir="$top/build-asan"
		flags="--enable-sanitizers"
	fi
	mkdir -p "$dir"
	( cd "$dir" && { [ -f Makefile ] || "$top/configure" -q $flags; } && make -s -j"$(nproc)" >/dev/null ) || {
		echo "tests: the $variant build failed" >&2
		total_fail=$((total_fail + 1))
		status=1
		continue
	}
	echo "== make check ($variant)"
	( cd "$dir" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 make -s check -j"$(nproc)" ) || status=1
	counts=$(sh "$top/tests/summary.sh" "$dir/tests")
	echo "$variant: $counts"
	total_pass=$((total_pass + ${counts%% *}))
	rest=${counts#*, }
	total_fail=$((total_fail + ${rest%% *}))
done
echo "$total_pass passed, $total_fail failed"
[ "$status" -eq 0 ] && [ "$total_fail" -eq 0 ]
