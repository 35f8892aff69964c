/*
 * compauthd-report --history DOMAIN: what implicit authentication
 * (history.h) knows of a domain, and what it does with its mail.
 *
 * The rows come from the store (with first and last seen, which the
 * daemon's snapshot does not keep); the consequences do not restate the
 * rule table: each is found by asking the snapshot the daemon would load
 * (history_load, history_signals) and the daemon's own verdict_implicit,
 * one probe per identity and infrastructure value, so that this view
 * cannot drift from what compauthd decides (limits such as the 16 values
 * per kind and history_max_domains included).
 *
 * Output order is fixed: kinds dkim spf net ptr, then count descending,
 * then value bytewise. Store values are shown in their display form
 * (rv_display: control bytes, invalid UTF-8 and bidi controls as \xHH).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dmarc.h"
#include "grow.h"
#include "history.h"
#include "report_run.h"
#include "report_store.h"
#include "report_view_int.h"
#include "verdict.h"

struct hv_row {
	enum history_kind kind;
	char *value, *disp;
	uint64_t count;
	int64_t first, last;
	bool loaded;                    /* in the daemon's snapshot */
	bool reaches;                   /* and counted >= N there */
	bool r210, r220;                /* an identity or network that gives 210, 220 */
};

struct hv {
	struct arena *a;
	struct hv_row *row;
	size_t nrow, cap;
	bool have_dom, have_rcpt, oom;
	uint64_t pass, fail, rcpt;
	int64_t dom_first, dom_last, rcpt_first, rcpt_last;
};

