#!/bin/sh
# The plain command on data a new user brings: a two-year weekly panel
# whose yearly spike (the holidays) no series can prove alone keeps its
# period through the panel's evidence and beats naive on the spike; the
# leaderboard shows each candidate's folds.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

# 12 stores x 100 weeks (under two years), a spike in weeks 47 and 51 of each
# year (Thanksgiving and Christmas) on top of a level, noise from a fixed
# LCG; the truth of the next 13 weeks (weeks 49 to 9, with a spike) is
# written beside.
(cd "$TMP" && awk 'BEGIN {
	print "store,step,sales" > "train.csv"; print "store,step,sales" > "truth.csv"; x = 99
	for (s = 1; s <= 12; s++)
		for (t = 0; t < 113; t++) {
			x = (x * 1103515245 + 12345) % 2147483648
			w = t % 52 + 1
			y = 1000 + 100 * s + 40 * (x / 2147483648 - 0.5)
			if (w == 47) y += 600 + 30 * s
			if (w == 51) y += 1200 + 50 * s
			if (t < 100) printf "S%d,%d,%.1f\n", s, t, y > "train.csv"
			else printf "S%d,%d,%.1f\n", s, t - 99, y > "truth.csv"
		}
}')
# dates for the weekly rows: t weeks after Friday 2022-01-07
awk -F, 'NR == 1 { print; next } { cmd = "date -u -d \"2022-01-07 + " 7 * $2 " days\" +%Y-%m-%d"; cmd | getline d; close(cmd); print $1 "," d "," $3 }' \
	"$TMP/train.csv" >"$TMP/weekly.csv"

(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 -o plain.csv --model-out plain.model \
	--leaderboard board.csv >board.txt 2>err.txt)
assert "the plain fit of a two-year weekly panel succeeds" test $? -eq 0
assert "the yearly period is kept on the panel's evidence" \
	grep -q "season 52.1775: shown in 0 series; too short to tell in 12, kept" "$TMP/err.txt"
assert "no series falls back to naive" sh -c "! grep -q 'fitted naive' '$TMP/err.txt'"
(cd "$TMP" && "$FORECAST" fit weekly.csv --horizon 13 --models naive -q -o naive.csv --model-out naive.model)
# mean absolute error over the 13 weeks of every store
mae() {
	awk -F, 'NR == FNR { if (FNR > 1) truth[$1 "," $2] = $3; next }
	         FNR > 1 { d = truth[$1 "," ++k[$1]] - $3; e += d < 0 ? -d : d; n++ }
	         END { printf "%.1f\n", e / n }' "$TMP/truth.csv" "$1"
}
plain_mae=$(mae "$TMP/plain.csv")
naive_mae=$(mae "$TMP/naive.csv")
assert "the plain fit beats naive on the holiday weeks ($plain_mae < $naive_mae)" \
	awk -v a="$plain_mae" -v b="$naive_mae" 'BEGIN { exit !(a < 0.5 * b) }'
assert "the leaderboard CSV gives each candidate's folds" \
	awk -F, 'NR == 1 && $4 != "folds" { exit 1 } NR > 1 && $1 == "snaive" && $4 != 36 { exit 1 }' "$TMP/board.csv"
finish
