/*
 * Conformance driver: runs SPF checks through the real evaluator and the
 * resolver's zone backend, for tests/spf/spf_suite.py, which turns the
 * openspf YAML suites into a zone file and a case file per scenario and
 * compares the results. Each case runs twice, with prefetching and
 * without, so the suite also proves that prefetched answers change
 * neither the result nor the counted limits.
 *
 * usage: spf_suite ZONEFILE CASEFILE
 * case line:   name TAB helo TAB client-ip TAB mailfrom   (\\ \t \n \xHH escapes)
 * output line: name TAB result TAB explanation TAB problem TAB terms/voids
 *              TAB no-prefetch result TAB explanation TAB terms/voids
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "netaddr.h"
#include "resolver.h"
#include "spf.h"

#define LINE_MAX_LEN 8192
#define CASE_BUDGET 1000
#define CASE_DEADLINE_MS 10000

static char *
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case 't': *w++ = '\t'; r++; break;
		case 'n': *w++ = '\n'; r++; break;
		case 'x':
			if (r[1] && r[2]) {
				char hex[3] = { r[1], r[2], 0 };

				*w++ = (char)strtoul(hex, NULL, 16);
				r += 3;
				break;
			}
			/* FALLTHROUGH */
		default: *w++ = *r++; break;
		}
	}
	*w = '\0';
	return s;
}

static void
put_escaped(const char *s)
{
	if (s == NULL)
		s = "";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c > 0x7e)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void
run_case(struct resolver *res, struct arena *a, const char *name, const char *helo,
    const struct netaddr *ip, const char *mailfrom, bool no_prefetch, struct spf_result *out)
{
	struct dns_set *set = dns_set_new(res, CASE_BUDGET, name);
	struct spf_opts o = { .receiver = "unknown", .default_exp = "DEFAULT",
	    .no_prefetch = no_prefetch };
	struct spf_check *chk;

	dns_set_lock(set);
	chk = spf_start_mailfrom(a, set, ip, helo, mailfrom, &o, name);
	dns_set_unlock(set);
	dns_set_wait(set, dns_now_ms() + CASE_DEADLINE_MS);
	dns_set_lock(set);
	spf_finish(chk, out);
	dns_set_unlock(set);
	dns_set_free(&set);
}

int
main(int argc, char **argv)
{
	struct resolver_opts ro;
	struct resolver *res;
	char err[256], line[LINE_MAX_LEN];
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: spf_suite ZONEFILE CASEFILE\n");
		return 2;
	}
	memset(&ro, 0, sizeof(ro));
	ro.zone_file = argv[1];
	ro.timeout_ms = 1000;
	res = resolver_new(&ro, err, sizeof(err));
	if (res == NULL) {
		fprintf(stderr, "spf_suite: resolver: %s\n", err);
		return 2;
	}
	if ((f = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *field[4], *p = line;
		struct spf_result r1, r2;
		struct netaddr ip;
		struct arena *a;
		int i;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 4; i++) {
			field[i] = p;
			p = strchr(p, '\t');
			if (p == NULL && i < 3)
				break;
			if (p != NULL)
				*p++ = '\0';
		}
		if (i < 4) {
			fprintf(stderr, "spf_suite: bad case line\n");
			return 2;
		}
		for (i = 0; i < 4; i++)
			unescape(field[i]);
		if (!netaddr_parse(field[2], &ip)) {
			fprintf(stderr, "spf_suite: %s: bad address %s\n", field[0], field[2]);
			return 2;
		}
		a = arena_new();
		run_case(res, a, field[0], field[1], &ip, field[3], false, &r1);
		run_case(res, a, field[0], field[1], &ip, field[3], true, &r2);
		put_escaped(field[0]);
		printf("\t%s\t", spf_result_name(r1.result));
		put_escaped(r1.explanation);
		putchar('\t');
		put_escaped(r1.problem);
		printf("\t%u/%u\t%s\t", r1.dns_terms, r1.void_lookups, spf_result_name(r2.result));
		put_escaped(r2.explanation);
		printf("\t%u/%u\n", r2.dns_terms, r2.void_lookups);
		fflush(stdout);
		arena_free(&a);
	}
	fclose(f);
	resolver_free(&res);
	return 0;
}
