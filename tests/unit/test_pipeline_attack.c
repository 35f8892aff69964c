/*
 * Ways a sender tried to have mail From a p=reject domain delivered, or to
 * crash us, through the whole pipeline (msg.c over the zone-file
 * resolver, tests/data/attack/attack.zone), with dmarc_enforce = on:
 * junk signing keys spending the DNS budget, its own SPF record spending
 * it, a second From behind the header limits, several From fields or
 * domains, author domains too long for DNS, and more DKIM signatures than
 * the result table once held. Each case failed before its fix.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "msg.h"
#include "runtime.h"
#include "tap.h"

static char zone_path[1024];

/* One field, compauth last: the verdicts are read in one place (test_authres_style has the default). */
static struct config *
cfg_with(const char *extra)
{
	char text[2048], err[512];
	struct config *c;

	snprintf(text, sizeof(text), "authserv_id = mx.test.example\nzone_file = %s\n"
	    "message_dns_deadline = 5s\ndmarc_enforce = on\nauthres_style = microsoft\n%s", zone_path, extra);
	c = config_parse("test.conf", text, strlen(text), err, sizeof(err));
	if (c == NULL) {
		tap_diag("config: %s", err);
		abort();
	}
	return c;
}

/* A message as a list of header fields built at run time. */
struct hdrs {
	char **name, **value;
	size_t n, cap;
};

static void
add(struct hdrs *h, const char *name, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->name = realloc(h->name, h->cap * sizeof(*h->name));
		h->value = realloc(h->value, h->cap * sizeof(*h->value));
		if (h->name == NULL || h->value == NULL)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->name[h->n] = strdup(name);
	h->value[h->n] = strdup(buf);
	h->n++;
}

static void
hdrs_free(struct hdrs *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->name[i]);
		free(h->value[i]);
	}
	free(h->name);
	free(h->value);
	memset(h, 0, sizeof(*h));
}

struct result {
	char ar[16384];
	enum msg_action action;
};

static unsigned run_pause_ms;

static void
run(struct config *cfg, const char *ip, const char *sender, const struct hdrs *h,
    struct result *r)
{
	struct runtime *rt;
	struct session *s;
	struct msg *m;
	const struct msg_outcome *o;
	struct netaddr a;
	char err[256];
	size_t i;

	memset(r, 0, sizeof(*r));
	rt = runtime_new(cfg, NULL, err, sizeof(err));
	if (rt == NULL) {
		tap_diag("runtime_new: %s", err);
		abort();
	}
	netaddr_parse(ip, &a);
	s = session_new(rt, "[client]", &a);
	session_helo(s, "helo.evil.example");
	m = msg_new(s, "ATTACK");
	msg_envfrom(m, sender, NULL);
	if (run_pause_ms)
		usleep(run_pause_ms * 1000);    /* the DATA phase of a real transaction */
	for (i = 0; i < h->n; i++)
		msg_header(m, h->name[i], h->value[i]);
	msg_eoh(m);
	msg_body(m, (const unsigned char *)"hello\r\n", 7);
	o = msg_eom(m);
	snprintf(r->ar, sizeof(r->ar), "%s", o->ar_value ? o->ar_value : "");
	r->action = o->action;
	msg_free(&m);
	session_free(&s);
}

static const char *
dmarc_of(const struct result *r)
{
	static char line[512];
	const char *p = strstr(r->ar, "dmarc=");
	size_t n;

	if (p == NULL)
		return "(no dmarc)";
	/* Unfolded: a long header.from is folded onto its own line. */
	for (n = 0; *p != '\0' && *p != ';' && n + 1 < sizeof(line); p++) {
		if (*p == '\n')
			continue;
		if (*p == '\t' && n > 0 && line[n - 1] == ' ')
			continue;
		line[n++] = *p == '\t' ? ' ' : *p;
	}
	line[n] = '\0';
	return line;
}

