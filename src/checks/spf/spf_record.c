/*
 * SPF record parser (RFC 7208 §4.5, §4.6, §5, §6 and the §12 ABNF). The
 * whole record is checked before any term is evaluated, because a syntax
 * error anywhere is a permerror even when an earlier mechanism would match
 * (§4.6). Nothing here looks at DNS; the evaluator gets a term array.
 */
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "spf_int.h"

static const struct {
	const char *name;
	enum spf_mech mech;
} spf_mechs[] = {
	{ "all", SPF_M_ALL },
	{ "include", SPF_M_INCLUDE },
	{ "a", SPF_M_A },
	{ "mx", SPF_M_MX },
	{ "ptr", SPF_M_PTR },
	{ "ip4", SPF_M_IP4 },
	{ "ip6", SPF_M_IP6 },
	{ "exists", SPF_M_EXISTS },
};

const char *
spf_mech_name(enum spf_mech m)
{
	size_t i;

	for (i = 0; i < sizeof(spf_mechs) / sizeof(spf_mechs[0]); i++)
		if (spf_mechs[i].mech == m)
			return spf_mechs[i].name;
	return "?";
}

bool
spf_record_is_spf(const char *txt, size_t len)
{
	if (len < 6 || strncasecmp(txt, "v=spf1", 6) != 0)
		return false;
	return len == 6 || txt[6] == ' ';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), ip6-cidr-length likewise
 * with up to three digits (§12): no leading zeros, value within the family.
 */
static bool
cidr_value(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v > max)
		return false;
	*out = v;
	return true;
}

/*
 * Strips a trailing cidr-length from s[0..*len). dual: a/mx syntax
 * ("/n", "//m", "/n//m"); else one "/n" bounded by max4 (ip4: 32, ip6: 128).
 * Returns false with *why when a suffix is there but wrong.
 */
static bool
cidr_suffix(const char *s, size_t *len, bool dual, unsigned max4,
    unsigned *c4, unsigned *c6, const char **why)
{
	size_t end = *len, i;
	int round;

	for (round = 0; round < 2; round++) {
		i = end;
		while (i > 0 && is_digit(s[i - 1]))
			i--;
		if (i == end || i == 0 || s[i - 1] != '/')
			break;
		if (i >= 2 && s[i - 2] == '/') {
			/* "//n": the IPv6 length, allowed once and only before any "/n" */
			if (!dual || round > 0) {
				*why = dual ? "malformed dual-cidr-length" : "dual CIDR not allowed here";
				return false;
			}
			if (!cidr_value(s + i, end - i, 128, c6)) {
				*why = "invalid IPv6 CIDR length";
				return false;
			}
			end = i - 2;
			continue;
		}
		if (!cidr_value(s + i, end - i, max4, c4)) {
			*why = max4 == 128 ? "invalid IPv6 CIDR length" : "invalid IPv4 CIDR length";
			return false;
		}
		end = i - 1;
		break;
	}
	*len = end;
	return true;
}

/* ip4-network = qnum "." qnum "." qnum "." qnum, qnum without leading zeros. */
static bool
parse_ip4(const char *s, size_t n, struct netaddr *out)
{
	size_t pos = 0;
	int part;

	memset(out, 0, sizeof(*out));
	for (part = 0; part < 4; part++) {
		size_t start = pos;
		unsigned v = 0;

		if (part > 0) {
			if (pos >= n || s[pos] != '.')
				return false;
			start = ++pos;
		}
		while (pos < n && is_digit(s[pos]) && pos - start < 3)
			v = v * 10 + (unsigned)(s[pos++] - '0');
		if (pos == start || v > 255 || (pos - start > 1 && s[start] == '0'))
			return false;
		out->addr[part] = (unsigned char)v;
	}
	if (pos != n)
		return false;
	out->family = AF_INET;
	return true;
}

static bool
parse_ip6(const char *s, size_t n, struct netaddr *out)
{
	char buf[64];

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return netaddr_parse(buf, out) && out->family == AF_INET6;
}

static bool
domain_spec(struct arena *a, const char *s, size_t n, const char **out, const char **why)
{
	if (!spf_macro_check_domain_spec(s, n, why))
		return false;
	*out = arena_strndup(a, s, n);
	return true;
}

