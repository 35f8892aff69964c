/*
 * DNS wire format. c-ares hands us the raw response; we classify it here
 * ourselves because we need what its convenience parsers drop: every TTL,
 * the SOA of a negative answer (RFC 2308), and a bounded walk of a CNAME
 * chain that keeps only the records of the asked type. The input comes
 * from the network, so every read is bounds-checked, compression pointers
 * may only point backwards (no loops), and record counts are capped.
 */
#include <arpa/inet.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dnswire.h"

#define DNS_HDR_LEN 12
#define DNS_CLASS_IN 1
#define DNS_F_QR 0x8000
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_T_NS 2
/* Compression pointers followed while decoding one name. */
#define DNSWIRE_MAX_PTRS 64

enum {
	RCODE_NOERROR = 0,
	RCODE_FORMERR = 1,
	RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3,
	RCODE_NOTIMP = 4,
	RCODE_REFUSED = 5,
};

/* Where one resource record sits in the message. */
struct wire_rr {
	size_t owner;           /* offset of the owner name */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	size_t rdata;           /* offset of the RDATA */
	uint16_t rdlen;
};

struct wire {
	const unsigned char *msg;
	size_t len;
};

const char *
dns_type_name(enum dns_type t)
{
	switch (t) {
	case DNS_T_A: return "A";
	case DNS_T_CNAME: return "CNAME";
	case DNS_T_SOA: return "SOA";
	case DNS_T_PTR: return "PTR";
	case DNS_T_MX: return "MX";
	case DNS_T_TXT: return "TXT";
	case DNS_T_AAAA: return "AAAA";
	}
	return "TYPE?";
}

const char *
dns_status_name(enum dns_status st)
{
	switch (st) {
	case DNS_OK: return "ok";
	case DNS_NXDOMAIN: return "nxdomain";
	case DNS_NODATA: return "nodata";
	case DNS_TEMPFAIL: return "tempfail";
	case DNS_PERMFAIL: return "permfail";
	}
	return "unknown";
}

static void *
dns_xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		/* Same policy as the arena: the MTA's milter_default_action applies. */
		fputs("compauthd: out of memory\n", stderr);
		abort();
	}
	return p;
}

static size_t
dns_rr_strsize(const struct dns_rr *rr)
{
	switch (rr->type) {
	case DNS_T_MX:
		return strlen(rr->u.mx.host) + 1;
	case DNS_T_PTR:
	case DNS_T_CNAME:
		return strlen(rr->u.name) + 1;
	case DNS_T_TXT:
		return rr->u.txt.len + 1;
	}
	return 0;
}

struct dns_rrset *
dns_rrset_new(enum dns_status status, const char *why, uint32_t ttl,
    const struct dns_rr *rr, size_t n)
{
	size_t head, size, i, k;
	struct dns_rrset *s;
	char *str;

	head = (sizeof(*s) + alignof(struct dns_rr) - 1) & ~(alignof(struct dns_rr) - 1);
	size = head + n * sizeof(*rr);
	for (i = 0; i < n; i++)
		size += dns_rr_strsize(&rr[i]);
	s = dns_xmalloc(size);
	s->status = status;
	s->why = why;
	s->ttl = ttl;
	s->n = n;
	s->size = size;
	s->rr = (struct dns_rr *)(void *)((char *)s + head);
	str = (char *)s + head + n * sizeof(*rr);
	for (i = 0; i < n; i++) {
		s->rr[i] = rr[i];
		k = dns_rr_strsize(&rr[i]);
		switch (rr[i].type) {
		case DNS_T_MX:
			memcpy(str, rr[i].u.mx.host, k);
			s->rr[i].u.mx.host = str;
			break;
		case DNS_T_PTR:
		case DNS_T_CNAME:
			memcpy(str, rr[i].u.name, k);
			s->rr[i].u.name = str;
			break;
		case DNS_T_TXT:
			memcpy(str, rr[i].u.txt.data, k - 1);
			str[k - 1] = '\0';
			s->rr[i].u.txt.data = str;
			break;
		}
		str += k;
	}
	return s;
}

void
dns_rrset_free(struct dns_rrset **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	free(*sp);
	*sp = NULL;
}

bool
dns_name_normalize(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), i, label = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX || outlen < n + 1)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (c < 0x21 || c > 0x7e || c == '\\') {
			/* Backslash would be read as an escape by c-ares. */
			return false;
		} else if (++label > 63) {
			return false;
		}
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
	}
	if (label == 0)
		return false;
	out[n] = '\0';
	return true;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Decodes the name at *off into text (lower case, no final dot, "" for the
 * root; octets outside printable ASCII, '.' and '\\' as \DDD so the text is
 * unambiguous) and moves *off past the name as stored in place. A pointer
 * must point before itself, which makes loops impossible.
 */
