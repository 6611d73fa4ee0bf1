/*
 * System calls on descriptors: the read/write family, lseek, fstat,
 * fstatfs, getdents64, ioctl, ftruncate, fallocate, fsync, and the copy
 * calls (sendfile, copy_file_range, splice), which are read+write loops.
 */
#include "fs.h"
#include <linux/uio.h>
#include <asm/ioctls.h>

/* ---- generic I/O --------------------------------------------------------------------- */

static long rw_file(struct libos_file *f, void *buf, size_t n, bool write)
{
	if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	if (write && f->ops->write)
		return f->ops->write(f, buf, n);
	if (!write && f->ops->read)
		return f->ops->read(f, buf, n);
	if (write ? !f->ops->pwrite : !f->ops->pread)
		return -EINVAL;
	/* No stream call: the positioned one, at the file position. */
	libos_lock(&f->pos_lock);
	long rc = write ? f->ops->pwrite(f, buf, n, f->pos) : f->ops->pread(f, buf, n, f->pos);
	if (rc > 0)
		f->pos += (uint64_t)rc;
	libos_unlock(&f->pos_lock);
	return rc;
}

long fs_read(struct libos_file *f, void *buf, size_t n)
{
	return rw_file(f, buf, n, false);
}

long fs_write(struct libos_file *f, const void *buf, size_t n)
{
	return rw_file(f, (void *)buf, n, true);
}

static uint64_t ptr_ino(const void *p)
{
	return ((uint64_t)(uintptr_t)p >> 4) & 0xffffffffull;
}

long fs_stat_file(struct libos_file *f, struct stat *st)
{
	if (f->ops->stat)
		return f->ops->stat(f, st);
	fs_synth_stat(st, 0600, ptr_ino(f), 0, 0); /* an anonymous inode */
	return 0;
}

#define MAX_RW 0x7ffff000l

static long rw_fd(int fd, void *buf, size_t n, bool write)
{
	struct libos_file *f = libos_fd_get(fd);
	if (!f)
		return -EBADF;
	if (n > (size_t)MAX_RW)
		n = MAX_RW;
	long rc = write ? fs_write(f, buf, n) : fs_read(f, buf, n);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(read)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return rw_fd((int)a0, (void *)a1, (size_t)a2, false);
}

LIBOS_SYSCALL(write)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return rw_fd((int)a0, (void *)a1, (size_t)a2, true);
}

