/*
 * Conformance: the additions for the Linux personality.
 *   DkSegmentRegisterSet: the thread's %fs base becomes the given address.
 *   DkSystemCallTrapSet: a system call instruction outside the PAL (here
 *   generated at run time, so the image itself holds none) reaches the
 *   dispatcher as DK_EXC_SYSCALL, and the thread resumes with the rax the
 *   dispatcher chose.
 *   DkStreamConsoleControl: the suite's stdin is a pipe, so not a terminal
 *   (-DK_E_UNSUPPORTED); under a terminal (script -qc) the modes read back
 *   and set unchanged.  Bad ops, sizes, pointers and handles are refused.
 */
#include "conf.h"

#define U(p) ((uint64_t)(uintptr_t)(p))

static uint64_t read_fs0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

static void segment_set(void)
{
	static uint64_t block[2];
	uint64_t old;
	__asm__ volatile("rdfsbase %0" : "=r"(old));
	block[0] = 0x5e65e65e65ull;
	CHECK_OK(dk->DkSegmentRegisterSet(DK_SEGMENT_FS, U(block)));
	uint64_t seen = read_fs0();
	CHECK_OK(dk->DkSegmentRegisterSet(DK_SEGMENT_FS, old));
	CHECK(seen == block[0], "%%fs:0 read 0x%llx", (unsigned long long)seen);
	CHECK_RC(dk->DkSegmentRegisterSet(7, U(block)), -DK_E_INVALID);
	CHECK_RC(dk->DkSegmentRegisterSet(DK_SEGMENT_FS, 1ull << 60), -DK_E_INVALID);
}

static void syscall_trap(void)
{
	/* "mov $39, %eax; syscall; ret" (getpid): run-time code. */
	static const uint8_t code[] = { 0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	void *page = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&page, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT,
					  DK_PROT_READ | DK_PROT_WRITE));
	memcpy(page, code, sizeof(code));
	CHECK_OK(dk->DkVirtualMemoryProtect(page, 4096, DK_PROT_READ | DK_PROT_EXEC));
	CHECK_OK(dk->DkInstructionCacheFlush(page, sizeof(code)));
	long (*fn)(void) = (long (*)(void))page;
	CHECK_OK(dk->DkSystemCallTrapSet(DK_SYSCALL_TRAP_ON));
	/* Resume right after the syscall instruction with rax = 4242. */
	conf_exc_arm(U(page) + 7, 4242);
	long got = fn();
	int rc = dk->DkSystemCallTrapSet(DK_SYSCALL_TRAP_OFF);
	dk->DkVirtualMemoryFree(page, 4096, DK_MEM_RELEASE);
	CHECK_OK(rc);
	CHECK(g_exc.hits == 1, "dispatcher ran %d times, want 1", g_exc.hits);
	CHECK(g_exc.code == DK_EXC_SYSCALL, "code %u, want DK_EXC_SYSCALL", g_exc.code);
	CHECK(g_exc.rax == 39, "ctx->rax %llu, want the number 39",
	      (unsigned long long)g_exc.rax);
	CHECK(g_exc.rip == U(page) + 7, "ctx->rip not past the instruction");
	CHECK(got == 4242, "the call returned %ld, want the dispatcher's 4242", got);
	CHECK_RC(dk->DkSystemCallTrapSet(9), -DK_E_INVALID);
}

static void console_control(void)
{
	DK_HANDLE in, f;
	struct dk_termios t;
	struct dk_winsize w;
	CHECK_OK(dk->DkStreamOpen("stdin:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &in));
	memset(&t, 0, sizeof(t));
	int rc = dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_MODES, &t, sizeof(t));
	if (rc == 0) {
		/* A terminal: set what was read; the size reads. */
		CHECK_OK(dk->DkStreamConsoleControl(in, DK_CONSOLE_SET_MODES, &t, sizeof(t)));
		CHECK_OK(dk->DkStreamConsoleControl(in, DK_CONSOLE_SET_MODES_DRAIN, &t,
						    sizeof(t)));
		CHECK_OK(dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_WINSIZE, &w, sizeof(w)));
	} else {
		CHECK(rc == E(UNSUPPORTED), "stdin: (a pipe) gave %d, want UNSUPPORTED", rc);
		CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_WINSIZE, &w, sizeof(w)),
			 E(UNSUPPORTED));
		CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_SET_MODES, &t, sizeof(t)),
			 E(UNSUPPORTED));
	}
	/* ops and sizes */
	CHECK_RC(dk->DkStreamConsoleControl(in, 0, &t, sizeof(t)), E(INVALID));
	CHECK_RC(dk->DkStreamConsoleControl(in, 99, &t, sizeof(t)), E(INVALID));
	CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_MODES, &t, sizeof(t) - 1),
		 E(INVALID));
	CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_WINSIZE, &w, sizeof(t)),
		 E(INVALID));
	/* pointers, probed before the handle */
	CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_MODES, NULL, sizeof(t)),
		 E(BAD_POINTER));
	CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_SET_MODES, (void *)8, sizeof(t)),
		 E(BAD_POINTER));
	CHECK_RC(dk->DkStreamConsoleControl(in, DK_CONSOLE_GET_WINSIZE, (void *)8, sizeof(w)),
		 E(BAD_POINTER));
	/* handles: not a handle, a closed one, a stream that is no console */
	CHECK_RC(dk->DkStreamConsoleControl(DK_HANDLE_NONE, DK_CONSOLE_GET_MODES, &t,
					    sizeof(t)), E(BAD_HANDLE));
	CHECK_OK(dk->DkStreamOpen("null:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &f));
	CHECK_RC(dk->DkStreamConsoleControl(f, DK_CONSOLE_GET_MODES, &t, sizeof(t)),
		 E(UNSUPPORTED));
	CHECK_OK(dk->DkObjectClose(f));
	CHECK_RC(dk->DkStreamConsoleControl(f, DK_CONSOLE_GET_MODES, &t, sizeof(t)),
		 E(BAD_HANDLE));
	CHECK_OK(dk->DkObjectClose(in));
}

const struct conf_case conf_cases_intercept[] = {
	{"DkSegmentRegisterSet.fs_base", segment_set},
	{"DkSystemCallTrapSet.trap_and_resume", syscall_trap},
	{"DkStreamConsoleControl.console", console_control},
	{NULL, NULL},
};
