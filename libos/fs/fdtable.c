/*
 * Open files and the descriptor table: the life cycle of struct libos_file,
 * the table with its close-on-exec bits, and the calls that only touch the
 * table: close, close_range, dup, dup2, dup3, fcntl, flock.
 *
 * Locks:
 *   - flock() locks are kept in a process-wide table keyed by the file's
 *     (device, inode) and owned by the open file, so two opens of one file
 *     in this process conflict as on Linux.  They are not seen by other
 *     picoprocesses: the Dk ABI has no lock call (an ABI gap).
 *   - OFD locks (F_OFD_*) are byte ranges kept in a process-wide table
 *     keyed by (device, inode) and owned by the open file, as flock's:
 *     they conflict between open file descriptions (shared with shared
 *     never does) and go with the file's last close.
 *   - POSIX record locks (F_SETLK/F_SETLKW/F_GETLK) never conflict inside
 *     one process on Linux either, so they are not recorded: they succeed
 *     after Linux's argument checks unless an OFD lock conflicts, and
 *     F_GETLK reports F_UNLCK or that OFD lock (an OFD lock does not see
 *     the process's POSIX locks: weaker than Linux).  Other picoprocesses
 *     see none of them (same gap).
 */
#include "fs.h"
#include <linux/close_range.h>

/* ---- files ----------------------------------------------------------------- */

struct libos_file *libos_file_new(const struct libos_file_ops *ops, unsigned flags, void *priv)
{
	struct libos_file *f = libos_alloc(sizeof(*f));
	if (!f)
		return NULL;
	f->refs = 1;
	f->ops = ops;
	f->flags = flags;
	f->priv = priv;
	return f;
}

void libos_file_get(struct libos_file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void libos_file_put(struct libos_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	fs_locks_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->pos_lock.event)
		dk->DkObjectClose(f->pos_lock.event);
	libos_free(f->path);
	libos_free(f);
}

/* ---- the table --------------------------------------------------------------- */

#define fd_lock (libos_proc.locks.fd) /* on the page fork writes anyway */
static struct libos_file **fd_files LIBOS_FORK_HOT;
static uint8_t *fd_cloexec LIBOS_FORK_HOT;
static unsigned fd_cap LIBOS_FORK_HOT;
static int lend_copy(void); /* fd_lock held: before any change (see below) */
/* RLIMIT_NOFILE's soft limit; misc.c's setrlimit may change it (<= LIBOS_FD_MAX). */
unsigned libos_fd_limit = 1024;

static int grow(unsigned need) /* fd_lock held */
{
	if (need <= fd_cap)
		return 0;
	unsigned cap = fd_cap ? fd_cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > LIBOS_FD_MAX)
		cap = LIBOS_FD_MAX;
	struct libos_file **files = libos_realloc(fd_files, cap * sizeof(*files));
	if (!files)
		return -ENOMEM;
	fd_files = files;
	uint8_t *ce = libos_realloc(fd_cloexec, cap);
	if (!ce)
		return -ENOMEM;
	fd_cloexec = ce;
	memset(fd_files + fd_cap, 0, (cap - fd_cap) * sizeof(*files));
	memset(fd_cloexec + fd_cap, 0, cap - fd_cap);
	fd_cap = cap;
	return 0;
}

int libos_fd_install(struct libos_file *f, int min_fd, bool cloexec)
{
	unsigned limit = libos_fd_limit < LIBOS_FD_MAX ? libos_fd_limit : LIBOS_FD_MAX;
	if (min_fd < 0 || (unsigned)min_fd >= limit)
		return min_fd < 0 ? -EINVAL : -EMFILE;
	libos_lock(&fd_lock);
	unsigned fd = (unsigned)min_fd;
	while (fd < fd_cap && fd_files[fd])
		fd++;
	if (fd >= limit) {
		libos_unlock(&fd_lock);
		return -EMFILE;
	}
	if (lend_copy() < 0 || grow(fd + 1) < 0) {
		libos_unlock(&fd_lock);
		return -ENOMEM;
	}
	fd_files[fd] = f;
	fd_cloexec[fd] = cloexec;
	libos_unlock(&fd_lock);
	return (int)fd;
}

