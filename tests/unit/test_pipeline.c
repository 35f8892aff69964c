/*
 * The message pipeline end to end (msg.c over the zone-file resolver):
 * exact header values, forged-header removal, skips, limits and the DNS
 * error policy. The daemon and test mode both drive exactly these calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "msg.h"
#include "runtime.h"
#include "tap.h"

static char zone_path[1024];

/* A config as a postmaster would write it, plus extra lines. */
/* One field, compauth last: the verdicts are read in one place (test_authres_style has the default). */
static struct config *
cfg_with(const char *extra)
{
	char text[2048], err[512];
	struct config *c;

	snprintf(text, sizeof(text), "authserv_id = mx.test.example\nzone_file = %s\n"
	    "message_dns_deadline = 2s\nauthres_style = microsoft\n%s", zone_path, extra);
	c = config_parse("test.conf", text, strlen(text), err, sizeof(err));
	if (c == NULL) {
		tap_diag("config: %s", err);
		abort();
	}
	return c;
}

static struct config *
cfg_new(void)
{
	return cfg_with("");
}

struct hdr {
	const char *name, *value;
};

static const struct hdr plain[] = {
	{ "From", " ben@fabrikam.example" },
	{ "Subject", " hi" },
	{ NULL, NULL },
};

/* Runs one message; returns the outcome's fields copied into out strings. */
struct result {
	char ar[1024];
	int has_ar;
	enum msg_action action;
	char reply[256];
	unsigned del[16];
	size_t ndel;
};

static const char *run_sender = "ben@fabrikam.example";
static const char *run_helo = "helo.example";
static char run_received_spf[512];

static void
run(struct config *cfg, const char *ip, const char *auth, const struct hdr *h, struct result *r)
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
		return;
	}
	netaddr_parse(ip, &a);
	s = session_new(rt, "[client]", &a);
	session_helo(s, run_helo);
	m = msg_new(s, "TEST1");
	msg_envfrom(m, run_sender, auth);
	for (; h->name; h++)
		msg_header(m, h->name, h->value);
	msg_eoh(m);
	msg_body(m, (const unsigned char *)"hello\r\n", 7);
	o = msg_eom(m);
	if (o->ar_value) {
		snprintf(r->ar, sizeof(r->ar), "%s", o->ar_value);
		r->has_ar = 1;
	}
	r->action = o->action;
	snprintf(run_received_spf, sizeof(run_received_spf), "%s",
	    o->received_spf ? o->received_spf : "(none)");
	if (o->rcode)
		snprintf(r->reply, sizeof(r->reply), "%s %s %s", o->rcode, o->xcode, o->text);
	for (i = 0; i < o->ndelete && i < 16; i++)
		r->del[i] = o->delete_idx[i];
	r->ndel = o->ndelete;
	msg_free(&m);
	session_free(&s);
}

