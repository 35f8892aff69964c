/*
 * The libmilter floor: a filter that does nothing but what every milter
 * built on libmilter must do for a message (negotiate the same steps
 * compauthd does, take every command, add one header at end of message).
 * bench/compare.py runs it beside the filters so that the CPU and
 * latency libmilter and the kernel cost per message, which no filter on
 * libmilter can go below, are measured in the same run.
 *
 * usage: nullmilter SOCKET_PATH
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#define NR (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | \
    SMFIP_NR_BODY)

static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
	*pf1 = (f1 & (SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_NODATA)) | NR;
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_noreply(SMFICTX *ctx, char *a)
{
	(void)ctx;
	(void)a;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)sa;
	return nm_noreply(ctx, host);
}

static sfsistat
nm_argv(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_rcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_header(SMFICTX *ctx, char *n, char *v)
{
	(void)v;
	return nm_noreply(ctx, n);
}

static sfsistat
nm_ctx(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_body(SMFICTX *ctx, unsigned char *b, size_t n)
{
	(void)ctx;
	(void)b;
	(void)n;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_eom(SMFICTX *ctx)
{
	smfi_insheader(ctx, 0, "Authentication-Results", "mx.bench.example; none");
	return SMFIS_CONTINUE;
}

static sfsistat
nm_close(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = nm_connect,
	.xxfi_helo = nm_noreply,
	.xxfi_envfrom = nm_argv,
	.xxfi_envrcpt = nm_rcpt,
	.xxfi_header = nm_header,
	.xxfi_eoh = nm_ctx,
	.xxfi_body = nm_body,
	.xxfi_eom = nm_eom,
	.xxfi_close = nm_close,
	.xxfi_negotiate = nm_negotiate,
};

int
main(int argc, char **argv)
{
	char conn[4200];
	pthread_attr_t at;

	if (argc != 2) {
		fprintf(stderr, "usage: nullmilter SOCKET_PATH\n");
		return 64;
	}
	/* The same worker stacks as compauthd: the floor is libmilter's, not glibc's cache. */
	if (pthread_getattr_default_np(&at) == 0) {
		pthread_attr_setstacksize(&at, 1024 * 1024);
		pthread_setattr_default_np(&at);
		pthread_attr_destroy(&at);
	}
	snprintf(conn, sizeof(conn), "unix:%s", argv[1]);
	unlink(argv[1]);
	if (smfi_setconn(conn) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", argv[1]);
		return 69;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 70;
}
