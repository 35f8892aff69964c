/*
 * authres: building our Authentication-Results value byte for byte,
 * and parsing incoming ones (RFC 8601 Appendix B and what MTAs really
 * send).  Recognising forgeries of our authserv-id: test_authres_claims.c.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "authres.h"
#include "../tap.h"

#define PROPS(...) (const struct ar_prop[]){ __VA_ARGS__ }
#define NPROPS(...) (sizeof(PROPS(__VA_ARGS__)) / sizeof(struct ar_prop))
#define P(...) NPROPS(__VA_ARGS__), PROPS(__VA_ARGS__)
#define RESULTS(...) (const struct ar_result[]){ __VA_ARGS__ }
#define NRESULTS(...) (sizeof(RESULTS(__VA_ARGS__)) / sizeof(struct ar_result))
#define R(...) RESULTS(__VA_ARGS__), NRESULTS(__VA_ARGS__)

/* ------------------------------------------------------------------ */
/* authres_format                                                      */

struct fmt_case {
	const char *name;
	const char *id;
	const struct ar_result *res;
	size_t n;
	const char *want;
	size_t maxline;             /* 0: every line < 78; else the longest */
};

static const char long_b64[] =
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/abcdefghijklmnopqrstuvwxyz+ABCDEFGHIJ";

