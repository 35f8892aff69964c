/*
 * Author domain from From field values (RFC 5322 §3.4, §3.6.2, §4.4;
 * RFC 2047 §5; RFC 7489 §6.6.1): one row per input form, exact status and
 * domain, error rows as carefully as the others. Then every reading of the
 * From fields (author_collect) and of one domain (author_normalize, UTS #46
 * through libidn2, RFC 8616 §4): exact domains, in order, and the flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <idn2.h>

#include "tap.h"
#include "arena.h"
#include "author.h"
#include "dmarc.h"

struct row {
	const char *value;
	enum author_status st;
	const char *domain;
	const char *cite;
};

static const struct row rows[] = {
	{ " user@example.com", AUTHOR_OK, "example.com", "RFC 5322 3.4.1 addr-spec" },
	{ " User@EXAMPLE.Com", AUTHOR_OK, "example.com", "RFC 7489 3.1 case-insensitive, lower-cased" },
	{ " Joe Q. Public <john.q.public@example.com>", AUTHOR_OK, "example.com",
	  "RFC 5322 A.1.2 display name with obs-phrase dot" },
	{ " \"Joe Q. Public\" <john@example.com>", AUTHOR_OK, "example.com", "RFC 5322 3.2.4 quoted display name" },
	{ " \"evil@attacker.example\" <john@example.com>", AUTHOR_OK, "example.com",
	  "RFC 5322 3.2.4 '@' inside a quoted display name is not the address" },
	{ " \"a@b\\\" <x@y>\"@example.org", AUTHOR_OK, "example.org", "RFC 5322 3.4.1 quoted local part with quoted-pair" },
	{ " (comment <x@evil.example>) user@example.net (another)", AUTHOR_OK, "example.net",
	  "RFC 5322 3.2.2 comments are not addresses" },
	{ " Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", AUTHOR_OK, "silly.test",
	  "RFC 5322 A.5 comments everywhere" },
	{ " =?utf-8?Q?J=C3=B6rg?= <jorg@example.de>", AUTHOR_OK, "example.de", "RFC 2047 5 encoded word in phrase" },
	{ " =?utf-8?Q?a@evil.example,?= <jorg@example.de>", AUTHOR_OK, "example.de",
	  "RFC 2047 encoded word holding specials stays one word" },
	{ " Team:a@example.com, b@example.com;", AUTHOR_OK, "example.com", "RFC 5322 3.4 group, one domain" },
	{ " a@example.com,\r\n\tB <b@Example.COM>", AUTHOR_OK, "example.com",
	  "RFC 7489 6.6.1 several addresses, one domain; folding" },
	{ " a@example.com,\n b@example.com", AUTHOR_OK, "example.com", "folded with LF only" },
	{ " <@route.example,@other.example:user@example.com>", AUTHOR_OK, "example.com", "RFC 5322 4.4 obs-route" },
	{ " a@example.com,,", AUTHOR_OK, "example.com", "RFC 5322 4.4 obs-mbox-list empty elements" },
	{ " user@example.com.", AUTHOR_OK, "example.com", "final dot of an absolute name dropped" },
	{ " user@ sub . example . com", AUTHOR_OK, "sub.example.com", "RFC 5322 4.4 obs-domain with spaces" },
	{ " j\xc3\xb6rg@b\xc3\xbc" "cher.example", AUTHOR_OK, "b\xc3\xbc" "cher.example", "RFC 6532 UTF-8 kept" },
	{ " a@example.com, b@example.org", AUTHOR_MULTIPLE_DOMAINS, NULL, "RFC 7489 6.6.1 different domains" },
	{ " G:a@example.com;, b@example.org", AUTHOR_MULTIPLE_DOMAINS, NULL, "group then mailbox, different domains" },
	{ " undisclosed-recipients:;", AUTHOR_NO_DOMAIN, NULL, "RFC 5322 3.4 empty group: no address" },
	{ " ", AUTHOR_NO_DOMAIN, NULL, "empty value: no address" },
	{ " (only a comment)", AUTHOR_NO_DOMAIN, NULL, "comment only" },
	{ " postmaster", AUTHOR_NO_DOMAIN, NULL, "local part without domain" },
	{ " Name <>", AUTHOR_NO_DOMAIN, NULL, "empty angle address" },
	{ " user@[192.0.2.1]", AUTHOR_NO_DOMAIN, NULL, "RFC 5322 3.4.1 domain literal: no DNS name" },
	{ " a@example.com, user", AUTHOR_NO_DOMAIN, NULL, "one address without a domain" },
	{ " user@", AUTHOR_SYNTAX, NULL, "nothing after '@'" },
	{ " user@example..com", AUTHOR_SYNTAX, NULL, "empty label" },
	{ " @example.com", AUTHOR_SYNTAX, NULL, "empty local part" },
	{ " Name <user@example.com", AUTHOR_SYNTAX, NULL, "missing '>'" },
	{ " \"unterminated <a@example.com>", AUTHOR_SYNTAX, NULL, "unterminated quoted string" },
	{ " (unterminated a@example.com", AUTHOR_SYNTAX, NULL, "unterminated comment" },
	{ " a@example.com)", AUTHOR_SYNTAX, NULL, "stray ')'" },
	{ " G: a@example.com", AUTHOR_SYNTAX, NULL, "group without ';'" },
	{ " G: H: a@example.com;;", AUTHOR_SYNTAX, NULL, "nested group" },
	{ " a@example.com b@example.com", AUTHOR_SYNTAX, NULL, "two addresses without comma" },
	{ " a@b@example.com", AUTHOR_SYNTAX, NULL, "two '@'" },
	{ " user@[192.0.2.1", AUTHOR_SYNTAX, NULL, "unterminated domain literal" },
	{ " a\x01" "b@example.com", AUTHOR_SYNTAX, NULL, "control character" },
	{ " <a@example.com> trailing", AUTHOR_SYNTAX, NULL, "text after the angle address" },
	{ " a@0123456789012345678901234567890123456789012345678901234567890123.com", AUTHOR_SYNTAX, NULL,
	  "RFC 1035 2.3.4 label over 63 octets" },
};

/* ---- libidn2 as author_idna.c calls it (IDN2_NFC_INPUT | mode) ----- */

