#!/bin/sh
# Shards and merge (include/forecast/shard.h): a run split with --shard K/N
# and merged is byte for byte the single-process run, through the shipped
# Slurm and Kubernetes examples run as local processes; and every way a
# set of parts can be wrong is a clear error.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"
EXAMPLES="$top_srcdir/examples"

# Half a year of the sample panel, plus a series too short for one fold
# (the no-fold ets+theta path) and one with fewer folds than asked.
{
	awk -F, 'NR == 1 || $3 >= "2024-07-01"' "$SAMPLES/retail_daily.csv"
	for d in $(seq 0 11); do echo "S9,short,$(date -u -d "2024-12-20 + $d day" +%Y-%m-%d),$((5 + d % 3))"; done
	for d in $(seq 0 34); do echo "S9,newer,$(date -u -d "2024-11-27 + $d day" +%Y-%m-%d),$((20 + d % 7))"; done
} >"$TMP/sales.csv"
cd "$TMP" || exit 1

"$FORECAST" fit sales.csv --horizon 7 --quiet -o full.csv --model-out full.model --leaderboard full_lb.csv
assert "the single-process fit exits 0" test $? -eq 0

# The Slurm array, its tasks run here one after another with Slurm's
# variables, then the merge job.
mkdir slurm
for k in 0 1 2; do
	SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 DATA=sales.csv RUN=slurm \
		HORIZON=7 FORECAST="$FORECAST" bash "$EXAMPLES/slurm/forecast-shard.sbatch" || echo "task $k failed"
done >slurm.log 2>&1
assert "the Slurm array's tasks succeed" sh -c '! grep -q failed slurm.log && test -s slurm/part-2'
RUN=slurm FORECAST="$FORECAST" SLURM_CPUS_PER_TASK=2 bash "$EXAMPLES/slurm/forecast-merge.sbatch" 2>slurm_merge.err
assert "the Slurm merge job exits 0" test $? -eq 0
assert "Slurm: merged forecasts are the single run's, byte for byte" cmp full.csv slurm/forecast.csv
assert "Slurm: merged model file is the single run's" cmp full.model slurm/forecast.model
assert "Slurm: merged leaderboard is the single run's (but the measured seconds)" \
	lb_cmp full_lb.csv slurm/leaderboard.csv
assert "Slurm: the merged leaderboard's seconds are non-negative numbers" lb_seconds_ok slurm/leaderboard.csv

# The Kubernetes Indexed Job: its command, run for every completion index
# as concurrent local processes, with /data pointing here; compared with
# the same command run without --shard.
n=$(sed -n 's/^ *completions: *\([0-9]*\)$/\1/p' "$EXAMPLES/kubernetes/forecast-shards.yaml")
cmd=$(k8s_command "$EXAMPLES/kubernetes/forecast-shards.yaml" '- forecast fit ')
mcmd=$(k8s_command "$EXAMPLES/kubernetes/forecast-merge.yaml" '- forecast merge ')
mkdir -p k8s/run
cp sales.csv k8s/sales.csv
forecast() { "$FORECAST" "$@"; }
eval "$(echo "$cmd" | sed 's#--shard [^ ]*##; s#-o [^ ]*#-o k8s_full.csv --model-out k8s_full.model#')"
assert "Kubernetes: the command without --shard exits 0" test -s k8s_full.csv
k8s_indexed "$n" "$cmd" k8s.log
assert "Kubernetes: $n indexed completions succeed" sh -c "! grep -q failed k8s.log && test \$(ls k8s/run | wc -l) -eq $n"
eval "$mcmd" 2>k8s_merge.err
assert "Kubernetes: the merge Job's command exits 0" test $? -eq 0
assert "Kubernetes: merged forecasts are the single run's, byte for byte" cmp k8s_full.csv k8s/run/forecast.csv
assert "Kubernetes: merged model file is the single run's" cmp k8s_full.model k8s/run/forecast.model

# predict reads a merged model like any other
"$FORECAST" predict --model slurm/forecast.model >pred.csv
assert "predict from the merged model repeats the forecasts" cmp full.csv pred.csv

# merge registers the merged model: its options are the run's without
# --shard, its run is the merge, and predict --model NAME repeats it
"$FORECAST" merge reg.csv slurm/part-0 slurm/part-1 slurm/part-2 --quiet --model-out reg.model \
	--name sales --registry reg
