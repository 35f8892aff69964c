/*
 * The message pipeline. Each callback starts the DNS work its input allows
 * (iprev at connect; later checks at MAIL FROM, headers and end of headers)
 * and only msg_eom waits, once, with one deadline, for whatever is still
 * outstanding. Everything a message owns lives in its arena.
 */
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "grow.h"
#include "log.h"
#include "metrics.h"
#include "msg_int.h"

static atomic_uint msg_live;

struct session *
session_new(struct runtime *rt, const char *hostname, const struct netaddr *ip)
{
	struct arena *a = arena_new();
	struct session *s = arena_alloc(a, sizeof(*s));
	const struct config *cfg = rt->cfg;
	size_t i;

	s->rt = rt;
	s->arena = a;
	s->dns_arena = arena_new();
	s->hostname = arena_strdup(a, hostname ? hostname : "unknown");
	if (ip != NULL)
		s->ip = *ip;
	for (i = 0; i < cfg->trusted_clients.n && s->ip.family != 0; i++)
		if (cidr_match(&cfg->trusted_clients.v[i], &s->ip))
			s->trusted_why = "trusted client";
	s->dns = dns_set_new(rt->res, cfg->dns_query_budget, NULL);
	if (s->trusted_why == NULL) {
		dns_set_lock(s->dns);
		s->iprev = iprev_start(s->dns_arena, s->dns, &s->ip);
		dns_set_unlock(s->dns);
	}
	return s;
}

void
session_helo(struct session *s, const char *helo)
{
	s->helo = arena_strdup(s->arena, helo ? helo : "");
}

void
session_free(struct session **sp)
{
	struct session *s;
	struct arena *a;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	*sp = NULL;
	/* Cancel before the arena goes: late answers must find nothing to write to. */
	dns_set_free(&s->dns);
	arena_free(&s->dns_arena);
	runtime_release(&s->rt);
	a = s->arena;
	arena_free(&a);
}

struct msg *
msg_new(struct session *s, const char *qid)
{
	struct arena *a = arena_new();
	struct msg *m = arena_alloc(a, sizeof(*m));

	m->s = s;
	m->cfg = s->rt->cfg;
	m->arena = a;
	msg_set_qid(m, qid);
	m->dns = dns_set_new(s->rt->res, m->cfg->dns_query_budget, msg_qid_or_null(m));
	m->spf_dns = dns_set_new(s->rt->res, SPF_DNS_BUDGET, msg_qid_or_null(m));
	m->skip_why = s->trusted_why;
	m->skip_reason = "302";
	m->metrics_t0 = metrics_enabled() ? metrics_now_us() : 0;
	atomic_fetch_add(&msg_live, 1);
	return m;
}

