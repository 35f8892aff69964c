/*
 * The results of one message as Authentication-Results entries (RFC 8601
 * words, properties and comments, in header order) and the compauth
 * verdict drawn from them. Each engine is read here exactly once, at end
 * of message, with the DNS set locked where its answers live.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "log.h"
#include "arc_trust.h"
#include "msg_int.h"

void
msg_set_lock(const struct msg *m, struct dns_set *set)
{
	if (!m->dns_closed)
		dns_set_lock(set);
}

void
msg_set_unlock(const struct msg *m, struct dns_set *set)
{
	if (!m->dns_closed)
		dns_set_unlock(set);
}

void
msg_results_init(struct msg *m, struct msg_results *mr)
{
	memset(mr, 0, sizeof(*mr));
	mr->cap = MSG_RESULTS_FIXED + (m->cfg->max_dkim_signatures ? m->cfg->max_dkim_signatures : 1);
	mr->r = arena_alloc(m->arena, mr->cap * sizeof(*mr->r));
	mr->p = arena_alloc(m->arena, mr->cap * sizeof(*mr->p));
}

struct ar_result *
msg_result_slot(struct msg_results *mr, size_t reserve, struct ar_prop **p)
{
	struct ar_result *r;

	if (mr->n + reserve >= mr->cap)
		return NULL;
	r = &mr->r[mr->n];
	memset(r, 0, sizeof(*r));
	memset(mr->p[mr->n], 0, sizeof(mr->p[mr->n]));
	if (p != NULL)
		*p = mr->p[mr->n];
	return r;
}

void
msg_result_commit(struct msg_results *mr)
{
	mr->n++;
}

void
msg_note_dns_failure(struct msg *m, const char *d)
{
	const char *od = d != NULL ? dmarc_psl_orgdomain(m->arena, d) : NULL;
	size_t i;

	for (i = 0; od != NULL && i < m->authors.ndomains; i++) {
		const char *a = m->authors.domains[i], *oa = dmarc_psl_orgdomain(m->arena, a);

		if ((oa != NULL && strcasecmp(oa, od) == 0) || dmarc_domain_within(d, a) ||
		    dmarc_domain_within(a, d))
			m->dns_could_decide = true;
	}
	/* Authors we could not read may be any domain. */
	if (d != NULL && (m->from_overflow || m->authors.overflow))
		m->dns_could_decide = true;
}

void
msg_spf_finish(struct msg *m)
{
	if (m->spf == NULL || m->spf_finished)
		return;
	msg_set_lock(m, m->spf_dns);
	spf_finish(m->spf, &m->spf_res);
	msg_set_unlock(m, m->spf_dns);
	m->spf_finished = 1;
}

void
msg_add_spf(struct msg *m, struct msg_results *mr)
{
	const struct spf_result *sr = &m->spf_res;
	struct ar_prop *p;
	struct ar_result *r = msg_result_slot(mr, 3, &p);
	char ipbuf[64];
	int helo;

	if (m->spf == NULL || r == NULL)
		return;
	msg_spf_finish(m);
	helo = sr->identity != NULL && strcmp(sr->identity, "helo") == 0;
	r->method = "spf";
	r->result = spf_result_name(sr->result);
	r->comment = arena_printf(m->arena, "sender IP is %s",
	    netaddr_str(&m->s->ip, ipbuf, sizeof(ipbuf)));
	p[0].ptype = "smtp";
	p[0].name = helo ? "helo" : "mailfrom";
	p[0].value = helo ? (m->s->helo ? m->s->helo : "") : (sr->domain ? sr->domain : "");
	/* No HELO and a null sender: there was no identity to name. */
	r->nprops = p[0].value[0] ? 1 : 0;
	r->props = p;
	if (sr->result == SPF_TEMPERROR)
		msg_note_dns_failure(m, sr->domain);
	if (m->cfg->spf_received_header)
		m->out.received_spf = arena_printf(m->arena, " %s", spf_received_spf(m->arena, sr));
	msg_result_commit(mr);
}