assert "merge --name exits 0" test $? -eq 0
assert "merge --name: the same forecasts" cmp full.csv reg.csv
"$FORECAST" predict --model sales --registry reg >reg_pred.csv
assert "predict --model NAME of a merged model repeats its forecasts" cmp full.csv reg_pred.csv
"$FORECAST" registry show sales --registry reg --format json >reg_show.json
assert "the registered options have no --shard" sh -c "grep -q '\"options\"' reg_show.json && ! grep -q -- '--shard' reg_show.json"
"$FORECAST" registry runs --registry reg --format csv >reg_runs.csv
assert "the registry records the run as a merge" grep -q '^[0-9]*,merge,' reg_runs.csv
INPUTS=""

# cv parts merge into the leaderboard
"$FORECAST" cv sales.csv --horizon 7 --quiet --leaderboard cv_full.csv >/dev/null
for k in 0 1; do "$FORECAST" cv sales.csv --horizon 7 --quiet --shard $k/2 -o cvpart$k; done
"$FORECAST" merge cv_merged.csv cvpart0 cvpart1 --quiet >/dev/null
assert "cv parts merge into cv's leaderboard (but the measured seconds)" lb_cmp cv_full.csv cv_merged.csv
assert "the merged cv leaderboard's seconds are non-negative numbers" lb_seconds_ok cv_merged.csv
# the merge runs no local candidate: their time comes from the parts
assert "the merged cv leaderboard keeps the shards' time in ets ($(lb_seconds cv_merged.csv ets))" \
	awk -v s="$(lb_seconds cv_merged.csv ets)" 'BEGIN { exit !(s > 0) }'

# the same merge whatever the thread counts (a part's own bytes differ from
# run to run: they keep the seconds each candidate took)
"$FORECAST" fit sales.csv --horizon 7 --quiet --threads 1 --shard 1/3 -o t1part1
"$FORECAST" merge t1.csv slurm/part-0 t1part1 slurm/part-2 --threads 1 --quiet --model-out t1.model
assert "a shard at 1 thread and a merge at 1 thread: the same forecasts" cmp full.csv t1.csv
assert "... and the same model file" cmp full.model t1.model

# Which shard a series goes to: 64-bit FNV-1a of its key, modulo N,
# computed here independently: the series count of each of 3 shards.
python3 -c '
import csv, sys
keys = {"store=%s,item=%s" % (r["store"], r["item"]) for r in csv.DictReader(open("sales.csv"))}
n = [0, 0, 0]
for k in keys:
    h = 14695981039346656037
    for b in k.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    n[h % 3] += 1
for s in range(3):
    print("shard %d of 3: %d of %d series" % (s, n[s], len(keys)))' >expected_shards.txt
"$FORECAST" fit sales.csv --horizon 7 --shard 0/3 -o p0 2>>got_all.txt
"$FORECAST" fit sales.csv --horizon 7 --shard 1/3 -o p1 2>>got_all.txt
"$FORECAST" fit sales.csv --horizon 7 --shard 2/3 -o p2 2>>got_all.txt
grep -ho 'shard [0-9] of 3: [0-9]* of [0-9]* series' got_all.txt >got_shards.txt
assert "each shard holds the series whose key's FNV-1a hash is its index mod 3" \
	cmp expected_shards.txt got_shards.txt

# predict --shard: the Slurm predict array (3 tasks, from the merged
# model, re-anchored on the data) and its merge give the single predict's
# CSV byte for byte
"$FORECAST" predict --model full.model --data sales.csv >pfull.csv
mkdir pslurm
for k in 0 1 2; do
	SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 MODEL=slurm/forecast.model \
		DATA=sales.csv RUN=pslurm FORECAST="$FORECAST" bash "$EXAMPLES/slurm/predict-shard.sbatch" ||
		echo "task $k failed"
done >pslurm.log 2>&1
assert "Slurm predict array: the tasks succeed" sh -c '! grep -q failed pslurm.log && test -s pslurm/pred-2'
RUN=pslurm FORECAST="$FORECAST" bash "$EXAMPLES/slurm/predict-merge.sbatch" 2>pslurm_merge.err
assert "Slurm predict merge exits 0" test $? -eq 0
assert "Slurm: merged predict parts are the single predict's CSV, byte for byte" cmp pfull.csv pslurm/forecast.csv

