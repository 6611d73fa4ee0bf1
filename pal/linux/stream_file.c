/*
 * "file:PATH": a host file or directory.  PATH is passed to the host as is
 * (relative paths are relative to the PAL's working directory); the
 * sandbox's mount namespace and Landlock rules decide what it can reach.
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/stat.h>
#include <asm/stat.h>

/* The kernel's record from getdents64 (no UAPI header declares it). */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* Directory enumeration state, made at the first enumerate: host records
 * read but not yet handed out, so a small caller buffer loses nothing. */
struct file_dir {
	int lock;
	uint32_t pos, len;
	char buf[8192];
};

static void spin_lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		HOST(sched_yield, 0);
}

static void spin_unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static int file_open_flags(uint32_t access, uint32_t create, uint32_t options)
{
	int flags = O_CLOEXEC;
	if (options & DK_OPT_NOFOLLOW)
		flags |= O_NOFOLLOW;
	if (options & DK_OPT_NONBLOCK)
		flags |= O_NONBLOCK; /* matters for FIFOs and devices only */
	if (options & DK_OPT_DIRECTORY)
		return flags | O_RDONLY | O_DIRECTORY;
	if ((access & DK_ACCESS_READ) && (access & (DK_ACCESS_WRITE | DK_ACCESS_APPEND)))
		flags |= O_RDWR;
	else if (access & (DK_ACCESS_WRITE | DK_ACCESS_APPEND))
		flags |= O_WRONLY;
	else
		flags |= O_RDONLY;
	if (access & DK_ACCESS_APPEND)
		flags |= O_APPEND;
	if (create & DK_CREATE_NEW)
		flags |= O_CREAT | O_EXCL;
	else if (create & DK_CREATE_ALWAYS)
		flags |= O_CREAT;
	if (create & DK_CREATE_TRUNCATE)
		flags |= O_TRUNC;
	return flags;
}

/* DK_OPT_DIRECTORY with a create mode: make the directory first. */
static int file_mkdir(const char *path, uint32_t create, uint32_t mode)
{
	long rc = HOST(mkdirat, AT_FDCWD, path, mode);
	if (rc == -EEXIST && !(create & DK_CREATE_NEW))
		return 0;
	return pal_host_status(rc);
}

/* DK_OPT_FIFO (with a create mode, pal/common checked): make the FIFO
 * first.  Only a FIFO: the monitor's seccomp rule for mknodat allows no
 * other type, and no setuid or setgid bit. */
static int file_mkfifo(const char *path, uint32_t create, uint32_t mode)
{
	long rc = HOST(mknodat, AT_FDCWD, path, S_IFIFO | (mode & 01777), 0);
	if (rc == -EEXIST && !(create & DK_CREATE_NEW))
		return 0;
	return pal_host_status(rc);
}

/* DK_OPT_SOCKET_FILE (with DK_CREATE_NEW and nothing else, pal/common
 * checked): a socket file, the name of a bound Unix socket, which nothing
 * opens; the monitor's seccomp rule allows S_IFSOCK with the permission
 * bits alone. */
static int file_mksock(const char *path, uint32_t mode)
{
	return pal_host_status(HOST(mknodat, AT_FDCWD, path, S_IFSOCK | (mode & 0777), 0));
}

/* What DK_OPT_FIFO opened must be a FIFO (it may have been there). */
static int file_check_fifo(int fd)
{
	struct stat st;
	long rc = HOST(fstat, fd, &st);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	return S_ISFIFO(st.st_mode) ? 0 : -DK_E_EXISTS;
}

/* The host's ENXIO: a FIFO without a reader, or a socket file; under
 * DK_OPT_FIFO, what is there and is no FIFO is EXISTS. */
static int file_refused(const char *path, uint32_t options)
{
	struct stat st;
	if ((options & DK_OPT_FIFO) && !HOST_IS_ERR(HOST(newfstatat, AT_FDCWD, path, &st, 0)) &&
	    !S_ISFIFO(st.st_mode))
		return -DK_E_EXISTS;
	return -DK_E_REFUSED;
}

