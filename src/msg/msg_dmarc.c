/*
 * DMARC in the pipeline: which author domains a message has, their policy
 * discovery, the one result we report, and what it asks of the MTA.
 *
 * A sender must not escape a p=reject author by what it adds beside it.
 * So every author domain any reading of the From fields yields is
 * evaluated (author_collect: every field, every address, IDNA and the
 * spellings a mail client shows as the same domain), and the strictest
 * result stands (RFC 7489 §6.6.1 and RFC 9989 allow evaluating each
 * author domain). With several From fields (RFC 5322 allows one) no
 * authentication counts at all: a signed message of the domain with a
 * second From of that domain added above it must not pass. From fields
 * we could not read in full (more than MSG_FROM_KEEP, or MSG_FROM_BYTES)
 * or more than AUTHOR_EVAL_MAX author domains: permerror, enforced as a
 * reject, since the strictest reading cannot be known.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "log.h"
#include "msg_int.h"

void
msg_note_from(struct msg *m, const char *value, size_t vlen)
{
	m->nfrom_seen++;
	if (m->nfrom == MSG_FROM_KEEP || m->from_bytes + vlen > MSG_FROM_BYTES) {
		m->from_overflow = 1;
		return;
	}
	m->from_values[m->nfrom++] = arena_strndup(m->arena, value, vlen);
	m->from_bytes += vlen;
}

/* Too much From to read: the strictest reading is unknown. */
static bool
msg_author_unreadable(const struct msg *m)
{
	return m->from_overflow || m->authors.overflow;
}

void
msg_start_dmarc(struct msg *m)
{
	size_t i;

	m->dmarc_started = 1;
	author_collect(m->arena, m->from_values, m->nfrom, &m->authors);
	m->author = m->authors.strict;
	if (m->nfrom_seen > 1)
		m->author = AUTHOR_MULTIPLE_FIELDS;
	if (m->authors.why != NULL || m->author != AUTHOR_OK)
		log_info(msg_qid_or_null(m), "From header: %s%s%s: %zu author domain%s evaluated",
		    author_status_name(m->author), m->authors.why ? ": " : "",
		    m->authors.why ? m->authors.why : "", m->authors.ndomains,
		    m->authors.ndomains == 1 ? "" : "s");
	if (m->authors.ndomains == 0)
		return;
	m->dmarc_dns = dns_set_new(m->s->rt->res,
	    (unsigned)(m->authors.ndomains * DMARC_DNS_BUDGET), msg_qid_or_null(m));
	dns_set_lock(m->dmarc_dns);
	for (i = 0; i < m->authors.ndomains; i++) {
		m->dmarc[i] = dmarc_start(m->arena, m->dmarc_dns, m->authors.domains[i],
		    (enum dmarc_mode)m->cfg->dmarc_mode, msg_qid_or_null(m));
		if (m->sender != NULL && strchr(m->sender, '@') != NULL)
			dmarc_add_identifier(m->dmarc[i], strrchr(m->sender, '@') + 1);
	}
	m->ndmarc = m->authors.ndomains;
	dns_set_unlock(m->dmarc_dns);
	if (m->ndmarc == 1)
		m->author_domain = m->authors.domains[0];
}

/* How strict a result is: the highest rank among the author domains stands. */
static int
msg_dmarc_rank(const struct dmarc_result *r)
{
	switch (r->result) {
	case DMARC_RES_PASS:            return 0;
	case DMARC_RES_BESTGUESSPASS:   return 1;
	case DMARC_RES_NONE:            return 2;
	case DMARC_RES_PERMERROR:       return 3;
	case DMARC_RES_TEMPERROR:       return 5;
	case DMARC_RES_FAIL:
		break;
	}
	switch (r->action) {
	case DMARC_ACT_REJECT:          return 7;
	case DMARC_ACT_QUARANTINE:
	case DMARC_ACT_PCT_REJECT:      return 6;
	default:                        return 4;
	}
}

void
msg_dmarc_eval(struct msg *m, struct dmarc_result *dr)
{
	struct dmarc_inputs in, none;
	bool several = m->nfrom_seen > 1;
	size_t i;

	memset(dr, 0, sizeof(*dr));
	memset(&in, 0, sizeof(in));
	memset(&none, 0, sizeof(none));
	msg_spf_finish(m);
	in.spf = m->spf ? m->spf_res.result : SPF_NONE;
	in.spf_domain = m->spf ? m->spf_res.domain : NULL;
	in.dkim_domains = m->dkim_pass;
	in.ndkim = m->ndkim_pass;
	if (m->ndmarc == 0) {
		dr->result = DMARC_RES_PERMERROR;
		dr->action = DMARC_ACT_PERMERROR;
		dr->why = author_status_name(m->author);
	}
	if (m->dmarc_dns != NULL)
		msg_set_lock(m, m->dmarc_dns);
	for (i = 0; i < m->ndmarc; i++) {
		struct dmarc_result r;

		/* Several From fields: nothing authenticates any of them. */
		dmarc_eval(m->dmarc[i], several ? &none : &in, &r);
		if (i == 0 || msg_dmarc_rank(&r) > msg_dmarc_rank(dr))
			*dr = r;
	}
	if (m->dmarc_dns != NULL)
		msg_set_unlock(m, m->dmarc_dns);
	m->dmarc_evaluated = 1;
	if (several && m->ndmarc > 0 && dr->result != DMARC_RES_FAIL &&
	    dr->result != DMARC_RES_TEMPERROR) {
		/* No author domain asks for a policy: still not one author. */
		dr->result = DMARC_RES_PERMERROR;
		dr->action = DMARC_ACT_PERMERROR;
		dr->row.result = dr->result;
	}
	/* Unread authors may be stricter than anything but a reject found. */
	if (msg_author_unreadable(m) &&
	    !(dr->result == DMARC_RES_FAIL && dr->action == DMARC_ACT_REJECT)) {
		dr->result = DMARC_RES_PERMERROR;
		dr->action = DMARC_ACT_PERMERROR;
		dr->row.result = dr->result;
	}
	m->dmarc_row = dr->row;
}

