/*
 * SPF against hostile records and senders (tests/spf/bounds.zone): macro
 * bombs, include loops, 111 legal queries, many PTR names, exp= with huge
 * macros, 1000-term records, a 4 KB local-part, names that cannot exist,
 * a spent query budget. Each case must end within RFC 7208's limits with
 * an exact result and reason, the same with and without prefetching, in
 * bounded working memory; and a hundred macro bombs in a row must fit a
 * small address space and little CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "tap.h"
#include "dnstest.h"
#include "arena.h"
#include "resolver.h"
#include "spf.h"

/*
 * Working memory of one check: the handle, its lookups, copies, records.
 * The most a check keeps is 11 records of 4 KB with ~500 reachable terms
 * each (the "wide" chain, about 410 KiB).
 */
#define CHECK_MEMORY_MAX (512 * 1024)
#define BOMB_RUNS 100

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

static char zone_path[1024];
static char local1k[1000], local4k[4097], local70[71];

struct run {
	struct spf_result r;
	unsigned sent;
	char problem[512];
};

static void
check(struct resolver *res, const char *ip, const char *sender, bool no_prefetch,
    unsigned budget, struct run *out)
{
	struct spf_opts o = { .receiver = "mx.example.net", .default_exp = "DEFAULT",
	    .no_prefetch = no_prefetch };
	struct dns_set *set = dns_set_new(res, budget, "bounds");
	struct arena *a = arena_new();
	struct netaddr addr;
	struct spf_check *c;

	memset(out, 0, sizeof(*out));
	netaddr_parse(ip, &addr);
	dns_set_lock(set);
	c = spf_start_mailfrom(a, set, &addr, "mail.example.net", sender, &o, NULL);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 10000);
	dns_set_lock(set);
	spf_finish(c, &out->r);
	out->sent = dns_set_sent(set);
	dns_set_unlock(set);
	dns_set_free(&set);
	/* Keep what the assertions read; the strings die with the arena. */
	snprintf(out->problem, sizeof(out->problem), "%s", out->r.problem ? out->r.problem : "");
	out->r.problem = out->problem[0] ? out->problem : NULL;
	out->r.explanation = out->r.explanation ? "(explanation)" : NULL;
	out->r.domain = out->r.identity = out->r.sender = out->r.mechanism = NULL;
	out->r.client_ip = out->r.envelope_from = out->r.helo = out->r.receiver = NULL;
	arena_free(&a);
}

/*
 * One case, run with prefetching and without: exact result and reason,
 * the same outcome both ways, memory within CHECK_MEMORY_MAX.
 */
static void
expect(struct resolver *res, const char *name, const char *ip, const char *sender,
    enum spf_res want, const char *problem, unsigned terms, unsigned voids)
{
	struct run p, s;

	check(res, ip, sender, false, SPF_DNS_BUDGET, &p);
	check(res, ip, sender, true, SPF_DNS_BUDGET, &s);
	is_str(spf_result_name(p.r.result), spf_result_name(want), "%s: %s", name,
	    spf_result_name(want));
	is_str(p.r.problem, problem, "%s: reason", name);
	ok(p.r.dns_terms == terms && p.r.void_lookups == voids,
	    "%s: %u DNS terms, %u void lookups (%u/%u)", name, terms, voids, p.r.dns_terms,
	    p.r.void_lookups);
	ok(s.r.result == p.r.result && (s.r.problem == NULL) == (p.r.problem == NULL) &&
	    (s.r.problem == NULL || strcmp(s.r.problem, p.r.problem) == 0) &&
	    s.r.dns_terms == p.r.dns_terms && s.r.void_lookups == p.r.void_lookups &&
	    s.r.macro_work == p.r.macro_work,
	    "%s: the same without prefetching (%s, %zu bytes of macro work)", name,
	    spf_result_name(s.r.result), s.r.macro_work);
	ok(p.r.memory <= CHECK_MEMORY_MAX && s.r.memory <= CHECK_MEMORY_MAX,
	    "%s: working memory %zu / %zu bytes (at most %d)", name, p.r.memory, s.r.memory,
	    CHECK_MEMORY_MAX);
	ok(p.sent <= SPF_DNS_BUDGET && s.sent <= p.sent,
	    "%s: %u queries, %u without prefetching", name, p.sent, s.sent);
}

static char *
sender(const char *local, const char *domain)
{
	static char buf[8][8192];
	static int n;
	char *b = buf[n++ % 8];

	snprintf(b, sizeof(buf[0]), "%s@%s", local, domain);
	return b;
}

