/*
 * `compauthd --import FILE...`: the settings of OpenDKIM, OpenDMARC and
 * OpenARC as a compauthd.conf. This file reads the files, tells which
 * program each belongs to, merges what several files say about our one
 * setting (one socket, one user: the first file wins, the others are
 * reported) and writes the result; import_apply.c turns one setting into
 * ours, import_map.c says what each setting becomes.
 *
 * Nothing is dropped silently: every line is either written (with its
 * origin above it), or listed as already compauthd's behaviour, or listed
 * as not carried over with the reason, as comments at the end of the
 * output and, for the last kind, on standard error too.
 *
 * Every value we write is first parsed by compauthd's own configuration
 * parser (config_parse), and the whole output once more at the end, so
 * what we print is what `compauthd -n -c` accepts. Input is bounded: a
 * file of at most IMPORT_FILE_MAX bytes, lines of at most IMP_LINE_MAX,
 * a bounded number of findings kept, so a hostile file costs bounded
 * memory and time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "arena.h"
#include "config.h"
#include "import.h"
#include "import_int.h"

/* Our settings in the order they are written; others follow as met. */
static const char *const imp_order[] = {
	"authserv_id", "socket", "socket_mode", "user", "group", "pidfile",
	"dns_servers", "dns_timeout", "trusted_clients", "max_header_bytes",
	"log_level", "syslog_facility", "on_dns_error", "max_dkim_signatures",
	"min_rsa_bits", "dkim_clock_skew", "dmarc_enforce", "reject_bad_from",
	"allow_from", "arc_trusted_sealers", "arc_sign_domain", "arc_sign_selector",
	"arc_sign_key", "arc_sign_headers", NULL
};

/* Settings whose value is a list: several files add to it. */
static const char *const imp_lists[] = {
	"dns_servers", "trusted_clients", "allow_from", "arc_trusted_sealers",
	"arc_sign_headers", NULL
};

static bool
imp_in(const char *const *set, const char *name)
{
	for (; *set != NULL; set++)
		if (strcmp(*set, name) == 0)
			return true;
	return false;
}

