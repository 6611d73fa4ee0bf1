/* Wait statuses: WIFEXITED/WEXITSTATUS for exit codes, WIFSIGNALED/
 * WTERMSIG for children killed by SIGKILL, by a SIGSEGV fault, by raise
 * and abort, WIFSTOPPED/WIFCONTINUED with WUNTRACED and WCONTINUED. */
#include "check.h"
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static pid_t child(int how)
{
	pid_t pid = FORK();
	if (pid != 0)
		return pid;
	alarm(5);
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0);
	switch (how) {
	case 0: _exit(0);
	case 1: _exit(3);
	case 2: exit(-1);
	case 3: for (;;) pause();
	case 4: *(volatile int *)8 = 1; break;
	case 5: raise(SIGTERM); break;
	case 6: abort();
	}
	_exit(100);
}

static int reap(pid_t pid, int flags)
{
	int st = -1;
	if (waitpid(pid, &st, flags) != pid)
		return -1;
	return st;
}

int main(void)
{
	alarm(5);
	int st = reap(child(0), 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !WIFSIGNALED(st) && !WIFSTOPPED(st));
	SAY("_exit(0): exited %d, code %d\n", WIFEXITED(st), WEXITSTATUS(st));
	st = reap(child(1), 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	SAY("_exit(3): exited %d, code %d\n", WIFEXITED(st), WEXITSTATUS(st));
	st = reap(child(2), 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 255);
	SAY("exit(-1): exited %d, code %d\n", WIFEXITED(st), WEXITSTATUS(st));

	pid_t pid = child(3);
	SYS(kill(pid, SIGKILL));
	st = reap(pid, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && !WIFEXITED(st));
	SAY("SIGKILL: signaled %d, signal %s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));

	st = reap(child(4), 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	SAY("bad store: signaled %d, signal %s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));
	st = reap(child(5), 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	SAY("raise(SIGTERM): signaled %d, signal %s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));
	st = reap(child(6), 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	SAY("abort(): signaled %d, signal %s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));

	/* Stop and continue. */
	pid = child(3);
	SYS(kill(pid, SIGSTOP));
	st = reap(pid, WUNTRACED);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP && !WIFEXITED(st) && !WIFSIGNALED(st));
	SAY("SIGSTOP: stopped %d, signal %s\n", WIFSTOPPED(st), sigabbrev_np(WSTOPSIG(st)));
	/* The stop is reported once. */
	CHECK(reap(pid, WUNTRACED | WNOHANG) == -1);
	SYS(kill(pid, SIGCONT));
	st = reap(pid, WCONTINUED);
	CHECK(WIFCONTINUED(st) && !WIFSTOPPED(st));
	SAY("SIGCONT: continued %d\n", WIFCONTINUED(st));
	SYS(kill(pid, SIGKILL));
	st = reap(pid, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	SAY("then SIGKILL: signaled %d, signal %s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));
	ERR(wait(&st), ECHILD);
	DONE();
}