static void
test_macros(struct resolver *res)
{
	struct run x;

	expect(res, "macro bomb (1 KB local-part, 10 includes of 1000 %{l})", "192.0.2.1",
	    sender(local1k, "bomb.bounds.example"), SPF_PERMERROR,
	    "macro expansion limit: more than 65536 bytes of expansion in one check "
	    "(\"%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}...\")", 1, 0);
	check(res, "192.0.2.1", sender(local1k, "bomb.bounds.example"), true, SPF_DNS_BUDGET, &x);
	is_int(x.r.macro_work, 65536, "macro bomb: the work account is spent, not more");
	ok(x.sent == 1, "macro bomb: no query for the term it stopped at (%u)", x.sent);

	/* The same records with a short local-part: 1000 macros in one term are too many. */
	expect(res, "10 includes of 1000 %{l} with a 1-byte local-part", "192.0.2.1",
	    sender("x", "bomb.bounds.example"), SPF_PERMERROR,
	    "macro expansion limit: more than 64 macros in one term "
	    "(\"%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}...\")", 1, 0);

	expect(res, "work spread over two terms (1 KB local-part)", "192.0.2.1",
	    sender(local1k, "spread.bounds.example"), SPF_PERMERROR,
	    "macro expansion limit: more than 65536 bytes of expansion in one check "
	    "(\"%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}...\")", 2, 1);
	expect(res, "the same two terms with a short local-part", "192.0.2.1",
	    sender("u", "spread.bounds.example"), SPF_FAIL, NULL, 2, 2);

	expect(res, "64 macros in one term", "192.0.2.1", sender("u", "cap64.bounds.example"),
	    SPF_FAIL, NULL, 1, 1);
	expect(res, "65 macros in one term", "192.0.2.1", sender("u", "cap65.bounds.example"),
	    SPF_PERMERROR, "macro expansion limit: more than 64 macros in one term "
	    "(\"%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}...\")", 1, 0);

	/* §6.2: a problem with exp= is as if there were none; the log says which. */
	expect(res, "exp= domain-spec of 65 macros", "192.0.2.1",
	    sender("u", "expname.bounds.example"), SPF_FAIL,
	    "exp= ignored: macro expansion limit: more than 64 macros in one term", 0, 0);
	expect(res, "exp= text of 60 %{l}, 1 KB local-part", "192.0.2.1",
	    sender(local1k, "exptext.bounds.example"), SPF_FAIL,
	    "exp= ignored: macro expansion limit: more than 65536 bytes of expansion in one check",
	    0, 0);
	expect(res, "exp= text of 60 %{l}, 1-byte local-part", "192.0.2.1",
	    sender("u", "exptext.bounds.example"), SPF_FAIL, NULL, 0, 0);
	expect(res, "exp= text of 1000 %{l}", "192.0.2.1", sender("u", "exphuge.bounds.example"),
	    SPF_FAIL, "exp= ignored: macro expansion limit: more than 64 macros in one term", 0, 0);
}

static void
test_explanations(struct resolver *res)
{
	struct spf_opts o = { .receiver = "mx.example.net", .default_exp = "DEFAULT" };
	struct dns_set *set = dns_set_new(res, SPF_DNS_BUDGET, "bounds");
	struct arena *a = arena_new();
	struct netaddr addr;
	struct spf_check *c1, *c2, *c3;
	struct spf_result r1, r2, r3;
	char want[61];

	netaddr_parse("192.0.2.1", &addr);
	dns_set_lock(set);
	c1 = spf_start_mailfrom(a, set, &addr, "h", sender(local1k, "exptext.bounds.example"), &o,
	    NULL);
	c2 = spf_start_mailfrom(a, set, &addr, "h", "u@exptext.bounds.example", &o, NULL);
	c3 = spf_start_mailfrom(a, set, &addr, "h", "u@exphuge.bounds.example", &o, NULL);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 10000);
	dns_set_lock(set);
	spf_finish(c1, &r1);
	spf_finish(c2, &r2);
	spf_finish(c3, &r3);
	dns_set_unlock(set);
	is_str(r1.explanation, "DEFAULT", "exp= over the work limit: the default explanation");
	memset(want, 'u', 60);
	want[60] = '\0';
	is_str(r2.explanation, want, "exp= of 60 %%{l} within the limit: expanded");
	is_str(r3.explanation, "DEFAULT", "exp= of 1000 %%{l}: the default explanation");
	dns_set_free(&set);
	arena_free(&a);
}

