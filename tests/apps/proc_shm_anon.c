/* MAP_SHARED|MAP_ANONYMOUS memory is shared across fork: the child's
 * writes reach the parent, both increment one atomic counter at once, a
 * grandchild shares it too; a MAP_PRIVATE anonymous mapping is copied, and
 * the child unmapping its view leaves the parent's. */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

#define N 100000

struct shared {
	long counter;
	char text[64];
	int flags[4];
};

int main(void)
{
	alarm(5);
	long pg = sysconf(_SC_PAGESIZE);
	struct shared *sh = PSYS(mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	char *priv = PSYS(mmap(NULL, pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char *far = (char *)sh + 3 * pg;
	strcpy(priv, "private");
	CHECK(sh->counter == 0 && far[0] == 0);

	pid_t pid = FORK();
	if (pid == 0) {
		strcpy(sh->text, "written by the child");
		strcpy(far, "last page");
		strcpy(priv, "child's");
		_exit(0);
	}
	CHECK(wait_ok(pid));
	CHECK(!strcmp(sh->text, "written by the child") && !strcmp(far, "last page"));
	SAY("child's writes seen by the parent: '%s', '%s'\n", sh->text, far);
	CHECK(!strcmp(priv, "private"));
	SAY("private mapping stays the parent's: '%s'\n", priv);

	/* Concurrent atomic increments. */
	int go[2];
	SYS(pipe(go));
	pid = FORK();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < N; i++)
			__atomic_add_fetch(&sh->counter, 1, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	SYS(close(go[0]));
	SYS(write(go[1], "g", 1));
	for (int i = 0; i < N; i++)
		__atomic_add_fetch(&sh->counter, 1, __ATOMIC_SEQ_CST);
	CHECK(wait_ok(pid));
	SYS(close(go[1]));
	CHECK(sh->counter == 2 * N);
	SAY("two processes, %d atomic increments each: %ld\n", N, sh->counter);

	/* A flag handshake through memory alone, with a grandchild. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		pid_t g = fork();
		if (g == 0) {
			while (!__atomic_load_n(&sh->flags[0], __ATOMIC_ACQUIRE))
				usleep(100);
			__atomic_store_n(&sh->flags[1], 2, __ATOMIC_RELEASE);
			_exit(0);
		}
		/* Unmapping in the child does not affect the others. */
		munmap(sh, 4 * pg);
		_exit(g > 0 && wait_ok(g) ? 0 : 1);
	}
	__atomic_store_n(&sh->flags[0], 1, __ATOMIC_RELEASE);
	CHECK(wait_ok(pid));
	CHECK(__atomic_load_n(&sh->flags[1], __ATOMIC_ACQUIRE) == 2);
	SAY("grandchild answered through shared memory: %d\n", sh->flags[1]);
	strcpy(sh->text, "still mapped");
	SAY("parent's mapping after the child's munmap: '%s'\n", sh->text);
	SYS(munmap(sh, 4 * pg));
	SYS(munmap(priv, pg));
	DONE();
}
