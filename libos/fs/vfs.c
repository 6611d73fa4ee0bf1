/*
 * The virtual file system: path resolution and the path system calls.
 *
 * Resolution is lexical: a path is joined to its base (the working
 * directory, or a dirfd's path) and "." and ".." are resolved by name to
 * pick the mount.  The mount table is fixed:
 *     /proc  -> proc.c      /dev  -> dev.c (/dev/shm -> host /tmp/.moat-shm)
 *     /sys   -> sys.c       everything else -> the host (file: URIs)
 * The sandbox's view already holds the manifest's mounts (host binds and
 * tmpfs), so the host file system is the sandbox's, path for path.  A host
 * path keeps its ".." components so the host resolves them after its own
 * symbolic links, as Linux would; only the mount choice is lexical.
 *
 * Links and metadata of host paths go through the Dk additions:
 * readlink and lstat (and AT_SYMLINK_NOFOLLOW stats) are DkStreamLinkRead,
 * symlink and link DkStreamLinkCreate, chmod and the utime family
 * DkStreamAttributesSet.  /proc and /dev links (self, exe, fd/N, stdin ...)
 * are ours.
 *
 * What the Dk ABI cannot express (documented limitations):
 *   - mknod of a device: EPERM (a FIFO or socket file is the host's own).
 *   - renameat2(RENAME_EXCHANGE): three renames through a temporary name
 *     in the target's directory, not atomic (another process may see the
 *     intermediate state); RENAME_WHITEOUT: EINVAL.
 *   - chown to another owner: EPERM (one user per sandbox); setuid and
 *     setgid mode bits: EPERM (the sandbox refuses set-id files).
 *   - metadata by descriptor (fchmod, futimens) acts on the path the file
 *     was opened under; a descriptor with none (O_TMPFILE, pipes) or a
 *     file of /proc or /dev accepts only changes that change nothing.
 *   - linkat(AT_EMPTY_PATH) of a descriptor: ENOENT, as Linux says to a
 *     caller without CAP_DAC_READ_SEARCH; AT_SYMLINK_FOLLOW is followed
 *     here, link by link.
 *   - file times before 1970: EINVAL (the Dk ABI counts from the epoch).
 *   Refusals are never silent no-ops; changes that change nothing succeed.
 */
#include "fs.h"
#include <linux/openat2.h>

#define __NR_fchmodat2 452

static struct libos_lock cwd_lock;

long fs_copy_path(char *dst, const char *src)
{
	if (!src)
		return -EFAULT;
	return libos_copy_str_from_user(dst, src, FS_PATH_MAX);
}

static bool under(const char *a, const char *m, const char **rest)
{
	size_t n = strlen(m);
	if (strncmp(a, m, n) || (a[n] && a[n] != '/'))
		return false;
	*rest = a[n] ? a + n + 1 : a + n;
	return true;
}

#define SHM_HOST "/tmp/.moat-shm"

/* The host directory /dev/shm stands for (POSIX and SysV shared memory,
 * the process records): made once per sandbox (a fork inherits the flag). */
void fs_shm_dir_ready(void)
{
	static int made;
	if (!__atomic_load_n(&made, __ATOMIC_RELAXED)) {
		fs_host_mkdir_p(SHM_HOST);
		__atomic_store_n(&made, 1, __ATOMIC_RELAXED);
	}
}

/* p->uri + 5 holds the ".."-keeping form when dotdot. */
static long route(struct fs_path *p, bool dotdot)
{
	const char *rest;
	p->fs = &fs_host;
	p->rel = p->abs;
	if (under(p->abs, "/proc", &rest)) {
		p->fs = &fs_proc;
		p->rel = rest;
	} else if (under(p->abs, "/sys", &rest)) {
		p->fs = &fs_sys;
		p->rel = rest;
	} else if (under(p->abs, "/dev", &rest)) {
		const char *shm;
		if (under(p->abs, "/dev/shm", &shm)) {
			/* POSIX shared memory: host files, so that the
			 * processes of the sandbox share them. */
			int n = rt_snprintf(p->uri, sizeof(p->uri), "file:" SHM_HOST "%s%s",
					    *shm ? "/" : "", shm);
			if (n >= (int)sizeof(p->uri))
				return -ENAMETOOLONG;
			fs_shm_dir_ready();
			return 0;
		}
		p->fs = &fs_dev;
		p->rel = rest;
	}
	if (p->fs == &fs_host) {
		const char *r = p->uri + 5, *x;
		/* A ".." path that went through our own mounts: the host cannot
		 * resolve it, so it gets the lexical form. */
		if (dotdot && (under(r, "/proc", &x) || under(r, "/dev", &x) || under(r, "/sys", &x)))
			dotdot = false;
		memcpy(p->uri, "file:", 5);
		if (!dotdot)
			memcpy(p->uri + 5, p->abs, strlen(p->abs) + 1);
	}
	return 0;
}

/* Appends path's components to an absolute normalised base in p->abs, and
 * the ".."-keeping form to raw (if non-NULL).  Returns whether ".." was met. */
