#!/bin/bash
# compauthd-report's aggregate reports (RFC 9990) from a store seeded
# through store_put (tests/tools/storeseed): byte-exact XML, the schema,
# grouping and counts, what is never reported (reports, other days, no
# rua=), file names, the mail's parts, external destinations verified
# through a zone file (RFC 9990 §4), hostile values escaped.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tap.sh"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/report/reportlib.sh"
need_tools

"$SEED" "$tmp/s.db" "$DATA/seed.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed writes the fixture through store_put" "$tmp/seed.out"

mkdir "$tmp/out" "$tmp/out2"
report --store "$tmp/s.db" --dry-run "$tmp/out" > "$tmp/run.out" 2> "$tmp/run.err"
ok $? "--dry-run exits 0" "$tmp/run.err"
ID=5a976d058a0b5749e24d9f7711697307
F="mx.test.example!example.com!$DAY0!$DAY1!$ID"
cat > "$tmp/run.exp" <<EOT
conflict.example $DAY0 r@over.example.net conflict: mailto:r@over.example.net: conflict.example._report._dmarc.over.example.net names another host (elsewhere.example)
conflict.example $DAY0 dmarc@conflict.example dry-run: mx.test.example!conflict.example!$DAY0!$DAY1!d77907a75ebadbb00438e2f1e6acbd6d.xml.gz
example.com $DAY0 - invalid: not a mailto: URI
example.com $DAY0 dmarc@example.com dry-run: $F.xml.gz
example.com $DAY0 agg@reports.example.net dry-run: $F.xml.gz
other.example $DAY0 agg@thirdparty.example unverified: mailto:agg@thirdparty.example: no v=DMARC1 record at other.example._report._dmarc.thirdparty.example (external destination not authorized)
other.example $DAY0 dmarc@other.example dry-run: mx.test.example!other.example!$DAY0!$DAY1!cdbc0f1c667c01bf5201d937a60d7029.xml.gz
replaced.example $DAY0 b@rep.example.org dry-run: mx.test.example!replaced.example!$DAY0!$DAY1!685defaa565be4fd0a11b3172854ff78.xml.gz
EOT
diff "$tmp/run.exp" "$tmp/run.out" > "$tmp/diff" 2>&1
ok $? "one line per destination: internal sent, external authorized (RFC 9990 §4), unauthorized and conflicting ignored, override replaces the mailbox, https: URI ignored" "$tmp/diff"

(cd "$tmp/out" && ls) > "$tmp/files"
cat > "$tmp/files.exp" <<EOT
mx.test.example!conflict.example!$DAY0!$DAY1!d77907a75ebadbb00438e2f1e6acbd6d.1.eml
mx.test.example!conflict.example!$DAY0!$DAY1!d77907a75ebadbb00438e2f1e6acbd6d.xml.gz
$F.1.eml
$F.2.eml
$F.xml.gz
mx.test.example!other.example!$DAY0!$DAY1!cdbc0f1c667c01bf5201d937a60d7029.1.eml
mx.test.example!other.example!$DAY0!$DAY1!cdbc0f1c667c01bf5201d937a60d7029.xml.gz
mx.test.example!replaced.example!$DAY0!$DAY1!685defaa565be4fd0a11b3172854ff78.1.eml
mx.test.example!replaced.example!$DAY0!$DAY1!685defaa565be4fd0a11b3172854ff78.xml.gz
EOT
diff "$tmp/files.exp" "$tmp/files" > "$tmp/diff" 2>&1
ok $? "dry-run files named receiver!policy-domain!begin!end!unique-id.xml.gz (RFC 9990 §2.5), no file for norua.example" "$tmp/diff"

