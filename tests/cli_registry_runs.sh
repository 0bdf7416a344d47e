#!/bin/sh
# The runs table: cv and predict (from a registered name or a file) are
# recorded when a registry is in use (--registry, $FORECAST_REGISTRY, a
# registered --model NAME), with their counts and their outputs' hashes,
# and no registry appears where none was asked for.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"
cd "$TMP" || exit 1
cp "$SAMPLES/air_passengers.csv" air.csv

# run_field DIR N FIELD: FIELD of the N-th newest run in registry DIR
run_field() {
	"$FORECAST" registry runs --registry "$1" --format json |
		python3 -c 'import json, sys
r = json.load(sys.stdin)[int(sys.argv[1]) - 1][sys.argv[2]]
print("" if r is None else r)' "$2" "$3"
}
# fnv FILE: the 64-bit FNV-1a hash of FILE (standard offset basis
# 14695981039346656037), as the registry names files
fnv() {
	python3 -c 'import sys
h = 14695981039346656037
for b in open(sys.argv[1], "rb").read():
	h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1"
}
runs() { "$FORECAST" registry runs --registry "$1" --format csv | tail -n +2 | wc -l; }

"$FORECAST" cv air.csv --horizon 12 --models naive,snaive --quiet --leaderboard lb0.csv >/dev/null
assert "a plain cv creates no registry" test ! -e forecast-registry
"$FORECAST" fit air.csv --horizon 12 --models naive,snaive --quiet -o f.csv --model-out m.model
"$FORECAST" predict --model m.model >p0.csv
assert "nor does a plain predict from a file" test ! -e forecast-registry

"$FORECAST" cv air.csv --horizon 12 --models naive,snaive --quiet --registry reg --leaderboard lb.csv >cv.out
assert "cv --registry DIR: exit 0, and the leaderboard as without" lb_cmp lb0.csv lb.csv
assert "creates the registry it names" test -f reg/registry.db
assert "and records one run" test "$(runs reg)" -eq 1
assert "as a cv" test "$(run_field reg 1 command)" = cv
assert "with exit status 0" test "$(run_field reg 1 exit_status)" = 0
assert "the rows read" test "$(run_field reg 1 rows_read)" = 144
assert "the series back-tested" test "$(run_field reg 1 series_forecast)" = 1
assert "the command line" test "$(run_field reg 1 args)" = "cv air.csv --horizon 12 --models naive,snaive --quiet --registry reg --leaderboard lb.csv"
assert "a duration" sh -c "test \"\$(printf '%s\n' '$(run_field reg 1 seconds)' | grep -c '^[0-9.]*\$')\" -eq 1"
assert "the leaderboard with its hash" test "$(run_field reg 1 outputs)" = "lb.csv	$(fnv lb.csv)"

FORECAST_REGISTRY=reg "$FORECAST" cv air.csv --horizon 12 --models naive --quiet >/dev/null
assert "cv with \$FORECAST_REGISTRY is recorded there" test "$(runs reg)" -eq 2
assert "a cv without outputs records none" test "$(run_field reg 1 outputs)" = ""

printf 'month,y\n1949-01,112\n1949-02,x\n' >bad.csv
"$FORECAST" cv bad.csv --horizon 3 --registry newreg 2>/dev/null
assert "a failed cv creates no registry" test ! -e newreg
"$FORECAST" cv bad.csv --horizon 3 --registry reg 2>/dev/null
assert "but is recorded in an existing one" test "$(runs reg)" -eq 3
assert "with its exit status" test "$(run_field reg 1 exit_status)" = 3

# predict from a file, with a registry in use
"$FORECAST" predict --model m.model --registry reg -o p1.csv
assert "predict --model FILE --registry DIR forecasts as without" cmp p0.csv p1.csv
assert "and is recorded" test "$(run_field reg 1 command)" = predict
assert "with the forecast's hash" test "$(run_field reg 1 outputs)" = "p1.csv	$(fnv p1.csv)"
assert "no name or version: it used no registered model" sh -c "test -z '$(run_field reg 1 name)' && test -z '$(run_field reg 1 version)'"
assert "but the hash of the model file it used" test "$(run_field reg 1 model_hash)" = "$(fnv m.model)"
assert "the series forecast" test "$(run_field reg 1 series_forecast)" = 1
head -100 air.csv >new.csv
FORECAST_REGISTRY=reg "$FORECAST" predict --model m.model --data new.csv >/dev/null
assert "predict --model FILE with \$FORECAST_REGISTRY is recorded" test "$(runs reg)" -eq 5
assert "with the rows of --data" test "$(run_field reg 1 rows_read)" = 99
assert "stdout has no hash" test "$(run_field reg 1 outputs)" = "-	-"

