/*
 * Conformance: the process-model additions.  DkProcessFork (copy-on-write
 * copy; shared memory and pipes stay shared), DkProcessWait, DkProcessSignal,
 * DkProcessIdControl and DkStreamPipeCreate.  A forked child never prints:
 * it reports through its exit status, shared memory or a pipe.
 */
#include "conf.h"

static void child_exit(int code)
{
	dk->DkProcessExit(code);
}

static int reap(int64_t pid, struct dk_wait_result *r)
{
	int rc;
	do
		rc = dk->DkProcessWait(pid, DK_WAIT_EXITED, r);
	while (rc == E(INTERRUPTED));
	return rc;
}

static void fork_basic(void)
{
	static volatile int value = 5;
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		value = 6; /* the child's copy only */
		child_exit(value == 6 ? 7 : 1);
	}
	CHECK(child > 0, "parent got child id %lld", (long long)child);
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.pid == child && r.state == DK_CHILD_EXITED && r.status == 7,
	      "wait gave pid %lld state %u status %d", (long long)r.pid, r.state, r.status);
	CHECK(value == 5, "the child's write reached the parent: %d", value);
	CHECK_RC(dk->DkProcessWait(child, DK_WAIT_EXITED | DK_WAIT_NOHANG, &r), E(NOT_FOUND));
	CHECK_RC(dk->DkProcessFork(NULL), E(BAD_POINTER));
}

static void fork_shared_memory(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT | DK_MEM_SHARED,
					  DK_PROT_READ | DK_PROT_WRITE));
	void *priv = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&priv, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT,
					  DK_PROT_READ | DK_PROT_WRITE));
	volatile int *shared = p, *own = priv;
	*shared = 1;
	*own = 1;
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		*shared = 42;
		*own = 42;
		child_exit(0);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(*shared == 42, "shared memory reads %d after the child wrote 42", *shared);
	CHECK(*own == 1, "private memory reads %d: the child's copy leaked", *own);
	CHECK_RC(dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_SHARED,
					  DK_PROT_READ),
		 E(INVALID));
	dk->DkVirtualMemoryFree((void *)shared, 4096, DK_MEM_RELEASE);
	dk->DkVirtualMemoryFree((void *)own, 4096, DK_MEM_RELEASE);
}

static void pipe_across_fork(void)
{
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(0, &rd, &wr));
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(rd, &a));
	CHECK(a.type == DK_STREAM_PIPE, "pipe end has type %u", a.type);
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		dk->DkObjectClose(rd);
		size_t n = 5;
		int rc = dk->DkStreamWrite(wr, 0, "hello", &n);
		child_exit(rc == 0 && n == 5 ? 0 : 1);
	}
	dk->DkObjectClose(wr);
	char buf[16];
	size_t got = 0;
	CHECK_OK(conf_read_full(rd, 0, buf, sizeof(buf), &got));
	CHECK(got == 5 && memcmp(buf, "hello", 5) == 0, "read %zu bytes from the child", got);
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.state == DK_CHILD_EXITED && r.status == 0, "child status %d", r.status);
	dk->DkObjectClose(rd);
	CHECK_RC(dk->DkStreamPipeCreate(16, &rd, &wr), E(INVALID));
	/* DK_OPT_DUPLEX: both ends read and write, and half-close. */
	CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_DUPLEX, &rd, &wr));
	size_t m = 4;
	CHECK_OK(dk->DkStreamWrite(rd, 0, "back", &m));
	CHECK_OK(conf_read_full(wr, 0, buf, 4, &got));
	CHECK(got == 4 && memcmp(buf, "back", 4) == 0, "duplex: read %zu bytes backwards", got);
	CHECK_OK(dk->DkStreamShutdown(wr, DK_SHUTDOWN_WRITE));
	CHECK_OK(conf_read_full(rd, 0, buf, sizeof(buf), &got));
	CHECK(got == 0, "duplex: %zu bytes after the other end shut down", got);
	dk->DkObjectClose(rd);
	dk->DkObjectClose(wr);
	CHECK_RC(dk->DkStreamPipeCreate(0, NULL, &wr), E(BAD_POINTER));
}

static void pipe_closed_reader(void)
{
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_NONBLOCK, &rd, &wr));
	char buf[8];
	size_t n = sizeof(buf);
	CHECK_RC(dk->DkStreamRead(rd, 0, buf, &n), E(WOULD_BLOCK));
	dk->DkObjectClose(rd);
	n = 1;
	CHECK_RC(dk->DkStreamWrite(wr, 0, "x", &n), E(CLOSED));
	dk->DkObjectClose(wr);
}

