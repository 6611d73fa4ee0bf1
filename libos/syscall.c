/*
 * System calls: the exception upcall that catches them, the table that
 * runs them, and the way back to the application.
 *
 * With the trap on (DkSystemCallTrapSet), every syscall instruction of the
 * application reaches LibOsExceptionDispatch as DK_EXC_SYSCALL, in signal
 * context on the PAL's alternate stack.  Nothing is emulated there: the
 * dispatcher saves the application's registers in a struct libos_regs
 * frame at the top of the thread's library OS stack and resumes the thread
 * at libos_syscall_entry (entry.S) with rsp = rdi = the frame.  The
 * thread then runs the handler in normal context, with its normal signal
 * mask, free to block in the PAL; then signal delivery; then
 * libos_return_to_app(frame) reloads every register and jumps back.
 */
#include "libos.h"
#include "syscall_names.h"

_Static_assert(__builtin_offsetof(struct libos_regs, r15) == 0, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, r11) == 32, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, r8) == 56, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, rdi) == 64, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, rcx) == 104, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, rax) == 112, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, rflags) == 120, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, rip) == 128, "entry.S frame layout");
_Static_assert(__builtin_offsetof(struct libos_regs, rsp) == 136, "entry.S frame layout");
_Static_assert(sizeof(struct libos_regs) % 16 == 0, "frames stay 16-byte aligned");

_Static_assert(__builtin_offsetof(struct libos_thread, kstack_top) == 136, "entry.S fast path");
_Static_assert(__builtin_offsetof(struct libos_thread, app_running) == 144, "entry.S fast path");
_Static_assert(DK_TLS_OFFSET(1) == 8, "entry.S fast path");

/* entry.S */
void libos_syscall_entry(void);
void libos_trap_entry(void);
extern char libos_fast_slow[], libos_fast_on_kstack[], libos_fast_committed[];
void libos_signal_entry(void);
void libos_resume_app(struct libos_regs *frame) __attribute__((noreturn));
long libos_usercopy(void *dst, const void *src, size_t n);
extern char libos_usercopy_insn[], libos_usercopy_fault[];
extern char libos_resume_adjusted[], libos_resume_end[];

/* The linker collects every LIBOS_SYSCALL entry in this section. */
extern const struct libos_syscall_entry __start_libos_syscalls[]
	__attribute__((visibility("hidden")));
extern const struct libos_syscall_entry __stop_libos_syscalls[]
	__attribute__((visibility("hidden")));

#define NR_MAX 1024
static libos_syscall_fn table[NR_MAX];
static uint64_t logged[NR_MAX / 64]; /* unsupported numbers already logged */

#define RFLAGS_TF (1ul << 8)
#define RFLAGS_DF (1ul << 10)
#define RFLAGS_AC (1ul << 18)

bool libos_in_image(uint64_t addr)
{
	return addr - dk_start->image_base < dk_start->image_size;
}

static const char *syscall_name(long nr)
{
	if (nr >= 0 && (size_t)nr < sizeof(libos_syscall_names) / sizeof(libos_syscall_names[0]) &&
	    libos_syscall_names[nr])
		return libos_syscall_names[nr];
	return "?";
}

void libos_syscall_init(void)
{
	for (const struct libos_syscall_entry *e = __start_libos_syscalls;
	     e < __stop_libos_syscalls; e++) {
		if (e->nr < 0 || e->nr >= NR_MAX)
			libos_die("system call %s has number %ld, out of range", e->name, e->nr);
		if (table[e->nr])
			libos_die("duplicate handler for %s", e->name);
		table[e->nr] = e->fn;
	}
}

long libos_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (nr >= 0 && nr < NR_MAX) {
		libos_syscall_fn fn = table[nr];
		if (fn)
			return fn(a0, a1, a2, a3, a4, a5);
		uint64_t bit = 1ull << (nr % 64);
		if (!(__atomic_fetch_or(&logged[nr / 64], bit, __ATOMIC_RELAXED) & bit))
			libos_log("unsupported system call %s (%ld)", syscall_name(nr), nr);
	}
	/* Numbers out of range (x32, garbage) are ENOSYS too, silently. */
	return -ENOSYS;
}

