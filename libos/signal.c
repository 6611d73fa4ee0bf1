/*
 * Signals: the actions table, masks and pending sets, delivery by building
 * Linux's x86-64 signal frame on the application's stack, rt_sigreturn,
 * hardware faults turned into signals, and the signal system calls
 * (rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, rt_sigpending,
 * rt_sigsuspend, pause, rt_sigtimedwait, kill, tkill, tgkill,
 * rt_sigqueueinfo, rt_tgsigqueueinfo, restart_syscall).
 *
 * State.  One action table for the process (threads share handlers).  Each
 * thread has its mask and its thread-directed pending set (struct
 * libos_thread); the process has a pending set for process-directed
 * signals (kill, alarm), which any thread that does not block the signal
 * takes.  siginfo travels in a small queue beside the bit sets: one entry
 * per pending standard signal, one per instance of a real-time signal
 * (those queue, as on Linux).  When the queue is full, a standard signal
 * still becomes pending (with a made-up siginfo) and a real-time one is
 * dropped.  Lock order: libos_proc.lock, then sig_lock.
 *
 * Sending.  A process-directed signal is made pending on the process and
 * one thread that does not block it is woken: its wake event is set (a
 * blocking wait returns -EINTR) and, if it is another thread, a raise
 * interrupts it (DkThreadRaiseException), which brings a thread running
 * application code into libos_signal_deliver.  A signal whose action is
 * to end the process ends it at once when it is sent to a thread that does
 * not block it (Linux's fatal-signal shortcut): no thread has to reach a
 * delivery point.  A signal whose action is to ignore it is discarded when
 * sent, unless blocked.
 *
 * Default actions: terminate (with or without a core dump: both end the
 * process with status 128 + sig, like a shell reports a signalled child,
 * and print nothing); ignore (SIGCHLD, SIGURG, SIGWINCH, SIGCONT).  The
 * stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) are ignored: nothing
 * outside a single picoprocess could continue it (documented limitation).
 *
 * The frame.  As Linux builds it: below the red zone (or at the top of the
 * alternate stack), the FPU/vector state in XSAVE format (64-byte aligned,
 * with the software-reserved bytes and FP_XSTATE_MAGIC2 that Linux writes),
 * then struct rt_sigframe { return address = sa_restorer, ucontext,
 * siginfo }, with rsp + 8 16-byte aligned at the handler's entry.  The
 * library OS never touches vector registers (-mgeneral-regs-only), so at
 * delivery the application's FPU state is still live in the CPU: it is
 * saved with xsave64 (fxsave64 without XSAVE) and put back with
 * xrstor64/fxrstor64 at rt_sigreturn, after sanitising the header and
 * MXCSR as Linux does.  AMX tile state (XCR0 bits 17-18) is not saved.
 * For a hardware fault the state is copied from the host's signal frame
 * (ctx->fpstate) instead.
 *
 * Restarting.  A blocking call interrupted by a signal returns -EINTR.  On
 * the way out of the system call (libos_signal_deliver with
 * t->in_syscall set), the call is restarted (rip -= 2, rax = the number
 * from t->syscall_nr) when no handler runs, or when the handler has
 * SA_RESTART, unless the call is one Linux never restarts
 * (libos_syscall_restartable).
 */
#include "libos.h"

/* ---- constants --------------------------------------------------------------- */
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32
#define NSIG 64

#define BIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define SYNC_MASK (BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGFPE) | BIT(SIGSYS))
#define DEFAULT_IGNORE (BIT(SIGCHLD) | BIT(SIGURG) | BIT(SIGWINCH) | BIT(SIGCONT))
#define DEFAULT_STOP (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))

#define SIG_DFL 0
#define SIG_IGN 1

#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u
#define SA_UNSUPPORTED 0x00000400u
#define SA_EXPOSE_TAGBITS 0x00000800u
#define SA_RESTORER 0x04000000u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SA_KNOWN (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | SA_RESTORER | \
		  SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ 2048

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u

/* rflags bits a signal frame may change (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ull
#define EFLAGS_TF 0x100ull
#define EFLAGS_DF 0x400ull
#define EFLAGS_RF 0x10000ull

/* ---- kernel layouts ---------------------------------------------------------- */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct kstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct ksigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct kucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct kstack uc_stack;
	struct ksigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct kucontext uc;
	struct libos_siginfo info;
};

_Static_assert(sizeof(struct libos_siginfo) == 128, "siginfo_t");
_Static_assert(sizeof(struct ksigcontext) == 256, "sigcontext");
_Static_assert(sizeof(struct kucontext) == 304, "ucontext");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe");
_Static_assert(__builtin_offsetof(struct libos_siginfo, u.fault.addr) == 16, "si_addr");
_Static_assert(__builtin_offsetof(struct libos_siginfo, u.chld.utime) == 32, "si_utime");
_Static_assert(__builtin_offsetof(struct libos_siginfo, u.timer.value) == 24, "si_value");

/* ---- state -------------------------------------------------------------------- */
#define sig_lock (libos_proc.locks.sig) /* on the page fork writes anyway */
static struct ksigaction actions[NSIG] LIBOS_FORK_HOT;
static uint64_t proc_pending LIBOS_FORK_HOT; /* process-directed; under sig_lock, read racily */

#define QUEUE_MAX 256
struct queued {
	struct libos_thread *owner; /* NULL: the process */
	int sig;                    /* 0: free */
	uint64_t seq;
	struct libos_siginfo info;
};
static struct queued queue[QUEUE_MAX];
static int queue_top LIBOS_FORK_HOT; /* slots from here on have never been used */
static uint64_t queue_seq;

/* FPU state format. */
static bool use_xsave;
static uint64_t xfeatures;  /* requested-feature bitmap for xsave/xrstor */
static uint32_t xsize = 512; /* bytes of the save area */
static uint32_t mxcsr_mask = 0xffbf;