int libos_fd_install_at(int fd, struct libos_file *f, bool cloexec)
{
	unsigned limit = libos_fd_limit < LIBOS_FD_MAX ? libos_fd_limit : LIBOS_FD_MAX;
	if (fd < 0 || (unsigned)fd >= limit)
		return -EBADF;
	libos_lock(&fd_lock);
	if (lend_copy() < 0 || grow((unsigned)fd + 1) < 0) {
		libos_unlock(&fd_lock);
		return -ENOMEM;
	}
	struct libos_file *old = fd_files[fd];
	fd_files[fd] = f;
	fd_cloexec[fd] = cloexec;
	libos_unlock(&fd_lock);
	libos_file_put(old);
	return fd;
}

struct libos_file *libos_fd_get(int fd)
{
	struct libos_file *f = NULL;
	if (fd < 0)
		return NULL;
	libos_lock(&fd_lock);
	if ((unsigned)fd < fd_cap && (f = fd_files[fd]))
		libos_file_get(f);
	libos_unlock(&fd_lock);
	return f;
}

int libos_fd_close(int fd)
{
	struct libos_file *f = NULL;
	if (fd < 0)
		return -EBADF;
	libos_lock(&fd_lock);
	if ((unsigned)fd < fd_cap && fd_files[fd] && lend_copy() < 0) {
		libos_unlock(&fd_lock);
		return -ENOMEM;
	}
	if ((unsigned)fd < fd_cap) {
		f = fd_files[fd];
		fd_files[fd] = NULL;
		fd_cloexec[fd] = 0;
	}
	libos_unlock(&fd_lock);
	if (!f)
		return -EBADF;
	libos_file_put(f);
	return 0;
}

int libos_fd_get_cloexec(int fd)
{
	int rc = -EBADF;
	libos_lock(&fd_lock);
	if (fd >= 0 && (unsigned)fd < fd_cap && fd_files[fd])
		rc = fd_cloexec[fd];
	libos_unlock(&fd_lock);
	return rc;
}

int libos_fd_set_cloexec(int fd, bool on)
{
	int rc = -EBADF;
	libos_lock(&fd_lock);
	if (fd >= 0 && (unsigned)fd < fd_cap && fd_files[fd]) {
		rc = lend_copy();
		if (rc == 0)
			fd_cloexec[fd] = on;
	}
	libos_unlock(&fd_lock);
	return rc;
}

void libos_fd_close_on_exec(void)
{
	for (;;) {
		struct libos_file *f = NULL;
		libos_lock(&fd_lock); /* (never lent here: an exec ends the lending first) */
		for (unsigned fd = 0; fd < fd_cap; fd++)
			if (fd_files[fd] && fd_cloexec[fd]) {
				f = fd_files[fd];
				fd_files[fd] = NULL;
				fd_cloexec[fd] = 0;
				break;
			}
		libos_unlock(&fd_lock);
		if (!f)
			return;
		libos_file_put(f);
	}
}

int libos_fd_next(int fd, struct libos_file **out)
{
	libos_lock(&fd_lock);
	for (unsigned i = fd < 0 ? 0 : (unsigned)fd; i < fd_cap; i++)
		if (fd_files[i]) {
			*out = fd_files[i];
			libos_file_get(*out);
			libos_unlock(&fd_lock);
			return (int)i;
		}
	libos_unlock(&fd_lock);
	return -1;
}

/* ---- table calls -------------------------------------------------------------- */

LIBOS_SYSCALL(close)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return libos_fd_close((int)a0);
}

