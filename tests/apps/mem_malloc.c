/* The allocator: small and large blocks, calloc, realloc, aligned allocations. */
#include "check.h"
#include <malloc.h>

int main(void)
{
	void *ptrs[1000];
	for (int i = 0; i < 1000; i++) {
		size_t sz = (size_t)(i * 37 % 5000) + 1;
		ptrs[i] = malloc(sz);
		CHECK(ptrs[i]);
		memset(ptrs[i], i & 0xff, sz);
	}
	int ok = 1;
	for (int i = 0; i < 1000; i++) {
		size_t sz = (size_t)(i * 37 % 5000) + 1;
		if (((unsigned char *)ptrs[i])[sz - 1] != (i & 0xff)) ok = 0;
		free(ptrs[i]);
	}
	CHECK(ok);
	SAY("1000 small blocks: %d\n", ok);
	char *big = malloc(64 << 20);
	CHECK(big);
	memset(big, 1, 64 << 20);
	free(big);
	SAY("64 MiB block ok\n");
	int *z = calloc(1 << 20, sizeof(int));
	CHECK(z && z[12345] == 0 && z[(1 << 20) - 1] == 0);
	free(z);
	char *r = malloc(10);
	strcpy(r, "123456789");
	for (size_t sz = 16; sz < (32 << 20); sz *= 2) {
		r = realloc(r, sz);
		CHECK(r);
	}
	CHECK(!strcmp(r, "123456789"));
	SAY("realloc keeps: %s\n", r);
	free(r);
	void *al = NULL;
	ZERO(posix_memalign(&al, 1 << 16, 1000));
	CHECK(((uintptr_t)al & 0xffff) == 0);
	free(al);
	al = aligned_alloc(4096, 8192);
	CHECK(al && ((uintptr_t)al & 4095) == 0);
	free(al);
	SAY("aligned allocations ok\n");
	DONE();
}
