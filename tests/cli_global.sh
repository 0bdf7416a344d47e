#!/bin/sh
# The global gbdt model through the CLI: fit with it among the candidates,
# the model file keeps it once with each series' recent history, predict
# reproduces the fit's forecasts from the file alone and from the same
# data, and forecasts from newer data's end.  Also -q silences the run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

cp "$SAMPLES/retail_daily.csv" "$TMP/sales.csv"
(cd "$TMP" && "$FORECAST" fit sales.csv --horizon 7 --models naive,gbdt --param gbdt.n_trees=40 -q \
	--ensemble none >"$TMP/out.txt" 2>"$TMP/err.txt")
assert "fit with gbdt succeeds" test -s "$TMP/sales.csv.model"
assert "-q prints nothing on stderr" test ! -s "$TMP/err.txt"
assert "gbdt wins some series" grep -q ',gbdt$' "$TMP/sales.csv.forecast.csv"
assert "model file holds one global record" test "$(grep -c '^global	gbdt' "$TMP/sales.csv.model")" -eq 1
assert "gbdt series keep their history" grep -q '^history	' "$TMP/sales.csv.model"
(cd "$TMP" && "$FORECAST" predict --model sales.csv.model -o p1.csv 2>/dev/null)
assert "predict from the model file = fit" sh -c "sort '$TMP/p1.csv' | cmp -s - '$TMP/sorted_fit' || { sort '$TMP/sales.csv.forecast.csv' > '$TMP/sorted_fit'; sort '$TMP/p1.csv' | cmp -s - '$TMP/sorted_fit'; }"
(cd "$TMP" && "$FORECAST" predict --model sales.csv.model --data sales.csv -o p2.csv 2>/dev/null)
assert "gbdt rows of predict --data (same data) = fit" sh -c "grep ',gbdt\$' '$TMP/p2.csv' | sort > '$TMP/a'; grep ',gbdt\$' '$TMP/sales.csv.forecast.csv' | sort > '$TMP/b'; test -s '$TMP/a' && cmp -s '$TMP/a' '$TMP/b'"
head -1 "$TMP/sales.csv" > "$TMP/short.csv"
awk -F, 'NR > 1 && $3 < "2024-12-01"' "$TMP/sales.csv" >> "$TMP/short.csv"
(cd "$TMP" && "$FORECAST" predict --model sales.csv.model --data short.csv -o p3.csv 2>/dev/null)
assert "predict --data newer forecasts from its end" grep -q '^S1,bread,2024-12-01,.*,gbdt$' "$TMP/p3.csv"
(cd "$TMP" && OMP_NUM_THREADS=1 "$FORECAST" fit sales.csv --horizon 7 --models naive,gbdt --param gbdt.n_trees=40 \
	-q --output one.csv --model-out one.model)
(cd "$TMP" && OMP_NUM_THREADS=2 "$FORECAST" fit sales.csv --horizon 7 --models naive,gbdt --param gbdt.n_trees=40 \
	-q --output two.csv --model-out two.model)
assert "same forecasts for 1 and 2 threads" cmp "$TMP/one.csv" "$TMP/two.csv"
assert "same model file for 1 and 2 threads" cmp "$TMP/one.model" "$TMP/two.model"
# the large learner (bagging and feature sampling) is thread-independent too
for t in 1 2; do
	(cd "$TMP" && OMP_NUM_THREADS=$t "$FORECAST" fit sales.csv --horizon 7 --models naive,gbdt \
		--param gbdt.capacity=large --param gbdt.n_trees=30 -q --output large$t.csv --model-out large$t.model)
done
assert "capacity=large: same forecasts for 1 and 2 threads" cmp "$TMP/large1.csv" "$TMP/large2.csv"
assert "capacity=large: 255 leaves, rate 0.05, the set n_trees kept" \
	sh -c "grep -q 'gbdt_num_leaves=255 .*gbdt_n_trees=30 ' '$TMP/large1.model' && grep -q 'gbdt_learning_rate=0.050000000000000003 ' '$TMP/large1.model'"
assert "the default on 24 series is the small learner" grep -q 'gbdt_num_leaves=31 ' "$TMP/one.model"

(cd "$TMP" && "$FORECAST" fit sales.csv --horizon 7 --models naive,gbdt --param gbdt.n_trees=20 \
	--country US --lags 1-7,14 --strategy direct --refit-every 3 --ensemble none -q -o direct.csv \
	--model-out direct.model)
assert "feature flags reach the global model" grep -q '^global	gbdt	strategy=direct lags=1-7,14 .*country=US' "$TMP/direct.model"
assert "direct strategy forecasts" grep -q ',gbdt$' "$TMP/direct.csv"

# the default ensemble: members of both kinds, saved and reproduced by predict
(cd "$TMP" && "$FORECAST" fit sales.csv --horizon 7 --models naive,snaive,gbdt --param gbdt.n_trees=40 -q \
	-o ens.csv --model-out ens.model)
assert "some series are forecast by an ensemble" grep -q ',ensemble$' "$TMP/ens.csv"
assert "the model file lists the members and their weights" grep -q '^member	gbdt	0\.' "$TMP/ens.model"
(cd "$TMP" && "$FORECAST" predict --model ens.model -o ens_p.csv 2>/dev/null)
assert "predict from the model file = fit, ensembles included" cmp "$TMP/ens.csv" "$TMP/ens_p.csv"
(cd "$TMP" && "$FORECAST" predict --model ens.model --data sales.csv -o ens_p2.csv 2>/dev/null)
assert "predict --data (same data) = fit, ensembles included" cmp "$TMP/ens.csv" "$TMP/ens_p2.csv"

