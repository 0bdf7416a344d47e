#!/bin/sh
# End-to-end tests of the final step's options: --ensemble stack and
# --ensemble-intervals, each saved in the model file and reproduced by
# predict, and neither changing the default's point forecasts.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

cd "$TMP" || exit 1
cp "$SAMPLES/retail_daily.csv" sales.csv

"$FORECAST" fit sales.csv --horizon 7 -q -o plain.csv --model-out plain.model
assert "plain fit exits 0" test $? -eq 0
assert "the plain model has no ensemble interval record" sh -c "! grep -q '^intervals' plain.model"

"$FORECAST" cv sales.csv --horizon 7 --models naive,snaive,theta >cv.out 2>cv.err
assert "cv exits 0" test $? -eq 0
assert "cv, which refits nothing, describes no members" sh -c "! grep -q 'members per series' cv.err"
assert "and prints the leaderboard" grep -q "^theta " cv.out
"$FORECAST" fit sales.csv --horizon 7 --ensemble stack -o stack.csv --model-out stack.model >/dev/null 2>stack.err
assert "fit --ensemble stack exits 0" test $? -eq 0
assert "stack says its lambda and folds" grep -Eq 'ensemble \(stack for the panel, lambda [0-9.e+-]+ by leave-one-fold-out over 3 folds\)' stack.err
assert "stacked series are ensembles" grep -q ',ensemble$' stack.csv
# every ensemble's member weights sum to 1 (stored as the series use them)
awk -F'\t' '$1 == "model" && $2 == "ensemble" { if (n) print sum; n = $3; sum = 0; next }
            $1 == "member" { sum += $3 } END { if (n) print sum }' stack.model >sums.txt
assert "stacked weights sum to 1 in the model file" awk '{ if ($1 < 1 - 1e-9 || $1 > 1 + 1e-9) exit 1 } END { exit NR == 0 }' sums.txt
"$FORECAST" predict --model stack.model >stack.pred.csv
assert "a stacked ensemble saved and loaded predicts the same numbers" cmp stack.csv stack.pred.csv
OMP_NUM_THREADS=1 "$FORECAST" fit sales.csv --horizon 7 -q --ensemble stack --ensemble-intervals conformal -o t1.csv
OMP_NUM_THREADS=4 "$FORECAST" fit sales.csv --horizon 7 -q --ensemble stack --ensemble-intervals conformal -o t4.csv
assert "stack and conformal bounds: same bytes at 1 and 4 threads" sh -c "test -s t1.csv && cmp t1.csv t4.csv"
assert "stacking changes the point forecasts" sh -c "test -s stack.csv && ! cmp -s plain.csv stack.csv"

"$FORECAST" fit sales.csv --horizon 7 --ensemble stack --folds 1 -o one.csv >/dev/null 2>one.err
assert "stack with one fold exits 0" test $? -eq 0
assert "stack with one fold says it made no choice" grep -q 'no honest choice of lambda' one.err

"$FORECAST" fit sales.csv --horizon 7 -q --ensemble-intervals conformal -o conf.csv --model-out conf.model
assert "fit --ensemble-intervals conformal exits 0" test $? -eq 0
assert "conformal ensembles are recorded in the model file" grep -q '^intervals	conformal	3	7	' conf.model
cut -d, -f1-4 plain.csv >plain.points
cut -d, -f1-4 conf.csv >conf.points
assert "interval mode leaves the point forecasts alone" sh -c "test -s conf.csv && cmp plain.points conf.points"
assert "conformal bounds differ from the members'" sh -c "test -s conf.csv && ! cmp -s plain.csv conf.csv"
"$FORECAST" predict --model conf.model >conf.pred.csv
assert "predict reproduces conformal ensemble bounds" cmp conf.csv conf.pred.csv
"$FORECAST" predict --model conf.model --horizon 9 >conf9.csv
assert "conformal bounds extend past the fitted horizon" sh -c "test \$(grep -c ',ensemble\$' conf9.csv) -gt 0 && awk -F, 'NR > 1 && (\$5 == \"\" || \$5 == \"nan\") { exit 1 }' conf9.csv"

"$FORECAST" fit sales.csv --horizon 7 -q --ensemble-intervals auto -o auto.csv
assert "fit --ensemble-intervals auto exits 0" test $? -eq 0
cut -d, -f1-4 auto.csv >auto.points
assert "auto leaves the point forecasts alone" sh -c "test -s auto.csv && cmp plain.points auto.points"

