/*
 * Settings. Every setting is one row of config_table: its name, type,
 * default (as the file would spell it), range or allowed words, check, doc
 * line and place in struct config. Parsing, `compauthd -n` (config_dump)
 * and the man page's settings list (config_man) all walk that table, so a
 * setting cannot exist in one and be missing from another.
 *
 * A loaded config is an immutable snapshot in its own arena, with a
 * reference count beside it. The daemon installs one as current; a message
 * takes a reference for its lifetime, so a SIGHUP that installs a new
 * snapshot never pulls settings from under a message in progress.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/un.h>

#include "arena.h"
#include "config.h"
#include "log.h"
#include "netaddr.h"

#define CONFIG_LINE_MAX   4096          /* bytes in one line, newline excluded */
#define CONFIG_FILE_MAX   (1024 * 1024) /* bytes in one file */
#define CONFIG_SHOW_MAX   64            /* bytes of a bad value quoted in an error */

enum config_type {
	CT_STRING,      /* any text; check narrows it */
	CT_HOSTNAME,    /* a domain name: labels of letters, digits, '-', '_' */
	CT_UINT,        /* decimal, min..max */
	CT_DURATION,    /* 500ms, 5s, 2m, 1h, bare number = seconds; stored in ms */
	CT_MODE,        /* octal, 0..max */
	CT_ENUM,        /* one of words; stored as the word's index */
	CT_STRLIST,     /* items separated by commas and/or white space */
	CT_CIDRLIST,    /* same, each item an address or CIDR block */
	CT_LOGLEVEL,    /* log_level_parse() */
	CT_SOCKET,      /* libmilter socket spec */
};

/* Returns NULL when v is acceptable, else what was expected instead. */
typedef const char *(*config_check_fn)(const char *v);

struct config_entry {
	const char *name;
	enum config_type type;
	const char *arg;                /* man page placeholder; NULL = from the type */
	const char *def;                /* default as file text; NULL = computed */
	const char *def_doc;            /* man page wording of a computed default */
	unsigned long min, max;         /* numbers (durations in ms); lists: max items */
	const char *const *words;       /* CT_ENUM: allowed words, index = value */
	config_check_fn check;          /* strings and list items */
	const char *doc;
	size_t offset;
};

/* The snapshot and what only this file needs to know about it. */
struct config_box {
	atomic_uint refs;
	struct arena *arena;
	struct config c;
};

static const char *check_user(const char *v);
static const char *check_path(const char *v);
static const char *check_dns_server(const char *v);
static const char *check_domain(const char *v);
static const char *check_reject_reply(const char *v);
static const char *check_override(const char *v);

static const char *const words_on_error[] = { "accept", "tempfail", NULL };
static const char *const words_log_format[] = { "text", "json", NULL };
static const char *const words_bool[] = { "no", "yes", NULL };
/* Index order = enum dmarc_mode. */
static const char *const words_dmarc_mode[] = { "rfc9989", "rfc7489", NULL };
static const char *const words_enforce[] = { "off", "quarantine", "on", NULL };
static const char *const words_log_level[] = {
	"err", "warning", "notice", "info", "debug", NULL
};

#define OFF(f) offsetof(struct config, f)
#define SEC 1000UL

