/* timerfd: one-shot and periodic timers, expiration counts, poll. */
#include "check.h"
#include <poll.h>
#include <sys/timerfd.h>

int main(void)
{
	int t = SYS(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
	struct itimerspec its = { { 0, 0 }, { 0, 30000000 } }, cur;
	SYS(timerfd_settime(t, 0, &its, NULL));
	SYS(timerfd_gettime(t, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 30000000);
	double t0 = check_now();
	uint64_t n = 0;
	CHECK(read(t, &n, 8) == 8 && n == 1);
	CHECK(check_now() - t0 >= 0.025);
	SAY("one-shot: %llu expiration\n", (unsigned long long)n);
	struct itimerspec per = { { 0, 10000000 }, { 0, 10000000 } };
	SYS(timerfd_settime(t, 0, &per, NULL));
	usleep(55000);
	CHECK(read(t, &n, 8) == 8 && n >= 4);
	SAY("periodic: several expirations at once %d\n", n >= 4);
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	SYS(timerfd_settime(t, 0, &off, NULL));
	int fl = fcntl(t, F_GETFL);
	SYS(fcntl(t, F_SETFL, fl | O_NONBLOCK));
	ERR(read(t, &n, 8), EAGAIN);
	struct pollfd pf = { t, POLLIN, 0 };
	CHECK(poll(&pf, 1, 0) == 0);
	/* An absolute time. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct itimerspec abs = { { 0, 0 }, { now.tv_sec, now.tv_nsec } };
	abs.it_value.tv_nsec += 20000000;
	if (abs.it_value.tv_nsec >= 1000000000) { abs.it_value.tv_sec++; abs.it_value.tv_nsec -= 1000000000; }
	SYS(timerfd_settime(t, TFD_TIMER_ABSTIME, &abs, NULL));
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN);
	CHECK(read(t, &n, 8) == 8 && n == 1);
	SAY("absolute timer fired, poll saw it\n");
	ERR(read(t, &n, 4), EINVAL);
	ERR(timerfd_create(12345, 0), EINVAL);
	close(t);
	DONE();
}
