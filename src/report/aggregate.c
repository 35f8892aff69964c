/*
 * One RFC 9990 aggregate report: the messages of one policy domain and
 * period read from the store, grouped into <record> rows with a <count>
 * (messages whose source IP, evaluation, override reasons, identifiers
 * and authentication results are all identical share one), in the order
 * their first message was stored. Every value is escaped (rbuf_xml), and a
 * value outside a schema enumeration is replaced by a valid one, so the
 * report is well-formed and valid whatever a sender put in its domains.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "aggregate.h"
#include "report_store.h"

#define AGG_DKIM_MAX 100        /* RFC 9990 §2.1.6: signatures per row */

static const char *const agg_dispositions[] = { "none", "pass", "quarantine", "reject", NULL };
static const char *const agg_policies[] = { "none", "quarantine", "reject", NULL };
static const char *const agg_reasons[] = { "local_policy", "mailing_list", "other",
	"policy_test_mode", "trusted_forwarder", NULL };
static const char *const agg_dkim_results[] = { "none", "pass", "fail", "policy", "neutral",
	"temperror", "permerror", NULL };
static const char *const agg_spf_results[] = { "none", "pass", "fail", "softfail", "policy",
	"neutral", "temperror", "permerror", NULL };
static const char *const agg_align[] = { "r", "s", NULL };
static const char *const agg_yn[] = { "n", "y", NULL };
static const char *const agg_discovery[] = { "psl", "treewalk", NULL };

/* v when it is one of words, else dflt (may be NULL: absent). */
static const char *
agg_word(const char *v, const char *const *words, const char *dflt)
{
	if (v)
		for (size_t i = 0; words[i]; i++)
			if (strcmp(v, words[i]) == 0)
				return words[i];
	return dflt;
}

static char *
agg_strdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		abort();
	return d;
}

