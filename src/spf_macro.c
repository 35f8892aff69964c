/*
 * SPF macros (RFC 7208 §7): syntax checks for domain-specs, modifier values
 * and explanation strings, and their expansion. Kept apart from the
 * evaluator because every rule here is pure string work that the unit
 * tests and the fuzzer can drive without DNS.
 *
 * Bounds: a transformer digit run saturates, a value splits into at most
 * its length + 1 parts, and an expansion keeps at most SPF_MACRO_MAX bytes:
 * the tail for a domain (only the rightmost 253 characters survive §7.3's
 * truncation anyway), the head for an explanation.
 */
#include <stdint.h>
#include <string.h>

#include "spf_int.h"

#define MACRO_DIGITS_MAX 1000           /* more parts than any value has */

struct macro_tok {
	enum { TOK_LIT, TOK_ESC, TOK_MACRO } kind;
	char ch;                        /* TOK_LIT, TOK_ESC: the letter after % */
	char letter;                    /* TOK_MACRO: lower case */
	bool upper;                     /* URL-escape the value */
	bool reverse;
	unsigned digits;                /* 0: all parts */
	char delims[8];                 /* NUL-terminated set, "" = "." */
};

static bool
macro_is_delim(char c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

static bool
macro_letter_ok(char c, enum spf_macro_ctx ctx)
{
	if (c == '\0')
		return false;
	if (strchr("slodipvh", c) != NULL)
		return true;
	/* §7.1: c, r and t are for explanations only. */
	return ctx == SPF_MACRO_EXP && strchr("crt", c) != NULL;
}

static bool
macro_literal_ok(unsigned char c, enum spf_macro_ctx ctx)
{
	if (c == ' ')
		return ctx == SPF_MACRO_EXP;
	return c >= 0x21 && c <= 0x7e && c != '%';
}

/* One token at s[*pos]; false with *why on a syntax error. */
static bool
macro_next(const char *s, size_t len, size_t *pos, enum spf_macro_ctx ctx,
    struct macro_tok *t, const char **why)
{
	size_t p = *pos, nd = 0;
	unsigned char c = (unsigned char)s[p];
	char letter;

	memset(t, 0, sizeof(*t));
	if (c != '%') {
		if (!macro_literal_ok(c, ctx)) {
			*why = c == ' ' ? "space in domain-spec" :
			    c >= 0x80 ? "non-ASCII character" : "invalid character";
			return false;
		}
		t->kind = TOK_LIT;
		t->ch = (char)c;
		*pos = p + 1;
		return true;
	}
	if (p + 1 >= len) {
		*why = "'%' at end of macro-string";
		return false;
	}
	c = (unsigned char)s[p + 1];
	if (c == '%' || c == '_' || c == '-') {
		t->kind = TOK_ESC;
		t->ch = (char)c;
		*pos = p + 2;
		return true;
	}
	if (c != '{') {
		*why = "'%' not followed by '{', '%', '_' or '-'";
		return false;
	}
	p += 2;
	if (p >= len) {
		*why = "unterminated macro";
		return false;
	}
	letter = s[p];
	t->upper = letter >= 'A' && letter <= 'Z';
	t->letter = t->upper ? (char)(letter - 'A' + 'a') : letter;
	if (!macro_letter_ok(t->letter, ctx)) {
		*why = t->letter != '\0' && strchr("crt", t->letter) != NULL ?
		    "macro letter c, r or t outside an explanation" : "unknown macro letter";
		return false;
	}
	p++;
	while (p < len && s[p] >= '0' && s[p] <= '9') {
		unsigned d = (unsigned)(s[p] - '0');

		t->digits = t->digits >= MACRO_DIGITS_MAX ? MACRO_DIGITS_MAX :
		    t->digits * 10 + d;
		nd++;
		p++;
	}
	if (nd > 0 && t->digits == 0) {
		*why = "macro transformer digit 0";
		return false;
	}
	if (p < len && (s[p] == 'r' || s[p] == 'R')) {
		t->reverse = true;
		p++;
	}
	while (p < len && macro_is_delim(s[p])) {
		if (strchr(t->delims, s[p]) == NULL)
			t->delims[strlen(t->delims)] = s[p];
		p++;
	}
	if (p >= len || s[p] != '}') {
		*why = "malformed macro (expected '}')";
		return false;
	}
	t->kind = TOK_MACRO;
	*pos = p + 1;
	return true;
}

bool
spf_macro_check(const char *s, size_t len, enum spf_macro_ctx ctx, const char **why)
{
	struct macro_tok t;
	size_t pos = 0;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	while (pos < len)
		if (!macro_next(s, len, &pos, ctx, &t, why))
			return false;
	return true;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
spf_toplabel_ok(const char *s, size_t len)
{
	bool alpha = false, dash = false;
	size_t i;

	if (len == 0 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			dash = true;
		else if (!is_alnum(s[i]))
			return false;
		else if (!(s[i] >= '0' && s[i] <= '9'))
			alpha = true;
	}
	/* toplabel = ( *alphanum ALPHA *alphanum ) /
	 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
	return alpha || dash;
}

bool
spf_macro_check_domain_spec(const char *s, size_t len, const char **why)
{
	struct macro_tok t;
	size_t pos = 0, lit_start = 0, end;
	bool last_macro = false;
	const char *dummy, *dot;

	if (why == NULL)
		why = &dummy;
	if (len == 0) {
		*why = "empty domain-spec";
		return false;
	}
	while (pos < len) {
		if (!macro_next(s, len, &pos, SPF_MACRO_DOMAIN, &t, why))
			return false;
		last_macro = t.kind != TOK_LIT;
		if (t.kind != TOK_LIT)
			lit_start = pos;
	}
	if (last_macro)
		return true;
	/* domain-end = ( "." toplabel [ "." ] ): literal text after the last macro. */
	end = len;
	if (end > lit_start && s[end - 1] == '.')
		end--;
	dot = NULL;
	for (pos = end; pos > lit_start; pos--)
		if (s[pos - 1] == '.') {
			dot = s + pos - 1;
			break;
		}
	if (dot == NULL || !spf_toplabel_ok(dot + 1, (size_t)(s + end - (dot + 1)))) {
		*why = "domain-spec does not end in a macro or a valid top label";
		return false;
	}
	return true;
}

bool
spf_macro_uses_p(const char *s)
{
	for (; *s; s++) {
		if (s[0] != '%' || s[1] == '\0')
			continue;
		if (s[1] == '{' && (s[2] == 'p' || s[2] == 'P'))
			return true;
		s++;                    /* skip the escaped character ("%%{p}" is literal) */
	}
	return false;
}

/* Output buffer: keeps the head (explanations) or the tail (domains). */
struct macro_out {
	char *buf;
	size_t len, cap;
	bool keep_tail;
};

static void
out_put(struct macro_out *o, const char *p, size_t n)
{
	for (; n > 0; p++, n--) {
		if (o->len == o->cap) {
			if (!o->keep_tail)
				return;
			/* Drop the first half: only the rightmost part can survive. */
			memmove(o->buf, o->buf + o->cap / 2, o->cap - o->cap / 2);
			o->len = o->cap - o->cap / 2;
		}
		o->buf[o->len++] = *p;
	}
}

static bool
url_unreserved(unsigned char c)
{
	return is_alnum((char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static const char *
macro_value(const struct spf_macro_vars *v, char letter)
{
	switch (letter) {
	case 's': return v->s;
	case 'l': return v->l;
	case 'o': return v->o;
	case 'd': return v->d;
	case 'i': return v->i;
	case 'p': return v->p;
	case 'v': return v->v;
	case 'h': return v->h;
	case 'c': return v->c;
	case 'r': return v->r;
	case 't': return v->t;
	}
	return NULL;
}

/* §7.3: split on the delimiters, maybe reverse, keep the rightmost parts, join with dots. */
static void
macro_put_value(struct arena *a, struct macro_out *o, const struct macro_tok *t,
    const char *val)
{
	const char *delims = t->delims[0] ? t->delims : ".";
	size_t vlen = strlen(val), n = 0, i, first, k;
	const char **part = arena_alloc(a, (vlen + 1) * sizeof(*part));
	size_t *plen = arena_alloc(a, (vlen + 1) * sizeof(*plen));
	const char *p = val;
	static const char hex[] = "0123456789ABCDEF";

	for (;;) {
		size_t l = 0;

		while (p[l] != '\0' && strchr(delims, p[l]) == NULL)
			l++;
		part[n] = p;
		plen[n++] = l;
		if (p[l] == '\0')
			break;
		p += l + 1;
	}
	first = t->digits && t->digits < n ? n - t->digits : 0;
	for (k = first; k < n; k++) {
		size_t idx = t->reverse ? n - 1 - k : k;

		if (k > first)
			out_put(o, ".", 1);
		if (!t->upper) {
			out_put(o, part[idx], plen[idx]);
			continue;
		}
		for (i = 0; i < plen[idx]; i++) {
			unsigned char c = (unsigned char)part[idx][i];
			char esc[3];

			if (url_unreserved(c)) {
				out_put(o, (const char *)&c, 1);
				continue;
			}
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			out_put(o, esc, 3);
		}
	}
}

/* §7.3: "%{d2r}" reverses first, then keeps the rightmost two parts. */
static bool
macro_expand_into(struct arena *a, const char *s, enum spf_macro_ctx ctx,
    const struct spf_macro_vars *v, struct macro_out *o, const char **why)
{
	size_t len = strlen(s), pos = 0;
	struct macro_tok t;

	while (pos < len) {
		const char *val;

		if (!macro_next(s, len, &pos, ctx, &t, why))
			return false;
		switch (t.kind) {
		case TOK_LIT:
			out_put(o, &t.ch, 1);
			break;
		case TOK_ESC:
			if (t.ch == '%')
				out_put(o, "%", 1);
			else if (t.ch == '_')
				out_put(o, " ", 1);
			else
				out_put(o, "%20", 3);
			break;
		case TOK_MACRO:
			val = macro_value(v, t.letter);
			if (val == NULL) {
				*why = t.letter == 'p' ? "%{p} not available" : "macro value missing";
				return false;
			}
			macro_put_value(a, o, &t, val);
			break;
		}
	}
	return true;
}

char *
spf_macro_expand(struct arena *a, const char *s, enum spf_macro_ctx ctx,
    const struct spf_macro_vars *v, const char **why)
{
	struct macro_out o;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	o.cap = SPF_MACRO_MAX;
	o.buf = arena_alloc(a, o.cap + 1);
	o.len = 0;
	o.keep_tail = ctx == SPF_MACRO_DOMAIN;
	if (!macro_expand_into(a, s, ctx, v, &o, why))
		return NULL;
	o.buf[o.len] = '\0';
	return o.buf;
}

char *
spf_macro_expand_domain(struct arena *a, const char *spec,
    const struct spf_macro_vars *v, const char **why)
{
	char *name = spf_macro_expand(a, spec, SPF_MACRO_DOMAIN, v, why);
	size_t len;

	if (name == NULL)
		return NULL;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		name[--len] = '\0';
	while (len > SPF_NAME_MAX) {
		char *dot = strchr(name, '.');

		if (dot == NULL)
			break;          /* one huge label: not queryable, the caller sees that */
		len -= (size_t)(dot + 1 - name);
		name = dot + 1;
	}
	return name;
}

bool
spf_name_queryable(const char *name)
{
	size_t label = 0, total = 0;

	for (; *name; name++, total++) {
		if (*name == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > SPF_LABEL_MAX) {
			return false;
		}
	}
	return total > 0 && total <= SPF_NAME_MAX && label > 0;
}
