/*
 * The host file system: every path outside /proc, /dev and /sys is the
 * same path in the sandbox's view, opened as a "file:" stream.
 *
 * A regular file's position is the host's open file's (DK_OFFSET_CURRENT,
 * DkStreamSeek), so processes made by fork share it as on Linux.  FIFOs
 * and devices have no position; a directory's is the library OS's
 * (f->pos under f->pos_lock).  O_APPEND at open uses DK_ACCESS_APPEND
 * (atomic appends, also between processes); the status flags O_APPEND and
 * O_NONBLOCK belong to the host's open file from then on (fs_host_status),
 * so fcntl(F_SETFL) in one process is seen by the processes sharing it.
 *
 * Directories: getdents64 lists "." and ".." and then the names from
 * DkStreamEnumerateChildren.  d_type and d_ino come from one
 * DkStreamLinkRead (attributes only: lstat) per entry, nothing cached; an
 * entry that vanished in between gets DT_UNKNOWN and a hash of its name.
 * Seeking a directory backwards reopens it and skips forward.
 */
#include "fs.h"
#include <linux/poll.h>
#include <asm/ioctls.h>

struct host_file {
	DK_HANDLE h;
	uint32_t type;      /* enum dk_stream_type */
	bool pos_stale;     /* after an append: the position is the size */
	char *uri;          /* for reopening a directory */
	DK_HANDLE ev;       /* stream event for poll (FIFOs, devices) */
	/* directory state, under pos_lock */
	char *dbuf;
	size_t dcap, dlen, doff;
	uint64_t dindex;    /* index of the next entry the handle gives */
	bool deof;
};

static inline struct host_file *HF(struct libos_file *f) { return f->priv; }

unsigned fs_dk_type_mode(uint32_t type)
{
	switch (type) {
	case DK_STREAM_FILE: return S_IFREG;
	case DK_STREAM_DIRECTORY: return S_IFDIR;
	case DK_STREAM_SYMLINK: return S_IFLNK;
	case DK_STREAM_PIPE: return S_IFIFO;
	case DK_STREAM_SOCKET: /* a socket file */
	case DK_STREAM_TCP:
	case DK_STREAM_TCP_SERVER:
	case DK_STREAM_PIPE_SERVER: return S_IFSOCK;
	default: return S_IFCHR;
	}
}

uint32_t fs_ns_uid, fs_ns_gid;

/* A host file's owner or group as the application sees it (the ownership
 * rule in fs.h): the sandbox's own id is its identity's; the overflow id
 * 65534, which stands for every id the user namespace cannot map (host root
 * above all), reads as root, as in the host's own view; any other id is
 * the host's, mapped one to one. */
static uint32_t host_id(uint32_t id, uint32_t own, uint32_t self)
{
	if (id == own)
		return self;
	return id == 65534u ? 0 : id;
}

void fs_attr_to_stat(const struct dk_stream_attr *a, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = a->device;
	st->st_ino = a->inode;
	st->st_nlink = a->links ? a->links : 1;
	st->st_mode = fs_dk_type_mode(a->type) | (a->mode & 07777);
	st->st_uid = host_id(a->owner, fs_ns_uid, libos_proc.uid);
	st->st_gid = host_id(a->group, fs_ns_gid, libos_proc.gid);
	st->st_size = (long)a->size;
	st->st_blksize = 4096;
	st->st_blocks = (long)a->blocks;
	st->st_atime = a->atime_ns / 1000000000u;
	st->st_atime_nsec = a->atime_ns % 1000000000u;
	st->st_mtime = a->mtime_ns / 1000000000u;
	st->st_mtime_nsec = a->mtime_ns % 1000000000u;
	st->st_ctime = a->ctime_ns / 1000000000u;
	st->st_ctime_nsec = a->ctime_ns % 1000000000u;
}

/* ---- I/O -------------------------------------------------------------------------- */

static void broken_pipe(void)
{
	libos_signal_send(libos_current(), 13 /* SIGPIPE */, NULL);
}

static long refresh_pos(struct libos_file *f) /* pos_lock held */
{
	struct dk_stream_attr a;
	if (!HF(f)->pos_stale)
		return 0;
	int rc = dk->DkStreamAttributesQueryByHandle(HF(f)->h, &a);
	if (rc < 0)
		return libos_errno(rc);
	f->pos = a.size;
	HF(f)->pos_stale = false;
	return 0;
}

static long host_pread(struct libos_file *f, void *buf, size_t n, uint64_t off)
{
	size_t cnt = n;
	if ((int64_t)off < 0)
		return -EINVAL;
	int rc = dk->DkStreamRead(HF(f)->h, off, buf, &cnt);
	return rc < 0 ? libos_errno(rc) : (long)cnt;
}

static long host_pwrite(struct libos_file *f, const void *buf, size_t n, uint64_t off)
{
	size_t cnt = n;
	if ((int64_t)off < 0)
		return -EINVAL;
	int rc = dk->DkStreamWrite(HF(f)->h, off, buf, &cnt);
	if (rc == -DK_E_CLOSED)
		broken_pipe();
	return rc < 0 ? libos_errno(rc) : (long)cnt;
}

