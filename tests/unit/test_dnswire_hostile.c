/*
 * dnswire on malformed and hostile responses: bad compression pointers,
 * cut and random messages, answers to another question, RDATA that
 * lies about its length, and the bounds (CNAME hops, record count, name
 * length); every prefix of a valid answer is refused.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "dnswire.h"
#include "dnswire_test_util.h"

/* ---- the messages ------------------------------------------------------ */

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
m_empty_answer_bad_auth(struct msg *m)
{
	hdr(m, NOERROR, 1, 0, 1, 0);
	question(m, "example.com", DNS_T_A);
	put_name(m, "example.com");
	put16(m, DNS_T_SOA);
}

static const struct wire_case cases[] = {
	{ "CNAME chain of 8 is followed", "bound", m_cname_eight,
	  "www.example.com", DNS_T_A, DNS_OK, NULL, 293, "A 192.0.2.1" },
	{ "CNAME chain of 9 is refused", "bound", m_cname_too_long,
	  "www.example.com", DNS_T_A, DNS_PERMFAIL, "CNAME chain too long", 0, "" },
	{ "CNAME loop inside the answer", "RFC 1034 §3.6.2", m_cname_loop,
	  "a.example.com", DNS_T_A, DNS_PERMFAIL, "CNAME chain too long", 0, "" },
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
	{ "257 answer records", "bound", m_too_many,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "too many records", 0, "" },
	{ "extended label type", "RFC 6891 §5", m_ext_label,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed answer section", 0, "" },
	{ "name of 257 octets", "RFC 1035 §2.3.4", m_long_name,
	  "example.com", DNS_T_PTR, DNS_PERMFAIL, "malformed record", 0, "" },
	{ "malformed SOA", "RFC 1035 §3.3.13", m_bad_soa,
	  "nope.example.com", DNS_T_A, DNS_PERMFAIL, "malformed SOA", 0, "" },
	{ "authority section cut short", "RFC 1035 §4.1", m_empty_answer_bad_auth,
	  "example.com", DNS_T_A, DNS_PERMFAIL, "malformed authority section", 0, "" },
};

static void
test_parse(void)
{
	parse_cases(cases, sizeof(cases) / sizeof(cases[0]));
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

int
main(void)
{
	test_parse();
	test_max_records();
	test_prefixes();
	return tap_done();
}
