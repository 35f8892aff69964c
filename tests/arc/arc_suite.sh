#!/bin/bash
# ValiMail ARC validation suite (tests/data/arc/): the YAML is converted
# at test time (python3-yaml) and every test goes through the C engine
# (tests/arc/test_arc), which prints the TAP lines and the score.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d /tmp/arc_suite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! "$py" "$top_srcdir/tests/arc/yaml2suite.py" \
    "$top_srcdir/tests/data/arc/arc-draft-validation-tests.yml" "$tmp"; then
	echo "1..1"
	echo "not ok 1 - converting the ARC suite failed"
	exit 1
fi
exec "$top_builddir/tests/arc/test_arc" "$tmp/index.tsv" \
    "$top_srcdir/tests/data/arc/local/index.tsv"
