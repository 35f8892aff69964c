/*
 * libmilter glue, and the only file that calls smfi_*. Each callback hands
 * its input to the message pipeline (msg.c) and turns the pipeline's
 * outcome into milter actions; no check logic lives here.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "authres.h"
#include "log.h"
#include "milter.h"
#include "msg.h"
#include "netaddr.h"
#include "runtime.h"

/* Steps we answer without a reply when the MTA allows it: fewer round trips. */
#define MILTER_NR_WANTED (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
/* Steps we never need. */
#define MILTER_SKIP_WANTED (SMFIP_NORCPT | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NOBODY)

struct milter_conn {
	unsigned long pflags;           /* negotiated protocol flags */
	struct session *session;
	struct msg *msg;
};

static char milter_sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static struct milter_conn *
milter_conn(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return NULL;
		smfi_setpriv(ctx, c);
	}
	return c;
}

static sfsistat
milter_noreply(const struct milter_conn *c, unsigned long bit)
{
	return (c != NULL && (c->pflags & bit)) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	struct milter_conn *c = milter_conn(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST);
	*pf1 = f1 & (SMFIP_HDR_LEADSPC | MILTER_NR_WANTED | MILTER_SKIP_WANTED);
	*pf2 = 0;
	*pf3 = 0;
	c->pflags = *pf1;
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) != (SMFIF_ADDHDRS | SMFIF_CHGHDRS))
		log_warn(NULL, "MTA does not allow adding and changing headers: results cannot be stamped");
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "{i} {auth_authen}");
		smfi_setsymlist(ctx, SMFIM_EOM, "{i}");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
milter_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct milter_conn *c = milter_conn(ctx);
	struct runtime *rt;
	struct netaddr ip;
	int have_ip;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	rt = runtime_acquire();
	if (rt == NULL)
		return SMFIS_TEMPFAIL;
	have_ip = netaddr_from_sockaddr(sa, &ip);
	session_free(&c->session);
	c->session = session_new(rt, hostname, have_ip ? &ip : NULL);
	return milter_noreply(c, SMFIP_NR_CONN);
}

static sfsistat
milter_helo(SMFICTX *ctx, char *helo)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->session == NULL)
		return SMFIS_CONTINUE;
	session_helo(c->session, helo);
	return milter_noreply(c, SMFIP_NR_HELO);
}

static sfsistat
milter_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->session == NULL)
		return SMFIS_TEMPFAIL;
	msg_free(&c->msg);
	c->msg = msg_new(c->session);
	msg_set_qid(c->msg, smfi_getsymval(ctx, "i"));
	msg_envfrom(c->msg, argv && argv[0] ? argv[0] : "", smfi_getsymval(ctx, "{auth_authen}"));
	return SMFIS_CONTINUE;
}

static sfsistat
milter_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->msg == NULL)
		return milter_noreply(c, SMFIP_NR_HDR);
	msg_set_qid(c->msg, smfi_getsymval(ctx, "i"));
	if (c->pflags & SMFIP_HDR_LEADSPC) {
		msg_header(c->msg, name, value ? value : "");
	} else {
		/* The pipeline sees values as sent, with their leading space. */
		char *v = malloc(strlen(value ? value : "") + 2);

		if (v == NULL)
			return SMFIS_TEMPFAIL;
		v[0] = ' ';
		strcpy(v + 1, value ? value : "");
		msg_header(c->msg, name, v);
		free(v);
	}
	return milter_noreply(c, SMFIP_NR_HDR);
}

static sfsistat
milter_eoh(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		msg_eoh(c->msg);
	return milter_noreply(c, SMFIP_NR_EOH);
}

static sfsistat
milter_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		msg_body(c->msg, data, len);
	return milter_noreply(c, SMFIP_NR_BODY);
}

static sfsistat
milter_eom(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	const struct msg_outcome *o;
	sfsistat ret = SMFIS_ACCEPT;
	const char *qid;
	size_t i;

	if (c == NULL || c->msg == NULL)
		return SMFIS_TEMPFAIL;
	msg_set_qid(c->msg, smfi_getsymval(ctx, "i"));
	qid = msg_qid(c->msg);
	o = msg_eom(c->msg);
	for (i = 0; i < o->ndelete; i++)
		if (smfi_chgheader(ctx, AR_FIELD, (int)o->delete_idx[i], NULL) != MI_SUCCESS)
			log_err(qid, "could not remove Authentication-Results #%u", o->delete_idx[i]);
	if (o->ar_value != NULL) {
		const char *v = o->ar_value;

		if (!(c->pflags & SMFIP_HDR_LEADSPC) && *v == ' ')
			v++;    /* the MTA adds the space itself */
		if (smfi_insheader(ctx, 0, AR_FIELD, (char *)v) != MI_SUCCESS)
			log_err(qid, "could not add Authentication-Results");
	}
	switch (o->action) {
	case MSG_REJECT:
	case MSG_TEMPFAIL:
		if (smfi_setreply(ctx, (char *)o->rcode, (char *)o->xcode, (char *)o->text) != MI_SUCCESS)
			log_warn(qid, "could not set the SMTP reply text");
		ret = o->action == MSG_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
		break;
	case MSG_QUARANTINE:
		if (smfi_quarantine(ctx, (char *)o->quarantine_reason) != MI_SUCCESS)
			log_warn(qid, "could not quarantine");
		break;
	case MSG_ACCEPT:
		break;
	}
	log_info(qid, "%s", o->summary);
	msg_free(&c->msg);
	return ret;
}

