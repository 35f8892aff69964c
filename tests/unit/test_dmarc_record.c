/*
 * DMARC record parser (RFC 7489 §6.3, §6.4, §6.6.3; RFC 9989 §4.7): the
 * version gate, every tag, defaults, invalid values ignored, and the two
 * modes' handling of a missing or invalid p=.
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
};

static const struct row rows[] = {
	{ "v=DMARC1; p=reject", DMARC_RFC7489, DMARC_REC_OK, R, U, U, 0, 0, 100, 0, DMARC_PSD_U,
	  "RFC 7489 6.3 minimal record" },
	{ "v=DMARC1;p=quarantine;sp=none;adkim=s;aspf=s;pct=25", DMARC_RFC7489, DMARC_REC_OK,
	  Q, N, U, 1, 1, 25, 0, DMARC_PSD_U, "RFC 7489 6.3 every policy tag" },
	{ "  v = DMARC1 ; P = Reject ; SP=QUARANTINE ; ", DMARC_RFC7489, DMARC_REC_OK,
	  R, Q, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.4 WSP around '=' and ';', case-insensitive words" },
	{ "v=DMARC1; p=none; np=reject; t=y; psd=y", DMARC_RFC9989, DMARC_REC_OK,
	  N, U, R, 0, 0, 100, 1, DMARC_PSD_Y, "RFC 9989 4.7 np t psd" },
	{ "v=DMARC1; p=reject; psd=n; t=n", DMARC_RFC9989, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_N, "RFC 9989 4.7 psd=n t=n" },
	{ "v=DMARC1; p=reject; psd=x", DMARC_RFC9989, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 9989 4.7 invalid psd reads as u" },
	{ "v=DMARC1; p=reject; foo=bar; x", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 unknown tags ignored" },
	{ "v=DMARC1; p=reject; sp=bogus; adkim=x; aspf=; pct=200", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 invalid optional values: defaults" },
	{ "v=DMARC1; p=reject; pct=-1", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 negative pct: default" },
	{ "v=DMARC1; p=reject; pct=0", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 0, 0, DMARC_PSD_U, "RFC 7489 6.3 pct=0" },
	{ "v=DMARC1; p=reject; p=none", DMARC_RFC7489, DMARC_REC_OK,
	  R, U, U, 0, 0, 100, 0, DMARC_PSD_U, "repeated tag: first counts" },
	{ "v=DMARC1; p=bogus; rua=mailto:d@example.com", DMARC_RFC7489, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 invalid p with valid rua: p=none" },
	{ "v=DMARC1; rua=mailto:d@example.com", DMARC_RFC7489, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 absent p with valid rua: p=none" },
	{ "v=DMARC1; p=bogus", DMARC_RFC7489, DMARC_REC_INVALID,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 invalid p, no rua: invalid" },
	{ "v=DMARC1; p=bogus; rua=not a uri", DMARC_RFC7489, DMARC_REC_INVALID,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 invalid p, invalid rua: invalid" },
	{ "v=DMARC1", DMARC_RFC7489, DMARC_REC_INVALID,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 no p, no rua: invalid" },
	{ "v=DMARC1", DMARC_RFC9989, DMARC_REC_OK,
	  N, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 9989 4.7 absent p reads as none" },
	{ "v=DMARC1; p=bogus; sp=reject", DMARC_RFC9989, DMARC_REC_OK,
	  N, R, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 9989 4.7 invalid p reads as none" },
	{ "v=dmarc1; p=reject", DMARC_RFC7489, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.4 version value is case-sensitive" },
	{ "p=reject; v=DMARC1", DMARC_RFC7489, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 v must be the first tag" },
	{ "v=DMARC2; p=reject", DMARC_RFC7489, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.3 other version" },
	{ "v=spf1 -all", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "RFC 7489 6.6.3 other records discarded" },
	{ "", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "empty TXT" },
	{ "v DMARC1; p=reject", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "first tag without '='" },
	{ "v=DMARC1p=reject", DMARC_RFC9989, DMARC_REC_NOT_DMARC,
	  U, U, U, 0, 0, 100, 0, DMARC_PSD_U, "no separator after the version" },
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
		if (w->st != DMARC_REC_OK)
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
	st = dmarc_record_parse(a, "v=DMARC1; p=re\0ject; sp=none", 28, DMARC_RFC9989, &r, &why);
	ok(st == DMARC_REC_OK && r.p == N && r.p_defaulted && r.sp == N,
	    "NUL inside p=: p invalid, read as none, rest parsed");
	st = dmarc_record_parse(a, "v=DMARC1; p=reject", 10, DMARC_RFC7489, &r, &why);
	is_int(st, DMARC_REC_INVALID, "length honoured: \"v=DMARC1; \" only");
	st = dmarc_record_parse(a, NULL, 0, DMARC_RFC7489, &r, &why);
	is_int(st, DMARC_REC_NOT_DMARC, "NULL text: not a record");

	is_str(dmarc_policy_name(R), "reject", "policy names");
	is_str(dmarc_policy_name(U), "", "unset policy name is empty");
	arena_free(&a);
	return tap_done();
}
