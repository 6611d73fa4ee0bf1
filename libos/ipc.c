/*
 * System V shared memory: shmget, shmat, shmdt, shmctl (IPC_STAT, IPC_SET,
 * IPC_RMID), shared by every process of the sandbox.
 *
 * A segment is a host file in the sandbox's shared-memory directory (what
 * /dev/shm is, so every process of the sandbox sees it): a header page of
 * bookkeeping (size, creator, last pid, attach count, mode, times), then
 * the segment's pages, which shmat maps MAP_SHARED.  A key names its
 * segment through a symbolic link ".sysv-key-KEY" whose text is the id.
 * The header is updated under a whole-file lock the host keeps
 * (DkStreamLock), so processes count attachments together; a fork adds the
 * child's inherited attachments, and exit and execve drop the caller's.
 * A process killed by a signal leaves its attachments counted.
 *
 * Not here: SysV semaphores and message queues (ENOSYS), SHM_LOCK,
 * SHM_HUGETLB, and IPC_INFO/SHM_INFO.
 */
#include "libos.h"
#include "fs/fs.h"
#include <linux/mman.h>

#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define SHM_STAT 13
#define SHM_STAT_ANY 15
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_DEST 01000 /* mode bit: removed, still attached */
#define SHMLBA 4096
#define SEG_MAX (1ull << 36)
#define HDR 4096
#define MAGIC 0x6d6f6174u /* "moat" */

struct seg_header {
	uint32_t magic, mode;
	int32_t key, cpid, lpid, removed;
	uint64_t size, nattch;
	int64_t atime, dtime, ctime;
};

/* The kernel's struct shmid64_ds on x86-64 (112 bytes). */
struct kshmid_ds {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch, unused4, unused5;
};
_Static_assert(sizeof(struct kshmid_ds) == 112, "shmid64_ds");

#define ATTACH_MAX 256
static struct attach {
	uint64_t addr, len;
	int id;
} attached[ATTACH_MAX];
static int attached_top; /* slots from here on never used */
static struct libos_lock ipc_lock;

static void seg_path(char *buf, size_t size, int id)
{
	rt_snprintf(buf, size, "/dev/shm/.sysv-%d", id);
}

/* Segment files and key links by their host URIs (the directory /dev/shm
 * stands for). */
static void seg_delete(int id)
{
	char uri[96];
	rt_snprintf(uri, sizeof(uri), "file:/tmp/.moat-shm/.sysv-%d", id);
	dk->DkStreamDelete(uri);
}

static void key_delete(int32_t key)
{
	libos_ipc_key_delete("key", key);
}

/* Seconds since the epoch, for the IPC objects' times (ipc_sem.c too). */
int64_t libos_ipc_now(void)
{
	return (int64_t)(libos_time_ns(DK_CLOCK_REALTIME) / 1000000000u);
}

/* A random id for a new segment or semaphore set (1 .. 2^30). */
int libos_ipc_random_id(void)
{
	uint32_t r = 0;
	dk->DkRandomBitsRead(&r, sizeof(r));
	return (int)(r & 0x3fffffff) + 1;
}

/* Opens segment id (its header and pages) read-write. */
static long seg_open(int id, struct libos_file **out)
{
	char path[64];
	if (id <= 0)
		return -EINVAL;
	seg_path(path, sizeof(path), id);
	long rc = libos_open_path(path, O_RDWR, 0, out);
	return rc == -ENOENT ? -EINVAL : rc;
}

/* Runs fn on segment id's header under the host's whole-file lock. */
static long seg_update(int id, long (*fn)(struct seg_header *h, void *arg), void *arg,
		       bool write)
{
	struct libos_file *f;
	DK_HANDLE dh;
	long rc = seg_open(id, &f);
	if (rc < 0)
		return rc;
	struct dk_lock lk = {.type = DK_LOCK_WRITE};
	bool locked = fs_host_file(f, &dh) && dk->DkStreamLock(dh, DK_LOCK_WHOLE, DK_LOCK_WAIT,
							      &lk) == 0;
	struct seg_header h;
	rc = f->ops->pread(f, &h, sizeof(h), 0);
	if (rc == (long)sizeof(h) && h.magic == MAGIC) {
		rc = fn(&h, arg);
		if (rc >= 0 && write && f->ops->pwrite(f, &h, sizeof(h), 0) != (long)sizeof(h))
			rc = -EIO;
	} else {
		rc = -EINVAL;
	}
	if (locked) {
		lk.type = DK_LOCK_UNLOCK;
		dk->DkStreamLock(dh, DK_LOCK_WHOLE, 0, &lk);
	}
	libos_file_put(f);
	return rc;
}

/* SysV keys (shared with ipc_sem.c): a symbolic link ".sysv-KIND-KEY" in
 * the shared-memory directory whose text is the object's id. */