void
msg_set_qid(struct msg *m, const char *qid)
{
	if (m->qid[0] == '\0' && qid != NULL && *qid != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
}

const char *
msg_qid(const struct msg *m)
{
	return m->qid[0] ? m->qid : "NOQUEUE";
}

/* "<a@b>" as the MTA passes it → "a@b"; "<>" → "" (the null sender). */
static const char *
msg_strip_path(struct arena *a, const char *s)
{
	size_t n;

	if (s == NULL)
		return "";
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	return arena_strndup(a, s, n);
}

void
msg_envrcpt(struct msg *m, const char *rcpt)
{
	const char *addr = msg_strip_path(m->arena, rcpt), *at = strrchr(addr, '@');
	char d[254];
	size_t i, n;

	m->nrcpt++;
	if (at == NULL || m->nrcpt_domains >= MSG_RCPT_DOMAINS)
		return;
	/* A domain name or an address literal; anything else is not kept. */
	for (n = 0, at++; at[n] != '\0'; n++) {
		unsigned char c = (unsigned char)at[n];
		if (n + 1 >= sizeof(d) || c <= ' ' || c > '~')
			return;
		d[n] = (char)tolower(c);
	}
	d[n] = '\0';
	if (n == 0)
		return;
	for (i = 0; i < m->nrcpt_domains; i++)
		if (strcmp(m->rcpt_domains[i], d) == 0)
			return;
	m->rcpt_domains[m->nrcpt_domains++] = arena_strdup(m->arena, d);
}

void
msg_envfrom(struct msg *m, const char *sender, const char *auth_authen)
{
	m->sender = msg_strip_path(m->arena, sender);
	if (auth_authen != NULL && *auth_authen != '\0') {
		m->skip_why = "authenticated submission";
		m->skip_reason = "301";
	}
	if (m->skip_why == NULL && m->dkim == NULL) {
		struct dkimv_opts d;

		dkimv_opts_init(&d);
		d.max_signatures = m->cfg->max_dkim_signatures;
		d.min_rsa_bits = m->cfg->min_rsa_bits;
		d.l_policy = m->cfg->dkim_strict_l;
		d.clock_skew = m->cfg->dkim_clock_skew_ms / 1000;
		m->dkim = dkimv_new(m->arena, m->dns, &d, msg_qid_or_null(m));
	}
	if (m->skip_why == NULL && m->arc == NULL) {
		struct arc_opts ao;

		arc_opts_init(&ao);
		ao.min_rsa_bits = m->cfg->min_rsa_bits;
		ao.seal = m->cfg->arc_sign_pkey != NULL;
		/* One key table for DKIM and ARC: a selector both name is fetched once. */
		ao.keys = m->dkim != NULL ? dkimv_keys(m->dkim) : NULL;
		m->arc = arc_new(m->arena, m->dns, &ao, msg_qid_or_null(m));
	}
	if (m->skip_why == NULL && m->s->ip.family != 0 && m->spf == NULL) {
		struct spf_opts o;

		memset(&o, 0, sizeof(o));
		o.receiver = m->cfg->authserv_id;
		/* The queries go out now; end of message only reads the result. */
		dns_set_lock(m->spf_dns);
		m->spf = spf_start_mailfrom(m->arena, m->spf_dns, &m->s->ip,
		    m->s->helo ? m->s->helo : "", m->sender, &o, msg_qid_or_null(m));
		dns_set_unlock(m->spf_dns);
	}
}

static void
msg_note_ar(struct msg *m, const char *value)
{
	m->ar_seen++;
	if (!authres_claims_id(value, strlen(value), m->cfg->authserv_id))
		return;
	if (m->ndelete == MSG_MAX_AR_DELETE) {
		m->ar_delete_overflow = 1;
		return;
	}
	if (m->ndelete == m->delete_cap) {
		size_t cap = m->delete_cap ? m->delete_cap * 2 : 8;
		unsigned *v = arena_alloc(m->arena, cap * sizeof(*v));

		if (m->ndelete)
			memcpy(v, m->ar_delete, m->ndelete * sizeof(*v));
		m->ar_delete = v;
		m->delete_cap = cap;
	}
	m->ar_delete[m->ndelete++] = m->ar_seen;
	log_notice(msg_qid_or_null(m), "removing Authentication-Results #%u: it claims our authserv-id %s",
	    m->ar_seen, m->cfg->authserv_id);
}

void
msg_header(struct msg *m, const char *name, const char *value)
{
	const char *raw = name;
	size_t nlen, vlen;

	if (value == NULL)
		value = "";
	/*
	 * "From :" is still From (RFC 5322 4.5.2, obs-optional); our own
	 * comparisons use the name without the white space, DKIM gets it raw.
	 */
	nlen = strlen(name);
	while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
		nlen--;
	if (name[nlen] != '\0')
		name = arena_strndup(m->arena, name, nlen);
	vlen = strlen(value);
	/* Forged results are removed, and every From counts, however many headers came before. */
	if (strcasecmp(name, AR_FIELD) == 0)
		msg_note_ar(m, value);
	if (strcasecmp(name, "From") == 0)
		msg_note_from(m, value, vlen);
	if (m->subject == NULL && strcasecmp(name, "Subject") == 0)
		m->subject = arena_strndup(m->arena, value, vlen < 256 ? vlen : 256);
	if (m->content_type == NULL && strcasecmp(name, "Content-Type") == 0)
		m->content_type = arena_strndup(m->arena, value, vlen < 512 ? vlen : 512);
	if (m->cfg->mailing_lists.n > 0 && strcasecmp(name, "List-Id") == 0 &&
	    m->nlist_id++ == 0)
		m->list_id = arena_strndup(m->arena, value, vlen < 512 ? vlen : 512);
	if (m->cfg->failure_reports && m->skip_why == NULL && m->s->rt->writer != NULL)
		msg_failure_header(m, name, value, vlen);
	if (m->oversize)
		return;
	if (m->nheaders + 1 > m->cfg->max_headers ||
	    m->header_bytes + nlen + vlen > m->cfg->max_header_bytes) {
		m->oversize = 1;
		log_warn(msg_qid_or_null(m), "header limits reached (max_headers=%u, max_header_bytes=%u): "
		    "later headers are not examined", m->cfg->max_headers, m->cfg->max_header_bytes);
		return;
	}
	if (m->dkim != NULL) {
		/* A DKIM-Signature's key query goes out inside this call. */
		dns_set_lock(m->dns);
		dkimv_header(m->dkim, raw, value);
		if (m->arc != NULL)
			arc_header(m->arc, raw, value);
		dns_set_unlock(m->dns);
	}
	m->nheaders++;
	m->header_bytes += nlen + vlen;
}

void
msg_eoh(struct msg *m)
{
	if (m->dkim != NULL && !m->oversize)
		dkimv_eoh(m->dkim);
	if (m->arc != NULL && !m->oversize)
		arc_eoh(m->arc);
	if (m->skip_why == NULL && !m->dmarc_started)
		msg_start_dmarc(m);
}

void
msg_body(struct msg *m, const unsigned char *data, size_t len)
{
	if (m->dkim != NULL && !m->oversize)
		dkimv_body(m->dkim, data, len);
	if (m->arc != NULL && !m->oversize)
		arc_body(m->arc, data, len);
}

static void
msg_set_reply(struct msg *m, enum msg_action act, const char *rcode, const char *xcode,
    const char *text)
{
	m->out.action = act;
	m->out.rcode = rcode;
	m->out.xcode = xcode;
	m->out.text = text;
}

const char *
msg_action_name(enum msg_action a)
{
	switch (a) {
	case MSG_ACCEPT: return "accept";
	case MSG_REJECT: return "reject";
	case MSG_TEMPFAIL: return "tempfail";
	case MSG_QUARANTINE: return "quarantine";
	}
	return "accept";
}

/* Our ARC set over the message as it leaves us (RFC 8617 section 5.1). */
static void
msg_seal(struct msg *m)
{
	const struct config *cfg = m->cfg;
	struct arc_signer sg;
	struct arc_sealed out;
	const char *why = NULL;

	if (cfg->arc_sign_pkey == NULL || m->arc == NULL || m->out.ar_value == NULL)
		return;
	if (m->oversize) {
		log_info(msg_qid_or_null(m), "arc: not sealed: header limits exceeded");
		return;
	}
	msg_arc_finish(m);
	sg.domain = cfg->arc_sign_domain;
	sg.selector = cfg->arc_sign_selector;
	sg.key = cfg->arc_sign_pkey;
	sg.headers = (const char *const *)cfg->arc_sign_headers.v;
	sg.nheaders = cfg->arc_sign_headers.n;
	if (arc_seal(m->arc, &m->arc_res, &sg, m->out.ar_value, (long long)time(NULL), &out,
	    &why) != 0) {
		log_info(msg_qid_or_null(m), "arc: not sealed: %s", why);
		return;
	}
	m->out.arc.aar = out.aar;
	m->out.arc.ams = out.ams;
	m->out.arc.as = out.as;
}

/*
 * One log line per message: every result with every property and comment
 * of our Authentication-Results header, in header order, then the
 * session.  A sender chooses most of the values (MAIL FROM, HELO, From,
 * DKIM d= and s=), so the line has a syntax of its own that no value can
 * step out of, in printable ASCII without a backslash so that the log
 * layer never needs to escape it (compauthd(8), LOGGING):
 *
 *   line    = *((result / "omitted=" N) ", ") session
 *   result  = method "=" word [" " comment] [" reason=" value]
 *             *(" " [ptype "."] name "=" value [" " comment])
 *   session = "from=" value " helo=" value " client=" value
 *             [" not_checked=" value] " action=" word [" removed_forged_ar=" N]
 *   value   = bare / quoted ["..."]
 *   bare    = 1*(any of 0x21-0x7e but '"' '%' '(' ')' ',' ';' '=' '\')
 *   quoted  = '"' *(byte or %XX) '"'     ; '"' '%' '(' ')' ',' ';' '=' '\',
 *   comment = "(" *(byte or %XX) ")"     ; controls, DEL and 8-bit: %XX
 *
 * So every '=' of the line ends a real key, every ',' ends a result,
 * and a value reads back exactly (percent-decoding).  A value or comment
 * longer than SUM_VALUE_MAX bytes is cut there and written quoted with
 * "..." after its closing quote or parenthesis.  The line stays within
 * SUM_MAX bytes: DKIM results (one per signature, as many as a sender
 * likes) that do not fit are left out and counted in omitted=, where they
 * would stand; every other result and the session always stay.
 */
#define SUM_MAX		4000    /* log_msg keeps 4095 bytes of text */
#define SUM_VALUE_MAX	256

/*
 * Built in strbufs (grow.h) whose failures go unchecked: out of memory, a
 * piece is left out of a line that is only logged.
 */

static int
sum_special(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || strchr("\"%(),;=\\", c) != NULL;
}

/* A value (bare when it can be, quoted otherwise) or, with open '(', a comment. */
static void
sum_value(struct strbuf *b, const char *v, char open)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(v), i, cut = n > SUM_VALUE_MAX;
	int bare = open == '"' && n > 0 && !cut;
	char e[3];

	if (cut)
		n = SUM_VALUE_MAX;
	for (i = 0; bare && i < n; i++)
		if (v[i] == ' ' || sum_special((unsigned char)v[i]))
			bare = 0;
	if (bare) {
		strbuf_add(b, v, n);
		return;
	}
	strbuf_add(b, &open, 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (sum_special(c)) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			strbuf_add(b, e, 3);
		} else
			strbuf_add(b, v + i, 1);
	}
	strbuf_puts(b, open == '(' ? ")" : "\"");
	if (cut)
		strbuf_puts(b, "...");
}

