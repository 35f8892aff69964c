/*
 * The caller's side of the resolver: a dns_set groups one message's queries
 * under one lock, one budget and one pending count, and outlives its owner
 * while the resolver thread still holds requests of it. Delivery happens
 * here too, because whether a callback may still run is the set's business:
 * never after dns_set_cancel(), which takes the same lock the callback runs
 * under.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "dnswire.h"
#include "log.h"
#include "resolver.h"
#include "resolver_int.h"

static const char *
set_qid(const struct dns_set *s)
{
	return s->qid[0] ? s->qid : NULL;
}

void
dns_set_unref(struct dns_set *s)
{
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	arena_free(&s->a);
	free(s->sent);
	free(s);
}

struct dns_set *
dns_set_new(struct resolver *r, unsigned budget, const char *qid)
{
	struct dns_set *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (s == NULL) {
		fputs("compauthd: out of memory\n", stderr);
		abort();
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&s->refs, 1);
	atomic_init(&s->cancelled, false);
	s->r = r;
	s->budget = budget;
	if (qid != NULL)
		snprintf(s->qid, sizeof(s->qid), "%s", qid);
	s->a = arena_new();
	return s;
}

void
dns_set_lock(struct dns_set *s)
{
	pthread_mutex_lock(&s->lock);
}

void
dns_set_unlock(struct dns_set *s)
{
	pthread_mutex_unlock(&s->lock);
}

unsigned
dns_set_pending(const struct dns_set *s)
{
	return s->pending;
}

unsigned
dns_set_wait(struct dns_set *s, uint64_t deadline_ms)
{
	unsigned left;

	pthread_mutex_lock(&s->lock);
	while (s->pending > 0 && !atomic_load(&s->cancelled)) {
		struct timespec ts;

		if (dns_now_ms() >= deadline_ms)
			break;
		ts.tv_sec = (time_t)(deadline_ms / 1000);
		ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	left = s->pending;
	pthread_mutex_unlock(&s->lock);
	return left;
}

void
dns_set_cancel(struct dns_set *s)
{
	if (s == NULL)
		return;
	/* A callback in progress holds the lock: we return only after it. */
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->cancelled, true);
	s->pending = 0;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
dns_set_free(struct dns_set **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	dns_set_cancel(*sp);
	/* Requests still in flight keep the memory until they are dropped. */
	dns_set_unref(*sp);
	*sp = NULL;
}

unsigned
dns_set_sent(const struct dns_set *s)
{
	return s->nsent;
}

struct dns_sent
dns_set_sent_info(const struct dns_set *s, unsigned i)
{
	return s->sent[i];
}

static void
dns_set_log_sent(struct dns_set *s, const char *name, enum dns_type type)
{
	if (s->nsent == s->sentcap) {
		unsigned cap = s->sentcap ? s->sentcap * 2 : 16;
		struct dns_sent *n = realloc(s->sent, cap * sizeof(*n));

		if (n == NULL) {
			fputs("compauthd: out of memory\n", stderr);
			abort();
		}
		s->sent = n;
		s->sentcap = cap;
	}
	s->sent[s->nsent].name = arena_strdup(s->a, name);
	s->sent[s->nsent].type = type;
	s->sent[s->nsent].at_ms = dns_now_ms();
	s->nsent++;
}

/* A name that failed validation, fit for a log line: bounded, no control bytes. */
static const char *
dns_set_printable(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 4 < len; i++) {
		unsigned char c = (unsigned char)name[i];

		buf[i] = c >= 0x20 && c < 0x7f && c != '"' ? (char)c : '?';
	}
	if (name[i] != '\0')
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}

static bool
dns_query_type_ok(enum dns_type type)
{
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
	case DNS_T_MX:
	case DNS_T_PTR:
	case DNS_T_TXT:
	case DNS_T_CNAME:
		return true;
	case DNS_T_SOA:
		break;
	}
	return false;
}

int
dns_query(struct dns_set *s, const char *name, enum dns_type type, dns_cb cb, void *arg)
{
	struct dns_req *req;

	if (atomic_load(&s->cancelled) || cb == NULL || !dns_query_type_ok(type))
		return DNS_Q_REFUSED;
	req = malloc(sizeof(*req));
	if (req == NULL) {
		fputs("compauthd: out of memory\n", stderr);
		abort();
	}
	if (!dns_name_normalize(name, req->name, sizeof(req->name))) {
		if (log_enabled(LOG_LVL_DEBUG)) {
			char shown[80];

			log_debug(set_qid(s), "dns: invalid name \"%s\"",
			    dns_set_printable(name, shown, sizeof(shown)));
		}
		free(req);
		return DNS_Q_BADNAME;
	}
	if (s->used >= s->budget) {
		resolver_note_budget_refused(s->r);
		log_debug(set_qid(s), "dns %s/%s: query budget of %u spent", req->name,
		    dns_type_name(type), s->budget);
		free(req);
		return DNS_Q_BUDGET;
	}
	s->used++;
	s->pending++;
	dns_set_log_sent(s, req->name, type);
	req->set = s;
	req->cb = cb;
	req->arg = arg;
	req->type = type;
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);

	resolver_submit(s->r, req);
	return DNS_Q_SENT;
}

/* ---- delivery (resolver thread) -------------------------------------- */

/* Drops a request without running its callback. */
void
dns_req_drop(struct dns_req *req)
{
	dns_set_unref(req->set);
	free(req);
}

void
dns_req_deliver(struct dns_req *req, const struct dns_rrset *rs, uint32_t ttl, bool cached)
{
	struct dns_set *s = req->set;
	struct dns_answer ans;

	/*
	 * A cancelled set's owner may hold its lock for long (signature
	 * mathematics at end of message): never wait for it.
	 */
	if (atomic_load(&s->cancelled)) {
		dns_req_drop(req);
		return;
	}
	memset(&ans, 0, sizeof(ans));
	ans.status = rs->status;
	ans.why = rs->why;
	ans.qname = req->name;
	ans.qtype = req->type;
	ans.ttl = ttl;
	ans.n = rs->n;
	ans.rr = rs->rr;
	pthread_mutex_lock(&s->lock);
	if (!atomic_load(&s->cancelled)) {
		log_debug(set_qid(s), "dns %s/%s: %s%s%s%s ttl=%u n=%zu%s", req->name,
		    dns_type_name(req->type), dns_status_name(rs->status),
		    rs->why ? " (" : "", rs->why ? rs->why : "", rs->why ? ")" : "",
		    ttl, rs->n, cached ? " cached" : "");
		req->cb(req->arg, &ans);
		if (--s->pending == 0)
			pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	dns_req_drop(req);
}