struct irow {
	const char *in;
	const char *nontransitional;    /* NULL: refused */
	const char *transitional;
	const char *cite;
};

static const struct irow irows[] = {
	{ "contoso\xe3\x80\x82" "example", "contoso.example", "contoso.example", "U+3002 maps to '.'" },
	{ "contoso\xef\xbc\x8e" "example", "contoso.example", "contoso.example", "U+FF0E maps to '.'" },
	{ "contoso\xef\xbd\xa1" "example", "contoso.example", "contoso.example", "U+FF61 maps to '.'" },
	{ "\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8e", "con", "con", "full-width letters map to ASCII" },
	{ "\xef\xbc\xa3\xef\xbc\xaf\xef\xbc\xae", "con", "con", "full-width capitals map to lower-case ASCII" },
	{ "con\xc2\xad", "con", "con", "U+00AD soft hyphen dropped" },
	{ "con\xe2\x80\x8b", "con", "con", "U+200B zero width space dropped" },
	{ "con\xe2\x81\xa0", "con", "con", "U+2060 word joiner dropped" },
	{ "con\xef\xbb\xbf", "con", "con", "U+FEFF dropped" },
	{ "con\xe2\x80\x8c", NULL, "con", "U+200C: refused non-transitionally (CONTEXTJ), dropped transitionally" },
	{ "con\xe2\x80\x8d", NULL, "con", "U+200D: refused non-transitionally (CONTEXTJ), dropped transitionally" },
	{ "fa\xc3\x9f", "xn--fa-hia", "fass", "sharp s: kept non-transitionally, ss transitionally" },
	{ "contoso\xef\xb9\x92" "example", NULL, NULL, "U+FE52 refused (so the displayed reading maps it)" },
	{ "evil\x01.contoso.example", "evil\x01.contoso.example", "evil\x01.contoso.example",
	  "a C0 control passes through (so ASCII bytes are checked before libidn2)" },
	{ "b\xc3\xbc" "cher\x01", NULL, NULL, "a C0 control inside a U-label is refused" },
	{ "a\xc3\xbc" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, NULL,
	  "an A-label over 63 bytes refused (so labels are read one by one)" },
};

static void
test_idn2(void)
{
	size_t i, m;

	for (i = 0; i < sizeof(irows) / sizeof(irows[0]); i++) {
		const int modes[2] = { IDN2_NONTRANSITIONAL, IDN2_TRANSITIONAL };

		for (m = 0; m < 2; m++) {
			char *out = NULL;
			int rc = idn2_to_ascii_8z(irows[i].in, &out, IDN2_NFC_INPUT | modes[m]);

			is_str(rc == IDN2_OK ? out : NULL, m ? irows[i].transitional : irows[i].nontransitional,
			    "libidn2 %s: %s", m ? "transitional" : "non-transitional", irows[i].cite);
			idn2_free(out);
		}
	}
}

/* ---- author_normalize: every spelling of one domain ---------------- */

#define NMAP 1                          /* flags a row expects of author_collect */
#define NFB 2
#define NLONG 4

struct nrow {
	const char *dom;
	const char *want[2];            /* NULL: fewer readings */
	int flags;
	const char *cite;
	const char *extra;              /* in a From field, one more domain: what the
	                                   parser read before the error, or the
	                                   windows-1252 reading of a non-UTF-8 one */
};

