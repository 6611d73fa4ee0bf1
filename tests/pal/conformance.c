/*
 * PAL conformance suite: entry point, reporting, shared helpers.
 *
 * Run as  moat run --libos build/tests/pal_conformance.so -- [MODE ARGS]
 *   (no mode)          run every case
 *   only PREFIX        run the cases whose name starts with PREFIX
 *   child-exit N       return N                      (used by DkProcess* cases)
 *   child-echo         echo one message from the parent stream, return 0
 *   child-info         write start parameters to the parent stream
 *   child-dkexit N     a second thread calls DkProcessExit(N)
 *   abort-wait         register an abort event, print READY, wait up to 10 s
 */
#include "conf.h"

const struct dk_abi *dk;
const struct dk_start_params *g_start;
struct dk_upcalls *g_up;
char g_scratch[256];
char g_tag[24];
volatile int g_thread_starts;

static struct dk_abi g_dk;          /* our copy, NULL entries replaced */
static DK_HANDLE g_out;             /* stdout: */
static char g_missing[512];         /* names of NULL table entries */

static const char *const g_downcall_names[DK_DOWNCALL_COUNT] = {
	"DkVirtualMemoryAlloc", "DkVirtualMemoryFree", "DkVirtualMemoryProtect",
	"DkThreadCreate", "DkThreadDelayExecution", "DkThreadYieldExecution",
	"DkThreadExit", "DkThreadGetParameter", "DkThreadRaiseException",
	"DkNotificationEventCreate", "DkSynchronizationEventCreate",
	"DkSemaphoreCreate", "DkSemaphoreRelease", "DkSemaphorePeek",
	"DkEventSet", "DkEventClear", "DkEventPeek", "DkObjectsWaitAny",
	"DkAbortEventRegister",
	"DkProcessCreate", "DkProcessGetExitCode", "DkProcessExit",
	"DkStreamOpen", "DkStreamRead", "DkStreamWrite", "DkStreamMap",
	"DkStreamMapPeBinary", "DkStreamUnmap", "DkStreamSetLength",
	"DkStreamFlush", "DkStreamDelete", "DkStreamGetEvent", "DkStreamRename",
	"DkStreamEnumerateChildren", "DkStreamAttributesQuery",
	"DkStreamAttributesQueryByHandle",
	"DkSystemTimeQuery", "DkRandomBitsRead", "DkInstructionCacheFlush",
	"DkObjectReference", "DkObjectClose", "DkInputEventRead",
	"DkFrameBufferExport", "DkFrameBufferNotifyUpdate", "DkDebugStringPrint",
};

/* ---- output -------------------------------------------------------------- */
static void out_raw(const char *s, size_t n)
{
	if (g_out != DK_HANDLE_NONE) {
		size_t done = 0;
		int tries = 0;
		while (done < n && tries++ < 100) {
			size_t c = n - done;
			if (dk->DkStreamWrite(g_out, 0, s + done, &c) < 0)
				break;
			done += c;
		}
		if (done == n)
			return;
	}
	/* fall back to the debug channel (stderr) */
	char tmp[1024];
	size_t k = n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1;
	memcpy(tmp, s, k);
	tmp[k] = 0;
	dk->DkDebugStringPrint(tmp);
}

void conf_out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	out_raw(buf, (size_t)n);
}

const char *conf_errname(int rc)
{
	static const char *const names[DK_E_COUNT_] = {
		"OK", "INVALID", "BAD_HANDLE", "BAD_POINTER", "NO_MEMORY",
		"NOT_FOUND", "EXISTS", "DENIED", "TIMEOUT", "INTERRUPTED",
		"WOULD_BLOCK", "LIMIT", "NOT_IMPLEMENTED", "UNSUPPORTED",
		"NOT_DIRECTORY", "IS_DIRECTORY", "NOT_EMPTY", "NO_SPACE",
		"CLOSED", "REFUSED", "RESET", "ADDRESS_IN_USE", "STILL_RUNNING",
		"NAME_TOO_LONG", "CROSS_DEVICE", "READ_ONLY", "LOOP", "IO", "BUSY",
	};
	if (rc > 0)
		return "positive?";
	if (-rc < DK_E_COUNT_)
		return names[-rc];
	return "unknown";
}

