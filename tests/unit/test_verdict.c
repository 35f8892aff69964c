/*
 * The compauth table (DESIGN.md, verdict.h): one row per table row, plus
 * rows proving the order in which the rows are tried.
 */
#include <stdio.h>

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
	is_str(compauth_result_name(COMPAUTH_SOFTPASS), "softpass", "result names");
	return tap_done();
}