static const struct config_entry config_table[] = {
	{ "authserv_id", CT_HOSTNAME, "name", NULL,
	  "this host's name as gethostname(2) returns it.", 0, 0, NULL, NULL,
	  "The authserv-id in our Authentication-Results header. "
	  "Incoming Authentication-Results headers claiming it are removed. "
	  "Set it when the host name is not fully qualified.",
	  OFF(authserv_id) },
	{ "socket", CT_SOCKET, "spec", "unix:/run/compauthd/compauthd.sock", NULL,
	  0, 0, NULL, NULL,
	  "Where the MTA connects: unix:/path or local:/path for a UNIX-domain "
	  "socket, inet:PORT@ADDR or inet6:PORT@ADDR for TCP, where ADDR is an "
	  "address of that family or a host name. "
	  "Without @ADDR the port is opened on every address.",
	  OFF(socket) },
	{ "socket_owner", CT_STRING, "user", "", NULL, 0, 0, NULL, check_user,
	  "Owner (name or number) given to a UNIX-domain socket. "
	  "Empty leaves it as created.",
	  OFF(socket_owner) },
	{ "socket_group", CT_STRING, "group", "", NULL, 0, 0, NULL, check_user,
	  "Group (name or number) given to a UNIX-domain socket. "
	  "Empty leaves it as created.",
	  OFF(socket_group) },
	{ "socket_mode", CT_MODE, NULL, "0660", NULL, 0, 0777, NULL, NULL,
	  "Permissions of a UNIX-domain socket, in octal.",
	  OFF(socket_mode) },
	{ "user", CT_STRING, "user", "compauthd", NULL, 0, 0, NULL, check_user,
	  "User to run as once the socket is open. "
	  "Empty keeps the user the daemon was started as.",
	  OFF(user) },
	{ "group", CT_STRING, "group", "", NULL, 0, 0, NULL, check_user,
	  "Group to run as. "
	  "Empty means the primary group of user.",
	  OFF(group) },
	{ "pidfile", CT_STRING, "path", "/run/compauthd/compauthd.pid", NULL,
	  0, 0, NULL, check_path,
	  "File the process id is written to, an absolute path. "
	  "Empty writes none.",
	  OFF(pidfile) },
	{ "dns_servers", CT_STRLIST, "servers", "", NULL, 0, 16, NULL, check_dns_server,
	  "Name servers to ask, each IP, IP:port or [IPv6]:port, separated by "
	  "commas or white space, at most 16. "
	  "Empty uses those in /etc/resolv.conf.",
	  OFF(dns_servers) },
	{ "dns_timeout", CT_DURATION, NULL, "2s", NULL, 100, 30 * SEC, NULL, NULL,
	  "How long to wait for one answer from one name server before trying "
	  "again or the next one.",
	  OFF(dns_timeout_ms) },
	{ "message_dns_deadline", CT_DURATION, NULL, "8s", NULL, 100, 120 * SEC,
	  NULL, NULL,
	  "How long the end of a message may wait for its outstanding DNS answers. "
	  "An answer still missing then counts as a temporary DNS error.",
	  OFF(message_dns_deadline_ms) },
	{ "dns_query_budget", CT_UINT, NULL, "64", NULL, 1, 10000, NULL, NULL,
	  "The most DNS queries one message may make, cache hits included. "
	  "Lookups beyond it fail.",
	  OFF(dns_query_budget) },
	{ "dns_cache_entries", CT_UINT, NULL, "10000", NULL, 0, 10000000, NULL, NULL,
	  "Answers kept in the DNS cache shared by all messages. "
	  "0 turns the cache off.",
	  OFF(dns_cache_entries) },
	{ "zone_file", CT_STRING, "path", "", NULL, 0, 0, NULL, check_path,
	  "Offline resolver: answer every DNS query from this file, an absolute "
	  "path, instead of the network; see compauthd-zone(5). "
	  "Empty uses real DNS.",
	  OFF(zone_file) },
	{ "zone_delay", CT_DURATION, NULL, "0s", NULL, 0, 10 * SEC, NULL, NULL,
	  "With zone_file: how long each answer takes, a simulated DNS round "
	  "trip for benchmarks and demonstrations.",
	  OFF(zone_delay_ms) },
	{ "trusted_clients", CT_CIDRLIST, "networks", "", NULL, 0, 1024, NULL, NULL,
	  "Clients whose mail is not checked (compauth=none, reason 3xx): "
	  "addresses or CIDR blocks separated by commas or white space. "
	  "Mail from localhost is often the MTA's own, but it is checked unless "
	  "listed, for example as 127.0.0.1/32, ::1/128.",
	  OFF(trusted_clients) },
	{ "max_headers", CT_UINT, NULL, "1000", NULL, 1, 100000, NULL, NULL,
	  "The most header fields a message may have before it is oversize; "
	  "see on_oversize.",
	  OFF(max_headers) },
	{ "max_header_bytes", CT_UINT, NULL, "1048576", NULL, 1024, 67108864,
	  NULL, NULL,
	  "The most bytes of header fields a message may have before it is "
	  "oversize; see on_oversize.",
	  OFF(max_header_bytes) },
	{ "shutdown_timeout", CT_DURATION, NULL, "30s", NULL, 0, 600 * SEC, NULL, NULL,
	  "On SIGTERM, how long messages in progress may take to finish before "
	  "the daemon exits anyway.",
	  OFF(shutdown_timeout_ms) },
	{ "on_oversize", CT_ENUM, NULL, "accept", NULL, 0, 0, words_on_error, NULL,
	  "What to do with an oversize message: accept checks it with the header "
	  "fields within the limits and passes it on, tempfail asks the sender to "
	  "try again later.",
	  OFF(on_oversize) },
	{ "log_level", CT_LOGLEVEL, NULL, "info", NULL, 0, 0, words_log_level, NULL,
	  "The least severe level logged.",
	  OFF(log_level) },
	{ "log_format", CT_ENUM, NULL, "text", NULL, 0, 0, words_log_format, NULL,
	  "Log lines as plain text, or as one JSON object each.",
	  OFF(log_format) },
	{ "on_dns_error", CT_ENUM, NULL, "accept", NULL, 0, 0, words_on_error, NULL,
	  "What to do when a DNS failure prevents a verdict (compauth reason 905): "
	  "accept passes the message on with the temporary error recorded, "
	  "tempfail asks the sender to try again later.",
	  OFF(on_dns_error) },
	{ "spf_received_header", CT_ENUM, NULL, "no", NULL, 0, 0, words_bool, NULL,
	  "Also add a Received-SPF header (RFC 7208 section 9.1) with the SPF "
	  "result of the MAIL FROM identity.",
	  OFF(spf_received_header) },
	{ "max_dkim_signatures", CT_UINT, NULL, "10", NULL, 1, 50, NULL, NULL,
	  "DKIM signatures verified per message, in header order; later ones are "
	  "ignored (and logged).",
	  OFF(max_dkim_signatures) },
	{ "min_rsa_bits", CT_UINT, NULL, "1024", NULL, 1024, 16384, NULL, NULL,
	  "RSA keys shorter than this fail DKIM verification (RFC 8301 section 3.2).",
	  OFF(min_rsa_bits) },
	{ "dkim_strict_l", CT_ENUM, NULL, "no", NULL, 0, 0, words_bool, NULL,
	  "A signature with l= that leaves part of the body unsigned: no passes "
	  "it with a note in the comment, yes fails it (RFC 6376 section 8.2).",
	  OFF(dkim_strict_l) },
	{ "dmarc_mode", CT_ENUM, NULL, "rfc9989", NULL, 0, 0, words_dmarc_mode, NULL,
	  "How DMARC finds the policy and the organizational domain: rfc9989 "
	  "walks the DNS tree (psd=, np=, t=; pct= is not used), rfc7489 uses "
	  "the public suffix list and honours pct=.",
	  OFF(dmarc_mode) },
	{ "dmarc_enforce", CT_ENUM, NULL, "off", NULL, 0, 0, words_enforce, NULL,
	  "What a DMARC failure does beyond the header: off only stamps; "
	  "quarantine quarantines p=quarantine and p=reject failures; on rejects "
	  "p=reject failures (see dmarc_reject_reply) and quarantines "
	  "p=quarantine failures.",
	  OFF(dmarc_enforce) },
	{ "dmarc_reject_reply", CT_STRING, "reply",
	  "550 5.7.1 Email rejected per DMARC policy for %d", NULL, 0, 0, NULL,
	  check_reject_reply,
	  "The SMTP reply for a rejected DMARC failure: a 5xx code, an enhanced "
	  "status code 5.x.y and text; %d stands for the author domain.",
	  OFF(dmarc_reject_reply) },
	{ "reject_bad_from", CT_ENUM, NULL, "no", NULL, 0, 0, words_bool, NULL,
	  "Mail whose From header gives no single author domain (none, several "
	  "From headers, addresses in different domains, no domain) gets "
	  "dmarc=permerror; yes also rejects it (with dmarc_enforce = on).",
	  OFF(reject_bad_from) },
	{ "local_domains", CT_STRLIST, "domains", "", NULL, 0, 1024, NULL, check_domain,
	  "Our own domains (and their subdomains): a DMARC failure for one of "
	  "them is compauth=fail reason=010.",
	  OFF(local_domains) },
	{ "allow_from", CT_STRLIST, "domains", "", NULL, 0, 1024, NULL, check_domain,
	  "Author domains (and their subdomains) exempt from DMARC enforcement: "
	  "compauth=none reason=401, never rejected or quarantined for DMARC.",
	  OFF(allow_from) },
	{ "dmarc_override", CT_STRLIST, "domain=policy", "", NULL, 0, 1024, NULL, check_override,
	  "Local policy for DMARC failures of an author domain (and its "
	  "subdomains), used instead of the published one when enforcing "
	  "(dmarc_enforce): none, quarantine or reject; e.g. "
	  "partner.example=none.",
	  OFF(dmarc_override) },
};

