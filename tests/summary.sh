#!/bin/sh
# Counts test cases in the logs of one `make check` run (the directory of
# the .trs/.log files): Check programs report "Checks: N, Failures: F,
# Errors: E"; the CLI scripts print "ok - " / "not ok - " per case.  A
# program that died before reporting counts as one failed case.
# Prints "P passed, F failed".
dir=$1
pass=0
fail=0
for trs in "$dir"/*.trs; do
	[ -f "$trs" ] || continue
	log=${trs%.trs}.log
	line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" 2>/dev/null | tail -1)
	if [ -n "$line" ]; then
		set -- $(echo "$line" | tr -cs '0-9' ' ')
		pass=$((pass + $1 - $2 - $3))
		fail=$((fail + $2 + $3))
		if [ "$2" -eq 0 ] && [ "$3" -eq 0 ] && ! grep -q ':test-result: PASS' "$trs"; then
			fail=$((fail + 1)) # all cases passed but the program failed (e.g. a leak)
		fi
		continue
	fi
	ok=$(grep -c '^ok - ' "$log" 2>/dev/null)
	bad=$(grep -c '^not ok - ' "$log" 2>/dev/null)
	if [ $((ok + bad)) -gt 0 ]; then
		pass=$((pass + ok))
		fail=$((fail + bad))
		if [ "$bad" -eq 0 ] && ! grep -q ':test-result: PASS' "$trs"; then
			fail=$((fail + 1))
		fi
	elif grep -q ':test-result: PASS' "$trs"; then
		pass=$((pass + 1))
	elif grep -q ':test-result: SKIP' "$trs"; then
		: # a skipped script (tests/fuzz_smoke.sh without clang) counts neither way
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
