/* nanosleep, clock_nanosleep (relative and absolute), usleep, select as a sleep. */
#include "check.h"
#include <sys/select.h>

int main(void)
{
	double t0 = check_now();
	struct timespec req = { 0, 50000000 };
	SYS(nanosleep(&req, NULL));
	double dt = check_now() - t0;
	CHECK(dt >= 0.049 && dt < 2);
	SAY("nanosleep 50 ms: at least 50 ms %d\n", dt >= 0.049);
	t0 = check_now();
	ZERO(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
	CHECK(check_now() - t0 >= 0.049);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now.tv_nsec += 30000000;
	if (now.tv_nsec >= 1000000000) { now.tv_sec++; now.tv_nsec -= 1000000000; }
	t0 = check_now();
	ZERO(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL));
	CHECK(check_now() - t0 >= 0.02);
	struct timespec past = { 1, 0 };
	t0 = check_now();
	ZERO(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
	CHECK(check_now() - t0 < 0.5);
	SAY("clock_nanosleep relative and absolute ok\n");
	t0 = check_now();
	SYS(usleep(20000));
	CHECK(check_now() - t0 >= 0.019);
	struct timeval tv = { 0, 20000 };
	t0 = check_now();
	CHECK(select(0, NULL, NULL, NULL, &tv) == 0);
	CHECK(check_now() - t0 >= 0.019);
	SAY("usleep and select sleep ok\n");
	struct timespec bad = { 0, 1000000000 };
	ERR(nanosleep(&bad, NULL), EINVAL);
	bad.tv_sec = -1; bad.tv_nsec = 0;
	ERR(nanosleep(&bad, NULL), EINVAL);
	CHECK(clock_nanosleep(12345, 0, &req, NULL) == EINVAL);
	SAY("errors ok\n");
	t0 = check_now();
	CHECK(sleep(1) == 0);
	CHECK(check_now() - t0 >= 0.99);
	SAY("sleep(1) ok\n");
	DONE();
}
