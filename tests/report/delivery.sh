#!/bin/bash
# compauthd-report's delivery and its bookkeeping in the store, with a
# stand-in sendmail (a script that keeps each mail and exits as told):
# sent once per period and destination (again only with --force, with the
# same file name), the !size limit (RFC 7489 §6.2), suppression of a
# destination after N failures in a row and its end, --bounce, a DNS
# temporary failure of the external check (retried next run).
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tap.sh"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/report/reportlib.sh"
need_tools

mkdir "$tmp/mails"
cat > "$tmp/sendmail" <<EOT
#!/bin/sh
# stand-in for sendmail -t: keeps the mail, logs its arguments, exits \$(cat rc)
i=\$(ls "$tmp/mails" | wc -l)
cat > "$tmp/mails/mail.\$i"
echo "\$*" >> "$tmp/sendmail.args"
exit \$(cat "$tmp/rc")
EOT
chmod +x "$tmp/sendmail"
echo 0 > "$tmp/rc"
SM="$tmp/sendmail -t -oi -f %f"
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("\n".join("|".join(str(v) for v in r) for r in c.execute(sys.argv[2])))' "$tmp/s.db" "$1"; }
nmails() { ls "$tmp/mails" | wc -l; }

# A store: example.com (two destinations), big.example (many sources,
# one destination with a 1k limit, one without), fail.example (its
# mails fail), slow.example (external check times out).
"$SEED" "$tmp/s.db" "$DATA/seed.txt" > /dev/null 2>&1
{
	echo "base $DAY0"
	for i in $(seq 1 250); do
		printf 'received T+%d\nsource_ip 10.%d.%d.%d\nheader_from big.example\npolicy_domain big.example\npolicy_p none\nrua mailto:small@big.example!1k,mailto:tiny@big.example!100,mailto:large@big.example\ndmarc_result fail\nspf_domain s%d.big.example\nspf_scope mfrom\nspf_result fail\n\n' \
			$i $((i % 7)) $((i % 13)) $i $i
	done
	printf 'received T+50\nsource_ip 192.0.2.50\nheader_from fail.example\npolicy_domain fail.example\npolicy_p none\nrua mailto:dmarc@fail.example\n\n'
	printf 'received T+60\nsource_ip 192.0.2.60\nheader_from slow.example\npolicy_domain slow.example\npolicy_p none\nrua mailto:agg@reports.example.net\n\n'
} > "$tmp/more.txt"
"$SEED" "$tmp/s.db" "$tmp/more.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed adds big.example, fail.example, slow.example" "$tmp/seed.out"

report --store "$tmp/s.db" --domain example.com --sendmail "$SM" > "$tmp/r1.out" 2>&1
ok $? "example.com: sent, exit 0" "$tmp/r1.out"
[ "$(nmails)" = 2 ] && [ "$(grep -c ' sent: ' "$tmp/r1.out")" = 2 ]
ok $? "two mails handed to sendmail, one per destination" "$tmp/r1.out"
grep -q -- '-t -oi -f reports@mx.test.example' "$tmp/sendmail.args"
ok $? "sendmail gets -t -oi -f report_from" "$tmp/sendmail.args"
[ "$(sql "SELECT destination, status FROM report_sent WHERE policy_domain = 'example.com' ORDER BY destination")" = \
  "$(printf 'mailto:agg@reports.example.net|sent\nmailto:dmarc@example.com|sent')" ]
ok $? "report_sent records both destinations as sent"
python3 "$srcdir/tests/report/checkmail.py" "$tmp/mails/mail.0" "$tmp/m0" > "$tmp/m0.out" 2>&1
xmllint --noout --schema "$XSD" "$tmp/m0.xml" > "$tmp/valid.log" 2>&1 && cmp -s "$tmp/m0.xml" "$DATA/expected-example.com.xml"
ok $? "the mail sent holds the expected report, valid" "$tmp/valid.log"

report --store "$tmp/s.db" --domain example.com --sendmail "$SM" > "$tmp/r2.out" 2>&1
[ $? -eq 0 ] && [ "$(nmails)" = 2 ] && [ "$(grep -c ' already-sent' "$tmp/r2.out")" = 2 ]
ok $? "idempotent: the period is not sent again" "$tmp/r2.out"
report --store "$tmp/s.db" --domain example.com --sendmail "$SM" --force > "$tmp/r3.out" 2>&1
[ "$(nmails)" = 4 ]
ok $? "--force sends it again" "$tmp/r3.out"
python3 "$srcdir/tests/report/checkmail.py" "$tmp/mails/mail.2" "$tmp/m2" > "$tmp/m2.out" 2>&1
[ "$(grep '^filename' "$tmp/m0.out")" = "$(grep '^filename' "$tmp/m2.out")" ] && cmp -s "$tmp/m0.gz" "$tmp/m2.gz"
ok $? "a report sent again has the same file name and bytes (RFC 9990 §2.5)" "$tmp/m2.out"

