/*
 * The daemon's report writer: milter threads hand rows to store_queue(),
 * which copies them into a bounded queue under a mutex held only for list
 * operations (no I/O, no waiting); one thread writes batches (every second,
 * or at once when STORE_WRITER_BATCH rows wait) in one transaction each,
 * reopens the store after errors (with backoff), expires old rows hourly,
 * and logs drops at most once a minute with how many. A batch that fails
 * three times is dropped and counted, so a broken store costs rows, never
 * the milter's time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "log.h"
#include "store_int.h"

#define STORE_WRITER_BATCH 500
#define STORE_WRITER_TRIES 3
#define STORE_WRITER_WARN_S 60
#define STORE_WRITER_EXPIRE_S 3600
#define STORE_WRITER_BACKOFF_MAX_S 30

struct store_wmsg {
	struct store_wmsg *next;
	struct store_msg m;
	char data[];
};

struct store_writer {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	pthread_t thread;
	char *uri;
	struct store *store;            /* the writer thread's */
	struct store_wmsg *head, **tail;
	size_t count, max;
	bool stop, exited, abandoned;
	struct timespec deadline;       /* of the drain, once stop */
	int64_t retention;              /* seconds; 0: keep all */
	/* Implicit authentication (history.h): on when hist_retention > 0. */
	struct history *hist;           /* the snapshot milter threads read */
	int64_t hist_retention;
	size_t hist_max;
	time_t next_hist, next_hist_prune;
	struct store_writer_stats st;
	/* the writer thread's own */
	uint64_t warned_dropped;
	time_t last_warn, last_drop_warn, next_expire, reopen_at;
	unsigned backoff;
	char err[512];
};

