/*
 * Our resolver through c-ares against a real authoritative server (nsd,
 * started by realdns.sh on 127.0.0.1:PORT with realdns.test.zone and
 * 2.0.192.in-addr.arpa.zone): exact answers for every type, CNAME chains,
 * negative answers with the TTL from the SOA, REFUSED for a zone nsd does
 * not serve, a TXT too big for UDP (TCP fallback), and a port where nothing
 * listens, fail-over from a refusing server (a second nsd on PORT2, serving
 * failover.test only). Usage: test_realdns PORT DEADPORT PORT2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "dnswire.h"
#include "resolver.h"

#define TIMEOUT_MS 500

struct result {
	int calls;
	enum dns_status status;
	char why[64];
	uint32_t ttl;
	size_t n;
	char records[4096];
	size_t txtlen;
	char txt[4096];
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Records formatted and sorted: a server may order an RRset as it likes. */
static void
record_cb(void *arg, const struct dns_answer *ans)
{
	struct result *r = arg;
	char *lines[64], buf[1024];
	size_t o = 0, n = ans->n < 64 ? ans->n : 64;

	r->calls++;
	r->status = ans->status;
	snprintf(r->why, sizeof(r->why), "%s", ans->why ? ans->why : "");
	r->ttl = ans->ttl;
	r->n = ans->n;
	for (size_t i = 0; i < n; i++)
		lines[i] = strdup(dns_rr_format(&ans->rr[i], buf, sizeof(buf)));
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	r->records[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (o < sizeof(r->records))
			o += (size_t)snprintf(r->records + o, sizeof(r->records) - o, "%s%s",
			    i ? "; " : "", lines[i]);
		free(lines[i]);
	}
	if (ans->n > 0 && ans->rr[0].type == DNS_T_TXT && ans->rr[0].u.txt.len < sizeof(r->txt)) {
		r->txtlen = ans->rr[0].u.txt.len;
		memcpy(r->txt, ans->rr[0].u.txt.data, r->txtlen);
	}
}

