/*
 * The work behind author_collect() (author.c): every address domain of
 * the From fields read once, whatever its spelling repeats, and the
 * reasons a log line gives. A field the strict parser cannot read is
 * scanned for every '@', since each mail client repairs broken syntax its
 * own way and may show any of them as the author. Bounded by AUTHOR_AT_MAX
 * '@', AUTHOR_SCAN_MAX distinct spellings (a repeated one costs a hash)
 * and the libidn2 budget; what is not read sets overflow.
 */
#include <stdint.h>
#include <string.h>

#include "author_int.h"

void
author_note(struct author_collect *c, const char *why)
{
	size_t i;

	if (why == NULL)
		return;
	for (i = 0; i < c->nreasons; i++)
		if (strcmp(c->reasons[i], why) == 0)
			return;
	if (c->nreasons < AUTHOR_REASONS_MAX)
		c->reasons[c->nreasons++] = why;
}

static void
stop(struct author_collect *c, const char *why)
{
	c->out->overflow = true;
	author_note(c, why);
}

static void
add_domain(struct author_collect *c, const char *d)
{
	struct author_set *out = c->out;
	size_t i;

	for (i = 0; i < out->ndomains; i++)
		if (strcmp(out->domains[i], d) == 0)
			return;
	if (out->ndomains == AUTHOR_EVAL_MAX) {
		stop(c, "too many author domains");
		return;
	}
	out->domains[out->ndomains++] = d;
}

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* One address domain as written; a spelling seen before costs nothing more. */
void
author_candidate(struct author_collect *c, const char *p, size_t n)
{
	const char *rd[2], *legacy;
	uint64_t h;
	size_t slot, k, nr, nl;

	if (c->out->overflow || n == 0)
		return;
	if (n > AUTHOR_RAW_MAX + 3) {
		/* its readings depend on its last labels only (author_readings) */
		p += n - (AUTHOR_RAW_MAX + 3);
		n = AUTHOR_RAW_MAX + 3;
	}
	h = fnv1a(p, n);
	for (slot = h & (AUTHOR_RAW_SLOTS - 1); c->raw[slot].p != NULL; slot = (slot + 1) & (AUTHOR_RAW_SLOTS - 1))
		if (c->raw[slot].h == h && c->raw[slot].n == n && memcmp(c->raw[slot].p, p, n) == 0)
			return;
	if (c->nraw == AUTHOR_SCAN_MAX) {
		stop(c, "too many address domains");
		return;
	}
	c->raw[slot].p = p;
	c->raw[slot].n = n;
	c->raw[slot].h = h;
	c->nraw++;
	c->w.why = NULL;
	nr = author_readings(c->a, &c->w, p, n, rd);
	if (c->w.spent) {
		stop(c, "too many non-ASCII author domains to map");
		return;
	}
	author_note(c, c->w.why);
	if (nr == 0)
		c->out->unreadable = true;
	for (k = 0; k < nr; k++)
		add_domain(c, rd[k]);
	/* Not UTF-8: also as a client showing it in windows-1252 reads it. */
	if ((legacy = author_legacy_text(c->a, p, n, &nl)) != NULL) {
		c->w.fallback = true;
		author_note(c, "author domain not UTF-8: also read as windows-1252");
		nr = author_readings(c->a, &c->w, legacy, nl, rd);
		if (c->w.spent) {
			stop(c, "too many non-ASCII author domains to map");
			return;
		}
		for (k = 0; k < nr; k++)
			add_domain(c, rd[k]);
	}
}

/* Where the domain after an '@' ends, for a field the parser cannot read. */
static bool
scan_stop(unsigned char ch)
{
	switch (ch) {
	case '\0': case ' ': case '\t': case '\r': case '\n': case '\v': case '\f':
	case '<': case '>': case ',': case ';': case ':': case '(': case ')':
	case '"': case '[': case ']': case '\\': case '@':
		return true;
	}
	return false;
}

void
author_scan_field(struct author_collect *c, const char *v)
{
	const char *p = v, *q;

	while ((p = strchr(p, '@')) != NULL && !c->out->overflow) {
		if (++c->nat > AUTHOR_AT_MAX) {
			stop(c, "too many '@'");
			return;
		}
		for (q = ++p; !scan_stop((unsigned char)*q); q++)
			;
		author_candidate(c, p, (size_t)(q - p));
		p = q;
	}
}
