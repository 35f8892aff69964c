/*
 * SPF evaluator on the resolver's zone backend: what the conformance
 * suites do not show. The API contract (HELO and MAIL FROM identities,
 * null sender, explanation only on fail, the Received-SPF value), the
 * lifecycle (deadline → temperror, answers after spf_finish are dropped,
 * spent budget → permerror), the bounds (%{p} and ptr look at 10 names,
 * shared lookups) and that prefetching really overlaps round trips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "dnstest.h"
#include "arena.h"
#include "resolver.h"
#include "spf.h"

static const char zone_text[] =
    "$TTL 300\n"
    "example.org. TXT \"v=spf1 ip4:192.0.2.0/24 -all exp=exp.example.org\"\n"
    "exp.example.org. TXT \"%{i} may not send for %{d} (%{r})\"\n"
    "soft.example.org. TXT \"v=spf1 ~all\"\n"
    "helo.example.org. TXT \"v=spf1 a -all\"\n"
    "helo.example.org. A 192.0.2.7\n"
    "slow.example.org. TXT \"v=spf1 include:i1.example.org include:i2.example.org "
    "include:i3.example.org -all\"\n"
    "i1.example.org. TXT \"v=spf1 ip4:198.51.100.1\"\n"
    "i2.example.org. TXT \"v=spf1 ip4:198.51.100.2\"\n"
    "i3.example.org. TXT \"v=spf1 ip4:192.0.2.1\"\n"
    "loop.example.org. TXT \"v=spf1 a:x.example.org include:loop.example.org\"\n"
    "x.example.org. A 203.0.113.9\n"
    "manyptr.example.org. TXT \"v=spf1 ptr:nomatch.example exists:%{p}.p.example.org -all\"\n"
    "twelve.example.org. TXT \"v=spf1 a:t1.example.org a:t2.example.org -all\"\n"
    "t1.example.org. A 203.0.113.1\n"
    "t2.example.org. A 192.0.2.1\n"
    "quote.example.org. TXT \"v=spf1 -all\"\n"
    /* 20 PTR names for 192.0.2.9: only the first 10 may be looked at. */
    "9.2.0.192.in-addr.arpa. PTR h1.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h2.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h3.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h4.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h5.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h6.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h7.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h8.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h9.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h10.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h11.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h12.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h13.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h14.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h15.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h16.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h17.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h18.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h19.example.org.\n"
    "9.2.0.192.in-addr.arpa. PTR h20.example.org.\n"
    "h11.example.org. A 192.0.2.9\n"
    "h11.example.org.p.example.org. A 127.0.0.2\n";

static char zone_path[256];


struct run {
	struct spf_result r;
	unsigned sent;
	uint64_t elapsed;
	uint64_t first_at[8];           /* when the TXT of slow.example.org, i1..i3 went out */
};

static void
check(struct resolver *res, const char *ip, const char *helo, const char *sender,
    bool helo_only, bool no_prefetch, unsigned budget, struct arena *a, struct run *out)
{
	struct spf_opts o = { .receiver = "mx.example.net", .no_prefetch = no_prefetch };
	struct dns_set *set = dns_set_new(res, budget, "test");
	struct netaddr addr;
	struct spf_check *c;
	uint64_t t0 = dns_now_ms();
	unsigned i;

	memset(out, 0, sizeof(*out));
	netaddr_parse(ip, &addr);
	dns_set_lock(set);
	c = helo_only ? spf_start_helo(a, set, &addr, helo, &o, NULL) :
	    spf_start_mailfrom(a, set, &addr, helo, sender, &o, NULL);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 10000);
	dns_set_lock(set);
	spf_finish(c, &out->r);
	out->sent = dns_set_sent(set);
	for (i = 0; i < out->sent; i++) {
		struct dns_sent s = dns_set_sent_info(set, i);
		static const char *names[] = { "slow.example.org", "i1.example.org",
		    "i2.example.org", "i3.example.org" };
		unsigned k;

		for (k = 0; k < 4; k++)
			if (s.type == DNS_T_TXT && strcmp(s.name, names[k]) == 0 && !out->first_at[k])
				out->first_at[k] = s.at_ms ? s.at_ms : 1;
	}
	dns_set_unlock(set);
	out->elapsed = dns_now_ms() - t0;
	dns_set_free(&set);
}

