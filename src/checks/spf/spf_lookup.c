/*
 * The DNS side of the SPF evaluator: one shared lookup per (name, type) and
 * check, answers copied into the check's own arena as they arrive on the
 * resolver thread, the %{p} validation (RFC 7208 §5.5, §7.3), fetching the
 * one SPF record of a name (§4.4, §4.5) and prefetching what the terms of
 * a freshly loaded record will ask. Counting limits is not done here: only
 * the in-order evaluation in spf.c counts (§4.6.4).
 */
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dnswire.h"
#include "spf_eval.h"

/* ---- lookups ---------------------------------------------------------- */

static void
lookup_copy(struct spf_check *c, struct spf_lookup *lk, const struct dns_answer *ans)
{
	size_t i, n = 0;

	lk->status = ans->status;
	lk->why = ans->why ? arena_strdup(c->w, ans->why) : NULL;
	if (ans->status != DNS_OK || ans->n == 0)
		return;
	switch (lk->type) {
	case DNS_T_A:
		lk->u.a4 = arena_alloc(c->w, ans->n * sizeof(*lk->u.a4));
		break;
	case DNS_T_AAAA:
		lk->u.a6 = arena_alloc(c->w, ans->n * sizeof(*lk->u.a6));
		break;
	case DNS_T_MX:
		lk->u.mx = arena_alloc(c->w, ans->n * sizeof(*lk->u.mx));
		break;
	case DNS_T_PTR:
		lk->u.names = arena_alloc(c->w, ans->n * sizeof(*lk->u.names));
		break;
	case DNS_T_TXT:
		lk->u.txt = arena_alloc(c->w, ans->n * sizeof(*lk->u.txt));
		break;
	default:
		return;
	}
	for (i = 0; i < ans->n; i++) {
		const struct dns_rr *rr = &ans->rr[i];

		if (rr->type != lk->type)
			continue;
		switch (lk->type) {
		case DNS_T_A:
			lk->u.a4[n++] = rr->u.a;
			break;
		case DNS_T_AAAA:
			lk->u.a6[n++] = rr->u.aaaa;
			break;
		case DNS_T_MX:
			lk->u.mx[n].pref = rr->u.mx.pref;
			lk->u.mx[n++].host = arena_strdup(c->w, rr->u.mx.host ? rr->u.mx.host : "");
			break;
		case DNS_T_PTR:
			lk->u.names[n++] = arena_strdup(c->w, rr->u.name ? rr->u.name : "");
			break;
		case DNS_T_TXT:
			lk->u.txt[n].data = arena_memdup(c->w, rr->u.txt.data, rr->u.txt.len);
			lk->u.txt[n++].len = rr->u.txt.len;
			break;
		default:
			break;
		}
	}
	lk->n = n;
	if (n == 0)
		lk->status = DNS_NODATA;
}

static void
lookup_answer(void *arg, const struct dns_answer *ans)
{
	struct spf_lookup *lk = arg;
	struct spf_check *c = lk->chk;

	if (c->finished)
		return;                 /* our memory is gone; the slot itself is the caller's */
	lk->state = LK_DONE;
	if (c->done) {
		lk->status = ans->status;
		return;
	}
	lookup_copy(c, lk, ans);
	spf_run(c);
}

/*
 * The shared lookup of (name, type), issued now if new. NULL when the
 * table is full (never in record order: SPF_LOOKUPS holds the worst case)
 * or a prefetch would exceed SPF_PREFETCH_MAX. A query the resolver does
 * not send is answered here: a name that cannot exist in DNS has no
 * records (NXDOMAIN, a void lookup like any other); a spent budget is the
 * check's own limit (budget set: permerror where the walk needs it); only
 * a cancelled set reads as a temporary failure, and nobody reads it then.
 */
struct spf_lookup *
spf_lookup(struct spf_check *c, const char *name, enum dns_type type, bool prefetch)
{
	struct spf_lookup *lk;
	size_t i;

	for (i = 0; i < c->nlk; i++)
		if (c->lk[i].type == type && strcasecmp(c->lk[i].name, name) == 0)
			return &c->lk[i];
	if (c->nlk == SPF_LOOKUPS || (prefetch && c->prefetches >= SPF_PREFETCH_MAX))
		return NULL;
	if (prefetch)
		c->prefetches++;
	lk = &c->lk[c->nlk++];
	lk->chk = c;
	lk->name = arena_strdup(c->w, name);
	lk->type = type;
	lk->state = LK_PENDING;
	switch (spf_name_askable(name) ? dns_query(c->set, lk->name, type, lookup_answer, lk) :
	    DNS_Q_BADNAME) {
	case DNS_Q_SENT:
		break;
	case DNS_Q_BADNAME:
		lk->state = LK_DONE;
		lk->status = DNS_NXDOMAIN;
		lk->why = "not a name DNS can hold";
		break;
	case DNS_Q_BUDGET:
		lk->state = LK_DONE;
		lk->status = DNS_PERMFAIL;
		lk->budget = true;
		lk->why = "DNS query budget spent";
		break;
	default:
		lk->state = LK_DONE;
		lk->status = DNS_TEMPFAIL;
		lk->why = "query not sent (set cancelled)";
		break;
	}
	return lk;
}