static long prw_fd(int fd, void *buf, size_t n, long off, bool write)
{
	struct libos_file *f = libos_fd_get(fd);
	long rc;
	if (!f)
		return -EBADF;
	if (n > (size_t)MAX_RW)
		n = MAX_RW;
	if (off < 0)
		rc = -EINVAL;
	else if ((f->flags & O_PATH) ||
		 (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		rc = -EBADF;
	else if ((write ? !f->ops->pwrite : !f->ops->pread) || fs_is_pipe(f))
		rc = -ESPIPE;
	else
		rc = write ? f->ops->pwrite(f, buf, n, (uint64_t)off)
			   : f->ops->pread(f, buf, n, (uint64_t)off);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(pread64)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return prw_fd((int)a0, (void *)a1, (size_t)a2, a3, false);
}

LIBOS_SYSCALL(pwrite64)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return prw_fd((int)a0, (void *)a1, (size_t)a2, a3, true);
}

/* ---- vectors ----------------------------------------------------------------------------
 * Streams (no pread) get one read or write through a bounce buffer, so that a
 * readv does not block after some data and a writev to a pipe stays one
 * write; files go vector by vector (a write of several vectors to an
 * O_APPEND file is gathered too, to stay one append). */

#define BOUNCE_MAX (1u << 20)

static long rwv(int fd, const struct iovec *uiov_user, long cnt, long off, bool write,
		bool positional)
{
	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	struct iovec small[8], *uiov = small;
	if (cnt > 8 && !(uiov = libos_alloc((size_t)cnt * sizeof(*uiov))))
		return -ENOMEM;
	long rc = 0, total = 0;
	struct libos_file *f = NULL;
	if (cnt && fs_from_user(uiov, uiov_user, (size_t)cnt * sizeof(*uiov)) < 0) {
		rc = -EFAULT;
		goto out;
	}
	if (!(f = libos_fd_get(fd))) {
		rc = -EBADF;
		goto out;
	}
	size_t sum = 0;
	for (long i = 0; i < cnt; i++) {
		if ((long)uiov[i].iov_len < 0) {
			rc = -EINVAL;
			goto out;
		}
		if (sum + uiov[i].iov_len > (size_t)MAX_RW)
			uiov[i].iov_len = (size_t)MAX_RW - sum;  /* Linux truncates the total */
		sum += uiov[i].iov_len;
	}
	if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY)) {
		rc = -EBADF;
		goto out;
	}
	if (positional) {
		if (off < 0) {
			rc = -EINVAL;
			goto out;
		}
		if ((write ? !f->ops->pwrite : !f->ops->pread) || fs_is_pipe(f)) {
			rc = -ESPIPE;
			goto out;
		}
	}
	bool stream = !f->ops->pread;
	bool gather = write && cnt > 1 && sum <= BOUNCE_MAX && (stream || (f->flags & O_APPEND));
	bool scatter = !write && cnt > 1 && stream;
	if (gather || scatter) {
		size_t len = sum < BOUNCE_MAX ? sum : BOUNCE_MAX;
		char *b = libos_alloc(len ? len : 1);
		if (!b) {
			rc = -ENOMEM;
			goto out;
		}
		if (gather) {
			size_t o = 0;
			for (long i = 0; i < cnt; i++) {
				if (fs_from_user(b + o, uiov[i].iov_base, uiov[i].iov_len) < 0) {
					libos_free(b);
					rc = -EFAULT;
					goto out;
				}
				o += uiov[i].iov_len;
			}
			rc = positional ? f->ops->pwrite(f, b, len, (uint64_t)off) : fs_write(f, b, len);
		} else {
			rc = fs_read(f, b, len);
			size_t o = 0;
			for (long i = 0; rc > 0 && i < cnt && o < (size_t)rc; i++) {
				size_t c = uiov[i].iov_len;
				if (c > (size_t)rc - o)
					c = (size_t)rc - o;
				if (fs_to_user(uiov[i].iov_base, b + o, c) < 0) {
					rc = o ? (long)o : -EFAULT;
					break;
				}
				o += c;
			}
		}
		libos_free(b);
		goto out;
	}
	for (long i = 0; i < cnt; i++) {
		void *base = uiov[i].iov_base;
		size_t len = uiov[i].iov_len;
		if (!len)
			continue;
		long r;
		if (positional)
			r = write ? f->ops->pwrite(f, base, len, (uint64_t)(off + total))
				  : f->ops->pread(f, base, len, (uint64_t)(off + total));
		else
			r = write ? fs_write(f, base, len) : fs_read(f, base, len);
		if (r < 0) {
			if (!total)
				rc = r;
			break;
		}
		total += r;
		if ((size_t)r < len)
			break;
	}
	if (rc == 0)
		rc = total;
out:
	if (f)
		libos_file_put(f);
	if (uiov != small)
		libos_free(uiov);
	return rc;
}

LIBOS_SYSCALL(readv)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return rwv((int)a0, (const struct iovec *)a1, a2, 0, false, false);
}

LIBOS_SYSCALL(writev)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return rwv((int)a0, (const struct iovec *)a1, a2, 0, true, false);
}

LIBOS_SYSCALL(preadv)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return rwv((int)a0, (const struct iovec *)a1, a2, a3, false, true);
}

LIBOS_SYSCALL(pwritev)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return rwv((int)a0, (const struct iovec *)a1, a2, a3, true, true);
}