/* ---- the way in ------------------------------------------------------------------- */
/* Called from libos_syscall_entry on the library OS stack. */
void libos_syscall_handle(struct libos_regs *f)
{
	struct libos_thread *t = libos_current();
	long nr = (long)f->rax;
	t->regs = f;
	t->syscall_nr = nr;
	t->in_syscall = 1;
	long rc;
	if (__builtin_expect(libos_vfork_borrowed, 0) && !libos_vfork_allows(nr) &&
	    (rc = libos_vfork_leave()) != 0)
		nr = -1; /* the vfork parent resumed: rc is its vfork's result */
	else
		rc = libos_syscall(nr, (long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10,
				   (long)f->r8, (long)f->r9);
	/* rt_sigreturn rewrote the whole frame; anything else returns like
	 * Linux's syscall instruction: rax, and rcx/r11 clobbered. */
	if (nr != __NR_rt_sigreturn) {
		f->rax = (uint64_t)rc;
		f->rcx = f->rip;
		f->r11 = f->rflags;
	}
	libos_signal_deliver(f);
	t->in_syscall = 0;
}

/* Called from libos_signal_entry: a signal for a thread that was running
 * application code. */
void libos_signal_handle(struct libos_regs *f)
{
	struct libos_thread *t = libos_current();
	t->regs = f;
	libos_signal_deliver(f);
}

/* Once app_running is 1, the thread is committed to resuming *frame: a
 * raised exception from then on (rip still in the image) restarts from
 * resume_frame, as if it had hit the application's first instruction.
 * One that came before is caught by the pending check after the store. */
LIBOS_RESUME_TEXT void libos_return_to_app(struct libos_regs *frame)
{
	struct libos_thread *t = libos_current();
	if (t) {
		t->resume_frame = frame;
		for (;;) {
			__atomic_store_n(&t->app_running, 1, __ATOMIC_SEQ_CST);
			if (!libos_signal_pending(t) && !libos_signal_incoming_any())
				break;
			t->app_running = 0;
			t->regs = frame;
			libos_signal_deliver(frame);
		}
		t->regs = NULL;
	}
	libos_resume_app(frame);
}

/* A raise caught the thread in libos_return_to_app after it committed to
 * *t->resume_frame: make ctx the application's context it was about to
 * resume. */
static void committed_context(struct libos_thread *t, struct dk_context *ctx)
{
	struct libos_regs f = *t->resume_frame; /* it may lie where the new frame goes */
	if (ctx->rip >= (uint64_t)libos_resume_adjusted && ctx->rip < (uint64_t)libos_resume_end)
		f.rsp += 136;
	ctx->r15 = f.r15;
	ctx->r14 = f.r14;
	ctx->r13 = f.r13;
	ctx->r12 = f.r12;
	ctx->r11 = f.r11;
	ctx->r10 = f.r10;
	ctx->r9 = f.r9;
	ctx->r8 = f.r8;
	ctx->rdi = f.rdi;
	ctx->rsi = f.rsi;
	ctx->rbp = f.rbp;
	ctx->rbx = f.rbx;
	ctx->rdx = f.rdx;
	ctx->rcx = f.rcx;
	ctx->rax = f.rax;
	ctx->rflags = f.rflags;
	ctx->rip = f.rip;
	ctx->rsp = f.rsp;
}

/* Whether rip lies in the code that resumes the application. */
static bool resuming(uint64_t rip)
{
	return rip >= (uint64_t)__start_libos_resume_text &&
	       rip < (uint64_t)__stop_libos_resume_text;
}

/* A signal caught the thread on the fast path's way in (entry.S), before
 * it committed to the system call: make ctx the application's context
 * just before the site's syscall instruction. */
static bool fast_rewind(struct libos_thread *t, struct dk_context *ctx)
{
	if (ctx->rip < (uint64_t)libos_fast_slow || ctx->rip >= (uint64_t)libos_fast_committed)
		return false;
	if (ctx->rip >= (uint64_t)libos_fast_on_kstack)
		ctx->rsp = *(uint64_t *)(t->kstack_top - 8);
	ctx->rip = ctx->rcx - 2;
	return true;
}

/* Saves ctx in a frame at the top of t's library OS stack and resumes the
 * thread at entry, in normal context. */
static void redirect(struct libos_thread *t, struct dk_context *ctx, void (*entry)(void))
{
	if (!t->kstack_top && libos_thread_prepare(t) < 0)
		libos_die("no memory for a thread's library OS stack");
	struct libos_regs *f = (struct libos_regs *)(t->kstack_top - sizeof(*f));
	f->r15 = ctx->r15;
	f->r14 = ctx->r14;
	f->r13 = ctx->r13;
	f->r12 = ctx->r12;
	f->r11 = ctx->r11;
	f->r10 = ctx->r10;
	f->r9 = ctx->r9;
	f->r8 = ctx->r8;
	f->rdi = ctx->rdi;
	f->rsi = ctx->rsi;
	f->rbp = ctx->rbp;
	f->rbx = ctx->rbx;
	f->rdx = ctx->rdx;
	f->rcx = ctx->rcx;
	f->rax = ctx->rax;
	f->rflags = ctx->rflags;
	f->rip = ctx->rip;
	f->rsp = ctx->rsp;
	t->app_running = 0;
	ctx->rsp = (uint64_t)f;
	ctx->rdi = (uint64_t)f;
	ctx->rip = (uint64_t)entry;
	ctx->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
}

static int exception_dispatch(const struct dk_exception_info *info, struct dk_context *ctx)
{
	struct libos_thread *t = libos_current();
	switch (info->code) {
	case DK_EXC_SYSCALL:
		if (libos_in_image(ctx->rip))
			libos_die("system call instruction inside the library OS at %p",
				  (void *)ctx->rip);
		if (!t)
			libos_die("system call %s from a thread the library OS does not know",
				  syscall_name((long)ctx->rax));
		redirect(t, ctx, libos_trap_entry);
		return DK_EXC_RESUME;
	case DK_EXC_SIGNAL:
		/* Recorded now, delivered as a raise is (below). */
		libos_signal_incoming(info->arg, info->host_code, info->addr);
		/* fall through */
	case DK_EXC_RAISED:
		if (info->code == DK_EXC_RAISED && libos_process_raised(info->arg))
			return DK_EXC_RESUME; /* not reached: the thread ended */
		/* In the library OS (or the PAL on its behalf): deferred, so
		 * that the blocking downcall in progress or about to start
		 * returns -DK_E_INTERRUPTED, and delivery happens on the way
		 * out of the system call. */
		if (!t || !t->app_running)
			return DK_EXC_DEFERRED;
		if (fast_rewind(t, ctx))
			;
		else if (libos_in_image(ctx->rip)) {
			if (!t->resume_frame || !resuming(ctx->rip))
				return DK_EXC_DEFERRED;
			committed_context(t, ctx);
		}
		redirect(t, ctx, libos_signal_entry);
		return DK_EXC_RESUME;
	default:
		break;
	}
	/* A hardware fault. */
	if (libos_in_image(ctx->rip)) {
		if ((info->code == DK_EXC_MEMORY_FAULT || info->code == DK_EXC_BUS_ERROR) &&
		    ctx->rip == (uint64_t)libos_usercopy_insn) {
			ctx->rip = (uint64_t)libos_usercopy_fault;
			return DK_EXC_RESUME;
		}
		/* The word at rsp is the caller in a leaf function (memcpy...):
		 * printed as a hint for the post-mortem. */
		uint64_t hint = 0;
		libos_copy_from_user(&hint, (const void *)ctx->rsp, sizeof(hint));
		libos_die("fault (code %u, host code %u) in the library OS at rip=%p "
			  "(image+0x%lx) addr=%p rsp=%p [rsp]=image+0x%lx",
			  info->code, info->host_code, (void *)ctx->rip,
			  (unsigned long)(ctx->rip - dk_start->image_base), (void *)info->addr,
			  (void *)ctx->rsp, (unsigned long)(hint - dk_start->image_base));
	}
	if (!t || !t->app_running) {
		/* Not application code, not ours: the PAL on our behalf. */
		libos_log("fault (code %u) outside the application at rip=%p addr=%p", info->code,
			  (void *)ctx->rip, (void *)info->addr);
		return DK_EXC_UNHANDLED;
	}
	return libos_signal_fault(info, ctx) ? DK_EXC_RESUME : DK_EXC_UNHANDLED;
}

int libos_exception_dispatch(const struct dk_exception_info *info, struct dk_context *ctx);
int libos_exception_dispatch(const struct dk_exception_info *info, struct dk_context *ctx)
{
	return exception_dispatch(info, ctx);
}

/* ---- application memory ----------------------------------------------------------- */
long libos_copy_from_user(void *dst, const void *user_src, size_t n)
{
	return n ? libos_usercopy(dst, user_src, n) : 0;
}

long libos_copy_to_user(void *user_dst, const void *src, size_t n)
{
	return n ? libos_usercopy(user_dst, src, n) : 0;
}

/* Scans the application's string at user_str for a NUL in its first max
 * bytes, through a small buffer, page by page (the first bad byte is on
 * the first bad page); with dst, copies what it scanned of the string
 * there as it goes, at most cap bytes, its NUL not included.  One read of
 * the application's memory.  The length, max if there is no NUL in the
 * first max bytes, or -EFAULT. */
static long scan_from_user(const char *user_str, size_t max, char *dst, size_t cap)
{
	char buf[256];
	size_t n = 0, want = 64; /* most strings (an environment's) are short */
	while (n < max) {
		size_t chunk = 4096 - (((uint64_t)user_str + n) & 4095);
		if (chunk > want)
			chunk = want;
		if (chunk > max - n)
			chunk = max - n;
		if (libos_usercopy(buf, user_str + n, chunk) < 0)
			return -EFAULT;
		size_t i = strnlen(buf, chunk);
		if (dst && n < cap)
			memcpy(dst + n, buf, i < cap - n ? i : cap - n);
		if (i < chunk)
			return (long)(n + i);
		n += chunk;
		want = sizeof(buf);
	}
	return (long)max;
}

long libos_strnlen_from_user(const char *user_str, size_t max)
{
	return scan_from_user(user_str, max, NULL, 0);
}

/* Copies the string and its NUL, and writes no more of dst than that (a
 * forked child pays for each page it writes).  Its length, -EFAULT, or
 * -ENAMETOOLONG (dst then holds the first size - 1 bytes). */
long libos_copy_str_from_user(char *dst, const char *user_src, size_t size)
{
	if (!size)
		return -ENAMETOOLONG;
	long n = scan_from_user(user_src, size, dst, size - 1);
	if (n < 0)
		return n;
	dst[(size_t)n < size ? (size_t)n : size - 1] = 0;
	return (size_t)n < size ? n : -ENAMETOOLONG;
}
