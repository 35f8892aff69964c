# Shared by tests/report/*.sh: paths, a private directory, the seeded
# store, the compauthd-report command line with fixed time and Report-ID
# seed, and the schema check. Sourced after tests/tap.sh.
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir/build-report}
REPORT=$builddir/compauthd-report
SEED=$builddir/tests/tools/storeseed
DATA=$srcdir/tests/data/report
XSD=$DATA/rfc9990.xsd
# 2026-11-25 01:00 UTC: the default period is the UTC day 2026-11-24.
NOW=1795568400
DAY0=1795478400
DAY1=1795564800
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|@ZONE@|$DATA/report.zone|" "$DATA/report.conf" > "$tmp/report.conf"

# report ARGS...: the program on the test configuration, fixed clock and seed.
report() {
	"$REPORT" -c "$tmp/report.conf" --now "$NOW" --report-id-seed test \
		--org-name "Test Org" --from reports@mx.test.example "$@"
}

# valid FILE.xml.gz: gunzips and validates against RFC 9990's schema.
valid() {
	gzip -dc "$1" > "$tmp/valid.xml" && xmllint --noout --schema "$XSD" "$tmp/valid.xml" \
		> "$tmp/valid.log" 2>&1
}

need_tools() {
	for t in xmllint gzip python3; do
		if ! command -v $t > /dev/null; then
			echo "1..0 # SKIP $t is not installed (Debian libxml2-utils, gzip, python3)"
			exit 0
		fi
	done
	if [ ! -x "$REPORT" ] || [ ! -x "$SEED" ]; then
		echo "1..0 # SKIP build compauthd-report and tests/tools/storeseed first"
		exit 0
	fi
}
