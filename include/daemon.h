/* Process plumbing: detaching, pidfile, privilege drop, systemd integration. */
#ifndef COMPAUTHD_DAEMON_H
#define COMPAUTHD_DAEMON_H

#include <stddef.h>

/*
 * Forks into the background. The parent stays until the child calls
 * daemon_ready() (exit 0) or exits (its status); returns in the child only.
 */
int daemon_detach(char *err, size_t errlen);
/* Tells a waiting parent (if any) that start-up succeeded or failed. */
void daemon_ready(int ok);

int daemon_pidfile_write(const char *path, char *err, size_t errlen);
void daemon_pidfile_remove(const char *path);

/*
 * Started as root with a user to become: creates the missing parent
 * directory of a unix socket spec, owned by user:group, mode 0750, so the
 * MTA in that group can reach the socket. An existing one is left alone.
 */
int daemon_socket_dir(const char *spec, const char *user, const char *group,
    char *err, size_t errlen);

/*
 * user "" = keep the current identity; group "" = the user's primary group.
 * Already running as user: nothing to do. As root: the unix socket
 * (milter_socket_path()) parts still owned by root go to user and group.
 */
int daemon_drop_privileges(const char *user, const char *group, char *err, size_t errlen);

/* sd_notify(3) without libsystemd: a datagram to $NOTIFY_SOCKET, if set. */
int daemon_notify(const char *state);
/* The systemd-activated listening socket (LISTEN_PID/LISTEN_FDS), or -1. */
int daemon_listen_fd(char *err, size_t errlen);

#endif