static sfsistat
milter_abort(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		msg_free(&c->msg);
	return SMFIS_CONTINUE;
}

static sfsistat
milter_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		msg_free(&c->msg);
		session_free(&c->session);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc milter_desc = {
	.xxfi_name = "compauthd",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST,
	.xxfi_connect = milter_connect,
	.xxfi_helo = milter_helo,
	.xxfi_envfrom = milter_envfrom,
	.xxfi_envrcpt = NULL,
	.xxfi_header = milter_header,
	.xxfi_eoh = milter_eoh,
	.xxfi_body = milter_body,
	.xxfi_eom = milter_eom,
	.xxfi_abort = milter_abort,
	.xxfi_close = milter_close,
	.xxfi_unknown = NULL,
	.xxfi_data = NULL,
	.xxfi_negotiate = milter_negotiate,
};

static int
milter_unix_path(const char *spec, const char **path)
{
	if (strncmp(spec, "unix:", 5) == 0) {
		*path = spec + 5;
		return 1;
	}
	if (strncmp(spec, "local:", 6) == 0) {
		*path = spec + 6;
		return 1;
	}
	if (spec[0] == '/') {
		*path = spec;
		return 1;
	}
	return 0;
}

/*
 * libmilter can only listen on a socket it opened itself. For systemd
 * socket activation we let it open a throw-away unix socket, find that
 * descriptor, and dup2() the inherited listener over it: from then on
 * libmilter accepts on systemd's socket.
 */
static int
milter_adopt_fd(int inherited_fd, char *err, size_t errlen)
{
	char dir[] = "/tmp/compauthd-activation-XXXXXX";
	char spec[128], path[96];
	int fd, found = -1, maxfd;

	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "socket activation: mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/placeholder.sock", dir);
	snprintf(spec, sizeof(spec), "unix:%s", path);
	if (smfi_setconn(spec) != MI_SUCCESS || smfi_opensocket(1) != MI_SUCCESS) {
		snprintf(err, errlen, "socket activation: libmilter could not open its placeholder socket");
		rmdir(dir);
		return -1;
	}
	maxfd = (int)sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 0; fd < maxfd && found < 0; fd++) {
		struct sockaddr_un sun;
		socklen_t len = sizeof(sun);

		if (fd == inherited_fd)
			continue;
		memset(&sun, 0, sizeof(sun));
		if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
		    sun.sun_family == AF_UNIX && strcmp(sun.sun_path, path) == 0)
			found = fd;
	}
	unlink(path);
	rmdir(dir);
	if (found < 0) {
		snprintf(err, errlen, "socket activation: cannot find libmilter's listening socket");
		return -1;
	}
	if (dup2(inherited_fd, found) < 0) {
		snprintf(err, errlen, "socket activation: dup2: %s", strerror(errno));
		return -1;
	}
	close(inherited_fd);
	return 0;
}

static int
milter_socket_perms(const struct config *cfg, const char *path, char *err, size_t errlen)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (cfg->socket_owner[0]) {
		struct passwd *pw = getpwnam(cfg->socket_owner);

		if (pw == NULL) {
			snprintf(err, errlen, "socket_owner %s: no such user", cfg->socket_owner);
			return -1;
		}
		uid = pw->pw_uid;
	}
	if (cfg->socket_group[0]) {
		struct group *gr = getgrnam(cfg->socket_group);

		if (gr == NULL) {
			snprintf(err, errlen, "socket_group %s: no such group", cfg->socket_group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) != 0) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, (mode_t)cfg->socket_mode) != 0) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
milter_open(const struct config *cfg, int inherited_fd, char *err, size_t errlen)
{
	const char *path = NULL;
	mode_t old;
	int rc;

	if (smfi_register(milter_desc) != MI_SUCCESS) {
		snprintf(err, errlen, "smfi_register failed");
		return -1;
	}
	/* libmilter rejects a timeout of 0; a stuck MTA connection ends after this. */
	smfi_settimeout(300);
	if (inherited_fd >= 0)
		return milter_adopt_fd(inherited_fd, err, errlen);

	if (milter_unix_path(cfg->socket, &path)) {
		struct stat st;

		if (strlen(path) >= sizeof(milter_sock_path)) {
			snprintf(err, errlen, "socket path too long: %s", path);
			return -1;
		}
		/* A regular file in the way is the postmaster's, not a stale socket. */
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return -1;
		}
	}
	if (smfi_setconn((char *)cfg->socket) != MI_SUCCESS) {
		snprintf(err, errlen, "invalid socket %s", cfg->socket);
		return -1;
	}
	/* No window in which the socket is reachable with looser permissions. */
	old = umask(0177);
	rc = smfi_opensocket(1);
	umask(old);
	if (rc != MI_SUCCESS) {
		snprintf(err, errlen, "cannot listen on %s (in use, or no permission?)", cfg->socket);
		return -1;
	}
	if (path != NULL) {
		snprintf(milter_sock_path, sizeof(milter_sock_path), "%s", path);
		if (milter_socket_perms(cfg, path, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
milter_run(void)
{
	return smfi_main() == MI_SUCCESS ? 0 : -1;
}

void
milter_stop(void)
{
	smfi_stop();
}

const char *
milter_socket_path(void)
{
	return milter_sock_path[0] ? milter_sock_path : NULL;
}
