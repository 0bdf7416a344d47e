#!/bin/sh
# End-to-end tests of `forecast fit` and `forecast cv` on the shipped
# samples and on small generated panels.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

RETAIL="$SAMPLES/retail_daily.csv"
AIR="$SAMPLES/air_passengers.csv"

# --- the README's main job: the retail sample -------------------------------
cp "$RETAIL" "$TMP/retail.csv"
(cd "$TMP" && "$FORECAST" fit retail.csv --horizon 14 >board.txt 2>stderr.txt)
assert "fit retail sample exits 0" test $? -eq 0
assert "forecast file written" test -s "$TMP/retail.csv.forecast.csv"
assert "model file written" test -s "$TMP/retail.csv.model"
assert "no temporary files left" sh -c "! ls '$TMP' | grep -q '\.tmp\.'"
assert "header names groups, time, bounds, model" \
	sh -c "head -1 '$TMP/retail.csv.forecast.csv' | grep -qx 'store,item,date,forecast,lo_80,hi_80,lo_95,hi_95,model'"
n_series=$(tail -n +2 "$RETAIL" | cut -d, -f1,2 | sort -u | wc -l)
rows=$(tail -n +2 "$TMP/retail.csv.forecast.csv" | wc -l)
assert "14 rows per series ($n_series series)" test "$rows" -eq $((14 * n_series))
last=$(grep '^S1,bread,' "$RETAIL" | cut -d, -f3 | sort | tail -1)
first_fc=$(grep '^S1,bread,' "$TMP/retail.csv.forecast.csv" | cut -d, -f3 | sort | head -1)
assert "forecasts start the day after the series' last date ($last)" \
	test "$first_fc" = "$(date -u -d "$last + 1 day" +%Y-%m-%d)"
assert "intervals nest around the forecast" awk -F, 'NR > 1 && !($7 <= $5 && $5 <= $4 && $4 <= $6 && $6 <= $8) { bad = 1 } END { exit bad }' \
	"$TMP/retail.csv.forecast.csv"
KINDS=$("$FORECAST" models | cut -d' ' -f1 | tr '\n' '|')
KINDS=${KINDS%|}
assert "forecast models lists the baselines first" sh -c "echo '$KINDS' | grep -q '^naive|snaive|drift|mean|window'"
assert "every model named is a known kind or an ensemble" awk -F, -v k="^($KINDS|ensemble)\$" 'NR > 1 && $9 !~ k { bad = 1 } END { exit bad }' \
	"$TMP/retail.csv.forecast.csv"
DEFAULT_KINDS=$("$FORECAST" models | grep -v 'not in the default set' | cut -d' ' -f1 | tr '\n' ' ')
assert "leaderboard lists every default candidate" sh -c "for m in $DEFAULT_KINDS; do grep -q \"^\$m \" '$TMP/board.txt' || exit 1; done"
OPT_IN=$("$FORECAST" models | grep 'not in the default set' | cut -d' ' -f1 | tr '\n' ' ')
assert "opt-in kinds stay out of the default set" sh -c "for m in $OPT_IN; do ! grep -q \"^\$m \" '$TMP/board.txt' || exit 1; done"
assert "arima is a default candidate" grep -q '^arima ' "$TMP/board.txt"
assert "leaderboard wins add up to the series" \
	sh -c "test \$(awk -v k='^($KINDS)\$' '\$1 ~ k { s += \$3 } END { print s }' '$TMP/board.txt') -eq $n_series"
assert "summary of the data on stderr" grep -q "$n_series series, daily (inferred), seasonal periods 7,365.25" "$TMP/stderr.txt"

# --- same bytes for any thread count -----------------------------------------
for t in 1 4; do
	(cd "$TMP" && OMP_NUM_THREADS=$t "$FORECAST" fit retail.csv --horizon 14 --quiet \
		--output f$t.csv --model-out m$t.model --leaderboard b$t.csv)
