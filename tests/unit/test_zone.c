/*
 * Zone-file backend: the file format (good input and every error with its
 * file:line) and lookups classified as a resolver would.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "../dnstest.h"
#include "zone.h"

static const char zone_text[] =
	"; a test zone\n"
	"$ORIGIN example.com.\n"
	"$TTL 300\n"
	"@            IN  SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 120\n"
	"@                A     192.0.2.1\n"
	"@            600 IN A  192.0.2.2     ; TTL before class\n"
	"@            IN 60 AAAA 2001:db8::1  ; class before TTL\n"
	"@                MX    10 mx1\n"
	"@                mx    20 mx2.example.net.\n"
	"                 TXT   \"v=spf1 \" \"ip4:192.0.2.0/24 \" \"-all\"\n"
	"mx1              A     192.0.2.10\r\n"
	"WWW              CNAME @\n"
	"alias1           CNAME alias2\n"
	"alias2           CNAME www\n"
	"loop1            CNAME loop2\n"
	"loop2            CNAME loop1\n"
	"dangling         CNAME nowhere\n"
	"toslow           CNAME slow\n"
	"a.b.c            TXT   bare token\n"
	"esc              TXT   \"quote\\\" backslash\\\\ nul\\000end; not a comment\"\n"
	"ddd              TXT   \\065\\066C\n"
	"slow             TIMEOUT\n"
	"slowtxt          TIMEOUT TXT\n"
	"slowtxt          A     192.0.2.20\n"
	"broken           SERVFAIL\n"
	"1.2.0.192.in-addr.arpa. PTR host.example.com.\n"
	"spfonly          SPF   \"v=spf1 -all\"\n"
	"units            1h30m A 192.0.2.40\n"
	"week             1W    in a 192.0.2.41\n"
	"\n"
	"$ORIGIN example.net.\n"
	"nullmx           MX    0 .\n"
	"deep.x           1h IN A 192.0.2.30\n"
	"$ORIGIN sub\n"
	"rel              A     192.0.2.31\n"
	"$TTL 1d\n"
	"day              A     192.0.2.32";    /* no final newline */

