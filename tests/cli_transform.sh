#!/bin/sh
# --transform log1p|boxcox[=LAMBDA|auto]: the local kinds on a log or
# Box-Cox scale.  On AirPassengers, naive with Guerrero's lambda gives R's
# bias-adjusted forecast (forecast::naive(AirPassengers, lambda =
# BoxCox.lambda(AirPassengers), biasadj = TRUE), tests/fixtures/boxcox.R);
# the model file records the scale and each series' lambda and predict
# reproduces fit, also with --data; results do not depend on --threads;
# a series with a zero stays on its original scale with a warning; absurd
# values are usage errors; the plain command writes no scale at all.
# (ets is left out of the predict --data comparison: its re-anchoring
# recomputes sigma, so its bounds, and on a transformed scale its
# bias-adjusted mean, differ from fit's even without --transform.)
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

cp "$SAMPLES/air_passengers.csv" "$TMP/air.csv"
# two short count series, one with zeros
{
	echo "id,date,y"
	for s in a b; do
		d=0
		while [ "$d" -lt 60 ]; do
			v=$(( (d * 7 + 3) % 11 + 2 + d / 6 ))
			[ "$s" = b ] && [ $((d % 5)) -eq 0 ] && v=0
			echo "$s,$(date -u -d "2024-01-01 + $d day" +%Y-%m-%d),$v"
			d=$((d + 1))
		done
	done
} >"$TMP/counts.csv"

fc() { (cd "$TMP" && "$FORECAST" "$@"); }

fc fit air.csv --horizon 12 --models naive --transform boxcox=auto -q -o air.bc.csv \
	--model-out air.bc.model 2>"$TMP/err"
assert "naive, boxcox=auto on AirPassengers: R's bias-adjusted mean" \
	grep -q '^1961-01,436.4123414,369.1315522,509.456045,340.616785,557.8012579,naive$' "$TMP/air.bc.csv"
assert "the model file has the scale and Guerrero's lambda to 17 digits" \
	grep -q '^params	target_scale=boxcox=auto target_applied=boxcox=-0.29471558555931' "$TMP/air.bc.model"
fc fit air.csv --horizon 12 --models naive --transform boxcox=0 -q -o air.log.csv --model-out air.log.model
fc fit air.csv --horizon 12 --models naive --transform log1p -q -o air.l1p.csv --model-out air.l1p.model
fc fit air.csv --horizon 12 --models naive -q -o air.plain.csv --model-out air.plain.model
assert "boxcox=0 (log) and log1p differ from the plain forecast and from each other" \
	sh -c "test -s '$TMP/air.log.csv' && test -s '$TMP/air.plain.csv' && test -s '$TMP/air.l1p.csv' &&
		! cmp -s '$TMP/air.log.csv' '$TMP/air.plain.csv' && ! cmp -s '$TMP/air.log.csv' '$TMP/air.l1p.csv'"
assert "bias adjustment: the log-scale mean lies above the median (the last value, 432)" \
	sh -c "awk -F, 'NR == 2 { exit !(\$2 > 432 && \$2 < 440) }' '$TMP/air.log.csv'"
assert "the plain fit writes no scale" sh -c "grep -q '^params' '$TMP/air.plain.model' && ! grep -q target_ '$TMP/air.plain.model'"

for t in log1p boxcox=auto boxcox=0.5; do
	fc fit counts.csv --horizon 7 --models naive,snaive,drift,theta,croston,arima --transform $t \
		-q -o c.$t.csv --model-out c.$t.model --threads 1
	fc fit counts.csv --horizon 7 --models naive,snaive,drift,theta,croston,arima --transform $t \
		-q -o c2.$t.csv --model-out c2.$t.model --threads 2
	assert "--transform $t: --threads 1 and 2 give the same forecasts" cmp "$TMP/c.$t.csv" "$TMP/c2.$t.csv"
	fc predict --model c.$t.model -q -o p.$t.csv
	assert "--transform $t: predict = fit" cmp "$TMP/c.$t.csv" "$TMP/p.$t.csv"
	fc predict --model c.$t.model --data counts.csv -q -o pd.$t.csv
	assert "--transform $t: predict --data (same data) = fit" cmp "$TMP/c.$t.csv" "$TMP/pd.$t.csv"
done
fc fit counts.csv --horizon 7 --models naive,snaive,drift,theta,croston,arima -q -o c.plain.csv \
	--model-out c.plain.model
assert "log1p changes the forecasts" sh -c "test -s '$TMP/c.plain.csv' && test -s '$TMP/c.log1p.csv' && ! cmp -s '$TMP/c.plain.csv' '$TMP/c.log1p.csv'"
assert "log1p: every member of both series on the log1p scale" \
	sh -c "grep -q '^params' '$TMP/c.log1p.model' && ! grep '^params' '$TMP/c.log1p.model' | grep -v 'target_scale=log1p target_applied=log1p'"

fc fit counts.csv --horizon 7 --models naive,drift --transform boxcox -o c.w.csv --model-out c.w.model >/dev/null 2>"$TMP/err"
assert "boxcox: the series with zeros stays on its original scale, with a warning" \
	grep -q "warning: --transform boxcox=auto: 1 of 2 series modelled on their original scale instead (first: id=b: Box-Cox needs positive values; value 1 is 0)" "$TMP/err"
