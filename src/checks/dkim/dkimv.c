/*
 * dkimv: DKIM verification glue around libopendkim (whose names own the
 * dkim_ prefix, hence ours). libopendkim does what it is good at: tag
 * semantics, canonicalisation, hashing and the signature maths (RSA and
 * ed25519). Everything around it is ours:
 *
 *  - DNS. Each DKIM-Signature is read with our tag-list parser when the
 *    header arrives (dkimv_sig.c) and the key query goes out through our
 *    resolver at once; libopendkim's key lookup hook is served from those answers at
 *    end of message, so it never touches DNS (its query method is also
 *    pointed at an empty file, so a slip could only read "no key").
 *  - Policy libopendkim cannot express per message: RFC 8301 (rsa-sha1
 *    fails unless allowed, no DNS spent on it; RSA keys under the
 *    configured size fail), the l= policy, the signature limit.
 *  - Keys published as a bare PKCS#1 RSAPublicKey, which libopendkim
 *    cannot read: it is handed the same key as SubjectPublicKeyInfo.
 *  - The clock skew libopendkim allows t= and x= (DKIM_OPTS_CLOCKDRIFT),
 *    a setting of its DKIM_LIB, so one of those per skew in use.
 *  - The verdict words and comments of RFC 8601, one per signature.
 *
 * Threads: the key answers are written by the resolver thread inside its
 * callback (set locked) into dkimkey's memory, which only dkimv_eom and
 * dkimv_free read or release, also with the set locked.
 * Everything else belongs to the message's thread.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "arena.h"
#include "dkimkey.h"
#include "dkimv.h"
#include "dkimv_int.h"
#include "log.h"
#include "resolver.h"
#include "taglist.h"

#define DKIMV_SIG_HEADER "DKIM-Signature"

/*
 * libopendkim reads the clock drift from the DKIM_LIB, not the message,
 * while a reload may change the setting with messages of the old
 * configuration still in progress: one DKIM_LIB per drift, counted by the
 * messages holding it. One whose drift is no longer the newest asked for
 * is closed with its last message; the newest stays for the next.
 */
struct dkimv_lib {
	struct dkimv_lib *next;
	DKIM_LIB *lib;
	unsigned drift;
	unsigned refs;
};

static pthread_mutex_t dkimv_libs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dkimv_lib *dkimv_libs;
static unsigned dkimv_drift_newest = DKIMV_DEFAULT_CLOCK_SKEW;
static int dkimv_lib_warned;

/* ---------------------------------------------------------------- */
/* libopendkim hooks                                                 */

static struct dkimv_rec *
dkimv_rec_of(struct dkimv *d, DKIM_SIGINFO *sig)
{
	size_t i;

	for (i = 0; i < d->nrec; i++)
		if (d->rec[i].sig == sig)
			return &d->rec[i];
	return NULL;
}

static char *
dkimv_strip_ws(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1);
	size_t n = 0;

	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			out[n++] = *s;
	out[n] = '\0';
	return out;
}

/*
 * Called in dkim_eoh, after libopendkim parsed every signature. Both lists
 * are in header order, so each of its signatures is paired with the next
 * of ours carrying the same b=; ours already decided (or beyond the limit)
 * are set to be ignored, which spares their hashing.
 */
static DKIM_CBSTAT
dkimv_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkimv *d = dkim_get_user_context(dkim);
	size_t next = 0, k;
	int i;

	if (d == NULL)
		return DKIM_CBSTAT_CONTINUE;
	for (i = 0; i < nsigs; i++) {
		u_char *bv = dkim_sig_gettagvalue(sigs[i], 0, (u_char *)"b");
		const char *b = dkimv_strip_ws(d->a, bv ? (const char *)bv : "");
		struct dkimv_rec *r = NULL;

		for (k = next; k < d->nrec; k++)
			if (d->rec[k].bnows != NULL && strcmp(d->rec[k].bnows, b) == 0) {
				r = &d->rec[k];
				next = k + 1;
				break;
			}
		if (r == NULL || r->decided) {
			dkim_sig_ignore(sigs[i]);
			continue;
		}
		r->sig = sigs[i];
		r->pre_err = dkim_sig_geterror(sigs[i]);
	}
	return DKIM_CBSTAT_CONTINUE;
}

