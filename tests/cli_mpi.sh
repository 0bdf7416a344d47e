#!/bin/sh
# The MPI driver (include/forecast/dist.h), in a build made with
# `configure --with-mpi`: `mpirun -n 2 forecast fit ...` writes byte for
# byte what one process writes; a failure on the ranks stops them all.
# The global gbdt is trained over the ranks, each making the rows of its
# own series (FORECAST_DEBUG_ROWS reports them): the same model file and
# forecasts with one model per group (--global-by) and with bagging
# (capacity=large) and over gbdt.max_rows (every k-th row), and no rank
# makes every row.
# Skipped (exit 77) in builds without MPI or where mpirun is missing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

if ! "$FORECAST" --version | grep -q MPI || ! command -v mpirun >/dev/null 2>&1; then
	echo "# skipped: this build has no MPI driver (configure --with-mpi) or mpirun is missing"
	exit 77
fi
# CI runs as root; Open MPI refuses that unless told
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="timeout 300 mpirun --oversubscribe -n 2"

{
	awk -F, 'NR == 1 || $3 >= "2024-07-01"' "$SAMPLES/retail_daily.csv"
	for d in $(seq 0 11); do echo "S9,short,$(date -u -d "2024-12-20 + $d day" +%Y-%m-%d),$((5 + d % 3))"; done
} >"$TMP/sales.csv"
cd "$TMP" || exit 1

"$FORECAST" fit sales.csv --horizon 7 --quiet -o one.csv --model-out one.model --leaderboard one_lb.csv
$MPIRUN "$FORECAST" fit sales.csv --horizon 7 --quiet -o two.csv --model-out two.model \
	--leaderboard two_lb.csv >two.out 2>two.err
assert "mpirun -n 2 forecast fit exits 0" test $? -eq 0
assert "2 ranks: the forecasts are one process's, byte for byte" cmp one.csv two.csv
assert "2 ranks: the model file is one process's" cmp one.model two.model
assert "2 ranks: the leaderboard is one process's (but the measured seconds)" lb_cmp one_lb.csv two_lb.csv
assert "2 ranks: the leaderboard's seconds are non-negative numbers" lb_seconds_ok two_lb.csv
# rank 0 runs no local candidate: their time comes from the ranks' parts
assert "2 ranks: the ranks' time in ets is in the leaderboard ($(lb_seconds two_lb.csv ets))" \
	awk -v s="$(lb_seconds two_lb.csv ets)" 'BEGIN { exit !(s > 0) }'

# the global model alone, trained over the ranks
gb="--models gbdt,snaive --param gbdt.n_trees=25"
FORECAST_DEBUG_ROWS=1 "$FORECAST" fit sales.csv --horizon 7 --quiet $gb -o g1.csv \
	--model-out g1.model --leaderboard g1_lb.csv 2>g1.err
FORECAST_DEBUG_ROWS=1 $MPIRUN "$FORECAST" fit sales.csv --horizon 7 --quiet $gb -o g2.csv \
	--model-out g2.model --leaderboard g2_lb.csv >g2.out 2>g2.err
assert "gbdt over 2 ranks exits 0" test $? -eq 0
assert "gbdt over 2 ranks: the forecasts are one process's" cmp g1.csv g2.csv
assert "gbdt over 2 ranks: the model file is one process's" cmp g1.model g2.model
assert "gbdt over 2 ranks: the leaderboard is one process's (but the measured seconds)" \
	lb_cmp g1_lb.csv g2_lb.csv
all=$(sed -n 's/.*rank 0 of 1 made \([0-9]*\) training rows.*/\1/p' g1.err)
r0=$(sed -n 's/.*rank 0 of 2 made \([0-9]*\) training rows.*/\1/p' g2.err)
r1=$(sed -n 's/.*rank 1 of 2 made \([0-9]*\) training rows.*/\1/p' g2.err)
assert "one process made the global model's rows (got '$all')" test "${all:-0}" -gt 0
assert "rank 0 made fewer rows than the whole panel's ($r0 of $all)" test "${r0:-$all}" -lt "$all"
assert "rank 1 made the others ($r0 + $r1 = $all)" test "$((${r0:-0} + ${r1:-0}))" -eq "$all"
# the leaderboard's time in gbdt is the sum over the ranks: at least
# rank 0's and rank 1's CPU seconds inside the fits they shared (each
# rounded to 3 decimals, so 0.002 of slack)
s0=$(sed -n 's/.*rank 0 of 2 made .* in \([0-9.]*\) CPU seconds of shared fits.*/\1/p' g2.err)
s1=$(sed -n 's/.*rank 1 of 2 made .* in \([0-9.]*\) CPU seconds of shared fits.*/\1/p' g2.err)
sg=$(lb_seconds g2_lb.csv gbdt)
assert "rank 1 spent time in the shared fits (${s1:-none} s)" awk -v s="${s1:-0}" 'BEGIN { exit !(s > 0) }'
assert "gbdt's seconds over 2 ranks ($sg) are at least rank 0's ($s0) plus rank 1's ($s1) in its fits" \
	awk -v g="${sg:-0}" -v a="${s0:-0}" -v b="${s1:-1e9}" 'BEGIN { exit !(g + 0.002 >= a + b) }'

