/*
 * libmilter glue, and the only file that calls smfi_*. Each callback hands
 * its input to the message pipeline (msg.c) and turns the pipeline's
 * outcome into milter actions; no check logic lives here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "account.h"
#include "authres.h"
#include "log.h"
#include "milter.h"
#include "msg.h"
#include "netaddr.h"
#include "runtime.h"

/*
 * Steps we answer without a reply: fewer round trips. libmilter offers
 * these even to an MTA that lacks them (it then sends the reply itself),
 * so they are always negotiated and those callbacks always return
 * SMFIS_NOREPLY, also after a quit-new-connection when our per-connection
 * state was reset.
 */
#define MILTER_NR_WANTED (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | \
    SMFIP_NR_EOH | SMFIP_NR_BODY)
#define MILTER_PARKED_MAX 1024
/* Steps we never need (RCPT we do: reports' envelope_to, recipient history). */
#define MILTER_SKIP_WANTED (SMFIP_NOUNKNOWN | SMFIP_NODATA)

struct milter_conn {
	unsigned long pflags;           /* negotiated protocol flags */
	struct session *session;
	struct msg *msg;
};

static char milter_sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int milter_listen_fd = -1;

/*
 * After a quit-new-connection (SMFIC_QUIT_NC) libmilter calls our close
 * callback and then goes on with the same session, without negotiating
 * again. The negotiated flags we need later (SMFIP_HDR_LEADSPC) wait here,
 * keyed by the session's context, until the next connect picks them up.
 * A final close parks them too; the table is bounded and a new
 * negotiation for the same context address replaces its entry.
 */
static struct {
	const void *ctx;
	unsigned long pflags;
} milter_parked[MILTER_PARKED_MAX];
static unsigned milter_parked_next;
static pthread_mutex_t milter_parked_lock = PTHREAD_MUTEX_INITIALIZER;

static void
milter_park(const void *ctx, unsigned long pflags)
{
	pthread_mutex_lock(&milter_parked_lock);
	milter_parked[milter_parked_next].ctx = ctx;
	milter_parked[milter_parked_next].pflags = pflags;
	milter_parked_next = (milter_parked_next + 1) % MILTER_PARKED_MAX;
	pthread_mutex_unlock(&milter_parked_lock);
}

/* Removes ctx's entry; returns 1 and its flags when there was one. */
static int
milter_unpark(const void *ctx, unsigned long *pflags)
{
	int found = 0;
	unsigned i;

	pthread_mutex_lock(&milter_parked_lock);
	for (i = 0; i < MILTER_PARKED_MAX; i++) {
		if (milter_parked[i].ctx == ctx) {
			*pflags = milter_parked[i].pflags;
			milter_parked[i].ctx = NULL;
			found = 1;
		}
	}
	pthread_mutex_unlock(&milter_parked_lock);
	return found;
}

static struct milter_conn *
milter_conn(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	unsigned long pflags;

	if (c == NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return NULL;
		/* Modern MTAs all support it; the parked value says for sure. */
		c->pflags = SMFIP_HDR_LEADSPC | MILTER_NR_WANTED;
		if (milter_unpark(ctx, &pflags))
			c->pflags = pflags;
		smfi_setpriv(ctx, c);
	}
	return c;
}


static sfsistat
milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	struct milter_conn *c;
	unsigned long stale;

	(void)f2;
	(void)f3;
	/* A new session: whatever was parked for this address is not ours. */
	milter_unpark(ctx, &stale);
	c = milter_conn(ctx);
	if (c == NULL)
		return SMFIS_REJECT;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST);
	*pf1 = (f1 & (SMFIP_HDR_LEADSPC | MILTER_SKIP_WANTED)) | MILTER_NR_WANTED;
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
	return SMFIS_NOREPLY;
}

static sfsistat
milter_helo(SMFICTX *ctx, char *helo)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->session == NULL)
		return SMFIS_CONTINUE;
	session_helo(c->session, helo);
	return SMFIS_NOREPLY;
}

static sfsistat
milter_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->session == NULL)
		return SMFIS_TEMPFAIL;
	msg_free(&c->msg);
	c->msg = msg_new(c->session, smfi_getsymval(ctx, "i"));
	msg_envfrom(c->msg, argv && argv[0] ? argv[0] : "", smfi_getsymval(ctx, "{auth_authen}"));
	return SMFIS_CONTINUE;
}

