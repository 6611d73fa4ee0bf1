/* System V keys: shmget and semget by key find the same object from a
 * child; IPC_EXCL on an existing key gives EEXIST, a missing key without
 * IPC_CREAT ENOENT, a bigger size EINVAL; IPC_RMID frees the key at once. */
#include "check.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

int main(void)
{
	alarm(5);
	/* Keys of our own: the static and dynamic builds run at once natively
	 * (often with pids one apart), so k is even and the missing key k + 1,
	 * odd, is never another run's k. */
	key_t k = (key_t)(0x6d000000 | ((getpid() & 0x7fff) << 1));
	int s = SYS(shmget(k, 8192, IPC_CREAT | 0600));
	CHECK(shmget(k, 4096, 0) == s);
	ERR(shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	ERR(shmget(k, 1 << 20, 0), EINVAL);
	char *p = PSYS(shmat(s, NULL, 0));
	strcpy(p, "by key");
	pid_t pid = FORK();
	if (pid == 0) {
		int c = shmget(k, 0, 0);
		char *q = c < 0 ? (char *)-1 : shmat(c, NULL, 0);
		_exit(c == s && q != (char *)-1 && !strcmp(q, "by key") ? 0 : 1);
	}
	CHECK(wait_ok(pid));
	SAY("shared memory by key: same id, seen by a child\n");
	SYS(shmctl(s, IPC_RMID, NULL));
	ERR(shmget(k, 0, 0), ENOENT);
	SYS(shmdt(p));
	SAY("IPC_RMID frees the key\n");

	int m = SYS(semget(k, 2, IPC_CREAT | 0600));
	CHECK(semget(k, 1, 0) == m);
	ERR(semget(k, 1, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	ERR(semget(k, 3, 0), EINVAL);
	ERR(semget(k + 1, 1, 0), ENOENT);
	SYS(semctl(m, 1, SETVAL, 7));
	pid = FORK();
	if (pid == 0) {
		int c = semget(k, 0, 0);
		_exit(c == m && semctl(c, 1, GETVAL) == 7 ? 0 : 1);
	}
	CHECK(wait_ok(pid));
	SAY("semaphores by key: same id, value seen by a child\n");
	SYS(semctl(m, 0, IPC_RMID));
	ERR(semget(k, 1, 0), ENOENT);
	SAY("IPC_RMID frees the key\n");
	DONE();
}