static void wait_nohang_and_errors(void)
{
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(0, &rd, &wr));
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		char c;
		size_t n = 1;
		dk->DkObjectClose(wr);
		dk->DkStreamRead(rd, 0, &c, &n); /* until the parent closes */
		child_exit(3);
	}
	dk->DkObjectClose(rd);
	struct dk_wait_result r = {.pid = -1};
	CHECK_OK(dk->DkProcessWait(child, DK_WAIT_EXITED | DK_WAIT_NOHANG, &r));
	CHECK(r.pid == 0, "NOHANG on a running child gave pid %lld", (long long)r.pid);
	CHECK_RC(dk->DkProcessWait(child, 0, &r), E(INVALID));
	CHECK_RC(dk->DkProcessWait(child, DK_WAIT_EXITED | 0x100, &r), E(INVALID));
	dk->DkObjectClose(wr);
	CHECK_OK(dk->DkProcessWait(-1, DK_WAIT_EXITED | DK_WAIT_NOWAIT, &r));
	CHECK(r.pid == child && r.status == 3, "NOWAIT gave pid %lld status %d",
	      (long long)r.pid, r.status);
	CHECK_OK(reap(child, &r));
	CHECK(r.pid == child && r.status == 3, "the NOWAIT child was not left waitable");
	CHECK_RC(dk->DkProcessWait(-1, DK_WAIT_EXITED, &r), E(NOT_FOUND));
}

static void signal_child(void)
{
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(0, &rd, &wr));
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		char c;
		size_t n = 1;
		for (;;)
			dk->DkStreamRead(rd, 0, &c, &n);
	}
	CHECK_OK(dk->DkProcessSignal(child, 0, 0, 0));
	CHECK_OK(dk->DkProcessSignal(child, 9, 0, 0));
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.state == DK_CHILD_KILLED && r.status == 9, "wait gave state %u status %d",
	      r.state, r.status);
	CHECK_RC(dk->DkProcessSignal(child, 0, 0, 0), E(NOT_FOUND));
	CHECK_RC(dk->DkProcessSignal(1, 64, 0, 0), E(INVALID));
	CHECK_RC(dk->DkProcessSignal(child, 15, DK_SIGNAL_DEFAULT_ACTION, 0), E(INVALID));
	dk->DkObjectClose(rd);
	dk->DkObjectClose(wr);
}

static void signal_default_action(void)
{
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		dk->DkProcessSignal(0, 15, DK_SIGNAL_DEFAULT_ACTION, 0);
		child_exit(1); /* not reached */
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.state == DK_CHILD_KILLED && r.status == 15, "wait gave state %u status %d",
	      r.state, r.status);
}

/* A child's exit while SIGCHLD is left to the host brings no DK_EXC_SIGNAL;
 * one after it comes back does (delivered before the wait returns).
 * *seen: how many arrived. */
static void fork_exit_signals(int *seen)
{
	int before = __atomic_load_n(&g_exc.signals, __ATOMIC_SEQ_CST);
	*seen = -1;
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0)
		child_exit(0);
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.pid == child && r.state == DK_CHILD_EXITED, "wait gave state %u", r.state);
	*seen = __atomic_load_n(&g_exc.signals, __ATOMIC_SEQ_CST) - before;
}

static void signal_host_ignore(void)
{
	int quiet, loud;
	CHECK_OK(dk->DkProcessSignal(0, 17, DK_SIGNAL_HOST_IGNORE, 1));
	fork_exit_signals(&quiet);
	CHECK_OK(dk->DkProcessSignal(0, 17, DK_SIGNAL_HOST_IGNORE, 0));
	CHECK(quiet == 0, "%d DK_EXC_SIGNAL while SIGCHLD was the host's", quiet);
	fork_exit_signals(&loud);
	CHECK(loud == 1, "%d DK_EXC_SIGNAL after SIGCHLD came back", loud);
	CHECK_RC(dk->DkProcessSignal(0, 15, DK_SIGNAL_HOST_IGNORE, 1), E(INVALID));
	CHECK_RC(dk->DkProcessSignal(1, 17, DK_SIGNAL_HOST_IGNORE, 1), E(INVALID));
	CHECK_RC(dk->DkProcessSignal(0, 17, DK_SIGNAL_HOST_IGNORE, 2), E(INVALID));
	CHECK_RC(dk->DkProcessSignal(0, 17, DK_SIGNAL_HOST_IGNORE | DK_SIGNAL_DEFAULT_ACTION, 1),
		 E(INVALID));
	CHECK_OK(dk->DkProcessSignal(0, 28, DK_SIGNAL_HOST_IGNORE, 1));
	CHECK_OK(dk->DkProcessSignal(0, 28, DK_SIGNAL_HOST_IGNORE, 0));
}