static inline uint64_t load_mask(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static bool valid_sig(long sig)
{
	return sig >= 1 && sig <= NSIG;
}

/* ---- FPU state ------------------------------------------------------------------ */
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static void fpu_init(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	cpuid(1, 0, r);
	if (max_leaf >= 0xd && (r[2] & (1u << 27))) { /* OSXSAVE */
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		uint64_t xcr0 = ((uint64_t)hi << 32) | lo;
		xfeatures = xcr0 & ~(3ull << 17); /* no AMX tiles */
		uint32_t size = 576;
		for (int i = 2; i < 63; i++) {
			if (!(xfeatures & (1ull << i)))
				continue;
			cpuid(0xd, (uint32_t)i, r);
			if (r[0] + r[1] > size)
				size = r[0] + r[1];
		}
		xsize = size;
		use_xsave = true;
	}
	/* MXCSR_MASK from a real fxsave. */
	uint8_t raw[512 + 16];
	uint8_t *buf = (uint8_t *)(((uint64_t)raw + 15) & ~15ull);
	memset(buf, 0, 512);
	__asm__ volatile("fxsave64 (%0)" ::"r"(buf) : "memory");
	uint32_t m;
	memcpy(&m, buf + 28, 4);
	if (m)
		mxcsr_mask = m;
}

/* Writes Linux's software-reserved bytes and the trailing magic. */
static void fpu_mark(uint8_t *buf)
{
	memset(buf + 464, 0, 48);
	if (!use_xsave)
		return;
	uint32_t magic1 = FP_XSTATE_MAGIC1, ext = xsize + 4, magic2 = FP_XSTATE_MAGIC2;
	memcpy(buf + 464, &magic1, 4);
	memcpy(buf + 468, &ext, 4);
	memcpy(buf + 472, &xfeatures, 8);
	memcpy(buf + 480, &xsize, 4);
	memcpy(buf + xsize, &magic2, 4);
}

/* Saves the live FPU state (the application's) into buf, 64-byte aligned,
 * xsize + 4 bytes. */
static void fpu_save(uint8_t *buf)
{
	if (use_xsave) {
		memset(buf + 512, 0, 64);
		__asm__ volatile("xsave64 (%0)" ::"r"(buf), "a"((uint32_t)xfeatures),
				 "d"((uint32_t)(xfeatures >> 32))
				 : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" ::"r"(buf) : "memory");
	}
	fpu_mark(buf);
}

/* Loads the FPU state from buf (a private, aligned copy the application
 * cannot change under us), made safe for xrstor first. */
static void fpu_restore(uint8_t *buf, bool has_xstate)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, buf + 24, 4);
	mxcsr &= mxcsr_mask;
	memcpy(buf + 24, &mxcsr, 4);
	if (use_xsave) {
		uint64_t bv;
		memcpy(&bv, buf + 512, 8);
		bv &= has_xstate ? xfeatures : 3;
		memset(buf + 512, 0, 64);
		memcpy(buf + 512, &bv, 8);
		__asm__ volatile("xrstor64 (%0)" ::"r"(buf), "a"((uint32_t)xfeatures),
				 "d"((uint32_t)(xfeatures >> 32))
				 : "memory");
	} else {
		__asm__ volatile("fxrstor64 (%0)" ::"r"(buf) : "memory");
	}
}

/* ---- the queue (under sig_lock) --------------------------------------------------- */
static struct queued *queue_find(struct libos_thread *owner, int sig)
{
	struct queued *best = NULL;
	for (int i = 0; i < queue_top; i++) {
		struct queued *q = &queue[i];
		if (q->sig == sig && q->owner == owner && (!best || q->seq < best->seq))
			best = q;
	}
	return best;
}

/* Adds sig to owner's pending set (owner NULL: the process). */
static void make_pending(struct libos_thread *owner, int sig, const struct libos_siginfo *info)
{
	uint64_t *set = owner ? &owner->sigpending : &proc_pending;
	bool already = (*set & BIT(sig)) != 0;
	if (already && sig < SIGRTMIN)
		return; /* standard signals do not queue */
	for (int i = 0; i < QUEUE_MAX; i++) {
		if (!queue[i].sig) {
			if (i >= queue_top)
				queue_top = i + 1;
			queue[i].owner = owner;
			queue[i].sig = sig;
			queue[i].seq = ++queue_seq;
			queue[i].info = *info;
			break;
		}
	}
	/* Full: a standard signal is pending anyway; a queued real-time one
	 * that is already pending is dropped (Linux: EAGAIN for sigqueue). */
	__atomic_or_fetch(set, BIT(sig), __ATOMIC_RELEASE);
}

static void default_info(struct libos_siginfo *info, int sig)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = LIBOS_SI_KERNEL;
}

/* Takes one signal out of `allowed` for t: thread-directed first, then the
 * process's; synchronous signals (faults) first, then the lowest number. */
static int dequeue(struct libos_thread *t, uint64_t allowed, struct libos_siginfo *info)
{
	uint64_t tp = t->sigpending & allowed, pp = proc_pending & allowed;
	struct libos_thread *owner = tp ? t : NULL;
	uint64_t set = tp ? tp : pp;
	if (!set)
		return 0;
	uint64_t sync = set & SYNC_MASK;
	int sig = __builtin_ctzll(sync ? sync : set) + 1;
	uint64_t *pset = owner ? &t->sigpending : &proc_pending;
	struct queued *q = queue_find(owner, sig);
	if (q) {
		*info = q->info;
		q->sig = 0;
		if (!queue_find(owner, sig))
			__atomic_and_fetch(pset, ~BIT(sig), __ATOMIC_RELEASE);
	} else {
		default_info(info, sig);
		__atomic_and_fetch(pset, ~BIT(sig), __ATOMIC_RELEASE);
	}
	info->si_signo = sig;
	return sig;
}

/* Drops every pending instance of sig (it became ignored). */
static void flush_sig(int sig)
{
	libos_lock(&libos_proc.lock);
	libos_lock(&sig_lock);
	for (int i = 0; i < queue_top; i++)
		if (queue[i].sig == sig)
			queue[i].sig = 0;
	__atomic_and_fetch(&proc_pending, ~BIT(sig), __ATOMIC_RELEASE);
	for (struct libos_thread *t = libos_proc.threads; t; t = t->next)
		__atomic_and_fetch(&t->sigpending, ~BIT(sig), __ATOMIC_RELEASE);
	libos_unlock(&sig_lock);
	libos_unlock(&libos_proc.lock);
}

/* ---- SIGCHLD left to the host ---------------------------------------------------------
 * Every child's exit sends SIGCHLD.  While it has its default action (and
 * no SA_NOCLDWAIT) and no thread blocks it, Linux discards it at once, and
 * so may the host: the PAL then delivers nothing (DK_SIGNAL_HOST_IGNORE),
 * which saves a host signal delivery on every fork.  Re-evaluated when
 * its action changes, when a thread blocks it (sigprocmask, sigreturn) and
 * at execve; a mask that blocks it only for a while (a handler's, ppoll's)
 * is not followed: what arrives then is discarded as Linux would once the
 * mask is back, only sigpending() inside that window could tell. */
static bool chld_at_host LIBOS_FORK_HOT; /* the PAL was told to leave SIGCHLD to the host */

static void chld_route(void)
{
	if (libos_vfork_borrowed) /* the host process stays the parent's */
		return;
	libos_lock(&libos_proc.lock);
	libos_lock(&sig_lock);
	const struct ksigaction *a = &actions[SIGCHLD - 1];
	bool quiet = a->handler == SIG_DFL && !(a->flags & SA_NOCLDWAIT);
	for (struct libos_thread *t = libos_proc.threads; t && quiet; t = t->next)
		quiet = !(load_mask(&t->sigmask) & BIT(SIGCHLD));
	if (quiet != chld_at_host &&
	    dk->DkProcessSignal(0, SIGCHLD, DK_SIGNAL_HOST_IGNORE, quiet) == 0)
		chld_at_host = quiet;
	libos_unlock(&sig_lock);
	libos_unlock(&libos_proc.lock);
}

void libos_signal_thread_exit(struct libos_thread *t)
{
	libos_lock(&sig_lock);
	for (int i = 0; i < queue_top; i++)
		if (queue[i].sig && queue[i].owner == t)
			queue[i].sig = 0;
	t->sigpending = 0;
	libos_unlock(&sig_lock);
}

/* ---- actions ---------------------------------------------------------------------- */
static bool sig_ignored_by(const struct ksigaction *a, int sig)
{
	if (a->handler == SIG_IGN)
		return true;
	return a->handler == SIG_DFL && (DEFAULT_IGNORE & BIT(sig));
}