/* The addresses of the string fields of m, for copying. */
static size_t
store_msg_strings(struct store_msg *m, const char **out[])
{
	const char **f[] = {
		&m->reporter, &m->qid, &m->source_ip, &m->header_from, &m->envelope_from,
		&m->envelope_to, &m->policy_domain, &m->policy_p, &m->policy_sp, &m->policy_np,
		&m->policy_adkim, &m->policy_aspf, &m->policy_testing, &m->policy_fo,
		&m->policy_psd, &m->rua, &m->ruf, &m->discovery_method, &m->dmarc_result,
		&m->disposition, &m->override_reason, &m->override_comment, &m->spf_domain,
		&m->spf_scope, &m->spf_result, &m->compauth, &m->failure_headers,
		&m->failure_mail_from, &m->failure_auth_results, &m->history_org,
		&m->history_net, &m->history_ptr,
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		out[n++] = f[i];
	for (size_t i = 0; i < m->ndkim && i < STORE_DKIM_MAX; i++) {
		out[n++] = &m->dkim[i].domain;
		out[n++] = &m->dkim[i].selector;
		out[n++] = &m->dkim[i].result;
		out[n++] = &m->dkim[i].human_result;
	}
	for (size_t i = 0; i < m->nrcpt_orgs && i < STORE_RCPT_MAX; i++)
		out[n++] = &m->rcpt_orgs[i];
	return n;
}
#define STORE_MSG_STRINGS_MAX (32 + 4 * STORE_DKIM_MAX + STORE_RCPT_MAX)

/* One allocation holding the message and every string it points to. */
static struct store_wmsg *
store_wmsg_copy(const struct store_msg *src)
{
	struct store_msg tmp = *src;
	if (tmp.nrcpt_orgs > STORE_RCPT_MAX)
		tmp.nrcpt_orgs = STORE_RCPT_MAX;
	if (tmp.ndkim > STORE_DKIM_MAX)
		tmp.ndkim = STORE_DKIM_MAX;
	const char **f[STORE_MSG_STRINGS_MAX];
	size_t n = store_msg_strings(&tmp, f), len = 0;
	for (size_t i = 0; i < n; i++)
		len += *f[i] ? strlen(*f[i]) + 1 : 0;
	struct store_wmsg *w = malloc(sizeof *w + len);
	if (!w)
		return NULL;
	w->next = NULL;
	w->m = tmp;
	n = store_msg_strings(&w->m, f);
	char *p = w->data;
	for (size_t i = 0; i < n; i++) {
		if (!*f[i])
			continue;
		size_t l = strlen(*f[i]) + 1;
		memcpy(p, *f[i], l);
		*f[i] = p;
		p += l;
	}
	return w;
}

static void
store_wmsg_free_list(struct store_wmsg *w)
{
	while (w) {
		struct store_wmsg *next = w->next;
		free(w);
		w = next;
	}
}

bool
store_queue(struct store_writer *w, const struct store_msg *m)
{
	if (!w)
		return false;
	pthread_mutex_lock(&w->mu);
	bool room = !w->stop && w->count < w->max;
	if (!room)
		w->st.dropped++;
	pthread_mutex_unlock(&w->mu);
	if (!room)
		return false;
	/* Copy outside the lock; the count may have moved, so check again. */
	struct store_wmsg *c = store_wmsg_copy(m);
	pthread_mutex_lock(&w->mu);
	if (!c || w->stop || w->count >= w->max) {
		w->st.dropped++;
		pthread_mutex_unlock(&w->mu);
		free(c);
		return false;
	}
	*w->tail = c;
	w->tail = &c->next;
	w->st.queued++;
	if (++w->count == STORE_WRITER_BATCH)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	return true;
}

static void
store_writer_wait(struct store_writer *w, unsigned seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	pthread_cond_timedwait(&w->cond, &w->mu, &ts);
}

static bool
store_writer_past(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Opens the store when it is closed and its backoff has passed. */
static bool
store_writer_ready(struct store_writer *w, bool stopping)
{
	if (w->store)
		return true;
	time_t now = time(NULL);
	if (!stopping && now < w->reopen_at)
		return false;
	w->store = store_open(w->uri, true, w->err, sizeof w->err);
	if (w->store) {
		log_notice(NULL, "report store %s reopened", store_backend(w->store));
		w->backoff = 0;
		return true;
	}
	w->backoff = w->backoff ? w->backoff * 2 : 1;
	if (w->backoff > STORE_WRITER_BACKOFF_MAX_S)
		w->backoff = STORE_WRITER_BACKOFF_MAX_S;
	w->reopen_at = now + w->backoff;
	if (now >= w->last_warn + STORE_WRITER_WARN_S) {
		log_err(NULL, "report store: cannot reopen: %s", w->err);
		w->last_warn = now;
	}
	return false;
}

static void
store_writer_batch(struct store_writer *w, struct store_wmsg *batch, size_t n,
    bool stopping)
{
	const struct store_msg *msgs[STORE_WRITER_BATCH];
	size_t k = 0;
	for (struct store_wmsg *b = batch; b && k < STORE_WRITER_BATCH; b = b->next)
		msgs[k++] = &b->m;
	bool done = false;
	for (int t = 0; t < STORE_WRITER_TRIES && !done; t++) {
		if (t > 0 && !stopping) {
			pthread_mutex_lock(&w->mu);
			if (!w->stop)
				store_writer_wait(w, w->backoff ? w->backoff : 1);
			stopping = w->stop;
			pthread_mutex_unlock(&w->mu);
		}
		if (stopping && t > 0 && store_writer_past(&w->deadline))
			break;
		if (!store_writer_ready(w, stopping))
			continue;
		if (store_put(w->store, msgs, k, w->err, sizeof w->err) == 0) {
			done = true;
			break;
		}
		time_t now = time(NULL);
		if (now >= w->last_warn + STORE_WRITER_WARN_S) {
			log_err(NULL, "report store: writing %zu rows failed: %s", k, w->err);
			w->last_warn = now;
		}
		store_close(&w->store);       /* reopened (after the backoff) next */
		w->backoff = w->backoff ? w->backoff : 1;
		w->reopen_at = now + w->backoff;
	}
	pthread_mutex_lock(&w->mu);
	if (done) {
		w->st.written += n;
	} else {
		w->st.dropped += n;
		w->st.failed_batches++;
	}
	pthread_mutex_unlock(&w->mu);
}

/* A new snapshot every HISTORY_REFRESH_S; pruning hourly. */
static void
store_writer_hist_chores(struct store_writer *w, bool stopping, time_t now)
{
	struct history_limits lim;
	struct history *h, *old;

	pthread_mutex_lock(&w->mu);
	int64_t keep = w->hist_retention;
	lim.max_domains = w->hist_max;
	pthread_mutex_unlock(&w->mu);
	if (stopping || keep <= 0 || !w->store)
		return;
	if (now >= w->next_hist_prune) {
		w->next_hist_prune = now + STORE_WRITER_EXPIRE_S;
		if (store_history_prune(w->store, (int64_t)now - keep, lim.max_domains, w->err,
		    sizeof w->err) < 0)
			log_err(NULL, "report store: pruning history failed: %s", w->err);
	}
	if (now < w->next_hist)
		return;
	w->next_hist = now + HISTORY_REFRESH_S;
	if ((h = history_load(w->store, &lim, w->err, sizeof w->err)) == NULL) {
		log_err(NULL, "report store: loading history failed: %s", w->err);
		return;
	}
	pthread_mutex_lock(&w->mu);
	old = w->hist;
	w->hist = h;
	pthread_mutex_unlock(&w->mu);
	history_release(&old);
}

static void
store_writer_chores(struct store_writer *w, bool stopping)
{
	time_t now = time(NULL);
	pthread_mutex_lock(&w->mu);
	uint64_t dropped = w->st.dropped;
	int64_t retention = w->retention;
	size_t queued = w->count;
	pthread_mutex_unlock(&w->mu);
	if (dropped > w->warned_dropped &&
	    (stopping || now >= w->last_drop_warn + STORE_WRITER_WARN_S)) {
		log_warn(NULL, "report store: %llu rows dropped (queue full or store failing; "
		    "%zu queued, report_queue %zu)", (unsigned long long)(dropped - w->warned_dropped),
		    queued, w->max);
		w->warned_dropped = dropped;
		w->last_drop_warn = now;
	}
	store_writer_hist_chores(w, stopping, now);
	if (stopping || retention <= 0 || now < w->next_expire || !w->store)
		return;
	w->next_expire = now + STORE_WRITER_EXPIRE_S;
	long n = store_expire(w->store, (int64_t)now - retention, w->err, sizeof w->err);
	if (n < 0)
		log_err(NULL, "report store: expiring rows older than %lld days failed: %s",
		    (long long)(retention / 86400), w->err);
	else if (n > 0)
		log_info(NULL, "report store: expired %ld messages older than %lld days", n,
		    (long long)(retention / 86400));
}

static void
store_writer_free(struct store_writer *w)
{
	store_wmsg_free_list(w->head);
	store_close(&w->store);
	history_release(&w->hist);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cond);
	free(w->uri);
	free(w);
}

static void *
store_writer_main(void *arg)
{
	struct store_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		if (!w->stop && w->count < STORE_WRITER_BATCH)
			store_writer_wait(w, 1);
		bool stopping = w->stop;
		if (stopping && store_writer_past(&w->deadline) && w->count) {
			w->st.dropped += w->count;    /* the drain ran out of time */
			store_wmsg_free_list(w->head);
			w->head = NULL, w->tail = &w->head, w->count = 0;
		}
		struct store_wmsg *batch = w->head, **cut = &w->head;
		size_t n = 0;
		while (*cut && n < STORE_WRITER_BATCH)
			cut = &(*cut)->next, n++;
		w->head = *cut;
		*cut = NULL;
		if (!w->head)
			w->tail = &w->head;
		w->count -= n;
		pthread_mutex_unlock(&w->mu);
		if (n)
			store_writer_batch(w, batch, n, stopping);
		store_wmsg_free_list(batch);
		store_writer_chores(w, stopping);
		pthread_mutex_lock(&w->mu);
		if (stopping && w->count == 0)
			break;
	}
	w->exited = true;
	bool abandoned = w->abandoned;
	pthread_mutex_unlock(&w->mu);
	if (abandoned)
		store_writer_free(w);
	return NULL;
}

