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

finish
