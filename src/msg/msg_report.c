/*
 * What a checked message gives the DMARC report store: at end of message,
 * after the verdict and the action, one struct store_msg built from the
 * message's results (pointers into its arena) and handed to the runtime's
 * writer, which copies it and returns at once.
 *
 * Stored: every message DMARC was evaluated for with an author domain,
 * with a policy record or not (policy_domain NULL), so that --summary
 * shows all mail; aggregate reports use the rows with a record. Not
 * stored: trusted clients and authenticated submissions (not evaluated),
 * and messages answered with a temporary failure (the retry is counted).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "log.h"
#include "msg_int.h"
#include "report_store.h"

/* The domain of the MAIL FROM address, lower case; "" for the null sender. */
static const char *
msg_report_envfrom(struct msg *m)
{
	const char *at;
	char *d;

	if (m->sender == NULL || m->sender[0] == '\0')
		return "";
	if ((at = strrchr(m->sender, '@')) == NULL || at[1] == '\0')
		return NULL;
	d = arena_strdup(m->arena, at + 1);
	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/*
 * Best effort: is the message itself a DMARC report? An aggregate report
 * (RFC 9990: Subject "Report Domain: ...", a gzip or zip attachment or
 * body) or a failure report (RFC 9991: multipart/report, feedback-report).
 */
static bool
msg_report_is_report(const struct msg *m)
{
	const char *s = m->subject, *ct = m->content_type;

	if (s != NULL) {
		s += strspn(s, " \t\r\n");
		if (strncasecmp(s, "Report Domain:", 14) == 0)
			return true;
	}
	if (ct != NULL && strcasestr(ct, "multipart/report") != NULL &&
	    strcasestr(ct, "feedback-report") != NULL)
		return true;
	return false;
}

/* The applied policy when it is not the published one, and why. */
static void
msg_report_override(struct msg *m, const struct dmarc_result *dr, const struct verdict *v,
    const struct arc_vouch *vouch, struct store_msg *sm)
{
	if (dr->result != DMARC_RES_FAIL)
		return;
	if (vouch != NULL) {
		sm->override_reason = "trusted_forwarder";
		sm->override_comment = arena_printf(m->arena, "arc=pass i=%u sealer %s",
		    vouch->instance, vouch->sealer ? vouch->sealer : "unknown");
	} else if (m->via_list != NULL) {
		sm->override_reason = "mailing_list";
		sm->override_comment = m->via_list;
	} else if (v->reason == 401) {
		sm->override_reason = "local_policy";
		sm->override_comment = "allow_from";
	} else if (dr->testing) {
		sm->override_reason = "policy_test_mode";
	} else if (dr->sampled_out) {
		sm->override_reason = "other";
		sm->override_comment = arena_printf(m->arena, "pct=%u: not sampled", dr->record.pct);
	} else if (strcmp(sm->disposition, dmarc_policy_name(dr->effective)) != 0) {
		/* dmarc_override, or dmarc_enforce below the policy. */
		sm->override_reason = "local_policy";
		sm->override_comment = m->cfg->dmarc_enforce == 0 ? "dmarc_enforce off" :
		    "dmarc_override or dmarc_enforce";
	}
}

void
msg_report(struct msg *m, const struct dmarc_result *dr, const struct verdict *v,
    const struct arc_vouch *vouch)
{
	struct store_writer *w = m->s->rt->writer;
	struct store_msg sm;
	char ip[64];
	static const char *const psd[] = { "u", "y", "n" };

	if (w == NULL || dr->header_from == NULL || m->out.action == MSG_TEMPFAIL)
		return;
	memset(&sm, 0, sizeof(sm));
	sm.received = (int64_t)time(NULL);
	sm.reporter = m->cfg->authserv_id;
	sm.qid = m->qid[0] ? m->qid : NULL;
	sm.source_ip = m->s->ip.family ? netaddr_str(&m->s->ip, ip, sizeof(ip)) : "";
	sm.header_from = dr->header_from;
	sm.envelope_from = msg_report_envfrom(m);
	sm.envelope_to = m->nrcpt_domains > 0 ? m->rcpt_domains[0] : NULL;
	sm.policy_pct = -1;
	if (dr->policy_domain != NULL) {
		const struct dmarc_record *r = &dr->record;

		sm.policy_domain = dr->policy_domain;
		sm.policy_p = dmarc_policy_name(r->p);
		sm.policy_sp = r->sp != DMARC_P_UNSET ? dmarc_policy_name(r->sp) : NULL;
		sm.policy_np = r->np != DMARC_P_UNSET ? dmarc_policy_name(r->np) : NULL;
		sm.policy_pct = (int)r->pct;
		sm.policy_adkim = r->adkim_strict ? "s" : "r";
		sm.policy_aspf = r->aspf_strict ? "s" : "r";
		sm.policy_testing = r->testing ? "y" : "n";
		sm.policy_fo = r->fo;
		sm.policy_psd = psd[r->psd <= DMARC_PSD_N ? r->psd : 0];
		sm.rua = r->rua;
		sm.ruf = r->ruf;
	}
	sm.discovery_method = m->cfg->dmarc_mode == DMARC_RFC7489 ? "psl" : "treewalk";
	sm.dmarc_result = dmarc_result_name(dr->result);
	sm.dkim_aligned = dr->dkim_aligned;
	sm.spf_aligned = dr->spf_aligned;
	sm.disposition = m->out.action == MSG_REJECT ? "reject" :
	    m->out.action == MSG_QUARANTINE ? "quarantine" :
	    dr->result == DMARC_RES_PASS ? "pass" : "none";
	msg_report_override(m, dr, v, vouch, &sm);
	if (m->spf != NULL && m->spf_res.domain != NULL) {
		sm.spf_domain = m->spf_res.domain;
		sm.spf_scope = m->spf_res.identity && strcmp(m->spf_res.identity, "helo") == 0 ?
		    "helo" : "mfrom";
		sm.spf_result = spf_result_name(m->spf_res.result);
	}
	sm.compauth = compauth_result_name(v->result);
	sm.compauth_reason = (int)v->reason;
	sm.is_report = msg_report_is_report(m);
	for (size_t i = 0; i < m->ndkim_sigs && sm.ndkim < STORE_DKIM_MAX; i++) {
		const struct dkimv_sig *s = &m->dkim_sigs[i];

		if (s->d == NULL)
			continue;
		char *d = arena_strdup(m->arena, s->d);

		for (char *p = d; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		sm.dkim[sm.ndkim++] = (struct store_dkim){ d, s->s ? s->s : "", s->result,
		    strcmp(s->result, "pass") == 0 ? NULL : s->comment };
	}
	msg_failure_sample(m, dr, &sm);
	msg_history_learn(m, dr, v, &sm);
	if (!store_queue(w, &sm))
		log_debug(msg_qid_or_null(m), "report store: row dropped (queue full)");
}
