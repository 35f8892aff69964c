/*
 * The compauth table (DESIGN.md, verdict.h): one row per table row, plus
 * rows proving the order in which the rows are tried.
 */
#include <stdio.h>

#include "history.h"
#include "tap.h"
#include "verdict.h"

struct row {
	struct verdict_inputs in;
	enum compauth_res res;
	unsigned reason;
	const char *what;
};

#define CN VERDICT_CLIENT_NORMAL
#define CA VERDICT_CLIENT_AUTHENTICATED
#define CT VERDICT_CLIENT_TRUSTED

static const struct row rows[] = {
	/* dmarc policy local allow client arc dns */
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 0, 0, CN, 0, 0 }, COMPAUTH_FAIL, 0, "000: fail, p=reject" },
	{ { DMARC_RES_FAIL, DMARC_P_QUARANTINE, 0, 0, CN, 0, 0 }, COMPAUTH_FAIL, 0, "000: fail, p=quarantine" },
	{ { DMARC_RES_NONE, DMARC_P_UNSET, 0, 0, CN, 0, 0 }, COMPAUTH_FAIL, 1, "001: no record, nothing aligned" },
	{ { DMARC_RES_PERMERROR, DMARC_P_UNSET, 0, 0, CN, 0, 0 }, COMPAUTH_FAIL, 1, "001: permerror" },
	{ { DMARC_RES_FAIL, DMARC_P_NONE, 1, 0, CN, 0, 0 }, COMPAUTH_FAIL, 10, "010: fail for a local domain, even p=none" },
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 1, 0, CN, 0, 0 }, COMPAUTH_FAIL, 10, "010: before 000" },
	{ { DMARC_RES_PASS, DMARC_P_REJECT, 0, 0, CN, 0, 0 }, COMPAUTH_PASS, 100, "100: pass" },
	{ { DMARC_RES_PASS, DMARC_P_NONE, 1, 0, CN, 0, 0 }, COMPAUTH_PASS, 100, "100: pass for a local domain" },
	{ { DMARC_RES_BESTGUESSPASS, DMARC_P_UNSET, 0, 0, CN, 0, 0 }, COMPAUTH_PASS, 109, "109: bestguesspass" },
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 0, 0, CN, 1, 0 }, COMPAUTH_PASS, 130, "130: fail, trusted ARC sealer" },
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 1, 0, CN, 1, 0 }, COMPAUTH_PASS, 130, "130: before 010" },
	{ { DMARC_RES_NONE, DMARC_P_UNSET, 0, 0, CN, 1, 0 }, COMPAUTH_FAIL, 1, "130 only for dmarc=fail" },
	{ { DMARC_RES_FAIL, DMARC_P_NONE, 0, 0, CN, 0, 0 }, COMPAUTH_FAIL, 1, "001: fail, p=none is a weak policy (implicit fail)" },
	{ { DMARC_RES_FAIL, DMARC_P_UNSET, 0, 0, CN, 0, 0 }, COMPAUTH_FAIL, 1, "001: fail, no policy in force" },
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 0, 0, CA, 0, 0 }, COMPAUTH_NONE, 301, "301: authenticated client" },
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 0, 1, CT, 0, 1 }, COMPAUTH_NONE, 302, "302: trusted client, first" },
	{ { DMARC_RES_FAIL, DMARC_P_REJECT, 0, 1, CN, 0, 0 }, COMPAUTH_NONE, 401, "401: allow_from" },
	{ { DMARC_RES_TEMPERROR, DMARC_P_UNSET, 1, 1, CN, 0, 0 }, COMPAUTH_NONE, 401, "401 before 990" },
	{ { DMARC_RES_TEMPERROR, DMARC_P_UNSET, 0, 0, CN, 0, 0 }, COMPAUTH_NONE, 990, "990: dmarc=temperror" },
	{ { DMARC_RES_PASS, DMARC_P_NONE, 0, 0, CN, 0, 1 }, COMPAUTH_NONE, 990, "990: other DNS failure" },
};

/*
 * The implicit rows (verdict.h): each rule alone, each signal missing,
 * the explicit verdicts they must never touch, and the order.
 */
struct irow {
	enum compauth_res in_res;
	unsigned in_reason;
	struct history_signals sig;
	enum compauth_res res;
	unsigned reason;
	const char *what;
};