struct store_writer *
store_writer_start(const char *uri, size_t queue_max,
    char *err, size_t errlen)
{
	struct store *s = store_open(uri, true, err, errlen);
	if (!s)
		return NULL;
	struct store_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->uri = strdup(uri))) {
		free(w);
		store_close(&s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->store = s;
	w->max = queue_max ? queue_max : 1;
	w->tail = &w->head;
	w->next_expire = time(NULL) + 60;   /* the first expiry a minute after start */
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&w->thread, NULL, store_writer_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
		store_writer_free(w);
		return NULL;
	}
	return w;
}

void
store_writer_retention(struct store_writer *w, int64_t seconds)
{
	pthread_mutex_lock(&w->mu);
	w->retention = seconds;
	pthread_mutex_unlock(&w->mu);
}

int
store_writer_history(struct store_writer *w, int64_t retention, size_t max_domains,
    char *err, size_t errlen)
{
	struct history_limits lim = { .max_domains = max_domains };
	struct history *h = NULL, *old;
	struct store *s;

	if (retention > 0) {
		/* Loaded here, on a connection of its own, so that the first
		   message already reads it; the thread refreshes it. */
		if ((s = store_open(w->uri, true, err, errlen)) == NULL)
			return -1;
		h = history_load(s, &lim, err, errlen);
		store_close(&s);
		if (h == NULL)
			return -1;
	}
	pthread_mutex_lock(&w->mu);
	w->hist_retention = retention;
	w->hist_max = max_domains;
	w->next_hist = time(NULL) + HISTORY_REFRESH_S;
	if (w->next_hist_prune == 0)
		w->next_hist_prune = time(NULL) + 60;
	old = w->hist;
	w->hist = h;
	pthread_mutex_unlock(&w->mu);
	history_release(&old);
	return 0;
}

