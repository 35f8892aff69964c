/*
 * compauthd-report: RFC 9990 aggregate reports from the report store,
 * one per policy domain and period, to every verified rua= mailbox (or
 * into a directory with --dry-run); and the postmaster's views of the
 * store (--summary, --html). It owns the options, the periods, and the
 * bookkeeping in the store that makes a run repeatable: report_sent (a
 * period sent to a destination is not sent again without --force) and
 * destination (failures counted, a destination that keeps failing is
 * suppressed for a while). See compauthd-report(8).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aggregate.h"
#include "config.h"
#include "deliver.h"
#include "failure.h"
#include "report_run.h"
#include "report_store.h"
#include "report_view.h"
#include "rua.h"
#include "rua_verify.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: compauthd-report [-c FILE] [--store URI] [--begin DATE] [--end DATE]\n"
	    "         [--period DAYS] [--domain DOMAIN] [--from ADDR] [--org-name NAME]\n"
	    "         [--email ADDR] [--contact TEXT] [--receiver DOMAIN] [--sendmail CMD]\n"
	    "         [--dry-run DIR] [--force] [--suppress-after N] [--suppress-days D]\n"
	    "         [--no-verify] [--now TIME] [--report-id-seed TEXT] [-v]\n"
	    "       compauthd-report [-c FILE] [--store URI] --failure [--failure-rate N]\n"
	    "         [--domain DOMAIN] [--from ADDR] [--receiver DOMAIN] [--sendmail CMD]\n"
	    "         [--dry-run DIR] [--suppress-after N] [--suppress-days D] [--no-verify]\n"
	    "         [--now TIME] [-v]\n"
	    "       compauthd-report [-c FILE] [--store URI] --summary | --html DIR\n"
	    "         [--begin DATE] [--end DATE] [--domain DOMAIN]\n"
	    "       compauthd-report [-c FILE] [--store URI] --bounce ADDR | --bounce-dsn\n"
	    "       compauthd-report [-c FILE] [--store URI] --history DOMAIN [--threshold N]\n"
	    "       compauthd-report -V\n");
}

void
report_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("compauthd-report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* YYYY-MM-DD (UTC midnight), YYYY-MM-DDTHH:MM:SSZ, or Unix seconds. */
static int64_t
parse_time(const char *v, const char *opt)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(v, "%Y-%m-%d", &tm);
	if (end && *end == 'T')
		end = strptime(end, "T%H:%M:%SZ", &tm);
	if (end && *end == '\0' && strlen(v) >= 10)
		return (int64_t)timegm(&tm);
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < 0)
		report_fail("%s %s: not a date (YYYY-MM-DD) nor Unix seconds", opt, v);
	return n;
}

static unsigned
parse_uint(const char *v, const char *opt, unsigned min, unsigned max)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		report_fail("%s %s: not a number from %u to %u", opt, v, min, max);
	return (unsigned)n;
}

/* ---- Bookkeeping in the store ---------------------------------------- */


static int
dest_row(void *arg, size_t ncol, const char *const *col)
{
	struct dest_state *d = arg;
	d->found = true;
	d->failures = ncol > 0 && col[0] ? strtol(col[0], NULL, 10) : 0;
	d->suppressed_until = ncol > 1 && col[1] ? strtoll(col[1], NULL, 10) : 0;
	return 1;
}

void
report_dest_get(struct run *r, const char *key, struct dest_state *d)
{
	char err[256];
	const char *p[1] = { key };
	memset(d, 0, sizeof *d);
	if (store_query(r->s, "SELECT failures, suppressed_until FROM destination WHERE uri = ?",
	    p, 1, dest_row, d, err, sizeof err) < 0)
		report_fail("store: %s", err);
}

/* A delivery failed (sendmail, or a bounce): count it, suppress after N. */
void
report_dest_failed(struct run *r, const char *key, const char *why)
{
	char err[256], now[24], until[24], n[24];
	struct dest_state d;
	snprintf(now, sizeof now, "%" PRId64, r->o->now);
	const char *p[2] = { key, why };
	if (store_query(r->s, "INSERT INTO destination (uri, failures, suppressed_until, last_error) "
	    "VALUES (?, 1, 0, ?) ON CONFLICT (uri) DO UPDATE SET failures = destination.failures + 1, "
	    "last_error = excluded.last_error", p, 2, NULL, NULL, err, sizeof err) < 0)
		report_fail("store: %s", err);
	report_dest_get(r, key, &d);
	if (d.failures >= (long)r->o->suppress_after) {
		snprintf(until, sizeof until, "%" PRId64,
		    r->o->now + (int64_t)r->o->suppress_days * DAY);
		snprintf(n, sizeof n, "%u", r->o->suppress_after);
		const char *q[2] = { until, key };
		if (store_query(r->s, "UPDATE destination SET suppressed_until = ? WHERE uri = ?",
		    q, 2, NULL, NULL, err, sizeof err) < 0)
			report_fail("store: %s", err);
		fprintf(stderr, "compauthd-report: %s: %ld failures in a row, suppressed for %u days\n",
		    key, d.failures, r->o->suppress_days);
	}
	(void)now;
}

