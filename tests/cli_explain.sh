#!/bin/sh
# End-to-end tests of `forecast explain` on the retail sample's gbdt model:
# importance with readable names, SHAP rows that add up to the learner's
# prediction, grouping to raw inputs, JSON, --series, and errors; and on
# local models (AirPassengers): members, weights and fitted parameters.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

cp "$SAMPLES/retail_daily.csv" "$TMP/retail.csv"
(cd "$TMP" && "$FORECAST" fit retail.csv --horizon 7 --models gbdt,naive --quiet -o f.csv --model-out g.model)
assert "fit with gbdt exits 0" test $? -eq 0
"$FORECAST" explain --model "$TMP/g.model" >"$TMP/ex.csv"
assert "explain exits 0" test $? -eq 0
assert "importance names lags and calendar features" \
	sh -c "grep -q '^importance_gain,gbdt,,,lag_1,target history,' '$TMP/ex.csv' && grep -q '^importance_gain,gbdt,,,dow,calendar,' '$TMP/ex.csv'"
n_series=$(tail -n +2 "$TMP/retail.csv" | cut -d, -f1,2 | sort -u | wc -l)
assert "one prediction row per series and step" test "$(grep -c '^prediction,' "$TMP/ex.csv")" -eq $((7 * n_series))
assert "base + SHAP = prediction on every row (1e-6)" awk -F, '
	$1 == "base" { b[$3 $4] = $7 } $1 == "prediction" { p[$3 $4] = $7 }
	$1 == "shap" { s[$3 $4] += $7 } $1 == "shap_raw" { r[$3 $4] += $7 }
	END { for (k in p) { d = b[k] + s[k] - p[k]; e = r[k] - s[k];
		if (d > 1e-6 || d < -1e-6 || e > 1e-6 || e < -1e-6) bad = 1; n++ }
		exit bad || n == 0 }' "$TMP/ex.csv"
assert "some feature gets a nonzero contribution" awk -F, '$1 == "shap" && $7 != 0 { ok = 1 } END { exit !ok }' "$TMP/ex.csv"
"$FORECAST" explain --model "$TMP/g.model" --format json --series S1,bread >"$TMP/ex.json"
assert "json parses and keeps only the series asked for" python3 -c "
import json, sys
d = json.load(open('$TMP/ex.json'))
rows = d[0]['rows']
assert len(rows) == 7 and all(r['series'] == 'S1,bread' for r in rows)
assert all(abs(r['base'] + sum(r['shap']) - r['prediction']) < 1e-6 for r in rows)
"
assert "each series lists its members and the naive member's parameters" \
	sh -c "test \$(grep -c '^member,gbdt,' '$TMP/ex.csv') -ge $n_series && grep -q '^parameter,naive,\"S1,bread\",,last,member ' '$TMP/ex.csv'"
"$FORECAST" explain --model "$TMP/g.model" --series S9,nothing >/dev/null 2>"$TMP/err"
assert "an unknown --series is a usage error" sh -c "test $? -eq 2 && grep -q 'no such series' '$TMP/err'"

# --data: the forecast predict --data would make
"$FORECAST" explain --model "$TMP/g.model" --data "$TMP/retail.csv" >"$TMP/ex_same.csv"
assert "--data with the training data explains what the model file keeps" cmp "$TMP/ex.csv" "$TMP/ex_same.csv"
awk -F, 'NR == 1 || ($3 <= "2024-11-30" && !($1 == "S4" && $2 == "bread"))' "$TMP/retail.csv" >"$TMP/newer.csv"
"$FORECAST" explain --model "$TMP/g.model" --data "$TMP/newer.csv" >"$TMP/ex_new.csv" 2>"$TMP/err"
assert "explain --data exits 0" test $? -eq 0
assert "a series missing from --data is named in a warning" grep -q "series store=S4,item=bread is not in .*newer.csv" "$TMP/err"
grep '"S4,bread"' "$TMP/ex.csv" >"$TMP/s4_old"
grep '"S4,bread"' "$TMP/ex_new.csv" >"$TMP/s4_new"
assert "...and explained from the end of the training data" \
	sh -c "test -s '$TMP/s4_old' && cmp '$TMP/s4_old' '$TMP/s4_new'"