static long host_read(struct libos_file *f, void *buf, size_t n)
{
	struct host_file *hf = HF(f);
	/* O_NONBLOCK is the host open file's (fs_host_status): the PAL's
	 * read gives WOULD_BLOCK by itself. */
	if (hf->type != DK_STREAM_FILE) {
		libos_process_settled(); /* it may wait */
		return host_pread(f, buf, n, 0);
	}
	/* At the host's own position, which forked processes share. */
	size_t cnt = n;
	int rc = dk->DkStreamRead(hf->h, DK_OFFSET_CURRENT, buf, &cnt);
	return rc < 0 ? libos_errno(rc) : (long)cnt;
}

static long host_write(struct libos_file *f, const void *buf, size_t n)
{
	struct host_file *hf = HF(f);
	if (hf->type != DK_STREAM_FILE)
		return host_pwrite(f, buf, n, 0);
	/* O_APPEND, at open or by fcntl, is the host open file's: the host
	 * picks the end, atomically, also between processes. */
	size_t cnt = n;
	int rc = dk->DkStreamWrite(hf->h, DK_OFFSET_CURRENT, buf, &cnt);
	if (rc == -DK_E_CLOSED)
		broken_pipe();
	return rc < 0 ? libos_errno(rc) : (long)cnt;
}

/* lseek on a regular file: the host's position (shared after fork). */
static long file_seek(struct host_file *hf, int64_t off, int whence)
{
	struct dk_stream_attr a;
	uint64_t pos = 0;
	int rc;
	if (whence == 3 || whence == 4) { /* SEEK_DATA, SEEK_HOLE: no holes here */
		if ((rc = dk->DkStreamAttributesQueryByHandle(hf->h, &a)) < 0)
			return libos_errno(rc);
		if (off < 0 || (uint64_t)off >= a.size)
			return -ENXIO;
		off = whence == 3 ? off : (int64_t)a.size;
		whence = 0;
	}
	if (whence < 0 || whence > 2)
		return -EINVAL;
	rc = dk->DkStreamSeek(hf->h, off, (uint32_t)whence, &pos);
	return rc < 0 ? libos_errno(rc) : (long)pos;
}

static long reopen_dir(struct libos_file *f);

static long host_seek(struct libos_file *f, int64_t off, int whence)
{
	struct host_file *hf = HF(f);
	struct dk_stream_attr a;
	long rc;
	if (hf->type == DK_STREAM_PIPE || hf->type == DK_STREAM_CONSOLE)
		return -ESPIPE;
	if (hf->type == DK_STREAM_FILE)
		return file_seek(hf, off, whence);
	libos_lock(&f->pos_lock);
	if ((rc = refresh_pos(f)) < 0)
		goto out;
	int64_t base;
	switch (whence) {
	case 0: base = 0; break;
	case 1: base = (int64_t)f->pos; break;
	case 2:
	case 3: /* SEEK_DATA */
	case 4: /* SEEK_HOLE */
		if (hf->type == DK_STREAM_DIRECTORY) {
			rc = -EINVAL;
			goto out;
		}
		if ((rc = dk->DkStreamAttributesQueryByHandle(hf->h, &a)) < 0) {
			rc = libos_errno(rc);
			goto out;
		}
		if (whence == 2) {
			base = (int64_t)a.size;
			break;
		}
		if (off < 0 || (uint64_t)off >= a.size) {
			rc = -ENXIO;
			goto out;
		}
		f->pos = whence == 3 ? (uint64_t)off : a.size;
		rc = (long)f->pos;
		goto out;
	default:
		rc = -EINVAL;
		goto out;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		rc = -EINVAL;
		goto out;
	}
	f->pos = (uint64_t)(base + off);
	rc = (long)f->pos;
	if (hf->type == DK_STREAM_DIRECTORY && f->pos < hf->dindex)
		reopen_dir(f);
out:
	libos_unlock(&f->pos_lock);
	return rc;
}

static long host_stat(struct libos_file *f, void *kst)
{
	struct dk_stream_attr a;
	/* An O_PATH descriptor of a link or a socket file has no stream,
	 * only the URI it was opened by (a socket file's may be a link's). */
	int rc = HF(f)->h ? dk->DkStreamAttributesQueryByHandle(HF(f)->h, &a)
		 : HF(f)->type == DK_STREAM_SYMLINK ? dk->DkStreamLinkRead(HF(f)->uri, NULL, NULL, &a)
						     : dk->DkStreamAttributesQuery(HF(f)->uri, &a);
	if (rc < 0)
		return libos_errno(rc);
	fs_attr_to_stat(&a, kst);
	return 0;
}

