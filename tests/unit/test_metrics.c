/*
 * The metrics registry and its text exposition (Prometheus text format
 * 0.0.4): label escaping, cumulative histogram buckets with _sum and
 * _count, label values only from our fixed lists whatever a result says,
 * nothing counted while off, and the metrics_listen forms.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "metrics.h"
#include "msg.h"
#include "tap.h"

static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void
test_escape(void)
{
	struct metrics_text t = { 0 };

	metrics_text_label(&t, "a\\b\"c\nd");
	is_str(t.b.p, "a\\\\b\\\"c\\nd", "label: backslash, quote and newline escaped");
	free(t.b.p);
}

static void
test_histogram(void)
{
	static const double le[] = { 0.1, 1 };
	static const uint64_t counts[] = { 2, 3, 1 };
	struct metrics_text t = { 0 };

	metrics_text_histogram(&t, "x_seconds", "A test.", le, counts, 2, 4.5);
	is_str(t.b.p,
	    "# HELP x_seconds A test.\n"
	    "# TYPE x_seconds histogram\n"
	    "x_seconds_bucket{le=\"0.1\"} 2\n"
	    "x_seconds_bucket{le=\"1\"} 5\n"
	    "x_seconds_bucket{le=\"+Inf\"} 6\n"
	    "x_seconds_sum 4.500000\n"
	    "x_seconds_count 6\n",
	    "histogram: buckets cumulative, +Inf equals _count, _sum as given");
	free(t.b.p);
}

#define R(m, r, why) { m, r, NULL, why, 0, NULL }

static void
test_registry(void)
{
	static const struct ar_result res[] = {
		R("spf", "pass", NULL),
		R("iprev", "pass", NULL),
		R("dkim", "fail", NULL),
		R("dkim", "pass", NULL),
		R("dmarc", "none", NULL),
		R("arc", "evil\"}\nresult", NULL),          /* not ours: "other" */
		R("x-evil", "pass", NULL),                  /* not a method we count */
		R("compauth", "fail", "001"),
	};
	static const struct ar_result odd[] = {
		R("compauth", "fail", "1\"} 9"),            /* not three digits: "other" */
		R("compauth", "bogus", "100"),
	};
	size_t len;
	char *text;

	metrics_reset();
	metrics_enable(false);
	metrics_message(res, sizeof(res) / sizeof(res[0]), MSG_REJECT, 2, 3000, 20000);
	metrics_inc(METRICS_DNS_QUERIES);
	text = metrics_render(&len);
	ok(text != NULL && strlen(text) == len, "render: a string of the length it says");
	ok(has_line(text, "compauthd_actions_total{action=\"reject\"} 0"), "off: nothing counted");
	ok(has_line(text, "compauthd_dns_queries_total 0"), "off: DNS not counted");
	ok(strstr(text, "compauthd_results_total{") == NULL, "off: no result series");
	free(text);

	metrics_enable(true);
	metrics_message(res, sizeof(res) / sizeof(res[0]), MSG_REJECT, 2, 3000, 20000);
	metrics_message(odd, sizeof(odd) / sizeof(odd[0]), MSG_ACCEPT, 0, -1, 2000000);
	metrics_inc(METRICS_DNS_QUERIES);
	metrics_inc(METRICS_DNS_QUERIES);
	metrics_inc(METRICS_DNS_CACHE_HITS);
	metrics_inc(METRICS_DNS_TIMEOUTS);
	metrics_inc(METRICS_DNS_BUDGET);
	text = metrics_render(&len);
	ok(text != NULL, "on: renders");
	if (text == NULL)
		return;
	ok(has_line(text, "compauthd_results_total{method=\"spf\",result=\"pass\"} 1"), "spf pass 1");
	ok(has_line(text, "compauthd_results_total{method=\"iprev\",result=\"pass\"} 1"), "iprev pass 1");
	ok(has_line(text, "compauthd_results_total{method=\"dkim\",result=\"fail\"} 1") &&
	    has_line(text, "compauthd_results_total{method=\"dkim\",result=\"pass\"} 1"),
	    "dkim: one per signature");
	ok(has_line(text, "compauthd_results_total{method=\"dmarc\",result=\"none\"} 1"), "dmarc none 1");
	ok(has_line(text, "compauthd_results_total{method=\"arc\",result=\"other\"} 1"),
	    "a result word not on our list is counted as other");
	ok(strstr(text, "evil") == NULL, "no label value from a result's text");
	ok(has_line(text, "compauthd_compauth_total{result=\"fail\",reason=\"001\"} 1"),
	    "compauth fail 001");
	ok(has_line(text, "compauthd_compauth_total{result=\"fail\",reason=\"other\"} 1"),
	    "a reason that is not three digits is other");
	ok(has_line(text, "compauthd_compauth_total{result=\"other\",reason=\"100\"} 1"),
	    "an unknown compauth result is other");
	ok(has_line(text, "compauthd_actions_total{action=\"reject\"} 1") &&
	    has_line(text, "compauthd_actions_total{action=\"accept\"} 1") &&
	    has_line(text, "compauthd_actions_total{action=\"quarantine\"} 0"),
	    "actions: each one counted, all shown");
	ok(has_line(text, "compauthd_forged_ar_removed_total 2"), "forged headers removed: 2");
	ok(has_line(text, "compauthd_dns_queries_total 2") &&
	    has_line(text, "compauthd_dns_cache_hits_total 1") &&
	    has_line(text, "compauthd_dns_timeouts_total 1") &&
	    has_line(text, "compauthd_dns_budget_exhausted_total 1"), "DNS counters");
	ok(has_line(text, "compauthd_eom_wait_seconds_bucket{le=\"0.0025\"} 0") &&
	    has_line(text, "compauthd_eom_wait_seconds_bucket{le=\"0.005\"} 1") &&
	    has_line(text, "compauthd_eom_wait_seconds_bucket{le=\"+Inf\"} 1") &&
	    has_line(text, "compauthd_eom_wait_seconds_sum 0.003000") &&
	    has_line(text, "compauthd_eom_wait_seconds_count 1"),
	    "eom wait: 3 ms in le=0.005 and above; an unchecked message not observed");
	ok(has_line(text, "compauthd_message_seconds_bucket{le=\"0.025\"} 1") &&
	    has_line(text, "compauthd_message_seconds_bucket{le=\"1\"} 1") &&
	    has_line(text, "compauthd_message_seconds_bucket{le=\"2.5\"} 2") &&
	    has_line(text, "compauthd_message_seconds_sum 2.020000") &&
	    has_line(text, "compauthd_message_seconds_count 2"),
	    "message time: 20 ms and 2 s");
	ok(has_line(text, "# TYPE compauthd_results_total counter") &&
	    has_line(text, "# TYPE compauthd_message_seconds histogram"), "TYPE lines");
	free(text);
	metrics_enable(false);
	metrics_reset();
}

