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
#include "author.h"
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

/*
 * From fields are kept wherever they stand, also past the header limits
 * (a second From hidden behind 1000 padding fields must still count), up
 * to these bounds; beyond them the author cannot be read in full and the
 * message is treated as the strictest reading allows (msg_dmarc.c).
 */
#define MSG_RCPT_DOMAINS 16
#define MSG_FROM_KEEP 16
#define MSG_FROM_BYTES (256u * 1024)

struct msg {
	struct session *s;
	const struct config *cfg;
	struct arena *arena;
	/*
	 * One DNS set per kind of lookup, each with its own budget, so that
	 * names a sender chooses (signing keys in its headers, its own SPF
	 * records) can never spend the queries the verdict depends on.
	 */
	struct dns_set *dns;            /* DKIM and ARC keys: dns_query_budget */
	struct dns_set *spf_dns;        /* SPF: SPF_DNS_BUDGET, RFC 7208's limits decide */
	struct dns_set *dmarc_dns;      /* DMARC discovery: sized for its walks */
	int dns_closed;                 /* sets cancelled at end of message: no lock needed */
	char qid[64];
	const char *sender;
	const char *skip_why;           /* non-NULL: not checked (auth, trusted) */
	const char *skip_reason;        /* its compauth reason: "301" or "302" */
	unsigned nheaders;
	size_t header_bytes;
	int oversize;
	const char *from_values[MSG_FROM_KEEP];
	size_t nfrom;                   /* kept */
	size_t nfrom_seen;              /* every From field, kept or not */
	size_t from_bytes;
	int from_overflow;              /* a From field we could not keep */
	unsigned ar_seen;
	unsigned *ar_delete;
	size_t ndelete, delete_cap;
	uint64_t metrics_t0;             /* MAIL FROM, for compauthd_message_seconds */
	int ar_delete_overflow;
	struct dkimv *dkim;             /* every DKIM-Signature; keys fetched as they arrive */
	struct arc *arc;                /* the ARC chain; keys fetched as its headers arrive */
	int arc_done;                   /* arc_res is final */
	struct arc_results arc_res;
	int dkim_done;                  /* dkim_res is final */
	struct dkimv_results dkim_res;
	size_t ndkim_pass;              /* d= of each passing signature, for DMARC */
	const char **dkim_pass;
	struct author_set authors;      /* every author domain of the From fields */
	bool dns_could_decide;          /* a temperror on an identity that could align */
	struct dmarc_check *dmarc[AUTHOR_EVAL_MAX]; /* one per author domain, from end of headers */
	size_t ndmarc;
	int dmarc_started;
	enum author_status author;      /* of the From header(s), strictly read */
	const char *author_domain;      /* set when exactly one was evaluated */
	int dmarc_evaluated;
	struct dmarc_report_row dmarc_row;  /* what aggregate reports will store */
	struct spf_check *spf;          /* MAIL FROM identity, started at MAIL FROM */
	int spf_finished;
	struct spf_result spf_res;
	struct msg_outcome out;
	/* For the report store (msg_report.c). */
	const char *subject, *content_type;     /* the first of each, or NULL */
	/*
	 * The recipient domains, lower case, distinct, in RCPT order: at most
	 * MSG_RCPT_DOMAINS are kept (a message to 10 000 domains must not
	 * cost 10 000 entries); nrcpt counts every RCPT.
	 */
	const char *rcpt_domains[MSG_RCPT_DOMAINS];
	size_t nrcpt_domains, nrcpt;
	/* mailing_lists: the first List-Id, and how many came (any cap). */
	const char *list_id;
	unsigned nlist_id;
	const char *via_list;           /* a DMARC failure not enforced (mailing_lists):
	                                   the List-Id, for reports */
	const struct dkimv_sig *dkim_sigs;      /* every signature's result */
	size_t ndkim_sigs;
	/* failure_reports: the redacted header fields kept (msg_failure.c). */
	char *fr_buf;
	size_t fr_len;
	bool fr_trunc;
};

