/*
 * One OpenDKIM, OpenDMARC or OpenARC setting into ours, by the kind its
 * row in import_map.c gives: values converted (seconds to durations,
 * user:group split, libmilter's [address] unbracketed, a umask to a
 * socket mode), lists of clients read from the dataset files they name
 * and kept where compauthd can match them (addresses and CIDR blocks;
 * host names and exclusions it cannot), everything else reported.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "arena.h"
#include "import.h"
#include "import_int.h"
#include "netaddr.h"

char *
imp_read_file(const char *path, size_t *len, char *why, size_t whylen)
{
	struct stat st;
	char *text;
	size_t got;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	/* A FIFO or a device (/dev/zero) would hang us or never end. */
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		fclose(f);
		return NULL;
	}
	/* One byte more than allowed tells a full file from a too big one. */
	if ((text = malloc(IMPORT_FILE_MAX + 2)) == NULL)
		abort();
	*len = 0;
	while (*len <= IMPORT_FILE_MAX &&
	    (got = fread(text + *len, 1, IMPORT_FILE_MAX + 1 - *len, f)) > 0)
		*len += got;
	if (ferror(f) || *len > IMPORT_FILE_MAX) {
		if (ferror(f))
			snprintf(why, whylen, "cannot read: %s", strerror(errno));
		else
			snprintf(why, whylen, "larger than %d bytes", IMPORT_FILE_MAX);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[*len] = '\0';
	return text;
}

/* OpenDMARC reads only the first byte of a boolean; OpenDKIM takes the same words. */
static int
imp_bool(const char *v)
{
	if (strchr("TtYy1", v[0]) != NULL)
		return 1;
	if (strchr("FfNn0", v[0]) != NULL)
		return 0;
	return -1;
}

static bool
imp_number(const char *v, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]) || strlen(v) > 9)
		return false;
	*out = strtoul(v, &end, 10);
	return *end == '\0';
}

/* "=setting value;setting value|note", "+already so", "-not carried". */
static void
imp_outcome(struct imp *im, const struct imp_where *w, const char *oc)
{
	const char *note = strchr(oc, '|'), *p, *end, *sp, *semi;

	if (oc[0] != '=') {
		imp_report(im, w, oc[0] == '+', "%s", oc + 1);
		return;
	}
	end = note != NULL ? note : oc + strlen(oc);
	for (p = oc + 1; p < end; p = semi + 1) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		sp = memchr(p, ' ', (size_t)(semi - p));
		imp_set(im, w, arena_strndup(im->a, p, (size_t)(sp - p)),
		    arena_strndup(im->a, sp + 1, (size_t)(semi - sp - 1)),
		    note != NULL ? note + 1 : NULL);
	}
}

/*
 * libmilter's socket forms into ours: a bare path is a UNIX-domain socket,
 * and the [brackets] libmilter wants around a literal address go.
 */
static void
imp_socket(struct imp *im, const struct imp_where *w, const char *v)
{
	const char *at = strchr(v, '@');
	size_t n;

	if (v[0] == '/') {
		imp_set(im, w, "socket", arena_printf(im->a, "local:%s", v),
		    "libmilter reads a bare path as a UNIX-domain socket");
		return;
	}
	if (at != NULL && at[1] == '[' && (n = strlen(at + 2)) > 0 && at[1 + n] == ']') {
		imp_set(im, w, "socket", arena_printf(im->a, "%.*s%.*s", (int)(at + 1 - v), v,
		    (int)(n - 1), at + 2), "compauthd writes an address without brackets");
		return;
	}
	imp_set(im, w, "socket", v, NULL);
}

