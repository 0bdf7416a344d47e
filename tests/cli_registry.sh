#!/bin/sh
# End-to-end tests of the model registry: fit --name, predict --model NAME,
# registry list/show/diff/runs/promote/rollback/gc, the writer lock, and
# that bad input leaves no registry behind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"
unset FORECAST_REGISTRY
cd "$TMP" || exit 1
cp "$SAMPLES/air_passengers.csv" air.csv

"$FORECAST" fit air.csv --horizon 12 --models naive,snaive,ets --quiet -o plain.csv --model-out plain.model
assert "fit without --name creates no registry" test ! -e forecast-registry

"$FORECAST" fit air.csv --horizon 12 --models naive,snaive,ets --quiet -o v1.csv --model-out v1.model --name air
assert "fit --name exits 0" test $? -eq 0
assert "fit --name writes the same forecasts as without" cmp plain.csv v1.csv
assert "fit --name writes the same model file as without" cmp plain.model v1.model
assert "the registry has a database and the stored model" test -f forecast-registry/registry.db -a -f "forecast-registry/models/$(ls forecast-registry/models | head -1)"
"$FORECAST" registry list --format csv >list.csv
assert "the first version is champion" grep -q '^air,1,champion,' list.csv

"$FORECAST" predict --model air >p1.csv
assert "predict --model NAME forecasts as the fit did" cmp v1.csv p1.csv
"$FORECAST" predict --model air@1 >p1b.csv
assert "predict --model NAME@1 as well" cmp v1.csv p1b.csv
"$FORECAST" predict --model plain.model >pf.csv
assert "predict --model FILE still works" cmp v1.csv pf.csv

"$FORECAST" fit air.csv --horizon 12 --models naive,theta --quiet -o v2.csv --model-out v2.model --name air
"$FORECAST" registry list --format csv >list.csv
assert "a later fit is a candidate" grep -q '^air,2,candidate,' list.csv
assert "its parent is the champion" sh -c "grep '^air,2,' list.csv | grep -q ',1\$'"
"$FORECAST" predict --model air >p.csv
assert "the champion still forecasts" cmp v1.csv p.csv
"$FORECAST" predict --model air@2 >p2.csv
assert "NAME@2 forecasts as the second fit did" cmp v2.csv p2.csv
assert "the two fits differ" sh -c "! cmp -s v1.csv v2.csv"

"$FORECAST" registry show air >show.txt
assert "show prints the fingerprint, options and lineage" sh -c "grep -q '^fingerprint: [0-9a-f]\{16\}' show.txt && grep -q '^options: --horizon 12 --models naive,snaive,ets' show.txt && grep -q '^lineage: air@1' show.txt"
"$FORECAST" registry show air@2 --format json >show.json
assert "show --format json" sh -c "grep -q '\"version\": 2' show.json && grep -q '\"parent\": 1' show.json"
"$FORECAST" registry diff air@1 air@2 >diff.txt
assert "diff lists the options and the kinds" sh -c "grep -q '^kinds	ets	theta' diff.txt && grep -q '^options' diff.txt && ! grep -q '^fingerprint' diff.txt"

"$FORECAST" registry promote air@2 >/dev/null
"$FORECAST" predict --model air >p.csv
assert "after promote the champion is version 2" cmp v2.csv p.csv
"$FORECAST" registry rollback air >/dev/null
"$FORECAST" predict --model air >p.csv
assert "after rollback the champion is version 1 again" cmp v1.csv p.csv
"$FORECAST" registry rollback air 2>rb.err
assert "a second rollback has nowhere to go: exit 2" test $? -eq 2
assert "and says so" grep -q 'no earlier champion' rb.err
"$FORECAST" registry promote air@9 2>/dev/null
assert "promoting a missing version: exit 2" test $? -eq 2

"$FORECAST" registry runs --format csv >runs.csv
assert "runs records the fits with their outputs' hashes" sh -c "grep -c '^[0-9]*,fit,' runs.csv | grep -qx 2 && grep -q 'v1.model	[0-9a-f]\{16\}' runs.csv"
assert "runs records the predictions from the registry (not from files)" sh -c "grep -c '^[0-9]*,predict,' runs.csv | grep -qx 6"

echo junk >forecast-registry/models/0000000000000000
"$FORECAST" registry gc >gc.txt
assert "gc removes an unreferenced file" grep -qx '1 files removed' gc.txt
"$FORECAST" predict --model air@2 >p.csv
assert "gc keeps the versions' files" cmp v2.csv p.csv