void
report_dest_ok(struct run *r, const char *key)
{
	char err[256];
	const char *p[1] = { key };
	if (store_query(r->s, "UPDATE destination SET failures = 0, suppressed_until = 0, "
	    "last_error = NULL WHERE uri = ?", p, 1, NULL, NULL, err, sizeof err) < 0)
		report_fail("store: %s", err);
}

int
report_count_row(void *arg, size_t ncol, const char *const *col)
{
	*(long *)arg = ncol > 0 && col[0] ? strtol(col[0], NULL, 10) : 0;
	return 1;
}

/* Was this period of the domain sent (or found too large) to key already? */
static bool
already_done(struct run *r, const char *domain, int64_t begin, int64_t end, const char *key)
{
	char err[256], b[24], e[24];
	long n = 0;
	snprintf(b, sizeof b, "%" PRId64, begin);
	snprintf(e, sizeof e, "%" PRId64, end);
	const char *p[4] = { domain, b, e, key };
	if (store_query(r->s, "SELECT COUNT(*) FROM report_sent WHERE policy_domain = ? AND "
	    "begin_time = ? AND end_time = ? AND destination = ? AND status IN ('sent', 'too_large')",
	    p, 4, report_count_row, &n, err, sizeof err) < 0)
		report_fail("store: %s", err);
	return n > 0;
}

void
report_mark(struct run *r, const struct agg_report *rep, const char *key, const char *status)
{
	char err[256], b[24], e[24], t[24];
	snprintf(b, sizeof b, "%" PRId64, rep->begin);
	snprintf(e, sizeof e, "%" PRId64, rep->end);
	snprintf(t, sizeof t, "%" PRId64, r->o->now);
	const char *p[7] = { rep->report_id, rep->domain, b, e, key, t, status };
	if (store_query(r->s, "INSERT INTO report_sent (report_id, policy_domain, begin_time, "
	    "end_time, destination, sent_time, status) VALUES (?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (report_id, destination) DO UPDATE SET sent_time = excluded.sent_time, "
	    "status = excluded.status", p, 7, NULL, NULL, err, sizeof err) < 0)
		report_fail("store: %s", err);
}

/*
 * --bounce-dsn: a delivery status notification on standard input (an
 * alias of the --from mailbox pipes bounces here); each failed recipient
 * that reports were sent to counts as a failure of that mailbox.
 */
#define DSN_MAX_BYTES (10u << 20)
static int
bounce_dsn(struct run *r)
{
	struct strbuf in = { 0 };
	char buf[65536], addrs[16][RUA_ADDR_MAX + 1], key[RUA_ADDR_MAX + 8], err[256];
	size_t got, n;

	while ((got = fread(buf, 1, sizeof buf, stdin)) > 0 && in.len < DSN_MAX_BYTES)
		rbuf_add(&in, buf, got);
	n = in.len ? deliver_dsn_failed(in.p, in.len, addrs, 16) : 0;
	for (size_t i = 0; i < n; i++) {
		long sent = 0;
		snprintf(key, sizeof key, "mailto:%.*s", RUA_ADDR_MAX, addrs[i]);
		const char *p[2] = { key, key };
		/* aggregate reports, and failure reports (--failure) */
		if (store_query(r->s, "SELECT (SELECT COUNT(*) FROM report_sent WHERE destination = ? "
		    "AND status = 'sent') + (SELECT COUNT(*) FROM failure_sent WHERE destination = ? "
		    "AND status = 'sent')", p, 2, report_count_row, &sent, err, sizeof err) < 0)
			report_fail("store: %s", err);
		if (sent == 0) {
			printf("%s ignored: no report was sent there\n", key);
			continue;
		}
		report_dest_failed(r, key, "bounce");
		printf("%s failure recorded\n", key);
	}
	if (n == 0)
		printf("no failed recipient in the notification\n");
	strbuf_free(&in);
	return 0;
}

