/*
 * The report store, the same scenarios on SQLite (a temporary file) and on
 * a real PostgreSQL server started by tests/pgserver.py (skipped, with the
 * reason, when Debian's postgresql package is not installed): schema and
 * version, put/query round trip with exact values, NULLs, 8-bit text,
 * quotes, a 1 MiB value, invalid UTF-8, "?" placeholders, expiry, a reader
 * while a writer commits, a writer killed mid-transaction, and the batching
 * writer (drain on stop, drops when full).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgtest.h"
#include "tap.h"
#include "report_store.h"
#include "store_int.h"

static char err[1024];

/* Rows of a query joined as "a|b|NULL" lines. */
struct rows {
	char *text;
	size_t len, n, stop_after;
};

static int rows_add(void *arg, size_t ncol, const char *const *col)
{
	struct rows *r = arg;
	for (size_t i = 0; i < ncol; i++) {
		const char *v = col[i] ? col[i] : "NULL";
		size_t l = strlen(v);
		r->text = realloc(r->text, r->len + l + 2);
		memcpy(r->text + r->len, v, l);
		r->len += l;
		r->text[r->len++] = i + 1 < ncol ? '|' : '\n';
		r->text[r->len] = '\0';
	}
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

/* The result of sql as text ("" for no rows, "ERROR: ..." on failure). */
static char *q(struct store *s, const char *sql, const char *const *params, size_t n)
{
	static char *last;
	struct rows r = { .text = NULL };
	free(last);
	if (store_query(s, sql, params, n, rows_add, &r, err, sizeof err) < 0) {
		free(r.text);
		size_t l = strlen(err) + 8;
		last = malloc(l);
		snprintf(last, l, "ERROR: %s", err);
		return last;
	}
	last = r.text ? r.text : strdup("");
	return last;
}

static struct store_msg full_msg(int64_t received, const char *qid)
{
	struct store_msg m = {
		.received = received, .reporter = "mx.example.net", .qid = qid,
		.source_ip = "192.0.2.10", .header_from = "fabrikam.example",
		.envelope_from = "bounce.fabrikam.example", .envelope_to = "example.net",
		.policy_domain = "fabrikam.example", .policy_p = "reject", .policy_sp = "quarantine",
		.policy_np = "none", .policy_pct = 50, .policy_adkim = "s", .policy_aspf = "r",
		.policy_testing = "n", .policy_fo = "1:d", .policy_psd = "u",
		.rua = "mailto:dmarc@fabrikam.example,mailto:x@y.example!10m",
		.ruf = "mailto:ruf@fabrikam.example", .discovery_method = "treewalk",
		.dmarc_result = "fail", .dkim_aligned = false, .spf_aligned = true,
		.disposition = "pass", .override_reason = "trusted_forwarder",
		.override_comment = "arc=pass as.1.d=lists.example it's \"quoted\" \\ back; B\xc3\xbc" "cher",
		.spf_domain = "bounce.fabrikam.example", .spf_scope = "mfrom", .spf_result = "pass",
		.compauth = "pass", .compauth_reason = 130, .is_report = true, .ndkim = 2,
		.dkim = {
			{ "fabrikam.example", "sel1", "fail", "body hash did not verify" },
			{ "lists.example", "s'2", "pass", NULL },
		},
	};
	return m;
}

static struct store_msg bare_msg(int64_t received)
{
	struct store_msg m = {
		.received = received, .reporter = "mx.example.net", .source_ip = "2001:db8::1",
		.header_from = "nopolicy.example", .envelope_from = "",
		.discovery_method = "psl", .dmarc_result = "none", .disposition = "none",
		.policy_pct = -1,
	};
	return m;
}

static const char *const COLS =
	"SELECT received, reporter, qid, source_ip, header_from, envelope_from, envelope_to, "
	"policy_domain, policy_p, policy_sp, policy_np, policy_pct, policy_adkim, policy_aspf, "
	"policy_testing, policy_fo, policy_psd, rua, ruf, discovery_method, dmarc_result, "
	"dkim_aligned, spf_aligned, disposition, override_reason, override_comment, spf_domain, "
	"spf_scope, spf_result, compauth, compauth_reason, is_report FROM message ";

struct pounder {
	const char *uri;
	int batches, per;
	int failed;
};

static void *pound(void *arg)
{
	struct pounder *p = arg;
	char e[512];
	struct store *s = store_open(p->uri, true, e, sizeof e);
	if (!s) {
		p->failed = 1;
		return NULL;
	}
	struct store_msg m[64];
	const struct store_msg *mp[64];
	for (int b = 0; b < p->batches; b++) {
		for (int i = 0; i < p->per; i++) {
			m[i] = full_msg(5000 + b, "pound");
			mp[i] = &m[i];
		}
		if (store_put(s, mp, (size_t)p->per, e, sizeof e) < 0) {
			p->failed = 1;
			printf("# pound: %s\n", e);
			break;
		}
	}
	store_close(&s);
	return NULL;
}

static void scenarios(const char *be, const char *uri)
{
	struct store *s = store_open(uri, true, err, sizeof err);
	ok(s != NULL, "%s: store_open creates the store (%s)", be, s ? "" : err);
	if (!s)
		return;
	ok(strcmp(store_backend(s), be) == 0, "%s: backend name (%s)", be, store_backend(s));
	is_str(q(s, "SELECT key, value FROM meta", NULL, 0), "schema_version|3\n",
	    "%s: schema version 3 in meta", be);
	if (strcmp(be, "postgresql") == 0) {
		/* a server that stops answering cannot hang the writer or a report run */
		is_str(q(s, "SHOW statement_timeout", NULL, 0), "5min\n",
		    "%s: statement_timeout 5min by default", be);
		char *u2 = malloc(strlen(uri) + 64);
		sprintf(u2, "%s%coptions=-c%%20statement_timeout%%3D7s", uri,
		    strchr(uri, '?') ? '&' : '?');
		struct store *s2 = store_open(u2, false, err, sizeof err);
		ok(s2 != NULL, "%s: options= in the URI (%s)", be, s2 ? "" : err);
		if (s2)
			is_str(q(s2, "SHOW statement_timeout", NULL, 0), "7s\n",
			    "%s: the URI's own statement_timeout wins", be);
		store_close(&s2);
		free(u2);
	}

	/* put: a full message, a bare one (NULLs), invalid UTF-8, a huge value */
	struct store_msg a = full_msg(1000, "4XyZ1"), b = bare_msg(2000), c = full_msg(3000, "bad\xff\xfe");
	char *huge = malloc(1 << 20 | 1);
	for (size_t i = 0; i < 1 << 20; i++)
		huge[i] = "ab'\"?x"[i % 6];
	huge[1 << 20] = '\0';
	c.override_comment = huge;
	c.dkim[1].human_result = "\xe2\x82";      /* truncated UTF-8 */
	const struct store_msg *msgs[] = { &a, &b, &c };
	is_int(store_put(s, msgs, 3, err, sizeof err), 0, "%s: store_put of 3 messages (%s)", be, err);
	is_str(q(s, "SELECT count(*) FROM message", NULL, 0), "3\n", "%s: 3 message rows", be);
	char *sql = malloc(strlen(COLS) + 64);
	sprintf(sql, "%sWHERE qid = ?", COLS);
	const char *p1[] = { "4XyZ1" };
	is_str(q(s, sql, p1, 1),
	    "1000|mx.example.net|4XyZ1|192.0.2.10|fabrikam.example|bounce.fabrikam.example|example.net|"
	    "fabrikam.example|reject|quarantine|none|50|s|r|n|1:d|u|"
	    "mailto:dmarc@fabrikam.example,mailto:x@y.example!10m|mailto:ruf@fabrikam.example|"
	    "treewalk|fail|0|1|pass|trusted_forwarder|"
	    "arc=pass as.1.d=lists.example it's \"quoted\" \\ back; B\xc3\xbc" "cher|"
	    "bounce.fabrikam.example|mfrom|pass|pass|130|1\n",
	    "%s: the full message reads back exactly (8-bit, quotes, backslash)", be);
	sprintf(sql, "%sWHERE received = ?", COLS);
	const char *p2[] = { "2000" };
	is_str(q(s, sql, p2, 1),
	    "2000|mx.example.net|NULL|2001:db8::1|nopolicy.example||NULL|NULL|NULL|NULL|NULL|NULL|"
	    "NULL|NULL|NULL|NULL|NULL|NULL|NULL|psl|none|0|0|none|NULL|NULL|NULL|NULL|NULL|NULL|"
	    "NULL|0\n", "%s: absent values are SQL NULL, the null sender is \"\"", be);
	is_str(q(s, "SELECT m.qid, d.seq, d.domain, d.selector, d.result, d.human_result FROM "
	    "message_dkim d JOIN message m ON m.id = d.message_id ORDER BY m.received, d.seq", NULL, 0),
	    "4XyZ1|0|fabrikam.example|sel1|fail|body hash did not verify\n"
	    "4XyZ1|1|lists.example|s'2|pass|NULL\n"
	    "bad??|0|fabrikam.example|sel1|fail|body hash did not verify\n"
	    "bad??|1|lists.example|s'2|pass|??\n",
	    "%s: DKIM results in order, with selectors; invalid UTF-8 bytes stored as '?'", be);
	const char *p3[] = { "3000" };
	char want[64];
	snprintf(want, sizeof want, "%d|%.12s\n", 1 << 20, huge);
	is_str(q(s, "SELECT length(override_comment), substr(override_comment, 1, 12) FROM message "
	    "WHERE received = ?", p3, 1), want, "%s: a 1 MiB value is kept whole", be);
	struct rows r = { .stop_after = 1 };
	is_int(store_query(s, "SELECT huge FROM (SELECT override_comment AS huge FROM message "
	    "WHERE received = 3000) t", NULL, 0, rows_add, &r, err, sizeof err), 0,
	    "%s: the huge value is read back", be);
	ok(r.text && strlen(r.text) == (1u << 20) + 1 && memcmp(r.text, huge, 1 << 20) == 0,
	    "%s: ... byte for byte", be);
	free(r.text);

	/* placeholders: "?" in quotes is text, NULL parameters, early stop */
	is_str(q(s, "SELECT count(*) FROM message WHERE override_comment <> '?' AND "
	    "spf_scope = ? AND header_from <> ?", (const char *[]){ "mfrom", "it's" }, 2), "2\n",
	    "%s: '?' inside quotes is not a placeholder", be);
	is_str(q(s, "SELECT count(*) FROM message WHERE qid = ?", (const char *[]){ NULL }, 1), "0\n",
	    "%s: a NULL parameter is SQL NULL (matches nothing)", be);
	struct rows r2 = { .stop_after = 1 };
	store_query(s, "SELECT received FROM message ORDER BY received", NULL, 0, rows_add, &r2,
	    err, sizeof err);
	is_str(r2.text, "1000\n", "%s: row() returning non-zero stops the query", be);
	free(r2.text);
	ok(strncmp(q(s, "SELECT nosuchcolumn FROM message", NULL, 0), "ERROR: ", 7) == 0,
	    "%s: a bad query returns -1 with the backend's error (%s)", be, err);

	/* compauthd-report's bookkeeping goes through store_query too */
	const char *p5[] = { "r'1", "fabrikam.example", "0", "86400", "mailto:d@f.example", "86500", "sent" };
	is_str(q(s, "INSERT INTO report_sent (report_id, policy_domain, begin_time, end_time, "
	    "destination, sent_time, status) VALUES (?, ?, ?, ?, ?, ?, ?)", p5, 7), "",
	    "%s: INSERT through store_query", be);
	is_str(q(s, "SELECT report_id, end_time - begin_time, status FROM report_sent", NULL, 0),
	    "r'1|86400|sent\n", "%s: ... and read back", be);

	/* expiry */
	is_int(store_expire(s, 1500, err, sizeof err), 1, "%s: store_expire deletes 1 message", be);
	is_str(q(s, "SELECT received FROM message ORDER BY received", NULL, 0), "2000\n3000\n",
	    "%s: the newer messages stay", be);
	is_str(q(s, "SELECT count(*) FROM message_dkim", NULL, 0), "2\n",
	    "%s: the expired message's DKIM rows are gone", be);
	is_int(store_expire(s, 1500, err, sizeof err), 0, "%s: expiring again deletes nothing", be);
	store_close(&s);
	ok(s == NULL, "%s: store_close clears the handle", be);

	/* reopen without create; a newer schema is refused */
	s = store_open(uri, false, err, sizeof err);
	ok(s != NULL, "%s: reopened without create (%s)", be, s ? "" : err);
	if (!s)
		goto out;
	is_str(q(s, "SELECT count(*) FROM message", NULL, 0), "2\n", "%s: rows persist", be);
	q(s, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", NULL, 0);
	struct store *s2 = store_open(uri, true, err, sizeof err);
	ok(s2 == NULL && strstr(err, "schema version 99"), "%s: schema version 99 refused (%s)", be, err);
	store_close(&s2);
	/* a version 1 store (no failure or history tables) is upgraded by an open with create */
	q(s, "DROP TABLE failure_sent", NULL, 0);
	q(s, "DROP TABLE failure_sample", NULL, 0);
	q(s, "DROP TABLE history_domain", NULL, 0);
	q(s, "DROP TABLE history_infra", NULL, 0);
	q(s, "DROP TABLE history_recipient", NULL, 0);
	q(s, "UPDATE meta SET value = '1' WHERE key = 'schema_version'", NULL, 0);
	s2 = store_open(uri, false, err, sizeof err);
	ok(s2 != NULL, "%s: a version 1 store opens without create (%s)", be, s2 ? "" : err);
	store_close(&s2);
	s2 = store_open(uri, true, err, sizeof err);
	ok(s2 != NULL, "%s: version 1 upgraded (%s)", be, s2 ? "" : err);
	if (s2) {
		is_str(q(s2, "SELECT value FROM meta WHERE key = 'schema_version'", NULL, 0), "3\n",
		    "%s: upgraded to schema version 3", be);
		is_str(q(s2, "SELECT (SELECT count(*) FROM history_domain) + (SELECT count(*) FROM "
		    "history_infra) + (SELECT count(*) FROM history_recipient)", NULL, 0), "0\n",
		    "%s: history tables created by the upgrade", be);
		is_str(q(s2, "SELECT count(*) FROM failure_sample", NULL, 0), "0\n",
		    "%s: failure_sample created by the upgrade", be);
		is_str(q(s2, "SELECT count(*) FROM failure_sent", NULL, 0), "0\n",
		    "%s: failure_sent created by the upgrade", be);
		/* a message with a failure sample: both rows, expired together */
		struct store_msg f = full_msg(500, "F1");
		f.failure_headers = "From: redacted@example.com\nSubject: hi\n";
		f.failure_mail_from = "redacted@example.net";
		f.failure_auth_results = "mx.test; dmarc=fail header.from=example.com";
		const struct store_msg *fp[1] = { &f };
		ok(store_put(s2, fp, 1, err, sizeof err) == 0, "%s: a failure sample put (%s)", be, err);
		is_str(q(s2, "SELECT f.received, f.original_mail_from, f.auth_results, f.headers, f.done "
		    "FROM failure_sample f JOIN message m ON m.id = f.message_id WHERE m.qid = 'F1'",
		    NULL, 0), "500|redacted@example.net|mx.test; dmarc=fail header.from=example.com|"
		    "From: redacted@example.com\nSubject: hi\n|0\n", "%s: the sample row, linked to its message", be);
		is_int(store_expire(s2, 501, err, sizeof err), 1, "%s: expire deletes its message", be);
		is_str(q(s2, "SELECT count(*) FROM failure_sample", NULL, 0), "0\n",
		    "%s: and its failure sample", be);
		store_close(&s2);
	}

	/* a reader while a writer commits: whole batches only, never an error */
	struct pounder pd = { .uri = uri, .batches = 40, .per = 25 };
	pthread_t t;
	pthread_create(&t, NULL, pound, &pd);
	int reads = 0, bad = 0, errors = 0;
	long last = 0;
	for (;;) {
		const char *v = q(s, "SELECT count(*) FROM message WHERE qid = 'pound'", NULL, 0);
		if (strncmp(v, "ERROR", 5) == 0) {
			errors++;
			printf("# %s", v);
			break;
		}
		long n = strtol(v, NULL, 10);
		reads++;
		if (n % 25 != 0 || n < last)
			bad++;
		last = n;
		if (n == 1000)
			break;
		usleep(1000);
	}
	pthread_join(t, NULL);
	ok(!pd.failed && errors == 0 && bad == 0 && last == 1000,
	    "%s: %d reads during 40 commits saw only whole batches, no error (last %ld)", be, reads, last);

	/* a writer killed inside a transaction loses that transaction only */
	pid_t pid = fork();
	if (pid == 0) {
		struct store *k = store_open(uri, true, err, sizeof err);
		struct store_msg m = full_msg(7000, "killed");
		const struct store_msg *mp[] = { &m };
		if (!k || store_put(k, mp, 1, err, sizeof err) < 0)
			_exit(1);
		m.qid = "uncommitted";
		k->ops->exec(k, "BEGIN", err, sizeof err);
		k->ops->put(k, STORE_STMT_MESSAGE, "INSERT INTO message (received, reporter, qid, "
		    "source_ip, header_from, discovery_method, dmarc_result, dkim_aligned, spf_aligned, "
		    "disposition) VALUES (7001, 'r', 'uncommitted', '1', 'h', 'psl', 'none', 0, 0, "
		    "'none') RETURNING id", NULL, 0, &(int64_t){ 0 }, err, sizeof err);
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st), "%s: the writer was killed mid-transaction", be);
	is_str(q(s, "SELECT qid FROM message WHERE received >= 7000", NULL, 0), "killed\n",
	    "%s: its committed row is there, the uncommitted one is not", be);
	if (strcmp(be, "sqlite") == 0) {
		is_str(q(s, "PRAGMA integrity_check", NULL, 0), "ok\n", "%s: integrity_check ok", be);
		is_str(q(s, "PRAGMA journal_mode", NULL, 0), "wal\n", "%s: WAL journal", be);
	}
	store_close(&s);

	/* the writer: drains on stop */
	struct store_writer *w = store_writer_start(uri, 1000, err, sizeof err);
	ok(w != NULL, "%s: store_writer_start (%s)", be, w ? "" : err);
	if (!w)
		goto out;
	int queued = 0;
	for (int i = 0; i < 700; i++) {
		struct store_msg m = full_msg(9000 + i, "writer");
		queued += store_queue(w, &m);
	}
	is_int(queued, 700, "%s: 700 rows queued", be);
	struct store_writer_stats ws;
	store_writer_stats(w, &ws);
	store_writer_stop(&w, 10000);
	ok(w == NULL, "%s: store_writer_stop clears the handle", be);
	s = store_open(uri, false, err, sizeof err);
	is_str(s ? q(s, "SELECT count(*), min(received), max(received) FROM message WHERE "
	    "qid = 'writer'", NULL, 0) : err, "700|9000|9699\n", "%s: all 700 written by stop", be);
	is_str(s ? q(s, "SELECT count(*) FROM message_dkim d JOIN message m ON m.id = d.message_id "
	    "WHERE m.qid = 'writer' AND d.selector = 's''2'", NULL, 0) : err, "700\n",
	    "%s: with their DKIM rows", be);
	store_close(&s);

	/* the writer: a full queue drops and counts, without waiting */
	w = store_writer_start(uri, 3, err, sizeof err);
	queued = 0;
	for (int i = 0; w && i < 10; i++) {
		struct store_msg m = bare_msg(11000 + i);
		queued += store_queue(w, &m);
	}
	if (w)
		store_writer_stats(w, &ws);
	ok(w && ws.queued + ws.dropped == 10 && ws.dropped >= 7 - (ws.written ? 3 : 0),
	    "%s: report_queue 3: queued %llu + dropped %llu = 10", be,
	    (unsigned long long)ws.queued, (unsigned long long)ws.dropped);
	is_int(queued, (int)ws.queued, "%s: store_queue returned false for each drop", be);
	store_writer_stop(&w, 10000);
	ok(!store_queue(NULL, &a), "%s: no writer: store_queue drops", be);
out:
	free(sql);
	free(huge);
}

int main(void)
{
	char dir[] = "/tmp/test_store.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(dir, 0711);       /* pgserver.py's server user (postgres, under root) enters it */
	char *d = store_sql_dollar("a = ? AND b = '?' AND \"c?\" = ? OR ''''");
	is_str(d, "a = $1 AND b = '?' AND \"c?\" = $2 OR ''''", "? → $n outside quotes");
	free(d);

	struct store *s = store_open("/nonexistent/dir/reports.db", true, err, sizeof err);
	ok(!s && strstr(err, "/nonexistent/dir/reports.db"), "a store in a missing directory: %s", err);
	s = store_open("", true, err, sizeof err);
	ok(!s, "an empty URI is no store: %s", err);
	s = store_open("postgresql:///x?host=/nonexistent", true, err, sizeof err);
	ok(!s && strncmp(err, "postgresql: connect:", 20) == 0, "an unreachable server: %s", err);

	char uri[300];
	snprintf(uri, sizeof uri, "sqlite:%s/reports.db", dir);
	scenarios("sqlite", uri);

	/* the same on PostgreSQL */
	char pguri[600];
	if (pgtest_start(dir, pguri, sizeof pguri) == 0)
		scenarios("postgresql", pguri);
	pgtest_stop(dir);
	printf("1..%d\n", tap_count);
	return tap_failed != 0;
}
