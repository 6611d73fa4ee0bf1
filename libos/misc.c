/*
 * Identity and miscellany: getpid, getppid, the uid/gid family, groups,
 * process groups and sessions, uname, sysinfo, resource limits, getrandom,
 * prctl, capabilities, priorities, personality, ioprio, mempolicy.
 *
 * Rules:
 *   - The sandbox has one user: the application runs as uid/gid
 *     libos_proc.uid/gid (0 today) with no supplementary groups.  The
 *     set*id calls succeed when they ask for the ids it already has and
 *     fail with EPERM otherwise; setgroups accepts only the empty list.
 *   - It holds no capabilities: capget reports none, capset may only keep
 *     none, PR_CAPBSET_READ says 0.
 *   - One process is its own process group and session (pgid = sid = pid);
 *     setsid and setpgid on itself succeed and change nothing.
 *   - Resource limits are a per-process table with Linux's defaults;
 *     lowering works and is remembered, raising a hard limit is EPERM, and
 *     nothing but RLIMIT_NOFILE (the descriptor table asks
 *     libos_rlimit_cur) is enforced.
 */
#include "libos.h"

/* ---- ids ------------------------------------------------------------------------- */
/* A call whose answer does not depend on its arguments. */
#define CONSTANT_SYSCALL(name, value)                          \
	LIBOS_SYSCALL(name)                                     \
	{                                                       \
		LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);      \
		return value;                                   \
	}

CONSTANT_SYSCALL(getpid, libos_proc.pid)
CONSTANT_SYSCALL(getuid, libos_proc.uid)
CONSTANT_SYSCALL(geteuid, libos_proc.uid)
CONSTANT_SYSCALL(getgid, libos_proc.gid)
CONSTANT_SYSCALL(getegid, libos_proc.gid)

static long put_ids(long p0, long p1, long p2, uint32_t id)
{
	long ptrs[3] = {p0, p1, p2};
	for (int i = 0; i < 3; i++)
		if (libos_copy_to_user((void *)ptrs[i], &id, sizeof(id)) < 0)
			return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(getresuid)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return put_ids(a0, a1, a2, libos_proc.uid);
}

LIBOS_SYSCALL(getresgid)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return put_ids(a0, a1, a2, libos_proc.gid);
}

/* Each id is -1 (unchanged) or the one we have. */
static long same_ids(uint32_t have, long a, long b, long c, int n)
{
	long ids[3] = {a, b, c};
	for (int i = 0; i < n; i++)
		if ((uint32_t)ids[i] != (uint32_t)-1 && (uint32_t)ids[i] != have)
			return -EPERM;
	return 0;
}

/* setuid/setgid: -1 is no id here, not "unchanged". */
static long set_one_id(uint32_t have, long id)
{
	if ((uint32_t)id == (uint32_t)-1)
		return -EINVAL;
	return same_ids(have, id, 0, 0, 1);
}

LIBOS_SYSCALL(setuid)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return set_one_id(libos_proc.uid, a0);
}

LIBOS_SYSCALL(setgid)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return set_one_id(libos_proc.gid, a0);
}

LIBOS_SYSCALL(setreuid)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return same_ids(libos_proc.uid, a0, a1, 0, 2);
}

LIBOS_SYSCALL(setregid)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return same_ids(libos_proc.gid, a0, a1, 0, 2);
}

LIBOS_SYSCALL(setresuid)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return same_ids(libos_proc.uid, a0, a1, a2, 3);
}

LIBOS_SYSCALL(setresgid)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return same_ids(libos_proc.gid, a0, a1, a2, 3);
}

/* They return the previous fs id whatever happens. */
CONSTANT_SYSCALL(setfsuid, libos_proc.uid)
CONSTANT_SYSCALL(setfsgid, libos_proc.gid)

LIBOS_SYSCALL(getgroups)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if (a0 < 0)
		return -EINVAL;
	return 0; /* no supplementary groups */
}

