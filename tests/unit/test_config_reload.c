/*
 * What a load reads besides the config text, what -n checks on the host,
 * and how a reload is swapped in: list files (file:/path as a list item)
 * read again at every load, the accounts and authserv_id that
 * `compauthd -n` checks, and the refcounted snapshot that SIGHUP swaps.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_test_util.h"
#include "tap.h"

/* ---- list files (file:/path as a list item) ---- */

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

/* Parses the config text fmt makes. */
static struct config * __attribute__((format(printf, 3, 4)))
parse_fmt(char *err, size_t errlen, const char *fmt, ...)
{
	char text[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return parse_str(text, err, errlen);
}

static void
test_list_files(void)
{
	char dir[] = "/tmp/test_config_lists.XXXXXX", path[512], path2[512], want[2048];
	char err[2048], *big, *d;
	struct config *c, *again;
	struct netaddr ip;
	size_t i, n;

	ok(mkdtemp(dir) != NULL, "list files: temporary directory");
	snprintf(path, sizeof(path), "%s/trusted", dir);
	/* Comments, blank lines, CRLF, commas and blanks all separate. */
	snprintf(want, sizeof(want), "# trusted networks\n192.0.2.0/24\r\n\n  198.51.100.7, "
	    "203.0.113.0/28 # two on a line\n\t2001:db8::/32\n#10.0.0.0/8\n");
	write_file(path, want, strlen(want));
	c = parse_fmt(err, sizeof(err), "trusted_clients = 127.0.0.0/8, file:%s/trusted, ::1\n", dir);
	ok(c != NULL, "list files: a file of networks among inline ones (%s)", c ? "ok" : err);
	if (c != NULL) {
		is_int(c->trusted_clients.n, 6, "list files: 2 inline + 4 from the file");
		netaddr_parse("203.0.113.9", &ip);
		ok(cidr_match(&c->trusted_clients.v[3], &ip), "list files: in order, "
		    "the file's entries where it is named");
		netaddr_parse("10.1.2.3", &ip);
		for (i = 0, n = 0; i < c->trusted_clients.n; i++)
			n += cidr_match(&c->trusted_clients.v[i], &ip);
		is_int(n, 0, "list files: a commented-out entry is not read");
		snprintf(want, sizeof(want), "\"127.0.0.0/8, file:%s/trusted, ::1/128\"", dir);
		is_str(dump_value(c, "trusted_clients"), want,
		    "list files: -n writes file:PATH, not the file's contents");
		d = dump_all(c);
		again = config_parse("dump", d, strlen(d), err, sizeof(err));
		ok(again != NULL && again->trusted_clients.n == 6,
		    "list files: the dump parses back, reading the file again");
		if (again != NULL) {
			char *d2 = dump_all(again);

			is_str(d2, d, "list files: dump, parse, dump is stable");
			free(d2);
		}
		config_free(&again);
		free(d);
	}
	config_free(&c);

	/* Every list setting takes files: strings checked like inline ones. */
	snprintf(path, sizeof(path), "%s/domains", dir);
	write_file(path, "example.org\nexample.net\n", 24);
	snprintf(path2, sizeof(path2), "%s/overrides", dir);
	write_file(path2, "partner.example=none\n", 21);
	c = parse_fmt(err, sizeof(err), "local_domains = file:%s/domains\n"
	    "dmarc_override = file:%s/overrides\narc_trusted_sealers = file:%s/domains\n", dir, dir, dir);
	ok(c != NULL && c->local_domains.n == 2 && c->dmarc_override.n == 1 &&
	    c->arc_trusted_sealers.n == 2 && strcmp(c->local_domains.v[1], "example.net") == 0,
	    "list files: local_domains, dmarc_override, arc_trusted_sealers (%s)", c ? "ok" : err);
	config_free(&c);
	c = parse_fmt(err, sizeof(err), "dns_servers = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: dns_servers: %s:1: expected IP, IP:port or "
	    "[IPv6]:port, got 'example.org'", path);
	ok(c == NULL, "list files: each entry checked like an inline one");
	is_str(err, want, "list files: the error names the setting, the file and its line");

	/* A bad entry on line 3 of a file named on line 2 of the config. */
	write_file(path, "example.org\n\nexample.net bad!domain\n", 35);
	c = parse_fmt(err, sizeof(err), "\nallow_from = example.com file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:2: allow_from: %s:3: expected a domain name, "
	    "got 'bad!domain'", path);
	ok(c == NULL, "list files: a bad domain refused");
	is_str(err, want, "list files: bad domain: config line, file and file line");
	write_file(path, "192.0.2.1/24\n", 13);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s:1: '192.0.2.1/24' has bits "
	    "set after the prefix length; write the network address", path);
	is_str(err, want, "list files: a host with a prefix length: named with file and line");

	/* Files that cannot be read. */
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/missing\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: cannot open %s/missing: "
	    "No such file or directory", dir);
	ok(c == NULL, "list files: a missing file is an error");
	is_str(err, want, "list files: missing: path and errno text");
	if (geteuid() != 0) {
		chmod(path, 0);
		c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
		snprintf(want, sizeof(want), "t.conf:1: trusted_clients: cannot open %s: "
		    "Permission denied", path);
		is_str(err, want, "list files: unreadable: path and errno text");
		chmod(path, 0644);
	} else
		tap_skip("list files: unreadable file (root reads everything)");
	c = parse_str("trusted_clients = file:trusted\n", err, sizeof(err));
	ok(c == NULL, "list files: a relative path is refused");
	is_str(err, "t.conf:1: trusted_clients: expected an absolute path after file:, "
	    "got 'file:trusted'", "list files: relative path error");
	c = parse_str("trusted_clients = file:\n", err, sizeof(err));
	ok(c == NULL, "list files: file: without a path is refused");
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s is not a regular file", dir);
	is_str(err, want, "list files: a directory is refused");
	snprintf(path2, sizeof(path2), "%s/fifo", dir);
	if (mkfifo(path2, 0600) == 0) {
		c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/fifo\n", dir);
		snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s is not a regular "
		    "file", path2);
		is_str(err, want, "list files: a FIFO is refused without hanging");
	}

	/* Bytes a list file may not hold. */
	write_file(path, "192.0.2.1\n10.0.0.0/8\0\n", 23);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s:2: NUL byte in line", path);
	ok(c == NULL, "list files: a NUL byte is refused");
	is_str(err, want, "list files: NUL byte: file and line");
	write_file(path, "192.0.2.1\x1b\n", 11);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s:1: control character "
	    "(0x1b) in line", path);
	is_str(err, want, "list files: a control character is refused");
	write_file(path, "# nested\nfile:/etc/hosts\n", 25);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s:2: a list file cannot "
	    "name another (file:)", path);
	is_str(err, want, "list files: no nesting");

	/* 4096 bytes of line (CR not counted) are allowed, 4097 are not. */
	big = malloc(2 * 1024 * 1024);
	memset(big, ' ', 4096);
	memcpy(big, "# ", 2);
	memcpy(big + 4096, "\r\n10.0.0.0/8\n", 13);
	write_file(path, big, 4109);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	ok(c != NULL && c->trusted_clients.n == 1, "list files: a 4096-byte line is allowed (%s)",
	    c ? "ok" : err);
	config_free(&c);
	memset(big, ' ', 4098);
	memcpy(big, "\n# ", 3);
	write_file(path, big, 4098);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s:2: line longer than "
	    "4096 bytes", path);
	ok(c == NULL, "list files: a 4097-byte line is refused");
	is_str(err, want, "list files: long line: file and line");

	/* 1 MiB of file is allowed (comments count), one byte more is not. */
	for (i = 0; i < 1024 * 1024; i += 64) {
		memset(big + i, ' ', 63);
		big[i] = '#';
		big[i + 63] = '\n';
	}
	memcpy(big, "10.0.0.0/8\n", 11);
	write_file(path, big, 1024 * 1024);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	ok(c != NULL && c->trusted_clients.n == 1, "list files: a 1048576-byte file is read (%s)",
	    c ? "ok" : err);
	config_free(&c);
	big[1024 * 1024] = '\n';
	write_file(path, big, 1024 * 1024 + 1);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: %s is larger than 1048576 "
	    "bytes", path);
	ok(c == NULL, "list files: a 1048577-byte file is refused");
	is_str(err, want, "list files: too big: the limit named");

	/* The setting's item limit counts inline items and the file's. */
	for (i = 0, n = 0; i < 1023; i++)
		n += (size_t)sprintf(big + n, "10.%zu.%zu.0/24\n", i / 256, i % 256);
	write_file(path, big, n);
	c = parse_fmt(err, sizeof(err), "trusted_clients = 127.0.0.1 file:%s/domains\n", dir);
	ok(c != NULL && c->trusted_clients.n == 1024, "list files: 1 inline + 1023 from the "
	    "file = 1024 items (%s)", c ? "ok" : err);
	config_free(&c);
	c = parse_fmt(err, sizeof(err), "trusted_clients = 127.0.0.1, ::1 file:%s/domains\n", dir);
	snprintf(want, sizeof(want), "t.conf:1: trusted_clients: more than 1024 items "
	    "(counting those of %s)", path);
	ok(c == NULL, "list files: 1025 items refused");
	is_str(err, want, "list files: item limit error names the file");
	free(big);

	/* An empty file is an empty list, still written as the file. */
	write_file(path, "# nobody yet\n\n", 14);
	c = parse_fmt(err, sizeof(err), "trusted_clients = file:%s/domains\n", dir);
	ok(c != NULL && c->trusted_clients.n == 0, "list files: a file of comments is an empty list");
	snprintf(want, sizeof(want), "file:%s", path);
	is_str(c ? dump_value(c, "trusted_clients") : NULL, want, "list files: -n still names it");
	config_free(&c);

	/* Read at every load: what a reload sees is the file as it is now. */
	snprintf(path2, sizeof(path2), "%s/c.conf", dir);
	snprintf(want, sizeof(want), "trusted_clients = file:%s\n", path);
	write_file(path2, want, strlen(want));
	write_file(path, "192.0.2.0/24\n", 13);
	c = config_load(path2, err, sizeof(err));
	netaddr_parse("198.51.100.1", &ip);
	ok(c != NULL && c->trusted_clients.n == 1 && !cidr_match(&c->trusted_clients.v[0], &ip),
	    "list files: first load: 192.0.2.0/24 only");
	write_file(path, "192.0.2.0/24\n198.51.100.0/24\n", 29);
	again = config_load(path2, err, sizeof(err));
	ok(again != NULL && again->trusted_clients.n == 2 &&
	    cidr_match(&again->trusted_clients.v[1], &ip),
	    "list files: loading again reads the edited file");
	ok(c != NULL && c->trusted_clients.n == 1, "list files: the earlier snapshot is unchanged");
	config_free(&again);
	config_free(&c);
	unlink(path);
	c = config_load(path2, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:1: trusted_clients: cannot open %s: No such file or "
	    "directory", path2, path);
	ok(c == NULL, "list files: a file removed since is an error at the next load");
	is_str(err, want, "list files: the error starts with the config file and line");

	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	ok(system(want) == 0, "list files: cleaned up");
}

