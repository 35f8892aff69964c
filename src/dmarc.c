/*
 * DMARC policy discovery and evaluation (RFC 7489 §6.6, RFC 9989 §4.10,
 * §5). Discovery is a check on the resolver like SPF: every query it may
 * need goes out at dmarc_start() (at end of headers), the answers are
 * parsed on the resolver thread into the check's own arena, and the first
 * dmarc_eval() reads them in the order the RFC walks them. Evaluation is
 * pure: SPF and DKIM results in, result, policy and action out.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "log.h"

enum lk_state {
	LK_PENDING = 0,
	LK_TEMP,                        /* temporary failure, or never sent */
	LK_NONE,                        /* NXDOMAIN, NODATA, no DMARC record */
	LK_MULTI,                       /* several DMARC records: none (§6.6.3) */
	LK_REC,                         /* exactly one valid record */
	LK_INVALID,                     /* exactly one, unusable (RFC 7489) */
	LK_REFUSED,                     /* not sent: the set's budget is spent */
};

struct lookup {
	const char *name;               /* the domain, without _dmarc. */
	enum lk_state st;
	struct dmarc_record rec;
	const char *why;
};

struct qarg {
	struct dmarc_check *c;
	int idx;                        /* lookup index, or -1 - existence query */
};

#define DMARC_NEXIST 3                  /* A, AAAA, MX of the From domain */
#define DMARC_LK_MAX (DMARC_WALK_MAX * (1 + DMARC_IDENT_MAX))

/* What the alignment of identifiers needs of a lookup, kept after finish. */
struct orgent {
	const char *name;
	enum lk_state st;
	enum dmarc_psd psd;
};

struct dmarc_check {
	struct arena *a;                /* caller's: handle, args, final copy */
	struct arena *w;                /* ours: everything callbacks write */
	struct dns_set *set;
	enum dmarc_mode mode;
	const char *qid;
	const char *from;
	const char *psl_org;            /* RFC 7489 organizational domain */
	bool finished;
	unsigned pending;
	size_t nlk;                     /* the author's walk: lk[0 .. nlk-1] */
	size_t nall;                    /* then identifiers' names up to nall */
	unsigned nident;
	struct lookup lk[DMARC_LK_MAX];
	struct qarg args[DMARC_LK_MAX + DMARC_NEXIST];
	struct orgent *ents;            /* in a, after finish */
	size_t nents;
	enum dns_status exist[DMARC_NEXIST];
	bool exist_done[DMARC_NEXIST];
	/* The outcome of discovery, in a, set by the first dmarc_eval(). */
	struct {
		enum dmarc_res res;     /* NONE, TEMPERROR, PERMERROR, or PASS = record */
		const char *policy_domain;
		struct dmarc_record rec;
		const char *org;
		bool nonexistent;
		const char *why;
	} out;
};

static void
copy_record(struct arena *a, struct dmarc_record *dst, const struct dmarc_record *src)
{
	*dst = *src;
	dst->rua = src->rua ? arena_strdup(a, src->rua) : NULL;
	dst->ruf = src->ruf ? arena_strdup(a, src->ruf) : NULL;
	dst->fo = src->fo ? arena_strdup(a, src->fo) : NULL;
}

