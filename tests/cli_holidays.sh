#!/bin/sh
# `forecast holidays`: dates a calendar computes, observed days included,
# both output formats, and clear errors.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

"$FORECAST" holidays --country US --from 2021 --to 2022 --format csv >"$TMP/us.csv" 2>"$TMP/err"
assert "US 2021-2022 listed" test -s "$TMP/us.csv"
assert "Independence Day 2022" grep -q '^2022-07-04,US,Independence Day,0' "$TMP/us.csv"
# New Year's Day 2022 is a Saturday: observed on Friday 31 December 2021
assert "observed New Year on 2021-12-31" grep -q "^2021-12-31,US,New Year's Day,1" "$TMP/us.csv"
assert "Thanksgiving 2021 (fourth Thursday)" grep -q '^2021-11-25,US,Thanksgiving Day' "$TMP/us.csv"
"$FORECAST" holidays --country BR,EC --from 2024 --to 2024 >"$TMP/table.txt" 2>"$TMP/err"
assert "table with two countries" sh -c "grep -q 'Carnaval' '$TMP/table.txt' && grep -q ' EC ' '$TMP/table.txt'"
# Easter-relative: Good Friday 2024 (Easter 31 March)
assert "Good Friday 2024 in Ecuador" grep -q '2024-03-29' "$TMP/table.txt"
# India's festival tables end in 2035: a later year says so on stderr
"$FORECAST" holidays --country IN --from 2030 --to 2036 --format csv >"$TMP/in.csv" 2>"$TMP/err"
assert "Diwali 2030 listed" grep -q '^2030-10-26,IN,Diwali' "$TMP/in.csv"
assert "no Diwali in 2036" sh -c "! grep -q '^2036-.*Diwali' '$TMP/in.csv'"
assert "warning names the table's years" grep -q 'Holi has dates for 2001-2035 only' "$TMP/err"
# the same loader as the features: 'features' and 'fit' on data of 2035-2036
# warn in the same words as 'holidays' for the years they use (those of the
# data and the horizon, and one more each side)
{
	echo "date,y"
	d=0
	while [ "$d" -lt 400 ]; do
		echo "$(date -u -d "2035-06-01 + $d day" +%Y-%m-%d),$((10 + d % 7))"
		d=$((d + 1))
	done
} >"$TMP/in_data.csv"
"$FORECAST" holidays --country IN --from 2034 --to 2037 >/dev/null 2>"$TMP/hol.err"
(cd "$TMP" && "$FORECAST" features in_data.csv --country IN -o feat.csv 2>"$TMP/feat.err")
(cd "$TMP" && "$FORECAST" fit in_data.csv --horizon 7 --models gbdt --param gbdt.n_trees=5 --country IN \
	-o fit.csv --model-out fit.model >/dev/null 2>"$TMP/fit.err")
assert "holidays warns of the table's end" \
	grep -qx 'forecast: warning: --country IN: Holi has dates for 2001-2035 only; none in the rest of 2034-2037' "$TMP/hol.err"
assert "features warns in the same words" sh -c "grep 'warning: --country' '$TMP/feat.err' | cmp -s - '$TMP/hol.err'"
assert "fit warns in the same words" sh -c "grep 'warning: --country' '$TMP/fit.err' | cmp -s - '$TMP/hol.err'"
# years before a calendar's range: listed as far as it goes, with a warning
"$FORECAST" holidays --country JP,US --from 1988 --to 1990 --format csv >"$TMP/jp.csv" 2>"$TMP/err"
assert "years outside a calendar's range: warned" \
	grep -qx 'forecast: warning: --country JP: the calendar covers 1990-2050 only; no holidays in the rest of 1988-1990' "$TMP/err"
assert "years outside a calendar's range: the years it covers listed" \
	sh -c "grep -q '^1990-01-01,JP,' '$TMP/jp.csv' && ! grep -q '^1989-..-..,JP,' '$TMP/jp.csv' && grep -q '^1988-01-01,US,' '$TMP/jp.csv'"
"$FORECAST" holidays --country IN --from 2024 --to 2026 --format csv >"$TMP/in.csv" 2>"$TMP/err"
assert "no warning inside the tables' years" sh -c "! test -s '$TMP/err'"

INPUTS=""
expect_error "unknown country" 4 'ZZ\.cal' -- holidays --country ZZ --from 2024 --to 2024
expect_error "reversed years" 2 'from|to' -- holidays --country US --from 2025 --to 2024
expect_error "no country" 2 'country' -- holidays --from 2024 --to 2024
finish
