/*
 * libFuzzer target for the DNS response parser: any bytes, asked as each
 * query type, must be classified without reading out of bounds, and an
 * answer with records must hold only records of the asked type.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dns_type types[] = {
		DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_PTR, DNS_T_TXT, DNS_T_CNAME,
	};
	static const char *const names[] = { "example.com", "www.example.com" };
	char buf[2048];

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			struct dns_rrset *rs = dnswire_parse(data, size, names[k], types[t]);

			if ((rs->status == DNS_OK) != (rs->n > 0))
				__builtin_trap();
			if ((rs->status == DNS_TEMPFAIL || rs->status == DNS_PERMFAIL) && rs->why == NULL)
				__builtin_trap();
			for (size_t i = 0; i < rs->n; i++) {
				if (rs->rr[i].type != types[t])
					__builtin_trap();
				if (types[t] == DNS_T_TXT && rs->rr[i].u.txt.data[rs->rr[i].u.txt.len] != '\0')
					__builtin_trap();
				dns_rr_format(&rs->rr[i], buf, sizeof(buf));
			}
			dns_rrset_free(&rs);
		}
	}
	return 0;
}