static void
dmarc_txt_cb(void *arg, const struct dns_answer *ans)
{
	struct qarg *q = arg;
	struct dmarc_check *c = q->c;
	struct lookup *lk;
	struct dmarc_record tmp;
	enum dmarc_rec_status rs;
	const char *why;
	size_t i, nrec = 0;

	if (c->finished)
		return;
	c->pending--;
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
			lk->st = rs == DMARC_REC_OK ? LK_REC : LK_INVALID;
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
	static const enum dns_type etypes[DMARC_NEXIST] = { DNS_T_A, DNS_T_AAAA, DNS_T_MX };
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
	for (i = 0; i < c->nlk; i++)
		dmarc_send(c, (int)i, arena_printf(c->w, "_dmarc.%s", c->lk[i].name), DNS_T_TXT);
	if (mode == DMARC_RFC9989)
		for (i = 0; i < DMARC_NEXIST; i++)
			dmarc_send(c, -(int)i - 1, c->from, etypes[i]);
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

/* The name made of the last nlab + 1 labels of from. */
static const char *
one_below(const char *from, const char *psd)
{
	size_t fl = strlen(from), pl = strlen(psd);
	const char *p;

	if (fl <= pl + 1)
		return from;
	p = from + fl - pl - 1;         /* the dot before psd */
	while (p > from && p[-1] != '.')
		p--;
	return p;
}

/*
 * RFC 9989 §4.10.2: the Organizational Domain of domain from the answers
 * of its walk; NULL when a name of that walk was not asked.
 */
static const char *
org_of(const struct dmarc_check *c, const char *domain)
{
	const char *names[DMARC_WALK_MAX], *fewest = NULL;
	size_t i, k, n = dmarc_walk_names(domain, names);

	for (i = 0; i < n; i++) {
		for (k = 0; k < c->nents && strcmp(c->ents[k].name, names[i]) != 0; k++)
			;
		if (k == c->nents)
			return NULL;
		if (c->ents[k].st != LK_REC)
			continue;
		if (c->ents[k].psd == DMARC_PSD_N)
			return names[i];
		if (c->ents[k].psd == DMARC_PSD_Y && i > 0)
			return one_below(domain, names[i]);
		fewest = names[i];
	}
	return fewest ? fewest : domain;
}

static void
discover(struct dmarc_check *c)
{
	const struct lookup *found = NULL;
	size_t i;

	c->out.res = DMARC_RES_NONE;
	c->out.why = "no DMARC record";
	if (c->from == NULL || c->nlk == 0) {
		c->out.res = DMARC_RES_PERMERROR;
		c->out.why = c->from == NULL ? "no author domain" : "author domain is not a domain name";
		c->out.org = c->from;
		return;
	}
	for (i = 0; i < c->nlk; i++) {
		const struct lookup *lk = &c->lk[i];

		if (lk->st == LK_REFUSED) {
			c->out.res = DMARC_RES_PERMERROR;
			c->out.why = arena_printf(c->a, "_dmarc.%s: %s", lk->name, lk->why);
			break;
		}
		if (lk->st == LK_PENDING || lk->st == LK_TEMP) {
			c->out.res = DMARC_RES_TEMPERROR;
			c->out.why = lk->st == LK_PENDING ?
			    arena_printf(c->a, "_dmarc.%s: DNS deadline", lk->name) :
			    arena_printf(c->a, "_dmarc.%s: %s", lk->name, lk->why);
			break;
		}
		if (lk->st == LK_REC || lk->st == LK_INVALID) {
			found = lk;
			break;
		}
		if (lk->st == LK_MULTI && c->mode == DMARC_RFC7489) {
			/* RFC 7489 §6.6.3 step 5: discovery ends, no DMARC. */
			c->out.why = arena_printf(c->a, "_dmarc.%s: several DMARC records", lk->name);
			break;
		}
	}
	if (found != NULL && found->st == LK_INVALID) {
		c->out.res = DMARC_RES_PERMERROR;
		c->out.why = arena_printf(c->a, "_dmarc.%s: %s", found->name, found->why);
	} else if (found != NULL) {
		c->out.res = DMARC_RES_PASS;
		c->out.policy_domain = arena_strdup(c->a, found->name);
		copy_record(c->a, &c->out.rec, &found->rec);
		c->out.why = NULL;
	}
	if (c->mode == DMARC_RFC7489) {
		c->out.org = arena_strdup(c->a, c->psl_org);
	} else {
		c->ents = arena_alloc(c->a, c->nall * sizeof(*c->ents) + 1);
		for (i = 0; i < c->nall; i++) {
			c->ents[i].name = arena_strdup(c->a, c->lk[i].name);
			c->ents[i].st = c->lk[i].st;
			c->ents[i].psd = c->lk[i].rec.psd;
		}
		c->nents = c->nall;
		c->out.org = org_of(c, c->from);
		c->out.org = c->out.org ? arena_strdup(c->a, c->out.org) : c->from;
		for (i = 0; i < DMARC_NEXIST; i++)
			if (c->exist_done[i] && c->exist[i] == DNS_NXDOMAIN)
				c->out.nonexistent = true;
	}
}

static void
dmarc_finish(struct dmarc_check *c)
{
	if (c->finished)
		return;
	discover(c);
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

/*
 * Alignment (RFC 7489 §3.1, RFC 9989 §4.4): strict is identity; relaxed
 * is the same organizational domain. RFC 7489 asks the public suffix list
 * for both. In RFC 9989 mode an identifier outside the author's
 * organizational domain cannot share it; one inside has its own walk read
 * when dmarc_add_identifier() asked its names, and otherwise is taken to
 * share it (only a psd= record between the two could say otherwise).
 */
static bool
aligned(const struct dmarc_check *c, const char *id, bool strict)
{
	if (id == NULL || *id == '\0')
		return false;
	if (strict)
		return strcasecmp(id, c->from) == 0;
	if (c->mode == DMARC_RFC7489)
		return psl_aligned(c->a, id, c->from);
	if (!dmarc_domain_within(id, c->out.org))
		return false;
	{
		char low[DMARC_DOMAIN_MAX + 1];
		const char *o;
		size_t k;

		for (k = 0; id[k] != '\0' && k < sizeof(low) - 1; k++)
			low[k] = id[k] >= 'A' && id[k] <= 'Z' ? (char)(id[k] - 'A' + 'a') : id[k];
		low[k] = '\0';
		o = org_of(c, low);
		return o == NULL || strcmp(o, c->out.org) == 0;
	}
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
	bool spf_ok, strict_s, strict_d;
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
		out->policy_domain = c->out.policy_domain;
		out->record = *rec;
		strict_s = rec->aspf_strict;
		strict_d = rec->adkim_strict;
		out->spf_aligned = spf_ok && aligned(c, in->spf_domain, strict_s);
		for (i = 0; in != NULL && i < in->ndkim && !out->dkim_aligned; i++)
			if (aligned(c, in->dkim_domains[i], strict_d)) {
				out->dkim_aligned = true;
				out->dkim_domain = arena_strdup(c->a, in->dkim_domains[i]);
			}
		/* The policy that applies: RFC 7489 §6.6.3 step 6, RFC 9989 §4.7 np= */
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