static void
msg_add_dkim_one(struct msg *m, struct msg_results *mr, const char *result, const char *comment,
    const struct dkimv_sig *sig)
{
	struct ar_prop *p;
	struct ar_result *r = msg_result_slot(mr, 3, &p);
	size_t np = 0;

	/* Room stays for dmarc, arc and compauth whatever the signatures. */
	if (r == NULL)
		return;
	r->method = "dkim";
	r->result = result;
	r->comment = comment;
	if (sig == NULL) {
		p[np++] = (struct ar_prop){ "header", "d", "none", NULL };
	} else {
		if (sig->d)
			p[np++] = (struct ar_prop){ "header", "d", sig->d, NULL };
		if (sig->s)
			p[np++] = (struct ar_prop){ "header", "s", sig->s, NULL };
		if (sig->a)
			p[np++] = (struct ar_prop){ "header", "a", sig->a, NULL };
		if (sig->b8)
			p[np++] = (struct ar_prop){ "header", "b", sig->b8, NULL };
		if (strcmp(result, "temperror") == 0)
			msg_note_dns_failure(m, sig->d);
	}
	r->nprops = np;
	r->props = p;
	msg_result_commit(mr);
}

/* Every signature verified, once; the keys' set must be closed or locked out. */
void
msg_dkim_finish(struct msg *m)
{
	if (m->dkim == NULL || m->oversize || m->dkim_done)
		return;
	m->dkim_done = 1;
	msg_set_lock(m, m->dns);
	dkimv_eom(m->dkim, &m->dkim_res);
	msg_set_unlock(m, m->dns);
	m->ndkim_pass = m->dkim_res.npass_domains;
	m->dkim_pass = m->dkim_res.pass_domains;
	m->dkim_sigs = m->dkim_res.sig;
	m->ndkim_sigs = m->dkim_res.n;
}

void
msg_add_dkim(struct msg *m, struct msg_results *mr)
{
	size_t i;

	if (m->dkim == NULL)
		return;
	if (m->oversize) {
		/* We stopped reading headers, so no signature can be checked honestly. */
		msg_add_dkim_one(m, mr, "policy", "header limits exceeded, signatures not verified",
		    NULL);
		return;
	}
	msg_dkim_finish(m);
	if (m->dkim_res.n == 0) {
		msg_add_dkim_one(m, mr, "none", "message not signed", NULL);
		return;
	}
	for (i = 0; i < m->dkim_res.n; i++)
		msg_add_dkim_one(m, mr, m->dkim_res.sig[i].result, m->dkim_res.sig[i].comment,
		    &m->dkim_res.sig[i]);
}

/* Is d one of the listed domains or below one of them? */
int
msg_domain_listed(const char *d, const struct str_list *l)
{
	size_t i;

	for (i = 0; d != NULL && i < l->n; i++)
		if (dmarc_domain_within(d, l->v[i]))
			return 1;
	return 0;
}

/* arc=pass|fail|none (RFC 8617 §10.2); a chain we stopped reading is not judged. */
void
msg_arc_finish(struct msg *m)
{
	if (m->arc == NULL || m->arc_done)
		return;
	m->arc_done = 1;
	if (m->oversize)
		return;
	msg_set_lock(m, m->dns);
	arc_eom(m->arc, &m->arc_res);
	msg_set_unlock(m, m->dns);
}

/*
 * A DMARC failure a trusted sealer vouches for: logged, and the action
 * becomes what we will do (oreject: p=reject not applied; none).
 */
bool
msg_arc_vouch(struct msg *m, struct dmarc_result *dr, struct arc_vouch *vouch)
{
	const struct str_list *l = &m->cfg->arc_trusted_sealers;
	const char *why = NULL;

	/* A sealer vouches for one author: never for several, or for one we could not read. */
	if (dr->result != DMARC_RES_FAIL || l->n == 0 || m->arc == NULL || m->oversize ||
	    m->ndmarc != 1 || m->nfrom_seen != 1 || m->from_overflow || m->authors.overflow)
		return false;
	msg_arc_finish(m);
	if (!arc_trust_vouches(m->arena, &m->arc_res, (const char *const *)l->v, l->n,
	    dr->header_from, vouch, &why)) {
		log_debug(msg_qid_or_null(m), "arc: no trusted sealer vouches: %s", why);
		return false;
	}
	log_info(msg_qid_or_null(m), "DMARC failure of %s vouched for by trusted ARC sealer %s "
	    "(i=%u, %s)", dr->header_from, vouch->sealer, vouch->instance, vouch->what);
	if (dr->action == DMARC_ACT_REJECT)
		dr->action = DMARC_ACT_OREJECT;
	else if (dr->action == DMARC_ACT_QUARANTINE || dr->action == DMARC_ACT_PCT_REJECT)
		dr->action = DMARC_ACT_NONE;
	return true;
}