static int file_open(struct pal_object *obj, const char *path, uint32_t access,
		     uint32_t create, uint32_t options, uint32_t mode)
{
	if (!*path)
		return -DK_E_INVALID;
	if (options & DK_OPT_SOCKET_FILE)
		return file_mksock(path, mode); /* no stream: obj stays unopened */
	if (options & DK_OPT_FIFO) {
		int rc = file_mkfifo(path, create, mode);
		if (rc < 0)
			return rc;
		create &= DK_CREATE_TRUNCATE; /* it is there now: open it */
	}
	if (options & DK_OPT_DIRECTORY) {
		/* A directory is read (enumerated), never written as a stream. */
		if (access & (DK_ACCESS_WRITE | DK_ACCESS_APPEND))
			return -DK_E_IS_DIRECTORY;
		if (create & (DK_CREATE_ALWAYS | DK_CREATE_NEW)) {
			int rc = file_mkdir(path, create, mode);
			if (rc < 0)
				return rc;
		}
	}
	long fd = HOST(openat, AT_FDCWD, path, file_open_flags(access, create, options), mode);
	if (fd == -ENXIO)
		return file_refused(path, options);
	if (HOST_IS_ERR(fd))
		return pal_dk_error(fd);
	int rc = options & DK_OPT_FIFO ? file_check_fifo((int)fd) : 0;
	if (rc < 0) {
		pal_linux_close((int)fd);
		return rc;
	}
	obj->fd = obj->wait_fd = (int)fd;
	return 0;
}

/* A descriptor opened for writing only (or reading only) gives EBADF for
 * the other direction; that is a permission matter, not a bad handle. */
static int io_error(long rc)
{
	return rc == -EBADF ? -DK_E_DENIED : pal_dk_error(rc);
}

static int file_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	long rc = offset == DK_OFFSET_CURRENT ? -ESPIPE
					      : HOST(pread64, obj->fd, buf, *count, offset);
	if (rc == -ESPIPE) /* a FIFO or character device: no positions */
		rc = HOST_BLOCKING(read, obj->fd, buf, *count);
	if (HOST_IS_ERR(rc))
		return io_error(rc);
	*count = (size_t)rc;
	return 0;
}

static int file_write(struct pal_object *obj, uint64_t offset, const void *buf,
		      size_t *count)
{
	long rc;
	/* With O_APPEND (at open, or DK_STREAM_SET_STATUS) the host writes
	 * at the end, pwrite64 too; without it, at the offset. */
	if (offset == DK_OFFSET_CURRENT)
		rc = HOST_BLOCKING(write, obj->fd, buf, *count);
	else
		rc = HOST(pwrite64, obj->fd, buf, *count, offset);
	if (rc == -ESPIPE)
		rc = HOST_BLOCKING(write, obj->fd, buf, *count);
	if (HOST_IS_ERR(rc))
		return io_error(rc);
	*count = (size_t)rc;
	return 0;
}

static int file_seek(struct pal_object *obj, int64_t offset, uint32_t whence, uint64_t *pos)
{
	/* DK_SEEK_* have the host's SEEK_* values. */
	long rc = HOST(lseek, obj->fd, offset, whence);
	if (HOST_IS_ERR(rc))
		return rc == -ESPIPE ? -DK_E_UNSUPPORTED : io_error(rc);
	*pos = (uint64_t)rc;
	return 0;
}

/* The host's struct flock on x86-64. */
struct k_flock {
	short type, whence;
	int pad;
	int64_t start, len;
	int pid, pad2;
};
#define K_F_GETLK 5
#define K_F_SETLK 6
#define K_F_SETLKW 7
#define K_F_OFD_GETLK 36
#define K_F_OFD_SETLK 37
#define K_F_OFD_SETLKW 38
#define K_LOCK_SH 1
#define K_LOCK_EX 2
#define K_LOCK_NB 4
#define K_LOCK_UN 8

