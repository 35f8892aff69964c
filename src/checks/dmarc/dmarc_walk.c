/*
 * What the answers of a DMARC discovery say (RFC 7489 §6.6.3, RFC 9989
 * §4.10): which record applies, what the organizational domain is, and
 * which failed lookup leaves either unknown. All of it is read at the
 * first dmarc_eval(), from answers that dmarc.c collected in any order,
 * in the order the RFCs walk them.
 */
#include <stdbool.h>
#include <string.h>

#include "dmarc.h"
#include "dmarc_int.h"

static void
copy_record(struct arena *a, struct dmarc_record *dst, const struct dmarc_record *src)
{
	*dst = *src;
	dst->rua = src->rua ? arena_strdup(a, src->rua) : NULL;
	dst->ruf = src->ruf ? arena_strdup(a, src->ruf) : NULL;
	dst->fo = src->fo ? arena_strdup(a, src->fo) : NULL;
}

/* The name one label longer than psd on the way down to from. */
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

static bool
lk_error(enum lk_state st)
{
	return st == LK_PENDING || st == LK_TEMP || st == LK_REFUSED;
}

/* "_dmarc.<name>: <why>" of a failed lookup, for logs and A-R comments. */
static const char *
lk_error_why(struct arena *a, const char *name, enum lk_state st, const char *why)
{
	return st == LK_PENDING ? arena_printf(a, "_dmarc.%s: DNS deadline", name) :
	    arena_printf(a, "_dmarc.%s: %s", name, why);
}

/*
 * RFC 9989 §4.10.2: the Organizational Domain of domain from the answers
 * of its walk, into *org. A walk stops at the first record with psd=y or
 * psd=n (§4.10 steps 2 and 6), so nothing above it counts; a failed
 * lookup below that point could have been any record, so the
 * Organizational Domain is then unknown (*why says which lookup).
 */
enum org_st
dmarc_org_of(const struct dmarc_check *c, const char *domain, const char **org, const char **why)
{
	const char *names[DMARC_WALK_MAX], *fewest = NULL;
	size_t i, k, n = dmarc_walk_names(domain, names);

	*org = domain;
	for (i = 0; i < n; i++) {
		const struct orgent *e;

		for (k = 0; k < c->nents && strcmp(c->ents[k].name, names[i]) != 0; k++)
			;
		if (k == c->nents)
			return ORG_NOT_ASKED;
		e = &c->ents[k];
		if (lk_error(e->st)) {
			*why = lk_error_why(c->a, e->name, e->st, e->why);
			return ORG_UNKNOWN;
		}
		if (e->st != LK_REC)
			continue;
		if (e->psd == DMARC_PSD_N || (e->psd == DMARC_PSD_Y && i == 0)) {
			/* psd=y where the walk starts: that record is the only one */
			*org = names[i];
			return ORG_KNOWN;
		}
		if (e->psd == DMARC_PSD_Y) {
			*org = one_below(domain, names[i]);
			return ORG_KNOWN;
		}
		fewest = names[i];
	}
	if (fewest != NULL)
		*org = fewest;
	return ORG_KNOWN;
}

static void
set_found(struct dmarc_check *c, const struct lookup *lk)
{
	c->out.res = DMARC_RES_PASS;
	c->out.policy_domain = arena_strdup(c->a, lk->name);
	copy_record(c->a, &c->out.rec, &lk->rec);
	c->out.why = NULL;
}

/* RFC 7489 §6.6.3: the From domain, then its organizational domain. */
static void
discover_psl(struct dmarc_check *c)
{
	const struct lookup *found = NULL;
	size_t i;

	for (i = 0; i < c->nlk; i++) {
		const struct lookup *lk = &c->lk[i];

		if (lk_error(lk->st)) {
			c->out.res = lk->st == LK_REFUSED ? DMARC_RES_PERMERROR : DMARC_RES_TEMPERROR;
			c->out.why = lk_error_why(c->a, lk->name, lk->st, lk->why);
			break;
		}
		if (lk->st == LK_REC || lk->st == LK_INVALID) {
			found = lk;
			break;
		}
		if (lk->st == LK_MULTI) {
			/* step 5: discovery ends, no DMARC, even at the From domain */
			c->out.why = arena_printf(c->a, "_dmarc.%s: several DMARC records", lk->name);
			break;
		}
	}
	if (found != NULL && found->st == LK_INVALID) {
		c->out.res = DMARC_RES_PERMERROR;
		c->out.why = arena_printf(c->a, "_dmarc.%s: %s", found->name, found->why);
	} else if (found != NULL) {
		set_found(c, found);
	}
	c->out.org = arena_strdup(c->a, c->psl_org);
}

