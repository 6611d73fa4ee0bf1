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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_RC(dk->DkProcessFork(NULL, NULL, 0), E(BAD_POINTER));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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

/* Left-behind ranges: the child has nothing mapped there (a reservation
 * at the address succeeds in the child only), while the pages around them
 * and the parent's own copy are untouched; bad ranges are refused. */
static void fork_left_behind(void)
{
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 3 * 4096, DK_MEM_RESERVE | DK_MEM_COMMIT,
					  DK_PROT_READ | DK_PROT_WRITE));
	volatile char *m = p;
	m[0] = 1, m[4096] = 2, m[8192] = 3;
	struct dk_range mid = {(uint64_t)p + 4096, 4096};
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child, &mid, 1));
	if (child == 0) {
		void *at = (void *)mid.addr;
		int rc = dk->DkVirtualMemoryAlloc(&at, 4096, DK_MEM_RESERVE, DK_PROT_NONE);
		child_exit(rc == 0 && at == (void *)mid.addr && m[0] == 1 && m[8192] == 3 ? 0 : 1);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.state == DK_CHILD_EXITED && r.status == 0,
	      "left-behind page: child state %u status %d", r.state, r.status);
	CHECK(m[0] == 1 && m[4096] == 2 && m[8192] == 3, "the parent's pages changed");
	void *at = (void *)mid.addr;
	CHECK_RC(dk->DkVirtualMemoryAlloc(&at, 4096, DK_MEM_RESERVE, DK_PROT_NONE), E(EXISTS));
	struct dk_range bad = {(uint64_t)p + 1, 4096};
	CHECK_RC(dk->DkProcessFork(&child, &bad, 1), E(INVALID));
	bad = (struct dk_range){(uint64_t)p, 0};
	CHECK_RC(dk->DkProcessFork(&child, &bad, 1), E(INVALID));
	CHECK_RC(dk->DkProcessFork(&child, &mid, DK_FORK_LEFT_MAX + 1), E(INVALID));
	CHECK_RC(dk->DkProcessFork(&child, (const struct dk_range *)8, 1), E(BAD_POINTER));
	dk->DkVirtualMemoryFree(p, 3 * 4096, DK_MEM_RELEASE);
}

/* Each message written as one; n sizes read (the peer's end reads as 0). */
static void write_messages(DK_HANDLE wr, const char *const *msgs, int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(msgs[i]);
		CHECK_OK(dk->DkStreamWrite(wr, 0, msgs[i], &len));
	}
}

static void read_sizes(DK_HANDLE rd, size_t *lens, int n)
{
	char buf[16];
	for (int i = 0; i < n; i++) {
		lens[i] = sizeof(buf);
		CHECK_OK(dk->DkStreamRead(rd, 0, buf, &lens[i]));
	}
}

static void pipe_across_fork(void)
{
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(0, &rd, &wr));
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(rd, &a));
	CHECK(a.type == DK_STREAM_PIPE, "pipe end has type %u", a.type);
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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

	/* DK_OPT_DATAGRAM: messages keep their boundaries, empty ones too. */
	CHECK_RC(dk->DkStreamPipeCreate(DK_OPT_DATAGRAM, &rd, &wr), E(INVALID));
	CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_DUPLEX | DK_OPT_DATAGRAM, &rd, &wr));
	const char *msgs[] = {"a", "bb", ""};
	size_t lens[3];
	write_messages(wr, msgs, 3);
	read_sizes(rd, lens, 3);
	CHECK(lens[0] == 1 && lens[1] == 2 && lens[2] == 0, "datagram sizes %zu %zu %zu",
	      lens[0], lens[1], lens[2]);
	dk->DkObjectClose(rd);
	dk->DkObjectClose(wr);

	/* DK_OPT_SEQPACKET: messages keep their boundaries, and the peer's
	 * close reads as the end. */
	CHECK_RC(dk->DkStreamPipeCreate(DK_OPT_SEQPACKET, &rd, &wr), E(INVALID));
	CHECK_RC(dk->DkStreamPipeCreate(DK_OPT_DUPLEX | DK_OPT_SEQPACKET | DK_OPT_DATAGRAM, &rd,
					&wr),
		 E(INVALID));
	CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_DUPLEX | DK_OPT_SEQPACKET, &rd, &wr));
	write_messages(wr, msgs, 2);
	dk->DkObjectClose(wr);
	read_sizes(rd, lens, 3);
	CHECK(lens[0] == 1 && lens[1] == 2 && lens[2] == 0, "packet sizes %zu %zu, then %zu",
	      lens[0], lens[1], lens[2]);
	dk->DkObjectClose(rd);
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
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

