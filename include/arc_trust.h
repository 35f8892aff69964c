/*
 * Trusted ARC sealers (the compauth reason 130 of verdict.h): when DMARC
 * fails here, an intermediary we trust may vouch, through the ARC set it
 * sealed, that the message authenticated when it reached it.
 */
#ifndef COMPAUTHD_ARC_TRUST_H
#define COMPAUTHD_ARC_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "arc.h"
#include "arena.h"

struct arc_vouch {
	const char *sealer;             /* d= of the ARC-Seal that vouched */
	unsigned instance;
	const char *what;               /* the AAR result that counted, for logs */
};

/*
 * Whether the chain vouches for author_domain (lower case): it passed;
 * the newest instance's sealer (the hop that handed us the message, so
 * no untrusted hop came after it) is one of trusted[0..n) (exact domain,
 * no case); that instance's ARC-Message-Signature signs From (else the
 * author we see need not be the one the sealer checked); and its
 * ARC-Authentication-Results, read with our RFC 8601 parser, records
 * dmarc=pass with header.from equal to author_domain (without
 * header.from it names no author, so it does not count), or spf=pass /
 * dkim=pass for a domain aligned with author_domain (same
 * organizational domain, RFC 7489 relaxed).
 * On false *why (may be NULL) says which condition was not met.
 */
bool arc_trust_vouches(struct arena *a, const struct arc_results *r, const char *const *trusted,
    size_t n, const char *author_domain, struct arc_vouch *out, const char **why);

#endif
