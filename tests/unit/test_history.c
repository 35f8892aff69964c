/*
 * Implicit authentication's history in the report store (history.h,
 * history_store.c, history.c), on SQLite and on a real PostgreSQL server
 * (tests/pgserver.py): what each kind of message teaches (and what it
 * must not: a failing message never creates a domain), the snapshot's
 * signals, and pruning (retention, 16 values per kind, the domain cap
 * keeping the domains with the longest record).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "history.h"
#include "verdict.h"
#include "report_store.h"
#include "pgtest.h"
#include "tap.h"

static char err[1024];

static int
put(struct store *s, struct store_msg *m, int times)
{
	const struct store_msg *p[1] = { m };
	for (int i = 0; i < times; i++)
		if (store_put(s, p, 1, err, sizeof err) < 0)
			return -1;
	return 0;
}

/* An explicitly authenticated message of a.example, through an ESP. */
static struct store_msg
pass_msg(int64_t t)
{
	struct store_msg m;
	memset(&m, 0, sizeof m);
	m.received = t;
	m.history = STORE_HIST_PASS;
	m.history_only = true;
	m.history_org = "a.example";
	m.history_net = "192.0.2.0/24";
	m.history_ptr = "esp.example";
	m.spf_domain = "bounce.esp.example";
	m.spf_scope = "mfrom";
	m.spf_result = "pass";
	m.ndkim = 3;
	m.dkim[0] = (struct store_dkim){ "a.example", "s1", "pass", NULL };
	m.dkim[1] = (struct store_dkim){ "esp.example", "e1", "pass", NULL };
	m.dkim[2] = (struct store_dkim){ "forged.example", "x", "fail", "bad signature" };
	return m;
}

static int
num_row(void *arg, size_t ncol, const char *const *col)
{
	*(long *)arg = ncol > 0 && col[0] ? strtol(col[0], NULL, 10) : -1;
	return 0;
}

static long
num(struct store *s, const char *sql)
{
	long n = -1;
	if (store_query(s, sql, NULL, 0, num_row, &n, err, sizeof err) < 0)
		return -2;
	return n;
}