LIBOS_SYSCALL(close_range)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	unsigned first = (unsigned)a0, last = (unsigned)a1, flags = (unsigned)a2;
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (;;) {
		struct libos_file *f = NULL;
		libos_lock(&fd_lock);
		if (lend_copy() < 0) {
			libos_unlock(&fd_lock);
			return -ENOMEM;
		}
		unsigned end = last < fd_cap ? last + 1 : fd_cap;
		for (unsigned fd = first; fd < end; fd++) {
			if (!fd_files[fd])
				continue;
			if (flags & CLOSE_RANGE_CLOEXEC) {
				fd_cloexec[fd] = 1;
				continue;
			}
			f = fd_files[fd];
			fd_files[fd] = NULL;
			fd_cloexec[fd] = 0;
			first = fd + 1;
			break;
		}
		libos_unlock(&fd_lock);
		if (!f)
			return 0;
		libos_file_put(f);
	}
}

LIBOS_SYSCALL(dup)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	return fs_install(f, 0, false);
}

static long do_dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	struct libos_file *f = libos_fd_get(oldfd);
	if (!f)
		return -EBADF;
	int rc = libos_fd_install_at(newfd, f, flags & O_CLOEXEC);
	if (rc < 0)
		libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(dup2)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if (a0 == a1) {
		struct libos_file *f = libos_fd_get((int)a0);
		if (!f)
			return -EBADF;
		libos_file_put(f);
		return a1;
	}
	return do_dup3((int)a0, (int)a1, 0);
}

LIBOS_SYSCALL(dup3)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	if (a0 == a1)
		return -EINVAL;
	return do_dup3((int)a0, (int)a1, (int)a2);
}

/* ---- flock ------------------------------------------------------------------- */

struct flock_entry {
	struct flock_entry *next;
	uint64_t dev, ino;
	struct libos_file *owner;
	int exclusive;
};
static struct libos_lock flock_lock;
static struct flock_entry *flocks;
static DK_HANDLE flock_event;
static int flock_used;

/* OFD record locks, under flock_lock: [start, end), end OFD_EOF for "to the
 * end of the file"; one owner's ranges never overlap. */
#define OFD_EOF UINT64_MAX
struct ofd_entry {
	struct ofd_entry *next;
	uint64_t dev, ino;
	struct libos_file *owner;
	int type;  /* F_RDLCK or F_WRLCK */
	uint64_t start, end;
};
static struct ofd_entry *ofds;

void fs_locks_release(struct libos_file *f)
{
	if (!__atomic_load_n(&flock_used, __ATOMIC_ACQUIRE))
		return;
	libos_lock(&flock_lock);
	bool any = false;
	for (struct flock_entry **pp = &flocks; *pp;) {
		struct flock_entry *e = *pp;
		if (e->owner == f) {
			*pp = e->next;
			libos_free(e);
			any = true;
		} else {
			pp = &e->next;
		}
	}
	for (struct ofd_entry **pp = &ofds; *pp;) {
		struct ofd_entry *e = *pp;
		if (e->owner == f) {
			*pp = e->next;
			libos_free(e);
			any = true;
		} else {
			pp = &e->next;
		}
	}
	if (any && flock_event)
		dk->DkEventSet(flock_event);
	libos_unlock(&flock_lock);
}

/* A lock DkStreamLock refused: Linux's error for it. */
static long lock_errno(int rc, long busy)
{
	if (rc == -DK_E_WOULD_BLOCK)
		return busy;
	if (rc == -DK_E_BUSY)
		return -EDEADLK;
	if (rc == -DK_E_LIMIT)
		return -ENOLCK;
	return libos_errno(rc);
}