static long host_truncate(struct libos_file *f, uint64_t len)
{
	int rc = dk->DkStreamSetLength(HF(f)->h, len);
	if (rc == -DK_E_UNSUPPORTED || rc == -DK_E_IS_DIRECTORY)
		return -EINVAL;
	return rc < 0 ? libos_errno(rc) : 0;
}

static long host_fsync(struct libos_file *f)
{
	int rc = dk->DkStreamFlush(HF(f)->h);
	return rc < 0 ? libos_errno(rc) : 0;
}

static int host_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct host_file *hf = HF(f);
	*wait = DK_HANDLE_NONE;
	if (hf->type == DK_STREAM_FILE || hf->type == DK_STREAM_DIRECTORY)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	if (!hf->ev) {
		DK_HANDLE ev;
		if (dk->DkStreamGetEvent(hf->h, &ev) < 0)
			return POLLIN | POLLOUT;
		if (__sync_val_compare_and_swap(&hf->ev, 0, ev) != 0)
			dk->DkObjectClose(ev);
	}
	*wait = hf->ev;
	int mask = POLLOUT | POLLWRNORM;
	if ((f->flags & O_ACCMODE) != O_WRONLY) {
		size_t idx;
		if (dk->DkObjectsWaitAny(1, &hf->ev, 0, &idx) == 0)
			mask |= POLLIN | POLLRDNORM;
	}
	/* A pipe's read end: readable with nothing in it is the end of the
	 * stream, every write end closed (Linux says POLLHUP); it never
	 * takes writes. */
	if (hf->type == DK_STREAM_PIPE && (f->flags & O_ACCMODE) == O_RDONLY) {
		struct dk_stream_attr a;
		mask &= ~(POLLOUT | POLLWRNORM);
		if ((mask & POLLIN) && dk->DkStreamAttributesQueryByHandle(hf->h, &a) == 0 &&
		    a.size == 0)
			mask |= POLLHUP;
	}
	return mask;
}

static long host_ioctl(struct libos_file *f, unsigned long cmd, unsigned long arg)
{
	if (cmd == FIONREAD) {
		struct dk_stream_attr a;
		int rc = dk->DkStreamAttributesQueryByHandle(HF(f)->h, &a);
		if (rc < 0)
			return libos_errno(rc);
		if (HF(f)->type == DK_STREAM_DIRECTORY)
			return -ENOTTY;
		uint64_t n = a.size;
		uint64_t pos = fs_position(f);
		if (HF(f)->type == DK_STREAM_FILE)
			n = n > pos ? n - pos : 0;
		int v = n > 0x7fffffff ? 0x7fffffff : (int)n;
		return fs_to_user((void *)arg, &v, sizeof(v));
	}
	return -ENOTTY;
}

static void host_release(struct libos_file *f)
{
	struct host_file *hf = HF(f);
	if (!hf)
		return;
	if (hf->ev)
		dk->DkObjectClose(hf->ev);
	if (hf->h)
		dk->DkObjectClose(hf->h);
	libos_free(hf->dbuf);
	libos_free(hf->uri);
	libos_free(hf);
}

/* ---- directories -------------------------------------------------------------------- */

size_t fs_put_dirent(void *buf, size_t size, uint64_t ino, int64_t off, unsigned char type,
		     const char *name)
{
	size_t len = strlen(name);
	size_t reclen = (19 + len + 1 + 7) & ~(size_t)7;
	if (reclen > size)
		return 0;
	char *p = buf;
	memcpy(p, &ino, 8);
	memcpy(p + 8, &off, 8);
	uint16_t rl = (uint16_t)reclen;
	memcpy(p + 16, &rl, 2);
	p[18] = (char)type;
	memcpy(p + 19, name, len);
	memset(p + 19 + len, 0, reclen - 19 - len);
	return reclen;
}

uint64_t fs_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h & 0x7fffffffffffffffull) | 1;
}

/* Gets more names from the host into dbuf (pos_lock held).  0, or -errno. */
static long fill_names(struct host_file *hf)
{
	if (hf->deof)
		return 0;
	if (!hf->dbuf) {
		hf->dcap = 8192;
		if (!(hf->dbuf = libos_alloc(hf->dcap)))
			return -ENOMEM;
	}
	for (;;) {
		size_t size = hf->dcap;
		int rc = dk->DkStreamEnumerateChildren(hf->h, hf->dbuf, &size);
		if (rc == -DK_E_LIMIT && hf->dcap < 65536) {
			char *nb = libos_realloc(hf->dbuf, hf->dcap * 2);
			if (!nb)
				return -ENOMEM;
			hf->dbuf = nb;
			hf->dcap *= 2;
			continue;
		}
		if (rc < 0)
			return libos_errno(rc);
		hf->dlen = size;
		hf->doff = 0;
		if (size == 0)
			hf->deof = true;
		return 0;
	}
}

/* The next name from the host, or NULL at the end. */
static const char *next_name(struct host_file *hf, long *err)
{
	*err = 0;
	if (hf->doff >= hf->dlen) {
		if ((*err = fill_names(hf)) < 0 || hf->deof)
			return NULL;
	}
	return hf->dbuf + hf->doff;
}

