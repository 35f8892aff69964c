#!/bin/bash
# man/compauthd.conf.5's SETTINGS list must be byte for byte what config.c's
# table produces (tests/tools/confman), so the page cannot drift from the
# code; and mandoc must find nothing at warning level or above.
#
# To regenerate the list after changing the table (from the source tree,
# with BUILD your build directory):
#   $BUILD/tests/tools/confman | sed -i -e '/^\.\\" BEGIN SETTINGS$/,/^\.\\" END SETTINGS$/{//!d}' -e '/^\.\\" BEGIN SETTINGS$/r /dev/stdin' man/compauthd.conf.5
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
page=$srcdir/man/compauthd.conf.5
confman=$builddir/tests/tools/confman
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() {	# ok COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

[ -x "$confman" ] && "$confman" > "$tmp/want"
ok $? "confman prints the settings list"

# Between the markers, markers excluded.
sed -n '/^\.\\" BEGIN SETTINGS$/,/^\.\\" END SETTINGS$/p' "$page" | sed '1d;$d' > "$tmp/got"
[ "$(grep -c '^\.\\" BEGIN SETTINGS$' "$page")" = 1 ] &&
	[ "$(grep -c '^\.\\" END SETTINGS$' "$page")" = 1 ]
ok $? "the page has exactly one BEGIN SETTINGS and one END SETTINGS marker"

[ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"
st=$?
ok $st "the page's SETTINGS list equals confman's output byte for byte"
if [ $st -ne 0 ]; then
	diff -u "$tmp/got" "$tmp/want" | sed 's/^/# /' | head -40
	echo "# regenerate: see the comment at the top of tests/man_sync.sh"
fi

# Every setting confman documents is one .It line; the count guards the
# extraction itself against matching nothing.
[ "$(grep -c '^\.It Cm [a-z_]* Ns = Ns ' "$tmp/got")" -ge 20 ]
ok $? "the marked section holds the .It entries of every setting"

if command -v mandoc > /dev/null; then
	mandoc -T lint -W warning "$page" > "$tmp/lint" 2>&1
	st=$?
	[ $st -eq 0 ] && [ ! -s "$tmp/lint" ]
	ok $? "mandoc -T lint -W warning reports nothing"
	sed 's/^/# /' "$tmp/lint"
	# The settings list on its own, as a page, must be clean too: a doc
	# line that breaks mdoc shows up here even if the page masks it.
	{ printf '.Dd November 25, 2026\n.Dt T 5\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\n.Bl -tag -width Ds\n'
	  cat "$tmp/want"; printf '.El\n'; } > "$tmp/t.5"
	mandoc -T lint -W warning "$tmp/t.5" > "$tmp/lint2" 2>&1
	st=$?
	[ $st -eq 0 ] && [ ! -s "$tmp/lint2" ]
	ok $? "confman's list alone lints clean"
	sed 's/^/# /' "$tmp/lint2"
else
	n=$((n + 1)); echo "ok $n # SKIP mandoc not installed"
	n=$((n + 1)); echo "ok $n # SKIP mandoc not installed"
fi

echo "1..$n"
[ $fails -eq 0 ]
