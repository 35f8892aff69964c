/*
 * SPF evaluator (RFC 7208 §4-§6): check_host() as a resumable state
 * machine. Every DNS answer arrives on the resolver thread (set locked),
 * is copied into the check's own arena (spf_lookup.c), and re-runs
 * spf_run(), which advances the evaluation strictly in record
 * order until it needs an answer that is not there yet.
 *
 * Parallel where the result cannot change: when a record is loaded, the
 * lookups of its later terms (and of its redirect) go out at once as
 * prefetches, and an mx or ptr term asks for all its names together. The
 * in-order walk alone counts DNS terms and void lookups (§4.6.4), so an
 * answer it never reaches changes nothing. Lookups are shared per
 * (name, type) within a check, so loops and repeats cost one query.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>

#include "log.h"
#include "spf_eval.h"

/* A set of the check's own never refuses a query RFC 7208 allows. */
_Static_assert(SPF_DNS_BUDGET == SPF_LOOKUPS, "SPF_DNS_BUDGET: in-order worst case + prefetches");

enum step { ST_WAIT, ST_CONTINUE };
enum tstep { T_WAIT, T_MATCH, T_NOMATCH, T_PUSHED, T_FINAL };

void
spf_final(struct spf_check *c, enum spf_res res, const char *fmt, ...)
{
	va_list ap;

	c->res = res;
	va_start(ap, fmt);
	c->problem = arena_vprintf(c->w, fmt, ap);
	va_end(ap);
	c->done = true;
}

/*
 * The in-order walk takes over what the prefetch expanded for term `term`
 * of f, charged to its own account at the cost the expansion had: the
 * outcome, limits included, is the one a fresh expansion would have here.
 */
static bool
take_prefetched(struct spf_check *c, const struct spf_frame *f, size_t term,
    const char **out, const char **why)
{
	size_t i;

	for (i = 0; f != NULL && i < f->npre; i++) {
		const struct spf_pre *p = &f->pre[i];

		if (p->term != term)
			continue;
		if (p->work > c->work.max - c->work.used) {
			c->work.used = c->work.max;
			c->work.limit = true;
			*out = NULL;
			*why = SPF_MACRO_WORK_REASON;
			return true;
		}
		c->work.used += p->work;
		c->work.limit = p->name == NULL;
		*out = p->name;
		*why = p->why;
		return true;
	}
	return false;
}

/*
 * Expands a domain-spec (NULL: <domain>) into a name: term `term` of f
 * (f NULL: not a term of a record, exp=). T_WAIT while %{p} is being
 * resolved, T_FINAL with *why on an expansion error (a limit of work, or
 * what the parser's syntax check should have made impossible), else
 * T_MATCH.
 */
static enum tstep
expand_name(struct spf_check *c, const struct spf_frame *f, size_t term, const char *domain,
    const char *spec, const char **out, const char **why)
{
	struct spf_macro_vars v;

	if (spec == NULL) {
		*out = domain;
		return T_MATCH;
	}
	if (spf_macro_uses_p(spec)) {
		if (!spf_p_ready(c))
			return T_WAIT;
		if (c->p_budget) {
			*why = "DNS query budget spent (for %{p})";
			return T_FINAL;
		}
	}
	if (!take_prefetched(c, f, term, out, why)) {
		spf_frame_vars(c, domain, &v);
		*out = spf_macro_expand_domain(c->w, spec, &v, &c->work, why);
	}
	return *out != NULL ? T_MATCH : T_FINAL;
}

/* The target of a term or redirect; an expansion error is a permerror. */
static enum tstep
expand_target(struct spf_check *c, struct spf_frame *f, size_t term, const char *spec,
    const char **out)
{
	const char *why = NULL;
	enum tstep r = expand_name(c, f, term, f->domain, spec, out, &why);

	if (r != T_FINAL)
		return r;
	if (c->p_budget && spf_macro_uses_p(spec))
		spf_final(c, SPF_PERMERROR, "%s", why);
	else if (c->work.limit)
		spf_final(c, SPF_PERMERROR, "%s (\"%.40s%s\")", why, spec,
		    strlen(spec) > 40 ? "..." : "");
	else
		spf_final(c, SPF_PERMERROR, "cannot expand \"%.200s\": %s", spec, why);
	return r;
}

