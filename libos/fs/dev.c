/*
 * /dev and the console.
 *
 * The console is the picoprocess's stdin:, stdout: and stderr: streams;
 * descriptors 0, 1 and 2 start on them.  When the host's console is a
 * terminal, DkStreamConsoleControl passes TCGETS, TCSETS, TCSETSW, TCSETSF
 * and TIOCGWINSZ through; TIOCGPGRP and TIOCGSID answer with our own pid
 * (the host's process groups mean nothing in the sandbox) and TIOCSPGRP
 * is accepted.  When it is not a terminal, every terminal ioctl gives
 * ENOTTY, as on Linux with redirected output (what transcript tests see).
 * /dev/tty reads the console's stdin: and writes its stderr:.
 *
 * /dev: null, zero, full, random, urandom, tty, fd (= /proc/self/fd),
 * stdin, stdout, stderr (= /proc/self/fd/0..2); /dev/shm is host storage
 * (see vfs.c).  Everything else is ENOENT.
 */
#include "fs.h"
#include <linux/poll.h>
#include <asm/ioctls.h>

long fs_proc_fd_open(int fd, int flags, struct libos_file **out); /* proc.c */
long fs_proc_fd_readlink(int fd, char *buf, size_t size);
long fs_proc_fd_dir_open(int flags, const char *path, struct libos_file **out);
long fs_proc_fd_stat(int fd, struct stat *st, bool follow);

/* ---- the console --------------------------------------------------------------------- */

struct console {
	DK_HANDLE h;   /* first: libos_file_stream() reads it */
	DK_HANDLE wh;  /* writes (tty: stderr:), or the same as h */
	int which;
};

static void broken_pipe(void)
{
	libos_signal_send(libos_current(), 13 /* SIGPIPE */, NULL);
}

static long con_read(struct libos_file *f, void *buf, size_t n)
{
	struct console *c = f->priv;
	if (f->flags & O_NONBLOCK) {
		size_t idx;
		int w = dk->DkObjectsWaitAny(1, &c->h, 0, &idx);
		if (w == -DK_E_TIMEOUT)
			return -EAGAIN;
	}
	size_t cnt = n;
	int rc = dk->DkStreamRead(c->h, 0, buf, &cnt);
	if (rc == -DK_E_INTERRUPTED)
		return -EINTR;
	if (rc == -DK_E_WOULD_BLOCK)
		return -EAGAIN;
	return rc < 0 ? libos_errno(rc) : (long)cnt;
}

static long con_write(struct libos_file *f, const void *buf, size_t n)
{
	struct console *c = f->priv;
	size_t cnt = n;
	int rc = dk->DkStreamWrite(c->wh, 0, buf, &cnt);
	if (rc == -DK_E_CLOSED) {
		broken_pipe();
		return -EPIPE;
	}
	if (rc == -DK_E_INTERRUPTED)
		return -EINTR;
	if (rc == -DK_E_WOULD_BLOCK)
		return -EAGAIN;
	return rc < 0 ? libos_errno(rc) : (long)cnt;
}

static long con_seek(struct libos_file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return -ESPIPE;
}

static long con_stat(struct libos_file *f, void *kst)
{
	struct console *c = f->priv;
	struct dk_stream_attr a;
	int rc = dk->DkStreamAttributesQueryByHandle(c->h, &a);
	if (rc < 0)
		return libos_errno(rc);
	fs_synth_stat(kst, S_IFCHR | (a.mode & 0777 ? a.mode & 0777 : 0620), 3 + (uint64_t)c->which, 0, 0);
	return 0;
}

