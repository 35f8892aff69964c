/*
 * SPF internals shared by the evaluator (spf.c), the record parser
 * (spf_record.c), the macro expander (spf_macro.c), their unit tests and
 * fuzz targets. Pure code: nothing here touches DNS, so every rule of
 * RFC 7208 §4.6 (record syntax) and §7 (macros) is testable on its own.
 */
#ifndef COMPAUTHD_SPF_INT_H
#define COMPAUTHD_SPF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "netaddr.h"
#include "spf.h"

/* Longest record we parse; a longer one is a permerror (bounded work). */
#define SPF_RECORD_MAX 4096
/* Longest macro expansion (domain or explanation) before truncation rules. */
#define SPF_MACRO_MAX 2048
/* Longest explanation kept (RFC 7208 §6.2: it goes into an SMTP reply). */
#define SPF_EXP_MAX 512
/* RFC 1035 §2.3.4 */
#define SPF_NAME_MAX 253
#define SPF_LABEL_MAX 63

enum spf_mech {
	SPF_M_ALL,
	SPF_M_INCLUDE,
	SPF_M_A,
	SPF_M_MX,
	SPF_M_PTR,
	SPF_M_IP4,
	SPF_M_IP6,
	SPF_M_EXISTS,
};

struct spf_term {
	enum spf_mech mech;
	enum spf_res qual;              /* result when it matches */
	const char *domain_spec;        /* include/a/mx/ptr/exists; NULL: <domain> */
	unsigned cidr4, cidr6;          /* a, mx (defaults 32, 128); ip4 uses cidr4, ip6 cidr6 */
	struct netaddr net;             /* ip4, ip6 */
	const char *text;               /* the term as written, for logs */
};

/*
 * A parsed record. Every term is checked, but terms keeps only the
 * mechanisms an evaluation can reach: up to the first "all" or the 11th
 * DNS mechanism, whose count always exceeds §4.6.4's limit of 10.
 */
#define SPF_RECORD_KEEP_DNS 11
struct spf_record {
	struct spf_term *terms;
	size_t nterms;
	const char *redirect;           /* domain-spec, or NULL */
	const char *exp;                /* domain-spec, or NULL */
	unsigned ndns;                  /* terms that cost a DNS lookup (§4.6.4), all of them */
};

/* Is this TXT string an SPF record: "v=spf1" (any case) then SP or end (§4.5)? */
bool spf_record_is_spf(const char *txt, size_t len);
/*
 * Parses a whole record (§4.6, §5, §6, §12 ABNF); txt may hold NUL bytes.
 * 0 and *out, or -1 and *why (a syntax error: the caller's permerror).
 */
int spf_record_parse(struct arena *a, const char *txt, size_t len,
    struct spf_record **out, const char **why);
const char *spf_mech_name(enum spf_mech m);

/* What a macro-string may contain (§7.1). */
enum spf_macro_ctx {
	SPF_MACRO_DOMAIN,               /* domain-spec: no c, r, t; no spaces */
	SPF_MACRO_STRING,               /* unknown-modifier value: same letters */
	SPF_MACRO_EXP,                  /* explain-string: c, r, t and SP allowed */
};

/* The values macros expand to (§7.3); NULL p means "not computed yet". */
struct spf_macro_vars {
	const char *s;                  /* <sender> */
	const char *l;                  /* local-part of <sender> */
	const char *o;                  /* domain of <sender> */
	const char *d;                  /* <domain> of the current check_host() */
	const char *i;                  /* dotted address: v4 quad or v6 nibbles */
	const char *p;                  /* validated name of <ip>, or "unknown" */
	const char *v;                  /* "in-addr" or "ip6" */
	const char *h;                  /* HELO/EHLO domain */
	const char *c;                  /* printable address (exp only) */
	const char *r;                  /* receiver (exp only) */
	const char *t;                  /* current time, decimal seconds (exp only) */
};

/*
 * Work of macro expansion (RFC 7208 §4.6.4 bounds lookups, not work): every
 * byte of a macro value read and every byte written counts, so a long
 * local-part repeated in many terms costs at most max in all. A check has
 * one for its in-order evaluation; an expansion that would exceed it, or a
 * macro-string with more than SPF_MACRO_TERM_MAX macros, fails with the
 * reason "macro expansion limit ..." and sets limit.
 */
#define SPF_MACRO_WORK_MAX 65536
#define SPF_MACRO_TERM_MAX 64
#define SPF_MACRO_WORK_REASON \
	"macro expansion limit: more than 65536 bytes of expansion in one check"
#define SPF_MACRO_TERM_REASON "macro expansion limit: more than 64 macros in one term"
struct spf_macro_work {
	size_t used, max;
	bool limit;                     /* the last failure was a limit, not syntax */
};

/* Syntax only: true when s[0..len) is a valid string of that kind. */
bool spf_macro_check(const char *s, size_t len, enum spf_macro_ctx ctx, const char **why);
/* domain-spec = macro-string domain-end (§7.1): also the end rule, non-empty. */
bool spf_macro_check_domain_spec(const char *s, size_t len, const char **why);
/* Does the string use %{p} (which costs DNS lookups to expand)? */
bool spf_macro_uses_p(const char *s);
/*
 * Expands s (syntax as spf_macro_check) into a new string of a: at most
 * SPF_MACRO_MAX bytes, the head of an explanation or the tail of a domain.
 * NULL with *why on a syntax error, a missing value or a limit of work
 * (work NULL: only SPF_MACRO_TERM_MAX applies). Allocates only the result.
 */
char *spf_macro_expand(struct arena *a, const char *s, enum spf_macro_ctx ctx,
    const struct spf_macro_vars *v, struct spf_macro_work *work, const char **why);
/*
 * Expands a domain-spec into the name to query: macro expansion, then one
 * trailing dot dropped and, over 253 characters, labels removed from the
 * left (§7.3, last paragraphs).
 */
char *spf_macro_expand_domain(struct arena *a, const char *spec,
    const struct spf_macro_vars *v, struct spf_macro_work *work, const char **why);
/* A name we can put in a query: 1..253 chars, labels 1..63 (RFC 1035). */
bool spf_name_queryable(const char *name);
/* toplabel of the §7.1 ABNF. */
bool spf_toplabel_ok(const char *s, size_t len);

#endif