static long join(struct fs_path *p, const char *base, const char *path, char *raw)
{
	size_t len = strlen(base), rlen;
	if (len >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(p->abs, base, len + 1);
	if (len == 1)
		len = 0; /* "/" */
	rlen = len;
	if (raw)
		memcpy(raw, p->abs, len);
	bool dotdot = false;
	const char *s = path;
	p->dir_slash = false;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (*e == '/')
			p->dir_slash = true;
		else
			p->dir_slash = false;
		if (n == 1 && s[0] == '.') {
			if (!*e)
				p->dir_slash = true;  /* "x/." must be a directory */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			dotdot = true;
			while (len > 0 && p->abs[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			if (raw) {
				if (rlen + 3 >= FS_PATH_MAX)
					return -ENAMETOOLONG;
				memcpy(raw + rlen, "/..", 3);
				rlen += 3;
			}
			if (!*e)
				p->dir_slash = true;
		} else {
			if (n > 255)
				return -ENAMETOOLONG;
			if (len + 1 + n >= FS_PATH_MAX)
				return -ENAMETOOLONG;
			p->abs[len++] = '/';
			memcpy(p->abs + len, s, n);
			len += n;
			if (raw) {
				if (rlen + 1 + n >= FS_PATH_MAX)
					return -ENAMETOOLONG;
				raw[rlen++] = '/';
				memcpy(raw + rlen, s, n);
				rlen += n;
			}
		}
		s = e;
	}
	if (len == 0)
		p->abs[len++] = '/';
	p->abs[len] = 0;
	if (raw) {
		if (rlen == 0)
			raw[rlen++] = '/';
		raw[rlen] = 0;
	}
	return dotdot;
}

bool fs_file_is_dir(struct libos_file *f);

long fs_resolve(int dirfd, const char *upath, int how, struct fs_path *p,
		struct libos_file **dirf)
{
	char path[FS_PATH_MAX];
	char *raw = p->uri + 5;
	long rc = fs_copy_path(path, upath);
	if (rc < 0)
		return rc;
	if (!path[0]) {
		if (!(how & FS_EMPTY_OK))
			return -ENOENT;
		if (dirfd != AT_FDCWD) {
			struct libos_file *f = libos_fd_get(dirfd);
			if (!f)
				return -EBADF;
			*dirf = f;
			return 1;
		}
		path[0] = '.';
		path[1] = 0;
	}
	if (path[0] == '/') {
		rc = join(p, "/", path, raw);
	} else if (dirfd == AT_FDCWD) {
		/* Joined under the lock, not from a copy: 4 KiB less stack for
		 * every path call (pages a forked child would copy). */
		libos_lock(&cwd_lock);
		rc = join(p, libos_cwd[0] ? libos_cwd : "/", path, raw);
		libos_unlock(&cwd_lock);
	} else {
		struct libos_file *f = libos_fd_get(dirfd);
		if (!f)
			return -EBADF;
		if (!f->path || !fs_file_is_dir(f)) {
			libos_file_put(f);
			return -ENOTDIR;
		}
		rc = join(p, f->path, path, raw);
		libos_file_put(f);
	}
	if (rc < 0)
		return rc;
	return route(p, rc == 1);
}

long fs_resolve_abs(const char *path, struct fs_path *p)
{
	return fs_resolve(AT_FDCWD, path, 0, p, NULL);
}

long fs_open_resolved(struct fs_path *p, int flags, unsigned mode, struct libos_file **out)
{
	if (!p->fs->open)
		return -ENOENT;
	if (p->dir_slash && (flags & O_CREAT) && !(flags & O_DIRECTORY))
		return -EISDIR;
	if (p->dir_slash)
		flags |= O_DIRECTORY;
	return p->fs->open(p, flags, mode, out);
}

long libos_open_path(const char *path, int flags, unsigned mode, struct libos_file **out)
{
	struct fs_path p;
	long rc = fs_resolve(AT_FDCWD, path, 0, &p, NULL);
	if (rc < 0)
		return rc;
	return fs_open_resolved(&p, flags, mode, out);
}

/* ---- open ------------------------------------------------------------------------ */

#define OPEN_VALID                                                                        \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |   \
	 O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |   \
	 O_SYNC | O_PATH | __O_TMPFILE)

/* Is abs lexically beneath the directory dirfd names (openat2's
 * RESOLVE_BENEATH)?  Apart from do_open, so that its buffer is not on the
 * stack of every open: each page of the library OS's stack an open
 * touches is one more a forked child copies. */
static __attribute__((noinline)) bool beneath(int dirfd, const char *abs)
{
	char base[FS_PATH_MAX];
	if (dirfd == AT_FDCWD) {
		libos_lock(&cwd_lock);
		rt_strlcpy(base, libos_cwd[0] ? libos_cwd : "/", sizeof(base));
		libos_unlock(&cwd_lock);
	} else { /* a directory: the path it was opened by (fs_resolve checked it) */
		struct libos_file *d = libos_fd_get(dirfd);
		rt_strlcpy(base, d && d->path ? d->path : "/", sizeof(base));
		if (d)
			libos_file_put(d);
	}
	const char *rest;
	return !strcmp(base, "/") || under(abs, base, &rest);
}

static long do_open(int dirfd, const char *path, long flags, unsigned mode, uint64_t resolve)
{
	struct fs_path p;
	struct libos_file *f;
	long rc;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & __O_TMPFILE) == __O_TMPFILE && (flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if (flags & (O_CREAT | __O_TMPFILE))
		mode = (mode & 07777) & ~libos_proc.umask;
	else
		mode = 0;
	if (resolve & RESOLVE_BENEATH) {
		char c = 0;
		if (path && fs_from_user(&c, path, 1) == 0 && c == '/')
			return -EXDEV;
	}
	rc = fs_resolve(dirfd, path, 0, &p, NULL);
	if (rc < 0)
		return rc;
	if ((resolve & RESOLVE_BENEATH) && !beneath(dirfd, p.abs))
		return -EXDEV;
	if (resolve & RESOLVE_NO_SYMLINKS)
		flags |= O_NOFOLLOW;
	rc = fs_open_resolved(&p, (int)flags, mode, &f);
	if (rc < 0)
		return rc;
	return libos_fd_install(f, 0, flags & O_CLOEXEC);
}

LIBOS_SYSCALL(open)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_open(AT_FDCWD, (const char *)a0, a1 & OPEN_VALID, (unsigned)a2, 0);
}

LIBOS_SYSCALL(openat)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_open((int)a0, (const char *)a1, a2 & OPEN_VALID, (unsigned)a3, 0);
}

LIBOS_SYSCALL(creat)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_open(AT_FDCWD, (const char *)a0, O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a1, 0);
}

LIBOS_SYSCALL(openat2)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct open_how how = { 0 };
	size_t size = (size_t)a3;
	if (size < sizeof(how))
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (fs_from_user(&how, (const void *)a2, sizeof(how)) < 0)
		return -EFAULT;
	for (size_t i = sizeof(how); i < size; i++) {
		char c;
		if (fs_from_user(&c, (const char *)a2 + i, 1) < 0)
			return -EFAULT;
		if (c)
			return -E2BIG;
	}
	if (how.flags & ~(uint64_t)OPEN_VALID)
		return -EINVAL;
	if (how.mode & ~07777ull)
		return -EINVAL;
	if (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE)))
		return -EINVAL;
	if (how.resolve & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
				       RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT |
				       RESOLVE_CACHED))
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if ((how.resolve & RESOLVE_CACHED) && (how.flags & (O_CREAT | O_TRUNC | __O_TMPFILE)))
		return -EAGAIN;
	const char *path = (const char *)a1;
	if ((how.resolve & RESOLVE_IN_ROOT) && path) {
		char c;
		while (fs_from_user(&c, path, 1) == 0 && c == '/')
			path++;
	}
	return do_open((int)a0, path, (long)how.flags, (unsigned)how.mode,
		       how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS));
}

