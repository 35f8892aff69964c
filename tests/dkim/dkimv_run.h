/*
 * What the DKIM verifier tests share: the data under tests/data/dkim/
 * (main points top there) read as the milter sees it, messages split as
 * an MTA hands them over and key data written as a zone file for our
 * resolver's zone backend, and one dkimv run driven as the pipeline
 * drives it: headers one by one, end of headers, body in chunks, a wait
 * on the DNS set, end of message.
 */
#ifndef COMPAUTHD_TESTS_DKIM_DKIMV_RUN_H
#define COMPAUTHD_TESTS_DKIM_DKIMV_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "dkimv.h"
#include "log.h"
#include "resolver.h"
#include "../tap.h"

/* How a message is run (run_message) and verified (opts_of). */
#define V_SHA1   0x01   /* allow_sha1 = 1 */
#define V_LPOL   0x02   /* l_policy = 1 */
#define V_MIN512 0x04   /* min_rsa_bits = 512 */
#define V_LF     0x08   /* folds joined with "\n" (Postfix) */
#define V_CHUNK1 0x10   /* body fed one byte at a time */
#define V_EDIT   0x20   /* RFC 8463 body: "hungry" -> "Hungry" */

/* Key data under tests/data/dkim/, the key names of the football.example.com
 * signatures, and result comments more than one test expects. */
#define RFC8463_KEYS "rfc8463/keys.txt"
#define MD_DNS "mail-dkim/FAKE_DNS.dat"
#define LOCAL_KEYS "local/keys.txt"
#define FB_TEST "test._domainkey.football.example.com"
#define FB_ED "brisbane._domainkey.football.example.com"
#define SHA1 "rsa-sha1 is not accepted (RFC 8301)"
#define NOVERSION "signature has no v= tag"
#define BADVERSION "unsupported signature version"

static const char *top;         /* tests/data/dkim */

/* What every DKIM test program sets up first: the log, the data root, libopendkim. */
static void __attribute__((unused))
run_init(const char *prog)
{
	static char dir[4096];
	const char *srcdir = getenv("top_srcdir");

	log_init(prog, 1);
	log_configure(LOG_LVL_WARN, LOG_FMT_TEXT);
	snprintf(dir, sizeof(dir), "%s/tests/data/dkim", srcdir ? srcdir : ".");
	top = dir;
	dkimv_global_init();
}

/* ------------------------------------------------------------------ */
/* Files and messages                                                   */

static char * __attribute__((unused))
slurp(const char *rel, size_t *lenp)
{
	char path[4096];
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

struct hdr {
	char *name;
	char *value;
};

struct message {
	struct hdr h[256];
	size_t nh;
	char *body;             /* CRLF line ends */
	size_t bodylen;
};

/*
 * Splits a message the way an MTA hands it to a milter: header name,
 * value after the colon (leading space kept), folded lines joined with
 * fold ("\r\n" as Sendmail, "\n" as Postfix); body with CRLF line ends.
 */
static void __attribute__((unused))
message_parse(struct arena *a, const char *buf, size_t len, const char *fold, struct message *m)
{
	const char *p = buf, *end = buf + len, *eol, *colon;
	size_t ll;
	char *v;

	m->nh = 0;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			p = eol ? eol + 1 : end;
			break;
		}
		if ((p[0] == ' ' || p[0] == '\t') && m->nh > 0) {
			v = m->h[m->nh - 1].value;
			m->h[m->nh - 1].value = arena_printf(a, "%s%s%.*s", v, fold, (int)ll, p);
		} else if ((colon = memchr(p, ':', ll)) != NULL && m->nh < 256) {
			m->h[m->nh].name = arena_strndup(a, p, (size_t)(colon - p));
			m->h[m->nh].value = arena_strndup(a, colon + 1, ll - (size_t)(colon + 1 - p));
			m->nh++;
		}
		p = eol ? eol + 1 : end;
	}
	m->body = arena_alloc(a, 2 * (size_t)(end - p) + 1);
	m->bodylen = 0;
	for (; p < end; p++) {
		if (*p == '\n' && (m->bodylen == 0 || m->body[m->bodylen - 1] != '\r'))
			m->body[m->bodylen++] = '\r';
		m->body[m->bodylen++] = *p;
	}
}

