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
sed "s|^ExecStart=/usr/sbin/compauthd-report |ExecStart=$builddir/compauthd-report |" \
	"$srcdir/conf/compauthd-report-failure.service" > "$tmp/units/compauthd-report-failure.service"
cp "$srcdir/conf/compauthd-report.timer" "$srcdir/conf/compauthd-report-failure.timer" "$tmp/units/"
man=yes
command -v man > /dev/null || man=no
(cd "$tmp/units" && MANPATH="$tmp/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man="$man" \
	compauthd-report.service compauthd-report.timer compauthd-report-failure.service \
	compauthd-report-failure.timer) > "$tmp/out" 2>&1
[ $? -eq 0 ] && [ ! -s "$tmp/out" ]
ok $? "systemd-analyze verify: nothing to say about the services and the timers" "$tmp/out"
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
fsvc=$srcdir/conf/compauthd-report-failure.service
ftim=$srcdir/conf/compauthd-report-failure.timer
grep -q '^ExecStart=/usr/sbin/compauthd-report -c /etc/compauthd/compauthd.conf --failure ' "$fsvc" &&
	grep -qx 'Type=oneshot' "$fsvc" && grep -qx 'User=compauthd' "$fsvc"
ok $? "the failure service: compauthd-report --failure, oneshot, as compauthd"
# Hardened as the aggregate run is: the two differ only in what they run.
diff <(grep -v -e '^Description=' -e '^ExecStart=' -e '^#' "$svc") \
	<(grep -v -e '^Description=' -e '^ExecStart=' -e '^#' "$fsvc") > "$tmp/fdiff" 2>&1
ok $? "the failure service has the aggregate service's sandbox, line for line" "$tmp/fdiff"
grep -qx 'OnCalendar=\*:0/10' "$ftim" && grep -qx 'WantedBy=timers.target' "$ftim" &&
	systemd-analyze calendar '*:0/10' > "$tmp/cal2" 2>&1
ok $? "the failure timer: every 10 minutes, wanted by timers.target" "$tmp/cal2"
echo "1..$n"
