#!/bin/sh
# Hyperparameter search from the command line: `models --params`, space
# files and their errors, exact grids, random and bayes search reproducible
# for a seed and at any thread count, every trial in the leaderboard with
# its parameters, a saved model with chosen trials that predicts the same
# numbers as the fit, the wall-clock budget, and median and bandit early
# stopping.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"
cd "$TMP" || exit 1

# one series with a steady trend: the shortest window forecasts it best
awk 'BEGIN { print "ds,sales"; for (t = 1; t <= 90; t++) printf "%d,%d\n", t, 100 + 2 * t }' >trend.csv
# 4 series x 120 days: weekly cycle, level and noise from a fixed generator
awk 'BEGIN { print "store,date,sales"; x = 4321
	for (s = 1; s <= 4; s++)
		for (d = 0; d < 120; d++) {
			x = (x * 1103515245 + 12345) % 2147483648
			printf "S%d,%d,%.2f\n", s, d, 20 * s + 5 * ((d % 7) == 5) + 3 * (x / 2147483648)
		}
}' >panel.csv

# ---- models --params ------------------------------------------------------
"$FORECAST" models --params >params.txt
assert "models --params exits 0" test $? -eq 0
assert "models --params lists gbdt's learning rate as loguniform" \
	grep -Eq '^gbdt +learning_rate +loguniform +\[0\.02, 0\.3\]$' params.txt
assert "models --params lists ets damping as a choice" \
	grep -Eq '^ets +damped +choice +\{auto, true, false\}$' params.txt
assert "models --params lists window size as an integer range" grep -Eq '^window +size +int +2\.\.52$' params.txt
assert "models --params names the kinds without a space" grep -q '^no search space: naive, snaive, drift, mean, theta$' params.txt
"$FORECAST" models >models.txt
assert "plain models lists kinds, not spaces" sh -c "! grep -q loguniform models.txt && grep -q '^gbdt ' models.txt"
printf 'window.size = int(3, 9)\n' >w.space
"$FORECAST" models --params --space w.space >params2.txt
assert "models --params --space shows the file's range" grep -Eq '^window +size +int +3\.\.9$' params2.txt

# ---- bad space files and flags ----------------------------------------------
printf '# fine\nets.damped = choice(true, false)\ngbdtx.num_leaves = int(2, 8)\n' >kind.space
printf 'gbdt.bogus = int(1, 2)\n' >param.space
printf 'window.size = int(10, 4)\n' >order.space
printf 'gbdt.learning_rate = loguniform(0, 0.3)\n' >log.space
printf 'ets.damped = maybe(true)\n' >type.space
printf 'this is not a space file\n' >garbage.space
INPUTS="trend.csv kind.space"
expect_error "space file: unknown kind" 3 'kind\.space:3:1: unknown model kind .gbdtx.' -- \
	fit trend.csv --horizon 7 --search random --space kind.space
INPUTS="trend.csv param.space"
expect_error "space file: unknown parameter" 3 "param\.space:1:6: .*unknown parameter 'bogus'" -- \
	fit trend.csv --horizon 7 --search grid --space param.space
INPUTS="trend.csv order.space"
expect_error "space file: lower bound above upper" 3 'order\.space:1:19: int\(\): lower bound 10 is above upper bound 4' -- \
	fit trend.csv --horizon 7 --search grid --space order.space
INPUTS="trend.csv log.space"
expect_error "space file: non-positive loguniform bound" 3 'log\.space:1:33: loguniform\(\): bounds must be positive' -- \
	cv trend.csv --horizon 7 --search random --space log.space
INPUTS="trend.csv type.space"
expect_error "space file: unknown type" 3 "type\.space:1:14: unknown type 'maybe'" -- \
	fit trend.csv --horizon 7 --search random --space type.space
INPUTS="trend.csv garbage.space"
expect_error "space file: garbage" 3 "garbage\.space:1:1: unknown model kind 'this'" -- \
	fit trend.csv --horizon 7 --search random --space garbage.space
INPUTS="trend.csv"
expect_error "space file missing" 4 "cannot open space file 'nothere\.space'" -- \
	fit trend.csv --horizon 7 --search random --space nothere.space
expect_error "--search with an unknown method" 2 '\-\-search: expected grid, random or bayes' -- \
	fit trend.csv --horizon 7 --search hyperband
expect_error "--early-stop needs --search" 2 '\-\-early-stop works with \-\-search' -- \
	fit trend.csv --horizon 7 --early-stop median
expect_error "--budget-minutes needs --search" 2 '\-\-budget-minutes works with \-\-search' -- \
	fit trend.csv --horizon 7 --budget-minutes 1
expect_error "--bandit-slack needs the bandit" 2 '\-\-bandit-slack works with \-\-early-stop bandit' -- \
	fit trend.csv --horizon 7 --search random --early-stop median --bandit-slack 0.2
