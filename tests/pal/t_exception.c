/*
 * Conformance: LibOsExceptionDispatch (hardware faults handled and resumed)
 * and DkThreadRaiseException.
 *
 * Each fault comes from a tiny assembly function with labels at the faulting
 * instruction (…_insn) and just after it (…_resume).  The dispatcher checks
 * ctx->rip against the first, sets ctx->rip to the second and ctx->rax to a
 * marker, and resumes; the function then returns the marker, which proves
 * that both the resume address and the changed register took effect.
 */
#include "conf.h"

struct conf_exc g_exc;

#define MARK 0xC0FFEEu

__asm__(".text\n"
	".macro conf_fn name\n"
	".globl \\name\n .hidden \\name\n .type \\name, @function\n"
	"\\name:\n"
	".endm\n"
	".macro conf_label name\n"
	".globl \\name\n .hidden \\name\n"
	"\\name:\n"
	".endm\n"
	/* int conf_fault_load(const void *p) */
	"conf_fn conf_fault_load\n"
	"	mov %rdi, %rax\n"
	"conf_label conf_fault_load_insn\n"
	"	movl (%rax), %eax\n"
	"conf_label conf_fault_load_resume\n"
	"	ret\n"
	/* int conf_fault_store(void *p) */
	"conf_fn conf_fault_store\n"
	"	mov $1, %eax\n"
	"conf_label conf_fault_store_insn\n"
	"	movl $0x11223344, (%rdi)\n"
	"conf_label conf_fault_store_resume\n"
	"	ret\n"
	/* int conf_div0(void) */
	"conf_fn conf_div0\n"
	"	xor %edx, %edx\n"
	"	mov $1, %eax\n"
	"	xor %ecx, %ecx\n"
	"conf_label conf_div0_insn\n"
	"	divl %ecx\n"
	"conf_label conf_div0_resume\n"
	"	ret\n"
	/* int conf_ud2(void) */
	"conf_fn conf_ud2\n"
	"	xor %eax, %eax\n"
	"conf_label conf_ud2_insn\n"
	"	ud2\n"
	"conf_label conf_ud2_resume\n"
	"	ret\n"
	/* int conf_int3(void) */
	"conf_fn conf_int3\n"
	"	xor %eax, %eax\n"
	"conf_label conf_int3_insn\n"
	"	int3\n"
	"conf_label conf_int3_resume\n"
	"	ret\n");

int conf_fault_load(const void *p);
int conf_fault_store(void *p);
int conf_div0(void);
int conf_ud2(void);
int conf_int3(void);
extern char conf_fault_load_insn[], conf_fault_load_resume[];
extern char conf_fault_store_insn[], conf_fault_store_resume[];
extern char conf_div0_insn[], conf_div0_resume[];
extern char conf_ud2_insn[], conf_ud2_resume[];
extern char conf_int3_insn[], conf_int3_resume[];

#define U(p) ((uint64_t)(uintptr_t)(p))

int conf_exception_dispatch(const struct dk_exception_info *info, struct dk_context *ctx)
{
	/* Signals (a forked child's SIGCHLD): the host's default action. */
	if (info->code == DK_EXC_SIGNAL) {
		__atomic_add_fetch(&g_exc.signals, 1, __ATOMIC_SEQ_CST);
		return DK_EXC_UNHANDLED;
	}
	g_exc.code = info->code;
	g_exc.host_code = info->host_code;
	g_exc.addr = info->addr;
	g_exc.arg = info->arg;
	g_exc.error = info->error;
	g_exc.rip = ctx->rip;
	g_exc.rsp = ctx->rsp;
	g_exc.rdi = ctx->rdi;
	g_exc.rax = ctx->rax;
	g_exc.rflags = ctx->rflags;
	if (!__atomic_exchange_n(&g_exc.armed, 0, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&g_exc.unexpected, 1, __ATOMIC_SEQ_CST);
		if (info->code == DK_EXC_RAISED)
			return DK_EXC_RESUME; /* harmless: just note it */
		return DK_EXC_UNHANDLED;
	}
	__atomic_add_fetch(&g_exc.hits, 1, __ATOMIC_SEQ_CST);
	if (g_exc.resume) {
		ctx->rip = g_exc.resume;
		ctx->rax = g_exc.set_rax;
	}
	return DK_EXC_RESUME;
}

