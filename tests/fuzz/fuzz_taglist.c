/*
 * libFuzzer target for taglist.  Whatever the bytes, the parse must end
 * without a crash; when it succeeds, every tag must satisfy the grammar it
 * was read with (RFC 6376 section 3.2): names ALPHA *ALNUMPUNC and unique,
 * values trimmed of FWS and free of ';' and control bytes other than a
 * fold, everything inside the input. Re-joining the tags as "n=v;" must
 * parse back to the same tags.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "taglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_inside(const char *base, size_t size, const char *p, size_t n)
{
	return p >= base && n <= size && (size_t)(p - base) <= size - n;
}

static void
fz_check(const char *in, size_t size, const struct taglist *tl)
{
	size_t i, j, k;

	for (i = 0; i < tl->n; i++) {
		const struct taglist_tag *t = &tl->tag[i];

		if (!fz_inside(in, size, t->name, t->name_len) ||
		    !fz_inside(in, size, t->value, t->value_len) || t->name_len == 0)
			abort();
		for (k = 0; k < t->name_len; k++) {
			char c = t->name[k];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (k > 0 && ((c >= '0' && c <= '9') || c == '_'))))
				abort();
		}
		for (k = 0; k < t->value_len; k++) {
			unsigned char c = (unsigned char)t->value[k];
			if (c == ';' || c > 0x7e || (c < 0x21 && c != ' ' && c != '\t' &&
			    c != '\r' && c != '\n'))
				abort();
		}
		if (t->value_len > 0 && (t->value[0] <= ' ' || t->value[t->value_len - 1] <= ' '))
			abort();
		for (j = 0; j < i; j++)
			if (tl->tag[j].name_len == t->name_len &&
			    memcmp(tl->tag[j].name, t->name, t->name_len) == 0)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct taglist tl, tl2;
	const char *in = (const char *)data, *why = NULL;
	char *re;
	size_t i, off = 0, cap;

	if (taglist_parse(&tl, in, size, &why) != 0) {
		if (why == NULL || tl.err_off > size)
			abort();
		return 0;
	}
	fz_check(in, size, &tl);
	cap = size + tl.n * 2 + 1;
	re = malloc(cap);
	if (re == NULL)
		return 0;
	for (i = 0; i < tl.n; i++) {
		memcpy(re + off, tl.tag[i].name, tl.tag[i].name_len);
		off += tl.tag[i].name_len;
		re[off++] = '=';
		memcpy(re + off, tl.tag[i].value, tl.tag[i].value_len);
		off += tl.tag[i].value_len;
		re[off++] = ';';
	}
	if (taglist_parse(&tl2, re, off, &why) != 0 || tl2.n != tl.n)
		abort();
	for (i = 0; i < tl.n; i++)
		if (tl2.tag[i].name_len != tl.tag[i].name_len ||
		    tl2.tag[i].value_len != tl.tag[i].value_len ||
		    memcmp(tl2.tag[i].name, tl.tag[i].name, tl.tag[i].name_len) != 0 ||
		    memcmp(tl2.tag[i].value, tl.tag[i].value, tl.tag[i].value_len) != 0)
			abort();
	free(re);
	return 0;
}
