# TAP for the test scripts, sourced by them: "ok STATUS DESCRIPTION
# [DETAIL-FILE]" prints one test point, numbered from 1, and on failure the
# last lines of DETAIL-FILE as diagnostics and tap_failed=1. The caller
# prints the plan ("1..$n").
n=0
tap_failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		tap_failed=1
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | tail -n 30
	fi
	return 0
}
