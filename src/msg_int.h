/*
 * What the pipeline's files share about one session and one message:
 * msg.c runs the callbacks, msg_results.c turns the engines' findings
 * into Authentication-Results entries and the compauth verdict.
 */
#ifndef COMPAUTHD_MSG_INT_H
#define COMPAUTHD_MSG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "arc.h"
#include "arc_trust.h"
#include "authres.h"
#include "dkimv.h"
#include "dmarc.h"
#include "iprev.h"
#include "msg.h"
#include "netaddr.h"
#include "spf.h"
#include "verdict.h"

#define MSG_MAX_AR_DELETE 10000

struct session {
	struct runtime *rt;
	struct arena *arena;            /* the milter thread's */
	struct arena *dns_arena;        /* written by DNS callbacks, under the set lock */
	const char *hostname;
	struct netaddr ip;
	const char *helo;
	const char *trusted_why;        /* non-NULL: this client is not checked */
	struct dns_set *dns;
	struct iprev *iprev;
};

struct msg_header {
	struct msg_header *next;
	const char *name;
	const char *value;
};

struct msg {
	struct session *s;
	const struct config *cfg;
	struct arena *arena;
	struct dns_set *dns;
	char qid[64];
	const char *sender;
	const char *skip_why;           /* non-NULL: not checked (auth, trusted) */
	const char *skip_reason;        /* its compauth reason: "301" or "302" */
	struct msg_header *hdr_head, *hdr_tail;
	unsigned nheaders;
	size_t header_bytes;
	int oversize;
	unsigned ar_seen;
	unsigned *ar_delete;
	size_t ndelete, delete_cap;
	int ar_delete_overflow;
	struct dkimv *dkim;             /* every DKIM-Signature; keys fetched as they arrive */
	struct arc *arc;                /* the ARC chain; keys fetched as its headers arrive */
	int arc_done;                   /* arc_res is final */
	struct arc_results arc_res;
	size_t ndkim_pass;              /* d= of each passing signature, for DMARC */
	const char **dkim_pass;
	struct dmarc_check *dmarc;      /* started at end of headers */
	enum author_status author;      /* of the From header(s) */
	const char *author_why;
	const char *author_domain;
	int dmarc_evaluated;
	struct dmarc_report_row dmarc_row;  /* what aggregate reports will store */
	struct spf_check *spf;          /* MAIL FROM identity, started at MAIL FROM */
	int spf_finished;
	struct spf_result spf_res;
	struct msg_outcome out;
};

/* Results of the checks, in header order, collected at end of message. */
#define MSG_MAX_RESULTS 24

struct msg_results {
	struct ar_result r[MSG_MAX_RESULTS];
	struct ar_prop p[MSG_MAX_RESULTS][4];
	size_t n;
	int temperror;
};

static inline const char *
msg_qid_or_null(const struct msg *m)
{
	return m->qid[0] ? m->qid : NULL;
}

/* SPF's verdict, read once (set locked inside). */
void msg_spf_finish(struct msg *m);

void msg_add_spf(struct msg *m, struct msg_results *mr);
void msg_add_iprev(struct msg *m, struct msg_results *mr);
void msg_add_dkim(struct msg *m, struct msg_results *mr);
void msg_dmarc_eval(struct msg *m, struct dmarc_result *dr);
void msg_add_dmarc(struct msg *m, struct msg_results *mr, const struct dmarc_result *dr);
/* The chain's verdict into m->arc_res, once (set locked inside). */
void msg_arc_finish(struct msg *m);
bool msg_arc_vouch(struct msg *m, struct dmarc_result *dr, struct arc_vouch *vouch);
void msg_add_arc(struct msg *m, struct msg_results *mr);
/* vouch: the trusted sealer's word when msg_arc_vouch said so, else NULL. */
void msg_add_compauth(struct msg *m, struct msg_results *mr, const struct dmarc_result *dr,
    const struct arc_vouch *vouch, struct verdict *v);
int msg_domain_listed(const char *d, const struct str_list *l);

#endif