static void
test_iprev(void)
{
	static const struct {
		const char *ip, *ar;
	} cases[] = {
		{ "192.0.2.10", " mx.test.example;\n"
		  "\tspf=pass (sender IP is 192.0.2.10) smtp.mailfrom=fabrikam.example;\n"
		  "\tiprev=pass policy.iprev=192.0.2.10 (mail.fabrikam.example);\n"
		  "\tdkim=none (message not signed) header.d=none;\n"
		  "\tdmarc=pass action=none header.from=fabrikam.example;\n"
		  "\tarc=none;\n"
		  "\tcompauth=pass reason=100" },
		{ "2001:db8::25", " mx.test.example;\n"
		  "\tspf=pass (sender IP is 2001:db8::25) smtp.mailfrom=fabrikam.example;\n"
		  "\tiprev=pass policy.iprev=\"2001:db8::25\" (mail6.fabrikam.example);\n"
		  "\tdkim=none (message not signed) header.d=none;\n"
		  "\tdmarc=pass action=none header.from=fabrikam.example;\n"
		  "\tarc=none;\n"
		  "\tcompauth=pass reason=100" },
		{ "198.51.100.7", " mx.test.example;\n"
		  "\tspf=fail (sender IP is 198.51.100.7) smtp.mailfrom=fabrikam.example;\n"
		  "\tiprev=fail policy.iprev=198.51.100.7 (mail.contoso.example);\n"
		  "\tdkim=none (message not signed) header.d=none;\n"
		  "\tdmarc=fail action=quarantine header.from=fabrikam.example;\n"
		  "\tarc=none;\n"
		  "\tcompauth=fail reason=000" },
		{ "203.0.113.5", " mx.test.example;\n"
		  "\tspf=fail (sender IP is 203.0.113.5) smtp.mailfrom=fabrikam.example;\n"
		  "\tiprev=fail policy.iprev=203.0.113.5 (no PTR record);\n"
		  "\tdkim=none (message not signed) header.d=none;\n"
		  "\tdmarc=fail action=quarantine header.from=fabrikam.example;\n"
		  "\tarc=none;\n"
		  "\tcompauth=fail reason=000" },
		{ "203.0.113.9", " mx.test.example;\n"
		  "\tspf=fail (sender IP is 203.0.113.9) smtp.mailfrom=fabrikam.example;\n"
		  "\tiprev=temperror policy.iprev=203.0.113.9 (timeout);\n"
		  "\tdkim=none (message not signed) header.d=none;\n"
		  "\tdmarc=fail action=quarantine header.from=fabrikam.example;\n"
		  "\tarc=none;\n"
		  "\tcompauth=fail reason=000" },
	};
	struct result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(cfg_new(), cases[i].ip, NULL, plain, &r);
		is_str(r.ar, cases[i].ar, "spf + iprev header for %s (RFC 7208, RFC 8601 3)", cases[i].ip);
		is_int(r.action, MSG_ACCEPT, "accepted: %s", cases[i].ip);
	}
}

/*
 * on_dns_error = tempfail asks for a retry only when a DNS failure could
 * have changed the verdict: DMARC's own lookup (990), or a temporary
 * error on an identity that could align with the author under a failing
 * verdict; never a PTR timeout (a sender whose reverse DNS never answers
 * would be deferred forever), never an identity of another domain.
 */