/* One client entry of PeerList or IgnoreHosts. */
static void
imp_client(struct imp *im, const struct imp_where *w, const char *e)
{
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];
	const char *note = NULL, *close;
	struct cidr c;
	unsigned i, full;

	if (e[0] == '!') {
		imp_report(im, w, false, "%s: an exclusion; compauthd's trusted_clients has "
		    "none (check that no block given covers this host)", imp_show(im, e));
		return;
	}
	/* "[192.0.2.1]" and "[2001:db8::1]/64": the brackets are optional there. */
	if (e[0] == '[' && (close = strchr(e, ']')) != NULL && (size_t)(close - e) < sizeof(buf)) {
		snprintf(buf, sizeof(buf), "%.*s%s", (int)(close - e - 1), e + 1, close + 1);
		e = buf;
	}
	if (strlen(e) >= sizeof(buf) || !cidr_parse(e, &c)) {
		imp_report(im, w, false, "%s: compauthd matches clients by address only; a host "
		    "or domain name cannot be carried", imp_show(im, e));
		return;
	}
	full = c.net.family == AF_INET ? 32 : 128;
	/* 192.0.2.1/24 matched the whole /24 in OpenDKIM: write the network. */
	for (i = c.bits; i < full; i++)
		if (c.net.addr[i / 8] & (0x80 >> (i % 8))) {
			c.net.addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
			note = "an address with bits set past its prefix length is written as its network";
		}
	netaddr_str(&c.net, addr, sizeof(addr));
	if (c.bits == full && strchr(e, '/') == NULL)
		imp_add_item(im, w, "trusted_clients", addr, note);
	else
		imp_add_item(im, w, "trusted_clients", arena_printf(im->a, "%s/%u", addr, c.bits),
		    note);
}

static void
imp_entry(struct imp *im, const struct imp_where *w, const char *target, const char *e,
    bool pattern)
{
	if (im->entries++ == IMP_ENTRIES_MAX) {
		imp_report(im, w, false, "more than %d list entries in all; the rest are not read",
		    IMP_ENTRIES_MAX);
		return;
	}
	if (im->entries > IMP_ENTRIES_MAX)
		return;
	if (pattern && strchr(e, '*') != NULL) {
		imp_report(im, w, false, "%s: a pattern; compauthd's lists take no wildcards",
		    imp_show(im, e));
		return;
	}
	if (strcmp(target, "trusted_clients") == 0)
		imp_client(im, w, e);
	else
		imp_add_item(im, w, target, e, NULL);
}

/* Items of an inline list: separated by commas and blanks. */
static void
imp_inline(struct imp *im, const struct imp_where *w, const char *target, const char *v)
{
	size_t n;

	for (;;) {
		v += strspn(v, ", \t");
		if (*v == '\0' || im->entries > IMP_ENTRIES_MAX)
			return;
		n = strcspn(v, ", \t");
		imp_entry(im, w, target, arena_strndup(im->a, v, n), false);
		v += n;
	}
}

/*
 * A dataset (opendkim.conf(5) DATA SETS): "file:" or "refile:" (patterns)
 * and a bare absolute path name a file of one entry a line; "csl:" and
 * any other bare value are inline lists; databases cannot be read.
 * OpenDMARC's IgnoreHosts and DomainWhitelistFile are always a path.
 */
static void
imp_dataset(struct imp *im, const struct imp_where *w, const char *target, const char *v,
    bool path)
{
	static const char *const dbs[] = { "db:", "dsn:", "ldap:", "ldapi:", "ldaps:", "lua:",
	    "memcache:", "mdb:", "redis:", "erlang:", "socket:", NULL };
	bool pattern = strncmp(v, "refile:", 7) == 0;
	char why[256], *text, *line, *next;
	size_t i, len;

	for (i = 0; dbs[i] != NULL; i++)
		if (strncmp(v, dbs[i], strlen(dbs[i])) == 0) {
			imp_report(im, w, false, "compauthd reads no LDAP, SQL or other database");
			return;
		}
	if (strncmp(v, "csl:", 4) == 0) {
		imp_inline(im, w, target, v + 4);
		return;
	}
	if (pattern || strncmp(v, "file:", 5) == 0)
		v = strchr(v, ':') + 1;
	else if (!path && v[0] != '/') {
		imp_inline(im, w, target, v);
		return;
	}
	if (!im->o->read_datasets) {
		imp_report(im, w, false, "the list in %s was not read", imp_show(im, v));
		return;
	}
	if ((text = imp_read_file(v, &len, why, sizeof(why))) == NULL) {
		imp_report(im, w, false, "the list in %s cannot be carried: %s", imp_show(im, v), why);
		return;
	}
	/* One entry a line, the first word; '#' comments; NUL ends a line's use. */
	for (line = text; line != NULL && line < text + len; line = next) {
		next = memchr(line, '\n', (size_t)(text + len - line));
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "#\r")] = '\0';
		line += strspn(line, " \t");
		line[strcspn(line, " \t")] = '\0';
		if (*line != '\0')
			imp_entry(im, w, target, line, pattern);
	}
	free(text);
}

