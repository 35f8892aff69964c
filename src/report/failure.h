/*
 * RFC 9991 failure reports: the report mail for one stored failure sample
 * (failure_sample joined with its message row), in the ARF format of
 * RFC 5965 with the auth-failure extension of RFC 6591: multipart/report;
 * report-type=feedback-report, a text part, a message/feedback-report
 * part (Feedback-Type: auth-failure, Auth-Failure: dmarc, ...) and a
 * text/rfc822-headers part with the header fields the daemon kept,
 * redacted (src/msg/msg_failure.c).
 */
#ifndef COMPAUTHD_FAILURE_H
#define COMPAUTHD_FAILURE_H

#include <stdbool.h>
#include <stdint.h>

#include "aggregate.h"

struct failure_sample {
	const char *id;                 /* message.id */
	int64_t received;
	const char *source_ip, *header_from, *policy_domain, *ruf;
	const char *disposition;        /* none quarantine reject (pass never) */
	bool spf_aligned, dkim_aligned;
	const char *original_mail_from; /* redacted, or NULL */
	const char *auth_results;       /* our A-R value, or NULL */
	const char *headers;            /* redacted header section, LF line ends */
};

struct failure_mail {
	const char *from, *to, *receiver, *user_agent;
	const struct failure_sample *fs;
	int64_t now;
	unsigned seq;
};

/* The whole message, LF line ends. */
void failure_mail_build(const struct failure_mail *m, struct strbuf *out);

#endif
