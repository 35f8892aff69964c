/*
 * ARC validation runner. With an index (written by yaml2suite.py from
 * the ValiMail suite in tests/data/arc/), every test message goes through
 * arc_* as the pipeline drives it: headers one by one as the MTA passes
 * them (leading space kept, folds "\r\n"), end of headers, body in
 * chunks, a wait on the DNS set, end of message; keys come from the
 * scenario's zone file through our resolver's zone backend. One TAP line
 * per test: the chain result must equal the suite's cv (RFC 8617
 * section 5.2). A second index (tests/data/arc/local/, made by
 * tests/arc/mkvectors.py) adds ed25519-sha256 chains and
 * header.oldest-pass values. Then "# ARC validation suite: N/M" (the
 * ValiMail tests only).
 *
 * Before the suite, a table of malformed ARC headers (RFC 8617 sections
 * 4.1, 4.2.1) through arc_parse_header: each must be refused with the
 * reason given, and the well-formed ones give their instance. After it,
 * the property the pipeline relies on: key queries go out while the
 * headers arrive, before end of headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc.h"
#include "arena.h"
#include "resolver.h"
#include "../tap.h"
#include "arcmsg.h"

struct outcome {
	const char *result;
	const char *why;
	unsigned sent_at_eoh;
	int oldest_pass;
	int temperror;
	unsigned n;
	char sealer1[64];               /* d= of AS(1) */
	char aar1[64];                  /* start of AAR(1) after "i=1;" */
};

struct runopt {
	unsigned delay_ms;              /* zone backend round trip */
	unsigned wait_ms;               /* deadline of the wait before eom */
	unsigned budget;                /* DNS queries allowed */
	int abort;                      /* arc_free without arc_eom */
};

static const struct runopt run_default = { 2, 5000, 100, 0 };

static int
run_one(const char *zone, struct message *m, struct outcome *o, const struct runopt *ropt)
{
	struct resolver_opts ro;
	struct resolver *r;
	struct dns_set *set;
	struct arena *a = arena_new();
	struct arc *c;
	struct arc_results res;
	char err[256];
	size_t i, off, n;

	memset(&ro, 0, sizeof(ro));
	ro.zone_file = zone;
	ro.zone_delay_ms = ropt->delay_ms;
	ro.timeout_ms = 1000;
	if ((r = resolver_new(&ro, err, sizeof(err))) == NULL) {
		tap_diag("resolver_new: %s", err);
		arena_free(&a);
		return -1;
	}
	set = dns_set_new(r, ropt->budget, "arc-test");
	c = arc_new(a, set, NULL, "arc-test");
	for (i = 0; i < m->nh; i++) {
		dns_set_lock(set);
		arc_header(c, m->h[i].name, m->h[i].value);
		dns_set_unlock(set);
	}
	dns_set_lock(set);
	o->sent_at_eoh = dns_set_sent(set);
	dns_set_unlock(set);
	arc_eoh(c);
	for (off = 0; off < m->bodylen; off += n) {
		n = m->bodylen - off < 7 ? m->bodylen - off : 7;    /* cut anywhere */
		arc_body(c, (const unsigned char *)m->body + off, n);
	}
	if (ropt->abort) {
		dns_set_lock(set);
		arc_free(&c);
		dns_set_unlock(set);
		o->result = strdup(c == NULL ? "freed" : "not freed");
		o->why = strdup("");
	} else {
		dns_set_wait(set, dns_now_ms() + ropt->wait_ms);
		dns_set_lock(set);
		arc_eom(c, &res);
		arc_free(&c);
		dns_set_unlock(set);
		o->result = strdup(res.result);
		o->why = strdup(res.why ? res.why : "");
		o->oldest_pass = res.oldest_pass;
		o->temperror = res.temperror;
		o->n = res.n;
		if (res.n > 0) {
			snprintf(o->sealer1, sizeof(o->sealer1), "%s", res.sealer[0]);
			snprintf(o->aar1, sizeof(o->aar1), "%.17s", res.aar[0]);
		}
	}
	dns_set_free(&set);     /* answers still in flight after an abort are dropped */
	resolver_free(&r);
	arena_free(&a);
	return 0;
}

