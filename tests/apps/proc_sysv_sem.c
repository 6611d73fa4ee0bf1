/* System V semaphores across fork: semget/semctl SETVAL/GETVAL, a child
 * blocked in semop is counted by GETNCNT and released by the parent's
 * semop; 100 ping-pong rounds on two semaphores; IPC_NOWAIT gives EAGAIN;
 * GETPID names the last operator; SEM_UNDO is undone at the child's exit;
 * concurrent semops from two processes lose no update; ERANGE past SEMVMX;
 * IPC_RMID wakes a blocked child with EIDRM. */
#include "check.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static int op(int id, unsigned short n, short delta, short flags)
{
	struct sembuf b = { .sem_num = n, .sem_op = delta, .sem_flg = flags };
	return semop(id, &b, 1);
}

int main(void)
{
	alarm(5);
	int id = SYS(semget(IPC_PRIVATE, 2, IPC_CREAT | 0600));
	union semun u = { .val = 0 };
	SYS(semctl(id, 0, SETVAL, u));
	SYS(semctl(id, 1, SETVAL, u));
	ERR(op(id, 0, -1, IPC_NOWAIT), EAGAIN);
	SAY("decrement at zero with IPC_NOWAIT: EAGAIN\n");

	/* A blocked child, seen by GETNCNT. */
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		_exit(op(id, 0, -1, 0) == 0 ? 0 : 1);
	}
	int ncnt = 0;
	for (int i = 0; i < 2000 && ncnt == 0; i++) {
		ncnt = semctl(id, 0, GETNCNT);
		if (!ncnt)
			usleep(1000);
	}
	CHECK(ncnt == 1);
	SAY("child waiting: GETNCNT %d\n", ncnt);
	SYS(op(id, 0, 1, 0));
	int code = wait_status(pid);
	CHECK(code == 0);
	SAY("released by the parent's semop: status %d\n", code);
	CHECK(semctl(id, 0, GETVAL) == 0);
	CHECK(semctl(id, 0, GETPID) == pid);
	SAY("value back to %d, last operator the child %d\n", semctl(id, 0, GETVAL),
	    semctl(id, 0, GETPID) == pid);

	/* Ping-pong. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		for (int i = 0; i < 100; i++)
			if (op(id, 0, -1, 0) || op(id, 1, 1, 0))
				_exit(1);
		_exit(0);
	}
	int rounds = 0;
	for (int i = 0; i < 100; i++)
		rounds += op(id, 0, 1, 0) == 0 && op(id, 1, -1, 0) == 0;
	code = wait_status(pid);
	CHECK(rounds == 100 && code == 0);
	SAY("ping-pong: %d rounds, child status %d\n", rounds, code);

	/* SEM_UNDO: the child's +3 is undone when it exits. */
	pid = FORK();
	if (pid == 0)
		_exit(op(id, 1, 3, SEM_UNDO) == 0 && semctl(id, 1, GETVAL) == 3 ? 0 : 1);
	code = wait_status(pid);
	CHECK(code == 0);
	int v = semctl(id, 1, GETVAL);
	CHECK(v == 0);
	SAY("SEM_UNDO: child raised it to 3, after its exit %d\n", v);

	/* Parent and child add at once: no update is lost, so each semop
	 * excludes the other process's (the set's lock is not shared by fork). */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		for (int i = 0; i < 15000; i++)
			if (op(id, 1, 1, 0))
				_exit(1);
		_exit(0);
	}
	for (int i = 0; i < 15000; i++)
		SYS(op(id, 1, 1, 0));
	code = wait_status(pid);
	v = semctl(id, 1, GETVAL);
	CHECK(code == 0 && v == 30000);
	SAY("two processes adding 15000 each: %d\n", v);
	u.val = 32767;
	SYS(semctl(id, 1, SETVAL, u));
	ERR(op(id, 1, 1, 0), ERANGE);
	SAY("past SEMVMX: ERANGE, value still %d\n", semctl(id, 1, GETVAL));
	u.val = 0;
	SYS(semctl(id, 1, SETVAL, u));

	/* Removal wakes a blocked child with EIDRM. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		errno = 0;
		int r = op(id, 0, -1, 0);
		_exit(r == -1 && errno == EIDRM ? 0 : 1);
	}
	ncnt = 0;
	for (int i = 0; i < 2000 && ncnt == 0; i++) {
		ncnt = semctl(id, 0, GETNCNT);
		if (!ncnt)
			usleep(1000);
	}
	CHECK(ncnt == 1);
	SYS(semctl(id, 0, IPC_RMID));
	code = wait_status(pid);
	CHECK(code == 0);
	SAY("IPC_RMID woke the blocked child with EIDRM: %d\n", code == 0);
	ERR(semctl(id, 0, GETVAL), EINVAL);
	DONE();
}