/* `compauthd -n`: accounts that must exist, authserv_id that should be a FQDN. */
static void
test_host_checks(void)
{
	char err[1024];
	struct config *c;

	c = parse_str("user = root\ngroup = root\nsocket_owner = root\nsocket_group = root\n",
	    err, sizeof(err));
	ok(c != NULL && config_check_accounts(c, err, sizeof(err)),
	    "accounts: root and group root exist");
	config_free(&c);
	c = parse_str("user = 4242\ngroup = 4343\nsocket_owner = 4444\nsocket_group = 4545\n",
	    err, sizeof(err));
	ok(c != NULL && config_check_accounts(c, err, sizeof(err)),
	    "accounts: numeric ids are taken as they are");
	config_free(&c);
	c = parse_str("user = \"\"\n", err, sizeof(err));
	ok(c != NULL && config_check_accounts(c, err, sizeof(err)), "accounts: empty user: none to check");
	config_free(&c);
	c = parse_str("user = no-such-user-compauthd\n", err, sizeof(err));
	ok(c != NULL && !config_check_accounts(c, err, sizeof(err)), "accounts: a missing user fails");
	is_str(err, "user no-such-user-compauthd: no such user",
	    "accounts: in the daemon's own words");
	config_free(&c);
	c = parse_str("user = root\ngroup = no-such-group-compauthd\n", err, sizeof(err));
	ok(c != NULL && !config_check_accounts(c, err, sizeof(err)), "accounts: a missing group fails");
	is_str(err, "group no-such-group-compauthd: no such group", "accounts: group named");
	config_free(&c);
	c = parse_str("user = root\nsocket_owner = no-such-owner\n", err, sizeof(err));
	ok(c != NULL && !config_check_accounts(c, err, sizeof(err)) &&
	    strcmp(err, "socket_owner no-such-owner: no such user") == 0,
	    "accounts: socket_owner checked (%s)", err);
	config_free(&c);
	c = parse_str("user = root\nsocket_group = no-such-sgroup\n", err, sizeof(err));
	ok(c != NULL && !config_check_accounts(c, err, sizeof(err)) &&
	    strcmp(err, "socket_group no-such-sgroup: no such group") == 0,
	    "accounts: socket_group checked (%s)", err);
	config_free(&c);

	c = parse_str("authserv_id = mx\n", err, sizeof(err));
	ok(c != NULL && config_authserv_id_warning(c, err, sizeof(err)),
	    "authserv_id: a name without a dot is warned about");
	ok(strstr(err, "authserv_id mx is not fully qualified") != NULL &&
	    strstr(err, "RFC 8601") != NULL && strstr(err, "forged") != NULL,
	    "authserv_id: the warning says why (%s)", err);
	config_free(&c);
	c = parse_str("authserv_id = mx.example.net\n", err, sizeof(err));
	err[0] = '\0';
	ok(c != NULL && !config_authserv_id_warning(c, err, sizeof(err)) && err[0] == '\0',
	    "authserv_id: a fully qualified name: no warning");
	config_free(&c);
}

