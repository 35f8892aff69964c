/*
 * DKIM keys and clocks as found in the wild (issue 13), through dkimv as
 * the milter drives it, with signatures made here at run time (relaxed
 * canonicalisation by canon.c, RSA by OpenSSL; libopendkim verifies):
 *
 * 1. p= as a bare PKCS#1 RSAPublicKey, the form RFC 6376 section 3.6.1
 *    names, next to the SubjectPublicKeyInfo everyone publishes: both
 *    pass with the matching key, the record's other tags still count,
 *    our key size limits still apply, and a damaged one (truncated,
 *    trailing bytes, a private key, no DER at all) is the permerror it
 *    always was. The key reader ARC shares (dkimkey_pkey) agrees.
 * 2. t= ahead of our clock and x= just behind it, within and beyond
 *    dkim_clock_skew (default, 0 and a larger value, and two values in
 *    use at once, as during a reload).
 *
 * Keys: tests/data/dkim/local/rsa2048.pem and rsa512.pem (made by
 * tests/dkim/mkvectors.py); the costly ones are random numbers, as in
 * costly_keys.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "arena.h"
#include "base64.h"
#include "canon.h"
#include "dkimkey.h"
#include "dkimv.h"
#include "log.h"
#include "resolver.h"
#include "../tap.h"
#include "../dnstest.h"

#define DOMAIN "example.net"
#define BODY "Hi.\r\n"
#define VERIFIED "signature was verified"
#define UNAPPLIED "bad key: unable to apply public key"
#define FUTURE "signature timestamp in the future"
#define SKEW_DEFAULT (-1)       /* leave dkimv_opts_init's value */

static const char *const hname[] = { "From", "To", "Subject" };
static const char *const hvalue[] = { " Joe <joe@example.net>", " suzie@example.org",
	" keys and clocks" };

static struct resolver *res;
static struct arena *ta;        /* the test's own memory */
static EVP_PKEY *k2048, *k512;
static long long now;

/* ------------------------------------------------------------------ */
/* Keys and records                                                     */

static EVP_PKEY *
key_read(const char *srcdir, const char *name)
{
	char path[4096];
	EVP_PKEY *pk = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/dkim/local/%s", srcdir, name);
	if ((f = fopen(path, "r")) != NULL) {
		pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	return pk;
}

/* DER of pk as SubjectPublicKeyInfo (spki), PKCS#1 RSAPublicKey or RSAPrivateKey. */
enum form { SPKI, PKCS1, PRIV };

static unsigned char *
key_der(EVP_PKEY *pk, enum form form, size_t *lenp)
{
	unsigned char *der = NULL, *copy;
	int n = form == SPKI ? i2d_PUBKEY(pk, &der) : form == PKCS1 ? i2d_PublicKey(pk, &der) :
	    i2d_PrivateKey(pk, &der);

	if (n <= 0)
		abort();
	copy = arena_alloc(ta, (size_t)n + 1);       /* room for a trailing byte */
	memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	*lenp = (size_t)n;
	return copy;
}

static const char *
key_b64(EVP_PKEY *pk, enum form form)
{
	size_t n;
	unsigned char *der = key_der(pk, form, &n);

	return base64_encode(ta, der, n);
}

/* An RSA public key of a random odd modulus of nbits and exponent of ebits. */
static EVP_PKEY *
key_random(int nbits, int ebits)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *n = BN_new(), *e = BN_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;

	if (bld == NULL || ctx == NULL || n == NULL || e == NULL ||
	    BN_rand(n, nbits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) != 1 ||
	    (ebits > 17 ? BN_rand(e, ebits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) :
	    BN_set_word(e, 65537)) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return pk;
}

/* One zone line, the TXT record in strings of at most 255 bytes. */
static const char *
zone_line(const char *sel, const char *rec)
{
	const char *s = arena_printf(ta, "%s._domainkey." DOMAIN ". TXT", sel);
	size_t off, len = strlen(rec);

	for (off = 0; off < len; off += 255)
		s = arena_printf(ta, "%s \"%.255s\"", s, rec + off);
	return arena_printf(ta, "%s\n", s);
}

/* ------------------------------------------------------------------ */
/* Signing and verifying                                                */

/* A DKIM-Signature value over the message below: rsa-sha256, relaxed. */
static const char *
sign(EVP_PKEY *pk, const char *sel, long long t, long long x)
{
	struct canon_body *cb = canon_body_new(CANON_RELAXED, CANON_SHA256, -1);
	unsigned char bh[CANON_HASH_MAX], sig[2048];
	const char *tags, *data = "", *h;
	size_t bhlen, siglen = sizeof(sig), hl, i;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	canon_body_update(cb, (const unsigned char *)BODY, strlen(BODY));
	bhlen = canon_body_final(cb, bh);
	canon_body_free(&cb);
	tags = arena_printf(ta, " v=1; a=rsa-sha256; c=relaxed/relaxed; d=" DOMAIN "; s=%s;"
	    " t=%lld;%s h=from:to:subject; bh=%s; b=", sel, t,
	    x ? arena_printf(ta, " x=%lld;", x) : "", base64_encode(ta, bh, bhlen));
	for (i = 0; i < 3; i++) {
		h = canon_header(ta, CANON_RELAXED, hname[i], hvalue[i], 0, &hl);
		data = arena_printf(ta, "%s%.*s", data, (int)hl, h);
	}
	h = canon_header(ta, CANON_RELAXED, "DKIM-Signature", tags, 1, &hl);
	data = arena_printf(ta, "%s%.*s", data, (int)hl, h);
	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)data, strlen(data)) != 1)
		abort();
	EVP_MD_CTX_free(md);
	return arena_printf(ta, "%s%s", tags, base64_encode(ta, sig, siglen));
}

