#!/bin/sh
# retrain --shard K/N and merge of retrain parts (src/cli/cmd_retrain.c):
# a nightly retrain split over shards and finished by merge decides,
# registers and writes exactly what one retrain does on the same registry
# and data (decision, forecast CSV, stored model file), for 1, 2 and 3
# shards and at any thread count; the shards neither lock nor write the
# registry; and a missing or duplicate shard, a part made against another
# champion, a champion that changed since the shards ran, and changed data
# are clear errors that leave the registry as it was.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"
cd "$TMP" || exit 1

# Half a year of the sample panel: the champion is fitted up to
# mid-November, the retrain sees the rest.  gbdt is in the candidates, so
# the global model's two-phase rule is exercised (fitted at the merge).
# (Not ets: its multiplicative fits cannot re-anchor on the zeros of the
# newer days, so the champion's forecast would leave them out, with a
# warning per series, sharded or not; tests/cli_predict.sh tests that.)
awk -F, 'NR == 1 || $3 >= "2024-07-01"' "$SAMPLES/retail_daily.csv" >new.csv
awk -F, 'NR == 1 || $3 < "2024-11-15"' new.csv >old.csv
MODELS="--models snaive,theta,stl,gbdt"
"$FORECAST" fit old.csv --horizon 7 $MODELS --quiet --registry r0 --name shop -o old.fc.csv \
	--model-out old.model
assert "the champion's fit exits 0" test $? -eq 0
for r in u u2 s1 s2 s3 k2 e1 e2 e3; do cp -r r0 "$r"; done

# what one process does
"$FORECAST" retrain new.csv --name shop --registry u -o u.csv >u.out 2>u.err
assert "the unsharded retrain exits 0" test $? -eq 0
assert "and promotes the challenger" grep -q '^promoted shop@2' u.out
"$FORECAST" registry show shop@2 --registry u >u.show
grep -E '^(file_hash|options|status|kinds|score)' u.show >u.key

# shards: N processes, then the merge (at --threads 1 and 2)
shards() { # REGISTRY N [retrain options]: parts REGISTRY.part-K
	reg=$1 n=$2
	shift 2
	k=0
	while [ $k -lt "$n" ]; do
		"$FORECAST" retrain new.csv --name shop --registry "$reg" --shard $k/"$n" -o "$reg.part-$k" \
			--quiet "$@" || echo "shard $k of $n failed"
		k=$((k + 1))
	done
}
for n in 1 2 3; do
	"$FORECAST" registry runs --registry s$n --format csv >s$n.runs0
	shards s$n $n >s$n.log 2>&1
	assert "$n shard(s): every shard exits 0" sh -c "! grep -q failed s$n.log && test -s s$n.part-$((n - 1))"
	"$FORECAST" registry runs --registry s$n --format csv >s$n.runs1
	assert "$n shard(s): the shards record no run in the registry" cmp s$n.runs0 s$n.runs1
	threads=$(( n == 3 ? 2 : 1 ))
	"$FORECAST" merge --name shop --registry s$n --threads $threads s$n.csv s$n.part-* >s$n.out 2>s$n.err
	assert "$n shard(s): the merge exits 0 (as retrain did)" test $? -eq 0
	assert "$n shard(s): the same decision, word for word" cmp u.out s$n.out
	assert "$n shard(s): the same forecast CSV, byte for byte" cmp u.csv s$n.csv
	"$FORECAST" registry show shop@2 --registry s$n >s$n.show
	grep -E '^(file_hash|options|status|kinds|score)' s$n.show >s$n.key
	assert "$n shard(s): the same model registered (file hash, options, status, score)" \
		cmp u.key s$n.key
	assert "$n shard(s): every local member's fold forecasts came from the parts" \
		grep -Eq 'challenger ([0-9]+) of \1, champion ([0-9]+) of \2' s$n.err
done
# the shipped Slurm array and merge job, the tasks run here one after
# another with Slurm's variables
cp -r r0 slurm
for k in 0 1 2; do
	SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 NAME=shop DATA=new.csv \
		REGISTRY=slurm RUN=slurm-run FORECAST="$FORECAST" \
		bash "$top_srcdir/examples/slurm/retrain-shard.sbatch" || echo "task $k failed"
done >slurm.log 2>&1
assert "the Slurm retrain array's tasks succeed" sh -c '! grep -q failed slurm.log && test -s slurm-run/retrain-2'
NAME=shop REGISTRY=slurm RUN=slurm-run FORECAST="$FORECAST" SLURM_CPUS_PER_TASK=2 \
	bash "$top_srcdir/examples/slurm/retrain-merge.sbatch" >slurm.out 2>slurm.err
