/*
 * compauthd-report --summary: the store's view (report_view_int.h) as plain
 * text tables, one block per author domain, for a postmaster's terminal or
 * mail. The exact format, also in the man page:
 *
 *   DMARC summary: <begin> to <end> UTC (end excluded), <scope>
 *   <N> author domain(s), <M> message(s): pass P, fail F, none N, other O
 *
 * <begin>/<end> are "YYYY-MM-DD HH:MM:SS"; <scope> is "every author domain"
 * or "author domain <d>". Then for each author domain (messages desc, then
 * name), after an empty line:
 *
 *   Author domain <d>: <M> message(s): pass P, fail F, none N, other O
 *
 *   Sources:                     one row per source IP, messages desc then
 *                                IP (IPv4, IPv6, numerically, then others),
 *                                at most 50, then "... N more sources, M messages"
 *     Source IP  Messages  Pass  Fail  None  Other  DKIM aligned  SPF aligned  Overrides
 *   Top failing sources:         sources with a DMARC fail, fail desc then IP, at most 10
 *     Source IP  Fail  Messages  Quarantine  Reject
 *   Reasons:                     the four alignment outcomes, always, then each
 *                                override reason (count desc, then name)
 *     Reason  Messages
 *   Compauth:                    result and reason code (count desc, then result, code)
 *     Result  Reason  Messages
 *
 * "other" is bestguesspass, temperror or permerror; "DKIM aligned" and "SPF
 * aligned" count messages whose DKIM / SPF identifier aligned; Overrides is
 * "reason:count" joined by "," or "-". Tables are indented two spaces (rows
 * four), columns two spaces apart, text left-aligned and numbers right-aligned,
 * no trailing blanks. A section with no rows prints its title and "    none".
 * Store values appear in their display form (rv_display): printable UTF-8
 * as is, "\" as "\\", any other byte as "\xHH".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "report_view.h"
#include "report_view_int.h"

struct rvt_table {
	size_t ncol, ncell, cap;
	const char *const *head;
	const char *align;              /* 'l' or 'r' per column */
	char **cell;
	bool failed;
};

static void __attribute__((format(printf, 2, 3)))
rvt_cell(struct rvt_table *t, const char *fmt, ...)
{
	va_list ap;
	char *c, **nc;

	if (t->failed)
		return;
	if ((nc = grow_array(t->cell, &t->cap, t->ncell + 1, sizeof(*nc))) == NULL) {
		t->failed = true;
		return;
	}
	t->cell = nc;
	va_start(ap, fmt);
	if (vasprintf(&c, fmt, ap) < 0) {
		t->failed = true;
		c = NULL;
	}
	va_end(ap);
	if (c != NULL)
		t->cell[t->ncell++] = c;
}

static void
rvt_pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void
rvt_line(FILE *out, const struct rvt_table *t, const char *const *row, const size_t *w)
{
	fputs("    ", out);
	for (size_t i = 0; i < t->ncol; i++) {
		size_t cw = rv_width(row[i]);

		if (i > 0)
			fputs("  ", out);
		if (t->align[i] == 'r')
			rvt_pad(out, w[i] - cw);
		fputs(row[i], out);
		if (t->align[i] == 'l' && i + 1 < t->ncol)
			rvt_pad(out, w[i] - cw);
	}
	fputc('\n', out);
}

/* Prints title, then the table (or "none"); frees the cells. -1: out of memory. */
static int
rvt_print(FILE *out, const char *title, struct rvt_table *t)
{
	size_t w[16] = { 0 }, i, nrow = t->ncell / t->ncol;
	int rc = t->failed ? -1 : 0;

	fprintf(out, "\n  %s:\n", title);
	if (rc == 0 && nrow == 0)
		fputs("    none\n", out);
	else if (rc == 0) {
		for (i = 0; i < t->ncol; i++)
			w[i] = rv_width(t->head[i]);
		for (i = 0; i < t->ncell; i++)
			if (rv_width(t->cell[i]) > w[i % t->ncol])
				w[i % t->ncol] = rv_width(t->cell[i]);
		rvt_line(out, t, t->head, w);
		for (i = 0; i < nrow; i++)
			rvt_line(out, t, (const char *const *)t->cell + i * t->ncol, w);
	}
	for (i = 0; i < t->ncell; i++)
		free(t->cell[i]);
	free(t->cell);
	t->cell = NULL;
	t->ncell = t->cap = 0;
	return rc;
}

static void
rvt_counts(FILE *out, const struct rv_counts *c)
{
	fprintf(out, "%ld message%s: pass %ld, fail %ld, none %ld, other %ld\n",
	    c->messages, c->messages == 1 ? "" : "s", c->pass, c->fail, c->none, c->other);
}

