/* sigsuspend: atomically unblock and wait; a thread sends the signal. */
#include "check.h"
#include <pthread.h>

static volatile int hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static void *sender(void *arg)
{
	usleep(30000);
	kill(getpid(), SIGUSR1);
	(void)arg;
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	sigset_t block, waitmask, cur;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	SYS(sigprocmask(SIG_BLOCK, &block, NULL));
	pthread_t t;
	/* The new thread inherits the block, so the signal must reach main. */
	ZERO(pthread_create(&t, NULL, sender, NULL));
	sigemptyset(&waitmask);
	int r = sigsuspend(&waitmask);
	CHECK(r == -1 && errno == EINTR && hits == 1);
	SAY("sigsuspend: EINTR %d, handled %d\n", errno == EINTR, hits);
	SYS(sigprocmask(SIG_BLOCK, NULL, &cur));
	CHECK(sigismember(&cur, SIGUSR1));
	SAY("mask restored: %d\n", sigismember(&cur, SIGUSR1));
	ZERO(pthread_join(t, NULL));
	/* Already pending: sigsuspend returns at once. */
	SYS(raise(SIGUSR1));
	CHECK(hits == 1);
	r = sigsuspend(&waitmask);
	CHECK(r == -1 && hits == 2);
	SAY("pending before: handled %d\n", hits);
	DONE();
}