static const struct {
	const char *qname;
	enum dns_type qtype;
	enum dns_status status;
	const char *why;
	uint32_t ttl;
	const char *records;
	const char *cite;
} lookups[] = {
	{ "example.com", DNS_T_A, DNS_OK, NULL, 300, "A 192.0.2.1; A 192.0.2.2", "RFC 1035 §5.1" },
	{ "EXAMPLE.Com.", DNS_T_A, DNS_OK, NULL, 300, "A 192.0.2.1; A 192.0.2.2", "RFC 4343 §3" },
	{ "example.com", DNS_T_AAAA, DNS_OK, NULL, 60, "AAAA 2001:db8::1", "RFC 3596" },
	{ "example.com", DNS_T_MX, DNS_OK, NULL, 300,
	  "MX 10 mx1.example.com; MX 20 mx2.example.net", "RFC 1035 §3.3.9" },
	{ "example.com", DNS_T_TXT, DNS_OK, NULL, 300,
	  "TXT \"v=spf1 ip4:192.0.2.0/24 -all\"", "RFC 7208 §3.3" },
	{ "mx1.example.com", DNS_T_A, DNS_OK, NULL, 300, "A 192.0.2.10", "CRLF line" },
	{ "www.example.com", DNS_T_A, DNS_OK, NULL, 300, "A 192.0.2.1; A 192.0.2.2", "RFC 1034 §3.6.2" },
	{ "www.example.com", DNS_T_CNAME, DNS_OK, NULL, 300, "CNAME example.com", "RFC 1034 §3.6.2" },
	{ "alias1.example.com", DNS_T_MX, DNS_OK, NULL, 300,
	  "MX 10 mx1.example.com; MX 20 mx2.example.net", "RFC 1034 §3.6.2" },
	{ "loop1.example.com", DNS_T_A, DNS_TEMPFAIL, "CNAME loop", 0, "", "RFC 1034 §3.6.2" },
	{ "dangling.example.com", DNS_T_A, DNS_NXDOMAIN, NULL, 120, "", "RFC 6604 §2.1" },
	{ "toslow.example.com", DNS_T_TXT, DNS_TEMPFAIL, "timeout", 0, "", "marker behind a CNAME" },
	{ "a.b.c.example.com", DNS_T_TXT, DNS_OK, NULL, 300, "TXT \"baretoken\"", "RFC 1035 §5.1" },
	{ "b.c.example.com", DNS_T_TXT, DNS_NODATA, NULL, 120, "", "RFC 8020 §2 (ENT)" },
	{ "c.example.com", DNS_T_A, DNS_NODATA, NULL, 120, "", "RFC 8020 §2 (ENT)" },
	{ "nothere.example.com", DNS_T_A, DNS_NXDOMAIN, NULL, 120, "", "RFC 2308 §5" },
	{ "x.nothere.example.com", DNS_T_TXT, DNS_NXDOMAIN, NULL, 120, "", "RFC 2308 §5" },
	{ "example.com", DNS_T_PTR, DNS_NODATA, NULL, 120, "", "RFC 2308 §2.2" },
	{ "com", DNS_T_A, DNS_NODATA, NULL, DNS_NEG_TTL_DEFAULT, "", "ancestor exists" },
	{ "esc.example.com", DNS_T_TXT, DNS_OK, NULL, 300,
	  "TXT \"quote\\\" backslash\\\\ nul\\000end; not a comment\"", "RFC 1035 §5.1" },
	{ "ddd.example.com", DNS_T_TXT, DNS_OK, NULL, 300, "TXT \"ABC\"", "RFC 1035 §5.1" },
	{ "slow.example.com", DNS_T_A, DNS_TEMPFAIL, "timeout", 0, "", "TIMEOUT marker" },
	{ "slow.example.com", DNS_T_TXT, DNS_TEMPFAIL, "timeout", 0, "", "TIMEOUT marker" },
	{ "slowtxt.example.com", DNS_T_TXT, DNS_TEMPFAIL, "timeout", 0, "", "TIMEOUT TXT marker" },
	{ "slowtxt.example.com", DNS_T_A, DNS_OK, NULL, 300, "A 192.0.2.20", "TIMEOUT TXT only" },
	{ "slowtxt.example.com", DNS_T_MX, DNS_NODATA, NULL, 120, "", "TIMEOUT TXT only" },
	{ "broken.example.com", DNS_T_MX, DNS_TEMPFAIL, "SERVFAIL", 0, "", "SERVFAIL marker" },
	{ "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, NULL, 300, "PTR host.example.com", "RFC 1035 §3.5" },
	{ "spfonly.example.com", DNS_T_TXT, DNS_NODATA, NULL, 120, "", "RFC 7208 §3.1: SPF type unused" },
	{ "units.example.com", DNS_T_A, DNS_OK, NULL, 5400, "A 192.0.2.40", "TTL units" },
	{ "week.example.com", DNS_T_A, DNS_OK, NULL, 604800, "A 192.0.2.41", "TTL units" },
	{ "nullmx.example.net", DNS_T_MX, DNS_OK, NULL, 300, "MX 0 ", "RFC 7505 §3" },
	{ "deep.x.example.net", DNS_T_A, DNS_OK, NULL, 3600, "A 192.0.2.30", "RFC 1035 §5.1" },
	{ "x.example.net", DNS_T_A, DNS_NODATA, NULL, DNS_NEG_TTL_DEFAULT, "", "no SOA: default" },
	{ "rel.sub.example.net", DNS_T_A, DNS_OK, NULL, 300, "A 192.0.2.31", "relative $ORIGIN" },
	{ "day.sub.example.net", DNS_T_A, DNS_OK, NULL, 86400, "A 192.0.2.32", "$TTL with unit" },
	{ "a..b", DNS_T_A, DNS_PERMFAIL, "invalid name", 0, "", "RFC 1035 §2.3.1" },
};

static const struct {
	const char *desc;
	const char *text;
	const char *err;
} errors[] = {
	{ "bad IPv4", "$ORIGIN example.com.\n@ A 300.1.1.1\n",
	  "t.zone:2: bad IPv4 address \"300.1.1.1\"" },
	{ "bad IPv6", "a.example. AAAA 192.0.2.1\n", "t.zone:1: bad IPv6 address \"192.0.2.1\"" },
	{ "relative without origin", "foo A 192.0.2.1\n",
	  "t.zone:1: relative name \"foo\" without $ORIGIN" },
	{ "@ without origin", "@ A 192.0.2.1\n", "t.zone:1: \"@\" without $ORIGIN" },
	{ "A without address", "a.example. A\n", "t.zone:1: A needs one address" },
	{ "A with two addresses", "a.example. A 192.0.2.1 192.0.2.2\n", "t.zone:1: A needs one address" },
	{ "parentheses", "a.example. TXT ( \"x\"\n  \"y\" )\n",
	  "t.zone:1: parentheses (multi-line records) are not supported" },
	{ "unterminated string", "a.example. TXT \"abc\n", "t.zone:1: unterminated quoted string" },
	{ "short \\DDD", "a.example. TXT \\12\n", "t.zone:1: \\DDD escape needs three digits" },
	{ "\\DDD above 255", "a.example. TXT \\256\n", "t.zone:1: \\DDD escape above 255" },
	{ "backslash at end", "a.example. TXT abc\\\n", "t.zone:1: backslash at end of line" },
	{ "unknown type", "a.example. FOO x\n", "t.zone:1: unknown type \"FOO\"" },
	{ "class CH", "a.example. CH A 192.0.2.1\n", "t.zone:1: only class IN is supported" },
	{ "bad TTL", "a.example. 1x A 192.0.2.1\n", "t.zone:1: bad TTL \"1x\"" },
	{ "two TTLs", "a.example. 300 300 A 192.0.2.1\n", "t.zone:1: bad TTL \"300\"" },
	{ "TTL above 2^31-1", "a.example. 2147483648 A 192.0.2.1\n", "t.zone:1: bad TTL \"2147483648\"" },
	{ "TTL unit then bare digits", "a.example. 1h30 A 192.0.2.1\n", "t.zone:1: bad TTL \"1h30\"" },
	{ "missing type", "a.example. IN 300\n", "t.zone:1: missing type" },
	{ "quoted type", "a.example. \"A\" 192.0.2.1\n", "t.zone:1: bad type" },
	{ "$INCLUDE", "$INCLUDE other.zone\n", "t.zone:1: unsupported directive $INCLUDE" },
	{ "$TTL without value", "$TTL\n", "t.zone:1: $TTL needs one TTL" },
	{ "$TTL not a TTL", "$TTL soon\n", "t.zone:1: $TTL needs one TTL" },
	{ "$ORIGIN without name", "$ORIGIN\n", "t.zone:1: $ORIGIN needs one name" },
	{ "blank owner first", "   A 192.0.2.1\n",
	  "t.zone:1: no previous owner for a line starting with a blank" },
	{ "MX preference too big", "a.example. MX 70000 b.example.\n",
	  "t.zone:1: bad MX preference \"70000\"" },
	{ "MX without host", "a.example. MX 10\n", "t.zone:1: MX needs a preference and a host" },
	{ "CNAME and other data", "a.example. CNAME b.example.\n; x\na.example. A 192.0.2.1\n",
	  "t.zone:3: a.example: CNAME and other data" },
	{ "two CNAMEs", "a.example. CNAME b.example.\na.example. CNAME c.example.\n",
	  "t.zone:2: a.example: CNAME and other data" },
	{ "wildcard", "*.example. A 192.0.2.1\n", "t.zone:1: wildcards are not supported" },
	{ "empty label", "a..example. A 192.0.2.1\n", "t.zone:1: invalid name \"a..example.\"" },
	{ "root owner", ". A 192.0.2.1\n", "t.zone:1: the root is not a valid name here" },
	{ "quoted name", "a.example. PTR \"b.example.\"\n",
	  "t.zone:1: quotes and escapes are not supported in names" },
	{ "escaped name", "a\\.b.example. A 192.0.2.1\n",
	  "t.zone:1: quotes and escapes are not supported in names" },
	{ "TIMEOUT with unknown type", "a.example. TIMEOUT SOA\n", "t.zone:1: TIMEOUT: unknown type \"SOA\"" },
	{ "SERVFAIL with two types", "a.example. SERVFAIL A TXT\n",
	  "t.zone:1: SERVFAIL takes at most one type" },
	{ "TXT without string", "a.example. TXT\n", "t.zone:1: TXT needs at least one string" },
	{ "SOA on several fields missing", "a.example. SOA a. b. 1 2 3 4\n",
	  "t.zone:1: SOA needs mname rname serial refresh retry expire minimum on one line" },
	{ "SOA bad serial", "a.example. SOA a. b. x 2 3 4 5\n", "t.zone:1: bad SOA serial \"x\"" },
	{ "SOA bad time", "a.example. SOA a. b. 1 2 3 4 five\n", "t.zone:1: bad SOA time \"five\"" },
	{ "error after comments and blank lines", "; one\n\n  ; three\nbad.example. A x\n",
	  "t.zone:4: bad IPv4 address \"x\"" },
};

static void
format_records(const struct dns_rrset *rs, char *buf, size_t len)
{
	dnstest_format(rs->rr, rs->n, buf, len);
}

static void
test_lookups(void)
{
	char err[256], got[1024];
	struct zone *z = zone_load_string(zone_text, strlen(zone_text), "t.zone", err, sizeof(err));

	ok(z != NULL, "test zone loads");
	if (z == NULL) {
		tap_diag("%s", err);
		return;
	}
	is_int(zone_size(z), 30, "records and markers counted");
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		struct dns_rrset *rs = zone_lookup(z, lookups[i].qname, lookups[i].qtype);

		is_str(dns_status_name(rs->status), dns_status_name(lookups[i].status),
		    "%s/%s (%s): status", lookups[i].qname, dns_type_name(lookups[i].qtype), lookups[i].cite);
		is_str(rs->why, lookups[i].why, "%s/%s: why", lookups[i].qname, dns_type_name(lookups[i].qtype));
		is_int(rs->ttl, lookups[i].ttl, "%s/%s: ttl", lookups[i].qname, dns_type_name(lookups[i].qtype));
		format_records(rs, got, sizeof(got));
		is_str(got, lookups[i].records, "%s/%s: records", lookups[i].qname,
		    dns_type_name(lookups[i].qtype));
		dns_rrset_free(&rs);
	}
	{
		/* \000 is a byte of the data, not its end. */
		struct dns_rrset *rs = zone_lookup(z, "esc.example.com", DNS_T_TXT);

		is_int(rs->rr[0].u.txt.len, strlen("quote\" backslash\\ nul") + 1 +
		    strlen("end; not a comment"), "TXT length counts the embedded NUL");
		dns_rrset_free(&rs);
	}
	zone_free(&z);
	ok(z == NULL, "zone_free clears the pointer");
	zone_free(&z);
}