assert "the Slurm merge job exits 0 and decides as one retrain" cmp u.out slurm.out
assert "writing the same forecasts" cmp u.csv slurm-run/forecast.csv
# the shipped Kubernetes Indexed Job and merge Job, their commands run
# here as local processes, /data a directory, the model named shop
cp -r r0 k8s-registry
mkdir -p k8s
mv k8s-registry k8s/registry
cp new.csv k8s/sales.csv
n=$(sed -n 's/^ *completions: *\([0-9]*\)$/\1/p' "$top_srcdir/examples/kubernetes/retrain-shards.yaml")
cmd=$(k8s_command "$top_srcdir/examples/kubernetes/retrain-shards.yaml" 'forecast retrain ' |
	sed 's/--name sales/--name shop/')
mcmd=$(k8s_command "$top_srcdir/examples/kubernetes/retrain-merge.yaml" '- forecast merge ' |
	sed 's/--name sales/--name shop/')
forecast() { "$FORECAST" "$@"; }
k8s_indexed "$n" "$cmd" k8s.log
assert "Kubernetes retrain: $n indexed completions succeed, at once" \
	sh -c "! grep -q failed k8s.log && test \$(ls k8s/retrain | wc -l) -eq $n"
eval "$mcmd" >k8s.out 2>k8s.err
assert "Kubernetes retrain: the merge Job's command exits 0 and decides as one retrain" cmp u.out k8s.out
assert "writing the same forecasts" cmp u.csv k8s/retrain/forecast.csv
"$FORECAST" registry runs --registry s2 --format csv >s2.runs
assert "the merge is recorded, with the decision" grep -q ',merge,.*promoted shop@2' s2.runs

# a challenger held to a margin it cannot meet: the champion's forecast,
# the option given to the shards; the merge finds the shards' registry
"$FORECAST" retrain new.csv --name shop --registry u2 -o u2.csv --promote-margin 0.9 >u2.out
assert "unsharded, with a margin: kept" grep -q '^kept shop@1' u2.out
shards k2 2 --promote-margin 0.9 >k2.log 2>&1
"$FORECAST" merge --name shop k2.csv k2.part-0 k2.part-1 >k2.out 2>/dev/null
assert "the merge without --registry uses the shards'" test ! -e forecast-registry
assert "sharded, with a margin: the same decision" cmp u2.out k2.out
assert "and the same (champion's) forecast" cmp u2.csv k2.csv

# retrain's other exit codes pass through the merge: a series added (12)
# and --alert-ratio flagging one (13, before 12), on the small panel of
# cli_registry.sh: store b's trend quintuples after day 60
panel() { store_panel "$1" 3 ${2:-}; } # DAYS [EXTRA_SERIES]
panel 60 >d60.csv
panel 70 c >d70.csv
"$FORECAST" fit d60.csv --horizon 7 --models naive,ets --quiet --registry a0 --name shop -o a.csv \
	--model-out a.model
