/*
 * Conformance: DkVirtualMemoryAlloc, DkVirtualMemoryFree,
 * DkVirtualMemoryProtect.
 *
 * Whether the PAL can write a range is probed without faulting: a read from
 * null: or a file into the range must fail with -DK_E_BAD_POINTER when the
 * range is not writable (and a write from it when it is not readable).
 */
#include "conf.h"

#define PG 4096ul
#define RW (DK_PROT_READ | DK_PROT_WRITE)
#define RC (DK_MEM_RESERVE | DK_MEM_COMMIT)

#define pal_can_write conf_probe_write
#define pal_can_read conf_probe_read

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void alloc_commit(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 3 * PG, RC, RW));
	CHECK(p != NULL, "address not returned");
	CHECK(((uintptr_t)p & (PG - 1)) == 0, "address %p not page aligned", p);
	CHECK(all_zero(p, 3 * PG), "fresh memory is not zeroed");
	memset(p, 0xa5, 3 * PG);
	CHECK(((volatile uint8_t *)p)[3 * PG - 1] == 0xa5, "write did not stick");
	void *q = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&q, PG, RC, RW));
	CHECK(q != p && ((uintptr_t)q >= (uintptr_t)p + 3 * PG || (uintptr_t)q + PG <= (uintptr_t)p),
	      "second allocation %p overlaps the first %p", q, p);
	CHECK_OK(dk->DkVirtualMemoryFree(q, PG, DK_MEM_RELEASE));
	CHECK_OK(dk->DkVirtualMemoryFree(p, 3 * PG, DK_MEM_RELEASE));
}

static void reserve_then_commit(void)
{
	void *base = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&base, 16 * PG, DK_MEM_RESERVE, DK_PROT_NONE));
	CHECK(base && ((uintptr_t)base & (PG - 1)) == 0, "bad reservation address %p", base);
	uint8_t *b = base;
	CHECK_RC(pal_can_write(b + 4 * PG), E(BAD_POINTER));
	void *c = b + 4 * PG;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&c, 2 * PG, DK_MEM_COMMIT, RW));
	CHECK(c == b + 4 * PG, "commit inside the reservation moved to %p (want %p)", c, b + 4 * PG);
	CHECK(all_zero(c, 2 * PG), "committed memory is not zeroed");
	memcpy(c, "committed", 10);
	CHECK_OK(pal_can_write(b + 5 * PG));
	/* the pages around stay inaccessible */
	CHECK_RC(pal_can_write(b + 3 * PG), E(BAD_POINTER));
	CHECK_RC(pal_can_write(b + 6 * PG), E(BAD_POINTER));
	CHECK(memcmp(c, "committed", 10) == 0, "contents lost");
	/* a 256 MiB reservation costs nothing until committed */
	void *big = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&big, 256ul << 20, DK_MEM_RESERVE, DK_PROT_NONE));
	void *last = (uint8_t *)big + (256ul << 20) - PG;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&last, PG, DK_MEM_COMMIT, RW));
	*(volatile int *)last = 5;
	CHECK_OK(dk->DkVirtualMemoryFree(big, 256ul << 20, DK_MEM_RELEASE));
	CHECK_OK(dk->DkVirtualMemoryFree(base, 16 * PG, DK_MEM_RELEASE));
}

static void decommit(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 4 * PG, RC, RW));
	uint8_t *b = p;
	memset(b, 0x5a, 4 * PG);
	CHECK_OK(dk->DkVirtualMemoryFree(b + PG, 2 * PG, DK_MEM_DECOMMIT));
	CHECK_RC(pal_can_write(b + PG), E(BAD_POINTER));
	CHECK(b[0] == 0x5a && b[3 * PG] == 0x5a, "decommit touched neighbouring pages");
	void *c = b + PG;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&c, 2 * PG, DK_MEM_COMMIT, RW));
	CHECK(c == b + PG, "recommit moved");
	CHECK(all_zero(b + PG, 2 * PG), "recommitted pages kept their old contents");
	CHECK_OK(dk->DkVirtualMemoryFree(p, 4 * PG, DK_MEM_RELEASE));
}

