/*
 * Exceptions on Linux: host signals become LibOsExceptionDispatch upcalls.
 *
 * Handlers run on a per-thread alternate stack with every asynchronous
 * signal blocked.  The synchronous fault signals (SEGV, BUS, FPE, ILL,
 * TRAP) stay unblocked and SA_NODEFER: a fault inside the dispatcher (a
 * fault-safe copy in a downcall it makes, or the library OS's own demand
 * paging) must reach this handler again, where a blocked fault signal would
 * make the kernel kill the process.  The raise signal (the host's 64th) and
 * the signals sent to the process (1..63: DK_EXC_SIGNAL) have no SA_RESTART,
 * so they interrupt a blocking host call with EINTR, which the PAL reports
 * as -DK_E_INTERRUPTED.  SIGTERM, SIGINT and SIGHUP also set the abort
 * events when the layer above does not take them.
 */
#include "pal.h"
#include "linux/host.h"
#include "linux/ksig.h"
#include "linux/vdso.h"

#define SYNC_SIGNALS K_SYNC_SIGNALS
#define NESTING_MAX 8 /* faults inside the dispatcher, before giving up */

/* The main thread's alternate stack (created threads carve theirs from
 * their stack mapping). */
static char main_altstack[PAL_THREAD_ALTSTACK] __attribute__((aligned(16)));

/* struct dk_context's first 18 fields are sigcontext's first 18 registers. */
_Static_assert(__builtin_offsetof(struct dk_context, rflags) == K_EFL * 8, "context order");
_Static_assert(__builtin_offsetof(struct dk_context, fpstate) == (K_EFL + 1) * 8, "context");

uint64_t pal_linux_sigmask(uint64_t mask)
{
	uint64_t old = 0;
	HOST(rt_sigprocmask, K_SIG_SETMASK, &mask, &old, sizeof(mask));
	return old;
}

static const char *exception_name(int sig)
{
	switch (sig) {
	case K_SIGSEGV: return "memory fault";
	case K_SIGBUS: return "bus error";
	case K_SIGFPE: return "arithmetic exception";
	case K_SIGILL: return "illegal instruction";
	case K_SIGTRAP: return "breakpoint";
	case K_SIGSYS: return "system call";
	default: return "exception";
	}
}

static uint32_t exception_code(int sig)
{
	switch (sig) {
	case K_SIGSEGV: return DK_EXC_MEMORY_FAULT;
	case K_SIGBUS: return DK_EXC_BUS_ERROR;
	case K_SIGFPE: return DK_EXC_ARITHMETIC;
	case K_SIGILL: return DK_EXC_ILLEGAL;
	case K_SIGTRAP: return DK_EXC_BREAKPOINT;
	case K_SIGSYS: return DK_EXC_SYSCALL;
	default: return DK_EXC_RAISED;
	}
}

/* What the host would do to an unhandled fault: end the process, here with
 * 128 + the signal number and a line on stderr saying why. */
