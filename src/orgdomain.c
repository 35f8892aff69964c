/*
 * Organizational domains. RFC 7489 §3.2 takes them from the public suffix
 * list: libpsl reading the list Debian's publicsuffix package keeps
 * current, loaded once for the process and read-only afterwards, so every
 * thread may use it. RFC 9989 §4.10 replaces the list by a walk up the
 * DNS tree; the names that walk queries are computed here, the walk
 * itself is in dmarc.c.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "dmarc.h"

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl_ctx;

static void
psl_load(void)
{
	psl_ctx_t *p = psl_latest(NULL);

	/* The data built into libpsl is older, but better than no list. */
	psl_ctx = p != NULL ? p : psl_builtin();
}

const char *
dmarc_psl_registrable(struct arena *a, const char *domain)
{
	char *low, *q;
	const char *r;

	if (domain == NULL || *domain == '\0' || *domain == '.')
		return NULL;
	pthread_once(&psl_once, psl_load);
	if (psl_ctx == NULL)
		return NULL;
	low = arena_strdup(a, domain);
	for (q = low; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	r = psl_registrable_domain(psl_ctx, low);
	return r;
}

const char *
dmarc_psl_orgdomain(struct arena *a, const char *domain)
{
	const char *r = dmarc_psl_registrable(a, domain);

	if (r != NULL || domain == NULL)
		return r;
	return arena_strdup(a, domain);
}

size_t
dmarc_walk_names(const char *domain, const char *names[DMARC_WALK_MAX])
{
	const char *starts[8];          /* starts[i]: the name of the last i+1 labels */
	size_t nlab = 0, n = 0, keep, len;
	const char *p;

	if (domain == NULL || *domain == '\0')
		return 0;
	/* From the end: a name of any length yields its last labels right. */
	len = strlen(domain);
	if (domain[len - 1] == '.')
		len--;
	for (p = domain + len; p > domain && nlab < 8; p--)
		if (p[-1] == '.' && p < domain + len)
			starts[nlab++] = p;
	if (nlab < 8 && p == domain)
		starts[nlab++] = domain;
	names[n++] = domain;
	/* §4.10 step 5: from 8 labels or more, jump to the last 7 */
	keep = nlab >= 8 ? 7 : nlab - 1;
	for (; keep >= 1 && n < DMARC_WALK_MAX; keep--)
		names[n++] = starts[keep - 1];
	return n;
}

bool
dmarc_domain_within(const char *d, const char *o)
{
	size_t dn, on;

	if (d == NULL || o == NULL)
		return false;
	dn = strlen(d);
	on = strlen(o);
	if (dn == on)
		return strcasecmp(d, o) == 0;
	return dn > on && d[dn - on - 1] == '.' && strcasecmp(d + dn - on, o) == 0;
}
