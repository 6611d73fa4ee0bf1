/* The threading stress test: 8 threads, 100,000 mutex and condition-variable
 * operations each, correct totals, no deadlock (the run's timeout catches one). */
#include "check.h"
#include <pthread.h>

#define THREADS 8
#define OPS 100000
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_c = PTHREAD_COND_INITIALIZER;
static long total;
static long turn_count;
static int turn;

static void *work(void *arg)
{
	long id = (long)arg;
	/* Plain mutex increments. */
	for (int i = 0; i < OPS; i++) {
		pthread_mutex_lock(&m);
		total++;
		pthread_mutex_unlock(&m);
	}
	/* A token passed round the threads: every pass is a wait and a broadcast. */
	for (int i = 0; i < OPS / 100; i++) {
		pthread_mutex_lock(&m);
		while (turn != id)
			pthread_cond_wait(&turn_c, &m);
		turn = (turn + 1) % THREADS;
		turn_count++;
		pthread_cond_broadcast(&turn_c);
		pthread_mutex_unlock(&m);
	}
	/* Signal-and-wait pairs on a shared counter. */
	return NULL;
}

static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static long slots, produced, consumedv;
static void *prod(void *arg)
{
	(void)arg;
	for (int i = 0; i < OPS; i++) {
		pthread_mutex_lock(&m);
		slots++;
		produced++;
		pthread_cond_signal(&pc);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}
static void *cons(void *arg)
{
	(void)arg;
	for (int i = 0; i < OPS; i++) {
		pthread_mutex_lock(&m);
		while (!slots)
			pthread_cond_wait(&pc, &m);
		slots--;
		consumedv++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		ZERO(pthread_create(&t[i], NULL, work, (void *)i));
	for (int i = 0; i < THREADS; i++)
		ZERO(pthread_join(t[i], NULL));
	CHECK(total == (long)THREADS * OPS);
	CHECK(turn_count == (long)THREADS * (OPS / 100));
	SAY("mutex total %ld, token passes %ld\n", total, turn_count);
	for (long i = 0; i < THREADS; i += 2) {
		ZERO(pthread_create(&t[i], NULL, prod, NULL));
		ZERO(pthread_create(&t[i + 1], NULL, cons, NULL));
	}
	for (int i = 0; i < THREADS; i++)
		ZERO(pthread_join(t[i], NULL));
	CHECK(produced == THREADS / 2 * (long)OPS && consumedv == produced && slots == 0);
	SAY("produced %ld consumed %ld\n", produced, consumedv);
	DONE();
}
