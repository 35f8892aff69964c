/*
 * DNS wire format: classifying a response message (RFC 1035 §4) into the
 * resolver's answer model, domain-name syntax shared by the resolver and the
 * zone backend, and the packed record set both backends hand to the cache.
 */
#ifndef COMPAUTHD_DNSWIRE_H
#define COMPAUTHD_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "resolver.h"

/* Text form of a name: at most 253 octets plus NUL (RFC 1035 §2.3.4). */
#define DNS_NAME_MAX 253
#define DNS_NAME_BUFSZ (DNS_NAME_MAX + 1)
/* A name decoded from the wire may carry \DDD escapes: 4 text bytes per octet. */
#define DNS_WIRENAME_BUFSZ (4 * 255 + 1)
/* CNAMEs followed inside one answer (and by the zone backend). */
#define DNS_CNAME_MAX 8
/* Records read from one section; a bigger section is refused as malformed. */
#define DNSWIRE_MAX_RR 256
/* Negative TTL when a negative answer carries no SOA (RFC 2308 §5). */
#define DNS_NEG_TTL_DEFAULT 60

/*
 * An answer's status and records in one malloc'ed block, so the cache owns
 * it with a single pointer and frees it with a single free().
 */
struct dns_rrset {
	enum dns_status status;
	const char *why;                /* static string; NULL unless a failure */
	uint32_t ttl;                   /* min TTL of the records used, or negative TTL */
	size_t n;
	struct dns_rr *rr;              /* inside this block */
	size_t size;                    /* bytes of the block */
};

/* Deep copy of rr[0..n) into one block; aborts on out-of-memory. */
struct dns_rrset *dns_rrset_new(enum dns_status status, const char *why, uint32_t ttl,
    const struct dns_rr *rr, size_t n);
void dns_rrset_free(struct dns_rrset **sp);

/*
 * Classifies the response msg[0..len) to the question (qname, qtype): the
 * records of qtype at qname or at the end of a CNAME chain inside the answer
 * section, the negative TTL from the authority section's SOA (RFC 2308 §5),
 * or why it is unusable. qname is in dns_name_normalize() form. Never NULL.
 */
struct dns_rrset *dnswire_parse(const unsigned char *msg, size_t len,
    const char *qname, enum dns_type qtype);

/*
 * Checks a domain name and writes its canonical form to out (lower case, no
 * final dot): labels of 1..63 printable ASCII octets other than '\\', at most
 * DNS_NAME_MAX octets. out needs DNS_NAME_BUFSZ bytes. false: not a name.
 */
bool dns_name_normalize(const char *name, char *out, size_t outlen);

/* "MX 10 mx.example.com ttl=300": for logs and tests; returns buf. */
const char *dns_rr_format(const struct dns_rr *rr, char *buf, size_t len);

#endif
