/*
 * authres_parse: reading incoming RFC 8601 Authentication-Results (the
 * ARC-Authentication-Results of a trusted sealer, tests).  Whether a field
 * claims our authserv-id is not this strict reading's call but every
 * consumer's (authres_claims.c).  Its own file because its concerns are
 * not the builder's (authres.c): any byte sequence may arrive here, so what
 * matters is bounds and termination, not layout; the two share only the
 * character classes and arena string of authres_int.h.
 *
 * Parsing is tolerant (what real MTAs send, not only what RFC 8601
 * allows) but bounded: one forward pass over the bytes, no recursion
 * (nested comments keep a depth count), at most AR_MAX_RESULTS results
 * of AR_MAX_PROPS properties, memory from the caller's arena.
 */
#include <string.h>

#include "arena.h"
#include "authres.h"
#include "authres_int.h"

/* No real header comes near these; past them a value is treated as
 * broken, which bounds what a hostile one can make us allocate. */
#define AR_MAX_RESULTS	128
#define AR_MAX_PROPS	64
/* A kept comment is informational: its first bytes are enough. */
#define AR_MAX_COMMENT	1000

/* ---------------------------------------------------------------- */
/* Character classes only the parser uses (see authres_int.h).       */

static int
ar_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
ar_is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---------------------------------------------------------------- */
/* Parsing.                                                          */

struct ar_scan {
	struct arena *a;
	const char *p;
	const char *end;
};

static int
ar_at(const struct ar_scan *s, int c)
{
	return s->p < s->end && *s->p == c;
}

/*
 * Skips CFWS.  With keep != NULL and *keep still NULL, the text of the
 * first comment met is stored there (unfolded, quoted-pairs resolved,
 * at most AR_MAX_COMMENT bytes of it).
 * Returns -1 on an unterminated comment or a NUL byte in one.
 */
static int
ar_cfws(struct ar_scan *s, const char **keep)
{
	/* Read only when want; set anyway, as gcc -O2 cannot see that once
	 * the ar_buf helpers are inlined. */
	struct ar_buf t = { NULL, NULL, 0, 0 };
	size_t depth;
	int c, want;

	for (;;) {
		while (s->p < s->end && ar_is_wsp((unsigned char)*s->p))
			s->p++;
		if (!ar_at(s, '('))
			return 0;
		want = keep != NULL && *keep == NULL;
		if (want)
			ar_buf_init(&t, s->a, 16);
		s->p++;
		depth = 1;
		for (;;) {
			if (s->p >= s->end)
				return -1;
			c = (unsigned char)*s->p++;
			if (c == '\0')
				return -1;
			if (c == '\\') {
				if (s->p >= s->end || *s->p == '\0')
					return -1;
				c = (unsigned char)*s->p++;
			} else if (c == '(') {
				depth++;
			} else if (c == ')') {
				if (--depth == 0)
					break;
			} else if (c == '\r' || c == '\n')
				continue;
			if (want && t.len < AR_MAX_COMMENT)
				ar_buf_addc(&t, c);
		}
		if (want)
			*keep = t.p;
	}
}

/* quoted-string at s->p (on the '"'): its content unfolded with the
 * quoted-pairs resolved.  NULL when unterminated. */
static char *
ar_quoted(struct ar_scan *s)
{
	struct ar_buf t;
	int c;

	ar_buf_init(&t, s->a, 16);
	s->p++;
	for (;;) {
		if (s->p >= s->end)
			return NULL;
		c = (unsigned char)*s->p++;
		if (c == '\0')
			return NULL;
		if (c == '"')
			return t.p;
		if (c == '\\') {
			if (s->p >= s->end || *s->p == '\0')
				return NULL;
			c = (unsigned char)*s->p++;
		} else if (c == '\r' || c == '\n')
			continue;
		ar_buf_addc(&t, c);
	}
}

/* A keyword (with dots when a property name), lower-cased; NULL if none. */
static char *
ar_keyword(struct ar_scan *s, int dots)
{
	const char *start = s->p;
	char *k;
	size_t i, n;

	while (s->p < s->end && (ar_is_keyword_char((unsigned char)*s->p) ||
	    (dots && *s->p == '.')))
		s->p++;
	n = (size_t)(s->p - start);
	if (n == 0)
		return NULL;
	k = arena_strndup(s->a, start, n);
	for (i = 0; i < n; i++)
		k[i] = (char)ar_lower((unsigned char)k[i]);
	return k;
}