static int
rvt_sources(FILE *out, const struct rv_domain *d)
{
	static const char *const head[] = { "Source IP", "Messages", "Pass", "Fail", "None",
		"Other", "DKIM aligned", "SPF aligned", "Overrides" };
	struct rvt_table t = { .ncol = 9, .head = head, .align = "lrrrrrrrl" };
	size_t i, n = d->nsrc < RV_SUMMARY_SOURCES_MAX ? d->nsrc : RV_SUMMARY_SOURCES_MAX;
	long rest = 0;
	int rc;

	for (i = 0; i < n; i++) {
		const struct rv_source *s = &d->src[i];
		char *ov = NULL;
		size_t len = 0;
		FILE *f = s->nover > 0 ? open_memstream(&ov, &len) : NULL;

		rvt_cell(&t, "%s", s->disp);
		rvt_cell(&t, "%ld", s->c.messages);
		rvt_cell(&t, "%ld", s->c.pass);
		rvt_cell(&t, "%ld", s->c.fail);
		rvt_cell(&t, "%ld", s->c.none);
		rvt_cell(&t, "%ld", s->c.other);
		rvt_cell(&t, "%ld", s->c.dkim_aligned);
		rvt_cell(&t, "%ld", s->c.spf_aligned);
		if (f != NULL) {
			for (size_t j = 0; j < s->nover; j++)
				fprintf(f, "%s%s:%ld", j ? "," : "", s->over[j].disp, s->over[j].count);
			fclose(f);
		}
		if (s->nover > 0 && ov == NULL)
			t.failed = true;
		rvt_cell(&t, "%s", ov != NULL ? ov : "-");
		free(ov);
	}
	rc = rvt_print(out, "Sources", &t);
	for (i = n; i < d->nsrc; i++)
		rest += d->src[i].c.messages;
	if (rc == 0 && n < d->nsrc)
		fprintf(out, "    ... %zu more sources, %ld message%s\n", d->nsrc - n, rest,
		    rest == 1 ? "" : "s");
	return rc;
}

static int
rvt_failing(FILE *out, const struct rv_domain *d)
{
	static const char *const head[] = { "Source IP", "Fail", "Messages", "Quarantine",
		"Reject" };
	struct rvt_table t = { .ncol = 5, .head = head, .align = "lrrrr" };
	struct rv_source **top;
	size_t n;

	if ((top = rv_top_failing(d, RV_TOP_FAILING_MAX, &n)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		rvt_cell(&t, "%s", top[i]->disp);
		rvt_cell(&t, "%ld", top[i]->c.fail);
		rvt_cell(&t, "%ld", top[i]->c.messages);
		rvt_cell(&t, "%ld", top[i]->c.quarantine);
		rvt_cell(&t, "%ld", top[i]->c.reject);
	}
	free(top);
	return rvt_print(out, "Top failing sources", &t);
}

static int
rvt_reasons(FILE *out, const struct rv_domain *d)
{
	static const char *const head[] = { "Reason", "Messages" };
	struct rvt_table t = { .ncol = 2, .head = head, .align = "lr" };
	const struct rv_counts *c = &d->c;

	rvt_cell(&t, "DKIM and SPF aligned");
	rvt_cell(&t, "%ld", c->both_aligned);
	rvt_cell(&t, "DKIM aligned only");
	rvt_cell(&t, "%ld", c->dkim_aligned - c->both_aligned);
	rvt_cell(&t, "SPF aligned only");
	rvt_cell(&t, "%ld", c->spf_aligned - c->both_aligned);
	rvt_cell(&t, "Not aligned");
	rvt_cell(&t, "%ld", c->messages - c->dkim_aligned - c->spf_aligned + c->both_aligned);
	for (size_t i = 0; i < d->nover; i++) {
		rvt_cell(&t, "Override %s", d->over[i].disp);
		rvt_cell(&t, "%ld", d->over[i].count);
	}
	return rvt_print(out, "Reasons", &t);
}

static int
rvt_compauth(FILE *out, const struct rv_domain *d)
{
	static const char *const head[] = { "Result", "Reason", "Messages" };
	struct rvt_table t = { .ncol = 3, .head = head, .align = "lrr" };

	for (size_t i = 0; i < d->ncomp; i++) {
		rvt_cell(&t, "%s", d->comp[i].disp);
		if (d->comp[i].num < 0)
			rvt_cell(&t, "-");
		else
			rvt_cell(&t, "%03ld", d->comp[i].num);
		rvt_cell(&t, "%ld", d->comp[i].count);
	}
	return rvt_print(out, "Compauth", &t);
}

int
report_summary(struct store *s, int64_t begin, int64_t end, const char *domain,
    FILE *out, char *err, size_t errlen)
{
	struct rv_view v;
	char b[32], e[32], *fd = NULL;
	int rc = 0;

	if (rv_load(&v, s, begin, end, domain, err, errlen) < 0)
		return -1;
	if (domain != NULL && (fd = rv_display(domain)) == NULL)
		rc = -1;
	rv_time_str(begin, b, sizeof(b));
	rv_time_str(end, e, sizeof(e));
	if (rc == 0) {
		fprintf(out, "DMARC summary: %s to %s UTC (end excluded), %s%s\n", b, e,
		    fd != NULL ? "author domain " : "every author domain", fd != NULL ? fd : "");
		fprintf(out, "%zu author domain%s, ", v.ndom, v.ndom == 1 ? "" : "s");
		rvt_counts(out, &v.c);
	}
	for (size_t i = 0; rc == 0 && i < v.ndom; i++) {
		const struct rv_domain *d = &v.dom[i];

		fprintf(out, "\nAuthor domain %s: ", d->disp);
		rvt_counts(out, &d->c);
		if (rvt_sources(out, d) < 0 || rvt_failing(out, d) < 0 ||
		    rvt_reasons(out, d) < 0 || rvt_compauth(out, d) < 0)
			rc = -1;
	}
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	else if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "writing the summary: %s", strerror(errno));
		rc = -1;
	}
	free(fd);
	rv_free(&v);
	return rc;
}
