/*
 * arc: RFC 8617 chain validation. Every ARC header is read when it
 * arrives (our tag-list parser for AMS and AS, the "i=N;" prefix for
 * AAR) and the key query for each AMS and AS that can still be part of a
 * valid chain goes out at once (arc.h says which); every header is kept
 * (bounded) for the AMS h= list (arc_headers.c); the body is hashed in
 * both canonicalizations while it streams, so the newest AMS and, for
 * header.oldest-pass, the older ones can all be checked. The signature
 * maths, bounded in cost, is arc_verify.c's.
 *
 * Anything malformed makes the chain fail, never pass: a header that
 * does not parse, a missing or repeated set member, an instance out of
 * 1..50, a key we cannot use.
 *
 * Threads: key answers are written by the resolver thread inside its
 * callback (set locked) into dkimkey's memory, read only by arc_eom and
 * released by arc_eom / arc_free, both with the set locked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "arc.h"
#include "arc_int.h"
#include "arena.h"
#include "base64.h"
#include "canon.h"
#include "dkimkey.h"
#include "log.h"
#include "resolver.h"
#include "taglist.h"

const char *const arc_hname[3] = {
	"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"
};

void
arc_opts_init(struct arc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_rsa_bits = ARC_DEFAULT_MIN_RSA_BITS;
}

struct arc *
arc_new(struct arena *a, struct dns_set *set, const struct arc_opts *o, const char *qid)
{
	struct arc *c = arena_alloc(a, sizeof(*c));

	c->a = a;
	/* At most the first AS and AMS of each instance ask (arc_header). */
	c->keys = o != NULL && o->keys != NULL ? dkimkeys_share(o->keys, 2 * ARC_MAX_INSTANCES) :
	    dkimkeys_new(a, set, 2 * ARC_MAX_INSTANCES);
	arc_opts_init(&c->o);
	if (o != NULL && o->min_rsa_bits != 0)
		c->o.min_rsa_bits = o->min_rsa_bits;
	if (o != NULL)
		c->o.seal = o->seal;
	c->qid = qid ? arena_strdup(a, qid) : NULL;
	c->hdr = arena_alloc(a, ARC_MAX_HEADERS * sizeof(*c->hdr));
	return c;
}

/* ---------------------------------------------------------------- */
/* Parsing                                                           */

/* i= is 1*DIGIT within 1..50 (RFC 8617 section 4.2.1); -1 otherwise. */
static int
arc_inst(const char *v, size_t n)
{
	int x = 0;
	size_t i;

	if (n == 0 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x >= 1 && x <= ARC_MAX_INSTANCES ? x : -1;
}

static int
arc_digits(const struct taglist_tag *t, size_t max)
{
	size_t i;

	if (t->value_len == 0 || t->value_len > max)
		return 0;
	for (i = 0; i < t->value_len; i++)
		if (t->value[i] < '0' || t->value[i] > '9')
			return 0;
	return 1;
}

/* AAR: "i=N;" then an RFC 8601 payload (RFC 8617 section 4.1.1). */
static const char *
arc_parse_aar(struct arena *a, struct arc_hdr *h, const char *v)
{
	const char *p = v, *q;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p != 'i')
		return "AAR does not start with i=";
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return "AAR does not start with i=";
	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; *q >= '0' && *q <= '9'; q++)
		;
	if ((h->inst = arc_inst(p, (size_t)(q - p))) < 0)
		return "AAR i= is not an instance 1..50";
	while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
		q++;
	if (*q != ';')
		return "AAR i= is not followed by ';'";
	q++;
	while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
		q++;
	h->aar = arena_strdup(a, q);
	return NULL;
}

/*
 * The AMS h= list, read once: within ARC_MAX_SIGNED_NAMES (the work of
 * choosing and canonicalizing signed headers is bounded before any key
 * is looked at), no ARC-Seal (RFC 8617 section 4.1.2: the AMS never
 * signs a seal), and whether From is signed (arc_trust.h).
 */
