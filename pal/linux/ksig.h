/*
 * Private to the Linux host's thread, sync, process and exception code:
 * the kernel's x86-64 signal ABI (declared here because the host libc's
 * headers are off limits and <asm/signal.h> clashes with them), the layout
 * of a created thread's mapping, and flag values of the host calls used.
 */
#ifndef MOAT_PAL_LINUX_KSIG_H
#define MOAT_PAL_LINUX_KSIG_H

#include "pal.h"

/* ---- signals --------------------------------------------------------- */
#define K_EINTR 4 /* the host errno a signal gives an interrupted call */
#define K_SIGHUP 1
#define K_SIGINT 2
#define K_SIGILL 4
#define K_SIGTRAP 5
#define K_SIGBUS 7
#define K_SIGFPE 8
#define K_SIGKILL 9
#define K_SIGUSR1 10
#define K_SIGSEGV 11
#define K_SIGPIPE 13
#define K_SIGTERM 15
#define K_SIGSYS 31
#define K_SIGCHLD 17
#define K_SIGCONT 18
#define K_SIGSTOP 19
/* The PAL's own: DkThreadRaiseException.  The last host signal, so that
 * 1..63 carry the layers' signals (DK_SIGNAL_MAX) unchanged. */
#define K_SIGRAISE 64
#define K_NSIG 64

#define K_SIG_DFL ((void *)0)
#define K_SIG_IGN ((void *)1)

#define K_SA_SIGINFO 0x00000004ul
#define K_SA_ONSTACK 0x08000000ul
#define K_SA_RESTORER 0x04000000ul
#define K_SA_NODEFER 0x40000000ul
#define K_SA_RESTART 0x10000000ul

#define K_SIG_BLOCK 0
#define K_SIG_UNBLOCK 1
#define K_SIG_SETMASK 2

#define K_SIGBIT(sig) (1ull << ((sig)-1))
/* Faults the CPU raises: never blocked (a blocked one kills the process). */
#define K_SYNC_SIGNALS                                                                    \
	(K_SIGBIT(K_SIGSEGV) | K_SIGBIT(K_SIGBUS) | K_SIGBIT(K_SIGFPE) | K_SIGBIT(K_SIGILL) | \
	 K_SIGBIT(K_SIGTRAP))

/* The kernel's struct sigaction for rt_sigaction on x86-64 (not libc's):
 * handler, flags, restorer, then a 64-bit mask; sigsetsize is 8. */
struct k_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* siginfo_t, 128 bytes: the union starts at offset 16. */
struct k_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	int pad0;
	union {
		void *addr;       /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
		struct {
			int pid;  /* SIGCHLD (and kill) */
			int uid;
			int status; /* SIGCHLD: exit code or signal */
		} child;
		char pad[112];
	};
};

/* stack_t: pointer, int flags (padded), size. */
struct k_stack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
};

/* The general registers of struct sigcontext in the kernel's order. */
enum k_greg {
	K_R8, K_R9, K_R10, K_R11, K_R12, K_R13, K_R14, K_R15, K_RDI, K_RSI, K_RBP,
	K_RBX, K_RDX, K_RAX, K_RCX, K_RSP, K_RIP, K_EFL, K_CSGSFS, K_ERR, K_TRAPNO,
	K_OLDMASK, K_CR2, K_NGREG
};

/* struct ucontext as the kernel builds it in the signal frame. */
struct k_ucontext {
	unsigned long uc_flags;
	struct k_ucontext *uc_link;
	struct k_stack uc_stack;
	uint64_t gregs[K_NGREG];  /* struct sigcontext ... */
	void *fpstate;            /* ... its fpstate pointer ... */
	uint64_t reserved1[8];    /* ... and padding */
	uint64_t uc_sigmask;
};

_Static_assert(sizeof(struct k_siginfo) == 128, "siginfo layout");
_Static_assert(__builtin_offsetof(struct k_ucontext, gregs) == 40, "ucontext layout");
_Static_assert(__builtin_offsetof(struct k_ucontext, uc_sigmask) == 296, "ucontext layout");

/* Sets the calling thread's host signal mask; returns the old one. */
uint64_t pal_linux_sigmask(uint64_t mask);

/* ---- a created thread's mapping, from the bottom ----------------------
 *   guard page | signal altstack | guard page | stack | tcb page
 * The stack grows down from the tcb page into the second guard page; the
 * altstack has its own guard below it.  The main thread (map_base NULL)
 * uses a static altstack. */
#define PAL_THREAD_STACK (256ul << 10)
#define PAL_THREAD_ALTSTACK (64ul << 10)
#define PAL_THREAD_ALTSTACK_OFF PAL_PAGE
#define PAL_THREAD_STACK_OFF (PAL_THREAD_ALTSTACK_OFF + PAL_THREAD_ALTSTACK + PAL_PAGE)
#define PAL_THREAD_TCB_OFF (PAL_THREAD_STACK_OFF + PAL_THREAD_STACK)
#define PAL_THREAD_MAP_SIZE (PAL_THREAD_TCB_OFF + PAL_ALIGN_UP(sizeof(struct pal_tcb), PAL_PAGE))

/* ---- abort events ------------------------------------------------------ */
/* Sets every registered abort event (async-signal-safe); returns how many
 * are registered. */
int pal_linux_abort_raise(void);
/* The host's default action of sig on this process (exception.c). */
void pal_linux_default_action(int sig);
/* Whether the host hands sig to the layers (DK_EXC_SIGNAL) or applies its
 * own default action (DK_SIGNAL_HOST_IGNORE; exception.c). */
int pal_linux_signal_to_layers(int sig, bool to_layers);
/* In a forked child: fresh eventfds for events, semaphores, threads (sync.c). */
void pal_linux_fork_child_objects(void);
/* Gives the calling thread its CPU mask back if a fork pinned it. */
void pal_linux_unpin(struct pal_tcb *tcb);
/* A blocking wait of the calling thread has returned: the end of its fork
 * cycle (linux/process.c).  Two loads when it has not forked. */
static inline void pal_linux_wait_returned(struct pal_tcb *tcb)
{
	if (tcb->cycle_forks) {
		tcb->last_cycle_forks = tcb->cycle_forks;
		tcb->cycle_forks = 0;
	}
	if (tcb->pinned)
		pal_linux_unpin(tcb);
}

/* ---- eventfd flags ------------------------------------------------------ */
#define K_EFD_SEMAPHORE 1
#define K_EFD_NONBLOCK 04000
#define K_EFD_CLOEXEC 02000000

#endif
