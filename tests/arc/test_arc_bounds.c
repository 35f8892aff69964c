/*
 * What an ARC message can make us do before any key verifies, and whose
 * word a chain carries (RFC 8617; the sender chooses every ARC header):
 *
 * 1. Key queries: only the first ARC-Seal and ARC-Message-Signature of
 *    each instance 1..50 whose tags parse, each key name once (also
 *    across the DKIM verifier sharing the table), none once the chain is
 *    known to fail (malformed header, repeated set member, cv= out of
 *    rule, too many headers). Counted with dns_set_sent after the
 *    headers, as exact numbers.
 * 2. A key refused because the message spent the DNS budget fails the
 *    chain (and the DKIM signature: permerror) for good, never as a
 *    temporary error the sender could cause at will.
 * 3. h= bounds: an AMS naming more than ARC_MAX_SIGNED_NAMES fields is
 *    refused before any key check; the header selection is linear
 *    (exact selections, and thread CPU time under a bound for the worst
 *    messages: 32 000 names over 1000 headers, and the most names we
 *    accept over 990 headers of one name).
 *    A valid chain of 50 sets with 20 KB AARs (1 MB of ARC headers):
 *    every seal's data is hashed in one pass, each header canonicalized
 *    once, so the engine's memory stays far under 16 MB (checking each
 *    seal from scratch kept the square of it).
 *    Keys published to make one verification slow (costly_keys.h) are
 *    refused before any maths.
 * 4. from_signed as arc_eom reports it, and a trusted sealer whose AMS
 *    does not sign From vouching for nobody (arc_trust.h).
 *
 * Chains are sealed here with our own sealer and a fresh Ed25519 key,
 * published in a zone file for our resolver's zone backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "arc.h"
#include "arc_int.h"
#include "arc_trust.h"
#include "arena.h"
#include "base64.h"
#include "canon.h"
#include "dkimkey.h"
#include "dkimv.h"
#include "log.h"
#include "resolver.h"
#include "../tap.h"
#include "../dnstest.h"
#include "../dkim/costly_keys.h"

#define B64SIG "dOdFEyhrk/tw5wl3vMIogoxhaVsKJkrkEhnAcq2XqOLSQhPpGzhGBJzR7k1sWGokon3TmQ=="
#define BODY "Hello.\r\n"
#define MAXH 1100
#define CPU_BOUND_MS 50.0               /* per message, the security issue's target */

struct msg {
	size_t nh;
	const char *name[MAXH];
	const char *value[MAXH];
};

struct outcome {
	char result[16];
	char why[256];
	int temperror;
	unsigned n;
	unsigned sent_hdrs;             /* queries right after the headers */
	double cpu_ms;                  /* ARC engine, this thread */
	size_t mem;                     /* arena bytes at the end */
	int from_signed;                /* newest AMS, -1 without sets */
	char dkim[16], dkim_why[128];
	char vouch[128];                /* "yes" or why not */
};

static struct arena *keep;              /* messages and sets of the whole test */
static struct resolver *res;
static EVP_PKEY *edkey;
static const char *bh_body;             /* bh= of BODY, relaxed */

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
add(struct msg *m, const char *name, const char *value)
{
	if (m->nh < MAXH) {
		m->name[m->nh] = name;
		m->value[m->nh++] = value;
	}
}

static void
base(struct msg *m)
{
	memset(m, 0, sizeof(*m));
	add(m, "From", " Alice <alice@example.org>");
	add(m, "To", " bob@example.com");
	add(m, "Subject", " bounds");
	add(m, "Date", " Wed, 25 Nov 2026 10:00:00 +0000");
	add(m, "Message-ID", " <b1@example.org>");
}

/* One header on top of the others: the first the engine reads. */
static void
top(struct msg *m, const char *name, const char *value)
{
	size_t i;

	if (m->nh + 1 > MAXH)
		return;
	for (i = m->nh; i-- > 0;) {
		m->name[i + 1] = m->name[i];
		m->value[i + 1] = m->value[i];
	}
	m->name[0] = name;
	m->value[0] = value;
	m->nh++;
}

/* A new set on top: AS, AMS, AAR, as a sealer adds them. */
static void
prepend(struct msg *m, const char *as, const char *ams, const char *aar)
{
	size_t i;

	if (m->nh + 3 > MAXH)
		return;
	for (i = m->nh; i-- > 0;) {
		m->name[i + 3] = m->name[i];
		m->value[i + 3] = m->value[i];
	}
	m->name[0] = "ARC-Seal";
	m->value[0] = as;
	m->name[1] = "ARC-Message-Signature";
	m->value[1] = ams;
	m->name[2] = "ARC-Authentication-Results";
	m->value[2] = aar;
	m->nh += 3;
}

