/*
 * The metrics listener: libmicrohttpd on a socket bound before the fork
 * (so a port in use is reported to the shell that started us), served by
 * one internal thread that answers GET /metrics and nothing else. A few
 * connections at a time, each with a short timeout and little memory:
 * a scraper that hangs, or anyone who reaches the port, can hold only
 * those, never a milter thread.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"

#define METRICS_HTTP_CONNECTIONS 8
#define METRICS_HTTP_TIMEOUT_S 10
#define METRICS_HTTP_MEMORY (16 * 1024)

static int metrics_http_fd = -1;
static struct MHD_Daemon *metrics_httpd;

int
metrics_http_bind(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	const char *why;
	int fd, one = 1;

	if ((why = metrics_listen_parse(spec, &sa, &salen)) != NULL) {
		snprintf(err, errlen, "metrics_listen %s: expected %s", spec, why);
		return -1;
	}
	if (salen == 0)
		return 0;
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "metrics_listen %s: socket: %s", spec, strerror(errno));
		return -1;
	}
	/* A restart must not wait out TIME_WAIT of the last scrape. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, salen) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "metrics_listen %s: cannot listen: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	metrics_http_fd = fd;
	return 0;
}

static void __attribute__((format(printf, 2, 0)))
metrics_http_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_warn(NULL, "metrics listener: %s", buf);
}

static enum MHD_Result
metrics_http_reply(struct MHD_Connection *c, unsigned code, char *body, size_t len,
    enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
metrics_http_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	static char not_found[] = "not found: GET /metrics\n";
	static char busy[] = "out of memory\n";
	char *body;
	size_t len;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		*req_cls = c;
		return MHD_YES;
	}
	/* A body is never wanted: dropped as it comes, then the 404. */
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 || strcmp(url, "/metrics") != 0)
		return metrics_http_reply(c, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
		    MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
	if ((body = metrics_render(&len)) == NULL)
		return metrics_http_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, busy, sizeof(busy) - 1,
		    MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
	return metrics_http_reply(c, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE,
	    "text/plain; version=0.0.4; charset=utf-8");
}

int
metrics_http_start(char *err, size_t errlen)
{
	if (metrics_http_fd < 0)
		return 0;
	metrics_httpd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, metrics_http_request, NULL,
	    MHD_OPTION_LISTEN_SOCKET, metrics_http_fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_HTTP_MEMORY,
	    MHD_OPTION_EXTERNAL_LOGGER, metrics_http_log, NULL,
	    MHD_OPTION_END);
	if (metrics_httpd == NULL) {
		snprintf(err, errlen, "metrics_listen: cannot start the HTTP server");
		return -1;
	}
	metrics_enable(true);
	return 0;
}
