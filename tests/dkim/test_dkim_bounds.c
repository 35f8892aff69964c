/*
 * What a DKIM-Signature can make us do, and what it can pass with:
 *
 * 1. h= bounds: a signature naming more than DKIMV_MAX_SIGNED_NAMES
 *    fields is a permerror decided at header time, before any key query
 *    and without libopendkim hashing for it; at the bound it is checked
 *    as usual; ten signatures of 32 000 names over 990 headers are each
 *    refused (their CPU time is reported).
 * 2. Keys a sender publishes to make verification slow (costly_keys.h):
 *    refused before libopendkim verifies with them, a permerror naming
 *    why; twenty signatures on such a key stay under the CPU bound.
 * 3. l= (RFC 6376 section 8.2): with the verifier's defaults, text
 *    appended after the signed length makes the signature fail; it
 *    never rides on a pass (the local vector ed-l-partial.eml, made by
 *    tests/dkim/mkvectors.py, has 39 such bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "dkimv.h"
#include "log.h"
#include "resolver.h"
#include "../tap.h"
#include "../dnstest.h"
#include "../arc/arcmsg.h"
#include "costly_keys.h"

#define ED_KEY "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define CPU_BOUND_MS 50.0

static struct resolver *res;

struct outcome {
	size_t n;
	const char *result[64], *comment[64];
	unsigned sent_hdrs;
	double cpu_ms;
};

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* names[0..nh) / values: headers as the MTA passes them; o NULL: defaults. */
static void
run(struct arena *a, const char *const *names, const char *const *values, size_t nh,
    const char *body, const struct dkimv_opts *opts, struct outcome *o)
{
	struct dns_set *set = dns_set_new(res, 100, "bounds");
	struct dkimv_results r;
	struct dkimv *d;
	double t0, t1;
	size_t i;

	memset(o, 0, sizeof(*o));
	t0 = cpu_ms();
	d = dkimv_new(a, set, opts, "bounds");
	for (i = 0; i < nh; i++) {
		dns_set_lock(set);
		dkimv_header(d, names[i], values[i]);
		dns_set_unlock(set);
	}
	dns_set_lock(set);
	o->sent_hdrs = dns_set_sent(set);
	dns_set_unlock(set);
	dkimv_eoh(d);
	dkimv_body(d, (const unsigned char *)body, strlen(body));
	t1 = cpu_ms();
	dns_set_wait(set, dns_now_ms() + 5000);
	dns_set_lock(set);
	o->cpu_ms = t1 - t0;
	t0 = cpu_ms();
	dkimv_eom(d, &r);
	o->cpu_ms += cpu_ms() - t0;
	dkimv_free(&d);
	dns_set_unlock(set);
	o->n = r.n;
	for (i = 0; i < r.n && i < 64; i++) {
		o->result[i] = r.sig[i].result;
		o->comment[i] = r.sig[i].comment;
	}
	dns_set_free(&set);
}

/* "v=1; ... h=<n names, the last from>; ..." for s=ed, d=example.net. */
static const char *
sig(struct arena *a, int n)
{
	char *h = arena_alloc(a, (size_t)n * 2 + 8), *p = h;
	int i;

	for (i = 0; i < n - 1; i++)
		p += sprintf(p, "%sx", i ? ":" : "");
	sprintf(p, "%sfrom", n > 1 ? ":" : "");
	return arena_printf(a, " v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.net; s=ed; "
	    "t=1767225600; h=%s; bh=AAAA; b=BBBB", h);
}

static void
test_hbounds(void)
{
	static const char *names[1100], *values[1100];
	struct arena *a = arena_new();
	struct outcome o;
	size_t nh, i;

	names[0] = "DKIM-Signature";
	names[1] = "From";
	values[1] = " Joe <joe@example.net>";
	values[0] = sig(a, 513);
	run(a, names, values, 2, "Hi.\r\n", NULL, &o);
	ok(o.n == 1 && strcmp(o.result[0], "permerror") == 0 &&
	    strcmp(o.comment[0], "signature h= names more than 512 header fields") == 0 &&
	    o.sent_hdrs == 0, "h=: 513 names: permerror at header time, no key query (%s (%s), %u)",
	    o.n ? o.result[0] : "-", o.n ? o.comment[0] : "-", o.sent_hdrs);
	values[0] = sig(a, 512);
	run(a, names, values, 2, "Hi.\r\n", NULL, &o);
	ok(o.n == 1 && strcmp(o.result[0], "fail") == 0 &&
	    strcmp(o.comment[0], "signature did not verify") == 0 && o.sent_hdrs == 1,
	    "h=: 512 names: checked as usual (%s (%s), %u)", o.n ? o.result[0] : "-",
	    o.n ? o.comment[0] : "-", o.sent_hdrs);

	/* Ten signatures (the default limit) of 32 000 names over 990 headers. */
	for (nh = 0; nh < 10; nh++) {
		names[nh] = "DKIM-Signature";
		values[nh] = sig(a, 32000);
	}
	for (i = 0; i < 990; i++) {
		names[nh] = arena_printf(a, "X-Pad-%zu", i);
		values[nh++] = " y";
	}
	names[nh] = "From";
	values[nh++] = " Joe <joe@example.net>";
	run(a, names, values, nh, "Hi.\r\n", NULL, &o);
	for (i = 0; i < o.n; i++)
		if (strcmp(o.comment[i], "signature h= names more than 512 header fields") != 0)
			break;
	ok(o.n == 10 && i == 10 && o.sent_hdrs == 0,
	    "h=: ten signatures of 32 000 names are each a permerror, no key asked (%zu, %u)",
	    o.n, o.sent_hdrs);
	/*
	 * What is left is reading 640 KB of headers, linear and the same
	 * before the bound (libopendkim's own selection did not explode):
	 * reported, not bounded, as instrumented builds read slower.
	 */
	tap_diag("ten signatures of 32 000 names: %.2f ms of CPU", o.cpu_ms);
	arena_free(&a);
}