static void key_uri(char *buf, size_t size, const char *kind, int32_t key)
{
	rt_snprintf(buf, size, "file:/tmp/.moat-shm/.sysv-%s-%d", kind, key);
}

long libos_ipc_key_lookup(const char *kind, int32_t key)
{
	char uri[96], text[32];
	size_t n = sizeof(text);
	key_uri(uri, sizeof(uri), kind, key);
	if (dk->DkStreamLinkRead(uri, text, &n, NULL) < 0)
		return -ENOENT;
	text[n < sizeof(text) ? n : sizeof(text) - 1] = 0;
	uint64_t v;
	const char *e = rt_parse_u64(text, &v);
	return e && !*e && v > 0 && v < 0x7fffffff ? (long)v : -ENOENT;
}

/* Names id by key; false if another process named one first. */
bool libos_ipc_key_create(const char *kind, int32_t key, long id)
{
	char uri[96], target[16];
	key_uri(uri, sizeof(uri), kind, key);
	rt_snprintf(target, sizeof(target), "%ld", id);
	return dk->DkStreamLinkCreate(target, uri, DK_LINK_SYMBOLIC) == 0;
}

void libos_ipc_key_delete(const char *kind, int32_t key)
{
	char uri[96];
	key_uri(uri, sizeof(uri), kind, key);
	dk->DkStreamDelete(uri);
}

static long key_lookup(int32_t key)
{
	return libos_ipc_key_lookup("key", key);
}

/* A new segment of size bytes; its id. */
static long seg_create(int32_t key, uint64_t size, unsigned mode)
{
	for (int tries = 0; tries < 16; tries++) {
		int id = libos_ipc_random_id();
		char path[64];
		seg_path(path, sizeof(path), id);
		struct libos_file *f;
		long rc = libos_open_path(path, O_RDWR | O_CREAT | O_EXCL, 0600, &f);
		if (rc == -EEXIST)
			continue;
		if (rc < 0)
			return rc;
		struct seg_header h = {.magic = MAGIC, .mode = mode & 0777, .key = key,
				       .cpid = libos_proc.pid, .size = size, .ctime = libos_ipc_now()};
		uint64_t pages = (size + 4095) & ~4095ull;
		rc = f->ops->truncate ? f->ops->truncate(f, HDR + pages) : -EIO;
		if (rc == 0 && f->ops->pwrite(f, &h, sizeof(h), 0) != (long)sizeof(h))
			rc = -EIO;
		libos_file_put(f);
		if (rc < 0) {
			seg_delete(id);
			return rc;
		}
		return id;
	}
	return -ENOSPC;
}

static long check_size(struct seg_header *h, void *arg)
{
	return *(uint64_t *)arg > h->size || h->removed ? -EINVAL : 0;
}

LIBOS_SYSCALL(shmget)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	int32_t key = (int32_t)a0;
	uint64_t size = (uint64_t)a1;
	int flg = (int)a2;
	if (key != IPC_PRIVATE) {
		for (int round = 0; round < 4; round++) {
			long id = key_lookup(key);
			if (id > 0) {
				if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
					return -EEXIST;
				long rc = seg_update((int)id, check_size, &size, false);
				return rc < 0 ? rc : id;
			}
			if (!(flg & IPC_CREAT))
				return -ENOENT;
			if (size == 0 || size > SEG_MAX)
				return -EINVAL;
			id = seg_create(key, size, (unsigned)flg);
			if (id < 0)
				return id;
			if (libos_ipc_key_create("key", key, id))
				return id;
			seg_delete((int)id); /* another process made the key first */
		}
		return -EAGAIN;
	}
	if (size == 0 || size > SEG_MAX)
		return -EINVAL;
	return seg_create(key, size, (unsigned)flg);
}

/* ---- attach and detach ------------------------------------------------------------- */
struct attach_args {
	int delta;
	uint64_t size;
};

static long count(struct seg_header *h, void *arg)
{
	struct attach_args *a = arg;
	if (a->delta > 0 && h->removed && !h->nattch)
		return -EINVAL;
	h->nattch = a->delta < 0 && !h->nattch ? 0 : h->nattch + (uint64_t)(int64_t)a->delta;
	h->lpid = libos_proc.pid;
	if (a->delta > 0)
		h->atime = libos_ipc_now();
	else
		h->dtime = libos_ipc_now();
	a->size = h->size;
	return h->removed && !h->nattch ? 1 : 0;
}

static void drop_attach(int id)
{
	struct attach_args a = {.delta = -1};
	if (seg_update(id, count, &a, true) == 1)
		seg_delete(id);
}

