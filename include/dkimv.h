/*
 * DKIM verification (RFC 6376, RFC 8301, RFC 8463) through libopendkim,
 * with every key fetched early by our resolver: the key query for a
 * DKIM-Signature goes out when that header arrives, and libopendkim is
 * handed the fetched key text at end of message (no DNS of its own).
 *
 * Call order for one message, all from the thread that owns the message:
 *
 *   d = dkimv_new(arena, set, opts, qid);
 *   dkimv_header(d, name, value)   every header, in order    (set locked)
 *   dkimv_eoh(d)
 *   dkimv_body(d, p, n)            every body chunk, CRLF text as delivered
 *   ... wait on the set (dns_set_wait, deadline) ...
 *   dkimv_eom(d, &results)                                   (set locked,
 *                                                  or after dns_set_cancel)
 *   dkimv_free(&d)                 also on abort             (set locked,
 *                                                  or after dns_set_cancel)
 *
 * "set locked": the caller holds dns_set_lock() on the set given to
 * dkimv_new, because these calls issue queries or read what the resolver
 * thread wrote. The other calls need no lock.
 *
 * Results per signature (RFC 8601 section 2.7.1 words):
 *   pass       signature and body hash verified with an acceptable key
 *   fail       did not verify (signature, body hash), or refused by policy:
 *              rsa-sha1 (RFC 8301 section 3.1), RSA key under min_rsa_bits
 *              (RFC 8301 section 3.2), x= expired or t= in the future
 *              by more than clock_skew, l= beyond the body, l= leaving
 *              body unsigned when l_policy == 1 (the default)
 *   permerror  unusable signature (syntax, missing tags, From not signed,
 *              h= naming more than DKIMV_MAX_SIGNED_NAMES fields, bad d=,
 *              unknown algorithm or query method) or key (no key:
 *              NXDOMAIN / no TXT, revoked p=, bad record, k= / h= / t=s
 *              mismatch, an RSA key over DKIMKEY_RSA_MAX_BITS or with an
 *              exponent over DKIMKEY_RSA_MAX_E_BITS, refused before any
 *              maths), or a key not asked because the message's own
 *              signatures and seals spent the DNS budget ("DNS query
 *              budget spent": the sender's doing, so never temperror)
 *   temperror  key lookup failed temporarily or had not finished at the
 *              deadline; never pass
 *   neutral and policy are part of the vocabulary but not produced now.
 */
#ifndef COMPAUTHD_DKIMV_H
#define COMPAUTHD_DKIMV_H

#include <stddef.h>
#include "arena.h"
#include "resolver.h"

#define DKIMV_DEFAULT_MAX_SIGNATURES 10
#define DKIMV_DEFAULT_MIN_RSA_BITS 1024
/*
 * Seconds a signer's clock may run ahead of ours (t= in the future) or
 * ours ahead of its (x= just past) before the signature fails: OpenDKIM's
 * ClockDrift default, which libopendkim applied before this was a setting.
 */
#define DKIMV_DEFAULT_CLOCK_SKEW 300
/*
 * Names a signature's h= may list: real signers name 10 to 40 fields
 * (twice that when they sign each name twice against added copies). A
 * signature naming more is a permerror before libopendkim sees it, which
 * bounds the header selection work the sender can ask for.
 */
#define DKIMV_MAX_SIGNED_NAMES 512

struct dkimv_opts {
	unsigned max_signatures;        /* evaluated per message; 0: default 10 */
	unsigned min_rsa_bits;          /* 0: default 1024 (RFC 8301) */
	int l_policy;                   /* 1 (default): fail when l= leaves body
	                                   unsigned, so appended text never rides
	                                   on a pass (RFC 6376 section 8.2);
	                                   0: honour l= and say so in the comment */
	int allow_sha1;                 /* 0 (default): rsa-sha1 fails (RFC 8301) */
	unsigned clock_skew;            /* seconds t= may lie ahead of our clock,
	                                   and x= behind it, and still pass
	                                   (default 300); 0: none */
};

struct dkimv_sig {
	const char *result;             /* "pass" "fail" "neutral" "policy"
	                                   "temperror" "permerror" */
	const char *comment;            /* e.g. "signature was verified" */
	const char *d, *s, *a;          /* as in the signature; NULL if absent */
	const char *b8;                 /* first 8 characters of b= (RFC 6008) */
	const char *i;                  /* i= as written, NULL when absent */
	int l_used;                     /* the signature has l= */
};

struct dkimv_results {
	size_t n;                       /* 0: message not signed */
	struct dkimv_sig *sig;          /* in header order, at most max_signatures */
	size_t npass_domains;
	const char **pass_domains;      /* d= of passing signatures, lower case,
	                                   each once (for DMARC) */
};

struct dkimv;

/*
 * Sets libopendkim up for the default clock skew now rather than at the
 * first message (dkimv_new does it for any skew as needed). Thread-safe.
 */
void dkimv_global_init(void);

/* Fills o with the defaults above; callers start from these. */
void dkimv_opts_init(struct dkimv_opts *o);

/*
 * A verifier for one message. Memory for results comes from a; set is the
 * message's DNS set (key queries count against its budget); o NULL means
 * defaults; qid (may be NULL) prefixes our log lines.
 */
struct dkimv *dkimv_new(struct arena *a, struct dns_set *set,
    const struct dkimv_opts *o, const char *qid);

/*
 * The verifier's key table, for the message's ARC validator to share
 * (arc_opts.keys), so a key both of them name is asked once. NULL after
 * dkimv_eom or dkimv_free.
 */
struct dkimkeys *dkimv_keys(struct dkimv *d);

/*
 * One header, in message order; value exactly as the MTA passes it
 * (leading space kept, folds joined with "\n" or "\r\n"). For a
 * DKIM-Signature the tag-list is checked now and the key query for
 * s._domainkey.d is sent now (at most max_signatures). Set locked.
 */
void dkimv_header(struct dkimv *d, const char *name, const char *value);
void dkimv_eoh(struct dkimv *d);
void dkimv_body(struct dkimv *d, const unsigned char *p, size_t n);

/*
 * Verifies with the keys fetched so far and fills out (memory from the
 * arena). A lookup still pending counts as a temporary failure. Set
 * locked, or cancelled. Call once.
 */
void dkimv_eom(struct dkimv *d, struct dkimv_results *out);

/*
 * Releases libopendkim's state and the fetched keys; late DNS answers
 * are then ignored. Set locked, or cancelled. Clears *dp.
 */
void dkimv_free(struct dkimv **dp);

#endif
