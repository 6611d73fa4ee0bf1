/*
 * Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
 * clock_nanosleep, getrusage, times, and the clocks nobody may set.
 *
 * Two host clocks exist (DkSystemTimeQuery): realtime and monotonic.
 * CLOCK_MONOTONIC_RAW, _COARSE and CLOCK_BOOTTIME read the monotonic
 * clock; CLOCK_REALTIME_COARSE and CLOCK_TAI the realtime one.
 * Approximation: CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID, the clock ids of pthread_getcpuclockid and
 * clock_getcpuclockid) and the CPU times of getrusage and times count
 * wall time since the process started, all of it as user time: the Dk ABI
 * has no CPU accounting.
 *
 * Sleeps wait on the thread's wake event (libos_wait), so a signal ends
 * them with -EINTR (and the time left, for relative sleeps); they are never
 * restarted (libos_syscall_restartable).
 */
#include "libos.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11
#define TIMER_ABSTIME 1

#define NS 1000000000ll
#define COARSE_NS 4000000ll /* a 250 Hz tick, as Linux reports for _COARSE */

struct kts {
	int64_t sec, nsec;
};
struct ktv {
	int64_t sec, usec;
};

uint64_t libos_start_ns;

uint64_t libos_time_ns(uint32_t dk_clock)
{
	uint64_t ns = 0;
	dk->DkSystemTimeQuery(dk_clock, &ns);
	return ns;
}

void libos_time_init(void)
{
	if (!libos_start_ns)
		libos_start_ns = libos_time_ns(DK_CLOCK_MONOTONIC);
}

/* The process's CPU time, as the host counts it (so a forked child's
 * starts at 0). */
static uint64_t cpu_ns(void)
{
	uint64_t ns = 0;
	if (dk->DkSystemTimeQuery(DK_CLOCK_PROCESS_CPU, &ns) < 0)
		return libos_time_ns(DK_CLOCK_MONOTONIC) - libos_start_ns;
	return ns;
}

/* Which host clock a Linux clock reads: 0/1 = DK_CLOCK_*, 2 = CPU time,
 * -1 = no such clock. */
static int clock_kind(long clk)
{
	if (clk < 0) {
		/* CPU clocks of a process or thread: ~pid << 3 | type, type < 3. */
		return (clk & 7) < 3 ? 2 : -1;
	}
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		return DK_CLOCK_REALTIME;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return DK_CLOCK_MONOTONIC;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return 2;
	default:
		return -1;
	}
}

static uint64_t clock_read(int kind)
{
	return kind == 2 ? cpu_ns() : libos_time_ns((uint32_t)kind);
}

static struct kts to_ts(uint64_t ns)
{
	struct kts ts = {(int64_t)(ns / NS), (int64_t)(ns % NS)};
	return ts;
}

LIBOS_SYSCALL(clock_gettime)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	int kind = clock_kind((int)a0); /* clockid_t is an int: the upper half is not ours */
	if (kind < 0)
		return -EINVAL;
	struct kts ts = to_ts(clock_read(kind));
	if (libos_copy_to_user((void *)a1, &ts, sizeof(ts)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(clock_getres)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if (clock_kind((int)a0) < 0)
		return -EINVAL;
	int clk = (int)a0;
	struct kts ts = {0, (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE) ? COARSE_NS : 1};
	if (a1 && libos_copy_to_user((void *)a1, &ts, sizeof(ts)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(gettimeofday)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if (a0) {
		uint64_t ns = libos_time_ns(DK_CLOCK_REALTIME);
		struct ktv tv = {(int64_t)(ns / NS), (int64_t)(ns % NS / 1000)};
		if (libos_copy_to_user((void *)a0, &tv, sizeof(tv)) < 0)
			return -EFAULT;
	}
	if (a1) {
		int32_t tz[2] = {0, 0}; /* UTC, no DST */
		if (libos_copy_to_user((void *)a1, tz, sizeof(tz)) < 0)
			return -EFAULT;
	}
	return 0;
}

LIBOS_SYSCALL(time)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	int64_t s = (int64_t)(libos_time_ns(DK_CLOCK_REALTIME) / NS);
	if (a0 && libos_copy_to_user((void *)a0, &s, sizeof(s)) < 0)
		return -EFAULT;
	return s;
}

/* Setting the time is the host's business. */
LIBOS_SYSCALL(settimeofday)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return -EPERM;
}

LIBOS_SYSCALL(clock_settime)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return clock_kind((int)a0) < 0 ? -EINVAL : -EPERM;
}

