/*
 * The history snapshot (history.h): three queries on the store, sorted
 * arrays in one arena, binary search at verdict time. A snapshot is never
 * changed once built; the writer thread swaps in a new one, and the last
 * reference frees the old.
 */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dmarc.h"
#include "grow.h"
#include "history.h"
#include "report_store.h"

struct hitem {
	const char *org;
	const char *value;
	uint64_t count;
	uint64_t orgs;                  /* author domains loaded with this kind and value */
	enum history_kind kind;
};

struct hdom {
	const char *org;
	uint64_t pass, fail, rcpt;
	bool known;                     /* a history_domain row */
	size_t first, n;                /* its items */
};

struct history {
	atomic_uint refs;
	struct arena *a;
	struct hdom *d;
	size_t nd, dcap;
	struct hitem *it;
	size_t nit, itcap;
	size_t nsender, nrcpt;
	bool oom;
};

static const char *const kind_names[HIST_NKINDS] = { "dkim", "spf", "net", "ptr" };

const char *
history_kind_name(enum history_kind k)
{
	return (unsigned)k < HIST_NKINDS ? kind_names[k] : "?";
}

enum history_kind
history_kind_parse(const char *name)
{
	int k;

	for (k = 0; k < HIST_NKINDS && strcmp(name, kind_names[k]) != 0; k++)
		;
	return (enum history_kind)k;
}

static uint64_t
num(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

static int
row_domain(void *arg, size_t ncol, const char *const *col)
{
	struct history *h = arg;
	struct hdom *d;
	if (ncol < 3 || col[0] == NULL ||
	    (d = grow_array(h->d, &h->dcap, h->nd + 1, sizeof(*d))) == NULL) {
		h->oom = ncol >= 3 && col[0] != NULL;
		return h->oom;
	}
	h->d = d;
	d = &h->d[h->nd++];
	memset(d, 0, sizeof(*d));
	d->org = arena_strdup(h->a, col[0]);
	d->pass = num(col[1]);
	d->fail = num(col[2]);
	d->known = true;
	h->nsender++;
	return 0;
}

static int
row_rcpt(void *arg, size_t ncol, const char *const *col)
{
	struct history *h = arg;
	struct hdom *d;
	if (ncol < 2 || col[0] == NULL ||
	    (d = grow_array(h->d, &h->dcap, h->nd + 1, sizeof(*d))) == NULL) {
		h->oom = ncol >= 2 && col[0] != NULL;
		return h->oom;
	}
	h->d = d;
	d = &h->d[h->nd++];
	memset(d, 0, sizeof(*d));
	d->org = arena_strdup(h->a, col[0]);
	d->rcpt = num(col[1]);
	h->nrcpt++;
	return 0;
}

static int
row_item(void *arg, size_t ncol, const char *const *col)
{
	struct history *h = arg;
	enum history_kind k;
	if (ncol < 4 || col[0] == NULL || col[1] == NULL || col[2] == NULL)
		return 0;
	if ((k = history_kind_parse(col[1])) == HIST_NKINDS)
		return 0;
	struct hitem *it = grow_array(h->it, &h->itcap, h->nit + 1, sizeof(*it));
	if (it == NULL) {
		h->oom = true;
		return 1;
	}
	h->it = it;
	it = &h->it[h->nit++];
	it->org = arena_strdup(h->a, col[0]);
	it->kind = k;
	it->value = arena_strdup(h->a, col[2]);
	it->count = num(col[3]);
	return 0;
}

static int
cmp_dom(const void *a, const void *b)
{
	return strcmp(((const struct hdom *)a)->org, ((const struct hdom *)b)->org);
}

static int
cmp_item(const void *a, const void *b)
{
	const struct hitem *x = a, *y = b;
	return strcmp(x->org, y->org);
}

static int
cmp_value(const void *a, const void *b)
{
	const struct hitem *x = *(const struct hitem *const *)a, *y = *(const struct hitem *const *)b;
	int c = (int)x->kind - (int)y->kind;
	return c != 0 ? c : strcmp(x->value, y->value);
}

/*
 * For each item, how many author domains have the same kind and value
 * (the items of one domain are distinct: (org, kind, value) is the key).
 */
static bool
history_count_orgs(struct history *h)
{
	struct hitem **v;
	size_t i, j, k;

	if (h->nit == 0)
		return true;
	if ((v = malloc(h->nit * sizeof(*v))) == NULL)
		return false;
	for (i = 0; i < h->nit; i++)
		v[i] = &h->it[i];
	qsort(v, h->nit, sizeof(*v), cmp_value);
	for (i = 0; i < h->nit; i = j) {
		for (j = i + 1; j < h->nit && cmp_value(&v[i], &v[j]) == 0; j++)
			;
		for (k = i; k < j; k++)
			v[k]->orgs = j - i;
	}
	free(v);
	return true;
}

/*
 * Sorted by domain, a domain with both sender and recipient history merged
 * into one entry; items attached to their domain (those of domains not
 * loaded are dropped).
 */
static void
history_index(struct history *h)
{
	size_t i, o, j;

	if (h->nd > 1)
		qsort(h->d, h->nd, sizeof(*h->d), cmp_dom);
	for (i = 0, o = 0; i < h->nd; i++) {
		if (o > 0 && strcmp(h->d[o - 1].org, h->d[i].org) == 0) {
			struct hdom *p = &h->d[o - 1];
			p->pass += h->d[i].pass;
			p->fail += h->d[i].fail;
			p->rcpt += h->d[i].rcpt;
			p->known |= h->d[i].known;
			continue;
		}
		h->d[o++] = h->d[i];
	}
	h->nd = o;
	if (h->nit > 1)
		qsort(h->it, h->nit, sizeof(*h->it), cmp_item);
	for (i = 0, j = 0; i < h->nd && j < h->nit; ) {
		int c = strcmp(h->d[i].org, h->it[j].org);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			h->d[i].first = j;
			while (j < h->nit && strcmp(h->it[j].org, h->d[i].org) == 0)
				j++;
			h->d[i].n = j - h->d[i].first;
			i++;
		}
	}
	/* Items of domains not loaded are not counted (nor read). */
	for (i = 0, o = 0; i < h->nd; i++) {
		memmove(&h->it[o], &h->it[h->d[i].first], h->d[i].n * sizeof(*h->it));
		h->d[i].first = o;
		o += h->d[i].n;
	}
	h->nit = o;
}

