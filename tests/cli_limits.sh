#!/bin/sh
# Input limits (README "Input limits"): absurd input is a clear error naming
# the file (and line and column where there is one), exit code 3 and no
# output file, or a documented behaviour.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# daily_9999 K: the days of December 9999 up to K days before 9999-12-31
daily_9999() {
	printf 'date,y\n'
	i=1
	while [ "$i" -le 31 ]; do
		[ "$i" -le $((31 - $1)) ] && printf '9999-12-%02d,%d\n' "$i" $((10 + i % 7))
		i=$((i + 1))
	done
}
daily_9999 0 >"$TMP/end9999.csv"
daily_9999 3 >"$TMP/near9999.csv"

INPUTS="end9999.csv"
expect_error "fit: forecast past 9999-12-31" 3 \
	"end9999\.csv: series 'y' ends at 9999-12-31; a horizon of 1 would forecast past 9999-12-31" \
	-- fit end9999.csv --horizon 1 --models naive
INPUTS="near9999.csv"
# ends 9999-12-28: a horizon of 3 reaches 9999-12-31 exactly
if (cd "$TMP" && "$FORECAST" fit near9999.csv --horizon 3 --models naive -q -o near.csv \
	--model-out near.model 2>"$TMP/err") && [ "$(tail -n 1 "$TMP/near.csv" | cut -d, -f1)" = 9999-12-31 ]
then
	ok "fit: a forecast ending on 9999-12-31 is written"
else
	not_ok "fit: a forecast ending on 9999-12-31 is written" "$(cat "$TMP/err")"
fi
INPUTS="near.model"
expect_error "predict: forecast past 9999-12-31" 3 \
	'near\.model: series 1 of the model ends at 9999-12-28; a horizon of 4 would forecast past 9999-12-31' \
	-- predict --model near.model --horizon 4 -o out.csv

