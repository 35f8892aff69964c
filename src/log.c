/*
 * Logging. Every line about a message carries its MTA queue id so a
 * postmaster can grep one message across the MTA's and our logs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *const level_names[] = { "err", "warning", "notice", "info", "debug" };
static const int level_syslog[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/* Written at start-up and on reload, read by every thread. */
static atomic_int cur_level = LOG_LVL_INFO;
static atomic_int cur_format = LOG_FMT_TEXT;
static int use_stderr = 1;
static char log_ident[64] = "compauthd";
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *ident, int to_stderr)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident ? ident : "compauthd");
	use_stderr = to_stderr;
	if (!to_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
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

/* JSON string body: escapes quotes, backslashes and control bytes. */
static size_t
json_escape(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (; *src && o + 7 < len; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(dst + o, len - o, "\\u%04x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
	return o;
}

void
log_msg(enum log_level level, const char *qid, const char *fmt, ...)
{
	char text[4096], line[8800], esc[8400];
	va_list ap;
	int fmt_json;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	fmt_json = atomic_load_explicit(&cur_format, memory_order_relaxed) == LOG_FMT_JSON;
	if (fmt_json) {
		char q[256];

		json_escape(esc, sizeof(esc), text);
		json_escape(q, sizeof(q), qid ? qid : "");
		snprintf(line, sizeof(line), "{\"level\":\"%s\",%s%s%s\"msg\":\"%s\"}",
		    log_level_name(level), qid ? "\"qid\":\"" : "", qid ? q : "",
		    qid ? "\"," : "", esc);
	} else {
		snprintf(line, sizeof(line), "%s%s%s", qid ? qid : "", qid ? ": " : "", text);
	}

	if (use_stderr) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		pthread_mutex_lock(&stderr_lock);
		if (fmt_json)
			fprintf(stderr, "%s\n", line);
		else
			fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", stamp, ts.tv_nsec / 1000000L,
			    log_ident, log_level_name(level), line);
		fflush(stderr);
		pthread_mutex_unlock(&stderr_lock);
	} else {
		syslog(level_syslog[level], "%s", line);
	}
}
