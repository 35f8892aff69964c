#!/bin/bash
# compauthd-report --failure: RFC 9991 failure reports from the failure
# samples the daemon stores (seeded here through store_put()): the report
# mail checked with Python's email module (multipart/report;
# report-type=feedback-report, text part, message/feedback-report with
# Feedback-Type: auth-failure and Auth-Failure: dmarc, text/rfc822-headers
# holding the redacted header section), --dry-run (files, nothing
# recorded), the hourly rate limit per destination (N sent, the rest
# dropped and counted, never queued), idempotence, delivery through a
# stand-in sendmail, !size, external destination verification, and never
# a report about a report or for psd=y.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tap.sh"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/report/reportlib.sh"
need_tools

mkdir "$tmp/mails" "$tmp/dry"
cat > "$tmp/sendmail" <<EOT
#!/bin/sh
i=\$(ls "$tmp/mails" | wc -l)
cat > "$tmp/mails/mail.\$i"
echo "\$*" >> "$tmp/sendmail.args"
exit 0
EOT
chmod +x "$tmp/sendmail"
SM="$tmp/sendmail -t -oi -f %f"
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("\n".join("|".join(str(v) for v in r) for r in c.execute(sys.argv[2])))' "$tmp/s.db" "$1"; }
nmails() { ls "$tmp/mails" | wc -l; }
fr() { report --store "$tmp/s.db" --failure "$@"; }

HDRS='From: redacted@example.com\nTo: redacted@example.net\nSubject: invoice\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <m1@example.com>\nDKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1;\n\ti=redacted@example.com; h=from:to; bh=x; b=y\n'
sample() {     # sample QID RUF [extra lines...]
	printf 'received T+%d\nqid %s\nsource_ip 198.51.100.7\nheader_from example.com\nenvelope_from other.example\npolicy_domain example.com\npolicy_p reject\npolicy_fo 1\nruf %s\ndmarc_result fail\ndisposition reject\nspf_domain other.example\nspf_scope mfrom\nspf_result none\nfailure_headers %s\nfailure_mail_from redacted@other.example\nfailure_auth_results mx.test.example;\\n\\tdmarc=fail action=reject header.from=example.com\n' \
		"$((3600 + ${#1}))" "$1" "$2" "$HDRS"
	shift 2
	for l in "$@"; do echo "$l"; done
	echo
}
{
	echo "base $DAY0"
	for i in 1 2 3 4 5; do sample "A$i" "mailto:ruf@example.com"; done
	sample R1 "mailto:ruf@example.com" "is_report 1"
	sample P1 "mailto:ruf@example.com" "policy_psd y"
	sample S1 "mailto:small@example.com!200"
	sample X1 "mailto:x@thirdparty.example,mailto:ext@reports.example.net"
	# a message without a sample: never reported
	printf 'received T+10\nqid N1\nheader_from example.com\npolicy_domain example.com\npolicy_p reject\nruf mailto:ruf@example.com\ndmarc_result fail\n\n'
} > "$tmp/fail.txt"
"$SEED" "$tmp/s.db" "$tmp/fail.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed: 10 messages, 9 failure samples" "$tmp/seed.out"
[ "$(sql "SELECT COUNT(*) FROM failure_sample")" = 9 ]
ok $? "9 failure samples stored"

# --dry-run: files, nothing recorded; the rate limit (3) applies within the run.
fr --dry-run "$tmp/dry" --failure-rate 3 > "$tmp/d.out" 2>&1
ok $? "--failure --dry-run: exit 0" "$tmp/d.out"
[ "$(grep -c ' ruf@example.com dry-run: ' "$tmp/d.out")" = 3 ] && \
	[ "$(grep -c ' ruf@example.com rate-limited' "$tmp/d.out")" = 2 ]
