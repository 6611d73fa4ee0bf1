/* fork copies memory: the child sees the parent's data and its writes to
 * globals, the stack, a large malloc'd buffer and a private mapping stay in
 * the child. */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

#define BIG (8 << 20)
static int global = 1234;
static char bss[4096];

static uint32_t sum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

int main(void)
{
	alarm(5);
	int local = 55;
	unsigned char *big = PSYS(malloc(BIG));
	for (size_t i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 12));
	uint32_t before = sum(big, BIG);
	long pg = sysconf(_SC_PAGESIZE);
	char *priv = PSYS(mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	strcpy(priv + pg, "parent page");
	strcpy(bss, "parent bss");

	pid_t pid = FORK();
	if (pid == 0) {
		/* Exit code bit i: check i failed. */
		int bad = 0;
		if (global != 1234 || local != 55 || strcmp(bss, "parent bss"))
			bad |= 1;
		if (sum(big, BIG) != before)
			bad |= 2;
		if (strcmp(priv + pg, "parent page"))
			bad |= 4;
		global = 1;
		local = 2;
		strcpy(bss, "child bss");
		memset(big, 0xAB, BIG);
		strcpy(priv + pg, "child page");
		if (global != 1 || big[BIG - 1] != 0xAB || strcmp(priv + pg, "child page"))
			bad |= 8;
		_exit(bad);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child saw the parent's data and changed its copy: status %d\n",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(global == 1234 && local == 55 && !strcmp(bss, "parent bss"));
	SAY("parent's global %d, local %d, bss '%s'\n", global, local, bss);
	CHECK(sum(big, BIG) == before);
	SAY("parent's 8 MB buffer unchanged: %d\n", sum(big, BIG) == before);
	CHECK(!strcmp(priv + pg, "parent page"));
	SAY("parent's private mapping: '%s'\n", priv + pg);

	/* The parent changes memory after the fork: the child keeps the old
	 * copy. */
	int pfd[2], qfd[2];
	SYS(pipe(pfd));
	SYS(pipe(qfd));
	pid = FORK();
	if (pid == 0) {
		char c;
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(100);
		/* The parent has written by now. */
		int bad = 0;
		if (global != 1234 || big[100] != (unsigned char)700 || priv[0] != 0)
			bad |= 1;
		uint32_t s = sum(big, BIG);
		if (write(qfd[1], &s, sizeof(s)) != sizeof(s))
			bad |= 2;
		_exit(bad);
	}
	SYS(close(pfd[0]));
	global = 99;
	memset(big, 0x11, BIG);
	priv[0] = 'P';
	SYS(write(pfd[1], "g", 1));
	uint32_t s = 0;
	CHECK(read(qfd[0], &s, sizeof(s)) == sizeof(s));
	CHECK(s == before);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("parent's later writes invisible to the child: %d\n", s == before && st == 0);
	free(big);
	DONE();
}
