/*
 * Anonymous files: eventfd, timerfd, signalfd, memfd.
 *
 *   - eventfd: a counter with two notification events (readable, writable).
 *   - timerfd: expiries are computed from the clock when asked; a blocked
 *     read waits with a timeout until the next expiry, and poll/epoll cap
 *     their wait at it (fs_timerfd_deadline).  Realtime timers are kept on
 *     the monotonic timeline (a later change of the realtime clock is not
 *     followed; TFD_TIMER_CANCEL_ON_SET never fires).
 *   - signalfd: takes signals through signal.c's libos_signal_dequeue, or
 *     its rt_sigtimedwait with a zero timeout while it has none; it waits
 *     on the thread's wake event as rt_sigtimedwait does.
 *   - memfd: an unlinked host file in /tmp (a tmpfs in the default view),
 *     so MAP_SHARED mappings are real shared mappings (mm.c maps its
 *     stream) and reads, writes and sizes are the host's.  Seals are kept
 *     here and enforced on write, truncate and new shared writable
 *     mappings (libos_file_mmap_check, asked by mm.c); not on existing
 *     ones: F_SEAL_WRITE with a shared writable mapping open succeeds,
 *     where Linux gives EBUSY, and mprotect may still add PROT_WRITE.
 */
#include "fs.h"
#include <linux/poll.h>
#include <linux/signalfd.h>
#include <linux/timerfd.h>
#include <linux/memfd.h>

__attribute__((weak, visibility("hidden"))) int libos_signal_dequeue(struct libos_thread *t, uint64_t mask,
					       struct libos_siginfo *info);
__attribute__((weak, visibility("hidden"))) uint64_t libos_signal_pending_set(struct libos_thread *t);

static long anon_seek(struct libos_file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return -ESPIPE;
}

static long anon_stat(struct libos_file *f, void *kst)
{
	fs_synth_stat(kst, 0600, ((uintptr_t)f >> 4) & 0xffffffff, 0, 0);
	((struct stat *)kst)->st_dev = 0xe; /* anon_inodefs */
	return 0;
}

static long wait_or_intr(DK_HANDLE h, int64_t timeout)
{
	long w = libos_wait(h ? 1 : 0, &h, timeout);
	return w == -EINTR ? fs_intr() : 0;
}

/* ---- eventfd ---------------------------------------------------------------------------- */

#define EFD_SEMAPHORE 1

struct eventfd {
	struct libos_lock lock;
	uint64_t count;
	bool semaphore;
	DK_HANDLE readable, writable;
	uint64_t in_seq, out_seq; /* writes, reads: for edge-triggered epoll */
};

static void efd_update(struct eventfd *e)
{
	if (e->count)
		dk->DkEventSet(e->readable);
	else
		dk->DkEventClear(e->readable);
	if (e->count < UINT64_MAX - 1)
		dk->DkEventSet(e->writable);
	else
		dk->DkEventClear(e->writable);
}

/* Runs step under the lock until it goes ahead (it returns 0 while it would
 * block), sleeping on ev in between unless the file is non-blocking. */
static long efd_retry(struct libos_file *f, DK_HANDLE ev, long (*step)(struct eventfd *, void *),
		      void *arg)
{
	struct eventfd *e = f->priv;
	for (;;) {
		libos_lock(&e->lock);
		long rc = step(e, arg);
		libos_unlock(&e->lock);
		if (rc)
			return rc;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_or_intr(ev, -1);
		if (rc < 0)
			return rc;
	}
}

static long efd_take(struct eventfd *e, void *buf)
{
	if (!e->count)
		return 0;
	uint64_t v = e->semaphore ? 1 : e->count;
	if (fs_to_user(buf, &v, 8) < 0)
		return -EFAULT;
	e->count -= v;
	__atomic_add_fetch(&e->out_seq, 1, __ATOMIC_RELEASE);
	efd_update(e);
	return 8;
}

static long efd_read(struct libos_file *f, void *buf, size_t n)
{
	struct eventfd *e = f->priv;
	if (n < 8)
		return -EINVAL;
	return efd_retry(f, e->readable, efd_take, buf);
}

static long efd_add(struct eventfd *e, void *arg)
{
	uint64_t v = *(const uint64_t *)arg;
	if (UINT64_MAX - 1 - e->count < v)
		return 0;
	e->count += v;
	__atomic_add_fetch(&e->in_seq, 1, __ATOMIC_RELEASE);
	efd_update(e);
	return 8;
}