struct history *
history_load(struct store *s, const struct history_limits *lim, char *err, size_t errlen)
{
	struct history *h = calloc(1, sizeof(*h));
	char max[24];

	if (h == NULL || (h->a = arena_new()) == NULL) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&h->refs, 1);
	snprintf(max, sizeof(max), "%zu", lim->max_domains ? lim->max_domains : 10000);
	const char *p[2] = { max, NULL };
	/* The same order the hourly pruning keeps (history_store.c). Numbers
	   are cast: SQLite compares an untyped text parameter as text. */
	if (store_query(s, "SELECT org_domain, pass_count, fail_count FROM history_domain "
	    "ORDER BY pass_count DESC, last_seen DESC, org_domain LIMIT CAST(? AS INTEGER)", p, 1,
	    row_domain, h, err, errlen) < 0 ||
	    store_query(s, "SELECT org_domain, count FROM history_recipient "
	    "ORDER BY count DESC, last_seen DESC, org_domain LIMIT CAST(? AS INTEGER)", p, 1,
	    row_rcpt, h, err, errlen) < 0) {
		history_release(&h);
		return NULL;
	}
	snprintf(max, sizeof(max), "%d", HISTORY_KIND_MAX);
	if (store_query(s, "SELECT org_domain, kind, value, count FROM (SELECT org_domain, kind, "
	    "value, count, ROW_NUMBER() OVER (PARTITION BY org_domain, kind ORDER BY count DESC, "
	    "last_seen DESC, value) AS rn FROM history_infra) t WHERE rn <= CAST(? AS INTEGER)",
	    p, 1, row_item, h, err, errlen) < 0) {
		history_release(&h);
		return NULL;
	}
	if (h->oom) {
		snprintf(err, errlen, "out of memory");
		history_release(&h);
		return NULL;
	}
	history_index(h);
	if (!history_count_orgs(h)) {
		snprintf(err, errlen, "out of memory");
		history_release(&h);
		return NULL;
	}
	return h;
}

