#!/bin/bash
# Runs every libFuzzer target of a fuzz build for a few seconds on its seed
# corpus; any crash fails. Prints TAP-like lines and the closing summary.
set -u
dir=${1:-build-fuzz}
secs=${2:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
for bin in "$dir"/tests/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	corpus=$(mktemp -d)
	[ -d "$top/tests/fuzz/corpus/$name" ] && cp -r "$top/tests/fuzz/corpus/$name/." "$corpus/"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
	    "$corpus" >"$corpus.log" 2>&1; then
		echo "ok - $name ran ${secs}s without a crash"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		tail -n 40 "$corpus.log"
		fail=$((fail + 1))
	fi
	rm -rf "$corpus" "$corpus.log"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
