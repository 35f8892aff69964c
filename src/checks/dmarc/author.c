/*
 * The author domain: the domain of the RFC 5322 From field (RFC 7489
 * §3.1, §6.6.1), which DMARC authenticates. From fields arrive from
 * anyone, so this is a small tokenizer and recursive-descent parser of
 * RFC 5322 §3.4 address lists (with the obsolete forms of §4.4 that real
 * mail uses) that reads, never trusts: every loop is bounded by the
 * input, the token count is capped, and every outcome is a status.
 *
 * author_collect() builds on the same parse: every author domain a reader
 * could take from the From fields, the class DMARC cannot reduce to one
 * domain (two addresses, two fields, an unclosed comment, a trailing ';':
 * CVE-2019-16378, CVE-2021-34555). The strict parser decides what a clean
 * field says; a field it cannot read is also scanned for every '@', since
 * each mail client repairs broken syntax its own way and may show any of
 * them as the author. A clean field is never scanned: "alice@contoso.example
 * via List" <list@lists.example> is how lists write the original author,
 * and reading that as contoso would break list mail. The work is bounded
 * by the input, AUTHOR_AT_MAX '@' and AUTHOR_SCAN_MAX distinct address
 * domains (a repeated one costs a hash); whatever is not read sets
 * overflow, so the caller knows the strictest reading is unknown.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "author_int.h"
#include "dmarc.h"

enum tok_kind {
	TK_ATOM,                        /* atom, dot-less; also encoded words */
	TK_QSTRING,
	TK_DLITERAL,                    /* [ ... ] */
	TK_SPECIAL,                     /* one of < > : ; @ , . and stray ] \ */
};

struct tok {
	enum tok_kind kind;
	char c;                         /* TK_SPECIAL */
	const char *p;                  /* TK_ATOM: text */
	size_t n;
};

struct toks {
	struct tok *t;
	size_t n, cap;
	const char *why;
};

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_special(unsigned char c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' ||
	    c == ':' || c == ';' || c == '@' || c == '\\' || c == ',' || c == '.' || c == '"';
}

/* What ends an atom: white space, specials, controls (is_wsp, is_special). */
static const char atom_stop[] = " \t\r\n()<>[]:;@\\,.\""
    "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
    "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f";

static bool
push(struct toks *ts, enum tok_kind k, char c, const char *p, size_t n)
{
	if (ts->n == ts->cap) {
		ts->why = "too many tokens";
		return false;
	}
	ts->t[ts->n].kind = k;
	ts->t[ts->n].c = c;
	ts->t[ts->n].p = p;
	ts->t[ts->n].n = n;
	ts->n++;
	return true;
}

/*
 * RFC 2047 §2: "=?" charset "?" encoding "?" text "?=" without white space.
 * Read as one atom, so a sloppy encoder's '@' or ',' inside stays inside.
 */
static size_t
encoded_word_len(const char *s, const char *end)
{
	const char *p = s + 2;
	int q = 0;

	if (end - s < 4 || s[0] != '=' || s[1] != '?')
		return 0;
	for (; p < end && !is_wsp((unsigned char)*p) && p - s < 1000; p++) {
		if (*p != '?')
			continue;
		if (q >= 2 && p + 1 < end && p[1] == '=')
			return (size_t)(p + 2 - s);
		q++;
	}
	return 0;
}

