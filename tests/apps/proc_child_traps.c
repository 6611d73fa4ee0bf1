/* System call sites only forked children reach (here a getpid of the
 * program's own, and glibc's _exit; in real programs also glibc's fork and
 * exec paths, a shell's redirections): in moat each child's first calls
 * trap and are never counted in the child, so the children report them
 * to the parent, which rewrites the sites for the fast path once they are
 * hot (libos/patch.c).  They must keep working, in the parent and in
 * later children.  On stderr it says whether the sites' code changed
 * (natively it never does): moat's run must say both did. */
// moat-stderr: child site: rewritten, _exit: rewritten
#include "check.h"

extern const unsigned char child_site[];

/* The site's first byte, read from memory every time (it may change). */
static unsigned char site_byte(void)
{
	return *(const volatile unsigned char *)child_site;
}

static long __attribute__((noinline)) child_getpid(void)
{
	long rc;
	__asm__ volatile(".globl child_site\n"
			 "child_site:\n\t"
			 "mov $39, %%eax\n\t"
			 "syscall"
			 : "=a"(rc)
			 :
			 : "rcx", "r11", "memory");
	return rc;
}

/* A child that calls the site and exits 0 if it got its own pid. */
static int run_child(void)
{
	pid_t pid = SYS(fork());
	if (pid == 0)
		_exit(child_getpid() == getpid() ? 0 : 1);
	int st;
	SYS(waitpid(pid, &st, 0));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* glibc's _exit's first 64 bytes (its exit_group site is among them). */
static void exit_code(unsigned char out[64])
{
	const volatile unsigned char *p = (const volatile unsigned char *)(void *)_exit;
	for (int i = 0; i < 64; i++)
		out[i] = p[i];
}

int main(void)
{
	unsigned char before = site_byte(), exit_before[64], exit_after[64];
	exit_code(exit_before);
	int ok = 0;
	for (int i = 0; i < 8; i++)
		ok += run_child();
	SAY("children before: %d of 8 ok\n", ok);
	exit_code(exit_after);
	fprintf(stderr, "child site: %s, _exit: %s\n", site_byte() != before ? "rewritten" : "unchanged",
		memcmp(exit_before, exit_after, 64) ? "rewritten" : "unchanged");
	CHECK(child_getpid() == getpid());
	SAY("parent's own call: ok\n");
	ok = 0;
	for (int i = 0; i < 4; i++)
		ok += run_child();
	SAY("children after: %d of 4 ok\n", ok);
	CHECK(ok == 4);
	DONE();
}
