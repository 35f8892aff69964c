/*
 * The settings: one row each (name, type, default, range or words, check,
 * doc line, place in struct config), and the checks that narrow a value.
 * Everything else about settings (parsing, `compauthd -n`, the man page)
 * is derived from this table in config.c.
 */
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "config_int.h"
#include "metrics.h"
#include "netaddr.h"

static const char *check_user(const char *v);
static const char *check_path(const char *v);
static const char *check_dns_server(const char *v);
static const char *check_domain(const char *v);
static const char *check_reject_reply(const char *v);
static const char *check_override(const char *v);
static const char *check_domain_or_empty(const char *v);
static const char *check_sign_header(const char *v);
static const char *check_report_store(const char *v);
static const char *check_metrics_listen(const char *v);

static const char *const words_on_error[] = { "accept", "tempfail", NULL };
static const char *const words_log_format[] = { "text", "json", NULL };
/* Index order = enum log_facility (log.h). */
static const char *const words_syslog_facility[] = {
	"mail", "daemon", "user", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7", NULL
};
static const char *const words_bool[] = { "no", "yes", NULL };
/* Index order = enum authres_style. */
static const char *const words_authres_style[] = { "consumers", "microsoft", NULL };
/* Index order = enum dmarc_mode. */
static const char *const words_dmarc_mode[] = { "rfc9989", "rfc7489", NULL };
static const char *const words_enforce[] = { "off", "quarantine", "on", NULL };
static const char *const words_log_level[] = {
	"err", "warning", "notice", "info", "debug", NULL
};

#define OFF(f) offsetof(struct config, f)
#define SEC 1000UL