/* ---- the case runner ----------------------------------------------------- */
static const char *volatile g_cur_name;
static volatile uint64_t g_cur_start;
static volatile int g_cur_failed;
static char g_cur_reason[600];
static volatile int g_passed, g_failed;
static volatile int g_done;

void conf_fail(const char *file, int line, const char *fmt, ...)
{
	if (g_cur_failed)
		return; /* keep the first reason */
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	int n = rt_snprintf(g_cur_reason, sizeof(g_cur_reason), "%s:%d: ", base, line);
	if (n < 0 || (size_t)n >= sizeof(g_cur_reason))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	rt_vsnprintf(g_cur_reason + n, sizeof(g_cur_reason) - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = g_cur_reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	g_cur_failed = 1;
}

static void run_case(const struct conf_case *c)
{
	g_cur_failed = 0;
	g_cur_reason[0] = 0;
	int unexpected = g_exc.unexpected;
	g_cur_name = c->name;
	g_cur_start = conf_now();
	if (g_cur_start == 0)
		g_cur_start = 1;
	c->fn();
	if (!g_cur_failed && g_exc.unexpected != unexpected)
		conf_fail(__FILE__, __LINE__, "an exception reached the dispatcher unexpectedly "
			  "(code %u rip 0x%lx addr 0x%lx)", g_exc.code,
			  (unsigned long)g_exc.rip, (unsigned long)g_exc.addr);
	g_exc.armed = 0;
	g_cur_start = 0;
	if (g_cur_failed) {
		g_failed++;
		conf_out("FAIL: %s: %s\n", c->name, g_cur_reason);
	} else {
		g_passed++;
		conf_out("PASS: %s\n", c->name);
	}
	g_cur_name = NULL;
}

/* The watchdog: a case that runs longer than this is reported as failed and
 * the run ends, so one hang cannot eat the runner's whole time budget. */
#define CASE_LIMIT_NS (12ull * 1000 * 1000 * 1000)

static void watchdog(void *param)
{
	(void)param;
	while (!g_done) {
		dk->DkThreadDelayExecution(100 * MS, NULL);
		uint64_t start = g_cur_start;
		const char *name = g_cur_name;
		if (start && name && conf_now() - start > CASE_LIMIT_NS) {
			conf_out("FAIL: %s: watchdog: still running after %llu s; run aborted\n",
				 name, CASE_LIMIT_NS / 1000000000ull);
			conf_out("conformance: %d passed, %d failed\n", g_passed, g_failed + 1);
			dk->DkProcessExit(1);
		}
	}
	dk->DkThreadExit(0);
}

/* ---- helpers ------------------------------------------------------------- */
uint64_t conf_now(void)
{
	uint64_t t = 0;
	if (dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &t) < 0)
		return 0;
	return t;
}

int conf_wait1(DK_HANDLE h, uint64_t timeout_us)
{
	size_t idx = 99;
	int rc = dk->DkObjectsWaitAny(1, &h, timeout_us, &idx);
	if (rc == 0 && idx != 0)
		return -DK_E_COUNT_ - 1; /* reported as "unknown" */
	return rc;
}

int conf_thread(dk_thread_fn fn, void *param, DK_HANDLE *h)
{
	return dk->DkThreadCreate(fn, param, 0, h);
}

void conf_path(char *buf, size_t size, const char *name)
{
	rt_snprintf(buf, size, "%s/%s", g_scratch, name);
}

int conf_write_all(DK_HANDLE h, uint64_t off, const void *buf, size_t n)
{
	size_t done = 0;
	int spins = 0;
	while (done < n) {
		size_t c = n - done;
		int rc = dk->DkStreamWrite(h, off + done, (const char *)buf + done, &c);
		if (rc < 0)
			return rc;
		if (c == 0 && ++spins > 1000)
			return -DK_E_IO;
		done += c;
	}
	return 0;
}

int conf_read_full(DK_HANDLE h, uint64_t off, void *buf, size_t n, size_t *got)
{
	size_t done = 0;
	while (done < n) {
		size_t c = n - done;
		int rc = dk->DkStreamRead(h, off + done, (char *)buf + done, &c);
		if (rc < 0) {
			*got = done;
			return rc;
		}
		if (c == 0)
			break; /* end of stream */
		done += c;
	}
	*got = done;
	return 0;
}

static struct {
	char uri[128];
	DK_HANDLE h;
	int rc;
} g_pair;

