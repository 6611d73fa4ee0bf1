/* pthread_create and pthread_join: 16 threads, each returns a value. */
#include "check.h"
#include <pthread.h>

static void *work(void *arg)
{
	long n = (long)arg, sum = 0;
	for (long i = 0; i <= n * 1000; i++)
		sum += i;
	return (void *)sum;
}

int main(void)
{
	pthread_t t[16];
	for (long i = 0; i < 16; i++)
		ZERO(pthread_create(&t[i], NULL, work, (void *)i));
	long total = 0;
	for (int i = 0; i < 16; i++) {
		void *r;
		ZERO(pthread_join(t[i], &r));
		long n = i * 1000L;
		CHECK((long)r == n * (n + 1) / 2);
		total += (long)r;
	}
	SAY("total: %ld\n", total);
	/* Threads with their own attributes: a small stack, detached. */
	pthread_attr_t a;
	ZERO(pthread_attr_init(&a));
	ZERO(pthread_attr_setstacksize(&a, 64 * 1024));
	pthread_t s;
	ZERO(pthread_create(&s, &a, work, (void *)3));
	void *r;
	ZERO(pthread_join(s, &r));
	CHECK((long)r == 4501500);
	SAY("small stack thread: %ld\n", (long)r);
	ZERO(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED));
	for (int i = 0; i < 8; i++)
		ZERO(pthread_create(&s, &a, work, (void *)1));
	pthread_attr_destroy(&a);
	/* Many short-lived threads, one after another. */
	for (int i = 0; i < 200; i++) {
		ZERO(pthread_create(&s, NULL, work, (void *)0));
		ZERO(pthread_join(s, &r));
	}
	SAY("200 sequential threads ok\n");
	CHECK(pthread_join(pthread_self(), &r) == EDEADLK);
	DONE();
}