static void
test_dns_error_policy(void)
{
	static const char extra[] =
	    "slowdmarc.example. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
	    "_dmarc.slowdmarc.example. TIMEOUT\n"
	    "slowspf.example. TIMEOUT\n"
	    "_dmarc.slowspf.example. TXT \"v=DMARC1; p=quarantine\"\n"
	    "11.2.0.192.in-addr.arpa. TIMEOUT\n";
	static const struct hdr from_slowdmarc[] = { { "From", " a@slowdmarc.example" },
	    { NULL, NULL } };
	static const struct hdr from_slowspf[] = { { "From", " a@slowspf.example" },
	    { NULL, NULL } };
	static const struct hdr from_contoso[] = { { "From", " ceo@contoso.example" },
	    { NULL, NULL } };
	char saved[sizeof(zone_path)], path[] = "/tmp/cad-pipeline-zoneXXXXXX";
	const char *sender = run_sender;
	struct result r;
	FILE *in, *out;
	int fd, ch;

	/* The demo's world with four more names. */
	if ((fd = mkstemp(path)) < 0 || (out = fdopen(fd, "w")) == NULL ||
	    (in = fopen(zone_path, "r")) == NULL) {
		ok(0, "dns error policy: a zone file of our own");
		return;
	}
	while ((ch = getc(in)) != EOF)
		putc(ch, out);
	fputs(extra, out);
	fclose(in);
	fclose(out);
	memcpy(saved, zone_path, sizeof(saved));
	snprintf(zone_path, sizeof(zone_path), "%s", path);

	run(cfg_with("on_dns_error = tempfail\n"), "192.0.2.11", NULL, plain, &r);
	is_int(r.action, MSG_ACCEPT, "on_dns_error=tempfail: a PTR timeout decides no verdict, accepted");
	ok(strstr(r.ar, "\tiprev=temperror") != NULL && strstr(r.ar, "compauth=pass reason=100"),
	    "the PTR timeout is stamped, the verdict stands (%s)", r.ar);

	run_sender = "a@slowdmarc.example";
	run(cfg_with("on_dns_error = tempfail\n"), "192.0.2.10", NULL, from_slowdmarc, &r);
	is_int(r.action, MSG_TEMPFAIL, "on_dns_error=tempfail: the DMARC lookup timed out (990): tempfail");
	is_str(r.reply, "451 4.7.0 Temporary DNS failure while authenticating the message, try again later",
	    "tempfail reply");
	ok(strstr(r.ar, "compauth=none reason=990") != NULL, "compauth=none reason=990 (%s)", r.ar);
	run(cfg_with(""), "192.0.2.10", NULL, from_slowdmarc, &r);
	is_int(r.action, MSG_ACCEPT, "on_dns_error=accept: the same message is accepted");

	run_sender = "a@slowspf.example";
	run(cfg_with("on_dns_error = tempfail\n"), "192.0.2.10", NULL, from_slowspf, &r);
	is_int(r.action, MSG_TEMPFAIL,
	    "on_dns_error=tempfail: SPF of the author's own domain timed out, DMARC fails: tempfail");
	ok(strstr(r.ar, "spf=temperror") != NULL && strstr(r.ar, "dmarc=fail") != NULL,
	    "spf=temperror, dmarc=fail (%s)", r.ar);
	run(cfg_with("on_dns_error = tempfail\n"), "192.0.2.10", NULL, from_contoso, &r);
	is_int(r.action, MSG_ACCEPT,
	    "on_dns_error=tempfail: SPF of another domain timed out: the verdict stands, accepted");
	ok(strstr(r.ar, "spf=temperror") != NULL && strstr(r.ar, "compauth=fail reason=000") != NULL,
	    "spf=temperror, compauth=fail reason=000 (%s)", r.ar);
	run(cfg_with("on_dns_error = tempfail\ndmarc_enforce = on\n"), "192.0.2.10", NULL,
	    from_slowspf, &r);
	is_int(r.action, MSG_TEMPFAIL, "on_dns_error=tempfail, enforcing p=quarantine: a retry, "
	    "not a quarantine the DNS failure caused");

	run_sender = sender;
	run(cfg_with("on_dns_error = tempfail\n"), "203.0.113.5", NULL, plain, &r);
	is_int(r.action, MSG_ACCEPT, "on_dns_error=tempfail: a definite fail is not a DNS error");
	memcpy(zone_path, saved, sizeof(saved));
	unlink(path);
}

static const struct hdr forged[] = {
	{ "Authentication-Results", " mx.test.example; iprev=pass" },
	{ "From", " x@example.org" },
	{ "Authentication-Results", " other.example; spf=fail" },
	{ "authentication-results", " MX.TEST.EXAMPLE\n\t; dkim=pass" },
	{ "Authentication-Results", " mx.test.example.evil; spf=pass" },
	{ "Authentication-Results", " (comment) \"mx.test.example\"; none" },
	{ NULL, NULL },
};

static void
test_forged(void)
{
	struct result r;

	run(cfg_new(), "192.0.2.10", NULL, forged, &r);
	is_int(r.ndel, 3, "three headers claim our authserv-id");
	is_int(r.del[0], 5, "removed in descending order: #5 (quoted, after a comment)");
	is_int(r.del[1], 3, "#3 (other case, folded)");
	is_int(r.del[2], 1, "#1");
	ok(r.has_ar, "our header is still added");
}

