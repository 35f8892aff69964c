#!/bin/bash
# External destinations (RFC 9990 §4) are judged by the Organizational
# Domain as the daemon finds it: with dmarc_mode = rfc9989 (the default)
# the DNS tree walk (RFC 9989 §4.10.2), so a subdomain that declares
# itself an Organizational Domain (psd=n) needs its parent's mailbox
# authorized, although the public suffix list puts both in one; with
# dmarc_mode = rfc7489 the public suffix list. A walk that meets a DNS
# error is a temperror (retried), never taken as "internal".
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tap.sh"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/report/reportlib.sh"
need_tools

sed "s|@ZONE@|$DATA/orgdomain.zone|" "$DATA/report.conf" > "$tmp/report.conf"
"$SEED" "$tmp/s.db" "$DATA/orgdomain.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed writes the fixture" "$tmp/seed.out"

mkdir "$tmp/out"
report --store "$tmp/s.db" --dry-run "$tmp/out" > "$tmp/run.out" 2> "$tmp/run.err"
st=$?
[ $st -eq 1 ]
ok $? "rfc9989: exit 1 (a destination met a DNS error: $st)" "$tmp/run.err"
sed -e 's/![0-9a-f]\{32\}\./!ID./' "$tmp/run.out" > "$tmp/run.got"
cat > "$tmp/run.exp" <<EOT
auth.example $DAY0 d@broken.example temperror: mailto:d@broken.example: DNS error finding the Organizational Domain of auth.example or broken.example
same.example $DAY0 d@mail.same.example dry-run: mx.test.example!same.example!$DAY0!$DAY1!ID.xml.gz
sub.walk.example $DAY0 d@walk.example unverified: mailto:d@walk.example: no v=DMARC1 record at sub.walk.example._report._dmarc.walk.example (external destination not authorized)
EOT
diff "$tmp/run.exp" "$tmp/run.got" > "$tmp/diff" 2>&1
ok $? "rfc9989: psd=n makes walk.example external (unauthorized), mail.same.example is within same.example, a DNS error is temperror" "$tmp/diff"

echo "dmarc_mode = rfc7489" >> "$tmp/report.conf"
rm -rf "$tmp/out" && mkdir "$tmp/out"
report --store "$tmp/s.db" --dry-run "$tmp/out" > "$tmp/run.out" 2> "$tmp/run.err"
ok $? "rfc7489: exit 0" "$tmp/run.err"
sed -e 's/![0-9a-f]\{32\}\./!ID./' "$tmp/run.out" > "$tmp/run.got"
cat > "$tmp/run.exp" <<EOT
auth.example $DAY0 d@broken.example unverified: mailto:d@broken.example: no v=DMARC1 record at auth.example._report._dmarc.broken.example (external destination not authorized)
same.example $DAY0 d@mail.same.example dry-run: mx.test.example!same.example!$DAY0!$DAY1!ID.xml.gz
sub.walk.example $DAY0 d@walk.example dry-run: mx.test.example!sub.walk.example!$DAY0!$DAY1!ID.xml.gz
EOT
diff "$tmp/run.exp" "$tmp/run.got" > "$tmp/diff" 2>&1
ok $? "rfc7489: the public suffix list puts sub.walk.example and walk.example in one" "$tmp/diff"

echo "1..$n"