/* " key=value" */
static void
sum_field(struct strbuf *b, const char *key, const char *v)
{
	strbuf_puts(b, " ");
	strbuf_puts(b, key);
	strbuf_puts(b, "=");
	sum_value(b, v, '"');
}

static void
sum_comment(struct strbuf *b, const char *c)
{
	if (c == NULL)
		return;
	strbuf_puts(b, " ");
	sum_value(b, c, '(');
}

static void
sum_result(struct strbuf *b, const struct ar_result *r)
{
	size_t i;

	sum_value(b, r->method, '"');
	strbuf_puts(b, "=");
	sum_value(b, r->result, '"');
	sum_comment(b, r->comment);
	if (r->reason != NULL)
		sum_field(b, "reason", r->reason);
	for (i = 0; i < r->nprops && r->props != NULL; i++) {
		const struct ar_prop *p = &r->props[i];

		strbuf_puts(b, " ");
		if (p->ptype != NULL && *p->ptype != '\0') {
			strbuf_puts(b, p->ptype);
			strbuf_puts(b, ".");
		}
		strbuf_puts(b, p->name);
		strbuf_puts(b, "=");
		sum_value(b, p->value ? p->value : "", '"');
		sum_comment(b, p->comment);
	}
}

static const char *
msg_summary(struct msg *m, const struct msg_results *mr)
{
	struct strbuf out = { 0 }, sess = { 0 }, *piece;
	size_t i, need, omitted = 0, dkim_room;
	const char *ret;
	char num[32];
	int cut = 0;

	sum_field(&sess, "from", arena_printf(m->arena, "<%s>", m->sender ? m->sender : ""));
	sum_field(&sess, "helo", m->s->helo ? m->s->helo : "");
	sum_field(&sess, "client", m->s->hostname);
	if (m->skip_why != NULL)
		sum_field(&sess, "not_checked", m->skip_why);
	sum_field(&sess, "action", msg_action_name(m->out.action));
	if (m->ndelete) {
		snprintf(num, sizeof(num), "%zu", m->ndelete);
		sum_field(&sess, "removed_forged_ar", num);
	}
	/*
	 * Every result but DKIM's always stays (one each, the verdict among
	 * them); the DKIM results, one per signature and as many as the
	 * sender likes, fill the room left, in order, and those that do not
	 * fit are counted in omitted=.
	 */
	piece = arena_alloc(m->arena, (mr->n + 1) * sizeof(*piece));
	need = sess.len + 16;           /* ", omitted=NN" */
	for (i = 0; i < mr->n; i++) {
		memset(&piece[i], 0, sizeof(piece[i]));
		sum_result(&piece[i], &mr->r[i]);
		if (strcmp(mr->r[i].method, "dkim") != 0)
			need += piece[i].len + 2;
	}
	dkim_room = need < SUM_MAX ? SUM_MAX - need : 0;
	for (i = 0; i < mr->n; i++) {
		if (strcmp(mr->r[i].method, "dkim") == 0) {
			if (cut || piece[i].len + 2 > dkim_room) {
				cut = 1;
				omitted++;
				/* Where the left-out signatures would stand. */
				if (i + 1 == mr->n || strcmp(mr->r[i + 1].method, "dkim") != 0) {
					snprintf(num, sizeof(num), "omitted=%zu, ", omitted);
					strbuf_puts(&out, num);
				}
				continue;
			}
			dkim_room -= piece[i].len + 2;
		}
		if (piece[i].p != NULL)
			strbuf_add(&out, piece[i].p, piece[i].len);
		strbuf_puts(&out, ", ");
	}
	/* sess starts with the space before its first field. */
	if (sess.len)
		strbuf_add(&out, sess.p + 1, sess.len - 1);
	ret = arena_strdup(m->arena, out.p == NULL ? "" : out.p);
	for (i = 0; i < mr->n; i++)
		free(piece[i].p);
	free(out.p);
	free(sess.p);
	return ret;
}

