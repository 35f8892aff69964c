/*
 * Answer cache. Every message asks for the same few records (the sender's
 * SPF includes, the big senders' DKIM keys and DMARC records), so one cache
 * shared by all messages saves most upstream queries. It belongs to the
 * resolver thread, which makes it lock-free. Two bounds keep what senders
 * choose from growing it: entries (a flood of random names) and bytes
 * (a flood of names with big TXT answers: 10 000 entries of ~64 KiB
 * would be 640 MB), each entry counted with its name and bookkeeping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnscache.h"

#define DNSCACHE_MAX_BUCKETS (1u << 20)

struct dnscache_entry {
	struct dnscache_entry *hnext;   /* bucket chain */
	struct dnscache_entry *prev;    /* LRU list, most recent first */
	struct dnscache_entry *next;
	struct dns_rrset *set;
	uint64_t expires_ms;
	size_t bytes;                   /* counted against max_bytes */
	uint32_t hash;
	enum dns_type type;
	char name[];
};

struct dnscache {
	struct dnscache_entry **buckets;
	uint32_t mask;
	unsigned max;
	size_t count;
	size_t max_bytes, bytes;
	struct dnscache_entry *head;    /* most recently used */
	struct dnscache_entry *tail;    /* evicted first */
};

uint32_t
dns_key_hash(const char *name, enum dns_type type)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	h = (h ^ (uint32_t)type) * 16777619u;
	return h;
}

struct dnscache *
dnscache_new(unsigned max_entries, size_t max_bytes)
{
	struct dnscache *c = calloc(1, sizeof(*c));
	uint32_t n = 16;

	if (c == NULL)
		return NULL;
	while (n < max_entries && n < DNSCACHE_MAX_BUCKETS)
		n <<= 1;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (c->buckets == NULL) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	c->max = max_entries;
	c->max_bytes = max_bytes;
	return c;
}

static void
dnscache_lru_unlink(struct dnscache *c, struct dnscache_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
dnscache_lru_push(struct dnscache *c, struct dnscache_entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static struct dnscache_entry **
dnscache_slot(struct dnscache *c, const char *name, enum dns_type type, uint32_t hash)
{
	struct dnscache_entry **pp;

	for (pp = &c->buckets[hash & c->mask]; *pp != NULL; pp = &(*pp)->hnext)
		if ((*pp)->hash == hash && (*pp)->type == type && strcmp((*pp)->name, name) == 0)
			break;
	return pp;
}

static void
dnscache_remove(struct dnscache *c, struct dnscache_entry **pp)
{
	struct dnscache_entry *e = *pp;

	*pp = e->hnext;
	dnscache_lru_unlink(c, e);
	c->bytes -= e->bytes;
	dns_rrset_free(&e->set);
	free(e);
	c->count--;
}

const struct dns_rrset *
dnscache_get(struct dnscache *c, const char *name, enum dns_type type, uint64_t now_ms,
    uint32_t *ttl_left)
{
	struct dnscache_entry **pp = dnscache_slot(c, name, type, dns_key_hash(name, type));
	struct dnscache_entry *e = *pp;

	if (e == NULL)
		return NULL;
	if (now_ms >= e->expires_ms) {
		dnscache_remove(c, pp);
		return NULL;
	}
	dnscache_lru_unlink(c, e);
	dnscache_lru_push(c, e);
	*ttl_left = (uint32_t)((e->expires_ms - now_ms + 999) / 1000);
	return e->set;
}

void
dnscache_put(struct dnscache *c, const char *name, enum dns_type type,
    struct dns_rrset **setp, uint32_t ttl, uint64_t now_ms)
{
	uint32_t hash = dns_key_hash(name, type);
	struct dnscache_entry **pp, *e;
	size_t len = strlen(name), bytes = sizeof(*e) + len + 1 + (*setp)->size;

	pp = dnscache_slot(c, name, type, hash);
	if (*pp != NULL)
		dnscache_remove(c, pp);         /* the old answer goes either way */
	if (ttl == 0 || c->max == 0 || bytes > c->max_bytes / DNSCACHE_MAX_SHARE) {
		dns_rrset_free(setp);
		return;
	}
	while (c->tail != NULL && (c->count >= c->max || c->bytes + bytes > c->max_bytes)) {
		e = c->tail;
		dnscache_remove(c, dnscache_slot(c, e->name, e->type, e->hash));
	}
	if ((e = malloc(sizeof(*e) + len + 1)) == NULL) {
		/* A cache that cannot grow is still correct, only slower. */
		dns_rrset_free(setp);
		return;
	}
	memcpy(e->name, name, len + 1);
	e->type = type;
	e->hash = hash;
	e->set = *setp;
	*setp = NULL;
	e->bytes = bytes;
	e->expires_ms = now_ms + (uint64_t)ttl * 1000;
	pp = &c->buckets[hash & c->mask];
	e->hnext = *pp;
	*pp = e;
	dnscache_lru_push(c, e);
	c->count++;
	c->bytes += bytes;
}

size_t
dnscache_count(const struct dnscache *c)
{
	return c->count;
}

size_t
dnscache_bytes(const struct dnscache *c)
{
	return c->bytes;
}

void
dnscache_free(struct dnscache **cp)
{
	struct dnscache *c;
	struct dnscache_entry *e, *next;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		dns_rrset_free(&e->set);
		free(e);
	}
	free(c->buckets);
	free(c);
	*cp = NULL;
}