# 1e308 is finite but overflows sums and squares: refused where it is
values() {
	printf 'date,y\n'
	for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
		if [ "$d" = 06 ]; then printf '2024-01-%s,%s\n' "$d" "$1"; else printf '2024-01-%s,%d\n' "$d" $((10 + ${d#0} % 3)); fi
	done
}
values 1e308 >"$TMP/huge.csv"
values -1e308 >"$TMP/neghuge.csv"
values 1e300 >"$TMP/limit.csv"
INPUTS="huge.csv"
expect_error "value 1e308" 3 "huge\.csv:7:2: column 'y': \"1e308\" is too large \(values are limited to 1e\+300" \
	-- fit huge.csv --horizon 3
INPUTS="neghuge.csv"
expect_error "value -1e308" 3 "neghuge\.csv:7:2: column 'y': \"-1e308\" is too large" \
	-- fit neghuge.csv --horizon 3
if (cd "$TMP" && "$FORECAST" fit limit.csv --horizon 3 --models naive -q -o limit.out.csv \
	--model-out limit.model 2>"$TMP/err"); then
	ok "value 1e300 (the limit) is read"
else
	not_ok "value 1e300 (the limit) is read" "$(cat "$TMP/err")"
fi

# a horizon longer than the history: the documented fallback, named on stderr
printf 'date,y\n' >"$TMP/short.csv"
for d in 01 02 03 04 05 06 07 08 09 10; do printf '2024-01-%s,%d\n' "$d" $((10 + ${d#0} % 3)) >>"$TMP/short.csv"; done
if (cd "$TMP" && "$FORECAST" fit short.csv --horizon 50 -o short.out.csv --model-out short.model \
	>/dev/null 2>"$TMP/err") &&
	grep -q 'warning: .*10 observations are too few to back-test a horizon of 50; combined ets and theta' "$TMP/err" &&
	[ "$(wc -l <"$TMP/short.out.csv")" -eq 51 ] && [ "$(tail -n 1 "$TMP/short.out.csv" | cut -d, -f1)" = 2024-02-29 ]
then
	ok "horizon 50 on 10 observations: ets and theta, named on stderr"
else
	not_ok "horizon 50 on 10 observations: ets and theta, named on stderr" "$(cat "$TMP/err")"
fi
INPUTS="short.csv"
expect_error "horizon 50 on 10 observations with --strict" 3 'too few to back-test a horizon of 50' \
	-- fit short.csv --horizon 50 --strict -o out.csv

# a cell over 1 MiB (1048576 bytes), unquoted and quoted over many lines
cell() { head -c "$1" /dev/zero | tr '\0' "$2"; }
{ printf 'date,y,note\n2024-01-01,1,'; cell 1048577 a; printf '\n2024-01-02,2,b\n'; } >"$TMP/cell.csv"
{ printf 'date,y,note\n2024-01-01,1,"'; cell 1048577 '\n'; printf '"\n2024-01-02,2,b\n'; } >"$TMP/cellq.csv"
INPUTS="cell.csv"
expect_error "cell of 1 MiB + 1 byte" 3 'cell\.csv:2:3: cell longer than 1048576 bytes' -- fit cell.csv --horizon 1
INPUTS="cellq.csv"
expect_error "quoted cell of 1 MiB + 1 byte" 3 'cellq\.csv:2:3: cell longer than 1048576 bytes' -- fit cellq.csv --horizon 1
{ printf 'date,y,note\n2024-01-01,1,'; cell 1048576 a; printf '\n'; } >"$TMP/cellok.csv"
for d in 02 03 04 05 06 07 08 09 10; do printf '2024-01-%s,%d,b\n' "$d" "${d#0}" >>"$TMP/cellok.csv"; done
if (cd "$TMP" && "$FORECAST" fit cellok.csv --horizon 1 --models naive -q -o cellok.out.csv \
	--model-out cellok.model 2>"$TMP/err"); then
	ok "cell of exactly 1 MiB is read"
else
	not_ok "cell of exactly 1 MiB is read" "$(cat "$TMP/err")"
fi

# 10001 columns: refused at the header's 10001st field
header() { printf 'date,y'; i=3; while [ "$i" -le "$1" ]; do printf ',c%d' "$i"; i=$((i + 1)); done; printf '\n'; }
{ header 10001; printf '2024-01-01,1\n'; } >"$TMP/cols.csv"
INPUTS="cols.csv"
expect_error "10001 columns" 3 'cols\.csv:1:10001: more than 10000 columns' -- fit cols.csv --horizon 1
{ header 10000; printf '2024-01-01,1\n'; } >"$TMP/cols_ok.csv"
INPUTS="cols_ok.csv"
expect_error "10000 columns are read (then the row is short)" 3 'cols_ok\.csv:2: expected 10000 fields, found 2' \
	-- fit cols_ok.csv --horizon 1

# a line of more than 64 MiB (67108864 bytes, the line break not counted),
# made of cells each within 1 MiB: 2024-01-01,1 then 64 cells, the last
# sized to put the line at the limit exactly, or one byte past it
long_line() {
	header 66
	printf '2024-01-01,1'
	i=1
	while [ "$i" -le 63 ]; do printf ','; cell 1048576 a; i=$((i + 1)); done
	printf ','; cell $((67108864 - 12 - 64 - 63 * 1048576 + $1)) a; printf '\n'
	for d in 02 03 04 05; do printf '2024-01-%s,%d' "$d" "${d#0}"; i=3; while [ "$i" -le 66 ]; do printf ',b'; i=$((i + 1)); done; printf '\n'; done
}
long_line 1 >"$TMP/line.csv"
INPUTS="line.csv"
expect_error "line of 64 MiB + 1 byte" 3 'line\.csv:2: line longer than 67108864 bytes \(the limit\)' \
	-- fit line.csv --horizon 1
rm -f "$TMP/line.csv"
long_line 0 >"$TMP/line_ok.csv"
if [ "$(sed -n 2p "$TMP/line_ok.csv" | wc -c)" -eq 67108865 ] &&
	(cd "$TMP" && "$FORECAST" fit line_ok.csv --horizon 1 --models naive -q -o line_ok.out.csv \
	--model-out line_ok.model 2>"$TMP/err"); then
	ok "line of exactly 64 MiB is read"
else
	not_ok "line of exactly 64 MiB is read" "$(cat "$TMP/err")"
fi
rm -f "$TMP/line_ok.csv"

finish