/* A message in progress: its headers passed, not yet their end. */
struct msg {
	struct arena *a;
	struct dns_set *set;
	struct dkimv *d;
};

static void
msg_start(struct msg *m, const char *sigval, int skew, unsigned min_rsa_bits)
{
	struct dkimv_opts o;
	size_t i;

	dkimv_opts_init(&o);
	if (skew != SKEW_DEFAULT)
		o.clock_skew = (unsigned)skew;
	if (min_rsa_bits)
		o.min_rsa_bits = min_rsa_bits;
	m->a = arena_new();
	m->set = dns_set_new(res, 20, "keys");
	m->d = dkimv_new(m->a, m->set, &o, "keys");
	dns_set_lock(m->set);
	dkimv_header(m->d, "DKIM-Signature", sigval);
	for (i = 0; i < 3; i++)
		dkimv_header(m->d, hname[i], hvalue[i]);
	dns_set_unlock(m->set);
}

/*
 * End of headers (where libopendkim reads the clock), body, end of
 * message: the one signature's result and comment, in ta.
 */
static void
msg_finish(struct msg *m, const char **result, const char **comment)
{
	struct dkimv_results r;

	dkimv_eoh(m->d);
	dkimv_body(m->d, (const unsigned char *)BODY, strlen(BODY));
	dns_set_wait(m->set, dns_now_ms() + 5000);
	dns_set_lock(m->set);
	dkimv_eom(m->d, &r);
	dkimv_free(&m->d);
	dns_set_unlock(m->set);
	*result = r.n == 1 ? arena_strdup(ta, r.sig[0].result) : "(none)";
	*comment = r.n == 1 ? arena_strdup(ta, r.sig[0].comment) : "";
	dns_set_free(&m->set);
	arena_free(&m->a);
}

static int
verify(const char *sigval, int skew, unsigned min_rsa_bits, const char *result,
    const char *comment, const char *what)
{
	struct msg m;
	const char *gr, *gc;
	int good;

	msg_start(&m, sigval, skew, min_rsa_bits);
	msg_finish(&m, &gr, &gc);
	good = strcmp(gr, result) == 0 && strcmp(gc, comment) == 0;
	ok(good, "%s -> %s (%s)", what, result, comment);
	if (!good)
		tap_diag("   got: %s (%s)", gr, gc);
	return good;
}

/* ------------------------------------------------------------------ */
/* 1. Key forms                                                         */