static int
parse_modifier(struct arena *a, struct spf_record *rec, const char *t, size_t n,
    size_t namelen, const char **why)
{
	const char *val = t + namelen + 1;
	size_t vlen = n - namelen - 1;

	if (namelen == 8 && strncasecmp(t, "redirect", 8) == 0) {
		if (rec->redirect != NULL) {
			*why = "redirect= appears twice";
			return -1;
		}
		return domain_spec(a, val, vlen, &rec->redirect, why) ? 0 : -1;
	}
	if (namelen == 3 && strncasecmp(t, "exp", 3) == 0) {
		if (rec->exp != NULL) {
			*why = "exp= appears twice";
			return -1;
		}
		return domain_spec(a, val, vlen, &rec->exp, why) ? 0 : -1;
	}
	/* §6: unknown modifiers are ignored, but their value must be a macro-string. */
	return spf_macro_check(val, vlen, SPF_MACRO_STRING, why) ? 0 : -1;
}

static int
parse_mechanism(struct arena *a, struct spf_term *term, const char *t, size_t n,
    const char **why)
{
	size_t i, namelen, restlen;
	const char *rest;
	bool found = false;

	term->qual = SPF_PASS;
	if (n > 0 && strchr("+-?~", t[0]) != NULL) {
		term->qual = t[0] == '+' ? SPF_PASS : t[0] == '-' ? SPF_FAIL :
		    t[0] == '?' ? SPF_NEUTRAL : SPF_SOFTFAIL;
		t++;
		n--;
	}
	for (namelen = 0; namelen < n && t[namelen] != ':' && t[namelen] != '/'; namelen++)
		;
	for (i = 0; i < sizeof(spf_mechs) / sizeof(spf_mechs[0]); i++)
		if (strlen(spf_mechs[i].name) == namelen &&
		    strncasecmp(t, spf_mechs[i].name, namelen) == 0) {
			term->mech = spf_mechs[i].mech;
			found = true;
			break;
		}
	if (!found) {
		*why = "unknown mechanism";
		return -1;
	}
	rest = t + namelen;
	restlen = n - namelen;
	term->cidr4 = 32;
	term->cidr6 = 128;
	switch (term->mech) {
	case SPF_M_ALL:
		if (restlen != 0) {
			*why = "\"all\" takes no argument";
			return -1;
		}
		return 0;
	case SPF_M_INCLUDE:
	case SPF_M_EXISTS:
		if (restlen == 0 || rest[0] != ':') {
			*why = "mechanism needs \":\" domain-spec";
			return -1;
		}
		return domain_spec(a, rest + 1, restlen - 1, &term->domain_spec, why) ? 0 : -1;
	case SPF_M_PTR:
		if (restlen == 0)
			return 0;
		if (rest[0] != ':') {
			*why = "\"ptr\" takes no CIDR length";
			return -1;
		}
		return domain_spec(a, rest + 1, restlen - 1, &term->domain_spec, why) ? 0 : -1;
	case SPF_M_A:
	case SPF_M_MX:
		if (!cidr_suffix(rest, &restlen, true, 32, &term->cidr4, &term->cidr6, why))
			return -1;
		if (restlen == 0)
			return 0;
		if (rest[0] != ':') {
			*why = "malformed CIDR length";
			return -1;
		}
		return domain_spec(a, rest + 1, restlen - 1, &term->domain_spec, why) ? 0 : -1;
	case SPF_M_IP4:
	case SPF_M_IP6:
		if (restlen == 0 || rest[0] != ':') {
			*why = "ip4/ip6 needs \":\" address";
			return -1;
		}
		if (term->mech == SPF_M_IP4) {
			if (!cidr_suffix(rest, &restlen, false, 32, &term->cidr4, &term->cidr6, why))
				return -1;
			if (!parse_ip4(rest + 1, restlen - 1, &term->net)) {
				*why = "invalid ip4-network";
				return -1;
			}
		} else {
			if (!cidr_suffix(rest, &restlen, false, 128, &term->cidr6, &term->cidr6, why))
				return -1;
			if (!parse_ip6(rest + 1, restlen - 1, &term->net)) {
				*why = "invalid ip6-network";
				return -1;
			}
		}
		return 0;
	}
	*why = "unknown mechanism";
	return -1;
}

/* What a term is, by its name alone (the full parse comes later). */
enum term_class { TC_MODIFIER, TC_DNS, TC_ALL, TC_OTHER };

