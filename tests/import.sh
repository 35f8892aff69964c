#!/bin/bash
# compauthd --import: opendkim.conf, opendmarc.conf and openarc.conf files
# (tests/data/import/: Debian 12's defaults, hand-made ones using most
# settings, hostile input) become a compauthd.conf. Asserts the printed
# configuration and the findings byte for byte (tests/data/import/expected/),
# that `compauthd -n -c` accepts what is printed, merge conflicts, unknown
# keys, detection by name and by settings, errors and exit codes, and that
# huge or hostile input stays bounded.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${COMPAUTHD:-$srcdir/build/compauthd}
. "$srcdir/tests/tap.sh"
data=$srcdir/tests/data/import
exp=$data/expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs --import in $data (datasets are named relative to it): out, err, rc.
imp() {
	(cd "$data" && "$bin" --import "$@" > "$tmp/out" 2> "$tmp/err"; echo $? > "$tmp/rc")
	rc=$(cat "$tmp/rc")
}

# Byte-exact against expected/NAME.out and NAME.err.
same() {
	diff -u "$exp/$1.out" "$tmp/out" > "$tmp/diff" 2>&1 &&
		diff -u "$exp/$1.err" "$tmp/err" >> "$tmp/diff" 2>&1
}

# `compauthd -n -c FILE` accepts it. -n also checks that user and group
# exist here: a name this host lacks is refused for that reason alone, and
# with numeric ids in their place the rest of the file is accepted.
accepts() {
	local f=$1 what=$2 acct
	"$bin" -n -c "$f" > "$tmp/n.out" 2> "$tmp/n.err"
	if [ $? -eq 0 ]; then
		ok 0 "$what: compauthd -n -c accepts the printed configuration"
		return
	fi
	acct=$(sed -n 's/^\(user\|group\) = //p' "$f" | tr '\n' ' ')
	acct=${acct:-compauthd, the default user}
	grep -q "no such \(user\|group\)" "$tmp/n.err"
	ok $? "$what: compauthd -n refuses only an account this host lacks ($acct)" "$tmp/n.err"
	{ sed -e '/^user = /d' -e 's/^group = .*/group = 0/' "$f"; echo 'user = 0'; } > "$tmp/ids.conf"
	"$bin" -n -c "$tmp/ids.conf" > "$tmp/n.out" 2> "$tmp/n.err"
	ok $? "$what: compauthd -n -c accepts the printed configuration (numeric ids)" "$tmp/n.err"
}

# 1. Debian 12's opendkim.conf and opendmarc.conf, as the packages install them.
imp opendkim.conf opendmarc.conf
[ "$rc" -eq 0 ]
ok $? "Debian defaults: exit 0" "$tmp/err"
same debian
ok $? "Debian defaults: output and findings byte for byte" "$tmp/diff"
cp "$tmp/out" "$tmp/debian.conf"
accepts "$tmp/debian.conf" "Debian defaults"
grep -qx 'socket = local:/run/opendkim/opendkim.sock' "$tmp/out" &&
	grep -q '^compauthd: not carried over: opendmarc.conf:67 Socket local:/run/opendmarc/opendmarc.sock: conflicts: compauthd has one socket' "$tmp/err"
ok $? "Debian defaults: one socket, the first file's; the other reported on stderr"

# 2. Hand-made files using most settings, three programs merged.
imp opendkim-full.conf opendmarc-full.conf openarc.conf
[ "$rc" -eq 0 ]
ok $? "full: exit 0" "$tmp/err"
same full
ok $? "full: output and findings byte for byte" "$tmp/diff"
cp "$tmp/out" "$tmp/full.conf"
accepts "$tmp/full.conf" "full"

# 3. The other order: the first file still wins every conflict.
imp opendmarc.conf opendkim.conf
grep -qx 'socket = local:/run/opendmarc/opendmarc.sock' "$tmp/out" &&
	grep -qx 'user = opendmarc' "$tmp/out" && grep -qx 'socket_mode = 0775' "$tmp/out" &&
	grep -q '^#   opendkim.conf:31 UMask 007: it made the socket of opendkim.conf, which compauthd does not take$' "$tmp/out"