/*
 * The walk needs lk but it was never sent for the budget, or there was no
 * room for it: the check ends as permerror. The budget of a set of its own
 * (SPF_DNS_BUDGET) covers every query RFC 7208 allows, so only a smaller
 * shared budget gets here; never a temperror a sender can provoke.
 */
bool
spf_lookup_budget(struct spf_check *c, const struct spf_lookup *lk)
{
	if (lk == NULL) {
		spf_final(c, SPF_PERMERROR, "too many DNS lookups for one check");
		return true;
	}
	if (!lk->budget)
		return false;
	spf_final(c, SPF_PERMERROR, "DNS query budget spent (%s %s not sent)", lk->name,
	    dns_type_name(lk->type));
	return true;
}

/*
 * A name we may ask about: RFC 1035 lengths (§4.3, §4.8) and what the
 * resolver puts in a query (no spaces, backslashes or control bytes, which
 * a macro can produce from a local-part). Any other name matches nothing.
 */
bool
spf_name_askable(const char *name)
{
	char buf[DNS_NAME_BUFSZ];

	return spf_name_queryable(name) && dns_name_normalize(name, buf, sizeof(buf));
}

enum dns_type
spf_addr_type(const struct spf_check *c)
{
	return c->ip.family == AF_INET ? DNS_T_A : DNS_T_AAAA;
}

/* Does an A/AAAA answer hold the client within cidr bits? */
bool
spf_addr_match(const struct spf_check *c, const struct spf_lookup *lk, unsigned cidr4, unsigned cidr6)
{
	struct cidr cd;
	size_t i;

	if (lk->status != DNS_OK)
		return false;
	for (i = 0; i < lk->n; i++) {
		memset(&cd, 0, sizeof(cd));
		cd.net.family = c->ip.family;
		if (lk->type == DNS_T_A && c->ip.family == AF_INET) {
			memcpy(cd.net.addr, &lk->u.a4[i], 4);
			cd.bits = cidr4;
		} else if (lk->type == DNS_T_AAAA && c->ip.family == AF_INET6) {
			memcpy(cd.net.addr, &lk->u.a6[i], 16);
			cd.bits = cidr6;
		} else {
			continue;
		}
		if (cidr_match(&cd, &c->ip))
			return true;
	}
	return false;
}

const char *
spf_strip_dot(struct arena *a, const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[n - 1] == '.' ? arena_strndup(a, name, n - 1) : name;
}

/* name equals domain or is a subdomain of it (case-insensitive). */
bool
spf_name_within(const char *name, const char *domain)
{
	size_t nl = strlen(name), dl = strlen(domain);

	if (nl == dl)
		return strcasecmp(name, domain) == 0;
	return dl > 0 && nl > dl && name[nl - dl - 1] == '.' &&
	    strcasecmp(name + nl - dl, domain) == 0;
}

/* ---- %{p}: validated names of the client (§5.5, §7.3) ----------------- */

bool
spf_p_ready(struct spf_check *c)
{
	char rev[80];
	size_t i;

	if (c->p_state == P_NONE) {
		netaddr_reverse_name(&c->ip, rev, sizeof(rev));
		c->p_ptr = spf_lookup(c, rev, DNS_T_PTR, false);
		c->p_state = P_PTR;
	}
	if (c->p_state == P_PTR) {
		if (c->p_ptr != NULL && c->p_ptr->state == LK_PENDING)
			return false;
		if (c->p_ptr == NULL || c->p_ptr->budget)
			c->p_budget = true;
		for (i = 0; c->p_ptr != NULL && c->p_ptr->status == DNS_OK &&
		    i < c->p_ptr->n && i < SPF_MAX_NAMES; i++) {
			const char *name = spf_strip_dot(c->w, c->p_ptr->u.names[i]);

			if (!spf_name_askable(name))
				continue;
			c->p_names[c->p_n] = name;
			c->p_lk[c->p_n++] = spf_lookup(c, name, spf_addr_type(c), false);
		}
		c->p_state = P_ADDR;
	}
	if (c->p_state == P_ADDR) {
		for (i = 0; i < c->p_n; i++)
			if (c->p_lk[i] != NULL && c->p_lk[i]->state == LK_PENDING)
				return false;
		for (i = 0; i < c->p_n; i++)
			if (c->p_lk[i] == NULL || c->p_lk[i]->budget)
				c->p_budget = true;
		for (i = 0; i < c->p_n; i++)
			if (c->p_lk[i] != NULL && spf_addr_match(c, c->p_lk[i], 32, 128))
				c->p_valid[c->p_nvalid++] = c->p_names[i];
		c->p_state = P_DONE;
	}
	return true;
}

