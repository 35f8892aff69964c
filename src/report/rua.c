/*
 * rua= URI lists (RFC 9989 §4.7, the "!size" suffix of RFC 7489 §6.2) and
 * the report authorization records of RFC 9990 §4. Input is what a domain
 * publishes: anything. What comes out as ok is an address that is safe to
 * put in a mail header and on a sendmail command line: a dot-atom local
 * part and a host name of letters, digits, hyphens and dots.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rua.h"

static void
rua_bad(struct rua_uri *u, const char *why)
{
	u->ok = false;
	snprintf(u->why, sizeof u->why, "%s", why);
}

static int
rua_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 5322 atext. */
static bool
rua_atext(int c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
rua_local_ok(const char *p, size_t n)
{
	if (n == 0 || n > 64 || p[0] == '.' || p[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (p[i + 1] == '.')
				return false;
		} else if (!rua_atext((unsigned char)p[i])) {
			return false;
		}
	}
	return true;
}

static bool
rua_host_ok(const char *p, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253 || p[0] == '.' || p[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return p[n - 1] != '-' && memchr(p, '.', n) != NULL;
}

/* RFC 7489 §6.2: size = 1*DIGIT [ "k" / "m" / "g" / "t" ]. */
static bool
rua_size(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	size_t i;

	for (i = 0; i < n && isdigit((unsigned char)p[i]); i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (i == 0)
		return false;
	if (i < n) {
		switch (tolower((unsigned char)p[i])) {
		case 'k': mult = 1ULL << 10; break;
		case 'm': mult = 1ULL << 20; break;
		case 'g': mult = 1ULL << 30; break;
		case 't': mult = 1ULL << 40; break;
		default: return false;
		}
		if (i + 1 != n)
			return false;
	}
	if (v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

static void
rua_one(const char *p, size_t n, struct rua_uri *u)
{
	char buf[RUA_ADDR_MAX + 1];
	size_t k = 0, i, at = (size_t)-1;
	const char *bang;

	memset(u, 0, sizeof *u);
	u->domain = u->addr;
	/* The size suffix: the last '!' (a literal '!' in the URI is %21). */
	bang = memchr(p, '!', n);
	if (bang) {
		if (!rua_size(bang + 1, n - (size_t)(bang - p) - 1, &u->size_limit)) {
			rua_bad(u, "bad size limit");
			return;
		}
		if (u->size_limit == 0) {
			rua_bad(u, "size limit 0");
			return;
		}
		n = (size_t)(bang - p);
	}
	if (n < 7 || strncasecmp(p, "mailto:", 7) != 0) {
		rua_bad(u, "not a mailto: URI");
		return;
	}
	for (i = 7; i < n; i++) {
		int c = (unsigned char)p[i];
		if (c == '?') {
			rua_bad(u, "mailto: URI with header fields");
			return;
		}
		if (c == '%') {
			int h1 = i + 2 < n ? rua_hex(p[i + 1]) : -1;
			int h2 = i + 2 < n ? rua_hex(p[i + 2]) : -1;
			if (h1 < 0 || h2 < 0) {
				rua_bad(u, "bad %-escape");
				return;
			}
			c = h1 * 16 + h2;
			i += 2;
		}
		if (k >= RUA_ADDR_MAX) {
			rua_bad(u, "address too long");
			return;
		}
		if (c == '@')
			at = k;
		buf[k++] = (char)c;
	}
	buf[k] = '\0';
	if (at == (size_t)-1 || memchr(buf, '\0', k) != NULL) {
		rua_bad(u, "no address");
		return;
	}
	if (!rua_local_ok(buf, at) || !rua_host_ok(buf + at + 1, k - at - 1)) {
		rua_bad(u, "not a usable address");
		return;
	}
	for (i = at + 1; i < k; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	memcpy(u->addr, buf, k + 1);
	u->domain = u->addr + at + 1;
	u->ok = true;
}

size_t
rua_parse(const char *rua, size_t len, struct rua_uri *out, size_t max)
{
	size_t count = 0, i = 0;

	while (i < len && count < max) {
		size_t s = i, e;
		while (i < len && rua[i] != ',')
			i++;
		e = i;
		if (i < len)
			i++;            /* the comma */
		while (s < e && (rua[s] == ' ' || rua[s] == '\t'))
			s++;
		while (e > s && (rua[e - 1] == ' ' || rua[e - 1] == '\t'))
			e--;
		if (s == e)
			continue;       /* empty element: ignore */
		rua_one(rua + s, e - s, &out[count++]);
	}
	return count;
}

void
rua_key(const struct rua_uri *u, char *buf, size_t len)
{
	snprintf(buf, len, "mailto:%s", u->addr);
}

bool
rua_auth_record(const char *txt, size_t len, const char **rua, size_t *rualen)
{
	size_t i = 0;
	bool first = true;

	*rua = NULL;
	*rualen = 0;
	while (i < len) {
		size_t ts, te, vs, ve;
		while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
			i++;
		if (i == len)
			break;
		ts = i;
		while (i < len && txt[i] != '=' && txt[i] != ';')
			i++;
		if (i == len || txt[i] != '=')
			return false;   /* a tag without a value */
		te = i++;
		while (te > ts && (txt[te - 1] == ' ' || txt[te - 1] == '\t'))
			te--;
		while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
			i++;
		vs = i;
		while (i < len && txt[i] != ';')
			i++;
		ve = i;
		if (i < len)
			i++;
		while (ve > vs && (txt[ve - 1] == ' ' || txt[ve - 1] == '\t'))
			ve--;
		if (first) {
			if (te - ts != 1 || txt[ts] != 'v' || ve - vs != 6 ||
			    memcmp(txt + vs, "DMARC1", 6) != 0)
				return false;
			first = false;
		} else if (te - ts == 3 && strncasecmp(txt + ts, "rua", 3) == 0) {
			*rua = txt + vs;
			*rualen = ve - vs;
		}
	}
	return !first;
}