# !size: small@ (1k) gets the report in parts that fit; nothing fits tiny@ (100 bytes).
n0=$(nmails)
report --store "$tmp/s.db" --domain big.example --sendmail "$SM" > "$tmp/b.out" 2>&1
grep -q '^big.example '$DAY0' tiny@big.example too-large' "$tmp/b.out" && grep -q '^big.example '$DAY0' large@big.example sent' "$tmp/b.out"
ok $? "!100: too large for tiny@ even in 64 parts; sent whole to large@ (no limit)" "$tmp/b.out"
nsmall=$(grep -c '^big.example '$DAY0' small@big.example sent: ' "$tmp/b.out")
[ "$nsmall" -ge 2 ] && [ "$nsmall" -le 64 ] && [ $(( nsmall & (nsmall - 1) )) = 0 ]
ok $? "!1k: small@ gets the report in $nsmall parts (a power of two)" "$tmp/b.out"
: > "$tmp/parts"
total=0
bad=0
for f in $(ls "$tmp/mails" | sort -t. -k2 -n | tail -n +$((n0 + 1))); do
	python3 "$srcdir/tests/report/checkmail.py" "$tmp/mails/$f" "$tmp/mp" > "$tmp/mp.out" 2>&1
	grep -q '^to: small@big.example' "$tmp/mp.out" || continue
	size=$(stat -c %s "$tmp/mp.gz")
	xmllint --noout --schema "$XSD" "$tmp/mp.xml" > "$tmp/valid.log" 2>&1 || bad=1
	[ "$size" -le 1024 ] || bad=1
	c=$(python3 -c 'import sys,xml.etree.ElementTree as E; t=E.parse(sys.argv[1]); ns={"d":"urn:ietf:params:xml:ns:dmarc-2.0"}; print(sum(int(x.text) for x in t.findall(".//d:count", ns)), t.find(".//d:report_id", ns).text, t.find(".//d:begin", ns).text, t.find(".//d:end", ns).text)' "$tmp/mp.xml")
	echo "$c" >> "$tmp/parts"
	total=$((total + ${c%% *}))
done
[ $bad = 0 ] && [ $total = 250 ] && [ "$(wc -l < "$tmp/parts")" = "$nsmall" ] && \
	[ "$(cut -d' ' -f2 "$tmp/parts" | sort -u | wc -l)" = "$nsmall" ] && \
	[ "$(cut -d' ' -f3,4 "$tmp/parts" | sort -u)" = "$DAY0 $DAY1" ]
ok $? "each part within 1024 bytes gzipped, schema-valid, its own report_id, the same period; 250 messages in all" "$tmp/parts"
last=$(ls "$tmp/mails" | sort -t. -k2 -n | tail -1)
python3 "$srcdir/tests/report/checkmail.py" "$tmp/mails/$last" "$tmp/mb" > "$tmp/mb.out" 2>&1
grep -q '^to: large@big.example' "$tmp/mb.out" && grep -q 'not sent to mailto:tiny@big.example (limit 100 bytes)' "$tmp/mb.xml" && \
	! grep -q 'small@big.example' "$tmp/mb.xml" && \
	xmllint --noout --schema "$XSD" "$tmp/mb.xml" > "$tmp/valid.log" 2>&1
ok $? "the whole report says in <error> that tiny@ got none (not small@, which got parts), and is valid" "$tmp/mb.out"
[ "$(sql "SELECT destination, status FROM report_sent WHERE policy_domain = 'big.example' ORDER BY destination")" = \
  "$(printf 'mailto:large@big.example|sent\nmailto:small@big.example|sent\nmailto:tiny@big.example|too_large')" ]
ok $? "report_sent: small@ sent (in parts), tiny@ too_large, neither tried again"
before=$(nmails)
report --store "$tmp/s.db" --domain big.example --sendmail "$SM" > "$tmp/b2.out" 2>&1
[ "$(nmails)" = "$before" ]
ok $? "big.example: nothing sent on the next run" "$tmp/b2.out"

