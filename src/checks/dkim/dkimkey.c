/*
 * dkimkey: one copy of the DKIM key side (selector syntax, the key
 * query, the key record rules of RFC 6376 section 3.6.1) for every
 * module that checks d=/s= signatures, so DKIM and ARC can never
 * disagree about whether a key is usable.
 */
/*
 * d2i_RSA_PUBKEY and the RSA type flags are deprecated, but they are what
 * OpenSSL 3.0's own SubjectPublicKeyInfo decoder for RSA runs; d2i_PUBKEY
 * reaches them only after setting up a decoder context that costs ~130 us
 * per key on our hosts, 8 RSA-2048 verifications (dkimkey_spki_rsa).
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "arena.h"
#include "base64.h"
#include "dkimkey.h"
#include "resolver.h"
#include "taglist.h"

struct dkimkeys {
	struct arena *a;                /* names and records: the caller's */
	struct arena *kw;               /* answers, written by the resolver thread */
	struct dns_set *set;
	struct dkimkey **key;           /* each its own block: callers keep pointers */
	size_t n, cap, max;
	unsigned refs;                  /* holders that have not released */
	int finished;
};

struct dkimkeys *
dkimkeys_new(struct arena *a, struct dns_set *set, size_t max)
{
	struct dkimkeys *ks = arena_alloc(a, sizeof(*ks));

	ks->a = a;
	ks->kw = arena_new();
	ks->set = set;
	ks->max = max;
	ks->refs = 1;
	return ks;
}

struct dkimkeys *
dkimkeys_share(struct dkimkeys *ks, size_t more)
{
	ks->refs++;
	ks->max += more;
	return ks;
}

size_t
dkimkeys_count(const struct dkimkeys *ks)
{
	return ks->n;
}