ok $? "dry-run: 3 reports to ruf@example.com, 2 over the limit dropped" "$tmp/d.out"
grep -q "^failure [0-9]* - skipped: a report$" "$tmp/d.out" && grep -q "^failure [0-9]* - skipped: psd=y$" "$tmp/d.out"
ok $? "never about a report, never for psd=y" "$tmp/d.out"
grep -q ' small@example.com too-large$' "$tmp/d.out"
ok $? "!200: too large for small@example.com" "$tmp/d.out"
grep -q ' x@thirdparty.example unverified: ' "$tmp/d.out" && grep -q ' ext@reports.example.net dry-run: ' "$tmp/d.out"
ok $? "external destinations: unauthorized refused, authorized sent" "$tmp/d.out"
[ "$(tail -1 "$tmp/d.out")" = "failure reports: 4 sent, 2 dropped over the rate limit (3 per destination and hour), 2 not sent" ]
ok $? "the run's counts" "$tmp/d.out"
[ "$(ls "$tmp/dry" | wc -l)" = 4 ] && [ "$(sql "SELECT COUNT(*) FROM failure_sent")" = 0 ] && \
	[ "$(sql "SELECT COUNT(*) FROM failure_sample WHERE done = 1")" = 0 ]
ok $? "dry-run: 4 files, nothing recorded in the store" "$tmp/d.out"

first=$(ls "$tmp/dry" | sort | head -1)
cat > "$tmp/check.py" <<'EOT'
import email, email.policy, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.compat32)
def want(c, what):
    if not c:
        print('FAIL', what); sys.exit(1)
want(b'\r' not in raw and b'\n\n' in raw, 'LF mail with a header section')
want(m.get_content_type() == 'multipart/report', 'multipart/report')
want(m.get_param('report-type') == 'feedback-report', 'report-type=feedback-report')
want(m['From'] == 'reports@mx.test.example', 'From')
want(m['To'] == sys.argv[2], 'To')
want(m['Subject'] == 'DMARC Failure Report for example.com from 198.51.100.7', 'Subject')
want(m['Auto-Submitted'] == 'auto-generated', 'Auto-Submitted')
parts = m.get_payload()
want([p.get_content_type() for p in parts] == ['text/plain', 'message/feedback-report',
     'text/rfc822-headers'], 'three parts in order')
fb = parts[1].get_payload()
fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb)
fields = dict((k, v) for k, v in fb.items())
want(fields.get('Feedback-Type') == 'auth-failure', 'Feedback-Type: auth-failure')
want(fields.get('Auth-Failure') == 'dmarc', 'Auth-Failure: dmarc')
want(fields.get('Version') == '1', 'Version: 1')
want(fields.get('User-Agent', '').startswith('compauthd/'), 'User-Agent')
want(fields.get('Reported-Domain') == 'example.com', 'Reported-Domain')
want(fields.get('Source-IP') == '198.51.100.7', 'Source-IP')
want(fields.get('Original-Mail-From') == 'redacted@other.example', 'Original-Mail-From redacted')
want(fields.get('Identity-Alignment') == 'none', 'Identity-Alignment: none')
want(fields.get('Delivery-Result') == 'reject', 'Delivery-Result: reject')
want(fields.get('Arrival-Date', '').endswith('+0000') and '2026' in fields['Arrival-Date'], 'Arrival-Date')
want(' '.join(fields.get('Authentication-Results', '').split()) ==
     'mx.test.example; dmarc=fail action=reject header.from=example.com', 'Authentication-Results')
h = parts[2].get_payload()
want(h.rstrip('\n') == sys.argv[3].rstrip('\n'), 'the redacted header section exact')
want('@' not in h.replace('redacted@', '').replace('<m1@example.com>', ''), 'no local part left')
want(len(raw) < 8000, 'small: no body')
print('ok')
EOT
printf -v hdrs "$HDRS"
python3 "$tmp/check.py" "$tmp/dry/$first" ruf@example.com "$hdrs" > "$tmp/c.out" 2>&1
ok $? "the report mail parses: structure, feedback fields, redacted headers exact" "$tmp/c.out"

