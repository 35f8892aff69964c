/*
 * config.c: every type's good and bad values, the exact "FILE:LINE: "
 * errors, defaults, `compauthd -n` output, the sample files, and the
 * refcounted snapshot that SIGHUP swaps.
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

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "config.h"
#include "log.h"
#include "tap.h"

static const char *srcdir;

/* What config_dump says about one setting (value as dumped), or NULL. */
static char *
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

static char *
dump_all(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_dump(c, f);
	fclose(f);
	return buf;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static struct config *
parse_str(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return config_parse("t.conf", text, strlen(text), err, errlen);
}

/* ---- defaults ---- */

static void
test_defaults(void)
{
	struct config *c = config_defaults();
	char host[256] = "";

	ok(c != NULL, "defaults: config_defaults() returns a config");
	ok(c->path == NULL, "defaults: path is NULL");
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	is_str(c->authserv_id, host, "defaults: authserv_id is gethostname()");
	is_str(c->socket, "unix:/run/compauthd/compauthd.sock", "defaults: socket");
	is_str(c->socket_owner, "", "defaults: socket_owner");
	is_str(c->socket_group, "", "defaults: socket_group");
	is_int(c->socket_mode, 0660, "defaults: socket_mode 0660");
	is_str(c->user, "compauthd", "defaults: user");
	is_str(c->group, "", "defaults: group");
	is_str(c->pidfile, "/run/compauthd/compauthd.pid", "defaults: pidfile");
	is_int(c->dns_servers.n, 0, "defaults: dns_servers empty (resolv.conf)");
	is_int(c->dns_timeout_ms, 2000, "defaults: dns_timeout 2s");
	is_int(c->message_dns_deadline_ms, 8000, "defaults: message_dns_deadline 8s");
	is_int(c->dns_query_budget, 64, "defaults: dns_query_budget");
	is_int(c->dns_cache_entries, 10000, "defaults: dns_cache_entries");
	is_int(c->dns_cache_size, 16777216, "defaults: dns_cache_size 16 MiB");
	is_int(c->dkim_strict_l, 1, "defaults: dkim_strict_l yes (appended text never rides on a pass)");
	is_int(c->dkim_clock_skew_ms, 300000, "defaults: dkim_clock_skew 5m (OpenDKIM's ClockDrift)");
	is_str(c->zone_file, "", "defaults: zone_file");
	is_int(c->trusted_clients.n, 2, "defaults: trusted_clients is localhost, both families");
	if (c->trusted_clients.n == 2) {
		struct netaddr lo4, lo4b, lo6, other;

		netaddr_parse("127.0.0.1", &lo4);
		netaddr_parse("127.255.0.9", &lo4b);
		netaddr_parse("::1", &lo6);
		netaddr_parse("192.0.2.1", &other);
		ok(cidr_match(&c->trusted_clients.v[0], &lo4) &&
		    cidr_match(&c->trusted_clients.v[0], &lo4b) &&
		    cidr_match(&c->trusted_clients.v[1], &lo6) &&
		    !cidr_match(&c->trusted_clients.v[0], &other) &&
		    !cidr_match(&c->trusted_clients.v[1], &other),
		    "defaults: 127.0.0.0/8 and ::1 trusted, nothing else");
	}
	is_int(c->max_headers, 1000, "defaults: max_headers");
	is_int(c->max_header_bytes, 1048576, "defaults: max_header_bytes");
	is_int(c->shutdown_timeout_ms, 30000, "defaults: shutdown_timeout 30s");
	is_int(c->on_oversize, ON_DNS_ERROR_ACCEPT, "defaults: on_oversize accept");
	is_int(c->log_level, LOG_LVL_INFO, "defaults: log_level info");
	is_int(c->log_format, LOG_FMT_TEXT, "defaults: log_format text");
	is_int(c->on_dns_error, ON_DNS_ERROR_ACCEPT, "defaults: on_dns_error accept");
	is_str(c->metrics_listen, "", "defaults: metrics_listen empty, no metrics listener");
	config_free(&c);
	ok(c == NULL, "config_free clears the pointer");
	config_free(&c);
	ok(1, "config_free(&NULL) is harmless");
}

/* An empty file is all defaults, and so is a file of comments. */
static void
test_empty(void)
{
	struct config *d = config_defaults(), *c;
	char err[256], *a, *b;

	c = parse_str("", err, sizeof(err));
	ok(c != NULL, "empty text parses");
	a = dump_all(d);
	b = dump_all(c);
	is_str(b, a, "empty text dumps as the defaults");
	is_str(c->path, "t.conf", "parsed config remembers its name");
	free(b);
	config_free(&c);
	c = parse_str("# only\n\n   # comments\n\t\n", err, sizeof(err));
	b = dump_all(c);
	is_str(b, a, "comments and blank lines only: the defaults");
	free(a);
	free(b);
	config_free(&c);
	config_free(&d);
}

/* ---- good values: input line, setting, value config_dump shows ---- */

static const struct good_case {
	const char *line;
	const char *name;
	const char *dumped;
} good_cases[] = {
	/* hostname */
	{ "authserv_id = mx.example.net", "authserv_id", "mx.example.net" },
	{ "authserv_id = mx", "authserv_id", "mx" },
	{ "authserv_id = MX-1.Example_2.net", "authserv_id", "MX-1.Example_2.net" },
	{ "authserv_id = \"mx.example.net\"", "authserv_id", "mx.example.net" },
	/* socket spec */
	{ "socket = unix:/run/x.sock", "socket", "unix:/run/x.sock" },
	{ "socket = local:/var/spool/postfix/c.sock", "socket", "local:/var/spool/postfix/c.sock" },
	{ "socket = inet:8891@127.0.0.1", "socket", "inet:8891@127.0.0.1" },
	{ "socket = inet:8891", "socket", "inet:8891" },
	{ "socket = inet:65535@localhost", "socket", "inet:65535@localhost" },
	{ "socket = inet6:1@::1", "socket", "inet6:1@::1" },
	{ "socket = inet6:8891@mx.example.net", "socket", "inet6:8891@mx.example.net" },
	/* user and group names */
	{ "socket_owner = postfix", "socket_owner", "postfix" },
	{ "socket_group = 115", "socket_group", "115" },
	{ "user = \"\"", "user", "\"\"" },
	{ "user =", "user", "\"\"" },
	{ "user = mail-filter_1.x", "user", "mail-filter_1.x" },
	{ "group = machine$", "group", "machine$" },
	/* paths */
	{ "pidfile = /var/run/c.pid", "pidfile", "/var/run/c.pid" },
	{ "pidfile = ", "pidfile", "\"\"" },
	/* metrics listener (metrics.h; every form in test_metrics) */
	{ "metrics_listen = 9479", "metrics_listen", "9479" },
	{ "metrics_listen = localhost:9479", "metrics_listen", "localhost:9479" },
	{ "metrics_listen = [::1]:9479", "metrics_listen", "[::1]:9479" },
	{ "metrics_listen = 0.0.0.0:9479", "metrics_listen", "0.0.0.0:9479" },
	{ "zone_file = \"/a b/#z\"", "zone_file", "\"/a b/#z\"" },
	{ "zone_file = \"/a\\\"b\\\\c\"", "zone_file", "\"/a\\\"b\\\\c\"" },
	/* octal mode */
	{ "socket_mode = 0600", "socket_mode", "0600" },
	{ "socket_mode = 660", "socket_mode", "0660" },
	{ "socket_mode = 0777", "socket_mode", "0777" },
	{ "socket_mode = 0", "socket_mode", "0000" },
	/* durations: bare number is seconds; dump picks the shortest unit */
	{ "dns_timeout = 5s", "dns_timeout", "5s" },
	{ "dns_timeout = 500ms", "dns_timeout", "500ms" },
	{ "dns_timeout = 100ms", "dns_timeout", "100ms" },
	{ "dns_timeout = 30", "dns_timeout", "30s" },
	{ "dns_timeout = 3000ms", "dns_timeout", "3s" },
	{ "message_dns_deadline = 2m", "message_dns_deadline", "2m" },
	{ "message_dns_deadline = 90s", "message_dns_deadline", "90s" },
	{ "message_dns_deadline = 120000ms", "message_dns_deadline", "2m" },
	{ "shutdown_timeout = 0", "shutdown_timeout", "0s" },
	{ "shutdown_timeout = 0ms", "shutdown_timeout", "0s" },
	{ "shutdown_timeout = 10m", "shutdown_timeout", "10m" },
	{ "shutdown_timeout = 600", "shutdown_timeout", "10m" },
	{ "dkim_clock_skew = 0", "dkim_clock_skew", "0s" },
	{ "dkim_clock_skew = 300", "dkim_clock_skew", "5m" },
	{ "dkim_clock_skew = 1h", "dkim_clock_skew", "1h" },
	/* numbers at their bounds */
	{ "dns_query_budget = 1", "dns_query_budget", "1" },
	{ "dns_query_budget = 10000", "dns_query_budget", "10000" },
	{ "dns_query_budget = 007", "dns_query_budget", "7" },
	{ "dns_cache_entries = 0", "dns_cache_entries", "0" },
	{ "dns_cache_entries = 10000000", "dns_cache_entries", "10000000" },
	{ "dns_cache_size = 65536", "dns_cache_size", "65536" },
	{ "dns_cache_size = 1073741824", "dns_cache_size", "1073741824" },
	{ "max_headers = 100000", "max_headers", "100000" },
	{ "max_header_bytes = 1024", "max_header_bytes", "1024" },
	{ "max_header_bytes = 67108864", "max_header_bytes", "67108864" },
	/* enums, case-insensitive, dumped in lower case */
	{ "on_oversize = tempfail", "on_oversize", "tempfail" },
	{ "on_oversize = ACCEPT", "on_oversize", "accept" },
	{ "log_format = json", "log_format", "json" },
	{ "on_dns_error = Tempfail", "on_dns_error", "tempfail" },
	/* log levels, with log_level_parse's aliases */
	{ "log_level = err", "log_level", "err" },
	{ "log_level = error", "log_level", "err" },
	{ "log_level = warn", "log_level", "warning" },
	{ "log_level = warning", "log_level", "warning" },
	{ "log_level = notice", "log_level", "notice" },
	{ "log_level = DEBUG", "log_level", "debug" },
	/* string lists: commas, white space or both */
	{ "dns_servers = 192.0.2.1", "dns_servers", "192.0.2.1" },
	{ "dns_servers = 192.0.2.1:53,198.51.100.2:5353", "dns_servers",
	  "\"192.0.2.1:53, 198.51.100.2:5353\"" },
	{ "dns_servers = [2001:db8::1]:53 2001:db8::2\t[::1]", "dns_servers",
	  "\"[2001:db8::1]:53, 2001:db8::2, [::1]\"" },
	{ "dns_servers = \" , 192.0.2.1 ,, \"", "dns_servers", "192.0.2.1" },
	{ "dns_servers = \"\"", "dns_servers", "\"\"" },
	{ "dns_servers = , ,", "dns_servers", "\"\"" },
	/* CIDR lists */
	{ "trusted_clients = 192.0.2.0/24", "trusted_clients", "192.0.2.0/24" },
	{ "trusted_clients = 10.1.2.3", "trusted_clients", "10.1.2.3/32" },
	{ "trusted_clients = 127.0.0.1/32, ::1/128", "trusted_clients",
	  "\"127.0.0.1/32, ::1/128\"" },
	{ "trusted_clients = 2001:DB8::/32 0.0.0.0/0", "trusted_clients",
	  "\"2001:db8::/32, 0.0.0.0/0\"" },
	{ "trusted_clients = ::/0", "trusted_clients", "::/0" },
	/* comment and quoting rules */
	{ "zone_file = /a#b", "zone_file", "\"/a#b\"" },
	{ "zone_file = /a #b", "zone_file", "/a" },
	{ "zone_file = /a\t# b", "zone_file", "/a" },
	{ "zone_file = /a b  # c", "zone_file", "\"/a b\"" },
	{ "zone_file =#b", "zone_file", "\"\"" },
	{ "zone_file = \"\" # b", "zone_file", "\"\"" },
	{ "user = \"a\" # trailing", "user", "a" },
	{ "user = \"a\"#trailing", "user", "a" },
	{ "   user\t=\tpostfix   ", "user", "postfix" },
	{ "user=postfix", "user", "postfix" },
	{ "user = postfix\r", "user", "postfix" },
};

static void
test_good(void)
{
	char err[512], text[512];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *g = &good_cases[i];

		snprintf(text, sizeof(text), "%s\n", g->line);
		c = parse_str(text, err, sizeof(err));
		ok(c != NULL, "good: '%s' parses", g->line);
		if (c == NULL) {
			tap_diag("error: %s", err);
			continue;
		}
		/* The description repeats only the input: gcc would take the
		 * expected value, also is_str's argument, for a maybe-NULL. */
		is_str(dump_value(c, g->name), g->dumped, "good: '%s' dumps as expected",
		    g->line);
		config_free(&c);
	}
}