/*
 * Runs m through the engine as the pipeline does (and, with dkim, a
 * DKIM verifier on the same set, its eom first; share: one key table).
 */
static void
run(const struct msg *m, unsigned budget, int dkim, int share, struct outcome *o)
{
	struct arena *a = arena_new();
	struct dns_set *set = dns_set_new(res, budget, "bounds");
	struct dkimv *d = dkim ? dkimv_new(a, set, NULL, "bounds") : NULL;
	struct arc_opts ao;
	struct arc_results r;
	struct dkimv_results dr;
	struct arc *c;
	struct arc_vouch v;
	const char *trusted[] = { "example.org" }, *why = NULL;
	double t0, t1, t2;
	size_t i;

	memset(o, 0, sizeof(*o));
	arc_opts_init(&ao);
	if (share && d != NULL)
		ao.keys = dkimv_keys(d);
	t0 = cpu_ms();
	c = arc_new(a, set, &ao, "bounds");
	for (i = 0; i < m->nh; i++) {
		dns_set_lock(set);
		if (d != NULL) {
			t1 = cpu_ms();
			dkimv_header(d, m->name[i], m->value[i]);
			t0 += cpu_ms() - t1;
		}
		arc_header(c, m->name[i], m->value[i]);
		dns_set_unlock(set);
	}
	dns_set_lock(set);
	o->sent_hdrs = dns_set_sent(set);
	dns_set_unlock(set);
	arc_eoh(c);
	arc_body(c, (const unsigned char *)BODY, strlen(BODY));
	t1 = cpu_ms();
	if (d != NULL) {
		dkimv_eoh(d);
		dkimv_body(d, (const unsigned char *)BODY, strlen(BODY));
	}
	dns_set_wait(set, dns_now_ms() + 5000);
	dns_set_lock(set);
	if (d != NULL) {
		/* The verifier gives its hold on a shared table back first. */
		dkimv_eom(d, &dr);
		if (dr.n > 0) {
			snprintf(o->dkim, sizeof(o->dkim), "%s", dr.sig[0].result);
			snprintf(o->dkim_why, sizeof(o->dkim_why), "%s", dr.sig[0].comment);
		}
		dkimv_free(&d);
	}
	t2 = cpu_ms();
	arc_eom(c, &r);
	o->cpu_ms = (t1 - t0) + (cpu_ms() - t2);
	snprintf(o->result, sizeof(o->result), "%s", r.result);
	snprintf(o->why, sizeof(o->why), "%s", r.why ? r.why : "");
	o->temperror = r.temperror;
	o->n = r.n;
	o->from_signed = r.n > 0 && r.from_signed != NULL ? r.from_signed[r.n - 1] : -1;
	if (arc_trust_vouches(a, &r, trusted, 1, "example.org", &v, &why))
		snprintf(o->vouch, sizeof(o->vouch), "yes");
	else
		snprintf(o->vouch, sizeof(o->vouch), "%s", why ? why : "");
	arc_free(&c);
	dns_set_unlock(set);
	o->mem = arena_used(a);
	dns_set_free(&set);
	arena_free(&a);
}

/* Validates m and puts our set for the next instance on top of it. */
static int
seal(struct msg *m, const char *sel, const char *const *hdrs, size_t nhdrs, const char *ar)
{
	struct arena *a = arena_new();
	struct dns_set *set = dns_set_new(res, 100, "seal");
	struct arc_opts ao;
	struct arc_results r;
	struct arc_sealed out;
	struct arc_signer s = { "example.org", sel, edkey, hdrs, nhdrs };
	const char *why = NULL;
	struct arc *c;
	size_t i;
	int rc;

	arc_opts_init(&ao);
	ao.seal = 1;
	c = arc_new(a, set, &ao, "seal");
	for (i = 0; i < m->nh; i++) {
		dns_set_lock(set);
		arc_header(c, m->name[i], m->value[i]);
		dns_set_unlock(set);
	}
	arc_eoh(c);
	arc_body(c, (const unsigned char *)BODY, strlen(BODY));
	dns_set_wait(set, dns_now_ms() + 5000);
	dns_set_lock(set);
	arc_eom(c, &r);
	rc = arc_seal(c, &r, &s, ar, 1764000000, &out, &why);
	if (rc == 0)
		prepend(m, arena_strdup(keep, out.as), arena_strdup(keep, out.ams),
		    arena_strdup(keep, out.aar));
	else
		tap_diag("seal: %s", why ? why : "?");
	arc_free(&c);
	dns_set_unlock(set);
	dns_set_free(&set);
	arena_free(&a);
	return rc;
}

