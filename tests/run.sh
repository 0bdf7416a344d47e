#!/bin/sh
# The whole test suite: builds forecast twice (plain, and with
# AddressSanitizer + UndefinedBehaviorSanitizer), runs `make check` in each,
# then the MPI variant (configure --with-mpi) with its 2-rank and shard
# tests, and ends with one line "N passed, N failed" counting test cases.
#   tests/run.sh --valgrind   instead: the plain build's Check unit tests
#                             under valgrind memcheck (Debian valgrind),
#                             one case per program (slow: tens of minutes;
#                             VALGRIND_TESTS="test_csv test_time" picks some)
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/setup.sh || exit 1

if [ "${1:-}" = --valgrind ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "tests: --valgrind needs valgrind" >&2; exit 1; }
	( cd build && make -s -j"$(nproc)" check TESTS= >/dev/null ) || { echo "tests: build failed" >&2; exit 1; }
	pass=0
	fail=0
	progs=${VALGRIND_TESTS:-$(cd build/tests && ls test_* | grep -v '\.')}
	for t in $progs; do
		log="build/tests/$t.valgrind.log"
		# CK_FORK=no: the cases run in valgrind's own process, so that
		# errors and leaks in them are seen; a definite leak is an error
		if (cd build && CK_FORK=no OMP_NUM_THREADS=1 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite "./tests/$t" >"../$log" 2>&1); then
			echo "ok - valgrind $t"
			pass=$((pass + 1))
		else
			echo "not ok - valgrind $t (see $log)"
			fail=$((fail + 1))
		fi
	done
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

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
	# the fuzz smoke run once, in the plain variant (its targets carry
	# their own sanitizers)
	smoke=${FUZZ_SMOKE_SECONDS:-8}
	[ "$variant" = plain ] || smoke=0
	( cd "$dir" && FUZZ_SMOKE_SECONDS=$smoke ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 make -s check -j"$(nproc)" ) || status=1
	counts=$(sh "$top/tests/summary.sh" "$dir/tests")
	echo "$variant: $counts"
	total_pass=$((total_pass + ${counts%% *}))
	rest=${counts#*, }
	total_fail=$((total_fail + ${rest%% *}))
done
# The MPI variant (configure --with-mpi): the program alone, and the tests
# of its driver and of shards run against it (2 ranks, oversubscribed).
dir="$top/build-mpi"
mkdir -p "$dir"
echo "== MPI driver (configure --with-mpi)"
if ( cd "$dir" && { [ -f Makefile ] || "$top/configure" -q --with-mpi; } && make -s -j"$(nproc)" forecast >/dev/null ); then
	for t in cli_mpi cli_shard; do
		top_srcdir="$top" top_builddir="$dir" sh "$top/tests/$t.sh" >"$dir/$t.log" 2>&1
		ok=$(grep -c '^ok - ' "$dir/$t.log")
		bad=$(grep -c '^not ok - ' "$dir/$t.log")
		grep '^not ok - ' "$dir/$t.log" || true
		[ $((ok + bad)) -gt 0 ] || bad=1 # died or skipped: the MPI build must run it
		echo "mpi: $t: $ok passed, $bad failed"
		total_pass=$((total_pass + ok))
		total_fail=$((total_fail + bad))
	done
else
	echo "tests: the MPI build failed" >&2
	total_fail=$((total_fail + 1))
fi
echo "$total_pass passed, $total_fail failed"
[ "$status" -eq 0 ] && [ "$total_fail" -eq 0 ]