/*
 * Results of the checks, in header order, collected at end of message:
 * one per DKIM signature plus one each for the other methods. Sized at
 * end of message from max_dkim_signatures; msg_result_slot() keeps room
 * for the entries that must always be written (dmarc, arc, compauth).
 */
#define MSG_RESULT_PROPS 6
#define MSG_RESULTS_FIXED 8             /* spf iprev dmarc arc compauth, and spare */

struct msg_results {
	struct ar_result *r;
	struct ar_prop (*p)[MSG_RESULT_PROPS];
	size_t n, cap;
};

void msg_results_init(struct msg *m, struct msg_results *mr);
/*
 * The next entry and its properties, zeroed, or NULL when fewer than
 * reserve + 1 are left (the caller then writes nothing). Call
 * msg_result_commit() once it is filled.
 */
struct ar_result *msg_result_slot(struct msg_results *mr, size_t reserve, struct ar_prop **p);
void msg_result_commit(struct msg_results *mr);
/*
 * Could a temporary DNS failure on identity d have changed the verdict: does
 * d share an author domain's organizational domain (or lie within it)?
 */
void msg_note_dns_failure(struct msg *m, const char *d);

/* Lock a set unless end of message already cancelled it (see msg_eom). */
void msg_set_lock(const struct msg *m, struct dns_set *set);
void msg_set_unlock(const struct msg *m, struct dns_set *set);

struct store_msg;
/* failure_reports: keeps a redacted copy of a field a failure report shows. */
void msg_failure_header(struct msg *m, const char *name, const char *value, size_t vlen);
/* Adds the failure sample to sm when this message gets an RFC 9991 report. */
void msg_failure_sample(struct msg *m, const struct dmarc_result *dr, struct store_msg *sm);

static inline const char *
msg_qid_or_null(const struct msg *m)
{
	return m->qid[0] ? m->qid : NULL;
}

/* SPF's verdict, read once (set locked inside). */
void msg_spf_finish(struct msg *m);

void msg_add_spf(struct msg *m, struct msg_results *mr);
void msg_add_iprev(struct msg *m, struct msg_results *mr);
/* msg_history.c: implicit authentication (history.h). */
#define MSG_HISTORY_IDS 17     /* passing d= (the first 16) and the SPF domain */
/* A fail 001 read against the author's history; comment for the header. */
void msg_implicit(struct msg *m, const struct dmarc_result *dr, struct verdict *v,
    const char **comment);
/* What the message teaches the store, into sm. */
struct store_msg;
void msg_history_learn(struct msg *m, const struct dmarc_result *dr, const struct verdict *v,
    struct store_msg *sm);
/* An authenticated submission: its recipients' domains, for recipient history. */
void msg_history_outbound(struct msg *m);
void msg_dkim_finish(struct msg *m);
void msg_add_dkim(struct msg *m, struct msg_results *mr);
/* msg_dmarc.c: the author domains, their policies, and what DMARC asks of the MTA. */
void msg_note_from(struct msg *m, const char *value, size_t vlen);
void msg_start_dmarc(struct msg *m);
void msg_dmarc_eval(struct msg *m, struct dmarc_result *dr);
void msg_dmarc_release(struct msg *m);
void msg_add_dmarc(struct msg *m, struct msg_results *mr, const struct dmarc_result *dr);
void msg_enforce(struct msg *m, const struct dmarc_result *dr, const struct verdict *v);
/* The chain's verdict into m->arc_res, once (set locked inside). */
void msg_arc_finish(struct msg *m);
bool msg_arc_vouch(struct msg *m, struct dmarc_result *dr, struct arc_vouch *vouch);
void msg_add_arc(struct msg *m, struct msg_results *mr);
/* vouch: the trusted sealer's word when msg_arc_vouch said so, else NULL. */
void msg_add_compauth(struct msg *m, struct msg_results *mr, const struct dmarc_result *dr,
    const struct arc_vouch *vouch, struct verdict *v);
int msg_domain_listed(const char *d, const struct str_list *l);
/* Hands the message's DMARC facts to the report writer (end of message). */
void msg_report(struct msg *m, const struct dmarc_result *dr, const struct verdict *v,
    const struct arc_vouch *vouch);

#endif