struct listen_row {
	const char *v;
	int ok;
	int family;
	const char *addr;
	unsigned port;
};

static const struct listen_row listen_rows[] = {
	{ "", 1, 0, NULL, 0 },
	{ "9479", 1, AF_INET, "127.0.0.1", 9479 },
	{ "localhost:9479", 1, AF_INET, "127.0.0.1", 9479 },
	{ "0.0.0.0:9479", 1, AF_INET, "0.0.0.0", 9479 },
	{ "192.0.2.1:1", 1, AF_INET, "192.0.2.1", 1 },
	{ "[::1]:65535", 1, AF_INET6, "::1", 65535 },
	{ "[::]:9479", 1, AF_INET6, "::", 9479 },
	{ "0", 0, 0, NULL, 0 },
	{ "65536", 0, 0, NULL, 0 },
	{ "094790", 0, 0, NULL, 0 },
	{ "-1", 0, 0, NULL, 0 },
	{ "localhost", 0, 0, NULL, 0 },
	{ "localhost:", 0, 0, NULL, 0 },
	{ ":9479", 0, 0, NULL, 0 },
	{ "mx.example.net:9479", 0, 0, NULL, 0 },
	{ "::1:9479", 0, 0, NULL, 0 },
	{ "[::1]", 0, 0, NULL, 0 },
	{ "[::1]9479", 0, 0, NULL, 0 },
	{ "[192.0.2.1]:9479", 0, 0, NULL, 0 },
	{ "192.0.2.1:80x", 0, 0, NULL, 0 },
	{ "[::1:9479", 0, 0, NULL, 0 },
};

static void
test_listen(void)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char buf[INET6_ADDRSTRLEN];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(listen_rows) / sizeof(listen_rows[0]); i++) {
		const struct listen_row *r = &listen_rows[i];
		int good;

		why = metrics_listen_parse(r->v, &sa, &salen);
		if (!r->ok) {
			ok(why != NULL && strstr(why, "PORT") != NULL, "listen '%s': refused (%s)",
			    r->v, why ? why : "accepted");
			continue;
		}
		good = why == NULL;
		if (good && r->family == 0)
			good = salen == 0;
		else if (good && r->family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

			good = sa.ss_family == AF_INET && salen == sizeof(*s4) &&
			    ntohs(s4->sin_port) == r->port &&
			    strcmp(inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof(buf)), r->addr) == 0;
		} else if (good) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

			good = sa.ss_family == AF_INET6 && salen == sizeof(*s6) &&
			    ntohs(s6->sin6_port) == r->port &&
			    strcmp(inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof(buf)), r->addr) == 0;
		}
		ok(good, "listen '%s': %s port %u", r->v, r->addr ? r->addr : "off", r->port);
	}
}

int
main(void)
{
	test_escape();
	test_histogram();
	test_registry();
	test_listen();
	return tap_done();
}