# predict from a registered name: recorded under the name and version
"$FORECAST" fit air.csv --horizon 12 --models naive --quiet -o n.csv --model-out n.model --name air --registry reg
"$FORECAST" fit air.csv --horizon 12 --models snaive --quiet -o n2.csv --model-out n2.model --name air --registry reg
"$FORECAST" predict --model air@2 --registry reg -o p2.csv
assert "predict --model NAME@V records the name" test "$(run_field reg 1 name)" = air
assert "and the version" test "$(run_field reg 1 version)" = 2
assert "and its model file's hash" test "$(run_field reg 1 model_hash)" = "$(fnv n2.model)"
assert "and forecasts as that fit did" cmp n2.csv p2.csv
"$FORECAST" registry runs air --registry reg --format csv >air.runs
assert "'registry runs NAME' lists its fits and predictions" sh -c "test \$(grep -c ',fit,' air.runs) -eq 2 && test \$(grep -c ',predict,' air.runs) -eq 1"
# a file of the same name as a registered model: with --registry, the model
cp n.model air
"$FORECAST" predict --model air --registry reg >p3.csv
assert "--registry prefers the registered name to a file" test "$(run_field reg 1 version)" = 1
"$FORECAST" predict --model n2.model --registry reg >p4.csv
assert "and takes a file that is no registered name" cmp n2.csv p4.csv

# fit without --name, with a registry in use: a run, no version
"$FORECAST" fit air.csv --horizon 12 --models naive --quiet -o f2.csv --model-out f2.model --registry reg
assert "fit --registry without --name is recorded" sh -c "test '$(run_field reg 1 command)' = fit && test -z '$(run_field reg 1 version)'"
assert "with no input model" test -z "$(run_field reg 1 model_hash)"
assert "with its forecast and model file" test "$(run_field reg 1 outputs)" = "f2.csv	$(fnv f2.csv); f2.model	$(fnv f2.model)"
"$FORECAST" registry list --registry reg --format csv >list.csv
assert "and adds no version" test "$(grep -c '^air,' list.csv)" -eq 2

# Warnings and fallbacks: counted as printed, and with --quiet as well
assert "a clean run: no warnings" test "$(run_field reg 1 warnings)" -eq 0
"$FORECAST" fit air.csv --horizon 12 --quiet -o f3.csv --model-out f3.model --registry reg
assert "nor a default fit, whose ensemble line is a note" sh -c "test '$(run_field reg 1 warnings)' -eq 0 && test '$(run_field reg 1 fallbacks)' -eq 0"
"$FORECAST" fit air.csv --horizon 12 -o f3.csv --model-out f3.model >/dev/null 2>f3.err
assert "which says so without the warning prefix" sh -c "grep -q '^forecast: ensemble (caruana' f3.err && ! grep -q 'warning' f3.err"
{ echo "id,ds,y"; for i in 1 2 3; do echo "short,$i,$i"; done; for i in 1 2 3 4; do echo "tiny$i,1,$i"; done
  for i in $(seq 1 40); do echo "long,$i,$((i % 7 + i))"; done; } >short.csv
"$FORECAST" cv short.csv --horizon 5 --models naive,drift --registry reg >/dev/null 2>short.err
assert "cv with short series: the warnings it printed" test "$(run_field reg 1 warnings)" -eq "$(grep -c '^forecast: warning: ' short.err)"
assert "one per series that fell back" test "$(grep -c '^forecast: warning: series id=' short.err)" -eq 5
assert "and as many fallbacks" test "$(run_field reg 1 fallbacks)" -eq 5
assert "of the 6 series, only long is back-tested" test "$(run_field reg 1 series_forecast)" -eq 1
"$FORECAST" fit short.csv --horizon 5 --models naive,drift --registry reg --quiet -o s.csv --model-out s.model 2>sq.err
assert "--quiet hides the warnings" test ! -s sq.err
assert "but the record counts them" test "$(run_field reg 1 warnings)" -eq 5
assert "and the fallbacks" test "$(run_field reg 1 fallbacks)" -eq 5
assert "series forecast: all 6" test "$(run_field reg 1 series_forecast)" -eq 6
# over ten fallbacks: ten named, then one line for the rest
{ echo "id,ds,y"; for s in $(seq 1 12); do echo "s$s,1,$s"; echo "s$s,2,$s"; done
  for i in $(seq 1 40); do echo "long,$i,$i"; done; } >many.csv