static void pair_connector(void *param)
{
	(void)param;
	g_pair.rc = dk->DkStreamOpen(g_pair.uri, DK_ACCESS_READ | DK_ACCESS_WRITE,
				     DK_CREATE_NEVER, 0, 0, (DK_HANDLE *)&g_pair.h);
	dk->DkThreadExit(0);
}

int conf_pipe_pair(DK_HANDLE *server, DK_HANDLE *accepted, DK_HANDLE *client)
{
	static int seq;
	char name[96], uri[128];
	rt_snprintf(name, sizeof(name), "conf-pair-%s-%d", g_tag, ++seq);
	rt_snprintf(uri, sizeof(uri), "pipe.server:%s", name);
	DK_HANDLE s, a = 0, t;
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0, &s);
	if (rc < 0)
		return rc;
	rt_snprintf(g_pair.uri, sizeof(g_pair.uri), "pipe.client:%s", name);
	g_pair.h = 0;
	g_pair.rc = 1;
	rc = conf_thread(pair_connector, NULL, &t);
	if (rc < 0) {
		dk->DkObjectClose(s);
		return rc;
	}
	size_t n = sizeof(a);
	rc = dk->DkStreamRead(s, 0, &a, &n);
	int wrc = conf_wait1(t, 5000 * MS);
	dk->DkObjectClose(t);
	if (rc < 0 || n != sizeof(a) || wrc < 0 || g_pair.rc != 0) {
		dk->DkObjectClose(s);
		return rc < 0 ? rc : wrc < 0 ? wrc : g_pair.rc < 0 ? g_pair.rc : -DK_E_INVALID;
	}
	*server = s;
	*accepted = a;
	*client = g_pair.h;
	return 0;
}

int conf_enumerate(DK_HANDLE dir, void (*fn)(const char *name, void *arg), void *arg)
{
	static char buf[8192];
	for (int round = 0; round < 64; round++) {
		size_t size = sizeof(buf) - 1;
		int rc = dk->DkStreamEnumerateChildren(dir, buf, &size);
		if (rc < 0)
			return rc;
		if (size == 0)
			return 0;
		if (size > sizeof(buf) - 1)
			return -DK_E_LIMIT;
		buf[size] = 0;
		size_t i = 0;
		while (i < size) {
			size_t j = i;
			while (j < size && buf[j] != 0 && buf[j] != '\n')
				j++;
			if (j > i) {
				char name[512];
				size_t len = j - i < sizeof(name) - 1 ? j - i : sizeof(name) - 1;
				memcpy(name, buf + i, len);
				name[len] = 0;
				if (len > 1 && name[len - 1] == '/')
					name[len - 1] = 0;
				if (strcmp(name, ".") && strcmp(name, ".."))
					fn(name, arg);
			}
			i = j + 1;
		}
	}
	return -DK_E_LIMIT; /* never reached the end */
}

/* The probe file: opened once so that probing allocates nothing (a freed
 * range could otherwise be reused by the PAL's own allocation in between). */
static DK_HANDLE g_probe;

static int probe_open(void)
{
	if (g_probe)
		return 0;
	char uri[300];
	conf_path(uri, sizeof(uri), "probe");
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0600,
				  &g_probe);
	if (rc < 0)
		return rc;
	size_t n = 8;
	return dk->DkStreamWrite(g_probe, 0, "PROBE!!!", &n);
}

int conf_probe_write(void *p)
{
	int rc = probe_open();
	if (rc < 0)
		return rc;
	size_t n = 8;
	return dk->DkStreamRead(g_probe, 0, p, &n);
}

int conf_probe_read(const void *p)
{
	int rc = probe_open();
	if (rc < 0)
		return rc;
	size_t n = 8;
	return dk->DkStreamWrite(g_probe, 4096, p, &n);
}

struct rm_ctx {
	const char *base;
	int depth;
};

static void rm_child(const char *name, void *arg)
{
	struct rm_ctx *c = arg;
	char uri[512];
	rt_snprintf(uri, sizeof(uri), "%s/%s", c->base, name);
	conf_rmtree(uri, c->depth - 1);
}

int conf_rmtree(const char *uri, int depth)
{
	DK_HANDLE d;
	if (depth > 0 &&
	    dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &d) == 0) {
		struct rm_ctx c = {uri, depth};
		conf_enumerate(d, rm_child, &c);
		dk->DkObjectClose(d);
	}
	return dk->DkStreamDelete(uri);
}