static const char *const signed_hdrs[] = { "from", "to", "subject", "date", "message-id" };
static const char *const no_from_hdrs[] = { "to", "subject", "date" };

static const char *
junk_as(int i, const char *cv, const char *sel)
{
	return arena_printf(keep, " i=%d; a=rsa-sha256; cv=%s; d=attacker.example; s=%s; b=" B64SIG,
	    i, cv, sel);
}

static const char *
junk_ams(int i, const char *dom, const char *sel, const char *h)
{
	/* Our zone's keys are Ed25519: a= fits them, so only the maths fails. */
	return arena_printf(keep, " i=%d; a=%s; c=relaxed/relaxed; d=%s; s=%s; bh=%s; "
	    "h=%s; b=" B64SIG, i, strcmp(dom, "example.org") == 0 ? "ed25519-sha256" : "rsa-sha256",
	    dom, sel, bh_body, h);
}

static const char *
aar(int i)
{
	return arena_printf(keep, " i=%d; attacker.example; none", i);
}

/* ---------------------------------------------------------------- */

static void
test_fetch(void)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct outcome o;
	int i;

	/* A valid chain: AS and AMS name the same key, asked once. */
	base(m);
	seal(m, "ed", signed_hdrs, 5, " example.org; dmarc=pass header.from=example.org");
	run(m, 100, 0, 0, &o);
	ok(strcmp(o.result, "pass") == 0 && o.sent_hdrs == 1,
	    "fetch: a sealed set asks its one key once (%s, %u queries)", o.result, o.sent_hdrs);
	ok(o.from_signed == 1 && strcmp(o.vouch, "yes") == 0,
	    "trust: an AMS signing From reports from_signed, the trusted sealer vouches (%d, %s)",
	    o.from_signed, o.vouch);

	/* The same key named by a DKIM-Signature: asked once when the table is shared. */
	add(m, "DKIM-Signature", " v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; s=ed; "
	    "h=from:to; bh=AAAA; b=BBBB");
	run(m, 100, 1, 1, &o);
	ok(o.sent_hdrs == 1 && strcmp(o.result, "pass") == 0 && strcmp(o.dkim, "fail") == 0 &&
	    strcmp(o.dkim_why, "signature did not verify") == 0,
	    "fetch: DKIM and ARC share the key table: one query, both use it after the verifier's "
	    "eom (%u queries, arc=%s, dkim=%s (%s))", o.sent_hdrs, o.result, o.dkim, o.dkim_why);
	run(m, 100, 1, 0, &o);
	ok(o.sent_hdrs == 2 && strcmp(o.result, "pass") == 0,
	    "fetch: without the shared table the same key is asked twice (%u)", o.sent_hdrs);

	/* The security issue's example: ~70 junk ARC-Seal headers with distinct s=. */
	base(m);
	for (i = 1; i <= 70; i++)
		add(m, "ARC-Seal", junk_as(1, "none", arena_printf(keep, "s%d", i)));
	run(m, 100, 0, 0, &o);
	ok(o.sent_hdrs == 1 && strcmp(o.result, "fail") == 0 &&
	    strcmp(o.why, "more than one ARC-Seal for i=1") == 0,
	    "fetch: 70 ARC-Seal i=1 with distinct s=: the first asks, the repeat ends asking "
	    "(%u queries, %s: %s)", o.sent_hdrs, o.result, o.why);

	base(m);
	for (i = 1; i <= 70; i++)
		add(m, "ARC-Seal", junk_as(i, i == 1 ? "none" : "pass", arena_printf(keep, "s%d", i)));
	run(m, 1000, 0, 0, &o);
	ok(o.sent_hdrs == 50 && strcmp(o.why, "ARC-Seal i= is not an instance 1..50") == 0,
	    "fetch: ARC-Seal i=1..70: instances 1..50 ask, i=51 is malformed and ends asking "
	    "(%u queries; %s)", o.sent_hdrs, o.why);

	base(m);
	for (i = 1; i <= 50; i++) {
		add(m, "ARC-Seal", junk_as(i, i == 1 ? "none" : "pass", arena_printf(keep, "s%d", i)));
		add(m, "ARC-Message-Signature", junk_ams(i, "attacker.example",
		    arena_printf(keep, "m%d", i), "from"));
		add(m, "ARC-Authentication-Results", aar(i));
	}
	for (i = 1; i <= 50; i++)
		add(m, "ARC-Seal", junk_as(i, "pass", arena_printf(keep, "x%d", i)));
	run(m, 1000, 0, 0, &o);
	is_int(o.sent_hdrs, 2 * ARC_MAX_INSTANCES,
	    "fetch: at most the first AS and AMS of each of 50 instances ask (2 * 50), "
	    "however many more arrive");

	base(m);
	seal(m, "ed", signed_hdrs, 5, " example.org; none");
	top(m, "ARC-Seal", " i=1; a=rsa-sha256; cv=none; d=attacker.example; b=" B64SIG);
	run(m, 100, 0, 0, &o);
	ok(o.sent_hdrs == 0 && strcmp(o.why, "ARC-Seal has no s= tag") == 0,
	    "fetch: an ARC-Seal without s=: no query for it or any set after it (%u; %s)",
	    o.sent_hdrs, o.why);

	base(m);
	add(m, "ARC-Seal", " i=1; a=rsa-sha256; cv=none; d=attacker.example; s=s1; b=!!");
	run(m, 100, 0, 0, &o);
	ok(o.sent_hdrs == 0 && strcmp(o.why, "ARC-Seal b= is not base64") == 0,
	    "fetch: bad b=: no query (%u; %s)", o.sent_hdrs, o.why);

	base(m);
	add(m, "ARC-Seal", junk_as(1, "pass", "s1"));
	add(m, "ARC-Seal", junk_as(2, "pass", "s2"));
	run(m, 100, 0, 0, &o);
	ok(o.sent_hdrs == 0 && strcmp(o.result, "fail") == 0,
	    "fetch: ARC-Seal i=1 cv=pass breaks the cv= rule: no query then or after (%u; %s)",
	    o.sent_hdrs, o.why);

	base(m);
	seal(m, "ed", signed_hdrs, 5, " example.org; none");
	add(m, "ARC-Message-Signature", junk_ams(1, "attacker.example", "m2", "from"));
	run(m, 100, 0, 0, &o);
	ok(o.sent_hdrs == 1 && strcmp(o.why, "more than one ARC-Message-Signature for i=1") == 0,
	    "fetch: a second AMS i=1 after a valid set asks nothing (%u; %s)", o.sent_hdrs, o.why);

	base(m);
	for (i = 0; i < ARC_MAX_HEADERS; i++)
		add(m, "X-Pad", " y");
	add(m, "ARC-Seal", junk_as(1, "none", "s1"));
	run(m, 100, 0, 0, &o);
	ok(o.sent_hdrs == 0 && strcmp(o.result, "none") == 0,
	    "fetch: ARC headers past the header limit are not read and ask nothing (%u; %s)",
	    o.sent_hdrs, o.why);
	free(m);
}