static void
test_skips(void)
{
	struct config *c;
	struct result r;

	run(cfg_new(), "192.0.2.10", "alice", forged, &r);
	is_str(r.ar, " mx.test.example;\n\tcompauth=none reason=301",
	    "authenticated submission: not checked, compauth=none reason=301");
	is_int(r.ndel, 3, "authenticated submission: forged headers still removed");
	c = cfg_with("trusted_clients = 192.0.2.0/24, 2001:db8::/32\n");
	run(c, "192.0.2.10", NULL, plain, &r);
	is_str(r.ar, " mx.test.example;\n\tcompauth=none reason=302",
	    "trusted client: not checked, compauth=none reason=302");
	is_int(r.action, MSG_ACCEPT, "trusted client: accepted");

	/*
	 * The default exempts localhost (the host's own cron mail through
	 * non_smtpd_milters), as OpenDKIM and OpenDMARC do; "" checks it.
	 */
	for (size_t i = 0; i < 3; i++) {
		static const char *const lo[] = { "127.0.0.1", "127.1.2.3", "::1" };

		run(cfg_new(), lo[i], NULL, plain, &r);
		is_str(r.ar, " mx.test.example;\n\tcompauth=none reason=302",
		    "default trusted_clients: %s not checked", lo[i]);
	}
	run(cfg_new(), "192.0.2.10", NULL, plain, &r);
	ok(strstr(r.ar, "compauth=pass reason=100") != NULL,
	    "default trusted_clients: another client is checked");
	run(cfg_with("trusted_clients = \"\"\n"), "127.0.0.1", NULL, plain, &r);
	ok(strstr(r.ar, "\tdmarc=") != NULL, "trusted_clients = \"\": localhost is checked (%s)",
	    r.ar);
}

static char bigvalue[1100];
static const struct hdr big[] = {
	{ "From", " ben@fabrikam.example" },
	{ "X-Big", bigvalue },
	{ NULL, NULL },
};

static const struct hdr from_contoso[] = {
	{ "From", " \"Payroll\" <payroll@contoso.example>" },
	{ "Subject", " urgent" },
	{ NULL, NULL },
};

