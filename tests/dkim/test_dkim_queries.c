/*
 * When dkimv asks DNS for keys, as the pipeline relies on it: the key
 * query is sent when its DKIM-Signature header arrives (and that run's
 * results and reported fields), none for rsa-sha1 or a bad d=, a deadline
 * gives temperror, the signature limit, the DNS budget, no DNS for an
 * unsigned message, and an abort with queries in flight. Messages and
 * keys from tests/data/dkim/, run through dkimv_run.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dkimv.h"
#include "log.h"
#include "resolver.h"
#include "../tap.h"
#include "dkimv_run.h"

/* The key query leaves when its DKIM-Signature header arrives (DESIGN.md:
 * fire early, wait late): after each header the set has asked exactly
 * the keys of the signatures seen so far, each stamped while its
 * dkimv_header call ran, all before end of headers and any body. */
static void
test_early_query(void)
{
	static const char *const want[] = { FB_ED, FB_TEST };
	struct zlist z;
	struct run rn;
	struct message m;
	struct dns_sent s;
	uint64_t t0, t1;
	size_t i;
	unsigned nsig = 0, n, bad = 0;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 50, 50) != 0 ||
	    load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0) {
		ok(0, "early query: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	for (i = 0; i < m.nh; i++) {
		int is_sig = strcasecmp(m.h[i].name, "DKIM-Signature") == 0;

		dns_set_lock(rn.set);
		t0 = dns_now_ms();
		dkimv_header(rn.d, m.h[i].name, m.h[i].value);
		t1 = dns_now_ms();
		n = dns_set_sent(rn.set);
		if (is_sig && nsig < 2) {
			nsig++;
			is_int(n, nsig, "early query: %u key queries right after DKIM-Signature #%u",
			    nsig, nsig);
			if (n == nsig) {
				s = dns_set_sent_info(rn.set, n - 1);
				is_str(s.name, want[nsig - 1], "early query: it asks s._domainkey.d of that signature");
				is_int(s.type, DNS_T_TXT, "early query: of type TXT");
				ok(s.at_ms >= t0 && s.at_ms <= t1,
				    "early query: stamped during that dkimv_header call");
			}
		} else if (n != nsig) {
			bad++;          /* a query after a header that is not a signature */
		}
		dns_set_unlock(rn.set);
	}
	is_int(bad, 0, "early query: no query after any other header");
	run_body_eom(&rn, &m, 65536, 1);
	ok(rn.res.n == 2 && strcmp(rn.res.sig[0].result, "pass") == 0 &&
	    strcmp(rn.res.sig[1].result, "pass") == 0,
	    "early query: with 50 ms DNS round trips both signatures pass at eom");
	is_int(rn.res.npass_domains, 1, "pass_domains: one domain for two passing signatures");
	if (rn.res.npass_domains == 1)
		is_str(rn.res.pass_domains[0], "football.example.com", "pass_domains: lower-case d=");
	if (rn.res.n == 2) {
		is_str(rn.res.sig[0].d, "football.example.com", "reported d=");
		is_str(rn.res.sig[0].s, "brisbane", "reported s=");
		is_str(rn.res.sig[0].a, "ed25519-sha256", "reported a=");
		is_str(rn.res.sig[0].b8, "/gCrinpc", "reported b8 (first 8 of b=, RFC 6008)");
		is_str(rn.res.sig[0].i, "@football.example.com", "reported i=");
		is_int(rn.res.sig[0].l_used, 0, "no l= reported");
		is_str(rn.res.sig[1].s, "test", "reported s= of the second signature");
		is_str(rn.res.sig[1].a, "rsa-sha256", "reported a= of the second signature");
	}
	run_end(&rn);
	zone_clear(&z);
}

