/*
 * Process plumbing. Kept apart from main.c so each piece is small and the
 * order of start-up (bind as root, detach, pidfile, drop, threads) reads in
 * one place there.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

static int ready_fd = -1;

int
daemon_detach(char *err, size_t errlen)
{
	int p[2], null;
	pid_t pid;
	char c;

	if (pipe(p) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		int st;

		close(p[1]);
		/* Start-up errors then reach the shell that started us. */
		if (read(p[0], &c, 1) == 1)
			_exit(c == 0 ? 0 : 1);
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
			_exit(WEXITSTATUS(st) ? WEXITSTATUS(st) : 1);
		_exit(1);
	}
	close(p[0]);
	ready_fd = p[1];
	setsid();
	if (chdir("/") != 0)
		return -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	return 0;
}

void
daemon_ready(int ok)
{
	char c = ok ? 0 : 1;

	if (ready_fd < 0)
		return;
	if (write(ready_fd, &c, 1) != 1) {
		/* The parent is gone; nothing to tell. */
	}
	close(ready_fd);
	ready_fd = -1;
}

int
daemon_pidfile_write(const char *path, char *err, size_t errlen)
{
	char buf[32];
	int fd, n;

	if (path == NULL || *path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void
daemon_pidfile_remove(const char *path)
{
	if (path != NULL && *path != '\0')
		unlink(path);
}

int
daemon_drop_privileges(const char *user, const char *group, char *err, size_t errlen)
{
	struct passwd *pw;
	gid_t gid;

	if (user == NULL || *user == '\0')
		return 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "user %s: no such user", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (group != NULL && *group != '\0') {
		struct group *gr = getgrnam(group);

		if (gr == NULL) {
			snprintf(err, errlen, "group %s: no such group", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return 0;
		snprintf(err, errlen, "must start as root to run as user %s", user);
		return -1;
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	/* Make sure the change is permanent before we touch any mail. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "privileges could be regained after dropping them");
		return -1;
	}
	return 0;
}

int
daemon_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	size_t plen;
	int fd, rc;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';         /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0 ? -1 : 0;
	close(fd);
	return rc;
}

int
daemon_listen_fd(char *err, size_t errlen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int fd = 3;

	if (pid == NULL || fds == NULL)
		return -1;
	if (strtol(pid, NULL, 10) != (long)getpid())
		return -1;
	if (strcmp(fds, "1") != 0) {
		snprintf(err, errlen, "socket activation: expected exactly one socket, got LISTEN_FDS=%.16s", fds);
		return -2;
	}
	/* Not for our children (none today, but a hook script would inherit them). */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		snprintf(err, errlen, "socket activation: fd 3: %s", strerror(errno));
		return -2;
	}
	return fd;
}