/* ---- stat ------------------------------------------------------------------------ */

static long stat_path(int dirfd, const char *path, int atflags, struct stat *st)
{
	struct fs_path p;
	struct libos_file *f = NULL;
	if (atflags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	long rc = fs_resolve(dirfd, path, (atflags & AT_EMPTY_PATH) ? FS_EMPTY_OK : 0, &p, &f);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rc = fs_stat_file(f, st);
		libos_file_put(f);
		return rc;
	}
	if (!p.fs->stat)
		return -ENOENT;
	/* A trailing slash follows a final link. */
	rc = p.fs->stat(&p, st, !(atflags & AT_SYMLINK_NOFOLLOW) || p.dir_slash);
	if (rc == 0 && p.dir_slash && !S_ISDIR(st->st_mode) &&
	    !(S_ISLNK(st->st_mode) && (atflags & AT_SYMLINK_NOFOLLOW)))
		return -ENOTDIR;
	return rc;
}

static long put_stat(long rc, const struct stat *st, void *user)
{
	if (rc < 0)
		return rc;
	return fs_to_user(user, st, sizeof(*st));
}

LIBOS_SYSCALL(stat)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct stat st;
	return put_stat(stat_path(AT_FDCWD, (const char *)a0, 0, &st), &st, (void *)a1);
}

LIBOS_SYSCALL(lstat)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct stat st;
	return put_stat(stat_path(AT_FDCWD, (const char *)a0, AT_SYMLINK_NOFOLLOW, &st), &st,
			(void *)a1);
}

LIBOS_SYSCALL(newfstatat)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct stat st;
	return put_stat(stat_path((int)a0, (const char *)a1, (int)a3, &st), &st, (void *)a2);
}

static void split_dev(uint64_t dev, uint32_t *major, uint32_t *minor)
{
	*major = (uint32_t)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
	*minor = (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffull));
}

void fs_stat_to_statx(const struct stat *st, struct statx *sx)
{
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st->st_blksize;
	sx->stx_nlink = (uint32_t)st->st_nlink;
	sx->stx_uid = st->st_uid;
	sx->stx_gid = st->st_gid;
	sx->stx_mode = (uint16_t)st->st_mode;
	sx->stx_ino = st->st_ino;
	sx->stx_size = (uint64_t)st->st_size;
	sx->stx_blocks = (uint64_t)st->st_blocks;
	sx->stx_atime.tv_sec = (int64_t)st->st_atime;
	sx->stx_atime.tv_nsec = (uint32_t)st->st_atime_nsec;
	sx->stx_mtime.tv_sec = (int64_t)st->st_mtime;
	sx->stx_mtime.tv_nsec = (uint32_t)st->st_mtime_nsec;
	sx->stx_ctime.tv_sec = (int64_t)st->st_ctime;
	sx->stx_ctime.tv_nsec = (uint32_t)st->st_ctime_nsec;
	split_dev(st->st_rdev, &sx->stx_rdev_major, &sx->stx_rdev_minor);
	split_dev(st->st_dev, &sx->stx_dev_major, &sx->stx_dev_minor);
	sx->stx_mnt_id = 1;
	sx->stx_mask |= STATX_MNT_ID;
}

LIBOS_SYSCALL(statx)
{
	LIBOS_UNUSED_ARGS(a5);
	struct stat st;
	struct statx sx;
	unsigned mask = (unsigned)a3;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if ((a2 & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	long rc = stat_path((int)a0, (const char *)a1, (int)a2, &st);
	if (rc < 0)
		return rc;
	fs_stat_to_statx(&st, &sx);
	return fs_to_user((void *)a4, &sx, sizeof(sx));
}

/* statfs: plausible numbers; the Dk ABI has no statfs (an ABI gap). */
void fs_statfs_for(const struct fs_type *fs, const char *abs, struct statfs *sf)
{
	memset(sf, 0, sizeof(*sf));
	const char *rest;
	sf->f_type = (long)fs->magic;
	if (fs == &fs_host && under(abs, "/tmp", &rest))
		sf->f_type = TMPFS_MAGIC;
	sf->f_bsize = 4096;
	sf->f_frsize = 4096;
	if (fs == &fs_host) {
		sf->f_blocks = 1ull << 24;
		sf->f_bfree = 1ull << 23;
		sf->f_bavail = 1ull << 23;
		sf->f_files = 1ull << 22;
		sf->f_ffree = 1ull << 21;
	}
	sf->f_namelen = 255;
	sf->f_flags = 0x20; /* ST_VALID */
	sf->f_fsid.val[0] = (int)(fs->magic & 0x7fffffff);
}

LIBOS_SYSCALL(statfs)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct fs_path p;
	struct stat st;
	struct statfs sf;
	long rc = fs_resolve(AT_FDCWD, (const char *)a0, 0, &p, NULL);
	if (rc < 0)
		return rc;
	if (!p.fs->stat || (rc = p.fs->stat(&p, &st, true)) < 0)
		return rc < 0 ? rc : -ENOENT;
	fs_statfs_for(p.fs, p.abs, &sf);
	return fs_to_user((void *)a1, &sf, sizeof(sf));
}

/* ---- access ---------------------------------------------------------------------- */

static long do_access(int dirfd, const char *path, int mode, int flags)
{
	struct fs_path p;
	struct libos_file *f = NULL;
	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long rc = fs_resolve(dirfd, path, (flags & AT_EMPTY_PATH) ? FS_EMPTY_OK : 0, &p, &f);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		struct stat st;
		rc = fs_stat_file(f, &st);
		libos_file_put(f);
		if (rc < 0)
			return rc;
		if ((mode & 1) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
			return -EACCES;
		return 0;
	}
	if (p.fs->access)
		return p.fs->access(&p, mode);
	struct stat st;
	if (!p.fs->stat)
		return -ENOENT;
	rc = p.fs->stat(&p, &st, true);
	if (rc < 0)
		return rc;
	if ((mode & 2) && !(st.st_mode & 0222))
		return -EACCES;
	if ((mode & 1) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

LIBOS_SYSCALL(access)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_access(AT_FDCWD, (const char *)a0, (int)a1, 0);
}

LIBOS_SYSCALL(faccessat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_access((int)a0, (const char *)a1, (int)a2, 0);
}

LIBOS_SYSCALL(faccessat2)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_access((int)a0, (const char *)a1, (int)a2, (int)a3);
}

/* ---- directories, names ------------------------------------------------------------ */

static long do_mkdir(int dirfd, const char *path, unsigned mode)
{
	struct fs_path p;
	long rc = fs_resolve(dirfd, path, 0, &p, NULL);
	if (rc < 0)
		return rc;
	if (!p.fs->mkdir) {
		struct stat st;
		if (p.fs->stat && p.fs->stat(&p, &st, false) == 0)
			return -EEXIST;
		return -EACCES;
	}
	return p.fs->mkdir(&p, (mode & 07777) & ~libos_proc.umask);
}

LIBOS_SYSCALL(mkdir)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_mkdir(AT_FDCWD, (const char *)a0, (unsigned)a1);
}

