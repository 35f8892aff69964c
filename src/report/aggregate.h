/*
 * RFC 9990 aggregate reports from the report store: which policy domains
 * had mail in a period, and the XML report of one domain and period
 * (rows grouped with <count>, every value escaped). Reads the store only
 * through store_query() with SQL that runs on SQLite and PostgreSQL.
 */
#ifndef COMPAUTHD_AGGREGATE_H
#define COMPAUTHD_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grow.h"

struct store;

/*
 * The report tool's text (aggregate_buf.c) is a strbuf (grow.h) that
 * abort()s on out of memory: a report cut short is worse than none.
 */
void rbuf_add(struct strbuf *b, const void *p, size_t n);
void rbuf_puts(struct strbuf *b, const char *s);
void rbuf_printf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * s as XML character data: & < > " ' escaped; bytes that are not UTF-8,
 * and characters XML 1.0 does not allow (controls but TAB, LF, CR;
 * surrogates; U+FFFE, U+FFFF), become U+FFFD. Returns how many were
 * replaced.
 */
size_t rbuf_xml(struct strbuf *b, const char *s);

/* Who reports (RFC 9990 <report_metadata>). */
struct agg_meta {
	const char *org_name;
	const char *email;
	const char *extra_contact;      /* or NULL */
	const char *receiver;           /* the Mail Receiver's domain (file name, Subject) */
	const char *generator;          /* "compauthd VERSION" */
	const char *id_seed;            /* mixed into the Report-ID ("" by default) */
};

/* The policy record a report is about: as published by the latest message. */
struct agg_policy {
	char *p, *sp, *np, *adkim, *aspf, *fo, *testing, *discovery, *rua, *psd;
};

struct agg_report {
	char *domain;                   /* the DMARC Policy Domain */
	int64_t begin, end;             /* [begin, end), Unix seconds UTC */
	char report_id[33];             /* 32 hex digits: also the file name's unique-id */
	struct agg_policy pol;
	size_t nrecords;                /* <record> elements */
	uint64_t nmessages;             /* sum of <count> */
	size_t replaced;                /* characters replaced by U+FFFD */
	struct strbuf xml;
};

/*
 * The policy domains with messages (not reports) received in [begin, end),
 * sorted; only when only is not NULL, that domain. 0 or -1 + err.
 */
int agg_domains(struct store *s, int64_t begin, int64_t end, const char *only,
    char ***domains, size_t *n, char *err, size_t errlen);
void agg_domains_free(char ***domains, size_t n);

/* The published policy of domain in the period; 0, or -1 + err. */
int agg_policy(struct store *s, const char *domain, int64_t begin, int64_t end,
    struct agg_policy *pol, char *err, size_t errlen);

/*
 * Builds the report of domain for [begin, end) into r (r->pol must be set
 * by agg_policy). error: the <error> text, or NULL. 0, or -1 + err (also
 * when no message is left to report: RFC 9990 needs one <record>).
 */
int agg_build(struct store *s, const char *domain, int64_t begin, int64_t end,
    const struct agg_meta *meta, const char *error, struct agg_report *r,
    char *err, size_t errlen);
/*
 * The same, for part (0-based) of nparts: the records split into nparts
 * windows in order, as even as their count allows; for nparts > 1 each
 * part gets a Report-ID of its own (the seed with "#part/nparts"). -1 +
 * err also when there are fewer records than parts.
 */
int agg_build_part(struct store *s, const char *domain, int64_t begin, int64_t end,
    const struct agg_meta *meta, const char *error, size_t part, size_t nparts,
    struct agg_report *r, char *err, size_t errlen);
void agg_report_free(struct agg_report *r);

/* The Report-ID: hex of SHA-256(seed, receiver, domain, begin, end), 32 digits. */
void agg_report_id(const struct agg_meta *meta, const char *domain, int64_t begin,
    int64_t end, char out[33]);

/*
 * Can the domain name appear in a file name and a Subject (letters,
 * digits, '-', '_', '.', 1..253 bytes)? Domains that cannot are not
 * reported.
 */
bool agg_domain_safe(const char *d);

#endif
