/*
 * Every author domain a reader could take from the From fields, in every
 * spelling a mail client shows as that domain, normalized for DMARC.
 *
 * author_domain() (dmarc.h) is the strict RFC 5322 reading: one field,
 * one domain, or a status. A sender who wants to escape a p=reject author
 * adds something beside it (a second address, a second field, a broken
 * comment) or spells it so that DMARC cannot read it (a U-label, an
 * ideographic full stop, a trailing zero-width space). author_collect()
 * returns what every such reading yields, so that the caller can evaluate
 * each domain and keep the strictest result (RFC 7489 §6.6.1, RFC 9989
 * §4.4): what cannot be normalized is never read more leniently than the
 * strictest reading.
 *
 * Normalized form: lower-case ASCII, A-labels for IDNs (UTS #46 through
 * libidn2, RFC 8616 §4), no final dot, only the bytes [a-z0-9-._], no
 * empty label, at most AUTHOR_READING_MAX bytes. A reading may be longer
 * than DNS allows (a label over 63 bytes, a name over 253): such a name
 * has no record, and the DMARC tree walk goes on to its parents. A longer
 * one is cut to its longest suffix of whole labels of at most 253 bytes.
 */
#ifndef COMPAUTHD_AUTHOR_H
#define COMPAUTHD_AUTHOR_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "dmarc.h"

#define AUTHOR_EVAL_MAX 8
/* A reading longer than this keeps only its last labels (<= 253 bytes). */
#define AUTHOR_READING_MAX 1024
/* A domain written longer than this is read by its last labels only. */
#define AUTHOR_RAW_MAX 4096
/* Distinct address domains read as written, over all fields. */
#define AUTHOR_SCAN_MAX 64
/* '@' read in From fields that do not parse. */
#define AUTHOR_AT_MAX 1024
/* Bytes handed to libidn2 per author_collect(), 64 more per call (CPU time). */
#define AUTHOR_IDN_BUDGET 32768

struct author_set {
	enum author_status strict;   /* what author_domain() says of the same fields */
	size_t nfields;              /* From fields given */
	const char *domains[AUTHOR_EVAL_MAX]; /* every distinct author domain any reading
	                                 yields, normalized, in order of appearance */
	size_t ndomains;
	bool overflow;               /* not every domain could be read, the rest dropped:
	                                more distinct domains than AUTHOR_EVAL_MAX, more
	                                than AUTHOR_SCAN_MAX distinct address domains or
	                                AUTHOR_AT_MAX '@', or more non-ASCII to map than
	                                AUTHOR_IDN_BUDGET */
	bool mapped;                 /* some domain needed IDNA/UTS #46 mapping to read
	                                (U-label, odd dots, ignorables, non-ASCII case);
	                                ASCII lower-casing alone does not count */
	bool fallback;               /* some domain had no valid reading as written (only
	                                a transitional one, not UTF-8, or too long):
	                                fallback readings used */
	bool overlong;               /* some reading is longer than DNS allows (label > 63,
	                                name > 253) or was cut to its last labels */
	bool unreadable;             /* some address domain gave no reading at all */
	const char *why;             /* short reason for logs when anything was odd, else NULL */
};

/*
 * values: the raw From field values as the MTA passes them (folds kept),
 * n of them (n may be 0, values may then be NULL). Memory from a. Never
 * fails; the work is bounded whatever the input (AUTHOR_SCAN_MAX,
 * AUTHOR_AT_MAX, AUTHOR_RAW_MAX, AUTHOR_IDN_BUDGET, AUTHOR_MAX_TOKENS):
 * linear in the bytes of the fields, plus a constant.
 *
 * A field that parses cleanly gives the domains of its addresses (not
 * text in its display names, quoted strings or comments). A field that
 * does not parse (AUTHOR_SYNTAX or AUTHOR_NO_DOMAIN) gives, besides what
 * the parser read before the error, the domain after every '@' in it
 * (up to white space or one of <>,;:()"[]\@). Each such domain gives the
 * readings of author_normalize(); one that is not UTF-8 also those of its
 * windows-1252 decoding, the charset clients show such header text in.
 */
void author_collect(struct arena *a, const char *const *values, size_t n, struct author_set *out);

/*
 * One domain as written (any bytes, len of them) -> its normalized
 * readings; returns how many (0..2) were written to out[] (memory from a).
 *  1. As written: label by label, ASCII labels ([A-Za-z0-9_-]) lower-cased,
 *     others mapped by libidn2 (UTS #46 non-transitional, then
 *     transitional if that fails). When this succeeds non-transitionally,
 *     it is the only reading; when only transitionally, reading 2a is
 *     added (a transitional mapping can turn a visible domain into
 *     another: fa\u00df.de is not fass.de).
 *  2. Otherwise: (a) as displayed: invisible code points (controls,
 *     format and default-ignorable characters, white space, invalid UTF-8
 *     bytes) removed, the dot variants mapped, then read as in 1; (b) the
 *     nearest existing ancestor: the longest suffix of whole labels that
 *     each read alone (trailing empty labels skipped). Both when they
 *     exist and differ, in that order.
 */
size_t author_normalize(struct arena *a, const char *dom, size_t len, const char *out[2]);

#endif
