/*
 * What import.c (reading, merging, output) and import_map.c (the settings
 * of OpenDKIM, OpenDMARC and OpenARC and what each becomes) share.
 */
#ifndef COMPAUTHD_IMPORT_INT_H
#define COMPAUTHD_IMPORT_INT_H

/* Bits: a setting may be known to several programs. */
enum imp_prog { IP_DKIM = 1, IP_DMARC = 2, IP_ARC = 4 };

enum imp_kind {
	IK_NOT,         /* a: why it is not carried */
	IK_BUILTIN,     /* a: how compauthd already behaves so */
	IK_BOOL,        /* a: outcome when true, b: when false (see below) */
	IK_STR,         /* the value as it is -> target */
	IK_LIST,        /* a comma-separated value -> list target, merged */
	IK_AUTHSERV,    /* "HOSTNAME" is our default, else -> authserv_id */
	IK_SOCKET,      /* libmilter spec, [brackets] dropped -> socket */
	IK_USER,        /* user[:group] -> user, group */
	IK_UMASK,       /* of the socket compauthd takes -> socket_mode */
	IK_FACILITY,    /* -> syslog_facility if compauthd has it */
	IK_SECONDS,     /* whole seconds -> duration target; a: outcome for 0 */
	IK_UINT,        /* number -> target; a: outcome for 0 */
	IK_HOSTS,       /* dataset of clients -> trusted_clients, merged */
	IK_DOMAINS,     /* a file of domains, one a line -> list target, merged */
	IK_ONDNS,       /* OpenDKIM On-DNSError -> on_dns_error */
	IK_ONACTION,    /* OpenDKIM On-*: accept is ours, the rest is not */
	IK_DKIM_MODE,   /* s: signing, not carried; v: ours */
	IK_ARC_MODE,    /* s: sealing (see IK_ARC_SIGN); v: ours */
	IK_ARC_SIGN,    /* OpenARC Domain, Selector, KeyFile -> arc_sign_* */
	IK_ARC_CANON,   /* OpenARC Canonicalization: ours is relaxed/relaxed */
	IK_ARC_ALG,     /* OpenARC SignatureAlgorithm: ours follows the key */
};

/*
 * Outcome strings of IK_BOOL (and a of IK_SECONDS, IK_UINT):
 * "=setting value" writes that setting (several joined by ';', a note
 * after '|'), "+text" is already compauthd's behaviour, "-text" is not
 * carried, with text saying why.
 */
struct imp_key {
	const char *name;
	unsigned progs;
	enum imp_kind kind;
	const char *target;
	const char *a, *b;
};

/* ---- the state of one --import run (import.c) ---- */

#include <stdbool.h>
#include <stddef.h>

#include "import.h"

struct arena;

#define IMP_LINE_MAX    4096    /* bytes of one line; longer ones are skipped */
#define IMP_SHOW_MAX    72      /* bytes of a value quoted in a comment */
#define IMP_SOURCES_MAX 8       /* origins listed above one setting */
#define IMP_NOTES_MAX   4
#define IMP_REPORTS_MAX 1000    /* findings listed; the rest are counted */
#define IMP_ENTRIES_MAX 4096    /* dataset entries read in one run */
#define IMP_SLOTS_MAX   32      /* distinct compauthd settings written */

/* Where a setting came from: "FILE:LINE Key value". */
struct imp_where {
	const char *file;
	unsigned line;
	const char *key;                /* as written */
	const char *shown;              /* the value, printable and bounded */
	size_t fidx;                    /* index into imp.files */
};

/* One compauthd setting to write: a value, or a merged list of items. */
struct imp_slot {
	const char *name;
	bool list;
	bool dropped;                   /* refused by our own parser: not written */
	const char *value;
	char **items;
	size_t n, cap;
	size_t fidx;                    /* the file the (first) value came from */
	const char *first;              /* "FILE:LINE" of the value kept */
	const char *src[IMP_SOURCES_MAX];
	size_t nsrc, moresrc;
	const char *note[IMP_NOTES_MAX];
	size_t nnote;
};

struct imp_report {
	bool builtin;                   /* already compauthd's behaviour, else not carried */
	const char *text;
};

struct imp_filestate {
	const char *name, *text;
	size_t len;
	unsigned prog;                  /* enum imp_prog, 0 = none recognised */
	const char *how;                /* "by its name", "by its settings" */
	const char *arc_mode;           /* OpenARC Mode, NULL when unset */
	const char *umask;              /* first UMask of the file */
	struct imp_where umask_at;
	bool ignore_hosts;              /* OpenDMARC: IgnoreHosts given */
};

struct imp {
	struct arena *a;
	const struct import_opts *o;
	struct imp_filestate *files;
	size_t nfiles;
	struct imp_slot slots[IMP_SLOTS_MAX];
	size_t nslots;
	struct imp_report reports[IMP_REPORTS_MAX];
	size_t nreports, nbuiltin, nnot;
	size_t entries;
};

/* import.c */
void imp_report(struct imp *im, const struct imp_where *w, bool builtin, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void imp_set(struct imp *im, const struct imp_where *w, const char *setting,
    const char *value, const char *note);
void imp_add_item(struct imp *im, const struct imp_where *w, const char *setting,
    const char *item, const char *note);
struct imp_slot *imp_slot_find(struct imp *im, const char *name);
/* NULL when "setting = value" parses as compauthd.conf, else why not. */
const char *imp_check(struct imp *im, const char *text);
const char *imp_show(struct imp *im, const char *v);

/* import_apply.c */
/*
 * A regular file of at most IMPORT_FILE_MAX bytes, whole (malloc'd,
 * NUL-terminated), or NULL with why ("cannot open: No such file...").
 */
char *imp_read_file(const char *path, size_t *len, char *why, size_t whylen);
void imp_apply(struct imp *im, const struct imp_where *w, const struct imp_key *k,
    const char *value);
/* After every file: UMask of the socket taken, OpenDMARC's default IgnoreHosts. */
void imp_finish(struct imp *im);

/* The row of name (any case) for program prog, or NULL. */
const struct imp_key *imp_lookup(const char *name, unsigned prog);
/* The programs that know name: a mask of enum imp_prog. */
unsigned imp_known(const char *name);
/* "OpenDKIM", "OpenDMARC", "OpenARC"; for 0 all three, as "unknown to" wants. */
const char *imp_prog_name(unsigned prog);

#endif
