/*
 * The view's model, shared by the text summary (report_view_text.c) and the
 * HTML page (report_html.c): what the store holds for [begin, end), counted
 * per author domain, per source IP, per UTC day and per reason, loaded by
 * rv_load() (report_view.c) with a handful of GROUP BY queries.
 *
 * Every string a sender controls (domains, IPs, reasons) is kept raw and in
 * its display form (rv_display): printable UTF-8 as it is, every other byte
 * as \xHH and a backslash as \\, so that neither a terminal nor a page sees
 * a control byte, an invalid sequence or a bidi override.
 */
#ifndef COMPAUTHD_REPORT_VIEW_INT_H
#define COMPAUTHD_REPORT_VIEW_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

#define RV_SUMMARY_SOURCES_MAX 50       /* source rows per domain, --summary */
#define RV_TOP_FAILING_MAX 10           /* "top failing sources" rows */
#define RV_HTML_SOURCES_MAX 20          /* sources charted per domain, --html */
#define RV_DAYS_FILL_MAX 400            /* longer spans chart only days with mail */

/* DMARC result counts of a set of messages. */
struct rv_counts {
	long messages, pass, fail, none, other;  /* other: bestguesspass, temperror, permerror */
	long dkim_aligned, spf_aligned, both_aligned;
	long quarantine, reject;                  /* evaluated disposition */
};

/* A counted key: an override or compauth reason. */
struct rv_item {
	char *key, *disp;               /* raw and display form */
	long num;                       /* compauth reason (-1: none) */
	long count;
};

struct rv_source {
	char *ip, *disp;
	struct rv_counts c;
	struct rv_item *over;           /* override reasons, count desc */
	size_t nover;
};

struct rv_day {
	int64_t day;                    /* Unix day number (seconds / 86400) */
	struct rv_counts c;
};

struct rv_domain {
	char *name, *disp;
	struct rv_counts c;
	struct rv_source *src;          /* messages desc, then IP (rv_ip_cmp) */
	size_t nsrc, capsrc;
	struct rv_item *over;           /* override reasons over all sources */
	size_t nover;
	struct rv_item *comp;           /* compauth result (key) and reason (num) */
	size_t ncomp;
	struct rv_day *days;            /* ascending, gaps filled when short */
	size_t ndays;
};

struct rv_view {
	int64_t begin, end;
	const char *filter;             /* the domain asked for, or NULL */
	struct rv_counts c;
	struct rv_domain *dom;          /* messages desc, then name */
	size_t ndom;
	struct rv_day *days;            /* over every domain */
	size_t ndays;
};

int rv_load(struct rv_view *v, struct store *s, int64_t begin, int64_t end,
    const char *domain, char *err, size_t errlen);
void rv_free(struct rv_view *v);

/* The display form of s (malloc'd; NULL when out of memory). */
char *rv_display(const char *s);
/* Columns a display form takes (UTF-8 code points). */
size_t rv_width(const char *disp);
/* Order of source IPs: IPv4, then IPv6, numerically; anything else last, bytewise. */
int rv_ip_cmp(const char *a, const char *b);
/* "YYYY-MM-DD" of a day number, "YYYY-MM-DD HH:MM:SS" of a time. */
void rv_day_str(int64_t day, char *buf, size_t len);
void rv_time_str(int64_t t, char *buf, size_t len);
/* Sources with at least one DMARC fail, fail desc then IP; n set (<= max). */
struct rv_source **rv_top_failing(const struct rv_domain *d, size_t max, size_t *n);

#endif
