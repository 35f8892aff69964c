/*
 * RFC 9990 §4, Verifying External Destinations: a rua= mailbox outside
 * the policy domain's Organizational Domain (found as the daemon finds it:
 * the RFC 9989 DNS tree walk, or the public suffix list) gets a
 * report only when <policy-domain>._report._dmarc.<mailbox host> has a TXT
 * record starting with v=DMARC1; its rua=, when present, may replace the
 * URI with one on the same host. Asked through our resolver (real DNS, or
 * the zone file of the compauthd configuration).
 */
#ifndef COMPAUTHD_RUA_VERIFY_H
#define COMPAUTHD_RUA_VERIFY_H

#include <stddef.h>

#include "dmarc.h"
#include "resolver.h"
#include "rua.h"

enum rua_vstat {
	RUA_V_INTERNAL = 0,     /* within the Organizational Domain: no check */
	RUA_V_AUTHORIZED,       /* external, authorized (u may have been replaced) */
	RUA_V_REFUSED,          /* external, no authorization: ignore the URI */
	RUA_V_CONFLICT,         /* the authorization names another host: neither */
	RUA_V_TEMPFAIL,         /* DNS failed: try again later */
};

struct rua_verifier;

/* NULL with err set when the resolver cannot start. */
struct rua_verifier *rua_verifier_new(const struct resolver_opts *o, enum dmarc_mode mode,
    unsigned timeout_ms, char *err, size_t errlen);
void rua_verifier_free(struct rua_verifier **vp);
/* why: one line for logs and the report's <error>. */
enum rua_vstat rua_verify(struct rua_verifier *v, const char *policy_domain,
    struct rua_uri *u, char *why, size_t whylen);
/* "internal" "authorized" "unverified" "conflict" "temperror" */
const char *rua_vstat_name(enum rua_vstat st);

#endif
