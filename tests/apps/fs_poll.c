/* poll, ppoll, select and pselect on pipes. */
#include "check.h"
#include <poll.h>
#include <pthread.h>
#include <sys/select.h>

static int p[2];
static void *late(void *arg)
{
	(void)arg;
	usleep(50000);
	write(p[1], "z", 1);
	return NULL;
}

int main(void)
{
	SYS(pipe(p));
	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	CHECK(poll(fds, 2, 0) == 1 && fds[0].revents == 0 && fds[1].revents == POLLOUT);
	SAY("empty pipe: writable only\n");
	SYS(write(p[1], "a", 1));
	CHECK(poll(fds, 1, 0) == 1 && fds[0].revents == POLLIN);
	char c;
	SYS(read(p[0], &c, 1));
	double t0 = check_now();
	CHECK(poll(fds, 1, 30) == 0);
	CHECK(check_now() - t0 >= 0.025);
	SAY("timeout: 0 ready\n");
	pthread_t t;
	ZERO(pthread_create(&t, NULL, late, NULL));
	CHECK(poll(fds, 1, 5000) == 1 && fds[0].revents == POLLIN);
	ZERO(pthread_join(t, NULL));
	SYS(read(p[0], &c, 1));
	SAY("woken by a thread's write: %c\n", c);
	fd_set rd, wr;
	FD_ZERO(&rd); FD_ZERO(&wr);
	FD_SET(p[0], &rd); FD_SET(p[1], &wr);
	struct timeval tv = { 0, 0 };
	int maxfd = p[0] > p[1] ? p[0] : p[1];
	CHECK(select(maxfd + 1, &rd, &wr, NULL, &tv) == 1 && !FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr));
	SYS(write(p[1], "b", 1));
	FD_ZERO(&rd); FD_SET(p[0], &rd);
	tv.tv_sec = 1;
	CHECK(select(p[0] + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &rd));
	SAY("select: readable after write\n");
	FD_ZERO(&rd); FD_SET(p[0], &rd);
	struct timespec ts = { 0, 1000000 };
	sigset_t mask;
	sigemptyset(&mask);
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, &ts, &mask) == 1);
	CHECK(ppoll(fds, 1, &ts, &mask) == 1);
	SYS(close(p[1]));
	SYS(read(p[0], &c, 1));
	CHECK(poll(fds, 1, 0) == 1 && (fds[0].revents & POLLHUP));
	SAY("writer closed: POLLHUP\n");
	struct pollfd badfd = { 999, POLLIN, 0 };
	CHECK(poll(&badfd, 1, 0) == 1 && badfd.revents == POLLNVAL);
	SAY("bad descriptor: POLLNVAL\n");
	struct pollfd neg = { -1, POLLIN, 5 };
	CHECK(poll(&neg, 1, 0) == 0 && neg.revents == 0);
	DONE();
}
