/*
 * Private to the zone-file backend: the loaded records' layout, which the
 * parser (zone.c) fills in and the lookup side (zone_lookup.c) searches,
 * and the one call from the first to the second. Nothing else includes
 * this.
 */
#ifndef COMPAUTHD_ZONE_INT_H
#define COMPAUTHD_ZONE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "dnswire.h"

enum zone_kind {
	ZONE_RR = 0,
	ZONE_TIMEOUT,
	ZONE_SERVFAIL,
};

struct zone_rec {
	const char *owner;              /* canonical: lower case, no final dot */
	enum zone_kind kind;
	uint16_t type;                  /* markers: the type, or 0 for every type */
	uint32_t soa_min;               /* SOA MINIMUM */
	size_t seq;                     /* file order, keeps sorting stable */
	size_t line;
	struct dns_rr rr;               /* ZONE_RR; strings live in the arena */
};

struct zone {
	struct arena *a;
	struct zone_rec *recs;          /* sorted by owner, kind, type, seq */
	size_t nrecs;
	const char **names;             /* owners and their ancestors, sorted */
	size_t nnames;
};

/*
 * Once every line is read: puts the records in the order the lookups
 * search and indexes the names. false when the zone is not acceptable:
 * *owner names the owner with a CNAME beside other data and *line its
 * last record's line, or *owner is NULL when memory ran out.
 */
bool zone_index(struct zone *z, const char **owner, size_t *line);

#endif
