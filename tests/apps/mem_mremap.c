/* mremap: grow in place or moving, shrink; contents are kept. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int *p = PSYS(mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	for (int i = 0; i < 4 * pg / 4; i++)
		p[i] = i;
	int *q = PSYS(mremap(p, 4 * pg, 64 * pg, MREMAP_MAYMOVE));
	int ok = 1;
	for (int i = 0; i < 4 * pg / 4; i++)
		if (q[i] != i) ok = 0;
	CHECK(ok);
	SAY("grown to 64 pages, contents kept: %d\n", ok);
	CHECK(q[63 * pg / 4] == 0);
	q[63 * pg / 4] = 7;
	int *r = PSYS(mremap(q, 64 * pg, 2 * pg, 0));
	CHECK(r == q && r[pg / 4 + 5] == pg / 4 + 5);
	SAY("shrunk in place: %d\n", r == q);
	/* Without MAYMOVE, growing into an occupied range fails. */
	void *guard = mmap((char *)r + 2 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (guard != MAP_FAILED) {
		ERR(mremap(r, 2 * pg, 8 * pg, 0), ENOMEM);
		SYS(munmap(guard, pg));
	}
	/* MREMAP_FIXED to a chosen place. */
	char *dst = PSYS(mmap(NULL, 8 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	int *s = PSYS(mremap(r, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * pg));
	CHECK((char *)s == dst + 2 * pg && s[3] == 3);
	SAY("MREMAP_FIXED moved: %d\n", (char *)s == dst + 2 * pg);
	ERR(mremap(s, 2 * pg, 4 * pg, 0x80), EINVAL);
	SYS(munmap(dst, 8 * pg));
	DONE();
}