static void
term_reset(struct spf_frame *f)
{
	f->stage = 0;
	f->target = NULL;
	f->lk = NULL;
	f->nsub = 0;
}

/* §4.6.4: the DNS-querying term (or redirect) now reached is counted. */
static bool
count_dns_term(struct spf_check *c)
{
	if (++c->dns_terms > SPF_MAX_DNS_TERMS) {
		spf_final(c, SPF_PERMERROR, "more than %d DNS-querying terms", SPF_MAX_DNS_TERMS);
		return false;
	}
	return true;
}

/* A lookup the term waits for: T_WAIT, T_FINAL (error), or T_MATCH to go on. */
static enum tstep
term_answer(struct spf_check *c, struct spf_lookup *lk, bool count_void, bool *empty)
{
	*empty = false;
	if (lk != NULL && lk->state == LK_PENDING)
		return T_WAIT;
	if (spf_lookup_budget(c, lk))
		return T_FINAL;
	if (lk->status == DNS_NXDOMAIN || lk->status == DNS_NODATA) {
		*empty = true;
		if (count_void && ++c->voids > SPF_MAX_VOID) {
			spf_final(c, SPF_PERMERROR, "more than %d void lookups (last: %s %s)",
			    SPF_MAX_VOID, lk->name, dns_type_name(lk->type));
			return T_FINAL;
		}
		return T_MATCH;
	}
	if (lk->status != DNS_OK) {
		spf_final(c, SPF_TEMPERROR, "DNS error looking up %s %s: %s", lk->name,
		    dns_type_name(lk->type), lk->why ? lk->why : dns_status_name(lk->status));
		return T_FINAL;
	}
	return T_MATCH;
}

/* mx (§5.4): up to 10 names, each looked up for the client's address family. */
static enum tstep
term_mx_names(struct spf_check *c, struct spf_frame *f)
{
	size_t i;

	if (f->lk->n > SPF_MAX_NAMES) {
		spf_final(c, SPF_PERMERROR, "%s has more than %d MX records", f->lk->name,
		    SPF_MAX_NAMES);
		return T_FINAL;
	}
	for (i = 0; i < f->lk->n; i++) {
		const char *host = spf_strip_dot(c->w, f->lk->u.mx[i].host);

		/* A null MX (RFC 7505, "0 .") or an unaskable name: no host. */
		f->sub[f->nsub] = NULL;
		if (spf_name_askable(host) &&
		    (f->sub[f->nsub] = spf_lookup(c, host, spf_addr_type(c), false)) == NULL) {
			spf_lookup_budget(c, NULL);
			return T_FINAL;
		}
		f->nsub++;
	}
	return T_MATCH;
}

/* ptr (§5.5): the first 10 names within the target, each validated. */
static enum tstep
term_ptr_names(struct spf_check *c, struct spf_frame *f)
{
	size_t i;

	for (i = 0; i < f->lk->n && i < SPF_MAX_NAMES; i++) {
		const char *name = spf_strip_dot(c->w, f->lk->u.names[i]);

		if (!spf_name_within(name, f->target) || !spf_name_askable(name))
			continue;
		if ((f->sub[f->nsub++] = spf_lookup(c, name, spf_addr_type(c), false)) == NULL) {
			spf_lookup_budget(c, NULL);
			return T_FINAL;
		}
	}
	return T_MATCH;
}

/*
 * Stages: 0 count the term, 1 expand the target and ask, 2 the main
 * answer, 3 the per-name answers (mx, ptr) or the include's result.
 */
