/*
 * A page the program unmaps stays unmapped while the system works for it:
 * opening files and directories, pipes and sockets, threads and children
 * all make the library OS and the PAL map memory of their own, which must
 * not land in the program's hole (Linux keeps its own memory elsewhere).
 * Each time, the hole must still give EFAULT.
 */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static char *hole[4];
static int pfd[2];

/* The program's pointers into its holes: the kernel must refuse them. */
static void still_holes(const char *after)
{
	int ok = 1;
	for (int i = 0; i < 4; i++) {
		errno = 0;
		long r = syscall(SYS_write, pfd[1], hole[i], 1);
		if (!(r == -1 && errno == EFAULT)) {
			ok = 0;
			check_fail(__FILE__, __LINE__, after, errno);
		}
	}
	if (ok)
		SAY("after %s: EFAULT\n", after);
}

static void *idle(void *arg)
{
	return arg;
}

int main(void)
{
	SYS(pipe(pfd));
	/* Holes of one page and of 16 pages, each in the middle of a mapping
	 * (one at a mapping's edge would just be free space, there to fill). */
	for (int i = 0; i < 4; i++) {
		size_t pages = i < 2 ? 1 : 16;
		char *m = PSYS(mmap(NULL, 3 * pages << 12, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		hole[i] = m + (pages << 12);
		SYS(munmap(hole[i], pages << 12));
	}
	still_holes("munmap");

	int fds[64];
	for (int i = 0; i < 64; i++)
		fds[i] = SYS(open("/proc/self/status", O_RDONLY));
	for (int i = 0; i < 64; i++)
		SYS(close(fds[i]));
	still_holes("files");

	for (int i = 0; i < 8; i++) {
		DIR *d = PSYS(opendir("/"));
		int n = 0;
		while (readdir(d))
			n++;
		CHECK(n > 2);
		SYS(closedir(d));
	}
	still_holes("directories");

	int sv[8][2];
	for (int i = 0; i < 8; i++)
		SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]));
	for (int i = 0; i < 8; i++) {
		SYS(close(sv[i][0]));
		SYS(close(sv[i][1]));
	}
	still_holes("sockets");

	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		ZERO(pthread_create(&t[i], NULL, idle, NULL));
	for (int i = 0; i < 8; i++)
		ZERO(pthread_join(t[i], NULL));
	still_holes("threads");

	pid_t pid = SYS(fork());
	if (pid == 0)
		_exit(0);
	int st;
	SYS(waitpid(pid, &st, 0));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	still_holes("a child");
	DONE();
}
