#!/bin/bash
# make demo: starts compauthd on the bundled demo zone, sends the sample
# messages through its milter socket, prints what the MTA would deliver,
# and stops the daemon.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) bin="$build/compauthd" ;; *) bin="$top/$build/compauthd" ;; esac
run=$(mktemp -d /tmp/compauthd-demo.XXXXXX)
chmod 755 "$run"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT

cat > "$run/compauthd.conf" <<CONF
authserv_id = mx.demo.example
socket = unix:$run/compauthd.sock
pidfile = $run/compauthd.pid
user = ""
zone_file = $top/conf/demo/demo.zone
message_dns_deadline = 2s
dmarc_enforce = on
arc_trusted_sealers = lists.demo.example
log_level = info
CONF

echo "Starting compauthd on the demo zone (conf/demo/demo.zone)..."
"$bin" -f -c "$run/compauthd.conf" 2>"$run/compauthd.log" &
pid=$!
for _ in $(seq 1 100); do
	[ -S "$run/compauthd.sock" ] && break
	sleep 0.05
done
if [ ! -S "$run/compauthd.sock" ]; then
	cat "$run/compauthd.log"
	echo "compauthd did not start" >&2
	exit 1
fi
echo
/usr/bin/python3 "$top/tests/demo_send.py" "$run/compauthd.sock" "$top/conf/demo"
kill -TERM "$pid"
wait "$pid" || true
pid=
echo "compauthd's log (one summary line per message):"
grep -E 'DEMO[0-9]+:' "$run/compauthd.log" | sed 's/^/  /'