# The writer lock: a second writer of a name is refused, or waits.
if command -v flock >/dev/null 2>&1; then
	flock forecast-registry/locks/air.lock sleep 3 &
	sleep 0.5
	"$FORECAST" fit air.csv --horizon 12 --models naive --quiet -o v3.csv --model-out v3.model --name air 2>lock.err
	assert "a locked name refuses a second writer: exit 4" test $? -eq 4
	assert "naming the lock" grep -q 'being written by another forecast process' lock.err
	"$FORECAST" fit air.csv --horizon 12 --models naive --quiet -o v3.csv --model-out v3.model --name air --wait 20
	assert "--wait waits for the lock" test $? -eq 0
	wait
	"$FORECAST" registry list --format csv >list.csv
	assert "the waiting fit became version 3 and the refused one left no version" sh -c "grep -c '^air,' list.csv | grep -qx 3"
fi

# Registry elsewhere, by option and by environment.
"$FORECAST" fit air.csv --horizon 12 --models naive --quiet -o e.csv --model-out e.model --name env --registry reg2
assert "--registry DIR puts it there" test -f reg2/registry.db
FORECAST_REGISTRY=reg2 "$FORECAST" predict --model env >pe.csv
assert "\$FORECAST_REGISTRY finds it" cmp e.csv pe.csv
"$FORECAST" predict --model nosuch 2>ns.err
assert "an unknown name: exit 4" test $? -eq 4

# retrain: a small panel fitted on 60 days; from day 60 on, store a's
# weekly swing triples and store b's trend quintuples, which the
# champion's smoothing parameters do not follow.
panel() { store_panel "$1" 9 ${2:-}; } # DAYS [EXTRA_SERIES]
panel 60 >d60.csv
panel 70 >d70.csv
panel 100 >d80.csv
panel 110 c >d90.csv
R="--registry rt"
"$FORECAST" fit d60.csv --horizon 7 --models naive,ets --quiet $R --name shop -o f60.csv --model-out f60.model
"$FORECAST" retrain d60.csv --name shop $R -o r.csv >r.out 2>r.err
assert "retrain on data no newer than the champion's: exit 10" test $? -eq 10
assert "says the data are stale" grep -q 'stale data' r.err
assert "and writes no forecast" test ! -e r.csv
"$FORECAST" registry list $R --format csv >l.csv
assert "and adds no version" test "$(grep -c '^shop,' l.csv)" -eq 1

sed 's/^store,date,sales$/store,date,units/' d70.csv >renamed.csv
"$FORECAST" retrain renamed.csv --name shop $R -o r.csv 2>r.err
assert "retrain after a column changed: exit 11" test $? -eq 11
assert "naming the column" grep -q "column 'sales'" r.err
assert "and writes nothing" test ! -e r.csv

"$FORECAST" retrain d70.csv --name shop $R -o r70.csv --promote-margin 0.999 >r.out
assert "retrain with a margin no challenger meets: exit 0" test $? -eq 0
assert "keeps the champion and says why" grep -q '^kept shop@1: challenger shop@2' r.out
"$FORECAST" predict $R --model shop@1 --data d70.csv --horizon 7 >p70.csv
assert "and writes the champion's forecast on the new data" cmp p70.csv r70.csv
"$FORECAST" registry list $R --format csv >l.csv
assert "the challenger stays a candidate" grep -q '^shop,2,candidate,' l.csv

"$FORECAST" retrain d80.csv --name shop $R -o r80.csv >r.out
assert "retrain where the champion is outdated: exit 0" test $? -eq 0
assert "promotes the challenger" grep -q '^promoted shop@3' r.out
"$FORECAST" predict $R --model shop >p80.csv
assert "whose forecast it writes" cmp p80.csv r80.csv
"$FORECAST" registry runs $R --format csv >runs.csv
assert "the decision is in the run record" grep -q ',retrain,.*promoted shop@3' runs.csv