/* The sender's junk ARC seals must not spend DMARC's queries. */
static void
test_junk_arc_keys(void)
{
	struct hdrs h = { 0 };
	struct result r;
	int i;

	add(&h, "From", " ceo@contoso.example");
	for (i = 0; i < 70; i++)
		add(&h, "ARC-Seal", " i=1; a=rsa-sha256; cv=none; d=evil.example; s=junk%d; t=1; b=AAAA", i);
	add(&h, "Subject", " pay this");
	run(cfg_with(""), "192.0.2.66", "x@evil.example", &h, &r);
	is_str(dmarc_of(&r), "dmarc=fail action=reject header.from=contoso.example",
	    "70 junk ARC-Seal keys: DMARC still fails, not temperror");
	is_int(r.action, MSG_REJECT, "and the p=reject failure is rejected");
	ok(strstr(r.ar, "compauth=fail reason=000") != NULL, "compauth=fail reason=000, not 905");
	hdrs_free(&h);
}

/* The sender's own SPF record (111 legal queries) must not spend them either. */
static void
test_spf_spends_budget(void)
{
	struct hdrs h = { 0 };
	struct result r;

	add(&h, "From", " ceo@contoso.example");
	/* Its SPF has spent 64 queries before the headers end, as over real SMTP. */
	run_pause_ms = 300;
	run(cfg_with(""), "192.0.2.66", "x@evil.example", &h, &r);
	run_pause_ms = 0;
	is_str(dmarc_of(&r), "dmarc=fail action=reject header.from=contoso.example",
	    "MAIL FROM whose SPF makes 111 queries: DMARC still fails, not temperror");
	is_int(r.action, MSG_REJECT, "and is rejected");
	ok(strstr(r.ar, "spf=fail") != NULL || strstr(r.ar, "spf=softfail") != NULL ||
	    strstr(r.ar, "spf=pass") != NULL, "its SPF was evaluated to the end (no temperror)");
	ok(strstr(r.ar, "spf=temperror") == NULL, "no SPF temperror from the budget");
	hdrs_free(&h);
}

/* More signatures than the result table once held: no crash, every method stamped. */
static void
test_many_signatures(void)
{
	static const int counts[] = { 21, 22, 24, 50 };
	struct result r;
	size_t k;

	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		struct hdrs h = { 0 };
		const char *p;
		int i, ndkim = 0;

		add(&h, "From", " ceo@contoso.example");
		for (i = 0; i < counts[k]; i++)
			add(&h, "DKIM-Signature", " v=1; a=rsa-sha256; d=evil.example; s=s%d; h=from;"
			    " bh=AAAA; b=AAAA", i);
		run(cfg_with("max_dkim_signatures = 50\n"), "192.0.2.66", "x@evil.example", &h, &r);
		for (p = r.ar; (p = strstr(p, "\tdkim=")) != NULL; p++)
			ndkim++;
		is_int(ndkim, counts[k], "%d junk DKIM signatures: each reported", counts[k]);
		ok(strstr(r.ar, "\tarc=none;\n\tcompauth=fail reason=000") != NULL,
		    "%d junk DKIM signatures: arc and compauth still stamped", counts[k]);
		is_int(r.action, MSG_REJECT, "%d junk DKIM signatures: rejected", counts[k]);
		hdrs_free(&h);
	}
}

/* CVE-2019-16378 class: a second From behind the header limits. */
static void
test_hidden_second_from(void)
{
	struct hdrs h = { 0 };
	struct result r;
	int i;

	add(&h, "From", " ben@fabrikam.example");
	for (i = 0; i < 1000; i++)
		add(&h, "X-Pad", " %d", i);
	add(&h, "From", " ceo@contoso.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	is_str(dmarc_of(&r), "dmarc=fail (From header: 2 From fields) action=reject "
	    "header.from=contoso.example", "a From after 1000 padding fields still counts");
	is_int(r.action, MSG_REJECT, "and the hidden p=reject author is rejected");
	ok(strstr(r.ar, "compauth=pass") == NULL, "never compauth=pass");
	hdrs_free(&h);
}

