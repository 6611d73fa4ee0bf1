/*
 * walltime CMD [ARG...]: runs CMD (posix_spawnp, stdin and stdout
 * inherited), waits for it and prints "wall NS" (its wall-clock time, start
 * to reaped, CLOCK_MONOTONIC).  Exits with CMD's status, or 128 + the signal
 * that killed it, so that bench/proc.sh can tell a failure from a time.
 * Used for what cannot time itself, such as a shell script in a sandbox.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: walltime CMD [ARG...]\n");
		return 2;
	}
	pid_t pid;
	uint64_t t0 = now_ns();
	int e = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
	if (e) {
		fprintf(stderr, "walltime: %s: %s\n", argv[1], strerror(e));
		return 127;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("walltime: waitpid");
			return 1;
		}
	uint64_t t1 = now_ns();
	printf("wall %llu\n", (unsigned long long)(t1 - t0));
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
