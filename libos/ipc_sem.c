/*
 * System V semaphores: semget, semop, semtimedop, semctl, shared by every
 * process of the sandbox.
 *
 * A set is one page of a host file in the sandbox's shared-memory directory
 * (as a shared-memory segment is, ipc.c), mapped shared into the library
 * OS: a header, then each semaphore's value, last operator and waiter
 * counts.  Operations run under a whole-file lock the host keeps
 * (DkStreamLock), so a semop's operations apply all at once; a process
 * that must wait sleeps on the header's change counter with the host's
 * futex (DkFutexControl) and looks again after every change.  SEM_UNDO
 * adjustments are kept per process and applied when it exits.
 *
 * Not here: message queues (ENOSYS), SEM_INFO/IPC_INFO.
 */
#include "libos.h"
#include "fs/fs.h"

#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_NOWAIT 04000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_UNDO 0x1000
#define SEMVMX 32767
#define SEMS_MAX 250
#define MAGIC 0x6d73656du

struct sem {
	int32_t val, pid;
	uint32_t ncnt, zcnt;
};
struct set {
	uint32_t magic, nsems, mode, removed;
	uint32_t changes; /* futex word: bumped on every change */
	int32_t key;
	int64_t otime, ctime;
	struct sem sems[SEMS_MAX];
};
_Static_assert(sizeof(struct set) <= 4096, "one page");

struct sembuf_k {
	uint16_t num;
	int16_t op, flg;
};

/* This process's mappings of sets, and its SEM_UNDO adjustments. */
#define OPEN_MAX 32
static struct { int id; struct set *s; DK_HANDLE h; } opened[OPEN_MAX];
#define UNDO_MAX 64
static struct { int id; uint16_t num; int32_t adj; } undo[UNDO_MAX];
/* Whether undo has ever held an entry: exit and fork leave the table
 * unread otherwise (even a read of a page never touched is a fault). */
static bool undo_used LIBOS_FORK_HOT;
static struct libos_lock sem_lock;

static void set_uri(char *buf, size_t size, int id)
{
	rt_snprintf(buf, size, "file:/tmp/.moat-shm/.sysv-sem-%d", id);
}

/* The set's mapping (made on first use in this process); NULL if none. */
static struct set *set_get(int id, DK_HANDLE *h)
{
	if (id <= 0)
		return NULL;
	libos_lock(&sem_lock);
	for (int i = 0; i < OPEN_MAX; i++)
		if (opened[i].id == id) {
			*h = opened[i].h;
			libos_unlock(&sem_lock);
			return opened[i].s;
		}
	char uri[96];
	set_uri(uri, sizeof(uri), id);
	struct set *s = NULL;
	int slot = 0;
	while (slot < OPEN_MAX && opened[slot].id)
		slot++;
	if (slot < OPEN_MAX &&
	    dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, h) == 0) {
		void *addr = NULL;
		if (dk->DkStreamMap(*h, &addr, DK_PROT_READ | DK_PROT_WRITE, DK_MAP_SHARED, 0, 4096) ==
			    0 &&
		    ((struct set *)addr)->magic == MAGIC) {
			s = addr;
			opened[slot].id = id;
			opened[slot].s = s;
			opened[slot].h = *h;
		} else {
			if (addr)
				dk->DkStreamUnmap(addr, 4096);
			dk->DkObjectClose(*h);
		}
	}
	libos_unlock(&sem_lock);
	return s;
}

/* The set's lock.  It must exclude both the other processes and this
 * process's other threads: the handle is shared with every process forked
 * since it was opened, so a lock held by the open stream (flock) would let
 * parent and child in together.  A record lock is the process's own, and
 * set_thread_lock keeps this process's threads in turn. */
static struct libos_lock set_thread_lock;

static void lock_set(DK_HANDLE h, bool on)
{
	struct dk_lock lk = {.type = on ? DK_LOCK_WRITE : DK_LOCK_UNLOCK};
	if (on)
		libos_lock(&set_thread_lock);
	while (dk->DkStreamLock(h, DK_LOCK_RANGE, on ? DK_LOCK_WAIT : 0, &lk) == -DK_E_INTERRUPTED)
		;
	if (!on)
		libos_unlock(&set_thread_lock);
}

/* After a change (the set's lock held): waiters look again. */
static void changed(struct set *s)
{
	__atomic_add_fetch(&s->changes, 1, __ATOMIC_RELEASE);
	dk->DkFutexControl(DK_FUTEX_WAKE, &s->changes, 0x7fffffff, 0, NULL);
}

static long set_create(int32_t key, uint32_t nsems, unsigned mode)
{
	for (int tries = 0; tries < 16; tries++) {
		int id = libos_ipc_random_id();
		char uri[96];
		set_uri(uri, sizeof(uri), id);
		DK_HANDLE h;
		fs_shm_dir_ready();
		int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEW, 0,
					  0600, &h);
		if (rc == -DK_E_EXISTS)
			continue;
		if (rc < 0)
			return libos_errno(rc);
		struct set s0;
		memset(&s0, 0, sizeof(s0));
		s0.magic = MAGIC;
		s0.nsems = nsems;
		s0.mode = mode & 0777;
		s0.key = key;
		s0.ctime = libos_ipc_now();
		size_t n = sizeof(s0);
		rc = dk->DkStreamSetLength(h, 4096);
		if (rc == 0)
			rc = dk->DkStreamWrite(h, 0, &s0, &n);
		dk->DkObjectClose(h);
		if (rc < 0) {
			dk->DkStreamDelete(uri);
			return libos_errno(rc);
		}
		return id;
	}
	return -ENOSPC;
}

