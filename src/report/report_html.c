/*
 * compauthd-report --html DIR: the store's view (report_view_int.h) as one
 * self-contained page, DIR/index.html: inline CSS, inline SVG charts (pass
 * and fail per UTC day, per source IP, per reason), no script and no
 * external asset; a Content-Security-Policy forbids both, so a value that
 * slipped through escaping could not run either.
 *
 * Every number shown is also in a data- attribute, so tests (and scripts)
 * read the page without parsing text:
 *   section#overview                data-messages data-pass data-fail data-none data-other
 *   section.domain                  data-domain (display form) and the same counts
 *   tr.domain (overview table)      data-domain data-messages data-pass data-fail ...
 *   tr.day                          data-day="YYYY-MM-DD" data-messages data-pass data-fail
 *   tr.source                       data-ip data-messages data-pass data-fail data-none
 *                                   data-other data-dkim data-spf
 *   tr.failing                      data-ip data-fail data-messages data-quarantine data-reject
 *   tr.reason                       data-reason data-count
 *   tr.compauth                     data-result data-reason data-count
 *   td                              data-count on every number cell
 * Store values appear in their display form (rv_display), HTML-escaped.
 * Output depends only on the store's rows and the arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_view.h"
#include "report_view_int.h"

#define RVH_CHART_W 720                 /* plot width of every chart, px */
#define RVH_DAY_H 160                   /* plot height of the per-day chart */
#define RVH_ROW_H 18                    /* bar height of the horizontal charts */
#define RVH_LABEL_W 260                 /* label column of the horizontal charts */

static const char rvh_style[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222;background:#fff}"
	"h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}"
	"h3{font-size:1em;margin-top:1.5em}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #ddd;padding:2px 8px;text-align:left}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	".val{font-family:monospace;word-break:break-all}"
	"svg{display:block;margin:.5em 0;max-width:100%;height:auto}"
	"svg text{font:11px sans-serif;fill:#444}"
	".p{fill:#2e7d32}.f{fill:#c62828}.o{fill:#9e9e9e}.v{fill:#1565c0}"
	".key span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}"
	".key .p{background:#2e7d32}.key .f{background:#c62828}"
	".key .o{background:#9e9e9e}.key .v{background:#1565c0}";

/* s (a display form or our own text) escaped for text and "-quoted attributes. */
static void
rvh_esc(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out); break;
		}
	}
}

static void
rvh_num_td(FILE *out, long n)
{
	fprintf(out, "<td class=\"n\" data-count=\"%ld\">%ld</td>", n, n);
}

static void
rvh_counts_attrs(FILE *out, const struct rv_counts *c)
{
	fprintf(out, " data-messages=\"%ld\" data-pass=\"%ld\" data-fail=\"%ld\""
	    " data-none=\"%ld\" data-other=\"%ld\"", c->messages, c->pass, c->fail, c->none,
	    c->other);
}

static void
rvh_key(FILE *out, const char *const *cls, const char *const *names, size_t n)
{
	fputs("<p class=\"key\">", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "<span class=\"%s\"></span>%s", cls[i], names[i]);
	fputs("</p>\n", out);
}

