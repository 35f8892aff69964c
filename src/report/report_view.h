/*
 * What compauthd-report shows the postmaster about the report store: a
 * plain-text summary per author domain (--summary) and one self-contained
 * HTML page with inline SVG charts (--html DIR). Both read the store only
 * through store_query() and so work on every backend.
 *
 * begin and end are Unix seconds UTC, messages received in [begin, end);
 * domain NULL means every author domain (header From), else only that one.
 * Both return 0, or -1 with err set (and, for report_html, no page left
 * half-written under DIR/index.html).
 */
#ifndef COMPAUTHD_REPORT_VIEW_H
#define COMPAUTHD_REPORT_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

int report_summary(struct store *s, int64_t begin, int64_t end, const char *domain,
    FILE *out, char *err, size_t errlen);
int report_html(struct store *s, int64_t begin, int64_t end, const char *domain,
    const char *dir, char *err, size_t errlen);

#endif