static const struct {
	const char *name;
	enum dns_type type;
	enum dns_status status;
	const char *why;
	uint32_t ttl;
	const char *records;
	const char *cite;
} cases[] = {
	{ "realdns.test", DNS_T_A, DNS_OK, "", 3600, "A 192.0.2.1; A 192.0.2.2", "RFC 1035 §3.4.1" },
	{ "realdns.test", DNS_T_AAAA, DNS_OK, "", 3600, "AAAA 2001:db8::1", "RFC 3596 §2.2" },
	{ "realdns.test", DNS_T_MX, DNS_OK, "", 3600,
	  "MX 10 mx1.realdns.test; MX 20 mx2.realdns.test", "RFC 1035 §3.3.9" },
	{ "realdns.test", DNS_T_TXT, DNS_OK, "", 3600,
	  "TXT \"v=spf1 ip4:192.0.2.0/24 -all\"", "RFC 7208 §3.3" },
	{ "REALDNS.Test.", DNS_T_A, DNS_OK, "", 3600, "A 192.0.2.1; A 192.0.2.2", "RFC 4343 §3" },
	{ "www.realdns.test", DNS_T_A, DNS_OK, "", 3600, "A 192.0.2.1; A 192.0.2.2", "RFC 1034 §3.6.2" },
	{ "alias.realdns.test", DNS_T_MX, DNS_OK, "", 3600,
	  "MX 10 mx1.realdns.test; MX 20 mx2.realdns.test", "RFC 1034 §3.6.2" },
	{ "www.realdns.test", DNS_T_CNAME, DNS_OK, "", 3600, "CNAME realdns.test", "RFC 1034 §3.6.2" },
	{ "short.realdns.test", DNS_T_A, DNS_OK, "", 60, "A 192.0.2.3", "RFC 1035 §3.2.1" },
	{ "nul.realdns.test", DNS_T_TXT, DNS_OK, "", 3600, "TXT \"a\\000b\"", "RFC 1035 §3.3.14" },
	{ "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, "", 3600, "PTR realdns.test", "RFC 1035 §3.5" },
	{ "10.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, "", 3600, "PTR mx1.realdns.test", "RFC 1035 §3.5" },
	{ "nope.realdns.test", DNS_T_A, DNS_NXDOMAIN, "", 300, "", "RFC 2308 §5" },
	{ "a.b.nope.realdns.test", DNS_T_TXT, DNS_NXDOMAIN, "", 300, "", "RFC 2308 §5" },
	{ "realdns.test", DNS_T_PTR, DNS_NODATA, "", 300, "", "RFC 2308 §5" },
	{ "mx1.realdns.test", DNS_T_TXT, DNS_NODATA, "", 300, "", "RFC 2308 §5" },
	{ "99.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_NXDOMAIN, "", 300, "", "RFC 2308 §5" },
	{ "example.org", DNS_T_A, DNS_TEMPFAIL, "REFUSED", 0, "", "RFC 1035 §4.1.1: not served" },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static struct resolver *
new_resolvers(const char *const *servers, size_t n, unsigned cache)
{
	struct resolver_opts o;
	struct resolver *r;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = n;
	o.timeout_ms = TIMEOUT_MS;
	o.cache_entries = cache;
	r = resolver_new(&o, err, sizeof(err));
	if (r == NULL)
		printf("Bail out! resolver_new(%s): %s\n", servers[0], err);
	return r;
}

static struct resolver *
new_resolver(const char *server, unsigned cache)
{
	const char *servers[1] = { server };

	return new_resolvers(servers, 1, cache);
}

static void
test_answers(const char *server)
{
	struct resolver *r = new_resolver(server, 100);
	struct dns_set *s;
	static struct result res[NCASES], again;
	struct resolver_stats st;

	if (r == NULL)
		exit(1);
	s = dns_set_new(r, 100, "REALDNS");
	dns_set_lock(s);
	for (size_t i = 0; i < NCASES; i++)
		dns_query(s, cases[i].name, cases[i].type, record_cb, &res[i]);
	dns_set_unlock(s);
	is_int(dns_set_wait(s, dns_now_ms() + 10 * TIMEOUT_MS), 0, "all %zu queries answered", NCASES);
	dns_set_lock(s);
	for (size_t i = 0; i < NCASES; i++) {
		const char *what = dns_type_name(cases[i].type);

		is_int(res[i].calls, 1, "%s/%s (%s): one callback", cases[i].name, what, cases[i].cite);
		is_str(dns_status_name(res[i].status), dns_status_name(cases[i].status),
		    "%s/%s: status", cases[i].name, what);
		is_str(res[i].why, cases[i].why, "%s/%s: why", cases[i].name, what);
		is_int(res[i].ttl, cases[i].ttl, "%s/%s: ttl", cases[i].name, what);
		is_str(res[i].records, cases[i].records, "%s/%s: records", cases[i].name, what);
	}
	dns_set_unlock(s);
	dns_set_free(&s);

	/* "REALDNS.Test." and "realdns.test" A were one key: one went upstream. */
	resolver_get_stats(r, &st);
	is_int(st.upstream + st.coalesced + st.cache_hits, NCASES, "every query accounted for");
	is_int(st.upstream, NCASES - 1, "the upper-case duplicate did not go upstream");

	/* Answered again from the cache: no new upstream query. */
	s = dns_set_new(r, 10, "REALDNS");
	dns_set_lock(s);
	dns_query(s, "nope.realdns.test", DNS_T_A, record_cb, &again);
	dns_set_unlock(s);
	dns_set_wait(s, dns_now_ms() + 10 * TIMEOUT_MS);
	dns_set_free(&s);
	resolver_get_stats(r, &st);
	is_str(dns_status_name(again.status), "nxdomain", "negative answer from the cache (RFC 2308 §5)");
	is_int(st.upstream, NCASES - 1, "no upstream query for it");
	ok(again.ttl <= 300 && again.ttl >= 298, "its TTL counts down (%u)", again.ttl);
	resolver_free(&r);
}

/* 2000 bytes of TXT do not fit a 1232-byte EDNS UDP answer: TCP it is. */
static void
test_tcp_fallback(const char *server)
{
	struct resolver *r = new_resolver(server, 0);
	struct dns_set *s;
	static struct result res;
	char want[2001];

	if (r == NULL)
		exit(1);
	/* String i of the zone: "<10 × letter i><i as 2 digits>" repeated, cut at 250. */
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 250; j++) {
			size_t k = j % 12;

			want[i * 250 + j] = (char)(k < 10 ? 'a' + i : '0' + (k == 10 ? i / 10 : i % 10));
		}
	}
	want[2000] = '\0';
	s = dns_set_new(r, 10, "REALDNS");
	dns_set_lock(s);
	dns_query(s, "big.realdns.test", DNS_T_TXT, record_cb, &res);
	dns_set_unlock(s);
	dns_set_wait(s, dns_now_ms() + 10 * TIMEOUT_MS);
	is_str(dns_status_name(res.status), "ok", "big TXT answered (RFC 7766 §5: TCP after TC)");
	is_int(res.n, 1, "one TXT record");
	is_int(res.txtlen, 2000, "all 2000 bytes, more than fits in UDP");
	ok(res.txtlen == 2000 && memcmp(res.txt, want, 2000) == 0, "the 8 strings concatenated in order");
	dns_set_free(&s);
	resolver_free(&r);
}

static void
test_dead_port(const char *server)
{
	struct resolver *r = new_resolver(server, 100);
	struct dns_set *s;
	static struct result res[2];
	uint64_t t0 = dns_now_ms(), took;
	struct resolver_stats st;

	if (r == NULL)
		exit(1);
	s = dns_set_new(r, 10, "REALDNS");
	dns_set_lock(s);
	dns_query(s, "realdns.test", DNS_T_A, record_cb, &res[0]);
	dns_set_unlock(s);
	/* Each try waits TIMEOUT_MS at most, the retry up to twice that. */
	is_int(dns_set_wait(s, t0 + 4 * TIMEOUT_MS), 0, "answered within the timeout");
	took = dns_now_ms() - t0;
	is_str(dns_status_name(res[0].status), "tempfail", "nothing listening: TEMPFAIL");
	ok(strcmp(res[0].why, "connection refused") == 0 || strcmp(res[0].why, "timeout") == 0,
	    "why is the network failure (%s)", res[0].why);
	ok(took < 4 * TIMEOUT_MS, "in %llu ms", (unsigned long long)took);
	/* A failure is not cached: the next query goes upstream again. */
	dns_set_lock(s);
	dns_query(s, "realdns.test", DNS_T_A, record_cb, &res[1]);
	dns_set_unlock(s);
	dns_set_wait(s, dns_now_ms() + 4 * TIMEOUT_MS);
	resolver_get_stats(r, &st);
	is_int(st.upstream, 2, "TEMPFAIL not cached");
	is_int(st.cache_hits, 0, "no cache hit");
	dns_set_free(&s);
	resolver_free(&r);
}

/* One query through a resolver on servers; its result in *res. */
static void
ask(const char *const *servers, size_t n, const char *name, struct result *res,
    struct resolver_stats *st)
{
	struct resolver *r = new_resolvers(servers, n, 0);
	struct dns_set *s;

	if (r == NULL)
		exit(1);
	memset(res, 0, sizeof(*res));
	s = dns_set_new(r, 10, "REALDNS");
	dns_set_lock(s);
	dns_query(s, name, DNS_T_A, record_cb, res);
	dns_set_unlock(s);
	dns_set_wait(s, dns_now_ms() + 8 * TIMEOUT_MS);
	resolver_get_stats(r, st);
	dns_set_free(&s);
	resolver_free(&r);
}

/*
 * A server that refuses (nsd asked about a zone it does not serve) is not
 * the last word when another is configured; when every one refuses, the
 * refusal is what we report, not c-ares' "connection refused".
 */
static void
test_failover(const char *main_srv, const char *second)
{
	const char *ms[2] = { main_srv, second }, *sm[2] = { second, main_srv };
	struct resolver_stats st;
	struct result res;

	ask(ms, 2, "www.failover.test", &res, &st);
	ok(res.status == DNS_OK && strcmp(res.records, "A 192.0.2.77") == 0,
	    "first server REFUSED, the second answers: %s %s", dns_status_name(res.status),
	    res.records);
	is_int(st.failover, 1, "one query asked again on the fail-over channel");
	ask(sm, 2, "mx1.realdns.test", &res, &st);
	ok(res.status == DNS_OK && strcmp(res.records, "A 192.0.2.10") == 0,
	    "the other order: %s %s", dns_status_name(res.status), res.records);
	ask(ms, 2, "example.org", &res, &st);
	ok(res.status == DNS_TEMPFAIL && strcmp(res.why, "REFUSED") == 0,
	    "both refuse: TEMPFAIL, why REFUSED (%s)", res.why);
	is_int(st.failover, 1, "both refuse: asked again once");
	ask(ms, 1, "www.failover.test", &res, &st);
	ok(res.status == DNS_TEMPFAIL && strcmp(res.why, "REFUSED") == 0 && st.failover == 0,
	    "one server that refuses: REFUSED, nothing to fail over to (%s)", res.why);
	ask(ms, 2, "realdns.test", &res, &st);
	ok(res.status == DNS_OK && st.failover == 0,
	    "first server answers: no fail-over (%s)", dns_status_name(res.status));
}

int
main(int argc, char **argv)
{
	char server[64], dead[64], second[64];

	if (argc != 4) {
		printf("Bail out! usage: test_realdns PORT DEADPORT PORT2\n");
		return 1;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%s", argv[1]);
	snprintf(dead, sizeof(dead), "127.0.0.1:%s", argv[2]);
	snprintf(second, sizeof(second), "127.0.0.1:%s", argv[3]);
	test_answers(server);
	test_tcp_fallback(server);
	test_dead_port(dead);
	test_failover(server, second);
	return tap_done();
}
