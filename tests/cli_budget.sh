#!/bin/sh
# The default fit on a weekly panel with long series (the M4 Weekly shape:
# integer steps, period 52.18) completes, with arima's yearly cycle as
# Fourier terms; and --candidate-timeout drops a candidate that runs out of
# its work budget, by name, while the others go on, with the same result
# at any thread count.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# 6 series x 400 weeks: level, trend, a yearly cycle of period 52.18 and
# noise from a fixed linear congruential generator
awk 'BEGIN {
	print "unique_id,ds,y"; x = 12345
	for (s = 1; s <= 6; s++)
		for (t = 1; t <= 400; t++) {
			x = (x * 1103515245 + 12345) % 2147483648
			y = 1000 * s + 0.5 * s * t + 120 * sin(2 * 3.14159265 * t / 52.18) \
			    + 40 * cos(4 * 3.14159265 * t / 52.18) + 30 * (x / 2147483648 - 0.5)
			printf "W%d,%d,%.2f\n", s, t, y
		}
}' >"$TMP/weekly.csv"

(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 --leaderboard board.csv \
	-o fc.csv --model-out fit.model >board.txt 2>err.txt)
assert "the default fit of a long weekly panel completes" test $? -eq 0
assert "13 forecasts for each of the 6 series" test "$(tail -n +2 "$TMP/fc.csv" | wc -l)" -eq 78
assert "arima took part on every series" grep -Eq '^arima +6 ' "$TMP/board.txt"
assert "no candidate ran out of its budget by default" \
	awk -F, 'NR > 1 && $12 != 0 { bad = 1 } END { exit bad }' "$TMP/board.csv"
# arima's refit on a series it won keeps the yearly cycle as Fourier terms
(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 --models arima --quiet \
	-o a.csv --model-out a.model)
assert "arima models the period 52.18 with Fourier terms" grep -q 'fourier_k=[1-9]' "$TMP/a.model"

