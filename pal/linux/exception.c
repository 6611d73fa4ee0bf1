/*
 * Exceptions on Linux: host signals become LibOsExceptionDispatch upcalls.
 *
 * Handlers run on a per-thread alternate stack with every asynchronous
 * signal blocked.  The synchronous fault signals (SEGV, BUS, FPE, ILL,
 * TRAP) stay unblocked and SA_NODEFER: a fault inside the dispatcher (a
 * fault-safe copy in a downcall it makes, or the library OS's own demand
 * paging) must reach this handler again, where a blocked fault signal would
 * make the kernel kill the process.  The raise signal has no SA_RESTART, so
 * a raised exception interrupts a blocking host call with EINTR, which the
 * PAL reports as -DK_E_INTERRUPTED; abort requests (SIGTERM, SIGINT, SIGHUP)
 * do restart, and only set their events.
 */
#include "pal.h"
#include "linux/host.h"
#include "linux/ksig.h"
#include "linux/vdso.h"

#define SYNC_SIGNALS                                                                      \
	(K_SIGBIT(K_SIGSEGV) | K_SIGBIT(K_SIGBUS) | K_SIGBIT(K_SIGFPE) | K_SIGBIT(K_SIGILL) | \
	 K_SIGBIT(K_SIGTRAP))
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

static void exception_handler(int sig, struct k_siginfo *si, void *ucv)
{
	struct k_ucontext *uc = ucv;
	uint64_t rip = uc->gregs[K_RIP];

	/* A fault-safe copy touched a bad pointer: make it return -1. */
	if ((sig == K_SIGSEGV || sig == K_SIGBUS) && rip >= (uint64_t)pal_usercopy_start &&
	    rip < (uint64_t)pal_usercopy_end) {
		uc->gregs[K_RIP] = (uint64_t)pal_usercopy_fault;
		return;
	}
	/* The host vDSO's fallback system call is the PAL's own (the layers
	 * above never see the host vDSO): make it through the gate. */
	if (sig == K_SIGSYS && pal_vdso_contains(rip)) {
		uint64_t *g = uc->gregs;
		g[K_RAX] = (uint64_t)gate_syscall6((long)g[K_RAX], (long)g[K_RDI], (long)g[K_RSI],
						   (long)g[K_RDX], (long)g[K_R10], (long)g[K_R8],
						   (long)g[K_R9]);
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
	if (sig == K_SIGUSR1) {
		/* No pending raise: a coalesced duplicate, or a SIGUSR1 from
		 * outside; either way there is nothing to deliver. */
		if (!__atomic_exchange_n(&tcb->raise_pending, 0, __ATOMIC_ACQ_REL))
			return;
		info.arg = tcb->raise_arg;
		info.error = 0;
		tcb->raises_delivered++;
	}

	int verdict = DK_EXC_UNHANDLED;
	if (pal_state.upcalls.LibOsExceptionDispatch) {
		if (tcb->in_exception >= NESTING_MAX)
			unhandled(sig, rip, info.addr);
		struct dk_context ctx;
		memcpy(&ctx, uc->gregs, __builtin_offsetof(struct dk_context, fpstate));
		ctx.fpstate = uc->fpstate;
		tcb->in_exception++;
		verdict = pal_state.upcalls.LibOsExceptionDispatch(&info, &ctx);
		tcb->in_exception--;
		if (verdict == DK_EXC_RESUME) {
			/* The kernel's sigreturn resumes from the changed
			 * registers (it sanitises rflags itself). */
			memcpy(uc->gregs, &ctx, __builtin_offsetof(struct dk_context, fpstate));
			return;
		}
	}
	if (sig == K_SIGUSR1)
		return; /* an unhandled raised exception is ignored */
	unhandled(sig, rip, info.addr);
}

/* SIGTERM, SIGINT, SIGHUP: the host asks the picoprocess to stop.  With an
 * abort event registered the library OS decides; without one the process
 * ends as it would by default. */
static void abort_handler(int sig, struct k_siginfo *si, void *uc)
{
	(void)si, (void)uc;
	if (pal_linux_abort_raise() == 0)
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

int pal_host_exceptions_init(void)
{
	static const int faults[] = {K_SIGSEGV, K_SIGBUS, K_SIGFPE, K_SIGILL, K_SIGTRAP, K_SIGSYS};
	const unsigned long base = K_SA_SIGINFO | K_SA_ONSTACK;
	const uint64_t async = ~(uint64_t)SYNC_SIGNALS;
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(faults) && rc == 0; i++)
		rc = set_action(faults[i], exception_handler, base | K_SA_NODEFER, async);
	if (rc == 0) /* SIGUSR1 (raise) is blocked while its own handler runs */
		rc = set_action(K_SIGUSR1, exception_handler, base, async);
	if (rc == 0)
		rc = set_action(K_SIGTERM, abort_handler, base | K_SA_RESTART, async);
	if (rc == 0)
		rc = set_action(K_SIGINT, abort_handler, base | K_SA_RESTART, async);
	if (rc == 0)
		rc = set_action(K_SIGHUP, abort_handler, base | K_SA_RESTART, async);
	/* A closed peer shows as -DK_E_CLOSED from the write, not a signal. */
	if (rc == 0)
		rc = set_action(K_SIGPIPE, K_SIG_IGN, 0, 0);
	/* Children must stay waitable for DkProcessGetExitCode even if the
	 * launcher left SIGCHLD ignored (that survives execve). */
	if (rc == 0)
		rc = set_action(K_SIGCHLD, K_SIG_DFL, 0, 0);
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
