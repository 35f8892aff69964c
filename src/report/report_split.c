/*
 * A mailbox whose !size (RFC 9990 §2.5 and RFC 7489 §6.2) the day's report
 * exceeds gets the report in parts: the records split into 2, 4, 8 ...
 * reports of the same period and policy, each with a Report-ID of its
 * own, until every part fits. Skipping the mailbox would leave the domain
 * owner blind exactly where its mail is busiest.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "report_run.h"

/* More parts than this is a flood, not a report: the mailbox gets none. */
#define SPLIT_MAX_PARTS 64

struct part {
	struct agg_report rep;
	struct strbuf gz;
};

static void
parts_free(struct part *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		agg_report_free(&p[i].rep);
		strbuf_free(&p[i].gz);
	}
}

/* Builds nparts parts; true when each, gzipped, is within limit. */
static bool
parts_build(struct run *r, const struct agg_report *whole, size_t nparts, uint64_t limit,
    struct part *p)
{
	char err[512];

	for (size_t i = 0; i < nparts; i++) {
		if (agg_policy(r->s, whole->domain, whole->begin, whole->end, &p[i].rep.pol,
		    err, sizeof err) < 0 ||
		    agg_build_part(r->s, whole->domain, whole->begin, whole->end, &r->meta, NULL,
		    i, nparts, &p[i].rep, err, sizeof err) < 0)
			report_fail("store: %s", err);
		if (deliver_gzip(p[i].rep.xml.p, p[i].rep.xml.len, &p[i].gz, err, sizeof err) < 0)
			report_fail("%s", err);
		if (p[i].gz.len > limit)
			return false;
	}
	return true;
}

size_t
report_split_plan(struct run *r, const struct agg_report *whole, uint64_t limit)
{
	struct part p[SPLIT_MAX_PARTS];

	for (size_t nparts = 2; nparts <= SPLIT_MAX_PARTS && nparts <= whole->nrecords;
	    nparts *= 2) {
		bool fits;
		memset(p, 0, sizeof(p[0]) * nparts);
		fits = parts_build(r, whole, nparts, limit, p);
		parts_free(p, nparts);
		if (fits)
			return nparts;
	}
	return 0;
}

void
report_split_send(struct run *r, struct dest *d, const struct agg_report *whole, size_t nparts,
    unsigned seq)
{
	struct opts *o = r->o;
	struct part p[SPLIT_MAX_PARTS];
	struct strbuf mail = { 0 };
	char err[512], fname[1024], name[1100];
	bool failed = false;

	memset(p, 0, sizeof(p[0]) * nparts);
	if (!parts_build(r, whole, nparts, UINT64_MAX, p))
		report_fail("%s: parts of the report changed size", whole->domain);
	for (size_t i = 0; i < nparts && !failed; i++) {
		deliver_filename(r->meta.receiver, &p[i].rep, fname, sizeof fname);
		struct deliver_mail m = { .from = r->from, .to = d->u.addr,
			.receiver = r->meta.receiver, .report = &p[i].rep, .filename = fname,
			.gz = &p[i].gz, .now = o->now, .seq = seq };
		deliver_mail_build(&m, &mail);
		if (o->dry_run) {
			snprintf(name, sizeof name, "%.*s.%u.eml", (int)(strlen(fname) - 7), fname, seq);
			if (deliver_write(o->dry_run, fname, p[i].gz.p, p[i].gz.len, err, sizeof err) < 0 ||
			    deliver_write(o->dry_run, name, mail.p, mail.len, err, sizeof err) < 0)
				report_fail("%s", err);
			report_say(whole->domain, whole->begin, d->u.addr, "dry-run", fname);
			continue;
		}
		if (deliver_sendmail(o->sendmail, r->from, d->u.addr, &mail, 300, err,
		    sizeof err) < 0) {
			/* The whole goes again next run: its parts keep their Report-IDs,
			   so a receiver sees the ones it has as duplicates. */
			report_mark(r, whole, d->key, "failed");
			report_dest_failed(r, d->key, err);
			report_say(whole->domain, whole->begin, d->u.addr, "failed", err);
			r->failures++;
			failed = true;
			continue;
		}
		report_say(whole->domain, whole->begin, d->u.addr, "sent", fname);
	}
	if (!failed && !o->dry_run) {
		report_mark(r, whole, d->key, "sent");
		report_dest_ok(r, d->key);
	}
	parts_free(p, nparts);
	strbuf_free(&mail);
}