# Suppression: 2 failures in a row suppress fail.example's mailbox.
echo 75 > "$tmp/rc"
report --store "$tmp/s.db" --domain fail.example --sendmail "$SM" --suppress-after 2 > "$tmp/f1.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -q 'dmarc@fail.example failed: .*exited with status 75' "$tmp/f1.out"
ok $? "a sendmail failure: status failed, exit 1" "$tmp/f1.out"
[ "$(sql "SELECT failures, suppressed_until FROM destination WHERE uri = 'mailto:dmarc@fail.example'")" = "1|0" ]
ok $? "destination: one failure counted, not suppressed yet"
report --store "$tmp/s.db" --domain fail.example --sendmail "$SM" --suppress-after 2 > "$tmp/f2.out" 2>&1
[ "$(sql "SELECT failures, suppressed_until FROM destination WHERE uri = 'mailto:dmarc@fail.example'")" = "2|$((NOW + 7 * 86400))" ]
ok $? "the second failure in a row suppresses it for 7 days" "$tmp/f2.out"
echo 0 > "$tmp/rc"
before=$(nmails)
report --store "$tmp/s.db" --domain fail.example --sendmail "$SM" --suppress-after 2 > "$tmp/f3.out" 2>&1
[ "$(nmails)" = "$before" ] && grep -q 'dmarc@fail.example suppressed' "$tmp/f3.out"
ok $? "while suppressed nothing is handed to sendmail" "$tmp/f3.out"
"$REPORT" -c "$tmp/report.conf" --now $((NOW + 8 * 86400)) --report-id-seed test --from reports@mx.test.example \
	--store "$tmp/s.db" --begin 2026-11-24 --end 2026-11-25 --domain fail.example --sendmail "$SM" > "$tmp/f4.out" 2>&1
[ "$(nmails)" = $((before + 1)) ] && [ "$(sql "SELECT failures, suppressed_until FROM destination WHERE uri = 'mailto:dmarc@fail.example'")" = "0|0" ]
ok $? "after the suppression ends it is tried again; a success clears the count" "$tmp/f4.out"
"$REPORT" -c "$tmp/report.conf" --now "$NOW" --store "$tmp/s.db" --bounce DMARC@Fail.Example > "$tmp/bo.out" 2>&1 && \
	[ "$(sql "SELECT failures FROM destination WHERE uri = 'mailto:DMARC@fail.example'")" = 1 ]
ok $? "--bounce ADDR counts a bounce as a failure of mailto:ADDR (domain lower-cased)" "$tmp/bo.out"

# A bounce as Postfix sends it (RFC 3464), piped to --bounce-dsn.
dsn() {
	printf 'From: MAILER-DAEMON@mx.test.example (Mail Delivery System)\nTo: reports@mx.test.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n--B\nContent-Type: text/plain\n\nI am sorry.\nAction: failed\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test.example\n\nFinal-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; %s\nAction: delivered\nStatus: 2.0.0\n\n--B--\n' "$1" "$1" "$2"
}
f0=$(sql "SELECT COALESCE(MAX(failures), 0) FROM destination WHERE uri = 'mailto:dmarc@example.com'")
dsn dmarc@example.com agg@reports.example.net | "$REPORT" -c "$tmp/report.conf" --now "$NOW" --store "$tmp/s.db" --bounce-dsn > "$tmp/dsn.out" 2>&1
[ $? -eq 0 ] && [ "$(cat "$tmp/dsn.out")" = "mailto:dmarc@example.com failure recorded" ] && \
	[ "$(sql "SELECT failures FROM destination WHERE uri = 'mailto:dmarc@example.com'")" = $((f0 + 1)) ] && \
	[ -z "$(sql "SELECT failures FROM destination WHERE uri = 'mailto:agg@reports.example.net' AND failures > 0")" ]
ok $? "--bounce-dsn: the failed recipient counts, the delivered one does not" "$tmp/dsn.out"
dsn victim@elsewhere.example x@y.example | "$REPORT" -c "$tmp/report.conf" --now "$NOW" --store "$tmp/s.db" --bounce-dsn > "$tmp/dsn2.out" 2>&1
grep -q '^mailto:victim@elsewhere.example ignored' "$tmp/dsn2.out" && \
	[ -z "$(sql "SELECT uri FROM destination WHERE uri = 'mailto:victim@elsewhere.example'")" ]
ok $? "--bounce-dsn: an address no report went to is ignored (no forged suppression)" "$tmp/dsn2.out"

# External check that times out: temperror, nothing recorded, exit 1.
before=$(nmails)
report --store "$tmp/s.db" --domain slow.example --sendmail "$SM" > "$tmp/s.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -q '^slow.example '$DAY0' agg@reports.example.net temperror' "$tmp/s.out" && [ "$(nmails)" = "$before" ] && \
	[ "$(sql "SELECT COUNT(*) FROM report_sent WHERE policy_domain = 'slow.example'")" = 0 ]
ok $? "a DNS timeout of the external check: temperror, not sent, not recorded, exit 1" "$tmp/s.out"

echo 0 > "$tmp/rc"
report --store "$tmp/s.db" --domain example.com --sendmail "/nonexistent/sendmail -t" --force > "$tmp/n.out" 2>&1
[ $? -eq 1 ] && grep -q 'exited with status 127' "$tmp/n.out"
ok $? "a sendmail command that cannot run is a failure" "$tmp/n.out"

echo "1..$n"