LIBOS_SYSCALL(mkdirat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_mkdir((int)a0, (const char *)a1, (unsigned)a2);
}

static long do_unlink(int dirfd, const char *path, int flags)
{
	struct fs_path p;
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	bool dir = flags & AT_REMOVEDIR;
	/* rmdir of "." or a path ending in "/." is EINVAL on Linux. */
	if (dir && path) {
		char tmp[FS_PATH_MAX];
		long n = fs_copy_path(tmp, path);
		if (n < 0)
			return n;
		if ((n == 1 && tmp[0] == '.') || (n >= 2 && !strcmp(tmp + n - 2, "/.")))
			return -EINVAL;
	}
	long rc = fs_resolve(dirfd, path, 0, &p, NULL);
	if (rc < 0)
		return rc;
	if (!strcmp(p.abs, "/"))
		return dir ? -EBUSY : -EISDIR;
	if (!p.fs->unlink)
		return -EACCES;
	if (!dir && p.dir_slash) {
		struct stat st;
		rc = p.fs->stat ? p.fs->stat(&p, &st, false) : -ENOENT;
		if (rc < 0)
			return rc;
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENOTDIR;
	}
	return p.fs->unlink(&p, dir);
}

LIBOS_SYSCALL(unlink)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_unlink(AT_FDCWD, (const char *)a0, 0);
}

LIBOS_SYSCALL(rmdir)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_unlink(AT_FDCWD, (const char *)a0, AT_REMOVEDIR);
}

LIBOS_SYSCALL(unlinkat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_unlink((int)a0, (const char *)a1, (int)a2);
}

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif

/* Replaces p's last component (in abs and uri) by name. */
static long set_last(struct fs_path *p, const char *name)
{
	char *ua = strrchr(p->abs, '/'), *uu = strrchr(p->uri, '/');
	if (!ua || !uu)
		return -EINVAL;
	size_t n = strlen(name);
	if ((size_t)(ua + 1 - p->abs) + n >= sizeof(p->abs) ||
	    (size_t)(uu + 1 - p->uri) + n >= sizeof(p->uri))
		return -ENAMETOOLONG;
	memcpy(ua + 1, name, n + 1);
	memcpy(uu + 1, name, n + 1);
	return 0;
}

/* RENAME_EXCHANGE without a Dk call for it: to -> tmp, from -> to,
 * tmp -> from, with tmp a fresh name in to's directory.  Not atomic; a
 * failed step undoes the ones before it. */
static long exchange(struct fs_path *from, struct fs_path *to)
{
	struct stat st;
	const char *rest;
	long rc;
	if (!from->fs->stat)
		return -ENOENT;
	if ((rc = from->fs->stat(from, &st, false)) < 0 || (rc = to->fs->stat(to, &st, false)) < 0)
		return rc;
	if (!strcmp(from->abs, to->abs))
		return 0;
	if (under(from->abs, to->abs, &rest) || under(to->abs, from->abs, &rest))
		return -EINVAL;  /* one inside the other */
	if (!strcmp(to->abs, "/") || !strcmp(from->abs, "/"))
		return -EBUSY;
	struct fs_path *tmp = libos_alloc(sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (int tries = 0; tries < 8; tries++) {
		uint64_t r;
		char name[40];
		dk->DkRandomBitsRead(&r, sizeof(r));
		rt_snprintf(name, sizeof(name), ".moat-xchg-%lx", (unsigned long)r);
		*tmp = *to;
		if (to->rel >= to->abs && to->rel <= to->abs + sizeof(to->abs))
			tmp->rel = tmp->abs + (to->rel - to->abs);  /* rel points into abs */
		if ((rc = set_last(tmp, name)) < 0)
			break;
		if (to->fs->stat(tmp, &st, false) == 0) {
			rc = -EEXIST;
			continue;
		}
		if ((rc = to->fs->rename(to, tmp)) < 0)
			break;
		if ((rc = from->fs->rename(from, to)) < 0) {
			to->fs->rename(tmp, to);
			break;
		}
		if ((rc = to->fs->rename(tmp, from)) < 0) {
			from->fs->rename(to, from);
			to->fs->rename(tmp, to);
		}
		break;
	}
	libos_free(tmp);
	return rc;
}

static long do_rename(int olddir, const char *oldpath, int newdir, const char *newpath,
		      unsigned flags)
{
	struct fs_path *from = libos_alloc(2 * sizeof(struct fs_path)), *to;
	long rc;
	if (!from)
		return -ENOMEM;
	to = from + 1;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) {
		rc = -EINVAL;
		goto out;
	}
	if ((flags & RENAME_WHITEOUT) ||
	    ((flags & RENAME_EXCHANGE) && (flags & RENAME_NOREPLACE))) {
		rc = -EINVAL;  /* no whiteouts (overlay file systems) here */
		goto out;
	}
	if ((rc = fs_resolve(olddir, oldpath, 0, from, NULL)) < 0 ||
	    (rc = fs_resolve(newdir, newpath, 0, to, NULL)) < 0)
		goto out;
	if (from->fs != to->fs) {
		rc = -EXDEV;
		goto out;
	}
	if (!from->fs->rename) {
		rc = -EACCES;
		goto out;
	}
	if (flags & RENAME_EXCHANGE) {
		rc = exchange(from, to);
		goto out;
	}
	if (!strcmp(from->abs, to->abs)) {
		struct stat st;
		rc = from->fs->stat ? from->fs->stat(from, &st, false) : -ENOENT;
		if (rc == 0 && (flags & RENAME_NOREPLACE))
			rc = -EEXIST;
		goto out;
	}
	if (flags & RENAME_NOREPLACE) {
		/* Checked, then renamed: not atomic against another process. */
		struct stat st;
		if (to->fs->stat && to->fs->stat(to, &st, false) == 0) {
			rc = -EEXIST;
			goto out;
		}
	}
	rc = from->fs->rename(from, to);
out:
	libos_free(from);
	return rc;
}

