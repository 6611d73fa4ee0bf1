/*
 * Timers that send signals: alarm, setitimer/getitimer (ITIMER_REAL) and
 * the POSIX timers (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete) on CLOCK_REALTIME and CLOCK_MONOTONIC
 * (and their variants), with SIGEV_SIGNAL, SIGEV_THREAD_ID and SIGEV_NONE.
 * (glibc's SIGEV_THREAD is SIGEV_THREAD_ID underneath.)
 *
 * One library OS thread (DkThreadCreate, started with the first armed
 * timer) sleeps on a synchronization event with a timeout until the
 * earliest deadline (DkObjectsWaitAny), fires what is due with
 * libos_signal_send, and rearms periodic timers.  Arming or disarming a
 * timer sets the event so the thread recomputes its deadline.
 *
 * Overruns: while a timer's signal is still queued, further expirations
 * are counted instead of queuing again; the count is reported in
 * si_overrun and by timer_getoverrun (signal.c calls libos_timer_dequeued
 * when it takes the signal).
 *
 * The same thread backs up signal delivery: a raise that reaches a thread
 * while it runs library OS code for the application outside a system call
 * (the vDSO's helpers, the way back to the application) is dropped by the
 * dispatcher, so while such a thread has a signal pending the timer thread
 * raises it again every 2 ms (libos_timer_nudge, libos_signal_nudge).
 *
 * Approximations: ITIMER_VIRTUAL and ITIMER_PROF, and CPU-time clocks for
 * timer_create, measure wall time (the Dk ABI has no CPU accounting).
 * A realtime deadline that the host clock jumps past is noticed at the
 * next wake-up of the timer thread (at most the time it planned to sleep).
 */
#include "libos.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11
#define TIMER_ABSTIME 1

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

#define SIGALRM 14
#define SIGVTALRM 26
#define SIGPROF 27

#define NS 1000000000ull
#define TIMER_MAX 1024

struct kts {
	int64_t sec, nsec;
};
struct ktv {
	int64_t sec, usec;
};
struct ksigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};
_Static_assert(sizeof(struct ksigevent) == 64, "sigevent");

struct timer {
	bool used, armed;
	uint32_t clock;       /* DK_CLOCK_* the deadline is on */
	uint64_t deadline;    /* ns on that clock */
	uint64_t interval;    /* ns; 0: one shot */
	int notify, signo, tid;
	uint64_t value;       /* sigev_value */
	int id;               /* the application's timer id; -1: ITIMER_REAL */
	bool queued;          /* its signal is pending, not yet taken */
	int overrun;          /* expirations while queued */
	int last_overrun;     /* timer_getoverrun */
};

#define timer_lock (libos_proc.locks.timer) /* on the page fork writes anyway */
static struct timer *timers[TIMER_MAX]; /* POSIX timers, by id */
static int timers_top;                   /* ids from here on never used */
static struct timer itimers[3];         /* setitimer: real, virtual, prof */
static DK_HANDLE timer_event;
static DK_HANDLE timer_thread;

static uint64_t now_on(uint32_t clock)
{
	return libos_time_ns(clock);
}

/* ---- the timer thread ------------------------------------------------------------ */
struct fire {
	int tid; /* 0: the process */
	int sig;
	struct libos_siginfo info;
};

/* Checks t against now; adds a signal to send to fires.  Under timer_lock. */
static void check(struct timer *t, struct fire *fires, int *nfires, int max, uint64_t *sleep_ns)
{
	if (!t->used || !t->armed)
		return;
	uint64_t now = now_on(t->clock);
	if (now >= t->deadline) {
		uint64_t missed = 0;
		if (t->interval) {
			missed = (now - t->deadline) / t->interval;
			t->deadline += (missed + 1) * t->interval;
		} else {
			t->armed = false;
		}
		if (t->notify != SIGEV_NONE) {
			if (t->queued || *nfires >= max) {
				t->overrun += (int)(missed + 1);
			} else {
				struct fire *f = &fires[(*nfires)++];
				memset(f, 0, sizeof(*f));
				f->sig = t->signo;
				f->tid = (t->notify & SIGEV_THREAD_ID) ? t->tid : 0;
				f->info.si_signo = t->signo;
				if (t->id < 0) {
					f->info.si_code = LIBOS_SI_KERNEL;
				} else {
					f->info.si_code = LIBOS_SI_TIMER;
					f->info.u.timer.tid = t->id;
					f->info.u.timer.value = t->value;
					t->queued = true;
				}
				t->overrun = (int)missed;
			}
		}
		if (!t->armed)
			return;
		now = now_on(t->clock);
	}
	uint64_t left = t->deadline > now ? t->deadline - now : 0;
	if (left < *sleep_ns)
		*sleep_ns = left;
}

