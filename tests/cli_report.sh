#!/bin/sh
# End-to-end tests of the HTML report: `fit --report` on the shipped retail
# sample (with the gbdt global model, so the importance and SHAP plots are
# drawn), `forecast report --model`, a 10,000-series panel that must stay
# far under 20 MB, and the page rendered in headless Chromium: a valid
# screenshot, SVG plots with non-empty paths in the rendered DOM, and no
# script errors.  Without Chromium (and no way to install it) the browser
# part is skipped with exit 77.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup.sh"

cp "$SAMPLES/retail_daily.csv" "$TMP/retail.csv"
(cd "$TMP" && "$FORECAST" fit retail.csv --horizon 14 --models ets,theta,naive,snaive,gbdt \
	--country US --quiet -o f.csv --model-out m.model --report r.html)
assert "fit --report exits 0" test $? -eq 0
R="$TMP/r.html"
assert "the report is one HTML document" sh -c "head -1 '$R' | grep -q '<!DOCTYPE html>' && tail -1 '$R' | grep -q '</html>'"
assert "no http:// or https:// references" sh -c "! grep -Eiq 'https?://' '$R'"
assert "no external resources (src=, href=, @import, url())" \
	sh -c "! grep -Eiq '(src|href)=|@import|url\\(' '$R'"
for h in summary leaderboard models explain calendar series; do
	assert "section '$h' present" grep -q "<h2 id=\"$h\">" "$R"
done
n_series=$(tail -n +2 "$TMP/retail.csv" | cut -d, -f1,2 | sort -u | wc -l)
assert "a section per series ($n_series)" test "$(grep -c '<section class="series"' "$R")" -eq "$n_series"
assert "every series plot has history, fold and forecast paths" sh -c "
	test \$(grep -c '<path class=\"hist\"' '$R') -ge $n_series &&
	test \$(grep -c '<path class=\"fold\"' '$R') -ge $n_series &&
	test \$(grep -c '<path class=\"fc\"' '$R') -ge $n_series &&
	test \$(grep -c '<path class=\"band' '$R') -ge $n_series"
assert "residual ACF bars are drawn" grep -q 'aria-label="residual ACF"' "$R"
assert "gbdt importance and SHAP summary name lag features" \
	sh -c "grep -q 'mean |SHAP| over' '$R' && grep -q '>lag_1<' '$R'"
assert "the US holidays in the period are listed" grep -q 'Christmas' "$R"
assert "the leaderboard lists every candidate" \
	sh -c "for m in ets theta naive snaive gbdt; do grep -q \"<tr><td>\$m</td>\" '$R' || exit 1; done"

# without --report nothing changes and no report appears
(cd "$TMP" && "$FORECAST" fit retail.csv --horizon 14 --models ets,theta,naive,snaive,gbdt \
	--country US --quiet -o f2.csv --model-out m2.model)
assert "outputs are byte-identical with and without --report" \
	sh -c "cmp '$TMP/f.csv' '$TMP/f2.csv' && cmp '$TMP/m.model' '$TMP/m2.model'"

"$FORECAST" report --model "$TMP/m.model" -o "$TMP/m.html" 2>"$TMP/err"
assert "report --model exits 0" test $? -eq 0
assert "the model-file report says it has no back-test forecasts" \
	sh -c "grep -q 'keeps no leaderboard, no back-test fold' '$TMP/m.html' && ! grep -q '<path class=\"fold\"' '$TMP/m.html'"
assert "the model-file report plots forecasts and the SHAP summary" \
	sh -c "test \$(grep -c '<path class=\"fc\"' '$TMP/m.html') -ge $n_series && grep -q 'mean |SHAP| over' '$TMP/m.html'"
"$FORECAST" report >/dev/null 2>"$TMP/err"
assert "report without --model is a usage error" test $? -eq 2
"$FORECAST" report --model "$TMP/m.model" --nope >/dev/null 2>"$TMP/err"
assert "an unknown option is a usage error, as in the other commands" \
	sh -c "test $? -eq 2 && grep -q \"^forecast: error: unknown option '--nope'\" '$TMP/err'"
