/*
 * Settings. Every setting is one row of config_table: its name, type,
 * default (as the file would spell it), range or allowed words, check, doc
 * line and place in struct config. Parsing, `compauthd -n` (config_dump)
 * and the man page's settings list (config_man) all walk that table, so a
 * setting cannot exist in one and be missing from another.
 *
 * A loaded config is an immutable snapshot in its own arena, with a
 * reference count beside it. The daemon installs one as current; a message
 * takes a reference for its lifetime, so a SIGHUP that installs a new
 * snapshot never pulls settings from under a message in progress.
 *
 * This file reads a file line by line into a snapshot and keeps the
 * current one; config_value.c and config_list.c turn a value into its field.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>

#include "arena.h"
#include "config.h"
#include "config_int.h"
#include "import.h"

/*
 * Bytes of one value, and of one line (newline excluded): room for any
 * value written back by `compauthd -n`, where quotes and backslashes are
 * escaped and list items joined by ", ", so the dump always parses. A list
 * has room for its 1024 items (every address written with its prefix
 * length is at most 45 bytes with its ", ").
 */
#define CONFIG_VALUE_MAX  4096
#define CONFIG_LIST_MAX   65536
#define CONFIG_LINE_MAX   (2 * CONFIG_LIST_MAX + 256)
#define CONFIG_FILE_MAX   (1024 * 1024) /* bytes in one file */

/* The snapshot and what only this file needs to know about it. */
struct config_box {
	atomic_uint refs;
	struct arena *arena;
	struct config_list_src src[CONFIG_MAX_SETTINGS];  /* list settings' spelling */
	struct config c;
};


static pthread_mutex_t config_cur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config_box *config_cur;

/* Where each field lives; the table's offsets say which. */

static struct config_box *
config_box_of(const struct config *c)
{
	return (struct config_box *)(void *)((char *)c - offsetof(struct config_box, c));
}

const struct config_list_src *
config_list_source(const struct config *c, const struct config_entry *e)
{
	return &config_box_of(c)->src[e - config_table];
}

/* Only config_set_list writes a list's spelling, once per setting. */
void
config_list_source_set(struct config *c, const struct config_entry *e, size_t nseg,
    const struct config_list_seg *seg)
{
	struct config_list_src *src = &config_box_of(c)->src[e - config_table];

	src->nseg = nseg;
	src->seg = seg;
}

/* ---- the file ---- */

#define CONFIG_HINT_NAME 40     /* longest name compared for a typo hint */

static const struct config_entry *
config_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < config_nsettings; i++)
		if (strcmp(config_table[i].name, name) == 0)
			return &config_table[i];
	return NULL;
}

/* Edits (insert, delete, replace, swap two) from a to b, case ignored. */
static size_t
config_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[CONFIG_HINT_NAME + 1][CONFIG_HINT_NAME + 1];

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/*
 * An unknown name is most often a typo of ours or a line carried over from
 * OpenDKIM, OpenDMARC or OpenARC (SoftwareHeader): say which, so the
 * postmaster is not left to guess.
 */
static void
config_unknown_hint(const char *name, char *hint, size_t len)
{
	const char *best = NULL, *prog;
	size_t i, bestd = 3, n = strlen(name);

	hint[0] = '\0';
	if (n >= 3 && n <= CONFIG_HINT_NAME)
		for (i = 0; i < config_nsettings; i++) {
			size_t d;

			if (strlen(config_table[i].name) > CONFIG_HINT_NAME)
				continue;
			d = config_distance(name, config_table[i].name);
			if (d < bestd) {
				bestd = d;
				best = config_table[i].name;
			}
		}
	if (best != NULL && (bestd <= 1 || (bestd == 2 && n >= 6))) {
		snprintf(hint, len, "; did you mean '%s'?", best);
		return;
	}
	if ((prog = import_program_of(name)) != NULL)
		snprintf(hint, len, " (a setting of %s: compauthd --import FILE "
		    "prints what a whole file becomes)", prog);
}

/*
 * Splits one line (NUL-terminated, in place) into its setting and value.
 * Returns 0 for a blank or comment line, 1 for a setting, -1 with why.
 */