static long con_ioctl(struct libos_file *f, unsigned long cmd, unsigned long arg)
{
	struct console *c = f->priv;
	if (cmd == FIONREAD) {
		struct dk_stream_attr a;
		int rc = dk->DkStreamAttributesQueryByHandle(c->h, &a);
		if (rc < 0)
			return libos_errno(rc);
		int v = a.size > 0x7fffffff ? 0x7fffffff : (int)a.size;
		return fs_to_user((void *)arg, &v, sizeof(v));
	}
	struct dk_termios t;
	struct dk_winsize w;
	uint32_t op;
	int rc;
	switch (cmd) {
	case TCGETS:
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		op = cmd == TCGETS ? DK_CONSOLE_GET_MODES
		     : cmd == TCSETS ? DK_CONSOLE_SET_MODES
		     : cmd == TCSETSW ? DK_CONSOLE_SET_MODES_DRAIN : DK_CONSOLE_SET_MODES_FLUSH;
		if (op != DK_CONSOLE_GET_MODES && fs_from_user(&t, (const void *)arg, sizeof(t)) < 0)
			return -EFAULT;
		rc = dk->DkStreamConsoleControl(c->h, op, &t, sizeof(t));
		if (rc == -DK_E_UNSUPPORTED)
			return -ENOTTY;
		if (rc < 0)
			return rc == -DK_E_INTERRUPTED ? -EINTR : libos_errno(rc);
		return op == DK_CONSOLE_GET_MODES ? fs_to_user((void *)arg, &t, sizeof(t)) : 0;
	case TIOCGWINSZ:
		rc = dk->DkStreamConsoleControl(c->h, DK_CONSOLE_GET_WINSIZE, &w, sizeof(w));
		if (rc == -DK_E_UNSUPPORTED)
			return -ENOTTY;
		if (rc < 0)
			return libos_errno(rc);
		return fs_to_user((void *)arg, &w, sizeof(w));
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID: {
		/* Only a terminal has them; the sandbox is its own session. */
		if (dk->DkStreamConsoleControl(c->h, DK_CONSOLE_GET_MODES, &t, sizeof(t)) < 0)
			return -ENOTTY;
		int pid = libos_proc.pid;
		if (cmd == TIOCSPGRP)
			return fs_from_user(&pid, (const void *)arg, sizeof(pid)) < 0 ? -EFAULT : 0;
		return fs_to_user((void *)arg, &pid, sizeof(pid));
	}
	}
	return -ENOTTY;
}

static int con_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct console *c = f->priv;
	int mask = POLLOUT | POLLWRNORM;
	*wait = DK_HANDLE_NONE;
	if (c->which == 0 || c->which == 3) {
		size_t idx;
		if (dk->DkObjectsWaitAny(1, &c->h, 0, &idx) == 0)
			mask |= POLLIN | POLLRDNORM;
		else
			*wait = c->h; /* streams are waitable: signalled when readable */
	}
	return mask;
}

static long con_fsync(struct libos_file *f)
{
	(void)f;
	return -EINVAL; /* a character device: Linux says EINVAL */
}

static void con_release(struct libos_file *f)
{
	struct console *c = f->priv;
	if (!c)
		return;
	if (c->wh && c->wh != c->h)
		dk->DkObjectClose(c->wh);
	if (c->h)
		dk->DkObjectClose(c->h);
	libos_free(c);
}

const struct libos_file_ops fs_console_ops = {
	.read = con_read,
	.write = con_write,
	.seek = con_seek,
	.stat = con_stat,
	.ioctl = con_ioctl,
	.fsync = con_fsync,
	.poll = con_poll,
	.release = con_release,
};