#define NUDGE_NS 2000000ull

static void timer_main(void *param)
{
	uint64_t nudge_at = 0;
	(void)param;
	for (;;) {
		struct fire fires[16];
		int nfires = 0;
		/* A signal from outside that landed on this thread. */
		if (libos_signal_incoming_any())
			libos_signal_drain();
		uint64_t sleep_ns = UINT64_MAX;
		libos_lock(&timer_lock);
		for (int i = 0; i < 3; i++)
			check(&itimers[i], fires, &nfires, 16, &sleep_ns);
		for (int i = 0; i < timers_top; i++)
			if (timers[i])
				check(timers[i], fires, &nfires, 16, &sleep_ns);
		libos_unlock(&timer_lock);
		for (int i = 0; i < nfires; i++) {
			if (!fires[i].tid)
				libos_signal_send(NULL, fires[i].sig, &fires[i].info);
			else if (libos_signal_send_tid(fires[i].tid, fires[i].sig, &fires[i].info) < 0)
				libos_timer_dequeued(&fires[i].info); /* the thread is gone */
		}
		if (nfires == 16)
			sleep_ns = 0; /* more may be due */
		/* Signals not taken yet by threads running application code:
		 * raise them again every NUDGE_NS (see libos_timer_nudge). */
		uint64_t now = libos_time_ns(DK_CLOCK_MONOTONIC);
		if (libos_signal_nudge(nudge_at && now >= nudge_at)) {
			if (!nudge_at || now >= nudge_at)
				nudge_at = now + NUDGE_NS;
			if (nudge_at - now < sleep_ns)
				sleep_ns = nudge_at - now;
		} else {
			nudge_at = 0;
		}
		uint64_t us = sleep_ns == UINT64_MAX ? DK_WAIT_INFINITE : (sleep_ns + 999) / 1000;
		dk->DkObjectsWaitAny(1, &timer_event, us, NULL);
	}
}

/* Makes sure the thread runs and looks at the timers again.  Under
 * timer_lock. */
static long kick(void)
{
	if (!timer_event) {
		if (dk->DkSynchronizationEventCreate(0, &timer_event) < 0)
			return -EAGAIN;
	}
	if (!timer_thread) {
		int rc = dk->DkThreadCreate(timer_main, NULL, DK_THREAD_NO_SIGNALS, &timer_thread);
		if (rc < 0) {
			timer_thread = DK_HANDLE_NONE;
			return -EAGAIN;
		}
	}
	dk->DkEventSet(timer_event);
	return 0;
}

void libos_timer_nudge(void)
{
	libos_lock(&timer_lock);
	kick();
	libos_unlock(&timer_lock);
}

void libos_timer_dequeued(struct libos_siginfo *info)
{
	if (info->si_code != LIBOS_SI_TIMER)
		return;
	libos_lock(&timer_lock);
	int id = info->u.timer.tid;
	struct timer *t = id >= 0 && id < TIMER_MAX ? timers[id] : NULL;
	if (t) {
		t->queued = false;
		t->last_overrun = t->overrun;
		t->overrun = 0;
		info->u.timer.overrun = t->last_overrun;
	}
	libos_unlock(&timer_lock);
}

/* ---- arming ------------------------------------------------------------------------- */
static uint64_t ts_ns(const struct kts *ts)
{
	if (ts->sec >= (int64_t)(UINT64_MAX / NS / 4))
		return UINT64_MAX / 4;
	return (uint64_t)ts->sec * NS + (uint64_t)ts->nsec;
}

static struct kts ns_ts(uint64_t ns)
{
	struct kts ts = {(int64_t)(ns / NS), (int64_t)(ns % NS)};
	return ts;
}

/* Sets value (ns from now, or absolute) and interval; writes the old ones. */
static long arm(struct timer *t, uint64_t value, bool abs, uint64_t interval, uint64_t *old_value,
		uint64_t *old_interval)
{
	uint64_t now = now_on(t->clock);
	if (old_value)
		*old_value = t->armed ? (t->deadline > now ? t->deadline - now : 1) : 0;
	if (old_interval)
		*old_interval = t->armed ? t->interval : 0;
	t->interval = interval;
	if (!value && !abs) {
		t->armed = false;
		return 0;
	}
	if (abs && !value) {
		t->armed = false; /* an all-zero it_value disarms, absolute or not */
		return 0;
	}
	t->deadline = abs ? value : now + value;
	t->armed = true;
	t->overrun = 0;
	return kick();
}