bool
agg_domain_safe(const char *d)
{
	size_t n = d ? strlen(d) : 0;
	if (n == 0 || n > 253 || d[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = d[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* ---- Domains and the published policy -------------------------------- */

struct agg_list {
	char **v;
	size_t n, cap;
};

static int
agg_domain_row(void *arg, size_t ncol, const char *const *col)
{
	struct agg_list *l = arg;
	if (ncol < 1 || !col[0])
		return 0;
	char **v = grow_array(l->v, &l->cap, l->n + 1, sizeof *v);
	if (!v)
		abort();
	l->v = v;
	l->v[l->n++] = agg_strdup(col[0]);
	return 0;
}

int
agg_domains(struct store *s, int64_t begin, int64_t end, const char *only,
    char ***domains, size_t *n, char *err, size_t errlen)
{
	char b[24], e[24];
	struct agg_list l = { 0 };
	snprintf(b, sizeof b, "%" PRId64, begin);
	snprintf(e, sizeof e, "%" PRId64, end);
	const char *params[3] = { b, e, only };
	int rc = store_query(s, only ?
	    "SELECT DISTINCT policy_domain FROM message WHERE received >= ? AND received < ? "
	    "AND (is_report = 0 OR dmarc_result <> 'pass') AND policy_domain = ? ORDER BY policy_domain" :
	    "SELECT DISTINCT policy_domain FROM message WHERE received >= ? AND received < ? "
	    "AND (is_report = 0 OR dmarc_result <> 'pass') AND policy_domain IS NOT NULL ORDER BY policy_domain",
	    params, only ? 3 : 2, agg_domain_row, &l, err, errlen);
	if (rc < 0) {
		agg_domains_free(&l.v, l.n);
		return -1;
	}
	*domains = l.v;
	*n = l.n;
	return 0;
}

void
agg_domains_free(char ***domains, size_t n)
{
	for (size_t i = 0; *domains && i < n; i++)
		free((*domains)[i]);
	free(*domains);
	*domains = NULL;
}

static int
agg_policy_row(void *arg, size_t ncol, const char *const *col)
{
	struct agg_policy *p = arg;
	if (ncol < 10)
		return 1;
	p->p = agg_strdup(col[0]);
	p->sp = agg_strdup(col[1]);
	p->np = agg_strdup(col[2]);
	p->adkim = agg_strdup(col[3]);
	p->aspf = agg_strdup(col[4]);
	p->fo = agg_strdup(col[5]);
	p->testing = agg_strdup(col[6]);
	p->discovery = agg_strdup(col[7]);
	p->rua = agg_strdup(col[8]);
	p->psd = agg_strdup(col[9]);
	return 1;
}

int
agg_policy(struct store *s, const char *domain, int64_t begin, int64_t end,
    struct agg_policy *pol, char *err, size_t errlen)
{
	char b[24], e[24];
	snprintf(b, sizeof b, "%" PRId64, begin);
	snprintf(e, sizeof e, "%" PRId64, end);
	const char *params[3] = { domain, b, e };
	memset(pol, 0, sizeof *pol);
	return store_query(s,
	    "SELECT policy_p, policy_sp, policy_np, policy_adkim, policy_aspf, policy_fo, "
	    "policy_testing, discovery_method, rua, policy_psd FROM message "
	    "WHERE policy_domain = ? AND received >= ? AND received < ? AND (is_report = 0 OR dmarc_result <> 'pass') "
	    "ORDER BY received DESC, id DESC LIMIT 1",
	    params, 3, agg_policy_row, pol, err, errlen);
}

static void
agg_policy_free(struct agg_policy *p)
{
	free(p->p); free(p->sp); free(p->np); free(p->adkim); free(p->aspf);
	free(p->fo); free(p->testing); free(p->discovery); free(p->rua); free(p->psd);
	memset(p, 0, sizeof *p);
}

/* ---- Rows ----------------------------------------------------------- */

struct agg_dkim {
	int64_t mid;
	char *domain, *selector, *result, *human;
};

struct agg_group {
	char *ip;               /* escaped source_ip */
	char *rest;             /* </count> onwards up to </record> */
	uint64_t count;
	size_t next;            /* hash chain, index + 1 */
	uint64_t hash;
};

struct agg_ctx {
	struct agg_dkim *dk;
	size_t ndk, capdk, dkpos;
	struct agg_group *g;
	size_t ng, capg;
	size_t *buckets;        /* index + 1 */
	size_t nbuckets;
	size_t replaced;
};

static int
agg_dkim_row(void *arg, size_t ncol, const char *const *col)
{
	struct agg_ctx *c = arg;
	if (ncol < 5 || !col[0])
		return 0;
	struct agg_dkim *d = grow_array(c->dk, &c->capdk, c->ndk + 1, sizeof *d);
	if (!d)
		abort();
	c->dk = d;
	d = &c->dk[c->ndk++];
	d->mid = strtoll(col[0], NULL, 10);
	d->domain = agg_strdup(col[1] ? col[1] : "");
	d->selector = agg_strdup(col[2] ? col[2] : "");
	d->result = agg_strdup(col[3]);
	d->human = agg_strdup(col[4]);
	return 0;
}

static uint64_t
agg_hash(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const unsigned char *p = (const unsigned char *)b; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static void
agg_rehash(struct agg_ctx *c)
{
	size_t nb = c->nbuckets ? c->nbuckets * 2 : 256;
	free(c->buckets);
	c->buckets = calloc(nb, sizeof *c->buckets);
	if (!c->buckets)
		abort();
	c->nbuckets = nb;
	for (size_t i = 0; i < c->ng; i++) {
		size_t b = c->g[i].hash % nb;
		c->g[i].next = c->buckets[b];
		c->buckets[b] = i + 1;
	}
}

static void
agg_group_add(struct agg_ctx *c, struct strbuf *ip, struct strbuf *rest)
{
	uint64_t h = agg_hash(ip->p, rest->p);
	if (c->nbuckets) {
		for (size_t k = c->buckets[h % c->nbuckets]; k; k = c->g[k - 1].next) {
			struct agg_group *g = &c->g[k - 1];
			if (g->hash == h && strcmp(g->ip, ip->p) == 0 && strcmp(g->rest, rest->p) == 0) {
				g->count++;
				strbuf_free(ip);
				strbuf_free(rest);
				return;
			}
		}
	}
	struct agg_group *g = grow_array(c->g, &c->capg, c->ng + 1, sizeof *g);
	if (!g)
		abort();
	c->g = g;
	g = &c->g[c->ng++];
	g->ip = ip->p;
	g->rest = rest->p;
	g->count = 1;
	g->hash = h;
	memset(ip, 0, sizeof *ip);
	memset(rest, 0, sizeof *rest);
	if (c->ng * 2 > c->nbuckets) {
		agg_rehash(c);
	} else {
		size_t b = h % c->nbuckets;
		g->next = c->buckets[b];
		c->buckets[b] = c->ng;
	}
}

/* RFC 9990 §2.1.6: aligned passing signatures first, then other passes, then the rest. */
static int
agg_dkim_rank(const struct agg_dkim *d, const char *from)
{
	size_t dl = strlen(d->domain), fl = strlen(from);
	if (!d->result || strcmp(d->result, "pass") != 0)
		return 3;
	if (strcmp(d->domain, from) == 0)
		return 0;
	if ((fl > dl && from[fl - dl - 1] == '.' && strcmp(from + fl - dl, d->domain) == 0) ||
	    (dl > fl && d->domain[dl - fl - 1] == '.' && strcmp(d->domain + dl - fl, from) == 0))
		return 1;
	return 2;
}

static void
agg_el(struct agg_ctx *c, struct strbuf *b, const char *indent, const char *name, const char *v)
{
	rbuf_printf(b, "%s<%s>", indent, name);
	c->replaced += rbuf_xml(b, v);
	rbuf_printf(b, "</%s>\n", name);
}

/* Columns of agg_msg_row, in this order. */
static const char agg_sql_msgs[] =
	"SELECT id, source_ip, header_from, envelope_from, envelope_to, dkim_aligned, "
	"spf_aligned, disposition, override_reason, override_comment, spf_domain, spf_scope, "
	"spf_result FROM message WHERE policy_domain = ? AND received >= ? AND received < ? "
	"AND (is_report = 0 OR dmarc_result <> 'pass') ORDER BY id";

static int
agg_msg_row(void *arg, size_t ncol, const char *const *col)
{
	struct agg_ctx *c = arg;
	struct strbuf ip = { 0 }, r = { 0 };
	const char *from;
	int64_t mid;
	size_t first, last, i;

	if (ncol < 13)
		return 1;
	mid = strtoll(col[0], NULL, 10);
	from = col[2] ? col[2] : "";
	c->replaced += rbuf_xml(&ip, col[1] ? col[1] : "");

	rbuf_puts(&r, "      <policy_evaluated>\n");
	rbuf_printf(&r, "        <disposition>%s</disposition>\n",
	    agg_word(col[7], agg_dispositions, "none"));
	rbuf_printf(&r, "        <dkim>%s</dkim>\n", col[5] && strcmp(col[5], "0") != 0 ? "pass" : "fail");
	rbuf_printf(&r, "        <spf>%s</spf>\n", col[6] && strcmp(col[6], "0") != 0 ? "pass" : "fail");
	if (col[8]) {
		rbuf_puts(&r, "        <reason>\n");
		rbuf_printf(&r, "          <type>%s</type>\n", agg_word(col[8], agg_reasons, "other"));
		if (col[9])
			agg_el(c, &r, "          ", "comment", col[9]);
		rbuf_puts(&r, "        </reason>\n");
	}
	rbuf_puts(&r, "      </policy_evaluated>\n    </row>\n    <identifiers>\n");
	agg_el(c, &r, "      ", "header_from", from);
	if (col[3])
		agg_el(c, &r, "      ", "envelope_from", col[3]);
	if (col[4])
		agg_el(c, &r, "      ", "envelope_to", col[4]);
	rbuf_puts(&r, "    </identifiers>\n    <auth_results>\n");

	while (c->dkpos < c->ndk && c->dk[c->dkpos].mid < mid)
		c->dkpos++;
	first = c->dkpos;
	while (c->dkpos < c->ndk && c->dk[c->dkpos].mid == mid)
		c->dkpos++;
	last = c->dkpos;
	size_t shown = 0;
	for (int rank = 0; rank < 4; rank++) {
		for (i = first; i < last && shown < AGG_DKIM_MAX; i++) {
			const struct agg_dkim *d = &c->dk[i];
			if (agg_dkim_rank(d, from) != rank)
				continue;
			shown++;
			rbuf_puts(&r, "      <dkim>\n");
			agg_el(c, &r, "        ", "domain", d->domain);
			agg_el(c, &r, "        ", "selector", d->selector);
			rbuf_printf(&r, "        <result>%s</result>\n",
			    agg_word(d->result, agg_dkim_results, "permerror"));
			if (d->human)
				agg_el(c, &r, "        ", "human_result", d->human);
			rbuf_puts(&r, "      </dkim>\n");
		}
	}
	if (col[10]) {
		rbuf_puts(&r, "      <spf>\n");
		agg_el(c, &r, "        ", "domain", col[10]);
		/* RFC 9990 §2.1.7: "mfrom" is the only scope; a HELO check has none. */
		if (col[11] && strcmp(col[11], "mfrom") == 0)
			rbuf_puts(&r, "        <scope>mfrom</scope>\n");
		rbuf_printf(&r, "        <result>%s</result>\n",
		    agg_word(col[12], agg_spf_results, "permerror"));
		rbuf_puts(&r, "      </spf>\n");
	}
	rbuf_puts(&r, "    </auth_results>\n  </record>\n");
	agg_group_add(c, &ip, &r);
	return 0;
}

static void
agg_ctx_free(struct agg_ctx *c)
{
	for (size_t i = 0; i < c->ndk; i++) {
		free(c->dk[i].domain); free(c->dk[i].selector);
		free(c->dk[i].result); free(c->dk[i].human);
	}
	free(c->dk);
	for (size_t i = 0; i < c->ng; i++) {
		free(c->g[i].ip);
		free(c->g[i].rest);
	}
	free(c->g);
	free(c->buckets);
	memset(c, 0, sizeof *c);
}

void
agg_report_id(const struct agg_meta *meta, const char *domain, int64_t begin,
    int64_t end, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct strbuf b = { 0 };

	rbuf_printf(&b, "%s%c%s%c%s%c%" PRId64 "%c%" PRId64, meta->id_seed ? meta->id_seed : "", 0,
	    meta->receiver, 0, domain, 0, begin, 0, end);
	EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(), NULL);
	strbuf_free(&b);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int
agg_build(struct store *s, const char *domain, int64_t begin, int64_t end,
    const struct agg_meta *meta, const char *error, struct agg_report *r,
    char *err, size_t errlen)
{
	return agg_build_part(s, domain, begin, end, meta, error, 0, 1, r, err, errlen);
}

int
agg_build_part(struct store *s, const char *domain, int64_t begin, int64_t end,
    const struct agg_meta *meta, const char *error, size_t part, size_t nparts,
    struct agg_report *r, char *err, size_t errlen)
{
	struct agg_ctx c = { 0 };
	size_t lo, hi;
	char b[24], e[24];
	struct strbuf *x = &r->xml;
	const struct agg_policy *pol = &r->pol;

	snprintf(b, sizeof b, "%" PRId64, begin);
	snprintf(e, sizeof e, "%" PRId64, end);
	const char *params[3] = { domain, b, e };
	if (store_query(s,
	    "SELECT d.message_id, d.domain, d.selector, d.result, d.human_result "
	    "FROM message_dkim d JOIN message m ON m.id = d.message_id "
	    "WHERE m.policy_domain = ? AND m.received >= ? AND m.received < ? AND (m.is_report = 0 OR m.dmarc_result <> 'pass') "
	    "ORDER BY d.message_id, d.seq", params, 3, agg_dkim_row, &c, err, errlen) < 0 ||
	    store_query(s, agg_sql_msgs, params, 3, agg_msg_row, &c, err, errlen) < 0) {
		agg_ctx_free(&c);
		return -1;
	}
	if (c.ng == 0) {
		snprintf(err, errlen, "%s: no message to report", domain);
		agg_ctx_free(&c);
		return -1;
	}
	if (!r->domain)
		r->domain = agg_strdup(domain);
	r->begin = begin;
	r->end = end;
	if (nparts < 1 || nparts > c.ng || part >= nparts) {
		snprintf(err, errlen, "%s: %zu records cannot make part %zu of %zu", domain, c.ng,
		    part + 1, nparts);
		agg_ctx_free(&c);
		return -1;
	}
	/* Records [lo, hi): nparts windows as even as the count allows. */
	lo = c.ng * part / nparts;
	hi = c.ng * (part + 1) / nparts;
	if (nparts == 1) {
		agg_report_id(meta, domain, begin, end, r->report_id);
	} else {
		/* Each part a report of its own: an id of its own, as stable as the whole's. */
		struct agg_meta pm = *meta;
		struct strbuf seed = { 0 };
		rbuf_printf(&seed, "%s#%zu/%zu", meta->id_seed ? meta->id_seed : "", part + 1, nparts);
		pm.id_seed = seed.p;
		agg_report_id(&pm, domain, begin, end, r->report_id);
		strbuf_free(&seed);
	}
	x->len = 0;

	rbuf_puts(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n"
	    "  <version>1.0</version>\n  <report_metadata>\n");
	agg_el(&c, x, "    ", "org_name", meta->org_name);
	agg_el(&c, x, "    ", "email", meta->email);
	if (meta->extra_contact && *meta->extra_contact)
		agg_el(&c, x, "    ", "extra_contact_info", meta->extra_contact);
	rbuf_printf(x, "    <report_id>%s</report_id>\n", r->report_id);
	rbuf_printf(x, "    <date_range>\n      <begin>%" PRId64 "</begin>\n      <end>%" PRId64
	    "</end>\n    </date_range>\n", begin, end);
	if (error && *error)
		agg_el(&c, x, "    ", "error", error);
	agg_el(&c, x, "    ", "generator", meta->generator);
	rbuf_puts(x, "  </report_metadata>\n  <policy_published>\n");
	agg_el(&c, x, "    ", "domain", domain);
	/* Unspecified tags have their default values (RFC 9990 §2.1.4, RFC 9989 §4.7). */
	const char *disc = agg_word(pol->discovery, agg_discovery, NULL);
	const char *p = agg_word(pol->p, agg_policies, "none");
	const char *sp = agg_word(pol->sp, agg_policies, p);
	const char *np = agg_word(pol->np, agg_policies, sp);
	if (disc)
		rbuf_printf(x, "    <discovery_method>%s</discovery_method>\n", disc);
	rbuf_printf(x, "    <p>%s</p>\n    <sp>%s</sp>\n    <np>%s</np>\n", p, sp, np);
	agg_el(&c, x, "    ", "fo", pol->fo ? pol->fo : "0");
	rbuf_printf(x, "    <adkim>%s</adkim>\n    <aspf>%s</aspf>\n    <testing>%s</testing>\n",
	    agg_word(pol->adkim, agg_align, "r"), agg_word(pol->aspf, agg_align, "r"),
	    agg_word(pol->testing, agg_yn, "n"));
	rbuf_puts(x, "  </policy_published>\n");
	r->nrecords = hi - lo;
	r->nmessages = 0;
	for (size_t i = lo; i < hi; i++) {
		rbuf_printf(x, "  <record>\n    <row>\n      <source_ip>%s</source_ip>\n"
		    "      <count>%" PRIu64 "</count>\n%s", c.g[i].ip, c.g[i].count, c.g[i].rest);
		r->nmessages += c.g[i].count;
	}
	rbuf_puts(x, "</feedback>\n");
	r->replaced = c.replaced;
	agg_ctx_free(&c);
	return 0;
}

void
agg_report_free(struct agg_report *r)
{
	free(r->domain);
	agg_policy_free(&r->pol);
	strbuf_free(&r->xml);
	memset(r, 0, sizeof *r);
}
