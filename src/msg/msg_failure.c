/*
 * RFC 9991 failure samples (failure_reports = yes): while the header
 * arrives, the fields a failure report shows are copied, already redacted,
 * into one buffer of at most STORE_FAILURE_HEADERS_MAX bytes (allocated on
 * the first kept field, in the message's arena); at end of message
 * msg_failure_sample() decides whether this message gets a report and
 * hands the buffer to the store row. Nothing else is copied, the body
 * never.
 *
 * Kept (RFC 9991 §Privacy: the report generator keeps what identifies the
 * message and its authentication, and redacts the rest): From, Sender,
 * Reply-To, To, Cc rewritten as "redacted@DOMAIN" for each address (display
 * names, comments and local parts go: RFC 6590); Subject, Date,
 * Message-ID as they are; DKIM-Signature with the local part of i= (and of
 * any address in z=) replaced. Received fields (our users' addresses in
 * "for <...>", internal hosts) and all other fields are left out. Bytes
 * outside printable US-ASCII become '?'; line ends are LF.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "msg_int.h"
#include "report_store.h"

#define REDACTED "redacted"

enum fr_kind { FR_ADDR, FR_PLAIN, FR_DKIM };

static const struct {
	const char *name;
	enum fr_kind kind;
} fr_fields[] = {
	{ "From", FR_ADDR }, { "Sender", FR_ADDR }, { "Reply-To", FR_ADDR },
	{ "To", FR_ADDR }, { "Cc", FR_ADDR }, { "Subject", FR_PLAIN },
	{ "Date", FR_PLAIN }, { "Message-ID", FR_PLAIN }, { "DKIM-Signature", FR_DKIM },
};

struct fr_out {
	char *p;
	size_t len, cap;
	bool full;
};

static void
fr_putc(struct fr_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->p[o->len++] = c;
	else
		o->full = true;
}

static void
fr_puts(struct fr_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fr_putc(o, s[i]);
}

static bool
fr_domain_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/* Every address of the field as redacted@domain, comma-separated. */
static void
fr_addr(struct fr_out *o, const char *v, size_t vlen)
{
	size_t n = 0;

	for (size_t i = 0; i < vlen; i++) {
		if (v[i] != '@')
			continue;
		size_t k = i + 1;
		while (k < vlen && fr_domain_char((unsigned char)v[k]))
			k++;
		if (k == i + 1)
			continue;
		if (n++ > 0)
			fr_puts(o, ", ", 2);
		fr_puts(o, REDACTED "@", strlen(REDACTED "@"));
		for (size_t j = i + 1; j < k; j++)
			fr_putc(o, (char)tolower((unsigned char)v[j]));
		i = k - 1;
	}
	if (n == 0)
		fr_puts(o, REDACTED, strlen(REDACTED));
}

/* The value with line ends as LF; with dkim, each local part before '@' redacted. */
static void
fr_plain(struct fr_out *o, const char *v, size_t vlen, bool dkim)
{
	size_t start = o->len;

	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			/* keep a fold only when white space follows (it always should) */
			fr_putc(o, i + 1 < vlen && (v[i + 1] == ' ' || v[i + 1] == '\t') ? '\n' : ' ');
			continue;
		}
		if (dkim && c == '@') {
			size_t b = o->len;
			while (b > start && !strchr("=;:| \t\n,<", o->p[b - 1]))
				b--;
			if (b < o->len) {
				o->len = b;
				fr_puts(o, REDACTED, strlen(REDACTED));
			}
		}
		fr_putc(o, c == '\t' || (c >= 0x20 && c < 0x7f) ? (char)c : '?');
	}
}

void
msg_failure_header(struct msg *m, const char *name, const char *value, size_t vlen)
{
	size_t k;

	for (k = 0; k < sizeof(fr_fields) / sizeof(fr_fields[0]); k++)
		if (strcasecmp(name, fr_fields[k].name) == 0)
			break;
	if (k == sizeof(fr_fields) / sizeof(fr_fields[0]) || m->fr_trunc)
		return;
	if (m->fr_buf == NULL) {
		m->fr_buf = arena_alloc(m->arena, STORE_FAILURE_HEADERS_MAX);
		m->fr_len = 0;
	}
	struct fr_out o = { m->fr_buf, m->fr_len, STORE_FAILURE_HEADERS_MAX, false };

	fr_puts(&o, fr_fields[k].name, strlen(fr_fields[k].name));
	fr_puts(&o, ": ", 2);
	while (vlen > 0 && (*value == ' ' || *value == '\t'))
		value++, vlen--;
	if (fr_fields[k].kind == FR_ADDR)
		fr_addr(&o, value, vlen);
	else
		fr_plain(&o, value, vlen, fr_fields[k].kind == FR_DKIM);
	fr_putc(&o, '\n');
	if (o.full) {
		/* A field that does not fit is left out whole, and so are later ones. */
		m->fr_trunc = true;
		m->fr_buf[m->fr_len] = '\0';
		return;
	}
	m->fr_len = o.len;
	m->fr_buf[m->fr_len] = '\0';
}