static const struct nrow nrows[] = {
	{ "contoso.example", { "contoso.example" }, 0, "ASCII as written", NULL },
	{ "CONTOSO.Example", { "contoso.example" }, 0, "ASCII upper case: lower-cased, not mapped", NULL },
	{ "contoso.example.", { "contoso.example" }, 0, "final dot: the same domain", NULL },
	{ "_spf-x.contoso.example", { "_spf-x.contoso.example" }, 0, "underscore and hyphen kept", NULL },
	{ "xn--zz.contoso.example", { "xn--zz.contoso.example" }, 0, "ASCII A-label as DNS would be asked", NULL },
	{ "XN--BCHER-KVA.example", { "xn--bcher-kva.example" }, 0, "ASCII A-label in upper case", NULL },
	{ "b\xc3\xbc" "cher.example", { "xn--bcher-kva.example" }, NMAP, "RFC 8616 4 U-label to A-label", NULL },
	{ "B\xc3\x9c" "CHER.example", { "xn--bcher-kva.example" }, NMAP, "UTS 46 upper-case U-label", NULL },
	{ "b\xc3\xbc" "cher.example.", { "xn--bcher-kva.example" }, NMAP, "U-label with a final dot", NULL },
	{ "bu\xcc\x88" "cher.example", { "xn--bcher-kva.example" }, NMAP, "UTS 46 NFC: u + combining diaeresis", NULL },
	{ "contoso\xe3\x80\x82" "example", { "contoso.example" }, NMAP, "UTS 46 U+3002 ideographic full stop", NULL },
	{ "contoso\xef\xbc\x8e" "example", { "contoso.example" }, NMAP, "UTS 46 U+FF0E full-width full stop", NULL },
	{ "contoso\xef\xbd\xa1" "example", { "contoso.example" }, NMAP, "UTS 46 U+FF61 half-width ideographic full stop", NULL },
	{ "contoso.example\xe3\x80\x82", { "contoso.example" }, NMAP, "U+3002 as the final dot", NULL },
	{ "\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8e\xef\xbd\x94\xef\xbd\x8f\xef\xbd\x93\xef\xbd\x8f.example",
	  { "contoso.example" }, NMAP, "UTS 46 full-width letters", NULL },
	{ "\xef\xbc\xa3\xef\xbc\xaf\xef\xbc\xae\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb3\xef\xbc\xaf"
	  "\xef\xbc\x8e\xef\xbc\xa5\xef\xbc\xb8\xef\xbc\xa1\xef\xbc\xad\xef\xbc\xb0\xef\xbc\xac\xef\xbc\xa5",
	  { "contoso.example" }, NMAP, "UTS 46 full-width capitals and dot", NULL },
	{ "contoso.example\xe2\x80\x8b", { "contoso.example" }, NMAP, "UTS 46 trailing U+200B zero width space ignored", NULL },
	{ "contoso.example\xc2\xad", { "contoso.example" }, NMAP, "UTS 46 trailing U+00AD soft hyphen ignored", NULL },
	{ "contoso.example\xef\xbb\xbf", { "contoso.example" }, NMAP, "UTS 46 trailing U+FEFF ignored", NULL },
	{ "contoso.example\xe2\x81\xa0", { "contoso.example" }, NMAP, "UTS 46 trailing U+2060 word joiner ignored", NULL },
	{ "con\xc2\xadtoso.example", { "contoso.example" }, NMAP, "UTS 46 soft hyphen inside a label", NULL },
	{ "contoso.example\xe2\x80\x8c", { "contoso.example" }, NMAP | NFB,
	  "U+200C: CONTEXTJ refuses it non-transitionally, transitional and displayed agree", NULL },
	{ "contoso.example\xe2\x80\x8d", { "contoso.example" }, NMAP | NFB,
	  "U+200D: CONTEXTJ refuses it non-transitionally, transitional and displayed agree", NULL },
	{ "fa\xc3\x9f.de", { "xn--fa-hia.de" }, NMAP, "UTS 46 non-transitional: sharp s kept", NULL },
	{ "fa\xc3\x9f.de\xe2\x80\x8d", { "fass.de", "xn--fa-hia.de" }, NMAP | NFB,
	  "transitional only: the domain it shows is read too", NULL },
	{ "contoso\xef\xb9\x92" "example", { "contoso.example" }, NFB, "U+FE52 small full stop: displayed", NULL },
	{ "contoso.example\x01", { "contoso.example" }, NFB, "trailing control: displayed; no ancestor", NULL },
	{ "evil\x01.contoso.example", { "evil.contoso.example", "contoso.example" }, NFB,
	  "control inside: displayed, and the nearest valid ancestor", NULL },
	{ "contoso.example\xe2\x80\x8e", { "contoso.example" }, NFB, "trailing U+200E LRM: displayed", NULL },
	{ "\xe2\x80\xae" "contoso.example", { "contoso.example", "example" }, NFB,
	  "leading U+202E RLO: displayed, and the ancestor", NULL },
	{ "contoso.example\xe3\x80\x80", { "contoso.example" }, NFB, "U+3000 ideographic space: displayed", NULL },
	{ "contoso.example\xe2\xa0\x80", { "contoso.xn--example-sb0e", "contoso.example" }, NMAP | NFB,
	  "U+2800 braille blank: transitional only (IDNA2008 refuses it), and displayed", NULL },
	{ "b\xfc" "cher.example", { "bcher.example", "example" }, NMAP | NFB,
	  "Latin-1 byte (invalid UTF-8): dropped as displayed, the ancestor; and as windows-1252",
	  "xn--bcher-kva.example" },
	{ "\x9a" "mall.example", { "mall.example", "example" }, NMAP | NFB,
	  "windows-1252 0x9A (s caron): dropped as displayed, the ancestor; and as windows-1252",
	  "xn--mall-f6a.example" },
	{ "contoso.example\xff", { "contoso.example" }, NMAP | NFB,
	  "invalid UTF-8 byte at the end; and as windows-1252", "contoso.xn--example-i3a" },
	{ "contoso..example", { "contoso.example", "example" }, NFB, "empty label: displayed, and the ancestor",
	  "contoso" },
	{ ".contoso.example", { "contoso.example" }, NFB, "leading dot", NULL },
	{ "contoso.example..", { "contoso.example" }, NFB, "two final dots", NULL },
	{ "a*b.contoso.example", { "contoso.example" }, NFB, "'*' in a label: only the ancestor", NULL },
	{ "evil\xe2\x92\x88" "contoso.example", { "example" }, NFB, "U+2488 (UTS 46 would map it to \"1.\"): refused", NULL },
	{ "", { NULL }, 0, "empty: no reading", NULL },
	{ ".", { NULL }, 0, "root only: no reading", NULL },
	{ "\x01\x02", { NULL }, 0, "controls only: no reading", NULL },
	{ "contoso.example!", { NULL }, 0, "'!' in the last label: no reading", NULL },
};

