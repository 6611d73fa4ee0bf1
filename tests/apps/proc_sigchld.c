/* SIGCHLD: a SA_SIGINFO handler runs when a child exits, with si_pid,
 * si_code CLD_EXITED and si_status; SA_NOCLDSTOP suppresses it for stops;
 * with SIGCHLD ignored, or SA_NOCLDWAIT, children are reaped by themselves
 * and wait blocks until they are gone, then fails with ECHILD. */
#include "check.h"
#include <sys/wait.h>

static volatile int hits;
static volatile pid_t got_pid;
static volatile int got_code, got_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	got_pid = si->si_pid;
	got_code = si->si_code;
	got_status = si->si_status;
}

static int chld_pending(void)
{
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, SIGCHLD);
}

/* An auto-reaped child's pid is gone (ESRCH).  Linux wakes the waiting
 * parent as the child exits and releases the pid a moment later, so a
 * loaded machine may show it for a few milliseconds more: wait up to 1 s. */
static int reaped(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 1;
		usleep(10000);
	}
	return 0;
}

int main(void)
{
	alarm(5);
	sigset_t block, empty;
	sigemptyset(&block);
	sigemptyset(&empty);
	sigaddset(&block, SIGCHLD);
	SYS(sigprocmask(SIG_BLOCK, &block, NULL));
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO };
	SYS(sigaction(SIGCHLD, &sa, NULL));

	pid_t pid = spawn(3);
	while (hits == 0)
		sigsuspend(&empty);
	CHECK(hits == 1 && got_pid == pid && got_code == CLD_EXITED && got_status == 3);
	SAY("handler ran: %d, for the child %d, CLD_EXITED %d, status %d\n", hits,
	    got_pid == pid, got_code == CLD_EXITED, got_status);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3);
	SAY("child still reaped with waitpid: %d\n", WEXITSTATUS(st));

	/* Killed child: CLD_KILLED. */
	pid = spawn(-1);
	SYS(kill(pid, SIGKILL));
	while (hits == 1)
		sigsuspend(&empty);
	CHECK(got_pid == pid && got_code == CLD_KILLED && got_status == SIGKILL);
	SAY("killed child: CLD_KILLED %d, signal %s\n", got_code == CLD_KILLED, sigabbrev_np(got_status));
	CHECK(waitpid(pid, &st, 0) == pid);

	/* Stops raise SIGCHLD unless SA_NOCLDSTOP. */
	pid = spawn(-1);
	SYS(kill(pid, SIGSTOP));
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	/* The stopped child's SIGCHLD may come before or after waitpid sees
	 * it stopped (and standard signals coalesce): wait for its report. */
	while (!(got_pid == pid && got_code == CLD_STOPPED))
		sigsuspend(&empty);
	/* si_status may be 0: Linux fills it from the group's stop code, which
	 * a WUNTRACED wait clears when it reports the stop, and the child may
	 * notify its parent only after that wait (a race moat's timing hits
	 * about one run in ten).  waitpid's WSTOPSIG above is always right. */
	CHECK(got_pid == pid && got_code == CLD_STOPPED &&
	      (got_status == SIGSTOP || got_status == 0));
	SAY("stop without SA_NOCLDSTOP: handler saw CLD_STOPPED %d\n", got_code == CLD_STOPPED);
	sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
	SYS(sigaction(SIGCHLD, &sa, NULL));
	SYS(kill(pid, SIGCONT));
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st));
	SYS(kill(pid, SIGSTOP));
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	usleep(20000);
	int p = chld_pending();
	CHECK(!p);
	SAY("continue and stop with SA_NOCLDSTOP: SIGCHLD pending %d\n", p);
	SYS(kill(pid, SIGKILL));
	CHECK(waitpid(pid, &st, 0) == pid && WTERMSIG(st) == SIGKILL);
	p = chld_pending();
	CHECK(p);
	SAY("exit with SA_NOCLDSTOP: SIGCHLD pending %d\n", p);
	hits = 0;
	while (hits == 0)
		sigsuspend(&empty);

	/* SIG_IGN: no zombies; wait blocks until the child is gone. */
	SYS(sigprocmask(SIG_UNBLOCK, &block, NULL));
	signal(SIGCHLD, SIG_IGN);
	pid = FORK();
	if (pid == 0) {
		usleep(30000);
		_exit(5);
	}
	errno = 0;
	pid_t r = wait(&st);
	CHECK(r == -1 && errno == ECHILD);
	SAY("SIGCHLD ignored: wait gives %s\n", r == -1 ? strerrorname_np(errno) : "a child");
	CHECK(reaped(pid));
	SAY("and the child is gone: ESRCH\n");

	/* SA_NOCLDWAIT with a handler: same, and the handler still runs. */
	hits = 0;
	sa.sa_flags = SA_SIGINFO | SA_NOCLDWAIT;
	SYS(sigaction(SIGCHLD, &sa, NULL));
	pid = spawn(6);
	errno = 0;
	r = waitpid(pid, &st, 0);
	CHECK(r == -1 && errno == ECHILD);
	SAY("SA_NOCLDWAIT: waitpid gives %s\n", r == -1 ? strerrorname_np(errno) : "a child");
	CHECK(reaped(pid));
	SYS(sigprocmask(SIG_BLOCK, &block, NULL));
	while (hits == 0)
		sigsuspend(&empty);
	CHECK(got_pid == pid && got_code == CLD_EXITED && got_status == 6);
	SAY("SA_NOCLDWAIT handler ran for the child: %d\n", got_pid == pid);
	DONE();
}
