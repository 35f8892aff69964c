/*
 * The key side of DKIM (RFC 6376 sections 3.5, 3.6), shared by DKIM
 * verification, ARC validation and anything else that checks a d=/s=
 * signature: the selector and domain syntax, one TXT query per
 * s._domainkey.d name however many signatures use it (sent the moment
 * the signature header arrives), and the reading of the key record.
 * One table can serve a message's DKIM verifier and ARC validator at
 * once (dkimkeys_share), so a key both of them name is asked, and
 * counted against the DNS budget, once.
 *
 * Threads: dkimkeys_start and dkimkeys_release are called with the DNS
 * set locked; answers are written by the resolver thread inside its
 * callback into the keys' own arena; dkimkey_check and dkimkey_pkey read
 * them afterwards (set locked, or after dns_set_cancel).
 */
#ifndef COMPAUTHD_DKIMKEY_H
#define COMPAUTHD_DKIMKEY_H

#include <stddef.h>
#include <openssl/evp.h>

#include "arena.h"
#include "resolver.h"

#define DKIMKEY_NAME_MAX 253            /* RFC 1035 presentation length */
/*
 * The most an RSA key may make one verification cost. RFC 8301 section
 * 3.2 asks verifiers for 1024 to 4096 bits; 8192 leaves room for the
 * rare larger key. Real keys use e = 65537 (17 bits) or 3.
 */
#define DKIMKEY_RSA_MAX_BITS 8192
#define DKIMKEY_RSA_MAX_E_BITS 32
#define DKIMKEY_COPY_MAX 4096           /* longer TXT answers are not kept */

enum dkimkey_state {
	DKIMKEY_PENDING = 0,
	DKIMKEY_DONE,                   /* status says how */
	DKIMKEY_REFUSED,                /* never asked (status, why say why): the
	                                   budget was spent or the name cannot
	                                   exist (DNS_PERMFAIL, DNS_NXDOMAIN: the
	                                   sender's doing, never temporary), no
	                                   resolver or a cancelled set
	                                   (DNS_TEMPFAIL) */
};

/* Why a key was not asked because the message's DNS budget was spent. */
#define DKIMKEY_WHY_BUDGET "DNS query budget spent"

struct dkimkeys;

struct dkimkey {
	struct dkimkeys *owner;
	const char *qname;              /* lower case, no final dot */
	enum dkimkey_state state;       /* written by the resolver thread */
	enum dns_status status;
	const char *why;                /* DNS trouble, if any */
	const char *txt;                /* first TXT record; NULL when too long */
	size_t txtlen;
	unsigned nrec;
	/* dkimkey_check: */
	int checked;
	const char *bad;                /* our objection to the record, or NULL */
	const char *k;                  /* "rsa" (also when k= is absent) or "ed25519" */
	const char *p;                  /* p= without white space */
	size_t p_off, p_len;            /* p= value as it stands in txt */
	int h_sha256, h_sha1;           /* h= absent, or naming the hash */
	int s_email;                    /* s= absent, or naming email or '*' */
	int t_s;                        /* t= has the s flag */
};

/*
 * A table for at most max distinct key names, held once (the caller's
 * reference, given back with dkimkeys_release). set NULL: no DNS
 * (fuzzing, tools); every key is DKIMKEY_REFUSED.
 */
struct dkimkeys *dkimkeys_new(struct arena *a, struct dns_set *set, size_t max);

/*
 * One more holder of ks (another engine of the same message, same arena
 * and set), whose own names may add up to more distinct ones. Returns ks.
 * By the message's thread before that holder asks for any key.
 */
struct dkimkeys *dkimkeys_share(struct dkimkeys *ks, size_t more);

/*
 * The key for s= sel, d= dom, its query sent if it is new. NULL once max
 * distinct names were asked for. Set locked.
 */
struct dkimkey *dkimkeys_start(struct dkimkeys *ks, const char *sel, const char *dom);

/* Distinct names asked for so far (tests). Set locked. */
size_t dkimkeys_count(const struct dkimkeys *ks);

/*
 * Gives back one holder's reference; once the last is given back, later
 * answers are dropped and the answers' memory is released. Each holder
 * calls it once. Set locked.
 */
void dkimkeys_release(struct dkimkeys *ks);

/* RFC 6376 section 3.5 d= / s=: labels of letters, digits, '-', '_'. */
int dkimkey_name_ok(const char *s, int min_labels);

/*
 * Reads a fetched record once (the fields under "dkimkey_check" above).
 * 0 when usable, -1 with k->bad. The key must be DKIMKEY_DONE / DNS_OK.
 */
int dkimkey_check(struct dkimkey *k);

/*
 * The public key for an RSA (ed25519 == 0) or Ed25519 signature, or NULL
 * with *why: record unusable, type not matching, p= not a key, or an RSA
 * key under min_rsa_bits, over DKIMKEY_RSA_MAX_BITS or with an exponent
 * over DKIMKEY_RSA_MAX_E_BITS. An RSA p= may be SubjectPublicKeyInfo,
 * as RFC 6376 Appendix C and nearly every signer publish it, or the bare
 * PKCS#1 RSAPublicKey its section 3.6.1 names (erratum 3017 allows
 * both); the latter only whole, with nothing after the key. The caller
 * frees it with EVP_PKEY_free.
 */
EVP_PKEY *dkimkey_pkey(struct dkimkey *k, int ed25519, unsigned min_rsa_bits, struct arena *a,
    const char **why);

/*
 * k's record as a verifier that parses the key itself and reads p= only
 * as SubjectPublicKeyInfo (libopendkim) must see it: txt itself, or, when
 * p= is a bare PKCS#1 RSAPublicKey (see dkimkey_pkey), a copy whose p=
 * holds the same key as SubjectPublicKeyInfo, every other tag as
 * published. *lenp gets its length. The key is read once for both
 * questions: *costly says why the RSA key would cost more than
 * DKIMKEY_RSA_MAX_BITS and DKIMKEY_RSA_MAX_E_BITS allow (refuse it then),
 * or is NULL (also for a key that is not RSA or not readable, which the
 * verifier reports itself). The record must have passed dkimkey_check.
 */
const char *dkimkey_record_spki(struct dkimkey *k, size_t *lenp, const char **costly);

#endif
