/* The "other" downcalls: time, randomness, caches, handles, debug output. */
#include "common/calls.h"

int pal_DkSystemTimeQuery(uint32_t clock, uint64_t *ns)
{
	uint64_t t;
	if (clock > DK_CLOCK_THREAD_CPU)
		return -DK_E_INVALID;
	int rc = pal_host_time(clock, &t);
	return rc < 0 ? rc : PAL_PUT(ns, t);
}

int pal_DkRandomBitsRead(void *buf, size_t size)
{
	return pal_host_random(buf, size);
}

int pal_DkInstructionCacheFlush(const void *addr, size_t size)
{
	if ((uint64_t)addr + size < (uint64_t)addr)
		return -DK_E_INVALID;
	return pal_host_icache_flush(addr, size);
}

int pal_DkObjectReference(DK_HANDLE object)
{
	return pal_handle_ref(object);
}

int pal_DkObjectClose(DK_HANDLE object)
{
	return pal_handle_close(object);
}

/* No input devices or frame buffers on a server host (ABI.md). */
int pal_DkInputEventRead(DK_HANDLE device, void *event, size_t *size)
{
	(void)device, (void)event, (void)size;
	return -DK_E_NOT_IMPLEMENTED;
}

int pal_DkFrameBufferExport(DK_HANDLE device, void **fb, uint32_t *width, uint32_t *height,
			    uint32_t *stride)
{
	(void)device, (void)fb, (void)width, (void)height, (void)stride;
	return -DK_E_NOT_IMPLEMENTED;
}

int pal_DkFrameBufferNotifyUpdate(DK_HANDLE device, uint32_t x, uint32_t y, uint32_t width,
				  uint32_t height)
{
	(void)device, (void)x, (void)y, (void)width, (void)height;
	return -DK_E_NOT_IMPLEMENTED;
}

int pal_DkDebugStringPrint(const char *text)
{
	char buf[1024];
	int rc = pal_copy_string_in(buf, text, sizeof(buf));
	if (rc == -DK_E_NAME_TOO_LONG)
		rc = 0, buf[sizeof(buf) - 1] = 0; /* print what fits */
	if (rc < 0)
		return rc;
	return pal_host_debug_print(buf, strlen(buf));
}

int pal_DkSegmentRegisterSet(uint32_t reg, uint64_t base)
{
	if (reg != DK_SEGMENT_FS || base >= 0x800000000000ull)
		return -DK_E_INVALID;
	return pal_host_segment_set(reg, base);
}

int pal_DkSystemCallTrapSet(uint32_t mode)
{
	if (mode != DK_SYSCALL_TRAP_OFF && mode != DK_SYSCALL_TRAP_ON)
		return -DK_E_INVALID;
	return pal_host_syscall_trap(mode);
}