/* ---- One domain and period -------------------------------------------- */

static void note_add(struct strbuf *notes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_add(struct strbuf *notes, const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (notes->len)
		rbuf_puts(notes, "; ");
	rbuf_puts(notes, buf);
}

void
report_say(const char *domain, int64_t begin, const char *dest, const char *status,
    const char *why)
{
	printf("%s %" PRId64 " %s %s%s%s\n", domain, begin, dest, status, why && *why ? ": " : "",
	    why ? why : "");
}

static void
report_domain(struct run *r, const char *domain, int64_t begin, int64_t end)
{
	struct opts *o = r->o;
	struct agg_report rep = { 0 };
	struct strbuf notes = { 0 }, gz = { 0 }, mail = { 0 };
	struct rua_uri uris[RUA_MAX];
	struct dest dests[RUA_MAX];
	size_t nuris, ndest = 0, nsend = 0, i, k;
	char err[512], why[512], fname[1024];

	if (!agg_domain_safe(domain)) {
		fprintf(stderr, "compauthd-report: policy domain with unusable characters skipped\n");
		return;
	}
	if (agg_policy(r->s, domain, begin, end, &rep.pol, err, sizeof err) < 0)
		report_fail("store: %s", err);
	if (!rep.pol.rua || !*rep.pol.rua) {
		if (o->verbose)
			report_say(domain, begin, "-", "no-rua", NULL);
		agg_report_free(&rep);
		return;
	}
	nuris = rua_parse(rep.pol.rua, strlen(rep.pol.rua), uris, RUA_MAX);
	for (i = 0; i < nuris; i++) {
		struct dest *d = &dests[ndest];
		if (!uris[i].ok) {
			/* RFC 9990 §2.5: malformed URIs are ignored; say so in <error>. */
			note_add(&notes, "rua URI %zu ignored: %s", i + 1, uris[i].why);
			report_say(domain, begin, "-", "invalid", uris[i].why);
			continue;
		}
		d->u = uris[i];
		d->u.domain = d->u.addr + (uris[i].domain - uris[i].addr);
		d->status = NULL;
		if (!o->no_verify) {
			enum rua_vstat st = rua_verify(r->v, domain, &d->u, why, sizeof why);
			if (st == RUA_V_REFUSED || st == RUA_V_CONFLICT) {
				note_add(&notes, "%s", why);
				report_say(domain, begin, uris[i].addr, rua_vstat_name(st), why);
				continue;
			}
			if (st == RUA_V_TEMPFAIL) {
				report_say(domain, begin, uris[i].addr, "temperror", why);
				r->failures++;
				continue;
			}
		}
		rua_key(&d->u, d->key, sizeof d->key);
		for (k = 0; k < ndest && strcmp(dests[k].key, d->key) != 0; k++)
			;
		if (k < ndest)
			continue;       /* the same mailbox twice */
		ndest++;
	}
	for (i = 0; i < ndest; i++) {
		struct dest *d = &dests[i];
		struct dest_state st;
		if (!o->force && !o->dry_run && already_done(r, domain, begin, end, d->key)) {
			d->status = "already-sent";
			continue;
		}
		if (!o->dry_run) {
			report_dest_get(r, d->key, &st);
			if (st.suppressed_until > o->now) {
				d->status = "suppressed";
				continue;
			}
		}
		nsend++;
	}
	if (nsend == 0) {
		for (i = 0; i < ndest; i++)
			report_say(domain, begin, dests[i].u.addr, dests[i].status, NULL);
		goto out;
	}
	/* Build; a destination whose !size the report exceeds gets none
	   (RFC 7489 §6.2), and the report others get says so in <error>. */
	for (int pass = 0; pass < 2; pass++) {
		bool again = false;
		if (agg_build(r->s, domain, begin, end, &r->meta, notes.p, &rep, err, sizeof err) < 0) {
			report_say(domain, begin, "-", "nothing", err);
			goto out;
		}
		if (deliver_gzip(rep.xml.p, rep.xml.len, &gz, err, sizeof err) < 0)
			report_fail("%s", err);
		for (i = 0; i < ndest; i++) {
			struct dest *d = &dests[i];
			if (d->status || !d->u.size_limit || gz.len <= d->u.size_limit)
				continue;
			nsend--;
			if ((d->nparts = report_split_plan(r, &rep, d->u.size_limit)) > 0) {
				d->status = "split";
				continue;
			}
			d->status = "too-large";
			note_add(&notes, "report of %zu bytes (gzip) not sent to mailto:%s (limit %" PRIu64
			    " bytes)", gz.len, d->u.addr, d->u.size_limit);
			again = true;
		}
		if (!again)
			break;
	}
	deliver_filename(r->meta.receiver, &rep, fname, sizeof fname);
	if (o->dry_run && nsend > 0 &&
	    deliver_write(o->dry_run, fname, gz.p, gz.len, err, sizeof err) < 0)
		report_fail("%s", err);
	unsigned seq = 0;
	for (i = 0; i < ndest; i++) {
		struct dest *d = &dests[i];
		char name[1100];
		seq++;
		if (d->status && strcmp(d->status, "split") == 0) {
			report_split_send(r, d, &rep, d->nparts, seq);
			continue;
		}
		if (d->status) {
			if (strcmp(d->status, "too-large") == 0 && !o->dry_run)
				report_mark(r, &rep, d->key, "too_large");
			report_say(domain, begin, d->u.addr, d->status, NULL);
			continue;
		}
		struct deliver_mail m = { .from = r->from, .to = d->u.addr,
			.receiver = r->meta.receiver, .report = &rep, .filename = fname, .gz = &gz,
			.now = o->now, .seq = seq };
		deliver_mail_build(&m, &mail);
		if (o->dry_run) {
			snprintf(name, sizeof name, "%.*s.%u.eml", (int)(strlen(fname) - 7), fname, seq);
			if (deliver_write(o->dry_run, name, mail.p, mail.len, err, sizeof err) < 0)
				report_fail("%s", err);
			report_say(domain, begin, d->u.addr, "dry-run", fname);
			continue;
		}
		if (deliver_sendmail(o->sendmail, r->from, d->u.addr, &mail, 300, err, sizeof err) < 0) {
			report_mark(r, &rep, d->key, "failed");
			report_dest_failed(r, d->key, err);
			report_say(domain, begin, d->u.addr, "failed", err);
			r->failures++;
			continue;
		}
		report_mark(r, &rep, d->key, "sent");
		report_dest_ok(r, d->key);
		report_say(domain, begin, d->u.addr, "sent", fname);
	}
out:
	agg_report_free(&rep);
	strbuf_free(&notes);
	strbuf_free(&gz);
	strbuf_free(&mail);
}

static void
report_period(struct run *r, int64_t begin, int64_t end)
{
	char err[512], **domains = NULL;
	size_t n = 0;

	if (agg_domains(r->s, begin, end, r->o->domain, &domains, &n, err, sizeof err) < 0)
		report_fail("store: %s", err);
	for (size_t i = 0; i < n; i++)
		report_domain(r, domains[i], begin, end);
	agg_domains_free(&domains, n);
}

/* ---- Options and main ------------------------------------------------- */

enum {
	O_STORE = 256, O_BEGIN, O_END, O_PERIOD, O_DOMAIN, O_FROM, O_ORG, O_EMAIL, O_CONTACT,
	O_RECEIVER, O_SENDMAIL, O_DRY, O_FORCE, O_SUPP_AFTER, O_SUPP_DAYS, O_NOW, O_SEED,
	O_SUMMARY, O_HTML, O_BOUNCE, O_NO_VERIFY, O_BOUNCE_DSN, O_FAILURE, O_FAILURE_RATE,
	O_HISTORY, O_THRESHOLD,
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "store", required_argument, NULL, O_STORE },
	{ "begin", required_argument, NULL, O_BEGIN },
	{ "end", required_argument, NULL, O_END },
	{ "period", required_argument, NULL, O_PERIOD },
	{ "domain", required_argument, NULL, O_DOMAIN },
	{ "from", required_argument, NULL, O_FROM },
	{ "org-name", required_argument, NULL, O_ORG },
	{ "email", required_argument, NULL, O_EMAIL },
	{ "contact", required_argument, NULL, O_CONTACT },
	{ "receiver", required_argument, NULL, O_RECEIVER },
	{ "sendmail", required_argument, NULL, O_SENDMAIL },
	{ "dry-run", required_argument, NULL, O_DRY },
	{ "force", no_argument, NULL, O_FORCE },
	{ "suppress-after", required_argument, NULL, O_SUPP_AFTER },
	{ "suppress-days", required_argument, NULL, O_SUPP_DAYS },
	{ "no-verify", no_argument, NULL, O_NO_VERIFY },
	{ "now", required_argument, NULL, O_NOW },
	{ "report-id-seed", required_argument, NULL, O_SEED },
	{ "summary", no_argument, NULL, O_SUMMARY },
	{ "html", required_argument, NULL, O_HTML },
	{ "bounce", required_argument, NULL, O_BOUNCE },
	{ "bounce-dsn", no_argument, NULL, O_BOUNCE_DSN },
	{ "failure", no_argument, NULL, O_FAILURE },
	{ "failure-rate", required_argument, NULL, O_FAILURE_RATE },
	{ "history", required_argument, NULL, O_HISTORY },
	{ "threshold", required_argument, NULL, O_THRESHOLD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* An address we put in From: and on sendmail's command line: checked as a rua mailbox is. */
static void
check_addr(const char *v, const char *opt, char *out)
{
	struct rua_uri u;
	char uri[RUA_ADDR_MAX + 16];
	snprintf(uri, sizeof uri, "mailto:%s", v);
	if (strlen(v) > RUA_ADDR_MAX || rua_parse(uri, strlen(uri), &u, 1) != 1 || !u.ok ||
	    strchr(v, '%') || strchr(v, '!'))
		report_fail("%s %s: not a usable mail address", opt, v);
	if (out)
		strcpy(out, u.addr);
}

int
main(int argc, char **argv)
{
	struct opts o = { .period_days = 1, .suppress_after = 3, .suppress_days = 7,
		.dns_timeout_ms = 0, .failure_rate = 10 };
	struct run r = { .o = &o };
	struct config *cfg;
	char err[1024], receiver[256], from_default[300], generator[64];
	int c;

	while ((c = getopt_long(argc, argv, "c:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case O_STORE: o.store = optarg; break;
		case O_BEGIN: o.begin = parse_time(optarg, "--begin"); o.have_begin = true; break;
		case O_END: o.end = parse_time(optarg, "--end"); o.have_end = true; break;
		case O_PERIOD: o.period_days = parse_uint(optarg, "--period", 1, 366); break;
		case O_DOMAIN: o.domain = optarg; break;
		case O_FROM: o.from = optarg; break;
		case O_ORG: o.org_name = optarg; break;
		case O_EMAIL: o.email = optarg; break;
		case O_CONTACT: o.contact = optarg; break;
		case O_RECEIVER: o.receiver = optarg; break;
		case O_SENDMAIL: o.sendmail = optarg; break;
		case O_DRY: o.dry_run = optarg; break;
		case O_FORCE: o.force = true; break;
		case O_SUPP_AFTER: o.suppress_after = parse_uint(optarg, "--suppress-after", 1, 1000); break;
		case O_SUPP_DAYS: o.suppress_days = parse_uint(optarg, "--suppress-days", 0, 3650); break;
		case O_NO_VERIFY: o.no_verify = true; break;
		case O_NOW: o.now = parse_time(optarg, "--now"); o.have_now = true; break;
		case O_SEED: o.seed = optarg; break;
		case O_SUMMARY: o.summary = true; break;
		case O_HTML: o.html = optarg; break;
		case O_BOUNCE: o.bounce = optarg; break;
		case O_BOUNCE_DSN: o.bounce_dsn = true; break;
		case O_FAILURE: o.failure = true; break;
		case O_FAILURE_RATE:
			o.failure_rate = parse_uint(optarg, "--failure-rate", 1, 100000);
			break;
		case O_HISTORY: o.history = optarg; break;
		case O_THRESHOLD: o.threshold = parse_uint(optarg, "--threshold", 1, 1000000); break;
		case 'v': o.verbose = true; break;
		case 'V': printf("compauthd-report %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (o.config) {
		cfg = config_load(o.config, err, sizeof err);
		if (!cfg)
			report_fail("%s", err);
	} else {
		cfg = config_defaults();
	}
	if (!o.store)
		o.store = cfg->report_store;
	if (!o.store || !*o.store)
		report_fail("no store: report_store is empty in the configuration and --store is not given");
	if (!o.have_now)
		o.now = (int64_t)time(NULL);
	if (o.have_begin != o.have_end && !o.have_begin) {
		/* --end alone: the period before it */
		o.begin = o.end - (int64_t)o.period_days * DAY;
	} else if (!o.have_begin) {
		o.end = o.now - o.now % DAY;
		o.begin = o.end - (int64_t)o.period_days * DAY;
	} else if (!o.have_end) {
		o.end = o.now - o.now % DAY;
	}
	if (o.begin % DAY || o.end % DAY)
		report_fail("--begin and --end must be UTC day boundaries (RFC 9990 §2.1.3)");
	if (o.end <= o.begin)
		report_fail("empty period: --end is not after --begin");
	if (o.domain && !agg_domain_safe(o.domain))
		report_fail("--domain %s: not a domain name", o.domain);
	if (o.threshold && !o.history)
		report_fail("--threshold goes with --history");
	if (o.history && !agg_domain_safe(o.history))
		report_fail("--history: not a domain name");

	snprintf(receiver, sizeof receiver, "%s", o.receiver ? o.receiver : cfg->authserv_id);
	for (char *p = receiver; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (!o.summary && !o.html && !o.bounce && !o.bounce_dsn && !o.history &&
	    !agg_domain_safe(receiver))
		report_fail("receiver %s: not a domain name (set authserv_id or --receiver)", receiver);
	snprintf(from_default, sizeof from_default, "dmarc-reports@%s", receiver);
	snprintf(generator, sizeof generator, "compauthd %s", PACKAGE_VERSION);

	r.s = store_open(o.store, true, err, sizeof err);
	if (!r.s)
		report_fail("store %s: %s", o.store, err);

	if (o.history) {
		int rc = report_history(r.s, o.history, o.threshold ? o.threshold :
		    cfg->history_threshold, cfg->history_max_domains, cfg->history != 0, stdout,
		    err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "compauthd-report: %s\n", err);
		store_close(&r.s);
		config_free(&cfg);
		return rc < 0 ? 2 : 0;
	}
	if (o.summary || o.html) {
		int rc = o.summary ?
		    report_summary(r.s, o.begin, o.end, o.domain, stdout, err, sizeof err) :
		    report_html(r.s, o.begin, o.end, o.domain, o.html, err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "compauthd-report: %s\n", err);
		store_close(&r.s);
		config_free(&cfg);
		return rc < 0 ? 2 : 0;
	}
	if (o.bounce) {
		struct rua_uri u;
		char key[RUA_ADDR_MAX + 8], uri[RUA_ADDR_MAX + 16];
		snprintf(uri, sizeof uri, "mailto:%s", o.bounce);
		if (rua_parse(uri, strlen(uri), &u, 1) != 1 || !u.ok)
			report_fail("--bounce %s: not a mail address", o.bounce);
		rua_key(&u, key, sizeof key);
		report_dest_failed(&r, key, "bounce");
		printf("%s failure recorded\n", key);
		store_close(&r.s);
		config_free(&cfg);
		return 0;
	}

	if (o.bounce_dsn) {
		int rc = bounce_dsn(&r);
		store_close(&r.s);
		config_free(&cfg);
		return rc;
	}

	check_addr(o.from ? o.from : from_default, "--from", r.from);
	if (o.email)
		check_addr(o.email, "--email", NULL);
	r.meta.org_name = o.org_name ? o.org_name : receiver;
	r.meta.email = o.email ? o.email : r.from;
	r.meta.extra_contact = o.contact;
	r.meta.receiver = receiver;
	r.meta.generator = generator;
	r.meta.id_seed = o.seed ? o.seed : "";
	if (o.dry_run) {
		struct stat st;
		if (stat(o.dry_run, &st) < 0 || !S_ISDIR(st.st_mode))
			report_fail("--dry-run %s: not a directory", o.dry_run);
	}
	if (!o.no_verify) {
		struct resolver_opts ro;
		memset(&ro, 0, sizeof ro);
		ro.zone_file = cfg->zone_file[0] ? cfg->zone_file : NULL;
		ro.zone_delay_ms = cfg->zone_delay_ms;
		ro.servers = cfg->dns_servers.n ? (const char *const *)cfg->dns_servers.v : NULL;
		ro.nservers = cfg->dns_servers.n;
		ro.timeout_ms = cfg->dns_timeout_ms;
		ro.cache_entries = 1000;
		r.v = rua_verifier_new(&ro, (enum dmarc_mode)cfg->dmarc_mode, cfg->dns_timeout_ms * 3,
		    err, sizeof err);
		if (!r.v)
			report_fail("resolver: %s", err);
	}
	if (o.failure)
		report_failures(&r);
	for (int64_t b = o.begin; !o.failure && b < o.end; b += (int64_t)o.period_days * DAY) {
		int64_t e = b + (int64_t)o.period_days * DAY;
		report_period(&r, b, e < o.end ? e : o.end);
	}
	fflush(stdout);
	rua_verifier_free(&r.v);
	store_close(&r.s);
	config_free(&cfg);
	return r.failures ? 1 : 0;
}