LIBOS_SYSCALL(rename)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_rename(AT_FDCWD, (const char *)a0, AT_FDCWD, (const char *)a1, 0);
}

LIBOS_SYSCALL(renameat)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_rename((int)a0, (const char *)a1, (int)a2, (const char *)a3, 0);
}

LIBOS_SYSCALL(renameat2)
{
	LIBOS_UNUSED_ARGS(a5);
	return do_rename((int)a0, (const char *)a1, (int)a2, (const char *)a3, (unsigned)a4);
}

/* ---- links ------------------------------------------------------------------------ */

static void refuse_once(const char *what)
{
	static int logged[8];
	static const char *names[8];
	for (int i = 0; i < 8; i++) {
		if (names[i] == what) {
			if (logged[i])
				return;
			logged[i] = 1;
			break;
		}
		if (!names[i]) {
			names[i] = what;
			logged[i] = 1;
			break;
		}
	}
	libos_log("%s: not available in the sandbox; refused with EPERM", what);
}

static long exists(int dirfd, const char *path, struct stat *st, int atflags)
{
	struct stat tmp;
	return stat_path(dirfd, path, atflags, st ? st : &tmp);
}

/* Replaces p by the file its final symbolic links lead to (linkat with
 * AT_SYMLINK_FOLLOW; the Dk ABI's hard links never follow). */
static long follow_final(struct fs_path *p)
{
	char *text = libos_alloc(2 * FS_PATH_MAX), *next = text + FS_PATH_MAX;
	long rc = text ? 0 : -ENOMEM;
	for (int hops = 0; rc == 0; hops++) {
		struct stat st;
		if (!p->fs->stat || !p->fs->readlink)
			break;
		if ((rc = p->fs->stat(p, &st, false)) < 0 || !S_ISLNK(st.st_mode))
			break;
		if (hops == 40) {
			rc = -ELOOP;
			break;
		}
		long n = p->fs->readlink(p, text, FS_PATH_MAX - 1);
		if ((rc = n < 0 ? n : 0) < 0)
			break;
		text[n] = 0;
		/* A relative text is relative to the link's directory. */
		size_t d = 0;
		if (text[0] != '/') {
			d = strlen(p->abs);
			while (d > 0 && p->abs[d - 1] != '/')
				d--;
		}
		if (d + (size_t)n >= FS_PATH_MAX) {
			rc = -ENAMETOOLONG;
			break;
		}
		memcpy(next, p->abs, d);
		memcpy(next + d, text, (size_t)n + 1);
		rc = fs_resolve_abs(next, p);
	}
	libos_free(text);
	return rc < 0 ? rc : 0;
}

static long do_link(int olddir, const char *oldpath, int newdir, const char *newpath, int flags)
{
	struct fs_path *from, *to;
	struct libos_file *f = NULL;
	struct stat st;
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long rc = exists(olddir, oldpath, &st,
			 (flags & AT_EMPTY_PATH) | ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW));
	if (rc < 0)
		return rc;
	if (S_ISDIR(st.st_mode))
		return -EPERM;
	if (!(from = libos_alloc(2 * sizeof(struct fs_path))))
		return -ENOMEM;
	to = from + 1;
	rc = fs_resolve(olddir, oldpath, (flags & AT_EMPTY_PATH) ? FS_EMPTY_OK : 0, from, &f);
	if (rc == 1) {
		/* A descriptor by no path: as Linux to a caller without
		 * CAP_DAC_READ_SEARCH. */
		libos_file_put(f);
		rc = -ENOENT;
	}
	if (rc == 0 && (flags & AT_SYMLINK_FOLLOW))
		rc = follow_final(from);
	if (rc == 0)
		rc = fs_resolve(newdir, newpath, 0, to, NULL);
	if (rc < 0)
		goto out;
	if (from->fs != to->fs) {
		rc = -EXDEV;
	} else if (from->fs->link) {
		rc = from->fs->link(from, to);
	} else if (exists(newdir, newpath, NULL, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = -EEXIST;
	} else {
		refuse_once("link");
		rc = -EPERM;
	}
out:
	libos_free(from);
	return rc;
}

LIBOS_SYSCALL(link)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_link(AT_FDCWD, (const char *)a0, AT_FDCWD, (const char *)a1, 0);
}

LIBOS_SYSCALL(linkat)
{
	LIBOS_UNUSED_ARGS(a5);
	return do_link((int)a0, (const char *)a1, (int)a2, (const char *)a3, (int)a4);
}

static long do_symlink(const char *target, int newdir, const char *newpath)
{
	char t[FS_PATH_MAX];
	struct fs_path p;
	long rc = fs_copy_path(t, target);
	if (rc < 0)
		return rc;
	if (!t[0])
		return -ENOENT;
	if ((rc = fs_resolve(newdir, newpath, 0, &p, NULL)) < 0)
		return rc;
	if (p.fs->symlink)
		return p.fs->symlink(&p, t);
	if (exists(newdir, newpath, NULL, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	refuse_once("symlink");
	return -EPERM;
}

LIBOS_SYSCALL(symlink)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_symlink((const char *)a0, AT_FDCWD, (const char *)a1);
}

LIBOS_SYSCALL(symlinkat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_symlink((const char *)a0, (int)a1, (const char *)a2);
}

static long do_readlink(int dirfd, const char *path, char *buf, long size)
{
	struct fs_path p;
	struct libos_file *f = NULL;
	char tmp[FS_PATH_MAX];
	if (size <= 0)
		return -EINVAL;
	long rc = fs_resolve(dirfd, path, FS_EMPTY_OK, &p, &f);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rc = fs_host_link_text(f, tmp, sizeof(tmp)); /* an O_PATH descriptor of a link */
		libos_file_put(f);
	} else if (!p.fs->readlink) {
		return -EINVAL;
	} else {
		rc = p.fs->readlink(&p, tmp, sizeof(tmp));
	}
	if (rc < 0)
		return rc;
	if (rc > size)
		rc = size;
	return fs_to_user(buf, tmp, (size_t)rc) < 0 ? -EFAULT : rc;
}