static enum tstep
term_step(struct spf_check *c, struct spf_frame *f, const struct spf_term *t)
{
	enum tstep r;
	bool empty;
	char rev[80];
	size_t i;

	switch (t->mech) {
	case SPF_M_ALL:
		return T_MATCH;
	case SPF_M_IP4:
	case SPF_M_IP6: {
		struct cidr cd = { t->net, t->mech == SPF_M_IP4 ? t->cidr4 : t->cidr6 };

		return cidr_match(&cd, &c->ip) ? T_MATCH : T_NOMATCH;
	}
	default:
		break;
	}
	if (f->stage == 0) {
		if (!count_dns_term(c))
			return T_FINAL;
		f->stage = 1;
	}
	if (f->stage == 1) {
		if ((r = expand_target(c, f, f->next, t->domain_spec, &f->target)) != T_MATCH)
			return r;
		f->stage = 2;
		switch (t->mech) {
		case SPF_M_INCLUDE:
			if (!spf_name_askable(f->target)) {
				spf_final(c, SPF_PERMERROR, "include target \"%.80s%s\" is not a domain name",
				    f->target, strlen(f->target) > 80 ? "..." : "");
				return T_FINAL;
			}
			if (c->depth + 1 >= SPF_MAX_DEPTH) {
				spf_final(c, SPF_PERMERROR, "includes nested too deep");
				return T_FINAL;
			}
			f->stage = 3;
			c->depth++;
			memset(&c->frame[c->depth], 0, sizeof(c->frame[c->depth]));
			c->frame[c->depth].domain = f->target;
			c->frame[c->depth].rec_lk = spf_lookup(c, f->target, DNS_T_TXT, false);
			return T_PUSHED;
		case SPF_M_PTR:
			f->lk = spf_lookup(c, netaddr_reverse_name(&c->ip, rev, sizeof(rev)),
			    DNS_T_PTR, false);
			break;
		default:
			/* A name no query can carry (§4.3, §4.8) has no records: a void lookup. */
			f->lk = spf_lookup(c, f->target, t->mech == SPF_M_MX ? DNS_T_MX :
			    t->mech == SPF_M_EXISTS ? DNS_T_A : spf_addr_type(c), false);
			break;
		}
	}
	if (f->stage == 2) {
		if (t->mech == SPF_M_PTR && f->lk != NULL && f->lk->state == LK_DONE &&
		    !f->lk->budget && f->lk->status != DNS_OK && f->lk->status != DNS_NXDOMAIN &&
		    f->lk->status != DNS_NODATA)
			return T_NOMATCH;       /* §5.5: a PTR lookup error is no match */
		if ((r = term_answer(c, f->lk, true, &empty)) != T_MATCH)
			return r;
		if (empty)
			return T_NOMATCH;
		switch (t->mech) {
		case SPF_M_A:
			return spf_addr_match(c, f->lk, t->cidr4, t->cidr6) ? T_MATCH : T_NOMATCH;
		case SPF_M_EXISTS:
			return f->lk->n > 0 ? T_MATCH : T_NOMATCH;
		case SPF_M_MX:
			if ((r = term_mx_names(c, f)) != T_MATCH)
				return r;
			break;
		case SPF_M_PTR:
			if ((r = term_ptr_names(c, f)) != T_MATCH)
				return r;
			break;
		default:
			break;
		}
		f->stage = 3;
	}
	if (t->mech == SPF_M_INCLUDE) {
		/* §5.2: only the included record's pass is a match. */
		return f->child == SPF_PASS ? T_MATCH : T_NOMATCH;
	}
	/* In name order, so the outcome does not depend on which answer came first. */
	for (i = 0; i < f->nsub; i++) {
		if (f->sub[i] == NULL)
			continue;
		if (f->sub[i]->state == LK_PENDING)
			return T_WAIT;
		if (t->mech == SPF_M_PTR) {
			/* §5.5: a name whose lookup fails is skipped; our budget is no DNS failure. */
			if (spf_lookup_budget(c, f->sub[i]))
				return T_FINAL;
			if (spf_addr_match(c, f->sub[i], 32, 128))
				return T_MATCH;
			continue;
		}
		if ((r = term_answer(c, f->sub[i], false, &empty)) != T_MATCH)
			return r;
		if (spf_addr_match(c, f->sub[i], t->cidr4, t->cidr6))
			return T_MATCH;
	}
	return T_NOMATCH;
}

/* A frame's check_host() ended with res: the top one, or back into the include. */
static enum step
frame_return(struct spf_check *c, enum spf_res res, const struct spf_term *t)
{
	if (c->depth == 0) {
		c->res = res;
		c->mechanism = t ? t->text : NULL;
		if (res == SPF_FAIL) {
			c->in_exp = true;
			c->exp_stage = 0;
		} else {
			c->done = true;
		}
		return ST_CONTINUE;
	}
	c->depth--;
	c->frame[c->depth].child = res;
	return ST_CONTINUE;
}

