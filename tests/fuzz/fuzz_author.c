/*
 * libFuzzer target for the From parser: any bytes, as one field or split
 * at the first NUL into two, give a status and a reason; a domain is
 * returned exactly on AUTHOR_OK and is lower case, non-empty, without
 * empty labels or a final dot; author_domains() agrees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

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
	arena_free(&a);
	return 0;
}