static long reopen_dir(struct libos_file *f) /* pos_lock held */
{
	struct host_file *hf = HF(f);
	DK_HANDLE h;
	if (!hf->uri)
		return -EINVAL;
	int rc = dk->DkStreamOpen(hf->uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &h);
	if (rc < 0)
		return libos_errno(rc);
	dk->DkObjectClose(hf->h);
	hf->h = h;
	hf->dlen = hf->doff = 0;
	hf->deof = false;
	hf->dindex = 0;
	return 0;
}

static long host_getdents(struct libos_file *f, void *buf, size_t n)
{
	struct host_file *hf = HF(f);
	size_t used = 0;
	long rc = 0;
	if (hf->type != DK_STREAM_DIRECTORY)
		return -ENOTDIR;
	libos_lock(&f->pos_lock);
	uint64_t dir_ino = fs_hash(hf->uri ? hf->uri : "");
	/* Entries 0 and 1 are "." and ".."; host names start at index 2. */
	if (f->pos < hf->dindex && hf->dindex > 2 && (rc = reopen_dir(f)) < 0)
		goto out;
	if (hf->dindex < 2)
		hf->dindex = 2;
	while (f->pos < 2) {
		const char *name = f->pos == 0 ? "." : "..";
		size_t r = fs_put_dirent((char *)buf + used, n - used,
					 f->pos == 0 ? dir_ino : dir_ino ^ 2, (int64_t)f->pos + 1,
					 DT_DIR, name);
		if (!r)
			goto out;
		used += r;
		f->pos++;
	}
	/* Skip to f->pos after a seek forward. */
	while (hf->dindex < f->pos) {
		const char *name = next_name(hf, &rc);
		if (!name)
			goto out;
		hf->doff += strlen(name) + 1;
		hf->dindex++;
	}
	size_t ulen = hf->uri ? strlen(hf->uri) : 0;
	char *uri = hf->uri ? libos_alloc(ulen + 2 + FS_PATH_MAX) : NULL;
	if (uri) {
		memcpy(uri, hf->uri, ulen);
		if (ulen && uri[ulen - 1] != '/')
			uri[ulen++] = '/';
	}
	for (;;) {
		const char *name = next_name(hf, &rc);
		if (!name)
			break;
		unsigned char type = DT_UNKNOWN;
		uint64_t ino = fs_hash(name) ^ dir_ino;
		size_t nlen = strlen(name);
		if (uri && nlen < FS_PATH_MAX) {
			struct dk_stream_attr a;
			memcpy(uri + ulen, name, nlen + 1);
			if (dk->DkStreamLinkRead(uri, NULL, NULL, &a) == 0) {
				type = (unsigned char)(fs_dk_type_mode(a.type) >> 12);
				if (a.inode)
					ino = a.inode;
			}
		}
		size_t r = fs_put_dirent((char *)buf + used, n - used, ino,
					 (int64_t)f->pos + 1, type, name);
		if (!r) {
			if (!used)
				rc = -EINVAL; /* the buffer cannot hold one entry */
			break;
		}
		used += r;
		hf->doff += strlen(name) + 1;
		hf->dindex++;
		f->pos++;
	}
	libos_free(uri);
out:
	libos_unlock(&f->pos_lock);
	if (used)
		return (long)used;
	if (rc == 0 && f->pos < 2)
		rc = -EINVAL;
	return rc;
}

const struct libos_file_ops fs_host_ops = {
	.read = host_read,
	.write = host_write,
	.pread = host_pread,
	.pwrite = host_pwrite,
	.seek = host_seek,
	.stat = host_stat,
	.getdents = host_getdents,
	.ioctl = host_ioctl,
	.truncate = host_truncate,
	.fsync = host_fsync,
	.poll = host_poll,
	.release = host_release,
};

DK_HANDLE libos_file_stream(struct libos_file *f)
{
	if (f && f->ops == &fs_host_ops)
		return HF(f)->h;
	if (f && f->ops == &fs_console_ops)
		return *(DK_HANDLE *)f->priv; /* struct console starts with its handle */
	if (f && f->ops == &fs_memfd_ops)
		return fs_memfd_stream(f);
	return DK_HANDLE_NONE;
}

bool fs_file_is_dir(struct libos_file *f)
{
	if (f->ops == &fs_host_ops)
		return HF(f)->type == DK_STREAM_DIRECTORY;
	return f->ops == &fs_synth_dir_ops;
}

/* ---- open --------------------------------------------------------------------------- */