static void __attribute__((noreturn)) unhandled(int sig, uint64_t rip, uint64_t addr)
{
	char line[160];
	int n = rt_snprintf(line, sizeof(line), "moat: pal: unhandled %s at rip=0x%lx addr=0x%lx\n",
			    exception_name(sig), (unsigned long)rip, (unsigned long)addr);
	pal_print(line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
	for (;;)
		HOST(exit_group, 128 + sig);
}

/* Signals the layers see as sent (DK_EXC_SIGNAL): anything not a fault the
 * CPU raised.  si_code <= 0 means a process sent it (SI_USER, SI_QUEUE,
 * SI_TKILL); a child's exit is SIGCHLD from the kernel. */
static bool sent_signal(int sig, const struct k_siginfo *si)
{
	switch (sig) {
	case K_SIGSEGV: case K_SIGBUS: case K_SIGFPE: case K_SIGILL: case K_SIGTRAP:
	case K_SIGSYS:
		return si->si_code <= 0;
	default:
		return sig != K_SIGRAISE;
	}
}

/* Runs the layer above's dispatcher on this thread's context; its verdict. */
static int dispatch(struct pal_tcb *tcb, int sig, struct dk_exception_info *info,
		    struct k_ucontext *uc)
{
	if (!pal_state.upcalls.LibOsExceptionDispatch)
		return DK_EXC_UNHANDLED;
	if (tcb->in_exception >= NESTING_MAX)
		unhandled(sig, uc->gregs[K_RIP], info->addr);
	struct dk_context ctx;
	memcpy(&ctx, uc->gregs, __builtin_offsetof(struct dk_context, fpstate));
	ctx.fpstate = uc->fpstate;
	tcb->in_exception++;
	int verdict = pal_state.upcalls.LibOsExceptionDispatch(info, &ctx);
	tcb->in_exception--;
	/* The kernel's sigreturn resumes from the changed registers (it
	 * sanitises rflags itself). */
	if (verdict == DK_EXC_RESUME || verdict == DK_EXC_DEFERRED)
		memcpy(uc->gregs, &ctx, __builtin_offsetof(struct dk_context, fpstate));
	return verdict;
}

/* DK_EXC_DEFERRED: the layer above will act on the signal later, so the
 * thread must not sleep in a blocking call before it does.  The flag ends
 * the next one (a wait, HOST_BLOCKING); a thread caught between
 * gate_syscall_blocking's check of it and the syscall instruction fails
 * with -EINTR instead of entering the host (gate.S). */
static void defer(struct pal_tcb *tcb, struct k_ucontext *uc)
{
	__atomic_store_n(&tcb->signal_unseen, 1, __ATOMIC_RELEASE);
	uint64_t rip = uc->gregs[K_RIP];
	if (rip >= (uint64_t)gate_blocking_window && rip <= (uint64_t)gate_blocking_syscall)
		uc->gregs[K_RIP] = (uint64_t)gate_blocking_eintr;
}

/* The thread's blocking host calls (HOST_BLOCKING): a deferred signal
 * ends them as it ends a wait, and is then seen. */
long pal_linux_blocking_call(long nr, long a1, long a2, long a3, long a4, long a5)
{
	struct pal_tcb *tcb = pal_tcb();
	long rc = gate_syscall_blocking(nr, a1, a2, a3, a4, a5, &tcb->signal_unseen);
	if (rc == -K_EINTR)
		__atomic_store_n(&tcb->signal_unseen, 0, __ATOMIC_RELEASE);
	pal_linux_wait_returned(tcb);
	return rc;
}

/* A signal sent to the process: DK_EXC_SIGNAL, or the host's default
 * action when nobody above takes it.  A wait it interrupted reports
 * -DK_E_INTERRUPTED (the layer above restarts it if it wants). */
static void signal_handler(int sig, struct k_siginfo *si, void *ucv)
{
	struct pal_tcb *tcb = pal_tcb();
	struct dk_exception_info info = {
		.code = DK_EXC_SIGNAL,
		.host_code = (uint32_t)si->si_code,
		.arg = (uint64_t)(uint32_t)sig,
	};
	if (si->si_code <= 0 || sig == K_SIGCHLD)
		info.arg |= (uint64_t)(uint32_t)si->child.pid << 32;
	if (sig == K_SIGCHLD && si->si_code > 0)
		info.arg |= (uint64_t)(si->child.status & 0xff) << 8;
	if (si->si_code == -1) /* SI_QUEUE: sigqueue's value */
		memcpy(&info.addr, (char *)si + 24, sizeof(info.addr));
	/* Abort requests set the registered abort events instead, when the
	 * layer above has registered one: it has taken charge of them. */
	if ((sig == K_SIGTERM || sig == K_SIGINT || sig == K_SIGHUP) &&
	    pal_linux_abort_raise() > 0)
		return;
	tcb->raises_delivered++;
	int verdict = dispatch(tcb, sig, &info, ucv);
	if (verdict == DK_EXC_DEFERRED)
		defer(tcb, ucv);
	else if (verdict != DK_EXC_RESUME)
		pal_linux_default_action(sig);
}

static void exception_handler(int sig, struct k_siginfo *si, void *ucv)
{
	struct k_ucontext *uc = ucv;
	uint64_t rip = uc->gregs[K_RIP];

	/* A fault-safe copy touched a bad pointer: make it return -1. */
	if ((sig == K_SIGSEGV || sig == K_SIGBUS) && rip >= (uint64_t)pal_usercopy_start &&
	    rip < (uint64_t)pal_usercopy_end && si->si_code > 0) {
		uc->gregs[K_RIP] = (uint64_t)pal_usercopy_fault;
		return;
	}
	/* The host vDSO's fallback system call is the PAL's own (the layers
	 * above never see the host vDSO): make it through the gate. */
	if (sig == K_SIGSYS && pal_vdso_contains(rip) && si->si_code > 0) {
		uint64_t *g = uc->gregs;
		g[K_RAX] = (uint64_t)gate_syscall6((long)g[K_RAX], (long)g[K_RDI], (long)g[K_RSI],
						   (long)g[K_RDX], (long)g[K_R10], (long)g[K_R8],
						   (long)g[K_R9]);
		return;
	}
	if (sent_signal(sig, si)) {
		signal_handler(sig, si, ucv);
		return;
	}

	struct pal_tcb *tcb = pal_tcb();
	struct dk_exception_info info = {
		.code = exception_code(sig),
		.host_code = (uint32_t)si->si_code,
		.error = uc->gregs[K_ERR],
	};
	if (sig == K_SIGSEGV || sig == K_SIGBUS)
		info.addr = (uint64_t)si->addr;
	if (sig == K_SIGRAISE) {
		/* No pending raise: a coalesced duplicate, or one sent from
		 * outside; either way there is nothing to deliver. */
		if (!__atomic_exchange_n(&tcb->raise_pending, 0, __ATOMIC_ACQ_REL))
			return;
		info.code = DK_EXC_RAISED;
		info.arg = tcb->raise_arg;
		info.error = 0;
		tcb->raises_delivered++;
	}
	int verdict = dispatch(tcb, sig, &info, uc);
	if (verdict == DK_EXC_DEFERRED && sig == K_SIGRAISE)
		defer(tcb, uc);
	if (verdict == DK_EXC_RESUME || sig == K_SIGRAISE)
		return; /* an unhandled raised exception is ignored */
	unhandled(sig, rip, info.addr);
}

/* The host's default action of sig on this process: with the PAL's handler
 * out of the way and the signal unblocked, the process sends it to itself.
 * A stop signal returns here once the process is continued; a signal whose
 * default is to be ignored returns at once.  The sandbox's first process
 * is its pid namespace's init, which the kernel protects from its own
 * signals: it ends with 128 + sig instead, as a shell would report. */
void pal_linux_default_action(int sig)
{
	struct k_sigaction dfl = {.handler = K_SIG_DFL}, old;
	uint64_t bit = K_SIGBIT(sig), oldmask;
	if (sig < 1 || sig > DK_SIGNAL_MAX || sig == K_SIGKILL || sig == K_SIGSTOP)
		return;
	HOST(rt_sigaction, sig, &dfl, &old, sizeof(dfl.mask));
	HOST(rt_sigprocmask, K_SIG_UNBLOCK, &bit, &oldmask, sizeof(bit));
	long pid = HOST(getpid);
	HOST(tgkill, pid, HOST(gettid), sig);
	HOST(rt_sigprocmask, K_SIG_SETMASK, &oldmask, NULL, sizeof(bit));
	HOST(rt_sigaction, sig, &old, NULL, sizeof(dfl.mask));
	bool ignored = sig == K_SIGCHLD || sig == K_SIGCONT || sig == 23 /* URG */ ||
		       sig == 28 /* WINCH */ || (sig >= 20 && sig <= 22) /* TSTP TTIN TTOU */ ||
		       sig >= 32 /* real-time: terminate, but rare; kept simple */;
	if (!ignored && pid == 1)
		for (;;)
			HOST(exit_group, 128 + sig);
}

static int set_action(int sig, void *handler, unsigned long flags, uint64_t mask)
{
	struct k_sigaction sa = {
		.handler = handler,
		.flags = flags | K_SA_RESTORER,
		.restorer = gate_sigreturn,
		.mask = mask,
	};
	return pal_host_status(HOST(rt_sigaction, sig, &sa, NULL, sizeof(sa.mask)));
}

#define LAYERS_FLAGS (K_SA_SIGINFO | K_SA_ONSTACK)
#define LAYERS_MASK (~(uint64_t)SYNC_SIGNALS)

int pal_linux_signal_to_layers(int sig, bool to_layers)
{
	return to_layers ? set_action(sig, signal_handler, LAYERS_FLAGS, LAYERS_MASK)
			 : set_action(sig, K_SIG_DFL, 0, 0);
}

int pal_host_exceptions_init(void)
{
	static const int faults[] = {K_SIGSEGV, K_SIGBUS, K_SIGFPE, K_SIGILL, K_SIGTRAP, K_SIGSYS};
	const unsigned long base = LAYERS_FLAGS;
	const uint64_t async = LAYERS_MASK;
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(faults) && rc == 0; i++)
		rc = set_action(faults[i], exception_handler, base | K_SA_NODEFER, async);
	if (rc == 0) /* the raise is blocked while its own handler runs */
		rc = set_action(K_SIGRAISE, exception_handler, base, async);
	/* Every other signal is the layers' (DK_EXC_SIGNAL).  No SA_RESTART:
	 * a signal ends the wait it interrupts, and the layer above decides
	 * whether to restart it. */
	for (int sig = 1; sig <= DK_SIGNAL_MAX && rc == 0; sig++) {
		bool fault = false;
		for (size_t i = 0; i < ARRAY_LEN(faults); i++)
			fault |= faults[i] == sig;
		if (!fault && sig != K_SIGKILL && sig != K_SIGSTOP && sig != K_SIGPIPE)
			rc = set_action(sig, signal_handler, base, async);
	}
	/* A write to a closed peer fails with -DK_E_CLOSED, never a signal:
	 * the library OS raises the application's SIGPIPE itself. */
	if (rc == 0)
		rc = set_action(K_SIGPIPE, K_SIG_IGN, 0, 0);
	/* Nothing stays blocked from whoever started us: the layers' masks
	 * are their own business, not the host's. */
	if (rc == 0)
		pal_linux_sigmask(0);
	return rc;
}

int pal_host_thread_signals_init(struct pal_tcb *tcb)
{
	struct k_stack ss = {
		.ss_sp = tcb->map_base ? (char *)tcb->map_base + PAL_THREAD_ALTSTACK_OFF
				       : main_altstack,
		.ss_flags = 0,
		.ss_size = PAL_THREAD_ALTSTACK,
	};
	return pal_host_status(HOST(sigaltstack, &ss, NULL));
}