static void
test_errors(void)
{
	char err[256];

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct zone *z = zone_load_string(errors[i].text, strlen(errors[i].text), "t.zone",
		    err, sizeof(err));

		ok(z == NULL, "%s: refused", errors[i].desc);
		is_str(err, errors[i].err, "%s: message", errors[i].desc);
		zone_free(&z);
	}
}

/* Bounds: string length, NUL bytes, line length. */
static void
test_limits(void)
{
	char err[256], *text;
	struct zone *z;
	size_t n;

	text = malloc(ZONE_MAX_LINE + 64);
	n = (size_t)sprintf(text, "a.example. TXT \"");
	memset(text + n, 'x', 255);
	strcpy(text + n + 255, "\"\n");
	z = zone_load_string(text, strlen(text), "t.zone", err, sizeof(err));
	ok(z != NULL, "TXT string of 255 bytes accepted");
	zone_free(&z);
	memset(text + n, 'x', 256);
	strcpy(text + n + 256, "\"\n");
	z = zone_load_string(text, strlen(text), "t.zone", err, sizeof(err));
	ok(z == NULL, "TXT string of 256 bytes refused");
	is_str(err, "t.zone:1: string longer than 255 bytes (split it into several)", "256-byte string message");

	z = zone_load_string("a.example. TXT \"a\0b\"\n", 21, "t.zone", err, sizeof(err));
	ok(z == NULL, "NUL byte in the file refused");
	is_str(err, "t.zone:1: NUL byte in line", "NUL byte message");

	memset(text, ' ', ZONE_MAX_LINE + 1);
	memcpy(text, "; x", 3);
	z = zone_load_string(text, ZONE_MAX_LINE + 1, "t.zone", err, sizeof(err));
	ok(z == NULL, "line of %d bytes refused", ZONE_MAX_LINE + 1);
	is_str(err, "t.zone:1: line longer than 65536 bytes", "long line message");
	z = zone_load_string(text, ZONE_MAX_LINE, "t.zone", err, sizeof(err));
	ok(z != NULL, "line of %d bytes accepted", ZONE_MAX_LINE);
	zone_free(&z);
	free(text);

	z = zone_load_string("", 0, "t.zone", err, sizeof(err));
	ok(z != NULL, "empty file is an empty zone");
	if (z != NULL) {
		struct dns_rrset *rs = zone_lookup(z, "example.com", DNS_T_A);

		is_str(dns_status_name(rs->status), "nxdomain", "empty zone: NXDOMAIN");
		dns_rrset_free(&rs);
	}
	zone_free(&z);
}