/* preadv2/pwritev2: offset -1 means the file position; the RWF_* hints are
 * accepted (RWF_NOWAIT is refused, as by file systems without it). */
LIBOS_SYSCALL(preadv2)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	if (a5 & ~0x1fl)
		return -EOPNOTSUPP;
	if (a5 & 0x8) /* RWF_NOWAIT */
		return -EOPNOTSUPP;
	return rwv((int)a0, (const struct iovec *)a1, a2, a3, false, a3 != -1);
}

LIBOS_SYSCALL(pwritev2)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	if (a5 & ~0x1fl)
		return -EOPNOTSUPP;
	if (a5 & 0x8)
		return -EOPNOTSUPP;
	return rwv((int)a0, (const struct iovec *)a1, a2, a3, true, a3 != -1);
}

/* ---- position, attributes ------------------------------------------------------------ */

LIBOS_SYSCALL(lseek)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	long rc;
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		rc = -EBADF;
	else if (f->ops->seek)
		rc = f->ops->seek(f, (int64_t)a1, (int)a2);
	else
		rc = -ESPIPE;
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(fstat)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct stat st;
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	long rc = fs_stat_file(f, &st);
	libos_file_put(f);
	if (rc < 0)
		return rc;
	return fs_to_user((void *)a1, &st, sizeof(st));
}


LIBOS_SYSCALL(fstatfs)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct statfs sf;
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	const struct fs_type *fs = &fs_host;
	const char *path = f->path ? f->path : "";
	if (rt_startswith(path, "/proc"))
		fs = &fs_proc;
	else if (rt_startswith(path, "/sys"))
		fs = &fs_sys;
	else if (rt_startswith(path, "/dev") && f->ops != &fs_host_ops)
		fs = &fs_dev;
	fs_statfs_for(fs, path, &sf);
	if (fs_is_pipe(f))
		sf.f_type = PIPEFS_MAGIC;
	else if (f->ops != &fs_host_ops && !f->path)
		sf.f_type = ANON_INODE_FS_MAGIC;
	libos_file_put(f);
	return fs_to_user((void *)a1, &sf, sizeof(sf));
}

LIBOS_SYSCALL(getdents64)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	long rc;
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		rc = -EBADF;
	else if (!f->ops->getdents)
		rc = -ENOTDIR;
	else {
		/* ops->getdents fills library OS memory; one copy out. */
		size_t n = (size_t)a2 > 32768 ? 32768 : (size_t)a2;
		char *b = libos_alloc(n ? n : 1);
		uint64_t start = f->pos;
		rc = b ? f->ops->getdents(f, b, n) : -ENOMEM;
		if (rc > 0 && fs_to_user((void *)a1, b, (size_t)rc) < 0) {
			/* Nothing was returned: the entries are read again. */
			f->pos = start;
			rc = -EFAULT;
		}
		libos_free(b);
	}
	libos_file_put(f);
	return rc;
}

