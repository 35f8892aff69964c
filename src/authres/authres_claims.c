/*
 * authres_claims_id: does an incoming Authentication-Results field claim
 * our authserv-id?  RFC 8601 section 5 has us remove every such field, and
 * what counts is not how we read the id but how whoever reads the message
 * after us does, and those parsers disagree:
 *
 *  - RFC 8601 itself: CFWS (nested comments, quoted-pairs, folds) before
 *    the id, a token or a quoted-string, CFWS and a version after it;
 *  - SpamAssassin's AuthRes: Perl \s (also VT and FF) around the id, no
 *    comment before it, comments counted without quoted-pairs, and MIME
 *    encoded-words decoded in the whole field before it is parsed (and
 *    8-bit text re-encoded after guessing its charset);
 *  - OpenDMARC: isspace(), quote characters dropped anywhere, a backslash
 *    escapes any byte, a token that starts with '(' is a comment, labels
 *    joined across white space around a '.';
 *  - Mail::AuthenticationResults: everything up to white space or ';' is
 *    the id, comments counted without quoted-pairs;
 *  - naive readers that take what stands before the first ';', or stop at
 *    a comment, or skip an empty first part, or remove folds wrongly.
 *
 * So we claim a field when ANY such reading of its id equals ours, and
 * also whenever we cannot tell: a false removal of someone else's field
 * costs nothing, a forged one we keep is a bypass for whoever trusts it.
 * Concretely, a field is ours when:
 *
 *  1. it has no ';' outside comments and quoted-strings within its first
 *     AR_HEAD_MAX bytes: it is broken, or its id region is longer than
 *     any consumer reads alike, or it was cut short at a NUL byte (the
 *     milter API hands us a value up to its first NUL, the MTA delivers
 *     the rest);
 *  2. what stands before that ';' (the head) holds a control byte other
 *     than the white space of a fold, DEL, an 8-bit byte or an RFC 2047
 *     "=?": consumers decode or re-encode those differently;
 *  3. the head holds no id at all (only CFWS), so a reader may look for
 *     one further on;
 *  4. a generous reading of the id equals ours (ASCII, case-insensitive):
 *     white space, quote characters, backslashes, stray ')' and whole
 *     comments are dropped, and the id ends at anything that is not an
 *     RFC 2045 token character (or at the end, or at a trailing root
 *     dot).  When the head is "token CFWS [version CFWS]", as RFC 8601
 *     has it, every reader starts the id at that token; otherwise (a
 *     comment, a quote, a backslash or any other special first, or
 *     anything but a version after the first token) every word of the
 *     head is tried as a start, as some reader's comment or quote model,
 *     or its recovery from a syntax error, puts the id there;
 *  5. reading it takes more than AR_CLAIM_STEPS steps.
 *
 * Our authserv-id is a host name (config.c), so none of the bytes we drop
 * can be part of it; for any other id a byte that matches it literally is
 * taken as part of it first.
 */
#include <string.h>

#include "authres.h"
#include "authres_int.h"

/* Longer than any real authserv-id, comment and version before the ';';
 * past it MTAs break lines (998) and parsers give up or read differently. */
#define AR_HEAD_MAX	512
/* Reading one field: 512 starts of a few bytes each fit well inside. */
#define AR_CLAIM_STEPS	16384

/* The choices in which parsers differ when they look for the first ';'. */
enum {
	AR_LX_NEST = 1,             /* comments nest */
	AR_LX_ESC = 2,              /* quoted-pairs in comments and quotes */
	AR_LX_ESCOUT = 4,           /* ... and a backslash escapes anywhere */
	AR_LX_QUOTE = 8,            /* quoted-strings hide a ';' */
	AR_LX_ALL = 16,
	AR_LX_RFC = AR_LX_NEST | AR_LX_ESC | AR_LX_QUOTE,
};

static int
ar_claim_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The position of the first ';' outside comments and quotes under one
 * lexer; *found is 0 when there is none within the first AR_HEAD_MAX + 1
 * bytes (or the value ends inside a comment or quote).
 */
static size_t
ar_head_end(const char *v, size_t n, int lx, int *found)
{
	size_t i, depth = 0, lim = n < AR_HEAD_MAX + 1 ? n : AR_HEAD_MAX + 1;
	int c, quoted = 0;

	*found = 0;
	for (i = 0; i < lim; i++) {
		c = (unsigned char)v[i];
		if (c == '\\' && (lx & AR_LX_ESC) &&
		    (quoted || depth > 0 || (lx & AR_LX_ESCOUT))) {
			i++;
		} else if (quoted) {
			quoted = c != '"';
		} else if (c == '(') {
			depth = (lx & AR_LX_NEST) ? depth + 1 : 1;
		} else if (c == ')') {
			if (depth > 0)
				depth--;
		} else if (depth > 0) {
			continue;
		} else if (c == '"' && (lx & AR_LX_QUOTE)) {
			quoted = 1;
		} else if (c == ';') {
			*found = 1;
			return i;
		}
	}
	return lim;
}