static const char *
arc_hlist_read(struct arc_hdr *h)
{
	const char *p = h->hlist, *w;
	size_t n, names = 0;

	while ((w = taglist_next_name(&p, &n)) != NULL) {
		if (++names > ARC_MAX_SIGNED_NAMES)
			return "ARC-Message-Signature h= names more than 512 header fields";
		_Static_assert(ARC_MAX_SIGNED_NAMES == 512, "the reason above names the limit");
		if (n == 8 && strncasecmp(w, "arc-seal", 8) == 0)
			return "ARC-Message-Signature h= names ARC-Seal";
		if (n == 4 && strncasecmp(w, "from", 4) == 0)
			h->signs_from = 1;
	}
	return NULL;
}

/* AMS and AS (RFC 8617 sections 4.1.2, 4.1.3). */
static const char *
arc_parse_sig(struct arena *a, struct arc_hdr *h, const char *v)
{
	static const char *const need_ams[] = { "i", "a", "b", "bh", "d", "h", "s", NULL };
	static const char *const need_as[] = { "i", "a", "b", "cv", "d", "s", NULL };
	const char *const *need = h->kind == K_AMS ? need_ams : need_as;
	struct taglist tl;
	const struct taglist_tag *t;
	const char *why;
	char *bv;
	size_t k;

	if (taglist_parse(&tl, v, strlen(v), &why) != 0)
		return arena_printf(a, "%s syntax error: %s", arc_hname[h->kind], why);
	if ((t = taglist_get(&tl, "i")) != NULL)
		h->inst = arc_inst(t->value, t->value_len);
	for (k = 0; need[k] != NULL; k++)
		if (taglist_get(&tl, need[k]) == NULL)
			return arena_printf(a, "%s has no %s= tag", arc_hname[h->kind], need[k]);
	if (h->inst < 0)
		return arena_printf(a, "%s i= is not an instance 1..50", arc_hname[h->kind]);
	t = taglist_get(&tl, "a");       /* ABNF literals: no case (RFC 5234 2.3) */
	if (t->value_len == 10 && strncasecmp(t->value, "rsa-sha256", 10) == 0)
		h->alg = ALG_RSA_SHA256;
	else if (t->value_len == 14 && strncasecmp(t->value, "ed25519-sha256", 14) == 0)
		h->alg = ALG_ED25519_SHA256;
	else
		return arena_printf(a, "%s a= is not a supported algorithm", arc_hname[h->kind]);
	t = taglist_get(&tl, "b");
	h->b_off = (size_t)(t->value - v);
	h->b_len = t->value_len;
	/* RFC 6376 3.7: the b= value goes with the FWS around it. */
	while (h->b_off > 0 && strchr(" \t\r\n", v[h->b_off - 1]) != NULL) {
		h->b_off--;
		h->b_len++;
	}
	while (v[h->b_off + h->b_len] != '\0' && strchr(" \t\r\n", v[h->b_off + h->b_len]) != NULL)
		h->b_len++;
	bv = taglist_value_nows(a, t);
	if ((h->b = base64_decode(a, bv, ARC_SIG_MAX, &h->blen)) == NULL || h->blen == 0)
		return arena_printf(a, "%s b= is not base64", arc_hname[h->kind]);
	h->d = taglist_value(a, taglist_get(&tl, "d"));
	h->s = taglist_value(a, taglist_get(&tl, "s"));
	if (!dkimkey_name_ok(h->d, 2))
		return arena_printf(a, "%s d= is not a domain name", arc_hname[h->kind]);
	if (!dkimkey_name_ok(h->s, 1))
		return arena_printf(a, "%s s= is not a selector", arc_hname[h->kind]);
	if ((t = taglist_get(&tl, "t")) != NULL && !arc_digits(t, 12))
		return arena_printf(a, "%s t= is not a timestamp", arc_hname[h->kind]);
	if (h->kind == K_AS) {
		t = taglist_get(&tl, "cv");
		if (taglist_value_is(t, "none") || taglist_value_is(t, "pass") ||
		    taglist_value_is(t, "fail"))
			h->cv = taglist_value(a, t);
		else
			return "ARC-Seal cv= is not none, pass or fail";
		if (taglist_get(&tl, "h") != NULL)
			return "ARC-Seal has an h= tag";
		return NULL;
	}
	h->ch = h->cb = CANON_SIMPLE;
	h->c_absent = taglist_get(&tl, "c") == NULL;
	if ((t = taglist_get(&tl, "c")) != NULL &&
	    canon_parse_c(t->value, t->value_len, &h->ch, &h->cb) != 0)
		return "ARC-Message-Signature c= is not a canonicalization";
	h->hlist = taglist_value(a, taglist_get(&tl, "h"));
	if ((why = arc_hlist_read(h)) != NULL)
		return why;
	bv = taglist_value_nows(a, taglist_get(&tl, "bh"));
	{
		size_t n = 0;
		unsigned char *bh = base64_decode(a, bv, sizeof(h->bh), &n);

		if (bh == NULL || n != 32)
			return "ARC-Message-Signature bh= is not a SHA-256 digest in base64";
		memcpy(h->bh, bh, n);
		h->bhlen = n;
	}
	return NULL;
}