/* Good values as struct fields (what the daemon reads). */
static void
test_fields(void)
{
	char err[256];
	struct config *c;

	c = parse_str("dns_timeout = 1500ms\nmessage_dns_deadline = 2m\n"
	    "shutdown_timeout = 1h\n", err, sizeof(err));
	ok(c == NULL, "fields: 1h is over shutdown_timeout's 10m");
	is_str(err, "t.conf:3: shutdown_timeout: 1h is out of range (0s to 10m)",
	    "fields: 1h error names line 3");
	c = parse_str("dns_timeout = 1500ms\nmessage_dns_deadline = 2m\n"
	    "shutdown_timeout = 5\nsocket_mode = 0640\non_oversize = tempfail\n"
	    "log_level = notice\nlog_format = json\non_dns_error = tempfail\n"
	    "dns_servers = 192.0.2.1, [2001:db8::1]:5353\n"
	    "trusted_clients = 192.0.2.0/24 2001:db8::/48\n", err, sizeof(err));
	ok(c != NULL, "fields: sample parses");
	if (c == NULL)
		return;
	is_int(c->dns_timeout_ms, 1500, "fields: 1500ms is 1500");
	is_int(c->message_dns_deadline_ms, 120000, "fields: 2m is 120000 ms");
	is_int(c->shutdown_timeout_ms, 5000, "fields: bare 5 is 5 s");
	is_int(c->socket_mode, 0640, "fields: 0640 is octal");
	is_int(c->on_oversize, ON_DNS_ERROR_TEMPFAIL, "fields: on_oversize tempfail");
	is_int(c->log_level, LOG_LVL_NOTICE, "fields: log_level notice");
	is_int(c->log_format, LOG_FMT_JSON, "fields: log_format json");
	is_int(c->on_dns_error, ON_DNS_ERROR_TEMPFAIL, "fields: on_dns_error tempfail");
	is_int(c->dns_servers.n, 2, "fields: two dns_servers");
	is_str(c->dns_servers.v[0], "192.0.2.1", "fields: dns_servers[0]");
	is_str(c->dns_servers.v[1], "[2001:db8::1]:5353", "fields: dns_servers[1]");
	is_int(c->trusted_clients.n, 2, "fields: two trusted_clients");
	if (c->trusted_clients.n == 2) {
		struct netaddr in, out, in6;

		netaddr_parse("192.0.2.77", &in);
		netaddr_parse("192.0.3.1", &out);
		netaddr_parse("2001:db8:0:ffff::1", &in6);
		is_int(c->trusted_clients.v[0].bits, 24, "fields: /24 kept");
		ok(cidr_match(&c->trusted_clients.v[0], &in), "fields: 192.0.2.77 in 192.0.2.0/24");
		ok(!cidr_match(&c->trusted_clients.v[0], &out), "fields: 192.0.3.1 not in it");
		ok(cidr_match(&c->trusted_clients.v[1], &in6), "fields: v6 block matches");
	}
	config_free(&c);
}

