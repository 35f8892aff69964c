/*
 * libFuzzer target for the ARC set parser and chain logic. The input is
 * a message: "Name:value" header lines (a line starting with WSP folds
 * into the previous one), an empty line, a body. Every ARC header goes
 * through arc_parse_header, which must give an instance 1..50 and no
 * reason, or -1 and a reason; then the whole message goes through the
 * engine without DNS (RFC 8617 structure, cv= rules, canonicalization,
 * hashing), which must end in "none" or "fail": with no key a chain can
 * never pass. The engine shares a key table made here (as it shares the
 * DKIM verifier's), which must never hold more than the first seal and
 * signature of each instance ask for (2 * ARC_MAX_INSTANCES names). Then
 * the message is sealed (a fixed Ed25519 key, the first header's value as
 * our results): a set, when made, is for the instance after the highest
 * one read and never says cv=pass.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include <openssl/evp.h>

#include "arc.h"
#include "arena.h"
#include "dkimkey.h"

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

static EVP_PKEY *
fz_key(void)
{
	static EVP_PKEY *k;
	static const unsigned char seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

	if (k == NULL)
		k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
	return k;
}

static void
fz_seal(struct arc *c, const struct arc_results *res, const char *ar)
{
	static const char *const names[] = { "from", "to", "subject", "date", "x-fuzz" };
	struct arc_signer s = { "seal.example", "fz", NULL, names, 5 };
	struct arc_sealed out;
	const char *why = NULL;
	char want[32];

	s.key = fz_key();
	if (s.key == NULL)
		abort();
	if (arc_seal(c, res, &s, ar, 1700000000, &out, &why) != 0) {
		if (why == NULL || out.as != NULL)
			abort();
		return;
	}
	snprintf(want, sizeof(want), "; i=%u; s=fz;", res->max_inst + 1);
	if (res->max_inst >= ARC_MAX_INSTANCES || out.aar == NULL || out.ams == NULL ||
	    out.as == NULL || strstr(out.as, want) == NULL || strstr(out.as, "cv=pass") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	struct arc *c;
	struct arc_results res;
	struct arc_opts o;
	struct dkimkeys *ks;
	char *buf, *p, *end, *line, *name = NULL, *value = NULL, *colon;
	const char *first = NULL;
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
	arc_opts_init(&o);
	o.seal = 1;
	ks = dkimkeys_new(a, NULL, 0);
	o.keys = ks;
	c = arc_new(a, NULL, &o, "fuzz");
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
		if (name != NULL && first == NULL)
			first = value;
		name = NULL;
		if ((colon = memchr(line, ':', n)) == NULL)
			continue;
		name = arena_strndup(a, line, (size_t)(colon - line));
		value = arena_strndup(a, colon + 1, n - (size_t)(colon - line) - 1);
		vlen = strlen(value);
	}
	if (name != NULL)
		fz_header(a, c, name, value);
	if (dkimkeys_count(ks) > 2 * ARC_MAX_INSTANCES)
		abort();
	arc_eoh(c);
	if (p < end)
		arc_body(c, (const unsigned char *)p, (size_t)(end - p));
	arc_eom(c, &res);
	if (strcmp(res.result, "none") != 0 && strcmp(res.result, "fail") != 0)
		abort();
	fz_seal(c, &res, first != NULL ? first : " fuzz.example; none");
	arc_free(&c);
	dkimkeys_release(ks);
	arena_free(&a);
	free(buf);
	return 0;
}
