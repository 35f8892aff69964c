/*
 * Zone-file backend: a text file in a subset of the RFC 1035 master-file
 * format (see compauthd-zone(5)) answers queries instead of DNS servers,
 * for tests and offline use. Loaded once and immutable afterwards, so
 * lookups need no lock and no thread.
 */
#ifndef COMPAUTHD_ZONE_H
#define COMPAUTHD_ZONE_H

#include <stddef.h>

#include "dnswire.h"
#include "resolver.h"

#define ZONE_MAX_LINE 65536             /* bytes in one line */
#define ZONE_MAX_RECORDS 100000         /* records (and markers) in one file */
#define ZONE_MAX_FILE (64u << 20)       /* bytes in one file */
#define ZONE_DEFAULT_TTL 3600           /* when neither $TTL nor a TTL is given */

struct zone;

/* NULL with "file:line: message" in err when the file is not acceptable. */
struct zone *zone_load(const char *path, char *err, size_t errlen);
/* Same from memory; fname names the text in error messages. */
struct zone *zone_load_string(const char *text, size_t len, const char *fname,
    char *err, size_t errlen);
void zone_free(struct zone **zp);
/* Records and markers loaded. */
size_t zone_size(const struct zone *z);

/*
 * Answers (qname, qtype) as a recursive resolver in front of this data
 * would: records (CNAMEs followed), NXDOMAIN, NODATA, or a marker's
 * TEMPFAIL. Never NULL; free with dns_rrset_free().
 */
struct dns_rrset *zone_lookup(const struct zone *z, const char *qname, enum dns_type qtype);

#endif
