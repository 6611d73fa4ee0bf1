/* POSIX semaphores between processes: two unnamed semaphores (sem_init
 * pshared=1 in MAP_SHARED memory) drive a 1000-round ping-pong with a
 * shared counter; a named semaphore (sem_open) counts the child's posts;
 * sem_trywait gives EAGAIN when it is zero; sem_unlink. */
#include "check.h"
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define ROUNDS 1000

struct shared {
	sem_t ping, pong;
	int counter;
	int order_ok;
};

int main(void)
{
	alarm(5);
	struct shared *s = PSYS(mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	SYS(sem_init(&s->ping, 1, 0));
	SYS(sem_init(&s->pong, 1, 0));
	s->order_ok = 1;
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		for (int i = 0; i < ROUNDS; i++) {
			if (sem_wait(&s->ping))
				_exit(1);
			/* The parent made it odd. */
			if (s->counter != 2 * i + 1)
				s->order_ok = 0;
			s->counter++;
			sem_post(&s->pong);
		}
		_exit(0);
	}
	int ok = 1;
	for (int i = 0; i < ROUNDS; i++) {
		if (s->counter != 2 * i)
			ok = 0;
		s->counter++;
		SYS(sem_post(&s->ping));
		SYS(sem_wait(&s->pong));
	}
	CHECK(wait_ok(pid));
	CHECK(ok && s->order_ok && s->counter == 2 * ROUNDS);
	SAY("%d ping-pong rounds: counter %d, strictly alternating %d\n", ROUNDS, s->counter,
	    ok && s->order_ok);
	int v = -1;
	SYS(sem_getvalue(&s->ping, &v));
	CHECK(v == 0);
	ERR(sem_trywait(&s->ping), EAGAIN);
	SAY("drained: value %d, sem_trywait EAGAIN\n", v);
	SYS(sem_destroy(&s->ping));
	SYS(sem_destroy(&s->pong));

	/* Named semaphore. */
	char name[64];
	snprintf(name, sizeof(name), "/moat-proc-sem-%ld", (long)getpid());
	sem_t *n = PSYS(sem_open(name, O_CREAT | O_EXCL, 0600, 0));
	pid = FORK();
	if (pid == 0) {
		sem_t *c = sem_open(name, 0);
		if (c == SEM_FAILED)
			_exit(1);
		for (int i = 0; i < 5; i++)
			sem_post(c);
		_exit(0);
	}
	int got = 0;
	for (int i = 0; i < 5; i++)
		got += sem_wait(n) == 0;
	CHECK(got == 5);
	ERR(sem_trywait(n), EAGAIN);
	SAY("named semaphore: took the child's %d posts, then EAGAIN\n", got);
	CHECK(wait_ok(pid));
	SYS(sem_close(n));
	SYS(sem_unlink(name));
	errno = 0;
	CHECK(sem_open(name, 0) == SEM_FAILED && errno == ENOENT);
	SAY("after sem_unlink: ENOENT\n");
	DONE();
}