const struct config_entry config_table[] = {
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
	  "Empty: the user the daemon runs as (user, or who started it), "
	  "so that it can remove the socket at exit.",
	  OFF(socket_owner) },
	{ "socket_group", CT_STRING, "group", "", NULL, 0, 0, NULL, check_user,
	  "Group (name or number) given to a UNIX-domain socket. "
	  "Empty: the group the daemon runs as (group, or the primary group "
	  "of user). The MTA connects as a member of it (the Debian package "
	  "adds postfix to group compauthd), with socket_mode 0660.",
	  OFF(socket_group) },
	{ "socket_mode", CT_MODE, NULL, "0660", NULL, 0, 0777, NULL, NULL,
	  "Permissions of a UNIX-domain socket, in octal.",
	  OFF(socket_mode) },
	{ "user", CT_STRING, "user", "compauthd", NULL, 0, 0, NULL, check_user,
	  "User to run as. Started as root, the daemon opens the socket, "
	  "hands it to this user and drops to it; started as this user "
	  "already (the systemd unit's User=compauthd), it just runs. "
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
	  "commas or white space, at most 16, asked in that order: when one "
	  "times out, cannot be reached, or answers SERVFAIL, REFUSED or "
	  "NOTIMP, the next is asked. "
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
	  "The most DNS queries one message may make for the keys of its DKIM "
	  "signatures and ARC sets, cache hits included. "
	  "A key beyond it is not looked up and its signature or seal fails for "
	  "good (dkim=permerror, arc=fail), never a temporary error, which a "
	  "sender could cause at will. "
	  "SPF and DMARC have bounds of their own (SPF the limits of RFC 7208 "
	  "section 4.6.4, DMARC its tree walk), so a sender's own headers or "
	  "records can never spend the lookups the verdict needs. "
	  "The default covers max_dkim_signatures keys and an ARC chain of "
	  "more than 25 sets; a message asks at most once per distinct key, "
	  "and an ARC set only for the first seal and signature of each "
	  "instance while the chain can still pass.",
	  OFF(dns_query_budget) },
	{ "dns_cache_entries", CT_UINT, NULL, "10000", NULL, 0, 10000000, NULL, NULL,
	  "Answers kept in the DNS cache shared by all messages. "
	  "0 turns the cache off.",
	  OFF(dns_cache_entries) },
	{ "dns_cache_size", CT_UINT, NULL, "16777216", NULL, 65536, 1073741824, NULL, NULL,
	  "The most bytes the DNS cache may hold, counting records, names and "
	  "bookkeeping; the least recently used answers go first. "
	  "An answer bigger than 1/64 of it is used but not kept, so no single "
	  "answer can flush much of the cache. "
	  "With dns_cache_entries it bounds the cache's memory whatever names "
	  "senders make us look up (TXT answers reach 64 KiB each).",
	  OFF(dns_cache_size) },
	{ "zone_file", CT_STRING, "path", "", NULL, 0, 0, NULL, check_path,
	  "Offline resolver: answer every DNS query from this file, an absolute "
	  "path, instead of the network; see compauthd-zone(5). "
	  "Empty uses real DNS.",
	  OFF(zone_file) },
	{ "zone_delay", CT_DURATION, NULL, "0s", NULL, 0, 10 * SEC, NULL, NULL,
	  "With zone_file: how long each answer takes, a simulated DNS round "
	  "trip for benchmarks and demonstrations.",
	  OFF(zone_delay_ms) },
	{ "trusted_clients", CT_CIDRLIST, "networks", "127.0.0.0/8, ::1", NULL, 0, 1024, NULL,
	  NULL,
	  "Clients whose mail is not checked (compauth=none, reason 302): "
	  "addresses or CIDR blocks separated by commas or white space. "
	  "The default exempts localhost, where the host's own mail (cron, "
	  "non_smtpd_milters) comes from, as OpenDKIM and OpenDMARC do; an empty "
	  "value checks every client. "
	  "Like every list, it may name list files (file:/path), read again on "
	  "every reload; see List files.",
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
	{ "syslog_facility", CT_ENUM, NULL, "mail", NULL, 0, 0, words_syslog_facility, NULL,
	  "The syslog(3) facility of our lines when the daemon runs detached "
	  "(without -f), where they go to syslog as compauthd[pid]; in the "
	  "foreground they go to standard error and this is not used. "
	  "A reload applies it to the next line.",
	  OFF(syslog_facility) },
	{ "metrics_listen", CT_STRING, "address", "", NULL, 0, 0, NULL, check_metrics_listen,
	  "Where to serve Prometheus metrics over HTTP (GET /metrics): PORT or "
	  "localhost:PORT listens on 127.0.0.1, ADDR:PORT or [ADDR]:PORT on "
	  "that IPv4 or IPv6 address (0.0.0.0:PORT on every IPv4 address). "
	  "Empty: no listener, and nothing is counted. Changed by a restart, "
	  "not a reload.",
	  OFF(metrics_listen) },
	{ "on_dns_error", CT_ENUM, NULL, "accept", NULL, 0, 0, words_on_error, NULL,
	  "What to do when a temporary DNS failure could have changed the verdict: "
	  "the DMARC lookup itself (compauth=none reason=990), or an SPF, DKIM "
	  "or trusted-sealer ARC result of a domain that could align with the "
	  "author, under a failing verdict. accept passes the message on with "
	  "the temporary error recorded, tempfail asks the sender to try again "
	  "later, unless DMARC enforcement rejects the message anyway (a timeout "
	  "in the sender's own zone never turns a p=reject failure into a retry). "
	  "A temperror that decides nothing (a PTR timeout, a domain of someone "
	  "else) is only recorded.",
	  OFF(on_dns_error) },
	{ "spf_received_header", CT_ENUM, NULL, "no", NULL, 0, 0, words_bool, NULL,
	  "Also add a Received-SPF header (RFC 7208 section 9.1) with the SPF "
	  "result of the MAIL FROM identity.",
	  OFF(spf_received_header) },
	{ "authres_style", CT_ENUM, NULL, "consumers", NULL, 0, 0, words_authres_style, NULL,
	  "consumers: the spf, iprev, dkim, dmarc and arc results in one "
	  "Authentication-Results field and the compauth verdict in a second one "
	  "right below it, so that a strict reader (SpamAssassin's AuthRes plugin "
	  "drops a whole field at a method it does not know) skips only the "
	  "verdict; the ARC-Authentication-Results of a seal holds the first. "
	  "microsoft: one field ending in compauth=, without policy.dmarc, as "
	  "Microsoft 365 writes it (SpamAssassin then reads none of our results).",
	  OFF(authres_style) },
	{ "authres_polrec", CT_ENUM, NULL, "no", NULL, 0, 0, words_bool, NULL,
	  "Also name the DMARC policy record applied in the properties RFC 9989 "
	  "registers, polrec.p and polrec.domain. SpamAssassin 4.0 drops a field "
	  "holding them; policy.dmarc and its comment say the same to every reader.",
	  OFF(authres_polrec) },
	{ "max_dkim_signatures", CT_UINT, NULL, "10", NULL, 1, 50, NULL, NULL,
	  "DKIM signatures verified per message, in header order; later ones are "
	  "ignored (and logged).",
	  OFF(max_dkim_signatures) },
	{ "min_rsa_bits", CT_UINT, NULL, "1024", NULL, 1024, 16384, NULL, NULL,
	  "RSA keys shorter than this fail DKIM verification (RFC 8301 section 3.2).",
	  OFF(min_rsa_bits) },
	{ "dkim_strict_l", CT_ENUM, NULL, "yes", NULL, 0, 0, words_bool, NULL,
	  "A signature with l= that leaves part of the body unsigned: yes fails "
	  "it, no passes it with a note in the comment (RFC 6376 section 8.2). "
	  "The default is yes because anything can be appended after the signed "
	  "length, a whole forged message below a genuine signed one, and with "
	  "no it would ride on a dkim=pass and a DMARC pass; signers that use "
	  "l= are rare, and a signature whose l= covers the whole body still "
	  "passes.",
	  OFF(dkim_strict_l) },
	{ "dkim_clock_skew", CT_DURATION, NULL, "5m", NULL, 0, 3600 * SEC, NULL, NULL,
	  "How far a signing host's clock may run ahead of ours, or ours ahead "
	  "of its. A DKIM signature whose t= lies further than this in the "
	  "future fails (signature timestamp in the future), as RFC 6376 "
	  "section 3.5 allows; one less far ahead is verified as usual. Expiry "
	  "waits as long: a signature fails as expired only once its x= is this "
	  "far in the past. A signature whose x= is not after its t= is a "
	  "permerror whatever this says. Counted in whole seconds, as t= and x= "
	  "are; 0 allows no difference. The default is OpenDKIM's.",
	  OFF(dkim_clock_skew_ms) },
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
	{ "mailing_lists", CT_STRLIST, "domains", "", NULL, 0, 1024, NULL, check_domain,
	  "Mailing list domains whose lists may relay mail that fails DMARC: "
	  "when the message has exactly one List-Id whose identifier is the "
	  "domain or ends in .domain, and a DKIM signature with d= within the "
	  "domain passes (or SPF passes for a MAIL FROM domain within it), a "
	  "DMARC failure is not enforced, and aggregate reports say "
	  "mailing_list. The verdict itself stays fail.",
	  OFF(mailing_lists) },
	{ "arc_trusted_sealers", CT_STRLIST, "domains", "", NULL, 0, 1024, NULL, check_domain,
	  "ARC sealers (ARC-Seal d= domains, exactly) whose word is taken when "
	  "DMARC fails here: if the chain passes, its newest set was sealed by one "
	  "of them, that set's ARC-Message-Signature signs From, and its "
	  "ARC-Authentication-Results record dmarc=pass with header.from the "
	  "author domain or an aligned SPF or DKIM pass, the verdict is "
	  "compauth=pass reason=130 and the DMARC failure is not enforced "
	  "(action=oreject for p=reject). "
	  "A dmarc=pass without header.from names no author and does not count.",
	  OFF(arc_trusted_sealers) },
	{ "arc_sign_domain", CT_STRING, "domain", "", NULL, 0, 0, NULL, check_domain_or_empty,
	  "Seal every message we check with an ARC set (RFC 8617) signed as this "
	  "domain (d=). Sealing needs arc_sign_selector and arc_sign_key too; "
	  "empty turns it off.",
	  OFF(arc_sign_domain) },
	{ "arc_sign_selector", CT_STRING, "selector", "", NULL, 0, 0, NULL, check_domain_or_empty,
	  "The selector (s=) of the sealing key, published as a DKIM key record "
	  "at selector._domainkey.domain.",
	  OFF(arc_sign_selector) },
	{ "arc_sign_key", CT_STRING, "path", "", NULL, 0, 0, NULL, check_path,
	  "The sealing private key, PEM (RSA of 1024 bits or more for rsa-sha256, "
	  "or Ed25519 for ed25519-sha256), an absolute path. It is read at start "
	  "and on every reload, so the daemon's user must be able to read it; "
	  "a key file others may read or write is refused.",
	  OFF(arc_sign_key) },
	{ "arc_sign_headers", CT_STRLIST, "names",
	  "from, to, cc, subject, date, message-id, reply-to, mime-version, content-type",
	  NULL, 0, 64, NULL, check_sign_header,
	  "Header fields the ARC-Message-Signature covers; each present in the "
	  "message is signed as often as it occurs. From must be one of them; "
	  "ARC-Seal and Authentication-Results cannot be.",
	  OFF(arc_sign_headers) },
	{ "report_store", CT_STRING, "store", "/var/lib/compauthd/reports.db", NULL, 0, 0, NULL,
	  check_report_store,
	  "Where each evaluated message's DMARC facts are stored for "
	  "compauthd-report (aggregate reports, --summary): an SQLite file "
	  "(an absolute path, or sqlite:/path; its directory must be writable by "
	  "user), or a PostgreSQL URI (postgresql://...) for one store shared by "
	  "several MX hosts. Empty: no store. A store that cannot be opened at "
	  "start is logged and left off until a reload; mail is checked all the same.",
	  OFF(report_store) },
	{ "report_queue", CT_UINT, NULL, "10000", NULL, 1, 10000000, NULL, NULL,
	  "The most rows waiting for the store's writer thread. When it is full "
	  "(the store is slow or down) further rows are dropped and counted, "
	  "never waited for; the log says how many, at most once a minute.",
	  OFF(report_queue) },
	{ "report_retention", CT_UINT, "days", "400", NULL, 0, 100000, NULL, NULL,
	  "Days a message stays in report_store; older rows are deleted hourly. "
	  "0 keeps them all. Reports need only the last days; a year and a month "
	  "lets --summary compare a month with the same one a year before.",
	  OFF(report_retention) },
	{ "failure_reports", CT_ENUM, NULL, "no", NULL, 0, 0, words_bool, NULL,
	  "yes: keep a redacted sample of each message that fails DMARC under a "
	  "policy record with ruf= whose fo= asks for it (never psd=y), in "
	  "report_store, for compauthd-report --failure to send as an RFC 9991 "
	  "failure report. Only From, Sender, Reply-To, To, Cc, Subject, Date, "
	  "Message-ID and DKIM-Signature are kept (16 KiB at most), every "
	  "address's local part and display name replaced; never the body.",
	  OFF(failure_reports) },
	{ "history", CT_ENUM, NULL, "yes", NULL, 0, 0, words_bool, NULL,
	  "Implicit authentication, with report_store (off without one): learn "
	  "each author domain's sending infrastructure from mail that passes "
	  "DMARC, and the domains our authenticated users write to, and let "
	  "them turn compauth=fail reason=001 (no or a weak policy) into "
	  "softpass 210 or 220, or into fail 610 (compauthd(8), COMPAUTH). A "
	  "fail under p=quarantine or p=reject is never softened.",
	  OFF(history) },
	{ "history_threshold", CT_UINT, NULL, "5", NULL, 1, 1000000, NULL, NULL,
	  "How many times an identity, network or PTR domain must have been "
	  "seen on authenticated mail of an author domain (or how many messages "
	  "our users must have written to a domain) before it counts.",
	  OFF(history_threshold) },
	{ "history_retention", CT_UINT, "days", "180", NULL, 1, 100000, NULL, NULL,
	  "Days history keeps what it has not seen again.",
	  OFF(history_retention) },
	{ "history_max_domains", CT_UINT, NULL, "10000", NULL, 1, 10000000, NULL, NULL,
	  "The most author domains (and, apart, recipient domains) history keeps: "
	  "beyond it those with the fewest authenticated messages go first, so "
	  "that many domains with one message each cannot push out a domain "
	  "with a long record.",
	  OFF(history_max_domains) },
};

