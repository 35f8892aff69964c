/*
 * The compauth table (see verdict.h for the rows): kept apart from the
 * engines and the milter so that the whole table is one function a test
 * can walk row by row, and the man page can quote it.
 */
#include <stddef.h>

#include "history.h"
#include "verdict.h"

static void
set(struct verdict *out, enum compauth_res r, unsigned reason, const char *why)
{
	out->result = r;
	out->reason = reason;
	out->why = why;
}

void
verdict_compauth(const struct verdict_inputs *in, struct verdict *out)
{
	if (in->client == VERDICT_CLIENT_AUTHENTICATED)
		set(out, COMPAUTH_NONE, 301, "authenticated client, not checked");
	else if (in->client == VERDICT_CLIENT_TRUSTED)
		set(out, COMPAUTH_NONE, 302, "trusted client, not checked");
	else if (in->allow_from)
		set(out, COMPAUTH_NONE, 401, "author domain on the local allow list");
	else if (in->dmarc == DMARC_RES_TEMPERROR || in->dns_error)
		set(out, COMPAUTH_NONE, 990, "DNS failure prevented a verdict");
	else if (in->dmarc == DMARC_RES_PASS)
		set(out, COMPAUTH_PASS, 100, "DMARC pass");
	else if (in->dmarc == DMARC_RES_BESTGUESSPASS)
		set(out, COMPAUTH_PASS, 109, "no DMARC record, aligned SPF or DKIM pass");
	else if (in->dmarc == DMARC_RES_FAIL && in->arc_vouched)
		set(out, COMPAUTH_PASS, 130, "DMARC fail, vouched for by a trusted ARC sealer");
	else if (in->dmarc == DMARC_RES_FAIL && in->local_domain)
		set(out, COMPAUTH_FAIL, 10, "DMARC fail for a local domain");
	else if (in->dmarc == DMARC_RES_FAIL && (in->policy == DMARC_P_QUARANTINE ||
	    in->policy == DMARC_P_REJECT))
		set(out, COMPAUTH_FAIL, 0, "DMARC fail, policy quarantine or reject");
	else if (in->dmarc == DMARC_RES_FAIL)
		set(out, COMPAUTH_FAIL, 1, "DMARC fail, weak policy (none in force)");
	else if (in->dmarc == DMARC_RES_PERMERROR)
		set(out, COMPAUTH_FAIL, 1, "no usable DMARC policy (permerror), nothing aligned");
	else
		set(out, COMPAUTH_FAIL, 1, "no DMARC record, nothing aligned passed");
}

void
verdict_implicit(const struct verdict *in, const struct history_signals *s, unsigned threshold,
    struct verdict *out)
{
	*out = *in;
	if (in->result != COMPAUTH_FAIL || in->reason != 1 || s == NULL)
		return;
	if (s->id != NULL && (s->net != NULL || s->ptr != NULL))
		set(out, COMPAUTH_SOFTPASS, 210, "sender history: identity and network seen "
		    "authenticating for the author domain");
	else if (s->correspondent >= threshold && threshold > 0 && (s->own != NULL || s->id != NULL))
		set(out, COMPAUTH_SOFTPASS, 220, "recipient history: a domain our users write to, "
		    "authenticated as itself");
	else if (s->known && s->pass >= threshold && threshold > 0 && s->fail == 0 && !s->seen_any)
		set(out, COMPAUTH_FAIL, 610, "always authenticated here, now from unseen "
		    "infrastructure");
}

const char *
compauth_result_name(enum compauth_res r)
{
	switch (r) {
	case COMPAUTH_NONE:     return "none";
	case COMPAUTH_PASS:     return "pass";
	case COMPAUTH_FAIL:     return "fail";
	case COMPAUTH_SOFTPASS: return "softpass";
	}
	return "?";
}
