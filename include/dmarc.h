/*
 * DMARC (RFC 7489, and RFC 9989 which obsoletes it): the author domain of
 * the RFC 5322 From field, the policy record parser, organizational
 * domains (the public suffix list in RFC 7489 mode, the DNS tree walk in
 * RFC 9989 mode), policy discovery as an asynchronous check on the
 * resolver, and the evaluation that turns SPF and DKIM results into a
 * DMARC result, a policy and an action.
 *
 * Lifecycle and threading (see resolver.h for the set's contract):
 *
 *	dns_set_lock(set);
 *	c = dmarc_start(a, set, from_domain, DMARC_RFC9989, qid);
 *	dns_set_unlock(set);
 *	... later (end of message) ...
 *	dns_set_wait(set, deadline);            (or poll dmarc_done() locked)
 *	dns_set_lock(set);
 *	dmarc_eval(c, &inputs, &result);        (copies the result into a)
 *	dns_set_unlock(set);
 *
 *  - dmarc_start() and dmarc_done() need the set locked; dmarc_eval()
 *    needs the set locked or cancelled.
 *  - Every query goes out inside dmarc_start(): in RFC 7489 mode
 *    _dmarc.<from> and _dmarc.<org domain> together; in RFC 9989 mode
 *    every name of the tree walk (at most DMARC_WALK_MAX) plus A, AAAA
 *    and MX of the From domain (np=, does the domain exist?); and, from
 *    dmarc_add_identifier(), the walks of identifiers to align. Answers
 *    are read in walk order at evaluation, so a walk costs one round trip.
 *  - The first dmarc_eval() ends discovery: a lookup still pending reads
 *    as a temporary failure, the check's working memory (its own arena,
 *    used from resolver callbacks) is released, and answers that arrive
 *    later are ignored. dmarc_eval() must therefore be called for every
 *    started check, also on abort (after dns_set_cancel); it may be called
 *    again with other inputs. The set must be cancelled before a is freed.
 */
#ifndef COMPAUTHD_DMARC_H
#define COMPAUTHD_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "resolver.h"
#include "spf.h"

/* RFC 9989 §4.10: a tree walk makes at most this many queries. */
#define DMARC_WALK_MAX 8
/*
 * The longest author domain discovery walks. Names longer than DNS
 * allows are walked (they have no record; their parents may); beyond
 * this the author domain is no domain name at all (permerror).
 */
#define DMARC_DOMAIN_MAX 1024

enum dmarc_mode {
	DMARC_RFC9989 = 0,              /* tree walk, psd=, np=, t=; pct= ignored */
	DMARC_RFC7489,                  /* public suffix list, pct= sampling */
};

/* ---- Author domain (RFC 5322 §3.6.2, RFC 7489 §6.6.1) -------------- */

enum author_status {
	AUTHOR_OK = 0,                  /* one domain (one or several addresses) */
	AUTHOR_NONE,                    /* no From field */
	AUTHOR_MULTIPLE_FIELDS,         /* more than one From field */
	AUTHOR_MULTIPLE_DOMAINS,        /* addresses with different domains */
	AUTHOR_NO_DOMAIN,               /* no address, an address without a
	                                   domain, or a domain literal */
	AUTHOR_SYNTAX,                  /* not an address list */
};

/*
 * The author domain from the values of the From fields, exactly as the
 * MTA passes them (folds kept). On AUTHOR_OK *domain is the domain in
 * lower case without a final dot (memory from a); otherwise *domain is
 * NULL. *why (may be NULL) gets a short reason for logs, always set.
 * Comments, quoted strings, display names, RFC 2047 encoded words, group
 * syntax, route addresses and obsolete empty list elements are handled;
 * at most AUTHOR_MAX_TOKENS tokens are read (beyond: AUTHOR_SYNTAX).
 */
#define AUTHOR_MAX_TOKENS 4096
enum author_status author_domain(struct arena *a, const char *const *values, size_t n,
    const char **domain, const char **why);
/*
 * Every distinct domain of every From field, lower case, in order of
 * appearance (at most AUTHOR_MAX_DOMAINS; more: AUTHOR_SYNTAX), for a
 * receiver that evaluates each author domain (RFC 7489 §6.6.1 allows it).
 * AUTHOR_OK with *ndomains >= 1, or AUTHOR_NONE, AUTHOR_NO_DOMAIN (some
 * field holds no address, or an address without a domain) or
 * AUTHOR_SYNTAX (some field does not parse); never the MULTIPLE ones.
 */
#define AUTHOR_MAX_DOMAINS 32
enum author_status author_domains(struct arena *a, const char *const *values, size_t n,
    const char ***domains, size_t *ndomains, const char **why);
/* "ok" "none" "multiple-from" "multiple-domains" "no-domain" "syntax" */
const char *author_status_name(enum author_status st);

