/*
 * libFuzzer target for authres.  The input is parsed as an incoming
 * Authentication-Results value: parsing must end and never crash, and
 * whenever our strict parser or a model of SpamAssassin's or of
 * Mail::AuthenticationResults' reading finds our authserv-id in it,
 * authres_claims_id must claim it.  The input is also cut at NUL bytes
 * into strings for authres_format, whose output must be a clean header
 * (no control or 8-bit byte, no quoted-pair, no "=?") that our parser
 * reads back to the same values, that is ours, and that is not ours for
 * another token id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fz_methods[] = { "spf", "dkim", "dmarc", "arc", "iprev", "compauth" };
static const char *const fz_results[] = { "pass", "fail", "none", "softpass", "temperror" };
static const char *const fz_ptypes[] = { "smtp", "header", "policy", NULL };
static const char *const fz_names[] = { "mailfrom", "d", "iprev", "action", "b" };

#define FZ_OURS "mx.example.net"

static int
fz_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
fz_eq_ci(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (fz_lower((unsigned char)*a) != fz_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* RFC 2045 token. */
static int
fz_is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?=", *s) != NULL)
			return 0;
	return 1;
}

static int
fz_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * The authserv-id as SpamAssassin's AuthRes reads it: Perl \s, then a
 * token of bytes other than \s, controls, 8-bit and specials (what it
 * wants after it is left out: a stricter oracle).  NULL if none.
 */
static char *
fz_read_sa(struct arena *a, const char *v, size_t n)
{
	size_t i = 0, st;

	while (i < n && fz_space((unsigned char)v[i]))
		i++;
	for (st = i; i < n && (unsigned char)v[i] > 0x20 && (unsigned char)v[i] < 0x80 &&
	    strchr("()<>@,;:/[]?=\"", v[i]) == NULL; i++)
		;
	return i > st ? arena_strndup(a, v + st, i - st) : NULL;
}

/*
 * As Mail::AuthenticationResults reads it: leading \s and comments
 * (parentheses counted, no quoted-pairs), then everything up to \s or ';'.
 */
static char *
fz_read_mar(struct arena *a, const char *v, size_t n)
{
	size_t i = 0, st, depth;

	for (;;) {
		while (i < n && fz_space((unsigned char)v[i]))
			i++;
		if (i >= n || v[i] != '(')
			break;
		for (depth = 0; i < n; i++) {
			if (v[i] == '(')
				depth++;
			else if (v[i] == ')' && --depth == 0)
				break;
		}
		if (i >= n)
			return NULL;
		i++;
	}
	for (st = i; i < n && !fz_space((unsigned char)v[i]) && v[i] != ';' && v[i] != '\0'; i++)
		;
	return i > st ? arena_strndup(a, v + st, i - st) : NULL;
}

/* What format makes of a string (authres.c): controls become spaces,
 * '"', '\\' and 8-bit bytes '?', '='s before a '?' too; for comments
 * (collapse) ( ) become [ ], every blank run is one space and the ends
 * are trimmed, which also absorbs the tabs of a fold inside a comment. */
static char *
fz_clean(struct arena *a, const char *s, int collapse)
{
	char *o = arena_alloc(a, strlen(s) + 1), *q = o, *e;
	int c, space = 0;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c >= 0x80 || c == '"' || c == '\\')
			c = '?';
		else if (collapse && c == '(')
			c = '[';
		else if (collapse && c == ')')
			c = ']';
		if (collapse && c == ' ') {
			space = q != o;
			continue;
		}
		if (space)
			*q++ = ' ';
		space = 0;
		if (c == '?')
			for (e = q; e > o && e[-1] == '='; e--)
				e[-1] = '?';
		*q++ = (char)c;
	}
	*q = '\0';
	return o;
}

/* The parser keeps at most 1000 bytes of a comment: past that only its
 * presence is compared. */
static int
fz_same_comment(struct arena *a, const char *got, const char *want)
{
	if (want[0] == '\0' || got == NULL)
		return want[0] == '\0' && got == NULL;
	return strlen(got) >= 1000 || strcmp(fz_clean(a, got, 1), want) == 0;
}

/*
 * The header's shape: only LF + WSP folds, no control bytes, no blank
 * line, and a line of 78 or more holds no space outside a quoted-string
 * (so it is one token we may not split).
 */
static void
fz_check_shape(const char *v)
{
	size_t col = strlen(AR_FIELD) + 1, space = 0;
	int quote = 0;
	size_t depth = 0;
	const char *p;

	if (v[0] != ' ')
		abort();
	for (p = v; ; p++) {
		if (*p == '\n' || *p == '\0') {
			if (col >= 78 && space)
				abort();
			if (*p == '\0')
				break;
			if (p[1] != '\t' || p[2] == '\n' || p[2] == '\0')
				abort();
			col = 0;
			space = 0;
			continue;
		}
		if ((unsigned char)*p < 0x20 && *p != '\t')
			abort();
		if (*p == 0x7f || (unsigned char)*p >= 0x80 || (p[0] == '=' && p[1] == '?'))
			abort();
		col++;
		if (*p == '\\' && (quote || depth > 0)) {
			/* We never write a quoted-pair. */
			abort();
		} else if (quote) {
			quote = *p != '"';
		} else if (*p == '"' && depth == 0) {
			quote = 1;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth > 0) {
			depth--;
		} else if (*p == ' ' && p != v && col > 3)
			space++;
	}
	if (quote || depth != 0)
		abort();
}

