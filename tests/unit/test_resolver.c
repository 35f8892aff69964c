/*
 * Resolver with the zone backend, threads and all: callbacks run on the
 * resolver thread and never inside dns_query(), answers are classified,
 * the cache (positive and negative) and coalescing save upstream queries,
 * budgets refuse, deadlines expire, cancel and free are safe with answers
 * in flight, and many sets from several threads work at once. The cache
 * module is also tested directly with a fake clock. The c-ares path is
 * covered by tests/dns/realdns.sh; here only its set-up and a server that
 * does not listen.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tap.h"
#include "../dnstest.h"
#include "dnscache.h"
#include "dnswire.h"
#include "resolver.h"

static const char zone_text[] =
	"$ORIGIN example.com.\n"
	"$TTL 300\n"
	"@        SOA   ns hostmaster 1 7200 3600 1209600 120\n"
	"@        A     192.0.2.1\n"
	"@        MX    10 mx\n"
	"@        TXT   \"v=spf1 \" \"include:_spf.example.com -all\"\n"
	"_spf     TXT   \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	"mx       A     192.0.2.10\n"
	"mx       AAAA  2001:db8::10\n"
	"www      CNAME @\n"
	"short 1  A     192.0.2.2\n"
	"slow     TIMEOUT\n"
	"broken   SERVFAIL TXT\n"
	"1.2.0.192.in-addr.arpa. PTR mx.example.com.\n";

static char zone_path[64];

struct result {
	int calls;
	enum dns_status status;
	char why[64];
	uint32_t ttl;
	size_t n;
	char records[1024];
	bool on_caller_thread;
	bool after_cancel;
};

static pthread_t main_thread;

static void
record_cb(void *arg, const struct dns_answer *ans)
{
	struct result *r = arg;

	r->calls++;
	r->status = ans->status;
	snprintf(r->why, sizeof(r->why), "%s", ans->why ? ans->why : "");
	r->ttl = ans->ttl;
	r->n = ans->n;
	dnstest_format(ans->rr, ans->n, r->records, sizeof(r->records));
	r->on_caller_thread = pthread_equal(pthread_self(), main_thread);
}

static struct resolver *
zone_resolver(unsigned delay_ms, unsigned cache_entries)
{
	struct resolver_opts o;
	char err[256];
	struct resolver *r;

	memset(&o, 0, sizeof(o));
	o.zone_file = zone_path;
	o.zone_delay_ms = delay_ms;
	o.cache_entries = cache_entries;
	r = resolver_new(&o, err, sizeof(err));
	if (r == NULL) {
		tap_diag("resolver_new: %s", err);
		exit(1);
	}
	return r;
}

/* Submits one query (locking the set) and waits for it. */
static int
ask(struct resolver *r, const char *name, enum dns_type type, struct result *res)
{
	struct dns_set *s = dns_set_new(r, 10, "TEST");
	int rc;

	memset(res, 0, sizeof(*res));
	dns_set_lock(s);
	rc = dns_query(s, name, type, record_cb, res);
	dns_set_unlock(s);
	dns_set_wait(s, dns_now_ms() + 5000);
	dns_set_free(&s);
	return rc;
}

static void
test_new_errors(void)
{
	struct resolver_opts o;
	char err[256], path[] = "/tmp/test_resolver_bad.XXXXXX", want[300];
	const char *bad_servers[] = { "192.0.2.1", "not an address" };
	struct resolver *r;
	int fd = mkstemp(path);

	static const char bad[] = "$ORIGIN example.com.\nx A 1.2.3\n";

	if (write(fd, bad, strlen(bad)) != (ssize_t)strlen(bad))
		tap_diag("write failed");
	close(fd);
	memset(&o, 0, sizeof(o));
	o.zone_file = path;
	r = resolver_new(&o, err, sizeof(err));
	ok(r == NULL, "resolver_new refuses a bad zone file");
	snprintf(want, sizeof(want), "%s:2: bad IPv4 address \"1.2.3\"", path);
	is_str(err, want, "with file:line");
	unlink(path);

	memset(&o, 0, sizeof(o));
	o.servers = bad_servers;
	o.nservers = 2;
	r = resolver_new(&o, err, sizeof(err));
	ok(r == NULL, "resolver_new refuses a bad server");
	is_str(err, "bad DNS server \"not an address\"", "names the bad server");

	bad_servers[1] = "192.0.2.300:53";
	r = resolver_new(&o, err, sizeof(err));
	ok(r == NULL, "resolver_new refuses a server c-ares cannot parse");
	{
		const char *want_prefix = "bad DNS server list \"192.0.2.1,192.0.2.300:53\": ";

		ok(strncmp(err, want_prefix, strlen(want_prefix)) == 0, "names the list: %s", err);
	}
	resolver_free(&r);
}