/* "user" or "user:group", as libmilter's filters take it. */
static void
imp_user(struct imp *im, const struct imp_where *w, const char *v)
{
	const char *colon = strchr(v, ':');

	if (colon == NULL) {
		imp_set(im, w, "user", v, NULL);
		return;
	}
	imp_set(im, w, "user", arena_strndup(im->a, v, (size_t)(colon - v)), NULL);
	imp_set(im, w, "group", colon + 1, NULL);
}

/* OpenDKIM's actions: a, accept, t, tempfail, ... (any case). */
static char
imp_action(const char *v)
{
	static const char *const words[] = { "accept", "discard", "quarantine", "reject",
	    "tempfail", NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(v, words[i]) == 0 || (v[1] == '\0' && tolower((unsigned char)v[0]) ==
		    words[i][0]))
			return words[i][0];
	return 0;
}

void
imp_apply(struct imp *im, const struct imp_where *w, const struct imp_key *k, const char *v)
{
	struct imp_filestate *f = &im->files[w->fidx];
	unsigned long num;
	int b;
	char act;

	switch (k->kind) {
	case IK_NOT:
	case IK_BUILTIN:
		imp_report(im, w, k->kind == IK_BUILTIN, "%s", k->a);
		return;
	case IK_BOOL:
		if ((b = imp_bool(v)) < 0)
			imp_report(im, w, false, "not a boolean (yes, no, true, false, 1, 0)");
		else
			imp_outcome(im, w, b ? k->a : k->b);
		return;
	case IK_STR:
		imp_set(im, w, k->target, v, NULL);
		return;
	case IK_LIST:
		imp_inline(im, w, k->target, v);
		/* OpenARC adds the fields ARC requires (From) to SignHeaders itself. */
		if (strcmp(k->target, "arc_sign_headers") == 0)
			imp_add_item(im, w, k->target, "From", "From is always signed, as OpenARC "
			    "adds it when SignHeaders lacks it");
		return;
	case IK_AUTHSERV:
		if (strcasecmp(v, "HOSTNAME") == 0)
			imp_report(im, w, true, "compauthd's default authserv_id is this host's name");
		else
			imp_set(im, w, k->target, v, NULL);
		return;
	case IK_SOCKET:
		imp_socket(im, w, v);
		return;
	case IK_USER:
		imp_user(im, w, v);
		return;
	case IK_UMASK:
		/* Only the socket compauthd takes gets a mode; see imp_finish. */
		if (f->umask == NULL) {
			f->umask = arena_strdup(im->a, v);
			f->umask_at = *w;
			/* Kept past this line, whose scratch holds the shown text. */
			f->umask_at.key = arena_strdup(im->a, w->key);
			f->umask_at.shown = arena_strdup(im->a, w->shown);
		} else
			imp_report(im, w, false, "conflicts: %s sets UMask already", imp_show(im, f->name));
		return;
	case IK_FACILITY:
		imp_set(im, w, k->target, v, NULL);
		return;
	case IK_SECONDS:
	case IK_UINT:
		if (!imp_number(v, &num))
			imp_report(im, w, false, "not a number");
		else if (num == 0)
			imp_outcome(im, w, k->a);
		else
			imp_set(im, w, k->target, arena_printf(im->a, "%lu%s", num,
			    k->kind == IK_SECONDS ? "s" : ""), NULL);
		return;
	case IK_HOSTS:
		if (f->prog == IP_DMARC)
			f->ignore_hosts = true;
		imp_dataset(im, w, k->target, v, f->prog == IP_DMARC);
		return;
	case IK_DOMAINS:
		imp_dataset(im, w, k->target, v, true);
		return;
	case IK_ONDNS:
	case IK_ONACTION:
		act = imp_action(v);
		if (act == 0)
			imp_report(im, w, false, "not an action (accept, discard, quarantine, "
			    "reject, tempfail)");
		else if (act == 'a')
			imp_report(im, w, true, "compauthd accepts, and DMARC (dmarc_enforce) decides");
		else if (act == 't' && k->kind == IK_ONDNS)
			imp_set(im, w, k->target, "tempfail", "compauthd asks the sender to retry when "
			    "a temporary DNS failure could have changed the verdict");
		else
			imp_report(im, w, false, k->kind == IK_ONDNS ? "compauthd's on_dns_error is "
			    "accept or tempfail" : "compauthd never acts on a DKIM result alone; "
			    "DMARC (dmarc_enforce) decides");
		return;
	case IK_DKIM_MODE:
		if (strspn(v, "sv") != strlen(v))
			imp_report(im, w, false, "not a mode (s, v, sv)");
		else if (strchr(v, 's') != NULL)
			imp_report(im, w, false, "signing: compauthd verifies and does not sign with "
			    "DKIM%s", strchr(v, 'v') ? "" : " (and it verifies every message, which "
			    "OpenDKIM in mode s did not)");
		else
			imp_report(im, w, true, "compauthd verifies every message");
		return;
	case IK_ARC_MODE:
		if (strspn(v, "sv") != strlen(v))
			imp_report(im, w, false, "not a mode (s, v, sv)");
		else
			imp_report(im, w, true, "compauthd validates ARC on every message%s",
			    strchr(v, 's') ? " and seals it with arc_sign_domain, arc_sign_selector "
			    "and arc_sign_key (from Domain, Selector, KeyFile)" : "");
		return;
	case IK_ARC_SIGN:
		if (f->arc_mode != NULL && strchr(f->arc_mode, 's') == NULL)
			imp_report(im, w, false, "OpenARC did not seal (Mode %s): compauthd seals "
			    "every message it checks once arc_sign_* are set", imp_show(im, f->arc_mode));
		else
			imp_set(im, w, k->target, v, "compauthd seals every message it checks");
		return;
	case IK_ARC_CANON:
		if (strcasecmp(v, "relaxed/relaxed") == 0)
			imp_report(im, w, true, "compauthd's ARC-Message-Signature is relaxed/relaxed");
		else
			imp_report(im, w, false, "compauthd's ARC-Message-Signature is always "
			    "relaxed/relaxed, as every ARC signer's");
		return;
	case IK_ARC_ALG:
		if (strcasecmp(v, "rsa-sha256") == 0 || strcasecmp(v, "ed25519-sha256") == 0)
			imp_report(im, w, true, "compauthd signs with the algorithm of its key "
			    "(RSA: rsa-sha256, Ed25519: ed25519-sha256)");
		else
			imp_report(im, w, false, "compauthd seals with rsa-sha256 or ed25519-sha256 "
			    "only, by the key's type");
		return;
	}
}