static uint64_t
hv_num(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

static int
hv_dom_row(void *arg, size_t ncol, const char *const *col)
{
	struct hv *v = arg;
	if (ncol < 4)
		return 1;
	v->have_dom = true;
	v->pass = hv_num(col[0]);
	v->fail = hv_num(col[1]);
	v->dom_first = (int64_t)hv_num(col[2]);
	v->dom_last = (int64_t)hv_num(col[3]);
	return 1;
}

static int
hv_rcpt_row(void *arg, size_t ncol, const char *const *col)
{
	struct hv *v = arg;
	if (ncol < 3)
		return 1;
	v->have_rcpt = true;
	v->rcpt = hv_num(col[0]);
	v->rcpt_first = (int64_t)hv_num(col[1]);
	v->rcpt_last = (int64_t)hv_num(col[2]);
	return 1;
}

static int
hv_infra_row(void *arg, size_t ncol, const char *const *col)
{
	struct hv *v = arg;
	enum history_kind k;

	if (ncol < 5 || col[0] == NULL || col[1] == NULL)
		return 0;
	/* A kind this version does not know is not something it acts on. */
	if ((k = history_kind_parse(col[0])) == HIST_NKINDS)
		return 0;
	struct hv_row *r = grow_array(v->row, &v->cap, v->nrow + 1, sizeof(*r));
	if (r == NULL) {
		v->oom = true;
		return 1;
	}
	v->row = r;
	r = &v->row[v->nrow++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	r->value = arena_strdup(v->a, col[1]);
	r->count = hv_num(col[2]);
	r->first = (int64_t)hv_num(col[3]);
	r->last = (int64_t)hv_num(col[4]);
	return 0;
}

/* Not SQL's ORDER BY: PostgreSQL's collation is not SQLite's bytewise one. */
static int
hv_row_cmp(const void *a, const void *b)
{
	const struct hv_row *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void
hv_date(int64_t t, char *buf, size_t len)
{
	rv_day_str(t >= 0 ? t / 86400 : -1 - (-1 - t) / 86400, buf, len);
}

static bool
hv_is_id(enum history_kind k)
{
	return k == HIST_DKIM || k == HIST_SPF;
}

/* What the daemon decides for fail 001 with these signals. */
static unsigned
hv_probe(const struct history *h, const char *org, const char *id, enum history_kind idk,
    const char *net, const char *ptr, unsigned n, struct history_signals *sig)
{
	const char *ids[1] = { id };
	enum history_kind kinds[1] = { idk };
	struct history_query q = { .org = org, .ids = ids, .id_kinds = kinds,
		.nids = id != NULL, .net = net, .ptr = ptr, .threshold = n };
	struct verdict in = { .result = COMPAUTH_FAIL, .reason = 1, .why = NULL }, out;

	history_signals(h, &q, sig);
	verdict_implicit(&in, sig, n, &out);
	return out.result == COMPAUTH_PASS ? 0 : out.reason;
}

static void
hv_classify(struct hv *v, const struct history *h, const char *org, unsigned n)
{
	struct history_signals sig;

	for (size_t i = 0; i < v->nrow; i++) {
		struct hv_row *r = &v->row[i];
		const char *val = r->value;
		(void)hv_probe(h, org, hv_is_id(r->kind) ? val : NULL, r->kind,
		    r->kind == HIST_NET ? val : NULL, r->kind == HIST_PTR ? val : NULL, n, &sig);
		r->loaded = sig.seen_any;
		r->reaches = sig.id != NULL || sig.net != NULL || sig.ptr != NULL;
		/* 210 needs an identity and a network or PTR: pair each with all. */
		for (size_t j = 0; j < v->nrow && !r->r210; j++) {
			const struct hv_row *o = &v->row[j];
			if (hv_is_id(r->kind) && !hv_is_id(o->kind))
				r->r210 = hv_probe(h, org, val, r->kind, o->kind == HIST_NET ?
				    o->value : NULL, o->kind == HIST_PTR ? o->value : NULL, n,
				    &sig) == 210;
			else if (!hv_is_id(r->kind) && hv_is_id(o->kind))
				r->r210 = hv_probe(h, org, o->value, o->kind, r->kind == HIST_NET ?
				    val : NULL, r->kind == HIST_PTR ? val : NULL, n, &sig) == 210;
		}
		/* Identities within the author's domain are said once, below. */
		r->r220 = hv_is_id(r->kind) && !dmarc_domain_within(val, org) &&
		    hv_probe(h, org, val, r->kind, NULL, NULL, n, &sig) == 220;
	}
}

static const char *
hv_id_words(enum history_kind k)
{
	switch (k) {
	case HIST_DKIM: return "DKIM d=";
	case HIST_SPF: return "SPF for ";
	case HIST_PTR: return "PTR ";
	default: return "";
	}
}

/* "DKIM d=a or SPF for b" of the rows selected (ids or not). */
static void
hv_list(FILE *out, const struct hv *v, bool ids, bool want220)
{
	bool first = true;

	for (size_t i = 0; i < v->nrow; i++) {
		const struct hv_row *r = &v->row[i];
		if (hv_is_id(r->kind) != ids || !(want220 ? r->r220 : r->r210))
			continue;
		fprintf(out, "%s%s%s", first ? "" : " or ", hv_id_words(r->kind), r->disp);
		first = false;
	}
}

static void
hv_show_rows(FILE *out, const struct hv *v, unsigned n)
{
	size_t vw = strlen("value"), cw = strlen("count");
	char buf[32], d1[16], d2[16];

	for (size_t i = 0; i < v->nrow; i++) {
		size_t w = rv_width(v->row[i].disp);
		vw = w > vw ? w : vw;
		w = (size_t)snprintf(buf, sizeof buf, "%" PRIu64, v->row[i].count);
		cw = w > cw ? w : cw;
	}
	fprintf(out, "    kind  %-*s  %*s  first seen  last seen   reaches N=%u\n", (int)vw, "value",
	    (int)cw, "count", n);
	for (size_t i = 0; i < v->nrow; i++) {
		const struct hv_row *r = &v->row[i];
		hv_date(r->first, d1, sizeof d1);
		hv_date(r->last, d2, sizeof d2);
		fprintf(out, "    %-4s  %s%*s  %*" PRIu64 "  %-10s  %-10s  %s\n",
		    history_kind_name(r->kind), r->disp, (int)(vw - rv_width(r->disp)), "",
		    (int)cw, r->count, d1, d2,
		    !r->loaded ? "no (not loaded by the daemon)" :
		    r->reaches ? "yes" : "no");
	}
}

static void
hv_consequences(FILE *out, const struct hv *v, const struct history *h, const char *org,
    const char *odisp, unsigned n, bool enabled)
{
	struct history_signals sig;
	bool any210 = false, any220 = false, said = false;
	unsigned own, base;

	for (size_t i = 0; i < v->nrow; i++) {
		any210 |= v->row[i].r210;
		any220 |= v->row[i].r220;
	}
	base = hv_probe(h, org, NULL, HIST_DKIM, NULL, NULL, n, &sig);
	own = hv_probe(h, org, org, HIST_DKIM, NULL, NULL, n, &sig);
	fprintf(out, "\nconsequences, for mail of %s that authenticates explicitly only weakly "
	    "(compauth=fail reason=001)%s:\n", odisp,
	    enabled ? "" : ", were history on");
	if (!v->have_dom && !v->have_rcpt && v->nrow == 0) {
		fprintf(out, "  nothing known: explicit verdicts only (fail 001 where DMARC is weak)\n");
		return;
	}
	if (v->have_dom && !sig.known)
		fprintf(out, "  not among the domains the daemon loads (history_max_domains): "
		    "its sender history is not used\n");
	if (any210) {
		fprintf(out, "  unaligned mail passing ");
		hv_list(out, v, true, false);
		fprintf(out, " from ");
		hv_list(out, v, false, false);
		fprintf(out, ": compauth=softpass reason=210\n");
		said = true;
	}
	if (own == 220 || any220) {
		fprintf(out, "  %sa correspondent (%" PRIu64 " messages from our users): mail that "
		    "passes DKIM/SPF within %s", said ? "otherwise, " : "", sig.correspondent, odisp);
		if (any220) {
			fprintf(out, ", or ");
			hv_list(out, v, true, true);
		}
		fprintf(out, ": compauth=softpass reason=220\n");
		said = true;
	} else if (v->have_rcpt && sig.correspondent > 0) {
		fprintf(out, "  a correspondent of %" PRIu64 " messages from our users, fewer than "
		    "%u: no softpass 220\n", sig.correspondent, n);
	}
	if (base == 610) {
		fprintf(out, "  passed %" PRIu64 " times and never failed: unaligned mail from "
		    "infrastructure it never used: compauth=fail reason=610\n", sig.pass);
		said = true;
	} else if (sig.known && sig.fail > 0) {
		fprintf(out, "  failed %" PRIu64 " times: no fail 610\n", sig.fail);
	} else if (sig.known && sig.pass < n) {
		fprintf(out, "  passed %" PRIu64 " times, fewer than %u: no fail 610\n", sig.pass, n);
	}
	fprintf(out, "  %s: compauth=fail reason=001\n", said ? "any other" : "all of it");
}

int
report_history(struct store *s, const char *domain, unsigned threshold, size_t max_domains,
    bool enabled, FILE *out, char *err, size_t errlen)
{
	struct history_limits lim = { .max_domains = max_domains };
	struct history *h = NULL;
	struct hv v;
	char d1[16], d2[16];
	char *odisp = NULL, *ddisp = NULL;
	int rc = -1;

	memset(&v, 0, sizeof v);
	v.a = arena_new();
	if (v.a != NULL) {
		/* Keys are lower case, without the root's dot (msg_history.c). */
		char *d = arena_strdup(v.a, domain);
		size_t len = strlen(d);
		for (char *c = d; *c != '\0'; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		if (len > 1 && d[len - 1] == '.')
			d[len - 1] = '\0';
		domain = d;
	}
	const char *org = v.a ? dmarc_psl_orgdomain(v.a, domain) : NULL;
	if (org == NULL) {
		snprintf(err, errlen, "%s", v.a ? "no organizational domain" : "out of memory");
		goto out;
	}
	const char *p[1] = { org };
	if (store_query(s, "SELECT pass_count, fail_count, first_seen, last_seen FROM "
	    "history_domain WHERE org_domain = ?", p, 1, hv_dom_row, &v, err, errlen) < 0 ||
	    store_query(s, "SELECT count, first_seen, last_seen FROM history_recipient "
	    "WHERE org_domain = ?", p, 1, hv_rcpt_row, &v, err, errlen) < 0 ||
	    store_query(s, "SELECT kind, value, count, first_seen, last_seen FROM history_infra "
	    "WHERE org_domain = ?", p, 1, hv_infra_row, &v, err, errlen) < 0)
		goto out;
	if ((h = history_load(s, &lim, err, errlen)) == NULL)
		goto out;
	if (v.nrow > 1)
		qsort(v.row, v.nrow, sizeof(*v.row), hv_row_cmp);
	for (size_t i = 0; i < v.nrow && !v.oom; i++)
		v.oom = (v.row[i].disp = rv_display(v.row[i].value)) == NULL;
	if (v.oom || (odisp = rv_display(org)) == NULL || (ddisp = rv_display(domain)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	hv_classify(&v, h, org, threshold);

	if (strcmp(org, domain) == 0)
		fprintf(out, "history of %s\n", odisp);
	else
		fprintf(out, "history of %s (the organizational domain of %s)\n", odisp, ddisp);
	fprintf(out, "threshold: N = %u\n", threshold);
	if (!enabled)
		fprintf(out, "history = no: compauthd neither learns nor uses it\n");
	if (v.have_dom) {
		hv_date(v.dom_first, d1, sizeof d1);
		hv_date(v.dom_last, d2, sizeof d2);
		fprintf(out, "sender history: passed DMARC %" PRIu64 " times, failed %" PRIu64
		    " times since; first seen %s, last seen %s\n", v.pass, v.fail, d1, d2);
	} else {
		fprintf(out, "sender history: none\n");
	}
	if (v.nrow > 0) {
		fprintf(out, "  infrastructure of its authenticated mail:\n");
		hv_show_rows(out, &v, threshold);
	}
	if (v.have_rcpt) {
		hv_date(v.rcpt_first, d1, sizeof d1);
		hv_date(v.rcpt_last, d2, sizeof d2);
		fprintf(out, "recipient history: our users sent it %" PRIu64 " messages; first %s, "
		    "last %s\n", v.rcpt, d1, d2);
	} else {
		fprintf(out, "recipient history: none\n");
	}
	hv_consequences(out, &v, h, org, odisp, threshold, enabled);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "writing the output failed");
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < v.nrow; i++)
		free(v.row[i].disp);
	free(v.row);
	free(odisp);
	free(ddisp);
	history_release(&h);
	arena_free(&v.a);
	return rc;
}
