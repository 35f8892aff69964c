/*
 * canon: RFC 6376 section 3.4 canonicalization. The section 3.4.5
 * example exactly, then edge cases of each rule, each body fed whole and
 * in 1-, 2- and 3-byte chunks (the MTA cuts bodies anywhere, even
 * between CR and LF): the digest must be that of the expected canonical
 * text, and the canonical length must match.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "arena.h"
#include "canon.h"
#include "tap.h"

struct htest {
	enum canon_alg c;
	const char *name, *value;
	int no_crlf;
	const char *want;
	const char *cite;
};

static const struct htest htests[] = {
	/* RFC 6376 section 3.4.5: "A: X" and "B : Y<TAB><CRLF><TAB>Z  " */
	{ CANON_SIMPLE, "A", " X", 0, "A: X\r\n", "RFC 6376 3.4.5 simple A" },
	{ CANON_SIMPLE, "B ", " Y\t\r\n\tZ  ", 0, "B : Y\t\r\n\tZ  \r\n", "RFC 6376 3.4.5 simple B" },
	{ CANON_RELAXED, "A", " X", 0, "a:X\r\n", "RFC 6376 3.4.5 relaxed A" },
	{ CANON_RELAXED, "B ", " Y\t\r\n\tZ  ", 0, "b:Y Z\r\n", "RFC 6376 3.4.5 relaxed B" },
	/* edge cases */
	{ CANON_SIMPLE, "X", " a\n b", 0, "X: a\r\n b\r\n", "3.4.1 bare LF fold taken as CRLF" },
	{ CANON_SIMPLE, "X", " a", 1, "X: a", "3.7 signature header: no final CRLF" },
	{ CANON_RELAXED, "SubJect", " \t Hello \r\n  World\t ", 0, "subject:Hello World\r\n",
	  "3.4.2 unfold, reduce WSP, trim both ends" },
	{ CANON_RELAXED, "X", "", 0, "x:\r\n", "3.4.2 empty value" },
	{ CANON_RELAXED, "X", " \t ", 0, "x:\r\n", "3.4.2 value of only WSP" },
	{ CANON_RELAXED, "X", " a\n\tb", 1, "x:a b", "3.4.2 bare LF fold, no CRLF" },
	{ CANON_RELAXED, "X\t", "a", 0, "x:a\r\n", "3.4.2 WSP before the colon" },
};

struct btest {
	enum canon_alg c;
	const char *in;
	long long limit;
	const char *want;               /* whole canonical body; the limit
	                                   applies to what is hashed */
	const char *cite;
};