ok $? "reversed order: opendmarc.conf's socket, user and UMask win" "$tmp/out"

# 4. Hostile lines: NUL, over-long, control characters, bad values.
imp opendkim-hostile.conf
[ "$rc" -eq 0 ]
ok $? "hostile: exit 0" "$tmp/err"
same hostile
ok $? "hostile: output and findings byte for byte" "$tmp/diff"
cp "$tmp/out" "$tmp/hostile.conf"
accepts "$tmp/hostile.conf" "hostile"

# 5. Which program: by settings when the name does not tell; unknown keys.
cp "$data/opendmarc.conf" "$tmp/filter-a.conf"
printf 'Frobnicate yes\nSocket inet:9999\n' > "$tmp/filter-b.conf"
(cd "$tmp" && "$bin" --import filter-a.conf filter-b.conf > out 2> err; echo $? > rc)
grep -qx '#   filter-a.conf: OpenDMARC (by its settings)' "$tmp/out" &&
	grep -qx '#   filter-b.conf: OpenDKIM (by its settings)' "$tmp/out"
ok $? "detection by settings" "$tmp/out"
printf 'Frobnicate yes\nWhatever 1\n' > "$tmp/filter-c.conf"
(cd "$tmp" && "$bin" --import filter-c.conf > out 2> err; echo $? > rc)
grep -qx '#   filter-c.conf: not recognised (no setting of theirs found)' "$tmp/out" &&
	grep -qx 'compauthd: not carried over: filter-c.conf:1 Frobnicate yes: unknown to OpenDKIM, OpenDMARC and OpenARC' "$tmp/err" &&
	[ "$(cat "$tmp/rc")" -eq 0 ]
ok $? "a file of no known program: every key reported unknown to all three" "$tmp/err"

# 6. ARC sealing carries over when the key loads (and is private).
if command -v openssl > /dev/null; then
	openssl genpkey -algorithm ed25519 -out "$tmp/arc.key" 2> /dev/null
	chmod 600 "$tmp/arc.key"
	printf 'Mode s\nDomain example.net\nSelector arc1\nKeyFile %s\nUserID 0\n' \
		"$tmp/arc.key" > "$tmp/openarc.conf"
	(cd "$tmp" && "$bin" --import openarc.conf > out 2> err; echo $? > rc)
	grep -qx 'arc_sign_domain = example.net' "$tmp/out" &&
		grep -qx 'arc_sign_selector = arc1' "$tmp/out" &&
		grep -qx "arc_sign_key = $tmp/arc.key" "$tmp/out"
	ok $? "OpenARC Domain, Selector, KeyFile become arc_sign_*" "$tmp/out"
	cp "$tmp/out" "$tmp/arc.conf"
	accepts "$tmp/arc.conf" "sealing"
	printf 'Mode v\nDomain example.net\nSelector arc1\nKeyFile %s\n' \
		"$tmp/arc.key" > "$tmp/openarc.conf"
	(cd "$tmp" && "$bin" --import openarc.conf > out 2> err)
	! grep -q '^arc_sign' "$tmp/out" &&
		grep -qx 'compauthd: not carried over: openarc.conf:2 Domain example.net: OpenARC did not seal (Mode v): compauthd seals every message it checks once arc_sign_\* are set' "$tmp/err"
	ok $? "OpenARC in mode v did not seal: its key is not carried" "$tmp/err"
else
	echo "ok $((n += 1)) - ARC sealing # SKIP openssl is not installed"
fi

# 7. Errors: nothing on stdout, the file and errno's text named, exit 78.
imp opendkim.conf missing.conf
[ "$rc" -eq 78 ] && [ ! -s "$tmp/out" ] &&
	[ "$(cat "$tmp/err")" = "compauthd: missing.conf: cannot open: No such file or directory" ]
