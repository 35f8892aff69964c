/*
 * Organizational domains. RFC 7489 §3.2 uses the public suffix list: the
 * registrable-domain function must pass every vector of the list's own
 * test file (tests/data/psl/tests.txt, CC0). RFC 9989 §4.10: the names a
 * tree walk queries, with the skip to 7 labels for long names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "arena.h"
#include "dmarc.h"

static void
psl_vectors(struct arena *a)
{
	char path[4096], line[1024], in[512], want[512];
	const char *src = getenv("top_srcdir");
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/tests/data/psl/tests.txt", src ? src : ".");
	f = fopen(path, "r");
	ok(f != NULL, "open %s", path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *got;

		if (line[0] == '/' || line[0] == '\n' || line[0] == '\r')
			continue;
		if (sscanf(line, "%511s %511s", in, want) != 2)
			continue;
		got = dmarc_psl_registrable(a, strcmp(in, "null") == 0 ? NULL : in);
		is_str(got, strcmp(want, "null") == 0 ? NULL : want, "psl-tests: %s -> %s", in, want);
		n++;
	}
	fclose(f);
	is_int(n, 78, "all 78 vectors read");
}

struct orgrow {
	const char *domain, *org;
	const char *cite;
};

static const struct orgrow orgrows[] = {
	{ "example.com", "example.com", "RFC 7489 3.2 registrable domain" },
	{ "mail.Example.COM", "example.com", "RFC 7489 3.2 subdomain, lower-cased" },
	{ "a.b.example.co.uk", "example.co.uk", "RFC 7489 3.2 two-label suffix co.uk" },
	{ "co.uk", "co.uk", "a public suffix is its own organizational domain" },
	{ "foo.blogspot.com", "foo.blogspot.com", "private suffix blogspot.com" },
	{ "x.foo.blogspot.com", "foo.blogspot.com", "under a private suffix" },
};

struct walkrow {
	const char *domain;
	size_t n;
	const char *names[DMARC_WALK_MAX];
};

static const struct walkrow walkrows[] = {
	{ "example.com", 2, { "example.com", "com" } },
	{ "a.mail.example.com", 4, { "a.mail.example.com", "mail.example.com", "example.com", "com" } },
	{ "com", 1, { "com" } },
	{ "a.b.c.d.e.f.g", 7, { "a.b.c.d.e.f.g", "b.c.d.e.f.g", "c.d.e.f.g", "d.e.f.g", "e.f.g", "f.g", "g" } },
	{ "a.b.c.d.e.f.g.h", 8, { "a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h", "d.e.f.g.h",
	    "e.f.g.h", "f.g.h", "g.h", "h" } },
	{ "1.2.3.4.5.6.7.8.9.a.b.c", 8, { "1.2.3.4.5.6.7.8.9.a.b.c", "6.7.8.9.a.b.c", "7.8.9.a.b.c",
	    "8.9.a.b.c", "9.a.b.c", "a.b.c", "b.c", "c" } },
	/* 9 labels: x >= 8 goes straight to 7, its 8-label parent is never asked */
	{ "x.b.c.d.e.f.g.example.com", 8, { "x.b.c.d.e.f.g.example.com", "c.d.e.f.g.example.com",
	    "d.e.f.g.example.com", "e.f.g.example.com", "f.g.example.com", "g.example.com",
	    "example.com", "com" } },
	/* RFC 9989 5.1.8, the eight queries of its example */
	{ "mail.a.b.c.d.e.f.g.example.com", 8, { "mail.a.b.c.d.e.f.g.example.com",
	    "c.d.e.f.g.example.com", "d.e.f.g.example.com", "e.f.g.example.com", "f.g.example.com",
	    "g.example.com", "example.com", "com" } },
};

int
main(void)
{
	struct arena *a = arena_new();
	const char *names[DMARC_WALK_MAX];
	size_t i, k, n;

	psl_vectors(a);
	for (i = 0; i < sizeof(orgrows) / sizeof(orgrows[0]); i++)
		is_str(dmarc_psl_orgdomain(a, orgrows[i].domain), orgrows[i].org, "%s: %s",
		    orgrows[i].cite, orgrows[i].domain);
	ok(dmarc_psl_orgdomain(a, NULL) == NULL, "NULL domain: NULL");

	/* RFC 9989 4.10 steps 4-8 */
	for (i = 0; i < sizeof(walkrows) / sizeof(walkrows[0]); i++) {
		int same;

		n = dmarc_walk_names(walkrows[i].domain, names);
		is_int(n, walkrows[i].n, "RFC 9989 4.10 walk of %s: %zu queries", walkrows[i].domain,
		    walkrows[i].n);
		same = n == walkrows[i].n;
		for (k = 0; same && k < n; k++)
			same = strcmp(names[k], walkrows[i].names[k]) == 0;
		ok(same, "RFC 9989 4.10 walk of %s: names in order", walkrows[i].domain);
	}
	is_int(dmarc_walk_names("", names), 0, "empty domain: no walk");
	is_int(dmarc_walk_names(NULL, names), 0, "NULL domain: no walk");

	ok(dmarc_domain_within("a.example.com", "example.com"), "within: subdomain");
	ok(dmarc_domain_within("example.com", "EXAMPLE.com"), "within: same, any case");
	ok(!dmarc_domain_within("badexample.com", "example.com"), "within: not a label boundary");
	ok(!dmarc_domain_within("example.com", "a.example.com"), "within: parent is not within");
	arena_free(&a);
	return tap_done();
}