long fs_console_open(int which, int flags, struct libos_file **out)
{
	static const char *const uris[] = { "stdin:", "stdout:", "stderr:", "stdin:" };
	struct console *c = libos_alloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	int rc = dk->DkStreamOpen(uris[which], DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEVER, 0,
				  0, &c->h);
	if (rc == 0 && which == 3)
		rc = dk->DkStreamOpen("stderr:", DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEVER, 0,
				      0, &c->wh);
	else
		c->wh = c->h;
	if (rc < 0) {
		if (c->h)
			dk->DkObjectClose(c->h);
		libos_free(c);
		return which == 3 ? -ENXIO : libos_errno(rc);
	}
	c->which = which;
	unsigned acc = (unsigned)flags & O_ACCMODE;
	struct libos_file *f = libos_file_new(&fs_console_ops, acc | ((unsigned)flags & O_NONBLOCK), c);
	if (!f) {
		c->wh = c->wh == c->h ? 0 : c->wh;
		con_release(&(struct libos_file){ .priv = c });
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int fs_console_which(struct libos_file *f)
{
	return ((struct console *)f->priv)->which;
}

void libos_fs_init(void)
{
	fs_vfs_init();
	static const int acc[3] = { O_RDONLY, O_WRONLY, O_WRONLY };
	for (int fd = 0; fd < 3; fd++) {
		struct libos_file *f;
		if (fs_console_open(fd, acc[fd], &f) < 0) {
			/* No such console: the descriptor stays closed. */
			continue;
		}
		if (libos_fd_install_at(fd, f, false) < 0)
			libos_file_put(f);
	}
}

/* ---- the /dev devices ------------------------------------------------------------------ */

enum { DEV_NULL = 3, DEV_ZERO = 5, DEV_FULL = 7, DEV_RANDOM = 8, DEV_URANDOM = 9 };

static int dev_kind(struct libos_file *f) { return (int)(uintptr_t)f->priv; }

static long zero_fill(void *buf, size_t n)
{
	static const char zeros[4096];
	size_t done = 0;
	while (done < n) {
		size_t c = n - done < sizeof(zeros) ? n - done : sizeof(zeros);
		if (fs_to_user((char *)buf + done, zeros, c) < 0)
			return done ? (long)done : -EFAULT;
		done += c;
	}
	return (long)n;
}

static long dev_pread(struct libos_file *f, void *buf, size_t n, uint64_t off)
{
	(void)off;
	switch (dev_kind(f)) {
	case DEV_NULL:
		return 0;
	case DEV_ZERO:
	case DEV_FULL:
		return zero_fill(buf, n);
	default: { /* random, urandom */
		if (n > 33554431)
			n = 33554431;
		int rc = dk->DkRandomBitsRead(buf, n);
		return rc < 0 ? libos_errno(rc) : (long)n;
	}
	}
}

static long dev_pwrite(struct libos_file *f, const void *buf, size_t n, uint64_t off)
{
	(void)buf, (void)off;
	return dev_kind(f) == DEV_FULL ? -ENOSPC : (long)n;
}

static long dev_read(struct libos_file *f, void *buf, size_t n)
{
	return dev_pread(f, buf, n, 0);
}

static long dev_write(struct libos_file *f, const void *buf, size_t n)
{
	return dev_pwrite(f, buf, n, 0);
}

static long dev_seek(struct libos_file *f, int64_t off, int whence)
{
	(void)off, (void)whence;
	f->pos = 0;
	return 0;
}

static long dev_stat(struct libos_file *f, void *kst)
{
	int k = dev_kind(f);
	fs_synth_stat(kst, S_IFCHR | 0666, (uint64_t)k, 0, (1u << 8) | (unsigned)k);
	return 0;
}

static long dev_mmap(struct libos_file *f, void **addr, size_t len, int prot, int flags,
		     uint64_t off)
{
	(void)off;
	if (dev_kind(f) != DEV_ZERO)
		return -ENODEV;
	/* /dev/zero maps as anonymous memory (shared across fork is not kept). */
	void *a = *addr;
	int rc;
	if (flags & 0x10 /* MAP_FIXED */) {
		/* Replace in place, with no hole in between (see mm.c's
		 * replace_reserve). */
		rc = dk->DkVirtualMemoryFree(a, len, DK_MEM_DECOMMIT);
		if (rc >= 0 && (prot & 7))
			rc = dk->DkVirtualMemoryAlloc(&a, len, DK_MEM_COMMIT, (uint32_t)prot & 7u);
		if (rc < 0)
			return libos_errno(rc);
		return 0;
	}
	rc = dk->DkVirtualMemoryAlloc(&a, len, DK_MEM_RESERVE | DK_MEM_COMMIT, (uint32_t)prot & 7u);
	if (rc == -DK_E_EXISTS && !(flags & 0x100000 /* MAP_FIXED_NOREPLACE */)) {
		a = NULL;
		rc = dk->DkVirtualMemoryAlloc(&a, len, DK_MEM_RESERVE | DK_MEM_COMMIT, (uint32_t)prot & 7u);
	}
	if (rc < 0)
		return libos_errno(rc);
	*addr = a;
	return 0;
}

static int dev_poll(struct libos_file *f, DK_HANDLE *wait)
{
	(void)f;
	*wait = DK_HANDLE_NONE;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static long dev_fsync(struct libos_file *f)
{
	(void)f;
	return -EINVAL;
}

static long dev_truncate(struct libos_file *f, uint64_t len)
{
	(void)f, (void)len;
	return 0; /* O_TRUNC of /dev/null: Linux ignores it for devices */
}

static const struct libos_file_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.pread = dev_pread,
	.pwrite = dev_pwrite,
	.seek = dev_seek,
	.stat = dev_stat,
	.truncate = dev_truncate,
	.fsync = dev_fsync,
	.mmap = dev_mmap,
	.poll = dev_poll,
};

/* ---- the file system --------------------------------------------------------------------- */

static const struct {
	const char *name;
	int kind;       /* DEV_*, or: 1 tty, -1 link to fd N (0..2), -2 fd dir, -3 shm dir */
	int fd;
} devs[] = {
	{ "null", DEV_NULL, 0 },    { "zero", DEV_ZERO, 0 },       { "full", DEV_FULL, 0 },
	{ "random", DEV_RANDOM, 0 }, { "urandom", DEV_URANDOM, 0 }, { "tty", 1, 0 },
	{ "fd", -2, 0 },            { "stdin", -1, 0 },            { "stdout", -1, 1 },
	{ "stderr", -1, 2 },        { "shm", -3, 0 },
};
#define NDEVS (sizeof(devs) / sizeof(devs[0]))

/* Parses rel: "" (the directory), a device (index), or "fd/N".
 * Returns the index, DEV_ROOT for /dev itself, DEV_FD for fd/N (with *fd),
 * or -ENOENT (the two are far from any errno). */
#define DEV_ROOT (-1000)
#define DEV_FD (-1001)
static long lookup(const char *rel, int *fd)
{
	if (!*rel)
		return DEV_ROOT;
	if (rt_startswith(rel, "fd/")) {
		uint64_t v;
		const char *e = rt_parse_u64(rel + 3, &v);
		if (!e || *e || v >= LIBOS_FD_MAX)
			return -ENOENT;
		*fd = (int)v;
		return DEV_FD;
	}
	for (size_t i = 0; i < NDEVS; i++)
		if (!strcmp(rel, devs[i].name))
			return (long)i;
	return -ENOENT;
}

static long dfs_open(struct fs_path *p, int flags, unsigned mode, struct libos_file **out)
{
	int fd = 0;
	(void)mode;
	long i = lookup(p->rel, &fd);
	if (i == -ENOENT)
		return (flags & O_CREAT) ? -EACCES : -ENOENT;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (i == DEV_ROOT) {
		struct fs_dirent ents[NDEVS];
		for (size_t k = 0; k < NDEVS; k++) {
			ents[k].name = devs[k].name;
			ents[k].type = devs[k].kind == -1 ? DT_LNK : devs[k].kind < -1 ? DT_DIR : DT_CHR;
			ents[k].ino = 0;
		}
		return fs_synth_dir_open(ents, NDEVS, flags, "/dev", S_IFDIR | 0755, 0x64657600, out);
	}
	if (i == DEV_FD)
		return fs_proc_fd_open(fd, flags, out);
	int kind = devs[i].kind;
	if (kind == -1)
		return fs_proc_fd_open(devs[i].fd, flags, out);
	if (kind == -2)
		return fs_proc_fd_dir_open(flags, "/dev/fd", out);
	if (kind == 1) {
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		if (libos_no_ctty)
			return -ENXIO;
		return fs_console_open(3, flags, out);
	}
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	struct libos_file *f = libos_file_new(&dev_ops, ((unsigned)flags & (O_ACCMODE | O_NONBLOCK |
							O_APPEND | O_PATH)), (void *)(uintptr_t)kind);
	if (!f)
		return -ENOMEM;
	f->path = libos_strdup(p->abs);
	*out = f;
	return 0;
}

static long dfs_stat(struct fs_path *p, struct stat *st, bool follow)
{
	int fd = 0;
	long i = lookup(p->rel, &fd);
	if (i == -ENOENT)
		return -ENOENT;
	if (i == DEV_ROOT) {
		fs_synth_stat(st, S_IFDIR | 0755, 0x64657600, 0, 0);
		return 0;
	}
	if (i == DEV_FD)
		return fs_proc_fd_stat(fd, st, follow);
	int kind = devs[i].kind;
	if (kind == -1 || (kind == -2 && !follow)) {
		if (follow)
			return fs_proc_fd_stat(devs[i].fd, st, true);
		fs_synth_stat(st, S_IFLNK | 0777, fs_hash(devs[i].name), 15, 0);
		return 0;
	}
	if (kind < -1) {
		fs_synth_stat(st, S_IFDIR | (kind == -3 ? 01777 : 0500), fs_hash(devs[i].name), 0, 0);
		return 0;
	}
	fs_synth_stat(st, S_IFCHR | 0666, (uint64_t)kind,
		      0, kind == 1 ? (5u << 8) : (1u << 8) | (unsigned)kind);
	return 0;
}

static long dfs_readlink(struct fs_path *p, char *buf, size_t size)
{
	int fd = 0;
	long i = lookup(p->rel, &fd);
	if (i == -ENOENT)
		return -ENOENT;
	if (i == DEV_FD)
		return fs_proc_fd_readlink(fd, buf, size);
	if (i >= 0 && devs[i].kind == -1)
		return rt_snprintf(buf, size, "/proc/self/fd/%d", devs[i].fd);
	if (i >= 0 && devs[i].kind == -2)
		return rt_snprintf(buf, size, "/proc/self/fd");
	return -EINVAL;
}

static long dfs_access(struct fs_path *p, int mode)
{
	struct stat st;
	long rc = dfs_stat(p, &st, true);
	if (rc < 0)
		return rc;
	if ((mode & 1) && !S_ISDIR(st.st_mode))
		return -EACCES;
	return 0;
}

const struct fs_type fs_dev = {
	.name = "devtmpfs",
	.magic = TMPFS_MAGIC,
	.open = dfs_open,
	.stat = dfs_stat,
	.readlink = dfs_readlink,
	.access = dfs_access,
};