static enum term_class
term_class(const char *t, size_t n, size_t *namelen_out)
{
	size_t namelen = 0, i;

	/* modifier = name "=" ...; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (is_alpha(t[0])) {
		namelen = 1;
		while (namelen < n && (is_alpha(t[namelen]) || is_digit(t[namelen]) ||
		    t[namelen] == '-' || t[namelen] == '_' || t[namelen] == '.'))
			namelen++;
	}
	*namelen_out = namelen;
	if (namelen > 0 && namelen < n && t[namelen] == '=')
		return TC_MODIFIER;
	if (n > 0 && strchr("+-?~", t[0]) != NULL) {
		t++;
		n--;
	}
	for (namelen = 0; namelen < n && t[namelen] != ':' && t[namelen] != '/'; namelen++)
		;
	for (i = 0; i < sizeof(spf_mechs) / sizeof(spf_mechs[0]); i++) {
		if (strlen(spf_mechs[i].name) != namelen ||
		    strncasecmp(t, spf_mechs[i].name, namelen) != 0)
			continue;
		switch (spf_mechs[i].mech) {
		case SPF_M_ALL:
			return TC_ALL;
		case SPF_M_IP4:
		case SPF_M_IP6:
			return TC_OTHER;
		default:
			return TC_DNS;
		}
	}
	return TC_OTHER;
}

/* The next space-separated term of txt from *pos (§4.6.1); false at the end. */
static bool
next_term(const char *txt, size_t len, size_t *pos, const char **t, size_t *n)
{
	while (*pos < len && txt[*pos] == ' ')
		(*pos)++;
	if (*pos == len)
		return false;
	*t = txt + *pos;
	*n = 0;
	while (*pos + *n < len && (*t)[*n] != ' ')
		(*n)++;
	*pos += *n;
	return true;
}

/*
 * Mechanisms an evaluation can reach: up to the first "all" (which always
 * matches) or the SPF_RECORD_KEEP_DNS-th DNS mechanism (whose count is
 * always over §4.6.4's limit). Walks the terms as spf_record_parse does.
 */
static size_t
kept_terms(const char *txt, size_t len)
{
	size_t pos = 6, kept = 0, namelen, n;
	unsigned ndns = 0;
	const char *t;

	while (next_term(txt, len, &pos, &t, &n)) {
		switch (term_class(t, n, &namelen)) {
		case TC_MODIFIER:
			break;
		case TC_ALL:
			return kept + 1;
		case TC_DNS:
			if (++ndns == SPF_RECORD_KEEP_DNS)
				return kept + 1;
			kept++;
			break;
		case TC_OTHER:
			kept++;
			break;
		}
	}
	return kept;
}

int
spf_record_parse(struct arena *a, const char *txt, size_t len,
    struct spf_record **out, const char **why)
{
	struct spf_record *rec;
	struct arena *scratch = NULL;
	struct spf_term unkept;
	size_t pos, i, cap;
	const char *dummy;
	int rc = -1;

	if (why == NULL)
		why = &dummy;
	*out = NULL;
	if (len > SPF_RECORD_MAX) {
		*why = "record too long";
		return -1;
	}
	if (!spf_record_is_spf(txt, len)) {
		*why = "not an SPF record";
		return -1;
	}
	/* §3.1 / §4.6.1: 7-bit text, terms separated by spaces only. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)txt[i];

		if (c >= 0x80) {
			*why = "non-ASCII character in record";
			return -1;
		}
		if (c < 0x20 || c == 0x7f) {
			*why = "control character in record";
			return -1;
		}
	}
	cap = kept_terms(txt, len);
	rec = arena_alloc(a, sizeof(*rec));
	rec->terms = arena_alloc(a, (cap + 1) * sizeof(*rec->terms));
	pos = 6;
	for (;;) {
		struct spf_term *term;
		const char *t;
		size_t n = 0, namelen = 0;
		enum term_class tc;

		if (!next_term(txt, len, &pos, &t, &n))
			break;
		tc = term_class(t, n, &namelen);
		if (tc == TC_MODIFIER) {
			if (parse_modifier(a, rec, t, n, namelen, why) != 0)
				goto done;
			if (namelen == 8 && strncasecmp(t, "redirect", 8) == 0)
				rec->ndns++;
			continue;
		}
		if (tc == TC_DNS)
			rec->ndns++;
		/*
		 * §4.6: a syntax error anywhere is a permerror, so every term is
		 * parsed; those no evaluation reaches are not kept (a record of
		 * 2000 terms costs what its first few do).
		 */
		if (rec->nterms < cap) {
			term = &rec->terms[rec->nterms];
		} else {
			if (scratch == NULL)
				scratch = arena_new();
			term = &unkept;
		}
		memset(term, 0, sizeof(*term));
		if (parse_mechanism(term == &unkept ? scratch : a, term, t, n, why) != 0)
			goto done;
		if (term != &unkept)
			rec->terms[rec->nterms++].text = arena_strndup(a, t, n);
	}
	*out = rec;
	rc = 0;
done:
	arena_free(&scratch);
	return rc;
}