static void
test_budget(void)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct outcome o;

	/* i=1 sealed with ed, i=2 with ed2: the budget allows one key. */
	base(m);
	seal(m, "ed", signed_hdrs, 5, " example.org; none");
	seal(m, "ed2", signed_hdrs, 5, " example.org; arc=pass");
	run(m, 100, 0, 0, &o);
	ok(strcmp(o.result, "pass") == 0 && o.n == 2 && o.sent_hdrs == 2,
	    "budget: the chain of 2 passes with its two keys (%s, %u queries)", o.result,
	    o.sent_hdrs);
	run(m, 1, 0, 0, &o);
	ok(strcmp(o.result, "fail") == 0 && o.temperror == 0 &&
	    strcmp(o.why, "ARC-Seal i=1: DNS query budget spent") == 0,
	    "budget: a key refused for the spent budget fails the chain for good, not temporary "
	    "(%s temperror=%d: %s)", o.result, o.temperror, o.why);

	/* The budget spent by the ARC keys: the DKIM signature after them is a permerror. */
	add(m, "DKIM-Signature", " v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; "
	    "s=other; h=from:to; bh=AAAA; b=BBBB");
	run(m, 2, 1, 1, &o);
	ok(strcmp(o.result, "pass") == 0 && strcmp(o.dkim, "permerror") == 0 &&
	    strcmp(o.dkim_why, "DNS query budget spent") == 0,
	    "budget: a DKIM key refused for the spent budget is permerror, never temperror "
	    "(arc=%s, dkim=%s (%s))", o.result, o.dkim, o.dkim_why);
	free(m);
}