/* The old getdents: linux_dirent, converted from linux_dirent64 records. */
LIBOS_SYSCALL(getdents)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	long rc;
	if (!f)
		return -EBADF;
	size_t n = (size_t)a2 > 65536 ? 65536 : (size_t)a2;
	char *tmp = libos_alloc(2 * n + 8);
	if (!tmp) {
		libos_file_put(f);
		return -ENOMEM;
	}
	if (f->flags & O_PATH)
		rc = -EBADF;
	else if (!f->ops->getdents)
		rc = -ENOTDIR;
	else {
		/* linux_dirent is at most as big as linux_dirent64 (+1 byte for
		 * d_type at the end, within the padding). */
		uint64_t start = f->pos;
		rc = f->ops->getdents(f, tmp, n);
		if (rc > 0) {
			size_t in = 0, out = 0;
			char *dst = tmp + n + 8;
			while (in < (size_t)rc) {
				uint16_t rl;
				int64_t off;
				uint64_t ino;
				memcpy(&ino, tmp + in, 8);
				memcpy(&off, tmp + in + 8, 8);
				memcpy(&rl, tmp + in + 16, 2);
				const char *name = tmp + in + 19;
				size_t len = strlen(name);
				size_t orl = (18 + len + 2 + 7) & ~(size_t)7;
				if (out + orl > (size_t)a2)
					break;
				unsigned long lino = ino, loff = (unsigned long)off;
				uint16_t r16 = (uint16_t)orl;
				memcpy(dst + out, &lino, 8);
				memcpy(dst + out + 8, &loff, 8);
				memcpy(dst + out + 16, &r16, 2);
				memcpy(dst + out + 18, name, len + 1);
				dst[out + orl - 1] = tmp[in + 18];
				out += orl;
				in += rl;
				start = (uint64_t)off;
			}
			f->pos = start;
			rc = out ? (long)out : -EINVAL;
			if (out && fs_to_user((void *)a1, dst, out) < 0)
				rc = -EFAULT;
		}
	}
	libos_free(tmp);
	libos_file_put(f);
	return rc;
}

/* ---- ioctl ---------------------------------------------------------------------------- */

LIBOS_SYSCALL(ioctl)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	unsigned long cmd = (unsigned)a1;
	struct libos_file *f = libos_fd_get((int)a0);
	long rc;
	if (!f)
		return -EBADF;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		rc = libos_fd_set_cloexec((int)a0, cmd == FIOCLEX);
		break;
	case FIONBIO:
		int on;
		if (fs_from_user(&on, (const void *)a2, sizeof(on)) < 0) {
			rc = -EFAULT;
			break;
		}
		rc = fs_set_status(f, on ? f->flags | O_NONBLOCK : f->flags & ~(unsigned)O_NONBLOCK);
		if (rc == 0 && f->ops->ioctl) {
			long r = f->ops->ioctl(f, cmd, (unsigned long)a2);
			if (r != -ENOTTY)
				rc = r;
		}
		break;
	case FIOASYNC:
		rc = 0;
		break;
	default:
		rc = (f->flags & O_PATH) ? -EBADF
			: f->ops->ioctl ? f->ops->ioctl(f, cmd, (unsigned long)a2) : -ENOTTY;
	}
	libos_file_put(f);
	return rc;
}

/* ---- size, sync ------------------------------------------------------------------------ */

LIBOS_SYSCALL(ftruncate)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	long rc;
	if (!f)
		return -EBADF;
	if (a1 < 0)
		rc = -EINVAL;
	else if (f->flags & O_PATH)
		rc = -EBADF;
	else if ((f->flags & O_ACCMODE) == O_RDONLY)
		rc = -EINVAL;
	else if (!f->ops->truncate)
		rc = -EINVAL;
	else
		rc = f->ops->truncate(f, (uint64_t)a1);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(fallocate)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	struct stat st;
	long rc;
	int64_t off = a2, len = a3;
	if (!f)
		return -EBADF;
	if (off < 0 || len <= 0)
		rc = -EINVAL;
	else if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_RDONLY)
		rc = -EBADF;
	else if (fs_is_pipe(f))
		rc = -ESPIPE;
	else if ((rc = fs_stat_file(f, &st)) < 0)
		;
	else if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(st.st_mode) || !f->ops->truncate)
		rc = -ENODEV;
	else if (a1 != 0 && a1 != 1 /* FALLOC_FL_KEEP_SIZE */)
		rc = -EOPNOTSUPP; /* no holes, no zeroed ranges: no Dk call */
	else if (off > INT64_MAX - len)
		rc = -EFBIG;
	else if (a1 == 1)
		rc = 0; /* allocation without a size change is advisory (as tmpfs
			 * reserving nothing): the blocks come at the first write */
	else if (off + len > st.st_size)
		rc = f->ops->truncate(f, (uint64_t)(off + len));
	else
		rc = 0;
	libos_file_put(f);
	return rc;
}