static const struct {
	const char *name;
	enum dns_type type;
	enum dns_status status;
	const char *why;
	uint32_t ttl;
	const char *records;
	const char *cite;
} answers[] = {
	{ "example.com", DNS_T_A, DNS_OK, "", 300, "A 192.0.2.1", "RFC 1035 §3.4.1" },
	{ "Example.COM.", DNS_T_MX, DNS_OK, "", 300, "MX 10 mx.example.com", "RFC 4343 §3" },
	{ "example.com", DNS_T_TXT, DNS_OK, "", 300,
	  "TXT \"v=spf1 include:_spf.example.com -all\"", "RFC 7208 §3.3" },
	{ "mx.example.com", DNS_T_AAAA, DNS_OK, "", 300, "AAAA 2001:db8::10", "RFC 3596" },
	{ "www.example.com", DNS_T_A, DNS_OK, "", 300, "A 192.0.2.1", "RFC 1034 §3.6.2" },
	{ "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, "", 300, "PTR mx.example.com", "RFC 1035 §3.5" },
	{ "nope.example.com", DNS_T_A, DNS_NXDOMAIN, "", 120, "", "RFC 2308 §5" },
	{ "mx.example.com", DNS_T_TXT, DNS_NODATA, "", 120, "", "RFC 2308 §5" },
	{ "slow.example.com", DNS_T_TXT, DNS_TEMPFAIL, "timeout", 0, "", "TIMEOUT marker" },
	{ "broken.example.com", DNS_T_TXT, DNS_TEMPFAIL, "SERVFAIL", 0, "", "SERVFAIL marker" },
	{ "broken.example.com", DNS_T_A, DNS_NODATA, "", 120, "", "SERVFAIL TXT only" },
};

#define NANSWERS (sizeof(answers) / sizeof(answers[0]))

static void
test_answers(void)
{
	struct resolver *r = zone_resolver(0, 100);
	struct dns_set *s = dns_set_new(r, 100, "Q1");
	struct result res[NANSWERS];
	bool none_sync = true;
	unsigned left;

	memset(res, 0, sizeof(res));
	dns_set_lock(s);
	for (size_t i = 0; i < NANSWERS; i++) {
		ok(dns_query(s, answers[i].name, answers[i].type, record_cb, &res[i]) == 0,
		    "query %s/%s accepted", answers[i].name, dns_type_name(answers[i].type));
		/* We hold the set lock: a callback run by now ran inside dns_query. */
		if (res[i].calls != 0)
			none_sync = false;
	}
	ok(none_sync, "no callback runs inside dns_query");
	is_int(dns_set_pending(s), NANSWERS, "all pending while the set is locked");
	dns_set_unlock(s);
	left = dns_set_wait(s, dns_now_ms() + 5000);
	is_int(left, 0, "dns_set_wait returns when all answered");
	dns_set_lock(s);
	for (size_t i = 0; i < NANSWERS; i++) {
		is_int(res[i].calls, 1, "%s/%s (%s): one callback", answers[i].name,
		    dns_type_name(answers[i].type), answers[i].cite);
		ok(!res[i].on_caller_thread, "%s/%s: callback on the resolver thread",
		    answers[i].name, dns_type_name(answers[i].type));
		is_str(dns_status_name(res[i].status), dns_status_name(answers[i].status),
		    "%s/%s: status", answers[i].name, dns_type_name(answers[i].type));
		is_str(res[i].why, answers[i].why, "%s/%s: why", answers[i].name, dns_type_name(answers[i].type));
		is_int(res[i].ttl, answers[i].ttl, "%s/%s: ttl", answers[i].name, dns_type_name(answers[i].type));
		is_str(res[i].records, answers[i].records, "%s/%s: records", answers[i].name,
		    dns_type_name(answers[i].type));
	}
	/* The sent log, in submission order, names as canonical. */
	is_int(dns_set_sent(s), NANSWERS, "sent log has every query");
	{
		struct dns_sent a = dns_set_sent_info(s, 1), b = dns_set_sent_info(s, NANSWERS - 1);

		is_str(a.name, "example.com", "sent log: canonical name");
		is_int(a.type, DNS_T_MX, "sent log: type");
		ok(a.at_ms <= b.at_ms && b.at_ms <= dns_now_ms(), "sent log: times in order");
	}
	dns_set_unlock(s);
	dns_set_free(&s);
	ok(s == NULL, "dns_set_free clears the pointer");
	resolver_free(&r);
	ok(r == NULL, "resolver_free clears the pointer");
}

static void
test_refusals(void)
{
	struct resolver *r = zone_resolver(0, 100);
	struct dns_set *s = dns_set_new(r, 2, NULL);
	struct result res[4];
	struct resolver_stats st;

	memset(res, 0, sizeof(res));
	dns_set_lock(s);
	is_int(dns_query(s, "a..example.com", DNS_T_A, record_cb, &res[0]), DNS_Q_BADNAME, "invalid name refused");
	is_int(dns_query(s, "example.com", DNS_T_SOA, record_cb, &res[0]), -1, "SOA is not a query type");
	is_int(dns_query(s, "example.com", DNS_T_A, record_cb, &res[0]), 0, "budget 1 of 2");
	is_int(dns_query(s, "example.com", DNS_T_A, record_cb, &res[1]), 0, "budget 2 of 2");
	is_int(dns_query(s, "example.com", DNS_T_MX, record_cb, &res[2]), DNS_Q_BUDGET, "budget spent: refused");
	is_int(dns_set_sent(s), 2, "refused queries are not in the sent log");
	dns_set_unlock(s);
	is_int(dns_set_wait(s, dns_now_ms() + 5000), 0, "accepted ones answered");
	ok(res[2].calls == 0, "refused query: no callback");
	resolver_get_stats(r, &st);
	is_int(st.budget_refused, 1, "stats: one budget refusal");
	dns_set_cancel(s);
	dns_set_lock(s);
	is_int(dns_query(s, "example.com", DNS_T_A, record_cb, &res[3]), -1, "cancelled set refuses");
	dns_set_unlock(s);
	dns_set_free(&s);

	/* Cache hits count against the budget too. */
	s = dns_set_new(r, 1, NULL);
	dns_set_lock(s);
	is_int(dns_query(s, "example.com", DNS_T_A, record_cb, &res[3]), 0, "cached answer takes budget");
	is_int(dns_query(s, "example.com", DNS_T_A, record_cb, &res[3]), DNS_Q_BUDGET, "and the next is refused");
	dns_set_unlock(s);
	dns_set_wait(s, dns_now_ms() + 5000);
	dns_set_free(&s);
	resolver_get_stats(r, &st);
	is_int(st.budget_refused, 2, "stats: two budget refusals");
	resolver_free(&r);
}

static void
test_cache(void)
{
	struct resolver *r = zone_resolver(0, 100);
	struct resolver_stats st;
	struct result res;

	ask(r, "example.com", DNS_T_A, &res);
	ask(r, "example.com", DNS_T_A, &res);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 1, "positive answer: one upstream query");
	is_int(st.cache_hits, 1, "positive answer: then a cache hit");
	is_str(res.records, "A 192.0.2.1", "cache hit has the records");
	ok(res.ttl <= 300 && res.ttl >= 299, "cache hit ttl is what is left (%u)", res.ttl);

	ask(r, "EXAMPLE.com.", DNS_T_A, &res);
	resolver_get_stats(r, &st);
	is_int(st.cache_hits, 2, "cache key is the canonical name");

	ask(r, "nope.example.com", DNS_T_TXT, &res);
	ask(r, "nope.example.com", DNS_T_TXT, &res);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 2, "NXDOMAIN: one upstream query (RFC 2308 §5)");
	is_int(st.cache_hits, 3, "NXDOMAIN: then a cache hit");
	is_str(dns_status_name(res.status), "nxdomain", "cached NXDOMAIN");

	ask(r, "mx.example.com", DNS_T_MX, &res);
	ask(r, "mx.example.com", DNS_T_MX, &res);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 3, "NODATA: one upstream query (RFC 2308 §5)");
	is_int(st.cache_hits, 4, "NODATA: then a cache hit");
	is_str(dns_status_name(res.status), "nodata", "cached NODATA");

	ask(r, "slow.example.com", DNS_T_A, &res);
	ask(r, "slow.example.com", DNS_T_A, &res);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 5, "TEMPFAIL is not cached");
	is_int(st.cache_hits, 4, "TEMPFAIL: no cache hit");

	ask(r, "example.com", DNS_T_MX, &res);
	ask(r, "short.example.com", DNS_T_A, &res);
	is_int(res.ttl, 1, "TTL of 1 s");
	usleep(1100 * 1000);
	ask(r, "short.example.com", DNS_T_A, &res);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 8, "expired entry goes upstream again");
	resolver_free(&r);

	/* cache_entries = 0: nothing is kept. */
	r = zone_resolver(0, 0);
	ask(r, "example.com", DNS_T_A, &res);
	ask(r, "example.com", DNS_T_A, &res);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 2, "no cache: every query goes upstream");
	is_int(st.cache_hits, 0, "no cache: no hit");
	resolver_free(&r);

	/* Two entries, least recently used evicted. */
	r = zone_resolver(0, 2);
	ask(r, "example.com", DNS_T_A, &res);           /* up 1: [a] */
	ask(r, "example.com", DNS_T_MX, &res);          /* up 2: [mx a] */
	ask(r, "example.com", DNS_T_A, &res);           /* hit:  [a mx] */
	ask(r, "mx.example.com", DNS_T_A, &res);        /* up 3: [mxa a], mx evicted */
	ask(r, "example.com", DNS_T_A, &res);           /* hit */
	ask(r, "example.com", DNS_T_MX, &res);          /* up 4 */
	resolver_get_stats(r, &st);
	is_int(st.upstream, 4, "LRU: upstream queries");
	is_int(st.cache_hits, 2, "LRU: hits on the recently used entry");
	resolver_free(&r);
}

