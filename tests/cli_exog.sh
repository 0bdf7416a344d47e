#!/bin/sh
# Known-future exogenous columns through the CLI: rows after a series' last
# target value, with the target empty, carry the future values of the
# columns; arima uses the --known-future columns as regressors (regression
# with ARIMA errors) in back-tests and in the final forecast, predict
# reproduces the forecasts, and too few future rows or an unknown column
# are clear errors.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# Two series of 200 days: sales = 50 + 3 price + AR(1) noise, the price a
# random walk in steps of 0.5 (a deterministic generator); 14 future rows
# with the planned price and no sales.
awk 'BEGIN {
	print "date,store,sales,price";
	s = 12345;
	for (k = 1; k <= 2; k++) {
		p = 10; e = 0;
		for (t = 0; t < 214; t++) {
			s = (s * 1103515245 + 12345) % 2147483648; u1 = (s + 0.5) / 2147483648;
			s = (s * 1103515245 + 12345) % 2147483648; u2 = (s + 0.5) / 2147483648;
			if (u1 < 0.3) p += 0.5; else if (u1 > 0.7 && p > 2) p -= 0.5;
			e = 0.5 * e + (u2 - 0.5) * 2;
			d = sprintf("2024-%02d-%02d", 1 + int(t / 28) % 12, 1 + t % 28);
			y = 50 + 3 * p + e;
			printf "%s,S%d,%s,%.1f\n", "D" t, k, (t < 200 ? sprintf("%.3f", y) : ""), p;
		}
	}
}' | awk -F, 'NR == 1 { print; next } { t = substr($1, 2) + 0; cmd = "date -u -d \"2024-01-01 + " t " days\" +%F"; cmd | getline d; close(cmd); print d "," $2 "," $3 "," $4 }' > "$TMP/promo.csv"
assert "generated 428 rows" test "$(wc -l < "$TMP/promo.csv")" -eq 429

(cd "$TMP" && "$FORECAST" fit promo.csv --horizon 14 --known-future price --models naive,arima -q \
	--leaderboard board.csv >out.txt 2>err.txt)
assert "fit with --known-future succeeds" test -s "$TMP/promo.csv.forecast.csv"
assert "arima wins every series" test "$(grep -c ',arima$' "$TMP/promo.csv.forecast.csv")" -eq 28
assert "the model file keeps the regressors' future" grep -q 'xreg_n=1 xreg_steps=14 xreg_future=' "$TMP/promo.csv.model"
# the forecasts follow the planned price: 50 + 3 price within the noise
assert "forecasts follow the future price" awk -F, '
	FNR == NR { if (FNR > 1 && $3 == "") price[$2 "," $1] = $4; next }
	FNR > 1 { k = $1 "," $2; if (!(k in price)) { bad = 1; next }
	          d = $4 - (50 + 3 * price[k]); if (d < -3 || d > 3) bad = 1; n++ }
	END { exit bad || n != 28 }' "$TMP/promo.csv" "$TMP/promo.csv.forecast.csv"
(cd "$TMP" && "$FORECAST" predict --model promo.csv.model -o p1.csv 2>/dev/null)
assert "predict from the model file = fit" cmp "$TMP/p1.csv" "$TMP/promo.csv.forecast.csv"
(cd "$TMP" && "$FORECAST" predict --model promo.csv.model --data promo.csv -o p2.csv 2>/dev/null)
assert "predict --data (same data) = fit" cmp "$TMP/p2.csv" "$TMP/promo.csv.forecast.csv"
grep -v ',,' "$TMP/promo.csv" > "$TMP/nofuture.csv"
(cd "$TMP" && "$FORECAST" fit nofuture.csv --horizon 14 --known-future price --models arima -q \
	-o nf.csv --model-out nf.model 2>/dev/null)
assert "without future rows arima fits without the regressor" sh -c "! grep -q 'xreg_n=' '$TMP/nf.model'"

awk -F, 'NR == 1 || $3 != "" || $1 <= "2024-07-22"' "$TMP/promo.csv" > "$TMP/short.csv"
INPUTS="promo.csv short.csv"
expect_error "too few future rows" 3 "series 'store=S1' has 4 future rows .* the horizon needs 14" -- \
	fit short.csv --horizon 14 --known-future price
expect_error "unknown known-future column" 2 "\-\-known-future: promo.csv has no column 'promo'" -- \
	fit promo.csv --horizon 14 --known-future promo
finish