/* RFC 7489 6.6.3 / RFC 9989: what a failure does, within dmarc_enforce. */
static void
test_dmarc_enforce(void)
{
	struct result r;

	run_sender = "payroll@contoso.example";
	run(cfg_new(), "198.51.100.7", NULL, from_contoso, &r);
	ok(strstr(r.ar, "\tdmarc=fail action=reject header.from=contoso.example;\n"
	    "\tarc=none;\n\tcompauth=fail reason=000") != NULL, "p=reject failure: dmarc=fail action=reject, compauth 000");
	is_int(r.action, MSG_ACCEPT, "dmarc_enforce = off (default): only stamped");
	run(cfg_with("dmarc_enforce = on\n"), "198.51.100.7", NULL, from_contoso, &r);
	is_int(r.action, MSG_REJECT, "dmarc_enforce = on: p=reject failure rejected");
	is_str(r.reply, "550 5.7.1 Email rejected per DMARC policy for contoso.example",
	    "default reject reply names the author domain");
	run(cfg_with("dmarc_enforce = on\ndmarc_reject_reply = \"554 5.7.5 DMARC says no to %d\"\n"),
	    "198.51.100.7", NULL, from_contoso, &r);
	is_str(r.reply, "554 5.7.5 DMARC says no to contoso.example", "dmarc_reject_reply is used");
	run(cfg_with("dmarc_enforce = quarantine\n"), "198.51.100.7", NULL, from_contoso, &r);
	is_int(r.action, MSG_QUARANTINE, "dmarc_enforce = quarantine: a reject policy quarantines");
	run(cfg_with("dmarc_enforce = on\nallow_from = contoso.example\n"), "198.51.100.7", NULL,
	    from_contoso, &r);
	is_int(r.action, MSG_ACCEPT, "allow_from: never rejected");
	ok(strstr(r.ar, "\tcompauth=none reason=401") != NULL, "allow_from: compauth=none reason=401");
	run(cfg_with("dmarc_enforce = on\ndmarc_override = contoso.example=none\n"), "198.51.100.7", NULL,
	    from_contoso, &r);
	is_int(r.action, MSG_ACCEPT, "dmarc_override = contoso.example=none: not rejected");
	run(cfg_with("dmarc_enforce = on\ndmarc_override = contoso.example=quarantine\n"), "198.51.100.7",
	    NULL, from_contoso, &r);
	is_int(r.action, MSG_QUARANTINE, "dmarc_override = contoso.example=quarantine: quarantined");
	run(cfg_with("local_domains = contoso.example\n"), "198.51.100.7", NULL, from_contoso, &r);
	ok(strstr(r.ar, "\tcompauth=fail reason=010") != NULL, "local_domains: compauth=fail reason=010");
	{
		/* Regression: "From :" (RFC 5322 4.5.2) was not seen as From, so a
		 * p=reject domain could be spoofed past DMARC. */
		static const struct hdr spaced[] = {
			{ "From ", " ceo@contoso.example" },
			{ "Authentication-Results\t", " mx.test.example; dmarc=pass" },
			{ NULL, NULL },
		};

		run(cfg_with("dmarc_enforce = on\n"), "198.51.100.7", NULL, spaced, &r);
		ok(strstr(r.ar, "\tdmarc=fail action=reject header.from=contoso.example;") != NULL,
		    "\"From :\" with white space before the colon is the From field");
		is_int(r.action, MSG_REJECT, "and its p=reject failure is rejected");
		is_int(r.ndel, 1, "\"Authentication-Results\\t:\" claiming our id is removed too");
	}
	run_sender = "ben@fabrikam.example";
	run(cfg_with("dmarc_enforce = on\n"), "198.51.100.7", NULL, plain, &r);
	is_int(r.action, MSG_QUARANTINE, "dmarc_enforce = on: p=quarantine failure quarantined");
	run(cfg_with("dmarc_enforce = on\ndmarc_override = example=reject\n"), "198.51.100.7", NULL, plain, &r);
	is_int(r.action, MSG_REJECT, "dmarc_override for a parent domain (example=reject) applies below it");
	run(cfg_with("dmarc_enforce = on\n"), "192.0.2.10", NULL, plain, &r);
	is_int(r.action, MSG_ACCEPT, "dmarc_enforce = on: a DMARC pass is accepted");
	run(cfg_with("dmarc_enforce = on\nreject_bad_from = yes\n"), "192.0.2.10", NULL, forged, &r);
	ok(strstr(r.ar, "\tdmarc=permerror") == NULL, "one From with one domain is not a bad From");
	{
		static const struct hdr two_from[] = {
			{ "From", " a@fabrikam.example" }, { "From", " b@contoso.example" }, { NULL, NULL },
		};

		/*
		 * Regression: two From fields were one dmarc=permerror and
		 * accepted, although one of them names a p=reject domain.
		 */
		run(cfg_with("dmarc_enforce = on\n"), "192.0.2.10", NULL, two_from, &r);
		ok(strstr(r.ar, "\tdmarc=fail (From header: 2 From fields) action=reject\n"
		    "\t\theader.from=contoso.example;") != NULL,
		    "two From fields: each author domain evaluated, nothing authenticates, the strictest stands");
		is_int(r.action, MSG_REJECT, "reject_bad_from = no: still rejected (contoso.example p=reject)");
		run(cfg_with("dmarc_enforce = on\nreject_bad_from = yes\n"), "192.0.2.10", NULL, two_from, &r);
		is_int(r.action, MSG_REJECT, "reject_bad_from = yes: rejected");
	}
}

static void
test_limits(void)
{
	static const struct hdr many[] = {
		{ "A", " 1" }, { "B", " 2" }, { "C", " 3" },
		{ "Authentication-Results", " mx.test.example; spf=pass" },
		{ NULL, NULL },
	};
	struct config *c = cfg_with("max_headers = 2\n");
	struct result r;

	run(c, "192.0.2.10", NULL, many, &r);
	is_int(r.action, MSG_ACCEPT, "over max_headers with on_oversize=accept: accepted");
	is_int(r.ndel, 1, "a forged header beyond the limit is still removed");
	c = cfg_with("max_headers = 2\non_oversize = tempfail\n");
	run(c, "192.0.2.10", NULL, many, &r);
	is_int(r.action, MSG_TEMPFAIL, "over max_headers with on_oversize=tempfail: tempfail");
	c = cfg_with("max_header_bytes = 1024\non_oversize = tempfail\n");
	run(c, "192.0.2.10", NULL, big, &r);
	is_int(r.action, MSG_TEMPFAIL, "over max_header_bytes: tempfail");
}

