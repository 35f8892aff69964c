/*
 * The report store on SQLite: one file, WAL journal (readers such as
 * compauthd-report never block the daemon's writer, and a crash loses at
 * most the last transactions, never the file), synchronous=NORMAL (what WAL
 * needs for durability against a process crash; a power loss may undo the
 * last commits, which for report data is acceptable), a busy timeout for
 * the moments two writers meet (the daemon and compauthd-report's
 * bookkeeping).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

#define STORE_SQLITE_BUSY_MS 10000

static int
sq_err(struct store *s, const char *what, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "sqlite: %s: %s", what, sqlite3_errmsg(s->conn));
	return -1;
}

static int
sq_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err && errlen)
			snprintf(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(s->conn));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
sq_bind(struct store *s, sqlite3_stmt *st, const char *const *params, size_t n,
    char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		int rc = params[i] ? sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC)
		    : sqlite3_bind_null(st, (int)i + 1);
		if (rc != SQLITE_OK)
			return sq_err(s, "bind", err, errlen);
	}
	return 0;
}

static int
sq_put(struct store *s, enum store_stmt idx, const char *sql,
    const char *const *params, size_t n, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[idx];
	if (!st) {
		if (sqlite3_prepare_v3(s->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)
		    != SQLITE_OK)
			return sq_err(s, "prepare", err, errlen);
		s->stmt[idx] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (sq_bind(s, st, params, n, err, errlen) < 0)
		return -1;
	int rc = sqlite3_step(st);
	if (id) {
		if (rc != SQLITE_ROW)
			goto fail;
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	return 0;
fail:
	sq_err(s, "insert", err, errlen);
	sqlite3_reset(st);
	return -1;
}

static int
sq_query(struct store *s, const char *sql, const char *const *params, size_t n,
    store_row_fn row, void *arg, long *changes, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(s->conn, sql, -1, &st, &tail) != SQLITE_OK)
		return sq_err(s, "prepare", err, errlen);
	if (!st) {
		if (err && errlen)
			snprintf(err, errlen, "sqlite: empty statement");
		return -1;
	}
	tail += strspn(tail, " \t\r\n;");
	if (*tail) {
		sqlite3_finalize(st);
		if (err && errlen)
			snprintf(err, errlen, "sqlite: one statement at a time");
		return -1;
	}
	if ((size_t)sqlite3_bind_parameter_count(st) != n) {
		sqlite3_finalize(st);
		if (err && errlen)
			snprintf(err, errlen, "sqlite: statement has %d parameters, %zu given",
			    sqlite3_bind_parameter_count(st), n);
		return -1;
	}
	if (sq_bind(s, st, params, n, err, errlen) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	size_t ncol = (size_t)sqlite3_column_count(st);
	const char **col = calloc(ncol ? ncol : 1, sizeof *col);
	int rc, ret = 0;
	if (!col) {
		sqlite3_finalize(st);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < ncol; i++)
			col[i] = (const char *)sqlite3_column_text(st, (int)i);
		if (row && row(arg, ncol, col) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = sq_err(s, "step", err, errlen);
	else if (changes)
		*changes = (long)sqlite3_changes64(s->conn);
	free(col);
	sqlite3_finalize(st);
	return ret;
}

static void
sq_close(struct store *s)
{
	for (int i = 0; i < STORE_STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close_v2(s->conn);
	s->conn = NULL;
}

static const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.exec = sq_exec,
	.put = sq_put,
	.query = sq_query,
	.close = sq_close,
};

int
store_sqlite_open(struct store *s, const char *path, bool create, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
	    SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		if (err && errlen)
			snprintf(err, errlen, "sqlite: %s: %s", path,
			    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close_v2(db);
		return -1;
	}
	s->ops = &store_sqlite_ops;
	s->conn = db;
	sqlite3_busy_timeout(db, STORE_SQLITE_BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	/* WAL is a property of the file: the creator sets it, readers find it. */
	if ((create && sq_exec(s, "PRAGMA journal_mode=WAL", err, errlen) < 0) ||
	    sq_exec(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", err, errlen) < 0) {
		char e[256];
		snprintf(e, sizeof e, "%s", err ? err : "");
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, e);
		sq_close(s);
		return -1;
	}
	return 0;
}