static void
check_normalize(struct arena *a, const char *dom, size_t len, const char *const want[2], const char *cite)
{
	const char *out[2];
	size_t n = author_normalize(a, dom, len, out), nwant = want[0] == NULL ? 0 : want[1] == NULL ? 1 : 2;

	is_int(n, nwant, "author_normalize %s: readings", cite);
	is_str(n > 0 ? out[0] : NULL, want[0], "author_normalize %s: first", cite);
	is_str(n > 1 ? out[1] : NULL, nwant > 1 ? want[1] : NULL, "author_normalize %s: second", cite);
}

static void
test_readings(struct arena *a)
{
	size_t i;

	for (i = 0; i < sizeof(nrows) / sizeof(nrows[0]); i++) {
		char v[600];
		const char *f[1] = { v };
		struct author_set set;
		size_t nwant = nrows[i].want[0] == NULL ? 0 : nrows[i].want[1] == NULL ? 1 : 2;

		check_normalize(a, nrows[i].dom, strlen(nrows[i].dom), nrows[i].want, nrows[i].cite);
		/* The same spelling in a From field gives the same domains and flags. */
		snprintf(v, sizeof(v), " ceo@%s", nrows[i].dom);
		author_collect(a, f, 1, &set);
		ok(set.ndomains == nwant + (nrows[i].extra != NULL) &&
		    (nwant < 1 || strcmp(set.domains[0], nrows[i].want[0]) == 0) &&
		    (nwant < 2 || strcmp(set.domains[1], nrows[i].want[1]) == 0) &&
		    (nrows[i].extra == NULL || strcmp(set.domains[nwant], nrows[i].extra) == 0),
		    "author_collect %s: domains (%s)", nrows[i].cite, set.why ? set.why : "-");
		ok(set.mapped == !!(nrows[i].flags & NMAP) && set.fallback == !!(nrows[i].flags & NFB) &&
		    set.unreadable == (nwant == 0 && *nrows[i].dom != '\0') && !set.overflow,
		    "author_collect %s: mapped %d fallback %d unreadable %d", nrows[i].cite,
		    set.mapped, set.fallback, set.unreadable);
	}
	/* A NUL inside is no domain byte. */
	{
		const char *want[2] = { "evil.contoso.example", "contoso.example" };

		check_normalize(a, "evil\0.contoso.example", 21, want, "NUL in a label: displayed, and the ancestor");
	}
}

/* a name of len bytes under suffix, of labels of at most lab bytes */
static char *
long_name(struct arena *a, size_t len, size_t lab, const char *suffix)
{
	char *s = arena_alloc(a, len + 1);
	size_t n = len - strlen(suffix), k;

	for (k = 0; k < n; k++)
		s[k] = (k + 1) % (lab + 1) == 0 || k + 1 == n ? '.' : (char)('a' + k % 26);
	if (n >= 2 && s[n - 2] == '.')
		s[n - 2] = 'z';         /* no empty label */
	strcpy(s + n, suffix);
	return s;
}

