#!/bin/bash
# systemd-analyze verify finds nothing to say about conf/compauthd.service
# and conf/compauthd.socket: no unknown or misspelt settings, the socket's
# service exists, Documentation= names manual pages man(1) finds (ours, put
# on MANPATH), and ExecStart= names an executable (the built daemon, in a
# copy of the unit, since /usr/sbin/compauthd need not exist here). The
# hardening settings the issue asks for are checked to be there, and the
# identity: compauthd:compauthd from the start, no capabilities.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
bin=${COMPAUTHD:-$builddir/compauthd}
. "$srcdir/tests/tap.sh"

if ! command -v systemd-analyze > /dev/null; then
	echo "1..0 # SKIP systemd-analyze is not installed (Debian package systemd)"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "1..0 # SKIP no compauthd binary"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/units" "$tmp/man/man8" "$tmp/man/man5"
cp "$srcdir/man/compauthd.8" "$tmp/man/man8/"
cp "$srcdir/man/compauthd.conf.5" "$srcdir/man/compauthd-zone.5" "$tmp/man/man5/"
sed "s|^ExecStart=/usr/sbin/compauthd |ExecStart=$bin |" \
	"$srcdir/conf/compauthd.service" > "$tmp/units/compauthd.service"
cp "$srcdir/conf/compauthd.socket" "$tmp/units/"
man=yes
command -v man > /dev/null || man=no

grep -q "^ExecStart=$bin " "$tmp/units/compauthd.service"
ok $? "the copy's ExecStart names the built daemon"

verify() {	# verify UNIT... : status of systemd-analyze, its output in $tmp/out
	(cd "$tmp/units" && MANPATH="$tmp/man" SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify --man="$man" "$@") > "$tmp/out" 2>&1
}
verify ./compauthd.service ./compauthd.socket
ok $? "systemd-analyze verify (man=$man): exit status 0" "$tmp/out"
[ ! -s "$tmp/out" ]
ok $? "systemd-analyze verify: no warning" "$tmp/out"

# The check above can fail: a misspelt key is reported.
sed 's/^NoNewPrivileges=/NoNewPrivilege=/' "$tmp/units/compauthd.service" > "$tmp/bad.service"
mv "$tmp/bad.service" "$tmp/units/compauthd.service"
verify ./compauthd.service
grep -q "NoNewPrivilege" "$tmp/out"
ok $? "control: a misspelt key in the service is reported" "$tmp/out"

# What the unit must say (issue: Type=notify and its hardening; issue 14:
# started as its own user, no capability left, a runtime directory that
# outlives a restart and is reachable by the group only).
for want in Type=notify NoNewPrivileges=yes ProtectSystem=strict \
	RuntimeDirectory=compauthd ProtectHome=yes PrivateTmp=yes \
	User=compauthd Group=compauthd RuntimeDirectoryMode=0750 \
	RuntimeDirectoryPreserve=yes CapabilityBoundingSet= \
	"ExecReload=/bin/kill -HUP \$MAINPID"; do
	grep -qx -- "$want" "$srcdir/conf/compauthd.service"
	ok $? "compauthd.service: $want"
done
grep -qx "ListenStream=/run/compauthd/compauthd.sock" "$srcdir/conf/compauthd.socket"
ok $? "compauthd.socket: ListenStream is the default socket path"
for want in SocketUser=compauthd SocketGroup=compauthd SocketMode=0660 DirectoryMode=0750; do
	grep -qx -- "$want" "$srcdir/conf/compauthd.socket"
	ok $? "compauthd.socket: $want (what compauthd gives its own socket)"
done
! grep -q '^User=root' "$srcdir/conf/compauthd.service"
ok $? "compauthd.service: not started as root"

echo "1..$n"
