/*
 * Pipes: an in-process ring buffer (64 KiB, F_SETPIPE_SZ up to 1 MiB)
 * shared by the two ends.  Blocking waits on two notification events kept
 * equal to the state under the pipe's lock: `readable` (data, or no
 * writer left: EOF) and `writable` (room, or no reader left: EPIPE).
 * Writes of at most PIPE_BUF (4096) bytes are atomic.  A write with no
 * reader raises SIGPIPE and fails with EPIPE.  tee(2) copies between two
 * pipes' buffers under both locks.
 *
 * The buffer lives in this process's memory.  Before a fork, every pipe
 * the descriptor table holds becomes a host pipe (fs_pipes_share), which
 * the two processes then share; such a pipe keeps the host's capacity and
 * has no tee.
 *
 * Named pipes (FIFOs) are the host's (mkfifo makes one with DK_OPT_FIFO,
 * vfs.c), opened as "file:" streams (host.c): the host keeps the open
 * rules, the data and the ends, so every process of the sandbox meets at
 * the same FIFO.
 */
#include "fs.h"
#include <linux/poll.h>
#include <asm/ioctls.h>

#define PIPE_CAP 65536u
#define PIPE_MAX (1u << 20)
#define PIPE_ATOMIC 4096u

struct pipe {
	struct libos_lock lock;
	char *buf;
	size_t cap, head, count;
	int readers, writers, files;
	DK_HANDLE readable, writable;
	uint64_t ino;
	/* Counts of events, for edge-triggered epoll: data written or the
	 * last writer gone (in); data read or the last reader gone (out). */
	uint64_t in_seq, out_seq;
};

static void update(struct pipe *p) /* lock held */
{
	if (p->count || !p->writers)
		dk->DkEventSet(p->readable);
	else
		dk->DkEventClear(p->readable);
	if (p->count < p->cap || !p->readers)
		dk->DkEventSet(p->writable);
	else
		dk->DkEventClear(p->writable);
}

