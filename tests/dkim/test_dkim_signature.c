/*
 * What dkimv decides and reports for each DKIM-Signature: the fields of
 * signatures that do not pass and l= reporting, what is decided from the
 * signature header alone (RFC 6376 3.5, 6.1.1; RFC 8301) with whether a
 * key query went out for it, and header fields beyond libopendkim's
 * 4096-byte limit. Messages and keys from tests/data/dkim/, run through
 * dkimv_run.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkimv.h"
#include "log.h"
#include "../tap.h"
#include "dkimv_run.h"

/* Fields of signatures that do not pass, and l= reporting. */
static void
test_fields(void)
{
	struct zlist z;
	struct run rn;
	struct dkimv_opts o;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, LOCAL_KEYS, NULL);
	dkimv_opts_init(&o);
	o.l_policy = 0;
	if (run_message(&rn, "local/ed-l-partial.eml", &z, &o, 0) == 0 && rn.res.n == 1) {
		is_int(rn.res.sig[0].l_used, 1, "l= reported in l_used");
		is_int(rn.res.npass_domains, 1, "l= signature that passes counts for pass_domains");
	} else {
		ok(0, "fields: l= run");
	}
	run_end(&rn);
	memset(&rn, 0, sizeof(rn));
	if (run_message(&rn, "dkimpy/test.message.baddomain", &z, &o, 0) == 0 && rn.res.n == 1) {
		is_str(rn.res.sig[0].d, "legitimate.com(.attacker.com", "bad d= is reported as written");
		is_int(rn.res.npass_domains, 0, "permerror adds no pass domain");
	} else {
		ok(0, "fields: baddomain run");
	}
	run_end(&rn);
	memset(&rn, 0, sizeof(rn));
	if (run_message(&rn, "mail-dkim/corpus/multiple_2.txt", &z, &o, 0) == 0 && rn.res.n == 4) {
		ok(rn.res.sig[3].d == NULL && rn.res.sig[3].b8 == NULL,
		    "unparseable signature: no d= and no b8 reported");
	} else {
		ok(0, "fields: multiple_2 run");
	}
	run_end(&rn);
	zone_clear(&z);
}

/* What is decided from the DKIM-Signature alone, at header time, and
 * whether a key query went out for it (RFC 6376 3.5, 6.1.1; RFC 8301). */
struct sig_case {
	const char *value;
	unsigned flags;
	unsigned queries;
	const char *result, *comment;
	const char *cite;
};

#define SIG_TAIL "c=relaxed/relaxed; t=1767225600; bh=AAAA; b=BBBB"
#define SIG_OK "v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; " SIG_TAIL
#define NOTVERIFIED "signature did not verify"

