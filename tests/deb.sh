#!/bin/bash
# The Debian package, end to end (issue 14): `make deb` builds it out of the
# tree; lintian finds no error or warning; dpkg -i creates the system user
# and group compauthd, puts postfix in that group, marks the configuration
# a conffile and the installed daemon accepts it; the daemon is then started
# exactly as the installed compauthd.service says (ExecStart, User, Group,
# RuntimeDirectory, RuntimeDirectoryMode read from the unit) with the
# default configuration untouched, and a private Postfix with the documented
# main.cf lines (smtpd_milters = unix:/run/compauthd/compauthd.sock,
# milter_default_action = tempfail, no chroot) delivers a message stamped
# with our Authentication-Results (DNS answers are whatever this machine
# gets: none in the private network namespace); uid postfix connects to the
# socket, nobody is refused; SIGTERM removes socket and pidfile; dpkg
# --purge leaves nothing of the package but its system user, as Debian
# Policy asks. /etc/postfix is never written. Runs in its own network and
# UTS namespaces; purges the package whatever happens.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/tap.sh"
export PATH="$PATH:/usr/sbin:/sbin"

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i, a private Postfix)"
for t in dpkg-buildpackage dh lintian postfix postconf smtp-sink swaks setpriv \
	runuser unshare ip python3 git; do
	command -v "$t" > /dev/null ||
		skip "$t is not installed (make deps installs debian-packages.txt)"
done
if dpkg-query -W -f='${Status}' compauthd 2> /dev/null | grep -q 'installed\|config-files'; then
	skip "a compauthd package is installed on this machine; not touching it"
fi
[ ! -e /etc/compauthd ] || skip "/etc/compauthd exists (not from a package); not touching it"
[ ! -e /usr/sbin/compauthd ] || skip "/usr/sbin/compauthd exists (not from a package); not touching it"

# Private network (fixed ports cannot clash, no DNS) and host name: the
# default authserv_id is the host name.
HOSTNAME_T=mx.deb-test.example
if [ "${CAD_DEB_NETNS:-}" != 1 ]; then
	unshare --net --uts true 2> /dev/null || skip "unshare --net --uts is not permitted here"
	CAD_DEB_NETNS=1 exec unshare --net --uts bash "$0" "$@"
fi
hostname "$HOSTNAME_T"
ip link set lo up

SMTPD_PORT=10035
SINK_PORT=10036
tmp=$(mktemp -d)
chmod 755 "$tmp"      # uid postfix and nobody reach what is in here
had_user=no
getent passwd compauthd > /dev/null && had_user=yes
daemon_pid=
sink_pid=
pf_etc=$tmp/postfix/etc
pf_started=no
etc_postfix_sum() {
	(cd /etc/postfix && find . -type f -print0 | sort -z | xargs -0 sha256sum) 2> /dev/null | sha256sum
}
etc_postfix_before=$(etc_postfix_sum)