# the Kubernetes predict Job: every completion index as a concurrent
# process, then its merge Job's command
n=$(sed -n 's/^ *completions: *\([0-9]*\)$/\1/p' "$EXAMPLES/kubernetes/predict-shards.yaml")
cmd=$(k8s_command "$EXAMPLES/kubernetes/predict-shards.yaml" 'forecast predict ')
mcmd=$(k8s_command "$EXAMPLES/kubernetes/predict-merge.yaml" '- forecast merge ')
"$FORECAST" predict --model k8s/run/forecast.model --data k8s/sales.csv >k8s_pfull.csv
k8s_indexed "$n" "$cmd" k8s_p.log
assert "Kubernetes predict: $n indexed completions succeed" sh -c "! grep -q failed k8s_p.log && test \$(ls k8s/predict | wc -l) -eq $n"
eval "$mcmd" 2>k8s_pmerge.err
assert "Kubernetes predict: the merge Job's command exits 0" test $? -eq 0
assert "Kubernetes: merged predict parts are the single predict's CSV" cmp k8s_pfull.csv k8s/predict/forecast.csv

# without --data, another horizon and unsorted levels; shards at 1 and 2
# threads, parts given in any order; the series count each shard reports
# is the FNV-1a split computed above
"$FORECAST" predict --model full.model --horizon 3 --level 95,80 >ph.csv
: >pgot.txt
for k in 0 1 2; do
	"$FORECAST" predict --model full.model --horizon 3 --level 95,80 --threads $((1 + k % 2)) \
		--shard $k/3 -o ph$k 2>>pgot.txt
done
"$FORECAST" merge phm.csv ph2 ph0 ph1 --quiet
assert "predict --horizon --level: merged shards are the single predict's CSV" cmp ph.csv phm.csv
grep -ho 'shard [0-9] of 3: [0-9]* of [0-9]* series' pgot.txt | sed 's/ forecast//' >pgot_shards.txt
assert "predict shards hold the series fit's shards hold" cmp expected_shards.txt pgot_shards.txt
"$FORECAST" predict --model full.model --horizon 3 --level 95,80 --quiet --shard 0/1 -o ph_one
"$FORECAST" merge phm1.csv ph_one --quiet
assert "one shard of one is the whole predict" cmp ph.csv phm1.csv

# the global model with features that span the panel (Fourier terms, whose
# phase counts from the earliest series start; series of staggered
# starts): each shard's series get the unsharded numbers
"$FORECAST" fit sales.csv --horizon 7 --models gbdt,snaive --fourier 2 --quiet -o gf.csv --model-out gf.model
"$FORECAST" predict --model gf.model >gp.csv
for k in 0 1 2 3; do "$FORECAST" predict --model gf.model --quiet --shard $k/4 -o gp$k; done
"$FORECAST" merge gpm.csv gp0 gp1 gp2 gp3 --quiet
assert "global model (gbdt, Fourier terms): merged shards are the single predict's CSV" cmp gp.csv gpm.csv
assert "... which are fit's forecasts" cmp gf.csv gpm.csv

# bad sets of prediction parts
cp slurm/part-2 part-2
"$FORECAST" predict --model gf.model --horizon 3 --level 95,80 --quiet --shard 2/3 -o other_model2
"$FORECAST" predict --model full.model --horizon 4 --level 95,80 --quiet --shard 2/3 -o other_h2
head -c 200 ph2 >"$TMP/cut_ph2"
INPUTS="ph0 ph1"
expect_error "predict parts: a missing shard" 4 'shard 2 of 3 is missing \(2 parts given\)' -- merge out.csv ph0 ph1
INPUTS="ph0 ph1 ph2"
expect_error "predict parts: a shard given twice" 4 'ph0 and ph0 are both shard 0 of 3' -- merge out.csv ph0 ph1 ph2 ph0
INPUTS="ph0 ph1 other_model2"
expect_error "predict parts of another model" 4 'ph0 and other_model2 differ in their model file' \
	-- merge out.csv ph0 ph1 other_model2
