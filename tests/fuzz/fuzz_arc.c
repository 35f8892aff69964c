/*
 * libFuzzer target for the ARC set parser and chain logic. The input is
 * a message: "Name:value" header lines (a line starting with WSP folds
 * into the previous one), an empty line, a body. Every ARC header goes
 * through arc_parse_header, which must give an instance 1..50 and no
 * reason, or -1 and a reason; then the whole message goes through the
 * engine without DNS (RFC 8617 structure, cv= rules, canonicalization,
 * hashing), which must end in "none" or "fail": with no key a chain can
 * never pass.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc.h"
#include "arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_header(struct arena *a, struct arc *c, const char *name, const char *value)
{
	static const char *const kinds[] = {
		"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"
	};
	const char *why = NULL;
	int k, inst;

	for (k = 0; k < 3; k++)
		if (strcasecmp(name, kinds[k]) == 0) {
			inst = arc_parse_header(a, k, value, &why);
			if ((inst == -1) != (why != NULL) || inst == 0 || inst > ARC_MAX_INSTANCES ||
			    inst < -1)
				abort();
		}
	arc_header(c, name, value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	struct arc *c;
	struct arc_results res;
	char *buf, *p, *end, *line, *name = NULL, *value = NULL, *colon;
	size_t vlen = 0;

	if (size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	a = arena_new();
	c = arc_new(a, NULL, NULL, "fuzz");
	for (p = buf; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line = p;
		p = nl ? nl + 1 : end;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			break;                  /* end of headers */
		if ((line[0] == ' ' || line[0] == '\t') && name != NULL) {
			char *nv = arena_alloc(a, vlen + 2 + n + 1);

			memcpy(nv, value, vlen);
			memcpy(nv + vlen, "\r\n", 2);
			memcpy(nv + vlen + 2, line, n);
			vlen += 2 + n;
			value = nv;
			continue;
		}
		if (name != NULL)
			fz_header(a, c, name, value);
		name = NULL;
		if ((colon = memchr(line, ':', n)) == NULL)
			continue;
		name = arena_strndup(a, line, (size_t)(colon - line));
		value = arena_strndup(a, colon + 1, n - (size_t)(colon - line) - 1);
		vlen = strlen(value);
	}
	if (name != NULL)
		fz_header(a, c, name, value);
	arc_eoh(c);
	if (p < end)
		arc_body(c, (const unsigned char *)p, (size_t)(end - p));
	arc_eom(c, &res);
	if (strcmp(res.result, "none") != 0 && strcmp(res.result, "fail") != 0)
		abort();
	arc_free(&c);
	arena_free(&a);
	free(buf);
	return 0;
}