LIBOS_SYSCALL(setgroups)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if (a0 < 0 || a0 > 65536)
		return -EINVAL;
	return a0 == 0 ? 0 : -EPERM;
}

/* ---- uname, sysinfo --------------------------------------------------------------------- */
struct kutsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

LIBOS_SYSCALL(uname)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct kutsname u;
	memset(&u, 0, sizeof(u));
	rt_strlcpy(u.sysname, "Linux", sizeof(u.sysname));
	rt_strlcpy(u.nodename, "moat", sizeof(u.nodename));
	rt_strlcpy(u.release, "6.1.0-moat", sizeof(u.release));
	rt_strlcpy(u.version, "#1 SMP moat", sizeof(u.version));
	rt_strlcpy(u.machine, "x86_64", sizeof(u.machine));
	rt_strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	if (libos_copy_to_user((void *)a0, &u, sizeof(u)) < 0)
		return -EFAULT;
	return 0;
}

/* sethostname/setdomainname: the names are fixed. */
CONSTANT_SYSCALL(sethostname, -EPERM)
CONSTANT_SYSCALL(setdomainname, -EPERM)

struct ksysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char f[4];
};
_Static_assert(sizeof(struct ksysinfo) == 112, "struct sysinfo");

LIBOS_SYSCALL(sysinfo)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct ksysinfo si;
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(libos_time_ns(DK_CLOCK_MONOTONIC) / 1000000000ull);
	uint64_t total = dk_start->memory_total ? dk_start->memory_total : 1ull << 30;
	si.totalram = total;
	si.freeram = total / 2; /* nothing measures it; a plausible half */
	si.procs = 1;
	si.mem_unit = 1;
	if (libos_copy_to_user((void *)a0, &si, sizeof(si)) < 0)
		return -EFAULT;
	return 0;
}

/* ---- resource limits ---------------------------------------------------------------------- */
#define RLIM_NLIMITS 16
#define RLIM_INF (~0ull)
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7

struct krlimit {
	uint64_t cur, max;
};

static struct libos_lock rlim_lock;
static struct krlimit rlimits[RLIM_NLIMITS] = {
	{RLIM_INF, RLIM_INF},           /* CPU */
	{RLIM_INF, RLIM_INF},           /* FSIZE */
	{RLIM_INF, RLIM_INF},           /* DATA */
	{8ull << 20, RLIM_INF},         /* STACK */
	{0, RLIM_INF},                  /* CORE */
	{RLIM_INF, RLIM_INF},           /* RSS */
	{63432, 63432},                 /* NPROC */
	{1024, LIBOS_FD_MAX},           /* NOFILE */
	{8ull << 20, 8ull << 20},       /* MEMLOCK */
	{RLIM_INF, RLIM_INF},           /* AS */
	{RLIM_INF, RLIM_INF},           /* LOCKS */
	{63432, 63432},                 /* SIGPENDING */
	{819200, 819200},               /* MSGQUEUE */
	{0, 0},                         /* NICE */
	{0, 0},                         /* RTPRIO */
	{RLIM_INF, RLIM_INF},           /* RTTIME */
};

uint64_t libos_rlimit_cur(int resource)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return RLIM_INF;
	return __atomic_load_n(&rlimits[resource].cur, __ATOMIC_RELAXED);
}

uint64_t libos_rlimit_max(int resource)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return RLIM_INF;
	return __atomic_load_n(&rlimits[resource].max, __ATOMIC_RELAXED);
}

static bool self(long pid)
{
	return pid == 0 || pid == libos_proc.pid;
}