INPUTS="ph0 ph1 other_h2"
expect_error "predict parts of another horizon" 4 'differ in their horizon' -- merge out.csv ph0 ph1 other_h2
INPUTS="ph0 gp1 gp2 gp3"
expect_error "predict parts of another shard count" 4 'differ in their number of shards' -- merge out.csv ph0 gp1 gp2 gp3
INPUTS="ph0 ph1 cut_ph2"
expect_error "a truncated predict part" 4 'cut_ph2: the part is damaged' -- merge out.csv ph0 ph1 cut_ph2
INPUTS="ph0 ph1 part-2"
expect_error "a predict part with a fit part" 4 'is a part of .predict --shard. and part-2 is not' \
	-- merge out.csv ph0 ph1 part-2
INPUTS="ph0 ph1 ph2"
expect_error "merge --model-out with predict parts" 2 'merge into the forecasts CSV \(OUT\) only: --model-out' \
	-- merge out.csv ph0 ph1 ph2 --model-out m.model
INPUTS="full.model"
expect_error "predict --shard without -o" 2 'give it a file with -o PART' -- predict --model full.model --shard 0/2

# Bad sets of parts: clear errors, exit 4, nothing written.
cp slurm/part-0 slurm/part-1 slurm/part-2 "$TMP/"
cp sales.csv "$TMP/sales_copy.csv"
INPUTS="part-0 part-1"
expect_error "a missing shard" 4 'shard 2 of 3 is missing \(2 parts given\)' -- merge out.csv part-0 part-1
INPUTS="part-0 part-1 part-2"
expect_error "a shard given twice" 4 'part-1 and part-1 are both shard 1 of 3|are both shard 1 of 3' \
	-- merge out.csv part-0 part-1 part-2 part-1
"$FORECAST" fit sales.csv --horizon 7 --quiet --folds 2 --shard 2/3 -o other2
INPUTS="part-0 part-1 other2"
expect_error "parts made with other options" 4 'differ in their options' -- merge out.csv part-0 part-1 other2
head -c 3000 slurm/part-2 >"$TMP/cut2"
INPUTS="part-0 part-1 cut2"
expect_error "a truncated part" 4 'cut2: the part is damaged' -- merge out.csv part-0 part-1 cut2
INPUTS="part-0 part-1 sales.csv"
expect_error "a CSV given as a part" 4 'sales\.csv: not a shard part' -- merge out.csv part-0 part-1 sales.csv
awk 'NR != 5' sales.csv >"$TMP/changed.csv"
INPUTS="part-0 part-1 part-2 changed.csv"
expect_error "other data than the shards read" 3 'not what the shards read' \
	-- merge out.csv part-0 part-1 part-2 --data changed.csv
INPUTS="sales.csv"
expect_error "--shard K/N with K >= N" 2 '--shard: expected K/N' -- fit sales.csv --horizon 7 --shard 3/3
expect_error "--shard with --search" 2 'does not take --search' -- fit sales.csv --horizon 7 --shard 0/2 --search random
expect_error "--shard with --model-out" 2 "give --model-out to 'forecast merge'" \
	-- fit sales.csv --horizon 7 --shard 0/2 --model-out m.model
expect_error "merge without parts" 2 'expected OUT and at least one part' -- merge out.csv
# merge's options go through the shared parser: its messages and ranges
INPUTS="part-0 part-1 part-2"
expect_error "merge: an unknown option names it, with the help hint" 2 \
	"unknown option '--horizon'.*|Try 'forecast merge --help'" -- merge out.csv part-0 part-1 part-2 --horizon 7
expect_error "merge --threads 0" 2 '--threads: expected a whole number from 1 to 1024' \
	-- merge out.csv part-0 part-1 part-2 --threads 0
expect_error "merge --name with a bad name" 2 "--name: a model name is 1 to .*got '\.x'" \
	-- merge out.csv part-0 part-1 part-2 --name .x
expect_error "merge -o: OUT is the first argument" 2 'OUT is the first argument, not -o' \
	-- merge out.csv part-0 part-1 part-2 -o other.csv
expect_error "merge --data without a value" 2 "needs a value" -- merge out.csv part-0 part-1 part-2 --data
"$FORECAST" merge --help >"$TMP/merge_help.txt" 2>&1
assert "merge --help exits 0 and prints merge's usage" sh -c "grep -q 'forecast merge OUT PART' '$TMP/merge_help.txt'"

finish
