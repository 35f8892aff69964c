#!/bin/bash
# compauthd-report --history DOMAIN: implicit authentication's view of a
# domain, byte for byte, from a store seeded through store_put with the
# history a daemon learns (tests/tools/storeseed: history pass, fail,
# outbound): a domain sending through an ESP (softpass 210), a
# correspondent (220), an always aligned domain (610), an unknown one, a
# subdomain given (its organizational domain shown), values with control
# bytes and a bidi override (escaped as \xHH), the threshold from the
# configuration and from --threshold, a domain beyond history_max_domains,
# usage errors; then the same output from a PostgreSQL store.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tap.sh"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/report/reportlib.sh"
need_tools

cat > "$tmp/seed.txt" <<'EOF'
base 1795478400

# esp-user.example: its mail through an ESP, 7 times, then once more later
received T+0
history pass
history_only 1
history_org esp-user.example
history_net 192.0.2.0/24
history_ptr esp.example
spf_domain bounce.esp.example
spf_scope mfrom
spf_result pass
dkim esp.example e1 pass
dkim forged.example x fail
repeat 7

received T+172800
history pass
history_only 1
history_org esp-user.example
history_net 192.0.2.0/24
history_ptr esp.example
dkim esp.example e1 pass
dkim esp-user.example s1 pass

received T+172800
history pass
history_only 1
history_org esp-user.example
history_net 198.51.100.0/24
dkim esp-user.example s1 pass

received T+200000
history fail
history_only 1
history_org esp-user.example
repeat 2

# partner.example: our users write to it; it passed 3 times
received T+0
history outbound
history_only 1
rcpt_org partner.example
rcpt_org other.example
repeat 12

received T+3600
history pass
history_only 1
history_org partner.example
history_net 203.0.113.0/24
dkim partner.example p1 pass
repeat 3

received T+7200
history pass
history_only 1
history_org partner.example
dkim partner-mail.example m1 pass
repeat 5

# aligned.example: always aligned, 120 times
received T+0
history pass
history_only 1
history_org aligned.example
history_net 198.51.100.0/24
history_ptr aligned.example
spf_domain aligned.example
spf_scope mfrom
spf_result pass
dkim aligned.example a1 pass
repeat 119

received T+86400
history pass
history_only 1
history_org aligned.example
history_net 198.51.100.0/24
history_ptr aligned.example
dkim aligned.example a1 pass

