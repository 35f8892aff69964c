#!/bin/bash
# One version everywhere a postmaster reads it: compauthd -V, the newest entry
# of NEWS, the upstream part of the newest debian/changelog entry, and the
# version the package build would stamp (configure.ac).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$srcdir/tests/tap.sh"

"$builddir/compauthd" -V > "$tmp/v" 2>&1
ok $? "compauthd -V exits 0" "$tmp/v"
bin=$(sed -n 's/^compauthd \([0-9][0-9.a-z~+-]*\)$/\1/p' "$tmp/v")
[ -n "$bin" ] && [ "$(wc -l < "$tmp/v")" -eq 1 ]
ok $? "compauthd -V prints one line \"compauthd VERSION\" (got: $(head -c 80 "$tmp/v"))"

news=$(sed -n 's/^\([0-9][0-9.]*[0-9a-z~+-]*\) ([0-9]\{4\}-[0-9][0-9]-[0-9][0-9])$/\1/p' "$srcdir/NEWS" | head -n 1)
[ -n "$news" ] && [ "$news" = "$bin" ]
ok $? "the newest NEWS entry ($news) is the binary's version ($bin)"

ac=$(sed -n 's/^AC_INIT(\[compauthd\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")
[ "$ac" = "$bin" ]
ok $? "configure.ac's version ($ac) is the binary's ($bin)"

deb=$(sed -n '1s/^compauthd (\([^)]*\)).*/\1/p' "$srcdir/debian/changelog")
[ "${deb%-*}" = "$bin" ]
ok $? "debian/changelog's newest upstream version (${deb%-*}) is the binary's ($bin)"

echo "1..$n"
exit $tap_failed
