/* pthread_cond_broadcast wakes every waiter (the futex requeue path). */
#include "check.h"
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER, ready_c = PTHREAD_COND_INITIALIZER;
static int generation, waiting, woken;

static void *waiter(void *arg)
{
	(void)arg;
	for (int round = 0; round < 200; round++) {
		pthread_mutex_lock(&m);
		int g = generation;
		waiting++;
		pthread_cond_signal(&ready_c);
		while (generation == g)
			pthread_cond_wait(&c, &m);
		woken++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		ZERO(pthread_create(&t[i], NULL, waiter, NULL));
	for (int round = 0; round < 200; round++) {
		pthread_mutex_lock(&m);
		while (waiting < 8)
			pthread_cond_wait(&ready_c, &m);
		waiting = 0;
		generation++;
		pthread_cond_broadcast(&c);
		pthread_mutex_unlock(&m);
	}
	for (int i = 0; i < 8; i++)
		ZERO(pthread_join(t[i], NULL));
	CHECK(woken == 8 * 200);
	SAY("rounds 200, wake-ups %d\n", woken);
	DONE();
}
