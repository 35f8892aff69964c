/*
 * arc_seal: the ARC set we add (RFC 8617 section 5.1) once our own
 * verdict is known: ARC-Authentication-Results carrying our results,
 * ARC-Message-Signature over the message as we received it, ARC-Seal
 * over the chain. Tags are written in name order and the b= values kept
 * on lines of their own, so what a verifier canonicalizes after taking
 * b= out is, octet for octet, what we signed.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "arc.h"
#include "arc_int.h"
#include "arena.h"
#include "base64.h"
#include "canon.h"
#include "log.h"

/* Signs data as a= says for the key type; base64 of the signature, or NULL. */
static char *
arc_seal_sign(struct arc *c, EVP_PKEY *key, const struct arc_buf *data)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dig[EVP_MAX_MD_SIZE], *sig = NULL;
	unsigned int diglen = 0;
	size_t len = 0;
	char *out = NULL;
	int ok = 0;

	if (md == NULL)
		return NULL;
	if (EVP_PKEY_base_id(key) == EVP_PKEY_ED25519) {
		/* RFC 8463 section 3: Ed25519 signs the SHA-256 of the data. */
		ok = EVP_Digest(data->p, data->n, dig, &diglen, EVP_sha256(), NULL) == 1 &&
		    EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
		    EVP_DigestSign(md, NULL, &len, dig, diglen) == 1 &&
		    (sig = arena_alloc(c->a, len)) != NULL &&
		    EVP_DigestSign(md, sig, &len, dig, diglen) == 1;
	} else {
		ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		    EVP_DigestSign(md, NULL, &len, (const unsigned char *)data->p, data->n) == 1 &&
		    (sig = arena_alloc(c->a, len)) != NULL &&
		    EVP_DigestSign(md, sig, &len, (const unsigned char *)data->p, data->n) == 1;
	}
	EVP_MD_CTX_free(md);
	if (ok)
		out = base64_encode(c->a, sig, len);
	return out;
}

/*
 * The configured names present in the message, each as often as it
 * occurs, folded after a colon once a line grows long (FWS is allowed
 * around h= colons, RFC 6376 section 3.5); at most ARC_MAX_SIGNED_NAMES
 * of them, the most any validator of ours reads.
 */
static const char *
arc_seal_hlist(struct arc *c, const char *const *names, size_t n)
{
	struct arc_buf b = { NULL, 0, 0, NULL };
	size_t i, k, line = 0, count = 0;

	for (i = 0; i < n; i++) {
		/* Never ours to sign (RFC 8617 section 4.1.2, RFC 8601 section 5). */
		if (strcasecmp(names[i], "arc-seal") == 0 ||
		    strcasecmp(names[i], "authentication-results") == 0)
			continue;
		for (k = 0; k < c->nh && count < ARC_MAX_SIGNED_NAMES; k++)
			if (strcasecmp(c->hdr[k].name, names[i]) == 0) {
				count++;
				if (b.n > 0) {
					arc_buf_add(c, &b, ":", 1);
					if (line > 60) {
						arc_buf_add(c, &b, "\n\t", 2);
						line = 0;
					}
				}
				arc_buf_add(c, &b, names[i], strlen(names[i]));
				line += strlen(names[i]) + 1;
			}
	}
	return b.n > 0 ? b.p : NULL;
}

/* Places b64 where the template's empty "b=" is (b_at: just after it). */
static const char *
arc_seal_fill(struct arc *c, const char *tmpl, size_t b_at, const char *b64)
{
	return arena_printf(c->a, "%.*s%s%s", (int)b_at, tmpl, b64, tmpl + b_at);
}

static const char *
arc_seal_alg(EVP_PKEY *key)
{
	return EVP_PKEY_base_id(key) == EVP_PKEY_ED25519 ? "ed25519-sha256" : "rsa-sha256";
}