static enum step
frame_step(struct spf_check *c)
{
	struct spf_frame *f = &c->frame[c->depth];
	enum tstep r;

	if (f->rec == NULL) {
		switch (spf_fetch_record(c, f->rec_lk, &f->rec)) {
		case F_WAIT:
			return ST_WAIT;
		case F_FINAL:
			return ST_CONTINUE;
		case F_NONE:
			if (c->depth == 0 && !f->redirected) {
				c->res = SPF_NONE;
				c->problem = arena_printf(c->w, "no SPF record at %s", f->domain);
				c->done = true;
			} else {
				/* §5.2, §6.1: an include or redirect target without a record */
				spf_final(c, SPF_PERMERROR, "no SPF record at %s (%s target)",
				    f->domain, f->redirected ? "redirect" : "include");
			}
			return ST_CONTINUE;
		case F_RECORD:
			f->next = 0;
			term_reset(f);
			spf_prefetch(c, f);
			return ST_CONTINUE;
		}
	}
	if (f->next < f->rec->nterms) {
		const struct spf_term *t = &f->rec->terms[f->next];

		switch (term_step(c, f, t)) {
		case T_WAIT:
			return ST_WAIT;
		case T_MATCH:
			return frame_return(c, t->qual, t);
		case T_NOMATCH:
			term_reset(f);
			f->next++;
			return ST_CONTINUE;
		case T_PUSHED:
		case T_FINAL:
			return ST_CONTINUE;
		}
	}
	if (f->rec->redirect == NULL)
		return frame_return(c, SPF_NEUTRAL, NULL);      /* §4.7 */
	/* §6.1: redirect= applies once every mechanism failed to match. */
	if (f->stage == 0) {
		if (!count_dns_term(c))
			return ST_CONTINUE;
		f->stage = 1;
	}
	if ((r = expand_target(c, f, f->rec->nterms, f->rec->redirect, &f->target)) == T_WAIT)
		return ST_WAIT;
	if (r == T_FINAL)
		return ST_CONTINUE;
	if (!spf_name_askable(f->target)) {
		spf_final(c, SPF_PERMERROR, "redirect target \"%.80s%s\" is not a domain name",
		    f->target, strlen(f->target) > 80 ? "..." : "");
		return ST_CONTINUE;
	}
	f->domain = f->target;
	f->rec = NULL;
	f->redirected = true;
	f->rec_lk = spf_lookup(c, f->domain, DNS_T_TXT, false);
	term_reset(f);
	return ST_CONTINUE;
}

/* ---- explanation (§6.2) ------------------------------------------------- */

static const char *
default_exp(struct spf_check *c)
{
	char ipbuf[INET6_ADDRSTRLEN];

	if (c->default_exp != NULL)
		return c->default_exp;
	return arena_printf(c->w, "%s does not designate %s as permitted sender",
	    c->domain, netaddr_str(&c->ip, ipbuf, sizeof(ipbuf)));
}

/* Any problem with exp= means "no exp=": the default explanation. */
static enum step
exp_step(struct spf_check *c)
{
	struct spf_frame *f = &c->frame[0];
	struct spf_macro_vars v;
	const char *name, *text, *why = NULL;
	enum tstep r;
	size_t i, len;

	if (c->exp_stage == 0) {
		if (f->rec->exp == NULL)
			goto use_default;
		if ((r = expand_name(c, NULL, 0, f->domain, f->rec->exp, &name, &why)) == T_WAIT)
			return ST_WAIT;
		if (r != T_MATCH || !spf_name_askable(name))
			goto use_default;
		c->exp_lk = spf_lookup(c, name, DNS_T_TXT, false);
		c->exp_stage = 1;
	}
	if (c->exp_stage == 1) {
		if (c->exp_lk == NULL)
			goto use_default;
		if (c->exp_lk->state == LK_PENDING)
			return ST_WAIT;
		if (c->exp_lk->status != DNS_OK || c->exp_lk->n != 1)
			goto use_default;
		text = c->exp_lk->u.txt[0].data;
		len = c->exp_lk->u.txt[0].len;
		for (i = 0; i < len; i++)
			if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
				goto use_default;       /* §6.2: US-ASCII only */
		if (!spf_macro_check(text, len, SPF_MACRO_EXP, NULL))
			goto use_default;
		c->exp_text = text;
		c->exp_stage = 2;
	}
	if (spf_macro_uses_p(c->exp_text) && !spf_p_ready(c))
		return ST_WAIT;
	spf_frame_vars(c, f->domain, &v);
	text = spf_macro_expand(c->w, c->exp_text, SPF_MACRO_EXP, &v, &c->work, &why);
	if (text == NULL)
		goto use_default;
	c->explanation = strlen(text) > SPF_EXP_MAX ? arena_strndup(c->w, text, SPF_EXP_MAX) : text;
	c->done = true;
	return ST_CONTINUE;
use_default:
	/* §6.2: any problem with exp= is as if there were none; say which for the log. */
	c->res = SPF_FAIL;
	c->problem = c->work.limit ? arena_printf(c->w, "exp= ignored: %s", why) : NULL;
	c->explanation = default_exp(c);
	c->done = true;
	return ST_CONTINUE;
}

