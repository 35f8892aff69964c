/*
 * Asynchronous resolver. One thread owns the c-ares channel (or the zone
 * backend), the cache and the table of queries in flight, so none of them
 * needs a lock; milter threads only append requests to a queue and kick an
 * eventfd. Answers go back through the caller's callback, run on this
 * thread with the caller's dns_set locked (dnsset.c), which is what lets a
 * set be cancelled or freed at any time: a set is refcounted by its
 * requests and a callback never runs once the set is marked cancelled
 * under its lock.
 *
 * Caching policy: answers with records, NXDOMAIN and NODATA are cached for
 * their TTL (the negative TTL of RFC 2308 for the last two), capped at
 * RESOLVER_TTL_MAX; temporary and permanent failures are never cached, so
 * a retry after a timeout goes upstream again. Identical queries (same
 * name and type) in flight at once share one upstream query.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "dnscache.h"
#include "dnswire.h"
#include "log.h"
#include "metrics.h"
#include "resolver.h"
#include "resolver_int.h"
#include "zone.h"

#define RESOLVER_TTL_MAX 86400          /* cache lifetime cap, seconds */
#define RESOLVER_TIMEOUT_DEFAULT 2000   /* per try, ms, when opts say 0 */
#define RESOLVER_TRIES 2                /* c-ares: one retry per server */
#define RESOLVER_EDNS_SIZE 1232         /* DNS flag day 2020: no IP fragmentation */
#define RESOLVER_INFLIGHT_BUCKETS 1024
#define RESOLVER_SERVERS_MAX 32

/* One upstream query and every request waiting for its answer. */
struct dns_inflight {
	struct dns_inflight *hnext;     /* in-flight table chain */
	struct dns_inflight *tnext;     /* zone backend: delay queue */
	struct resolver *r;
	struct dns_req *waiters;
	struct dns_req **wtail;
	uint64_t due_ms;                /* zone backend: when to answer */
	uint32_t hash;
	enum dns_type type;
	struct dns_rrset *first;        /* the refusal that sent it to the fail-over channel */
	char name[DNS_NAME_BUFSZ];
};

struct resolver {
	pthread_t thread;
	int efd;                        /* wakes the thread: requests or stop */
	pthread_mutex_t qlock;          /* guards queue and stop */
	struct dns_req *qhead;
	struct dns_req **qtail;
	bool stop;

	/* Resolver thread only (and resolver_free() after the join). */
	ares_channel channel;           /* NULL with the zone backend */
	ares_channel failover;          /* the same servers, c-ares moving on after a
	                                   SERVFAIL, REFUSED or NOTIMP; NULL with one server */
	struct zone *zone;
	unsigned zone_delay_ms;
	struct dnscache *cache;         /* NULL: no cache */
	struct dns_inflight *inflight[RESOLVER_INFLIGHT_BUCKETS];
	struct dns_inflight *dhead;     /* zone delay queue, due order */
	struct dns_inflight **dtail;

	_Atomic uint64_t st_upstream;
	_Atomic uint64_t st_cache_hits;
	_Atomic uint64_t st_coalesced;
	_Atomic uint64_t st_budget_refused;
	_Atomic uint64_t st_failover;
};

static pthread_once_t resolver_ares_once = PTHREAD_ONCE_INIT;
static int resolver_ares_init_status = ARES_SUCCESS;

static void
resolver_ares_library_init(void)
{
	resolver_ares_init_status = ares_library_init(ARES_LIB_INIT_ALL);
}

