#!/bin/bash
# Who the daemon runs as, and who owns its socket (issue 14):
# - started as the very user it is configured to become (systemd's
#   User=compauthd), it starts (no setgroups() without CAP_SETGID, no exit
#   71), its socket is user:group 0660, and SIGTERM removes socket and
#   pidfile;
# - started as root with user set and socket_owner/socket_group empty, the
#   socket goes to that user and its group before the drop (so that the
#   group's members, the MTA, connect), a root-owned pidfile left by a
#   killed root run does not keep the user from starting, an explicit socket_group stays, an
#   existing socket directory is never re-owned, and a missing one is
#   created user:group 0750;
# - in a root-owned directory it cannot clean up after the drop: no error
#   logged, and the next start replaces the stale socket and pidfile;
# - control: started as another user than configured, it refuses (71).
# The unprivileged user is nobody (nogroup); without root only the first
# case runs, as the invoking user.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
bin=${COMPAUTHD:-$builddir/compauthd}
. "$srcdir/tests/tap.sh"

if [ ! -x "$bin" ]; then
	echo "1..0 # SKIP no compauthd binary"
	exit 0
fi
if [ "$(id -u)" -eq 0 ] && ! command -v setpriv > /dev/null; then
	echo "1..0 # SKIP setpriv(1) is not installed (Debian package util-linux)"
	exit 0