expect_error "--early-stop with an unknown policy" 2 '\-\-early-stop: expected none, median or bandit' -- \
	fit trend.csv --horizon 7 --search random --early-stop truncation
expect_error "--budget-minutes 0" 2 '\-\-budget-minutes: expected minutes above 0' -- \
	fit trend.csv --horizon 7 --search random --budget-minutes 0
expect_error "--budget-trials needs --search" 2 '\-\-budget-trials works with \-\-search' -- \
	fit trend.csv --horizon 7 --budget-trials 5
expect_error "--seed needs --search" 2 '\-\-seed works with \-\-search' -- fit trend.csv --horizon 7 --seed 5
expect_error "--budget-trials 0" 2 '\-\-budget-trials: expected a whole number' -- \
	fit trend.csv --horizon 7 --search random --budget-trials 0
expect_error "--search-models: a kind without a space" 2 "'naive' has no search space" -- \
	fit trend.csv --horizon 7 --search random --search-models naive
expect_error "--search-models: not a candidate" 2 "'gbdt' is not among the candidate models" -- \
	fit trend.csv --horizon 7 --models naive,ets --search random --search-models gbdt

# ---- grid: exactly the points of a small space, round-robin ------------------
printf 'window.size = int(2, 4)\nets.damped = choice(true, false)\nets.ic = choice(aicc)  # one value: fixed\n' >grid.space
"$FORECAST" fit trend.csv --horizon 7 --models window,ets --search grid --space grid.space \
	--ensemble none -o grid.csv --model-out grid.model --leaderboard grid.lb.csv 2>grid.err >/dev/null
assert "grid search exits 0" test $? -eq 0
cut -d, -f1,13 grid.lb.csv | sort >grid.rows
assert "a search's leaderboard ends with the stopped column" \
	sh -c "head -1 grid.lb.csv | grep -q ',timeouts,params,stopped,seconds$'"
assert "a search's leaderboard: every row's seconds is a non-negative number" lb_seconds_ok grid.lb.csv
cat >grid.want <<'EOF'
ets#1,damped=true;ic=aicc
ets#2,damped=false;ic=aicc
ets,
model,params
window#1,size=2
window#2,size=3
window#3,size=4
window,
EOF
assert "grid: the leaderboard holds the candidates and exactly the 5 grid points" diff grid.rows grid.want
assert "grid: the search is announced" grep -q 'search (grid, seed 0): 5 trials of window, ets added to the 2 candidates' grid.err
"$FORECAST" fit trend.csv --horizon 7 --models window,ets --search grid --space grid.space \
	--budget-trials 3 -o grid3.csv --model-out grid3.model --leaderboard grid3.lb.csv 2>grid3.err >/dev/null
assert "grid: a budget under the grid tries the first points" \
	test "$(cut -d, -f1 grid3.lb.csv | grep -c '#')" -eq 3
assert "grid: truncation is reported" grep -q 'the grid has 5 points; --budget-trials 3' grid3.err

# ---- a chosen trial is saved and predicts the same numbers --------------------
"$FORECAST" fit trend.csv --horizon 7 --models window --search grid --space grid.space \
	--ensemble none -o win.csv --model-out win.model --leaderboard win.lb.csv 2>win.err >/dev/null
assert "the trend is best forecast by the shortest window, a trial" grep -q '^model	window$' win.model
assert "the model file records the trial's parameters" grep -q '^params	size=2$' win.model
assert "the winning trial wins in the leaderboard" grep -q '^window#1,1,1,' win.lb.csv
"$FORECAST" predict --model win.model >win.pred.csv
assert "predict from the model with a chosen trial repeats the fit's forecast" cmp win.csv win.pred.csv

# ---- random: reproducible for a seed, at 1 and 2 threads ----------------------
random_fit() { # OUT THREADS SEED
	OMP_NUM_THREADS=$2 "$FORECAST" fit panel.csv --horizon 7 --models gbdt,ets,window \
		--search random --seed "$3" --budget-trials 6 --ensemble mean --quiet \
		-o "$1.csv" --model-out "$1.model" --leaderboard "$1.lb.csv" >/dev/null 2>"$1.err"
}
random_fit r1 1 7
assert "random search exits 0" test $? -eq 0
random_fit r2 2 7
random_fit r3 1 7
random_fit r4 1 8
assert "random: 6 trials in the leaderboard" test "$(cut -d, -f1 r1.lb.csv | grep -c '#')" -eq 6
assert "random: each trial has its parameters" \
	awk -F, 'NR > 1 && $1 ~ /#/ && $0 !~ /,"?[a-z_]+=[^;]*(;|"?$)/ { bad = 1 } END { exit bad }' r1.lb.csv
