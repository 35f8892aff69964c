/*
 * The metrics registry and its Prometheus text exposition. Milter threads
 * and the resolver thread only ever add to fixed arrays of relaxed atomics
 * (no lock, no allocation, no label built from a message); the scrape
 * reads them while they move, which Prometheus tolerates: each value is
 * read whole, and a histogram's _count is taken from its own buckets so the
 * two always agree.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authres.h"
#include "metrics.h"
#include "msg.h"

/* Index order = the words we stamp; the last of each list catches the rest. */
static const char *const metrics_methods[] = { "spf", "dkim", "dmarc", "arc", "iprev" };
#define NMETHODS (sizeof(metrics_methods) / sizeof(metrics_methods[0]))
static const char *const metrics_results[] = {
	"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror",
	"policy", "bestguesspass", "other"
};
#define NRESULTS (sizeof(metrics_results) / sizeof(metrics_results[0]))
static const char *const metrics_compauth[] = { "pass", "fail", "softpass", "none", "other" };
#define NCOMPAUTH (sizeof(metrics_compauth) / sizeof(metrics_compauth[0]))
/* reason is three digits (000-999); anything else is the last slot, "other". */
#define NREASONS 1001
/* Index order = enum msg_action. */
static const char *const metrics_actions[] = { "accept", "reject", "tempfail", "quarantine" };
#define NACTIONS (sizeof(metrics_actions) / sizeof(metrics_actions[0]))

/* Seconds; the same bounds for both histograms, from one cache hit to the deadline. */
static const double metrics_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define NLE (sizeof(metrics_le) / sizeof(metrics_le[0]))

struct metrics_hist {
	_Atomic uint64_t b[NLE + 1];
	_Atomic uint64_t sum_us;
};

static atomic_bool metrics_on;
static _Atomic uint64_t metrics_counters[METRICS_NCOUNTERS];
static _Atomic uint64_t metrics_res[NMETHODS][NRESULTS];
static _Atomic uint64_t metrics_ca[NCOMPAUTH][NREASONS];
static _Atomic uint64_t metrics_act[NACTIONS];
static _Atomic uint64_t metrics_removed;
static struct metrics_hist metrics_eom_wait, metrics_total;

static void
add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static uint64_t
get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
metrics_enable(bool on)
{
	atomic_store(&metrics_on, on);
}

bool
metrics_enabled(void)
{
	return atomic_load_explicit(&metrics_on, memory_order_relaxed);
}

void
metrics_inc(enum metrics_counter c)
{
	if (metrics_enabled() && (unsigned)c < METRICS_NCOUNTERS)
		add(&metrics_counters[c], 1);
}

uint64_t
metrics_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
observe(struct metrics_hist *h, uint64_t us)
{
	size_t i;

	for (i = 0; i < NLE && (double)us > metrics_le[i] * 1e6; i++)
		;
	add(&h->b[i], 1);
	add(&h->sum_us, us);
}