/* DK_STREAM_GET_STATUS / _SET_STATUS: the host open file's status flags,
 * shared with a forked child; refused for the console and bad arguments. */
static void status_across_fork(void)
{
	DK_HANDLE rd, wr;
	CHECK_OK(dk->DkStreamPipeCreate(0, &rd, &wr));
	uint32_t st = 99;
	CHECK_OK(dk->DkStreamConsoleControl(rd, DK_STREAM_GET_STATUS, &st, sizeof(st)));
	CHECK(st == 0, "a blocking pipe end has status %u", st);
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
	if (child == 0) {
		uint32_t on = DK_STATUS_NONBLOCK;
		child_exit(dk->DkStreamConsoleControl(rd, DK_STREAM_SET_STATUS, &on, sizeof(on)) == 0
				   ? 0 : 1);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child could not set the status");
	CHECK_OK(dk->DkStreamConsoleControl(rd, DK_STREAM_GET_STATUS, &st, sizeof(st)));
	CHECK(st == DK_STATUS_NONBLOCK, "the child's DK_STATUS_NONBLOCK reads as %u here", st);
	char buf[4];
	size_t n = sizeof(buf);
	CHECK_RC(dk->DkStreamRead(rd, 0, buf, &n), E(WOULD_BLOCK));
	st = 0;
	CHECK_OK(dk->DkStreamConsoleControl(rd, DK_STREAM_SET_STATUS, &st, sizeof(st)));
	st = 8;
	CHECK_RC(dk->DkStreamConsoleControl(rd, DK_STREAM_SET_STATUS, &st, sizeof(st)), E(INVALID));
	CHECK_RC(dk->DkStreamConsoleControl(rd, DK_STREAM_GET_STATUS, &st, 8), E(INVALID));
	CHECK_RC(dk->DkStreamConsoleControl(rd, DK_STREAM_GET_STATUS, NULL, sizeof(st)),
		 E(BAD_POINTER));
	dk->DkObjectClose(rd);
	dk->DkObjectClose(wr);

	/* DK_STATUS_APPEND on a file: writes at an offset go to the end. */
	char uri[300];
	rt_snprintf(uri, sizeof(uri), "%s/status.txt", g_scratch);
	DK_HANDLE h;
	CHECK_OK(dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0600,
				  &h));
	n = 3;
	CHECK_OK(dk->DkStreamWrite(h, 0, "abc", &n));
	st = DK_STATUS_APPEND;
	CHECK_OK(dk->DkStreamConsoleControl(h, DK_STREAM_SET_STATUS, &st, sizeof(st)));
	n = 1;
	CHECK_OK(dk->DkStreamWrite(h, DK_OFFSET_CURRENT, "d", &n));
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 4, "an appending write left the file at %llu bytes",
	      (unsigned long long)a.size);
	st = 0;
	CHECK_OK(dk->DkStreamConsoleControl(h, DK_STREAM_SET_STATUS, &st, sizeof(st)));
	n = 1;
	CHECK_OK(dk->DkStreamWrite(h, 0, "A", &n));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 4, "a write at 0 without APPEND left the file at %llu bytes",
	      (unsigned long long)a.size);
	dk->DkObjectClose(h);
	dk->DkStreamDelete(uri);

	DK_HANDLE con;
	CHECK_OK(dk->DkStreamOpen("stderr:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &con));
	CHECK_RC(dk->DkStreamConsoleControl(con, DK_STREAM_GET_STATUS, &st, sizeof(st)),
		 E(UNSUPPORTED));
	dk->DkObjectClose(con);
}

/* DK_OPT_FIFO: a host FIFO, which a forked child opens by name and meets
 * the parent in; the host's open rules (REFUSED for a writer without a
 * reader under DK_OPT_NONBLOCK). */
static void fifo_across_fork(void)
{
	char uri[300], file[300];
	rt_snprintf(uri, sizeof(uri), "%s/fifo", g_scratch);
	rt_snprintf(file, sizeof(file), "%s/notfifo", g_scratch);
	dk->DkStreamDelete(uri);
	DK_HANDLE h, w;
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_FIFO, 0600, &h),
		 E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEW,
				  DK_OPT_FIFO | DK_OPT_DIRECTORY, 0600, &h), E(INVALID));
	CHECK_OK(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_FIFO | DK_OPT_NONBLOCK,
				  0600, &h));
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQuery(uri, &a));
	CHECK(a.type == DK_STREAM_PIPE && a.mode == 0600, "a FIFO reads as type %u mode %o",
	      a.type, a.mode);
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_FIFO | DK_OPT_NONBLOCK,
				  0600, &w), E(EXISTS));
	dk->DkObjectClose(h);
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_WRITE, DK_CREATE_NEVER, DK_OPT_NONBLOCK, 0, &w),
		 E(REFUSED));
	CHECK_OK(dk->DkStreamOpen(file, DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0600, &w));
	dk->DkObjectClose(w);
	CHECK_RC(dk->DkStreamOpen(file, DK_ACCESS_READ, DK_CREATE_ALWAYS,
				  DK_OPT_FIFO | DK_OPT_NONBLOCK, 0600, &w), E(EXISTS));
	dk->DkStreamDelete(file);

	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
	if (child == 0) {
		/* Waits in the open for the parent's reader. */
		size_t n = 5;
		if (dk->DkStreamOpen(uri, DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &w) < 0)
			child_exit(1);
		child_exit(dk->DkStreamWrite(w, 0, "hello", &n) == 0 && n == 5 ? 0 : 2);
	}
	CHECK_OK(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	char buf[16];
	size_t got = 0;
	CHECK_OK(conf_read_full(h, 0, buf, sizeof(buf), &got));
	CHECK(got == 5 && memcmp(buf, "hello", 5) == 0, "read %zu bytes through the FIFO", got);
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.type == DK_STREAM_PIPE && a.size == 0, "an open FIFO reads as type %u size %llu",
	      a.type, (unsigned long long)a.size);
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child's side failed (%d)", r.status);
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(uri));
}