const size_t config_nsettings = sizeof(config_table) / sizeof(config_table[0]);
_Static_assert(sizeof(config_table) / sizeof(config_table[0]) <= CONFIG_MAX_SETTINGS,
    "raise CONFIG_MAX_SETTINGS");

/* ---- checks shared by several types ---- */

bool
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
bool
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
check_report_store(const char *v)
{
	if (v[0] == '\0' || strncmp(v, "postgresql://", 13) == 0 ||
	    strncmp(v, "postgres://", 11) == 0)
		return NULL;
	if (strncmp(v, "sqlite:", 7) == 0)
		v += 7;
	if (v[0] != '/')
		return "an absolute path, sqlite:/path, a postgresql:// URI or \"\"";
	return NULL;
}

static const char *
check_metrics_listen(const char *v)
{
	struct sockaddr_storage sa;
	socklen_t salen;

	return metrics_listen_parse(v, &sa, &salen);
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

static const char *
check_domain_or_empty(const char *v)
{
	return v[0] == '\0' || config_is_hostname(v) ? NULL : "a domain name or \"\"";
}

/* An RFC 5322 field name: printable, no colon. */
static const char *
check_sign_header(const char *v)
{
	const char *p;

	for (p = v; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ':')
			return "a header field name";
	if (p == v)
		return "a header field name";
	if (strcasecmp(v, "arc-seal") == 0 || strcasecmp(v, "authentication-results") == 0)
		return "a header field name other than ARC-Seal and Authentication-Results";
	return NULL;
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

const char *
config_check_socket(const char *v)
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