/* ---- the current snapshot ---- */

/* Frees and reallocates what a freed snapshot would have used. */
static void
scribble(void)
{
	void *p[256];
	size_t i;

	for (i = 0; i < 256; i++) {
		size_t n = (size_t)16 << (i % 10);

		p[i] = malloc(n);
		memset(p[i], 0xa5, n);
	}
	for (i = 0; i < 256; i++)
		free(p[i]);
}

static struct config *
snapshot(unsigned k)
{
	char text[256], err[256];

	snprintf(text, sizeof(text), "dns_query_budget = %u\nmax_headers = %u\n"
	    "authserv_id = gen%u.example\n", k, k, k);
	return config_parse("snap", text, strlen(text), err, sizeof(err));
}

static atomic_int stop_readers;
static atomic_uint newest_seen;         /* highest generation a reader got */

struct reader_stats {
	unsigned long reads, bad;
};

/*
 * Holds each snapshot until it has the next one, so old snapshots are
 * often freed here, by the last reader, rather than by config_install.
 */
static void *
reader(void *arg)
{
	struct reader_stats *st = arg;
	struct config *c, *prev = NULL;
	char want[64];
	unsigned seen;

	while (!atomic_load(&stop_readers)) {
		c = config_acquire();
		if (c == NULL)
			continue;
		st->reads++;
		snprintf(want, sizeof(want), "gen%u.example", c->dns_query_budget);
		if (c->max_headers != c->dns_query_budget || strcmp(c->authserv_id, want) != 0)
			st->bad++;
		seen = atomic_load(&newest_seen);
		while (c->dns_query_budget > seen &&
		    !atomic_compare_exchange_weak(&newest_seen, &seen, c->dns_query_budget))
			;
		config_release(&prev);
		prev = c;
	}
	config_release(&prev);
	return NULL;
}

