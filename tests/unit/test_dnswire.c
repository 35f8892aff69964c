/*
 * dnswire on well-formed responses: hand-built answers → exact
 * classification, TTL and records (data, CNAMEs, negative answers, error
 * rcodes, referrals); name syntax; the packed record set. Malformed and
 * hostile messages and the parser's bounds: test_dnswire_hostile.c.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "../tap.h"
#include "dnswire.h"
#include "dnswire_test_util.h"

/* ---- the messages ------------------------------------------------------ */

static void
m_aaaa(struct msg *m)
{
	struct in6_addr a;

	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_AAAA);
	inet_pton(AF_INET6, "2001:db8::1", &a);
	rr(m, "example.com", DNS_T_AAAA, 3600, 16);
	putbytes(m, &a, 16);
}

/* Owners and the exchange name compressed against the question (offset 12). */
static void
m_mx_compressed(struct msg *m)
{
	size_t mx1;

	hdr(m, NOERROR, 1, 2, 0, 0);
	question(m, "example.com", DNS_T_MX);
	put_ptr(m, 12);
	put16(m, DNS_T_MX);
	put16(m, 1);
	put32(m, 600);
	put16(m, 2 + 4 + 2);
	put16(m, 10);
	mx1 = m->n;
	put_labels(m, "mx1");
	put_ptr(m, 12);
	put_ptr(m, 12);
	put16(m, DNS_T_MX);
	put16(m, 1);
	put32(m, 600);
	put16(m, 2 + 2);
	put16(m, 20);
	put_ptr(m, mx1);        /* the "mx1.example.com" just written */
}

static void
m_ptr(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_name(m, "1.2.0.192.in-addr.arpa", DNS_T_PTR, 86400, "Host.Example.COM");
}

static void
m_txt_multi(struct msg *m)
{
	hdr(m, NOERROR, 1, 2, 0, 0);
	question(m, "example.com", DNS_T_TXT);
	rr(m, "example.com", DNS_T_TXT, 300, 1 + 7 + 1 + 4);
	put8(m, 7);
	putbytes(m, "v=spf1 ", 7);
	put8(m, 4);
	putbytes(m, "-all", 4);
	rr(m, "example.com", DNS_T_TXT, 300, 1 + 3 + 1);
	put8(m, 3);
	putbytes(m, "a\0\"", 3);
	put8(m, 0);             /* an empty string is legal */
}

/* Illegal (RFC 1034 §3.6.2), but if a name has both, its data is used. */
static void
m_cname_and_data(struct msg *m)
{
	hdr(m, NOERROR, 1, 3, 0, 0);
	question(m, "www.example.com", DNS_T_A);
	rr_name(m, "www.example.com", DNS_T_CNAME, 500, "a.example.net");
	rr_a(m, "www.example.com", 400, "192.0.2.98");
	rr_a(m, "a.example.net", 400, "192.0.2.9");
}

static void
m_cname_as_asked(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "www.example.com", DNS_T_CNAME);
	rr_name(m, "www.example.com", DNS_T_CNAME, 500, "a.example.net");
}

static void
m_nxdomain_soa(struct msg *m)
{
	hdr(m, NXDOMAIN | AA, 1, 0, 1, 0);
	question(m, "nope.example.com", DNS_T_TXT);
	rr_soa(m, "example.com", 3600, 300);
}

static void
m_nxdomain_soa_ttl_lower(struct msg *m)
{
	hdr(m, NXDOMAIN, 1, 0, 1, 0);
	question(m, "nope.example.com", DNS_T_TXT);
	rr_soa(m, "example.com", 100, 300);
}

static void
m_nodata_soa(struct msg *m)
{
	hdr(m, NOERROR | AA, 1, 0, 1, 0);
	question(m, "example.com", DNS_T_AAAA);
	rr_soa(m, "example.com", 3600, 900);
}

static void
m_nodata_no_soa(struct msg *m)
{
	hdr(m, NOERROR, 1, 0, 0, 0);
	question(m, "example.com", DNS_T_AAAA);
}