static bool sig_fatal_by(const struct ksigaction *a, int sig)
{
	return sig == SIGKILL ||
	       (a->handler == SIG_DFL && !((DEFAULT_IGNORE | DEFAULT_STOP) & BIT(sig)));
}

/* The host ends the process with sig (so that its parent's wait sees
 * WIFSIGNALED); 128 + sig if that does not happen (the sandbox's first
 * process, which the kernel guards as a pid namespace's init). */
void libos_signal_terminate(int sig)
{
	dk->DkProcessSignal(0, (uint32_t)sig, DK_SIGNAL_DEFAULT_ACTION, 0);
	dk->DkProcessExit(128 + sig);
}

/* A stop signal's default action: the host stops the process, and this
 * returns once it is continued. */
static void stop_process(int sig)
{
	dk->DkProcessSignal(0, (uint32_t)sig, DK_SIGNAL_DEFAULT_ACTION, 0);
}

/* ---- signals from outside the process ----------------------------------------------
 * DK_EXC_SIGNAL arrives on any thread at any point, even inside the library
 * OS with its locks held, so the dispatcher only records the signal here
 * (lock-free, one slot per signal number: standard signals coalesce as in
 * Linux) and deliver() moves it to the pending set in normal context. */
/* One word per signal, so that a record is never seen half-written (the
 * dispatcher may interrupt the drain): the sender's pid in bits 32-63,
 * si_code + 128 in bits 8-15, the child's status in bits 0-7. */
static uint64_t incoming_mask;
static uint64_t incoming[NSIG];
static uint64_t incoming_value[NSIG]; /* sigqueue's value (SI_QUEUE) */

/* Real-time signals queue: each one from outside takes a slot of a ring
 * (written by the dispatcher, read by one drain at a time). */
#define RING 64
static struct {
	uint64_t rec, value;
	int sig;
	int ready; /* atomic */
} ring[RING];
static uint32_t ring_w, ring_r; /* ring_w atomic */
static int ring_busy;           /* atomic: a drain is reading the ring */

static bool ring_put(int sig, uint64_t rec, uint64_t value)
{
	uint32_t r = __atomic_load_n(&ring_r, __ATOMIC_ACQUIRE);
	uint32_t i = __atomic_fetch_add(&ring_w, 1, __ATOMIC_ACQ_REL);
	if (i - r >= RING)
		return false; /* full: it coalesces into the one-word record */
	ring[i % RING].rec = rec;
	ring[i % RING].value = value;
	ring[i % RING].sig = sig;
	__atomic_store_n(&ring[i % RING].ready, 1, __ATOMIC_RELEASE);
	return true;
}

static void deliver_outside(int sig, uint64_t rec, uint64_t value);

static void ring_drain(void)
{
	if (__atomic_exchange_n(&ring_busy, 1, __ATOMIC_ACQUIRE))
		return;
	while (ring_r != __atomic_load_n(&ring_w, __ATOMIC_ACQUIRE)) {
		uint32_t i = ring_r % RING;
		if (!__atomic_load_n(&ring[i].ready, __ATOMIC_ACQUIRE))
			break; /* still being written */
		int sig = ring[i].sig;
		uint64_t rec = ring[i].rec, value = ring[i].value;
		__atomic_store_n(&ring[i].ready, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&ring_r, ring_r + 1, __ATOMIC_RELEASE);
		deliver_outside(sig, rec, value);
	}
	__atomic_store_n(&ring_busy, 0, __ATOMIC_RELEASE);
	/* One still being written: the next drain takes it. */
	if (ring_r != __atomic_load_n(&ring_w, __ATOMIC_ACQUIRE))
		__atomic_or_fetch(&incoming_mask, 1ull << 63, __ATOMIC_RELEASE);
}

void libos_signal_incoming(uint64_t arg, uint32_t code, uint64_t value)
{
	int sig = DK_SIGNAL_NUMBER(arg);
	if (sig < 1 || sig > NSIG)
		return;
	uint64_t rec = ((uint64_t)(uint32_t)DK_SIGNAL_SENDER(arg) << 32) |
		       ((uint64_t)(((int32_t)code + 128) & 0xff) << 8) |
		       (uint64_t)(DK_SIGNAL_STATUS(arg) & 0xff);
	if (sig >= SIGRTMIN && ring_put(sig, rec, value)) {
		__atomic_or_fetch(&incoming_mask, 1ull << 63, __ATOMIC_RELEASE); /* "the ring" */
		return;
	}
	__atomic_store_n(&incoming_value[sig - 1], value, __ATOMIC_RELAXED);
	__atomic_store_n(&incoming[sig - 1], rec, __ATOMIC_RELAXED);
	__atomic_or_fetch(&incoming_mask, BIT(sig), __ATOMIC_RELEASE);
}

LIBOS_RESUME_TEXT bool libos_signal_incoming_any(void)
{
	return __atomic_load_n(&incoming_mask, __ATOMIC_ACQUIRE) != 0;
}

__attribute__((weak)) void libos_process_child_event(int pid, int code, int status)
{
	(void)pid, (void)code, (void)status;
}

