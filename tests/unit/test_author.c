/*
 * Author domain from From field values (RFC 5322 §3.4, §3.6.2, §4.4;
 * RFC 2047 §5; RFC 7489 §6.6.1): one row per input form, exact status and
 * domain, error rows as carefully as the others.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "arena.h"
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
	arena_free(&a);
	return tap_done();
}