static void
test_costly_keys(void)
{
	static const struct {
		const char *sel, *why;
		int digits;             /* b= as long as the modulus, its value under it */
		const char *pad;
	} kt[] = {
		{ "bige", "key exponent too large: 2559 bits", 427, "=" },     /* 320 bytes */
		{ "big", "key too large: 9216 bits", 1536, "" },                /* 1152 bytes */
	};
	static const char *names[21], *values[21];
	struct arena *a = arena_new();
	struct dkimv_opts o;
	struct outcome out;
	size_t i, k, bad;

	dkimv_opts_init(&o);
	o.max_signatures = 20;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 20; i++) {
			names[i] = "DKIM-Signature";
			values[i] = arena_printf(a, " v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; "
			    "s=%s; t=1767225600; h=from; bh=UrA8rmgY3eNBotmDWtzAmHyn5RyZv8Gea45sNGsP0zw=; "
			    "b=AA%0*zu%s", kt[k].sel, kt[k].digits - 2, i, kt[k].pad);
		}
		names[20] = "From";
		values[20] = " Joe <joe@example.net>";
		run(a, names, values, 21, "Hi.\r\n", &o, &out);
		for (i = 0, bad = 0; i < out.n; i++)
			if (strcmp(out.result[i], "permerror") != 0 || strcmp(out.comment[i], kt[k].why) != 0)
				bad++;
		ok(out.n == 20 && bad == 0 && out.sent_hdrs == 1,
		    "keys: %s._domainkey: every signature permerror (%s), one query (%zu, %zu bad, %u)",
		    kt[k].sel, out.n ? out.comment[0] : "-", out.n, bad, out.sent_hdrs);
		ok(out.cpu_ms < CPU_BOUND_MS, "keys: twenty signatures on %s._domainkey cost %.2f ms "
		    "of CPU (bound %.0f ms)", kt[k].sel, out.cpu_ms, CPU_BOUND_MS);
	}
	arena_free(&a);
}

static void
test_l_default(const char *srcdir)
{
	struct arena *a = arena_new();
	struct message *m = calloc(1, sizeof(*m));
	const char *names[64], *values[64];
	struct dkimv_opts o;
	struct outcome out;
	char path[4096];
	size_t i;

	snprintf(path, sizeof(path), "%s/tests/data/dkim/local/ed-l-partial.eml", srcdir);
	if (m == NULL || message_read(m, path) != 0 || m->nh > 64) {
		ok(0, "l=: %s readable", path);
		free(m);
		arena_free(&a);
		return;
	}
	for (i = 0; i < m->nh; i++) {
		names[i] = m->h[i].name;
		values[i] = m->h[i].value;
	}
	run(a, names, values, m->nh, m->body, NULL, &out);
	ok(out.n == 1 && strcmp(out.result[0], "fail") == 0 &&
	    strcmp(out.comment[0], "l= leaves 39 body bytes unsigned") == 0,
	    "l=: with the defaults, text appended after l= fails the signature (%s (%s))",
	    out.n ? out.result[0] : "-", out.n ? out.comment[0] : "-");
	dkimv_opts_init(&o);
	is_int(o.l_policy, 1, "l=: dkimv_opts_init's default refuses unsigned body text");
	o.l_policy = 0;
	run(a, names, values, m->nh, m->body, &o, &out);
	ok(out.n == 1 && strcmp(out.result[0], "pass") == 0,
	    "l=: only when told to honour l= does it pass (with its note: %s)",
	    out.n ? out.comment[0] : "-");
	free(m->buf);
	free(m);
	arena_free(&a);
}

int
main(void)
{
	const char *srcdir = getenv("top_srcdir");
	char zpath[512];

	log_init("test_dkim_bounds", 1);
	log_configure(LOG_LVL_WARN, LOG_FMT_TEXT);
	dkimv_global_init();
	if (dnstest_zone_write(zpath, sizeof(zpath), "dkim_bounds",
	    "ed._domainkey.example.net. TXT \"" ED_KEY "\"\n" COSTLY_KEYS_ZONE("example.net")) != 0 ||
	    (res = dnstest_resolver(zpath, 0)) == NULL) {
		ok(0, "resolver on the zone");
		return tap_done();
	}
	test_hbounds();
	test_costly_keys();
	test_l_default(srcdir ? srcdir : ".");
	resolver_free(&res);
	unlink(zpath);
	return tap_done();
}