/*
 * libopendkim asks for a key at end of message: hand it the record our
 * resolver fetched. What cannot be handed over is turned into a verdict
 * by dkimv_decide, which looks at the same key state.
 */
static DKIM_CBSTAT
dkimv_key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkimv *d = dkim_get_user_context(dkim);
	struct dkimv_rec *r = d ? dkimv_rec_of(d, sig) : NULL;
	struct dkimkey *k;
	const char *why, *rec;
	size_t reclen;

	if (r == NULL || (k = r->key) == NULL)
		return DKIM_CBSTAT_ERROR;
	if (k->state != DKIMKEY_DONE || k->status == DNS_TEMPFAIL)
		return DKIM_CBSTAT_TRYAGAIN;
	if (k->status == DNS_NXDOMAIN || k->status == DNS_NODATA)
		return DKIM_CBSTAT_NOTFOUND;
	if (k->status != DNS_OK)
		return DKIM_CBSTAT_ERROR;
	if (dkimkey_check(k) != 0)
		return DKIM_CBSTAT_ERROR;
	rec = dkimkey_record_spki(k, &reclen, &why);
	if (why != NULL) {
		/* Refused before libopendkim spends the verification on it. */
		k->bad = why;
		return DKIM_CBSTAT_ERROR;
	}
	if (reclen >= buflen) {
		k->bad = "key record too long";
		return DKIM_CBSTAT_ERROR;
	}
	memcpy(buf, rec, reclen);
	buf[reclen] = '\0';
	return DKIM_CBSTAT_CONTINUE;
}

/* A DKIM_LIB set up as every message needs it, allowing drift seconds. Locked. */
static DKIM_LIB *
dkimv_lib_make(unsigned drift)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned int flags = DKIM_LIBFLAGS_DELAYSIGPROC | DKIM_LIBFLAGS_BADSIGHANDLES;
	unsigned int minbits = 0;       /* RFC 8301 size policy is ours, per message */
	uint64_t drift64 = drift;
	dkim_query_t qm = DKIM_QUERY_FILE;

	if (lib == NULL) {
		log_err(NULL, "dkim: libopendkim initialisation failed");
		return NULL;
	}
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) != DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits,
	    sizeof(minbits)) != DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_CLOCKDRIFT, &drift64,
	    sizeof(drift64)) != DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &qm, sizeof(qm)) != DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, (void *)"/dev/null",
	    sizeof("/dev/null")) != DKIM_STAT_OK ||
	    dkim_set_key_lookup(lib, dkimv_key_lookup) != DKIM_STAT_OK ||
	    dkim_set_prescreen(lib, dkimv_prescreen) != DKIM_STAT_OK) {
		log_err(NULL, "dkim: libopendkim refused our options");
		dkim_close(lib);
		return NULL;
	}
	if (!dkim_libfeature(lib, DKIM_FEATURE_ED25519) && !dkimv_lib_warned++)
		log_warn(NULL, "dkim: libopendkim lacks ed25519; ed25519-sha256 signatures will not verify");
	return lib;
}

/* Closes the idle handles of drifts other than the newest. Locked. */
static void
dkimv_lib_sweep(void)
{
	struct dkimv_lib **lp = &dkimv_libs, *l;

	while ((l = *lp) != NULL) {
		if (l->refs == 0 && l->drift != dkimv_drift_newest) {
			*lp = l->next;
			dkim_close(l->lib);
			free(l);
		} else {
			lp = &l->next;
		}
	}
}