uint64_t
dns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
stat_inc(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* ---- the queue in (any thread) ---------------------------------------- */

void
resolver_submit(struct resolver *r, struct dns_req *req)
{
	bool wake;

	req->next = NULL;
	pthread_mutex_lock(&r->qlock);
	wake = r->qhead == NULL;
	*r->qtail = req;
	r->qtail = &req->next;
	pthread_mutex_unlock(&r->qlock);
	/* The thread drains the whole queue per wake-up: kick only an empty one. */
	if (wake) {
		uint64_t one = 1;

		while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
}

void
resolver_note_budget_refused(struct resolver *r)
{
	stat_inc(&r->st_budget_refused);
	metrics_inc(METRICS_DNS_BUDGET);
}

/* ---- answers (resolver thread) ----------------------------------------- */

static uint32_t
resolver_ttl(const struct dns_rrset *rs)
{
	return rs->ttl > RESOLVER_TTL_MAX ? RESOLVER_TTL_MAX : rs->ttl;
}

static struct dns_inflight **
inflight_slot(struct resolver *r, const char *name, enum dns_type type, uint32_t hash)
{
	struct dns_inflight **pp;

	for (pp = &r->inflight[hash % RESOLVER_INFLIGHT_BUCKETS]; *pp != NULL; pp = &(*pp)->hnext)
		if ((*pp)->hash == hash && (*pp)->type == type && strcmp((*pp)->name, name) == 0)
			break;
	return pp;
}

static void
inflight_unlink(struct dns_inflight *inf)
{
	struct dns_inflight **pp = inflight_slot(inf->r, inf->name, inf->type, inf->hash);

	if (*pp == inf)
		*pp = inf->hnext;
}

/* Shutdown: the query ends without an answer; nobody is called back. */
static void
inflight_drop(struct dns_inflight *inf)
{
	struct dns_req *req, *next;

	inflight_unlink(inf);
	for (req = inf->waiters; req != NULL; req = next) {
		next = req->next;
		dns_req_drop(req);
	}
	dns_rrset_free(&inf->first);
	free(inf);
}

/* The answer for an in-flight query: every waiter, then the cache. */
static void
inflight_complete(struct dns_inflight *inf, struct dns_rrset *rs)
{
	struct resolver *r = inf->r;
	struct dns_req *req, *next;
	uint32_t ttl = resolver_ttl(rs);

	/* Unlinked first: a callback's new query for the same key goes upstream. */
	inflight_unlink(inf);
	if (rs->status == DNS_TEMPFAIL && rs->why != NULL && strcmp(rs->why, "timeout") == 0)
		metrics_inc(METRICS_DNS_TIMEOUTS);
	for (req = inf->waiters; req != NULL; req = next) {
		next = req->next;
		dns_req_deliver(req, rs, ttl, false);
	}
	if (r->cache != NULL && (rs->status == DNS_OK || rs->status == DNS_NXDOMAIN ||
	    rs->status == DNS_NODATA))
		dnscache_put(r->cache, inf->name, inf->type, &rs, ttl, dns_now_ms());
	dns_rrset_free(&rs);
	free(inf);
}

static struct dns_rrset *
resolver_ares_status(int status)
{
	const char *why;
	enum dns_status st = DNS_TEMPFAIL;

	switch (status) {
	case ARES_ETIMEOUT: why = "timeout"; break;
	case ARES_ESERVFAIL: why = "SERVFAIL"; break;
	case ARES_EREFUSED: why = "REFUSED"; break;
	case ARES_ENOTIMP: why = "NOTIMP"; break;
	case ARES_EFORMERR: why = "FORMERR"; break;
	case ARES_ECONNREFUSED: why = "connection refused"; break;
	case ARES_EBADRESP: why = "bad response"; break;
	case ARES_ENOMEM: why = "out of memory"; break;
	case ARES_EBADNAME:
		st = DNS_PERMFAIL;
		why = "invalid name";
		break;
	default: why = "network error"; break;
	}
	return dns_rrset_new(st, why, 0, NULL, 0);
}

/*
 * A server that answers SERVFAIL, REFUSED or NOTIMP may be the only broken
 * one: the query is asked again on the fail-over channel, which tries the
 * servers in turn. If none of them answers either, the first refusal is
 * what we report (c-ares would only say "connection refused").
 */
static void
resolver_ares_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_inflight *inf = arg;
	struct dns_rrset *rs;
	int rcode = abuf != NULL && alen >= 4 ? abuf[3] & 0x0f : 0;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		inflight_drop(inf);
		return;
	}
	/* The server answered: its message says more than c-ares' status. */
	if (abuf != NULL && alen > 0)
		rs = dnswire_parse(abuf, (size_t)alen, inf->name, inf->type);
	else
		rs = resolver_ares_status(status);
	if (inf->first == NULL && inf->r->failover != NULL &&
	    (rcode == 2 || rcode == 4 || rcode == 5)) {
		inf->first = rs;
		stat_inc(&inf->r->st_failover);
		ares_query(inf->r->failover, inf->name, 1 /* IN */, (int)inf->type,
		    resolver_ares_cb, inf);
		return;
	}
	if (inf->first != NULL) {
		if (rs->status == DNS_TEMPFAIL) {
			dns_rrset_free(&rs);
			rs = inf->first;
		} else {
			dns_rrset_free(&inf->first);
		}
		inf->first = NULL;
	}
	inflight_complete(inf, rs);
}