static int
config_split_line(char *line, const struct config_entry **ep, char **valuep,
    char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], *p, *name, *v, *o;
	const struct config_entry *e;
	size_t n;
	bool eq;

	for (p = line; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(why, whylen, "control character (0x%02x) in line",
			    (unsigned char)*p);
			return -1;
		}
	p = line + strspn(line, " \t");
	if (*p == '\0' || *p == '#')
		return 0;
	name = p;
	n = strcspn(p, " \t=");
	if (n == 0) {
		snprintf(why, whylen, "expected 'name = value'");
		return -1;
	}
	p += n;
	v = p + strspn(p, " \t");
	eq = *v == '=';
	*p = '\0';
	if ((e = config_lookup(name)) == NULL) {
		char hint[160];

		config_show(name, shown, sizeof(shown));
		config_unknown_hint(name, hint, sizeof(hint));
		snprintf(why, whylen, "unknown setting '%s'%s", shown, hint);
		return -1;
	}
	if (!eq) {
		snprintf(why, whylen, "%s: expected '=' after the name", e->name);
		return -1;
	}
	v++;
	v += strspn(v, " \t");
	*ep = e;
	*valuep = v;
	if (*v == '"') {
		/* Quoted: \" and \\ are the only escapes; unquote in place. */
		for (p = o = v, p++; *p != '"'; p++) {
			if (*p == '\0') {
				snprintf(why, whylen, "%s: unterminated quoted value", e->name);
				return -1;
			}
			if (*p == '\\') {
				p++;
				if (*p != '"' && *p != '\\') {
					snprintf(why, whylen, "%s: in a quoted value only \\\" "
					    "and \\\\ may follow a backslash", e->name);
					return -1;
				}
			}
			*o++ = *p;
		}
		*o = '\0';
		p++;
		p += strspn(p, " \t");
		if (*p != '\0' && *p != '#') {
			snprintf(why, whylen, "%s: unexpected text after the quoted value",
			    e->name);
			return -1;
		}
		return 1;
	}
	/* Unquoted: a '#' at the start or after white space begins a comment. */
	for (p = v; *p; p++)
		if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	for (n = strlen(v); n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
		v[n - 1] = '\0';
	return 1;
}

static struct config_box *
config_box_new(void)
{
	struct config_box *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		fputs("compauthd: out of memory\n", stderr);
		abort();
	}
	atomic_init(&b->refs, 1);
	b->arena = arena_new();
	return b;
}

/* The one computed default, authserv_id: this host's name. */
static void
config_default_hostname(struct config *c, struct arena *a, const struct config_entry *e)
{
	char host[256];

	/* The name as the host knows it; no DNS at start-up (it may be down). */
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	*FIELD(c, e, char *) = arena_strdup(a, config_is_hostname(host) ? host : "localhost");
}

struct config *
config_defaults(void)
{
	struct config_box *b = config_box_new();
	char why[256];
	size_t i;

	for (i = 0; i < config_nsettings; i++) {
		const struct config_entry *e = &config_table[i];

		if (e->def == NULL) {
			config_default_hostname(&b->c, b->arena, e);
			continue;
		}
		if (!config_set(&b->c, b->arena, e, e->def, why, sizeof(why))) {
			/* The table contradicts itself; the unit tests catch this first. */
			fprintf(stderr, "compauthd: bad built-in default: %s\n", why);
			abort();
		}
	}
	return &b->c;
}

static void
config_error(char *err, size_t errlen, const char *name, unsigned line, const char *why)
{
	if (err == NULL || errlen == 0)
		return;
	if (line == 0)
		snprintf(err, errlen, "%s: %s", name, why);
	else
		snprintf(err, errlen, "%s:%u: %s", name, line, why);
}

/*
 * A list is written out in its own spelling (", " between items, every
 * address with its prefix length), which can be longer than the file's:
 * the limit holds for that spelling too, so `compauthd -n` output always
 * reads back.
 */
static bool
config_is_list(const struct config_entry *e)
{
	return e->type == CT_STRLIST || e->type == CT_CIDRLIST;
}

static bool
config_written_fits(const struct config *c, const struct config_entry *e,
    char *why, size_t whylen)
{
	struct arena *a;
	size_t len;

	if (!config_is_list(e))
		return true;
	a = arena_new();
	len = strlen(config_value_text(c, e, a));
	arena_free(&a);
	if (len <= CONFIG_LIST_MAX)
		return true;
	snprintf(why, whylen, "%s: value longer than %d bytes when written as "
	    "compauthd -n does (%zu)", e->name, CONFIG_LIST_MAX, len);
	return false;
}

