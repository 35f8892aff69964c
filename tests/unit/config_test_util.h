/*
 * config_test_util.h: what the test_config* programs share: a parse of a
 * string as "t.conf" and what config_dump writes, whole or for one setting.
 */
#ifndef COMPAUTHD_CONFIG_TEST_UTIL_H
#define COMPAUTHD_CONFIG_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* What config_dump says about one setting (value as dumped), or NULL. */
static __attribute__((unused)) char *
dump_value(const struct config *c, const char *name)
{
	static char val[8192];
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, nlen = strlen(name);
	FILE *f = open_memstream(&buf, &len);

	config_dump(c, f);
	fclose(f);
	val[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, name, nlen) == 0 && strncmp(line + nlen, " = ", 3) == 0) {
			snprintf(val, sizeof(val), "%s", line + nlen + 3);
			free(buf);
			return val;
		}
	free(buf);
	return NULL;
}

static __attribute__((unused)) char *
dump_all(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_dump(c, f);
	fclose(f);
	return buf;
}

static __attribute__((unused)) struct config *
parse_str(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return config_parse("t.conf", text, strlen(text), err, errlen);
}

#endif
