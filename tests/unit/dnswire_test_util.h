/*
 * dnswire_test_util.h: what the test_dnswire* programs share: a response
 * message built by hand (header, question, records, compression pointers),
 * two well-formed answers the hostile tests also cut up, and the
 * table-driven check of dnswire_parse (status, why, TTL, records).
 */
#ifndef COMPAUTHD_DNSWIRE_TEST_UTIL_H
#define COMPAUTHD_DNSWIRE_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
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

static __attribute__((unused)) void
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

/* ---- well-formed answers both programs build on ------------------------ */

static void
m_a(struct msg *m)
{
	hdr(m, NOERROR, 1, 2, 0, 0);
	question(m, "example.com", DNS_T_A);
	rr_a(m, "example.com", 300, "192.0.2.1");
	rr_a(m, "example.com", 200, "192.0.2.2");
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

/* ---- the table-driven check ------------------------------------------- */

struct wire_case {
	const char *desc;
	const char *rfc;
	void (*build)(struct msg *);
	const char *qname;
	enum dns_type qtype;
	enum dns_status status;
	const char *why;
	uint32_t ttl;
	const char *records;            /* formatted, "; " between records */
};

static void
format_records(const struct dns_rrset *rs, char *buf, size_t len)
{
	dnstest_format(rs->rr, rs->n, buf, len);
}

/* Each row: build, parse as qname/qtype, five test points. */
static void
parse_cases(const struct wire_case *cases, size_t ncases)
{
	static struct msg m;
	char got[2048];

	for (size_t i = 0; i < ncases; i++) {
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

#endif
