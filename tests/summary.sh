#!/bin/bash
# Sums the TAP results of every suite in a build dir and prints the closing
# line CI reads: "N passed, N failed[, N skipped]". Exits 1 on any failure,
# and when no test ran at all.
set -u
dir=${1:-build}
pass=0 fail=0 skip=0
while IFS= read -r f; do
	while IFS= read -r line; do
		case "$line" in
		":test-result: PASS"*|":test-result: XFAIL"*) pass=$((pass+1)) ;;
		":test-result: SKIP"*) skip=$((skip+1)) ;;
		":test-result: FAIL"*|":test-result: XPASS"*|":test-result: ERROR"*) fail=$((fail+1)) ;;
		esac
	done < "$f"
done < <(find "$dir" -name '*.trs' 2>/dev/null | sort)
# Conformance scores the suites report ("# RFC 7208 suite: N/N").
find "$dir" -name '*.log' ! -name test-suite.log ! -name config.log 2>/dev/null | sort |
	xargs -r grep -h -E '^# [A-Za-z0-9_ ]+ suite: [0-9]+/[0-9]+' 2>/dev/null | sed 's/^# //' | sort -u
if [ -f "$dir/test-suite.log" ]; then
	grep -E '^(FAIL|ERROR): ' "$dir/test-suite.log" | sed 's/^/  /' || true
fi
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ] && [ $((pass + skip)) -gt 0 ]
