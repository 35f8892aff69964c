#!/bin/bash
# ARC through the message pipeline (test mode, the same code as the milter):
# a valid two-instance chain gives arc=pass with smtp.remote-ip and
# header.oldest-pass (RFC 8617 5.2); a body changed after sealing gives
# arc=fail with the reason. Vectors: tests/data/arc/local (see its SOURCE).
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${COMPAUTHD:-$src/build/compauthd}
data=$src/tests/data/arc/local
n=0 failed=0
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
printf 'authserv_id = mx.test.example\n' > "$conf"
T=$'\t'
check() { # name, message, expected arc lines
	local got
	got=$("$bin" -c "$conf" -t "$data/$2" --client-ip 192.0.2.10 --helo h --mail-from a@example.org \
		--zone "$data/local.zone" 2>/dev/null | awk '/^\tarc=/{on=1} on && !/^\t/{exit} on{print}')
	n=$((n+1))
	if [ "$got" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "$3" | sed 's/^/#   want: /'
		echo "$got" | sed 's/^/#   got:  /'
		failed=1
	fi
}
check "valid chain of 2: arc=pass, oldest passing instance 2" oldest_pass_2.eml \
	"${T}arc=pass (chain of 2 verified) smtp.remote-ip=192.0.2.10
${T}${T}header.oldest-pass=2"
check "body changed after sealing: arc=fail with the reason" ed25519_i1_body_changed.eml \
	"${T}arc=fail (ARC-Message-Signature i=1: body hash did not verify)
${T}${T}smtp.remote-ip=192.0.2.10"
echo "1..$n"
exit $failed