static long do_flock(struct libos_file *f, int op)
{
	struct stat st;
	int kind = op & ~LOCK_NB;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	/* A host file: the host keeps the lock, so other processes see it. */
	DK_HANDLE h;
	if (fs_host_file(f, &h)) {
		struct dk_lock lk = {.type = kind == LOCK_UN ? DK_LOCK_UNLOCK
				       : kind == LOCK_EX ? DK_LOCK_WRITE : DK_LOCK_READ};
		int rc = dk->DkStreamLock(h, DK_LOCK_WHOLE, op & LOCK_NB ? 0 : DK_LOCK_WAIT, &lk);
		return rc < 0 ? lock_errno(rc, -EWOULDBLOCK) : 0;
	}
	long rc = fs_stat_file(f, &st);
	if (rc < 0)
		return rc;
	__atomic_store_n(&flock_used, 1, __ATOMIC_RELEASE);
	for (;;) {
		libos_lock(&flock_lock);
		if (!flock_event && dk->DkNotificationEventCreate(0, &flock_event) < 0)
			flock_event = DK_HANDLE_NONE;
		struct flock_entry *mine = NULL, **mine_pp = NULL;
		bool conflict = false;
		for (struct flock_entry **pp = &flocks; *pp; pp = &(*pp)->next) {
			struct flock_entry *e = *pp;
			if (e->dev != st.st_dev || e->ino != st.st_ino)
				continue;
			if (e->owner == f) {
				mine = e;
				mine_pp = pp;
			} else if (kind == LOCK_EX || e->exclusive) {
				conflict = true;
			}
		}
		if (kind == LOCK_UN) {
			if (mine) {
				*mine_pp = mine->next;
				libos_free(mine);
				if (flock_event)
					dk->DkEventSet(flock_event);
			}
			libos_unlock(&flock_lock);
			return 0;
		}
		if (!conflict) {
			if (!mine) {
				mine = libos_alloc(sizeof(*mine));
				if (!mine) {
					libos_unlock(&flock_lock);
					return -ENOLCK;
				}
				mine->dev = st.st_dev;
				mine->ino = st.st_ino;
				mine->owner = f;
				mine->next = flocks;
				flocks = mine;
			}
			/* A conversion down wakes waiters for a shared lock. */
			if (mine->exclusive && kind == LOCK_SH && flock_event)
				dk->DkEventSet(flock_event);
			mine->exclusive = kind == LOCK_EX;
			libos_unlock(&flock_lock);
			return 0;
		}
		/* Linux drops a held lock before waiting on a conversion. */
		if (mine && !(op & LOCK_NB)) {
			*mine_pp = mine->next;
			libos_free(mine);
		}
		DK_HANDLE ev = flock_event;
		if (ev)
			dk->DkEventClear(ev);
		libos_unlock(&flock_lock);
		if (op & LOCK_NB)
			return -EWOULDBLOCK;
		/* The event speeds the wake-up; the timeout makes it correct
		 * even when another waiter clears the event first. */
		long w = ev ? libos_wait(1, &ev, 5000000) : libos_wait(0, NULL, 5000000);
		if (w == -EINTR)
			return fs_intr();
	}
}

LIBOS_SYSCALL(flock)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	long rc = (f->flags & O_PATH) ? -EBADF : do_flock(f, (int)a1);
	libos_file_put(f);
	return rc;
}

/* ---- fcntl ------------------------------------------------------------------- */

/* Provided by pipe.c and anon.c. */
long fs_pipe_size(struct libos_file *f, long set);
long fs_memfd_seals(struct libos_file *f, long add);

/* An OFD lock of another owner (owner NULL: a POSIX lock, any OFD lock
 * is another's) that conflicts with type over [start, end); flock_lock held. */
static struct ofd_entry *ofd_conflict(const struct stat *st, struct libos_file *owner, int type,
				      uint64_t start, uint64_t end)
{
	for (struct ofd_entry *e = ofds; e; e = e->next)
		if (e->dev == st->st_dev && e->ino == st->st_ino && e->owner != owner &&
		    e->start < end && start < e->end && (type == F_WRLCK || e->type == F_WRLCK))
			return e;
	return NULL;
}

/* Takes [start, end) out of owner's ranges; *spare (if needed) becomes the
 * upper half of a range split in two.  flock_lock held. */
static bool ofd_cut(const struct stat *st, struct libos_file *owner, uint64_t start,
		    uint64_t end, struct ofd_entry **spare)
{
	bool any = false;
	for (struct ofd_entry **pp = &ofds; *pp;) {
		struct ofd_entry *e = *pp;
		if (e->dev != st->st_dev || e->ino != st->st_ino || e->owner != owner ||
		    e->end <= start || end <= e->start) {
			pp = &e->next;
			continue;
		}
		any = true;
		if (e->start < start && e->end > end) {
			struct ofd_entry *n = *spare;
			*spare = NULL;
			*n = *e;
			n->start = end;
			e->end = start;
			e->next = n;
			pp = &n->next;
		} else if (e->start < start) {
			e->end = start;
			pp = &e->next;
		} else if (e->end > end) {
			e->start = end;
			pp = &e->next;
		} else {
			*pp = e->next;
			libos_free(e);
		}
	}
	return any;
}

