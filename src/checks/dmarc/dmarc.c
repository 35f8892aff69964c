/*
 * DMARC policy discovery and evaluation (RFC 7489 §6.6, RFC 9989 §4.10,
 * §5). Discovery is a check on the resolver like SPF: every query of the
 * walk goes out at dmarc_start() (at end of headers; the author domain's
 * existence only when an answer calls for it), the answers are
 * parsed on the resolver thread into the check's own arena, and the first
 * dmarc_eval() has dmarc_walk.c read them in the order the RFC walks them.
 * Evaluation is pure: SPF and DKIM results in, result, policy and action
 * out.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "dmarc_int.h"
#include "log.h"

static void dmarc_send(struct dmarc_check *c, int idx, const char *name, enum dns_type t);

/*
 * RFC 9989 §4.10.1: whether the author domain exists (A, AAAA, MX) only
 * matters when the record that applies is a parent's with np=. Asked once
 * the walk's answers are all in, and only then: most authors have a
 * record of their own or none above them, and save three queries; the
 * few that need them wait one more round trip.
 */
static void
dmarc_maybe_exist(struct dmarc_check *c)
{
	static const enum dns_type etypes[DMARC_NEXIST] = { DNS_T_A, DNS_T_AAAA, DNS_T_MX };
	bool need = false;
	size_t i;

	if (c->mode != DMARC_RFC9989 || c->exist_decided || c->walk_left > 0 || c->nlk == 0)
		return;
	c->exist_decided = true;
	if (c->lk[0].st == LK_REC && !c->lk[0].nopolicy)
		return;
	for (i = 1; i < c->nlk && !need; i++)
		need = c->lk[i].st == LK_REC && c->lk[i].rec.np != DMARC_P_UNSET;
	if (!need)
		return;
	for (i = 0; i < DMARC_NEXIST; i++)
		dmarc_send(c, -(int)i - 1, c->from, etypes[i]);
}

static void
dmarc_txt_answer(struct qarg *q, const struct dns_answer *ans);

static void
dmarc_txt_cb(void *arg, const struct dns_answer *ans)
{
	struct qarg *q = arg;
	struct dmarc_check *c = q->c;

	if (c->finished)
		return;
	c->pending--;
	dmarc_txt_answer(q, ans);
	if (q->idx >= 0 && (size_t)q->idx < c->nlk) {
		c->walk_left--;
		dmarc_maybe_exist(c);
	}
}

static void
dmarc_txt_answer(struct qarg *q, const struct dns_answer *ans)
{
	struct dmarc_check *c = q->c;
	struct lookup *lk;
	struct dmarc_record tmp;
	enum dmarc_rec_status rs;
	const char *why;
	size_t i, nrec = 0;

	if (q->idx < 0) {
		c->exist[-q->idx - 1] = ans->status;
		c->exist_done[-q->idx - 1] = true;
		return;
	}
	lk = &c->lk[q->idx];
	switch (ans->status) {
	case DNS_OK:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		lk->st = LK_NONE;
		lk->why = "no record";
		return;
	default:
		lk->st = LK_TEMP;
		lk->why = arena_printf(c->w, "DNS %s%s%s", dns_status_name(ans->status),
		    ans->why ? ": " : "", ans->why ? ans->why : "");
		return;
	}
	lk->st = LK_NONE;
	lk->why = "no DMARC record";
	for (i = 0; i < ans->n; i++) {
		if (ans->rr[i].type != DNS_T_TXT)
			continue;
		rs = dmarc_record_parse(c->w, ans->rr[i].u.txt.data, ans->rr[i].u.txt.len,
		    c->mode, &tmp, &why);
		if (rs == DMARC_REC_NOT_DMARC)
			continue;       /* §6.6.3 step 2: not ours, discard */
		if (++nrec == 1) {
			lk->st = rs == DMARC_REC_INVALID ? LK_INVALID : LK_REC;
			lk->nopolicy = rs == DMARC_REC_NO_POLICY;
			lk->rec = tmp;
			lk->why = why;
		} else {
			lk->st = LK_MULTI;
			lk->why = "several DMARC records";
		}
	}
}

