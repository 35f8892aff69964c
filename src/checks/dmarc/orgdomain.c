/*
 * Organizational domains. RFC 7489 §3.2 takes them from the public suffix
 * list: libpsl reading the list Debian's publicsuffix package keeps
 * current (psl_latest()), loaded at first use and again on every reload
 * (dmarc_psl_reload(), which the daemon calls on SIGHUP). RFC 9989 §4.10
 * replaces the list by a walk up the DNS tree; the names that walk
 * queries are computed here, the walk itself is in dmarc.c.
 *
 * The list in use is a refcounted box, like a config snapshot: a lookup
 * takes a reference under a mutex held for a few instructions, looks up
 * without any lock, and drops it; a reload loads the new list first,
 * without any lock, swaps the pointer and drops the old box's reference.
 * The last of these frees the old list, so a lookup in progress always
 * finishes on a whole list, and a failed load leaves the list in use
 * untouched.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "dmarc.h"

struct psl_box {
	const psl_ctx_t *ctx;
	atomic_uint refs;
};

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t psl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct psl_box *psl_cur;         /* under psl_lock */

static void
psl_box_release(struct psl_box *b)
{
	if (b == NULL || atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* psl_builtin() is static data of libpsl's: never freed. */
	if (b->ctx != psl_builtin())
		psl_free((psl_ctx_t *)b->ctx);
	free(b);
}

static struct psl_box *
psl_box_acquire(void)
{
	struct psl_box *b;

	pthread_mutex_lock(&psl_lock);
	b = psl_cur;
	if (b != NULL)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&psl_lock);
	return b;
}

/* Makes ctx the list in use (NULL: none). */
static void
psl_install(const psl_ctx_t *ctx, bool only_if_none)
{
	struct psl_box *b = NULL, *old;

	if (ctx != NULL) {
		if ((b = malloc(sizeof(*b))) == NULL) {
			fputs("compauthd: out of memory\n", stderr);
			abort();
		}
		b->ctx = ctx;
		atomic_init(&b->refs, 1);
	}
	pthread_mutex_lock(&psl_lock);
	old = psl_cur;
	if (only_if_none && old != NULL) {
		/* A reload that came first already installed a list. */
		old = b;
	} else
		psl_cur = b;
	pthread_mutex_unlock(&psl_lock);
	psl_box_release(old);
}

/* The list psl_latest() picks, else the data built into libpsl. */
static const psl_ctx_t *
psl_default(void)
{
	psl_ctx_t *p = psl_latest(NULL);

	/* The data built into libpsl is older, but better than no list. */
	return p != NULL ? p : psl_builtin();
}

static void
psl_load(void)
{
	psl_install(psl_default(), true);
}

int
dmarc_psl_reload(const char *path, char *err, size_t errlen)
{
	const psl_ctx_t *p;
	FILE *f;

	pthread_once(&psl_once, psl_load);
	if (path == NULL || *path == '\0') {
		if ((p = psl_default()) == NULL) {
			snprintf(err, errlen, "public suffix list: none available");
			return -1;
		}
	} else {
		/* libpsl says only "NULL"; tell a missing file from a bad one. */
		if ((f = fopen(path, "r")) == NULL) {
			snprintf(err, errlen, "public suffix list %s: %s", path, strerror(errno));
			return -1;
		}
		fclose(f);
		if ((p = psl_load_file(path)) == NULL) {
			snprintf(err, errlen, "public suffix list %s: not a public suffix "
			    "list (text or DAFSA)", path);
			return -1;
		}
	}
	psl_install(p, false);
	return 0;
}

const char *
dmarc_psl_registrable(struct arena *a, const char *domain)
{
	struct psl_box *b;
	char *low, *q;
	const char *r = NULL;

	if (domain == NULL || *domain == '\0' || *domain == '.')
		return NULL;
	pthread_once(&psl_once, psl_load);
	low = arena_strdup(a, domain);
	for (q = low; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	/* The result points into low, which outlives the reference. */
	if ((b = psl_box_acquire()) != NULL) {
		r = psl_registrable_domain(b->ctx, low);
		psl_box_release(b);
	}
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
