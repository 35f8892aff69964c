/*
 * SPF result words and the Received-SPF field value (RFC 7208 §9.1).
 * Everything put in the field comes from the envelope or DNS, so values
 * are quoted unless they are dot-atoms and comments are escaped: a sender
 * cannot end the comment or add keys of its own.
 */
#include <stdio.h>
#include <string.h>

#include "spf.h"

#define HDR_VALUE_MAX 256               /* per envelope value, bytes shown */

const char *
spf_result_name(enum spf_res r)
{
	switch (r) {
	case SPF_NONE: return "none";
	case SPF_NEUTRAL: return "neutral";
	case SPF_PASS: return "pass";
	case SPF_FAIL: return "fail";
	case SPF_SOFTFAIL: return "softfail";
	case SPF_TEMPERROR: return "temperror";
	case SPF_PERMERROR: return "permerror";
	}
	return "permerror";
}

struct hbuf {
	char buf[8192];
	size_t len;
};

static void
hb_putc(struct hbuf *b, char c)
{
	if (b->len + 1 < sizeof(b->buf))
		b->buf[b->len++] = c;
}

static void
hb_puts(struct hbuf *b, const char *s)
{
	for (; *s; s++)
		hb_putc(b, *s);
}

/* Text inside a comment: printable ASCII, with ( ) \ escaped (RFC 5322 ccontent). */
static void
hb_comment_text(struct hbuf *b, const char *s)
{
	size_t n;

	for (n = 0; s[n] && n < HDR_VALUE_MAX; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c < 0x20 || c > 0x7e)
			c = '?';
		if (c == '(' || c == ')' || c == '\\')
			hb_putc(b, '\\');
		hb_putc(b, (char)c);
	}
}

static bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
is_dot_atom(const char *s)
{
	bool prev_dot = true;

	if (*s == '\0' || strlen(s) > HDR_VALUE_MAX)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (prev_dot)
				return false;
			prev_dot = true;
		} else if (is_atext((unsigned char)*s)) {
			prev_dot = false;
		} else {
			return false;
		}
	}
	return !prev_dot;
}

/* key=value; with value a dot-atom or a quoted-string */
static void
hb_kv(struct hbuf *b, const char *key, const char *val)
{
	size_t n;

	hb_putc(b, ' ');
	hb_puts(b, key);
	hb_putc(b, '=');
	if (is_dot_atom(val)) {
		hb_puts(b, val);
	} else {
		hb_putc(b, '"');
		for (n = 0; val[n] && n < HDR_VALUE_MAX; n++) {
			unsigned char c = (unsigned char)val[n];

			if (c < 0x20 || c > 0x7e)
				c = '?';
			if (c == '"' || c == '\\')
				hb_putc(b, '\\');
			hb_putc(b, (char)c);
		}
		hb_putc(b, '"');
	}
	hb_putc(b, ';');
}

const char *
spf_received_spf(struct arena *a, const struct spf_result *r)
{
	struct hbuf b;
	const char *who = r->sender ? r->sender : r->domain ? r->domain : "unknown";
	const char *ip = r->client_ip ? r->client_ip : "unknown";

	b.len = 0;
	hb_puts(&b, spf_result_name(r->result));
	hb_puts(&b, " (");
	hb_comment_text(&b, r->receiver ? r->receiver : "unknown");
	hb_puts(&b, ": ");
	switch (r->result) {
	case SPF_PASS:
		hb_puts(&b, "domain of ");
		hb_comment_text(&b, who);
		hb_puts(&b, " designates ");
		hb_comment_text(&b, ip);
		hb_puts(&b, " as permitted sender");
		break;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
		hb_puts(&b, r->result == SPF_SOFTFAIL ? "domain of transitioning " : "domain of ");
		hb_comment_text(&b, who);
		hb_puts(&b, " does not designate ");
		hb_comment_text(&b, ip);
		hb_puts(&b, " as permitted sender");
		break;
	case SPF_NEUTRAL:
		hb_comment_text(&b, ip);
		hb_puts(&b, " is neither permitted nor denied by domain of ");
		hb_comment_text(&b, who);
		break;
	case SPF_NONE:
		hb_puts(&b, "domain of ");
		hb_comment_text(&b, who);
		hb_puts(&b, " does not designate permitted sender hosts");
		break;
	case SPF_TEMPERROR:
	case SPF_PERMERROR:
		hb_puts(&b, r->result == SPF_TEMPERROR ? "temporary" : "permanent");
		hb_puts(&b, " error in processing during lookup of ");
		hb_comment_text(&b, who);
		break;
	}
	hb_putc(&b, ')');
	hb_kv(&b, "client-ip", ip);
	if (r->envelope_from != NULL && *r->envelope_from != '\0')
		hb_kv(&b, "envelope-from", r->envelope_from);
	if (r->helo != NULL && *r->helo != '\0')
		hb_kv(&b, "helo", r->helo);
	hb_kv(&b, "receiver", r->receiver ? r->receiver : "unknown");
	hb_kv(&b, "identity", r->identity ? r->identity : "mailfrom");
	if (r->mechanism != NULL)
		hb_kv(&b, "mechanism", r->mechanism);
	else if (r->result >= SPF_NEUTRAL && r->result <= SPF_SOFTFAIL)
		hb_kv(&b, "mechanism", "default");      /* §9.1: no mechanism matched */
	if (r->problem != NULL && (r->result == SPF_PERMERROR || r->result == SPF_TEMPERROR))
		hb_kv(&b, "problem", r->problem);
	b.buf[b.len] = '\0';
	return arena_strdup(a, b.buf);
}
