/*
 * orgdomain.c: the public suffix list is loaded again on reload
 * (dmarc_psl_reload(), which SIGHUP calls), and lookups running on other
 * threads meanwhile always see a whole list, the old or the new one, never
 * a freed one (run it under ThreadSanitizer: make check-tsan).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "dmarc.h"
#include "tap.h"

static void
write_list(const char *path, const char *text)
{
	char tmp[600];
	FILE *f;

	/* Replaced by rename(), as a package update replaces it. */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

static const char *
org(const char *domain)
{
	static char out[256];
	struct arena *a = arena_new();
	const char *r = dmarc_psl_orgdomain(a, domain);

	snprintf(out, sizeof(out), "%s", r ? r : "(null)");
	arena_free(&a);
	return out;
}

static atomic_int stop;

struct reader_stats {
	unsigned long reads, bad;
};

static void *
reader(void *arg)
{
	struct reader_stats *st = arg;
	struct arena *a = arena_new();
	const char *r;

	while (!atomic_load(&stop)) {
		r = dmarc_psl_orgdomain(a, "a.b.shop.test");
		if (r == NULL || (strcmp(r, "shop.test") != 0 && strcmp(r, "b.shop.test") != 0))
			st->bad++;
		if (++st->reads % 1000 == 0) {
			arena_free(&a);
			a = arena_new();
		}
	}
	arena_free(&a);
	return NULL;
}

int
main(void)
{
	char dir[] = "/tmp/test_psl_reload.XXXXXX", one[512], two[512], err[1024] = "", cmd[600];
	struct reader_stats st[4];
	unsigned long reads = 0, bad = 0;
	pthread_t t[4];
	int i;

	ok(mkdtemp(dir) != NULL, "temporary directory");
	snprintf(one, sizeof(one), "%s/list", dir);
	snprintf(two, sizeof(two), "%s/list2", dir);

	/* Before any reload: libpsl's own choice, Debian's list. */
	is_str(org("www.example.co.uk"), "example.co.uk", "first use: the system list (co.uk)");

	write_list(one, "// test list\ntest\n");
	ok(dmarc_psl_reload(one, err, sizeof(err)) == 0, "a list of our own loads (%s)", err);
	is_str(org("a.b.shop.test"), "shop.test", "under it, shop.test is the organizational domain");
	is_str(org("www.example.co.uk"), "co.uk", "and co.uk is no suffix any more");

	/* The file changes in place; nothing changes until the reload. */
	write_list(one, "// test list\ntest\nshop.test\n");
	is_str(org("a.b.shop.test"), "shop.test", "file edited, not reloaded: same answer");
	ok(dmarc_psl_reload(one, err, sizeof(err)) == 0, "reload of the edited file");
	is_str(org("a.b.shop.test"), "b.shop.test", "after the reload: shop.test is a suffix, "
	    "b.shop.test the organizational domain");

	/* A failed reload keeps the list in use and says why. */
	snprintf(cmd, sizeof(cmd), "%s/missing", dir);
	ok(dmarc_psl_reload(cmd, err, sizeof(err)) == -1, "reload of a missing file fails");
	snprintf(cmd, sizeof(cmd), "public suffix list %s/missing: No such file or directory", dir);
	is_str(err, cmd, "the error names the file and errno text");
	is_str(org("a.b.shop.test"), "b.shop.test", "and the list in use stays");

	/* Reloads while four threads look up: never a torn or freed list. */
	write_list(two, "test\n");
	memset(st, 0, sizeof(st));
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, &st[i]);
	for (i = 0; i < 200; i++) {
		if (dmarc_psl_reload(i % 2 ? one : two, err, sizeof(err)) != 0)
			break;
		usleep(200);
	}
	is_int(i, 200, "200 reloads alternating two lists while others look up");
	atomic_store(&stop, 1);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		reads += st[i].reads;
		bad += st[i].bad;
	}
	ok(reads > 0, "readers made %lu lookups meanwhile", reads);
	is_int(bad, 0, "every lookup answered from one whole list");

	/* Back to libpsl's choice: what the daemon's SIGHUP does. */
	ok(dmarc_psl_reload(NULL, err, sizeof(err)) == 0, "reload of the default list");
	is_str(org("www.example.co.uk"), "example.co.uk", "the system list again");
	is_str(org("a.b.shop.test"), "shop.test", "under it .test is a suffix by the implicit rule");

	unlink(one);
	unlink(two);
	ok(rmdir(dir) == 0, "cleaned up");
	return tap_done();
}