/* A value as a comment may show it: printable ASCII, bounded. */
const char *
imp_show(struct imp *im, const char *v)
{
	char buf[IMP_SHOW_MAX + 4];
	size_t i, o = 0;

	for (i = 0; v[i] != '\0' && o < IMP_SHOW_MAX; i++)
		buf[o++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	if (v[i] != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return arena_strdup(im->a, buf);
}

static const char *
imp_where_text(struct imp *im, const struct imp_where *w)
{
	const char *at = w->line ? arena_printf(im->a, "%s:%u", imp_show(im, w->file), w->line) :
	    imp_show(im, w->file);

	if (w->key == NULL)
		return at;
	return arena_printf(im->a, "%s %s %s", at, w->key, w->shown);
}

/* One finding, after its origin ("FILE:LINE Key value"). */
static void imp_vreport(struct imp *im, const char *origin, bool builtin, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));

static void
imp_vreport(struct imp *im, const char *origin, bool builtin, const char *fmt, va_list ap)
{
	if (builtin)
		im->nbuiltin++;
	else
		im->nnot++;
	/* Past the cap only the count grows: a hostile file gets a bounded list. */
	if (im->nreports == IMP_REPORTS_MAX)
		return;
	im->reports[im->nreports].builtin = builtin;
	im->reports[im->nreports].text = arena_printf(im->a, "%s: %s", origin,
	    arena_vprintf(im->a, fmt, ap));
	im->nreports++;
}

void
imp_report(struct imp *im, const struct imp_where *w, bool builtin, const char *fmt, ...)
{
	va_list ap;

	/* Past the cap nothing is formatted: memory stays bounded however long the file. */
	if (im->nreports == IMP_REPORTS_MAX) {
		if (builtin)
			im->nbuiltin++;
		else
			im->nnot++;
		return;
	}
	va_start(ap, fmt);
	imp_vreport(im, imp_where_text(im, w), builtin, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
imp_report_at(struct imp *im, const char *origin, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vreport(im, origin, false, fmt, ap);
	va_end(ap);
}

struct imp_slot *
imp_slot_find(struct imp *im, const char *name)
{
	size_t i;

	for (i = 0; i < im->nslots; i++)
		if (strcmp(im->slots[i].name, name) == 0)
			return &im->slots[i];
	return NULL;
}

static struct imp_slot *
imp_slot_get(struct imp *im, const char *name)
{
	struct imp_slot *s = imp_slot_find(im, name);

	if (s != NULL || im->nslots == IMP_SLOTS_MAX)
		return s;
	s = &im->slots[im->nslots++];
	memset(s, 0, sizeof(*s));
	s->name = arena_strdup(im->a, name);
	s->list = imp_in(imp_lists, name);
	return s;
}

/* Lists the line above the setting (once) and its note (once). */
static void
imp_slot_source(struct imp *im, struct imp_slot *s, const struct imp_where *w, const char *note)
{
	const char *origin;
	size_t i;

	/* Once the list is full, lines are only counted, never formatted. */
	if (s->nsrc == IMP_SOURCES_MAX)
		s->moresrc++;
	else if (origin = imp_where_text(im, w),
	    s->nsrc == 0 || strcmp(s->src[s->nsrc - 1], origin) != 0)
		s->src[s->nsrc++] = origin;
	if (note == NULL)
		return;
	for (i = 0; i < s->nnote; i++)
		if (strcmp(s->note[i], note) == 0)
			return;
	if (s->nnote < IMP_NOTES_MAX)
		s->note[s->nnote++] = note;
}

static char *
imp_line_text(struct imp *im, const char *name, const char *value)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *s;

	if (f == NULL)
		abort();
	fprintf(f, "%s = ", name);
	config_write_value(value, f);
	fputc('\n', f);
	fclose(f);
	s = arena_strdup(im->a, buf);
	free(buf);
	return s;
}

/* Our parser's verdict on text, without its "NAME:LINE: " prefix. */
static const char *
imp_parse_error(struct imp *im, const char *text)
{
	struct config *c;
	char err[512];
	const char *p;

	c = config_parse("import", text, strlen(text), err, sizeof(err));
	if (c != NULL) {
		config_free(&c);
		return NULL;
	}
	p = strstr(err, ": ");
	return arena_strdup(im->a, p != NULL ? p + 2 : err);
}

const char *
imp_check(struct imp *im, const char *text)
{
	return imp_parse_error(im, text);
}

/* A scalar: the first file to set it wins; a different later value is reported. */
void
imp_set(struct imp *im, const struct imp_where *w, const char *setting, const char *value,
    const char *note)
{
	struct imp_slot *s = imp_slot_get(im, setting);

	if (s == NULL) {
		imp_report(im, w, false, "too many settings");
		return;
	}
	if (s->value == NULL) {
		s->value = arena_strdup(im->a, value);
		s->fidx = w->fidx;
		s->first = w->line ? arena_printf(im->a, "%s:%u", imp_show(im, w->file), w->line) :
		    imp_show(im, w->file);
		imp_slot_source(im, s, w, note);
		return;
	}
	if (strcmp(s->value, value) == 0) {
		imp_slot_source(im, s, w, NULL);
		return;
	}
	imp_report(im, w, false, "conflicts: compauthd has one %s, and keeps %s from %s%s",
	    setting, imp_show(im, s->value), s->first, strcmp(setting, "socket") == 0 ?
	    " (the MTA's milter list needs only compauthd's socket)" : "");
}

/* A list item: merged with what other lines and files gave, each checked alone. */
void
imp_add_item(struct imp *im, const struct imp_where *w, const char *setting, const char *item,
    const char *note)
{
	struct imp_slot *s = imp_slot_get(im, setting);
	const char *why;
	size_t i;

	if (s == NULL) {
		imp_report(im, w, false, "too many settings");
		return;
	}
	for (i = 0; i < s->n; i++)
		if (strcasecmp(s->items[i], item) == 0) {
			imp_slot_source(im, s, w, NULL);
			return;
		}
	/* arc_sign_headers must hold From: check each item beside it. */
	if ((why = imp_check(im, imp_line_text(im, setting, strcmp(setting, "arc_sign_headers") ?
	    item : arena_printf(im->a, "from, %s", item)))) != NULL) {
		imp_report(im, w, false, "%s: compauthd refuses it: %s", imp_show(im, item), why);
		return;
	}
	if (s->n == s->cap) {
		char **grown;

		s->cap = s->cap ? s->cap * 2 : 8;
		grown = arena_alloc(im->a, s->cap * sizeof(*grown));
		if (s->n > 0)
			memcpy(grown, s->items, s->n * sizeof(*grown));
		s->items = grown;
	}
	s->items[s->n++] = arena_strdup(im->a, item);
	imp_slot_source(im, s, w, note);
}

/*
 * Calls fn for each "Key value" line of f: '#' starts a comment anywhere
 * (as in all three programs), blanks around key and value go. A line too
 * long or holding a NUL byte is skipped, and reported when report is set.
 */
typedef void (*imp_line_fn)(struct imp *im, size_t fidx, unsigned line, char *key,
    char *value, void *arg);

static void
imp_lines(struct imp *im, size_t fidx, bool report, imp_line_fn fn, void *arg)
{
	const struct imp_filestate *f = &im->files[fidx];
	const char *p = f->text, *end = f->text + f->len, *nl;
	struct imp_where w = { f->name, 0, NULL, NULL, fidx };
	char buf[IMP_LINE_MAX + 1], *k, *v, *hash;
	size_t len;

	while (p < end) {
		w.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > IMP_LINE_MAX || memchr(p, '\0', len) != NULL) {
			if (report && len > IMP_LINE_MAX)
				imp_report(im, &w, false, "line longer than %d bytes, skipped",
				    IMP_LINE_MAX);
			else if (report)
				imp_report(im, &w, false, "NUL byte in line, skipped");
			p = nl != NULL ? nl + 1 : end;
			continue;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = nl != NULL ? nl + 1 : end;
		if ((hash = strchr(buf, '#')) != NULL)
			*hash = '\0';
		k = buf + strspn(buf, " \t");
		if (*k == '\0')
			continue;
		v = k + strcspn(k, " \t");
		if (*v != '\0')
			*v++ = '\0';
		v += strspn(v, " \t");
		for (len = strlen(v); len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'); len--)
			v[len - 1] = '\0';
		fn(im, fidx, w.line, k, v, arg);
	}
}

/* Detection: each known key votes for the programs that know it. */
static void
imp_vote(struct imp *im, size_t fidx, unsigned line, char *key, char *value, void *arg)
{
	unsigned *score = arg, m = imp_known(key);

	(void)line;
	score[0] += (m & IP_DKIM) != 0;
	score[1] += (m & IP_DMARC) != 0;
	score[2] += (m & IP_ARC) != 0;
	/* OpenARC signs only in mode s: Domain etc. need the Mode, wherever it stands. */
	if (strcasecmp(key, "Mode") == 0 && im->files[fidx].arc_mode == NULL)
		im->files[fidx].arc_mode = arena_strdup(im->a, value);
}

static void
imp_detect(struct imp *im, size_t fidx)
{
	struct imp_filestate *f = &im->files[fidx];
	static const char *const names[] = { "opendkim", "opendmarc", "openarc" };
	static const unsigned progs[] = { IP_DKIM, IP_DMARC, IP_ARC };
	const char *base = strrchr(f->name, '/');
	unsigned score[3] = { 0, 0, 0 };
	char lower[256];
	size_t i;

	base = base != NULL ? base + 1 : f->name;
	for (i = 0; base[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)base[i]);
	lower[i] = '\0';
	imp_lines(im, fidx, false, imp_vote, score);
	for (i = 0; i < 3; i++)
		if (strstr(lower, names[i]) != NULL) {
			f->prog = progs[i];
			f->how = "by its name";
			return;
		}
	for (i = 0; i < 3; i++)
		if (score[i] > 0 && (f->prog == 0 || score[i] > score[f->prog == IP_DKIM ? 0 :
		    f->prog == IP_DMARC ? 1 : 2]))
			f->prog = progs[i];
	f->how = f->prog != 0 ? "by its settings" : "no setting of theirs found";
}

static void
imp_line(struct imp *im, size_t fidx, unsigned line, char *key, char *value, void *arg)
{
	const struct imp_filestate *f = &im->files[fidx];
	struct imp_where w = { f->name, line, NULL, NULL, fidx };
	struct arena *kept = im->a, *scratch = arena_new();
	const struct imp_key *k;
	unsigned other;

	(void)arg;
	/*
	 * The key and value as shown live only for this line: whatever keeps
	 * them copies them (imp_where_text), so a file of half a million
	 * lines past the report cap costs no memory per line.
	 */
	im->a = scratch;
	w.key = imp_show(im, key);
	w.shown = imp_show(im, value);
	im->a = kept;
	if ((k = imp_lookup(key, f->prog)) == NULL) {
		other = imp_known(key);
		if (f->prog != 0 && other != 0)
			imp_report(im, &w, false, "unknown to %s (a setting of %s: is this the "
			    "right file?)", imp_prog_name(f->prog),
			    imp_prog_name(other & IP_DKIM ? IP_DKIM : other & IP_DMARC ? IP_DMARC :
			    IP_ARC));
		else
			imp_report(im, &w, false, "unknown to %s", imp_prog_name(f->prog));
	} else if (*value == '\0')
		imp_report(im, &w, false, "no value");
	else
		imp_apply(im, &w, k, value);
	arena_free(&scratch);
}

/* A slot our parser refuses is reported, with its reason, and not written. */
static void
imp_validate(struct imp *im)
{
	static const char *const sign[] = { "arc_sign_domain", "arc_sign_selector", "arc_sign_key",
	    NULL };
	struct imp_slot *s, *t[3];
	const char *why, *text;
	size_t i, j;

	for (i = 0; i < im->nslots; i++) {
		s = &im->slots[i];
		if (s->list || imp_in(sign, s->name))
			continue;
		if ((why = imp_check(im, imp_line_text(im, s->name, s->value))) == NULL)
			continue;
		s->dropped = true;
		/* A setting only a newer compauthd has (syslog_facility) is reported so. */
		if (strncmp(why, "unknown setting", 15) == 0)
			imp_report_at(im, s->src[0], "compauthd has no %s setting%s", s->name,
			    strcmp(s->name, "syslog_facility") == 0 ?
			    ": it logs to syslog facility mail" : "");
		else
			imp_report_at(im, s->src[0], "compauthd refuses it: %s", why);
	}
	/* Sealing takes domain, selector and key together, and the key must load. */
	for (j = 0; j < 3; j++)
		t[j] = imp_slot_find(im, sign[j]);
	if (t[0] == NULL && t[1] == NULL && t[2] == NULL)
		return;
	text = "";
	for (j = 0; j < 3; j++)
		if (t[j] != NULL)
			text = arena_printf(im->a, "%s%s", text, imp_line_text(im, sign[j], t[j]->value));
	why = t[0] == NULL || t[1] == NULL || t[2] == NULL ?
	    "ARC sealing needs Domain, Selector and KeyFile all set" : imp_check(im, text);
	if (why == NULL)
		return;
	for (j = 0; j < 3; j++)
		if (t[j] != NULL) {
			t[j]->dropped = true;
			imp_report_at(im, t[j]->src[0], "not sealing: %s", why);
		}
}

static const char *
imp_slot_value(struct imp *im, const struct imp_slot *s)
{
	const char *v;
	size_t i;

	if (!s->list)
		return s->value;
	v = "";
	for (i = 0; i < s->n; i++)
		v = arena_printf(im->a, "%s%s%s", v, i ? ", " : "", s->items[i]);
	return v;
}

static void
imp_write_reports(struct imp *im, FILE *out, bool builtin, size_t total)
{
	size_t i, listed = 0;

	fprintf(out, "\n# %s (%zu%s):\n", builtin ? "Already what compauthd does, nothing to set" :
	    "Not carried over", total, builtin ? "" : "; also on standard error");
	for (i = 0; i < im->nreports; i++)
		if (im->reports[i].builtin == builtin) {
			fprintf(out, "#   %s\n", im->reports[i].text);
			listed++;
		}
	if (listed < total)
		fprintf(out, "#   ... and %zu more\n", total - listed);
}

/* Writes the settings (in imp_order, then as met) and returns them as text. */
static char *
imp_write(struct imp *im, FILE *out, size_t *written)
{
	char *all = NULL;
	size_t alen = 0, i, j, k;
	FILE *cfg = open_memstream(&all, &alen);
	const struct imp_slot *s;
	bool done[IMP_SLOTS_MAX] = { false };
	const char *line;

	if (cfg == NULL)
		abort();
	*written = 0;
	fprintf(out, "# compauthd.conf written by compauthd --import from:\n");
	for (i = 0; i < im->nfiles; i++)
		fprintf(out, "#   %s: %s (%s)\n", imp_show(im, im->files[i].name),
		    im->files[i].prog ? imp_prog_name(im->files[i].prog) : "not recognised",
		    im->files[i].how);
	fprintf(out, "# Settings not written here keep their defaults (compauthd.conf(5)).\n"
	    "# Check it with: compauthd -n -c FILE\n");
	for (k = 0; k <= sizeof(imp_order) / sizeof(imp_order[0]); k++)
		for (j = 0; j < im->nslots; j++) {
			s = &im->slots[j];
			if (done[j] || (k < sizeof(imp_order) / sizeof(imp_order[0]) &&
			    (imp_order[k] == NULL || strcmp(s->name, imp_order[k]) != 0)))
				continue;
			done[j] = true;
			if (s->dropped || (s->list && s->n == 0) || (!s->list && s->value == NULL))
				continue;
			putc('\n', out);
			for (i = 0; i < s->nsrc; i++)
				fprintf(out, "# from %s\n", s->src[i]);
			if (s->moresrc > 0)
				fprintf(out, "# and %zu more lines\n", s->moresrc);
			for (i = 0; i < s->nnote; i++)
				fprintf(out, "# note: %s\n", s->note[i]);
			line = imp_line_text(im, s->name, imp_slot_value(im, s));
			fputs(line, out);
			fputs(line, cfg);
			(*written)++;
		}
	fclose(cfg);
	return all;
}

int
import_text(const struct import_file *files, size_t n, const struct import_opts *o,
    FILE *out, FILE *err)
{
	struct imp *im = calloc(1, sizeof(*im));
	char *all, errbuf[512];
	struct config *c;
	size_t i, written;
	int rc = 0;

	if (im == NULL)
		abort();
	im->a = arena_new();
	im->o = o;
	im->nfiles = n;
	im->files = arena_alloc(im->a, (n ? n : 1) * sizeof(*im->files));
	memset(im->files, 0, (n ? n : 1) * sizeof(*im->files));
	for (i = 0; i < n; i++) {
		im->files[i].name = files[i].name;
		im->files[i].text = files[i].text;
		im->files[i].len = files[i].len;
		imp_detect(im, i);
	}
	for (i = 0; i < n; i++)
		imp_lines(im, i, true, imp_line, NULL);
	imp_finish(im);
	imp_validate(im);
	all = imp_write(im, out, &written);
	imp_write_reports(im, out, true, im->nbuiltin);
	imp_write_reports(im, out, false, im->nnot);
	for (i = 0; i < im->nreports; i++)
		if (!im->reports[i].builtin)
			fprintf(err, "compauthd: not carried over: %s\n", im->reports[i].text);
	if (im->nreports == IMP_REPORTS_MAX)
		fprintf(err, "compauthd: ... and more (counted in the output)\n");
	fprintf(err, "compauthd: --import: %zu settings written, %zu already compauthd's "
	    "behaviour, %zu not carried over\n", written, im->nbuiltin, im->nnot);
	/* Every value was checked alone; the whole must parse too, or we have a bug. */
	c = config_parse("--import output", all, strlen(all), errbuf, sizeof(errbuf));
	if (c == NULL) {
		fprintf(err, "compauthd: internal error, the output does not parse: %s\n", errbuf);
		rc = EX_SOFTWARE;
	}
	config_free(&c);
	free(all);
	arena_free(&im->a);
	free(im);
	return rc;
}

int
import_run(char *const *paths, size_t n, FILE *out, FILE *err)
{
	struct import_file *files = calloc(n ? n : 1, sizeof(*files));
	struct import_opts o = { .read_datasets = true };
	char why[256];
	size_t i;
	int rc = 0;

	if (files == NULL)
		abort();
	/* All files are read first: on any error nothing goes to out. */
	for (i = 0; i < n && rc == 0; i++) {
		files[i].name = paths[i];
		files[i].text = imp_read_file(paths[i], &files[i].len, why, sizeof(why));
		if (files[i].text == NULL) {
			fprintf(err, "compauthd: %s: %s\n", paths[i], why);
			rc = EX_CONFIG;
		}
	}
	if (rc == 0 && n == 0) {
		fprintf(err, "compauthd: --import needs at least one file\n");
		rc = EX_USAGE;
	}
	if (rc == 0)
		rc = import_text(files, n, &o, out, err);
	for (i = 0; i < n; i++)
		free((char *)files[i].text);
	free(files);
	return rc;
}