static void
test_lookups(struct resolver *res)
{
	struct run x;

	expect(res, "include of itself", "192.0.2.1", "u@loop.bounds.example", SPF_PERMERROR,
	    "more than 10 DNS-querying terms", 11, 0);
	check(res, "192.0.2.1", "u@loop.bounds.example", false, SPF_DNS_BUDGET, &x);
	is_int(x.sent, 1, "include loop: one query");

	expect(res, "10 mx terms of 10 hosts", "192.0.2.1", "u@mx10.bounds.example", SPF_FAIL,
	    NULL, 10, 0);
	check(res, "192.0.2.1", "u@mx10.bounds.example", true, SPF_DNS_BUDGET, &x);
	is_int(x.sent, 111, "10 mx terms of 10 hosts: the 111 queries RFC 7208 allows");
	expect(res, "11 mx terms", "192.0.2.1", "u@mx11.bounds.example", SPF_PERMERROR,
	    "more than 10 DNS-querying terms", 11, 0);

	expect(res, "ptr terms, 20 PTR names", "192.0.2.9", "u@ptr.bounds.example", SPF_FAIL,
	    NULL, 3, 0);
	check(res, "192.0.2.9", "u@ptr.bounds.example", true, SPF_DNS_BUDGET, &x);
	is_int(x.sent, 12, "ptr terms: one PTR, 10 names, shared between the terms (+TXT)");
	expect(res, "%{p}, 20 PTR names", "192.0.2.9", "u@pmacro.bounds.example", SPF_FAIL,
	    NULL, 1, 1);

	expect(res, "1000 a terms", "192.0.2.1", "u@terms-a.bounds.example", SPF_PERMERROR,
	    "more than 10 DNS-querying terms", 11, 0);
	expect(res, "10 includes of 2000-term records", "192.0.2.1", "u@fat.bounds.example",
	    SPF_PERMERROR, "more than 10 DNS-querying terms", 11, 0);
	expect(res, "10 includes of records of 500 ip6 terms", "192.0.2.1",
	    "u@wide.bounds.example", SPF_FAIL, NULL, 10, 0);
	expect(res, "1000 unknown modifiers", "192.0.2.1", "u@terms-mod.bounds.example",
	    SPF_FAIL, NULL, 0, 0);
	expect(res, "301 ip4 terms, the last matches", "192.0.2.1",
	    "u@terms-ip4.bounds.example", SPF_PASS, NULL, 0, 0);
}

static void
test_senders(struct resolver *res)
{
	char *huge;
	struct run x;

	expect(res, "4 KB local-part, -all", "192.0.2.1", sender(local4k, "longfail.bounds.example"),
	    SPF_FAIL, NULL, 0, 0);
	expect(res, "4 KB local-part in a name: truncated to the rightmost labels", "192.0.2.1",
	    sender(local4k, "long.bounds.example"), SPF_PASS, NULL, 1, 0);
	expect(res, "4 KB local-part, 9 copies in a name", "192.0.2.1",
	    sender(local4k, "long9.bounds.example"), SPF_PERMERROR,
	    "macro expansion limit: more than 65536 bytes of expansion in one check "
	    "(\"%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}.x.l...\")", 1, 0);

	huge = malloc(70016);
	memset(huge, 'u', 69990);
	strcpy(huge + 69990, "@a.example");
	check(res, "192.0.2.1", huge, false, SPF_DNS_BUDGET, &x);
	ok(x.r.result == SPF_PERMERROR && x.sent == 0,
	    "a MAIL FROM over 64 KiB: permerror, no query (%s)", x.problem);
	is_str(x.r.problem, "MAIL FROM longer than 65535 bytes", "a MAIL FROM over 64 KiB: reason");
	free(huge);
}

/* Names that cannot exist in DNS are names without records (RFC 7208 §4.3, §4.6.4). */
static void
test_badname(struct resolver *res)
{
	char why[160];

	snprintf(why, sizeof(why), "more than 2 void lookups (last: %s.v.bounds.example A)",
	    local70);
	expect(res, "three names with a 70-byte label", "192.0.2.1",
	    sender(local70, "void.bounds.example"), SPF_PERMERROR, why, 3, 3);
	expect(res, "three names that do not exist (NXDOMAIN)", "192.0.2.1",
	    "u@void.bounds.example", SPF_PERMERROR,
	    "more than 2 void lookups (last: u.v.bounds.example A)", 3, 3);
	expect(res, "two names with a 70-byte label", "192.0.2.1",
	    sender(local70, "void2.bounds.example"), SPF_FAIL, NULL, 2, 2);
}