LIBOS_SYSCALL(shmat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	int id = (int)a0;
	uint64_t addr = (uint64_t)a1;
	int flg = (int)a2;
	if (addr && (flg & SHM_RND))
		addr &= ~(uint64_t)(SHMLBA - 1);
	if (addr & (SHMLBA - 1))
		return -EINVAL;
	struct attach_args a = {.delta = 1};
	long rc = seg_update(id, count, &a, true);
	if (rc < 0)
		return rc;
	struct libos_file *f;
	rc = seg_open(id, &f);
	int fd = rc < 0 ? (int)rc : libos_fd_install(f, 0, true);
	if (rc >= 0 && fd < 0)
		libos_file_put(f);
	uint64_t len = (a.size + 4095) & ~4095ull;
	int prot = (flg & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	rc = fd < 0 ? fd
		    : libos_mmap(addr, len, prot, MAP_SHARED | (addr ? MAP_FIXED : 0), fd, HDR);
	if (fd >= 0)
		libos_fd_close(fd);
	if (rc < 0 && rc > -4096) {
		drop_attach(id);
		return rc;
	}
	libos_lock(&ipc_lock);
	int slot = 0;
	while (slot < ATTACH_MAX && attached[slot].addr)
		slot++;
	if (slot < ATTACH_MAX)
		attached[slot] = (struct attach){(uint64_t)rc, len, id};
	if (slot < ATTACH_MAX && slot >= attached_top)
		attached_top = slot + 1;
	libos_unlock(&ipc_lock);
	if (slot == ATTACH_MAX) {
		libos_munmap((uint64_t)rc, len);
		drop_attach(id);
		return -EMFILE;
	}
	return rc;
}

LIBOS_SYSCALL(shmdt)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	uint64_t addr = (uint64_t)a0;
	struct attach found = {0};
	libos_lock(&ipc_lock);
	for (int i = 0; i < attached_top; i++)
		if (attached[i].addr && attached[i].addr == addr) {
			found = attached[i];
			attached[i].addr = 0;
			break;
		}
	libos_unlock(&ipc_lock);
	if (!found.addr)
		return -EINVAL;
	libos_munmap(found.addr, found.len);
	drop_attach(found.id);
	return 0;
}

/* fork, in the child: its inherited attachments count too. */
void libos_ipc_fork_child(void)
{
	for (int i = 0; i < attached_top; i++)
		if (attached[i].addr) {
			struct attach_args a = {.delta = 1};
			seg_update(attached[i].id, count, &a, true);
		}
}

/* exit and execve: the caller's attachments go. */
void libos_ipc_detach_all(void)
{
	for (int i = 0; i < attached_top; i++)
		if (attached[i].addr) {
			int id = attached[i].id;
			attached[i].addr = 0;
			drop_attach(id);
		}
}

/* ---- shmctl -------------------------------------------------------------------------- */
static long stat_seg(struct seg_header *h, void *arg)
{
	struct kshmid_ds *d = arg;
	memset(d, 0, sizeof(*d));
	d->key = h->key;
	d->uid = d->cuid = libos_proc.uid;
	d->gid = d->cgid = libos_proc.gid;
	d->mode = h->mode | (h->removed ? SHM_DEST : 0);
	d->segsz = h->size;
	d->atime = h->atime;
	d->dtime = h->dtime;
	d->ctime = h->ctime;
	d->cpid = h->cpid;
	d->lpid = h->lpid;
	d->nattch = h->nattch;
	return 0;
}

static long set_mode(struct seg_header *h, void *arg)
{
	h->mode = *(uint32_t *)arg & 0777;
	h->ctime = libos_ipc_now();
	return 0;
}

static long remove_seg(struct seg_header *h, void *arg)
{
	(void)arg;
	h->removed = 1;
	h->ctime = libos_ipc_now();
	return h->key != IPC_PRIVATE ? 2 + (h->nattch ? 0 : 1) : (h->nattch ? 0 : 1);
}

LIBOS_SYSCALL(shmctl)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	int id = (int)a0, cmd = (int)a1 & 0xff;
	struct kshmid_ds d;
	long rc;
	switch (cmd) {
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		rc = seg_update(id, stat_seg, &d, false);
		if (rc < 0)
			return rc;
		return libos_copy_to_user((void *)a2, &d, sizeof(d)) < 0 ? -EFAULT : 0;
	case IPC_SET:
		if (libos_copy_from_user(&d, (const void *)a2, sizeof(d)) < 0)
			return -EFAULT;
		return seg_update(id, set_mode, &d.mode, true);
	case IPC_RMID: {
		struct kshmid_ds keep;
		rc = seg_update(id, stat_seg, &keep, false);
		if (rc < 0)
			return rc;
		rc = seg_update(id, remove_seg, NULL, true);
		if (rc < 0)
			return rc;
		if (rc >= 2) /* the key is free again at once */
			key_delete(keep.key);
		if (rc & 1)
			seg_delete(id);
		return 0;
	}
	default:
		return -EINVAL;
	}
}