static long do_fsync(int fd)
{
	struct libos_file *f = libos_fd_get(fd);
	if (!f)
		return -EBADF;
	long rc = (f->flags & O_PATH) ? -EBADF : f->ops->fsync ? f->ops->fsync(f) : -EINVAL;
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(fsync)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_fsync((int)a0);
}

LIBOS_SYSCALL(fdatasync)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_fsync((int)a0);
}

LIBOS_SYSCALL(sync_file_range)
{
	LIBOS_UNUSED_ARGS(a1, a2, a4, a5);
	if (a3 & ~7l)
		return -EINVAL;
	return do_fsync((int)a0) == -EBADF ? -EBADF : 0;
}

LIBOS_SYSCALL(fadvise64)
{
	LIBOS_UNUSED_ARGS(a1, a2, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	long rc = fs_is_pipe(f) ? -ESPIPE : (a3 < 0 || a3 > 5) ? -EINVAL : 0;
	libos_file_put(f);
	return rc; /* advice only */
}

LIBOS_SYSCALL(readahead)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct libos_file *f = libos_fd_get((int)a0);
	if (!f)
		return -EBADF;
	long rc = f->ops->pread ? 0 : -EINVAL;
	libos_file_put(f);
	return rc;
}

/* ---- copies ------------------------------------------------------------------------------ */

#define COPY_CHUNK 65536

/* Copies up to len bytes: reads once, then writes what was read.  Offsets
 * (if non-NULL) are used and advanced instead of the file positions. */
static long copy_once(struct libos_file *in, int64_t *in_off, struct libos_file *out,
		      int64_t *out_off, size_t len, char *buf)
{
	long r = in_off ? (in->ops->pread ? in->ops->pread(in, buf, len, (uint64_t)*in_off) : -ESPIPE)
			: fs_read(in, buf, len);
	if (r <= 0)
		return r;
	size_t done = 0;
	while (done < (size_t)r) {
		long w = out_off ? (out->ops->pwrite ? out->ops->pwrite(out, buf + done, (size_t)r - done,
									(uint64_t)(*out_off + (int64_t)done))
						     : -ESPIPE)
				 : fs_write(out, buf + done, (size_t)r - done);
		if (w <= 0) {
			if (!done)
				return w ? w : -EIO;
			break;
		}
		done += (size_t)w;
	}
	if (in_off)
		*in_off += (int64_t)done;
	else if (done < (size_t)r && in->ops->seek)
		in->ops->seek(in, -(int64_t)((size_t)r - done), 1); /* give back what was not written */
	if (out_off)
		*out_off += (int64_t)done;
	return (long)done;
}

