/*
 * Logging. Every line about a message carries its MTA queue id so a
 * postmaster can grep one message across the MTA's and our logs.
 *
 * Much of what we log comes from the message or the SMTP session (a DKIM
 * d=, a MAIL FROM, a From, a PTR name), so no text we are given may make
 * a line read as something else: a CR or LF would start a forged second
 * line, a TAB shifts tab-separated fields, 8-bit bytes are in no known
 * encoding.  The text format is therefore printable ASCII only: every
 * control byte, DEL and 8-bit byte becomes "\xNN" and a backslash
 * "\\", so the escaping itself cannot be forged either.  The JSON
 * format is valid JSON for any bytes: controls become "\u00NN", valid
 * UTF-8 is kept (but for the C1 controls and U+2028/U+2029, which break
 * JavaScript readers, written "\uNNNN"), and each byte of invalid UTF-8
 * becomes "\ufffd".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const level_names[] = { "err", "warning", "notice", "info", "debug" };
static const int level_syslog[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
/* Index order = enum log_facility. */
static const int facility_syslog[] = {
	LOG_MAIL, LOG_DAEMON, LOG_USER, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
	LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7,
};

/* Written at start-up and on reload, read by every thread. */
static atomic_int cur_level = LOG_LVL_INFO;
static atomic_int cur_format = LOG_FMT_TEXT;
/*
 * Given with every syslog(3) call rather than only to openlog(3), so a
 * reload changes it for the next line without reopening anything: glibc
 * uses the openlog facility only for a priority that has none.  syslog(3)
 * itself is MT-safe (glibc serialises it with its own lock); our lock
 * below is for stderr only.
 */
static atomic_int cur_facility = LOG_MAIL;
static int use_stderr = 1;
static int use_journal;         /* stderr is journald's stream: "<N>" prefixes */
static char log_ident[64] = "compauthd";
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * systemd names the stream it connected to our stderr in JOURNAL_STREAM
 * ("device:inode"); only when stderr is still that stream do our lines go
 * to journald, which reads a "<N>" prefix as the syslog priority and
 * stamps the time itself. A stderr redirected elsewhere keeps our own
 * timestamp.
 */
static int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *ident, int to_stderr)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident ? ident : "compauthd");
	use_stderr = to_stderr;
	use_journal = to_stderr && log_stderr_is_journal();
	if (!to_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY,
		    atomic_load_explicit(&cur_facility, memory_order_relaxed));
}

void
log_set_facility(enum log_facility fac)
{
	if ((unsigned)fac < sizeof(facility_syslog) / sizeof(facility_syslog[0]))
		atomic_store_explicit(&cur_facility, facility_syslog[fac], memory_order_relaxed);
}

int
log_syslog_priority(enum log_level level)
{
	if ((unsigned)level >= sizeof(level_syslog) / sizeof(level_syslog[0]))
		level = LOG_LVL_DEBUG;
	return atomic_load_explicit(&cur_facility, memory_order_relaxed) | level_syslog[level];
}

void
log_configure(enum log_level level, enum log_format fmt)
{
	atomic_store_explicit(&cur_level, (int)level, memory_order_relaxed);
	atomic_store_explicit(&cur_format, (int)fmt, memory_order_relaxed);
}

int
log_enabled(enum log_level level)
{
	return (int)level <= atomic_load_explicit(&cur_level, memory_order_relaxed);
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level < sizeof(level_names) / sizeof(level_names[0]))
		return level_names[level];
	return "unknown";
}

int
log_level_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcasecmp(name, "error") == 0)
		return LOG_LVL_ERR;
	if (strcasecmp(name, "warn") == 0)
		return LOG_LVL_WARN;
	return -1;
}

/* Text: printable ASCII, the rest as \xNN, '\' as "\\"; dst always ends. */
static void
text_escape(char *dst, size_t len, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *src != '\0' && o + 5 <= len; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '\\') {
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

/* The length of the valid UTF-8 sequence at s (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF) and its code point; 0 when
 * s does not start one. */
static size_t
utf8_seq(const unsigned char *s, unsigned *cp)
{
	size_t n, i;
	unsigned v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, v = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, v = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, v = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* JSON string body (RFC 8259) for any bytes; dst always ends. */
static size_t
json_escape(char *dst, size_t len, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0, n;
	unsigned cp;

	while (*p != '\0' && o + 7 <= len) {
		n = utf8_seq(p, &cp);
		if (n == 0) {
			memcpy(dst + o, "\\ufffd", 6);
			o += 6;
			p++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)cp;
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
			o += (size_t)snprintf(dst + o, len - o, "\\u%04x", cp);
		} else {
			memcpy(dst + o, p, n);
			o += n;
		}
		p += n;
	}
	dst[o] = '\0';
	return o;
}

void
log_msg(enum log_level level, const char *qid, const char *fmt, ...)
{
	/* Escaped, a byte of text takes up to 6 bytes; head holds the rest
	 * of the line before the text (the JSON keys, the queue id). */
	char text[4096], esc[6 * sizeof(text) + 8], q[6 * 64 + 8], head[sizeof(q) + 64];
	const char *tail;
	va_list ap;
	int fmt_json;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	fmt_json = atomic_load_explicit(&cur_format, memory_order_relaxed) == LOG_FMT_JSON;
	if (fmt_json) {
		json_escape(esc, sizeof(esc), text);
		json_escape(q, sizeof(q), qid ? qid : "");
		snprintf(head, sizeof(head), "{\"level\":\"%s\",%s%s%s\"msg\":\"",
		    log_level_name(level), qid ? "\"qid\":\"" : "", qid ? q : "",
		    qid ? "\"," : "");
		tail = "\"}";
	} else {
		text_escape(esc, sizeof(esc), text);
		text_escape(q, sizeof(q), qid ? qid : "");
		snprintf(head, sizeof(head), "%s%s", q, qid ? ": " : "");
		tail = "";
	}

	if (use_stderr) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		pthread_mutex_lock(&stderr_lock);
		if (use_journal)
			fprintf(stderr, "<%d>%s%s%s\n", level_syslog[level], head, esc, tail);
		else if (fmt_json)
			fprintf(stderr, "%s%s%s\n", head, esc, tail);
		else
			fprintf(stderr, "%s.%03ldZ %s[%s]: %s%s\n", stamp, ts.tv_nsec / 1000000L,
			    log_ident, log_level_name(level), head, esc);
		fflush(stderr);
		pthread_mutex_unlock(&stderr_lock);
	} else {
		syslog(log_syslog_priority(level), "%s%s%s", head, esc, tail);
	}
}
