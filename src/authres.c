/*
 * authres: RFC 8601 Authentication-Results.  We build the one header we
 * add, and we read incoming ones above all to recognise forgeries: a
 * header carrying our authserv-id that did not come from us must be
 * deleted (RFC 8601 section 5), so reading the id must not be fooled by
 * comments, quoting, folding or a look-alike that merely starts with it.
 *
 * Building: every string we are handed may come from the message (a
 * domain, a local-part, a comment naming a DNS error), so nothing we
 * emit can break the header: control characters become spaces, values
 * that are not tokens are quoted, comments are escaped, and the field is
 * folded between elements to keep lines under 78 characters.
 *
 * Parsing is tolerant (what real MTAs send, not only what RFC 8601
 * allows) but bounded: one forward pass over the bytes, no recursion
 * (nested comments keep a depth count), at most AR_MAX_RESULTS results
 * of AR_MAX_PROPS properties, memory from the caller's arena.
 */
#include <string.h>

#include "arena.h"
#include "authres.h"

/* RFC 5322 section 2.1.1: lines SHOULD be at most 78 characters; we stay
 * under that, counting "Authentication-Results:" on the first line. */
#define AR_LINE_MAX	77

/* No real header comes near these; past them a value is treated as
 * broken, which bounds what a hostile one can make us allocate. */
#define AR_MAX_RESULTS	128
#define AR_MAX_PROPS	64
/* A kept comment is informational: its first bytes are enough. */
#define AR_MAX_COMMENT	1000

/* ---------------------------------------------------------------- */
/* Character classes (ASCII only: no locale may change a header).    */

static int
ar_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
ar_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
ar_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* RFC 2045 token: printable US-ASCII except SPACE and tspecials. */
static int
ar_is_token_char(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* RFC 5322 atext. */
static int
ar_is_atext(int c)
{
	return ar_is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Keyword (RFC 8601 section 2.2: ldh-str), plus '_' seen in the wild. */
static int
ar_is_keyword_char(int c)
{
	return ar_is_alnum(c) || c == '-' || c == '_';
}

static int
ar_is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---------------------------------------------------------------- */
/* A growing string in the arena.                                    */

struct ar_buf {
	struct arena *a;
	char *p;
	size_t len;
	size_t cap;
};

static void
ar_buf_init(struct ar_buf *b, struct arena *a, size_t cap)
{
	b->a = a;
	b->cap = cap < 16 ? 16 : cap;
	b->p = arena_alloc(a, b->cap);
	b->len = 0;
}

static void
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

static void
ar_buf_addc(struct ar_buf *b, int c)
{
	char ch = (char)c;

	ar_buf_add(b, &ch, 1);
}

static void
ar_buf_adds(struct ar_buf *b, const char *s)
{
	ar_buf_add(b, s, strlen(s));
}

/* ---------------------------------------------------------------- */
/* Building.                                                         */

static int
ar_is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!ar_is_token_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* RFC 5322 dot-atom-text. */
static int
ar_is_dot_atom(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!ar_is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* RFC 6376 domain-name: sub-domain 1*("." sub-domain), sub-domain is
 * Let-dig [Ldh-str]. */
static int
ar_is_domain(const char *s, size_t n)
{
	size_t i, label = 0, dots = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
		} else if (ar_is_alnum((unsigned char)s[i])) {
			label++;
		} else if (s[i] == '-' && label > 0) {
			label++;
		} else
			return 0;
	}
	return dots > 0 && label > 0 && s[n - 1] != '-';
}

/*
 * RFC 8601 pvalue = value / [ [ local-part ] "@" ] domain-name: an
 * address or "@domain" may stand bare when its local-part is a dot-atom.
 */
static int
ar_is_bare_pvalue(const char *s, size_t n)
{
	const char *at;

	if (ar_is_token(s, n))
		return 1;
	at = memchr(s, '@', n);
	if (at == NULL)
		return 0;
	if (at > s && !ar_is_dot_atom(s, (size_t)(at - s)))
		return 0;
	return ar_is_domain(at + 1, n - (size_t)(at - s) - 1);
}

/* Control characters cannot be carried by any header syntax; a space
 * keeps the words apart. */
static int
ar_clean_char(int c)
{
	return (c < 0x20 || c == 0x7f) ? ' ' : c;
}

enum ar_vkind { AR_VALUE, AR_PVALUE };

static void
ar_put_value(struct ar_buf *b, const char *v, enum ar_vkind kind)
{
	size_t i, n;
	int c, bare;

	if (v == NULL)
		v = "";
	n = strlen(v);
	bare = kind == AR_PVALUE ? ar_is_bare_pvalue(v, n) : ar_is_token(v, n);
	if (bare) {
		ar_buf_add(b, v, n);
		return;
	}
	ar_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		c = ar_clean_char((unsigned char)v[i]);
		if (c == '"' || c == '\\')
			ar_buf_addc(b, '\\');
		ar_buf_addc(b, c);
	}
	ar_buf_addc(b, '"');
}