static int lock_error(long rc)
{
	if (rc == -EAGAIN || rc == -EACCES || rc == -EWOULDBLOCK)
		return -DK_E_WOULD_BLOCK;
	if (rc == -EDEADLK)
		return -DK_E_BUSY; /* waiting would deadlock */
	if (rc == -ENOLCK)
		return -DK_E_LIMIT;
	return io_error(rc);
}

static int file_lock(struct pal_object *obj, uint32_t kind, uint32_t flags, struct dk_lock *lk)
{
	long rc;
	if (kind == DK_LOCK_WHOLE) {
		int op = lk->type == DK_LOCK_UNLOCK ? K_LOCK_UN
			 : lk->type == DK_LOCK_WRITE ? K_LOCK_EX : K_LOCK_SH;
		rc = HOST(flock, obj->fd, op | (flags & DK_LOCK_WAIT ? 0 : K_LOCK_NB));
		return HOST_IS_ERR(rc) ? lock_error(rc) : 0;
	}
	bool open = kind == DK_LOCK_RANGE_OPEN;
	int cmd = flags & DK_LOCK_TEST ? (open ? K_F_OFD_GETLK : K_F_GETLK)
		  : flags & DK_LOCK_WAIT ? (open ? K_F_OFD_SETLKW : K_F_SETLKW)
					 : (open ? K_F_OFD_SETLK : K_F_SETLK);
	/* DK_LOCK_* have the host's F_RDLCK, F_WRLCK, F_UNLCK values. */
	struct k_flock fl = {.type = (short)lk->type, .whence = 0,
			     .start = (int64_t)lk->start, .len = (int64_t)lk->length};
	rc = HOST(fcntl, obj->fd, cmd, &fl);
	if (HOST_IS_ERR(rc))
		return lock_error(rc);
	if (flags & DK_LOCK_TEST) {
		lk->type = (uint32_t)fl.type;
		lk->pid = fl.pid;
		lk->start = (uint64_t)fl.start;
		lk->length = (uint64_t)fl.len;
	}
	return 0;
}

/* A real mapping of the host file: shared writes reach the file. */
static int file_map(struct pal_object *obj, void **addr, uint32_t prot, uint32_t flags,
		    uint64_t offset, size_t size)
{
	/* DK_PROT_* have the host's PROT_* values. */
	int hflags = (flags & DK_MAP_SHARED) ? MAP_SHARED : pal_linux_private_file_flags((int)prot);
	if (flags & DK_MAP_FIXED)
		hflags |= MAP_FIXED;
	long rc = HOST(mmap, *addr, size, prot, hflags, obj->fd, offset);
	if (HOST_IS_ERR(rc))
		return rc == -EBADF ? -DK_E_DENIED : pal_dk_error(rc);
	*addr = (void *)rc;
	return 0;
}

static int file_set_length(struct pal_object *obj, uint64_t length)
{
	long rc = HOST(ftruncate, obj->fd, length);
	return rc == -EBADF ? -DK_E_DENIED : pal_host_status(rc);
}

static int file_flush(struct pal_object *obj)
{
	long rc = HOST(fsync, obj->fd);
	/* EINVAL: a pipe, socket or device that has nothing to sync. */
	return rc == -EINVAL ? 0 : pal_host_status(rc);
}

