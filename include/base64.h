/*
 * Base64 as DKIM uses it (RFC 6376 section 2.7, RFC 4648 section 4):
 * strict decoding of values whose folding white space was already
 * removed (b=, bh=, p=), and encoding for the signatures we make.
 */
#ifndef COMPAUTHD_BASE64_H
#define COMPAUTHD_BASE64_H

#include <stddef.h>
#include "arena.h"

/*
 * Decodes s (no white space; '=' padding only at the end). Returns the
 * octets in a, NUL-terminated for convenience, with *outlen; NULL when
 * s is empty, not base64, or would decode to more than max octets.
 */
unsigned char *base64_decode(struct arena *a, const char *s, size_t max, size_t *outlen);

/* The base64 text of p[0..n), padded, in a. */
char *base64_encode(struct arena *a, const unsigned char *p, size_t n);

#endif