static const char *
want_of(const char *cv)
{
	if (strcasecmp(cv, "Pass") == 0)
		return "pass";
	if (strcasecmp(cv, "Fail") == 0)
		return "fail";
	return "none";
}

#define B64SIG "dOdFEyhrk/tw5wl3vMIogoxhaVsKJkrkEhnAcq2XqOLSQhPpGzhGBJzR7k1sWGokon3TmQ=="
#define BH "bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ="

struct ptest {
	int kind;                       /* 0 AAR, 1 AMS, 2 AS */
	const char *value;
	int inst;                       /* expected, -1: refused */
	const char *why;                /* expected reason, NULL when accepted */
	const char *cite;
};

static const struct ptest ptests[] = {
	{ 0, " i=1; lists.example.org; spf=pass", 1, NULL, "RFC 8617 4.1.1" },
	{ 0, " i = 7 ;x.example; none", 7, NULL, "RFC 8617 4.1.1 FWS around =" },
	{ 0, " lists.example.org; i=1; spf=pass", -1, "AAR does not start with i=", "RFC 8617 4.1.1" },
	{ 0, " i=1 lists.example.org", -1, "AAR i= is not followed by ';'", "RFC 8617 4.1.1" },
	{ 0, " i=0; x", -1, "AAR i= is not an instance 1..50", "RFC 8617 4.2.1" },
	{ 0, " i=51; x", -1, "AAR i= is not an instance 1..50", "RFC 8617 4.2.1 N <= 50" },
	{ 0, " i=99999999999999999999; x", -1, "AAR i= is not an instance 1..50", "huge i=" },
	{ 0, "", -1, "AAR does not start with i=", "empty AAR" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; i=1; s=dummy", 1, NULL,
	  "RFC 8617 4.1.3" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; i=50; s=dummy", 50, NULL,
	  "RFC 8617 4.2.1 i=50" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; i=51; s=dummy", -1,
	  "ARC-Seal i= is not an instance 1..50", "RFC 8617 4.2.1 i=51" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; i=4294967297; s=dummy", -1,
	  "ARC-Seal i= is not an instance 1..50", "huge i= does not wrap" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; s=dummy", -1,
	  "ARC-Seal has no i= tag", "RFC 8617 4.1.3 i= required" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; d=example.org; i=1; s=dummy", -1,
	  "ARC-Seal has no cv= tag", "RFC 8617 4.1.3 cv= required" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=maybe; d=example.org; i=1; s=dummy", -1,
	  "ARC-Seal cv= is not none, pass or fail", "RFC 8617 4.1.3 cv values" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; i=1; i=2; s=dummy", -1,
	  "ARC-Seal syntax error: duplicate tag", "RFC 6376 3.2 duplicate tag" },
	{ 2, " a=rsa-sha256; b=!!garbage**; cv=none; d=example.org; i=1; s=dummy", -1,
	  "ARC-Seal b= is not base64", "garbage b=" },
	{ 2, " a=rsa-sha256; b=; cv=none; d=example.org; i=1; s=dummy", -1,
	  "ARC-Seal b= is not base64", "empty b=" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; h=from; i=1; s=dummy", -1,
	  "ARC-Seal has an h= tag", "RFC 8617 4.1.3 no h= in AS" },
	{ 2, " a=rsa-sha1; b=" B64SIG "; cv=none; d=example.org; i=1; s=dummy", -1,
	  "ARC-Seal a= is not a supported algorithm", "RFC 8301 3.1 no sha1" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=exa mple.org; i=1; s=dummy", -1,
	  "ARC-Seal d= is not a domain name", "RFC 6376 3.5 d=" },
	{ 2, " a=rsa-sha256; b=" B64SIG "; cv=none; d=example.org; i=1; s=dummy; t=", -1,
	  "ARC-Seal t= is not a timestamp", "RFC 6376 3.5 t=" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; c=relaxed/relaxed; d=example.org; h=from:to; i=1; s=dummy",
	  1, NULL, "RFC 8617 4.1.2" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; d=example.org; h=from:to; i=1; s=dummy",
	  1, NULL, "RFC 6376 3.5 c= defaults to simple/simple" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; c=; d=example.org; h=from; i=1; s=dummy", -1,
	  "ARC-Message-Signature c= is not a canonicalization", "RFC 6376 3.5 empty c=" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; c=relaxed/relaxed/x; d=example.org; h=from; i=1; s=dummy",
	  -1, "ARC-Message-Signature c= is not a canonicalization", "RFC 6376 3.5 c=" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; d=example.org; h=from:ARC-Seal; i=1; s=dummy", -1,
	  "ARC-Message-Signature h= names ARC-Seal", "RFC 8617 4.1.2" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; bh=AAAA; d=example.org; h=from; i=1; s=dummy", -1,
	  "ARC-Message-Signature bh= is not a SHA-256 digest in base64", "RFC 6376 3.5 bh=" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; d=example.org; h=from; i=1; s=dummy", -1,
	  "ARC-Message-Signature has no bh= tag", "RFC 8617 4.1.2 bh= required" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; d=example.org; i=1; s=dummy", -1,
	  "ARC-Message-Signature has no h= tag", "RFC 8617 4.1.2 h= required" },
	{ 1, " a=rsa-sha256; b=" B64SIG "; " BH "; d=example.org; h=from; i=1; s=dummy;;", -1,
	  "ARC-Message-Signature syntax error: empty tag-spec", "RFC 6376 3.2 extra ';'" },
	{ 1, "", -1, "ARC-Message-Signature syntax error: empty tag-list", "empty AMS" },
};

