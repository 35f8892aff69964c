/*
 * The view's model (report_view_int.h): loads what the store holds for
 * [begin, end) with four GROUP BY queries through store_query(), so the
 * same SQL runs on SQLite and PostgreSQL, and puts it in the one
 * deterministic order both outputs use. Sorting is done here, bytewise and
 * by IP value, not by SQL ORDER BY, whose text order is the database's
 * collation and differs between backends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "report_store.h"
#include "report_view_int.h"

/* Ten count columns, in struct rv_counts order (other is derived). */
#define RV_COUNTS_SQL \
	"COUNT(*), " \
	"SUM(CASE WHEN dmarc_result = 'pass' THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN dmarc_result = 'fail' THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN dmarc_result = 'none' THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN dkim_aligned <> 0 THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN spf_aligned <> 0 THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN dkim_aligned <> 0 AND spf_aligned <> 0 THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN disposition = 'quarantine' THEN 1 ELSE 0 END), " \
	"SUM(CASE WHEN disposition = 'reject' THEN 1 ELSE 0 END) "
#define RV_NCOUNTS 9
#define RV_WHERE "FROM message WHERE received >= CAST(? AS BIGINT) AND received < CAST(? AS BIGINT)"
#define RV_WHERE_DOMAIN RV_WHERE " AND header_from = ?"

struct rv_load {
	struct rv_view *v;
	struct rv_domain *dom;          /* sorted by name while loading */
	size_t ndom, capdom;
	bool failed;
	char *err;
	size_t errlen;
};

static int
rv_nomem(struct rv_load *l)
{
	snprintf(l->err, l->errlen, "out of memory");
	l->failed = true;
	return 1;
}

static long
rv_num(const char *s)
{
	return s != NULL ? strtol(s, NULL, 10) : 0;
}

static void
rv_counts_parse(struct rv_counts *c, const char *const *col)
{
	c->messages = rv_num(col[0]);
	c->pass = rv_num(col[1]);
	c->fail = rv_num(col[2]);
	c->none = rv_num(col[3]);
	c->other = c->messages - c->pass - c->fail - c->none;
	c->dkim_aligned = rv_num(col[4]);
	c->spf_aligned = rv_num(col[5]);
	c->both_aligned = rv_num(col[6]);
	c->quarantine = rv_num(col[7]);
	c->reject = rv_num(col[8]);
}

static void
rv_counts_add(struct rv_counts *to, const struct rv_counts *c)
{
	to->messages += c->messages;
	to->pass += c->pass;
	to->fail += c->fail;
	to->none += c->none;
	to->other += c->other;
	to->dkim_aligned += c->dkim_aligned;
	to->spf_aligned += c->spf_aligned;
	to->both_aligned += c->both_aligned;
	to->quarantine += c->quarantine;
	to->reject += c->reject;
}

/* Bidi controls (U+202A..202E, U+2066..2069) and separators U+2028/2029. */
static bool
rv_cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0xa0) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* Length of the valid, shown UTF-8 sequence at p (0: escape the byte). */
static size_t
rv_utf8_len(const unsigned char *p)
{
	uint32_t cp;
	size_t n, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f && p[0] != '\\' ? 1 : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || rv_cp_hidden(cp))
		return 0;
	return n;
}

char *
rv_display(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n, o = 0;
	char *out;

	if (len > (SIZE_MAX - 1) / 4 || (out = malloc(len * 4 + 1)) == NULL)
		return NULL;
	while (*p != '\0') {
		if ((n = rv_utf8_len(p)) > 0) {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else if (*p == '\\') {
			memcpy(out + o, "\\\\", 2);
			o += 2;
			p++;
		} else {
			snprintf(out + o, 5, "\\x%02x", *p++);
			o += 4;
		}
	}
	out[o] = '\0';
	return out;
}

size_t
rv_width(const char *disp)
{
	size_t w = 0;

	for (; *disp != '\0'; disp++)
		if (((unsigned char)*disp & 0xc0) != 0x80)
			w++;
	return w;
}

static int
rv_ip_key(const char *ip, unsigned char *buf)
{
	if (inet_pton(AF_INET, ip, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, ip, buf) == 1)
		return 6;
	return 9;
}

int
rv_ip_cmp(const char *a, const char *b)
{
	unsigned char ka[16], kb[16];
	int fa = rv_ip_key(a, ka), fb = rv_ip_key(b, kb), c;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (fa != 9 && (c = memcmp(ka, kb, fa == 4 ? 4 : 16)) != 0)
		return c;
	return strcmp(a, b);
}

void
rv_day_str(int64_t day, char *buf, size_t len)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "day %" PRId64, day);
}