#define CONFIG_NSETTINGS (sizeof(config_table) / sizeof(config_table[0]))

static pthread_mutex_t config_cur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config_box *config_cur;

/* Where each field lives; the table's offsets say which. */
#define FIELD(c, e, type) ((type *)(void *)((char *)(c) + (e)->offset))

static struct config_box *
config_box_of(const struct config *c)
{
	return (struct config_box *)(void *)((char *)c - offsetof(struct config_box, c));
}

/* ---- checks shared by several types ---- */

static bool
config_is_hostname(const char *s)
{
	size_t total = strlen(s), label = 0;
	const char *p;

	if (total == 0 || total > 253 || s[0] == '.' || s[total - 1] == '.')
		return false;
	for (p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (*p == '-' && label > 0)))
			return false;
		if (++label > 63)
			return false;
	}
	return p[-1] != '-';
}

/*
 * Decimal digits only, no sign. A value past max comes back as ULONG_MAX,
 * so the caller reports it as out of range rather than as not a number.
 */
static bool
config_parse_ulong(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v != ULONG_MAX && v > (max - (unsigned long)(s[i] - '0')) / 10)
			v = ULONG_MAX;
		else if (v != ULONG_MAX)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool
config_parse_port(const char *s, size_t len)
{
	unsigned long port;

	return config_parse_ulong(s, len, 65535, &port) && port >= 1 && port <= 65535;
}

static const char *
check_user(const char *v)
{
	const char *p;

	/* What getpwnam() and chown(1) will take: no separators, no blanks. */
	for (p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || (*p == '$' && p[1] == '\0' && p != v)))
			return "a user or group name, a number, or \"\"";
	if (v[0] == '-')
		return "a user or group name, a number, or \"\"";
	return NULL;
}

