/*
 * Shared by author.c (the From fields), author_scan.c (every address
 * domain in them) and author_idna.c (the readings of one domain).
 */
#ifndef COMPAUTHD_AUTHOR_INT_H
#define COMPAUTHD_AUTHOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "author.h"

/* What normalizing cost and found, over one or several domains. */
struct author_work {
	size_t idn_budget;              /* bytes libidn2 may still be given */
	bool spent;                     /* the budget ran out: readings incomplete */
	bool mapped, fallback, overlong;
	const char *why;                /* the last oddity found */
};
size_t author_readings(struct arena *a, struct author_work *w, const char *dom, size_t len,
    const char *out[2]);

#define AUTHOR_RAW_SLOTS (2 * AUTHOR_SCAN_MAX) /* a power of two, half full at most */
#define AUTHOR_REASONS_MAX 4

/* One author_collect() call. */
struct author_collect {
	struct arena *a;
	struct author_set *out;
	struct author_work w;
	struct {
		const char *p;
		size_t n;
		uint64_t h;
	} raw[AUTHOR_RAW_SLOTS];               /* address domains read so far, as written */
	size_t nraw, nat;
	const char *reasons[AUTHOR_REASONS_MAX];
	size_t nreasons;
};

void author_note(struct author_collect *c, const char *why);
/* One address domain as written. */
void author_candidate(struct author_collect *c, const char *p, size_t n);
/* Every '@' of a field the parser cannot read. */
void author_scan_field(struct author_collect *c, const char *v);

/* s decoded as windows-1252 (UTF-8, *outn bytes), or NULL when s is UTF-8. */
char *author_legacy_text(struct arena *a, const char *s, size_t n, size_t *outn);

#endif
