/*
 * Conformance: DkThreadCreate, DkThreadExit, DkThreadGetParameter,
 * DkThreadDelayExecution, DkThreadYieldExecution.
 */
#include "conf.h"

static struct tp {
	volatile int ran;
	volatile int after_exit;
	void *volatile got_param;
	volatile int get_rc;
	volatile int bad_rc;
	volatile int stack_ok;
} g_tp;

static void basic_thread(void *param)
{
	void *p = NULL;
	g_tp.get_rc = dk->DkThreadGetParameter(&p);
	g_tp.got_param = p;
	g_tp.bad_rc = dk->DkThreadGetParameter((void **)8);
	/* use a decent amount of stack */
	volatile char big[64 * 1024];
	for (size_t i = 0; i < sizeof(big); i += 512)
		big[i] = (char)i;
	g_tp.stack_ok = big[512] == (char)512;
	g_tp.ran = param == (void *)&g_tp ? 1 : 2;
	/* through a pointer the compiler cannot treat as noreturn, so the store
	 * after it is really there */
	void (*volatile ex)(int) = (void (*)(int))dk->DkThreadExit;
	ex(7);
	g_tp.after_exit = 1;
	dk->DkThreadExit(8);
}

static void create_and_wait(void)
{
	DK_HANDLE t;
	memset((void *)&g_tp, 0, sizeof(g_tp));
	g_tp.get_rc = 99;
	int starts = g_thread_starts;
	CHECK_OK(dk->DkThreadCreate(basic_thread, &g_tp, 0, &t));
	CHECK(t != DK_HANDLE_NONE, "thread handle is NONE");
	CHECK_OK(conf_wait1(t, 5000 * MS));
	CHECK(g_tp.ran == 1, "thread did not run (ran=%d)", g_tp.ran);
	CHECK(g_thread_starts == starts + 1, "LibOsThreadStart ran %d times for one thread",
	      g_thread_starts - starts);
	CHECK(g_tp.stack_ok, "thread stack");
	/* the handle stays signaled */
	CHECK_OK(conf_wait1(t, 0));
	CHECK_OK(dk->DkObjectClose(t));
	CHECK_RC(conf_wait1(t, 0), E(BAD_HANDLE));
}

static void get_parameter(void)
{
	DK_HANDLE t;
	memset((void *)&g_tp, 0, sizeof(g_tp));
	g_tp.get_rc = 99;
	CHECK_OK(dk->DkThreadCreate(basic_thread, &g_tp, 0, &t));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK(g_tp.get_rc == 0, "DkThreadGetParameter gave %d (%s)", g_tp.get_rc,
	      conf_errname(g_tp.get_rc));
	CHECK(g_tp.got_param == &g_tp, "parameter %p, want %p", g_tp.got_param, (void *)&g_tp);
	CHECK(g_tp.bad_rc == E(BAD_POINTER), "DkThreadGetParameter((void**)8) gave %d (%s)",
	      g_tp.bad_rc, conf_errname(g_tp.bad_rc));
}

static void exit_stops_thread(void)
{
	DK_HANDLE t;
	memset((void *)&g_tp, 0, sizeof(g_tp));
	CHECK_OK(dk->DkThreadCreate(basic_thread, &g_tp, 0, &t));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkThreadDelayExecution(20 * MS, NULL);
	CHECK(g_tp.ran == 1, "thread did not run");
	CHECK(g_tp.after_exit == 0, "code after DkThreadExit ran");
	dk->DkObjectClose(t);
}

/* many threads at once */
static struct {
	DK_HANDLE go;
	volatile int count;
	volatile int params_ok;
} g_many;

static void many_thread(void *param)
{
	void *p = NULL;
	conf_wait1(g_many.go, 5000 * MS);
	if (dk->DkThreadGetParameter(&p) == 0 && p == param)
		__atomic_add_fetch(&g_many.params_ok, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&g_many.count, 1, __ATOMIC_SEQ_CST);
	dk->DkThreadExit((int)(uintptr_t)param);
}

static void create_many(void)
{
	enum { N = 24 };
	static DK_HANDLE t[N];
	g_many.count = 0;
	g_many.params_ok = 0;
	int starts = g_thread_starts;
	CHECK_OK(dk->DkNotificationEventCreate(0, &g_many.go));
	for (int i = 0; i < N; i++)
		CHECK_OK(dk->DkThreadCreate(many_thread, (void *)(uintptr_t)(i + 100), 0, &t[i]));
	for (int i = 0; i < N; i++)
		for (int j = 0; j < i; j++)
			CHECK(t[i] != t[j], "two threads got handle %llx", (unsigned long long)t[i]);
	dk->DkThreadDelayExecution(10 * MS, NULL);
	CHECK(g_many.count == 0, "threads ran past the gate");
	/* none has exited yet */
	size_t idx;
	CHECK_RC(dk->DkObjectsWaitAny(N, t, 0, &idx), E(TIMEOUT));
	CHECK_OK(dk->DkEventSet(g_many.go));
	for (int i = 0; i < N; i++) {
		CHECK_OK(conf_wait1(t[i], 5000 * MS));
		dk->DkObjectClose(t[i]);
	}
	CHECK(g_many.count == N, "%d of %d threads ran", g_many.count, N);
	CHECK(g_many.params_ok == N, "%d of %d threads saw their parameter", g_many.params_ok, N);
	CHECK(g_thread_starts - starts == N, "LibOsThreadStart ran %d times for %d threads",
	      g_thread_starts - starts, N);
	dk->DkObjectClose(g_many.go);
}

static struct {
	DK_HANDLE go, done;
	volatile int ran;
} g_cl;