# hostile.example: values with an escape sequence, bell, bidi override, backslash
received T+0
history pass
history_only 1
history_org hostile.example
history_net 192.0.2.0/24\x07
history_ptr \xe2\x80\xaeelpmaxe.live
dkim evil\x1b[31m.example h1 pass
spf_domain back\\slash.example
spf_scope mfrom
spf_result pass
repeat 5
EOF
"$SEED" "$tmp/s.db" "$tmp/seed.txt" > "$tmp/seed.out" 2>&1
ok $? "storeseed writes the history through store_put" "$tmp/seed.out"

# hv NAME DESCRIPTION ARGS...: the output of --history ARGS against $tmp/NAME.exp.
hv() {
	local name=$1 desc=$2
	shift 2
	report --store "$tmp/s.db" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	local rc=$?
	{ [ $rc -eq 0 ] || echo "exit $rc"; cat "$tmp/$name.err"; diff "$tmp/$name.exp" "$tmp/$name.out"; } \
		> "$tmp/$name.diff" 2>&1
	[ $rc -eq 0 ] && [ ! -s "$tmp/$name.err" ] && cmp -s "$tmp/$name.exp" "$tmp/$name.out"
	ok $? "$desc" "$tmp/$name.diff"
}

cat > "$tmp/esp.exp" <<'EOF'
history of esp-user.example
threshold: N = 5
sender history: passed DMARC 9 times, failed 2 times since; first seen 2026-11-24, last seen 2026-11-26
  infrastructure of its authenticated mail:
    kind  value               count  first seen  last seen   reaches N=5
    dkim  esp.example             8  2026-11-24  2026-11-26  yes
    dkim  esp-user.example        2  2026-11-26  2026-11-26  no
    spf   bounce.esp.example      7  2026-11-24  2026-11-24  yes
    net   192.0.2.0/24            8  2026-11-24  2026-11-26  yes
    net   198.51.100.0/24         1  2026-11-26  2026-11-26  no
    ptr   esp.example             8  2026-11-24  2026-11-26  yes
recipient history: none

consequences, for mail of esp-user.example that authenticates explicitly only weakly (compauth=fail reason=001):
  unaligned mail passing DKIM d=esp.example or SPF for bounce.esp.example from 192.0.2.0/24 or PTR esp.example: compauth=softpass reason=210
  failed 2 times: no fail 610
  any other: compauth=fail reason=001
EOF
hv esp "an ESP's identities and network seen N times: softpass 210; failures rule out 610" --history esp-user.example

cat > "$tmp/partner.exp" <<'EOF'
history of partner.example
threshold: N = 5
sender history: passed DMARC 8 times, failed 0 times since; first seen 2026-11-24, last seen 2026-11-24
  infrastructure of its authenticated mail:
    kind  value                 count  first seen  last seen   reaches N=5
    dkim  partner-mail.example      5  2026-11-24  2026-11-24  yes
    dkim  partner.example           3  2026-11-24  2026-11-24  no
    net   203.0.113.0/24            3  2026-11-24  2026-11-24  no
recipient history: our users sent it 12 messages; first 2026-11-24, last 2026-11-24

consequences, for mail of partner.example that authenticates explicitly only weakly (compauth=fail reason=001):
  a correspondent (12 messages from our users): mail that passes DKIM/SPF within partner.example, or DKIM d=partner-mail.example: compauth=softpass reason=220
  passed 8 times and never failed: unaligned mail from infrastructure it never used: compauth=fail reason=610
  any other: compauth=fail reason=001
EOF
hv partner "a correspondent: softpass 220 within its domain and for an identity seen N times; always passed: 610" --history partner.example

cat > "$tmp/partner10.exp" <<'EOF'
history of partner.example
threshold: N = 10
sender history: passed DMARC 8 times, failed 0 times since; first seen 2026-11-24, last seen 2026-11-24
  infrastructure of its authenticated mail:
    kind  value                 count  first seen  last seen   reaches N=10
    dkim  partner-mail.example      5  2026-11-24  2026-11-24  no
    dkim  partner.example           3  2026-11-24  2026-11-24  no
    net   203.0.113.0/24            3  2026-11-24  2026-11-24  no
recipient history: our users sent it 12 messages; first 2026-11-24, last 2026-11-24

consequences, for mail of partner.example that authenticates explicitly only weakly (compauth=fail reason=001):
  a correspondent (12 messages from our users): mail that passes DKIM/SPF within partner.example: compauth=softpass reason=220
  passed 8 times, fewer than 10: no fail 610
  any other: compauth=fail reason=001
EOF
hv partner10 "--threshold 10 overrides history_threshold: fewer identities qualify, no 610" --history partner.example --threshold 10

cat > "$tmp/aligned.exp" <<'EOF'
history of aligned.example
threshold: N = 5
sender history: passed DMARC 120 times, failed 0 times since; first seen 2026-11-24, last seen 2026-11-25
  infrastructure of its authenticated mail:
    kind  value            count  first seen  last seen   reaches N=5
    dkim  aligned.example    120  2026-11-24  2026-11-25  yes
    spf   aligned.example    119  2026-11-24  2026-11-24  yes
    net   198.51.100.0/24    120  2026-11-24  2026-11-25  yes
    ptr   aligned.example    120  2026-11-24  2026-11-25  yes
recipient history: none

consequences, for mail of aligned.example that authenticates explicitly only weakly (compauth=fail reason=001):
  unaligned mail passing DKIM d=aligned.example or SPF for aligned.example from 198.51.100.0/24 or PTR aligned.example: compauth=softpass reason=210
  passed 120 times and never failed: unaligned mail from infrastructure it never used: compauth=fail reason=610
  any other: compauth=fail reason=001
EOF
hv aligned "always aligned, 120 passes and no failure: fail 610 from unseen infrastructure" --history aligned.example

cat > "$tmp/unknown.exp" <<'EOF'
history of unknown.example
threshold: N = 5
sender history: none
recipient history: none

consequences, for mail of unknown.example that authenticates explicitly only weakly (compauth=fail reason=001):
  nothing known: explicit verdicts only (fail 001 where DMARC is weak)
EOF
hv unknown "an unknown domain: nothing known, exit 0" --history unknown.example

# The same history, named through a subdomain: only the first line differs.
{ echo "history of esp-user.example (the organizational domain of mail.esp-user.example)"
  tail -n +2 "$tmp/esp.exp"; } > "$tmp/sub.exp"
hv sub "a subdomain, in capitals with the root's dot: its organizational domain, said" --history Mail.ESP-User.example.

cat > "$tmp/hostile.exp" <<'EOF'
history of hostile.example
threshold: N = 5
sender history: passed DMARC 5 times, failed 0 times since; first seen 2026-11-24, last seen 2026-11-24
  infrastructure of its authenticated mail:
    kind  value                     count  first seen  last seen   reaches N=5
    dkim  evil\x1b[31m.example          5  2026-11-24  2026-11-24  yes
    spf   back\\slash.example           5  2026-11-24  2026-11-24  yes
    net   192.0.2.0/24\x07              5  2026-11-24  2026-11-24  yes
    ptr   \xe2\x80\xaeelpmaxe.live      5  2026-11-24  2026-11-24  yes
recipient history: none

consequences, for mail of hostile.example that authenticates explicitly only weakly (compauth=fail reason=001):
  unaligned mail passing DKIM d=evil\x1b[31m.example or SPF for back\\slash.example from 192.0.2.0/24\x07 or PTR \xe2\x80\xaeelpmaxe.live: compauth=softpass reason=210
  passed 5 times and never failed: unaligned mail from infrastructure it never used: compauth=fail reason=610
  any other: compauth=fail reason=001
EOF
hv hostile "values with an escape sequence, a bell, a bidi override and a backslash shown as \\xHH and \\\\" --history hostile.example

! LC_ALL=C grep -q '[^ -~]' "$tmp/hostile.out"
ok $? "no byte outside printable ASCII reaches the terminal"

# The threshold and limits from the configuration (-c), as the daemon reads them.
cp "$tmp/report.conf" "$tmp/off.conf"
printf 'history = no\nhistory_max_domains = 1\nhistory_threshold = 3\n' >> "$tmp/off.conf"
cat > "$tmp/off.exp" <<'EOF'
history of esp-user.example
threshold: N = 3
history = no: compauthd neither learns nor uses it
sender history: passed DMARC 9 times, failed 2 times since; first seen 2026-11-24, last seen 2026-11-26
  infrastructure of its authenticated mail:
    kind  value               count  first seen  last seen   reaches N=3
    dkim  esp.example             8  2026-11-24  2026-11-26  no (not loaded by the daemon)
    dkim  esp-user.example        2  2026-11-26  2026-11-26  no (not loaded by the daemon)
    spf   bounce.esp.example      7  2026-11-24  2026-11-24  no (not loaded by the daemon)
    net   192.0.2.0/24            8  2026-11-24  2026-11-26  no (not loaded by the daemon)
    net   198.51.100.0/24         1  2026-11-26  2026-11-26  no (not loaded by the daemon)
    ptr   esp.example             8  2026-11-24  2026-11-26  no (not loaded by the daemon)
recipient history: none

consequences, for mail of esp-user.example that authenticates explicitly only weakly (compauth=fail reason=001), were history on:
  not among the domains the daemon loads (history_max_domains): its sender history is not used
  all of it: compauth=fail reason=001
EOF
"$REPORT" -c "$tmp/off.conf" --store "$tmp/s.db" --history esp-user.example > "$tmp/off.out" 2>&1
[ $? -eq 0 ] && diff "$tmp/off.exp" "$tmp/off.out" > "$tmp/off.diff" 2>&1
ok $? "history_threshold, history = no and history_max_domains from -c: a domain the daemon would not load gets nothing" "$tmp/off.diff"

# Usage and store errors: exit 2, a message, nothing on standard output.
err2() {
	local desc=$1
	shift
	report "$@" > "$tmp/e.out" 2> "$tmp/e.err"
	[ $? -eq 2 ] && [ ! -s "$tmp/e.out" ] && grep -q '^compauthd-report: ' "$tmp/e.err"
	ok $? "$desc: exit 2" "$tmp/e.err"
}
err2 "--history with a control byte" --store "$tmp/s.db" --history "$(printf 'a\033.example')"
! grep -q "$(printf '\033')" "$tmp/e.err"
ok $? "the rejected domain is not echoed to the terminal" "$tmp/e.err"
err2 "--threshold 0" --store "$tmp/s.db" --history a.example --threshold 0
err2 "--threshold without --history" --store "$tmp/s.db" --threshold 3
err2 "a store that cannot be opened" --store "$tmp/nodir/s.db" --history a.example

# The same from a PostgreSQL store (a private server, tests/pgserver.py).
pg=$tmp/pg
mkdir "$pg"
chmod 711 "$tmp" "$pg"
uri=$(python3 "$srcdir/tests/pgserver.py" start "$pg")
if [ $? -ne 0 ] || [ "${uri#postgresql://}" = "$uri" ]; then
	n=$((n + 1))
	echo "ok $n # SKIP PostgreSQL: $uri"
else
	trap 'python3 "$srcdir/tests/pgserver.py" stop "$pg" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
	"$SEED" "$uri" "$tmp/seed.txt" > "$tmp/pgseed.out" 2>&1
	ok $? "PostgreSQL: storeseed writes the history" "$tmp/pgseed.out"
	: > "$tmp/pg.diff"
	for args in "esp esp-user.example" "partner partner.example" \
	    "partner10 partner.example --threshold 10" "aligned aligned.example" \
	    "unknown unknown.example" "sub Mail.ESP-User.example." "hostile hostile.example"; do
		set -- $args
		name=$1
		shift
		report --store "$uri" --history "$@" > "$tmp/$name.pg" 2>> "$tmp/pg.diff" || \
			echo "$name: exit $?" >> "$tmp/pg.diff"
		diff "$tmp/$name.out" "$tmp/$name.pg" >> "$tmp/pg.diff" 2>&1
	done
	[ ! -s "$tmp/pg.diff" ]
	ok $? "PostgreSQL: every --history output equals SQLite's, byte for byte" "$tmp/pg.diff"
fi

echo "1..$n"