void
rv_time_str(int64_t when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%" PRId64, when);
}

static int
rv_domain_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rv_domain *)a)->name, ((const struct rv_domain *)b)->name);
}

/* qsort() must not see a NULL base, even for no elements. */
static void
rv_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int
rv_source_ip_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rv_source *)a)->ip, ((const struct rv_source *)b)->ip);
}

static struct rv_domain *
rv_find_domain(struct rv_load *l, const char *name)
{
	struct rv_domain key = { .name = (char *)name };

	/* bsearch() must not see a NULL base, even for no elements. */
	return name == NULL || l->ndom == 0 ? NULL :
	    bsearch(&key, l->dom, l->ndom, sizeof(*l->dom), rv_domain_name_cmp);
}

/* Query 1: one row per domain and source; builds the domains. */
static int
rv_row_source(void *arg, size_t ncol, const char *const *col)
{
	struct rv_load *l = arg;
	struct rv_domain *d;
	struct rv_source *src;

	if (ncol < 2 + RV_NCOUNTS || col[0] == NULL || col[1] == NULL)
		return 0;
	d = l->ndom > 0 && strcmp(l->dom[l->ndom - 1].name, col[0]) == 0 ?
	    &l->dom[l->ndom - 1] : rv_find_domain(l, col[0]);
	if (d == NULL) {
		struct rv_domain *nd = grow_array(l->dom, &l->capdom, l->ndom + 1, sizeof(*nd));

		if (nd == NULL)
			return rv_nomem(l);
		l->dom = nd;
		d = &l->dom[l->ndom++];
		memset(d, 0, sizeof(*d));
		if ((d->name = strdup(col[0])) == NULL || (d->disp = rv_display(col[0])) == NULL)
			return rv_nomem(l);
		/* Keep the array sorted by name for the lookups that follow. */
		rv_qsort(l->dom, l->ndom, sizeof(*l->dom), rv_domain_name_cmp);
		d = rv_find_domain(l, col[0]);
	}
	src = grow_array(d->src, &d->capsrc, d->nsrc + 1, sizeof(*src));
	if (src == NULL)
		return rv_nomem(l);
	d->src = src;
	src = &d->src[d->nsrc++];
	memset(src, 0, sizeof(*src));
	rv_counts_parse(&src->c, col + 2);
	rv_counts_add(&d->c, &src->c);
	if ((src->ip = strdup(col[1])) == NULL || (src->disp = rv_display(col[1])) == NULL)
		return rv_nomem(l);
	return 0;
}

/* Adds count to the item key (and num) of a small array. */
static int
rv_item_add(struct rv_item **items, size_t *n, const char *key, long num, long count)
{
	struct rv_item *it;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*items)[i].key, key) == 0 && (*items)[i].num == num) {
			(*items)[i].count += count;
			return 0;
		}
	if ((it = realloc(*items, (*n + 1) * sizeof(*it))) == NULL)
		return -1;
	*items = it;
	it = &it[*n];
	memset(it, 0, sizeof(*it));
	it->num = num;
	it->count = count;
	if ((it->key = strdup(key)) == NULL || (it->disp = rv_display(key)) == NULL) {
		free(it->key);
		return -1;
	}
	(*n)++;
	return 0;
}

/* Query 2: override reasons per domain and source. */
static int
rv_row_override(void *arg, size_t ncol, const char *const *col)
{
	struct rv_load *l = arg;
	struct rv_domain *d;
	struct rv_source key, *src;

	if (ncol < 4 || (d = rv_find_domain(l, col[0])) == NULL || col[1] == NULL ||
	    col[2] == NULL)
		return 0;
	key.ip = (char *)col[1];
	src = d->nsrc == 0 ? NULL :
	    bsearch(&key, d->src, d->nsrc, sizeof(*d->src), rv_source_ip_cmp);
	if (src == NULL)
		return 0;
	if (rv_item_add(&src->over, &src->nover, col[2], -1, rv_num(col[3])) < 0 ||
	    rv_item_add(&d->over, &d->nover, col[2], -1, rv_num(col[3])) < 0)
		return rv_nomem(l);
	return 0;
}

/* Query 3: compauth result and reason per domain. */
static int
rv_row_compauth(void *arg, size_t ncol, const char *const *col)
{
	struct rv_load *l = arg;
	struct rv_domain *d;

	if (ncol < 4 || (d = rv_find_domain(l, col[0])) == NULL)
		return 0;
	if (rv_item_add(&d->comp, &d->ncomp, col[1] != NULL ? col[1] : "-",
	    col[2] != NULL ? rv_num(col[2]) : -1, rv_num(col[3])) < 0)
		return rv_nomem(l);
	return 0;
}