static bool
wire_name(const struct wire *w, size_t *off, char *out, size_t outlen)
{
	size_t pos = *off, o = 0, wirelen = 0, end = 0;
	unsigned ptrs = 0;
	bool jumped = false;

	for (;;) {
		unsigned char l;

		if (pos >= w->len)
			return false;
		l = w->msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= w->len || ++ptrs > DNSWIRE_MAX_PTRS)
				return false;
			target = (size_t)(l & 0x3f) << 8 | w->msg[pos + 1];
			if (target >= pos)
				return false;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if ((l & 0xc0) != 0)
			return false;   /* extended label types (RFC 6891 §5) */
		wirelen += (size_t)l + 1;
		if (wirelen > 255)
			return false;
		if (l == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		if (pos + 1 + l > w->len)
			return false;
		if (o > 0) {
			if (o + 1 >= outlen)
				return false;
			out[o++] = '.';
		}
		for (size_t i = 1; i <= l; i++) {
			unsigned char c = w->msg[pos + i];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
				if (o + 1 >= outlen)
					return false;
				out[o++] = (char)c;
			} else {
				if (o + 4 >= outlen)
					return false;
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			}
		}
		pos += 1 + (size_t)l;
	}
	out[o] = '\0';
	*off = end;
	return true;
}

/* Reads one record's fixed part; the RDATA must lie inside the message. */
static bool
wire_rr(const struct wire *w, size_t *off, struct wire_rr *rr)
{
	char name[DNS_WIRENAME_BUFSZ];
	const unsigned char *p;

	rr->owner = *off;
	if (!wire_name(w, off, name, sizeof(name)))
		return false;
	if (w->len - *off < 10)
		return false;
	p = w->msg + *off;
	rr->type = get16(p);
	rr->rclass = get16(p + 2);
	rr->ttl = get32(p + 4);
	/* RFC 2181 §8: a TTL with the top bit set is read as zero. */
	if (rr->ttl & 0x80000000u)
		rr->ttl = 0;
	rr->rdlen = get16(p + 8);
	rr->rdata = *off + 10;
	if (rr->rdlen > w->len - rr->rdata)
		return false;
	*off = rr->rdata + rr->rdlen;
	return true;
}

static bool
wire_owner_is(const struct wire *w, const struct wire_rr *rr, const char *name)
{
	char owner[DNS_WIRENAME_BUFSZ];
	size_t off = rr->owner;

	return wire_name(w, &off, owner, sizeof(owner)) && strcmp(owner, name) == 0;
}

/* A name filling exactly the RDATA (PTR, CNAME) or its tail (MX). */
static char *
wire_rdata_name(const struct wire *w, size_t off, size_t end, struct arena *a)
{
	char name[DNS_WIRENAME_BUFSZ];

	if (!wire_name(w, &off, name, sizeof(name)) || off != end)
		return NULL;
	return arena_strdup(a, name);
}

/* RDATA of a record of the asked type into out; false when malformed. */
static bool
wire_rdata(const struct wire *w, const struct wire_rr *rr, struct dns_rr *out, struct arena *a)
{
	const unsigned char *p = w->msg + rr->rdata;
	size_t end = rr->rdata + rr->rdlen, i, total;
	char *txt;

	memset(out, 0, sizeof(*out));
	out->type = rr->type;
	out->ttl = rr->ttl;
	switch (rr->type) {
	case DNS_T_A:
		if (rr->rdlen != 4)
			return false;
		memcpy(&out->u.a, p, 4);
		return true;
	case DNS_T_AAAA:
		if (rr->rdlen != 16)
			return false;
		memcpy(&out->u.aaaa, p, 16);
		return true;
	case DNS_T_MX:
		if (rr->rdlen < 3)
			return false;
		out->u.mx.pref = get16(p);
		out->u.mx.host = wire_rdata_name(w, rr->rdata + 2, end, a);
		return out->u.mx.host != NULL;
	case DNS_T_PTR:
	case DNS_T_CNAME:
		out->u.name = wire_rdata_name(w, rr->rdata, end, a);
		return out->u.name != NULL;
	case DNS_T_TXT:
		/* One or more <character-string>s filling the RDATA (RFC 1035 §3.3.14). */
		if (rr->rdlen == 0)
			return false;
		for (i = 0, total = 0; i < rr->rdlen; i += 1 + (size_t)p[i]) {
			if (i + 1 + p[i] > rr->rdlen)
				return false;
			total += p[i];
		}
		txt = arena_alloc(a, total + 1);
		out->u.txt.data = txt;
		out->u.txt.len = total;
		for (i = 0; i < rr->rdlen; i += 1 + (size_t)p[i]) {
			memcpy(txt, p + i + 1, p[i]);
			txt += p[i];
		}
		return true;
	}
	return false;
}

/* RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM). */
static bool
wire_soa_ttl(const struct wire *w, const struct wire_rr *rr, uint32_t *ttl)
{
	char name[DNS_WIRENAME_BUFSZ];
	size_t off = rr->rdata, end = rr->rdata + rr->rdlen;
	uint32_t minimum;

	if (!wire_name(w, &off, name, sizeof(name)) || off > end ||
	    !wire_name(w, &off, name, sizeof(name)) || off > end || end - off != 20)
		return false;
	minimum = get32(w->msg + off + 16);
	*ttl = rr->ttl < minimum ? rr->ttl : minimum;
	return true;
}

static struct dns_rrset *
wire_fail(enum dns_status st, const char *why)
{
	return dns_rrset_new(st, why, 0, NULL, 0);
}

static const char *
wire_rcode_why(unsigned rcode)
{
	switch (rcode) {
	case RCODE_FORMERR: return "FORMERR";
	case RCODE_SERVFAIL: return "SERVFAIL";
	case RCODE_NOTIMP: return "NOTIMP";
	case RCODE_REFUSED: return "REFUSED";
	}
	return "server error";
}

/* Reads count records starting at *off into rrs (count <= DNSWIRE_MAX_RR). */
static bool
wire_section(const struct wire *w, size_t *off, unsigned count, struct wire_rr *rrs)
{
	for (unsigned i = 0; i < count; i++)
		if (!wire_rr(w, off, &rrs[i]))
			return false;
	return true;
}

/*
 * Walks the CNAME chain from qname through the answer section and copies
 * the records of qtype at its end into out. Returns the count, or -1 with
 * *why set when a record we need is malformed or the chain is too long.
 * *ttl is lowered to the TTL of every CNAME followed.
 */
static int
wire_chain(const struct wire *w, const struct wire_rr *an, unsigned ancount,
    const char *qname, enum dns_type qtype, struct dns_rr *out, uint32_t *ttl,
    struct arena *a, const char **why)
{
	const char *cur = qname;
	struct dns_rr target;
	unsigned hops = 0, i;
	int n = 0;

	for (;;) {
		const struct wire_rr *cname = NULL;

		for (i = 0; i < ancount; i++) {
			if (an[i].rclass != DNS_CLASS_IN || !wire_owner_is(w, &an[i], cur))
				continue;
			if (an[i].type == qtype) {
				if (!wire_rdata(w, &an[i], &out[n], a)) {
					*why = "malformed record";
					return -1;
				}
				n++;
			} else if (an[i].type == DNS_T_CNAME && cname == NULL) {
				cname = &an[i];
			}
		}
		if (n > 0 || cname == NULL || qtype == DNS_T_CNAME)
			return n;
		if (++hops > DNS_CNAME_MAX) {
			*why = "CNAME chain too long";
			return -1;
		}
		if (!wire_rdata(w, cname, &target, a)) {
			*why = "malformed record";
			return -1;
		}
		if (cname->ttl < *ttl)
			*ttl = cname->ttl;
		cur = target.u.name;
	}
}