static void
test_coalesce(void)
{
	struct resolver *r = zone_resolver(150, 100);
	struct dns_set *s1 = dns_set_new(r, 10, NULL), *s2 = dns_set_new(r, 10, NULL);
	struct result res[3];
	struct resolver_stats st;

	memset(res, 0, sizeof(res));
	dns_set_lock(s1);
	dns_query(s1, "example.com", DNS_T_TXT, record_cb, &res[0]);
	dns_query(s1, "example.com", DNS_T_TXT, record_cb, &res[1]);
	dns_set_unlock(s1);
	dns_set_lock(s2);
	dns_query(s2, "EXAMPLE.COM", DNS_T_TXT, record_cb, &res[2]);
	dns_set_unlock(s2);
	is_int(dns_set_wait(s1, dns_now_ms() + 5000), 0, "coalesced: set 1 answered");
	is_int(dns_set_wait(s2, dns_now_ms() + 5000), 0, "coalesced: set 2 answered");
	resolver_get_stats(r, &st);
	is_int(st.upstream, 1, "three identical queries in flight: one upstream");
	is_int(st.coalesced, 2, "two joined it");
	for (int i = 0; i < 3; i++)
		is_str(res[i].records, "TXT \"v=spf1 include:_spf.example.com -all\"",
		    "joined query %d has the answer", i);
	dns_set_free(&s1);
	dns_set_free(&s2);
	resolver_free(&r);
}

