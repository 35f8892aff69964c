/*
 * libFuzzer target for compauthd --import (src/import*.c): the input is
 * split at form feeds into up to three files, named so that the first is
 * opendkim.conf, the second opendmarc.conf, the third has a name that
 * tells nothing (detection by its settings). Whatever the bytes, the
 * import finishes, writes a configuration our own parser accepts (import
 * checks that itself and returns EX_SOFTWARE otherwise) and opens no file
 * the input names (read_datasets off).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "opendkim.conf", "opendmarc.conf", "filter.conf" };
	struct import_opts o = { .read_datasets = false };
	struct import_file files[3];
	const char *p = (const char *)data, *end = p + size, *ff;
	FILE *out = fopen("/dev/null", "w"), *err = fopen("/dev/null", "w");
	size_t n = 0;
	int rc;

	if (out == NULL || err == NULL)
		abort();
	while (n < 3) {
		ff = n < 2 ? memchr(p, '\f', (size_t)(end - p)) : NULL;
		files[n].name = names[n];
		files[n].text = p;
		files[n].len = ff != NULL ? (size_t)(ff - p) : (size_t)(end - p);
		n++;
		if (ff == NULL)
			break;
		p = ff + 1;
	}
	rc = import_text(files, n, &o, out, err);
	if (rc != 0) {
		fprintf(stderr, "import_text returned %d\n", rc);
		abort();
	}
	fclose(out);
	fclose(err);
	return 0;
}