static void
test_file(void)
{
	char path[] = "/tmp/test_zone.XXXXXX", err[256];
	struct zone *z;
	struct dns_rrset *rs;
	FILE *f;
	int fd = mkstemp(path);

	ok(fd >= 0, "temp file");
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs("$ORIGIN example.org.\n@ A 192.0.2.5\nbad A nope\n", f);
	fclose(f);
	z = zone_load(path, err, sizeof(err));
	ok(z == NULL, "file with an error refused");
	{
		char want[300];

		snprintf(want, sizeof(want), "%s:3: bad IPv4 address \"nope\"", path);
		is_str(err, want, "error names the file and line");
	}
	f = fopen(path, "w");
	fputs("$ORIGIN example.org.\n@ A 192.0.2.5\n", f);
	fclose(f);
	z = zone_load(path, err, sizeof(err));
	ok(z != NULL, "file loads");
	if (z != NULL) {
		rs = zone_lookup(z, "example.org", DNS_T_A);
		is_int(rs->n, 1, "record from the file");
		dns_rrset_free(&rs);
		zone_free(&z);
	}
	unlink(path);
	z = zone_load(path, err, sizeof(err));
	ok(z == NULL, "missing file refused");
	{
		char want[300];

		snprintf(want, sizeof(want), "%s:0: No such file or directory", path);
		is_str(err, want, "missing file message");
	}
}

