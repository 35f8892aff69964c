/*
 * compauthd-report --failure: RFC 9991 failure reports, one per stored
 * failure sample and ruf= mailbox, verified like rua= mailboxes, limited
 * per mailbox and hour (--failure-rate), each sample handled once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregate.h"
#include "deliver.h"
#include "failure.h"
#include "report_run.h"
#include "report_store.h"
#include "rua.h"
#include "rua_verify.h"

#define FR_MAX_SAMPLES 10000
#define FR_RETRY_S DAY          /* a DNS temporary failure is retried this long */

static char *
fr_dup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		report_fail("out of memory");
	return d;
}

/* One row of the query below, copied. */
struct fr_row {
	char *col[14];
	bool null[14];
};

struct fr_rows {
	struct fr_row *v;
	size_t n, cap;
};

static int
fr_row_cb(void *arg, size_t ncol, const char *const *col)
{
	struct fr_rows *rs = arg;
	struct fr_row *r = grow_array(rs->v, &rs->cap, rs->n + 1, sizeof *r);
	if (!r)
		report_fail("out of memory");
	rs->v = r;
	r = &rs->v[rs->n++];
	for (size_t i = 0; i < 14; i++) {
		r->null[i] = i >= ncol || !col[i];
		r->col[i] = fr_dup(i < ncol ? col[i] : NULL);
	}
	return 0;
}

static void
fr_record(struct run *r, const char *id, const char *key, const char *status)
{
	char err[256], t[24];
	snprintf(t, sizeof t, "%" PRId64, r->o->now);
	const char *p[4] = { id, key, t, status };
	if (r->o->dry_run)
		return;
	if (store_query(r->s, "INSERT INTO failure_sent (message_id, destination, sent_time, status) "
	    "VALUES (?, ?, ?, ?) ON CONFLICT (message_id, destination) DO UPDATE SET "
	    "sent_time = excluded.sent_time, status = excluded.status", p, 4, NULL, NULL,
	    err, sizeof err) < 0)
		report_fail("store: %s", err);
}

static void
fr_done(struct run *r, const char *id)
{
	char err[256];
	const char *p[1] = { id };
	if (r->o->dry_run)
		return;
	if (store_query(r->s, "UPDATE failure_sample SET done = 1 WHERE message_id = ?", p, 1,
	    NULL, NULL, err, sizeof err) < 0)
		report_fail("store: %s", err);
}

static void
fr_say(const char *id, const char *dest, const char *status, const char *why)
{
	printf("failure %s %s %s%s%s\n", id, dest, status, why && *why ? ": " : "", why ? why : "");
}

/* Reports to key within the last hour: recorded as sent, and this run's. */
static unsigned *
fr_run_count(struct run *r, const char *key)
{
	for (size_t i = 0; i < r->nfr_run; i++)
		if (strcmp(r->fr_run[i].key, key) == 0)
			return &r->fr_run[i].n;
	if (r->nfr_run == sizeof r->fr_run / sizeof r->fr_run[0])
		return NULL;
	snprintf(r->fr_run[r->nfr_run].key, sizeof r->fr_run[0].key, "%s", key);
	r->fr_run[r->nfr_run].n = 0;
	return &r->fr_run[r->nfr_run++].n;
}

static bool
fr_over_limit(struct run *r, const char *key)
{
	char err[256], since[24];
	long sent = 0;
	unsigned *run = fr_run_count(r, key);
	snprintf(since, sizeof since, "%" PRId64, r->o->now - 3600);
	const char *p[2] = { key, since };
	if (store_query(r->s, "SELECT COUNT(*) FROM failure_sent WHERE destination = ? AND "
	    "status = 'sent' AND sent_time > ?", p, 2, report_count_row, &sent, err, sizeof err) < 0)
		report_fail("store: %s", err);
	/* Sends are recorded as they happen; a dry run records nothing, so its
	   own count is added. */
	unsigned long n = (unsigned long)sent + (run && r->o->dry_run ? *run : 0);
	return run == NULL || n >= r->o->failure_rate;
}

