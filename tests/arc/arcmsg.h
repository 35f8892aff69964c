/*
 * Test messages for the ARC drivers: a CRLF file read whole and split
 * into header fields as an MTA hands them over (name, value after the
 * colon with folds kept) and the body.
 */
#ifndef COMPAUTHD_TESTS_ARCMSG_H
#define COMPAUTHD_TESTS_ARCMSG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hdr {
	char *name;
	char *value;
};

struct message {
	struct hdr h[512];
	size_t nh;
	const char *body;
	size_t bodylen;
	char *buf;
};

static char * __attribute__((unused))
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (lenp)
		*lenp = n;
	return buf;
}

/* Splits a CRLF message into "name" / "value after the colon" pairs. */
static int __attribute__((unused))
message_read(struct message *m, const char *path)
{
	size_t len, i = 0;
	char *p;

	memset(m, 0, sizeof(*m));
	if ((m->buf = slurp(path, &len)) == NULL)
		return -1;
	p = m->buf;
	while (i < len) {
		size_t start = i, colon;
		char *v;

		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i += 2;
			break;                  /* the empty line */
		}
		/* one field: lines up to a CRLF not followed by WSP */
		while (i < len && !(p[i] == '\r' && i + 1 < len && p[i + 1] == '\n' &&
		    (i + 2 >= len || (p[i + 2] != ' ' && p[i + 2] != '\t'))))
			i++;
		p[i] = '\0';
		for (colon = start; colon < i && p[colon] != ':'; colon++)
			;
		if (colon < i && m->nh < sizeof(m->h) / sizeof(m->h[0])) {
			p[colon] = '\0';
			v = p + colon + 1;
			m->h[m->nh].name = p + start;
			m->h[m->nh].value = v;
			m->nh++;
		}
		i += 2;
	}
	m->body = i < len ? p + i : "";
	m->bodylen = i < len ? len - i : 0;
	return 0;
}

#endif
