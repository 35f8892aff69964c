/*
 * Prints the man page's settings list as config.c's table makes it, so
 * tests/man_sync.sh can prove man/compauthd.conf.5 says the same.
 * With -n FILE it prints what `compauthd -n` would (FILE "-" = defaults).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

int
main(int argc, char **argv)
{
	struct config *c;
	char err[512];

	if (argc == 1) {
		config_man(stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		if (strcmp(argv[2], "-") == 0)
			c = config_defaults();
		else if ((c = config_load(argv[2], err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		config_dump(c, stdout);
		config_free(&c);
		return 0;
	}
	fprintf(stderr, "usage: confman [-n FILE]\n");
	return 2;
}