static bool can_read(struct libos_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(struct libos_file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static long pipe_read(struct libos_file *f, void *buf, size_t n)
{
	struct pipe *p = f->priv;
	if (!n)
		return 0;
	for (;;) {
		libos_lock(&p->lock);
		if (p->count) {
			size_t take = n < p->count ? n : p->count, done = 0;
			long rc = 0;
			while (done < take) {
				size_t seg = p->cap - p->head;
				if (seg > take - done)
					seg = take - done;
				if (fs_to_user((char *)buf + done, p->buf + p->head, seg) < 0) {
					rc = -EFAULT;
					break;
				}
				p->head = (p->head + seg) % p->cap;
				p->count -= seg;
				done += seg;
			}
			if (!p->count)
				p->head = 0;
			if (done)
				__atomic_add_fetch(&p->out_seq, 1, __ATOMIC_RELEASE);
			update(p);
			libos_unlock(&p->lock);
			return done ? (long)done : rc;
		}
		bool eof = !p->writers;
		DK_HANDLE ev = p->readable;
		libos_unlock(&p->lock);
		if (eof)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long w = libos_wait(1, &ev, -1);
		if (w == -EINTR)
			return fs_intr();
		if (w < 0 && w != -ETIMEDOUT)
			return w;
	}
}

static long pipe_write(struct libos_file *f, const void *buf, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	if (!n)
		return 0;
	for (;;) {
		libos_lock(&p->lock);
		if (!p->readers) {
			libos_unlock(&p->lock);
			libos_signal_send(libos_current(), 13 /* SIGPIPE */, NULL);
			return done ? (long)done : -EPIPE;
		}
		size_t room = p->cap - p->count, left = n - done;
		/* A write of at most PIPE_BUF goes in whole or waits. */
		if (room && (left > PIPE_ATOMIC || room >= left)) {
			size_t put = left < room ? left : room, k = 0;
			while (k < put) {
				size_t tail = (p->head + p->count) % p->cap;
				size_t seg = p->cap - tail;
				if (seg > put - k)
					seg = put - k;
				if (fs_from_user(p->buf + tail, (const char *)buf + done + k, seg) < 0) {
					update(p);
					libos_unlock(&p->lock);
					done += k;
					return done ? (long)done : -EFAULT;
				}
				p->count += seg;
				k += seg;
			}
			done += put;
			__atomic_add_fetch(&p->in_seq, 1, __ATOMIC_RELEASE);
			update(p);
			if (done == n) {
				libos_unlock(&p->lock);
				return (long)n;
			}
		}
		DK_HANDLE ev = p->writable;
		libos_unlock(&p->lock);
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		long w = libos_wait(1, &ev, -1);
		if (w == -EINTR)
			return done ? (long)done : fs_intr();
		if (w < 0 && w != -ETIMEDOUT)
			return done ? (long)done : w;
	}
}

static long pipe_seek(struct libos_file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return -ESPIPE;
}

static long pipe_stat(struct libos_file *f, void *kst)
{
	struct pipe *p = f->priv;
	fs_synth_stat(kst, S_IFIFO | 0600, p->ino, 0, 0);
	((struct stat *)kst)->st_dev = 0xd;  /* pipefs */
	return 0;
}

static long pipe_ioctl(struct libos_file *f, unsigned long cmd, unsigned long arg)
{
	struct pipe *p = f->priv;
	if (cmd == FIONREAD) {
		libos_lock(&p->lock);
		int v = (int)p->count;
		libos_unlock(&p->lock);
		return fs_to_user((void *)arg, &v, sizeof(v));
	}
	return -ENOTTY;
}

static int pipe_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct pipe *p = f->priv;
	int mask = 0;
	libos_lock(&p->lock);
	if (can_read(f)) {
		if (p->count)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers)
			mask |= POLLHUP;
	}
	if (can_write(f)) {
		if (p->count < p->cap)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	*wait = can_read(f) ? p->readable : p->writable;
	if (can_read(f) && can_write(f) && (mask & POLLIN))
		*wait = p->writable;
	libos_unlock(&p->lock);
	return mask;
}

static void pipe_free(struct pipe *p)
{
	dk->DkObjectClose(p->readable);
	dk->DkObjectClose(p->writable);
	if (p->lock.event)
		dk->DkObjectClose(p->lock.event);
	libos_free(p->buf);
	libos_free(p);
}

static void pipe_release(struct libos_file *f)
{
	struct pipe *p = f->priv;
	libos_lock(&p->lock);
	if (can_read(f) && !--p->readers)
		__atomic_add_fetch(&p->out_seq, 1, __ATOMIC_RELEASE);
	if (can_write(f) && !--p->writers)
		__atomic_add_fetch(&p->in_seq, 1, __ATOMIC_RELEASE);
	int left = --p->files;
	if (left)
		update(p);
	libos_unlock(&p->lock);
	if (!left)
		pipe_free(p);
}

const struct libos_file_ops fs_pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.seek = pipe_seek,
	.stat = pipe_stat,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = pipe_release,
};

/* A new end on p (p->lock not held).  acc: O_RDONLY/O_WRONLY/O_RDWR. */
static struct libos_file *new_end(struct pipe *p, unsigned acc, unsigned flags)
{
	struct libos_file *f = libos_file_new(&fs_pipe_ops, acc | (flags & O_NONBLOCK), p);
	if (!f)
		return NULL;
	libos_lock(&p->lock);
	if (acc != O_WRONLY)
		p->readers++;
	if (acc != O_RDONLY)
		p->writers++;
	p->files++;
	update(p);
	libos_unlock(&p->lock);
	return f;
}

void fs_pipe_seq(struct libos_file *f, uint64_t *in, uint64_t *out)
{
	struct pipe *p = f->priv;
	*in = __atomic_load_n(&p->in_seq, __ATOMIC_ACQUIRE);
	*out = __atomic_load_n(&p->out_seq, __ATOMIC_ACQUIRE);
}

long fs_pipe_reopen(struct libos_file *f, int flags, struct libos_file **out)
{
	struct libos_file *n = new_end(f->priv, (unsigned)flags & O_ACCMODE, (unsigned)flags);
	if (!n)
		return -ENOMEM;
	*out = n;
	return 0;
}