static const char *
check_path(const char *v)
{
	/* The daemon changes directory; a relative path would change meaning. */
	if (v[0] != '\0' && v[0] != '/')
		return "an absolute path or \"\"";
	return NULL;
}

static const char *
check_dns_server(const char *v)
{
	static const char *const want = "IP, IP:port or [IPv6]:port";
	struct netaddr a;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *end;
	size_t hlen;

	if (v[0] == '[') {
		end = strchr(v, ']');
		if (end == NULL)
			return want;
		hlen = (size_t)(end - v - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return want;
		memcpy(host, v + 1, hlen);
		host[hlen] = '\0';
		if (!netaddr_parse(host, &a) || a.family != AF_INET6)
			return want;
		if (end[1] == '\0')
			return NULL;
		if (end[1] != ':' || !config_parse_port(end + 2, strlen(end + 2)))
			return want;
		return NULL;
	}
	if (netaddr_parse(v, &a))
		return NULL;
	colon = strchr(v, ':');
	if (colon == NULL || strchr(colon + 1, ':') != NULL)
		return want;
	hlen = (size_t)(colon - v);
	if (hlen == 0 || hlen >= sizeof(host))
		return want;
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	if (!netaddr_parse(host, &a) || a.family != AF_INET)
		return want;
	if (!config_parse_port(colon + 1, strlen(colon + 1)))
		return want;
	return NULL;
}

static const char *
check_domain(const char *v)
{
	return config_is_hostname(v) ? NULL : "a domain name";
}

/* "domain=none|quarantine|reject" */
static const char *
check_override(const char *v)
{
	static const char *const want = "domain=none, domain=quarantine or domain=reject";
	const char *eq = strchr(v, '=');
	char dom[256];

	if (eq == NULL || (size_t)(eq - v) >= sizeof(dom))
		return want;
	memcpy(dom, v, (size_t)(eq - v));
	dom[eq - v] = '\0';
	if (!config_is_hostname(dom))
		return want;
	if (strcmp(eq + 1, "none") != 0 && strcmp(eq + 1, "quarantine") != 0 &&
	    strcmp(eq + 1, "reject") != 0)
		return want;
	return NULL;
}

/* "5xx 5.x.y text": what smfi_setreply() accepts for a rejection. */
static const char *
check_reject_reply(const char *v)
{
	static const char *const want = "a reply like \"550 5.7.1 text\"";
	const char *p = v;
	int dots = 0;

	if (!(p[0] == '5' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    p[3] == ' ' && p[4] == '5' && p[5] == '.'))
		return want;
	for (p += 6; *p && *p != ' '; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			return want;
	}
	if (dots != 1 || *p != ' ' || p[1] == '\0' || strchr(v, '\n') || strchr(v, '\r'))
		return want;
	return NULL;
}

/* libmilter's forms; returns NULL or what was expected. */
static const char *
check_socket(const char *v)
{
	static const char *const want =
	    "unix:/path, local:/path, inet:PORT@ADDR or inet6:PORT@ADDR";
	const char *rest, *at;
	struct netaddr a;
	int family;

	if (strncmp(v, "unix:", 5) == 0 || strncmp(v, "local:", 6) == 0) {
		rest = strchr(v, ':') + 1;
		if (rest[0] != '/')
			return "an absolute path after unix: or local:";
		if (strlen(rest) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return "a UNIX-domain socket path shorter than 108 bytes";
		return NULL;
	}
	if (strncmp(v, "inet:", 5) == 0) {
		rest = v + 5;
		family = AF_INET;
	} else if (strncmp(v, "inet6:", 6) == 0) {
		rest = v + 6;
		family = AF_INET6;
	} else
		return want;
	at = strchr(rest, '@');
	if (!config_parse_port(rest, at ? (size_t)(at - rest) : strlen(rest)))
		return "a port from 1 to 65535 after inet: or inet6:";
	if (at == NULL)
		return NULL;
	if (netaddr_parse(at + 1, &a)) {
		if (a.family != family)
			return family == AF_INET ? "an IPv4 address after inet:PORT@" :
			    "an IPv6 address after inet6:PORT@";
		return NULL;
	}
	/* All digits and dots is a mistyped address, not a host name. */
	if (strspn(at + 1, "0123456789.") == strlen(at + 1) || !config_is_hostname(at + 1))
		return "an IP address or host name after @";
	return NULL;
}

/* ---- values: text to field ---- */

/* Duration text to milliseconds; false on syntax or overflow. */
static bool
config_parse_duration(const char *s, unsigned long *ms)
{
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	unsigned long v, mult;

	if (unit[0] == '\0' || strcmp(unit, "s") == 0)
		mult = 1000;
	else if (strcmp(unit, "ms") == 0)
		mult = 1;
	else if (strcmp(unit, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(unit, "h") == 0)
		mult = 3600 * 1000;
	else
		return false;
	if (!config_parse_ulong(s, n, UINT_MAX, &v))
		return false;
	*ms = v > UINT_MAX / mult ? ULONG_MAX : v * mult;
	return true;
}

/* The shortest exact spelling: 2m rather than 120s or 120000ms. */
static void
config_format_duration(unsigned long ms, char *buf, size_t len)
{
	if (ms != 0 && ms % (3600 * 1000) == 0)
		snprintf(buf, len, "%luh", ms / (3600 * 1000));
	else if (ms != 0 && ms % (60 * 1000) == 0)
		snprintf(buf, len, "%lum", ms / (60 * 1000));
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%lus", ms / 1000);
	else
		snprintf(buf, len, "%lums", ms);
}

static void
config_format_number(const struct config_entry *e, unsigned long v, char *buf, size_t len)
{
	if (e->type == CT_DURATION)
		config_format_duration(v, buf, len);
	else if (e->type == CT_MODE)
		snprintf(buf, len, "%04lo", v);
	else
		snprintf(buf, len, "%lu", v);
}

/* Number-like text to its value; returns NULL or what was expected. */
static const char *
config_parse_number(const struct config_entry *e, const char *v, unsigned long *num)
{
	size_t len = strlen(v);

	switch (e->type) {
	case CT_DURATION:
		if (!config_parse_duration(v, num))
			return "a duration such as 500ms, 5s, 2m or 1h (a bare number is seconds)";
		return NULL;
	case CT_MODE:
		if (len == 0 || len > 6 || strspn(v, "01234567") != len)
			return "an octal mode such as 0660";
		*num = strtoul(v, NULL, 8);
		return NULL;
	default:
		if (!config_parse_ulong(v, len, UINT_MAX, num))
			return "a number";
		return NULL;
	}
}

/* 192.0.2.1/24 is a typo for a host or a network; refuse to guess which. */
static bool
config_cidr_is_network(const struct cidr *c)
{
	unsigned len = c->net.family == AF_INET ? 4 : 16, i, bit;

	for (i = 0; i < len * 8; i++) {
		bit = (c->net.addr[i / 8] >> (7 - i % 8)) & 1;
		if (i >= c->bits && bit)
			return false;
	}
	return true;
}

/* A bad value as an error message may quote it: bounded, printable. */
static void
config_show(const char *v, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; v[i] != '\0' && o + 4 < len && i < CONFIG_SHOW_MAX; i++)
		buf[o++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	if (v[i] != '\0' && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* Items of a list value: split on commas and white space, empties dropped. */
static size_t
config_split(struct arena *a, const char *v, char ***out)
{
	size_t n = 0, cap = 0, len;
	char **items = NULL, **grown;
	const char *p = v;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = arena_alloc(a, cap * sizeof(*grown));
			if (n > 0)
				memcpy(grown, items, n * sizeof(*grown));
			items = grown;
		}
		items[n++] = arena_strndup(a, p, len);
		p += len;
	}
	*out = items;
	return n;
}

/*
 * Stores value v into e's field of c. Returns false with the reason in why
 * (without the "FILE:LINE: " prefix, which the caller knows).
 */
static bool
config_set(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], lo[32], hi[32];
	const char *expected = NULL;
	unsigned long num;
	size_t i, n;
	char **items;
	int w;

	switch (e->type) {
	case CT_STRING:
		if (e->check != NULL && (expected = e->check(v)) != NULL)
			break;
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_HOSTNAME:
		if (!config_is_hostname(v)) {
			expected = "a host name (letters, digits, '-', '_' and dots)";
			break;
		}
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_SOCKET:
		if ((expected = check_socket(v)) != NULL)
			break;
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_UINT:
	case CT_DURATION:
	case CT_MODE:
		if ((expected = config_parse_number(e, v, &num)) != NULL)
			break;
		if (num < e->min || num > e->max) {
			config_format_number(e, e->min, lo, sizeof(lo));
			config_format_number(e, e->max, hi, sizeof(hi));
			config_show(v, shown, sizeof(shown));
			snprintf(why, whylen, "%s: %s is out of range (%s to %s)",
			    e->name, shown, lo, hi);
			return false;
		}
		*FIELD(c, e, unsigned) = (unsigned)num;
		return true;
	case CT_ENUM:
		for (w = 0; e->words[w] != NULL; w++)
			if (strcasecmp(v, e->words[w]) == 0) {
				*FIELD(c, e, int) = w;
				return true;
			}
		config_show(v, shown, sizeof(shown));
		n = (size_t)snprintf(why, whylen, "%s: expected one of", e->name);
		for (w = 0; e->words[w] != NULL && n < whylen; w++)
			n += (size_t)snprintf(why + n, whylen - n, "%s %s",
			    w ? (e->words[w + 1] ? "," : " or") : "", e->words[w]);
		if (n < whylen)
			snprintf(why + n, whylen - n, ", got '%s'", shown);
		return false;
	case CT_LOGLEVEL:
		if ((w = log_level_parse(v)) < 0) {
			expected = "a log level: err, warning, notice, info or debug";
			break;
		}
		*FIELD(c, e, int) = w;
		return true;
	case CT_STRLIST:
	case CT_CIDRLIST:
		n = config_split(a, v, &items);
		if (n > e->max) {
			snprintf(why, whylen, "%s: more than %lu items", e->name, e->max);
			return false;
		}
		if (e->type == CT_STRLIST) {
			for (i = 0; i < n; i++)
				if (e->check != NULL && (expected = e->check(items[i])) != NULL) {
					v = items[i];
					break;
				}
			if (expected != NULL)
				break;
			FIELD(c, e, struct str_list)->n = n;
			FIELD(c, e, struct str_list)->v = items;
			return true;
		} else {
			struct cidr *cv = arena_alloc(a, (n ? n : 1) * sizeof(*cv));

			for (i = 0; i < n; i++) {
				if (!cidr_parse(items[i], &cv[i])) {
					config_show(items[i], shown, sizeof(shown));
					snprintf(why, whylen, "%s: expected an IP address or "
					    "CIDR block (192.0.2.0/24, 2001:db8::/32), got '%s'",
					    e->name, shown);
					return false;
				}
				if (!config_cidr_is_network(&cv[i])) {
					config_show(items[i], shown, sizeof(shown));
					snprintf(why, whylen, "%s: '%s' has bits set after "
					    "the prefix length; write the network address",
					    e->name, shown);
					return false;
				}
			}
			FIELD(c, e, struct cidr_list)->n = n;
			FIELD(c, e, struct cidr_list)->v = cv;
			return true;
		}
	}
	config_show(v, shown, sizeof(shown));
	snprintf(why, whylen, "%s: expected %s, got '%s'", e->name,
	    expected ? expected : "a valid value", shown);
	return false;
}

/* ---- the file ---- */

static const struct config_entry *
config_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < CONFIG_NSETTINGS; i++)
		if (strcmp(config_table[i].name, name) == 0)
			return &config_table[i];
	return NULL;
}