assert "... recorded as target_applied=none in the model file" \
	grep -q 'target_scale=boxcox=auto target_applied=none' "$TMP/c.w.model"
assert "... and series a has its own lambda" \
	grep -q 'target_scale=boxcox=auto target_applied=boxcox=' "$TMP/c.w.model"

# A series whose spread grows like its level squared, y = 1/u with u
# falling from 0.5 to 0.05: Guerrero's lambda is -1 to 4 digits (R:
# BoxCox.lambda(ts(y, frequency = 12), method = "guerrero", lower = -1,
# upper = 2) = -0.9999242482).  There R's bias-adjusted naive forecast
# explodes (56.7, 80.6, ... 175.8 over 6 months, its 95% upper bounds NA,
# the last value 32.93): the guard forecasts the median, the last value,
# at every step and warns once for the kind, with the steps counted.
awk 'BEGIN { print "date,y"; for (t = 0; t < 60; t++) { u = 0.5 - 0.45 * t / 59 + 0.02 * sin(t * 2.1);
	printf "%d-%02d,%.6f\n", 2020 + int(t / 12), t % 12 + 1, 1 / u } }' >"$TMP/recip.csv"
fc fit recip.csv --horizon 6 --models naive --season 12 --transform boxcox=auto -o recip.bc.csv \
	--model-out recip.bc.model >/dev/null 2>"$TMP/recip.err"
assert "lambda near -1: Guerrero's lambda is R's (-0.9999242482)" sh -c \
	"grep -o 'target_applied=boxcox=[-0-9.e]*' '$TMP/recip.bc.model' | cut -d= -f3 |
	awk '{ d = \$1 + 0.9999242482; exit !(d < 1e-8 && d > -1e-8) }'"
assert "lambda near -1: every step forecasts the median (the last value) instead of R's 56.7 .. 175.8" \
	sh -c "test \$(awk -F, 'NR > 1 && \$2 == \"32.926158\"' '$TMP/recip.bc.csv' | wc -l) -eq 6"
assert "... while the 95% lower bounds are R's (12.3457, 9.8066 at steps 1, 2) and the upper ones missing" \
	sh -c "awk -F, 'NR == 2 && \$5 > 12.34572 && \$5 < 12.34573 && \$6 == \"\" { a = 1 }
		NR == 3 && \$5 > 9.80664 && \$5 < 9.80665 && \$6 == \"\" { b = 1 } END { exit !(a && b) }' '$TMP/recip.bc.csv'"
assert "... with one warning for the kind, counting the steps" \
	grep -q "warning: --transform boxcox=auto: naive: the bias-adjusted mean left the forecast interval at 6 of 6 steps, on 1 series; those steps forecast the median instead" "$TMP/recip.err"
assert "... and only one such warning" test "$(grep -c 'left the forecast interval' "$TMP/recip.err")" -eq 1
fc fit recip.csv --horizon 6 --models naive --season 12 --transform boxcox=auto -o recip.p.csv \
	--model-out recip.p.model -q --threads 2
fc predict --model recip.p.model -o recip.pred.csv 2>"$TMP/recip_pred.err"
assert "... predict from the model file repeats the guarded forecasts" cmp "$TMP/recip.bc.csv" "$TMP/recip.pred.csv"
assert "... and warns the same way" \
	grep -q "warning: naive: the bias-adjusted mean left the forecast interval at 6 of 6 steps, on 1 series; those steps forecast the median instead (first: (the only series))" "$TMP/recip_pred.err"
fc fit recip.csv --horizon 6 --models naive --season 12 --transform boxcox=0.5 -o recip.h.csv \
	--model-out recip.h.model >/dev/null 2>"$TMP/recip_h.err"
assert "lambda 0.5 on the same series: the adjustment stays inside, no warning" \
	sh -c "! grep -q 'left the forecast interval' '$TMP/recip_h.err' && awk -F, 'NR == 2 { exit !(\$2 > 32.926158) }' '$TMP/recip.h.csv'"
fc fit air.csv --horizon 12 --models naive,drift,snaive --transform boxcox=auto -o air.g.csv \
	--model-out air.g.model >/dev/null 2>"$TMP/air_g.err"
assert "AirPassengers (lambda -0.29): no step is guarded" sh -c "! grep -q 'left the forecast interval' '$TMP/air_g.err'"

INPUTS="air.csv"
expect_error "boxcox=3 is refused" 2 "--transform boxcox=LAMBDA: expected auto or a number from -1 to 2.*got '3'" \
	-- fit air.csv --horizon 3 --transform boxcox=3
expect_error "boxcox=nan is refused" 2 "--transform boxcox=LAMBDA: .*got 'nan'" \
	-- fit air.csv --horizon 3 --transform boxcox=nan
expect_error "boxcox=abc is refused" 2 "got 'abc'" -- cv air.csv --horizon 3 --transform boxcox=abc
expect_error "an unknown transform names the choices" 2 \
	"--transform: expected log1p, boxcox, boxcox=auto or boxcox=LAMBDA .*got 'cube'" \
	-- fit air.csv --horizon 3 --transform cube
expect_error "features --transform boxcox: not a feature transform" 2 \
	"--transform boxcox: Box-Cox is a scale of fit's and cv's local models" \
	-- features air.csv --transform boxcox -o f.csv
finish
