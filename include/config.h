/*
 * Settings: one typed table in config.c (name, type, default, check, doc line)
 * from which parsing, `compauthd -n` and the man page's settings list derive.
 * A loaded config is an immutable, refcounted snapshot; SIGHUP swaps it.
 */
#ifndef COMPAUTHD_CONFIG_H
#define COMPAUTHD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include "netaddr.h"

enum on_dns_error { ON_DNS_ERROR_ACCEPT = 0, ON_DNS_ERROR_TEMPFAIL };
enum authres_style { AUTHRES_STYLE_CONSUMERS = 0, AUTHRES_STYLE_MICROSOFT };

struct str_list {
	size_t n;
	char **v;
};

struct cidr_list {
	size_t n;
	struct cidr *v;
};

struct config {
	char *path;                     /* file it came from, NULL for defaults */

	char *authserv_id;
	char *socket;                   /* unix:/path | inet:PORT@ADDR | inet6:PORT@ADDR */
	char *socket_owner;             /* "" = leave as created */
	char *socket_group;
	unsigned socket_mode;           /* octal in the file */
	char *user;                     /* "" = do not change */
	char *group;
	char *pidfile;                  /* "" = none */

	struct str_list dns_servers;    /* IP or IP:port / [IPv6]:port; empty = resolv.conf */
	unsigned dns_timeout_ms;
	unsigned message_dns_deadline_ms;
	unsigned dns_query_budget;      /* DKIM and ARC key queries one message may send */
	unsigned dns_cache_entries;
	unsigned dns_cache_size;        /* bytes */
	char *zone_file;                /* "" = real DNS */
	unsigned zone_delay_ms;         /* zone backend: simulated round trip */

	struct cidr_list trusted_clients;
	unsigned max_headers;
	unsigned max_header_bytes;
	unsigned shutdown_timeout_ms;
	int on_oversize;                /* enum on_dns_error values: accept | tempfail */

	int log_level;                  /* enum log_level */
	int log_format;                 /* enum log_format */
	int syslog_facility;            /* enum log_facility (log.h) */
	char *metrics_listen;           /* "" = no metrics listener (metrics.h) */
	int on_dns_error;               /* enum on_dns_error */
	int spf_received_header;        /* 0 no, 1 yes */
	int authres_style;              /* 0 consumers, 1 microsoft */
	int authres_polrec;             /* 0 no, 1 yes */
	unsigned max_dkim_signatures;
	unsigned min_rsa_bits;
	int dkim_strict_l;              /* 0 no, 1 yes */
	unsigned dkim_clock_skew_ms;    /* t=/x= allowance; used in whole seconds */
	int dmarc_mode;                 /* enum dmarc_mode */
	int dmarc_enforce;              /* 0 off, 1 quarantine, 2 on */
	char *dmarc_reject_reply;       /* "550 5.7.1 text", %d = author domain */
	int reject_bad_from;            /* 0 no, 1 yes */
	struct str_list local_domains;
	struct str_list allow_from;
	struct str_list dmarc_override; /* "domain=none|quarantine|reject" */
	struct str_list mailing_lists;  /* list domains that may relay DMARC failures */
	struct str_list arc_trusted_sealers;
	char *arc_sign_domain;          /* "" = no sealing */
	char *arc_sign_selector;
	char *arc_sign_key;             /* PEM file */
	struct str_list arc_sign_headers;
	char *report_store;             /* "" = no store */
	unsigned report_queue;
	unsigned report_retention;      /* days; 0 = keep */
	int failure_reports;            /* 0 no, 1 yes (RFC 9991 samples) */
	int history;                    /* 0 no, 1 yes: implicit authentication (history.h) */
	unsigned history_threshold;
	unsigned history_retention;     /* days */
	unsigned history_max_domains;
	struct evp_pkey_st *arc_sign_pkey;  /* loaded from arc_sign_key; NULL = no sealing */
};

/* Built-in defaults (authserv_id = this host's name). Never NULL. */
struct config *config_defaults(void);
/*
 * Loads and validates FILE. On error returns NULL and writes
 * "FILE:LINE: message" into err.
 */
struct config *config_load(const char *path, char *err, size_t errlen);
/* Same, from a string (tests, fuzzing); name is used in messages. */
struct config *config_parse(const char *name, const char *text, size_t len,
    char *err, size_t errlen);
void config_free(struct config **cp);

/* `compauthd -n`: every setting, "name = value", in table order. */
void config_dump(const struct config *c, FILE *out);
/*
 * `compauthd -n` beyond the file: user, group, socket_owner and
 * socket_group name accounts that exist (a number is taken as an id).
 * false with "user NAME: no such user" (the daemon's words) in err.
 */
bool config_check_accounts(const struct config *c, char *err, size_t errlen);
/* true with why in buf when authserv_id is not fully qualified (no dot). */
bool config_authserv_id_warning(const struct config *c, char *buf, size_t len);
/* The man page's settings list (mdoc .It entries), from the table. */
void config_man(FILE *out);

/* Process-wide current snapshot: readers take a reference for a message. */
void config_install(struct config *c);      /* takes ownership */
struct config *config_acquire(void);        /* never NULL once installed */
void config_release(struct config **cp);

/*
 * Writes a setting's value as compauthd -n does: bare unless it holds
 * blanks, '#', '"' or '\\' (then quoted, '"' and '\\' escaped), so that it
 * reads back the same.
 */
void config_write_value(const char *v, FILE *out);

#endif
