/*
 * Test mode: reads a message file and plays the milter callbacks into the
 * pipeline in MTA order. It is a second driver, not a second
 * implementation: every verdict comes from msg.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "authres.h"
#include "grow.h"
#include "log.h"
#include "msg.h"
#include "history.h"
#include "report_store.h"
#include "runtime.h"
#include "testmode.h"

#define TESTMODE_MAX_MESSAGE (64u * 1024 * 1024)

static char *
testmode_read(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf;

	if (f == NULL)
		return NULL;
	buf = malloc(cap + 1);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap >= TESTMODE_MAX_MESSAGE) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
	}
	if (f != stdin)
		fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* Length of the line at p (without its end), and of its end (CRLF or LF). */
static size_t
testmode_line(const char *p, const char *end, size_t *eol)
{
	const char *q = memchr(p, '\n', (size_t)(end - p));

	if (q == NULL) {
		*eol = 0;
		return (size_t)(end - p);
	}
	*eol = 1;
	if (q > p && q[-1] == '\r') {
		*eol = 2;
		q--;
	}
	return (size_t)(q - p);
}

/*
 * Headers go to the pipeline as an MTA passes them: name, and the value
 * after the colon with its leading space, folded lines joined with "\n"
 * (what Postfix sends). The body goes with CRLF line ends, as on the wire.
 */
static void
testmode_feed(struct msg *m, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	char *name = NULL, *value = NULL;
	size_t vlen = 0, vcap = 0, eol, n;

	while (p < end) {
		n = testmode_line(p, end, &eol);
		if (n == 0) {
			p += eol ? eol : 1;
			break;
		}
		if ((*p == ' ' || *p == '\t') && value != NULL) {
			/* Grow by doubling: 13 000 folds of a 1 MiB field stay linear. */
			char *nv = grow_array(value, &vcap, vlen + n + 2, 1);

			if (nv == NULL)
				break;
			value = nv;
			value[vlen++] = '\n';
			memcpy(value + vlen, p, n);
			vlen += n;
			value[vlen] = '\0';
		} else {
			const char *colon = memchr(p, ':', n);

			if (name != NULL)
				msg_header(m, name, value);
			free(name);
			free(value);
			name = value = NULL;
			if (colon != NULL) {
				name = strndup(p, (size_t)(colon - p));
				value = strndup(colon + 1, n - (size_t)(colon + 1 - p));
				vlen = value ? strlen(value) : 0;
				vcap = value ? vlen + 1 : 0;
			}
		}
		p += n + eol;
		if (eol == 0)
			break;
	}
	if (name != NULL && value != NULL)
		msg_header(m, name, value);
	free(name);
	free(value);
	msg_eoh(m);

	while (p < end) {
		char line[1024];

		n = testmode_line(p, end, &eol);
		while (n > 0) {
			size_t chunk = n > sizeof(line) - 2 ? sizeof(line) - 2 : n;

			msg_body(m, (const unsigned char *)p, chunk);
			p += chunk;
			n -= chunk;
		}
		if (eol)
			msg_body(m, (const unsigned char *)"\r\n", 2);
		p += eol;
		if (eol == 0)
			break;
	}
}

/*
 * Replay: the verdict reads the history of report_store (or --store) as
 * the daemon would, and nothing is written to it. report_store unreadable
 * is said and the verdict is the explicit one, as in the daemon; a store
 * named on the command line must be read, or the replay would mislead.
 */
static int
testmode_history(struct runtime *rt, const struct testmode_opts *o)
{
	const struct config *cfg = rt->cfg;
	const char *uri = o->store != NULL ? o->store : cfg->report_store;
	struct history_limits lim = { .max_domains = cfg->history_max_domains };
	struct store *st;
	char err[512];

	if (!cfg->history) {
		if (o->store != NULL)
			fprintf(stderr, "compauthd: history = no: --store %s not read\n", o->store);
		return 0;
	}
	if (uri == NULL || uri[0] == '\0')
		return 0;
	if ((st = store_open(uri, false, err, sizeof(err))) == NULL ||
	    (rt->history = history_load(st, &lim, err, sizeof(err))) == NULL) {
		store_close(&st);
		if (o->store != NULL) {
			fprintf(stderr, "compauthd: --store %s: %s\n", uri, err);
			return -1;
		}
		fprintf(stderr, "compauthd: history from %s: %s; explicit verdicts only\n", uri, err);
		return 0;
	}
	store_close(&st);
	log_debug(NULL, "history from %s: %zu sender domains, %zu recipient domains", uri,
	    history_ndomains(rt->history), history_nrecipients(rt->history));
	return 0;
}

