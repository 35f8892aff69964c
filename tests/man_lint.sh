#!/bin/bash
# Every manual page in man/ passes mandoc -T lint -W warning with nothing to
# report, and renders as a manual page (man -l, what users run) without
# warnings from groff -ww.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/tap.sh"
if ! command -v mandoc > /dev/null; then
	echo "1..0 # SKIP mandoc is not installed (Debian package mandoc)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pages=$(ls "$srcdir"/man/*.[1-9] 2> /dev/null)
[ "$(echo "$pages" | grep -c .)" -ge 3 ]
ok $? "man/ holds the pages (compauthd.8, compauthd.conf.5, compauthd-zone.5)"
for p in $pages; do
	name=${p##*/}
	mandoc -T lint -W warning "$p" > "$tmp/lint" 2>&1
	st=$?
	[ $st -eq 0 ] && [ ! -s "$tmp/lint" ]
	ok $? "$name: mandoc -T lint -W warning reports nothing" "$tmp/lint"
	if command -v groff > /dev/null; then
		groff -ww -z -mandoc -Tutf8 "$p" > "$tmp/groff" 2>&1
		[ $? -eq 0 ] && [ ! -s "$tmp/groff" ]
		ok $? "$name: groff -ww -mandoc renders without a warning" "$tmp/groff"
	else
		echo "ok $((n += 1)) - $name: groff -ww # SKIP groff is not installed"
	fi
done

# The control: a broken page is reported, so the checks above can fail.
printf '.Dd $Mdocdate$\n.Dt BROKEN 8\n.Os\n.Sh NAME\n.Nm broken\n.Nd x\n.Sh DESCRIPTION\n.Xr\n.Bl -tag\n.Foo bar\n' > "$tmp/broken.8"
mandoc -T lint -W warning "$tmp/broken.8" > "$tmp/lint" 2>&1
[ -s "$tmp/lint" ]
ok $? "control: mandoc reports a broken page" "$tmp/lint"
if command -v groff > /dev/null; then
	groff -ww -z -mandoc -Tutf8 "$tmp/broken.8" > "$tmp/groff" 2>&1
	[ -s "$tmp/groff" ]
	ok $? "control: groff -ww reports a broken page" "$tmp/groff"
fi

echo "1..$n"