ok $? "missing file: exit 78, named with errno's text, nothing printed" "$tmp/err"
mkdir "$tmp/dir.conf"
"$bin" --import "$tmp/dir.conf" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 78 ] && [ "$(cat "$tmp/err")" = "compauthd: $tmp/dir.conf: not a regular file" ]
ok $? "a directory: exit 78 (got $rc)" "$tmp/err"
"$bin" --import /dev/zero > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 78 ] && [ "$(cat "$tmp/err")" = "compauthd: /dev/zero: not a regular file" ]
ok $? "/dev/zero is refused, not read forever (exit $rc)" "$tmp/err"
if [ "$(id -u)" -ne 0 ]; then
	cp "$data/opendkim.conf" "$tmp/secret.conf" && chmod 000 "$tmp/secret.conf"
	"$bin" --import "$tmp/secret.conf" > "$tmp/out" 2> "$tmp/err"
	[ $? -eq 78 ] && [ "$(cat "$tmp/err")" = "compauthd: $tmp/secret.conf: cannot open: Permission denied" ]
	ok $? "unreadable file: exit 78, Permission denied" "$tmp/err"
else
	echo "ok $((n += 1)) - unreadable file # SKIP root reads every file"
fi
head -c 1048577 /dev/zero | tr '\0' '\n' > "$tmp/big.conf"
"$bin" --import "$tmp/big.conf" > "$tmp/out" 2> "$tmp/err"
[ $? -eq 78 ] && [ "$(cat "$tmp/err")" = "compauthd: $tmp/big.conf: larger than 1048576 bytes" ]
ok $? "a file over 1 MiB: exit 78" "$tmp/err"
"$bin" --import > "$tmp/out" 2> "$tmp/err"
[ $? -eq 64 ] && grep -q 'at least one file' "$tmp/err"
ok $? "--import without a file: exit 64" "$tmp/err"
"$bin" --help | grep -q -- '--import FILE\.\.\.'
ok $? "usage names --import"

# 8. Bounded: a million lines, half a million unknown keys.
head -c 1000000 /dev/zero | tr '\0' '\n' > "$tmp/million.conf"
start=$(date +%s)
"$bin" --import "$tmp/million.conf" > "$tmp/out" 2> "$tmp/err"
[ $? -eq 0 ] && grep -qx 'compauthd: --import: 0 settings written, 0 already compauthd'"'"'s behaviour, 0 not carried over' "$tmp/err"
ok $? "a million empty lines: nothing to carry, exit 0" "$tmp/err"
# Memory as growth over importing one line, so that a sanitizer's shadow
# memory (ThreadSanitizer starts at ~300 MB) is not counted as ours, and
# with AddressSanitizer's quarantine off (it keeps freed memory from reuse).
echo 'x' > "$tmp/one.conf"
asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
ASAN_OPTIONS=$asan /usr/bin/time -f '%M' -o "$tmp/rss0" "$bin" --import "$tmp/one.conf" > /dev/null 2>&1
yes 'x' | head -n 524288 > "$tmp/keys.conf"
ASAN_OPTIONS=$asan /usr/bin/time -f '%M' -o "$tmp/rss" "$bin" --import "$tmp/keys.conf" > "$tmp/out" 2> "$tmp/err"
rc=$?
end=$(date +%s)
[ $rc -eq 0 ] && grep -qx '#   ... and 523288 more' "$tmp/out" &&
	[ "$(grep -c '^#   keys.conf\|^#   .*keys.conf:' "$tmp/out")" -le 1001 ] &&
	[ "$(wc -c < "$tmp/out")" -lt 400000 ]
ok $? "524288 unknown keys: 1000 listed, the rest counted, output bounded" "$tmp/err"
grown=$(( $(cat "$tmp/rss") - $(cat "$tmp/rss0") ))
[ "$grown" -lt 65536 ] && [ $((end - start)) -lt 60 ]
ok $? "... in bounded memory ($grown KiB over one line) and time ($((end - start)) s)"

# 9. No setting added: -n prints as many settings as the config test counts.
want=$(sed -n 's/.*is_int(count, \([0-9]*\), "man: .* settings");.*/\1/p' "$srcdir/tests/unit/test_config_files.c")
echo 'user = 0' > "$tmp/user0.conf"
got=$("$bin" -n -c "$tmp/user0.conf" 2> /dev/null | grep -c ' = ')
[ -n "$want" ] && [ "$got" -eq "$want" ]
ok $? "settings count unchanged: compauthd -n prints $got, test_config_files.c counts $want"

echo "1..$n"
[ "$tap_failed" -eq 0 ]
