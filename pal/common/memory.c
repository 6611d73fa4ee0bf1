/* Memory downcalls: validate the range, then let the host do it. */
#include "common/calls.h"

#define USER_TOP 0x800000000000ull /* end of the x86-64 lower half */
#define PROT_ALL (DK_PROT_READ | DK_PROT_WRITE | DK_PROT_EXEC)

/* A range must be page-aligned, non-empty and inside user space. */
bool pal_range_ok(uint64_t addr, uint64_t size)
{
	return size && !(addr % PAL_PAGE) && !(size % PAL_PAGE) && addr + size > addr &&
	       addr + size <= USER_TOP;
}

int pal_DkVirtualMemoryAlloc(void **addr, size_t size, uint32_t type, uint32_t prot)
{
	void *want;
	int rc = pal_copy_in(&want, addr, sizeof(want));
	if (rc < 0)
		return rc;
	if (!type || (type & ~(DK_MEM_RESERVE | DK_MEM_COMMIT | DK_MEM_SHARED | DK_MEM_LARGE)) ||
	    ((type & (DK_MEM_SHARED | DK_MEM_LARGE)) && !(type & DK_MEM_COMMIT)) ||
	    ((type & DK_MEM_SHARED) && (type & DK_MEM_LARGE)) || (prot & ~PROT_ALL))
		return -DK_E_INVALID;
	size = PAL_ALIGN_UP(size, PAL_PAGE);
	if (!pal_range_ok(want ? (uint64_t)want : PAL_PAGE, size))
		return -DK_E_INVALID;
	if (!want && !(type & DK_MEM_RESERVE))
		return -DK_E_INVALID; /* committing needs a reservation or an address */
	rc = pal_host_mem_alloc(&want, size, type, prot);
	if (rc < 0)
		return rc;
	return PAL_PUT(addr, want);
}

int pal_DkVirtualMemoryFree(void *addr, size_t size, uint32_t type)
{
	if ((type != DK_MEM_DECOMMIT && type != DK_MEM_RELEASE) ||
	    !pal_range_ok((uint64_t)addr, size))
		return -DK_E_INVALID;
	return pal_host_mem_free(addr, size, type);
}

int pal_DkVirtualMemoryProtect(void *addr, size_t size, uint32_t prot)
{
	if ((prot & ~PROT_ALL) || !pal_range_ok((uint64_t)addr, size))
		return -DK_E_INVALID;
	return pal_host_mem_protect(addr, size, prot);
}