static void
scenarios(const char *be, const char *uri)
{
	struct store *s = store_open(uri, true, err, sizeof err);
	struct history_limits lim = { .max_domains = 100 };
	struct history_signals sig;
	struct history *h;

	ok(s != NULL, "%s: store (%s)", be, s ? "" : err);
	if (s == NULL)
		return;

	/* Learning */
	struct store_msg m = pass_msg(1000);
	ok(put(s, &m, 5) == 0, "%s: 5 explicit passes put (%s)", be, err);
	is_int(num(s, "SELECT pass_count FROM history_domain WHERE org_domain = 'a.example'"), 5,
	    "%s: a.example: 5 passes", be);
	is_int(num(s, "SELECT count(*) FROM history_infra WHERE org_domain = 'a.example'"), 5,
	    "%s: 5 values: 2 passing d=, the SPF domain, the network, the PTR domain", be);
	is_int(num(s, "SELECT count(*) FROM history_infra WHERE value = 'forged.example'"), 0,
	    "%s: a failing signature teaches nothing", be);
	is_int(num(s, "SELECT count FROM history_infra WHERE kind = 'spf' AND "
	    "value = 'bounce.esp.example'"), 5, "%s: the SPF domain seen 5 times", be);

	struct store_msg f;
	memset(&f, 0, sizeof f);
	f.received = 1001;
	f.history = STORE_HIST_FAIL;
	f.history_only = true;
	f.history_org = "spoofed.example";
	ok(put(s, &f, 3) == 0, "%s: failures put", be);
	is_int(num(s, "SELECT count(*) FROM history_domain WHERE org_domain = 'spoofed.example'"), 0,
	    "%s: failing mail of an unknown domain creates nothing (no flooding the table)", be);

	struct store_msg o;
	memset(&o, 0, sizeof o);
	o.received = 1002;
	o.history = STORE_HIST_OUTBOUND;
	o.history_only = true;
	o.nrcpt_orgs = 2;
	o.rcpt_orgs[0] = "partner.example";
	o.rcpt_orgs[1] = "other.example";
	ok(put(s, &o, 5) == 0, "%s: 5 outbound messages put", be);
	is_int(num(s, "SELECT count FROM history_recipient WHERE org_domain = 'partner.example'"), 5,
	    "%s: partner.example written to 5 times", be);

	/* The snapshot and its signals */
	h = history_load(s, &lim, err, sizeof err);
	ok(h != NULL, "%s: history_load (%s)", be, h ? "" : err);
	is_int((long)history_ndomains(h), 1, "%s: one sender domain", be);
	is_int((long)history_nrecipients(h), 2, "%s: two recipient domains", be);
	const char *ids[2] = { "bounce.esp.example", "esp.example" };
	enum history_kind kinds[2] = { HIST_SPF, HIST_DKIM };
	struct history_query qy = { "a.example", ids, kinds, 2, "192.0.2.0/24", NULL, 5 };
	history_signals(h, &qy, &sig);
	ok(sig.known && sig.pass == 5 && sig.fail == 0 && sig.id != NULL && sig.id_count == 5 &&
	    sig.net != NULL && strcmp(sig.net, "192.0.2.0/24") == 0 && sig.ptr == NULL &&
	    sig.seen_any, "%s: same identity and network: signals id, net (%s x%llu)", be,
	    sig.id ? sig.id : "-", (unsigned long long)sig.id_count);
	qy.threshold = 6;
	history_signals(h, &qy, &sig);
	ok(sig.id == NULL && sig.net == NULL && sig.seen_any,
	    "%s: threshold 6: seen, but no signal", be);
	struct history_query unseen = { "a.example", NULL, NULL, 0, "198.51.100.0/24",
		"attacker.example", 5 };
	history_signals(h, &unseen, &sig);
	ok(sig.known && sig.pass == 5 && !sig.seen_any && sig.id == NULL,
	    "%s: unseen network and PTR: known, nothing seen", be);
	const char *own[1] = { "mail.partner.example" };
	enum history_kind k1[1] = { HIST_DKIM };
	struct history_query corr = { "partner.example", own, k1, 1, NULL, NULL, 5 };
	history_signals(h, &corr, &sig);
	ok(!sig.known && sig.correspondent == 5 && sig.own != NULL &&
	    strcmp(sig.own, "mail.partner.example") == 0,
	    "%s: partner.example: a correspondent, with a pass of its own", be);
	struct history_query none = { "nobody.example", NULL, NULL, 0, NULL, NULL, 5 };
	history_signals(h, &none, &sig);
	ok(!sig.known && sig.correspondent == 0, "%s: an unknown domain: nothing", be);
	history_release(&h);

	/* A known domain's failures count against it (610 no longer applies). */
	f.history_org = "a.example";
	ok(put(s, &f, 2) == 0, "%s: 2 failures of a.example", be);
	h = history_load(s, &lim, err, sizeof err);
	history_signals(h, &unseen, &sig);
	ok(sig.fail == 2 && sig.pass == 5, "%s: a.example: pass 5, fail 2", be);
	history_release(&h);

	/* Pruning: 20 DKIM domains of b.example, the 16 most seen stay. */
	for (int i = 0; i < 20; i++) {
		char d[32];
		struct store_msg b;
		memset(&b, 0, sizeof b);
		b.received = 2000;
		b.history = STORE_HIST_PASS;
		b.history_only = true;
		b.history_org = "b.example";
		snprintf(d, sizeof d, "d%02d.example", i);
		b.ndkim = 1;
		b.dkim[0] = (struct store_dkim){ d, "s", "pass", NULL };
		put(s, &b, i < 4 ? 1 : 2);
	}
	h = history_load(s, &lim, err, sizeof err);
	const char *d00[1] = { "d00.example" }, *d19[1] = { "d19.example" };
	struct history_query qb = { "b.example", d00, k1, 1, NULL, NULL, 1 };
	history_signals(h, &qb, &sig);
	ok(!sig.seen_any, "%s: the snapshot loads 16 values per kind, the most seen", be);
	qb.ids = d19;
	history_signals(h, &qb, &sig);
	ok(sig.id != NULL && sig.id_count == 2, "%s: d19 (seen twice) loaded", be);
	history_release(&h);
	ok(store_history_prune(s, 0, 100, err, sizeof err) == 0, "%s: prune (%s)", be, err);
	is_int(num(s, "SELECT count(*) FROM history_infra WHERE org_domain = 'b.example'"), 16,
	    "%s: pruned to 16 values for b.example", be);
	is_int(num(s, "SELECT count(*) FROM history_infra WHERE org_domain = 'b.example' AND "
	    "count = 1"), 0, "%s: the 4 seen once went", be);

	/* The domain cap keeps the longest records: b (36 passes) and a (5); c (1) goes. */
	struct store_msg c = pass_msg(3000);
	c.history_org = "c.example";
	put(s, &c, 1);
	ok(store_history_prune(s, 0, 2, err, sizeof err) == 0, "%s: prune to 2 domains", be);
	is_int(num(s, "SELECT count(*) FROM history_domain WHERE org_domain IN ('a.example', "
	    "'b.example')"), 2, "%s: a.example and b.example kept", be);
	is_int(num(s, "SELECT count(*) FROM history_domain WHERE org_domain = 'c.example'") +
	    num(s, "SELECT count(*) FROM history_infra WHERE org_domain = 'c.example'"), 0,
	    "%s: c.example (newest, one pass) and its values gone", be);
	is_int(num(s, "SELECT count(*) FROM history_recipient"), 2,
	    "%s: recipients within the cap stay", be);

	/* Retention: what was last seen before the cutoff goes. */
	ok(store_history_prune(s, 1500, 100, err, sizeof err) == 0, "%s: prune at 1500", be);
	is_int(num(s, "SELECT count(*) FROM history_domain"), 1,
	    "%s: only b.example (seen at 2000) is left", be);
	is_int(num(s, "SELECT count(*) FROM history_recipient") +
	    num(s, "SELECT count(*) FROM history_infra WHERE org_domain = 'a.example'"), 0,
	    "%s: old recipients and a.example's values gone", be);

	/* Shared infrastructure: another author domain passes through the same
	   ESP (its d=, its bounce domain, its network): those identities are no
	   evidence for either; an identity within the author's org still is. */
	struct store_msg e1 = pass_msg(5000), e2 = pass_msg(5000);
	e2.history_org = "e.example";
	e2.dkim[0] = (struct store_dkim){ "e.example", "s1", "pass", NULL };
	ok(put(s, &e1, 5) == 0 && put(s, &e2, 5) == 0, "%s: a.example and e.example, one ESP", be);
	h = history_load(s, &lim, err, sizeof err);
	qy.threshold = 5;
	history_signals(h, &qy, &sig);
	ok(sig.id == NULL && sig.net != NULL && sig.seen_any && sig.shared != NULL &&
	    sig.shared_orgs == 2, "%s: the ESP's d= and bounce domain, seen for 2 author domains: "
	    "shared, no identity signal (%s x%llu)", be, sig.shared ? sig.shared : "-",
	    (unsigned long long)sig.shared_orgs);
	struct verdict v001 = { .result = COMPAUTH_FAIL, .reason = 1 }, vo;
	verdict_implicit(&v001, &sig, 5, &vo);
	is_int((long)vo.reason, 1, "%s: shared ESP identity and network: stays 001", be);
	const char *aid[2] = { "a.example", "esp.example" };
	enum history_kind kd[2] = { HIST_DKIM, HIST_DKIM };
	struct history_query qa = { "a.example", aid, kd, 2, "192.0.2.0/24", NULL, 5 };
	history_signals(h, &qa, &sig);
	ok(sig.id != NULL && strcmp(sig.id, "a.example") == 0,
	    "%s: d=a.example is within the author's org: still evidence", be);
	struct history_query qe = { "e.example", ids, kinds, 2, "192.0.2.0/24", NULL, 5 };
	history_signals(h, &qe, &sig);
	ok(sig.id == NULL && sig.shared != NULL, "%s: and shared for e.example too", be);
	history_release(&h);
	store_close(&s);
}

int
main(void)
{
	char dir[] = "/tmp/test_history.XXXXXX";
	struct arena *a = arena_new();

	is_str(history_net(a, "192.0.2.77"), "192.0.2.0/24", "IPv4: the /24");
	is_str(history_net(a, "2001:db8:1:2::5"), "2001:db8:1::/48", "IPv6: the /48");
	ok(history_net(a, "not an address") == NULL && history_net(a, NULL) == NULL,
	    "not an address: NULL");
	arena_free(&a);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(dir, 0711);       /* pgserver.py's server user enters it */
	char uri[300];
	snprintf(uri, sizeof uri, "sqlite:%s/reports.db", dir);
	scenarios("sqlite", uri);

	char pguri[600];
	if (pgtest_start(dir, pguri, sizeof pguri) == 0)
		scenarios("postgresql", pguri);
	pgtest_stop(dir);
	return tap_done();
}