# group values that need escaping in the model file: '%' (also before hex
# digits), a tab; the global state and the series records must read back
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } $2 == "bread" || $2 == "milk" {
	if ($1 == "S1") $1 = "50% off"; else if ($1 == "S2") $1 = "tab\there"; else if ($1 == "S4") $1 = "%41x"
	print }' "$TMP/sales.csv" > "$TMP/odd.csv"
(cd "$TMP" && "$FORECAST" fit odd.csv --horizon 7 --models snaive,gbdt --param gbdt.n_trees=20 --global-by store \
	-q -o odd_fit.csv --model-out odd.model)
assert "escaped group values in the model file" grep -q '^series	%2541x	bread$' "$TMP/odd.model"
(cd "$TMP" && "$FORECAST" predict --model odd.model -o odd_p.csv 2>/dev/null)
assert "predict = fit with escaped group values" cmp "$TMP/odd_fit.csv" "$TMP/odd_p.csv"
assert "group values come back as written" grep -q '^%41x,bread,' "$TMP/odd_p.csv"

# --events: promotions lift sales by 60; the global model learns it from
# the event features and forecasts the promotion inside the horizon, the
# events kept in the model file so that predict needs no events file
awk 'BEGIN {
	print "store,date,sales" > "'"$TMP"'/promo.csv"
	print "date,name,store" > "'"$TMP"'/promo_events.csv"
	split("5 17 26 38 49 61 70 83 95 104 116 127 139 150 158 171 183 194 205", p, " ")
	for (k in p) promo[p[k]] = 1
	for (s = 1; s <= 3; s++)
		for (d = 0; d < 220; d++) {
			t = d * 86400 + 1704067200   # from 2024-01-01
			day = strftime("%Y-%m-%d", t, 1)
			if (d < 213) print "S" s "," day "," (40 + 10 * s + 5 * (d % 7) + (d in promo ? 60 : 0)) >> "'"$TMP"'/promo.csv"
			if (s == 1 && (d in promo || d == 215)) print day ",promo," >> "'"$TMP"'/promo_events.csv"
		}
}'
(cd "$TMP" && "$FORECAST" fit promo.csv --horizon 7 --models gbdt --param gbdt.n_trees=80 --lags 1-7 --windows 7 \
	--events promo_events.csv -q -o promo_fit.csv --model-out promo.model 2>"$TMP/err")
(cd "$TMP" && "$FORECAST" fit promo.csv --horizon 7 --models gbdt --param gbdt.n_trees=80 --lags 1-7 --windows 7 \
	-q -o nopromo_fit.csv --model-out nopromo.model 2>>"$TMP/err")
# the promotion on 2024-08-03 (day 215), against the mean of its neighbours
lift() {
	awk -F, '$1 == "S2" && $2 == "2024-08-02" { a = $3 } $1 == "S2" && $2 == "2024-08-03" { b = $3 }
		$1 == "S2" && $2 == "2024-08-04" { c = $3 } END { print b - (a + c) / 2 }' "$1"
}
assert "fit --events: the promotion day is forecast higher" awk "BEGIN { exit !($(lift "$TMP/promo_fit.csv") > 30) }"
assert "without --events it is not" awk "BEGIN { exit !($(lift "$TMP/nopromo_fit.csv") < 15) }"
assert "the events are kept in the model file" grep -q 'event_names%09promo' "$TMP/promo.model"
rm -f "$TMP/promo_events.csv"
(cd "$TMP" && "$FORECAST" predict --model promo.model -o promo_p.csv 2>"$TMP/err")
assert "predict = fit, without the events file" cmp "$TMP/promo_fit.csv" "$TMP/promo_p.csv"
(cd "$TMP" && "$FORECAST" predict --model promo.model --data promo.csv -o promo_p2.csv 2>"$TMP/err")
assert "predict --data (same data) = fit" cmp "$TMP/promo_fit.csv" "$TMP/promo_p2.csv"
assert "a model without events keeps no events block" sh -c "! grep -q 'event_names' '$TMP/nopromo.model'"

printf 'date,name\n2024-13-01,promo\n' >"$TMP/bad_events.csv"
INPUTS="sales.csv bad_events.csv"
expect_error "fit: a bad events file is an input error at its line and column" 3 \
	"bad_events\.csv:2:1: " -- fit sales.csv --horizon 7 --models gbdt --events bad_events.csv
INPUTS="sales.csv"
expect_error "--shift is still refused by fit" 2 "\-\-shift is an option of 'forecast features'" -- fit sales.csv --horizon 7 --shift 2
expect_error "bad strategy" 2 "\-\-strategy" -- fit sales.csv --horizon 7 --strategy sideways
expect_error "bad gbdt parameter" 2 "gbdt.*num_leaves" -- fit sales.csv --horizon 7 --models gbdt --param gbdt.num_leaves=1
expect_error "bad global_by" 2 "global_by 'region'" -- fit sales.csv --horizon 7 --models gbdt --param gbdt.global_by=region
finish
