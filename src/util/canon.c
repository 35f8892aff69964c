/*
 * canon: RFC 6376 section 3.4 header and body canonicalization. The body
 * side is a byte-at-a-time state machine, so chunk boundaries (the MTA
 * cuts the body anywhere, even between CR and LF) never change the
 * result; trailing empty lines are counted, not buffered, and written
 * only when more content follows them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "arena.h"
#include "canon.h"

#define CANON_OUTBUF 4096

struct canon_body {
	enum canon_alg alg;
	EVP_MD_CTX *md;
	long long limit;                /* -1: none */
	long long hashed;               /* octets given to the hash */
	long long length;               /* canonical octets produced */
	unsigned long long ncrlf;       /* line ends not yet written */
	int cr;                         /* a CR waits for its LF */
	int wsp;                        /* relaxed: a WSP run waits */
	int content;                    /* relaxed: something but empty lines */
	int done;
	size_t nout;
	unsigned char out[CANON_OUTBUF];
};

/* ABNF literals ("simple", "relaxed") match without case (RFC 5234 2.3). */
int
canon_parse_c(const char *s, size_t len, enum canon_alg *hdr, enum canon_alg *body)
{
	enum canon_alg v[2] = { CANON_SIMPLE, CANON_SIMPLE };
	size_t i = 0, part = 0, n;

	for (;;) {
		n = 0;
		while (i + n < len && s[i + n] != '/')
			n++;
		if (n == 6 && strncasecmp(s + i, "simple", 6) == 0)
			v[part] = CANON_SIMPLE;
		else if (n == 7 && strncasecmp(s + i, "relaxed", 7) == 0)
			v[part] = CANON_RELAXED;
		else
			return -1;
		i += n;
		if (i == len)
			break;
		if (++part > 1)
			return -1;
		i++;                    /* the '/' */
	}
	*hdr = v[0];
	*body = v[1];
	return 0;
}

static int
canon_wsp(char c)
{
	return c == ' ' || c == '\t';
}

char *
canon_header(struct arena *a, enum canon_alg c, const char *name, const char *value,
    int no_crlf, size_t *lenp)
{
	size_t nl = strlen(name), vl = strlen(value), i, n = 0, start;
	char *out = arena_alloc(a, nl + 2 * vl + 4);
	int pend = 0;

	if (c == CANON_SIMPLE) {
		memcpy(out, name, nl);
		n = nl;
		out[n++] = ':';
		for (i = 0; i < vl; i++) {
			if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
				out[n++] = '\r';
			out[n++] = value[i];
		}
	} else {
		while (nl > 0 && canon_wsp(name[nl - 1]))
			nl--;
		for (i = 0; i < nl; i++)
			out[n++] = (name[i] >= 'A' && name[i] <= 'Z') ?
			    (char)(name[i] - 'A' + 'a') : name[i];
		out[n++] = ':';
		start = n;
		for (i = 0; i < vl; i++) {
			char ch = value[i];

			if (ch == '\r' || ch == '\n')
				continue;       /* unfold */
			if (canon_wsp(ch)) {
				pend = 1;
				continue;
			}
			if (pend && n > start)
				out[n++] = ' ';
			pend = 0;
			out[n++] = ch;
		}
	}
	if (!no_crlf) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	out[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return out;
}

struct canon_body *
canon_body_new(enum canon_alg c, enum canon_hash h, long long limit)
{
	const EVP_MD *md = h == CANON_SHA1 ? EVP_sha1() : EVP_sha256();
	struct canon_body *cb;

	if (md == NULL || (cb = calloc(1, sizeof(*cb))) == NULL)
		return NULL;
	cb->alg = c;
	cb->limit = limit;
	if ((cb->md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(cb->md, md, NULL) != 1) {
		EVP_MD_CTX_free(cb->md);
		free(cb);
		return NULL;
	}
	return cb;
}

static void
canon_flush(struct canon_body *cb)
{
	size_t n = cb->nout;

	if (cb->limit >= 0 && cb->hashed + (long long)n > cb->limit)
		n = (size_t)(cb->limit - cb->hashed);
	if (n > 0)
		(void)EVP_DigestUpdate(cb->md, cb->out, n);
	cb->hashed += (long long)n;
	cb->nout = 0;
}

static void
canon_put(struct canon_body *cb, unsigned char ch)
{
	if (cb->nout == sizeof(cb->out))
		canon_flush(cb);
	cb->out[cb->nout++] = ch;
	cb->length++;
}

/* Line ends held back are real once more content follows them. */
static void
canon_release(struct canon_body *cb)
{
	for (; cb->ncrlf > 0; cb->ncrlf--) {
		canon_put(cb, '\r');
		canon_put(cb, '\n');
	}
}

static void
canon_byte(struct canon_body *cb, unsigned char ch)
{
	canon_release(cb);
	if (cb->alg == CANON_RELAXED) {
		if (cb->wsp)
			canon_put(cb, ' ');
		cb->wsp = 0;
		cb->content = 1;
	}
	canon_put(cb, ch);
}

void
canon_body_update(struct canon_body *cb, const unsigned char *p, size_t n)
{
	size_t i;

	if (cb == NULL || cb->done)
		return;
	for (i = 0; i < n; i++) {
		unsigned char ch = p[i];

		if (cb->cr) {
			cb->cr = 0;
			if (ch == '\n') {
				cb->wsp = 0;
				cb->ncrlf++;
				continue;
			}
			canon_byte(cb, '\r');   /* a lone CR is content */
		}
		if (ch == '\r') {
			cb->cr = 1;
		} else if (ch == '\n') {
			cb->wsp = 0;
			cb->ncrlf++;
		} else if (cb->alg == CANON_RELAXED && (ch == ' ' || ch == '\t')) {
			cb->wsp = 1;
		} else {
			canon_byte(cb, ch);
		}
	}
}

size_t
canon_body_final(struct canon_body *cb, unsigned char out[CANON_HASH_MAX])
{
	unsigned int len = 0;

	if (cb == NULL || cb->done)
		return 0;
	if (cb->cr) {
		cb->cr = 0;
		canon_byte(cb, '\r');
	}
	/* 3.4.3: always one final CRLF; 3.4.4: one only if there is content. */
	if (cb->alg == CANON_SIMPLE || cb->content) {
		cb->ncrlf = 0;
		canon_put(cb, '\r');
		canon_put(cb, '\n');
	}
	canon_flush(cb);
	cb->done = 1;
	if (EVP_DigestFinal_ex(cb->md, out, &len) != 1)
		return 0;
	return len;
}

long long
canon_body_length(const struct canon_body *cb)
{
	return cb ? cb->length : 0;
}

void
canon_body_free(struct canon_body **cbp)
{
	if (cbp == NULL || *cbp == NULL)
		return;
	EVP_MD_CTX_free((*cbp)->md);
	free(*cbp);
	*cbp = NULL;
}