static long rlimit(long pid, long resource, const struct krlimit *nv, struct krlimit *old)
{
	if (!self(pid))
		return pid < 0 ? -EINVAL : -ESRCH;
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (nv) {
		if (nv->cur > nv->max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && nv->max > LIBOS_FD_MAX)
			return -EPERM;
	}
	libos_lock(&rlim_lock);
	struct krlimit *r = &rlimits[resource];
	if (nv && nv->max > r->max) {
		libos_unlock(&rlim_lock);
		return -EPERM;
	}
	if (old)
		*old = *r;
	if (nv) {
		*r = *nv;
		/* The descriptor table enforces the soft limit through libos_fd_limit. */
		if (resource == RLIMIT_NOFILE)
			__atomic_store_n(&libos_fd_limit,
					 (unsigned)(nv->cur < LIBOS_FD_MAX ? nv->cur : LIBOS_FD_MAX),
					 __ATOMIC_RELAXED);
	}
	libos_unlock(&rlim_lock);
	return 0;
}

LIBOS_SYSCALL(getrlimit)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct krlimit old;
	long rc = rlimit(0, a0, NULL, &old);
	if (rc < 0)
		return rc;
	if (libos_copy_to_user((void *)a1, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(setrlimit)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct krlimit nv;
	if (libos_copy_from_user(&nv, (const void *)a1, sizeof(nv)) < 0)
		return -EFAULT;
	return rlimit(0, a0, &nv, NULL);
}

LIBOS_SYSCALL(prlimit64)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct krlimit nv, old;
	if (a2 && libos_copy_from_user(&nv, (const void *)a2, sizeof(nv)) < 0)
		return -EFAULT;
	long rc = rlimit(a0, a1, a2 ? &nv : NULL, a3 ? &old : NULL);
	if (rc < 0)
		return rc;
	if (a3 && libos_copy_to_user((void *)a3, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

/* ---- getrandom ------------------------------------------------------------------------------ */
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

LIBOS_SYSCALL(getrandom)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	if (a2 & ~(long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((a2 & GRND_INSECURE) && (a2 & GRND_RANDOM))
		return -EINVAL;
	size_t n = (size_t)a1;
	if (n > 0x1ffffff) /* Linux returns at most 32 MiB - 1 at a time */
		n = 0x1ffffff;
	/* Through a buffer, so a bad pointer is EFAULT, not the PAL's problem. */
	uint8_t buf[256];
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		int rc = dk->DkRandomBitsRead(buf, k);
		if (rc < 0)
			return done ? (long)done : libos_errno(rc);
		if (libos_copy_to_user((uint8_t *)a0 + done, buf, k) < 0)
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)done;
}

/* ---- thread names ------------------------------------------------------------------------------ */
#define NAMES_MAX 256
static struct libos_lock names_lock;
static struct {
	int tid;
	char name[16];
} names[NAMES_MAX];

static void default_name(char name[16])
{
	const char *exe = libos_proc.exe ? libos_proc.exe : "";
	const char *slash = strrchr(exe, '/');
	rt_strlcpy(name, slash ? slash + 1 : exe, 16);
}

void libos_thread_name(int tid, char name[16])
{
	libos_lock(&names_lock);
	for (int i = 0; i < NAMES_MAX; i++)
		if (names[i].tid == tid) {
			memcpy(name, names[i].name, 16);
			libos_unlock(&names_lock);
			return;
		}
	libos_unlock(&names_lock);
	default_name(name);
}

static void set_name(int tid, const char name[16])
{
	libos_lock(&names_lock);
	int slot = -1;
	for (int i = 0; i < NAMES_MAX; i++) {
		if (names[i].tid == tid) {
			slot = i;
			break;
		}
		if (slot < 0 && (!names[i].tid || !libos_thread_find(names[i].tid)))
			slot = i; /* free, or its thread has gone */
	}
	if (slot >= 0) {
		names[slot].tid = tid;
		memcpy(names[slot].name, name, 16);
		names[slot].name[15] = 0;
	}
	libos_unlock(&names_lock);
}

/* ---- prctl ---------------------------------------------------------------------------------------- */
#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_SECCOMP 21
#define PR_SET_SECCOMP 22
#define PR_CAPBSET_READ 23
#define PR_CAPBSET_DROP 24
#define PR_GET_TSC 25
#define PR_SET_TIMERSLACK 29
#define PR_GET_TIMERSLACK 30
#define PR_MCE_KILL 33
#define PR_MCE_KILL_GET 34
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_GET_TID_ADDRESS 40
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_CAP_AMBIENT 47
#define PR_GET_SPECULATION_CTRL 52
#define PR_SET_VMA 0x53564d41
#define PR_SET_PTRACER 0x59616d61
#define CAP_LAST_CAP 40

static int pdeathsig, dumpable = 1, no_new_privs, subreaper, keepcaps, thp_disable;
static uint64_t timerslack = 50000;

LIBOS_SYSCALL(prctl)
{
	LIBOS_UNUSED_ARGS(a5);
	struct libos_thread *t = libos_current();
	switch (a0) {
	case PR_SET_NAME: {
		char name[16];
		memset(name, 0, sizeof(name));
		if (libos_copy_str_from_user(name, (const char *)a1, sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		set_name(t->tid, name);
		return 0;
	}
	case PR_GET_NAME: {
		char name[16];
		libos_thread_name(t->tid, name);
		return libos_copy_to_user((void *)a1, name, sizeof(name)) < 0 ? -EFAULT : 0;
	}
	case PR_SET_PDEATHSIG:
		if (a1 < 0 || a1 > 64)
			return -EINVAL;
		pdeathsig = (int)a1;
		return 0;
	case PR_GET_PDEATHSIG:
		return libos_copy_to_user((void *)a1, &pdeathsig, sizeof(int)) < 0 ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return dumpable;
	case PR_SET_DUMPABLE:
		if (a1 != 0 && a1 != 1)
			return -EINVAL;
		dumpable = (int)a1;
		return 0;
	case PR_GET_KEEPCAPS:
		return keepcaps;
	case PR_SET_KEEPCAPS:
		if (a1 != 0 && a1 != 1)
			return -EINVAL;
		keepcaps = (int)a1;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a1 != 1 || a2 || a3 || a4)
			return -EINVAL;
		no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a1 || a2 || a3 || a4)
			return -EINVAL;
		return no_new_privs;
	case PR_GET_SECCOMP:
		return 0; /* the application has installed no filter of its own */
	case PR_SET_SECCOMP:
		libos_log("prctl(PR_SET_SECCOMP) refused: no seccomp filters inside moat");
		return -EINVAL;
	case PR_CAPBSET_READ:
		return a1 < 0 || a1 > CAP_LAST_CAP ? -EINVAL : 0;
	case PR_CAPBSET_DROP:
		return a1 < 0 || a1 > CAP_LAST_CAP ? -EINVAL : 0; /* it holds none already */
	case PR_CAP_AMBIENT:
		return a1 == 1 /* IS_SET */ || a1 == 4 /* CLEAR_ALL */ ? 0 : -EPERM;
	case PR_SET_CHILD_SUBREAPER:
		subreaper = a1 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return libos_copy_to_user((void *)a1, &subreaper, sizeof(int)) < 0 ? -EFAULT : 0;
	case PR_SET_TIMERSLACK:
		timerslack = a1 > 0 ? (uint64_t)a1 : 50000;
		return 0;
	case PR_GET_TIMERSLACK:
		return (long)timerslack;
	case PR_GET_TID_ADDRESS:
		return libos_copy_to_user((void *)a1, &t->clear_child_tid, sizeof(void *)) < 0 ? -EFAULT : 0;
	case PR_SET_THP_DISABLE:
		thp_disable = a1 != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		return thp_disable;
	case PR_MCE_KILL:
		return 0;
	case PR_MCE_KILL_GET:
		return 2; /* PR_MCE_KILL_DEFAULT */
	case PR_GET_SPECULATION_CTRL:
		return 0; /* not affected */
	case PR_GET_TSC:
		return libos_copy_to_user((void *)a1, &(int){1 /* PR_TSC_ENABLE */}, sizeof(int)) < 0
			       ? -EFAULT
			       : 0;
	case PR_SET_VMA:
	case PR_SET_PTRACER:
		return 0; /* names for mappings, ptrace permission: nothing to do */
	default:
		return -EINVAL;
	}
}

/* ---- capabilities ---------------------------------------------------------------------------------- */
#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522

LIBOS_SYSCALL(capget)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	uint32_t hdr[2];
	if (libos_copy_from_user(hdr, (const void *)a0, sizeof(hdr)) < 0)
		return -EFAULT;
	int n;
	switch (hdr[0]) {
	case CAP_V1: n = 1; break;
	case CAP_V2:
	case CAP_V3: n = 2; break;
	default:
		hdr[0] = CAP_V3;
		if (libos_copy_to_user((void *)a0, hdr, sizeof(hdr)) < 0)
			return -EFAULT;
		return a1 ? -EINVAL : 0;
	}
	if ((int)hdr[1] < 0)
		return -EINVAL;
	if (hdr[1] && (int)hdr[1] != libos_proc.pid)
		return -ESRCH;
	if (a1) {
		uint32_t data[6] = {0}; /* effective, permitted, inheritable, per word */
		if (libos_copy_to_user((void *)a1, data, (size_t)n * 12) < 0)
			return -EFAULT;
	}
	return 0;
}

LIBOS_SYSCALL(capset)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	uint32_t hdr[2], data[6] = {0};
	if (libos_copy_from_user(hdr, (const void *)a0, sizeof(hdr)) < 0)
		return -EFAULT;
	int n = hdr[0] == CAP_V1 ? 1 : (hdr[0] == CAP_V2 || hdr[0] == CAP_V3) ? 2 : 0;
	if (!n)
		return -EINVAL;
	if (hdr[1] && (int)hdr[1] != libos_proc.pid)
		return -EPERM;
	if (libos_copy_from_user(data, (const void *)a1, (size_t)n * 12) < 0)
		return -EFAULT;
	for (int i = 0; i < 6; i++)
		if (data[i])
			return -EPERM;
	return 0;
}

/* ---- priorities (sched.c has the scheduling policies) ------------------------------------ */
static bool known_task(long pid)
{
	return pid == 0 || pid == libos_proc.pid || (pid > 0 && libos_thread_find((int)pid));
}

/* which is PRIO_PROCESS, _PGRP or _USER; only a process id can be unknown. */
static long prio_target(long which, long who)
{
	if (which < 0 || which > 2)
		return -EINVAL;
	if (which == 0 && !known_task(who))
		return -ESRCH;
	return 0;
}

/* getpriority returns 20 - nice. */
LIBOS_SYSCALL(getpriority)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	long rc = prio_target(a0, a1);
	return rc < 0 ? rc : 20;
}

LIBOS_SYSCALL(setpriority)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	long rc = prio_target(a0, a1);
	if (rc < 0)
		return rc;
	/* Being nicer is allowed (and changes nothing); less nice needs privilege. */
	return a2 >= 0 ? 0 : -EACCES;
}

/* ---- odds and ends ---------------------------------------------------------------------------------------- */
LIBOS_SYSCALL(personality)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	static uint32_t persona; /* PER_LINUX */
	uint32_t old = persona;
	if ((uint32_t)a0 != 0xffffffffu) {
		if ((a0 & 0xff) != 0) /* only PER_LINUX, with any flags */
			return -EINVAL;
		persona = (uint32_t)a0;
	}
	return old;
}

LIBOS_SYSCALL(ioprio_get)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if (a0 < 1 || a0 > 3)
		return -EINVAL;
	return 0; /* IOPRIO_CLASS_NONE: the default */
}

LIBOS_SYSCALL(ioprio_set)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if (a0 < 1 || a0 > 3)
		return -EINVAL;
	return 0;
}

CONSTANT_SYSCALL(set_mempolicy, -ENOSYS)
CONSTANT_SYSCALL(get_mempolicy, -ENOSYS)
