/*
 * Conformance: events, semaphores, DkObjectsWaitAny, DkAbortEventRegister.
 */
#include "conf.h"

static void notification_event(void)
{
	DK_HANDLE e;
	int set = -1;
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 0, "new unset event peeks %d", set);
	CHECK_RC(conf_wait1(e, 10 * MS), E(TIMEOUT));
	CHECK_OK(dk->DkEventSet(e));
	CHECK_OK(dk->DkEventSet(e)); /* setting twice is fine */
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 1, "set event peeks %d", set);
	/* a notification event stays set through any number of waits */
	CHECK_OK(conf_wait1(e, 0));
	CHECK_OK(conf_wait1(e, 10 * MS));
	CHECK_OK(conf_wait1(e, DK_WAIT_INFINITE));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 1, "notification event reset by a wait (peek %d)", set);
	CHECK_OK(dk->DkEventClear(e));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 0, "cleared event peeks %d", set);
	CHECK_RC(conf_wait1(e, 0), E(TIMEOUT));
	CHECK_OK(dk->DkEventClear(e)); /* clearing twice is fine */
	CHECK_OK(dk->DkObjectClose(e));

	CHECK_OK(dk->DkNotificationEventCreate(1, &e));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 1, "initially set event peeks %d", set);
	CHECK_OK(dk->DkObjectClose(e));
}

static void synchronization_event(void)
{
	DK_HANDLE e;
	int set = -1;
	CHECK_OK(dk->DkSynchronizationEventCreate(1, &e));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 1, "initially set event peeks %d", set);
	CHECK_OK(conf_wait1(e, 10 * MS));
	/* auto-reset: the wait consumed it */
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 0, "synchronization event still set after a wait (peek %d)", set);
	CHECK_RC(conf_wait1(e, 10 * MS), E(TIMEOUT));
	/* setting twice still releases only one wait */
	CHECK_OK(dk->DkEventSet(e));
	CHECK_OK(dk->DkEventSet(e));
	CHECK_OK(conf_wait1(e, 10 * MS));
	CHECK_RC(conf_wait1(e, 10 * MS), E(TIMEOUT));
	CHECK_OK(dk->DkEventSet(e));
	CHECK_OK(dk->DkEventClear(e));
	CHECK_RC(conf_wait1(e, 0), E(TIMEOUT));
	CHECK_OK(dk->DkObjectClose(e));
	CHECK_OK(dk->DkSynchronizationEventCreate(0, &e));
	CHECK_RC(conf_wait1(e, 0), E(TIMEOUT));
	CHECK_OK(dk->DkObjectClose(e));
}

/* one waiter per set, with several threads blocked on one event */
static struct {
	DK_HANDLE ev, done_sem;
	volatile int woke;
} g_se;

static void se_waiter(void *param)
{
	(void)param;
	if (conf_wait1(g_se.ev, 5000 * MS) == 0)
		__atomic_add_fetch(&g_se.woke, 1, __ATOMIC_SEQ_CST);
	dk->DkSemaphoreRelease(g_se.done_sem, 1, NULL);
	dk->DkThreadExit(0);
}

static void synchronization_event_one_waiter(void)
{
	DK_HANDLE t[3];
	g_se.woke = 0;
	CHECK_OK(dk->DkSynchronizationEventCreate(0, &g_se.ev));
	CHECK_OK(dk->DkSemaphoreCreate(0, 10, &g_se.done_sem));
	for (int i = 0; i < 3; i++)
		CHECK_OK(conf_thread(se_waiter, NULL, &t[i]));
	dk->DkThreadDelayExecution(50 * MS, NULL);
	CHECK_OK(dk->DkEventSet(g_se.ev));
	CHECK_OK(conf_wait1(g_se.done_sem, 2000 * MS));
	dk->DkThreadDelayExecution(50 * MS, NULL);
	CHECK(g_se.woke == 1, "one set woke %d waiters", g_se.woke);
	CHECK_OK(dk->DkEventSet(g_se.ev));
	CHECK_OK(dk->DkEventSet(g_se.ev)); /* may coalesce if the next waiter is slow */
	CHECK_OK(conf_wait1(g_se.done_sem, 2000 * MS));
	dk->DkThreadDelayExecution(20 * MS, NULL);
	CHECK_OK(dk->DkEventSet(g_se.ev));
	CHECK_OK(conf_wait1(g_se.done_sem, 2000 * MS));
	for (int i = 0; i < 3; i++) {
		CHECK_OK(conf_wait1(t[i], 2000 * MS));
		dk->DkObjectClose(t[i]);
	}
	CHECK(g_se.woke == 3, "woke %d of 3", g_se.woke);
	dk->DkObjectClose(g_se.ev);
	dk->DkObjectClose(g_se.done_sem);
}

