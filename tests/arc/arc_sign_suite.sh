#!/bin/bash
# ValiMail ARC signing suite (tests/data/arc/arc-draft-sign-tests.yml),
# converted at test time, then round trips, all in tests/arc/test_arc_sign.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d /tmp/arc_sign_suite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! "$py" "$top_srcdir/tests/arc/yaml2sign.py" \
    "$top_srcdir/tests/data/arc/arc-draft-sign-tests.yml" "$tmp"; then
	echo "1..1"
	echo "not ok 1 - converting the ARC signing suite failed"
	exit 1
fi
"$top_builddir/tests/arc/test_arc_sign" "$tmp/index.tsv" "$tmp/sign0.pem" "$tmp/sign0.zone"