static void
fz_format(struct arena *a, const uint8_t *data, size_t size)
{
	char *buf, *fields[64], *out, *id;
	size_t nf = 0, fi = 0, i, j, nres, nprops;
	struct ar_result res[4];
	struct ar_prop props[4][3];
	struct ar_parsed p;

	if (size < 2)
		return;
	nres = data[0] % 5;
	nprops = data[1] % 4;
	buf = arena_memdup(a, data + 2, size - 2);
	fields[nf++] = buf;
	for (i = 0; i < size - 2 && nf < 64; i++)
		if (buf[i] == '\0')
			fields[nf++] = buf + i + 1;
#define FZ_NEXT() (fi < nf ? fields[fi++] : "")
#define FZ_OPT(s) ((s)[0] != '\0' ? (s) : NULL)
	id = FZ_NEXT();
	memset(res, 0, sizeof(res));
	for (i = 0; i < nres; i++) {
		res[i].method = fz_methods[(i + data[0] / 5) % 6];
		res[i].result = fz_results[(i + data[1]) % 5];
		res[i].comment = FZ_OPT(FZ_NEXT());
		res[i].reason = FZ_OPT(FZ_NEXT());
		res[i].nprops = nprops;
		res[i].props = props[i];
		for (j = 0; j < nprops; j++) {
			props[i][j].ptype = fz_ptypes[(i + j) % 4];
			props[i][j].name = fz_names[(i * 3 + j) % 5];
			props[i][j].value = FZ_NEXT();
			props[i][j].comment = FZ_OPT(FZ_NEXT());
		}
	}
	out = authres_format(a, id, res, nres);
	fz_check_shape(out);
	if (authres_parse(a, out, strlen(out), &p) != 0)
		abort();
	if (p.authserv_id == NULL || strcmp(p.authserv_id, fz_clean(a, id, 0)) != 0)
		abort();
	if (p.authserv_id[0] != '\0' && fz_is_token(p.authserv_id) &&
	    !authres_claims_id(out, strlen(out), p.authserv_id))
		abort();
	/* Values and comments never make another token id ours (one no
	 * longer than a host name: past 512 bytes any id is claimed). */
	if (fz_is_token(id) && strlen(id) <= 255 &&
	    authres_claims_id(out, strlen(out), FZ_OURS) !=
	    (fz_eq_ci(id, FZ_OURS) || fz_eq_ci(id, FZ_OURS ".")))
		abort();
	if (p.n != nres || p.none != (nres == 0))
		abort();
	for (i = 0; i < nres; i++) {
		const char *wc = res[i].comment ? fz_clean(a, res[i].comment, 1) : "";

		if (strcmp(p.res[i].method, res[i].method) != 0 ||
		    strcmp(p.res[i].result, res[i].result) != 0 ||
		    p.res[i].nprops != nprops)
			abort();
		if (!fz_same_comment(a, p.res[i].comment, wc))
			abort();
		if ((res[i].reason != NULL) != (p.res[i].reason != NULL) ||
		    (res[i].reason != NULL &&
		    strcmp(p.res[i].reason, fz_clean(a, res[i].reason, 0)) != 0))
			abort();
		for (j = 0; j < nprops; j++) {
			const struct ar_prop *w = &props[i][j], *g = &p.res[i].props[j];

			if (strcmp(g->ptype, w->ptype ? w->ptype : "") != 0 ||
			    strcmp(g->name, w->name) != 0 ||
			    strcmp(g->value, fz_clean(a, w->value, 0)) != 0)
				abort();
			wc = w->comment ? fz_clean(a, w->comment, 1) : "";
			if (!fz_same_comment(a, g->comment, wc))
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct ar_parsed p;
	const char *v = (const char *)data;
	char *id;
	int rc, claims;

	rc = authres_parse(a, v, size, &p);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == 0 && p.n == 0 && !p.none)
		abort();
	/* Whoever reads our id in it, we claim it. */
	claims = authres_claims_id(v, size, FZ_OURS);
	if (p.authserv_id != NULL && fz_eq_ci(p.authserv_id, FZ_OURS) && !claims)
		abort();
	if ((id = fz_read_sa(a, v, size)) != NULL && fz_eq_ci(id, FZ_OURS) && !claims)
		abort();
	if ((id = fz_read_mar(a, v, size)) != NULL && fz_eq_ci(id, FZ_OURS) && !claims)
		abort();
	fz_format(a, data, size);
	arena_free(&a);
	return 0;
}
