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
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "arena.h"
#include "config.h"
#include "log.h"
#include "netaddr.h"
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
#define CONFIG_SHOW_MAX   64            /* bytes of a bad value quoted in an error */
/*
 * A list file (file:/path as a list item): at most this many bytes, each
 * line at most CONFIG_LISTFILE_LINE_MAX (newline excluded), comments
 * included. Its entries count towards the setting's item limit.
 */
#define CONFIG_LISTFILE_MAX       (1024 * 1024)
#define CONFIG_LISTFILE_LINE_MAX  4096
#define CONFIG_LISTFILE_PREFIX    "file:"
#define CONFIG_PATH_SHOW_MAX      256   /* bytes of a list file's path in an error */

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

/* ---- values: text to field ---- */

/* Duration text to milliseconds; false on syntax or overflow. */
static bool
config_parse_duration(const char *s, unsigned long *ms)
{
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	unsigned long v, mult;

	if (unit[0] == '\0' || strcmp(unit, "s") == 0)
		mult = 1000;
	else if (strcmp(unit, "ms") == 0)
		mult = 1;
	else if (strcmp(unit, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(unit, "h") == 0)
		mult = 3600 * 1000;
	else
		return false;
	if (!config_parse_ulong(s, n, UINT_MAX, &v))
		return false;
	*ms = v > UINT_MAX / mult ? ULONG_MAX : v * mult;
	return true;
}

/* The shortest exact spelling: 2m rather than 120s or 120000ms. */
static void
config_format_duration(unsigned long ms, char *buf, size_t len)
{
	if (ms != 0 && ms % (3600 * 1000) == 0)
		snprintf(buf, len, "%luh", ms / (3600 * 1000));
	else if (ms != 0 && ms % (60 * 1000) == 0)
		snprintf(buf, len, "%lum", ms / (60 * 1000));
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%lus", ms / 1000);
	else
		snprintf(buf, len, "%lums", ms);
}

void
config_format_number(const struct config_entry *e, unsigned long v, char *buf, size_t len)
{
	if (e->type == CT_DURATION)
		config_format_duration(v, buf, len);
	else if (e->type == CT_MODE)
		snprintf(buf, len, "%04lo", v);
	else
		snprintf(buf, len, "%lu", v);
}

/* Number-like text to its value; returns NULL or what was expected. */
static const char *
config_parse_number(const struct config_entry *e, const char *v, unsigned long *num)
{
	size_t len = strlen(v);

	switch (e->type) {
	case CT_DURATION:
		if (!config_parse_duration(v, num))
			return "a duration such as 500ms, 5s, 2m or 1h (a bare number is seconds)";
		return NULL;
	case CT_MODE:
		if (len == 0 || len > 6 || strspn(v, "01234567") != len)
			return "an octal mode such as 0660";
		*num = strtoul(v, NULL, 8);
		return NULL;
	default:
		if (!config_parse_ulong(v, len, UINT_MAX, num))
			return "a number";
		return NULL;
	}
}

/* 192.0.2.1/24 is a typo for a host or a network; refuse to guess which. */
static bool
config_cidr_is_network(const struct cidr *c)
{
	unsigned len = c->net.family == AF_INET ? 4 : 16, i, bit;

	for (i = 0; i < len * 8; i++) {
		bit = (c->net.addr[i / 8] >> (7 - i % 8)) & 1;
		if (i >= c->bits && bit)
			return false;
	}
	return true;
}

/* A bad value as an error message may quote it: bounded, printable. */
static void
config_show(const char *v, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; v[i] != '\0' && o + 4 < len && i < CONFIG_SHOW_MAX; i++)
		buf[o++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	if (v[i] != '\0' && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* Items of a list value: split on commas and white space, empties dropped. */
static size_t
config_split(struct arena *a, const char *v, char ***out)
{
	size_t n = 0, cap = 0, len;
	char **items = NULL, **grown;
	const char *p = v;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = arena_alloc(a, cap * sizeof(*grown));
			if (n > 0)
				memcpy(grown, items, n * sizeof(*grown));
			items = grown;
		}
		items[n++] = arena_strndup(a, p, len);
		p += len;
	}
	*out = items;
	return n;
}

/* ---- list values: inline items and list files ---- */

/* One item of a list, with where it was read (file NULL: inline). */
struct list_item {
	const char *s;
	const char *file;
	unsigned line;
};

struct list_acc {
	struct list_item *v;
	size_t n, cap;
	struct config_list_seg *seg;
	size_t nseg, segcap;
	bool any_file;
};

/* A new run of n items from file (NULL: inline) in the spelling -n keeps. */
static void
list_seg_add(struct arena *a, struct list_acc *acc, const char *file, size_t n)
{
	if (acc->nseg == acc->segcap) {
		struct config_list_seg *g;

		acc->segcap = acc->segcap ? acc->segcap * 2 : 4;
		g = arena_alloc(a, acc->segcap * sizeof(*g));
		if (acc->nseg > 0)
			memcpy(g, acc->seg, acc->nseg * sizeof(*g));
		acc->seg = g;
	}
	acc->seg[acc->nseg].file = file;
	acc->seg[acc->nseg].n = n;
	acc->nseg++;
}

static bool
list_push(struct arena *a, const struct config_entry *e, struct list_acc *acc,
    const char *s, const char *file, unsigned line, char *why, size_t whylen)
{
	struct list_item *grown;
	struct config_list_seg *sg;

	if (acc->n >= e->max) {
		if (file != NULL)
			snprintf(why, whylen, "%s: more than %lu items (counting those of %.*s)",
			    e->name, e->max, CONFIG_PATH_SHOW_MAX, file);
		else
			snprintf(why, whylen, "%s: more than %lu items", e->name, e->max);
		return false;
	}
	if (acc->n == acc->cap) {
		acc->cap = acc->cap ? acc->cap * 2 : 8;
		grown = arena_alloc(a, acc->cap * sizeof(*grown));
		if (acc->n > 0)
			memcpy(grown, acc->v, acc->n * sizeof(*grown));
		acc->v = grown;
	}
	acc->v[acc->n].s = s;
	acc->v[acc->n].file = file;
	acc->v[acc->n].line = line;
	acc->n++;
	/* Inline items extend the run before them; a file has its own run. */
	sg = acc->nseg > 0 ? &acc->seg[acc->nseg - 1] : NULL;
	if (file == NULL && sg != NULL && sg->file == NULL)
		sg->n++;
	else if (file != NULL && sg != NULL && sg->file == file)
		sg->n++;
	else
		list_seg_add(a, acc, file, 1);
	return true;
}

/* An empty list file still appears in the spelling -n writes back. */
static void
list_push_empty_file(struct arena *a, struct list_acc *acc, const char *file)
{
	if (acc->nseg > 0 && acc->seg[acc->nseg - 1].file == file)
		return;
	list_seg_add(a, acc, file, 0);
}

/*
 * Reads list file path: entries separated by newlines, commas or white
 * space; a '#' that begins an entry begins a comment running to the end
 * of the line; blank lines are ignored. Errors name the file and line.
 */
static bool
config_read_list_file(struct arena *a, const struct config_entry *e, const char *path,
    struct list_acc *acc, char *why, size_t whylen)
{
	const int pw = CONFIG_PATH_SHOW_MAX;
	const char *p, *end, *nl, *le, *q;
	size_t len = 0, before = acc->n;
	unsigned lineno = 0;
	struct stat st;
	char *text;
	ssize_t got;
	int fd;

	/* O_NONBLOCK: a FIFO would otherwise hang start-up in open(). */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, whylen, "%s: cannot open %.*s: %s", e->name, pw, path,
		    strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: %.*s is not a regular file", e->name, pw, path);
		close(fd);
		return false;
	}
	/* One byte more than allowed tells a full file from a too big one. */
	if ((text = malloc(CONFIG_LISTFILE_MAX + 1)) == NULL) {
		snprintf(why, whylen, "%s: %.*s: out of memory", e->name, pw, path);
		close(fd);
		return false;
	}
	while (len <= CONFIG_LISTFILE_MAX) {
		got = read(fd, text + len, CONFIG_LISTFILE_MAX + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(why, whylen, "%s: cannot read %.*s: %s", e->name, pw, path,
			    strerror(errno));
			close(fd);
			goto fail;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (len > CONFIG_LISTFILE_MAX) {
		snprintf(why, whylen, "%s: %.*s is larger than %d bytes", e->name, pw, path,
		    CONFIG_LISTFILE_MAX);
		goto fail;
	}
	end = text + len;
	for (p = text; p < end; p = nl ? nl + 1 : end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl ? nl : end;
		if (le > p && le[-1] == '\r')
			le--;
		if ((size_t)(le - p) > CONFIG_LISTFILE_LINE_MAX) {
			snprintf(why, whylen, "%s: %.*s:%u: line longer than %d bytes", e->name,
			    pw, path, lineno, CONFIG_LISTFILE_LINE_MAX);
			goto fail;
		}
		for (q = p; q < le; q++) {
			if (*q == '\0') {
				snprintf(why, whylen, "%s: %.*s:%u: NUL byte in line", e->name,
				    pw, path, lineno);
				goto fail;
			}
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
				snprintf(why, whylen, "%s: %.*s:%u: control character (0x%02x) "
				    "in line", e->name, pw, path, lineno, (unsigned char)*q);
				goto fail;
			}
		}
		for (q = p; q < le;) {
			size_t n;

			while (q < le && (*q == ',' || *q == ' ' || *q == '\t'))
				q++;
			if (q == le || *q == '#')
				break;
			for (n = 0; q + n < le && q[n] != ',' && q[n] != ' ' && q[n] != '\t'; n++)
				;
			if (n > strlen(CONFIG_LISTFILE_PREFIX) - 1 &&
			    strncmp(q, CONFIG_LISTFILE_PREFIX, strlen(CONFIG_LISTFILE_PREFIX)) == 0) {
				snprintf(why, whylen, "%s: %.*s:%u: a list file cannot name "
				    "another (file:)", e->name, pw, path, lineno);
				goto fail;
			}
			if (!list_push(a, e, acc, arena_strndup(a, q, n), path, lineno,
			    why, whylen))
				goto fail;
			q += n;
		}
	}
	if (acc->n == before)
		list_push_empty_file(a, acc, path);
	free(text);
	return true;
fail:
	free(text);
	return false;
}

/* "PATH:LINE: " for an item read from a list file, else "". */
static void
config_item_where(const struct list_item *it, char *buf, size_t len)
{
	if (it->file == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.*s:%u: ", CONFIG_PATH_SHOW_MAX, it->file, it->line);
}

/*
 * A list value: items separated by commas and white space, each an item
 * or file:/absolute/path naming a list file whose entries stand in its
 * place. Every item, inline or from a file, passes the same checks.
 */
static bool
config_set_list(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], where[CONFIG_PATH_SHOW_MAX + 32];
	const size_t plen = strlen(CONFIG_LISTFILE_PREFIX);
	struct config_list_src *src = &config_box_of(c)->src[e - config_table];
	struct list_acc acc;
	const char *expected;
	char **tokens;
	size_t i, n;

	memset(&acc, 0, sizeof(acc));
	n = config_split(a, v, &tokens);
	for (i = 0; i < n; i++) {
		if (strncmp(tokens[i], CONFIG_LISTFILE_PREFIX, plen) != 0) {
			if (!list_push(a, e, &acc, tokens[i], NULL, 0, why, whylen))
				return false;
			continue;
		}
		if (tokens[i][plen] != '/') {
			config_show(tokens[i], shown, sizeof(shown));
			snprintf(why, whylen, "%s: expected an absolute path after file:, "
			    "got '%s'", e->name, shown);
			return false;
		}
		acc.any_file = true;
		if (!config_read_list_file(a, e, tokens[i] + plen, &acc, why, whylen))
			return false;
	}
	if (e->type == CT_STRLIST) {
		char **items = arena_alloc(a, (acc.n ? acc.n : 1) * sizeof(*items));

		for (i = 0; i < acc.n; i++) {
			if (e->check != NULL && (expected = e->check(acc.v[i].s)) != NULL) {
				config_item_where(&acc.v[i], where, sizeof(where));
				config_show(acc.v[i].s, shown, sizeof(shown));
				snprintf(why, whylen, "%s: %sexpected %s, got '%s'", e->name,
				    where, expected, shown);
				return false;
			}
			items[i] = (char *)acc.v[i].s;
		}
		FIELD(c, e, struct str_list)->n = acc.n;
		FIELD(c, e, struct str_list)->v = acc.n ? items : NULL;
	} else {
		struct cidr *cv = arena_alloc(a, (acc.n ? acc.n : 1) * sizeof(*cv));

		for (i = 0; i < acc.n; i++) {
			config_item_where(&acc.v[i], where, sizeof(where));
			config_show(acc.v[i].s, shown, sizeof(shown));
			if (!cidr_parse(acc.v[i].s, &cv[i])) {
				snprintf(why, whylen, "%s: %sexpected an IP address or "
				    "CIDR block (192.0.2.0/24, 2001:db8::/32), got '%s'",
				    e->name, where, shown);
				return false;
			}
			if (!config_cidr_is_network(&cv[i])) {
				snprintf(why, whylen, "%s: %s'%s' has bits set after "
				    "the prefix length; write the network address",
				    e->name, where, shown);
				return false;
			}
		}
		FIELD(c, e, struct cidr_list)->n = acc.n;
		FIELD(c, e, struct cidr_list)->v = cv;
	}
	src->nseg = acc.any_file ? acc.nseg : 0;
	src->seg = acc.any_file ? acc.seg : NULL;
	return true;
}

const struct config_list_src *
config_list_source(const struct config *c, const struct config_entry *e)
{
	return &config_box_of(c)->src[e - config_table];
}

/*
 * Stores value v into e's field of c. Returns false with the reason in why
 * (without the "FILE:LINE: " prefix, which the caller knows).
 */
static bool
config_set(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], lo[32], hi[32];
	const char *expected = NULL;
	unsigned long num;
	size_t n;
	int w;

	switch (e->type) {
	case CT_STRING:
		if (e->check != NULL && (expected = e->check(v)) != NULL)
			break;
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_HOSTNAME:
		if (!config_is_hostname(v)) {
			expected = "a host name (letters, digits, '-', '_' and dots)";
			break;
		}
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_SOCKET:
		if ((expected = config_check_socket(v)) != NULL)
			break;
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_UINT:
	case CT_DURATION:
	case CT_MODE:
		if ((expected = config_parse_number(e, v, &num)) != NULL)
			break;
		if (num < e->min || num > e->max) {
			config_format_number(e, e->min, lo, sizeof(lo));
			config_format_number(e, e->max, hi, sizeof(hi));
			config_show(v, shown, sizeof(shown));
			snprintf(why, whylen, "%s: %s is out of range (%s to %s)",
			    e->name, shown, lo, hi);
			return false;
		}
		*FIELD(c, e, unsigned) = (unsigned)num;
		return true;
	case CT_ENUM:
		for (w = 0; e->words[w] != NULL; w++)
			if (strcasecmp(v, e->words[w]) == 0) {
				*FIELD(c, e, int) = w;
				return true;
			}
		config_show(v, shown, sizeof(shown));
		n = (size_t)snprintf(why, whylen, "%s: expected one of", e->name);
		for (w = 0; e->words[w] != NULL && n < whylen; w++)
			n += (size_t)snprintf(why + n, whylen - n, "%s %s",
			    w ? (e->words[w + 1] ? "," : " or") : "", e->words[w]);
		if (n < whylen)
			snprintf(why + n, whylen - n, ", got '%s'", shown);
		return false;
	case CT_LOGLEVEL:
		if ((w = log_level_parse(v)) < 0) {
			expected = "a log level: err, warning, notice, info or debug";
			break;
		}
		*FIELD(c, e, int) = w;
		return true;
	case CT_STRLIST:
	case CT_CIDRLIST:
		return config_set_list(c, a, e, v, why, whylen);
	}
	config_show(v, shown, sizeof(shown));
	snprintf(why, whylen, "%s: expected %s, got '%s'", e->name,
	    expected ? expected : "a valid value", shown);
	return false;
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
