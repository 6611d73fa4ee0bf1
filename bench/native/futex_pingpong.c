/*
 * Native counterpart of bench/images/pingpong.c: two pthreads hand a token
 * back and forth through two futex words, with raw FUTEX_WAIT/FUTEX_WAKE
 * system calls (private futexes).  Every hand-off makes a wake call, as
 * every DkEventSet writes its eventfd.
 * argv: [ROUND_TRIPS]  Prints "pingpong NS_PER_ROUND_TRIP".
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint32_t ping, pong;
static uint64_t rounds = 100000;

static void futex_wait(uint32_t *word, uint32_t expected)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Waits until *word is 1, then takes it back to 0 (an auto-reset event). */
static void take(uint32_t *word)
{
	while (__atomic_exchange_n(word, 0, __ATOMIC_ACQUIRE) == 0)
		futex_wait(word, 0);
}

static void give(uint32_t *word)
{
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	futex_wake(word);
}

static void *responder(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < rounds; i++) {
		take(&ping);
		give(&pong);
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
	if (pthread_create(&t, NULL, responder, NULL))
		return 1;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < rounds; i++) {
		give(&ping);
		take(&pong);
	}
	uint64_t t1 = now_ns();
	pthread_join(t, NULL);
	printf("pingpong %.2f\n", (double)(t1 - t0) / (double)rounds);
	return 0;
}
