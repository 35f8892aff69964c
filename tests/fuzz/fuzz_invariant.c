/*
 * libFuzzer target for the enforcement invariant ("no spoof passes"): the
 * whole pipeline in process (session, envelope, headers, body, end of
 * message) over tests/hostile/hostile.zone with dmarc_enforce = on.
 *
 * The input chooses a configuration, a client address from a pool that
 * no protected domain authorizes, the HELO, the MAIL FROM (from a list of
 * attacker domains with hostile SPF records, or raw bytes), the spelling
 * of a p=reject author domain and how its From field is decorated
 * (display names, comments, routes, extra addresses, trailing junk), and
 * then a list of operations: raw header fields, more From fields, forged
 * Authentication-Results, junk DKIM and ARC headers, padding, big values,
 * forged Received-SPF; the rest is the body.
 *
 * The oracle does not use our parsers: this harness put a From field
 * naming a p=reject domain, in a spelling a mail client displays as that
 * domain, into the message, and nobody holds that domain's private key or
 * sends from its addresses; so the message must be rejected, with dmarc=
 * fail or permerror and compauth neither pass nor softpass nor reason 990
 * (a DNS failure).
 * And every Authentication-Results field that a lenient consumer (comments
 * and white space skipped as isspace() does, quotes and backslashes
 * dropped, case ignored) reads as ours must be on the delete list.
 * Anything else is reported on stderr and aborts.
 *
 * The zone is INVARIANT_ZONE (the source tree's, set by mk/hostile.am) or
 * the file named by $FUZZ_INVARIANT_ZONE. The DNS cache is off, so an
 * input's outcome does not depend on the inputs run before it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "config.h"
#include "log.h"
#include "msg.h"
#include "netaddr.h"
#include "runtime.h"

#ifndef INVARIANT_ZONE
#define INVARIANT_ZONE "tests/hostile/hostile.zone"
#endif
#define AUTHSERV "mx.demo.example"
#define MAX_FIELDS 12000        /* well under the 10 000 A-R we can delete */
#define MAX_AR 4000
#define NELEM(v) (sizeof(v) / sizeof((v)[0]))
#define PICK(f, v) fz_pick(f, v, NELEM(v))
#define MAX_BYTES (3u * 1024 * 1024)    /* of all values, so one input stays cheap */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Every variant is "the defaults plus dmarc_enforce = on" and then some. */
static const char *const conf_extra[] = {
	"",
	"max_dkim_signatures = 50\nspf_received_header = yes\n",
	"reject_bad_from = yes\ndmarc_mode = rfc7489\nauthres_style = microsoft\n",
	"max_headers = 100\nmax_header_bytes = 4096\n",
};
#define NCONF (sizeof(conf_extra) / sizeof(conf_extra[0]))
static struct runtime *runtimes[NCONF];

#include "invariant_inputs.h"

struct fz {
	const uint8_t *p;
	size_t n;
};

static unsigned
fz_u8(struct fz *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

static const char *
fz_pick(struct fz *f, const char *const *v, size_t n)
{
	return v[fz_u8(f) % n];
}

/* Bytes from the input as text: NUL, CR and LF would split what no MTA splits. */
static size_t
fz_text(struct fz *f, char *out, size_t max)
{
	size_t len = fz_u8(f), i;

	if (len > max)
		len = max;
	if (len > f->n)
		len = f->n;
	for (i = 0; i < len; i++) {
		unsigned char c = f->p[i];

		out[i] = (char)(c == 0 || c == '\r' || c == '\n' ? ' ' : c);
	}
	f->p += len;
	f->n -= len;
	out[len] = '\0';
	return len;
}

/* Junk that may go before the mailbox but cannot enclose it (no quote, comment or bracket). */
static void
fz_prefix_junk(struct fz *f, char *out, size_t max)
{
	size_t n = fz_text(f, out, max), i;

	for (i = 0; i < n; i++)
		if (strchr("\"()<>\\", out[i]) != NULL)
			out[i] = '_';
}

struct buf {
	char *s;
	size_t n, cap;
};

static void __attribute__((format(printf, 2, 3)))
buf_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->s == NULL && (b->s = malloc(b->cap = 256)) == NULL)
		abort();
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k < 0)
			abort();
		if (b->n + (size_t)k < b->cap)
			break;
		b->cap = (b->n + (size_t)k + 1) * 2;
		if ((b->s = realloc(b->s, b->cap)) == NULL)
			abort();
	}
	b->n += (size_t)k;
}