static long tmpfile_open(const char *diruri, const char *guest, int flags, unsigned mode,
			 struct libos_file **out)
{
	char uri[FS_PATH_MAX + 64];
	uint64_t r;
	for (int tries = 0; tries < 8; tries++) {
		dk->DkRandomBitsRead(&r, sizeof(r));
		if ((size_t)rt_snprintf(uri, sizeof(uri), "%s/.moat-tmpfile-%lx", diruri,
					(unsigned long)r) >= sizeof(uri))
			return -ENAMETOOLONG;
		/* O_TMPFILE is __O_TMPFILE | O_DIRECTORY: neither is wanted now. */
		int fl = (flags & ~(__O_TMPFILE | O_DIRECTORY | O_EXCL)) | O_CREAT | O_EXCL;
		long rc = fs_host_open_uri(uri, guest, fl, mode, out);
		if (rc == -EEXIST)
			continue;
		if (rc < 0)
			return rc == -ENOENT ? -ENOENT : rc;
		dk->DkStreamDelete(uri);
		libos_free((*out)->path);
		(*out)->path = NULL;
		libos_free(HF(*out)->uri);
		HF(*out)->uri = NULL;
		return 0;
	}
	return -EEXIST;
}

long fs_host_open_uri(const char *uri, const char *guest, int flags, unsigned mode,
		      struct libos_file **out)
{
	uint32_t access = 0, create = DK_CREATE_NEVER, options = 0;
	unsigned acc = flags & O_ACCMODE;
	DK_HANDLE h;
	struct dk_stream_attr a;
	int rc;
	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		return tmpfile_open(uri, guest, flags, mode, out);
	if (acc == 3)
		return -EINVAL;
	if (!(flags & O_PATH)) {
		if (acc == O_RDONLY || acc == O_RDWR)
			access |= DK_ACCESS_READ;
		if (acc == O_WRONLY || acc == O_RDWR)
			access |= (flags & O_APPEND) ? DK_ACCESS_APPEND : DK_ACCESS_WRITE;
		if (flags & O_CREAT)
			create = (flags & O_EXCL) ? DK_CREATE_NEW : DK_CREATE_ALWAYS;
		if ((flags & O_TRUNC) && acc != O_RDONLY)
			create |= DK_CREATE_TRUNCATE;
		if (flags & O_NONBLOCK)
			options |= DK_OPT_NONBLOCK;
	} else {
		/* O_PATH opens nothing for I/O: a FIFO must not wait for a
		 * writer. */
		options |= DK_OPT_NONBLOCK;
	}
	if (flags & O_DIRECTORY) {
		if (flags & O_CREAT)
			return -EINVAL;
		options |= DK_OPT_DIRECTORY;
		access &= DK_ACCESS_READ;
		if (acc != O_RDONLY)
			return -EISDIR;
	}
	if (flags & O_NOFOLLOW)
		options |= DK_OPT_NOFOLLOW;
	rc = dk->DkStreamOpen(uri, access, create, options, mode & 07777, &h);
	if (rc == -DK_E_LOOP && (flags & O_PATH) && (flags & O_NOFOLLOW) &&
	    !(flags & O_DIRECTORY) && dk->DkStreamLinkRead(uri, NULL, NULL, &a) == 0 &&
	    a.type == DK_STREAM_SYMLINK) {
		/* O_PATH|O_NOFOLLOW names the link itself: no stream, its URI
		 * (fstat and readlinkat(fd, "") are all it offers). */
		h = DK_HANDLE_NONE;
		rc = 0;
	}
	if (rc == -DK_E_REFUSED && (flags & O_PATH) && !(flags & O_DIRECTORY) &&
	    ((flags & O_NOFOLLOW) ? dk->DkStreamLinkRead(uri, NULL, NULL, &a)
				  : dk->DkStreamAttributesQuery(uri, &a)) == 0 &&
	    a.type == DK_STREAM_SOCKET) {
		/* O_PATH names a socket file, which opens as no stream: its
		 * URI, as for a link (fstat is what it offers). */
		h = DK_HANDLE_NONE;
		rc = 0;
	}
	if (rc == -DK_E_LOOP && (flags & O_NOFOLLOW))
		return -ELOOP;
	if (rc == -DK_E_REFUSED)
		return -ENXIO; /* a FIFO without a reader (O_WRONLY|O_NONBLOCK), a socket file */
	if (rc < 0)
		return libos_errno(rc);
	if (options & DK_OPT_DIRECTORY) {
		a.type = DK_STREAM_DIRECTORY;
	} else if (!h) {
		/* the link or socket file, described above */
	} else if ((rc = dk->DkStreamAttributesQueryByHandle(h, &a)) < 0) {
		dk->DkObjectClose(h);
		return libos_errno(rc);
	}
	struct host_file *hf = libos_alloc(sizeof(*hf));
	struct libos_file *f = hf ? libos_file_new(&fs_host_ops, (unsigned)flags & ~(O_CREAT |
					O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW), hf)
				  : NULL;
	char *path = guest ? libos_strdup(guest) : NULL;
	bool keep_uri = a.type == DK_STREAM_DIRECTORY || !h;
	char *u = keep_uri ? libos_strdup(uri) : NULL;
	if (!f || (guest && !path) || (keep_uri && !u)) {
		if (h)
			dk->DkObjectClose(h);
		libos_free(hf);
		libos_free(f);
		libos_free(path);
		libos_free(u);
		return -ENOMEM;
	}
	hf->h = h;
	hf->type = a.type;
	hf->uri = u;
	f->path = path;
	*out = f;
	return 0;
}

