/*
 * The DMARC report store: one row per evaluated message (and one per DKIM
 * result of it), written by the daemon off the milter's hot path, read by
 * compauthd-report. Backends: SQLite (a file path, or "sqlite:PATH") and
 * PostgreSQL ("postgresql://..." or "postgres://..."), with one schema
 * (src/report/schema.sql, tables message, message_dkim, report_sent,
 * destination, meta, and since version 2 failure_sample, failure_sent)
 * written so that the same SQL runs on both.
 */
#ifndef COMPAUTHD_REPORT_STORE_H
#define COMPAUTHD_REPORT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_DKIM_MAX 8        /* DKIM results kept per message */
#define STORE_RCPT_MAX 16       /* recipient domains of an outbound message */

/* One DKIM result of a message (RFC 9990 <auth_results><dkim>). */
struct store_dkim {
	const char *domain;             /* d= */
	const char *selector;           /* s= */
	const char *result;             /* none pass fail policy neutral temperror permerror */
	const char *human_result;       /* or NULL */
};

/*
 * What one evaluated message contributes to reports. Strings are copied by
 * store_queue(); NULL means absent (SQL NULL). Domains lower case, A-labels.
 */
struct store_msg {
	int64_t received;               /* end of message, Unix seconds UTC */
	const char *reporter;           /* authserv_id of the host that evaluated */
	const char *qid;
	const char *source_ip;
	const char *header_from;        /* the author domain */
	const char *envelope_from;      /* MAIL FROM domain; "" for the null sender */
	const char *envelope_to;        /* first RCPT TO domain */
	/* The policy record that applied, as published, and where. */
	const char *policy_domain;      /* NULL: no record */
	const char *policy_p, *policy_sp, *policy_np;   /* none quarantine reject, or NULL */
	int policy_pct;                 /* -1: absent */
	const char *policy_adkim, *policy_aspf;         /* "r" "s", or NULL */
	const char *policy_testing;     /* "y" "n", or NULL (RFC 9989 t=) */
	const char *policy_fo;          /* or NULL */
	const char *policy_psd;         /* "y" "n" "u", or NULL */
	const char *rua, *ruf;          /* as published, or NULL */
	const char *discovery_method;   /* "psl" (RFC 7489) or "treewalk" (RFC 9989) */
	/* The evaluation. */
	const char *dmarc_result;       /* pass fail none bestguesspass temperror permerror */
	bool dkim_aligned, spf_aligned; /* <policy_evaluated><dkim>/<spf> pass */
	const char *disposition;        /* none quarantine reject pass (RFC 9990) */
	const char *override_reason;    /* trusted_forwarder local_policy mailing_list
	                                   policy_test_mode other, or NULL */
	const char *override_comment;   /* or NULL */
	const char *spf_domain, *spf_scope, *spf_result;    /* scope "mfrom" "helo" */
	const char *compauth;           /* pass fail softpass none */
	int compauth_reason;
	bool is_report;                 /* the message is itself a DMARC report */
	size_t ndkim;
	struct store_dkim dkim[STORE_DKIM_MAX];
	/*
	 * RFC 9991 failure sample (failure_reports = yes), or failure_headers
	 * NULL: the header section already redacted (LF line ends, at most
	 * STORE_FAILURE_HEADERS_MAX bytes), the MAIL FROM address redacted
	 * ("redacted@domain", "<>" for the null sender), our A-R value.
	 */
	const char *failure_headers;
	const char *failure_mail_from;
	const char *failure_auth_results;
	/*
	 * What the message teaches implicit authentication (history.h):
	 * STORE_HIST_NONE nothing. PASS (explicitly authenticated): the
	 * domain's pass count, and each passing DKIM d= above, the SPF domain
	 * when spf_result is pass, history_net and history_ptr. FAIL: the
	 * fail count of a domain already known. OUTBOUND (an authenticated
	 * submission, history_only: no message row): each rcpt_orgs domain.
	 */
	enum { STORE_HIST_NONE = 0, STORE_HIST_PASS, STORE_HIST_FAIL, STORE_HIST_OUTBOUND }
	    history;
	bool history_only;
	const char *history_org;        /* the author's organizational domain */
	const char *history_net;        /* "192.0.2.0/24", "2001:db8::/48" */
	const char *history_ptr;        /* PTR organizational domain (iprev pass), or NULL */
	size_t nrcpt_orgs;
	const char *rcpt_orgs[STORE_RCPT_MAX];
};
#define STORE_FAILURE_HEADERS_MAX 16384