static long efd_write(struct libos_file *f, const void *buf, size_t n)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (n < 8)
		return -EINVAL;
	if (fs_from_user(&v, buf, 8) < 0)
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	return efd_retry(f, e->writable, efd_add, &v);
}

static int efd_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct eventfd *e = f->priv;
	int m = 0;
	libos_lock(&e->lock);
	if (e->count)
		m |= POLLIN | POLLRDNORM;
	if (e->count < UINT64_MAX - 1)
		m |= POLLOUT | POLLWRNORM;
	libos_unlock(&e->lock);
	*wait = (m & POLLIN) ? e->writable : e->readable;
	return m;
}

void fs_eventfd_seq(struct libos_file *f, uint64_t *in, uint64_t *out)
{
	struct eventfd *e = f->priv;
	*in = __atomic_load_n(&e->in_seq, __ATOMIC_ACQUIRE);
	*out = __atomic_load_n(&e->out_seq, __ATOMIC_ACQUIRE);
}

static void efd_release(struct libos_file *f)
{
	struct eventfd *e = f->priv;
	dk->DkObjectClose(e->readable);
	dk->DkObjectClose(e->writable);
	if (e->lock.event)
		dk->DkObjectClose(e->lock.event);
	libos_free(e);
}

const struct libos_file_ops fs_eventfd_ops = {
	.read = efd_read,
	.write = efd_write,
	.seek = anon_seek,
	.stat = anon_stat,
	.poll = efd_poll,
	.release = efd_release,
};

static long do_eventfd(unsigned initval, long flags)
{
	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct eventfd *e = libos_alloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (dk->DkNotificationEventCreate(0, &e->readable) < 0) {
		libos_free(e);
		return -ENOMEM;
	}
	if (dk->DkNotificationEventCreate(0, &e->writable) < 0) {
		dk->DkObjectClose(e->readable);
		libos_free(e);
		return -ENOMEM;
	}
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	efd_update(e);
	struct libos_file *f = libos_file_new(&fs_eventfd_ops, O_RDWR | ((unsigned)flags & O_NONBLOCK), e);
	if (!f) {
		efd_release(&(struct libos_file){ .priv = e });
		return -ENOMEM;
	}
	return fs_install(f, 0, flags & O_CLOEXEC);
}

LIBOS_SYSCALL(eventfd)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	return do_eventfd((unsigned)a0, 0);
}

LIBOS_SYSCALL(eventfd2)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return do_eventfd((unsigned)a0, a1);
}

/* ---- timerfd ------------------------------------------------------------------------------ */

struct ktimespec { int64_t tv_sec, tv_nsec; };
struct kitimerspec { struct ktimespec interval, value; };

struct timerfd {
	struct libos_lock lock;
	int clock;
	uint64_t next;      /* monotonic ns of the next expiry, 0: disarmed */
	uint64_t interval;
	uint64_t ticks;     /* expiries not yet read */
	DK_HANDLE changed;  /* synchronization event: settime happened */
};

static void tfd_advance(struct timerfd *t, uint64_t now) /* lock held */
{
	if (!t->next || now < t->next)
		return;
	if (t->interval) {
		uint64_t k = (now - t->next) / t->interval + 1;
		t->ticks += k;
		t->next += k * t->interval;
	} else {
		t->ticks++;
		t->next = 0;
	}
}

uint64_t fs_timerfd_deadline(struct libos_file *f)
{
	struct timerfd *t = f->priv;
	libos_lock(&t->lock);
	uint64_t d = t->ticks ? 0 : t->next;
	libos_unlock(&t->lock);
	return d;
}

static long tfd_read(struct libos_file *f, void *buf, size_t n)
{
	struct timerfd *t = f->priv;
	if (n < 8)
		return -EINVAL;
	for (;;) {
		uint64_t now = fs_now_ns(DK_CLOCK_MONOTONIC);
		libos_lock(&t->lock);
		tfd_advance(t, now);
		if (t->ticks) {
			uint64_t v = t->ticks;
			if (fs_to_user(buf, &v, 8) < 0) {
				libos_unlock(&t->lock);
				return -EFAULT;
			}
			t->ticks = 0;
			libos_unlock(&t->lock);
			return 8;
		}
		uint64_t next = t->next;
		libos_unlock(&t->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long rc = wait_or_intr(t->changed, next ? (int64_t)(next > now ? next - now : 0) : -1);
		if (rc < 0)
			return rc;
	}
}

static int tfd_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct timerfd *t = f->priv;
	uint64_t now = fs_now_ns(DK_CLOCK_MONOTONIC);
	libos_lock(&t->lock);
	tfd_advance(t, now);
	int m = t->ticks ? POLLIN | POLLRDNORM : 0;
	libos_unlock(&t->lock);
	*wait = DK_HANDLE_NONE; /* the deadline caps the wait (poll.c) */
	return m;
}