LIBOS_SYSCALL(semget)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	int32_t key = (int32_t)a0;
	int nsems = (int)a1, flg = (int)a2;
	if (nsems < 0 || nsems > SEMS_MAX)
		return -EINVAL;
	if (key == IPC_PRIVATE)
		return nsems ? set_create(key, (uint32_t)nsems, (unsigned)flg) : -EINVAL;
	for (int round = 0; round < 4; round++) {
		long id = libos_ipc_key_lookup("semkey", key);
		if (id > 0) {
			if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
				return -EEXIST;
			DK_HANDLE h;
			struct set *s = set_get((int)id, &h);
			if (!s || s->removed)
				return -EIDRM;
			return (uint32_t)nsems > s->nsems ? -EINVAL : id;
		}
		if (!(flg & IPC_CREAT))
			return -ENOENT;
		if (!nsems)
			return -EINVAL;
		id = set_create(key, (uint32_t)nsems, (unsigned)flg);
		if (id < 0)
			return id;
		if (libos_ipc_key_create("semkey", key, id))
			return id;
		char uri[96];
		set_uri(uri, sizeof(uri), (int)id); /* another process made the key first */
		dk->DkStreamDelete(uri);
	}
	return -EAGAIN;
}

/* ---- semop ------------------------------------------------------------------------- */
static void note_undo(int id, uint16_t num, int adj)
{
	for (int i = 0; i < UNDO_MAX; i++)
		if (undo[i].id == id && undo[i].num == num) {
			undo[i].adj += adj;
			return;
		}
	for (int i = 0; i < UNDO_MAX; i++)
		if (!undo[i].id) {
			undo_used = true;
			undo[i].id = id;
			undo[i].num = num;
			undo[i].adj = adj;
			return;
		}
}

/* -1 (all applied), the index of the operation that must wait, or
 * -ERANGE when one would raise a value past SEMVMX. */
static int try_ops(struct set *s, int id, const struct sembuf_k *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = s->sems[ops[i].num].val;
		if ((ops[i].op < 0 && v < -ops[i].op) || (ops[i].op == 0 && v != 0))
			return (int)i;
		if (v + ops[i].op > SEMVMX)
			return -ERANGE;
	}
	for (size_t i = 0; i < n; i++) {
		struct sem *m = &s->sems[ops[i].num];
		m->val += ops[i].op;
		m->pid = libos_proc.pid;
		if ((ops[i].flg & SEM_UNDO) && ops[i].op)
			note_undo(id, ops[i].num, -ops[i].op);
	}
	s->otime = libos_ipc_now();
	return -1;
}

static long do_semop(int id, const void *usops, size_t n, int64_t timeout_ns)
{
	struct sembuf_k ops[32];
	if (n == 0 || n > 32)
		return n ? -E2BIG : -EINVAL;
	if (libos_copy_from_user(ops, usops, n * sizeof(ops[0])) < 0)
		return -EFAULT;
	DK_HANDLE h;
	struct set *s = set_get(id, &h);
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (ops[i].num >= s->nsems)
			return -EFBIG;
	uint64_t deadline = timeout_ns >= 0 ? libos_time_ns(DK_CLOCK_MONOTONIC) + (uint64_t)timeout_ns
					    : 0;
	for (;;) {
		lock_set(h, true);
		if (s->removed) {
			lock_set(h, false);
			return -EIDRM;
		}
		int wait = try_ops(s, id, ops, n);
		if (wait < 0) {
			if (wait == -1)
				changed(s);
			lock_set(h, false);
			return wait == -1 ? 0 : wait;
		}
		if (ops[wait].flg & IPC_NOWAIT) {
			lock_set(h, false);
			return -EAGAIN;
		}
		struct sem *m = &s->sems[ops[wait].num];
		uint32_t *cnt = ops[wait].op ? &m->ncnt : &m->zcnt;
		(*cnt)++;
		uint32_t seen = __atomic_load_n(&s->changes, __ATOMIC_ACQUIRE);
		lock_set(h, false);
		uint64_t us = DK_WAIT_INFINITE;
		if (timeout_ns >= 0) {
			uint64_t now = libos_time_ns(DK_CLOCK_MONOTONIC);
			us = deadline > now ? (deadline - now + 999) / 1000 : 0;
		}
		int rc = us ? dk->DkFutexControl(DK_FUTEX_WAIT, &s->changes, seen, us, NULL)
			    : -DK_E_TIMEOUT;
		lock_set(h, true);
		if (*cnt)
			(*cnt)--;
		lock_set(h, false);
		if (rc == -DK_E_INTERRUPTED)
			return -EINTR;
		if (rc == -DK_E_TIMEOUT)
			return -EAGAIN;
	}
}