static void
test_deadline(void)
{
	struct resolver *r = zone_resolver(400, 100);
	struct dns_set *s = dns_set_new(r, 10, NULL);
	struct result res[5];
	const char *names[] = { "example.com", "mx.example.com", "www.example.com",
	    "nope.example.com", "_spf.example.com" };
	uint64_t t0, t1;
	unsigned left;

	memset(res, 0, sizeof(res));
	t0 = dns_now_ms();
	dns_set_lock(s);
	for (int i = 0; i < 5; i++)
		dns_query(s, names[i], DNS_T_A, record_cb, &res[i]);
	dns_set_unlock(s);
	left = dns_set_wait(s, t0 + 100);
	t1 = dns_now_ms();
	is_int(left, 5, "deadline before the zone delay: all 5 still pending");
	ok(t1 >= t0 + 100 && t1 < t0 + 390, "wait returned at the deadline (%llu ms)",
	    (unsigned long long)(t1 - t0));
	left = dns_set_wait(s, t0 + 5000);
	t1 = dns_now_ms();
	is_int(left, 0, "then all answered");
	ok(t1 >= t0 + 400 && t1 < t0 + 800, "five queries took about one delay (%llu ms)",
	    (unsigned long long)(t1 - t0));
	is_int(dns_set_wait(s, t0), 0, "wait on an answered set returns at once");
	dns_set_free(&s);
	resolver_free(&r);
}

