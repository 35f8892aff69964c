/*
 * The installed runtime (settings + resolver + report writer) and its
 * reference counting. Reload builds a complete new runtime first, so a bad
 * config or a resolver that cannot start leaves the running one untouched.
 * The report writer is shared like the resolver while report_store and
 * report_queue stay the same; a store that cannot be opened is logged and
 * left off (reports are secondary to checking mail), tried again on reload.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"

static pthread_mutex_t runtime_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime *runtime_current;
static atomic_bool runtime_reports;

void
runtime_enable_reports(void)
{
	atomic_store(&runtime_reports, true);
}

/* A resolver is shared between runtimes whose DNS settings are equal. */
struct resolver_holder {
	struct resolver *res;
	atomic_int refs;
};

/* A report writer is shared between runtimes with the same store settings. */
struct writer_holder {
	struct store_writer *w;         /* NULL: no store, or it failed to open */
	atomic_int refs;
};

struct runtime_priv {
	struct runtime pub;
	struct resolver_holder *rh;
	struct writer_holder *wh;
};

/* The drain of a replaced writer, off the thread that released it last. */
#define RUNTIME_WRITER_STOP_MS 10000

static void *
runtime_writer_stop_thread(void *arg)
{
	struct store_writer *w = arg;

	store_writer_stop(&w, RUNTIME_WRITER_STOP_MS);
	return NULL;
}

static void
runtime_writer_release(struct writer_holder **whp)
{
	struct writer_holder *wh = *whp;
	pthread_t t;
	pthread_attr_t at;

	*whp = NULL;
	if (wh == NULL || atomic_fetch_sub(&wh->refs, 1) != 1)
		return;
	/* The last holder may be a milter thread: it must not wait for I/O. */
	if (wh->w != NULL) {
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, runtime_writer_stop_thread, wh->w) != 0)
			store_writer_stop(&wh->w, RUNTIME_WRITER_STOP_MS);
		pthread_attr_destroy(&at);
	}
	free(wh);
}

static struct writer_holder *
runtime_writer(const struct config *cfg, struct runtime_priv *pp)
{
	struct writer_holder *wh;
	char err[512];

	if (pp != NULL && pp->wh != NULL &&
	    strcmp(pp->pub.cfg->report_store, cfg->report_store) == 0 &&
	    pp->pub.cfg->report_queue == cfg->report_queue &&
	    (pp->wh->w != NULL || cfg->report_store[0] == '\0' ||
	    !atomic_load(&runtime_reports))) {
		wh = pp->wh;
		atomic_fetch_add(&wh->refs, 1);
	} else {
		wh = calloc(1, sizeof(*wh));
		if (wh == NULL)
			return NULL;
		atomic_init(&wh->refs, 1);
		if (cfg->report_store[0] != '\0' && atomic_load(&runtime_reports)) {
			wh->w = store_writer_start(cfg->report_store, cfg->report_queue,
			    err, sizeof(err));
			if (wh->w == NULL)
				log_err(NULL, "report_store %s: %s; DMARC report data is not "
				    "stored until a reload", cfg->report_store, err);
		}
	}
	if (wh->w != NULL) {
		store_writer_retention(wh->w, (int64_t)cfg->report_retention * 86400);
		if (store_writer_history(wh->w, cfg->history ?
		    (int64_t)cfg->history_retention * 86400 : 0, cfg->history_max_domains,
		    err, sizeof(err)) < 0)
			log_err(NULL, "report_store %s: history: %s; implicit authentication is off "
			    "until a reload", cfg->report_store, err);
	}
	return wh;
}

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
	rp->wh = runtime_writer(cfg, pp);
	if (rp->wh == NULL) {
		snprintf(err, errlen, "out of memory");
		if (atomic_fetch_sub(&rp->rh->refs, 1) == 1) {
			resolver_free(&rp->rh->res);
			free(rp->rh);
		}
		free(rp);
		config_free(&cfg);
		return NULL;
	}
	rp->pub.cfg = cfg;
	rp->pub.res = rp->rh->res;
	rp->pub.writer = rp->wh->w;
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
	runtime_writer_release(&rp->wh);
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
runtime_store_shutdown(unsigned timeout_ms)
{
	struct runtime_priv *rp;
	struct store_writer *w = NULL;

	pthread_mutex_lock(&runtime_lock);
	rp = (struct runtime_priv *)runtime_current;
	if (rp != NULL && rp->wh != NULL) {
		w = rp->wh->w;
		rp->wh->w = NULL;       /* the holder's release then stops nothing */
	}
	pthread_mutex_unlock(&runtime_lock);
	/* Messages still in progress hold rt->writer: never freed here. */
	store_writer_finish(w, timeout_ms);
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
