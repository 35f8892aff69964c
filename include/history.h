/*
 * Implicit authentication (compauth 2xx, 6xx): what the report store
 * knows of an author domain's mail, as a read-only snapshot the daemon's
 * writer thread loads from the store every HISTORY_REFRESH_S seconds
 * (several MX hosts sharing a PostgreSQL store share it too), so that a
 * verdict reads memory, never the store.
 *
 * The store learns (history_store.c, in the writer's transaction):
 *  - sender history, per author organizational domain, only from mail
 *    that authenticated explicitly (compauth=pass 100 or 109; never a
 *    softpass, an ARC override, a trusted or authenticated client): the
 *    passing DKIM d=, the passing SPF (MAIL FROM) domain, the client
 *    network (/24, /48) and the PTR organizational domain of a passing
 *    iprev, each with a count and first and last seen; per domain, the
 *    explicitly authenticated messages (pass) and, for domains already
 *    known, the ones that were not (fail);
 *  - recipient history, only from authenticated submissions (reason
 *    301): the organizational domains our users write to.
 * Keys are organizational domains by the public suffix list (no DNS).
 *
 * An identity is evidence for an author only when it is within the
 * author's organizational domain or history has seen it authenticate for
 * that author domain alone: a d= or SPF domain a service shares among its
 * customers would let any customer pass as any other (history_signals).
 */
#ifndef COMPAUTHD_HISTORY_H
#define COMPAUTHD_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;

#define HISTORY_REFRESH_S 60
/* Values kept per domain and kind (dkim spf net ptr); the most seen stay. */
#define HISTORY_KIND_MAX 16

enum history_kind { HIST_DKIM = 0, HIST_SPF, HIST_NET, HIST_PTR, HIST_NKINDS };

struct history;

struct history_limits {
	size_t max_domains;             /* sender and recipient domains loaded, each */
};

/* Loads a snapshot from the store; NULL with err set. */
struct history *history_load(struct store *s, const struct history_limits *lim,
    char *err, size_t errlen);
/* Snapshots are shared: history_ref() takes one more reference. */
struct history *history_ref(struct history *h);
void history_release(struct history **hp);
/* Domains with sender history, recipient domains (for logs and tests). */
size_t history_ndomains(const struct history *h);
size_t history_nrecipients(const struct history *h);

/* What one message shows, read against the history of its author. */
struct history_query {
	const char *org;                /* author organizational domain (lower case) */
	const char *const *ids;         /* passing DKIM d= and SPF domain (lower case) */
	const enum history_kind *id_kinds;      /* HIST_DKIM or HIST_SPF, each */
	size_t nids;
	const char *net;                /* "192.0.2.0/24", "2001:db8::/48", or NULL */
	const char *ptr;                /* PTR organizational domain (iprev pass), or NULL */
	unsigned threshold;             /* N: counts below it are not a signal */
};

struct history_signals {
	bool known;                     /* the author domain has sender history */
	uint64_t pass, fail;            /* its explicitly authenticated messages, and not */
	uint64_t correspondent;         /* messages our users sent to it */
	/* Seen at least threshold times authenticating for this author: */
	const char *id;                 /* an identity of the message, or NULL */
	uint64_t id_count;
	const char *net;                /* its network, or NULL */
	uint64_t net_count;
	const char *ptr;                /* its PTR org domain, or NULL */
	uint64_t ptr_count;
	bool seen_any;                  /* any of identity, network, PTR seen at all */
	const char *own;                /* a passing identity within the author's org, or NULL */
	/* An identity of the message outside the author's org that history has
	   seen authenticating for other author domains too (an ESP's shared
	   d=, a provider's bounce domain): anyone on that service passes it,
	   so it is no evidence for this author (id stays NULL for it). */
	const char *shared;
	uint64_t shared_orgs;           /* the author domains it authenticated for */
};

void history_signals(const struct history *h, const struct history_query *q,
    struct history_signals *out);

/* "192.0.2.0/24" or "2001:db8::/48" of an address in text form; NULL if none. */
const char *history_net(struct arena *a, const char *ip);
/* "dkim" "spf" "net" "ptr" */
const char *history_kind_name(enum history_kind k);
/* The kind a store row names, or HIST_NKINDS for one this version does not know. */
enum history_kind history_kind_parse(const char *name);

#endif
