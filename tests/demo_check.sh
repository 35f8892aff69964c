#!/bin/bash
# `make demo` keeps working: tests/demo.sh runs against this build and every
# demo message gets its verdict (compauthd(8) reasons), the p=reject forgery
# is refused, and the list post is vouched for by its trusted ARC sealer.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=${top_builddir:-$src/build}
out=$(bash "$src/tests/demo.sh" "$build" 2>&1)
. "$src/tests/tap.sh"
got=$(printf '%s\n' "$out" | grep -o '^	compauth=[a-z]*\( ([^)]*)\)\? reason=[0-9]*' | tr -d '\t' | tr '\n' '|')
want='compauth=pass reason=100|compauth=pass reason=100|compauth=fail reason=000|compauth=fail reason=001|compauth=fail reason=001|compauth=pass reason=100|compauth=pass reason=109|compauth=fail reason=001|compauth=pass (trusted ARC sealer lists.demo.example) reason=130|'
[ "$got" = "$want" ]
ok $? "demo: the nine verdicts, in order"
[ "$got" = "$want" ] || { echo "#   want: $want"; echo "#   got:  $got"; }
printf '%s\n' "$out" | grep -q '^=== 2-forged.eml .*: reject, SMTP reply "550 5.7.1 Email rejected per DMARC policy for contoso.example"$'
ok $? "demo: the contoso.example forgery is rejected with our reply"
printf '%s\n' "$out" | grep -q 'DEMO0009: DMARC failure of fabrikam.example vouched for by trusted ARC sealer lists.demo.example (i=1, dmarc=pass)$'
ok $? "demo: the log names the ARC sealer that vouched for the list post"
[ "$tap_failed" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | tail -60
echo "1..$n"
exit $tap_failed
