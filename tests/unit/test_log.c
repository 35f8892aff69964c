/*
 * log: whatever bytes a message puts into a logged value, the text format
 * gives exactly one line of printable ASCII (controls, DEL and 8-bit as
 * \xNN, '\' as \\) and the JSON format one valid JSON object (controls as
 * \u00NN, invalid UTF-8 as \ufffd).  Lines are read back from stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "../tap.h"

static FILE *cap;

/* The line log_msg wrote for one call, without its "\n", or NULL when it
 * wrote none or more than one. */
static char *
logged(enum log_level lvl, const char *qid, const char *text)
{
	static char buf[65536];
	size_t n;

	rewind(cap);
	if (ftruncate(fileno(cap), 0) != 0)
		return NULL;
	log_msg(lvl, qid, "%s", text);
	fflush(stderr);
	rewind(cap);
	n = fread(buf, 1, sizeof(buf) - 1, cap);
	buf[n] = '\0';
	if (n == 0 || buf[n - 1] != '\n' || memchr(buf, '\n', n - 1) != NULL)
		return NULL;
	buf[n - 1] = '\0';
	return buf;
}

/* The text line after "<stamp> compauthd[level]: ". */
static const char *
text_body(const char *line)
{
	const char *p = line ? strstr(line, "]: ") : NULL;

	return p ? p + 3 : NULL;
}

struct log_case {
	const char *name;
	const char *qid;
	const char *in;
	const char *text;           /* what the text format writes after "]: " */
	const char *json;           /* the whole JSON line */
};

static const struct log_case cases[] = {
	{ "plain", "Q1", "spf=pass from=<a@example.org>",
	  "Q1: spf=pass from=<a@example.org>",
	  "{\"level\":\"info\",\"qid\":\"Q1\",\"msg\":\"spf=pass from=<a@example.org>\"}" },
	{ "folded d= with a forged second line", "Q2",
	  "dkim=fail header.d=a.example\r\ncompauthd: fake line",
	  "Q2: dkim=fail header.d=a.example\\x0d\\x0acompauthd: fake line",
	  "{\"level\":\"info\",\"qid\":\"Q2\",\"msg\":\"dkim=fail header.d=a.example"
	  "\\u000d\\u000acompauthd: fake line\"}" },
	{ "bare LF, CR, TAB, other C0 and DEL", "Q3", "a\nb\rc\td\x01" "e\x1b[31mf\x7fg",
	  "Q3: a\\x0ab\\x0dc\\x09d\\x01e\\x1b[31mf\\x7fg",
	  "{\"level\":\"info\",\"qid\":\"Q3\",\"msg\":\"a\\u000ab\\u000dc\\u0009d\\u0001"
	  "e\\u001b[31mf\\u007fg\"}" },
	{ "a backslash cannot forge an escape", "Q4", "x\\x0ay \"q\"",
	  "Q4: x\\\\x0ay \"q\"",
	  "{\"level\":\"info\",\"qid\":\"Q4\",\"msg\":\"x\\\\x0ay \\\"q\\\"\"}" },
	{ "valid UTF-8: escaped in text, kept in JSON", "Q5", "b\xc3\xbc" "cher.example",
	  "Q5: b\\xc3\\xbccher.example",
	  "{\"level\":\"info\",\"qid\":\"Q5\",\"msg\":\"b\xc3\xbc" "cher.example\"}" },
	{ "invalid UTF-8: lone, overlong, surrogate, truncated", "Q6",
	  "a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82",
	  "Q6: a\\xffb\\xc0\\xafc\\xed\\xa0\\x80d\\xe2\\x82",
	  "{\"level\":\"info\",\"qid\":\"Q6\",\"msg\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd"
	  "\\ufffdd\\ufffd\\ufffd\"}" },
	{ "NEL, LS and PS (line breaks to Unicode readers)", "Q7",
	  "a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d",
	  "Q7: a\\xc2\\x85b\\xe2\\x80\\xa8c\\xe2\\x80\\xa9d",
	  "{\"level\":\"info\",\"qid\":\"Q7\",\"msg\":\"a\\u0085b\\u2028c\\u2029d\"}" },
	{ "queue id with a line break", "Q8\nX", "x",
	  "Q8\\x0aX: x",
	  "{\"level\":\"info\",\"qid\":\"Q8\\u000aX\",\"msg\":\"x\"}" },
	{ "no queue id", NULL, "started",
	  "started",
	  "{\"level\":\"info\",\"msg\":\"started\"}" },
};

