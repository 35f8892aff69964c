/*
 * arc_verify: the signature maths of ARC validation (RFC 8617 sections
 * 5.1.1, 5.2), bounded in what a sender can make it cost. The data a
 * signature covers is hashed as it is produced, never held; each header
 * is canonicalized once per canonicalization (arc_headers.c); the seals
 * are checked from one running hash over the sets (AS(i) covers sets
 * 1..i, so hashing each seal's data afresh would cost the square of the
 * ARC headers' size); and the older AMSes read for header.oldest-pass, an
 * optional report, stop at ARC_OLDEST_PASS_BYTES of hashed data.
 * Signatures are OpenSSL's: rsa-sha256, and ed25519-sha256 as RFC 8463
 * defines it (Ed25519 over the SHA-256 of the data).
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "arc.h"
#include "arc_int.h"
#include "arena.h"
#include "canon.h"
#include "dkimkey.h"
#include "resolver.h"

/* The public key of h, or NULL with *why (RFC 6376 section 3.6.1). */
static EVP_PKEY *
arc_pkey(struct arc *c, const struct arc_hdr *h, const char **why, int *temp)
{
	struct dkimkey *k = h->key;

	*temp = 0;
	if (k == NULL) {
		/* Not asked: arc_header stops asking only once the chain fails. */
		*why = "key not looked up";
		return NULL;
	}
	if (k->state == DKIMKEY_PENDING || k->status == DNS_TEMPFAIL) {
		*temp = 1;
		*why = k->state == DKIMKEY_PENDING ? "key lookup did not finish in time" :
		    "key lookup failed temporarily";
		return NULL;
	}
	if (k->state == DKIMKEY_REFUSED) {
		*why = k->why;          /* the budget the message spent, a name that cannot be */
		return NULL;
	}
	if (k->status != DNS_OK) {
		*why = "no key";
		return NULL;
	}
	if (dkimkey_check(k) != 0) {
		*why = k->bad;
		return NULL;
	}
	if (!k->h_sha256) {
		*why = "key h= does not allow sha256";
		return NULL;
	}
	if (!k->s_email) {
		*why = "key s= is not for email";
		return NULL;
	}
	return dkimkey_pkey(k, h->alg == ALG_ED25519_SHA256, c->o.min_rsa_bits, c->a, why);
}

/* h's signature over the data whose SHA-256 is dig: NULL when it verifies. */
static const char *
arc_verify_dig(struct arc *c, const struct arc_hdr *h, const unsigned char dig[32], int *temp)
{
	const char *why = NULL;
	EVP_PKEY *pk = arc_pkey(c, h, &why, temp);
	EVP_PKEY_CTX *pc;
	EVP_MD_CTX *md;
	int r = 0;

	if (pk == NULL)
		return why;
	if (h->alg == ALG_RSA_SHA256) {
		/* PKCS #1 v1.5 over the digest: what EVP_DigestVerify does with the data. */
		if ((pc = EVP_PKEY_CTX_new(pk, NULL)) != NULL) {
			r = EVP_PKEY_verify_init(pc) == 1 &&
			    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
			    EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
			    EVP_PKEY_verify(pc, h->b, h->blen, dig, 32) == 1;
			EVP_PKEY_CTX_free(pc);
		}
	} else if ((md = EVP_MD_CTX_new()) != NULL) {
		r = EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) == 1 &&
		    EVP_DigestVerify(md, h->b, h->blen, dig, 32) == 1;
		EVP_MD_CTX_free(md);
	}
	EVP_PKEY_free(pk);
	return r ? NULL : "signature did not verify";
}

static EVP_MD_CTX *
arc_sha256_new(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		md = NULL;
	}
	return md;
}

static int
arc_sha256_end(EVP_MD_CTX *md, unsigned char dig[32])
{
	unsigned int n = 0;
	int ok = md != NULL && EVP_DigestFinal_ex(md, dig, &n) == 1 && n == 32;

	EVP_MD_CTX_free(md);
	return ok;
}

