/*
 * Growable arrays and text (grow.h): the one place that doubles a heap
 * block and checks that its size still fits a size_t.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define GROW_FIRST	16
/* Text starts larger: a line or a page outgrows 16 bytes at once. */
#define STRBUF_FIRST	256

void *
grow_array(void *p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap : GROW_FIRST;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	/*
	 * No object may be larger than PTRDIFF_MAX (pointer differences in it
	 * would overflow): such a size is refused here, not handed to realloc,
	 * which the sanitizers treat as a fatal request.
	 */
	if (ncap > (size_t)PTRDIFF_MAX / size || (np = realloc(p, ncap * size)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	*cap = ncap;
	return np;
}

/* Room for n more bytes and the NUL after them. */
static int
strbuf_room(struct strbuf *b, size_t n)
{
	size_t need;
	char *np;

	if (n > SIZE_MAX - 1 - b->len) {
		errno = ENOMEM;
		return -1;
	}
	need = b->len + n + 1;
	np = grow_array(b->p, &b->cap, need < STRBUF_FIRST ? STRBUF_FIRST : need, 1);
	if (np == NULL)
		return -1;
	b->p = np;
	return 0;
}

int
strbuf_add(struct strbuf *b, const void *s, size_t n)
{
	if (strbuf_room(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
strbuf_puts(struct strbuf *b, const char *s)
{
	return strbuf_add(b, s, strlen(s));
}

int
strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap - b->len;
	va_list aq;
	int n;

	/* Most text fits the room left: written in one pass, not measured first. */
	va_copy(aq, ap);
	n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, aq);
	va_end(aq);
	if (n >= 0 && (size_t)n < room) {
		b->len += (size_t)n;
		return 0;
	}
	/* A cut or failed pass wrote over the NUL: b must stay as it was. */
	if (room)
		b->p[b->len] = '\0';
	if (n < 0 || strbuf_room(b, (size_t)n) < 0)
		return -1;
	if (vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap) != n) {
		b->p[b->len] = '\0';
		errno = EINVAL;
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

int
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
strbuf_free(struct strbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