static const char *
arc_parse_into(struct arena *a, struct arc_hdr *h, const char *value)
{
	h->inst = -1;
	if (h->kind == K_AAR)
		return arc_parse_aar(a, h, value);
	return arc_parse_sig(a, h, value);
}

int
arc_parse_header(struct arena *a, int kind, const char *value, const char **why)
{
	struct arc_hdr h;

	memset(&h, 0, sizeof(h));
	if (kind < K_AAR || kind > K_AS) {
		*why = "unknown ARC header kind";
		return -1;
	}
	h.kind = (enum arc_kind)kind;
	if ((*why = arc_parse_into(a, &h, value)) != NULL)
		return -1;
	return h.inst;
}

/* ---------------------------------------------------------------- */
/* Collecting                                                        */

/* From here on no key query goes out: the chain cannot pass. */
static void
arc_nofetch(struct arc *c, const char *why)
{
	if (c->nofetch == NULL) {
		c->nofetch = why;
		log_debug(c->qid, "arc: no more key lookups (%s)", why);
	}
}

/*
 * What one readable header tells about the chain before end of headers:
 * a second AAR, AMS or AS of one instance, or a seal whose cv= breaks the
 * rule of RFC 8617 section 5.2 step 2 (i=1 none, later ones pass), fails
 * it whatever else arrives (arc_decide agrees: it fails on the same).
 */
static void
arc_note(struct arc *c, struct arc_hdr *h)
{
	struct arc_hdr **first = &c->first[h->inst][h->kind];

	if (*first != NULL) {
		arc_nofetch(c, "a repeated ARC set member");
		return;
	}
	*first = h;
	if (h->kind == K_AS && strcmp(h->cv, h->inst == 1 ? "none" : "pass") != 0)
		arc_nofetch(c, "an ARC-Seal cv= out of rule");
}

void
arc_header(struct arc *c, const char *name, const char *value)
{
	struct arc_hdr *h;
	int kind;

	if (c->eoh_done || c->finished || name == NULL)
		return;
	if (value == NULL)
		value = "";
	if (c->nh == ARC_MAX_HEADERS) {
		c->hoverflow = 1;
		arc_nofetch(c, "too many header fields");
		return;
	}
	c->hdr[c->nh].name = arena_strdup(c->a, name);
	c->hdr[c->nh].value = arena_strdup(c->a, value);
	c->nh++;
	for (kind = K_AAR; kind <= K_AS; kind++)
		if (strcasecmp(name, arc_hname[kind]) == 0)
			break;
	if (kind > K_AS)
		return;
	if (c->nah == ARC_MAX_ARC_HEADERS) {
		c->aoverflow = 1;
		arc_nofetch(c, "too many ARC header fields");
		return;
	}
	h = arena_alloc(c->a, sizeof(*h));
	h->kind = (enum arc_kind)kind;
	h->hidx = c->nh - 1;
	h->bad = arc_parse_into(c->a, h, c->hdr[h->hidx].value);
	c->ah[c->nah++] = h;
	if (h->bad != NULL) {
		arc_nofetch(c, "a malformed ARC header");
		return;
	}
	arc_note(c, h);
	if (c->nofetch == NULL && h->kind != K_AAR)
		h->key = dkimkeys_start(c->keys, h->s, h->d);
}