static void
test_api(struct resolver *res)
{
	struct arena *a = arena_new();
	struct run x;

	check(res, "192.0.2.55", "mail.example.org", "user@example.org", false, false, 200, a, &x);
	is_str(spf_result_name(x.r.result), "pass", "mailfrom pass");
	is_str(x.r.identity, "mailfrom", "identity mailfrom");
	is_str(x.r.domain, "example.org", "domain");
	is_str(x.r.mechanism, "ip4:192.0.2.0/24", "matching mechanism reported");
	ok(x.r.explanation == NULL && x.r.problem == NULL, "pass: no explanation, no problem");
	is_str(spf_received_spf(a, &x.r),
	    "pass (mx.example.net: domain of user@example.org designates 192.0.2.55 as "
	    "permitted sender) client-ip=192.0.2.55; envelope-from=\"user@example.org\"; "
	    "helo=mail.example.org; receiver=mx.example.net; identity=mailfrom; "
	    "mechanism=\"ip4:192.0.2.0/24\";", "§9.1 Received-SPF for pass");

	check(res, "2001:db8::1", "mail.example.org", "user@example.org", false, false, 200, a, &x);
	is_str(spf_result_name(x.r.result), "fail", "mailfrom fail (IPv6 client)");
	is_str(x.r.explanation,
	    "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1 may not send for "
	    "example.org (mx.example.net)", "§6.2 explanation expanded, %%{r} = receiver");
	is_str(spf_received_spf(a, &x.r),
	    "fail (mx.example.net: domain of user@example.org does not designate 2001:db8::1 as "
	    "permitted sender) client-ip=\"2001:db8::1\"; envelope-from=\"user@example.org\"; "
	    "helo=mail.example.org; receiver=mx.example.net; identity=mailfrom; mechanism=-all;",
	    "§9.1 Received-SPF for fail: IPv6 address quoted (':' is not atext)");

	check(res, "192.0.2.55", "h", "a@soft.example.org", false, false, 200, a, &x);
	is_str(spf_result_name(x.r.result), "softfail", "softfail");
	ok(x.r.explanation == NULL, "§6.2 no explanation except for fail");

	check(res, "192.0.2.7", "helo.example.org", NULL, true, false, 200, a, &x);
	is_str(spf_result_name(x.r.result), "pass", "§2.3 HELO check");
	is_str(x.r.identity, "helo", "HELO check: identity helo");
	is_str(x.r.sender, "postmaster@helo.example.org", "HELO check: <sender> postmaster@helo");
	ok(x.r.envelope_from == NULL, "HELO check: no envelope-from");

	check(res, "192.0.2.8", "helo.example.org", "", false, false, 200, a, &x);
	is_str(spf_result_name(x.r.result), "fail", "§2.4 null sender checks the HELO domain");
	is_str(x.r.identity, "helo", "null sender: identity helo");
	is_str(x.r.explanation, "helo.example.org does not designate 192.0.2.8 as permitted sender",
	    "built-in default explanation");

	check(res, "192.0.2.8", "x", "\"q\\\"(x)\"@quote.example.org", false, false, 200, a, &x);
	is_str(spf_received_spf(a, &x.r),
	    "fail (mx.example.net: domain of \"q\\\\\"\\(x\\)\"@quote.example.org does not designate "
	    "192.0.2.8 as permitted sender) client-ip=192.0.2.8; "
	    "envelope-from=\"\\\"q\\\\\\\"(x)\\\"@quote.example.org\"; helo=x; "
	    "receiver=mx.example.net; identity=mailfrom; mechanism=-all;",
	    "§9.1 hostile sender: comment and quoted-string escaped");

	check(res, "192.0.2.8", "x", "user@[192.0.2.8]", false, false, 200, a, &x);
	ok(x.r.result == SPF_NONE && x.sent == 0, "§4.3 domain literal: none, no query");
	ok(strstr(spf_received_spf(a, &x.r), "none (mx.example.net: domain of user@[192.0.2.8] "
	    "does not designate permitted sender hosts)") != NULL, "Received-SPF for none");
	arena_free(&a);
}

static void
test_limits(struct resolver *res)
{
	struct arena *a = arena_new();
	struct run x;

	/* include of itself: counted per evaluation, asked once per name. */
	check(res, "192.0.2.1", "h", "u@loop.example.org", false, false, 200, a, &x);
	ok(x.r.result == SPF_PERMERROR && x.r.dns_terms == 11,
	    "§4.6.4 include loop: permerror at the 11th DNS term (%u)", x.r.dns_terms);
	ok(x.sent <= 3, "shared lookups: the loop asks %u queries (TXT, A x.)", x.sent);

	/* %{p} and ptr: 20 PTR names, only the first 10 considered (h11 would validate). */
	check(res, "192.0.2.9", "h", "u@manyptr.example.org", false, false, 200, a, &x);
	is_str(spf_result_name(x.r.result), "fail", "§4.6.4 11th PTR name ignored for %%{p}");
	ok(x.sent <= 1 + 1 + 10 + 1 + 1, "bounded: %u queries for ptr + %%{p} with 20 PTR names",
	    x.sent);

	/* Query budget spent: the check's own limit, never a guess, never a temperror. */
	check(res, "192.0.2.1", "h", "u@twelve.example.org", false, true, 2, a, &x);
	is_str(spf_result_name(x.r.result), "permerror", "spent DNS budget: permerror");
	is_str(x.r.problem, "DNS query budget spent (t2.example.org A not sent)",
	    "spent DNS budget: the query not sent is named");
	check(res, "192.0.2.1", "h", "u@twelve.example.org", false, true, 3, a, &x);
	is_str(spf_result_name(x.r.result), "pass", "exactly enough budget: pass");
	arena_free(&a);
}