static const struct fmt_case fmt_cases[] = {
	{ "DESIGN.md example: five results, comments, reason, bare action=",
	  "mx.example.net", R(
	    { "spf", "pass", "sender IP is 192.0.2.10", NULL,
	      P({ "smtp", "mailfrom", "fabrikam.example", NULL }) },
	    { "dkim", "pass", "signature was verified", NULL,
	      P({ "header", "d", "fabrikam.example", NULL },
	        { "header", "s", "sel1", NULL }) },
	    { "dmarc", "pass", NULL, NULL,
	      P({ NULL, "action", "none", NULL },
	        { "header", "from", "fabrikam.example", NULL }) },
	    { "arc", "none", NULL, NULL, 0, NULL },
	    { "compauth", "pass", NULL, "100", 0, NULL }),
	  " mx.example.net;\n"
	  "\tspf=pass (sender IP is 192.0.2.10) smtp.mailfrom=fabrikam.example;\n"
	  "\tdkim=pass (signature was verified) header.d=fabrikam.example header.s=sel1;\n"
	  "\tdmarc=pass action=none header.from=fabrikam.example;\n"
	  "\tarc=none;\n"
	  "\tcompauth=pass reason=100", 0 },
	{ "n == 0: no-result (RFC 8601 2.2)", "mx.example.net", NULL, 0,
	  " mx.example.net; none", 0 },
	{ "per-property comment (RFC 8601 2.7.3 iprev)", "mx.example.net", R(
	    { "iprev", "pass", NULL, NULL,
	      P({ "policy", "iprev", "192.0.2.1", "mail.example.com" }) }),
	  " mx.example.net;\n\tiprev=pass policy.iprev=192.0.2.1 (mail.example.com)", 0 },
	{ "comment then reason then properties (RFC 8601 2.2 resinfo order)",
	  "mx.example.net", R(
	    { "dkim", "fail", "bad", "bad signature",
	      P({ "header", "d", "example.com", NULL }) }),
	  " mx.example.net;\n\tdkim=fail (bad) reason=\"bad signature\" header.d=example.com", 0 },
	{ "comment: ( ) become [ ], \\ becomes ?: no quoted-pairs (SpamAssassin and "
	  "Mail::AuthenticationResults count every parenthesis)",
	  "mx.example.net", R(
	    { "spf", "temperror", "lookup (A) failed \\ retry", NULL, 0, NULL }),
	  " mx.example.net;\n\tspf=temperror (lookup [A] failed ? retry)", 0 },
	{ "comment cannot close early: an injected result stays inside it",
	  "mx.example.net", R(
	    { "iprev", "pass", NULL, NULL,
	      P({ "policy", "iprev", "192.0.2.1",
	          "x) dkim=pass header.d=paypal.example (\\" }) }),
	  " mx.example.net;\n\tiprev=pass policy.iprev=192.0.2.1"
	  " (x] dkim=pass header.d=paypal.example [?)", 0 },
	{ "comment: 8-bit bytes become ?, an encoded-word is broken",
	  "mx.example.net", R(
	    { "iprev", "pass", NULL, NULL,
	      P({ "policy", "iprev", "192.0.2.1", "mail.\xc3\xa9xample =?utf-8?b?KQ==?=" }) }),
	  " mx.example.net;\n\tiprev=pass policy.iprev=192.0.2.1"
	  " (mail.?\?xample ?\?utf-8?b?KQ?\?\?=)", 0 },
	{ "comment: CR LF NUL-free controls become one space, ends trimmed",
	  "mx.example.net", R(
	    { "dkim", "permerror", " \tkey\r\nBcc: x@evil.example\x01\x7f end\r\n", NULL,
	      0, NULL }),
	  " mx.example.net;\n\tdkim=permerror (key Bcc: x@evil.example end)", 0 },
	{ "empty or blank comment is left out", "mx.example.net", R(
	    { "spf", "none", "", NULL, 0, NULL },
	    { "dkim", "none", " \r\n ", NULL, 0, NULL }),
	  " mx.example.net;\n\tspf=none;\n\tdkim=none", 0 },
	{ "pvalue forms that stay bare (RFC 8601 2.2 pvalue; RFC 2045 token)",
	  "mx.example.net", R(
	    { "auth", "pass", NULL, NULL,
	      P({ "smtp", "auth", "user.name+tag@example.com", NULL },
	        { "smtp", "mailfrom", "@example.com", NULL },
	        { "header", "x", "a!#$%&'*+-.^_`{|}~9", NULL },
	        { "header", "y", "o.k/x{}@sub-1.example.org", NULL }) }),
	  /* 1+9+1+35+1+26 = 73: the second property still fits */
	  " mx.example.net;\n\tauth=pass smtp.auth=user.name+tag@example.com"
	  " smtp.mailfrom=@example.com\n"
	  "\t\theader.x=a!#$%&'*+-.^_`{|}~9 header.y=o.k/x{}@sub-1.example.org", 0 },
	{ "'=' or '?' in a local-part: quoted, \"=?\" never written",
	  "mx.example.net", R(
	    { "spf", "pass", NULL, NULL,
	      P({ "smtp", "mailfrom", "o=?k@example.org", NULL },
	        { "smtp", "helo", "?utf-8?q?x?=@example.org", NULL }) }),
	  " mx.example.net;\n\tspf=pass smtp.mailfrom=\"o?\?k@example.org\"\n"
	  "\t\tsmtp.helo=\"?utf-8?q?x?=@example.org\"", 0 },
	{ "values needing a quoted-string (RFC 5322 3.2.4), '\"' and '\\' become '?' "
	  "(Mail::AuthenticationResults ends a quoted-string at any '\"')", "mx.example.net", R(
	    { "x", "y", NULL, NULL,
	      P({ "header", "a", "two words", NULL },
	        { "header", "b", "say \"hi\"", NULL },
	        { "header", "c", "back\\slash", NULL },
	        { "header", "d", "", NULL },
	        { "header", "e", "2001:db8::1", NULL },
	        { "header", "f", "x;y", NULL }) }),
	  /* 1+3+1+20+1+21+1+22 = 70 */
	  " mx.example.net;\n\tx=y header.a=\"two words\" header.b=\"say ?hi?\""
	  " header.c=\"back?slash\"\n"
	  "\t\theader.d=\"\" header.e=\"2001:db8::1\" header.f=\"x;y\"", 0 },
	{ "not an address: bad local-part or domain is quoted", "mx.example.net", R(
	    { "x", "y", NULL, NULL,
	      P({ "smtp", "a", "user@localhost", NULL },
	        { "smtp", "b", "a..b@example.com", NULL },
	        { "smtp", "c", "a@-bad.example", NULL },
	        { "smtp", "d", "a@example.com.", NULL },
	        { "smtp", "e", "@", NULL }) }),
	  " mx.example.net;\n\tx=y smtp.a=\"user@localhost\" smtp.b=\"a..b@example.com\"\n"
	  "\t\tsmtp.c=\"a@-bad.example\" smtp.d=\"a@example.com.\" smtp.e=\"@\"", 0 },
	{ "CVE-2020-12272: a d= with '(' is one quoted value", "mx.example.net", R(
	    { "dkim", "pass", NULL, NULL,
	      P({ "header", "d", "example.net(.example.com", NULL },
	        { "header", "s", "sel(1", NULL }) }),
	  " mx.example.net;\n\tdkim=pass header.d=\"example.net(.example.com\""
	  " header.s=\"sel(1\"", 0 },
	{ "MAIL FROM with ; \" \\ white space, controls and 8-bit", "mx.example.net", R(
	    { "spf", "fail", NULL, NULL,
	      P({ "smtp", "mailfrom", "a;b\"c\\d e\x01" "f\xc3\xa9(g)@ex.example", NULL }) }),
	  " mx.example.net;\n\tspf=fail smtp.mailfrom=\"a;b?c?d e f?\?(g)@ex.example\"", 0 },
	{ "encoded-words in values are broken: every '=' before a '?' becomes '?'",
	  "mx.example.net", R(
	    { "dkim", "fail", NULL, NULL,
	      P({ "header", "d", "=?utf-8?q?x=22;_dkim=3Dpass?=", NULL },
	        { "header", "s", "a==?b=\xff", NULL }) }),
	  " mx.example.net;\n\tdkim=fail header.d=\"?\?utf-8?q?x=22;_dkim=3Dpass?=\""
	  " header.s=\"a?\?\?b?\?\"", 0 },
	{ "controls in values become spaces inside the quotes", "mx.example.net", R(
	    { "spf", "fail", NULL, NULL,
	      P({ "smtp", "mailfrom", "a\r\nb@example.com", NULL }) }),
	  " mx.example.net;\n\tspf=fail smtp.mailfrom=\"a  b@example.com\"", 0 },
	{ "reason that is a token stays bare", "mx.example.net", R(
	    { "compauth", "fail", NULL, "001", 0, NULL }),
	  " mx.example.net;\n\tcompauth=fail reason=001", 0 },
	{ "authserv-id is a value: quoted when not a token (RFC 8601 2.5)",
	  "mx example", NULL, 0, " \"mx example\"; none", 0 },
	{ "long properties fold at element boundaries; no line over 77",
	  "mx.example.net", R(
	    { "dkim", "fail", "signature did not verify", NULL,
	      P({ "header", "d", "subdomain.marketing-department.example.com", NULL },
	        { "header", "s", "selector-2024-01", NULL },
	        { "header", "i", "newsletter@subdomain.marketing-department.example.com", NULL },
	        { "header", "a", "rsa-sha256", NULL }) },
	    { "compauth", "pass", NULL, "109", 0, NULL }),
	  " mx.example.net;\n"
	  "\tdkim=fail (signature did not verify)\n"
	  "\t\theader.d=subdomain.marketing-department.example.com\n"
	  "\t\theader.s=selector-2024-01\n"
	  "\t\theader.i=newsletter@subdomain.marketing-department.example.com\n"
	  "\t\theader.a=rsa-sha256;\n"
	  "\tcompauth=pass reason=109", 0 },
	{ "the ';' counts: a line of exactly 77 stays, one more folds",
	  "mx.example.net", R(
	    /* "\tspf=pass smtp.mailfrom=" is 24, + 52 + ";" = 77 */
	    { "spf", "pass", NULL, NULL,
	      P({ "smtp", "mailfrom", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", NULL }) },
	    /* 25 + 52 = 77, and no ';' on the last result */
	    { "spf", "pass", NULL, NULL,
	      P({ "smtp", "mailfrom", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", NULL }) },
	    { "spf", "pass", NULL, NULL,
	      P({ "smtp", "mailfrom", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", NULL }) }),
	  " mx.example.net;\n"
	  "\tspf=pass smtp.mailfrom=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com;\n"
	  "\tspf=pass\n\t\tsmtp.mailfrom=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com;\n"
	  "\tspf=pass smtp.mailfrom=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", 0 },
	{ "a token longer than any line is emitted whole on its own line",
	  "mx.example.net", R(
	    { "dkim", "pass", NULL, NULL,
	      P({ "header", "d", "example.com", NULL },
	        { "header", "b", long_b64, NULL }) }),
	  " mx.example.net;\n\tdkim=pass header.d=example.com\n"
	  "\t\theader.b=\"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/abcdefghijklmnopqrstuvwxyz+ABCDEFGHIJ\"",
	  2 + 11 + sizeof(long_b64) - 1 },
	{ "a comment too long for a line folds between its words",
	  "mx.example.net", R(
	    { "spf", "permerror", "too many DNS lookups while evaluating include:_spf.example.com"
	      " and redirect=_spf2.example.net (limit 10)", NULL,
	      P({ "smtp", "mailfrom", "example.com", NULL }) }),
	  " mx.example.net;\n"
	  "\tspf=permerror (too many DNS lookups while evaluating\n"
	  "\t\tinclude:_spf.example.com and redirect=_spf2.example.net [limit 10])\n"
	  "\t\tsmtp.mailfrom=example.com", 0 },
	{ "long authserv-id: 'none' moves to a continuation line",
	  /* 23 + 1 + 50 + 1 = 75; with " none" 80 */
	  "mx-authserv-01.mail-gateway.datacenter.example.net", NULL, 0,
	  " mx-authserv-01.mail-gateway.datacenter.example.net;\n\tnone", 0 },
	{ "authserv-id longer than a line stays whole on the first line",
	  "a-rather-long-authserv-id.mail-gateway.datacenter-1.example.com", R(
	    { "spf", "pass", NULL, NULL, 0, NULL }),
	  " a-rather-long-authserv-id.mail-gateway.datacenter-1.example.com;\n\tspf=pass",
	  23 + 1 + 63 + 1 },
	{ "names are filtered to keyword characters; nameless result dropped",
	  "mx.example.net", R(
	    { "dk im;\n", "pa ss", NULL, NULL,
	      P({ "head er", "d\r\n", "x.example", NULL },
	        { "header", "", "dropped", NULL }) },
	    { "", "pass", NULL, NULL, 0, NULL }),
	  " mx.example.net;\n\tdkim=pass header.d=x.example", 0 },
	{ "only nameless results: same as none", "mx.example.net", R(
	    { NULL, "pass", NULL, NULL, 0, NULL }),
	  " mx.example.net; none", 0 },
};

/* Longest physical line of the whole field "Authentication-Results:value". */
static size_t
max_line(const char *v)
{
	size_t len = strlen(AR_FIELD) + 1, max = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\n') {
			if (len > max)
				max = len;
			len = 0;
		} else
			len++;
	}
	return len > max ? len : max;
}

/* No control byte but the LF + WSP of a fold, no blank line, no '\r';
 * no quoted-pair, no 8-bit byte, no "=?" (see authres.c). */
static int
header_sane(const char *v)
{
	const char *p;

	if (v[0] != ' ')
		return 0;
	for (p = v; *p != '\0'; p++) {
		if (*p == '\n') {
			if (p[1] != '\t' && p[1] != ' ')
				return 0;
			if (p[2] == '\n' || p[2] == '\0' || (p[2] == '\t' &&
			    (p[3] == '\n' || p[3] == '\0')))
				return 0;
		} else if (*p != '\t' && ((unsigned char)*p < 0x20 || *p == 0x7f))
			return 0;
		else if ((unsigned char)*p >= 0x80 || *p == '\\' || (p[0] == '=' && p[1] == '?'))
			return 0;
	}
	return 1;
}

/*
 * What a value or comment reads back as: controls to spaces, '"', '\' and
 * 8-bit bytes to '?', '='s before a '?' to '?'; for comments also ( ) to
 * [ ] and white space runs collapsed and trimmed.  Applied to a bare
 * value it changes nothing: tokens and bare addresses hold none of these.
 */
static char *
cleaned(struct arena *a, const char *s, int collapse)
{
	char *o = arena_alloc(a, strlen(s ? s : "") + 1), *q = o, *e;
	int space = 0;

	for (; s != NULL && *s != '\0'; s++) {
		int c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c >= 0x80 || c == '"' || c == '\\')
			c = '?';
		else if (collapse && c == '(')
			c = '[';
		else if (collapse && c == ')')
			c = ']';
		if (collapse && c == ' ') {
			space = q != o;
			continue;
		}
		if (space)
			*q++ = ' ';
		space = 0;
		if (c == '?')
			for (e = q; e > o && e[-1] == '='; e--)
				e[-1] = '?';
		*q++ = (char)c;
	}
	*q = '\0';
	return o;
}

static int
same_text(struct arena *a, const char *got, const char *want, int collapse)
{
	const char *g = cleaned(a, got, collapse), *w = cleaned(a, want, collapse);

	return strcmp(g, w) == 0;
}

/* Our own parser must read back what we wrote. */
static void
roundtrip(struct arena *a, const struct fmt_case *c, const char *out)
{
	struct ar_parsed p;
	size_t i, j, k, want_n = 0;
	int ok_all = 1;

	/* Results whose method has no keyword character are left out. */
	for (i = 0; i < c->n; i++)
		if (c->res[i].method != NULL && strpbrk(c->res[i].method,
		    "abcdefghijklmnopqrstuvwxyz") != NULL)
			want_n++;
	is_int(authres_parse(a, out, strlen(out), &p), 0, "format/parse: %s: parses", c->name);
	is_str(p.authserv_id, c->id, "format/parse: %s: authserv-id", c->name);
	if (want_n == 0) {
		ok(p.none == 1 && p.n == 0, "format/parse: %s: none", c->name);
		return;
	}
	is_int(p.n, want_n, "format/parse: %s: result count", c->name);
	for (i = 0; i < c->n && i < p.n && want_n == c->n; i++) {
		const struct ar_result *w = &c->res[i], *g = &p.res[i];

		ok_all &= strcmp(g->method, w->method) == 0 && strcmp(g->result, w->result) == 0;
		ok_all &= (w->reason == NULL) == (g->reason == NULL) &&
		    (w->reason == NULL || same_text(a, g->reason, w->reason, 0));
		if (w->comment != NULL && cleaned(a, w->comment, 1)[0] != '\0')
			ok_all &= g->comment != NULL && same_text(a, g->comment, w->comment, 1);
		else
			ok_all &= g->comment == NULL;
		ok_all &= g->nprops == w->nprops;
		for (j = 0, k = 0; j < w->nprops && k < g->nprops; j++, k++) {
			const struct ar_prop *wp = &w->props[j], *gp = &g->props[k];

			ok_all &= strcmp(gp->ptype, wp->ptype ? wp->ptype : "") == 0 &&
			    strcmp(gp->name, wp->name) == 0 &&
			    same_text(a, gp->value, wp->value, 0);
			ok_all &= (wp->comment == NULL) == (gp->comment == NULL);
		}
	}
	ok(ok_all, "format/parse: %s: every field reads back", c->name);
	ok(authres_claims_id(out, strlen(out), c->id), "format/claims: %s", c->name);
}

static void
test_format(void)
{
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		const struct fmt_case *c = &fmt_cases[i];
		char *out = authres_format(a, c->id, c->res, c->n);

		is_str(out, c->want, "format: %s", c->name);
		ok(header_sane(out), "format: %s: only LF+WSP folds, no controls, quoted-pairs, "
		    "8-bit or \"=?\"", c->name);
		if (c->maxline != 0)
			is_int(max_line(out), c->maxline,
			    "format: %s: the only line over 77 is the long token's", c->name);
		else
			ok(max_line(out) < 78, "format: %s: every line < 78 (is %zu)", c->name,
			    max_line(out));
		if (strcmp(c->id, "mx example") != 0)
			roundtrip(a, c, out);
	}
	arena_free(&a);
}

/* ------------------------------------------------------------------ */
/* authres_parse                                                       */

/* "method=result (comment) reason=[r] ptype.name=[value] (comment); ..." */
static char *
dump(struct arena *a, const struct ar_parsed *p)
{
	char *s = arena_strdup(a, "");
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		const struct ar_result *r = &p->res[i];

		s = arena_printf(a, "%s%s%s=%s", s, i ? "; " : "", r->method, r->result);
		if (r->comment)
			s = arena_printf(a, "%s (%s)", s, r->comment);
		if (r->reason)
			s = arena_printf(a, "%s reason=[%s]", s, r->reason);
		for (j = 0; j < r->nprops; j++) {
			const struct ar_prop *pp = &r->props[j];

			s = arena_printf(a, "%s %s%s%s=[%s]", s, pp->ptype,
			    pp->ptype[0] ? "." : "", pp->name, pp->value);
			if (pp->comment)
				s = arena_printf(a, "%s (%s)", s, pp->comment);
		}
	}
	return s;
}

struct parse_case {
	const char *name;
	const char *in;
	size_t len;                 /* 0: strlen(in) */
	int rc;
	const char *id;
	const char *version;
	int none;
	const char *want;           /* dump() of the results read */
};

static const struct parse_case parse_cases[] = {
	/* RFC 8601 Appendix B (B.1 is a message without the field).  Header
	 * values copied from the RFC, as the milter hands them over. */
	{ "RFC 8601 B.2", " example.org 1; none", 0, 0, "example.org", "1", 1, "" },
	{ "RFC 8601 B.3", " example.com;\r\n          spf=pass smtp.mailfrom=example.net",
	  0, 0, "example.com", NULL, 0, "spf=pass smtp.mailfrom=[example.net]" },
	{ "RFC 8601 B.4 (1)", " example.com;\r\n"
	  "          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
	  "          spf=pass smtp.mailfrom=example.net", 0, 0, "example.com", NULL, 0,
	  "auth=pass (cram-md5) smtp.auth=[sender@example.net]; "
	  "spf=pass smtp.mailfrom=[example.net]" },
	{ "RFC 8601 B.4 (2)", " example.com; iprev=pass\r\n          policy.iprev=192.0.2.200",
	  0, 0, "example.com", NULL, 0, "iprev=pass policy.iprev=[192.0.2.200]" },
	{ "RFC 8601 B.5 (1)", " example.com;\r\n"
	  "          dkim=pass (good signature) header.d=example.com", 0, 0, "example.com",
	  NULL, 0, "dkim=pass (good signature) header.d=[example.com]" },
	{ "RFC 8601 B.5 (2)", " example.com;\r\n"
	  "          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
	  "          spf=fail smtp.mailfrom=example.com", 0, 0, "example.com", NULL, 0,
	  "auth=pass (cram-md5) smtp.auth=[sender@example.com]; "
	  "spf=fail smtp.mailfrom=[example.com]" },
	{ "RFC 8601 B.6 (1)", " example.com;\r\n"
	  "      dkim=pass reason=\"good signature\"\r\n"
	  "        header.i=@mail-router.example.net;\r\n"
	  "      dkim=fail reason=\"bad signature\"\r\n"
	  "        header.i=@newyork.example.com", 0, 0, "example.com", NULL, 0,
	  "dkim=pass reason=[good signature] header.i=[@mail-router.example.net]; "
	  "dkim=fail reason=[bad signature] header.i=[@newyork.example.com]" },
	{ "RFC 8601 B.6 (2)", " example.net;\r\n"
	  "      dkim=pass (good signature) header.i=@newyork.example.com", 0, 0,
	  "example.net", NULL, 0, "dkim=pass (good signature) header.i=[@newyork.example.com]" },
	{ "RFC 8601 B.7 comment-heavy", " foo.example.net (foobar) 1 (baz);\r\n"
	  "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
	  "      policy (A dot can go here) . (like that) expired\r\n"
	  "      (this surprised me) = (as I wasn't expecting it) 1362471462", 0, 0,
	  "foo.example.net", "1", 0, "dkim=fail policy.expired=[1362471462]" },

	/* CFWS everywhere (RFC 5322 3.2.2), CRLF and bare-LF folds. */
	{ "CFWS between every token", "\r\n\t (lead) mx.example.net\r\n\t(c1)(c2) ;(x)spf(y)="
	  "(z)pass(first) (second) smtp(a).(b)mailfrom(c)=(d)a@b.example(pc)\r\n ;\r\n\tdkim=none",
	  0, 0, "mx.example.net", NULL, 0,
	  "spf=pass (first) smtp.mailfrom=[a@b.example] (pc); dkim=none" },
	{ "LF-only folding", " mx.example.net;\n\tspf=pass\n\t\tsmtp.mailfrom=x.example", 0, 0,
	  "mx.example.net", NULL, 0, "spf=pass smtp.mailfrom=[x.example]" },
	{ "no space at all around ';'", "mx.example.net;spf=pass;dkim=fail", 0, 0,
	  "mx.example.net", NULL, 0, "spf=pass; dkim=fail" },
	{ "nested comments and quoted-pairs in them", " mx.example.net; dkim=pass "
	  "(outer (inner (deepest)) \\) \\\\ done) header.d=x.example", 0, 0, "mx.example.net",
	  NULL, 0, "dkim=pass (outer (inner (deepest)) ) \\ done) header.d=[x.example]" },
	{ "folded comment is unfolded", " mx; spf=pass (a\r\n b) smtp.helo=h.example", 0, 0,
	  "mx", NULL, 0, "spf=pass (a b) smtp.helo=[h.example]" },
	{ "only the first comment after the result is kept", " mx; spf=pass (one) (two)",
	  0, 0, "mx", NULL, 0, "spf=pass (one)" },

	/* authserv-id and version (RFC 8601 2.2, 2.5). */
	{ "quoted authserv-id", " \"mx.example.net\"; none", 0, 0, "mx.example.net", NULL, 1, "" },
	{ "quoted id with quoted-pair and space, then version", " \"mx ex\\\"ample\" 1; none",
	  0, 0, "mx ex\"ample", "1", 1, "" },
	{ "version with comment", " mx.example.net 1 (v); spf=pass", 0, 0, "mx.example.net",
	  "1", 0, "spf=pass" },
	{ "none with a comment", " mx.example.net; none (nothing done)", 0, 0,
	  "mx.example.net", NULL, 1, "" },
	{ "case: names lower-cased, values as written", " MX.Example.NET; SPF=Pass "
	  "SMTP.MailFrom=User@Example.COM", 0, 0, "MX.Example.NET", NULL, 0,
	  "spf=pass smtp.mailfrom=[User@Example.COM]" },

	/* Methods, ptypes and values beyond the registry (RFC 8601 2.7.6). */
	{ "unknown method with version, unknown ptypes", " mx.example.net; x-frob/2=weird "
	  "policy.x-thing=y foo.bar=baz; compauth=pass reason=109", 0, 0, "mx.example.net",
	  NULL, 0, "x-frob=weird policy.x-thing=[y] foo.bar=[baz]; compauth=pass reason=[109]" },
	{ "Microsoft 365 style, bare action=", " spf.protection.outlook.com; spf=pass "
	  "(sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=pass (signature was "
	  "verified) header.d=example.com;dmarc=pass action=none header.from=example.com;"
	  "compauth=pass reason=100", 0, 0, "spf.protection.outlook.com", NULL, 0,
	  "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=[example.com]; dkim=pass "
	  "(signature was verified) header.d=[example.com]; dmarc=pass action=[none] "
	  "header.from=[example.com]; compauth=pass reason=[100]" },
	{ "ARC-style properties with dotted names", " mx; arc=pass header.oldest-pass=0 "
	  "smtp.remote-ip=192.0.2.1 policy.dkim.rules=x", 0, 0, "mx", NULL, 0,
	  "arc=pass header.oldest-pass=[0] smtp.remote-ip=[192.0.2.1] policy.dkim.rules=[x]" },
	{ "quoted pvalues: escapes resolved, empty kept", " mx; dkim=pass "
	  "header.b=\"ab\\\"c\\\\d\" header.s=\"\" header.d=x", 0, 0, "mx", NULL, 0,
	  "dkim=pass header.b=[ab\"c\\d] header.s=[] header.d=[x]" },
	{ "quoted local-part stays as written", " mx; spf=pass "
	  "smtp.mailfrom=\"odd user\"@example.com", 0, 0, "mx", NULL, 0,
	  "spf=pass smtp.mailfrom=[\"odd user\"@example.com]" },
	{ "bare base64 and IPv6 (common, not RFC)", " mx; dkim=pass header.b=aB/c+D=; "
	  "iprev=pass policy.iprev=2001:db8::1", 0, 0, "mx", NULL, 0,
	  "dkim=pass header.b=[aB/c+D=]; iprev=pass policy.iprev=[2001:db8::1]" },
	{ "property comment without space", " mx; iprev=pass policy.iprev=192.0.2.1(mail.example)",
	  0, 0, "mx", NULL, 0, "iprev=pass policy.iprev=[192.0.2.1] (mail.example)" },
	{ "quoted reason unfolded", " mx; dkim=fail reason=\"a\r\n b\"", 0, 0, "mx", NULL, 0,
	  "dkim=fail reason=[a b]" },
	{ "reason after properties is tolerated", " mx; dkim=fail header.d=x.example "
	  "reason=late", 0, 0, "mx", NULL, 0, "dkim=fail reason=[late] header.d=[x.example]" },
	{ "trailing ';' after results is tolerated", " mx; spf=pass;", 0, 0, "mx", NULL, 0,
	  "spf=pass" },
	{ "len bounds the value: 'none' then bytes past len", " mx.example.net; noneXYZ", 21, 0,
	  "mx.example.net", NULL, 1, "" },

	/* Broken input: -1, with what was read before the error. */
	{ "empty", "", 0, -1, NULL, NULL, 0, "" },
	{ "blanks only", " \r\n\t", 0, -1, NULL, NULL, 0, "" },
	{ "comment only", " (just a comment)", 0, -1, NULL, NULL, 0, "" },
	{ "unterminated comment before the id", " (open mx; none", 0, -1, NULL, NULL, 0, "" },
	{ "unterminated comment after the id", " mx.example.net (open; none", 0, -1,
	  "mx.example.net", NULL, 0, "" },
	{ "unterminated quoted id", " \"mx.example.net; none", 0, -1, NULL, NULL, 0, "" },
	{ "id followed by a non-token character", " mx.example.net/x; none", 0, -1, NULL,
	  NULL, 0, "" },
	{ "no resinfo", " mx.example.net", 0, -1, "mx.example.net", NULL, 0, "" },
	{ "';' and nothing", " mx.example.net;", 0, -1, "mx.example.net", NULL, 0, "" },
	{ "len cuts before the results", " mx.example.net; none", 16, -1, "mx.example.net",
	  NULL, 0, "" },
	{ "missing ';' after the id", " mx.example.net spf=pass", 0, -1, "mx.example.net",
	  NULL, 0, "" },
	{ "version then junk", " mx.example.net 1x; none", 0, -1, "mx.example.net", "1", 0, "" },
	{ "missing '=' in methodspec", " mx; spf=pass; dkim pass", 0, -1, "mx", NULL, 0,
	  "spf=pass" },
	{ "missing result", " mx; spf=", 0, -1, "mx", NULL, 0, "" },
	{ "missing method", " mx; =pass", 0, -1, "mx", NULL, 0, "" },
	{ "method version without digits", " mx; dkim/=pass", 0, -1, "mx", NULL, 0, "" },
	{ "property without '='", " mx; spf=pass; dkim=pass header.d", 0, -1, "mx", NULL, 0,
	  "spf=pass" },
	{ "property without name", " mx; spf=pass smtp.=x", 0, -1, "mx", NULL, 0, "" },
	{ "unterminated quoted pvalue", " mx; spf=pass; dkim=fail reason=\"open", 0, -1, "mx",
	  NULL, 0, "spf=pass" },
	{ "backslash at the end of a comment", " mx; spf=pass (a \\", 0, -1, "mx", NULL, 0, "" },
	{ "none followed by results", " mx; none; spf=pass", 0, -1, "mx", NULL, 0, "" },
	{ "results followed by none", " mx; spf=pass; none", 0, -1, "mx", NULL, 0, "spf=pass" },
	{ "stray character in resinfo", " mx; spf=pass \"x\"", 0, -1, "mx", NULL, 0, "" },
	{ "NUL inside a comment", " mx; spf=pass (a\0b)", 19, -1, "mx", NULL, 0, "" },
	{ "NUL after the id", " mx\0; none", 10, -1, NULL, NULL, 0, "" },
};

static void
test_parse(void)
{
	struct arena *a = arena_new();
	struct ar_parsed p;
	size_t i, len;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		len = c->len ? c->len : strlen(c->in);
		is_int(authres_parse(a, c->in, len, &p), c->rc, "parse: %s: rc", c->name);
		is_str(p.authserv_id, c->id, "parse: %s: authserv-id", c->name);
		is_str(p.version, c->version, "parse: %s: version", c->name);
		is_int(p.none, c->none, "parse: %s: none", c->name);
		is_str(dump(a, &p), c->want, "parse: %s: results", c->name);
	}
	is_int(authres_parse(a, NULL, 0, &p), -1, "parse: NULL value");
	arena_free(&a);
}

/* Does valid[0..n) end inside a comment or a quoted-string? */
static int
open_at(const char *v, size_t n)
{
	size_t i, depth = 0;
	int quote = 0;

	for (i = 0; i < n; i++) {
		if ((quote || depth) && v[i] == '\\') {
			if (++i == n)
				return 1;
		} else if (quote)
			quote = v[i] != '"';
		else if (v[i] == '"' && depth == 0)
			quote = 1;
		else if (v[i] == '(')
			depth++;
		else if (v[i] == ')' && depth > 0)
			depth--;
	}
	return quote || depth > 0;
}

/*
 * Garbage must end, bounded by the length: deep nesting, long runs of
 * separators, every prefix of a valid header.
 */
static void
test_parse_garbage(void)
{
	static const char valid[] = " foo.example.net (c) 1; dkim/1=pass (x (y)) reason=\"r\" "
	    "header.d=a.example (z); spf=fail smtp.mailfrom=\"q\\\"\"@b.example";
	struct arena *a = arena_new();
	struct ar_parsed p;
	char *buf;
	size_t i, first, bad = 0, good = 0;

	buf = arena_alloc(a, 200004);
	buf[0] = ' ';
	buf[1] = 'm';
	buf[2] = ';';
	for (i = 3; i < 200000; i++)
		buf[i] = '(';
	is_int(authres_parse(a, buf, 200000, &p), -1, "garbage: 200k open parens: -1");
	for (i = 3; i < 100003; i++)
		buf[i] = '(';
	for (; i < 200003; i++)
		buf[i] = ')';
	buf[i] = '\0';
	is_int(authres_parse(a, buf, 200003, &p), -1,
	    "garbage: 100k-deep nested comment then nothing: -1");
	for (i = 3; i < 200000; i++)
		buf[i] = ';';
	is_int(authres_parse(a, buf, 200000, &p), -1, "garbage: 200k semicolons: -1");

	/*
	 * Every prefix is a value of its own.  One that ends inside a comment
	 * or quoted-string, or before the first whole methodspec ("dkim/1=p"),
	 * must fail; the others may pass only with a result read.
	 */
	first = (size_t)(strstr(valid, "=pass") - valid) + 2;
	for (i = 0; i < sizeof(valid) - 1; i++) {
		int rc = authres_parse(a, valid, i, &p);

		if (rc != 0 && rc != -1)
			bad++;
		else if (rc == 0 && (i < first || open_at(valid, i) || p.n == 0))
			bad++;
		else if (rc == 0)
			good++;
	}
	ok(good > 10, "garbage: many prefixes are whole values (%zu)", good);
	/* A kept comment stops at 1000 bytes; the parse goes on. */
	strcpy(buf, " mx; spf=pass (");
	memset(buf + 15, 'c', 2000);
	strcpy(buf + 2015, ") smtp.helo=h.example");
	is_int(authres_parse(a, buf, strlen(buf), &p), 0, "limits: 2000-byte comment parses");
	is_int(p.n == 1 && p.res[0].comment ? strlen(p.res[0].comment) : 0, 1000,
	    "limits: 1000 bytes of the comment kept");
	is_str(p.n == 1 && p.res[0].nprops == 1 ? p.res[0].props[0].value : NULL, "h.example",
	    "limits: the property after the long comment is read");

	/* The limits: 128 results, 64 properties a result. */
	strcpy(buf, " mx");
	for (i = 0; i < 128; i++)
		strcat(buf, ";a=b");
	is_int(authres_parse(a, buf, strlen(buf), &p), 0, "limits: 128 results parse");
	is_int(p.n, 128, "limits: 128 results read");
	strcat(buf, ";a=b");
	is_int(authres_parse(a, buf, strlen(buf), &p), -1, "limits: the 129th result is an error");
	is_int(p.n, 128, "limits: the first 128 are kept");
	strcpy(buf, " mx; spf=pass; dkim=pass");
	for (i = 0; i < 64; i++)
		strcat(buf, " h.d=x");
	is_int(authres_parse(a, buf, strlen(buf), &p), 0, "limits: 64 properties parse");
	is_int(p.n == 2 ? p.res[1].nprops : 0, 64, "limits: 64 properties read");
	strcat(buf, " h.d=x");
	is_int(authres_parse(a, buf, strlen(buf), &p), -1, "limits: the 65th property is an error");
	is_int(p.n, 1, "limits: the result before it is kept");

	is_int(bad, 0, "garbage: every prefix of a valid value parses or fails cleanly");
	is_int(authres_parse(a, valid, sizeof(valid) - 1, &p), 0, "garbage: the full value parses");
	is_str(dump(a, &p), "dkim=pass (x (y)) reason=[r] header.d=[a.example] (z); "
	    "spf=fail smtp.mailfrom=[\"q\\\"\"@b.example]", "garbage: the full value reads right");
	arena_free(&a);
}

int
main(void)
{
	test_format();
	test_parse();
	test_parse_garbage();
	return tap_done();
}