void
arc_eoh(struct arc *c)
{
	if (c->eoh_done)
		return;
	c->eoh_done = 1;
	if ((c->nah == 0 && !c->o.seal) || c->finished)
		return;
	c->body[CANON_SIMPLE] = canon_body_new(CANON_SIMPLE, CANON_SHA256, -1);
	c->body[CANON_RELAXED] = canon_body_new(CANON_RELAXED, CANON_SHA256, -1);
}

void
arc_body(struct arc *c, const unsigned char *p, size_t n)
{
	if (!c->eoh_done)
		arc_eoh(c);
	canon_body_update(c->body[CANON_SIMPLE], p, n);
	canon_body_update(c->body[CANON_RELAXED], p, n);
}

/* ---------------------------------------------------------------- */
/* Verifying                                                         */

void
arc_buf_add(struct arc *c, struct arc_buf *b, const char *s, size_t n)
{
	if (b->md != NULL) {
		/* A failed update leaves a digest that verifies nothing. */
		(void)EVP_DigestUpdate(b->md, s, n);
		b->n += n;
		return;
	}
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *np = arena_alloc(c->a, cap);

		if (b->n)
			memcpy(np, b->p, b->n);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
arc_add_header(struct arc *c, struct arc_buf *b, enum canon_alg ca, const char *name,
    const char *value, int last)
{
	size_t n;
	char *s = canon_header(c->a, ca, name, value, last, &n);

	arc_buf_add(c, b, s, n);
}

static void
arc_release(struct arc *c)
{
	c->finished = 1;
	canon_body_free(&c->body[CANON_SIMPLE]);
	canon_body_free(&c->body[CANON_RELAXED]);
	/* Once: a shared table is the DKIM verifier's too. */
	dkimkeys_release(c->keys);
	c->keys = NULL;
}

static void
arc_fail(struct arc *c, struct arc_results *out, const char *why, int temp)
{
	out->result = "fail";
	out->why = why;
	out->temperror = temp;
	out->oldest_pass = -1;
	log_debug(c->qid, "arc: fail (%s)", why);
}

static void
arc_decide(struct arc *c, struct arc_results *out)
{
	struct arc_hdr *(*set)[3];
	unsigned char *from_signed, (*dig)[32];
	const char *why;
	int n = 0, i, k, temp = 0;
	size_t j, hashed = 0;

	if (c->nah == 0) {
		out->result = "none";
		out->why = "no ARC sets";
		return;
	}
	if (c->aoverflow) {
		arc_fail(c, out, "too many ARC header fields", 0);
		return;
	}
	for (j = 0; j < c->nah; j++) {
		if (c->ah[j]->bad != NULL) {
			arc_fail(c, out, c->ah[j]->bad, 0);
			return;
		}
		if (c->ah[j]->inst > n)
			n = c->ah[j]->inst;
	}
	set = arena_alloc(c->a, (size_t)(n + 1) * sizeof(*set));
	for (j = 0; j < c->nah; j++) {
		struct arc_hdr *h = c->ah[j];

		if (set[h->inst][h->kind] != NULL) {
			arc_fail(c, out, arena_printf(c->a, "more than one %s for i=%d",
			    arc_hname[h->kind], h->inst), 0);
			return;
		}
		set[h->inst][h->kind] = h;
	}
	for (i = 1; i <= n; i++)
		for (k = K_AAR; k <= K_AS; k++)
			if (set[i][k] == NULL) {
				arc_fail(c, out, arena_printf(c->a, "no %s for i=%d",
				    arc_hname[k], i), 0);
				return;
			}
	out->n = (unsigned)n;
	out->sealer = arena_alloc(c->a, (size_t)n * sizeof(*out->sealer));
	out->aar = arena_alloc(c->a, (size_t)n * sizeof(*out->aar));
	from_signed = arena_alloc(c->a, (size_t)n);
	for (i = 1; i <= n; i++) {
		out->sealer[i - 1] = set[i][K_AS]->d;
		out->aar[i - 1] = set[i][K_AAR]->aar;
		from_signed[i - 1] = (unsigned char)set[i][K_AMS]->signs_from;
	}
	out->from_signed = from_signed;
	/* RFC 8617 section 5.2 step 2: cv= of each seal. */
	if (strcmp(set[n][K_AS]->cv, "fail") == 0) {
		arc_fail(c, out, arena_printf(c->a, "ARC-Seal i=%d says cv=fail", n), 0);
		return;
	}
	for (i = 1; i <= n; i++)
		if (strcmp(set[i][K_AS]->cv, i == 1 ? "none" : "pass") != 0) {
			arc_fail(c, out, arena_printf(c->a, "ARC-Seal i=%d has cv=%s", i,
			    set[i][K_AS]->cv), 0);
			return;
		}
	/* Step 3: the newest AMS. */
	if ((why = arc_check_ams(c, set[n][K_AMS], &temp, &hashed)) != NULL) {
		arc_fail(c, out, arena_printf(c->a, "ARC-Message-Signature i=%d: %s", n, why), temp);
		return;
	}
	/*
	 * Step 4: oldest-pass, an optional report; an instance not checked
	 * within ARC_OLDEST_PASS_BYTES counts as not verified, so the report
	 * can only claim less than the chain holds.
	 */
	out->oldest_pass = 0;
	for (hashed = 0, i = n - 1; i >= 1; i--)
		if (hashed > ARC_OLDEST_PASS_BYTES ||
		    arc_check_ams(c, set[i][K_AMS], &temp, &hashed) != NULL) {
			out->oldest_pass = i + 1;
			break;
		}
	/* Step 5: every seal, newest first. */
	dig = arena_alloc(c->a, (size_t)(n + 1) * sizeof(*dig));
	if (arc_seal_digests(c, set, n, dig) != 0) {
		arc_fail(c, out, "hashing the ARC sets failed", 0);
		return;
	}
	for (i = n; i >= 1; i--)
		if ((why = arc_check_as(c, set[i][K_AS], dig[i], &temp)) != NULL) {
			arc_fail(c, out, arena_printf(c->a, "ARC-Seal i=%d: %s", i, why), temp);
			return;
		}
	out->result = "pass";
	out->why = arena_printf(c->a, "chain of %d verified", n);
}

void
arc_eom(struct arc *c, struct arc_results *out)
{
	size_t j;

	memset(out, 0, sizeof(*out));
	out->result = "none";
	out->oldest_pass = -1;
	if (c->finished)
		return;
	if (!c->eoh_done)
		arc_eoh(c);
	if (c->body[CANON_SIMPLE] != NULL)
		c->bhlen[CANON_SIMPLE] = canon_body_final(c->body[CANON_SIMPLE], c->bh[CANON_SIMPLE]);
	if (c->body[CANON_RELAXED] != NULL)
		c->bhlen[CANON_RELAXED] = canon_body_final(c->body[CANON_RELAXED],
		    c->bh[CANON_RELAXED]);
	for (j = 0; j < c->nah; j++)
		if (c->ah[j]->inst > 0 && (unsigned)c->ah[j]->inst > out->max_inst)
			out->max_inst = (unsigned)c->ah[j]->inst;
	for (j = 0; j < c->nah; j++)
		if (c->ah[j]->kind == K_AS && (unsigned)c->ah[j]->inst == out->max_inst &&
		    c->ah[j]->cv != NULL && strcmp(c->ah[j]->cv, "fail") == 0)
			out->newest_cv_fail = 1;
	arc_decide(c, out);
	log_debug(c->qid, "arc: %s (%s)", out->result, out->why ? out->why : "");
	arc_release(c);
}

void
arc_free(struct arc **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	arc_release(*cp);
	*cp = NULL;
}
