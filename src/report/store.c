/*
 * The DMARC report store: which backend a URI names, the schema (created
 * or checked at open, its version in meta), and the mapping of struct
 * store_msg to rows of message and message_dkim, written in one
 * transaction per batch with prepared statements. The SQL itself is run by
 * store_sqlite.c or store_pg.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

static const char store_sql_message[] =
	"INSERT INTO message (received, reporter, qid, source_ip, header_from, envelope_from, "
	"envelope_to, policy_domain, policy_p, policy_sp, policy_np, policy_pct, policy_adkim, "
	"policy_aspf, policy_testing, policy_fo, policy_psd, rua, ruf, discovery_method, "
	"dmarc_result, dkim_aligned, spf_aligned, disposition, override_reason, override_comment, "
	"spf_domain, spf_scope, spf_result, compauth, compauth_reason, is_report) VALUES "
	"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"RETURNING id";
#define STORE_MESSAGE_COLS 32
static const char store_sql_dkim[] =
	"INSERT INTO message_dkim (message_id, seq, domain, selector, result, human_result) "
	"VALUES (?, ?, ?, ?, ?, ?)";

static const char store_sql_failure[] =
	"INSERT INTO failure_sample (message_id, received, original_mail_from, auth_results, "
	"headers) VALUES (?, ?, ?, ?, ?)";

static void
store_seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

char *
store_sql_dollar(const char *sql)
{
	size_t n = 0;
	for (const char *p = sql; *p; p++)
		n += *p == '?';
	char *out = malloc(strlen(sql) + n * 6 + 1);
	if (!out)
		return NULL;
	char *o = out, quote = 0;
	unsigned k = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?') {
			o += sprintf(o, "$%u", ++k);
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Whether the URI names PostgreSQL; else *path is the SQLite file. */
static bool
store_uri_pg(const char *uri, const char **path)
{
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0)
		return true;
	*path = strncmp(uri, "sqlite:", 7) == 0 ? uri + 7 : uri;
	return false;
}

static int
store_version_row(void *arg, size_t ncol, const char *const *col)
{
	*(long *)arg = ncol > 0 && col[0] ? strtol(col[0], NULL, 10) : 0;
	return 0;
}

