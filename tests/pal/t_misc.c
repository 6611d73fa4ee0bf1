/*
 * Conformance: time, random bits, instruction cache, object references,
 * debug output, and the three calls version 1 does not implement.
 */
#include "conf.h"

/* ---- DkSystemTimeQuery --------------------------------------------------- */
static void time_monotonic(void)
{
	uint64_t prev = 0, t = 0;
	for (int i = 0; i < 2000; i++) {
		CHECK_OK(dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &t));
		CHECK(t >= prev, "monotonic clock went back: %llu after %llu",
		      (unsigned long long)t, (unsigned long long)prev);
		prev = t;
	}
	CHECK(t != 0, "monotonic clock reads 0");
	uint64_t a = conf_now();
	CHECK_OK(dk->DkThreadDelayExecution(5 * MS, NULL));
	uint64_t b = conf_now();
	CHECK(b - a >= 5000000ull, "5 ms delay advanced the clock only %llu ns",
	      (unsigned long long)(b - a));
}

static void time_realtime(void)
{
	uint64_t t = 0;
	CHECK_OK(dk->DkSystemTimeQuery(DK_CLOCK_REALTIME, &t));
	/* 2024-01-01T00:00:00Z .. 2100-01-01 */
	CHECK(t > 1704067200ull * 1000000000ull, "realtime %llu ns is before 2024",
	      (unsigned long long)t);
	CHECK(t < 4102444800ull * 1000000000ull, "realtime %llu ns is after 2100",
	      (unsigned long long)t);
}

static void time_errors(void)
{
	uint64_t t = 7;
	CHECK_RC(dk->DkSystemTimeQuery(77, &t), E(INVALID));
	CHECK(t == 7, "output written on failure");
	CHECK_RC(dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, (uint64_t *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkSystemTimeQuery(DK_CLOCK_REALTIME, NULL), E(BAD_POINTER));
}

/* ---- DkRandomBitsRead ---------------------------------------------------- */
static void random_differs(void)
{
	uint8_t a[64], b[64];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_OK(dk->DkRandomBitsRead(a, sizeof(a)));
	CHECK_OK(dk->DkRandomBitsRead(b, sizeof(b)));
	CHECK(memcmp(a, b, sizeof(a)) != 0, "two 64-byte reads are equal");
	int zero = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		zero += a[i] == 0;
	CHECK(zero < 16, "%d of 64 random bytes are zero", zero);
	static uint8_t big[100000];
	CHECK_OK(dk->DkRandomBitsRead(big, sizeof(big)));
	int nz = 0;
	for (size_t i = sizeof(big) - 64; i < sizeof(big); i++)
		nz += big[i] != 0;
	CHECK(nz > 32, "tail of a 100000-byte read is mostly zero (%d non-zero of 64)", nz);
}

static void random_errors(void)
{
	CHECK_RC(dk->DkRandomBitsRead((void *)8, 16), E(BAD_POINTER));
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT, DK_PROT_READ));
	int rc = dk->DkRandomBitsRead(p, 16);
	dk->DkVirtualMemoryFree(p, 4096, DK_MEM_RELEASE);
	CHECK(rc == E(BAD_POINTER), "into a read-only page gave %d (%s), want BAD_POINTER", rc,
	      conf_errname(rc));
}

/* ---- DkInstructionCacheFlush --------------------------------------------- */
static void icache_generated_code(void)
{
	static const uint8_t code42[] = {0xb8, 42, 0, 0, 0, 0xc3}; /* mov $42,%eax; ret */
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT,
					  DK_PROT_READ | DK_PROT_WRITE));
	memcpy(p, code42, sizeof(code42));
	CHECK_OK(dk->DkVirtualMemoryProtect(p, 4096, DK_PROT_READ | DK_PROT_EXEC));
	CHECK_OK(dk->DkInstructionCacheFlush(p, sizeof(code42)));
	int (*fn)(void) = (int (*)(void))p;
	int v = fn();
	CHECK(v == 42, "generated code returned %d, want 42", v);
	/* rewrite it in place (W^X dance) */
	CHECK_OK(dk->DkVirtualMemoryProtect(p, 4096, DK_PROT_READ | DK_PROT_WRITE));
	((volatile uint8_t *)p)[1] = 43;
	CHECK_OK(dk->DkVirtualMemoryProtect(p, 4096, DK_PROT_READ | DK_PROT_EXEC));
	CHECK_OK(dk->DkInstructionCacheFlush(p, 4096));
	v = fn();
	CHECK(v == 43, "rewritten code returned %d, want 43", v);
	CHECK_OK(dk->DkVirtualMemoryFree(p, 4096, DK_MEM_RELEASE));
}