/* The handle for drift, held once more; NULL if libopendkim failed. */
static struct dkimv_lib *
dkimv_lib_get(unsigned drift)
{
	struct dkimv_lib *l;

	pthread_mutex_lock(&dkimv_libs_lock);
	if (drift != dkimv_drift_newest) {
		dkimv_drift_newest = drift;
		dkimv_lib_sweep();
	}
	for (l = dkimv_libs; l != NULL; l = l->next)
		if (l->drift == drift)
			break;
	if (l == NULL && (l = calloc(1, sizeof(*l))) != NULL) {
		if ((l->lib = dkimv_lib_make(drift)) == NULL) {
			free(l);
			l = NULL;
		} else {
			l->drift = drift;
			l->next = dkimv_libs;
			dkimv_libs = l;
		}
	}
	if (l != NULL)
		l->refs++;
	pthread_mutex_unlock(&dkimv_libs_lock);
	return l;
}

static void
dkimv_lib_put(struct dkimv_lib *l)
{
	pthread_mutex_lock(&dkimv_libs_lock);
	l->refs--;
	dkimv_lib_sweep();
	pthread_mutex_unlock(&dkimv_libs_lock);
}

void
dkimv_global_init(void)
{
	struct dkimv_lib *l;

	pthread_mutex_lock(&dkimv_libs_lock);
	l = dkimv_libs;
	pthread_mutex_unlock(&dkimv_libs_lock);
	if (l == NULL && (l = dkimv_lib_get(DKIMV_DEFAULT_CLOCK_SKEW)) != NULL)
		dkimv_lib_put(l);
}

void
dkimv_opts_init(struct dkimv_opts *o)
{
	o->max_signatures = DKIMV_DEFAULT_MAX_SIGNATURES;
	o->min_rsa_bits = DKIMV_DEFAULT_MIN_RSA_BITS;
	o->l_policy = 1;
	o->allow_sha1 = 0;
	o->clock_skew = DKIMV_DEFAULT_CLOCK_SKEW;
}

/* ---------------------------------------------------------------- */
/* Per message                                                       */

struct dkimv *
dkimv_new(struct arena *a, struct dns_set *set, const struct dkimv_opts *o, const char *qid)
{
	struct dkimv *d = arena_alloc(a, sizeof(*d));
	DKIM_STAT st = DKIM_STAT_INTERNAL;

	d->a = a;
	dkimv_opts_init(&d->o);
	if (o != NULL) {
		d->o = *o;
		if (d->o.max_signatures == 0)
			d->o.max_signatures = DKIMV_DEFAULT_MAX_SIGNATURES;
		if (d->o.min_rsa_bits == 0)
			d->o.min_rsa_bits = DKIMV_DEFAULT_MIN_RSA_BITS;
	}
	d->qid = qid ? arena_strdup(a, qid) : NULL;
	d->rec = arena_alloc(a, d->o.max_signatures * sizeof(*d->rec));
	d->keys = dkimkeys_new(a, set, d->o.max_signatures);
	if ((d->lib = dkimv_lib_get(d->o.clock_skew)) != NULL)
		d->dkim = dkim_verify(d->lib->lib, (const u_char *)(d->qid ? d->qid : "NOQUEUE"),
		    NULL, &st);
	if (d->dkim != NULL)
		dkim_set_user_context(d->dkim, d);
	else
		log_err(d->qid, "dkim: no verifier handle (%s)", dkim_getresultstr(st));
	return d;
}

struct dkimkeys *
dkimv_keys(struct dkimv *d)
{
	return d->keys;
}

void
dkimv_decide_now(struct dkimv_rec *r, const char *result, const char *comment)
{
	r->out.result = result;
	r->out.comment = comment;
	r->decided = 1;
}

/* "Name:value" with every bare LF made CRLF, as libopendkim wants it. */
static size_t
dkimv_header_text(struct dkimv *d, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), need = nl + 1 + 2 * vl + 1, i, n;
	char *nb;

	if (need > d->hcap) {
		nb = realloc(d->hbuf, need);
		if (nb == NULL) {
			fputs("compauthd: out of memory\n", stderr);
			abort();
		}
		d->hbuf = nb;
		d->hcap = need;
	}
	memcpy(d->hbuf, name, nl);
	n = nl;
	d->hbuf[n++] = ':';
	for (i = 0; i < vl; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			d->hbuf[n++] = '\r';
		d->hbuf[n++] = value[i];
	}
	d->hbuf[n] = '\0';
	return n;
}