/* ---- cancel and free with answers in flight ---------------------------- */

struct cancel_probe {
	atomic_int *calls;
	atomic_bool *cancelled;
	atomic_int *late;
};

static void
cancel_cb(void *arg, const struct dns_answer *ans)
{
	struct cancel_probe *p = arg;

	(void)ans;
	atomic_fetch_add(p->calls, 1);
	if (atomic_load(p->cancelled))
		atomic_fetch_add(p->late, 1);
}

static void
test_cancel(void)
{
	struct resolver *r = zone_resolver(1, 0);
	atomic_int calls = 0, late = 0;
	atomic_bool cancelled;
	struct cancel_probe probe = { &calls, &cancelled, &late };
	const int iterations = 500;

	for (int i = 0; i < iterations; i++) {
		struct dns_set *s = dns_set_new(r, 10, NULL);

		atomic_store(&cancelled, false);
		dns_set_lock(s);
		for (int k = 0; k < 4; k++)
			dns_query(s, k & 1 ? "example.com" : "mx.example.com", DNS_T_A, cancel_cb, &probe);
		dns_set_unlock(s);
		/* Vary the moment: before, during and after the answers. */
		if (i % 5 == 1)
			usleep(500);
		else if (i % 5 == 2)
			usleep(1000 + (unsigned)(i % 7) * 100);
		if (i % 2)
			dns_set_cancel(s);
		else
			dns_set_free(&s);
		atomic_store(&cancelled, true);
		usleep(i % 3 == 0 ? 2000 : 0);
		dns_set_free(&s);
	}
	usleep(20000);
	is_int(atomic_load(&late), 0, "no callback after cancel/free returned (%d iterations)", iterations);
	ok(atomic_load(&calls) > 0, "some callbacks ran before the cancel (%d)", atomic_load(&calls));
	resolver_free(&r);

	/* resolver_free with answers pending: their callbacks never run. */
	{
		struct result res;
		struct dns_set *s;

		r = zone_resolver(2000, 10);
		s = dns_set_new(r, 10, NULL);
		memset(&res, 0, sizeof(res));
		dns_set_lock(s);
		dns_query(s, "example.com", DNS_T_A, record_cb, &res);
		dns_set_unlock(s);
		resolver_free(&r);
		ok(res.calls == 0, "resolver_free: pending callback not run");
		dns_set_free(&s);
	}
}

/* ---- a callback that asks more (an SPF include) ------------------------ */

struct chain {
	struct dns_set *set;
	struct result first;
	struct result second;
	int rc;
};

static void
second_cb(void *arg, const struct dns_answer *ans)
{
	struct chain *c = arg;

	record_cb(&c->second, ans);
}

static void
first_cb(void *arg, const struct dns_answer *ans)
{
	struct chain *c = arg;

	record_cb(&c->first, ans);
	/* The set is locked here: the contract lets a callback ask more. */
	c->rc = dns_query(c->set, "_spf.example.com", DNS_T_TXT, second_cb, c);
	if (c->second.calls != 0)
		c->rc = -2;
}

static void
test_chained(void)
{
	struct resolver *r = zone_resolver(20, 100);
	struct chain c;

	memset(&c, 0, sizeof(c));
	c.set = dns_set_new(r, 5, NULL);
	dns_set_lock(c.set);
	dns_query(c.set, "example.com", DNS_T_TXT, first_cb, &c);
	dns_set_unlock(c.set);
	is_int(dns_set_wait(c.set, dns_now_ms() + 5000), 0, "chained queries all answered");
	dns_set_lock(c.set);
	is_int(c.rc, 0, "query from a callback accepted, not answered inside it");
	is_str(c.second.records, "TXT \"v=spf1 ip4:192.0.2.0/24 -all\"", "chained answer");
	is_int(dns_set_sent(c.set), 2, "both in the sent log");
	dns_set_unlock(c.set);
	dns_set_free(&c.set);
	resolver_free(&r);
}

