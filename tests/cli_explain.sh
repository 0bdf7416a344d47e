#!/bin/sh
# End-to-end tests of `forecast explain` on the retail sample's gbdt model:
# importance with readable names, SHAP rows that add up to the learner's
# prediction, grouping to raw inputs, JSON, --series, and errors.
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
"$FORECAST" explain --model "$TMP/g.model" --format xml >/dev/null 2>"$TMP/err"
assert "a bad --format is a usage error" test $? -eq 2
"$FORECAST" explain >/dev/null 2>"$TMP/err"
assert "--model is required" sh -c "test $? -eq 2 && grep -q 'model FILE is required' '$TMP/err'"
finish