assert "the other series' SHAP rows come from the newer data" \
	sh -c "! cmp -s '$TMP/ex.csv' '$TMP/ex_new.csv' && test \$(grep -c '^prediction,' '$TMP/ex_new.csv') -eq \$(grep -c '^prediction,' '$TMP/ex.csv')"
assert "base + SHAP = prediction with --data (1e-6)" awk -F, '
	$1 == "base" { b[$3 $4] = $7 } $1 == "prediction" { p[$3 $4] = $7 }
	$1 == "shap" { s[$3 $4] += $7 }
	END { for (k in p) { d = b[k] + s[k] - p[k]; if (d > 1e-6 || d < -1e-6) bad = 1; n++ }
		exit bad || n == 0 }' "$TMP/ex_new.csv"
OMP_NUM_THREADS=1 "$FORECAST" explain --model "$TMP/g.model" --data "$TMP/newer.csv" -q >"$TMP/t1.csv"
OMP_NUM_THREADS=4 "$FORECAST" explain --model "$TMP/g.model" --data "$TMP/newer.csv" -q >"$TMP/t4.csv"
assert "explain --data is the same for 1 and 4 threads" cmp "$TMP/t1.csv" "$TMP/t4.csv"
last=$(awk -F, '$1 == "S1" && $2 == "bread" { v = $4 } END { print v }' "$TMP/newer.csv")
assert "naive re-anchored on --data continues its last value ($last)" \
	grep -q "^parameter,naive,\"S1,bread\",,last,member [0-9],$last\$" "$TMP/ex_new.csv"

# local kinds: an ensemble of ARIMA, ETS, STL and Theta on AirPassengers
cp "$SAMPLES/air_passengers.csv" "$TMP/air.csv"
(cd "$TMP" && "$FORECAST" fit air.csv --horizon 12 --models arima,ets,stl,theta --ensemble mean --quiet -o fa.csv --model-out a.model)
assert "fit of local kinds exits 0" test $? -eq 0
"$FORECAST" explain --model "$TMP/a.model" >"$TMP/la.csv"
assert "explain of local kinds exits 0" test $? -eq 0
assert "an ensemble row and four members whose weights add to 1" awk -F, '
	$1 == "combination" && $NF == "mean" { c++ } $1 == "member" { n++; w += $NF }
	END { exit !(c == 1 && n == 4 && w > 0.999999 && w < 1.000001) }' "$TMP/la.csv"
assert "ARIMA orders and coefficients as R finds them" \
	sh -c "grep -q '^parameter,arima,\"\",,form,member [0-9],\"ARIMA(2,1,1)(0,1,0)\[12\]\"' '$TMP/la.csv' && grep -q '^parameter,arima,\"\",,ar1,member [0-9],0.59' '$TMP/la.csv'"
assert "ETS form and smoothing parameters" \
	sh -c "grep -q '^parameter,ets,\"\",,form,member [0-9],\"ETS(M,Ad,M)\"' '$TMP/la.csv' && grep -q '^parameter,ets,\"\",,alpha,' '$TMP/la.csv' && grep -q '^parameter,ets,\"\",,phi,' '$TMP/la.csv'"
assert "every CSV row has the header's 7 fields (quoted forms and keys)" python3 -c "
import csv
for path in ('$TMP/la.csv', '$TMP/ex.csv'):
    rows = list(csv.reader(open(path)))
    assert rows[0] == 'section,model,series,step,feature,source,value'.split(',')
    assert all(len(r) == 7 for r in rows), path
"
assert "STL strengths in [0, 1] and the adjusted series' model" awk -F, '
	$1 == "parameter" && $2 == "stl" && $5 ~ /strength/ { n++; if ($NF < 0 || $NF > 1) bad = 1 }
	$1 == "parameter" && $2 == "stl" && $5 == "adjusted.alpha" { a = 1 }
	END { exit bad || n != 2 || !a }' "$TMP/la.csv"
