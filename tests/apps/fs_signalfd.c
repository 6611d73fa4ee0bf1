/* signalfd: blocked signals read as records. */
#include "check.h"
#include <poll.h>
#include <sys/signalfd.h>

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	SYS(sigprocmask(SIG_BLOCK, &set, NULL));
	int s = SYS(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
	struct signalfd_siginfo si;
	ERR(read(s, &si, sizeof(si)), EAGAIN);
	SYS(raise(SIGUSR1));
	struct pollfd pf = { s, POLLIN, 0 };
	CHECK(poll(&pf, 1, 1000) == 1);
	CHECK(read(s, &si, sizeof(si)) == sizeof(si));
	CHECK(si.ssi_signo == SIGUSR1 && si.ssi_pid == (uint32_t)getpid() && si.ssi_code == SI_TKILL);
	SAY("read SIGUSR1 from self: %d\n", si.ssi_signo == SIGUSR1);
	union sigval v = { .sival_int = 99 };
	SYS(sigqueue(getpid(), SIGUSR2, v));
	CHECK(read(s, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR2 && si.ssi_int == 99);
	SAY("sigqueue value: %d\n", si.ssi_int);
	sigset_t pend;
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
	ERR(read(s, &si, 8), EINVAL);
	/* Change the set in place. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(signalfd(s, &set, 0) == s);
	SYS(raise(SIGUSR1));
	ERR(read(s, &si, sizeof(si)), EAGAIN);
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR1));
	SAY("set changed: SIGUSR1 stays pending\n");
	close(s);
	DONE();
}
