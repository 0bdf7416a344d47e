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

finish
