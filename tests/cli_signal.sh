#!/bin/sh
# A run stopped by a signal leaves no temporary or partial output behind,
# and its exit status is the signal's (a cron job killed by `timeout`).
# FORECAST_DEBUG_STOP_AT_OUTPUT makes the program stop itself (SIGSTOP)
# each time it has opened an output file, so that the signal arrives
# while the file is open, every time.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

cd "$TMP" || exit 1
cp "$SAMPLES/retail_daily.csv" sales.csv

# stopped() PID: wait (up to 20 s) until the process is stopped
stopped() {
	i=0
	while [ $i -lt 200 ]; do
		case $(awk '{ print $3 }' /proc/"$1"/stat 2>/dev/null) in
		T*) return 0 ;;
		'') return 1 ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# (INT: sh starts background jobs with it ignored; HUP only where the
# caller did not ignore it, e.g. under nohup, as a shell cannot undo that)
mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
sigs=TERM
if [ -n "$mask" ] && [ $((0x${mask#${mask%??}} & 1)) -eq 0 ]; then
	sigs="TERM HUP"
else
	echo "# SIGHUP is ignored here (nohup?): its case is left out"
fi
for sig in $sigs; do
	FORECAST_DEBUG_STOP_AT_OUTPUT=1 "$FORECAST" features sales.csv -q -o feat_$sig.csv &
	pid=$!
	stopped $pid
	assert "SIGSTOP hook: features stops with its output open ($sig)" test $? -eq 0
	assert "... the temporary file exists" sh -c "ls feat_$sig.csv.tmp.* >/dev/null 2>&1"
	kill -$sig $pid
	kill -CONT $pid
	wait $pid
	st=$?
	case $sig in TERM) want=143 ;; HUP) want=129 ;; esac
	assert "SIG$sig: the exit status is the signal's ($want)" test $st -eq $want
	assert "SIG$sig: no temporary file left" sh -c "! ls feat_$sig.csv.tmp.* >/dev/null 2>&1"
	assert "SIG$sig: no output file" test ! -e feat_$sig.csv
done

# fit: the forecasts are written first; killed there, none of its outputs
FORECAST_DEBUG_STOP_AT_OUTPUT=1 "$FORECAST" fit sales.csv --horizon 7 --models naive,snaive -q \
	-o fc.csv --model-out fc.model --leaderboard lb.csv &
pid=$!
stopped $pid
assert "fit stops with an output open" test $? -eq 0
assert "... a temporary file exists" test -n "$(ls -d fc.csv.tmp.* fc.model.tmp.* lb.csv.tmp.* 2>/dev/null)"
kill -TERM $pid
kill -CONT $pid
wait $pid
assert "fit killed by SIGTERM exits 143" test $? -eq 143
assert "... leaving no temporary file" test -z "$(ls -d fc.csv.tmp.* fc.model.tmp.* lb.csv.tmp.* 2>/dev/null)"
assert "... and none of its outputs" sh -c "test ! -e fc.csv && test ! -e fc.model && test ! -e lb.csv"

# an ignored signal stays ignored (nohup): the run goes on and writes
( trap '' HUP; FORECAST_DEBUG_STOP_AT_OUTPUT=1 exec "$FORECAST" features sales.csv -q -o nohup.csv ) &
pid=$!
stopped $pid
kill -HUP $pid
kill -CONT $pid
wait $pid
assert "under nohup, SIGHUP is still ignored: the run exits 0" test $? -eq 0
assert "... and writes its output" test -s nohup.csv

finish