long fs_pipe_size(struct libos_file *f, long set)
{
	struct pipe *p = f->priv;
	long rc;
	/* A host pipe keeps the host's capacity, 64 KiB; a request is
	 * answered as Linux rounds it, without changing anything. */
	if (f->ops != &fs_pipe_ops) {
		size_t cap = set < 65536 ? 65536 : ((size_t)set + 4095) & ~(size_t)4095;
		return set > (1l << 20) ? -EPERM : (long)cap;
	}
	libos_lock(&p->lock);
	if (set < 0) {
		rc = (long)p->cap;
	} else {
		size_t cap = set < 4096 ? 4096 : ((size_t)set + 4095) & ~(size_t)4095;
		size_t pow = 4096;
		while (pow < cap)
			pow *= 2;
		cap = pow;
		if (cap > PIPE_MAX) {
			rc = -EPERM;
		} else if (cap < p->count) {
			rc = -EBUSY;
		} else {
			char *nb = libos_alloc(cap);
			if (!nb) {
				rc = -ENOMEM;
			} else {
				for (size_t i = 0; i < p->count; i++)
					nb[i] = p->buf[(p->head + i) % p->cap];
				libos_free(p->buf);
				p->buf = nb;
				p->cap = cap;
				p->head = 0;
				update(p);
				rc = (long)cap;
			}
		}
	}
	libos_unlock(&p->lock);
	return rc;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = libos_alloc(sizeof(*p));
	if (!p)
		return NULL;
	p->cap = PIPE_CAP;
	p->buf = libos_alloc(p->cap);
	if (!p->buf || dk->DkNotificationEventCreate(0, &p->readable) < 0) {
		libos_free(p->buf);
		libos_free(p);
		return NULL;
	}
	if (dk->DkNotificationEventCreate(1, &p->writable) < 0) {
		dk->DkObjectClose(p->readable);
		libos_free(p->buf);
		libos_free(p);
		return NULL;
	}
	p->ino = fs_next_ino();
	return p;
}

static long do_pipe2(int *ufds, long flags)
{
	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct pipe *p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	struct libos_file *r = new_end(p, O_RDONLY, (unsigned)flags);
	if (!r) {
		p->files = 1; /* release the pipe through a dummy end */
		pipe_release(&(struct libos_file){ .priv = p, .flags = 3 });
		return -ENOMEM;
	}
	struct libos_file *w = new_end(p, O_WRONLY, (unsigned)flags);
	if (!w) {
		libos_file_put(r);
		return -ENOMEM;
	}
	int fds[2];
	fds[0] = libos_fd_install(r, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		libos_file_put(r);
		libos_file_put(w);
		return fds[0];
	}
	fds[1] = libos_fd_install(w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		libos_fd_close(fds[0]);
		libos_file_put(w);
		return fds[1];
	}
	if (fs_to_user(ufds, fds, sizeof(fds)) < 0) {
		libos_fd_close(fds[0]);
		libos_fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* ---- tee: copies what one pipe holds into another, consuming nothing ---------------- */

static void lock_two(struct pipe *a, struct pipe *b)
{
	if (a > b) {
		struct pipe *t = a;
		a = b;
		b = t;
	}
	libos_lock(&a->lock);
	libos_lock(&b->lock);
}

static void unlock_two(struct pipe *a, struct pipe *b)
{
	libos_unlock(&a->lock);
	libos_unlock(&b->lock);
}

static long do_tee(struct libos_file *fin, struct libos_file *fout, size_t len, bool nonblock)
{
	struct pipe *in = fin->priv, *out = fout->priv;
	if (in == out)
		return -EINVAL;
	if (!can_read(fin) || !can_write(fout))
		return -EBADF;
	if (!len)
		return 0;
	nonblock = nonblock || (fin->flags & O_NONBLOCK) || (fout->flags & O_NONBLOCK);
	for (;;) {
		DK_HANDLE ev;
		lock_two(in, out);
		if (!in->count) {
			bool eof = !in->writers;
			ev = in->readable;
			unlock_two(in, out);
			if (eof)
				return 0;
		} else if (!out->readers) {
			unlock_two(in, out);
			libos_signal_send(libos_current(), 13 /* SIGPIPE */, NULL);
			return -EPIPE;
		} else if (out->count == out->cap) {
			ev = out->writable;
			unlock_two(in, out);
		} else {
			size_t n = in->count, room = out->cap - out->count;
			if (n > room)
				n = room;
			if (n > len)
				n = len;
			for (size_t i = 0; i < n;) {
				size_t from = (in->head + i) % in->cap;
				size_t to = (out->head + out->count) % out->cap;
				size_t seg = n - i;
				if (seg > in->cap - from)
					seg = in->cap - from;
				if (seg > out->cap - to)
					seg = out->cap - to;
				memcpy(out->buf + to, in->buf + from, seg);
				out->count += seg;
				i += seg;
			}
			__atomic_add_fetch(&out->in_seq, 1, __ATOMIC_RELEASE);
			update(out);
			unlock_two(in, out);
			return (long)n;
		}
		if (nonblock)
			return -EAGAIN;
		long w = libos_wait(1, &ev, -1);
		if (w == -EINTR)
			return fs_intr();
		if (w < 0 && w != -ETIMEDOUT)
			return w;
	}
}

LIBOS_SYSCALL(tee)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	if (a3 & ~0xfl)
		return -EINVAL;
	struct libos_file *in = libos_fd_get((int)a0), *out = libos_fd_get((int)a1);
	long rc;
	if (!in || !out)
		rc = -EBADF;
	else if (in->ops != &fs_pipe_ops || out->ops != &fs_pipe_ops)
		rc = -EINVAL;
	else
		rc = do_tee(in, out, (size_t)a2, a3 & 2 /* SPLICE_F_NONBLOCK */);
	if (in)
		libos_file_put(in);
	if (out)
		libos_file_put(out);
	return rc;
}

LIBOS_SYSCALL(pipe)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_pipe2((int *)a0, 0);
}

