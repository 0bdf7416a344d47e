#!/bin/sh
# Builds the libFuzzer targets fuzz/fuzz_*.c with clang into OUTDIR
# (default build-fuzz/ at the top of the tree), apart from the normal gcc
# build: the library's sources (the list in Makefile.am) are compiled again
# with -fsanitize=fuzzer-no-link,address,undefined and each target is linked
# with -fsanitize=fuzzer.  Needs clang (Debian package clang) and libomp-dev.
# Exit 77 when clang is missing, so that test scripts can skip.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-fuzz}
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz: $CLANG not found (Debian package clang)" >&2; exit 77; }
mkdir -p "$out/obj"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -g -O1 -fopenmp -w -I$top/include -I$top/src \
 $SAN"
export FUZZ_CAL="\"$top/calendars\""
LIBS="-lcsv -lgsl -lgslcblas -lfftw3 -lm"

# the library's sources: the .c files of libforecast_a_SOURCES
srcs=$(sed -n '/^libforecast_a_SOURCES/,/^$/p' "$top/Makefile.am" | tr ' \t\\' '\n\n\n' | grep '\.c$')
newest_h=$(ls -t $(find "$top/include" "$top/src" -name '*.h') | head -1)
objs=""
todo=""
for s in $srcs; do
	o="$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')"
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$top/$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		todo="$todo $top/$s:$o"
	fi
done
if [ -n "$todo" ]; then
	echo "$todo" | tr ' ' '\n' | grep . | \
		xargs -P "${JOBS:-2}" -I{} sh -c 'f={}; '"$CLANG"' '"$CFLAGS"' -DFC_CALENDAR_DIR="$FUZZ_CAL" -DFC_CALENDAR_SRC_DIR="$FUZZ_CAL" -fsanitize=fuzzer-no-link -c "${f%%:*}" -o "${f#*:}"'
fi
rm -f "$out/libforecast-fuzz.a"
ar cr "$out/libforecast-fuzz.a" $objs
for t in "$top"/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	if [ ! -f "$out/$name" ] || [ "$t" -nt "$out/$name" ] || [ "$out/libforecast-fuzz.a" -nt "$out/$name" ] || [ "$top/fuzz/fuzz_util.h" -nt "$out/$name" ]; then
		$CLANG $CFLAGS -fsanitize=fuzzer "$t" "$out/libforecast-fuzz.a" $LIBS -o "$out/$name"
	fi
done
echo "fuzz: targets in $out" >&2