static void
dmarc_send(struct dmarc_check *c, int idx, const char *name, enum dns_type t)
{
	struct qarg *q = &c->args[idx < 0 ? DMARC_LK_MAX - idx - 1 : idx];

	q->c = c;
	q->idx = idx;
	switch (dns_query(c->set, name, t, dmarc_txt_cb, q)) {
	case DNS_Q_SENT:
		c->pending++;
		return;
	case DNS_Q_BADNAME:
		/* Longer than DNS allows: no such name, so the walk goes on upwards. */
		if (idx >= 0) {
			c->lk[idx].st = LK_NONE;
			c->lk[idx].why = "name too long for DNS";
			if ((size_t)idx < c->nlk)
				c->walk_left--;
		} else {
			c->exist[-idx - 1] = DNS_NXDOMAIN;
			c->exist_done[-idx - 1] = true;
		}
		return;
	default:
		/*
		 * Our own set is sized for the whole discovery, so this is a
		 * bug or a cancelled set; never a temporary error a sender
		 * could provoke.
		 */
		if (idx >= 0) {
			c->lk[idx].st = LK_REFUSED;
			c->lk[idx].why = "query not sent (budget spent)";
			if ((size_t)idx < c->nlk)
				c->walk_left--;
		} else {
			c->exist[-idx - 1] = DNS_PERMFAIL;
			c->exist_done[-idx - 1] = true;
		}
		return;
	}
}

/*
 * LDH-ish labels, none empty: what DMARC can walk. The lengths DNS allows
 * are not required here: a name too long to exist has no record, and
 * discovery goes on to the names above it (the author domain is then
 * nonexistent, np=); DMARC_DOMAIN_MAX only bounds the work.
 */
static bool
domain_ok(const char *d)
{
	size_t lab = 0, n = 0;
	const char *p;

	if (d == NULL || *d == '\0' || *d == '.')
		return false;
	for (p = d; *p; p++, n++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '.') {
			if (lab == 0)
				return false;
			lab = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '_' || (ch >= 'A' && ch <= 'Z')))
			return false;
		lab++;
	}
	return n <= DMARC_DOMAIN_MAX && lab > 0;
}

struct dmarc_check *
dmarc_start(struct arena *a, struct dns_set *set, const char *from_domain,
    enum dmarc_mode mode, const char *qid)
{
	struct dmarc_check *c = arena_alloc(a, sizeof(*c));
	const char *names[DMARC_WALK_MAX];
	size_t i;
	char *q;

