/* fork of a process with a big private mapping (96 MiB: big enough that
 * moat asks the host for large pages, DK_MEM_LARGE): the child sees the
 * parent's contents; each side's writes after the fork stay its own, also
 * in the middle of a 2 MiB stretch whose other pages the other side keeps;
 * a second child sees what the parent wrote since; and a partial munmap
 * and mprotect of the mapping still work page by page. */
#include "check.h"
#include <sys/mman.h>

#define BIG (96ul << 20)
#define PAGE 4096ul
#define MID (BIG / 2 + 12345) /* inside a 2 MiB stretch, not at its start */
#define MID_PAGE (MID - MID % PAGE)

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i / PAGE * 7 + 1);
}

/* Pages of m (one byte each) that differ from the pattern, but for skip
 * (or none: skip == BIG). */
static size_t differing(const unsigned char *m, size_t skip)
{
	size_t bad = 0;
	for (size_t i = 0; i < BIG; i += PAGE)
		if (i != skip && m[i] != pattern(i))
			bad++;
	return bad;
}

int main(void)
{
	alarm(20);
	unsigned char *m = PSYS(mmap(NULL, BIG, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	for (size_t i = 0; i < BIG; i += PAGE)
		m[i] = pattern(i);
	m[MID] = 0x5a;

	pid_t pid = FORK();
	if (pid == 0) {
		int v = 0;
		if (differing(m, BIG) == 0 && m[MID] == 0x5a)
			v |= 1; /* sees the parent's memory */
		m[MID] = 0xbb;
		m[BIG - 1] = 0xcc;
		m[0] = 0xaa;
		if (m[MID] == 0xbb && m[MID_PAGE] == pattern(MID) &&
		    m[MID_PAGE + PAGE] == pattern(MID_PAGE + PAGE))
			v |= 2; /* its writes stick, next to untouched pages */
		_exit(v);
	}
	m[7 * PAGE] = 0x11; /* the parent's own write, while the child runs */
	SAY("first child: %d (3: saw the parent's memory, kept its own writes)\n",
	    wait_status(pid));
	CHECK(m[0] == pattern(0) && m[MID] == 0x5a && m[BIG - 1] == 0);
	CHECK(m[7 * PAGE] == 0x11);
	CHECK(differing(m, 7 * PAGE) == 0);
	SAY("parent: its memory is its own\n");

	pid = FORK();
	if (pid == 0)
		_exit(m[7 * PAGE] == 0x11 && m[0] == pattern(0) ? 0 : 1);
	SAY("second child sees the parent's later write: %s\n", wait_ok(pid) ? "yes" : "no");

	/* Page-sized operations inside the large pages. */
	SYS(munmap(m + MID_PAGE, PAGE));
	SYS(mprotect(m + 16 * PAGE, PAGE, PROT_READ));
	pid = FORK();
	if (pid == 0)
		_exit(m[16 * PAGE] == pattern(16 * PAGE) &&
		      m[MID_PAGE + PAGE] == pattern(MID_PAGE + PAGE) ? 0 : 1);
	SAY("after a page's munmap and mprotect, a child reads the rest: %s\n",
	    wait_ok(pid) ? "yes" : "no");
	CHECK(m[17 * PAGE] == pattern(17 * PAGE));
	/* The whole range, hole and all: moat may have put a page of its own in
	 * the hole (a system call trampoline, for libc's calls), which must
	 * outlive this (the calls below go through it). */
	SYS(munmap(m, BIG));
	for (int i = 0; i < 8; i++)
		SYS(getppid());
	SAY("after unmapping the whole range: still running\n");
	DONE();
}