struct keycase {
	const char *sel;
	EVP_PKEY **signer;
	unsigned min_rsa_bits;          /* 0: default */
	const char *result, *comment;
	const char *what;
};

static const struct keycase keycases[] = {
	{ "spki", &k2048, 0, "pass", VERIFIED, "SubjectPublicKeyInfo (RFC 6376 Appendix C)" },
	{ "pkcs1", &k2048, 0, "pass", VERIFIED, "bare PKCS#1 RSAPublicKey (RFC 6376 3.6.1)" },
	{ "pkcs1-tags", &k2048, 0, "pass", VERIFIED "; key in test mode",
	  "PKCS#1 folded, tags after p=: t=y still reported" },
	{ "pkcs1-h", &k2048, 0, "permerror", "key h= does not allow the signature's hash",
	  "PKCS#1 with h=sha1: the key's h= still applies" },
	{ "pkcs1-trunc", &k2048, 0, "permerror", UNAPPLIED, "PKCS#1 cut 10 bytes short" },
	{ "pkcs1-trail", &k2048, 0, "permerror", UNAPPLIED, "PKCS#1 with one byte after it" },
	{ "pkcs1-priv", &k2048, 0, "permerror", UNAPPLIED, "an RSAPrivateKey published as p=" },
	{ "garbage", &k2048, 0, "permerror", UNAPPLIED, "base64 of no DER at all" },
	{ "pkcs1-512", &k512, 0, "fail", "key too small: 512 bits",
	  "PKCS#1 of 512 bits: min_rsa_bits applies (RFC 8301 3.2)" },
	{ "pkcs1-512", &k512, 512, "pass", VERIFIED, "PKCS#1 of 512 bits with min_rsa_bits=512" },
	{ "pkcs1-big", &k2048, 0, "permerror", "key too large: 9216 bits",
	  "PKCS#1 of 9216 bits: DKIMKEY_RSA_MAX_BITS applies" },
	{ "pkcs1-bige", &k2048, 0, "permerror", "key exponent too large: 2559 bits",
	  "PKCS#1 with a 2559-bit exponent: DKIMKEY_RSA_MAX_E_BITS applies" },
};

static const char *
key_zone(void)
{
	size_t n;
	unsigned char *der;
	const char *pkcs1 = key_b64(k2048, PKCS1), *z = "";
	EVP_PKEY *big = key_random(9216, 17), *bige = key_random(2560, 2559);

	if (big == NULL || bige == NULL)
		return NULL;
	z = arena_printf(ta, "%s%s", z, zone_line("spki", arena_printf(ta, "v=DKIM1; k=rsa; p=%s",
	    key_b64(k2048, SPKI))));
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1", arena_printf(ta, "v=DKIM1; k=rsa; p=%s",
	    pkcs1)));
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-tags", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%.100s %s ; t=y; n=the form RFC 6376 section 3.6.1 names",
	    pkcs1, pkcs1 + 100)));
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-h", arena_printf(ta,
	    "v=DKIM1; k=rsa; h=sha1; p=%s", pkcs1)));
	der = key_der(k2048, PKCS1, &n);
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-trunc", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", base64_encode(ta, der, n - 10))));
	der[n] = 0;
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-trail", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", base64_encode(ta, der, n + 1))));
	/* 512 bits: a 2048-bit private key would not fit libopendkim's buffer. */
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-priv", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", key_b64(k512, PRIV))));
	z = arena_printf(ta, "%s%s", z, zone_line("garbage", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", base64_encode(ta, (const unsigned char *)
	    "this is no key, only text that base64 makes look like one", 58))));
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-512", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", key_b64(k512, PKCS1))));
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-big", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", key_b64(big, PKCS1))));
	z = arena_printf(ta, "%s%s", z, zone_line("pkcs1-bige", arena_printf(ta,
	    "v=DKIM1; k=rsa; p=%s", key_b64(bige, PKCS1))));
	EVP_PKEY_free(big);
	EVP_PKEY_free(bige);
	return z;
}

