/*
 * config.c's values: the defaults, every type's good values (as -n dumps
 * them and as struct fields), bad values and lines with their exact
 * "FILE:LINE: " errors, and the hints an unknown setting name gets.
 * Whole files and limits are in test_config_files.c; list files, the
 * host checks and the snapshot in test_config_reload.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_test_util.h"
#include "log.h"
#include "tap.h"

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

int
main(void)
{
	test_defaults();
	test_empty();
	test_good();
	test_fields();
	test_bad();
	test_unknown_hints();
	return tap_done();
}