assert "Theta's parameters" sh -c "grep -q '^parameter,theta,\"\",,theta,member [0-9],2\$' '$TMP/la.csv' && grep -q '^parameter,theta,\"\",,drift,' '$TMP/la.csv'"
"$FORECAST" explain --model "$TMP/a.model" --format json >"$TMP/la.json"
assert "json of local kinds parses, with the same parameters" python3 -c "
import json
d = json.load(open('$TMP/la.json'))
assert len(d) == 1 and d[0]['model'] == 'ensemble' and d[0]['combine'] == 'mean'
m = {x['model']: x for x in d[0]['members']}
assert sorted(m) == ['arima', 'ets', 'stl', 'theta']
assert m['arima']['parameters']['form'] == 'ARIMA(2,1,1)(0,1,0)[12]'
assert abs(m['arima']['parameters']['ar1'] - 0.596) < 1e-3
assert 0 <= m['stl']['parameters']['seasonal_strength_12'] <= 1
assert abs(sum(x['weight'] for x in m.values()) - 1) < 1e-9
"
head -133 "$TMP/air.csv" >"$TMP/air_old.csv"
"$FORECAST" explain --model "$TMP/a.model" --data "$TMP/air_old.csv" >"$TMP/la_old.csv"
assert "explain --data of local kinds exits 0" test $? -eq 0
assert "re-anchoring keeps ARIMA's estimates" \
	sh -c "test \"\$(grep '^parameter,arima,' '$TMP/la.csv')\" = \"\$(grep '^parameter,arima,' '$TMP/la_old.csv')\""
(cd "$TMP" && "$FORECAST" fit air_old.csv --horizon 12 --models stl --quiet -o fo.csv --model-out o.model)
"$FORECAST" explain --model "$TMP/o.model" >"$TMP/lo.csv"
assert "STL strengths with --data are those of the newer data's decomposition" \
	sh -c "test \"\$(grep -E '^parameter,stl,.*strength' '$TMP/la_old.csv' | cut -d, -f5,7)\" = \"\$(grep -E '^parameter,stl,.*strength' '$TMP/lo.csv' | cut -d, -f5,7)\" && test \"\$(grep -E '^parameter,stl,.*strength' '$TMP/la_old.csv' | cut -d, -f7)\" != \"\$(grep -E '^parameter,stl,.*strength' '$TMP/la.csv' | cut -d, -f7)\""
"$FORECAST" explain --model "$TMP/g.model" --format xml >/dev/null 2>"$TMP/err"
assert "a bad --format is a usage error" test $? -eq 2
"$FORECAST" explain --bogus x >/dev/null 2>"$TMP/err"
assert "an unknown option is a usage error" test $? -eq 2
"$FORECAST" predict --bogus x >/dev/null 2>"$TMP/err_predict"
assert "...with predict's message" sh -c "sed 's/predict/explain/' '$TMP/err_predict' | cmp - '$TMP/err'"
"$FORECAST" explain --model >/dev/null 2>"$TMP/err"
assert "an option without its value is a usage error" sh -c "test $? -eq 2 && grep -q \"option '--model' needs a value\" '$TMP/err'"
"$FORECAST" explain "$TMP/g.model" >/dev/null 2>"$TMP/err"
assert "a positional argument is a usage error" sh -c "test $? -eq 2 && grep -q 'unexpected argument' '$TMP/err'"
"$FORECAST" explain -h >"$TMP/help"
assert "-h prints the usage" sh -c "test $? -eq 0 && grep -q '^Usage: forecast explain' '$TMP/help'"
"$FORECAST" explain --model "$TMP/g.model" --data "$TMP/newer.csv" --quiet -o "$TMP/ex_q.csv" 2>"$TMP/err"
assert "--quiet silences the warning, -o writes the same explanation" \
	sh -c "test $? -eq 0 && ! test -s '$TMP/err' && cmp '$TMP/ex_q.csv' '$TMP/ex_new.csv'"
"$FORECAST" explain >/dev/null 2>"$TMP/err"
assert "--model is required" sh -c "test $? -eq 2 && grep -q 'model FILE is required' '$TMP/err'"
finish