/* Skips the comment at v[*p] (on its '('), nested, with quoted-pairs.
 * Returns -1 when it does not end before n or the steps run out. */
static int
ar_skip_comment(const char *v, size_t n, size_t *p, size_t *steps)
{
	size_t depth = 0;

	for (; *p < n; (*p)++) {
		if (++*steps > AR_CLAIM_STEPS)
			return -1;
		if (v[*p] == '\\')
			(*p)++;
		else if (v[*p] == '(')
			depth++;
		else if (v[*p] == ')' && --depth == 0) {
			(*p)++;
			return 0;
		}
	}
	return -1;
}

/*
 * The generous reading from v[p]: 1 when it gives our id followed by the
 * end of the id, 0 when not; 1 as well when the steps run out.
 */
static int
ar_match_at(const char *v, size_t n, size_t p, const char *id, size_t *steps)
{
	size_t i = 0, idn = strlen(id);
	int c;

	for (;;) {
		if (++*steps > AR_CLAIM_STEPS)
			return 1;
		if (p >= n)
			return i == idn;
		c = (unsigned char)v[p];
		if (i == idn)
			/* "ours." is the same name to a reader of DNS names. */
			return !ar_is_token_char(c) || (c == '.' &&
			    (p + 1 >= n || !ar_is_token_char((unsigned char)v[p + 1])));
		if (ar_lower(c) == ar_lower((unsigned char)id[i])) {
			i++;
			p++;
		} else if (c == '(') {
			if (ar_skip_comment(v, n, &p, steps) < 0)
				return *steps > AR_CLAIM_STEPS;
		} else if (c < 0x20 || c == 0x7f || c == ' ' || c == '"' || c == '\\' ||
		    c == ')') {
			p++;
		} else
			return 0;
	}
}

/* Skips white space and whole comments from *p, not past end. */
static void
ar_skip_cfws(const char *v, size_t end, size_t *p, size_t *steps)
{
	for (;;) {
		while (*p < end && ar_claim_wsp((unsigned char)v[*p]))
			(*p)++;
		if (*p >= end || v[*p] != '(' || ar_skip_comment(v, end, p, steps) < 0)
			return;
	}
}

/*
 * Is the head "token CFWS [version CFWS]" from first on, as RFC 8601 has
 * it?  Then every reader takes that token for the id.  Anything else
 * after it (a quote, a backslash, a second word) and readers part ways.
 */
static int
ar_head_clean(const char *v, size_t first, size_t head, size_t *steps)
{
	size_t p = first;

	while (p < head && ar_is_token_char((unsigned char)v[p]))
		p++;
	ar_skip_cfws(v, head, &p, steps);
	if (p < head && v[p] >= '0' && v[p] <= '9') {
		while (p < head && v[p] >= '0' && v[p] <= '9')
			p++;
		ar_skip_cfws(v, head, &p, steps);
	}
	return p == head;
}

int
authres_claims_id(const char *value, size_t len, const char *authserv_id)
{
	const char *v = value;
	size_t head, region, end, i, first, steps = 0;
	int found, lx, c, prev_tok;

	if (value == NULL || authserv_id == NULL || *authserv_id == '\0')
		return 0;
	head = ar_head_end(v, len, AR_LX_RFC, &found);
	if (!found)
		return 1;
	for (i = 0; i < head; i++) {
		c = (unsigned char)v[i];
		if ((c < 0x20 && !ar_claim_wsp(c)) || c >= 0x7f)
			return 1;
		if (c == '=' && v[i + 1] == '?')
			return 1;
	}
	for (first = 0; first < head && ar_claim_wsp((unsigned char)v[first]); first++)
		;
	/* Only white space and comments before the ';': no id. */
	end = first;
	ar_skip_cfws(v, head, &end, &steps);
	if (end >= head)
		return 1;
	if (ar_is_token_char((unsigned char)v[first]) && ar_head_clean(v, first, head, &steps))
		return ar_match_at(v, len, first, authserv_id, &steps);

	region = head;
	for (lx = 0; lx < AR_LX_ALL; lx++) {
		end = ar_head_end(v, len, lx, &found);
		if (found && end > region)
			region = end;
	}
	prev_tok = 0;
	for (i = 0; i < region; i++) {
		c = (unsigned char)v[i];
		if (ar_is_token_char(c) && !prev_tok &&
		    ar_match_at(v, len, i, authserv_id, &steps))
			return 1;
		prev_tok = ar_is_token_char(c);
	}
	return 0;
}
