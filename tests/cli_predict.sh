#!/bin/sh
# End-to-end tests of `forecast predict`: reuse of a saved model, with and
# without newer data, and refusal of bad model files.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

{
	echo "store,date,sales"
	for s in a b; do
		for d in $(seq 0 59); do
			day=$(date -u -d "2024-01-01 + $d day" +%Y-%m-%d)
			if [ $s = a ]; then v=$(( (d % 7) * 3 + 10 )); else v=$(( 100 + d )); fi
			echo "$s,$day,$v"
		done
	done
} >"$TMP/hist.csv"
cd "$TMP" || exit 1
"$FORECAST" fit hist.csv --horizon 7 --quiet -o fit.csv --model-out hist.model
assert "fit for predict exits 0" test $? -eq 0

"$FORECAST" predict --model hist.model >pred.csv
assert "predict without data repeats fit's forecasts exactly" cmp fit.csv pred.csv
"$FORECAST" predict --model hist.model --horizon 3 --level 90 >pred3.csv
assert "predict --horizon sets the rows per series" test "$(tail -n +2 pred3.csv | wc -l)" -eq 6
assert "predict --level sets the columns" sh -c "head -1 pred3.csv | grep -qx 'store,date,forecast,lo_90,hi_90,model'"

# Newer data: ten more days, and store b jumps to a new level.
{
	cat hist.csv
	for d in $(seq 60 69); do
		day=$(date -u -d "2024-01-01 + $d day" +%Y-%m-%d)
		echo "a,$day,$(( (d % 7) * 3 + 10 ))"
		echo "b,$day,$(( 500 + d ))"
	done
} >newer.csv
"$FORECAST" predict --model hist.model --data newer.csv -o anchored.csv 2>anchored.err
assert "predict --data exits 0" test $? -eq 0
assert "re-anchored forecasts start after the newer data" grep -q '^a,2024-03-11,' anchored.csv
model_b=$(awk -F, '$1 == "b" { print $NF; exit }' fit.csv)
assert "store b keeps its chosen model ($model_b)" sh -c "awk -F, '\$1 == \"b\" { print \$NF }' anchored.csv | sort -u | grep -qx '$model_b'"
assert "store b's forecast follows the new level" awk -F, '$1 == "b" && $2 == "2024-03-11" { exit !($3 > 500) }' anchored.csv
assert "atomic output: no temporary file left" sh -c "! ls | grep -q '\.tmp\.'"

# A series that the model does not know is reported, not silently dropped.
{ cat newer.csv; echo "c,2024-03-10,5"; echo "c,2024-03-09,4"; } >extra.csv
"$FORECAST" predict --model hist.model --data extra.csv -o extra.out 2>extra.err
assert "unknown series warned about" grep -q 'series store=c of extra.csv is not in the model' extra.err

# A member that cannot take the newer data (a multiplicative ETS meeting a
# zero) is left out of its series' forecast, with a warning; the others
# forecast, and with none left, naive on the newer data.
{
	echo "store,date,sales"
	for s in a b; do
		for d in $(seq 0 69); do
			day=$(date -u -d "2024-01-01 + $d day" +%Y-%m-%d)
			if [ $s = a ]; then v=$(( (d % 7) * 3 + 10 )); else v=$(( 100 + d % 5 )); fi
			[ $s = a ] && [ $d -eq 66 ] && v=0
			echo "$s,$day,$v"
		done
	done
} >zero.csv
grep -v '^a,2024-03-07,' zero.csv >nozero.csv
awk -F, 'NR == 1 || $2 < "2024-03-01"' zero.csv >zhist.csv
"$FORECAST" fit zhist.csv --horizon 7 --models ets,snaive --param ets.model=MNM --ensemble mean \
	--quiet -o /dev/null --model-out mnm.model
assert "fit of a multiplicative ETS and snaive exits 0" test $? -eq 0
"$FORECAST" predict --model mnm.model --data zero.csv -o zero.fc.csv 2>zero.err
assert "a member that cannot re-anchor: predict exits 0" test $? -eq 0
assert "... and says which series and why" \
	grep -q "series store=a: .*multiplicative components need positive data; left out, forecast by snaive" zero.err
assert "... and warns about no other series" test "$(grep -c '^forecast: warning' zero.err)" -eq 1
# snaive on the newer data: the last week of a, repeated
awk -F, '$1 == "a" { v[NR] = $3; n = NR } END { for (i = n - 6; i <= n; i++) print v[i] }' zero.csv >a.want
awk -F, '$1 == "a" { print $3 + 0 }' zero.fc.csv >a.got
assert "... the series is forecast by the member left: seasonal naive of the newer data" diff a.want a.got
assert "... from the newer data's end" grep -q '^a,2024-03-11,' zero.fc.csv
"$FORECAST" predict --model mnm.model --data nozero.csv -o nozero.fc.csv 2>/dev/null
grep '^b,' zero.fc.csv >zero.b
grep '^b,' nozero.fc.csv >nozero.b
assert "... and the other series are forecast as without the zero" cmp zero.b nozero.b
assert "... by both members" test "$(grep -c ',ensemble$' zero.b)" -eq 7
"$FORECAST" fit zhist.csv --horizon 7 --models ets --param ets.model=MNM --quiet -o /dev/null \
	--model-out mnm1.model
"$FORECAST" predict --model mnm1.model --data zero.csv -o zero1.fc.csv 2>zero1.err
assert "no member left: predict exits 0" test $? -eq 0
assert "... says naive" grep -q "series store=a: .*; left out, forecast by naive on the newer data" zero1.err
last_a=$(awk -F, '$1 == "a" { v = $3 } END { print v }' zero.csv)
assert "... which forecasts a's last newer value, 7 steps, labelled naive" \
	test "$(awk -F, -v v="$last_a" '$1 == "a" && $3 + 0 == v && $NF == "naive"' zero1.fc.csv | wc -l)" -eq 7

# Bad model files.
sed 's/^horizon\t7$/horizon\t8/' hist.model >edited.model
"$FORECAST" predict --model edited.model >/dev/null 2>edited.err
assert "an edited model file fails its checksum (exit 4)" test $? -eq 4
assert "checksum message" grep -q 'checksum mismatch' edited.err
sed '1s/\t2$/\t3/' hist.model >v3.model
"$FORECAST" predict --model v3.model >/dev/null 2>v3.err
assert "another format version is refused (exit 4)" test $? -eq 4
assert "version message" grep -q 'version 3; this forecast reads version' v3.err
"$FORECAST" predict --model hist.model --data missing.csv -o never.csv 2>/dev/null
assert "missing data file: exit 4" test $? -eq 4
assert "missing data file: no output" test ! -e never.csv

finish
