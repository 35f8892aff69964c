/*
 * The growing buffer compauthd-report writes XML and mail into, and the
 * one place values become XML character data (RFC 9990 reports carry
 * sender-controlled domains, selectors and envelope senders).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"

void
rbuf_add(struct strbuf *b, const void *p, size_t n)
{
	if (strbuf_add(b, p, n) < 0)
		abort();
}

void
rbuf_puts(struct strbuf *b, const char *s)
{
	rbuf_add(b, s, strlen(s));
}

void
rbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strbuf_vprintf(b, fmt, ap);
	va_end(ap);
	/* A format vsnprintf cannot write adds nothing, as it always has. */
	if (rc < 0 && errno == ENOMEM)
		abort();
}

/* Length of the valid UTF-8 sequence at p (1..4) with its code point, or 0. */
static size_t
utf8_seq(const unsigned char *p, unsigned long *cp)
{
	unsigned long c;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;       /* overlong or beyond Unicode */
	*cp = c;
	return n;
}

size_t
rbuf_xml(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t replaced = 0;

	while (*p) {
		unsigned long c;
		size_t n = utf8_seq(p, &c);
		bool bad = n == 0 || (c < 0x20 && c != 0x9 && c != 0xa && c != 0xd) ||
		    (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff;

		if (bad) {
			rbuf_puts(b, "\xef\xbf\xbd");
			replaced++;
			p += n ? n : 1;
			continue;
		}
		switch (c) {
		case '&': rbuf_puts(b, "&amp;"); break;
		case '<': rbuf_puts(b, "&lt;"); break;
		case '>': rbuf_puts(b, "&gt;"); break;
		case '"': rbuf_puts(b, "&quot;"); break;
		case '\'': rbuf_puts(b, "&apos;"); break;
		case '\r': rbuf_puts(b, "&#13;"); break;
		case '\n': rbuf_puts(b, "&#10;"); break;
		case '\t': rbuf_puts(b, "&#9;"); break;
		default: rbuf_add(b, p, n);
		}
		p += n;
	}
	return replaced;
}
