/*
 * The rua= tag of a DMARC policy record (RFC 9989 §4.7, RFC 7489 §6.2):
 * a comma-separated list of DMARC URIs, each optionally followed by
 * "!" and a size limit (RFC 7489 §6.2: digits and a unit k, m, g or t,
 * bytes when none). compauthd-report delivers by mail only, so only
 * mailto: URIs are kept; the others, and malformed ones, are reported as
 * skipped with a reason (RFC 9990 §2.5: malformed URIs SHOULD be ignored).
 */
#ifndef COMPAUTHD_RUA_H
#define COMPAUTHD_RUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUA_MAX 8               /* URIs read from one rua= (receiver's limit) */
#define RUA_ADDR_MAX 254        /* RFC 5321 path limit for the address */

struct rua_uri {
	char addr[RUA_ADDR_MAX + 1];    /* local@domain, %-decoded, domain lower case */
	const char *domain;             /* into addr: the part after the last '@' */
	uint64_t size_limit;            /* bytes, 0 = none */
	bool ok;                        /* usable; else why says what is wrong */
	char why[80];
};

/*
 * Parses the rua value (len bytes, any content) into at most max URIs
 * (the rest is ignored). Returns how many were seen (ok or not).
 */
size_t rua_parse(const char *rua, size_t len, struct rua_uri *out, size_t max);
/* The destination key used in the store: "mailto:" addr (no size). */
void rua_key(const struct rua_uri *u, char *buf, size_t len);
/*
 * Is the TXT record (len bytes) a report authorization (RFC 9990 §4 step
 * 6): tag=value pairs starting with v=DMARC1? *rua is set to the start of
 * its rua= value (or NULL), *rualen to its length.
 */
bool rua_auth_record(const char *txt, size_t len, const char **rua, size_t *rualen);

#endif
