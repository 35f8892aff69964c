/*
 * base64: the one encoder and strict decoder that DKIM keys, ARC
 * signatures and body hashes go through, so every b=, bh= and p= is
 * judged by the same rules.
 */
#include <string.h>

#include "arena.h"
#include "base64.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
base64_digit(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

unsigned char *
base64_decode(struct arena *a, const char *s, size_t max, size_t *outlen)
{
	size_t len = strlen(s), i, n = 0, pad = 0;
	unsigned char *out;
	unsigned v = 0, bits = 0;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > max + 2)
		return NULL;
	out = arena_alloc(a, len / 4 * 3 + 1);
	for (i = 0; i < len; i++) {
		int d;

		if (s[i] == '=') {
			if (i < len - 2)
				return NULL;
			pad++;
			continue;
		}
		if (pad || (d = base64_digit(s[i])) < 0)
			return NULL;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	if (n > max)
		return NULL;
	out[n] = '\0';
	*outlen = n;
	return out;
}

char *
base64_encode(struct arena *a, const unsigned char *p, size_t n)
{
	char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = base64_alphabet[p[i] >> 2];
		*o++ = base64_alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = base64_alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = base64_alphabet[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = base64_alphabet[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = base64_alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = base64_alphabet[(p[i + 1] & 15) << 2];
		} else {
			*o++ = base64_alphabet[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}
