/*
 * Bounces of report mails (RFC 3464 delivery status notifications, as
 * Postfix and Sendmail send them back to the --from address): the
 * recipients whose Action is "failed". Read line by line, without MIME
 * decoding (both MTAs send the status part as 7bit text); a per-recipient
 * block ends at a blank line. The caller counts only addresses reports
 * were sent to, so a forged notice cannot suppress another mailbox.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "deliver.h"
#include "rua.h"

/* value of "name:" at line start (case-insensitive), blanks skipped, or NULL */
static const char *
dsn_field(const char *line, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name);
	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1, len -= n + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	*vlen = len;
	return line;
}

size_t
deliver_dsn_failed(const char *msg, size_t len, char (*addrs)[RUA_ADDR_MAX + 1], size_t max)
{
	char rcpt[RUA_ADDR_MAX + 1] = "";
	bool failed = false;
	size_t n = 0, i = 0;

	while (i <= len && n < max) {
		size_t s = i, e, vl;
		const char *v;
		while (i < len && msg[i] != '\n')
			i++;
		e = i++;
		if (e > s && msg[e - 1] == '\r')
			e--;
		if (e > s && (v = dsn_field(msg + s, e - s, "Final-Recipient", &vl)) != NULL) {
			/* address-type ";" generic-address; rfc822 only */
			const char *semi = memchr(v, ';', vl);
			if (semi && semi - v >= 6 && strncasecmp(v, "rfc822", 6) == 0) {
				const char *a = semi + 1;
				size_t al = vl - (size_t)(a - v);
				struct rua_uri u;
				char uri[RUA_ADDR_MAX + 16];
				while (al && (*a == ' ' || *a == '\t'))
					a++, al--;
				if (al && al <= RUA_ADDR_MAX) {
					memcpy(uri, "mailto:", 7);
					memcpy(uri + 7, a, al);
					uri[7 + al] = '\0';
					if (!memchr(a, '%', al) && !memchr(a, '!', al) &&
					    rua_parse(uri, 7 + al, &u, 1) == 1 && u.ok)
						memcpy(rcpt, u.addr, sizeof rcpt);
				}
			}
		} else if (e > s && (v = dsn_field(msg + s, e - s, "Action", &vl)) != NULL) {
			failed = vl >= 6 && strncasecmp(v, "failed", 6) == 0;
		}
		if (e == s || i > len) {        /* blank line or end: a block ends */
			if (failed && rcpt[0]) {
				size_t k;
				for (k = 0; k < n && strcmp(addrs[k], rcpt) != 0; k++)
					;
				if (k == n)
					memcpy(addrs[n++], rcpt, sizeof rcpt);
			}
			rcpt[0] = '\0';
			failed = false;
		}
	}
	return n;
}
