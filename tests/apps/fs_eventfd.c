/* eventfd: counter and semaphore modes, non-blocking, poll. */
#include "check.h"
#include <poll.h>
#include <sys/eventfd.h>

int main(void)
{
	int e = SYS(eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC));
	uint64_t v = 0;
	CHECK(read(e, &v, 8) == 8 && v == 5);
	ERR(read(e, &v, 8), EAGAIN);
	v = 3; SYS(write(e, &v, 8));
	v = 4; SYS(write(e, &v, 8));
	CHECK(read(e, &v, 8) == 8 && v == 7);
	SAY("counter: reads the sum %llu\n", (unsigned long long)v);
	ERR(read(e, &v, 4), EINVAL);
	v = UINT64_MAX;
	ERR(write(e, &v, 8), EINVAL);
	struct pollfd pf = { e, POLLIN | POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	v = 1; SYS(write(e, &v, 8));
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLOUT));
	SAY("poll: readable when non-zero\n");
	close(e);
	int s = SYS(eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK));
	v = 3; SYS(write(s, &v, 8));
	int reads = 0;
	while (read(s, &v, 8) == 8) { CHECK(v == 1); reads++; }
	CHECK(reads == 3 && errno == EAGAIN);
	SAY("semaphore: %d reads of 1\n", reads);
	close(s);
	DONE();
}
