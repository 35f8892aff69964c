/*
 * RFC 8601 Authentication-Results: build our header, parse incoming ones.
 * Both work on header *values* (what follows "Authentication-Results:").
 */
#ifndef COMPAUTHD_AUTHRES_H
#define COMPAUTHD_AUTHRES_H

#include <stddef.h>
#include "arena.h"

struct ar_prop {
	const char *ptype;          /* smtp, header, body, policy */
	const char *name;           /* mailfrom, d, iprev, ... */
	const char *value;          /* quoted on output when not a token */
	const char *comment;        /* optional, emitted as " (comment)" after it */
};

struct ar_result {
	const char *method;         /* spf, dkim, iprev, compauth, ... */
	const char *result;         /* pass, fail, ... */
	const char *comment;        /* optional "(...)" right after the result */
	const char *reason;         /* optional reason=VALUE (reasonspec) */
	size_t nprops;
	const struct ar_prop *props;
};

#define AR_FIELD "Authentication-Results"

/*
 * The header value we add: " authserv-id;\n\tmethod=result ...;\n\t..."
 * (leading space, lines joined with "\n\t", each physical line of the
 * complete field "Authentication-Results: ..." under 78 characters where
 * tokens allow). n == 0 gives " authserv-id; none".
 */
char *authres_format(struct arena *a, const char *authserv_id,
    const struct ar_result *res, size_t n);

struct ar_parsed {
	const char *authserv_id;    /* NULL when the value has none */
	const char *version;        /* NULL unless given */
	int none;                   /* "; none" */
	size_t n;
	struct ar_result *res;      /* props allocated in the arena */
};

/*
 * Tolerant parse of an incoming value (comments, CFWS, folding, unknown
 * methods). Returns 0 on a clean parse, -1 on a syntax error; on -1 out
 * still holds the authserv-id and the results read before the error.
 */
int authres_parse(struct arena *a, const char *value, size_t len, struct ar_parsed *out);

/*
 * 1 when the value claims our authserv-id as any consumer after us may
 * read it (ASCII, case-insensitive), and whenever that cannot be told
 * (broken, cut short, 8-bit or encoded-word text before the first ';'):
 * such a field must be removed.  authserv_id is a token (a host name).
 */
int authres_claims_id(const char *value, size_t len, const char *authserv_id);

#endif
