/*
 * rua= URI lists (src/report/rua.c): RFC 9989 §4.7 lists, RFC 7489 §6.2
 * size limits, what is ignored as malformed (RFC 9990 §2.5), and the
 * report authorization records of RFC 9990 §4 step 6. A table: input,
 * then each URI as "addr size" or "!why".
 */
#include <stdio.h>
#include <string.h>

#include "rua.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *want;       /* URIs joined by " | " */
} cases[] = {
	{ "mailto:dmarc@example.com", "dmarc@example.com 0" },
	{ " mailto:a@example.com , mailto:b@example.net ", "a@example.com 0 | b@example.net 0" },
	{ "mailto:a@example.com!10m", "a@example.com 10485760" },
	{ "mailto:a@example.com!50k,mailto:b@example.com!2G", "a@example.com 51200 | b@example.com 2147483648" },
	{ "mailto:a@example.com!1234", "a@example.com 1234" },
	{ "MAILTO:A.B@Example.COM", "A.B@example.com 0" },
	{ "mailto:dmarc%2Dreports@example.com", "dmarc-reports@example.com 0" },
	{ "mailto:a%2Cb@example.com", "!not a usable address" },
	{ "mailto:a@example.com!", "!bad size limit" },
	{ "mailto:a@example.com!0", "!size limit 0" },
	{ "mailto:a@example.com!10x", "!bad size limit" },
	{ "mailto:a@example.com!99999999999999999999t", "!bad size limit" },
	{ "https://example.com/r", "!not a mailto: URI" },
	{ "mailto:a@example.com?subject=x", "!mailto: URI with header fields" },
	{ "mailto:example.com", "!no address" },
	{ "mailto:a%0d%0aBcc:x@example.com", "!not a usable address" },
	{ "mailto:a%00@example.com", "!no address" },
	{ "mailto:a b@example.com", "!not a usable address" },
	{ "mailto:a@exa mple.com", "!not a usable address" },
	{ "mailto:<a@example.com>", "!not a usable address" },
	{ "mailto:a@-example.com", "!not a usable address" },
	{ "mailto:a@example-.com", "!not a usable address" },
	{ "mailto:a@localhost", "!not a usable address" },
	{ "mailto:a..b@example.com", "!not a usable address" },
	{ "mailto:a@example.com%zz", "!bad %-escape" },
	{ ",,mailto:a@example.com,,", "a@example.com 0" },
	{ "", "" },
};

static const struct {
	const char *txt;
	int ok;
	const char *rua;
} auth[] = {
	{ "v=DMARC1", 1, NULL },
	{ "v=DMARC1;", 1, NULL },
	{ "v = DMARC1 ; rua=mailto:b@rep.example.org", 1, "mailto:b@rep.example.org" },
	{ "v=DMARC1; p=none; rua=mailto:x@y.example; ", 1, "mailto:x@y.example" },
	{ "rua=mailto:x@y.example; v=DMARC1", 0, NULL },
	{ "v=DMARC2", 0, NULL },
	{ "v=dmarc1", 0, NULL },
	{ "v=spf1 -all", 0, NULL },
	{ "", 0, NULL },
	{ "v=DMARC1; junk", 0, NULL },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rua_uri u[RUA_MAX];
		char got[4096] = "";
		size_t n = rua_parse(cases[i].in, strlen(cases[i].in), u, RUA_MAX);
		for (size_t k = 0; k < n; k++) {
			size_t l = strlen(got);
			if (u[k].ok)
				snprintf(got + l, sizeof got - l, "%s%.260s %llu", k ? " | " : "", u[k].addr,
				    (unsigned long long)u[k].size_limit);
			else
				snprintf(got + l, sizeof got - l, "%s!%s", k ? " | " : "", u[k].why);
		}
		is_str(got, cases[i].want, "rua=%s", cases[i].in);
	}
	{
		struct rua_uri u[2];
		char key[300];
		rua_parse("mailto:x@Example.NET!5m", 23, u, 2);
		rua_key(&u[0], key, sizeof key);
		is_str(key, "mailto:x@example.net", "the store key: mailto: address, no size");
		ok(strcmp(u[0].domain, "example.net") == 0, "domain points into addr");
	}
	{
		char many[2000] = "";
		struct rua_uri u[RUA_MAX];
		for (int i = 0; i < 20; i++)
			snprintf(many + strlen(many), sizeof many - strlen(many), "mailto:r%d@example.com,", i);
		is_int((long)rua_parse(many, strlen(many), u, RUA_MAX), (long)RUA_MAX,
		    "at most RUA_MAX URIs read");
	}
	for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++) {
		const char *rua;
		size_t len;
		bool got = rua_auth_record(auth[i].txt, strlen(auth[i].txt), &rua, &len);
		ok(got == (bool)auth[i].ok && (!auth[i].ok || (auth[i].rua == NULL ? rua == NULL :
		    rua && len == strlen(auth[i].rua) && memcmp(rua, auth[i].rua, len) == 0)),
		    "authorization record \"%s\": %s", auth[i].txt, auth[i].ok ? "yes" : "no");
	}
	return tap_done();
}