/* ---- setitimer / alarm ---------------------------------------------------------------- */
static void itimers_init(void)
{
	static const int sigs[3] = {SIGALRM, SIGVTALRM, SIGPROF};
	for (int i = 0; i < 3; i++) {
		if (itimers[i].used)
			continue;
		itimers[i].used = true;
		itimers[i].clock = DK_CLOCK_MONOTONIC;
		itimers[i].notify = SIGEV_SIGNAL;
		itimers[i].signo = sigs[i];
		itimers[i].id = -1;
	}
}

static struct ktv ns_tv(uint64_t ns)
{
	struct ktv tv = {(int64_t)(ns / NS), (int64_t)((ns % NS + 999) / 1000)};
	if (tv.usec == 1000000)
		tv.sec++, tv.usec = 0;
	return tv;
}

LIBOS_SYSCALL(setitimer)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct ktv nv[2] = {{0, 0}, {0, 0}}; /* interval, value */
	if (a0 < ITIMER_REAL || a0 > ITIMER_PROF)
		return -EINVAL;
	if (a1) {
		if (libos_copy_from_user(nv, (const void *)a1, sizeof(nv)) < 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (nv[i].sec < 0 || nv[i].usec < 0 || nv[i].usec >= 1000000)
				return -EINVAL;
	}
	uint64_t interval = (uint64_t)nv[0].sec * NS + (uint64_t)nv[0].usec * 1000;
	uint64_t value = (uint64_t)nv[1].sec * NS + (uint64_t)nv[1].usec * 1000;
	uint64_t ov = 0, oi = 0;
	libos_lock(&timer_lock);
	itimers_init();
	long rc = arm(&itimers[a0], value, false, interval, &ov, &oi);
	libos_unlock(&timer_lock);
	if (rc < 0)
		return rc;
	if (a2) {
		struct ktv old[2] = {ns_tv(oi), ns_tv(ov)};
		if (libos_copy_to_user((void *)a2, old, sizeof(old)) < 0)
			return -EFAULT;
	}
	return 0;
}

LIBOS_SYSCALL(getitimer)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if (a0 < ITIMER_REAL || a0 > ITIMER_PROF)
		return -EINVAL;
	libos_lock(&timer_lock);
	itimers_init();
	struct timer *t = &itimers[a0];
	uint64_t now = now_on(t->clock);
	uint64_t v = t->armed ? (t->deadline > now ? t->deadline - now : 1) : 0;
	uint64_t i = t->armed ? t->interval : 0;
	libos_unlock(&timer_lock);
	struct ktv cur[2] = {ns_tv(i), ns_tv(v)};
	if (libos_copy_to_user((void *)a1, cur, sizeof(cur)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(alarm)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	uint64_t ov = 0;
	libos_lock(&timer_lock);
	itimers_init();
	long rc = arm(&itimers[ITIMER_REAL], (uint64_t)(unsigned)a0 * NS, false, 0, &ov, NULL);
	libos_unlock(&timer_lock);
	if (rc < 0)
		return rc;
	/* Seconds left of the old alarm, rounded to nearest, at least 1 if
	 * one was set (Linux). */
	if (!ov)
		return 0;
	uint64_t s = (ov + NS / 2) / NS;
	return s ? (long)s : 1;
}

/* ---- POSIX timers ------------------------------------------------------------------- */
static int timer_clock(long clk, uint32_t *dk_clock)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		*dk_clock = DK_CLOCK_REALTIME;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*dk_clock = DK_CLOCK_MONOTONIC;
		return 0;
	default:
		if (clk < 0 && (clk & 7) < 3) { /* CPU clocks of a process or thread */
			*dk_clock = DK_CLOCK_MONOTONIC;
			return 0;
		}
		return -EINVAL;
	}
}

LIBOS_SYSCALL(timer_create)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	uint32_t clock;
	struct ksigevent ev;
	if (timer_clock((int)a0, &clock) < 0)
		return -EINVAL;
	if (a1) {
		if (libos_copy_from_user(&ev, (const void *)a1, sizeof(ev)) < 0)
			return -EFAULT;
	} else {
		memset(&ev, 0, sizeof(ev));
		ev.notify = SIGEV_SIGNAL;
		ev.signo = SIGALRM;
	}
	switch (ev.notify) {
	case SIGEV_NONE:
		break;
	case SIGEV_SIGNAL | SIGEV_THREAD_ID:
		if (ev.tid <= 0 || !libos_thread_find(ev.tid))
			return -EINVAL;
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (ev.signo < 1 || ev.signo > 64)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	struct timer *t = libos_alloc(sizeof(*t));
	if (!t)
		return -EAGAIN;
	t->used = true;
	t->clock = clock;
	t->notify = ev.notify == SIGEV_THREAD ? SIGEV_SIGNAL : ev.notify;
	t->signo = ev.signo;
	t->tid = ev.tid;
	libos_lock(&timer_lock);
	int id = -1;
	for (int i = 0; i < TIMER_MAX; i++)
		if (!timers[i]) {
			id = i;
			break;
		}
	if (id < 0) {
		libos_unlock(&timer_lock);
		libos_free(t);
		return -EAGAIN;
	}
	t->id = id;
	t->value = a1 ? ev.value : (uint64_t)id;
	timers[id] = t;
	if (id >= timers_top)
		timers_top = id + 1;
	libos_unlock(&timer_lock);
	int32_t uid = id;
	if (libos_copy_to_user((void *)a2, &uid, sizeof(uid)) < 0) {
		libos_lock(&timer_lock);
		timers[id] = NULL;
		libos_unlock(&timer_lock);
		libos_free(t);
		return -EFAULT;
	}
	return 0;
}

