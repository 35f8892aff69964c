/*
 * The DMARC policy record (RFC 7489 §6.3, §6.4; RFC 9989 §4.7): a
 * tag-value list that must start with v=DMARC1. Published by anyone, so
 * the parser is lenient the way the RFCs ask (unknown tags and invalid
 * optional values are ignored, defaults apply) and strict where they ask:
 * the version tag, and the rule both RFCs give for a policy tag that is
 * absent or not valid (RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1): with a
 * valid rua= the record reads as p=none, without one it asks for no DMARC
 * processing at all.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"

static bool
wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
val_is(const char *v, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(v, word, n) == 0;
}

static enum dmarc_policy
policy_word(const char *v, size_t n)
{
	if (val_is(v, n, "none"))
		return DMARC_P_NONE;
	if (val_is(v, n, "quarantine"))
		return DMARC_P_QUARANTINE;
	if (val_is(v, n, "reject"))
		return DMARC_P_REJECT;
	return DMARC_P_UNSET;
}

/* Digits only, at most max; -1 otherwise. */
static long
number(const char *v, size_t n, long max)
{
	long x = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x > max ? -1 : x;
}

/* RFC 7489 §6.4 dmarc-uri: a URI (scheme ":" ...) with an optional !size. */
static bool
valid_uri_list(const char *v, size_t n)
{
	size_t i = 0, start, k;

	while (i < n) {
		while (i < n && wsp(v[i]))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		for (k = start; k < i; k++) {
			char c = v[k];

			if (c == ':')
				break;
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (k > start && ((c >= '0' && c <= '9') || c == '+' ||
			    c == '-' || c == '.'))))
				break;
		}
		if (k > start && k < i && v[k] == ':' && k + 1 < i && !wsp(v[k + 1]))
			return true;
		if (i < n)
			i++;
	}
	return false;
}

enum dmarc_rec_status
dmarc_record_parse(struct arena *a, const char *txt, size_t len, enum dmarc_mode mode,
    struct dmarc_record *r, const char **why)
{
	const char *p = txt, *end = txt + len, *tag, *v;
	size_t tn, vn, ntags = 0, seen_sp = 0, seen_np = 0;
	bool have_p = false, p_bad = false, sp_bad = false, np_bad = false, rua_ok = false;
	const char *dummy;
	long x;

	if (why == NULL)
		why = &dummy;
	memset(r, 0, sizeof(*r));
	r->pct = 100;
	r->ri = 86400;
	if (txt == NULL) {
		*why = "no record";
		return DMARC_REC_NOT_DMARC;
	}
	while (p < end) {
		while (p < end && (wsp(*p) || *p == ';'))
			p++;
		if (p == end)
			break;
		tag = p;
		while (p < end && !wsp(*p) && *p != '=' && *p != ';')
			p++;
		tn = (size_t)(p - tag);
		while (p < end && wsp(*p))
			p++;
		if (p == end || *p != '=') {
			/* §6.3: v=DMARC1 must come first; later junk is ignored. */
			if (ntags == 0) {
				*why = "does not start with v=DMARC1";
				return DMARC_REC_NOT_DMARC;
			}
			while (p < end && *p != ';')
				p++;
			ntags++;
			continue;
		}
		p++;
		while (p < end && wsp(*p))
			p++;
		v = p;
		while (p < end && *p != ';')
			p++;
		vn = (size_t)(p - v);
		while (vn > 0 && wsp(v[vn - 1]))
			vn--;
		if (ntags++ == 0) {
			/* §6.4: "v" *WSP "=" *WSP %x44.4d.41.52.43.31, case-sensitive value */
			if (tn != 1 || (*tag != 'v' && *tag != 'V') ||
			    vn != 6 || memcmp(v, "DMARC1", 6) != 0) {
				*why = "does not start with v=DMARC1";
				return DMARC_REC_NOT_DMARC;
			}
			continue;
		}
		if (val_is(tag, tn, "p")) {
			if (!have_p && (r->p = policy_word(v, vn)) != DMARC_P_UNSET)
				have_p = true;
			else if (!have_p)
				p_bad = true;
		} else if (val_is(tag, tn, "sp")) {
			if (!seen_sp++ && (r->sp = policy_word(v, vn)) == DMARC_P_UNSET)
				sp_bad = true;
		} else if (val_is(tag, tn, "np")) {
			/* kept for reports in both modes; RFC 7489 knows no np= to be bad */
			if (!seen_np++ && (r->np = policy_word(v, vn)) == DMARC_P_UNSET)
				np_bad = mode == DMARC_RFC9989;
		} else if (val_is(tag, tn, "adkim")) {
			r->adkim_strict = val_is(v, vn, "s");
		} else if (val_is(tag, tn, "aspf")) {
			r->aspf_strict = val_is(v, vn, "s");
		} else if (val_is(tag, tn, "pct")) {
			if ((x = number(v, vn, 100)) >= 0)
				r->pct = (unsigned)x;
		} else if (val_is(tag, tn, "t")) {
			r->testing = val_is(v, vn, "y");
		} else if (val_is(tag, tn, "psd")) {
			r->psd = val_is(v, vn, "y") ? DMARC_PSD_Y :
			    val_is(v, vn, "n") ? DMARC_PSD_N : DMARC_PSD_U;
		} else if (val_is(tag, tn, "ri")) {
			if ((x = number(v, vn, 4294967295L)) >= 0)
				r->ri = (unsigned)x;
		} else if (val_is(tag, tn, "rua")) {
			r->rua = arena_strndup(a, v, vn);
			rua_ok = valid_uri_list(v, vn);
		} else if (val_is(tag, tn, "ruf")) {
			r->ruf = arena_strndup(a, v, vn);
		} else if (val_is(tag, tn, "fo")) {
			r->fo = arena_strndup(a, v, vn);
		}
		/* anything else: §6.3 unknown tags MUST be ignored */
	}
	if (ntags == 0) {
		*why = "empty record";
		return DMARC_REC_NOT_DMARC;
	}
	if (!have_p || sp_bad || np_bad) {
		const char *what = !have_p ? (p_bad ? "p= not valid" : "no p=") :
		    sp_bad ? "sp= not valid" : "np= not valid";

		if (!rua_ok) {
			/*
			 * No policy and no report address: the owner asked for
			 * nothing DMARC could do. RFC 9989 applies no DMARC
			 * processing; in the walk the record still stands where
			 * it is (its psd= counts). RFC 7489 mode has always
			 * reported it as an error of the record.
			 */
			r->p = DMARC_P_UNSET;
			r->sp = r->np = DMARC_P_UNSET;
			*why = arena_printf(a, "%s and no valid rua=: %s", what,
			    mode == DMARC_RFC9989 ? "DMARC does not apply (RFC 9989 section 4.10.1)" :
			    "invalid record (RFC 7489 section 6.6.3)");
			return mode == DMARC_RFC9989 ? DMARC_REC_NO_POLICY : DMARC_REC_INVALID;
		}
		/* "as if a record containing p=none was retrieved": sp= and np= too */
		r->p = DMARC_P_NONE;
		r->sp = r->np = DMARC_P_UNSET;
		r->p_defaulted = true;
		*why = arena_printf(a, "%s, valid rua=: read as p=none", what);
		return DMARC_REC_OK;
	}
	*why = "valid record";
	return DMARC_REC_OK;
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_P_UNSET:             return "";
	case DMARC_P_NONE:              return "none";
	case DMARC_P_QUARANTINE:        return "quarantine";
	case DMARC_P_REJECT:            return "reject";
	}
	return "?";
}
