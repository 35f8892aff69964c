/*
 * RFC 6376 section 3.2 tag=value lists: DKIM-Signature values, DKIM key
 * records and (same grammar) ARC-Seal / ARC-Message-Signature values.
 * Strict and bounded, no allocation: the result points into the input.
 */
#ifndef COMPAUTHD_TAGLIST_H
#define COMPAUTHD_TAGLIST_H

#include <stddef.h>
#include "arena.h"

#define TAGLIST_MAX_TAGS 64             /* a signature has about 12 */
#define TAGLIST_MAX_LEN 65536           /* bytes of input we look at */

struct taglist_tag {
	const char *name;               /* into the input, not NUL-terminated */
	size_t name_len;
	const char *value;              /* trimmed; inner FWS kept as found */
	size_t value_len;
};

struct taglist {
	size_t n;
	struct taglist_tag tag[TAGLIST_MAX_TAGS];
	size_t err_off;                 /* on error: byte offset it was found at */
};

/*
 * Parses s[0..len). Returns 0, or -1 with *why a static reason (empty
 * list, empty tag-spec, bad tag name, missing '=', bad value character,
 * duplicate tag, too many tags, too long). FWS may fold with CRLF or a
 * bare LF (MTAs hand us either); a trailing ';' is allowed.
 */
int taglist_parse(struct taglist *tl, const char *s, size_t len, const char **why);

/* Tag names are case-sensitive (section 3.2). NULL when absent. */
const struct taglist_tag *taglist_get(const struct taglist *tl, const char *name);

/* The value as a NUL-terminated copy in a. */
char *taglist_value(struct arena *a, const struct taglist_tag *t);

/* The value with every space, tab, CR and LF removed (b=, bh=, p=). */
char *taglist_value_nows(struct arena *a, const struct taglist_tag *t);

/* 1 when the value is exactly str (case-sensitive), else 0. */
int taglist_value_is(const struct taglist_tag *t, const char *str);

/*
 * Walks a colon-separated name list such as h= (RFC 6376 section 3.5,
 * FWS around the colons, empty entries skipped): the next name from *p
 * with its length in *len, *p moved past it; NULL at the end.
 */
const char *taglist_next_name(const char **p, size_t *len);

/* 1 when the colon list names name, compared without case, else 0. */
int taglist_list_has(const char *list, const char *name);

#endif