/* ---- DkObjectReference / DkObjectClose ----------------------------------- */
static void reference_then_close(void)
{
	DK_HANDLE e;
	int set = -1;
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_OK(dk->DkObjectReference(e));
	CHECK_OK(dk->DkObjectClose(e));
	/* one reference left: still usable */
	CHECK_OK(dk->DkEventSet(e));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 1, "event not set after DkEventSet (peek %d)", set);
	CHECK_OK(dk->DkObjectClose(e));
	CHECK_RC(dk->DkEventSet(e), E(BAD_HANDLE));
	CHECK_RC(dk->DkObjectReference(e), E(BAD_HANDLE));
}

static void reference_errors(void)
{
	CHECK_RC(dk->DkObjectReference(FORGED_HANDLE), E(BAD_HANDLE));
	CHECK_RC(dk->DkObjectReference(DK_HANDLE_NONE), E(BAD_HANDLE));
}

static void close_errors(void)
{
	DK_HANDLE s;
	CHECK_RC(dk->DkObjectClose(FORGED_HANDLE), E(BAD_HANDLE));
	CHECK_RC(dk->DkObjectClose(DK_HANDLE_NONE), E(BAD_HANDLE));
	CHECK_OK(dk->DkSemaphoreCreate(0, 1, &s));
	CHECK_OK(dk->DkObjectClose(s));
	CHECK_RC(dk->DkObjectClose(s), E(BAD_HANDLE));
	/* a new object must not revive the stale handle */
	DK_HANDLE s2;
	CHECK_OK(dk->DkSemaphoreCreate(0, 1, &s2));
	int rc = dk->DkSemaphoreRelease(s, 1, NULL);
	dk->DkObjectClose(s2);
	CHECK(rc == E(BAD_HANDLE), "stale handle %llx works again after a new create (rc %d)",
	      (unsigned long long)s, rc);
}

static void close_many(void)
{
	/* handle slots are reused without confusion */
	for (int i = 0; i < 2000; i++) {
		DK_HANDLE e;
		CHECK_OK(dk->DkSynchronizationEventCreate(i & 1, &e));
		int set = -1;
		CHECK_OK(dk->DkEventPeek(e, &set));
		CHECK(set == (i & 1), "round %d: new event peeks %d", i, set);
		CHECK_OK(dk->DkObjectClose(e));
	}
}

/* ---- DkDebugStringPrint -------------------------------------------------- */
static void debug_print(void)
{
	CHECK_OK(dk->DkDebugStringPrint("# conformance: DkDebugStringPrint reaches stderr\n"));
	CHECK_OK(dk->DkDebugStringPrint(""));
	CHECK_RC(dk->DkDebugStringPrint((const char *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkDebugStringPrint(NULL), E(BAD_POINTER));
}

/* ---- not implemented in version 1 ---------------------------------------- */
static void input_event_read(void)
{
	char ev[64];
	size_t n = sizeof(ev);
	DK_HANDLE h;
	CHECK_OK(dk->DkStreamOpen("null:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	int rc = dk->DkInputEventRead(h, ev, &n);
	dk->DkObjectClose(h);
	CHECK(rc == E(NOT_IMPLEMENTED), "gave %d (%s)", rc, conf_errname(rc));
}

static void framebuffer_export(void)
{
	void *fb = NULL;
	uint32_t w = 0, hgt = 0, stride = 0;
	DK_HANDLE h;
	CHECK_OK(dk->DkStreamOpen("null:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	int rc = dk->DkFrameBufferExport(h, &fb, &w, &hgt, &stride);
	dk->DkObjectClose(h);
	CHECK(rc == E(NOT_IMPLEMENTED), "gave %d (%s)", rc, conf_errname(rc));
	CHECK(fb == NULL && w == 0, "outputs written on failure");
}

static void framebuffer_notify(void)
{
	DK_HANDLE h;
	CHECK_OK(dk->DkStreamOpen("null:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	int rc = dk->DkFrameBufferNotifyUpdate(h, 0, 0, 1, 1);
	dk->DkObjectClose(h);
	CHECK(rc == E(NOT_IMPLEMENTED), "gave %d (%s)", rc, conf_errname(rc));
}

const struct conf_case conf_cases_misc[] = {
	{"DkSystemTimeQuery.monotonic", time_monotonic},
	{"DkSystemTimeQuery.realtime", time_realtime},
	{"DkSystemTimeQuery.errors", time_errors},
	{"DkRandomBitsRead.differs", random_differs},
	{"DkRandomBitsRead.bad_pointer", random_errors},
	{"DkInstructionCacheFlush.generated_code", icache_generated_code},
	{"DkObjectReference.then_close", reference_then_close},
	{"DkObjectReference.bad_handle", reference_errors},
	{"DkObjectClose.errors", close_errors},
	{"DkObjectClose.reuse", close_many},
	{"DkDebugStringPrint.basic", debug_print},
	{"DkInputEventRead.not_implemented", input_event_read},
	{"DkFrameBufferExport.not_implemented", framebuffer_export},
	{"DkFrameBufferNotifyUpdate.not_implemented", framebuffer_notify},
	{NULL, NULL},
};