void conf_exc_arm(uint64_t resume, uint64_t set_rax)
{
	g_exc.code = 0;
	g_exc.addr = g_exc.arg = g_exc.rip = g_exc.error = 0;
	g_exc.rsp = g_exc.rdi = g_exc.rax = 0;
	g_exc.hits = 0;
	g_exc.resume = resume;
	g_exc.set_rax = set_rax;
	__atomic_store_n(&g_exc.armed, 1, __ATOMIC_SEQ_CST);
}

#define CHECK_EXC(want_code, want_rip)                                              \
	do {                                                                        \
		CHECK(g_exc.hits == 1, "dispatcher ran %d times, want 1", g_exc.hits); \
		CHECK(g_exc.code == (want_code), "code %u, want %u", g_exc.code,    \
		      (unsigned)(want_code));                                       \
		CHECK(g_exc.rip == U(want_rip), "ctx->rip 0x%llx, want 0x%llx",     \
		      (unsigned long long)g_exc.rip, (unsigned long long)U(want_rip)); \
	} while (0)

static void *alloc_page(uint32_t prot)
{
	void *p = NULL;
	if (dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT, prot) < 0)
		return NULL;
	return p;
}

/* rsp is just below the frame of the function that called stack_near */
#define stack_near(rsp)                                                        \
	((rsp) < U(__builtin_frame_address(0)) &&                              \
	 U(__builtin_frame_address(0)) - (rsp) < 4096)

static void fault_read(void)
{
	uint8_t *p = alloc_page(DK_PROT_NONE);
	CHECK(p, "allocation failed");
	conf_exc_arm(U(conf_fault_load_resume), MARK);
	int v = conf_fault_load(p + 0x18);
	CHECK_EXC(DK_EXC_MEMORY_FAULT, conf_fault_load_insn);
	CHECK(g_exc.addr == U(p + 0x18), "info->addr 0x%llx, want %p",
	      (unsigned long long)g_exc.addr, (void *)(p + 0x18));
	CHECK(g_exc.rdi == U(p + 0x18) && g_exc.rax == U(p + 0x18),
	      "ctx->rdi/rax 0x%llx/0x%llx, want %p", (unsigned long long)g_exc.rdi,
	      (unsigned long long)g_exc.rax, (void *)(p + 0x18));
	CHECK(stack_near(g_exc.rsp), "ctx->rsp 0x%llx is not just below this frame",
	      (unsigned long long)g_exc.rsp);
	CHECK((g_exc.error & 2) == 0, "read fault has the write bit in info->error 0x%llx",
	      (unsigned long long)g_exc.error);
	CHECK(v == (int)MARK, "resumed function returned 0x%x, want the dispatcher's rax 0x%x", v,
	      MARK);
	dk->DkVirtualMemoryFree(p, 4096, DK_MEM_RELEASE);
}

static void fault_write(void)
{
	uint8_t *p = alloc_page(DK_PROT_READ | DK_PROT_WRITE);
	CHECK(p, "allocation failed");
	p[100] = 0x5a;
	CHECK_OK(dk->DkVirtualMemoryProtect(p, 4096, DK_PROT_READ));
	conf_exc_arm(U(conf_fault_store_resume), MARK);
	int v = conf_fault_store(p + 100);
	CHECK_EXC(DK_EXC_MEMORY_FAULT, conf_fault_store_insn);
	CHECK(g_exc.addr == U(p + 100), "info->addr 0x%llx, want %p",
	      (unsigned long long)g_exc.addr, (void *)(p + 100));
	CHECK(v == (int)MARK, "resumed function returned 0x%x", v);
	CHECK(p[100] == 0x5a, "the refused store changed memory");
	CHECK(g_exc.error & 2, "write fault lacks the write bit in info->error (0x%llx)",
	      (unsigned long long)g_exc.error);
	dk->DkVirtualMemoryFree(p, 4096, DK_MEM_RELEASE);
}

static void fault_repeat(void)
{
	uint8_t *p = alloc_page(DK_PROT_NONE);
	CHECK(p, "allocation failed");
	for (int i = 0; i < 200; i++) {
		conf_exc_arm(U(conf_fault_load_resume), MARK + (uint64_t)i);
		int v = conf_fault_load(p + i);
		CHECK(g_exc.hits == 1 && v == (int)(MARK + (uint64_t)i),
		      "round %d: hits %d value 0x%x", i, g_exc.hits, v);
	}
	dk->DkVirtualMemoryFree(p, 4096, DK_MEM_RELEASE);
}