"$FORECAST" report -h >"$TMP/help"
assert "report -h prints the usage" sh -c "test $? -eq 0 && grep -q '^Usage: forecast report' '$TMP/help'"
"$FORECAST" report --model "$TMP/nope.model" -o "$TMP/x.html" 2>"$TMP/err"
assert "a missing model file fails with exit 4 and no output" sh -c "test $? -eq 4 && ! test -e '$TMP/x.html'"

# 10,000 short series: the report keeps 50 sections and stays small
awk 'BEGIN { print "id,date,y"; srand(1);
	for (s = 0; s < 10000; s++) for (t = 1; t <= 30; t++)
		printf "s%d,2024-01-%02d,%.2f\n", s, t, 10 + s % 7 + t % 7 + 3 * rand() }' >"$TMP/big.csv"
(cd "$TMP" && "$FORECAST" fit big.csv --horizon 7 --folds 2 --models naive,snaive,mean --quiet \
	-o b.csv --model-out b.model --report b.html)
assert "fit --report on 10,000 series exits 0" test $? -eq 0
size=$(wc -c <"$TMP/b.html")
echo "# 10,000-series report: $size bytes"
assert "the 10,000-series report is under 20 MB" test "$size" -lt 20000000
assert "it shows the 25 best and 25 worst series and says so" sh -c "
	test \$(grep -c '<section class=\"series\"' '$TMP/b.html') -eq 50 &&
	grep -q 'the 25 best and the 25 worst by back-test error' '$TMP/b.html'"

# the browser
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "# chromium missing: installing it (apt-get install -y chromium)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >"$TMP/apt.log" 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >"$TMP/apt.log" 2>&1; }
	CHROMIUM=$(command -v chromium || true)
fi
if [ -z "$CHROMIUM" ]; then
	echo "# SKIP browser checks: chromium is not installed and could not be installed" \
	     "(needs root and the Debian package 'chromium'; scripts/setup.sh installs it)"
	finish || exit 1
	exit 77
fi
browse() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$TMP/chrome" "$@"; }
browse --window-size=1200,2000 --screenshot="$TMP/shot.png" "file://$R" >"$TMP/shot.log" 2>&1
assert "chromium takes a screenshot" test -s "$TMP/shot.png"
assert "the screenshot is a PNG" sh -c "head -c 8 '$TMP/shot.png' | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$'"
browse --dump-dom --enable-logging=stderr --v=1 "file://$R" >"$TMP/dom.html" 2>"$TMP/console.log"
assert "the rendered DOM has the script's ready marker" grep -q 'data-ready="1"' "$TMP/dom.html"
assert "no script error in the page" sh -c "! grep -q 'data-js-error=\"' '$TMP/dom.html'"
assert "no console errors" sh -c "! grep -Eq 'CONSOLE\\(|Uncaught' '$TMP/console.log'"
assert "the rendered DOM has non-empty SVG paths" \
	sh -c "test \$(grep -o '<svg class=\"plot' '$TMP/dom.html' | wc -l) -ge $((n_series * 2)) &&
	       test \$(grep -Eo '<path class=\"(hist|fold|fc)\" d=\"M[0-9.]+ [0-9.]+L' '$TMP/dom.html' | wc -l) -ge $((n_series * 3))"
# the search box hides the other series when typed into (run by the browser)
sed 's|</body>|<script>filterSeries("store=S1,item=bread");document.body.setAttribute("data-shown",Array.prototype.filter.call(document.querySelectorAll("section.series"),function(s){return s.style.display!=="none"}).length);</script></body>|' \
	"$R" >"$TMP/search.html"
browse --dump-dom "file://$TMP/search.html" >"$TMP/search.dom" 2>/dev/null
assert "the search box keeps only the matching series" grep -q 'data-shown="1"' "$TMP/search.dom"
finish