/* Several From fields or author domains: the strictest stands. */
static void
test_several_authors(void)
{
	struct hdrs h = { 0 };
	struct result r;
	int i;

	add(&h, "From", " ceo@contoso.example");
	add(&h, "From", " ben@fabrikam.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	is_str(dmarc_of(&r), "dmarc=fail (From header: 2 From fields) action=reject "
	    "header.from=contoso.example", "two From fields, contoso first: contoso's policy");
	is_int(r.action, MSG_REJECT, "two From fields: rejected (reject_bad_from = no)");
	hdrs_free(&h);

	add(&h, "From", " ben@fabrikam.example, ceo@contoso.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	is_str(dmarc_of(&r), "dmarc=fail (From header: 2 author domains, the strictest applies) "
	    "action=reject header.from=contoso.example",
	    "one field, two domains, only fabrikam aligned: contoso fails");
	is_int(r.action, MSG_REJECT, "and is rejected");
	hdrs_free(&h);

	add(&h, "From", " ben@fabrikam.example, ben@fabrikam.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	is_str(dmarc_of(&r), "dmarc=pass action=none header.from=fabrikam.example",
	    "two addresses of one domain: one author domain, its pass stands");
	is_int(r.action, MSG_ACCEPT, "and it is accepted");
	hdrs_free(&h);

	add(&h, "From", " ben@fabrikam.example");
	add(&h, "From", " ben@fabrikam.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	is_str(dmarc_of(&r), "dmarc=fail (From header: 2 From fields) action=none "
	    "header.from=fabrikam.example", "two From fields of one domain: no pass");
	hdrs_free(&h);

	add(&h, "From", " a@d1.example, a@d2.example, a@d3.example, a@d4.example, a@d5.example,"
	    " a@d6.example, a@d7.example, a@d8.example, a@d9.example, ben@fabrikam.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	ok(strstr(dmarc_of(&r), "dmarc=permerror (From header: more than 8 author domains) "
	    "action=permerror") != NULL, "ten author domains: permerror");
	is_int(r.action, MSG_REJECT, "whose strictest reading is unknown: rejected");
	hdrs_free(&h);

	for (i = 0; i < 17; i++)
		add(&h, "From", " ben@fabrikam.example");
	run(cfg_with(""), "192.0.2.10", "ben@fabrikam.example", &h, &r);
	is_int(r.action, MSG_REJECT, "17 From fields (more than we keep): rejected");
	hdrs_free(&h);
}

/* An author domain longer than DNS allows under _dmarc.: the walk goes on upwards. */
static void
test_long_author_domain(void)
{
	static const int lengths[] = { 247, 250, 253 };
	struct hdrs h = { 0 };
	struct result r;
	size_t k;

	for (k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
		char dom[300], want[512];
		size_t n = (size_t)lengths[k] - strlen(".contoso.example"), i;

		for (i = 0; i < n; i++)
			dom[i] = (i % 60 == 59) ? '.' : 'a';
		if (dom[n - 1] == '.')
			dom[n - 1] = 'a';
		snprintf(dom + n, sizeof(dom) - n, ".contoso.example");
		add(&h, "From", " ceo@%s", dom);
		run(cfg_with(""), "192.0.2.66", "x@evil.example", &h, &r);
		snprintf(want, sizeof(want), "dmarc=fail action=reject header.from=%s", dom);
		is_str(dmarc_of(&r), want, "%zu-byte author domain under contoso.example: contoso's policy",
		    strlen(dom));
		is_int(r.action, MSG_REJECT, "%zu-byte author domain: rejected", strlen(dom));
		hdrs_free(&h);
	}
}

int
main(void)
{
	const char *top = getenv("top_srcdir");

	snprintf(zone_path, sizeof(zone_path), "%s/tests/data/attack/attack.zone", top ? top : ".");
	test_junk_arc_keys();
	test_spf_spends_budget();
	test_many_signatures();
	test_hidden_second_from();
	test_several_authors();
	test_long_author_domain();
	return tap_done();
}