/* The text of the link an O_PATH|O_NOFOLLOW descriptor names (readlinkat
 * with an empty path); -ENOENT for any other descriptor, as Linux. */
long fs_host_link_text(struct libos_file *f, char *buf, size_t size)
{
	size_t n = size;
	if (f->ops != &fs_host_ops || HF(f)->h || !HF(f)->uri || HF(f)->type != DK_STREAM_SYMLINK)
		return -ENOENT;
	int rc = dk->DkStreamLinkRead(HF(f)->uri, buf, &n, NULL);
	return rc < 0 ? libos_errno(rc) : (long)n;
}

/* ---- the file system ------------------------------------------------------------------ */

/* The root of the view may not be listable (Landlock grants the mounts,
 * not the root that holds them): then "/" lists the common top-level
 * names that exist, and /proc, /dev, /sys. */
static long root_dir(int flags, struct libos_file **out)
{
	static const char *const names[] = {
		"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
		"opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
	};
	struct fs_dirent ents[sizeof(names) / sizeof(names[0]) + 1];
	char extra[256];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char uri[64];
		struct dk_stream_attr a;
		bool ours = !strcmp(names[i], "proc") || !strcmp(names[i], "dev") || !strcmp(names[i], "sys");
		rt_snprintf(uri, sizeof(uri), "file:/%s", names[i]);
		if (ours || dk->DkStreamAttributesQuery(uri, &a) == 0)
			ents[n++] = (struct fs_dirent){ names[i], DT_UNKNOWN, 0 };
	}
	/* The working directory's top component, when it is not listed. */
	const char *c = libos_cwd;
	if (c[0] == '/' && c[1]) {
		size_t k = 0;
		while (c[1 + k] && c[1 + k] != '/' && k < sizeof(extra) - 1) {
			extra[k] = c[1 + k];
			k++;
		}
		extra[k] = 0;
		bool have = false;
		for (size_t i = 0; i < n; i++)
			have |= !strcmp(ents[i].name, extra);
		if (!have)
			ents[n++] = (struct fs_dirent){ extra, DT_UNKNOWN, 0 };
	}
	return fs_synth_dir_open(ents, n, flags, "/", S_IFDIR | 0755, 2, out);
}

static long hfs_open(struct fs_path *p, int flags, unsigned mode, struct libos_file **out)
{
	long rc = fs_host_open_uri(p->uri, p->abs, flags, mode, out);
	if (rc == -EACCES && !strcmp(p->abs, "/") && (flags & O_ACCMODE) == O_RDONLY &&
	    !(flags & O_CREAT))
		rc = root_dir(flags, out);
	return rc;
}

/* Not following a final link is DkStreamLinkRead's attributes-only form. */
static long hfs_stat(struct fs_path *p, struct stat *st, bool follow)
{
	struct dk_stream_attr a;
	int rc = follow ? dk->DkStreamAttributesQuery(p->uri, &a)
			: dk->DkStreamLinkRead(p->uri, NULL, NULL, &a);
	if (rc < 0)
		return libos_errno(rc);
	fs_attr_to_stat(&a, st);
	return 0;
}

/* Not a link: DK_E_INVALID, which is readlink's EINVAL. */
static long hfs_readlink(struct fs_path *p, char *buf, size_t size)
{
	size_t n = size;
	int rc = dk->DkStreamLinkRead(p->uri, buf, &n, NULL);
	return rc < 0 ? libos_errno(rc) : (long)n;
}

static long hfs_symlink(struct fs_path *p, const char *target)
{
	int rc = dk->DkStreamLinkCreate(target, p->uri, DK_LINK_SYMBOLIC);
	return rc < 0 ? libos_errno(rc) : 0;
}

static long hfs_link(struct fs_path *from, struct fs_path *to)
{
	int rc = dk->DkStreamLinkCreate(from->uri, to->uri, DK_LINK_HARD);
	return rc < 0 ? libos_errno(rc) : 0;
}

static long hfs_setattr(struct fs_path *p, const struct dk_stream_attr *a, uint32_t which)
{
	int rc = dk->DkStreamAttributesSet(p->uri, a, which);
	return rc < 0 ? libos_errno(rc) : 0;
}

/* A host FIFO (DK_OPT_FIFO), which every process of the sandbox opens
 * alike: made, then opened for reading without waiting (which a FIFO
 * allows) and closed. */
long fs_mkfifo(struct fs_path *p, unsigned mode)
{
	DK_HANDLE h;
	int rc = dk->DkStreamOpen(p->uri, DK_ACCESS_READ, DK_CREATE_NEW,
				  DK_OPT_FIFO | DK_OPT_NONBLOCK | DK_OPT_NOFOLLOW, mode & 07777, &h);
	if (rc < 0)
		return libos_errno(rc);
	dk->DkObjectClose(h);
	return 0;
}

