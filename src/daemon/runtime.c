/*
 * The installed runtime (settings + resolver) and its reference counting.
 * Reload builds a complete new runtime first, so a bad config or a resolver
 * that cannot start leaves the running one untouched.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"

static pthread_mutex_t runtime_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime *runtime_current;

/* A resolver is shared between runtimes whose DNS settings are equal. */
struct resolver_holder {
	struct resolver *res;
	atomic_int refs;
};

struct runtime_priv {
	struct runtime pub;
	struct resolver_holder *rh;
};

static int
runtime_same_dns(const struct config *a, const struct config *b)
{
	size_t i;

	if (a->dns_timeout_ms != b->dns_timeout_ms ||
	    a->dns_cache_entries != b->dns_cache_entries ||
	    a->dns_cache_size != b->dns_cache_size ||
	    a->zone_delay_ms != b->zone_delay_ms ||
	    strcmp(a->zone_file, b->zone_file) != 0 ||
	    a->dns_servers.n != b->dns_servers.n)
		return 0;
	for (i = 0; i < a->dns_servers.n; i++)
		if (strcmp(a->dns_servers.v[i], b->dns_servers.v[i]) != 0)
			return 0;
	return 1;
}

struct runtime *
runtime_new(struct config *cfg, struct runtime *prev, char *err, size_t errlen)
{
	struct runtime_priv *rp = calloc(1, sizeof(*rp));
	struct runtime_priv *pp = (struct runtime_priv *)prev;

	if (rp == NULL) {
		snprintf(err, errlen, "out of memory");
		config_free(&cfg);
		return NULL;
	}
	if (pp != NULL && runtime_same_dns(pp->pub.cfg, cfg)) {
		rp->rh = pp->rh;
		atomic_fetch_add(&rp->rh->refs, 1);
	} else {
		struct resolver_opts o;

		memset(&o, 0, sizeof(o));
		o.zone_file = cfg->zone_file[0] ? cfg->zone_file : NULL;
		o.zone_delay_ms = cfg->zone_delay_ms;
		o.servers = cfg->dns_servers.n ? (const char *const *)cfg->dns_servers.v : NULL;
		o.nservers = cfg->dns_servers.n;
		o.timeout_ms = cfg->dns_timeout_ms;
		o.cache_entries = cfg->dns_cache_entries;
		o.cache_bytes = cfg->dns_cache_size;
		rp->rh = calloc(1, sizeof(*rp->rh));
		if (rp->rh == NULL || (rp->rh->res = resolver_new(&o, err, errlen)) == NULL) {
			free(rp->rh);
			free(rp);
			config_free(&cfg);
			return NULL;
		}
		atomic_init(&rp->rh->refs, 1);
	}
	rp->pub.cfg = cfg;
	rp->pub.res = rp->rh->res;
	atomic_init(&rp->pub.refs, 1);
	return &rp->pub;
}

static void
runtime_destroy(struct runtime_priv *rp)
{
	if (atomic_fetch_sub(&rp->rh->refs, 1) == 1) {
		resolver_free(&rp->rh->res);
		free(rp->rh);
	}
	config_free(&rp->pub.cfg);
	free(rp);
}

void
runtime_install(struct runtime *rt)
{
	struct runtime *old;

	pthread_mutex_lock(&runtime_lock);
	old = runtime_current;
	runtime_current = rt;
	pthread_mutex_unlock(&runtime_lock);
	runtime_release(&old);
}

struct runtime *
runtime_acquire(void)
{
	struct runtime *rt;

	pthread_mutex_lock(&runtime_lock);
	rt = runtime_current;
	if (rt != NULL)
		atomic_fetch_add(&rt->refs, 1);
	pthread_mutex_unlock(&runtime_lock);
	return rt;
}

void
runtime_release(struct runtime **rtp)
{
	struct runtime *rt;

	if (rtp == NULL || (rt = *rtp) == NULL)
		return;
	*rtp = NULL;
	if (atomic_fetch_sub(&rt->refs, 1) == 1)
		runtime_destroy((struct runtime_priv *)rt);
}

void
runtime_shutdown(void)
{
	struct runtime *old;

	pthread_mutex_lock(&runtime_lock);
	old = runtime_current;
	runtime_current = NULL;
	pthread_mutex_unlock(&runtime_lock);
	runtime_release(&old);
}