/* ---- framework-level cases ---------------------------------------------- */
static void case_abi_table(void)
{
	CHECK(dk->abi_version == DK_ABI_VERSION, "abi_version %u, want %u", dk->abi_version,
	      DK_ABI_VERSION);
	CHECK(dk->size == sizeof(struct dk_abi), "dk_abi size %u, want %zu", dk->size,
	      sizeof(struct dk_abi));
	CHECK(g_missing[0] == 0, "NULL entries in the table:%s", g_missing);
}

static void case_start_params(void)
{
	const struct dk_start_params *s = g_start;
	CHECK(s->abi_version == DK_ABI_VERSION, "abi_version %u", s->abi_version);
	CHECK(s->size >= sizeof(struct dk_start_params), "size %u < %zu", s->size,
	      sizeof(struct dk_start_params));
	CHECK(s->argc >= 1 && s->argv && s->argv[0], "argc %d", s->argc);
	CHECK(rt_startswith(s->argv[0], "file:"), "argv[0] \"%s\" is not a file: URI", s->argv[0]);
	CHECK(s->argv[s->argc] == NULL, "argv[argc] is not NULL");
	CHECK(s->envp != NULL, "envp is NULL");
	CHECK(s->settings != NULL, "settings is NULL");
	CHECK(s->parent_process == DK_HANDLE_NONE, "top-level process has parent_process %llu",
	      (unsigned long long)s->parent_process);
	CHECK(s->first_thread != DK_HANDLE_NONE, "first_thread is NONE");
	CHECK(s->page_size == 4096, "page_size %llu", (unsigned long long)s->page_size);
	CHECK(s->alloc_granularity >= s->page_size &&
	      (s->alloc_granularity & (s->alloc_granularity - 1)) == 0,
	      "alloc_granularity %llu", (unsigned long long)s->alloc_granularity);
	CHECK(s->cpu_count >= 1, "cpu_count 0");
	CHECK(s->process_id >= 1, "process_id 0");
	uint64_t here = (uint64_t)(uintptr_t)&case_start_params;
	CHECK(s->image_base && here >= s->image_base && here < s->image_base + s->image_size,
	      "this code (0x%llx) is outside image_base/size 0x%llx+0x%llx",
	      (unsigned long long)here, (unsigned long long)s->image_base,
	      (unsigned long long)s->image_size);
}

static void case_memory_total(void)
{
	CHECK(g_start->memory_total >= (16ull << 20), "memory_total is %llu bytes",
	      (unsigned long long)g_start->memory_total);
}

static void case_process_id(void)
{
	/* dk.h: "unique within the sandbox, 1 for the first" */
	CHECK(g_start->process_id == 1, "the first process has process_id %llu, want 1",
	      (unsigned long long)g_start->process_id);
}

static void case_thread_start_upcall(void)
{
	/* every thread the suite made so far went through LibOsThreadStart */
	CHECK(g_thread_starts > 0, "LibOsThreadStart was never called (%d)", g_thread_starts);
}

static void case_scratch_cleanup(void)
{
	struct dk_stream_attr a;
	int rc = conf_rmtree(g_scratch, 4);
	CHECK(rc == 0, "DkStreamDelete(%s) after emptying it gave %d (%s)", g_scratch, rc,
	      conf_errname(rc));
	CHECK_RC(dk->DkStreamAttributesQuery(g_scratch, &a), E(NOT_FOUND));
}

static const struct conf_case conf_cases_frame[] = {
	{"abi.table", case_abi_table},
	{"start.params", case_start_params},
	{"start.memory_total", case_memory_total},
	{"start.process_id", case_process_id},
	{NULL, NULL},
};
static const struct conf_case conf_cases_final[] = {
	{"LibOsThreadStart.called", case_thread_start_upcall},
	{"DkStreamDelete.scratch_tree", case_scratch_cleanup},
	{NULL, NULL},
};

/* ---- entry --------------------------------------------------------------- */
static void thread_start(dk_thread_fn fn, void *param)
{
	__atomic_add_fetch(&g_thread_starts, 1, __ATOMIC_SEQ_CST);
	fn(param);
	dk->DkThreadExit(0);
}

