/* madvise and fork: a forked child does not get MADV_DONTFORK memory (a
 * touch faults) and gets MADV_WIPEONFORK memory zero-filled, while the
 * parent keeps both as they were; MADV_DOFORK and MADV_KEEPONFORK undo
 * them; WIPEONFORK is for private anonymous memory only. */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096

static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

/* 1 if reading p faults, 0 if not. */
static int faults(volatile char *p)
{
	if (sigsetjmp(env, 1))
		return 1;
	(void)*p;
	return 0;
}

/* In a child: bit 0 set if dontfork faults, bit 1 if wiped reads 0 at
 * both ends, bit 2 if plain still reads its pattern. */
static int child_view(volatile char *dontfork, volatile char *wiped, volatile char *plain)
{
	int v = 0;
	if (faults(dontfork))
		v |= 1;
	if (!faults(wiped) && wiped[0] == 0 && wiped[PAGE - 1] == 0)
		v |= 2;
	if (!faults(plain) && plain[0] == 'p')
		v |= 4;
	return v;
}

int main(void)
{
	alarm(10);
	struct sigaction sa = { .sa_handler = on_segv };
	SYS(sigaction(SIGSEGV, &sa, NULL));
	char *m = PSYS(mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0));
	char *dontfork = m, *wiped = m + PAGE, *plain = m + 2 * PAGE;
	memset(dontfork, 'd', PAGE);
	memset(wiped, 'w', PAGE);
	memset(plain, 'p', PAGE);
	SYS(madvise(dontfork, PAGE, MADV_DONTFORK));
	SYS(madvise(wiped, PAGE, MADV_WIPEONFORK));

	pid_t pid = FORK();
	if (pid == 0)
		_exit(child_view(dontfork, wiped, plain));
	int s = wait_status(pid);
	CHECK(s == 7);
	SAY("child: DONTFORK faults %d, WIPEONFORK zero %d, the rest copied %d\n", s & 1,
	    (s >> 1) & 1, (s >> 2) & 1);
	CHECK(dontfork[0] == 'd' && wiped[0] == 'w' && plain[0] == 'p');
	SAY("parent's pages unchanged: %d\n", dontfork[0] == 'd' && wiped[0] == 'w');

	/* Undone: the next child gets both as they are. */
	SYS(madvise(dontfork, PAGE, MADV_DOFORK));
	SYS(madvise(wiped, PAGE, MADV_KEEPONFORK));
	pid = FORK();
	if (pid == 0)
		_exit(!faults(dontfork) && dontfork[0] == 'd' && wiped[0] == 'w' ? 0 : 1);
	s = wait_status(pid);
	CHECK(s == 0);
	SAY("after DOFORK and KEEPONFORK the child gets both: %d\n", s == 0);

	/* A grandchild of a WIPEONFORK region: wiped again at each fork, and
	 * the child's own writes stay its own. */
	SYS(madvise(wiped, PAGE, MADV_WIPEONFORK));
	pid = FORK();
	if (pid == 0) {
		wiped[0] = 'c';
		pid_t g = fork();
		if (g == 0)
			_exit(wiped[0] == 0 ? 0 : 1);
		int gs = wait_status(g);
		_exit(gs == 0 && wiped[0] == 'c' ? 0 : 1);
	}
	s = wait_status(pid);
	CHECK(s == 0);
	SAY("wiped again for a grandchild, the child's write kept: %d\n", s == 0);

	/* WIPEONFORK only on private anonymous memory; ENOMEM past a hole. */
	char *shared = PSYS(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0));
	ERR(madvise(shared, PAGE, MADV_WIPEONFORK), EINVAL);
	SYS(munmap(plain, PAGE));
	ERR(madvise(wiped, 2 * PAGE, MADV_DONTFORK), ENOMEM);
	SAY("WIPEONFORK on shared memory: EINVAL; DONTFORK over a hole: ENOMEM\n");
	SYS(munmap(shared, PAGE));
	SYS(munmap(m, 2 * PAGE));
	DONE();
}
