/*
 * Zone-file backend. Tests and offline runs need DNS answers that do not
 * depend on the network, including the failure answers a real resolver
 * gives (timeouts, SERVFAIL), so the file has TIMEOUT and SERVFAIL markers
 * besides ordinary records. The format is a strict one-record-per-line
 * subset of RFC 1035 §5 documented in compauthd-zone(5); anything outside
 * the subset is an error with file:line rather than a silent guess.
 *
 * This file reads the text into records; zone_lookup.c sorts them and
 * answers queries from them, through the layout in zone_int.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "dnswire.h"
#include "zone.h"
#include "zone_int.h"

#define ZONE_T_SPF 99                   /* RFC 7208 §14.1: stored, never queried */
#define ZONE_MAX_TOKENS 512
#define ZONE_MAX_TTL 2147483647u        /* RFC 2181 §8 */

struct zone_tok {
	const char *s;                  /* decoded, NUL-terminated */
	size_t len;
	bool quoted;
	bool escaped;
};

struct zone_parser {
	struct zone *z;
	size_t cap;
	const char *fname;
	size_t line;
	char origin[DNS_NAME_BUFSZ];
	bool have_origin;
	uint32_t default_ttl;
	const char *prev_owner;
	char *err;
	size_t errlen;
};

static bool __attribute__((format(printf, 2, 3)))
zone_error(struct zone_parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen > 0)
		snprintf(p->err, p->errlen, "%s:%zu: %s", p->fname, p->line, msg);
	return false;
}

/*
 * Splits a line into tokens, decoding "quoted strings" and the escapes \X
 * and \DDD (RFC 1035 §5.1) into buf, which has room for the line.
 */
static bool
zone_tokenize(struct zone_parser *p, const char *line, size_t len, char *buf,
    struct zone_tok *toks, size_t *ntok)
{
	size_t i = 0, o = 0, n = 0;

	while (i < len) {
		struct zone_tok *t;
		bool quoted;

		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		if (line[i] == ';')
			break;
		if (line[i] == '(' || line[i] == ')')
			return zone_error(p, "parentheses (multi-line records) are not supported");
		if (n == ZONE_MAX_TOKENS)
			return zone_error(p, "too many fields");
		t = &toks[n++];
		quoted = line[i] == '"';
		if (quoted)
			i++;
		t->s = buf + o;
		t->quoted = quoted;
		t->escaped = false;
		for (;;) {
			unsigned char c;

			if (i >= len) {
				if (quoted)
					return zone_error(p, "unterminated quoted string");
				break;
			}
			c = (unsigned char)line[i];
			if (quoted && c == '"') {
				i++;
				break;
			}
			if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == ';' ||
			    c == '"' || c == '(' || c == ')'))
				break;
			if (c == '\\') {
				t->escaped = true;
				if (i + 1 >= len)
					return zone_error(p, "backslash at end of line");
				if (isdigit((unsigned char)line[i + 1])) {
					unsigned v;

					if (i + 3 >= len || !isdigit((unsigned char)line[i + 2]) ||
					    !isdigit((unsigned char)line[i + 3]))
						return zone_error(p, "\\DDD escape needs three digits");
					v = (unsigned)(line[i + 1] - '0') * 100 +
					    (unsigned)(line[i + 2] - '0') * 10 + (unsigned)(line[i + 3] - '0');
					if (v > 255)
						return zone_error(p, "\\DDD escape above 255");
					buf[o++] = (char)v;
					i += 4;
				} else {
					buf[o++] = line[i + 1];
					i += 2;
				}
				continue;
			}
			buf[o++] = (char)c;
			i++;
		}
		t->len = (size_t)(buf + o - t->s);
		buf[o++] = '\0';
	}
	*ntok = n;
	return true;
}