# Delivery through the stand-in sendmail, rate 3 per destination and hour.
fr --sendmail "$SM" --failure-rate 3 > "$tmp/r1.out" 2>&1
ok $? "--failure: exit 0" "$tmp/r1.out"
[ "$(nmails)" = 4 ] && [ "$(grep -c '^failure [0-9]* [^ ]* sent$' "$tmp/r1.out")" = 4 ]
ok $? "4 reports handed to sendmail" "$tmp/r1.out"
grep -q -- '-t -oi -f reports@mx.test.example' "$tmp/sendmail.args"
ok $? "sendmail gets -t -oi -f the report address" "$tmp/sendmail.args"
[ "$(sql "SELECT destination, status, COUNT(*) FROM failure_sent GROUP BY destination, status ORDER BY destination, status")" = \
  "$(printf 'mailto:ext@reports.example.net|sent|1\nmailto:ruf@example.com|rate_limited|2\nmailto:ruf@example.com|sent|3\nmailto:small@example.com|too_large|1\nmailto:x@thirdparty.example|refused|1')" ]
ok $? "failure_sent: 3 sent and 2 rate_limited to ruf@, the others exact"
[ "$(sql "SELECT COUNT(*) FROM failure_sample WHERE done = 0")" = 0 ]
ok $? "every sample dealt with (done), the dropped ones too: nothing queued"
python3 "$tmp/check.py" "$tmp/mails/mail.0" ruf@example.com "$hdrs" > "$tmp/c2.out" 2>&1
ok $? "the mail sendmail got parses the same" "$tmp/c2.out"

fr --sendmail "$SM" --failure-rate 3 > "$tmp/r2.out" 2>&1
[ $? -eq 0 ] && [ "$(nmails)" = 4 ] && \
	[ "$(tail -1 "$tmp/r2.out")" = "failure reports: 0 sent, 0 dropped over the rate limit (3 per destination and hour), 0 not sent" ]
ok $? "idempotent: nothing is sent twice" "$tmp/r2.out"

# New samples within the hour: over the limit; an hour later: sent.
{ echo "base $DAY0"; sample B1 "mailto:ruf@example.com"; sample B2 "mailto:ruf@example.com"; } > "$tmp/more.txt"
"$SEED" "$tmp/s.db" "$tmp/more.txt" > /dev/null 2>&1
"$REPORT" -c "$tmp/report.conf" --now $((NOW + 1800)) --from reports@mx.test.example --store "$tmp/s.db" \
	--failure --sendmail "$SM" --failure-rate 3 > "$tmp/r3.out" 2>&1
[ "$(nmails)" = 4 ] && [ "$(grep -c ' rate-limited$' "$tmp/r3.out")" = 2 ]
ok $? "within the hour: 2 new samples dropped (3 already sent)" "$tmp/r3.out"
{ echo "base $DAY0"; sample C1 "mailto:ruf@example.com"; } > "$tmp/more2.txt"
"$SEED" "$tmp/s.db" "$tmp/more2.txt" > /dev/null 2>&1
"$REPORT" -c "$tmp/report.conf" --now $((NOW + 3601)) --from reports@mx.test.example --store "$tmp/s.db" \
	--failure --sendmail "$SM" --failure-rate 3 > "$tmp/r4.out" 2>&1
[ "$(nmails)" = 5 ] && [ "$(grep -c '^failure [0-9]* [^ ]* sent$' "$tmp/r4.out")" = 1 ]
ok $? "an hour later the next sample is sent" "$tmp/r4.out"
[ "$(sql "SELECT COUNT(*) FROM failure_sent WHERE status = 'rate_limited'")" = 4 ]
ok $? "the drops are counted in the store (4 rate_limited)"