INPUTS="" expect_error "unknown interval mode is a usage error" 2 "ensemble-intervals: expected members, auto or conformal" -- \
	fit "$TMP/sales.csv" --horizon 7 --ensemble-intervals bogus
INPUTS="" expect_error "unknown ensemble names stack among the choices" 2 "expected none, caruana, mean, median or stack" -- \
	fit "$TMP/sales.csv" --horizon 7 --ensemble bogus

# a corrupt interval record is refused
sed 's/^intervals\tconformal\t3\t7\t/intervals\tconformal\t3\t70\t/' conf.model >bad.model
# re-seal the checksum so that the record itself is what is checked
head -n -1 bad.model >bad.body
python3 - bad.body >bad.model <<'PY' 2>/dev/null || cp bad.body bad.model
import sys
data = open(sys.argv[1], 'rb').read()
h = 0xcbf29ce484222325
for b in data:
    h ^= b
    h = (h * 0x100000001b3) & 0xffffffffffffffff
sys.stdout.write(data.decode() + "end\t%016x\n" % h)
PY
"$FORECAST" predict --model bad.model >/dev/null 2>bad.err
assert "a short interval error table is refused (exit 4)" test $? -eq 4
assert "the message names the record" grep -q 'ensemble interval errors too short' bad.err

# The default blend's share of a series' own weights, chosen by
# leave-one-fold-out.  Half the series are a weekly pattern and half a
# trend: the panel's one set mixes seasonal naive with drift and suits
# neither, each series' own set suits it, so the held-out folds choose
# the own weights whole.
awk 'BEGIN { print "unique_id,ds,y"; split("0 30 -10 20 -25 5 -20", w, " ");
  for (s = 0; s < 12; s++) for (t = 0; t < 140; t++) {
    n = ((t * 7919 + s * 104729) % 1000) / 1000.0 - 0.5;
    y = (s < 6) ? 200 + w[t % 7 + 1] + 2 * n : 50 + 3 * t + 2 * n;
    printf "s%02d,%d,%.3f\n", s, t + 1, y } }' >split.csv
"$FORECAST" fit split.csv --horizon 14 --season 7 --models snaive,drift,mean,naive -o split.out >/dev/null 2>split.err
assert "distinct series: the blend takes each series' own weights" grep -q 'caruana per series at 1.00, the panel.s at 0.00, by leave-one-fold-out' split.err
# Every series the same noise around one level: a series' own picks
# chase its folds' noise and the panel's set (the mean) holds out better.
awk 'BEGIN { print "unique_id,ds,y"; x = 12345;
  for (s = 0; s < 40; s++) for (t = 0; t < 100; t++) {
    x = (x * 1103515245 + 12345) % 2147483648; n = x / 2147483648.0 - 0.5;
    printf "s%02d,%d,%.3f\n", s, t + 1, 100 + 40 * n } }' >noise.csv
"$FORECAST" fit noise.csv --horizon 14 --season 7 --models snaive,drift,mean,naive,window -o noise.out --model-out noise.model >/dev/null 2>noise.err
assert "alike noisy series: the blend takes the panel's weights" grep -Eq 'caruana per series at 0.(00|25), the panel.s at' noise.err
OMP_NUM_THREADS=1 "$FORECAST" fit noise.csv --horizon 14 --season 7 --models snaive,drift,mean,naive,window -q -o n1.csv
OMP_NUM_THREADS=3 "$FORECAST" fit noise.csv --horizon 14 --season 7 --models snaive,drift,mean,naive,window -q -o n3.csv
assert "the blend's share: same forecasts at 1 and 3 threads" sh -c "test -s n1.csv && cmp n1.csv n3.csv"
"$FORECAST" predict --model noise.model >noise.pred.csv
assert "a blended ensemble saved and loaded predicts the same numbers" cmp noise.out noise.pred.csv
"$FORECAST" fit split.csv --horizon 14 --season 7 --folds 1 --models snaive,drift -o one.out >/dev/null 2>one.err
assert "one fold leaves nothing to hold out: the blend stays halfway" grep -q 'caruana per series, blended halfway with the panel.s (too few folds' one.err

finish
