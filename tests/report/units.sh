#!/bin/bash
# conf/compauthd-report.service and .timer: systemd-analyze verify finds
# nothing to say (ExecStart= pointed at the built program in a copy, our
# manual page on MANPATH), the service runs once as compauthd with the
# configuration file, without NoNewPrivileges (postdrop is setgid), and the
# timer fires daily after midnight UTC, catching up after downtime.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir/build-report}
. "$srcdir/tests/tap.sh"
if ! command -v systemd-analyze > /dev/null; then
	echo "1..0 # SKIP systemd-analyze is not installed (Debian package systemd)"
	exit 0
fi
if [ ! -x "$builddir/compauthd-report" ]; then
	echo "1..0 # SKIP no compauthd-report binary"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/units" "$tmp/man/man8"
cp "$srcdir/man/compauthd-report.8" "$tmp/man/man8/"
sed "s|^ExecStart=/usr/sbin/compauthd-report |ExecStart=$builddir/compauthd-report |" \
	"$srcdir/conf/compauthd-report.service" > "$tmp/units/compauthd-report.service"
cp "$srcdir/conf/compauthd-report.timer" "$tmp/units/"
man=yes
command -v man > /dev/null || man=no
(cd "$tmp/units" && MANPATH="$tmp/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man="$man" \
	compauthd-report.service compauthd-report.timer) > "$tmp/out" 2>&1
[ $? -eq 0 ] && [ ! -s "$tmp/out" ]
ok $? "systemd-analyze verify: nothing to say about the service and the timer" "$tmp/out"
svc=$srcdir/conf/compauthd-report.service
tim=$srcdir/conf/compauthd-report.timer
grep -qx 'Type=oneshot' "$svc" && grep -qx 'User=compauthd' "$svc" && grep -qx 'Group=compauthd' "$svc" && \
	grep -q '^ExecStart=/usr/sbin/compauthd-report -c /etc/compauthd/compauthd.conf ' "$svc"
ok $? "the service: oneshot, as compauthd:compauthd, with the daemon's configuration"
! grep -q '^NoNewPrivileges=yes' "$svc" && grep -qx 'CapabilityBoundingSet=' "$svc"
ok $? "no capabilities, but new privileges allowed (setgid postdrop of Postfix's sendmail)"
grep -qx 'OnCalendar=\*-\*-\* 00:20:00 UTC' "$tim" && grep -qx 'Persistent=true' "$tim" && \
	grep -qx 'WantedBy=timers.target' "$tim"
ok $? "the timer: daily at 00:20 UTC, persistent, wanted by timers.target"
systemd-analyze calendar '*-*-* 00:20:00 UTC' > "$tmp/cal" 2>&1
ok $? "systemd-analyze reads the calendar expression" "$tmp/cal"
echo "1..$n"
