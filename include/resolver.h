/*
 * Asynchronous DNS for every check. One resolver thread owns the c-ares
 * channel (or the zone-file backend) and the cache; other threads submit
 * queries through a dns_set, the per-message (or per-connection) group of
 * queries that shares one budget and one deadline.
 *
 * Threading contract:
 *  - dns_query() is called with the set locked (dns_set_lock, or from inside
 *    a dns_cb, which always runs with its set locked).
 *  - A dns_cb runs on the resolver thread with the set locked, never inside
 *    dns_query() itself, and never after dns_set_cancel() returned.
 *  - The answer passed to a dns_cb is valid only during the call: copy what
 *    you keep.
 */
#ifndef COMPAUTHD_RESOLVER_H
#define COMPAUTHD_RESOLVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <netinet/in.h>

enum dns_type {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
};

enum dns_status {
	DNS_OK = 0,         /* at least one record of the asked type */
	DNS_NXDOMAIN,       /* the name does not exist */
	DNS_NODATA,         /* the name exists, no record of that type */
	DNS_TEMPFAIL,       /* timeout, SERVFAIL, REFUSED, network, deadline */
	DNS_PERMFAIL,       /* unusable answer: malformed message, bad name, budget spent */
};

struct dns_rr {
	uint16_t type;
	uint32_t ttl;
	union {
		struct in_addr a;
		struct in6_addr aaaa;
		struct {
			uint16_t pref;
			char *host;
		} mx;
		char *name;                     /* PTR, CNAME target */
		struct {
			char *data;             /* strings concatenated, NUL-terminated */
			size_t len;             /* may contain NUL bytes before len */
		} txt;
	} u;
};

struct dns_answer {
	enum dns_status status;
	const char *why;                        /* short reason for TEMPFAIL/PERMFAIL */
	const char *qname;                      /* as asked, lower case, no final dot */
	enum dns_type qtype;
	uint32_t ttl;                           /* cache lifetime used */
	size_t n;                               /* records of qtype (CNAMEs followed) */
	const struct dns_rr *rr;
};

struct resolver_opts {
	const char *zone_file;          /* non-NULL/non-empty: answer from this file only */
	unsigned zone_delay_ms;         /* zone backend: simulated round trip */
	const char *const *servers;     /* NULL: /etc/resolv.conf; "IP", "IP:port", "[v6]:port" */
	size_t nservers;
	unsigned timeout_ms;            /* per try; c-ares retries once per server */
	unsigned cache_entries;         /* 0: no cache */
	size_t cache_bytes;             /* 0: DNSCACHE_DEFAULT_BYTES */
};

struct resolver;
struct dns_set;

typedef void (*dns_cb)(void *arg, const struct dns_answer *ans);

/* Starts the resolver thread. NULL with a message in err on failure. */
struct resolver *resolver_new(const struct resolver_opts *opts, char *err, size_t errlen);
/* Stops the thread; pending callbacks are not run. */
void resolver_free(struct resolver **rp);

/* budget: queries (cache hits included) this set may make; qid for logs. */
struct dns_set *dns_set_new(struct resolver *r, unsigned budget, const char *qid);
void dns_set_lock(struct dns_set *s);
void dns_set_unlock(struct dns_set *s);
/*
 * Queue a query (set locked). Returns DNS_Q_SENT, or why not (cb is then
 * not called): a name that cannot exist in DNS has no records, a spent
 * budget is the asking check's own limit; neither is a temporary failure.
 */
enum {
	DNS_Q_SENT = 0,
	DNS_Q_REFUSED = -1,     /* set cancelled, no callback, type not askable */
	DNS_Q_BADNAME = -2,     /* not a domain name (RFC 1035 lengths, bytes) */
	DNS_Q_BUDGET = -3,      /* the set's query budget is spent */
};
int dns_query(struct dns_set *s, const char *name, enum dns_type type, dns_cb cb, void *arg);
/* Queries whose callback has not yet run (set locked). */
unsigned dns_set_pending(const struct dns_set *s);
/*
 * Waits (set NOT locked) until nothing is pending or the monotonic clock
 * reaches deadline_ms (see dns_now_ms). Returns what is still pending.
 */
unsigned dns_set_wait(struct dns_set *s, uint64_t deadline_ms);
/* No callback of this set runs after this returns (set NOT locked). */
void dns_set_cancel(struct dns_set *s);
/* Cancels, then frees; safe while answers are still in flight. */
void dns_set_free(struct dns_set **sp);

/* What a set asked, in submission order (tests prove queries go out early). */
struct dns_sent {
	const char *name;
	enum dns_type type;
	uint64_t at_ms;                 /* dns_now_ms() at dns_query() */
};
unsigned dns_set_sent(const struct dns_set *s);
/* Set locked or quiescent; i < dns_set_sent(). */
struct dns_sent dns_set_sent_info(const struct dns_set *s, unsigned i);

struct resolver_stats {
	uint64_t upstream;              /* queries sent to servers / zone backend */
	uint64_t cache_hits;
	uint64_t coalesced;             /* joined an identical in-flight query */
	uint64_t budget_refused;
	uint64_t failover;              /* asked again after SERVFAIL, REFUSED, NOTIMP */
};
void resolver_get_stats(struct resolver *r, struct resolver_stats *out);

uint64_t dns_now_ms(void);
const char *dns_type_name(enum dns_type t);
const char *dns_status_name(enum dns_status st);

#endif