/* A query the budget refuses is the check's own limit: permerror, never temperror. */
static void
test_budget(struct resolver *res)
{
	struct run x;

	check(res, "192.0.2.1", "u@twelve.bounds.example", true, 2, &x);
	is_str(spf_result_name(x.r.result), "permerror", "budget of 2 for 3 queries: permerror");
	is_str(x.r.problem, "DNS query budget spent (t2.bounds.example A not sent)",
	    "budget of 2: reason names the query");
	check(res, "192.0.2.1", "u@twelve.bounds.example", true, 3, &x);
	is_str(spf_result_name(x.r.result), "pass", "budget of 3 for 3 queries: pass");

	check(res, "192.0.2.1", "u@mx10.bounds.example", true, 64, &x);
	is_str(spf_result_name(x.r.result), "permerror", "10 mx terms, budget 64: permerror");
	is_str(x.r.problem, "DNS query budget spent (h8.m6.bounds.example A not sent)",
	    "10 mx terms, budget 64: the 65th query is named");
	check(res, "192.0.2.1", "u@mx10.bounds.example", false, 64, &x);
	ok(x.r.result == SPF_PERMERROR && x.r.problem != NULL &&
	    strncmp(x.r.problem, "DNS query budget spent (", 24) == 0,
	    "10 mx terms, budget 64, prefetching: permerror (%s)", x.problem);

	check(res, "192.0.2.9", "u@pmacro.bounds.example", true, 5, &x);
	is_str(spf_result_name(x.r.result), "permerror", "%%{p} beyond the budget: permerror");
	is_str(x.r.problem, "DNS query budget spent (for %{p})", "%%{p} beyond the budget: reason");
}

/*
 * A hundred macro bombs in a child limited to 64 MB more address space
 * than it starts with, timed: a leak or a per-occurrence allocation ends
 * it (the arena aborts on out-of-memory), slowness shows in its CPU.
 */
#ifdef SANITIZED
static void
test_bomb_loop(void)
{
	tap_skip("address-space limit under a sanitizer");
	tap_skip("CPU of 100 macro bombs under a sanitizer");
}
#else
static void
test_bomb_loop(void)
{
	struct rusage ru;
	int status = 0;
	double cpu;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl;
		struct resolver *res;
		FILE *f = fopen("/proc/self/statm", "r");
		unsigned long pages = 0;
		int i, bad = 0;

		if (f == NULL || fscanf(f, "%lu", &pages) != 1)
			_exit(3);
		fclose(f);
		/* The resolver thread's stack is reserved address space too. */
		rl.rlim_cur = rl.rlim_max = pages * (unsigned long)sysconf(_SC_PAGESIZE) +
		    (64ul + 16) * 1024 * 1024;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(4);
		if ((res = dnstest_resolver(zone_path, 0)) == NULL)
			_exit(5);
		for (i = 0; i < BOMB_RUNS; i++) {
			struct run x;

			check(res, "192.0.2.1", sender(local1k, "bomb.bounds.example"), i % 2,
			    SPF_DNS_BUDGET, &x);
			bad += x.r.result != SPF_PERMERROR;
		}
		resolver_free(&res);
		_exit(bad ? 6 : 0);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		ok(0, "fork: %s", strerror(errno));
		return;
	}
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%d macro bombs within 64 MB of address space: all permerror (status %d%s)",
	    BOMB_RUNS, WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	    WIFSIGNALED(status) ? ", killed" : "");
	ok(cpu < 1.0, "%d macro bombs: %.3f s CPU in all (peak RSS %ld kB)", BOMB_RUNS, cpu,
	    ru.ru_maxrss);
}
#endif

int
main(void)
{
	const char *top = getenv("top_srcdir");
	struct resolver *res;

	memset(local1k, 0, sizeof(local1k));
	for (size_t i = 0; i < 999; i++)
		local1k[i] = i % 2 ? '.' : 'x';
	memset(local4k, 'l', 4096);
	memset(local70, 'x', 70);
	snprintf(zone_path, sizeof(zone_path), "%s/tests/spf/bounds.zone", top ? top : "..");
	test_bomb_loop();
	res = dnstest_resolver(zone_path, 0);
	if (res == NULL) {
		ok(0, "resolver on %s", zone_path);
		return tap_done();
	}
	test_macros(res);
	test_explanations(res);
	test_lookups(res);
	test_senders(res);
	test_badname(res);
	test_budget(res);
	resolver_free(&res);
	return tap_done();
}