struct store;

/*
 * Opens (and with create, creates or upgrades the schema of) the store uri
 * names. NULL with err set on failure. A store handle is used by one
 * thread at a time.
 */
struct store *store_open(const char *uri, bool create, char *err, size_t errlen);
void store_close(struct store **sp);
/*
 * compauthd -n: whether the store uri names can be used, creating and
 * changing nothing (an SQLite file not yet there: its directory must be
 * writable). 0, or -1 with err set.
 */
int store_check(const char *uri, char *err, size_t errlen);
/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *s);

/* Writes n messages in one transaction. 0, or -1 with err set. */
int store_put(struct store *s, const struct store_msg *const *msgs, size_t n,
    char *err, size_t errlen);
/*
 * History (history.h): deletes what was last seen before cutoff, keeps
 * the HISTORY_KIND_MAX most seen values per domain and kind, and at most
 * max_domains sender and recipient domains. 0, or -1 with err set.
 */
int store_history_prune(struct store *s, int64_t cutoff, size_t max_domains,
    char *err, size_t errlen);
/* Deletes messages received before cutoff (retention). Rows deleted, or -1. */
long store_expire(struct store *s, int64_t cutoff, char *err, size_t errlen);

/*
 * Reading: SQL with "?" placeholders (rewritten to $1.. for PostgreSQL),
 * parameters as text (NULL = SQL NULL). Each row's columns come as text
 * (NULL = SQL NULL) to row(), which returns 0 to go on, non-zero to stop.
 * Returns 0, or -1 with err set. Also for INSERT/UPDATE/DELETE (no rows).
 */
typedef int (*store_row_fn)(void *arg, size_t ncol, const char *const *col);
int store_query(struct store *s, const char *sql, const char *const *params, size_t nparams,
    store_row_fn row, void *arg, char *err, size_t errlen);

/*
 * The daemon's writer: store_queue() copies m into a bounded queue and
 * returns at once (never blocks a milter thread, never does I/O); a thread
 * writes batches. A full queue drops the row and counts it.
 */
struct store_writer;
struct store_writer *store_writer_start(const char *uri, size_t queue_max,
    char *err, size_t errlen);
/* Rows received more than seconds ago are deleted hourly (0: kept). */
void store_writer_retention(struct store_writer *w, int64_t seconds);
/*
 * Implicit authentication (history.h): with retention > 0 seconds the
 * history is loaded now (0, or -1 with err set and history off), then
 * refreshed every HISTORY_REFRESH_S and pruned hourly; 0 turns it off.
 */
struct history;
int store_writer_history(struct store_writer *w, int64_t retention, size_t max_domains,
    char *err, size_t errlen);
/* The current snapshot, referenced (history_release() it), or NULL. */
struct history *store_writer_history_get(struct store_writer *w);
/* false when the row was dropped (queue full or writer stopped). */
bool store_queue(struct store_writer *w, const struct store_msg *m);
/* Writes what is queued (bounded by timeout_ms), stops the thread. */
void store_writer_stop(struct store_writer **wp, unsigned timeout_ms);
/*
 * The same at the end of the process, without freeing w: a connection that
 * outlived the shutdown drain may still call store_queue() (false from now
 * on) until the process exits.
 */
void store_writer_finish(struct store_writer *w, unsigned timeout_ms);
struct store_writer_stats {
	uint64_t queued, written, dropped, failed_batches;
};
void store_writer_stats(struct store_writer *w, struct store_writer_stats *out);

#endif