static sfsistat
milter_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL && argv != NULL && argv[0] != NULL)
		msg_envrcpt(c->msg, argv[0]);
	return SMFIS_NOREPLY;
}

static sfsistat
milter_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->msg == NULL)
		return SMFIS_NOREPLY;
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
	return SMFIS_NOREPLY;
}

static sfsistat
milter_eoh(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		msg_eoh(c->msg);
	return SMFIS_NOREPLY;
}

static sfsistat
milter_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		msg_body(c->msg, data, len);
	return SMFIS_NOREPLY;
}

/* A header at the top; v has a leading space the MTA may want to add itself. */
static void
milter_insert(SMFICTX *ctx, const struct milter_conn *c, const char *qid, const char *name,
    const char *v)
{
	if (v == NULL)
		return;
	if (!(c->pflags & SMFIP_HDR_LEADSPC) && *v == ' ')
		v++;
	if (smfi_insheader(ctx, 0, (char *)name, (char *)v) != MI_SUCCESS)
		log_err(qid, "could not add %s", name);
}

static sfsistat
milter_eom(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	const struct msg_outcome *o;
	/*
	 * SMFIS_CONTINUE, not SMFIS_ACCEPT: the MTA takes both as "deliver",
	 * but after ACCEPT libmilter returns to its HELO state and would drop
	 * a following quit-new-connection and connect.
	 */
	sfsistat ret = SMFIS_CONTINUE;
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
	milter_insert(ctx, c, qid, "Received-SPF", o->received_spf);
	/*
	 * Last, so that they end up first: our ARC set, our results and the
	 * verdict's own field below them head the message.
	 */
	milter_insert(ctx, c, qid, AR_FIELD, o->ar_compauth);
	milter_insert(ctx, c, qid, AR_FIELD, o->ar_value);
	milter_insert(ctx, c, qid, "ARC-Authentication-Results", o->arc.aar);
	milter_insert(ctx, c, qid, "ARC-Message-Signature", o->arc.ams);
	milter_insert(ctx, c, qid, "ARC-Seal", o->arc.as);
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
		milter_park(ctx, c->pflags);
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
	.xxfi_envrcpt = milter_envrcpt,
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
 * The descriptor libmilter listens on: the one listening socket of the
 * given family (and path, for unix) other than skip_fd. At start-up no
 * other listening socket exists in this process.
 */
static int
milter_find_listener(int family, const char *path, int skip_fd)
{
	int fd, maxfd = (int)sysconf(_SC_OPEN_MAX);

	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 0; fd < maxfd; fd++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int on = 0;
		socklen_t olen = sizeof(on);

		if (fd == skip_fd)
			continue;
		memset(&ss, 0, sizeof(ss));
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 || ss.ss_family != family)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) != 0 || !on)
			continue;
		if (path != NULL && strcmp(((struct sockaddr_un *)&ss)->sun_path, path) != 0)
			continue;
		return fd;
	}
	return -1;
}

/*
 * libmilter can only listen on a socket it opened itself. For systemd
 * socket activation we let it open a throw-away socket of the same family
 * (libmilter drops connections of any other family), find that
 * descriptor, and dup2() the inherited listener over it: from then on
 * libmilter accepts on systemd's socket.
 */
