/*
 * List values: items written inline and list files (file:/path) whose
 * entries stand in their place, each item checked as the setting says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "arena.h"
#include "config.h"
#include "netaddr.h"
#include "config_int.h"

/*
 * A list file (file:/path as a list item): at most this many bytes, each
 * line at most CONFIG_LISTFILE_LINE_MAX (newline excluded), comments
 * included. Its entries count towards the setting's item limit.
 */
#define CONFIG_LISTFILE_MAX       (1024 * 1024)
#define CONFIG_LISTFILE_LINE_MAX  4096
#define CONFIG_LISTFILE_PREFIX    "file:"
#define CONFIG_PATH_SHOW_MAX      256   /* bytes of a list file's path in an error */

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
bool
config_set_list(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], where[CONFIG_PATH_SHOW_MAX + 32];
	const size_t plen = strlen(CONFIG_LISTFILE_PREFIX);
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
	config_list_source_set(c, e, acc.any_file ? acc.nseg : 0,
	    acc.any_file ? acc.seg : NULL);
	return true;
}