static void release_and_reuse(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 8 * PG, RC, RW));
	CHECK_OK(dk->DkVirtualMemoryFree(p, 8 * PG, DK_MEM_RELEASE));
	CHECK_RC(pal_can_write(p), E(BAD_POINTER));
	/* the range is free again: an explicit address gets exactly it */
	void *q = p;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&q, 8 * PG, RC, RW));
	CHECK(q == p, "explicit address %p came back as %p", p, q);
	CHECK(all_zero(q, 8 * PG), "reused range is not zeroed");
	/* and now it is taken */
	void *r = p;
	CHECK_RC(dk->DkVirtualMemoryAlloc(&r, PG, DK_MEM_RESERVE, DK_PROT_NONE), E(EXISTS));
	CHECK(r == p, "address written on failure");
	CHECK_OK(dk->DkVirtualMemoryFree(q, 8 * PG, DK_MEM_RELEASE));
}

static void protect(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 2 * PG, RC, RW));
	uint8_t *b = p;
	memcpy(b, "keep", 5);
	CHECK_OK(dk->DkVirtualMemoryProtect(b, PG, DK_PROT_READ));
	CHECK_RC(pal_can_write(b), E(BAD_POINTER));
	CHECK_OK(pal_can_read(b));
	CHECK(memcmp(b, "keep", 5) == 0, "contents changed by protect");
	CHECK_OK(pal_can_write(b + PG)); /* the second page is untouched */
	CHECK_OK(dk->DkVirtualMemoryProtect(b, PG, DK_PROT_NONE));
	CHECK_RC(pal_can_read(b), E(BAD_POINTER));
	CHECK_OK(dk->DkVirtualMemoryProtect(b, 2 * PG, RW));
	CHECK_OK(pal_can_write(b));
	CHECK(memcmp(b, "PROBE!!!", 8) == 0, "probe write did not land");
	CHECK_OK(dk->DkVirtualMemoryFree(p, 2 * PG, DK_MEM_RELEASE));
}

static void bad_ranges(void)
{
	void *p = NULL;
	void *base = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&base, 4 * PG, RC, RW));
	uint8_t *b = base;

	CHECK_RC(dk->DkVirtualMemoryAlloc(&p, 0, RC, RW), E(INVALID));
	p = b + 1;
	CHECK_RC(dk->DkVirtualMemoryAlloc(&p, PG, RC, RW), E(INVALID));
	p = NULL;
	CHECK_RC2(dk->DkVirtualMemoryAlloc(&p, (size_t)1 << 62, RC, RW), E(NO_MEMORY), E(INVALID));
	CHECK(p == NULL, "address written on failure");
	CHECK_RC2(dk->DkVirtualMemoryAlloc(&p, SIZE_MAX & ~(PG - 1), RC, RW), E(NO_MEMORY),
		  E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryAlloc(&p, PG, 0, RW), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryAlloc(&p, PG, 0x10, RW), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryAlloc(&p, PG, RC, 0x100), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryAlloc((void **)8, PG, RC, RW), E(BAD_POINTER));
	/* an address in the kernel half can never be had */
	p = (void *)0xffff900000000000ull;
	int rc = dk->DkVirtualMemoryAlloc(&p, PG, RC, RW);
	CHECK(rc < 0, "allocated at a kernel address");
	/* an explicit range that wraps around */
	p = (void *)(0ull - 2 * PG);
	rc = dk->DkVirtualMemoryAlloc(&p, 4 * PG, RC, RW);
	CHECK(rc < 0, "allocated a wrapping range");

	CHECK_RC(dk->DkVirtualMemoryFree(b + 1, PG, DK_MEM_RELEASE), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryFree(b, 0, DK_MEM_RELEASE), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryFree(b, PG, 0), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryFree(b, PG, DK_MEM_RELEASE | DK_MEM_DECOMMIT), E(INVALID));
	rc = dk->DkVirtualMemoryFree((void *)(0ull - 2 * PG), 4 * PG, DK_MEM_RELEASE);
	CHECK(rc < 0, "freed a wrapping range");
	CHECK_RC(dk->DkVirtualMemoryProtect(b + 1, PG, DK_PROT_READ), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryProtect(b, PG, 0x80), E(INVALID));
	rc = dk->DkVirtualMemoryProtect((void *)0xffff900000000000ull, PG, DK_PROT_READ);
	CHECK(rc < 0, "protect of a kernel address succeeded");

	/* nothing above disturbed the valid allocation */
	b[0] = 1;
	b[4 * PG - 1] = 2;
	CHECK_OK(dk->DkVirtualMemoryFree(base, 4 * PG, DK_MEM_RELEASE));
}

