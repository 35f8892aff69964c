/*
 * The message pipeline: what the MTA tells us, in callback order, and what
 * we tell it at end of message. milter.c drives it for real mail and
 * `compauthd -t` drives the very same functions for test mode; nothing else
 * decides a verdict.
 */
#ifndef COMPAUTHD_MSG_H
#define COMPAUTHD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include "netaddr.h"
#include "runtime.h"

enum msg_action { MSG_ACCEPT = 0, MSG_REJECT, MSG_TEMPFAIL, MSG_QUARANTINE };

struct msg_outcome {
	enum msg_action action;
	const char *rcode;              /* "550", "451" for reject/tempfail */
	const char *xcode;              /* "5.7.1" */
	const char *text;               /* SMTP reply text */
	const char *quarantine_reason;
	size_t ndelete;
	const unsigned *delete_idx;     /* 1-based among Authentication-Results, descending */
	const char *ar_value;           /* our header value (leading space, "\n\t" folds); NULL: none */
	const char *ar_compauth;        /* the compauth field below it (authres_style consumers), or NULL */
	const char *received_spf;       /* Received-SPF value (leading space), or NULL */
	struct {
		const char *aar, *ams, *as;     /* our ARC set (leading space), or NULLs */
	} arc;
	const char *summary;            /* one log line with every result */
};

struct session;
struct msg;

/* hostname: the MTA's name for the client ("[ip]" when none); ip may be NULL (unknown). */
struct session *session_new(struct runtime *rt, const char *hostname, const struct netaddr *ip);
void session_helo(struct session *s, const char *helo);
void session_free(struct session **sp);

/* qid: the MTA's queue id when already known (for every log line), or NULL. */
struct msg *msg_new(struct session *s, const char *qid);
/* Queue id may arrive at any stage; the first non-empty one wins. */
void msg_set_qid(struct msg *m, const char *qid);
const char *msg_qid(const struct msg *m);
/* auth_authen: the SASL login name, NULL/"" when not authenticated. */
void msg_envfrom(struct msg *m, const char *sender, const char *auth_authen);
/* One RCPT TO address ("<a@b>" as the MTA passes it): its domain is kept. */
void msg_envrcpt(struct msg *m, const char *rcpt);
/* value as the MTA gives it (leading space kept, folds as "\r\n" or "\n"). */
void msg_header(struct msg *m, const char *name, const char *value);
void msg_eoh(struct msg *m);
void msg_body(struct msg *m, const unsigned char *data, size_t len);
/* Waits for outstanding DNS (bounded), decides, and says what to do. */
const struct msg_outcome *msg_eom(struct msg *m);
void msg_free(struct msg **mp);

/* "accept" "reject" "tempfail" "quarantine" */
const char *msg_action_name(enum msg_action a);

/* Messages between msg_new and msg_free, for a bounded drain at shutdown. */
unsigned msg_in_flight(void);

#endif