/*
 * Bare pvalue, read generously: everything up to whitespace, ';', a
 * comment or a quote.  That takes RFC 8601's token and local@domain and
 * also what the field meets in practice (header.b=ab/c+d=, bare IPv6).
 */
static int
ar_is_bare_char(int c)
{
	return c > 0x20 && c != 0x7f && strchr(";()\"\\", c) == NULL;
}

/* pvalue (and reason value): quoted-string, "quoted"@domain, or bare. */
static const char *
ar_pvalue(struct ar_scan *s)
{
	const char *start;
	char *q;

	if (ar_cfws(s, NULL) < 0)
		return NULL;
	start = s->p;
	if (ar_at(s, '"')) {
		if ((q = ar_quoted(s)) == NULL)
			return NULL;
		if (!ar_at(s, '@'))
			return q;
		/* A quoted local-part: keep the address as written. */
	}
	while (s->p < s->end && ar_is_bare_char((unsigned char)*s->p))
		s->p++;
	return arena_strndup(s->a, start, (size_t)(s->p - start));
}

/*
 * authserv-id (RFC 8601: value = token / quoted-string) after optional
 * CFWS.  On success *tok and *toklen hold the raw bytes (between the quotes
 * when quoted) and the scan stands after the id, where only CFWS, ';' or
 * the end may follow: "mx.example.net.evil" is one token, and in
 * "mx.example.net/evil" the id is unreadable rather than a prefix.
 */
static int
ar_id_scan(struct ar_scan *s, const char **tok, size_t *toklen, int *quoted)
{
	const char *q;

	if (ar_cfws(s, NULL) < 0 || s->p >= s->end)
		return -1;
	*quoted = *s->p == '"';
	if (*quoted) {
		q = s->p + 1;
		for (s->p++;; s->p++) {
			if (s->p >= s->end || *s->p == '\0')
				return -1;
			if (*s->p == '"')
				break;
			if (*s->p == '\\') {
				s->p++;
				if (s->p >= s->end || *s->p == '\0')
					return -1;
			}
		}
		*tok = q;
		*toklen = (size_t)(s->p - q);
		s->p++;
	} else {
		*tok = s->p;
		while (s->p < s->end && ar_is_token_char((unsigned char)*s->p))
			s->p++;
		*toklen = (size_t)(s->p - *tok);
		if (*toklen == 0)
			return -1;
	}
	if (s->p < s->end && !ar_is_wsp((unsigned char)*s->p) &&
	    *s->p != '(' && *s->p != ';')
		return -1;
	return 0;
}

static void
ar_push_result(struct arena *a, struct ar_parsed *out, size_t *cap,
    const struct ar_result *r)
{
	struct ar_result *nr;

	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		nr = arena_alloc(a, *cap * sizeof(*nr));
		if (out->n > 0)
			memcpy(nr, out->res, out->n * sizeof(*nr));
		out->res = nr;
	}
	out->res[out->n++] = *r;
}

static struct ar_prop *
ar_push_prop(struct arena *a, struct ar_result *r, size_t *cap)
{
	struct ar_prop *np;

	if (r->nprops == AR_MAX_PROPS)
		return NULL;
	if (r->nprops == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		np = arena_alloc(a, *cap * sizeof(*np));
		if (r->nprops > 0)
			memcpy(np, r->props, r->nprops * sizeof(*np));
		r->props = np;
	}
	np = (struct ar_prop *)&r->props[r->nprops++];
	memset(np, 0, sizeof(*np));
	return np;
}

/*
 * One resinfo after its ';' (RFC 8601 section 2.2):
 *   methodspec [ reasonspec ] *propspec, with CFWS anywhere between.
 * Tolerated beyond the grammar: reason= after properties, and bare
 * "name=value" (e.g. Microsoft's action=), kept with ptype "".
 */
