/* pthread_exit values, cancellation, detached threads and pthread_once. */
#include "check.h"
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_count;
static void init_once(void) { once_count++; }

static void *exits(void *arg)
{
	pthread_once(&once, init_once);
	if ((long)arg % 2)
		pthread_exit((void *)((long)arg * 10));
	return (void *)((long)arg * 100);
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int cleaned;
static void cleanup(void *arg) { (void)arg; cleaned = 1; }
static void *with_cleanup(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, NULL);
	for (;;)
		usleep(1000);
	pthread_cleanup_pop(0);
	return NULL;
}

int main(void)
{
	pthread_t t[6];
	for (long i = 0; i < 6; i++)
		ZERO(pthread_create(&t[i], NULL, exits, (void *)i));
	for (long i = 0; i < 6; i++) {
		void *r;
		ZERO(pthread_join(t[i], &r));
		SAY("thread %ld returned %ld\n", i, (long)r);
		CHECK((long)r == (i % 2 ? i * 10 : i * 100));
	}
	CHECK(once_count == 1);
	SAY("once ran %d time(s)\n", once_count);
	pthread_t s;
	void *r;
	ZERO(pthread_create(&s, NULL, sleeper, NULL));
	ZERO(pthread_cancel(s));
	ZERO(pthread_join(s, &r));
	CHECK(r == PTHREAD_CANCELED);
	SAY("cancelled in pause: %d\n", r == PTHREAD_CANCELED);
	ZERO(pthread_create(&s, NULL, with_cleanup, NULL));
	usleep(10000);
	ZERO(pthread_cancel(s));
	ZERO(pthread_join(s, &r));
	CHECK(r == PTHREAD_CANCELED && cleaned);
	SAY("cleanup handler ran: %d\n", cleaned);
	DONE();
}