/* One signal from outside, made pending with its siginfo. */
static void deliver_outside(int sig, uint64_t rec, uint64_t value)
{
	int32_t pid = (int32_t)(rec >> 32);
	struct libos_siginfo info;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = (int32_t)((rec >> 8) & 0xff) - 128;
	/* SA_NOCLDSTOP: a child's stop or continue sends nothing. */
	if (sig == SIGCHLD && (info.si_code == 5 || info.si_code == 6) &&
	    (actions[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		return;
	if (sig == SIGCHLD && info.si_code > 0) {
		info.u.chld.pid = pid;
		info.u.chld.uid = libos_proc.uid;
		info.u.chld.status = (int32_t)(rec & 0xff);
		libos_process_child_event(info.u.chld.pid, info.si_code, info.u.chld.status);
	} else {
		info.u.kill.pid = pid;
		info.u.kill.uid = libos_proc.uid;
		if (info.si_code == LIBOS_SI_QUEUE)
			info.u.kill.value = value;
	}
	libos_signal_send(NULL, sig, &info);
}

void libos_signal_drain(void)
{
	uint64_t m = __atomic_exchange_n(&incoming_mask, 0, __ATOMIC_ACQ_REL);
	if (m & (1ull << 63))
		ring_drain();
	m &= ~(1ull << 63);
	for (int sig = 1; m && sig <= NSIG; sig++) {
		if (!(m & BIT(sig)))
			continue;
		m &= ~BIT(sig);
		deliver_outside(sig, __atomic_load_n(&incoming[sig - 1], __ATOMIC_RELAXED),
				__atomic_load_n(&incoming_value[sig - 1], __ATOMIC_RELAXED));
	}
}

/* ---- sending ------------------------------------------------------------------------ */
static void wake(struct libos_thread *t, int sig, bool raise)
{
	if (t->wake)
		dk->DkEventSet(t->wake);
	if (raise && t != libos_current() && t->handle)
		dk->DkThreadRaiseException(t->handle, (uint64_t)sig);
}

void libos_signal_send(struct libos_thread *t, int sig, const void *siginfo)
{
	struct libos_siginfo info;
	if (!valid_sig(sig))
		return;
	if (siginfo)
		memcpy(&info, siginfo, sizeof(info));
	else
		default_info(&info, sig);
	info.si_signo = sig;
	if (sig == SIGKILL)
		libos_signal_terminate(sig);

	struct libos_thread *cur = libos_current();
	libos_lock(&libos_proc.lock);
	libos_lock(&sig_lock);
	struct ksigaction *a = &actions[sig - 1];
	struct libos_thread *target = NULL;
	if (t) {
		if (!(load_mask(&t->sigmask) & BIT(sig)))
			target = t;
	} else {
		/* Linux's choice: the thread-group leader if it takes it, else
		 * the caller, else any thread that does not block it. */
		struct libos_thread *any = NULL;
		for (struct libos_thread *p = libos_proc.threads; p; p = p->next) {
			if (p->exiting || (load_mask(&p->sigmask) & BIT(sig)))
				continue;
			if (p->tid == libos_proc.pid) {
				target = p;
				break;
			}
			if (p == cur || !any)
				any = p;
		}
		if (!target)
			target = any;
	}
	if (target && sig_ignored_by(a, sig)) {
		/* Discarded, as Linux does for an unblocked ignored signal. */
	} else if (target && sig_fatal_by(a, sig)) {
		libos_unlock(&sig_lock);
		libos_unlock(&libos_proc.lock);
		libos_signal_terminate(sig);
	} else {
		make_pending(t, sig, &info);
		if (target) {
			wake(target, sig, true);
		} else {
			/* Blocked everywhere: wake the threads anyway, a sigtimedwait
			 * may be waiting for it. */
			if (t)
				wake(t, sig, false);
			else
				for (struct libos_thread *p = libos_proc.threads; p; p = p->next)
					wake(p, sig, false);
		}
	}
	bool nudge = target && target != cur && !target->in_syscall;
	libos_unlock(&sig_lock);
	libos_unlock(&libos_proc.lock);
	/* A raise that lands while the target runs library OS code on the
	 * application's behalf outside a system call (the vDSO's helpers) is
	 * dropped by the dispatcher; the timer thread raises again until the
	 * signal is taken. */
	if (nudge)
		libos_timer_nudge();
}

bool libos_signal_nudge(bool raise)
{
	bool any = false;
	libos_lock(&libos_proc.lock);
	for (struct libos_thread *t = libos_proc.threads; t; t = t->next) {
		/* Outside a system call: in application code (a raise delivers),
		 * or in the vDSO's helpers (app_running 0: a raise is dropped,
		 * and the next one may land in application code). */
		if (t->exiting || t->in_syscall || !libos_signal_pending(t))
			continue;
		any = true;
		if (raise && t->handle)
			dk->DkThreadRaiseException(t->handle, 0);
	}
	libos_unlock(&libos_proc.lock);
	return any;
}

int libos_signal_send_tid(int tid, int sig, const void *siginfo)
{
	struct libos_thread *t = libos_thread_find(tid);
	if (!t)
		return -ESRCH;
	libos_signal_send(t, sig, siginfo);
	return 0;
}

/* Overrides util.c's weak default: process-directed signals count too. */
LIBOS_RESUME_TEXT bool libos_signal_pending(struct libos_thread *t)
{
	if (!t || libos_vfork_borrowed) /* a vfork child's: nothing is, yet */
		return false;
	return ((load_mask(&t->sigpending) | load_mask(&proc_pending)) & ~load_mask(&t->sigmask)) !=
	       0;
}

/* ---- the frame ------------------------------------------------------------------------ */
static bool on_altstack(const struct libos_thread *t, uint64_t sp)
{
	return t->altstack.size && sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

static int altstack_flags(const struct libos_thread *t, uint64_t sp)
{
	if (!t->altstack.size)
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

struct fault_regs {
	uint64_t err, trapno, cr2;
};

/* Builds the frame for sig on the application's stack and points *r at the
 * handler.  host_fp: the host's saved FPU area for a fault (NULL: save the
 * live state).  False if the frame could not be written. */
static bool build_frame(struct libos_thread *t, struct libos_regs *r, int sig,
			const struct ksigaction *a, const struct libos_siginfo *info, uint64_t oldmask,
			const void *host_fp, const struct fault_regs *fr)
{
	if (!(a->flags & SA_RESTORER))
		return false; /* x86-64 Linux requires one too */
	uint64_t sp = r->rsp;
	bool onstack = false;
	if ((a->flags & SA_ONSTACK) && t->altstack.size && !on_altstack(t, sp)) {
		sp = t->altstack.sp + t->altstack.size;
		onstack = true;
	} else {
		sp -= 128; /* the red zone */
		onstack = on_altstack(t, sp);
	}
	uint64_t fp = (sp - (xsize + 4)) & ~63ull;
	uint64_t frame = ((fp - sizeof(struct rt_sigframe)) & ~15ull) - 8;
	if (onstack && !on_altstack(t, frame))
		return false; /* does not fit on the alternate stack */

	/* The FPU state. */
	if (host_fp) {
		/* From the host's frame: standard (non-compacted) format, the
		 * same layout as ours; take what both have. */
		uint32_t magic = 0, hsize = 512;
		memcpy(&magic, (const uint8_t *)host_fp + 464, 4);
		if (magic == FP_XSTATE_MAGIC1)
			memcpy(&hsize, (const uint8_t *)host_fp + 480, 4);
		if (hsize > xsize)
			hsize = xsize;
		if (hsize < 512)
			hsize = 512;
		if (libos_copy_to_user((void *)fp, host_fp, hsize) < 0)
			return false;
		uint8_t tail[576];
		memcpy(tail, host_fp, 512);
		if (use_xsave) {
			uint64_t bv = 3; /* x87 and SSE at least */
			if (hsize >= 576) {
				memcpy(tail + 512, (const uint8_t *)host_fp + 512, 64);
				memcpy(&bv, tail + 512, 8);
			}
			bv &= xfeatures;
			memset(tail + 512, 0, 64);
			memcpy(tail + 512, &bv, 8);
		}
		/* Our software bytes and header over the host's. */
		uint8_t sw[48];
		uint32_t magic1 = FP_XSTATE_MAGIC1, ext = xsize + 4, magic2 = FP_XSTATE_MAGIC2;
		memset(sw, 0, sizeof(sw));
		if (use_xsave) {
			memcpy(sw, &magic1, 4);
			memcpy(sw + 4, &ext, 4);
			memcpy(sw + 8, &xfeatures, 8);
			memcpy(sw + 16, &xsize, 4);
		}
		if (libos_copy_to_user((void *)(fp + 464), sw, sizeof(sw)) < 0)
			return false;
		if (use_xsave) {
			if (libos_copy_to_user((void *)(fp + 512), tail + 512, 64) < 0 ||
			    libos_copy_to_user((void *)(fp + xsize), &magic2, 4) < 0)
				return false;
		}
	} else {
		uint8_t raw[xsize + 4 + 64];
		uint8_t *buf = (uint8_t *)(((uint64_t)raw + 63) & ~63ull);
		fpu_save(buf);
		if (libos_copy_to_user((void *)fp, buf, use_xsave ? xsize + 4 : 512) < 0)
			return false;
	}

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = a->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (use_xsave ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->altstack.sp;
	f.uc.uc_stack.ss_size = t->altstack.size;
	f.uc.uc_stack.ss_flags = altstack_flags(t, r->rsp) | (t->altstack.flags & (int)SS_AUTODISARM);
	struct ksigcontext *m = &f.uc.uc_mcontext;
	m->r8 = r->r8, m->r9 = r->r9, m->r10 = r->r10, m->r11 = r->r11;
	m->r12 = r->r12, m->r13 = r->r13, m->r14 = r->r14, m->r15 = r->r15;
	m->rdi = r->rdi, m->rsi = r->rsi, m->rbp = r->rbp, m->rbx = r->rbx;
	m->rdx = r->rdx, m->rax = r->rax, m->rcx = r->rcx, m->rsp = r->rsp;
	m->rip = r->rip, m->eflags = r->rflags;
	m->cs = 0x33, m->ss = 0x2b;
	if (fr) {
		m->err = fr->err;
		m->trapno = fr->trapno;
		m->cr2 = fr->cr2;
	}
	m->oldmask = oldmask;
	m->fpstate = fp;
	f.uc.uc_sigmask = oldmask;
	f.info = *info;
	if (libos_copy_to_user((void *)frame, &f, sizeof(f)) < 0)
		return false;

	if (t->altstack.flags & (int)SS_AUTODISARM) {
		t->altstack.sp = 0;
		t->altstack.size = 0;
		t->altstack.flags = SS_DISABLE;
	}
	r->rsp = frame;
	r->rip = a->handler;
	r->rdi = (uint64_t)sig;
	r->rsi = frame + __builtin_offsetof(struct rt_sigframe, info);
	r->rdx = frame + __builtin_offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	t->handler_frames++;
	return true;
}

/* ---- delivery --------------------------------------------------------------------------- */
bool libos_syscall_restartable(long nr)
{
	switch (nr) {
	case __NR_rt_sigreturn:
	case __NR_rt_sigsuspend:
	case __NR_pause:
	case __NR_rt_sigtimedwait:
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
	case __NR_select:
	case __NR_pselect6:
	case __NR_poll:
	case __NR_ppoll:
	case __NR_epoll_wait:
	case __NR_epoll_pwait:
#ifdef __NR_epoll_pwait2
	case __NR_epoll_pwait2:
#endif
	case __NR_io_getevents:
#ifdef __NR_io_pgetevents
	case __NR_io_pgetevents:
#endif
	case __NR_semop:
	case __NR_semtimedop:
	case __NR_msgrcv:
	case __NR_msgsnd:
	case __NR_restart_syscall:
		return false;
	default:
		return true;
	}
}

/* Delivers what t may take now.  saved: for a call with a temporary mask,
 * the mask to record in the first frame (and to go back to). */
static bool deliver(struct libos_regs *regs, const uint64_t *saved)
{
	struct libos_thread *t = libos_current();
	if (!t || !regs)
		return false;
	/* A system call that ends with -EINTR may be restarted: only on the way
	 * out of the call itself (regs is its frame).  (While a vfork child
	 * borrows the process nothing is pending for it, libos_signal_pending
	 * says: what arrives is the parent's, so its calls restart.) */
	long nr = t->syscall_nr;
	bool interrupted = t->in_syscall && t->regs == regs && (long)regs->rax == -EINTR &&
			   nr >= 0 && nr != __NR_restart_syscall && nr != __NR_rt_sigreturn;
	bool restart = interrupted && libos_syscall_restartable(nr);
	bool ran = false;
	if (libos_signal_incoming_any())
		libos_signal_drain();
	for (;;) {
		if (!libos_signal_pending(t))
			break;
		struct libos_siginfo info;
		libos_lock(&sig_lock);
		int sig = dequeue(t, ~load_mask(&t->sigmask), &info);
		if (!sig) {
			libos_unlock(&sig_lock);
			break;
		}
		struct ksigaction a = actions[sig - 1];
		if (sig_ignored_by(&a, sig)) {
			libos_unlock(&sig_lock);
			continue;
		}
		if (a.handler == SIG_DFL && (DEFAULT_STOP & BIT(sig))) {
			libos_unlock(&sig_lock);
			stop_process(sig);
			continue;
		}
		if (a.handler == SIG_DFL) {
			libos_unlock(&sig_lock);
			libos_signal_terminate(sig);
		}
		if (a.flags & SA_RESETHAND) {
			actions[sig - 1].handler = SIG_DFL;
			actions[sig - 1].flags &= ~(uint64_t)SA_SIGINFO;
		}
		libos_unlock(&sig_lock);
		if (info.si_code == LIBOS_SI_TIMER)
			libos_timer_dequeued(&info);

		if (restart) {
			if (a.flags & SA_RESTART) {
				regs->rax = (uint64_t)nr;
				regs->rip -= 2;
			}
			restart = false;
		}
		uint64_t old = (saved && !ran) ? *saved : load_mask(&t->sigmask);
		uint64_t newmask = old | a.mask;
		if (!(a.flags & SA_NODEFER))
			newmask |= BIT(sig);
		newmask &= ~UNBLOCKABLE;
		if (!build_frame(t, regs, sig, &a, &info, old, NULL, NULL))
			libos_signal_terminate(SIGSEGV);
		__atomic_store_n(&t->sigmask, newmask, __ATOMIC_RELEASE);
		ran = true;
	}
	/* A handler frame now sits in regs: the call is settled, and a later
	 * look at the same frame (sigsuspend delivers before it returns)
	 * must not restart it. */
	if (ran)
		t->syscall_nr = -1;
	if (interrupted && !ran) {
		/* Interrupted, and no handler ran: go on as if nothing happened
		 * (Linux restarts every call then, sleeps and polls included). */
		regs->rax = (uint64_t)nr;
		regs->rip -= 2;
	}
	return ran;
}

void libos_signal_deliver(struct libos_regs *regs)
{
	libos_process_syscall_done(); /* on the way out of every system call */
	deliver(regs, NULL);
}

uint64_t libos_signal_mask_swap(uint64_t mask)
{
	struct libos_thread *t = libos_current();
	return __atomic_exchange_n(&t->sigmask, mask & ~UNBLOCKABLE, __ATOMIC_ACQ_REL);
}

long libos_signal_mask_restore(uint64_t old, long result)
{
	struct libos_thread *t = libos_current();
	struct libos_regs *regs = t->regs;
	bool ran = false;
	if (regs && libos_signal_pending(t)) {
		/* The frame must hold the call's result; the core writes it to
		 * rax again on return, which the handler does not mind. */
		uint64_t rax = regs->rax;
		regs->rax = (uint64_t)result;
		int in = t->in_syscall;
		t->in_syscall = 0; /* no restart decisions here */
		ran = deliver(regs, &old);
		t->in_syscall = in;
		if (!ran)
			regs->rax = rax;
	}
	if (!ran)
		__atomic_store_n(&t->sigmask, old & ~UNBLOCKABLE, __ATOMIC_RELEASE);
	return result;
}

/* ---- hardware faults -------------------------------------------------------------------- */
bool libos_signal_fault(const struct dk_exception_info *info, struct dk_context *ctx)
{
	struct libos_thread *t = libos_current();
	if (t && libos_vfork_borrowed && libos_vfork_fault(ctx))
		return true; /* the parent resumes; the fork of it took the fault */
	int sig;
	struct fault_regs fr = {info->error, 0, 0};
	struct libos_siginfo si;
	memset(&si, 0, sizeof(si));
	si.si_code = (int32_t)info->host_code;
	switch (info->code) {
	case DK_EXC_MEMORY_FAULT:
		sig = SIGSEGV;
		si.u.fault.addr = info->addr;
		/* A page fault (trap 14) names an address; a general protection
		 * fault (13) reports SI_KERNEL and address 0. */
		fr.trapno = info->host_code == LIBOS_SI_KERNEL ? 13 : 14;
		fr.cr2 = info->addr;
		break;
	case DK_EXC_BUS_ERROR:
		sig = SIGBUS;
		si.u.fault.addr = info->addr;
		fr.trapno = 14;
		fr.cr2 = info->addr;
		break;
	case DK_EXC_ARITHMETIC:
		sig = SIGFPE;
		si.u.fault.addr = ctx->rip;
		fr.trapno = info->host_code == 1 /* FPE_INTDIV */ ? 0 : 19;
		break;
	case DK_EXC_ILLEGAL:
		sig = SIGILL;
		si.u.fault.addr = ctx->rip;
		fr.trapno = 6;
		break;
	case DK_EXC_BREAKPOINT:
		sig = SIGTRAP;
		if (info->host_code != LIBOS_SI_KERNEL)
			si.u.fault.addr = ctx->rip;
		fr.trapno = 3;
		break;
	default:
		return false;
	}
	si.si_signo = sig;
	if (!t)
		libos_signal_terminate(sig);

	libos_lock(&sig_lock);
	struct ksigaction a = actions[sig - 1];
	uint64_t mask = load_mask(&t->sigmask);
	if ((mask & BIT(sig)) || a.handler == SIG_DFL || a.handler == SIG_IGN) {
		/* Blocked or ignored faults end the process, as on Linux; one
		 * line says where, as the kernel's log would. */
		libos_unlock(&sig_lock);
		libos_log("thread %d: fatal signal %d at rip 0x%lx, address 0x%lx", t->tid, sig,
			  (unsigned long)ctx->rip, (unsigned long)info->addr);
		libos_signal_terminate(sig);
	}
	if (a.flags & SA_RESETHAND) {
		actions[sig - 1].handler = SIG_DFL;
		actions[sig - 1].flags &= ~(uint64_t)SA_SIGINFO;
	}
	libos_unlock(&sig_lock);

	struct libos_regs r;
	r.r8 = ctx->r8, r.r9 = ctx->r9, r.r10 = ctx->r10, r.r11 = ctx->r11;
	r.r12 = ctx->r12, r.r13 = ctx->r13, r.r14 = ctx->r14, r.r15 = ctx->r15;
	r.rdi = ctx->rdi, r.rsi = ctx->rsi, r.rbp = ctx->rbp, r.rbx = ctx->rbx;
	r.rdx = ctx->rdx, r.rax = ctx->rax, r.rcx = ctx->rcx, r.rsp = ctx->rsp;
	r.rip = ctx->rip, r.rflags = ctx->rflags;
	uint64_t newmask = mask | a.mask;
	if (!(a.flags & SA_NODEFER))
		newmask |= BIT(sig);
	newmask &= ~UNBLOCKABLE;
	uint8_t legacy[512];
	const void *hfp = ctx->fpstate;
	if (!hfp) {
		/* No host area: the dispatcher's own (initial) state is all we
		 * have; an fxsave of it is better than garbage. */
		memset(legacy, 0, sizeof(legacy));
		legacy[24] = 0x80, legacy[25] = 0x1f; /* MXCSR 0x1f80 */
		legacy[0] = 0x7f, legacy[1] = 0x03;   /* FCW 0x37f */
		hfp = legacy;
	}
	if (!build_frame(t, &r, sig, &a, &si, mask, hfp, &fr))
		libos_signal_terminate(SIGSEGV);
	__atomic_store_n(&t->sigmask, newmask, __ATOMIC_RELEASE);
	ctx->r8 = r.r8, ctx->r9 = r.r9, ctx->r10 = r.r10, ctx->r11 = r.r11;
	ctx->r12 = r.r12, ctx->r13 = r.r13, ctx->r14 = r.r14, ctx->r15 = r.r15;
	ctx->rdi = r.rdi, ctx->rsi = r.rsi, ctx->rbp = r.rbp, ctx->rbx = r.rbx;
	ctx->rdx = r.rdx, ctx->rax = r.rax, ctx->rcx = r.rcx, ctx->rsp = r.rsp;
	ctx->rip = r.rip, ctx->rflags = r.rflags;
	return true;
}

/* ---- system calls --------------------------------------------------------------------------- */
static void lend_keep(int sig); /* vfork borrowing, below */

LIBOS_SYSCALL(rt_sigaction)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int sig = (int)a0;
	struct ksigaction act, old;
	if (!valid_sig(sig) || a3 != 8)
		return -EINVAL;
	if (a1) {
		if (libos_copy_from_user(&act, (const void *)a1, sizeof(act)) < 0)
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		act.flags &= SA_KNOWN; /* unknown bits read back as clear (SA_UNSUPPORTED probing) */
		act.mask &= ~UNBLOCKABLE;
	}
	libos_lock(&sig_lock);
	old = actions[sig - 1];
	if (a1) {
		lend_keep(sig);
		actions[sig - 1] = act;
	}
	libos_unlock(&sig_lock);
	if (a1 && sig_ignored_by(&act, sig) && !libos_vfork_borrowed)
		flush_sig(sig); /* pending instances go away, blocked ones too (Linux) */
	if (a1 && sig == SIGCHLD)
		chld_route();
	if (a2 && libos_copy_to_user((void *)a2, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(rt_sigprocmask)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct libos_thread *t = libos_current();
	uint64_t set = 0, old = load_mask(&t->sigmask);
	if (a3 != 8)
		return -EINVAL;
	if (a1) {
		if (libos_copy_from_user(&set, (const void *)a1, 8) < 0)
			return -EFAULT;
		uint64_t m;
		switch ((int)a0) {
		case SIG_BLOCK: m = old | set; break;
		case SIG_UNBLOCK: m = old & ~set; break;
		case SIG_SETMASK: m = set; break;
		default: return -EINVAL;
		}
		__atomic_store_n(&t->sigmask, m & ~UNBLOCKABLE, __ATOMIC_RELEASE);
		if ((m ^ old) & BIT(SIGCHLD))
			chld_route();
	}
	if (a2 && libos_copy_to_user((void *)a2, &old, 8) < 0)
		return -EFAULT;
	/* Newly unblocked signals are delivered on the way out. */
	return 0;
}

LIBOS_SYSCALL(rt_sigpending)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_thread *t = libos_current();
	if ((unsigned long)a1 > 8)
		return -EINVAL;
	uint64_t set = (load_mask(&t->sigpending) | load_mask(&proc_pending)) & load_mask(&t->sigmask);
	if (libos_copy_to_user((void *)a0, &set, (size_t)a1) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(rt_sigreturn)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	struct libos_thread *t = libos_current();
	struct libos_regs *r = t->regs;
	struct kucontext uc;
	if (t->handler_frames > 0)
		t->handler_frames--;
	/* The handler's ret popped the return address: rsp is at uc. */
	if (libos_copy_from_user(&uc, (const void *)r->rsp, sizeof(uc)) < 0)
		libos_signal_terminate(SIGSEGV);
	const struct ksigcontext *m = &uc.uc_mcontext;
	if (m->fpstate) {
		uint32_t n = use_xsave ? xsize : 512;
		uint8_t raw[n + 64];
		uint8_t *buf = (uint8_t *)(((uint64_t)raw + 63) & ~63ull);
		uint32_t magic = 0, ext = 0;
		bool ok = libos_copy_from_user(buf, (const void *)m->fpstate, 512) == 0;
		memcpy(&magic, buf + 464, 4);
		memcpy(&ext, buf + 468, 4);
		bool xs = use_xsave && (uc.uc_flags & UC_FP_XSTATE) && magic == FP_XSTATE_MAGIC1 &&
			  ext == xsize + 4;
		if (ok && use_xsave) {
			if (xs)
				ok = libos_copy_from_user(buf + 512, (const uint8_t *)m->fpstate + 512,
							  n - 512) == 0;
			else
				memset(buf + 512, 0, n - 512);
		}
		if (!ok)
			libos_signal_terminate(SIGSEGV);
		fpu_restore(buf, xs);
	}
	r->r8 = m->r8, r->r9 = m->r9, r->r10 = m->r10, r->r11 = m->r11;
	r->r12 = m->r12, r->r13 = m->r13, r->r14 = m->r14, r->r15 = m->r15;
	r->rdi = m->rdi, r->rsi = m->rsi, r->rbp = m->rbp, r->rbx = m->rbx;
	r->rdx = m->rdx, r->rax = m->rax, r->rcx = m->rcx, r->rsp = m->rsp;
	r->rip = m->rip;
	r->rflags = (r->rflags & ~FIX_EFLAGS) | (m->eflags & FIX_EFLAGS);
	__atomic_store_n(&t->sigmask, uc.uc_sigmask & ~UNBLOCKABLE, __ATOMIC_RELEASE);
	if ((uc.uc_sigmask & BIT(SIGCHLD)) && chld_at_host)
		chld_route(); /* the frame's mask blocks it: it must stay pending */
	/* The alternate stack as the frame says (SS_AUTODISARM re-arms it). */
	if (!on_altstack(t, r->rsp)) {
		const struct kstack *ss = &uc.uc_stack;
		if (ss->ss_flags & SS_DISABLE) {
			t->altstack.sp = 0, t->altstack.size = 0, t->altstack.flags = SS_DISABLE;
		} else if (ss->ss_size >= MINSIGSTKSZ) {
			t->altstack.sp = ss->ss_sp;
			t->altstack.size = ss->ss_size;
			t->altstack.flags = ss->ss_flags & (int)SS_AUTODISARM;
		}
	}
	return (long)r->rax;
}

LIBOS_SYSCALL(sigaltstack)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_thread *t = libos_current();
	uint64_t sp = t->regs ? t->regs->rsp : 0;
	struct kstack old = {t->altstack.sp, altstack_flags(t, sp) | (t->altstack.flags & (int)SS_AUTODISARM),
			     0, t->altstack.size};
	if (a0) {
		struct kstack ss;
		if (libos_copy_from_user(&ss, (const void *)a0, sizeof(ss)) < 0)
			return -EFAULT;
		if (on_altstack(t, sp))
			return -EPERM;
		int mode = ss.ss_flags & ~(int)SS_AUTODISARM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack.sp = 0;
			t->altstack.size = 0;
			t->altstack.flags = SS_DISABLE;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack.sp = ss.ss_sp;
			t->altstack.size = ss.ss_size;
			t->altstack.flags = ss.ss_flags & (int)SS_AUTODISARM;
		}
	}
	if (a1 && libos_copy_to_user((void *)a1, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

/* Waits until a signal is delivered with the temporary mask; -EINTR. */
static long suspend(uint64_t mask)
{
	struct libos_thread *t = libos_current();
	uint64_t old = libos_signal_mask_swap(mask);
	for (;;) {
		while (!libos_signal_pending(t))
			libos_wait(0, NULL, -1);
		/* Handlers run with the frame recording the old mask; ignored
		 * signals do not end the wait. */
		struct libos_regs *regs = t->regs;
		uint64_t rax = regs->rax;
		regs->rax = (uint64_t)-EINTR;
		int in = t->in_syscall;
		t->in_syscall = 0;
		bool ran = deliver(regs, &old);
		t->in_syscall = in;
		if (ran)
			return -EINTR;
		regs->rax = rax;
	}
}

LIBOS_SYSCALL(rt_sigsuspend)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	uint64_t mask;
	if (a1 != 8)
		return -EINVAL;
	if (libos_copy_from_user(&mask, (const void *)a0, 8) < 0)
		return -EFAULT;
	return suspend(mask);
}

LIBOS_SYSCALL(pause)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return suspend(load_mask(&libos_current()->sigmask));
}

LIBOS_SYSCALL(rt_sigtimedwait)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct libos_thread *t = libos_current();
	uint64_t set;
	struct { int64_t sec, nsec; } ts;
	int64_t timeout = -1;
	if (a3 != 8)
		return -EINVAL;
	if (libos_copy_from_user(&set, (const void *)a0, 8) < 0)
		return -EFAULT;
	if (a2) {
		if (libos_copy_from_user(&ts, (const void *)a2, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -EINVAL;
		timeout = ts.sec > 9000000000ll ? INT64_MAX : ts.sec * 1000000000ll + ts.nsec;
	}
	set &= ~UNBLOCKABLE;
	uint64_t deadline = timeout >= 0 ? libos_time_ns(DK_CLOCK_MONOTONIC) + (uint64_t)timeout : 0;
	for (;;) {
		struct libos_siginfo info;
		libos_lock(&sig_lock);
		int sig = dequeue(t, set, &info);
		libos_unlock(&sig_lock);
		if (sig) {
			if (info.si_code == LIBOS_SI_TIMER)
				libos_timer_dequeued(&info);
			if (a1 && libos_copy_to_user((void *)a1, &info, sizeof(info)) < 0)
				return -EFAULT;
			return sig;
		}
		/* Another signal the thread takes interrupts the wait. */
		if (libos_signal_pending(t))
			return -EINTR;
		uint64_t us = DK_WAIT_INFINITE;
		if (timeout >= 0) {
			uint64_t now = libos_time_ns(DK_CLOCK_MONOTONIC);
			if (now >= deadline)
				return -EAGAIN;
			us = (deadline - now + 999) / 1000;
		}
		/* Not libos_wait: the signals waited for are blocked, so they do
		 * not count as pending for it. */
		int rc = dk->DkObjectsWaitAny(1, &t->wake, us, NULL);
		if (rc < 0 && rc != -DK_E_TIMEOUT && rc != -DK_E_INTERRUPTED)
			return libos_errno(rc);
	}
}

static void user_info(struct libos_siginfo *info, int sig, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->u.kill.pid = libos_proc.pid;
	info->u.kill.uid = libos_proc.uid;
}

/* Another process in the sandbox (process.c may provide this). */
__attribute__((weak)) long libos_process_kill(int pid, int sig)
{
	(void)pid, (void)sig;
	return -ESRCH;
}


LIBOS_SYSCALL(kill)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	a0 = (int)a0, a1 = (int)a1; /* pid_t, int: the kernel reads 32 bits */
	int sig = (int)a1;
	if (a1 < 0 || a1 > NSIG)
		return -EINVAL;
	if (a0 == INT32_MIN)
		return -ESRCH;
	/* Groups and other processes: the host delivers (to the caller too
	 * when it belongs to them).  The caller alone: right here. */
	if (a0 != libos_proc.pid)
		return libos_process_kill((int)a0, sig);
	if (sig == 0)
		return 0;
	struct libos_siginfo info;
	user_info(&info, sig, LIBOS_SI_USER);
	libos_signal_send(NULL, sig, &info);
	return 0;
}

static long thread_kill(long tgid, long tid, long sig, int code, const struct libos_siginfo *uinfo)
{
	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	struct libos_thread *t = tgid == -1 || tgid == libos_proc.pid
					 ? libos_thread_find((int)tid) : NULL;
	if (!t && tgid == -1 && tid != libos_proc.pid)
		tgid = tid; /* tkill of another process's first thread */
	if (!t && tgid != -1 && tgid != libos_proc.pid) {
		/* Another process: only its first thread (tid = pid) can be
		 * named, since thread ids are each library OS's own; the host
		 * delivers to the process. */
		if (tid != tgid)
			return -ESRCH;
		if (!uinfo)
			return libos_process_kill((int)tgid, (int)sig);
		if (uinfo->si_code >= 0 || uinfo->si_code == LIBOS_SI_TKILL)
			return -EPERM;
		return libos_process_queue((int)tgid, (int)sig, uinfo->u.kill.value);
	}
	if (!t)
		return -ESRCH;
	if (sig == 0)
		return 0;
	struct libos_siginfo info;
	if (uinfo)
		info = *uinfo;
	else
		user_info(&info, (int)sig, code);
	info.si_signo = (int)sig;
	libos_signal_send(t, (int)sig, &info);
	return 0;
}

LIBOS_SYSCALL(tkill)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	a0 = (int)a0, a1 = (int)a1;
	return thread_kill(-1, a0, a1, LIBOS_SI_TKILL, NULL);
}

LIBOS_SYSCALL(tgkill)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	a0 = (int)a0, a1 = (int)a1, a2 = (int)a2;
	if (a0 <= 0)
		return -EINVAL;
	return thread_kill(a0, a1, a2, LIBOS_SI_TKILL, NULL);
}

static long read_queue_info(long uinfo, struct libos_siginfo *info)
{
	/* Any si_code is allowed when a process signals itself (Linux
	 * refuses si_code >= 0 and SI_TKILL only towards others). */
	if (libos_copy_from_user(info, (const void *)uinfo, sizeof(*info)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(rt_sigqueueinfo)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	a0 = (int)a0, a1 = (int)a1;
	struct libos_siginfo info;
	if (a1 < 0 || a1 > NSIG)
		return -EINVAL;
	long rc = read_queue_info(a2, &info);
	if (rc < 0)
		return rc;
	if (a0 != libos_proc.pid) {
		if (a0 <= 0)
			return -ESRCH;
		/* Linux lets a process send another only SI_QUEUE-style codes. */
		if (info.si_code >= 0 || info.si_code == LIBOS_SI_TKILL)
			return -EPERM;
		return libos_process_queue((int)a0, (int)a1, info.u.kill.value);
	}
	if (a1 == 0)
		return 0;
	info.si_signo = (int)a1;
	libos_signal_send(NULL, (int)a1, &info);
	return 0;
}

LIBOS_SYSCALL(rt_tgsigqueueinfo)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	a0 = (int)a0, a1 = (int)a1, a2 = (int)a2;
	struct libos_siginfo info;
	long rc = read_queue_info(a3, &info);
	if (rc < 0)
		return rc;
	return thread_kill(a0, a1, a2, 0, &info);
}

LIBOS_SYSCALL(restart_syscall)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return -EINTR;
}

/* ---- start-up ------------------------------------------------------------------------------ */
void libos_signal_init(void)
{
	fpu_init();
	libos_time_init();
	chld_route();
}

/* fork: the child starts with nothing pending (Linux), the actions and its
 * thread's mask as they are. */
void libos_signal_fork_lock(bool take)
{
	if (take)
		libos_lock(&sig_lock);
	else
		libos_unlock(&sig_lock);
}

void libos_signal_fork_child(struct libos_thread *t)
{
	/* incoming stays: the parent drained its own before the fork, so
	 * what is there arrived for the child (a kill right after fork). */
	/* Only what was used: each page written here is one more page the
	 * host copies for the child. */
	if (proc_pending)
		__atomic_store_n(&proc_pending, 0, __ATOMIC_RELAXED);
	t->sigpending = 0;
	for (int i = 0; i < queue_top; i++)
		if (queue[i].sig)
			queue[i].sig = 0;
	if (queue_top)
		queue_top = 0;
}

/* A vfork child borrowing the process (process.c) changes the actions and
 * its thread's mask as its own: the parent's are kept here meanwhile, and
 * restored when the parent resumes.  An action is kept only once the child
 * changes it (lent_kept), not all 64 at each vfork: the copy would be one
 * more page written per posix_spawn.  The child, once a process of its
 * own, keeps what it set, and routes SIGCHLD for itself. */
static struct ksigaction lent_actions[NSIG];
static uint64_t lent_kept LIBOS_FORK_HOT, lent_mask LIBOS_FORK_HOT;

void libos_signal_lend(struct libos_thread *t)
{
	lent_kept = 0;
	lent_mask = load_mask(&t->sigmask);
}

/* Under sig_lock: a borrowing child is about to change sig's action. */
static void lend_keep(int sig)
{
	if (libos_vfork_borrowed && !(lent_kept & BIT(sig))) {
		lent_actions[sig - 1] = actions[sig - 1];
		lent_kept |= BIT(sig);
	}
}

void libos_signal_lent_back(struct libos_thread *t, bool to_parent)
{
	if (to_parent) {
		libos_lock(&sig_lock);
		for (int sig = 1; sig <= NSIG; sig++)
			if (lent_kept & BIT(sig))
				actions[sig - 1] = lent_actions[sig - 1];
		libos_unlock(&sig_lock);
		__atomic_store_n(&t->sigmask, lent_mask, __ATOMIC_RELEASE);
	}
	lent_kept = 0;
	chld_route();
}

/* execve: caught signals go back to their default action (ignored ones
 * stay ignored); the alternate stack is gone. */
void libos_signal_exec(struct libos_thread *t)
{
	libos_lock(&sig_lock);
	for (int i = 0; i < NSIG; i++) {
		if (actions[i].handler != SIG_IGN)
			actions[i].handler = SIG_DFL;
		actions[i].flags = 0;
		actions[i].mask = 0;
	}
	libos_unlock(&sig_lock);
	t->altstack.sp = t->altstack.size = 0;
	t->altstack.flags = 0;
	chld_route();
}

/* Whether SIGCHLD's action asks the kernel to reap children itself
 * (SIG_IGN, or SA_NOCLDWAIT): wait then reports none. */
bool libos_signal_child_autoreap(void)
{
	struct ksigaction a = actions[SIGCHLD - 1];
	return a.handler == SIG_IGN || (a.flags & SA_NOCLDWAIT);
}