/* The header's own value with the b= value taken out (RFC 6376 3.7). */
char *
arc_without_b(struct arc *c, const struct arc_hdr *h)
{
	const char *v = c->hdr[h->hidx].value;
	size_t n = strlen(v);
	char *out = arena_alloc(c->a, n + 1);

	memcpy(out, v, h->b_off);
	memcpy(out + h->b_off, v + h->b_off + h->b_len, n - h->b_off - h->b_len);
	out[n - h->b_len] = '\0';
	return out;
}

/* RFC 8617 section 4.1.2 (RFC 6376 sections 3.7, 5.4.2), one canonicalization. */
static const char *
arc_check_ams_c(struct arc *c, const struct arc_hdr *h, enum canon_alg ch, enum canon_alg cb,
    int *temp, size_t *hashed)
{
	struct arc_buf b = { NULL, 0, 0, NULL };
	unsigned char dig[32];

	*temp = 0;
	if (c->hoverflow)
		return "too many header fields to verify";
	if (c->bhlen[cb] != 32 || memcmp(c->bh[cb], h->bh, 32) != 0)
		return "body hash did not verify";
	if ((b.md = arc_sha256_new()) == NULL)
		return "out of memory";
	arc_signed_headers(c, &b, h->hlist, ch, h->hidx);
	arc_add_header(c, &b, ch, c->hdr[h->hidx].name, arc_without_b(c, h), 1);
	*hashed += b.n;
	if (!arc_sha256_end(b.md, dig))
		return "hashing failed";
	return arc_verify_dig(c, h, dig, temp);
}

/*
 * Without c= the default is simple/simple (RFC 6376 section 3.5), but
 * the ARC drafts had AMS signers use relaxed/relaxed and omit c= (dkimpy
 * still does, and the ValiMail suite expects it to verify), so an AMS
 * without c= also passes when it verifies as relaxed/relaxed. Either way
 * the signer's key made the signature over exactly that text.
 */
const char *
arc_check_ams(struct arc *c, const struct arc_hdr *h, int *temp, size_t *hashed)
{
	const char *why = arc_check_ams_c(c, h, h->ch, h->cb, temp, hashed);

	if (why != NULL && h->c_absent && !*temp)
		why = arc_check_ams_c(c, h, CANON_RELAXED, CANON_RELAXED, temp, hashed) == NULL ?
		    NULL : why;
	return why;
}

/*
 * RFC 8617 section 5.1.1: AS(i) covers sets 1..i-1 whole, then AAR(i),
 * AMS(i) and AS(i) without its b=, relaxed. One running hash over the
 * sets gives every seal its digest (dig[i], i = 1..n) in one pass.
 */
int
arc_seal_digests(struct arc *c, struct arc_hdr *set[][3], int n, unsigned char (*dig)[32])
{
	struct arc_buf run = { NULL, 0, 0, NULL }, one = { NULL, 0, 0, NULL };
	int i, ok = 1;

	if ((run.md = arc_sha256_new()) == NULL)
		return -1;
	for (i = 1; i <= n && ok; i++) {
		const struct arc_hdr *as = set[i][K_AS];

		arc_add_stored(c, &run, CANON_RELAXED, set[i][K_AAR]->hidx);
		arc_add_stored(c, &run, CANON_RELAXED, set[i][K_AMS]->hidx);
		if ((one.md = EVP_MD_CTX_new()) == NULL || EVP_MD_CTX_copy_ex(one.md, run.md) != 1) {
			EVP_MD_CTX_free(one.md);
			ok = 0;
			break;
		}
		arc_add_header(c, &one, CANON_RELAXED, c->hdr[as->hidx].name, arc_without_b(c, as), 1);
		ok = arc_sha256_end(one.md, dig[i]);
		arc_add_stored(c, &run, CANON_RELAXED, as->hidx);
	}
	EVP_MD_CTX_free(run.md);
	return ok ? 0 : -1;
}

const char *
arc_check_as(struct arc *c, const struct arc_hdr *as, const unsigned char dig[32], int *temp)
{
	return arc_verify_dig(c, as, dig, temp);
}
