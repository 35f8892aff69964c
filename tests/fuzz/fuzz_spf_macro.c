/*
 * libFuzzer target for the SPF macro expander. Input: one byte choosing
 * the context, the macro-string, then after a NUL byte a value used as
 * the local-part and HELO (so splitting and URL escaping see any bytes).
 * Expansion succeeds exactly when the syntax check passes, stays within
 * SPF_MACRO_MAX, and a domain expansion either fits 253 characters or is
 * one label too long to be queryable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_vars v = {
		.s = "user@example.com", .o = "example.com", .d = "sub.example.com",
		.i = "192.0.2.3", .p = "mx.example.org", .v = "in-addr",
		.c = "192.0.2.3", .r = "mx.example.net", .t = "1700000000",
	};
	struct arena *a;
	enum spf_macro_ctx ctx;
	const char *why = NULL;
	const uint8_t *body = data + 1, *z;
	size_t blen = size - 1;
	char *str, *out;
	const char *val;
	bool syn;

	if (size < 1)
		return 0;
	ctx = (enum spf_macro_ctx)(data[0] % 3);
	a = arena_new();
	str = arena_strndup(a, (const char *)body, blen);
	z = memchr(body, 0, blen);
	val = z ? arena_strndup(a, (const char *)z + 1, blen - (size_t)(z + 1 - body)) : "local-part";
	v.l = val;
	v.h = val;
	syn = spf_macro_check(str, strlen(str), ctx, &why);
	out = spf_macro_expand(a, str, ctx, &v, &why);
	if ((out != NULL) != syn || (out != NULL && strlen(out) > SPF_MACRO_MAX))
		abort();
	if (spf_macro_check_domain_spec(str, strlen(str), NULL)) {
		if (!spf_macro_check(str, strlen(str), SPF_MACRO_DOMAIN, NULL))
			abort();
		out = spf_macro_expand_domain(a, str, &v, &why);
		if (out == NULL)
			abort();
		if (strlen(out) > SPF_NAME_MAX && (strchr(out, '.') != NULL || spf_name_queryable(out)))
			abort();
	}
	if (spf_macro_uses_p(str) && syn) {
		v.p = NULL;
		if (spf_macro_expand(a, str, ctx, &v, NULL) != NULL)
			abort();
	}
	arena_free(&a);
	return 0;
}