LIBOS_SYSCALL(readlink)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_readlink(AT_FDCWD, (const char *)a0, (char *)a1, a2);
}

LIBOS_SYSCALL(readlinkat)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_readlink((int)a0, (const char *)a1, (char *)a2, a3);
}

/* A FIFO or socket file is the host's own (fs_mkfifo, fs_mksock), made
 * on a host path with mode (the umask applied); the other file systems,
 * and any device node, refuse (EPERM).  *a (when a is not NULL) gets a
 * socket file's attributes. */
static long make_node(int dirfd, const char *path, unsigned type, unsigned mode,
		      struct dk_stream_attr *a)
{
	if (type == S_IFIFO || type == S_IFSOCK) {
		struct fs_path p;
		long rc = fs_resolve(dirfd, path, 0, &p, NULL);
		if (rc < 0)
			return rc;
		if (p.fs == &fs_host)
			return type == S_IFIFO ? fs_mkfifo(&p, mode) : fs_mksock(&p, mode, a);
	}
	if (exists(dirfd, path, NULL, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	refuse_once("mknod");
	return -EPERM;
}

static long do_mknod(int dirfd, const char *path, unsigned mode, unsigned dev)
{
	(void)dev;
	unsigned type = mode & S_IFMT;
	if (type == 0 || type == S_IFREG) {
		struct fs_path p;
		struct libos_file *f;
		long rc = fs_resolve(dirfd, path, 0, &p, NULL);
		if (rc < 0)
			return rc;
		rc = fs_open_resolved(&p, O_CREAT | O_EXCL | O_WRONLY,
				      (mode & 07777) & ~libos_proc.umask, &f);
		if (rc < 0)
			return rc;
		libos_file_put(f);
		return 0;
	}
	if (type == S_IFDIR)
		return -EPERM;
	if (type != S_IFIFO && type != S_IFCHR && type != S_IFBLK && type != S_IFSOCK)
		return -EINVAL;
	return make_node(dirfd, path, type, (mode & 07777) & ~libos_proc.umask, NULL);
}

long libos_fs_make_socket(const char *path, struct dk_stream_attr *a)
{
	return make_node(AT_FDCWD, path, S_IFSOCK, 0777 & ~libos_proc.umask, a);
}

LIBOS_SYSCALL(mknod)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_mknod(AT_FDCWD, (const char *)a0, (unsigned)a1, (unsigned)a2);
}

LIBOS_SYSCALL(mknodat)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_mknod((int)a0, (const char *)a1, (unsigned)a2, (unsigned)a3);
}

/* ---- modes, owners, times ------------------------------------------------------------ */

static long chmod_stat(long rc, const struct stat *st, unsigned mode)
{
	if (rc < 0)
		return rc;
	if ((st->st_mode & 07777) == (mode & 07777))
		return 0; /* nothing changes */
	refuse_once("chmod");
	return -EPERM;
}

/* Resolves (dirfd, path) for a metadata change.  An empty path under
 * AT_EMPTY_PATH names a descriptor's file by the path it was opened under
 * (no Dk call changes metadata by handle); p->fs is NULL if it has none. */
static long meta_path(int dirfd, const char *path, int atflags, struct fs_path *p)
{
	struct libos_file *f = NULL;
	long rc = fs_resolve(dirfd, path, (atflags & AT_EMPTY_PATH) ? FS_EMPTY_OK : 0, p, &f);
	/* Our own links (/proc/self/fd/N, which glibc's fchmodat and lchmod
	 * use) lead to the file; the host follows its links itself. */
	if (rc == 0 && p->fs != &fs_host && !(atflags & AT_SYMLINK_NOFOLLOW))
		rc = follow_final(p);
	if (rc != 1)
		return rc;
	p->fs = NULL;
	rc = f->path ? fs_resolve_abs(f->path, p) : 0;
	libos_file_put(f);
	return rc;
}

static long do_chmod(int dirfd, const char *path, int atflags, unsigned mode)
{
	struct fs_path p;
	struct stat st;
	long rc = stat_path(dirfd, path, atflags, &st);
	if (rc < 0)
		return rc;
	mode &= 07777;
	if ((atflags & AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		return -EOPNOTSUPP; /* Linux has no mode of a link to change */
	if ((rc = meta_path(dirfd, path, atflags, &p)) < 0)
		return rc;
	if (!p.fs || !p.fs->setattr)
		return chmod_stat(0, &st, mode);
	if (mode & (S_ISUID | S_ISGID)) {
		if ((st.st_mode & 07777) == mode)
			return 0; /* nothing changes */
		refuse_once("chmod with setuid or setgid");
		return -EPERM; /* the sandbox makes no set-id files */
	}
	struct dk_stream_attr a = { .mode = mode };
	rc = p.fs->setattr(&p, &a, DK_ATTR_MODE);
	return rc == -EACCES ? -EPERM : rc; /* the host's EPERM: not the owner */
}

LIBOS_SYSCALL(chmod)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_chmod(AT_FDCWD, (const char *)a0, 0, (unsigned)a1);
}

LIBOS_SYSCALL(fchmodat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_chmod((int)a0, (const char *)a1, 0, (unsigned)a2);
}

LIBOS_SYSCALL(fchmodat2)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	if (a3 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return do_chmod((int)a0, (const char *)a1, (int)a3, (unsigned)a2);
}

LIBOS_SYSCALL(fchmod)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_chmod((int)a0, "", AT_EMPTY_PATH, (unsigned)a1);
}

