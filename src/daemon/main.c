/*
 * compauthd: options, start-up order and the signal loop.
 *
 * Start-up: load config, bind the milter socket (as root), detach, write
 * the pidfile, drop privileges, start the resolver, then libmilter.
 *
 * Signals: libmilter runs a thread of its own that sigwait()s for SIGHUP
 * and SIGTERM and stops the filter on either. Every thread but the main
 * one blocks those signals, and the main thread keeps them unblocked with
 * handlers: the kernel hands a process signal to the main thread (the one
 * kill() names) whenever that thread can take it, so libmilter's thread
 * does not see them. The handlers only write to a pipe; the main thread
 * reads it and passes reloads to a thread of their own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "import.h"
#include "dmarc.h"
#include "log.h"
#include "metrics.h"
#include "milter.h"
#include "msg.h"
#include "runtime.h"
#include "testmode.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/compauthd/compauthd.conf"
/* At exit: how long the report writer may take to write what it holds. */
#define RUNTIME_STORE_DRAIN_MS 5000

static const char *config_path = DEFAULT_CONFIG;
static int config_path_given;
static pthread_t main_thread;
static atomic_int milter_exited;
static atomic_int stopping;
static sem_t reload_sem;
static int signal_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(signal_pipe[1], &c, 1) != 1) {
		/* A full pipe already holds a wake-up. */
	}
	errno = saved;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: compauthd [-c FILE] [-f] [-n] [-V]\n"
	    "       compauthd [-c FILE] -t MESSAGE --client-ip IP [--helo NAME] [--mail-from ADDR]\n"
	    "                 [--zone FILE] [--client-name NAME] [--auth USER] [--qid ID]\n"
	    "                 [--store URI]\n"
	    "       compauthd --import FILE...\n"
	    "  -c FILE  configuration file (default " DEFAULT_CONFIG ")\n"
	    "  -f       stay in the foreground and log to stderr\n"
	    "  -n       check the configuration and print the effective settings\n"
	    "  -t FILE  test mode: run one message through the checks, print the header\n"
	    "  --import FILE...  print the compauthd.conf equivalent to these opendkim.conf,\n"
	    "           opendmarc.conf and openarc.conf files, and what it cannot carry over\n"
	    "  -V       print the version\n");
}

static struct config *
load_config(char *err, size_t errlen)
{
	if (!config_path_given && access(config_path, F_OK) != 0 && errno == ENOENT)
		return config_defaults();
	return config_load(config_path, err, errlen);
}

/*
 * -n: the file (already parsed), then what the daemon will look up at
 * start, then every setting on stdout. Which file was checked goes to
 * stderr, so that stdout stays a file -c can read back.
 */
static int
check_config(struct config *cfg)
{
	const char *what = cfg->path != NULL ? "" : " not found, the built-in defaults";
	char err[1024];

	if (!config_check_accounts(cfg, err, sizeof(err))) {
		fprintf(stderr, "compauthd: %s%s: %s\n", config_path, what, err);
		config_free(&cfg);
		return EX_CONFIG;
	}
	if (config_authserv_id_warning(cfg, err, sizeof(err)))
		fprintf(stderr, "compauthd: warning: %s\n", err);
	if (cfg->report_store[0] != '\0' && store_check(cfg->report_store, err, sizeof(err)) != 0)
		fprintf(stderr, "compauthd: warning: report_store %s is not usable, DMARC report "
		    "data will not be stored: %s\n", cfg->report_store, err);
	config_dump(cfg, stdout);
	fflush(stdout);
	fprintf(stderr, "compauthd: %s%s: OK\n", config_path, what);
	config_free(&cfg);
	return 0;
}

static void
warn_restart_only(const struct config *old, const struct config *cur)
{
	static const char *const what = "needs a restart to take effect";

	if (strcmp(old->socket, cur->socket) != 0)
		log_warn(NULL, "socket changed: %s", what);
	if (strcmp(old->metrics_listen, cur->metrics_listen) != 0)
		log_warn(NULL, "metrics_listen changed: %s", what);
	if (strcmp(old->user, cur->user) != 0 || strcmp(old->group, cur->group) != 0)
		log_warn(NULL, "user/group changed: %s", what);
	if (strcmp(old->pidfile, cur->pidfile) != 0)
		log_warn(NULL, "pidfile changed: %s", what);
}