void
msg_add_arc(struct msg *m, struct msg_results *mr)
{
	struct ar_prop *p;
	struct ar_result *r = msg_result_slot(mr, 1, &p);
	struct arc_results ar;
	char ipbuf[64];
	size_t np = 0;

	if (m->arc == NULL || r == NULL)
		return;
	r->method = "arc";
	if (m->oversize) {
		r->result = "none";
		r->comment = "header limits exceeded, chain not verified";
		msg_result_commit(mr);
		return;
	}
	msg_arc_finish(m);
	ar = m->arc_res;
	r->result = ar.result;
	if (ar.n > 0) {
		r->comment = ar.why;
		p[np++] = (struct ar_prop){ "smtp", "remote-ip",
		    arena_strdup(m->arena, netaddr_str(&m->s->ip, ipbuf, sizeof(ipbuf))), NULL };
		if (ar.oldest_pass >= 0)
			p[np++] = (struct ar_prop){ "header", "oldest-pass",
			    arena_printf(m->arena, "%d", ar.oldest_pass), NULL };
	}
	/* A key we could not fetch may be the trusted sealer's vouch. */
	if (ar.temperror && m->cfg->arc_trusted_sealers.n > 0)
		m->dns_could_decide = true;
	r->nprops = np;
	r->props = p;
	msg_result_commit(mr);
}

void
msg_add_compauth(struct msg *m, struct msg_results *mr, const struct dmarc_result *dr,
    const struct arc_vouch *vouch, struct verdict *v)
{
	struct verdict_inputs vi;
	struct ar_result *r = msg_result_slot(mr, 0, NULL);
	const char *implicit;

	memset(&vi, 0, sizeof(vi));
	vi.dmarc = dr->result;
	vi.policy = dr->effective;
	vi.local_domain = msg_domain_listed(dr->header_from, &m->cfg->local_domains);
	vi.allow_from = msg_domain_listed(dr->header_from, &m->cfg->allow_from);
	vi.dns_error = dr->result == DMARC_RES_TEMPERROR;
	vi.arc_vouched = vouch != NULL;
	verdict_compauth(&vi, v);
	msg_implicit(m, dr, v, &implicit);
	if (r == NULL)
		return;         /* cannot happen: every other entry left room */
	r->method = "compauth";
	r->result = compauth_result_name(v->result);
	if (v->reason == 130)
		r->comment = arena_printf(m->arena, "trusted ARC sealer %s", vouch->sealer);
	else if (implicit != NULL)
		r->comment = implicit;
	r->reason = arena_printf(m->arena, "%03u", v->reason);
	msg_result_commit(mr);
}

void
msg_add_iprev(struct msg *m, struct msg_results *mr)
{
	struct session *s = m->s;
	struct iprev_result ir;
	struct ar_prop *p;
	struct ar_result *r = msg_result_slot(mr, 3, &p);
	char ipbuf[64];

	if (s->iprev == NULL || r == NULL)
		return;
	dns_set_lock(s->dns);
	iprev_get(s->iprev, &ir);
	dns_set_unlock(s->dns);
	p[0].ptype = "policy";
	p[0].name = "iprev";
	p[0].value = arena_strdup(m->arena, netaddr_str(&s->ip, ipbuf, sizeof(ipbuf)));
	p[0].comment = ir.name ? ir.name : ir.why;
	r->method = "iprev";
	r->result = iprev_res_name(ir.res);
	r->nprops = 1;
	r->props = p;
	/* iprev decides no verdict: its temperror is only recorded. */
	msg_result_commit(mr);
}