static void tfd_release(struct libos_file *f)
{
	struct timerfd *t = f->priv;
	dk->DkObjectClose(t->changed);
	if (t->lock.event)
		dk->DkObjectClose(t->lock.event);
	libos_free(t);
}

const struct libos_file_ops fs_timerfd_ops = {
	.read = tfd_read,
	.seek = anon_seek,
	.stat = anon_stat,
	.poll = tfd_poll,
	.release = tfd_release,
};

static bool valid_clock(long c)
{
	return c == 0 || c == 1 || c == 7 || c == 8 || c == 9; /* REALTIME MONOTONIC BOOTTIME *_ALARM */
}

LIBOS_SYSCALL(timerfd_create)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if (!valid_clock(a0))
		return -EINVAL;
	if (a1 & ~(long)(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	struct timerfd *t = libos_alloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (dk->DkSynchronizationEventCreate(0, &t->changed) < 0) {
		libos_free(t);
		return -ENOMEM;
	}
	t->clock = (int)a0;
	struct libos_file *f = libos_file_new(&fs_timerfd_ops, O_RDWR | ((unsigned)a1 & O_NONBLOCK), t);
	if (!f) {
		tfd_release(&(struct libos_file){ .priv = t });
		return -ENOMEM;
	}
	return fs_install(f, 0, a1 & TFD_CLOEXEC);
}

static struct timerfd *tfd_get(long fd, struct libos_file **fp)
{
	struct libos_file *f = libos_fd_get((int)fd);
	*fp = f;
	if (!f)
		return NULL;
	if (f->ops != &fs_timerfd_ops) {
		libos_file_put(f);
		*fp = NULL;
		return (void *)1;
	}
	return f->priv;
}

static void ns_to_ts(uint64_t ns, struct ktimespec *ts)
{
	ts->tv_sec = (int64_t)(ns / 1000000000u);
	ts->tv_nsec = (int64_t)(ns % 1000000000u);
}

static void current_value(struct timerfd *t, uint64_t now, struct kitimerspec *out)
{
	memset(out, 0, sizeof(*out));
	tfd_advance(t, now);
	ns_to_ts(t->interval, &out->interval);
	if (t->next)
		ns_to_ts(t->next > now ? t->next - now : 1, &out->value);
}

LIBOS_SYSCALL(timerfd_settime)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	struct kitimerspec nv, ov;
	struct libos_file *f;
	if (a1 & ~(long)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (fs_from_user(&nv, (const void *)a2, sizeof(nv)) < 0)
		return -EFAULT;
	if (nv.value.tv_sec < 0 || nv.value.tv_nsec < 0 || nv.value.tv_nsec >= 1000000000 ||
	    nv.interval.tv_sec < 0 || nv.interval.tv_nsec < 0 || nv.interval.tv_nsec >= 1000000000)
		return -EINVAL;
	struct timerfd *t = tfd_get(a0, &f);
	if (!t)
		return -EBADF;
	if (!f)
		return -EINVAL;
	uint64_t now = fs_now_ns(DK_CLOCK_MONOTONIC);
	uint64_t value = (uint64_t)nv.value.tv_sec * 1000000000u + (uint64_t)nv.value.tv_nsec;
	libos_lock(&t->lock);
	current_value(t, now, &ov);
	t->ticks = 0;
	t->interval = (uint64_t)nv.interval.tv_sec * 1000000000u + (uint64_t)nv.interval.tv_nsec;
	if (!value) {
		t->next = 0;
	} else if (a1 & TFD_TIMER_ABSTIME) {
		uint64_t base = t->clock == 0 || t->clock == 8 ? fs_now_ns(DK_CLOCK_REALTIME) : now;
		t->next = value > base ? now + (value - base) : now;
		if (!t->next)
			t->next = 1;
	} else {
		t->next = now + value;
	}
	libos_unlock(&t->lock);
	dk->DkEventSet(t->changed);
	libos_file_put(f);
	if (a3 && fs_to_user((void *)a3, &ov, sizeof(ov)) < 0)
		return -EFAULT;
	return 0;
}

LIBOS_SYSCALL(timerfd_gettime)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct kitimerspec cv;
	struct libos_file *f;
	struct timerfd *t = tfd_get(a0, &f);
	if (!t)
		return -EBADF;
	if (!f)
		return -EINVAL;
	libos_lock(&t->lock);
	current_value(t, fs_now_ns(DK_CLOCK_MONOTONIC), &cv);
	libos_unlock(&t->lock);
	libos_file_put(f);
	return fs_to_user((void *)a1, &cv, sizeof(cv));
}

