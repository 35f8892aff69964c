/*
 * The settings of OpenDKIM (opendkim.conf(5), 2.11), OpenDMARC
 * (opendmarc.conf(5), 1.4) and OpenARC (openarc.conf(5), 1.0): one row
 * each, saying what the setting becomes in compauthd.conf or why it is
 * not carried over. Every key those programs' config tables accept is
 * here, so "unknown" means unknown to the program, not merely to us.
 *
 * A setting is carried only where its meaning is ours: OpenDKIM's
 * InternalHosts chooses whom to sign for, not whom to skip, so it does
 * not become trusted_clients although both are lists of clients.
 */
#include <stddef.h>
#include <strings.h>

#include "import_int.h"

#define DK IP_DKIM
#define DM IP_DMARC
#define AR IP_ARC
#define ALL (IP_DKIM | IP_DMARC | IP_ARC)

/* Reasons shared by many rows. */
#define SIGNING "signing: compauthd verifies and does not sign with DKIM"
#define REPORTS "DKIM failure reports (RFC 6651): compauthd sends none"
#define FAILREP "DMARC failure reports (RFC 9991): failure_reports = yes, sent by " \
	"compauthd-report --failure"
#define AGGREP "aggregate reports come from compauthd's own store (report_store) " \
	"through compauthd-report(8): no history file, no import script"
#define REPUTE "reputation, statistics and rate limits: compauthd has none"
#define LDAP "compauthd reads no LDAP, SQL or other database"
#define LUA "compauthd runs no Lua policy scripts"
#define SYSTEMD "process supervision: systemd restarts compauthd (Restart=on-failure " \
	"in compauthd.service)"
#define NOTMP "compauthd keeps messages in memory and writes no temporary files"
#define NOTEST "test settings: use compauthd -t MESSAGE --zone FILE"
#define RESOLVER "compauthd's resolver is c-ares: it does not validate DNSSEC itself; " \
	"point dns_servers at a validating resolver"
#define ONACT "compauthd never acts on a DKIM result alone; DMARC (dmarc_enforce) decides"
#define AUTHSERV "+compauthd's default authserv_id is this host's name"