void
dkimv_header(struct dkimv *d, const char *name, const char *value)
{
	struct dkimv_rec *r = NULL;
	DKIM_STAT st;
	size_t n;

	if (d->eoh_done || name == NULL)
		return;
	if (value == NULL)
		value = "";
	if (strcasecmp(name, DKIMV_SIG_HEADER) == 0) {
		if (d->nsig_headers++ < d->o.max_signatures) {
			r = &d->rec[d->nrec++];
			dkimv_sig_parse(d, r, value);
		} else if (d->nsig_headers == d->o.max_signatures + 1) {
			log_info(d->qid, "dkim: more than %u signatures; the rest are ignored",
			    d->o.max_signatures);
		}
	}
	if (d->dkim == NULL)
		return;
	n = dkimv_header_text(d, name, value);
	st = dkim_header(d->dkim, (u_char *)d->hbuf, n);
	if (st != DKIM_STAT_OK && r != NULL) {
		const char *e = dkim_geterror(d->dkim);

		r->lib_why = arena_strdup(d->a, e && *e ? e : dkim_getresultstr(st));
	}
}

void
dkimv_eoh(struct dkimv *d)
{
	const char *e;

	if (d->eoh_done)
		return;
	d->eoh_done = 1;
	if (d->dkim == NULL || d->nsig_headers == 0) {
		d->eoh_status = DKIM_STAT_NOSIG;
		return;
	}
	d->eoh_status = dkim_eoh(d->dkim);
	if (d->eoh_status != DKIM_STAT_OK && d->eoh_status != DKIM_STAT_NOSIG) {
		e = dkim_geterror(d->dkim);
		d->eoh_why = arena_strdup(d->a, e && *e ? e : dkim_getresultstr(d->eoh_status));
	}
}

void
dkimv_body(struct dkimv *d, const unsigned char *p, size_t n)
{
	if (!d->eoh_done)
		dkimv_eoh(d);
	if (d->dkim == NULL || d->eoh_status != DKIM_STAT_OK || n == 0)
		return;
	(void)dkim_body(d->dkim, (u_char *)p, n);
}

/* ---------------------------------------------------------------- */
/* End of message                                                    */

static int
dkimv_key_matches_alg(const struct dkimkey *k, enum dkimv_alg alg)
{
	if (alg == ALG_ED25519_SHA256)
		return strcmp(k->k, "ed25519") == 0;
	return strcmp(k->k, "rsa") == 0;
}

/* DNS outcome first: a key we did not get decides before any maths. */
static int
dkimv_decide_key(struct dkimv *d, struct dkimv_rec *r)
{
	struct dkimkey *k = r->key;

	if (k == NULL) {
		dkimv_decide_now(r, "permerror", "key not looked up");
		return 1;
	}
	if (k->state == DKIMKEY_PENDING) {
		dkimv_decide_now(r, "temperror", "key lookup did not finish in time");
		return 1;
	}
	switch (k->status) {
	case DNS_OK:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		dkimv_decide_now(r, "permerror", "no key for signature");
		return 1;
	case DNS_TEMPFAIL:
		dkimv_decide_now(r, "temperror", arena_printf(d->a, "key lookup failed: %s",
		    k->why ? k->why : "temporary DNS error"));
		return 1;
	default:
		dkimv_decide_now(r, "permerror", arena_printf(d->a, "key lookup failed: %s",
		    k->why ? k->why : "unusable DNS answer"));
		return 1;
	}
	if (dkimkey_check(k) != 0) {
		dkimv_decide_now(r, "permerror", arena_strdup(d->a, k->bad));
		return 1;
	}
	if (!dkimv_key_matches_alg(k, r->alg)) {
		dkimv_decide_now(r, "permerror", arena_printf(d->a,
		    "key type k=%s does not match a=%s", k->k, r->out.a));
		return 1;
	}
	return 0;
}