/* ---- bad values and bad lines: text, exact error ---- */

static const struct bad_case {
	const char *text;
	const char *err;
} bad_cases[] = {
	/* line syntax */
	{ "garbage\n", "t.conf:1: unknown setting 'garbage'" },
	{ "log_levl = debug\n", "t.conf:1: unknown setting 'log_levl'; did you mean 'log_level'?" },
	{ "Log_Level = debug\n", "t.conf:1: unknown setting 'Log_Level'; did you mean 'log_level'?" },
	{ "= 5\n", "t.conf:1: expected 'name = value'" },
	{ "\n\n  =\n", "t.conf:3: expected 'name = value'" },
	{ "dns_timeout 5s\n", "t.conf:1: dns_timeout: expected '=' after the name" },
	{ "# c\ndns_timeout\n", "t.conf:2: dns_timeout: expected '=' after the name" },
	{ "dns_timeout: 5s\n", "t.conf:1: unknown setting 'dns_timeout:'; did you mean 'dns_timeout'?" },
	{ "dns_timeout = 2s\nlog_level = info\ndns_timeout = 3s\n",
	  "t.conf:3: dns_timeout: already set on line 1" },
	{ "user = a\n\n\nuser = a\n", "t.conf:4: user: already set on line 1" },
	{ "zone_file = \"/tmp/z\n", "t.conf:1: zone_file: unterminated quoted value" },
	{ "zone_file = \"/tmp/z\\\"\n", "t.conf:1: zone_file: unterminated quoted value" },
	{ "user = \"a\" b\n", "t.conf:1: user: unexpected text after the quoted value" },
	{ "user = \"a\"\"b\"\n", "t.conf:1: user: unexpected text after the quoted value" },
	{ "zone_file = \"/a\\nb\"\n",
	  "t.conf:1: zone_file: in a quoted value only \\\" and \\\\ may follow a backslash" },
	{ "user = a\x01" "b\n", "t.conf:1: control character (0x01) in line" },
	{ "# ok\n# \x7f\n", "t.conf:2: control character (0x7f) in line" },
	{ "user = a\rb\n", "t.conf:1: control character (0x0d) in line" },
	/* hostname */
	{ "authserv_id =\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got ''" },
	{ "authserv_id = -mx.example\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got '-mx.example'" },
	{ "authserv_id = mx-.example\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got 'mx-.example'" },
	{ "authserv_id = a..b\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got 'a..b'" },
	{ "authserv_id = mx.example.\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got 'mx.example.'" },
	{ "authserv_id = \"mx example\"\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got 'mx example'" },
	{ "authserv_id = mx;x\n",
	  "t.conf:1: authserv_id: expected a host name (letters, digits, '-', '_' and dots), got 'mx;x'" },
	/* socket */
	{ "socket =\n", "t.conf:1: socket: expected unix:/path, local:/path, "
	  "inet:PORT@ADDR or inet6:PORT@ADDR, got ''" },
	{ "socket = tcp:25@127.0.0.1\n", "t.conf:1: socket: expected unix:/path, local:/path, "
	  "inet:PORT@ADDR or inet6:PORT@ADDR, got 'tcp:25@127.0.0.1'" },
	{ "socket = /run/x.sock\n", "t.conf:1: socket: expected unix:/path, local:/path, "
	  "inet:PORT@ADDR or inet6:PORT@ADDR, got '/run/x.sock'" },
	{ "socket = unix:run/x.sock\n",
	  "t.conf:1: socket: expected an absolute path after unix: or local:, got 'unix:run/x.sock'" },
	{ "socket = inet:0@127.0.0.1\n",
	  "t.conf:1: socket: expected a port from 1 to 65535 after inet: or inet6:, got 'inet:0@127.0.0.1'" },
	{ "socket = inet:65536\n",
	  "t.conf:1: socket: expected a port from 1 to 65535 after inet: or inet6:, got 'inet:65536'" },
	{ "socket = inet:@127.0.0.1\n",
	  "t.conf:1: socket: expected a port from 1 to 65535 after inet: or inet6:, got 'inet:@127.0.0.1'" },
	{ "socket = inet:smtp@127.0.0.1\n",
	  "t.conf:1: socket: expected a port from 1 to 65535 after inet: or inet6:, got 'inet:smtp@127.0.0.1'" },
	{ "socket = inet:8891@::1\n",
	  "t.conf:1: socket: expected an IPv4 address after inet:PORT@, got 'inet:8891@::1'" },
	{ "socket = inet6:8891@127.0.0.1\n",
	  "t.conf:1: socket: expected an IPv6 address after inet6:PORT@, got 'inet6:8891@127.0.0.1'" },
	{ "socket = inet:8891@300.1.1.1\n",
	  "t.conf:1: socket: expected an IP address or host name after @, got 'inet:8891@300.1.1.1'" },
	{ "socket = inet:8891@\n",
	  "t.conf:1: socket: expected an IP address or host name after @, got 'inet:8891@'" },
	{ "socket = inet:8891@bad_host!\n",
	  "t.conf:1: socket: expected an IP address or host name after @, got 'inet:8891@bad_host!'" },
	/* user and group names */
	{ "user = \"a b\"\n", "t.conf:1: user: expected a user or group name, a number, or \"\", got 'a b'" },
	{ "user = -x\n", "t.conf:1: user: expected a user or group name, a number, or \"\", got '-x'" },
	{ "group = a:b\n", "t.conf:1: group: expected a user or group name, a number, or \"\", got 'a:b'" },
	{ "socket_owner = a,b\n",
	  "t.conf:1: socket_owner: expected a user or group name, a number, or \"\", got 'a,b'" },
	{ "socket_group = $\n",
	  "t.conf:1: socket_group: expected a user or group name, a number, or \"\", got '$'" },
	{ "user = x\xc3\xa9\n",
	  "t.conf:1: user: expected a user or group name, a number, or \"\", got 'x?" "?'" },
	/* paths */
	{ "pidfile = run/c.pid\n", "t.conf:1: pidfile: expected an absolute path or \"\", got 'run/c.pid'" },
	{ "zone_file = zone.txt\n", "t.conf:1: zone_file: expected an absolute path or \"\", got 'zone.txt'" },
	/* octal mode */
	{ "socket_mode = 0800\n", "t.conf:1: socket_mode: expected an octal mode such as 0660, got '0800'" },
	{ "socket_mode = 0x1ff\n", "t.conf:1: socket_mode: expected an octal mode such as 0660, got '0x1ff'" },
	{ "socket_mode =\n", "t.conf:1: socket_mode: expected an octal mode such as 0660, got ''" },
	{ "socket_mode = 0000777\n",
	  "t.conf:1: socket_mode: expected an octal mode such as 0660, got '0000777'" },
	{ "socket_mode = 1777\n", "t.conf:1: socket_mode: 1777 is out of range (0000 to 0777)" },
	/* durations */
	{ "dns_timeout = 99ms\n", "t.conf:1: dns_timeout: 99ms is out of range (100ms to 30s)" },
	{ "dns_timeout = 31\n", "t.conf:1: dns_timeout: 31 is out of range (100ms to 30s)" },
	{ "dns_timeout = 30001ms\n", "t.conf:1: dns_timeout: 30001ms is out of range (100ms to 30s)" },
	{ "dns_timeout = 0\n", "t.conf:1: dns_timeout: 0 is out of range (100ms to 30s)" },
	{ "dns_timeout = 99999999999999999999999s\n",
	  "t.conf:1: dns_timeout: 99999999999999999999999s is out of range (100ms to 30s)" },
	{ "dns_timeout = 4294968h\n", "t.conf:1: dns_timeout: 4294968h is out of range (100ms to 30s)" },
	{ "message_dns_deadline = 121s\n",
	  "t.conf:1: message_dns_deadline: 121s is out of range (100ms to 2m)" },
	{ "shutdown_timeout = 601\n", "t.conf:1: shutdown_timeout: 601 is out of range (0s to 10m)" },
	{ "dkim_clock_skew = 3601\n", "t.conf:1: dkim_clock_skew: 3601 is out of range (0s to 1h)" },
	{ "dns_timeout = 1.5s\n", "t.conf:1: dns_timeout: expected a duration such as 500ms, 5s, 2m "
	  "or 1h (a bare number is seconds), got '1.5s'" },
	{ "dns_timeout = 5 s\n", "t.conf:1: dns_timeout: expected a duration such as 500ms, 5s, 2m "
	  "or 1h (a bare number is seconds), got '5 s'" },
	{ "dns_timeout = 5sec\n", "t.conf:1: dns_timeout: expected a duration such as 500ms, 5s, 2m "
	  "or 1h (a bare number is seconds), got '5sec'" },
	{ "dns_timeout = s\n", "t.conf:1: dns_timeout: expected a duration such as 500ms, 5s, 2m "
	  "or 1h (a bare number is seconds), got 's'" },
	{ "dns_timeout = -1\n", "t.conf:1: dns_timeout: expected a duration such as 500ms, 5s, 2m "
	  "or 1h (a bare number is seconds), got '-1'" },
	{ "dns_timeout =\n", "t.conf:1: dns_timeout: expected a duration such as 500ms, 5s, 2m "
	  "or 1h (a bare number is seconds), got ''" },
	/* numbers */
	{ "dns_query_budget = 0\n", "t.conf:1: dns_query_budget: 0 is out of range (1 to 10000)" },
	{ "dns_query_budget = 10001\n", "t.conf:1: dns_query_budget: 10001 is out of range (1 to 10000)" },
	{ "dns_cache_entries = 10000001\n",
	  "t.conf:1: dns_cache_entries: 10000001 is out of range (0 to 10000000)" },
	{ "dns_cache_size = 65535\n",
	  "t.conf:1: dns_cache_size: 65535 is out of range (65536 to 1073741824)" },
	{ "dns_cache_size = 1073741825\n",
	  "t.conf:1: dns_cache_size: 1073741825 is out of range (65536 to 1073741824)" },
	{ "max_headers = 0\n", "t.conf:1: max_headers: 0 is out of range (1 to 100000)" },
	{ "max_header_bytes = 1023\n",
	  "t.conf:1: max_header_bytes: 1023 is out of range (1024 to 67108864)" },
	{ "max_header_bytes = 18446744073709551616\n",
	  "t.conf:1: max_header_bytes: 18446744073709551616 is out of range (1024 to 67108864)" },
	{ "max_headers = -1\n", "t.conf:1: max_headers: expected a number, got '-1'" },
	{ "max_headers = +5\n", "t.conf:1: max_headers: expected a number, got '+5'" },
	{ "max_headers = 1e3\n", "t.conf:1: max_headers: expected a number, got '1e3'" },
	{ "max_headers = 0x10\n", "t.conf:1: max_headers: expected a number, got '0x10'" },
	{ "max_headers =\n", "t.conf:1: max_headers: expected a number, got ''" },
	/* enums and levels */
	{ "on_oversize = reject\n",
	  "t.conf:1: on_oversize: expected one of accept or tempfail, got 'reject'" },
	{ "on_dns_error =\n", "t.conf:1: on_dns_error: expected one of accept or tempfail, got ''" },
	{ "log_format = xml\n", "t.conf:1: log_format: expected one of text or json, got 'xml'" },
	{ "log_level = verbose\n", "t.conf:1: log_level: expected a log level: err, warning, "
	  "notice, info or debug, got 'verbose'" },
	{ "log_level = \"\"\n", "t.conf:1: log_level: expected a log level: err, warning, "
	  "notice, info or debug, got ''" },
	/* dns_servers items */
	{ "metrics_listen = mx.example.net:9479\n", "t.conf:1: metrics_listen: expected PORT, localhost:PORT, IPv4:PORT, [IPv6]:PORT or \"\", got 'mx.example.net:9479'" },
	{ "metrics_listen = 0\n", "t.conf:1: metrics_listen: expected PORT, localhost:PORT, IPv4:PORT, [IPv6]:PORT or \"\", got '0'" },
	{ "dns_servers = 192.0.2.1:0\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '192.0.2.1:0'" },
	{ "dns_servers = 192.0.2.1, 192.0.2.2:65536\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '192.0.2.2:65536'" },
	{ "dns_servers = [192.0.2.1]:53\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '[192.0.2.1]:53'" },
	{ "dns_servers = ns.example.net\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got 'ns.example.net'" },
	{ "dns_servers = [2001:db8::1\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '[2001:db8::1'" },
	{ "dns_servers = [2001:db8::1]:\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '[2001:db8::1]:'" },
	{ "dns_servers = [2001:db8::1]53\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '[2001:db8::1]53'" },
	{ "dns_servers = :53\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got ':53'" },
	{ "dns_servers = 192.0.2.1:53:1\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '192.0.2.1:53:1'" },
	{ "dns_servers = []:53\n",
	  "t.conf:1: dns_servers: expected IP, IP:port or [IPv6]:port, got '[]:53'" },
	{ "dns_servers = 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 "
	  "9.9.9.9 10.1.1.1 11.1.1.1 12.1.1.1 13.1.1.1 14.1.1.1 15.1.1.1 16.1.1.1 17.1.1.1\n",
	  "t.conf:1: dns_servers: more than 16 items" },
	/* CIDR lists */
	{ "trusted_clients = 192.0.2.0/33\n", "t.conf:1: trusted_clients: expected an IP address or "
	  "CIDR block (192.0.2.0/24, 2001:db8::/32), got '192.0.2.0/33'" },
	{ "trusted_clients = 10.0.0.0/8, example.com\n", "t.conf:1: trusted_clients: expected an IP "
	  "address or CIDR block (192.0.2.0/24, 2001:db8::/32), got 'example.com'" },
	{ "trusted_clients = 192.0.2.0/\n", "t.conf:1: trusted_clients: expected an IP address or "
	  "CIDR block (192.0.2.0/24, 2001:db8::/32), got '192.0.2.0/'" },
	{ "trusted_clients = /24\n", "t.conf:1: trusted_clients: expected an IP address or "
	  "CIDR block (192.0.2.0/24, 2001:db8::/32), got '/24'" },
	{ "trusted_clients = 2001:db8::/129\n", "t.conf:1: trusted_clients: expected an IP address or "
	  "CIDR block (192.0.2.0/24, 2001:db8::/32), got '2001:db8::/129'" },
	{ "trusted_clients = 192.0.2.0/-1\n", "t.conf:1: trusted_clients: expected an IP address or "
	  "CIDR block (192.0.2.0/24, 2001:db8::/32), got '192.0.2.0/-1'" },
	{ "\n# host bits\ntrusted_clients = 10.0.0.0/8 192.0.2.1/24\n",
	  "t.conf:3: trusted_clients: '192.0.2.1/24' has bits set after the prefix "
	  "length; write the network address" },
	{ "trusted_clients = 2001:db8::1/32\n",
	  "t.conf:1: trusted_clients: '2001:db8::1/32' has bits set after the prefix "
	  "length; write the network address" },
	/* an error after good lines still names its own line */
	{ "authserv_id = mx.example.net\nsocket = inet:8891@127.0.0.1\n\n# x\n"
	  "max_headers = 100\nlog_format = yaml\n",
	  "t.conf:6: log_format: expected one of text or json, got 'yaml'" },
	/* CRLF lines count like LF lines; a last line without newline counts */
	{ "user = a\r\ngroup = b\r\nmax_headers = x\r\n",
	  "t.conf:3: max_headers: expected a number, got 'x'" },
	{ "user = a\nmax_headers = x", "t.conf:2: max_headers: expected a number, got 'x'" },
	/* ARC settings, each alone and across settings */
	{ "log_level = info\narc_sign_headers = to, subject\n",
	  "t.conf:2: arc_sign_headers: From must be one of them" },
	{ "arc_sign_headers = from, ARC-Seal\n", "t.conf:1: arc_sign_headers: expected a header "
	  "field name other than ARC-Seal and Authentication-Results, got 'ARC-Seal'" },
	{ "arc_sign_headers = from authentication-results\n", "t.conf:1: arc_sign_headers: expected "
	  "a header field name other than ARC-Seal and Authentication-Results, got "
	  "'authentication-results'" },
	{ "arc_sign_headers = from, x:y\n",
	  "t.conf:1: arc_sign_headers: expected a header field name, got 'x:y'" },
	{ "arc_sign_domain = example.org\n", "t.conf:1: ARC sealing needs arc_sign_domain, "
	  "arc_sign_selector and arc_sign_key all set (or none)" },
	{ "arc_sign_key = /k.pem\narc_sign_selector = s1\n", "t.conf:2: ARC sealing needs "
	  "arc_sign_domain, arc_sign_selector and arc_sign_key all set (or none)" },
	{ "arc_sign_domain = example.org\narc_sign_selector = s1\narc_sign_key = /nonexistent/k.pem\n",
	  "t.conf:3: arc_sign_key: cannot open /nonexistent/k.pem: No such file or directory" },
	{ "arc_sign_key = k.pem\n", "t.conf:1: arc_sign_key: expected an absolute path or \"\", "
	  "got 'k.pem'" },
	{ "arc_sign_domain = -bad-.example\n",
	  "t.conf:1: arc_sign_domain: expected a domain name or \"\", got '-bad-.example'" },
	{ "arc_trusted_sealers = lists.example, not_a domain!\n",
	  "t.conf:1: arc_trusted_sealers: expected a domain name, got 'domain!'" },
	/* a long bad value is quoted shortened */
	{ "max_headers = 1111111111111111111111111111111111111111111111111111111111111111x\n",
	  "t.conf:1: max_headers: expected a number, got "
	  "'1111111111111111111111111111111111111111111111111111111111111111...'" },
};

