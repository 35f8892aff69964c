/*
 * libFuzzer target for the SPF macro expander. Input: one byte choosing
 * the context, the macro-string, then after a NUL byte a value used as
 * the local-part and HELO (so splitting and URL escaping see any bytes).
 * Expansion succeeds exactly when the syntax check passes and the string
 * holds at most SPF_MACRO_TERM_MAX macros, stays within SPF_MACRO_MAX, and
 * a domain expansion either fits 253 characters or is one label too long
 * to be queryable. With a work account of any size it gives the same text
 * or fails with the limit, never spending more than the account.
 *
 * A first byte with its high bit set checks one transformer against a
 * plain reference of RFC 7208 §7.3 instead: the next byte gives the digit
 * count, the one after reverse, URL escaping and the delimiter set, and
 * the rest is the value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* §7.3 the obvious way: split into a table, reverse, keep, join, escape. */
static size_t
reference(const char *val, unsigned digits, bool rev, bool upper, const char *delims,
    char *out, size_t outlen)
{
	size_t vlen = strlen(val), n = 0, i, k, first, o = 0;
	const char **part = malloc((vlen + 1) * sizeof(*part));
	size_t *plen = malloc((vlen + 1) * sizeof(*plen));
	const char *p = val;

	for (;;) {
		size_t l = strcspn(p, delims);

		part[n] = p;
		plen[n++] = l;
		if (p[l] == '\0')
			break;
		p += l + 1;
	}
	if (rev)
		for (i = 0; i < n / 2; i++) {
			const char *tp = part[i];
			size_t tl = plen[i];

			part[i] = part[n - 1 - i];
			plen[i] = plen[n - 1 - i];
			part[n - 1 - i] = tp;
			plen[n - 1 - i] = tl;
		}
	first = digits && digits < n ? n - digits : 0;
	for (k = first; k < n; k++) {
		if (k > first && o < outlen)
			out[o++] = '.';
		for (i = 0; i < plen[k]; i++) {
			unsigned char c = (unsigned char)part[k][i];

			char esc[4];
			size_t e;

			if (!upper || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
				snprintf(esc, sizeof(esc), "%c", c);
			else
				snprintf(esc, sizeof(esc), "%%%02X", c);
			for (e = 0; esc[e] != '\0' && o < outlen; e++)
				out[o++] = esc[e];
		}
	}
	free(part);
	free(plen);
	return o;
}

static void
transformer(const uint8_t *data, size_t size)
{
	static const char all[] = ".-+,/_=";
	struct spf_macro_vars v = { .l = NULL };
	char spec[32], delims[8], want[SPF_MACRO_MAX + 1], *val;
	unsigned digits, bits, i, nd = 0;
	bool rev, upper;
	struct arena *a;
	const char *got;
	size_t n;

	if (size < 3)
		return;
	digits = data[1] & 15;
	rev = data[2] & 1;
	upper = data[2] & 2;
	bits = (unsigned)(data[1] >> 4) | (unsigned)(data[2] >> 2) << 4;
	for (i = 0; i < 7; i++)
		if (bits >> i & 1)
			delims[nd++] = all[i];
	delims[nd] = '\0';
	val = malloc(size - 3 + 1);
	memcpy(val, data + 3, size - 3);
	val[size - 3] = '\0';
	v.l = val;
	if (digits)
		snprintf(spec, sizeof(spec), "%%{%c%u%s%s}", upper ? 'L' : 'l', digits,
		    rev ? "r" : "", delims);
	else
		snprintf(spec, sizeof(spec), "%%{%c%s%s}", upper ? 'L' : 'l', rev ? "r" : "", delims);
	a = arena_new();
	got = spf_macro_expand(a, spec, SPF_MACRO_EXP, &v, NULL, NULL);
	n = reference(val, digits, rev, upper, nd ? delims : ".", want, SPF_MACRO_MAX);
	want[n] = '\0';
	if (got == NULL || strcmp(got, want) != 0)
		abort();
	arena_free(&a);
	free(val);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_vars v = {
		.s = "user@example.com", .o = "example.com", .d = "sub.example.com",
		.i = "192.0.2.3", .p = "mx.example.org", .v = "in-addr",
		.c = "192.0.2.3", .r = "mx.example.net", .t = "1700000000",
	};
	struct spf_macro_work w;
	struct arena *a;
	enum spf_macro_ctx ctx;
	const char *why = NULL;
	const uint8_t *body = data + 1, *z;
	size_t blen = size - 1;
	char *str, *out, *out2;
	const char *val;
	bool syn;

	if (size < 1)
		return 0;
	if (data[0] & 0x80) {
		transformer(data, size);
		return 0;
	}
	ctx = (enum spf_macro_ctx)(data[0] % 3);
	a = arena_new();
	str = arena_strndup(a, (const char *)body, blen);
	z = memchr(body, 0, blen);
	val = z ? arena_strndup(a, (const char *)z + 1, blen - (size_t)(z + 1 - body)) : "local-part";
	v.l = val;
	v.h = val;
	syn = spf_macro_check(str, strlen(str), ctx, &why);
	out = spf_macro_expand(a, str, ctx, &v, NULL, &why);
	if ((out != NULL && !syn) || (out != NULL && strlen(out) > SPF_MACRO_MAX))
		abort();
	if (out == NULL && syn && strcmp(why, SPF_MACRO_TERM_REASON) != 0)
		abort();
	/* Any account: the same text, or the limit and the account spent. */
	w = (struct spf_macro_work){ 0, (size_t)(data[0] & 0x7f) * 37, false };
	out2 = spf_macro_expand(a, str, ctx, &v, &w, &why);
	if (w.used > w.max || (out2 != NULL && (out == NULL || strcmp(out, out2) != 0)) ||
	    (out2 == NULL && out != NULL && (!w.limit || w.used != w.max)))
		abort();
	if (spf_macro_check_domain_spec(str, strlen(str), NULL)) {
		if (!spf_macro_check(str, strlen(str), SPF_MACRO_DOMAIN, NULL))
			abort();
		out = spf_macro_expand_domain(a, str, &v, NULL, &why);
		if (out == NULL && strcmp(why, SPF_MACRO_TERM_REASON) != 0)
			abort();
		if (out != NULL && strlen(out) > SPF_NAME_MAX &&
		    (strchr(out, '.') != NULL || spf_name_queryable(out)))
			abort();
	}
	if (spf_macro_uses_p(str) && syn) {
		v.p = NULL;
		if (spf_macro_expand(a, str, ctx, &v, NULL, NULL) != NULL)
			abort();
	}
	arena_free(&a);
	return 0;
}