static const struct btest btests[] = {
	{ CANON_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", -1, " C \r\nD \t E\r\n", "RFC 6376 3.4.5 simple body" },
	{ CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", -1, " C\r\nD E\r\n", "RFC 6376 3.4.5 relaxed body" },
	{ CANON_SIMPLE, "", -1, "\r\n", "3.4.3 empty body is CRLF" },
	{ CANON_RELAXED, "", -1, "", "3.4.4 (errata 1384) empty body is empty" },
	{ CANON_SIMPLE, "\r\n\r\n", -1, "\r\n", "3.4.3 only empty lines" },
	{ CANON_RELAXED, "\r\n\r\n", -1, "", "3.4.4 only empty lines" },
	{ CANON_RELAXED, " \t\r\n\t\r\n", -1, "", "3.4.4 lines of WSP are empty lines" },
	{ CANON_SIMPLE, " \t\r\n\t\r\n", -1, " \t\r\n\t\r\n", "3.4.3 WSP lines are not empty" },
	{ CANON_SIMPLE, "abc", -1, "abc\r\n", "3.4.3 CRLF added" },
	{ CANON_RELAXED, "abc", -1, "abc\r\n", "3.4.4 CRLF added" },
	{ CANON_RELAXED, "abc  ", -1, "abc\r\n", "3.4.4 trailing WSP without CRLF" },
	{ CANON_SIMPLE, "\r\n\r\nx\r\n", -1, "\r\n\r\nx\r\n", "3.4.3 leading empty lines kept" },
	{ CANON_RELAXED, "\r\n \r\nx\r\n\r\n", -1, "\r\n\r\nx\r\n", "3.4.4 inner empty lines kept" },
	{ CANON_RELAXED, "  x  y\t\r\n", -1, " x y\r\n", "3.4.4 leading WSP reduced, not removed" },
	{ CANON_SIMPLE, "a\nb\n\n", -1, "a\r\nb\r\n", "bare LF taken as CRLF" },
	{ CANON_SIMPLE, "a\rb\r\n", -1, "a\rb\r\n", "lone CR is content" },
	{ CANON_SIMPLE, "abc\r", -1, "abc\r\r\n", "CR at the very end is content" },
	{ CANON_RELAXED, "a \r b\r\n", -1, "a \r b\r\n", "lone CR is content between WSP" },
	{ CANON_SIMPLE, " C \r\nD \t E\r\n", 3, " C \r\nD \t E\r\n", "3.5 l=3 hashes \" C \"" },
	{ CANON_RELAXED, " C \r\nD \t E\r\n", 0, " C\r\nD E\r\n", "3.5 l=0 hashes nothing" },
	{ CANON_SIMPLE, "x\r\n", 100, "x\r\n", "3.5 l= beyond the body" },
};

struct ctest {
	const char *in;
	int rc;
	enum canon_alg h, b;
};

static const struct ctest ctests[] = {
	{ "relaxed/relaxed", 0, CANON_RELAXED, CANON_RELAXED },
	{ "relaxed/simple", 0, CANON_RELAXED, CANON_SIMPLE },
	{ "simple/relaxed", 0, CANON_SIMPLE, CANON_RELAXED },
	{ "simple", 0, CANON_SIMPLE, CANON_SIMPLE },
	{ "relaxed", 0, CANON_RELAXED, CANON_SIMPLE },
	{ "Relaxed/SIMPLE", 0, CANON_RELAXED, CANON_SIMPLE },
	{ "", -1, 0, 0 },
	{ "relaxed/", -1, 0, 0 },
	{ "/relaxed", -1, 0, 0 },
	{ "relaxed/relaxed/relaxed", -1, 0, 0 },
	{ "nofws", -1, 0, 0 },
	{ "relaxed /simple", -1, 0, 0 },
};

static void
sha256(const char *s, size_t n, unsigned char out[CANON_HASH_MAX])
{
	unsigned int len = 0;

	EVP_Digest(s, n, out, &len, EVP_sha256(), NULL);
}

int
main(void)
{
	static const size_t chunks[] = { 0, 1, 2, 3 };
	struct arena *a = arena_new();
	size_t i, k, off, n, len;

	for (i = 0; i < sizeof(htests) / sizeof(htests[0]); i++) {
		const struct htest *t = &htests[i];
		char *got = canon_header(a, t->c, t->name, t->value, t->no_crlf, &len);

		ok(len == strlen(t->want) && strcmp(got, t->want) == 0, "header %s", t->cite);
	}
	for (i = 0; i < sizeof(btests) / sizeof(btests[0]); i++) {
		const struct btest *t = &btests[i];
		unsigned char want[CANON_HASH_MAX], got[CANON_HASH_MAX];
		size_t inl = strlen(t->in), wl = strlen(t->want);

		sha256(t->want, t->limit >= 0 && (size_t)t->limit < wl ? (size_t)t->limit : wl, want);
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct canon_body *cb = canon_body_new(t->c, CANON_SHA256, t->limit);
			size_t step = chunks[k] ? chunks[k] : (inl ? inl : 1), dl;

			for (off = 0; off < inl; off += n) {
				n = inl - off < step ? inl - off : step;
				canon_body_update(cb, (const unsigned char *)t->in + off, n);
			}
			dl = canon_body_final(cb, got);
			ok(dl == 32 && memcmp(got, want, 32) == 0 &&
			    canon_body_length(cb) == (long long)wl,
			    "body %s (%s, chunks of %zu)", t->cite, t->c == CANON_SIMPLE ? "simple" : "relaxed",
			    chunks[k]);
			ok(canon_body_final(cb, got) == 0, "body %s: a second final is refused", t->cite);
			canon_body_free(&cb);
			ok(cb == NULL, "canon_body_free clears the pointer");
		}
	}
	for (i = 0; i < sizeof(ctests) / sizeof(ctests[0]); i++) {
		const struct ctest *t = &ctests[i];
		enum canon_alg h = 9, b = 9;
		int rc = canon_parse_c(t->in, strlen(t->in), &h, &b);

		ok(rc == t->rc && (rc != 0 || (h == t->h && b == t->b)),
		    "RFC 6376 3.5 c=\"%s\" -> %d", t->in, rc);
	}
	{
		unsigned char d1[CANON_HASH_MAX], d2[CANON_HASH_MAX];
		struct canon_body *cb = canon_body_new(CANON_SIMPLE, CANON_SHA1, -1);

		ok(canon_body_final(cb, d1) == 20, "sha1 body hash is 20 bytes");
		EVP_Digest("\r\n", 2, d2, NULL, EVP_sha1(), NULL);
		ok(memcmp(d1, d2, 20) == 0, "sha1 of the empty simple body is sha1(CRLF)");
		canon_body_free(&cb);
		canon_body_update(NULL, (const unsigned char *)"x", 1);
		ok(canon_body_final(NULL, d1) == 0, "NULL canonicalizer is harmless");
	}
	arena_free(&a);
	return tap_done();
}