static void
test_bad(void)
{
	char err[1024];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];

		c = parse_str(b->text, err, sizeof(err));
		ok(c == NULL, "bad #%zu: rejected", i);
		is_str(err, b->err, "bad #%zu: exact error", i);
		config_free(&c);
	}
}

/* Bytes the string tables cannot hold: NUL, length limits. */
static void
test_limits(void)
{
	char err[512], *big;
	struct config *c;
	size_t n;

	c = config_parse("t.conf", "user = a\nuser\0 = b\n", 19, err, sizeof(err));
	ok(c == NULL, "limits: NUL byte rejected");
	is_str(err, "t.conf:2: NUL byte in line", "limits: NUL byte error names line 2");

	/* 131328 bytes of line are allowed, 131329 are not; CR is not counted. */
	big = malloc(262144);
	memset(big, '#', 131328);
	memcpy(big + 131328, "\r\n", 3);
	c = config_parse("t.conf", big, 131330, err, sizeof(err));
	ok(c != NULL, "limits: a 131328-byte line is allowed (with CRLF)");
	config_free(&c);
	memcpy(big, "\n\n", 2);
	memset(big + 2, '#', 131329);
	c = config_parse("t.conf", big, 131331, err, sizeof(err));
	ok(c == NULL, "limits: a 131329-byte line is refused");
	is_str(err, "t.conf:3: line longer than 131328 bytes", "limits: long line error on line 3");

	/* A value at the limit: 4096 bytes of path; one more is refused. */
	n = (size_t)snprintf(big, 16384, "zone_file = /");
	memset(big + n, 'z', 4095);
	big[n + 4095] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL && strlen(c->zone_file) == 4096, "limits: 4096-byte value kept whole");
	config_free(&c);
	big[n + 4095] = 'z';
	big[n + 4096] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c == NULL, "limits: a 4097-byte value is refused");
	is_str(err, "t.conf:1: zone_file: value longer than 4096 bytes", "limits: long value error");

	/* The longest value that needs escaping still dumps to a line that parses. */
	n = (size_t)snprintf(big, 16384, "dmarc_reject_reply = \"550 5.7.1 ");
	for (size_t i = 0; i < 4096 - 10; i++)
		n += (size_t)snprintf(big + n, 16384 - n, "\\\"");
	snprintf(big + n, 16384 - n, "\"");
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL, "limits: a 4096-byte reply of quotes parses (%s)", c ? "ok" : err);
	if (c != NULL) {
		char *d = dump_all(c);
		struct config *again = parse_str(d, err, sizeof(err));

		ok(again != NULL, "limits: its dump parses back (%s)", again ? "ok" : err);
		config_free(&again);
		free(d);
	}
	config_free(&c);

	/* unix socket paths must fit sun_path */
	n = (size_t)snprintf(big, 8192, "socket = unix:/");
	memset(big + n, 's', 106);
	big[n + 106] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL, "limits: a 107-byte socket path fits");
	config_free(&c);
	big[n + 106] = 's';
	big[n + 107] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c == NULL, "limits: a 108-byte socket path does not");
	ok(strncmp(err, "t.conf:1: socket: expected a UNIX-domain socket path shorter than 108 bytes, got 'unix:/sss",
	    88) == 0, "limits: socket path error: %s", err);

	/* As many CIDR blocks as one line holds. */
	n = (size_t)sprintf(big, "trusted_clients = ");
	for (size_t i = 0; i < 300; i++)
		n += (size_t)sprintf(big + n, "10.%zu.%zu.0/24,", i / 256, i % 256);
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL && c->trusted_clients.n == 300, "limits: 300 blocks on one line (%s)",
	    c ? "ok" : err);
	if (c != NULL) {
		struct netaddr last;

		netaddr_parse("10.1.43.9", &last);
		ok(cidr_match(&c->trusted_clients.v[299], &last), "limits: the 300th is 10.1.43.0/24");
	}
	config_free(&c);

	/*
	 * Hosts written bare and without spaces grow when written out
	 * ("1.2.3.4," is written "1.2.3.4/32, "): 500 of them are 4779
	 * bytes in the file and 6780 as -n writes them, which must read
	 * back (a fuzzer found -n output refused as too long).
	 */
	n = (size_t)sprintf(big, "trusted_clients = ");
	for (size_t i = 0; i < 500; i++)
		n += (size_t)sprintf(big + n, "%s1.%zu.%zu.1", i ? "," : "", i / 250, i % 250);
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL, "limits: 500 bare hosts parse (%s)", c ? "ok" : err);
	if (c != NULL) {
		char *d = dump_all(c);
		struct config *again = parse_str(d, err, sizeof(err));

		ok(strstr(d, "1.1.249.1/32\"\n") != NULL, "limits: written with prefix lengths");
		ok(again != NULL && again->trusted_clients.n == 500,
		    "limits: their dump parses back (%s)", again ? "ok" : err);
		config_free(&again);
		free(d);
	}
	config_free(&c);

	/*
	 * 1024 domains of 63 bytes joined by "," are 65535 bytes, but 66558
	 * joined by ", " as -n writes them: refused, since -n could not
	 * write them back. 1000 fit both ways.
	 */
	for (size_t k = 1000; k <= 1024; k += 24) {
		n = (size_t)sprintf(big, "local_domains = ");
		for (size_t i = 0; i < k; i++)
			n += (size_t)sprintf(big + n, "%sd%04zu%054d.org", i ? "," : "", i, 0);
		c = parse_str(big, err, sizeof(err));
		if (k == 1024) {
			ok(c == NULL, "limits: 1024 long domains refused");
			is_str(err, "t.conf:1: local_domains: value longer than 65536 bytes when "
			    "written as compauthd -n does (66558)", "limits: the written-out length is named");
		} else {
			char *d = c != NULL ? dump_all(c) : NULL;
			struct config *again = d != NULL ? parse_str(d, err, sizeof(err)) : NULL;

			ok(again != NULL && again->local_domains.n == 1000,
			    "limits: 1000 long domains parse and read back (%s)", err);
			config_free(&again);
			free(d);
		}
		config_free(&c);
	}
	free(big);

	/* err may be NULL or tiny */
	c = config_parse("t.conf", "x = 1\n", 6, NULL, 0);
	ok(c == NULL, "limits: NULL err buffer is fine");
	c = config_parse("t.conf", "x = 1\n", 6, err, 5);
	ok(c == NULL && strcmp(err, "t.co") == 0, "limits: err is truncated, terminated");
	c = config_parse(NULL, "x = 1\n", 6, err, sizeof(err));
	is_str(err, "(config):1: unknown setting 'x'", "limits: NULL name is '(config)'");
}