/* ---- signalfd ------------------------------------------------------------------------------ */

#define UNBLOCKABLE ((1ull << 8) | (1ull << 18)) /* SIGKILL, SIGSTOP */

struct signalfd {
	uint64_t mask;
};

static void to_ssi(const struct libos_siginfo *i, struct signalfd_siginfo *s)
{
	memset(s, 0, sizeof(*s));
	s->ssi_signo = (uint32_t)i->si_signo;
	s->ssi_errno = i->si_errno;
	s->ssi_code = i->si_code;
	switch (i->si_signo) {
	case 17: /* SIGCHLD */
		s->ssi_pid = (uint32_t)i->u.chld.pid;
		s->ssi_uid = i->u.chld.uid;
		s->ssi_status = i->u.chld.status;
		s->ssi_utime = (uint64_t)i->u.chld.utime;
		s->ssi_stime = (uint64_t)i->u.chld.stime;
		return;
	case 4: case 5: case 7: case 8: case 11: /* ILL TRAP BUS FPE SEGV */
		if (i->si_code > 0) {
			s->ssi_addr = i->u.fault.addr;
			s->ssi_addr_lsb = (uint16_t)i->u.fault.addr_lsb;
			return;
		}
		break;
	case 29: /* SIGIO */
		if (i->si_code > 0) {
			s->ssi_band = (uint32_t)i->u.poll.band;
			s->ssi_fd = i->u.poll.fd;
			return;
		}
		break;
	}
	if (i->si_code == LIBOS_SI_TIMER) {
		s->ssi_tid = (uint32_t)i->u.timer.tid;
		s->ssi_overrun = (uint32_t)i->u.timer.overrun;
		s->ssi_ptr = i->u.timer.value;
		s->ssi_int = (int32_t)i->u.timer.value;
		return;
	}
	s->ssi_pid = (uint32_t)i->u.kill.pid;
	s->ssi_uid = i->u.kill.uid;
	s->ssi_ptr = i->u.kill.value;
	s->ssi_int = (int32_t)i->u.kill.value;
}

/* One signal in mask pending for the calling thread t (or the process):
 * signal.c's libos_signal_dequeue when it has one, else its
 * rt_sigtimedwait with a zero timeout (library OS pointers are fine for
 * it: the user copies only guard against faults). */
static int sfd_dequeue(struct libos_thread *t, uint64_t mask, struct libos_siginfo *info)
{
	if (libos_signal_dequeue)
		return libos_signal_dequeue(t, mask, info);
	struct { int64_t sec, nsec; } zero = { 0, 0 };
	if (!mask)
		return 0;
	long r = libos_syscall(__NR_rt_sigtimedwait, (long)&mask, (long)info, (long)&zero, 8, 0, 0);
	return r > 0 ? (int)r : 0;
}

/* The signals pending for t or the process (signal.c's rt_sigpending
 * reports only the blocked ones; the others are delivered anyway). */
static uint64_t sfd_pending(struct libos_thread *t)
{
	if (libos_signal_pending_set)
		return libos_signal_pending_set(t);
	uint64_t set = 0;
	libos_syscall(__NR_rt_sigpending, (long)&set, 8, 0, 0, 0, 0);
	return set | __atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE);
}

