#!/bin/bash
# The five example scenarios of the product brief (Microsoft 365 style
# Authentication-Results), run through test mode over tests/data/seed/seed.zone.
# Each result line is compared exactly: method, result, comment, action,
# header.from / smtp.mailfrom / header.d values and the compauth reason.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${COMPAUTHD:-$src/build/compauthd}
data=$src/tests/data/seed
T=$'\t'
# Each scenario runs twice: with authres_style = microsoft the header is the
# seed's single field, byte for byte; with the default (consumers) the same
# results stand in one field and the compauth verdict in a second field
# right below it, nothing else changed.
n=0 failed=0
ms=$(mktemp) def=$(mktemp)
trap 'rm -f "$ms" "$def"' EXIT
printf 'authserv_id = mx.test.example\nauthres_style = microsoft\n' > "$ms"
printf 'authserv_id = mx.test.example\n' > "$def"

run1() { # conf, name, message, ip, mail-from, expected output
	local conf=$1 name=$2 eml=$3 ip=$4 from=$5 want=$6 got
	got=$("$bin" -c "$conf" -t "$data/$eml" --client-ip "$ip" --helo mail.example.net \
		--mail-from "$from" --zone "$data/seed.zone" 2>/dev/null)
	n=$((n+1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "$want" | sed 's/^/#   want: /'
		echo "$got" | sed 's/^/#   got:  /'
		failed=1
	fi
}

check() { # name, message, ip, mail-from, expected header (the seed's single field)
	local verdict split
	run1 "$ms" "$1 (authres_style = microsoft)" "$2" "$3" "$4" "$5"
	verdict=$(printf '%s\n' "$5" | grep "^${T}compauth=")
	split=$(printf '%s\n' "$5" | grep -v "^${T}compauth=" |
		sed "s/^${T}arc=none;\$/${T}arc=none/" |
		sed "s/^action: /Authentication-Results: mx.test.example;\\n${verdict}\\naction: /")
	run1 "$def" "$1 (default: compauth in its own field)" "$2" "$3" "$4" "$(printf '%b' "$split")"
}

check "(1) SPF none, DKIM pass for another domain, no DMARC record: dmarc=none, compauth=fail reason=001" \
	1-dkim-other-domain.eml 192.0.2.10 it@contoso.example \
"Authentication-Results: mx.test.example;
${T}spf=none (sender IP is 192.0.2.10) smtp.mailfrom=contoso.example;
${T}iprev=pass policy.iprev=192.0.2.10 (mail.fabrikam.example);
${T}dkim=pass (signature was verified) header.d=maliciousdomain.example
${T}${T}header.s=sel1 header.a=rsa-sha256 header.b=k4clOLMN;
${T}dmarc=none action=none header.from=contoso.example;
${T}arc=none;
${T}compauth=fail reason=001
action: accept"

check "(2) no SPF, no DKIM, no DMARC: compauth=fail reason=001" \
	2-nothing.eml 192.0.2.10 it@contoso.example \
"Authentication-Results: mx.test.example;
${T}spf=none (sender IP is 192.0.2.10) smtp.mailfrom=contoso.example;
${T}iprev=pass policy.iprev=192.0.2.10 (mail.fabrikam.example);
${T}dkim=none (message not signed) header.d=none;
${T}dmarc=none action=none header.from=contoso.example;
${T}arc=none;
${T}compauth=fail reason=001
action: accept"

check "(3) SPF pass, no DKIM, no DMARC record: dmarc=bestguesspass, compauth=pass reason=109" \
	3-spf-only.eml 192.0.2.10 ben@fabrikam.example \
"Authentication-Results: mx.test.example;
${T}spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=fabrikam.example;
${T}iprev=pass policy.iprev=192.0.2.10 (mail.fabrikam.example);
${T}dkim=none (message not signed) header.d=none;
${T}dmarc=bestguesspass action=none header.from=fabrikam.example;
${T}arc=none;
${T}compauth=pass reason=109
action: accept"

check "(4) DKIM pass for a subdomain, no SPF, no DMARC record: bestguesspass, compauth=pass reason=109" \
	4-dkim-subdomain.eml 198.51.100.20 bounce@outbound.fabrikam.example \
"Authentication-Results: mx.test.example;
${T}spf=none (sender IP is 198.51.100.20)
${T}${T}smtp.mailfrom=outbound.fabrikam.example;
${T}iprev=fail policy.iprev=198.51.100.20 (no PTR record);
${T}dkim=pass (signature was verified) header.d=outbound.fabrikam.example
${T}${T}header.s=sel1 header.a=rsa-sha256 header.b=ENjLg3Eb;
${T}dmarc=bestguesspass action=none header.from=fabrikam.example;
${T}arc=none;
${T}compauth=pass reason=109
action: accept"

check "(5) as (1) from another client: dmarc=none, compauth=fail reason=001" \
	1-dkim-other-domain.eml 203.0.113.50 it@contoso.example \
"Authentication-Results: mx.test.example;
${T}spf=none (sender IP is 203.0.113.50) smtp.mailfrom=contoso.example;
${T}iprev=fail policy.iprev=203.0.113.50 (no PTR record);
${T}dkim=pass (signature was verified) header.d=maliciousdomain.example
${T}${T}header.s=sel1 header.a=rsa-sha256 header.b=k4clOLMN;
${T}dmarc=none action=none header.from=contoso.example;
${T}arc=none;
${T}compauth=fail reason=001
action: accept"
echo "1..$n"
exit $failed