struct field {
	char *name, *value;
};

struct message {
	struct field *f;
	size_t n, cap;
	size_t bytes;
	size_t protected_at;            /* index of our From field */
	const char *domain;             /* its domain as written */
};

static char *
dup_text(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

static void
msg_add(struct message *m, const char *name, char *value)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		if ((m->f = realloc(m->f, m->cap * sizeof(*m->f))) == NULL)
			abort();
	}
	m->f[m->n].name = dup_text(name);
	m->f[m->n].value = value;
	m->bytes += strlen(value);
	m->n++;
}

static void __attribute__((format(printf, 3, 4), noreturn))
fail(const struct message *m, const struct msg_outcome *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n*** INVARIANT VIOLATED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nprotected From (field %zu): %s:%s\naction: %s\nour header:%s\n",
	    m->protected_at + 1, m->f[m->protected_at].name, m->f[m->protected_at].value,
	    msg_action_name(o->action), o->ar_value ? o->ar_value : " (none)");
	abort();
}

static char long_name[260], deep_name[260];

static void
init_names(unsigned which)
{
	/* 247 + which % 7 octets, labels of 63 and the tail. */
	size_t total = 247 + which % 7, need, pos = 0;
	const char *tail = ".contoso.example";

	need = total - strlen(tail);
	while (need > 0) {
		size_t k = need > 63 ? 63 : need;

		if (need - k == 1)
			k -= 2;
		memset(long_name + pos, 'x', k);
		pos += k;
		need -= k;
		if (need > 0) {
			long_name[pos++] = '.';
			need--;
		}
	}
	strcpy(long_name + pos, tail);
	pos = 0;
	for (int i = 0; i < 100; i++) {
		deep_name[pos++] = 'a';
		deep_name[pos++] = '.';
	}
	strcpy(deep_name + pos, "contoso.example");
}

/* The From field naming the protected domain, decorated by the input. */
static char *
protected_from(struct fz *f, const char **domain)
{
	static const char *const locals[] = { "ceo", "payroll", "\"the ceo\"", "a.b", "x+y" };
	unsigned pick = fz_u8(f), form = fz_u8(f), pre = fz_u8(f), suf = fz_u8(f);
	const char *dom = protected[pick % NPROT], *local = PICK(f, locals);
	struct buf b = { NULL, 0, 0 };
	char junk[256];

	if (dom == NULL) {
		init_names(pick / NPROT);
		dom = pick % NPROT == NPROT - 2 ? long_name : deep_name;
	}
	*domain = dom;
	buf_add(&b, " ");
	/* Before the mailbox: other addresses, a display name, a comment, a group. */
	if (pre & 1)
		buf_add(&b, "%s, ", PICK(f, others));
	if (pre & 2)
		buf_add(&b, "Team: ");
	switch ((pre >> 2) % 6) {
	case 1:
		fz_prefix_junk(f, junk, 64);
		buf_add(&b, "\"%s\" ", junk);
		break;
	case 2:
		fz_prefix_junk(f, junk, 64);
		buf_add(&b, "%s ", junk);
		break;
	case 3:
		buf_add(&b, "=?utf-8?q?C=C3=A9O?= ");
		break;
	case 4:
		fz_prefix_junk(f, junk, 64);
		buf_add(&b, "(%s) ", junk);
		break;
	case 5:
		buf_add(&b, "\"%s\" ", PICK(f, others));
		break;
	}
	switch (form % 4) {
	case 0: buf_add(&b, "<%s@%s>", local, dom); break;
	case 1: buf_add(&b, "%s@%s", local, dom); break;
	case 2: buf_add(&b, "<@evil.example:%s@%s>", local, dom); break;
	case 3: buf_add(&b, "<%s@%s>", local, dom); if (pre & 2) buf_add(&b, ";"); break;
	}
	/* After it: a separator first, so nothing can extend the domain. */
	switch (suf % 8) {
	case 1: buf_add(&b, ", %s", PICK(f, others)); break;
	case 2: buf_add(&b, ";"); break;
	case 3: buf_add(&b, " (unclosed"); break;
	case 4: buf_add(&b, ","); break;
	case 5: fz_text(f, junk, 128); buf_add(&b, " (%s)", junk); break;
	case 6: fz_text(f, junk, 255); buf_add(&b, "%s%s", form % 4 == 1 ? ", " : "", junk); break;
	case 7: buf_add(&b, "\n\t"); break;
	}
	return b.s;
}

