/*
 * What the files of src/config/ share: config.c (the file, snapshots),
 * config_value.c and config_list.c (a value to its field), config_table.c
 * (the settings themselves), config_check.c and config_output.c. Private
 * to them.
 */
#ifndef COMPAUTHD_CONFIG_INT_H
#define COMPAUTHD_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define CONFIG_MAX_SETTINGS 128

enum config_type {
	CT_STRING,      /* any text; check narrows it */
	CT_HOSTNAME,    /* a domain name: labels of letters, digits, '-', '_' */
	CT_UINT,        /* decimal, min..max */
	CT_DURATION,    /* 500ms, 5s, 2m, 1h, bare number = seconds; stored in ms */
	CT_MODE,        /* octal, 0..max */
	CT_ENUM,        /* one of words; stored as the word's index */
	CT_STRLIST,     /* items separated by commas and/or white space */
	CT_CIDRLIST,    /* same, each item an address or CIDR block */
	CT_LOGLEVEL,    /* log_level_parse() */
	CT_SOCKET,      /* libmilter socket spec */
};

/* Returns NULL when v is acceptable, else what was expected instead. */
typedef const char *(*config_check_fn)(const char *v);

struct config_entry {
	const char *name;
	enum config_type type;
	const char *arg;                /* man page placeholder; NULL = from the type */
	const char *def;                /* default as file text; NULL = computed */
	const char *def_doc;            /* man page wording of a computed default */
	unsigned long min, max;         /* numbers (durations in ms); lists: max items */
	const char *const *words;       /* CT_ENUM: allowed words, index = value */
	config_check_fn check;          /* strings and list items */
	const char *doc;
	size_t offset;
};

/* The field of c that setting e fills. */
#define FIELD(c, e, type) ((type *)(void *)((char *)(c) + (e)->offset))

extern const struct config_entry config_table[];
extern const size_t config_nsettings;

bool config_is_hostname(const char *s);
/* A number or duration of setting e as the file would spell it. */
struct arena;

/* A setting's value as `compauthd -n` writes it (unquoted), from arena a. */
char *config_value_text(const struct config *c, const struct config_entry *e,
    struct arena *a);
void config_format_number(const struct config_entry *e, unsigned long v, char *buf, size_t len);
bool config_parse_ulong(const char *s, size_t len, unsigned long max, unsigned long *out);
/*
 * Stores value v into e's field of c (config_value.c); a list setting's
 * through config_set_list (config_list.c). false with the reason in why.
 */
bool config_set(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen);
bool config_set_list(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen);
#define CONFIG_SHOW_MAX   64            /* bytes of a bad value quoted in an error */
/* v as an error may quote it: at most CONFIG_SHOW_MAX bytes, printable. */
void config_show(const char *v, char *buf, size_t len);
/* libmilter's socket forms; returns NULL or what was expected. */
const char *config_check_socket(const char *v);
/*
 * After a whole file: checks across settings and files they name (the
 * ARC key is loaded here). false with a message in why and, in *setting,
 * the setting whose line the error is reported at.
 */
bool config_finish(struct config *c, const char **setting, char *why, size_t whylen);
/* Releases what config_finish loaded. */
void config_finish_free(struct config *c);

/*
 * A list setting as the file spelled it: runs of inline items and list
 * files (file:/path), in order, so that `compauthd -n` writes the file's
 * name back rather than its contents. n is how many of the list's items
 * the run holds.
 */
struct config_list_seg {
	const char *file;               /* NULL: n items written inline */
	size_t n;
};
struct config_list_src {
	size_t nseg;                    /* 0: every item inline (no file:) */
	const struct config_list_seg *seg;
};
/* Where the items of list setting e of c came from. Never NULL. */
const struct config_list_src *config_list_source(const struct config *c,
    const struct config_entry *e);
/* Records that spelling: nseg 0 (seg NULL) when every item was inline. */
void config_list_source_set(struct config *c, const struct config_entry *e,
    size_t nseg, const struct config_list_seg *seg);

#endif
