/*
 * libFuzzer target for config_parse: any bytes either parse or give a
 * "NAME:LINE: " error, and whatever parses dumps to text that parses back
 * to the same dump (so `compauthd -n` output is always a valid config).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
fuzz_dump(const struct config *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	config_dump(c, f);
	fclose(f);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c, *again;
	char err[512], err2[512];
	char *d1, *d2;
	size_t l1, l2;

	err[0] = '\0';
	c = config_parse("fuzz", (const char *)data, size, err, sizeof(err));
	if (c == NULL) {
		/* Every error says where. */
		if (strncmp(err, "fuzz:", 5) != 0 || err[5] < '1' || err[5] > '9')
			abort();
		return 0;
	}
	d1 = fuzz_dump(c, &l1);
	again = config_parse("dump", d1, l1, err2, sizeof(err2));
	if (again == NULL) {
		fprintf(stderr, "dump does not parse: %s\n%s", err2, d1);
		abort();
	}
	d2 = fuzz_dump(again, &l2);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0) {
		fprintf(stderr, "dump is not stable:\n%s---\n%s", d1, d2);
		abort();
	}
	free(d1);
	free(d2);
	config_free(&again);
	config_free(&c);
	return 0;
}