static void
test_key_forms(void)
{
	size_t i;

	for (i = 0; i < sizeof(keycases) / sizeof(keycases[0]); i++) {
		const struct keycase *c = &keycases[i];

		verify(sign(*c->signer, c->sel, now - 60, 0), SKEW_DEFAULT, c->min_rsa_bits,
		    c->result, c->comment, arena_printf(ta, "key %s: %s", c->sel, c->what));
	}
}

/*
 * The reader ARC verifies with (dkimkey_pkey) and the record libopendkim
 * is handed (dkimkey_record_spki), on records set by hand.
 */
static struct dkimkey *
key_record(struct dkimkeys *ks, const char *sel, const char *rec)
{
	struct dkimkey *k = dkimkeys_start(ks, sel, DOMAIN);

	k->state = DKIMKEY_DONE;        /* as if the resolver had answered rec */
	k->status = DNS_OK;
	k->txt = rec;
	k->txtlen = strlen(rec);
	k->nrec = 1;
	return k;
}

static void
test_key_reader(void)
{
	struct arena *a = arena_new();
	struct dkimkeys *ks = dkimkeys_new(a, NULL, 8);
	const char *pkcs1 = key_b64(k2048, PKCS1), *spki = key_b64(k2048, SPKI), *why = NULL, *rec;
	const char *trail;
	struct dkimkey *k;
	unsigned char *der;
	EVP_PKEY *pk;
	size_t n, len;

	k = key_record(ks, "a", arena_printf(a, "v=DKIM1; p=%s", pkcs1));
	pk = dkimkey_pkey(k, 0, 1024, a, &why);
	ok(pk != NULL && EVP_PKEY_eq(pk, k2048) == 1, "reader: a PKCS#1 p= is the signer's key");
	EVP_PKEY_free(pk);

	der = key_der(k2048, PKCS1, &n);
	der[n] = 0;
	trail = base64_encode(a, der, n + 1);
	k = key_record(ks, "b", arena_printf(a, "v=DKIM1; p=%s", trail));
	why = NULL;
	pk = dkimkey_pkey(k, 0, 1024, a, &why);
	ok(pk == NULL, "reader: PKCS#1 with a byte after it is no key (ARC agrees with DKIM)");
	is_str(why, "key p= is not a public key", "reader: ... and says so");
	EVP_PKEY_free(pk);

	k = key_record(ks, "c", arena_printf(a, "v=DKIM1; p=%s", key_b64(k512, PKCS1)));
	why = NULL;
	pk = dkimkey_pkey(k, 0, 1024, a, &why);
	ok(pk == NULL, "reader: a 512-bit PKCS#1 key is refused under min_rsa_bits 1024");
	is_str(why, "key too small: 512 bits", "reader: ... as too small");
	EVP_PKEY_free(pk);

	k = key_record(ks, "d", arena_printf(a, "v=DKIM1; k=rsa; p=%.64s\t%s; t=y", pkcs1,
	    pkcs1 + 64));
	rec = dkimkey_record_spki(k, &len, &why);
	is_str(rec, arena_printf(a, "v=DKIM1; k=rsa; p=%s; t=y", spki),
	    "record: PKCS#1 p= rewritten as SubjectPublicKeyInfo, the other tags kept");
	is_int(len, strlen(rec), "record: its length");

	k = key_record(ks, "e", arena_printf(a, "v=DKIM1; k=rsa; p=%s", spki));
	rec = dkimkey_record_spki(k, &len, &why);
	ok(rec == k->txt && len == k->txtlen, "record: a SubjectPublicKeyInfo record is handed as is");
	k = key_record(ks, "f", arena_printf(a, "v=DKIM1; k=rsa; p=%s", trail));
	rec = dkimkey_record_spki(k, &len, &why);
	ok(rec == k->txt && len == k->txtlen,
	    "record: a damaged one too, for libopendkim to refuse");
	dkimkeys_release(ks);
	arena_free(&a);
}

/* ------------------------------------------------------------------ */
/* 2. Clocks                                                            */

struct clockcase {
	int skew;                       /* seconds, or SKEW_DEFAULT */
	long long t, x;                 /* from now; x 0: none */
	const char *result, *comment;
	const char *what;
};

