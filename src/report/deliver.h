/*
 * Delivery of an RFC 9990 aggregate report (§2.5 Email): the gzip file
 * named receiver!policy-domain!begin!end!unique-id.xml.gz, the report
 * mail (Subject "Report Domain: ... Submitter: ... Report-ID: ...", a text
 * part and the application/gzip attachment), handed to a sendmail command,
 * or written to a directory (--dry-run).
 */
#ifndef COMPAUTHD_DELIVER_H
#define COMPAUTHD_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"
#include "rua.h"

#define DELIVER_SENDMAIL "/usr/sbin/sendmail -t -oi -f %f"

/* gzip (RFC 1952, no name, time 0: the same input gives the same bytes). */
int deliver_gzip(const void *p, size_t n, struct strbuf *out, char *err, size_t errlen);
/* "receiver!domain!begin!end!id.xml.gz" */
void deliver_filename(const char *receiver, const struct agg_report *r, char *buf, size_t len);

struct deliver_mail {
	const char *from;               /* report_from (admin's, trusted) */
	const char *to;                 /* an ok rua_uri address */
	const char *receiver;
	const struct agg_report *report;
	const char *filename;
	const struct strbuf *gz;
	int64_t now;                    /* Date: */
	unsigned seq;                   /* Message-ID: <report_id.seq@receiver> */
};
/* The whole message, LF line ends, lines under 78 characters. */
void deliver_mail_build(const struct deliver_mail *m, struct strbuf *out);

/*
 * Runs cmd (split at blanks, no shell; a word "%f" becomes from, "%t" to)
 * with the mail on its standard input. 0 when it exits 0, else -1 + err.
 */
int deliver_sendmail(const char *cmd, const char *from, const char *to,
    const struct strbuf *mail, unsigned timeout_s, char *err, size_t errlen);

/* Writes dir/name atomically (name.tmp, rename). 0 or -1 + err. */
int deliver_write(const char *dir, const char *name, const void *p, size_t n,
    char *err, size_t errlen);

/*
 * The recipients a delivery status notification (RFC 3464) says failed
 * ("Final-Recipient: rfc822; ADDR" with "Action: failed"), at most max,
 * each a usable address (domain lower case), no duplicates. How many.
 */
size_t deliver_dsn_failed(const char *msg, size_t len, char (*addrs)[RUA_ADDR_MAX + 1],
    size_t max);

#endif
