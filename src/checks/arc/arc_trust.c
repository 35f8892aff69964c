/*
 * arc_trust: reading a trusted sealer's ARC-Authentication-Results. Only
 * the newest set counts: an older set is authentic too, but whatever a
 * later, untrusted hop changed would ride on its word. And only a set
 * that binds the author: its AMS signs From (so the From we read is the
 * one the sealer saw), and a result that names the author's domain (a
 * bare dmarc=pass says nothing about which author passed).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "arc.h"
#include "arc_trust.h"
#include "arena.h"
#include "authres.h"
#include "dmarc.h"

static const char *
arc_trust_prop(const struct ar_result *res, const char *ptype, const char *name)
{
	size_t i;

	for (i = 0; i < res->nprops; i++)
		if (res->props[i].ptype != NULL && strcasecmp(res->props[i].ptype, ptype) == 0 &&
		    strcasecmp(res->props[i].name, name) == 0)
			return res->props[i].value;
	return NULL;
}

/* The domain of "user@domain", "@domain" or "domain", lower case. */
static const char *
arc_trust_domain(struct arena *a, const char *v)
{
	const char *at;
	char *d, *p;

	if (v == NULL)
		return NULL;
	if ((at = strrchr(v, '@')) != NULL)
		v = at + 1;
	if (*v == '\0')
		return NULL;
	d = arena_strdup(a, v);
	for (p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static bool
arc_trust_aligned(struct arena *a, const char *d, const char *author)
{
	const char *o1, *o2;

	if (d == NULL)
		return false;
	if (strcmp(d, author) == 0)
		return true;
	o1 = dmarc_psl_orgdomain(a, d);
	o2 = dmarc_psl_orgdomain(a, author);
	return o1 != NULL && o2 != NULL && strcmp(o1, o2) == 0;
}

/* The result of one method in an AAR that vouches for author, or NULL. */
static const char *
arc_trust_method(struct arena *a, const struct ar_parsed *p, const char *method,
    const char *author)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct ar_result *res = &p->res[i];
		const char *d;

		if (res->method == NULL || res->result == NULL ||
		    strcasecmp(res->method, method) != 0 || strcasecmp(res->result, "pass") != 0)
			continue;
		if (strcmp(method, "dmarc") == 0) {
			d = arc_trust_domain(a, arc_trust_prop(res, "header", "from"));
			if (d != NULL && strcmp(d, author) == 0)
				return "dmarc=pass";
		} else if (strcmp(method, "dkim") == 0) {
			d = arc_trust_domain(a, arc_trust_prop(res, "header", "d"));
			if (d == NULL)
				d = arc_trust_domain(a, arc_trust_prop(res, "header", "i"));
			if (arc_trust_aligned(a, d, author))
				return arena_printf(a, "dkim=pass header.d=%s", d);
		} else {
			d = arc_trust_domain(a, arc_trust_prop(res, "smtp", "mailfrom"));
			if (d == NULL)
				d = arc_trust_domain(a, arc_trust_prop(res, "smtp", "mfrom"));
			if (arc_trust_aligned(a, d, author))
				return arena_printf(a, "spf=pass smtp.mailfrom=%s", d);
		}
	}
	return NULL;
}

/* What in one AAR vouches for author (DMARC's own word first), or NULL. */
static const char *
arc_trust_reads(struct arena *a, const struct ar_parsed *p, const char *author)
{
	static const char *const methods[] = { "dmarc", "dkim", "spf" };
	const char *what;
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if ((what = arc_trust_method(a, p, methods[i], author)) != NULL)
			return what;
	return NULL;
}

bool
arc_trust_vouches(struct arena *a, const struct arc_results *r, const char *const *trusted,
    size_t n, const char *author_domain, struct arc_vouch *out, const char **why)
{
	const char *sealer, *aar, *what, *dummy;
	struct ar_parsed p;
	size_t i;

	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (n == 0 || author_domain == NULL) {
		*why = "no trusted sealers";
		return false;
	}
	if (r->result == NULL || strcmp(r->result, "pass") != 0 || r->n == 0) {
		*why = "the ARC chain did not pass";
		return false;
	}
	sealer = r->sealer[r->n - 1];
	aar = r->aar[r->n - 1];
	for (i = 0; i < n; i++)
		if (strcasecmp(trusted[i], sealer) == 0)
			break;
	if (i == n) {
		*why = arena_printf(a, "sealer %s is not trusted", sealer);
		return false;
	}
	if (r->from_signed == NULL || !r->from_signed[r->n - 1]) {
		*why = arena_printf(a, "sealer %s did not sign From", sealer);
		return false;
	}
	memset(&p, 0, sizeof(p));
	/* A result read before a syntax error still counts: the sealer signed it. */
	(void)authres_parse(a, aar, strlen(aar), &p);
	if ((what = arc_trust_reads(a, &p, author_domain)) == NULL) {
		*why = arena_printf(a, "sealer %s recorded no aligned pass for %s", sealer,
		    author_domain);
		return false;
	}
	out->sealer = sealer;
	out->instance = r->n;
	out->what = what;
	return true;
}