/* Names are program constants; filtering only guarantees that a wrong
 * one cannot break the syntax.  Returns the number of bytes written. */
static size_t
ar_put_name(struct ar_buf *b, const char *s, int dots)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if (ar_is_keyword_char((unsigned char)*s) || (dots && *s == '.')) {
			ar_buf_addc(b, *s);
			n++;
		}
	}
	return n;
}

static int
ar_name_ok(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (ar_is_keyword_char((unsigned char)*s))
			return 1;
	return 0;
}

/*
 * "(text)": whitespace and control runs become one space (comments carry
 * no meaning in their spacing, and single spaces are where we may fold),
 * and ( ) \ are quoted-pairs.  Returns 0 when nothing is left to say.
 */
static int
ar_put_comment(struct ar_buf *b, const char *s)
{
	size_t start = b->len;
	int c, space = 0, any = 0;

	if (s == NULL)
		return 0;
	ar_buf_addc(b, '(');
	for (; *s != '\0'; s++) {
		c = ar_clean_char((unsigned char)*s);
		if (c == ' ' || c == '\t') {
			space = any;
			continue;
		}
		if (space)
			ar_buf_addc(b, ' ');
		space = 0;
		any = 1;
		if (c == '(' || c == ')' || c == '\\')
			ar_buf_addc(b, '\\');
		ar_buf_addc(b, c);
	}
	if (!any) {
		b->len = start;
		b->p[start] = '\0';
		return 0;
	}
	ar_buf_addc(b, ')');
	return 1;
}

/* One element of a resinfo: fold points lie only between elements, and
 * between the words of a comment too long for a line of its own. */
struct ar_elem {
	const char *s;
	size_t len;
	int words;
};

static size_t
ar_fold(struct ar_buf *b)
{
	ar_buf_add(b, "\n\t\t", 3);
	return 2;
}

/*
 * Appends e after a line now col bytes long and returns the new column.
 * We fold only when the line holds more than its indent, so a token
 * longer than any line stands alone instead of leaving a blank line.
 */
static size_t
ar_emit(struct ar_buf *b, size_t col, const struct ar_elem *e)
{
	const char *w, *end, *sp;
	size_t wlen;

	if (col + 1 + e->len <= AR_LINE_MAX) {
		ar_buf_addc(b, ' ');
		ar_buf_add(b, e->s, e->len);
		return col + 1 + e->len;
	}
	if (!e->words || 2 + e->len <= AR_LINE_MAX) {
		col = ar_fold(b);
		ar_buf_add(b, e->s, e->len);
		return col + e->len;
	}
	end = e->s + e->len;
	for (w = e->s; w < end; w = sp + 1) {
		sp = memchr(w, ' ', (size_t)(end - w));
		if (sp == NULL)
			sp = end;
		wlen = (size_t)(sp - w);
		/* col == 2: we just folded, the fold is the word's space. */
		if (col + 1 + wlen > AR_LINE_MAX && col > 2)
			col = ar_fold(b);
		else if (col > 2) {
			ar_buf_addc(b, ' ');
			col++;
		}
		ar_buf_add(b, w, wlen);
		col += wlen;
	}
	return col;
}

static void
ar_elem_new(struct ar_elem *v, size_t *nv, const struct ar_buf *tmp, int words)
{
	struct ar_elem *e = &v[(*nv)++];

	e->s = tmp->p;
	e->len = tmp->len;
	e->words = words;
}

