#!/bin/bash
# DKIM and ARC bounds through the message pipeline (test mode, the same code
# as the milter), with the default settings:
#  - l= (RFC 6376 section 8.2): a signed message with text appended after
#    the signed length (tests/data/dkim/local/ed-l-partial.eml) from a
#    p=reject domain gets dkim=fail and dmarc=fail, not the pass that
#    dkim_strict_l = no gives it;
#  - h=: a DKIM-Signature and an ARC-Message-Signature naming 32 000 fields
#    are refused with their reason, whatever else the message holds.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${COMPAUTHD:-$src/build/compauthd}
. "$src/tests/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=$'\t'

cat > "$tmp/zone" <<'EOF'
ed._domainkey.example.net. TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
_dmarc.example.net. TXT "v=DMARC1; p=reject"
EOF
printf 'authserv_id = mx.test.example\n' > "$tmp/default.conf"
printf 'authserv_id = mx.test.example\ndkim_strict_l = no\n' > "$tmp/lax.conf"

# The results of METHODS (a regex) in the header test mode prints, folds kept.
results() { # conf message methods
	"$bin" -c "$1" -t "$2" --client-ip 192.0.2.10 --helo h --mail-from joe@example.net \
		--zone "$tmp/zone" 2>"$tmp/err" | awk -v m="^\t($3)=" '
		$0 ~ m { on = 1 } /^\t[a-z]+=/ && $0 !~ m { on = 0 } /^[^\t]/ { on = 0 } on { print }'
}

check() { # name want got
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		{ echo "want:"; echo "$2"; echo "got:"; echo "$3"; cat "$tmp/err"; } > "$tmp/diff"
		ok 1 "$1" "$tmp/diff"
	fi
}

l=$src/tests/data/dkim/local/ed-l-partial.eml
check "l= with appended text, default settings: dkim=fail, dmarc=fail (p=reject)" \
"${T}dkim=fail (l= leaves 39 body bytes unsigned) header.d=example.net
${T}${T}header.s=ed header.a=ed25519-sha256 header.b=HQUE6Eai;
${T}dmarc=fail action=reject header.from=example.net policy.dmarc=reject
${T}${T}(p=reject at example.net);" "$(results "$tmp/default.conf" "$l" 'dkim|dmarc')"
check "l= with appended text, dkim_strict_l = no: the appended text rides on a pass" \
"${T}dkim=pass (signature was verified; l= leaves 39 body bytes unsigned)
${T}${T}header.d=example.net header.s=ed header.a=ed25519-sha256 header.b=HQUE6Eai;
${T}dmarc=pass action=none header.from=example.net policy.dmarc=reject
${T}${T}(p=reject at example.net);" "$(results "$tmp/lax.conf" "$l" 'dkim|dmarc')"

# 32 000 names in h=, over 990 padding headers.
names=$(printf 'x:%.0s' $(seq 31999))from
{
	printf 'ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.net; s=ed; b=AAAA\r\n'
	printf 'ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=ed;\r\n'
	printf ' bh=AAAA; h=%s; b=AAAA\r\n' "$names"
	printf 'ARC-Authentication-Results: i=1; example.net; none\r\n'
	printf 'DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.net; s=ed;\r\n'
	printf ' bh=AAAA; h=%s; b=AAAA\r\n' "$names"
	for i in $(seq 990); do printf 'X-Pad-%d: y\r\n' "$i"; done
	printf 'From: joe@example.net\r\nTo: a@example.org\r\nSubject: h\r\n\r\nHello.\r\n'
} > "$tmp/h.eml"
check "h= of 32 000 names: dkim=permerror with the reason" \
"${T}dkim=permerror (signature h= names more than 512 header fields)
${T}${T}header.d=example.net header.s=ed header.a=ed25519-sha256 header.b=AAAA;" \
	"$(results "$tmp/default.conf" "$tmp/h.eml" 'dkim')"
check "h= of 32 000 names: arc=fail" "${T}arc=fail" "$(results "$tmp/default.conf" "$tmp/h.eml" 'arc')"

echo "1..$n"
exit $tap_failed
