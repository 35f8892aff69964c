/*
 * Drives the report view for tests/report/view.py, through the calls
 * compauthd-report makes:
 *   reportview --fill STORE                   writes the fixture below with store_put
 *   reportview --summary STORE BEGIN END [DOMAIN]
 *   reportview --html DIR STORE BEGIN END [DOMAIN]
 * The fixture spans three UTC days from 2024-05-01 (1714521600) and has a
 * message on each side of that range; several domains, IPv4 and IPv6
 * sources (192.0.2.9 and .10 to check numeric order), every DMARC result,
 * overrides, compauth reasons, and sender-controlled values meant to break
 * a page or a terminal: markup, quotes, &, a backslash, control bytes, an
 * invalid UTF-8 byte and a bidi override.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_store.h"
#include "report_view.h"

#define T0 INT64_C(1714521600)          /* 2024-05-01 00:00:00 UTC */
#define DAY INT64_C(86400)

#define HOSTILE_DOMAIN "<script>document.title='pwned'</script>\"&'\\x\x01\x1b[31m\xe9\xe2\x80\xae.example"
#define HOSTILE_DOMAIN2 "\"><svg onload=\"document.title='pwned'\">.example"
#define HOSTILE_IP "<img src=x onerror=\"document.title='pwned'\">"

struct fixture_row {
	int64_t at;                     /* seconds after T0 */
	const char *ip, *from, *dmarc;
	int dkim_al, spf_al;
	const char *disposition, *override, *compauth;
	int reason;
	int count;                      /* rows like this one */
	const char *selector;           /* DKIM s= of the one signature, or NULL */
};

static const struct fixture_row fixture[] = {
	{ 3600, "192.0.2.10", "example.com", "pass", 1, 1, "none", NULL, "pass", 100, 4, "s1" },
	{ DAY + 60, "192.0.2.10", "example.com", "pass", 1, 0, "none", NULL, "pass", 100, 2, "s1" },
	{ DAY + 120, "192.0.2.9", "example.com", "pass", 0, 1, "none", NULL, "pass", 100, 2, NULL },
	{ 2 * DAY + 5, "198.51.100.7", "example.com", "fail", 0, 0, "reject", NULL, "fail", 0, 3,
	  "<b>sel\"'&</b>" },
	{ 2 * DAY + 9, "198.51.100.7", "example.com", "fail", 0, 0, "none", "trusted_forwarder",
	  "pass", 100, 1, NULL },
	{ 7200, "2001:db8::1", "example.com", "fail", 0, 0, "quarantine", NULL, "fail", 0, 2, NULL },
	{ 7300, "2001:db8::1", "example.com", "none", 0, 0, "none", NULL, "none", 1, 1, NULL },
	{ DAY + 7, "203.0.113.5", "example.com", "temperror", 0, 0, "none", NULL, NULL, 0, 1, NULL },
	{ DAY + 8, "203.0.113.5", "example.com", "bestguesspass", 0, 1, "none", NULL, "softpass",
	  1, 1, NULL },
	{ 2 * DAY + 100, "2001:db8::1", "example.com", "fail", 0, 0, "none", "local_policy",
	  "fail", 0, 1, NULL },
	/* Outside [T0, T0 + 3 days): never counted. */
	{ -1, "192.0.2.10", "example.com", "fail", 0, 0, "reject", NULL, "fail", 0, 1, NULL },
	{ 3 * DAY, "192.0.2.10", "example.com", "fail", 0, 0, "reject", NULL, "fail", 0, 1, NULL },
	{ 100, "192.0.2.20", "fabrikam.example", "pass", 1, 1, "none", NULL, "pass", 100, 3, NULL },
	{ 2 * DAY + 50, "192.0.2.21", "fabrikam.example", "fail", 0, 0, "none", "mailing_list",
	  "softpass", 1, 2, NULL },
	{ DAY + 500, "192.0.2.30", "contoso.example", "fail", 0, 0, "reject", NULL, "fail", 0, 1,
	  NULL },
	{ DAY + 700, "192.0.2.100", "contoso.example", "pass", 1, 1, "none", NULL, "pass", 100, 1,
	  NULL },
	{ DAY + 600, HOSTILE_IP, HOSTILE_DOMAIN, "fail", 0, 0, "quarantine", "other", "fail", 0, 2,
	  "<script>document.title='pwned'</script>" },
	{ 900, "192.0.2.10", HOSTILE_DOMAIN, "pass", 1, 0, "none", NULL, "pass", 100, 1, NULL },
	{ 2 * DAY + 900, "192.0.2.10", HOSTILE_DOMAIN2, "pass", 0, 1, "none", NULL, "pass", 100, 1,
	  NULL },
};

static int
reportview_fill(const char *uri)
{
	char err[256];
	struct store *s = store_open(uri, true, err, sizeof(err));
	int rc = 0;

	if (s == NULL) {
		fprintf(stderr, "reportview: %s\n", err);
		return 1;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(fixture) / sizeof(fixture[0]); i++) {
		const struct fixture_row *f = &fixture[i];
		struct store_msg m = {
			.received = T0 + f->at, .reporter = "mx.test.example", .qid = "Q1",
			.source_ip = f->ip, .header_from = f->from, .envelope_from = f->from,
			.envelope_to = "test.example", .policy_domain = f->from, .policy_p = "reject",
			.policy_pct = -1, .discovery_method = "psl", .dmarc_result = f->dmarc,
			.dkim_aligned = f->dkim_al, .spf_aligned = f->spf_al,
			.disposition = f->disposition, .override_reason = f->override,
			.spf_domain = f->from, .spf_scope = "mfrom", .spf_result = "pass",
			.compauth = f->compauth, .compauth_reason = f->reason,
		};
		const struct store_msg *one[1] = { &m };

		if (f->selector != NULL) {
			m.ndkim = 1;
			m.dkim[0] = (struct store_dkim){ f->from, f->selector, "pass", NULL };
		}
		for (int k = 0; rc == 0 && k < f->count; k++)
			if (store_put(s, one, 1, err, sizeof(err)) < 0) {
				fprintf(stderr, "reportview: store_put: %s\n", err);
				rc = 1;
			}
	}
	store_close(&s);
	return rc;
}

static int
reportview_usage(void)
{
	fprintf(stderr, "usage: reportview --fill STORE\n"
	    "       reportview --summary STORE BEGIN END [DOMAIN]\n"
	    "       reportview --html DIR STORE BEGIN END [DOMAIN]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *dir = NULL;
	char err[256];
	struct store *s;
	int i = 2, rc;

	if (argc == 3 && strcmp(argv[1], "--fill") == 0)
		return reportview_fill(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "--html") == 0)
		dir = argv[i++];
	else if (argc < 2 || strcmp(argv[1], "--summary") != 0)
		return reportview_usage();
	if (argc - i != 3 && argc - i != 4)
		return reportview_usage();
	if ((s = store_open(argv[i], false, err, sizeof(err))) == NULL) {
		fprintf(stderr, "reportview: %s\n", err);
		return 1;
	}
	if (dir != NULL)
		rc = report_html(s, strtoll(argv[i + 1], NULL, 10), strtoll(argv[i + 2], NULL, 10),
		    argv[i + 3], dir, err, sizeof(err));
	else
		rc = report_summary(s, strtoll(argv[i + 1], NULL, 10), strtoll(argv[i + 2], NULL, 10),
		    argv[i + 3], stdout, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "reportview: %s\n", err);
	store_close(&s);
	return rc < 0 ? 1 : 0;
}
