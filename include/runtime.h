/*
 * What a connection needs from the process: the settings snapshot and the
 * resolver built from it. A reload makes a new runtime and swaps it in;
 * connections keep the one they started with until they close.
 */
#ifndef COMPAUTHD_RUNTIME_H
#define COMPAUTHD_RUNTIME_H

#include <stdatomic.h>

#include "config.h"
#include "resolver.h"

struct runtime {
	struct config *cfg;
	struct resolver *res;
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
/* Releases the installed runtime (exit path). */
void runtime_shutdown(void);

#endif