/*
 * An unknown name says what it probably is: a typo of one of ours, or a
 * setting of OpenDKIM, OpenDMARC or OpenARC (the migrating postmaster's
 * SoftwareHeader line), with the way to carry a whole file over.
 */
static void
test_unknown_hints(void)
{
	static const struct {
		const char *line, *err;
	} cases[] = {
		{ "SoftwareHeader yes\n", "t:1: unknown setting 'SoftwareHeader' (a setting "
		  "of OpenDKIM, OpenDMARC or OpenARC: compauthd --import FILE prints what a whole file becomes)" },
		{ "HistoryFile = /var/run/opendmarc/opendmarc.dat\n", "t:1: unknown setting "
		  "'HistoryFile' (a setting of OpenDMARC: compauthd --import FILE prints what "
		  "a whole file becomes)" },
		{ "Socket = local:/x\n", "t:1: unknown setting 'Socket'; did you mean 'socket'?" },
		{ "trusted_client = 10.0.0.1\n", "t:1: unknown setting 'trusted_client'; "
		  "did you mean 'trusted_clients'?" },
		{ "dmarc_enfroce = on\n", "t:1: unknown setting 'dmarc_enfroce'; did you mean "
		  "'dmarc_enforce'?" },
		{ "frobnicate = 1\n", "t:1: unknown setting 'frobnicate'" },
		{ "MinimumKeyBits 1024\n", "t:1: unknown setting 'MinimumKeyBits' (a setting "
		  "of OpenDKIM: compauthd --import FILE prints what a whole file becomes)" },
		{ "ab = 1\n", "t:1: unknown setting 'ab'" },
	};
	char err[512], big[200];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		c = config_parse("t", cases[i].line, strlen(cases[i].line), err, sizeof(err));
		ok(c == NULL, "hints: case %zu refused", i);
		is_str(err, cases[i].err, "hints: case %zu, exact error", i);
		config_free(&c);
	}
	/* A long name is not compared (bounded work) and gets no hint. */
	memset(big, 'a', sizeof(big) - 8);
	memcpy(big + sizeof(big) - 8, " = 1\n", 6);
	c = config_parse("t", big, strlen(big), err, sizeof(err));
	ok(c == NULL && strstr(err, "did you mean") == NULL && strstr(err, "unknown setting") != NULL,
	    "hints: a 192-byte name: unknown, no hint");
	config_free(&c);
}

