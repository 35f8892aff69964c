/*
 * Trusted ARC sealers (arc_trust_vouches): which chains and which
 * ARC-Authentication-Results vouch for a DMARC failure (compauth 130).
 * A table: the chain as arc_eom reports it, the trusted list, the
 * author domain, and whether it vouches, with what or why not.
 */
#include <stdio.h>
#include <string.h>

#include "arc.h"
#include "arc_trust.h"
#include "arena.h"
#include "../tap.h"

struct ttest {
	const char *name;
	const char *result;             /* chain */
	const char *sealer1, *aar1;     /* i=1 */
	const char *sealer2, *aar2;     /* i=2, or NULL for a chain of 1 */
	const char *trusted;            /* comma list, "" none */
	const char *author;
	const char *want;               /* what, or NULL: no vouching */
	const char *why;                /* the reason when not */
	int unsigned_from;              /* the newest AMS h= leaves From out */
};

static const struct ttest tests[] = {
	{ "dmarc=pass for the author", "pass", "lists.example", "lists.example; dmarc=pass header.from=example.org",
	  NULL, NULL, "lists.example", "example.org", "dmarc=pass", NULL, 0 },
	{ "dmarc=pass without header.from names no author", "pass", "lists.example",
	  "lists.example; dmarc=pass", NULL, NULL, "lists.example", "example.org", NULL,
	  "sealer lists.example recorded no aligned pass for example.org", 0 },
	{ "dmarc=pass without header.from: an aligned dkim=pass still counts", "pass",
	  "lists.example", "lists.example; dmarc=pass; dkim=pass header.d=example.org", NULL, NULL,
	  "lists.example", "example.org", "dkim=pass header.d=example.org", NULL, 0 },
	{ "dmarc=pass with an empty header.from", "pass", "lists.example",
	  "lists.example; dmarc=pass header.from=", NULL, NULL, "lists.example", "example.org", NULL,
	  "sealer lists.example recorded no aligned pass for example.org", 0 },
	{ "AMS h= without From: the sealer did not bind the author", "pass", "lists.example",
	  "lists.example; dmarc=pass header.from=example.org", NULL, NULL, "lists.example",
	  "example.org", NULL, "sealer lists.example did not sign From", 1 },
	{ "newest AMS without From, the older one with it", "pass", "fwd.example",
	  "fwd; dmarc=pass header.from=example.org", "lists.example",
	  "x; dmarc=pass header.from=example.org", "lists.example", "example.org", NULL,
	  "sealer lists.example did not sign From", 1 },
	{ "dmarc=pass, From in another case", "pass", "lists.example",
	  "lists.example; dmarc=pass header.from=Example.ORG", NULL, NULL, "lists.example", "example.org",
	  "dmarc=pass", NULL, 0 },
	{ "sealer compared without case", "pass", "Lists.Example", "x; dmarc=pass header.from=example.org",
	  NULL, NULL, "lists.example", "example.org", "dmarc=pass", NULL, 0 },
	{ "dmarc=pass for another domain", "pass", "lists.example",
	  "lists.example; dmarc=pass header.from=other.example", NULL, NULL, "lists.example",
	  "example.org", NULL, "sealer lists.example recorded no aligned pass for example.org", 0 },
	{ "dkim=pass aligned through header.i", "pass", "lists.example",
	  "lists.example; dkim=pass header.i=@news.example.org", NULL, NULL, "lists.example",
	  "example.org", "dkim=pass header.d=news.example.org", NULL, 0 },
	{ "spf=pass through the old smtp.mfrom", "pass", "lists.example",
	  "lists.example; spf=pass smtp.mfrom=bounce@example.org", NULL, NULL, "lists.example",
	  "example.org", "spf=pass smtp.mailfrom=example.org", NULL, 0 },
	{ "dmarc's word before dkim's", "pass", "lists.example",
	  "lists.example; dkim=pass header.d=example.org; dmarc=pass header.from=example.org", NULL,
	  NULL, "lists.example", "example.org", "dmarc=pass", NULL, 0 },
	{ "public suffix is no organization", "pass", "lists.example",
	  "lists.example; dkim=pass header.d=co.uk", NULL, NULL, "lists.example", "example.co.uk",
	  NULL, "sealer lists.example recorded no aligned pass for example.co.uk", 0 },
	{ "dkim=fail does not count", "pass", "lists.example",
	  "lists.example; dkim=fail header.d=example.org", NULL, NULL, "lists.example", "example.org",
	  NULL, "sealer lists.example recorded no aligned pass for example.org", 0 },
	{ "result read before a syntax error counts", "pass", "lists.example",
	  "lists.example; dmarc=pass header.from=example.org; spf=(((", NULL, NULL, "lists.example",
	  "example.org", "dmarc=pass", NULL, 0 },
	{ "AAR that is not A-R syntax", "pass", "lists.example", ";;;", NULL, NULL, "lists.example",
	  "example.org", NULL, "sealer lists.example recorded no aligned pass for example.org", 0 },
	{ "sealer not trusted", "pass", "lists.example", "x; dmarc=pass", NULL, NULL,
	  "other.example, third.example", "example.org", NULL, "sealer lists.example is not trusted", 0 },
	{ "subdomain of a trusted sealer is not it", "pass", "evil.lists.example", "x; dmarc=pass",
	  NULL, NULL, "lists.example", "example.org", NULL, "sealer evil.lists.example is not trusted", 0 },
	{ "chain failed", "fail", "lists.example", "x; dmarc=pass", NULL, NULL, "lists.example",
	  "example.org", NULL, "the ARC chain did not pass", 0 },
	{ "no chain", "none", NULL, NULL, NULL, NULL, "lists.example", "example.org", NULL,
	  "the ARC chain did not pass", 0 },
	{ "no trusted sealers", "pass", "lists.example", "x; dmarc=pass", NULL, NULL, "",
	  "example.org", NULL, "no trusted sealers", 0 },
	{ "newest instance decides: trusted i=2", "pass", "fwd.example", "fwd; none",
	  "lists.example", "x; dmarc=pass header.from=example.org", "lists.example", "example.org",
	  "dmarc=pass", NULL, 0 },
	{ "newest instance decides: untrusted i=2 after trusted i=1", "pass", "lists.example",
	  "x; dmarc=pass", "fwd.example", "fwd; dmarc=pass", "lists.example", "example.org", NULL,
	  "sealer fwd.example is not trusted", 0 },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const struct ttest *t = &tests[i];
		struct arena *a = arena_new();
		struct arc_results r;
		struct arc_vouch v;
		const char *sealer[2], *aar[2], *trusted[4], *why = NULL;
		unsigned char from_signed[2] = { 1, 1 };
		char tl[128], *p, *save = NULL;
		size_t nt = 0;
		bool got;

		memset(&r, 0, sizeof(r));
		r.result = t->result;
		r.n = t->sealer1 == NULL ? 0 : t->sealer2 == NULL ? 1 : 2;
		sealer[0] = t->sealer1;
		aar[0] = t->aar1;
		sealer[1] = t->sealer2;
		aar[1] = t->aar2;
		r.sealer = sealer;
		r.aar = aar;
		if (t->unsigned_from && r.n > 0)
			from_signed[r.n - 1] = 0;
		r.from_signed = from_signed;
		snprintf(tl, sizeof(tl), "%s", t->trusted);
		for (p = strtok_r(tl, ", ", &save); p && nt < 4; p = strtok_r(NULL, ", ", &save))
			trusted[nt++] = p;
		got = arc_trust_vouches(a, &r, trusted, nt, t->author, &v, &why);
		if (t->want != NULL)
			ok(got && strcmp(v.what, t->want) == 0 && v.instance == r.n &&
			    strcmp(v.sealer, sealer[r.n - 1]) == 0,
			    "%s: vouches by %s (%s)", t->name, got ? v.sealer : "-", got ? v.what : why);
		else
			ok(!got && why != NULL && strcmp(why, t->why) == 0, "%s: %s", t->name,
			    got ? "vouched" : why);
		arena_free(&a);
	}
	return tap_done();
}