struct history *
history_ref(struct history *h)
{
	if (h != NULL)
		atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
	return h;
}

void
history_release(struct history **hp)
{
	struct history *h = *hp;

	*hp = NULL;
	if (h == NULL || atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1)
		return;
	arena_free(&h->a);
	free(h->d);
	free(h->it);
	free(h);
}

size_t
history_ndomains(const struct history *h)
{
	return h ? h->nsender : 0;
}

size_t
history_nrecipients(const struct history *h)
{
	return h ? h->nrcpt : 0;
}

static const struct hitem *
find_item(const struct history *h, const struct hdom *d, enum history_kind k, const char *v)
{
	for (size_t i = d->first; v != NULL && i < d->first + d->n; i++)
		if (h->it[i].kind == k && strcmp(h->it[i].value, v) == 0)
			return &h->it[i];
	return NULL;
}

void
history_signals(const struct history *h, const struct history_query *q,
    struct history_signals *out)
{
	struct hdom key, *d;
	const struct hitem *it;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; q->org != NULL && i < q->nids; i++)
		if (q->ids[i] != NULL && out->own == NULL && dmarc_domain_within(q->ids[i], q->org))
			out->own = q->ids[i];
	if (h == NULL || q->org == NULL || h->nd == 0)
		return;
	key.org = q->org;
	d = bsearch(&key, h->d, h->nd, sizeof(*h->d), cmp_dom);
	if (d == NULL)
		return;
	out->known = d->known;
	out->pass = d->pass;
	out->fail = d->fail;
	out->correspondent = d->rcpt;
	for (size_t i = 0; i < q->nids; i++) {
		if ((it = find_item(h, d, q->id_kinds[i], q->ids[i])) == NULL)
			continue;
		out->seen_any = true;
		if (it->orgs > 1 && !dmarc_domain_within(it->value, q->org)) {
			if (it->count >= q->threshold && it->orgs > out->shared_orgs) {
				out->shared = it->value;
				out->shared_orgs = it->orgs;
			}
			continue;
		}
		if (it->count >= q->threshold && it->count > out->id_count) {
			out->id = it->value;
			out->id_count = it->count;
		}
	}
	if ((it = find_item(h, d, HIST_NET, q->net)) != NULL) {
		out->seen_any = true;
		if (it->count >= q->threshold) {
			out->net = it->value;
			out->net_count = it->count;
		}
	}
	if ((it = find_item(h, d, HIST_PTR, q->ptr)) != NULL) {
		out->seen_any = true;
		if (it->count >= q->threshold) {
			out->ptr = it->value;
			out->ptr_count = it->count;
		}
	}
}

const char *
history_net(struct arena *a, const char *ip)
{
	unsigned char b[16];
	char buf[INET6_ADDRSTRLEN];

	if (ip == NULL)
		return NULL;
	if (inet_pton(AF_INET, ip, b) == 1) {
		b[3] = 0;
		if (inet_ntop(AF_INET, b, buf, sizeof(buf)) == NULL)
			return NULL;
		return arena_printf(a, "%s/24", buf);
	}
	if (inet_pton(AF_INET6, ip, b) == 1) {
		memset(b + 6, 0, 10);
		if (inet_ntop(AF_INET6, b, buf, sizeof(buf)) == NULL)
			return NULL;
		return arena_printf(a, "%s/48", buf);
	}
	return NULL;
}