static const struct imp_key imp_keys[] = {
	/* Identity, socket, process: all three programs. */
	{ "AuthservID", ALL, IK_AUTHSERV, "authserv_id", NULL, NULL },
	{ "AuthservIDWithJobID", DK | DM, IK_BOOL, NULL,
	  "-compauthd's authserv-id is the name alone, which readers match exactly",
	  "+compauthd's authserv-id is the name alone" },
	{ "Socket", ALL, IK_SOCKET, "socket", NULL, NULL },
	{ "UMask", ALL, IK_UMASK, "socket_mode", NULL, NULL },
	{ "UserID", ALL, IK_USER, "user", NULL, NULL },
	{ "PidFile", ALL, IK_STR, "pidfile", NULL, NULL },
	{ "Syslog", ALL, IK_BOOL, NULL,
	  "+compauthd logs to syslog unless run with -f (then to standard error)",
	  "-compauthd always logs (to syslog, or with -f to standard error); "
	  "log_level = err keeps it quiet" },
	{ "SyslogFacility", ALL, IK_FACILITY, "syslog_facility", NULL, NULL },
	{ "SyslogSuccess", DK, IK_BOOL, NULL,
	  "+compauthd logs one line of results per message at level info, its default",
	  "-compauthd logs each message's results at level info; log_level = notice "
	  "drops them with every other info line" },
	{ "LogWhy", DK, IK_BOOL, NULL,
	  "=log_level debug|OpenDKIM's detailed decision logging is compauthd's debug level",
	  "+compauthd logs at level info by default" },
	{ "LogResults", DK, IK_BOOL, NULL,
	  "+compauthd logs every message's results at level info, its default",
	  "+compauthd logs one summary line per message at level info" },
	{ "AutoRestart", ALL, IK_NOT, NULL, SYSTEMD, NULL },
	{ "AutoRestartCount", ALL, IK_NOT, NULL, SYSTEMD, NULL },
	{ "AutoRestartRate", ALL, IK_NOT, NULL, SYSTEMD, NULL },
	{ "Background", ALL, IK_BOOL, NULL,
	  "+compauthd detaches unless run with -f",
	  "-a command-line choice: run compauthd -f to stay in the foreground" },
	{ "BaseDirectory", ALL, IK_NOT, NULL,
	  "compauthd takes absolute paths only and changes directory to /", NULL },
	{ "ChangeRootDirectory", ALL, IK_NOT, NULL,
	  "compauthd does not chroot; confine it with systemd (compauthd.service)", NULL },
	{ "EnableCoredumps", ALL, IK_NOT, NULL,
	  "core dumps are systemd's and the kernel's to allow (LimitCORE=)", NULL },
	{ "MilterDebug", ALL, IK_NOT, NULL,
	  "libmilter's debug level is not configurable; log_level = debug logs ours", NULL },
	{ "Include", DK | AR, IK_NOT, NULL,
	  "not followed: name the included file to --import as well", NULL },
	{ "SoftwareHeader", ALL, IK_BOOL, NULL,
	  "-compauthd adds no header naming itself",
	  "+compauthd adds no header naming itself" },
	{ "KeepTemporaryFiles", DK | AR, IK_NOT, NULL, NOTMP, NULL },
	{ "TemporaryDirectory", DK | AR, IK_NOT, NULL, NOTMP, NULL },
	{ "MaximumHeaders", DK | AR, IK_UINT, "max_header_bytes",
	  "-0 (no limit): compauthd always bounds the header, at most 67108864 bytes", NULL },
	{ "DNSTimeout", DK | DM, IK_SECONDS, "dns_timeout",
	  "-0 (wait forever): compauthd always bounds its DNS waits "
	  "(dns_timeout, message_dns_deadline)", NULL },

	/* OpenDKIM: verification. */
	{ "Nameservers", DK, IK_LIST, "dns_servers", NULL, NULL },
	{ "MinimumKeyBits", DK, IK_UINT, "min_rsa_bits",
	  "+0 means OpenDKIM's default, 1024, which is compauthd's", NULL },
	{ "MaximumSignaturesToVerify", DK, IK_UINT, "max_dkim_signatures",
	  "-0: compauthd verifies at least one signature", NULL },
	{ "ClockDrift", DK, IK_SECONDS, "dkim_clock_skew",
	  "=dkim_clock_skew 0s", NULL },
	{ "On-DNSError", DK, IK_ONDNS, "on_dns_error", NULL, NULL },
	{ "On-Default", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-BadSignature", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-InternalError", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-KeyNotFound", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-NoSignature", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-Security", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-SignatureError", DK, IK_ONACTION, NULL, NULL, NULL },
	{ "On-ReputationError", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "Mode", DK, IK_DKIM_MODE, NULL, NULL, NULL },
	{ "Mode", AR, IK_ARC_MODE, NULL, NULL, NULL },
	{ "InternalHosts", DK, IK_NOT, NULL,
	  "OpenDKIM signs mail from these hosts (and verifies the rest of their mail); "
	  "compauthd does not sign, and its trusted_clients would skip every check for "
	  "them: list them there only if their mail needs no checking", NULL },
	{ "InternalHosts", AR, IK_NOT, NULL,
	  "OpenARC seals these hosts' mail trusting their own Authentication-Results; "
	  "compauthd seals only results it checked itself: list them in trusted_clients "
	  "only if their mail needs no checking", NULL },
	{ "PeerList", DK | AR, IK_HOSTS, "trusted_clients", NULL, NULL },
	{ "ExemptDomains", DK, IK_NOT, NULL,
	  "compauthd checks mail from every author domain; allow_from only exempts "
	  "a domain from DMARC enforcement", NULL },
	{ "ExternalIgnoreList", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "TrustAnchorFile", DK, IK_NOT, NULL, RESOLVER, NULL },
	{ "UnprotectedKey", DK, IK_NOT, NULL, RESOLVER, NULL },
	{ "ResolverConfiguration", DK, IK_NOT, NULL,
	  "compauthd's resolver takes dns_servers and dns_timeout, no configuration file", NULL },
	{ "ResolverTracing", DK, IK_NOT, NULL,
	  "log_level = debug logs compauthd's DNS work", NULL },
	{ "DNSConnect", DK, IK_BOOL, NULL,
	  "-compauthd asks over UDP and retries over TCP when an answer is truncated",
	  "+compauthd asks over UDP first" },
	{ "QueryCache", DK, IK_BOOL, NULL,
	  "+compauthd always caches DNS answers (dns_cache_entries, dns_cache_size)",
	  "-compauthd always caches DNS answers; dns_cache_entries = 0 turns it off" },
	{ "AllowSHA1Only", DK, IK_BOOL, NULL,
	  "-compauthd fails rsa-sha1 signatures (RFC 8301)",
	  "+compauthd needs SHA-256, as OpenDKIM does by default" },
	{ "AlwaysAddARHeader", DK, IK_BOOL, NULL,
	  "+compauthd adds its Authentication-Results to every message it checks",
	  "-compauthd adds its Authentication-Results to every message it checks, "
	  "dkim=none for an unsigned one" },
	{ "KeepAuthResults", DK, IK_BOOL, NULL,
	  "-compauthd always removes incoming Authentication-Results claiming its authserv-id",
	  "+compauthd removes incoming Authentication-Results claiming its authserv-id" },
	{ "RemoveARAll", DK, IK_NOT, NULL,
	  "compauthd removes exactly the Authentication-Results that claim its "
	  "authserv-id (or whose id cannot be told)", NULL },
	{ "RemoveARFrom", DK, IK_NOT, NULL,
	  "compauthd removes exactly the Authentication-Results that claim its "
	  "authserv-id (or whose id cannot be told)", NULL },
	{ "Minimum", DK, IK_NOT, NULL,
	  "compauthd's dkim_strict_l (yes by default) fails every signature whose l= "
	  "leaves body text unsigned", NULL },
	{ "MustBeSigned", DK, IK_NOT, NULL,
	  "compauthd requires no header field to be signed beyond From", NULL },
	{ "TrustSignaturesFrom", DK, IK_NOT, NULL,
	  "compauthd verifies signatures in header order, trusting no domain first", NULL },
	{ "WeakSyntaxChecks", DK, IK_NOT, NULL,
	  "compauthd's DKIM syntax checks are not configurable", NULL },
	{ "StrictHeaders", DK, IK_NOT, NULL,
	  "compauthd evaluates every From field and every author domain in it; "
	  "reject_bad_from rejects mail without a single author domain", NULL },
	{ "IgnoreMalformedMail", DK, IK_NOT, NULL,
	  "compauthd checks malformed mail too, with the fields within its limits", NULL },
	{ "FixCRLF", DK, IK_NOT, NULL,
	  "compauthd canonicalizes line ends as RFC 6376 says, not configurable", NULL },
	{ "CaptureUnknownErrors", DK, IK_NOT, NULL,
	  "compauthd logs its errors; it keeps no diagnostic copies", NULL },
	{ "Diagnostics", DK, IK_NOT, NULL,
	  "compauthd logs its errors; it keeps no diagnostic copies", NULL },
	{ "DiagnosticDirectory", DK, IK_NOT, NULL,
	  "compauthd logs its errors; it keeps no diagnostic copies", NULL },
	{ "DisableCryptoInit", DK, IK_NOT, NULL,
	  "compauthd initialises OpenSSL itself", NULL },
	{ "DomainKeysCompat", DK, IK_NOT, NULL,
	  "compauthd verifies DKIM (RFC 6376) only, not DomainKeys", NULL },
	{ "Quarantine", DK, IK_NOT, NULL, ONACT, NULL },
	{ "RedirectFailuresTo", DK, IK_NOT, NULL, ONACT, NULL },
	{ "POPDBFile", DK, IK_NOT, NULL,
	  "compauthd knows authenticated submissions by SMTP AUTH only", NULL },
	{ "BogusKey", DK, IK_NOT, NULL, NOTEST, NULL },
	{ "TestPublicKeys", DK, IK_NOT, NULL, NOTEST, NULL },
	{ "TestDNSData", DK | DM, IK_NOT, NULL, NOTEST, NULL },
	{ "StrictTestMode", DK, IK_NOT, NULL, NOTEST, NULL },
	{ "X-Header", DK, IK_NOT, NULL, "compauthd adds no header naming itself", NULL },

	/* OpenDKIM: signing. */
	{ "Canonicalization", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "Domain", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "KeyFile", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "KeyTable", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "Selector", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SigningTable", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SignatureAlgorithm", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SignHeaders", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "OmitHeaders", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "OverSignHeaders", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SubDomains", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "MultipleSignatures", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SignatureTTL", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SenderHeaders", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SenderMacro", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "DefaultSender", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "MTA", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "MacroList", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "ResignAll", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "ResignMailTo", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "DontSignMailTo", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "NoHeaderB", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "IdentityHeader", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "IdentityHeaderRemove", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "BodyLengthDB", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "MaximumSignedBytes", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "RequireSafeKeys", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "RemoveOldSignatures", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "ReplaceRules", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SelectCanonicalizationHeader", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "ATPSDomains", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "ATPSHashAlgorithm", DK, IK_NOT, NULL, SIGNING, NULL },
	{ "SoftStart", DK, IK_NOT, NULL,
	  "compauthd refuses to start on an error rather than run half-configured", NULL },
	{ "LuaOnlySigning", DK, IK_NOT, NULL, LUA, NULL },
	{ "SetupPolicyScript", DK, IK_NOT, NULL, LUA, NULL },
	{ "ScreenPolicyScript", DK, IK_NOT, NULL, LUA, NULL },
	{ "FinalPolicyScript", DK, IK_NOT, NULL, LUA, NULL },
	{ "StatisticsPolicyScript", DK, IK_NOT, NULL, LUA, NULL },
	{ "LDAPAuthMechanism", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPAuthName", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPAuthRealm", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPAuthUser", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPBindPassword", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPBindUser", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPDisableCache", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPKeepaliveIdle", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPKeepaliveInterval", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPKeepaliveProbes", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPTimeout", DK, IK_NOT, NULL, LDAP, NULL },
	{ "LDAPUseTLS", DK, IK_NOT, NULL, LDAP, NULL },

	/* OpenDKIM: reports, statistics, reputation. */
	{ "ReportAddress", DK, IK_NOT, NULL, REPORTS, NULL },
	{ "ReportBccAddress", DK, IK_NOT, NULL, REPORTS, NULL },
	{ "RequestReports", DK, IK_NOT, NULL, REPORTS, NULL },
	{ "SendReports", DK, IK_BOOL, NULL, "-" REPORTS, "+compauthd sends no DKIM reports" },
	{ "SMTPURI", DK, IK_NOT, NULL, REPORTS, NULL },
	{ "MTACommand", DK, IK_NOT, NULL, REPORTS, NULL },
	{ "Statistics", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "StatisticsName", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "StatisticsPrefix", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "FlowData", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "FlowDataFactor", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "FlowDataTTL", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "RateLimits", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationCache", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationCacheTTL", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationDuplicates", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationLimits", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationLimitModifiers", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationLowTime", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationMinimum", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationRatios", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationRRDHashDepth", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationRRDRoot", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationSpamCheck", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationTest", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationTimeFactor", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationTimeout", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "ReputationVerbose", DK, IK_NOT, NULL, REPUTE, NULL },
	{ "VBR-Certifiers", DK, IK_NOT, NULL, "compauthd does not check VBR", NULL },
	{ "VBR-PurgeFields", DK, IK_NOT, NULL, "compauthd does not check VBR", NULL },
	{ "VBR-TrustedCertifiers", DK, IK_NOT, NULL, "compauthd does not check VBR", NULL },
	{ "VBR-TrustedCertifiersOnly", DK, IK_NOT, NULL, "compauthd does not check VBR", NULL },
	{ "VBR-Type", DK, IK_NOT, NULL, "compauthd does not check VBR", NULL },

	/* OpenDMARC. */
	{ "RejectFailures", DM, IK_BOOL, NULL,
	  "=dmarc_enforce on;on_dns_error tempfail|compauthd rejects p=reject failures "
	  "and quarantines p=quarantine ones; a DNS failure that could change the "
	  "verdict is a temporary failure, as OpenDMARC's incomplete evaluation was",
	  "+compauthd's dmarc_enforce is off by default: DMARC results are only stamped" },
	{ "HoldQuarantinedMessages", DM, IK_BOOL, NULL,
	  "+with dmarc_enforce = on compauthd quarantines p=quarantine failures",
	  "-with dmarc_enforce = on compauthd also quarantines p=quarantine failures; "
	  "dmarc_override = DOMAIN=none accepts them per domain" },
	{ "IgnoreHosts", DM, IK_HOSTS, "trusted_clients", NULL, NULL },
	{ "IgnoreAuthenticatedClients", DM, IK_BOOL, NULL,
	  "+compauthd never checks authenticated submissions (compauth=none reason=301)",
	  "-compauthd never checks authenticated submissions (compauth=none reason=301)" },
	{ "IgnoreMailFrom", DM, IK_LIST, "allow_from", NULL, NULL },
	{ "TrustedAuthservIDs", DM, IK_NOT, NULL,
	  "compauthd checks SPF and DKIM itself and takes no Authentication-Results "
	  "from upstream; arc_trusted_sealers names ARC sealers (d= domains), "
	  "not authserv-ids", NULL },
	{ "SPFIgnoreResults", DM, IK_BOOL, NULL,
	  "+compauthd checks SPF itself and never reads SPF results from the header",
	  "-compauthd checks SPF itself and never reads SPF results from the header" },
	{ "SPFSelfValidate", DM, IK_BOOL, NULL,
	  "+compauthd always checks SPF itself",
	  "-compauthd always checks SPF itself" },
	{ "RequiredHeaders", DK | DM, IK_BOOL, NULL,
	  "=reject_bad_from yes|the From part only: mail without a single author domain "
	  "is rejected (with dmarc_enforce = on); compauthd does not check the other "
	  "field counts of RFC 5322 section 3.6",
	  "+compauthd's reject_bad_from is no by default" },
	{ "RejectMultiValueFrom", DM, IK_BOOL, NULL,
	  "=reject_bad_from yes|mail whose From names addresses in different domains "
	  "is rejected (with dmarc_enforce = on)",
	  "+compauthd's reject_bad_from is no by default" },
	{ "PublicSuffixList", DM, IK_BUILTIN, NULL,
	  "compauthd's dmarc_mode = rfc9989 (the default) walks the DNS tree; "
	  "dmarc_mode = rfc7489 reads the public suffix list through libpsl "
	  "(Debian's publicsuffix package)", NULL },
	{ "DomainWhitelist", DM, IK_LIST, "arc_trusted_sealers", NULL, NULL },
	{ "DomainWhitelistFile", DM, IK_DOMAINS, "arc_trusted_sealers", NULL, NULL },
	{ "DomainWhitelistSize", DM, IK_BUILTIN, NULL,
	  "compauthd sizes arc_trusted_sealers by itself (up to 1024 domains)", NULL },
	{ "CopyFailuresTo", DM, IK_NOT, NULL,
	  "compauthd adds no recipients; route on its Authentication-Results instead", NULL },
	{ "FailureReports", DM, IK_BOOL, NULL,
	  "=failure_reports yes|sent by compauthd-report --failure (run it from a timer)",
	  "+compauthd keeps no failure samples unless failure_reports = yes" },
	{ "FailureReportsBcc", DM, IK_NOT, NULL, FAILREP, NULL },
	{ "FailureReportsOnNone", DM, IK_BOOL, NULL, "-" FAILREP,
	  "+compauthd sends no failure reports" },
	{ "FailureReportsSentBy", DM, IK_NOT, NULL, FAILREP, NULL },
	{ "HistoryFile", DM, IK_NOT, NULL, AGGREP, NULL },
	{ "RecordAllMessages", DM, IK_BOOL, NULL,
	  "+compauthd stores every message it evaluates DMARC for (report_store)",
	  "+compauthd's aggregate reports cover the domains with a policy record" },
	{ "ReportCommand", DM, IK_NOT, NULL, AGGREP, NULL },

	/* OpenARC. */
	{ "Domain", AR, IK_ARC_SIGN, "arc_sign_domain", NULL, NULL },
	{ "Selector", AR, IK_ARC_SIGN, "arc_sign_selector", NULL, NULL },
	{ "KeyFile", AR, IK_ARC_SIGN, "arc_sign_key", NULL, NULL },
	{ "SignHeaders", AR, IK_LIST, "arc_sign_headers", NULL, NULL },
	{ "OverSignHeaders", AR, IK_NOT, NULL,
	  "compauthd signs each listed field as often as it occurs, never once more", NULL },
	{ "Canonicalization", AR, IK_ARC_CANON, NULL, NULL, NULL },
	{ "SignatureAlgorithm", AR, IK_ARC_ALG, NULL, NULL, NULL },
	{ "FixedTimestamp", AR, IK_NOT, NULL, NOTEST, NULL },
};

const struct imp_key *
imp_lookup(const char *name, unsigned prog)
{
	size_t i;

	for (i = 0; i < sizeof(imp_keys) / sizeof(imp_keys[0]); i++)
		if ((imp_keys[i].progs & prog) != 0 && strcasecmp(imp_keys[i].name, name) == 0)
			return &imp_keys[i];
	return NULL;
}

unsigned
imp_known(const char *name)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < sizeof(imp_keys) / sizeof(imp_keys[0]); i++)
		if (strcasecmp(imp_keys[i].name, name) == 0)
			m |= imp_keys[i].progs;
	return m;
}

const char *
imp_prog_name(unsigned prog)
{
	return prog == IP_DKIM ? "OpenDKIM" : prog == IP_DMARC ? "OpenDMARC" :
	    prog == IP_ARC ? "OpenARC" : "OpenDKIM, OpenDMARC and OpenARC";
}

const char *
import_program_of(const char *key)
{
	unsigned m = imp_known(key);

	if (m == 0)
		return NULL;
	if (m == IP_DKIM || m == IP_DMARC || m == IP_ARC)
		return imp_prog_name(m);
	return "OpenDKIM, OpenDMARC or OpenARC";
}
