/*
 * authres: building the one RFC 8601 Authentication-Results header we
 * add.  Reading incoming ones is authres_parse.c; the two halves share
 * only the character classes and arena string of authres_int.h, so each
 * can be read, and changed, without the other.
 *
 * Every string we are handed may come from the message (a domain, a
 * local-part, a comment naming a DNS error), so nothing we emit may read
 * differently to any consumer behind us (CVE-2020-12272: a d= of
 * "example.net(.example.com" read as example.net).  The consumers do not
 * agree on quoted-pairs: Mail::AuthenticationResults ends a quoted-string
 * at the first '"' whatever precedes it, and it and SpamAssassin count
 * every parenthesis of a comment, escaped or not, so "\)" ends a comment
 * early for them.  SpamAssassin also decodes RFC 2047 encoded-words
 * anywhere in the field, inside quotes and comments too, and
 * python3-authres reads ASCII only.  Hence we never write a quoted-pair:
 *
 *  - a value stands bare when it is an RFC 2045 token, or an address or
 *    "@domain" RFC 8601 allows bare (dot-atom local-part without '=' or
 *    '?'); otherwise it is a quoted-string in which a control byte
 *    becomes a space and '"', '\' and every 8-bit byte become '?' (not
 *    a character of any domain name, selector or base64, so a replaced
 *    value never equals a real one);
 *  - in a comment, runs of white space and controls become one space,
 *    '(' and ')' become '[' and ']', '\' and 8-bit bytes become '?';
 *  - in both, an '=' right before a '?' becomes '?' too, so no "=?"
 *    (the start of an encoded-word) is ever written;
 *
 * and the field is folded between elements to keep lines under 78.
 */
#include <string.h>

#include "arena.h"
#include "authres.h"
#include "authres_int.h"

/* RFC 5322 section 2.1.1: lines SHOULD be at most 78 characters; we stay
 * under that, counting "Authentication-Results:" on the first line. */
#define AR_LINE_MAX	77

/* ---------------------------------------------------------------- */
/* Character classes and string helpers only the builder uses.       */

/* RFC 5322 atext. */
static int
ar_is_atext(int c)
{
	return ar_is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
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
 * address or "@domain" may stand bare when its local-part is a dot-atom;
 * one with '=' or '?' is quoted, as "=?" could start an encoded-word.
 */
static int
ar_is_bare_pvalue(const char *s, size_t n)
{
	const char *at;
	size_t ln;

	if (ar_is_token(s, n))
		return 1;
	at = memchr(s, '@', n);
	if (at == NULL)
		return 0;
	ln = (size_t)(at - s);
	if (ln > 0 && (!ar_is_dot_atom(s, ln) || memchr(s, '=', ln) != NULL ||
	    memchr(s, '?', ln) != NULL))
		return 0;
	return ar_is_domain(at + 1, n - ln - 1);
}

/*
 * Appends c, which the caller has made safe for a quoted-string or a
 * comment, first turning the '='s right before a '?' into '?' (back to
 * the opening quote or parenthesis, at from).
 */
static void
ar_put_safe(struct ar_buf *b, size_t from, int c)
{
	size_t i;

	if (c == '?')
		for (i = b->len; i > from && b->p[i - 1] == '='; i--)
			b->p[i - 1] = '?';
	ar_buf_addc(b, c);
}

enum ar_vkind { AR_VALUE, AR_PVALUE };

static void
ar_put_value(struct ar_buf *b, const char *v, enum ar_vkind kind)
{
	size_t i, n, from;
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
	from = b->len;
	for (i = 0; i < n; i++) {
		c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c >= 0x80 || c == '"' || c == '\\')
			c = '?';
		ar_put_safe(b, from, c);
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
 * "(text)": white space and control runs become one space (comments carry
 * no meaning in their spacing, and single spaces are where we may fold);
 * the rest as the top of the file says.  Returns 0 when nothing is left
 * to say.
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
		c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f) {
			space = any;
			continue;
		}
		if (space)
			ar_buf_addc(b, ' ');
		space = 0;
		any = 1;
		if (c == '(')
			c = '[';
		else if (c == ')')
			c = ']';
		else if (c == '\\' || c >= 0x80)
			c = '?';
		ar_put_safe(b, start + 1, c);
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
