/* getrusage(RUSAGE_CHILDREN): unchanged by a child that has exited but
 * has not been waited for, and after the wait it includes the
 * child's CPU time (the child burns at least 100 ms) and its peak memory
 * (it touches 32 MB); wait4 reports the child's own usage; a grandchild
 * counts only once its parent waited for it. */
#include "check.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long ms(struct timeval a, struct timeval b)
{
	return (a.tv_sec + b.tv_sec) * 1000L + (a.tv_usec + b.tv_usec) / 1000;
}

static void burn(double seconds)
{
	struct timespec ts;
	do {
		for (volatile int i = 0; i < 100000; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while (ts.tv_sec + ts.tv_nsec / 1e9 < seconds);
}

int main(void)
{
	alarm(5);
	/* A baseline: zero when this process was freshly forked, but an
	 * exec'ing shell could have waited for children before. */
	struct rusage ru, base;
	SYS(getrusage(RUSAGE_CHILDREN, &base));
	long t0 = ms(base.ru_utime, base.ru_stime);
	CHECK(t0 >= 0 && base.ru_maxrss >= 0);
	CHECK(base.ru_maxrss < 32 * 1024);
	SAY("before any child: baseline taken\n");

	int go[2];
	SYS(pipe(go));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(go[1]);
		burn(0.1);
		size_t size = 32 << 20;
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 1, size);
		char c;
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	SYS(close(go[0]));
	/* The child has finished its work when it exits; until the wait,
	 * nothing is counted. */
	siginfo_t si;
	SYS(close(go[1]));
	SYS(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	SYS(getrusage(RUSAGE_CHILDREN, &ru));
	int same = !memcmp(&ru, &base, sizeof(ru));
	CHECK(same);
	SAY("exited but not waited for: unchanged %d\n", same);

	struct rusage own;
	int st = 0;
	CHECK(wait4(pid, &st, 0, &own) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	long t_own = ms(own.ru_utime, own.ru_stime);
	CHECK(t_own >= 90 && t_own < 5000);
	CHECK(own.ru_maxrss >= 32 * 1024);
	SAY("wait4: child's cpu time at least 90 ms %d, maxrss at least 32 MB %d\n",
	    t_own >= 90, own.ru_maxrss >= 32 * 1024);
	SYS(getrusage(RUSAGE_CHILDREN, &ru));
	long t = ms(ru.ru_utime, ru.ru_stime);
	CHECK(t - t0 >= 90 && t - t0 < 5000 && ru.ru_maxrss >= 32 * 1024);
	SAY("RUSAGE_CHILDREN after the wait: cpu time grew by at least 90 ms %d, maxrss at least 32 MB %d\n",
	    t - t0 >= 90, ru.ru_maxrss >= 32 * 1024);
	CHECK(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
	      ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
	CHECK(ru.ru_minflt >= 0 && ru.ru_majflt >= 0 && ru.ru_nvcsw >= 0 && ru.ru_nivcsw >= 0);
	SAY("fields normalised and non-negative\n");

	/* A grandchild burns 100 ms; its parent waits for it, so it is in
	 * the parent's RUSAGE_CHILDREN and then in ours. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		pid_t g = fork();
		if (g == 0) {
			burn(0.1);
			_exit(0);
		}
		int s = 0;
		if (waitpid(g, &s, 0) != g)
			_exit(1);
		struct rusage r;
		getrusage(RUSAGE_CHILDREN, &r);
		_exit(ms(r.ru_utime, r.ru_stime) >= 90 ? 0 : 2);
	}
	CHECK(wait_ok(pid));
	struct rusage ru2;
	SYS(getrusage(RUSAGE_CHILDREN, &ru2));
	long t2 = ms(ru2.ru_utime, ru2.ru_stime);
	CHECK(t2 >= t + 90);
	SAY("a waited-for grandchild's time reaches us through its parent: %d\n", t2 >= t + 90);
	DONE();
}