for f in "$tmp"/out/*.xml.gz; do
	valid "$f"
	ok $? "${f##*!}: valid against the RFC 9990 schema (xmllint --schema)" "$tmp/valid.log"
done

gzip -dc "$tmp/out/$F.xml.gz" > "$tmp/example.xml"
cmp "$DATA/expected-example.com.xml" "$tmp/example.xml" > /dev/null
ok $? "example.com: byte-exact against tests/data/report/expected-example.com.xml"
[ "$(gzip -l "$tmp/out/$F.xml.gz" | awk 'NR==2 {print $2}')" = "$(wc -c < "$tmp/example.xml")" ]
ok $? "the attachment is gzip (RFC 1952)"

counts=$(sed -n 's:.*<count>\([0-9]*\)</count>:\1:p' "$tmp/example.xml" | tr '\n' ' ')
[ "$counts" = "3 2 1 1 1 1 " ]
ok $? "grouped rows: identical messages share a record (counts 3 2 1 1 1 1, got $counts)"
! grep -q '192.0.2.9[789]' "$tmp/example.xml"
ok $? "not reported: a report (is_report) that passed DMARC, messages before and after the day"
grep -q '<source_ip>192.0.2.96</source_ip>' "$tmp/example.xml"
ok $? "reported: a message marked as a report that failed DMARC (a sender cannot hide by its Subject)"
grep -q '<begin>'$DAY0'</begin>' "$tmp/example.xml" && grep -q '<end>'$DAY1'</end>' "$tmp/example.xml"
ok $? "date_range on UTC day boundaries"
python3 - "$tmp/example.xml" > "$tmp/py.out" 2>&1 <<'EOT'
import sys, xml.etree.ElementTree as ET
ns = {'d': 'urn:ietf:params:xml:ns:dmarc-2.0'}
r = ET.parse(sys.argv[1]).getroot()
assert r.tag == '{urn:ietf:params:xml:ns:dmarc-2.0}feedback', r.tag
assert r.find('d:version', ns).text == '1.0'
m = r.find('d:report_metadata', ns)
assert m.find('d:generator', ns).text.startswith('compauthd ')
assert m.find('d:error', ns).text == 'rua URI 3 ignored: not a mailto: URI'
p = r.find('d:policy_published', ns)
got = [(e.tag.split('}')[1], e.text) for e in p]
assert got == [('domain', 'example.com'), ('discovery_method', 'treewalk'), ('p', 'reject'),
    ('sp', 'quarantine'), ('np', 'quarantine'), ('fo', '1'), ('adkim', 's'), ('aspf', 'r'),
    ('testing', 'n')], got
recs = r.findall('d:record', ns)
assert [x.find('d:row/d:policy_evaluated/d:disposition', ns).text for x in recs] == \
    ['pass', 'pass', 'reject', 'none', 'quarantine', 'reject']
why = recs[3].find('d:row/d:policy_evaluated/d:reason', ns)
assert why.find('d:type', ns).text == 'trusted_forwarder'
# RFC 9990 §2.1.6: the passing signature first, though stored second.
assert [d.find('d:domain', ns).text for d in recs[2].findall('d:auth_results/d:dkim', ns)] == \
    ['bad.example', 'example.com']
assert recs[2].find('d:auth_results/d:dkim[2]/d:human_result', ns).text == 'body hash did not verify'
# The null sender: envelope_from present and empty; SPF on HELO has no scope.
assert recs[4].find('d:identifiers/d:envelope_from', ns).text is None
assert recs[4].find('d:auth_results/d:spf/d:scope', ns) is None
print('ok')
EOT
ok $? "policy_published with defaults (np from sp, aspf r), dispositions incl. pass, trusted_forwarder, DKIM order, human_result, null sender, SPF scope" "$tmp/py.out"

for k in 1 2; do
	python3 "$srcdir/tests/report/checkmail.py" "$tmp/out/$F.$k.eml" "$tmp/mail$k" > "$tmp/mail$k.out" 2>&1
done
cat > "$tmp/mail.exp" <<EOT
subject: Report Domain: example.com Submitter: mx.test.example Report-ID: <$ID>
from: reports@mx.test.example
to: dmarc@example.com
message-id: <$ID.1@mx.test.example>
date-ok: True
multipart: True
parts: text/plain application/gzip
filename: $F.xml.gz
text-has-id: True
EOT
diff "$tmp/mail.exp" "$tmp/mail1.out" > "$tmp/diff" 2>&1
ok $? "the .eml parsed by python's email: Subject per RFC 9990 §2.5, From, Message-ID, text part and application/gzip attachment" "$tmp/diff"
cmp "$tmp/mail1.gz" "$tmp/out/$F.xml.gz" > /dev/null && cmp "$tmp/mail2.gz" "$tmp/out/$F.xml.gz" > /dev/null
ok $? "both mails carry the .xml.gz of the dry run, byte for byte"
grep -q '^to: agg@reports.example.net$' "$tmp/mail2.out"
ok $? "the second mail goes to the authorized external mailbox" "$tmp/mail2.out"

report --store "$tmp/s.db" --dry-run "$tmp/out2" > /dev/null 2>&1
diff -r "$tmp/out" "$tmp/out2" > "$tmp/diff" 2>&1
ok $? "a second run writes the same bytes (report_id from the seed, gzip without time)" "$tmp/diff"
mkdir "$tmp/out3"
"$REPORT" -c "$tmp/report.conf" --now "$NOW" --store "$tmp/s.db" --dry-run "$tmp/out3" \
	--domain example.com --from reports@mx.test.example > "$tmp/run3.out" 2>&1
[ "$(ls "$tmp/out3" | grep -c 'xml.gz$')" = 1 ] && ! ls "$tmp/out3" | grep -q "$ID"
ok $? "--domain reports one domain; another seed gives another Report-ID" "$tmp/run3.out"

gzip -dc "$tmp/out/mx.test.example!replaced.example!"*.xml.gz > "$tmp/rep.xml"
grep -q '<type>policy_test_mode</type>' "$tmp/rep.xml" && grep -q '<testing>y</testing>' "$tmp/rep.xml"
ok $? "replaced.example: policy_test_mode reason, testing y" "$tmp/rep.xml"
gzip -dc "$tmp/out/mx.test.example!conflict.example!"*.xml.gz > "$tmp/con.xml"
grep -q '<discovery_method>psl</discovery_method>' "$tmp/con.xml" && grep -q 'names another host' "$tmp/con.xml"
ok $? "conflict.example: discovery_method psl, the refused destination noted in <error>" "$tmp/con.xml"

# Hostile values.
"$SEED" "$tmp/h.db" "$DATA/hostile.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed writes the hostile fixture" "$tmp/seed.out"
mkdir "$tmp/hout"
report --store "$tmp/h.db" --dry-run "$tmp/hout" > "$tmp/h.out" 2> "$tmp/h.err"
ok $? "hostile store: exits 0" "$tmp/h.err"
[ "$(ls "$tmp/hout" | grep -c 'xml.gz$')" = 1 ] && ls "$tmp/hout" | grep -q '!hostile.example!'
ok $? "hostile store: one report, the policy domain with '<', '>' and a newline is not reported" "$tmp/h.err"
valid "$tmp"/hout/*.xml.gz
ok $? "hostile values: the report is well-formed and valid" "$tmp/valid.log"
gzip -dc "$tmp"/hout/*.xml.gz > "$tmp/h.xml"
! grep -q '<script\|<img\|<b>\|<sel>\|]]>' "$tmp/h.xml" && grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;.example' "$tmp/h.xml"
ok $? "markup, quotes and & escaped, never raw" "$tmp/h.xml"
python3 - "$tmp/h.xml" > "$tmp/py.out" 2>&1 <<'EOT'
import sys, xml.etree.ElementTree as ET
ns = {'d': 'urn:ietf:params:xml:ns:dmarc-2.0'}
r = ET.parse(sys.argv[1]).getroot()
rec = r.find('d:record', ns)
ef = rec.find('d:identifiers/d:envelope_from', ns).text
assert ef.startswith('evil"<>&\'') and ef.endswith('@\u00e9t\u00e9.example'), repr(ef)
assert '\x01' not in ef and '\x1b' not in ef and '\ufffd' in ef, repr(ef)
c = rec.find('d:row/d:policy_evaluated/d:reason/d:comment', ns).text
assert 'comment\twith\ncontrol' in c and '\u202e' in c and '\x08' not in c, repr(c)
assert rec.find('d:row/d:policy_evaluated/d:disposition', ns).text == 'none'
assert rec.find('d:row/d:policy_evaluated/d:reason/d:type', ns).text == 'other'
assert [d.text for d in rec.findall('d:auth_results/d:dkim/d:result', ns)] == ['neutral', 'permerror']
assert rec.find('d:auth_results/d:spf/d:result', ns).text == 'permerror'
assert rec.find('d:auth_results/d:spf/d:scope', ns) is None
assert r.find('d:policy_published/d:fo', ns).text == '1:d&s<x>'
print('ok')
EOT
ok $? "values read back: control bytes and invalid UTF-8 replaced by U+FFFD, TAB/LF/8-bit kept, values outside the enumerations replaced" "$tmp/py.out"

# Options.
report --store "$tmp/s.db" --begin 2026-11-24T01:00:00Z --end 2026-11-25 --dry-run "$tmp/out" > "$tmp/o.out" 2>&1
[ $? -eq 2 ] && grep -q 'UTC day boundaries' "$tmp/o.out"
ok $? "--begin off a UTC day boundary is refused (exit 2)" "$tmp/o.out"
mkdir "$tmp/week"
report --store "$tmp/s.db" --begin 2026-11-20 --end 2026-11-27 --period 7 --domain example.com --dry-run "$tmp/week" > "$tmp/o.out" 2>&1
ls "$tmp/week" | grep -q "^mx.test.example!example.com!1795132800!1795737600!" && \
	[ "$(gzip -dc "$tmp"/week/*.xml.gz | sed -n 's:.*<count>\([0-9]*\)</count>:\1:p' | paste -sd+ | bc)" = 11 ]
ok $? "--period 7: one report for the week, the messages of the days around counted too (11)" "$tmp/o.out"
report --store "$tmp/s.db" --from 'a b@x' --dry-run "$tmp/out" > "$tmp/o.out" 2>&1
[ $? -eq 2 ]
ok $? "--from that is no usable address is refused" "$tmp/o.out"
"$REPORT" -V | grep -q '^compauthd-report [0-9]'
ok $? "-V prints the version"

# The views (src/report/report_view.c) wired to --summary and --html.
report --store "$tmp/s.db" --summary > "$tmp/sum.out" 2>&1
[ $? -eq 0 ] && grep -q '^Author domain example.com: ' "$tmp/sum.out"
ok $? "--summary prints the summary of the day per author domain" "$tmp/sum.out"
report --store "$tmp/s.db" --html "$tmp/html" > "$tmp/html.out" 2>&1
[ $? -eq 0 ] && grep -q 'example.com' "$tmp/html/index.html"
ok $? "--html DIR writes DIR/index.html" "$tmp/html.out"

echo "1..$n"
