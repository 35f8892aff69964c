/*
 * What a connection needs from the process: the settings snapshot and the
 * resolver built from it. A reload makes a new runtime and swaps it in;
 * connections keep the one they started with until they close.
 */
#ifndef COMPAUTHD_RUNTIME_H
#define COMPAUTHD_RUNTIME_H

#include <stdatomic.h>

#include "config.h"
#include "report_store.h"
#include "resolver.h"

struct runtime {
	struct config *cfg;
	struct resolver *res;
	struct store_writer *writer;    /* the report store's; NULL: no store */
	struct history *history;        /* compauthd -t: history read from the store
	                                   (never written); else NULL */
	atomic_int refs;
};

/*
 * Builds a runtime for cfg (taking ownership of it). A resolver is reused
 * from prev when the DNS settings did not change, else a new one starts.
 * NULL with err set on failure (cfg is then freed).
 */
struct runtime *runtime_new(struct config *cfg, struct runtime *prev, char *err, size_t errlen);
void runtime_install(struct runtime *rt);          /* takes ownership */
struct runtime *runtime_acquire(void);             /* NULL before the first install */
void runtime_release(struct runtime **rtp);
/*
 * The daemon (only) has runtime_new() start the report writer of
 * report_store; test mode and the unit tests store nothing.
 */
void runtime_enable_reports(void);
/*
 * Exit path, after the messages in progress are done: writes what the
 * report writer still holds (bounded by timeout_ms) and stops it.
 */
void runtime_store_shutdown(unsigned timeout_ms);
/* Releases the installed runtime (exit path). */
void runtime_shutdown(void);

#endif
