/*
 * authres_claims_id: an Authentication-Results field must be removed as
 * forged when any consumer after us may read our authserv-id in it
 * (RFC 8601 section 5), or when we cannot tell.  One row per spelling,
 * naming the reader that takes it for ours; look-alikes that are someone
 * else's stay.  tests/authres_consumers.sh checks the same against the
 * real parsers (SpamAssassin, Mail::AuthenticationResults, python3-authres).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "authres.h"
#include "../tap.h"

#define OURS "mx.demo.example"

struct claims_case {
	const char *name;
	const char *in;
	size_t len;                 /* 0: strlen(in) */
	const char *ours;           /* NULL: OURS */
	int want;
};

static const struct claims_case claims_cases[] = {
	/* RFC 8601 2.2 / 2.5: CFWS, quoted-string, version. */
	{ "plain", " mx.demo.example; none", 0, NULL, 1 },
	{ "case differs in the value", " MX.Demo.EXAMPLE; spf=pass", 0, NULL, 1 },
	{ "case differs in ours", " mx.demo.example; spf=pass", 0, "MX.DEMO.EXAMPLE", 1 },
	{ "no leading space", "mx.demo.example;spf=pass", 0, NULL, 1 },
	{ "CRLF folds around", "\r\n\tmx.demo.example\r\n\t;spf=pass", 0, NULL, 1 },
	{ "LF folds around", "\n mx.demo.example\n ; none", 0, NULL, 1 },
	{ "leading nested comment", " (comment (nested)) mx.demo.example; none", 0, NULL, 1 },
	{ "leading comments and folds", " (a)\r\n\t(b (c\r\n d))\r\n mx.demo.example; none", 0,
	  NULL, 1 },
	{ "comment right after", " mx.demo.example(c);none", 0, NULL, 1 },
	{ "version after", " mx.demo.example 1; none", 0, NULL, 1 },
	{ "version with comments", " mx.demo.example (c) 1 (d); none", 0, NULL, 1 },
	{ "quoted", " \"mx.demo.example\"; none", 0, NULL, 1 },
	{ "quoted, other case, version", " \"MX.DEMO.EXAMPLE\" 1; none", 0, NULL, 1 },
	{ "quoted with quoted-pair", " \"mx.demo.exa\\mple\"; none", 0, NULL, 1 },
	{ "quoted and folded", " \"mx.demo\r\n.example\"; none", 0, NULL, 1 },
	{ "id alone (no ';': broken)", " mx.demo.example", 0, NULL, 1 },
	{ "len ends right after the id", " mx.demo.exampleXX; none", 16, NULL, 1 },

	/* SpamAssassin (Perl \s), OpenDMARC (isspace()): VT and FF are space. */
	{ "followed by a vertical tab", " mx.demo.example\v; spf=pass", 0, NULL, 1 },
	{ "followed by a form feed", " mx.demo.example\f; spf=pass", 0, NULL, 1 },
	{ "led by a vertical tab", " \vmx.demo.example; spf=pass", 0, NULL, 1 },
	{ "led by a form feed", "\fmx.demo.example; spf=pass", 0, NULL, 1 },
	{ "VT then a version", " mx.demo.example\v1; spf=pass", 0, NULL, 1 },
	/* OpenDMARC: quote characters dropped, a backslash escapes any byte,
	 * labels joined across white space and comments around '.'. */
	{ "quoted part", " mx.demo.\"example\"; spf=pass", 0, NULL, 1 },
	{ "quoted first label", " \"mx\".demo.example; spf=pass", 0, NULL, 1 },
	{ "quoted middle", " mx\".demo.\"example; spf=pass", 0, NULL, 1 },
	{ "backslash escape", " mx.demo.exampl\\e; spf=pass", 0, NULL, 1 },
	{ "backslash escape of a dot", " mx\\.demo\\.example; spf=pass", 0, NULL, 1 },
	{ "spaces around the dots", " mx . demo . example; spf=pass", 0, NULL, 1 },
	{ "comment after a dot", " mx.demo.(c)example; spf=pass", 0, NULL, 1 },
	{ "a quoted-string that opens with '(' is a comment", " \"(x\" mx.demo.example; spf=pass",
	  0, NULL, 1 },
	{ "an escaped '(' starts a comment token", " \\(x mx.demo.example; spf=pass", 0, NULL, 1 },
	/* Mail::AuthenticationResults and SpamAssassin count parentheses
	 * without quoted-pairs: for them the comment ends at "\)". */
	{ "comment ends early for a reader without quoted-pairs",
	  " (a\\) mx.demo.example ) other.example; spf=pass", 0, NULL, 1 },
	{ "comment ends late for a reader without quoted-pairs",
	  " (a \\( ) other ( mx.demo.example ) mx.demo.example; spf=pass", 0, NULL, 1 },
	/* A reader whose comments do not nest. */
	{ "comment ends at the first ')' for a flat reader",
	  " ((a) mx.demo.example) other.example; spf=pass", 0, NULL, 1 },
	/* Naive readers: what precedes the first ';', or the first non-empty
	 * part, or folds removed with their white space. */
	{ "empty first part", " ; mx.demo.example; spf=pass", 0, NULL, 1 },
	{ "only a comment before the ';'", " (x); mx.demo.example; spf=pass", 0, NULL, 1 },
	{ "fold removed with its white space", " mx.demo.exam\r\n ple; spf=pass", 0, NULL, 1 },
	{ "the field name again (Mail::AuthenticationResults strips it)",
	  " Authentication-Results: mx.demo.example; spf=pass", 0, NULL, 1 },
	{ "quoted with trailing space", " \"mx.demo.example \"; none", 0, NULL, 1 },
	{ "quoted then junk", " \"mx.demo.example\"x; none", 0, NULL, 1 },
	{ "followed by '/': unreadable, ours to a token reader", " mx.demo.example/evil; none",
	  0, NULL, 1 },
	{ "followed by '@'", " mx.demo.example@evil; none", 0, NULL, 1 },
	{ "after another id and a version: broken, a reader may skip to it",
	  " example.org 1 mx.demo.example; none", 0, NULL, 1 },
	{ "after another id and junk", " example.org/x mx.demo.example; none", 0, NULL, 1 },
	{ "in angle brackets", " <mx.demo.example>; spf=pass", 0, NULL, 1 },
	{ "trailing root dot", " mx.demo.example.; spf=pass", 0, NULL, 1 },
	{ "ours only in a leading comment", " (mx.demo.example) example.org; none", 0, NULL, 1 },
	/* Bytes readers decode or re-encode: 8-bit (SpamAssassin guesses a
	 * charset; a Unicode \s is NBSP; Python's lower() maps the Kelvin sign
	 * to 'k'), NUL (the milter API ends the value there), encoded-words. */
	{ "followed by NBSP (UTF-8)", " mx.demo.example\xc2\xa0; spf=pass", 0, NULL, 1 },
	{ "followed by NBSP (Latin-1)", " mx.demo.example\xa0; spf=pass", 0, NULL, 1 },
	{ "Kelvin sign", " mx.demo.\xe2\x84\xaaxample; spf=pass", 0, "mx.demo.kxample", 1 },
	{ "8-bit in a leading comment", " (\xff) other.example; spf=pass", 0, NULL, 1 },
	{ "NUL after the id", " mx.demo.example\0; none", sizeof(" mx.demo.example\0; none") - 1,
	  NULL, 1 },
	{ "NUL before the id", " \0mx.demo.example; none", sizeof(" \0mx.demo.example; none") - 1,
	  NULL, 1 },
	{ "other controls before the id", " \x01\x1bmx.demo.example; none", 0, NULL, 1 },
	{ "DEL after the id", " mx.demo.example\x7f; none", 0, NULL, 1 },
	{ "encoded-word (SpamAssassin decodes RFC 2047 in the field)",
	  " =?us-ascii?q?mx.demo.example?=; spf=pass", 0, NULL, 1 },
	{ "encoded-word hiding the ';'", " =?us-ascii?q?mx.demo.example=3B?= spf=pass", 0,
	  NULL, 1 },
	{ "encoded-word, base64", " =?utf-8?b?bXguZGVtby5leGFtcGxl?=; spf=pass", 0, NULL, 1 },
	/* Broken or cut short: nobody's results, and a NUL may hide the rest. */
	{ "empty value", "", 0, NULL, 1 },
	{ "blank value", " \r\n ", 0, NULL, 1 },
	{ "unterminated leading comment", " (mx.demo.example; none", 0, NULL, 1 },
	{ "unterminated leading comment, other id", " (x other.example; none", 0, NULL, 1 },
	{ "unterminated quote", " \"mx.demo.example; none", 0, NULL, 1 },
	{ "cut inside the id", " mx.demo.example; none", 10, NULL, 1 },
	{ "other id without ';'", " other.example", 0, NULL, 1 },

	/* Someone else's: kept. */
	{ "longer: .evil", " mx.demo.example.evil; none", 0, NULL, 0 },
	{ "longer: more letters", " mx.demo.examples; none", 0, NULL, 0 },
	{ "longer: -evil", " mx.demo.example-evil; none", 0, NULL, 0 },
	{ "longer: two trailing dots", " mx.demo.example..; none", 0, NULL, 0 },
	{ "longer, quoted", " \"mx.demo.example.evil\"; none", 0, NULL, 0 },
	{ "longer, quoted part", " mx.demo.\"example.evil\"; none", 0, NULL, 0 },
	{ "longer, escaped", " mx.demo.exampl\\e2; none", 0, NULL, 0 },
	{ "shorter", " mx.demo.exampl; none", 0, NULL, 0 },
	{ "prefixed", " xmx.demo.example; none", 0, NULL, 0 },
	{ "parent", " demo.example; none", 0, NULL, 0 },
	{ "ours as a subdomain of theirs", " evil.mx.demo.example; none", 0, NULL, 0 },
	{ "ours in a comment after their id", " example.org (via mx.demo.example); none", 0,
	  NULL, 0 },
	{ "ours in a comment after their id and version",
	  " example.org (a) 1 (via mx.demo.example); none", 0, NULL, 0 },
	{ "ours in a comment after the ';'", " example.org; spf=pass (mx.demo.example)", 0,
	  NULL, 0 },
	{ "ours in a property", " example.org; spf=pass smtp.helo=mx.demo.example", 0, NULL, 0 },
	{ "ours in a quoted property", " example.org; spf=pass smtp.helo=\"mx.demo.example\"", 0,
	  NULL, 0 },
	{ "8-bit and encoded-words after the ';' are not the id",
	  " example.org; spf=pass (\xff =?x?q?y?=) smtp.helo=\xc2\xa0", 0, NULL, 0 },
	{ "their leading comment, their id", " (from mx.demo.examples) example.org; none", 0,
	  NULL, 0 },
	{ "empty ours", " mx.demo.example; none", 0, "", 0 },
};