/* Decimal, or BIND-style units (1h30m, 2d, 1w); at most 2^31-1 (RFC 2181 §8). */
static bool
zone_parse_ttl(const char *s, uint32_t *out)
{
	uint64_t total = 0, v;
	bool units = false;

	if (!isdigit((unsigned char)*s))
		return false;
	while (*s) {
		uint64_t mul;

		if (!isdigit((unsigned char)*s))
			return false;
		for (v = 0; isdigit((unsigned char)*s); s++) {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > ZONE_MAX_TTL)
				return false;
		}
		switch (tolower((unsigned char)*s)) {
		case '\0':
			if (units)
				return false;   /* "1h30" is ambiguous */
			mul = 1;
			break;
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 604800; break;
		default:
			return false;
		}
		if (*s)
			s++;
		units = true;
		total += v * mul;
		if (total > ZONE_MAX_TTL)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

static bool
zone_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/*
 * A name field to canonical form: "@" is the origin, a final dot makes a
 * name absolute, anything else is relative to $ORIGIN. allow_root admits
 * "." (the null MX target of RFC 7505) as "".
 */
static bool
zone_name(struct zone_parser *p, const struct zone_tok *t, bool allow_root, char *out)
{
	char full[2 * DNS_NAME_BUFSZ + 2];

	if (t->quoted || t->escaped)
		return zone_error(p, "quotes and escapes are not supported in names");
	if (strcmp(t->s, "@") == 0) {
		if (!p->have_origin)
			return zone_error(p, "\"@\" without $ORIGIN");
		if (p->origin[0] == '\0') {
			if (!allow_root)
				return zone_error(p, "the root is not a valid name here");
			out[0] = '\0';
			return true;
		}
		strcpy(out, p->origin);
		return true;
	}
	if (strcmp(t->s, ".") == 0) {
		if (!allow_root)
			return zone_error(p, "the root is not a valid name here");
		out[0] = '\0';
		return true;
	}
	if (t->len > 0 && t->s[t->len - 1] == '.') {
		snprintf(full, sizeof(full), "%s", t->s);
	} else {
		if (!p->have_origin)
			return zone_error(p, "relative name \"%.64s\" without $ORIGIN", t->s);
		if (t->len > DNS_NAME_MAX)
			return zone_error(p, "name too long");
		if (p->origin[0] == '\0')
			snprintf(full, sizeof(full), "%s", t->s);
		else
			snprintf(full, sizeof(full), "%s.%s", t->s, p->origin);
	}
	if (strcmp(full, "*") == 0 || strncmp(full, "*.", 2) == 0)
		return zone_error(p, "wildcards are not supported");
	if (!dns_name_normalize(full, out, DNS_NAME_BUFSZ))
		return zone_error(p, "invalid name \"%.64s\"", t->s);
	return true;
}

static bool
zone_query_type(const char *s, uint16_t *type)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = {
		{ "A", DNS_T_A }, { "AAAA", DNS_T_AAAA }, { "MX", DNS_T_MX },
		{ "PTR", DNS_T_PTR }, { "TXT", DNS_T_TXT }, { "CNAME", DNS_T_CNAME },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			*type = types[i].type;
			return true;
		}
	}
	return false;
}

static struct zone_rec *
zone_add(struct zone_parser *p, const char *owner)
{
	struct zone *z = p->z;
	struct zone_rec *r;

	if (z->nrecs == ZONE_MAX_RECORDS) {
		zone_error(p, "more than %d records", ZONE_MAX_RECORDS);
		return NULL;
	}
	if (z->nrecs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct zone_rec *n = realloc(z->recs, cap * sizeof(*n));

		if (n == NULL) {
			zone_error(p, "out of memory");
			return NULL;
		}
		z->recs = n;
		p->cap = cap;
	}
	r = &z->recs[z->nrecs];
	memset(r, 0, sizeof(*r));
	if (p->prev_owner == NULL || strcmp(p->prev_owner, owner) != 0)
		p->prev_owner = arena_strdup(z->a, owner);
	r->owner = p->prev_owner;
	r->seq = z->nrecs;
	r->line = p->line;
	z->nrecs++;
	return r;
}

/* TXT and SPF: one or more <character-string>s, concatenated. */
static bool
zone_txt(struct zone_parser *p, const struct zone_tok *t, size_t n, struct dns_rr *rr)
{
	size_t total = 0, wire = 0, i;
	char *d;

	if (n == 0)
		return zone_error(p, "%s needs at least one string", rr->type == DNS_T_TXT ? "TXT" : "SPF");
	for (i = 0; i < n; i++) {
		if (t[i].len > 255)
			return zone_error(p, "string longer than 255 bytes (split it into several)");
		total += t[i].len;
		wire += t[i].len + 1;
	}
	if (wire > 65535)
		return zone_error(p, "record data longer than 65535 bytes");
	d = arena_alloc(p->z->a, total + 1);
	rr->u.txt.data = d;
	rr->u.txt.len = total;
	for (i = 0; i < n; i++) {
		memcpy(d, t[i].s, t[i].len);
		d += t[i].len;
	}
	return true;
}