static void
test_snapshot(void)
{
	struct config *a, *b, *held, *held2, *cur;
	struct reader_stats st[4] = { { 0, 0 } };
	unsigned long reads = 0, bad = 0;
	pthread_t t[4];
	unsigned k;
	int i;

	ok(config_acquire() == NULL, "snapshot: nothing installed, acquire gives NULL");
	a = snapshot(1);
	config_install(a);
	held = config_acquire();
	ok(held == a, "snapshot: acquire gives the installed config");
	held2 = config_acquire();
	ok(held2 == a, "snapshot: a second reader gets the same");
	b = snapshot(2);
	config_install(b);
	scribble();
	is_str(held->authserv_id, "gen1.example", "snapshot: a held config survives an install");
	is_int(held->max_headers, 1, "snapshot: its numbers too");
	cur = config_acquire();
	ok(cur == b, "snapshot: new readers get the new config");
	config_release(&cur);
	ok(cur == NULL, "snapshot: release clears the pointer");
	config_release(&held);
	scribble();
	is_str(held2->authserv_id, "gen1.example", "snapshot: one release leaves the other reader's");
	config_release(&held2);
	config_release(&held2);
	ok(held2 == NULL, "snapshot: releasing NULL is harmless");

	/* Four reader threads while the main thread installs 1000 times,
	 * each time waiting until a reader has taken the new snapshot. */
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, &st[i]);
	for (k = 3; k < 1003; k++) {
		config_install(snapshot(k));
		while (atomic_load(&newest_seen) < k)
			sched_yield();
	}
	atomic_store(&stop_readers, 1);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		reads += st[i].reads;
		bad += st[i].bad;
	}
	ok(reads >= 1000, "snapshot: readers took %lu snapshots", reads);
	is_int(bad, 0, "snapshot: readers never saw a torn or freed config");
	cur = config_acquire();
	is_int(cur->dns_query_budget, 1002, "snapshot: the last install is current");
	config_release(&cur);
	config_install(NULL);
	ok(config_acquire() == NULL, "snapshot: install(NULL) drops the current config");
}

int
main(void)
{
	test_list_files();
	test_host_checks();
	test_snapshot();
	return tap_done();
}
