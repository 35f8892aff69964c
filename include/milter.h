/* The MTA side: the only module that talks to libmilter. */
#ifndef COMPAUTHD_MILTER_H
#define COMPAUTHD_MILTER_H

#include <stddef.h>
#include "config.h"

/*
 * Registers the filter and opens the listening socket (as root, before the
 * privilege drop): cfg->socket, or inherited_fd >= 0 from systemd socket
 * activation. A unix socket gets socket_owner/group/mode.
 */
int milter_open(const struct config *cfg, int inherited_fd, char *err, size_t errlen);
/* Runs libmilter's accept loop; returns only if libmilter stops by itself. */
int milter_run(void);
/* No new connections; the open ones are still served (bounded drain). */
void milter_stop_accepting(void);
/* The unix socket path we created (to remove at exit), or NULL. */
const char *milter_socket_path(void);

#endif