static void
resolver_zone_answer(struct dns_inflight *inf)
{
	inflight_complete(inf, zone_lookup(inf->r->zone, inf->name, inf->type));
}

static void
resolver_start(struct resolver *r, struct dns_inflight *inf)
{
	stat_inc(&r->st_upstream);
	metrics_inc(METRICS_DNS_QUERIES);
	if (r->zone == NULL) {
		/* May call back at once (bad name, no memory); inf is in the table. */
		ares_query(r->channel, inf->name, 1 /* IN */, (int)inf->type, resolver_ares_cb, inf);
	} else if (r->zone_delay_ms == 0) {
		resolver_zone_answer(inf);
	} else {
		/* A constant delay keeps the queue in due order. */
		inf->due_ms = dns_now_ms() + r->zone_delay_ms;
		inf->tnext = NULL;
		*r->dtail = inf;
		r->dtail = &inf->tnext;
	}
}

static void
resolver_handle(struct resolver *r, struct dns_req *req)
{
	const struct dns_rrset *hit;
	struct dns_inflight **pp, *inf;
	uint32_t ttl, hash;

	if (atomic_load(&req->set->cancelled)) {
		dns_req_drop(req);
		return;
	}
	req->next = NULL;
	if (r->cache != NULL &&
	    (hit = dnscache_get(r->cache, req->name, req->type, dns_now_ms(), &ttl)) != NULL) {
		stat_inc(&r->st_cache_hits);
		metrics_inc(METRICS_DNS_CACHE_HITS);
		dns_req_deliver(req, hit, ttl, true);
		return;
	}
	hash = dns_key_hash(req->name, req->type);
	pp = inflight_slot(r, req->name, req->type, hash);
	if ((inf = *pp) != NULL) {
		stat_inc(&r->st_coalesced);
		*inf->wtail = req;
		inf->wtail = &req->next;
		return;
	}
	if ((inf = calloc(1, sizeof(*inf))) == NULL) {
		struct dns_rrset *rs = dns_rrset_new(DNS_TEMPFAIL, "out of memory", 0, NULL, 0);

		dns_req_deliver(req, rs, 0, false);
		dns_rrset_free(&rs);
		return;
	}
	inf->r = r;
	inf->hash = hash;
	inf->type = req->type;
	memcpy(inf->name, req->name, sizeof(inf->name));
	inf->waiters = req;
	inf->wtail = &req->next;
	*pp = inf;
	resolver_start(r, inf);
}

/* ---- the thread -------------------------------------------------------- */

static void
resolver_drain(struct resolver *r)
{
	struct dns_req *req, *next;
	uint64_t v;

	while (read(r->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&r->qlock);
	req = r->qhead;
	r->qhead = NULL;
	r->qtail = &r->qhead;
	pthread_mutex_unlock(&r->qlock);
	for (; req != NULL; req = next) {
		next = req->next;
		resolver_handle(r, req);
	}
}

static int
resolver_poll_timeout(struct resolver *r)
{
	uint64_t now = dns_now_ms();
	int64_t ms = -1;

	if (r->dhead != NULL)
		ms = r->dhead->due_ms > now ? (int64_t)(r->dhead->due_ms - now) : 0;
	for (int c = 0; c < 2; c++) {
		ares_channel ch = c == 0 ? r->channel : r->failover;
		struct timeval tv, *tvp;

		if (ch == NULL || (tvp = ares_timeout(ch, NULL, &tv)) == NULL)
			continue;
		int64_t a = (int64_t)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;

		if (ms < 0 || a < ms)
			ms = a;
	}
	return ms > 60000 ? 60000 : (int)ms;
}

/* The sockets channel ch wants watched, appended to pfd (owner[i] = ch). */
static int
resolver_add_fds(ares_channel ch, struct pollfd *pfd, ares_channel *owner, int nfd)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	unsigned bits;
	int i;

	if (ch == NULL)
		return nfd;
	bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
	for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		short ev = 0;

		/* ARES_GETSOCK_WRITABLE() shifts a signed 1 into the sign bit. */
		if (bits & (1u << i))
			ev |= POLLIN;
		if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
			ev |= POLLOUT;
		if (ev == 0)
			continue;
		pfd[nfd].fd = socks[i];
		pfd[nfd].events = ev;
		pfd[nfd].revents = 0;
		owner[nfd] = ch;
		nfd++;
	}
	return nfd;
}

