/*
 * ARC sealing (RFC 8617 section 5.1) through arc_seal, as the pipeline
 * drives it: headers one by one, body in chunks, the chain checked with
 * keys from a zone file through our resolver, then the seal.
 *
 * 1. The ValiMail signing suite (index written by yaml2sign.py): for
 *    each test, with the test's t=, h= list and key, our ARC-Seal and
 *    ARC-Message-Signature must equal the expected ones tag for tag
 *    (white space aside: b= values included, so the signed text was the
 *    same octets), and our ARC-Authentication-Results must equal the
 *    expected one up to folding. A test that expects no set must get
 *    none. Then "# ARC signing suite: N/M".
 * 2. Round trips: what we seal, our validator accepts (RSA and Ed25519,
 *    a second hop, a failed chain's cv=fail), a changed body breaks it,
 *    and the cases where no set may be added are refused with a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "arc.h"
#include "arena.h"
#include "base64.h"
#include "resolver.h"
#include "../tap.h"
#include "arcmsg.h"

struct sealrun {
	const char *result;             /* the chain's verdict */
	unsigned n;
	int oldest_pass;
	int rc;                         /* arc_seal's */
	const char *why;
	char *aar, *ams, *as;           /* malloc'd; NULL without a set */
};

/* Validates (and, with signer, seals) one message. 0, or -1 when it could not run. */
static int
seal_one(const char *zone, const struct message *m, const struct arc_signer *signer,
    const char *ar, long long t, struct sealrun *o)
{
	struct resolver_opts ro;
	struct resolver *r;
	struct dns_set *set;
	struct arena *a = arena_new();
	struct arc_opts opts;
	struct arc_results res;
	struct arc_sealed sealed;
	struct arc *c;
	char err[256];
	size_t i, off, n;

	memset(o, 0, sizeof(*o));
	memset(&ro, 0, sizeof(ro));
	ro.zone_file = zone;
	ro.timeout_ms = 1000;
	if ((r = resolver_new(&ro, err, sizeof(err))) == NULL) {
		tap_diag("resolver_new: %s", err);
		arena_free(&a);
		return -1;
	}
	set = dns_set_new(r, 100, "arc-sign-test");
	arc_opts_init(&opts);
	opts.seal = signer != NULL;
	c = arc_new(a, set, &opts, "arc-sign-test");
	for (i = 0; i < m->nh; i++) {
		dns_set_lock(set);
		arc_header(c, m->h[i].name, m->h[i].value);
		dns_set_unlock(set);
	}
	arc_eoh(c);
	for (off = 0; off < m->bodylen; off += n) {
		n = m->bodylen - off < 5 ? m->bodylen - off : 5;
		arc_body(c, (const unsigned char *)m->body + off, n);
	}
	dns_set_wait(set, dns_now_ms() + 5000);
	dns_set_lock(set);
	arc_eom(c, &res);
	dns_set_unlock(set);
	o->result = strcmp(res.result, "pass") == 0 ? "pass" :
	    strcmp(res.result, "fail") == 0 ? "fail" : "none";
	o->n = res.n;
	o->oldest_pass = res.oldest_pass;
	o->rc = -1;
	if (signer != NULL) {
		const char *why = NULL;

		o->rc = arc_seal(c, &res, signer, ar, t, &sealed, &why);
		o->why = why ? strdup(why) : NULL;
		if (o->rc == 0) {
			o->aar = strdup(sealed.aar);
			o->ams = strdup(sealed.ams);
			o->as = strdup(sealed.as);
		}
	}
	dns_set_lock(set);
	arc_free(&c);
	dns_set_unlock(set);
	dns_set_free(&set);
	resolver_free(&r);
	arena_free(&a);
	return 0;
}

static void
sealrun_clear(struct sealrun *o)
{
	free(o->aar);
	free(o->ams);
	free(o->as);
	free((char *)o->why);
	memset(o, 0, sizeof(*o));
}

/* s without any white space (tag values compare so: RFC 6376 3.2 FWS). */
static char *
nows(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			*p++ = *s;
	*p = '\0';
	return out;
}

/* s with runs of white space made one space and the ends trimmed (relaxed). */
static char *
onews(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;
	int sp = 0;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			sp = 1;
			continue;
		}
		if (sp)
			*p++ = ' ';
		sp = 0;
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