static char *
junk_value(struct fz *f)
{
	char t[256];

	fz_text(f, t, 255);
	return dup_text(t);
}

/* One operation of the input; false at its end (the rest is the body). */
static bool
op(struct fz *f, struct message *m, size_t *nar)
{
	struct buf b = { NULL, 0, 0 };
	char t[256];
	unsigned k, i;

	if (f->n == 0 || m->n >= MAX_FIELDS || m->bytes > MAX_BYTES)
		return false;
	switch (fz_u8(f) % 11) {
	case 0: {
		const char *name = PICK(f, header_names);

		if (strncasecmp(name, "Authentication-Results", 22) == 0 && ++*nar > MAX_AR)
			return true;
		msg_add(m, name, junk_value(f));
		return true;
	}
	case 1: /* a raw field name too */
		fz_text(f, t, 40);
		for (i = 0; t[i]; i++)
			if (t[i] == ':')
				t[i] = '-';
		if (t[0] == '\0' || strncasecmp(t, "Authentication-Results", 22) == 0)
			strcpy(t, "X-Raw");
		msg_add(m, t, junk_value(f));
		return true;
	case 2: /* another From field */
		fz_text(f, t, 64);
		buf_add(&b, " %s%s%s", t, t[0] ? " " : "",
		    PICK(f, others));
		msg_add(m, fz_u8(f) & 1 ? "From" : "from", b.s);
		return true;
	case 3: /* a forged Authentication-Results */
		if (++*nar > MAX_AR)
			return true;
		fz_text(f, t, 64);
		buf_add(&b, "%s%s", PICK(f, forged_ar), t);
		msg_add(m, fz_u8(f) & 1 ? "Authentication-Results" : "AUTHENTICATION-RESULTS", b.s);
		return true;
	case 4: /* a DKIM signature nobody made */
		k = fz_u8(f);
		buf_add(&b, " v=1; a=%s; c=relaxed/relaxed; d=%s; s=s%u; h=%s; "
		    "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA%u",
		    k & 1 ? "rsa-sha256" : "ed25519-sha256",
		    PICK(f, dkim_domains), k,
		    k & 2 ? "from:to:subject" : "from", k);
		msg_add(m, "DKIM-Signature", b.s);
		return true;
	case 5: { /* an ARC set, or a part of one */
		static const char *const cvs[] = { "none", "pass", "fail", "", "bogus" };
		static const char *const names[] = {
			"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"
		};
		unsigned inst = fz_u8(f) % 53, parts = fz_u8(f), sel = fz_u8(f);
		const char *cv = PICK(f, cvs), *d = PICK(f, dkim_domains);
		struct buf x[3] = { { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 } };

		buf_add(&x[0], " i=%u; a=rsa-sha256; cv=%s; d=%s; s=s%u; t=1; b=AAAA", inst, cv, d, sel);
		buf_add(&x[1], " i=%u; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=s%u; h=from; bh=AAAA; "
		    "b=AAAA", inst, d, sel);
		buf_add(&x[2], " i=%u; mx.evil.example; dmarc=pass header.from=%s", inst, m->domain);
		for (i = 0; i < 3; i++) {
			if (parts & (1u << i))
				msg_add(m, names[i], x[i].s);
			else
				free(x[i].s);
		}
		return true;
	}
	case 6: /* padding, beyond max_headers when it likes */
		k = fz_u8(f) * 8u;
		for (i = 0; i < k && m->n < MAX_FIELDS; i++) {
			struct buf x = { NULL, 0, 0 };

			buf_add(&x, " %u", i);
			msg_add(m, "X-Pad", x.s);
		}
		return true;
	case 7: { /* one big value, up to past max_header_bytes */
		size_t len = (size_t)fz_u8(f) * 4400u;
		char *v = malloc(len + 2);

		if (v == NULL)
			abort();
		v[0] = ' ';
		memset(v + 1, 'A' + (int)(len % 26), len);
		v[len + 1] = '\0';
		msg_add(m, fz_u8(f) & 1 ? "X-Big" : "Subject", v);
		return true;
	}
	case 8: /* a forged Received-SPF */
		fz_text(f, t, 64);
		buf_add(&b, " pass (mx.demo.example: domain of ceo@%s designates 192.0.2.1 as permitted "
		    "sender) client-ip=192.0.2.1; envelope-from=ceo@%s; identity=mailfrom;%s",
		    m->domain, m->domain, t);
		msg_add(m, "Received-SPF", b.s);
		return true;
	case 9: /* a folded raw value */
		fz_text(f, t, 100);
		buf_add(&b, " %s\n\t%s", t, t + strlen(t) / 2);
		msg_add(m, PICK(f, header_names), b.s);
		if (strncasecmp(m->f[m->n - 1].name, "Authentication-Results", 22) == 0)
			++*nar;
		return true;
	default:
		return false;
	}
}

