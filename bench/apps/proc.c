/*
 * The process-creation drivers of bench/proc.sh (issue 5):
 *
 *   proc fork N [MIB]    touches MIB MiB (default 0: malloc + memset, outside
 *                        the timing), then N times: fork, the child _exits 0,
 *                        the parent waitpids.  Prints "fork NS_PER_ITERATION".
 *   proc exec PROG N     N times: fork, the child execve's PROG (argv {PROG},
 *                        this environment), the parent waitpids.  Prints
 *                        "exec NS_PER_ITERATION".
 *   proc spawn PROG N    N times: posix_spawn of PROG, waitpid.  Prints
 *                        "spawn NS_PER_ITERATION".
 *   proc spawnpar K N PROG [ARG...]
 *                        N rounds of: K posix_spawns of PROG ARG... side by
 *                        side, then K waitpids.  Prints "spawnpar
 *                        NS_PER_ROUND".  With PROG "proc spin MS", the
 *                        children work in parallel: the cost of where a
 *                        sandbox starts its children shows as time beyond
 *                        MS * K / CPUs.
 *   proc spin MS         busy for MS milliseconds of CPU time, then exits 0.
 *
 * Every child must exit with status 0, else the driver says why on stderr
 * and exits 1 (so does a failing fork, exec or posix_spawn): bench/proc.sh
 * records that as a failure, not as a time.  A loop also ends after LIMIT_S
 * seconds (with the iterations done so far), so that a slow implementation
 * still gives a number within the harness's time budget; the count actually
 * done goes to stderr when it is below N.
 */
#include "app.h"
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT_S 3

extern char **environ;

static void check_child(pid_t pid, const char *what)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r != pid)
		fail("waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st))
		fprintf(stderr, "%s: child exited with status %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(stderr, "%s: child killed by signal %d\n", what, WTERMSIG(st));
	else
		fprintf(stderr, "%s: child status %#x\n", what, st);
	exit(1);
}

static void one_fork(const char *prog)
{
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		if (prog) {
			char *argv[] = { (char *)prog, NULL };
			execve(prog, argv, environ);
			_exit(127); /* the parent reports the status */
		}
		_exit(0);
	}
	check_child(pid, prog ? "exec" : "fork");
}

static pid_t spawn_argv(char **argv);

static void one_spawn(const char *prog)
{
	char *argv[] = { (char *)prog, NULL };
	check_child(spawn_argv(argv), "spawn");
}

static pid_t spawn_argv(char **argv)
{
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (e) {
		errno = e;
		fail("posix_spawn");
	}
	return pid;
}

/* Busy for ms of CPU time (not wall time: a child that shares its CPU
 * takes longer, as real work would). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void spin_ms(uint64_t ms)
{
	uint64_t end = cpu_ns() + ms * 1000000ull;
	while (cpu_ns() < end)
		;
}

static void usage(void)
{
	fprintf(stderr, "usage: proc fork N [MIB] | proc exec PROG N | proc spawn PROG N |\n"
			"       proc spawnpar K N PROG [ARG...] | proc spin MS\n");
	exit(2);
}

/* spawnpar: rounds of k children side by side. */
static int spawn_parallel(int argc, char **argv)
{
	if (argc < 5)
		usage();
	uint64_t k = arg_count(argc, argv, 2, 2), n = arg_count(argc, argv, 3, 10), i;
	pid_t pids[64];
	if (k > 64)
		usage();
	uint64_t t0 = now_ns(), end = t0 + LIMIT_S * 1000000000ull, t = t0;
	for (i = 0; i < n && t < end; i++) {
		for (uint64_t j = 0; j < k; j++)
			pids[j] = spawn_argv(argv + 4);
		for (uint64_t j = 0; j < k; j++)
			check_child(pids[j], "spawnpar");
		t = now_ns();
	}
	report("spawnpar", t0, t, i);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	const char *mode = argv[1], *prog = NULL;
	uint64_t n, mib = 0;
	if (!strcmp(mode, "spin")) {
		spin_ms(arg_count(argc, argv, 2, 10));
		return 0;
	}
	if (!strcmp(mode, "spawnpar"))
		return spawn_parallel(argc, argv);
	if (!strcmp(mode, "fork")) {
		n = arg_count(argc, argv, 2, 1000);
		mib = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	} else if (!strcmp(mode, "exec") || !strcmp(mode, "spawn")) {
		if (argc < 4)
			usage();
		prog = argv[2];
		n = arg_count(argc, argv, 3, 1000);
	} else {
		usage();
	}
	if (mib) {
		size_t len = (size_t)mib << 20;
		char *p = malloc(len);
		if (!p)
			fail("malloc");
		memset(p, 1, len);
		__asm__ volatile("" : : "r"(p) : "memory"); /* keep the memset */
	}
	uint64_t i, t0 = now_ns(), end = t0 + LIMIT_S * 1000000000ull, t = t0;
	for (i = 0; i < n && t < end; i++) {
		if (!strcmp(mode, "spawn"))
			one_spawn(prog);
		else
			one_fork(prog);
		t = now_ns();
	}
	if (i < n)
		fprintf(stderr, "%s: stopped after %llu of %llu iterations (%d s)\n", mode,
			(unsigned long long)i, (unsigned long long)n, LIMIT_S);
	report(mode, t0, t, i);
	return 0;
}
