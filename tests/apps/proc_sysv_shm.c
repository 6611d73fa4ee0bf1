/* System V shared memory across fork: shmget(IPC_PRIVATE), shmat in the
 * parent, the child writes through the inherited attachment and through a
 * second shmat of its own; IPC_STAT counts attachments and names the last
 * pid; IPC_RMID keeps the segment until the last detach, then the id is
 * invalid. */
#include "check.h"
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define SIZE 65536

int main(void)
{
	alarm(5);
	int id = SYS(shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600));
	char *p = PSYS(shmat(id, NULL, 0));
	CHECK(p[0] == 0 && p[SIZE - 1] == 0);
	strcpy(p, "parent");
	struct shmid_ds ds;
	SYS(shmctl(id, IPC_STAT, &ds));
	CHECK(ds.shm_segsz == SIZE && ds.shm_nattch == 1 && ds.shm_cpid == getpid());
	SAY("segment: size %zu, %lu attachment, creator is us %d\n", (size_t)ds.shm_segsz,
	    (unsigned long)ds.shm_nattch, ds.shm_cpid == getpid());

	int go[2], back[2];
	SYS(pipe(go));
	SYS(pipe(back));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(go[1]);
		close(back[0]);
		if (strcmp(p, "parent"))
			_exit(1);
		strcpy(p + 100, "inherited attachment");
		char *q = shmat(id, NULL, 0);
		if (q == (void *)-1 || q == p)
			_exit(2);
		strcpy(q + SIZE - 100, "second attachment");
		if (strcmp(p + SIZE - 100, "second attachment"))
			_exit(3);
		/* Report, then wait while the parent looks at the count. */
		if (write(back[1], "a", 1) != 1)
			_exit(4);
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(5);
		shmdt(q);
		_exit(0);
	}
	SYS(close(go[0]));
	SYS(close(back[1]));
	char c = 0;
	CHECK(read(back[0], &c, 1) == 1);
	SYS(shmctl(id, IPC_STAT, &ds));
	/* Ours, the child's inherited one and its own. */
	CHECK(ds.shm_nattch == 3 && ds.shm_lpid == pid);
	SAY("while the child runs: %lu attachments, last shmat by the child %d\n",
	    (unsigned long)ds.shm_nattch, ds.shm_lpid == pid);
	CHECK(!strcmp(p + 100, "inherited attachment") && !strcmp(p + SIZE - 100, "second attachment"));
	SAY("child's writes: '%s', '%s'\n", p + 100, p + SIZE - 100);
	SYS(write(go[1], "g", 1));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	SYS(shmctl(id, IPC_STAT, &ds));
	CHECK(ds.shm_nattch == 1);
	SAY("after the child exits: %lu attachment\n", (unsigned long)ds.shm_nattch);

	SYS(shmctl(id, IPC_RMID, NULL));
	strcpy(p, "after IPC_RMID");
	CHECK(!strcmp(p, "after IPC_RMID"));
	SAY("marked for removal, still usable: '%s'\n", p);
	pid = FORK();
	if (pid == 0)
		_exit(strcmp(p, "after IPC_RMID") ? 1 : 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("and inherited by a new child: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SYS(shmdt(p));
	ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
	ERR(shmat(id, NULL, 0), EINVAL);
	SAY("after the last detach: EINVAL\n");
	SYS(close(go[1]));
	SYS(close(back[0]));
	DONE();
}
