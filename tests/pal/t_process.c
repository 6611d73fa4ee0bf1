/*
 * Conformance: DkProcessCreate, DkProcessGetExitCode, DkProcessExit, and the
 * process handle as a stream.  Children run this same image in a child mode
 * (conf_child_main below).
 */
#include "conf.h"

#define RDWR (DK_ACCESS_READ | DK_ACCESS_WRITE)

static int spawn(const char *image, const char *a1, const char *a2, DK_HANDLE *p)
{
	const char *args[3] = {a1, a2, NULL};
	return dk->DkProcessCreate(image, args, p);
}

static void exit_code(void)
{
	DK_HANDLE p;
	int code = -1;
	CHECK_OK(spawn(NULL, "child-exit", "42", &p));
	CHECK(p != DK_HANDLE_NONE, "handle NONE");
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code == 42, "exit code %d, want 42", code);
	/* stays signaled, code stays readable */
	CHECK_OK(conf_wait1(p, 0));
	code = -1;
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code == 42, "second read: exit code %d", code);
	CHECK_OK(dk->DkObjectClose(p));
	CHECK_RC(dk->DkProcessGetExitCode(p, &code), E(BAD_HANDLE));
}

static void explicit_image(void)
{
	DK_HANDLE p;
	int code = -1;
	CHECK_OK(spawn(g_start->argv[0], "child-exit", "3", &p));
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code == 3, "exit code %d, want 3", code);
	dk->DkObjectClose(p);
	CHECK_OK(spawn(NULL, "child-exit", "0", &p));
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code == 0, "exit code %d, want 0", code);
	dk->DkObjectClose(p);
}

static void still_running_and_stream(void)
{
	DK_HANDLE p;
	int code = -1;
	char buf[64];
	size_t n;
	CHECK_OK(spawn(NULL, "child-echo", NULL, &p));
	/* the child blocks reading its parent stream */
	CHECK_RC(dk->DkProcessGetExitCode(p, &code), E(STILL_RUNNING));
	CHECK(code == -1, "exit code written while running");
	CHECK_RC(conf_wait1(p, 50 * MS), E(TIMEOUT));
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(p, &a));
	CHECK(a.type == DK_STREAM_PROCESS, "process handle type %u, want PROCESS", a.type);
	static const char msg[] = "round-trip-through-a-child";
	CHECK_OK(conf_write_all(p, 0, msg, sizeof(msg) - 1));
	CHECK_OK(conf_read_full(p, 0, buf, sizeof(msg) - 1, &n));
	CHECK(n == sizeof(msg) - 1 && memcmp(buf, msg, n) == 0, "echo: %zu bytes", n);
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code == 0, "echo child exit code %d", code);
	/* the child is gone: its stream reads end of stream */
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(p, 0, buf, &n));
	CHECK(n == 0, "read after the child exited gave %zu bytes", n);
	dk->DkObjectClose(p);
}

static int contains(const char *hay, const char *needle)
{
	size_t l = strlen(needle);
	for (; *hay; hay++)
		if (!strncmp(hay, needle, l))
			return 1;
	return 0;
}