static void arithmetic(void)
{
	conf_exc_arm(U(conf_div0_resume), MARK);
	int v = conf_div0();
	CHECK_EXC(DK_EXC_ARITHMETIC, conf_div0_insn);
	CHECK(v == (int)MARK, "resumed function returned 0x%x", v);
}

static void illegal(void)
{
	conf_exc_arm(U(conf_ud2_resume), MARK);
	int v = conf_ud2();
	CHECK_EXC(DK_EXC_ILLEGAL, conf_ud2_insn);
	CHECK(v == (int)MARK, "resumed function returned 0x%x", v);
}

static void breakpoint(void)
{
	conf_exc_arm(U(conf_int3_resume), MARK);
	int v = conf_int3();
	CHECK(g_exc.hits == 1, "dispatcher ran %d times", g_exc.hits);
	CHECK(g_exc.code == DK_EXC_BREAKPOINT, "code %u, want %u", g_exc.code, DK_EXC_BREAKPOINT);
	/* int3 traps after the instruction; a PAL may report either address */
	CHECK(g_exc.rip == U(conf_int3_insn) || g_exc.rip == U(conf_int3_resume),
	      "ctx->rip 0x%llx, want 0x%llx or 0x%llx", (unsigned long long)g_exc.rip,
	      (unsigned long long)U(conf_int3_insn), (unsigned long long)U(conf_int3_resume));
	CHECK(v == (int)MARK, "resumed function returned 0x%x", v);
}

/* a fault in a secondary thread is dispatched on that thread */
static struct {
	void *page;
	volatile int v;
} g_ft;

static void fault_thread(void *param)
{
	(void)param;
	g_ft.v = conf_fault_load(g_ft.page);
	dk->DkThreadExit(0);
}

static void fault_in_thread(void)
{
	DK_HANDLE t;
	g_ft.page = alloc_page(DK_PROT_NONE);
	g_ft.v = 0;
	CHECK(g_ft.page, "allocation failed");
	conf_exc_arm(U(conf_fault_load_resume), MARK);
	CHECK_OK(conf_thread(fault_thread, NULL, &t));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK_EXC(DK_EXC_MEMORY_FAULT, conf_fault_load_insn);
	CHECK(g_ft.v == (int)MARK, "thread's function returned 0x%x", g_ft.v);
	dk->DkVirtualMemoryFree(g_ft.page, 4096, DK_MEM_RELEASE);
}

/* ---- DkThreadRaiseException ---------------------------------------------- */
static void raise_self(void)
{
	conf_exc_arm(0, 0);
	CHECK_OK(dk->DkThreadRaiseException(DK_HANDLE_NONE, 1234));
	if (g_exc.hits == 0)
		dk->DkThreadYieldExecution();
	CHECK(g_exc.hits == 1, "dispatcher ran %d times", g_exc.hits);
	CHECK(g_exc.code == DK_EXC_RAISED, "code %u, want RAISED", g_exc.code);
	CHECK(g_exc.arg == 1234, "arg %llu, want 1234", (unsigned long long)g_exc.arg);

	/* the same through the first thread's own handle */
	conf_exc_arm(0, 0);
	CHECK_OK(dk->DkThreadRaiseException(g_start->first_thread, 0xfeedfacecafeull));
	if (g_exc.hits == 0)
		dk->DkThreadYieldExecution();
	CHECK(g_exc.hits == 1, "dispatcher ran %d times (own handle)", g_exc.hits);
	CHECK(g_exc.arg == 0xfeedfacecafeull, "arg %llx", (unsigned long long)g_exc.arg);

	/* no interruption is left pending for the next wait */
	DK_HANDLE e;
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	int rc = conf_wait1(e, 10 * MS);
	dk->DkObjectClose(e);
	CHECK(rc == E(TIMEOUT), "a wait after the raise gave %d (%s)", rc, conf_errname(rc));
}

static struct {
	DK_HANDLE ready, never;
	volatile int rc;
	volatile uint64_t elapsed, remaining;
	volatile int mode; /* 0: wait, 1: delay, 2: read */
	DK_HANDLE stream;
} g_rt;

