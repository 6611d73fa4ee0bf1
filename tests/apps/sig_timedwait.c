/* sigtimedwait and sigwaitinfo: timeouts, values, order of real-time signals. */
#include "check.h"

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 3);
	SYS(sigprocmask(SIG_BLOCK, &set, NULL));
	struct timespec to = { 0, 30000000 };
	siginfo_t si;
	double t0 = check_now();
	ERR(sigtimedwait(&set, &si, &to), EAGAIN);
	CHECK(check_now() - t0 >= 0.025);
	SAY("timeout: EAGAIN\n");
	struct timespec zero = { 0, 0 };
	ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	SYS(raise(SIGUSR1));
	int sig = SYS(sigtimedwait(&set, &si, &to));
	CHECK(sig == SIGUSR1 && si.si_signo == SIGUSR1 && si.si_pid == getpid());
	SAY("got SIGUSR1 from self: %d\n", sig == SIGUSR1 && si.si_pid == getpid());
	union sigval v;
	v.sival_int = 1; SYS(sigqueue(getpid(), SIGRTMIN + 3, v));
	v.sival_int = 2; SYS(sigqueue(getpid(), SIGRTMIN, v));
	v.sival_int = 3; SYS(sigqueue(getpid(), SIGRTMIN, v));
	int order[3], vals[3];
	for (int i = 0; i < 3; i++) {
		order[i] = SYS(sigwaitinfo(&set, &si)) - SIGRTMIN;
		vals[i] = si.si_value.sival_int;
		CHECK(si.si_code == SI_QUEUE);
	}
	CHECK(order[0] == 0 && order[1] == 0 && order[2] == 3);
	CHECK(vals[0] == 2 && vals[1] == 3 && vals[2] == 1);
	SAY("order: RTMIN+%d(%d) RTMIN+%d(%d) RTMIN+%d(%d)\n", order[0], vals[0], order[1], vals[1], order[2], vals[2]);
	struct timespec bad = { 0, 2000000000 };
	ERR(sigtimedwait(&set, &si, &bad), EINVAL);
	DONE();
}