fi
# A directory every user can traverse (mktemp's 0700 would keep nobody out).
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=
cleanup() {
	for p in $pids; do kill -KILL "$p" 2> /dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" -eq 0 ]; then
	user=nobody
else
	user=$(id -un)
fi
group=$(id -gn "$user")

conf() {	# conf NAME DIR [SETTING...]: a configuration in $tmp/NAME.conf,
	# user = $as_user (default: the unprivileged user)
	local name=$1 dir=$2
	shift 2
	{
		echo "socket = unix:$dir/compauthd.sock"
		echo "pidfile = $dir/compauthd.pid"
		echo "authserv_id = mx.test.example"
		echo "dns_servers = 127.0.0.1:9"
		# No report store: its default directory is the package's.
		echo 'report_store = ""'
		echo "user = ${as_user:-$user}"
		for s in "$@"; do echo "$s"; done
	} > "$tmp/$name.conf"
	chmod 644 "$tmp/$name.conf"
}

start() {	# start NAME AS: compauthd -f as AS (root or a user) on NAME.conf
	local name=$1 as=$2 i
	if [ "$as" = root ] || [ "$(id -u)" -ne 0 ]; then
		"$bin" -f -c "$tmp/$name.conf" > "$tmp/$name.log" 2>&1 &
	else
		setpriv --reuid="$as" --regid="$(id -g "$as")" --init-groups \
			"$bin" -f -c "$tmp/$name.conf" > "$tmp/$name.log" 2>&1 &
	fi
	pid=$!
	pids="$pids $pid"
	for i in $(seq 100); do
		grep -qs ' ready ' "$tmp/$name.log" && return 0
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.05
	done
	wait "$pid" 2> /dev/null
	status=$?
	return 1
}

stop() {	# stop: SIGTERM, then the exit status in $status
	kill -TERM "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	status=$?
}

owner() {	# owner PATH: user:group mode
	stat -c '%U:%G %a' "$1"
}

# 1. Already the configured user: starts, socket user:group 0660, cleans up.
d=$tmp/own
mkdir "$d"
chown "$user:$group" "$d"
chmod 750 "$d"
conf own "$d"
start own "$user"
ok $? "started as user $user with user = $user: it starts (no exit 71)" "$tmp/own.log"
[ "$(owner "$d/compauthd.sock")" = "$user:$group 660" ]
ok $? "its socket is $user:$group 0660 (got $(owner "$d/compauthd.sock" 2>&1))"
stop
[ "$status" -eq 0 ]
ok $? "SIGTERM: exit status 0 (got $status)" "$tmp/own.log"
[ ! -e "$d/compauthd.sock" ] && [ ! -e "$d/compauthd.pid" ]
ok $? "SIGTERM: socket and pidfile removed" "$tmp/own.log"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..$n # root-only cases skipped: not root"
	exit 0
fi

# 2. Root, dropping to user, socket_owner/socket_group empty.
d=$tmp/drop
mkdir "$d"
chown "$user:$group" "$d"
chmod 750 "$d"
conf drop "$d"
start drop root
ok $? "started as root with user = $user" "$tmp/drop.log"
[ "$(owner "$d/compauthd.sock")" = "$user:$group 660" ]
ok $? "socket_owner/socket_group empty: the socket is $user:$group 0660 (got $(owner "$d/compauthd.sock" 2>&1))"
[ "$(stat -c %U "/proc/$pid")" = "$user" ]
ok $? "the daemon runs as $user"
stop
[ ! -e "$d/compauthd.sock" ] && [ ! -e "$d/compauthd.pid" ]
ok $? "after the drop, SIGTERM still removes socket and pidfile" "$tmp/drop.log"
[ "$(owner "$d")" = "$user:$group 750" ]
ok $? "the existing socket directory keeps its owner and mode"

# 3. An explicit socket_group is kept; the owner still becomes user.
other=$(getent group daemon > /dev/null && echo daemon || echo root)
conf group "$d" "socket_group = $other"
start group root
ok $? "started as root with socket_group = $other" "$tmp/group.log"
[ "$(owner "$d/compauthd.sock")" = "$user:$other 660" ]
ok $? "socket_group = $other: the socket is $user:$other 0660 (got $(owner "$d/compauthd.sock" 2>&1))"
stop

# 4. A root-owned directory: after the drop the files stay, without an
# error; the next start replaces both.
d=$tmp/rootdir
mkdir "$d"
chmod 755 "$d"
conf rootdir "$d"
start rootdir root
ok $? "started as root in a root-owned directory" "$tmp/rootdir.log"
stop
[ "$status" -eq 0 ]
ok $? "SIGTERM: exit status 0 (got $status)" "$tmp/rootdir.log"
! grep -q '\[err\]\|error' "$tmp/rootdir.log"
ok $? "no error logged for what it could not remove" "$tmp/rootdir.log"
mv "$tmp/rootdir.log" "$tmp/rootdir.1.log"
start rootdir root
ok $? "the next start replaces the stale socket and pidfile" "$tmp/rootdir.log"
[ "$(cat "$d/compauthd.pid" 2> /dev/null)" = "$pid" ]
ok $? "the pidfile names the new process"
stop

# 4b. A run as root killed outright left its root-owned pidfile and socket
# in the user's directory (the unit before issue 14 ran as root): started
# as the user, it replaces them.
d=$tmp/own
conf stale "$d"
start stale root
ok $? "started as root in $user's directory" "$tmp/stale.log"
kill -KILL "$pid"
wait "$pid" 2> /dev/null
[ "$(stat -c %U "$d/compauthd.pid" 2>&1)" = root ]
ok $? "killed: a root-owned pidfile stays behind"
mv "$tmp/stale.log" "$tmp/stale.1.log"
start stale "$user"
ok $? "started as $user over the stale root-owned pidfile and socket" "$tmp/stale.log"
[ "$(cat "$d/compauthd.pid" 2> /dev/null)" = "$pid" ]
ok $? "the pidfile names the new process"
stop

# 5. A missing socket directory is created user:group 0750 (only then).
d=$tmp/missing/run
mkdir "$tmp/missing"
chmod 755 "$tmp/missing"
conf missing "$d"
start missing root
rc=$?
[ "$rc" -eq 0 ] && [ "$(owner "$d" 2>&1)" = "$user:$group 750" ]
ok $? "a missing socket directory is created $user:$group 0750 (got $(owner "$d" 2>&1))" "$tmp/missing.log"
[ "$rc" -eq 0 ] && stop

# 6. Control: another user than configured cannot become it.
as_user=daemon conf other "$tmp/own"
start other "$user"
[ "${status:-0}" -eq 71 ] && grep -q 'must start as root' "$tmp/other.log"
ok $? "control: started as $user with user = daemon it exits 71 (got ${status:-})" "$tmp/other.log"

echo "1..$n"
