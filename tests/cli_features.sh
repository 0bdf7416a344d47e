#!/bin/sh
# `forecast features`: the design matrix as CSV, with values checked by hand
# on a tiny panel, the same bytes for any thread count, and clear errors for
# bad feature flags with no output file left behind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# two stores, ten days from Monday 2024-01-01, sales = day number (+100 for B)
{
	printf 'store,date,sales,price\n'
	for s in A B; do
		for d in 01 02 03 04 05 06 07 08 09 10; do
			v=${d#0}
			[ "$s" = B ] && v=$((v + 100))
			printf '%s,2024-01-%s,%d,%d.5\n' "$s" "$d" "$v" "${d#0}"
		done
	done
} >"$TMP/tiny.csv"
{ printf 't,y\n'; for i in 1 2 3 4 5 6 7 8 9 10; do printf '%d,%d\n' "$i" "$i"; done; } >"$TMP/steps.csv"

(cd "$TMP" && "$FORECAST" features tiny.csv --lags 1,2 --windows 3 --agg mean,max \
	--calendar dow,weekend --known-future price -o feat.csv 2>"$TMP/err")
assert "features exits 0" test -s "$TMP/feat.csv"
assert "header" grep -qx 'store,date,sales,lag_1,lag_2,win3_mean,win3_max,dow,weekend,price,store_code' "$TMP/feat.csv"
# 2024-01-06 is a Saturday (dow 5); window of the 3 days before: 3,4,5
assert "row of A on Jan 6" grep -qx 'A,2024-01-06,6,5,4,4,5,5,1,6.5,0' "$TMP/feat.csv"
assert "row of B on Jan 4" grep -qx 'B,2024-01-04,104,103,102,102,103,3,0,4.5,1' "$TMP/feat.csv"
assert "first row has empty lags" grep -qx 'A,2024-01-01,1,,,,,0,0,1.5,0' "$TMP/feat.csv"
assert "one row per observation" test "$(wc -l <"$TMP/feat.csv")" -eq 21

(cd "$TMP" && OMP_NUM_THREADS=1 "$FORECAST" features "$SAMPLES/retail_daily.csv" --lags 1-7,14 \
	--windows 7,28 --agg mean,std,min,max,ewm --expanding-mean --fourier 2 -o one.csv 2>/dev/null)
(cd "$TMP" && OMP_NUM_THREADS=2 "$FORECAST" features "$SAMPLES/retail_daily.csv" --lags 1-7,14 \
	--windows 7,28 --agg mean,std,min,max,ewm --expanding-mean --fourier 2 -o two.csv 2>/dev/null)
assert "same bytes for 1 and 2 threads" cmp "$TMP/one.csv" "$TMP/two.csv"
assert "sample has rows" test "$(wc -l <"$TMP/one.csv")" -gt 15000

# US holidays: New Year's Day on Monday 2024-01-01, none in the rest of the span
(cd "$TMP" && "$FORECAST" features tiny.csv --lags 1 --windows none --calendar none --country US \
	--holiday-window -1,1 --no-group-keys -o hol.csv 2>"$TMP/err")
col_of() { head -1 "$2" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
value_at() { awk -F, -v k="$2" -v c="$(col_of "$3" "$1")" '$1 "," $2 == k { print $c }' "$1"; }
assert "holiday on Jan 1" test "$(value_at "$TMP/hol.csv" A,2024-01-01 holiday)" = 1
assert "no holiday on Jan 2" test "$(value_at "$TMP/hol.csv" A,2024-01-02 holiday)" = 0
assert "one day since the holiday on Jan 2" test "$(value_at "$TMP/hol.csv" B,2024-01-02 days_since_holiday)" = 1
assert "holiday yesterday on Jan 2" test "$(value_at "$TMP/hol.csv" B,2024-01-02 holiday_ago_1)" = 1
assert "MLK day (Jan 15) in 5 days on Jan 10" test "$(value_at "$TMP/hol.csv" A,2024-01-10 days_to_holiday)" = 5

# events: a promotion at store A only
printf 'date,name,store\n2024-01-04,promo,A\n2024-01-08,inventory,\n' >"$TMP/events.csv"
(cd "$TMP" && "$FORECAST" features tiny.csv --lags 1 --windows none --calendar none \
	--events events.csv -o ev.csv 2>"$TMP/err")
assert "event for A" test "$(value_at "$TMP/ev.csv" A,2024-01-04 event)" = 1
assert "no event for B" test "$(value_at "$TMP/ev.csv" B,2024-01-04 event)" = 0
printf 'date,name,shop\n2024-01-04,promo,A\n' >"$TMP/badevents.csv"

# a closed day (no row) is a gap, not a sold zero: the local models see it
# interpolated, the features as missing
printf 'store,date,sales\n' >"$TMP/closed.csv"
for d in 01 02 03 04 06 07 08; do printf 'S1,2024-01-%s,%d\n' "$d" "1${d#0}" >>"$TMP/closed.csv"; done
printf 'S1,2024-01-09,0\n' >>"$TMP/closed.csv"
(cd "$TMP" && "$FORECAST" features closed.csv --lags 1,2 --windows 2 --agg mean --calendar none \
	--no-group-keys -o closed_f.csv 2>"$TMP/err")
assert "features of a panel with a closed day" test $? -eq 0
assert "the closed day is not a training row" sh -c "! grep -q '2024-01-05' '$TMP/closed_f.csv'"
assert "the day after it has no lag 1 (missing, not 0)" test "$(value_at "$TMP/closed_f.csv" S1,2024-01-06 lag_1)" = ""
assert "and lag 2 of the day before" test "$(value_at "$TMP/closed_f.csv" S1,2024-01-06 lag_2)" = 14
assert "a window over the gap averages what was open" test "$(value_at "$TMP/closed_f.csv" S1,2024-01-06 win2_mean)" = 14
assert "two days on, lag 2 is missing" test "$(value_at "$TMP/closed_f.csv" S1,2024-01-07 lag_2)" = ""
assert "a true zero stays a zero" test "$(value_at "$TMP/closed_f.csv" S1,2024-01-09 sales)" = 0

INPUTS="tiny.csv"
expect_error "unknown country" 4 "\-\-country ZZ: .*ZZ\.cal" -- features tiny.csv --country ZZ -o out.csv
INPUTS="tiny.csv badevents.csv"
expect_error "event column not a group" 2 "'shop' is not a group column" -- features tiny.csv --events badevents.csv -o out.csv
INPUTS="tiny.csv"
expect_error "bad lags" 2 '\-\-lags: expected' -- features tiny.csv --lags 0-3 -o out.csv
expect_error "bad aggregate" 2 '\-\-agg: .*median' -- features tiny.csv --agg median -o out.csv
expect_error "lag below shift" 2 'lag 1 is shorter than the forecast shift 2' -- features tiny.csv --shift 2 -o out.csv
expect_error "unknown known-future column" 2 "known-future: 'cost'" -- features tiny.csv --known-future cost -o out.csv
INPUTS="steps.csv"
expect_error "sdiff without season" 2 'sdiff: the data have no seasonal period' -- features steps.csv --time t --transform sdiff -o out.csv
expect_error "calendar on integer steps" 2 'integer steps' -- features steps.csv --time t --calendar dow -o out.csv
finish