const struct msg_outcome *
msg_eom(struct msg *m)
{
	const struct config *cfg = m->cfg;
	struct msg_results mr;
	uint64_t deadline;
	unsigned *desc;
	size_t i;
	struct dmarc_result dr;
	struct arc_vouch vouch;
	struct verdict v;
	bool vouched = false;
	uint64_t t_eom = metrics_enabled() ? metrics_now_us() : 0;
	int64_t waited = -1;

	msg_results_init(m, &mr);
	memset(&m->out, 0, sizeof(m->out));
	m->out.action = MSG_ACCEPT;

	if (m->skip_why == NULL) {
		deadline = dns_now_ms() + cfg->message_dns_deadline_ms;
		/*
		 * Keys first: their queries left with the headers, before most
		 * of SPF's and DMARC's, so the signature mathematics runs while
		 * those answers are still out instead of after the last one.
		 */
		dns_set_wait(m->dns, deadline);
		dns_set_cancel(m->dns);
		msg_dkim_finish(m);
		msg_arc_finish(m);
		dns_set_wait(m->s->dns, deadline);
		dns_set_wait(m->spf_dns, deadline);
		if (m->dmarc_dns != NULL)
			dns_set_wait(m->dmarc_dns, deadline);
		/*
		 * Whatever has not arrived now never counts. Cancelled sets take
		 * no callbacks, so what follows runs without a lock the resolver
		 * thread could wait for while it has other messages' answers to
		 * deliver.
		 */
		dns_set_cancel(m->spf_dns);
		dns_set_cancel(m->dmarc_dns);
		m->dns_closed = 1;
		waited = t_eom ? (int64_t)(metrics_now_us() - t_eom) : -1;
		msg_add_spf(m, &mr);
		msg_add_iprev(m, &mr);
		msg_add_dkim(m, &mr);
		msg_dmarc_eval(m, &dr);
		vouched = msg_arc_vouch(m, &dr, &vouch);
		msg_add_dmarc(m, &mr, &dr);
		msg_add_arc(m, &mr);
		msg_add_compauth(m, &mr, &dr, vouched ? &vouch : NULL, &v);
		if (cfg->authres_style == AUTHRES_STYLE_CONSUMERS && mr.n > 1 &&
		    strcmp(mr.r[mr.n - 1].method, "compauth") == 0) {
			/*
			 * The verdict in a field of its own below the results: a
			 * reader that drops a field at a method it does not know
			 * (SpamAssassin's AuthRes) loses only compauth.
			 */
			m->out.ar_value = authres_format(m->arena, cfg->authserv_id, mr.r, mr.n - 1);
			m->out.ar_compauth = authres_format(m->arena, cfg->authserv_id,
			    &mr.r[mr.n - 1], 1);
		} else {
			m->out.ar_value = authres_format(m->arena, cfg->authserv_id, mr.r, mr.n);
		}
		msg_enforce(m, &dr, &v);
		/*
		 * Only a DNS failure that could have changed the verdict asks
		 * for a retry: DMARC's own (990), or one on an identity that
		 * could align with the author under a failing verdict. A PTR
		 * timeout never does, or a sender whose reverse DNS never
		 * answers would be deferred forever. A DMARC reject stands: a
		 * timeout in the sender's own zone must not turn a p=reject
		 * failure into a retry.
		 */
		if ((v.reason == 990 || (m->dns_could_decide && v.result == COMPAUTH_FAIL)) &&
		    cfg->on_dns_error == ON_DNS_ERROR_TEMPFAIL && m->out.action != MSG_REJECT)
			msg_set_reply(m, MSG_TEMPFAIL, "451", "4.7.0",
			    "Temporary DNS failure while authenticating the message, try again later");
	} else {
		/* Not checked: say so, in the same header, so nobody guesses. */
		struct ar_result *r = msg_result_slot(&mr, 0, NULL);

		r->method = "compauth";
		r->result = "none";
		r->reason = m->skip_reason;
		msg_result_commit(&mr);
		m->out.ar_value = authres_format(m->arena, cfg->authserv_id, mr.r, mr.n);
		msg_history_outbound(m);
	}
	if (m->oversize && cfg->on_oversize == ON_DNS_ERROR_TEMPFAIL)
		msg_set_reply(m, MSG_TEMPFAIL, "451", "4.7.0",
		    "Message header exceeds local limits, try again later");
	if (m->ar_delete_overflow)
		/* We could not remove every forged result: never pass one on. */
		msg_set_reply(m, MSG_TEMPFAIL, "451", "4.7.0",
		    "Too many Authentication-Results headers");

	desc = arena_alloc(m->arena, (m->ndelete + 1) * sizeof(*desc));
	for (i = 0; i < m->ndelete; i++)
		desc[i] = m->ar_delete[m->ndelete - 1 - i];
	m->out.ndelete = m->ndelete;
	m->out.delete_idx = desc;
	if (m->skip_why == NULL && (m->out.action == MSG_ACCEPT || m->out.action == MSG_QUARANTINE))
		msg_seal(m);
	if (m->skip_why == NULL)
		msg_report(m, &dr, &v, vouched ? &vouch : NULL);
	m->out.summary = msg_summary(m, &mr);
	if (t_eom)
		metrics_message(mr.r, mr.n, (int)m->out.action, m->ndelete, waited,
		    m->metrics_t0 ? metrics_now_us() - m->metrics_t0 : 0);
	return &m->out;
}

void
msg_free(struct msg **mp)
{
	struct msg *m;
	struct arena *a;

	if (mp == NULL || (m = *mp) == NULL)
		return;
	*mp = NULL;
	/* A check must see its set cancelled before it lets go of its memory. */
	dns_set_cancel(m->dns);
	dns_set_cancel(m->spf_dns);
	dns_set_cancel(m->dmarc_dns);
	m->dns_closed = 1;
	msg_spf_finish(m);
	dkimv_free(&m->dkim);
	arc_free(&m->arc);
	/* Ends discovery and frees its working memory (dmarc.h). */
	msg_dmarc_release(m);
	dns_set_free(&m->dns);
	dns_set_free(&m->spf_dns);
	dns_set_free(&m->dmarc_dns);
	a = m->arena;
	arena_free(&a);
	atomic_fetch_sub(&msg_live, 1);
}

unsigned
msg_in_flight(void)
{
	return atomic_load(&msg_live);
}