static void
m_nodata_other_type(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 1, 0);
	question(m, "example.com", DNS_T_A);
	rr(m, "example.com", DNS_T_TXT, 300, 2);
	put8(m, 1);
	put8(m, 'x');
	rr_soa(m, "example.com", 3600, 120);
}

static void
m_nxdomain_after_cname(struct msg *m)
{
	hdr(m, NXDOMAIN, 1, 1, 1, 0);
	question(m, "www.example.com", DNS_T_A);
	rr_name(m, "www.example.com", DNS_T_CNAME, 30, "gone.example.net");
	rr_soa(m, "example.net", 3600, 600);
}

static void
m_case(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "WWW.Example.COM", DNS_T_A);
	rr_a(m, "www.EXAMPLE.com", 60, "192.0.2.7");
}

static void
m_tc(struct msg *m)
{
	m_a(m);
	m->b[2] |= TC >> 8;
}

static void
m_servfail(struct msg *m)
{
	hdr(m, QR | RD | RA | 2, 1, 0, 0, 0);
	question(m, "example.com", DNS_T_A);
}

static void
m_refused(struct msg *m)
{
	hdr(m, QR | RD | 5, 1, 0, 0, 0);
	question(m, "example.com", DNS_T_A);
}

static void
m_formerr(struct msg *m)
{
	hdr(m, QR | RD | 1, 1, 0, 0, 0);
	question(m, "example.com", DNS_T_A);
}

static void
m_high_ttl(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	rr_a(m, "example.com", 0x80000010u, "192.0.2.1");
}

static void
m_referral(struct msg *m)
{
	hdr(m, QR | RD, 1, 0, 1, 0);
	question(m, "example.com", DNS_T_A);
	rr_name(m, "example.com", 2 /* NS */, 172800, "a.iana-servers.net");
}

static void
m_null_mx(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_MX);
	rr(m, "example.com", DNS_T_MX, 300, 3);
	put16(m, 0);
	put8(m, 0);
}

static void
m_odd_label(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_PTR);
	rr(m, "example.com", DNS_T_PTR, 60, 1 + 4 + 1);
	put8(m, 4);
	putbytes(m, "a.\\\x01", 4);
	put8(m, 0);
}

static void
m_class_ch(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	put_name(m, "example.com");
	put16(m, DNS_T_A);
	put16(m, 3);            /* CHAOS */
	put32(m, 60);
	put16(m, 4);
	put32(m, 0xc0000201);
}