# A budget too small for arima (and ets), not for the baselines: they are
# dropped and named; the baselines still forecast every series.
for t in 1 2; do
	(cd "$TMP" && OMP_NUM_THREADS=$t "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 \
		--models naive,snaive,ets,arima --candidate-timeout 0.001 --leaderboard b$t.csv \
		-o t$t.csv --model-out t$t.model >tb$t.txt 2>te$t.txt)
	assert "a tiny budget is no error ($t thread(s))" test $? -eq 0
done
assert "arima is named as dropped for its budget" \
	grep -q "arima was dropped on 6 series for exceeding --candidate-timeout 0.001" "$TMP/te1.txt"
assert "the leaderboard counts arima's timeouts" grep -Eq '^arima,0,0,0,.*,6,[0-9.]+$' "$TMP/b1.csv"
assert "the baselines go on" grep -Eq '^(naive|snaive),6,' "$TMP/b1.csv"
assert "every series is forecast" test "$(tail -n +2 "$TMP/t1.csv" | wc -l)" -eq 78
assert "no forecast from a dropped candidate" sh -c "! grep -Eq ',(arima|ets)\$' '$TMP/t1.csv'"
assert "the budget gives the same forecasts at 1 and 2 threads" cmp "$TMP/t1.csv" "$TMP/t2.csv"
assert "and the same leaderboard (but the measured seconds)" lb_cmp "$TMP/b1.csv" "$TMP/b2.csv"

INPUTS=weekly.csv expect_error "a negative timeout is a usage error" 2 "candidate-timeout" -- \
	fit weekly.csv --horizon 13 --season 52 --candidate-timeout -1
INPUTS=weekly.csv expect_error "a timeout that is not a number is a usage error" 2 "candidate-timeout" -- \
	fit weekly.csv --horizon 13 --season 52 --candidate-timeout 5s

# --default-budget: the default set keeps its local kinds cheapest first
# while their estimated work fits (6 x 400 weeks, 3 folds and the refit:
# 9,600 observations fitted; at 0.001 CPU minutes = 0.06 s the theta
# family, imapa and stl fit, ets at 6.3 s a million would pass it), names
# what it left out, and --models or a budget of 0 keeps everything.
(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 --default-budget 0.001 \
	--leaderboard db.csv -o d.csv --model-out d.model 2>de.txt)
assert "a small default budget is no error" test $? -eq 0
assert "it names the kinds it left out" \
	grep -q "large panel (6 series, 2400 observations): ets, arima left out of the default set" "$TMP/de.txt"
assert "and neither is on the leaderboard" sh -c "! grep -Eq '^(ets|arima),' '$TMP/db.csv'"
assert "the cheaper local kinds and the global one stay" \
	sh -c "grep -q '^stl,6,' '$TMP/db.csv' && grep -q '^theta,6,' '$TMP/db.csv' && grep -q '^gbdt,6,' '$TMP/db.csv'"
(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 --default-budget 0.001 \
	--models snaive,arima --leaderboard dm.csv -o dm.csv.fc 2>dme.txt)
assert "--models fits arima whatever the budget" grep -q '^arima,6,' "$TMP/dm.csv"
assert "and says nothing of the budget" sh -c "! grep -q 'large panel' '$TMP/dme.txt'"
(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 --default-budget 0 \
	--leaderboard d0.csv -o d0.csv.fc 2>d0e.txt)
assert "a budget of 0 keeps every default kind" sh -c "grep -q '^arima,6,' '$TMP/d0.csv' && ! grep -q 'large panel' '$TMP/d0e.txt'"
assert "as the plain run does on a panel this small" sh -c "grep -q '^arima,6,' '$TMP/board.csv' && ! grep -q 'large panel' '$TMP/err.txt'"
# shards and their merge keep the same kinds: the estimate is the whole panel's
for k in 0 1; do
	(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 --default-budget 0.001 \
		--quiet --shard $k/2 -o dpart$k)
done
(cd "$TMP" && "$FORECAST" merge dmerged.csv dpart0 dpart1 --model-out dmerged.model 2>/dev/null)
assert "two shards and the merge under the budget are the single run" cmp "$TMP/d.csv" "$TMP/dmerged.csv"
assert "and so is the merged model file" cmp "$TMP/d.model" "$TMP/dmerged.model"
INPUTS=weekly.csv expect_error "a negative default budget is a usage error" 2 "default-budget" -- \
	fit weekly.csv --horizon 13 --season 52 --default-budget -1

# gbdt.max_rows: a learner whose design has more rows trains on every k-th
# (FORECAST_DEBUG_ROWS counts the rows made: at most max_rows for each of
# the 4 learners, the 3 folds' and the refit's), the same at 1 and 2
# threads, and it is saved in the model file.
for t in 1 2; do
	(cd "$TMP" && OMP_NUM_THREADS=$t FORECAST_DEBUG_ROWS=1 "$FORECAST" fit weekly.csv --horizon 13 \
		--season 52.18 --models gbdt --param gbdt.max_rows=500 --quiet -o g$t.csv \
		--model-out g$t.model 2>ge$t.txt)
	assert "a capped gbdt fits ($t thread(s))" test $? -eq 0
done
(cd "$TMP" && FORECAST_DEBUG_ROWS=1 "$FORECAST" fit weekly.csv --horizon 13 --season 52.18 \
	--models gbdt --quiet -o gfull.csv 2>gefull.txt)
made() { sed -n 's/.* made \([0-9]*\) training rows.*/\1/p' "$1"; }
assert "the capped learners made at most 4 x 500 rows" test "$(made "$TMP/ge1.txt")" -le 2000
assert "where the uncapped ones made over 4 x 2,000" test "$(made "$TMP/gefull.txt")" -gt 8000
assert "the capped forecasts differ from the uncapped ones" sh -c "! cmp -s '$TMP/g1.csv' '$TMP/gfull.csv'"
assert "the capped forecasts are the same at 1 and 2 threads" cmp "$TMP/g1.csv" "$TMP/g2.csv"
assert "max_rows is in the model file" grep -q 'max_rows=500' "$TMP/g1.model"
(cd "$TMP" && "$FORECAST" predict --model g1.model >gp.csv)
assert "predict repeats the capped model's forecasts" cmp "$TMP/g1.csv" "$TMP/gp.csv"
INPUTS=weekly.csv expect_error "a max_rows that is not a count is a usage error" 2 "max_rows" -- \
	fit weekly.csv --horizon 13 --season 52 --models gbdt --param gbdt.max_rows=-3

finish
