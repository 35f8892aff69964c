/*
 * External report destinations (RFC 9990 §4) checked on our resolver:
 * one query per (policy domain, destination host), answered from the
 * resolver's cache when several reports ask the same.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dmarc.h"
#include "rua_verify.h"

struct rua_verifier {
	struct resolver *res;
	unsigned timeout_ms;
	enum dmarc_mode mode;
};

struct rua_answer {
	enum dns_status status;
	char why[96];
	size_t n;
	char *txt[16];
	size_t len[16];
	int done;
};

struct rua_verifier *
rua_verifier_new(const struct resolver_opts *o, enum dmarc_mode mode, unsigned timeout_ms,
    char *err, size_t errlen)
{
	struct rua_verifier *v = calloc(1, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	v->res = resolver_new(o, err, errlen);
	if (!v->res) {
		free(v);
		return NULL;
	}
	v->timeout_ms = timeout_ms ? timeout_ms : 5000;
	v->mode = mode;
	return v;
}

void
rua_verifier_free(struct rua_verifier **vp)
{
	if (!*vp)
		return;
	resolver_free(&(*vp)->res);
	free(*vp);
	*vp = NULL;
}

const char *
rua_vstat_name(enum rua_vstat st)
{
	static const char *const n[] = { "internal", "authorized", "unverified", "conflict",
		"temperror" };
	return st <= RUA_V_TEMPFAIL ? n[st] : "?";
}

static void
rua_cb(void *arg, const struct dns_answer *ans)
{
	struct rua_answer *a = arg;
	a->status = ans->status;
	snprintf(a->why, sizeof a->why, "%s", ans->why ? ans->why : dns_status_name(ans->status));
	for (size_t i = 0; i < ans->n && a->n < 16; i++) {
		if (ans->rr[i].type != DNS_T_TXT)
			continue;
		a->txt[a->n] = malloc(ans->rr[i].u.txt.len + 1);
		if (!a->txt[a->n])
			continue;
		memcpy(a->txt[a->n], ans->rr[i].u.txt.data, ans->rr[i].u.txt.len);
		a->txt[a->n][ans->rr[i].u.txt.len] = '\0';
		a->len[a->n] = ans->rr[i].u.txt.len;
		a->n++;
	}
	a->done = 1;
}

/*
 * The Organizational Domains of the policy domain and the destination
 * host as the daemon finds them: RFC 9989's DNS tree walk (§4.10.2), or
 * the public suffix list in RFC 7489 mode. -1: the walk met a DNS error.
 */
static int
rua_orgdomains(struct rua_verifier *v, struct arena *a, const char *policy_domain,
    const char *dest, const char **o1, const char **o2)
{
	struct dmarc_check *c[2];
	struct dmarc_result r[2];
	struct dmarc_inputs in;
	struct dns_set *set;
	char *low = arena_strdup(a, dest);

	for (char *p = low; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (v->mode != DMARC_RFC9989) {
		*o1 = dmarc_psl_orgdomain(a, policy_domain);
		*o2 = dmarc_psl_orgdomain(a, low);
		return 0;
	}
	memset(&in, 0, sizeof in);
	set = dns_set_new(v->res, 2 * DMARC_DNS_BUDGET, "report");
	dns_set_lock(set);
	c[0] = dmarc_start(a, set, policy_domain, v->mode, NULL);
	c[1] = dmarc_start(a, set, low, v->mode, NULL);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + v->timeout_ms);
	dns_set_lock(set);
	for (int i = 0; i < 2; i++)
		dmarc_eval(c[i], &in, &r[i]);
	dns_set_unlock(set);
	dns_set_free(&set);
	if (r[0].result == DMARC_RES_TEMPERROR || r[1].result == DMARC_RES_TEMPERROR)
		return -1;
	*o1 = r[0].org_domain;
	*o2 = r[1].org_domain;
	return 0;
}

enum rua_vstat
rua_verify(struct rua_verifier *v, const char *policy_domain, struct rua_uri *u,
    char *why, size_t whylen)
{
	struct arena *a = arena_new();
	const char *o1 = NULL, *o2 = NULL;
	enum rua_vstat st;
	char name[600];

	if (rua_orgdomains(v, a, policy_domain, u->domain, &o1, &o2) < 0) {
		snprintf(why, whylen, "mailto:%s: DNS error finding the Organizational Domain of "
		    "%s or %s", u->addr, policy_domain, u->domain);
		arena_free(&a);
		return RUA_V_TEMPFAIL;
	}
	if (o1 && o2 && strcmp(o1, o2) == 0) {
		/* o1 lives in the arena: the reason is written before it goes. */
		snprintf(why, whylen, "mailto:%s within %s", u->addr, o1);
		arena_free(&a);
		return RUA_V_INTERNAL;
	}
	arena_free(&a);
	snprintf(name, sizeof name, "%s._report._dmarc.%s", policy_domain, u->domain);
	if (strlen(name) > 253) {
		snprintf(why, whylen, "mailto:%s: %.40s... longer than DNS allows", u->addr, name);
		return RUA_V_REFUSED;
	}

	struct rua_answer ans = { 0 };
	struct dns_set *set = dns_set_new(v->res, 2, "report");
	dns_set_lock(set);
	int q = dns_query(set, name, DNS_T_TXT, rua_cb, &ans);
	dns_set_unlock(set);
	if (q == DNS_Q_SENT)
		dns_set_wait(set, dns_now_ms() + v->timeout_ms);
	dns_set_free(&set);     /* cancels: the callback no longer runs */
	if (q == DNS_Q_BADNAME) {
		snprintf(why, whylen, "mailto:%s: %s is not a domain name", u->addr, name);
		return RUA_V_REFUSED;
	}
	if (q != DNS_Q_SENT || !ans.done || ans.status == DNS_TEMPFAIL) {
		snprintf(why, whylen, "mailto:%s: %s TXT: %s", u->addr, name,
		    ans.done ? ans.why : "no answer");
		return RUA_V_TEMPFAIL;
	}
	st = RUA_V_REFUSED;
	snprintf(why, whylen, "mailto:%s: no v=DMARC1 record at %s (external destination not "
	    "authorized)", u->addr, name);
	for (size_t i = 0; i < ans.n; i++) {
		const char *rua;
		size_t rualen;
		struct rua_uri over[RUA_MAX];
		size_t n, k, first = (size_t)-1;

		if (!rua_auth_record(ans.txt[i], ans.len[i], &rua, &rualen))
			continue;
		st = RUA_V_AUTHORIZED;
		snprintf(why, whylen, "mailto:%s authorized by %s", u->addr, name);
		if (!rua)
			break;
		n = rua_parse(rua, rualen, over, RUA_MAX);
		for (k = 0; k < n; k++) {
			if (!over[k].ok)
				continue;
			if (strcmp(over[k].domain, u->domain) != 0) {
				st = RUA_V_CONFLICT;
				snprintf(why, whylen, "mailto:%s: %s names another host (%s)",
				    u->addr, name, over[k].domain);
				break;
			}
			if (first == (size_t)-1)
				first = k;
		}
		if (st == RUA_V_AUTHORIZED && first != (size_t)-1) {
			snprintf(why, whylen, "mailto:%s replaced by mailto:%s (%s)", u->addr,
			    over[first].addr, name);
			*u = over[first];
			u->domain = u->addr + (over[first].domain - over[first].addr);
		}
		break;
	}
	for (size_t i = 0; i < ans.n; i++)
		free(ans.txt[i]);
	return st;
}