static bool dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* The directory state, made once; racing first calls agree on one. */
static struct file_dir *file_dir_get(struct pal_object *obj)
{
	struct file_dir *d = __atomic_load_n((struct file_dir **)&obj->stream.priv,
					     __ATOMIC_ACQUIRE);
	if (d)
		return d;
	struct file_dir *fresh = pal_alloc(sizeof(*fresh));
	if (!fresh)
		return NULL;
	if (__atomic_compare_exchange_n((struct file_dir **)&obj->stream.priv, &d, fresh, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return fresh;
	pal_free(fresh);
	return d;
}

/* Copies as many whole names as fit into buf; d is locked. */
static int file_enum_locked(struct pal_object *obj, struct file_dir *d, char *buf,
			    size_t *size)
{
	size_t used = 0;
	for (;;) {
		if (d->pos >= d->len) {
			long rc = HOST(getdents64, obj->fd, d->buf, sizeof(d->buf));
			if (HOST_IS_ERR(rc)) {
				if (used)
					break; /* give what we have; the error comes again */
				return pal_dk_error(rc);
			}
			if (rc == 0)
				break; /* end of directory */
			d->pos = 0;
			d->len = (uint32_t)rc;
		}
		struct linux_dirent64 *e = (struct linux_dirent64 *)(d->buf + d->pos);
		if (!dot_or_dotdot(e->d_name)) {
			size_t n = strlen(e->d_name) + 1;
			if (used + n > *size) {
				if (!used)
					return -DK_E_LIMIT;
				break;
			}
			int rc = pal_copy_out(buf + used, e->d_name, n);
			if (rc < 0)
				return rc;
			used += n;
			obj->stream.dir_pos++;
		}
		d->pos += e->d_reclen;
	}
	*size = used;
	return 0;
}

/* Consecutive NUL-terminated names, without "." and ".."; 0 bytes at the end. */
static int file_enumerate(struct pal_object *obj, char *buf, size_t *size)
{
	struct file_dir *d = file_dir_get(obj);
	if (!d)
		return -DK_E_NO_MEMORY;
	spin_lock(&d->lock);
	int rc = file_enum_locked(obj, d, buf, size);
	spin_unlock(&d->lock);
	return rc;
}

static uint32_t stat_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return DK_STREAM_FILE;
	case S_IFDIR:
		return DK_STREAM_DIRECTORY;
	case S_IFLNK:
		return DK_STREAM_SYMLINK;
	case S_IFIFO:
		return DK_STREAM_PIPE; /* a named pipe */
	case S_IFSOCK:
		return DK_STREAM_SOCKET; /* a socket file */
	default:
		return DK_STREAM_DEVICE;
	}
}

static void attr_from_stat(const struct stat *st, struct dk_stream_attr *a)
{
	a->type = stat_type(st->st_mode);
	a->mode = st->st_mode & 07777;
	a->size = (uint64_t)st->st_size;
	a->device = st->st_dev;
	a->inode = st->st_ino;
	a->links = st->st_nlink;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime_ns = (uint64_t)st->st_atime * 1000000000ull + st->st_atime_nsec;
	a->mtime_ns = (uint64_t)st->st_mtime * 1000000000ull + st->st_mtime_nsec;
	a->ctime_ns = (uint64_t)st->st_ctime * 1000000000ull + st->st_ctime_nsec;
	a->owner = st->st_uid; /* as the user namespace sees it: 65534 if unmapped */
	a->group = st->st_gid;
}

static int file_attr_by_handle(struct pal_object *obj, struct dk_stream_attr *attr)
{
	struct stat st;
	long rc = HOST(fstat, obj->fd, &st);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	attr_from_stat(&st, attr);
	if (S_ISFIFO(st.st_mode)) /* a pipe's size: the bytes ready */
		attr->size = pal_linux_bytes_ready(obj->fd);
	return 0;
}

/* Follows a final symbolic link, as stat(2) does.  readable/writable come
 * from the permission bits alone (the PAL does not know its host uid). */
static int file_attr(const char *path, struct dk_stream_attr *attr)
{
	struct stat st;
	if (!*path)
		return -DK_E_INVALID;
	long rc = HOST(newfstatat, AT_FDCWD, path, &st, 0);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	attr_from_stat(&st, attr);
	attr->readable = !!(st.st_mode & 0444);
	attr->writable = !!(st.st_mode & 0222);
	return 0;
}

