#!/bin/bash
# compauthd -n: a list setting naming a file (file:/path) is checked entry by
# entry and written back as file:/path (output that reads back the same);
# a missing list file fails naming path and errno text; user, group,
# socket_owner and socket_group must exist (numbers are ids), with the
# daemon's own words, which the daemon itself says when started; an
# authserv_id without a dot is a warning (exit 0); which file was checked
# is said on stderr, the compiled-in default when -c is not given, the
# same path as the usage message names.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
bin=${COMPAUTHD:-$builddir/compauthd}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$srcdir/tests/tap.sh"

if [ ! -x "$bin" ]; then
	echo "1..0 # SKIP no compauthd binary at $bin"
	exit 0
fi

base="authserv_id = mx.test.example
user = \"\"
socket = unix:$tmp/s.sock
pidfile = $tmp/c.pid
report_store = $tmp/reports.db
"
conf=$tmp/c.conf
list=$tmp/trusted_clients
printf '# trusted\n192.0.2.0/24\n\n198.51.100.7, 2001:db8::/32 # two more\n' > "$list"
printf '%strusted_clients = 127.0.0.0/8, file:%s\nlocal_domains = file:%s/domains\n' \
	"$base" "$list" "$tmp" > "$conf"
printf 'example.org\nexample.net\n' > "$tmp/domains"

"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
ok $? "-n with list files: exit 0" "$tmp/err"
grep -qx "trusted_clients = \"127.0.0.0/8, file:$list\"" "$tmp/out"
ok $? "-n writes the list file's name back, not its entries" "$tmp/out"
grep -qx "local_domains = file:$tmp/domains" "$tmp/out"
ok $? "-n: a list that is one file: file:PATH" "$tmp/out"
[ "$(cat "$tmp/err")" = "compauthd: $conf: OK" ]
ok $? "-n says on stderr which file it checked: \"compauthd: PATH: OK\"" "$tmp/err"
cp "$tmp/out" "$tmp/again.conf"
"$bin" -n -c "$tmp/again.conf" > "$tmp/out2" 2> "$tmp/err"
cmp -s "$tmp/out" "$tmp/out2"
ok $? "-n output read back prints the same settings" "$tmp/err"

printf 'example.org\n\nbad!name\n' > "$tmp/domains"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 78 ] && grep -qF "$conf:7: local_domains: $tmp/domains:3: expected a domain name, got 'bad!name'" "$tmp/err"
ok $? "-n: a bad entry in a list file: exit 78, config line, file and line named ($rc)" "$tmp/err"
rm "$tmp/domains"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 78 ] && grep -qF "local_domains: cannot open $tmp/domains: No such file or directory" "$tmp/err" &&
	[ ! -s "$tmp/out" ]
ok $? "-n: a missing list file: exit 78, path and errno text, nothing on stdout ($rc)" "$tmp/err"
printf '%strusted_clients = file:trusted_clients\n' "$base" > "$conf"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
[ $? -eq 78 ] && grep -qF "expected an absolute path after file:" "$tmp/err"
ok $? "-n: a relative list file path is refused" "$tmp/err"

# Accounts: the daemon's own words, before a start would fail on them.
for case in "user = no-such-user-compauthd:user no-such-user-compauthd: no such user" \
	"group = no-such-group-compauthd:group no-such-group-compauthd: no such group" \
	"socket_owner = no-such-owner-cad:socket_owner no-such-owner-cad: no such user" \
	"socket_group = no-such-group-cad:socket_group no-such-group-cad: no such group"; do
	line=${case%%:*}
	want=${case#*:}
	printf '%s\n' "$base" | grep -v '^user = ' > "$conf"
	case $line in user*) ;; *) echo 'user = root' >> "$conf" ;; esac
	echo "$line" >> "$conf"
	"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 78 ] && [ "$(cat "$tmp/err")" = "compauthd: $conf: $want" ] && [ ! -s "$tmp/out" ]
	ok $? "-n, $line: exit 78, \"$want\"" "$tmp/err"
