/*
 * The report store's backends behind include/report_store.h: store.c owns
 * the URI, the schema and the mapping of struct store_msg to rows; a
 * backend (store_sqlite.c, store_pg.c) owns a connection and runs SQL with
 * text parameters.
 */
#ifndef COMPAUTHD_STORE_INT_H
#define COMPAUTHD_STORE_INT_H

#include "report_store.h"

#define STORE_SCHEMA_VERSION 3

/* Statements store.c prepares once per connection (index into a cache). */
enum store_stmt { STORE_STMT_MESSAGE = 0, STORE_STMT_DKIM, STORE_STMT_FAILURE,
	STORE_STMT_HIST_PASS, STORE_STMT_HIST_FAIL, STORE_STMT_HIST_INFRA, STORE_STMT_HIST_RCPT,
	STORE_STMT_COUNT };

struct store_ops {
	const char *name;
	/* SQL without parameters, possibly several statements. */
	int (*exec)(struct store *s, const char *sql, char *err, size_t errlen);
	/*
	 * Runs the statement cached as idx (prepared from sql, with "?"
	 * already rewritten for the backend, on first use). When id is not
	 * NULL the statement returns one row whose first column is stored.
	 */
	int (*put)(struct store *s, enum store_stmt idx, const char *sql,
	    const char *const *params, size_t n, int64_t *id, char *err, size_t errlen);
	/* store_query()'s work; *changes gets the rows a DML statement touched. */
	int (*query)(struct store *s, const char *sql, const char *const *params, size_t n,
	    store_row_fn row, void *arg, long *changes, char *err, size_t errlen);
	void (*close)(struct store *s);
};

struct store {
	const struct store_ops *ops;
	void *conn;             /* sqlite3 * or PGconn * */
	void *stmt[STORE_STMT_COUNT];
};

/* Each backend opens its connection into s (ops and conn); 0 or -1 + err. */
int store_sqlite_open(struct store *s, const char *path, bool create, char *err, size_t errlen);
int store_pg_open(struct store *s, const char *conninfo, char *err, size_t errlen);

/* The history rows a message teaches (history_store.c), in put's transaction. */
int store_history_put(struct store *s, const struct store_msg *m, char *err, size_t errlen);

/* "?" placeholders → "$1".."$n", outside quotes; malloc'd, NULL on ENOMEM. */
char *store_sql_dollar(const char *sql);
/* The schema text (schema.sql, generated into schema_sql.c). */
extern const char store_schema_sql[];

#endif