int
dkimkey_name_ok(const char *s, int min_labels)
{
	size_t lablen = 0, total = 0;
	int labels = 1;

	if (*s == '\0')
		return 0;
	for (; *s; s++, total++) {
		char ch = *s;

		if (ch == '.') {
			if (lablen == 0)
				return 0;
			lablen = 0;
			labels++;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
			if (++lablen > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return lablen > 0 && total <= DKIMKEY_NAME_MAX && labels >= min_labels;
}

static void
dkimkey_answer(void *arg, const struct dns_answer *ans)
{
	struct dkimkey *k = arg;
	struct dkimkeys *ks = k->owner;
	size_t i;

	if (ks->finished)
		return;         /* kw is gone; the slot itself lives in the caller's arena */
	k->status = ans->status;
	k->why = ans->why ? arena_strdup(ks->kw, ans->why) : NULL;
	for (i = 0; ans->status == DNS_OK && i < ans->n; i++) {
		const struct dns_rr *rr = &ans->rr[i];

		if (rr->type != DNS_T_TXT)
			continue;
		if (k->nrec++ == 0) {
			k->txtlen = rr->u.txt.len;
			k->txt = rr->u.txt.len > DKIMKEY_COPY_MAX ? NULL :
			    arena_memdup(ks->kw, rr->u.txt.data, rr->u.txt.len);
		}
	}
	if (ans->status == DNS_OK && k->nrec == 0)
		k->status = DNS_NODATA;
	k->state = DKIMKEY_DONE;
}

struct dkimkey *
dkimkeys_start(struct dkimkeys *ks, const char *sel, const char *dom)
{
	struct dkimkey *k;
	char *q, *p;
	size_t i;
	int rc;

	q = arena_printf(ks->a, "%s._domainkey.%s", sel, dom);
	for (p = q; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->key[i]->qname, q) == 0)
			return ks->key[i];
	if (ks->n == ks->max || ks->finished)
		return NULL;
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 8;
		struct dkimkey **nk = arena_alloc(ks->a, cap * sizeof(*nk));

		if (ks->n)
			memcpy(nk, ks->key, ks->n * sizeof(*nk));
		ks->key = nk;
		ks->cap = cap;
	}
	k = arena_alloc(ks->a, sizeof(*k));
	ks->key[ks->n++] = k;
	k->owner = ks;
	k->qname = q;
	if (strlen(q) > DKIMKEY_NAME_MAX) {
		k->state = DKIMKEY_DONE;
		k->status = DNS_PERMFAIL;
		k->why = "key name too long";
	} else if (ks->set == NULL) {
		k->state = DKIMKEY_REFUSED;
		k->status = DNS_TEMPFAIL;
		k->why = "no resolver";
	} else if ((rc = dns_query(ks->set, q, DNS_T_TXT, dkimkey_answer, k)) != DNS_Q_SENT) {
		/*
		 * The budget is spent by what the message itself names (its
		 * signatures and seals), and a name that cannot exist has no
		 * key: both are the sender's doing, so neither may read as a
		 * temporary failure the sender could cause at will.
		 */
		k->state = DKIMKEY_REFUSED;
		if (rc == DNS_Q_BUDGET) {
			k->status = DNS_PERMFAIL;
			k->why = DKIMKEY_WHY_BUDGET;
		} else if (rc == DNS_Q_BADNAME) {
			k->status = DNS_NXDOMAIN;
			k->why = "key name is not a DNS name";
		} else {
			k->status = DNS_TEMPFAIL;
			k->why = "query refused";
		}
	}
	return k;
}

void
dkimkeys_release(struct dkimkeys *ks)
{
	if (ks == NULL || ks->refs == 0)
		return;
	if (--ks->refs > 0)
		return;
	ks->finished = 1;
	arena_free(&ks->kw);
}

/* ABNF literals such as k=rsa compare without regard to case. */
static int
dkimkey_value_ci(const struct taglist_tag *t, const char *lit)
{
	size_t n = strlen(lit);

	return t->value_len == n && strncasecmp(t->value, lit, n) == 0;
}

/* A colon-separated list (h=, s=, t=) names word, without case. */
static int
dkimkey_list_has(const struct taglist_tag *t, const char *word)
{
	size_t i = 0, n = strlen(word), s, e;

	while (i <= t->value_len) {
		s = i;
		while (i < t->value_len && t->value[i] != ':')
			i++;
		e = i;
		while (s < e && strchr(" \t\r\n", t->value[s]) != NULL)
			s++;
		while (e > s && strchr(" \t\r\n", t->value[e - 1]) != NULL)
			e--;
		if (e - s == n && strncasecmp(t->value + s, word, n) == 0)
			return 1;
		i++;
	}
	return 0;
}

int
dkimkey_check(struct dkimkey *k)
{
	struct arena *a = k->owner->a;
	struct taglist tl;
	const struct taglist_tag *t, *pt = NULL;
	const char *why;

	if (k->checked)
		return k->bad == NULL ? 0 : -1;
	k->checked = 1;
	k->k = "rsa";
	k->h_sha256 = k->h_sha1 = k->s_email = 1;
	if (k->txt == NULL || memchr(k->txt, '\0', k->txtlen) != NULL) {
		k->bad = k->txt == NULL ? "key record too long" : "key record contains a NUL byte";
		return -1;
	}
	if (taglist_parse(&tl, k->txt, k->txtlen, &why) != 0) {
		k->bad = arena_printf(a, "key record syntax error: %s", why);
		return -1;
	}
	if ((t = taglist_get(&tl, "v")) != NULL && !taglist_value_is(t, "DKIM1"))
		k->bad = "key record version is not DKIM1";
	else if (t != NULL && t != &tl.tag[0])
		k->bad = "key record v= is not the first tag";
	else if ((pt = taglist_get(&tl, "p")) == NULL)
		k->bad = "key record has no p= tag";
	else if (pt->value_len == 0)
		k->bad = "key revoked";
	else if ((t = taglist_get(&tl, "k")) != NULL &&
	    !dkimkey_value_ci(t, "rsa") && !dkimkey_value_ci(t, "ed25519"))
		k->bad = arena_printf(a, "unknown key type k=%.*s",
		    (int)(t->value_len > 32 ? 32 : t->value_len), t->value);
	else if (t != NULL)
		k->k = dkimkey_value_ci(t, "rsa") ? "rsa" : "ed25519";
	if ((t = taglist_get(&tl, "h")) != NULL) {
		k->h_sha256 = dkimkey_list_has(t, "sha256");
		k->h_sha1 = dkimkey_list_has(t, "sha1");
	}
	if ((t = taglist_get(&tl, "s")) != NULL)
		k->s_email = dkimkey_list_has(t, "email") || dkimkey_list_has(t, "*");
	if ((t = taglist_get(&tl, "t")) != NULL)
		k->t_s = dkimkey_list_has(t, "s");
	if (k->bad == NULL) {
		k->p = taglist_value_nows(a, pt);
		k->p_off = (size_t)(pt->value - k->txt);
		k->p_len = pt->value_len;
	}
	return k->bad == NULL ? 0 : -1;
}

/*
 * What one RSA verification may cost: a key over DKIMKEY_RSA_MAX_BITS, or
 * with a public exponent over DKIMKEY_RSA_MAX_E_BITS bits (a 3072-bit
 * exponent makes a 3072-bit verification cost 7 ms instead of 0.07), is
 * one a sender chose to make us slow. NULL when acceptable.
 */
static const char *
dkimkey_rsa_cost(EVP_PKEY *pk, struct arena *a)
{
	BIGNUM *e = NULL;
	int ebits;

	if (EVP_PKEY_bits(pk) > DKIMKEY_RSA_MAX_BITS)
		return arena_printf(a, "key too large: %d bits", EVP_PKEY_bits(pk));
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		return "key p= is not a public key";
	ebits = BN_num_bits(e);
	BN_free(e);
	if (ebits > DKIMKEY_RSA_MAX_E_BITS)
		return arena_printf(a, "key exponent too large: %d bits", ebits);
	return NULL;
}

/*
 * An rsaEncryption SubjectPublicKeyInfo as OpenSSL 3.0's own decoder for
 * it reads one (d2i_RSA_PUBKEY, then the type check its RSA decoder
 * makes: RSASSA-PSS keys are another decoder's). *pp moves past it on
 * success. NULL, errors queued, otherwise.
 */
static EVP_PKEY *
dkimkey_spki_rsa(const unsigned char **pp, long len)
{
	EVP_PKEY *pk = NULL;
	RSA *rsa;

	if ((rsa = d2i_RSA_PUBKEY(NULL, pp, len)) == NULL)
		return NULL;
	if (RSA_test_flags(rsa, RSA_FLAG_TYPE_MASK) == RSA_FLAG_TYPE_RSA &&
	    (pk = EVP_PKEY_new()) != NULL && EVP_PKEY_assign_RSA(pk, rsa) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	if (pk == NULL)
		RSA_free(rsa);
	return pk;
}

/*
 * p= decoded as an RSA public key: SubjectPublicKeyInfo, or a bare
 * RSAPublicKey (*pkcs1 set). The bare form is taken only whole: bytes
 * after it would make a record that means one key to us and something
 * else, or nothing, to the next verifier.
 */
static EVP_PKEY *
dkimkey_rsa(const unsigned char *der, size_t derlen, int *pkcs1)
{
	const unsigned char *dp = der;
	EVP_PKEY *pk;

	*pkcs1 = 0;
	/* A failed guess is no error: keep it out of the thread's queue,
	 * where libopendkim would report it with a later failure. */
	ERR_set_mark();
	if ((pk = dkimkey_spki_rsa(&dp, (long)derlen)) == NULL) {
		dp = der;
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &dp, (long)derlen);
		if (pk != NULL && dp != der + derlen) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		*pkcs1 = pk != NULL;
	}
	ERR_pop_to_mark();
	if (pk != NULL && EVP_PKEY_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	return pk;
}

EVP_PKEY *
dkimkey_pkey(struct dkimkey *k, int ed25519, unsigned min_rsa_bits, struct arena *a,
    const char **why)
{
	unsigned char *der;
	size_t derlen = 0;
	EVP_PKEY *pk = NULL;
	const char *cost;
	int pkcs1;

	if (dkimkey_check(k) != 0) {
		*why = k->bad;
		return NULL;
	}
	if ((strcmp(k->k, "ed25519") == 0) != (ed25519 != 0)) {
		*why = "key type does not match a=";
		return NULL;
	}
	if ((der = base64_decode(a, k->p, 8192, &derlen)) == NULL) {
		*why = "key p= is not base64";
		return NULL;
	}
	if (ed25519) {
		if (derlen == 32)
			pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, 32);
	} else if ((pk = dkimkey_rsa(der, derlen, &pkcs1)) != NULL) {
		if ((unsigned)EVP_PKEY_bits(pk) < min_rsa_bits)
			cost = arena_printf(a, "key too small: %d bits", EVP_PKEY_bits(pk));
		else
			cost = dkimkey_rsa_cost(pk, a);
		if (cost != NULL) {
			*why = cost;
			EVP_PKEY_free(pk);
			return NULL;
		}
	}
	if (pk == NULL)
		*why = "key p= is not a public key";
	return pk;
}

const char *
dkimkey_record_spki(struct dkimkey *k, size_t *lenp, const char **costly)
{
	struct arena *a = k->owner->a;
	unsigned char *der, *spki = NULL;
	size_t derlen = 0;
	EVP_PKEY *pk;
	const char *b64 = NULL;
	char *out;
	int pkcs1 = 0, n;

	*lenp = k->txtlen;
	*costly = NULL;
	if (dkimkey_check(k) != 0 || strcmp(k->k, "rsa") != 0 ||
	    (der = base64_decode(a, k->p, 8192, &derlen)) == NULL ||
	    (pk = dkimkey_rsa(der, derlen, &pkcs1)) == NULL)
		return k->txt;          /* not a key we read: libopendkim says why */
	*costly = dkimkey_rsa_cost(pk, a);
	if (*costly == NULL && pkcs1 && (n = i2d_PUBKEY(pk, &spki)) > 0)
		b64 = base64_encode(a, spki, (size_t)n);
	OPENSSL_free(spki);
	EVP_PKEY_free(pk);
	if (b64 == NULL)
		return k->txt;          /* SubjectPublicKeyInfo already, or refused */
	out = arena_printf(a, "%.*s%s%.*s", (int)k->p_off, k->txt, b64,
	    (int)(k->txtlen - k->p_off - k->p_len), k->txt + k->p_off + k->p_len);
	*lenp = strlen(out);
	return out;
}