struct config *
config_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	unsigned seen[CONFIG_MAX_SETTINGS] = { 0 }, lineno = 0;
	const char *p = text, *end = text != NULL ? text + len : text, *nl;
	const struct config_entry *e;
	char *line = NULL, why[512], *v;
	const char *setting = NULL;
	struct config_box *b;
	struct config *c;
	size_t llen, idx;
	int r;

	if (name == NULL)
		name = "(config)";
	c = config_defaults();
	b = config_box_of(c);
	/* On the heap: a line of the longest list does not belong on a stack. */
	if ((line = malloc(CONFIG_LINE_MAX + 1)) == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	c->path = arena_strdup(b->arena, name);
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (llen > 0 && p[llen - 1] == '\r')
			llen--;
		if (llen > CONFIG_LINE_MAX) {
			snprintf(why, sizeof(why), "line longer than %d bytes", CONFIG_LINE_MAX);
			goto fail;
		}
		if (memchr(p, '\0', llen) != NULL) {
			snprintf(why, sizeof(why), "NUL byte in line");
			goto fail;
		}
		memcpy(line, p, llen);
		line[llen] = '\0';
		p = nl ? nl + 1 : end;

		r = config_split_line(line, &e, &v, why, sizeof(why));
		if (r < 0)
			goto fail;
		if (r == 0)
			continue;
		idx = (size_t)(e - config_table);
		if (strlen(v) > (config_is_list(e) ? CONFIG_LIST_MAX : CONFIG_VALUE_MAX)) {
			snprintf(why, sizeof(why), "%s: value longer than %d bytes", e->name,
			    config_is_list(e) ? CONFIG_LIST_MAX : CONFIG_VALUE_MAX);
			goto fail;
		}
		if (seen[idx] != 0) {
			snprintf(why, sizeof(why), "%s: already set on line %u",
			    e->name, seen[idx]);
			goto fail;
		}
		seen[idx] = lineno;
		if (!config_set(c, b->arena, e, v, why, sizeof(why)))
			goto fail;
		if (!config_written_fits(c, e, why, sizeof(why)))
			goto fail;
	}
	if (!config_finish(c, &setting, why, sizeof(why))) {
		/* Such a setting is always in the file: the defaults pass these checks. */
		e = config_lookup(setting);
		lineno = e != NULL ? seen[e - config_table] : 0;
		goto fail;
	}
	free(line);
	return c;
fail:
	free(line);
	config_error(err, errlen, name, lineno, why);
	config_free(&c);
	return NULL;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *c;
	char *text, why[256];
	size_t len = 0, got;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		config_error(err, errlen, path, 0, why);
		return NULL;
	}
	/* One byte more than allowed tells a full file from a too big one. */
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		fclose(f);
		config_error(err, errlen, path, 0, "out of memory");
		return NULL;
	}
	while (len <= CONFIG_FILE_MAX &&
	    (got = fread(text + len, 1, CONFIG_FILE_MAX + 1 - len, f)) > 0)
		len += got;
	if (ferror(f)) {
		snprintf(why, sizeof(why), "cannot read: %s", strerror(errno));
		config_error(err, errlen, path, 0, why);
		c = NULL;
	} else if (len > CONFIG_FILE_MAX) {
		snprintf(why, sizeof(why), "larger than %d bytes", CONFIG_FILE_MAX);
		config_error(err, errlen, path, 0, why);
		c = NULL;
	} else
		c = config_parse(path, text, len, err, errlen);
	fclose(f);
	free(text);
	return c;
}

/* Drops one reference; the last one frees the snapshot. */
void
config_free(struct config **cp)
{
	struct config_box *b;

	if (cp == NULL || *cp == NULL)
		return;
	b = config_box_of(*cp);
	*cp = NULL;
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		config_finish_free(&b->c);
		arena_free(&b->arena);
		free(b);
	}
}

/* ---- the current snapshot ---- */

/*
 * A mutex rather than a bare atomic pointer: between reading the pointer
 * and taking the reference, an install could otherwise drop the last
 * reference. Held for a few instructions, once per message.
 */
void
config_install(struct config *c)
{
	struct config_box *old;
	struct config *oc;

	pthread_mutex_lock(&config_cur_lock);
	old = config_cur;
	config_cur = c ? config_box_of(c) : NULL;
	pthread_mutex_unlock(&config_cur_lock);
	if (old != NULL) {
		oc = &old->c;
		config_free(&oc);
	}
}

struct config *
config_acquire(void)
{
	struct config *c = NULL;

	pthread_mutex_lock(&config_cur_lock);
	if (config_cur != NULL) {
		atomic_fetch_add_explicit(&config_cur->refs, 1, memory_order_relaxed);
		c = &config_cur->c;
	}
	pthread_mutex_unlock(&config_cur_lock);
	return c;
}

void
config_release(struct config **cp)
{
	config_free(cp);
}