/* ---- sleeping ------------------------------------------------------------------ */
static long read_ts(long uptr, uint64_t *ns)
{
	struct kts ts;
	if (libos_copy_from_user(&ts, (const void *)uptr, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NS)
		return -EINVAL;
	*ns = ts.sec >= (int64_t)(UINT64_MAX / NS / 2) ? UINT64_MAX / 2 : (uint64_t)ts.sec * NS + (uint64_t)ts.nsec;
	return 0;
}

/* Sleeps until the clock `kind` reads deadline; -EINTR with *left if a
 * signal came first. */
static long sleep_until(int kind, uint64_t deadline, uint64_t *left)
{
	struct libos_thread *t = libos_current();
	for (;;) {
		uint64_t now = clock_read(kind);
		if (now >= deadline)
			return 0;
		if (t && libos_signal_pending(t)) {
			*left = deadline - now;
			return -EINTR;
		}
		uint64_t wait = deadline - now;
		long rc = libos_wait(0, NULL, wait > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)wait);
		if (rc == -EINTR && t && libos_signal_pending(t)) {
			now = clock_read(kind);
			*left = now >= deadline ? 0 : deadline - now;
			return -EINTR;
		}
		/* -ETIMEDOUT, or an interruption that brought no signal for us:
		 * check the clock again (a realtime deadline may have moved). */
	}
}

static long write_left(long uptr, uint64_t left)
{
	if (!uptr)
		return 0;
	struct kts ts = to_ts(left);
	return libos_copy_to_user((void *)uptr, &ts, sizeof(ts)) < 0 ? -EFAULT : 0;
}

LIBOS_SYSCALL(nanosleep)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	uint64_t ns, left = 0;
	long rc = read_ts(a0, &ns);
	if (rc < 0)
		return rc;
	rc = sleep_until(DK_CLOCK_MONOTONIC, libos_time_ns(DK_CLOCK_MONOTONIC) + ns, &left);
	if (rc == -EINTR && write_left(a1, left) < 0)
		return -EFAULT;
	return rc;
}

LIBOS_SYSCALL(clock_nanosleep)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int kind;
	int clk = (int)a0;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
		kind = DK_CLOCK_REALTIME;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		kind = DK_CLOCK_MONOTONIC;
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
		kind = 2;
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	default:
		if (clk < 0 && (clk & 7) < 3) {
			kind = 2;
			break;
		}
		return clock_kind((int)a0) < 0 ? -EINVAL : -EOPNOTSUPP;
	}
	uint64_t ns, left = 0, deadline;
	long rc = read_ts(a2, &ns);
	if (rc < 0)
		return rc;
	bool abs = (a1 & TIMER_ABSTIME) != 0;
	deadline = abs ? ns : clock_read(kind) + ns;
	rc = sleep_until(kind, deadline, &left);
	if (rc == -EINTR && !abs && write_left(a3, left) < 0)
		return -EFAULT;
	return rc;
}

/* ---- accounting ------------------------------------------------------------------ */
struct krusage {
	struct ktv utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
		msgrcv, nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct krusage) == 144, "struct rusage");

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

LIBOS_SYSCALL(getrusage)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	/* who is an int, as in the kernel: only the low 32 bits count (RUSAGE_CHILDREN
	 * arrived here as 0xffffffff, not -1). */
	int who = (int)a0;
	struct krusage ru;
	memset(&ru, 0, sizeof(ru));
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	/* RUSAGE_THREAD reports the process's figures; RUSAGE_CHILDREN what
	 * the reaped children used, as the host counted it (process.c). */
	if (who == RUSAGE_CHILDREN) {
		uint64_t u, s, m;
		libos_children_usage(&u, &s, &m);
		ru.utime.sec = (int64_t)(u / 1000000);
		ru.utime.usec = (int64_t)(u % 1000000);
		ru.stime.sec = (int64_t)(s / 1000000);
		ru.stime.usec = (int64_t)(s % 1000000);
		ru.maxrss = (int64_t)m;
	} else {
		uint64_t ns = cpu_ns();
		ru.utime.sec = (int64_t)(ns / NS);
		ru.utime.usec = (int64_t)(ns % NS / 1000);
		ru.maxrss = 4096; /* KiB: a plausible figure; nothing measures it */
	}
	if (libos_copy_to_user((void *)a1, &ru, sizeof(ru)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(times)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	/* clock_t in USER_HZ (100) ticks. */
	uint64_t u, s, m;
	libos_children_usage(&u, &s, &m);
	int64_t tms[4] = {(int64_t)(cpu_ns() / 10000000), 0, (int64_t)(u / 10000),
			  (int64_t)(s / 10000)};
	if (a0 && libos_copy_to_user((void *)a0, tms, sizeof(tms)) < 0)
		return -EFAULT;
	return (long)(libos_time_ns(DK_CLOCK_MONOTONIC) / 10000000);
}