/*
 * Splits one line (NUL-terminated, in place) into its setting and value.
 * Returns 0 for a blank or comment line, 1 for a setting, -1 with why.
 */
static int
config_split_line(char *line, const struct config_entry **ep, char **valuep,
    char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], *p, *name, *v, *o;
	const struct config_entry *e;
	size_t n;
	bool eq;

	for (p = line; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(why, whylen, "control character (0x%02x) in line",
			    (unsigned char)*p);
			return -1;
		}
	p = line + strspn(line, " \t");
	if (*p == '\0' || *p == '#')
		return 0;
	name = p;
	n = strcspn(p, " \t=");
	if (n == 0) {
		snprintf(why, whylen, "expected 'name = value'");
		return -1;
	}
	p += n;
	v = p + strspn(p, " \t");
	eq = *v == '=';
	*p = '\0';
	if ((e = config_lookup(name)) == NULL) {
		config_show(name, shown, sizeof(shown));
		snprintf(why, whylen, "unknown setting '%s'", shown);
		return -1;
	}
	if (!eq) {
		snprintf(why, whylen, "%s: expected '=' after the name", e->name);
		return -1;
	}
	v++;
	v += strspn(v, " \t");
	*ep = e;
	*valuep = v;
	if (*v == '"') {
		/* Quoted: \" and \\ are the only escapes; unquote in place. */
		for (p = o = v, p++; *p != '"'; p++) {
			if (*p == '\0') {
				snprintf(why, whylen, "%s: unterminated quoted value", e->name);
				return -1;
			}
			if (*p == '\\') {
				p++;
				if (*p != '"' && *p != '\\') {
					snprintf(why, whylen, "%s: in a quoted value only \\\" "
					    "and \\\\ may follow a backslash", e->name);
					return -1;
				}
			}
			*o++ = *p;
		}
		*o = '\0';
		p++;
		p += strspn(p, " \t");
		if (*p != '\0' && *p != '#') {
			snprintf(why, whylen, "%s: unexpected text after the quoted value",
			    e->name);
			return -1;
		}
		return 1;
	}
	/* Unquoted: a '#' at the start or after white space begins a comment. */
	for (p = v; *p; p++)
		if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	for (n = strlen(v); n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
		v[n - 1] = '\0';
	return 1;
}