/* Query 4: per UTC day and domain. */
static int
rv_row_day(void *arg, size_t ncol, const char *const *col)
{
	struct rv_load *l = arg;
	struct rv_domain *d;
	struct rv_day *day;

	if (ncol < 2 + RV_NCOUNTS || (d = rv_find_domain(l, col[0])) == NULL)
		return 0;
	if ((day = realloc(d->days, (d->ndays + 1) * sizeof(*day))) == NULL)
		return rv_nomem(l);
	d->days = day;
	day = &day[d->ndays++];
	memset(day, 0, sizeof(*day));
	day->day = strtoll(col[1] != NULL ? col[1] : "0", NULL, 10);
	rv_counts_parse(&day->c, col + 2);
	return 0;
}

static int
rv_day_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct rv_day *)a)->day, y = ((const struct rv_day *)b)->day;

	return x < y ? -1 : x > y;
}

/*
 * Sorts days and merges duplicates; fills the gaps with empty days when the
 * span is at most RV_DAYS_FILL_MAX days, so the chart's axis is even.
 */
static int
rv_days_finish(struct rv_day **days, size_t *n)
{
	struct rv_day *in = *days, *out;
	size_t i, o = 0, span;

	if (*n == 0)
		return 0;
	rv_qsort(in, *n, sizeof(*in), rv_day_cmp);
	for (i = 1; i < *n; i++) {
		if (in[i].day == in[o].day)
			rv_counts_add(&in[o].c, &in[i].c);
		else
			in[++o] = in[i];
	}
	*n = o + 1;
	span = (size_t)(in[*n - 1].day - in[0].day) + 1;
	if (span == *n || span > RV_DAYS_FILL_MAX)
		return 0;
	if ((out = calloc(span, sizeof(*out))) == NULL)
		return -1;
	for (i = 0; i < span; i++)
		out[i].day = in[0].day + (int64_t)i;
	for (i = 0; i < *n; i++)
		out[in[i].day - in[0].day] = in[i];
	free(in);
	*days = out;
	*n = span;
	return 0;
}

static int
rv_source_order(const void *a, const void *b)
{
	const struct rv_source *x = a, *y = b;

	if (x->c.messages != y->c.messages)
		return x->c.messages > y->c.messages ? -1 : 1;
	return rv_ip_cmp(x->ip, y->ip);
}