/* ---- files ---- */

static void
test_files(void)
{
	static const struct {
		const char *file;
		const char *err;        /* after "PATH:" */
	} bad_files[] = {
		{ "bad-duplicate.conf", "4: dns_timeout: already set on line 2" },
		{ "bad-unknown.conf", "4: unknown setting 'log_levl'; did you mean 'log_level'?" },
		{ "bad-range.conf", "2: max_headers: 0 is out of range (1 to 100000)" },
		{ "bad-cidr.conf", "2: trusted_clients: '192.0.2.1/24' has bits set after the "
		  "prefix length; write the network address" },
		{ "bad-noequals.conf", "2: group: expected '=' after the name" },
		{ "bad-quote.conf", "3: zone_file: unterminated quoted value" },
	};
	char path[4096], want[8192], err[1024], tmpl[] = "/tmp/test_config.XXXXXX";
	struct config *c, *again;
	char *dump, *expect;
	size_t i;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/data/config/good.conf", srcdir);
	c = config_load(path, err, sizeof(err));
	ok(c != NULL, "files: good.conf loads");
	if (c == NULL)
		tap_diag("%s", err);
	snprintf(path, sizeof(path), "%s/tests/data/config/good.dump", srcdir);
	expect = slurp(path);
	ok(expect != NULL, "files: good.dump readable");
	dump = c ? dump_all(c) : NULL;
	is_str(dump, expect, "files: dump of good.conf equals good.dump exactly");
	snprintf(path, sizeof(path), "%s/tests/data/config/good.conf", srcdir);
	if (c != NULL)
		is_str(c->path, path, "files: path recorded");

	/* The dump reads back as the same settings. */
	again = dump ? config_parse("dump", dump, strlen(dump), err, sizeof(err)) : NULL;
	ok(again != NULL, "files: good.dump parses");
	if (again != NULL) {
		char *d2 = dump_all(again);

		is_str(d2, dump, "files: dump, parse, dump is stable");
		free(d2);
	}
	config_free(&again);
	free(dump);
	free(expect);
	config_free(&c);

	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/data/config/%s", srcdir, bad_files[i].file);
		snprintf(want, sizeof(want), "%s:%s", path, bad_files[i].err);
		c = config_load(path, err, sizeof(err));
		ok(c == NULL, "files: %s rejected", bad_files[i].file);
		is_str(err, want, "files: %s error", bad_files[i].file);
		config_free(&c);
	}

	c = config_load("/nonexistent/compauthd.conf", err, sizeof(err));
	ok(c == NULL, "files: missing file rejected");
	is_str(err, "/nonexistent/compauthd.conf: cannot open: No such file or directory",
	    "files: missing file error has no line number");
	c = config_load("/", err, sizeof(err));
	ok(c == NULL, "files: a directory is rejected");
	is_str(err, "/: cannot read: Is a directory", "files: directory error");

	/* 1 MiB is the limit; one byte more is refused before parsing. */
	fd = mkstemp(tmpl);
	f = fdopen(fd, "w");
	for (i = 0; i < 1024 * 1024 / 64; i++)
		fprintf(f, "%063d\n", 0);
	fclose(f);
	{
		/* The zeros are not comments: turn them into comments in place. */
		char *t = slurp(tmpl);

		for (i = 0; i < 1024 * 1024; i += 64)
			t[i] = '#';
		f = fopen(tmpl, "w");
		fwrite(t, 1, 1024 * 1024, f);
		fclose(f);
		c = config_load(tmpl, err, sizeof(err));
		ok(c != NULL, "files: a 1048576-byte file loads");
		config_free(&c);
		f = fopen(tmpl, "a");
		fputc('\n', f);
		fclose(f);
		c = config_load(tmpl, err, sizeof(err));
		ok(c == NULL, "files: a 1048577-byte file is refused");
		snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", tmpl);
		is_str(err, want, "files: too-large error");
		free(t);
	}
	unlink(tmpl);
}

