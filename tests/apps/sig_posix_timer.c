/* timer_create: SIGEV_SIGNAL with a value, overruns, SIGEV_THREAD. */
#include "check.h"
#include <pthread.h>

static volatile int thread_calls;
static void notify(union sigval v) { thread_calls += v.sival_int; }

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	SYS(sigprocmask(SIG_BLOCK, &set, NULL));
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	ev.sigev_value.sival_int = 4242;
	timer_t t;
	SYS(timer_create(CLOCK_MONOTONIC, &ev, &t));
	struct itimerspec its = { { 0, 0 }, { 0, 30000000 } }, cur;
	/* Timed from before arming: a busy host may run us late after it. */
	double t0 = check_now();
	SYS(timer_settime(t, 0, &its, NULL));
	SYS(timer_gettime(t, &cur));
	CHECK(cur.it_value.tv_nsec > 0 || cur.it_value.tv_sec > 0);
	siginfo_t si;
	int sig = SYS(sigwaitinfo(&set, &si));
	CHECK(check_now() - t0 >= 0.025);
	CHECK(sig == SIGRTMIN && si.si_code == SI_TIMER && si.si_value.sival_int == 4242);
	SAY("timer signal: SI_TIMER %d, value %d\n", si.si_code == SI_TIMER, si.si_value.sival_int);
	/* A fast periodic timer while the signal is blocked overruns. */
	struct itimerspec fast = { { 0, 1000000 }, { 0, 1000000 } };
	SYS(timer_settime(t, 0, &fast, NULL));
	usleep(50000);
	sig = SYS(sigwaitinfo(&set, &si));
	int over = timer_getoverrun(t);
	CHECK(over >= 5 || si.si_overrun >= 5);
	SAY("overrun counted: %d\n", over >= 5 || si.si_overrun >= 5);
	SYS(timer_delete(t));
	ERR(timer_gettime(t, &cur), EINVAL);
	/* SIGEV_THREAD (glibc runs the function on its helper thread). */
	struct sigevent tev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = notify };
	tev.sigev_value.sival_int = 1;
	SYS(timer_create(CLOCK_REALTIME, &tev, &t));
	struct itimerspec once = { { 0, 0 }, { 0, 10000000 } };
	SYS(timer_settime(t, 0, &once, NULL));
	for (int i = 0; i < 2000 && !thread_calls; i++)
		usleep(1000);
	CHECK(thread_calls == 1);
	SAY("SIGEV_THREAD ran: %d\n", thread_calls);
	SYS(timer_delete(t));
	DONE();
}
