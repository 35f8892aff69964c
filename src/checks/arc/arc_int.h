/*
 * What ARC validation (arc.c) and sealing (arc_seal.c) share: the ARC
 * headers as parsed, every header kept for h= lists, the body hashes,
 * and the canonicalized-header buffer both sign and verify over.
 */
#ifndef COMPAUTHD_ARC_INT_H
#define COMPAUTHD_ARC_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "arc.h"
#include "arena.h"
#include "canon.h"
#include "dkimkey.h"

#define ARC_MAX_ARC_HEADERS (3 * ARC_MAX_INSTANCES + 10)
#define ARC_SIG_MAX 1024                /* octets of a decoded b= (8192-bit RSA) */

enum arc_kind { K_AAR = 0, K_AMS = 1, K_AS = 2 };
enum arc_alg { ALG_NONE = 0, ALG_RSA_SHA256, ALG_ED25519_SHA256 };

extern const char *const arc_hname[3];    /* by enum arc_kind */

struct arc_hdr {
	enum arc_kind kind;
	int inst;                       /* 1..50, or -1 */
	const char *bad;                /* why it is unusable, or NULL */
	size_t hidx;                    /* in arc->hdr */
	enum arc_alg alg;
	const char *d, *s, *cv, *hlist;
	unsigned char *b;
	size_t blen;
	unsigned char bh[64];
	size_t bhlen;
	enum canon_alg ch, cb;
	int c_absent;                   /* AMS without c= */
	size_t b_off, b_len;            /* b= value inside the raw value */
	const char *aar;                /* AAR: the text after "i=N;" */
	int signs_from;                 /* AMS: h= names From */
	struct dkimkey *key;
};

struct arc_field {
	const char *name;
	const char *value;
};

struct arc_hindex;

struct arc {
	struct arena *a;
	struct dkimkeys *keys;          /* NULL once released */
	struct arc_opts o;
	const char *qid;
	struct arc_field *hdr;
	size_t nh;
	int hoverflow;
	struct arc_hdr *ah[ARC_MAX_ARC_HEADERS];
	size_t nah;
	int aoverflow;
	/* The first of each kind per instance: only these can be in a chain. */
	struct arc_hdr *first[ARC_MAX_INSTANCES + 1][3];
	const char *nofetch;            /* why the chain is known to fail: no more keys */
	struct arc_hindex *hx;          /* headers by name, for h= (arc_headers.c) */
	char **canon[2];                /* hdr[k] canonicalized, by enum canon_alg */
	size_t *canonlen[2];
	struct canon_body *body[2];     /* [CANON_SIMPLE], [CANON_RELAXED] */
	unsigned char bh[2][CANON_HASH_MAX];
	size_t bhlen[2];
	int eoh_done;
	int finished;
};

/* Text being signed or verified: kept (p), or with md only hashed and counted. */
struct arc_buf {
	char *p;
	size_t n, cap;
	EVP_MD_CTX *md;
};

void arc_buf_add(struct arc *c, struct arc_buf *b, const char *s, size_t n);
/* One header canonicalized into b; last: the signature itself, no CRLF. */
void arc_add_header(struct arc *c, struct arc_buf *b, enum canon_alg ca, const char *name,
    const char *value, int last);
/* hdr[k] canonicalized into b (not last), each canonicalization made once. */
void arc_add_stored(struct arc *c, struct arc_buf *b, enum canon_alg ca, size_t k);
/*
 * The headers an h= list names, each the last not yet used instance
 * (RFC 6376 section 5.4.2), canonicalized into b; header index skip (the
 * signature being checked) is never taken. Linear in the names and the
 * headers (an index by name, built once, arc_headers.c), however the
 * names and headers are chosen. Only after end of headers.
 */
void arc_signed_headers(struct arc *c, struct arc_buf *b, const char *hlist, enum canon_alg ca,
    size_t skip);
/* h's own value with the b= value taken out (RFC 6376 section 3.7). */
char *arc_without_b(struct arc *c, const struct arc_hdr *h);

/*
 * arc_verify.c. An AMS (body hash, signed headers, signature): NULL when
 * it verifies, else why not (*temp: for DNS trouble only); *hashed grows
 * by the bytes of header text hashed for it.
 */
const char *arc_check_ams(struct arc *c, const struct arc_hdr *h, int *temp, size_t *hashed);
/* dig[1..n]: what AS(1..n) sign, hashed in one pass over the sets. 0 or -1. */
int arc_seal_digests(struct arc *c, struct arc_hdr *set[][3], int n, unsigned char (*dig)[32]);
/* AS as over its digest: NULL when it verifies, else why not. */
const char *arc_check_as(struct arc *c, const struct arc_hdr *as, const unsigned char dig[32],
    int *temp);

#endif
