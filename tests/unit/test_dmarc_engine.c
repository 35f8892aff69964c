/*
 * DMARC discovery and evaluation on the resolver's zone backend
 * (man/compauthd-zone.5): alignment tables (relaxed and strict,
 * subdomains, co.uk, the private suffix blogspot.com), RFC 7489 discovery
 * with the public suffix list, the RFC 9989 tree walk with psd=y/n and
 * np= for non-existent subdomains, which record applies (the author's,
 * the organizational domain's, the PSD's), t= and pct=, several records
 * at each step, records without a usable policy, split TXT strings, DNS
 * failures at each step, the 8-label shortcut, and that every query goes
 * out at dmarc_start().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "dnstest.h"
#include "arena.h"
#include "resolver.h"
#include "dmarc.h"

static const char zone_text[] =
    "$TTL 300\n"
    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
    "example.com. A 192.0.2.1\n"
    "_dmarc.sub.example.com. TXT \"v=DMARC1; p=none; psd=n\"\n"
    "mail.example.com. A 192.0.2.2\n"
    "_dmarc.strict.example. TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n"
    "strict.example. A 192.0.2.3\n"
    "_dmarc.example.co.uk. TXT \"v=DMARC1; p=quarantine; sp=reject\"\n"
    "a.example.co.uk. A 192.0.2.4\n"
    "_dmarc.blogspot.com. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.foo.blogspot.com. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.multi.example. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.multi.example. TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.other.example. TXT \"v=spf1 -all\"\n"
    "_dmarc.other.example. TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.slow.example. TIMEOUT\n"
    "_dmarc.bad.example. TXT \"v=DMARC1; p=bogus\"\n"
    "_dmarc.pct.example. TXT \"v=DMARC1; p=reject; pct=50\"\n"
    "_dmarc.pctq.example. TXT \"v=DMARC1; p=quarantine; pct=10\"\n"
    "_dmarc.test.example. TXT \"v=DMARC1; p=reject; t=y\"\n"
    "_dmarc.pct0.example. TXT \"v=DMARC1; p=reject; pct=0\"\n"
    "_dmarc.testq.example. TXT \"v=DMARC1; p=quarantine; t=y\"\n"
    "_dmarc.psd. TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y\"\n"
    "org1.psd. A 192.0.2.5\n"
    "_dmarc.org2.psd. TXT \"v=DMARC1; p=none; psd=n\"\n"
    "x.org2.psd. A 192.0.2.6\n"
    "_dmarc.b.fl.example. TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.fl.example. TXT \"v=DMARC1; p=reject\"\n"
    "a.b.fl.example. MX 10 mx.fl.example.\n"
    "_dmarc.npdom.example. TXT \"v=DMARC1; p=none; sp=quarantine; np=reject\"\n"
    "npdom.example. A 192.0.2.7\n"
    "exists.npdom.example. MX 0 .\n"
    "_dmarc.longwalk.example. TXT \"v=DMARC1; p=quarantine\"\n"
    "fabrikam.example. A 192.0.2.8\n"
    "contoso.example. A 192.0.2.9\n"
    /* several records at the author, at a step between, at the org domain */
    "_dmarc.m1.ma.example. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.m1.ma.example. TXT \"v=DMARC1; p=none\"\n"
    "m1.ma.example. A 192.0.2.20\n"
    "_dmarc.ma.example. TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.m3.mb.example. TXT \"v=DMARC1; p=none; psd=n\"\n"
    "_dmarc.m3.mb.example. TXT \"v=DMARC1; p=none; psd=n; rua=mailto:d@mb.example\"\n"
    "x.m3.mb.example. A 192.0.2.21\n"
    "_dmarc.mb.example. TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
    "_dmarc.mc.example. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.mc.example. TXT \"v=DMARC1; p=reject; rua=mailto:d@mc.example\"\n"
    "a.mc.example. A 192.0.2.22\n"
    /* a PSD's policy when the org domain publishes none, not a closer record */
    "_dmarc.mail.org3.psd. TXT \"v=DMARC1; p=none\"\n"
    "a.mail.org3.psd. A 192.0.2.23\n"
    "_dmarc.org4.psd. TXT \"v=DMARC1; p=none\"\n"
    "a.org4.psd. A 192.0.2.24\n"
    "_dmarc.dept.fl3.example. TXT \"v=DMARC1; p=none; sp=none\"\n"
    "_dmarc.fl3.example. TXT \"v=DMARC1; p=reject\"\n"
    "a.dept.fl3.example. A 192.0.2.34\n"
    /* no usable policy tag */
    "_dmarc.np1.example. TXT \"v=DMARC1; adkim=s\"\n"
    "_dmarc.sub.np2.example. TXT \"v=DMARC1; sp=reject\"\n"
    "_dmarc.np2.example. TXT \"v=DMARC1; p=reject\"\n"
    "sub.np2.example. A 192.0.2.25\n"
    "_dmarc.np3.example. TXT \"v=DMARC1; sp=quarantine\"\n"
    "a.np3.example. A 192.0.2.26\n"
    "_dmarc.dept.np4.example. TXT \"v=DMARC1; psd=n\"\n"
    "_dmarc.np4.example. TXT \"v=DMARC1; p=reject\"\n"
    "a.dept.np4.example. A 192.0.2.27\n"
    "_dmarc.np5.example. TXT \"v=DMARC1; p=reject; sp=bogus; rua=mailto:d@np5.example\"\n"
    "a.np5.example. A 192.0.2.28\n"
    "_dmarc.np6.example. TXT \"v=DMARC1; p=reject; np=rejection\"\n"
    /* one TXT record in several strings; records that are not DMARC1 */
    "_dmarc.split.example. TXT \"v=DMARC1; p=rej\" \"ect\"\n"
    "_dmarc.split2.example. TXT \"v=DM\" \"ARC1; p=quarantine\"\n"
    "_dmarc.nd.fl2.example. TXT \"v=spf1 -all\"\n"
    "_dmarc.nd.fl2.example. TXT \"v=dmarc1; p=none\"\n"
    "nd.fl2.example. A 192.0.2.29\n"
    "_dmarc.fl2.example. TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.case.example. TXT \"V=DMARC1; P=Reject; ADKIM=s\"\n"
    /* t=y: nothing below none; sp= lowered too */
    "_dmarc.tn.example. TXT \"v=DMARC1; p=none; t=y\"\n"
    "_dmarc.ts.example. TXT \"v=DMARC1; p=none; sp=reject; t=y\"\n"
    "a.ts.example. A 192.0.2.30\n"
    /* DNS failures at later steps of the walk */
    "_dmarc.e1.example. TIMEOUT\n"
    "_dmarc.d.e2.example. TXT \"v=DMARC1; p=quarantine; psd=n\"\n"
    "_dmarc.e2.example. TIMEOUT\n"
    "x.d.e2.example. A 192.0.2.31\n"
    "_dmarc.m.e3.example. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.e3.example. TIMEOUT\n"
    "m.e3.example. A 192.0.2.32\n"
    "_dmarc.org.e5test. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.e5test. SERVFAIL TXT\n"
    "a.org.e5test. A 192.0.2.33\n"
    /* psd=y where the walk starts */
    "_dmarc.gov.tld3. TXT \"v=DMARC1; p=quarantine; psd=y\"\n"
    "_dmarc.tld3. TXT \"v=DMARC1; p=reject; psd=n\"\n"
    /* RFC 9989 5.1.8: a psd=n record the 8-label shortcut never reaches */
    "_dmarc.b.c.d.e.f.g.example.com. TXT \"v=DMARC1; p=none; psd=n\"\n";

