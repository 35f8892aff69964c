/*
 * arc_headers: choosing the headers an h= list names (RFC 6376 section
 * 5.4.2: each name takes the last instance of that field not yet taken)
 * in time linear in the names plus the headers. The sender chooses both
 * the h= list and the headers, so a scan of every header for every name
 * (32 000 names over 1000 headers is 32 million comparisons, ~0.1 s of
 * CPU per message) is a cost the sender sets; an index by field name,
 * built once per message, makes each name one hash probe. The headers'
 * canonical text is kept too, made once per canonicalization however
 * many signatures name a header.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "arc.h"
#include "arc_int.h"
#include "arena.h"
#include "canon.h"
#include "taglist.h"

/* Headers of one field name (without case), newest first in order[]. */
struct arc_hgroup {
	const char *name;
	size_t len;
	uint32_t hash;
	size_t start, count;
};

struct arc_hindex {
	size_t nh;                      /* headers indexed */
	size_t mask;                    /* slots - 1 */
	int32_t *slot;                  /* group number + 1; 0 empty */
	struct arc_hgroup *g;
	size_t ng;
	size_t *order;                  /* header numbers, grouped */
};

static unsigned char
arc_hx_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

static uint32_t
arc_hx_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;       /* FNV-1a over the lower-case name */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ arc_hx_lower((unsigned char)s[i])) * 16777619u;
	return h;
}

/* The slot of name s[0..n): its group's, or the empty one it would take. */
static size_t
arc_hx_probe(const struct arc_hindex *x, const char *s, size_t n, uint32_t h)
{
	size_t i = h & x->mask;

	for (;;) {
		int32_t v = x->slot[i];
		const struct arc_hgroup *g;

		if (v == 0)
			return i;
		g = &x->g[v - 1];
		if (g->hash == h && g->len == n && strncasecmp(g->name, s, n) == 0)
			return i;
		i = (i + 1) & x->mask;
	}
}

static struct arc_hindex *
arc_hx_build(struct arc *c)
{
	struct arc_hindex *x = arena_alloc(c->a, sizeof(*x));
	size_t *gid = arena_alloc(c->a, (c->nh + 1) * sizeof(*gid));
	size_t *fill, slots = 16, k;

	while (slots < 2 * c->nh)
		slots <<= 1;
	x->nh = c->nh;
	x->mask = slots - 1;
	x->slot = arena_alloc(c->a, slots * sizeof(*x->slot));
	x->g = arena_alloc(c->a, (c->nh + 1) * sizeof(*x->g));
	x->order = arena_alloc(c->a, (c->nh + 1) * sizeof(*x->order));
	for (k = 0; k < c->nh; k++) {
		const char *name = c->hdr[k].name;
		size_t n = strlen(name), i;
		uint32_t h = arc_hx_hash(name, n);

		i = arc_hx_probe(x, name, n, h);
		if (x->slot[i] == 0) {
			x->g[x->ng].name = name;
			x->g[x->ng].len = n;
			x->g[x->ng].hash = h;
			x->slot[i] = (int32_t)++x->ng;
		}
		gid[k] = (size_t)x->slot[i] - 1;
		x->g[gid[k]].count++;
	}
	for (k = 1; k < x->ng; k++)
		x->g[k].start = x->g[k - 1].start + x->g[k - 1].count;
	fill = arena_alloc(c->a, (x->ng + 1) * sizeof(*fill));
	for (k = c->nh; k-- > 0;)
		x->order[x->g[gid[k]].start + fill[gid[k]]++] = k;
	return x;
}

void
arc_add_stored(struct arc *c, struct arc_buf *b, enum canon_alg ca, size_t k)
{
	/* Several signatures may name one big header: canonicalized once. */
	if (c->canon[ca] == NULL) {
		c->canon[ca] = arena_alloc(c->a, (c->nh + 1) * sizeof(*c->canon[ca]));
		c->canonlen[ca] = arena_alloc(c->a, (c->nh + 1) * sizeof(*c->canonlen[ca]));
	}
	if (c->canon[ca][k] == NULL)
		c->canon[ca][k] = canon_header(c->a, ca, c->hdr[k].name, c->hdr[k].value, 0,
		    &c->canonlen[ca][k]);
	arc_buf_add(c, b, c->canon[ca][k], c->canonlen[ca][k]);
}

void
arc_signed_headers(struct arc *c, struct arc_buf *b, const char *hlist, enum canon_alg ca,
    size_t skip)
{
	const char *p = hlist, *w;
	size_t *next, n, k;

	if (c->hx == NULL || c->hx->nh != c->nh)
		c->hx = arc_hx_build(c);
	/* next[g]: how many of group g's headers this list has passed already. */
	next = arena_alloc(c->a, (c->hx->ng + 1) * sizeof(*next));
	while ((w = taglist_next_name(&p, &n)) != NULL) {
		int32_t v = c->hx->slot[arc_hx_probe(c->hx, w, n, arc_hx_hash(w, n))];
		const struct arc_hgroup *g;
		size_t *at;

		if (v == 0)
			continue;               /* no such field: its absence is signed */
		g = &c->hx->g[v - 1];
		at = &next[v - 1];
		if (*at < g->count && c->hx->order[g->start + *at] == skip)
			(*at)++;
		if (*at == g->count)
			continue;               /* every instance taken: signs an absent one */
		k = c->hx->order[g->start + (*at)++];
		arc_add_stored(c, b, ca, k);
	}
}
