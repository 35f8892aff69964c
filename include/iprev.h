/*
 * iprev (RFC 8601 §3): forward-confirmed reverse DNS of the client address.
 * PTR first, then A/AAAA of each name (at most IPREV_MAX_NAMES), all on the
 * resolver; the result is read once the set is quiet or the deadline passed.
 */
#ifndef COMPAUTHD_IPREV_H
#define COMPAUTHD_IPREV_H

#include "arena.h"
#include "netaddr.h"
#include "resolver.h"

#define IPREV_MAX_NAMES 10

enum iprev_res { IPREV_PASS, IPREV_FAIL, IPREV_TEMPERROR, IPREV_PERMERROR };

struct iprev_result {
	enum iprev_res res;
	const char *name;               /* confirmed name (pass) or first PTR name, or NULL */
	const char *why;                /* short reason for logs and the header comment */
};

struct iprev;

/* Set locked. The PTR query goes out now. */
struct iprev *iprev_start(struct arena *a, struct dns_set *set, const struct netaddr *ip);
/* Set locked (or quiescent). Anything not finished reads as temperror. */
void iprev_get(const struct iprev *ip, struct iprev_result *out);
const char *iprev_res_name(enum iprev_res r);

#endif
