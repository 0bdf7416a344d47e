#!/bin/sh
# Crash safety of the registry: fit --name and retrain killed with SIGKILL
# at random points, at least 50 times (bounded to under 60 s).  After each
# kill the database passes PRAGMA integrity_check, every version's model
# file is whole (registry check), the champion predicts the same numbers
# as before, and the last forecast file is whole; at the end a normal
# retrain works and gc clears what the killed runs left.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"
unset FORECAST_REGISTRY
export OMP_NUM_THREADS=1
cd "$TMP" || exit 1
head -133 "$SAMPLES/air_passengers.csv" >old.csv
cp "$SAMPLES/air_passengers.csv" new.csv
M="--models naive,snaive,ets"
"$FORECAST" fit old.csv --horizon 12 $M --quiet --name air -o old.fc.csv --model-out old.model
"$FORECAST" predict --model air >champion.csv
# the margin keeps the champion, so that every retrain does all its work
"$FORECAST" retrain new.csv --name air --promote-margin 0.99 -o last.csv >/dev/null
assert "a first retrain works" test $? -eq 0
lines=$(wc -l <last.csv)

start=$(date +%s)
kills=0
i=0
bad=""
while [ "$kills" -lt 50 ] && [ $(( $(date +%s) - start )) -lt 50 ]; do
	i=$((i + 1))
	delay=$(awk -v i="$i" 'BEGIN { srand(i); printf "%.3f", rand() * 0.2 }')
	if [ $((i % 2)) -eq 0 ]; then
		"$FORECAST" fit new.csv --horizon 12 $M --quiet --name air -o fit.csv --model-out fit.model --wait 5 2>/dev/null &
	else
		"$FORECAST" retrain new.csv --name air --promote-margin 0.99 -o last.csv --wait 5 >/dev/null 2>&1 &
	fi
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	if ! "$FORECAST" registry check >check.out 2>&1; then
		bad="after kill $i: $(cat check.out)"
		break
	fi
	if ! "$FORECAST" predict --model air >p.csv 2>p.err || ! cmp -s p.csv champion.csv; then
		bad="after kill $i: the champion's forecast changed: $(head -c 300 p.err)"
		break
	fi
	if [ "$(wc -l <last.csv)" -ne "$lines" ] || [ -n "$(tail -c 1 last.csv)" ]; then
		bad="after kill $i: last.csv is not whole"
		break
	fi
done
echo "# $kills kills in $i runs, $(( $(date +%s) - start )) s"
assert "at least 50 kills within the time bound" test "$kills" -ge 50
assert "after every kill the registry, the champion and the forecast were intact" test -z "$bad"
[ -n "$bad" ] && echo "# $bad"

"$FORECAST" retrain new.csv --name air --promote-margin 0.99 -o last.csv >/dev/null
assert "the next retrain works" test $? -eq 0
"$FORECAST" registry gc >/dev/null
assert "gc leaves only the versions' files" test "$(ls forecast-registry/models | grep -vc '^[0-9a-f]\{16\}$')" -eq 0
assert "and no temporary files in the registry" test "$(ls -A forecast-registry | grep -v '^\(registry.db\|registry.db-wal\|registry.db-shm\|models\|locks\|tmp\)$' | wc -l)" -eq 0 -a -z "$(ls -A forecast-registry/tmp)"
"$FORECAST" registry check >/dev/null
assert "the registry checks out at the end" test $? -eq 0
finish
