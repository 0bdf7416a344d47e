#!/bin/sh
# The whole test suite: builds forecast twice (plain, and with
# AddressSanitizer + UndefinedBehaviorSanitizer), runs `make check` in each,
# then the MPI variant (configure --with-mpi) with its 2-rank and shard
# tests, and ends with one line "N passed, N failed" counting test cases.
#   tests/run.sh --valgrind   instead: the plain build's Check unit tests
#                             and a subset of CLI invocations under valgrind
#                             memcheck (Debian valgrind), one case per
#                             program or invocation; see README "Testing"
#                             (slow; VALGRIND_TESTS="test_csv test_time"
#                             picks programs, VALGRIND_CLI=0 skips the CLI)
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/setup.sh || exit 1

if [ "${1:-}" = --valgrind ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "tests: --valgrind needs valgrind" >&2; exit 1; }
	( cd build && make -s -j"$(nproc)" forecast && make -s -j"$(nproc)" check TESTS= >/dev/null ) ||
		{ echo "tests: build failed" >&2; exit 1; }
	pass=0
	fail=0
	started=$(date +%s)
	supp="$top/tests/valgrind.supp"
	# a definite leak is an error; errors exit 99, so that a case's own
	# exit code (a refused input's 3) stays distinguishable
	vg() {
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--show-leak-kinds=definite --suppressions="$supp" "$@"
	}
	progs=${VALGRIND_TESTS-$(cd build/tests && ls test_* | grep -v '\.')}
	for t in $progs; do
		log="build/tests/$t.valgrind.log"
		# CK_FORK=no: the cases run in valgrind's own process, so that
		# errors and leaks in them are seen
		if (cd build && CK_FORK=no OMP_NUM_THREADS=1 vg "./tests/$t" >"../$log" 2>&1); then
			echo "ok - valgrind $t"
			pass=$((pass + 1))
		else
			echo "not ok - valgrind $t (see $log)"
			fail=$((fail + 1))
		fi
	done
	# A representative subset of the CLI: every subcommand's main path on
	# the samples, local, global (OpenMP, 2 threads) and transformed fits,
	# predict with and without newer data, the registry, and refused input.
	# VALGRIND_CLI=0 skips it.
	if [ "${VALGRIND_CLI:-1}" != 0 ]; then
		w="build/valgrind-cli"
		rm -rf "$w"
		mkdir -p "$w"
		cp samples/air_passengers.csv samples/retail_daily.csv tests/data/bad_number.csv "$w/"
		n=0
		# vcase NAME EXPECTED_EXIT ARGS...: forecast ARGS under memcheck in $w
		vcase() {
			local name=$1 want=$2 rc
			shift 2
			n=$((n + 1))
			(cd "$w" && OMP_NUM_THREADS=2 vg "$top/build/forecast" "$@" >"cli$n.log" 2>&1)
			rc=$?
			if [ "$rc" -eq "$want" ]; then
				echo "ok - valgrind forecast $name"
				pass=$((pass + 1))
			else
				echo "not ok - valgrind forecast $name (exit $rc, expected $want; see $w/cli$n.log)"
				fail=$((fail + 1))
			fi
		}
		vcase "fit (local kinds)" 0 fit air_passengers.csv --horizon 12 \
			--models naive,snaive,drift,ets,theta,arima,stl -q -o air.csv --model-out air.model
		vcase "fit --transform boxcox=auto" 0 fit air_passengers.csv --horizon 12 \
			--models naive,ets,theta --transform boxcox=auto -q -o bc.csv --model-out bc.model
		vcase "fit (global gbdt, intermittent kinds)" 0 fit retail_daily.csv --horizon 7 \
			--models snaive,croston,tsb,gbdt --transform log1p -q -o r.csv --model-out r.model
		vcase "cv" 0 cv retail_daily.csv --horizon 7 --folds 2 --models naive,mean,window,gbdt -q
		vcase "predict" 0 predict --model air.model -q -o p.csv
		vcase "predict --data (transformed)" 0 predict --model bc.model --data air_passengers.csv -q -o pd.csv
		vcase "predict (global)" 0 predict --model r.model -q -o pr.csv
		vcase "features" 0 features retail_daily.csv -o f.csv
		vcase "inspect" 0 inspect retail_daily.csv
		vcase "explain" 0 explain --model r.model -o e.csv
		vcase "fit --name (registry)" 0 fit air_passengers.csv --horizon 6 --models naive,drift \
			--name air --registry reg -q -o n.csv --model-out n.model
		vcase "registry list" 0 registry list --registry reg
		vcase "bad input refused" 3 fit bad_number.csv --horizon 3 -q
		vcase "corrupt model refused" 4 predict --model air.csv -q
	fi
	echo "$pass passed, $fail failed ($(($(date +%s) - started)) s)"
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