/* A lenient consumer's reading of an A-R authserv-id (isspace, quotes dropped). */
static bool
lenient_claims(const char *v)
{
	const char *p = v;
	char tok[300];
	size_t n = 0;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p != '(')
			break;
		for (int depth = 0; *p; p++) {
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '(') {
				depth++;
			} else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
	for (; *p && *p != ';' && *p != '(' && !isspace((unsigned char)*p); p++) {
		if (*p == '"')
			continue;
		if (*p == '\\' && p[1])
			p++;
		if (n < sizeof(tok) - 1)
			tok[n++] = (char)tolower((unsigned char)*p);
	}
	tok[n] = '\0';
	return strcmp(tok, AUTHSERV) == 0;
}

/* The word after "\n\t<method>=" in our header, or "" (and how often it is there). */
static int
result_of(const char *ar, const char *method, char *out, size_t max, char *reason, size_t rmax)
{
	char key[32];
	const char *p, *q;
	int count = 0;

	out[0] = reason[0] = '\0';
	snprintf(key, sizeof(key), "\n\t%s=", method);
	for (p = ar; (p = strstr(p, key)) != NULL; p += strlen(key)) {
		size_t n;

		if (count++)
			continue;
		q = p + strlen(key);
		n = strcspn(q, " ;\n\t");
		snprintf(out, max, "%.*s", (int)(n < max ? n : max - 1), q);
		if ((q = strstr(q, "reason=")) != NULL && q < p + strcspn(p + 2, "\n") + 2)
			snprintf(reason, rmax, "%.3s", q + 7);
	}
	return count;
}

static bool
name_is_ar(const char *name)
{
	size_t n = strlen(name);

	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	return n == strlen(AR_FIELD) && strncasecmp(name, AR_FIELD, n) == 0;
}