/* Creates the tables (create) and checks the version in meta. */
static int
store_schema(struct store *s, bool create, char *err, size_t errlen)
{
	bool pg = strcmp(s->ops->name, "postgresql") == 0;
	if (create) {
		/* One creator at a time (several MX hosts starting together). */
		if (s->ops->exec(s, pg ? "BEGIN; SELECT pg_advisory_xact_lock(7489009)"
		    : "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		const char *id = pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
		size_t len = strlen(store_schema_sql), idlen = strlen(id);
		char *sql = malloc(len * 2 + idlen + 1), *o = sql;
		if (!sql) {
			store_seterr(err, errlen, "out of memory");
			s->ops->exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
		for (const char *p = store_schema_sql; *p; ) {
			if (strncmp(p, "@ID@", 4) == 0) {
				memcpy(o, id, idlen);
				o += idlen, p += 4;
			} else {
				*o++ = *p++;
			}
		}
		*o = '\0';
		int rc = s->ops->exec(s, sql, err, errlen);
		free(sql);
		char ins[160], up[200];
		snprintf(ins, sizeof ins, "INSERT INTO meta (key, value) VALUES ('schema_version', "
		    "'%d') ON CONFLICT (key) DO NOTHING", STORE_SCHEMA_VERSION);
		/* Versions 1 and 2 → 3: the schema text above added the tables. */
		snprintf(up, sizeof up, "UPDATE meta SET value = '%d' WHERE key = 'schema_version' "
		    "AND value IN ('1', '2')", STORE_SCHEMA_VERSION);
		if (rc < 0 || s->ops->exec(s, ins, err, errlen) < 0 ||
		    s->ops->exec(s, up, err, errlen) < 0 ||
		    s->ops->exec(s, "COMMIT", err, errlen) < 0) {
			s->ops->exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
	}
	long v = -1;
	if (s->ops->query(s, "SELECT value FROM meta WHERE key = 'schema_version'", NULL, 0,
	    store_version_row, &v, NULL, err, errlen) < 0)
		return -1;
	if (v < 0) {
		store_seterr(err, errlen, "not a report store (no schema_version in meta)");
		return -1;
	}
	/* Opened without create (compauthd -n): an older store is upgraded
	   by the first open with create, so it is usable. */
	if (v != STORE_SCHEMA_VERSION && !(v >= 1 && v < STORE_SCHEMA_VERSION && !create)) {
		if (err && errlen)
			snprintf(err, errlen, "store schema version %ld, this program knows version %d",
			    v, STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

struct store *
store_open(const char *uri, bool create, char *err, size_t errlen)
{
	if (!uri || !*uri) {
		store_seterr(err, errlen, "no store given");
		return NULL;
	}
	struct store *s = calloc(1, sizeof *s);
	if (!s) {
		store_seterr(err, errlen, "out of memory");
		return NULL;
	}
	const char *path = NULL;
	int rc = store_uri_pg(uri, &path) ? store_pg_open(s, uri, err, errlen)
	    : store_sqlite_open(s, path, create, err, errlen);
	if (rc < 0) {
		free(s);
		return NULL;
	}
	if (store_schema(s, create, err, errlen) < 0) {
		store_close(&s);
		return NULL;
	}
	return s;
}

int
store_check(const char *uri, char *err, size_t errlen)
{
	const char *path = NULL;
	if (uri && *uri && !store_uri_pg(uri, &path) && access(path, F_OK) != 0) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (access(slash && *dir ? dir : slash ? "/" : ".", W_OK | X_OK) != 0) {
			if (err && errlen)
				snprintf(err, errlen, "sqlite: %s: cannot create it: %s: %s", path,
				    slash && *dir ? dir : ".", strerror(errno));
			return -1;
		}
		return 0;
	}
	struct store *s = store_open(uri, false, err, errlen);
	if (!s)
		return -1;
	store_close(&s);
	return 0;
}

void
store_close(struct store **sp)
{
	struct store *s = *sp;
	if (!s)
		return;
	*sp = NULL;
	s->ops->close(s);
	free(s);
}

const char *
store_backend(const struct store *s)
{
	return s->ops->name;
}

/* The length of the valid UTF-8 sequence at p[i] (of len bytes), or 0. */
static size_t
store_utf8_seq(const unsigned char *p, size_t i, size_t len)
{
	unsigned c = p[i];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c & 0xf0) == 0xe0 ? 3 :
	    c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (n == 0 || i + n > len)
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((p[i + k] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0) ||
	    (c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90))
		return 0;       /* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* Valid UTF-8 as is; else a copy with each bad byte as '?' (PostgreSQL
 * refuses invalid UTF-8, and both backends must hold the same text). */
static const char *
store_utf8(const char *v, char **copy)
{
	if (!v)
		return NULL;
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v), i = 0, n;
	while (i < len && (n = store_utf8_seq(p, i, len)) > 0)
		i += n;
	if (i == len)
		return v;
	char *o = malloc(len + 1);
	if (!o)
		return NULL;
	for (i = 0; i < len; ) {
		n = store_utf8_seq(p, i, len);
		if (n == 0) {
			o[i++] = '?';
			continue;
		}
		memcpy(o + i, p + i, n);
		i += n;
	}
	o[len] = '\0';
	*copy = o;
	return o;
}

struct store_params {
	const char *v[STORE_MESSAGE_COLS];
	char *copy[STORE_MESSAGE_COLS];
	char num[5][24];
	size_t n;
	bool oom;
};

static void
store_param(struct store_params *p, const char *v)
{
	char *copy = NULL;
	const char *s = store_utf8(v, &copy);
	if (v && !s)
		p->oom = true;
	p->copy[p->n] = copy;
	p->v[p->n++] = s;
}

static void
store_params_free(struct store_params *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->copy[i]);
	p->n = 0;
}

static int
store_put_one(struct store *s, const struct store_msg *m, char *err, size_t errlen)
{
	struct store_params p = { .n = 0 };
	snprintf(p.num[0], sizeof p.num[0], "%" PRId64, m->received);
	snprintf(p.num[1], sizeof p.num[1], "%d", m->policy_pct);
	snprintf(p.num[2], sizeof p.num[2], "%d", m->compauth_reason);
	const char *b[2] = { "0", "1" };
	p.v[p.n++] = p.num[0];
	store_param(&p, m->reporter ? m->reporter : "");
	store_param(&p, m->qid);
	store_param(&p, m->source_ip ? m->source_ip : "");
	store_param(&p, m->header_from ? m->header_from : "");
	store_param(&p, m->envelope_from);
	store_param(&p, m->envelope_to);
	store_param(&p, m->policy_domain);
	store_param(&p, m->policy_p);
	store_param(&p, m->policy_sp);
	store_param(&p, m->policy_np);
	p.v[p.n++] = m->policy_pct >= 0 ? p.num[1] : NULL;
	store_param(&p, m->policy_adkim);
	store_param(&p, m->policy_aspf);
	store_param(&p, m->policy_testing);
	store_param(&p, m->policy_fo);
	store_param(&p, m->policy_psd);
	store_param(&p, m->rua);
	store_param(&p, m->ruf);
	store_param(&p, m->discovery_method ? m->discovery_method : "psl");
	store_param(&p, m->dmarc_result ? m->dmarc_result : "none");
	p.v[p.n++] = b[m->dkim_aligned];
	p.v[p.n++] = b[m->spf_aligned];
	store_param(&p, m->disposition ? m->disposition : "none");
	store_param(&p, m->override_reason);
	store_param(&p, m->override_comment);
	store_param(&p, m->spf_domain);
	store_param(&p, m->spf_scope);
	store_param(&p, m->spf_result);
	store_param(&p, m->compauth);
	p.v[p.n++] = m->compauth ? p.num[2] : NULL;
	p.v[p.n++] = b[m->is_report];
	int64_t id = 0;
	int rc = -1;
	if (m->history_only) {
		store_params_free(&p);
		return m->history != STORE_HIST_NONE ? store_history_put(s, m, err, errlen) : 0;
	}
	if (p.oom)
		store_seterr(err, errlen, "out of memory");
	else
		rc = s->ops->put(s, STORE_STMT_MESSAGE, store_sql_message, p.v, p.n, &id, err, errlen);
	store_params_free(&p);
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%" PRId64, id);
	for (size_t i = 0; rc == 0 && i < m->ndkim && i < STORE_DKIM_MAX; i++) {
		const struct store_dkim *d = &m->dkim[i];
		snprintf(p.num[3], sizeof p.num[3], "%zu", i);
		p.v[p.n++] = idbuf;
		p.v[p.n++] = p.num[3];
		store_param(&p, d->domain ? d->domain : "");
		store_param(&p, d->selector ? d->selector : "");
		store_param(&p, d->result ? d->result : "none");
		store_param(&p, d->human_result);
		if (p.oom) {
			store_seterr(err, errlen, "out of memory");
			rc = -1;
		} else {
			rc = s->ops->put(s, STORE_STMT_DKIM, store_sql_dkim, p.v, p.n, NULL, err, errlen);
		}
		store_params_free(&p);
	}
	if (rc == 0 && m->history != STORE_HIST_NONE)
		rc = store_history_put(s, m, err, errlen);
	if (rc == 0 && m->failure_headers) {
		snprintf(p.num[4], sizeof p.num[4], "%" PRId64, m->received);
		p.v[p.n++] = idbuf;
		p.v[p.n++] = p.num[4];
		store_param(&p, m->failure_mail_from);
		store_param(&p, m->failure_auth_results);
		store_param(&p, m->failure_headers);
		if (p.oom) {
			store_seterr(err, errlen, "out of memory");
			rc = -1;
		} else {
			rc = s->ops->put(s, STORE_STMT_FAILURE, store_sql_failure, p.v, p.n, NULL,
			    err, errlen);
		}
		store_params_free(&p);
	}
	return rc;
}

int
store_put(struct store *s, const struct store_msg *const *msgs, size_t n,
    char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	if (s->ops->exec(s, "BEGIN", err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (store_put_one(s, msgs[i], err, errlen) < 0) {
			s->ops->exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
	}
	if (s->ops->exec(s, "COMMIT", err, errlen) < 0) {
		s->ops->exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

long
store_expire(struct store *s, int64_t cutoff, char *err, size_t errlen)
{
	char c[24];
	snprintf(c, sizeof c, "%" PRId64, cutoff);
	const char *params[1] = { c };
	long changes = 0;
	if (s->ops->exec(s, "BEGIN", err, errlen) < 0)
		return -1;
	if (s->ops->query(s, "DELETE FROM message_dkim WHERE message_id IN "
	    "(SELECT id FROM message WHERE received < ?)", params, 1, NULL, NULL, NULL,
	    err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM failure_sample WHERE received < ?", params, 1, NULL,
	    NULL, NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM failure_sent WHERE sent_time < ?", params, 1, NULL,
	    NULL, NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM message WHERE received < ?", params, 1, NULL, NULL,
	    &changes, err, errlen) < 0 ||
	    s->ops->exec(s, "COMMIT", err, errlen) < 0) {
		s->ops->exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return changes;
}

int
store_query(struct store *s, const char *sql, const char *const *params, size_t nparams,
    store_row_fn row, void *arg, char *err, size_t errlen)
{
	return s->ops->query(s, sql, params, nparams, row, arg, NULL, err, errlen);
}
