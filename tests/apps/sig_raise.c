/* sigaction and raise: handlers, siginfo, SA_RESETHAND, SIG_IGN, SA_NODEFER. */
#include "check.h"

static volatile int hits, last_signo, last_code, nested_blocked;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_signo = si->si_signo;
	last_code = si->si_code;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	nested_blocked = sigismember(&cur, sig);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO }, old;
	SYS(sigaction(SIGUSR1, &sa, &old));
	CHECK(old.sa_handler == SIG_DFL);
	SYS(raise(SIGUSR1));
	CHECK(hits == 1 && last_signo == SIGUSR1 && last_code == SI_TKILL);
	CHECK(nested_blocked == 1);
	SAY("raise: signo SIGUSR1 %d, code SI_TKILL %d, blocked in handler %d\n",
	    last_signo == SIGUSR1, last_code == SI_TKILL, nested_blocked);
	SYS(kill(getpid(), SIGUSR1));
	CHECK(hits == 2 && last_code == SI_USER);
	SAY("kill: code SI_USER %d\n", last_code == SI_USER);
	/* SA_RESETHAND: the second one would kill, so ignore afterwards. */
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	SYS(sigaction(SIGUSR2, &sa, NULL));
	SYS(raise(SIGUSR2));
	CHECK(hits == 3 && nested_blocked == 0);
	SYS(sigaction(SIGUSR2, NULL, &old));
	CHECK(old.sa_handler == SIG_DFL);
	SAY("SA_RESETHAND reset to SIG_DFL: %d, SA_NODEFER unblocked %d\n", old.sa_handler == SIG_DFL, nested_blocked == 0);
	signal(SIGUSR2, SIG_IGN);
	SYS(raise(SIGUSR2));
	CHECK(hits == 3);
	SAY("SIG_IGN: no handler\n");
	/* sa_mask is applied during the handler. */
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	SYS(sigaction(SIGHUP, &sa, NULL));
	SYS(raise(SIGHUP));
	CHECK(hits == 4);
	ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	ERR(sigaction(65, &sa, NULL), EINVAL);
	SAY("SIGKILL/SIGSTOP/65 refused\n");
	/* A real-time signal with a value through sigqueue. */
	SYS(sigaction(SIGRTMIN + 1, &sa, NULL));
	union sigval v = { .sival_int = 77 };
	SYS(sigqueue(getpid(), SIGRTMIN + 1, v));
	CHECK(hits == 5 && last_code == SI_QUEUE);
	SAY("sigqueue: code SI_QUEUE %d\n", last_code == SI_QUEUE);
	DONE();
}
