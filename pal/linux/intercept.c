/*
 * The application's view of the CPU: its %fs base, and trapping the system
 * call instructions it executes (Syscall User Dispatch: the kernel lets
 * system calls through only from the PAL's gate and sends SIGSYS for any
 * other, which exception.c turns into DK_EXC_SYSCALL).
 */
#include "pal.h"
#include "linux/host.h"

#define ARCH_SET_FS 0x1002
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1

extern char gate_begin[], gate_end[];

int pal_host_segment_set(uint32_t reg, uint64_t base)
{
	(void)reg; /* only DK_SEGMENT_FS, checked by the caller */
	return pal_host_status(HOST(arch_prctl, ARCH_SET_FS, base));
}

/* Arms or disarms the calling thread.  The kernel clears the setting in a
 * new thread, so pal_thread_entry calls this again from the tcb's mode. */
int pal_linux_syscall_trap_apply(uint32_t mode)
{
	long rc;
	if (mode == DK_SYSCALL_TRAP_ON)
		rc = HOST(prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, gate_begin,
			  gate_end - gate_begin, 0);
	else
		rc = HOST(prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
	return pal_host_status(rc);
}

int pal_host_syscall_trap(uint32_t mode)
{
	int rc = pal_linux_syscall_trap_apply(mode);
	if (rc == 0)
		pal_tcb()->syscall_trap = mode;
	return rc;
}