int
testmode_run(struct config *cfg, const struct testmode_opts *o, FILE *out)
{
	struct runtime *rt;
	struct session *s;
	struct msg *m;
	const struct msg_outcome *oc;
	struct netaddr ip;
	char err[512], name[128];
	size_t len, i;
	char *buf;
	int rc;

	/* The config's strings live in its own arena; argv outlives it. */
	if (o->zone != NULL)
		cfg->zone_file = (char *)o->zone;
	if (o->client_ip == NULL || !netaddr_parse(o->client_ip, &ip)) {
		fprintf(stderr, "compauthd: -t needs --client-ip with an IPv4 or IPv6 address\n");
		config_free(&cfg);
		return EX_USAGE;
	}
	buf = testmode_read(o->message, &len);
	if (buf == NULL) {
		fprintf(stderr, "compauthd: %s: %s\n", o->message, strerror(errno));
		config_free(&cfg);
		return EX_NOINPUT;
	}
	rt = runtime_new(cfg, NULL, err, sizeof(err));
	if (rt == NULL) {
		fprintf(stderr, "compauthd: %s\n", err);
		free(buf);
		return EX_CONFIG;
	}
	runtime_install(rt);
	if (testmode_history(rt, o) != 0) {
		runtime_shutdown();
		free(buf);
		return EX_NOINPUT;
	}
	if (o->client_name != NULL)
		snprintf(name, sizeof(name), "%s", o->client_name);
	else
		snprintf(name, sizeof(name), "[%s]", o->client_ip);

	s = session_new(runtime_acquire(), name, &ip);
	session_helo(s, o->helo ? o->helo : "");
	m = msg_new(s, o->qid ? o->qid : "TESTMODE");
	msg_envfrom(m, o->mail_from ? o->mail_from : "", o->auth_user);
	testmode_feed(m, buf, len);
	oc = msg_eom(m);

	for (i = 0; i < oc->ndelete; i++)
		fprintf(out, "remove: %s #%u\n", AR_FIELD, oc->delete_idx[i]);
	if (oc->arc.as != NULL)
		fprintf(out, "ARC-Seal:%s\nARC-Message-Signature:%s\nARC-Authentication-Results:%s\n",
		    oc->arc.as, oc->arc.ams, oc->arc.aar);
	if (oc->ar_value != NULL)
		fprintf(out, "%s:%s\n", AR_FIELD, oc->ar_value);
	if (oc->ar_compauth != NULL)
		fprintf(out, "%s:%s\n", AR_FIELD, oc->ar_compauth);
	if (oc->received_spf != NULL)
		fprintf(out, "Received-SPF:%s\n", oc->received_spf);
	fprintf(out, "action: %s", msg_action_name(oc->action));
	if (oc->action == MSG_REJECT || oc->action == MSG_TEMPFAIL)
		fprintf(out, " %s %s %s", oc->rcode, oc->xcode, oc->text);
	if (oc->action == MSG_QUARANTINE)
		fprintf(out, " %s", oc->quarantine_reason);
	fprintf(out, "\n");
	log_info(msg_qid(m), "%s", oc->summary);

	switch (oc->action) {
	case MSG_REJECT: rc = TESTMODE_EXIT_REJECT; break;
	case MSG_QUARANTINE: rc = TESTMODE_EXIT_QUARANTINE; break;
	case MSG_TEMPFAIL: rc = EX_TEMPFAIL; break;
	default: rc = TESTMODE_EXIT_ACCEPT; break;
	}
	msg_free(&m);
	session_free(&s);
	history_release(&rt->history);
	runtime_shutdown();
	free(buf);
	return rc;
}
