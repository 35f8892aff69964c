#!/bin/bash
# Real DNS: starts nsd (an authoritative server) on a free loopback port with
# a private configuration in a temporary directory, serving realdns.test and
# a reverse zone, then runs test_realdns, which drives our resolver through
# c-ares against it (answers, CNAMEs, negative TTLs from the SOA, REFUSED,
# TCP fallback for a 2000-byte TXT, a port where nothing listens).
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
nsd_pid=
cleanup() {
	if [ -n "$nsd_pid" ]; then
		kill -TERM "$nsd_pid" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$nsd_pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$nsd_pid" 2>/dev/null
		wait "$nsd_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Two ports free for both UDP and TCP: one for nsd, one where nothing listens.
read -r port deadport < <("$PY" - <<'EOF'
import socket
ports = []
while len(ports) < 2:
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
if [ -z "${port:-}" ] || [ -z "${deadport:-}" ]; then
	echo "Bail out! cannot find free ports"
	exit 1
fi

cat > "$tmp/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $port
	do-ip4: yes
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$tmp"
	pidfile: "$tmp/nsd.pid"
	xfrdfile: "$tmp/xfrd.state"
	xfrdir: "$tmp"
	zonelistfile: "$tmp/zone.list"
	database: ""
	logfile: "$tmp/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	round-robin: no
remote-control:
	control-enable: no
zone:
	name: realdns.test
	zonefile: "$srcdir/tests/dns/realdns.test.zone"
zone:
	name: 2.0.192.in-addr.arpa
	zonefile: "$srcdir/tests/dns/2.0.192.in-addr.arpa.zone"
EOF

"$NSD" -d -c "$tmp/nsd.conf" >"$tmp/nsd.out" 2>&1 &
nsd_pid=$!

# Ready when the TCP port accepts (UDP is bound at the same time).
ready=
for _ in $(seq 1 100); do
	if ! kill -0 "$nsd_pid" 2>/dev/null; then
		break
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		ready=yes
		break
	fi
	sleep 0.05
done
if [ -z "$ready" ]; then
	echo "Bail out! nsd did not start on 127.0.0.1:$port"
	sed 's/^/# /' "$tmp/nsd.out" "$tmp/nsd.log" 2>/dev/null
	exit 1
fi

"$prog" "$port" "$deadport"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# nsd log:"
	sed 's/^/# /' "$tmp/nsd.log" 2>/dev/null
fi
exit $rc