static struct config_box *
config_box_new(void)
{
	struct config_box *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		fputs("compauthd: out of memory\n", stderr);
		abort();
	}
	atomic_init(&b->refs, 1);
	b->arena = arena_new();
	return b;
}

/* The one computed default, authserv_id: this host's name. */
static void
config_default_hostname(struct config *c, struct arena *a, const struct config_entry *e)
{
	char host[256];

	/* The name as the host knows it; no DNS at start-up (it may be down). */
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	*FIELD(c, e, char *) = arena_strdup(a, config_is_hostname(host) ? host : "localhost");
}

struct config *
config_defaults(void)
{
	struct config_box *b = config_box_new();
	char why[256];
	size_t i;

	for (i = 0; i < CONFIG_NSETTINGS; i++) {
		const struct config_entry *e = &config_table[i];

		if (e->def == NULL) {
			config_default_hostname(&b->c, b->arena, e);
			continue;
		}
		if (!config_set(&b->c, b->arena, e, e->def, why, sizeof(why))) {
			/* The table contradicts itself; the unit tests catch this first. */
			fprintf(stderr, "compauthd: bad built-in default: %s\n", why);
			abort();
		}
	}
	return &b->c;
}

static void
config_error(char *err, size_t errlen, const char *name, unsigned line, const char *why)
{
	if (err == NULL || errlen == 0)
		return;
	if (line == 0)
		snprintf(err, errlen, "%s: %s", name, why);
	else
		snprintf(err, errlen, "%s:%u: %s", name, line, why);
}