#define N 5
#define FAIL1 COMPAUTH_FAIL, 1
/* known pass fail correspondent id idc net netc ptr ptrc seen own shared sharedc */
#define ID "esp.example", 9
#define NET "192.0.2.0/24", 9
#define PTR "esp.example", 9
static const struct irow irows[] = {
	{ FAIL1, { 1, 50, 0, 0, ID, NET, NULL, 0, 1, NULL, NULL, 0 }, COMPAUTH_SOFTPASS, 210,
	  "210: identity and network seen >= N" },
	{ FAIL1, { 1, 50, 3, 0, ID, NULL, 0, PTR, 1, NULL, NULL, 0 }, COMPAUTH_SOFTPASS, 210,
	  "210: identity and PTR domain seen >= N (failures elsewhere do not matter)" },
	{ FAIL1, { 1, 50, 0, 0, ID, NULL, 0, NULL, 0, 1, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "no 210: identity alone (shared infrastructure)" },
	{ FAIL1, { 1, 50, 0, 0, NULL, 0, NET, PTR, 1, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "no 210: network and PTR without an authenticated identity" },
	{ FAIL1, { 1, 50, 0, N, NULL, 0, NET, PTR, 1, NULL, "esp.example", 7 }, COMPAUTH_FAIL, 1,
	  "no 210, no 220: the identity is shared by 7 author domains (history_signals gives "
	  "no id for it)" },
	{ COMPAUTH_FAIL, 0, { 1, 50, 0, 9, ID, NET, PTR, 1, "a.example", NULL, 0 },
	  COMPAUTH_FAIL, 0,
	  "000 (p=quarantine/reject) is never softened" },
	{ COMPAUTH_FAIL, 10, { 1, 50, 0, 9, ID, NET, PTR, 1, "a.example", NULL, 0 },
	  COMPAUTH_FAIL, 10,
	  "010 (our own domain) is never softened" },
	{ COMPAUTH_NONE, 990, { 1, 50, 0, 9, ID, NET, PTR, 1, "a.example", NULL, 0 },
	  COMPAUTH_NONE, 990,
	  "990 (DNS failure) stays" },
	{ COMPAUTH_PASS, 100, { 1, 50, 0, 0, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 },
	  COMPAUTH_PASS,
	  100, "a pass stays a pass (610 needs a fail 001)" },
	{ COMPAUTH_NONE, 302, { 1, 50, 0, 9, ID, NET, PTR, 1, "a.example", NULL, 0 },
	  COMPAUTH_NONE, 302,
	  "302 (trusted client) stays" },
	{ FAIL1, { 0, 0, 0, N, NULL, 0, NULL, 0, NULL, 0, 0, "mail.a.example", NULL, 0 },
	  COMPAUTH_SOFTPASS, 220, "220: correspondent (N messages) with a pass within its own domain" },
	{ FAIL1, { 1, 2, 0, N, ID, NULL, 0, NULL, 0, 1, NULL, NULL, 0 }, COMPAUTH_SOFTPASS, 220,
	  "220: correspondent with an identity of its sender history" },
	{ FAIL1, { 0, 0, 0, N - 1, NULL, 0, NULL, 0, NULL, 0, 0, "mail.a.example", NULL, 0 },
	  COMPAUTH_FAIL, 1, "no 220: fewer than N messages to it" },
	{ FAIL1, { 0, 0, 0, 100, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "no 220: correspondent, but nothing of its own passes (any sender can pass SPF "
	  "for a domain of its own)" },
	{ FAIL1, { 1, 50, 0, 100, ID, NET, NULL, 0, 1, "mail.a.example", NULL, 0 },
	  COMPAUTH_SOFTPASS, 210, "210 before 220" },
	{ FAIL1, { 1, N, 0, 0, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 }, COMPAUTH_FAIL, 610,
	  "610: passed N times, never failed, nothing seen" },
	{ FAIL1, { 1, N - 1, 0, 0, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "no 610: fewer than N passes" },
	{ FAIL1, { 1, 500, 1, 0, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "no 610: it failed once before" },
	{ FAIL1, { 1, 500, 0, 0, NULL, 0, NULL, 0, NULL, 0, 1, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "no 610: something of it was seen (fewer than N times)" },
	{ FAIL1, { 0, 0, 0, 0, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 }, COMPAUTH_FAIL, 1,
	  "001: an unknown domain" },
	{ FAIL1, { 1, 500, 0, 100, NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0 }, COMPAUTH_FAIL, 610,
	  "610: a correspondent that always passed, now from unseen infrastructure" },
};

int
main(void)
{
	struct verdict v;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		verdict_compauth(&rows[i].in, &v);
		ok(v.result == rows[i].res && v.reason == rows[i].reason,
		    "compauth=%s reason=%03u: %s", compauth_result_name(v.result), v.reason,
		    rows[i].what);
		ok(v.why != NULL && *v.why != '\0', "%s: has a reason text", rows[i].what);
	}
	for (i = 0; i < sizeof(irows) / sizeof(irows[0]); i++) {
		struct verdict in = { irows[i].in_res, irows[i].in_reason, "explicit" };
		verdict_implicit(&in, &irows[i].sig, N, &v);
		ok(v.result == irows[i].res && v.reason == irows[i].reason,
		    "implicit: compauth=%s reason=%03u: %s", compauth_result_name(v.result), v.reason,
		    irows[i].what);
	}
	{
		struct verdict in = { COMPAUTH_FAIL, 1, "explicit" };
		verdict_implicit(&in, NULL, N, &v);
		ok(v.result == COMPAUTH_FAIL && v.reason == 1, "implicit: no history, no change");
	}
	is_str(compauth_result_name(COMPAUTH_SOFTPASS), "softpass", "result names");
	return tap_done();
}