/* loop: keep going until len or a short transfer (files); false: one chunk. */
static long do_copy(int infd, int64_t *in_off, int outfd, int64_t *out_off, size_t len,
		    bool loop, int mode)
{
	struct libos_file *in = libos_fd_get(infd), *out = libos_fd_get(outfd);
	long rc = 0, total = 0;
	char *buf = NULL;
	if (!in || !out) {
		rc = -EBADF;
		goto done;
	}
	if ((in->flags & O_PATH) || (in->flags & O_ACCMODE) == O_WRONLY ||
	    (out->flags & O_PATH) || (out->flags & O_ACCMODE) == O_RDONLY) {
		rc = -EBADF;
		goto done;
	}
	if (mode == 1) { /* copy_file_range: regular files only */
		struct stat a, b;
		if ((rc = fs_stat_file(in, &a)) < 0 || (rc = fs_stat_file(out, &b)) < 0)
			goto done;
		if (S_ISDIR(a.st_mode) || S_ISDIR(b.st_mode)) {
			rc = -EISDIR;
			goto done;
		}
		if (!S_ISREG(a.st_mode) || !S_ISREG(b.st_mode)) {
			rc = -EINVAL;
			goto done;
		}
		if (out->flags & O_APPEND) {
			rc = -EBADF;
			goto done;
		}
	}
	if (mode == 2) { /* splice: one end must be a pipe, and it takes no offset */
		bool pin = fs_is_pipe(in), pout = fs_is_pipe(out);
		if (!pin && !pout) {
			rc = -EINVAL;
			goto done;
		}
		if ((pin && in_off) || (pout && out_off)) {
			rc = -ESPIPE;
			goto done;
		}
	}
	if ((in_off && *in_off < 0) || (out_off && *out_off < 0)) {
		rc = -EINVAL;
		goto done;
	}
	if (!(buf = libos_alloc(COPY_CHUNK))) {
		rc = -ENOMEM;
		goto done;
	}
	if (len > (size_t)MAX_RW)
		len = MAX_RW;
	while ((size_t)total < len) {
		size_t chunk = len - (size_t)total < COPY_CHUNK ? len - (size_t)total : COPY_CHUNK;
		long r = copy_once(in, in_off, out, out_off, chunk, buf);
		if (r < 0) {
			if (!total)
				rc = r;
			break;
		}
		total += r;
		if (r == 0 || (size_t)r < chunk || !loop)
			break;
	}
	if (rc == 0)
		rc = total;
done:
	libos_free(buf);
	if (in)
		libos_file_put(in);
	if (out)
		libos_file_put(out);
	return rc;
}

/* An optional offset argument (uptr 0: the file position, *p NULL). */
static long off_in(long uptr, int64_t *off, int64_t **p)
{
	*off = 0;
	*p = NULL;
	if (!uptr)
		return 0;
	if (fs_from_user(off, (const void *)uptr, 8) < 0)
		return -EFAULT;
	*p = off;
	return 0;
}

/* The offset advanced by a copy that succeeded goes back to the caller. */
static long off_out(long rc, long uptr, int64_t off)
{
	if (rc >= 0 && uptr && fs_to_user((void *)uptr, &off, 8) < 0)
		return -EFAULT;
	return rc;
}

LIBOS_SYSCALL(sendfile)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int64_t off, *poff;
	if (off_in(a2, &off, &poff) < 0)
		return -EFAULT;
	long rc = do_copy((int)a1, poff, (int)a0, NULL, (size_t)a3, true, 0);
	return off_out(rc, a2, off);
}

LIBOS_SYSCALL(copy_file_range)
{
	int64_t in_off, out_off, *pin, *pout;
	if (a5)
		return -EINVAL;
	if (off_in(a1, &in_off, &pin) < 0 || off_in(a3, &out_off, &pout) < 0)
		return -EFAULT;
	if (a0 == a2) {
		/* Same file: overlapping ranges are EINVAL on Linux. */
		struct libos_file *f = libos_fd_get((int)a0);
		if (!f)
			return -EBADF;
		uint64_t s = pin ? (uint64_t)in_off : fs_position(f),
			 d = pout ? (uint64_t)out_off : fs_position(f);
		libos_file_put(f);
		if ((s <= d && d < s + (uint64_t)a4) || (d <= s && s < d + (uint64_t)a4))
			return -EINVAL;
	}
	long rc = do_copy((int)a0, pin, (int)a2, pout, (size_t)a4, true, 1);
	return off_out(off_out(rc, a1, in_off), a3, out_off);
}

LIBOS_SYSCALL(splice)
{
	int64_t in_off, out_off, *pin, *pout;
	if (a5 & ~0xfl)
		return -EINVAL;
	if (off_in(a1, &in_off, &pin) < 0 || off_in(a3, &out_off, &pout) < 0)
		return -EFAULT;
	if (!a4)
		return 0;
	long rc = do_copy((int)a0, pin, (int)a2, pout, (size_t)a4, false, 2);
	return off_out(off_out(rc, a1, in_off), a3, out_off);
}
