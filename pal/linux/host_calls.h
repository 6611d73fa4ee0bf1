/*
 * The closed list of host system calls the Linux PAL may issue.  The gate
 * (gate.S) is the only code with a syscall instruction, and host.h only lets
 * PAL code name calls from this list, so this list is exactly the PAL's
 * reach into the host kernel.  tools/check-closed-abi prints it and the
 * monitor's seccomp allowlist is built to match it.  Add a call here only
 * with a reason in docs/ABI.md.
 */
#ifndef MOAT_PAL_LINUX_HOST_CALLS_H
#define MOAT_PAL_LINUX_HOST_CALLS_H

#define PAL_HOST_CALLS(X)                                                     \
	/* files and descriptors */                                           \
	X(read) X(write) X(pread64) X(pwrite64) X(openat) X(close) X(fstat)  \
	X(newfstatat) X(ftruncate) X(fsync) X(getdents64) X(mkdirat)          \
	X(mknodat)                                                            \
	X(unlinkat) X(renameat2) X(fcntl) X(ioctl)                            \
	/* links and metadata */                                              \
	X(readlinkat) X(symlinkat) X(linkat) X(fchmodat) X(utimensat)         \
	/* memory */                                                          \
	X(mmap) X(munmap) X(mprotect) X(madvise)                              \
	/* threads, time, waiting */                                          \
	X(clone) X(exit) X(exit_group) X(gettid) X(getpid) X(tgkill)         \
	X(arch_prctl) X(sched_yield) X(clock_nanosleep) X(clock_gettime)     \
	X(ppoll) X(eventfd2) X(getrandom)                                     \
	/* signals (exceptions) */                                            \
	X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) X(sigaltstack)      \
	/* trapping the application's system calls (Syscall User Dispatch) */ \
	X(prctl)                                                              \
	/* sockets: named pipes (AF_UNIX), tcp (AF_INET, AF_INET6) */        \
	X(socket) X(bind) X(listen) X(accept4) X(connect)                    \
	X(getsockname) X(setsockopt) X(shutdown) X(getsockopt)                \
	/* the channel to the monitor: child processes, dns: */             \
	X(sendmsg) X(recvmsg)                                                 \
	/* the Linux process model: fork (clone), wait, kill, groups, pipes */\
	X(waitid) X(kill) X(getppid) X(setpgid) X(getpgid) X(setsid)          \
	X(getsid) X(pipe2) X(futex) X(lseek) \
	X(socketpair) X(flock) X(rt_sigqueueinfo)                           \
	/* starting a forked child on its parent's CPU */                     \
	X(sched_getaffinity) X(sched_setaffinity)

#endif