/* conf/compauthd.conf: parses; every "#name = value" line is the default. */
static void
test_example_conf(void)
{
	struct config *c, *d = config_defaults(), *u;
	char path[4096], err[1024], *text, *p, *line, *a, *b;
	size_t uncommented = 0;

	snprintf(path, sizeof(path), "%s/conf/compauthd.conf", srcdir);
	c = config_load(path, err, sizeof(err));
	ok(c != NULL, "example: conf/compauthd.conf parses without error");
	if (c == NULL)
		tap_diag("%s", err);
	a = dump_all(d);
	b = c ? dump_all(c) : NULL;
	is_str(b, a, "example: as shipped it is all defaults");
	free(b);
	config_free(&c);

	/* Uncomment every "#name = value" line: still parses, still the
	 * defaults (bar authserv_id's example), so its values cannot drift. */
	text = slurp(path);
	ok(text != NULL, "example: readable");
	if (text == NULL)
		return;
	for (line = text; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " = ") != NULL && (!p || strstr(line, " = ") < p)) {
			line[0] = ' ';
			uncommented++;
		}
	}
	is_int(uncommented, 54, "example: every one of the 54 settings is shown");
	u = config_parse(path, text, strlen(text), err, sizeof(err));
	ok(u != NULL, "example: uncommented, it parses (each setting once)");
	if (u == NULL)
		tap_diag("%s", err);
	if (u != NULL) {
		is_str(u->authserv_id, "mx.example.net", "example: authserv_id example");
		b = dump_all(u);
		/* Same lines apart from the first (authserv_id). */
		is_str(strchr(b, '\n'), strchr(a, '\n'), "example: uncommented values are the defaults");
		free(b);
	}
	config_free(&u);
	free(a);
	free(text);
	config_free(&d);
}