static void id_control(void)
{
	int64_t self = 0, tid = 0, group = -1, session = -1;
	CHECK_OK(dk->DkProcessIdControl(DK_PID_SELF, 0, 0, &self));
	CHECK_OK(dk->DkProcessIdControl(DK_PID_THREAD, 0, 0, &tid));
	CHECK_OK(dk->DkProcessIdControl(DK_PID_GROUP_GET, 0, 0, &group));
	CHECK_OK(dk->DkProcessIdControl(DK_PID_SESSION_GET, 0, 0, &session));
	CHECK(self > 0 && tid > 0 && group >= 0 && session >= 0, "ids %lld %lld %lld %lld",
	      (long long)self, (long long)tid, (long long)group, (long long)session);
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		int64_t me = 0, parent = 0, sid = 0, pg = 0;
		dk->DkProcessIdControl(DK_PID_SELF, 0, 0, &me);
		dk->DkProcessIdControl(DK_PID_PARENT, 0, 0, &parent);
		int ok = dk->DkProcessIdControl(DK_PID_SESSION_NEW, 0, 0, &sid) == 0 && sid == me;
		ok &= dk->DkProcessIdControl(DK_PID_GROUP_GET, 0, 0, &pg) == 0 && pg == me;
		child_exit(ok && parent == self ? 0 : 1);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child's ids were wrong (status %d)", r.status);
	int64_t v;
	CHECK_RC(dk->DkProcessIdControl(0, 0, 0, &v), E(INVALID));
	CHECK_RC(dk->DkProcessIdControl(99, 0, 0, &v), E(INVALID));
	CHECK_RC(dk->DkProcessIdControl(DK_PID_GROUP_GET, 999999, 0, &v), E(NOT_FOUND));
	CHECK_RC(dk->DkProcessIdControl(DK_PID_SELF, 0, 0, NULL), E(BAD_POINTER));
}

static void futex_across_fork(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 4096, DK_MEM_RESERVE | DK_MEM_COMMIT | DK_MEM_SHARED,
					  DK_PROT_READ | DK_PROT_WRITE));
	volatile uint32_t *word = p;
	*word = 0;
	CHECK_RC(dk->DkFutexControl(DK_FUTEX_WAIT, (uint32_t *)word, 5, DK_WAIT_INFINITE, NULL),
		 E(WOULD_BLOCK));
	CHECK_RC(dk->DkFutexControl(DK_FUTEX_WAIT, (uint32_t *)word, 0, 1000, NULL), E(TIMEOUT));
	CHECK_RC(dk->DkFutexControl(3, (uint32_t *)word, 0, 0, NULL), E(INVALID));
	CHECK_RC(dk->DkFutexControl(DK_FUTEX_WAKE, (uint32_t *)((char *)p + 1), 1, 0, NULL),
		 E(INVALID));
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		while (*word == 0)
			dk->DkFutexControl(DK_FUTEX_WAIT, (uint32_t *)word, 0, DK_WAIT_INFINITE, NULL);
		child_exit(*word == 1 ? 0 : 1);
	}
	uint32_t woken = 0;
	for (int i = 0; i < 2000 && !woken; i++) { /* until the child sleeps on it */
		dk->DkThreadDelayExecution(1000, NULL);
		*word = i == 1999 ? 1 : 0;
		CHECK_OK(dk->DkFutexControl(DK_FUTEX_WAKE, (uint32_t *)word, 1, 0, &woken));
	}
	*word = 1;
	dk->DkFutexControl(DK_FUTEX_WAKE, (uint32_t *)word, 1, 0, NULL);
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child was not woken with the word set (status %d)", r.status);
	CHECK(woken == 1, "no wake reached the child's wait");
	dk->DkVirtualMemoryFree(p, 4096, DK_MEM_RELEASE);
}

static void seek_shared_position(void)
{
	char uri[300];
	rt_snprintf(uri, sizeof(uri), "%s/seek.txt", g_scratch);
	DK_HANDLE h;
	CHECK_OK(dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0600,
				  &h));
	size_t n = 5;
	CHECK_OK(dk->DkStreamWrite(h, DK_OFFSET_CURRENT, "hello", &n));
	uint64_t pos = 99;
	CHECK_OK(dk->DkStreamSeek(h, 0, DK_SEEK_CUR, &pos));
	CHECK(pos == 5, "position %llu after writing 5 bytes", (unsigned long long)pos);
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		size_t m = 6;
		int rc = dk->DkStreamWrite(h, DK_OFFSET_CURRENT, " world", &m);
		child_exit(rc == 0 && m == 6 ? 0 : 1);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child's write failed");
	CHECK_OK(dk->DkStreamSeek(h, 0, DK_SEEK_CUR, &pos));
	CHECK(pos == 11, "the child's write left the shared position at %llu, want 11",
	      (unsigned long long)pos);
	CHECK_OK(dk->DkStreamSeek(h, 0, DK_SEEK_SET, &pos));
	char buf[16] = {0};
	n = 11;
	CHECK_OK(dk->DkStreamRead(h, DK_OFFSET_CURRENT, buf, &n));
	CHECK(n == 11 && memcmp(buf, "hello world", 11) == 0, "read back %zu bytes", n);
	CHECK_OK(dk->DkStreamSeek(h, -5, DK_SEEK_END, &pos));
	CHECK(pos == 6, "SEEK_END -5 gave %llu", (unsigned long long)pos);
	CHECK_RC(dk->DkStreamSeek(h, 0, 7, &pos), E(INVALID));
	CHECK_RC(dk->DkStreamSeek(h, -1, DK_SEEK_SET, &pos), E(INVALID));
	dk->DkObjectClose(h);
	dk->DkStreamDelete(uri);
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(0, &rd, &wr));
	CHECK_RC(dk->DkStreamSeek(rd, 0, DK_SEEK_CUR, &pos), E(UNSUPPORTED));
	dk->DkObjectClose(rd);
	dk->DkObjectClose(wr);
}

