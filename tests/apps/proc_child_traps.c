/* A system call site only forked children reach (here a getpid of the
 * program's own; in real programs glibc's fork and exec paths, a shell's
 * redirections): in moat each child's first calls trap and are never
 * counted in the child, so the children report them to the parent, which
 * rewrites the site for the fast path once it is hot (libos/patch.c).
 * The site must keep working, in the parent and in later children.  On
 * stderr it says whether the site's code changed (natively it never
 * does): moat's run must say it did. */
// moat-stderr: child site: rewritten
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

int main(void)
{
	unsigned char before = site_byte();
	int ok = 0;
	for (int i = 0; i < 8; i++)
		ok += run_child();
	SAY("children before: %d of 8 ok\n", ok);
	fprintf(stderr, "child site: %s\n", site_byte() != before ? "rewritten" : "unchanged");
	CHECK(child_getpid() == getpid());
	SAY("parent's own call: ok\n");
	ok = 0;
	for (int i = 0; i < 4; i++)
		ok += run_child();
	SAY("children after: %d of 4 ok\n", ok);
	CHECK(ok == 4);
	DONE();
}