static void *
resolver_main(void *arg)
{
	struct resolver *r = arg;
	struct pollfd pfd[1 + 2 * ARES_GETSOCK_MAXNUM];
	ares_channel owner[1 + 2 * ARES_GETSOCK_MAXNUM];

	for (;;) {
		int nfd, i;
		bool stop;

		pfd[0].fd = r->efd;
		pfd[0].events = POLLIN;
		nfd = resolver_add_fds(r->channel, pfd, owner, 1);
		nfd = resolver_add_fds(r->failover, pfd, owner, nfd);
		if (poll(pfd, (nfds_t)nfd, resolver_poll_timeout(r)) < 0 && errno != EINTR) {
			log_err(NULL, "resolver: poll: %s", strerror(errno));
			usleep(10000);
		}
		for (i = 1; i < nfd; i++) {
			short re = pfd[i].revents;

			if (re == 0)
				continue;
			ares_process_fd(owner[i],
			    (re & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd : ARES_SOCKET_BAD,
			    (re & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
		}
		/* Timeouts; the fail-over channel first, so a refusal re-asked now is not aged. */
		if (r->failover != NULL)
			ares_process_fd(r->failover, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		if (r->channel != NULL)
			ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		while (r->dhead != NULL && r->dhead->due_ms <= dns_now_ms()) {
			struct dns_inflight *inf = r->dhead;

			r->dhead = inf->tnext;
			if (r->dhead == NULL)
				r->dtail = &r->dhead;
			resolver_zone_answer(inf);
		}
		if (pfd[0].revents & POLLIN)
			resolver_drain(r);
		pthread_mutex_lock(&r->qlock);
		stop = r->stop;
		pthread_mutex_unlock(&r->qlock);
		if (stop)
			break;
	}
	return NULL;
}

/* ---- life cycle -------------------------------------------------------- */

static bool
resolver_servers(struct resolver *r, const struct resolver_opts *o, char *err, size_t errlen)
{
	char csv[RESOLVER_SERVERS_MAX * 64];
	size_t i, len = 0;
	int rc;

	if (o->servers == NULL || o->nservers == 0)
		return true;            /* c-ares read /etc/resolv.conf */
	if (o->nservers > RESOLVER_SERVERS_MAX) {
		snprintf(err, errlen, "more than %d DNS servers", RESOLVER_SERVERS_MAX);
		return false;
	}
	csv[0] = '\0';
	for (i = 0; i < o->nservers; i++) {
		const char *s = o->servers[i];
		int k;

		if (s == NULL || *s == '\0' || strpbrk(s, ", \t") != NULL || strlen(s) > 60) {
			snprintf(err, errlen, "bad DNS server \"%.64s\"", s ? s : "");
			return false;
		}
		k = snprintf(csv + len, sizeof(csv) - len, "%s%s", i ? "," : "", s);
		len += (size_t)k;
	}
	if ((rc = ares_set_servers_ports_csv(r->channel, csv)) != ARES_SUCCESS) {
		snprintf(err, errlen, "bad DNS server list \"%.200s\": %s", csv, ares_strerror(rc));
		return false;
	}
	return true;
}

/*
 * With two servers or more, a second channel on the same list that lets
 * c-ares move to the next server when one answers SERVFAIL, REFUSED or
 * NOTIMP; the main channel keeps NOCHECKRESP so that the answer's reason
 * is ours to report.
 */
static bool
resolver_failover_new(struct resolver *r, struct ares_options *ao, char *err, size_t errlen)
{
	struct ares_addr_port_node *list = NULL, *n;
	size_t count = 0;
	int rc;

	if ((rc = ares_get_servers_ports(r->channel, &list)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return false;
	}
	for (n = list; n != NULL; n = n->next)
		count++;
	if (count >= 2) {
		ao->flags &= ~ARES_FLAG_NOCHECKRESP;
		rc = ares_init_options(&r->failover, ao,
		    ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ);
		if (rc == ARES_SUCCESS)
			rc = ares_set_servers_ports(r->failover, list);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
			if (r->failover != NULL)
				ares_destroy(r->failover);
			r->failover = NULL;
		}
	}
	ares_free_data(list);
	return rc == ARES_SUCCESS;
}

static bool
resolver_ares_new(struct resolver *r, const struct resolver_opts *o, char *err, size_t errlen)
{
	struct ares_options ao;
	int rc;

	pthread_once(&resolver_ares_once, resolver_ares_library_init);
	if (resolver_ares_init_status != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(resolver_ares_init_status));
		return false;
	}
	memset(&ao, 0, sizeof(ao));
	/*
	 * No search list or HOSTALIASES: we ask exact names. IGNTC stays
	 * unset so a truncated UDP answer is retried over TCP. NOCHECKRESP
	 * hands SERVFAIL, REFUSED and NOTIMP answers to us: c-ares 1.18 would
	 * otherwise try the next server and, when none is left, report its
	 * initial ARES_ECONNREFUSED, losing why the query failed. Fail-over
	 * on those answers is the second channel's (resolver_failover_new).
	 */
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS |
	    ARES_FLAG_NOCHECKRESP;
	ao.timeout = (int)(o->timeout_ms ? o->timeout_ms : RESOLVER_TIMEOUT_DEFAULT);
	ao.tries = RESOLVER_TRIES;
	ao.ednspsz = RESOLVER_EDNS_SIZE;
	rc = ares_init_options(&r->channel, &ao,
	    ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ);
	if (rc != ARES_SUCCESS) {
		r->channel = NULL;
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return false;
	}
	if (!resolver_servers(r, o, err, errlen))
		return false;
	return resolver_failover_new(r, &ao, err, errlen);
}

static void
resolver_destroy(struct resolver *r)
{
	struct dns_req *req, *next;
	size_t i;

	/*
	 * c-ares calls back every query with ARES_EDESTRUCTION: dropped. The
	 * main channel first: its callbacks cannot start fail-over queries
	 * (EDESTRUCTION drops), and the fail-over channel's go next.
	 */
	if (r->channel != NULL)
		ares_destroy(r->channel);
	if (r->failover != NULL)
		ares_destroy(r->failover);
	while (r->dhead != NULL) {
		struct dns_inflight *inf = r->dhead;

		r->dhead = inf->tnext;
		inflight_drop(inf);
	}
	for (i = 0; i < RESOLVER_INFLIGHT_BUCKETS; i++)
		while (r->inflight[i] != NULL)
			inflight_drop(r->inflight[i]);
	for (req = r->qhead; req != NULL; req = next) {
		next = req->next;
		dns_req_drop(req);
	}
	dnscache_free(&r->cache);
	zone_free(&r->zone);
	if (r->efd >= 0)
		close(r->efd);
	pthread_mutex_destroy(&r->qlock);
	free(r);
}

struct resolver *
resolver_new(const struct resolver_opts *o, char *err, size_t errlen)
{
	struct resolver *r = calloc(1, sizeof(*r));
	sigset_t all, old;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->qlock, NULL);
	r->qtail = &r->qhead;
	r->dtail = &r->dhead;
	r->efd = -1;
	if (o->zone_file != NULL && o->zone_file[0] != '\0') {
		if ((r->zone = zone_load(o->zone_file, err, errlen)) == NULL)
			goto fail;
		r->zone_delay_ms = o->zone_delay_ms;
	} else if (!resolver_ares_new(r, o, err, errlen)) {
		goto fail;
	}
	if (o->cache_entries > 0 &&
	    (r->cache = dnscache_new(o->cache_entries,
	    o->cache_bytes ? o->cache_bytes : DNSCACHE_DEFAULT_BYTES)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	/* Signals belong to the daemon's own handling, never to this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, resolver_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	return r;
fail:
	resolver_destroy(r);
	return NULL;
}

void
resolver_free(struct resolver **rp)
{
	struct resolver *r;
	uint64_t one = 1;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	pthread_mutex_lock(&r->qlock);
	r->stop = true;
	pthread_mutex_unlock(&r->qlock);
	while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_join(r->thread, NULL);
	resolver_destroy(r);
	*rp = NULL;
}

void
resolver_get_stats(struct resolver *r, struct resolver_stats *out)
{
	out->upstream = atomic_load_explicit(&r->st_upstream, memory_order_relaxed);
	out->cache_hits = atomic_load_explicit(&r->st_cache_hits, memory_order_relaxed);
	out->coalesced = atomic_load_explicit(&r->st_coalesced, memory_order_relaxed);
	out->budget_refused = atomic_load_explicit(&r->st_budget_refused, memory_order_relaxed);
	out->failover = atomic_load_explicit(&r->st_failover, memory_order_relaxed);
}