static bool
fr_already(struct run *r, const char *id, const char *key)
{
	char err[256];
	long n = 0;
	const char *p[2] = { id, key };
	if (store_query(r->s, "SELECT COUNT(*) FROM failure_sent WHERE message_id = ? AND "
	    "destination = ?", p, 2, report_count_row, &n, err, sizeof err) < 0)
		report_fail("store: %s", err);
	return n > 0;
}

/* One sample: a report to each usable ruf= mailbox. */
static void
fr_sample(struct run *r, struct fr_row *row, const char *user_agent)
{
	struct opts *o = r->o;
	char **c = row->col;
	const char *id = c[0];
	struct failure_sample fs = {
		.id = id, .received = strtoll(c[1], NULL, 10), .source_ip = c[2],
		.header_from = c[3], .policy_domain = c[4], .ruf = c[5],
		.disposition = c[6], .spf_aligned = strcmp(c[7], "1") == 0,
		.dkim_aligned = strcmp(c[8], "1") == 0,
		.original_mail_from = row->null[9] ? NULL : c[9],
		.auth_results = row->null[10] ? NULL : c[10], .headers = c[11],
	};
	struct rua_uri uris[RUA_MAX];
	struct strbuf mail = { 0 };
	char why[512], err[512], key[RUA_ADDR_MAX + 8];
	bool pending = false;
	unsigned seq = 0;

	/* Never about a report (ours or anyone's), never for psd=y (RFC 9991). */
	if (strcmp(c[12], "1") == 0 || strcmp(c[13], "y") == 0 || row->null[5] || !*c[5] ||
	    !agg_domain_safe(fs.header_from) || !agg_domain_safe(fs.policy_domain)) {
		fr_say(id, "-", "skipped", strcmp(c[12], "1") == 0 ? "a report" :
		    strcmp(c[13], "y") == 0 ? "psd=y" : "no usable ruf or domain");
		fr_done(r, id);
		return;
	}
	size_t nuris = rua_parse(fs.ruf, strlen(fs.ruf), uris, RUA_MAX);
	for (size_t i = 0; i < nuris; i++) {
		struct rua_uri u = uris[i];
		u.domain = u.addr + (uris[i].domain - uris[i].addr);
		if (!u.ok) {
			fr_say(id, "-", "invalid", u.why);
			continue;
		}
		rua_key(&u, key, sizeof key);
		bool dup = false;
		for (size_t k = 0; k < i; k++) {
			char k2[RUA_ADDR_MAX + 8];
			if (uris[k].ok) {
				rua_key(&uris[k], k2, sizeof k2);
				dup = dup || strcmp(k2, key) == 0;
			}
		}
		if (dup)
			continue;
		if (!o->dry_run && fr_already(r, id, key)) {
			fr_say(id, u.addr, "already-sent", NULL);
			continue;
		}
		if (!o->no_verify) {
			/* The external check of rua= (RFC 9990 §4) applies to ruf= too;
			   the authorization's own rua= does not replace a ruf= mailbox. */
			struct rua_uri chk = u;
			chk.domain = chk.addr + (u.domain - u.addr);
			enum rua_vstat st = rua_verify(r->v, fs.policy_domain, &chk, why, sizeof why);
			if (st == RUA_V_REFUSED || st == RUA_V_CONFLICT) {
				fr_record(r, id, key, "refused");
				fr_say(id, u.addr, rua_vstat_name(st), why);
				r->fr_other++;
				continue;
			}
			if (st == RUA_V_TEMPFAIL) {
				fr_say(id, u.addr, "temperror", why);
				r->failures++;
				if (fs.received > o->now - FR_RETRY_S)
					pending = true;
				else
					fr_record(r, id, key, "temperror");
				continue;
			}
		}
		if (!o->dry_run) {
			struct dest_state ds;
			report_dest_get(r, key, &ds);
			if (ds.suppressed_until > o->now) {
				fr_record(r, id, key, "suppressed");
				fr_say(id, u.addr, "suppressed", NULL);
				r->fr_other++;
				continue;
			}
		}
		if (fr_over_limit(r, key)) {
			/* Over the hourly limit: dropped and counted, never kept for later. */
			fr_record(r, id, key, "rate_limited");
			fr_say(id, u.addr, "rate-limited", NULL);
			r->fr_limited++;
			continue;
		}
		struct failure_mail fm = { .from = r->from, .to = u.addr, .receiver = r->meta.receiver,
			.user_agent = user_agent, .fs = &fs, .now = o->now, .seq = ++seq };
		failure_mail_build(&fm, &mail);
		if (u.size_limit && mail.len > u.size_limit) {
			fr_record(r, id, key, "too_large");
			fr_say(id, u.addr, "too-large", NULL);
			r->fr_other++;
			continue;
		}
		unsigned *cnt = fr_run_count(r, key);
		if (o->dry_run) {
			char name[600];
			snprintf(name, sizeof name, "failure!%s!%s!%u.eml", r->meta.receiver, id, seq);
			if (deliver_write(o->dry_run, name, mail.p, mail.len, err, sizeof err) < 0)
				report_fail("%s", err);
			if (cnt)
				(*cnt)++;
			r->fr_sent++;
			fr_say(id, u.addr, "dry-run", name);
			continue;
		}
		if (deliver_sendmail(o->sendmail, r->from, u.addr, &mail, 300, err, sizeof err) < 0) {
			fr_record(r, id, key, "failed");
			report_dest_failed(r, key, err);
			fr_say(id, u.addr, "failed", err);
			r->failures++;
			r->fr_other++;
			continue;
		}
		fr_record(r, id, key, "sent");
		report_dest_ok(r, key);
		if (cnt)
			(*cnt)++;
		r->fr_sent++;
		fr_say(id, u.addr, "sent", NULL);
	}
	if (!pending)
		fr_done(r, id);
	strbuf_free(&mail);
}

