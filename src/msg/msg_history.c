/*
 * Implicit authentication in the pipeline (history.h, verdict.h): the
 * message's identities, network and PTR domain read against its author's
 * history at end of message, and what the message teaches the store. The
 * history is learnt only from explicit passes (100, 109) and from
 * authenticated submissions' recipients: never from a softpass, an ARC
 * override, a trusted client, or mail that failed.
 */
#include <string.h>
#include <time.h>

#include "arena.h"
#include "history.h"
#include "log.h"
#include "msg_int.h"
#include "report_store.h"

/* The author's organizational domain, when there is exactly one author. */
static const char *
msg_history_org(struct msg *m, const struct dmarc_result *dr)
{
	if (m->ndmarc != 1 || m->nfrom_seen != 1 || m->from_overflow || m->authors.overflow ||
	    dr->header_from == NULL)
		return NULL;
	return dmarc_psl_orgdomain(m->arena, dr->header_from);
}

/* The PTR name's organizational domain, when iprev passed. */
static const char *
msg_history_ptr(struct msg *m)
{
	struct iprev_result ir;

	if (m->s->iprev == NULL)
		return NULL;
	dns_set_lock(m->s->dns);
	iprev_get(m->s->iprev, &ir);
	dns_set_unlock(m->s->dns);
	if (ir.res != IPREV_PASS || ir.name == NULL)
		return NULL;
	return dmarc_psl_orgdomain(m->arena, ir.name);
}

static const char *
msg_history_ip(struct msg *m)
{
	char ip[64];

	if (m->s->ip.family == 0)
		return NULL;
	return history_net(m->arena, netaddr_str(&m->s->ip, ip, sizeof(ip)));
}

void
msg_implicit(struct msg *m, const struct dmarc_result *dr, struct verdict *v,
    const char **comment)
{
	const struct config *cfg = m->cfg;
	struct history *h;
	struct history_query q;
	struct history_signals sig;
	const char *ids[MSG_HISTORY_IDS];
	enum history_kind kinds[MSG_HISTORY_IDS];
	struct verdict out;
	size_t n = 0;

	*comment = NULL;
	if (!cfg->history || v->result != COMPAUTH_FAIL || v->reason != 1)
		return;
	/* compauthd -t replays against the store's history, read once. */
	h = m->s->rt->writer != NULL ? store_writer_history_get(m->s->rt->writer) :
	    history_ref(m->s->rt->history);
	if (h == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.org = msg_history_org(m, dr);
	for (size_t i = 0; i < m->ndkim_pass && n < MSG_HISTORY_IDS - 1; i++) {
		kinds[n] = HIST_DKIM;
		ids[n++] = m->dkim_pass[i];
	}
	if (m->spf != NULL && m->spf_res.result == SPF_PASS && m->spf_res.identity != NULL &&
	    strcmp(m->spf_res.identity, "mailfrom") == 0 && m->spf_res.domain != NULL) {
		kinds[n] = HIST_SPF;
		ids[n++] = m->spf_res.domain;
	}
	q.ids = ids;
	q.id_kinds = kinds;
	q.nids = n;
	q.net = msg_history_ip(m);
	q.ptr = msg_history_ptr(m);
	q.threshold = cfg->history_threshold;
	history_signals(h, &q, &sig);
	verdict_implicit(v, &sig, cfg->history_threshold, &out);
	if (out.reason == 210) {
		*comment = arena_printf(m->arena, "sender history of %s: %s %s x%llu, %s %s x%llu",
		    q.org, sig.id, "seen", (unsigned long long)sig.id_count,
		    sig.net ? "network" : "PTR", sig.net ? sig.net : sig.ptr,
		    (unsigned long long)(sig.net ? sig.net_count : sig.ptr_count));
	} else if (out.reason == 220) {
		*comment = arena_printf(m->arena, "recipient history: our users wrote to %s x%llu; "
		    "authenticated as %s", q.org, (unsigned long long)sig.correspondent,
		    sig.own ? sig.own : sig.id);
	} else if (out.reason == 610) {
		*comment = arena_printf(m->arena, "%s passed DMARC here %llu times, never failed; "
		    "this message is from infrastructure it never used", q.org,
		    (unsigned long long)sig.pass);
		log_notice(msg_qid_or_null(m), "history: %s always authenticated here (%llu "
		    "messages); this one is not, from unseen infrastructure (compauth=fail 610)",
		    q.org, (unsigned long long)sig.pass);
	}
	if (out.reason == 1 && sig.shared != NULL)
		log_info(msg_qid_or_null(m), "history: %s authenticated for %llu author domains; "
		    "shared, no evidence for %s", sig.shared, (unsigned long long)sig.shared_orgs,
		    q.org);
	if (out.reason != v->reason)
		log_info(msg_qid_or_null(m), "history: compauth=%s reason=%03u instead of %03u: %s",
		    compauth_result_name(out.result), out.reason, v->reason, *comment);
	*v = out;
	history_release(&h);
}

void
msg_history_learn(struct msg *m, const struct dmarc_result *dr, const struct verdict *v,
    struct store_msg *sm)
{
	if (!m->cfg->history || (sm->history_org = msg_history_org(m, dr)) == NULL)
		return;
	if (v->result == COMPAUTH_PASS && (v->reason == 100 || v->reason == 109)) {
		sm->history = STORE_HIST_PASS;
		sm->history_net = msg_history_ip(m);
		sm->history_ptr = msg_history_ptr(m);
	} else if (v->result == COMPAUTH_FAIL) {
		sm->history = STORE_HIST_FAIL;
	}
}

void
msg_history_outbound(struct msg *m)
{
	struct store_writer *w = m->s->rt->writer;
	struct store_msg sm;

	if (!m->cfg->history || w == NULL || m->skip_reason == NULL ||
	    strcmp(m->skip_reason, "301") != 0 || m->nrcpt_domains == 0)
		return;
	memset(&sm, 0, sizeof(sm));
	sm.received = (int64_t)time(NULL);
	sm.history = STORE_HIST_OUTBOUND;
	sm.history_only = true;
	for (size_t i = 0; i < m->nrcpt_domains && sm.nrcpt_orgs < STORE_RCPT_MAX; i++) {
		const char *o = dmarc_psl_orgdomain(m->arena, m->rcpt_domains[i]);
		size_t k;
		if (o == NULL)
			continue;
		for (k = 0; k < sm.nrcpt_orgs && strcmp(sm.rcpt_orgs[k], o) != 0; k++)
			;
		if (k == sm.nrcpt_orgs)
			sm.rcpt_orgs[sm.nrcpt_orgs++] = o;
	}
	(void)store_queue(w, &sm);
}