static void raise_target(void *param)
{
	(void)param;
	dk->DkSemaphoreRelease(g_rt.ready, 1, NULL);
	uint64_t a = conf_now();
	if (g_rt.mode == 0) {
		g_rt.rc = conf_wait1(g_rt.never, 5000 * MS);
	} else if (g_rt.mode == 2) {
		char c;
		size_t n = 1;
		g_rt.rc = dk->DkStreamRead(g_rt.stream, 0, &c, &n);
	} else {
		uint64_t rem = 0;
		g_rt.rc = dk->DkThreadDelayExecution(5000 * MS, &rem);
		g_rt.remaining = rem;
	}
	g_rt.elapsed = conf_now() - a;
	dk->DkThreadExit(0);
}

static void raise_interrupts(int mode)
{
	DK_HANDLE t;
	g_rt.rc = 99;
	g_rt.mode = mode;
	g_rt.remaining = 0;
	CHECK_OK(dk->DkSemaphoreCreate(0, 1, &g_rt.ready));
	CHECK_OK(dk->DkNotificationEventCreate(0, &g_rt.never));
	CHECK_OK(conf_thread(raise_target, NULL, &t));
	CHECK_OK(conf_wait1(g_rt.ready, 5000 * MS));
	dk->DkThreadDelayExecution(100 * MS, NULL); /* let it block */
	conf_exc_arm(0, 0);
	CHECK_OK(dk->DkThreadRaiseException(t, 99));
	CHECK_OK(conf_wait1(t, 6000 * MS));
	dk->DkObjectClose(t);
	CHECK(g_exc.hits == 1, "dispatcher ran %d times", g_exc.hits);
	CHECK(g_exc.code == DK_EXC_RAISED && g_exc.arg == 99, "code %u arg %llu", g_exc.code,
	      (unsigned long long)g_exc.arg);
	CHECK(g_rt.rc == E(INTERRUPTED), "the blocked %s gave %d (%s), want INTERRUPTED",
	      mode == 0 ? "wait" : mode == 1 ? "delay" : "read", g_rt.rc, conf_errname(g_rt.rc));
	CHECK(g_rt.elapsed < 4000000000ull, "returned only after %llu ns",
	      (unsigned long long)g_rt.elapsed);
	if (mode == 1)
		CHECK(g_rt.remaining > 0 && g_rt.remaining <= 5000 * MS,
		      "remaining %llu us after an interrupted 5 s delay",
		      (unsigned long long)g_rt.remaining);
	dk->DkObjectClose(g_rt.ready);
	dk->DkObjectClose(g_rt.never);
}

static void raise_wait(void)
{
	raise_interrupts(0);
}

static void raise_delay(void)
{
	raise_interrupts(1);
}

static void raise_read(void)
{
	DK_HANDLE srv, a, c;
	CHECK_OK(conf_pipe_pair(&srv, &a, &c));
	g_rt.stream = a;
	raise_interrupts(2);
	dk->DkObjectClose(a);
	dk->DkObjectClose(c);
	dk->DkObjectClose(srv);
}

static void raise_errors(void)
{
	DK_HANDLE e;
	CHECK_RC(dk->DkThreadRaiseException(FORGED_HANDLE, 1), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkThreadRaiseException(e, 1), E(BAD_HANDLE));
	dk->DkObjectClose(e);
	CHECK_RC(dk->DkThreadRaiseException(e, 1), E(BAD_HANDLE));
}

const struct conf_case conf_cases_exception[] = {
	{"LibOsExceptionDispatch.memory_fault_read", fault_read},
	{"LibOsExceptionDispatch.memory_fault_write", fault_write},
	{"LibOsExceptionDispatch.memory_fault_repeat", fault_repeat},
	{"LibOsExceptionDispatch.arithmetic", arithmetic},
	{"LibOsExceptionDispatch.illegal", illegal},
	{"LibOsExceptionDispatch.breakpoint", breakpoint},
	{"LibOsExceptionDispatch.in_thread", fault_in_thread},
	{"DkThreadRaiseException.self", raise_self},
	{"DkThreadRaiseException.interrupts_wait", raise_wait},
	{"DkThreadDelayExecution.interrupted", raise_delay},
	{"DkThreadRaiseException.interrupts_read", raise_read},
	{"DkThreadRaiseException.errors", raise_errors},
	{NULL, NULL},
};