/* DkStreamMessage: a child passes a file (its position shared) and a pipe
 * end to its parent along a duplex pipe; DK_STREAM_GET_PEER names the
 * pair's creator. */
static void message_across_fork(void)
{
	DK_HANDLE a, b;
	char path[300];
	conf_path(path, sizeof(path), "passed");
	CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_DUPLEX, &a, &b));
	struct dk_peer peer;
	int64_t self = 0;
	CHECK_OK(dk->DkProcessIdControl(DK_PID_SELF, 0, 0, &self));
	CHECK_OK(dk->DkStreamConsoleControl(a, DK_STREAM_GET_PEER, &peer, sizeof(peer)));
	CHECK(peer.pid == self && peer.kind == DK_SOCKET_STREAM,
	      "peer of a pipe pair: pid %lld (want the creator %lld), kind %u", (long long)peer.pid,
	      (long long)self, peer.kind);
	CHECK_RC(dk->DkStreamConsoleControl(a, DK_STREAM_GET_PEER, &peer, 4), E(INVALID));
	/* What a pair carries, by its options. */
	const uint32_t kinds[][2] = { { DK_OPT_DATAGRAM, DK_SOCKET_DATAGRAM },
				      { DK_OPT_SEQPACKET, DK_SOCKET_SEQPACKET } };
	for (int i = 0; i < 2; i++) {
		DK_HANDLE x, y;
		CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_DUPLEX | kinds[i][0], &x, &y));
		CHECK_OK(dk->DkStreamConsoleControl(y, DK_STREAM_GET_PEER, &peer, sizeof(peer)));
		CHECK(peer.kind == kinds[i][1], "pair of options %u: kind %u", kinds[i][0], peer.kind);
		dk->DkObjectClose(x);
		dk->DkObjectClose(y);
	}
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
	if (child == 0) {
		DK_HANDLE f, rd, wr;
		dk->DkObjectClose(a);
		if (dk->DkStreamOpen(path, DK_ACCESS_READ | DK_ACCESS_WRITE,
				     DK_CREATE_ALWAYS | DK_CREATE_TRUNCATE, 0, 0600, &f) < 0 ||
		    dk->DkStreamPipeCreate(0, &rd, &wr) < 0)
			child_exit(1);
		size_t n = 11;
		uint64_t pos;
		if (dk->DkStreamWrite(f, DK_OFFSET_CURRENT, "hello world", &n) < 0 ||
		    dk->DkStreamSeek(f, 6, DK_SEEK_SET, &pos) < 0)
			child_exit(2);
		struct dk_passed p[2] = { { .handle = f }, { .handle = rd } };
		struct dk_message m = { .data = "x", .size = 1, .handles = p, .count = 2 };
		if (dk->DkStreamMessage(b, DK_MESSAGE_SEND, &m) < 0 || m.size != 1 || m.count != 2)
			child_exit(3);
		dk->DkObjectClose(f);
		dk->DkObjectClose(rd);
		n = 4;
		if (dk->DkStreamWrite(wr, 0, "pipe", &n) < 0)
			child_exit(4);
		child_exit(0);
	}
	dk->DkObjectClose(b);
	char buf[16];
	struct dk_passed p[4];
	memset(p, 0, sizeof(p));
	struct dk_message m = { .data = buf, .size = sizeof(buf), .handles = p, .count = 4 };
	int rc;
	do /* the child's end (SIGCHLD) may interrupt the wait */
		rc = dk->DkStreamMessage(a, DK_MESSAGE_RECEIVE, &m);
	while (rc == E(INTERRUPTED));
	if (rc < 0 || m.size != 1) {
		struct dk_wait_result r;
		reap(child, &r);
		CHECK(0, "receive gave %d (%s) and %zu bytes; the child's status %d", rc,
		      conf_errname(rc), m.size, r.status);
	}
	CHECK(m.size == 1 && buf[0] == 'x' && m.count == 2 && !m.flags,
	      "received %zu bytes, %u streams, flags %u", m.size, m.count, m.flags);
	CHECK(p[0].type == DK_STREAM_FILE && p[0].access == (DK_ACCESS_READ | DK_ACCESS_WRITE),
	      "the file came as type %u access %u", p[0].type, p[0].access);
	CHECK(p[1].type == DK_STREAM_PIPE && p[1].access == DK_ACCESS_READ,
	      "the pipe end came as type %u access %u", p[1].type, p[1].access);
	size_t got = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(p[0].handle, DK_OFFSET_CURRENT, buf, &got));
	CHECK(got == 5 && memcmp(buf, "world", 5) == 0, "the file read %zu bytes from its position",
	      got);
	CHECK_OK(conf_read_full(p[1].handle, 0, buf, sizeof(buf), &got));
	CHECK(got == 4 && memcmp(buf, "pipe", 4) == 0, "the pipe end read %zu bytes", got);
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.state == DK_CHILD_EXITED && r.status == 0, "child status %d", r.status);
	dk->DkObjectClose(p[0].handle);
	dk->DkObjectClose(p[1].handle);
	dk->DkStreamDelete(path);

	/* Errors, and a receive without room. */
	DK_HANDLE rd, wr, srv;
	CHECK_OK(dk->DkStreamPipeCreate(DK_OPT_DUPLEX, &b, &rd));
	CHECK_OK(dk->DkStreamPipeCreate(0, &srv, &wr));
	struct dk_passed one = { .handle = wr };
	m = (struct dk_message){ .data = "y", .size = 1, .handles = &one, .count = 1 };
	CHECK_RC(dk->DkStreamMessage(b, 3, &m), E(INVALID));
	CHECK_RC(dk->DkStreamMessage(b, DK_MESSAGE_SEND, NULL), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamMessage(wr, DK_MESSAGE_SEND, &m), E(UNSUPPORTED));
	m.count = DK_MESSAGE_HANDLES_MAX + 1;
	CHECK_RC(dk->DkStreamMessage(b, DK_MESSAGE_SEND, &m), E(INVALID));
	m.count = 1;
	m.size = 0;
	CHECK_RC(dk->DkStreamMessage(b, DK_MESSAGE_SEND, &m), E(INVALID));
	m.size = 1;
	one.handle = a; /* closed below: a bad handle after that */
	CHECK_OK(dk->DkStreamMessage(b, DK_MESSAGE_SEND, &m));
	dk->DkObjectClose(a);
	CHECK_RC(dk->DkStreamMessage(b, DK_MESSAGE_SEND, &m), E(BAD_HANDLE));
	m = (struct dk_message){ .data = buf, .size = sizeof(buf) };
	CHECK_OK(dk->DkStreamMessage(rd, DK_MESSAGE_RECEIVE, &m));
	CHECK(m.size == 1 && m.count == 0 && m.flags == DK_MESSAGE_TRUNCATED,
	      "without room: %zu bytes, %u streams, flags %u", m.size, m.count, m.flags);
	/* DONTWAIT: nothing there, so WOULD_BLOCK; then a send (flags out: 0)
	 * and its byte; unknown flags are refused. */
	m = (struct dk_message){ .data = buf, .size = sizeof(buf), .flags = DK_MESSAGE_DONTWAIT };
	CHECK_RC(dk->DkStreamMessage(rd, DK_MESSAGE_RECEIVE, &m), E(WOULD_BLOCK));
	m = (struct dk_message){ .data = "z", .size = 1, .flags = DK_MESSAGE_DONTWAIT };
	CHECK_OK(dk->DkStreamMessage(b, DK_MESSAGE_SEND, &m));
	CHECK(m.size == 1 && m.flags == 0, "dontwait send: %zu bytes, flags %u", m.size, m.flags);
	m = (struct dk_message){ .data = buf, .size = sizeof(buf), .flags = DK_MESSAGE_DONTWAIT };
	CHECK_OK(dk->DkStreamMessage(rd, DK_MESSAGE_RECEIVE, &m));
	CHECK(m.size == 1 && buf[0] == 'z' && m.flags == 0, "dontwait receive: %zu bytes, flags %u",
	      m.size, m.flags);
	m.flags = 4;
	CHECK_RC(dk->DkStreamMessage(rd, DK_MESSAGE_RECEIVE, &m), E(INVALID));
	CHECK_RC(dk->DkStreamConsoleControl(wr, DK_STREAM_GET_PEER, &peer, sizeof(peer)),
		 E(UNSUPPORTED));
	dk->DkObjectClose(b);
	dk->DkObjectClose(rd);
	dk->DkObjectClose(srv);
	dk->DkObjectClose(wr);
}