/* libopendkim's per-signature error after dkim_eom, as an RFC 8601 word. */
static void
dkimv_decide_lib(struct dkimv *d, struct dkimv_rec *r, int err)
{
	const char *es = dkim_sig_geterrorstr(err);

	switch (err) {
	case DKIM_SIGERROR_EXPIRED:
		dkimv_decide_now(r, "fail", "signature expired");
		break;
	case DKIM_SIGERROR_FUTURE:
		dkimv_decide_now(r, "fail", "signature timestamp in the future");
		break;
	case DKIM_SIGERROR_BADSIG:
		dkimv_decide_now(r, "fail", "signature did not verify");
		break;
	case DKIM_SIGERROR_TOOLARGE_L:
		dkimv_decide_now(r, "fail", "l= exceeds the body length");
		break;
	case DKIM_SIGERROR_KEYFAIL:
		dkimv_decide_now(r, "temperror", "key lookup failed");
		break;
	case DKIM_SIGERROR_NOKEY:
		dkimv_decide_now(r, "permerror", "no key for signature");
		break;
	case DKIM_SIGERROR_KEYREVOKED:
		dkimv_decide_now(r, "permerror", "key revoked");
		break;
	case DKIM_SIGERROR_KEYHASHMISMATCH:
		dkimv_decide_now(r, "permerror", "key h= does not allow the signature's hash");
		break;
	case DKIM_SIGERROR_SUBDOMAIN:
		dkimv_decide_now(r, "permerror", "key t=s does not allow a subdomain i=");
		break;
	case DKIM_SIGERROR_NOTEMAILKEY:
		dkimv_decide_now(r, "permerror", "key s= is not for email");
		break;
	case DKIM_SIGERROR_DOMAIN:
		dkimv_decide_now(r, "permerror", "i= is not within d=");
		break;
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYTYPEMISSING:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYDECODE:
	case DKIM_SIGERROR_MULTIREPLY:
		dkimv_decide_now(r, "permerror", arena_printf(d->a, "bad key: %s",
		    es ? es : "unusable key record"));
		break;
	default:
		dkimv_decide_now(r, "permerror", arena_printf(d->a, "signature not usable: %s",
		    es ? es : "unknown error"));
		break;
	}
}

static void
dkimv_decide(struct dkimv *d, struct dkimv_rec *r)
{
	unsigned int flags, bits = 0;
	int err, bh;
	ssize_t msglen = -1, canonlen = -1, signlen = -1;
	const char *note = NULL;

	if (r->decided)
		return;
	if (d->dkim == NULL) {
		dkimv_decide_now(r, "temperror", "verifier unavailable");
		return;
	}
	if (d->eoh_why != NULL) {
		dkimv_decide_now(r, "permerror", arena_printf(d->a, "message not verifiable: %s",
		    d->eoh_why));
		return;
	}
	if (r->sig == NULL) {
		dkimv_decide_now(r, "permerror", arena_printf(d->a, "signature not usable: %s",
		    r->lib_why ? r->lib_why : "rejected by the verifier"));
		return;
	}
	if (r->pre_err != DKIM_SIGERROR_UNKNOWN && r->pre_err != DKIM_SIGERROR_OK) {
		dkimv_decide_lib(d, r, r->pre_err);
		return;
	}
	if (dkimv_decide_key(d, r))
		return;

	flags = dkim_sig_getflags(r->sig);
	err = dkim_sig_geterror(r->sig);
	bh = dkim_sig_getbh(r->sig);
	/* An unusable key (t=s, h=, s=, decoding) outranks its size. */
	if (err != DKIM_SIGERROR_OK && err != DKIM_SIGERROR_UNKNOWN && err != DKIM_SIGERROR_BADSIG) {
		dkimv_decide_lib(d, r, err);
		return;
	}
	if (r->alg != ALG_ED25519_SHA256 && dkim_sig_getkeysize(r->sig, &bits) == DKIM_STAT_OK &&
	    bits > 0 && bits < d->o.min_rsa_bits) {
		dkimv_decide_now(r, "fail", arena_printf(d->a, "key too small: %u bits", bits));
		return;
	}
	if ((flags & DKIM_SIGFLAG_PROCESSED) == 0) {
		if (err == DKIM_SIGERROR_UNKNOWN || err == DKIM_SIGERROR_OK)
			dkimv_decide_now(r, "temperror", "verification did not complete");
		else
			dkimv_decide_lib(d, r, err);
		return;
	}
	if ((flags & DKIM_SIGFLAG_PASSED) != 0 && bh == DKIM_SIGBH_MISMATCH) {
		dkimv_decide_now(r, "fail", "body hash did not verify");
		return;
	}
	if ((flags & DKIM_SIGFLAG_PASSED) == 0 || bh != DKIM_SIGBH_MATCH || err == DKIM_SIGERROR_BADSIG) {
		dkimv_decide_now(r, "fail", "signature did not verify");
		return;
	}
	if (r->out.l_used &&
	    dkim_sig_getcanonlen(d->dkim, r->sig, &msglen, &canonlen, &signlen) == DKIM_STAT_OK &&
	    signlen >= 0 && msglen > signlen) {
		if (d->o.l_policy) {
			dkimv_decide_now(r, "fail", arena_printf(d->a,
			    "l= leaves %lld body bytes unsigned", (long long)(msglen - signlen)));
			return;
		}
		note = arena_printf(d->a, "l= leaves %lld body bytes unsigned",
		    (long long)(msglen - signlen));
	}
	if ((flags & DKIM_SIGFLAG_TESTKEY) != 0)
		note = note ? arena_printf(d->a, "%s; key in test mode", note) : "key in test mode";
	dkimv_decide_now(r, "pass", note ? arena_printf(d->a, "signature was verified; %s", note) :
	    "signature was verified");
}

