/*
 * Zone-file backend, lookup side: answers (qname, qtype) from a loaded
 * zone as a recursive resolver in front of the same data would. It also
 * sorts and indexes the records when loading ends, because the binary
 * searches here are only right for the order chosen there; zone.c reads
 * the file and hands over the records (zone_int.h). Once indexed a zone is
 * never written again, so lookups need no lock.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dnswire.h"
#include "zone.h"
#include "zone_int.h"

static int
zone_rec_cmp(const void *a, const void *b)
{
	const struct zone_rec *x = a, *y = b;
	int c = strcmp(x->owner, y->owner);

	if (c != 0)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->rr.type != y->rr.type)
		return x->rr.type < y->rr.type ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
zone_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Records of owner: [*lo, return value). */
static size_t
zone_find(const struct zone *z, const char *owner, size_t *lo)
{
	size_t l = 0, h = z->nrecs, m;

	while (l < h) {
		m = l + (h - l) / 2;
		if (strcmp(z->recs[m].owner, owner) < 0)
			l = m + 1;
		else
			h = m;
	}
	*lo = l;
	for (h = l; h < z->nrecs && strcmp(z->recs[h].owner, owner) == 0; h++)
		;
	return h;
}

/*
 * Sorts the records, rejects CNAMEs beside other data (RFC 1034 §3.6.2)
 * and lists every name that exists: owners and the empty non-terminals
 * above them (RFC 8020), so a lookup can tell NXDOMAIN from NODATA.
 */
bool
zone_index(struct zone *z, const char **owner, size_t *line)
{
	size_t i, j, k, cap = 0, nn = 0;
	const char **names = NULL;

	*owner = NULL;
	*line = 0;
	if (z->nrecs > 0)
		qsort(z->recs, z->nrecs, sizeof(z->recs[0]), zone_rec_cmp);
	for (i = 0; i < z->nrecs; i = j) {
		size_t cnames = 0, data = 0, last = 0;

		for (j = i; j < z->nrecs && strcmp(z->recs[j].owner, z->recs[i].owner) == 0; j++) {
			if (z->recs[j].kind != ZONE_RR)
				continue;
			if (z->recs[j].rr.type == DNS_T_CNAME)
				cnames++;
			else
				data++;
			if (z->recs[j].line > last)
				last = z->recs[j].line;
		}
		if (cnames > 0 && cnames + data > 1) {
			*owner = z->recs[i].owner;
			*line = last;
			return false;
		}
	}
	for (i = 0; i < z->nrecs; i++) {
		const char *n = z->recs[i].owner;

		if (i > 0 && z->recs[i - 1].owner == n)
			continue;
		for (;;) {
			if (nn == cap) {
				const char **t;

				cap = cap ? cap * 2 : 64;
				t = realloc(names, cap * sizeof(*names));
				if (t == NULL) {
					free(names);
					return false;
				}
				names = t;
			}
			names[nn++] = n;
			if ((n = strchr(n, '.')) == NULL)
				break;
			n++;
		}
	}
	if (nn > 0)
		qsort(names, nn, sizeof(*names), zone_str_cmp);
	for (i = 0, k = 0; i < nn; i++)
		if (k == 0 || strcmp(names[k - 1], names[i]) != 0)
			names[k++] = names[i];
	z->names = names;
	z->nnames = k;
	return true;
}

void
zone_free(struct zone **zp)
{
	if (zp == NULL || *zp == NULL)
		return;
	arena_free(&(*zp)->a);
	free((*zp)->recs);
	free((*zp)->names);
	free(*zp);
	*zp = NULL;
}

size_t
zone_size(const struct zone *z)
{
	return z->nrecs;
}

static bool
zone_exists(const struct zone *z, const char *name)
{
	return z->nnames > 0 &&
	    bsearch(&name, z->names, z->nnames, sizeof(*z->names), zone_str_cmp) != NULL;
}

/* RFC 2308 §5: min(SOA TTL, MINIMUM) of the closest enclosing SOA. */
static uint32_t
zone_negative_ttl(const struct zone *z, const char *name)
{
	for (;;) {
		size_t lo, hi = zone_find(z, name, &lo);

		for (; lo < hi; lo++) {
			const struct zone_rec *r = &z->recs[lo];

			if (r->kind == ZONE_RR && r->rr.type == DNS_T_SOA)
				return r->rr.ttl < r->soa_min ? r->rr.ttl : r->soa_min;
		}
		if (*name == '\0')
			return DNS_NEG_TTL_DEFAULT;
		name = strchr(name, '.');
		name = name ? name + 1 : "";
	}
}

struct dns_rrset *
zone_lookup(const struct zone *z, const char *qname, enum dns_type qtype)
{
	char name[DNS_NAME_BUFSZ];
	const char *cur = name;
	uint32_t ttl = UINT32_MAX, neg;
	unsigned hops = 0;

	if (!dns_name_normalize(qname, name, sizeof(name)))
		return dns_rrset_new(DNS_PERMFAIL, "invalid name", 0, NULL, 0);
	for (;;) {
		size_t lo, hi = zone_find(z, cur, &lo), i, n = 0;
		const struct zone_rec *cname = NULL;

		for (i = lo; i < hi; i++) {
			const struct zone_rec *r = &z->recs[i];

			if (r->kind != ZONE_RR && (r->type == 0 || r->type == qtype))
				return dns_rrset_new(DNS_TEMPFAIL,
				    r->kind == ZONE_TIMEOUT ? "timeout" : "SERVFAIL", 0, NULL, 0);
		}
		for (i = lo; i < hi; i++) {
			const struct zone_rec *r = &z->recs[i];

			if (r->kind != ZONE_RR)
				continue;
			if (r->rr.type == qtype)
				n++;
			else if (r->rr.type == DNS_T_CNAME)
				cname = r;
		}
		if (n > 0) {
			struct dns_rr *rrs = calloc(n, sizeof(*rrs));
			struct dns_rrset *res;
			size_t k = 0;

			if (rrs == NULL)
				return dns_rrset_new(DNS_TEMPFAIL, "out of memory", 0, NULL, 0);
			for (i = lo; i < hi; i++) {
				const struct zone_rec *r = &z->recs[i];

				if (r->kind == ZONE_RR && r->rr.type == qtype) {
					rrs[k++] = r->rr;
					if (r->rr.ttl < ttl)
						ttl = r->rr.ttl;
				}
			}
			res = dns_rrset_new(DNS_OK, NULL, ttl, rrs, n);
			free(rrs);
			return res;
		}
		if (cname == NULL || qtype == DNS_T_CNAME)
			break;
		/* A recursive resolver answers SERVFAIL for a CNAME loop. */
		if (++hops > DNS_CNAME_MAX)
			return dns_rrset_new(DNS_TEMPFAIL, "CNAME loop", 0, NULL, 0);
		if (cname->rr.ttl < ttl)
			ttl = cname->rr.ttl;
		cur = cname->rr.u.name;
	}
	neg = zone_negative_ttl(z, cur);
	if (neg < ttl)
		ttl = neg;
	return dns_rrset_new(zone_exists(z, cur) ? DNS_NODATA : DNS_NXDOMAIN, NULL, ttl, NULL, 0);
}