static long sfd_read(struct libos_file *f, void *buf, size_t n)
{
	struct signalfd *sf = f->priv;
	struct libos_thread *t = libos_current();
	size_t done = 0;
	if (n < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	for (;;) {
		while (done + sizeof(struct signalfd_siginfo) <= n) {
			struct libos_siginfo info;
			struct signalfd_siginfo ssi;
			int sig = sfd_dequeue(t, __atomic_load_n(&sf->mask, __ATOMIC_RELAXED), &info);
			if (!sig)
				break;
			to_ssi(&info, &ssi);
			if (fs_to_user((char *)buf + done, &ssi, sizeof(ssi)) < 0)
				return done ? (long)done : -EFAULT;
			done += sizeof(ssi);
		}
		if (done)
			return (long)done;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (libos_signal_pending(t))
			return fs_intr();
		/* The signals read are blocked: libos_wait would not count them. */
		int rc = dk->DkObjectsWaitAny(1, &t->wake, DK_WAIT_INFINITE, NULL);
		if (rc < 0 && rc != -DK_E_INTERRUPTED && rc != -DK_E_TIMEOUT)
			return libos_errno(rc);
	}
}

static int sfd_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct signalfd *sf = f->priv;
	struct libos_thread *t = libos_current();
	uint64_t pend = sfd_pending(t);
	*wait = t->wake;
	return (pend & sf->mask) ? POLLIN | POLLRDNORM : 0;
}

static void sfd_release(struct libos_file *f)
{
	libos_free(f->priv);
}

const struct libos_file_ops fs_signalfd_ops = {
	.read = sfd_read,
	.seek = anon_seek,
	.stat = anon_stat,
	.poll = sfd_poll,
	.release = sfd_release,
};

static long do_signalfd(int fd, const void *umask, size_t size, long flags)
{
	uint64_t mask;
	if (size != 8)
		return -EINVAL;
	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (fs_from_user(&mask, umask, 8) < 0)
		return -EFAULT;
	mask &= ~UNBLOCKABLE;
	if (fd != -1) {
		struct libos_file *f = libos_fd_get((int)fd);
		if (!f)
			return -EBADF;
		long rc = -EINVAL;
		if (f->ops == &fs_signalfd_ops) {
			__atomic_store_n(&((struct signalfd *)f->priv)->mask, mask, __ATOMIC_RELAXED);
			rc = fd;
		}
		libos_file_put(f);
		return rc;
	}
	struct signalfd *sf = libos_alloc(sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	sf->mask = mask;
	struct libos_file *f = libos_file_new(&fs_signalfd_ops, O_RDWR | ((unsigned)flags & O_NONBLOCK), sf);
	if (!f) {
		libos_free(sf);
		return -ENOMEM;
	}
	return fs_install(f, 0, flags & O_CLOEXEC);
}

LIBOS_SYSCALL(signalfd)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_signalfd((int)a0, (const void *)a1, (size_t)a2, 0);
}

LIBOS_SYSCALL(signalfd4)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_signalfd((int)a0, (const void *)a1, (size_t)a2, a3);
}

/* ---- memfd ---------------------------------------------------------------------------------- */

struct memfd {
	struct libos_file *host;
	unsigned seals;
	char name[280]; /* "/memfd:NAME (deleted)" */
};

#define MEMFD(f) ((struct memfd *)(f)->priv)