/* A host socket file (DK_OPT_SOCKET_FILE), the name of a bound AF_UNIX
 * socket that every process of the sandbox sees (stat S_IFSOCK, open
 * ENXIO) and that stays until unlinked; *a (when a is not NULL) gets its
 * attributes, looked up right after (a rename in between would show). */
long fs_mksock(struct fs_path *p, unsigned mode, struct dk_stream_attr *a)
{
	DK_HANDLE none;
	int rc = dk->DkStreamOpen(p->uri, 0, DK_CREATE_NEW, DK_OPT_SOCKET_FILE, mode & 0777, &none);
	if (rc == 0 && a)
		rc = dk->DkStreamLinkRead(p->uri, NULL, NULL, a);
	return rc < 0 ? libos_errno(rc) : 0;
}

static long hfs_mkdir(struct fs_path *p, unsigned mode)
{
	DK_HANDLE h;
	int rc = dk->DkStreamOpen(p->uri, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_DIRECTORY,
				  mode & 07777, &h);
	if (rc < 0)
		return libos_errno(rc);
	dk->DkObjectClose(h);
	return 0;
}

long fs_host_mkdir_p(const char *path)
{
	char uri[FS_PATH_MAX + 8];
	DK_HANDLE h;
	rt_snprintf(uri, sizeof(uri), "file:%s", path);
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_ALWAYS, DK_OPT_DIRECTORY, 01777, &h);
	if (rc < 0)
		return libos_errno(rc);
	dk->DkObjectClose(h);
	return 0;
}

static long hfs_unlink(struct fs_path *p, bool dir)
{
	struct dk_stream_attr a;
	int q = dk->DkStreamAttributesQuery(p->uri, &a);
	if (dir) {
		if (q < 0)
			return libos_errno(q);
		if (a.type != DK_STREAM_DIRECTORY)
			return -ENOTDIR;
	} else if (q == 0 && a.type == DK_STREAM_DIRECTORY) {
		return -EISDIR;
	}
	int rc = dk->DkStreamDelete(p->uri);
	if (rc == -DK_E_INVALID && dir)
		return -EINVAL;
	return rc < 0 ? libos_errno(rc) : 0;
}

static long hfs_rename(struct fs_path *from, struct fs_path *to)
{
	int rc = dk->DkStreamRename(from->uri, to->uri);
	return rc < 0 ? libos_errno(rc) : 0;
}

/* The permission bits alone would answer as for a user who is not root;
 * for reads and writes of regular files and directory reads, ask the host
 * by opening, which also sees read-only mounts and Landlock. */
static long hfs_access(struct fs_path *p, int mode)
{
	struct dk_stream_attr a;
	DK_HANDLE h;
	int rc = dk->DkStreamAttributesQuery(p->uri, &a);
	if (rc < 0)
		return libos_errno(rc);
	bool root = libos_proc.uid == 0;
	if (mode & 1) { /* X_OK */
		if (a.type != DK_STREAM_DIRECTORY && !(a.mode & (root ? 0111 : 0100)))
			return -EACCES;
		if (a.type == DK_STREAM_DIRECTORY && !root && !(a.mode & 0100))
			return -EACCES;
	}
	if (a.type == DK_STREAM_FILE && (mode & 6)) {
		uint32_t acc = ((mode & 4) ? DK_ACCESS_READ : 0) | ((mode & 2) ? DK_ACCESS_WRITE : 0);
		rc = dk->DkStreamOpen(p->uri, acc, DK_CREATE_NEVER, DK_OPT_NONBLOCK, 0, &h);
		if (rc < 0)
			return rc == -DK_E_READ_ONLY ? -EROFS : -EACCES;
		dk->DkObjectClose(h);
		return 0;
	}
	if (a.type == DK_STREAM_DIRECTORY && (mode & 4)) {
		rc = dk->DkStreamOpen(p->uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &h);
		if (rc < 0)
			return -EACCES;
		dk->DkObjectClose(h);
	}
	if ((mode & 2) && a.type != DK_STREAM_FILE && !root && !(a.mode & 0200))
		return -EACCES;
	return 0;
}

const struct fs_type fs_host = {
	.name = "host",
	.magic = EXT4_SUPER_MAGIC,
	.open = hfs_open,
	.stat = hfs_stat,
	.readlink = hfs_readlink,
	.mkdir = hfs_mkdir,
	.unlink = hfs_unlink,
	.rename = hfs_rename,
	.access = hfs_access,
	.symlink = hfs_symlink,
	.link = hfs_link,
	.setattr = hfs_setattr,
};

/* f is a host file with a stream of this type (the checks below). */
static bool host_of(struct libos_file *f, uint32_t type)
{
	return f->ops == &fs_host_ops && HF(f)->type == type && HF(f)->h;
}

