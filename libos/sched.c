/*
 * Scheduling: sched_yield, CPU affinity, getcpu, policies and priorities.
 * The PAL offers no control over placement or priority, so the answers are
 * those of a SCHED_OTHER process allowed on every CPU of the sandbox
 * (dk_start->cpu_count); changes are accepted and have no effect.
 */
#include "libos.h"
#include <linux/sched.h>

struct sched_param_k {
	int sched_priority;
};

struct kernel_timespec_s {
	int64_t tv_sec;
	long tv_nsec;
};

/* 0 if pid names this process or one of its threads. */
static long check_pid(long pid)
{
	if (pid < 0)
		return -EINVAL;
	if (pid == 0 || pid == libos_proc.pid || libos_thread_find((int)pid))
		return 0;
	return -ESRCH;
}

static unsigned cpu_count(void)
{
	return dk_start && dk_start->cpu_count ? dk_start->cpu_count : 1;
}

LIBOS_SYSCALL(sched_yield)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	dk->DkThreadYieldExecution();
	return 0;
}

LIBOS_SYSCALL(sched_getaffinity)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	size_t len = (size_t)a1;
	unsigned n = cpu_count();
	size_t size = (n + 63) / 64 * 8; /* whole longs, as Linux */
	long rc = check_pid(a0);
	if (rc < 0)
		return rc;
	if (len < size || (len & 7))
		return -EINVAL;
	uint8_t mask[128];
	if (size > sizeof(mask))
		size = sizeof(mask);
	memset(mask, 0, size);
	for (unsigned i = 0; i < n && i / 8 < size; i++)
		mask[i / 8] |= (uint8_t)(1u << (i % 8));
	if (libos_copy_to_user((void *)a2, mask, size) < 0)
		return -EFAULT;
	return (long)size;
}

LIBOS_SYSCALL(sched_setaffinity)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	/* The mask is read (as Linux does: a bad one is -EFAULT), not applied. */
	uint64_t mask[16];
	size_t n = (size_t)a1 < sizeof(mask) ? (size_t)a1 : sizeof(mask);
	if (n && libos_copy_from_user(mask, (const void *)a2, n) < 0)
		return -EFAULT;
	return check_pid(a0);
}

LIBOS_SYSCALL(getcpu)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	unsigned zero = 0;
	if (a0 && libos_copy_to_user((void *)a0, &zero, sizeof(zero)) < 0)
		return -EFAULT;
	if (a1 && libos_copy_to_user((void *)a1, &zero, sizeof(zero)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(sched_getparam)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	long rc = check_pid(a0);
	if (rc < 0)
		return rc;
	if (!a1)
		return -EINVAL;
	struct sched_param_k p = { 0 };
	return libos_copy_to_user((void *)a1, &p, sizeof(p)) < 0 ? -EFAULT : 0;
}

LIBOS_SYSCALL(sched_setparam)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	long rc = check_pid(a0);
	if (rc < 0)
		return rc;
	struct sched_param_k p;
	if (!a1 || libos_copy_from_user(&p, (void *)a1, sizeof(p)) < 0)
		return -EFAULT;
	return p.sched_priority == 0 ? 0 : -EINVAL;
}

LIBOS_SYSCALL(sched_getscheduler)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	long rc = check_pid(a0);
	return rc < 0 ? rc : SCHED_NORMAL;
}

LIBOS_SYSCALL(sched_setscheduler)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	long rc = check_pid(a0);
	if (rc < 0)
		return rc;
	int policy = (int)a1 & ~SCHED_RESET_ON_FORK;
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return -EPERM; /* as an unprivileged process */
	if (policy != SCHED_NORMAL && policy != SCHED_BATCH && policy != SCHED_IDLE)
		return -EINVAL;
	return 0;
}

LIBOS_SYSCALL(sched_get_priority_max)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	switch ((int)a0) {
	case SCHED_FIFO: case SCHED_RR: return 99;
	case SCHED_NORMAL: case SCHED_BATCH: case SCHED_IDLE: case SCHED_DEADLINE: return 0;
	default: return -EINVAL;
	}
}

LIBOS_SYSCALL(sched_get_priority_min)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	switch ((int)a0) {
	case SCHED_FIFO: case SCHED_RR: return 1;
	case SCHED_NORMAL: case SCHED_BATCH: case SCHED_IDLE: case SCHED_DEADLINE: return 0;
	default: return -EINVAL;
	}
}

LIBOS_SYSCALL(sched_rr_get_interval)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	long rc = check_pid(a0);
	if (rc < 0)
		return rc;
	struct kernel_timespec_s ts = { 0, 100000000L }; /* Linux's default RR slice */
	return libos_copy_to_user((void *)a1, &ts, sizeof(ts)) < 0 ? -EFAULT : 0;
}

/* Restartable sequences: not offered (glibc carries on without). */
LIBOS_SYSCALL(rseq)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return -ENOSYS;
}
