/*
 * Private to authres: what the header builder (authres.c) and the parser
 * (authres_parse.c) both need, the character classes of RFC 8601's
 * grammar and a growing string in the arena.  Static inline, as they were
 * static in one file: no new library symbols, and each half compiles on
 * its own.  Nothing else includes this.
 */
#ifndef COMPAUTHD_AUTHRES_INT_H
#define COMPAUTHD_AUTHRES_INT_H

#include <stddef.h>
#include <string.h>

#include "arena.h"

/* ---------------------------------------------------------------- */
/* Character classes (ASCII only: no locale may change a header).    */

static inline int
ar_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 2045 token: printable US-ASCII except SPACE and tspecials. */
static inline int
ar_is_token_char(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static inline int
ar_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Keyword (RFC 8601 section 2.2: ldh-str), plus '_' seen in the wild. */
static inline int
ar_is_keyword_char(int c)
{
	return ar_is_alnum(c) || c == '-' || c == '_';
}

/* ---------------------------------------------------------------- */
/* A growing string in the arena.                                    */

struct ar_buf {
	struct arena *a;
	char *p;
	size_t len;
	size_t cap;
};

static inline void
ar_buf_init(struct ar_buf *b, struct arena *a, size_t cap)
{
	b->a = a;
	b->cap = cap < 16 ? 16 : cap;
	b->p = arena_alloc(a, b->cap);
	b->len = 0;
}

static inline void
ar_buf_add(struct ar_buf *b, const char *s, size_t n)
{
	char *np;

	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap *= 2;
		np = arena_alloc(b->a, b->cap);
		memcpy(np, b->p, b->len);
		b->p = np;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
ar_buf_addc(struct ar_buf *b, int c)
{
	char ch = (char)c;

	ar_buf_add(b, &ch, 1);
}

#endif