static bool
zone_rdata(struct zone_parser *p, struct zone_rec *r, const char *type,
    const struct zone_tok *t, size_t n)
{
	char name[DNS_NAME_BUFSZ];
	uint32_t v;

	if (strcasecmp(type, "A") == 0 || strcasecmp(type, "AAAA") == 0) {
		bool v6 = strlen(type) == 4;

		r->rr.type = v6 ? DNS_T_AAAA : DNS_T_A;
		if (n != 1)
			return zone_error(p, "%s needs one address", type);
		if (inet_pton(v6 ? AF_INET6 : AF_INET, t[0].s,
		    v6 ? (void *)&r->rr.u.aaaa : (void *)&r->rr.u.a) != 1)
			return zone_error(p, "bad %s address \"%.64s\"", v6 ? "IPv6" : "IPv4", t[0].s);
		return true;
	}
	if (strcasecmp(type, "MX") == 0) {
		r->rr.type = DNS_T_MX;
		if (n != 2)
			return zone_error(p, "MX needs a preference and a host");
		if (!zone_parse_u32(t[0].s, 65535, &v))
			return zone_error(p, "bad MX preference \"%.64s\"", t[0].s);
		if (!zone_name(p, &t[1], true, name))
			return false;
		r->rr.u.mx.pref = (uint16_t)v;
		r->rr.u.mx.host = arena_strdup(p->z->a, name);
		return true;
	}
	if (strcasecmp(type, "PTR") == 0 || strcasecmp(type, "CNAME") == 0) {
		r->rr.type = toupper((unsigned char)type[0]) == 'P' ? DNS_T_PTR : DNS_T_CNAME;
		if (n != 1)
			return zone_error(p, "%s needs one name", type);
		if (!zone_name(p, &t[0], false, name))
			return false;
		r->rr.u.name = arena_strdup(p->z->a, name);
		return true;
	}
	if (strcasecmp(type, "TXT") == 0 || strcasecmp(type, "SPF") == 0) {
		r->rr.type = toupper((unsigned char)type[0]) == 'T' ? DNS_T_TXT : ZONE_T_SPF;
		return zone_txt(p, t, n, &r->rr);
	}
	if (strcasecmp(type, "SOA") == 0) {
		uint32_t f[5];

		r->rr.type = DNS_T_SOA;
		if (n != 7)
			return zone_error(p, "SOA needs mname rname serial refresh retry expire minimum on one line");
		if (!zone_name(p, &t[0], true, name) || !zone_name(p, &t[1], true, name))
			return false;
		if (!zone_parse_u32(t[2].s, UINT32_MAX, &f[0]))
			return zone_error(p, "bad SOA serial \"%.64s\"", t[2].s);
		for (size_t i = 1; i < 5; i++)
			if (!zone_parse_ttl(t[2 + i].s, &f[i]))
				return zone_error(p, "bad SOA time \"%.64s\"", t[2 + i].s);
		r->soa_min = f[4];
		return true;
	}
	if (strcasecmp(type, "TIMEOUT") == 0 || strcasecmp(type, "SERVFAIL") == 0) {
		uint16_t qt = 0;

		r->kind = toupper((unsigned char)type[0]) == 'T' ? ZONE_TIMEOUT : ZONE_SERVFAIL;
		if (n > 1)
			return zone_error(p, "%s takes at most one type", type);
		if (n == 1 && (t[0].quoted || !zone_query_type(t[0].s, &qt)))
			return zone_error(p, "%s: unknown type \"%.64s\"", type, t[0].s);
		r->type = qt;
		return true;
	}
	return zone_error(p, "unknown type \"%.64s\"", type);
}

static bool
zone_directive(struct zone_parser *p, const struct zone_tok *t, size_t n)
{
	char name[DNS_NAME_BUFSZ];

	if (strcmp(t[0].s, "$ORIGIN") == 0) {
		if (n != 2)
			return zone_error(p, "$ORIGIN needs one name");
		if (!zone_name(p, &t[1], true, name))
			return false;
		strcpy(p->origin, name);
		p->have_origin = true;
		return true;
	}
	if (strcmp(t[0].s, "$TTL") == 0) {
		if (n != 2 || !zone_parse_ttl(t[1].s, &p->default_ttl))
			return zone_error(p, "$TTL needs one TTL");
		return true;
	}
	return zone_error(p, "unsupported directive %.64s", t[0].s);
}

