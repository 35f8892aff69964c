/*
 * The readings of one author domain as written: what DMARC looks up for
 * it. RFC 8616 §4 has DMARC map U-labels to A-labels before any lookup;
 * the mapping is UTS #46 as libidn2 implements it (a mail client shows
 * "contoso\u3002example" as contoso.example, so it must be read as that).
 * A domain that does not map as written is read as a reader sees it
 * (invisible code points removed) and by its nearest valid ancestor, both:
 * the caller keeps the strictest result, so a spelling that cannot be
 * normalized never reads more leniently than the domain it shows.
 *
 * Labels are read one by one, from the right, into a buffer that keeps
 * at most AUTHOR_READING_MAX bytes: the suffix that survives the cut to
 * 253 bytes depends only on the last labels, and libidn2 refuses labels
 * over 63 bytes that DNS can still be asked about (it answers "no such
 * name", and the tree walk goes on to the parents).
 */
#include <idn2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "author_int.h"

#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63

/* UTS #46 maps these to U+002E: U+3002, U+FF0E, U+FF61 (UTF-8). */
static const char uts46_dots[][3] = {
	{ '\xe3', '\x80', '\x82' }, { '\xef', '\xbc', '\x8e' }, { '\xef', '\xbd', '\xa1' },
};
/*
 * Shown as a full stop too, and mapped to U+002E by UTS #46 where STD3
 * rules are off, but refused by libidn2: U+FE52, U+2024. Separators only
 * for the fallback readings.
 */
static const char look_dots[][3] = {
	{ '\xef', '\xb9', '\x92' }, { '\xe2', '\x80', '\xa4' },
};

/*
 * Code points a reader does not see (Unicode 15.0): General_Category Cc
 * and Cf, White_Space, Default_Ignorable_Code_Point; and U+2800, which
 * renders blank. Only the "as displayed" fallback reading uses it; the
 * IDNA mapping itself is libidn2's.
 */
