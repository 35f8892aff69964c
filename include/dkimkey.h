/*
 * The key side of DKIM (RFC 6376 sections 3.5, 3.6), shared by DKIM
 * verification, ARC validation and anything else that checks a d=/s=
 * signature: the selector and domain syntax, one TXT query per
 * s._domainkey.d name however many signatures use it (sent the moment
 * the signature header arrives), and the reading of the key record.
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
#define DKIMKEY_COPY_MAX 4096           /* longer TXT answers are not kept */

enum dkimkey_state {
	DKIMKEY_PENDING = 0,
	DKIMKEY_DONE,                   /* status says how */
	DKIMKEY_REFUSED,                /* never asked: DNS budget spent, no resolver */
};

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
	int h_sha256, h_sha1;           /* h= absent, or naming the hash */
	int s_email;                    /* s= absent, or naming email or '*' */
	int t_s;                        /* t= has the s flag */
};

/* set NULL: no DNS (fuzzing, tools); every key is DKIMKEY_REFUSED. */
struct dkimkeys *dkimkeys_new(struct arena *a, struct dns_set *set, size_t max);

/*
 * The key for s= sel, d= dom, its query sent if it is new. NULL once max
 * distinct names were asked for. Set locked.
 */
struct dkimkey *dkimkeys_start(struct dkimkeys *ks, const char *sel, const char *dom);

/* Later answers are dropped and the answers' memory is released. Set locked. */
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
 * key under min_rsa_bits. The caller frees it with EVP_PKEY_free.
 */
EVP_PKEY *dkimkey_pkey(struct dkimkey *k, int ed25519, unsigned min_rsa_bits, struct arena *a,
    const char **why);

#endif