"$FORECAST" cv many.csv --horizon 5 --models naive --registry reg >/dev/null 2>many.err
assert "twelve fallbacks print eleven warnings" test "$(grep -c 'warning' many.err)" -eq 11
assert "which the record counts" test "$(run_field reg 1 warnings)" -eq 11
assert "beside twelve fallbacks" test "$(run_field reg 1 fallbacks)" -eq 12
# --candidate-timeout: one warning naming the candidate
"$FORECAST" cv air.csv --horizon 12 --models naive,arima --candidate-timeout 0.001 --registry reg >/dev/null 2>to.err
assert "a timeout is a warning" sh -c "grep -q 'arima was dropped on 1 series' to.err && test '$(run_field reg 1 warnings)' -eq 1"
# predict: series missing from --data fall back to the training data's end
grep -v '^short,' short.csv | sed 's/^long,/other,/' >newer.csv
"$FORECAST" predict --model s.model --data newer.csv --registry reg >/dev/null 2>pw.err
assert "predict: a warning per series not in --data and one for the unknown series" test "$(grep -c warning pw.err)" -eq 3
assert "the record counts them" test "$(run_field reg 1 warnings)" -eq 3
assert "and the series forecast from the training data's end as fallbacks" test "$(run_field reg 1 fallbacks)" -eq 2

# Every registry command in every --format: JSON that parses, CSV whose
# rows are as wide as its header.  A run with a file name that is not
# UTF-8 and a retrain decision with quotes test the escaping.
"$FORECAST" cv air.csv --horizon 12 --models naive --quiet --registry reg --leaderboard "$(printf 'lb\377"x.csv')" >/dev/null
cat >csv_ok.py <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="latin-1")))
sys.exit(not rows or any(len(r) != len(rows[0]) for r in rows))
PY
for sub in list "show air" "show air@2" runs "runs air" "runs nosuch" "diff air@1 air@2" \
	"promote air@2" "rollback air" gc check; do
	for fmt in table csv json; do
		# each format sees the same state: air@1 champion, air@2 for rollback
		case $sub in
		rollback*) "$FORECAST" registry promote air@2 --registry reg >/dev/null ;;
		esac
		"$FORECAST" registry $sub --registry reg --format $fmt >out.$fmt
		rc=$?
		case $fmt in
		table) assert "registry $sub: table" sh -c "test $rc -eq 0 && test -s out.table" ;;
		csv) assert "registry $sub --format csv: a header and rows of its width" sh -c "test $rc -eq 0 && python3 csv_ok.py out.csv" ;;
		json) assert "registry $sub --format json is valid JSON" sh -c "test $rc -eq 0 && python3 -m json.tool out.json >/dev/null" ;;
		esac
		case $sub in
		promote*) "$FORECAST" registry rollback air --registry reg >/dev/null ;;
		esac
	done
done
"$FORECAST" registry show air@2 --registry reg --format json >show.json
assert "show --format json: one object, its lineage and promotions" python3 -c '
import json
d = json.load(open("show.json"))
assert d["version"] == 2 and d["parent"] == 1 and d["lineage"] == [2, 1], d
assert [p["version"] for p in d["promotions"]][:1] == [1], d["promotions"]'
"$FORECAST" registry show air@2 --registry reg --format csv >show.csv
assert "show --format csv: the lineage as a column" python3 -c '
import csv
r = list(csv.DictReader(open("show.csv", newline="")))
assert len(r) == 1 and r[0]["lineage"] == "air@2 <- air@1" and r[0]["promotions"].startswith("1 at "), r'
"$FORECAST" registry promote air@2 --registry reg --format json >pr.json
assert "promote --format json names the champion" python3 -c '
import json
assert json.load(open("pr.json")) == {"name": "air", "version": 2, "status": "champion"}'
"$FORECAST" registry runs --registry reg --format json >runs.json
assert "runs --format json keeps the quote and replaces the byte that is not UTF-8" python3 -c '
import json
r = json.load(open("runs.json"))
assert any(x["outputs"] and x["outputs"].startswith("lb\ufffd\"x.csv\t") for x in r), [x["outputs"] for x in r]'
"$FORECAST" registry list --registry reg --format json >list.json
assert "list --format json: a version without parent has null" python3 -c '
import json
assert [m["parent"] for m in json.load(open("list.json")) if m["name"] == "air"] == [None, 1]'
"$FORECAST" registry gc --registry reg --format json >gc.json
"$FORECAST" registry check --registry reg --format csv >check.csv
assert "gc and check: numbers in json and csv" sh -c "grep -qx '{\"removed\": 0}' gc.json && test \"\$(cat check.csv)\" = \"status,versions
ok,2\""
finish
