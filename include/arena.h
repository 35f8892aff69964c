/* Per-message memory: one arena per message (or connection), freed at once. */
#ifndef COMPAUTHD_ARENA_H
#define COMPAUTHD_ARENA_H

#include <stddef.h>
#include <stdarg.h>

struct arena;

struct arena *arena_new(void);
/* Frees every block and clears *ap, so a later use is a NULL dereference. */
void arena_free(struct arena **ap);
/* Zeroed, 16-byte aligned; aborts the process on out-of-memory. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Bytes handed out so far (for bounds and tests). */
size_t arena_used(const struct arena *a);

#endif
