/*
 * The DNS cache's byte bound (dnscache.h): senders choose the names we
 * look up, so big TXT answers for many names must never grow the cache
 * past its bytes, the least recently used answers go first, and an
 * answer over 1/DNSCACHE_MAX_SHARE of the bound is passed on, not kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnscache.h"
#include "dnswire.h"
#include "resolver.h"
#include "../tap.h"

/* A TXT answer of len bytes (one record). */
static struct dns_rrset *
txt(size_t len)
{
	struct dns_rr rr;
	struct dns_rrset *s;
	char *data = malloc(len + 1);

	memset(data, 'v', len);
	data[len] = '\0';
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.ttl = 300;
	rr.u.txt.data = data;
	rr.u.txt.len = len;
	s = dns_rrset_new(DNS_OK, NULL, 300, &rr, 1);
	free(data);
	return s;
}

static void
test_bytes(void)
{
	const size_t max = 1u << 20;    /* 1 MiB */
	struct dnscache *c = dnscache_new(10000, max);
	struct dns_rrset *s;
	uint32_t left;
	size_t i, peak = 0, before;
	char name[64];
	int over = 0;

	/* 1000 answers of 8 KiB: 8 MiB offered to a 1 MiB cache. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "k%zu._domainkey.example", i);
		s = txt(8192);
		dnscache_put(c, name, DNS_T_TXT, &s, 300, 1000);
		if (dnscache_bytes(c) > max)
			over++;
		if (dnscache_bytes(c) > peak)
			peak = dnscache_bytes(c);
	}
	is_int(over, 0, "bytes: never over the bound while 8 MiB of 8 KiB answers go in");
	ok(peak > max - 2 * 8192 - 512 && dnscache_count(c) >= 120 && dnscache_count(c) <= 127,
	    "bytes: the cache fills up to the bound (peak %zu of %zu, %zu entries)", peak, max,
	    dnscache_count(c));
	ok(dnscache_get(c, "k999._domainkey.example", DNS_T_TXT, 1000, &left) != NULL &&
	    dnscache_get(c, "k0._domainkey.example", DNS_T_TXT, 1000, &left) == NULL,
	    "bytes: the newest answers stay, the oldest went first");

	/* Used again, an old answer outlives newer unused ones. */
	snprintf(name, sizeof(name), "k%zu._domainkey.example", 1000 - dnscache_count(c));
	ok(dnscache_get(c, name, DNS_T_TXT, 1000, &left) != NULL, "bytes: %s is the oldest kept",
	    name);
	s = txt(8192);
	dnscache_put(c, "new1.example", DNS_T_TXT, &s, 300, 1000);
	ok(dnscache_get(c, name, DNS_T_TXT, 1000, &left) != NULL,
	    "bytes: the oldest, used again, survives the next eviction (LRU by bytes)");

	/* An answer over 1/64 of the bound (16 KiB here) is not kept, and evicts nothing. */
	before = dnscache_count(c);
	s = txt(max / DNSCACHE_MAX_SHARE);
	dnscache_put(c, "big.example", DNS_T_TXT, &s, 300, 1000);
	ok(s == NULL && dnscache_get(c, "big.example", DNS_T_TXT, 1000, &left) == NULL &&
	    dnscache_count(c) == before, "bytes: an answer over 1/64 of the bound is freed, not "
	    "kept, and evicts nothing (%zu entries)", dnscache_count(c));
	s = txt(max / DNSCACHE_MAX_SHARE - 1024);
	dnscache_put(c, "fits.example", DNS_T_TXT, &s, 300, 1000);
	ok(dnscache_get(c, "fits.example", DNS_T_TXT, 1000, &left) != NULL && dnscache_bytes(c) <= max,
	    "bytes: one just under 1/64 is kept, the bound still holds");

	/* Replacing an entry counts the new size, not both. */
	before = dnscache_bytes(c);
	s = txt(8192);
	dnscache_put(c, "new1.example", DNS_T_TXT, &s, 300, 1000);
	is_int(dnscache_bytes(c), before, "bytes: replacing an answer by one of its size changes nothing");
	s = txt(100);
	dnscache_put(c, "new1.example", DNS_T_TXT, &s, 0, 1000);
	ok(dnscache_get(c, "new1.example", DNS_T_TXT, 1000, &left) == NULL &&
	    dnscache_bytes(c) < before, "bytes: an uncacheable new answer drops the old one");

	/* Expiry gives the bytes back. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "k%zu._domainkey.example", i);
		(void)dnscache_get(c, name, DNS_T_TXT, 400000, &left);
	}
	(void)dnscache_get(c, "new1.example", DNS_T_TXT, 400000, &left);
	(void)dnscache_get(c, "fits.example", DNS_T_TXT, 400000, &left);
	ok(dnscache_count(c) == 0 && dnscache_bytes(c) == 0,
	    "bytes: every expired entry gave its bytes back (%zu entries, %zu bytes)",
	    dnscache_count(c), dnscache_bytes(c));
	dnscache_free(&c);
}

static void
test_entries_still(void)
{
	struct dnscache *c = dnscache_new(3, DNSCACHE_DEFAULT_BYTES);
	struct dns_rrset *s;
	char name[32];
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		s = txt(10);
		dnscache_put(c, name, DNS_T_TXT, &s, 300, 1000);
	}
	is_int(dnscache_count(c), 3, "entries: the entry bound still holds beside the byte bound");
	dnscache_free(&c);
}

int
main(void)
{
	test_bytes();
	test_entries_still();
	return tap_done();
}
