/*
 * SPF (RFC 7208): the check_host() of one identity, run as a resumable
 * state machine on the resolver. A check starts at HELO or MAIL FROM time,
 * its queries go out at once, answers advance it on the resolver thread,
 * and end of message reads the result. No call here blocks.
 *
 * Lifecycle and threading (see resolver.h for the set's contract):
 *
 *	dns_set_lock(set);
 *	chk = spf_start_mailfrom(a, set, &ip, helo, sender, &opts, qid);
 *	dns_set_unlock(set);
 *	... later ...
 *	dns_set_wait(set, deadline);            (or poll spf_done() locked)
 *	dns_set_lock(set);
 *	spf_finish(chk, &res);                  (copies the result into a)
 *	dns_set_unlock(set);
 *
 *  - spf_start_*() and spf_done() need the set locked; spf_finish() needs
 *    the set locked or cancelled (dns_set_cancel), so no answer of this
 *    check runs at the same time.
 *  - spf_finish() must be called for every started check, also on abort
 *    (after dns_set_cancel): it releases the check's working memory.
 *    Answers that arrive after it are ignored; calling it again returns
 *    the same result.
 *  - The arena a holds the check handle and, after spf_finish(), the
 *    result. It is touched only inside spf_start_*() and spf_finish(), on
 *    the caller's thread; working memory used from resolver callbacks is
 *    the check's own. The set must be cancelled before a is freed (as for
 *    every user of the set).
 *  - DNS cost: the evaluation itself makes at most 123 queries (RFC 7208
 *    §4.6.4: the first record; 10 DNS terms, each one query and up to 10
 *    MX or PTR names; %{p}'s PTR and 10 names; exp=), plus at most
 *    SPF_PREFETCH_MAX prefetches (answers the in-order evaluation will
 *    probably need). Prefetches never change the result or the counted
 *    limits, except that they spend the set's query budget: give the check
 *    a set of its own with SPF_DNS_BUDGET, or set opts.no_prefetch. A
 *    query the budget refuses when the evaluation needs it makes the
 *    result permerror ("DNS query budget spent"), never temperror.
 *  - Work and memory: every macro expansion of one check together reads
 *    and writes at most 64 KiB (more is permerror, "macro expansion
 *    limit"), a term holds at most 64 macros; the check's working memory
 *    (at most 11 records and what they reach) stays under 512 KiB and is
 *    released by spf_finish().
 */
#ifndef COMPAUTHD_SPF_H
#define COMPAUTHD_SPF_H

#include <stdbool.h>

#include "arena.h"
#include "netaddr.h"
#include "resolver.h"

#define SPF_PREFETCH_MAX 16
/*
 * The query budget of a set that holds one check alone: the in-order
 * worst case plus every prefetch, so the limits that decide the result
 * are RFC 7208's own and never the budget.
 */
#define SPF_DNS_BUDGET (123 + SPF_PREFETCH_MAX)

enum spf_res {
	SPF_NONE = 0,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};

struct spf_opts {
	const char *receiver;           /* %{r} and Received-SPF receiver=; NULL: "unknown" */
	const char *default_exp;        /* fail explanation when exp= gives none; NULL: built in */
	bool no_prefetch;               /* one query at a time, in evaluation order */
};

struct spf_result {
	enum spf_res result;
	const char *identity;           /* "mailfrom" or "helo" */
	const char *domain;             /* the domain checked (sender's or HELO's) */
	const char *sender;             /* the <sender> checked: mailbox or postmaster@helo */
	const char *explanation;        /* fail only (RFC 7208 §6.2), else NULL */
	const char *problem;            /* why, for logs and comments (errors, none); or NULL */
	const char *mechanism;          /* the top-level term that matched, or NULL */
	/* For Received-SPF (RFC 7208 §9.1): */
	const char *client_ip;
	const char *envelope_from;      /* MAIL FROM as given; NULL for a HELO-only check */
	const char *helo;
	const char *receiver;
	unsigned dns_terms;             /* DNS-querying terms counted (§4.6.4), for tests/logs */
	unsigned void_lookups;
	size_t macro_work;              /* bytes of macro expansion work spent */
	size_t memory;                  /* the check's working memory at its end, bytes */
};

struct spf_check;

/*
 * MAIL FROM identity (RFC 7208 §2.4). sender "" is the null reverse-path:
 * then postmaster@helo is checked and identity is "helo" (§2.4). helo is
 * the HELO/EHLO argument (%{h}); ip the client (v4-mapped v6 counts as v4).
 * qid: for log lines, may be NULL. Set locked. Never NULL.
 */
struct spf_check *spf_start_mailfrom(struct arena *a, struct dns_set *set,
    const struct netaddr *ip, const char *helo, const char *sender,
    const struct spf_opts *opts, const char *qid);
/* HELO identity (RFC 7208 §2.3): postmaster@helo. Set locked. Never NULL. */
struct spf_check *spf_start_helo(struct arena *a, struct dns_set *set,
    const struct netaddr *ip, const char *helo, const struct spf_opts *opts,
    const char *qid);
/* Has the evaluation reached its result? (Set locked.) */
bool spf_done(const struct spf_check *c);
/*
 * The result, copied into the check's arena (see the lifecycle above).
 * An evaluation still waiting for DNS reads as temperror "DNS deadline".
 */
void spf_finish(struct spf_check *c, struct spf_result *out);

/* "none" "neutral" "pass" "fail" "softfail" "temperror" "permerror" */
const char *spf_result_name(enum spf_res r);
/*
 * Received-SPF field value (RFC 7208 §9.1), one line, no field name:
 * pass (mx.example: domain of a@b designates 192.0.2.1 as permitted
 * sender) client-ip=192.0.2.1; envelope-from="a@b"; helo=h.example;
 * receiver=mx.example; identity=mailfrom;
 */
const char *spf_received_spf(struct arena *a, const struct spf_result *r);

#endif
