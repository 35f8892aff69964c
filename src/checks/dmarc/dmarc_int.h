/*
 * What the two halves of a DMARC check share: dmarc.c sends the queries,
 * keeps their answers and evaluates; dmarc_walk.c reads what the answers
 * say (which record applies, which organizational domain) the way RFC
 * 7489 §6.6.3 and RFC 9989 §4.10 read them. Not for other modules.
 */
#ifndef COMPAUTHD_DMARC_INT_H
#define COMPAUTHD_DMARC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "dmarc.h"

/* The why of a plain none: the result says it all, no A-R comment. */
#define DMARC_WHY_NO_RECORD "no DMARC record"

enum lk_state {
	LK_PENDING = 0,
	LK_TEMP,                        /* temporary failure, or never sent */
	LK_NONE,                        /* NXDOMAIN, NODATA, no DMARC record */
	LK_MULTI,                       /* several DMARC records: discarded
	                                   (RFC 9989), the end (RFC 7489) */
	LK_REC,                         /* exactly one record (may be nopolicy) */
	LK_INVALID,                     /* exactly one, unusable (RFC 7489) */
	LK_REFUSED,                     /* not sent: the set's budget is spent */
};

struct lookup {
	const char *name;               /* the domain, without _dmarc. */
	enum lk_state st;
	struct dmarc_record rec;
	bool nopolicy;                  /* RFC 9989 DMARC_REC_NO_POLICY */
	const char *why;
};

struct qarg {
	struct dmarc_check *c;
	int idx;                        /* lookup index, or -1 - existence query */
};

#define DMARC_NEXIST 3                  /* A, AAAA, MX of the From domain */
#define DMARC_LK_MAX (DMARC_WALK_MAX * (1 + DMARC_IDENT_MAX))

/* What the alignment of identifiers needs of a lookup, kept after finish. */
struct orgent {
	const char *name;
	enum lk_state st;
	enum dmarc_psd psd;
	const char *why;
};

struct dmarc_check {
	struct arena *a;                /* caller's: handle, args, final copy */
	struct arena *w;                /* ours: everything callbacks write */
	struct dns_set *set;
	enum dmarc_mode mode;
	const char *qid;
	const char *from;
	const char *psl_org;            /* RFC 7489 organizational domain */
	bool finished;
	unsigned pending;
	size_t nlk;                     /* the author's walk: lk[0 .. nlk-1] */
	size_t nall;                    /* then identifiers' names up to nall */
	unsigned nident;
	struct lookup lk[DMARC_LK_MAX];
	struct qarg args[DMARC_LK_MAX + DMARC_NEXIST];
	struct orgent *ents;            /* in a, after finish */
	size_t nents;
	enum dns_status exist[DMARC_NEXIST];
	bool exist_done[DMARC_NEXIST];
	size_t walk_left;               /* lookups of the author's walk unanswered */
	bool exist_decided;             /* existence asked, or known to be moot */
	/* The outcome of discovery, in a, set by the first dmarc_eval(). */
	struct {
		enum dmarc_res res;     /* NONE, TEMPERROR, PERMERROR, or PASS = record */
		const char *policy_domain;
		struct dmarc_record rec;
		const char *org;
		const char *org_why;    /* RFC 9989: org unknown (DNS), why */
		bool nonexistent;
		const char *why;
	} out;
};

enum org_st {
	ORG_KNOWN,
	ORG_NOT_ASKED,                  /* a name of the walk was not asked */
	ORG_UNKNOWN,                    /* a name of the walk failed (DNS) */
};

/* Fills c->out (and, RFC 9989, c->ents) from the answers, in c->a. */
void dmarc_discover(struct dmarc_check *c);
/*
 * RFC 9989 §4.10.2: the Organizational Domain of domain (lower case) from
 * the answers its walk got, into *org (domain itself when nothing says
 * otherwise); ORG_UNKNOWN sets *why. After dmarc_discover().
 */
enum org_st dmarc_org_of(const struct dmarc_check *c, const char *domain, const char **org,
    const char **why);

#endif