	c->a = a;
	c->w = arena_new();
	c->set = set;
	c->mode = mode;
	c->qid = qid ? arena_strdup(c->w, qid) : NULL;
	if (!domain_ok(from_domain)) {
		c->from = from_domain ? arena_strdup(c->w, from_domain) : NULL;
		c->nlk = 0;
		return c;
	}
	c->from = arena_strdup(c->w, from_domain);
	for (q = (char *)c->from; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	if (mode == DMARC_RFC7489) {
		/* §6.6.3: the From domain, then its organizational domain. */
		c->psl_org = dmarc_psl_orgdomain(c->w, c->from);
		c->lk[c->nlk++].name = c->from;
		if (strcmp(c->psl_org, c->from) != 0)
			c->lk[c->nlk++].name = c->psl_org;
	} else {
		/* RFC 9989 §4.10: the whole walk at once, read in order later. */
		c->nlk = dmarc_walk_names(c->from, names);
		for (i = 0; i < c->nlk; i++)
			c->lk[i].name = names[i];
	}
	c->nall = c->nlk;
	c->walk_left = c->nlk;
	for (i = 0; i < c->nlk; i++)
		dmarc_send(c, (int)i, arena_printf(c->w, "_dmarc.%s", c->lk[i].name), DNS_T_TXT);
	dmarc_maybe_exist(c);
	return c;
}

void
dmarc_add_identifier(struct dmarc_check *c, const char *domain)
{
	const char *names[DMARC_WALK_MAX];
	size_t i, k, n;
	char *d, *q;

	if (c->finished || c->mode != DMARC_RFC9989 || c->nlk == 0 ||
	    c->nident >= DMARC_IDENT_MAX || !domain_ok(domain))
		return;
	c->nident++;
	d = arena_strdup(c->w, domain);
	for (q = d; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	n = dmarc_walk_names(d, names);
	for (i = 0; i < n && c->nall < DMARC_LK_MAX; i++) {
		for (k = 0; k < c->nall; k++)
			if (strcmp(c->lk[k].name, names[i]) == 0)
				break;
		if (k < c->nall)
			continue;       /* asked already, for the author or another */
		c->lk[c->nall].name = names[i];
		c->nall++;
		dmarc_send(c, (int)(c->nall - 1), arena_printf(c->w, "_dmarc.%s", names[i]),
		    DNS_T_TXT);
	}
}

bool
dmarc_done(const struct dmarc_check *c)
{
	return c->finished || c->pending == 0;
}

static void
dmarc_finish(struct dmarc_check *c)
{
	if (c->finished)
		return;
	dmarc_discover(c);
	c->out.org = c->out.org ? arena_strdup(c->a, c->out.org) : NULL;
	c->from = c->from ? arena_strdup(c->a, c->from) : NULL;
	if (c->out.res == DMARC_RES_TEMPERROR)
		log_info(c->qid, "dmarc: %s: %s", c->from, c->out.why);
	c->qid = NULL;
	c->finished = true;
	arena_free(&c->w);
}

static bool
psl_aligned(struct arena *a, const char *id, const char *from)
{
	const char *o1, *o2;

	if (id == NULL || *id == '\0')
		return false;
	o1 = dmarc_psl_orgdomain(a, id);
	o2 = dmarc_psl_orgdomain(a, from);
	return o1 != NULL && o2 != NULL && strcasecmp(o1, o2) == 0;
}

enum align {
	AL_NO,
	AL_YES,
	AL_UNKNOWN,                     /* RFC 9989: an organizational domain is unknown */
};

/* Do a and b end in the same label? Without that they share no domain. */
static bool
same_top(const char *a, const char *b)
{
	const char *x = strrchr(a, '.'), *y = strrchr(b, '.');

	return strcmp(x ? x + 1 : a, y ? y + 1 : b) == 0;
}

/*
 * Alignment (RFC 7489 §3.1, RFC 9989 §4.4): strict is identity; relaxed
 * is the same organizational domain. RFC 7489 asks the public suffix list
 * for both. In RFC 9989 mode an identifier outside the author's
 * organizational domain cannot share it; one inside has its own walk read
 * when dmarc_add_identifier() asked its names, and otherwise is taken to
 * share it (only a psd= record between the two could say otherwise). A
 * walk that a DNS failure left unfinished cannot say: AL_UNKNOWN, *why.
 */
static enum align
aligned(const struct dmarc_check *c, const char *id, bool strict, const char **why)
{
	char low[DMARC_DOMAIN_MAX + 1];
	const char *o;
	size_t k;

	if (id == NULL || *id == '\0')
		return AL_NO;
	if (strict)
		return strcasecmp(id, c->from) == 0 ? AL_YES : AL_NO;
	if (c->mode == DMARC_RFC7489)
		return psl_aligned(c->a, id, c->from) ? AL_YES : AL_NO;
	for (k = 0; id[k] != '\0' && k < sizeof(low) - 1; k++)
		low[k] = id[k] >= 'A' && id[k] <= 'Z' ? (char)(id[k] - 'A' + 'a') : id[k];
	low[k] = '\0';
	if (strcmp(low, c->from) == 0)
		return AL_YES;          /* one domain, one organizational domain */
	if (c->out.org_why != NULL) {
		if (!same_top(low, c->from))
			return AL_NO;
		*why = c->out.org_why;
		return AL_UNKNOWN;
	}
	if (!dmarc_domain_within(low, c->out.org))
		return AL_NO;
	switch (dmarc_org_of(c, low, &o, why)) {
	case ORG_NOT_ASKED:
		return AL_YES;
	case ORG_UNKNOWN:
		return AL_UNKNOWN;
	case ORG_KNOWN:
		break;
	}
	return strcmp(o, c->out.org) == 0 ? AL_YES : AL_NO;
}

static enum dmarc_policy
lower(enum dmarc_policy p)
{
	return p == DMARC_P_REJECT ? DMARC_P_QUARANTINE :
	    p == DMARC_P_QUARANTINE ? DMARC_P_NONE : p;
}

void
dmarc_eval(struct dmarc_check *c, const struct dmarc_inputs *in, struct dmarc_result *out)
{
	const struct dmarc_record *rec = &c->out.rec;
	bool spf_ok, strict_s, strict_d, unknown;
	const char *uwhy = NULL;
	enum align al;
	size_t i;

	dmarc_finish(c);
	memset(out, 0, sizeof(*out));
	out->header_from = c->from;
	out->org_domain = c->out.org;
	out->nonexistent = c->out.nonexistent;
	out->why = c->out.why;
	spf_ok = in != NULL && in->spf == SPF_PASS;

	switch (c->out.res) {
	case DMARC_RES_TEMPERROR:
		out->result = DMARC_RES_TEMPERROR;
		out->action = DMARC_ACT_TEMPERROR;
		break;
	case DMARC_RES_PERMERROR:
		out->result = DMARC_RES_PERMERROR;
		out->action = DMARC_ACT_PERMERROR;
		break;
	case DMARC_RES_NONE:
		/* bestguesspass: relaxed alignment on the public suffix list */
		out->spf_aligned = spf_ok && psl_aligned(c->a, in->spf_domain, c->from);
		for (i = 0; in != NULL && i < in->ndkim && !out->dkim_aligned; i++)
			if (psl_aligned(c->a, in->dkim_domains[i], c->from)) {
				out->dkim_aligned = true;
				out->dkim_domain = arena_strdup(c->a, in->dkim_domains[i]);
			}
		out->result = out->spf_aligned || out->dkim_aligned ?
		    DMARC_RES_BESTGUESSPASS : DMARC_RES_NONE;
		out->action = DMARC_ACT_NONE;
		break;
	default:
		strict_s = rec->aspf_strict;
		strict_d = rec->adkim_strict;
		al = spf_ok ? aligned(c, in->spf_domain, strict_s, &uwhy) : AL_NO;
		out->spf_aligned = al == AL_YES;
		unknown = al == AL_UNKNOWN;
		for (i = 0; in != NULL && i < in->ndkim && !out->dkim_aligned; i++) {
			al = aligned(c, in->dkim_domains[i], strict_d, &uwhy);
			unknown |= al == AL_UNKNOWN;
			if (al == AL_YES) {
				out->dkim_aligned = true;
				out->dkim_domain = arena_strdup(c->a, in->dkim_domains[i]);
			}
		}
		if (unknown && !out->spf_aligned && !out->dkim_aligned) {
			/* Only the organizational domain lost to DNS could make it pass. */
			out->result = DMARC_RES_TEMPERROR;
			out->action = DMARC_ACT_TEMPERROR;
			out->why = arena_printf(c->a, "organizational domain unknown: %s", uwhy);
			break;
		}
		out->policy_domain = c->out.policy_domain;
		out->record = *rec;
		/* The tag that applies: RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1 (np=) */
		if (strcmp(c->out.policy_domain, c->from) == 0) {
			out->policy_tag = "p";
			out->policy = rec->p;
		} else if (c->mode == DMARC_RFC9989 && c->out.nonexistent &&
		    rec->np != DMARC_P_UNSET) {
			out->policy_tag = "np";
			out->policy = rec->np;
		} else if (rec->sp != DMARC_P_UNSET) {
			out->policy_tag = "sp";
			out->policy = rec->sp;
		} else {
			out->policy_tag = "p";
			out->policy = rec->p;
		}
		if (out->spf_aligned || out->dkim_aligned) {
			out->result = DMARC_RES_PASS;
			out->action = DMARC_ACT_NONE;
			out->effective = out->policy;
			out->disposition = DMARC_P_NONE;
			break;
		}
		out->result = DMARC_RES_FAIL;
		out->effective = out->policy;
		if (c->mode == DMARC_RFC9989 && (rec->testing || rec->pct == 0)) {
			/* RFC 9989 t=y (pct=0 of old records reads as t=y): one level lower */
			out->effective = lower(out->policy);
			out->testing = out->effective != out->policy;
		}
		out->disposition = out->effective;
		if (c->mode == DMARC_RFC7489 && rec->pct < 100 &&
		    out->policy != DMARC_P_NONE) {
			unsigned s = in != NULL && in->sample != NULL ?
			    in->sample(in->sample_arg) % 100 : (unsigned)(random() % 100);

			/* §6.6.4: outside the sample, the next lower policy */
			if (s >= rec->pct) {
				out->sampled_out = true;
				out->disposition = lower(out->policy);
			}
		}
		if (out->sampled_out)
			out->action = out->policy == DMARC_P_REJECT ?
			    DMARC_ACT_PCT_REJECT : DMARC_ACT_PCT_QUARANTINE;
		else
			out->action = out->disposition == DMARC_P_REJECT ? DMARC_ACT_REJECT :
			    out->disposition == DMARC_P_QUARANTINE ? DMARC_ACT_QUARANTINE :
			    DMARC_ACT_NONE;
		break;
	}
	/* A none without any record needs no words; every other why explains. */
	if (out->why != NULL && strcmp(out->why, DMARC_WHY_NO_RECORD) != 0)
		out->comment = out->why;
	out->row.header_from = out->header_from;
	out->row.policy_domain = out->policy_domain;
	if (out->policy_domain != NULL) {
		out->row.p = rec->p;
		out->row.sp = rec->sp;
		out->row.np = rec->np;
		out->row.pct = rec->pct;
		out->row.testing = rec->testing;
		out->row.adkim_strict = rec->adkim_strict;
		out->row.aspf_strict = rec->aspf_strict;
	}
	out->row.disposition = out->disposition;
	out->row.dkim_aligned = out->dkim_aligned;
	out->row.spf_aligned = out->spf_aligned;
	out->row.result = out->result;
}

const char *
dmarc_result_name(enum dmarc_res r)
{
	switch (r) {
	case DMARC_RES_NONE:            return "none";
	case DMARC_RES_PASS:            return "pass";
	case DMARC_RES_FAIL:            return "fail";
	case DMARC_RES_BESTGUESSPASS:   return "bestguesspass";
	case DMARC_RES_TEMPERROR:       return "temperror";
	case DMARC_RES_PERMERROR:       return "permerror";
	}
	return "?";
}

const char *
dmarc_action_name(enum dmarc_action act)
{
	switch (act) {
	case DMARC_ACT_NONE:            return "none";
	case DMARC_ACT_QUARANTINE:      return "quarantine";
	case DMARC_ACT_REJECT:          return "reject";
	case DMARC_ACT_PCT_QUARANTINE:  return "pct.quarantine";
	case DMARC_ACT_PCT_REJECT:      return "pct.reject";
	case DMARC_ACT_OREJECT:         return "oreject";
	case DMARC_ACT_PERMERROR:       return "permerror";
	case DMARC_ACT_TEMPERROR:       return "temperror";
	}
	return "?";
}