/* ---- many sets from several threads ------------------------------------ */

#define STRESS_THREADS 4
#define STRESS_SETS 100
#define STRESS_QUERIES 6

struct stress {
	struct resolver *r;
	int bad;
	int answered;
};

static void *
stress_thread(void *arg)
{
	static const struct {
		const char *name;
		enum dns_type type;
		const char *records;
	} q[STRESS_QUERIES] = {
		{ "example.com", DNS_T_A, "A 192.0.2.1" },
		{ "www.example.com", DNS_T_A, "A 192.0.2.1" },
		{ "mx.example.com", DNS_T_AAAA, "AAAA 2001:db8::10" },
		{ "example.com", DNS_T_MX, "MX 10 mx.example.com" },
		{ "nope.example.com", DNS_T_TXT, "" },
		{ "1.2.0.192.in-addr.arpa", DNS_T_PTR, "PTR mx.example.com" },
	};
	struct stress *st = arg;

	for (int i = 0; i < STRESS_SETS; i++) {
		struct dns_set *s = dns_set_new(st->r, STRESS_QUERIES, NULL);
		struct result res[STRESS_QUERIES];

		memset(res, 0, sizeof(res));
		dns_set_lock(s);
		for (int k = 0; k < STRESS_QUERIES; k++)
			if (dns_query(s, q[k].name, q[k].type, record_cb, &res[k]) != 0)
				st->bad++;
		dns_set_unlock(s);
		if (dns_set_wait(s, dns_now_ms() + 10000) != 0)
			st->bad++;
		dns_set_lock(s);
		for (int k = 0; k < STRESS_QUERIES; k++) {
			if (res[k].calls != 1 || strcmp(res[k].records, q[k].records) != 0)
				st->bad++;
			else
				st->answered++;
		}
		dns_set_unlock(s);
		dns_set_free(&s);
	}
	return NULL;
}

static void
test_threads(void)
{
	struct resolver *r = zone_resolver(2, 4);
	pthread_t th[STRESS_THREADS];
	struct stress st[STRESS_THREADS];
	struct resolver_stats stats;
	int bad = 0, answered = 0;

	for (int i = 0; i < STRESS_THREADS; i++) {
		st[i].r = r;
		st[i].bad = st[i].answered = 0;
		pthread_create(&th[i], NULL, stress_thread, &st[i]);
	}
	for (int i = 0; i < STRESS_THREADS; i++) {
		pthread_join(th[i], NULL);
		bad += st[i].bad;
		answered += st[i].answered;
	}
	is_int(bad, 0, "%d threads × %d sets: no wrong or missing answer", STRESS_THREADS, STRESS_SETS);
	is_int(answered, STRESS_THREADS * STRESS_SETS * STRESS_QUERIES, "every query answered once");
	resolver_get_stats(r, &stats);
	is_int(stats.upstream + stats.cache_hits + stats.coalesced,
	    STRESS_THREADS * STRESS_SETS * STRESS_QUERIES,
	    "each query was upstream, a cache hit or coalesced");
	ok(stats.upstream < (uint64_t)(STRESS_THREADS * STRESS_SETS * STRESS_QUERIES),
	    "cache and coalescing saved upstream queries (%llu)", (unsigned long long)stats.upstream);
	resolver_free(&r);
}

/* ---- the c-ares path without a server ---------------------------------- */

static void
test_no_server(void)
{
	struct resolver_opts o;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char server[64], err[256];
	const char *servers[1] = { server };
	struct resolver *r;
	struct result res;
	uint64_t t0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* A port that was free a moment ago: nothing listens there. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	close(fd);
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(sin.sin_port));
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	o.timeout_ms = 300;
	o.cache_entries = 10;
	r = resolver_new(&o, err, sizeof(err));
	ok(r != NULL, "c-ares resolver with %s", server);
	if (r == NULL) {
		tap_diag("%s", err);
		return;
	}
	t0 = dns_now_ms();
	ask(r, "example.com", DNS_T_A, &res);
	is_str(dns_status_name(res.status), "tempfail", "no server listening: TEMPFAIL");
	ok(strcmp(res.why, "connection refused") == 0 || strcmp(res.why, "timeout") == 0,
	    "why: %s", res.why);
	ok(dns_now_ms() - t0 < 3 * 300 + 500, "within the retries' timeouts (%llu ms)",
	    (unsigned long long)(dns_now_ms() - t0));
	resolver_free(&r);
}