static void
test_lengths(struct arena *a)
{
	const char *out[2];
	char *d;
	size_t n;
	struct author_set set;
	const char *f[1];

	/* 250 bytes: valid, but _dmarc.<it> is not; kept for the tree walk */
	d = long_name(a, 250, 63, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strcmp(out[0], d) == 0, "250-byte name under contoso.example kept as is");
	f[0] = arena_printf(a, " <ceo@%s>", d);
	author_collect(a, f, 1, &set);
	ok(set.strict == AUTHOR_OK && set.ndomains == 1 && strcmp(set.domains[0], d) == 0 && !set.overlong,
	    "From with a 250-byte domain: that domain, not over-long");
	/* 300 bytes: no such name in DNS, kept: the walk goes on to the parents */
	d = long_name(a, 300, 63, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strcmp(out[0], d) == 0, "300-byte name kept as is");
	f[0] = arena_printf(a, " <ceo@%s>", d);
	author_collect(a, f, 1, &set);
	ok(set.strict == AUTHOR_SYNTAX && set.ndomains == 1 && strcmp(set.domains[0], d) == 0 &&
	    set.overlong && !set.fallback, "From with a 300-byte domain: kept, over-long (%s)", set.why);
	/* a label of 70: libidn2 refuses it, ASCII is read as written */
	d = arena_printf(a, "%.70s.contoso.example", long_name(a, 80, 100, "x"));
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strcmp(out[0], d) == 0, "70-byte ASCII label kept as is");
	d = arena_printf(a, "%.70s.b\xc3\xbc" "cher.example", long_name(a, 80, 100, "x"));
	n = author_normalize(a, d, strlen(d), out);
	is_str(n == 1 ? out[0] : NULL, arena_printf(a, "%.70s.xn--bcher-kva.example", d),
	    "70-byte ASCII label beside a U-label");
	/* 1024 bytes kept; 1025 cut to the longest suffix of whole labels <= 253 */
	d = long_name(a, AUTHOR_READING_MAX, 63, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strcmp(out[0], d) == 0, "1024-byte name kept as is");
	d = long_name(a, AUTHOR_READING_MAX + 1, 63, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strlen(out[0]) <= 253 && strlen(out[0]) > 253 - 64 && out[0][0] != '.' &&
	    strcmp(out[0], strstr(d, out[0])) == 0 && d[strlen(d) - strlen(out[0]) - 1] == '.',
	    "1025-byte name: its last whole labels, at most 253 bytes (%zu)", n ? strlen(out[0]) : 0);
	f[0] = arena_printf(a, " ceo@%s", d);
	author_collect(a, f, 1, &set);
	ok(set.ndomains == 1 && set.overlong && set.fallback, "From with a 1025-byte domain: over-long, fallback");
	d = long_name(a, 316, 400, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strcmp(out[0], d) == 0, "300-byte label kept (under 1024)");
	d = long_name(a, 2016, 4000, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	is_str(n == 1 ? out[0] : NULL, "contoso.example", "2000-byte label: the parent");
	d = long_name(a, 5016, 63, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	ok(n == 1 && strlen(out[0]) <= 253 && strcmp(out[0], strstr(d, out[0])) == 0,
	    "5000-byte name: its last whole labels");
	d = long_name(a, 5016, 6000, "contoso.example");
	n = author_normalize(a, d, strlen(d), out);
	is_str(n == 1 ? out[0] : NULL, "contoso.example", "5000-byte label: the parent");
}

/* ---- author_collect: every From form ------------------------------- */

struct crow {
	const char *fields[2];
	enum author_status strict;
	const char *want[4];            /* the domains, in order */
	const char *cite;
};

static const struct crow crows[] = {
	{ { " ceo@contoso.example" }, AUTHOR_OK, { "contoso.example" }, "one address" },
	{ { " CEO@CONTOSO.EXAMPLE." }, AUTHOR_OK, { "contoso.example" }, "upper case, final dot" },
	{ { " a@evil.example, ceo@contoso.example" }, AUTHOR_MULTIPLE_DOMAINS,
	  { "evil.example", "contoso.example" }, "RFC 7489 6.6.1 two addresses in different domains" },
	{ { " a@contoso.example, B <b@Contoso.Example>" }, AUTHOR_OK, { "contoso.example" },
	  "two addresses, one domain" },
	{ { " postmaster, ceo@contoso.example" }, AUTHOR_NO_DOMAIN, { "contoso.example" },
	  "an address without a domain beside the real one" },
	{ { " ceo@contoso.example, postmaster" }, AUTHOR_NO_DOMAIN, { "contoso.example" },
	  "the real one, then an address without a domain" },
	{ { " ceo@contoso.example;" }, AUTHOR_SYNTAX, { "contoso.example" }, "trailing ';'" },
	{ { " a@evil.example (ceo@contoso.example" }, AUTHOR_SYNTAX, { "evil.example", "contoso.example" },
	  "unclosed comment" },
	{ { " \"ceo@contoso.example <a@evil.example>" }, AUTHOR_SYNTAX, { "contoso.example", "evil.example" },
	  "unclosed quote" },
	{ { " Boss <ceo@contoso.example" }, AUTHOR_SYNTAX, { "contoso.example" }, "unclosed '<'" },
	{ { " Boss <ceo@contoso.example>>" }, AUTHOR_SYNTAX, { "contoso.example" }, "extra '>'" },
	{ { " a@evil.example", " ceo@contoso.example" }, AUTHOR_MULTIPLE_FIELDS,
	  { "evil.example", "contoso.example" }, "RFC 7489 6.6.1 two From fields" },
	{ { " ceo@contoso.example", " ceo@contoso.example" }, AUTHOR_MULTIPLE_FIELDS,
	  { "contoso.example" }, "two From fields, one domain" },
	{ { " ceo@contoso.example", " undisclosed:;" }, AUTHOR_MULTIPLE_FIELDS,
	  { "contoso.example" }, "two From fields, one without an address" },
	{ { " \"alice@contoso.example via List\" <list@lists.example>" }, AUTHOR_OK, { "lists.example" },
	  "address inside the display name of a clean field: not an author" },
	{ { " (ceo@contoso.example) a@evil.example" }, AUTHOR_OK, { "evil.example" },
	  "address inside a comment of a clean field: not an author" },
	{ { " =?utf-8?Q?ceo@contoso.example?= <a@evil.example>" }, AUTHOR_OK, { "evil.example" },
	  "address inside an encoded word of a clean field: not an author" },
	{ { " (ceo@contoso.example) a@evil.example;" }, AUTHOR_SYNTAX, { "contoso.example", "evil.example" },
	  "address inside a comment of a broken field: an author" },
	{ { " alice@contoso.example via List <list@lists.example>" }, AUTHOR_SYNTAX,
	  { "contoso.example", "lists.example" }, "unquoted '@' in a display name: broken, both read" },
	{ { " a@[192.0.2.1], ceo@contoso.example" }, AUTHOR_NO_DOMAIN, { "contoso.example" },
	  "a domain literal beside the real one" },
	{ { " G: ceo@contoso.example" }, AUTHOR_SYNTAX, { "contoso.example" }, "group without ';'" },
	{ { " G: H: ceo@contoso.example;;" }, AUTHOR_SYNTAX, { "contoso.example" }, "nested group" },
	{ { " ceo@contoso.example a@evil.example" }, AUTHOR_SYNTAX, { "contoso.example", "evil.example" },
	  "two addresses without a comma" },
	{ { " a@ceo@contoso.example" }, AUTHOR_SYNTAX, { "ceo", "contoso.example" }, "two '@'" },
	{ { " <@route.example:ceo@contoso.example" }, AUTHOR_SYNTAX, { "route.example", "contoso.example" },
	  "broken route address: the route too" },
	{ { " user@ sub . contoso . example;" }, AUTHOR_SYNTAX, { "sub.contoso.example" },
	  "obs-domain with spaces: what the parser read before the error" },
	{ { " ceo@b\xc3\xbc" "cher.example" }, AUTHOR_OK, { "xn--bcher-kva.example" }, "U-label in a clean field" },
	{ { " ceo@contoso\xe3\x80\x82" "example, a@contoso.example" }, AUTHOR_MULTIPLE_DOMAINS,
	  { "contoso.example" }, "two spellings of one domain: one domain" },
	{ { " ceo@evil\x01.contoso.example" }, AUTHOR_SYNTAX, { "evil.contoso.example", "contoso.example" },
	  "a control character: broken field, both readings" },
	{ { " ceo@contoso.example\r\n\t(folded" }, AUTHOR_SYNTAX, { "contoso.example" }, "folded, unclosed" },
	{ { " ceo@" }, AUTHOR_SYNTAX, { NULL }, "nothing after '@'" },
	{ { " undisclosed-recipients:;" }, AUTHOR_NO_DOMAIN, { NULL }, "empty group" },
	{ { NULL }, AUTHOR_SYNTAX, { NULL }, "a NULL value" },
};

static void
test_collect(struct arena *a)
{
	struct author_set set;
	const char *dom, *why;
	size_t i, k;

	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		const struct crow *r = &crows[i];
		size_t nf = r->fields[1] != NULL ? 2 : 1, nwant = 0;
		bool same;

		while (nwant < 4 && r->want[nwant] != NULL)
			nwant++;
		author_collect(a, r->fields, nf, &set);
		is_str(author_status_name(set.strict), author_status_name(r->strict), "%s: strict (%s)",
		    r->cite, set.why ? set.why : "-");
		is_int(set.strict, author_domain(a, r->fields, nf, &dom, &why), "%s: strict is author_domain's", r->cite);
		same = set.ndomains == nwant && set.nfields == nf && !set.overflow;
		for (k = 0; same && k < nwant; k++)
			same = strcmp(set.domains[k], r->want[k]) == 0;
		ok(same, "%s: domains %s%s%s%s", r->cite, set.ndomains > 0 ? set.domains[0] : "-",
		    set.ndomains > 1 ? " " : "", set.ndomains > 1 ? set.domains[1] : "",
		    set.ndomains > 2 ? " ..." : "");
		ok((set.why == NULL) == (r->strict == AUTHOR_OK && !set.mapped), "%s: why only when odd", r->cite);
	}
	author_collect(a, NULL, 0, &set);
	ok(set.strict == AUTHOR_NONE && set.ndomains == 0 && set.nfields == 0 && !set.overflow,
	    "no From field: none, no domain");
	/* 20 distinct domains: the first AUTHOR_EVAL_MAX, overflow */
	{
		char v[1024] = "";
		const char *f[1] = { v };

		for (k = 0; k < 20; k++)
			snprintf(v + strlen(v), sizeof(v) - strlen(v), "%sa@d%zu.example", k ? ", " : " ", k);
		author_collect(a, f, 1, &set);
		ok(set.strict == AUTHOR_MULTIPLE_DOMAINS && set.ndomains == AUTHOR_EVAL_MAX && set.overflow &&
		    strcmp(set.domains[0], "d0.example") == 0 && strcmp(set.domains[7], "d7.example") == 0,
		    "20 distinct domains: 8, overflow (%s)", set.why);
		strcpy(v + strlen(v), ";");
		author_collect(a, f, 1, &set);
		ok(set.strict == AUTHOR_SYNTAX && set.ndomains == AUTHOR_EVAL_MAX && set.overflow,
		    "20 distinct domains in a broken field: 8, overflow");
		v[0] = '\0';
		for (k = 0; k < 8; k++)
			snprintf(v + strlen(v), sizeof(v) - strlen(v), "%sa@d%zu.example", k ? ", " : " ", k);
		author_collect(a, f, 1, &set);
		ok(set.ndomains == AUTHOR_EVAL_MAX && !set.overflow, "exactly 8 distinct domains: no overflow");
	}
}