done
assert "forecasts identical for 1 and 4 threads" cmp "$TMP/f1.csv" "$TMP/f4.csv"
assert "model files identical for 1 and 4 threads" cmp "$TMP/m1.model" "$TMP/m4.model"
assert "leaderboards identical for 1 and 4 threads (but the measured seconds)" lb_cmp "$TMP/b1.csv" "$TMP/b4.csv"
assert "a second run gives the same bytes" cmp "$TMP/f1.csv" "$TMP/retail.csv.forecast.csv"
assert "--quiet prints nothing" sh -c "cd '$TMP' && test -z \"\$('$FORECAST' fit retail.csv --horizon 3 --quiet -o q.csv --model-out q.model 2>&1)\""

# --- cv: leaderboard only ----------------------------------------------------
(cd "$TMP" && mkdir cvdir && cp retail.csv cvdir/ && cd cvdir && \
	"$FORECAST" cv retail.csv --horizon 7 --folds 2 --metric wape --leaderboard lb.csv >board.txt 2>/dev/null)
assert "cv exits 0" test $? -eq 0
assert "cv writes only the leaderboard" sh -c "test \"\$(ls '$TMP/cvdir' | sort | tr '\n' ' ')\" = 'board.txt lb.csv retail.csv '"
assert "cv marks the selection metric" grep -q 'WAPE\*' "$TMP/cvdir/board.txt"
assert "leaderboard CSV has every metric" \
	sh -c "head -1 '$TMP/cvdir/lb.csv' | grep -qx 'model,series,wins,folds,mae,rmse,mase,smape,mape,wape,nrmse,timeouts,seconds'"
# the time column: last, in every row a non-negative number of 3 decimals,
# the quantity the printed board shows (to its 2 decimals), above zero for
# candidates that do real work, and no row above the rows' sum
assert "cv's leaderboard CSV: every row's seconds is a non-negative number" lb_seconds_ok "$TMP/cvdir/lb.csv"
assert "fit's leaderboard CSV: every row's seconds is a non-negative number" lb_seconds_ok "$TMP/b1.csv"
for m in arima ets; do
	assert "$m's back-tests take time: seconds > 0 ($(lb_seconds "$TMP/cvdir/lb.csv" $m))" \
		awk -v s="$(lb_seconds "$TMP/cvdir/lb.csv" $m)" 'BEGIN { exit !(s > 0) }'
done
assert "the seconds summed over the rows are at least the largest row's" \
	awk -F, 'NR > 1 { s += $NF; if ($NF > m) m = $NF } END { exit !(m > 0 && s >= m) }' "$TMP/cvdir/lb.csv"
assert "the CSV's seconds are the printed board's (2 decimals there)" awk '
	FNR == NR { if (FNR > 1) { split($0, f, ","); csv[f[1]] = f[13] } next }
	$1 in csv && NF >= 13 { n++; d = csv[$1] - $12; if (d < -0.0051 || d > 0.0051) bad = 1 }
	END { exit bad || n != length(csv) }' "$TMP/cvdir/lb.csv" "$TMP/cvdir/board.txt"

# --- a tiny panel with known answers -----------------------------------------
{
	echo "id,ds,y"
	for i in $(seq 1 30); do echo "line,$i,$((2 * i))"; done
	for i in $(seq 1 30); do echo "flat,$i,5"; done
	for i in $(seq 1 30); do echo "weekly,$i,$(( (i % 7) * 10 ))"; done
} >"$TMP/tiny.csv"
(cd "$TMP" && "$FORECAST" fit tiny.csv --horizon 3 --season 7 --output - --quiet --model-out tiny.model >tiny.out)
assert "integer steps continue from the last step" grep -q '^line,31,' "$TMP/tiny.out"
assert "a line is forecast by drift" grep -q '^line,31,62,.*,drift$' "$TMP/tiny.out"
assert "a constant series is forecast as a constant" grep -q '^flat,33,5,' "$TMP/tiny.out"
assert "a weekly pattern is forecast by seasonal naive" grep -q '^weekly,31,30,.*,snaive$' "$TMP/tiny.out"
assert "series come out sorted by key" sh -c "cut -d, -f1 '$TMP/tiny.out' | uniq | tr '\n' ' ' | grep -qx 'id flat line weekly '"
(cd "$TMP" && "$FORECAST" fit tiny.csv --horizon 2 --models window --param window.size=4 --level 50 \
	-o - --quiet --model-out w.model >w.out)
