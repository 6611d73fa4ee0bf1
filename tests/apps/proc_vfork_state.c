/* What a vfork child shares with its parent and what it has of its own:
 * memory is shared (a failed exec's errno reaches the parent), while the
 * descriptor table, the signal actions and mask, MXCSR and the pid are the
 * child's own, and so is a SIGPIPE its write raises; a child that dies of a
 * fault leaves the parent running; a signal pending in the parent waits for
 * the parent; an ignored signal stays ignored across the child's exec. */
#include "check.h"
#include <signal.h>
#include <sys/wait.h>

extern char **environ;

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

static unsigned mxcsr(void)
{
	unsigned v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

int main(void)
{
	alarm(10);
	pid_t me = getpid();

	/* Shared memory: a failed execve's errno, written by the child. */
	static volatile int child_errno;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = { "nothing", NULL };
		execve("/no/such/program", argv, environ);
		child_errno = errno;
		_exit(5);
	}
	int s = wait_status(pid);
	CHECK(s == 5 && child_errno == ENOENT);
	SAY("failed exec: status %d, errno seen by the parent: %s\n", s,
	    child_errno == ENOENT ? "ENOENT" : "other");

	/* The child's pid is its own: it reports pid % 100 as its status. */
	fflush(stdout);
	pid = vfork();
	if (pid == 0)
		_exit(getpid() == me ? 255 : getpid() % 100);
	s = wait_status(pid);
	CHECK(s == pid % 100);
	SAY("child's getpid is the pid vfork returned: %d\n", s == pid % 100);

	/* Its own descriptor table: it closes stdout and duplicates a pipe
	 * onto 0; the parent's stdout still works and 0 is unchanged. */
	int p[2];
	SYS(pipe(p));
	int fl0 = fcntl(0, F_GETFL);
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(1);
		close(p[0]);
		close(p[1]);
		_exit(fcntl(1, F_GETFD) == -1 && errno == EBADF ? 0 : 1);
	}
	s = wait_status(pid);
	CHECK(s == 0 && fcntl(1, F_GETFD) == 0 && fcntl(p[0], F_GETFD) == 0 &&
	      fcntl(0, F_GETFL) == fl0);
	SAY("child's closes and dup2 left the parent's table alone: %d\n", s == 0);
	SYS(close(p[0]));
	SYS(close(p[1]));

	/* Its own signal actions and mask, and MXCSR (round up, in the child). */
	struct sigaction sa = { .sa_handler = on_usr1 };
	SYS(sigaction(SIGUSR1, &sa, NULL));
	sigset_t none, old;
	sigemptyset(&none);
	unsigned m0 = mxcsr();
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		struct sigaction ign = { .sa_handler = SIG_IGN };
		sigaction(SIGUSR1, &ign, NULL);
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		unsigned up = (mxcsr() & ~0x6000u) | 0x4000u;
		__asm__ volatile("ldmxcsr %0" : : "m"(up));
		_exit(0);
	}
	s = wait_status(pid);
	SYS(sigprocmask(SIG_SETMASK, &none, &old));
	struct sigaction now;
	SYS(sigaction(SIGUSR1, NULL, &now));
	raise(SIGUSR1);
	CHECK(s == 0 && now.sa_handler == on_usr1 && usr1_seen == 1 && !sigismember(&old, SIGUSR2) &&
	      mxcsr() == m0);
	SAY("parent's handler, mask and MXCSR after the child changed its own: %d %d %d\n",
	    now.sa_handler == on_usr1 && usr1_seen == 1, !sigismember(&old, SIGUSR2), mxcsr() == m0);

	/* An ignored signal stays ignored across the child's exec. */
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		struct sigaction ign = { .sa_handler = SIG_IGN };
		sigaction(SIGUSR1, &ign, NULL);
		char *argv[] = { "sh", "-c", "kill -USR1 $$; exit 4", NULL };
		execve("/bin/sh", argv, environ);
		_exit(127);
	}
	s = wait_status(pid);
	CHECK(s == 4);
	SAY("SIGUSR1 ignored through exec: status %d\n", s);

	/* A signal pending in the parent is not the child's, even when the
	 * child unblocks it: the parent takes it once it unblocks it. */
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	SYS(sigprocmask(SIG_BLOCK, &usr1, NULL));
	usr1_seen = 0;
	raise(SIGUSR1);
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &usr1, NULL);
		char *argv[] = { "true", NULL };
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	s = wait_status(pid);
	int before = usr1_seen;
	SYS(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK(s == 0 && before == 0 && usr1_seen == 1);
	SAY("parent's pending signal: not run by the child %d, then delivered %d\n", before == 0,
	    usr1_seen == 1);

	/* SIGPIPE from the child's own write is the child's: it dies of it,
	 * and nothing is pending for the parent. */
	SYS(pipe(p));
	SYS(close(p[0]));
	sigset_t pipe_set, pend;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	SYS(sigprocmask(SIG_BLOCK, &pipe_set, NULL));
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &pipe_set, NULL);
		ssize_t w = write(p[1], "x", 1);
		_exit(w < 0 ? 2 : 3);
	}
	s = wait_status(pid);
	SYS(sigpending(&pend));
	CHECK(s == 128 + SIGPIPE && !sigismember(&pend, SIGPIPE));
	SAY("child's SIGPIPE: status %d, pending in the parent: %d\n", s,
	    sigismember(&pend, SIGPIPE));
	SYS(sigprocmask(SIG_UNBLOCK, &pipe_set, NULL));
	SYS(close(p[1]));

	/* A signal for the parent while the child waits in open() (of a FIFO
	 * with no writer yet) does not interrupt the child; the parent takes
	 * it once back. */
	SYS(mkfifo("vfork.fifo", 0600));
	usr1_seen = 0;
	pid_t helper = FORK();
	if (helper == 0) {
		usleep(200000);
		kill(me, SIGUSR1);
		usleep(200000);
		int w = open("vfork.fifo", O_WRONLY);
		_exit(w >= 0 ? 0 : 1);
	}
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		int r = open("vfork.fifo", O_RDONLY);
		_exit(r >= 0 ? 0 : errno == EINTR ? 2 : 3);
	}
	s = wait_status(pid);
	CHECK(s == 0 && wait_ok(helper) && usr1_seen == 1);
	SAY("child's open through the parent's signal: status %d, parent's handler ran %d\n", s,
	    usr1_seen);
	SYS(unlink("vfork.fifo"));

	/* A child that dies of a fault: the parent sees SIGSEGV and goes on. */
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		unsigned up = (mxcsr() & ~0x6000u) | 0x4000u;
		__asm__ volatile("ldmxcsr %0" : : "m"(up));
		*(volatile int *)16 = 1;
		_exit(0);
	}
	s = wait_status(pid);
	CHECK(s == 128 + SIGSEGV && getpid() == me && mxcsr() == m0);
	SAY("child's fault: status %d, parent alive, its MXCSR kept %d\n", s, mxcsr() == m0);
	ERR(wait(NULL), ECHILD);
	DONE();
}