static void
test_deadline(void)
{
	struct resolver *res = dnstest_resolver(zone_path, 300);
	struct arena *a = arena_new();
	struct spf_opts o = { 0 };
	struct dns_set *set;
	struct netaddr ip;
	struct spf_check *c;
	struct spf_result r, r2;

	if (res == NULL) {
		ok(0, "resolver with delay");
		return;
	}
	netaddr_parse("192.0.2.1", &ip);
	set = dns_set_new(res, 100, "deadline");
	dns_set_lock(set);
	c = spf_start_mailfrom(a, set, &ip, "h", "u@slow.example.org", &o, NULL);
	ok(!spf_done(c), "not done before any answer");
	dns_set_unlock(set);
	ok(dns_set_wait(set, dns_now_ms() + 50) > 0, "deadline passes with queries in flight");
	dns_set_lock(set);
	spf_finish(c, &r);
	dns_set_unlock(set);
	ok(r.result == SPF_TEMPERROR && r.problem && strstr(r.problem, "deadline"),
	    "unfinished at the deadline: temperror (%s)", r.problem ? r.problem : "");
	/* Answers arriving after spf_finish must be dropped (ASan would see a late write). */
	dns_set_wait(set, dns_now_ms() + 3000);
	dns_set_lock(set);
	spf_finish(c, &r2);
	dns_set_unlock(set);
	ok(r2.result == SPF_TEMPERROR && r2.problem == r.problem,
	    "late answers dropped, a second spf_finish repeats the result");

	/* Abort path: cancel first, then finish to release the check. */
	dns_set_lock(set);
	c = spf_start_mailfrom(a, set, &ip, "h", "u@slow.example.org", &o, NULL);
	dns_set_unlock(set);
	dns_set_cancel(set);
	spf_finish(c, &r);
	ok(r.result == SPF_TEMPERROR, "cancelled: finish still answers (temperror)");
	dns_set_free(&set);
	arena_free(&a);
	resolver_free(&res);
}

static void
test_parallel(void)
{
	const unsigned delay = 150;
	struct resolver *res = dnstest_resolver(zone_path, delay);
	struct arena *a = arena_new();
	struct run p, s;

	if (res == NULL) {
		ok(0, "resolver with delay");
		return;
	}
	check(res, "192.0.2.1", "h", "u@slow.example.org", false, false, 200, a, &p);
	check(res, "192.0.2.1", "h", "u@slow.example.org", false, true, 200, a, &s);
	ok(p.r.result == SPF_PASS && s.r.result == SPF_PASS && p.r.dns_terms == s.r.dns_terms,
	    "same result and term count with and without prefetch (%u)", p.r.dns_terms);
	/* i1 and i3 leave in the same callback with prefetch; two round trips apart without. */
	ok(p.first_at[1] && p.first_at[3] && p.first_at[3] - p.first_at[1] < delay,
	    "prefetch: the last include's record asked with the first (%llu ms later)",
	    (unsigned long long)(p.first_at[3] - p.first_at[1]));
	ok(s.first_at[1] && s.first_at[3] && s.first_at[3] - s.first_at[1] >= 2 * delay,
	    "no prefetch: one round trip per include (%llu ms between first and last)",
	    (unsigned long long)(s.first_at[3] - s.first_at[1]));
	tap_diag("elapsed: prefetch %llu ms, one at a time %llu ms",
	    (unsigned long long)p.elapsed, (unsigned long long)s.elapsed);
	arena_free(&a);
	resolver_free(&res);
}

int
main(void)
{
	struct resolver *res;

	if (dnstest_zone_write(zone_path, sizeof(zone_path), "spf_engine", zone_text) != 0)
		return 1;
	res = dnstest_resolver(zone_path, 0);
	if (res == NULL) {
		ok(0, "resolver on the zone backend");
	} else {
		test_api(res);
		test_limits(res);
		resolver_free(&res);
	}
	test_deadline();
	test_parallel();
	unlink(zone_path);
	return tap_done();
}