static int file_delete(const char *path)
{
	if (!*path)
		return -DK_E_INVALID;
	long rc = HOST(unlinkat, AT_FDCWD, path, 0);
	if (rc == -EISDIR) /* Linux's answer to unlink(directory) */
		rc = HOST(unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
	return pal_host_status(rc);
}

static int file_rename(const char *old_path, const char *new_path)
{
	if (!*old_path || !*new_path)
		return -DK_E_INVALID;
	return pal_host_status(HOST(renameat2, AT_FDCWD, old_path, AT_FDCWD, new_path, 0));
}

/* ---- links and metadata (DkStreamLinkRead, LinkCreate, AttributesSet) ---- */

#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

/* buf (DK_URI_MAX bytes) gets a link's text, attr what path names itself,
 * a final link not followed; buf NULL: attributes only, of any type. */
static int file_link_read(const char *path, char *buf, size_t *size, struct dk_stream_attr *attr)
{
	struct stat st;
	if (!*path)
		return -DK_E_INVALID;
	if (attr) {
		long rc = HOST(newfstatat, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
		if (HOST_IS_ERR(rc))
			return pal_dk_error(rc);
		if (buf && !S_ISLNK(st.st_mode))
			return -DK_E_INVALID;
		attr_from_stat(&st, attr);
		attr->readable = !!(st.st_mode & 0444);
		attr->writable = !!(st.st_mode & 0222);
	}
	if (buf) {
		/* EINVAL, "not a link", becomes DK_E_INVALID. */
		long n = HOST(readlinkat, AT_FDCWD, path, buf, DK_URI_MAX);
		if (HOST_IS_ERR(n))
			return pal_dk_error(n);
		*size = (size_t)n;
	}
	return 0;
}

/* linkat with flags 0: a final link in target is linked itself, never
 * followed (the monitor's seccomp rule allows no other flags). */
static int file_link_create(const char *target, const char *path, uint32_t kind)
{
	if (!*path || !*target)
		return -DK_E_INVALID;
	if (kind == DK_LINK_SYMBOLIC)
		return pal_host_status(HOST(symlinkat, target, AT_FDCWD, path));
	return pal_host_status(HOST(linkat, AT_FDCWD, target, AT_FDCWD, path, 0));
}

struct file_timespec {
	int64_t tv_sec, tv_nsec;
};

static void file_time(uint64_t ns, struct file_timespec *ts)
{
	ts->tv_sec = 0;
	if (ns == DK_TIME_NOW) {
		ts->tv_nsec = UTIME_NOW;
	} else if (ns == DK_TIME_OMIT) {
		ts->tv_nsec = UTIME_OMIT;
	} else {
		ts->tv_sec = (int64_t)(ns / 1000000000ull);
		ts->tv_nsec = (int64_t)(ns % 1000000000ull);
	}
}

/* The mode first, then the times: a failure of the second leaves the first
 * done.  pal/common has refused setuid/setgid bits and mode with NOFOLLOW. */
static int file_attr_set(const char *path, const struct dk_stream_attr *a, uint32_t which)
{
	if (!*path)
		return -DK_E_INVALID;
	if (which & DK_ATTR_MODE) {
		long rc = HOST(fchmodat, AT_FDCWD, path, a->mode & 01777);
		if (HOST_IS_ERR(rc))
			return pal_dk_error(rc);
	}
	if (which & DK_ATTR_TIMES) {
		struct file_timespec ts[2];
		file_time(a->atime_ns, &ts[0]);
		file_time(a->mtime_ns, &ts[1]);
		int flags = (which & DK_ATTR_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
		return pal_host_status(HOST(utimensat, AT_FDCWD, path, ts, flags));
	}
	return 0;
}

const struct pal_stream_ops pal_file_ops = {
	.scheme = "file:",
	.type = DK_STREAM_FILE,
	.open = file_open,
	.read = file_read,
	.write = file_write,
	.seek = file_seek,
	.lock = file_lock,
	.map = file_map,
	.set_length = file_set_length,
	.flush = file_flush,
	.enumerate = file_enumerate,
	.attr_by_handle = file_attr_by_handle,
	.attr = file_attr,
	.delete = file_delete,
	.rename = file_rename,
	.link_read = file_link_read,
	.link_create = file_link_create,
	.attr_set = file_attr_set,
	.close = pal_linux_stream_close,
};