assert "random: gbdt trials carry the learner's parameters" \
	grep -Eq '^gbdt#1,.*num_leaves=[0-9]+;learning_rate=[0-9.]+;n_trees=[0-9]+;' r1.lb.csv
assert "random: the same seed gives the same forecasts" cmp r1.csv r3.csv
assert "random: the same seed gives the same model file" cmp r1.model r3.model
assert "random: the same seed gives the same leaderboard" lb_cmp r1.lb.csv r3.lb.csv
assert "random: 2 threads give the same forecasts as 1" cmp r1.csv r2.csv
assert "random: 2 threads give the same model file as 1" cmp r1.model r2.model
assert "random: 2 threads give the same leaderboard as 1" lb_cmp r1.lb.csv r2.lb.csv
assert "random: another seed draws other trials" lb_differ r1.lb.csv r4.lb.csv
assert "the ensemble's model file keeps one global model per gbdt candidate" \
	test "$(grep -c '^global	gbdt' r1.model)" -eq "$(cut -d, -f1 r1.lb.csv | grep -c '^gbdt')"
"$FORECAST" predict --model r1.model >r1.pred.csv
assert "predict from a model with gbdt trials repeats the fit's forecast" cmp r1.csv r1.pred.csv

# ---- bayes: reproducible for a seed, at 1 and 2 threads; random start -------
bayes_fit() { # OUT THREADS SEED [more options]
	out=$1 threads=$2 seed=$3
	shift 3
	OMP_NUM_THREADS=$threads "$FORECAST" fit panel.csv --horizon 7 --models gbdt,ets,window \
		--search bayes --seed "$seed" --budget-trials 9 --ensemble mean --quiet \
		-o "$out.csv" --model-out "$out.model" --leaderboard "$out.lb.csv" "$@" >/dev/null 2>"$out.err"
}
bayes_fit b1 1 7
assert "bayes search exits 0" test $? -eq 0
bayes_fit b2 2 7
bayes_fit b3 1 7
bayes_fit b4 1 8
assert "bayes: 9 trials in the leaderboard" test "$(cut -d, -f1 b1.lb.csv | grep -c '#')" -eq 9
assert "bayes: the same seed gives the same forecasts" cmp b1.csv b3.csv
assert "bayes: the same seed gives the same leaderboard" lb_cmp b1.lb.csv b3.lb.csv
assert "bayes: 2 threads give the same forecasts as 1" cmp b1.csv b2.csv
assert "bayes: 2 threads give the same model file as 1" cmp b1.model b2.model
assert "bayes: 2 threads give the same leaderboard as 1" lb_cmp b1.lb.csv b2.lb.csv
assert "bayes: another seed proposes other trials" lb_differ b1.lb.csv b4.lb.csv
"$FORECAST" predict --model b1.model >b1.pred.csv
assert "predict from a bayes model repeats the fit's forecast" cmp b1.csv b1.pred.csv
# TPE on one kind: its first trials are random search's draws, the later ones
# its own proposals, all inside the space
"$FORECAST" cv trend.csv --horizon 7 --models window --search random --seed 4 --budget-trials 8 \
	--leaderboard wr.lb.csv >/dev/null 2>&1
"$FORECAST" cv trend.csv --horizon 7 --models window --search bayes --seed 4 --budget-trials 8 \
	--leaderboard wb.lb.csv >/dev/null 2>&1
assert "bayes starts with random search's draws" \
	test "$(grep -E '^window#[12],' wr.lb.csv | cut -d, -f1,13 | sort)" = "$(grep -E '^window#[12],' wb.lb.csv | cut -d, -f1,13 | sort)"
assert "bayes then proposes its own trials" lb_differ wr.lb.csv wb.lb.csv
assert "bayes trials stay inside window.size = int(2, 52)" \
	awk -F, '$1 ~ /#/ { split($13, a, "="); if (a[2] < 2 || a[2] > 52 || a[2] != int(a[2])) bad = 1 } END { exit bad }' wb.lb.csv
# on the trend, small windows are best: TPE's proposals after the random
# start find a window at least as small as random search's best
best_size() { awk -F, '$1 ~ /#/ { split($13, a, "="); if (min == "" || a[2] + 0 < min) min = a[2] + 0 } END { print min }' "$1"; }
assert "bayes finds a window at least as small as random search's" \
	test "$(best_size wb.lb.csv)" -le "$(best_size wr.lb.csv)"

# ---- --budget-minutes stops launching trials -----------------------------------
"$FORECAST" cv panel.csv --horizon 7 --models ets,window --search random --budget-trials 60 \
	--budget-minutes 0.0001 --leaderboard bm.lb.csv >/dev/null 2>bm.err