struct dns_rrset *
dnswire_parse(const unsigned char *msg, size_t len, const char *qname, enum dns_type qtype)
{
	struct wire w = { msg, len };
	struct wire_rr an[DNSWIRE_MAX_RR];
	struct dns_rr rrs[DNSWIRE_MAX_RR];
	char name[DNS_WIRENAME_BUFSZ];
	unsigned flags, rcode, qdcount, ancount, nscount, i;
	uint32_t ttl = UINT32_MAX, negttl = DNS_NEG_TTL_DEFAULT;
	const char *why = NULL;
	struct dns_rrset *res;
	struct arena *a;
	size_t off;
	bool soa = false, ns = false;
	int n;

	if (len < DNS_HDR_LEN)
		return wire_fail(DNS_PERMFAIL, "short message");
	flags = get16(msg + 2);
	qdcount = get16(msg + 4);
	ancount = get16(msg + 6);
	nscount = get16(msg + 8);
	rcode = flags & 0x0f;
	if (!(flags & DNS_F_QR) || (flags & 0x7800) != 0)
		return wire_fail(DNS_PERMFAIL, "not a query response");
	if (flags & DNS_F_TC)
		return wire_fail(DNS_TEMPFAIL, "truncated");
	if (qdcount != 1)
		return wire_fail(DNS_PERMFAIL, "bad question count");
	off = DNS_HDR_LEN;
	if (!wire_name(&w, &off, name, sizeof(name)) || len - off < 4)
		return wire_fail(DNS_PERMFAIL, "malformed question");
	if (strcmp(name, qname) != 0 || get16(msg + off) != qtype ||
	    get16(msg + off + 2) != DNS_CLASS_IN)
		return wire_fail(DNS_PERMFAIL, "question mismatch");
	off += 4;
	if (rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN)
		return wire_fail(DNS_TEMPFAIL, wire_rcode_why(rcode));
	if (ancount > DNSWIRE_MAX_RR || nscount > DNSWIRE_MAX_RR)
		return wire_fail(DNS_PERMFAIL, "too many records");
	if (!wire_section(&w, &off, ancount, an))
		return wire_fail(DNS_PERMFAIL, "malformed answer section");

	a = arena_new();
	n = wire_chain(&w, an, ancount, qname, qtype, rrs, &ttl, a, &why);
	if (n < 0) {
		res = wire_fail(DNS_PERMFAIL, why);
	} else if (n > 0 && rcode == RCODE_NOERROR) {
		for (i = 0; i < (unsigned)n; i++)
			if (rrs[i].ttl < ttl)
				ttl = rrs[i].ttl;
		res = dns_rrset_new(DNS_OK, NULL, ttl, rrs, (size_t)n);
	} else {
		/* The authority section only matters for a negative answer. */
		struct wire_rr *auth = an;

		if (!wire_section(&w, &off, nscount, auth)) {
			res = wire_fail(DNS_PERMFAIL, "malformed authority section");
			goto out;
		}
		for (i = 0; i < nscount; i++) {
			if (auth[i].rclass != DNS_CLASS_IN)
				continue;
			if (auth[i].type == DNS_T_NS)
				ns = true;
			if (auth[i].type == DNS_T_SOA && !soa) {
				if (!wire_soa_ttl(&w, &auth[i], &negttl)) {
					res = wire_fail(DNS_PERMFAIL, "malformed SOA");
					goto out;
				}
				soa = true;
			}
		}
		/*
		 * No answer, no SOA, but NS records from a server that is not
		 * authoritative: a referral, so the server did not recurse for
		 * us. That is not an answer about the name.
		 */
		if (rcode == RCODE_NOERROR && ancount == 0 && !soa && ns && !(flags & DNS_F_AA)) {
			res = wire_fail(DNS_TEMPFAIL, "referral");
			goto out;
		}
		if (negttl < ttl)
			ttl = negttl;
		res = dns_rrset_new(rcode == RCODE_NXDOMAIN ? DNS_NXDOMAIN : DNS_NODATA,
		    NULL, ttl, NULL, 0);
	}
out:
	arena_free(&a);
	return res;
}

static size_t
fmt_txt(char *buf, size_t len, const char *data, size_t n)
{
	size_t o = 0;

	if (len == 0)
		return 0;
	for (size_t i = 0; i < n && o + 5 < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			snprintf(buf + o, 5, "\\%03u", c);
			o += 4;
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return o;
}

const char *
dns_rr_format(const struct dns_rr *rr, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int k;

	if (len == 0)
		return buf;
	switch (rr->type) {
	case DNS_T_A:
		inet_ntop(AF_INET, &rr->u.a, addr, sizeof(addr));
		snprintf(buf, len, "A %s", addr);
		break;
	case DNS_T_AAAA:
		inet_ntop(AF_INET6, &rr->u.aaaa, addr, sizeof(addr));
		snprintf(buf, len, "AAAA %s", addr);
		break;
	case DNS_T_MX:
		snprintf(buf, len, "MX %u %s", rr->u.mx.pref, rr->u.mx.host);
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
		snprintf(buf, len, "%s %s", dns_type_name(rr->type), rr->u.name);
		break;
	case DNS_T_TXT:
		k = snprintf(buf, len, "TXT \"");
		if (k > 0 && (size_t)k < len) {
			size_t o = (size_t)k;

			o += fmt_txt(buf + o, len - o, rr->u.txt.data, rr->u.txt.len);
			if (o + 1 < len) {
				buf[o++] = '"';
				buf[o] = '\0';
			}
		}
		break;
	default:
		snprintf(buf, len, "TYPE%u", rr->type);
		break;
	}
	return buf;
}