static char zone_path[256];


static unsigned
sample_fixed(void *arg)
{
	return *(const unsigned *)arg;
}

#define M7 DMARC_RFC7489
#define M9 DMARC_RFC9989
#define NONE_ DMARC_RES_NONE
#define PASS DMARC_RES_PASS
#define FAIL DMARC_RES_FAIL
#define BGP DMARC_RES_BESTGUESSPASS
#define TEMP DMARC_RES_TEMPERROR
#define PERM DMARC_RES_PERMERROR
#define A_NONE DMARC_ACT_NONE
#define A_Q DMARC_ACT_QUARANTINE
#define A_R DMARC_ACT_REJECT
#define A_PQ DMARC_ACT_PCT_QUARANTINE
#define A_PR DMARC_ACT_PCT_REJECT
#define A_TEMP DMARC_ACT_TEMPERROR
#define A_PERM DMARC_ACT_PERMERROR

struct row {
	enum dmarc_mode mode;
	const char *from;
	enum spf_res spf;
	const char *spf_domain;
	const char *dkim;               /* one d=, or NULL */
	unsigned sample;                /* for pct= */
	enum dmarc_res res;
	enum dmarc_action act;
	const char *policy_domain, *org, *tag;
	const char *cite;
	const char *why;                /* ANY: not compared; NOWHY: NULL */
};

#define ANY NULL
#define NOWHY "(no why)"
#define SEVERAL ": several DMARC records, discarded"
#define NOAPPLY " and no valid rua=: DMARC does not apply (RFC 9989 section 4.10.1)"

