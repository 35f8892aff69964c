/*
 * iprev: the client address must map to a name (PTR) that maps back to the
 * same address (A or AAAA). All forward lookups go out together as soon as
 * the PTR answer is in, so the check costs two round trips at most.
 */
#include <string.h>
#include <sys/socket.h>

#include "iprev.h"
#include "resolver.h"

enum fwd_state { FWD_WAIT = 0, FWD_MATCH, FWD_NOMATCH, FWD_TEMP };

struct iprev_fwd {
	struct iprev *owner;
	const char *name;
	enum fwd_state state;
};

struct iprev {
	struct arena *arena;
	struct dns_set *set;
	struct netaddr ip;
	int ptr_done;
	enum dns_status ptr_status;
	const char *ptr_why;
	size_t nfwd;
	struct iprev_fwd fwd[IPREV_MAX_NAMES];
};

/* RFC 1123 host name: letters, digits, hyphens, dots; no empty labels. */
static int
iprev_valid_host(const char *s)
{
	size_t label = 0, total = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++, total++) {
		unsigned char c = (unsigned char)*s;

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return total <= 253;
}

static void
iprev_fwd_answer(void *arg, const struct dns_answer *ans)
{
	struct iprev_fwd *f = arg;
	const struct netaddr *ip = &f->owner->ip;
	size_t i;

	if (ans->status == DNS_TEMPFAIL) {
		f->state = FWD_TEMP;
		return;
	}
	f->state = FWD_NOMATCH;
	if (ans->status != DNS_OK)
		return;
	for (i = 0; i < ans->n; i++) {
		const struct dns_rr *rr = &ans->rr[i];

		if (ip->family == AF_INET && rr->type == DNS_T_A &&
		    memcmp(&rr->u.a, ip->addr, 4) == 0)
			f->state = FWD_MATCH;
		if (ip->family == AF_INET6 && rr->type == DNS_T_AAAA &&
		    memcmp(&rr->u.aaaa, ip->addr, 16) == 0)
			f->state = FWD_MATCH;
	}
}

static void
iprev_ptr_answer(void *arg, const struct dns_answer *ans)
{
	struct iprev *ip = arg;
	enum dns_type t = ip->ip.family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	size_t i;

	ip->ptr_done = 1;
	ip->ptr_status = ans->status;
	ip->ptr_why = ans->why ? arena_strdup(ip->arena, ans->why) : NULL;
	if (ans->status != DNS_OK)
		return;
	for (i = 0; i < ans->n && ip->nfwd < IPREV_MAX_NAMES; i++) {
		struct iprev_fwd *f;

		if (ans->rr[i].type != DNS_T_PTR || !iprev_valid_host(ans->rr[i].u.name))
			continue;
		f = &ip->fwd[ip->nfwd];
		f->owner = ip;
		f->name = arena_strdup(ip->arena, ans->rr[i].u.name);
		if (dns_query(ip->set, f->name, t, iprev_fwd_answer, f) != 0)
			f->state = FWD_TEMP;    /* budget spent: we cannot confirm it */
		ip->nfwd++;
	}
}

struct iprev *
iprev_start(struct arena *a, struct dns_set *set, const struct netaddr *addr)
{
	struct iprev *ip = arena_alloc(a, sizeof(*ip));
	char rev[80];

	ip->arena = a;
	ip->set = set;
	ip->ip = *addr;
	if (addr->family != AF_INET && addr->family != AF_INET6) {
		ip->ptr_done = 1;
		ip->ptr_status = DNS_PERMFAIL;
		ip->ptr_why = "client address unknown";
		return ip;
	}
	netaddr_reverse_name(addr, rev, sizeof(rev));
	if (dns_query(set, rev, DNS_T_PTR, iprev_ptr_answer, ip) != 0) {
		ip->ptr_done = 1;
		ip->ptr_status = DNS_TEMPFAIL;
		ip->ptr_why = "DNS query budget spent";
	}
	return ip;
}

void
iprev_get(const struct iprev *ip, struct iprev_result *out)
{
	size_t i;
	int temp = 0;

	memset(out, 0, sizeof(*out));
	if (!ip->ptr_done) {
		out->res = IPREV_TEMPERROR;
		out->why = "DNS deadline passed";
		return;
	}
	switch (ip->ptr_status) {
	case DNS_OK:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		out->res = IPREV_FAIL;
		out->why = "no PTR record";
		return;
	case DNS_TEMPFAIL:
		out->res = IPREV_TEMPERROR;
		out->why = ip->ptr_why ? ip->ptr_why : "DNS temporary failure";
		return;
	default:
		out->res = IPREV_PERMERROR;
		out->why = ip->ptr_why ? ip->ptr_why : "unusable PTR answer";
		return;
	}
	if (ip->nfwd == 0) {
		out->res = IPREV_PERMERROR;
		out->why = "no valid host name in PTR records";
		return;
	}
	/* The first name in PTR order that confirms wins, so the answer is stable. */
	for (i = 0; i < ip->nfwd; i++) {
		if (ip->fwd[i].state == FWD_MATCH) {
			out->res = IPREV_PASS;
			out->name = ip->fwd[i].name;
			return;
		}
		if (ip->fwd[i].state == FWD_TEMP || ip->fwd[i].state == FWD_WAIT)
			temp = 1;
	}
	out->name = ip->fwd[0].name;
	if (temp) {
		out->res = IPREV_TEMPERROR;
		out->why = "forward lookup failed temporarily";
	} else {
		out->res = IPREV_FAIL;
		out->why = "forward lookup does not match";
	}
}

const char *
iprev_res_name(enum iprev_res r)
{
	switch (r) {
	case IPREV_PASS: return "pass";
	case IPREV_FAIL: return "fail";
	case IPREV_TEMPERROR: return "temperror";
	case IPREV_PERMERROR: return "permerror";
	}
	return "permerror";
}
