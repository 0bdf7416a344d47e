#!/bin/sh
# --clip: a declining count series whose drift forecast goes below zero is
# clipped at zero by default (auto: its history has no negative value),
# bounds included; not with --clip none; nonneg clips a series with a
# negative value too, which auto leaves alone.  predict reproduces fit
# from the model file, a model file without the record predicts unclipped,
# and predict --data with a negative value in the newer data does not clip
# under auto.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# series a: 100, 97, ... 4 (drift heads below zero); b: the same minus 10,
# so its history ends below zero
{
	echo "id,date,y"
	for s in a b; do
		d=0
		while [ "$d" -lt 33 ]; do
			v=$((100 - 3 * d))
			[ "$s" = b ] && v=$((v - 10))
			echo "$s,$(date -u -d "2024-01-01 + $d day" +%Y-%m-%d),$v"
			d=$((d + 1))
		done
	done
} >"$TMP/decline.csv"

fit() { # fit OUT_PREFIX ARGS...
	local out=$1
	shift
	(cd "$TMP" && "$FORECAST" fit decline.csv --horizon 10 --models drift -q -o "$out.csv" \
		--model-out "$out.model" "$@" 2>"$TMP/err")
}
# rows of series $2 in forecast file $1 whose mean or a bound is below zero
negatives() {
	awk -F, -v s="$2" 'NR > 1 && $1 == s { for (c = 3; c <= 7; c++) if ($c + 0 < 0) { n++; break } }
		END { print n + 0 }' "$1"
}

fit auto
fit none --clip none
fit nonneg --clip nonneg
assert "fit --clip none: series a forecast below zero" test "$(negatives "$TMP/none.csv" a)" -gt 0
assert "fit (auto): series a never below zero" test "$(negatives "$TMP/auto.csv" a)" -eq 0
assert "fit (auto): a's last forecast and lower bounds are 0" \
	grep -q '^a,2024-02-12,0,0,[0-9.]*,0,[0-9.]*,drift$' "$TMP/auto.csv"
assert "fit (auto): a's early steps unchanged" \
	sh -c "grep '^a,2024-02-03,' '$TMP/none.csv' | cut -d, -f4 > '$TMP/x'; grep '^a,2024-02-03,' '$TMP/auto.csv' | cut -d, -f4 | cmp -s - '$TMP/x'"
assert "fit (auto): series b, with negative values, is not clipped" \
	sh -c "grep '^b,' '$TMP/none.csv' > '$TMP/x'; grep '^b,' '$TMP/auto.csv' | cmp -s - '$TMP/x'"
assert "fit --clip nonneg: series b clipped too" test "$(negatives "$TMP/nonneg.csv" b)" -eq 0
assert "the model file records the mode and the clipped series" \
	sh -c "grep -q '^clip	auto$' '$TMP/auto.model' && test \$(grep -c '^clip	nonneg$' '$TMP/auto.model') -eq 1"
assert "--clip none writes no clip record" sh -c "! grep -q '^clip' '$TMP/none.model'"

for m in auto none nonneg; do
	(cd "$TMP" && "$FORECAST" predict --model $m.model -q -o $m.p.csv 2>/dev/null)
	assert "predict = fit (--clip $m)" cmp "$TMP/$m.csv" "$TMP/$m.p.csv"
	(cd "$TMP" && "$FORECAST" predict --model $m.model --data decline.csv -q -o $m.pd.csv 2>/dev/null)
	assert "predict --data (same data) = fit (--clip $m)" cmp "$TMP/$m.csv" "$TMP/$m.pd.csv"
done

# newer data where a dips below zero once: auto no longer clips it
awk -F, 'BEGIN { OFS = "," } $1 == "a" && $2 == "2024-01-20" { $3 = -1 } { print }' "$TMP/decline.csv" >"$TMP/dip.csv"
(cd "$TMP" && "$FORECAST" predict --model auto.model --data dip.csv -q -o dip.csv.out 2>/dev/null)
assert "predict --data with a negative value: auto does not clip" test "$(negatives "$TMP/dip.csv.out" a)" -gt 0
(cd "$TMP" && "$FORECAST" predict --model nonneg.model --data dip.csv -q -o dipn.csv.out 2>/dev/null)
assert "predict --data with a negative value: nonneg still clips" test "$(negatives "$TMP/dipn.csv.out" a)" -eq 0

# reseal IN OUT: IN with its end record's checksum made right again, so
# that the records themselves are what is checked
reseal() {
	grep -v '^end	' "$1" >"$1.body"
	python3 - "$1.body" >"$2" <<'PY' 2>/dev/null || cp "$1.body" "$2"
import sys
data = open(sys.argv[1], 'rb').read()
h = 0xcbf29ce484222325
for b in data:
    h ^= b
    h = (h * 0x100000001b3) & 0xffffffffffffffff
sys.stdout.write(data.decode() + "end\t%016x\n" % h)
PY
}
# a file from before --clip (no clip records) predicts unclipped, as then
grep -v '^clip	' "$TMP/auto.model" >"$TMP/old.edit"
reseal "$TMP/old.edit" "$TMP/old.model"
(cd "$TMP" && "$FORECAST" predict --model old.model -q -o old.p.csv 2>"$TMP/err")
assert "a model file without clip records predicts as --clip none" cmp "$TMP/none.csv" "$TMP/old.p.csv"
sed 's/^clip	auto$/clip	sometimes/' "$TMP/auto.model" >"$TMP/bad.edit"
reseal "$TMP/bad.edit" "$TMP/bad.model"
INPUTS="bad.model"
expect_error "unknown clip mode in a model file" 4 "bad\.model:[0-9]+: corrupt model file: unknown clip mode" \
	-- predict --model bad.model -o out.csv
INPUTS="decline.csv"
expect_error "bad --clip" 2 "\-\-clip: expected auto, none or nonneg; got 'zero'" \
	-- fit decline.csv --horizon 3 --clip zero
finish
