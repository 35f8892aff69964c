/*
 * DMARC record parser (RFC 7489 §6.3, §6.4, §6.6.3; RFC 9989 §4.7, §4.8,
 * §4.10.1): the version gate, every tag, defaults, invalid values ignored,
 * case, and the two modes' handling of a p= missing or not valid and of
 * an sp= or np= not valid, with and without a valid rua=.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "arena.h"
#include "dmarc.h"

#define U DMARC_P_UNSET
#define N DMARC_P_NONE
#define Q DMARC_P_QUARANTINE
#define R DMARC_P_REJECT
#define M7 DMARC_RFC7489
#define M9 DMARC_RFC9989
#define NOPOL DMARC_REC_NO_POLICY
#define NOPOL9 " and no valid rua=: DMARC does not apply (RFC 9989 section 4.10.1)"
#define INVAL7 " and no valid rua=: invalid record (RFC 7489 section 6.6.3)"

struct row {
	const char *txt;
	enum dmarc_mode mode;
	enum dmarc_rec_status st;
	enum dmarc_policy p, sp, np;
	int adkim_s, aspf_s;
	unsigned pct;
	int t;
	enum dmarc_psd psd;
	const char *cite;
	const char *why;                /* NULL: not compared */
};

static const struct row rows[] = {
	{ "v=DMARC1; p=reject", DMARC_RFC7489, DMARC_REC_OK, R, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "RFC 7489 6.3 minimal record", NULL },
	{ "v=DMARC1;p=quarantine;sp=none;adkim=s;aspf=s;pct=25", DMARC_RFC7489, DMARC_REC_OK,
	  Q, N, U, 1, 1, 25, 0, DMARC_PSD_U, "RFC 7489 6.3 every policy tag", NULL },
	{ "  v = DMARC1 ; P = Reject ; SP=QUARANTINE ; ", DMARC_RFC7489, DMARC_REC_OK,
	  R, Q, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.4 WSP around '=' and ';', case-insensitive words",
	  NULL },
	{ "v=DMARC1; p=none; np=reject; t=y; psd=y", DMARC_RFC9989, DMARC_REC_OK,
	  N, U, R, 0, 0, 100, 1, DMARC_PSD_Y, "RFC 9989 4.7 np t psd", NULL },
	{ "v=DMARC1; p=reject; psd=n; t=n", DMARC_RFC9989, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_N, "RFC 9989 4.7 psd=n t=n", NULL },
	{ "v=DMARC1; p=reject; psd=x", DMARC_RFC9989, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 9989 4.7 invalid psd reads as u", NULL },
	{ "v=DMARC1; p=reject; foo=bar; x", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 unknown tags ignored", NULL },
	{ "v=DMARC1; p=reject; adkim=x; aspf=; pct=200; t=x", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 invalid optional values: defaults", NULL },
	{ "v=DMARC1; p=reject; pct=-1", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 negative pct: default", NULL },
	{ "v=DMARC1; p=reject; pct=0", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 0, 0, DMARC_PSD_U, "RFC 7489 6.3 pct=0", NULL },
	{ "v=DMARC1; p=reject; p=none", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "repeated tag: first counts", NULL },
	{ "v=DMARC1; p=bogus; rua=mailto:d@example.com", DMARC_RFC7489, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 invalid p with valid rua: p=none", NULL },
	{ "v=DMARC1; rua=mailto:d@example.com", DMARC_RFC7489, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 absent p with valid rua: p=none", NULL },
	{ "v=DMARC1; p=bogus", DMARC_RFC7489, DMARC_REC_INVALID,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 invalid p, no rua: invalid",
	  "p= not valid" INVAL7 },
	{ "v=DMARC1; p=bogus; rua=not a uri", DMARC_RFC7489, DMARC_REC_INVALID,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 invalid p, invalid rua: invalid", NULL },
	{ "v=DMARC1", DMARC_RFC7489, DMARC_REC_INVALID,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 no p, no rua: invalid", "no p=" INVAL7 },
	/* RFC 9989 4.10.1 (RFC 7489 6.6.3 step 6): no usable policy tag */
	{ "v=DMARC1", M9, NOPOL, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.10.1 no p, no rua: no DMARC processing", "no p=" NOPOL9 },
	{ "v=DMARC1; p=bogus; sp=reject", M9, NOPOL, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.10.1 invalid p, no rua: no DMARC processing", "p= not valid" NOPOL9 },
	{ "v=DMARC1; p=bogus; rua=not a uri", M9, NOPOL, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.10.1 invalid p, rua without a valid URI", "p= not valid" NOPOL9 },
	{ "v=DMARC1; adkim=s; psd=n", M9, NOPOL, U, U, U, 1, 0, 100, 0, DMARC_PSD_N,
	  "9989 4.10.1 no policy: the rest is still read (psd= counts in the walk)", "no p=" NOPOL9 },
	{ "v=DMARC1; rua=mailto:d@example.com", M9, DMARC_REC_OK, N, U, U, 0, 0, 100, 0,
	  DMARC_PSD_U, "9989 4.10.1 no p, valid rua: p=none", "no p=, valid rua=: read as p=none" },
	{ "v=DMARC1; p=bogus; sp=reject; rua=mailto:d@example.com", M9, DMARC_REC_OK, N, U, U,
	  0, 0, 100, 0, DMARC_PSD_U, "9989 4.10.1 invalid p, valid rua: a record of p=none alone",
	  "p= not valid, valid rua=: read as p=none" },
	{ "v=DMARC1; p=reject; sp=bogus", M9, NOPOL, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.10.1 invalid sp, no rua: no DMARC processing", "sp= not valid" NOPOL9 },
	{ "v=DMARC1; p=reject; sp=bogus", M7, DMARC_REC_INVALID, U, U, U, 0, 0, 100, 0,
	  DMARC_PSD_U, "7489 6.6.3 invalid sp, no rua: invalid", "sp= not valid" INVAL7 },
	{ "v=DMARC1; p=reject; sp=bogus; np=reject; rua=mailto:d@example.com", M9, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "9989 4.10.1 invalid sp, valid rua: p=none, no sp/np",
	  "sp= not valid, valid rua=: read as p=none" },
	{ "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com", M7, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "7489 6.6.3 invalid sp, valid rua: p=none",
	  "sp= not valid, valid rua=: read as p=none" },
	{ "v=DMARC1; p=reject; np=rejection", M9, NOPOL, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.10.1 invalid np, no rua: no DMARC processing", "np= not valid" NOPOL9 },
	{ "v=DMARC1; p=reject; np=", M9, NOPOL, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.10.1 empty np: not valid", "np= not valid" NOPOL9 },
	{ "v=DMARC1; p=reject; np=rejection", M7, DMARC_REC_OK, R, U, U, 0, 0, 100, 0,
	  DMARC_PSD_U, "7489 knows no np=: a bad value is no error", "valid record" },
	{ "v=DMARC1; p=reject; sp=none; sp=bogus", M9, DMARC_REC_OK, R, N, U, 0, 0, 100, 0,
	  DMARC_PSD_U, "repeated sp: the first counts", "valid record" },
	/* case: tag names and policy words are ABNF literals, DMARC1 is %s */
	{ "V=DMARC1; P=REJECT; SP=None; NP=Quarantine; ADKIM=S; T=Y; PSD=N", M9, DMARC_REC_OK,
	  R, N, Q, 1, 0, 100, 1, DMARC_PSD_N, "9989 4.8 tag names and words in any case", NULL },
	{ "v=DMARC1; p=reject; t=yes; psd=yes", M9, DMARC_REC_OK, R, U, U, 0, 0, 100, 0,
	  DMARC_PSD_U, "9989 4.8 t= and psd= outside the grammar: defaults n and u", NULL },
	/* 9989 4.7: unknown tags (and the historic pct ri rf) ignored */
	{ "v=DMARC1; p=quarantine; foo=bar; rf=afrf; ri=3600; x-new=1", M9, DMARC_REC_OK,
	  Q, U, U, 0, 0, 100, 0, DMARC_PSD_U, "9989 4.7 unknown tags ignored", "valid record" },
	{ "v=dmarc1; p=reject", DMARC_RFC7489, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.4 version value is case-sensitive", NULL },
	{ "p=reject; v=DMARC1", DMARC_RFC7489, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 v must be the first tag", NULL },
	{ "v=DMARC2; p=reject", DMARC_RFC7489, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 other version", NULL },
	{ "v=spf1 -all", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 other records discarded", NULL },
	{ "", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "empty TXT", NULL },
	{ "v DMARC1; p=reject", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "first tag without '='", NULL },
	{ "v=DMARC1p=reject", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "no separator after the version", NULL },
	{ "p=reject; v=DMARC1", M9, DMARC_REC_NOT_DMARC, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.7 v not first: the whole record ignored", "does not start with v=DMARC1" },
	{ "v=DMARC1.0; p=reject", M9, DMARC_REC_NOT_DMARC, U, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "9989 4.7 the only version value is DMARC1", "does not start with v=DMARC1" },
};

int
main(void)
{
	struct arena *a = arena_new();
	struct dmarc_record r;
	const char *why;
	size_t i;
	enum dmarc_rec_status st;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];

		st = dmarc_record_parse(a, w->txt, strlen(w->txt), w->mode, &r, &why);
		is_int(st, w->st, "%s: status (%s)", w->cite, why);
		if (w->why != NULL)
			is_str(why, w->why, "%s: why", w->cite);
		if (w->st != DMARC_REC_OK && w->st != DMARC_REC_NO_POLICY)
			continue;
		ok(r.p == w->p && r.sp == w->sp && r.np == w->np, "%s: p=%s sp=%s np=%s", w->cite,
		    dmarc_policy_name(r.p), dmarc_policy_name(r.sp), dmarc_policy_name(r.np));
		ok(r.adkim_strict == !!w->adkim_s && r.aspf_strict == !!w->aspf_s && r.pct == w->pct &&
		    r.testing == !!w->t && r.psd == w->psd, "%s: adkim aspf pct t psd", w->cite);
	}

	{
		static const char full[] = "v=DMARC1; p=none; rua=mailto:a@example.com,"
		    "mailto:b@example.com!10m; ruf=mailto:f@example.com; fo=1:d; ri=3600";

		st = dmarc_record_parse(a, full, strlen(full), DMARC_RFC7489, &r, &why);
	}
	is_int(st, DMARC_REC_OK, "RFC 7489 6.3 report tags: ok");
	is_str(r.rua, "mailto:a@example.com,mailto:b@example.com!10m", "rua kept as written");
	is_str(r.ruf, "mailto:f@example.com", "ruf kept");
	is_str(r.fo, "1:d", "fo kept");
	is_int(r.ri, 3600, "ri read");
	ok(!r.p_defaulted, "explicit p is not defaulted");

	st = dmarc_record_parse(a, "v=DMARC1; p=reject", 18, DMARC_RFC7489, &r, &why);
	is_int(r.ri, 86400, "RFC 7489 6.3 ri default 86400");
	ok(r.rua == NULL && r.ruf == NULL && r.fo == NULL, "absent report tags are NULL");

	/* A NUL byte inside the value: the policy word no longer matches. */
	{
		static const char nul[] = "v=DMARC1; p=re\0ject; sp=none; rua=mailto:d@example.com";

		st = dmarc_record_parse(a, nul, sizeof(nul) - 1, DMARC_RFC9989, &r, &why);
	}
	ok(st == DMARC_REC_OK && r.p == N && r.p_defaulted && r.sp == U && r.rua != NULL,
	    "NUL inside p=, valid rua: p invalid, a record of p=none alone, rest parsed");
	st = dmarc_record_parse(a, "v=DMARC1; p=re\0ject; sp=none", 28, DMARC_RFC9989, &r, &why);
	ok(st == DMARC_REC_NO_POLICY && r.p == U, "NUL inside p=, no rua: no policy");
	st = dmarc_record_parse(a, "v=DMARC1; p=reject", 18, DMARC_RFC9989, &r, &why);
	ok(st == DMARC_REC_OK && !r.p_defaulted, "a valid p= is not defaulted");
	st = dmarc_record_parse(a, "v=DMARC1; p=reject", 10, DMARC_RFC7489, &r, &why);
	is_int(st, DMARC_REC_INVALID, "length honoured: \"v=DMARC1; \" only");
	st = dmarc_record_parse(a, NULL, 0, DMARC_RFC7489, &r, &why);
	is_int(st, DMARC_REC_NOT_DMARC, "NULL text: not a record");

	is_str(dmarc_policy_name(R), "reject", "policy names");
	is_str(dmarc_policy_name(U), "", "unset policy name is empty");
	arena_free(&a);
	return tap_done();
}