static const struct wire_case cases[] = {
	{ "two A records, TTL is the minimum", "RFC 1035 §3.4.1", m_a,
	  "example.com", DNS_T_A, DNS_OK, NULL, 200, "A 192.0.2.1; A 192.0.2.2" },
	{ "AAAA", "RFC 3596 §2.2", m_aaaa,
	  "example.com", DNS_T_AAAA, DNS_OK, NULL, 3600, "AAAA 2001:db8::1" },
	{ "MX with compressed owners and exchange", "RFC 1035 §4.1.4", m_mx_compressed,
	  "example.com", DNS_T_MX, DNS_OK, NULL, 600, "MX 10 mx1.example.com; MX 20 mx1.example.com" },
	{ "PTR target lower-cased", "RFC 1035 §3.3.12", m_ptr,
	  "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, NULL, 86400, "PTR host.example.com" },
	{ "TXT strings concatenated, NUL kept", "RFC 7208 §3.3", m_txt_multi,
	  "example.com", DNS_T_TXT, DNS_OK, NULL, 300, "TXT \"v=spf1 -all\"; TXT \"a\\000\\\"\"" },
	{ "CNAME chain followed, TTL includes the chain", "RFC 1034 §3.6.2", m_cname_chain,
	  "www.example.com", DNS_T_A, DNS_OK, NULL, 120, "A 192.0.2.9" },
	{ "CNAME beside data at the name: data wins", "RFC 1034 §3.6.2", m_cname_and_data,
	  "www.example.com", DNS_T_A, DNS_OK, NULL, 400, "A 192.0.2.98" },
	{ "CNAME asked for is not followed", "RFC 1034 §3.6.2", m_cname_as_asked,
	  "www.example.com", DNS_T_CNAME, DNS_OK, NULL, 500, "CNAME a.example.net" },
	{ "NXDOMAIN, negative TTL is SOA MINIMUM", "RFC 2308 §5", m_nxdomain_soa,
	  "nope.example.com", DNS_T_TXT, DNS_NXDOMAIN, NULL, 300, "" },
	{ "NXDOMAIN, negative TTL is SOA TTL", "RFC 2308 §5", m_nxdomain_soa_ttl_lower,
	  "nope.example.com", DNS_T_TXT, DNS_NXDOMAIN, NULL, 100, "" },
	{ "NODATA with SOA", "RFC 2308 §2.2", m_nodata_soa,
	  "example.com", DNS_T_AAAA, DNS_NODATA, NULL, 900, "" },
	{ "NODATA without SOA: default negative TTL", "RFC 2308 §5", m_nodata_no_soa,
	  "example.com", DNS_T_AAAA, DNS_NODATA, NULL, DNS_NEG_TTL_DEFAULT, "" },
	{ "only other types at the name: NODATA", "RFC 2308 §2.2", m_nodata_other_type,
	  "example.com", DNS_T_A, DNS_NODATA, NULL, 120, "" },
	{ "NXDOMAIN at the end of a CNAME chain", "RFC 6604 §2.1", m_nxdomain_after_cname,
	  "www.example.com", DNS_T_A, DNS_NXDOMAIN, NULL, 30, "" },
	{ "names compare case-insensitively", "RFC 4343 §3", m_case,
	  "www.example.com", DNS_T_A, DNS_OK, NULL, 60, "A 192.0.2.7" },
	{ "TC bit set", "RFC 1035 §4.1.1", m_tc,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "truncated", 0, "" },
	{ "SERVFAIL", "RFC 1035 §4.1.1", m_servfail,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "SERVFAIL", 0, "" },
	{ "REFUSED", "RFC 1035 §4.1.1", m_refused,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "REFUSED", 0, "" },
	{ "FORMERR", "RFC 1035 §4.1.1", m_formerr,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "FORMERR", 0, "" },
	{ "TTL with the top bit set reads as 0", "RFC 2181 §8", m_high_ttl,
	  "example.com", DNS_T_A, DNS_OK, NULL, 0, "A 192.0.2.1" },
	{ "referral from a non-recursive server", "RFC 1034 §4.3.1", m_referral,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "referral", 0, "" },
	{ "null MX", "RFC 7505 §3", m_null_mx,
	  "example.com", DNS_T_MX, DNS_OK, NULL, 300, "MX 0 " },
	{ "dot, backslash and control octets escaped", "RFC 4343 §2.1", m_odd_label,
	  "example.com", DNS_T_PTR, DNS_OK, NULL, 60, "PTR a\\046\\092\\001" },
	{ "record of another class ignored", "RFC 1035 §3.2.4", m_class_ch,
	  "example.com", DNS_T_A, DNS_NODATA, NULL, DNS_NEG_TTL_DEFAULT, "" },
};

static void
test_parse(void)
{
	parse_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_names(void)
{
	static const struct {
		const char *in;
		const char *out;        /* NULL: invalid */
		const char *rfc;
	} names[] = {
		{ "Example.COM.", "example.com", "RFC 4343 §3" },
		{ "example.com", "example.com", "RFC 1035 §2.3.1" },
		{ "_dmarc.example.com", "_dmarc.example.com", "RFC 7489 §6.1" },
		{ "sel._domainkey.example.com", "sel._domainkey.example.com", "RFC 6376 §3.6.2.1" },
		{ "", NULL, "RFC 1035 §2.3.1" },
		{ ".", NULL, "root is never asked" },
		{ "a..b", NULL, "RFC 1035 §2.3.1: empty label" },
		{ ".a", NULL, "RFC 1035 §2.3.1: empty label" },
		{ "a.b..", NULL, "RFC 1035 §2.3.1: empty label" },
		{ "a b.example", NULL, "space" },
		{ "a\\.b.example", NULL, "backslash" },
		{ "caf\xc3\xa9.example", NULL, "8-bit octets (U-labels are not A-labels)" },
		{ "tab\t.example", NULL, "control octet" },
	};
	char out[DNS_NAME_BUFSZ], big[400];
	bool r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = dns_name_normalize(names[i].in, out, sizeof(out));
		ok(r == (names[i].out != NULL), "name \"%s\" %s (%s)", names[i].in,
		    names[i].out ? "valid" : "invalid", names[i].rfc);
		if (r && names[i].out)
			is_str(out, names[i].out, "name \"%s\" canonical form", names[i].in);
	}
	/* Label of 63 octets fine, 64 not (RFC 1035 §2.3.4). */
	memset(big, 'a', 63);
	strcpy(big + 63, ".example");
	ok(dns_name_normalize(big, out, sizeof(out)), "63-octet label valid");
	memset(big, 'a', 64);
	strcpy(big + 64, ".example");
	ok(!dns_name_normalize(big, out, sizeof(out)), "64-octet label invalid");
	/* 253 octets of text fine, 254 not. */
	for (int i = 0; i < 4; i++) {
		memset(big + i * 64, 'b', 63);
		big[i * 64 + 63] = '.';
	}
	big[253] = '\0';
	ok(dns_name_normalize(big, out, sizeof(out)), "253-octet name valid");
	ok(strlen(out) == 253, "253-octet name kept whole");
	strcpy(big + 253, ".");
	ok(dns_name_normalize(big, out, sizeof(out)), "253-octet name with final dot valid");
	big[253] = 'c';
	big[254] = '\0';
	ok(!dns_name_normalize(big, out, sizeof(out)), "254-octet name invalid");
	ok(!dns_name_normalize("example.com", out, 5), "too small output buffer refused");
}

static void
test_rrset(void)
{
	struct dns_rr in[3];
	struct dns_rrset *rs;
	char host[] = "mx.example.com", txt[] = "v=spf1\0-all", buf[128];

	memset(in, 0, sizeof(in));
	in[0].type = DNS_T_MX;
	in[0].ttl = 5;
	in[0].u.mx.pref = 7;
	in[0].u.mx.host = host;
	in[1].type = DNS_T_TXT;
	in[1].u.txt.data = txt;
	in[1].u.txt.len = 11;
	in[2].type = DNS_T_A;
	in[2].u.a.s_addr = htonl(0xc0000201);
	rs = dns_rrset_new(DNS_OK, NULL, 5, in, 3);
	host[0] = 'X';
	txt[0] = 'X';
	is_str(dns_rr_format(&rs->rr[0], buf, sizeof(buf)), "MX 7 mx.example.com", "rrset copies MX host");
	is_str(dns_rr_format(&rs->rr[1], buf, sizeof(buf)), "TXT \"v=spf1\\000-all\"", "rrset copies TXT with NUL");
	is_int(rs->rr[1].u.txt.len, 11, "TXT length kept");
	ok(rs->rr[1].u.txt.data[11] == '\0', "TXT data NUL-terminated");
	is_str(dns_rr_format(&rs->rr[2], buf, sizeof(buf)), "A 192.0.2.1", "rrset copies A");
	ok((char *)rs->rr[1].u.txt.data > (char *)rs && (char *)rs->rr[1].u.txt.data < (char *)rs + rs->size,
	    "strings live inside the block");
	dns_rrset_free(&rs);
	is_str(dns_rr_format(&in[0], buf, 8), "MX 7 Xx", "format truncates to the buffer");
	dns_rrset_free(&rs);
	ok(rs == NULL, "double free of a cleared pointer is harmless");
}

int
main(void)
{
	test_parse();
	test_names();
	test_rrset();
	return tap_done();
}
