/*
 * libFuzzer target for implicit authentication's history (history.h):
 * rows read from the input are written to an in-memory SQLite store, the
 * snapshot is loaded with history_load as the daemon's writer loads it,
 * and queries from the input go through history_signals and
 * verdict_implicit. Checked with abort():
 *  - the verdict equals a model of the rule table (verdict.h) computed
 *    from the rows themselves: 210 only with an identity and a network or
 *    PTR of the message each seen >= N times, 220 only for a correspondent
 *    of >= N messages, 610 only when always passed >= N times and nothing
 *    of the message ever seen; never pass; any verdict but fail 001 kept;
 *  - the counts the signals report are the stored ones;
 *  - history_net is never longer than INET6_ADDRSTRLEN + 4, is given for
 *    every valid address, and its network maps to itself.
 *
 * Input, one item per line, words split by blanks (a value is any bytes
 * but blanks, newline and NUL):
 *	N COUNT                         threshold (1..20)
 *	D ORG PASS FAIL                 history_domain
 *	R ORG COUNT                     history_recipient
 *	I ORG KIND VALUE COUNT          history_infra (any KIND)
 *	Q ORG                           a query; then its
 *	id dkim|spf VALUE, net ADDRESS-OR-NETWORK, ptr VALUE
 * Rows are capped (64, and 16 per domain and kind: what the snapshot keeps)
 * so that the model is exactly the snapshot and an iteration stays cheap.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dmarc.h"
#include "history.h"
#include "report_store.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROWS 64
#define MAX_QUERIES 8
#define MAX_IDS 8
#define MAX_WORDS 6

struct mrow {
	char type;                      /* 'D' 'R' 'I' */
	const char *org, *kind, *value;
	uint64_t a, b;
};

struct model {
	struct mrow r[MAX_ROWS];
	size_t n;
};

struct mquery {
	const char *org, *net, *ptr;
	const char *ids[MAX_IDS];
	enum history_kind kinds[MAX_IDS];
	size_t nids;
};

static struct store *store;

static uint64_t
count(const char *s)
{
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9' && v < 1000000000000ULL; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static const struct mrow *
find(const struct model *m, char type, const char *org, const char *kind, const char *value)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mrow *r = &m->r[i];
		if (r->type == type && strcmp(r->org, org) == 0 &&
		    (kind == NULL || strcmp(r->kind, kind) == 0) &&
		    (value == NULL || strcmp(r->value, value) == 0))
			return r;
	}
	return NULL;
}

static size_t
kind_rows(const struct model *m, const char *org, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		n += m->r[i].type == 'I' && strcmp(m->r[i].org, org) == 0 &&
		    strcmp(m->r[i].kind, kind) == 0;
	return n;
}

/* A row the store takes as the model has it: the first of a key wins. */
static void
add_row(struct model *m, char **w, size_t nw)
{
	struct mrow r = { .type = w[0][0] };
	const char *sql;
	char n1[24], n2[24];

	if (m->n == MAX_ROWS || strlen(w[0]) != 1)
		return;
	if (r.type == 'D' && nw == 4) {
		r.org = w[1], r.a = count(w[2]), r.b = count(w[3]);
		if (find(m, 'D', r.org, NULL, NULL))
			return;
		sql = "INSERT INTO history_domain (org_domain, pass_count, fail_count, first_seen, "
		    "last_seen) VALUES (?, ?, ?, 0, 0)";
	} else if (r.type == 'R' && nw == 3) {
		r.org = w[1], r.a = count(w[2]);
		if (find(m, 'R', r.org, NULL, NULL))
			return;
		sql = "INSERT INTO history_recipient (org_domain, count, first_seen, last_seen) "
		    "VALUES (?, ?, 0, 0)";
	} else if (r.type == 'I' && nw == 5) {
		r.org = w[1], r.kind = w[2], r.value = w[3], r.a = count(w[4]);
		if (find(m, 'I', r.org, r.kind, r.value) ||
		    kind_rows(m, r.org, r.kind) >= HISTORY_KIND_MAX)
			return;
		sql = "INSERT INTO history_infra (org_domain, kind, value, count, first_seen, "
		    "last_seen) VALUES (?, ?, ?, ?, 0, 0)";
	} else {
		return;
	}
	snprintf(n1, sizeof n1, "%llu", (unsigned long long)r.a);
	snprintf(n2, sizeof n2, "%llu", (unsigned long long)r.b);
	const char *p[4] = { r.org, r.type == 'I' ? r.kind : n1, r.type == 'I' ? r.value : n2, n1 };
	size_t np = r.type == 'D' ? 3 : r.type == 'R' ? 2 : 4;
	char err[256];
	if (store_query(store, sql, p, np, NULL, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_history: insert: %s\n", err);
		abort();
	}
	m->r[m->n++] = r;
}

/* The stored count of a value of the org, or -1; only as the snapshot sees it. */
static int64_t
seen(const struct model *m, const char *org, const char *kind, const char *value)
{
	if (value == NULL || (!find(m, 'D', org, NULL, NULL) && !find(m, 'R', org, NULL, NULL)))
		return -1;
	const struct mrow *r = find(m, 'I', org, kind, value);
	return r ? (int64_t)r->a : -1;
}

/* Author domains loaded (a D or R row) with this kind and value. */
static uint64_t
orgs_of(const struct model *m, const char *kind, const char *value)
{
	uint64_t n = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct mrow *r = &m->r[i];
		n += r->type == 'I' && strcmp(r->kind, kind) == 0 && strcmp(r->value, value) == 0 &&
		    (find(m, 'D', r->org, NULL, NULL) || find(m, 'R', r->org, NULL, NULL));
	}
	return n;
}

