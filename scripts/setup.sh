#!/bin/sh
# Installs the Debian packages forecast needs (as root, or with sudo when
# available) and builds it out of tree in build/.  Safe to run again.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential autoconf automake pkg-config libgsl-dev libfftw3-dev libcsv-dev libsqlite3-dev check cppcheck clang libomp-dev valgrind chromium libopenmpi-dev openmpi-bin"
missing=""
for p in $PACKAGES; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "setup: installing$missing" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc)" >/dev/null
echo "setup: built build/forecast" >&2
