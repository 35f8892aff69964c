/*
 * What the C tests of DNS users share: records as one comparable line,
 * and a resolver answering from a zone text written to a temporary file
 * (the zone backend, compauthd-zone(5)).
 */
#ifndef COMPAUTHD_TESTS_DNSTEST_H
#define COMPAUTHD_TESTS_DNSTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnswire.h"
#include "resolver.h"

/* rr[0..n) as "A 192.0.2.1; MX 10 mx.example" in the order given. */
static __attribute__((unused)) void
dnstest_format(const struct dns_rr *rr, size_t n, char *buf, size_t len)
{
	char one[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "; " : "",
		    dns_rr_format(&rr[i], one, sizeof(one)));
}

/* text into a new file $TMPDIR/TAG.XXXXXX, its name in path; 0 or -1. */
static __attribute__((unused)) int
dnstest_zone_write(char *path, size_t len, const char *tag, const char *text)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, len, "%s/%s.XXXXXX", tmp ? tmp : "/tmp", tag);
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		perror("zone");
		return -1;
	}
	fputs(text, f);
	fclose(f);
	return 0;
}

/* A resolver on the zone file path, each answer after delay_ms; NULL said why. */
static __attribute__((unused)) struct resolver *
dnstest_resolver(const char *path, unsigned delay_ms)
{
	struct resolver_opts o;
	char err[256];
	struct resolver *r;

	memset(&o, 0, sizeof(o));
	o.zone_file = path;
	o.zone_delay_ms = delay_ms;
	o.timeout_ms = 2000;
	r = resolver_new(&o, err, sizeof(err));
	if (r == NULL)
		printf("# resolver_new: %s\n", err);
	return r;
}

#endif
