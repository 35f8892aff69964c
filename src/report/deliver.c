/*
 * Turning a built report into what leaves the host: gzip (zlib), the
 * file name and the report mail of RFC 9990 §2.5, and the hand-off to
 * sendmail (a child process, no shell) or to a directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "deliver.h"

int
deliver_gzip(const void *p, size_t n, struct strbuf *out, char *err, size_t errlen)
{
	z_stream z;
	unsigned char buf[16384];
	int rc;

	memset(&z, 0, sizeof z);
	/* windowBits 15 + 16: a gzip wrapper; zlib writes time 0 and no name. */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(err, errlen, "zlib: deflateInit2 failed");
		return -1;
	}
	out->len = 0;
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = buf;
		z.avail_out = sizeof buf;
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR) {
			deflateEnd(&z);
			snprintf(err, errlen, "zlib: deflate failed");
			return -1;
		}
		rbuf_add(out, buf, sizeof buf - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return 0;
}

void
deliver_filename(const char *receiver, const struct agg_report *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s!%s!%" PRId64 "!%" PRId64 "!%s.xml.gz", receiver, r->domain,
	    r->begin, r->end, r->report_id);
}

static void
deliver_base64(struct strbuf *out, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		rbuf_add(out, q, 4);
		if ((col += 4) == 76) {
			rbuf_puts(out, "\n");
			col = 0;
		}
	}
	if (col)
		rbuf_puts(out, "\n");
}

/* RFC 5322 date (rfc5322 true) or "YYYY-MM-DD HH:MM:SS", UTC. */
static void
deliver_utc(int64_t t, bool rfc5322, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (rfc5322)
		strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void
deliver_mail_build(const struct deliver_mail *m, struct strbuf *out)
{
	const struct agg_report *r = m->report;
	char date[64], b[32], e[32], boundary[64];

	deliver_utc(m->now, true, date, sizeof date);
	deliver_utc(r->begin, false, b, sizeof b);
	deliver_utc(r->end, false, e, sizeof e);
	snprintf(boundary, sizeof boundary, "=_report_%s", r->report_id);
	out->len = 0;
	rbuf_printf(out, "From: %s\n", m->from);
	rbuf_printf(out, "To: %s\n", m->to);
	/* RFC 9990 §2.5, folded as its example is when it gets long. */
	rbuf_printf(out, "Subject: Report Domain: %s", r->domain);
	rbuf_puts(out, strlen(r->domain) + strlen(m->receiver) > 40 ? "\n" : " ");
	rbuf_printf(out, "Submitter: %s", m->receiver);
	rbuf_printf(out, "\n Report-ID: <%s>\n", r->report_id);
	rbuf_printf(out, "Date: %s\n", date);
	rbuf_printf(out, "Message-ID: <%s.%u@%s>\n", r->report_id, m->seq, m->receiver);
	rbuf_puts(out, "Auto-Submitted: auto-generated\n");
	rbuf_puts(out, "MIME-Version: 1.0\n");
	rbuf_printf(out, "Content-Type: multipart/mixed;\n boundary=\"%s\"\n\n", boundary);
	rbuf_puts(out, "This is a multi-part message in MIME format.\n\n");
	rbuf_printf(out, "--%s\nContent-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n", boundary);
	rbuf_printf(out, "This is a DMARC aggregate report (RFC 9990) from %s\n"
	    "for the policy domain %s:\n%" PRIu64 " messages in %zu records, received from\n"
	    "%s UTC to %s UTC.\n\nReport-ID: <%s>\n\n", m->receiver, r->domain,
	    r->nmessages, r->nrecords, b, e, r->report_id);
	rbuf_printf(out, "--%s\nContent-Type: application/gzip;\n name=\"%s\"\n"
	    "Content-Disposition: attachment;\n filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n", boundary, m->filename, m->filename);
	deliver_base64(out, (const unsigned char *)m->gz->p, m->gz->len);
	rbuf_printf(out, "\n--%s--\n", boundary);
}

int
deliver_sendmail(const char *cmd, const char *from, const char *to,
    const struct strbuf *mail, unsigned timeout_s, char *err, size_t errlen)
{
	char *copy = strdup(cmd ? cmd : DELIVER_SENDMAIL), *argv[64], *save = NULL;
	size_t argc = 0;
	int fds[2], status;
	pid_t pid;

	if (!copy)
		abort();
	for (char *w = strtok_r(copy, " \t", &save); w && argc < 63; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = strcmp(w, "%f") == 0 ? (char *)from : strcmp(w, "%t") == 0 ? (char *)to : w;
	argv[argc] = NULL;
	if (argc == 0) {
		snprintf(err, errlen, "empty sendmail command");
		free(copy);
		return -1;
	}
	if (pipe(fds) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(copy);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(copy);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		alarm(timeout_s);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	size_t off = 0;
	while (off < mail->len) {
		ssize_t w = write(fds[1], mail->p + off, mail->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fds[1]);
	signal(SIGPIPE, old);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && off == mail->len) {
		free(copy);
		return 0;
	}
	if (WIFEXITED(status))
		snprintf(err, errlen, "%s exited with status %d%s", argv[0], WEXITSTATUS(status),
		    WEXITSTATUS(status) == 127 ? " (not executable?)" : "");
	else if (WIFSIGNALED(status))
		snprintf(err, errlen, "%s killed by signal %d", argv[0], WTERMSIG(status));
	else
		snprintf(err, errlen, "%s did not read the whole message", argv[0]);
	free(copy);
	return -1;
}

int
deliver_write(const char *dir, const char *name, const void *p, size_t n,
    char *err, size_t errlen)
{
	char path[4096], tmp[4200];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	const char *c = p;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, c + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
