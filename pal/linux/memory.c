/* Memory hooks: reservations are PROT_NONE mappings; committing changes
 * the protection of pages that are already zero-filled anonymous memory. */
#include "pal.h"
#include "linux/host.h"
#include <linux/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* A read-only private file mapping (code, constants) is MAP_NORESERVE,
 * which changes nothing until it is made writable: then the host neither
 * charges it to the commit limit nor marks the writable part accounted.
 * The library OS's system call fast path makes a page of a program's code
 * writable to rewrite a site in it, and back: the page's mapping then
 * looks like its neighbours again and the host merges them, where an
 * accounted page would stay a mapping of its own (a program's code in ten
 * pieces after a few rewrites).  Each mapping costs every fork (a copy,
 * or for left-behind memory an erase) and every exit. */
int pal_linux_private_file_flags(int prot)
{
	return MAP_PRIVATE | (prot & PROT_WRITE ? 0 : MAP_NORESERVE);
}

static int host_prot(uint32_t prot)
{
	return (prot & DK_PROT_READ ? PROT_READ : 0) | (prot & DK_PROT_WRITE ? PROT_WRITE : 0) |
	       (prot & DK_PROT_EXEC ? PROT_EXEC : 0);
}

/* DK_MEM_LARGE: transparent huge pages (2 MiB), which the host's fork
 * copies one page-table entry each instead of 512.  A hint: the host may
 * have them off, or no 2 MiB-aligned stretch inside the range. */
#define K_MADV_HUGEPAGE 14
static void advise_large(void *addr, size_t size, uint32_t type)
{
	if (type & DK_MEM_LARGE)
		HOST(madvise, addr, size, K_MADV_HUGEPAGE);
}

int pal_host_mem_alloc(void **addr, size_t size, uint32_t type, uint32_t prot)
{
	int hprot = type & DK_MEM_COMMIT ? host_prot(prot) : PROT_NONE;
	bool shared = type & DK_MEM_SHARED;
	if (*addr && !(type & DK_MEM_RESERVE) && !shared) { /* commit inside a reservation */
		int rc = pal_host_mem_protect(*addr, size, prot);
		if (rc == 0)
			advise_large(*addr, size, type);
		return rc;
	}
	/* Shared memory committed inside a reservation replaces that part of
	 * it (the reservation is the caller's own). */
	int place = !*addr ? 0 : type & DK_MEM_RESERVE ? MAP_FIXED_NOREPLACE : MAP_FIXED;
	int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | place |
		    (type & DK_MEM_COMMIT ? 0 : MAP_NORESERVE);
	long p = HOST(mmap, *addr, size, hprot, flags, -1, 0);
	if (HOST_IS_ERR(p))
		return pal_dk_error(p);
	if (*addr && (void *)p != *addr) { /* a kernel without NOREPLACE */
		HOST(munmap, p, size);
		return -DK_E_EXISTS;
	}
	*addr = (void *)p;
	advise_large(*addr, size, type);
	return 0;
}

int pal_host_mem_free(void *addr, size_t size, uint32_t type)
{
	if (type == DK_MEM_RELEASE)
		return pal_host_status(HOST(munmap, addr, size));
	/* Decommit: fresh inaccessible pages drop the old contents. */
	long p = HOST(mmap, addr, size, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	return pal_host_status(p);
}

int pal_host_mem_protect(void *addr, size_t size, uint32_t prot)
{
	return pal_host_status(HOST(mprotect, addr, size, host_prot(prot)));
}

int pal_host_unmap(void *addr, size_t size)
{
	if (!size || ((uint64_t)addr % PAL_PAGE))
		return -DK_E_INVALID;
	return pal_host_status(HOST(munmap, addr, PAL_ALIGN_UP(size, PAL_PAGE)));
}