assert "--param and --level reach the model" grep -q '^line,31,57,[0-9.]*,[0-9.]*,window$' "$TMP/w.out"
assert "--level sets the interval columns" sh -c "head -1 '$TMP/w.out' | grep -qx 'id,ds,forecast,lo_50,hi_50,model'"

# --- short series fall back instead of aborting -------------------------------
{ echo "id,ds,y"; for i in 1 2 3; do echo "short,$i,$i"; done; for i in $(seq 1 40); do echo "long,$i,$i"; done; } >"$TMP/short.csv"
(cd "$TMP" && "$FORECAST" fit short.csv --horizon 5 -o short.out --model-out short.model >/dev/null 2>short.err)
assert "short series: fit succeeds" test $? -eq 0
assert "short series: warned by name" grep -q 'warning: series id=short: 3 observations are too few' "$TMP/short.err"
assert "short series: naive fallback forecast" grep -q '^short,4,3,.*,naive$' "$TMP/short.out"

# --- monthly data, YYYY-MM style kept -----------------------------------------
(cd "$TMP" && "$FORECAST" fit "$AIR" --horizon 12 -o air.out --model-out air.model --quiet)
assert "monthly sample fits" test $? -eq 0
assert "monthly timestamps keep the YYYY-MM style" sh -c "sed -n 2p '$TMP/air.out' | grep -q '^1961-01,'"
assert "monthly forecasts run to 1961-12" sh -c "tail -1 '$TMP/air.out' | grep -q '^1961-12,'"

# --- help and version ---------------------------------------------------------
assert "--version" sh -c "'$FORECAST' --version | grep -q '^forecast [0-9]'"
assert "--help lists the commands and exit codes" sh -c "'$FORECAST' --help | grep -q 'Exit codes'"
for c in fit cv predict inspect models; do
	assert "$c --help" sh -c "'$FORECAST' $c --help | grep -q 'Usage: forecast $c'"
done
(cd "$TMP" && "$FORECAST" inspect retail.csv >inspect.txt)
assert "inspect describes the panel" grep -q "series        $n_series" "$TMP/inspect.txt"

# auto-ARIMA when named: AirPassengers (log scale not applied) gets a
# seasonal model, and the model file reproduces its forecasts
cp "$SAMPLES/air_passengers.csv" "$TMP/air.csv"
(cd "$TMP" && "$FORECAST" fit air.csv --horizon 12 --models arima -q -o air_fc.csv --model-out air.model)
assert "arima fits AirPassengers" grep -q ',arima$' "$TMP/air_fc.csv"
assert "arima order is seasonal (m = 12)" grep -q 'm=12' "$TMP/air.model"
(cd "$TMP" && "$FORECAST" predict --model air.model -o air_p.csv)
assert "arima predict = fit" cmp "$TMP/air_fc.csv" "$TMP/air_p.csv"
# stl with ARIMA on the seasonally adjusted series: R 4.2 / forecast 8.20,
# stlf(AirPassengers, h = 12, method = "arima"): 447.7238 432.9707 477.3424,
# 95% lower bound of step 1 427.6797
(cd "$TMP" && "$FORECAST" fit air.csv --horizon 12 --models stl --param stl.method=arima -q -o stl_arima.csv --model-out stl_arima.model)
assert "stlf(method = arima) as R" awk -F, 'NR == 2 { ok = ($2 > 447.7233 && $2 < 447.7243 && $5 > 427.6792 && $5 < 427.6802) }
	NR == 3 { ok = ok && ($2 > 432.9702 && $2 < 432.9712) } NR == 4 { ok = ok && ($2 > 477.3419 && $2 < 477.3429) } END { exit !ok }' "$TMP/stl_arima.csv"
finish