static int
rv_domain_order(const void *a, const void *b)
{
	const struct rv_domain *x = a, *y = b;

	if (x->c.messages != y->c.messages)
		return x->c.messages > y->c.messages ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Count desc, then key bytewise, then num. */
static int
rv_item_order(const void *a, const void *b)
{
	const struct rv_item *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->num < y->num ? -1 : x->num > y->num;
}

static int
rv_fail_order(const void *a, const void *b)
{
	const struct rv_source *x = *(const struct rv_source *const *)a;
	const struct rv_source *y = *(const struct rv_source *const *)b;

	if (x->c.fail != y->c.fail)
		return x->c.fail > y->c.fail ? -1 : 1;
	return rv_ip_cmp(x->ip, y->ip);
}

struct rv_source **
rv_top_failing(const struct rv_domain *d, size_t max, size_t *n)
{
	struct rv_source **top;
	size_t k = 0;

	*n = 0;
	if ((top = calloc(d->nsrc + 1, sizeof(*top))) == NULL)
		return NULL;
	for (size_t i = 0; i < d->nsrc; i++)
		if (d->src[i].c.fail > 0)
			top[k++] = &d->src[i];
	rv_qsort(top, k, sizeof(*top), rv_fail_order);
	*n = k < max ? k : max;
	return top;
}

static int
rv_query(struct rv_load *l, struct store *s, const char *sql, const char *const *params,
    size_t np, store_row_fn fn)
{
	if (store_query(s, sql, params, np, fn, l, l->err, l->errlen) < 0 || l->failed) {
		if (!l->failed && l->err[0] == '\0')
			snprintf(l->err, l->errlen, "store query failed");
		return -1;
	}
	return 0;
}

int
rv_load(struct rv_view *v, struct store *s, int64_t begin, int64_t end,
    const char *domain, char *err, size_t errlen)
{
	static const char *const q_source[2] = {
		"SELECT header_from, source_ip, " RV_COUNTS_SQL RV_WHERE
		" GROUP BY header_from, source_ip",
		"SELECT header_from, source_ip, " RV_COUNTS_SQL RV_WHERE_DOMAIN
		" GROUP BY header_from, source_ip" };
	static const char *const q_override[2] = {
		"SELECT header_from, source_ip, override_reason, COUNT(*) " RV_WHERE
		" AND override_reason IS NOT NULL GROUP BY header_from, source_ip, override_reason",
		"SELECT header_from, source_ip, override_reason, COUNT(*) " RV_WHERE_DOMAIN
		" AND override_reason IS NOT NULL GROUP BY header_from, source_ip, override_reason" };
	static const char *const q_compauth[2] = {
		"SELECT header_from, compauth, compauth_reason, COUNT(*) " RV_WHERE
		" GROUP BY header_from, compauth, compauth_reason",
		"SELECT header_from, compauth, compauth_reason, COUNT(*) " RV_WHERE_DOMAIN
		" GROUP BY header_from, compauth, compauth_reason" };
	static const char *const q_day[2] = {
		"SELECT header_from, received / 86400, " RV_COUNTS_SQL RV_WHERE
		" GROUP BY header_from, received / 86400",
		"SELECT header_from, received / 86400, " RV_COUNTS_SQL RV_WHERE_DOMAIN
		" GROUP BY header_from, received / 86400" };
	struct rv_load l = { .v = v, .err = err, .errlen = errlen };
	char b[32], e[32];
	const char *params[3] = { b, e, domain };
	int with = domain != NULL;
	size_t np = with ? 3 : 2, i, j;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	v->begin = begin;
	v->end = end;
	v->filter = domain;
	if (errlen > 0)
		err[0] = '\0';
	snprintf(b, sizeof(b), "%" PRId64, begin);
	snprintf(e, sizeof(e), "%" PRId64, end);
	if (rv_query(&l, s, q_source[with], params, np, rv_row_source) < 0)
		goto out;
	/* Sources sorted by IP bytes for the lookups of query 2. */
	for (i = 0; i < l.ndom; i++)
		rv_qsort(l.dom[i].src, l.dom[i].nsrc, sizeof(*l.dom[i].src), rv_source_ip_cmp);
	if (rv_query(&l, s, q_override[with], params, np, rv_row_override) < 0 ||
	    rv_query(&l, s, q_compauth[with], params, np, rv_row_compauth) < 0 ||
	    rv_query(&l, s, q_day[with], params, np, rv_row_day) < 0)
		goto out;
	for (i = 0; i < l.ndom; i++) {
		struct rv_domain *d = &l.dom[i];

		rv_counts_add(&v->c, &d->c);
		rv_qsort(d->src, d->nsrc, sizeof(*d->src), rv_source_order);
		for (j = 0; j < d->nsrc; j++)
			rv_qsort(d->src[j].over, d->src[j].nover, sizeof(struct rv_item), rv_item_order);
		rv_qsort(d->over, d->nover, sizeof(*d->over), rv_item_order);
		rv_qsort(d->comp, d->ncomp, sizeof(*d->comp), rv_item_order);
		for (j = 0; j < d->ndays; j++) {
			struct rv_day *nd = realloc(v->days, (v->ndays + 1) * sizeof(*nd));

			if (nd == NULL)
				goto nomem;
			v->days = nd;
			v->days[v->ndays++] = d->days[j];
		}
		if (rv_days_finish(&d->days, &d->ndays) < 0)
			goto nomem;
	}
	if (rv_days_finish(&v->days, &v->ndays) < 0)
		goto nomem;
	rv_qsort(l.dom, l.ndom, sizeof(*l.dom), rv_domain_order);
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	v->dom = l.dom;
	v->ndom = l.ndom;
	if (rc < 0)
		rv_free(v);
	return rc;
}

static void
rv_items_free(struct rv_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(it[i].key);
		free(it[i].disp);
	}
	free(it);
}

void
rv_free(struct rv_view *v)
{
	for (size_t i = 0; i < v->ndom; i++) {
		struct rv_domain *d = &v->dom[i];

		for (size_t j = 0; j < d->nsrc; j++) {
			free(d->src[j].ip);
			free(d->src[j].disp);
			rv_items_free(d->src[j].over, d->src[j].nover);
		}
		free(d->src);
		rv_items_free(d->over, d->nover);
		rv_items_free(d->comp, d->ncomp);
		free(d->days);
		free(d->name);
		free(d->disp);
	}
	free(v->dom);
	free(v->days);
	memset(v, 0, sizeof(*v));
}
