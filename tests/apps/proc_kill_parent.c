/* A child signals its parent: kill(getppid(), SIGUSR1) wakes the parent in
 * sigsuspend with si_pid the child and si_code SI_USER; sigqueue carries a
 * value (SI_QUEUE); five SIGUSR2s sent while blocked merge into one, five
 * queued SIGRTMINs arrive five times, in order. */
#include "check.h"
#include <sys/wait.h>

static volatile int usr1, usr2, rt;
static volatile pid_t from;
static volatile int code, value, uid_ok;
static volatile int rt_values[8];

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1) {
		usr1++;
		from = si->si_pid;
		code = si->si_code;
		value = si->si_value.sival_int;
		uid_ok = si->si_uid == getuid();
	} else if (sig == SIGUSR2) {
		usr2++;
	} else if (rt < 8) {
		rt_values[rt++] = si->si_value.sival_int;
	}
}

static pid_t child(int what)
{
	pid_t pid = FORK();
	if (pid != 0)
		return pid;
	pid_t pp = getppid();
	union sigval v = { .sival_int = 1234 };
	switch (what) {
	case 0:
		kill(pp, SIGUSR1);
		break;
	case 1:
		sigqueue(pp, SIGUSR1, v);
		break;
	case 2:
		for (int i = 0; i < 5; i++)
			kill(pp, SIGUSR2);
		break;
	case 3:
		for (int i = 1; i <= 5; i++) {
			v.sival_int = i;
			sigqueue(pp, SIGRTMIN, v);
		}
		break;
	}
	_exit(0);
}

int main(void)
{
	alarm(5);
	sigset_t all, only_usr1;
	sigemptyset(&all);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGUSR2);
	sigaddset(&all, SIGRTMIN);
	SYS(sigprocmask(SIG_BLOCK, &all, NULL));
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	SYS(sigaction(SIGUSR1, &sa, NULL));
	SYS(sigaction(SIGUSR2, &sa, NULL));
	SYS(sigaction(SIGRTMIN, &sa, NULL));
	SYS(sigprocmask(SIG_BLOCK, NULL, &only_usr1));
	sigdelset(&only_usr1, SIGUSR1);

	pid_t pid = child(0);
	while (usr1 == 0)
		sigsuspend(&only_usr1);
	CHECK(usr1 == 1 && from == pid && code == SI_USER && uid_ok);
	SAY("kill from the child: handled %d, si_pid is the child %d, SI_USER %d, uid %d\n",
	    usr1, from == pid, code == SI_USER, uid_ok);
	CHECK(wait_ok(pid));

	pid = child(1);
	while (usr1 == 1)
		sigsuspend(&only_usr1);
	CHECK(from == pid && code == SI_QUEUE && value == 1234);
	SAY("sigqueue from the child: SI_QUEUE %d, value %d\n", code == SI_QUEUE, value);
	CHECK(wait_ok(pid));

	/* Once the child is reaped all its signals have been sent. */
	pid = child(2);
	CHECK(wait_ok(pid));
	sigset_t pend;
	SYS(sigpending(&pend));
	CHECK(sigismember(&pend, SIGUSR2));
	sigset_t u2;
	sigemptyset(&u2);
	sigaddset(&u2, SIGUSR2);
	SYS(sigprocmask(SIG_UNBLOCK, &u2, NULL));
	CHECK(usr2 == 1);
	SAY("five SIGUSR2s while blocked: handled %d time(s)\n", usr2);

	pid = child(3);
	CHECK(wait_ok(pid));
	sigset_t r;
	sigemptyset(&r);
	sigaddset(&r, SIGRTMIN);
	SYS(sigprocmask(SIG_UNBLOCK, &r, NULL));
	CHECK(rt == 5);
	int inorder = 1;
	for (int i = 0; i < rt; i++)
		if (rt_values[i] != i + 1)
			inorder = 0;
	CHECK(inorder);
	SAY("five queued SIGRTMINs: handled %d times, values in order %d\n", rt, inorder);

	/* The child probes its parent with signal 0. */
	pid = FORK();
	if (pid == 0)
		_exit(kill(getppid(), 0) == 0 ? 0 : 1);
	CHECK(wait_ok(pid));
	SAY("kill(getppid(), 0) in the child: ok\n");
	DONE();
}