static int
ar_resinfo(struct ar_scan *s, struct ar_result *r)
{
	struct ar_prop *pp;
	char *kw, *name;
	size_t pcap = 0;

	memset(r, 0, sizeof(*r));
	if ((r->method = ar_keyword(s, 0)) == NULL || ar_cfws(s, NULL) < 0)
		return -1;
	if (ar_at(s, '/')) {
		/* method-version: our result has no place for it. */
		s->p++;
		if (ar_cfws(s, NULL) < 0 || s->p >= s->end || !ar_is_digit((unsigned char)*s->p))
			return -1;
		while (s->p < s->end && ar_is_digit((unsigned char)*s->p))
			s->p++;
		if (ar_cfws(s, NULL) < 0)
			return -1;
	}
	if (!ar_at(s, '='))
		return -1;
	s->p++;
	if (ar_cfws(s, NULL) < 0 || (r->result = ar_keyword(s, 0)) == NULL)
		return -1;
	if (ar_cfws(s, &r->comment) < 0)
		return -1;
	while (s->p < s->end && *s->p != ';') {
		if ((kw = ar_keyword(s, 0)) == NULL || ar_cfws(s, NULL) < 0)
			return -1;
		if (ar_at(s, '.')) {
			s->p++;
			if (ar_cfws(s, NULL) < 0 || (name = ar_keyword(s, 1)) == NULL ||
			    ar_cfws(s, NULL) < 0 || !ar_at(s, '='))
				return -1;
			s->p++;
			if ((pp = ar_push_prop(s->a, r, &pcap)) == NULL)
				return -1;
			pp->ptype = kw;
			pp->name = name;
		} else if (ar_at(s, '=')) {
			s->p++;
			if (r->reason == NULL && strcmp(kw, "reason") == 0) {
				if ((r->reason = ar_pvalue(s)) == NULL || ar_cfws(s, NULL) < 0)
					return -1;
				continue;
			}
			if ((pp = ar_push_prop(s->a, r, &pcap)) == NULL)
				return -1;
			pp->ptype = "";
			pp->name = kw;
		} else
			return -1;
		if ((pp->value = ar_pvalue(s)) == NULL)
			return -1;
		if (ar_cfws(s, &pp->comment) < 0)
			return -1;
	}
	return 0;
}

int
authres_parse(struct arena *a, const char *value, size_t len, struct ar_parsed *out)
{
	struct ar_scan s;
	struct ar_result r;
	const char *tok, *save, *start;
	size_t toklen, cap = 0;
	int quoted;
	char *kw;

	memset(out, 0, sizeof(*out));
	if (value == NULL)
		return -1;
	s.a = a;
	s.p = value;
	s.end = value + len;
	if (ar_id_scan(&s, &tok, &toklen, &quoted) < 0)
		return -1;
	if (quoted) {
		struct ar_scan q = { a, tok - 1, tok + toklen + 1 };

		out->authserv_id = ar_quoted(&q);
	} else
		out->authserv_id = arena_strndup(a, tok, toklen);
	if (ar_cfws(&s, NULL) < 0)
		return -1;
	if (s.p < s.end && ar_is_digit((unsigned char)*s.p)) {
		start = s.p;
		while (s.p < s.end && ar_is_digit((unsigned char)*s.p))
			s.p++;
		out->version = arena_strndup(a, start, (size_t)(s.p - start));
		if (ar_cfws(&s, NULL) < 0)
			return -1;
	}
	/* Each pass reads one ";" resinfo; every pass consumes input. */
	for (;;) {
		if (!ar_at(&s, ';'))
			return -1;
		s.p++;
		if (ar_cfws(&s, NULL) < 0)
			return -1;
		if (s.p >= s.end)
			/* A trailing ';' after results is common; alone it is not. */
			return out->n > 0 ? 0 : -1;
		save = s.p;
		if ((kw = ar_keyword(&s, 0)) == NULL || ar_cfws(&s, NULL) < 0)
			return -1;
		if (strcmp(kw, "none") == 0 && !ar_at(&s, '=') && !ar_at(&s, '/')) {
			/* no-result: only alone, and only at the end. */
			if (out->n > 0 || s.p < s.end)
				return -1;
			out->none = 1;
			return 0;
		}
		s.p = save;
		if (out->n == AR_MAX_RESULTS || ar_resinfo(&s, &r) < 0)
			return -1;
		ar_push_result(a, out, &cap, &r);
		if (s.p >= s.end)
			return 0;
	}
}