"$FORECAST" retrain d90.csv --name shop $R -o r90.csv >r.out
assert "retrain with a series added: exit 12" test $? -eq 12
assert "counting it" grep -q '1 series added, 0 removed' r.out
assert "and still writes the forecast" test -s r90.csv
"$FORECAST" registry rollback shop $R >/dev/null
"$FORECAST" registry list $R --format csv >l.csv
assert "rollback after retrain returns the previous champion" sh -c "grep ',champion,' l.csv | grep -q '^shop,3,'"
# --alert-ratio: store b's newest fold (days 63-69) is after its change
R2="--registry rt2"
"$FORECAST" fit d60.csv --horizon 7 --models naive,ets --quiet $R2 --name shop -o a60.csv --model-out a60.model
"$FORECAST" retrain d70.csv --name shop $R2 -o a70.csv --promote-margin 0.999 --alert-ratio 1000 >a.out
assert "--alert-ratio with a ratio no series exceeds: exit 0" test $? -eq 0
"$FORECAST" fit d60.csv --horizon 7 --models naive,ets --quiet $R2 --name shop2 -o a60.csv --model-out a60.model
"$FORECAST" retrain d70.csv --name shop2 $R2 -o a70.csv --promote-margin 0.999 --alert-ratio 1.5 >a.out
assert "--alert-ratio flags a series whose error grew: exit 13" test $? -eq 13
assert "naming it, and only it" grep -q "alert: 1 series' newest-fold error is above 1.5 x their earlier folds' (store=b)" a.out
assert "the forecast is still written" test -s a70.csv
# the same with a champion forecast by the global model, alone or in an
# ensemble with a local one: its fold forecasts come from the champion's
# fitted gbdt, forecasting from each fold's origin of the new data
R3="--registry rt3"
for models in gbdt naive,gbdt; do
	name=g$(echo $models | tr -d ,)
	"$FORECAST" fit d60.csv --horizon 7 --models $models --quiet $R3 --name $name -o g60.csv --model-out g60.model
	assert "$models: the champion has a global member" grep -q '^member	gbdt\|^model	gbdt' g60.model
	"$FORECAST" retrain d70.csv --name $name $R3 -o g70.csv --promote-margin 0.999 --alert-ratio 1000 >g.out
	assert "$models: --alert-ratio no series exceeds: exit 0" test $? -eq 0
	"$FORECAST" retrain d70.csv --name $name $R3 -o g70.csv --promote-margin 0.999 --alert-ratio 1.5 >g.out
	assert "$models: the global champion's drift is checked: exit 13" test $? -eq 13
	assert "$models: naming store b, and only it" grep -q "alert: 1 series' newest-fold error is above 1.5 x their earlier folds' (store=b)" g.out
done

# retrain compares the series forecast by global models too: champion and
# challenger with gbdt members, both refitted per fold, on every series of
# the shipped retail sample, the same at any thread count.
awk -F, 'NR == 1 || $3 < "2024-11-01"' "$SAMPLES/retail_daily.csv" >ret_old.csv
cp "$SAMPLES/retail_daily.csv" ret_new.csv
nser=$(tail -n +2 ret_new.csv | cut -d, -f1,2 | sort -u | wc -l)
R4="--registry rt4"
"$FORECAST" fit ret_old.csv --horizon 14 --models gbdt,snaive --quiet $R4 --name ret -o ret_old.fc.csv --model-out ret_old.model
assert "gbdt,snaive: the champion has gbdt members" grep -q '^member	gbdt' ret_old.model
cp -r rt4 rt4b
cp -r rt4 rt4c
"$FORECAST" retrain ret_new.csv --name ret $R4 -o ret1.csv --threads 1 >ret1.out
assert "retrain of a global champion: exit 0" test $? -eq 0
assert "compares every series of the panel ($nser), none left out" grep -q "over $((nser * 3)) folds of $nser series (0 series not in both" ret1.out
"$FORECAST" retrain ret_new.csv --name ret --registry rt4b -o ret2.csv --threads 2 >ret2.out
assert "the same decision at --threads 1 and 2" cmp ret1.out ret2.out
assert "and the same forecast" cmp ret1.csv ret2.csv
# a challenger held to a margin it cannot meet is not promoted, and the
# champion's (global) forecast is written
"$FORECAST" retrain ret_new.csv --name ret --registry rt4c -o ret3.csv --promote-margin 0.9 >ret3.out
assert "a challenger short of the margin is kept out: exit 0" test $? -eq 0
assert "the decision keeps ret@1, over every series" sh -c "grep -q '^kept ret@1: challenger ret@2' ret3.out && grep -q \"of $nser series (0 series\" ret3.out"
"$FORECAST" registry list --registry rt4c --format csv >l4.csv
assert "ret@1 stays champion, ret@2 a candidate" sh -c "grep -q '^ret,1,champion,' l4.csv && grep -q '^ret,2,candidate,' l4.csv"
"$FORECAST" predict --registry rt4c --model ret@1 --data ret_new.csv --horizon 14 >p4.csv
assert "the champion's forecast on the new data is written" cmp p4.csv ret3.csv

"$FORECAST" registry check $R >chk.txt
assert "the registry checks out" grep -q '^ok: ' chk.txt

# Bad input: nothing written, no registry created.
printf 'month,y\n1949-01,112\n1949-02,x\n' >bad.csv
INPUTS="bad.csv" expect_error "fit --name on bad input leaves no registry" 3 'bad.csv:3' -- fit bad.csv --horizon 3 --name bad
INPUTS="" expect_error "an invalid name is a usage error" 2 'model name' -- fit air.csv --horizon 3 --name ../x
finish