for case in "global_by:--global-by store" "bagging:--param gbdt.capacity=large --param gbdt.n_trees=20" \
	"poisson:--param gbdt.loss=poisson --param gbdt.strategy=direct --param gbdt.n_trees=10"; do
	name=${case%%:*}
	opts=${case#*:}
	"$FORECAST" fit sales.csv --horizon 7 --quiet --models gbdt,snaive $opts -o ${name}1.csv \
		--model-out ${name}1.model
	$MPIRUN "$FORECAST" fit sales.csv --horizon 7 --quiet --models gbdt,snaive $opts \
		-o ${name}2.csv --model-out ${name}2.model >${name}2.out 2>&1
	assert "gbdt over 2 ranks ($name) exits 0" test $? -eq 0
	assert "gbdt over 2 ranks ($name): the forecasts are one process's" cmp ${name}1.csv ${name}2.csv
	assert "gbdt over 2 ranks ($name): the model file is one process's" cmp ${name}1.model ${name}2.model
done
assert "the bagging case is the large capacity (bagging on)" grep -q 'capacity=large' bagging1.model
# a learner over gbdt.max_rows trains on every k-th row, divided over the
# ranks too: each makes its own series' kept rows, the same model (bagged,
# so the kept rows' ids count) as one process's
cap="--models gbdt,snaive --param gbdt.max_rows=800 --param gbdt.capacity=large --param gbdt.n_trees=20"
FORECAST_DEBUG_ROWS=1 "$FORECAST" fit sales.csv --horizon 7 --quiet $cap -o c1.csv \
	--model-out c1.model 2>c1.err
FORECAST_DEBUG_ROWS=1 $MPIRUN "$FORECAST" fit sales.csv --horizon 7 --quiet $cap -o c2.csv \
	--model-out c2.model >c2.out 2>c2.err
assert "a capped gbdt over 2 ranks exits 0" test $? -eq 0
assert "a capped gbdt over 2 ranks: the forecasts are one process's" cmp c1.csv c2.csv
assert "a capped gbdt over 2 ranks: the model file is one process's" cmp c1.model c2.model
call=$(sed -n 's/.*rank 0 of 1 made \([0-9]*\) training rows.*/\1/p' c1.err)
c0=$(sed -n 's/.*rank 0 of 2 made \([0-9]*\) training rows.*/\1/p' c2.err)
c1=$(sed -n 's/.*rank 1 of 2 made \([0-9]*\) training rows.*/\1/p' c2.err)
assert "the capped learners made at most 4 x 800 rows (got '$call')" test "${call:-0}" -gt 0 -a "${call:-9999}" -le 3200
assert "and the ranks divided them ($c0 + $c1 = $call, neither all)" \
	test "$((${c0:-0} + ${c1:-0}))" -eq "$call" -a "${c0:-$call}" -lt "$call" -a "${c1:-$call}" -lt "$call"
# a shared fit that fails fails on every rank alike: the exit and message of one process
"$FORECAST" fit sales.csv --horizon 7 --quiet --models gbdt,snaive --param gbdt.global_by=region \
	-o f1.csv >f1.out 2>&1
rc1=$?
$MPIRUN "$FORECAST" fit sales.csv --horizon 7 --quiet --models gbdt,snaive \
	--param gbdt.global_by=region -o f2.csv >f2.out 2>&1
rc2=$?
assert "a failing gbdt fit over 2 ranks exits as one process ($rc1), not a hang (got $rc2)" \
	test "$rc1" -eq 2 -a "$rc2" -eq 2
assert "a failing gbdt fit over 2 ranks: one process's message" grep -qF "$(head -1 f1.out)" f2.out

"$FORECAST" cv sales.csv --horizon 7 --quiet --leaderboard cv_one.csv >/dev/null
$MPIRUN "$FORECAST" cv sales.csv --horizon 7 --quiet --leaderboard cv_two.csv >cv_two.out 2>&1
assert "2 ranks: cv's leaderboard is one process's (but the measured seconds)" lb_cmp cv_one.csv cv_two.csv
assert "2 ranks: the leaderboard is printed once" test "$(grep -c '^naive ' cv_two.out)" -eq 1

printf 'date,y\n2024-01-01,1\n2024-01-02,x\n' >bad.csv
$MPIRUN "$FORECAST" fit bad.csv --horizon 2 -o bad_out.csv >bad.out 2>bad.err
rc=$?
assert "bad input on every rank: exit 3, not a hang (got $rc)" test "$rc" -eq 3
assert "bad input: the message names file, line and column" grep -q 'bad\.csv:3:2' bad.err
assert "bad input: no output written" test ! -e bad_out.csv
$MPIRUN "$FORECAST" fit sales.csv --horizon 7 --shard 0/2 >shard.out 2>shard.err
rc=$?
assert "--shard under mpirun is refused (got $rc)" test "$rc" -ne 0
assert "--shard under mpirun: the message says why" grep -q 'under mpirun, --shard is not supported' shard.err

finish
