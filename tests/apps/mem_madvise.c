/* madvise and mincore on anonymous memory. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = PSYS(mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	unsigned char vec[8];
	p[0] = 1; p[2 * pg] = 2; p[5 * pg] = 3;
	SYS(mincore(p, 8 * pg, vec));
	CHECK(vec[0] & 1); CHECK(vec[2] & 1); CHECK(vec[5] & 1);
	SAY("touched pages resident: %d %d %d\n", vec[0] & 1, vec[2] & 1, vec[5] & 1);
	SYS(madvise(p, 8 * pg, MADV_WILLNEED));
	SYS(madvise(p, 8 * pg, MADV_SEQUENTIAL));
	SYS(madvise(p, 8 * pg, MADV_NORMAL));
	SYS(madvise(p, 2 * pg, MADV_DONTNEED));
	CHECK(p[0] == 0);
	CHECK(p[2 * pg] == 2);
	SAY("after MADV_DONTNEED: %d %d\n", p[0], p[2 * pg]);
	ERR(madvise(p + 1, pg, MADV_DONTNEED), EINVAL);
	ERR(mincore(p + 1, pg, vec), EINVAL);
	SYS(munmap(p, 8 * pg));
	ERR(mincore(p, pg, vec), ENOMEM);
	SAY("errors: ok\n");
	DONE();
}