struct history *
store_writer_history_get(struct store_writer *w)
{
	struct history *h;

	if (w == NULL)
		return NULL;
	pthread_mutex_lock(&w->mu);
	h = history_ref(w->hist);
	pthread_mutex_unlock(&w->mu);
	return h;
}

/*
 * Asks the thread to write what is queued by timeout_ms and waits for it.
 * True when it has exited and been joined. Otherwise it is detached, and
 * frees w itself when it finishes if free_when_done.
 */
static bool
store_writer_halt(struct store_writer *w, unsigned timeout_ms, bool free_when_done)
{
	struct timespec limit;
	bool exited;

	pthread_mutex_lock(&w->mu);
	clock_gettime(CLOCK_REALTIME, &w->deadline);
	w->deadline.tv_sec += timeout_ms / 1000;
	w->deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (w->deadline.tv_nsec >= 1000000000L) {
		w->deadline.tv_sec++;
		w->deadline.tv_nsec -= 1000000000L;
	}
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	/* A store that hangs (a PostgreSQL server gone silent) may hold the
	 * thread past the deadline: then it is left to finish in the background. */
	limit = w->deadline;
	limit.tv_sec += 1;
	if (pthread_timedjoin_np(w->thread, NULL, &limit) == 0)
		return true;
	pthread_mutex_lock(&w->mu);
	exited = w->exited;
	w->abandoned = !exited && free_when_done;
	pthread_mutex_unlock(&w->mu);
	if (exited) {
		pthread_join(w->thread, NULL);
		return true;
	}
	log_warn(NULL, "report store: the writer did not finish within %u ms; "
	    "left to finish in the background", timeout_ms);
	pthread_detach(w->thread);
	return false;
}

void
store_writer_stop(struct store_writer **wp, unsigned timeout_ms)
{
	struct store_writer *w = *wp;

	if (w == NULL)
		return;
	*wp = NULL;
	if (store_writer_halt(w, timeout_ms, true))
		store_writer_free(w);
}

void
store_writer_finish(struct store_writer *w, unsigned timeout_ms)
{
	if (w != NULL)
		(void)store_writer_halt(w, timeout_ms, false);
}

void
store_writer_stats(struct store_writer *w, struct store_writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->st;
	pthread_mutex_unlock(&w->mu);
}
