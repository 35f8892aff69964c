/* `compauthd -t`: one message from a file through the same pipeline as the milter. */
#ifndef COMPAUTHD_TESTMODE_H
#define COMPAUTHD_TESTMODE_H

#include <stdio.h>
#include "config.h"

struct testmode_opts {
	const char *message;            /* path, "-" = stdin */
	const char *client_ip;
	const char *client_name;        /* MTA's name for the client; default "[ip]" */
	const char *helo;
	const char *mail_from;
	const char *auth_user;          /* simulate an authenticated submission */
	const char *zone;               /* overrides zone_file */
	const char *qid;
	const char *store;              /* history from this store, not report_store's */
};

/* Exit codes: the action taken (EX_TEMPFAIL for tempfail), or EX_* on errors. */
#define TESTMODE_EXIT_ACCEPT 0
#define TESTMODE_EXIT_REJECT 1
#define TESTMODE_EXIT_QUARANTINE 2

/* Takes ownership of cfg. Prints the header and the action to out. */
int testmode_run(struct config *cfg, const struct testmode_opts *o, FILE *out);

#endif
