/*
 * Host system calls for the Linux PAL.  HOST(name, args...) issues the call
 * through the gate; it only compiles for names in host_calls.h.  The result
 * is the kernel's: a value, or -errno in [-4095, -1].
 */
#ifndef MOAT_PAL_LINUX_HOST_H
#define MOAT_PAL_LINUX_HOST_H

#include <asm/unistd.h>
#include "host_calls.h"

struct pal_tcb;

enum pal_host_call {
#define PAL_HC_ENUM(name) HC_##name = __NR_##name,
	PAL_HOST_CALLS(PAL_HC_ENUM)
#undef PAL_HC_ENUM
};

long gate_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

#define HOST(...) HOST_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define HOST_(name, a, b, c, d, e, f, ...) \
	gate_syscall6(HC_##name, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define HOST_IS_ERR(rc) ((unsigned long)(rc) > -4096ul)

/* A host call that may sleep (gate_syscall_blocking): a signal for the
 * thread ends it with -EINTR even when it lands just before the call. */
long gate_syscall_blocking(long nr, long a1, long a2, long a3, long a4, long a5,
			   volatile int *unseen);
extern char gate_blocking_window[], gate_blocking_syscall[], gate_blocking_eintr[];
long pal_linux_blocking_call(long nr, long a1, long a2, long a3, long a4, long a5);
#define HOST_BLOCKING(...) HOST_BLOCKING_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define HOST_BLOCKING_(name, a, b, c, d, e, ...) \
	pal_linux_blocking_call(HC_##name, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

/* Translates a host -errno into a negated DK_E_* code (pal/linux/error.c). */
int pal_dk_error(long host_rc);
/* HOST_IS_ERR(rc) ? pal_dk_error(rc) : 0 */
static inline int pal_host_status(long rc)
{
	return HOST_IS_ERR(rc) ? pal_dk_error(rc) : 0;
}

/* Gate entry points other than the generic one (gate.S). */
/* Starts a thread on stack (16-byte aligned top); the child pops tcb and
 * calls pal_thread_entry(tcb).  Returns the child's tid or -errno. */
long gate_clone_thread(unsigned long flags, void *stack_top, int *parent_tid,
		       int *child_tid, struct pal_tcb *tcb);
/* Releases the calling thread's own stack mapping and exits the thread. */
void gate_exit_thread_unmap(void *base, unsigned long size) __attribute__((noreturn));
/* Signal return trampoline (sa_restorer). */
void gate_sigreturn(void);

/* Fault-safe copies (usercopy.S); the exception handler recovers a fault at
 * an address in [pal_usercopy_start, pal_usercopy_end) by resuming at
 * pal_usercopy_fault, which returns -1. */
long pal_usercopy(void *dst, const void *src, unsigned long n);
long pal_userstrnlen(const char *s, unsigned long max);
extern char pal_usercopy_start[], pal_usercopy_end[], pal_usercopy_fault[];

/* Descriptor to pass in child processes etc.; private helpers used across
 * the Linux host files. */
int pal_linux_eventfd(unsigned initial, int flags);
/* mmap's flags for a private mapping of a file with host protection prot
 * (memory.c: read-only ones are MAP_NORESERVE). */
int pal_linux_private_file_flags(int prot);
/* Switches to the stack that ends at sp and calls fn(arg); never returns
 * (stack.S). */
void pal_linux_run_on_stack(void *sp, void (*fn)(void *), void *arg) __attribute__((noreturn));
/* Arms Syscall User Dispatch for the calling thread (intercept.c). */
int pal_linux_syscall_trap_apply(uint32_t mode);
void pal_linux_close(int fd);

/* sendmsg and recvmsg's structures (libc's, not in the UAPI headers): the
 * channel to the monitor and DkStreamMessage pass descriptors with them. */
#define K_MSG_TRUNC 0x20
#define K_MSG_CTRUNC 0x08
#define K_MSG_NOSIGNAL 0x4000
#define K_MSG_DONTWAIT 0x40
#define K_MSG_CMSG_CLOEXEC 0x40000000
#define K_SOL_SOCKET 1
#define K_SCM_RIGHTS 1
#define K_SO_PEERCRED 17
#define K_SO_TYPE 3
struct k_iovec {
	void *base;
	unsigned long len;
};
struct k_msghdr {
	void *name;
	int namelen;
	struct k_iovec *iov;
	unsigned long iovlen;
	void *control;
	unsigned long controllen;
	unsigned flags;
};
struct k_cmsghdr {
	unsigned long len;
	int level;
	int type;
};
#define K_CMSG_ALIGN(n) (((n) + sizeof(unsigned long) - 1) & ~(sizeof(unsigned long) - 1))
#define K_CMSG_SPACE(n) (sizeof(struct k_cmsghdr) + K_CMSG_ALIGN(n))
#define K_CMSG_LEN(n) (sizeof(struct k_cmsghdr) + (n))
/* Takes the SCM_RIGHTS descriptors out of a received control buffer: the
 * first nfds into fds (returns how many), closing any beyond. */
int pal_linux_take_fds(const struct k_msghdr *m, int *fds, int nfds);

#endif
