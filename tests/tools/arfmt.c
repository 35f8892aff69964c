/*
 * Prints Authentication-Results values made by authres_format, so that
 * tests/authres_python.sh can have an independent parser (Debian's
 * python3-authres) read them.  Each record is what was built, one field a
 * line ("id", "res", "prop", tab-separated), then the value itself (its
 * lines always start with a space or tab), then a line "--".
 */
#include <stdio.h>

#include "arena.h"
#include "authres.h"

#define PROPS(...) (const struct ar_prop[]){ __VA_ARGS__ }
#define NPROPS(...) (sizeof(PROPS(__VA_ARGS__)) / sizeof(struct ar_prop))
#define P(...) NPROPS(__VA_ARGS__), PROPS(__VA_ARGS__)
#define RESULTS(...) (const struct ar_result[]){ __VA_ARGS__ }
#define NRESULTS(...) (sizeof(RESULTS(__VA_ARGS__)) / sizeof(struct ar_result))
#define R(...) RESULTS(__VA_ARGS__), NRESULTS(__VA_ARGS__)

struct arfmt_case {
	const char *id;
	const struct ar_result *res;
	size_t n;
};

/*
 * python3-authres 1.2.0 drops a quoted-string pvalue unless it ends its
 * resinfo (its look-ahead wants ';' or the end), so quoted values come
 * last here; our own parser has no such limit (tests/unit/test_authres).
 */
static const struct arfmt_case arfmt_cases[] = {
	{ "mx.example.net", R(
	    { "spf", "pass", "sender IP is 192.0.2.10", NULL,
	      P({ "smtp", "mailfrom", "fabrikam.example", NULL }) },
	    { "dkim", "pass", "signature was verified", NULL,
	      P({ "header", "d", "fabrikam.example", NULL },
	        { "header", "s", "sel1", NULL }) },
	    { "dmarc", "pass", NULL, NULL,
	      P({ NULL, "action", "none", NULL },
	        { "header", "from", "fabrikam.example", NULL }) },
	    { "arc", "none", NULL, NULL, 0, NULL },
	    { "compauth", "pass", NULL, "100", 0, NULL }) },
	{ "mx.example.net", R(
	    { "iprev", "fail", NULL, NULL,
	      P({ "policy", "iprev", "2001:db8::25", "mail.example.com" }) },
	    { "spf", "softfail", "(a) \\ b", NULL,
	      P({ "smtp", "mailfrom", "bounce+tag@list.example.org", NULL },
	        { "smtp", "helo", "mta1.list.example.org", NULL }) },
	    { "dkim", "fail", NULL, "signature did not verify",
	      P({ "header", "d", "list.example.org", NULL },
	        { "header", "s", "s2024", NULL },
	        { "header", "b", "AbC/dEf+", NULL }) },
	    { "dmarc", "fail", NULL, NULL,
	      P({ NULL, "action", "reject", NULL },
	        { "header", "from", "example.org", NULL }) },
	    { "arc", "fail", "chain broken at i=2", NULL, 0, NULL },
	    { "compauth", "fail", NULL, "000", 0, NULL }) },
	{ "a-long-authserv-id.mail-gateway.example.net", R(
	    { "iprev", "pass", NULL, NULL,
	      P({ "policy", "iprev", "192.0.2.1",
	          "mail-out-01.a-rather-long-hostname.mailing-provider.example" }) },
	    { "dkim", "pass", "signature was verified by a verifier with a long comment "
	      "that cannot fit on one line at all", NULL,
	      P({ "header", "d", "subdomain.marketing-department.example.com", NULL },
	        { "header", "s", "selector-2024-01", NULL },
	        { "header", "i", "newsletter@subdomain.marketing-department.example.com", NULL },
	        { "header", "b", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/abcdefghijklmnopqrstuvwxyz"
	          "+ABCDEFGHIJ", NULL }) },
	    { "arc", "pass", NULL, NULL,
	      P({ "header", "oldest-pass", "0", NULL },
	        { "smtp", "remote-ip", "192.0.2.1", NULL },
	        { "header", "ams-d", "forwarder.example.net", NULL }) },
	    { "dmarc", "fail", NULL, NULL,
	      P({ NULL, "action", "oreject", NULL },
	        { "header", "from", "marketing-department.example.com", NULL }) },
	    { "compauth", "pass", NULL, "130", 0, NULL }) },
	{ "mx.example.net", NULL, 0 },
	{ "mx.example.net", R(
	    { "iprev", "pass", NULL, NULL,
	      P({ "policy", "iprev", "192.0.2.1", "comment with (parens) and \\ too" }) },
	    { "dkim", "neutral", "control\r\nchars\tinside", NULL,
	      P({ "header", "d", "x.example", NULL },
	        { "header", "i", "@x.example", NULL }) },
	    { "spf", "pass", NULL, NULL,
	      P({ "smtp", "helo", "helo.example", NULL },
	        { "smtp", "mailfrom", "we \"quote\" and \\ this", NULL }) },
	    { "dmarc", "bestguesspass", NULL, NULL,
	      P({ NULL, "action", "none", NULL },
	        { "header", "from", "x.example", NULL }) },
	    { "compauth", "softpass", NULL, "201", 0, NULL }) },
	{ "mx.example.net", R(
	    { "spf", "none", NULL, NULL,
	      P({ "smtp", "mailfrom", "user@nospf.example", NULL }) },
	    { "dkim", "none", "message not signed", NULL,
	      P({ "header", "d", "none", NULL }) },
	    { "dmarc", "none", NULL, NULL,
	      P({ NULL, "action", "none", NULL },
	        { "header", "from", "nospf.example", NULL }) },
	    { "arc", "none", NULL, NULL, 0, NULL },
	    { "compauth", "none", "authenticated submission", "301", 0, NULL }) },
};

int
main(void)
{
	struct arena *a = arena_new();
	size_t i, j, k;

	for (i = 0; i < sizeof(arfmt_cases) / sizeof(arfmt_cases[0]); i++) {
		const struct arfmt_case *c = &arfmt_cases[i];

		printf("id\t%s\n", c->id);
		for (j = 0; j < c->n; j++) {
			const struct ar_result *r = &c->res[j];

			printf("res\t%s\t%s\t%s\n", r->method, r->result,
			    r->reason ? r->reason : "");
			for (k = 0; k < r->nprops; k++)
				printf("prop\t%s\t%s\t%s\n", r->props[k].ptype ?
				    r->props[k].ptype : "", r->props[k].name,
				    r->props[k].value);
		}
		printf("%s\n--\n", authres_format(a, c->id, c->res, c->n));
	}
	arena_free(&a);
	return 0;
}
