/*
 * Writing implicit authentication's history (history.h) in the writer's
 * transaction, and pruning it hourly. Every statement runs unchanged on
 * SQLite and PostgreSQL (ON CONFLICT upserts, window functions).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "store_int.h"

static const char sql_pass[] =
	"INSERT INTO history_domain (org_domain, pass_count, fail_count, first_seen, last_seen) "
	"VALUES (?, 1, 0, ?, ?) ON CONFLICT (org_domain) DO UPDATE SET "
	"pass_count = history_domain.pass_count + 1, last_seen = excluded.last_seen";
/* Only a domain already known: spoofed mail must not create rows. */
static const char sql_fail[] =
	"UPDATE history_domain SET fail_count = fail_count + 1 WHERE org_domain = ?";
static const char sql_infra[] =
	"INSERT INTO history_infra (org_domain, kind, value, count, first_seen, last_seen) "
	"VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (org_domain, kind, value) DO UPDATE SET "
	"count = history_infra.count + 1, last_seen = excluded.last_seen";
static const char sql_rcpt[] =
	"INSERT INTO history_recipient (org_domain, count, first_seen, last_seen) "
	"VALUES (?, 1, ?, ?) ON CONFLICT (org_domain) DO UPDATE SET "
	"count = history_recipient.count + 1, last_seen = excluded.last_seen";

static int
infra(struct store *s, const char *org, enum history_kind k, const char *v, const char *t,
    char *err, size_t errlen)
{
	if (v == NULL || *v == '\0')
		return 0;
	const char *p[5] = { org, history_kind_name(k), v, t, t };
	return s->ops->put(s, STORE_STMT_HIST_INFRA, sql_infra, p, 5, NULL, err, errlen);
}

int
store_history_put(struct store *s, const struct store_msg *m, char *err, size_t errlen)
{
	char t[24];
	int rc = 0;

	snprintf(t, sizeof t, "%" PRId64, m->received);
	if (m->history == STORE_HIST_OUTBOUND) {
		for (size_t i = 0; rc == 0 && i < m->nrcpt_orgs && i < STORE_RCPT_MAX; i++) {
			if (m->rcpt_orgs[i] == NULL || *m->rcpt_orgs[i] == '\0')
				continue;
			const char *p[3] = { m->rcpt_orgs[i], t, t };
			rc = s->ops->put(s, STORE_STMT_HIST_RCPT, sql_rcpt, p, 3, NULL, err, errlen);
		}
		return rc;
	}
	if (m->history_org == NULL || *m->history_org == '\0')
		return 0;
	if (m->history == STORE_HIST_FAIL) {
		const char *p[1] = { m->history_org };
		return s->ops->put(s, STORE_STMT_HIST_FAIL, sql_fail, p, 1, NULL, err, errlen);
	}
	if (m->history != STORE_HIST_PASS)
		return 0;
	const char *p[3] = { m->history_org, t, t };
	rc = s->ops->put(s, STORE_STMT_HIST_PASS, sql_pass, p, 3, NULL, err, errlen);
	for (size_t i = 0; rc == 0 && i < m->ndkim && i < STORE_DKIM_MAX; i++)
		if (m->dkim[i].result != NULL && strcmp(m->dkim[i].result, "pass") == 0)
			rc = infra(s, m->history_org, HIST_DKIM, m->dkim[i].domain, t, err, errlen);
	if (rc == 0 && m->spf_result != NULL && strcmp(m->spf_result, "pass") == 0 &&
	    m->spf_scope != NULL && strcmp(m->spf_scope, "mfrom") == 0)
		rc = infra(s, m->history_org, HIST_SPF, m->spf_domain, t, err, errlen);
	if (rc == 0)
		rc = infra(s, m->history_org, HIST_NET, m->history_net, t, err, errlen);
	if (rc == 0)
		rc = infra(s, m->history_org, HIST_PTR, m->history_ptr, t, err, errlen);
	return rc;
}

int
store_history_prune(struct store *s, int64_t cutoff, size_t max_domains, char *err,
    size_t errlen)
{
	char c[24], max[24], kmax[24];
	snprintf(c, sizeof c, "%" PRId64, cutoff);
	snprintf(max, sizeof max, "%zu", max_domains);
	snprintf(kmax, sizeof kmax, "%d", HISTORY_KIND_MAX);
	const char *pc[1] = { c }, *pm[1] = { max }, *pk[1] = { kmax };
	if (s->ops->exec(s, "BEGIN", err, errlen) < 0)
		return -1;
	/*
	 * Beyond max_domains the domains with the fewest authenticated
	 * messages go first: a flood of new domains of one message each
	 * cannot push out one with a long record.
	 */
	if (s->ops->query(s, "DELETE FROM history_infra WHERE last_seen < ?", pc, 1, NULL, NULL,
	    NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM history_domain WHERE last_seen < ?", pc, 1, NULL, NULL,
	    NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM history_recipient WHERE last_seen < ?", pc, 1, NULL, NULL,
	    NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM history_domain WHERE org_domain NOT IN (SELECT org_domain "
	    "FROM history_domain ORDER BY pass_count DESC, last_seen DESC, org_domain "
	    "LIMIT CAST(? AS INTEGER))", pm, 1, NULL, NULL, NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM history_recipient WHERE org_domain NOT IN (SELECT "
	    "org_domain FROM history_recipient ORDER BY count DESC, last_seen DESC, org_domain "
	    "LIMIT CAST(? AS INTEGER))", pm, 1, NULL, NULL, NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM history_infra WHERE org_domain NOT IN (SELECT org_domain "
	    "FROM history_domain)", NULL, 0, NULL, NULL, NULL, err, errlen) < 0 ||
	    s->ops->query(s, "DELETE FROM history_infra WHERE (org_domain, kind, value) IN (SELECT "
	    "org_domain, kind, value FROM (SELECT org_domain, kind, value, ROW_NUMBER() OVER "
	    "(PARTITION BY org_domain, kind ORDER BY count DESC, last_seen DESC, value) AS rn FROM "
	    "history_infra) t WHERE rn > CAST(? AS INTEGER))", pk, 1, NULL, NULL, NULL, err,
	    errlen) < 0 ||
	    s->ops->exec(s, "COMMIT", err, errlen) < 0) {
		s->ops->exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}