int
arc_seal(struct arc *c, const struct arc_results *r, const struct arc_signer *s,
    const char *ar, long long t, struct arc_sealed *out, const char **why)
{
	struct arc_buf b = { NULL, 0, 0, NULL };
	const char *cv, *hl, *ams, *as, *sig;
	char *bh;
	unsigned inst = r->max_inst + 1, i;
	size_t j, at;
	int k;

	memset(out, 0, sizeof(*out));
	if (r->newest_cv_fail) {
		*why = "the chain already ends in cv=fail";
		return -1;
	}
	if (inst > ARC_MAX_INSTANCES) {
		*why = "the chain has no instance left";
		return -1;
	}
	if (r->temperror) {
		*why = "the chain could not be checked for DNS trouble";
		return -1;
	}
	if (c->hoverflow || c->bhlen[CANON_RELAXED] != 32) {
		*why = "the message was not read whole";
		return -1;
	}
	if ((hl = arc_seal_hlist(c, s->headers, s->nheaders)) == NULL) {
		*why = "none of the headers to sign is present";
		return -1;
	}
	cv = r->max_inst == 0 && c->nah == 0 ? "none" :
	    strcmp(r->result, "pass") == 0 ? "pass" : "fail";
	while (*ar == ' ' || *ar == '\t' || *ar == '\r' || *ar == '\n')
		ar++;
	out->aar = arena_printf(c->a, " i=%u; %s", inst, ar);

	/*
	 * ARC-Message-Signature: relaxed/relaxed, like every ARC signer; " i=N;"
	 * after a space, where python3-dkim's verifier looks for it.
	 */
	bh = base64_encode(c->a, c->bh[CANON_RELAXED], 32);
	ams = arena_printf(c->a, " a=%s;\n\tb=;\n\tbh=%s; c=relaxed/relaxed; d=%s;\n\th=%s; "
	    "i=%u; s=%s; t=%lld", arc_seal_alg(s->key), bh, s->domain, hl, inst, s->selector, t);
	arc_signed_headers(c, &b, hl, CANON_RELAXED, (size_t)-1);
	arc_add_header(c, &b, CANON_RELAXED, arc_hname[K_AMS], ams, 1);
	if ((sig = arc_seal_sign(c, s->key, &b)) == NULL) {
		*why = "signing the ARC-Message-Signature failed";
		return -1;
	}
	at = (size_t)(strstr(ams, "\tb=") - ams) + 3;
	out->ams = arc_seal_fill(c, ams, at, sig);

	/* ARC-Seal: the sets before ours (none after a failed chain), then ours. */
	memset(&b, 0, sizeof(b));
	for (i = 1; strcmp(cv, "pass") == 0 && i < inst; i++)
		for (k = K_AAR; k <= K_AS; k++)
			for (j = 0; j < c->nah; j++)
				if ((unsigned)c->ah[j]->inst == i && (int)c->ah[j]->kind == k)
					arc_add_header(c, &b, CANON_RELAXED, c->hdr[c->ah[j]->hidx].name,
					    c->hdr[c->ah[j]->hidx].value, 0);
	arc_add_header(c, &b, CANON_RELAXED, arc_hname[K_AAR], out->aar, 0);
	arc_add_header(c, &b, CANON_RELAXED, arc_hname[K_AMS], out->ams, 0);
	as = arena_printf(c->a, " a=%s;\n\tb=;\n\tcv=%s; d=%s; i=%u; s=%s; t=%lld",
	    arc_seal_alg(s->key), cv, s->domain, inst, s->selector, t);
	arc_add_header(c, &b, CANON_RELAXED, arc_hname[K_AS], as, 1);
	if ((sig = arc_seal_sign(c, s->key, &b)) == NULL) {
		*why = "signing the ARC-Seal failed";
		return -1;
	}
	at = (size_t)(strstr(as, "\tb=") - as) + 3;
	out->as = arc_seal_fill(c, as, at, sig);
	log_debug(c->qid, "arc: sealed i=%u cv=%s d=%s s=%s", inst, cv, s->domain, s->selector);
	return 0;
}