/* Host pipes (pipes shared by a fork) and the library OS's in-memory ones:
 * what ESPIPE, splice, F_GETPIPE_SZ and /proc/self/fd treat as a pipe. */
bool fs_is_pipe(struct libos_file *f)
{
	return f->ops == &fs_pipe_ops || host_of(f, DK_STREAM_PIPE);
}

/* A host pipe end's bytes ready to read: what changes with each write, for
 * EPOLLET (poll.c).  false for any other file. */
bool fs_host_pipe_key(struct libos_file *f, uint64_t *in)
{
	struct dk_stream_attr a;
	if (!host_of(f, DK_STREAM_PIPE))
		return false;
	if (dk->DkStreamAttributesQueryByHandle(HF(f)->h, &a) < 0)
		return false;
	*in = a.size;
	return true;
}

/* Turns an open file of another kind into a host file of stream h, in
 * place (fork: a pipe becoming a host pipe).  Its flags stay, and its
 * status flags move to the host's open file with it. */
long fs_host_adopt(struct libos_file *f, DK_HANDLE h, uint32_t type)
{
	struct host_file *hf = libos_alloc(sizeof(*hf));
	if (!hf)
		return -ENOMEM;
	hf->h = h;
	hf->type = type;
	f->priv = hf;
	__atomic_store_n(&f->ops, &fs_host_ops, __ATOMIC_RELEASE);
	if (f->flags & (O_NONBLOCK | O_APPEND))
		fs_host_status(f, true, f->flags);
	return 0;
}

/* A new host file for stream h (one that came from another process:
 * DkStreamMessage), of type and access as the PAL described it; its
 * status flags are the host open file's.  Takes h, even on failure. */
long fs_host_from_stream(DK_HANDLE h, uint32_t type, uint32_t access, struct libos_file **out)
{
	struct host_file *hf = libos_alloc(sizeof(*hf));
	unsigned flags = (access & DK_ACCESS_READ) && (access & DK_ACCESS_WRITE) ? O_RDWR
			 : access & DK_ACCESS_WRITE ? O_WRONLY
						    : O_RDONLY;
	struct libos_file *f = hf ? libos_file_new(&fs_host_ops, flags, hf) : NULL;
	if (!f) {
		libos_free(hf);
		dk->DkObjectClose(h);
		return -ENOMEM;
	}
	hf->h = h;
	hf->type = type;
	long st = fs_host_status(f, false, flags);
	if (st >= 0)
		f->flags = (unsigned)st;
	*out = f;
	return 0;
}

/* The status flags O_NONBLOCK and O_APPEND of a host stream: the host
 * keeps them in its open file (DK_STREAM_GET_STATUS, _SET_STATUS), so
 * processes that share the open file after fork see each other's changes
 * as on Linux.  set: flags' two bits become the host's; then (set or not)
 * returns flags with the host's two bits, or -errno.  Returns flags as
 * they are for a file whose status is the library OS's own (not a host
 * stream, a directory, a link). */
long fs_host_status(struct libos_file *f, bool set, unsigned flags)
{
	if (f->ops != &fs_host_ops || !HF(f)->h || HF(f)->type == DK_STREAM_DIRECTORY)
		return flags;
	uint32_t st = (flags & O_NONBLOCK ? DK_STATUS_NONBLOCK : 0) |
		      (flags & O_APPEND ? DK_STATUS_APPEND : 0);
	int rc = dk->DkStreamConsoleControl(HF(f)->h,
					    set ? DK_STREAM_SET_STATUS : DK_STREAM_GET_STATUS,
					    &st, sizeof(st));
	if (rc == -DK_E_UNSUPPORTED)
		return flags;
	if (rc < 0)
		return libos_errno(rc);
	flags &= ~(unsigned)(O_NONBLOCK | O_APPEND);
	return (long)(flags | (st & DK_STATUS_NONBLOCK ? O_NONBLOCK : 0u) |
		      (st & DK_STATUS_APPEND ? O_APPEND : 0u));
}

/* A file's position: the host's for a host regular file (forked processes
 * share it), else the library OS's own. */
uint64_t fs_position(struct libos_file *f)
{
	uint64_t pos;
	if (host_of(f, DK_STREAM_FILE) && dk->DkStreamSeek(HF(f)->h, 0, DK_SEEK_CUR, &pos) == 0)
		return pos;
	return __atomic_load_n(&f->pos, __ATOMIC_RELAXED);
}

/* A socket pair end moved to the host at fork (socket.c): its stream. */
bool fs_host_socket(struct libos_file *f, DK_HANDLE *h)
{
	if (!host_of(f, DK_STREAM_TCP))
		return false;
	*h = HF(f)->h;
	return true;
}

/* A host regular file's stream (file locks go to the host: DkStreamLock). */
bool fs_host_file(struct libos_file *f, DK_HANDLE *h)
{
	if (!host_of(f, DK_STREAM_FILE))
		return false;
	*h = HF(f)->h;
	return true;
}