/* ---- bounds: what a sender can make us do ---------------------------- */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define MB (1024 * 1024)

/* One 1 MB From value: the domains, and how long it took. */
static void
big_from(struct arena *a, const char *v, const char *want0, const char *want1, bool overflow,
    const char *cite)
{
	struct author_set set;
	const char *f[1] = { v };
	double t = now_ms();

	author_collect(a, f, 1, &set);
	t = now_ms() - t;
	ok(set.ndomains == (want0 ? 1u : 0u) + (want1 ? 1u : 0u) &&
	    (want0 == NULL || strcmp(set.domains[0], want0) == 0) &&
	    (want1 == NULL || strcmp(set.domains[1], want1) == 0) && set.overflow == overflow,
	    "1 MB From, %s: %zu domain(s) %s, overflow %d (%s)", cite, set.ndomains,
	    set.ndomains ? set.domains[0] : "-", set.overflow, set.why ? set.why : "-");
	/* a quadratic step would take seconds here */
	ok(t < 1000, "1 MB From, %s: %.2f ms", cite, t);
}

static void
test_bounds(struct arena *a)
{
	char *v = malloc(MB + 1);
	size_t k, n;
	const char *zw = "\xe2\x80\x8b";

	test_lengths(a);
	if (v == NULL)
		abort();
	/* one domain of 1 MB: its last labels */
	v[0] = ' ', v[1] = 'a', v[2] = '@';
	memset(v + 3, 'a', MB - 3);
	strcpy(v + MB - 16, ".contoso.example");
	big_from(a, v, "contoso.example", NULL, false, "one 1 MB ASCII domain");
	/* a label of zero-width spaces */
	strcpy(v, " a@contoso.exa");
	for (n = strlen(v); n + 3 < MB - 8; n += 3)
		memcpy(v + n, zw, 3);
	strcpy(v + n, "mple");
	big_from(a, v, NULL, NULL, false, "a label of zero-width spaces (no valid label)");
	/* '@' repeated, one domain: each duplicate is one hash */
	for (k = 0; k < 14 * (AUTHOR_AT_MAX - 1); k += 14)
		memcpy(v + k, "@evil.example ", 14);
	strcpy(v + k, "(ceo@contoso.example");
	big_from(a, v, "evil.example", "contoso.example", false, "AUTHOR_AT_MAX '@', the author last");
	for (k = 0; k + 14 < MB - 40; k += 14)
		memcpy(v + k, "@evil.example ", 14);
	strcpy(v + k, "(ceo@contoso.example");
	big_from(a, v, "evil.example", NULL, true, "more '@' than AUTHOR_AT_MAX: overflow");
	/* '@' before every byte: AUTHOR_SCAN_MAX distinct, then overflow */
	for (k = 0; k + 2 <= MB; k += 2) {
		v[k] = '@';
		v[k + 1] = (char)('a' + (k / 2) % 26);
	}
	v[MB] = '\0';
	{
		struct author_set set;
		const char *f[1] = { v };

		author_collect(a, f, 1, &set);
		ok(set.ndomains == AUTHOR_EVAL_MAX && set.overflow, "1 MB of '@x': 8 domains, overflow");
	}
	/* distinct case variants: AUTHOR_SCAN_MAX spellings, then overflow */
	{
		struct author_set set;
		const char *f[1] = { v };
		char *p = v;

		/* 100 spellings of one domain: c/C x o/O ... */
		n = 0;
		for (k = 0; k < 100; k++) {
			const char *base = "contoso.example";
			size_t j;

			p[n++] = '@';
			for (j = 0; base[j]; j++)
				p[n++] = (k >> (j % 7)) & 1 && base[j] != '.' ? (char)(base[j] - 32) : base[j];
			p[n++] = ' ';
		}
		strcpy(p + n, "@fabrikam.example");
		author_collect(a, f, 1, &set);
		ok(set.overflow && set.ndomains == 1 && strcmp(set.domains[0], "contoso.example") == 0,
		    "100 spellings of one domain, then another: overflow, the rest unread (%s)", set.why);
	}
	/* the libidn2 budget: 40 distinct 1000-byte non-ASCII domains */
	{
		struct author_set set;
		const char *f[1] = { v };
		double t;

		n = 0;
		for (k = 0; k < 40; k++) {
			size_t j;

			/* distinct spellings of one domain: only the budget stops them */
			n += (size_t)snprintf(v + n, MB - n, "@contoso");
			for (j = 0; j < 330 + k; j++)
				n += (size_t)snprintf(v + n, MB - n, "%s", zw);
			n += (size_t)snprintf(v + n, MB - n, ".example ");
		}
		t = now_ms();
		author_collect(a, f, 1, &set);
		t = now_ms() - t;
		ok(set.overflow && set.ndomains == 1 && strcmp(set.domains[0], "contoso.example") == 0 &&
		    strstr(set.why, "too many non-ASCII") != NULL,
		    "40 x 1000 bytes of zero-width spaces: the libidn2 budget, overflow (%s)", set.why);
		ok(t < 1000, "40 x 1000 bytes of zero-width spaces: %.2f ms", t);
	}
	/* tokens and comments */
	memset(v, '(', MB);
	v[MB] = '\0';
	big_from(a, v, NULL, NULL, false, "1 MB of '('");
	for (k = 0; k + 2 <= MB; k += 2)
		v[k] = 'a', v[k + 1] = ',';
	strcpy(v + MB - 20, "ceo@contoso.example");
	big_from(a, v, "contoso.example", NULL, false, "more than AUTHOR_MAX_TOKENS tokens");
	v[0] = '(';
	memset(v + 1, 'x', MB - 1);
	strcpy(v + MB - 40, "ceo@b\xc3\xbc" "cher.example");
	big_from(a, v, "xn--bcher-kva.example", NULL, false, "unclosed 1 MB comment");
	free(v);
}