/* Every byte value once, and text long enough to be cut. */
static void
test_all_bytes(void)
{
	char in[256 * 17], *line;
	size_t i, n = 0;
	int clean = 1;

	for (i = 1; i < 256; i++)
		in[n++] = (char)i;
	in[n] = '\0';
	log_configure(LOG_LVL_INFO, LOG_FMT_TEXT);
	line = logged(LOG_LVL_INFO, "QB", in);
	for (i = 0; line != NULL && line[i] != '\0'; i++)
		clean &= line[i] >= 0x20 && line[i] < 0x7f;
	ok(line != NULL && clean, "text: bytes 1-255 give one line of printable ASCII");
	for (n = 0; n + 3 < sizeof(in); n += 3)
		memcpy(in + n, "\r\n\xff", 3);
	in[n] = '\0';
	line = logged(LOG_LVL_INFO, "QB", in);
	clean = 1;
	for (i = 0; line != NULL && line[i] != '\0'; i++)
		clean &= line[i] >= 0x20 && line[i] < 0x7f;
	ok(line != NULL && clean, "text: 4 KB of CR LF 0xff, cut, still one clean line");
	log_configure(LOG_LVL_INFO, LOG_FMT_JSON);
	line = logged(LOG_LVL_INFO, "QB", in);
	ok(line != NULL && line[0] == '{' && strcmp(line + strlen(line) - 2, "\"}") == 0,
	    "json: 4 KB of CR LF 0xff, cut, still one closed object");
}

/* Detached, each line goes to syslog(3) as facility | severity; the
 * facility follows syslog_facility at once (a reload needs no reopen). */
static void
test_syslog_priority(void)
{
	is_int(log_syslog_priority(LOG_LVL_INFO), LOG_MAIL | LOG_INFO, "syslog: default mail.info (<22>)");
	is_int(log_syslog_priority(LOG_LVL_ERR), 19, "syslog: mail.err is <19>");
	log_set_facility(LOG_FAC_DAEMON);
	is_int(log_syslog_priority(LOG_LVL_DEBUG), 31, "syslog: daemon.debug is <31>");
	log_set_facility(LOG_FAC_USER);
	is_int(log_syslog_priority(LOG_LVL_NOTICE), 13, "syslog: user.notice is <13>");
	log_set_facility(LOG_FAC_LOCAL0);
	is_int(log_syslog_priority(LOG_LVL_WARN), 132, "syslog: local0.warning is <132>");
	log_set_facility(LOG_FAC_LOCAL7);
	is_int(log_syslog_priority(LOG_LVL_INFO), 190, "syslog: local7.info is <190>");
	log_set_facility((enum log_facility)99);
	is_int(log_syslog_priority(LOG_LVL_INFO), 190, "syslog: an unknown facility changes nothing");
	log_set_facility(LOG_FAC_MAIL);
	is_int(log_syslog_priority(LOG_LVL_INFO), 22, "syslog: back to mail.info");
}

int
main(void)
{
	size_t i;

	if ((cap = tmpfile()) == NULL || dup2(fileno(cap), STDERR_FILENO) < 0) {
		printf("Bail out! cannot capture stderr\n");
		return 1;
	}
	log_init("compauthd", 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct log_case *c = &cases[i];

		log_configure(LOG_LVL_INFO, LOG_FMT_TEXT);
		is_str(text_body(logged(LOG_LVL_INFO, c->qid, c->in)), c->text, "text: %s", c->name);
		log_configure(LOG_LVL_INFO, LOG_FMT_JSON);
		is_str(logged(LOG_LVL_INFO, c->qid, c->in), c->json, "json: %s", c->name);
	}
	test_all_bytes();
	test_syslog_priority();
	return tap_done();
}