static int __attribute__((unused))
load_message(struct arena *a, const char *rel, struct message *m)
{
	size_t len;
	char *buf = slurp(rel, &len);

	if (buf == NULL)
		return -1;
	message_parse(a, buf, len, "\r\n", m);
	free(buf);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Zones                                                                */

struct zent {
	char name[512];
	char *value;            /* record text, or TIMEOUT SERVFAIL NODATA EMPTY */
};

struct zlist {
	struct zent e[128];
	size_t n;
};

static void __attribute__((unused))
zone_set(struct zlist *z, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (strcasecmp(z->e[i].name, name) == 0)
			break;
	if (strcmp(value, "NXDOMAIN") == 0) {
		if (i < z->n) {
			free(z->e[i].value);
			z->e[i] = z->e[--z->n];
		}
		return;
	}
	if (i == z->n) {
		if (z->n == 128)
			abort();
		snprintf(z->e[z->n++].name, sizeof(z->e[0].name), "%s", name);
	}
	free(z->e[i].value);
	z->e[i].value = strdup(value);
}

/* "<name><TAB><record>" lines, '#' comments (rfc8463, dkimpy, local). */
static int __attribute__((unused))
zone_read_tab(struct zlist *z, const char *rel, const char *only)
{
	char *buf = slurp(rel, NULL), *line, *save = NULL, *tab;
	int found = 0;

	if (buf == NULL)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		if (only != NULL && strcasecmp(line, only) != 0)
			continue;
		zone_set(z, only ? only : line, tab);
		found = 1;
	}
	free(buf);
	return found ? 0 : -1;
}

/* Mail::DKIM's FAKE_DNS.dat: "<name> <record>", NXDOMAIN, ~~errors~~, "". */
static int __attribute__((unused))
zone_read_fake(struct zlist *z, const char *rel)
{
	char *buf = slurp(rel, NULL), *line, *save = NULL, *sp, *v;

	if (buf == NULL)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || line[0] == ';' || (sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		for (v = sp; *v == ' '; v++)
			;
		if (strcmp(v, "~~Query timed out~~") == 0)
			v = "TIMEOUT";
		else if (strcmp(v, "~~SERVFAIL~~") == 0)
			v = "SERVFAIL";
		else if (strcmp(v, "\"\"") == 0)
			v = "EMPTY";
		zone_set(z, line, v);
	}
	free(buf);
	return 0;
}

static int __attribute__((unused))
zone_name_plain(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* Our resolver's zone format; TXT split into strings of at most 255 bytes. */
static char * __attribute__((unused))
zone_write(struct zlist *z)
{
	char *path = strdup("/tmp/test_dkim.zone.XXXXXX");
	size_t i, off, n;
	FILE *f;
	int fd;

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fprintf(f, "; written by test_dkim\n");
	for (i = 0; i < z->n; i++) {
		const char *name = z->e[i].name, *v = z->e[i].value;

		if (!zone_name_plain(name))
			continue;       /* names DNS cannot carry are simply absent */
		if (strcmp(v, "TIMEOUT") == 0 || strcmp(v, "SERVFAIL") == 0) {
			fprintf(f, "%s. %s\n", name, v);
		} else if (strcmp(v, "NODATA") == 0) {
			fprintf(f, "%s. A 192.0.2.1\n", name);
		} else if (strcmp(v, "EMPTY") == 0) {
			fprintf(f, "%s. TXT \"\"\n", name);
		} else {
			fprintf(f, "%s. TXT", name);
			for (off = 0; off < strlen(v); off += n) {
				n = strlen(v) - off > 255 ? 255 : strlen(v) - off;
				fputs(" \"", f);
				for (size_t k = 0; k < n; k++) {
					if (v[off + k] == '"' || v[off + k] == '\\')
						fputc('\\', f);
					fputc(v[off + k], f);
				}
				fputc('"', f);
			}
			fputc('\n', f);
		}
	}
	fclose(f);
	return path;
}

static void __attribute__((unused))
zone_clear(struct zlist *z)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		free(z->e[i].value);
	z->n = 0;
}

