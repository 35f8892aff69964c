#!/bin/bash
# The same reports from a PostgreSQL store (a private server,
# tests/pgserver.py): seeded through store_put, the dry-run files are
# byte for byte those of the SQLite store, and the bookkeeping (report_sent,
# destination: upserts, suppression) works the same. Skipped when Debian's
# postgresql package is not installed.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tap.sh"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/report/reportlib.sh"
need_tools

pg=$tmp/pg
mkdir "$pg"
chmod 711 "$tmp" "$pg"
uri=$(python3 "$srcdir/tests/pgserver.py" start "$pg")
rc=$?
if [ $rc -eq 77 ]; then
	echo "1..0 # SKIP $uri"
	exit 0
fi
trap 'python3 "$srcdir/tests/pgserver.py" stop "$pg" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
[ $rc -eq 0 ] && [ "${uri#postgresql://}" != "$uri" ]
ok $? "a private PostgreSQL server: $uri"

"$SEED" "$uri" "$DATA/seed.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed fills the PostgreSQL store through store_put" "$tmp/seed.out"
"$SEED" "$tmp/s.db" "$DATA/seed.txt" > /dev/null 2>&1
mkdir "$tmp/pgout" "$tmp/liteout"
report --store "$uri" --dry-run "$tmp/pgout" > "$tmp/pg.out" 2>&1
ok $? "PostgreSQL: --dry-run exits 0" "$tmp/pg.out"
report --store "$tmp/s.db" --dry-run "$tmp/liteout" > "$tmp/lite.out" 2>&1
diff "$tmp/lite.out" "$tmp/pg.out" > "$tmp/diff" 2>&1 && diff -r "$tmp/liteout" "$tmp/pgout" >> "$tmp/diff" 2>&1
ok $? "the same decisions and the same files, byte for byte, as from SQLite" "$tmp/diff"
gzip -dc "$tmp"/pgout/*'!example.com!'*.xml.gz | cmp -s - "$DATA/expected-example.com.xml"
ok $? "example.com from PostgreSQL: the expected report"
for f in "$tmp"/pgout/*.xml.gz; do
	valid "$f"
	ok $? "${f##*!}: valid" "$tmp/valid.log"
done

mkdir "$tmp/mails"
printf '#!/bin/sh\ncat > /dev/null\nexit $(cat %s/rc)\n' "$tmp" > "$tmp/sendmail"
chmod +x "$tmp/sendmail"
echo 0 > "$tmp/rc"
report --store "$uri" --domain example.com --sendmail "$tmp/sendmail" > "$tmp/s1.out" 2>&1 && \
	report --store "$uri" --domain example.com --sendmail "$tmp/sendmail" > "$tmp/s2.out" 2>&1
[ "$(grep -c ' sent: ' "$tmp/s1.out")" = 2 ] && [ "$(grep -c ' already-sent' "$tmp/s2.out")" = 2 ]
ok $? "PostgreSQL: sent once, not again (report_sent)" "$tmp/s2.out"
echo 75 > "$tmp/rc"
for k in 1 2; do
	report --store "$uri" --domain other.example --sendmail "$tmp/sendmail" --suppress-after 2 > "$tmp/f$k.out" 2>&1
done
report --store "$uri" --domain other.example --sendmail "$tmp/sendmail" --suppress-after 2 > "$tmp/f3.out" 2>&1
grep -q 'dmarc@other.example suppressed' "$tmp/f3.out"
ok $? "PostgreSQL: two failures suppress the destination (destination upsert)" "$tmp/f3.out"

echo "1..$n"