/*
 * RFC 9989 §4.10.1: the record of the Author Domain; failing that, the
 * record of its Organizational Domain (§4.10.2), and failing that the
 * record of its Public Suffix Domain, the psd=y record where the walk
 * stopped. Records in between apply to no one but their own domain
 * (only psd=n makes one an Organizational Domain, §5.1.8). Several DMARC
 * records at one name are discarded and the walk goes on (§4.10 steps 2
 * and 6). When the record that applies has no usable policy and no
 * rua=, no DMARC processing follows (§4.10.1): none; no record above it
 * stands in for it.
 */
static void
discover_walk(struct dmarc_check *c)
{
	const struct lookup *first = &c->lk[0], *rec = NULL, *err = NULL, *multi = NULL;
	const char *org, *owhy = NULL, *why = NULL;
	size_t i, end;

	for (end = 0; end + 1 < c->nlk; end++)
		if (c->lk[end].st == LK_REC && c->lk[end].rec.psd != DMARC_PSD_U)
			break;
	for (i = 0; i <= end; i++) {
		if (err == NULL && lk_error(c->lk[i].st))
			err = &c->lk[i];
		if (multi == NULL && c->lk[i].st == LK_MULTI)
			multi = &c->lk[i];
	}
	c->ents = arena_alloc(c->a, c->nall * sizeof(*c->ents) + 1);
	for (i = 0; i < c->nall; i++) {
		c->ents[i].name = arena_strdup(c->a, c->lk[i].name);
		c->ents[i].st = c->lk[i].st;
		c->ents[i].psd = c->lk[i].rec.psd;
		c->ents[i].why = c->lk[i].why ? arena_strdup(c->a, c->lk[i].why) : NULL;
	}
	c->nents = c->nall;
	for (i = 0; i < DMARC_NEXIST; i++)
		if (c->exist_done[i] && c->exist[i] == DNS_NXDOMAIN)
			c->out.nonexistent = true;
	if (first->st != LK_REC && err != NULL) {
		/* Any name up to the stop may hold the record that applies. */
		c->out.res = err->st == LK_REFUSED ? DMARC_RES_PERMERROR : DMARC_RES_TEMPERROR;
		c->out.why = lk_error_why(c->a, err->name, err->st, err->why);
		c->out.org = c->from;
		return;
	}
	/*
	 * The author's own record applies whatever lies above it; only the
	 * Organizational Domain, for relaxed alignment, may stay unknown.
	 */
	if (dmarc_org_of(c, c->from, &org, &owhy) == ORG_UNKNOWN)
		c->out.org_why = owhy;
	c->out.org = arena_strdup(c->a, org);
	if (first->st == LK_REC) {
		rec = first;
	} else {
		for (i = 1; i <= end && rec == NULL; i++)
			if (c->lk[i].st == LK_REC && strcmp(c->lk[i].name, org) == 0)
				rec = &c->lk[i];
		if (rec == NULL && c->lk[end].st == LK_REC && c->lk[end].rec.psd == DMARC_PSD_Y)
			rec = &c->lk[end];
	}
	if (multi != NULL && (rec == NULL || multi < rec))
		why = arena_printf(c->a, "_dmarc.%s: several DMARC records, discarded", multi->name);
	if (rec == NULL) {
		c->out.why = why != NULL ? why : DMARC_WHY_NO_RECORD;
	} else if (rec->nopolicy) {
		c->out.why = arena_printf(c->a, "_dmarc.%s: %s", rec->name, rec->why);
	} else {
		set_found(c, rec);
		c->out.why = why;
	}
}

void
dmarc_discover(struct dmarc_check *c)
{
	c->out.res = DMARC_RES_NONE;
	c->out.why = DMARC_WHY_NO_RECORD;
	if (c->from == NULL || c->nlk == 0) {
		c->out.res = DMARC_RES_PERMERROR;
		c->out.why = c->from == NULL ? "no author domain" : "author domain is not a domain name";
		c->out.org = c->from;
		return;
	}
	if (c->mode == DMARC_RFC7489)
		discover_psl(c);
	else
		discover_walk(c);
}