/* Only a chown that changes nothing succeeds: to the file's current owner
 * and group (fs.h's ownership rule), or -1 to keep one. */
static long chown_stat(long rc, const struct stat *st, long uid, long gid)
{
	if (rc < 0)
		return rc;
	if (((uint32_t)uid == (uint32_t)-1 || (uint32_t)uid == st->st_uid) &&
	    ((uint32_t)gid == (uint32_t)-1 || (uint32_t)gid == st->st_gid))
		return 0; /* the file is already owned so */
	refuse_once("chown");
	return -EPERM;
}

LIBOS_SYSCALL(chown)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct stat st;
	return chown_stat(stat_path(AT_FDCWD, (const char *)a0, 0, &st), &st, a1, a2);
}

LIBOS_SYSCALL(lchown)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct stat st;
	return chown_stat(stat_path(AT_FDCWD, (const char *)a0, AT_SYMLINK_NOFOLLOW, &st), &st,
			  a1, a2);
}

LIBOS_SYSCALL(fchown)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct stat st;
	return chown_stat(stat_path((int)a0, "", AT_EMPTY_PATH, &st), &st, a1, a2);
}

LIBOS_SYSCALL(fchownat)
{
	LIBOS_UNUSED_ARGS(a5);
	struct stat st;
	return chown_stat(stat_path((int)a0, (const char *)a1, (int)a4, &st), &st, a2, a3);
}

#define UTIME_NOW_ ((1l << 30) - 1l)
#define UTIME_OMIT_ ((1l << 30) - 2l)

struct ktimespec { int64_t tv_sec, tv_nsec; };
struct ktimeval { int64_t tv_sec, tv_usec; };
struct kutimbuf { int64_t actime, modtime; };

/* One time as DkStreamAttributesSet takes it: ns since the epoch, NOW or
 * OMIT.  Times before 1970 cannot be given (EINVAL). */
static long dk_time(const struct ktimespec *t, uint64_t *ns)
{
	if (t->tv_nsec == UTIME_NOW_) {
		*ns = DK_TIME_NOW;
	} else if (t->tv_nsec == UTIME_OMIT_) {
		*ns = DK_TIME_OMIT;
	} else {
		if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000 || t->tv_sec < 0 ||
		    t->tv_sec > 18446744072ll)
			return -EINVAL;
		*ns = (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
	}
	return 0;
}

/* ts NULL: both times now. */
static long set_times(int dirfd, const char *path, int atflags, const struct ktimespec *ts)
{
	struct fs_path p;
	struct stat st;
	struct dk_stream_attr a;
	long rc;
	if (atflags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.atime_ns = a.mtime_ns = DK_TIME_NOW;
	if (ts && ((rc = dk_time(&ts[0], &a.atime_ns)) < 0 || (rc = dk_time(&ts[1], &a.mtime_ns)) < 0))
		return rc;
	rc = stat_path(dirfd, path, atflags, &st);
	if (rc < 0 || (a.atime_ns == DK_TIME_OMIT && a.mtime_ns == DK_TIME_OMIT))
		return rc;
	if ((rc = meta_path(dirfd, path, atflags, &p)) < 0)
		return rc;
	if (!p.fs || !p.fs->setattr) {
		refuse_once("utimensat");
		return -EPERM;
	}
	uint32_t which = DK_ATTR_TIMES | ((atflags & AT_SYMLINK_NOFOLLOW) ? DK_ATTR_NOFOLLOW : 0);
	rc = p.fs->setattr(&p, &a, which);
	/* "now" needs write permission (EACCES), a given time ownership (EPERM) */
	bool given = a.atime_ns < DK_TIME_OMIT || a.mtime_ns < DK_TIME_OMIT;
	return rc == -EACCES && given ? -EPERM : rc;
}

/* utimes and futimesat: microseconds. */
static long timevals(const void *user, struct ktimespec ts[2])
{
	struct ktimeval tv[2];
	if (fs_from_user(tv, user, sizeof(tv)) < 0)
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return 0;
}

LIBOS_SYSCALL(utimensat)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct ktimespec ts[2];
	if (a2 && fs_from_user(ts, (const void *)a2, sizeof(ts)) < 0)
		return -EFAULT;
	if (!a1) /* futimens */
		return set_times((int)a0, "", AT_EMPTY_PATH, a2 ? ts : NULL);
	return set_times((int)a0, (const char *)a1, (int)a3, a2 ? ts : NULL);
}

LIBOS_SYSCALL(utime)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct kutimbuf b;
	struct ktimespec ts[2];
	if (a1) {
		if (fs_from_user(&b, (const void *)a1, sizeof(b)) < 0)
			return -EFAULT;
		ts[0] = (struct ktimespec){ b.actime, 0 };
		ts[1] = (struct ktimespec){ b.modtime, 0 };
	}
	return set_times(AT_FDCWD, (const char *)a0, 0, a1 ? ts : NULL);
}

LIBOS_SYSCALL(utimes)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct ktimespec ts[2];
	long rc = a1 ? timevals((const void *)a1, ts) : 0;
	return rc < 0 ? rc : set_times(AT_FDCWD, (const char *)a0, 0, a1 ? ts : NULL);
}

LIBOS_SYSCALL(futimesat)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct ktimespec ts[2];
	long rc = a2 ? timevals((const void *)a2, ts) : 0;
	return rc < 0 ? rc : set_times((int)a0, (const char *)a1, 0, a2 ? ts : NULL);
}

/* ---- truncate ---------------------------------------------------------------------- */

LIBOS_SYSCALL(truncate)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct fs_path p;
	struct libos_file *f;
	if (a1 < 0)
		return -EINVAL;
	long rc = fs_resolve(AT_FDCWD, (const char *)a0, 0, &p, NULL);
	if (rc < 0)
		return rc;
	rc = fs_open_resolved(&p, O_WRONLY, 0, &f);
	if (rc < 0)
		return rc;
	rc = f->ops->truncate ? f->ops->truncate(f, (uint64_t)a1) : -EINVAL;
	libos_file_put(f);
	return rc;
}

/* ---- working directory, umask --------------------------------------------------------- */

static long set_cwd(const char *abs)
{
	libos_lock(&cwd_lock);
	rt_strlcpy(libos_cwd, abs, sizeof(libos_cwd));
	libos_unlock(&cwd_lock);
	return 0;
}