static long record_lock(struct libos_file *f, int cmd, struct flock *user)
{
	struct flock fl;
	struct stat st;
	long rc;
	if (libos_copy_from_user(&fl, user, sizeof(fl)) < 0)
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence != SEEK_SET && fl.l_whence != SEEK_CUR && fl.l_whence != SEEK_END)
		return -EINVAL;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if ((rc = fs_stat_file(f, &st)) < 0)
		return rc;
	/* The range, as [start, end). */
	int64_t base = fl.l_whence == SEEK_SET ? 0
		       : fl.l_whence == SEEK_CUR ? (int64_t)fs_position(f)
						 : (int64_t)st.st_size;
	int64_t s0 = base + fl.l_start;
	uint64_t start, end;
	if (s0 < 0)
		return -EINVAL;
	if (fl.l_len > 0) {
		if (s0 > INT64_MAX - fl.l_len)
			return -EOVERFLOW;
		start = (uint64_t)s0;
		end = (uint64_t)(s0 + fl.l_len);
	} else if (fl.l_len == 0) {
		start = (uint64_t)s0;
		end = OFD_EOF;
	} else {
		if (s0 + fl.l_len < 0)
			return -EINVAL;
		start = (uint64_t)(s0 + fl.l_len);
		end = (uint64_t)s0;
	}
	struct libos_file *owner = ofd ? f : NULL;
	unsigned facc = f->flags & O_ACCMODE;
	if (cmd != F_GETLK && cmd != F_OFD_GETLK &&
	    ((fl.l_type == F_RDLCK && facc == O_WRONLY) || (fl.l_type == F_WRLCK && facc == O_RDONLY)))
		return -EBADF;
	/* A host file: the host keeps the lock, so other processes see it. */
	DK_HANDLE h;
	if (fs_host_file(f, &h)) {
		bool test = cmd == F_GETLK || cmd == F_OFD_GETLK;
		if (test && fl.l_type == F_UNLCK)
			return -EINVAL;
		struct dk_lock lk = {.type = (uint32_t)fl.l_type, .start = start,
				     .length = end == OFD_EOF ? 0 : end - start};
		uint32_t flags = test ? DK_LOCK_TEST
				 : (cmd == F_SETLKW || cmd == F_OFD_SETLKW) ? DK_LOCK_WAIT : 0;
		int rc = dk->DkStreamLock(h, ofd ? DK_LOCK_RANGE_OPEN : DK_LOCK_RANGE, flags, &lk);
		if (rc < 0)
			return lock_errno(rc, -EAGAIN);
		if (!test)
			return 0;
		fl.l_type = (short)lk.type;
		if (lk.type != DK_LOCK_UNLOCK) {
			fl.l_whence = SEEK_SET;
			fl.l_start = (int64_t)lk.start;
			fl.l_len = (int64_t)lk.length;
			fl.l_pid = lk.pid;
		}
		return libos_copy_to_user(user, &fl, sizeof(fl)) < 0 ? -EFAULT : 0;
	}
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		libos_lock(&flock_lock);
		struct ofd_entry *e = ofd_conflict(&st, owner, fl.l_type, start, end);
		if (e) {
			fl.l_type = (short)e->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = (int64_t)e->start;
			fl.l_len = e->end == OFD_EOF ? 0 : (int64_t)(e->end - e->start);
			fl.l_pid = -1;
		} else {
			fl.l_type = F_UNLCK; /* nothing in this process conflicts */
		}
		libos_unlock(&flock_lock);
		return libos_copy_to_user(user, &fl, sizeof(fl)) < 0 ? -EFAULT : 0;
	}
	unsigned acc = f->flags & O_ACCMODE;
	if (fl.l_type == F_RDLCK && acc == O_WRONLY)
		return -EBADF;
	if (fl.l_type == F_WRLCK && acc == O_RDONLY)
		return -EBADF;
	if (!ofd && !__atomic_load_n(&flock_used, __ATOMIC_ACQUIRE))
		return 0; /* no OFD lock anywhere */
	struct ofd_entry *spare = libos_alloc(sizeof(*spare));
	struct ofd_entry *mine = ofd && fl.l_type != F_UNLCK ? libos_alloc(sizeof(*mine)) : NULL;
	if (!spare || (ofd && fl.l_type != F_UNLCK && !mine)) {
		libos_free(spare);
		libos_free(mine);
		return -ENOLCK;
	}
	if (ofd)
		__atomic_store_n(&flock_used, 1, __ATOMIC_RELEASE);
	for (;;) {
		libos_lock(&flock_lock);
		if (!flock_event && dk->DkNotificationEventCreate(0, &flock_event) < 0)
			flock_event = DK_HANDLE_NONE;
		if (fl.l_type == F_UNLCK) {
			if (ofd && ofd_cut(&st, owner, start, end, &spare) && flock_event)
				dk->DkEventSet(flock_event);
			rc = 0;
			break;
		}
		if (!ofd_conflict(&st, owner, fl.l_type, start, end)) {
			rc = 0;
			if (!ofd)
				break;
			/* Replaces what this file held over the range. */
			ofd_cut(&st, owner, start, end, &spare);
			mine->dev = st.st_dev;
			mine->ino = st.st_ino;
			mine->owner = f;
			mine->type = fl.l_type;
			mine->start = start;
			mine->end = end;
			mine->next = ofds;
			ofds = mine;
			mine = NULL;
			if (flock_event)
				dk->DkEventSet(flock_event); /* a write lock may have become a read lock */
			break;
		}
		DK_HANDLE ev = flock_event;
		if (ev)
			dk->DkEventClear(ev);
		libos_unlock(&flock_lock);
		if (cmd != F_SETLKW && cmd != F_OFD_SETLKW) {
			rc = -EAGAIN;
			goto out;
		}
		/* As flock: the event speeds the wake-up, the timeout keeps it
		 * correct when another waiter clears the event first. */
		long w = ev ? libos_wait(1, &ev, 5000000) : libos_wait(0, NULL, 5000000);
		if (w == -EINTR) {
			rc = fs_intr();
			goto out;
		}
	}
	libos_unlock(&flock_lock);
