/*
 * Growable heap arrays and text: one doubling rule with its overflow
 * checks. A failure leaves the caller's memory as it was and still its
 * own, so each caller keeps its own answer to out of memory (a flag, a
 * dropped piece, abort).
 */
#ifndef COMPAUTHD_GROW_H
#define COMPAUTHD_GROW_H

#include <stdarg.h>
#include <stddef.h>

/*
 * p, an array of *cap elements of size bytes (NULL and 0 when empty), with
 * room for need elements: p itself when it has it, else p reallocated to
 * *cap doubled (16 from empty) until need fits, and *cap updated. NULL,
 * errno ENOMEM, when need * size does not fit a size_t or realloc fails:
 * then p and *cap are unchanged and p is not freed. need and size are > 0.
 */
void *grow_array(void *p, size_t *cap, size_t need, size_t size);

/* NUL-terminated text; { 0 } is empty, p NULL until the first byte. */
struct strbuf {
	char *p;
	size_t len, cap;
};

/*
 * Each appends, and returns 0, or -1 with nothing appended (errno ENOMEM:
 * out of memory; otherwise vsnprintf's error for a format).
 */
int strbuf_add(struct strbuf *b, const void *s, size_t n);
int strbuf_puts(struct strbuf *b, const char *s);
int strbuf_printf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Frees the text; b is empty again. */
void strbuf_free(struct strbuf *b);

#endif