static char *
repeat(struct arena *a, const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s = arena_alloc(a, hl + ul * n + tl + 1), *p = s;

	memcpy(p, head, hl);
	p += hl;
	for (i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

/* How far the id may stand: 512 bytes before the ';', and any effort. */
static void
test_limits(void)
{
	struct arena *a = arena_new();
	const char *v;

	v = repeat(a, " (", "c", 100 * 1024, ") mx.demo.example; spf=pass");
	is_int(authres_claims_id(v, strlen(v), OURS), 1, "limits: ours after 100 KB of comment");
	v = repeat(a, " (", "c", 100 * 1024, ") other.example; spf=pass");
	is_int(authres_claims_id(v, strlen(v), OURS), 1,
	    "limits: any id after 100 KB of comment (lines break at 998)");
	v = repeat(a, " ", "(c)", 40000, " mx.demo.example; spf=pass");
	is_int(authres_claims_id(v, strlen(v), OURS), 1, "limits: 40 000 leading comments");
	v = repeat(a, " ", "(", 10000, repeat(a, "x", ")", 10000, " mx.demo.example; none"));
	is_int(authres_claims_id(v, strlen(v), OURS), 1, "limits: ours after nesting 10 000 deep");
	v = repeat(a, " ", "(", 100, repeat(a, "x", ")", 100, " other.example; none"));
	is_int(authres_claims_id(v, strlen(v), OURS), 0,
	    "limits: another id after nesting 100 deep (402 bytes)");
	/* " (" + 495 + ") other.example" = 512 bytes before the ';'. */
	v = repeat(a, " (", "c", 495, ") other.example; none");
	is_int(authres_claims_id(v, strlen(v), OURS), 0, "limits: another id, 512 bytes before ';'");
	v = repeat(a, " (", "c", 496, ") other.example; none");
	is_int(authres_claims_id(v, strlen(v), OURS), 1, "limits: another id, 513 bytes before ';'");
	v = repeat(a, " other.example; spf=pass", " (c)", 100000, "");
	is_int(authres_claims_id(v, strlen(v), OURS), 0,
	    "limits: another id, then 400 KB of results and comments");
	/* A comment that opens inside a quoted-string and never ends for the
	 * generous reading: it runs out of steps, and that is a claim. */
	v = repeat(a, " \"m(\"; spf=pass", " ", 20000, "");
	is_int(authres_claims_id(v, strlen(v), OURS), 1, "limits: reading out of steps claims");
	arena_free(&a);
}

/* What we write ourselves is ours; with another id, it is not. */
static void
test_own_format(void)
{
	static const struct ar_prop props[] = {
		{ "smtp", "mailfrom", "mx.demo.example", "mx.demo.example" },
		{ "header", "d", "(mx.demo.example)", NULL },
	};
	static const struct ar_result res[] = {
		{ "spf", "pass", "mx.demo.example", NULL, 2, props },
	};
	struct arena *a = arena_new();
	const char *v;

	v = authres_format(a, OURS, res, 1);
	is_int(authres_claims_id(v, strlen(v), OURS), 1, "format: our header is ours");
	is_int(authres_claims_id(v, strlen(v), "MX.DEMO.EXAMPLE"), 1,
	    "format: our header is ours, case-insensitively");
	v = authres_format(a, "other.example", res, 1);
	is_int(authres_claims_id(v, strlen(v), OURS), 0,
	    "format: another id with ours in every value and comment is not ours");
	v = authres_format(a, "other.example", NULL, 0);
	is_int(authres_claims_id(v, strlen(v), OURS), 0, "format: another id, none");
	arena_free(&a);
}

int
main(void)
{
	size_t i, len;

	for (i = 0; i < sizeof(claims_cases) / sizeof(claims_cases[0]); i++) {
		const struct claims_case *c = &claims_cases[i];

		len = c->len ? c->len : strlen(c->in);
		is_int(authres_claims_id(c->in, len, c->ours ? c->ours : OURS), c->want,
		    "claims_id: %s", c->name);
	}
	is_int(authres_claims_id(NULL, 0, OURS), 0, "claims_id: NULL value");
	is_int(authres_claims_id(" mx.demo.example; none", 22, NULL), 0, "claims_id: NULL ours");
	test_limits();
	test_own_format();
	return tap_done();
}