/* ---- Policy record (RFC 7489 §6.3, RFC 9989 §4.7) ------------------ */

enum dmarc_policy {
	DMARC_P_UNSET = 0,              /* tag absent (sp=, np=) */
	DMARC_P_NONE,
	DMARC_P_QUARANTINE,
	DMARC_P_REJECT,
};

enum dmarc_psd {
	DMARC_PSD_U = 0,                /* absent or psd=u */
	DMARC_PSD_Y,
	DMARC_PSD_N,
};

struct dmarc_record {
	enum dmarc_policy p;            /* never UNSET with DMARC_REC_OK */
	enum dmarc_policy sp, np;       /* UNSET when absent (or read as p=none) */
	bool p_defaulted;               /* p=, sp= or np= unusable, read as p=none */
	bool adkim_strict, aspf_strict; /* default relaxed */
	unsigned pct;                   /* 0..100, default 100 */
	bool testing;                   /* t=y */
	enum dmarc_psd psd;
	unsigned ri;                    /* default 86400 */
	const char *rua, *ruf, *fo;     /* as written, NULL when absent */
};

enum dmarc_rec_status {
	DMARC_REC_OK = 0,
	DMARC_REC_NOT_DMARC,            /* does not start with v=DMARC1: ignore */
	DMARC_REC_INVALID,              /* RFC 7489 §6.6.3 step 6: p= absent or
	                                   invalid, or sp= invalid, and no valid
	                                   rua=: permerror */
	DMARC_REC_NO_POLICY,            /* RFC 9989 §4.10.1, the same case: a
	                                   record for the tree walk (its psd=
	                                   counts); as the record that applies,
	                                   no DMARC processing (dmarc=none).
	                                   p, sp, np UNSET */
};

/*
 * Parses one TXT record (len bytes, may hold NUL bytes; several strings
 * of one TXT record already joined). Unknown tags and invalid values of
 * optional tags are ignored (RFC 7489 §6.3, RFC 9989 §4.8). A p= absent
 * or not valid, or an sp= (RFC 9989: or np=) not valid, makes the record
 * read as p=none alone when rua= holds a valid URI (RFC 7489 §6.6.3 step
 * 6, RFC 9989 §4.10.1), and otherwise gives DMARC_REC_INVALID (RFC 7489
 * mode) or DMARC_REC_NO_POLICY (RFC 9989 mode). Tag names and policy
 * words are case-insensitive (ABNF literals), the value DMARC1 is not.
 * Strings are copied into a. why: reason.
 */
enum dmarc_rec_status dmarc_record_parse(struct arena *a, const char *txt, size_t len,
    enum dmarc_mode mode, struct dmarc_record *r, const char **why);
/* "none" "quarantine" "reject"; "" for UNSET */
const char *dmarc_policy_name(enum dmarc_policy p);

/* ---- Organizational domains ----------------------------------------- */

/*
 * The registrable domain of the public suffix list (libpsl, Debian's
 * /usr/share/publicsuffix data): the domain lower-cased (ASCII), or NULL
 * when it is NULL, starts with a dot, or is itself a public suffix.
 * Thread-safe; the list is loaded at first use and replaced by
 * dmarc_psl_reload(), while lookups in progress finish on the old one.
 */
const char *dmarc_psl_registrable(struct arena *a, const char *domain);
/*
 * Loads the public suffix list again and makes it the one lookups use:
 * path NULL or "" is libpsl's choice (psl_latest(): Debian's
 * /usr/share/publicsuffix list, or the data built into libpsl when that
 * is older or missing); else the file, text or DAFSA. 0, or -1 with err
 * set and the list in use kept.
 */
int dmarc_psl_reload(const char *path, char *err, size_t errlen);
/* RFC 7489 §3.2: the registrable domain, or the domain itself. */
const char *dmarc_psl_orgdomain(struct arena *a, const char *domain);
/*
 * RFC 9989 §4.10: the names a tree walk from domain queries (without the
 * _dmarc. prefix), longest first: the domain, then, for 8 labels or more,
 * its last 7 labels, then one label less each time, down to the top-level
 * label. Returns how many (at most DMARC_WALK_MAX), pointers into domain.
 */
size_t dmarc_walk_names(const char *domain, const char *names[DMARC_WALK_MAX]);
/* Is d equal to o or a subdomain of o (both lower case)? */
bool dmarc_domain_within(const char *d, const char *o);

/* ---- Discovery and evaluation --------------------------------------- */

enum dmarc_res {
	DMARC_RES_NONE = 0,
	DMARC_RES_PASS,
	DMARC_RES_FAIL,
	DMARC_RES_BESTGUESSPASS,        /* no record, aligned pass (PSL, relaxed) */
	DMARC_RES_TEMPERROR,
	DMARC_RES_PERMERROR,
};

