/*
 * Seeds a report store through store_put() (the daemon's own write path)
 * from a text file, for tests/report/:
 *
 *	storeseed STORE FILE
 *
 * FILE holds messages separated by blank lines, one "name value" per line
 * (name = a struct store_msg field: received reporter qid source_ip
 * header_from envelope_from envelope_to policy_domain policy_p policy_sp
 * policy_np policy_pct policy_adkim policy_aspf policy_testing policy_fo
 * policy_psd rua ruf discovery_method dmarc_result dkim_aligned spf_aligned
 * disposition override_reason override_comment spf_domain spf_scope
 * spf_result compauth compauth_reason is_report failure_headers
 * failure_mail_from failure_auth_results history_only history_org
 * history_net history_ptr), plus "dkim DOMAIN SELECTOR RESULT [HUMAN...]"
 * and "rcpt_org DOMAIN" (both repeatable), "history pass|fail|outbound"
 * and "repeat N" (the message N times). received may be "T+SECONDS"
 * from the line "base SECONDS" at the top. Values take C escapes \xNN
 * \n \t \\ and "\s" for a space in a dkim word; "-" alone is NULL and
 * "\e" the empty string. Lines starting with '#' are comments. Missing
 * required fields get defaults.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_store.h"

#define MAXMSG 20000

static char *
unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	if (strcmp(s, "-") == 0) {
		free(out);
		return NULL;
	}
	if (strcmp(s, "\\e") == 0) {
		*out = '\0';
		return out;
	}
	while (*s) {
		if (*s == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 'n': *o++ = '\n'; s++; break;
			case 't': *o++ = '\t'; s++; break;
			case 'r': *o++ = '\r'; s++; break;
			case 's': *o++ = ' '; s++; break;
			case 'x': {
				char hex[3] = { s[1], s[2], 0 };
				*o++ = (char)strtol(hex, NULL, 16);
				s += 3;
				break;
			}
			default: *o++ = *s++;
			}
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static void
defaults(struct store_msg *m)
{
	memset(m, 0, sizeof *m);
	m->reporter = "mx.test.example";
	m->source_ip = "192.0.2.1";
	m->header_from = "example.com";
	m->policy_pct = -1;
	m->discovery_method = "treewalk";
	m->dmarc_result = "pass";
	m->disposition = "none";
}

int
main(int argc, char **argv)
{
	static struct store_msg msgs[MAXMSG];
	static const struct store_msg *ptrs[MAXMSG];
	size_t n = 0, lineno = 0;
	long long base = 0;
	int repeat = 1, open = 0;
	char line[8192], err[512];
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: storeseed STORE FILE\n");
		return 2;
	}
	f = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 2;
	}
	for (;;) {
		char *got = fgets(line, sizeof line, f);
		lineno++;
		if (got) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '#')
				continue;
		}
		if (!got || line[0] == '\0') {
			if (open) {
				for (int k = 1; k < repeat && n < MAXMSG; k++) {
					msgs[n] = msgs[n - 1];
					n++;
				}
				open = 0;
				repeat = 1;
			}
			if (!got)
				break;
			continue;
		}
		char *sp = strchr(line, ' ');
		char *name = line, *val = sp ? sp + 1 : (char *)"";
		if (sp)
			*sp = '\0';
		if (strcmp(name, "base") == 0) {
			base = atoll(val);
			continue;
		}
		if (!open) {
			if (n == MAXMSG) {
				fprintf(stderr, "too many messages\n");
				return 2;
			}
			defaults(&msgs[n++]);
			open = 1;
		}
		struct store_msg *m = &msgs[n - 1];
#define S(f) else if (strcmp(name, #f) == 0) m->f = unescape(val)
		if (strcmp(name, "received") == 0)
			m->received = val[0] == 'T' ? base + atoll(val + 1) : atoll(val);
		else if (strcmp(name, "repeat") == 0)
			repeat = atoi(val);
		else if (strcmp(name, "policy_pct") == 0)
			m->policy_pct = atoi(val);
		else if (strcmp(name, "dkim_aligned") == 0)
			m->dkim_aligned = atoi(val) != 0;
		else if (strcmp(name, "spf_aligned") == 0)
			m->spf_aligned = atoi(val) != 0;
		else if (strcmp(name, "is_report") == 0)
			m->is_report = atoi(val) != 0;
		else if (strcmp(name, "compauth_reason") == 0)
			m->compauth_reason = atoi(val);
		else if (strcmp(name, "history_only") == 0)
			m->history_only = atoi(val) != 0;
		else if (strcmp(name, "history") == 0 && strcmp(val, "pass") == 0)
			m->history = STORE_HIST_PASS;
		else if (strcmp(name, "history") == 0 && strcmp(val, "fail") == 0)
			m->history = STORE_HIST_FAIL;
		else if (strcmp(name, "history") == 0 && strcmp(val, "outbound") == 0)
			m->history = STORE_HIST_OUTBOUND;
		else if (strcmp(name, "rcpt_org") == 0 && m->nrcpt_orgs < STORE_RCPT_MAX)
			m->rcpt_orgs[m->nrcpt_orgs++] = unescape(val);
		S(reporter); S(qid); S(source_ip); S(header_from); S(envelope_from);
		S(envelope_to); S(policy_domain); S(policy_p); S(policy_sp); S(policy_np);
		S(policy_adkim); S(policy_aspf); S(policy_testing); S(policy_fo); S(policy_psd);
		S(rua); S(ruf); S(discovery_method); S(dmarc_result); S(disposition);
		S(override_reason); S(override_comment); S(spf_domain); S(spf_scope);
		S(spf_result); S(compauth); S(failure_headers); S(failure_mail_from);
		S(failure_auth_results); S(history_org); S(history_net); S(history_ptr);
		else if (strcmp(name, "dkim") == 0) {
			char *w[4] = { 0 }, *save = NULL;
			int k = 0;
			for (char *t = strtok_r(val, " ", &save); t && k < 4;
			    t = strtok_r(NULL, k == 3 ? "" : " ", &save))
				w[k++] = t;
			if (k < 3 || m->ndkim == STORE_DKIM_MAX) {
				fprintf(stderr, "%s:%zu: dkim DOMAIN SELECTOR RESULT [HUMAN]\n",
				    argv[2], lineno);
				return 2;
			}
			struct store_dkim *d = &m->dkim[m->ndkim++];
			d->domain = unescape(w[0]);
			d->selector = unescape(w[1]);
			d->result = unescape(w[2]);
			d->human_result = w[3] ? unescape(w[3]) : NULL;
		} else {
			fprintf(stderr, "%s:%zu: unknown field %s\n", argv[2], lineno, name);
			return 2;
		}
#undef S
	}
	struct store *s = store_open(argv[1], true, err, sizeof err);
	if (!s) {
		fprintf(stderr, "storeseed: %s: %s\n", argv[1], err);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &msgs[i];
	if (n && store_put(s, ptrs, n, err, sizeof err) < 0) {
		fprintf(stderr, "storeseed: store_put: %s\n", err);
		store_close(&s);
		return 1;
	}
	store_close(&s);
	printf("%zu messages\n", n);
	return 0;
}
