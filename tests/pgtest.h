/*
 * A private PostgreSQL server for a C test (tests/pgserver.py): started in
 * DIR/pg, its URI returned; stopped and DIR removed by pgtest_stop. Without
 * PostgreSQL the scenarios are skipped, with the reason, never passed.
 */
#ifndef COMPAUTHD_PGTEST_H
#define COMPAUTHD_PGTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const char *
pgtest_src(void)
{
	return getenv("top_srcdir") ? getenv("top_srcdir") : ".";
}

/* The server's URI in uri, 0; or -1 after a skip line saying why. */
static int
pgtest_start(const char *dir, char *uri, size_t urilen)
{
	char cmd[700], line[600] = "", why[700];
	FILE *f;
	int rc;

	snprintf(cmd, sizeof cmd, "python3 %s/tests/pgserver.py start %s/pg", pgtest_src(), dir);
	f = popen(cmd, "r");
	if (f && !fgets(line, sizeof line, f))
		line[0] = '\0';
	rc = f ? pclose(f) : -1;
	line[strcspn(line, "\n")] = '\0';
	if (rc == 0 && strncmp(line, "postgresql://", 13) == 0) {
		snprintf(uri, urilen, "%s", line);
		return 0;
	}
	snprintf(why, sizeof why, "PostgreSQL scenarios: %s", *line ? line : "pgserver.py failed");
	tap_skip(why);
	return -1;
}

static void
pgtest_stop(const char *dir)
{
	char cmd[900];

	snprintf(cmd, sizeof cmd, "python3 %s/tests/pgserver.py stop %s/pg >/dev/null; rm -rf %s",
	    pgtest_src(), dir, dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
}

#endif