static void
dkimv_release(struct dkimv *d)
{
	d->finished = 1;
	if (d->dkim != NULL) {
		dkim_free(d->dkim);
		d->dkim = NULL;
	}
	if (d->lib != NULL) {
		dkimv_lib_put(d->lib);
		d->lib = NULL;
	}
	free(d->hbuf);
	d->hbuf = NULL;
	d->hcap = 0;
	/* Once: the table may be shared with the message's ARC validator. */
	dkimkeys_release(d->keys);
	d->keys = NULL;
}

void
dkimv_eom(struct dkimv *d, struct dkimv_results *out)
{
	_Bool testkey = 0;
	size_t i, j;
	char *low, *p;

	memset(out, 0, sizeof(*out));
	if (d->finished)
		return;
	if (!d->eoh_done)
		dkimv_eoh(d);
	if (d->dkim != NULL && d->eoh_status == DKIM_STAT_OK)
		(void)dkim_eom(d->dkim, &testkey);
	out->n = d->nrec;
	out->sig = arena_alloc(d->a, (d->nrec ? d->nrec : 1) * sizeof(*out->sig));
	out->pass_domains = arena_alloc(d->a, (d->nrec ? d->nrec : 1) * sizeof(*out->pass_domains));
	for (i = 0; i < d->nrec; i++) {
		struct dkimv_rec *r = &d->rec[i];

		dkimv_decide(d, r);
		out->sig[i] = r->out;
		if (strcmp(r->out.result, "pass") != 0)
			continue;
		low = arena_strdup(d->a, r->out.d);
		for (p = low; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		for (j = 0; j < out->npass_domains; j++)
			if (strcmp(out->pass_domains[j], low) == 0)
				break;
		if (j == out->npass_domains)
			out->pass_domains[out->npass_domains++] = low;
	}
	for (i = 0; i < d->nrec; i++)
		log_debug(d->qid, "dkim: d=%s s=%s a=%s: %s (%s)", d->rec[i].out.d ? d->rec[i].out.d : "-",
		    d->rec[i].out.s ? d->rec[i].out.s : "-", d->rec[i].out.a ? d->rec[i].out.a : "-",
		    d->rec[i].out.result, d->rec[i].out.comment);
	dkimv_release(d);
}

void
dkimv_free(struct dkimv **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	dkimv_release(*dp);
	*dp = NULL;
}
