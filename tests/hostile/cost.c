/*
 * Measures one command for the attack suite: `cost REPORT SECONDS PROGRAM
 * ARGS...` runs it and writes "STATUS CPU_US MAXRSS_KB" to REPORT (STATUS:
 * the exit code, or minus the signal). A small process of its own, because
 * the peak RSS of a child forked from the Python runner would include the
 * interpreter's image, which survives exec. A child still running after
 * SECONDS is killed and reported as signal 9: a hang is a finding too.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

static void
cost_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *f;
	int st, status;
	long long cpu_us;

	if (argc < 4) {
		fprintf(stderr, "usage: cost REPORT SECONDS PROGRAM [ARGS...]\n");
		return 64;
	}
	child = fork();
	if (child < 0) {
		perror("cost: fork");
		return 71;
	}
	if (child == 0) {
		execv(argv[3], argv + 3);
		perror("cost: exec");
		_exit(127);
	}
	signal(SIGALRM, cost_alarm);
	alarm((unsigned)atoi(argv[2]));
	while (wait4(child, &st, 0, &ru) < 0)
		;
	status = WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
	cpu_us = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	    (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
	f = fopen(argv[1], "w");
	if (f == NULL) {
		perror(argv[1]);
		return 73;
	}
	fprintf(f, "%d %lld %ld\n", status, cpu_us, ru.ru_maxrss);
	return fclose(f) == 0 ? 0 : 74;
}