static void
reload(void)
{
	struct runtime *cur, *rt;
	struct config *cfg;
	char err[1024], note[64];
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(note, sizeof(note), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	daemon_notify(note);
	cfg = load_config(err, sizeof(err));
	if (cfg == NULL) {
		log_err(NULL, "reload failed, keeping the running configuration: %s", err);
		daemon_notify("READY=1");
		return;
	}
	cur = runtime_acquire();
	warn_restart_only(cur->cfg, cfg);
	rt = runtime_new(cfg, cur, err, sizeof(err));
	runtime_release(&cur);
	if (rt == NULL) {
		log_err(NULL, "reload failed, keeping the running configuration: %s", err);
		daemon_notify("READY=1");
		return;
	}
	log_configure(rt->cfg->log_level, rt->cfg->log_format);
	log_set_facility(rt->cfg->syslog_facility);
	runtime_install(rt);
	/* Lookups in progress finish on the list they started with. */
	if (dmarc_psl_reload(NULL, err, sizeof(err)) != 0)
		log_warn(NULL, "%s; keeping the public suffix list in use", err);
	else
		log_info(NULL, "public suffix list reloaded");
	log_notice(NULL, "configuration reloaded from %s", config_path_given ? config_path :
	    (access(config_path, F_OK) == 0 ? config_path : "built-in defaults"));
	daemon_notify("READY=1");
}

static void *
reload_thread(void *arg)
{
	(void)arg;
	for (;;) {
		while (sem_wait(&reload_sem) != 0 && errno == EINTR)
			;
		if (atomic_load(&stopping))
			return NULL;
		reload();
	}
}

static void *
milter_thread(void *arg)
{
	(void)arg;
	milter_run();
	atomic_store(&milter_exited, 1);
	pthread_kill(main_thread, SIGUSR2);
	return NULL;
}

/*
 * libmilter's signal thread takes a pending process signal the moment it
 * enters sigwait(), even one the kernel meant for the main thread. Until it
 * sleeps there, a SIGHUP could stop the filter; once it sleeps, the kernel
 * wakes the main thread instead. So we report ready only after some other
 * thread of ours sits in rt_sigtimedwait (bounded wait: 2 s).
 */
static void
wait_for_milter_signal_thread(void)
{
	struct timespec step = { 0, 2 * 1000000L };
	int i;

	for (i = 0; i < 1000; i++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *de;
		int found = 0;

		if (d == NULL)
			return;
		while (!found && (de = readdir(d)) != NULL) {
			char path[64], buf[32];
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/self/task/%.16s/syscall", de->d_name);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			if (fgets(buf, sizeof(buf), f) != NULL &&
			    strtol(buf, NULL, 10) == SYS_rt_sigtimedwait && buf[0] != 'r')
				found = 1;
			fclose(f);
		}
		closedir(d);
		if (found)
			return;
		nanosleep(&step, NULL);
	}
	log_warn(NULL, "libmilter's signal thread not seen waiting; a very early SIGHUP may stop the filter");
}

/* Lets in-flight messages reach end of message, for at most timeout_ms. */
static void
drain(unsigned timeout_ms)
{
	unsigned waited = 0;
	struct timespec step = { 0, 50 * 1000000L };

	while (msg_in_flight() > 0 && waited < timeout_ms) {
		nanosleep(&step, NULL);
		waited += 50;
	}
	if (msg_in_flight() > 0)
		log_warn(NULL, "stopping with %u message(s) still in progress", msg_in_flight());
}

