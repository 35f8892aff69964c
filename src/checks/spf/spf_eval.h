/*
 * SPF evaluator state, shared by the state machine (spf.c) and its DNS side
 * (spf_lookup.c: the per-check lookup table, answer copies, %{p}, record
 * fetch and prefetch). Internal to those two files.
 */
#ifndef COMPAUTHD_SPF_EVAL_H
#define COMPAUTHD_SPF_EVAL_H

#include "resolver.h"
#include "spf_int.h"

#define SPF_MAX_DNS_TERMS 10            /* §4.6.4 */
#define SPF_MAX_VOID 2                  /* §4.6.4, the recommended default */
#define SPF_MAX_NAMES 10                /* MX or PTR names per term, §4.6.4 */
#define SPF_MAX_DEPTH (SPF_MAX_DNS_TERMS + 1)
/*
 * Lookups of one evaluation in record order, at most: the first record's
 * TXT; per counted term its own query plus one per MX or PTR name; %{p}'s
 * PTR and one per name; the exp= TXT (§4.6.4, §5.4, §5.5, §6.2).
 */
#define SPF_INORDER_LOOKUPS (1 + SPF_MAX_DNS_TERMS * (1 + SPF_MAX_NAMES) + \
	(1 + SPF_MAX_NAMES) + 1)
#define SPF_LOOKUPS (SPF_INORDER_LOOKUPS + SPF_PREFETCH_MAX)
#define SPF_MAX_STEPS 100000            /* defence against an evaluator bug */
/*
 * A longer MAIL FROM is a permerror. What a long one costs is bounded by
 * the macro work account, not by this; no MTA passes a longer one through
 * the milter protocol (a command of at most 64 KiB).
 */
#define SPF_SENDER_MAX 65536
#define SPF_SENDER_MAX_TEXT "65535"

enum lk_state { LK_PENDING = 1, LK_DONE };

struct lk_mx {
	unsigned pref;
	const char *host;
};

struct lk_txt {
	const char *data;
	size_t len;
};

/* One (name, type) query of a check. Lives in the caller's arena, so a late answer finds it. */
struct spf_lookup {
	struct spf_check *chk;
	const char *name;
	enum dns_type type;
	unsigned char state;
	enum dns_status status;
	bool budget;                    /* not sent: the set's query budget was spent */
	const char *why;
	size_t n;
	union {
		struct in_addr *a4;
		struct in6_addr *a6;
		struct lk_mx *mx;
		const char **names;
		struct lk_txt *txt;
	} u;
};

/* A target the prefetch expanded, which the in-order walk takes over. */
struct spf_pre {
	size_t term;                    /* its index; nterms: the redirect */
	const char *name;               /* NULL: the expansion hit a limit */
	const char *why;
	size_t work;                    /* what the expansion cost */
};

/* One check_host() invocation: the top one, or one per nested include. */
struct spf_frame {
	const char *domain;             /* <domain>, %{d} */
	struct spf_record *rec;         /* NULL while its TXT lookup is outstanding */
	struct spf_lookup *rec_lk;
	bool redirected;                /* rec came from redirect= (no record: permerror) */
	size_t next;                    /* term being evaluated; nterms: redirect/default */
	int stage;                      /* progress within that term */
	const char *target;
	struct spf_lookup *lk;
	size_t nsub;
	struct spf_lookup *sub[SPF_MAX_NAMES];
	enum spf_res child;             /* result of the include frame that returned */
	size_t npre;
	struct spf_pre pre[SPF_MAX_DNS_TERMS];
};

enum p_state { P_NONE = 0, P_PTR, P_ADDR, P_DONE };

struct spf_check {
	struct arena *a;                /* caller's: handle and final result */
	struct arena *w;                /* ours: everything made from callbacks */
	struct dns_set *set;
	const char *qid;
	bool finished, done, in_exp, no_prefetch;
	struct spf_result out;
	enum spf_res res;
	const char *problem, *mechanism, *explanation;
	struct netaddr ip;
	const char *identity, *domain, *envelope_from, *default_exp;
	struct spf_macro_vars vars;
	struct spf_macro_work work;     /* the in-order evaluation's expansions */
	struct spf_macro_work pre_work; /* the prefetches' own: they never spend the other */
	bool p_budget;                  /* %{p} needed a query the budget refused */
	unsigned dns_terms, voids, prefetches;
	size_t depth;
	struct spf_frame frame[SPF_MAX_DEPTH];
	int exp_stage;
	struct spf_lookup *exp_lk;
	const char *exp_text;
	enum p_state p_state;
	struct spf_lookup *p_ptr;
	size_t p_n, p_nvalid;
	const char *p_names[SPF_MAX_NAMES], *p_valid[SPF_MAX_NAMES];
	struct spf_lookup *p_lk[SPF_MAX_NAMES];
	size_t nlk;
	struct spf_lookup lk[SPF_LOOKUPS];
};

enum spf_fetch { F_WAIT, F_RECORD, F_NONE, F_FINAL };

/* spf.c */
void spf_final(struct spf_check *c, enum spf_res res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void spf_run(struct spf_check *c);

/* spf_lookup.c */
struct spf_lookup *spf_lookup(struct spf_check *c, const char *name, enum dns_type type,
    bool prefetch);
bool spf_name_askable(const char *name);
enum dns_type spf_addr_type(const struct spf_check *c);
bool spf_addr_match(const struct spf_check *c, const struct spf_lookup *lk, unsigned cidr4,
    unsigned cidr6);
const char *spf_strip_dot(struct arena *a, const char *name);
bool spf_name_within(const char *name, const char *domain);
bool spf_p_ready(struct spf_check *c);
bool spf_lookup_budget(struct spf_check *c, const struct spf_lookup *lk);
void spf_frame_vars(const struct spf_check *c, const char *domain, struct spf_macro_vars *v);
enum spf_fetch spf_fetch_record(struct spf_check *c, struct spf_lookup *lk,
    struct spf_record **rec);
void spf_prefetch(struct spf_check *c, struct spf_frame *f);

#endif