/* ---- the cache module on a fake clock ---------------------------------- */

static struct dns_rrset *
one_a(uint32_t ip)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_A;
	rr.ttl = 60;
	rr.u.a.s_addr = htonl(ip);
	return dns_rrset_new(DNS_OK, NULL, 60, &rr, 1);
}

static void
test_dnscache(void)
{
	struct dnscache *c = dnscache_new(3, DNSCACHE_DEFAULT_BYTES);
	struct dns_rrset *rs;
	const struct dns_rrset *got;
	uint32_t left = 0;

	rs = one_a(1);
	dnscache_put(c, "a.example", DNS_T_A, &rs, 60, 1000);
	ok(rs == NULL, "put takes the set");
	got = dnscache_get(c, "a.example", DNS_T_A, 1000, &left);
	ok(got != NULL && got->rr[0].u.a.s_addr == htonl(1), "get returns it");
	is_int(left, 60, "full TTL left");
	got = dnscache_get(c, "a.example", DNS_T_A, 1001, &left);
	is_int(left, 60, "TTL left rounds up");
	got = dnscache_get(c, "a.example", DNS_T_A, 60999, &left);
	is_int(left, 1, "last millisecond: 1 s left");
	ok(dnscache_get(c, "a.example", DNS_T_A, 61000, &left) == NULL, "expired at the TTL");
	is_int(dnscache_count(c), 0, "expired entry removed");
	ok(dnscache_get(c, "a.example", DNS_T_MX, 1000, &left) == NULL, "type is part of the key");

	rs = one_a(2);
	dnscache_put(c, "a.example", DNS_T_A, &rs, 0, 1000);
	ok(rs == NULL && dnscache_count(c) == 0, "TTL 0: freed, not stored");

	for (uint32_t i = 1; i <= 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%u.example", i);
		rs = one_a(i);
		dnscache_put(c, name, DNS_T_A, &rs, 60, 1000);
	}
	is_int(dnscache_count(c), 3, "three entries");
	dnscache_get(c, "n1.example", DNS_T_A, 1000, &left);
	rs = one_a(4);
	dnscache_put(c, "n4.example", DNS_T_A, &rs, 60, 1000);
	is_int(dnscache_count(c), 3, "bounded at three");
	ok(dnscache_get(c, "n2.example", DNS_T_A, 1000, &left) == NULL, "least recently used evicted");
	ok(dnscache_get(c, "n1.example", DNS_T_A, 1000, &left) != NULL, "recently used kept");
	rs = one_a(5);
	dnscache_put(c, "n1.example", DNS_T_A, &rs, 60, 1000);
	got = dnscache_get(c, "n1.example", DNS_T_A, 1000, &left);
	ok(got != NULL && got->rr[0].u.a.s_addr == htonl(5), "put replaces the same key");
	is_int(dnscache_count(c), 3, "replacing does not grow");
	dnscache_free(&c);
	ok(c == NULL, "dnscache_free clears the pointer");
}

static void
test_names(void)
{
	is_str(dns_type_name(DNS_T_TXT), "TXT", "type name TXT");
	is_str(dns_type_name(DNS_T_AAAA), "AAAA", "type name AAAA");
	is_str(dns_type_name((enum dns_type)99), "TYPE?", "unknown type name");
	is_str(dns_status_name(DNS_NODATA), "nodata", "status name nodata");
	is_str(dns_status_name(DNS_PERMFAIL), "permfail", "status name permfail");
}

int
main(void)
{
	int fd;

	main_thread = pthread_self();
	snprintf(zone_path, sizeof(zone_path), "/tmp/test_resolver.XXXXXX");
	fd = mkstemp(zone_path);
	if (fd < 0 || write(fd, zone_text, strlen(zone_text)) != (ssize_t)strlen(zone_text)) {
		printf("Bail out! cannot write the zone file\n");
		return 1;
	}
	close(fd);
	test_new_errors();
	test_answers();
	test_refusals();
	test_cache();
	test_coalesce();
	test_deadline();
	test_cancel();
	test_chained();
	test_threads();
	test_no_server();
	test_dnscache();
	test_names();
	unlink(zone_path);
	return tap_done();
}