/* OpenDKIM's UMask 007: files made 0777 & ~007, the socket 0770. */
static void
imp_umask(struct imp *im)
{
	struct imp_slot *sock = imp_slot_find(im, "socket");
	struct imp_filestate *f;
	unsigned long mask;
	size_t i;
	char *end;

	for (i = 0; i < im->nfiles; i++) {
		f = &im->files[i];
		if (f->umask == NULL)
			continue;
		if (sock == NULL || sock->value == NULL)
			imp_report(im, &f->umask_at, false, "no socket was carried over to apply it to");
		else if (sock->fidx != i)
			imp_report(im, &f->umask_at, false, "it made the socket of %s, which compauthd "
			    "does not take", imp_show(im, f->name));
		else if (strncmp(sock->value, "inet", 4) == 0)
			imp_report(im, &f->umask_at, false, "a TCP socket has no mode");
		else if (mask = strtoul(f->umask, &end, 8), *end != '\0' || mask > 0777 ||
		    !isdigit((unsigned char)f->umask[0]))
			imp_report(im, &f->umask_at, false, "not an octal mask");
		else
			imp_set(im, &f->umask_at, "socket_mode", arena_printf(im->a, "%04lo",
			    0777 & ~mask), "the socket's mode is what the umask left of 0777");
	}
}

void
imp_finish(struct imp *im)
{
	struct imp_slot *tc = imp_slot_find(im, "trusted_clients");
	struct imp_where w;
	size_t i;

	imp_umask(im);
	/*
	 * OpenDMARC without IgnoreHosts skipped 127.0.0.1. Once another file
	 * names clients, ours replace compauthd's default, so keep that one.
	 */
	if (tc == NULL || tc->n == 0)
		return;
	for (i = 0; i < im->nfiles; i++)
		if (im->files[i].prog == IP_DMARC && !im->files[i].ignore_hosts) {
			w = (struct imp_where){ im->files[i].name, 0, "IgnoreHosts",
			    "(unset: OpenDMARC's default)", i };
			imp_add_item(im, &w, "trusted_clients", "127.0.0.1", NULL);
		}
}
