/* sigprocmask and sigpending: a blocked signal waits, then arrives on unblock. */
#include "check.h"

static volatile int hits;
static void on_usr1(int sig) { (void)sig; hits++; }

int main(void)
{
	signal(SIGUSR1, on_usr1);
	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	SYS(sigprocmask(SIG_BLOCK, &set, &old));
	CHECK(!sigismember(&old, SIGUSR1));
	SYS(raise(SIGUSR1));
	SYS(raise(SIGUSR1));
	CHECK(hits == 0);
	SYS(sigpending(&pend));
	CHECK(sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
	SAY("blocked: pending %d, delivered %d\n", sigismember(&pend, SIGUSR1), hits);
	SYS(sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK(hits == 1);
	SAY("unblocked: delivered once (standard signals merge): %d\n", hits);
	SYS(sigpending(&pend));
	CHECK(!sigismember(&pend, SIGUSR1));
	/* SIGKILL and SIGSTOP cannot be blocked. */
	sigfillset(&set);
	SYS(sigprocmask(SIG_SETMASK, &set, NULL));
	SYS(sigprocmask(SIG_SETMASK, NULL, &old));
	CHECK(!sigismember(&old, SIGKILL) && !sigismember(&old, SIGSTOP));
	CHECK(sigismember(&old, SIGUSR2));
	SAY("SIGKILL and SIGSTOP stay unblocked\n");
	/* Real-time signals queue each instance. */
	signal(SIGRTMIN + 2, on_usr1);
	hits = 0;
	for (int i = 0; i < 3; i++)
		SYS(raise(SIGRTMIN + 2));
	sigemptyset(&set);
	SYS(sigprocmask(SIG_SETMASK, &set, NULL));
	CHECK(hits == 3);
	SAY("real-time signals queued: %d\n", hits);
	ERR(sigprocmask(99, &set, NULL), EINVAL);
	DONE();
}