static void lock_across_fork(void)
{
	char uri[300];
	rt_snprintf(uri, sizeof(uri), "%s/lock.txt", g_scratch);
	DK_HANDLE h;
	CHECK_OK(dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0600,
				  &h));
	struct dk_lock lk = {.type = DK_LOCK_WRITE, .start = 10, .length = 5};
	CHECK_OK(dk->DkStreamLock(h, DK_LOCK_RANGE, 0, &lk));
	lk = (struct dk_lock){.type = DK_LOCK_WRITE};
	CHECK_OK(dk->DkStreamLock(h, DK_LOCK_WHOLE, 0, &lk));
	int64_t self = 0;
	dk->DkProcessIdControl(DK_PID_SELF, 0, 0, &self);
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child));
	if (child == 0) {
		int bad = 0;
		struct dk_lock c = {.type = DK_LOCK_WRITE, .start = 12, .length = 1};
		if (dk->DkStreamLock(h, DK_LOCK_RANGE, 0, &c) != -DK_E_WOULD_BLOCK)
			bad |= 1;
		c = (struct dk_lock){.type = DK_LOCK_READ, .start = 0, .length = 0};
		if (dk->DkStreamLock(h, DK_LOCK_RANGE, DK_LOCK_TEST, &c) != 0 ||
		    c.type != DK_LOCK_WRITE || c.start != 10 || c.length != 5 || c.pid != self)
			bad |= 2;
		c = (struct dk_lock){.type = DK_LOCK_WRITE, .start = 20, .length = 1};
		if (dk->DkStreamLock(h, DK_LOCK_RANGE, 0, &c) != 0)
			bad |= 4;
		DK_HANDLE other; /* flock belongs to the open stream: another one conflicts */
		if (dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &other) == 0) {
			c = (struct dk_lock){.type = DK_LOCK_READ};
			if (dk->DkStreamLock(other, DK_LOCK_WHOLE, 0, &c) != -DK_E_WOULD_BLOCK)
				bad |= 8;
		}
		child_exit(bad);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child saw the locks wrong (mask %d)", r.status);
	lk = (struct dk_lock){.type = DK_LOCK_UNLOCK, .start = 10, .length = 5};
	CHECK_OK(dk->DkStreamLock(h, DK_LOCK_RANGE, 0, &lk));
	CHECK_RC(dk->DkStreamLock(h, 9, 0, &lk), E(INVALID));
	CHECK_RC(dk->DkStreamLock(h, DK_LOCK_WHOLE, DK_LOCK_TEST, &lk), E(INVALID));
	lk.type = 7;
	CHECK_RC(dk->DkStreamLock(h, DK_LOCK_RANGE, 0, &lk), E(INVALID));
	dk->DkObjectClose(h);
	dk->DkStreamDelete(uri);
}

const struct conf_case conf_cases_fork[] = {
	{"DkStreamLock.across_fork", lock_across_fork},
	{"DkStreamSeek.shared_position", seek_shared_position},
	{"DkFutexControl.across_fork", futex_across_fork},
	{"DkProcessFork.basic", fork_basic},
	{"DkProcessFork.shared_memory", fork_shared_memory},
	{"DkStreamPipeCreate.across_fork", pipe_across_fork},
	{"DkStreamPipeCreate.closed_reader", pipe_closed_reader},
	{"DkProcessWait.nohang_nowait_errors", wait_nohang_and_errors},
	{"DkProcessSignal.kill_child", signal_child},
	{"DkProcessSignal.default_action", signal_default_action},
	{"DkProcessSignal.host_ignore", signal_host_ignore},
	{"DkProcessIdControl.ids", id_control},
	{NULL, NULL},
};