/* The EXAMPLES zone of compauthd-zone(5) loads and answers as the page says. */
static void
test_man_example(void)
{
	static const struct {
		const char *name;
		enum dns_type type;
		const char *status;
		const char *why;
		uint32_t ttl;
	} said[] = {
		{ "b.example.com", DNS_T_TXT, "nxdomain", NULL, 120 },
		{ "example.com", DNS_T_AAAA, "nodata", NULL, 120 },
		{ "www.example.com", DNS_T_A, "ok", NULL, 300 },
		{ "slow.example.com", DNS_T_TXT, "tempfail", "timeout", 0 },
	};
	const char *top = getenv("top_srcdir");
	char path[1024], line[1024], err[256], *text;
	size_t len = 0;
	bool in = false;
	struct zone *z;
	FILE *f;

	snprintf(path, sizeof(path), "%s/man/compauthd-zone.5", top ? top : "..");
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return;
	}
	text = calloc(1, 65536);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ".Bd -literal", 12) == 0)
			in = true;
		else if (strncmp(line, ".Ed", 3) == 0)
			in = false;
		else if (in && len + strlen(line) < 65536) {
			memcpy(text + len, line, strlen(line));
			len += strlen(line);
		}
	}
	fclose(f);
	ok(len > 0, "man page has an example zone");
	z = zone_load_string(text, len, "compauthd-zone.5", err, sizeof(err));
	ok(z != NULL, "the man page example loads");
	if (z == NULL)
		tap_diag("%s", err);
	for (size_t i = 0; z != NULL && i < sizeof(said) / sizeof(said[0]); i++) {
		struct dns_rrset *rs = zone_lookup(z, said[i].name, said[i].type);

		is_str(dns_status_name(rs->status), said[i].status, "man example %s/%s: status",
		    said[i].name, dns_type_name(said[i].type));
		is_str(rs->why, said[i].why, "man example %s/%s: why", said[i].name,
		    dns_type_name(said[i].type));
		is_int(rs->ttl, said[i].ttl, "man example %s/%s: ttl", said[i].name,
		    dns_type_name(said[i].type));
		dns_rrset_free(&rs);
	}
	zone_free(&z);
	free(text);
}

int
main(void)
{
	test_man_example();
	test_lookups();
	test_errors();
	test_limits();
	test_file();
	return tap_done();
}