static int
milter_adopt_fd(int inherited_fd, char *err, size_t errlen)
{
	char dir[] = "/tmp/compauthd-activation-XXXXXX";
	char spec[128], path[96];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int found;

	memset(&ss, 0, sizeof(ss));
	if (getsockname(inherited_fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(err, errlen, "socket activation: fd %d is not a socket", inherited_fd);
		return -1;
	}
	path[0] = '\0';
	switch (ss.ss_family) {
	case AF_UNIX:
		if (mkdtemp(dir) == NULL) {
			snprintf(err, errlen, "socket activation: mkdtemp: %s", strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/placeholder.sock", dir);
		snprintf(spec, sizeof(spec), "unix:%s", path);
		break;
	case AF_INET:
		snprintf(spec, sizeof(spec), "inet:0@127.0.0.1");
		break;
	case AF_INET6:
		snprintf(spec, sizeof(spec), "inet6:0@::1");
		break;
	default:
		snprintf(err, errlen, "socket activation: unsupported socket family %d", ss.ss_family);
		return -1;
	}
	if (smfi_setconn(spec) != MI_SUCCESS || smfi_opensocket(1) != MI_SUCCESS) {
		snprintf(err, errlen, "socket activation: libmilter could not open its placeholder %s", spec);
		if (path[0])
			rmdir(dir);
		return -1;
	}
	found = milter_find_listener(ss.ss_family, path[0] ? path : NULL, inherited_fd);
	if (path[0]) {
		unlink(path);
		rmdir(dir);
	}
	if (found < 0) {
		snprintf(err, errlen, "socket activation: cannot find libmilter's listening socket");
		return -1;
	}
	if (dup2(inherited_fd, found) < 0) {
		snprintf(err, errlen, "socket activation: dup2: %s", strerror(errno));
		return -1;
	}
	close(inherited_fd);
	milter_listen_fd = found;
	return 0;
}

static int
milter_socket_perms(const struct config *cfg, const char *path, char *err, size_t errlen)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (cfg->socket_owner[0]) {
		gid_t primary;
		bool has_gid;

		if (account_user(cfg->socket_owner, &uid, &primary, &has_gid) != 0) {
			snprintf(err, errlen, "socket_owner %s: no such user", cfg->socket_owner);
			return -1;
		}
	}
	if (cfg->socket_group[0] && account_group(cfg->socket_group, &gid) != 0) {
		snprintf(err, errlen, "socket_group %s: no such group", cfg->socket_group);
		return -1;
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

static int
milter_socket_live(const char *path)
{
	struct sockaddr_un sun;
	int fd, live;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return live;
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
	/*
	 * libmilter drops the whole connection on a packet over 64 KiB, and a
	 * header field is one packet: one long header would lose every message
	 * on that MTA connection. Postfix passes fields up to its
	 * header_size_limit (100 KiB default); our own limits then decide.
	 */
	smfi_setmaxdatasize(1024 * 1024 - 1);
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
		/* libmilter would replace a live socket too, orphaning its owner. */
		if (lstat(path, &st) == 0 && milter_socket_live(path)) {
			snprintf(err, errlen, "%s is in use by a running filter", path);
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
		milter_listen_fd = milter_find_listener(AF_UNIX, path, -1);
	} else {
		milter_listen_fd = milter_find_listener(strncmp(cfg->socket, "inet6:", 6) == 0 ?
		    AF_INET6 : AF_INET, NULL, -1);
	}
	return 0;
}

/*
 * libmilter starts its workers with default attributes, so with stacks the
 * size of the main thread's limit (8 MiB): glibc then keeps only five of
 * them for reuse and maps, faults in and unmaps one for every other
 * connection. 1 MiB keeps ~40 in its cache, and is 20 times what a
 * message's deepest path (libopendkim, OpenSSL) uses.
 */
#define MILTER_STACK_SIZE (1024 * 1024)

int
milter_run(void)
{
	pthread_attr_t at;

	if (pthread_getattr_default_np(&at) == 0) {
		pthread_attr_setstacksize(&at, MILTER_STACK_SIZE);
		pthread_setattr_default_np(&at);
		pthread_attr_destroy(&at);
	}
	return smfi_main() == MI_SUCCESS ? 0 : -1;
}

/*
 * Stop taking connections, but keep serving the open ones: smfi_stop()
 * would make libmilter's worker pool drop them, and it waits for the
 * listener's 5-second poll. The socket path goes first, so an MTA's next
 * connect fails at once and its milter_default_action applies; then
 * libmilter's listening descriptor is pointed at /dev/null, on which its
 * accept() fails without taking anything (a systemd-owned socket stays
 * intact for the next start).
 */
void
milter_stop_accepting(void)
{
	int null;

	if (milter_sock_path[0])
		unlink(milter_sock_path);
	if (milter_listen_fd < 0)
		return;
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, milter_listen_fd);
		close(null);
	}
}

const char *
milter_socket_path(void)
{
	return milter_sock_path[0] ? milter_sock_path : NULL;
}