/* DK_OPT_SOCKET_FILE: a host socket file, made with no stream (the
 * handle is DK_HANDLE_NONE), which a forked child finds as a socket, no
 * open reads, and which is renamed and deleted like any file. */
static void socket_file(void)
{
	char uri[300], moved[300], file[300];
	rt_snprintf(uri, sizeof(uri), "%s/sockfile", g_scratch);
	rt_snprintf(moved, sizeof(moved), "%s/sockfile2", g_scratch);
	rt_snprintf(file, sizeof(file), "%s/notsock", g_scratch);
	dk->DkStreamDelete(uri);
	dk->DkStreamDelete(moved);
	DK_HANDLE h = (DK_HANDLE)1;
	/* Made only: a new name, no access, nothing else beside it. */
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_ALWAYS, DK_OPT_SOCKET_FILE, 0600, &h),
		 E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_NEVER, DK_OPT_SOCKET_FILE, 0600, &h),
		 E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_NEW | DK_CREATE_TRUNCATE, DK_OPT_SOCKET_FILE,
				  0600, &h), E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_SOCKET_FILE, 0600, &h),
		 E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE | DK_OPT_FIFO, 0600, &h),
		 E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE | DK_OPT_NONBLOCK, 0600,
				  &h), E(INVALID));
	CHECK_RC(dk->DkStreamOpen("pipe.server:sockfile", 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE,
				  0600, &h), E(INVALID));
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE, 0600, (DK_HANDLE *)8),
		 E(BAD_POINTER));
	struct dk_stream_attr a;
	CHECK_RC(dk->DkStreamAttributesQuery(uri, &a), E(NOT_FOUND));
	CHECK_OK(dk->DkStreamOpen(uri, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE | DK_OPT_NOFOLLOW, 0640,
				  &h));
	CHECK(h == DK_HANDLE_NONE, "a socket file gives no stream (handle %llu)",
	      (unsigned long long)h);
	CHECK_OK(dk->DkStreamAttributesQuery(uri, &a));
	CHECK(a.type == DK_STREAM_SOCKET && a.mode == 0640 && a.links == 1,
	      "a socket file reads as type %u mode %o links %llu", a.type, a.mode,
	      (unsigned long long)a.links);
	uint64_t ino = a.inode;
	memset(&a, 0, sizeof(a));
	CHECK_OK(dk->DkStreamLinkRead(uri, NULL, NULL, &a));
	CHECK(a.type == DK_STREAM_SOCKET && a.inode == ino, "lstat: type %u", a.type);
	CHECK_RC(dk->DkStreamOpen(uri, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE, 0600, &h), E(EXISTS));
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h), E(REFUSED));
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_WRITE, DK_CREATE_ALWAYS, DK_OPT_NONBLOCK, 0600, &h),
		 E(REFUSED));
	CHECK_RC(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_ALWAYS, DK_OPT_FIFO, 0600, &h),
		 E(EXISTS));
	/* A name taken by a regular file. */
	CHECK_OK(dk->DkStreamOpen(file, DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0600, &h));
	dk->DkObjectClose(h);
	CHECK_RC(dk->DkStreamOpen(file, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE, 0600, &h), E(EXISTS));
	CHECK_OK(dk->DkStreamDelete(file));

	/* Another process finds it, by its name and identity. */
	int64_t child = -1;
	CHECK_OK(dk->DkProcessFork(&child, NULL, 0));
	if (child == 0) {
		struct dk_stream_attr c;
		if (dk->DkStreamAttributesQuery(uri, &c) < 0)
			child_exit(1);
		child_exit(c.type == DK_STREAM_SOCKET && c.inode == ino ? 0 : 2);
	}
	struct dk_wait_result r;
	CHECK_OK(reap(child, &r));
	CHECK(r.status == 0, "the child's view failed (%d)", r.status);

	CHECK_OK(dk->DkStreamRename(uri, moved));
	CHECK_RC(dk->DkStreamAttributesQuery(uri, &a), E(NOT_FOUND));
	CHECK_OK(dk->DkStreamAttributesQuery(moved, &a));
	CHECK(a.type == DK_STREAM_SOCKET && a.inode == ino, "renamed: type %u", a.type);
	CHECK_OK(dk->DkStreamDelete(moved));
	CHECK_RC(dk->DkStreamAttributesQuery(moved, &a), E(NOT_FOUND));
}

const struct conf_case conf_cases_fork[] = {
	{"DkStreamMessage.across_fork", message_across_fork},
	{"DkStreamOpen.socket_file", socket_file},
	{"DkStreamOpen.fifo_across_fork", fifo_across_fork},
	{"DkStreamConsoleControl.status_across_fork", status_across_fork},
	{"DkStreamLock.across_fork", lock_across_fork},
	{"DkStreamSeek.shared_position", seek_shared_position},
	{"DkFutexControl.across_fork", futex_across_fork},
	{"DkProcessFork.basic", fork_basic},
	{"DkProcessFork.shared_memory", fork_shared_memory},
	{"DkProcessFork.left_behind", fork_left_behind},
	{"DkStreamPipeCreate.across_fork", pipe_across_fork},
	{"DkStreamPipeCreate.closed_reader", pipe_closed_reader},
	{"DkProcessWait.nohang_nowait_errors", wait_nohang_and_errors},
	{"DkProcessSignal.kill_child", signal_child},
	{"DkProcessSignal.default_action", signal_default_action},
	{"DkProcessSignal.host_ignore", signal_host_ignore},
	{"DkProcessIdControl.ids", id_control},
	{NULL, NULL},
};
