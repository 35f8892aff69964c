/*
 * For tests/authres_consumers.py, which asks the real parsers the same.
 *
 * arclaims ID: reads header values, one a line in hex (any byte may be in
 * a value), and prints 1 or 0 a line: whether authres_claims_id finds
 * that the value claims the authserv-id ID.
 *
 * arclaims --format ID: reads "COMMENT VALUE" lines (each in hex) and
 * prints, in hex, the value authres_format writes for
 * "dkim=fail (COMMENT) header.s=sel1 header.d=VALUE;
 *  spf=pass smtp.mailfrom=example.org".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "authres.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes n hex digits of s into a NUL-terminated string; NULL if bad. */
static char *
unhex(struct arena *a, const char *s, size_t n)
{
	char *v = arena_alloc(a, n / 2 + 1);
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		if (hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
			return NULL;
		v[i / 2] = (char)(hexval(s[i]) * 16 + hexval(s[i + 1]));
	}
	v[n / 2] = '\0';
	return v;
}

static void
format_one(struct arena *a, const char *id, const char *comment, const char *value)
{
	struct ar_prop dkim[] = {
		/* d= last: python3-authres 1.2.0 reads a quoted pvalue only
		 * at the end of its resinfo. */
		{ "header", "s", "sel1", NULL }, { "header", "d", value, NULL },
	};
	struct ar_prop spf[] = { { "smtp", "mailfrom", "example.org", NULL } };
	struct ar_result res[] = {
		{ "dkim", "fail", comment, NULL, 2, dkim },
		{ "spf", "pass", NULL, NULL, 1, spf },
	};
	const char *out = authres_format(a, id, res, 2);

	for (; *out != '\0'; out++)
		printf("%02x", (unsigned char)*out);
	printf("\n");
}

int
main(int argc, char **argv)
{
	struct arena *a = arena_new();
	char *line = NULL, *v, *sp, *c;
	size_t cap = 0, n;
	ssize_t got;
	int fmt = argc == 3 && strcmp(argv[1], "--format") == 0;

	if (argc != 2 && !fmt) {
		fprintf(stderr, "usage: arclaims [--format] authserv-id < hex lines\n");
		return 2;
	}
	while ((got = getline(&line, &cap, stdin)) >= 0) {
		n = (size_t)got;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (fmt) {
			sp = memchr(line, ' ', n);
			if (sp == NULL || (c = unhex(a, line, (size_t)(sp - line))) == NULL ||
			    (v = unhex(a, sp + 1, n - (size_t)(sp - line) - 1)) == NULL) {
				fprintf(stderr, "arclaims: bad line: %s\n", line);
				return 2;
			}
			format_one(a, argv[2], c, v);
		} else {
			if ((v = unhex(a, line, n)) == NULL) {
				fprintf(stderr, "arclaims: not hex: %s\n", line);
				return 2;
			}
			printf("%d\n", authres_claims_id(v, n / 2, argv[1]));
		}
		fflush(stdout);
	}
	free(line);
	arena_free(&a);
	return 0;
}