static void event_clear(void)
{
	DK_HANDLE n, s;
	int set = -1;
	CHECK_OK(dk->DkNotificationEventCreate(1, &n));
	CHECK_OK(dk->DkSynchronizationEventCreate(1, &s));
	CHECK_OK(dk->DkEventClear(n));
	CHECK_OK(dk->DkEventClear(s));
	CHECK_OK(dk->DkEventPeek(n, &set));
	CHECK(set == 0, "cleared notification event peeks %d", set);
	CHECK_OK(dk->DkEventPeek(s, &set));
	CHECK(set == 0, "cleared synchronization event peeks %d", set);
	DK_HANDLE both[2] = {n, s};
	size_t idx;
	CHECK_RC(dk->DkObjectsWaitAny(2, both, 10 * MS, &idx), E(TIMEOUT));
	CHECK_OK(dk->DkEventClear(n)); /* clearing a clear event is fine */
	CHECK_OK(dk->DkEventSet(s));
	CHECK_OK(dk->DkObjectsWaitAny(2, both, 10 * MS, &idx));
	CHECK(idx == 1, "index %zu, want 1", idx);
	dk->DkObjectClose(n);
	dk->DkObjectClose(s);
}

static void event_errors(void)
{
	DK_HANDLE s, e;
	int set;
	CHECK_RC(dk->DkNotificationEventCreate(0, (DK_HANDLE *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkSynchronizationEventCreate(0, NULL), E(BAD_POINTER));
	CHECK_RC(dk->DkEventSet(FORGED_HANDLE), E(BAD_HANDLE));
	CHECK_RC(dk->DkEventClear(FORGED_HANDLE), E(BAD_HANDLE));
	CHECK_RC(dk->DkEventPeek(FORGED_HANDLE, &set), E(BAD_HANDLE));
	CHECK_OK(dk->DkSemaphoreCreate(1, 1, &s));
	CHECK_RC(dk->DkEventSet(s), E(BAD_HANDLE));
	CHECK_RC(dk->DkEventClear(s), E(BAD_HANDLE));
	CHECK_RC(dk->DkEventPeek(s, &set), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkEventPeek(e, (int *)8), E(BAD_POINTER));
	CHECK_OK(dk->DkObjectClose(e));
	CHECK_RC(dk->DkEventSet(e), E(BAD_HANDLE));
	CHECK_RC(dk->DkEventClear(e), E(BAD_HANDLE));
	CHECK_RC(dk->DkEventPeek(e, &set), E(BAD_HANDLE));
	dk->DkObjectClose(s);
}

/* ---- semaphores ---------------------------------------------------------- */
static void semaphore_counts(void)
{
	DK_HANDLE s;
	uint32_t c = 99, prev = 99;
	CHECK_OK(dk->DkSemaphoreCreate(2, 3, &s));
	CHECK_OK(dk->DkSemaphorePeek(s, &c));
	CHECK(c == 2, "initial count %u, want 2", c);
	CHECK_OK(conf_wait1(s, 0));
	CHECK_OK(dk->DkSemaphorePeek(s, &c));
	CHECK(c == 1, "count after a wait %u, want 1", c);
	CHECK_OK(dk->DkSemaphoreRelease(s, 2, &prev));
	CHECK(prev == 1, "previous count %u, want 1", prev);
	CHECK_OK(dk->DkSemaphorePeek(s, &c));
	CHECK(c == 3, "count %u, want 3", c);
	CHECK_OK(conf_wait1(s, 0));
	CHECK_OK(conf_wait1(s, 0));
	CHECK_OK(conf_wait1(s, 0));
	CHECK_RC(conf_wait1(s, 10 * MS), E(TIMEOUT));
	CHECK_OK(dk->DkSemaphorePeek(s, &c));
	CHECK(c == 0, "count %u, want 0", c);
	CHECK_OK(dk->DkSemaphoreRelease(s, 1, NULL)); /* previous is optional */
	CHECK_OK(dk->DkObjectClose(s));
}

static void semaphore_limits(void)
{
	DK_HANDLE s;
	uint32_t c = 0, prev = 77;
	CHECK_OK(dk->DkSemaphoreCreate(2, 3, &s));
	CHECK_RC(dk->DkSemaphoreRelease(s, 2, &prev), E(LIMIT));
	CHECK(prev == 77, "previous written on failure");
	CHECK_OK(dk->DkSemaphorePeek(s, &c));
	CHECK(c == 2, "count changed by a refused release: %u", c);
	CHECK_OK(dk->DkSemaphoreRelease(s, 1, &prev));
	CHECK_RC(dk->DkSemaphoreRelease(s, 1, NULL), E(LIMIT));
	CHECK_RC(dk->DkSemaphoreRelease(s, 0xffffffffu, NULL), E(LIMIT));
	CHECK_OK(dk->DkSemaphorePeek(s, &c));
	CHECK(c == 3, "count %u, want 3", c);
	CHECK_OK(dk->DkObjectClose(s));

	DK_HANDLE s2 = 0;
	CHECK_RC(dk->DkSemaphoreCreate(4, 3, &s2), E(INVALID));
	CHECK(s2 == 0, "handle written on failure");
	CHECK_RC(dk->DkSemaphoreCreate(0, 0, &s2), E(INVALID));
	CHECK_RC(dk->DkSemaphoreCreate(0, 1, (DK_HANDLE *)8), E(BAD_POINTER));
	/* a large maximum works */
	CHECK_OK(dk->DkSemaphoreCreate(1000000, 2000000, &s2));
	CHECK_OK(dk->DkSemaphoreRelease(s2, 1000000, &prev));
	CHECK(prev == 1000000, "previous %u", prev);
	CHECK_OK(dk->DkSemaphorePeek(s2, &c));
	CHECK(c == 2000000, "count %u", c);
	CHECK_OK(dk->DkObjectClose(s2));
}

static void semaphore_errors(void)
{
	DK_HANDLE e;
	uint32_t c;
	CHECK_RC(dk->DkSemaphoreRelease(FORGED_HANDLE, 1, NULL), E(BAD_HANDLE));
	CHECK_RC(dk->DkSemaphorePeek(FORGED_HANDLE, &c), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkSemaphoreRelease(e, 1, NULL), E(BAD_HANDLE));
	CHECK_RC(dk->DkSemaphorePeek(e, &c), E(BAD_HANDLE));
	dk->DkObjectClose(e);
	DK_HANDLE s;
	CHECK_OK(dk->DkSemaphoreCreate(0, 5, &s));
	CHECK_RC(dk->DkSemaphorePeek(s, (uint32_t *)8), E(BAD_POINTER));
	CHECK_OK(dk->DkObjectClose(s));
	CHECK_RC(dk->DkSemaphorePeek(s, &c), E(BAD_HANDLE));
}

/* producers and consumers: no unit lost or duplicated */
static struct {
	DK_HANDLE sem;
	volatile int taken;
} g_pc;

static void pc_consumer(void *param)
{
	(void)param;
	for (;;) {
		if (conf_wait1(g_pc.sem, 200 * MS) != 0)
			break;
		__atomic_add_fetch(&g_pc.taken, 1, __ATOMIC_SEQ_CST);
	}
	dk->DkThreadExit(0);
}

static void semaphore_threads(void)
{
	DK_HANDLE t[4];
	g_pc.taken = 0;
	CHECK_OK(dk->DkSemaphoreCreate(0, 1000, &g_pc.sem));
	for (int i = 0; i < 4; i++)
		CHECK_OK(conf_thread(pc_consumer, NULL, &t[i]));
	for (int i = 0; i < 500; i++) {
		int rc = dk->DkSemaphoreRelease(g_pc.sem, 1, NULL);
		CHECK(rc == 0, "release %d gave %d (%s)", i, rc, conf_errname(rc));
		if (i % 50 == 0)
			dk->DkThreadYieldExecution();
	}
	for (int i = 0; i < 4; i++) {
		CHECK_OK(conf_wait1(t[i], 5000 * MS));
		dk->DkObjectClose(t[i]);
	}
	uint32_t c = 9;
	CHECK_OK(dk->DkSemaphorePeek(g_pc.sem, &c));
	CHECK(g_pc.taken == 500 && c == 0, "consumers took %d of 500, %u left", g_pc.taken, c);
	dk->DkObjectClose(g_pc.sem);
}

/* ---- DkObjectsWaitAny ---------------------------------------------------- */
static void wait_timeout(void)
{
	DK_HANDLE e;
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	uint64_t req[] = {1 * MS, 30 * MS, 120 * MS};
	for (size_t i = 0; i < 3; i++) {
		size_t idx = 77;
		uint64_t a = conf_now();
		CHECK_RC(dk->DkObjectsWaitAny(1, &e, req[i], &idx), E(TIMEOUT));
		uint64_t el = conf_now() - a;
		CHECK(el >= req[i] * 1000, "timeout of %llu us returned after %llu ns",
		      (unsigned long long)req[i], (unsigned long long)el);
		CHECK(el < req[i] * 1000 + 500000000ull, "timeout of %llu us took %llu ns",
		      (unsigned long long)req[i], (unsigned long long)el);
		CHECK(idx == 77, "index written on timeout");
	}
	/* timeout 0 polls */
	uint64_t a = conf_now();
	CHECK_RC(conf_wait1(e, 0), E(TIMEOUT));
	CHECK(conf_now() - a < 100000000ull, "a zero timeout blocked");
	dk->DkObjectClose(e);
}

static void wait_index(void)
{
	DK_HANDLE h[5];
	size_t idx = 99;
	for (int i = 0; i < 5; i++)
		CHECK_OK(dk->DkNotificationEventCreate(0, &h[i]));
	CHECK_OK(dk->DkEventSet(h[3]));
	CHECK_OK(dk->DkObjectsWaitAny(5, h, 100 * MS, &idx));
	CHECK(idx == 3, "signaled index %zu, want 3", idx);
	CHECK_OK(dk->DkEventSet(h[1]));
	CHECK_OK(dk->DkObjectsWaitAny(2, h, 100 * MS, &idx));
	CHECK(idx == 1, "signaled index %zu, want 1", idx);
	/* the same handle twice is allowed */
	DK_HANDLE dup[2] = {h[0], h[0]};
	CHECK_RC(dk->DkObjectsWaitAny(2, dup, 0, &idx), E(TIMEOUT));
	for (int i = 0; i < 5; i++)
		dk->DkObjectClose(h[i]);
}

static void wait_many(void)
{
	enum { N = 64 };
	static DK_HANDLE h[N];
	size_t idx = 999;
	for (int i = 0; i < N; i++)
		CHECK_OK(dk->DkSynchronizationEventCreate(0, &h[i]));
	CHECK_RC(dk->DkObjectsWaitAny(N, h, 0, &idx), E(TIMEOUT));
	CHECK_OK(dk->DkEventSet(h[N - 1]));
	CHECK_OK(dk->DkObjectsWaitAny(N, h, 1000 * MS, &idx));
	CHECK(idx == N - 1, "index %zu, want %d", idx, N - 1);
	CHECK_OK(dk->DkEventSet(h[17]));
	CHECK_OK(dk->DkObjectsWaitAny(N, h, 1000 * MS, &idx));
	CHECK(idx == 17, "index %zu, want 17", idx);
	for (int i = 0; i < N; i++)
		dk->DkObjectClose(h[i]);
}

static void wait_errors(void)
{
	DK_HANDLE e;
	size_t idx;
	CHECK_OK(dk->DkNotificationEventCreate(1, &e));
	CHECK_RC(dk->DkObjectsWaitAny(0, &e, 0, &idx), E(INVALID));
	CHECK_RC(dk->DkObjectsWaitAny(1, (const DK_HANDLE *)8, 0, &idx), E(BAD_POINTER));
	CHECK_RC(dk->DkObjectsWaitAny(1, &e, 0, (size_t *)8), E(BAD_POINTER));
	DK_HANDLE two[2] = {e, FORGED_HANDLE};
	CHECK_RC(dk->DkObjectsWaitAny(2, two, 0, &idx), E(BAD_HANDLE));
	two[1] = DK_HANDLE_NONE;
	CHECK_RC(dk->DkObjectsWaitAny(2, two, 0, &idx), E(BAD_HANDLE));
	int rc = dk->DkObjectsWaitAny((size_t)1 << 40, &e, 0, &idx);
	CHECK(rc < 0 && rc != E(TIMEOUT), "a count of 2^40 handles gave %d (%s)", rc,
	      conf_errname(rc));
	DK_HANDLE closed;
	CHECK_OK(dk->DkNotificationEventCreate(1, &closed));
	CHECK_OK(dk->DkObjectClose(closed));
	CHECK_RC(conf_wait1(closed, 0), E(BAD_HANDLE));
	dk->DkObjectClose(e);
}

/* a waiter blocked forever is woken by a set from another thread */
static struct {
	DK_HANDLE ev;
	uint64_t set_at;
} g_wk;

static void waker(void *param)
{
	(void)param;
	dk->DkThreadDelayExecution(50 * MS, NULL);
	g_wk.set_at = conf_now();
	dk->DkEventSet(g_wk.ev);
	dk->DkThreadExit(0);
}

static void wait_woken_by_thread(void)
{
	DK_HANDLE t;
	CHECK_OK(dk->DkNotificationEventCreate(0, &g_wk.ev));
	g_wk.set_at = 0;
	CHECK_OK(conf_thread(waker, NULL, &t));
	uint64_t a = conf_now();
	CHECK_OK(conf_wait1(g_wk.ev, DK_WAIT_INFINITE));
	uint64_t b = conf_now();
	CHECK(g_wk.set_at != 0 && b >= g_wk.set_at, "woke before the set");
	CHECK(b - a < 2000000000ull, "wake-up took %llu ns", (unsigned long long)(b - a));
	CHECK_OK(conf_wait1(t, 2000 * MS));
	dk->DkObjectClose(t);
	dk->DkObjectClose(g_wk.ev);
}

/* ---- DkObjectsWaitAny over every kind of waitable object ------------------ */
static struct {
	DK_HANDLE gate;
} g_mix;

static void mix_thread(void *param)
{
	(void)param;
	conf_wait1(g_mix.gate, 10000 * MS);
	dk->DkThreadExit(3);
}

static void wait_mix(void)
{
	DK_HANDLE ev, sem, thr, proc, srv, acc, cli;
	size_t idx = 99;
	static const char *const args[] = {"child-echo", NULL};
	CHECK_OK(dk->DkNotificationEventCreate(0, &ev));
	CHECK_OK(dk->DkSemaphoreCreate(0, 5, &sem));
	CHECK_OK(dk->DkNotificationEventCreate(0, &g_mix.gate));
	CHECK_OK(conf_thread(mix_thread, NULL, &thr));
	CHECK_OK(dk->DkProcessCreate(NULL, args, &proc));
	CHECK_OK(conf_pipe_pair(&srv, &acc, &cli));

	DK_HANDLE all[5] = {ev, sem, thr, proc, acc};
	CHECK_RC(dk->DkObjectsWaitAny(5, all, 30 * MS, &idx), E(TIMEOUT));

	CHECK_OK(dk->DkSemaphoreRelease(sem, 1, NULL));
	CHECK_OK(dk->DkObjectsWaitAny(5, all, 2000 * MS, &idx));
	CHECK(idx == 1, "semaphore: index %zu, want 1", idx);
	CHECK_RC(dk->DkObjectsWaitAny(5, all, 0, &idx), E(TIMEOUT)); /* the unit was taken */

	CHECK_OK(conf_write_all(cli, 0, "x", 1));
	CHECK_OK(dk->DkObjectsWaitAny(5, all, 2000 * MS, &idx));
	CHECK(idx == 4, "stream: index %zu, want 4", idx);
	char c = 0;
	size_t n = 1;
	CHECK_OK(dk->DkStreamRead(acc, 0, &c, &n));
	CHECK(n == 1 && c == 'x', "read back %zu bytes", n);
	CHECK_RC(dk->DkObjectsWaitAny(5, all, 0, &idx), E(TIMEOUT));

	CHECK_OK(dk->DkEventSet(g_mix.gate));
	CHECK_OK(dk->DkObjectsWaitAny(5, all, 2000 * MS, &idx));
	CHECK(idx == 2, "thread: index %zu, want 2", idx);

	DK_HANDLE rest[4] = {ev, sem, proc, acc};
	CHECK_RC(dk->DkObjectsWaitAny(4, rest, 0, &idx), E(TIMEOUT));
	CHECK_OK(conf_write_all(proc, 0, "bye", 3)); /* the child echoes and exits */
	CHECK_OK(dk->DkObjectsWaitAny(4, rest, 5000 * MS, &idx));
	CHECK(idx == 2, "process: index %zu, want 2", idx);
	char echo[8];
	CHECK_OK(conf_read_full(proc, 0, echo, 3, &n));
	CHECK(n == 3 && memcmp(echo, "bye", 3) == 0, "child echoed %zu bytes", n);

	DK_HANDLE last[3] = {ev, sem, acc};
	CHECK_RC(dk->DkObjectsWaitAny(3, last, 0, &idx), E(TIMEOUT));
	CHECK_OK(dk->DkEventSet(ev));
	CHECK_OK(dk->DkObjectsWaitAny(3, last, 0, &idx));
	CHECK(idx == 0, "event: index %zu, want 0", idx);

	dk->DkObjectClose(ev);
	dk->DkObjectClose(sem);
	dk->DkObjectClose(thr);
	dk->DkObjectClose(proc);
	dk->DkObjectClose(srv);
	dk->DkObjectClose(acc);
	dk->DkObjectClose(cli);
	dk->DkObjectClose(g_mix.gate);
}

/* ---- DkAbortEventRegister ------------------------------------------------ */
static void abort_register(void)
{
	DK_HANDLE e, s;
	int set = -1;
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_OK(dk->DkAbortEventRegister(e));
	CHECK_OK(dk->DkEventPeek(e, &set));
	CHECK(set == 0, "abort event set without an abort");
	CHECK_RC(dk->DkAbortEventRegister(FORGED_HANDLE), E(BAD_HANDLE));
	CHECK_OK(dk->DkSemaphoreCreate(0, 1, &s));
	CHECK_RC(dk->DkAbortEventRegister(s), E(BAD_HANDLE));
	dk->DkObjectClose(s);
	/* closing a registered event must be safe (the PAL keeps or drops it) */
	CHECK_OK(dk->DkObjectClose(e));
	CHECK_RC(dk->DkAbortEventRegister(e), E(BAD_HANDLE));
}

int conf_abort_wait_main(void)
{
	DK_HANDLE e;
	int rc = dk->DkNotificationEventCreate(0, &e);
	if (rc == 0)
		rc = dk->DkAbortEventRegister(e);
	if (rc < 0) {
		conf_out("abort-wait: register failed: %d (%s)\n", rc, conf_errname(rc));
		return 1;
	}
	conf_out("READY\n");
	rc = conf_wait1(e, 10000 * MS);
	if (rc == 0) {
		conf_out("abort event set\n");
		return 0;
	}
	int set = -1;
	dk->DkEventPeek(e, &set);
	conf_out("abort-wait: wait gave %d (%s); the abort event is %s\n", rc, conf_errname(rc),
		 set == 1 ? "set" : set == 0 ? "not set" : "unknown");
	return 1;
}

const struct conf_case conf_cases_sync[] = {
	{"DkNotificationEventCreate.stays_set", notification_event},
	{"DkSynchronizationEventCreate.auto_reset", synchronization_event},
	{"DkEventSet.wakes_one_sync_waiter", synchronization_event_one_waiter},
	{"DkEventClear.resets", event_clear},
	{"DkEventPeek.errors", event_errors},
	{"DkSemaphoreCreate.counts", semaphore_counts},
	{"DkSemaphoreRelease.limit", semaphore_limits},
	{"DkSemaphorePeek.errors", semaphore_errors},
	{"DkSemaphoreRelease.threads", semaphore_threads},
	{"DkObjectsWaitAny.timeout", wait_timeout},
	{"DkObjectsWaitAny.index", wait_index},
	{"DkObjectsWaitAny.64_handles", wait_many},
	{"DkObjectsWaitAny.errors", wait_errors},
	{"DkObjectsWaitAny.woken_by_thread", wait_woken_by_thread},
	{"DkObjectsWaitAny.mix", wait_mix},
	{"DkAbortEventRegister.register", abort_register},
	{NULL, NULL},
};