LIBOS_SYSCALL(pipe2)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_pipe2((int *)a0, a1);
}

/* ---- before fork: pipes become host pipes ------------------------------------------
 * A pipe's ring buffer would be copied into the child, not shared, so each
 * anonymous pipe in the descriptor table moves to a host pipe: its
 * buffered bytes go in first (at most the host pipe's 64 KiB; more is
 * lost, and logged), and each end's open file becomes a host file in
 * place, so its descriptors and epoll entries stay.  Named pipes stay in
 * the process.  A thread blocked in the old pipe at that moment is not
 * moved (fork from a multi-threaded program is rare and racy anyway). */
static bool move_data(struct pipe *p, DK_HANDLE w)
{
	size_t n = p->count < PIPE_CAP ? p->count : PIPE_CAP;
	if (p->count > n)
		libos_log("fork: %zu bytes buffered in a pipe do not fit the host's; dropped",
			  p->count - n);
	for (size_t done = 0; done < n;) {
		size_t at = (p->head + done) % p->cap, len = p->cap - at;
		if (len > n - done)
			len = n - done;
		size_t cnt = len;
		if (dk->DkStreamWrite(w, 0, p->buf + at, &cnt) < 0 || !cnt)
			return false;
		done += cnt;
	}
	return true;
}

static void share_file(struct libos_file *f, DK_HANDLE ends[2])
{
	struct pipe *p = f->priv;
	DK_HANDLE h = can_write(f) ? ends[1] : ends[0];
	if (dk->DkObjectReference(h) < 0)
		return;
	if (fs_host_adopt(f, h, DK_STREAM_PIPE) < 0) {
		dk->DkObjectClose(h);
		return;
	}
	libos_lock(&p->lock);
	int left = --p->files;
	libos_unlock(&p->lock);
	if (!left)
		pipe_free(p);
}

/* Moves f's pipe, every end of it in the table, to one host pipe. */
static long share_pipe(struct libos_file *f)
{
	struct pipe *p = f->priv;
	DK_HANDLE ends[2];
	int rc = dk->DkStreamPipeCreate(0, &ends[0], &ends[1]);
	if (rc < 0)
		return libos_errno(rc);
	libos_lock(&p->lock);
	bool ok = move_data(p, ends[1]);
	libos_unlock(&p->lock);
	struct libos_file *g;
	for (int i = libos_fd_next(0, &g); ok && i >= 0; i = libos_fd_next(i + 1, &g)) {
		if (g->ops == &fs_pipe_ops && g->priv == p)
			share_file(g, ends);
		libos_file_put(g);
	}
	dk->DkObjectClose(ends[0]);
	dk->DkObjectClose(ends[1]);
	return ok ? 0 : -EIO;
}

void fs_pipes_share(void)
{
	struct libos_file *f;
	for (int fd = libos_fd_next(0, &f); fd >= 0; fd = libos_fd_next(fd + 1, &f)) {
		long rc = f->ops == &fs_pipe_ops ? share_pipe(f) : 0;
		libos_file_put(f);
		if (rc < 0)
			return;
	}
}

long fs_pipe_share(struct libos_file *f)
{
	if (f->ops != &fs_pipe_ops)
		return 0;
	/* An end in flight only (not in the table) stays in the process. */
	long rc = share_pipe(f);
	return rc < 0 ? rc : f->ops == &fs_pipe_ops ? -EOPNOTSUPP : 0;
}