static void detached_thread(void *param)
{
	(void)param;
	if (conf_wait1(g_cl.go, 5000 * MS) == 0)
		g_cl.ran = 1;
	dk->DkEventSet(g_cl.done);
	dk->DkThreadExit(0);
}

static void close_running_thread(void)
{
	DK_HANDLE t;
	g_cl.ran = 0;
	CHECK_OK(dk->DkNotificationEventCreate(0, &g_cl.go));
	CHECK_OK(dk->DkNotificationEventCreate(0, &g_cl.done));
	CHECK_OK(conf_thread(detached_thread, NULL, &t));
	/* closing the handle neither stops nor disturbs the thread */
	CHECK_OK(dk->DkObjectClose(t));
	CHECK_OK(dk->DkEventSet(g_cl.go));
	CHECK_OK(conf_wait1(g_cl.done, 5000 * MS));
	CHECK(g_cl.ran == 1, "thread did not run on after its handle was closed");
	dk->DkThreadDelayExecution(10 * MS, NULL);
	dk->DkObjectClose(g_cl.go);
	dk->DkObjectClose(g_cl.done);
}

static void noop_thread(void *param)
{
	(void)param;
	dk->DkThreadExit(0);
}

static void create_errors(void)
{
	DK_HANDLE t = 0;
	CHECK_RC(dk->DkThreadCreate(NULL, NULL, 0, &t), E(INVALID));
	CHECK_RC(dk->DkThreadCreate(noop_thread, NULL, 0x8000, &t), E(INVALID));
	CHECK(t == 0, "handle written on failure");
	CHECK_RC(dk->DkThreadCreate(noop_thread, NULL, 0, (DK_HANDLE *)8), E(BAD_POINTER));
}

/* the first thread's handle is waitable and not signaled while it runs */
static struct {
	volatile int rc;
} g_ft;

static void first_thread_waiter(void *param)
{
	(void)param;
	g_ft.rc = conf_wait1(g_start->first_thread, 20 * MS);
	dk->DkThreadExit(0);
}

static void first_thread_handle(void)
{
	DK_HANDLE t;
	g_ft.rc = 99;
	CHECK_OK(conf_thread(first_thread_waiter, NULL, &t));
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK(g_ft.rc == E(TIMEOUT), "wait on the running first thread gave %d (%s)", g_ft.rc,
	      conf_errname(g_ft.rc));
}

/* ---- DkThreadDelayExecution ---------------------------------------------- */
static void delay_elapsed(void)
{
	uint64_t want[] = {1 * MS, 20 * MS, 100 * MS};
	for (int i = 0; i < 3; i++) {
		uint64_t rem = 12345;
		uint64_t a = conf_now();
		CHECK_OK(dk->DkThreadDelayExecution(want[i], &rem));
		uint64_t el = conf_now() - a;
		CHECK(el >= want[i] * 1000, "delay of %llu us returned after %llu ns",
		      (unsigned long long)want[i], (unsigned long long)el);
		CHECK(el < want[i] * 1000 + 500000000ull, "delay of %llu us took %llu ns",
		      (unsigned long long)want[i], (unsigned long long)el);
		/* remaining is written only when interrupted (or as 0) */
		CHECK(rem == 0 || rem == 12345, "remaining %llu after a full delay",
		      (unsigned long long)rem);
	}
	uint64_t a = conf_now();
	CHECK_OK(dk->DkThreadDelayExecution(0, NULL));
	CHECK(conf_now() - a < 100000000ull, "zero delay blocked");
	CHECK_RC(dk->DkThreadDelayExecution(1, (uint64_t *)8), E(BAD_POINTER));
}

/* ---- DkThreadYieldExecution ---------------------------------------------- */
static struct {
	volatile int turn;
	volatile int rounds;
	volatile int fail;
} g_pp;

static void pong(void *param)
{
	(void)param;
	uint64_t end = conf_now() + 3000000000ull;
	while (g_pp.rounds < 200 && conf_now() < end) {
		if (g_pp.turn == 1) {
			g_pp.turn = 0;
			g_pp.rounds++;
		} else if (dk->DkThreadYieldExecution() != 0) {
			g_pp.fail = 1;
		}
	}
	dk->DkThreadExit(0);
}

static void yield_pingpong(void)
{
	DK_HANDLE t;
	for (int i = 0; i < 1000; i++)
		CHECK_OK(dk->DkThreadYieldExecution());
	g_pp.turn = 0;
	g_pp.rounds = 0;
	g_pp.fail = 0;
	CHECK_OK(conf_thread(pong, NULL, &t));
	uint64_t end = conf_now() + 3000000000ull;
	while (g_pp.rounds < 200 && conf_now() < end) {
		if (g_pp.turn == 0)
			g_pp.turn = 1;
		else
			CHECK_OK(dk->DkThreadYieldExecution());
	}
	CHECK_OK(conf_wait1(t, 5000 * MS));
	dk->DkObjectClose(t);
	CHECK(!g_pp.fail, "yield failed in the other thread");
	CHECK(g_pp.rounds >= 200, "only %d ping-pong rounds in 3 s", g_pp.rounds);
}

const struct conf_case conf_cases_thread[] = {
	{"DkThreadCreate.wait", create_and_wait},
	{"DkThreadCreate.many", create_many},
	{"DkThreadCreate.errors", create_errors},
	{"DkThreadCreate.first_thread_handle", first_thread_handle},
	{"DkThreadGetParameter.in_thread", get_parameter},
	{"DkThreadExit.stops_thread", exit_stops_thread},
	{"DkObjectClose.running_thread", close_running_thread},
	{"DkThreadDelayExecution.elapsed", delay_elapsed},
	{"DkThreadYieldExecution.pingpong", yield_pingpong},
	{NULL, NULL},
};
