/*
 * Private to the resolver: what the resolver thread (resolver.c) and the
 * per-message side (dnsset.c) share. Nothing else includes this.
 */
#ifndef COMPAUTHD_RESOLVER_INT_H
#define COMPAUTHD_RESOLVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dnswire.h"
#include "resolver.h"

#define RESOLVER_QID_MAX 64

/* One dns_query(): queued, then waiting on an in-flight query. */
struct dns_req {
	struct dns_req *next;
	struct dns_set *set;            /* holds a reference */
	dns_cb cb;
	void *arg;
	enum dns_type type;
	char name[DNS_NAME_BUFSZ];
};

struct dns_set {
	pthread_mutex_t lock;
	pthread_cond_t cond;            /* pending reached 0, or cancelled */
	atomic_uint refs;               /* the owner's plus one per request */
	atomic_bool cancelled;          /* written under lock; read early as a hint */
	struct resolver *r;
	unsigned budget;
	unsigned used;
	unsigned pending;
	char qid[RESOLVER_QID_MAX];
	struct arena *a;                /* names of the sent log */
	struct dns_sent *sent;
	unsigned nsent;
	unsigned sentcap;
};

/* resolver.c: hands a request to the resolver thread (any thread). */
void resolver_submit(struct resolver *r, struct dns_req *req);
void resolver_note_budget_refused(struct resolver *r);

/* dnsset.c, on the resolver thread: answer or drop one request. */
void dns_req_deliver(struct dns_req *req, const struct dns_rrset *rs, uint32_t ttl, bool cached);
void dns_req_drop(struct dns_req *req);
/* The set is gone once the last of its owner and its requests lets go. */
void dns_set_unref(struct dns_set *s);

#endif