/* ------------------------------------------------------------------ */
/* Driving dkimv like the pipeline does                                  */

struct run {
	struct arena *a;
	struct resolver *r;
	struct dns_set *set;
	struct dkimv *d;
	struct dkimv_results res;
	char *zpath;
	unsigned sent_after_headers;
};

static int __attribute__((unused))
run_start(struct run *rn, struct zlist *z, unsigned delay_ms, unsigned budget)
{
	struct resolver_opts ro;
	char err[256];

	memset(&ro, 0, sizeof(ro));
	rn->a = arena_new();
	rn->zpath = zone_write(z);
	ro.zone_file = rn->zpath;
	ro.zone_delay_ms = delay_ms;
	ro.timeout_ms = 1000;
	if ((rn->r = resolver_new(&ro, err, sizeof(err))) == NULL) {
		tap_diag("resolver_new: %s", err);
		return -1;
	}
	rn->set = dns_set_new(rn->r, budget, "test");
	return 0;
}

static void __attribute__((unused))
run_headers(struct run *rn, const struct message *m)
{
	size_t i;

	for (i = 0; i < m->nh; i++) {
		dns_set_lock(rn->set);
		dkimv_header(rn->d, m->h[i].name, m->h[i].value);
		dns_set_unlock(rn->set);
	}
	dns_set_lock(rn->set);
	rn->sent_after_headers = dns_set_sent(rn->set);
	dns_set_unlock(rn->set);
}

static void __attribute__((unused))
run_body_eom(struct run *rn, const struct message *m, size_t chunk, int wait)
{
	size_t off, n;

	dkimv_eoh(rn->d);
	for (off = 0; off < m->bodylen; off += n) {
		n = m->bodylen - off < chunk ? m->bodylen - off : chunk;
		dkimv_body(rn->d, (const unsigned char *)m->body + off, n);
	}
	if (wait)
		dns_set_wait(rn->set, dns_now_ms() + 5000);
	dns_set_lock(rn->set);
	dkimv_eom(rn->d, &rn->res);
	dkimv_free(&rn->d);
	dns_set_unlock(rn->set);
}

static void __attribute__((unused))
run_end(struct run *rn)
{
	dkimv_free(&rn->d);             /* no-op after eom; the abort path otherwise */
	dns_set_free(&rn->set);
	resolver_free(&rn->r);
	if (rn->zpath) {
		unlink(rn->zpath);
		free(rn->zpath);
		rn->zpath = NULL;
	}
	arena_free(&rn->a);
}

/* Everything but the verdict, which the caller checks. */
static int __attribute__((unused))
run_message(struct run *rn, const char *rel, struct zlist *z, const struct dkimv_opts *o,
    unsigned flags)
{
	struct message m;
	size_t len;
	char *buf = slurp(rel, &len), *w;

	if (buf == NULL)
		return -1;
	if (flags & V_EDIT) {
		if ((w = strstr(buf, "hungry")) == NULL) {
			free(buf);
			return -1;
		}
		w[0] = 'H';
	}
	if (run_start(rn, z, 0, 50) != 0) {
		free(buf);
		return -1;
	}
	message_parse(rn->a, buf, len, (flags & V_LF) ? "\n" : "\r\n", &m);
	free(buf);
	rn->d = dkimv_new(rn->a, rn->set, o, "test");
	run_headers(rn, &m);
	run_body_eom(rn, &m, (flags & V_CHUNK1) ? 1 : 65536, 1);
	return 0;
}

/* dkimv options for the V_SHA1, V_LPOL and V_MIN512 flags. */
static void __attribute__((unused))
opts_of(unsigned flags, struct dkimv_opts *o)
{
	dkimv_opts_init(o);
	o->allow_sha1 = (flags & V_SHA1) != 0;
	o->l_policy = (flags & V_LPOL) != 0;
	if (flags & V_MIN512)
		o->min_rsa_bits = 512;
}

#endif
