/*
 * Counters and histograms for Prometheus (metrics.c) and the HTTP listener
 * that serves them (metrics_http.c, only in the daemon). Every label value
 * comes from a fixed list here, never from a message, so no sender can
 * make the series grow. Counting is relaxed atomics only, and nothing at
 * all until metrics_enable(): with metrics_listen empty the message path
 * pays one relaxed load per call.
 */
#ifndef COMPAUTHD_METRICS_H
#define COMPAUTHD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "grow.h"

struct ar_result;

enum metrics_counter {
	METRICS_DNS_QUERIES = 0,        /* sent upstream (or to the zone backend) */
	METRICS_DNS_CACHE_HITS,
	METRICS_DNS_TIMEOUTS,           /* a server never answered (c-ares ETIMEOUT) */
	METRICS_DNS_BUDGET,             /* a query refused: the message's budget was spent */
	METRICS_NCOUNTERS
};

void metrics_enable(bool on);
bool metrics_enabled(void);
void metrics_inc(enum metrics_counter c);

/* Monotonic microseconds, for the latency histograms. */
uint64_t metrics_now_us(void);

/*
 * One message at end of message: its results (methods and compauth as we
 * stamp them), the action taken (enum msg_action), the forged
 * Authentication-Results headers removed, the time end of message waited
 * for DNS (negative: it did not wait, the message was not checked) and the
 * time since MAIL FROM.
 */
void metrics_message(const struct ar_result *r, size_t n, int action, size_t removed,
    int64_t eom_wait_us, uint64_t total_us);

/* Every counter back to zero (tests). */
void metrics_reset(void);

/* ---- text exposition format (version 0.0.4) ---- */

struct metrics_text {
	struct strbuf b;
	bool oom;                       /* an allocation failed: b is incomplete */
};

void metrics_text_add(struct metrics_text *t, const char *s, size_t len);
/* A label value: backslash, double quote and newline escaped. */
void metrics_text_label(struct metrics_text *t, const char *v);
/*
 * A histogram: counts[i] observations at or below le[i] and above
 * le[i - 1] (not cumulative), counts[nle] above the last bound; sum in the
 * unit of le. Written cumulative, with _sum and _count.
 */
void metrics_text_histogram(struct metrics_text *t, const char *name, const char *help,
    const double *le, const uint64_t *counts, size_t nle, double sum);
/* The whole page; NULL when out of memory. The caller frees it. */
char *metrics_render(size_t *len);

/* ---- the listener ---- */

/*
 * metrics_listen: "" (off), PORT or localhost:PORT (127.0.0.1),
 * ADDR:PORT for an IPv4 address, [ADDR]:PORT for IPv6. NULL when the
 * value is good (sa filled when not off), else what a good one looks like.
 */
const char *metrics_listen_parse(const char *v, struct sockaddr_storage *sa, socklen_t *salen);

/*
 * Binds the socket (as root, before the fork) and, later, starts the
 * server on it (after the privilege drop, with signals blocked so that its
 * thread inherits the mask). -1 with err set on failure.
 */
int metrics_http_bind(const char *listen, char *err, size_t errlen);
int metrics_http_start(char *err, size_t errlen);

#endif