static void child_start_params(void)
{
	DK_HANDLE p;
	static char buf[600];
	char want[400];
	size_t n;
	int code = -1;
	CHECK_OK(spawn(NULL, "child-info", NULL, &p));
	CHECK_OK(conf_read_full(p, 0, buf, sizeof(buf) - 1, &n));
	buf[n] = 0;
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	dk->DkObjectClose(p);
	CHECK(code == 0, "child-info exit code %d: %s", code, buf);
	/* "pid=N parent=1 argc=2 argv0=URI sandbox=X\n" */
	const char *q = strchr(buf, '=');
	uint64_t pid = 0;
	CHECK(q && rt_parse_u64(q + 1, &pid), "cannot parse \"%s\"", buf);
	CHECK(pid != g_start->process_id && pid >= 1, "child process_id %llu, parent's %llu",
	      (unsigned long long)pid, (unsigned long long)g_start->process_id);
	CHECK(contains(buf, " parent=1 "), "child has no parent_process: %s", buf);
	CHECK(contains(buf, " argc=2 "), "child argc is not 2 (image URI + 1 arg): %s", buf);
	rt_snprintf(want, sizeof(want), " argv0=%s ", g_start->argv[0]);
	CHECK(contains(buf, want), "child argv[0] is not the image URI %s: %s", g_start->argv[0],
	      buf);
	rt_snprintf(want, sizeof(want), " sandbox=%llx\n",
		    (unsigned long long)g_start->sandbox_id);
	CHECK(contains(buf, want), "child sandbox_id differs from ours (%llx): %s",
	      (unsigned long long)g_start->sandbox_id, buf);
}

static void exit_from_thread(void)
{
	DK_HANDLE p;
	int code = -1;
	CHECK_OK(spawn(NULL, "child-dkexit", "5", &p));
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code == 5, "DkProcessExit(5) from a second thread: exit code %d", code);
	dk->DkObjectClose(p);
}

static void many_children(void)
{
	enum { N = 4 };
	DK_HANDLE p[N];
	char num[8];
	int seen = 0;
	for (int i = 0; i < N; i++) {
		rt_snprintf(num, sizeof(num), "%d", 10 + i);
		CHECK_OK(spawn(NULL, "child-exit", num, &p[i]));
	}
	/* wait for them in whatever order they finish */
	DK_HANDLE live[N];
	int which[N];
	for (int i = 0; i < N; i++) {
		live[i] = p[i];
		which[i] = i;
	}
	for (size_t left = N; left > 0; left--) {
		size_t idx = 99;
		CHECK_OK(dk->DkObjectsWaitAny(left, live, 10000 * MS, &idx));
		CHECK(idx < left, "index %zu of %zu", idx, left);
		int code = -1;
		CHECK_OK(dk->DkProcessGetExitCode(live[idx], &code));
		CHECK(code == 10 + which[idx], "child %d exited %d", which[idx], code);
		seen |= 1 << which[idx];
		dk->DkObjectClose(live[idx]);
		live[idx] = live[left - 1];
		which[idx] = which[left - 1];
	}
	CHECK(seen == (1 << N) - 1, "seen mask %x", seen);
}

static void unhandled_ends_process(void)
{
	DK_HANDLE p;
	int code = 0;
	CHECK_OK(spawn(NULL, "child-crash", NULL, &p));
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_OK(dk->DkProcessGetExitCode(p, &code));
	CHECK(code != 0 && code != 78, "a child with an unhandled fault exited %d", code);
	dk->DkObjectClose(p);
}

static void create_errors(void)
{
	DK_HANDLE p = 0, e;
	int code;
	static const char *const args[] = {"child-exit", "1", NULL};
	char uri[300];
	conf_path(uri, sizeof(uri), "no-such-image.so");
	CHECK_RC(dk->DkProcessCreate(uri, args, &p), E(NOT_FOUND));
	CHECK(p == 0, "handle written on failure");
	CHECK_RC(dk->DkProcessCreate((const char *)8, args, &p), E(BAD_POINTER));
	CHECK_RC(dk->DkProcessCreate(NULL, (const char *const *)8, &p), E(BAD_POINTER));
	static const char *const badargs[] = {"child-exit", (const char *)8, NULL};
	CHECK_RC(dk->DkProcessCreate(NULL, badargs, &p), E(BAD_POINTER));
	CHECK_RC(dk->DkProcessCreate(NULL, args, (DK_HANDLE *)8), E(BAD_POINTER));
	int rc = dk->DkProcessCreate("null:", args, &p);
	CHECK(rc == E(UNSUPPORTED) || rc == E(INVALID), "image null: gave %d (%s)", rc,
	      conf_errname(rc));
	CHECK_RC(dk->DkProcessGetExitCode(FORGED_HANDLE, &code), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkProcessGetExitCode(e, &code), E(BAD_HANDLE));
	dk->DkObjectClose(e);
	CHECK_RC(dk->DkProcessGetExitCode(g_start->first_thread, &code), E(BAD_HANDLE));
	/* no child was started by any of the above: a good one still works */
	CHECK_OK(dk->DkProcessCreate(NULL, args, &p));
	CHECK_OK(conf_wait1(p, 10000 * MS));
	CHECK_RC(dk->DkProcessGetExitCode(p, (int *)8), E(BAD_POINTER));
	dk->DkObjectClose(p);
}