static const struct row rows[] = {
	/* relaxed alignment, subdomains: RFC 7489 3.1.1, 3.1.2; RFC 9989 4.4 */
	{ M9, "mail.example.com", SPF_NONE, NULL, "example.com", 0, PASS, A_NONE,
	  "example.com", "example.com", "p", "9989 relaxed DKIM: parent d= aligns with subdomain From", ANY },
	{ M7, "mail.example.com", SPF_NONE, NULL, "example.com", 0, PASS, A_NONE,
	  "example.com", "example.com", "p", "7489 relaxed DKIM: parent d= aligns", ANY },
	{ M9, "example.com", SPF_NONE, NULL, "mail.example.com", 0, PASS, A_NONE,
	  "example.com", "example.com", "p", "9989 relaxed DKIM: subdomain d= aligns", ANY },
	{ M9, "example.com", SPF_PASS, "bounces.example.com", NULL, 0, PASS, A_NONE,
	  "example.com", "example.com", "p", "9989 relaxed SPF: subdomain MAIL FROM aligns", ANY },
	{ M9, "example.com", SPF_SOFTFAIL, "example.com", NULL, 0, FAIL, A_R,
	  "example.com", "example.com", "p", "only SPF pass counts (RFC 7489 4.2)", ANY },
	{ M9, "example.com", SPF_PASS, "example.net", "badexample.com", 0, FAIL, A_R,
	  "example.com", "example.com", "p", "unrelated domains do not align, p=reject", ANY },
	{ M7, "mail.example.com", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "example.com", "example.com", "p", "7489 6.6.3: org record, no sp=, p applies", ANY },
	/* strict: RFC 7489 3.1 adkim=s aspf=s */
	{ M9, "strict.example", SPF_NONE, NULL, "sub.strict.example", 0, FAIL, A_R,
	  "strict.example", "strict.example", "p", "strict DKIM: subdomain d= does not align", ANY },
	{ M9, "strict.example", SPF_PASS, "mail.strict.example", NULL, 0, FAIL, A_R,
	  "strict.example", "strict.example", "p", "strict SPF: subdomain MAIL FROM does not align", ANY },
	{ M9, "strict.example", SPF_PASS, "STRICT.example", NULL, 0, PASS, A_NONE,
	  "strict.example", "strict.example", "p", "strict SPF: same domain, any case", ANY },
	{ M7, "strict.example", SPF_NONE, NULL, "strict.example", 0, PASS, A_NONE,
	  "strict.example", "strict.example", "p", "strict DKIM: same domain", ANY },
	/* co.uk: RFC 7489 3.2 public suffix of two labels */
	{ M7, "a.example.co.uk", SPF_NONE, NULL, "other.co.uk", 0, FAIL, A_R,
	  "example.co.uk", "example.co.uk", "sp", "7489 co.uk: other.co.uk is another organization; sp=reject", ANY },
	{ M7, "a.example.co.uk", SPF_NONE, NULL, "b.example.co.uk", 0, PASS, A_NONE,
	  "example.co.uk", "example.co.uk", "sp", "7489 co.uk: sibling under example.co.uk aligns", ANY },
	{ M9, "a.example.co.uk", SPF_PASS, "co.uk", NULL, 0, FAIL, A_R,
	  "example.co.uk", "example.co.uk", "sp", "9989 co.uk: the suffix itself does not align", ANY },
	{ M9, "a.example.co.uk", SPF_NONE, NULL, "example.co.uk", 0, PASS, A_NONE,
	  "example.co.uk", "example.co.uk", "sp", "9989 co.uk: org domain found by the walk", ANY },
	/* private suffix blogspot.com */
	{ M7, "foo.blogspot.com", SPF_NONE, NULL, "bar.blogspot.com", 0, FAIL, A_R,
	  "foo.blogspot.com", "foo.blogspot.com", "p", "7489 private suffix: bar.blogspot.com does not align", ANY },
	{ M7, "baz.blogspot.com", SPF_NONE, NULL, "x.baz.blogspot.com", 0, BGP, A_NONE,
	  NULL, "baz.blogspot.com", NULL, "no record, aligned under the private suffix: bestguesspass", ANY },
	{ M7, "baz.blogspot.com", SPF_NONE, NULL, "qux.blogspot.com", 0, NONE_, A_NONE,
	  NULL, "baz.blogspot.com", NULL, "7489 no record, other blogspot.com site: none", ANY },
	{ M9, "baz.blogspot.com", SPF_NONE, NULL, "qux.blogspot.com", 0, PASS, A_NONE,
	  "blogspot.com", "blogspot.com", "p",
	  "9989 4.10: the walk, not the PSL: blogspot.com publishes, its sites share its org domain", ANY },
	{ M7, "blogspot.com", SPF_NONE, NULL, "foo.blogspot.com", 0, FAIL, A_R,
	  "blogspot.com", "blogspot.com", "p", "7489 a site under the private suffix is not the suffix's organization", ANY },
	/* several records, non-DMARC records: RFC 7489 6.6.3 */
	{ M7, "multi.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "multi.example", NULL, "7489: two DMARC records: none",
	  "_dmarc.multi.example: several DMARC records" },
	{ M9, "multi.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "multi.example", NULL, "9989: two DMARC records discarded, walk finds none",
	  "_dmarc.multi.example" SEVERAL },
	{ M9, "other.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "other.example", "other.example", "p", "a non-DMARC TXT beside the record is ignored", ANY },
	/* errors */
	{ M9, "slow.example", SPF_PASS, "slow.example", NULL, 0, TEMP, A_TEMP,
	  NULL, "slow.example", NULL, "DNS timeout: temperror", ANY },
	{ M7, "bad.example", SPF_NONE, NULL, NULL, 0, PERM, A_PERM,
	  NULL, "bad.example", NULL, "7489 6.6.3: invalid p=, no rua: permerror", ANY },
	{ M9, "bad.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "bad.example", NULL, "9989 4.10.1: invalid p=, no rua: no DMARC processing",
	  "_dmarc.bad.example: p= not valid" NOAPPLY },
	/* pct= (RFC 7489 6.6.4) and t= (RFC 9989) */
	{ M7, "pct.example", SPF_NONE, NULL, NULL, 70, FAIL, A_PR,
	  "pct.example", "pct.example", "p", "7489 pct=50, sample 70: pct.reject (quarantined)", ANY },
	{ M7, "pct.example", SPF_NONE, NULL, NULL, 10, FAIL, A_R,
	  "pct.example", "pct.example", "p", "7489 pct=50, sample 10: reject", ANY },
	{ M9, "pct.example", SPF_NONE, NULL, NULL, 70, FAIL, A_R,
	  "pct.example", "pct.example", "p", "9989 ignores pct=50", ANY },
	{ M7, "pctq.example", SPF_NONE, NULL, NULL, 50, FAIL, A_PQ,
	  "pctq.example", "pctq.example", "p", "7489 pct=10, sample 50: pct.quarantine", ANY },
	{ M9, "test.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "test.example", "test.example", "p", "9989 t=y: reject applied as quarantine", ANY },
	{ M9, "testq.example", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "testq.example", "testq.example", "p", "9989 t=y: quarantine applied as none", ANY },
	{ M9, "pct0.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "pct0.example", "pct0.example", "p", "9989: pct=0 of an old record reads as t=y", ANY },
	{ M7, "pct0.example", SPF_NONE, NULL, NULL, 0, FAIL, A_PR,
	  "pct0.example", "pct0.example", "p", "7489 pct=0: never sampled in, pct.reject", ANY },
	{ M7, "test.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "test.example", "test.example", "p", "7489 knows no t=", ANY },
	/* RFC 9989 tree walk, psd= */
	{ M9, "a.org1.psd", SPF_NONE, NULL, "org1.psd", 0, PASS, A_NONE,
	  "psd", "org1.psd", "np", "9989 4.10 psd=y: org domain one label below the PSD", ANY },
	{ M9, "a.org1.psd", SPF_NONE, NULL, "other.psd", 0, FAIL, A_R,
	  "psd", "org1.psd", "np", "9989 psd=y: sibling under the PSD does not align; np=reject", ANY },
	{ M9, "org1.psd", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "psd", "org1.psd", "sp", "9989 existing subdomain of the PSD: sp=quarantine", ANY },
	{ M9, "x.org2.psd", SPF_PASS, "y.org2.psd", NULL, 0, PASS, A_NONE,
	  "org2.psd", "org2.psd", "p", "9989 4.10 psd=n: org domain is the record's domain", ANY },
	{ M9, "a.b.fl.example", SPF_NONE, NULL, "c.fl.example", 0, PASS, A_NONE,
	  "fl.example", "fl.example", "p", "9989 4.10.2: org domain from the fewest labels", NOWHY },
	{ M9, "a.b.fl.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "fl.example", "fl.example", "p",
	  "9989 4.10.1: the org domain's policy, not the closer b.fl.example's (no sp=: p)", NOWHY },
	{ M9, "b.fl.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "b.fl.example", "fl.example", "p", "9989 4.10.1: a record at the author domain applies", NOWHY },
	{ M7, "a.b.fl.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "fl.example", "fl.example", "p", "7489 6.6.3: From, then the PSL org domain", NOWHY },
	{ M9, "a.mail.org3.psd", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "psd", "org3.psd", "sp",
	  "9989 4.10.1: org domain org3.psd publishes nothing: the PSD's sp=, not mail.org3.psd's p=none",
	  NOWHY },
	{ M9, "mail.org3.psd", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "mail.org3.psd", "org3.psd", "p", "9989 4.10.1: mail.org3.psd's own record", NOWHY },
	{ M9, "a.dept.fl3.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "fl3.example", "fl3.example", "p",
	  "9989 4.7 sp: ignored in a record below the org domain (dept.fl3.example's sp=none)", NOWHY },
	{ M9, "ghost.mb.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "mb.example", "mb.example", "sp", "9989 4.7 np: absent, a nonexistent subdomain gets sp=", NOWHY },
	{ M9, "a.org4.psd", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "org4.psd", "org4.psd", "p", "9989 4.10.1 note: no PSD policy for an org domain that publishes",
	  NOWHY },
	/* np= for non-existent subdomains (RFC 9989 4.7, RFC 8020) */
	{ M9, "ghost.npdom.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "npdom.example", "npdom.example", "np", "9989 NXDOMAIN subdomain: np=reject", ANY },
	{ M9, "exists.npdom.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "npdom.example", "npdom.example", "sp", "9989 existing subdomain: sp=quarantine", ANY },
	{ M9, "npdom.example", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "npdom.example", "npdom.example", "p", "9989 the domain itself: p=none", ANY },
	{ M7, "ghost.npdom.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "npdom.example", "npdom.example", "sp", "7489 knows no np=: sp=quarantine", ANY },
	/* the long-name skip: 11 labels, walk goes to the last 7 */
	{ M9, "1.2.3.4.5.6.7.8.9.longwalk.example", SPF_NONE, NULL, "longwalk.example", 0, PASS, A_NONE,
	  "longwalk.example", "longwalk.example", "p", "9989 4.10 step 5: long names skip to 7 labels", ANY },
	/* several DMARC records at one step (RFC 9989 4.10 steps 2 and 6: discarded, the walk goes on) */
	{ M9, "m1.ma.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "ma.example", "ma.example", "p", "9989: several at the author: the org domain's policy applies",
	  "_dmarc.m1.ma.example" SEVERAL },
	{ M9, "m1.ma.example", SPF_NONE, NULL, "ma.example", 0, PASS, A_NONE,
	  "ma.example", "ma.example", "p", "9989: several at the author: aligned with the org domain",
	  "_dmarc.m1.ma.example" SEVERAL },
	{ M7, "m1.ma.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "ma.example", NULL, "7489 6.6.3 step 5: several at the From domain: none",
	  "_dmarc.m1.ma.example: several DMARC records" },
	{ M9, "x.m3.mb.example", SPF_NONE, NULL, "y.mb.example", 0, PASS, A_NONE,
	  "mb.example", "mb.example", "sp", "9989: their psd=n does not stop the walk: org mb.example",
	  "_dmarc.m3.mb.example" SEVERAL },
	{ M9, "x.m3.mb.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "mb.example", "mb.example", "sp", "9989: several at a step between: mb.example's sp=",
	  "_dmarc.m3.mb.example" SEVERAL },
	{ M9, "a.mc.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "a.mc.example", NULL, "9989: several at the org domain: no record left, none",
	  "_dmarc.mc.example" SEVERAL },
	{ M7, "a.mc.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "mc.example", NULL, "7489 6.6.3 step 5: several at the org domain: none",
	  "_dmarc.mc.example: several DMARC records" },
	/* no usable policy tag (RFC 9989 4.10.1, RFC 7489 6.6.3 step 6) */
	{ M9, "np1.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "np1.example", NULL, "9989 4.10.1: no p=, no rua=: none",
	  "_dmarc.np1.example: no p=" NOAPPLY },
	{ M7, "np1.example", SPF_NONE, NULL, NULL, 0, PERM, A_PERM,
	  NULL, "np1.example", NULL, "7489 6.6.3: no p=, no rua=: permerror",
	  "_dmarc.np1.example: no p= and no valid rua=: invalid record (RFC 7489 section 6.6.3)" },
	{ M9, "sub.np2.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "np2.example", NULL, "9989 4.10.1: found at the author: np2.example's p=reject not inherited",
	  "_dmarc.sub.np2.example: no p=" NOAPPLY },
	{ M7, "sub.np2.example", SPF_NONE, NULL, NULL, 0, PERM, A_PERM,
	  NULL, "np2.example", NULL, "7489: found at the From domain, not valid: permerror",
	  "_dmarc.sub.np2.example: no p= and no valid rua=: invalid record (RFC 7489 section 6.6.3)" },
	{ M9, "a.np3.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "np3.example", NULL, "9989 4.10.1: the org domain's record has no p=: none",
	  "_dmarc.np3.example: no p=" NOAPPLY },
	{ M9, "a.dept.np4.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "dept.np4.example", NULL, "9989: psd=n without p= still stops the walk: none",
	  "_dmarc.dept.np4.example: no p=" NOAPPLY },
	{ M9, "a.np5.example", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "np5.example", "np5.example", "p", "9989 4.10.1: invalid sp=, valid rua=: p=none, not p=reject",
	  NOWHY },
	{ M7, "a.np5.example", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "np5.example", "np5.example", "p", "7489 6.6.3: invalid sp=, valid rua=: p=none", NOWHY },
	{ M9, "np6.example", SPF_NONE, NULL, NULL, 0, NONE_, A_NONE,
	  NULL, "np6.example", NULL, "9989 4.10.1: invalid np=, no rua=: none",
	  "_dmarc.np6.example: np= not valid" NOAPPLY },
	{ M7, "np6.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "np6.example", "np6.example", "p", "7489 knows no np=: p=reject", NOWHY },
	/* record text (RFC 9989 4.5, 4.7) */
	{ M9, "split.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "split.example", "split.example", "p", "9989 4.5: the strings of one TXT record joined", NOWHY },
	{ M7, "split2.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "split2.example", "split2.example", "p", "joined strings: v=DM ARC1", NOWHY },
	{ M9, "nd.fl2.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "fl2.example", "fl2.example", "p", "9989 4.10 step 2: no v=DMARC1 record at the author: walk on",
	  NOWHY },
	{ M7, "nd.fl2.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "fl2.example", "fl2.example", "p", "7489 6.6.3 step 2: v=dmarc1 is not DMARC: org domain", NOWHY },
	{ M9, "case.example", SPF_NONE, NULL, "sub.case.example", 0, FAIL, A_R,
	  "case.example", "case.example", "p", "9989 4.8: V= P=Reject ADKIM=s read in any case", NOWHY },
	/* t=y (RFC 9989 4.7) */
	{ M9, "tn.example", SPF_NONE, NULL, NULL, 0, FAIL, A_NONE,
	  "tn.example", "tn.example", "p", "9989 4.7 t=y: no effect on p=none", NOWHY },
	{ M9, "a.ts.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "ts.example", "ts.example", "sp", "9989 4.7 t=y: sp=reject applied as quarantine", NOWHY },
	/* DNS failures at later steps (RFC 9989 4.10.1: the receiver's choice; ours: temperror) */
	{ M9, "a.e1.example", SPF_NONE, NULL, NULL, 0, TEMP, A_TEMP,
	  NULL, "a.e1.example", NULL, "9989: no record at the author, parent times out: temperror",
	  "_dmarc.e1.example: DNS tempfail: timeout" },
	{ M7, "a.e1.example", SPF_NONE, NULL, NULL, 0, TEMP, A_TEMP,
	  NULL, "e1.example", NULL, "7489: org domain times out: temperror", "_dmarc.e1.example: DNS tempfail: timeout" },
	{ M9, "x.d.e2.example", SPF_NONE, NULL, NULL, 0, FAIL, A_Q,
	  "d.e2.example", "d.e2.example", "p", "9989: a failure above the psd=n stop does not count", NOWHY },
	{ M9, "m.e3.example", SPF_NONE, NULL, "m.e3.example", 0, PASS, A_NONE,
	  "m.e3.example", "m.e3.example", "p", "9989: author record, parent fails: same d= still aligns",
	  NOWHY },
	{ M9, "m.e3.example", SPF_NONE, NULL, "e3.example", 0, TEMP, A_TEMP,
	  NULL, "m.e3.example", NULL, "9989: author record, parent fails: relaxed d=e3.example unknown",
	  "organizational domain unknown: _dmarc.e3.example: DNS tempfail: timeout" },
	{ M9, "m.e3.example", SPF_PASS, "m.e3.example", "e3.example", 0, PASS, A_NONE,
	  "m.e3.example", "m.e3.example", "p", "9989: one identifier surely aligned: pass", NOWHY },
	{ M9, "m.e3.example", SPF_NONE, NULL, "other.net", 0, FAIL, A_R,
	  "m.e3.example", "m.e3.example", "p", "9989: another top-level domain never aligns: fail", NOWHY },
	{ M9, "m.e3.example", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "m.e3.example", "m.e3.example", "p", "9989: nothing to align: the author's p= stands", NOWHY },
	{ M7, "m.e3.example", SPF_NONE, NULL, "e3.example", 0, PASS, A_NONE,
	  "m.e3.example", "e3.example", "p", "7489: the PSL gives the org domain", NOWHY },
	{ M9, "a.org.e5test", SPF_NONE, NULL, NULL, 0, TEMP, A_TEMP,
	  NULL, "a.org.e5test", NULL, "9989: the top-level step fails: its record could be the org's",
	  "_dmarc.e5test: DNS tempfail: SERVFAIL" },
	{ M7, "a.org.e5test", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "org.e5test", "org.e5test", "p", "7489 never asks the top-level domain", NOWHY },
	/* psd=y at the start of the walk (RFC 9989 4.10 step 2, 4.10.2) */
	{ M9, "gov.tld3", SPF_NONE, NULL, "tld3", 0, FAIL, A_Q,
	  "gov.tld3", "gov.tld3", "p", "9989: walk stops at its start: tld3's psd=n is never read", NOWHY },
	/* RFC 9989 5.1.8: 8 labels or more skip to 7 */
	{ M9, "mail.a.b.c.d.e.f.g.example.com", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "example.com", "example.com", "p", "9989 5.1.8: psd=n at b.c.d.e.f.g.example.com never queried",
	  NOWHY },
	{ M9, "x.b.c.d.e.f.g.example.com", SPF_NONE, NULL, NULL, 0, FAIL, A_R,
	  "example.com", "example.com", "p", "9989 4.10 step 4: 9 labels skip their 8-label parent",
	  NOWHY },
	{ M9, "b.c.d.e.f.g.example.com", SPF_NONE, NULL, "example.com", 0, FAIL, A_NONE,
	  "b.c.d.e.f.g.example.com", "b.c.d.e.f.g.example.com", "p",
	  "9989: the record at the author applies; psd=n: its own org domain", NOWHY },
	/* the seed scenarios (DESIGN.md): no record anywhere */
	{ M9, "contoso.example", SPF_NONE, NULL, "maliciousdomain.example", 0, NONE_, A_NONE,
	  NULL, "contoso.example", NULL, "scenario 1: unaligned DKIM, no record: none",
	  "no DMARC record" },
	{ M9, "fabrikam.example", SPF_PASS, "fabrikam.example", NULL, 0, BGP, A_NONE,
	  NULL, "fabrikam.example", NULL, "scenario 3: SPF pass, no record: bestguesspass", ANY },
	{ M9, "fabrikam.example", SPF_NONE, NULL, "outbound.fabrikam.example", 0, BGP, A_NONE,
	  NULL, "fabrikam.example", NULL, "scenario 4: DKIM subdomain pass, no record: bestguesspass", ANY },
	{ M7, "fabrikam.example", SPF_FAIL, "fabrikam.example", NULL, 0, NONE_, A_NONE,
	  NULL, "fabrikam.example", NULL, "no record, SPF fail: none", ANY },
	/* no author domain */
	{ M9, NULL, SPF_PASS, "example.com", NULL, 0, PERM, A_PERM,
	  NULL, NULL, NULL, "no author domain: permerror", ANY },
	{ M9, "bad..example", SPF_NONE, NULL, NULL, 0, PERM, A_PERM,
	  NULL, "bad..example", NULL, "author domain not a domain name: permerror", ANY },
};

static void
run(struct resolver *res, const struct row *w)
{
	struct arena *a = arena_new();
	struct dns_set *set = dns_set_new(res, 40, "T1");
	struct dmarc_check *c;
	struct dmarc_inputs in;
	struct dmarc_result r;
	const char *d[1] = { w->dkim };

	dns_set_lock(set);
	c = dmarc_start(a, set, w->from, w->mode, "T1");
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 3000);
	dns_set_lock(set);
	ok(dmarc_done(c), "%s: done", w->cite);
	memset(&in, 0, sizeof(in));
	in.spf = w->spf;
	in.spf_domain = w->spf_domain;
	in.dkim_domains = d;
	in.ndkim = w->dkim ? 1 : 0;
	in.sample = sample_fixed;
	in.sample_arg = (void *)&w->sample;
	dmarc_eval(c, &in, &r);
	dns_set_unlock(set);
	ok(r.result == w->res && r.action == w->act, "%s: dmarc=%s action=%s (%s)", w->cite,
	    dmarc_result_name(r.result), dmarc_action_name(r.action), r.why ? r.why : "");
	if (w->why != ANY) {
		const char *why = strcmp(w->why, NOWHY) == 0 ? NULL : w->why;

		is_str(r.why, why, "%s: why", w->cite);
		is_str(r.comment, why != NULL && strcmp(why, "no DMARC record") != 0 ? why : NULL,
		    "%s: A-R comment", w->cite);
	}
	is_str(r.policy_domain, w->policy_domain, "%s: policy domain", w->cite);
	is_str(r.org_domain, w->org, "%s: organizational domain", w->cite);
	is_str(r.policy_tag, w->tag, "%s: policy tag", w->cite);
	is_str(r.header_from, w->from, "%s: header.from", w->cite);
	ok(r.row.result == r.result && r.row.dkim_aligned == r.dkim_aligned &&
	    r.row.spf_aligned == r.spf_aligned && r.row.disposition == r.disposition,
	    "%s: report row matches", w->cite);
	dns_set_free(&set);
	arena_free(&a);
}

/* Every walk query at start: 8 names before any answer; the existence of
   the author domain (A, AAAA, MX) only once the walk shows a parent's np=. */
static void
test_parallel(void)
{
	struct resolver *res = dnstest_resolver(zone_path, 150);
	struct arena *a = arena_new();
	struct dns_set *set;
	struct dmarc_check *c;
	struct dmarc_result r;
	uint64_t t0, t1;
	unsigned i, n;

	if (res == NULL) {
		ok(0, "slow resolver");
		arena_free(&a);
		return;
	}
	set = dns_set_new(res, 40, "T2");
	t0 = dns_now_ms();
	dns_set_lock(set);
	c = dmarc_start(a, set, "1.2.3.4.5.6.7.8.9.longwalk.example", DMARC_RFC9989, "T2");
	n = dns_set_sent(set);
	is_int(n, 8, "RFC 9989: the 8 walk queries sent at start, no existence query yet");
	is_int(dns_set_pending(set), 8, "none answered yet");
	ok(!dmarc_done(c), "not done before the answers");
	if (n >= 2) {
		is_str(dns_set_sent_info(set, 0).name, "_dmarc.1.2.3.4.5.6.7.8.9.longwalk.example",
		    "first query: the From domain");
		is_str(dns_set_sent_info(set, 1).name, "_dmarc.5.6.7.8.9.longwalk.example",
		    "second query: the last 7 labels");
	}
	for (i = 0; i < n; i++)
		if (dns_set_sent_info(set, i).at_ms > t0 + 50)
			break;
	is_int(i, n, "all queries sent within 50 ms of start");
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 3000);
	t1 = dns_now_ms();
	ok(t1 - t0 < 600, "the walk took one round trip, not eight (%llu ms)",
	    (unsigned long long)(t1 - t0));
	dns_set_lock(set);
	dmarc_eval(c, NULL, &r);
	dns_set_unlock(set);
	ok(r.result == DMARC_RES_FAIL && r.action == DMARC_ACT_QUARANTINE, "no inputs: fail, quarantine");
	dns_set_free(&set);

	/* RFC 7489: both names at once */
	set = dns_set_new(res, 40, "T3");
	dns_set_lock(set);
	c = dmarc_start(a, set, "a.example.co.uk", DMARC_RFC7489, "T3");
	n = dns_set_sent(set);
	is_int(n, 2, "RFC 7489: From and organizational domain queried at start");
	if (n == 2)
		is_str(dns_set_sent_info(set, 1).name, "_dmarc.example.co.uk", "second: the PSL org domain");
	dns_set_unlock(set);

	/* Deadline: evaluate before the answers, then late answers are dropped. */
	dns_set_lock(set);
	dmarc_eval(c, NULL, &r);
	dns_set_unlock(set);
	ok(r.result == DMARC_RES_TEMPERROR && r.action == DMARC_ACT_TEMPERROR,
	    "evaluated before the answers: temperror (%s)", r.why ? r.why : "");
	dns_set_wait(set, dns_now_ms() + 3000);
	dns_set_lock(set);
	dmarc_eval(c, NULL, &r);
	dns_set_unlock(set);
	ok(r.result == DMARC_RES_TEMPERROR, "answers after the first eval change nothing");
	dns_set_free(&set);

	/* Abort: cancel with answers in flight, then eval releases memory. */
	set = dns_set_new(res, 40, "T4");
	dns_set_lock(set);
	c = dmarc_start(a, set, "mail.example.com", DMARC_RFC9989, "T4");
	dns_set_unlock(set);
	dns_set_cancel(set);
	dmarc_eval(c, NULL, &r);
	ok(r.result == DMARC_RES_TEMPERROR, "cancelled set: temperror");
	dns_set_free(&set);
	resolver_free(&res);
	arena_free(&a);
}

static void
test_budget_and_twice(struct resolver *res)
{
	struct arena *a = arena_new();
	struct dns_set *set = dns_set_new(res, 1, "T5");
	struct dmarc_check *c;
	struct dmarc_result r;
	struct dmarc_inputs in;
	const char *d[1] = { "example.com" };

	dns_set_lock(set);
	c = dmarc_start(a, set, "mail.example.com", DMARC_RFC9989, "T5");
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 3000);
	dns_set_lock(set);
	dmarc_eval(c, NULL, &r);
	dns_set_unlock(set);
	/* A spent budget is the check's own limit, never a temporary error. */
	ok(r.result == DMARC_RES_PERMERROR, "budget of 1: the walk cannot finish: permerror (%s)",
	    r.why ? r.why : "");
	is_str(r.why, "_dmarc.example.com: query not sent (budget spent)", "and says why");
	dns_set_free(&set);

	set = dns_set_new(res, 40, "T6");
	dns_set_lock(set);
	c = dmarc_start(a, set, "EXAMPLE.Com", DMARC_RFC9989, NULL);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 3000);
	dns_set_lock(set);
	dmarc_eval(c, NULL, &r);
	ok(r.result == DMARC_RES_FAIL && r.action == DMARC_ACT_REJECT, "first eval, no inputs: fail");
	is_str(r.header_from, "example.com", "From domain given in upper case: lower-cased");
	memset(&in, 0, sizeof(in));
	in.dkim_domains = d;
	in.ndkim = 1;
	dmarc_eval(c, &in, &r);
	dns_set_unlock(set);
	ok(r.result == DMARC_RES_PASS && r.dkim_aligned, "second eval with DKIM: pass");
	is_str(r.dkim_domain, "example.com", "aligned d= reported");
	ok(r.record.p == DMARC_P_REJECT && r.row.p == DMARC_P_REJECT, "record and row carry p=reject");
	dns_set_free(&set);
	arena_free(&a);
}

/* RFC 9989 4.7 t=y: the policy as published, and what is applied. */
static void
test_testing(struct resolver *res)
{
	static const struct {
		const char *from;
		enum dmarc_policy policy, effective;
		bool testing;
		const char *cite;
	} t[] = {
		{ "tn.example", DMARC_P_NONE, DMARC_P_NONE, false, "t=y, p=none: nothing lowered" },
		{ "a.ts.example", DMARC_P_REJECT, DMARC_P_QUARANTINE, true, "t=y, sp=reject: quarantine" },
		{ "test.example", DMARC_P_REJECT, DMARC_P_QUARANTINE, true, "t=y, p=reject: quarantine" },
	};
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dns_set *set = dns_set_new(res, 40, "T8");
		struct dmarc_check *c;
		struct dmarc_result r;

		dns_set_lock(set);
		c = dmarc_start(a, set, t[i].from, DMARC_RFC9989, "T8");
		dns_set_unlock(set);
		dns_set_wait(set, dns_now_ms() + 3000);
		dns_set_lock(set);
		dmarc_eval(c, NULL, &r);
		dns_set_unlock(set);
		ok(r.policy == t[i].policy && r.effective == t[i].effective &&
		    r.disposition == t[i].effective && r.testing == t[i].testing,
		    "9989 4.7 %s: policy %s, applied %s", t[i].cite, dmarc_policy_name(r.policy),
		    dmarc_policy_name(r.effective));
		dns_set_free(&set);
	}
	arena_free(&a);
}

/* RFC 9989 4.10.2 for identifiers: dmarc_add_identifier walks for them too. */
static struct dmarc_result
ident_case(struct resolver *res, struct arena *a, enum dmarc_mode mode, const char *const *ids,
    size_t nids, const char *dkim, unsigned *sent)
{
	struct dns_set *set = dns_set_new(res, 60, "T7");
	struct dmarc_check *c;
	struct dmarc_inputs in;
	struct dmarc_result r;
	const char *d[1] = { dkim };
	size_t i;

	dns_set_lock(set);
	c = dmarc_start(a, set, "mail.example.com", mode, "T7");
	for (i = 0; i < nids; i++)
		dmarc_add_identifier(c, ids[i]);
	*sent = dns_set_sent(set);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + 3000);
	memset(&in, 0, sizeof(in));
	in.dkim_domains = d;
	in.ndkim = 1;
	dns_set_lock(set);
	dmarc_eval(c, &in, &r);
	dns_set_unlock(set);
	dns_set_free(&set);
	return r;
}

static void
test_identifiers(struct resolver *res)
{
	struct arena *a = arena_new();
	struct dmarc_result r;
	unsigned sent;
	const char *x[1] = { "X.sub.example.com" };
	const char *y[1] = { "y.example.com" };
	const char *many[6] = { "a1.example.com", "a2.example.com", "a3.example.com", "a4.example.com",
	    "a5.example.com", "x.sub.example.com" };

	r = ident_case(res, a, DMARC_RFC9989, NULL, 0, "x.sub.example.com", &sent);
	ok(r.result == DMARC_RES_PASS, "9989 d= under a psd=n subdomain, not walked: taken as aligned");
	is_int(sent, 3, "author walk (3) only");
	r = ident_case(res, a, DMARC_RFC9989, x, 1, "x.sub.example.com", &sent);
	ok(r.result == DMARC_RES_FAIL && !r.dkim_aligned,
	    "9989 4.10.2: d= whose own walk stops at psd=n sub.example.com does not align");
	is_int(sent, 5, "identifier walk adds only the names not asked yet");
	r = ident_case(res, a, DMARC_RFC9989, y, 1, "y.example.com", &sent);
	ok(r.result == DMARC_RES_PASS && r.dkim_aligned, "9989 identifier walked, same org domain: aligned");
	r = ident_case(res, a, DMARC_RFC9989, many, 6, "x.sub.example.com", &sent);
	ok(r.result == DMARC_RES_PASS, "only DMARC_IDENT_MAX identifiers walked: the fifth is not");
	is_int(sent, 7, "four identifiers, one new name each");
	r = ident_case(res, a, DMARC_RFC7489, x, 1, "x.sub.example.com", &sent);
	ok(r.result == DMARC_RES_PASS, "7489: the PSL decides, x.sub.example.com aligns");
	is_int(sent, 2, "7489: identifiers add no queries");
	arena_free(&a);
}

/*
 * The author domain's existence is asked only when the walk shows it can
 * matter (a parent's record with np=): never for an author with a record
 * of its own or without np= above it; after the walk for one with it.
 */
static void
test_existence(struct resolver *res)
{
	static const struct {
		const char *from, *tag;
		unsigned walk, total;
		const char *what;
	} cases[] = {
		{ "npdom.example", "p", 2, 2, "own record: no existence query" },
		{ "gone.npdom.example", "np", 3, 6, "no own record, parent's np=: A, AAAA, MX "
		  "after the walk; NXDOMAIN: np=" },
		{ "exists.npdom.example", "sp", 3, 6, "existing subdomain: asked, sp=" },
		{ "x.sub.example.com", "p", 4, 4, "no np= above: never asked" },
	};
	struct arena *a = arena_new();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dns_set *set = dns_set_new(res, 40, "T8");
		struct dmarc_result r;
		struct dmarc_check *c;
		unsigned walk;

		dns_set_lock(set);
		c = dmarc_start(a, set, cases[i].from, DMARC_RFC9989, "T8");
		walk = dns_set_sent(set);
		dns_set_unlock(set);
		dns_set_wait(set, dns_now_ms() + 3000);
		dns_set_lock(set);
		dmarc_eval(c, NULL, &r);
		dns_set_unlock(set);
		ok(walk == cases[i].walk && dns_set_sent(set) == cases[i].total &&
		    r.policy_tag != NULL && strcmp(r.policy_tag, cases[i].tag) == 0,
		    "9989 %s: %s (%u at start, %u in all, %s=)", cases[i].from, cases[i].what, walk,
		    dns_set_sent(set), r.policy_tag ? r.policy_tag : "-");
		dns_set_free(&set);
	}
	arena_free(&a);
}

int
main(void)
{
	struct resolver *res;
	size_t i;

	if (dnstest_zone_write(zone_path, sizeof(zone_path), "dmarc_engine", zone_text) != 0)
		return 1;
	res = dnstest_resolver(zone_path, 0);
	if (res == NULL) {
		ok(0, "resolver on the zone backend");
	} else {
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			run(res, &rows[i]);
		test_budget_and_twice(res);
		test_testing(res);
		test_identifiers(res);
		test_existence(res);
		resolver_free(&res);
	}
	test_parallel();
	unlink(zone_path);
	return tap_done();
}
