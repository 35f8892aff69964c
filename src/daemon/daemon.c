/*
 * Process plumbing. Kept apart from main.c so each piece is small and the
 * order of start-up (bind as root, detach, pidfile, drop, threads) reads in
 * one place there.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account.h"
#include "daemon.h"
#include "log.h"
#include "milter.h"

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
	/*
	 * A stale file of an earlier run (as root, or as the old user) may not
	 * be ours to truncate, but in our runtime directory it is ours to
	 * replace.
	 */
	if (unlink(path) != 0 && errno != ENOENT && errno != EACCES && errno != EPERM) {
		snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
		return -1;
	}
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
	if (path == NULL || *path == '\0' || unlink(path) == 0 || errno == ENOENT)
		return;
	/*
	 * After the privilege drop a root-owned directory keeps it; harmless,
	 * the next start replaces it, so no error for the postmaster to chase.
	 */
	log_info(NULL, "pidfile %s stays (%s); the next start replaces it", path, strerror(errno));
}

/* Parent directory of a unix: or local: socket spec into dir; 0 if none. */
static int
daemon_socket_parent(const char *spec, char *dir, size_t dirlen)
{
	const char *path = spec, *slash;

	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	else if (strncmp(spec, "local:", 6) == 0)
		path = spec + 6;
	if (path[0] != '/' || (slash = strrchr(path, '/')) == path ||
	    (size_t)(slash - path) >= dirlen)
		return 0;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return 1;
}

static int
daemon_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid,
    char *err, size_t errlen)
{
	bool has_gid;

	if (account_user(user, uid, gid, &has_gid) != 0) {
		snprintf(err, errlen, "user %s: no such user", user);
		return -1;
	}
	if (group != NULL && *group != '\0') {
		if (account_group(group, gid) != 0) {
			snprintf(err, errlen, "group %s: no such group", group);
			return -1;
		}
	} else if (!has_gid) {
		snprintf(err, errlen, "user %s: no passwd entry, so no primary group: "
		    "set group", user);
		return -1;
	}
	return 0;
}

int
daemon_socket_dir(const char *spec, const char *user, const char *group,
    char *err, size_t errlen)
{
	char dir[PATH_MAX];
	uid_t uid;
	gid_t gid;

	/* Only root can hand a new directory to the user it becomes. */
	if (geteuid() != 0 || user == NULL || *user == '\0' ||
	    !daemon_socket_parent(spec, dir, sizeof(dir)))
		return 0;
	if (daemon_lookup(user, group, &uid, &gid, err, errlen) != 0)
		return -1;
	/*
	 * An existing directory is the postmaster's: never re-owned here. Any
	 * other failure is left to the bind, which names the socket.
	 */
	if (mkdir(dir, 0700) != 0)
		return 0;
	if (chown(dir, uid, gid) != 0 || chmod(dir, 0750) != 0) {
		snprintf(err, errlen, "socket directory %s: %s", dir, strerror(errno));
		rmdir(dir);
		return -1;
	}
	return 0;
}

/*
 * socket_owner/socket_group left empty leave the socket as root made it;
 * it then goes to the user and group we become, so that the group's
 * members (the MTA) can connect and we can remove it at exit.
 */
static int
daemon_give_socket(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	const char *path = milter_socket_path();
	struct stat st;

	if (path == NULL || lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return 0;
	if (st.st_uid != geteuid())
		uid = (uid_t)-1;
	if (st.st_gid != getegid())
		gid = (gid_t)-1;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && lchown(path, uid, gid) != 0) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
daemon_drop_privileges(const char *user, const char *group, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (user == NULL || *user == '\0')
		return 0;
	if (daemon_lookup(user, group, &uid, &gid, err, errlen) != 0)
		return -1;
	if (geteuid() != 0) {
		/*
		 * Started as that user already (systemd's User=): nothing to
		 * drop, and without CAP_SETGID setgroups() would only fail.
		 */
		if (geteuid() == uid)
			return 0;
		snprintf(err, errlen, "must start as root to run as user %s", user);
		return -1;
	}
	if (uid != 0 && daemon_give_socket(uid, gid, err, errlen) != 0)
		return -1;
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	/* Make sure the change is permanent before we touch any mail. */
	if (uid != 0 && setuid(0) == 0) {
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
