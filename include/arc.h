/*
 * ARC chain validation (RFC 8617 section 5.2): collect the ARC sets as
 * the headers arrive, check their structure, fetch every sealer's and
 * signer's key at once through our resolver, hash the body while it
 * streams (both canonicalizations, so any AMS can be checked), and at
 * end of message verify the newest ARC-Message-Signature and every
 * ARC-Seal. With opts.seal, arc_seal then adds the next ARC set.
 *
 * Call order for one message, like dkimv (see dkimv.h):
 *
 *   c = arc_new(arena, set, opts, qid);
 *   arc_header(c, name, value)     every header, in order    (set locked)
 *   arc_eoh(c)
 *   arc_body(c, p, n)              every body chunk, CRLF text
 *   ... wait on the set ...
 *   arc_eom(c, &results)           (set locked, or after dns_set_cancel)
 *   arc_seal(c, &results, ...)     optional, once, after arc_eom
 *   arc_free(&c)                   also on abort (set locked, or cancelled)
 *
 * Key answers are written by the resolver thread into the engine's own
 * arena; only arc_eom and arc_free read or release it.
 *
 * Key queries (each counted against the set's budget) go out only for
 * what can still make a valid chain: the first ARC-Seal and the first
 * ARC-Message-Signature of each instance, once their tags parse, each
 * distinct key name once (also across the DKIM verifier when the table
 * is shared, arc_opts.keys), and none once the chain is known to fail
 * from its headers alone (a malformed ARC header, a repeated set member,
 * a cv= out of rule, too many headers). So a message can make at most
 * 2 * ARC_MAX_INSTANCES key queries, and a key refused because the
 * budget is spent fails the chain for good (never a temporary failure
 * the sender could cause at will).
 *
 * Result (RFC 8617 section 5.2): "none" without ARC headers; "fail" for
 * any malformed ARC header (syntax, missing or duplicate tags, i= out of
 * 1..50, bad b= / bh=, AS with h=, AMS h= naming ARC-Seal or more than
 * ARC_MAX_SIGNED_NAMES names), a missing or
 * repeated set member, a newest seal saying cv=fail, a cv= out of rule
 * (i=1 none, later pass), the newest AMS or any AS not verifying, or a
 * key that is missing, unusable, of the wrong type, under min_rsa_bits
 * or costlier to verify with than dkimkey.h allows; "pass" otherwise.
 * arc.oldest-pass reads the older AMSes within ARC_OLDEST_PASS_BYTES. a= and c= compare without case (ABNF
 * literals). An AMS without c= is simple/simple (RFC 6376) and is also
 * accepted as relaxed/relaxed, which is what draft-era sealers sign.
 */
#ifndef COMPAUTHD_ARC_H
#define COMPAUTHD_ARC_H

#include <stddef.h>
#include <openssl/evp.h>

#include "arena.h"
#include "resolver.h"

#define ARC_MAX_INSTANCES 50            /* RFC 8617 section 4.2.1 */
#define ARC_DEFAULT_MIN_RSA_BITS 1024
#define ARC_MAX_HEADERS 1000            /* headers kept for AMS h= */
/*
 * Names an AMS h= may list. Real signers name 10 to 40 fields (twice
 * that when they sign each name twice against added copies); 512 leaves
 * room for any of them while bounding the work one AMS can ask for
 * before any key is checked.
 */
#define ARC_MAX_SIGNED_NAMES 512
/*
 * Header text hashed for the older AMSes that arc.oldest-pass reads (an
 * optional report; each AMS may sign up to all the headers): beyond it
 * the instances not yet checked count as not verified.
 */
#define ARC_OLDEST_PASS_BYTES (4u << 20)

struct dkimkeys;

struct arc_opts {
	unsigned min_rsa_bits;          /* 0: default 1024 (RFC 8301) */
	int seal;                       /* keep what arc_seal needs, chain or not */
	struct dkimkeys *keys;          /* NULL: a key table of our own; else the
	                                   message's (dkimv_keys(), same set and
	                                   arena), shared so a key the DKIM
	                                   verifier also names is asked once */
};

struct arc_results {
	const char *result;             /* "pass" "fail" "none" (RFC 8617 4.4) */
	const char *why;                /* comment: what decided it */
	int temperror;                  /* a fail caused by DNS trouble only */
	unsigned n;                     /* instances in the chain (0: none) */
	int oldest_pass;                /* arc.oldest-pass (RFC 8617 5.2 step 4);
	                                   -1 when the chain did not pass */
	const char **sealer;            /* d= of AS(i) at [i-1], n entries */
	const char **aar;               /* AAR(i) value after "i=N;" at [i-1] */
	const unsigned char *from_signed;  /* AMS(i) h= names From, at [i-1] */
	unsigned max_inst;              /* highest i= of any readable ARC header */
	int newest_cv_fail;             /* an AS of max_inst says cv=fail */
};

void arc_opts_init(struct arc_opts *o);

/*
 * set NULL: no DNS, every key counts as a temporary failure (never pass).
 * With o->keys, set must be the one that table was made on.
 */
struct arc *arc_new(struct arena *a, struct dns_set *set, const struct arc_opts *o,
    const char *qid);
/* Value as the MTA passes it (after the colon, folds kept). Set locked. */
void arc_header(struct arc *c, const char *name, const char *value);
void arc_eoh(struct arc *c);
void arc_body(struct arc *c, const unsigned char *p, size_t n);
/* Set locked, or cancelled. Call once; memory of out from the arena. */
void arc_eom(struct arc *c, struct arc_results *out);
void arc_free(struct arc **cp);

/*
 * Sealing (RFC 8617 section 5.1): who signs, and which headers the
 * ARC-Message-Signature covers (each name present in the message is
 * signed as often as it occurs, absent ones are left out; ARC-Seal and
 * Authentication-Results never are).
 */
struct arc_signer {
	const char *domain;             /* d= */
	const char *selector;           /* s= */
	EVP_PKEY *key;                  /* RSA (rsa-sha256) or Ed25519 (ed25519-sha256) */
	const char *const *headers;
	size_t nheaders;
};

/* Header values as we hand them to the MTA: leading space, folds "\n\t". */
struct arc_sealed {
	const char *aar, *ams, *as;
};

/*
 * After arc_eom (opts.seal set): the set for instance max_inst + 1 over
 * the message as received. ar is our Authentication-Results value
 * (authserv-id and results; folds allowed); t the signing time. cv= is
 * none without a chain, pass for a passing one, fail otherwise, and a
 * failed chain's seal covers only the new set (section 5.1.2). Returns 0,
 * or -1 with *why when no set is added: the newest seal already says
 * cv=fail, i=50 is taken, the chain failed only for DNS trouble (a
 * temporary failure must not end the chain for good), signing failed.
 */
int arc_seal(struct arc *c, const struct arc_results *r, const struct arc_signer *s,
    const char *ar, long long t, struct arc_sealed *out, const char **why);

/*
 * The structural reading of one ARC header (the fuzz target's entry):
 * kind 0 AAR, 1 AMS, 2 AS. Returns the instance 1..50, or -1 with *why.
 */
int arc_parse_header(struct arena *a, int kind, const char *value, const char **why);

#endif
