/* brk and sbrk: the heap grows and shrinks. */
#include "check.h"
#include <sys/syscall.h>

int main(void)
{
	/* stdio allocates its buffer from the heap: do that before moving the break. */
	SAY("start\n");
	char *start = sbrk(0);
	CHECK(start != (char *)-1);
	char *old = PSYS(sbrk(1 << 20));
	CHECK(old == start);
	char *end = sbrk(0);
	CHECK(end == start + (1 << 20));
	memset(start, 'x', 1 << 20);
	CHECK(start[(1 << 20) - 1] == 'x');
	SAY("sbrk grew by 1 MiB\n");
	CHECK(sbrk(-(1 << 19)) == end);
	CHECK(sbrk(0) == start + (1 << 19));
	CHECK(start[1000] == 'x');
	SAY("sbrk shrank by 512 KiB\n");
	/* The raw system call returns the current break on failure. */
	long cur = syscall(SYS_brk, 0);
	CHECK(cur == (long)(start + (1 << 19)));
	long r = syscall(SYS_brk, cur + 4096 * 10);
	CHECK(r == cur + 4096 * 10);
	((char *)cur)[4096 * 9] = 1;
	r = syscall(SYS_brk, 1);
	CHECK(r == cur + 4096 * 10);
	SAY("raw brk: ok\n");
	SYS(brk((char *)cur));
	DONE();
}