# A bounce of a failure report counts against its mailbox (--bounce-dsn).
printf 'From: MAILER-DAEMON@mx.test.example\nTo: reports@mx.test.example\nSubject: Undelivered\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n--B\nContent-Type: text/plain\n\nSorry.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test.example\n\nFinal-Recipient: rfc822; ruf@example.com\nAction: failed\nStatus: 5.1.1\n\n--B--\n' | \
	"$REPORT" -c "$tmp/report.conf" --now "$NOW" --store "$tmp/s.db" --bounce-dsn > "$tmp/dsn.out" 2>&1
[ "$(cat "$tmp/dsn.out")" = "mailto:ruf@example.com failure recorded" ] && \
	[ "$(sql "SELECT failures FROM destination WHERE uri = 'mailto:ruf@example.com'")" = 1 ]
ok $? "--bounce-dsn: a bounced failure report counts as a failure of its mailbox" "$tmp/dsn.out"

# The default run (aggregate reports) does not send failure reports.
before=$(nmails)
{ echo "base $DAY0"; sample D1 "mailto:ruf@example.com"; } > "$tmp/more3.txt"
"$SEED" "$tmp/s.db" "$tmp/more3.txt" > /dev/null 2>&1
report --store "$tmp/s.db" --no-verify --dry-run "$tmp/dry" > "$tmp/agg.out" 2>&1
[ "$(nmails)" = "$before" ] && ! grep -q '^failure' "$tmp/agg.out" && \
	[ "$(sql "SELECT done FROM failure_sample f JOIN message m ON m.id = f.message_id WHERE m.qid = 'D1'")" = 0 ]
ok $? "the aggregate run leaves failure samples alone" "$tmp/agg.out"

# The same from a PostgreSQL store (a private server, tests/pgserver.py).
pg=$tmp/pg
mkdir "$pg" "$tmp/pgdry" "$tmp/litedry"
chmod 711 "$tmp" "$pg"
uri=$(python3 "$srcdir/tests/pgserver.py" start "$pg")
if [ $? -ne 0 ] || [ "${uri#postgresql://}" = "$uri" ]; then
	n=$((n + 1))
	echo "ok $n # SKIP PostgreSQL scenarios: $uri"
else
	trap 'python3 "$srcdir/tests/pgserver.py" stop "$pg" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
	"$SEED" "$uri" "$tmp/fail.txt" > "$tmp/pgseed.out" 2>&1 && "$SEED" "$tmp/l.db" "$tmp/fail.txt" > /dev/null 2>&1
	ok $? "PostgreSQL: the failure samples seeded" "$tmp/pgseed.out"
	report --store "$uri" --failure --failure-rate 3 --dry-run "$tmp/pgdry" > "$tmp/pgd.out" 2>&1 && \
		report --store "$tmp/l.db" --failure --failure-rate 3 --dry-run "$tmp/litedry" > "$tmp/ld.out" 2>&1 && \
		diff "$tmp/ld.out" "$tmp/pgd.out" > "$tmp/pgdiff" 2>&1 && diff -r "$tmp/litedry" "$tmp/pgdry" >> "$tmp/pgdiff" 2>&1
	ok $? "PostgreSQL: the same decisions and report mails, byte for byte, as from SQLite" "$tmp/pgdiff"
	rm -rf "$tmp/mails"; mkdir "$tmp/mails"
	report --store "$uri" --failure --failure-rate 3 --sendmail "$SM" > "$tmp/pg1.out" 2>&1 && \
		report --store "$uri" --failure --failure-rate 3 --sendmail "$SM" > "$tmp/pg2.out" 2>&1
	[ "$(nmails)" = 4 ] && [ "$(tail -1 "$tmp/pg1.out")" = "failure reports: 4 sent, 2 dropped over the rate limit (3 per destination and hour), 2 not sent" ] && \
		[ "$(tail -1 "$tmp/pg2.out")" = "failure reports: 0 sent, 0 dropped over the rate limit (3 per destination and hour), 0 not sent" ]
	ok $? "PostgreSQL: 4 sent, 2 dropped, then nothing twice (failure_sent, done)" "$tmp/pg1.out"
fi

echo "1..$n"
