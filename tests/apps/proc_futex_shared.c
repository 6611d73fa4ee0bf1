/* Process-shared synchronisation in a MAP_SHARED region: a
 * PTHREAD_PROCESS_SHARED mutex guards a plain counter that two processes
 * increment 10000 times each; a process-shared condition variable wakes a
 * waiting child; raw FUTEX_WAIT/FUTEX_WAKE (not private) between
 * processes; a robust mutex left locked by a dead child gives EOWNERDEAD. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define N 10000

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_mutex_t robust;
	long counter;
	int ready;
	int word;
	int seen;
};

static void bump(struct shared *s)
{
	for (int i = 0; i < N; i++) {
		pthread_mutex_lock(&s->mu);
		/* A non-atomic read-modify-write with a window. */
		long v = *(volatile long *)&s->counter;
		if (i % 1000 == 0)
			sched_yield();
		*(volatile long *)&s->counter = v + 1;
		pthread_mutex_unlock(&s->mu);
	}
}

int main(void)
{
	alarm(5);
	struct shared *s = PSYS(mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	pthread_mutexattr_t ma;
	ZERO(pthread_mutexattr_init(&ma));
	ZERO(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED));
	ZERO(pthread_mutex_init(&s->mu, &ma));
	ZERO(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST));
	ZERO(pthread_mutex_init(&s->robust, &ma));
	pthread_condattr_t ca;
	ZERO(pthread_condattr_init(&ca));
	ZERO(pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED));
	ZERO(pthread_cond_init(&s->cv, &ca));

	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		bump(s);
		_exit(0);
	}
	bump(s);
	CHECK(wait_ok(pid));
	CHECK(s->counter == 2 * N);
	SAY("two processes, %d locked increments each: %ld\n", N, s->counter);

	/* Condition variable: the child waits for ready. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		pthread_mutex_lock(&s->mu);
		s->seen = 1;
		while (!s->ready)
			pthread_cond_wait(&s->cv, &s->mu);
		s->seen = 2;
		pthread_mutex_unlock(&s->mu);
		_exit(0);
	}
	/* Wait until the child is waiting (it set seen under the mutex and
	 * releases it only inside pthread_cond_wait). */
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&s->mu);
		int w = s->seen;
		pthread_mutex_unlock(&s->mu);
		if (w)
			break;
		usleep(200);
	}
	pthread_mutex_lock(&s->mu);
	CHECK(s->seen == 1);
	s->ready = 1;
	ZERO(pthread_cond_signal(&s->cv));
	pthread_mutex_unlock(&s->mu);
	CHECK(wait_ok(pid));
	CHECK(s->seen == 2);
	SAY("condition variable woke the child: %d\n", s->seen == 2);

	/* Raw shared futex: the child sleeps on word until it changes. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		while (__atomic_load_n(&s->word, __ATOMIC_ACQUIRE) == 0)
			syscall(SYS_futex, &s->word, FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(s->word == 7 ? 0 : 1);
	}
	usleep(30000);
	__atomic_store_n(&s->word, 7, __ATOMIC_RELEASE);
	long woken = syscall(SYS_futex, &s->word, FUTEX_WAKE, 1, NULL, NULL, 0);
	CHECK(woken >= 0 && woken <= 1);
	int done = wait_ok(pid);
	CHECK(done);
	SAY("FUTEX_WAKE reached a FUTEX_WAIT in another process: child done %d\n", done);

	/* A robust mutex held by a child that dies. */
	pid = FORK();
	if (pid == 0) {
		pthread_mutex_lock(&s->robust);
		_exit(0);
	}
	CHECK(wait_ok(pid));
	int r = pthread_mutex_lock(&s->robust);
	CHECK(r == EOWNERDEAD);
	SAY("robust mutex of a dead owner: %s\n", r ? strerrorname_np(r) : "0");
	ZERO(pthread_mutex_consistent(&s->robust));
	ZERO(pthread_mutex_unlock(&s->robust));
	ZERO(pthread_mutex_lock(&s->robust));
	ZERO(pthread_mutex_unlock(&s->robust));
	SAY("made consistent, locks again: ok\n");
	DONE();
}