static void
test_spf(void)
{
	struct result r;
	struct runtime *rt;
	struct session *s;
	struct msg *m;
	struct resolver_stats st;
	struct netaddr a;
	char err[256];

	run_sender = "<>";
	run_helo = "mail.fabrikam.example";
	run(cfg_new(), "192.0.2.10", NULL, plain, &r);
	is_str(r.ar, " mx.test.example;\n"
	    "\tspf=pass (sender IP is 192.0.2.10) smtp.helo=mail.fabrikam.example;\n"
	    "\tiprev=pass policy.iprev=192.0.2.10 (mail.fabrikam.example);\n"
	    "\tdkim=none (message not signed) header.d=none;\n"
	    "\tdmarc=pass action=none header.from=fabrikam.example;\n"
	    "\tarc=none;\n"
	    "\tcompauth=pass reason=100",
	    "null sender: SPF checks postmaster@HELO and reports smtp.helo (RFC 7208 2.4)");
	run_sender = "<payroll@contoso.example>";
	run_helo = "helo.example";
	run(cfg_new(), "198.51.100.7", NULL, plain, &r);
	ok(strstr(r.ar, "\tspf=fail (sender IP is 198.51.100.7) smtp.mailfrom=contoso.example;") != NULL,
	    "include: + -all: fail for a client outside the included ranges (RFC 7208 5.2)");
	is_str(run_received_spf, "(none)", "no Received-SPF by default");
	run(cfg_with("spf_received_header = yes\n"), "198.51.100.200", NULL, plain, &r);
	ok(strstr(r.ar, "\tspf=pass (sender IP is 198.51.100.200) smtp.mailfrom=contoso.example;") != NULL,
	    "second string of a split TXT record counts (RFC 7208 3.3)");
	is_str(run_received_spf, " pass (mx.test.example: domain of payroll@contoso.example designates "
	    "198.51.100.200 as permitted sender) client-ip=198.51.100.200; "
	    "envelope-from=\"payroll@contoso.example\"; helo=helo.example; receiver=mx.test.example; "
	    "identity=mailfrom; mechanism=\"include:_spf.contoso.example\";",
	    "spf_received_header = yes: Received-SPF (RFC 7208 9.1)");
	run_sender = "someone@example.net";
	run(cfg_new(), "192.0.2.200", NULL, plain, &r);
	ok(strstr(r.ar, "\tspf=pass (sender IP is 192.0.2.200) smtp.mailfrom=example.net;") != NULL,
	    "mx mechanism: pass for the MX host's address");
	run(cfg_new(), "192.0.2.201", NULL, plain, &r);
	ok(strstr(r.ar, "\tspf=softfail (sender IP is 192.0.2.201) smtp.mailfrom=example.net;") != NULL,
	    "~all: softfail");
	run_sender = "ben@fabrikam.example";

	/* The queries go out at MAIL FROM, long before end of message. */
	rt = runtime_new(cfg_new(), NULL, err, sizeof(err));
	netaddr_parse("192.0.2.10", &a);
	s = session_new(rt, "[client]", &a);
	session_helo(s, "helo.example");
	m = msg_new(s, NULL);
	msg_envfrom(m, "<ben@fabrikam.example>", NULL);
	{
		int i;

		for (i = 0; i < 200; i++) {
			resolver_get_stats(rt->res, &st);
			if (st.upstream >= 2)   /* the PTR at connect, the SPF TXT at MAIL FROM */
				break;
			struct timespec ts = { 0, 5000000 };
			nanosleep(&ts, NULL);
		}
	}
	ok(st.upstream >= 2, "SPF record query answered before any header was seen (%llu queries)",
	    (unsigned long long)st.upstream);
	msg_free(&m);
	session_free(&s);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");

	snprintf(zone_path, sizeof(zone_path), "%s/conf/demo/demo.zone", top ? top : ".");
	memset(bigvalue, 'x', sizeof(bigvalue) - 1);
	test_iprev();
	test_spf();
	test_dns_error_policy();
	test_forged();
	test_skips();
	test_limits();
	test_dmarc_enforce();
	return tap_done();
}
