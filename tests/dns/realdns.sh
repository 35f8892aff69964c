#!/bin/bash
# Real DNS: starts nsd (an authoritative server) on a free loopback port with
# a private configuration in a temporary directory, serving realdns.test and
# a reverse zone, and a second nsd serving only failover.test, then runs
# test_realdns, which drives our resolver through c-ares against them
# (answers, CNAMEs, negative TTLs from the SOA, REFUSED, TCP fallback for a
# 2000-byte TXT, a port where nothing listens, fail-over from a server that
# refuses to one that answers).
# Prints TAP. Skips only when nsd is not installed; always stops nsd.
set -u

NSD=${NSD:-/usr/sbin/nsd}
PY=${PYTHON:-/usr/bin/python3}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$(pwd)}
prog=$builddir/tests/dns/test_realdns

if [ ! -x "$NSD" ]; then
	echo "1..0 # SKIP nsd is not installed ($NSD; Debian package nsd)"
	exit 0
fi
if [ ! -x "$prog" ]; then
	echo "Bail out! $prog is not built"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/realdns.XXXXXX") || { echo "Bail out! mktemp"; exit 1; }
pids=()
stop_nsd() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	local p
	for p in "${pids[@]}"; do
		stop_nsd "$p"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Three ports free for both UDP and TCP: one per nsd, one where nothing listens.
read -r port deadport port2 < <("$PY" - <<'EOF'
import socket
ports = []
while len(ports) < 3:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
        ports.append(p)
    except OSError:
        pass
    u.close()
    t.close()
print(*ports)
EOF
)
if [ -z "${port:-}" ] || [ -z "${deadport:-}" ] || [ -z "${port2:-}" ]; then
	echo "Bail out! cannot find free ports"
	exit 1
fi

# nsd NAME PORT ZONES...: a private nsd in $tmp/NAME serving the zone files.
start_nsd() {
	local p=$2 dir=$tmp/$1 z pid
	shift 2
	mkdir -p "$dir"
	{
		printf 'server:\n\tip-address: 127.0.0.1\n\tport: %s\n\tdo-ip4: yes\n\tdo-ip6: no\n' "$p"
		printf '\tusername: ""\n\tchroot: ""\n\tzonesdir: "%s"\n\tpidfile: "%s/nsd.pid"\n' "$dir" "$dir"
		printf '\txfrdfile: "%s/xfrd.state"\n\txfrdir: "%s"\n\tzonelistfile: "%s/zone.list"\n' "$dir" "$dir" "$dir"
		printf '\tdatabase: ""\n\tlogfile: "%s/nsd.log"\n\tserver-count: 1\n\tverbosity: 1\n' "$dir"
		printf '\thide-version: yes\n\tround-robin: no\nremote-control:\n\tcontrol-enable: no\n'
		for z in "$@"; do
			printf 'zone:\n\tname: %s\n\tzonefile: "%s"\n' "${z%%=*}" "${z#*=}"
		done
	} > "$dir/nsd.conf"
	"$NSD" -d -c "$dir/nsd.conf" >"$dir/nsd.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	# Ready when the TCP port accepts (UDP is bound at the same time).
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "Bail out! nsd did not start on 127.0.0.1:$p"
	sed 's/^/# /' "$dir/nsd.out" "$dir/nsd.log" 2>/dev/null
	return 1
}

start_nsd main "$port" "realdns.test=$srcdir/tests/dns/realdns.test.zone" \
    "2.0.192.in-addr.arpa=$srcdir/tests/dns/2.0.192.in-addr.arpa.zone" || exit 1
start_nsd second "$port2" "failover.test=$srcdir/tests/dns/failover.test.zone" || exit 1

"$prog" "$port" "$deadport" "$port2"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# nsd log:"
	sed 's/^/# /' "$tmp"/*/nsd.log 2>/dev/null
fi
exit $rc