cp -r a0 a1
for case in 1000:12 1.5:13; do
	ratio=${case%:*} code=${case#*:}
	"$FORECAST" retrain d70.csv --name shop --registry a0 -o a0.csv --promote-margin 0.999 \
		--alert-ratio $ratio >a0.out 2>/dev/null
	rc0=$?
	for k in 0 1; do
		"$FORECAST" retrain d70.csv --name shop --registry a1 -o a1.part-$k --promote-margin 0.999 \
			--alert-ratio $ratio --shard $k/2 --quiet
	done
	"$FORECAST" merge --name shop --registry a1 a1.csv a1.part-0 a1.part-1 >a1.out 2>/dev/null
	rc1=$?
	assert "--alert-ratio $ratio: one retrain exits $code, and so does the merge" \
		test "$rc0" -eq "$code" -a "$rc1" -eq "$code"
	assert "--alert-ratio $ratio: the same decision and forecast" sh -c 'cmp a0.out a1.out && cmp a0.csv a1.csv'
done
assert "the alert names store b" grep -q "alert: 1 series' newest-fold error is above 1.5 x their earlier folds' (store=b)" a1.out

# errors: the registry keeps one version and no forecast is written
shards e1 3 >e1.log 2>&1
versions() { "$FORECAST" registry list --registry "$1" --format csv | grep -c '^shop,'; }
check_error() { # NAME CODE PATTERN REGISTRY merge ARGS...
	name=$1 code=$2 pattern=$3 reg=$4
	shift 4
	rm -f out.csv
	"$FORECAST" "$@" >err.out 2>err.txt
	rc=$?
	if [ $rc -ne "$code" ]; then
		not_ok "$name" "exit $rc, expected $code" "$(head -c 400 err.txt)"
	elif ! grep -Eq -- "$pattern" err.txt; then
		not_ok "$name" "stderr does not match: $pattern" "$(head -c 400 err.txt)"
	elif [ -e out.csv ]; then
		not_ok "$name" "out.csv was written"
	elif [ "$(versions "$reg")" -ne 1 ]; then
		not_ok "$name" "the registry has a new version"
	elif ls "$reg/tmp" 2>/dev/null | grep -q .; then
		not_ok "$name" "files left in $reg/tmp: $(ls "$reg/tmp")"
	else
		ok "$name"
	fi
}
check_error "a missing shard: exit 4" 4 'shard 1 of 3 is missing' e1 \
	merge --name shop --registry e1 out.csv e1.part-0 e1.part-2
check_error "a duplicate shard: exit 4" 4 'e1.part-0 and e1.part-0 are both shard 0 of 3' e1 \
	merge --name shop --registry e1 out.csv e1.part-0 e1.part-0 e1.part-1 e1.part-2
check_error "another name: exit 2" 2 'the parts retrain shop' e1 \
	merge --name other --registry e1 out.csv e1.part-0 e1.part-1 e1.part-2
check_error "--model-out does not apply: exit 2" 2 'retrain.s, .*--model-out does not apply' e1 \
	merge --name shop --registry e1 --model-out m.model out.csv e1.part-0 e1.part-1 e1.part-2
cp e1.part-1 bad.part
printf 'x' | dd of=bad.part bs=1 seek=200 conv=notrunc 2>/dev/null
check_error "a damaged part: exit 4" 4 'bad.part: the part is damaged' e1 \
	merge --name shop --registry e1 out.csv e1.part-0 bad.part e1.part-2
"$FORECAST" fit new.csv --horizon 7 $MODELS --shard 1/3 -o fit.part --quiet
check_error "a fit part among retrain parts: exit 4" 4 "is a part of 'retrain --shard' and fit.part is not" e1 \
	merge --name shop --registry e1 out.csv e1.part-0 fit.part e1.part-2

# a part made against another champion: e2's champion becomes a version
# fitted on the old data with other options
cp -r e2 e2old
"$FORECAST" fit old.csv --horizon 7 --models snaive,theta --quiet --registry e2 --name shop \
	-o e2.fc.csv --model-out e2.model
"$FORECAST" registry promote shop@2 --registry e2 >/dev/null
"$FORECAST" retrain new.csv --name shop --registry e2old --shard 0/2 -o e2.part-0 --quiet
"$FORECAST" retrain new.csv --name shop --registry e2 --shard 1/2 -o e2.part-1 --quiet
"$FORECAST" retrain new.csv --name shop --registry e2old --shard 1/2 -o e2old.part-1 --quiet
assert "(the parts are written)" test -s e2.part-0 -a -s e2.part-1 -a -s e2old.part-1
check_error "parts made against two champions: exit 4" 4 'e2.part-0 and e2.part-1 differ in their champion' e2old \
	merge --name shop --registry e2old out.csv e2.part-0 e2.part-1
# the champion changed between the shards and the merge: exit 14
"$FORECAST" registry runs --registry e2 --format csv >e2.runs0
rm -f out.csv
"$FORECAST" merge --name shop --registry e2 out.csv e2.part-0 e2old.part-1 >/dev/null 2>err.txt
assert "the champion changed since the shards ran: exit 14" test $? -eq 14
assert "naming both versions" grep -q 'the champion of shop is shop@2 (model [0-9a-f]*), not shop@1' err.txt
assert "and writes no forecast" test ! -e out.csv
"$FORECAST" registry list --registry e2 --format csv >e2.list
assert "and adds no version" test "$(grep -c '^shop,' e2.list)" -eq 2
"$FORECAST" registry runs --registry e2 --format csv >e2.runs1
assert "the refused merge is recorded with its exit status" \
	sh -c "test \$(wc -l <e2.runs1) -eq \$((\$(wc -l <e2.runs0) + 1)) && sed -n 2p e2.runs1 | grep -q '^[0-9]*,merge,.*,14,'"

# the data changed after the shards ran; parts of two data files
shards e3 2 >e3.log 2>&1
cp new.csv new.orig
sed '5s/,\([0-9]*\)$/,999/' new.orig >new.csv
check_error "the data changed since the shards ran: exit 3" 3 'the data is not what the shards read' e3 \
	merge --name shop --registry e3 out.csv e3.part-0 e3.part-1
"$FORECAST" retrain new.csv --name shop --registry e3 --shard 1/2 -o e3.part-1b --quiet
cp new.orig new.csv
check_error "parts of two data files: exit 4" 4 'differ in their data' e3 \
	merge --name shop --registry e3 out.csv e3.part-0 e3.part-1b
mv new.csv moved.csv
"$FORECAST" merge --name shop --registry e3 --data moved.csv e3.csv e3.part-0 e3.part-1 >e3.out 2>/dev/null
assert "--data finds the shards' data elsewhere: exit 0" test $? -eq 0
assert "with the same forecast" cmp u.csv e3.csv

finish