/* The rule table of verdict.h, from the rows: the reason fail 001 becomes
   (an identity outside the org that authenticated for other author
   domains too is no evidence, history.h). */
static unsigned
expect(const struct model *m, const struct mquery *q, unsigned n)
{
	bool id = false, own = false, any = false, netp = false;
	int64_t c;

	if (q->org == NULL)
		return 1;
	for (size_t i = 0; i < q->nids; i++) {
		own |= dmarc_domain_within(q->ids[i], q->org);
		c = seen(m, q->org, history_kind_name(q->kinds[i]), q->ids[i]);
		any |= c >= 0;
		if (c >= 0 && !dmarc_domain_within(q->ids[i], q->org) &&
		    orgs_of(m, history_kind_name(q->kinds[i]), q->ids[i]) > 1)
			continue;
		id |= c >= (int64_t)n;
	}
	c = seen(m, q->org, "net", q->net);
	any |= c >= 0;
	netp |= c >= (int64_t)n;
	c = seen(m, q->org, "ptr", q->ptr);
	any |= c >= 0;
	netp |= c >= (int64_t)n;
	const struct mrow *d = find(m, 'D', q->org, NULL, NULL);
	const struct mrow *r = find(m, 'R', q->org, NULL, NULL);
	if (id && netp)
		return 210;
	if (r != NULL && r->a >= n && (own || id))
		return 220;
	if (d != NULL && d->a >= n && d->b == 0 && !any)
		return 610;
	return 1;
}

static void
check_net(struct arena *a, const char *ip)
{
	unsigned char b[16], c[16];
	const char *net = history_net(a, ip);
	bool v4 = inet_pton(AF_INET, ip, b) == 1, v6 = !v4 && inet_pton(AF_INET6, ip, b) == 1;

	if (net == NULL) {
		if (v4 || v6)
			abort();
		return;
	}
	if (!v4 && !v6)
		abort();
	size_t len = strlen(net);
	if (len > INET6_ADDRSTRLEN + 4 || len < 4 || strcmp(net + len - 3, v4 ? "/24" : "/48") != 0)
		abort();
	char *addr = arena_strndup(a, net, len - 3);
	if (inet_pton(v4 ? AF_INET : AF_INET6, addr, c) != 1)
		abort();
	/* The network is the address with the host part cleared, and stable. */
	size_t keep = v4 ? 3 : 6, all = v4 ? 4 : 16;
	if (memcmp(b, c, keep) != 0)
		abort();
	for (size_t i = keep; i < all; i++)
		if (c[i] != 0)
			abort();
	const char *again = history_net(a, addr);
	if (again == NULL || strcmp(again, net) != 0)
		abort();
}

