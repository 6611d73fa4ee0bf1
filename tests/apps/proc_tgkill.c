/* Thread-directed signals across processes: tgkill(child, child, sig),
 * tkill(child, sig) and rt_tgsigqueueinfo (sigqueue's value travels) reach
 * a child blocked in read(), whose handler runs and whose read fails with
 * EINTR; signal 0 probes; a tid that is not the child's gives ESRCH; a
 * sender may not forge SI_TKILL towards another process (EPERM). */
#include "check.h"
#include <sys/syscall.h>

static volatile int got_sig, got_code, got_value;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
}

/* A child that reports "ready", waits in read() and writes back what
 * interrupted it: the signal, its si_code class, the value, read's errno. */
static pid_t start_child(int report[2], int data[2])
{
	SYS(pipe(report));
	SYS(pipe(data));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
		sigaction(SIGUSR1, &sa, NULL);
		sigaction(SIGRTMIN, &sa, NULL);
		if (write(report[1], "r", 1) != 1)
			_exit(100);
		char b;
		ssize_t n = read(data[0], &b, 1);
		int out[4] = {got_sig, got_code, got_value, n == -1 ? errno : 0};
		if (write(report[1], out, sizeof(out)) != sizeof(out))
			_exit(101);
		_exit(0);
	}
	char c;
	CHECK(read(report[0], &c, 1) == 1);
	return pid;
}

static void finish(pid_t pid, int report[2], int data[2], int out[4])
{
	CHECK(read(report[0], out, 4 * sizeof(int)) == 4 * sizeof(int));
	CHECK(wait_status(pid) == 0);
	close(report[0]), close(report[1]), close(data[0]), close(data[1]);
}

/* The child's report: SIGUSR1's handler ran and interrupted its read. */
static void expect_usr1(pid_t pid, int report[2], int data[2], const char *what)
{
	int out[4];
	finish(pid, report, data, out);
	CHECK(out[0] == SIGUSR1 && out[3] == EINTR);
	SAY("%s: handler ran %d, read %s\n", what, out[0] == SIGUSR1,
	    out[3] == EINTR ? "EINTR" : "not interrupted");
}

int main(void)
{
	alarm(10);
	int report[2], data[2], out[4];

	pid_t pid = start_child(report, data);
	SYS(syscall(SYS_tgkill, pid, pid, 0));
	ERR(syscall(SYS_tgkill, pid, pid + 100000, SIGUSR1), ESRCH);
	usleep(20000); /* let it block in read */
	SYS(syscall(SYS_tgkill, pid, pid, SIGUSR1));
	expect_usr1(pid, report, data, "tgkill(child, child, SIGUSR1)");

	pid = start_child(report, data);
	usleep(20000);
	SYS(syscall(SYS_tkill, pid, SIGUSR1));
	expect_usr1(pid, report, data, "tkill(child, SIGUSR1)");

	pid = start_child(report, data);
	usleep(20000);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN;
	si.si_code = SI_TKILL;
	si.si_pid = getpid();
	ERR(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGRTMIN, &si), EPERM);
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	SYS(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGRTMIN, &si));
	finish(pid, report, data, out);
	CHECK(out[0] == SIGRTMIN && out[1] == SI_QUEUE && out[2] == 42 && out[3] == EINTR);
	SAY("rt_tgsigqueueinfo(SI_QUEUE, 42): signal right %d, code SI_QUEUE %d, value %d\n",
	    out[0] == SIGRTMIN, out[1] == SI_QUEUE, out[2]);
	DONE();
}
