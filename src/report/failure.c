/*
 * The RFC 9991 failure report mail (see failure.h). Every value that came
 * from the message was redacted and made printable US-ASCII by the daemon;
 * what is written here is still bounded to one line (or folded lines) so
 * that nothing the sender chose can add a header field or a MIME part.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "failure.h"

static void
fr_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/*
 * A field value on one logical line: CR dropped, a line end kept only as a
 * fold (followed by white space, added when missing), other control and
 * 8-bit bytes as '?', and no empty continuation line.
 */
static void
fr_value(struct strbuf *out, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\r')
			continue;
		if (c == '\n') {
			while (p[1] == '\r' || p[1] == '\n')
				p++;
			if (p[1] == '\0')
				break;
			rbuf_puts(out, p[1] == ' ' || p[1] == '\t' ? "\n" : "\n ");
			continue;
		}
		char ch = c == '\t' || (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		rbuf_add(out, &ch, 1);
	}
}

/* The kept header section: lines as stored, each line a field or a fold. */
static void
fr_headers(struct strbuf *out, const char *h, const char *boundary)
{
	const char *p = h ? h : "";
	size_t blen = strlen(boundary);
	while (*p) {
		size_t n = strcspn(p, "\n");
		/* never an empty line (it would end the section) nor a boundary */
		bool fold = p[0] == ' ' || p[0] == '\t';
		bool usable = n > 0 && (fold || memchr(p, ':', n) != NULL) &&
		    !(n >= blen + 2 && p[0] == '-' && p[1] == '-' && memcmp(p + 2, boundary, blen) == 0);
		if (usable) {
			for (size_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)p[i];
				char ch = c == '\t' || (c >= 0x20 && c < 0x7f) ? (char)c : '?';
				rbuf_add(out, &ch, 1);
			}
			rbuf_puts(out, "\n");
		}
		p += n;
		if (*p == '\n')
			p++;
	}
}

void
failure_mail_build(const struct failure_mail *m, struct strbuf *out)
{
	const struct failure_sample *fs = m->fs;
	char date[64], arrival[64], boundary[96];
	const char *align = fs->spf_aligned && fs->dkim_aligned ? "dkim, spf" :
	    fs->dkim_aligned ? "dkim" : fs->spf_aligned ? "spf" : "none";
	const char *delivery = !fs->disposition ? "other" :
	    strcmp(fs->disposition, "reject") == 0 ? "reject" :
	    strcmp(fs->disposition, "quarantine") == 0 ? "spam" : "delivered";

	fr_utc(m->now, date, sizeof date);
	fr_utc(fs->received, arrival, sizeof arrival);
	snprintf(boundary, sizeof boundary, "=_failure_%s_%u_%" PRId64, fs->id, m->seq, m->now);
	out->len = 0;
	rbuf_printf(out, "From: %s\n", m->from);
	rbuf_printf(out, "To: %s\n", m->to);
	rbuf_printf(out, "Subject: DMARC Failure Report for %s from %s\n", fs->header_from,
	    fs->source_ip);
	rbuf_printf(out, "Date: %s\n", date);
	rbuf_printf(out, "Message-ID: <failure.%s.%u.%" PRId64 "@%s>\n", fs->id, m->seq, m->now,
	    m->receiver);
	rbuf_puts(out, "Auto-Submitted: auto-generated\n");
	rbuf_puts(out, "MIME-Version: 1.0\n");
	rbuf_printf(out, "Content-Type: multipart/report; report-type=feedback-report;\n"
	    " boundary=\"%s\"\n\n", boundary);
	rbuf_puts(out, "This is a multi-part message in MIME format.\n\n");
	rbuf_printf(out, "--%s\nContent-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n", boundary);
	rbuf_printf(out, "This is a DMARC failure report (RFC 9991) from %s.\n"
	    "A message with From domain %s, received from %s at\n%s,\n"
	    "failed DMARC under the policy record of %s.\n\n"
	    "Its header fields follow, redacted: every address is shown as\n"
	    "redacted@domain (local parts and display names removed), only\n"
	    "From, Sender, Reply-To, To, Cc, Subject, Date, Message-ID and\n"
	    "DKIM-Signature are included, and never the body.\n\n",
	    m->receiver, fs->header_from, fs->source_ip, arrival, fs->policy_domain);
	rbuf_printf(out, "--%s\nContent-Type: message/feedback-report\n\n", boundary);
	rbuf_puts(out, "Feedback-Type: auth-failure\n");
	rbuf_printf(out, "User-Agent: %s\n", m->user_agent);
	rbuf_puts(out, "Version: 1\n");
	rbuf_puts(out, "Auth-Failure: dmarc\n");
	if (fs->auth_results && *fs->auth_results) {
		rbuf_puts(out, "Authentication-Results: ");
		fr_value(out, fs->auth_results);
		rbuf_puts(out, "\n");
	}
	rbuf_printf(out, "Identity-Alignment: %s\n", align);
	if (fs->original_mail_from && *fs->original_mail_from) {
		rbuf_puts(out, "Original-Mail-From: ");
		fr_value(out, fs->original_mail_from);
		rbuf_puts(out, "\n");
	}
	rbuf_printf(out, "Arrival-Date: %s\n", arrival);
	rbuf_printf(out, "Source-IP: %s\n", fs->source_ip);
	rbuf_printf(out, "Reported-Domain: %s\n", fs->header_from);
	rbuf_printf(out, "Delivery-Result: %s\n\n", delivery);
	rbuf_printf(out, "--%s\nContent-Type: text/rfc822-headers\n"
	    "Content-Transfer-Encoding: 7bit\n\n", boundary);
	fr_headers(out, fs->headers, boundary);
	rbuf_printf(out, "\n--%s--\n", boundary);
}
