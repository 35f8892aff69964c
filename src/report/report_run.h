/*
 * What compauthd-report's parts share: the options, one run's state, and
 * the bookkeeping in the store (destinations, counts) that aggregate
 * reports (report_main.c) and failure reports (failure_run.c) both keep.
 */
#ifndef COMPAUTHD_REPORT_RUN_H
#define COMPAUTHD_REPORT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aggregate.h"
#include "rua.h"

#define DAY 86400

struct opts {
	const char *config, *store, *dry_run, *from, *org_name, *email, *contact;
	const char *receiver, *sendmail, *seed, *domain, *html, *bounce;
	int64_t now, begin, end;
	bool have_now, have_begin, have_end, force, summary, verbose, no_verify, bounce_dsn;
	bool failure;
	const char *history;    /* --history DOMAIN */
	unsigned threshold;     /* --threshold N; 0: history_threshold */
	unsigned period_days, suppress_after, suppress_days, dns_timeout_ms, failure_rate;
};

struct run {
	struct opts *o;
	struct store *s;
	struct rua_verifier *v;
	struct agg_meta meta;
	char from[RUA_ADDR_MAX + 1];
	int failures;           /* sends that failed, DNS temporary failures */
	/* --failure: reports handed over this run per destination (rate limit) */
	struct { char key[RUA_ADDR_MAX + 8]; unsigned n; } fr_run[256];
	size_t nfr_run;
	unsigned long fr_sent, fr_limited, fr_other;
};

struct dest_state {
	long failures;
	int64_t suppressed_until;
	bool found;
};

/* One rua= mailbox of a report. */
struct dest {
	struct rua_uri u;
	char key[RUA_ADDR_MAX + 8];
	const char *status;     /* NULL: to send */
	size_t nparts;          /* status "split": in this many parts */
};

/* report_sent: the report (its period) and the mailbox, with status. */
void report_mark(struct run *r, const struct agg_report *rep, const char *key,
    const char *status);
/* One line of the run's output: "DOMAIN BEGIN DEST STATUS[: WHY]". */
void report_say(const char *domain, int64_t begin, const char *dest, const char *status,
    const char *why);
/*
 * A report larger than a mailbox's !size goes in parts (report_split.c):
 * the fewest of 2, 4 ... 64 parts that each fit limit, or 0 when none do.
 */
size_t report_split_plan(struct run *r, const struct agg_report *whole, uint64_t limit);
/* Sends (or writes, --dry-run) the nparts parts to d, and records it. */
void report_split_send(struct run *r, struct dest *d, const struct agg_report *whole,
    size_t nparts, unsigned seq);
/* Prints "compauthd-report: ..." and exits 2. */
void report_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void report_dest_get(struct run *r, const char *key, struct dest_state *d);
/* A delivery failed (sendmail, or a bounce): count it, suppress after N. */
void report_dest_failed(struct run *r, const char *key, const char *why);
void report_dest_ok(struct run *r, const char *key);
/* store_query() callback: the first column as a long into *(long *)arg. */
int report_count_row(void *arg, size_t ncol, const char *const *col);
/* --failure: every stored failure sample not yet handled (failure_run.c). */
void report_failures(struct run *r);
/*
 * --history: what implicit authentication knows of domain's organizational
 * domain and what follows for its mail (history_view.c), on out; enabled is
 * the history setting. 0, or -1 with err set.
 */
struct store;
int report_history(struct store *s, const char *domain, unsigned threshold,
    size_t max_domains, bool enabled, FILE *out, char *err, size_t errlen);

#endif