static struct timer *get_timer(long id)
{
	return id >= 0 && id < TIMER_MAX ? timers[id] : NULL;
}

LIBOS_SYSCALL(timer_settime)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct kts nv[2]; /* interval, value */
	if (!a2)
		return -EINVAL;
	if (libos_copy_from_user(nv, (const void *)a2, sizeof(nv)) < 0)
		return -EFAULT;
	for (int i = 0; i < 2; i++)
		if (nv[i].sec < 0 || nv[i].nsec < 0 || nv[i].nsec >= (int64_t)NS)
			return -EINVAL;
	uint64_t ov = 0, oi = 0;
	libos_lock(&timer_lock);
	struct timer *t = get_timer(a0);
	if (!t) {
		libos_unlock(&timer_lock);
		return -EINVAL;
	}
	bool abs = (a1 & TIMER_ABSTIME) != 0;
	uint64_t value = ts_ns(&nv[1]);
	long rc;
	if (!value) {
		rc = arm(t, 0, false, ts_ns(&nv[0]), &ov, &oi);
	} else if (abs && value <= now_on(t->clock)) {
		/* Already due: fire at once. */
		rc = arm(t, 1, false, ts_ns(&nv[0]), &ov, &oi);
	} else {
		rc = arm(t, value, abs, ts_ns(&nv[0]), &ov, &oi);
	}
	libos_unlock(&timer_lock);
	if (rc < 0)
		return rc;
	if (a3) {
		struct kts old[2] = {ns_ts(oi), ns_ts(ov)};
		if (libos_copy_to_user((void *)a3, old, sizeof(old)) < 0)
			return -EFAULT;
	}
	return 0;
}

LIBOS_SYSCALL(timer_gettime)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	libos_lock(&timer_lock);
	struct timer *t = get_timer(a0);
	if (!t) {
		libos_unlock(&timer_lock);
		return -EINVAL;
	}
	uint64_t now = now_on(t->clock);
	uint64_t v = t->armed ? (t->deadline > now ? t->deadline - now : 1) : 0;
	uint64_t i = t->armed ? t->interval : 0;
	libos_unlock(&timer_lock);
	struct kts cur[2] = {ns_ts(i), ns_ts(v)};
	if (libos_copy_to_user((void *)a1, cur, sizeof(cur)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(timer_getoverrun)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	libos_lock(&timer_lock);
	struct timer *t = get_timer(a0);
	long rc = t ? t->last_overrun : -EINVAL;
	libos_unlock(&timer_lock);
	return rc;
}

LIBOS_SYSCALL(timer_delete)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	libos_lock(&timer_lock);
	struct timer *t = get_timer(a0);
	if (t)
		timers[a0] = NULL;
	libos_unlock(&timer_lock);
	if (!t)
		return -EINVAL;
	/* A signal already queued stays (its dequeue finds no timer). */
	libos_free(t);
	return 0;
}

/* fork, in the child: no timer is inherited (Linux clears alarm, interval
 * timers and POSIX timers), and the timer thread stayed with the parent. */
void libos_timer_fork_child(void)
{
	if (timer_thread)
		timer_thread = DK_HANDLE_NONE;
	for (int i = 0; i < 3; i++)
		if (itimers[i].armed || itimers[i].queued) {
			itimers[i].armed = false;
			itimers[i].queued = false;
		}
	/* Only the ids used (each page written is one more copy). */
	for (int i = 0; i < timers_top; i++)
		timers[i] = NULL; /* the parent's: leaked in the child's copy */
	if (timers_top)
		timers_top = 0;
}

void libos_timer_fork_lock(bool take)
{
	if (take)
		libos_lock(&timer_lock);
	else
		libos_unlock(&timer_lock);
}
