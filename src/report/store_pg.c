/*
 * The report store on PostgreSQL (libpq): one database shared by several
 * MX hosts. Parameters go as text ("?" rewritten to "$n"), results come as
 * text, so the rows read the same as from SQLite. Notices (CREATE ... IF
 * NOT EXISTS on an existing table) are silenced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_int.h"

static const char *const pg_stmt_name[STORE_STMT_COUNT] = { "store_message", "store_dkim",
	"store_failure", "store_hist_pass", "store_hist_fail", "store_hist_infra",
	"store_hist_rcpt" };

static int
pg_err(PGconn *c, const PGresult *r, const char *what, char *err, size_t errlen)
{
	if (err && errlen) {
		const char *m = r ? PQresultErrorMessage(r) : "";
		if (!m || !*m)
			m = PQerrorMessage(c);
		snprintf(err, errlen, "postgresql: %s: %.*s", what,
		    (int)strcspn(m, "\n"), m);
	}
	return -1;
}

static bool
pg_ok(const PGresult *r)
{
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int
pg_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(s->conn, sql);
	int rc = pg_ok(r) ? 0 : pg_err(s->conn, r, "exec", err, errlen);
	PQclear(r);
	return rc;
}

static int
pg_put(struct store *s, enum store_stmt idx, const char *sql,
    const char *const *params, size_t n, int64_t *id, char *err, size_t errlen)
{
	PGresult *r;
	if (!s->stmt[idx]) {
		char *q = store_sql_dollar(sql);
		if (!q) {
			if (err && errlen)
				snprintf(err, errlen, "out of memory");
			return -1;
		}
		r = PQprepare(s->conn, pg_stmt_name[idx], q, (int)n, NULL);
		free(q);
		if (!pg_ok(r)) {
			pg_err(s->conn, r, "prepare", err, errlen);
			PQclear(r);
			return -1;
		}
		PQclear(r);
		s->stmt[idx] = (void *)pg_stmt_name[idx];
	}
	r = PQexecPrepared(s->conn, pg_stmt_name[idx], (int)n, params, NULL, NULL, 0);
	int rc = 0;
	if (!pg_ok(r))
		rc = pg_err(s->conn, r, "insert", err, errlen);
	else if (id && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else if (id)
		rc = pg_err(s->conn, r, "insert returned no id", err, errlen);
	PQclear(r);
	return rc;
}

static int
pg_query(struct store *s, const char *sql, const char *const *params, size_t n,
    store_row_fn row, void *arg, long *changes, char *err, size_t errlen)
{
	char *q = store_sql_dollar(sql);
	if (!q) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	PGresult *r = PQexecParams(s->conn, q, (int)n, NULL, params, NULL, NULL, 0);
	free(q);
	if (!pg_ok(r)) {
		pg_err(s->conn, r, "query", err, errlen);
		PQclear(r);
		return -1;
	}
	int rows = PQntuples(r);
	size_t ncol = (size_t)PQnfields(r);
	const char **col = calloc(ncol ? ncol : 1, sizeof *col);
	if (!col) {
		PQclear(r);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; row && i < rows; i++) {
		for (size_t j = 0; j < ncol; j++)
			col[j] = PQgetisnull(r, i, (int)j) ? NULL : PQgetvalue(r, i, (int)j);
		if (row(arg, ncol, col) != 0)
			break;
	}
	if (changes)
		*changes = strtol(PQcmdTuples(r), NULL, 10);
	free(col);
	PQclear(r);
	return 0;
}

static void
pg_close(struct store *s)
{
	PQfinish(s->conn);
	s->conn = NULL;
}

static const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.exec = pg_exec,
	.put = pg_put,
	.query = pg_query,
	.close = pg_close,
};

static void
pg_notice(void *arg, const char *message)
{
	(void)arg, (void)message;
}

/*
 * Defaults a server that stops answering cannot turn into a hang: 10 s to
 * connect, 5 min per statement (a lock held elsewhere, a runaway query).
 * They come before the URI, so that its own connect_timeout= or options=
 * win (libpq: later parameters override earlier ones).
 */
static const char *const pg_keys[] = { "connect_timeout", "options", "dbname", NULL };
#define PG_CONNECT_TIMEOUT "10"
#define PG_OPTIONS "-c statement_timeout=300000"

int
store_pg_open(struct store *s, const char *conninfo, char *err, size_t errlen)
{
	const char *vals[] = { PG_CONNECT_TIMEOUT, PG_OPTIONS, conninfo, NULL };
	PGconn *c = PQconnectdbParams(pg_keys, vals, 1);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		if (err && errlen) {
			const char *m = c ? PQerrorMessage(c) : "out of memory";
			snprintf(err, errlen, "postgresql: connect: %.*s", (int)strcspn(m, "\n"), m);
		}
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, pg_notice, NULL);
	s->ops = &store_pg_ops;
	s->conn = c;
	if (pg_exec(s, "SET client_encoding = 'UTF8'", err, errlen) < 0) {
		pg_close(s);
		return -1;
	}
	return 0;
}