static void
parse_table(void)
{
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < sizeof(ptests) / sizeof(ptests[0]); i++) {
		const struct ptest *t = &ptests[i];
		const char *why = NULL;
		int inst = arc_parse_header(a, t->kind, t->value, &why);

		ok(inst == t->inst && ((t->why == NULL && why == NULL) ||
		    (t->why != NULL && why != NULL && strcmp(t->why, why) == 0)),
		    "parse %d: %s -> %d (%s)", (int)i, t->cite, inst, why ? why : "accepted");
	}
	arena_free(&a);
}

/*
 * One index: "name<TAB>want<TAB>zone<TAB>message[<TAB>oldest-pass]".
 * Relative paths are taken from the index's directory. The suite's
 * want is its cv (None/Pass/Fail); ours is the result word.
 */
static void
run_index(const char *path, unsigned *goodp, unsigned *totalp, unsigned *passes,
    unsigned *early_bad)
{
	char *idx, *line, *save = NULL, dir[1024], zp[2048], mp[2048];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if ((idx = slurp(path, NULL)) == NULL) {
		ok(0, "reading %s", path);
		return;
	}
	for (line = strtok_r(idx, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5] = { NULL, NULL, NULL, NULL, NULL }, *p = line;
		struct message *m;
		struct outcome o;
		const char *want;
		int k, good1, want_op = -2;

		for (k = 0; k < 5 && p != NULL; k++) {
			f[k] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (k < 4)
			continue;
		memset(&o, 0, sizeof(o));
		if (f[4] != NULL)
			want_op = strcmp(f[4], "-") == 0 ? -1 : atoi(f[4]);
		snprintf(zp, sizeof(zp), "%s%s%s", f[2][0] == '/' ? "" : dir, f[2][0] == '/' ? "" : "/", f[2]);
		snprintf(mp, sizeof(mp), "%s%s%s", f[3][0] == '/' ? "" : dir, f[3][0] == '/' ? "" : "/", f[3]);
		(*totalp)++;
		want = want_of(f[1]);
		m = malloc(sizeof(*m));
		if (m == NULL || message_read(m, mp) != 0 || run_one(zp, m, &o, &run_default) != 0) {
			ok(0, "%s: could not run", f[0]);
			if (m)
				free(m->buf);
			free(m);
			continue;
		}
		good1 = strcmp(o.result, want) == 0 && (want_op == -2 || want_op == o.oldest_pass);
		*goodp += (unsigned)good1;
		if (want_op == -2)
			ok(good1, "%s: want %s, got %s (%s)", f[0], want, o.result, o.why);
		else
			ok(good1, "%s: want %s oldest-pass %d, got %s oldest-pass %d (%s)", f[0], want,
			    want_op, o.result, o.oldest_pass, o.why);
		if (strcmp(o.result, "pass") == 0) {
			(*passes)++;
			if (o.sent_at_eoh == 0)
				(*early_bad)++;
		}
		free((char *)o.result);
		free((char *)o.why);
		free(m->buf);
		free(m);
	}
	free(idx);
}

/* What the pipeline relies on, with the local ed25519 vector. */
static void
properties(const char *localdir)
{
	static const struct {
		const char *msg;
		struct runopt ro;
		const char *result;
		int temperror;
		const char *why;
		const char *cite;
	} pt[] = {
		{ "ed25519_i1.eml", { 2, 5000, 100, 0 }, "pass", 0, "chain of 1 verified",
		  "RFC 8617 5.2 ed25519-sha256 chain" },
		{ "ed25519_i1.eml", { 400, 20, 100, 0 }, "fail", 1,
		  "ARC-Message-Signature i=1: key lookup did not finish in time",
		  "deadline before the key: fail, marked temporary" },
		{ "ed25519_i1.eml", { 2, 5000, 0, 0 }, "fail", 0,
		  "ARC-Message-Signature i=1: DNS query budget spent",
		  "DNS budget spent by the message: fail for good, never temporary" },
		{ "ed25519_i1.eml", { 400, 0, 100, 1 }, "freed", 0, "",
		  "abort with the key query in flight: freed, late answer dropped" },
		{ "rsa_i1_ed25519_i2.eml", { 2, 5000, 100, 0 }, "pass", 0, "chain of 2 verified",
		  "RFC 8617 5.2 two sets" },
	};
	char zp[2048], mp[2048];
	size_t i;

	snprintf(zp, sizeof(zp), "%s/local.zone", localdir);
	for (i = 0; i < sizeof(pt) / sizeof(pt[0]); i++) {
		struct message *m = malloc(sizeof(*m));
		struct outcome o;

		memset(&o, 0, sizeof(o));
		snprintf(mp, sizeof(mp), "%s/%s", localdir, pt[i].msg);
		if (m == NULL || message_read(m, mp) != 0 || run_one(zp, m, &o, &pt[i].ro) != 0) {
			ok(0, "%s: could not run", pt[i].cite);
		} else {
			ok(strcmp(o.result, pt[i].result) == 0 && o.temperror == pt[i].temperror &&
			    strcmp(o.why, pt[i].why) == 0, "%s: %s temperror=%d (%s)", pt[i].cite,
			    o.result, o.temperror, o.why);
			if (i == 4)
				ok(o.n == 2 && strcmp(o.sealer1, "example.net") == 0 &&
				    strcmp(o.aar1, "mx1.example.net; ") == 0,
				    "sealer and AAR per instance for trusted sealers: n=%u d=%s aar=%s",
				    o.n, o.sealer1, o.aar1);
			free((char *)o.result);
			free((char *)o.why);
		}
		if (m)
			free(m->buf);
		free(m);
	}
}

int
main(int argc, char **argv)
{
	unsigned total = 0, good = 0, early_bad = 0, passes = 0, lgood = 0, ltotal = 0;

	parse_table();
	if (argc < 2) {
		tap_diag("no suite index given (run tests/arc/arc_suite.sh)");
		return tap_done();
	}
	run_index(argv[1], &good, &total, &passes, &early_bad);
	if (argc > 2) {
		char dir[1024];
		const char *slash = strrchr(argv[2], '/');

		run_index(argv[2], &lgood, &ltotal, &passes, &early_bad);
		ok(ltotal > 0, "local vectors ran (%u/%u)", lgood, ltotal);
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - argv[2]) : 1,
		    slash ? argv[2] : ".");
		properties(dir);
	}
	ok(passes > 0 && early_bad == 0,
	    "key queries of every passing chain went out before end of headers (%u chains)", passes);
	tap_diag("ARC validation suite: %u/%u", good, total);
	return tap_done();
}
