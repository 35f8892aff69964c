/*
 * libFuzzer target for the From parser: any bytes, as one field or split
 * at the first NUL into two, give a status and a reason; a domain is
 * returned exactly on AUTHOR_OK and is lower case, non-empty, without
 * empty labels or a final dot; author_domains() agrees.
 *
 * author_collect() on the same fields: strict is author_domain()'s status,
 * at most AUTHOR_EVAL_MAX distinct domains, each in the normalized form
 * (only [a-z0-9-._], no empty label, no final dot, at most
 * AUTHOR_READING_MAX bytes: it goes into our header and into DNS names);
 * the strict domain of a clean field is among them unless overflow.
 * author_normalize() on the whole input: 0..2 distinct readings of the
 * same form, and a reading reads as itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "author.h"
#include "dmarc.h"

/* The normalized form: what may be written into a header and a DNS name. */
static void
check_normalized(const char *d)
{
	size_t n, k, lab = 0;

	if (d == NULL || (n = strlen(d)) == 0 || n > AUTHOR_READING_MAX)
		abort();
	for (k = 0; k < n; k++) {
		char c = d[k];

		if (c == '.') {
			if (lab == 0)
				abort();
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			abort();
		lab++;
	}
	if (lab == 0)
		abort();
}

static void
check_collect(struct arena *a, const char *const *v, size_t nv, enum author_status st,
    const char *dom)
{
	struct author_set set;
	size_t i, j;

	author_collect(a, v, nv, &set);
	if (set.strict != st || set.nfields != nv || set.ndomains > AUTHOR_EVAL_MAX)
		abort();
	if ((set.why == NULL) != (st == AUTHOR_OK && !set.mapped && !set.fallback && !set.overlong &&
	    !set.unreadable && !set.overflow))
		abort();
	for (i = 0; i < set.ndomains; i++) {
		check_normalized(set.domains[i]);
		for (j = 0; j < i; j++)
			if (strcmp(set.domains[i], set.domains[j]) == 0)
				abort();
	}
	/* a clean ASCII author domain is read as itself */
	if (dom != NULL && !set.overflow && strspn(dom, "abcdefghijklmnopqrstuvwxyz0123456789-_.") ==
	    strlen(dom) && (set.ndomains != 1 || strcmp(set.domains[0], dom) != 0))
		abort();
}

static void
check_normalize(struct arena *a, const uint8_t *data, size_t size)
{
	const char *out[2], *again[2];
	size_t n = author_normalize(a, (const char *)data, size, out), i;

	if (n > 2 || (n == 2 && strcmp(out[0], out[1]) == 0))
		abort();
	for (i = 0; i < n; i++) {
		check_normalized(out[i]);
		if (author_normalize(a, out[i], strlen(out[i]), again) != 1 || strcmp(again[0], out[i]) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size);
	const char *v[2], *dom = NULL, *why = NULL, *p;
	enum author_status st;
	size_t n = strlen(s);

	v[0] = s;
	v[1] = n < size ? (const char *)arena_strndup(a, (const char *)data + n + 1, size - n - 1) : NULL;
	st = author_domain(a, v, v[1] ? 2 : 1, &dom, &why);
	if (why == NULL || (st == AUTHOR_OK) != (dom != NULL))
		abort();
	if (v[1] != NULL && st != AUTHOR_MULTIPLE_FIELDS)
		abort();
	{
		/* author_domains agrees with author_domain on one field */
		const char **doms = NULL;
		size_t nd = 0;
		enum author_status st2 = author_domains(a, v, v[1] ? 2 : 1, &doms, &nd, &why);

		if ((st2 == AUTHOR_OK) != (doms != NULL && nd >= 1 && nd <= AUTHOR_MAX_DOMAINS) ||
		    st2 == AUTHOR_MULTIPLE_FIELDS || st2 == AUTHOR_MULTIPLE_DOMAINS)
			abort();
		if (v[1] == NULL && st == AUTHOR_OK && (st2 != AUTHOR_OK || nd != 1 || strcmp(doms[0], dom) != 0))
			abort();
		if (v[1] == NULL && st == AUTHOR_MULTIPLE_DOMAINS && (st2 != AUTHOR_OK || nd < 2))
			abort();
		if (v[1] == NULL && st != AUTHOR_OK && st != AUTHOR_MULTIPLE_DOMAINS && st2 != st)
			abort();
	}
	if (dom != NULL) {
		if (*dom == '\0' || *dom == '.' || dom[strlen(dom) - 1] == '.' ||
		    strstr(dom, "..") != NULL || strlen(dom) > 253)
			abort();
		for (p = dom; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	}
	check_collect(a, v, v[1] ? 2 : 1, st, dom);
	check_normalize(a, data, size);
	arena_free(&a);
	return 0;
}