/* Ends discovery of every check that was never evaluated (abort). */
void
msg_dmarc_release(struct msg *m)
{
	struct dmarc_inputs in;
	struct dmarc_result dr;
	size_t i;

	if (m->dmarc_evaluated)
		return;
	memset(&in, 0, sizeof(in));
	for (i = 0; i < m->ndmarc; i++)
		dmarc_eval(m->dmarc[i], &in, &dr);
	m->dmarc_evaluated = 1;
}

/* Why the reported result is not that of one plain From field, or NULL. */
static const char *
msg_dmarc_note(struct msg *m)
{
	if (m->from_overflow)
		return "From header: too large to read";
	if (m->authors.overflow)
		return arena_printf(m->arena, "From header: more than %d author domains",
		    AUTHOR_EVAL_MAX);
	if (m->nfrom_seen > 1)
		return arena_printf(m->arena, "From header: %zu From fields", m->nfrom_seen);
	if (m->ndmarc > 1)
		return arena_printf(m->arena, "From header: %zu author domains, the strictest applies",
		    m->ndmarc);
	if (m->ndmarc == 0)
		return arena_printf(m->arena, "From header: %s", author_status_name(m->author));
	return NULL;
}

void
msg_add_dmarc(struct msg *m, struct msg_results *mr, const struct dmarc_result *dr)
{
	struct ar_prop *p;
	struct ar_result *r = msg_result_slot(mr, 1, &p);
	size_t np = 0;

	if (r == NULL)
		return;
	r->method = "dmarc";
	r->result = dmarc_result_name(dr->result);
	r->comment = msg_dmarc_note(m);
	if (r->comment == NULL)
		r->comment = dr->comment;
	p[np++] = (struct ar_prop){ NULL, "action", dmarc_action_name(dr->action), NULL };
	if (dr->header_from != NULL)
		p[np++] = (struct ar_prop){ "header", "from", dr->header_from, NULL };
	if (dr->policy_domain != NULL && dr->policy_tag != NULL) {
		/*
		 * The policy applied and where it was found: policy.dmarc is
		 * what SpamAssassin, python3-authres and Mail::Authentication-
		 * Results all read, the policy in force after t= (RFC 9989
		 * section 9.1: after the policy options); the comment names
		 * the tag as published and the domain. Microsoft 365 writes
		 * neither.
		 */
		if (m->cfg->authres_style == AUTHRES_STYLE_CONSUMERS)
			p[np++] = (struct ar_prop){ "policy", "dmarc", dmarc_policy_name(dr->effective),
			    arena_printf(m->arena, "%s=%s%s at %s", dr->policy_tag,
			    dmarc_policy_name(dr->policy), dr->record.testing ? " t=y" : "",
			    dr->policy_domain) };
		if (m->cfg->authres_polrec) {
			/* As RFC 9989 registers them: p= as read, the domain only when not the author's. */
			p[np++] = (struct ar_prop){ "polrec", "p", dmarc_policy_name(dr->record.p),
			    NULL };
			if (dr->header_from == NULL || strcmp(dr->policy_domain, dr->header_from) != 0)
				p[np++] = (struct ar_prop){ "polrec", "domain", dr->policy_domain,
				    NULL };
		}
	}
	r->nprops = np;
	r->props = p;
	msg_result_commit(mr);
}

/* text with every "%d" replaced by domain ("unknown" when there is none). */
static const char *
msg_expand_domain(struct msg *m, const char *text, const char *domain)
{
	char buf[1024];
	size_t o = 0;

	for (; *text && o + 1 < sizeof(buf); text++) {
		if (text[0] == '%' && text[1] == 'd') {
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", domain ? domain : "unknown");
			text++;
			if (o >= sizeof(buf))
				o = sizeof(buf) - 1;
		} else {
			buf[o++] = *text;
		}
	}
	buf[o] = '\0';
	return arena_strdup(m->arena, buf);
}