/* A stacked vertical bar per day: pass, fail, the rest. */
static void
rvh_day_chart(FILE *out, const struct rv_day *days, size_t n)
{
	static const char *const cls[] = { "p", "f", "o" };
	static const char *const names[] = { "pass", "fail", "none or other" };
	long max = 1, bw, gap, x, y;
	size_t i, every;
	char ds[32];

	if (n == 0) {
		fputs("<p>No messages.</p>\n", out);
		return;
	}
	for (i = 0; i < n; i++)
		if (days[i].c.messages > max)
			max = days[i].c.messages;
	bw = RVH_CHART_W / (long)n;
	bw = bw > 40 ? 40 : bw < 2 ? 2 : bw;
	gap = bw >= 6 ? bw / 6 : 0;
	every = (size_t)(70 / bw) + 1;
	rvh_key(out, cls, names, 3);
	fprintf(out, "<svg class=\"days\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%ld\""
	    " height=\"%d\" viewBox=\"0 0 %ld %d\" role=\"img\" aria-label=\"messages per day\">\n",
	    50 + bw * (long)n + 40, RVH_DAY_H + 40, 50 + bw * (long)n + 40, RVH_DAY_H + 40);
	fprintf(out, "<text x=\"44\" y=\"14\" text-anchor=\"end\">%ld</text>"
	    "<text x=\"44\" y=\"%d\" text-anchor=\"end\">0</text>"
	    "<line x1=\"48\" y1=\"10\" x2=\"48\" y2=\"%d\" stroke=\"#888\"/>\n",
	    max, RVH_DAY_H + 10, RVH_DAY_H + 10);
	for (i = 0; i < n; i++) {
		const struct rv_counts *c = &days[i].c;
		long seg[3] = { c->pass, c->fail, c->messages - c->pass - c->fail };

		rv_day_str(days[i].day, ds, sizeof(ds));
		x = 50 + bw * (long)i;
		y = RVH_DAY_H + 10;
		fprintf(out, "<g data-day=\"%s\"><title>%s: %ld messages, pass %ld, fail %ld</title>",
		    ds, ds, c->messages, c->pass, c->fail);
		for (int k = 0; k < 3; k++) {
			long h = seg[k] * RVH_DAY_H / max;

			if (seg[k] == 0)
				continue;
			if (h < 1)
				h = 1;
			y -= h;
			fprintf(out, "<rect class=\"%s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"/>",
			    cls[k], x + gap / 2, y, bw - gap, h);
		}
		fputs("</g>\n", out);
		if (i % every == 0 || i + 1 == n)
			fprintf(out, "<text x=\"%ld\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			    x + bw / 2, RVH_DAY_H + 26, ds);
	}
	fputs("</svg>\n", out);
}

static void
rvh_day_table(FILE *out, const struct rv_day *days, size_t n)
{
	char ds[32];

	if (n == 0)
		return;
	fputs("<table class=\"days\"><thead><tr><th>Day (UTC)</th><th class=\"n\">Messages</th>"
	    "<th class=\"n\">Pass</th><th class=\"n\">Fail</th><th class=\"n\">None</th>"
	    "<th class=\"n\">Other</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		rv_day_str(days[i].day, ds, sizeof(ds));
		fprintf(out, "<tr class=\"day\" data-day=\"%s\"", ds);
		rvh_counts_attrs(out, &days[i].c);
		fprintf(out, "><td>%s</td>", ds);
		rvh_num_td(out, days[i].c.messages);
		rvh_num_td(out, days[i].c.pass);
		rvh_num_td(out, days[i].c.fail);
		rvh_num_td(out, days[i].c.none);
		rvh_num_td(out, days[i].c.other);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

/* One horizontal bar: label, up to three segments. */
struct rvh_bar {
	const char *label;              /* display form or our text */
	long seg[3];
};

static void
rvh_hbar_chart(FILE *out, const char *name, const struct rvh_bar *bars, size_t n,
    const char *const *cls, const char *const *names)
{
	long max = 1, tot, x, w, y;
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		if ((tot = bars[i].seg[0] + bars[i].seg[1] + bars[i].seg[2]) > max)
			max = tot;
	rvh_key(out, cls, names, 3);
	fprintf(out, "<svg class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
	    " height=\"%ld\" viewBox=\"0 0 %d %ld\" role=\"img\" aria-label=\"%s\">\n", name,
	    RVH_LABEL_W + RVH_CHART_W + 60, (long)n * (RVH_ROW_H + 4) + 4,
	    RVH_LABEL_W + RVH_CHART_W + 60, (long)n * (RVH_ROW_H + 4) + 4, name);
	for (i = 0; i < n; i++) {
		const struct rvh_bar *b = &bars[i];

		tot = b->seg[0] + b->seg[1] + b->seg[2];
		y = (long)i * (RVH_ROW_H + 4) + 4;
		fputs("<g><title>", out);
		rvh_esc(out, b->label);
		fprintf(out, ": %ld</title><text x=\"%d\" y=\"%ld\" text-anchor=\"end\">",
		    tot, RVH_LABEL_W - 6, y + RVH_ROW_H - 5);
		rvh_esc(out, b->label);
		fputs("</text>", out);
		x = RVH_LABEL_W;
		for (int k = 0; k < 3; k++) {
			if (b->seg[k] == 0)
				continue;
			w = b->seg[k] * RVH_CHART_W / max;
			if (w < 1)
				w = 1;
			fprintf(out, "<rect class=\"%s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%d\"/>",
			    cls[k], x, y, w, RVH_ROW_H);
			x += w;
		}
		fprintf(out, "<text x=\"%ld\" y=\"%ld\">%ld</text></g>\n", x + 4, y + RVH_ROW_H - 5,
		    tot);
	}
	fputs("</svg>\n", out);
}

static int
rvh_sources(FILE *out, const struct rv_domain *d)
{
	static const char *const cls[] = { "p", "f", "o" };
	static const char *const names[] = { "pass", "fail", "none or other" };
	size_t n = d->nsrc < RV_HTML_SOURCES_MAX ? d->nsrc : RV_HTML_SOURCES_MAX, i;
	struct rvh_bar *bars = calloc(n + 1, sizeof(*bars));

	if (bars == NULL)
		return -1;
	fprintf(out, "<h3>Source IPs (top %d by messages, of %zu)</h3>\n", RV_HTML_SOURCES_MAX,
	    d->nsrc);
	for (i = 0; i < n; i++) {
		const struct rv_counts *c = &d->src[i].c;

		bars[i].label = d->src[i].disp;
		bars[i].seg[0] = c->pass;
		bars[i].seg[1] = c->fail;
		bars[i].seg[2] = c->messages - c->pass - c->fail;
	}
	rvh_hbar_chart(out, "sources", bars, n, cls, names);
	free(bars);
	fputs("<table class=\"sources\"><thead><tr><th>Source IP</th><th class=\"n\">Messages</th>"
	    "<th class=\"n\">Pass</th><th class=\"n\">Fail</th><th class=\"n\">None</th>"
	    "<th class=\"n\">Other</th><th class=\"n\">DKIM aligned</th>"
	    "<th class=\"n\">SPF aligned</th><th>Overrides</th></tr></thead><tbody>\n", out);
	for (i = 0; i < n; i++) {
		const struct rv_source *s = &d->src[i];

		fputs("<tr class=\"source\" data-ip=\"", out);
		rvh_esc(out, s->disp);
		fputc('"', out);
		rvh_counts_attrs(out, &s->c);
		fprintf(out, " data-dkim=\"%ld\" data-spf=\"%ld\"><td class=\"val\">",
		    s->c.dkim_aligned, s->c.spf_aligned);
		rvh_esc(out, s->disp);
		fputs("</td>", out);
		rvh_num_td(out, s->c.messages);
		rvh_num_td(out, s->c.pass);
		rvh_num_td(out, s->c.fail);
		rvh_num_td(out, s->c.none);
		rvh_num_td(out, s->c.other);
		rvh_num_td(out, s->c.dkim_aligned);
		rvh_num_td(out, s->c.spf_aligned);
		fputs("<td>", out);
		for (size_t j = 0; j < s->nover; j++) {
			fputs(j ? ", " : "", out);
			rvh_esc(out, s->over[j].disp);
			fprintf(out, ": %ld", s->over[j].count);
		}
		fputs(s->nover ? "</td></tr>\n" : "-</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	return 0;
}

static int
rvh_failing(FILE *out, const struct rv_domain *d)
{
	struct rv_source **top;
	size_t n;

	if ((top = rv_top_failing(d, RV_TOP_FAILING_MAX, &n)) == NULL)
		return -1;
	fputs("<h3>Top failing sources</h3>\n", out);
	if (n == 0)
		fputs("<p>None.</p>\n", out);
	else
		fputs("<table class=\"failing\"><thead><tr><th>Source IP</th><th class=\"n\">Fail</th>"
		    "<th class=\"n\">Messages</th><th class=\"n\">Quarantine</th>"
		    "<th class=\"n\">Reject</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr class=\"failing\" data-ip=\"", out);
		rvh_esc(out, top[i]->disp);
		fprintf(out, "\" data-fail=\"%ld\" data-messages=\"%ld\" data-quarantine=\"%ld\""
		    " data-reject=\"%ld\"><td class=\"val\">", top[i]->c.fail, top[i]->c.messages,
		    top[i]->c.quarantine, top[i]->c.reject);
		rvh_esc(out, top[i]->disp);
		fputs("</td>", out);
		rvh_num_td(out, top[i]->c.fail);
		rvh_num_td(out, top[i]->c.messages);
		rvh_num_td(out, top[i]->c.quarantine);
		rvh_num_td(out, top[i]->c.reject);
		fputs("</tr>\n", out);
	}
	if (n > 0)
		fputs("</tbody></table>\n", out);
	free(top);
	return 0;
}

/* The same reasons as --summary: four alignment outcomes, then overrides. */
static int
rvh_reasons(FILE *out, const struct rv_domain *d)
{
	static const char *const cls[] = { "p", "f", "v" };
	static const char *const names[] = { "aligned", "not aligned", "override" };
	const struct rv_counts *c = &d->c;
	size_t n = 4 + d->nover, i;
	struct rvh_bar *bars = calloc(n, sizeof(*bars));

	if (bars == NULL)
		return -1;
	bars[0].label = "DKIM and SPF aligned";
	bars[0].seg[0] = c->both_aligned;
	bars[1].label = "DKIM aligned only";
	bars[1].seg[0] = c->dkim_aligned - c->both_aligned;
	bars[2].label = "SPF aligned only";
	bars[2].seg[0] = c->spf_aligned - c->both_aligned;
	bars[3].label = "Not aligned";
	bars[3].seg[1] = c->messages - c->dkim_aligned - c->spf_aligned + c->both_aligned;
	for (i = 0; i < d->nover; i++) {
		bars[4 + i].label = d->over[i].disp;
		bars[4 + i].seg[2] = d->over[i].count;
	}
	fputs("<h3>Reasons</h3>\n", out);
	rvh_hbar_chart(out, "reasons", bars, n, cls, names);
	fputs("<table class=\"reasons\"><thead><tr><th>Reason</th><th class=\"n\">Messages</th>"
	    "</tr></thead><tbody>\n", out);
	for (i = 0; i < n; i++) {
		long cnt = bars[i].seg[0] + bars[i].seg[1] + bars[i].seg[2];

		fprintf(out, "<tr class=\"reason\" data-kind=\"%s\" data-reason=\"",
		    i < 4 ? "alignment" : "override");
		rvh_esc(out, bars[i].label);
		fprintf(out, "\" data-count=\"%ld\"><td class=\"val\">%s", cnt,
		    i < 4 ? "" : "Override ");
		rvh_esc(out, bars[i].label);
		fputs("</td>", out);
		rvh_num_td(out, cnt);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	free(bars);
	return 0;
}

static void
rvh_compauth(FILE *out, const struct rv_domain *d)
{
	char num[24];

	fputs("<h3>Compauth</h3>\n", out);
	if (d->ncomp == 0) {
		fputs("<p>None.</p>\n", out);
		return;
	}
	fputs("<table class=\"compauth\"><thead><tr><th>Result</th><th class=\"n\">Reason</th>"
	    "<th class=\"n\">Messages</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < d->ncomp; i++) {
		const struct rv_item *it = &d->comp[i];

		if (it->num < 0)
			snprintf(num, sizeof(num), "-");
		else
			snprintf(num, sizeof(num), "%03ld", it->num);
		fputs("<tr class=\"compauth\" data-result=\"", out);
		rvh_esc(out, it->disp);
		fprintf(out, "\" data-reason=\"%s\" data-count=\"%ld\"><td class=\"val\">", num,
		    it->count);
		rvh_esc(out, it->disp);
		fprintf(out, "</td><td class=\"n\">%s</td>", num);
		rvh_num_td(out, it->count);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void
rvh_totals(FILE *out, const struct rv_counts *c)
{
	fputs("<table class=\"totals\"><thead><tr><th class=\"n\">Messages</th>"
	    "<th class=\"n\">Pass</th><th class=\"n\">Fail</th><th class=\"n\">None</th>"
	    "<th class=\"n\">Other</th></tr></thead><tbody><tr>", out);
	rvh_num_td(out, c->messages);
	rvh_num_td(out, c->pass);
	rvh_num_td(out, c->fail);
	rvh_num_td(out, c->none);
	rvh_num_td(out, c->other);
	fputs("</tr></tbody></table>\n", out);
}

static int
rvh_page(FILE *out, const struct rv_view *v)
{
	char b[32], e[32];
	size_t i;

	rv_time_str(v->begin, b, sizeof(b));
	rv_time_str(v->end, e, sizeof(e));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
	    " style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", out);
	fprintf(out, "<title>DMARC summary %s to %s UTC</title>\n<style>%s</style>\n</head>\n"
	    "<body>\n<h1>DMARC summary</h1>\n<p>Messages received from %s to %s UTC"
	    " (end excluded), ", b, e, rvh_style, b, e);
	if (v->filter != NULL) {
		char *fd = rv_display(v->filter);

		if (fd == NULL)
			return -1;
		fputs("author domain <span class=\"val\">", out);
		rvh_esc(out, fd);
		fputs("</span>.</p>\n", out);
		free(fd);
	} else
		fputs("every author domain.</p>\n", out);

	fputs("<section id=\"overview\"", out);
	rvh_counts_attrs(out, &v->c);
	fprintf(out, ">\n<h2>%zu author domain%s</h2>\n", v->ndom, v->ndom == 1 ? "" : "s");
	rvh_totals(out, &v->c);
	if (v->ndom > 0) {
		fputs("<table class=\"domains\"><thead><tr><th>Author domain</th>"
		    "<th class=\"n\">Messages</th><th class=\"n\">Pass</th><th class=\"n\">Fail</th>"
		    "<th class=\"n\">None</th><th class=\"n\">Other</th></tr></thead><tbody>\n", out);
		for (i = 0; i < v->ndom; i++) {
			fputs("<tr class=\"domain\" data-domain=\"", out);
			rvh_esc(out, v->dom[i].disp);
			fputc('"', out);
			rvh_counts_attrs(out, &v->dom[i].c);
			fprintf(out, "><td class=\"val\"><a href=\"#d%zu\">", i + 1);
			rvh_esc(out, v->dom[i].disp);
			fputs("</a></td>", out);
			rvh_num_td(out, v->dom[i].c.messages);
			rvh_num_td(out, v->dom[i].c.pass);
			rvh_num_td(out, v->dom[i].c.fail);
			rvh_num_td(out, v->dom[i].c.none);
			rvh_num_td(out, v->dom[i].c.other);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	fputs("<h3>Pass and fail per day, every domain</h3>\n", out);
	rvh_day_chart(out, v->days, v->ndays);
	rvh_day_table(out, v->days, v->ndays);
	fputs("</section>\n", out);

	for (i = 0; i < v->ndom; i++) {
		const struct rv_domain *d = &v->dom[i];

		fprintf(out, "<section class=\"domain\" id=\"d%zu\" data-domain=\"", i + 1);
		rvh_esc(out, d->disp);
		fputc('"', out);
		rvh_counts_attrs(out, &d->c);
		fputs(">\n<h2>Author domain <span class=\"val\">", out);
		rvh_esc(out, d->disp);
		fputs("</span></h2>\n", out);
		rvh_totals(out, &d->c);
		fputs("<h3>Pass and fail per day</h3>\n", out);
		rvh_day_chart(out, d->days, d->ndays);
		rvh_day_table(out, d->days, d->ndays);
		if (rvh_sources(out, d) < 0 || rvh_failing(out, d) < 0 || rvh_reasons(out, d) < 0)
			return -1;
		rvh_compauth(out, d);
		fputs("</section>\n", out);
	}
	fputs("</body>\n</html>\n", out);
	return 0;
}

int
report_html(struct store *s, int64_t begin, int64_t end, const char *domain,
    const char *dir, char *err, size_t errlen)
{
	struct rv_view v;
	char *tmp = NULL, *dst = NULL;
	FILE *out = NULL;
	int fd = -1, rc = -1;
	bool made = false;

	if (rv_load(&v, s, begin, end, domain, err, errlen) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		goto out;
	}
	if (asprintf(&tmp, "%s/.index.html.XXXXXX", dir) < 0 ||
	    asprintf(&dst, "%s/index.html", dir) < 0) {
		tmp = dst = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) >= 0)
		made = true;
	if (fd < 0 || fchmod(fd, 0644) < 0 || (out = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rvh_page(out, &v) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) < 0) {
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(errno));
		goto out;
	}
	out = NULL;
	if (rename(tmp, dst) < 0) {
		snprintf(err, errlen, "rename %s: %s", dst, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (out != NULL)
		fclose(out);
	if (fd >= 0)
		close(fd);
	if (rc < 0 && made)
		unlink(tmp);
	free(tmp);
	free(dst);
	rv_free(&v);
	return rc;
}