LIBOS_SYSCALL(semop)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_semop((int)a0, (const void *)a1, (size_t)a2, -1);
}

LIBOS_SYSCALL(semtimedop)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int64_t ns = -1;
	if (a3) {
		int64_t ts[2];
		if (libos_copy_from_user(ts, (const void *)a3, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
		ns = ts[0] * 1000000000 + ts[1];
	}
	return do_semop((int)a0, (const void *)a1, (size_t)a2, ns);
}

/* Exit: SEM_UNDO adjustments go back (values never below 0). */
void libos_ipc_sem_exit(void)
{
	for (int i = 0; undo_used && i < UNDO_MAX; i++) {
		if (!undo[i].id || !undo[i].adj)
			continue;
		DK_HANDLE h;
		struct set *s = set_get(undo[i].id, &h);
		if (!s)
			continue;
		lock_set(h, true);
		if (!s->removed && undo[i].num < s->nsems) {
			int v = s->sems[undo[i].num].val + undo[i].adj;
			s->sems[undo[i].num].val = v < 0 ? 0 : v;
			changed(s);
		}
		lock_set(h, false);
		undo[i].id = 0;
	}
}

/* fork: the child starts with no SEM_UNDO adjustments (Linux). */
void libos_ipc_sem_fork_child(void)
{
	for (int i = 0; undo_used && i < UNDO_MAX; i++)
		if (undo[i].id) /* a page not written is a page not copied */
			undo[i].id = 0;
	undo_used = false;
}

/* ---- semctl ------------------------------------------------------------------------ */
/* The kernel's struct semid64_ds on x86-64 (104 bytes). */
struct ksemid_ds {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
	int64_t otime, unused3, ctime, unused4;
	uint64_t nsems, unused5, unused6;
};

LIBOS_SYSCALL(semctl)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int id = (int)a0, num = (int)a1, cmd = (int)a2 & 0xff;
	DK_HANDLE h;
	struct set *s = set_get(id, &h);
	if (!s)
		return -EINVAL;
	bool one = cmd == GETVAL || cmd == SETVAL || cmd == GETPID || cmd == GETNCNT ||
		   cmd == GETZCNT;
	if (one && (num < 0 || (uint32_t)num >= s->nsems))
		return -EINVAL;
	long rc = 0;
	uint16_t vals[SEMS_MAX];
	struct ksemid_ds d;
	if (cmd == SETALL && libos_copy_from_user(vals, (const void *)a3,
						  s->nsems * sizeof(vals[0])) < 0)
		return -EFAULT;
	if (cmd == IPC_SET && libos_copy_from_user(&d, (const void *)a3, sizeof(d)) < 0)
		return -EFAULT;
	lock_set(h, true);
	if (s->removed) {
		lock_set(h, false);
		return -EINVAL;
	}
	switch (cmd) {
	case GETVAL: rc = s->sems[num].val; break;
	case GETPID: rc = s->sems[num].pid; break;
	case GETNCNT: rc = s->sems[num].ncnt; break;
	case GETZCNT: rc = s->sems[num].zcnt; break;
	case SETVAL:
		if ((int)a3 < 0 || (int)a3 > SEMVMX) {
			rc = -ERANGE;
			break;
		}
		s->sems[num].val = (int)a3;
		s->sems[num].pid = libos_proc.pid;
		s->ctime = libos_ipc_now();
		changed(s);
		break;
	case GETALL:
		for (uint32_t i = 0; i < s->nsems; i++)
			vals[i] = (uint16_t)s->sems[i].val;
		break;
	case SETALL:
		for (uint32_t i = 0; i < s->nsems; i++)
			s->sems[i].val = vals[i] > SEMVMX ? SEMVMX : vals[i];
		s->ctime = libos_ipc_now();
		changed(s);
		break;
	case IPC_STAT:
		memset(&d, 0, sizeof(d));
		d.key = s->key;
		d.uid = d.cuid = libos_proc.uid;
		d.gid = d.cgid = libos_proc.gid;
		d.mode = s->mode;
		d.otime = s->otime;
		d.ctime = s->ctime;
		d.nsems = s->nsems;
		break;
	case IPC_SET:
		s->mode = d.mode & 0777;
		s->ctime = libos_ipc_now();
		break;
	case IPC_RMID:
		s->removed = 1;
		changed(s); /* blocked semops wake to EIDRM */
		break;
	default:
		rc = -EINVAL;
	}
	int32_t key = s->key;
	lock_set(h, false);
	if (rc < 0)
		return rc;
	if (cmd == GETALL && libos_copy_to_user((void *)a3, vals, s->nsems * sizeof(vals[0])) < 0)
		return -EFAULT;
	if (cmd == IPC_STAT && libos_copy_to_user((void *)a3, &d, sizeof(d)) < 0)
		return -EFAULT;
	if (cmd == IPC_RMID) {
		char uri[96];
		set_uri(uri, sizeof(uri), id);
		dk->DkStreamDelete(uri);
		if (key != IPC_PRIVATE)
			libos_ipc_key_delete("semkey", key);
	}
	return rc;
}