static void
check(const struct message *m, const struct msg_outcome *o)
{
	char dm[64], ca[64], reason[8], unused[8];
	size_t i, j, nar = 0;

	if (o->ar_value == NULL)
		fail(m, o, "no Authentication-Results of ours");
	/* The verdict is in its own field (authres_style consumers) or last in ours. */
	if (result_of(o->ar_value, "dmarc", dm, sizeof(dm), unused, sizeof(unused)) != 1 ||
	    result_of(o->ar_compauth != NULL ? o->ar_compauth : o->ar_value, "compauth", ca,
	    sizeof(ca), reason, sizeof(reason)) != 1 ||
	    (o->ar_compauth != NULL && (result_of(o->ar_value, "compauth", unused,
	    sizeof(unused), unused, sizeof(unused)) != 0 || result_of(o->ar_compauth, "dmarc",
	    unused, sizeof(unused), unused, sizeof(unused)) != 0)))
		fail(m, o, "our fields do not hold exactly one dmarc= and one compauth=");
	if (o->action != MSG_REJECT)
		fail(m, o, "From a p=reject domain without an aligned pass, action %s",
		    msg_action_name(o->action));
	if (strcmp(dm, "fail") != 0 && strcmp(dm, "permerror") != 0)
		fail(m, o, "dmarc=%s (only fail or permerror may stand)", dm);
	if (strcmp(ca, "pass") == 0 || strcmp(ca, "softpass") == 0 || strcmp(reason, "990") == 0)
		fail(m, o, "compauth=%s reason=%s", ca, reason);
	for (j = 1; j < o->ndelete; j++)
		if (o->delete_idx[j] >= o->delete_idx[j - 1])
			fail(m, o, "delete list not in descending order");
	for (i = 0; i < m->n; i++) {
		bool listed = false;

		if (!name_is_ar(m->f[i].name))
			continue;
		nar++;
		if (!lenient_claims(m->f[i].value))
			continue;
		for (j = 0; j < o->ndelete; j++)
			listed |= o->delete_idx[j] == nar;
		if (!listed)
			fail(m, o, "Authentication-Results #%zu (field %zu) claims our id and survives:%s",
			    nar, i + 1, m->f[i].value);
	}
	for (j = 0; j < o->ndelete; j++)
		if (o->delete_idx[j] == 0 || o->delete_idx[j] > nar)
			fail(m, o, "delete list names A-R #%u of %zu", o->delete_idx[j], nar);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *zone = getenv("FUZZ_INVARIANT_ZONE");
	char text[1024], err[512];
	size_t i;

	(void)argc;
	(void)argv;
	if (zone == NULL)
		zone = INVARIANT_ZONE;
	log_init("fuzz_invariant", 1);
	log_configure(LOG_LVL_ERR, LOG_FMT_TEXT);
	for (i = 0; i < NCONF; i++) {
		struct config *c;

		snprintf(text, sizeof(text), "authserv_id = %s\ndmarc_enforce = on\nzone_file = %s\n"
		    "dns_cache_entries = 0\nmessage_dns_deadline = 2s\n%s", AUTHSERV, zone, conf_extra[i]);
		c = config_parse("fuzz_invariant.conf", text, strlen(text), err, sizeof(err));
		if (c == NULL || (runtimes[i] = runtime_new(c, NULL, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fuzz_invariant: %s (zone %s; set FUZZ_INVARIANT_ZONE)\n", err, zone);
			abort();
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct message m;
	struct runtime *rt;
	struct session *s;
	struct msg *ms;
	struct netaddr ip;
	const struct msg_outcome *o;
	char sender[600], local[256], helo[256];
	unsigned at, sk, i;
	size_t nar = 0;
	bool more = true;

	memset(&m, 0, sizeof(m));
	rt = runtimes[fz_u8(&f) % NCONF];
	if (!netaddr_parse(PICK(&f, ips), &ip))
		abort();
	if ((sk = fz_u8(&f)) % 16 == 15)
		fz_text(&f, helo, 255);
	else
		snprintf(helo, sizeof(helo), "%s", helos[sk % (sizeof(helos) / sizeof(helos[0]))]);
	/* MAIL FROM: a listed domain, the null sender, or raw bytes. */
	sk = fz_u8(&f);
	fz_text(&f, local, sk & 0x80 ? 255 : 16);
	if (local[0] == '\0')
		strcpy(local, "ceo");
	if (sk % 32 == 31)
		snprintf(sender, sizeof(sender), "<>");
	else if (sk % 32 == 30)
		fz_text(&f, sender, 255);
	else
		snprintf(sender, sizeof(sender), "<%s@%s>", local, sender_domains[sk % NSENDER]);

	at = fz_u8(&f);
	{
		const char *dom;
		char *v = protected_from(&f, &dom);

		m.domain = dom;
		/* Ops first, then our From at its place among them. */
		for (i = 0; more && i < at % 64; i++)
			more = op(&f, &m, &nar);
		m.protected_at = m.n;
		msg_add(&m, (at & 0x40) ? "From" : (at & 0x80) ? "from" : "From ", v);
		while (more)
			more = op(&f, &m, &nar);
	}

	atomic_fetch_add(&rt->refs, 1);         /* the session releases its own */
	s = session_new(rt, "[client]", &ip);
	session_helo(s, helo);
	ms = msg_new(s, "FUZZ");
	msg_envfrom(ms, sender, NULL);
	for (i = 0; i < m.n; i++)
		msg_header(ms, m.f[i].name, m.f[i].value);
	msg_eoh(ms);
	msg_body(ms, f.p, f.n);
	o = msg_eom(ms);
	if (getenv("FUZZ_INVARIANT_VERBOSE") != NULL) {
		for (i = 0; i < m.n && i < 40; i++)
			fprintf(stderr, "%s:%.200s\n", m.f[i].name, m.f[i].value);
		fprintf(stderr, "(%zu fields; MAIL FROM %s, HELO %s)\naction %s, removed %zu\n%s\n", m.n,
		    sender, helo, msg_action_name(o->action), o->ndelete, o->ar_value ? o->ar_value : "");
	}
	check(&m, o);
	msg_free(&ms);
	session_free(&s);
	for (i = 0; i < m.n; i++) {
		free(m.f[i].name);
		free(m.f[i].value);
	}
	free(m.f);
	return 0;
}
