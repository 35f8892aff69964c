/*
 * Arena allocator: a message's memory comes from here and goes away in one
 * arena_free() at end of message, abort or disconnect, so no path can leak
 * a piece of it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK 8192
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_block *head;
	size_t total;
};

static void *
arena_xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		/* Out of memory in a mail filter: the MTA's milter_default_action applies. */
		fputs("compauthd: out of memory\n", stderr);
		abort();
	}
	return p;
}

struct arena *
arena_new(void)
{
	struct arena *a = arena_xmalloc(sizeof(*a));

	a->head = NULL;
	a->total = 0;
	return a;
}

void
arena_free(struct arena **ap)
{
	struct arena_block *b, *next;

	if (ap == NULL || *ap == NULL)
		return;
	for (b = (*ap)->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(*ap);
	*ap = NULL;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t off, want;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2) {
		fputs("compauthd: arena request too large\n", stderr);
		abort();
	}
	off = b ? (b->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : 0;
	if (b == NULL || off + n > b->size) {
		want = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		b = arena_xmalloc(sizeof(*b) + want);
		b->size = want;
		b->used = 0;
		if (n > ARENA_CHUNK / 4 && a->head != NULL) {
			/* A big piece gets its own block behind the current one,
			 * so the current block's free tail stays usable. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		off = 0;
	}
	p = b->data + off;
	b->used = off + n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n + 1);

	if (n > 0)
		memcpy(q, p, n);
	return q;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	return arena_memdup(a, s, n);
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *s;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	s = arena_alloc(a, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return s;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