void
spf_run(struct spf_check *c)
{
	unsigned steps = 0;

	while (!c->done) {
		if (++steps > SPF_MAX_STEPS) {
			/* Records drive the steps: never a temperror they could provoke. */
			spf_final(c, SPF_PERMERROR, "evaluation step limit reached");
			break;
		}
		if ((c->in_exp ? exp_step(c) : frame_step(c)) == ST_WAIT)
			return;
	}
	log_debug(c->qid, "spf: %s %s: %s%s%s", c->identity, c->domain,
	    spf_result_name(c->res), c->problem ? ": " : "", c->problem ? c->problem : "");
}

/* ---- start and finish --------------------------------------------------- */

/* §4.3: a domain we can check at all: a multi-label host name, no literal. */
static bool
domain_checkable(const char *d)
{
	const char *last = strrchr(d, '.'), *p;

	if (!spf_name_askable(d) || last == NULL)
		return false;
	for (p = d; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return spf_toplabel_ok(last + 1, strlen(last + 1));
}

static struct spf_check *
spf_start(struct arena *a, struct dns_set *set, const struct netaddr *ip,
    const char *helo, const char *sender, bool helo_only,
    const struct spf_opts *opts, const char *qid)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct spf_check *c = arena_alloc(a, sizeof(*c));
	char buf[INET6_ADDRSTRLEN], nib[80];
	const char *at, *dom;
	size_t dlen, i;

	c->a = a;
	c->w = arena_new();
	c->set = set;
	c->qid = qid ? arena_strdup(c->w, qid) : NULL;
	c->no_prefetch = opts != NULL && opts->no_prefetch;
	c->work.max = SPF_MACRO_WORK_MAX;
	c->pre_work.max = SPF_MACRO_WORK_MAX;
	c->default_exp = opts && opts->default_exp ? arena_strdup(c->w, opts->default_exp) : NULL;
	if (ip != NULL)
		c->ip = *ip;
	if (c->ip.family == AF_INET6 && memcmp(c->ip.addr, v4mapped, 12) == 0) {
		/* §5: an IPv4-mapped client is an IPv4 client. */
		memmove(c->ip.addr, c->ip.addr + 12, 4);
		memset(c->ip.addr + 4, 0, 12);
		c->ip.family = AF_INET;
	}
	helo = helo ? helo : "";
	c->vars.h = arena_strndup(c->w, helo, strnlen(helo, SPF_SENDER_MAX));
	c->vars.r = arena_strdup(c->w, opts && opts->receiver ? opts->receiver : "unknown");
	c->vars.t = arena_printf(c->w, "%lld", (long long)time(NULL));
	c->vars.v = c->ip.family == AF_INET6 ? "ip6" : "in-addr";
	c->vars.c = arena_strdup(c->w, netaddr_str(&c->ip, buf, sizeof(buf)));
	if (c->ip.family == AF_INET6) {
		for (i = 0; i < 16; i++)
			snprintf(nib + i * 4, sizeof(nib) - i * 4, "%x.%x.",
			    c->ip.addr[i] >> 4, c->ip.addr[i] & 15);
		nib[63] = '\0';
		c->vars.i = arena_strdup(c->w, nib);
	} else {
		c->vars.i = c->vars.c;
	}
	if (helo_only || sender == NULL || *sender == '\0') {
		/* §2.3, §2.4: HELO, or the null reverse-path, checks postmaster@helo. */
		c->identity = "helo";
		c->envelope_from = helo_only ? NULL : "";
		c->vars.s = arena_printf(c->w, "postmaster@%s", c->vars.h);
		c->vars.l = "postmaster";
		dom = c->vars.h;
	} else {
		c->identity = "mailfrom";
		c->envelope_from = arena_strndup(c->w, sender, strnlen(sender, SPF_SENDER_MAX));
		at = strrchr(c->envelope_from, '@');
		dom = at ? at + 1 : c->envelope_from;
		if (at == NULL || at == c->envelope_from) {
			/* §4.3: no local-part means "postmaster". */
			c->vars.l = "postmaster";
			c->vars.s = arena_printf(c->w, "postmaster@%s", dom);
		} else {
			c->vars.l = arena_strndup(c->w, c->envelope_from,
			    (size_t)(at - c->envelope_from));
			c->vars.s = c->envelope_from;
		}
	}
	dlen = strlen(dom);
	c->domain = arena_strndup(c->w, dom, dlen > 0 && dom[dlen - 1] == '.' ? dlen - 1 : dlen);
	c->vars.o = c->domain;
	if (c->ip.family != AF_INET && c->ip.family != AF_INET6) {
		c->res = SPF_NONE;
		c->problem = "client address unknown";
		c->done = true;
	} else if (sender != NULL && strnlen(sender, SPF_SENDER_MAX) == SPF_SENDER_MAX) {
		/* Not cut short (its domain would be another): no check we can stand by. */
		c->res = SPF_PERMERROR;
		c->problem = "MAIL FROM longer than " SPF_SENDER_MAX_TEXT " bytes";
		c->done = true;
	} else if (!domain_checkable(c->domain)) {
		c->res = SPF_NONE;
		c->problem = arena_printf(c->w, "\"%s\" is not a domain SPF can check", c->domain);
		c->done = true;
	} else {
		c->frame[0].domain = c->domain;
		c->frame[0].rec_lk = spf_lookup(c, c->domain, DNS_T_TXT, false);
		spf_run(c);
	}
	return c;
}