static EVP_PKEY *
key_read(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

static int
same(const char *got, const char *want, char *(*norm)(const char *), const char *what,
    const char *name)
{
	char *g = norm(got ? got : ""), *w = norm(want);
	int r = strcmp(g, w) == 0;

	if (!r)
		tap_diag("%s %s:\n#   got  %s\n#   want %s", name, what, g, w);
	free(g);
	free(w);
	return r;
}

/* "name t h zone key message ar AS AMS AAR" per line. */
static void
run_suite(const char *index)
{
	char *idx = slurp(index, NULL), *line, *save = NULL;
	unsigned good = 0, total = 0;

	if (idx == NULL) {
		ok(0, "reading %s", index);
		return;
	}
	for (line = strtok_r(idx, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[10], *p = line, *ar, *w_as, *w_ams, *w_aar;
		struct arc_signer sg;
		struct message *m = malloc(sizeof(*m));
		struct sealrun o;
		int k, good1;

		for (k = 0; k < 10 && p != NULL; k++) {
			f[k] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (k < 10 || m == NULL) {
			free(m);
			continue;
		}
		total++;
		memset(&sg, 0, sizeof(sg));
		sg.domain = "example.org";
		sg.selector = "dummy";
		{
			static const char *names[32];
			size_t nn = 0;
			char *tok, *sv = NULL;

			for (tok = strtok_r(f[2], ":", &sv); tok && nn < 32; tok = strtok_r(NULL, ":", &sv))
				names[nn++] = tok;
			sg.headers = names;
			sg.nheaders = nn;
		}
		sg.key = key_read(f[4]);
		ar = slurp(f[6], NULL);
		w_as = slurp(f[7], NULL);
		w_ams = slurp(f[8], NULL);
		w_aar = slurp(f[9], NULL);
		if (sg.key == NULL || ar == NULL || w_as == NULL || w_ams == NULL || w_aar == NULL ||
		    message_read(m, f[5]) != 0 ||
		    seal_one(f[3], m, &sg, ar, atoll(f[1]), &o) != 0) {
			ok(0, "%s: could not run", f[0]);
		} else {
			char *e = onews(w_as);

			if (*e == '\0')         /* the suite expects no set */
				good1 = o.rc != 0;
			else
				good1 = o.rc == 0 && same(o.as, w_as, nows, "ARC-Seal", f[0]) &&
				    same(o.ams, w_ams, nows, "ARC-Message-Signature", f[0]) &&
				    same(o.aar, w_aar, onews, "ARC-Authentication-Results", f[0]);
			free(e);
			good += (unsigned)good1;
			ok(good1, "sign %s: chain %s, %s, %s the suite's", f[0], o.result,
			    o.rc == 0 ? "sealed" : o.why ? o.why : "not sealed",
			    good1 ? "as" : "not as");
		}
		sealrun_clear(&o);
		EVP_PKEY_free(sg.key);
		free(ar);
		free(w_as);
		free(w_ams);
		free(w_aar);
		if (m->buf)
			free(m->buf);
		free(m);
	}
	free(idx);
	printf("# ARC signing suite: %u/%u\n", good, total);
}

/* ---------------------------------------------------------------- */
/* Round trips                                                       */

static const char base_msg[] =
    "Authentication-Results: lists.example.org; arc=none;\r\n"
    "  spf=pass smtp.mfrom=jqd@d1.example\r\n"
    "MIME-Version: 1.0\r\n"
    "Date: Thu, 14 Jan 2015 15:00:01 -0800\r\n"
    "From: John Q Doe <jqd@d1.example.org>\r\n"
    "To: arc@dmarc.org\r\n"
    "Subject: Example 1\r\n"
    "Subject: a second one\r\n"
    "\r\n"
    "Hey gang,\r\n"
    "This is a test message.\r\n";

static char tmpdir[] = "/tmp/arc_sign.XXXXXX";

/* Writes text to tmpdir/name; returns the path (static buffer per call site). */
static const char *
put(const char *name, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

/* The sealed set on top of msg, as the next hop receives it (folds as CRLF). */
static char *
prepend(const struct sealrun *o, const char *msg)
{
	const char *v[3] = { o->as, o->ams, o->aar };
	const char *n[3] = { "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results" };
	size_t cap = strlen(msg) + strlen(o->as) + strlen(o->ams) + strlen(o->aar) + 512, len = 0;
	char *out = malloc(cap * 2);
	int i;

	for (i = 0; i < 3; i++) {
		const char *p;

		len += (size_t)sprintf(out + len, "%s:", n[i]);
		for (p = v[i]; *p; p++) {
			if (*p == '\n' && (p == v[i] || p[-1] != '\r'))
				out[len++] = '\r';
			out[len++] = *p;
		}
		len += (size_t)sprintf(out + len, "\r\n");
	}
	strcpy(out + len, msg);
	return out;
}

static int
load(struct message *m, const char *text)
{
	char path[512];

	free(m->buf);
	m->buf = NULL;
	return put("m.eml", text, path, sizeof(path)) == NULL ? -1 : message_read(m, path);
}

static void
round_trips(const char *rsa_pem_path, const char *rsa_zone)
{
	static const char *const rsa_h[] = { "from", "to", "subject", "date", "mime-version",
	    "x-not-there" };
	static const char *const none_h[] = { "x-a", "x-b" };
	struct message *m = calloc(1, sizeof(*m));
	struct arc_signer rsa, ed;
	struct sealrun o, v, o2, v2;
	EVP_PKEY *edk = NULL;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	unsigned char raw[32];
	size_t rawlen = sizeof(raw);
	struct arena *a = arena_new();
	char zone[512], zpath[512], *hop1, *hop2, *txt;

	memset(&rsa, 0, sizeof(rsa));
	rsa.domain = "example.org";
	rsa.selector = "dummy";
	rsa.headers = rsa_h;
	rsa.nheaders = 6;
	rsa.key = key_read(rsa_pem_path);
	ok(rsa.key != NULL, "round trip: suite's RSA key read");

	/* An Ed25519 sealer at ed._domainkey.example.org, with the RSA one. */
	ok(kc != NULL && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_keygen(kc, &edk) == 1 &&
	    EVP_PKEY_get_raw_public_key(edk, raw, &rawlen) == 1, "round trip: Ed25519 key made");
	EVP_PKEY_CTX_free(kc);
	txt = slurp(rsa_zone, NULL);
	snprintf(zone, sizeof(zone), "ed._domainkey.example.org. TXT \"v=DKIM1; k=ed25519; p=%s\"\n",
	    base64_encode(a, raw, 32));
	{
		char *both = malloc(strlen(txt ? txt : "") + strlen(zone) + 1);

		sprintf(both, "%s%s", txt ? txt : "", zone);
		put("keys.zone", both, zpath, sizeof(zpath));
		free(both);
	}
	free(txt);
	ed = rsa;
	ed.selector = "ed";
	ed.domain = "example.org";
	ed.key = edk;

	/* Hop 1: no chain, RSA. */
	load(m, base_msg);
	seal_one(zpath, m, &rsa, " lists.example.org; arc=none", 1700000000, &o);
	ok(o.rc == 0 && strcmp(o.result, "none") == 0, "hop 1: no chain, sealed (%s)",
	    o.why ? o.why : "ok");
	ok(o.as && strstr(o.as, "cv=none; d=example.org; i=1; s=dummy; t=1700000000") != NULL,
	    "hop 1: ARC-Seal i=1 cv=none with our d=, s=, t=");
	ok(o.ams && strstr(o.ams, "h=from:to:subject:subject:date:mime-version;") != NULL,
	    "hop 1: h= lists present headers as often as they occur, absent ones left out");
	ok(o.aar && strcmp(o.aar, " i=1; lists.example.org; arc=none") == 0,
	    "hop 1: AAR is i=1 and our results");
	hop1 = o.as ? prepend(&o, base_msg) : strdup(base_msg);
	load(m, hop1);
	seal_one(zpath, m, NULL, NULL, 0, &v);
	is_str(v.result, "pass", "hop 1: our validator passes our own set");

	/* Hop 2: the chain passes, Ed25519 seals i=2 cv=pass over both sets. */
	seal_one(zpath, m, &ed, " mx.example.net; arc=pass", 1700000100, &o2);
	ok(o2.rc == 0 && o2.as && strstr(o2.as, "a=ed25519-sha256;") != NULL &&
	    strstr(o2.as, "cv=pass; d=example.org; i=2; s=ed;") != NULL,
	    "hop 2: ed25519-sha256 seal i=2 cv=pass");
	hop2 = o2.as ? prepend(&o2, hop1) : strdup(hop1);
	load(m, hop2);
	seal_one(zpath, m, NULL, NULL, 0, &v2);
	ok(strcmp(v2.result, "pass") == 0 && v2.n == 2 && v2.oldest_pass == 0,
	    "hop 2: chain of 2 passes, oldest-pass 0 (got %s, n=%u, oldest-pass %d)",
	    v2.result, v2.n, v2.oldest_pass);
	sealrun_clear(&v2);

	/* The body changed after hop 2: the newest AMS fails, so the chain does. */
	{
		char *bad = strdup(hop2), *p = strstr(bad, "Hey gang");

		p[0] = 'h';
		load(m, bad);
		seal_one(zpath, m, &rsa, " mx3.example; arc=fail", 1700000200, &v2);
		is_str(v2.result, "fail", "changed body: the chain fails");
		/* A failed chain is sealed cv=fail, and then nobody adds another. */
		ok(v2.rc == 0 && v2.as && strstr(v2.as, "cv=fail; d=example.org; i=3;") != NULL,
		    "changed body: sealed i=3 cv=fail (RFC 8617 5.1.2)");
		if (v2.as) {
			char *dead = prepend(&v2, bad);

			sealrun_clear(&v2);
			load(m, dead);
			seal_one(zpath, m, &rsa, " mx4.example; arc=fail", 1700000300, &v2);
			ok(strcmp(v2.result, "fail") == 0 && v2.rc != 0 && v2.why &&
			    strcmp(v2.why, "the chain already ends in cv=fail") == 0,
			    "after cv=fail: no further set (%s)", v2.why ? v2.why : "sealed");
			free(dead);
		}
		sealrun_clear(&v2);
		free(bad);
	}

	/* i=50 is the last instance (RFC 8617 4.2.1): nothing to add after it. */
	{
		char *msg50 = malloc(strlen(base_msg) + 64);

		sprintf(msg50, "ARC-Authentication-Results: i=50; x.example; none\r\n%s", base_msg);
		load(m, msg50);
		seal_one(zpath, m, &rsa, " mx.example.net; arc=fail", 1700000000, &v2);
		ok(v2.rc != 0 && v2.why && strcmp(v2.why, "the chain has no instance left") == 0,
		    "i=50 taken: not sealed (%s)", v2.why ? v2.why : "sealed");
		sealrun_clear(&v2);
		free(msg50);
	}

	/* A chain that failed for DNS trouble only is not ended by us. */
	{
		char tz[512], *timeout_zone = malloc(256);

		snprintf(timeout_zone, 256, "dummy._domainkey.example.org. TIMEOUT\n");
		put("timeout.zone", timeout_zone, tz, sizeof(tz));
		load(m, hop1);
		seal_one(tz, m, &rsa, " mx.example.net; arc=fail", 1700000000, &v2);
		ok(strcmp(v2.result, "fail") == 0 && v2.rc != 0 && v2.why &&
		    strcmp(v2.why, "the chain could not be checked for DNS trouble") == 0,
		    "key lookup timed out: not sealed (%s)", v2.why ? v2.why : "sealed");
		sealrun_clear(&v2);
		free(timeout_zone);
	}

	/* Nothing we are told to sign is present: no AMS worth making. */
	{
		struct arc_signer none = rsa;

		none.headers = none_h;
		none.nheaders = 2;
		load(m, base_msg);
		seal_one(zpath, m, &none, " mx.example.net; arc=none", 1700000000, &v2);
		ok(v2.rc != 0 && v2.why && strcmp(v2.why, "none of the headers to sign is present") == 0,
		    "no header to sign: not sealed (%s)", v2.why ? v2.why : "sealed");
		sealrun_clear(&v2);
	}

	sealrun_clear(&o);
	sealrun_clear(&v);
	sealrun_clear(&o2);
	free(hop1);
	free(hop2);
	EVP_PKEY_free(rsa.key);
	EVP_PKEY_free(edk);
	arena_free(&a);
	free(m->buf);
	free(m);
}

int
main(int argc, char **argv)
{
	char cmd[600];

	if (argc != 4) {
		fprintf(stderr, "usage: test_arc_sign INDEX RSA.pem RSA.zone\n");
		return 2;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	run_suite(argv[1]);
	round_trips(argv[2], argv[3]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpdir);
	return tap_done();
}