int
main(void)
{
	struct arena *a = arena_new();
	const char *dom, *why;
	size_t i;
	enum author_status st;
	char big[20000];

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *v[1] = { rows[i].value };

		st = author_domain(a, v, 1, &dom, &why);
		is_str(author_status_name(st), author_status_name(rows[i].st), "%s: status (%s)",
		    rows[i].cite, why);
		is_str(dom, rows[i].domain, "%s: domain", rows[i].cite);
	}

	/* Field counts: RFC 7489 6.6.1 */
	{
		const char *two[2] = { " a@example.com", " a@example.com" };

		st = author_domain(a, NULL, 0, &dom, &why);
		is_int(st, AUTHOR_NONE, "no From field: none (%s)", why);
		ok(dom == NULL, "no From field: no domain");
		st = author_domain(a, two, 2, &dom, &why);
		is_int(st, AUTHOR_MULTIPLE_FIELDS, "two From fields, even the same: multiple (%s)", why);
		ok(dom == NULL, "two From fields: no domain");
		st = author_domain(a, two, 1, &dom, NULL);
		is_int(st, AUTHOR_OK, "why may be NULL");
	}
	/* Bounds: too many tokens, deep comments */
	{
		const char *v[1] = { big };
		size_t k;

		for (k = 0; k + 2 < sizeof(big) - 20; k += 2) {
			big[k] = 'a';
			big[k + 1] = ',';
		}
		strcpy(big + k, "a@example.com");
		st = author_domain(a, v, 1, &dom, &why);
		is_int(st, AUTHOR_SYNTAX, "more than AUTHOR_MAX_TOKENS tokens: syntax (%s)", why);
		memset(big, '(', 100);
		strcpy(big + 100, "x");
		st = author_domain(a, v, 1, &dom, &why);
		is_int(st, AUTHOR_SYNTAX, "comments nested 100 deep: syntax (%s)", why);
	}
	/* author_domains: every domain of every field (RFC 7489 6.6.1 "MAY evaluate each") */
	{
		const char *multi[2] = { " test@goestheweasel.com", " test@marcbradshaw.net, test@Example.com" };
		const char *same[2] = { " a@x.example", " B <b@X.EXAMPLE>" };
		const char *nod[2] = { " a@x.example", " undisclosed:;" };
		const char *syn[2] = { " a@x.example", " bad <" };
		const char **doms;
		size_t nd, k;
		char many[2048];
		const char *v[1] = { many };

		st = author_domains(a, multi, 2, &doms, &nd, &why);
		ok(st == AUTHOR_OK && nd == 3 && strcmp(doms[0], "goestheweasel.com") == 0 &&
		    strcmp(doms[1], "marcbradshaw.net") == 0 && strcmp(doms[2], "example.com") == 0,
		    "author_domains: two fields, three domains in order (%s)", why);
		st = author_domains(a, same, 2, &doms, &nd, &why);
		ok(st == AUTHOR_OK && nd == 1 && strcmp(doms[0], "x.example") == 0,
		    "author_domains: two fields, one domain");
		st = author_domains(a, nod, 2, &doms, &nd, &why);
		ok(st == AUTHOR_NO_DOMAIN && doms == NULL && nd == 0, "author_domains: an empty group field: no-domain");
		st = author_domains(a, syn, 2, &doms, &nd, &why);
		ok(st == AUTHOR_SYNTAX && doms == NULL, "author_domains: a bad second field: syntax (%s)", why);
		st = author_domains(a, NULL, 0, &doms, &nd, &why);
		is_int(st, AUTHOR_NONE, "author_domains: no field: none");
		many[0] = '\0';
		for (k = 0; k <= AUTHOR_MAX_DOMAINS; k++)
			snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sa@d%zu.example",
			    k ? "," : "", k);
		st = author_domains(a, v, 1, &doms, &nd, &why);
		is_int(st, AUTHOR_SYNTAX, "author_domains: more than AUTHOR_MAX_DOMAINS domains: syntax (%s)", why);
		many[strrchr(many, ',') - many] = '\0';
		st = author_domains(a, v, 1, &doms, &nd, &why);
		ok(st == AUTHOR_OK && nd == AUTHOR_MAX_DOMAINS, "author_domains: exactly AUTHOR_MAX_DOMAINS domains: ok");
	}
	is_str(author_status_name(AUTHOR_MULTIPLE_FIELDS), "multiple-from", "status names");
	/* author_collect().strict is author_domain()'s status, row by row */
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *v[1] = { rows[i].value };
		struct author_set set;

		author_collect(a, v, 1, &set);
		is_str(author_status_name(set.strict), author_status_name(rows[i].st),
		    "author_collect strict: %s", rows[i].cite);
	}
	test_idn2();
	test_readings(a);
	test_collect(a);
	test_bounds(a);
	arena_free(&a);
	return tap_done();
}
