/* Anonymous mappings: private and shared, fixed placement, bad arguments. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	CHECK(pg == 4096);
	unsigned char *p = PSYS(mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	int zero = 1;
	for (long i = 0; i < 16 * pg; i++)
		if (p[i]) zero = 0;
	CHECK(zero);
	SAY("fresh anonymous memory is zero: %d\n", zero);
	for (long i = 0; i < 16 * pg; i++)
		p[i] = (unsigned char)i;
	long sum = 0;
	for (long i = 0; i < 16 * pg; i++)
		sum += p[i];
	SAY("sum: %ld\n", sum);
	CHECK(sum == 16 * 4096 / 256 * (255 * 256 / 2));
	/* Unmap the middle, map it again at the same place with MAP_FIXED. */
	SYS(munmap(p + 4 * pg, 4 * pg));
	unsigned char *q = PSYS(mmap(p + 4 * pg, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK(q == p + 4 * pg);
	CHECK(q[0] == 0 && p[4 * pg - 1] == (unsigned char)(4 * pg - 1));
	SAY("MAP_FIXED refill is zero: %d\n", q[0] == 0);
	/* MAP_FIXED_NOREPLACE over an existing mapping fails. */
	void *r = mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(r == MAP_FAILED && errno == EEXIST);
	SAY("MAP_FIXED_NOREPLACE: %s\n", r == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	/* Bad arguments. */
	ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR(mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	ERR(munmap(p + 1, pg), EINVAL);
	SAY("bad arguments rejected\n");
	/* A shared anonymous mapping. */
	int *s = PSYS(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	s[10] = 1234;
	CHECK(s[10] == 1234);
	SYS(munmap(s, pg));
	/* A large mapping, touched sparsely. */
	size_t big = 256UL << 20;
	char *b = PSYS(mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	for (size_t off = 0; off < big; off += 1 << 20)
		b[off] = 1;
	SYS(munmap(b, big));
	SAY("256 MiB sparse mapping ok\n");
	SYS(munmap(p, 16 * pg));
	DONE();
}