#define PAST (-3600)

static const struct clockcase clockcases[] = {
	{ SKEW_DEFAULT, 240, 0, "pass", VERIFIED, "default skew: t= 240 s ahead" },
	{ SKEW_DEFAULT, 360, 0, "fail", FUTURE, "default skew: t= 360 s ahead" },
	{ 0, -60, 0, "pass", VERIFIED, "skew 0: t= 60 s ago" },
	{ 0, 60, 0, "fail", FUTURE, "skew 0: t= 60 s ahead" },
	{ 600, 540, 0, "pass", VERIFIED, "skew 600: t= 540 s ahead" },
	{ 600, 660, 0, "fail", FUTURE, "skew 600: t= 660 s ahead" },
	{ SKEW_DEFAULT, PAST, -240, "pass", VERIFIED, "default skew: x= 240 s ago" },
	{ SKEW_DEFAULT, PAST, -360, "fail", "signature expired", "default skew: x= 360 s ago" },
	{ 0, PAST, 60, "pass", VERIFIED, "skew 0: x= 60 s ahead" },
	{ 0, PAST, -60, "fail", "signature expired", "skew 0: x= 60 s ago" },
	{ SKEW_DEFAULT, 200, 100, "permerror", "x= is not after t=",
	  "default skew: t= 200 s ahead, x= before it (RFC 6376 3.5)" },
};

static void
test_clocks(void)
{
	struct dkimv_opts o;
	struct msg strict, loose;
	const char *sig, *gr, *gc;
	size_t i;

	dkimv_opts_init(&o);
	is_int(o.clock_skew, 300, "clock: dkimv_opts_init allows 300 s (OpenDKIM's ClockDrift)");
	for (i = 0; i < sizeof(clockcases) / sizeof(clockcases[0]); i++) {
		const struct clockcase *c = &clockcases[i];

		verify(sign(k2048, "spki", now + c->t, c->x ? now + c->x : 0), c->skew, 0,
		    c->result, c->comment, arena_printf(ta, "clock: %s", c->what));
	}

	/*
	 * Two settings in force at once, as across a reload: each message
	 * keeps its own, also when the other started after it.
	 */
	sig = sign(k2048, "spki", now + 360, 0);
	msg_start(&strict, sig, 0, 0);
	msg_start(&loose, sig, 600, 0);
	msg_finish(&strict, &gr, &gc);
	ok(strcmp(gr, "fail") == 0 && strcmp(gc, FUTURE) == 0,
	    "clock: skew 0 and 600 in flight together: the 0 one fails t= 360 s ahead (%s)", gr);
	msg_finish(&loose, &gr, &gc);
	ok(strcmp(gr, "pass") == 0, "clock: ... and the 600 one passes it (%s)", gr);
	verify(sig, SKEW_DEFAULT, 0, "fail", FUTURE, "clock: then the default again");
}

int
main(void)
{
	const char *srcdir = getenv("top_srcdir"), *zone;
	char zpath[512];

	log_init("test_dkim_keys", 1);
	log_configure(LOG_LVL_WARN, LOG_FMT_TEXT);
	if (srcdir == NULL)
		srcdir = ".";
	ta = arena_new();
	now = (long long)time(NULL);
	k2048 = key_read(srcdir, "rsa2048.pem");
	k512 = key_read(srcdir, "rsa512.pem");
	if (k2048 == NULL || k512 == NULL || (zone = key_zone()) == NULL ||
	    dnstest_zone_write(zpath, sizeof(zpath), "dkim_keys", zone) != 0 ||
	    (res = dnstest_resolver(zpath, 0)) == NULL) {
		ok(0, "setup: keys under %s/tests/data/dkim/local and a resolver on their zone",
		    srcdir);
		return tap_done();
	}
	test_key_forms();
	test_key_reader();
	test_clocks();
	resolver_free(&res);
	unlink(zpath);
	EVP_PKEY_free(k2048);
	EVP_PKEY_free(k512);
	arena_free(&ta);
	return tap_done();
}