/* A key of type id (bits for RSA) written as PEM with mode; the path. */
static const char *
write_key(const char *dir, const char *name, int id, int bits, mode_t mode)
{
	static char path[8][512];
	static int slot;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(id, NULL);
	EVP_PKEY *k = NULL;
	char *p = path[slot++ % 8];
	FILE *f;

	snprintf(p, 512, "%s/%s", dir, name);
	if (kc == NULL || EVP_PKEY_keygen_init(kc) != 1 ||
	    (id == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_keygen_bits(kc, bits) != 1) ||
	    (id == EVP_PKEY_EC && EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc, NID_X9_62_prime256v1) != 1) ||
	    EVP_PKEY_keygen(kc, &k) != 1 || (f = fopen(p, "w")) == NULL) {
		EVP_PKEY_CTX_free(kc);
		return NULL;
	}
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	chmod(p, mode);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(kc);
	return p;
}

/* The ARC sealing key is read and judged at load, never at the first message. */
static void
test_arc_key(void)
{
	char dir[] = "/tmp/test_config_key.XXXXXX", text[1024], err[1024], want[1024];
	const char *ed, *rsa, *small, *ec, *open_key, *junk;
	struct config *c;
	FILE *f;

	ok(mkdtemp(dir) != NULL, "arc key: temporary directory");
	ed = write_key(dir, "ed.pem", EVP_PKEY_ED25519, 0, 0600);
	rsa = write_key(dir, "rsa.pem", EVP_PKEY_RSA, 2048, 0640);
	small = write_key(dir, "small.pem", EVP_PKEY_RSA, 768, 0600);
	ec = write_key(dir, "ec.pem", EVP_PKEY_EC, 0, 0600);
	ok(ed && rsa && small && ec, "arc key: test keys written");
	if (!(ed && rsa && small && ec))
		return;
	open_key = write_key(dir, "open.pem", EVP_PKEY_ED25519, 0, 0604);
	junk = write_key(dir, "junk.pem", EVP_PKEY_ED25519, 0, 0600);
	if ((f = fopen(junk, "w")) != NULL) {
		fputs("not a key\n", f);
		fclose(f);
	}
#define SEAL(key) (snprintf(text, sizeof(text), "arc_sign_domain = example.org\n" \
	"arc_sign_selector = s1\narc_sign_key = %s\n", key), \
	parse_str(text, err, sizeof(err)))

	c = SEAL(ed);
	ok(c != NULL && c->arc_sign_pkey != NULL, "arc key: Ed25519, mode 0600, loads");
	config_free(&c);
	c = SEAL(rsa);
	ok(c != NULL && c->arc_sign_pkey != NULL, "arc key: RSA 2048, mode 0640 (group may read), loads");
	config_free(&c);
	c = SEAL(small);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s is a 768-bit RSA key; 1024 bits at "
	    "least (RFC 8301)", small);
	ok(c == NULL, "arc key: RSA 768 refused");
	is_str(err, want, "arc key: RSA 768: exact error");
	c = SEAL(ec);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s is neither an RSA nor an Ed25519 key", ec);
	ok(c == NULL, "arc key: ECDSA refused");
	is_str(err, want, "arc key: ECDSA: exact error");
	c = SEAL(open_key);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s may be read or written by others "
	    "(chmod o-rwx)", open_key);
	ok(c == NULL, "arc key: a key others may read refused");
	is_str(err, want, "arc key: others may read: exact error");
	c = SEAL(junk);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s holds no PEM private key", junk);
	ok(c == NULL, "arc key: a file without a key refused");
	is_str(err, want, "arc key: no key: exact error");
	c = SEAL("/dev/zero");
	ok(c == NULL, "arc key: a device refused (it would hang start-up)");
	is_str(err, "t.conf:3: arc_sign_key: /dev/zero is not a regular file of at most 65536 bytes",
	    "arc key: a device: exact error");
#undef SEAL
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	ok(system(text) == 0, "arc key: cleaned up");
}

/* config_man and config_dump walk the same table in the same order. */
static void
test_man(void)
{
	struct config *d = config_defaults();
	char *man = NULL, *dump = dump_all(d), *p, *q, name[64];
	size_t len = 0, count = 0;
	FILE *f = open_memstream(&man, &len);
	int same = 1;

	config_man(f);
	fclose(f);
	p = man;
	for (q = dump; *q; q = strchr(q, '\n') + 1) {
		size_t n = strcspn(q, " ");

		snprintf(name, sizeof(name), ".It Cm %.*s Ns = Ns ", (int)n, q);
		p = strstr(p, name);
		if (p == NULL) {
			same = 0;
			tap_diag("man lacks or misorders: %s", name);
			break;
		}
		count++;
	}
	ok(same, "man: one .It per setting, in dump order");
	is_int(count, 54, "man: 54 settings");
	ok(strstr(man, "Default:\n.Ql 2s .\n") != NULL, "man: defaults shown");
	ok(strstr(man, "From 100ms to 30s.\n") != NULL, "man: ranges shown");
	ok(strstr(man, ".It Cm on_oversize Ns = Ns Cm accept | tempfail\n") != NULL,
	    "man: enum words shown");
	/* Lines stay under 80 bytes and none starts with a roff control character
	 * except our own macros. */
	for (p = man, same = 1; *p; p = q + 1) {
		q = strchr(p, '\n');
		if (q - p >= 80 || (*p == '\'' ) ||
		    (*p == '.' && strncmp(p, ".It ", 4) != 0 && strncmp(p, ".Ql ", 4) != 0))
			same = 0;
	}
	ok(same, "man: short lines, only .It and .Ql requests");
	free(man);
	free(dump);
	config_free(&d);
}

/* Arbitrary bytes never crash and either parse or give a FILE:LINE error. */
static void
test_garbage(void)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz_=#\" \t\n\\,:./[]0123456789\r\x01\x80";
	unsigned seed = 12345, bad_prefix = 0, i, j, n, errors = 0;
	char buf[600], err[512];
	struct config *c;

	for (i = 0; i < 20000; i++) {
		n = (seed = seed * 1103515245 + 12345) % sizeof(buf);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		/* Half the time, start from a real setting name. */
		if (i % 2 && n > 20)
			memcpy(buf, "trusted_clients = ", 18);
		err[0] = '\0';
		c = config_parse("g", buf, n, err, sizeof(err));
		if (c == NULL) {
			errors++;
			if (strncmp(err, "g:", 2) != 0 || strspn(err + 2, "0123456789") == 0)
				bad_prefix++;
		}
		config_free(&c);
	}
	ok(errors > 0, "garbage: some inputs rejected (%u)", errors);
	is_int(bad_prefix, 0, "garbage: every error starts 'g:LINE:'");
}

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
	srcdir = getenv("top_srcdir");
	if (srcdir == NULL)
		srcdir = ".";
	test_defaults();
	test_empty();
	test_good();
	test_fields();
	test_bad();
	test_limits();
	test_files();
	test_unknown_hints();
	test_arc_key();
	test_example_conf();
	test_man();
	test_garbage();
	test_list_files();
	test_host_checks();
	test_snapshot();
	return tap_done();
}