cleanup() {
	[ -z "$daemon_pid" ] || kill -KILL "$daemon_pid" 2> /dev/null
	[ "$pf_started" = no ] || postfix -c "$pf_etc" stop > /dev/null 2>&1 || true
	if [ -n "$sink_pid" ]; then
		kill -KILL "$sink_pid" 2> /dev/null
		wait "$sink_pid" 2> /dev/null
	fi
	if dpkg-query -W -f='${Status}' compauthd 2> /dev/null | grep -q 'installed\|config-files\|unpacked'; then
		dpkg --purge compauthd > /dev/null 2>&1
	fi
	# The package keeps its system user (policy); the test removes the one
	# it caused, to leave the machine as it found it.
	if [ "$had_user" = no ] && getent passwd compauthd > /dev/null; then
		deluser --quiet --system compauthd > /dev/null 2>&1
		getent group compauthd > /dev/null && delgroup --quiet --system compauthd > /dev/null 2>&1
	fi
	[ -n "${KEEP_TMP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

# 1. Build and lint.
out=$tmp/out
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$srcdir" deb DEB_OUT="$out" > "$tmp/make.log" 2>&1
ok $? "make deb" "$tmp/make.log"
deb=$(sed -n 's/^deb: \(\/.*\.deb\)$/\1/p' "$tmp/make.log" | tail -n 1)
[ -n "$deb" ] && [ -f "$deb" ] && [ "${deb%/*}" = "$out" ]
ok $? "make deb names the package it built, in DEB_OUT: ${deb:-none}" "$tmp/make.log"
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
	echo "1..$n"
	exit 1
fi
[ ! -e "$srcdir/debian/compauthd" ] && [ ! -e "$srcdir/debian/.debhelper" ] &&
	[ ! -e "$srcdir/debian/files" ] && [ ! -e "$srcdir/obj-x86_64-linux-gnu" ]
ok $? "the build left nothing in the source tree's debian/"
upstream=$(sed -n 's/^AC_INIT(\[compauthd\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")
[ "$(dpkg-deb -f "$deb" Version)" = "$upstream-1" ]
ok $? "package version is configure.ac's $upstream, Debian revision 1 (got $(dpkg-deb -f "$deb" Version))"
lintian --fail-on error,warning "$deb" > "$tmp/lintian.log" 2>&1
ok $? "lintian --fail-on error,warning: clean" "$tmp/lintian.log"

# 2. Install.
# What already carries the name (other tests' files under /run) is not
# the package's: the purge check below counts only what is new.
leftovers() {
	find /etc /run /lib/systemd /usr/lib/systemd /var/lib/systemd -name '*compauthd*' 2> /dev/null | sort
}
leftovers > "$tmp/names-before"
dpkg -i "$deb" > "$tmp/dpkg-i.log" 2>&1
ok $? "dpkg -i" "$tmp/dpkg-i.log"
shell=$(getent passwd compauthd | cut -d: -f7)
uid=$(getent passwd compauthd | cut -d: -f3)
[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ]
ok $? "system user compauthd exists (uid ${uid:-none} < 1000, shell ${shell:-none})"
[ "$(id -gn compauthd 2> /dev/null)" = compauthd ]
ok $? "its primary group is the system group compauthd"
if getent passwd postfix > /dev/null; then
	id -nG postfix | tr ' ' '\n' | grep -qx compauthd
	ok $? "postfix is a member of group compauthd (groups: $(id -nG postfix))"
fi
dpkg-query -W -f='${Conffiles}\n' compauthd > "$tmp/conffiles" 2>&1
grep -q '^ /etc/compauthd/compauthd.conf [0-9a-f]\{32\}$' "$tmp/conffiles"
ok $? "/etc/compauthd/compauthd.conf is a conffile" "$tmp/conffiles"
cmp -s "$srcdir/conf/compauthd.conf" /etc/compauthd/compauthd.conf
ok $? "it is the annotated example conf/compauthd.conf"
/usr/sbin/compauthd -n > "$tmp/n.log" 2>&1
ok $? "compauthd -n: the installed daemon accepts its default configuration (/etc/compauthd)" "$tmp/n.log"
for f in /usr/lib/sysusers.d/compauthd.conf /usr/lib/tmpfiles.d/compauthd.conf \
	/lib/systemd/system/compauthd.service /lib/systemd/system/compauthd.socket \
	/lib/systemd/system/compauthd-report.service /lib/systemd/system/compauthd-report.timer \
	/lib/systemd/system/compauthd-report-failure.service \
	/lib/systemd/system/compauthd-report-failure.timer \
	/usr/sbin/compauthd-report /usr/share/man/man8/compauthd-report.8.gz \
	/usr/share/doc/compauthd/README.Debian; do
	[ -s "$f" ]
	ok $? "installed: $f"
done
# The report timer mails third parties: shipped, never enabled by the package.
! ls /etc/systemd/system/timers.target.wants/compauthd-report.timer > /dev/null 2>&1
ok $? "compauthd-report.timer is not enabled by the package"
! ls /etc/systemd/system/timers.target.wants/compauthd-report-failure.timer > /dev/null 2>&1
ok $? "compauthd-report-failure.timer is not enabled by the package"
[ "$(stat -c '%U:%G %a' /var/lib/compauthd 2>&1)" = "compauthd:compauthd 750" ]
ok $? "postinst made the store directory /var/lib/compauthd compauthd:compauthd 0750 (got $(stat -c '%U:%G %a' /var/lib/compauthd 2>&1))"
if command -v systemd-tmpfiles > /dev/null; then
	[ "$(stat -c '%U:%G %a' /run/compauthd 2>&1)" = "compauthd:compauthd 750" ]
	ok $? "postinst (tmpfiles.d) made /run/compauthd compauthd:compauthd 0750 (got $(stat -c '%U:%G %a' /run/compauthd 2>&1))"
fi

# 3. Start the daemon as the installed unit would.
unit=/lib/systemd/system/compauthd.service
key() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
exec_start=$(key ExecStart | sed 's/^[-@:+!]*//')
run_user=$(key User)
run_group=$(key Group)
rundir=/run/$(key RuntimeDirectory)
rundir_mode=$(key RuntimeDirectoryMode)
[ -n "$exec_start" ] && [ -n "$run_user" ] && [ "$run_user" != root ] &&
	[ -n "$run_group" ] && [ "$rundir" != /run/ ] && [ -n "$rundir_mode" ]
ok $? "the unit says: ExecStart=$exec_start User=$run_user Group=$run_group RuntimeDirectory=$rundir mode $rundir_mode"
# What systemd does for RuntimeDirectory=: create it, owned User:Group.
install -d -o "$run_user" -g "$run_group" -m "$rundir_mode" "$rundir"
chown "$run_user:$run_group" "$rundir"
chmod "$rundir_mode" "$rundir"
sock=$rundir/compauthd.sock
pidfile=$rundir/compauthd.pid
# shellcheck disable=SC2086
setpriv --reuid="$run_user" --regid="$run_group" --init-groups --inh-caps=-all \
	$exec_start > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for i in $(seq 100); do
	grep -qs ' ready ' "$tmp/daemon.log" && break
	kill -0 "$daemon_pid" 2> /dev/null || break
	sleep 0.05
done
grep -qs ' ready ' "$tmp/daemon.log"
ok $? "the daemon started as $run_user:$run_group with the default configuration" "$tmp/daemon.log"
[ "$(stat -c '%U:%G %a' "$sock" 2>&1)" = "$run_user:$run_group 660" ]
ok $? "its socket $sock is $run_user:$run_group 0660 (got $(stat -c '%U:%G %a' "$sock" 2>&1))"
[ "$(cat "$pidfile" 2> /dev/null)" = "$daemon_pid" ]
ok $? "its pidfile $pidfile names it"

connect='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print(e); sys.exit(1)'
if getent passwd postfix > /dev/null; then
	runuser -u postfix -- python3 -c "$connect" "$sock" > "$tmp/conn.log" 2>&1
	ok $? "uid postfix connects to the socket" "$tmp/conn.log"
fi
runuser -u nobody -- python3 -c "$connect" "$sock" > "$tmp/conn.log" 2>&1
[ $? -ne 0 ] && grep -q 'Permission denied' "$tmp/conn.log"
ok $? "uid nobody (not in group compauthd) is refused" "$tmp/conn.log"

# 4. A private Postfix instance (mta-e2e notes), /etc/postfix only read,
# with the documented milter lines and nothing changed in compauthd.conf.
pf=$tmp/postfix
mkdir -p "$pf_etc" "$pf/spool"
install -d -o postfix -g postfix -m 700 "$pf/data"
cp /usr/share/postfix/master.cf.dist "$pf_etc/master.cf"
: > "$pf_etc/main.cf"
postconf -c "$pf_etc" -e "compatibility_level = 3.6" "queue_directory = $pf/spool" \
	"data_directory = $pf/data" "meta_directory = /etc/postfix" \
	"maillog_file = $pf/maillog" "maillog_file_prefixes = $tmp" \
	"myhostname = $HOSTNAME_T" "mydestination =" \
	"inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" \
	"smtpd_relay_restrictions = permit_mynetworks, permit_auth_destination, reject" \
	"relay_domains = example.com, example.net, example.org" \
	"relayhost = [127.0.0.1]:$SINK_PORT" "smtpd_authorized_xclient_hosts = 127.0.0.1" \
	"alias_maps =" "alias_database =" \
	"smtpd_tls_security_level = none" "smtp_tls_security_level = none" \
	"smtpd_milters = unix:/run/compauthd/compauthd.sock" \
	"non_smtpd_milters = \$smtpd_milters" "milter_default_action = tempfail" \
	"milter_protocol = 6" > "$tmp/postconf.log" 2>&1 &&
postconf -c "$pf_etc" -F '*/*/chroot = n' >> "$tmp/postconf.log" 2>&1 &&
postconf -c "$pf_etc" -MX smtp/inet >> "$tmp/postconf.log" 2>&1 &&
postconf -c "$pf_etc" -Me "$SMTPD_PORT/inet = $SMTPD_PORT inet n - n - - smtpd" >> "$tmp/postconf.log" 2>&1
ok $? "private Postfix configured" "$tmp/postconf.log"
install -d -o nobody -m 755 "$tmp/sink"
smtp-sink -u nobody -d "$tmp/sink/%H%M%S." "127.0.0.1:$SINK_PORT" 100 > "$tmp/sink.log" 2>&1 &
sink_pid=$!
postfix -c "$pf_etc" start > "$tmp/pf-start.log" 2>&1
rc=$?
[ $rc -eq 0 ] && pf_started=yes
ok $rc "private Postfix started" "$tmp/pf-start.log"
for i in $(seq 100); do
	(exec 3<> "/dev/tcp/127.0.0.1/$SMTPD_PORT") 2> /dev/null && break
	sleep 0.05
done

swaks --server "127.0.0.1:$SMTPD_PORT" --from alice@example.org --to bob@example.com \
	--xclient-addr 192.0.2.10 --xclient-name mail.example.org \
	--xclient-helo mail.example.org --helo mail.example.org \
	--header 'Message-ID: <deb-e2e@example.org>' --header 'Subject: deb e2e' \
	--timeout 30 > "$tmp/swaks.log" 2>&1
grep -q '^<- *250 .*queued as' "$tmp/swaks.log"
ok $? "Postfix accepted the message (250 after the milter's end of message)" "$tmp/swaks.log"
msg=
for i in $(seq 200); do
	msg=$(grep -l 'deb-e2e@example.org' "$tmp/sink"/* 2> /dev/null | head -n 1)
	[ -n "$msg" ] && break
	sleep 0.05
done
[ -n "$msg" ]
ok $? "the message was delivered to the next hop" "$pf/maillog"
# Our two fields: the results, then the compauth verdict, both with our
# authserv-id (the host name, the default); DNS results are whatever the
# private network gives (nothing answers: temperror and the like).
tr -d '\r' < "${msg:-/dev/null}" | awk '/^$/ { exit } { print }' > "$tmp/header"
grep -qi "^Authentication-Results: $HOSTNAME_T;" "$tmp/header"
ok $? "it carries our Authentication-Results (authserv-id $HOSTNAME_T)" "$tmp/header"
grep -q '^[[:space:]]*spf=[a-z]* ' "$tmp/header" && grep -q '^[[:space:]]*dmarc=[a-z]* ' "$tmp/header"
ok $? "with spf and dmarc results" "$tmp/header"
grep -A1 -i "^Authentication-Results: $HOSTNAME_T;" "$tmp/header" |
	grep -q '^[[:space:]]*compauth=\(pass\|fail\|none\|softpass\) reason=[0-9]\{3\}$'
ok $? "and a compauth field" "$tmp/header"

# 5. Stop as systemd does (SIGTERM); socket and pidfile go.
kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=
[ $rc -eq 0 ]
ok $? "SIGTERM: the daemon exits 0 (got $rc)" "$tmp/daemon.log"
[ ! -e "$sock" ] && [ ! -e "$pidfile" ]
ok $? "SIGTERM: socket and pidfile removed" "$tmp/daemon.log"
! grep -q '\[err\]' "$tmp/daemon.log"
ok $? "no error in the daemon's log" "$tmp/daemon.log"
postfix -c "$pf_etc" stop > /dev/null 2>&1
pf_started=no
[ "$(etc_postfix_sum)" = "$etc_postfix_before" ]
ok $? "/etc/postfix is unchanged"

# 6. Purge: nothing of the package is left but its system user.
dpkg --purge compauthd > "$tmp/purge.log" 2>&1
ok $? "dpkg --purge compauthd" "$tmp/purge.log"
: > "$tmp/left"
for f in /etc/compauthd /usr/sbin/compauthd /usr/sbin/compauthd-report \
	/usr/share/man/man8/compauthd-report.8.gz /lib/systemd/system/compauthd-report.service \
	/lib/systemd/system/compauthd-report.timer /var/lib/compauthd \
	/lib/systemd/system/compauthd-report-failure.service \
	/lib/systemd/system/compauthd-report-failure.timer \
	/lib/systemd/system/compauthd.service \
	/lib/systemd/system/compauthd.socket /usr/share/man/man8/compauthd.8.gz \
	/usr/share/man/man5/compauthd.conf.5.gz /usr/share/man/man5/compauthd-zone.5.gz \
	/usr/share/doc/compauthd /usr/lib/sysusers.d/compauthd.conf \
	/usr/lib/tmpfiles.d/compauthd.conf /run/compauthd; do
	[ ! -e "$f" ] || echo "$f" >> "$tmp/left"
done
ls /var/lib/dpkg/info/compauthd.* >> "$tmp/left" 2> /dev/null
leftovers | comm -13 "$tmp/names-before" - >> "$tmp/left"
[ ! -s "$tmp/left" ]
ok $? "purge leaves no file of the package (/etc/compauthd, /run/compauthd, units, binary, manuals, docs)" "$tmp/left"
getent passwd compauthd > /dev/null
ok $? "the system user compauthd stays (Debian Policy 9.2.2: never reuse a uid)"

echo "1..$n"
