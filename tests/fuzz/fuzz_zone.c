/*
 * libFuzzer target for the zone-file parser and lookup: any text either
 * loads or is refused with a "file:line: message" error; a loaded zone
 * answers every lookup with a consistent classification.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_lookup(const struct zone *z, const char *name)
{
	static const enum dns_type types[] = {
		DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_PTR, DNS_T_TXT, DNS_T_CNAME,
	};
	char buf[2048];

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct dns_rrset *rs = zone_lookup(z, name, types[t]);

		if ((rs->status == DNS_OK) != (rs->n > 0))
			__builtin_trap();
		for (size_t i = 0; i < rs->n; i++) {
			if (rs->rr[i].type != types[t])
				__builtin_trap();
			dns_rr_format(&rs->rr[i], buf, sizeof(buf));
		}
		dns_rrset_free(&rs);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"example.com", "www.example.com", "a.example.com", "com", "x",
		"1.2.0.192.in-addr.arpa",
	};
	char err[512], name[DNS_NAME_BUFSZ + 1];
	struct zone *z;
	const char *p, *end = (const char *)data + size;
	unsigned lines = 0;

	z = zone_load_string((const char *)data, size, "fuzz.zone", err, sizeof(err));
	if (z == NULL) {
		if (strncmp(err, "fuzz.zone:", 10) != 0)
			__builtin_trap();
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fuzz_lookup(z, names[i]);
	/* The owners of the first lines, relative ones under example.com. */
	for (p = (const char *)data; p < end && lines < 8; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = 0;

		while (p + n < end && n < DNS_NAME_BUFSZ - 13 && p[n] != ' ' && p[n] != '\t' &&
		    p[n] != '\n' && p[n] != '\0')
			n++;
		if (n > 0) {
			memcpy(name, p, n);
			name[n] = '\0';
			fuzz_lookup(z, name);
			if (name[n - 1] != '.') {
				memcpy(name + n, ".example.com", 13);
				fuzz_lookup(z, name);
			}
		}
		p = nl ? nl + 1 : end;
	}
	zone_free(&z);
	return 0;
}