struct config *
config_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	unsigned seen[CONFIG_NSETTINGS] = { 0 }, lineno = 0;
	const char *p = text, *end = text != NULL ? text + len : text, *nl;
	const struct config_entry *e;
	char line[CONFIG_LINE_MAX + 1], why[512], *v;
	struct config_box *b;
	struct config *c;
	size_t llen, idx;
	int r;

	if (name == NULL)
		name = "(config)";
	c = config_defaults();
	b = config_box_of(c);
	c->path = arena_strdup(b->arena, name);
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (llen > 0 && p[llen - 1] == '\r')
			llen--;
		if (llen > CONFIG_LINE_MAX) {
			snprintf(why, sizeof(why), "line longer than %d bytes", CONFIG_LINE_MAX);
			goto fail;
		}
		if (memchr(p, '\0', llen) != NULL) {
			snprintf(why, sizeof(why), "NUL byte in line");
			goto fail;
		}
		memcpy(line, p, llen);
		line[llen] = '\0';
		p = nl ? nl + 1 : end;

		r = config_split_line(line, &e, &v, why, sizeof(why));
		if (r < 0)
			goto fail;
		if (r == 0)
			continue;
		idx = (size_t)(e - config_table);
		if (seen[idx] != 0) {
			snprintf(why, sizeof(why), "%s: already set on line %u",
			    e->name, seen[idx]);
			goto fail;
		}
		seen[idx] = lineno;
		if (!config_set(c, b->arena, e, v, why, sizeof(why)))
			goto fail;
	}
	return c;
fail:
	config_error(err, errlen, name, lineno, why);
	config_free(&c);
	return NULL;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *c;
	char *text, why[256];
	size_t len = 0, got;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		config_error(err, errlen, path, 0, why);
		return NULL;
	}
	/* One byte more than allowed tells a full file from a too big one. */
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		fclose(f);
		config_error(err, errlen, path, 0, "out of memory");
		return NULL;
	}
	while (len <= CONFIG_FILE_MAX &&
	    (got = fread(text + len, 1, CONFIG_FILE_MAX + 1 - len, f)) > 0)
		len += got;
	if (ferror(f)) {
		snprintf(why, sizeof(why), "cannot read: %s", strerror(errno));
		config_error(err, errlen, path, 0, why);
		c = NULL;
	} else if (len > CONFIG_FILE_MAX) {
		snprintf(why, sizeof(why), "larger than %d bytes", CONFIG_FILE_MAX);
		config_error(err, errlen, path, 0, why);
		c = NULL;
	} else
		c = config_parse(path, text, len, err, errlen);
	fclose(f);
	free(text);
	return c;
}

/* Drops one reference; the last one frees the snapshot. */
void
config_free(struct config **cp)
{
	struct config_box *b;

	if (cp == NULL || *cp == NULL)
		return;
	b = config_box_of(*cp);
	*cp = NULL;
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		arena_free(&b->arena);
		free(b);
	}
}

/* ---- output: `compauthd -n` and the man page ---- */

/* A setting's value as the file would spell it (unquoted). */
static char *
config_value_text(const struct config *c, const struct config_entry *e, struct arena *a)
{
	char buf[INET6_ADDRSTRLEN + 8], *s, *o;
	size_t i, n, len;

	switch (e->type) {
	case CT_STRING:
	case CT_HOSTNAME:
	case CT_SOCKET:
		return arena_strdup(a, *FIELD(c, e, char *const));
	case CT_UINT:
	case CT_DURATION:
	case CT_MODE:
		config_format_number(e, *FIELD(c, e, const unsigned), buf, sizeof(buf));
		return arena_strdup(a, buf);
	case CT_ENUM:
		return arena_strdup(a, e->words[*FIELD(c, e, const int)]);
	case CT_LOGLEVEL:
		return arena_strdup(a, log_level_name(*FIELD(c, e, const int)));
	case CT_STRLIST:
		n = FIELD(c, e, const struct str_list)->n;
		for (i = 0, len = 1; i < n; i++)
			len += strlen(FIELD(c, e, const struct str_list)->v[i]) + 2;
		o = s = arena_alloc(a, len);
		for (i = 0; i < n; i++)
			o += sprintf(o, "%s%s", i ? ", " : "",
			    FIELD(c, e, const struct str_list)->v[i]);
		return s;
	case CT_CIDRLIST:
		n = FIELD(c, e, const struct cidr_list)->n;
		o = s = arena_alloc(a, n * (INET6_ADDRSTRLEN + 8) + 1);
		for (i = 0; i < n; i++) {
			const struct cidr *ci = &FIELD(c, e, const struct cidr_list)->v[i];

			o += sprintf(o, "%s%s/%u", i ? ", " : "",
			    netaddr_str(&ci->net, buf, sizeof(buf)), ci->bits);
		}
		return s;
	}
	return arena_strdup(a, "");
}