static const struct sig_case sig_cases[] = {
	{ " " SIG_OK, 0, 1, "fail", NOTVERIFIED, "3.5 all required tags: key asked, maths fails" },
	{ " a=ed25519-sha256; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", NOVERSION, "3.5 v= required" },
	{ " v=1; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no a= tag", "3.5 a= required" },
	{ " v=1; a=ed25519-sha256; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no d= tag", "3.5 d= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no s= tag", "3.5 s= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no h= tag", "3.5 h= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from; t=1; b=BBBB", 0, 0,
	  "permerror", "signature has no bh= tag", "3.5 bh= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from; t=1; bh=AAAA", 0, 0,
	  "permerror", "signature has no b= tag", "3.5 b= required" },
	{ " v=2; a=ed25519-sha256; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", BADVERSION, "3.5 v=1 only" },
	{ " v=1; a=ed25519-sha256; d=localhost; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid d= domain", "3.5 d= needs two labels" },
	{ " v=1; a=ed25519-sha256; d=exam ple.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid d= domain", "3.5 space inside d=" },
	{ " v=1; a=ed25519-sha256; d=example..net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid d= domain", "3.5 empty label" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=e/d; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid s= selector", "3.1 selector syntax" },
	{ " v=1; a=rsa-sha512; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "unsupported signature algorithm", "3.5 a= unknown" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=to:subject; " SIG_TAIL, 0, 0,
	  "permerror", "From field not signed", "5.4 / 6.1.1 From must be signed" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=To : FROM; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "5.4 header names in h= are case-insensitive" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; q=dns/txt; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.5 q=dns/txt" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; q=http : dns/txt; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.5 q= list with dns/txt and FWS" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; q=http; " SIG_TAIL, 0, 0,
	  "permerror", "unsupported key query method", "3.5 q= without dns/txt" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; c=relaxed; t=abc; bh=AAAA; b=BBBB", 0, 0,
	  "permerror", "bad t= value", "3.5 t= is 1*12DIGIT" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; x=1234567890123; bh=AAAA; b=BBBB", 0, 0,
	  "permerror", "bad x= value", "3.5 x= is 1*12DIGIT" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; t=100; x=100; bh=AAAA; b=BBBB", 0, 0,
	  "permerror", "x= is not after t=", "3.5 x= must be greater than t=" },
	{ " v=1; a=rsa-sha1; d=example.net; s=ed; h=from:to; " SIG_TAIL, 0, 0,
	  "fail", SHA1, "RFC 8301 3.1 rsa-sha1 fails without a lookup" },
	{ " v=1; a=rsa-sha1; d=example.net; s=rsa512; h=from:to; " SIG_TAIL, V_SHA1, 1,
	  "fail", "key too small: 512 bits", "RFC 8301 3.1/3.2 rsa-sha1 allowed: key asked" },
	{ " v=1; d=example.net; d=example.net; a=ed25519-sha256; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature syntax error: duplicate tag", "3.2 duplicate tag" },
	{ " v=1;\n\ta=ed25519-sha256;\n\td=example.net; s=ed;\n h=from:to; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.2 folds joined with LF (Postfix)" },
	{ " v=1; a=ed25519-sha256; d=Example.NET; s=ED; h=from:to; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.5 d= and s= are looked up case-insensitively" },
};

static void
test_sig_table(void)
{
	struct zlist z;
	size_t i;

	memset(&z, 0, sizeof(z));
	zone_read_tab(&z, LOCAL_KEYS, NULL);
	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		const struct sig_case *c = &sig_cases[i];
		struct run rn;
		struct message m;
		struct dkimv_opts o;
		const char *gr = "(none)", *gc = "";
		int good;

		memset(&rn, 0, sizeof(rn));
		memset(&m, 0, sizeof(m));
		opts_of(c->flags, &o);
		if (run_start(&rn, &z, 0, 50) != 0) {
			ok(0, "signature table: setup");
			run_end(&rn);
			continue;
		}
		m.h[0].name = i % 2 ? "dkim-signature" : "DKIM-Signature";
		m.h[0].value = (char *)c->value;
		m.h[1].name = "From";
		m.h[1].value = " Joe <joe@example.net>";
		m.h[2].name = "To";
		m.h[2].value = " suzie@example.org";
		m.nh = 3;
		m.body = "Hi.\r\n";
		m.bodylen = 5;
		rn.d = dkimv_new(rn.a, rn.set, &o, "test");
		run_headers(&rn, &m);
		run_body_eom(&rn, &m, 65536, 1);
		if (rn.res.n == 1) {
			gr = rn.res.sig[0].result;
			gc = rn.res.sig[0].comment;
		}
		good = strcmp(gr, c->result) == 0 && strcmp(gc, c->comment) == 0 &&
		    rn.sent_after_headers == c->queries;
		ok(good, "signature table: RFC 6376 %s -> %s (%s), %u key queries",
		    c->cite, c->result, c->comment, c->queries);
		if (!good)
			tap_diag("   got: %s (%s), %u key queries", gr, gc, rn.sent_after_headers);
		run_end(&rn);
	}
	zone_clear(&z);
}

/* Headers far beyond libopendkim's DKIM_MAXHEADER (4096) still pass
 * through: an unsigned 64 KiB header, folded, must not disturb either
 * signature, and a 70 KiB DKIM-Signature is refused by our bound. */
static void
test_long_header(void)
{
	struct zlist z;
	struct run rn;
	struct message m;
	char *big, *sig;
	size_t i, n = 65536;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 0, 50) != 0 ||
	    load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0 || m.nh + 2 > 256) {
		ok(0, "long header: setup");
		run_end(&rn);
		return;
	}
	big = arena_alloc(rn.a, n + 1);
	for (i = 0; i < n; i++)
		big[i] = i % 72 == 0 ? '\n' : i % 72 == 1 ? '\t' : 'x';
	big[0] = ' ';
	m.h[m.nh].name = "X-Long";
	m.h[m.nh++].value = big;
	sig = arena_alloc(rn.a, 70 * 1024 + 1);
	memset(sig, 'a', 70 * 1024);
	memcpy(sig, " v=1; z=", 8);
	m.h[m.nh].name = "DKIM-Signature";
	m.h[m.nh++].value = sig;
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	run_body_eom(&rn, &m, 65536, 1);
	ok(rn.res.n == 3 && strcmp(rn.res.sig[0].result, "pass") == 0 &&
	    strcmp(rn.res.sig[1].result, "pass") == 0,
	    "long header: a 64 KiB unsigned header leaves both signatures passing");
	if (rn.res.n == 3)
		is_str(rn.res.sig[2].comment, "signature syntax error: tag-list too long",
		    "long header: a 70 KiB DKIM-Signature is refused, not parsed");
	run_end(&rn);
	zone_clear(&z);
}

int
main(void)
{
	run_init("test_dkim_signature");

	test_fields();
	test_sig_table();
	test_long_header();
	return tap_done();
}
