/*
 * libFuzzer target for the rua= URI list parser (src/report/rua.c), the
 * report authorization record check and the bounce (DSN) reader
 * (src/report/deliver_dsn.c), all on each input: no crash, no read beyond the
 * input, and every URI said ok is an address safe in a header (no
 * control, blank, quote or angle bracket) with its domain inside addr.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "rua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rua_uri u[RUA_MAX];
	const char *rua;
	size_t rualen, n = rua_parse((const char *)data, size, u, RUA_MAX);

	for (size_t i = 0; i < n; i++) {
		if (!u[i].ok)
			continue;
		for (const char *p = u[i].addr; *p; p++)
			if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
			    strchr("\"<>(),;:\\[]", *p))
				abort();
		if (u[i].domain <= u[i].addr || u[i].domain[-1] != '@' || !*u[i].domain)
			abort();
	}
	if (rua_auth_record((const char *)data, size, &rua, &rualen) && rua &&
	    (rua < (const char *)data || rua + rualen > (const char *)data + size))
		abort();
	char addrs[4][RUA_ADDR_MAX + 1];
	size_t nf = deliver_dsn_failed((const char *)data, size, addrs, 4);
	if (nf > 4)
		abort();
	for (size_t i = 0; i < nf; i++)
		if (!strchr(addrs[i], '@') || strlen(addrs[i]) > RUA_ADDR_MAX)
			abort();
	return 0;
}
