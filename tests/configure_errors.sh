#!/bin/bash
# ./configure names the Debian package to install for each missing library.
# Each case hides one library (pkg-config sees nothing; the others are
# given to configure directly) and checks the error message.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
n=0 failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

if [ ! -x "$src/configure" ]; then
	echo "1..0 # SKIP no generated configure script in $src"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
empty="$tmp/empty-pkgconfig"
mkdir -p "$empty"

all_vars="OPENDKIM CRYPTO CARES PSL IDN2 SQLITE PQ ZLIB MHD"
run_case() { # $1: library var hidden (or "" ), $2: expected package, $3...: extra env
	local hide=$1 pkg=$2; shift 2
	local env=(PKG_CONFIG_LIBDIR="$empty" PKG_CONFIG_PATH=)
	for v in $all_vars; do
		[ "$v" = "$hide" ] && continue
		env+=("${v}_CFLAGS= " "${v}_LIBS= ")
	done
	mkdir -p "$tmp/b-$pkg"
	(cd "$tmp/b-$pkg" && env "${env[@]}" "$@" "$src/configure" >out 2>err)
	local rc=$?
	[ "$rc" -ne 0 ]; ok $? "missing $pkg: configure fails (exit $rc)"
	grep -q "install the Debian package '$pkg'" "$tmp/b-$pkg/err"
	ok $? "missing $pkg: the error names the Debian package"
	[ $rc -ne 0 ] || sed 's/^/# /' "$tmp/b-$pkg/err"
}

run_case OPENDKIM libopendkim-dev
run_case CRYPTO libssl-dev
run_case CARES libc-ares-dev
run_case PSL libpsl-dev
run_case SQLITE libsqlite3-dev
run_case PQ libpq-dev
run_case MHD libmicrohttpd-dev
run_case "" libmilter-dev ac_cv_header_libmilter_mfapi_h=no
echo "1..$n"
exit $failed
