/* Logging: levels, syslog or stderr, text or JSON lines, queue id prefix. */
#ifndef COMPAUTHD_LOG_H
#define COMPAUTHD_LOG_H

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_NOTICE,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

enum log_format { LOG_FMT_TEXT = 0, LOG_FMT_JSON };

/* The syslog facilities syslog_facility names; index order = its words. */
enum log_facility {
	LOG_FAC_MAIL = 0, LOG_FAC_DAEMON, LOG_FAC_USER,
	LOG_FAC_LOCAL0, LOG_FAC_LOCAL1, LOG_FAC_LOCAL2, LOG_FAC_LOCAL3,
	LOG_FAC_LOCAL4, LOG_FAC_LOCAL5, LOG_FAC_LOCAL6, LOG_FAC_LOCAL7,
};

/*
 * to_stderr: 1 → stderr (journald's "<N>" lines when stderr is the stream
 * JOURNAL_STREAM names), 0 → syslog(3) as ident[pid] under the facility
 * last set (mail until then). Safe to call again (reload).
 */
void log_init(const char *ident, int to_stderr);
void log_configure(enum log_level level, enum log_format fmt);
/* Takes effect with the next line, from any thread (start-up and reload). */
void log_set_facility(enum log_facility fac);
/* What syslog(3) gets for a line of this level: facility | severity. */
int log_syslog_priority(enum log_level level);
int log_enabled(enum log_level level);
/* qid: the MTA queue id of the message the line is about, or NULL. */
void log_msg(enum log_level level, const char *qid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(qid, ...)    log_msg(LOG_LVL_ERR, qid, __VA_ARGS__)
#define log_warn(qid, ...)   log_msg(LOG_LVL_WARN, qid, __VA_ARGS__)
#define log_notice(qid, ...) log_msg(LOG_LVL_NOTICE, qid, __VA_ARGS__)
#define log_info(qid, ...)   log_msg(LOG_LVL_INFO, qid, __VA_ARGS__)
#define log_debug(qid, ...)  do { if (log_enabled(LOG_LVL_DEBUG)) \
	log_msg(LOG_LVL_DEBUG, qid, __VA_ARGS__); } while (0)

const char *log_level_name(enum log_level level);
/* Returns -1 when name is not a level. */
int log_level_parse(const char *name);

#endif