LIBOS_SYSCALL(chdir)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct fs_path p;
	struct stat st;
	long rc = fs_resolve(AT_FDCWD, (const char *)a0, 0, &p, NULL);
	if (rc < 0)
		return rc;
	if (!p.fs->stat)
		return -ENOENT;
	if ((rc = p.fs->stat(&p, &st, true)) < 0)
		return rc;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return set_cwd(p.abs);
}

LIBOS_SYSCALL(fchdir)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	long rc;
	if (!f)
		return -EBADF;
	if (!f->path || !fs_file_is_dir(f))
		rc = -ENOTDIR;
	else
		rc = set_cwd(f->path);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(getcwd)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	char cwd[FS_PATH_MAX];
	libos_lock(&cwd_lock);
	rt_strlcpy(cwd, libos_cwd[0] ? libos_cwd : "/", sizeof(cwd));
	libos_unlock(&cwd_lock);
	size_t n = strlen(cwd) + 1;
	if ((size_t)a1 < n)
		return -ERANGE;
	return fs_to_user((void *)a0, cwd, n) < 0 ? -EFAULT : (long)n;
}

LIBOS_SYSCALL(umask)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return (long)__atomic_exchange_n(&libos_proc.umask, (unsigned)a0 & 0777, __ATOMIC_ACQ_REL);
}

LIBOS_SYSCALL(chroot)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct stat st;
	long rc = stat_path(AT_FDCWD, (const char *)a0, 0, &st);
	if (rc < 0)
		return rc;
	return S_ISDIR(st.st_mode) ? -EPERM : -ENOTDIR;
}

LIBOS_SYSCALL(sync)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return 0; /* the PAL buffers nothing; data reach the host at each write */
}

LIBOS_SYSCALL(syncfs)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	libos_file_put(f);
	return 0;
}

/* ---- extended attributes ---------------------------------------------------------------
 * No Dk call reads or writes them: every file has none (get: ENODATA,
 * list: empty), and setting one is EOPNOTSUPP, as on a file system
 * without xattr support. */

static long xattr_path(const char *path, bool follow)
{
	struct stat st;
	return stat_path(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, &st);
}

static long xattr_fd(long fd)
{
	struct libos_file *f = libos_fd_get((int)fd);
	if (!f)
		return -EBADF;
	libos_file_put(f);
	return 0;
}

static long xattr_name(const char *uname)
{
	char name[256];
	long n = libos_copy_str_from_user(name, uname, sizeof(name));
	if (n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return n;
	return n == 0 ? -ERANGE : 0;
}

/* get/remove answer "no such attribute", set "not supported": the checks
 * before the answer are the same. */
#define XATTR(call, check, answer)                                                      \
	LIBOS_SYSCALL(call)                                                             \
	{                                                                               \
		LIBOS_UNUSED_ARGS(a2, a3, a4, a5);                                      \
		long rc = check;                                                        \
		if (rc == 0)                                                            \
			rc = xattr_name((const char *)a1);                              \
		return rc < 0 ? rc : (answer);                                          \
	}
XATTR(getxattr, xattr_path((const char *)a0, true), -ENODATA)
XATTR(lgetxattr, xattr_path((const char *)a0, false), -ENODATA)
XATTR(fgetxattr, xattr_fd(a0), -ENODATA)
XATTR(removexattr, xattr_path((const char *)a0, true), -ENODATA)
XATTR(lremovexattr, xattr_path((const char *)a0, false), -ENODATA)
XATTR(fremovexattr, xattr_fd(a0), -ENODATA)
XATTR(setxattr, xattr_path((const char *)a0, true), -EOPNOTSUPP)
XATTR(lsetxattr, xattr_path((const char *)a0, false), -EOPNOTSUPP)
XATTR(fsetxattr, xattr_fd(a0), -EOPNOTSUPP)

#define XLIST(call, check)                                                              \
	LIBOS_SYSCALL(call)                                                             \
	{                                                                               \
		LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);                                  \
		long rc = check;                                                        \
		return rc < 0 ? rc : 0;                                                 \
	}
XLIST(listxattr, xattr_path((const char *)a0, true))
XLIST(llistxattr, xattr_path((const char *)a0, false))
XLIST(flistxattr, xattr_fd(a0))

/* ---- start-up ------------------------------------------------------------------------ */

static bool same_dir(const char *path)
{
	struct dk_stream_attr a, b;
	char uri[FS_PATH_MAX + 8];
	if (!path || path[0] != '/' || strlen(path) >= FS_PATH_MAX)
		return false;
	rt_snprintf(uri, sizeof(uri), "file:%s", path);
	return dk->DkStreamAttributesQuery("file:.", &a) == 0 &&
	       dk->DkStreamAttributesQuery(uri, &b) == 0 && a.device == b.device &&
	       a.inode == b.inode;
}

static const char *setting(const char *key)
{
	size_t n = strlen(key);
	for (const char *const *s = dk_start->settings; s && *s; s++)
		if (!strncmp(*s, key, n) && (*s)[n] == '=')
			return *s + n + 1;
	return NULL;
}

static uint32_t setting_id(const char *key)
{
	const char *s = setting(key);
	uint32_t v = 0;
	for (; s && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint32_t)(*s - '0');
	return s && !*s ? v : 0;
}

void fs_vfs_init(void)
{
	libos_proc.umask = 022;
	fs_ns_uid = setting_id("UID");
	fs_ns_gid = setting_id("GID");
	if (libos_cwd[0])
		return;
	/* The PAL's working directory is the guest's; the ABI has no call to
	 * name it, so take the launcher's CWD setting or $PWD when it names the
	 * same directory, else "/". */
	const char *cand = setting("CWD");
	if (!cand || !same_dir(cand)) {
		cand = NULL;
		for (const char *const *e = dk_start->envp; e && *e; e++)
			if (rt_startswith(*e, "PWD=") && same_dir(*e + 4))
				cand = *e + 4;
	}
	struct fs_path p;
	if (cand && join(&p, "/", cand, p.uri + 5) >= 0)
		rt_strlcpy(libos_cwd, p.abs, sizeof(libos_cwd));
	else
		rt_strlcpy(libos_cwd, "/", sizeof(libos_cwd));
}
