/*
 * dnswire: hand-built response messages → exact classification, TTL and
 * records; name syntax; the packed record set.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "../dnstest.h"
#include "dnswire.h"

#define QR 0x8000
#define AA 0x0400
#define TC 0x0200
#define RD 0x0100
#define RA 0x0080
#define NOERROR (QR | RD | RA)
#define NXDOMAIN (QR | RD | RA | 3)

struct msg {
	unsigned char b[16384];
	size_t n;
};

static void
put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (unsigned char)v;
}

static void
put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void
put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void
putbytes(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* Uncompressed labels; "" is the root. */
static void
put_labels(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		put8(m, (unsigned)l);
		putbytes(m, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
}

static void
put_name(struct msg *m, const char *name)
{
	put_labels(m, name);
	put8(m, 0);
}

static void
put_ptr(struct msg *m, size_t off)
{
	put16(m, 0xc000 | (unsigned)off);
}

static void
hdr(struct msg *m, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

static void
question(struct msg *m, const char *name, unsigned type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

/* Owner, type, class IN, TTL and RDLENGTH; RDATA follows. */
static void
rr(struct msg *m, const char *owner, unsigned type, uint32_t ttl, unsigned rdlen)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, rdlen);
}

static void
rr_a(struct msg *m, const char *owner, uint32_t ttl, const char *ip)
{
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	rr(m, owner, DNS_T_A, ttl, 4);
	putbytes(m, &a, 4);
}

static void
rr_name(struct msg *m, const char *owner, unsigned type, uint32_t ttl, const char *target)
{
	rr(m, owner, type, ttl, (unsigned)(strlen(target) + 2));
	put_name(m, target);
}

static void
rr_soa(struct msg *m, const char *owner, uint32_t ttl, uint32_t minimum)
{
	rr(m, owner, DNS_T_SOA, ttl, (unsigned)(strlen("ns.example.com") + 2 +
	    strlen("hostmaster.example.com") + 2 + 20));
	put_name(m, "ns.example.com");
	put_name(m, "hostmaster.example.com");
	put32(m, 2024010101);
	put32(m, 7200);
	put32(m, 3600);
	put32(m, 1209600);
	put32(m, minimum);
}

/* ---- the messages ------------------------------------------------------ */

static void
m_a(struct msg *m)
{
	hdr(m, NOERROR, 1, 2, 0, 0);
	question(m, "example.com", DNS_T_A);
	rr_a(m, "example.com", 300, "192.0.2.1");
	rr_a(m, "example.com", 200, "192.0.2.2");
}

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

static void
m_cname_chain(struct msg *m)
{
	hdr(m, NOERROR, 1, 4, 0, 0);
	question(m, "www.example.com", DNS_T_A);
	rr_a(m, "unrelated.example.com", 10, "192.0.2.99");
	rr_name(m, "www.example.com", DNS_T_CNAME, 500, "a.example.net");
	rr_name(m, "a.example.net", DNS_T_CNAME, 120, "b.example.org");
	rr_a(m, "b.example.org", 400, "192.0.2.9");
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

/* www → c1 → … → c9: nine hops, one more than DNS_CNAME_MAX. */
static void
m_cname_too_long(struct msg *m)
{
	char from[32], to[32];

	hdr(m, NOERROR, 1, 10, 0, 0);
	question(m, "www.example.com", DNS_T_A);
	for (int i = 0; i < 9; i++) {
		snprintf(from, sizeof(from), i ? "c%d.example.com" : "www.example.com", i);
		snprintf(to, sizeof(to), "c%d.example.com", i + 1);
		rr_name(m, from, DNS_T_CNAME, 300, to);
	}
	rr_a(m, "c9.example.com", 300, "192.0.2.1");
}

static void
m_cname_eight(struct msg *m)
{
	char from[32], to[32];

	hdr(m, NOERROR, 1, 9, 0, 0);
	question(m, "www.example.com", DNS_T_A);
	for (int i = 0; i < 8; i++) {
		snprintf(from, sizeof(from), i ? "c%d.example.com" : "www.example.com", i);
		snprintf(to, sizeof(to), "c%d.example.com", i + 1);
		rr_name(m, from, DNS_T_CNAME, 300 - (uint32_t)i, to);
	}
	rr_a(m, "c8.example.com", 300, "192.0.2.1");
}

static void
m_cname_loop(struct msg *m)
{
	hdr(m, NOERROR, 1, 2, 0, 0);
	question(m, "a.example.com", DNS_T_A);
	rr_name(m, "a.example.com", DNS_T_CNAME, 300, "b.example.com");
	rr_name(m, "b.example.com", DNS_T_CNAME, 300, "a.example.com");
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
m_ptr_self(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	put_ptr(m, m->n);       /* points at itself */
	put16(m, DNS_T_A);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	put32(m, 0xc0000201);
}

static void
m_ptr_forward(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	put_ptr(m, m->n + 2);   /* points forward, at the type field */
	put16(m, DNS_T_A);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	put32(m, 0xc0000201);
}

/* Two names pointing into each other in the RDATA: still backwards-only. */
static void
m_ptr_mutual(struct msg *m)
{
	size_t p1;

	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_PTR);
	put_ptr(m, 12);
	put16(m, DNS_T_PTR);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	p1 = m->n;
	put_ptr(m, p1 + 2);
	put_ptr(m, p1);
}

static void
m_truncated(struct msg *m)
{
	m_a(m);
	m->n -= 3;
}

static void
m_short(struct msg *m)
{
	m->n = 0;
	putbytes(m, "\x12\x34\x81\x80\x00", 5);
}

static void
m_garbage(struct msg *m)
{
	uint32_t x = 12345;

	m->n = 0;
	for (int i = 0; i < 200; i++) {
		x = x * 1103515245u + 12345u;
		put8(m, (x >> 16) & 0xff);
	}
	m->b[2] = 0x81;         /* QR and RD, rcode 0 */
	m->b[3] = 0x80;
	m->b[4] = 0;
	m->b[5] = 1;
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
m_other_name(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.org", DNS_T_A);
	rr_a(m, "example.org", 60, "192.0.2.1");
}

static void
m_other_type(struct msg *m)
{
	hdr(m, NOERROR, 1, 0, 0, 0);
	question(m, "example.com", DNS_T_TXT);
}

static void
m_no_question(struct msg *m)
{
	hdr(m, NOERROR, 0, 1, 0, 0);
	rr_a(m, "example.com", 60, "192.0.2.1");
}

static void
m_query(struct msg *m)
{
	hdr(m, RD, 1, 0, 0, 0);
	question(m, "example.com", DNS_T_A);
}

static void
m_bad_a_len(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	rr(m, "example.com", DNS_T_A, 60, 5);
	putbytes(m, "\xc0\x00\x02\x01\x00", 5);
}

static void
m_bad_unrelated(struct msg *m)
{
	hdr(m, NOERROR, 1, 2, 0, 0);
	question(m, "example.com", DNS_T_A);
	rr(m, "other.example.com", DNS_T_A, 60, 3);
	putbytes(m, "\xc0\x00\x02", 3);
	rr_a(m, "example.com", 60, "192.0.2.1");
}

static void
m_bad_txt(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_TXT);
	rr(m, "example.com", DNS_T_TXT, 60, 3);
	put8(m, 5);
	putbytes(m, "ab", 2);
}

static void
m_bad_mx_tail(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_MX);
	rr(m, "example.com", DNS_T_MX, 60, 2 + 4 + 1);
	put16(m, 10);
	put_name(m, "mx");
	put8(m, 0);             /* a byte after the name inside RDATA */
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
m_too_many(struct msg *m)
{
	hdr(m, NOERROR, 1, DNSWIRE_MAX_RR + 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	for (int i = 0; i <= DNSWIRE_MAX_RR; i++) {
		put_ptr(m, 12);
		put16(m, DNS_T_A);
		put16(m, 1);
		put32(m, 60);
		put16(m, 4);
		put32(m, 0xc0000200u + (uint32_t)i);
	}
}

static void
m_max_records(struct msg *m)
{
	hdr(m, NOERROR, 1, DNSWIRE_MAX_RR, 0, 0);
	question(m, "example.com", DNS_T_A);
	for (int i = 0; i < DNSWIRE_MAX_RR; i++) {
		put_ptr(m, 12);
		put16(m, DNS_T_A);
		put16(m, 1);
		put32(m, 60);
		put16(m, 4);
		put32(m, 0xc0000200u + (uint32_t)i);
	}
}

static void
m_ext_label(struct msg *m)
{
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_A);
	put8(m, 0x41);          /* RFC 6891 extended label type */
	put8(m, 0);
	put16(m, DNS_T_A);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	put32(m, 0xc0000201);
}

/* A PTR target of 4 × 63-octet labels: 257 octets on the wire. */
static void
m_long_name(struct msg *m)
{
	char label[64];

	memset(label, 'a', 63);
	label[63] = '\0';
	hdr(m, NOERROR, 1, 1, 0, 0);
	question(m, "example.com", DNS_T_PTR);
	rr(m, "example.com", DNS_T_PTR, 60, 4 * 64 + 1);
	for (int i = 0; i < 4; i++)
		put_labels(m, label);
	put8(m, 0);
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
m_bad_soa(struct msg *m)
{
	hdr(m, NXDOMAIN, 1, 0, 1, 0);
	question(m, "nope.example.com", DNS_T_A);
	rr(m, "example.com", DNS_T_SOA, 60, 1 + 1 + 19);
	put8(m, 0);
	put8(m, 0);
	for (int i = 0; i < 19; i++)
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

static void
m_empty_answer_bad_auth(struct msg *m)
{
	hdr(m, NOERROR, 1, 0, 1, 0);
	question(m, "example.com", DNS_T_A);
	put_name(m, "example.com");
	put16(m, DNS_T_SOA);
}

static const struct {
	const char *desc;
	const char *rfc;
	void (*build)(struct msg *);
	const char *qname;
	enum dns_type qtype;
	enum dns_status status;
	const char *why;
	uint32_t ttl;
	const char *records;            /* formatted, "; " between records */
} cases[] = {
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
	{ "CNAME chain of 8 is followed", "bound", m_cname_eight,
	  "www.example.com", DNS_T_A, DNS_OK, NULL, 293, "A 192.0.2.1" },
	{ "CNAME chain of 9 is refused", "bound", m_cname_too_long,
	  "www.example.com", DNS_T_A, DNS_PERMFAIL, "CNAME chain too long", 0, "" },
	{ "CNAME loop inside the answer", "RFC 1034 §3.6.2", m_cname_loop,
	  "a.example.com", DNS_T_A, DNS_PERMFAIL, "CNAME chain too long", 0, "" },
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
	{ "compression pointer to itself", "RFC 1035 §4.1.4", m_ptr_self,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed answer section", 0, "" },
	{ "forward compression pointer", "RFC 1035 §4.1.4", m_ptr_forward,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed answer section", 0, "" },
	{ "two pointers in a cycle (one must point forward)", "RFC 1035 §4.1.4", m_ptr_mutual,
	  "example.com", DNS_T_PTR, DNS_PERMFAIL, "malformed record", 0, "" },
	{ "message cut inside a record", "RFC 1035 §4.1", m_truncated,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed answer section", 0, "" },
	{ "message shorter than a header", "RFC 1035 §4.1.1", m_short,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "short message", 0, "" },
	{ "garbage after a plausible header", "RFC 1035 §4.1", m_garbage,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed question", 0, "" },
	{ "TC bit set", "RFC 1035 §4.1.1", m_tc,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "truncated", 0, "" },
	{ "SERVFAIL", "RFC 1035 §4.1.1", m_servfail,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "SERVFAIL", 0, "" },
	{ "REFUSED", "RFC 1035 §4.1.1", m_refused,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "REFUSED", 0, "" },
	{ "FORMERR", "RFC 1035 §4.1.1", m_formerr,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "FORMERR", 0, "" },
	{ "answer to another name", "RFC 5452 §9.1", m_other_name,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "question mismatch", 0, "" },
	{ "answer to another type", "RFC 5452 §9.1", m_other_type,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "question mismatch", 0, "" },
	{ "no question section", "RFC 1035 §4.1.2", m_no_question,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "bad question count", 0, "" },
	{ "a query, not a response", "RFC 1035 §4.1.1", m_query,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "not a query response", 0, "" },
	{ "A with 5 octets of RDATA", "RFC 1035 §3.4.1", m_bad_a_len,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed record", 0, "" },
	{ "malformed record we do not use is ignored", "RFC 1035 §4.1.3", m_bad_unrelated,
	  "example.com", DNS_T_A, DNS_OK, NULL, 60, "A 192.0.2.1" },
	{ "TXT string overruns RDATA", "RFC 1035 §3.3.14", m_bad_txt,
	  "example.com", DNS_T_TXT, DNS_PERMFAIL, "malformed record", 0, "" },
	{ "MX RDATA longer than its name", "RFC 1035 §3.3.9", m_bad_mx_tail,
	  "example.com", DNS_T_MX, DNS_PERMFAIL, "malformed record", 0, "" },
	{ "TTL with the top bit set reads as 0", "RFC 2181 §8", m_high_ttl,
	  "example.com", DNS_T_A, DNS_OK, NULL, 0, "A 192.0.2.1" },
	{ "referral from a non-recursive server", "RFC 1034 §4.3.1", m_referral,
	  "example.com", DNS_T_A, DNS_TEMPFAIL, "referral", 0, "" },
	{ "257 answer records", "bound", m_too_many,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "too many records", 0, "" },
	{ "extended label type", "RFC 6891 §5", m_ext_label,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed answer section", 0, "" },
	{ "name of 257 octets", "RFC 1035 §2.3.4", m_long_name,
	  "example.com", DNS_T_PTR, DNS_PERMFAIL, "malformed record", 0, "" },
	{ "null MX", "RFC 7505 §3", m_null_mx,
	  "example.com", DNS_T_MX, DNS_OK, NULL, 300, "MX 0 " },
	{ "dot, backslash and control octets escaped", "RFC 4343 §2.1", m_odd_label,
	  "example.com", DNS_T_PTR, DNS_OK, NULL, 60, "PTR a\\046\\092\\001" },
	{ "malformed SOA", "RFC 1035 §3.3.13", m_bad_soa,
	  "nope.example.com", DNS_T_A, DNS_PERMFAIL, "malformed SOA", 0, "" },
	{ "record of another class ignored", "RFC 1035 §3.2.4", m_class_ch,
	  "example.com", DNS_T_A, DNS_NODATA, NULL, DNS_NEG_TTL_DEFAULT, "" },
	{ "authority section cut short", "RFC 1035 §4.1", m_empty_answer_bad_auth,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed authority section", 0, "" },
};

static void
format_records(const struct dns_rrset *rs, char *buf, size_t len)
{
	dnstest_format(rs->rr, rs->n, buf, len);
}

static void
test_parse(void)
{
	static struct msg m;
	char got[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dns_rrset *rs;

		memset(&m, 0, sizeof(m));
		cases[i].build(&m);
		rs = dnswire_parse(m.b, m.n, cases[i].qname, cases[i].qtype);
		is_str(dns_status_name(rs->status), dns_status_name(cases[i].status),
		    "%s (%s): status", cases[i].desc, cases[i].rfc);
		is_str(rs->why, cases[i].why, "%s: why", cases[i].desc);
		is_int(rs->ttl, cases[i].ttl, "%s: ttl", cases[i].desc);
		format_records(rs, got, sizeof(got));
		is_str(got, cases[i].records, "%s: records", cases[i].desc);
		dns_rrset_free(&rs);
		ok(rs == NULL, "%s: free clears the pointer", cases[i].desc);
	}
}

/* Every A of the biggest accepted answer, in order. */
static void
test_max_records(void)
{
	static struct msg m;
	struct dns_rrset *rs;
	bool in_order = true;

	m_max_records(&m);
	rs = dnswire_parse(m.b, m.n, "example.com", DNS_T_A);
	is_int(rs->n, DNSWIRE_MAX_RR, "%d A records accepted", DNSWIRE_MAX_RR);
	for (size_t i = 0; i < rs->n; i++)
		if (ntohl(rs->rr[i].u.a.s_addr) != 0xc0000200u + i)
			in_order = false;
	ok(in_order, "records kept in message order");
	dns_rrset_free(&rs);
}

/* Every prefix of a valid message is rejected without reading past it. */
static void
test_prefixes(void)
{
	static struct msg m;
	bool all = true;

	m_cname_chain(&m);
	for (size_t n = 0; n < m.n; n++) {
		unsigned char *copy = malloc(n ? n : 1);
		struct dns_rrset *rs;

		memcpy(copy, m.b, n);
		rs = dnswire_parse(copy, n, "www.example.com", DNS_T_A);
		if (rs->status != DNS_PERMFAIL)
			all = false;
		dns_rrset_free(&rs);
		free(copy);
	}
	ok(all, "all %zu proper prefixes of a CNAME-chain answer are PERMFAIL", m.n);
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
	test_max_records();
	test_prefixes();
	test_names();
	test_rrset();
	return tap_done();
}