/* dmarc_override's policy for the author domain ("none" ...), or NULL. */
static const char *
msg_override(const struct msg *m, const char *domain)
{
	const struct str_list *l = &m->cfg->dmarc_override;
	size_t i;

	for (i = 0; domain != NULL && i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');
		char dom[256];

		if (eq == NULL || (size_t)(eq - l->v[i]) >= sizeof(dom))
			continue;
		memcpy(dom, l->v[i], (size_t)(eq - l->v[i]));
		dom[eq - l->v[i]] = '\0';
		if (dmarc_domain_within(domain, dom))
			return eq + 1;
	}
	return NULL;
}

static bool
msg_within_ci(const char *d, const char *conf)
{
	char low[256];
	size_t i;

	for (i = 0; conf[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)(conf[i] >= 'A' && conf[i] <= 'Z' ? conf[i] + 32 : conf[i]);
	low[i] = '\0';
	return d != NULL && conf[i] == '\0' && dmarc_domain_within(d, low);
}

/*
 * mailing_lists: did one of the configured lists relay this message? Its
 * List-Id alone proves nothing (anyone can write one), so the list must
 * also have authenticated it: a passing DKIM signature of the list
 * domain, or SPF for a MAIL FROM within it. Two List-Id fields: no.
 */
static const char *
msg_via_list(const struct msg *m, char id[256])
{
	const struct str_list *l = &m->cfg->mailing_lists;
	const char *lt, *gt;
	size_t i, j, n;

	if (l->n == 0 || m->nlist_id != 1 || m->list_id == NULL)
		return NULL;
	/* RFC 2919: [phrase] "<" list-label "." list-id-namespace ">" */
	if ((lt = strrchr(m->list_id, '<')) == NULL || (gt = strchr(lt, '>')) == NULL)
		return NULL;
	n = (size_t)(gt - lt - 1);
	if (n == 0 || n >= 256)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = lt[1 + i];
		if (c <= ' ' || c > '~')
			return NULL;
		id[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	id[n] = '\0';
	for (i = 0; i < l->n; i++) {
		if (!msg_within_ci(id, l->v[i]))
			continue;
		for (j = 0; j < m->ndkim_pass; j++)
			if (msg_within_ci(m->dkim_pass[j], l->v[i]))
				return l->v[i];
		if (m->spf_finished && m->spf_res.result == SPF_PASS && m->spf_res.identity != NULL &&
		    strcmp(m->spf_res.identity, "mailfrom") == 0 &&
		    msg_within_ci(m->spf_res.domain, l->v[i]))
			return l->v[i];
	}
	return NULL;
}

/* What the DMARC result asks of the MTA, within dmarc_enforce. */
void
msg_enforce(struct msg *m, const struct dmarc_result *dr, const struct verdict *v)
{
	const struct config *cfg = m->cfg;
	int reject = 0, quarantine = 0;
	const char *local, *list;
	char id[256];

	if (cfg->dmarc_enforce == 0 || v->reason == 401 || v->result == COMPAUTH_PASS)
		return;
	if (dr->result == DMARC_RES_FAIL) {
		reject = dr->action == DMARC_ACT_REJECT;
		quarantine = dr->action == DMARC_ACT_QUARANTINE || dr->action == DMARC_ACT_PCT_REJECT;
		if ((local = msg_override(m, dr->header_from)) != NULL) {
			reject = strcmp(local, "reject") == 0;
			quarantine = strcmp(local, "quarantine") == 0;
			log_info(msg_qid_or_null(m), "DMARC failure of %s: local policy %s instead of the published one",
			    dr->header_from, local);
		} else if ((reject || quarantine) && (list = msg_via_list(m, id)) != NULL) {
			m->via_list = arena_printf(m->arena, "List-Id <%s>", id);
			reject = quarantine = 0;
			log_info(msg_qid_or_null(m), "DMARC failure of %s not enforced: relayed by mailing list %s",
			    dr->header_from, list);
		}
	} else if (dr->result == DMARC_RES_PERMERROR && m->ndmarc == 0 && cfg->reject_bad_from) {
		reject = 1;
	}
	if (msg_author_unreadable(m)) {
		/* Whose policy would apply is unknown: the strictest one does. */
		reject = 1;
		quarantine = 0;
	}
	if (reject && cfg->dmarc_enforce == 1) {
		reject = 0;
		quarantine = 1;
	}
	if (reject) {
		char rcode[4], xcode[16];
		const char *text;

		/* "550 5.7.1 text": the check in config.c vouches for the shape. */
		snprintf(rcode, sizeof(rcode), "%.3s", cfg->dmarc_reject_reply);
		snprintf(xcode, sizeof(xcode), "%.*s",
		    (int)strcspn(cfg->dmarc_reject_reply + 4, " "), cfg->dmarc_reject_reply + 4);
		text = cfg->dmarc_reject_reply + 4 + strlen(xcode) + 1;
		m->out.action = MSG_REJECT;
		m->out.rcode = arena_strdup(m->arena, rcode);
		m->out.xcode = arena_strdup(m->arena, xcode);
		m->out.text = msg_expand_domain(m, text, dr->header_from);
	} else if (quarantine) {
		m->out.action = MSG_QUARANTINE;
		m->out.quarantine_reason = arena_printf(m->arena, "DMARC policy %s for %s",
		    dmarc_policy_name(dr->effective), dr->header_from ? dr->header_from : "unknown");
	}
}