assert "a tiny --budget-minutes still exits 0" test $? -eq 0
assert "a tiny --budget-minutes back-tests fewer trials than --budget-trials" \
	test "$(cut -d, -f1 bm.lb.csv | grep -c '#')" -lt 60
assert "the budget's stop is reported" grep -q 'budget-minutes 0.0001 ran out after .* of the 60 trials' bm.err
"$FORECAST" cv panel.csv --horizon 7 --models ets,window --search random --budget-trials 6 \
	--budget-minutes 30 --leaderboard bm2.lb.csv >/dev/null 2>bm2.err
assert "a generous --budget-minutes runs every trial" test "$(cut -d, -f1 bm2.lb.csv | grep -c '#')" -eq 6
assert "a generous --budget-minutes says nothing" sh -c "! grep -q 'ran out' bm2.err"

# ---- early stopping ------------------------------------------------------------
# On the trend, window size 40 or 45 is far worse than 2 or 3 (the mean of the
# last N values lags the trend by about N/2 steps); the default window (3)
# scores as size 3.  Trials run one at a time, in the grid's order.
stop_fit() { # OUT SPACE [options]
	out=$1 space=$2
	shift 2
	printf 'window.size = choice(%s)\n' "$space" >"$out.space"
	"$FORECAST" fit trend.csv --horizon 7 --models window --search grid --space "$out.space" \
		--ensemble mean -o "$out.csv" --model-out "$out.model" --leaderboard "$out.lb.csv" \
		"$@" >/dev/null 2>"$out.err"
}
stopped_of() { awk -F, -v m="$2" '$1 == m { print $14 }' "$1.lb.csv"; }
stop_fit esn '3, 2, 40'
assert "without early stopping no trial is stopped" test "$(stopped_of esn 'window#3')" -eq 0
assert "without early stopping the mean ensemble takes the bad window too" grep -q '^params	size=40$' esn.model
stop_fit esm '3, 2, 40' --early-stop median
assert "median: exits 0" test -s esm.csv
assert "median: a trial no worse than the median runs every fold" test "$(stopped_of esm 'window#1')" -eq 0
assert "median: a better trial runs every fold" test "$(stopped_of esm 'window#2')" -eq 0
assert "median: the trial worse than the median stops after fold 1" test "$(stopped_of esm 'window#3')" -eq 1
assert "median: the stopped trial is in the leaderboard, last" test "$(tail -1 esm.lb.csv | cut -d, -f1)" = 'window#3'
assert "median: the stopped trial is scored on 1 fold" test "$(awk -F, '$1 == "window#3" { print $4 }' esm.lb.csv)" -eq 1
assert "median: the stopped trial is never in the model" sh -c "! grep -q 'size=40' esm.model"
assert "median: the finished trials are" grep -q '^params	size=2$' esm.model
assert "median: the stop is reported" grep -q 'early stopping (median): 1 of 3 trials stopped' esm.err
stop_fit esd '3, 2, 40' --early-stop median --early-stop-delay 2
assert "median with a delay of 2 of 3 folds stops nothing" test "$(stopped_of esd 'window#3')" -eq 0
stop_fit esb '2, 3, 40' --early-stop bandit --bandit-slack 0.5
assert "bandit 0.5: a trial within the slack of the best runs every fold" test "$(stopped_of esb 'window#2')" -eq 0
assert "bandit 0.5: a trial beyond the slack stops" test "$(stopped_of esb 'window#3')" -eq 1
assert "bandit: the stopped trial is never in the model" sh -c "! grep -q 'size=40' esb.model"
stop_fit est '2, 3, 40' --early-stop bandit --bandit-slack 0.05
assert "bandit 0.05: size 3, 11% worse than size 2, is now beyond the slack" test "$(stopped_of est 'window#2')" -eq 1
# scoring fold by fold is the same work: a policy that never stops gives the
# same output as none
bayes_fit b5 2 7 --early-stop bandit --bandit-slack 1000000
assert "a bandit that stops nothing gives the same forecasts as no policy" cmp b1.csv b5.csv
assert "a bandit that stops nothing gives the same leaderboard as no policy" lb_cmp b1.lb.csv b5.lb.csv
bayes_fit b6 1 7 --early-stop median
bayes_fit b7 2 7 --early-stop median
assert "median stopping is the same at 1 and 2 threads" lb_cmp b6.lb.csv b7.lb.csv
assert "median stopping: the same forecasts at 1 and 2 threads" cmp b6.csv b7.csv

# ---- without --search nothing changes: no params column ----------------------
"$FORECAST" cv trend.csv --horizon 7 --models window,ets --leaderboard plain.lb.csv >/dev/null 2>&1
assert "without --search the leaderboard has no params column" \
	sh -c "head -1 plain.lb.csv | grep -qx 'model,series,wins,folds,mae,rmse,mase,smape,mape,wape,nrmse,timeouts,seconds'"

finish