out:
	libos_free(spare);
	libos_free(mine);
	return rc;
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* F_SETFL and FIONBIO: the open file's new flags; a host stream's
 * O_NONBLOCK and O_APPEND go to the host's open file first. */
long fs_set_status(struct libos_file *f, unsigned flags)
{
	if (f->flags & O_PATH)
		return -EBADF;
	long rc = fs_host_status(f, true, flags);
	if (rc < 0)
		return rc;
	__atomic_store_n(&f->flags, flags, __ATOMIC_RELEASE);
	return 0;
}

LIBOS_SYSCALL(fcntl)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	int fd = (int)a0, cmd = (int)a1;
	long arg = a2;
	struct libos_file *f = libos_fd_get(fd);
	long rc;
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= LIBOS_FD_MAX) {
			rc = -EINVAL;
			break;
		}
		return fs_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		rc = libos_fd_get_cloexec(fd) > 0 ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		rc = libos_fd_set_cloexec(fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		rc = fs_host_status(f, false, f->flags & ~O_CLOEXEC);
		break;
	case F_SETFL:
		rc = fs_set_status(f, (f->flags & ~SETFL_MASK) | ((unsigned)arg & SETFL_MASK));
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		rc = (f->flags & O_PATH) ? -EBADF : record_lock(f, cmd, (struct flock *)arg);
		break;
	case F_GETOWN:
	case F_SETOWN:
	case F_GETSIG:
	case F_SETSIG:
		rc = 0; /* no SIGIO: owners are accepted and never signalled */
		break;
	case F_GETOWN_EX: {
		static const int zero[2];
		rc = libos_copy_to_user((void *)arg, zero, 8) < 0 ? -EFAULT : 0;
		break;
	}
	case F_SETOWN_EX:
		rc = 0;
		break;
	case F_GETLEASE:
		rc = F_UNLCK;
		break;
	case F_SETLEASE:
		rc = arg == F_UNLCK ? 0 : -EAGAIN;
		break;
	case F_NOTIFY:
		rc = -EINVAL;
		break;
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
		rc = fs_is_pipe(f) ? fs_pipe_size(f, cmd == F_SETPIPE_SZ ? arg : -1) : -EBADF;
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		rc = f->ops == &fs_memfd_ops ? fs_memfd_seals(f, cmd == F_ADD_SEALS ? arg : -1)
					     : -EINVAL;
		break;
	default:
		rc = -EINVAL;
	}
	libos_file_put(f);
	return rc;
}