static bool
tokenize(const char *s, size_t len, struct toks *ts)
{
	const char *p = s, *end = s + len, *q;
	unsigned depth;
	size_t ew;

	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (is_wsp(c)) {
			p++;
		} else if (c == '(') {
			/* §3.2.2: comments nest; quoted-pairs escape parentheses. */
			depth = 0;
			for (; p < end; p++) {
				if (*p == '\\' && p + 1 < end) {
					p++;
				} else if (*p == '(') {
					if (++depth > 64) {
						ts->why = "comments nested too deep";
						return false;
					}
				} else if (*p == ')' && --depth == 0) {
					break;
				}
			}
			if (p == end) {
				ts->why = "unterminated comment";
				return false;
			}
			p++;
		} else if (c == '"') {
			for (q = p + 1; q < end && *q != '"'; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			if (q >= end) {
				ts->why = "unterminated quoted string";
				return false;
			}
			if (!push(ts, TK_QSTRING, 0, p + 1, (size_t)(q - p - 1)))
				return false;
			p = q + 1;
		} else if (c == '[') {
			for (q = p + 1; q < end && *q != ']' && *q != '['; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			if (q >= end || *q != ']') {
				ts->why = "unterminated domain literal";
				return false;
			}
			if (!push(ts, TK_DLITERAL, 0, p, (size_t)(q + 1 - p)))
				return false;
			p = q + 1;
		} else if (c == ')') {
			ts->why = "unbalanced ')'";
			return false;
		} else if ((ew = encoded_word_len(p, end)) > 0) {
			if (!push(ts, TK_ATOM, 0, p, ew))
				return false;
			p += ew;
		} else if (is_special(c)) {
			if (!push(ts, TK_SPECIAL, (char)c, p, 1))
				return false;
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			ts->why = "control character";
			return false;
		} else {
			/*
			 * atext, and 8-bit for RFC 6532 internationalized mail;
			 * strcspn() (the value ends in NUL) keeps a 1 MB atom cheap.
			 */
			q = p + strcspn(p, atom_stop);
			if (q > end)
				q = end;
			if (!push(ts, TK_ATOM, 0, p, (size_t)(q - p)))
				return false;
			p = q;
		}
	}
	return true;
}

struct parse {
	struct arena *a;
	struct toks *ts;
	size_t i;
	const char *why;
	size_t naddr;
	const char **doms;              /* distinct domains, in order */
	size_t ndoms;
	bool nodomain, toomany;
};

static bool
at_special(const struct parse *ps, char c)
{
	return ps->i < ps->ts->n && ps->ts->t[ps->i].kind == TK_SPECIAL &&
	    ps->ts->t[ps->i].c == c;
}

static bool
is_word(const struct tok *t)
{
	return t->kind == TK_ATOM || t->kind == TK_QSTRING;
}

/* A domain after '@': dot-atom (obs-domain allows spaces) or a literal. */
static bool
parse_domain(struct parse *ps)
{
	const struct toks *ts = ps->ts;
	char buf[256];
	size_t len = 0, lab = 0, k;

	if (ps->i < ts->n && ts->t[ps->i].kind == TK_DLITERAL) {
		ps->i++;
		ps->nodomain = true;
		ps->why = "domain literal";
		return true;
	}
	for (;;) {
		const struct tok *t;

		if (ps->i >= ts->n || ts->t[ps->i].kind != TK_ATOM) {
			if (len > 0 && buf[len - 1] == '.' && lab == 0 && ps->i > 0) {
				/* a final dot: "example.com." names the same domain */
				len--;
				break;
			}
			ps->why = len == 0 ? "no domain after '@'" : "empty domain label";
			return false;
		}
		t = &ts->t[ps->i++];
		if (t->n > 63 || len + t->n >= 254) {
			ps->why = "domain name too long";
			return false;
		}
		for (k = 0; k < t->n; k++) {
			char ch = t->p[k];

			buf[len++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
		}
		lab = t->n;
		if (!at_special(ps, '.'))
			break;
		ps->i++;
		buf[len++] = '.';
		lab = 0;
	}
	if (len == 0) {
		ps->why = "empty domain";
		return false;
	}
	for (k = 0; k < ps->ndoms; k++)
		if (strlen(ps->doms[k]) == len && memcmp(ps->doms[k], buf, len) == 0)
			return true;
	if (ps->ndoms == AUTHOR_MAX_DOMAINS) {
		ps->toomany = true;
		return true;
	}
	ps->doms[ps->ndoms++] = arena_strndup(ps->a, buf, len);
	return true;
}

/* addr-spec: local-part "@" domain (RFC 5322 §3.4.1, obs-local-part). */
static bool
parse_addr_spec(struct parse *ps)
{
	const struct toks *ts = ps->ts;
	size_t start = ps->i;

	while (ps->i < ts->n && (is_word(&ts->t[ps->i]) || at_special(ps, '.')))
		ps->i++;
	ps->naddr++;
	if (!at_special(ps, '@')) {
		if (ps->i == start) {
			ps->why = "empty address";
			return false;
		}
		ps->nodomain = true;
		ps->why = "address without a domain";
		return true;
	}
	if (ps->i == start) {
		ps->why = "empty local part";
		return false;
	}
	ps->i++;
	return parse_domain(ps);
}

/* [phrase] "<" [obs-route] addr-spec ">" , or a bare addr-spec. */
static bool
parse_mailbox(struct parse *ps)
{
	const struct toks *ts = ps->ts;
	size_t j = ps->i;

	/* Look ahead: is there an angle address before the next separator? */
	while (j < ts->n && (is_word(&ts->t[j]) ||
	    (ts->t[j].kind == TK_SPECIAL && ts->t[j].c == '.')))
		j++;
	if (j < ts->n && ts->t[j].kind == TK_SPECIAL && ts->t[j].c == '<') {
		ps->i = j + 1;
		if (at_special(ps, '>')) {
			/* "<>" is not a mailbox, but say what it lacks. */
			ps->i++;
			ps->naddr++;
			ps->nodomain = true;
			ps->why = "empty angle address";
			return true;
		}
		if (at_special(ps, '@')) {
			/* §4.4 obs-route: "@a,@b:" before the address */
			while (ps->i < ts->n && !at_special(ps, ':') && !at_special(ps, '>'))
				ps->i++;
			if (!at_special(ps, ':')) {
				ps->why = "bad route";
				return false;
			}
			ps->i++;
		}
		if (!parse_addr_spec(ps))
			return false;
		if (!at_special(ps, '>')) {
			ps->why = "missing '>'";
			return false;
		}
		ps->i++;
		return true;
	}
	return parse_addr_spec(ps);
}

/* mailbox / group, separated by commas; obs-list's empty elements allowed. */
static bool
parse_list(struct parse *ps, bool in_group)
{
	const struct toks *ts = ps->ts;
	size_t j;

	for (;;) {
		while (at_special(ps, ','))
			ps->i++;
		if (ps->i >= ts->n || (in_group && at_special(ps, ';')))
			return true;
		/* A group is a phrase followed by ':'. */
		for (j = ps->i; j < ts->n && is_word(&ts->t[j]); j++)
			;
		if (j > ps->i && j < ts->n && ts->t[j].kind == TK_SPECIAL && ts->t[j].c == ':') {
			if (in_group) {
				ps->why = "nested group";
				return false;
			}
			ps->i = j + 1;
			if (!parse_list(ps, true))
				return false;
			if (!at_special(ps, ';')) {
				ps->why = "group without ';'";
				return false;
			}
			ps->i++;
		} else if (!parse_mailbox(ps)) {
			return false;
		}
		if (ps->i >= ts->n || (in_group && at_special(ps, ';')))
			return true;
		if (!at_special(ps, ',')) {
			ps->why = "unexpected text after an address";
			return false;
		}
	}
}

/* One field into ps (which keeps the domains of earlier fields). */
static enum author_status
parse_field(struct parse *ps, const char *value, const char **why)
{
	struct toks ts;
	enum author_status st;

	memset(&ts, 0, sizeof(ts));
	ts.cap = AUTHOR_MAX_TOKENS;
	ts.t = calloc(ts.cap, sizeof(*ts.t));
	if (ts.t == NULL)
		abort();
	ps->ts = &ts;
	ps->i = 0;
	ps->naddr = 0;
	ps->why = NULL;
	if (value == NULL || !tokenize(value, strlen(value), &ts)) {
		*why = value == NULL ? "no From value" : ts.why;
		st = AUTHOR_SYNTAX;
	} else if (!parse_list(ps, false) || ps->i != ts.n) {
		*why = ps->why ? ps->why : "unexpected text";
		st = AUTHOR_SYNTAX;
	} else if (ps->naddr == 0) {
		*why = "no address";
		st = AUTHOR_NO_DOMAIN;
	} else if (ps->nodomain) {
		*why = ps->why;
		st = AUTHOR_NO_DOMAIN;
	} else if (ps->toomany) {
		*why = "too many domains";
		st = AUTHOR_SYNTAX;
	} else {
		*why = "ok";
		st = AUTHOR_OK;
	}
	free(ts.t);
	ps->ts = NULL;
	return st;
}

/* One From field as the strict parser reads it. */
struct author_field {
	enum author_status st;
	const char *why;
	const char **doms;              /* its domains, lower case; on an error those
	                                   read before it */
	size_t ndoms;
};

/* One field alone: what author_collect() builds on (same parse, same status). */
static void
author_parse_field(struct arena *a, const char *value, struct author_field *f)
{
	struct parse ps;

	memset(&ps, 0, sizeof(ps));
	ps.a = a;
	ps.doms = arena_alloc(a, AUTHOR_MAX_DOMAINS * sizeof(*ps.doms));
	f->st = parse_field(&ps, value, &f->why);
	f->doms = ps.doms;
	f->ndoms = ps.ndoms;
}

enum author_status
author_domains(struct arena *a, const char *const *values, size_t n,
    const char ***domains, size_t *ndomains, const char **why)
{
	struct parse ps;
	const char *dummy;
	enum author_status st = AUTHOR_OK;
	size_t i;

	if (why == NULL)
		why = &dummy;
	*domains = NULL;
	*ndomains = 0;
	if (n == 0 || values == NULL) {
		*why = "no From field";
		return AUTHOR_NONE;
	}
	memset(&ps, 0, sizeof(ps));
	ps.a = a;
	ps.doms = arena_alloc(a, AUTHOR_MAX_DOMAINS * sizeof(*ps.doms));
	for (i = 0; i < n && st == AUTHOR_OK; i++)
		st = parse_field(&ps, values[i], why);
	if (st != AUTHOR_OK)
		return st;
	*why = ps.ndoms > 1 ? "several domains" : "one domain";
	*domains = ps.doms;
	*ndomains = ps.ndoms;
	return AUTHOR_OK;
}

enum author_status
author_domain(struct arena *a, const char *const *values, size_t n,
    const char **domain, const char **why)
{
	const char **doms, *dummy;
	size_t nd;
	enum author_status st;

	if (why == NULL)
		why = &dummy;
	*domain = NULL;
	if (n > 1) {
		/* RFC 7489 §6.6.1: several From fields are not one author. */
		*why = "several From fields";
		return AUTHOR_MULTIPLE_FIELDS;
	}
	st = author_domains(a, values, n, &doms, &nd, why);
	if (st != AUTHOR_OK)
		return st;
	if (nd > 1) {
		*why = "addresses with different domains";
		return AUTHOR_MULTIPLE_DOMAINS;
	}
	*domain = doms[0];
	return AUTHOR_OK;
}

const char *
author_status_name(enum author_status st)
{
	switch (st) {
	case AUTHOR_OK:                 return "ok";
	case AUTHOR_NONE:               return "none";
	case AUTHOR_MULTIPLE_FIELDS:    return "multiple-from";
	case AUTHOR_MULTIPLE_DOMAINS:   return "multiple-domains";
	case AUTHOR_NO_DOMAIN:          return "no-domain";
	case AUTHOR_SYNTAX:             return "syntax";
	}
	return "?";
}

void
author_collect(struct arena *a, const char *const *values, size_t n, struct author_set *out)
{
	struct author_collect c;
	struct author_field f;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.out = out;
	c.w.idn_budget = AUTHOR_IDN_BUDGET;
	out->nfields = n;
	/* strict: exactly author_domain()'s status, from the same parse */
	if (n > 1) {
		out->strict = AUTHOR_MULTIPLE_FIELDS;
		author_note(&c, "several From fields");
	} else if (n == 0 || values == NULL) {
		out->strict = AUTHOR_NONE;
		author_note(&c, "no From field");
	}
	for (i = 0; values != NULL && i < n && !out->overflow; i++) {
		author_parse_field(a, values[i], &f);
		if (n == 1)
			out->strict = f.st == AUTHOR_OK && f.ndoms > 1 ? AUTHOR_MULTIPLE_DOMAINS : f.st;
		if (f.st == AUTHOR_OK && f.ndoms > 1)
			author_note(&c, "addresses with different domains");
		if (f.st != AUTHOR_OK)
			author_note(&c, arena_printf(a, "%s: every '@' read", f.why));
		/* scanned first: the order of appearance */
		if (f.st != AUTHOR_OK && values[i] != NULL)
			author_scan_field(&c, values[i]);
		for (k = 0; k < f.ndoms; k++)
			author_candidate(&c, f.doms[k], strlen(f.doms[k]));
	}
	out->mapped = c.w.mapped;
	out->fallback = c.w.fallback;
	out->overlong = c.w.overlong;
	if (out->unreadable)
		author_note(&c, "an address domain with no valid reading");
	for (i = 0; i < c.nreasons; i++)
		out->why = i == 0 ? c.reasons[0] : arena_printf(a, "%s; %s", out->why, c.reasons[i]);
}
