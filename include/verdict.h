/*
 * compauth, the composite authentication verdict (DESIGN.md table, in the
 * style of Microsoft 365's compauth= property): one pure function from
 * what the engines and the configuration found to a result and a
 * three-digit reason. Enforcement (reject, quarantine, tempfail) is the
 * caller's, read from the DMARC action and these values.
 *
 *   result    reason  when (first row that matches, in this order)
 *   none      301     client authenticated (SMTP AUTH submission)
 *   none      302     client trusted by address (config)
 *   none      401     author domain on the local allow list (allow_from)
 *   none      990     DNS failure prevented a verdict (dmarc=temperror or dns_error)
 *   pass      100     dmarc=pass
 *   pass      109     dmarc=bestguesspass: no record, aligned SPF or DKIM pass
 *   pass      130     dmarc=fail, a trusted ARC sealer vouches for the original
 *   fail      010     dmarc=fail for one of our own domains (local_domains)
 *   fail      000     dmarc=fail, policy in force quarantine or reject
 *   fail      001     dmarc=fail, policy in force none (a weak policy: implicit fail)
 *   fail      001     dmarc=none or permerror: no usable policy, nothing aligned
 *
 * Implicit authentication (verdict_implicit, with the report store's
 * history: history.h) may then change one row only, fail 001, where
 * explicit authentication is weak; N is history_threshold:
 *
 *   softpass  210     sender history: a passing DKIM d= or SPF domain of
 *                     the message, and its client network (/24, /48) or
 *                     PTR organizational domain, each seen >= N times on
 *                     mail of this author domain that passed DMARC
 *   softpass  220     recipient history: our users wrote >= N messages to
 *                     the author domain, and the message passes DKIM or SPF
 *                     for a domain within it (unaligned: strict alignment)
 *                     or for an identity of its sender history (>= N)
 *   fail      610     the author domain passed DMARC here >= N times and
 *                     never failed, and this message comes from none of the
 *                     identities, networks or PTR domains it ever used
 *   fail      001     otherwise
 *
 * 000 and 010 (an explicit fail under quarantine or reject) are never
 * softened; history never learns from a softpass (history.h).
 *
 * The codes mean what Microsoft's table says they mean (so a reader who
 * knows one knows the other): p=none is Microsoft's weak policy, 001, and
 * never softpass, which Microsoft keeps for soft passes from signals
 * beyond DMARC (2xx, sending-IP PTR alignment), none of which is read
 * here. 990 is ours, in Microsoft's "none" class: 905 there is complex
 * routing, not a DNS failure.
 */
#ifndef COMPAUTHD_VERDICT_H
#define COMPAUTHD_VERDICT_H

#include <stdbool.h>

#include "dmarc.h"

enum compauth_res {
	COMPAUTH_NONE = 0,
	COMPAUTH_PASS,
	COMPAUTH_FAIL,
	COMPAUTH_SOFTPASS,
};

enum verdict_client {
	VERDICT_CLIENT_NORMAL = 0,
	VERDICT_CLIENT_AUTHENTICATED,   /* reason 301 */
	VERDICT_CLIENT_TRUSTED,         /* reason 302 */
};

struct verdict_inputs {
	enum dmarc_res dmarc;
	enum dmarc_policy policy;       /* dmarc_result.effective (after t=) */
	bool local_domain;              /* author domain is in local_domains */
	bool allow_from;                /* author domain matched allow_from */
	enum verdict_client client;
	bool arc_vouched;               /* trusted sealer, valid chain, AAR pass */
	bool dns_error;                 /* another DNS failure blocked a verdict */
};

struct verdict {
	enum compauth_res result;
	unsigned reason;                /* printed as %03u */
	const char *why;                /* one line for logs and the man page */
};

void verdict_compauth(const struct verdict_inputs *in, struct verdict *out);
struct history_signals;
/* The implicit rows above; out starts as the explicit verdict (may be in). */
void verdict_implicit(const struct verdict *in, const struct history_signals *s,
    unsigned threshold, struct verdict *out);
/* "none" "pass" "fail" "softpass" */
const char *compauth_result_name(enum compauth_res r);

#endif
