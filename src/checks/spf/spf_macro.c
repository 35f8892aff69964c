/*
 * SPF macros (RFC 7208 §7): syntax checks for domain-specs, modifier values
 * and explanation strings, and their expansion. Kept apart from the
 * evaluator because every rule here is pure string work that the unit
 * tests and the fuzzer can drive without DNS.
 *
 * Bounds: a transformer digit run saturates; a value is streamed part by
 * part from where it lies (no copy, no table of parts); an expansion keeps
 * at most SPF_MACRO_MAX bytes in a buffer on the stack: the tail for a
 * domain (only the rightmost 253 characters survive §7.3's truncation
 * anyway), the head for an explanation; and every byte read from a value
 * or written is charged to the check's work account (spf_macro_work), so
 * the CPU of all expansions of one check is bounded whatever the sender
 * and the records hold.
 */
#include <stdint.h>
#include <string.h>

#include "spf_int.h"

#define MACRO_DIGITS_MAX 1000           /* more parts than any value has */

_Static_assert(SPF_MACRO_WORK_MAX == 65536 && SPF_MACRO_TERM_MAX == 64,
    "SPF_MACRO_WORK_REASON and SPF_MACRO_TERM_REASON name the limits");

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

/*
 * Output of one expansion: a fixed buffer that keeps the head (explanations)
 * or the tail (domains), and the check's work account.
 */
struct macro_out {
	char buf[SPF_MACRO_MAX + 1];
	size_t len;
	bool keep_tail;
	struct spf_macro_work *work;
	bool over;                      /* the work account ran out */
};

/* Counts n bytes of work; false (and o->over) once the account is spent. */
static bool
out_charge(struct macro_out *o, size_t n)
{
	if (o->over)
		return false;
	if (n > o->work->max - o->work->used) {
		o->work->used = o->work->max;
		o->over = true;
		return false;
	}
	o->work->used += n;
	return true;
}

static void
out_put(struct macro_out *o, const char *p, size_t n)
{
	if (!out_charge(o, n))
		return;
	for (; n > 0; p++, n--) {
		if (o->len == SPF_MACRO_MAX) {
			if (!o->keep_tail)
				return;
			/* Drop the first half: only the rightmost part can survive. */
			memmove(o->buf, o->buf + SPF_MACRO_MAX / 2, SPF_MACRO_MAX - SPF_MACRO_MAX / 2);
			o->len = SPF_MACRO_MAX - SPF_MACRO_MAX / 2;
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

/* One part of a value, URL-escaped for an upper-case macro letter (§7.3). */
static void
put_part(struct macro_out *o, bool upper, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, run;

	if (!upper) {
		out_put(o, p, n);
		return;
	}
	for (i = 0; i < n && !o->over; i += run) {
		unsigned char c = (unsigned char)p[i];
		char esc[3];

		for (run = 0; i + run < n && url_unreserved((unsigned char)p[i + run]); run++)
			;
		if (run > 0) {
			out_put(o, p + i, run);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		out_put(o, esc, 3);
		run = 1;
	}
}

/*
 * §7.3: split on the delimiters, maybe reverse, keep the rightmost parts,
 * join with dots. Streamed from the value itself: no copy, no table of
 * parts, two passes over the value at most.
 */
static void
macro_put_value(struct macro_out *o, const struct macro_tok *t, const char *val)
{
	const char *delims = t->delims[0] ? t->delims : ".";
	size_t vlen = strlen(val), n = 1, skip, i, end, start;
	bool first = true;

	if (!out_charge(o, vlen))
		return;
	for (i = 0; i < vlen; i++)
		if (strchr(delims, val[i]) != NULL)
			n++;
	/* Parts dropped from the left of the (maybe reversed) list. */
	skip = t->digits && t->digits < n ? n - t->digits : 0;
	if (!t->reverse) {
		for (start = 0; skip > 0; start++)
			if (strchr(delims, val[start]) != NULL)
				skip--;
		for (;;) {
			for (end = start; end < vlen && strchr(delims, val[end]) == NULL; end++)
				;
			if (!first)
				out_put(o, ".", 1);
			put_part(o, t->upper, val + start, end - start);
			first = false;
			if (end == vlen || o->over)
				return;
			start = end + 1;
		}
	}
	/* Reversed: the original parts from the right, after skipping as many. */
	for (end = vlen; skip > 0; end--)
		if (strchr(delims, val[end - 1]) != NULL)
			skip--;
	for (;;) {
		for (start = end; start > 0 && strchr(delims, val[start - 1]) == NULL; start--)
			;
		if (!first)
			out_put(o, ".", 1);
		put_part(o, t->upper, val + start, end - start);
		first = false;
		if (start == 0 || o->over)
			return;
		end = start - 1;
	}
}

/* §7.3: "%{d2r}" reverses first, then keeps the rightmost two parts. */
static bool
macro_expand_into(const char *s, enum spf_macro_ctx ctx, const struct spf_macro_vars *v,
    struct macro_out *o, const char **why)
{
	size_t len = strlen(s), pos = 0, nmacros = 0;
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
			if (++nmacros > SPF_MACRO_TERM_MAX) {
				o->work->limit = true;
				*why = SPF_MACRO_TERM_REASON;
				return false;
			}
			val = macro_value(v, t.letter);
			if (val == NULL) {
				*why = t.letter == 'p' ? "%{p} not available" : "macro value missing";
				return false;
			}
			macro_put_value(o, &t, val);
			break;
		}
		if (o->over) {
			o->work->limit = true;
			*why = SPF_MACRO_WORK_REASON;
			return false;
		}
	}
	return true;
}

/* The expansion in o (on the caller's stack: nothing of a is used for work). */
static bool
macro_expand_buf(const char *s, enum spf_macro_ctx ctx, const struct spf_macro_vars *v,
    struct spf_macro_work *work, struct macro_out *o, const char **why)
{
	const char *dummy;
	struct spf_macro_work unlimited = { 0, SIZE_MAX, false };

	if (why == NULL)
		why = &dummy;
	o->len = 0;
	o->keep_tail = ctx == SPF_MACRO_DOMAIN;
	o->work = work != NULL ? work : &unlimited;
	o->work->limit = false;
	o->over = false;
	if (!macro_expand_into(s, ctx, v, o, why))
		return false;
	o->buf[o->len] = '\0';
	return true;
}

char *
spf_macro_expand(struct arena *a, const char *s, enum spf_macro_ctx ctx,
    const struct spf_macro_vars *v, struct spf_macro_work *work, const char **why)
{
	struct macro_out o;

	if (!macro_expand_buf(s, ctx, v, work, &o, why))
		return NULL;
	return arena_strndup(a, o.buf, o.len);
}

char *
spf_macro_expand_domain(struct arena *a, const char *spec,
    const struct spf_macro_vars *v, struct spf_macro_work *work, const char **why)
{
	struct macro_out o;
	char *name;
	size_t len;

	if (!macro_expand_buf(spec, SPF_MACRO_DOMAIN, v, work, &o, why))
		return NULL;
	name = o.buf;
	len = o.len;
	if (len > 0 && name[len - 1] == '.')
		name[--len] = '\0';
	while (len > SPF_NAME_MAX) {
		char *dot = strchr(name, '.');

		if (dot == NULL)
			break;          /* one huge label: not queryable, the caller sees that */
		len -= (size_t)(dot + 1 - name);
		name = dot + 1;
	}
	return arena_strndup(a, name, len);
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
