/* posix_spawn leaves the program's memory behind for its child (which
 * execs at once): the host is told not to copy it, and moat leaves that
 * mark in place for the next spawn.  A plain fork afterwards must copy
 * everything again: its child reads the program's data, heap, brk and
 * stack as they were, and a fork after a vfork that exec'd too. */
#include "check.h"
#include <spawn.h>
#include <sys/mman.h>

extern char **environ;
static char data[8192] = "data";
static char bss[8192];

static int spawn_true(void)
{
	pid_t pid;
	char *argv[] = {"true", NULL};
	int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	if (rc)
		return rc;
	int st;
	SYS(waitpid(pid, &st, 0));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A child that checks every kind of memory and exits 0 if all is there. */
static int fork_and_check(const char *heap, const char *brk_mem, const char *mapped,
			  const char *stack)
{
	pid_t pid = SYS(fork());
	if (pid == 0) {
		int ok = !strcmp(data, "data") && !strcmp(bss + 4096, "bss") &&
			 !strcmp(heap + 100000, "heap") && !strcmp(brk_mem, "brk") &&
			 !strcmp(mapped + 65536, "mapped") && !strcmp(stack, "stack");
		_exit(ok ? 0 : 1);
	}
	int st;
	SYS(waitpid(pid, &st, 0));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
	char stack[4096];
	strcpy(stack, "stack");
	strcpy(bss + 4096, "bss");
	char *heap = malloc(1 << 20);
	CHECK(heap != NULL);
	strcpy(heap + 100000, "heap");
	char *brk_mem = sbrk(4096);
	CHECK(brk_mem != (void *)-1);
	strcpy(brk_mem, "brk");
	char *mapped = PSYS(mmap(NULL, 1 << 17, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	strcpy(mapped + 65536, "mapped");

	for (int round = 0; round < 3; round++) {
		CHECK(spawn_true() == 0);
		CHECK(spawn_true() == 0);
		SAY("round %d: fork after spawns: %s\n", round,
		    fork_and_check(heap, brk_mem, mapped, stack) ? "all memory there" : "memory missing");
	}
	pid_t v = vfork();
	if (v == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int st;
	SYS(waitpid(v, &st, 0));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("fork after vfork+exec: %s\n",
	    fork_and_check(heap, brk_mem, mapped, stack) ? "all memory there" : "memory missing");
	DONE();
}