/* DK_MEM_LARGE is a hint: the memory behaves as any other, page by page
 * (whether the host used large pages is not visible here). */
static void large(void)
{
	const size_t n = 8ul << 20;
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, n, RC | DK_MEM_LARGE, RW));
	uint8_t *b = p;
	CHECK(all_zero(b, n), "fresh large memory is not zeroed");
	b[0] = 1;
	b[n - 1] = 2;
	uint8_t *mid = b + (2ul << 20) + 3 * PG; /* a page inside a 2 MiB stretch */
	memcpy(mid, "keep", 5);
	CHECK_OK(dk->DkVirtualMemoryProtect(mid, PG, DK_PROT_READ));
	CHECK_RC(pal_can_write(mid), E(BAD_POINTER));
	CHECK(memcmp(mid, "keep", 5) == 0, "contents changed by protect");
	CHECK_OK(pal_can_write(mid + PG));
	CHECK_OK(pal_can_write(mid - PG));
	CHECK(b[0] == 1 && b[n - 1] == 2, "large memory lost a write");
	CHECK_OK(dk->DkVirtualMemoryFree(p, n, DK_MEM_RELEASE));

	/* committed inside a reservation */
	void *r = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&r, n, DK_MEM_RESERVE, DK_PROT_NONE));
	CHECK_OK(dk->DkVirtualMemoryAlloc(&r, n, DK_MEM_COMMIT | DK_MEM_LARGE, RW));
	((uint8_t *)r)[n / 2] = 3;
	CHECK(((uint8_t *)r)[n / 2] == 3 && all_zero(r, n / 2), "committed large memory");
	CHECK_OK(dk->DkVirtualMemoryFree(r, n, DK_MEM_RELEASE));

	void *q = NULL;
	CHECK_RC(dk->DkVirtualMemoryAlloc(&q, PG, DK_MEM_RESERVE | DK_MEM_LARGE, RW), E(INVALID));
	CHECK_RC(dk->DkVirtualMemoryAlloc(&q, PG, RC | DK_MEM_SHARED | DK_MEM_LARGE, RW),
		 E(INVALID));
	CHECK(q == NULL, "address written on failure");
}

static void exec_commit(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, PG, RC, DK_PROT_READ | DK_PROT_WRITE | DK_PROT_EXEC));
	static const uint8_t code[] = {0xb8, 7, 0, 0, 0, 0xc3}; /* mov $7,%eax; ret */
	memcpy(p, code, sizeof(code));
	CHECK_OK(dk->DkInstructionCacheFlush(p, sizeof(code)));
	int v = ((int (*)(void))p)();
	CHECK(v == 7, "RWX code returned %d", v);
	CHECK_OK(dk->DkVirtualMemoryFree(p, PG, DK_MEM_RELEASE));
}

const struct conf_case conf_cases_memory[] = {
	{"DkVirtualMemoryAlloc.commit", alloc_commit},
	{"DkVirtualMemoryAlloc.reserve_then_commit", reserve_then_commit},
	{"DkVirtualMemoryAlloc.rwx", exec_commit},
	{"DkVirtualMemoryAlloc.large", large},
	{"DkVirtualMemoryFree.decommit", decommit},
	{"DkVirtualMemoryFree.release_and_reuse", release_and_reuse},
	{"DkVirtualMemoryProtect.enforced", protect},
	{"DkVirtualMemoryAlloc.bad_ranges", bad_ranges},
	{NULL, NULL},
};