static int
run_daemon(struct config *cfg, int foreground)
{
	struct runtime *rt;
	pthread_t mt, rtid;
	sigset_t set;
	char err[1024];
	int fd, sig, rc = 0;
	bool pid_ours = false;
	char *pidfile = strdup(cfg->pidfile);
	char *sockpath = NULL;

	log_set_facility(cfg->syslog_facility);
	log_init("compauthd", foreground);
	log_configure(cfg->log_level, cfg->log_format);

	/* Before any thread exists, so every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fd = daemon_listen_fd(err, sizeof(err));
	if (fd == -2 || (fd == -1 && daemon_socket_dir(cfg->socket, cfg->user,
	    cfg->group, err, sizeof(err)) != 0) ||
	    milter_open(cfg, fd, err, sizeof(err)) != 0) {
		if (!foreground)
			fprintf(stderr, "compauthd: %s\n", err);
		rc = EX_OSERR;
		goto failed;
	}
	if (milter_socket_path())
		sockpath = strdup(milter_socket_path());
	if (metrics_http_bind(cfg->metrics_listen, err, sizeof(err)) != 0) {
		if (!foreground)
			fprintf(stderr, "compauthd: %s\n", err);
		rc = EX_OSERR;
		goto failed;
	}
	if (!foreground && daemon_detach(err, sizeof(err)) != 0) {
		rc = EX_OSERR;
		goto failed;
	}
	if (daemon_pidfile_write(pidfile, err, sizeof(err)) != 0) {
		rc = EX_OSERR;
		goto failed;
	}
	pid_ours = true;
	if (daemon_drop_privileges(cfg->user, cfg->group, err, sizeof(err)) != 0) {
		rc = EX_OSERR;
		goto failed;
	}
	runtime_enable_reports();
	rt = runtime_new(cfg, NULL, err, sizeof(err));
	cfg = NULL;     /* the runtime owns it, or freed it on failure */
	if (rt == NULL) {
		rc = EX_CONFIG;
		goto failed;
	}
	runtime_install(rt);
	if (metrics_http_start(err, sizeof(err)) != 0) {
		rc = EX_OSERR;
		goto failed;
	}
	main_thread = pthread_self();
	sem_init(&reload_sem, 0, 0);
	if (pipe2(signal_pipe, O_CLOEXEC) != 0 ||
	    pthread_create(&rtid, NULL, reload_thread, NULL) != 0 ||
	    pthread_create(&mt, NULL, milter_thread, NULL) != 0) {
		snprintf(err, sizeof(err), "cannot start threads");
		rc = EX_OSERR;
		goto failed;
	}
	/* Only now, with every other thread started blocked, may main take them. */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		/* SA_NODEFER: not even inside the handler may main refuse one. */
		sa.sa_flags = SA_RESTART | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGUSR2, &sa, NULL);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	wait_for_milter_signal_thread();
	log_notice(NULL, "compauthd " PACKAGE_VERSION " ready (pid %ld)", (long)getpid());
	daemon_ready(1);
	daemon_notify("READY=1");

	for (;;) {
		struct pollfd pfd = { signal_pipe[0], POLLIN, 0 };
		unsigned char c;

		/*
		 * A bounded poll, not a blocking read: a runtime that runs signal
		 * handlers only when a call returns (ThreadSanitizer does) would
		 * otherwise never get to ours.
		 */
		if (poll(&pfd, 1, 250) <= 0 || read(signal_pipe[0], &c, 1) != 1)
			continue;
		sig = c;
		if (sig == SIGHUP) {
			sem_post(&reload_sem);
			continue;
		}
		if (sig == SIGUSR2 && !atomic_load(&milter_exited))
			continue;
		break;
	}
	atomic_store(&stopping, 1);
	sem_post(&reload_sem);
	pthread_join(rtid, NULL);       /* a reload in progress completes first */
	daemon_notify("STOPPING=1");
	if (sig == SIGUSR2) {
		/* libmilter stopped by itself (a signal it caught, or a fatal error). */
		log_err(NULL, "the milter listener stopped unexpectedly; exiting");
		rc = EX_SOFTWARE;
	} else {
		log_notice(NULL, "stopping on signal %d; %u message(s) in progress", sig, msg_in_flight());
		milter_stop_accepting();
		rt = runtime_acquire();
		drain(rt ? rt->cfg->shutdown_timeout_ms : 0);
		runtime_release(&rt);
		runtime_store_shutdown(RUNTIME_STORE_DRAIN_MS);
	}
	if (sockpath)
		unlink(sockpath);
	daemon_pidfile_remove(pidfile);
	log_notice(NULL, "stopped");
	/* libmilter's worker threads may still hold idle MTA connections: end here. */
	fflush(NULL);
	_exit(rc);

failed:
	/* Nothing of a failed start stays behind for the next one to trip over. */
	log_err(NULL, "%s", err);
	daemon_ready(0);
	if (sockpath)
		unlink(sockpath);
	/* Only a pidfile we wrote: a start refused for a socket in use must
	   leave the running daemon's file alone. */
	if (pid_ours)
		daemon_pidfile_remove(pidfile);
	free(sockpath);
	free(pidfile);
	config_free(&cfg);
	runtime_shutdown();
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "client-ip", required_argument, NULL, 'I' },
		{ "client-name", required_argument, NULL, 'N' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'F' },
		{ "zone", required_argument, NULL, 'Z' },
		{ "auth", required_argument, NULL, 'A' },
		{ "qid", required_argument, NULL, 'Q' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "import", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct testmode_opts to;
	struct config *cfg;
	char err[1024];
	int c, foreground = 0, check_only = 0, import = 0;

	memset(&to, 0, sizeof(to));
	while ((c = getopt_long(argc, argv, "c:fnt:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; config_path_given = 1; break;
		case 'f': foreground = 1; break;
		case 'n': check_only = 1; break;
		case 't': to.message = optarg; break;
		case 'V': printf("compauthd %s\n", PACKAGE_VERSION); return 0;
		case 'I': to.client_ip = optarg; break;
		case 'N': to.client_name = optarg; break;
		case 'H': to.helo = optarg; break;
		case 'F': to.mail_from = optarg; break;
		case 'Z': to.zone = optarg; break;
		case 'A': to.auth_user = optarg; break;
		case 'Q': to.qid = optarg; break;
		case 'S': to.store = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'M': import = 1; break;
		default: usage(stderr); return EX_USAGE;
		}
	}
	/* --import: the other arguments are the files; no config of ours is read. */
	if (import)
		return import_run(argv + optind, (size_t)(argc - optind), stdout, stderr);
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cfg = load_config(err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "compauthd: %s\n", err);
		return EX_CONFIG;
	}
	if (check_only)
		return check_config(cfg);
	if (to.message != NULL) {
		log_init("compauthd", 1);
		log_configure(cfg->log_level < LOG_LVL_WARN ? cfg->log_level : LOG_LVL_WARN,
		    cfg->log_format);
		return testmode_run(cfg, &to, stdout);
	}
	return run_daemon(cfg, foreground);
}