struct spf_check *
spf_start_mailfrom(struct arena *a, struct dns_set *set, const struct netaddr *ip,
    const char *helo, const char *sender, const struct spf_opts *opts, const char *qid)
{
	return spf_start(a, set, ip, helo, sender, false, opts, qid);
}

struct spf_check *
spf_start_helo(struct arena *a, struct dns_set *set, const struct netaddr *ip,
    const char *helo, const struct spf_opts *opts, const char *qid)
{
	return spf_start(a, set, ip, helo, NULL, true, opts, qid);
}

bool
spf_done(const struct spf_check *c)
{
	return c->done;
}

static const char *
dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

void
spf_finish(struct spf_check *c, struct spf_result *out)
{
	struct spf_result *r = &c->out;

	if (!c->finished) {
		if (!c->done) {
			c->res = SPF_TEMPERROR;
			c->problem = "DNS deadline passed before the evaluation ended";
			c->explanation = NULL;
		}
		r->result = c->res;
		r->identity = c->identity;
		r->domain = dup_or_null(c->a, c->domain);
		r->sender = dup_or_null(c->a, c->vars.s);
		r->explanation = c->res == SPF_FAIL ? dup_or_null(c->a, c->explanation) : NULL;
		r->problem = dup_or_null(c->a, c->problem);
		r->mechanism = dup_or_null(c->a, c->mechanism);
		r->client_ip = dup_or_null(c->a, c->vars.c);
		r->envelope_from = dup_or_null(c->a, c->envelope_from);
		r->helo = dup_or_null(c->a, c->vars.h);
		r->receiver = dup_or_null(c->a, c->vars.r);
		r->dns_terms = c->dns_terms;
		r->void_lookups = c->voids;
		r->macro_work = c->work.used;
		r->memory = sizeof(*c) + arena_used(c->w);
		c->finished = true;
		arena_free(&c->w);
	}
	*out = *r;
}
