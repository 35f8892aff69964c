/*
 * What dkimv.c (the libopendkim glue, the verdicts) and dkimv_sig.c (what
 * a DKIM-Signature says before any DNS) share. Private to those two.
 */
#ifndef COMPAUTHD_DKIMV_INT_H
#define COMPAUTHD_DKIMV_INT_H

#include <stddef.h>

#include <opendkim/dkim.h>

#include "arena.h"
#include "dkimkey.h"
#include "dkimv.h"

enum dkimv_alg { ALG_UNKNOWN = 0, ALG_RSA_SHA256, ALG_RSA_SHA1, ALG_ED25519_SHA256 };

/* One DKIM-Signature header within max_signatures. */
struct dkimv_rec {
	struct dkimv_sig out;
	int decided;                    /* out.result is final */
	enum dkimv_alg alg;
	const char *bnows;              /* b= without FWS: pairs us with libopendkim */
	struct dkimkey *key;
	const char *lib_why;            /* libopendkim refused the header */
	DKIM_SIGINFO *sig;              /* libopendkim's view, NULL if none */
	int pre_err;                    /* its error before any key was fetched */
};

struct dkimv_lib;

struct dkimv {
	struct arena *a;
	struct dkimkeys *keys;          /* set locked */
	struct dkimv_opts o;
	const char *qid;
	struct dkimv_lib *lib;          /* held until dkimv_release: dkim is of it */
	DKIM *dkim;
	DKIM_STAT eoh_status;
	int eoh_done;
	const char *eoh_why;
	struct dkimv_rec *rec;
	size_t nrec;
	unsigned nsig_headers;          /* every DKIM-Signature seen */
	int finished;                   /* after eom/free: answers are dropped */
	char *hbuf;                     /* "Name:value" with CRLF folds */
	size_t hcap;
};

/* r's verdict is final: result and comment (static or in the arena). */
void dkimv_decide_now(struct dkimv_rec *r, const char *result, const char *comment);

/*
 * Reads one DKIM-Signature value when its header arrives: what can be
 * judged from it alone is decided now (no DNS, no hashing for it), else
 * its key query goes out. Set locked.
 */
void dkimv_sig_parse(struct dkimv *d, struct dkimv_rec *r, const char *value);

#endif
