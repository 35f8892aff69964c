/*
 * The resolver's answer cache: (name, type) → record set with an expiry,
 * bounded in entries and in bytes (records, names and bookkeeping) with
 * least-recently-used eviction. Owned by the resolver thread alone, so it
 * has no lock.
 */
#ifndef COMPAUTHD_DNSCACHE_H
#define COMPAUTHD_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "resolver.h"

#define DNSCACHE_DEFAULT_BYTES (16u << 20)
/*
 * An answer bigger than this share of the byte bound is passed on but not
 * kept: no single answer (TXT answers reach ~64 KiB) can flush much of
 * the cache, and the bound always holds at least this many of them.
 */
#define DNSCACHE_MAX_SHARE 64

struct dnscache;

/* max_entries > 0; max_bytes > 0 (the whole cache, entries included). */
struct dnscache *dnscache_new(unsigned max_entries, size_t max_bytes);
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
 * evicting the least recently used ones until both bounds hold. Always
 * takes the set: *setp is cleared (a ttl of 0, or an answer over
 * max_bytes / DNSCACHE_MAX_SHARE, frees it at once).
 */
void dnscache_put(struct dnscache *c, const char *name, enum dns_type type,
    struct dns_rrset **setp, uint32_t ttl, uint64_t now_ms);
size_t dnscache_count(const struct dnscache *c);
/* Bytes held now, as counted against max_bytes; never above it. */
size_t dnscache_bytes(const struct dnscache *c);
/* Hash of a (name, type) key, shared with the resolver's in-flight table. */
uint32_t dns_key_hash(const char *name, enum dns_type type);

#endif
