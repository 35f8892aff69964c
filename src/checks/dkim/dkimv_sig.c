/*
 * dkimv_sig: a DKIM-Signature read when its header arrives (RFC 6376
 * sections 3.5, 6.1.1; RFC 8301 section 3.1), with our tag-list parser.
 * What the signature alone decides (missing or bad tags, From not
 * signed, an h= over DKIMV_MAX_SIGNED_NAMES, rsa-sha1, a key the message
 * has no budget left for) costs no DNS and no hashing; otherwise its key
 * query goes out at once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "dkimkey.h"
#include "dkimv.h"
#include "dkimv_int.h"
#include "resolver.h"
#include "taglist.h"

static enum dkimv_alg
dkimv_alg_of(const char *a)
{
	if (strcasecmp(a, "rsa-sha256") == 0)
		return ALG_RSA_SHA256;
	if (strcasecmp(a, "ed25519-sha256") == 0)
		return ALG_ED25519_SHA256;
	if (strcasecmp(a, "rsa-sha1") == 0)
		return ALG_RSA_SHA1;
	return ALG_UNKNOWN;
}

/* t= and x= are 1*12DIGIT (section 3.5); -1 when not. */
static long long
dkimv_time_tag(const struct taglist_tag *t)
{
	long long v = 0;
	size_t i;

	if (t->value_len == 0 || t->value_len > 12)
		return -1;
	for (i = 0; i < t->value_len; i++) {
		if (t->value[i] < '0' || t->value[i] > '9')
			return -1;
		v = v * 10 + (t->value[i] - '0');
	}
	return v;
}

/* q= lists query methods; "dns/txt" is the only one (section 3.5). */
static int
dkimv_q_ok(const char *q)
{
	const char *p = q;
	size_t n;

	while (*p) {
		n = strcspn(p, ":");
		if (n == 7 && strncasecmp(p, "dns/txt", 7) == 0)
			return 1;
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

/*
 * The h= list of a signature: it must name From (RFC 6376 section 5.4)
 * and at most DKIMV_MAX_SIGNED_NAMES fields, counted before libopendkim,
 * whose header selection compares every name with every header, sees
 * the signature. NULL when it is acceptable.
 */
static const char *
dkimv_hlist_why(const char *h)
{
	const char *p = h, *w;
	size_t n, names = 0;
	int from = 0;

	while ((w = taglist_next_name(&p, &n)) != NULL) {
		if (++names > DKIMV_MAX_SIGNED_NAMES)
			return "signature h= names more than 512 header fields";
		if (n == 4 && strncasecmp(w, "from", 4) == 0)
			from = 1;
	}
	_Static_assert(DKIMV_MAX_SIGNED_NAMES == 512, "the reason above names the limit");
	return from ? NULL : "From field not signed";
}

/* What can be judged from the signature alone, before any DNS. */
void
dkimv_sig_parse(struct dkimv *d, struct dkimv_rec *r, const char *value)
{
	static const char *const required[] = { "v", "a", "b", "bh", "d", "h", "s" };
	struct taglist tl;
	const struct taglist_tag *t;
	const char *why, *dom = NULL, *sel = NULL;
	long long ts = -2, xs = -2;
	size_t i;

	if (taglist_parse(&tl, value, strlen(value), &why) != 0) {
		dkimv_decide_now(r, "permerror", arena_printf(d->a, "signature syntax error: %s", why));
		return;
	}
	if ((t = taglist_get(&tl, "d")) != NULL)
		r->out.d = dom = taglist_value(d->a, t);
	if ((t = taglist_get(&tl, "s")) != NULL)
		r->out.s = sel = taglist_value(d->a, t);
	if ((t = taglist_get(&tl, "a")) != NULL) {
		r->out.a = taglist_value(d->a, t);
		r->alg = dkimv_alg_of(r->out.a);
	}
	if ((t = taglist_get(&tl, "i")) != NULL)
		r->out.i = taglist_value(d->a, t);
	if ((t = taglist_get(&tl, "b")) != NULL) {
		r->bnows = taglist_value_nows(d->a, t);
		r->out.b8 = arena_strndup(d->a, r->bnows, 8);
	}
	r->out.l_used = taglist_get(&tl, "l") != NULL;

	if ((t = taglist_get(&tl, "t")) != NULL)
		ts = dkimv_time_tag(t);
	if ((t = taglist_get(&tl, "x")) != NULL)
		xs = dkimv_time_tag(t);

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (taglist_get(&tl, required[i]) == NULL) {
			dkimv_decide_now(r, "permerror",
			    arena_printf(d->a, "signature has no %s= tag", required[i]));
			return;
		}
	if (!taglist_value_is(taglist_get(&tl, "v"), "1"))
		dkimv_decide_now(r, "permerror", "unsupported signature version");
	else if (!dkimkey_name_ok(dom, 2))
		dkimv_decide_now(r, "permerror", "invalid d= domain");
	else if (!dkimkey_name_ok(sel, 1))
		dkimv_decide_now(r, "permerror", "invalid s= selector");
	else if (ts == -1 || xs == -1)
		dkimv_decide_now(r, "permerror", ts == -1 ? "bad t= value" : "bad x= value");
	else if (ts >= 0 && xs >= 0 && xs <= ts)
		dkimv_decide_now(r, "permerror", "x= is not after t=");
	else if (r->alg == ALG_UNKNOWN)
		dkimv_decide_now(r, "permerror", "unsupported signature algorithm");
	else if ((why = dkimv_hlist_why(taglist_value(d->a, taglist_get(&tl, "h")))) != NULL)
		dkimv_decide_now(r, "permerror", why);
	else if ((t = taglist_get(&tl, "q")) != NULL && !dkimv_q_ok(taglist_value_nows(d->a, t)))
		dkimv_decide_now(r, "permerror", "unsupported key query method");
	else if (r->alg == ALG_RSA_SHA1 && !d->o.allow_sha1)
		dkimv_decide_now(r, "fail", "rsa-sha1 is not accepted (RFC 8301)");
	else if ((r->key = dkimkeys_start(d->keys, sel, dom)) != NULL &&
	    r->key->state == DKIMKEY_REFUSED && r->key->status != DNS_TEMPFAIL)
		/*
		 * Refused for what the message itself asked (the budget its
		 * signatures and seals spent, a name that cannot exist):
		 * decided now, so libopendkim never hashes for it.
		 */
		dkimv_decide_now(r, "permerror", r->key->status == DNS_PERMFAIL ? r->key->why :
		    "no key for signature");
}