/* Quoted when it would not read back the same bare. */
static void
config_put_value(const char *v, FILE *out)
{
	if (*v != '\0' && strpbrk(v, " \t#\"\\") == NULL) {
		fputs(v, out);
		return;
	}
	putc('"', out);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putc('\\', out);
		putc(*v, out);
	}
	putc('"', out);
}

void
config_dump(const struct config *c, FILE *out)
{
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < CONFIG_NSETTINGS; i++) {
		fprintf(out, "%s = ", config_table[i].name);
		config_put_value(config_value_text(c, &config_table[i], a), out);
		putc('\n', out);
	}
	arena_free(&a);
}

static const char *
config_type_arg(const struct config_entry *e)
{
	if (e->arg != NULL)
		return e->arg;
	switch (e->type) {
	case CT_UINT:
		return "number";
	case CT_DURATION:
		return "duration";
	case CT_MODE:
		return "mode";
	case CT_HOSTNAME:
		return "name";
	case CT_STRLIST:
	case CT_CIDRLIST:
		return "list";
	case CT_LOGLEVEL:
		return "level";
	default:
		return "string";
	}
}

/*
 * Plain text to mdoc: one sentence per line as mdoc wants, lines kept
 * under 80 bytes, and no line that roff could read as a request.
 */
static void
config_man_text(const char *s, FILE *out)
{
	size_t col = 0, n;

	while (*s) {
		n = strcspn(s, " ");
		if (col > 0 && col + 1 + n > 72) {
			putc('\n', out);
			col = 0;
		} else if (col > 0) {
			putc(' ', out);
			col++;
		}
		if (col == 0 && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		for (; n > 0; n--, s++, col++) {
			if (*s == '\\')
				fputs("\\e", out);
			else
				putc(*s, out);
		}
		if (col > 0 && s[-1] == '.' && *s == ' ') {
			putc('\n', out);
			col = 0;
		}
		s += strspn(s, " ");
	}
	if (col > 0)
		putc('\n', out);
}

void
config_man(FILE *out)
{
	char lo[32], hi[32];
	size_t i;
	int w;

	for (i = 0; i < CONFIG_NSETTINGS; i++) {
		const struct config_entry *e = &config_table[i];

		fprintf(out, ".It Cm %s Ns = Ns ", e->name);
		if (e->words != NULL) {
			fputs("Cm", out);
			for (w = 0; e->words[w] != NULL; w++)
				fprintf(out, "%s %s", w ? " |" : "", e->words[w]);
			putc('\n', out);
		} else
			fprintf(out, "Ar %s\n", config_type_arg(e));
		config_man_text(e->doc, out);
		if (e->type == CT_UINT || e->type == CT_DURATION) {
			config_format_number(e, e->min, lo, sizeof(lo));
			config_format_number(e, e->max, hi, sizeof(hi));
			fprintf(out, "From %s to %s.\n", lo, hi);
		} else if (e->type == CT_MODE) {
			config_format_number(e, e->max, hi, sizeof(hi));
			fprintf(out, "At most %s.\n", hi);
		}
		if (e->def == NULL) {
			fputs("Default: ", out);
			config_man_text(e->def_doc, out);
		} else if (e->def[0] == '\0')
			fputs("Default: empty.\n", out);
		else
			fprintf(out, "Default:\n.Ql %s .\n", e->def);
	}
}

/* ---- the current snapshot ---- */

/*
 * A mutex rather than a bare atomic pointer: between reading the pointer
 * and taking the reference, an install could otherwise drop the last
 * reference. Held for a few instructions, once per message.
 */
void
config_install(struct config *c)
{
	struct config_box *old;
	struct config *oc;

	pthread_mutex_lock(&config_cur_lock);
	old = config_cur;
	config_cur = c ? config_box_of(c) : NULL;
	pthread_mutex_unlock(&config_cur_lock);
	if (old != NULL) {
		oc = &old->c;
		config_free(&oc);
	}
}

struct config *
config_acquire(void)
{
	struct config *c = NULL;

	pthread_mutex_lock(&config_cur_lock);
	if (config_cur != NULL) {
		atomic_fetch_add_explicit(&config_cur->refs, 1, memory_order_relaxed);
		c = &config_cur->c;
	}
	pthread_mutex_unlock(&config_cur_lock);
	return c;
}

void
config_release(struct config **cp)
{
	config_free(cp);
}