const struct conf_case conf_cases_process[] = {
	{"DkProcessCreate.exit_code", exit_code},
	{"DkProcessCreate.explicit_image", explicit_image},
	{"DkProcessGetExitCode.still_running_and_stream", still_running_and_stream},
	{"DkProcessCreate.child_start_params", child_start_params},
	{"DkProcessExit.from_thread", exit_from_thread},
	{"DkProcessCreate.many_children", many_children},
	{"LibOsExceptionDispatch.unhandled_ends_process", unhandled_ends_process},
	{"DkProcessCreate.errors", create_errors},
	{NULL, NULL},
};

/* ---- child modes ------------------------------------------------------------ */
static void dkexit_thread(void *param)
{
	dk->DkThreadDelayExecution(20 * MS, NULL);
	dk->DkProcessExit((int)(uintptr_t)param);
}

int conf_fault_load(const void *p);

int conf_child_main(int argc, const char *const *argv)
{
	const char *mode = argv[1];
	DK_HANDLE parent = g_start->parent_process;
	uint64_t v = 0;
	if (!strcmp(mode, "child-exit")) {
		if (argc < 3 || !rt_parse_u64(argv[2], &v))
			return 99;
		return (int)v;
	}
	if (!strcmp(mode, "child-echo")) {
		char buf[256];
		size_t n = 0;
		if (parent == DK_HANDLE_NONE)
			return 90;
		for (int i = 0; i < 1000 && n == 0; i++) {
			n = sizeof(buf);
			if (dk->DkStreamRead(parent, 0, buf, &n) < 0)
				return 91;
			if (n == 0)
				return 92; /* end of stream before any data */
		}
		/* take whatever else of the message is already there */
		if (conf_write_all(parent, 0, buf, n) < 0)
			return 93;
		return 0;
	}
	if (!strcmp(mode, "child-info")) {
		char buf[600];
		if (parent == DK_HANDLE_NONE)
			return 90;
		int len = rt_snprintf(buf, sizeof(buf), "pid=%llu parent=1 argc=%d argv0=%s sandbox=%llx\n",
				      (unsigned long long)g_start->process_id, argc, argv[0],
				      (unsigned long long)g_start->sandbox_id);
		if (len < 0 || (size_t)len >= sizeof(buf))
			return 94;
		if (conf_write_all(parent, 0, buf, (size_t)len) < 0)
			return 93;
		return 0;
	}
	if (!strcmp(mode, "child-dkexit")) {
		DK_HANDLE t, never;
		if (argc < 3 || !rt_parse_u64(argv[2], &v))
			return 99;
		if (dk->DkNotificationEventCreate(0, &never) < 0)
			return 95;
		if (dk->DkThreadCreate(dkexit_thread, (void *)(uintptr_t)v, 0, &t) < 0)
			return 96;
		conf_wait1(never, 10000 * MS);
		return 77;
	}
	if (!strcmp(mode, "child-crash")) {
		void *p = NULL;
		if (dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT, DK_PROT_NONE) < 0)
			return 97;
		conf_fault_load(p); /* not armed: the dispatcher says UNHANDLED */
		return 78;
	}
	conf_out("conformance: unknown child mode \"%s\"\n", mode);
	return 98;
}