static long seal_check(struct libos_file *f, uint64_t end, bool write)
{
	struct memfd *m = MEMFD(f);
	unsigned s = __atomic_load_n(&m->seals, __ATOMIC_ACQUIRE);
	if (!s)
		return 0;
	if (write && (s & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	struct stat st;
	long rc = fs_stat_file(m->host, &st);
	if (rc < 0)
		return rc;
	if ((s & F_SEAL_GROW) && end > (uint64_t)st.st_size)
		return -EPERM;
	if (!write && (s & F_SEAL_SHRINK) && end < (uint64_t)st.st_size)
		return -EPERM;
	return 0;
}

static long mfd_read(struct libos_file *f, void *buf, size_t n)
{
	struct libos_file *h = MEMFD(f)->host;
	return h->ops->read(h, buf, n);
}

static long mfd_write(struct libos_file *f, const void *buf, size_t n)
{
	struct libos_file *h = MEMFD(f)->host;
	long rc = seal_check(f, h->pos + n, true);
	return rc < 0 ? rc : h->ops->write(h, buf, n);
}

static long mfd_pread(struct libos_file *f, void *buf, size_t n, uint64_t off)
{
	struct libos_file *h = MEMFD(f)->host;
	return h->ops->pread(h, buf, n, off);
}

static long mfd_pwrite(struct libos_file *f, const void *buf, size_t n, uint64_t off)
{
	struct libos_file *h = MEMFD(f)->host;
	long rc = seal_check(f, off + n, true);
	return rc < 0 ? rc : h->ops->pwrite(h, buf, n, off);
}

static long mfd_seek(struct libos_file *f, int64_t off, int whence)
{
	struct libos_file *h = MEMFD(f)->host;
	return h->ops->seek(h, off, whence);
}

static long mfd_stat(struct libos_file *f, void *kst)
{
	struct libos_file *h = MEMFD(f)->host;
	long rc = h->ops->stat(h, kst);
	if (rc == 0)
		((struct stat *)kst)->st_nlink = 0;
	return rc;
}

static long mfd_truncate(struct libos_file *f, uint64_t len)
{
	struct libos_file *h = MEMFD(f)->host;
	long rc = seal_check(f, len, false);
	return rc < 0 ? rc : h->ops->truncate(h, len);
}

static long mfd_fsync(struct libos_file *f)
{
	(void)f;
	return 0;
}

static int mfd_poll(struct libos_file *f, DK_HANDLE *wait)
{
	(void)f;
	*wait = DK_HANDLE_NONE;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static void mfd_release(struct libos_file *f)
{
	struct memfd *m = MEMFD(f);
	libos_file_put(m->host);
	libos_free(m);
}

const struct libos_file_ops fs_memfd_ops = {
	.read = mfd_read,
	.write = mfd_write,
	.pread = mfd_pread,
	.pwrite = mfd_pwrite,
	.seek = mfd_seek,
	.stat = mfd_stat,
	.truncate = mfd_truncate,
	.fsync = mfd_fsync,
	.poll = mfd_poll,
	.release = mfd_release,
};

long libos_file_mmap_check(struct libos_file *f, int prot, bool shared)
{
	if (f->ops != &fs_memfd_ops || !shared || !(prot & 2 /* PROT_WRITE */))
		return 0;
	unsigned s = __atomic_load_n(&MEMFD(f)->seals, __ATOMIC_ACQUIRE);
	return (s & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ? -EPERM : 0;
}

DK_HANDLE fs_memfd_stream(struct libos_file *f)
{
	return libos_file_stream(MEMFD(f)->host);
}

long fs_memfd_seals(struct libos_file *f, long add)
{
	struct memfd *m = MEMFD(f);
	if (add < 0)
		return m->seals;
	if (add & ~(long)(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EINVAL;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	unsigned old = __atomic_load_n(&m->seals, __ATOMIC_ACQUIRE);
	if (old & F_SEAL_SEAL)
		return -EPERM;
	__atomic_or_fetch(&m->seals, (unsigned)add, __ATOMIC_ACQ_REL);
	return 0;
}

LIBOS_SYSCALL(memfd_create)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	char name[256];
	char uri[96];
	unsigned flags = (unsigned)a1;
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | (0x3fu << 26) | 0x8u | 0x10u))
		return -EINVAL;
	long n = libos_copy_str_from_user(name, (const char *)a0, 250);
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	struct memfd *m = libos_alloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	rt_snprintf(m->name, sizeof(m->name), "/memfd:%s (deleted)", name);
	m->seals = (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL;
	long rc = -EEXIST;
	for (int tries = 0; tries < 8 && rc == -EEXIST; tries++) {
		uint64_t r;
		dk->DkRandomBitsRead(&r, sizeof(r));
		rt_snprintf(uri, sizeof(uri), "file:/tmp/.moat-memfd-%lx", (unsigned long)r);
		rc = fs_host_open_uri(uri, NULL, O_RDWR | O_CREAT | O_EXCL, 0600, &m->host);
	}
	if (rc < 0) {
		libos_free(m);
		return rc;
	}
	dk->DkStreamDelete(uri);
	struct libos_file *f = libos_file_new(&fs_memfd_ops, O_RDWR | O_LARGEFILE, m);
	if (!f) {
		libos_file_put(m->host);
		libos_free(m);
		return -ENOMEM;
	}
	return fs_install(f, 0, flags & MFD_CLOEXEC);
}

/* ---- names ------------------------------------------------------------------------------------ */

const char *fs_anon_name(struct libos_file *f)
{
	if (f->ops == &fs_epoll_ops)
		return "anon_inode:[eventpoll]";
	if (f->ops == &fs_eventfd_ops)
		return "anon_inode:[eventfd]";
	if (f->ops == &fs_timerfd_ops)
		return "anon_inode:[timerfd]";
	if (f->ops == &fs_signalfd_ops)
		return "anon_inode:[signalfd]";
	if (f->ops == &fs_memfd_ops)
		return MEMFD(f)->name;
	return NULL;
}
