/*
 * RFC 6376 section 3.4 canonicalization, "simple" and "relaxed", for
 * header fields and for the body. The body is canonicalized as a stream
 * into a running hash, so a message is never held whole. Shared by ARC
 * (RFC 8617 uses DKIM's algorithms unchanged) and anything else that
 * signs or verifies header and body hashes.
 */
#ifndef COMPAUTHD_CANON_H
#define COMPAUTHD_CANON_H

#include <stddef.h>
#include "arena.h"

enum canon_alg { CANON_SIMPLE = 0, CANON_RELAXED = 1 };
enum canon_hash { CANON_SHA256 = 0, CANON_SHA1 = 1 };

#define CANON_HASH_MAX 64               /* bytes of the largest digest */

/*
 * A c= value ("relaxed/simple", "simple", ...; section 3.5): 0, or -1
 * for anything else (empty, unknown word, extra '/'). A missing body
 * part means simple.
 */
int canon_parse_c(const char *s, size_t len, enum canon_alg *hdr, enum canon_alg *body);

/*
 * One header field canonicalized, "name:value" followed by CRLF unless
 * no_crlf (the signature header itself, section 3.7). value is what
 * follows the colon, folds joined with CRLF or a bare LF (bare LF is
 * taken as CRLF). Memory from a; *lenp gets the length.
 */
char *canon_header(struct arena *a, enum canon_alg c, const char *name, const char *value,
    int no_crlf, size_t *lenp);

struct canon_body;

/*
 * A body canonicalizer feeding hash h. limit: octets of canonical body
 * hashed at most (l=), or -1 for all. NULL if the hash is unavailable.
 */
struct canon_body *canon_body_new(enum canon_alg c, enum canon_hash h, long long limit);
/* Body bytes as delivered (CRLF lines; a bare LF is taken as CRLF). */
void canon_body_update(struct canon_body *cb, const unsigned char *p, size_t n);
/*
 * Ends the body (the trailing-empty-line rules of 3.4.3 / 3.4.4) and
 * writes the digest; returns its length, or 0 on failure. Call once.
 */
size_t canon_body_final(struct canon_body *cb, unsigned char out[CANON_HASH_MAX]);
/* Canonical body octets seen so far (before the limit is applied). */
long long canon_body_length(const struct canon_body *cb);
void canon_body_free(struct canon_body **cbp);

#endif