static int stub_not_implemented(void)
{
	return -DK_E_NOT_IMPLEMENTED;
}

static void setup_table(const struct dk_abi *abi)
{
	typedef void (*anyfn)(void);
	size_t n = abi->size;
	if (n > sizeof(g_dk) || n < offsetof(struct dk_abi, DkVirtualMemoryAlloc))
		n = sizeof(g_dk);
	memcpy(&g_dk, abi, n);
	char *slots = (char *)&g_dk + offsetof(struct dk_abi, DkVirtualMemoryAlloc);
	for (int i = 0; i < DK_DOWNCALL_COUNT; i++) {
		anyfn f;
		memcpy(&f, slots + i * sizeof(anyfn), sizeof(f));
		if (f == NULL || (char *)(slots + i * sizeof(anyfn)) >= (char *)&g_dk + n) {
			f = (anyfn)stub_not_implemented;
			memcpy(slots + i * sizeof(anyfn), &f, sizeof(f));
			size_t l = strlen(g_missing);
			rt_snprintf(g_missing + l, sizeof(g_missing) - l, " %s", g_downcall_names[i]);
		}
	}
	dk = &g_dk;
}

static void make_scratch(void)
{
	uint8_t r[8];
	if (dk->DkRandomBitsRead(r, sizeof(r)) < 0) {
		uint64_t t = conf_now();
		memcpy(r, &t, sizeof(r));
	}
	for (int i = 0; i < 8; i++)
		rt_snprintf(g_tag + 2 * i, 3, "%02x", r[i]);
	rt_snprintf(g_scratch, sizeof(g_scratch), "file:/tmp/moat-conf-%s", g_tag);
	DK_HANDLE d;
	int rc = dk->DkStreamOpen(g_scratch, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_DIRECTORY, 0755, &d);
	if (rc == 0)
		dk->DkObjectClose(d);
	else
		conf_out("# could not create scratch directory %s: %d (%s)\n", g_scratch, rc,
			 conf_errname(rc));
}

static void run_table(const struct conf_case *t, const char *prefix)
{
	for (; t->name; t++)
		if (!prefix || rt_startswith(t->name, prefix))
			run_case(t);
}

__attribute__((visibility("default"))) int LibOsInitialize(const struct dk_abi *abi,
							   const struct dk_start_params *start,
							   struct dk_upcalls *up)
{
	setup_table(abi);
	g_start = start;
	g_up = up;
	up->LibOsThreadStart = thread_start;
	up->LibOsExceptionDispatch = conf_exception_dispatch;
	if (dk->DkStreamOpen("stdout:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &g_out) < 0)
		g_out = DK_HANDLE_NONE;

	const char *prefix = NULL;
	if (start->argc >= 2) {
		const char *mode = start->argv[1];
		if (rt_startswith(mode, "child-"))
			return conf_child_main(start->argc, start->argv);
		if (!strcmp(mode, "abort-wait"))
			return conf_abort_wait_main();
		if (!strcmp(mode, "only") && start->argc >= 3) {
			prefix = start->argv[2];
		} else {
			conf_out("conformance: unknown mode \"%s\"\n", mode);
			return 2;
		}
	}

	make_scratch();
	probe_open();
	DK_HANDLE wd = DK_HANDLE_NONE;
	if (conf_thread(watchdog, NULL, &wd) < 0)
		wd = DK_HANDLE_NONE;

	run_table(conf_cases_frame, prefix);
	run_table(conf_cases_misc, prefix);
	run_table(conf_cases_memory, prefix);
	run_table(conf_cases_sync, prefix);
	run_table(conf_cases_thread, prefix);
	run_table(conf_cases_exception, prefix);
	run_table(conf_cases_intercept, prefix);
	run_table(conf_cases_stream, prefix);
	run_table(conf_cases_links, prefix);
	run_table(conf_cases_net, prefix);
	run_table(conf_cases_process, prefix);
	run_table(conf_cases_fork, prefix);
	if (g_probe)
		dk->DkObjectClose(g_probe);
	if (prefix)
		conf_rmtree(g_scratch, 4);
	run_table(conf_cases_final, prefix);

	g_done = 1;
	if (wd != DK_HANDLE_NONE) {
		conf_wait1(wd, 2000 * MS);
		dk->DkObjectClose(wd);
	}
	conf_out("conformance: %d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