static bool
zone_line(struct zone_parser *p, const char *line, size_t len, char *buf, struct zone_tok *toks)
{
	char owner[DNS_NAME_BUFSZ];
	size_t n = 0, i = 0;
	bool have_ttl = false;
	uint32_t ttl = 0;
	struct zone_rec *r;

	if (!zone_tokenize(p, line, len, buf, toks, &n))
		return false;
	if (n == 0)
		return true;
	if (line[0] != ' ' && line[0] != '\t' && !toks[0].quoted && toks[0].s[0] == '$')
		return zone_directive(p, toks, n);
	if (line[0] == ' ' || line[0] == '\t') {
		/* RFC 1035 §5.1: a blank owner field repeats the previous owner. */
		if (p->prev_owner == NULL)
			return zone_error(p, "no previous owner for a line starting with a blank");
		strcpy(owner, p->prev_owner);
	} else if (!zone_name(p, &toks[i++], false, owner)) {
		return false;
	}
	/* TTL and class, in either order (RFC 1035 §5.1). */
	for (; i < n && !toks[i].quoted; i++) {
		if (isdigit((unsigned char)toks[i].s[0])) {
			if (have_ttl || !zone_parse_ttl(toks[i].s, &ttl))
				return zone_error(p, "bad TTL \"%.64s\"", toks[i].s);
			have_ttl = true;
		} else if (strcasecmp(toks[i].s, "IN") == 0) {
			continue;
		} else if (strcasecmp(toks[i].s, "CH") == 0 || strcasecmp(toks[i].s, "HS") == 0 ||
		    strcasecmp(toks[i].s, "CS") == 0) {
			return zone_error(p, "only class IN is supported");
		} else {
			break;
		}
	}
	if (i == n)
		return zone_error(p, "missing type");
	if (toks[i].quoted)
		return zone_error(p, "bad type");
	if ((r = zone_add(p, owner)) == NULL)
		return false;
	r->rr.ttl = have_ttl ? ttl : p->default_ttl;
	return zone_rdata(p, r, toks[i].s, toks + i + 1, n - i - 1);
}

/* The lookup side's index, its objections reported as load errors. */
static bool
zone_finish(struct zone_parser *p)
{
	const char *owner;
	size_t line;

	if (zone_index(p->z, &owner, &line))
		return true;
	if (owner == NULL)
		return zone_error(p, "out of memory");
	p->line = line;
	return zone_error(p, "%s: CNAME and other data", owner);
}

struct zone *
zone_load_string(const char *text, size_t len, const char *fname, char *err, size_t errlen)
{
	struct zone_parser p;
	struct zone_tok *toks;
	size_t pos = 0;
	char *buf;
	bool good = true;

	memset(&p, 0, sizeof(p));
	p.z = calloc(1, sizeof(*p.z));
	toks = calloc(ZONE_MAX_TOKENS, sizeof(*toks));
	buf = malloc(ZONE_MAX_LINE + 1);
	if (p.z == NULL || toks == NULL || buf == NULL) {
		free(p.z);
		free(toks);
		free(buf);
		if (errlen > 0)
			snprintf(err, errlen, "%s: out of memory", fname);
		return NULL;
	}
	p.z->a = arena_new();
	p.fname = fname;
	p.default_ttl = ZONE_DEFAULT_TTL;
	p.err = err;
	p.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	while (good && pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;

		p.line++;
		pos += ll + (nl != NULL);
		if (ll > ZONE_MAX_LINE)
			good = zone_error(&p, "line longer than %d bytes", ZONE_MAX_LINE);
		else if (memchr(line, '\0', ll) != NULL)
			good = zone_error(&p, "NUL byte in line");
		else
			good = zone_line(&p, line, ll, buf, toks);
	}
	free(toks);
	free(buf);
	if (good)
		good = zone_finish(&p);
	if (!good) {
		zone_free(&p.z);
		return NULL;
	}
	return p.z;
}

struct zone *
zone_load(const char *path, char *err, size_t errlen)
{
	struct zone *z;
	FILE *f;
	char *text;
	size_t len = 0, cap = 65536, got;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s:0: %s", path, strerror(errno));
		return NULL;
	}
	text = malloc(cap);
	while (text != NULL && (got = fread(text + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			char *t;

			if (cap >= ZONE_MAX_FILE) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "%s:0: file larger than %u bytes", path, ZONE_MAX_FILE);
				return NULL;
			}
			cap *= 2;
			if ((t = realloc(text, cap)) == NULL)
				free(text);
			text = t;
		}
	}
	if (text == NULL || ferror(f)) {
		snprintf(err, errlen, "%s:0: %s", path, text == NULL ? "out of memory" : strerror(errno));
		free(text);
		fclose(f);
		return NULL;
	}
	fclose(f);
	z = zone_load_string(text, len, path, err, errlen);
	free(text);
	return z;
}