/* Is d the author domain, or within its organizational domain (relaxed)? */
static bool
fr_author_d(const char *d, const struct dmarc_result *dr)
{
	const char *org = dr->org_domain ? dr->org_domain : dr->header_from;
	size_t dl = strlen(d), ol = strlen(org);

	if (strcasecmp(d, dr->header_from) == 0 || strcasecmp(d, org) == 0)
		return true;
	return dl > ol && d[dl - ol - 1] == '.' && strcasecmp(d + dl - ol, org) == 0;
}

/*
 * fo= (RFC 9989 / RFC 7489 §6.3), colon-separated, default "0", asked of a
 * message that failed DMARC: 0 neither SPF nor DKIM gave an aligned pass;
 * 1 one of them did not; d a DKIM signature of the author's (organizational)
 * domain did not verify (any result but pass and temperror); s SPF fail.
 * Unknown values are ignored.
 */
static bool
fr_fo_wants(struct msg *m, const struct dmarc_result *dr)
{
	const char *fo = dr->record.fo != NULL && dr->record.fo[0] ? dr->record.fo : "0";

	for (const char *p = fo; *p; ) {
		while (*p == ' ' || *p == '\t' || *p == ':')
			p++;
		size_t n = strcspn(p, ":");
		size_t t = n;
		while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t'))
			t--;
		if (t == 1) {
			switch (tolower((unsigned char)p[0])) {
			case '0':
				if (!dr->spf_aligned && !dr->dkim_aligned)
					return true;
				break;
			case '1':
				if (!dr->spf_aligned || !dr->dkim_aligned)
					return true;
				break;
			case 'd':
				for (size_t i = 0; i < m->ndkim_sigs; i++) {
					const struct dkimv_sig *s = &m->dkim_sigs[i];

					if (s->d != NULL && strcmp(s->result, "pass") != 0 &&
					    strcmp(s->result, "temperror") != 0 && fr_author_d(s->d, dr))
						return true;
				}
				break;
			case 's':
				if (m->spf != NULL && m->spf_res.domain != NULL &&
				    m->spf_res.result == SPF_FAIL)
					return true;
				break;
			}
		}
		p += n;
	}
	return false;
}

void
msg_failure_sample(struct msg *m, const struct dmarc_result *dr, struct store_msg *sm)
{
	const struct dmarc_record *r = &dr->record;
	const char *at;

	if (!m->cfg->failure_reports || m->fr_buf == NULL || m->fr_len == 0 ||
	    dr->result != DMARC_RES_FAIL || dr->policy_domain == NULL || r->ruf == NULL ||
	    r->ruf[0] == '\0' || r->psd == DMARC_PSD_Y || sm->is_report || !fr_fo_wants(m, dr))
		return;
	sm->failure_headers = m->fr_buf;
	if (m->sender == NULL || m->sender[0] == '\0')
		sm->failure_mail_from = "<>";
	else if ((at = strrchr(m->sender, '@')) != NULL && at[1] != '\0')
		sm->failure_mail_from = arena_printf(m->arena, REDACTED "@%s", sm->envelope_from ?
		    sm->envelope_from : at + 1);
	else
		sm->failure_mail_from = REDACTED;
	/* Our A-R value: no local parts in it today, redacted all the same. */
	const char *ar = m->out.ar_value;
	if (ar != NULL) {
		size_t len, nat = 0;

		ar += strspn(ar, " \t\r\n");
		len = strlen(ar);
		for (const char *p = ar; *p; p++)
			nat += *p == '@';
		struct fr_out o = { arena_alloc(m->arena, len + nat * 8 + 2), 0, len + nat * 8 + 2,
			false };
		fr_plain(&o, ar, len, true);
		o.p[o.len] = '\0';
		sm->failure_auth_results = o.p;
	}
}