/* Splits one result into its elements, ';' glued to the last one. */
static size_t
ar_elems(struct arena *a, const struct ar_result *r, int last, struct ar_elem *v)
{
	struct ar_buf t;
	const struct ar_prop *p;
	size_t i, nv = 0;

	ar_buf_init(&t, a, 64);
	ar_put_name(&t, r->method, 0);
	ar_buf_addc(&t, '=');
	if (ar_put_name(&t, r->result, 0) == 0)
		ar_buf_adds(&t, "none");
	ar_elem_new(v, &nv, &t, 0);

	ar_buf_init(&t, a, 64);
	if (ar_put_comment(&t, r->comment))
		ar_elem_new(v, &nv, &t, 1);

	if (r->reason != NULL) {
		ar_buf_init(&t, a, 64);
		ar_buf_adds(&t, "reason=");
		ar_put_value(&t, r->reason, AR_VALUE);
		ar_elem_new(v, &nv, &t, 0);
	}
	for (i = 0; i < r->nprops && r->props != NULL; i++) {
		p = &r->props[i];
		if (!ar_name_ok(p->name))
			continue;
		ar_buf_init(&t, a, 64);
		/* No ptype: a bare "name=value" such as dmarc's action=. */
		if (ar_put_name(&t, p->ptype, 0) > 0)
			ar_buf_addc(&t, '.');
		ar_put_name(&t, p->name, 1);
		ar_buf_addc(&t, '=');
		ar_put_value(&t, p->value, AR_PVALUE);
		ar_elem_new(v, &nv, &t, 0);
		ar_buf_init(&t, a, 64);
		if (ar_put_comment(&t, p->comment))
			ar_elem_new(v, &nv, &t, 1);
	}
	if (!last) {
		ar_buf_init(&t, a, v[nv - 1].len + 2);
		ar_buf_add(&t, v[nv - 1].s, v[nv - 1].len);
		ar_buf_addc(&t, ';');
		v[nv - 1].s = t.p;
		v[nv - 1].len = t.len;
	}
	return nv;
}

char *
authres_format(struct arena *a, const char *authserv_id,
    const struct ar_result *res, size_t n)
{
	struct ar_buf b;
	struct ar_elem *v;
	size_t i, j, nv, col, left, last;

	ar_buf_init(&b, a, 512);
	ar_buf_addc(&b, ' ');
	ar_put_value(&b, authserv_id, AR_VALUE);
	ar_buf_addc(&b, ';');
	col = strlen(AR_FIELD) + 1 + b.len;

	/* A result without a method name would be unreadable: leave it out. */
	left = 0;
	last = 0;
	for (i = 0; i < n && res != NULL; i++)
		if (ar_name_ok(res[i].method)) {
			left++;
			last = i;
		}
	if (left == 0) {
		if (col + 5 <= AR_LINE_MAX)
			ar_buf_adds(&b, " none");
		else
			ar_buf_adds(&b, "\n\tnone");
		return b.p;
	}
	for (i = 0; i < n; i++) {
		if (!ar_name_ok(res[i].method))
			continue;
		v = arena_alloc(a, (3 + 2 * res[i].nprops) * sizeof(*v));
		nv = ar_elems(a, &res[i], i == last, v);
		ar_buf_add(&b, "\n\t", 2);
		ar_buf_add(&b, v[0].s, v[0].len);
		col = 1 + v[0].len;
		for (j = 1; j < nv; j++)
			col = ar_emit(&b, col, &v[j]);
	}
	return b.p;
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
	struct ar_buf t;
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

int
authres_claims_id(const char *value, size_t len, const char *authserv_id)
{
	struct ar_scan s = { NULL, value, value + len };
	const char *tok, *p, *end, *id = authserv_id;
	size_t toklen;
	int quoted, c;

	if (value == NULL || id == NULL || *id == '\0')
		return 0;
	if (ar_id_scan(&s, &tok, &toklen, &quoted) < 0)
		return 0;
	/* Quoted: compare the content, quoted-pairs resolved, folds removed. */
	end = tok + toklen;
	for (p = tok; p < end; p++) {
		c = (unsigned char)*p;
		if (quoted && c == '\\')
			c = (unsigned char)*++p;
		else if (quoted && (c == '\r' || c == '\n'))
			continue;
		if (*id == '\0' || ar_lower(c) != ar_lower((unsigned char)*id))
			return 0;
		id++;
	}
	return *id == '\0';
}