static size_t
lookup(const char *const *words, size_t n, const char *w)
{
	size_t i;

	for (i = 0; w != NULL && i + 1 < n; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return n - 1;
}

static size_t
reason_slot(const char *r)
{
	if (r == NULL || r[0] < '0' || r[0] > '9' || r[1] < '0' || r[1] > '9' ||
	    r[2] < '0' || r[2] > '9' || r[3] != '\0')
		return NREASONS - 1;
	return (size_t)((r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0'));
}

void
metrics_message(const struct ar_result *r, size_t n, int action, size_t removed,
    int64_t eom_wait_us, uint64_t total_us)
{
	size_t i, m;

	if (!metrics_enabled())
		return;
	for (i = 0; i < n; i++) {
		if (r[i].method == NULL)
			continue;
		if (strcmp(r[i].method, "compauth") == 0) {
			add(&metrics_ca[lookup(metrics_compauth, NCOMPAUTH, r[i].result)]
			    [reason_slot(r[i].reason)], 1);
			continue;
		}
		for (m = 0; m < NMETHODS; m++)
			if (strcmp(r[i].method, metrics_methods[m]) == 0)
				break;
		if (m < NMETHODS)
			add(&metrics_res[m][lookup(metrics_results, NRESULTS, r[i].result)], 1);
	}
	if (action >= 0 && (size_t)action < NACTIONS)
		add(&metrics_act[action], 1);
	if (removed > 0)
		add(&metrics_removed, removed);
	if (eom_wait_us >= 0)
		observe(&metrics_eom_wait, (uint64_t)eom_wait_us);
	observe(&metrics_total, total_us);
}

void
metrics_reset(void)
{
	size_t i, j;

	for (i = 0; i < METRICS_NCOUNTERS; i++)
		atomic_store(&metrics_counters[i], 0);
	for (i = 0; i < NMETHODS; i++)
		for (j = 0; j < NRESULTS; j++)
			atomic_store(&metrics_res[i][j], 0);
	for (i = 0; i < NCOMPAUTH; i++)
		for (j = 0; j < NREASONS; j++)
			atomic_store(&metrics_ca[i][j], 0);
	for (i = 0; i < NACTIONS; i++)
		atomic_store(&metrics_act[i], 0);
	atomic_store(&metrics_removed, 0);
	for (i = 0; i <= NLE; i++) {
		atomic_store(&metrics_eom_wait.b[i], 0);
		atomic_store(&metrics_total.b[i], 0);
	}
	atomic_store(&metrics_eom_wait.sum_us, 0);
	atomic_store(&metrics_total.sum_us, 0);
}

/* ---- text exposition ---- */

void
metrics_text_add(struct metrics_text *t, const char *s, size_t len)
{
	/* A page with a piece missing is wrong, and metrics_render drops it. */
	if (!t->oom && strbuf_add(&t->b, s, len) < 0)
		t->oom = true;
}

static void
text_s(struct metrics_text *t, const char *s)
{
	metrics_text_add(t, s, strlen(s));
}

static void
text_u64(struct metrics_text *t, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	text_s(t, num);
}

void
metrics_text_label(struct metrics_text *t, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			text_s(t, "\\\\");
		else if (*v == '"')
			text_s(t, "\\\"");
		else if (*v == '\n')
			text_s(t, "\\n");
		else
			metrics_text_add(t, v, 1);
	}
}

static void
text_family(struct metrics_text *t, const char *name, const char *type, const char *help)
{
	text_s(t, "# HELP ");
	text_s(t, name);
	text_s(t, " ");
	text_s(t, help);
	text_s(t, "\n# TYPE ");
	text_s(t, name);
	text_s(t, " ");
	text_s(t, type);
	text_s(t, "\n");
}

/* name{k1="v1",k2="v2"} value; k2 may be NULL. */
static void
text_sample(struct metrics_text *t, const char *name, const char *k1, const char *v1,
    const char *k2, const char *v2, uint64_t value)
{
	text_s(t, name);
	if (k1 != NULL) {
		text_s(t, "{");
		text_s(t, k1);
		text_s(t, "=\"");
		metrics_text_label(t, v1);
		text_s(t, "\"");
		if (k2 != NULL) {
			text_s(t, ",");
			text_s(t, k2);
			text_s(t, "=\"");
			metrics_text_label(t, v2);
			text_s(t, "\"");
		}
		text_s(t, "}");
	}
	text_s(t, " ");
	text_u64(t, value);
	text_s(t, "\n");
}

void
metrics_text_histogram(struct metrics_text *t, const char *name, const char *help,
    const double *le, const uint64_t *counts, size_t nle, double sum)
{
	char line[256], bound[32];
	uint64_t cum = 0;
	size_t i;

	text_family(t, name, "histogram", help);
	for (i = 0; i <= nle; i++) {
		cum += counts[i];
		if (i < nle)
			snprintf(bound, sizeof(bound), "%g", le[i]);
		else
			snprintf(bound, sizeof(bound), "+Inf");
		snprintf(line, sizeof(line), "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name, bound, cum);
		text_s(t, line);
	}
	snprintf(line, sizeof(line), "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, sum, name, cum);
	text_s(t, line);
}

static void
render_hist(struct metrics_text *t, const char *name, const char *help, struct metrics_hist *h)
{
	uint64_t counts[NLE + 1];
	size_t i;

	for (i = 0; i <= NLE; i++)
		counts[i] = get(&h->b[i]);
	metrics_text_histogram(t, name, help, metrics_le, counts, NLE,
	    (double)get(&h->sum_us) / 1e6);
}

char *
metrics_render(size_t *len)
{
	static const struct {
		const char *name, *help;
	} dns[METRICS_NCOUNTERS] = {
		{ "compauthd_dns_queries_total", "DNS queries sent upstream (or to the zone file)." },
		{ "compauthd_dns_cache_hits_total", "DNS queries answered from the cache." },
		{ "compauthd_dns_timeouts_total", "DNS queries no server answered in time." },
		{ "compauthd_dns_budget_exhausted_total",
		  "DNS queries refused because the message's query budget was spent." },
	};
	struct metrics_text t = { 0 };
	uint64_t v;
	size_t i, j;
	char reason[8];

	text_family(&t, "compauthd_results_total", "counter",
	    "Authentication results stamped, per method and result (dkim: one per signature).");
	for (i = 0; i < NMETHODS; i++)
		for (j = 0; j < NRESULTS; j++)
			if ((v = get(&metrics_res[i][j])) != 0)
				text_sample(&t, "compauthd_results_total", "method", metrics_methods[i],
				    "result", metrics_results[j], v);
	text_family(&t, "compauthd_compauth_total", "counter",
	    "Composite verdicts (compauth), per result and reason code.");
	for (i = 0; i < NCOMPAUTH; i++)
		for (j = 0; j < NREASONS; j++) {
			if ((v = get(&metrics_ca[i][j])) == 0)
				continue;
			if (j + 1 < NREASONS)
				snprintf(reason, sizeof(reason), "%03zu", j);
			else
				snprintf(reason, sizeof(reason), "other");
			text_sample(&t, "compauthd_compauth_total", "result", metrics_compauth[i],
			    "reason", reason, v);
		}
	text_family(&t, "compauthd_actions_total", "counter",
	    "Messages per action taken at end of message.");
	for (i = 0; i < NACTIONS; i++)
		text_sample(&t, "compauthd_actions_total", "action", metrics_actions[i], NULL, NULL,
		    get(&metrics_act[i]));
	text_family(&t, "compauthd_forged_ar_removed_total", "counter",
	    "Incoming Authentication-Results headers claiming our authserv-id, removed.");
	text_sample(&t, "compauthd_forged_ar_removed_total", NULL, NULL, NULL, NULL,
	    get(&metrics_removed));
	for (i = 0; i < METRICS_NCOUNTERS; i++) {
		text_family(&t, dns[i].name, "counter", dns[i].help);
		text_sample(&t, dns[i].name, NULL, NULL, NULL, NULL, get(&metrics_counters[i]));
	}
	text_family(&t, "compauthd_messages_in_flight", "gauge",
	    "Messages between MAIL FROM and their end.");
	text_sample(&t, "compauthd_messages_in_flight", NULL, NULL, NULL, NULL, msg_in_flight());
	render_hist(&t, "compauthd_eom_wait_seconds",
	    "Time end of message waited for outstanding DNS answers (checked messages).",
	    &metrics_eom_wait);
	render_hist(&t, "compauthd_message_seconds",
	    "Time from MAIL FROM to the verdict at end of message.", &metrics_total);
	if (t.oom) {
		strbuf_free(&t.b);
		return NULL;
	}
	*len = t.b.len;
	return t.b.p;
}

/* ---- metrics_listen ---- */

static int
parse_port(const char *s)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

const char *
metrics_listen_parse(const char *v, struct sockaddr_storage *sa, socklen_t *salen)
{
	static const char *const want =
	    "PORT, localhost:PORT, IPv4:PORT, [IPv6]:PORT or \"\"";
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *end;
	size_t hlen;
	int port;

	memset(sa, 0, sizeof(*sa));
	*salen = 0;
	if (v[0] == '\0')
		return NULL;
	if (v[0] == '[') {
		end = strchr(v, ']');
		if (end == NULL || end[1] != ':' || (hlen = (size_t)(end - v - 1)) == 0 ||
		    hlen >= sizeof(host))
			return want;
		memcpy(host, v + 1, hlen);
		host[hlen] = '\0';
		if ((port = parse_port(end + 2)) < 0 || inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return want;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*salen = sizeof(*s6);
		return NULL;
	}
	s4->sin_family = AF_INET;
	*salen = sizeof(*s4);
	if ((colon = strchr(v, ':')) == NULL) {
		/* A bare port: loopback, so that turning metrics on exposes nothing. */
		if ((port = parse_port(v)) < 0)
			return want;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		hlen = (size_t)(colon - v);
		if (hlen == 0 || hlen >= sizeof(host) || (port = parse_port(colon + 1)) < 0)
			return want;
		memcpy(host, v, hlen);
		host[hlen] = '\0';
		if (strcmp(host, "localhost") == 0)
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return want;
	}
	s4->sin_port = htons((uint16_t)port);
	return NULL;
}
