/* epoll: add, modify, delete, level and edge triggering, a writer thread. */
#include "check.h"
#include <pthread.h>
#include <sys/epoll.h>

static int p[2], q[2];
static void *late(void *arg)
{
	(void)arg;
	usleep(30000);
	write(q[1], "q", 1);
	return NULL;
}

int main(void)
{
	SYS(pipe(p));
	SYS(pipe(q));
	int ep = SYS(epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 111 };
	SYS(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.data.u64 = 222;
	SYS(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
	ERR(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), EEXIST);
	struct epoll_event out[4];
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	SYS(write(p[1], "ab", 2));
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 111 && out[0].events == EPOLLIN);
	CHECK(epoll_wait(ep, out, 4, 0) == 1);
	SAY("level-triggered: reported while readable\n");
	pthread_t t;
	ZERO(pthread_create(&t, NULL, late, NULL));
	char c;
	SYS(read(p[0], &c, 1));
	SYS(read(p[0], &c, 1));
	CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.u64 == 222);
	ZERO(pthread_join(t, NULL));
	SAY("woken for the second pipe\n");
	SYS(read(q[0], &c, 1));
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 333;
	SYS(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	SYS(write(p[1], "cd", 2));
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 333);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	SYS(write(p[1], "e", 1));
	CHECK(epoll_wait(ep, out, 4, 0) == 1);
	SAY("edge-triggered: once per write\n");
	SYS(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	ev.events = EPOLLOUT;
	SYS(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLOUT);
	SYS(close(q[1]));
	CHECK(epoll_wait(ep, out, 4, 0) == 2);
	SAY("EPOLLOUT and hang-up reported\n");
	double t0 = check_now();
	SYS(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	SYS(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
	CHECK(epoll_wait(ep, out, 4, 20) == 0 && check_now() - t0 >= 0.015);
	ERR(epoll_wait(ep, out, 0, 0), EINVAL);
	ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	int f = SYS(open("/dev/null", O_RDONLY));
	close(f);
	SAY("timeouts and errors ok\n");
	DONE();
}