void
report_failures(struct run *r)
{
	struct fr_rows rs = { 0 };
	char err[512], ua[64];
	const char *p[1] = { r->o->domain };
	snprintf(ua, sizeof ua, "compauthd/%s", PACKAGE_VERSION);
	if (store_query(r->s, r->o->domain ?
	    "SELECT m.id, m.received, m.source_ip, m.header_from, m.policy_domain, m.ruf, "
	    "m.disposition, m.spf_aligned, m.dkim_aligned, f.original_mail_from, f.auth_results, "
	    "f.headers, m.is_report, m.policy_psd FROM failure_sample f JOIN message m ON "
	    "m.id = f.message_id WHERE f.done = 0 AND m.policy_domain = ? ORDER BY f.message_id "
	    "LIMIT 10000" :
	    "SELECT m.id, m.received, m.source_ip, m.header_from, m.policy_domain, m.ruf, "
	    "m.disposition, m.spf_aligned, m.dkim_aligned, f.original_mail_from, f.auth_results, "
	    "f.headers, m.is_report, m.policy_psd FROM failure_sample f JOIN message m ON "
	    "m.id = f.message_id WHERE f.done = 0 ORDER BY f.message_id LIMIT 10000",
	    p, r->o->domain ? 1 : 0, fr_row_cb, &rs, err, sizeof err) < 0)
		report_fail("store: %s", err);
	for (size_t i = 0; i < rs.n; i++) {
		fr_sample(r, &rs.v[i], ua);
		for (size_t k = 0; k < 14; k++)
			free(rs.v[i].col[k]);
	}
	free(rs.v);
	printf("failure reports: %lu sent, %lu dropped over the rate limit (%u per destination "
	    "and hour), %lu not sent\n", r->fr_sent, r->fr_limited, r->o->failure_rate, r->fr_other);
}
