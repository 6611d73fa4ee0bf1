/* Barriers, read-write locks, spin locks and POSIX semaphores. */
#include "check.h"
#include <pthread.h>
#include <semaphore.h>

static pthread_barrier_t bar;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_spinlock_t spin;
static sem_t sem;
static long shared, spun, serial;

static void *work(void *arg)
{
	(void)arg;
	for (int round = 0; round < 50; round++) {
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&serial, 1, __ATOMIC_SEQ_CST);
		pthread_rwlock_wrlock(&rw);
		shared++;
		pthread_rwlock_unlock(&rw);
		pthread_rwlock_rdlock(&rw);
		(void)shared;
		pthread_rwlock_unlock(&rw);
	}
	for (int i = 0; i < 10000; i++) {
		pthread_spin_lock(&spin);
		spun++;
		pthread_spin_unlock(&spin);
	}
	sem_post(&sem);
	return NULL;
}

int main(void)
{
	ZERO(pthread_barrier_init(&bar, NULL, 4));
	ZERO(pthread_spin_init(&spin, 0));
	SYS(sem_init(&sem, 0, 0));
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		ZERO(pthread_create(&t[i], NULL, work, NULL));
	for (int i = 0; i < 4; i++)
		SYS(sem_wait(&sem));
	for (int i = 0; i < 4; i++)
		ZERO(pthread_join(t[i], NULL));
	CHECK(shared == 200 && spun == 40000 && serial == 50);
	SAY("rwlock %ld, spin %ld, barrier rounds %ld\n", shared, spun, serial);
	int v;
	sem_getvalue(&sem, &v);
	CHECK(v == 0);
	ERR(sem_trywait(&sem), EAGAIN);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10000000;
	if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
	ERR(sem_timedwait(&sem, &ts), ETIMEDOUT);
	SAY("semaphore empty: trywait EAGAIN, timedwait ETIMEDOUT\n");
	DONE();
}
