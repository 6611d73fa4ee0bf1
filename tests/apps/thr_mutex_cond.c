/* A bounded queue: 4 producers, 4 consumers, mutex and two condition variables. */
#include "check.h"
#include <pthread.h>

#define N 20000
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static int q[16], head, count;
static long consumed_sum;

static void *producer(void *arg)
{
	long base = (long)arg;
	for (int i = 1; i <= N; i++) {
		pthread_mutex_lock(&m);
		while (count == 16)
			pthread_cond_wait(&notfull, &m);
		q[(head + count) % 16] = (int)(base + i);
		count++;
		pthread_cond_signal(&notempty);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	long local = 0;
	for (int i = 0; i < N; i++) {
		pthread_mutex_lock(&m);
		while (count == 0)
			pthread_cond_wait(&notempty, &m);
		local += q[head];
		head = (head + 1) % 16;
		count--;
		pthread_cond_signal(&notfull);
		pthread_mutex_unlock(&m);
	}
	pthread_mutex_lock(&m);
	consumed_sum += local;
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t p[4], c[4];
	for (long i = 0; i < 4; i++) {
		ZERO(pthread_create(&p[i], NULL, producer, (void *)(i * 1000000)));
		ZERO(pthread_create(&c[i], NULL, consumer, NULL));
	}
	for (int i = 0; i < 4; i++) {
		ZERO(pthread_join(p[i], NULL));
		ZERO(pthread_join(c[i], NULL));
	}
	long want = 0;
	for (long i = 0; i < 4; i++)
		want += i * 1000000 * N + (long)N * (N + 1) / 2;
	CHECK(consumed_sum == want);
	SAY("consumed %ld items, sum %ld\n", 4L * N, consumed_sum);
	/* Error-checking and recursive mutexes. */
	pthread_mutexattr_t a;
	pthread_mutex_t em, rm;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&em, &a);
	ZERO(pthread_mutex_lock(&em));
	CHECK(pthread_mutex_lock(&em) == EDEADLK);
	ZERO(pthread_mutex_unlock(&em));
	CHECK(pthread_mutex_unlock(&em) == EPERM);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rm, &a);
	ZERO(pthread_mutex_lock(&rm));
	ZERO(pthread_mutex_lock(&rm));
	CHECK(pthread_mutex_trylock(&rm) == 0);
	for (int i = 0; i < 3; i++)
		ZERO(pthread_mutex_unlock(&rm));
	SAY("errorcheck and recursive mutexes ok\n");
	/* A timed wait that times out. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000000;
	if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
	pthread_mutex_lock(&m);
	int rc = pthread_cond_timedwait(&notempty, &m, &ts);
	pthread_mutex_unlock(&m);
	CHECK(rc == ETIMEDOUT);
	SAY("timedwait: %s\n", strerrorname_np(rc));
	DONE();
}
