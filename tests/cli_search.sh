#!/bin/sh
# Hyperparameter search from the command line: `models --params`, space
# files and their errors, exact grids, random search reproducible for a
# seed and at any thread count, every trial in the leaderboard with its
# parameters, and a saved model with chosen trials that predicts the same
# numbers as the fit.
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
expect_error "--search bayes is not implemented yet" 2 'bayes is not implemented yet' -- \
	fit trend.csv --horizon 7 --search bayes
expect_error "--search with an unknown method" 2 '\-\-search: expected grid or random' -- \
	fit trend.csv --horizon 7 --search hyperband
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
assert "random: the same seed gives the same leaderboard" cmp r1.lb.csv r3.lb.csv
assert "random: 2 threads give the same forecasts as 1" cmp r1.csv r2.csv
assert "random: 2 threads give the same model file as 1" cmp r1.model r2.model
assert "random: 2 threads give the same leaderboard as 1" cmp r1.lb.csv r2.lb.csv
assert "random: another seed draws other trials" sh -c "! cmp -s r1.lb.csv r4.lb.csv"
assert "the ensemble's model file keeps one global model per gbdt candidate" \
	test "$(grep -c '^global	gbdt' r1.model)" -eq "$(cut -d, -f1 r1.lb.csv | grep -c '^gbdt')"
"$FORECAST" predict --model r1.model >r1.pred.csv
assert "predict from a model with gbdt trials repeats the fit's forecast" cmp r1.csv r1.pred.csv

# ---- without --search nothing changes: no params column ----------------------
"$FORECAST" cv trend.csv --horizon 7 --models window,ets --leaderboard plain.lb.csv >/dev/null 2>&1
assert "without --search the leaderboard has no params column" \
	sh -c "head -1 plain.lb.csv | grep -qx 'model,series,wins,folds,mae,rmse,mase,smape,mape,wape,nrmse,timeouts'"

finish