static void
run_query(const struct history *h, const struct model *m, struct mquery *q, unsigned n)
{
	static const struct verdict others[] = {
		{ COMPAUTH_FAIL, 0, NULL }, { COMPAUTH_FAIL, 10, NULL },
		{ COMPAUTH_PASS, 100, NULL }, { COMPAUTH_PASS, 109, NULL },
		{ COMPAUTH_SOFTPASS, 200, NULL }, { COMPAUTH_NONE, 301, NULL },
		{ COMPAUTH_NONE, 302, NULL }, { COMPAUTH_FAIL, 610, NULL },
	};
	struct history_query hq = { .org = q->org, .ids = q->ids, .id_kinds = q->kinds,
		.nids = q->nids, .net = q->net, .ptr = q->ptr, .threshold = n };
	struct history_signals sig;
	struct verdict in = { COMPAUTH_FAIL, 1, "x" }, out;

	history_signals(h, &hq, &sig);
	verdict_implicit(&in, &sig, n, &out);
	if (out.result == COMPAUTH_PASS || out.reason != expect(m, q, n))
		abort();
	if ((out.reason == 1) != (out.result == COMPAUTH_FAIL && out.why == in.why))
		abort();
	/* What the signals say is what is stored. */
	if (sig.id != NULL && (sig.id_count < n || q->org == NULL))
		abort();
	if (sig.net != NULL && (q->net == NULL || strcmp(sig.net, q->net) != 0 || sig.net_count < n ||
	    seen(m, q->org, "net", q->net) != (int64_t)sig.net_count))
		abort();
	if (sig.ptr != NULL && (q->ptr == NULL || strcmp(sig.ptr, q->ptr) != 0 || sig.ptr_count < n ||
	    seen(m, q->org, "ptr", q->ptr) != (int64_t)sig.ptr_count))
		abort();
	if (sig.known != (q->org != NULL && find(m, 'D', q->org, NULL, NULL) != NULL))
		abort();
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		verdict_implicit(&others[i], &sig, n, &out);
		if (out.result != others[i].result || out.reason != others[i].reason ||
		    out.why != others[i].why)
			abort();
	}
}

static void
setup(void)
{
	char err[512];

	/* One store for the process; every input starts from empty tables. */
	if ((store = store_open(":memory:", true, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz_history: %s\n", err);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wipe[] = { "DELETE FROM history_domain",
		"DELETE FROM history_recipient", "DELETE FROM history_infra" };
	static struct model m;
	struct mquery q[MAX_QUERIES];
	size_t nq = 0;
	unsigned n = 5;
	char err[512];

	if (store == NULL)
		setup();
	if (size > 8192)
		return 0;
	struct arena *a = arena_new();
	char *text = arena_strndup(a, (const char *)data, size);
	memset(&m, 0, sizeof m);
	for (size_t i = 0; i < sizeof wipe / sizeof wipe[0]; i++)
		if (store_query(store, wipe[i], NULL, 0, NULL, NULL, err, sizeof err) < 0)
			abort();
	/* NUL ends the text: the rest is not seen, as a C string would not be. */
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *w[MAX_WORDS], *ws = NULL;
		size_t nw = 0;
		for (char *t = strtok_r(line, " \t\r", &ws); t != NULL && nw < MAX_WORDS;
		    t = strtok_r(NULL, " \t\r", &ws))
			w[nw++] = t;
		if (nw == 0)
			continue;
		if (strcmp(w[0], "N") == 0 && nw == 2) {
			uint64_t v = count(w[1]);
			n = v >= 1 && v <= 20 ? (unsigned)v : (unsigned)(v % 20) + 1;
		} else if (strcmp(w[0], "Q") == 0 && nw == 2 && nq < MAX_QUERIES) {
			memset(&q[nq], 0, sizeof q[nq]);
			q[nq++].org = w[1];
		} else if (strcmp(w[0], "id") == 0 && nw == 3 && nq > 0 && q[nq - 1].nids < MAX_IDS) {
			struct mquery *c = &q[nq - 1];
			if (strcmp(w[1], "dkim") != 0 && strcmp(w[1], "spf") != 0)
				continue;
			c->kinds[c->nids] = w[1][0] == 'd' ? HIST_DKIM : HIST_SPF;
			c->ids[c->nids++] = w[2];
		} else if (strcmp(w[0], "net") == 0 && nw == 2 && nq > 0) {
			/* An address becomes its network, as the daemon's is. */
			const char *net = history_net(a, w[1]);
			check_net(a, w[1]);
			q[nq - 1].net = net != NULL ? net : w[1];
		} else if (strcmp(w[0], "ptr") == 0 && nw == 2 && nq > 0) {
			q[nq - 1].ptr = w[1];
		} else {
			add_row(&m, w, nw);
		}
	}
	struct history_limits lim = { .max_domains = 10000 };
	struct history *h = history_load(store, &lim, err, sizeof err);
	if (h == NULL) {
		fprintf(stderr, "fuzz_history: history_load: %s\n", err);
		abort();
	}
	size_t nd = 0, nr = 0;
	for (size_t i = 0; i < m.n; i++) {
		nd += m.r[i].type == 'D';
		nr += m.r[i].type == 'R';
	}
	if (history_ndomains(h) != nd || history_nrecipients(h) != nr)
		abort();
	for (size_t i = 0; i < nq; i++)
		run_query(h, &m, &q[i], n);
	/* A query without an author domain, as a message with two authors. */
	struct mquery none = { 0 };
	run_query(h, &m, &none, n);
	history_release(&h);
	arena_free(&a);
	return 0;
}