/* The name %{p} stands for while <domain> is domain: itself, a subdomain, any. */
static const char *
p_value(const struct spf_check *c, const char *domain)
{
	size_t i;

	if (c->p_state != P_DONE)
		return NULL;
	for (i = 0; i < c->p_nvalid; i++)
		if (strcasecmp(c->p_valid[i], domain) == 0)
			return c->p_valid[i];
	for (i = 0; i < c->p_nvalid; i++)
		if (spf_name_within(c->p_valid[i], domain))
			return c->p_valid[i];
	return c->p_nvalid > 0 ? c->p_valid[0] : "unknown";
}

void
spf_frame_vars(const struct spf_check *c, const char *domain, struct spf_macro_vars *v)
{
	*v = c->vars;
	v->d = domain;
	v->p = p_value(c, domain);
}

/* ---- records ------------------------------------------------------------ */

/* §4.4, §4.5: the one "v=spf1" TXT record of lk's name. */
enum spf_fetch
spf_fetch_record(struct spf_check *c, struct spf_lookup *lk, struct spf_record **rec)
{
	const struct lk_txt *found = NULL;
	const char *why = NULL;
	size_t i, nspf = 0;

	if (lk != NULL && lk->state == LK_PENDING)
		return F_WAIT;
	if (spf_lookup_budget(c, lk))
		return F_FINAL;
	if (lk->status == DNS_NXDOMAIN || lk->status == DNS_NODATA)
		return F_NONE;
	if (lk->status != DNS_OK) {
		spf_final(c, SPF_TEMPERROR, "DNS error looking up TXT of %s: %s", lk->name,
		    lk->why ? lk->why : dns_status_name(lk->status));
		return F_FINAL;
	}
	for (i = 0; i < lk->n; i++)
		if (spf_record_is_spf(lk->u.txt[i].data, lk->u.txt[i].len)) {
			found = &lk->u.txt[i];
			nspf++;
		}
	if (nspf == 0)
		return F_NONE;
	if (nspf > 1) {
		spf_final(c, SPF_PERMERROR, "%s has %zu SPF records", lk->name, nspf);
		return F_FINAL;
	}
	if (spf_record_parse(c->w, found->data, found->len, rec, &why) != 0) {
		spf_final(c, SPF_PERMERROR, "SPF record of %s: %s", lk->name, why);
		return F_FINAL;
	}
	return F_RECORD;
}

/*
 * Ask early for what the terms after the current one will need. Each target
 * expanded here is kept in the frame for the in-order walk, which takes it
 * over with its cost (spf_expand_target), so no term is expanded twice and
 * the walk's limits are the same with or without prefetching. The
 * prefetches' expansions have their own work account: whatever they spend
 * on terms the walk never reaches cannot end the check.
 */
void
spf_prefetch(struct spf_check *c, struct spf_frame *f)
{
	int budget = SPF_MAX_DNS_TERMS - (int)c->dns_terms;
	struct spf_macro_vars v;
	const char *spec, *name, *why;
	enum dns_type type;
	char rev[80];
	size_t i, before;

	f->npre = 0;
	if (c->no_prefetch)
		return;
	spf_frame_vars(c, f->domain, &v);
	for (i = f->next; i <= f->rec->nterms && budget > 0; i++) {
		const struct spf_term *t = i < f->rec->nterms ? &f->rec->terms[i] : NULL;

		if (t != NULL && t->mech == SPF_M_ALL)
			return;         /* nothing after "all" is ever evaluated */
		if (t == NULL) {
			spec = f->rec->redirect;
			type = DNS_T_TXT;
			if (spec == NULL)
				return;
		} else {
			spec = t->domain_spec;
			switch (t->mech) {
			case SPF_M_INCLUDE: type = DNS_T_TXT; break;
			case SPF_M_A: type = spf_addr_type(c); break;
			case SPF_M_MX: type = DNS_T_MX; break;
			case SPF_M_EXISTS: type = DNS_T_A; break;
			case SPF_M_PTR: type = DNS_T_PTR; break;
			default: continue;
			}
		}
		budget--;
		if (t != NULL && t->mech == SPF_M_PTR) {
			name = netaddr_reverse_name(&c->ip, rev, sizeof(rev));
		} else if (spec == NULL) {
			name = f->domain;
		} else {
			if (spf_macro_uses_p(spec))
				continue;
			before = c->pre_work.used;
			why = NULL;
			name = spf_macro_expand_domain(c->w, spec, &v, &c->pre_work, &why);
			if (name == NULL && c->pre_work.used == c->pre_work.max)
				return;         /* our own account is spent: the walk expands the rest */
			if (f->npre < SPF_MAX_DNS_TERMS) {
				f->pre[f->npre].term = i;
				f->pre[f->npre].name = name;
				f->pre[f->npre].why = why;
				f->pre[f->npre++].work = c->pre_work.used - before;
			}
		}
		if (name == NULL || !spf_name_askable(name))
			continue;
		if (spf_lookup(c, name, type, true) == NULL)
			return;
	}
}
