#!/bin/bash
# make install with DESTDIR and a prefix of its own puts everything below
# DESTDIR/prefix: the daemon in sbin, the three manual pages, the example
# configuration in etc/compauthd (and the daemon accepts it), the systemd
# units naming the installed paths, the MTA snippets; nothing lands outside
# DESTDIR; a second install keeps an edited configuration; make uninstall
# takes everything away again except that edited configuration. The
# top-level `make install PREFIX=/usr` puts the configuration in /etc.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$srcdir/tests/tap.sh"

if [ ! -f "$builddir/Makefile" ] || [ ! -x "$builddir/compauthd" ]; then
	echo "1..0 # SKIP no configured and built tree at $builddir"
	exit 0
fi

prefix=/opt/compauthd-install-test
dest=$tmp/root
# Nested in make check: keep the outer make's flags and jobserver out.
inst() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$builddir" "$@" \
		DESTDIR="$dest" prefix="$prefix" > "$tmp/make.log" 2>&1
}
inst install
ok $? "make install DESTDIR=... prefix=$prefix" "$tmp/make.log"

root=$dest$prefix
# path in the prefix, what it must be
FILES="
sbin/compauthd:executable
sbin/compauthd-report:executable
share/man/man8/compauthd-report.8:file
lib/systemd/system/compauthd-report.service:file
lib/systemd/system/compauthd-report.timer:file
lib/systemd/system/compauthd-report-failure.service:file
lib/systemd/system/compauthd-report-failure.timer:file
share/man/man8/compauthd.8:file
share/man/man5/compauthd.conf.5:file
share/man/man5/compauthd-zone.5:file
etc/compauthd/compauthd.conf:file
lib/systemd/system/compauthd.service:file
lib/systemd/system/compauthd.socket:file
share/doc/compauthd/postfix-main.cf.snippet:file
share/doc/compauthd/sendmail.mc.snippet:file
"
for entry in $FILES; do
	f=${entry%%:*}
	kind=${entry#*:}
	if [ "$kind" = executable ]; then
		[ -f "$root/$f" ] && [ -x "$root/$f" ]
	else
		[ -f "$root/$f" ] && [ -s "$root/$f" ]
	fi
	ok $? "installed: $f ($kind)"
done

# Nothing outside DESTDIR/prefix, and nothing in the real prefix.
(cd "$dest" && find . -type f | grep -v "^\.$prefix/") > "$tmp/outside"
[ ! -s "$tmp/outside" ]
ok $? "every installed file is below DESTDIR/prefix" "$tmp/outside"
[ ! -e "$prefix" ]
ok $? "nothing written to the real $prefix"

cmp -s "$srcdir/conf/compauthd.conf" "$root/etc/compauthd/compauthd.conf"
ok $? "etc/compauthd/compauthd.conf is the annotated example conf/compauthd.conf"
for p in compauthd.8:man8 compauthd.conf.5:man5 compauthd-zone.5:man5; do
	cmp -s "$srcdir/man/${p%%:*}" "$root/share/man/${p#*:}/${p%%:*}"
	ok $? "man page ${p%%:*} installed unchanged"
done

# The example runs as user compauthd, which the Debian package creates and
# tests/deb.sh may create and remove while this runs: the example is checked
# with an account that always exists (nobody) and one that never does, so the
# outcome does not depend on that race.
example=$root/etc/compauthd/compauthd.conf
{ cat "$example"; echo 'user = nobody'; } > "$tmp/example-nobody.conf"
"$root/sbin/compauthd" -n -c "$tmp/example-nobody.conf" > "$tmp/n.log" 2>&1
ok $? "the installed daemon accepts the installed example run as nobody (compauthd -n)" "$tmp/n.log"
{ cat "$example"; echo 'user = compauthd-no-such-user'; } > "$tmp/example-nouser.conf"
"$root/sbin/compauthd" -n -c "$tmp/example-nouser.conf" > "$tmp/n.log" 2>&1
[ $? -ne 0 ] && grep -qx "compauthd: $tmp/example-nouser.conf: user compauthd-no-such-user: no such user" "$tmp/n.log"
ok $? "-n refuses the installed example naming a user that does not exist" "$tmp/n.log"
"$root/sbin/compauthd" -V > "$tmp/v.log" 2>&1
ok $? "the installed daemon runs (compauthd -V)" "$tmp/v.log"

unit=$root/lib/systemd/system/compauthd.service
grep -qx "ExecStart=$prefix/sbin/compauthd -f -c $prefix/etc/compauthd/compauthd.conf" "$unit"
ok $? "the installed service names the installed binary and configuration"

# Installed with the prefix it was configured with (DESTDIR only), the
# service's -c names the file compauthd -n checks without -c, and the
# example is installed there.
cprefix=$(sed -n 's/^prefix = //p' "$builddir/Makefile")
dest2=$tmp/root2
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$builddir" install DESTDIR="$dest2" \
	> "$tmp/make2.log" 2>&1
ok $? "make install DESTDIR=... (configured prefix $cprefix)" "$tmp/make2.log"
unitconf=$(sed -n 's/^ExecStart=.* -c \([^ ]*\).*/\1/p' "$dest2$cprefix/lib/systemd/system/compauthd.service")
"$dest2$cprefix/sbin/compauthd" -n > "$tmp/n2.log" 2>&1
grep -q "^compauthd: $unitconf not found, the built-in defaults: " "$tmp/n2.log" &&
	[ -f "$dest2$unitconf" ]
ok $? "compauthd -n without -c checks $unitconf, the service's -c, where the example is installed" "$tmp/n2.log"

# An administrator's edit survives a reinstall and an uninstall.
echo "log_level = debug" >> "$root/etc/compauthd/compauthd.conf"
inst install
ok $? "make install again" "$tmp/make.log"
tail -n 1 "$root/etc/compauthd/compauthd.conf" | grep -qx 'log_level = debug'
ok $? "a second install keeps the edited configuration"
inst uninstall
ok $? "make uninstall" "$tmp/make.log"
(cd "$dest" && find . -type f) > "$tmp/left"
[ "$(cat "$tmp/left")" = ".$prefix/etc/compauthd/compauthd.conf" ]
ok $? "make uninstall leaves only the edited configuration" "$tmp/left"

# The top-level Makefile with PREFIX=/usr: the system's own prefix keeps
# its configuration in /etc (issue 14), not /usr/etc.
usr=$tmp/usr-root
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$srcdir" install BUILD="$builddir" \
	PREFIX=/usr DESTDIR="$usr" > "$tmp/make.log" 2>&1
ok $? "make install PREFIX=/usr DESTDIR=... (top-level Makefile)" "$tmp/make.log"
[ -s "$usr/etc/compauthd/compauthd.conf" ] && [ ! -e "$usr/usr/etc" ]
ok $? "PREFIX=/usr: the configuration is in /etc/compauthd, nothing in /usr/etc"
grep -qx "ExecStart=/usr/sbin/compauthd -f -c /etc/compauthd/compauthd.conf" \
	"$usr/usr/lib/systemd/system/compauthd.service"
ok $? "PREFIX=/usr: the service names /usr/sbin/compauthd and /etc/compauthd/compauthd.conf"
grep -qx "User=compauthd" "$usr/usr/lib/systemd/system/compauthd.service"
ok $? "PREFIX=/usr: the installed service runs as User=compauthd"
# This build was configured for another prefix: its binary's default file
# (compauthd -n without -c) is not the installed one, and install says so.
want=$(sed -n 's/^sysconfdir = //p' "$builddir/Makefile")
if [ "$want" != /etc ]; then
	grep -q "^install: note: .* was configured for another prefix, so compauthd -n without -c reads " "$tmp/make.log"
	ok $? "PREFIX=/usr on a build configured for $want: install names the file -n reads" "$tmp/make.log"
fi

echo "1..$n"