static const uint32_t invisible[][2] = {
	{ 0x0000, 0x0020 }, { 0x007f, 0x00a0 }, { 0x00ad, 0x00ad }, { 0x034f, 0x034f },
	{ 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd }, { 0x070f, 0x070f },
	{ 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x115f, 0x1160 }, { 0x1680, 0x1680 },
	{ 0x17b4, 0x17b5 }, { 0x180b, 0x180f }, { 0x2000, 0x200f }, { 0x2028, 0x202f },
	{ 0x205f, 0x206f }, { 0x2800, 0x2800 }, { 0x3000, 0x3000 }, { 0x3164, 0x3164 },
	{ 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb },
	{ 0x110bd, 0x110bd }, { 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
	{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
};

enum lab_res {
	LAB_OK,
	LAB_BAD,                        /* no reading in any mode */
	LAB_IDNA,                       /* libidn2 refused it in this mode */
	LAB_SPENT,                      /* the libidn2 budget ran out */
};

/* One reading, built from the right; b[off..AUTHOR_READING_MAX). */
struct rd {
	char b[AUTHOR_READING_MAX];
	size_t off, nlabels;
	bool cut;                       /* labels on the left did not fit */
	bool idna;                      /* a label or a dot needed UTS #46 */
};

static void
rd_init(struct rd *r)
{
	r->off = AUTHOR_READING_MAX;
	r->nlabels = 0;
	r->cut = false;
	r->idna = false;
}

static void
rd_prepend(struct rd *r, const char *p, size_t n, bool lower)
{
	size_t need = n + (r->nlabels > 0), k;

	if (r->cut)
		return;
	if (need > r->off) {
		r->cut = true;
		return;
	}
	if (r->nlabels > 0)
		r->b[--r->off] = '.';
	r->off -= n;
	for (k = 0; k < n; k++) {
		char c = p[k];

		r->b[r->off + k] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	r->nlabels++;
}

/* Length of the full-stop form that ends at s[e], 0 if none. */
static size_t
dot_ending_at(const char *s, size_t e, bool look)
{
	size_t i;

	if (e >= 1 && s[e - 1] == '.')
		return 1;
	/* every other form ends in a UTF-8 continuation byte */
	if (e < 3 || (unsigned char)s[e - 1] < 0x80)
		return 0;
	for (i = 0; i < sizeof(uts46_dots) / sizeof(uts46_dots[0]); i++)
		if (memcmp(s + e - 3, uts46_dots[i], 3) == 0)
			return 3;
	for (i = 0; look && i < sizeof(look_dots) / sizeof(look_dots[0]); i++)
		if (memcmp(s + e - 3, look_dots[i], 3) == 0)
			return 3;
	return 0;
}

/* The label ending at e starts at *start; returns its separator's length (0: first). */
static size_t
label_before(const char *s, size_t e, bool look, size_t *start)
{
	size_t i, k;

	for (i = e; i > 0; i--) {
		if ((k = dot_ending_at(s, i, look)) > 0) {
			*start = i;
			return k;
		}
	}
	*start = 0;
	return 0;
}

static bool
label_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

/* A label with non-ASCII code points through libidn2 in one UTS #46 mode. */
static enum lab_res
idna_label(struct author_work *w, const char *p, size_t n, int mode, char out[DNS_LABEL_MAX],
    size_t *outn)
{
	char in[AUTHOR_RAW_MAX + 1];
	char *res = NULL;
	size_t m, k;

	if (n > AUTHOR_RAW_MAX)
		return LAB_BAD;
	/* a call costs about as much as 64 bytes of input */
	if (w->idn_budget < n + 64) {
		w->spent = true;
		return LAB_SPENT;
	}
	w->idn_budget -= n + 64;
	memcpy(in, p, n);
	in[n] = '\0';
	if (idn2_to_ascii_8z(in, &res, IDN2_NFC_INPUT | mode) != IDN2_OK)
		return LAB_IDNA;
	m = strlen(res);
	/* The mapping can yield U+0020 or other STD3-disallowed ASCII. */
	for (k = 0; k < m && label_byte((unsigned char)res[k]) &&
	    !(res[k] >= 'A' && res[k] <= 'Z'); k++)
		;
	if (m == 0 || m > DNS_LABEL_MAX || k < m) {
		idn2_free(res);
		return LAB_BAD;
	}
	memcpy(out, res, m);
	*outn = m;
	idn2_free(res);
	return LAB_OK;
}

/* One label into r: ASCII ones as written, lower-cased; others mapped. */
static enum lab_res
label_into(struct author_work *w, const char *p, size_t n, int mode, struct rd *r)
{
	char lab[DNS_LABEL_MAX];
	size_t k, m = 0;
	bool ascii = true;
	enum lab_res res;

	if (n == 0)
		return LAB_BAD;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)p[k];

		/* Without STD3 rules libidn2 lets any ASCII through, controls too. */
		if (c >= 0x80)
			ascii = false;
		else if (!label_byte(c))
			return LAB_BAD;
	}
	if (ascii) {
		rd_prepend(r, p, n, true);
		return LAB_OK;
	}
	if ((res = idna_label(w, p, n, mode, lab, &m)) != LAB_OK)
		return res;
	r->idna = true;
	rd_prepend(r, lab, m, false);
	return LAB_OK;
}

/* Every label of s, in one mode; one final dot names the same domain. */
static enum lab_res
read_labels(struct author_work *w, const char *s, size_t len, int mode, struct rd *r)
{
	size_t e = len, start, k;
	enum lab_res res;

	rd_init(r);
	k = dot_ending_at(s, e, false);
	if (k > 0 && k < e) {
		e -= k;
		r->idna = k > 1;
	}
	for (;;) {
		k = label_before(s, e, false, &start);
		if ((res = label_into(w, s + start, e - start, mode, r)) != LAB_OK)
			return res;
		if (k == 0)
			return LAB_OK;
		r->idna |= k > 1;
		e = start - k;
	}
}

/* Reading 1: 0 none, 1 non-transitional (or ASCII), 2 transitional only. */
static int
read_written(struct author_work *w, const char *s, size_t len, struct rd *r)
{
	enum lab_res res = read_labels(w, s, len, IDN2_NONTRANSITIONAL, r);

	if (res == LAB_OK)
		return 1;
	if (res == LAB_IDNA && read_labels(w, s, len, IDN2_TRANSITIONAL, r) == LAB_OK)
		return 2;
	return 0;
}

/* Reading 2b: the longest suffix of whole labels that each read alone. */
static bool
read_ancestor(struct author_work *w, const char *s, size_t len, struct rd *r)
{
	size_t e = len, start, k;
	enum lab_res res;

	rd_init(r);
	/* Empty labels at the end are the root, however often written. */
	while ((k = dot_ending_at(s, e, true)) > 0)
		e -= k;
	while (e > 0 && !r->cut) {
		k = label_before(s, e, true, &start);
		res = label_into(w, s + start, e - start, IDN2_NONTRANSITIONAL, r);
		if (res == LAB_IDNA)
			res = label_into(w, s + start, e - start, IDN2_TRANSITIONAL, r);
		if (res != LAB_OK || k == 0)
			break;
		e = start - k;
	}
	return r->nlabels > 0;
}

/* One UTF-8 sequence (RFC 3629: no overlong form, no surrogate); 0 if invalid. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len, k;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static bool
is_invisible(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(invisible) / sizeof(invisible[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < invisible[mid][0])
			hi = mid;
		else if (cp > invisible[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * The domain as a reader sees it, into out (at least len bytes); its
 * length. Empty labels are dropped too: "contoso..example" reads as
 * contoso.example to anyone but a resolver.
 */
static size_t
as_displayed(const char *s, size_t len, char *out)
{
	size_t i = 0, o = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_next((const unsigned char *)s + i, len - i, &cp);
		if (n == 0) {
			i++;
			continue;
		}
		if (cp == '.' || cp == 0x3002 || cp == 0xff0e || cp == 0xff61 || cp == 0xfe52 ||
		    cp == 0x2024) {
			if (o > 0 && out[o - 1] != '.')
				out[o++] = '.';
		} else if (!is_invisible(cp)) {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	return o;
}

/* The reading in r as the caller gets it, or NULL; records what was odd. */
static const char *
rd_finish(struct arena *a, struct author_work *w, const struct rd *r)
{
	const char *p = r->b + r->off;
	size_t m = AUTHOR_READING_MAX - r->off, j, lab = 0;

	if (r->nlabels == 0)
		return NULL;
	if (r->cut) {
		/* the longest suffix of whole labels that DNS could hold */
		w->overlong = w->fallback = true;
		w->why = "author domain over 1024 octets: read by its last labels";
		if (m > DNS_NAME_MAX) {
			for (j = m - DNS_NAME_MAX; j < m && p[j - 1] != '.'; j++)
				;
			if (j == m)
				return NULL;
			p += j;
			m -= j;
		}
	}
	for (j = 0; j < m; j++) {
		lab = p[j] == '.' ? 0 : lab + 1;
		if (lab > DNS_LABEL_MAX)
			break;
	}
	if (m > DNS_NAME_MAX || j < m) {
		w->overlong = true;
		if (!r->cut)
			w->why = "author domain longer than DNS allows";
	}
	w->mapped |= r->idna;
	return arena_strndup(a, p, m);
}

static size_t
add_reading(const char *out[2], size_t n, const char *d)
{
	if (d == NULL || (n > 0 && strcmp(out[0], d) == 0))
		return n;
	out[n] = d;
	return n + 1;
}

size_t
author_readings(struct arena *a, struct author_work *w, const char *dom, size_t len,
    const char *out[2])
{
	struct rd r;
	char vis[AUTHOR_RAW_MAX];
	size_t n = 0, vn, j;
	int how;

	out[0] = out[1] = NULL;
	if (dom == NULL || w->spent)
		return 0;
	if (len > AUTHOR_RAW_MAX) {
		/* No such name can exist; what it falls under is in its last labels. */
		for (j = len - AUTHOR_RAW_MAX; j < len && dot_ending_at(dom, j, true) == 0; j++)
			;
		w->overlong = w->fallback = true;
		w->why = "author domain over 4096 octets: read by its last labels";
		dom += j;
		len -= j;
	}
	how = read_written(w, dom, len, &r);
	if (w->spent)
		return 0;
	if (how == 1) {
		if (r.idna && w->why == NULL)
			w->why = "author domain needed IDNA mapping";
		return add_reading(out, 0, rd_finish(a, w, &r));
	}
	if (how == 2) {
		/* A transitional mapping can turn a visible name into another one. */
		w->why = "author domain readable only by transitional UTS #46 mapping";
		n = add_reading(out, n, rd_finish(a, w, &r));
	} else {
		w->why = "author domain not valid as written: read as displayed and by its ancestor";
	}
	vn = as_displayed(dom, len, vis);
	if ((vn != len || memcmp(vis, dom, len) != 0) && read_written(w, vis, vn, &r) != 0)
		n = add_reading(out, n, rd_finish(a, w, &r));
	if (how == 0 && read_ancestor(w, dom, len, &r))
		n = add_reading(out, n, rd_finish(a, w, &r));
	if (w->spent)
		return 0;
	if (n == 0)
		w->why = "author domain with no valid reading";
	else
		w->fallback = true;
	return n;
}

/*
 * Header text that is not UTF-8 (RFC 6532) is shown by mail clients in a
 * legacy charset, in the West windows-1252 (WHATWG Encoding: "latin1"
 * means windows-1252): "b\xfccher.example" is shown as b\u00fccher.example.
 * Its 0x80..0x9F row, where it differs from ISO 8859-1:
 */
static const uint16_t cp1252_80[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

char *
author_legacy_text(struct arena *a, const char *s, size_t n, size_t *outn)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k, o = 0;
	uint32_t cp;
	char *out;

	for (i = 0; i < n; i += k)
		if ((k = utf8_next(u + i, n - i, &cp)) == 0)
			break;
	if (i == n)
		return NULL;
	out = arena_alloc(a, 3 * n + 1);
	for (i = 0; i < n; i++) {
		cp = u[i] >= 0x80 && u[i] < 0xa0 ? cp1252_80[u[i] - 0x80] : u[i];
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xe0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	*outn = o;
	return out;
}

size_t
author_normalize(struct arena *a, const char *dom, size_t len, const char *out[2])
{
	struct author_work w;

	memset(&w, 0, sizeof(w));
	w.idn_budget = AUTHOR_IDN_BUDGET;
	return author_readings(a, &w, dom, len, out);
}
