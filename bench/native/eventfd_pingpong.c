/*
 * The PAL's own wake-up mechanism without the PAL: like futex_pingpong.c,
 * but each auto-reset event is a non-blocking eventfd; set = write(2) of 1,
 * wait = ppoll(2) then read(2) to take the unit -- the system calls that
 * DkEventSet and DkObjectsWaitAny make on Linux (pal/linux/sync.c).  The gap
 * between this and bench/images/pingpong.c is the PAL's own overhead.
 * argv: [ROUND_TRIPS]  Prints "pingpong NS_PER_ROUND_TRIP".
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int ping, pong;
static uint64_t rounds = 100000;

static void take(int fd)
{
	uint64_t v;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (ppoll(&p, 1, NULL, NULL) < 0)
			exit(1);
		if (read(fd, &v, sizeof(v)) == sizeof(v))
			return;
	}
}

static void give(int fd)
{
	uint64_t one = 1;
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		exit(1);
}

static void *responder(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < rounds; i++) {
		take(ping);
		give(pong);
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	pthread_t t;
	if (argc > 1 && strtoull(argv[1], NULL, 0))
		rounds = strtoull(argv[1], NULL, 0);
	ping = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pong = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ping < 0 || pong < 0 || pthread_create(&t, NULL, responder, NULL))
		return 1;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < rounds; i++) {
		give(ping);
		take(pong);
	}
	uint64_t t1 = now_ns();
	pthread_join(t, NULL);
	printf("pingpong %.2f\n", (double)(t1 - t0) / (double)rounds);
	return 0;
}