static void
test_trust(void)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct outcome o;

	base(m);
	seal(m, "ed", no_from_hdrs, 3, " example.org; dmarc=pass header.from=example.org");
	run(m, 100, 0, 0, &o);
	ok(strcmp(o.result, "pass") == 0 && o.from_signed == 0 &&
	    strcmp(o.vouch, "sealer example.org did not sign From") == 0,
	    "trust: a passing set whose AMS does not sign From vouches for nobody (%s, %d, %s)",
	    o.result, o.from_signed, o.vouch);
	free(m);
}

/* The names "x:x:...:x" (n of them, the last "from" when from). */
static const char *
names(int n, const char *one, int from)
{
	size_t l = strlen(one) + 1;
	char *s = arena_alloc(keep, (size_t)n * l + 8), *p = s;
	int i;

	for (i = 0; i < n; i++) {
		const char *w = from && i == n - 1 ? "from" : one;

		p += sprintf(p, "%s%s", i ? ":" : "", w);
	}
	return s;
}

static void
test_hbounds(void)
{
	struct arena *a = arena_new();
	struct msg *m = calloc(1, sizeof(*m));
	struct outcome o;
	const char *why = NULL;
	int i, inst;

	inst = arc_parse_header(a, K_AMS, junk_ams(1, "example.org", "ed", names(512, "x", 1)), &why);
	ok(inst == 1 && why == NULL, "h=: 512 names are accepted (%d, %s)", inst, why ? why : "-");
	inst = arc_parse_header(a, K_AMS, junk_ams(1, "example.org", "ed", names(513, "x", 1)), &why);
	ok(inst == -1 && why != NULL &&
	    strcmp(why, "ARC-Message-Signature h= names more than 512 header fields") == 0,
	    "h=: 513 names are refused when the header is read (%s)", why ? why : "accepted");

	/* 32 000 names over 990 headers (issue: ~0.1 s of CPU a message before). */
	base(m);
	add(m, "ARC-Seal", junk_as(1, "none", "s1"));
	add(m, "ARC-Message-Signature", junk_ams(1, "attacker.example", "s1", names(32000, "x", 1)));
	add(m, "ARC-Authentication-Results", aar(1));
	for (i = 0; i < 990; i++)
		add(m, arena_printf(keep, "X-Pad-%d", i), " y");
	run(m, 100, 0, 0, &o);
	ok(strcmp(o.why, "ARC-Message-Signature h= names more than 512 header fields") == 0 &&
	    o.sent_hdrs == 1, "h=: 32 000 names: the set fails before any key (%s; %u queries)",
	    o.why, o.sent_hdrs);
	ok(o.cpu_ms < CPU_BOUND_MS, "h=: 32 000 names over 990 headers cost %.2f ms of CPU "
	    "(bound %.0f ms)", o.cpu_ms, CPU_BOUND_MS);

	/* The most names we accept, all of the one name 990 headers share. */
	base(m);
	add(m, "ARC-Seal", junk_as(1, "none", "s1"));
	add(m, "ARC-Message-Signature", junk_ams(1, "example.org", "ed", names(512, "x-pad", 1)));
	add(m, "ARC-Authentication-Results", aar(1));
	for (i = 0; i < 990; i++)
		add(m, "X-Pad", " y");
	run(m, 100, 0, 0, &o);
	ok(strcmp(o.why, "ARC-Message-Signature i=1: signature did not verify") == 0,
	    "h=: 512 names over 990 like headers are selected and checked (%s)", o.why);
	ok(o.cpu_ms < CPU_BOUND_MS, "h=: 512 names over 990 like headers cost %.2f ms of CPU "
	    "(bound %.0f ms)", o.cpu_ms, CPU_BOUND_MS);
	/* A key whose exponent makes one verification cost ~7 ms. */
	base(m);
	add(m, "ARC-Seal", junk_as(1, "none", "s1"));
	add(m, "ARC-Message-Signature", arena_printf(keep, " i=1; a=rsa-sha256; c=relaxed/relaxed; "
	    "d=example.org; s=bige; bh=%s; h=from; b=AA%0425d=", bh_body, 0));
	add(m, "ARC-Authentication-Results", aar(1));
	run(m, 100, 0, 0, &o);
	is_str(o.why, "ARC-Message-Signature i=1: key exponent too large: 2559 bits",
	    "keys: an RSA exponent of 2559 bits is refused before the maths");

	/* 50 valid sets, each AAR 20 KB: AS(i) covers sets 1..i. */
	base(m);
	{
		char *big = arena_alloc(keep, 20100);

		strcpy(big, "example.org; none (");
		memset(big + strlen(big), 'z', 20000);
		strcat(big, ")");
		for (i = 0; i < ARC_MAX_INSTANCES; i++)
			seal(m, "ed", signed_hdrs, 5, big);
	}
	run(m, 100, 0, 0, &o);
	ok(strcmp(o.result, "pass") == 0 && o.n == 50 && o.mem < (16u << 20),
	    "50 sets of 20 KB AARs pass with %.1f MB of engine memory (bound 16 MB)",
	    (double)o.mem / (1 << 20));
	tap_diag("50 sets of 20 KB AARs: %.2f ms of CPU", o.cpu_ms);
	arena_free(&a);
	free(m);
}