enum dmarc_action {
	DMARC_ACT_NONE = 0,
	DMARC_ACT_QUARANTINE,
	DMARC_ACT_REJECT,
	DMARC_ACT_PCT_QUARANTINE,       /* RFC 7489 pct= sample said: do not quarantine */
	DMARC_ACT_PCT_REJECT,           /* RFC 7489 pct= sample said: quarantine, not reject */
	DMARC_ACT_OREJECT,              /* reject overridden (set by ARC, not here) */
	DMARC_ACT_PERMERROR,
	DMARC_ACT_TEMPERROR,
};

struct dmarc_inputs {
	enum spf_res spf;               /* only SPF_PASS counts for alignment */
	const char *spf_domain;         /* the domain SPF checked; NULL: none */
	const char *const *dkim_domains;/* d= of passing signatures */
	size_t ndkim;
	/*
	 * RFC 7489 pct= sampling: returns 0..99; the policy applies when the
	 * value is below pct. NULL: random.
	 */
	unsigned (*sample)(void *arg);
	void *sample_arg;
};

/* Compact, for aggregate reports (RFC 9990 <policy_published>, <row>). */
struct dmarc_report_row {
	const char *header_from;
	const char *policy_domain;      /* where the record was found, or NULL */
	enum dmarc_policy p, sp, np;
	unsigned pct;
	bool testing, adkim_strict, aspf_strict;
	enum dmarc_policy disposition;  /* what the receiver applied */
	bool dkim_aligned, spf_aligned;
	enum dmarc_res result;
};

struct dmarc_result {
	enum dmarc_res result;
	enum dmarc_action action;
	const char *header_from;        /* the author domain (header.from=) */
	const char *policy_domain;      /* where the record that applies was
	                                   found (RFC 9989: the author's, its
	                                   org domain's or its PSD's), or NULL */
	const char *org_domain;         /* the author's organizational domain
	                                   (the author domain when unknown) */
	const char *policy_tag;         /* "p" "sp" "np", NULL without a record */
	enum dmarc_policy policy;       /* published policy that applies (fail) */
	enum dmarc_policy effective;    /* after t=y (RFC 9989 §4.7) */
	enum dmarc_policy disposition;  /* after t= and pct= */
	bool testing;                   /* t=y lowered the policy */
	bool sampled_out;               /* pct= sample: policy not applied */
	bool nonexistent;               /* From domain gave NXDOMAIN (np=) */
	bool spf_aligned, dkim_aligned;
	const char *dkim_domain;        /* the first aligned d=, or NULL */
	const char *why;                /* for logs, or NULL; on pass and fail:
	                                   several records discarded on the
	                                   way (RFC 9989) */
	const char *comment;            /* the why an A-R comment should carry:
	                                   NULL when the result says it all
	                                   (plain pass, fail, none) */
	struct dmarc_record record;     /* valid when policy_domain != NULL */
	struct dmarc_report_row row;
};

struct dmarc_check;

/*
 * Starts policy discovery for from_domain (the author domain, lower
 * case). Set locked. from_domain NULL or not a domain name: the check is
 * done at once with permerror. qid (may be NULL) for log lines. Never NULL.
 */
struct dmarc_check *dmarc_start(struct arena *a, struct dns_set *set,
    const char *from_domain, enum dmarc_mode mode, const char *qid);
/*
 * RFC 9989 mode: walk for an identifier that relaxed alignment will check
 * (the MAIL FROM domain, a DKIM-Signature's d=) too, so that its own
 * Organizational Domain is known (§4.10.2). Set locked, before the first
 * dmarc_eval(); at most DMARC_IDENT_MAX identifiers; names already asked
 * are not asked again. Without it, an identifier within the author's
 * Organizational Domain is taken to share it. RFC 7489 mode: nothing.
 */
#define DMARC_IDENT_MAX 4
/*
 * The most queries one check sends (walk, existence, identifiers): a set
 * of its own with this budget per check is never refused for budget.
 */
#define DMARC_DNS_BUDGET (DMARC_WALK_MAX + 3 + DMARC_IDENT_MAX * DMARC_WALK_MAX)
void dmarc_add_identifier(struct dmarc_check *c, const char *domain);
/* Has every answer discovery needs arrived? (Set locked.) */
bool dmarc_done(const struct dmarc_check *c);
/* See the lifecycle above. out's memory is from the check's arena. */
void dmarc_eval(struct dmarc_check *c, const struct dmarc_inputs *in, struct dmarc_result *out);

/* "none" "pass" "fail" "bestguesspass" "temperror" "permerror" */
const char *dmarc_result_name(enum dmarc_res r);
/* "none" "quarantine" "reject" "pct.quarantine" "pct.reject" "oreject" ... */
const char *dmarc_action_name(enum dmarc_action act);

#endif