done
printf '%s\n%s\n' "$(printf '%s' "$base" | grep -v '^user = ')" "user = no-such-user-compauthd" > "$conf"
"$bin" -f -c "$conf" > "$tmp/daemon.log" 2>&1
rc=$?
[ $rc -eq 71 ] && grep -qF "user no-such-user-compauthd: no such user" "$tmp/daemon.log"
ok $? "the daemon started with that user says the same and exits 71 ($rc)" "$tmp/daemon.log"
printf '%s\n%s\n' "$(printf '%s' "$base" | grep -v '^user = ')" \
	"user = 4242
group = 4343
socket_owner = 4444
socket_group = 4545" > "$conf"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
ok $? "-n: numeric user, group, socket_owner and socket_group are ids, accepted" "$tmp/err"

# A number without a passwd entry has no primary group: -n and the daemon
# both ask for group, in the same words.
printf '%s\n%s\n' "$(printf '%s' "$base" | grep -v '^user = ')" "user = 4242" > "$conf"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 78 ] && grep -qx "compauthd: $conf: user 4242: no passwd entry, so no primary group: set group" "$tmp/err"
ok $? "-n: user 4242 without a passwd entry nor group: exit 78 asking for group ($rc)" "$tmp/err"
if [ "$(id -u)" -eq 0 ]; then
	"$bin" -f -c "$conf" > "$tmp/daemon.log" 2>&1
	rc=$?
	[ $rc -eq 71 ] && grep -qF "user 4242: no passwd entry, so no primary group: set group" "$tmp/daemon.log"
	ok $? "the daemon started as root with user 4242 says the same and exits 71 ($rc)" "$tmp/daemon.log"
	# Numbers are what the daemon becomes and gives the socket (they were
	# looked up as names, so -n accepted what the daemon then refused).
	nobody=$(id -u nobody)
	printf '%s\n%s\n' "$(printf '%s' "$base" | grep -v '^user = ')" \
		"user = 4242
group = 4343
socket_owner = $nobody
socket_group = 4545" > "$conf"
	"$bin" -n -c "$conf" > /dev/null 2> "$tmp/err"
	ok $? "-n: user 4242 with group 4343 accepted" "$tmp/err"
	"$bin" -f -c "$conf" > "$tmp/daemon.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -S "$tmp/s.sock" ] && break; sleep 0.05; done
	sleep 0.2
	st=$(stat -c '%u:%g' "$tmp/s.sock" 2>/dev/null)
	ids=$(awk '/^Uid:/{u=$2} /^Gid:/{g=$2} END{print u ":" g}' /proc/$pid/status 2>/dev/null)
	kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
	[ "$st" = "$nobody:4545" ] && [ "$ids" = "4242:4343" ]
	ok $? "numeric ids: socket $nobody:4545 (got $st), daemon runs as 4242:4343 (got $ids)" "$tmp/daemon.log"
fi

# authserv_id without a dot: a warning, exit 0, the settings still printed.
printf '%s\n%s\n' "$(printf '%s' "$base" | grep -v '^authserv_id')" "authserv_id = mx" > "$conf"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q "^compauthd: warning: authserv_id mx is not fully qualified: RFC 8601" "$tmp/err" &&
	grep -qx "authserv_id = mx" "$tmp/out" && tail -n 1 "$tmp/err" | grep -qx "compauthd: $conf: OK"
ok $? "-n: authserv_id mx: a warning saying why, exit 0 ($rc)" "$tmp/err"
printf '%s' "$base" > "$conf"
"$bin" -n -c "$conf" > "$tmp/out" 2> "$tmp/err"
! grep -q warning "$tmp/err"
ok $? "-n: a fully qualified authserv_id: no warning" "$tmp/err"

# Without -c: the compiled-in default, the one the usage message names.
default=$("$bin" -h | sed -n 's/^  -c FILE  configuration file (default \(.*\))$/\1/p')
[ -n "$default" ]
ok $? "the usage message names the default configuration file ($default)"
"$bin" -n > "$tmp/out" 2> "$tmp/err"
if [ -e "$default" ]; then
	grep -q "^compauthd: $default: " "$tmp/err"
else
	grep -q "^compauthd: $default not found, the built-in defaults: " "$tmp/err"
fi
ok $? "-n without -c says it checked $default" "$tmp/err"

echo "1..$n"
exit 0