/* The selection itself (RFC 6376 5.4.2), exactly: the index changes nothing. */
static void
test_selection(void)
{
	static const struct {
		const char *h;
		size_t skip;
		const char *want;
		const char *what;
	} st[] = {
		{ "to:to:to:from:x-none:Subject", (size_t)-1,
		  "to:two\r\nto:one\r\nfrom:a@x\r\nsubject:s\r\n",
		  "last instance first, a repeat takes the one above, absent names sign nothing" },
		{ "to:to", 3, "to:one\r\n", "the signature's own header is never taken" },
		{ "FROM : To", (size_t)-1, "from:a@x\r\nto:two\r\n", "names without case, FWS around colons" },
		{ "t:tox:fro", (size_t)-1, "", "a prefix of a name is not that name" },
		{ "", (size_t)-1, "", "empty list" },
	};
	struct arena *a = arena_new();
	struct arc *c = arc_new(a, NULL, NULL, "sel");
	size_t i;

	arc_header(c, "From", " a@x");
	arc_header(c, "To", " one");
	arc_header(c, "Subject", "  s ");
	arc_header(c, "TO", " two");
	arc_header(c, "X-A", " 1");
	arc_eoh(c);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		struct arc_buf b = { NULL, 0, 0, NULL };

		arc_signed_headers(c, &b, st[i].h, CANON_RELAXED, st[i].skip);
		is_str(b.p ? b.p : "", st[i].want, "selection: %s", st[i].what);
	}
	arc_free(&c);
	arena_free(&a);
}

int
main(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	unsigned char raw[32], bh[CANON_HASH_MAX];
	size_t rawlen = sizeof(raw);
	struct canon_body *cb;
	char zpath[512];
	const char *p, *zone;

	log_init("test_arc_bounds", 1);
	log_configure(LOG_LVL_WARN, LOG_FMT_TEXT);
	keep = arena_new();
	if (kc == NULL || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &edkey) != 1 ||
	    EVP_PKEY_get_raw_public_key(edkey, raw, &rawlen) != 1) {
		ok(0, "Ed25519 key");
		return tap_done();
	}
	EVP_PKEY_CTX_free(kc);
	p = base64_encode(keep, raw, 32);
	zone = arena_printf(keep, "ed._domainkey.example.org. TXT \"v=DKIM1; k=ed25519; p=%s\"\n"
	    "ed2._domainkey.example.org. TXT \"v=DKIM1; k=ed25519; p=%s\"\n%s", p, p,
	    COSTLY_KEYS_ZONE("example.org"));
	cb = canon_body_new(CANON_RELAXED, CANON_SHA256, -1);
	canon_body_update(cb, (const unsigned char *)BODY, strlen(BODY));
	bh_body = base64_encode(keep, bh, canon_body_final(cb, bh));
	canon_body_free(&cb);
	if (dnstest_zone_write(zpath, sizeof(zpath), "arc_bounds", zone) != 0 ||
	    (res = dnstest_resolver(zpath, 0)) == NULL) {
		ok(0, "resolver on the zone");
		return tap_done();
	}
	test_selection();
	test_fetch();
	test_budget();
	test_trust();
	test_hbounds();
	resolver_free(&res);
	unlink(zpath);
	EVP_PKEY_free(edkey);
	arena_free(&keep);
	return tap_done();
}