/* No DNS is spent on a signature decided without a key. */
static void
test_no_query(const char *rel, const char *what)
{
	struct zlist z;
	struct run rn;
	struct message m;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_fake(&z, MD_DNS);
	if (run_start(&rn, &z, 0, 50) != 0 || load_message(rn.a, rel, &m) != 0) {
		ok(0, "no query: setup %s", rel);
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	is_int(rn.sent_after_headers, 0, "no key query for %s", what);
	run_body_eom(&rn, &m, 65536, 1);
	is_int(rn.res.n, 1, "... and still one result for it");
	run_end(&rn);
	zone_clear(&z);
}

/* eom before the answers (the deadline passed): temperror, never pass. */
static void
test_deadline(void)
{
	struct zlist z;
	struct run rn;
	struct message m;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 3000, 50) != 0 || load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0) {
		ok(0, "deadline: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	dkimv_eoh(rn.d);
	dkimv_body(rn.d, (const unsigned char *)m.body, m.bodylen);
	dns_set_wait(rn.set, dns_now_ms() + 20);
	dns_set_lock(rn.set);
	dkimv_eom(rn.d, &rn.res);
	dkimv_free(&rn.d);
	dns_set_unlock(rn.set);
	ok(rn.res.n == 2 && strcmp(rn.res.sig[0].result, "temperror") == 0 &&
	    strcmp(rn.res.sig[1].result, "temperror") == 0,
	    "deadline: answers not in at eom -> temperror for both signatures");
	if (rn.res.n == 2)
		is_str(rn.res.sig[0].comment, "key lookup did not finish in time", "deadline: comment");
	is_int(rn.res.npass_domains, 0, "deadline: no pass domain");
	run_end(&rn);                   /* late answers arrive into a cancelled set */
	zone_clear(&z);
}

/* max_signatures: the first ones are evaluated (and asked), the rest not. */
static void
test_limit(unsigned max, unsigned budget, unsigned want_n, unsigned want_pass, const char *what)
{
	struct zlist z;
	struct run rn;
	struct message m;
	struct dkimv_opts o;
	size_t i;
	unsigned npass = 0;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, LOCAL_KEYS, NULL);
	dkimv_opts_init(&o);
	if (max)
		o.max_signatures = max;
	if (run_start(&rn, &z, 0, budget) != 0 || load_message(rn.a, "local/ed-12-signatures.eml", &m) != 0) {
		ok(0, "limit: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, &o, "test");
	run_headers(&rn, &m);
	run_body_eom(&rn, &m, 65536, 1);
	for (i = 0; i < rn.res.n; i++)
		npass += strcmp(rn.res.sig[i].result, "pass") == 0;
	is_int(rn.res.n, want_n, "%s: %u results for 12 signatures", what, want_n);
	is_int(npass, want_pass, "%s: %u of them pass", what, want_pass);
	is_int(rn.sent_after_headers, want_n < budget ? want_n : budget, "%s: key queries sent", what);
	if (want_pass < want_n && rn.res.n == want_n)
		ok(strcmp(rn.res.sig[want_n - 1].result, "permerror") == 0 &&
		    strcmp(rn.res.sig[want_n - 1].comment, "DNS query budget spent") == 0,
		    "%s: the signature over budget is permerror (DNS query budget spent), "
		    "never a temperror the sender could cause: %s (%s)", what,
		    rn.res.sig[want_n - 1].result, rn.res.sig[want_n - 1].comment);
	run_end(&rn);
	zone_clear(&z);
}

static void
test_unsigned(void)
{
	struct zlist z;
	struct run rn;
	struct message m;
	size_t i, k = 0;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	if (run_start(&rn, &z, 0, 50) != 0 || load_message(rn.a, "local/ed-simple.eml", &m) != 0) {
		ok(0, "unsigned: setup");
		run_end(&rn);
		return;
	}
	for (i = 0; i < m.nh; i++)              /* drop the DKIM-Signature */
		if (strcasecmp(m.h[i].name, "DKIM-Signature") != 0)
			m.h[k++] = m.h[i];
	m.nh = k;
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	run_body_eom(&rn, &m, 65536, 0);
	is_int(rn.res.n, 0, "unsigned message: n == 0 (dkim=none)");
	is_int(rn.sent_after_headers, 0, "unsigned message: no DNS");
	run_end(&rn);
}

/* The abort path: dkimv_free with queries in flight and no eom. */
static void
test_abort(void)
{
	struct zlist z;
	struct run rn;
	struct message m;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 30, 50) != 0 || load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0) {
		ok(0, "abort: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	dkimv_eoh(rn.d);
	dns_set_lock(rn.set);
	dkimv_free(&rn.d);
	dns_set_unlock(rn.set);
	ok(rn.d == NULL, "abort: dkimv_free clears the pointer");
	usleep(80 * 1000);              /* answers arrive after the free */
	dns_set_lock(rn.set);
	is_int(dns_set_pending(rn.set), 0, "abort: late answers were delivered and dropped");
	dns_set_unlock(rn.set);
	run_end(&rn);
	zone_clear(&z);
}

int
main(void)
{
	run_init("test_dkim_queries");

	test_early_query();
	test_no_query("mail-dkim/corpus/good_83176.txt", "an rsa-sha1 signature (RFC 8301)");
	test_no_query("dkimpy/test.message.baddomain", "a signature whose d= is not a domain");
	test_deadline();
	test_limit(0, 50, 10, 10, "default limit 10");
	test_limit(3, 50, 3, 3, "max_signatures=3");
	test_limit(0, 4, 10, 4, "DNS budget 4");
	test_unsigned();
	test_abort();
	return tap_done();
}
