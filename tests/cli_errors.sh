#!/bin/sh
# Bad input and bad flags: one clear message naming the file, line and
# column, the documented exit code, and no output file left behind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

good() {
	printf 'store,item,date,sales\n'
	for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
		printf '1,1,2024-01-%s,%d\n' "$d" "${d#0}"
	done
}
good >"$TMP/good.csv"
: >"$TMP/empty.csv"
printf 'store,item,date,sales\n' >"$TMP/header.csv"
{ good | head -4; printf '1,1,2024-02-30,7\n'; } >"$TMP/baddate.csv"
{ good | head -5; printf '1,1,2024-01-05,12.5x\n'; } >"$TMP/badnum.csv"
{ good | head -3; printf '1,1,2024-01-03 10:00,3\n'; } >"$TMP/mixed.csv"
printf 'date,sales\n2024-01-05,1\n2024-01-12,2\n2024-01-19,3\n2024-01-22,4\n2024-01-26,5\n2024-02-02,6\n' >"$TMP/irregular.csv"
{ good | head -6; printf '1,1,2024-01-02,9\n'; } >"$TMP/dup.csv"
{ good | head -3; printf '1,1,2024-01-03\n'; } >"$TMP/fields.csv"
printf 'date,a,b\n2024-01-01,1,2\n2024-01-02,3,4\n' >"$TMP/ambiguous.csv"
printf 'forecast-model\t1\ngarbage\n' >"$TMP/corrupt.model"
printf 'date,y\n1012-01-05,4\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,5\n4048-01-01,1\n' >"$TMP/span.csv"

INPUTS="empty.csv"
expect_error "empty file" 3 'empty\.csv: empty file' -- fit empty.csv --horizon 3
INPUTS="header.csv"
expect_error "header only" 3 'header\.csv:2: no data rows' -- fit header.csv --horizon 3
INPUTS="span.csv"
expect_error "a few rows over three thousand years" 3 'span\.csv: the series would span 1108[0-9]* timestamps for 6 distinct ones.*check the time column' -- fit span.csv --horizon 3
INPUTS="good.csv"
expect_error "unknown --target column" 2 "unknown column 'nope'.*store, item, date, sales" -- fit good.csv --horizon 3 --target nope
expect_error "unknown --group column" 2 "unknown column 'shop'" -- fit good.csv --horizon 3 --group shop
INPUTS="baddate.csv"
expect_error "unparsable date" 3 'baddate\.csv:5:3: .*2024-02-30' -- fit baddate.csv --horizon 3
INPUTS="badnum.csv"
expect_error "unparsable number" 3 "badnum\.csv:6:4: column 'sales': \"12\.5x\" is not a number" -- fit badnum.csv --horizon 3
INPUTS="mixed.csv"
expect_error "mixed time formats" 3 'mixed\.csv:4:3: .*mixed time formats' -- fit mixed.csv --horizon 3
INPUTS="irregular.csv"
expect_error "irregular timestamps" 3 'irregular\.csv:5:1: .*2024-01-22' -- fit irregular.csv --horizon 2
INPUTS="dup.csv"
expect_error "duplicate timestamp" 3 'dup\.csv:7:3: duplicate timestamp 2024-01-02.*line 3.*--aggregate' -- fit dup.csv --horizon 3
INPUTS="fields.csv"
expect_error "wrong field count" 3 'fields\.csv:4: expected 4 fields, found 3' -- fit fields.csv --horizon 3
INPUTS="ambiguous.csv"
expect_error "ambiguous target" 3 'a, b.*--target' -- fit ambiguous.csv --horizon 1
INPUTS=""
expect_error "missing file" 4 "cannot open 'nothere\.csv'" -- fit nothere.csv --horizon 3
INPUTS="corrupt.model"
expect_error "corrupt model file" 4 'corrupt\.model.*(corrupt|truncated)' -- predict --model corrupt.model
INPUTS="good.csv"
expect_error "model file given as data" 4 'good\.csv: not a forecast model file' -- predict --model good.csv

# Absurd flags are usage errors before any work starts.
expect_error "no horizon" 2 'horizon is required' -- fit good.csv
expect_error "zero horizon" 2 '\-\-horizon: expected a whole number' -- fit good.csv --horizon 0
expect_error "text horizon" 2 '\-\-horizon: expected a whole number' -- fit good.csv --horizon ten
expect_error "negative folds" 2 '\-\-folds' -- fit good.csv --horizon 3 --folds -1
expect_error "level over 100" 2 '\-\-level' -- fit good.csv --horizon 3 --level 80,120
# --season 1: no seasonal period (yearly data can say so)
(cd "$TMP" && "$FORECAST" fit good.csv --horizon 3 --season 1 -o s1.csv --model-out s1.model 2>s1.err)
assert "--season 1 is accepted" test $? -eq 0
assert "--season 1 means no seasonal period" grep -q "no seasonal period" "$TMP/s1.err"
expect_error "bad metric" 2 '\-\-metric' -- fit good.csv --horizon 3 --metric r2
expect_error "bad fill" 2 '\-\-fill' -- fit good.csv --horizon 3 --fill magic
expect_error "bad freq" 2 '\-\-freq' -- fit good.csv --horizon 3 --freq fortnightly
expect_error "unknown model" 2 "unknown model 'prophet'.*naive" -- fit good.csv --horizon 3 --models naive,prophet
expect_error "unknown param" 2 "has no parameter 'bogus'" -- fit good.csv --horizon 3 --param window.bogus=1
expect_error "bad param value" 2 'window\.size' -- fit good.csv --horizon 3 --param window.size=-4
expect_error "unknown option" 2 "unknown option '--colour'" -- fit good.csv --horizon 3 --colour
expect_error "unknown command" 2 "unknown command 'fitt'" -- fitt good.csv
expect_error "cv rejects --output" 2 "unknown option '--output'" -- cv good.csv --horizon 3 --output x.csv
expect_error "strict short series" 3 'series store=1,item=1: .*--strict' -- fit good.csv --horizon 18 --folds 3 --strict

finish