/* fork: the descriptor table is never copied half-updated. */
void libos_fd_fork_lock(bool take)
{
	if (take)
		libos_lock(&fd_lock);
	else
		libos_unlock(&fd_lock);
}

/* ---- a vfork child borrowing the table (process.c) ------------------------------
 * The saved copy starts out as the table itself, shared: nearly always
 * the child only execs, and then neither side writes a thing (in the
 * parent, each write after the fork would copy a page the child still
 * shares).  The child's first change to the table (an open, a close, a
 * dup, a close-on-exec flag) first makes the saved copy a copy of its
 * own (lend_copy): the arrays copied, each file referenced once more. */
static struct libos_fd_table *shared_save LIBOS_FORK_HOT; /* the saved copy, while shared */

static int lend_copy(void)
{
	if (!shared_save)
		return 0;
	unsigned cap = fd_cap;
	struct libos_fd_table copy = {.n = cap};
	if (cap) {
		copy.files = libos_alloc(cap * sizeof(*copy.files));
		copy.cloexec = libos_alloc(cap);
		if (!copy.files || !copy.cloexec) {
			libos_free(copy.files);
			libos_free(copy.cloexec);
			return -ENOMEM;
		}
		memcpy(copy.files, fd_files, cap * sizeof(*copy.files));
		memcpy(copy.cloexec, fd_cloexec, cap);
	}
	for (unsigned i = 0; i < cap; i++)
		if (fd_files[i])
			libos_file_get(fd_files[i]);
	*shared_save = copy;
	shared_save = NULL;
	return 0;
}

/* Saves the table into *out (shared with the table until it changes). */
int libos_fd_table_save(struct libos_fd_table *out)
{
	libos_lock(&fd_lock);
	*out = (struct libos_fd_table){fd_files, fd_cloexec, fd_cap};
	shared_save = out;
	libos_unlock(&fd_lock);
	return 0;
}

static void drop_table(struct libos_file **files, uint8_t *cloexec, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		libos_file_put(files[i]);
	libos_free(files);
	libos_free(cloexec);
}

/* Drops a saved copy (still shared: nothing to drop). */
void libos_fd_table_discard(struct libos_fd_table *saved)
{
	libos_lock(&fd_lock);
	bool shared = shared_save == saved;
	shared_save = NULL;
	libos_unlock(&fd_lock);
	if (!shared)
		drop_table(saved->files, saved->cloexec, saved->n);
	*saved = (struct libos_fd_table){0};
}

/* Makes the saved copy the table again; what the table held is closed
 * (still shared: the table never changed). */
void libos_fd_table_restore(struct libos_fd_table *saved)
{
	libos_lock(&fd_lock);
	if (shared_save == saved) {
		shared_save = NULL;
		libos_unlock(&fd_lock);
		*saved = (struct libos_fd_table){0};
		return;
	}
	struct libos_file **files = fd_files;
	uint8_t *cloexec = fd_cloexec;
	unsigned n = fd_cap;
	fd_files = saved->files;
	fd_cloexec = saved->cloexec;
	fd_cap = saved->n;
	libos_unlock(&fd_lock);
	drop_table(files, cloexec, n);
	*saved = (struct libos_fd_table){0};
}
