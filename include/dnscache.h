/*
 * The resolver's answer cache: (name, type) → record set with an expiry,
 * bounded in entries with least-recently-used eviction. Owned by the
 * resolver thread alone, so it has no lock.
 */
#ifndef COMPAUTHD_DNSCACHE_H
#define COMPAUTHD_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "resolver.h"

struct dnscache;

/* max_entries > 0. */
struct dnscache *dnscache_new(unsigned max_entries);
void dnscache_free(struct dnscache **cp);
/*
 * The live entry for (name, type), marked most recently used, with its
 * remaining lifetime in whole seconds (rounded up) in *ttl_left; NULL when
 * absent or expired. Valid until the next dnscache_put().
 */
const struct dns_rrset *dnscache_get(struct dnscache *c, const char *name,
    enum dns_type type, uint64_t now_ms, uint32_t *ttl_left);
/*
 * Stores *setp for ttl seconds, replacing an entry with the same key and
 * evicting the least recently used one when full. Always takes the set:
 * *setp is cleared (a ttl of 0 frees it at once).
 */
void dnscache_put(struct dnscache *c, const char *name, enum dns_type type,
    struct dns_rrset **setp, uint32_t ttl, uint64_t now_ms);
size_t dnscache_count(const struct dnscache *c);
/* Hash of a (name, type) key, shared with the resolver's in-flight table. */
uint32_t dns_key_hash(const char *name, enum dns_type type);

#endif
